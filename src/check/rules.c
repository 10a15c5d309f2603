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
static struct rule *
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
static void
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

static int
valid_rule_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* --- reading a line ------------------------------------------------- */

static char *
skip_space(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

/* The next word of *s, NUL-terminated in place; "" at the end. */
static char *
next_word(char **s)
{
	char *w = skip_space(*s), *e;

	for (e = w; *e != '\0' && *e != ' ' && *e != '\t' && *e != '\r'; e++)
		;
	if (*e != '\0')
		*e++ = '\0';
	*s = skip_space(e);
	return w;
}

/* A comment runs from an unescaped '#' to the end of the line. */
static void
strip_comment(char *s)
{
	char *p, *e;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '#') {
			*p = '\0';
			break;
		}
	}
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
}

static void
skip(struct ruleset *rs, unsigned *counter)
{
	(*counter)++;
	rs->st.skipped++;
}

/*
 * A Perl pattern, "/re/flags" or "m{re}flags" with any delimiter, into
 * a PCRE2 pattern and options.  *end is what follows it.  NULL or why.
 */
static const char *
parse_regex(char *s, char **pat, size_t *patlen, uint32_t *opt, char **end)
{
	char open, close;
	char *p, *start;
	int depth = 0;

	*opt = 0;
	if (*s == 'm' && s[1] != '\0' && !isalnum((unsigned char)s[1]) &&
	    !isspace((unsigned char)s[1]))
		s++;
	else if (*s != '/')
		return "expected a pattern such as /text/i";
	open = *s;
	switch (open) {
	case '{': close = '}'; break;
	case '(': close = ')'; break;
	case '[': close = ']'; break;
	case '<': close = '>'; break;
	default:  close = open; break;
	}
	start = ++s;
	for (p = start; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (open != close && *p == open)
			depth++;
		else if (*p == close && depth-- == 0)
			break;
	}
	if (*p != close)
		return "the pattern does not end";
	*pat = start;
	*patlen = (size_t)(p - start);
	for (p++; isalpha((unsigned char)*p); p++) {
		switch (*p) {
		case 'i': *opt |= PCRE2_CASELESS; break;
		case 'm': *opt |= PCRE2_MULTILINE; break;
		case 's': *opt |= PCRE2_DOTALL; break;
		case 'x': *opt |= PCRE2_EXTENDED; break;
		case 'n': *opt |= PCRE2_NO_AUTO_CAPTURE; break;
		case 'g': case 'o': case 'a': case 'u': case 'l': case 'd':
			break;		/* no meaning for a test */
		default:
			return "unknown pattern flag";
		}
	}
	*end = p;
	return NULL;
}

static const char *
set_pattern(struct rule *r, char *s, int need_end)
{
	const char *why;
	char *pat, *end;
	size_t n;
	uint32_t opt;

	if ((why = parse_regex(s, &pat, &n, &opt, &end)) != NULL)
		return why;
	if (need_end && *skip_space(end) != '\0')
		return "text after the pattern";
	r->pattern = xstrndup(pat, n);
	r->patlen = n;
	r->options = opt;
	return NULL;
}

static size_t
header_source(struct ruleset *rs, const char *name, enum hhow how, int raw)
{
	size_t i;

	for (i = 0; i < rs->nsrc; i++)
		if (rs->src[i].how == how && rs->src[i].raw == raw &&
		    strcasecmp(rs->src[i].name, name) == 0)
			return i;
	rs->src = xrealloc(rs->src, (rs->nsrc + 1) * sizeof(*rs->src));
	memset(&rs->src[rs->nsrc], 0, sizeof(*rs->src));
	rs->src[rs->nsrc].name = xstrdup(name);
	rs->src[rs->nsrc].how = how;
	rs->src[rs->nsrc].raw = raw;
	buf_init(&rs->src[rs->nsrc].val);
	return rs->nsrc++;
}

/* "From:name:raw": the modifiers after the name; -1 if one is unknown. */
static int
header_mods(char *name, enum hhow *how, int *raw)
{
	static const char *const mods[] = {
		"", "addr", "name", "host", "domain", NULL
	};
	char *m, *next;
	int i;

	*how = H_VALUE;
	*raw = 0;
	if ((m = strchr(name, ':')) == NULL)
		return 0;
	*m++ = '\0';
	for (; m != NULL; m = next) {
		if ((next = strchr(m, ':')) != NULL)
			*next++ = '\0';
		if (strcasecmp(m, "raw") == 0) {
			*raw = 1;
			continue;
		}
		for (i = 1; mods[i] != NULL; i++)
			if (strcasecmp(m, mods[i]) == 0)
				break;
		if (mods[i] == NULL || *how != H_VALUE)
			return -1;
		*how = (enum hhow)i;
	}
	return 0;
}

/* "Name[:modifier] =~ /re/ [if-unset: TEXT]" or "exists:Name". */
static const char *
parse_header(struct ruleset *rs, struct rule *r, char *s)
{
	const char *why;
	char *name, *op, *end, *p;
	enum hhow how;
	int raw;

	if (strncmp(s, "exists:", 7) == 0) {
		name = skip_space(s + 7);
		if (*name == '\0' || strpbrk(name, " \t:") != NULL)
			return "expected exists:Header";
		r->type = R_EXISTS;
		r->src = header_source(rs, name, H_COUNT, 0);
		return NULL;
	}
	name = next_word(&s);
	op = next_word(&s);
	if (strcmp(op, "=~") != 0 && strcmp(op, "!~") != 0)
		return "expected 'Header =~ /pattern/'";
	r->negate = op[0] == '!';
	if ((why = parse_regex(s, &p, &r->patlen, &r->options, &end)) != NULL)
		return why;
	r->pattern = xstrndup(p, r->patlen);
	end = skip_space(end);
	if (strncmp(end, "[if-unset:", 10) == 0) {
		p = strrchr(end, ']');
		if (p == NULL)
			return "[if-unset: does not end";
		*p = '\0';
		r->unset = xstrdup(skip_space(end + 10));
	} else if (*end != '\0')
		return "text after the pattern";
	if (header_mods(name, &how, &raw) != 0)
		return "unknown header modifier (raw, addr, name, host, domain)";
	if (*name == '\0')
		return "no header name";
	r->type = R_HEADER;
	r->src = header_source(rs, name, how, raw);
	return NULL;
}

/* --- meta expressions ----------------------------------------------- */

struct mparse {
	const char	*s;
	struct mop	*ops;
	size_t		 n, cap;
	int		 nest;
	const char	*why;
	char		 tok[256];	/* current token */
	int		 kind;		/* 'n' number, 'w' word, 'o' op, 0 end */
	double		 num;
};

static void
mtoken(struct mparse *mp)
{
	static const char *const ops2[] = {
		"&&", "||", "<=", ">=", "==", "!=", NULL
	};
	const char *s = mp->s;
	const char *const *o;
	size_t n;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	mp->tok[0] = '\0';
	if (*s == '\0') {
		mp->kind = 0;
		mp->s = s;
		return;
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		for (n = 0; isalnum((unsigned char)s[n]) || s[n] == '_'; n++)
			;
		if (n >= sizeof(mp->tok)) {
			mp->why = "name too long";
			n = sizeof(mp->tok) - 1;
		}
		memcpy(mp->tok, s, n);
		mp->tok[n] = '\0';
		mp->kind = 'w';
		while (isalnum((unsigned char)s[n]) || s[n] == '_')
			n++;
		mp->s = s + n;
		return;
	}
	if (isdigit((unsigned char)*s) || (*s == '.' &&
	    isdigit((unsigned char)s[1]))) {
		mp->num = strtod(s, &end);
		mp->kind = 'n';
		mp->s = end;
		return;
	}
	for (o = ops2; *o != NULL; o++)
		if (strncmp(s, *o, 2) == 0) {
			memcpy(mp->tok, s, 2);
			mp->tok[2] = '\0';
			mp->kind = 'o';
			mp->s = s + 2;
			return;
		}
	if (strchr("!+-*/<>()", *s) != NULL) {
		mp->tok[0] = *s;
		mp->tok[1] = '\0';
		mp->kind = 'o';
		mp->s = s + 1;
		return;
	}
	mp->why = "unknown character in the expression";
	mp->kind = 0;
}

static int
mis(const struct mparse *mp, const char *op)
{
	return mp->kind == 'o' && strcmp(mp->tok, op) == 0;
}

static size_t
memit(struct mparse *mp, enum mopk k)
{
	if (mp->n >= META_OPS) {
		mp->why = "expression too long";
		return mp->n ? mp->n - 1 : 0;
	}
	if (mp->n == mp->cap) {
		mp->cap = mp->cap ? mp->cap * 2 : 16;
		mp->ops = xrealloc(mp->ops, mp->cap * sizeof(*mp->ops));
	}
	memset(&mp->ops[mp->n], 0, sizeof(*mp->ops));
	mp->ops[mp->n].k = k;
	return mp->n++;
}

static void mor(struct mparse *);

static void
munary(struct mparse *mp)
{
	size_t i;

	if (mp->why != NULL)
		return;
	if (++mp->nest > META_NEST) {
		mp->why = "expression nested too deep";
		return;
	}
	if (mis(mp, "!") || mis(mp, "-")) {
		enum mopk k = mis(mp, "!") ? M_NOT : M_NEG;

		mtoken(mp);
		munary(mp);
		memit(mp, k);
	} else if (mis(mp, "+")) {
		mtoken(mp);
		munary(mp);
	} else if (mis(mp, "(")) {
		mtoken(mp);
		mor(mp);
		if (mp->why == NULL && !mis(mp, ")"))
			mp->why = "a '(' is not closed";
		mtoken(mp);
	} else if (mp->kind == 'n') {
		i = memit(mp, M_NUM);
		mp->ops[i].num = mp->num;
		mtoken(mp);
	} else if (mp->kind == 'w') {
		i = memit(mp, M_RULE);
		if (mp->why == NULL)
			mp->ops[i].name = xstrdup(mp->tok);
		mtoken(mp);
	} else if (mp->why == NULL)
		mp->why = mp->kind == 0 ? "the expression ends too soon" :
		    "an operator where a rule or number belongs";
	mp->nest--;
}

/* Binary operators of one precedence level, left to right. */
struct level {
	const char	*op[4];
	enum mopk	 k[4];
};

static const struct level levels[] = {
	{ { "*", "/" }, { M_MUL, M_DIV } },
	{ { "+", "-" }, { M_ADD, M_SUB } },
	{ { "<", ">", "<=", ">=" }, { M_LT, M_GT, M_LE, M_GE } },
	{ { "==", "!=" }, { M_EQ, M_NE } },
};

static void
mbinary(struct mparse *mp, int lv)
{
	int i, found;

	if (lv < 0) {
		munary(mp);
		return;
	}
	mbinary(mp, lv - 1);
	for (;;) {
		found = -1;
		for (i = 0; i < 4 && levels[lv].op[i] != NULL; i++)
			if (mis(mp, levels[lv].op[i]))
				found = i;
		if (found < 0 || mp->why != NULL)
			return;
		mtoken(mp);
		mbinary(mp, lv - 1);
		memit(mp, levels[lv].k[found]);
	}
}

/* a && b is a, if false, else b; a || b is a, if true, else b (Perl). */
static void
mand(struct mparse *mp)
{
	size_t j;

	mbinary(mp, 3);
	while (mp->why == NULL && mis(mp, "&&")) {
		mtoken(mp);
		j = memit(mp, M_ANDJ);
		mbinary(mp, 3);
		mp->ops[j].idx = mp->n;
	}
}

static void
mor(struct mparse *mp)
{
	size_t j;

	mand(mp);
	while (mp->why == NULL && mis(mp, "||")) {
		mtoken(mp);
		j = memit(mp, M_ORJ);
		mand(mp);
		mp->ops[j].idx = mp->n;
	}
}

/* The deepest the value stack gets, walking the program once. */
static size_t
meta_stack(const struct mop *ops, size_t n)
{
	size_t i, d = 0, max = 0;

	for (i = 0; i < n; i++) {
		switch (ops[i].k) {
		case M_NUM: case M_RULE: case M_EXT:
			d++;
			break;
		case M_NOT: case M_NEG:
			break;
		case M_ANDJ: case M_ORJ:
			d--;	/* popped when the right side runs */
			break;
		default:
			d--;
			break;
		}
		if (d > max)
			max = d;
	}
	return max + 1;
}

static const char *
parse_meta(struct rule *r, const char *s)
{
	struct mparse mp;
	size_t i;

	memset(&mp, 0, sizeof(mp));
	mp.s = s;
	mtoken(&mp);
	mor(&mp);
	if (mp.why == NULL && mp.kind != 0)
		mp.why = mis(&mp, ")") ? "a ')' was not opened" :
		    "two rules or numbers with no operator between";
	if (mp.why != NULL) {
		for (i = 0; i < mp.n; i++)
			free(mp.ops[i].name);
		free(mp.ops);
		return mp.why;
	}
	r->type = R_META;
	r->ops = mp.ops;
	r->nops = mp.n;
	r->stack = meta_stack(mp.ops, mp.n);
	return NULL;
}

/* --- directives ------------------------------------------------------- */

/*
 * "if" conditions of the SpamAssassin files: this is version 4.0 of the
 * rule language as far as it goes, every Conf feature is there, and of
 * the plugins only ReplaceTags (and what the language has built in).
 */
static int
plugin_known(const char *name)
{
	static const char *const known[] = {
		"Mail::SpamAssassin::Plugin::ReplaceTags",
		"Mail::SpamAssassin::Plugin::Check",
		NULL
	};
	const char *const *k;

	for (k = known; *k != NULL; k++)
		if (strcmp(name, *k) == 0)
			return 1;
	return rules_eval_plugin(name);
}

/* One condition term at *s: 1 true, 0 false, -1 not understood. */
static int if_expr(const char **, int);

static int
if_term(const char **sp, int depth)
{
	const char *s = *sp, *e;
	char name[256];
	double v;
	int r;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '!') {
		*sp = s + 1;
		r = if_term(sp, depth + 1);
		return r < 0 ? r : !r;
	}
	if (*s == '(') {
		*sp = s + 1;
		if ((r = if_expr(sp, depth + 1)) < 0)
			return r;
		s = *sp;
		while (isspace((unsigned char)*s))
			s++;
		if (*s != ')')
			return -1;
		*sp = s + 1;
		return r;
	}
	if (strncmp(s, "version", 7) == 0) {
		s += 7;
		while (isspace((unsigned char)*s))
			s++;
		for (e = s; strchr("<>=!", *e) != NULL && *e != '\0'; e++)
			;
		v = strtod(e, (char **)(uintptr_t)&e);
		*sp = e;
		if (strncmp(s, ">=", 2) == 0) return 4.0 >= v;
		if (strncmp(s, "<=", 2) == 0) return 4.0 <= v;
		if (strncmp(s, "==", 2) == 0) return 4.0 == v;
		if (strncmp(s, "!=", 2) == 0) return 4.0 != v;
		if (*s == '>') return 4.0 > v;
		if (*s == '<') return 4.0 < v;
		return -1;
	}
	if (strncmp(s, "plugin(", 7) == 0 || strncmp(s, "can(", 4) == 0) {
		int can = *s == 'c';

		s += can ? 4 : 7;
		if ((e = strchr(s, ')')) == NULL ||
		    (size_t)(e - s) >= sizeof(name))
			return -1;
		memcpy(name, s, (size_t)(e - s));
		name[e - s] = '\0';
		*sp = e + 1;
		if (!can)
			return plugin_known(name);
		if (strncmp(name, "Mail::SpamAssassin::Conf::", 26) == 0)
			return 1;
		/* can(Plugin::X::has_y): only with the plugin */
		if ((e = strrchr(name, ':')) != NULL && e - name > 1) {
			name[e - name - 1] = '\0';
			return plugin_known(name);
		}
		return 0;
	}
	return -1;
}

static int
if_expr(const char **sp, int depth)
{
	int a, b;
	const char *s;
	int op;

	if (depth > 16)
		return -1;
	if ((a = if_term(sp, depth)) < 0)
		return a;
	for (;;) {
		s = *sp;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "&&", 2) == 0)
			op = '&';
		else if (strncmp(s, "||", 2) == 0)
			op = '|';
		else {
			*sp = s;
			return a;
		}
		*sp = s + 2;
		if ((b = if_term(sp, depth)) < 0)
			return b;
		a = op == '&' ? (a && b) : (a || b);
	}
}

static const char *
directive_if(struct ruleset *rs, const char *word, char *rest,
    unsigned long lineno)
{
	const char *s = rest;
	char *cond;
	int v;

	if (strcmp(word, "else") == 0) {
		if (rs->ifdepth == 0)
			return "else without if";
		rs->ifstack[rs->ifdepth - 1] = !rs->ifstack[rs->ifdepth - 1];
		cond = rs->ifcond[rs->ifdepth - 1];
		xasprintf(&rs->ifcond[rs->ifdepth - 1], "else of %s", cond);
		free(cond);
		return NULL;
	}
	if (strcmp(word, "endif") == 0) {
		if (rs->ifdepth == 0)
			return "endif without if";
		rs->ifdepth--;
		free(rs->ifcond[rs->ifdepth]);
		rs->ifcond[rs->ifdepth] = NULL;
		return NULL;
	}
	if (rs->ifdepth >= RULES_MAX_IF)
		return "if nested too deep";
	xasprintf(&cond, "%s %s", word, rest);
	if (strcmp(word, "ifplugin") == 0)
		v = plugin_known(next_word(&rest));
	else {
		v = if_expr(&s, 0);
		while (isspace((unsigned char)*s))
			s++;
		if (v < 0 || *s != '\0')
			v = 0;	/* not understood: the block is left out */
	}
	rs->ifline[rs->ifdepth] = lineno;
	free(rs->ifcond[rs->ifdepth]);
	rs->ifcond[rs->ifdepth] = cond;
	rs->ifstack[rs->ifdepth++] = v;
	return NULL;
}

static int
if_false(const struct ruleset *rs)
{
	int i;

	for (i = 0; i < rs->ifdepth; i++)
		if (!rs->ifstack[i])
			return 1;
	return 0;
}

/* The condition of the outermost false block, for the report. */
static const char *
if_false_cond(const struct ruleset *rs)
{
	int i;

	for (i = 0; i < rs->ifdepth; i++)
		if (!rs->ifstack[i])
			return rs->ifcond[i];
	return NULL;
}

static const char *
add_tag(struct ruleset *rs, char kind, char *rest)
{
	char *name = next_word(&rest);
	size_t i;

	if (*name == '\0' || *rest == '\0')
		return "expected a tag name and its value";
	for (i = 0; i < rs->ntags; i++)
		if (rs->tags[i].kind == kind &&
		    strcmp(rs->tags[i].name, name) == 0) {
			free(rs->tags[i].value);
			rs->tags[i].value = xstrdup(rest);
			return NULL;
		}
	if (rs->ntags >= RULES_MAX_TAGS)
		return "too many tags";
	rs->tags = xrealloc(rs->tags, (rs->ntags + 1) * sizeof(*rs->tags));
	rs->tags[rs->ntags].kind = kind;
	rs->tags[rs->ntags].name = xstrdup(name);
	rs->tags[rs->ntags].value = xstrdup(rest);
	rs->ntags++;
	return NULL;
}

static const char *
set_score(struct rule *r, char *rest)
{
	double v[4];
	char *w, *end;
	int n = 0;

	while (*(w = next_word(&rest)) != '\0') {
		if (n == 4)
			return "more than four scores";
		if (*w == '(') {
			w++;
			if (*w != '\0' && w[strlen(w) - 1] == ')')
				w[strlen(w) - 1] = '\0';
		}
		v[n] = strtod(w, &end);
		if (*end != '\0' || end == w || !isfinite(v[n]))
			return "a score is a number";
		n++;
	}
	if (n != 1 && n != 4)
		return "expected one score or four";
	/*
	 * Four scores are SpamAssassin's sets: 0 without Bayes and network
	 * tests, 1 with network tests, 2 with Bayes, 3 with both.  Set 0:
	 * the others make room for SpamAssassin's own Bayes and network
	 * rules, which xd does not run; xd's stages weigh by their own.
	 */
	r->score = v[0];
	r->has_score = 1;
	return NULL;
}

static void
set_tflags(struct rule *r, char *rest)
{
	const char *errstr;
	char *w;

	r->nice = r->net = 0;
	r->maxhits = 1;
	while (*(w = next_word(&rest)) != '\0') {
		if (strcmp(w, "multiple") == 0 && r->maxhits == 1)
			r->maxhits = MAX_HITS;
		else if (strncmp(w, "maxhits=", 8) == 0) {
			r->maxhits = (unsigned)xd_strtonum(w + 8, 1, MAX_HITS,
			    &errstr);
			if (errstr != NULL)
				r->maxhits = MAX_HITS;
		} else if (strcmp(w, "nice") == 0)
			r->nice = 1;
		else if (strcmp(w, "net") == 0)
			r->net = 1;
	}
}

/* header, body, rawbody, uri, full, meta: define (again) a rule. */
static const char *
define(struct ruleset *rs, const char *kind, char *rest, unsigned long lineno)
{
	struct rule *r;
	char *name = next_word(&rest);
	const char *why;

	const char *sym = NULL, *fn;

	if (!valid_rule_name(name))
		return "expected a rule name of letters, digits and _";
	if (*rest == '\0')
		return "the rule has no test";
	if (strncmp(rest, "eval:", 5) == 0 &&
	    (sym = rules_eval_symbol(rest + 5, &fn)) == NULL) {
		rules_note(rs, name, rs->file, lineno, "eval", fn);
		skip(rs, &rs->st.eval);
		return NULL;
	}
	if ((name[0] != '_' && !isupper((unsigned char)name[0])) ||
	    strncmp(name, "HEUR_", 5) == 0 ||
	    rules_foreign(name, strlen(name))) {
		rules_note(rs, name, rs->file, lineno, "name", NULL);
		skip(rs, &rs->st.badname);
		return NULL;
	}
	if ((r = rule_get(rs, name)) == NULL)
		return "too many rules";
	rule_reset(r);
	r->file = rs->file;
	r->line = lineno;
	if (sym != NULL) {
		/* a meta of one name: the built-in check's symbol */
		r->type = R_META;
		r->ops = xcalloc(1, sizeof(*r->ops));
		r->ops[0].k = M_EXT;
		r->ops[0].name = xstrdup(sym);
		r->nops = r->stack = 1;
		rules_note(rs, name, rs->file, lineno, "mapped", sym);
		rs->st.mapped++;
		return NULL;
	}
	if (strcmp(kind, "header") == 0)
		why = parse_header(rs, r, rest);
	else if (strcmp(kind, "meta") == 0)
		why = parse_meta(r, rest);
	else {
		why = set_pattern(r, rest, 1);
		r->type = strcmp(kind, "body") == 0 ? R_BODY :
		    strcmp(kind, "rawbody") == 0 ? R_RAWBODY :
		    strcmp(kind, "uri") == 0 ? R_URI : R_FULL;
	}
	if (why != NULL)
		r->type = R_NONE;	/* read_line() counts the error */
	return why;
}

static int
is_rule_kind(const char *word)
{
	return strcmp(word, "header") == 0 || strcmp(word, "body") == 0 ||
	    strcmp(word, "rawbody") == 0 || strcmp(word, "uri") == 0 ||
	    strcmp(word, "full") == 0 || strcmp(word, "meta") == 0;
}

static const char *
directive(struct ruleset *rs, char *line, unsigned long lineno)
{
	char *rest = line, *word, *name;
	struct rule *r;

	word = next_word(&rest);
	if (*word == '\0')
		return NULL;
	if (strcmp(word, "if") == 0 || strcmp(word, "ifplugin") == 0 ||
	    strcmp(word, "else") == 0 || strcmp(word, "endif") == 0)
		return directive_if(rs, word, rest, lineno);
	if (if_false(rs)) {
		if (is_rule_kind(word) && valid_rule_name(name =
		    next_word(&rest)))
			rules_note(rs, name, rs->file, lineno, "block",
			    if_false_cond(rs));
		skip(rs, &rs->st.blocks);
		return NULL;
	}
	if (is_rule_kind(word))
		return define(rs, word, rest, lineno);
	if (strcmp(word, "replace_tag") == 0)
		return add_tag(rs, 't', rest);
	if (strcmp(word, "replace_pre") == 0)
		return add_tag(rs, 'p', rest);
	if (strcmp(word, "replace_inter") == 0)
		return add_tag(rs, 'i', rest);
	if (strcmp(word, "replace_post") == 0)
		return add_tag(rs, 's', rest);
	if (strcmp(word, "describe") != 0 && strcmp(word, "score") != 0 &&
	    strcmp(word, "tflags") != 0 && strcmp(word, "replace_rules") != 0) {
		skip(rs, &rs->st.other);
		return NULL;
	}
	while (*(name = next_word(&rest)) != '\0') {
		if (!valid_rule_name(name))
			return "expected a rule name of letters, digits and _";
		if ((r = rule_get(rs, name)) == NULL)
			return "too many rules";
		if (r->dfile == NULL)
			r->dfile = rs->file;
		if (strcmp(word, "describe") == 0) {
			free(r->describe);
			r->describe = xstrdup(rest);
			return NULL;
		}
		if (strcmp(word, "score") == 0)
			return set_score(r, rest);
		if (strcmp(word, "tflags") == 0) {
			set_tflags(r, rest);
			return NULL;
		}
		r->replace = 1;		/* replace_rules takes many names */
	}
	return NULL;
}

static const char *
read_line(void *arg, char *line, unsigned long lineno)
{
	struct ruleset *rs = arg;
	const char *why;

	strip_comment(line);
	if (*skip_space(line) == '\0')
		return NULL;
	if ((why = directive(rs, skip_space(line), lineno)) != NULL)
		rs->st.errors++;
	return why;
}

static int
load_file(struct ruleset *rs, const char *path)
{
	FILE *fp;
	unsigned errors;

	if (rs->nfiles >= RULES_MAX_FILES) {
		xd_warnx("%s: too many rule files", path);
		return -1;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		xd_warn("%s", path);
		return -1;
	}
	rs->files = xrealloc(rs->files, (rs->nfiles + 1) * sizeof(char *));
	rs->files[rs->nfiles] = xstrdup(path);
	rs->file = rs->files[rs->nfiles++];
	rs->ifdepth = 0;
	errors = rs->st.errors;
	/* lines too long are said there, and counted here as one at least */
	if (xd_read_lines(fp, path, RULES_LINE, read_line, rs) != 0 &&
	    rs->st.errors == errors)
		rs->st.errors++;
	if (rs->ifdepth > 0) {
		xd_warnx("%s:%lu: if without endif", path,
		    rs->ifline[rs->ifdepth - 1]);
		rs->st.errors++;
	}
	if (ferror(fp)) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	rs->st.files++;
	return 0;
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: its *.cf files in name order, as SpamAssassin reads them. */
static int
load_dir(struct ruleset *rs, const char *dir)
{
	struct dirent *de;
	DIR *d;
	char **names = NULL, *p;
	size_t i, n = 0;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		xd_warn("%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < RULES_MAX_FILES) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 4 ||
		    strcmp(de->d_name + len - 3, ".cf") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_string);
	for (i = 0; i < n; i++) {
		xasprintf(&p, "%s/%s", dir, names[i]);
		if (load_file(rs, p) != 0)
			rc = -1;
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

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
static void
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
static void
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

static void
lit_free(struct littab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->l[i].s);
	free(t->l);
	free(t->head);
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
	int err;
	char where[320];

	if (r->type == R_BODY || r->type == R_RAWBODY)
		opt |= PCRE2_MULTILINE;		/* one paragraph a line */
	if (r->replace && replace_tags(rs, r) != 0) {
		rule_error(rs, r, "tags nested too deep or too long", NULL);
		return -1;
	}
	if ((r->re = rules_cache_take(rs->cache, r)) != NULL) {
		rs->st.cached++;
		return 0;
	}
	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, r->patlen, opt, &err,
	    &off, rs->cctx);
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
	rules_cache_compiled(rs->cache);
	return 0;
}

/* Resolve a meta's names and its depth; -1 if it cannot run. */
static int
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

/* The table of literals for the text a rule is run on. */
static int
littab_of(const struct rule *r)
{
	return r->type == R_BODY ? 0 : r->type == R_RAWBODY ? 1 : 2;
}

static void
prefilter(struct ruleset *rs, struct rule *r)
{
	struct littab *t = &rs->lt[littab_of(r)];
	struct req q;
	int i;

	if (required(r, &q) != 0)
		return;
	r->lits = xcalloc((size_t)q.n, sizeof(*r->lits));
	for (i = 0; i < q.n; i++)
		r->lits[r->nlits++] = lit_add(t, q.lit[i], q.len[i]);
	req_free(&q);
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
		if (r->needed && r->re != NULL && (r->type == R_BODY ||
		    r->type == R_RAWBODY || r->type == R_URI))
			prefilter(rs, r);
		if (r->needed && reported(r)) {
			rs->run = xrealloc(rs->run, (rs->nrun + 1) *
			    sizeof(*rs->run));
			rs->run[rs->nrun++] = i;
		}
	}
	for (i = 0; i < 3; i++)
		lit_index(&rs->lt[i]);
}

static struct ruleset *
ruleset_new(void)
{
	struct ruleset *rs = xcalloc(1, sizeof(*rs));

	rs->cctx = pcre2_compile_context_create(NULL);
	rs->mctx = pcre2_match_context_create(NULL);
	rs->md = pcre2_match_data_create(1, NULL);
	if (rs->cctx == NULL || rs->mctx == NULL || rs->md == NULL)
		xd_errx(70, "out of memory");
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

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		rule_reset(&rs->r[i]);
		pcre2_code_free(rs->r[i].re);
		free(rs->r[i].name);
		free(rs->r[i].describe);
		free(rs->r[i].lits);
	}
	lit_free(&rs->lt[0]);
	lit_free(&rs->lt[1]);
	lit_free(&rs->lt[2]);
	free(rs->run);
	buf_free(&rs->lower);
	for (i = 0; i < rs->nsrc; i++) {
		free(rs->src[i].name);
		buf_free(&rs->src[i].val);
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
	const char *d;
	char tmp[256];
	size_t i;

	snprintf(tmp, sizeof(tmp), "%s", host);
	for (i = 0; tmp[i] != '\0'; i++)
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	d = url_domain(tmp);
	buf_adds(out, d != NULL ? d : tmp);
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

/* Scan a text for the literals of its rules, in lower case. */
static void
lit_text(struct ruleset *rs, struct littab *t, const char *s, size_t n)
{
	size_t i;

	if (t->n == 0)
		return;
	buf_reset(&rs->lower);
	buf_grow(&rs->lower, n);
	for (i = 0; i < n; i++)
		rs->lower.s[i] = (char)tolower((unsigned char)s[i]);
	rs->lower.len = n;
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
		else
			n = match(rs, r, h->val.s, h->val.len);
		if (n < 0)
			return 0;
		return r->negate ? n == 0 : n;
	case R_BODY:
		if (!lit_seen(rs, r))
			return 0;
		return (n = match(rs, r, m->body, m->bodylen)) < 0 ? 0 : n;
	case R_RAWBODY:
		if (!lit_seen(rs, r))
			return 0;
		return (n = match(rs, r, m->rawbody, m->rawbodylen)) < 0 ? 0 : n;
	case R_URI:
		if (!lit_seen(rs, r))
			return 0;
		return uri_match(rs, r);
	case R_FULL:
		if (!rs->have_full) {
			buf_reset(&rs->full);
			if (m->full != NULL)
				m->full(m->arg, &rs->full);
			rs->have_full = 1;
		}
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

	rs->gen++;
	rs->msg = m;
	rs->sp = 0;
	rs->have_full = 0;
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

/*
 * JIT-compile every pattern that can run, as matching would on a
 * pattern's second message; how many PCRE2 could not.  For -n.
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
