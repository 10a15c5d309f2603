/*
 * rules_read.c - reading rule files: lines, patterns, header rules,
 * the directives (if, ifplugin, score, describe, tflags, tags), files
 * and directories.
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
	buf_init(&rs->src[rs->nsrc].lower);
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

int
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
int
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
