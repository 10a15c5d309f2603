/*
 * score.c - a line's score: the weights of its symbols added up, each
 * symbol once, and the policy applied; see xd-score(1).  A pure
 * function of the line and the files.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xd.h"
#include "score.h"

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
	qsort(s->sym, s->nsym, sizeof(*s->sym), by_contribution);
}
