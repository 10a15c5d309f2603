/*
 * rules_prefilter.c - the literal prefilter: the text a body rule cannot
 * match without, and one scan of a message for all of them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "check/check.h"
#include "check/rules_int.h"

/* --- literal prefilter ------------------------------------------------- */

/*
 * Most body rules can only match where some literal text is: /\bfree
 * money\b/i needs "free money", /(?:cash|money) back/ needs "cash" or
 * "money".  The literals every match must contain are found when the
 * rule is loaded (conservatively: when unsure, none), and the text is
 * scanned once for all of them; a rule none of whose literals occurs
 * is not run.  Text and literals are compared in ASCII lower case, so
 * this only ever says "cannot match", never "matches".
 */
#define LIT_MIN		4	/* shortest literal worth looking for */
#define LIT_SET		16	/* literals of one rule at most */
#define LIT_DEPTH	32	/* groups looked into */

struct req {
	int	 n;		/* 0: no literal known */
	char	*lit[LIT_SET];
	size_t	 len[LIT_SET];
};

static void
req_free(struct req *q)
{
	int i;

	for (i = 0; i < q->n; i++)
		free(q->lit[i]);
	q->n = 0;
}

/* How selective: the shortest literal, and singletons before sets. */
static size_t
req_score(const struct req *q)
{
	size_t min = SIZE_MAX;
	int i;

	if (q->n == 0)
		return 0;
	for (i = 0; i < q->n; i++)
		if (q->len[i] < min)
			min = q->len[i];
	if (min > 12)
		min = 12;
	return min * (LIT_SET + 1) + (size_t)(LIT_SET - q->n);
}

/* Keep the better of best and cand; cand is used up. */
static void
req_keep(struct req *best, struct req *cand)
{
	if (req_score(cand) > req_score(best)) {
		req_free(best);
		*best = *cand;
		cand->n = 0;
	} else
		req_free(cand);
}

static void
run_end(struct buf *run, struct req *best)
{
	struct req q;

	if (run->len >= LIT_MIN) {
		q.n = 1;
		q.lit[0] = xstrndup(run->s, run->len);
		q.len[0] = run->len;
		req_keep(best, &q);
	}
	buf_reset(run);
}

enum quant { Q_ONE, Q_OPT, Q_MANY };

/* A quantifier at *p, if any: how often the atom before it comes. */
static enum quant
quantifier(const char **pp, const char *end)
{
	const char *p = *pp, *q;
	enum quant k;
	unsigned long min;

	if (p >= end)
		return Q_ONE;
	if (*p == '?' || *p == '*')
		k = Q_OPT, p++;
	else if (*p == '+')
		k = Q_MANY, p++;
	else if (*p == '{') {
		for (q = p + 1, min = 0; q < end && isdigit((unsigned char)*q); q++)
			min = min * 10 + (unsigned long)(*q - '0');
		if (q == p + 1)
			return Q_ONE;	/* "{" or "{,n}": a literal brace */
		if (q < end && *q == ',')
			for (q++; q < end && isdigit((unsigned char)*q); q++)
				;
		if (q >= end || *q != '}')
			return Q_ONE;
		p = q + 1;
		k = min == 0 ? Q_OPT : Q_MANY;
	} else
		return Q_ONE;
	if (p < end && (*p == '?' || *p == '+'))
		p++;		/* lazy or possessive */
	*pp = p;
	return k;
}

/* Past a character class that starts at p ('['); NULL if it does not end. */
static const char *
skip_class(const char *p, const char *end)
{
	p++;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	while (p < end && *p != ']') {
		if (*p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == '[' && p + 1 < end && p[1] == ':') {
			const char *e = memmem(p + 2, (size_t)(end - p - 2), ":]", 2);

			p = e != NULL ? e + 2 : p + 1;
		} else
			p++;
	}
	return p < end ? p + 1 : NULL;
}

/* Past the ')' that closes the group whose content starts at p. */
static const char *
skip_group(const char *p, const char *end)
{
	int depth = 1;

	while (p < end) {
		if (*p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == '[') {
			if ((p = skip_class(p, end)) == NULL)
				return NULL;
		} else if (*p == '(')
			depth++, p++;
		else if (*p == ')') {
			if (--depth == 0)
				return p + 1;
			p++;
		} else
			p++;
	}
	return NULL;
}

/* Past an escape at p ('\'), with any argument it takes. */
static const char *
skip_escape(const char *p, const char *end)
{
	p++;
	if (p >= end)
		return end;
	switch (*p++) {
	case 'x': case 'o': case 'p': case 'P': case 'g': case 'k': case 'N':
		if (p < end && (*p == '{' || *p == '<' || *p == '\'')) {
			char close = *p == '{' ? '}' : *p == '<' ? '>' : '\'';
			const char *e = memchr(p + 1, close, (size_t)(end - p - 1));

			return e != NULL ? e + 1 : end;
		}
		if (p[-1] == 'x') {
			if (p < end && isxdigit((unsigned char)*p))
				p++;
			if (p < end && isxdigit((unsigned char)*p))
				p++;
		} else if (p[-1] == 'p' || p[-1] == 'P' || p[-1] == 'g')
			p += p < end;
		return p;
	case 'c':
		return p < end ? p + 1 : end;
	default:
		return p;
	}
}

static int req_alt(const char **, const char *, struct req *, int);

/*
 * One group at p (just past its '('): what it requires, in *q, or -1
 * when the pattern is beyond this analysis.
 */
static int
req_group(const char **pp, const char *end, struct req *q, int depth)
{
	const char *p = *pp, *e;

	q->n = 0;
	if (p < end && *p == '*') {		/* (*VERB) */
		if ((e = memchr(p, ')', (size_t)(end - p))) == NULL)
			return -1;
		*pp = e + 1;
		return 1;	/* consumes nothing */
	}
	if (p < end && *p == '?') {
		p++;
		if (p >= end)
			return -1;
		if (*p == '#') {
			if ((e = memchr(p, ')', (size_t)(end - p))) == NULL)
				return -1;
			*pp = e + 1;
			return 1;
		}
		if (*p == '=' || *p == '!' || (*p == '<' && p + 1 < end &&
		    (p[1] == '=' || p[1] == '!'))) {
			if ((e = skip_group(p, end)) == NULL)
				return -1;
			*pp = e;
			return 2;	/* a lookaround: no text, ends a run */
		}
		if (*p == ':' || *p == '>' || *p == '|')
			p++;
		else if (*p == '<' || *p == '\'' || (*p == 'P' &&
		    p + 1 < end && p[1] == '<')) {
			p += *p == 'P';
			e = memchr(p + 1, *p == '\'' ? '\'' : '>',
			    (size_t)(end - p - 1));
			if (e == NULL)
				return -1;
			p = e + 1;
		} else {
			/* options: (?i) (?i-s) (?^) or (?i:...) */
			for (e = p; e < end && (isalpha((unsigned char)*e) ||
			    *e == '-' || *e == '^'); e++)
				if (*e == 'x')
					return -1;
			if (e == p || e >= end)
				return -1;	/* conditions, recursion */
			if (*e == ')') {
				*pp = e + 1;
				return 1;
			}
			if (*e != ':')
				return -1;
			p = e + 1;
		}
	}
	if (req_alt(&p, end, q, depth + 1) != 0)
		return -1;
	if (p >= end || *p != ')')
		return -1;
	*pp = p + 1;
	return 0;
}

/* A sequence up to '|', ')' or the end. */
static int
req_seq(const char **pp, const char *end, struct req *best, int depth)
{
	const char *p = *pp;
	struct buf run;
	struct req g;
	enum quant k;
	int rc, lit;
	char c = 0;

	buf_init(&run);
	best->n = 0;
	while (p < end && *p != '|' && *p != ')') {
		lit = 0;
		if (*p == '\\') {
			c = p + 1 < end ? p[1] : '\0';
			if (c == 'b' || c == 'B' || c == 'A' || c == 'z' ||
			    c == 'Z' || c == 'G' || c == 'K') {
				p += 2;
				continue;	/* assertions take no text */
			}
			lit = c != '\0' && (unsigned char)c < 0x80 &&
			    (ispunct((unsigned char)c) || c == ' ');
			p = lit ? p + 2 : skip_escape(p, end);
		} else if (*p == '^' || *p == '$') {
			p++;
			continue;
		} else if (*p == '[') {
			if ((p = skip_class(p, end)) == NULL)
				goto fail;
		} else if (*p == '(') {
			p++;
			if (depth >= LIT_DEPTH || (rc = req_group(&p, end, &g,
			    depth)) < 0)
				goto fail;
			if (rc == 1)
				continue;
			run_end(&run, best);
			if (rc == 2)
				continue;
			if (quantifier(&p, end) != Q_OPT)
				req_keep(best, &g);
			else
				req_free(&g);
			continue;
		} else if (*p == '.' || *p == '*' || *p == '+' || *p == '?' ||
		    *p == '{' || (unsigned char)*p >= 0x80) {
			p++;
		} else {
			c = *p++;
			lit = 1;
		}
		k = quantifier(&p, end);
		if (!lit || k == Q_OPT) {
			run_end(&run, best);
			continue;
		}
		buf_addc(&run, tolower((unsigned char)c));
		if (k == Q_MANY) {
			run_end(&run, best);
			buf_addc(&run, tolower((unsigned char)c));
		}
	}
	run_end(&run, best);
	buf_free(&run);
	*pp = p;
	return 0;
fail:
	buf_free(&run);
	req_free(best);
	return -1;
}

/* Alternatives: each must bring a literal, and any of them will do. */
static int
req_alt(const char **pp, const char *end, struct req *q, int depth)
{
	struct req b;
	int i, none = 0, branches = 0;

	q->n = 0;
	for (;;) {
		if (req_seq(pp, end, &b, depth) != 0) {
			req_free(q);
			return -1;
		}
		branches++;
		if (b.n == 0 || q->n + b.n > LIT_SET)
			none = 1;
		for (i = 0; i < b.n; i++) {
			if (none) {
				free(b.lit[i]);
				continue;
			}
			q->lit[q->n] = b.lit[i];
			q->len[q->n++] = b.len[i];
		}
		if (*pp >= end || **pp != '|')
			break;
		(*pp)++;
	}
	if (none)
		req_free(q);
	return 0;
}

/* The literals one of which every match of r contains; 0 if known. */
static int
required(const struct rule *r, struct req *q)
{
	const char *p = r->pattern, *end = r->pattern + r->patlen;

	q->n = 0;
	if (r->options & (PCRE2_EXTENDED | PCRE2_UTF))
		return -1;
	if (req_alt(&p, end, q, 0) != 0 || p != end) {
		req_free(q);
		return -1;
	}
	return q->n > 0 ? 0 : -1;
}

static size_t
lit_add(struct littab *t, const char *s, size_t n)
{
	size_t i;
	uint32_t key;

	for (i = 0; i < t->n; i++)
		if (t->l[i].n == n && memcmp(t->l[i].s, s, n) == 0)
			return i;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->l = xrealloc(t->l, t->cap * sizeof(*t->l));
	}
	memcpy(&key, s, 4);
	t->l[t->n].s = xstrndup(s, n);
	t->l[t->n].n = n;
	t->l[t->n].key = key;
	t->l[t->n].gen = 0;
	return t->n++;
}

#define LIT_HASH(k)	(((k) * 2654435761U) >> 16)

/* The table of keys (first four bytes) to literals, and the filter. */
void
lit_index(struct littab *t)
{
	size_t i, j;
	uint32_t h;

	memset(t->filter, 0, sizeof(t->filter));
	for (t->kcap = 64; t->kcap < t->n * 2; t->kcap *= 2)
		;
	t->head = xcalloc(t->kcap, sizeof(*t->head));
	for (i = 0; i < t->n; i++) {
		h = LIT_HASH(t->l[i].key);
		t->filter[h >> 6] |= 1ULL << (h & 63);
		for (j = h & (t->kcap - 1); t->head[j] != 0 &&
		    t->l[t->head[j] - 1].key != t->l[i].key;
		    j = (j + 1) & (t->kcap - 1))
			;
		t->l[i].next = t->head[j];
		t->head[j] = i + 1;
	}
}

/* Mark every literal of t that occurs in s (lower case already). */
void
lit_scan(struct littab *t, const unsigned char *s, size_t n, uint64_t gen)
{
	size_t i, j, k;
	uint32_t key, h;

	if (t->n == 0 || n < LIT_MIN)
		return;
	for (i = 0; i + LIT_MIN <= n; i++) {
		memcpy(&key, s + i, 4);
		h = LIT_HASH(key);
		if (!(t->filter[h >> 6] & (1ULL << (h & 63))))
			continue;
		for (j = h & (t->kcap - 1); t->head[j] != 0; j = (j + 1) &
		    (t->kcap - 1)) {
			if (t->l[t->head[j] - 1].key != key)
				continue;
			for (k = t->head[j]; k != 0; k = t->l[k - 1].next) {
				struct lit *l = &t->l[k - 1];

				if (l->n <= n - i && memcmp(s + i + 4, l->s + 4,
				    l->n - 4) == 0)
					l->gen = gen;
			}
			break;
		}
	}
}

void
lit_free(struct littab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->l[i].s);
	free(t->l);
	free(t->head);
}

/* The table of literals for the text a rule is run on. */
int
littab_of(const struct rule *r)
{
	return r->type == R_BODY ? 0 : r->type == R_RAWBODY ? 1 : 2;
}

/*
 * --- rules that need a character beyond ASCII ---
 * A pattern each of whose alternatives holds, outside any group, a class
 * of code points past 0x7f only ("[\x{0400}-\x{04FF}]", not optional)
 * cannot match text all ASCII, most mail's: rules_match.c skips it
 * there.  Not when caseless: folding matches "k" with the Kelvin sign.
 */
static const char *group_end(const char *, const char *);
static const char *weak_quantifier(const char *, const char *, int *);

/* Is the class at p (to its ']' at e) of code points past 0x7f only? */
static int
high_class(const char *p, const char *e)
{
	unsigned long v;
	char *q;

	if (*++p == '^' || p >= e)
		return 0;
	for (; p < e; p = *q == '-' ? q + 1 : q)
		if (strncmp(p, "\\x{", 3) != 0 ||
		    (v = strtoul(p + 3, &q, 16)) < 0x80 || *q++ != '}' ||
		    (*q == '-' && q + 1 >= e))
			return 0;	/* a '-' last is itself */
	return 1;
}

/* Does the alternative p..end hold such a class, not optional? */
static int
high_seq(const char *p, const char *end)
{
	const char *q;
	int found = 0, optional;

	while (p < end) {
		if (*p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == '(')
			p = group_end(p, end);
		else if (*p != '[')
			p++;
		else if ((q = skip_class(p, end)) == NULL)
			return 0;
		else {
			weak_quantifier(q, end, &optional);
			found |= !optional && high_class(p, q - 1);
			p = q;
		}
	}
	return found;
}

static int
needs_high(const struct rule *r)
{
	const char *p = r->pattern, *end = p + r->patlen, *alt = p, *q;

	if ((r->options & (PCRE2_CASELESS | PCRE2_EXTENDED)) ||
	    memmem(p, r->patlen, "\\Q", 2) != NULL)
		return 0;
	for (q = p; q + 2 < end; q++)
		if (q[0] == '(' && q[1] == '?' && (isalpha((unsigned char)q[2]) ||
		    q[2] == '^'))
			return 0;	/* options inline: (?i) among them? */
	while (p < end) {
		if (*p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == '[')
			p = (q = skip_class(p, end)) != NULL ? q : end;
		else if (*p == '(')
			p = group_end(p, end);
		else if (*p != '|')
			p++;
		else if (!high_seq(alt, p))
			return 0;
		else
			alt = ++p;
	}
	return high_seq(alt, end);
}

/*
 * A header rule's literals are looked for in its one value, as it runs
 * (rules_match.c): one after another, an empty one last.  Found once:
 * Hyperscan's databases take no header rules.
 */
static void
prefilter_header(struct rule *r)
{
	struct req q;
	struct buf b;
	int i;

	if (r->hlits != NULL || required(r, &q) != 0)
		return;
	buf_init(&b);
	for (i = 0; i < q.n; i++) {
		buf_add(&b, q.lit[i], q.len[i]);
		buf_addc(&b, '\0');
	}
	buf_addc(&b, '\0');
	r->hlits = b.s;
	req_free(&q);
}

void
prefilter(struct ruleset *rs, struct rule *r)
{
	struct littab *t = &rs->lt[littab_of(r)];
	struct req q;
	int i;

	if (r->type == R_HEADER) {
		prefilter_header(r);
		return;
	}
	r->high = needs_high(r);
	if (required(r, &q) != 0)
		return;
	r->lits = xcalloc((size_t)q.n, sizeof(*r->lits));
	for (i = 0; i < q.n; i++)
		r->lits[r->nlits++] = lit_add(t, q.lit[i], q.len[i]);
	req_free(&q);
}

/*
 * --- which patterns Hyperscan is slow with in company ---
 *
 * Hyperscan finds the literals of a database's patterns first and
 * starts their engines there.  A pattern one of whose alternatives can
 * begin with no literal at all, only a class ("[p|]h[e3]n", "\s",
 * "."), has an engine that runs over every byte, and in one database
 * with hundreds of others it slowed the whole scan: SpamAssassin's
 * FUZZY_ rules made the body scan a quarter slower than the same
 * patterns in two databases.  So those go into a second database of
 * their kind (rules_hs.c), and every text is scanned with both.  This
 * is only about speed: the two say together what the one said.
 */
#define WEAK_DEPTH	8	/* groups looked into */

enum atom { A_NONE, A_LITERAL, A_CLASS, A_GROUP };

static int weak_alts(const char *, const char *, int);

/* The end of the class that starts at p, past its ']'; end if none. */
static const char *
class_end(const char *p, const char *end)
{
	const char *q = skip_class(p, end);

	return q != NULL ? q : end;
}

/* The end of the group that starts at p, past its ')'. */
static const char *
group_end(const char *p, const char *end)
{
	long depth = 0;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			p += 2;
			continue;
		}
		if (*p == '[') {
			p = class_end(p, end);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		p++;
	}
	return end;
}

/* The atom at p: its kind, where it ends, and its group's inside. */
static enum atom
atom(const char *p, const char *end, const char **aend, const char **in)
{
	const char *q;

	*in = NULL;
	if (*p == '\\' && p + 1 < end) {
		*aend = p + 2;
		if (strchr("pPx", p[1]) != NULL && p + 2 < end && p[2] == '{')
			*aend = group_end(p + 2, end);	/* braces as parens */
		if (strchr("bBAzZGK", p[1]) != NULL)
			return A_NONE;
		return strchr("sSwWdDhHvVRXNpPC", p[1]) != NULL ? A_CLASS :
		    A_LITERAL;
	}
	if (*p == '[') {
		*aend = class_end(p, end);
		return A_CLASS;
	}
	if (*p == '(') {
		*aend = group_end(p, end);
		if (p + 1 < end && p[1] != '?') {
			*in = p + 1;
			return A_GROUP;
		}
		if (p + 2 < end && (p[2] == '=' || p[2] == '!' ||
		    (p[2] == '<' && p + 3 < end && (p[3] == '=' || p[3] == '!'))))
			return A_NONE;		/* a lookaround */
		if (p + 2 < end && (p[2] == ':' || p[2] == '>')) {
			*in = p + 3;
			return A_GROUP;
		}
		if (p + 2 < end && (p[2] == '<' || p[2] == 'P') &&
		    (q = memchr(p, '>', (size_t)(*aend - p))) != NULL) {
			*in = q + 1;		/* (?<name>...) */
			return A_GROUP;
		}
		for (q = p + 2; q < *aend && (isalpha((unsigned char)*q) ||
		    *q == '-'); q++)
			;
		if (q < *aend && *q == ':') {
			*in = q + 1;		/* (?i:...) */
			return A_GROUP;
		}
		/* (?i) matches nothing; what else there is, as a class */
		return q < *aend && *q == ')' ? A_NONE : A_CLASS;
	}
	*aend = p + 1;
	if (*p == '^' || *p == '$')
		return A_NONE;
	return *p == '.' ? A_CLASS : A_LITERAL;
}

/* Past the quantifier at p, if any; whether it lets the atom be absent. */
static const char *
weak_quantifier(const char *p, const char *end, int *optional)
{
	const char *q;

	*optional = 0;
	if (p >= end)
		return p;
	if (*p == '*' || *p == '?')
		*optional = 1;
	else if (*p == '{' && (q = memchr(p, '}', (size_t)(end - p))) != NULL &&
	    p + 1 < q && p[1] >= '0' && p[1] <= '9') {
		*optional = p[1] == '0' && (p[2] == ',' || p[2] == '}');
		p = q + 1;
		goto lazy;
	} else if (*p != '+')
		return p;
	p++;
lazy:
	if (p < end && (*p == '?' || *p == '+'))
		p++;
	return p;
}

/*
 * Can the alternative at *pp begin with no literal?  *pp goes past it,
 * to its '|' or end.
 */
static int
weak_seq(const char **pp, const char *end, int depth)
{
	const char *p = *pp, *aend, *in, *next;
	int decided = 0, weak = 0, optional;
	enum atom a;

	while (p < end && *p != '|') {
		a = atom(p, end, &aend, &in);
		next = weak_quantifier(aend, end, &optional);
		if (!decided && a == A_CLASS)
			weak = decided = 1;
		else if (!decided && a == A_GROUP) {
			if (depth >= WEAK_DEPTH || weak_alts(in, aend > in ?
			    aend - 1 : in, depth + 1))
				weak = decided = 1;
			else if (!optional)
				decided = 1;
		} else if (!decided && a == A_LITERAL && !optional)
			decided = 1;
		p = next > p ? next : p + 1;
	}
	*pp = p;
	return decided ? weak : 1;
}

/* Can one of the alternatives in p..end begin with no literal? */
static int
weak_alts(const char *p, const char *end, int depth)
{
	for (;;) {
		if (weak_seq(&p, end, depth))
			return 1;
		if (p >= end)
			return 0;
		p++;		/* the '|' */
	}
}

/* Does the expression s (as Hyperscan gets it) need a database apart? */
int
rules_hs_weak(const char *s)
{
	return weak_alts(s, s + strlen(s), 0);
}
