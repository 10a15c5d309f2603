/*
 * check_rcpt_link.c - the recipient's address in a link's fragment.
 *
 * Phishing kits fill the victim's address into their login page from
 * the part of the link after '#', written plain, %-escaped or in
 * base64 ("https://page.example/#am9lQGV4YW1wbGUub3Jn"), so that the
 * page shows the reader's own address and asks only for the password.
 * The fragment never reaches a web server: honest mail keeps what the
 * server should know in the path or the query.  Fragments that are a
 * web application's route ("#/invite?email=...", "#!/...") are left
 * alone.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "check/check.h"

#define FRAG_MAX	1024	/* bytes of a fragment read */
#define ADDR_MAX	254	/* RFC 5321 4.5.3.1.3 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The fragment of url with %-escapes decoded, into out (cap bytes). */
static size_t
fragment(const char *url, char *out, size_t cap)
{
	const char *f = strchr(url, '#');
	size_t n = 0;
	int hi, lo;

	if (f == NULL)
		return 0;
	for (f++; *f != '\0' && n + 1 < cap; f++) {
		if (*f == '%' && (hi = hexval(f[1])) >= 0 &&
		    (lo = hexval(f[2])) >= 0) {
			out[n++] = (char)(hi << 4 | lo);
			f += 2;
		} else
			out[n++] = *f;
	}
	out[n] = '\0';
	return n;
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

/*
 * 1 when the fragment of url holds addr (an address, compared without
 * case), plain, %-escaped or in base64.
 */
int
rcpt_in_fragment(const char *url, const char *addr)
{
	char frag[FRAG_MAX], b64[ADDR_MAX * 2];
	size_t alen = strlen(addr);

	if (alen < 6 || alen > ADDR_MAX || strchr(addr, '@') == NULL ||
	    fragment(url, frag, sizeof(frag)) < alen)
		return 0;
	if (frag[0] == '/' || (frag[0] == '!' && frag[1] == '/'))
		return 0;	/* a web application's route */
	if (strcasestr(frag, addr) != NULL)
		return 1;
	base64(addr, 0, b64, sizeof(b64));
	if (strstr(frag, b64) != NULL)
		return 1;
	base64(addr, 1, b64, sizeof(b64));
	return strstr(frag, b64) != NULL;
}
