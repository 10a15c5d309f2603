/*
 * utf8.c - UTF-8: the one encoder, validity, repair, cutting on a
 * character boundary, and the cleaning every value that leaves the
 * library gets.
 */
#include <string.h>

#include "base/base.h"
#include "text/text.h"

/*
 * The one UTF-8 encoder: code point c onto b.  What no UTF-8 may carry
 * (NUL, a surrogate, past U+10FFFF) is U+FFFD, as HTML reads it.
 */
void
utf8_put(struct buf *b, unsigned c)
{
	char u[4];

	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		buf_addc(b, (int)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned int c;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* The largest length <= max that does not split a character of s. */
size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}


/* Valid UTF-8 in place: a byte that starts no valid sequence is U+FFFD. */
void
utf8_fix(struct buf *b)
{
	struct buf out;
	size_t i, n;

	for (i = 0; i < b->len; i += n)
		if ((n = utf8_seq((unsigned char *)b->s + i, b->len - i)) == 0)
			break;
	if (i >= b->len)
		return;
	buf_init(&out);
	buf_add(&out, b->s, i);
	for (; i < b->len; i += n) {
		if ((n = utf8_seq((unsigned char *)b->s + i, b->len - i)) == 0) {
			utf8_put(&out, 0xfffd);
			n = 1;
		} else
			buf_add(&out, b->s + i, n);
	}
	buf_free(b);
	*b = out;
}

/*
 * A value fit for one stream field: valid UTF-8, control characters (C0
 * and C1; line breaks of folded headers too) as spaces, no white space
 * at the ends, at most max bytes cut on a character boundary.
 */
void
text_clean(struct buf *b, size_t max)
{
	size_t i, start = 0, end;

	if (b->len == 0)
		return;
	utf8_fix(b);
	for (i = end = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->s[i];

		if (c == 0xc2 && i + 1 < b->len &&
		    (unsigned char)b->s[i + 1] < 0xa0) {
			i++;		/* a C1 control, U+0080 to U+009F */
			c = ' ';
		} else if (c < 0x20 || c == 0x7f)
			c = ' ';
		b->s[end++] = (char)c;
	}
	b->len = end;
	while (start < b->len && b->s[start] == ' ')
		start++;
	end = b->len;
	while (end > start && b->s[end - 1] == ' ')
		end--;
	memmove(b->s, b->s + start, end - start);
	b->len = utf8_cut(b->s, end - start, max);
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

/* windows-1252 0x80-0x9f; its five holes stay C1 code points (WHATWG) */
static const unsigned short cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* What windows-1252 has at 0x80-0x9f, for c in that range. */
unsigned
utf8_cp1252(unsigned char c)
{
	return c >= 0x80 && c <= 0x9f ? cp1252[c - 0x80] : c;
}

void
utf8_from_cp1252(const char *s, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			buf_addc(out, c);
		else if (c < 0xa0)
			utf8_put(out, cp1252[c - 0x80]);
		else
			utf8_put(out, c);
	}
}

int
text_is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int
utf8_valid(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k)
		if ((k = utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return 0;
	return 1;
}

