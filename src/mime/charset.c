/*
 * charset.c - text in a declared charset into UTF-8, through GMime's
 * iconv (its names for charsets, its cache of converters).
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <gmime/gmime.h>

#include "base/base.h"
#include "mime/mime.h"
#include "text/text.h"

/*
 * What iconv said of the charsets named lately.  Opening a converter
 * for a name it does not know searches gconv's modules, dlopen() and
 * all, every time: spam names such charsets in every part and header.
 */
#define KNOWN_SLOTS	32
#define KNOWN_NAME	40

static struct {
	char	 name[KNOWN_NAME];
	int	 known;
} known_memo[KNOWN_SLOTS];
static size_t known_next;
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;

static int
iconv_knows(const char *charset)
{
	iconv_t cd;

	message_init();		/* callers may convert before they parse */
	if ((cd = g_mime_iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return 0;
	g_mime_iconv_close(cd);
	return 1;
}

/*
 * Whether a converter knows the charset.  GMime takes the labels that
 * say "no charset is known" for its locale's, which turns every 8-bit
 * byte into U+FFFD: those are unknown here, to be read as undeclared.
 */
int
charset_known(const char *charset)
{
	static const char *const unknown[] = {
		"x-unknown", "unknown", "unknown-8bit", "x-user-defined", NULL
	};
	size_t i, n;
	int known = -1;

	for (i = 0; unknown[i] != NULL; i++)
		if (strcasecmp(charset, unknown[i]) == 0)
			return 0;
	if ((n = strlen(charset)) == 0 || n >= KNOWN_NAME)
		return iconv_knows(charset);	/* "" is an empty slot's */
	pthread_mutex_lock(&known_lock);
	for (i = 0; i < KNOWN_SLOTS && known < 0; i++)
		if (strcmp(known_memo[i].name, charset) == 0)
			known = known_memo[i].known;
	pthread_mutex_unlock(&known_lock);
	if (known >= 0)
		return known;
	known = iconv_knows(charset);
	pthread_mutex_lock(&known_lock);
	i = known_next++ % KNOWN_SLOTS;
	memcpy(known_memo[i].name, charset, n + 1);
	known_memo[i].known = known;
	pthread_mutex_unlock(&known_lock);
	return known;
}

/* iconv from charset, each byte it cannot take as U+FFFD; -1 if unknown. */
static int
from_iconv(const char *charset, const char *s, size_t n, struct buf *out)
{
	iconv_t cd;
	char tmp[4096];
	char *in = (char *)(uintptr_t)s;
	size_t inleft = n;

	if (!charset_known(charset) ||
	    (cd = g_mime_iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		size_t rc = iconv(cd, &in, &inleft, &o, &oleft);

		buf_add(out, tmp, sizeof(tmp) - oleft);
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL: a sequence cut at the end */
		utf8_put(out, 0xfffd);
		in++;
		inleft--;
	}
	{
		/* the shift back to the initial state of stateful charsets */
		char *o = tmp;
		size_t oleft = sizeof(tmp);

		if (iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1)
			buf_add(out, tmp, sizeof(tmp) - oleft);
	}
	g_mime_iconv_close(cd);
	return 0;
}

/* Charsets whose text is ASCII bytes that still need converting. */
static int
is_7bit_encoded(const char *charset)
{
	return strncasecmp(charset, "iso-2022", 8) == 0 ||
	    strncasecmp(charset, "utf-7", 5) == 0 ||
	    strncasecmp(charset, "hz", 2) == 0;
}

/* Charsets that take every byte: valid UTF-8 labelled so is mislabelled. */
static int
is_8bit_charset(const char *charset)
{
	return strncasecmp(charset, "iso-8859", 8) == 0 ||
	    strncasecmp(charset, "iso8859", 7) == 0 ||
	    strncasecmp(charset, "windows-125", 11) == 0 ||
	    strncasecmp(charset, "cp125", 5) == 0 ||
	    strncasecmp(charset, "latin", 5) == 0;
}

/*
 * Append n bytes of text in charset to out as valid UTF-8.  No charset,
 * ASCII or UTF-8: kept if it is valid UTF-8, else read as windows-1252.
 * A single-byte charset on valid UTF-8 is taken for a wrong label.  Any
 * other charset goes through iconv, and one iconv does not know is
 * read as windows-1252.
 */
void
utf8_convert(const char *charset, const char *s, size_t n, struct buf *out)
{
	size_t start = out->len;

	if (charset != NULL && (strcasecmp(charset, "us-ascii") == 0 ||
	    strcasecmp(charset, "ascii") == 0 ||
	    strcasecmp(charset, "utf-8") == 0 ||
	    strcasecmp(charset, "utf8") == 0 || *charset == '\0'))
		charset = NULL;
	if (charset == NULL || !is_7bit_encoded(charset)) {
		if (text_is_ascii(s, n) || ((charset == NULL ||
		    is_8bit_charset(charset)) && utf8_valid(s, n))) {
			buf_add(out, s, n);
			return;
		}
	}
	if (charset == NULL || from_iconv(charset, s, n, out) != 0)
		utf8_from_cp1252(s, n, out);
	/* iconv output is UTF-8 already; this only guards it */
	if (!utf8_valid(out->s + start, out->len - start)) {
		struct buf tail;

		buf_init(&tail);
		buf_add(&tail, out->s + start, out->len - start);
		utf8_fix(&tail);
		out->len = start;
		buf_add(out, tail.s, tail.len);
		buf_free(&tail);
	}
}
