/*
 * bayes.c - the tokens of a message and the Robinson-Fisher classifier
 * of xd-bayes(1).
 *
 * A message becomes a set of distinct tokens: words of its decoded text
 * and of the visible text of its HTML, and prefixed words of a few
 * headers.  Tokens are kept as 64-bit hashes, so the store holds fixed
 * eight-byte keys however long the words.  What is left out on purpose
 * (relay, list and delivery headers, list footers and subject tags) is
 * written in xd-bayes(1): those say where a corpus was collected, not
 * what a message is.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>


#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"

#define TOK_MIN		3	/* bytes of the shortest word kept */
#define TOK_MAX		40	/* longer words become "sk:" + 7 bytes */
#define TOK_DIGITS	5	/* longer numbers are left out */
#define TOK_BUF		64	/* prefix and word */
#define PART_TEXT	(256 * 1024)	/* bytes of one part tokenized */
#define FOOTER_SPAN	700	/* a list footer ends the text this close */
#define URL_HOST	253
#define TAB_KEEP	4096	/* slots of the token set kept for reuse */
#define OSB_WINDOW	5	/* a word and the four before it: OSB pairs */
#define URL_PATH	200	/* bytes of a link's path made into tokens */

/* --- the token set ------------------------------------------------- */

void
bayes_tokens_init(struct bayes_tokens *t)
{
	memset(t, 0, sizeof(*t));
}

void
bayes_tokens_free(struct bayes_tokens *t)
{
	free(t->tab);
	free(t->h);
	bayes_tokens_init(t);
}

void
bayes_tokens_reset(struct bayes_tokens *t)
{
	/* one huge message must not make every later one slow */
	if (t->tabcap > TAB_KEEP && t->n < t->tabcap / 8) {
		free(t->tab);
		t->tab = NULL;
		t->tabcap = 0;
	} else if (t->tab != NULL)
		memset(t->tab, 0, t->tabcap * sizeof(*t->tab));
	t->n = 0;
	t->full = 0;
	t->text = 0;
}

/*
 * FNV-1a, then the finaliser of MurmurHash3 so that keys that differ in
 * their last byte spread over the whole table.  Never 0: 0 marks a free
 * slot.
 */
uint64_t
bayes_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

static void
tab_grow(struct bayes_tokens *t)
{
	uint64_t *old = t->tab;
	size_t oldcap = t->tabcap, i, j;

	t->tabcap = oldcap ? oldcap * 2 : 1024;
	t->tab = xcalloc(t->tabcap, sizeof(*t->tab));
	for (i = 0; i < oldcap; i++) {
		if (old[i] == 0)
			continue;
		for (j = old[i] & (t->tabcap - 1); t->tab[j] != 0;
		    j = (j + 1) & (t->tabcap - 1))
			;
		t->tab[j] = old[i];
	}
	free(old);
}

/* Add a token by its hash; once only.  Returns 1 if it was new. */
int
bayes_add_hash(struct bayes_tokens *t, uint64_t h)
{
	size_t j;

	if (t->n >= BAYES_MAX_TOKENS) {
		t->full = 1;
		return 0;
	}
	if (2 * (t->n + 1) > t->tabcap)
		tab_grow(t);
	for (j = h & (t->tabcap - 1); t->tab[j] != 0;
	    j = (j + 1) & (t->tabcap - 1))
		if (t->tab[j] == h)
			return 0;
	t->tab[j] = h;
	t->n++;
	return 1;
}

/* Add "prefix" "word" as one token. */
void
bayes_add(struct bayes_tokens *t, const char *prefix, const char *w,
    size_t n)
{
	char tok[TOK_BUF + 1];
	size_t pl = strlen(prefix);

	if (pl + n > TOK_BUF)
		n = utf8_cut(w, n, TOK_BUF - pl);
	memcpy(tok, prefix, pl);
	memcpy(tok + pl, w, n);
	tok[pl + n] = '\0';
	if (bayes_add_hash(t, bayes_hash(tok, pl + n)) && t->show != NULL)
		t->show(tok, t->show_arg);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The distinct tokens, sorted, into t->h[0 .. t->n - 1]. */
void
bayes_tokens_sort(struct bayes_tokens *t)
{
	size_t i, k = 0;

	t->h = xrealloc(t->h, (t->n ? t->n : 1) * sizeof(*t->h));
	for (i = 0; i < t->tabcap; i++)
		if (t->tab[i] != 0)
			t->h[k++] = t->tab[i];
	qsort(t->h, k, sizeof(*t->h), cmp_u64);
}

/* --- words of text ---------------------------------------------------- */

/* The code point at s (n bytes left) and its length; bad bytes are 1. */
static unsigned
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
static int
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
		else if ((unsigned char)w[i] >= 0x80)
			high = 1;
	}
	for (i = 0; i < n; i++)
		upper += w[i] >= 'A' && w[i] <= 'Z';
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

static int
is_host_char(int c)
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

	for (i = 0; i < n && is_host_char((unsigned char)s[i]); i++) {
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

static int
prefix_ci(const char *s, size_t n, const char *pfx)
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
		if (i > 0 && is_host_char((unsigned char)s[i - 1]))
			continue;
		if (prefix_ci(s + i, n - i, "http://"))
			add_link(t, s + i + 7, n - i - 7);
		else if (prefix_ci(s + i, n - i, "https://"))
			add_link(t, s + i + 8, n - i - 8);
		else if (prefix_ci(s + i, n - i, "www."))
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

static const char *
find_ci(const char *s, size_t n, const char *what)
{
	size_t i, w = strlen(what);

	for (i = 0; i + w <= n; i++)
		if (prefix_ci(s + i, n - i, what))
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
		if (find_ci(s + ls, e - ls, "listinfo") != NULL ||
		    (e - ls >= 12 && prefix_ci(s + e - 12, 12, "mailing list"))) {
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

/* --- HTML ------------------------------------------------------------- */

static const char *const block_tags[] = {
	"address", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2",
	"h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "table", "td",
	"th", "title", "tr", "ul", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The value of attribute name in a tag's text, or NULL; *len its length. */
static const char *
tag_attr(const char *s, size_t n, const char *name, size_t *len)
{
	size_t w = strlen(name), i;
	const char *v;
	char q;

	for (i = 0; i + w + 1 < n; i++) {
		if ((i > 0 && is_host_char((unsigned char)s[i - 1])) ||
		    !prefix_ci(s + i, n - i, name))
			continue;
		v = s + i + w;
		while (v < s + n && (*v == ' ' || *v == '\t' || *v == '\n'))
			v++;
		if (v >= s + n || *v != '=')
			continue;
		for (v++; v < s + n && (*v == ' ' || *v == '\t' || *v == '\n');)
			v++;
		q = v < s + n && (*v == '"' || *v == '\'') ? *v++ : 0;
		for (*len = 0; v + *len < s + n && (q ? v[*len] != q :
		    v[*len] != ' ' && v[*len] != '>'); (*len)++)
			;
		return v;
	}
	return NULL;
}

/*
 * A character reference at s into out (text/entity.c); its length or
 * 0.  A no-break space is a space: it separates words.
 */
static size_t
html_entity(const char *s, size_t n, struct buf *out)
{
	unsigned cp;
	size_t k;

	if ((k = html_charref(s, n, 0, &cp)) == 0)
		return 0;
	utf8_put(out, cp == 0xa0 ? ' ' : cp);
	return k;
}

/* Skip past the end tag </name ...>; returns where the text goes on. */
static size_t
skip_element(const char *s, size_t n, size_t i, const char *name)
{
	char end[24];
	const char *p;

	snprintf(end, sizeof(end), "</%s", name);
	if ((p = find_ci(s + i, n - i, end)) == NULL)
		return n;
	i = (size_t)(p - s);
	p = memchr(s + i, '>', n - i);
	return p ? (size_t)(p - s) + 1 : n;
}

/*
 * The visible text of HTML into out, with entities decoded; tags become
 * "h:NAME" tokens and the hosts of their links "url:" tokens.  Block
 * tags separate words; inline tags do not, so "V<b></b>iagra" is one
 * word, as a reader sees it.  Comments, scripts and styles are skipped.
 */
void
bayes_html(struct bayes_tokens *t, const char *s, size_t n, struct buf *out)
{
	size_t i = 0, k, e, vl;
	const char *v, *gt;
	char name[16];
	int closing;

	while (i < n) {
		if (s[i] == '&' && (k = html_entity(s + i, n - i, out)) > 0) {
			i += k;
			continue;
		}
		if (s[i] != '<') {
			buf_addc(out, s[i++]);
			continue;
		}
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			v = find_ci(s + i + 4, n - i - 4, "-->");
			i = v ? (size_t)(v - s) + 3 : n;
			continue;
		}
		e = i + 1 + (i + 1 < n && s[i + 1] == '/');
		for (k = 0; e + k < n && k < sizeof(name) - 1 &&
		    ((s[e + k] >= 'a' && s[e + k] <= 'z') ||
		    (s[e + k] >= 'A' && s[e + k] <= 'Z') ||
		    (s[e + k] >= '0' && s[e + k] <= '9')); k++)
			name[k] = (char)(s[e + k] | 0x20);
		name[k] = '\0';
		if (k == 0 && (e >= n || (s[e] != '!' && s[e] != '?'))) {
			buf_addc(out, s[i++]);	/* a bare '<' is text */
			continue;
		}
		closing = i + 1 < n && s[i + 1] == '/';
		gt = memchr(s + i, '>', n - i);
		e = gt ? (size_t)(gt - s) + 1 : n;
		if (k > 0 && !closing) {
			bayes_add(t, "h:", name, k);
			if ((v = tag_attr(s + i, e - i, "href", &vl)) != NULL ||
			    (v = tag_attr(s + i, e - i, "src", &vl)) != NULL ||
			    (v = tag_attr(s + i, e - i, "action", &vl)) != NULL)
				bayes_links(t, v, vl);
		}
		if (in_list(block_tags, name))
			buf_addc(out, ' ');
		if (k > 0 && !closing && gt != NULL && gt[-1] != '/' &&
		    (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
			e = skip_element(s, n, e, name);
		i = e;
	}
}

/* --- the message ---------------------------------------------------- */


struct tokwalk {
	struct bayes_tokens *t;
	struct buf	 text;
	struct buf	 vis;
	struct buf	 fold;
};


/* The extension of an attachment's file name, up to 8 bytes. */
static void
add_extension(struct bayes_tokens *t, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t n;

	if (dot == NULL || dot[1] == '\0')
		return;
	n = strlen(dot + 1);
	if (n <= 8) {
		char ext[9];
		size_t i;

		for (i = 0; i < n; i++)
			ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ?
			    dot[1 + i] + 'a' - 'A' : dot[1 + i]);
		bayes_add(t, "fx:", ext, n);
	}
}

static void
add_lower(struct bayes_tokens *t, const char *prefix, const char *s)
{
	char v[TOK_BUF + 1];
	size_t i, n = strlen(s);

	if (n > TOK_BUF)
		n = utf8_cut(s, n, TOK_BUF);
	memcpy(v, s, n);
	v[n] = '\0';
	for (i = 0; i < n; i++)
		if (v[i] >= 'A' && v[i] <= 'Z')
			v[i] += 'a' - 'A';
	bayes_add(t, prefix, v, n);
}

static int
tok_part(const struct msgpart *p, void *arg)
{
	struct tokwalk *w = arg;
	struct bayes_tokens *t = w->t;
	size_t room, end;

	add_lower(t, "pt:", p->type);
	if (p->charset != NULL && *p->charset != '\0')
		add_lower(t, "cs:", p->charset);
	if (p->filename != NULL && *p->filename != '\0')
		add_extension(t, p->filename);
	if (p->is_message || strncmp(p->type, "text/", 5) != 0 ||
	    t->text >= BAYES_MAX_TEXT)
		return t->full;
	room = BAYES_MAX_TEXT - t->text;
	if (msgpart_text(p, &w->text, room < PART_TEXT ? room : PART_TEXT)
	    == -1)
		return t->full;
	t->text += w->text.len;
	if (strcmp(p->type, "text/html") == 0) {
		buf_reset(&w->vis);
		bayes_html(t, w->text.s, w->text.len, &w->vis);
		tokens_view(t, w->vis.s, w->vis.len);
		tokens_words(t, "", w->vis.s, w->vis.len, 0, &w->fold);
		return t->full;
	}
	end = bayes_footer(w->text.s, w->text.len);
	tokens_view(t, w->text.s, end);
	bayes_links(t, w->text.s, end);
	tokens_words(t, "", w->text.s, end, 0, &w->fold);
	return t->full;
}

/* List mail: its subject tags were put there by the list. */
static int
from_list(const struct message *m)
{
	static const char *const h[] = {
		"List-Id", "List-Post", "List-Unsubscribe", "Mailing-List",
		"X-Mailing-List", "X-BeenThere", NULL
	};
	size_t i;

	for (i = 0; h[i] != NULL; i++)
		if (message_header_count(m, h[i]) > 0)
			return 1;
	return 0;
}

/*
 * The subject without what others put in front of it: "Re:" and
 * "Fwd:" (kept as one token), a list's "[tag]", and xd's own subject
 * tag (a released message was marked by xd filter).
 */
static void
add_subject(struct bayes_tokens *t, const struct message *m, struct buf *b,
    const char *xdtag)
{
	const char *s, *e;
	size_t tl;
	int list = from_list(m), again = 1;

	if (!message_subject(m, b, 998))
		return;
	s = b->s;
	while (*xdtag == ' ')
		xdtag++;
	tl = strlen(xdtag);
	while (tl > 0 && xdtag[tl - 1] == ' ')
		tl--;
	while (again) {
		again = 0;
		while (*s == ' ')
			s++;
		if (prefix_ci(s, strlen(s), "re:") ||
		    prefix_ci(s, strlen(s), "aw:")) {
			bayes_add(t, "s:", "re:", 3);
			s += 3, again = 1;
		} else if (prefix_ci(s, strlen(s), "fwd:") ||
		    prefix_ci(s, strlen(s), "fw:")) {
			bayes_add(t, "s:", "fwd:", 4);
			s += s[2] == ':' ? 3 : 4, again = 1;
		} else if (tl > 0 && strncmp(s, xdtag, tl) == 0) {
			s += tl, again = 1;
		} else if (list && *s == '[' && (e = strchr(s, ']')) != NULL &&
		    e - s <= 40) {
			s = e + 1, again = 1;
		}
	}
	tokens_view(t, s, strlen(s));
	{
		struct buf fold;

		buf_init(&fold);
		tokens_words(t, "s:", s, strlen(s), 1, &fold);
		buf_free(&fold);
	}
}

/* From: its address, domain and display name; Reply-To's domain. */
static void
add_senders(struct bayes_tokens *t, const struct message *m, struct buf *a,
    struct buf *name)
{
	const char *at;
	char *from = NULL;

	buf_reset(a);
	buf_reset(name);
	if (message_addrs(m, "From", a, name, 1, MSG_MAX_VALUE) > 0) {
		from = xstrdup(a->s);
		add_lower(t, "fa:", from);
		if ((at = strrchr(from, '@')) != NULL)
			add_lower(t, "fd:", at + 1);
		if (name->len > 0) {
			tokens_view(t, name->s, name->len);
			bayes_words(t, "fn:", name->s, name->len, 0);
		}
		else
			bayes_add(t, "fn:", "none", 4);
	}
	buf_reset(a);
	if (message_addrs(m, "Reply-To", a, NULL, 1, MSG_MAX_VALUE) > 0 &&
	    (at = strrchr(a->s, '@')) != NULL) {
		if (from != NULL && strcasecmp(from, a->s) == 0)
			bayes_add(t, "rt:", "same", 4);
		else
			add_lower(t, "rt:", at + 1);
	}
	free(from);
}

/* Headers that say how the mail was written, word by word. */
static const struct {
	const char	*name;
	const char	*prefix;
} word_headers[] = {
	{ "X-Mailer", "xm:" }, { "User-Agent", "xm:" },
	{ "X-MimeOLE", "xo:" }, { "X-Priority", "xp:" },
	{ "X-MSMail-Priority", "xp:" }, { "Importance", "xp:" },
	{ "Organization", "og:" }, { "Content-Transfer-Encoding", "te:" },
};

static void
add_headers(struct bayes_tokens *t, const struct message *m, struct buf *b)
{
	size_t i;

	for (i = 0; i < sizeof(word_headers) / sizeof(word_headers[0]); i++)
		if (message_header(m, word_headers[i].name, b, 200))
			bayes_words(t, word_headers[i].prefix, b->s, b->len,
			    0);
	if (message_header_count(m, "Date") == 0)
		bayes_add(t, "h:", "nodate", 6);
	if (message_header_count(m, "Message-ID") == 0)
		bayes_add(t, "h:", "nomsgid", 7);
}

/*
 * The tokens of a message into t (which is reset first), sorted into
 * t->h; the digest that names it in the seen-set into t->digest.
 */
int
bayes_tokenize(struct message *m, struct bayes_tokens *t, const char *xdtag)
{
	struct tokwalk w;
	struct buf a, b;

	bayes_tokens_reset(t);
	if (t->view != NULL)
		buf_reset(t->view);
	buf_init(&a);
	buf_init(&b);
	add_subject(t, m, &a, xdtag ? xdtag : "");
	add_senders(t, m, &a, &b);
	add_headers(t, m, &a);
	w.t = t;
	buf_init(&w.text);
	buf_init(&w.vis);
	buf_init(&w.fold);
	message_parts(m, tok_part, &w);
	buf_free(&w.text);
	buf_free(&w.vis);
	buf_free(&w.fold);
	bayes_tokens_sort(t);
	message_msgid(m, "Message-ID", &a, MSG_MAX_VALUE);
	bayes_digest(t, a.s ? a.s : "", t->digest);
	buf_free(&a);
	buf_free(&b);
	return 0;
}

/*
 * SHA-256 of the Message-ID and the sorted tokens: the same message
 * learned again, with xd's header fields or subject tag added since,
 * has the same digest.
 */
void
bayes_digest(const struct bayes_tokens *t, const char *msgid,
    unsigned char digest[BAYES_DIGEST])
{
	struct digest *ctx = digest_new(DIGEST_SHA256);
	unsigned char le[8], all[DIGEST_MAX];
	size_t i, k;

	digest_add(ctx, msgid, strlen(msgid) + 1);
	for (i = 0; i < t->n; i++) {
		for (k = 0; k < 8; k++)
			le[k] = (unsigned char)(t->h[i] >> (8 * k));
		digest_add(ctx, le, sizeof(le));
	}
	digest_end(ctx, all);
	memcpy(digest, all, BAYES_DIGEST);
}

/* --- the classifier --------------------------------------------------- */

/* s, x, minimum deviation, tokens used: see xd-bayes(1) */
const struct bayes_params bayes_defaults = { 0.1, 0.52, 0.3, 250 };

/*
 * Robinson's f(w): the token's spam ratio p(w) = (b/nb) / (b/nb + g/ng)
 * pulled towards x by the strength s of the prior, as its count n = b+g
 * grows: f(w) = (s*x + n*p(w)) / (s + n).
 */
double
bayes_fw(const struct bayes_params *bp, double g, double b, double ng,
    double nb)
{
	double rb, rg, p, n = g + b;

	if (n <= 0 || ng <= 0 || nb <= 0)
		return bp->x;
	rb = b / nb;
	rg = g / ng;
	p = rb / (rb + rg);
	return (bp->s * bp->x + n * p) / (bp->s + n);
}

/*
 * The upper tail Q(chi | 2v) of the chi-square distribution with an
 * even number 2v of degrees of freedom: e^-m * sum(m^i / i!, i < v) with
 * m = chi/2.  Summed in logarithms so that large m does not underflow.
 */
double
bayes_chi2q(double chi, size_t v)
{
	double m = chi / 2, lt, lmax, sum = 0;
	size_t i;

	if (chi <= 0 || v == 0)
		return 1;
	if (m < 700) {
		double term = exp(-m);

		for (i = 0, sum = 0; i < v; i++) {
			if (i > 0)
				term *= m / (double)i;
			sum += term;
		}
		return sum < 1 ? sum : 1;
	}
	/* the largest term is the last one: i = v - 1 < m */
	lmax = -m + (double)(v - 1) * log(m) - lgamma((double)v);
	for (i = 0; i < v; i++) {
		lt = -m + (double)i * log(m) - lgamma((double)i + 1);
		sum += exp(lt - lmax);
	}
	lt = lmax + log(sum);
	return lt < 0 ? exp(lt) : 1;
}

static int
by_strength(const void *a, const void *b)
{
	double x = fabs(*(const double *)a - 0.5);
	double y = fabs(*(const double *)b - 0.5);

	return (x < y) - (x > y);
}

/*
 * Fisher's combining of the n values f[] (reordered): those at least
 * min_dev from 0.5, the max_used strongest of them.  H = Q(-2 ln prod f,
 * 2k) and S = Q(-2 ln prod (1-f), 2k); the spam probability is
 * (1 + H - S) / 2: spammy tokens (f near 1) make H near 1, S near 0.  With no such token it is 0.5.
 */
double
bayes_fisher(const struct bayes_params *bp, double *f, size_t n,
    size_t *used)
{
	double lh = 0, ls = 0, fw;
	size_t i, k = 0;

	qsort(f, n, sizeof(*f), by_strength);
	for (i = 0; i < n && k < bp->max_used; i++) {
		if (fabs(f[i] - 0.5) < bp->min_dev)
			break;
		fw = f[i];
		/* keep log() finite: no count makes f exactly 0 or 1 */
		if (fw < 1e-12)
			fw = 1e-12;
		if (fw > 1 - 1e-12)
			fw = 1 - 1e-12;
		lh += log(fw);
		ls += log(1 - fw);
		k++;
	}
	if (used != NULL)
		*used = k;
	if (k == 0)
		return 0.5;
	return (1 + bayes_chi2q(-2 * lh, k) - bayes_chi2q(-2 * ls, k)) / 2;
}

/* SpamAssassin's bands: the symbol for a probability. */
const char *
bayes_band(double p)
{
	if (p < 0.01)
		return "BAYES_00";
	if (p < 0.05)
		return "BAYES_05";
	if (p < 0.20)
		return "BAYES_20";
	if (p < 0.40)
		return "BAYES_40";
	if (p < 0.60)
		return "BAYES_50";
	if (p < 0.80)
		return "BAYES_60";
	if (p < 0.95)
		return "BAYES_80";
	if (p < 0.99)
		return "BAYES_95";
	return "BAYES_99";
}
