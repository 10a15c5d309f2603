/*
 * url.c - URLs as a mail client would follow them, found in plain text
 * and HTML, and the registered domains of their hosts.
 *
 * Spammers hide links from filters in the ways browsers forgive:
 * entities and %-escapes, "user@" before the host, numeric hosts in odd
 * bases, Unicode host names, missing or doubled slashes.  Each is undone
 * here the way a browser undoes it (the WHATWG URL standard), so that
 * the host a check sees is the host the reader would reach.
 *
 * Everything is one pass without backing up: a scan never looks at a
 * byte twice but for the short look-back over a scheme name, so hostile
 * text (a megabyte-long URL, a hundred thousand links, tags nested
 * without end) costs time in proportion to its size, which is bounded.
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

#define EMBED_DEPTH	2	/* URLs inside URLs (redirectors) followed */

/*
 * The set.
 */

void
urls_init(struct urls *u)
{
	long long max = conf_int("url_max");
	size_t len = conf_size("url_max_length");

	memset(u, 0, sizeof(*u));
	u->max = max < 1 ? 1 : (size_t)max;
	u->maxlen = len < 64 ? 64 : len;
	u->scan = conf_size("url_scan_size");
	buf_init(&u->tmp);
}

void
urls_reset(struct urls *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].url);
		free(u->v[i].shown);
	}
	u->n = 0;
	u->flags = 0;
	u->used = 0;
	if (u->hash != NULL)
		memset(u->hash, 0, u->hcap * sizeof(*u->hash));
}

void
urls_free(struct urls *u)
{
	urls_reset(u);
	free(u->v);
	free(u->hash);
	buf_free(&u->tmp);
	memset(u, 0, sizeof(*u));
}


/* The slot of url in the hash table: its entry, or an empty one. */
static size_t *
hash_slot(struct urls *u, const char *url)
{
	size_t i = (size_t)xd_hash(url, strlen(url)) & (u->hcap - 1);

	while (u->hash[i] != 0 && strcmp(u->v[u->hash[i] - 1].url, url) != 0)
		i = (i + 1) & (u->hcap - 1);
	return &u->hash[i];
}

static void
hash_grow(struct urls *u)
{
	size_t i;

	free(u->hash);
	u->hcap = u->hcap ? u->hcap * 2 : 64;
	u->hash = xcalloc(u->hcap, sizeof(*u->hash));
	for (i = 0; i < u->n; i++)
		*hash_slot(u, u->v[i].url) = i + 1;
}

/* Add a normalised URL and its host; its index, or -1 over the bound. */
static ssize_t
set_add(struct urls *u, const struct buf *url, const struct buf *host,
    unsigned flags)
{
	struct url *e;
	size_t *slot;
	const char *dom;

	if (u->hcap == 0 || (u->n + 1) * 2 > u->hcap)
		hash_grow(u);
	slot = hash_slot(u, url->s);
	if (*slot != 0) {
		u->v[*slot - 1].flags |= flags;
		return (ssize_t)(*slot - 1);
	}
	if (u->n >= u->max) {
		u->flags |= URLS_MANY;
		return -1;
	}
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->v = xrealloc(u->v, u->cap * sizeof(*u->v));
	}
	e = &u->v[u->n];
	e->url = xmalloc(url->len + host->len + 2);
	memcpy(e->url, url->s, url->len + 1);
	e->host = e->url + url->len + 1;
	memcpy(e->host, host->s, host->len + 1);
	e->domain = e->host;
	if (!(flags & URLF_IP) && (dom = url_domain(e->host)) != NULL)
		e->domain = dom;
	else if (!(flags & URLF_IP))
		flags |= URLF_NODOMAIN;
	e->shown = NULL;
	e->flags = flags;
	*slot = ++u->n;
	return (ssize_t)(u->n - 1);
}


/*
 * A target a redirector names without a scheme ("?url=www.evil.example/")
 * or escaped twice ("?u=https%253A%252F%252Fevil.example"), as url.c's
 * one decoding leaves it: added as a URL of its own.
 */
static void
add_embedded_odd(struct urls *u, const char *p, unsigned flags, int depth)
{
	struct buf t;
	const char *q, *e;
	size_t k;
	int hi, lo;
	char c;

	buf_init(&t);
	for (q = p; (q = strchr(q + 1, '=')) != NULL; )
		if (strncasecmp(q + 1, "www.", 4) == 0) {
			buf_adds(&t, "http://");
			buf_add(&t, q + 1, strcspn(q + 1, "&"));
			break;
		}
	for (q = p; t.len == 0 && (q = strcasestr(q + 1, "%253a%252f%252f")) !=
	    NULL; ) {
		for (k = 0; k < 5 && q - k > p + 1 && isalpha((unsigned char)
		    q[-(ptrdiff_t)k - 1]); k++)
			;
		if (k < 3)
			continue;
		/* "%25" is '%': what follows is escaped once, read it so */
		for (e = q - k; *e != '\0' && *e != '&'; e++) {
			if (strncmp(e, "%25", 3) == 0 && (hi = xd_hexval(e[3])) >=
			    0 && (lo = xd_hexval(e[4])) >= 0 && (c = (char)(hi <<
			    4 | lo)) > 0x20 && c < 0x7f) {
				buf_addc(&t, c);
				e += 4;
			} else
				buf_addc(&t, *e);
		}
	}
	if (t.len > 0)
		url_add(u, t.s, t.len, flags & (URLF_HTML | URLF_TEXT),
		    depth + 1);
	buf_free(&t);
}

/*
 * Redirectors: "http://r.example/?u=http://evil.example/" holds two;
 * so does one that names its target after '#'.
 */
static void
add_embedded(struct urls *u, const char *url, unsigned flags, int depth)
{
	const char *p = strpbrk(url, "?#"), *q;
	size_t k;
	const char *name;

	if (p == NULL || depth >= EMBED_DEPTH)
		return;
	for (q = p; (q = strchr(q + 1, ':')) != NULL; ) {
		for (k = 0; k < 5 && q - k > p + 1 && isalpha((unsigned char)
		    q[-(ptrdiff_t)k - 1]); k++)
			;
		if (url_scheme_len(q - k, strlen(q - k), &name) == k + 1 &&
		    (q[1] == '/' || q[1] == '\\')) {
			url_add(u, q - k, strcspn(q - k, "&"),
			    flags & (URLF_HTML | URLF_TEXT), depth + 1);
			return;
		}
	}
	add_embedded_odd(u, p, flags, depth);
}

/* Bytes no local part of a mailto: address has unquoted. */
static int
local_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    strchr("\"(),:;<>@[\\]/", s[i]) != NULL)
			return 0;
	return 1;
}

/*
 * "mailto:x@two.example?subject=hi": the host of its first address is
 * the link's, kept as "mailto:x@two.example".
 */
static ssize_t
add_mailto(struct urls *u, const char *s, size_t n, unsigned flags)
{
	struct buf url;
	const char *at;
	size_t k;
	int is_ip;
	ssize_t idx;

	for (k = 0; k < n && s[k] != '?' && s[k] != ','; k++)
		;
	if ((at = memrchr(s, '@', k)) == NULL ||
	    !local_ok(s, (size_t)(at - s)) ||
	    url_host(at + 1, (size_t)(s + k - at - 1), &u->tmp, &is_ip) != 0)
		return -1;
	buf_init(&url);
	buf_adds(&url, "mailto:");
	buf_add(&url, s, (size_t)(at - s) + 1);
	buf_adds(&url, is_ip && strchr(u->tmp.s, ':') ? "[" : "");
	buf_adds(&url, u->tmp.s);
	buf_adds(&url, is_ip && strchr(u->tmp.s, ':') ? "]" : "");
	flags &= ~URLF_WANT_ICANN;
	idx = set_add(u, &url, &u->tmp, flags | (is_ip ? URLF_IP : 0));
	buf_free(&url);
	return idx;
}

/*
 * Normalise the URL as written at s (entities already decoded) and add
 * it.  Tabs and newlines inside are dropped, as browsers do.
 */
ssize_t
url_add(struct urls *u, const char *s, size_t n, unsigned flags, int depth)
{
	struct buf clean, url;
	struct parts p;
	const char *host;
	size_t hostlen, i;
	unsigned port;
	int is_ip;
	ssize_t idx = -1;

	buf_init(&clean);
	buf_init(&url);
	while (n > 0 && (unsigned char)*s <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	for (i = 0; i < n; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			buf_addc(&clean, s[i]);
	if (clean.len > 7 && strncasecmp(clean.s, "mailto:", 7) == 0) {
		idx = add_mailto(u, clean.s + 7, clean.len - 7, flags);
		goto done;
	}
	if (clean.s == NULL || url_split(clean.s, clean.len, flags, &p) != 0 ||
	    url_split_auth(&p, &host, &hostlen, &port) != 0 ||
	    url_host(host, hostlen, &u->tmp, &is_ip) != 0)
		goto done;
	if ((p.flags & URLF_WANT_ICANN) &&
	    (is_ip || !url_icann_suffix(u->tmp.s)))
		goto done;
	p.flags &= ~URLF_WANT_ICANN;
	if (is_ip)
		p.flags |= URLF_IP;
	buf_printf(&url, "%s://", p.scheme);
	if (is_ip && strchr(u->tmp.s, ':') != NULL)
		buf_printf(&url, "[%s]", u->tmp.s);
	else
		buf_adds(&url, u->tmp.s);
	if (!url_default_port(p.scheme, port))
		buf_printf(&url, ":%u", port);
	url_add_path(&url, p.path, p.pathlen, u->maxlen, &p.flags);
	idx = set_add(u, &url, &u->tmp, p.flags);
	if (idx >= 0)
		add_embedded(u, u->v[idx].url, p.flags, depth);
done:
	buf_free(&clean);
	buf_free(&url);
	return idx;
}

/* Add one URL as written; its index in the set, or -1. */
int
urls_add(struct urls *u, const char *s, size_t n, unsigned flags)
{
	return (int)url_add(u, s, n, flags, 0);
}

/* Take n bytes from the scan bound; how many may be looked at. */
size_t
url_budget(struct urls *u, size_t n)
{
	size_t left = u->scan > u->used ? u->scan - u->used : 0;

	if (n > left) {
		u->flags |= URLS_SCAN_CUT;
		n = left;
	}
	u->used += n;
	return n;
}

void
urls_text(struct urls *u, const char *s, size_t n)
{
	linkify(u, s, url_budget(u, n));
}
