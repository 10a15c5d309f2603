/*
 * rules.c - rule files in the subset of the SpamAssassin rule language
 * that needs no Perl: header, body, rawbody, uri, full and meta rules,
 * with describe, score and tflags, on PCRE2.  See xd-rules(5).
 *
 * Loading has two phases.  Reading the files collects rules, scores,
 * flags and replace tags; lines that belong to what is not supported
 * (eval: tests, plugins, other directives) are counted, not fatal.
 * Then the set is finished: tags are put into patterns, patterns are
 * compiled, meta expressions resolved, and each rule that can reach
 * the stream marks what it depends on as needed.  Only needed patterns
 * are JIT-compiled and run.
 *
 * Matching is bounded: every match runs under PCRE2's match, depth and
 * heap limits, so a pattern that backtracks without end stops and is
 * reported, and a message's text, headers and URIs come in bounded
 * sizes from the caller.
 */
#include <sys/stat.h>
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

static const char *const rtype_name[] = {
	"none", "header", "header", "body", "rawbody", "uri", "full", "meta"
};

/* Name each rule left out because PCRE2 cannot hold its pattern. */
int rules_verbose;

/* Prefixes other xd tools own (xd-stream(5)); rules may not take them. */
static const char *const foreign[] = {
	"RBL_", "RBLWL_", "RHSBL_", "RHSWL_", "RDNS_", "SPF_", "URIBL_",
	"URL_", "CKSUM_", "BAYES", NULL
};

int
rules_foreign(const char *name, size_t n)
{
	const char *const *p;

	for (p = foreign; *p != NULL; p++)
		if (n >= strlen(*p) && strncmp(name, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}


static ssize_t
find(const struct ruleset *rs, const char *name, size_t n)
{
	size_t i, j;

	if (rs->tabcap == 0)
		return -1;
	for (i = xd_hash(name, n) & (rs->tabcap - 1); (j = rs->tab[i]) != 0;
	    i = (i + 1) & (rs->tabcap - 1))
		if (strlen(rs->r[j - 1].name) == n &&
		    memcmp(rs->r[j - 1].name, name, n) == 0)
			return (ssize_t)(j - 1);
	return -1;
}

static void
tab_put(struct ruleset *rs, size_t idx)
{
	const char *name = rs->r[idx].name;
	size_t i;

	for (i = xd_hash(name, strlen(name)) & (rs->tabcap - 1); rs->tab[i] != 0;
	    i = (i + 1) & (rs->tabcap - 1))
		;
	rs->tab[i] = idx + 1;
}

static void
tab_grow(struct ruleset *rs)
{
	size_t i;

	free(rs->tab);
	rs->tabcap = rs->tabcap ? rs->tabcap * 2 : 1024;
	rs->tab = xcalloc(rs->tabcap, sizeof(*rs->tab));
	for (i = 0; i < rs->n; i++)
		tab_put(rs, i);
}

/* The rule called name, made if it is new; NULL when the set is full. */
struct rule *
rule_get(struct ruleset *rs, const char *name)
{
	ssize_t i = find(rs, name, strlen(name));
	struct rule *r;

	if (i >= 0)
		return &rs->r[i];
	if (rs->n >= RULES_MAX)
		return NULL;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->r = xrealloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	if ((rs->n + 1) * 2 > rs->tabcap)
		tab_grow(rs);
	r = &rs->r[rs->n];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->maxhits = 1;
	r->file = rs->file;
	tab_put(rs, rs->n++);
	return r;
}

/* Forget what a rule was before it is defined again: the last one wins. */
void
rule_reset(struct rule *r)
{
	size_t i;

	free(r->pattern);
	free(r->unset);
	for (i = 0; i < r->nops; i++)
		free(r->ops[i].name);
	free(r->ops);
	r->pattern = r->unset = NULL;
	r->ops = NULL;
	r->nops = r->stack = 0;
	r->negate = 0;
	r->options = 0;
	r->state = S_OK;
}

int
valid_rule_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* --- finishing the set -------------------------------------------------- */

static const struct tag *
tag_find(const struct ruleset *rs, char kind, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rs->ntags; i++)
		if (rs->tags[i].kind == kind &&
		    strlen(rs->tags[i].name) == n &&
		    memcmp(rs->tags[i].name, name, n) == 0)
			return &rs->tags[i];
	return NULL;
}

/* Tags in a tag's own value, depth levels deep; -1 if that is too deep. */
static int
expand_tags(const struct ruleset *rs, const char *s, struct buf *out,
    const char *pre, const char *inter, const char *post, int depth)
{
	const struct tag *t;
	const char *p, *e;
	int prev_tag = 0;

	for (p = s; *p != '\0'; ) {
		if (out->len > PATTERN_MAX)
			return -1;
		if (*p == '\\' && p[1] != '\0') {
			buf_add(out, p, 2);
			p += 2;
			prev_tag = 0;
			continue;
		}
		if (*p == '<' && (e = strchr(p + 1, '>')) != NULL &&
		    (t = tag_find(rs, 't', p + 1, (size_t)(e - p - 1))) != NULL) {
			if (depth >= TAG_DEPTH)
				return -1;
			if (prev_tag && inter != NULL)
				buf_adds(out, inter);
			if (pre != NULL)
				buf_adds(out, pre);
			buf_adds(out, "(?:");
			if (expand_tags(rs, t->value, out, NULL, NULL, NULL,
			    depth + 1) != 0)
				return -1;
			buf_addc(out, ')');
			if (post != NULL)
				buf_adds(out, post);
			p = e + 1;
			prev_tag = 1;
			continue;
		}
		buf_addc(out, *p++);
		prev_tag = 0;
	}
	return 0;
}

/* <pre X>, <inter X> and <post X> set what goes around the tags. */
static const char *
take_directive(const struct ruleset *rs, struct buf *pat, const char *what,
    char kind)
{
	const struct tag *t;
	char open[16];
	char *p, *e;
	size_t n = (size_t)snprintf(open, sizeof(open), "<%s ", what);

	if ((p = strstr(pat->s, open)) == NULL || (e = strchr(p, '>')) == NULL)
		return NULL;
	t = tag_find(rs, kind, p + n, (size_t)(e - p - n));
	memmove(p, e + 1, strlen(e + 1) + 1);
	pat->len = strlen(pat->s);
	return t != NULL ? t->value : NULL;
}

static int
replace_tags(struct ruleset *rs, struct rule *r)
{
	struct buf pat, out;
	const char *pre, *inter, *post;
	int rc;

	buf_init(&pat);
	buf_init(&out);
	buf_add(&pat, r->pattern, r->patlen);
	pre = take_directive(rs, &pat, "pre", 'p');
	inter = take_directive(rs, &pat, "inter", 'i');
	post = take_directive(rs, &pat, "post", 's');
	rc = expand_tags(rs, pat.s ? pat.s : "", &out, pre, inter, post, 0);
	if (rc == 0) {
		free(r->pattern);
		r->pattern = out.s ? out.s : xstrdup("");
		r->patlen = out.len;
		out.s = NULL;
	}
	buf_free(&pat);
	buf_free(&out);
	return rc;
}

static void
rule_error(struct ruleset *rs, struct rule *r, const char *fmt, const char *s)
{
	char *why;

	xasprintf(&why, "%s%s", fmt, s ? s : "");
	xd_warnx("%s:%lu: %s: %s", r->file ? r->file : "?", r->line,
	    r->name, why);
	rules_note(rs, r->name, r->file, r->line, "error", why);
	free(why);
	r->state = S_SKIPPED;
	rs->st.errors++;
}

static int
compile(struct ruleset *rs, struct rule *r)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	uint32_t opt = r->options;
	int err, known_big;
	char where[320];

	if (r->type == R_BODY || r->type == R_RAWBODY)
		opt |= PCRE2_MULTILINE;		/* one paragraph a line */
	if (r->replace && replace_tags(rs, r) != 0) {
		rule_error(rs, r, "tags nested too deep or too long", NULL);
		return -1;
	}
	if ((r->re = rules_cache_take(rs->cache, r, &known_big)) != NULL) {
		rs->st.cached++;
		return 0;
	}
	if (known_big) {
		err = PCRE2_ERROR_PATTERN_TOO_LARGE;	/* as last time */
		off = 0;
		rs->st.cached++;
	} else
		r->re = pcre2_compile((PCRE2_SPTR)r->pattern, r->patlen, opt,
		    &err, &off, rs->cctx);
	if (r->re == NULL && err == PCRE2_ERROR_CODE_POINT_TOO_BIG)
		/* \x{100} and above: the pattern is about characters */
		r->re = pcre2_compile((PCRE2_SPTR)r->pattern, r->patlen,
		    opt | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off,
		    rs->cctx);
	if (r->re == NULL && (err == PCRE2_ERROR_PATTERN_TOO_LARGE ||
	    err == PCRE2_ERROR_PATTERN_TOO_COMPLICATED ||
	    err == PCRE2_ERROR_PATTERN_STRING_TOO_LONG)) {
		/* right in Perl, beyond what PCRE2 holds: left out */
		if (rules_verbose)
			xd_warnx("%s:%lu: %s: left out: too big for PCRE2",
			    r->file, r->line, r->name);
		rules_note(rs, r->name, r->file, r->line, "toobig", NULL);
		if (!known_big)
			rules_cache_compiled(rs->cache, r, 1);
		r->state = S_SKIPPED;
		rs->st.toobig++;
		rs->st.skipped++;
		return -1;
	}
	if (r->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		snprintf(where, sizeof(where), "%s, at offset %zu of the "
		    "pattern", (char *)msg, (size_t)off);
		rule_error(rs, r, "bad pattern: ", where);
		return -1;
	}
	rules_cache_compiled(rs->cache, r, 0);
	return 0;
}

/* Resolve a meta's names and its depth; -1 if it cannot run. */
int
resolve(struct ruleset *rs, struct rule *r, int depth)
{
	size_t i;
	ssize_t j;
	struct rule *d;
	const char *alias;
	int dd, max = 0;

	if (r->depth != 0)
		return r->depth;
	if (r->busy) {
		rule_error(rs, r, "meta rules that depend on each other", NULL);
		return -1;
	}
	if (depth > META_DEPTH) {
		rule_error(rs, r, "meta rules nested too deep", NULL);
		return -1;
	}
	r->busy = 1;
	for (i = 0; i < r->nops; i++) {
		struct mop *o = &r->ops[i];

		if (o->k != M_RULE || o->name == NULL)
			continue;
		j = find(rs, o->name, strlen(o->name));
		d = j >= 0 ? &rs->r[j] : NULL;
		if (d == NULL || d->type == R_NONE || d->state != S_OK) {
			/* another tool's symbol, or a built-in check */
			if ((d == NULL || d->type == R_NONE) &&
			    (strncmp(o->name, "HEUR_", 5) == 0 ||
			    rules_foreign(o->name, strlen(o->name)))) {
				o->k = M_EXT;
				if ((alias = rules_eval_alias(o->name)) != NULL) {
					free(o->name);
					o->name = xstrdup(alias);
				}
				continue;
			}
			r->busy = 0;
			r->state = S_SKIPPED;
			r->depth = -1;
			rules_note(rs, r->name, r->file, r->line, "meta",
			    o->name);
			rs->st.unresolved++;
			rs->st.skipped++;
			return -1;
		}
		o->idx = (size_t)j;
		free(o->name);
		o->name = NULL;
		if (d->type == R_META) {
			if ((dd = resolve(rs, d, depth + 1)) < 0) {
				r->busy = 0;
				if (r->state == S_OK) {
					r->state = S_SKIPPED;
					rules_note(rs, r->name, r->file,
					    r->line, "meta", d->name);
					rs->st.unresolved++;
					rs->st.skipped++;
				}
				r->depth = -1;
				return -1;
			}
			if (dd > max)
				max = dd;
		}
	}
	r->busy = 0;
	if (max + 1 > META_DEPTH) {
		rule_error(rs, r, "meta rules nested too deep", NULL);
		r->depth = -1;
		return -1;
	}
	r->depth = max + 1;
	return r->depth;
}

static int
reported(const struct rule *r)
{
	if (r->state != S_OK || r->type == R_NONE ||
	    strncmp(r->name, "__", 2) == 0 || !isupper((unsigned char)r->name[0]))
		return 0;
	return !r->has_score || r->score != 0;
}

static void
need(struct ruleset *rs, struct rule *r)
{
	size_t i;

	if (r->needed)
		return;
	r->needed = 1;
	for (i = 0; i < r->nops; i++)
		if (r->ops[i].k == M_RULE)
			need(rs, &rs->r[r->ops[i].idx]);
}

/* Literals for the rules of body, rawbody and uri that Hyperscan lacks. */
static void
index_literals(struct ruleset *rs)
{
	struct rule *r;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->needed && r->re != NULL && !r->hs && (r->type == R_BODY ||
		    r->type == R_RAWBODY || r->type == R_URI ||
		    r->type == R_HEADER))
			prefilter(rs, r);
	}
	for (i = 0; i < 3; i++)
		lit_index(&rs->lt[i]);
}

/*
 * Hyperscan's databases, for the second message: then the literals of
 * the rules they hold need no scan of their own.
 */
void
rules_hs_start(struct ruleset *rs)
{
	size_t i;

	rules_hs_build(rs);
	if (rs->hs == NULL)
		return;
	for (i = 0; i < 3; i++) {
		lit_free(&rs->lt[i]);
		memset(&rs->lt[i], 0, sizeof(rs->lt[i]));
	}
	for (i = 0; i < rs->n; i++) {
		free(rs->r[i].lits);
		rs->r[i].lits = NULL;
		rs->r[i].nlits = 0;
	}
	index_literals(rs);
}

static void
finish(struct ruleset *rs)
{
	struct rule *r;
	size_t i;

	rs->cache = rules_cache_open(rs);
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->type == R_NONE || r->state != S_OK)
			continue;
		if (r->type != R_META && r->type != R_EXISTS)
			compile(rs, r);
	}
	rules_cache_close(rs->cache, rs);
	rs->cache = NULL;
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->type == R_META && r->state == S_OK)
			resolve(rs, r, 0);
	}
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->type == R_NONE || r->state != S_OK)
			continue;
		rs->st.loaded++;
		if (reported(r)) {
			rs->st.reported++;
			need(rs, r);
		}
	}
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->needed && reported(r)) {
			rs->run = xrealloc(rs->run, (rs->nrun + 1) *
			    sizeof(*rs->run));
			rs->run[rs->nrun++] = i;
		}
	}
	index_literals(rs);
}

static struct ruleset *
ruleset_new(void)
{
	struct ruleset *rs = xcalloc(1, sizeof(*rs));

	rs->cctx = pcre2_compile_context_create(NULL);
	rs->mctx = pcre2_match_context_create(NULL);
	rs->md = pcre2_match_data_create(1, NULL);
	if (rs->cctx == NULL || rs->mctx == NULL || rs->md == NULL)
		xd_nomem();
	pcre2_set_max_pattern_length(rs->cctx, PATTERN_MAX);
	pcre2_set_parens_nest_limit(rs->cctx, 250);
	pcre2_set_match_limit(rs->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, HEAP_LIMIT);
	if ((rs->jit = pcre2_jit_stack_create(32 * 1024, JIT_STACK,
	    NULL)) != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit);
	buf_init(&rs->ev);
	buf_init(&rs->full);
	buf_init(&rs->tmp);
	buf_init(&rs->lower);
	return rs;
}

/*
 * Load rule files and directories (their *.cf files).  A file that
 * cannot be read makes this NULL; lines with mistakes are reported as
 * file:line and counted in st->errors; lines of what is not supported
 * are counted in st->skipped and its parts.
 */
struct ruleset *
rules_load(const char *const *paths, size_t npaths, struct rules_stats *st)
{
	return rules_load_flags(paths, npaths, st, 0);
}

/*
 * RULES_SCORES: only read the files, for the rules' scores; nothing is
 * compiled, and the set cannot run.
 */
struct ruleset *
rules_load_flags(const char *const *paths, size_t npaths,
    struct rules_stats *st, int flags)
{
	struct ruleset *rs = ruleset_new();
	struct stat sb;
	size_t i;
	int rc = 0;

	for (i = 0; i < npaths; i++) {
		if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			rc |= load_dir(rs, paths[i]);
		else
			rc |= load_file(rs, paths[i]);
	}
	if (rc != 0) {
		rules_free(rs);
		return NULL;
	}
	if (!(flags & RULES_SCORES))
		finish(rs);
	if (st != NULL)
		*st = rs->st;
	return rs;
}

void
rules_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL || rules_conf_drop(rs))
		return;
	for (i = 0; i < rs->n; i++) {
		rule_reset(&rs->r[i]);
		pcre2_code_free(rs->r[i].re);
		free(rs->r[i].name);
		free(rs->r[i].describe);
		free(rs->r[i].lits);
		free(rs->r[i].hlits);
	}
	rules_hs_free(rs);
	lit_free(&rs->lt[0]);
	lit_free(&rs->lt[1]);
	lit_free(&rs->lt[2]);
	free(rs->run);
	buf_free(&rs->lower);
	for (i = 0; i < rs->nsrc; i++) {
		free(rs->src[i].name);
		buf_free(&rs->src[i].val);
		buf_free(&rs->src[i].lower);
	}
	for (i = 0; i < rs->ntags; i++) {
		free(rs->tags[i].name);
		free(rs->tags[i].value);
	}
	for (i = 0; i < RULES_MAX_IF; i++)
		free(rs->ifcond[i]);
	rules_notes_free(rs);
	rules_eval_free(rs);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	for (i = 0; i < rs->nwarned; i++)
		free(rs->warned[i]);
	free(rs->warned);
	free(rs->files);
	free(rs->tags);
	free(rs->src);
	free(rs->r);
	free(rs->tab);
	free(rs->stk);
	buf_free(&rs->ev);
	buf_free(&rs->full);
	buf_free(&rs->tmp);
	pcre2_match_data_free(rs->md);
	pcre2_match_context_free(rs->mctx);
	pcre2_compile_context_free(rs->cctx);
	pcre2_jit_stack_free(rs->jit);
	free(rs);
}

/*
 * JIT-compile every pattern that can run, as matching would on a
 * pattern's second message, and build or load Hyperscan's databases, as
 * the second message would; how many PCRE2 could not.  For -n.
 */
unsigned
rules_jit_all(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];

		if (r->needed && r->re != NULL && r->runs < JIT_AFTER) {
			r->runs = JIT_AFTER;
			if (pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) != 0)
				rs->nojit++;
		}
	}
	if (rs->gen < HS_AFTER) {
		rules_hs_start(rs);
		rs->gen = HS_AFTER;	/* as if that message had run */
	}
	return rs->nojit;
}

/* Is name a rule of this set that can run? */
int
rules_usable(const struct ruleset *rs, const char *name)
{
	ssize_t i = find(rs, name, strlen(name));

	return i >= 0 && rs->r[i].type != R_NONE && rs->r[i].state == S_OK;
}

/* Is name one this set can write? For dropping its own earlier fields. */
int
rules_owns(const struct ruleset *rs, const char *name, size_t n)
{
	ssize_t i = find(rs, name, n);

	return i >= 0 && reported(&rs->r[i]);
}

/* The describe line of a rule this set writes, or NULL. */
const char *
rules_describe(const struct ruleset *rs, const char *name, size_t n)
{
	ssize_t i = find(rs, name, n);

	return i >= 0 && reported(&rs->r[i]) ? rs->r[i].describe : NULL;
}

static double
weight_of(const struct rule *r)
{
	if (r->has_score)
		return r->score;
	if (r->nice)
		return -1.0;
	return strncmp(r->name, "T_", 2) == 0 ? 0.01 : 1.0;
}

/*
 * The weights file lines for the rules this set writes: the score of
 * its score line, else SpamAssassin's default (1, 0.01 for T_ rules,
 * -1 for nice ones).  Names the given weights already list are written
 * as comments.
 */
void
rules_weights(const struct ruleset *rs, FILE *fp,
    int (*listed)(void *, const char *), void *arg)
{
	const char *file = NULL;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (!reported(r))
			continue;
		if (r->file != file) {
			fprintf(fp, "# %s\n", r->file);
			file = r->file;
		}
		if (listed != NULL && listed(arg, r->name))
			fprintf(fp, "# %s\t%g\t(the weights file has it)\n",
			    r->name, weight_of(r));
		else
			fprintf(fp, "%s\t%g\n", r->name, weight_of(r));
	}
}

/* The weight of every rule this set writes, for xd-score. */
void
rules_each_score(const struct ruleset *rs,
    void (*fn)(void *, const char *, double), void *arg)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (reported(&rs->r[i]))
			fn(arg, rs->r[i].name, weight_of(&rs->r[i]));
}

/* Every usable rule: name, kind, weight, whether it is written, text. */
void
rules_list(const struct ruleset *rs, FILE *fp)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (r->type == R_NONE || r->state != S_OK)
			continue;
		fprintf(fp, "%s\t%s\t%g\t%s:%lu\t%s\n", r->name,
		    rtype_name[r->type], reported(r) ? weight_of(r) : 0.0,
		    r->file, r->line, r->describe ? r->describe : "");
	}
}
