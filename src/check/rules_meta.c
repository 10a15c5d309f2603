/*
 * rules_meta.c - meta expressions parsed into a postfix program.
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

const char *
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
