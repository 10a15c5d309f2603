/*
 * bayes_words.c - the tokens of text for xd-bayes(1): its words (and
 * the OSB pairs of them), the hosts and paths of its links, and where a
 * mailing list's footer starts (see bayes.c for what is left out).
 */
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"
#include "check/bayes_int.h"

#define TOK_MIN		3	/* bytes of the shortest word kept */
#define TOK_MAX		40	/* longer words become "sk:" + 7 bytes */
#define TOK_DIGITS	5	/* longer numbers are left out */
#define FOOTER_SPAN	700	/* a list footer ends the text this close */
#define URL_HOST	253
#define OSB_WINDOW	5	/* a word and the four before it: OSB pairs */
#define URL_PATH	200	/* bytes of a link's path made into tokens */

/* --- words of text ---------------------------------------------------- */

/* The code point at s (n bytes left) and its length; bad bytes are 1. */
static inline unsigned
utf8_at(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0];

	*len = 1;
	if (c < 0x80)
		return c;
	if ((c & 0xe0) == 0xc0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*len = 2;
		return ((c & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((c & 0xf0) == 0xe0 && n >= 3 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*len = 3;
		return ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f);
	}
	if ((c & 0xf8) == 0xf0 && n >= 4 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
		*len = 4;
		return ((c & 0x07) << 18) | ((s[1] & 0x3f) << 12) |
		    ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	}
	return 0xfffd;
}

/* Letters and digits; beyond ASCII all but spaces, punctuation, symbols. */
static inline int
is_letter(unsigned c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');
	if (c <= 0xbf || c == 0xd7 || c == 0xf7 || c == 0xfffd)
		return 0;
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20))
		return 0;
	return 1;
}

/* Inside a word, between letters: "don't", "e-mail", "www.x.org". */
static int
is_joiner(unsigned c)
{
	return c == '\'' || c == '-' || c == '.' || c == '_' || c == ',';
}

static int
add_word(struct bayes_tokens *t, const char *prefix, const char *w,
    size_t n, char *tok)
{
	size_t i, digits = 0, high = 0, upper = 0;

	if (n < TOK_MIN)
		return 0;
	if (tokens_number(w, n, tok, TOK_BUF)) {
		bayes_add(t, prefix, tok, strlen(tok));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (w[i] >= '0' && w[i] <= '9')
			digits++;
		else if (w[i] >= 'A' && w[i] <= 'Z')
			upper++;
		else if ((unsigned char)w[i] >= 0x80)
			high = 1;
	}
	if (digits == n && n > TOK_DIGITS)
		return 0;
	/* Shouting is a sign of its own: "C:FREE" beside "free". */
	if (upper == n && n <= TOK_MAX && *prefix == '\0')
		bayes_add(t, "C:", w, n);
	if (n > TOK_MAX) {
		/* Long runs are mostly encoded junk: their start says enough. */
		n = utf8_cut(w, n, 7);
		memcpy(tok, "sk:", 3);
		memcpy(tok + 3, w, n);
		tok[3 + n] = '\0';
		prefix = "";
		n += 3;
	} else {
		memcpy(tok, w, n);
		tok[n] = '\0';
	}
	if (high)
		policy_fold(tok);
	else
		for (i = 0; i < n; i++)
			if (tok[i] >= 'A' && tok[i] <= 'Z')
				tok[i] += 'a' - 'A';
	tokens_leet(tok, n);
	bayes_add(t, prefix, tok, n);
	return 1;
}

/*
 * A sparse bigram (OSB, as CRM114 and rspamd make them): word a, then
 * b skip words later, as "prefix" "a" " " skip times "_" " " "b".
 */
static void
add_pair(struct bayes_tokens *t, const char *prefix, const char *a,
    int skip, const char *b)
{
	char pair[2 * TOK_BUF + 16];
	int n;

	n = snprintf(pair, sizeof(pair), "%s%s %.*s%s", prefix, a,
	    2 * skip, "_ _ _ _ ", b);
	if (bayes_add_hash(t, bayes_hash(pair, (size_t)n)) && t->show != NULL)
		t->show(pair, t->show_arg);
}

/*
 * The words of UTF-8 text s, each with prefix; with pairs, each word
 * with each of the OSB_WINDOW - 1 before it as well (what phrases say
 * that words alone do not, and word salad does not make).
 */
void
bayes_words(struct bayes_tokens *t, const char *prefix, const char *s,
    size_t n, int pairs)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start, end, len;
	unsigned c;
	char tok[TOK_BUF + 1], prev[OSB_WINDOW - 1][TOK_BUF + 1];
	size_t seen = 0, d;

	while (i < n && !t->full) {
		c = utf8_at(u + i, n - i, &len);
		if (!is_letter(c) && c != '$') {
			i += len;
			continue;
		}
		start = i;
		i += len;
		end = i;
		while (i < n) {
			c = utf8_at(u + i, n - i, &len);
			if (is_letter(c)) {
				i += len;
				end = i;
			} else if (is_joiner(c) && i + 1 < n &&
			    is_letter(utf8_at(u + i + 1, n - i - 1, &len)))
				i += 1;
			else
				break;
		}
		if (add_word(t, prefix, s + start, end - start, tok) &&
		    pairs) {
			for (d = 0; d < seen && d < OSB_WINDOW - 1; d++)
				add_pair(t, prefix, prev[(seen - 1 - d) %
				    (OSB_WINDOW - 1)], (int)d, tok);
			memcpy(prev[seen % (OSB_WINDOW - 1)], tok, sizeof(tok));
			seen++;
		}
		i = end;
	}
}

/* --- links ---------------------------------------------------------- */

int
bayes_is_host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/*
 * "url:" tokens for the host of a link at s (just past "//" or at
 * "www."): the host, and its parent domains down to two labels.  An
 * address literal is "url:ip".
 */
static size_t
add_host(struct bayes_tokens *t, const char *s, size_t n)
{
	char host[URL_HOST + 1];
	size_t i, len = 0, dots = 0, digits = 0;
	const char *p;

	for (i = 0; i < n && bayes_is_host_char((unsigned char)s[i]); i++) {
		if (len < URL_HOST)
			host[len++] = (char)((s[i] >= 'A' && s[i] <= 'Z') ?
			    s[i] + 'a' - 'A' : s[i]);
	}
	while (len > 0 && (host[len - 1] == '.' || host[len - 1] == '-'))
		len--;
	host[len] = '\0';
	for (i = 0; i < len; i++) {
		dots += host[i] == '.';
		digits += host[i] >= '0' && host[i] <= '9';
	}
	if (dots == 0)
		return i;
	if (digits + dots == len) {
		bayes_add(t, "url:", "ip", 2);
		return i;
	}
	for (p = host; p != NULL && dots >= 1 && dots <= 8; dots--) {
		bayes_add(t, "url:", p, strlen(p));
		if ((p = strchr(p, '.')) != NULL)
			p++;
	}
	return i;
}

/* The words of a link's path and query, "up:" tokens. */
static void
add_path(struct bayes_tokens *t, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] != '/' && s[0] != '?'))
		return;
	for (i = 0; i < n && i < URL_PATH && s[i] > ' ' && s[i] != '"' &&
	    s[i] != '\'' && s[i] != '<' && s[i] != '>'; i++)
		;
	bayes_words(t, "up:", s, i, 0);
}

/* A link at s: the tokens of its host, then of its path. */
static void
add_link(struct bayes_tokens *t, const char *s, size_t n)
{
	size_t k = add_host(t, s, n);

	add_path(t, s + k, n - k);
}

int
bayes_prefix_ci(const char *s, size_t n, const char *pfx)
{
	size_t i;

	for (i = 0; pfx[i] != '\0'; i++) {
		char c;

		if (i >= n)
			return 0;
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != pfx[i])
			return 0;
	}
	return 1;
}

/* The hosts of http://, https:// and www. links in text. */
void
bayes_links(struct bayes_tokens *t, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && !t->full; i++) {
		char c = s[i];

		if (c != 'h' && c != 'H' && c != 'w' && c != 'W')
			continue;
		if (i > 0 && bayes_is_host_char((unsigned char)s[i - 1]))
			continue;
		if (bayes_prefix_ci(s + i, n - i, "http://"))
			add_link(t, s + i + 7, n - i - 7);
		else if (bayes_prefix_ci(s + i, n - i, "https://"))
			add_link(t, s + i + 8, n - i - 8);
		else if (bayes_prefix_ci(s + i, n - i, "www."))
			add_link(t, s + i, n - i);
	}
}

/* --- list footers --------------------------------------------------- */

static int
is_rule_line(const char *s, size_t n)
{
	size_t i, k = 0;

	if (n == 3 && memcmp(s, "-- ", 3) == 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (s[i] == '_' || s[i] == '-' || s[i] == '=' || s[i] == '*')
			k++;
		else if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return k >= 2;
}

const char *
bayes_find_ci(const char *s, size_t n, const char *what)
{
	size_t i, w = strlen(what);

	for (i = 0; i + w <= n; i++)
		if (bayes_prefix_ci(s + i, n - i, what))
			return s + i;
	return NULL;
}

/*
 * Where the footer a list manager appends to a text part begins, or n:
 * a line with a Mailman "listinfo" link, or one that ends in "mailing
 * list", near the end; the footer starts at the rule line just above it
 * ("____", "-- ") or else at the start of its paragraph.
 */
size_t
bayes_footer(const char *s, size_t n)
{
	size_t from = n > FOOTER_SPAN ? n - FOOTER_SPAN : 0, ls, le, cut;
	const char *hit = NULL, *p;
	int lines;

	for (ls = from; ls < n; ls = le + 1) {
		const char *nl = memchr(s + ls, '\n', n - ls);
		size_t e;

		le = nl ? (size_t)(nl - s) : n;
		for (e = le; e > ls && (s[e - 1] == ' ' || s[e - 1] == '\r' ||
		    s[e - 1] == '\t'); e--)
			;
		if (bayes_find_ci(s + ls, e - ls, "listinfo") != NULL ||
		    (e - ls >= 12 &&
		    bayes_prefix_ci(s + e - 12, 12, "mailing list"))) {
			hit = s + ls;
			break;
		}
	}
	if (hit == NULL)
		return n;
	cut = (size_t)(hit - s);
	/* Up to eight lines back: a rule line, or a blank one. */
	for (lines = 0, p = hit; lines < 8 && p > s; lines++) {
		const char *end = p - 1, *start = end;
		size_t len;

		while (start > s && start[-1] != '\n')
			start--;
		len = (size_t)(end - start);
		if (len > 0 && start[len - 1] == '\r')
			len--;
		if (is_rule_line(start, len))
			return (size_t)(start - s);
		if (len == 0 || (len == 1 && start[0] == ' '))
			return cut;
		cut = (size_t)(start - s);
		p = start;
	}
	return (size_t)(hit - s);
}

