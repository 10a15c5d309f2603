/*
 * check_rcpt_link.c - the recipient's address in a link.
 *
 * Phishing kits fill the victim's address into their login page from
 * the part of the link after '#', written plain, %-escaped or in
 * base64 ("https://page.example/#am9lQGV4YW1wbGUub3Jn"), so that the
 * page shows the reader's own address and asks only for the password.
 * The fragment never reaches a web server: honest mail keeps what the
 * server should know in the path or the query.  Fragments that are a
 * web application's route ("#/invite?email=...", "#!/...") are left
 * alone.  An address in the path or the query is said apart: list and
 * newsletter software puts it there too, to unsubscribe by.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "check/check.h"

#define PART_MAX	2048	/* bytes of a path, query or fragment read */
#define ADDR_MAX	254	/* RFC 5321 4.5.3.1.3 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The bytes of s up to stop (or its end) with %-escapes decoded, into
 * out (cap bytes); returns where it stopped.
 */
static const char *
decode(const char *s, int stop, char *out, size_t cap)
{
	size_t n = 0;
	int hi, lo;

	for (; *s != '\0' && *s != stop && n + 1 < cap; s++) {
		if (*s == '%' && (hi = hexval(s[1])) >= 0 &&
		    (lo = hexval(s[2])) >= 0) {
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
	return s;
}

/* addr in base64, no padding; url_safe writes "-_" for "+/". */
static void
base64(const char *addr, int url_safe, char *out, size_t cap)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)addr;
	size_t n = strlen(addr), i, o = 0;
	unsigned v;
	char c;

	for (i = 0; i < n && o + 5 < cap; i += 3) {
		v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[o++] = std[v >> 18 & 63];
		out[o++] = std[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = std[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = std[v & 63];
	}
	out[o] = '\0';
	for (i = 0; url_safe && i < o; i++)
		if ((c = out[i]) == '+' || c == '/')
			out[i] = c == '+' ? '-' : '_';
}

/* Whether text holds addr, plain (without case) or in base64. */
static int
holds(const char *text, const char *addr)
{
	char b64[ADDR_MAX * 2];

	if (strcasestr(text, addr) != NULL)
		return 1;
	base64(addr, 0, b64, sizeof(b64));
	if (strstr(text, b64) != NULL)
		return 1;
	base64(addr, 1, b64, sizeof(b64));
	return strstr(text, b64) != NULL;
}

/*
 * Where url holds addr (an address), plain, %-escaped or in base64:
 * RCPT_LINK_FRAGMENT after '#' (not in a web application's route),
 * RCPT_LINK_QUERY in the path or the query, else RCPT_LINK_NONE.
 */
int
rcpt_in_url(const char *url, const char *addr)
{
	char part[PART_MAX];
	const char *p, *end;
	size_t alen = strlen(addr);

	if (alen < 6 || alen > ADDR_MAX || strchr(addr, '@') == NULL)
		return RCPT_LINK_NONE;
	if ((p = strstr(url, "://")) == NULL)
		return RCPT_LINK_NONE;
	p += 3 + strcspn(p + 3, "/?#");	/* past the host */
	end = decode(p, '#', part, sizeof(part));
	if (*end == '#') {
		decode(end + 1, '\0', part, sizeof(part));
		/* "#/invite?email=": a web application's route */
		if (part[0] != '/' && !(part[0] == '!' && part[1] == '/') &&
		    holds(part, addr))
			return RCPT_LINK_FRAGMENT;
		decode(p, '#', part, sizeof(part));
	}
	return holds(part, addr) ? RCPT_LINK_QUERY : RCPT_LINK_NONE;
}
