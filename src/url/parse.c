/*
 * parse.c - one URL as written: its host as a browser reads it (WHATWG
 * IPv4 forms, IPv6, IDN), its scheme, authority, port and path.
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
#include "url/url_int.h"

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
 * One URL as written.
 */

static const char *const schemes[] = { "https", "http", "ftp", NULL };

/* Length of the scheme s starts with and its ':', or 0. */
size_t
url_scheme_len(const char *s, size_t n, const char **name)
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
int
url_split(const char *s, size_t n, unsigned flags, struct parts *p)
{
	size_t i, k, slashes = 0;

	memset(p, 0, sizeof(*p));
	p->flags = flags;
	if ((k = url_scheme_len(s, n, &p->scheme)) > 0) {
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
int
url_split_auth(struct parts *p, const char **host, size_t *hostlen,
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

int
url_default_port(const char *scheme, unsigned port)
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
void
url_add_path(struct buf *out, const char *s, size_t n, size_t maxlen,
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
