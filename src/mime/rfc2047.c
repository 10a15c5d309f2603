/*
 * rfc2047.c - encoded words in header text (RFC 2047), decoded as
 * mail clients decode them.
 *
 * GMime joins the payloads of adjacent base64 words before it decodes
 * them, so "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=" loses everything after
 * the first padding, and it drops bytes it cannot convert.  Here each
 * word is decoded on its own, the bytes of adjacent words in the same
 * charset are joined before conversion (a character may be split
 * across two words), the blanks between adjacent encoded words go
 * (section 6.2), and a charset no converter knows keeps its bytes,
 * read as UTF-8 or windows-1252 like undeclared 8-bit text.
 */
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"

#define CHARSET_MAX	64	/* a longer charset name is no charset */

struct word {			/* one encoded word, as found */
	char	 charset[CHARSET_MAX];
	char	 enc;		/* 'B' or 'Q' */
	const char *text;	/* its encoded text */
	size_t	 textlen;
	size_t	 len;		/* of the whole word, "=?" to "?=" */
};

struct run {			/* adjacent words in one charset */
	char	 charset[CHARSET_MAX];
	struct buf bytes;
	int	 open;
};

/* The encoded word at s, if s starts one. */
static int
word_at(const char *s, struct word *w)
{
	const char *p = s + 2, *q, *star;
	size_t n;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	if ((q = strchr(p, '?')) == NULL || q == p ||
	    (n = (size_t)(q - p)) >= CHARSET_MAX ||
	    memchr(p, ' ', n) != NULL || memchr(p, '\t', n) != NULL)
		return 0;
	memcpy(w->charset, p, n);
	w->charset[n] = '\0';
	if ((star = strchr(w->charset, '*')) != NULL)	/* RFC 2231 language */
		w->charset[star - w->charset] = '\0';
	w->enc = (char)(q[1] & ~0x20);
	if ((w->enc != 'B' && w->enc != 'Q') || q[2] != '?')
		return 0;
	w->text = q + 3;
	for (p = w->text; *p != '\0' && *p != ' ' && *p != '\t' &&
	    *p != '\r' && *p != '\n'; p++)
		if (p[0] == '?' && p[1] == '=')
			break;
	if (p[0] != '?' || p[1] != '=')
		return 0;
	w->textlen = (size_t)(p - w->text);
	w->len = (size_t)(p + 2 - s);
	return w->charset[0] != '\0';
}

static void
decode_q(const struct word *w, struct buf *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < w->textlen; i++) {
		char c = w->text[i];

		if (c == '_')
			buf_addc(out, ' ');
		else if (c == '=' && i + 2 < w->textlen &&
		    (hi = xd_hexval((unsigned char)w->text[i + 1])) >= 0 &&
		    (lo = xd_hexval((unsigned char)w->text[i + 2])) >= 0) {
			buf_addc(out, hi << 4 | lo);
			i += 2;
		} else
			buf_addc(out, c);
	}
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* One word's base64, to its padding; stray characters are skipped. */
static void
decode_b(const struct word *w, struct buf *out)
{
	unsigned acc = 0;
	size_t i;
	int bits = 0, v;

	for (i = 0; i < w->textlen && w->text[i] != '='; i++) {
		if ((v = b64val((unsigned char)w->text[i])) < 0)
			continue;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(out, (int)(acc >> bits) & 0xff);
		}
	}
}

/* The run's bytes as UTF-8; an unknown charset is noted in *unknown. */
static void
run_flush(struct run *r, struct buf *out, int *unknown)
{
	if (!r->open)
		return;
	if (charset_known(r->charset))
		utf8_convert(r->charset, r->bytes.s, r->bytes.len, out);
	else {
		utf8_convert(NULL, r->bytes.s, r->bytes.len, out);
		*unknown = 1;
	}
	buf_reset(&r->bytes);
	r->open = 0;
}

static size_t
blanks(const char *s)
{
	size_t n = 0;

	while (s[n] == ' ' || s[n] == '\t' || s[n] == '\r' || s[n] == '\n')
		n++;
	return n;
}

/*
 * Decode the encoded words of the unfolded header text s into out as
 * UTF-8; text outside them is 8-bit text of no declared charset.
 * Returns 1 when a word named a charset no converter knows, else 0.
 */
int
rfc2047_decode(const char *s, struct buf *out)
{
	struct run r;
	struct word w;
	const char *plain = s;
	size_t gap;
	int unknown = 0;

	memset(&r, 0, sizeof(r));
	buf_init(&r.bytes);
	while (*s != '\0') {
		if (!word_at(s, &w)) {
			s++;
			continue;
		}
		gap = plain == s ? 0 : (size_t)(s - plain);
		/* blanks alone between two encoded words go (6.2) */
		if (!(r.open && blanks(plain) == gap)) {
			run_flush(&r, out, &unknown);
			utf8_convert(NULL, plain, gap, out);
		}
		if (r.open && strcasecmp(r.charset, w.charset) != 0)
			run_flush(&r, out, &unknown);
		if (!r.open) {
			memcpy(r.charset, w.charset, sizeof(r.charset));
			r.open = 1;
		}
		if (w.enc == 'B')
			decode_b(&w, &r.bytes);
		else
			decode_q(&w, &r.bytes);
		s += w.len;
		plain = s;
	}
	run_flush(&r, out, &unknown);
	utf8_convert(NULL, plain, (size_t)(s - plain), out);
	buf_free(&r.bytes);
	return unknown;
}

/*
 * Append s to out with every B word made the Q word of the same bytes
 * (every byte as =XX); anything else is copied as it is.  For parsers
 * that decode Q words right and B words wrong: see mimeparam.c.
 */
void
rfc2047_b_to_q(const char *s, struct buf *out)
{
	struct buf bytes;
	struct word w;
	const char *plain = s;
	size_t i;

	buf_init(&bytes);
	while (*s != '\0') {
		if (!word_at(s, &w) || w.enc != 'B') {
			s++;
			continue;
		}
		buf_add(out, plain, (size_t)(s - plain));
		buf_reset(&bytes);
		decode_b(&w, &bytes);
		buf_printf(out, "=?%s?Q?", w.charset);
		for (i = 0; i < bytes.len; i++)
			buf_printf(out, "=%02X", (unsigned char)bytes.s[i]);
		buf_adds(out, "?=");
		s += w.len;
		plain = s;
	}
	buf_adds(out, plain);
	buf_free(&bytes);
}
