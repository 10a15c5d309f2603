/*
 * score.c - a line's score: the weights of its symbols added up, each
 * symbol once, and the policy applied; see xd-score(1).  A pure
 * function of the line and the files.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "policy/policy.h"
#include "verdict/verdict.h"

static const char *const owned[] = {
	"policy=", "score=", "prob=", "class=", NULL
};

static int
by_name(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c;

	if ((c = memcmp(x->field, y->field, n)) != 0)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

static void
collect(struct score *s, const struct rec *rec)
{
	struct sym *y;
	size_t i, n;

	s->nsym = 0;
	for (i = 1; i < rec->nf; i++) {
		n = rec_name(rec->f[i], NULL);
		if (!is_symbol_name(rec->f[i], n))
			continue;
		if (s->nsym == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->sym = xrealloc(s->sym, s->cap * sizeof(*s->sym));
		}
		y = &s->sym[s->nsym++];
		y->field = rec->f[i];
		y->namelen = n;
		y->idx = i;
		y->weight = weights_symbol(s->w, y->field, n, &y->rule,
		    &y->line);
		y->how = COUNTED;
	}
}

/*
 * A symbol counts once however many fields carry it (say, two listed
 * URLs): the one with the largest weight.  Sorting keeps this n log n
 * on hostile lines with many thousands of fields.
 */
static void
mark_repeats(struct score *s)
{
	size_t i;

	if (s->nsym < 2)
		return;
	qsort(s->sym, s->nsym, sizeof(*s->sym), by_name);
	for (i = 1; i < s->nsym; i++)
		if (s->sym[i].namelen == s->sym[i - 1].namelen &&
		    memcmp(s->sym[i].field, s->sym[i - 1].field,
		    s->sym[i].namelen) == 0)
			s->sym[i].how = REPEATED;
}

/* Score rec, its own earlier score=, prob=, class= and policy= dropped. */
void
score_line(struct score *s, struct rec *rec)
{
	double sum = 0;
	size_t i;

	rec_drop_prefixes(rec, owned);
	collect(s, rec);
	mark_repeats(s);
	s->rule = policy_match(s->p, rec);
	for (i = 0; i < s->nsym; i++) {
		struct sym *y = &s->sym[i];

		if (y->how == COUNTED && s->rule != NULL &&
		    s->rule->action == POLICY_CRITICAL &&
		    !policy_counts(s->rule, y->field, y->namelen))
			y->how = UNLISTED;
		if (y->how == COUNTED)
			sum += y->weight;
	}
	/* What is written is what decides: 4.999999 is 5.00 and spam. */
	s->score = round(sum * 100) / 100 + 0.0;
	s->class = weights_class(s->w, s->score);
	if (s->rule != NULL && s->rule->action == POLICY_BLOCK)
		s->class = "surespam";
	else if (s->rule != NULL && s->rule->action != POLICY_CRITICAL)
		s->class = "ham";
}

/* Largest contribution first; what did not count last; else line order. */
static int
by_contribution(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if ((x->how == COUNTED) != (y->how == COUNTED))
		return x->how == COUNTED ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

void
score_by_contribution(struct score *s)
{
	if (s->nsym > 0)	/* sym may be NULL then */
		qsort(s->sym, s->nsym, sizeof(*s->sym), by_contribution);
}

/*
 * Symbols the store learned, which autolearn leaves out of its score,
 * as SpamAssassin's leaves out Bayes and AWL: what was learned must
 * not decide what is learned next.  (LR= itself weighs nothing: its
 * LR_ bands do.)
 */
static int
learned_symbol(const struct sym *y)
{
	static const char *const learned[] = { "BAYES", "AWL", "CKSUM_",
	    "LR_" };
	size_t i, n;

	for (i = 0; i < sizeof(learned) / sizeof(learned[0]); i++) {
		n = strlen(learned[i]);
		if (y->namelen >= n && memcmp(y->field, learned[i], n) == 0)
			return 1;
	}
	return 0;
}

/* A listing in an allow list that counted toward ham. */
static int
allow_symbol(const struct sym *y)
{
	if (y->how != COUNTED || y->weight >= 0)
		return 0;
	return (y->namelen > 6 && (memcmp(y->field, "RBLWL_", 6) == 0 ||
	    memcmp(y->field, "RHSWL_", 6) == 0)) ||
	    (y->namelen == 3 && memcmp(y->field, "AWL", 3) == 0);
}

/*
 * What autolearn makes of a line score_line() scored: "spam" or "ham"
 * to learn it as, or why not ("unchecked", "policy", "allowlist",
 * "disagree", "no"); the score without the learned symbols in *at.
 */
const char *
score_autolearn(const struct score *s, const struct rec *rec, double spam,
    double ham, double *at)
{
	double sum = 0;
	size_t i;
	int allowed = 0;

	for (i = 0; i < s->nsym; i++) {
		if (allow_symbol(&s->sym[i]))
			allowed = 1;
		if (s->sym[i].how == COUNTED && !learned_symbol(&s->sym[i]))
			sum += s->sym[i].weight;
	}
	*at = round(sum * 100) / 100 + 0.0;
	if (rec_raw(rec, "error") != NULL)
		return "unchecked";
	if (s->rule != NULL && s->rule->action != POLICY_CRITICAL)
		return "policy";
	if (allowed)
		return "allowlist";
	if (*at >= spam)
		return strcmp(s->class, "ham") != 0 ? "spam" : "disagree";
	if (*at <= ham)
		return strcmp(s->class, "ham") == 0 ? "ham" : "disagree";
	return "no";
}
