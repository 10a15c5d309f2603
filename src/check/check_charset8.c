/*
 * check_charset8.c - text in no declared charset.
 *
 * A header is ASCII unless an encoded word (RFC 2047) names its
 * charset; a text part with no charset parameter is US-ASCII (RFC 2046
 * 4.1.2).  Bulk mailers of Chinese, Korean, Russian and Turkish mail
 * write their bytes raw with no charset, which no mail program people
 * use does: they write encoded words and charset parameters.  UTF-8
 * written raw is left alone, for headers of SMTPUTF8 (RFC 6532) and
 * for the programs that take it for granted.
 *
 * The other way round, a text part that declares the charset of a
 * far script (Chinese, Japanese, Korean, Cyrillic, Greek, Arabic,
 * Hebrew, Thai) and holds nothing but ASCII is the work of a bulk tool
 * that stamps one charset on all it sends.
 */
#include <stddef.h>

#include "check/check.h"

#define UNUSED_MIN	200	/* bytes of text to say a charset is unused */

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * How many bytes of s are 8-bit and not part of UTF-8; at most stop
 * (the caller's threshold), so that a long text is not read to its
 * end once the answer is known.
 */
size_t
charset8_count(const char *s, size_t n, size_t stop)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, bad = 0, k;

	while (i < n && bad < stop) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len(u + i, n - i)) > 0) {
			i += k;
			continue;
		}
		bad++;
		i++;
	}
	return bad;
}

/*
 * 1 when s holds no byte over 127 in at least UNUSED_MIN bytes, no
 * escape (ISO-2022 and HZ write their scripts in 7 bits) and, in HTML,
 * no character reference (&#...;) that could write the script.
 */
int
charset8_unused(const char *s, size_t n, int html)
{
	size_t i;

	if (n < UNUSED_MIN)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == 0x1b ||
		    (s[i] == '~' && i + 1 < n && s[i + 1] == '{') ||
		    (html && s[i] == '&' && i + 1 < n && s[i + 1] == '#'))
			return 0;
	return 1;
}
