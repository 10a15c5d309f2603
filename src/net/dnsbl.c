/*
 * dnsbl.c - DNS lists as xd.conf describes them, one list per line:
 *
 *	NAME ZONE [ADDR[-ADDR]=SUFFIX | &MASK=SUFFIX | blocked=ADDR[-ADDR]
 *	    | ignore=ADDR[-ADDR] | last=SUFFIX
 *	    | ipv4 | ipv6 | mailfrom | from | helo | trust] ...
 *
 * and what an answer address means: a listing under which symbol, a
 * "you may not query" answer, or nothing (not in 127.0.0.0/8).
 * Return codes are configuration, as in rspamd: a zone whose 127.0.0.2
 * means one list and 127.0.0.4 another is two symbols.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"

/* RFC 5782 leaves them free; the big lists use them to say "refused". */
#define BLOCKED_LO	0x7ffffffcu	/* 127.255.255.252 */
#define BLOCKED_HI	0x7fffffffu	/* 127.255.255.255 */

static const struct {
	const char	*word;
	unsigned	 flag;
} words[] = {
	{ "ipv4", DNSBL_V4 }, { "ipv6", DNSBL_V6 },
	{ "mailfrom", DNSBL_MAILFROM }, { "from", DNSBL_FROM },
	{ "helo", DNSBL_HELO }, { "trust", DNSBL_TRUST },
};

/* Names a list may not have: the symbols of their own they would hide. */
static const char *const reserved[] = {
	"BLOCKED", "TEMPFAIL", "CHECKED", "DEEP", "SKIPPED", NULL
};

static int
parse_addr(const char *s, size_t n, uint32_t *out)
{
	char tmp[INET_ADDRSTRLEN];
	struct in_addr a;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "ADDR" or "ADDR-ADDR" of n bytes. */
static int
parse_range(const char *s, size_t n, struct dnsbl_code *c)
{
	const char *dash = memchr(s, '-', n);

	if (dash == NULL) {
		if (parse_addr(s, n, &c->lo) != 0)
			return -1;
		c->hi = c->lo;
		return 0;
	}
	if (parse_addr(s, (size_t)(dash - s), &c->lo) != 0 ||
	    parse_addr(dash + 1, n - (size_t)(dash - s) - 1, &c->hi) != 0 ||
	    c->hi < c->lo)
		return -1;
	return 0;
}

static int
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static void
upcase(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

static struct dnsbl_code *
push(struct dnsbl_code **v, size_t *n)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* One option word of a list line. */
static const char *
parse_option(struct dnsbl *l, char *tok, unsigned allowed)
{
	struct dnsbl_code *c;
	char *eq = strchr(tok, '=');
	const char *errstr;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(tok, words[i].word) == 0) {
			if (!(allowed & words[i].flag))
				return "an option this kind of list does not take";
			l->flags |= words[i].flag;
			return NULL;
		}
	if (eq == NULL)
		return "unknown option";
	if (strncasecmp(tok, "blocked=", 8) == 0) {
		c = push(&l->blocked, &l->nblocked);
		return parse_range(eq + 1, strlen(eq + 1), c) == 0 ? NULL :
		    "blocked= needs ADDR or ADDR-ADDR";
	}
	if (strncasecmp(tok, "ignore=", 7) == 0) {
		c = push(&l->ignored, &l->nignored);
		return parse_range(eq + 1, strlen(eq + 1), c) == 0 ? NULL :
		    "ignore= needs ADDR or ADDR-ADDR";
	}
	if (strncasecmp(tok, "last=", 5) == 0) {
		if (!valid_name(eq + 1))
			return "last= needs a SUFFIX of letters, digits and _";
		l->last = xrealloc(l->last, (l->nlast + 1) * sizeof(char *));
		l->last[l->nlast] = xstrdup(eq + 1);
		upcase(l->last[l->nlast++]);
		return NULL;
	}
	if (!valid_name(eq + 1))
		return "a return code needs a SUFFIX of letters, digits and _";
	c = push(&l->codes, &l->ncodes);
	c->suffix = xstrdup(eq + 1);
	upcase(c->suffix);
	if (tok[0] == '&') {
		*eq = '\0';
		c->mask = (uint32_t)xd_strtonum(tok + 1, 1, 0xffffffffLL,
		    &errstr);
		return errstr == NULL ? NULL : "&MASK needs a number";
	}
	return parse_range(tok, (size_t)(eq - tok), c) == 0 ? NULL :
	    "expected ADDR=SUFFIX, ADDR-ADDR=SUFFIX or &MASK=SUFFIX";
}

/* Codes whose suffix a last= option names count on the last hop only. */
static const char *
mark_last(struct dnsbl *l)
{
	size_t i, j;
	int found;

	for (j = 0; j < l->nlast; j++) {
		found = 0;
		for (i = 0; i < l->ncodes; i++)
			if (strcmp(l->codes[i].suffix, l->last[j]) == 0)
				l->codes[i].last = found = 1;
		if (!found)
			return "last= names no return code of the list";
	}
	return NULL;
}

/*
 * Parse one list line for a list whose symbols start with prefix
 * ("RBL_").  allowed: the option words this kind of list takes.
 * Returns 0, or -1 with *why set.
 */
int
dnsbl_parse(struct dnsbl *l, const char *prefix, const char *line,
    unsigned allowed, const char **why)
{
	char *copy, *tok, *save = NULL;
	const char *const *r;
	int n = 0;

	memset(l, 0, sizeof(*l));
	*why = NULL;
	copy = xstrdup(line);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && *why == NULL;
	    tok = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0) {
			if (!valid_name(tok))
				*why = "NAME must be letters, digits and _";
			l->name = xstrdup(tok);
			upcase(l->name);
			for (r = reserved; *why == NULL && *r != NULL; r++)
				if (strcmp(l->name, *r) == 0)
					*why = "NAME is a reserved symbol";
		} else if (n == 1) {
			l->zone = xstrdup(tok);
			if (!dns_name_ok(tok) || strchr(tok, '.') == NULL)
				*why = "ZONE is not a domain name";
		} else
			*why = parse_option(l, tok, allowed);
	}
	free(copy);
	if (*why == NULL && n < 2)
		*why = "expected NAME ZONE [options]";
	if (*why == NULL)
		*why = mark_last(l);
	if (*why != NULL) {
		dnsbl_free(l);
		return -1;
	}
	xasprintf(&l->symbol, "%s%s", prefix, l->name);
	l->prefix = prefix;
	if (!(l->flags & (DNSBL_V4 | DNSBL_V6)))
		l->flags |= (DNSBL_V4 | DNSBL_V6) & allowed;
	if (!(l->flags & (DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO)))
		l->flags |= (DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO) &
		    allowed;
	return 0;
}

void
dnsbl_free(struct dnsbl *l)
{
	size_t i;

	for (i = 0; i < l->ncodes; i++)
		free(l->codes[i].suffix);
	free(l->codes);
	free(l->blocked);
	free(l->ignored);
	for (i = 0; i < l->nlast; i++)
		free(l->last[i]);
	free(l->last);
	free(l->name);
	free(l->zone);
	free(l->symbol);
	memset(l, 0, sizeof(*l));
}

/* "file:line: " of a list line, for messages. */
static void
where(const struct dnslist_line *dl, char *out, size_t cap)
{
	if (dl->file != NULL)
		snprintf(out, cap, "%s:%lu", dl->file, dl->lineno);
	else
		snprintf(out, cap, "%s", conf_path() ? conf_path() :
		    "xd.conf");
}

/*
 * Load every list of an xd.conf key, the shipped ones first (see
 * dnslists.c).  On a bad line, a message naming where it was written
 * and the line is printed and -1 returned.
 */
int
dnsbl_load(const char *key, const char *prefix, unsigned allowed,
    struct dnsbl **out, size_t *nout)
{
	struct dnslist_line *lines;
	const char *why;
	char at[1024];
	ssize_t n = dnslists_lines(key, &lines);
	size_t i, j;
	int rc = 0;

	for (i = 0; n > 0 && i < (size_t)n && rc == 0; i++) {
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		where(&lines[i], at, sizeof(at));
		if (dnsbl_parse(&(*out)[*nout], prefix, lines[i].line, allowed,
		    &why) != 0) {
			xd_warnx("%s: %s = %s: %s", at, key, lines[i].line,
			    why);
			rc = -1;
			break;
		}
		for (j = 0; j < *nout; j++)
			if (strcmp((*out)[j].symbol, (*out)[*nout].symbol) == 0) {
				xd_warnx("%s: %s = %s: a second list named %s",
				    at, key, lines[i].line,
				    (*out)[*nout].name);
				dnsbl_free(&(*out)[*nout]);
				rc = -1;
				break;
			}
		if (rc == 0)
			(*nout)++;
	}
	free(lines);
	return n < 0 ? -1 : rc;
}

/* The xd.conf keys that define DNS lists, and the options each takes. */
static const struct {
	const char	*key;
	unsigned	 allowed;
} list_keys[] = {
	{ "rbl", DNSBL_V4 | DNSBL_V6 },
	{ "rblwl", DNSBL_V4 | DNSBL_V6 | DNSBL_TRUST },
	{ "rhsbl", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
	{ "rhswl", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
	{ "uribl", 0 },
	{ "uribl_ip", DNSBL_V4 | DNSBL_V6 },
};

/*
 * For config.c, so that a bad list line is an error at its file:line
 * when xd.conf is read: NULL if key defines no DNS list or line is a
 * good one, else why not.
 */
const char *
dnsbl_check_conf(const char *key, const char *line)
{
	struct dnsbl l;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++)
		if (strcmp(list_keys[i].key, key) == 0)
			break;
	if (i == sizeof(list_keys) / sizeof(list_keys[0]))
		return NULL;
	if (dnsbl_parse(&l, "X_", line, list_keys[i].allowed, &why) != 0)
		return why;
	dnsbl_free(&l);
	return NULL;
}

static int
in_ranges(const struct dnsbl_code *c, size_t n, uint32_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].mask == 0 && a >= c[i].lo && a <= c[i].hi)
			return 1;
	return 0;
}

/*
 * What the answer address a (4 bytes, as in struct dns_rr) means.  For
 * a listing, fn is called with each symbol name it stands for: the
 * list's symbol and the suffix of every return code that matches, or
 * the list's symbol alone when none does.  DNSWL-style trust levels
 * (option trust) name the last octet: NONE LOW MED HI.  Codes of a
 * last= option count only when last is set (the address asked about is
 * the last external hop); an answer that only they match, or that
 * ignore= names, is no listing.
 */
enum dnsbl_meaning
dnsbl_code_hop(const struct dnsbl *l, const unsigned char *addr, int last,
    void (*fn)(const char *, void *), void *arg)
{
	static const char *const trust[] = { "NONE", "LOW", "MED", "HI" };
	uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
	    (uint32_t)addr[2] << 8 | addr[3];
	struct buf b;
	size_t i;
	int named = 0;

	if ((a >= BLOCKED_LO && a <= BLOCKED_HI) ||
	    in_ranges(l->blocked, l->nblocked, a))
		return DNSBL_BLOCKED;
	if (addr[0] != 127)
		return DNSBL_IGNORED;
	if (in_ranges(l->ignored, l->nignored, a))
		return DNSBL_UNLISTED;
	buf_init(&b);
	for (i = 0; i < l->ncodes; i++) {
		const struct dnsbl_code *c = &l->codes[i];

		if (c->mask ? (a & c->mask) == 0 : a < c->lo || a > c->hi)
			continue;
		named = 1;
		if (c->last && !last)
			continue;
		buf_reset(&b);
		buf_printf(&b, "%s_%s", l->symbol, c->suffix);
		fn(b.s, arg);
	}
	if (!named && (l->flags & DNSBL_TRUST) && addr[3] < 4) {
		buf_printf(&b, "%s_%s", l->symbol, trust[addr[3]]);
		fn(b.s, arg);
		named = 1;
	}
	if (!named)
		fn(l->symbol, arg);
	buf_free(&b);
	return DNSBL_LISTED;
}

/*
 * A list said "you may not query me": once a run, warn (stderr, or
 * syslog in filter mode), for the symbol alone goes unseen.
 */
void
dnsbl_blocked(struct dnsbl *l, const char *answer)
{
	if (l->told_blocked++)
		return;
	xd_warnx("%s refuses this resolver (answer %s): ask it through a "
	    "resolver of your own, or drop it with dnslists_drop", l->zone,
	    answer);
}

enum dnsbl_meaning
dnsbl_code(const struct dnsbl *l, const unsigned char *addr,
    void (*fn)(const char *, void *), void *arg)
{
	return dnsbl_code_hop(l, addr, 1, fn, arg);
}

/* --- --test: RFC 5782 section 5 ----------------------------------------- */

/* Test points count listings; they need no symbols. */
static void
no_symbol(const char *s, void *arg)
{
	(void)s;
	(void)arg;
}

/* NULL if the list answers for its test point name as it should. */
static const char *
test_point(struct dns *d, const struct dnsbl *l, const char *name, int listed)
{
	static char why[256];
	struct dns_answer *a;
	char *q;
	size_t i;
	int hit = 0, blocked = 0;

	xasprintf(&q, "%s.%s", name, l->zone);
	a = dns_lookup(d, q, DNS_A);
	free(q);
	for (i = 0; a->status == DNS_OK && i < a->n; i++) {
		enum dnsbl_meaning m = dnsbl_code(l, a->rr[i].addr,
		    no_symbol, NULL);

		blocked |= m == DNSBL_BLOCKED;
		hit |= m == DNSBL_LISTED;
	}
	why[0] = '\0';
	if (a->status == DNS_TEMPFAIL || a->status == DNS_BAD)
		snprintf(why, sizeof(why), "%s: %s", name, a->why);
	else if (blocked)
		snprintf(why, sizeof(why), "%s: blocked: this resolver may "
		    "not ask the list", name);
	else if (listed && !hit)
		snprintf(why, sizeof(why), "%s: not listed (%s)", name,
		    a->status == DNS_OK ? "answer outside 127.0.0.0/8" :
		    dns_status_name(a->status));
	else if (!listed && a->status == DNS_OK)
		snprintf(why, sizeof(why), "%s: listed, must not be (%s)",
		    name, a->n ? a->rr[0].text : "");
	dns_answer_free(a);
	return why[0] ? why : NULL;
}

/*
 * Ask a list for its test points and write "SYMBOL ZONE ok|fail: why"
 * to out: a domain list lists "test" and not "invalid", an IP list
 * 127.0.0.2 and not 127.0.0.1, or ::ffff:127.0.0.2 and not
 * ::ffff:127.0.0.1.
 * Returns 0, or XD_EXIT_SOME when the list fails.
 */
int
dnsbl_test(struct dns *d, const struct dnsbl *l, int domains, FILE *out)
{
	static const char v6yes[] =
	    "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";
	static const char v6no[] =
	    "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";
	const char *yes, *no, *why;

	if (domains)
		yes = "test", no = "invalid";
	else if (l->flags & DNSBL_V4)
		yes = "2.0.0.127", no = "1.0.0.127";
	else
		yes = v6yes, no = v6no;
	if ((why = test_point(d, l, yes, 1)) == NULL)
		why = test_point(d, l, no, 0);
	fprintf(out, "%s\t%s\t%s%s\n", l->symbol, l->zone,
	    why ? "fail: " : "ok", why ? why : "");
	return why != NULL ? XD_EXIT_SOME : XD_EXIT_OK;
}
