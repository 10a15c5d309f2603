/*
 * dnslists.c - the DNS lists xd ships, on by default: the file
 * share/dnslists of "rbl = NAME ZONE ..." lines, as xd.conf writes
 * them.  The lists of a key are the shipped ones, less those that
 * dnslists_drop names and those xd.conf defines again under the same
 * key and name, then xd.conf's own.  dnslists = none, or XD_DNSLISTS=none,
 * ships none.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "net/net.h"

#define SHIP_LINE	4096	/* longest line of the file */
#define SHIP_MAX	256	/* lists in the file */

struct shipped {
	char		*key, *line;
	char		 name[65];	/* the list's NAME, upper case */
	unsigned long	 lineno;
};

static struct shipped *ship;
static size_t nship;
static char *ship_path;
static int ship_loaded, ship_status;

static const char *const list_keys[] = {
	"rbl", "rblwl", "rhsbl", "rhswl", "uribl", "uribl_ip", NULL
};

static int
is_list_key(const char *k)
{
	const char *const *p;

	for (p = list_keys; *p != NULL; p++)
		if (strcmp(*p, k) == 0)
			return 1;
	return 0;
}

/* The NAME of a list line, its first word, upper case; "" if too long. */
static void
line_name(const char *line, char out[65])
{
	size_t i, n = strcspn(line, " \t");

	if (n >= 65)
		n = 0;
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)line[i]);
	out[n] = '\0';
}

static const char *
ship_line(void *arg, char *line, unsigned long lineno)
{
	char *key, *val, *eq;
	struct shipped *s;

	(void)arg;
	key = xd_trim(line);
	if (*key == '\0' || *key == '#')
		return NULL;
	if ((eq = strchr(key, '=')) == NULL)
		return "expected 'key = NAME ZONE [options]'";
	*eq = '\0';
	key = xd_trim(key);
	val = xd_trim(eq + 1);
	if (!is_list_key(key))
		return "expected rbl, rblwl, rhsbl, rhswl, uribl or uribl_ip";
	if (*val == '\0')
		return "expected NAME ZONE [options]";
	if (nship == SHIP_MAX)
		return "too many lists";
	ship = xrealloc(ship, (nship + 1) * sizeof(*ship));
	s = &ship[nship++];
	s->key = xstrdup(key);
	s->line = xstrdup(val);
	s->lineno = lineno;
	line_name(val, s->name);
	return NULL;
}

/* The file of shipped lists: XD_DNSLISTS, dnslists, or the share one. */
static char *
find_file(void)
{
	const char *v = getenv("XD_DNSLISTS");

	if (v == NULL || *v == '\0')
		v = conf_str("dnslists");
	if (strcmp(v, "none") == 0)
		return NULL;
	return *v ? xd_expand_home(v) : xd_sharepath("dnslists");
}

/* Read the file once; -1 (after a message) if it is bad or missing. */
static int
load(void)
{
	FILE *fp;

	if (ship_loaded)
		return ship_status;
	ship_loaded = 1;
	if ((ship_path = find_file()) == NULL)
		return ship_status = 0;
	if ((fp = fopen(ship_path, "r")) == NULL) {
		xd_warn("%s (dnslists = none ships no lists)", ship_path);
		return ship_status = -1;
	}
	ship_status = xd_read_lines(fp, ship_path, SHIP_LINE, ship_line, NULL);
	fclose(fp);
	return ship_status;
}

/*
 * Whether dnslists_drop names a shipped list: a word is a list NAME, in
 * any case, or with a dot in it a zone and every zone under it
 * ("spamhaus.org" drops ZEN and both DBLs).
 */
static int
dropped(const struct shipped *s)
{
	const char *const *w;
	const char *zone = s->line + strcspn(s->line, " \t");
	size_t i, n = conf_list("dnslists_drop", &w), zl, wl;

	zone += strspn(zone, " \t");
	zl = strcspn(zone, " \t");
	for (i = 0; i < n; i++) {
		if (strchr(w[i], '.') == NULL) {
			if (strcasecmp(w[i], s->name) == 0)
				return 1;
			continue;
		}
		wl = strlen(w[i]);
		if (zl >= wl && strncasecmp(zone + zl - wl, w[i], wl) == 0 &&
		    (zl == wl || zone[zl - wl - 1] == '.'))
			return 1;
	}
	return 0;
}

/* Whether xd.conf defines a list of this key and NAME itself. */
static int
redefined(const struct shipped *s, const char *const *own, size_t nown)
{
	char name[65];
	size_t i;

	for (i = 0; i < nown; i++) {
		line_name(own[i], name);
		if (strcmp(name, s->name) == 0)
			return 1;
	}
	return 0;
}

/*
 * The lines of list key in force, shipped ones first, each with where
 * it was written (file NULL: xd.conf).  *out is the caller's to free,
 * the strings are not.  Returns the count, or -1 after a message.
 */
ssize_t
dnslists_lines(const char *key, struct dnslist_line **out)
{
	const char *const *own;
	size_t i, n = 0, nown = conf_list(key, &own);

	*out = NULL;
	if (load() != 0)
		return -1;
	*out = xcalloc(nship + nown + 1, sizeof(**out));
	for (i = 0; i < nship; i++) {
		if (strcmp(ship[i].key, key) != 0 || dropped(&ship[i]) ||
		    redefined(&ship[i], own, nown))
			continue;
		(*out)[n].line = ship[i].line;
		(*out)[n].file = ship_path;
		(*out)[n++].lineno = ship[i].lineno;
	}
	for (i = 0; i < nown; i++) {
		(*out)[n].line = own[i];
		(*out)[n].file = NULL;
		(*out)[n++].lineno = 0;
	}
	return (ssize_t)n;
}

/* Forget the file, so that the next call reads it again (tests). */
void
dnslists_reset(void)
{
	size_t i;

	for (i = 0; i < nship; i++) {
		free(ship[i].key);
		free(ship[i].line);
	}
	free(ship);
	free(ship_path);
	ship = NULL;
	ship_path = NULL;
	nship = 0;
	ship_loaded = ship_status = 0;
}
