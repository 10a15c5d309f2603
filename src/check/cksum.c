/*
 * cksum.c - what xd-cksum counts: a message's body as a sequence of
 * normalised words, from which the parts spammers vary per copy are
 * gone (digits, URL paths and queries, mail addresses, markup), the
 * MD5 of that sequence, and a min-hash fingerprint of its shingles of
 * CKSUM_SHINGLE words, cut into CKSUM_BANDS bands of CKSUM_ROWS values
 * for lookups by key.  Copies that differ in a line share most
 * shingles, so most min-hash values, so some bands.  xd-cksum(1)
 * documents the scheme to the byte; change it and every store's
 * fingerprints change meaning.
 */
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"

#define MAX_PART_TEXT	(256 * 1024)	/* bytes of one text part */
#define MAX_TEXT	(1024 * 1024)	/* bytes of text of one message */
#define MAX_WORDS	20000		/* words of one message */
#define MAX_WORD	32		/* bytes: longer runs are cut */
#define MAX_HOST	64		/* bytes of a host name kept */
#define MAX_BINARY	(1024 * 1024)	/* bytes hashed of one other part */
#define MAX_BINARIES	(4 * 1024 * 1024)	/* and of all of them */
#define MIN_BINARY	256		/* smaller parts do not count */
#define HASHES		(CKSUM_BANDS * CKSUM_ROWS)

#define PENDING		4096		/* bytes digested at once */
#define WORD_ROOM	(MAX_WORD + 8)	/* a cut word and a character */

struct norm {
	struct digest	*md;
	struct buf	*show;		/* the normalised text, or NULL */
	uint64_t	 win[CKSUM_SHINGLE];	/* the last words' hashes */
	uint64_t	 min[HASHES];
	size_t		 words, shingles, binary, text, bintext;
	int		 any;		/* something was digested */
	size_t		 npending;	/* bytes of pending not digested */
	char		 pending[PENDING];
	struct buf	 part;
};

/* The min-hash functions h_j(x) = a_j * x + b_j (mod 2^64), a_j odd. */
static uint64_t mul[HASHES], add[HASHES];

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void
seeds(void)
{
	size_t j;

	if (mul[0] != 0)
		return;
	for (j = 0; j < HASHES; j++) {
		mul[j] = mix64(2 * j) | 1;
		add[j] = mix64(2 * j + 1);
	}
}

/* FNV-1a over the bytes, then mixed. */
static uint64_t
word_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

static const char hexdigits[] = "0123456789abcdef";

/* n bytes in lower-case hex at out, and a NUL (printf's %02x each). */
static void
put_hex(char *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[p[i] >> 4];
		out[2 * i + 1] = hexdigits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * The MD5 is of the words with a space between each two; they are
 * gathered in pending and digested a buffer at a time (the same bytes,
 * so the same digest) rather than with two calls a word.
 */
static void
flush(struct norm *n)
{
	digest_add(n->md, n->pending, n->npending);
	if (n->show != NULL)
		buf_add(n->show, n->pending, n->npending);
	n->npending = 0;
}

static void
digest(struct norm *n, const char *s, size_t len)
{
	if (n->npending + 1 + len > PENDING)
		flush(n);
	if (1 + len > PENDING) {	/* no word is this long: a bound */
		if (n->any)
			n->pending[n->npending++] = ' ';
		flush(n);
		digest_add(n->md, s, len);
		if (n->show != NULL)
			buf_add(n->show, s, len);
		n->any = 1;
		return;
	}
	if (n->any)
		n->pending[n->npending++] = ' ';
	memcpy(n->pending + n->npending, s, len);
	n->npending += len;
	n->any = 1;
}

static void
emit_word(struct norm *n, const char *w, size_t len)
{
	uint64_t s = 0;
	size_t j, k = CKSUM_SHINGLE;

	if (len == 0 || n->words >= MAX_WORDS)
		return;
	digest(n, w, len);
	/* a ring: the oldest of the last k words at words % k */
	n->win[n->words % k] = word_hash(w, len);
	if (++n->words < k)
		return;
	for (j = 0; j < k; j++)
		s = mix64(s ^ n->win[(n->words + j) % k]);
	for (j = 0; j < HASHES; j++) {
		uint64_t v = mul[j] * s + add[j];

		if (v < n->min[j])
			n->min[j] = v;
	}
	n->shingles++;
}

/* Append the UTF-8 of codepoint c. */
/* The codepoint at s (valid UTF-8 or not) and its length in bytes. */
static gunichar
next_char(const char *s, size_t len, size_t *clen)
{
	gunichar c;

	if ((unsigned char)s[0] < 0x80) {
		*clen = 1;
		return (unsigned char)s[0];
	}
	c = g_utf8_get_char_validated(s, (gssize)len);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*clen = 1;
		return 0xfffd;
	}
	*clen = (size_t)(g_utf8_next_char(s) - s);
	return c;
}

/* Whether c, no digit, ends a word: neither a letter nor a mark. */
static int
splits(gunichar c)
{
	return !(g_unichar_isalpha(c) || g_unichar_ismark(c));
}

/* The UTF-8 of c's lower case at w, as utf8_put() writes it. */
static size_t
put_lower(char *w, gunichar c)
{
	c = g_unichar_tolower(c);
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	return (size_t)g_unichar_to_utf8(c, w);
}

/*
 * Words of a run: letters, lower case; digits dropped; others split.
 * ASCII, most of any text, is classed and folded inline; a longer
 * character costs a decoding and glib's tables.
 */
static void
words(struct norm *n, const char *s, size_t len)
{
	char w[WORD_ROOM];
	size_t i, clen, wlen = 0;
	unsigned char a;
	gunichar c;

	for (i = 0; i < len; i += clen) {
		if ((a = (unsigned char)s[i]) < 0x80) {
			clen = 1;
			if (a >= '0' && a <= '9')
				continue;
			a |= 0x20;
			if (a < 'a' || a > 'z') {
				emit_word(n, w, wlen);
				wlen = 0;
				continue;
			}
			if (wlen + 1 > MAX_WORD) {
				emit_word(n, w, wlen);
				wlen = 0;
			}
			w[wlen++] = (char)a;
			continue;
		}
		c = next_char(s + i, len - i, &clen);
		if (g_unichar_isdigit(c))
			continue;
		if (splits(c)) {
			emit_word(n, w, wlen);
			wlen = 0;
			continue;
		}
		/* the cut counts the bytes read, as it always did */
		if (wlen + clen > MAX_WORD || wlen + 4 > sizeof(w)) {
			emit_word(n, w, wlen);
			wlen = 0;
		}
		wlen += put_lower(w + wlen, c);
	}
	emit_word(n, w, wlen);
}

/* A host name as one word: lower case, digits dropped, port gone. */
static void
host(struct norm *n, const char *h, size_t len)
{
	char out[MAX_HOST + 4];
	size_t i, o = 0;
	int letters = 0;

	for (i = 0; i < len && h[i] != ':' && o < sizeof(out); i++) {
		unsigned char c = (unsigned char)h[i] | 0x20;

		if ((c >= 'a' && c <= 'z') || (unsigned char)h[i] >= 0x80)
			letters = 1;
		if ((c >= 'a' && c <= 'z') || h[i] == '.' || h[i] == '-')
			out[o++] = (char)c;
		else if ((unsigned char)h[i] >= 0x80)
			out[o++] = h[i];
	}
	if (letters)
		emit_word(n, out, utf8_cut(out, o, MAX_HOST));
}

static int
prefix_ci(const char *s, size_t len, const char *p, size_t n)
{
	return len > n && strncasecmp(s, p, n) == 0;
}

/*
 * What run() strips off a run's ends: brackets and quotes before it,
 * those and punctuation after it, and NUL bytes (once found with
 * strchr(), which finds a set's terminator too).
 */
#define OPENS	1
#define CLOSES	2
static const unsigned char edge[256] = {
	['\0'] = OPENS | CLOSES,
	['<'] = OPENS, ['('] = OPENS, ['['] = OPENS, ['{'] = OPENS,
	['"'] = OPENS | CLOSES, ['\''] = OPENS | CLOSES,
	['>'] = CLOSES, [')'] = CLOSES, [']'] = CLOSES, ['}'] = CLOSES,
	['.'] = CLOSES, [','] = CLOSES, [';'] = CLOSES, [':'] = CLOSES,
	['!'] = CLOSES, ['?'] = CLOSES,
};

static int
ends_host(char c)
{
	return c == '/' || c == '?' || c == '#' || c == '\\' || c == '\0';
}

static const char *
host_end(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && !ends_host(s[i]); i++)
		;
	return s + i;
}

static const char *
find_last(const char *s, size_t len, char c)
{
	while (len > 0)
		if (s[--len] == c)
			return s + len;
	return NULL;
}

/* The length of a scheme ("http://", ...) s starts with, or 0. */
static size_t
scheme(const char *s, size_t len)
{
	static const struct { const char *s; size_t n; } schemes[] = {
		{ "http://", 7 }, { "https://", 8 }, { "ftp://", 6 }
	};
	size_t i;

	if (len == 0 || ((s[0] | 0x20) != 'h' && (s[0] | 0x20) != 'f'))
		return 0;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (prefix_ci(s, len, schemes[i].s, schemes[i].n))
			return schemes[i].n;
	return 0;
}

/*
 * One run of text between white space: a URL is its host, a mail
 * address its domain, anything else its words.
 */
static void
run(struct norm *n, const char *s, size_t len)
{
	const char *end, *at;
	size_t skip;

	while (len > 0 && (edge[(unsigned char)*s] & OPENS))
		s++, len--;
	while (len > 0 && (edge[(unsigned char)s[len - 1]] & CLOSES))
		len--;
	skip = scheme(s, len);
	s += skip;
	len -= skip;
	if (skip > 0 || (len > 0 && (*s | 0x20) == 'w' &&
	    prefix_ci(s, len, "www.", 4))) {
		end = host_end(s, len);
		if ((at = find_last(s, (size_t)(end - s), '@')) != NULL) {
			len -= (size_t)(at + 1 - s);
			s = at + 1;
		}
		host(n, s, (size_t)(host_end(s, len) - s));
		return;
	}
	if ((at = find_last(s, len, '@')) != NULL && at > s &&
	    at + 1 < s + len) {
		host(n, at + 1, (size_t)(s + len - at - 1));
		return;
	}
	words(n, s, len);
}

static int
is_space(gunichar c)
{
	return c < 0x80 ? (c == ' ' || (c >= '\t' && c <= '\r')) :
	    (g_unichar_isspace(c) || c == 0x200b || c == 0xfeff);
}

/* Whether the character at s is white space; its length in *clen. */
static int
space_at(const char *s, size_t len, size_t *clen)
{
	unsigned char a = (unsigned char)*s;

	if (a < 0x80) {
		*clen = 1;
		return a == ' ' || (a >= '\t' && a <= '\r');
	}
	return is_space(next_char(s, len, clen));
}

static void
tokens(struct norm *n, const char *s, size_t len)
{
	size_t i = 0, start, clen;

	while (i < len && n->words < MAX_WORDS) {
		while (i < len && space_at(s + i, len - i, &clen))
			i += clen;
		start = i;
		while (i < len && !space_at(s + i, len - i, &clen))
			i += clen;
		if (i > start)
			run(n, s + start, i - start);
	}
}

static void
norm_init(struct norm *n, struct buf *show)
{
	memset(n, 0, sizeof(*n));
	seeds();
	memset(n->min, 0xff, sizeof(n->min));
	n->md = digest_new(DIGEST_MD5);
	n->show = show;
	if (show != NULL)
		buf_reset(show);
	buf_init(&n->part);
}

/*
 * HTML is read as the view reads it (mime/htmlview.c): its every text,
 * seen or not, where a tag ends a word unless it only styles a line
 * ("V<b></b>iagra" is one word); script, style and comments are no
 * text; character references are decoded, a no-break space a space.
 */
static void
html(struct norm *n, const struct html_view *v)
{
	tokens(n, v->text.s ? v->text.s : "", v->text.len);
}

static void
norm_end(struct norm *n, struct cksum *ck)
{
	unsigned char md[DIGEST_MAX];
	unsigned int mdlen = 0;
	size_t b, r;

	memset(ck, 0, sizeof(*ck));
	flush(n);
	mdlen = digest_end(n->md, md);
	put_hex(ck->hex, md, mdlen < 16 ? mdlen : 16);
	ck->words = n->words;
	ck->shingles = n->shingles;
	ck->binary = n->binary;
	ck->fuzzy = n->shingles >= CKSUM_MIN_SHINGLES;
	for (b = 0; ck->fuzzy && b < CKSUM_BANDS; b++) {
		uint64_t h = b;

		for (r = 0; r < CKSUM_ROWS; r++)
			h = mix64(h ^ n->min[b * CKSUM_ROWS + r]);
		ck->band[b] = h;
	}
	buf_free(&n->part);
}

/* A part that is no text: the MD5 of its content, as one "#hex" token. */
static void
binary(struct norm *n, const struct msgpart *p)
{
	unsigned char md[DIGEST_MAX];
	unsigned int mdlen = 0;
	char tok[2 + 2 * DIGEST_MAX];

	if (n->bintext >= MAX_BINARIES)
		return;
	buf_reset(&n->part);
	if (msgpart_data(p, &n->part, MAX_BINARY) != 0 || n->part.len == 0)
		return;
	n->bintext += n->part.len;
	mdlen = digest_once(DIGEST_MD5, n->part.s, n->part.len, md);
	tok[0] = '#';
	put_hex(tok + 1, md, mdlen);
	digest(n, tok, 1 + 2 * mdlen);
	if (n->part.len >= MIN_BINARY)
		n->binary++;
}

static int
part(const struct msgpart *p, void *arg)
{
	struct norm *n = arg;
	size_t max;

	if (p->is_message)
		return 0;
	if (strncmp(p->type, "text/", 5) != 0) {
		binary(n, p);
		return 0;
	}
	if (n->text >= MAX_TEXT || n->words >= MAX_WORDS)
		return 0;
	max = MAX_TEXT - n->text < MAX_PART_TEXT ? MAX_TEXT - n->text :
	    MAX_PART_TEXT;
	if (msgpart_text(p, &n->part, max) != 0)
		return 0;
	n->text += n->part.len;
	if (strcmp(p->type, "text/html") == 0)
		html(n, msgpart_html(p, n->part.s ? n->part.s : "",
		    n->part.len));
	else
		tokens(n, n->part.s ? n->part.s : "", n->part.len);
	return 0;
}

/*
 * The checksums of a message's body; with show, its normalised text
 * too (what the MD5 is of).  Bounded: MAX_WORDS words, MAX_TEXT bytes
 * of text, MAX_BINARIES bytes of other parts.
 */
int
cksum_message(struct message *m, struct cksum *ck, struct buf *show)
{
	struct norm n;

	norm_init(&n, show);
	message_parts(m, part, &n);
	norm_end(&n, ck);
	return 0;
}

/* The checksums of one text, plain or HTML, as if it were a body. */
void
cksum_text(const char *s, size_t len, int is_html, struct cksum *ck,
    struct buf *show)
{
	struct norm n;

	norm_init(&n, show);
	if (len > MAX_TEXT)
		len = MAX_TEXT;
	if (is_html) {
		struct html_view v;

		html_view_read(&v, s, len);
		html(&n, &v);
		html_view_free(&v);
	} else
		tokens(&n, s, len);
	norm_end(&n, ck);
}

/* Enough of a body to count: short ones ("thanks!") are everywhere. */
int
cksum_counts(const struct cksum *ck)
{
	return ck->words >= CKSUM_MIN_WORDS || ck->binary > 0;
}

void
cksum_format_fuzzy(const struct cksum *ck, struct buf *out)
{
	char hex[CKSUM_BANDS * 17], *p = hex;
	uint64_t v;
	size_t b;
	int i;

	buf_reset(out);
	for (b = 0; ck->fuzzy && b < CKSUM_BANDS; b++) {
		if (b > 0)
			*p++ = ',';
		for (v = ck->band[b], i = 15; i >= 0; i--, v >>= 4)
			p[i] = hexdigits[v & 0xf];
		p += 16;
	}
	buf_add(out, hex, (size_t)(p - hex));
}

/*
 * Who the message is, for counting it once: its Message-ID, or when it
 * has none its Date, From and Subject; with its digest, so that two
 * bodies under one Message-ID are two messages.  MD5 in hex.
 */
void
cksum_msgkey(const struct message *m, const struct cksum *ck, char *out)
{
	static const char *const ids[] = { "Message-ID", NULL };
	static const char *const alt[] = { "Date", "From", "Subject", NULL };
	const char *const *h;
	unsigned char md[DIGEST_MAX];
	unsigned int mdlen = 0;
	struct digest *ctx = digest_new(DIGEST_MD5);
	const char *v;
	int pos, found = 0;

	for (h = ids; !found && *h != NULL; h++) {
		pos = 0;
		if ((v = message_header_next(m, *h, &pos)) != NULL &&
		    *v != '\0') {
			digest_add(ctx, v, strnlen(v, MSG_MAX_VALUE));
			found = 1;
		}
	}
	for (h = alt; !found && *h != NULL; h++) {
		pos = 0;
		v = message_header_next(m, *h, &pos);
		digest_add(ctx, *h, strlen(*h));
		if (v != NULL)
			digest_add(ctx, v, strnlen(v, MSG_MAX_VALUE));
		digest_add(ctx, "\n", 1);
	}
	digest_add(ctx, "\n", 1);
	digest_add(ctx, ck->hex, 32);
	mdlen = digest_end(ctx, md);
	put_hex(out, md, mdlen < 16 ? mdlen : 16);
}
