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
 *
 * This file holds the token set and the tokens of a message's headers
 * and parts; bayes_words.c, bayes_html.c and bayes_fisher.c the rest
 * (bayes_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"
#include "check/bayes_int.h"

#define PART_TEXT	(256 * 1024)	/* bytes of one part tokenized */
#define TAB_KEEP	4096	/* slots of the token set kept for reuse */

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
#define FNV_START	0xcbf29ce484222325ULL

static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

uint64_t
bayes_hash(const char *s, size_t n)
{
	return finish(fnv(FNV_START, s, n));
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

/* Add "prefix" "word" as one token: its hash, as of the two in a row. */
void
bayes_add(struct bayes_tokens *t, const char *prefix, const char *w,
    size_t n)
{
	char tok[TOK_BUF + 1];
	size_t pl = strlen(prefix);

	if (pl + n > TOK_BUF)
		n = utf8_cut(w, n, TOK_BUF - pl);
	if (!bayes_add_hash(t, finish(fnv(fnv(FNV_START, prefix, pl), w, n))) ||
	    t->show == NULL)
		return;
	memcpy(tok, prefix, pl);
	memcpy(tok + pl, w, n);
	tok[pl + n] = '\0';
	t->show(tok, t->show_arg);
}

/* A few hundred hashes: Shell's sort (Ciura's gaps), no pass per byte. */
static void
shell_sort(uint64_t *h, size_t n)
{
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	size_t g, i, j, gap;
	uint64_t v;

	for (g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		gap = gaps[g];
		for (i = gap; i < n; i++) {
			v = h[i];
			for (j = i; j >= gap && h[j - gap] > v; j -= gap)
				h[j] = h[j - gap];
			h[j] = v;
		}
	}
}

/*
 * Sort n hashes in place, tmp having room for n more: a radix sort, a
 * byte a pass, the passes where every hash has the same byte skipped.
 * A message's tokens and a batch's are sorted for every check.
 */
void
bayes_sort_hashes(uint64_t *h, size_t n, uint64_t *tmp)
{
	size_t count[256], i, pos, c;
	uint64_t *from = h, *to = tmp, *swap;
	int shift;

	if (n < 1024) {
		shell_sort(h, n);
		return;
	}
	for (shift = 0; shift < 64 && n > 1; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(from[i] >> shift) & 0xff]++;
		if (count[(from[0] >> shift) & 0xff] == n)
			continue;
		for (i = 0, pos = 0; i < 256; i++) {
			c = count[i];
			count[i] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i] >> shift) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != h)
		memcpy(h, from, n * sizeof(*h));
}

/* The distinct tokens, sorted, into t->h[0 .. t->n - 1]. */
void
bayes_tokens_sort(struct bayes_tokens *t)
{
	size_t i, k = 0, room = t->n ? t->n : 1;
	uint64_t *tmp;

	t->h = xrealloc(t->h, 2 * room * sizeof(*t->h));
	for (i = 0; i < t->tabcap; i++)
		if (t->tab[i] != 0)
			t->h[k++] = t->tab[i];
	tmp = t->h + room;
	bayes_sort_hashes(t->h, k, tmp);
}

/* --- the message ---------------------------------------------------- */


struct tokwalk {
	struct bayes_tokens *t;
	struct buf	 text;
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
		const struct html_view *v = msgpart_html(p, w->text.s ?
		    w->text.s : "", w->text.len);
		const char *s = v->text.s ? v->text.s : "";

		bayes_html(t, v);
		tokens_view(t, s, v->text.len);
		tokens_words(t, "", s, v->text.len, 0, &w->fold);
		return t->full;
	}
	end = bayes_footer(w->text.s, w->text.len);
	tokens_view(t, w->text.s, end);
	bayes_links(t, w->text.s, end);
	tokens_words(t, "", w->text.s, end, 0, &w->fold);
	return t->full;
}

/* List mail: its subject tags were put there by the list. */
static const char *const list_headers[] = {
	"List-Id", "List-Post", "List-Unsubscribe", "Mailing-List",
	"X-Mailing-List", "X-BeenThere", NULL
};

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
#define WORD_HEADERS	(sizeof(word_headers) / sizeof(word_headers[0]))

/* What the tokens need of the headers, found in one walk over them. */
struct heads {
	const char	*word[WORD_HEADERS];	/* the first of each, raw */
	int		 list, date, msgid;
};

static int
named(const char *name, const char *want)
{
	return ((name[0] ^ want[0]) & ~0x20) == 0 &&
	    strcasecmp(name, want) == 0;
}

static void
scan_heads(const struct message *m, struct heads *h)
{
	const char *name, *v;
	size_t k;
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; (v = message_header_at(m, i, &name)) != NULL; i++) {
		/* the letters the names below start with: most are none */
		if (name[0] == '\0' || strchr("xuiocmld", name[0] | 0x20) == NULL)
			continue;
		for (k = 0; k < WORD_HEADERS; k++)
			if (h->word[k] == NULL && named(name, word_headers[k].name))
				h->word[k] = v;
		for (k = 0; list_headers[k] != NULL; k++)
			h->list |= named(name, list_headers[k]);
		h->date |= named(name, "Date");
		h->msgid |= named(name, "Message-ID");
	}
}

/*
 * The subject without what others put in front of it: "Re:" and
 * "Fwd:" (kept as one token), a list's "[tag]", and xd's own subject
 * tag (a released message was marked by xd filter).
 */
static void
add_subject(struct bayes_tokens *t, const struct message *m, struct buf *b,
    const char *xdtag, int list)
{
	const char *s, *e;
	size_t tl;
	int again = 1;

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
		if (bayes_prefix_ci(s, strlen(s), "re:") ||
		    bayes_prefix_ci(s, strlen(s), "aw:")) {
			bayes_add(t, "s:", "re:", 3);
			s += 3, again = 1;
		} else if (bayes_prefix_ci(s, strlen(s), "fwd:") ||
		    bayes_prefix_ci(s, strlen(s), "fw:")) {
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

static void
add_headers(struct bayes_tokens *t, const struct heads *h, struct buf *b)
{
	size_t i;

	for (i = 0; i < WORD_HEADERS; i++)
		if (h->word[i] != NULL) {
			message_header_decode(h->word[i], b, 200);
			bayes_words(t, word_headers[i].prefix, b->s, b->len,
			    0);
		}
	if (!h->date)
		bayes_add(t, "h:", "nodate", 6);
	if (!h->msgid)
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
	struct heads h;
	struct buf a, b;

	bayes_tokens_reset(t);
	scan_heads(m, &h);
	if (t->view != NULL)
		buf_reset(t->view);
	buf_init(&a);
	buf_init(&b);
	add_subject(t, m, &a, xdtag ? xdtag : "", h.list);
	add_senders(t, m, &a, &b);
	add_headers(t, &h, &a);
	w.t = t;
	buf_init(&w.text);
	buf_init(&w.fold);
	message_parts(m, tok_part, &w);
	buf_free(&w.text);
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
	unsigned char le[8 * 256], all[DIGEST_MAX];
	size_t i, k, used = 0;

	digest_add(ctx, msgid, strlen(msgid) + 1);
	/* the hashes little-endian, a buffer at a time */
	for (i = 0; i < t->n; i++) {
		for (k = 0; k < 8; k++)
			le[used++] = (unsigned char)(t->h[i] >> (8 * k));
		if (used == sizeof(le) || i + 1 == t->n) {
			digest_add(ctx, le, used);
			used = 0;
		}
	}
	digest_end(ctx, all);
	memcpy(digest, all, BAYES_DIGEST);
}

