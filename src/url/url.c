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
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"

#define ANCHOR_MAX	256	/* bytes of anchor text looked at */
#define EMBED_DEPTH	2	/* URLs inside URLs (redirectors) followed */

/*
 * Hosts.
 */

/* One part of a WHATWG IPv4 host: 0x hex, 0 octal, else decimal. */
static int
ipv4_number(const char *s, size_t n, unsigned long long *v)
{
	unsigned base = 10;
	size_t i;
	int d;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2, n -= 2;
	else if (n >= 2 && s[0] == '0')
		base = 8, s++, n--;
	*v = 0;
	for (i = 0; i < n; i++) {
		if ((d = xd_hexval((unsigned char)s[i])) < 0 || (unsigned)d >= base)
			return -1;
		*v = *v * base + (unsigned)d;
		if (*v > 0xffffffffULL)
			*v = 0x100000000ULL;	/* too big: stays too big */
	}
	return 0;
}

/* Is the last label a number ("1", "0x7f"), so that the host is IPv4? */
static int
ends_in_number(const char *s, size_t n)
{
	const char *dot = memrchr(s, '.', n);
	size_t i = dot ? (size_t)(dot - s) + 1 : 0, hex = 0;

	if (i == n)
		return 0;
	if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2, hex = 1;
	for (; i < n; i++)
		if (!(hex ? isxdigit((unsigned char)s[i]) :
		    isdigit((unsigned char)s[i])))
			return 0;
	return 1;
}

/*
 * "0x7f.1", "2130706433", "0177.0.0.01": up to four parts, the last one
 * filling the bytes the others leave.  0 and the address, or -1.
 */
static int
ipv4_parse(const char *s, size_t n, unsigned char addr[4])
{
	unsigned long long part[4], v;
	size_t np = 0, i, start = 0;
	int k;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (np == 4 || i == start ||
		    ipv4_number(s + start, i - start, &part[np]) != 0)
			return -1;
		np++;
		start = i + 1;
	}
	for (i = 0; i + 1 < np; i++)
		if (part[i] > 255)
			return -1;
	if (part[np - 1] >= 1ULL << (8 * (5 - np)))
		return -1;
	v = part[np - 1];
	for (i = 0; i + 1 < np; i++)
		v += part[i] << (8 * (3 - i));
	for (k = 3; k >= 0; k--, v >>= 8)
		addr[k] = (unsigned char)(v & 0xff);
	return 0;
}

/*
 * Letters, digits, '-' and '_' in labels of 1 to 63, two labels or
 * more.  No label starts or ends with '-' (RFC 952, RFC 1123): such a
 * name is no host, and a linkifier makes no link of it.
 */
static int
hostname_ok(const char *s, size_t n)
{
	size_t i, label = 0, labels = 1;
	int alpha_tld = 0;

	if (n == 0 || n > URL_MAX_HOST)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0, labels++, alpha_tld = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-' || c == '_') || ++label > 63 ||
		    (c == '-' && label == 1))
			return 0;
		if (!isdigit(c))
			alpha_tld = 1;
	}
	return label > 0 && s[n - 1] != '-' && labels >= 2 && alpha_tld;
}

static int
host_ipv6(const char *s, size_t n, struct buf *out)
{
	char tmp[64], text[INET6_ADDRSTRLEN];
	unsigned char a[16];

	if (n < 3 || n - 2 >= sizeof(tmp) || s[n - 1] != ']')
		return -1;
	memcpy(tmp, s + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, a) != 1 ||
	    inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
		return -1;
	buf_adds(out, text);
	return 0;
}

/* Non-ASCII names to punycode, UTS #46 mapping (which folds case too). */
static int
host_idn(struct buf *b)
{
	char *ascii = NULL;

	if (idn2_to_ascii_8z(b->s, &ascii,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
	    idn2_to_ascii_8z(b->s, &ascii,
	    IDN2_NFC_INPUT | IDN2_TRANSITIONAL) != IDN2_OK)
		return -1;
	buf_reset(b);
	buf_adds(b, ascii);
	idn2_free(ascii);
	return 0;
}

/*
 * The host of a URL as a browser would resolve it: %-escapes decoded,
 * IDN as punycode, lower case, no final dot, numeric IPv4 forms as a
 * dotted quad, IPv6 in its usual text form.  Appends it to out (which
 * is reset) and says whether it is an IP address; -1 for no host a
 * browser would go to.
 */
int
url_host(const char *s, size_t n, struct buf *out, int *is_ip)
{
	unsigned char a[4];
	size_t i;
	int nonascii = 0, hi, lo;

	buf_reset(out);
	*is_ip = 0;
	if (n > 0 && s[0] == '[') {
		*is_ip = 1;
		return host_ipv6(s, n, out);
	}
	if (n == 0 || n > 3 * URL_MAX_HOST + 3)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && (hi = xd_hexval(s[i + 1])) >= 0 &&
		    (lo = xd_hexval(s[i + 2])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c <= 0x20 || c == 0x7f || strchr("#%/:<>?@[\\]^|\"", c))
			return -1;
		nonascii |= c >= 0x80;
		buf_addc(out, tolower(c));
	}
	if (nonascii && host_idn(out) != 0)
		return -1;
	if (out->len > 0 && out->s[out->len - 1] == '.')
		out->s[--out->len] = '\0';
	if (ends_in_number(out->s, out->len)) {
		if (ipv4_parse(out->s, out->len, a) != 0)
			return -1;
		buf_reset(out);
		buf_printf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		*is_ip = 1;
		return 0;
	}
	return hostname_ok(out->s, out->len) ? 0 : -1;
}

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
	buf_init(&u->text);
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
	buf_free(&u->text);
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
 * One URL as written.
 */

struct parts {
	const char	*auth, *path;	/* authority and what follows */
	size_t		 authlen, pathlen;
	const char	*scheme;	/* "http", "https" or "ftp" */
	unsigned	 flags;
};

static const char *const schemes[] = { "https", "http", "ftp", NULL };

/* Length of the scheme s starts with and its ':', or 0. */
static size_t
scheme_len(const char *s, size_t n, const char **name)
{
	const char *const *p;
	size_t k;

	for (p = schemes; *p != NULL; p++) {
		k = strlen(*p);
		if (n > k && strncasecmp(s, *p, k) == 0 && s[k] == ':') {
			*name = *p;
			return k + 1;
		}
	}
	return 0;
}

/*
 * Split a URL as written into scheme, authority and the rest.  Special
 * schemes take any run of '/' and '\' after the colon (a browser does);
 * from text at least one.  "www." and "//" start schemeless ones; a
 * "www." one is a link only if its host ends in an ICANN suffix, as
 * Thunderbird has it ("www.foo.notatld" is a word, not a link).
 */
static int
split(const char *s, size_t n, unsigned flags, struct parts *p)
{
	size_t i, k, slashes = 0;

	memset(p, 0, sizeof(*p));
	p->flags = flags;
	if ((k = scheme_len(s, n, &p->scheme)) > 0) {
		for (i = k; i < n && (s[i] == '/' || s[i] == '\\'); i++)
			slashes++;
		if (slashes == 0 && !(flags & URLF_HTML))
			return -1;
	} else if (n >= 2 && (s[0] == '/' || s[0] == '\\') &&
	    (s[1] == '/' || s[1] == '\\')) {
		for (i = 0; i < n && (s[i] == '/' || s[i] == '\\'); i++)
			;
		p->scheme = "http";
		p->flags |= URLF_NOSCHEME;
	} else if (www_len(s, n) > 0) {
		i = 0;
		p->scheme = "http";
		p->flags |= URLF_NOSCHEME | URLF_WANT_ICANN;
	} else
		return -1;
	p->auth = s + i;
	for (k = i; k < n && !strchr("/\\?#", s[k]); k++)
		;
	p->authlen = k - i;
	p->path = s + k;
	p->pathlen = n - k;
	return p->authlen > 0 ? 0 : -1;
}

/* The host and port of an authority: after the last '@'. */
static int
split_auth(struct parts *p, const char **host, size_t *hostlen,
    unsigned *port)
{
	const char *a = p->auth, *at, *colon = NULL, *end;
	size_t i;

	end = a + p->authlen;
	if ((at = memrchr(a, '@', p->authlen)) != NULL) {
		p->flags |= URLF_USERINFO;
		a = at + 1;
	}
	if (a < end && *a == '[') {
		const char *rb = memchr(a, ']', (size_t)(end - a));

		if (rb == NULL)
			return -1;
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		else if (rb + 1 != end)
			return -1;
	} else
		colon = memchr(a, ':', (size_t)(end - a));
	*port = 0;
	if (colon != NULL) {
		for (i = 1; colon + i < end; i++) {
			if (colon[i] < '0' || colon[i] > '9' || i > 5)
				return -1;
			*port = *port * 10 + (unsigned)(colon[i] - '0');
		}
		if (*port > 65535)
			return -1;
		end = colon;
	}
	*host = a;
	*hostlen = (size_t)(end - a);
	return 0;
}

static int
default_port(const char *scheme, unsigned port)
{
	return port == 0 || (port == 80 && strcmp(scheme, "http") == 0) ||
	    (port == 443 && strcmp(scheme, "https") == 0) ||
	    (port == 21 && strcmp(scheme, "ftp") == 0);
}

/*
 * The path, query and fragment: '\' as '/' before the query, escapes
 * of printable ASCII decoded (but '%' itself), other escapes, controls
 * and spaces as upper-case %XX, UTF-8 as it is.  Cut at maxlen bytes of
 * the whole URL, on a character boundary, but never in the host.
 */
static void
add_path(struct buf *out, const char *s, size_t n, size_t maxlen,
    unsigned *flags)
{
	int query = 0, hi, lo;
	size_t i;

	/* scheme://host is never cut, however small the bound */
	if (maxlen <= out->len)
		maxlen = out->len + 1;
	if (n == 0 || (s[0] != '/' && s[0] != '\\'))
		buf_addc(out, '/');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (out->len >= maxlen) {
			out->len = utf8_cut(out->s, out->len, maxlen);
			out->s[out->len] = '\0';
			*flags |= URLF_CUT;
			return;
		}
		if (c == '?' || c == '#')
			query = 1;
		if (c == '\\' && !query)
			c = '/';
		if (c == '%' && i + 2 < n && (hi = xd_hexval(s[i + 1])) >= 0 &&
		    (lo = xd_hexval(s[i + 2])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c > 0x20 && c < 0x7f && c != '%') {
				buf_addc(out, c);
				continue;
			}
		} else if (c > 0x20 && c != 0x7f) {
			buf_addc(out, c);
			continue;
		}
		buf_printf(out, "%%%02X", c);
	}
}

static ssize_t add_url(struct urls *, const char *, size_t, unsigned, int);

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
		add_url(u, t.s, t.len, flags & (URLF_HTML | URLF_TEXT),
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
		if (scheme_len(q - k, strlen(q - k), &name) == k + 1 &&
		    (q[1] == '/' || q[1] == '\\')) {
			add_url(u, q - k, strcspn(q - k, "&"),
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
static ssize_t
add_url(struct urls *u, const char *s, size_t n, unsigned flags, int depth)
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
	if (clean.s == NULL || split(clean.s, clean.len, flags, &p) != 0 ||
	    split_auth(&p, &host, &hostlen, &port) != 0 ||
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
	if (!default_port(p.scheme, port))
		buf_printf(&url, ":%u", port);
	add_path(&url, p.path, p.pathlen, u->maxlen, &p.flags);
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
	return (int)add_url(u, s, n, flags, 0);
}

/* Take n bytes from the scan bound; how many may be looked at. */
static size_t
budget(struct urls *u, size_t n)
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
	linkify(u, s, budget(u, n));
}

/*
 * HTML.
 */

/* The anchor being read: its link and its text. */
struct anchor {
	ssize_t		 idx;		/* the href in the set, or -1 */
	char		 text[ANCHOR_MAX + 1];	/* and a NUL */
	size_t		 len;
	int		 over;		/* more text than fits */
};

static void
anchor_add(struct anchor *a, const char *s, size_t n)
{
	if (a->idx < 0 || a->over)
		return;
	if (n > ANCHOR_MAX - a->len) {
		a->over = 1;
		return;
	}
	memcpy(a->text + a->len, s, n);
	a->len += n;
}

/*
 * The host that anchor text shows, if the text is one URL: with a
 * scheme or "www.", and a suffix the list knows.  Bare names ("Dilbert
 * .com") are left alone: newsletters label their tracked links so.
 */
static int
shown_host(const char *s, size_t n, struct buf *host, int *is_ip)
{
	struct parts p;
	const char *h;
	size_t hl, i;
	unsigned port;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20)
			return -1;
	if (split(s, n, URLF_TEXT, &p) != 0 ||
	    split_auth(&p, &h, &hl, &port) != 0 ||
	    url_host(h, hl, host, is_ip) != 0)
		return -1;
	return *is_ip || url_known_suffix(host->s) ? 0 : -1;
}

/*
 * At </a>: text that shows a URL whose registered domain is not that of
 * the link marks the link, unless the link names that domain after its
 * host (a redirector that says where it goes).
 */
static void
anchor_end(struct urls *u, struct anchor *a)
{
	struct buf host;
	struct url *e;
	const char *s = a->text, *dom;
	size_t n = a->len;
	int is_ip;

	if (a->idx < 0 || a->over)
		goto done;
	while (n > 0 && (unsigned char)*s <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (n == 0)
		goto done;
	a->text[s - a->text + n] = '\0';
	buf_init(&host);
	e = &u->v[a->idx];
	if (shown_host(s, n, &host, &is_ip) == 0) {
		dom = is_ip ? NULL : url_domain(host.s);
		if (dom == NULL)
			dom = host.s;
		/* a redirector that says where it goes is no disguise */
		if (strcmp(dom, e->domain) != 0 &&
		    strcasestr(e->url + strlen("https://"), dom) == NULL) {
			e->flags |= URLF_MISMATCH;
			if (e->shown == NULL)
				e->shown = xstrdup(dom);
		}
	}
	buf_free(&host);
done:
	a->idx = -1;
	a->len = 0;
	a->over = 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Attributes whose values are followed links or loaded resources. */
static int
link_attr(const char *s, size_t n)
{
	static const char *const names[] = {
		"href", "src", "action", "background", "formaction", NULL
	};
	const char *const *p;

	for (p = names; *p != NULL; p++)
		if (strlen(*p) == n && strncasecmp(s, *p, n) == 0)
			return 1;
	return 0;
}

/* Where the raw text element (script, style) that starts at i ends. */
static size_t
skip_raw(const char *s, size_t i, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *lt;

	while (i < n && (lt = memchr(s + i, '<', n - i)) != NULL) {
		i = (size_t)(lt - s) + 1;
		if (i < n && s[i] == '/' && n - i - 1 >= k &&
		    strncasecmp(s + i + 1, name, k) == 0)
			return i - 1;
	}
	return n;
}

/* A tag name at s[i]: its length. */
static size_t
tag_name(const char *s, size_t i, size_t n)
{
	size_t k;

	for (k = i; k < n && (isalnum((unsigned char)s[k]) || s[k] == '-' ||
	    s[k] == ':'); k++)
		;
	return k - i;
}

static int
tag_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/*
 * One start tag from s[i] (just after '<' and its name): read the
 * attributes, add the links.  Returns where the tag ends.
 */
static size_t
start_tag(struct urls *u, const char *s, size_t i, size_t n, int is_a,
    struct anchor *a, struct buf *val)
{
	const char *e;
	size_t name, namelen, v, vlen;
	ssize_t idx;
	char q;

	for (;;) {
		while (i < n && (is_space(s[i]) || s[i] == '/'))
			i++;
		if (i >= n || s[i] == '>')
			return i < n ? i + 1 : n;
		for (name = i; i < n && !is_space(s[i]) && s[i] != '=' &&
		    s[i] != '>' && (s[i] != '/' || i == name); i++)
			;
		namelen = i - name;
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			continue;
		for (i++; i < n && is_space(s[i]); i++)
			;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			e = memchr(s + i, q, n - i);
			v = i;
			i = e != NULL ? (size_t)(e - s) + 1 : n;
			vlen = (e != NULL ? (size_t)(e - s) : n) - v;
		} else {
			for (v = i; i < n && !is_space(s[i]) && s[i] != '>';
			    i++)
				;
			vlen = i - v;
		}
		if (!link_attr(s + name, namelen) || (u->flags & URLS_MANY))
			continue;
		buf_reset(val);
		html_decode(s + v, vlen, 1, val);
		idx = add_url(u, val->s ? val->s : "", val->len, URLF_HTML, 0);
		if (is_a && tag_is(s + name, namelen, "href"))
			a->idx = idx;
	}
}

/*
 * Walk HTML once: links from attributes, anchors checked against their
 * text, and the text (entities decoded, each tag a space) kept in
 * u->text for the plain-text scan.  Script and style are not text.
 */
static void
scan_html(struct urls *u, const char *s, size_t n)
{
	struct anchor a;
	struct buf val;
	const char *lt, *end, *tag;
	size_t i = 0, k, t;

	a.idx = -1;
	a.len = 0;
	a.over = 0;
	buf_init(&val);
	buf_reset(&u->text);
	while (i < n && !(u->flags & URLS_MANY)) {
		if ((lt = memchr(s + i, '<', n - i)) == NULL)
			lt = s + n;
		k = u->text.len;
		html_decode(s + i, (size_t)(lt - s) - i, 0, &u->text);
		anchor_add(&a, u->text.s + k, u->text.len - k);
		if ((i = (size_t)(lt - s)) >= n)
			break;
		tag = s + i + 1;
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			end = memmem(s + i + 4, n - i - 4, "-->", 3);
			i = end != NULL ? (size_t)(end - s) + 3 : n;
		} else if (i + 2 < n && (*tag == '!' || *tag == '?' ||
		    (*tag == '/' && isalpha((unsigned char)tag[1])))) {
			if (tag_is(tag + 1, tag_name(s, i + 2, n), "a"))
				anchor_end(u, &a);
			end = memchr(s + i, '>', n - i);
			i = end != NULL ? (size_t)(end - s) + 1 : n;
		} else if (i + 1 < n && isalpha((unsigned char)*tag)) {
			t = tag_name(s, i + 1, n);
			if (tag_is(tag, t, "a"))
				anchor_end(u, &a);
			i = start_tag(u, s, i + 1 + t, n, tag_is(tag, t, "a"),
			    &a, &val);
			if (tag_is(tag, t, "script") || tag_is(tag, t, "style"))
				i = skip_raw(s, i, n, tag_is(tag, t, "script") ?
				    "script" : "style");
		} else {
			buf_addc(&u->text, '<');
			anchor_add(&a, "<", 1);
			i++;
			continue;
		}
		buf_addc(&u->text, ' ');
	}
	anchor_end(u, &a);
	buf_free(&val);
}

void
urls_html(struct urls *u, const char *s, size_t n)
{
	scan_html(u, s, budget(u, n));
	linkify(u, u->text.s ? u->text.s : "", u->text.len);
}

/*
 * A message: its text/plain and text/html parts, attachments and
 * forwarded messages too, within the scan bound.
 */
struct partwalk {
	struct urls	*u;
	struct buf	 text;
};

static int
part_urls(const struct msgpart *p, void *arg)
{
	struct partwalk *w = arg;
	struct urls *u = w->u;
	size_t left = u->scan > u->used ? u->scan - u->used : 0;
	int html;

	if (p->is_message)
		return 0;
	if (strcmp(p->type, "text/html") == 0)
		html = 1;
	else if (strcmp(p->type, "text/plain") == 0)
		html = 0;
	else
		return 0;
	if (left == 0) {
		u->flags |= URLS_SCAN_CUT;
		return 1;
	}
	/* one byte more than the bound tells that there was more */
	if (msgpart_text(p, &w->text, left + 1) != 0)
		return 0;
	if (html)
		urls_html(u, w->text.s ? w->text.s : "", w->text.len);
	else
		urls_text(u, w->text.s ? w->text.s : "", w->text.len);
	return (u->flags & URLS_MANY) != 0;
}

/* Add the URLs of every text part of m; returns how many the set has. */
int
urls_message(struct urls *u, struct message *m)
{
	struct partwalk w;

	w.u = u;
	buf_init(&w.text);
	message_parts(m, part_urls, &w);
	buf_free(&w.text);
	return (int)u->n;
}

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
