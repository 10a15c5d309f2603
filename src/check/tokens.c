/*
 * tokens.c - what the text of a message is made into before xd-bayes(1)
 * counts its words: the forms a spammer varies to look new, folded to
 * the one a reader sees, so that what is learned from mail of one year
 * is found again in mail of another.
 *
 *	Unicode NFKC (GLib's, as GMime links it): full-width letters,
 *	ligatures and compatibility forms become the plain letters;
 *	zero-width characters, soft hyphens and joiners are dropped;
 *	words spelled out letter by letter ("V I A G R A") are joined;
 *	digits inside words ("v1agra", "m0rtgage") are read as letters;
 *	numbers are their length ("num:4"), not their value, which dates.
 *
 * TOKEN_SCHEME names this reading: a store learned under another says
 * so, and xd-bayes refuses it rather than read its counts as these.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "base/base.h"
#include "check/check.h"

#define SPELLED_MIN	4	/* letters in a row that make a spelled word */

/* Characters a reader never sees inside a word. */
static int
is_invisible(gunichar c)
{
	return c == 0x00ad || c == 0x034f || c == 0x061c ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2064) || c == 0xfeff || c == 0x180e;
}

/* NFKC of n bytes of s, invisible characters dropped, into out. */
static void
normalise_run(const char *s, size_t n, struct buf *out)
{
	gchar *valid, *nf;
	const gchar *p;

	valid = g_utf8_make_valid(s, (gssize)n);
	nf = valid != NULL ? g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC) :
	    NULL;
	g_free(valid);
	if (nf == NULL)
		return;
	for (p = nf; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!is_invisible(c))
			buf_add(out, p, (size_t)(g_utf8_next_char(p) - p));
	}
	g_free(nf);
}

/* ASCII but NUL, which g_utf8_make_valid() makes U+FFFD. */
static int
is_plain(char c)
{
	return c > 0 && (unsigned char)c < 0x80;
}

/*
 * NFKC of s, as normalise_run() makes it, but GLib sees only the runs
 * that are not ASCII, each with the ASCII character before it (a letter
 * a combining mark goes with): ASCII is its own NFKC, and nothing
 * composes with an ASCII character that follows it, so the text
 * between is the same copied as normalised.  Most mail is ASCII.
 */
static void
normalise(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, start;

	/* an empty part may come as NULL, which GLib refuses */
	if (s == NULL || n == 0)
		return;
	while (i < n) {
		for (start = i; i < n && is_plain(s[i]) &&
		    (i + 1 == n || is_plain(s[i + 1])); i++)
			;
		buf_add(out, s + start, i - start);
		if (i == n)
			break;
		start = i;
		if (is_plain(s[i]))
			i++;
		while (i < n && !is_plain(s[i]))
			i++;
		normalise_run(s + start, i - start, out);
	}
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * At s[i]: a word spelled letter by letter, single letters each apart
 * by one space, dot or dash, SPELLED_MIN or more.  Returns where it
 * ends (0: there is none) and puts its letters into out.
 */
static size_t
spelled(const char *s, size_t n, size_t i, struct buf *out)
{
	size_t j = i, end = i, k = 0;

	if (i > 0 && is_alpha((unsigned char)s[i - 1]))
		return 0;
	/* a letter alone, then a separator and another letter alone ... */
	while (j < n && is_alpha((unsigned char)s[j]) &&
	    (j + 1 >= n || !is_alpha((unsigned char)s[j + 1]))) {
		k++;
		end = j + 1;
		if (j + 2 >= n || (s[j + 1] != ' ' && s[j + 1] != '.' &&
		    s[j + 1] != '-'))
			break;
		j += 2;
	}
	if (k < SPELLED_MIN)
		return 0;
	for (; i < end; i++)
		if (is_alpha((unsigned char)s[i]))
			buf_addc(out, s[i]);
	return end;
}

/*
 * The text of s (n bytes of UTF-8, or what passes for it) as xd-bayes
 * reads it, into out (reset first).
 */
void
tokens_fold_text(const char *s, size_t n, struct buf *out)
{
	struct buf nf;
	const char *c = s;
	size_t i, k, from, len = n;

	buf_reset(out);
	buf_init(&nf);
	for (i = 0; i < n && is_plain(s[i]); i++)
		;
	if (i < n) {
		normalise(s, n, &nf);
		c = nf.s;
		len = nf.len;
	}
	for (i = 0, from = 0; i < len; i++) {
		/* a spelled word starts with a letter alone */
		if (!is_alpha((unsigned char)c[i]) ||
		    (i > 0 && is_alpha((unsigned char)c[i - 1])) ||
		    (i + 1 < len && is_alpha((unsigned char)c[i + 1])))
			continue;
		if (i > from)
			buf_add(out, c + from, i - from);
		from = i;
		if ((k = spelled(c, len, i, out)) > 0) {
			from = k;
			i = k - 1;
		}
	}
	if (len > from)
		buf_add(out, c + from, len - from);
	if (out->s == NULL)
		buf_adds(out, "");
	buf_free(&nf);
}

/* The letter a digit stands for inside a word, or 0. */
static char
leet_letter(char c)
{
	switch (c) {
	case '0': return 'o';
	case '1': return 'i';
	case '3': return 'e';
	case '4': return 'a';
	case '5': return 's';
	case '7': return 't';
	default: return 0;
	}
}

/*
 * Digits between letters read as the letters they stand for, in place:
 * "v1agra" is "viagra", "m0rtgage" "mortgage"; "mp3", "win32", "b2b"
 * stay as they are.  Returns 1 if w changed.
 */
int
tokens_leet(char *w, size_t n)
{
	size_t i, letters = 0;
	int changed = 0;

	for (i = 0; i < n; i++)
		letters += is_alpha((unsigned char)w[i]);
	if (letters < 2)
		return 0;
	for (i = 1; i + 1 < n; i++) {
		char l = leet_letter(w[i]);

		if (l != 0 && is_alpha((unsigned char)w[i - 1]) &&
		    is_alpha((unsigned char)w[i + 1])) {
			w[i] = l;
			changed = 1;
		}
	}
	return changed;
}

/*
 * A number's bucket, "num:" and its count of digits before any point
 * ("num:$2" for "$19.95"), into tok; 0 if w is no number.
 */
int
tokens_number(const char *w, size_t n, char *tok, size_t size)
{
	size_t i = 0, digits = 0;
	int money = 0, point = 0;

	if (n > 0 && w[0] == '$')
		money = 1, i = 1;
	if (i >= n)
		return 0;
	for (; i < n; i++) {
		if (w[i] >= '0' && w[i] <= '9')
			digits += !point;
		else if (w[i] == '.' || w[i] == ',')
			point |= w[i] == '.';
		else
			return 0;
	}
	if (digits == 0)
		return 0;
	snprintf(tok, size, "num:%s%zu", money ? "$" : "",
	    digits > 9 ? (size_t)9 : digits);
	return 1;
}

/* The words of text, folded first (see tokens_fold_text()). */
void
tokens_words(struct bayes_tokens *t, const char *prefix, const char *s,
    size_t n, int pairs, struct buf *fold)
{
	tokens_fold_text(s, n, fold);
	bayes_words(t, prefix, fold->s, fold->len, pairs);
}

/*
 * The text a reader sees, for the 4-grams of xd-lr(1): lower case,
 * each run of white space one space, up to t->view_max bytes.
 */
void
tokens_view(struct bayes_tokens *t, const char *s, size_t n)
{
	struct buf *v = t->view;
	size_t i, len;
	int c;

	if (v == NULL || v->len >= t->view_max)
		return;
	/* room for all of it at once, then written in place */
	buf_grow(v, t->view_max - v->len + 1);
	len = v->len;
	for (i = 0; i < n && len < t->view_max; i++) {
		c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (len > 0 && v->s[len - 1] != ' ')
				v->s[len++] = ' ';
			continue;
		}
		v->s[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
	}
	if (len < t->view_max && len > 0 && v->s[len - 1] != ' ')
		v->s[len++] = ' ';
	v->len = len;
	v->s[len] = '\0';
}
