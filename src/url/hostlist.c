/*
 * hostlist.c - lists of domains and networks read from a file.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "url/url_int.h"

/*
 * Host lists: local block or allow lists and the shorteners.  One entry
 * a line, '#' comments: a domain, which stands for itself and every
 * name under it, or an IP address or network for IP hosts.
 */
struct hostlist {
	char		*path;
	char		**name;		/* hash table of domains */
	size_t		 nname, cap;
	struct cidr	*net;
	char		**nettext;
	size_t		 nnet;
};

static char **
hl_slot(const struct hostlist *h, const char *s, size_t n)
{
	size_t i = 14695981039346656037ULL, k;

	for (k = 0; k < n; k++)
		i = (i ^ (unsigned char)s[k]) * 1099511628211ULL;
	for (i &= h->cap - 1; h->name[i] != NULL; i = (i + 1) & (h->cap - 1))
		if (strncmp(h->name[i], s, n) == 0 && h->name[i][n] == '\0')
			break;
	return &h->name[i];
}

static void
hl_add(struct hostlist *h, const char *s)
{
	char **old = h->name, **slot;
	size_t i, oldcap = h->cap;

	if ((h->nname + 1) * 2 > h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->name = xcalloc(h->cap, sizeof(*h->name));
		for (i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				*hl_slot(h, old[i], strlen(old[i])) = old[i];
		free(old);
	}
	slot = hl_slot(h, s, strlen(s));
	if (*slot == NULL) {
		*slot = xstrdup(s);
		h->nname++;
	}
}

/* A single label ("zip") is a whole top-level domain: allowed. */
static int
hl_domain(const char *tok, struct buf *out)
{
	int is_ip;
	size_t i;

	if (url_host(tok, strlen(tok), out, &is_ip) == 0)
		return is_ip ? -1 : 0;
	buf_reset(out);
	for (i = 0; tok[i] != '\0'; i++) {
		if (!isalnum((unsigned char)tok[i]) && tok[i] != '-')
			return -1;
		buf_addc(out, tolower((unsigned char)tok[i]));
	}
	return i > 0 && i <= 63 ? 0 : -1;
}

static const char *
hl_line(void *arg, char *line, unsigned long lineno)
{
	struct hostlist *h = arg;
	struct cidr net;
	struct buf b;
	char *tok, *hash;
	const char *why = NULL;
	size_t n;

	(void)lineno;
	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	tok = line + strspn(line, " \t\r");
	n = strcspn(tok, " \t\r");
	if (n == 0)
		return NULL;
	if (tok[n + strspn(tok + n, " \t\r")] != '\0')
		return "one domain or network a line";
	tok[n] = '\0';
	if (cidr_parse(tok, &net) == 0) {
		h->net = xrealloc(h->net, (h->nnet + 1) * sizeof(*h->net));
		h->nettext = xrealloc(h->nettext,
		    (h->nnet + 1) * sizeof(*h->nettext));
		h->net[h->nnet] = net;
		h->nettext[h->nnet++] = xstrdup(tok);
		return NULL;
	}
	if (strncmp(tok, "*.", 2) == 0)
		tok += 2;
	else if (tok[0] == '.')
		tok++;
	buf_init(&b);
	if (hl_domain(tok, &b) != 0)
		why = "not a domain, address or network";
	else
		hl_add(h, b.s);
	buf_free(&b);
	return why;
}

/* Load a host list; NULL, with a message naming file and line, if bad. */
struct hostlist *
hostlist_load(const char *path)
{
	struct hostlist *h = xcalloc(1, sizeof(*h));
	FILE *fp;
	int rc;

	h->path = xstrdup(path);
	if ((fp = fopen(path, "r")) == NULL) {
		xd_warn("%s", path);
		hostlist_free(h);
		return NULL;
	}
	rc = xd_read_lines(fp, path, 4096, hl_line, h);
	fclose(fp);
	if (rc != 0) {
		hostlist_free(h);
		return NULL;
	}
	return h;
}

void
hostlist_free(struct hostlist *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->cap; i++)
		free(h->name[i]);
	for (i = 0; i < h->nnet; i++)
		free(h->nettext[i]);
	free(h->name);
	free(h->net);
	free(h->nettext);
	free(h->path);
	free(h);
}

const char *
hostlist_path(const struct hostlist *h)
{
	return h->path;
}

size_t
hostlist_count(const struct hostlist *h)
{
	return h->nname + h->nnet;
}

/*
 * The entry that lists host (a normalised host, as struct url has it):
 * the host or the nearest domain above it, or the first network that
 * holds an IP host.  NULL if none.
 */
const char *
hostlist_match(const struct hostlist *h, const char *host, int is_ip)
{
	struct cidr ip;
	const char *p;
	size_t i;
	char **slot;

	if (is_ip) {
		if (ip_parse(host, &ip) != 0)
			return NULL;
		for (i = 0; i < h->nnet; i++)
			if (cidr_match(&h->net[i], &ip))
				return h->nettext[i];
		return NULL;
	}
	if (h->nname == 0)
		return NULL;
	for (p = host; p != NULL; p = (p = strchr(p, '.')) ? p + 1 : NULL)
		if (*(slot = hl_slot(h, p, strlen(p))) != NULL)
			return *slot;
	return NULL;
}
