/*
 * rules_match.c - running a set on one message: bounded matching, the
 * sources of header rules, meta values, the prefilter applied.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "text/text.h"
#include "mime/mime.h"
#include "url/url.h"
#include "check/check.h"
#include "check/rules_int.h"

/* --- matching ------------------------------------------------------------ */

/* The limit stopped a match: say so once per rule and run. */
static void
limited(struct ruleset *rs, struct rule *r)
{
	size_t i;

	rs->limited++;
	if (rs->limited_name == NULL)
		rs->limited_name = r->name;
	for (i = 0; i < rs->nwarned; i++)
		if (strcmp(rs->warned[i], r->name) == 0)
			return;
	if (rs->nwarned >= 100)
		return;
	xd_warnx("%s:%lu: %s: the pattern hit the match limit; "
	    "the rule does not fire on such text", r->file, r->line, r->name);
	rs->warned = xrealloc(rs->warned, (rs->nwarned + 1) * sizeof(char *));
	rs->warned[rs->nwarned++] = xstrdup(r->name);
}

static void
evidence(struct ruleset *rs, struct rule *r, const char *s, size_t n)
{
	struct buf b;

	if (r->evlen > 0 || n == 0)
		return;
	buf_init(&b);
	buf_add(&b, s, n > EVIDENCE_MAX * 2 ? EVIDENCE_MAX * 2 : n);
	text_clean(&b, EVIDENCE_MAX);
	r->evoff = rs->ev.len;
	r->evlen = b.len;
	buf_add(&rs->ev, b.s ? b.s : "", b.len);
	buf_free(&b);
}

/* How many times r matches s, at most its maxhits; -1 on a limit. */
static int
match(struct ruleset *rs, struct rule *r, const char *s, size_t n)
{
	PCRE2_SIZE *ov;
	size_t start = 0;
	unsigned hits = 0;
	int rc;

	if (s == NULL)
		s = "", n = 0;
	if (r->jitgen != rs->gen && r->runs < JIT_AFTER) {
		/* a process that checks one message does not pay for JIT */
		r->jitgen = rs->gen;
		if (++r->runs == JIT_AFTER &&
		    pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) != 0)
			rs->nojit++;
	}
	while (hits < r->maxhits && start <= n) {
		rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, start, 0, rs->md,
		    rs->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			if (rc == PCRE2_ERROR_MATCHLIMIT ||
			    rc == PCRE2_ERROR_DEPTHLIMIT ||
			    rc == PCRE2_ERROR_HEAPLIMIT ||
			    rc == PCRE2_ERROR_JIT_STACKLIMIT ||
			    rc == PCRE2_ERROR_NOMEMORY) {
				limited(rs, r);
				return -1;
			}
			break;
		}
		ov = pcre2_get_ovector_pointer(rs->md);
		if (hits++ == 0 && !r->negate)
			evidence(rs, r, s + ov[0], ov[1] - ov[0]);
		start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	return (int)hits;
}

/* The registered domain of host, through the Public Suffix List. */
static void
reg_domain(const char *host, struct buf *out)
{
	char d[256];

	buf_adds(out, url_domain_lower(host, d, sizeof(d)));
}

/* The first address of a header value: in <>, else a word with '@'. */
static void
first_addr(const char *v, struct buf *out)
{
	const char *lt = strchr(v, '<'), *gt, *p, *e;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		buf_add(out, lt + 1, (size_t)(gt - lt - 1));
		return;
	}
	for (p = v; *p != '\0'; p = e) {
		p += strspn(p, " \t\n,;\"()");
		e = p + strcspn(p, " \t\n,;\"()");
		if (memchr(p, '@', (size_t)(e - p)) != NULL) {
			buf_add(out, p, (size_t)(e - p));
			return;
		}
	}
	p = v + strspn(v, " \t\n");
	buf_add(out, p, strcspn(p, " \t\n,;"));
}

/* The display name: before <addr>, or the comment after addr. */
static void
first_name(const char *v, struct buf *out)
{
	const char *lt = strchr(v, '<'), *p, *e;

	if (lt != NULL) {
		p = v + strspn(v, " \t\n\"");
		for (e = lt; e > p && strchr(" \t\n\"", e[-1]) != NULL; e--)
			;
		if (e > p)
			buf_add(out, p, (size_t)(e - p));
		return;
	}
	if ((p = strchr(v, '(')) != NULL && (e = strchr(p, ')')) != NULL)
		buf_add(out, p + 1, (size_t)(e - p - 1));
}

static struct hsrc *
header_get(struct ruleset *rs, size_t i)
{
	struct hsrc *h = &rs->src[i];
	const struct rulemsg *m = rs->msg;
	struct buf *t = &rs->tmp;
	const char *at;

	if (h->gen == rs->gen)
		return h;
	h->gen = rs->gen;
	buf_reset(&h->val);
	if (h->how == H_COUNT) {
		h->count = m->header(m->arg, h->name, 0, NULL);
		return h;
	}
	if (h->how == H_VALUE) {
		h->count = m->header(m->arg, h->name, h->raw, &h->val);
		return h;
	}
	buf_reset(t);
	h->count = m->header(m->arg, h->name, h->raw, t);
	if (h->count == 0)
		return h;
	if (h->how == H_NAME) {
		first_name(t->s, &h->val);
		return h;
	}
	first_addr(t->s, &h->val);
	if (h->how == H_ADDR)
		return h;
	at = h->val.s ? strrchr(h->val.s, '@') : NULL;
	buf_reset(t);
	buf_adds(t, at != NULL ? at + 1 : "");
	buf_reset(&h->val);
	if (h->how == H_HOST)
		buf_add(&h->val, t->s, t->len);
	else if (t->len > 0)
		reg_domain(t->s, &h->val);
	return h;
}

static double value(struct ruleset *, struct rule *);

static void
push(struct ruleset *rs, size_t *sp, double v)
{
	if (*sp >= rs->stkcap) {
		rs->stkcap = rs->stkcap ? rs->stkcap * 2 : 256;
		rs->stk = xrealloc(rs->stk, rs->stkcap * sizeof(*rs->stk));
	}
	rs->stk[(*sp)++] = v;
}

/* A meta's value: its program run on a stack above base. */
static double
meta_value(struct ruleset *rs, struct rule *r, size_t base)
{
	size_t i, sp = base;
	double a, b, v;

	for (i = 0; i < r->nops; i++) {
		const struct mop *o = &r->ops[i];

		switch (o->k) {
		case M_NUM:
			push(rs, &sp, o->num);
			continue;
		case M_RULE:
			rs->sp = sp;	/* a meta below runs above us */
			v = value(rs, &rs->r[o->idx]);
			push(rs, &sp, v);
			continue;
		case M_EXT:
			push(rs, &sp, rules_eval_ext(rs, o->name));
			continue;
		case M_NOT:
			rs->stk[sp - 1] = rs->stk[sp - 1] == 0;
			continue;
		case M_NEG:
			rs->stk[sp - 1] = -rs->stk[sp - 1];
			continue;
		case M_ANDJ:
			if (rs->stk[sp - 1] == 0)
				i = o->idx - 1;
			else
				sp--;
			continue;
		case M_ORJ:
			if (rs->stk[sp - 1] != 0)
				i = o->idx - 1;
			else
				sp--;
			continue;
		default:
			break;
		}
		b = rs->stk[--sp];
		a = rs->stk[sp - 1];
		switch (o->k) {
		case M_ADD: v = a + b; break;
		case M_SUB: v = a - b; break;
		case M_MUL: v = a * b; break;
		case M_DIV: v = b != 0 ? a / b : 0; break;
		case M_LT:  v = a < b; break;
		case M_GT:  v = a > b; break;
		case M_LE:  v = a <= b; break;
		case M_GE:  v = a >= b; break;
		case M_EQ:  v = a == b; break;
		default:    v = a != b; break;
		}
		rs->stk[sp - 1] = v;
	}
	v = sp > base ? rs->stk[sp - 1] : 0;
	rs->sp = base;
	return v;
}

static int
uri_match(struct ruleset *rs, struct rule *r)
{
	const struct rulemsg *m = rs->msg;
	size_t i;
	int n, hits = 0;

	for (i = 0; i < m->nuris && (unsigned)hits < r->maxhits; i++) {
		if ((n = match(rs, r, m->uris[i], strlen(m->uris[i]))) < 0)
			return hits;
		hits += n;
	}
	return hits;
}

/* Can r match at all: is one of its literals in the text? */
static int
lit_seen(const struct ruleset *rs, const struct rule *r)
{
	const struct littab *t = &rs->lt[littab_of(r)];
	size_t i;

	if (r->nlits == 0)
		return 1;
	for (i = 0; i < r->nlits; i++)
		if (t->l[r->lits[i]].gen == rs->gen)
			return 1;
	return 0;
}

/* Can r, which may need a byte past ASCII, match text k (s, n)? */
static int
high_seen(struct ruleset *rs, const struct rule *r, int k, const char *s,
    size_t n)
{
	if (!r->high)
		return 1;
	if (rs->ascii[k] < 0)
		rs->ascii[k] = s != NULL && text_is_ascii(s, n);
	return !rs->ascii[k];
}

/* s (n bytes) into b in ASCII lower case, as the literals are. */
static void
lowered(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_reset(b);
	buf_grow(b, n);
	for (i = 0; i < n; i++)
		b->s[i] = (char)tolower((unsigned char)s[i]);
	b->len = n;
}

/*
 * Can header rule r match h's value: is one of its literals in it?  The
 * value is put in lower case once a message, for all its rules.
 */
static int
hlit_seen(struct ruleset *rs, const struct rule *r, struct hsrc *h)
{
	const char *l;
	size_t k;

	if (r->hlits == NULL)
		return 1;
	if (h->lowgen != rs->gen) {
		lowered(&h->lower, h->val.s, h->val.len);
		h->lowgen = rs->gen;
	}
	for (l = r->hlits; (k = strlen(l)) > 0; l += k + 1)
		if (h->lower.len >= k && memmem(h->lower.s, h->lower.len, l,
		    k) != NULL)
			return 1;
	return 0;
}

/* Scan a text for the literals of its rules, in lower case. */
static void
lit_text(struct ruleset *rs, struct littab *t, const char *s, size_t n)
{
	if (t->n == 0)
		return;
	lowered(&rs->lower, s, n);
	lit_scan(t, (const unsigned char *)rs->lower.s, n, rs->gen);
}

/* The links, a line each, for the literals of uri rules. */
static void
lit_uris(struct ruleset *rs, const struct rulemsg *m)
{
	struct buf all;
	size_t i;

	if (rs->lt[2].n == 0 || m->nuris == 0)
		return;
	buf_init(&all);
	for (i = 0; i < m->nuris; i++) {
		buf_adds(&all, m->uris[i]);
		buf_addc(&all, '\n');
	}
	lit_text(rs, &rs->lt[2], all.s, all.len);
	buf_free(&all);
}

/*
 * Hyperscan's word on r, the texts of its kind scanned at the first
 * rule that asks: 0 if r cannot match this message, else 1.
 */
static int
hs_may(struct ruleset *rs, struct rule *r, const char *s, size_t n)
{
	int k = rules_hs_kind(r);

	if (!r->hs)
		return 1;
	if (rules_hs_todo(rs, k))
		rules_hs_scan(rs, k, s, n);	/* uri rules: the links */
	return rules_hs_may(rs, r);
}

static int
test(struct ruleset *rs, struct rule *r)
{
	const struct rulemsg *m = rs->msg;
	struct hsrc *h;
	int n;

	switch (r->type) {
	case R_EXISTS:
		return header_get(rs, r->src)->count > 0;
	case R_HEADER:
		h = header_get(rs, r->src);
		if (h->count == 0 && r->unset != NULL)
			n = match(rs, r, r->unset, strlen(r->unset));
		else if (!hlit_seen(rs, r, h))
			n = 0;
		else
			n = match(rs, r, h->val.s, h->val.len);
		if (n < 0)
			return 0;
		return r->negate ? n == 0 : n;
	case R_BODY:
		if (!hs_may(rs, r, m->body, m->bodylen) || !lit_seen(rs, r) ||
		    !high_seen(rs, r, 0, m->body, m->bodylen))
			return 0;
		return (n = match(rs, r, m->body, m->bodylen)) < 0 ? 0 : n;
	case R_RAWBODY:
		if (!hs_may(rs, r, m->rawbody, m->rawbodylen) ||
		    !lit_seen(rs, r) ||
		    !high_seen(rs, r, 1, m->rawbody, m->rawbodylen))
			return 0;
		return (n = match(rs, r, m->rawbody, m->rawbodylen)) < 0 ? 0 : n;
	case R_URI:
		if (!hs_may(rs, r, NULL, 0) || !lit_seen(rs, r))
			return 0;
		return uri_match(rs, r);
	case R_FULL:
		if (!rs->have_full) {
			buf_reset(&rs->full);
			if (m->full != NULL)
				m->full(m->arg, &rs->full);
			rs->have_full = 1;
		}
		if (!hs_may(rs, r, rs->full.s, rs->full.len))
			return 0;
		return (n = match(rs, r, rs->full.s, rs->full.len)) < 0 ? 0 : n;
	default:
		return 0;
	}
}

/* A rule's value for this message, found once. */
static double
value(struct ruleset *rs, struct rule *r)
{
	if (r->gen == rs->gen)
		return r->value;
	if (r->busy)
		return 0;	/* resolve() refused loops; this is a guard */
	r->busy = 1;
	r->evlen = 0;
	if (r->type == R_META)
		r->value = meta_value(rs, r, rs->sp);
	else
		r->value = test(rs, r);
	r->busy = 0;
	r->gen = rs->gen;
	return r->value;
}

/*
 * Run the set on one message.  fn gets every rule that fired and is
 * not a sub-rule ("__"), in the order of the files, with a piece of
 * what matched.  Returns how many matches a limit stopped; *limit_rule
 * then names the first rule that hit it.
 */
size_t
rules_eval(struct ruleset *rs, const struct rulemsg *m, rulehit_fn fn,
    void *arg, const char **limit_rule)
{
	struct rule *r;
	size_t i;

	if (++rs->gen == HS_AFTER)
		rules_hs_start(rs);
	rs->msg = m;
	rs->sp = 0;
	rs->have_full = 0;
	rs->ascii[0] = rs->ascii[1] = -1;
	rs->limited = 0;
	rs->limited_name = NULL;
	buf_reset(&rs->ev);
	lit_text(rs, &rs->lt[0], m->body, m->bodylen);
	lit_text(rs, &rs->lt[1], m->rawbody, m->rawbodylen);
	lit_uris(rs, m);
	for (i = 0; i < rs->nrun; i++) {
		r = &rs->r[rs->run[i]];
		if (value(rs, r) != 0)
			fn(arg, r->name, r->evlen ? rs->ev.s + r->evoff : "",
			    r->evlen);
	}
	if (limit_rule != NULL)
		*limit_rule = rs->limited_name;
	rs->msg = NULL;
	return rs->limited;
}
