/*
 * fit_thresh.c - the class thresholds of xd-score --fit, set where the
 * site says how much ham it may lose: the spam threshold is the lowest
 * that at most --ham-loss of the training ham reaches, scored out of
 * fold (fit_cv.c) as new mail will be; the surespam threshold lies
 * --sure-margin above the highest training ham, in or out of fold,
 * since no ham may be surespam.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

static int
by_z_down(const void *a, const void *b)
{
	const struct foof *x = a, *y = b;

	return x->z > y->z ? -1 : x->z < y->z;
}

/*
 * The log odds of the ham line past which more than rate of the nham
 * ham lie: a threshold must be above it.  -INFINITY when every ham may
 * be at or above it.  o is sorted by falling z.
 */
static double
ham_above(const struct foof *o, size_t n, unsigned long nham, double rate)
{
	double allowed = floor(rate * nham + 1e-9), above = 0;
	size_t i = 0;

	while (i < n) {
		double here = o[i].z, count = 0;

		for (; i < n && o[i].z == here; i++)
			count += o[i].nham;
		if (above + count > allowed)
			return here;
		above += count;
	}
	return -INFINITY;
}

/* The lowest score on the grid of 0.01 that is above log odds z. */
static double
score_above(double z, double a)
{
	if (z == -INFINITY)
		return -FIT_BOUND + 1;
	return floor((z - a) * 100 + 1e-6) / 100 + 0.01;
}

static double
clamp_threshold(double t)
{
	return fmax(-FIT_BOUND + 1, fmin(FIT_BOUND - 1, t));
}

/* The training lines scored by the fitted weights themselves. */
static struct foof *
in_sample(const struct fit *f, double a)
{
	struct foof *o = xcalloc(f->nset + 1, sizeof(*o));
	size_t i;

	for (i = 0; i < f->nset; i++) {
		o[i].z = a + fit_set_score(f, &f->set[i], f->x);
		o[i].nham = f->set[i].nham;
		o[i].nspam = f->set[i].nspam;
	}
	qsort(o, f->nset, sizeof(*o), by_z_down);
	return o;
}

/* What the spam threshold loses and catches of the scores it was set on. */
static void
count_at(struct fit *f, const struct foof *o, size_t n, double zt)
{
	size_t i;

	f->oof_lost = f->oof_caught = 0;
	for (i = 0; i < n && o[i].z >= zt; i++) {
		f->oof_lost += o[i].nham;
		f->oof_caught += o[i].nspam;
	}
}

/*
 * Calibration and thresholds.  prob = 1 / (1 + exp(-(A + score))): B is
 * 1 because the score is the fitted log odds less the intercept; A is
 * the intercept, plus ln(ham_cost), which undoes the shift that
 * weighting ham moved the intercept by.
 */
void
fit_thresholds(struct fit *f)
{
	struct fit_result *r = &f->res;
	struct foof *ins, *o;
	size_t n;
	double top;

	r->a = f->x[0] + log(f->opt.ham_cost);
	r->b = 1;
	r->spam_prob = ceil((log(0.9 / 0.1) - r->a) * 100 - 1e-6) / 100;
	r->surespam_prob = ceil((log(0.999 / 0.001) - r->a) * 100 - 1e-6) / 100;
	ins = in_sample(f, r->a);
	if (f->cv) {
		qsort(f->oof, f->noof, sizeof(*f->oof), by_z_down);
		o = f->oof;
		n = f->noof;
	} else {
		o = ins;
		n = f->nset;
	}
	f->oof_allowed = (unsigned long)floor(f->opt.ham_loss * f->nham + 1e-9);
	r->spam = clamp_threshold(score_above(ham_above(o, n, f->nham,
	    f->opt.ham_loss), r->a));
	count_at(f, o, n, r->spam + r->a);
	top = fmax(ham_above(o, n, f->nham, f->opt.sure_loss),
	    ham_above(ins, f->nset, f->nham, f->opt.sure_loss));
	f->top_ham = top;
	r->surespam = r->surespam_prob;
	if (top != -INFINITY)
		r->surespam = fmax(r->surespam,
		    score_above(top + f->opt.sure_margin, r->a));
	r->surespam = clamp_threshold(fmax(r->surespam, r->spam + 0.01));
	free(ins);
}

void
fit_thresholds_write(const struct fit *f, FILE *fp)
{
	const struct fit_result *r = &f->res;

	fprintf(fp, "threshold spam %.2f\t# %s: %lu of %lu training ham "
	    "reach it (--ham-loss %g: %lu), %lu of %lu spam\n", r->spam,
	    f->cv ? "out of fold" : "on the training lines", f->oof_lost,
	    f->nham, f->opt.ham_loss, f->oof_allowed, f->oof_caught, f->nspam);
	fprintf(fp, "threshold surespam %.2f", r->surespam);
	if (f->top_ham != -INFINITY && r->surespam > r->surespam_prob)
		fprintf(fp, "\t# %g above the training ham's log odds %.2f",
		    f->opt.sure_margin, f->top_ham);
	else
		fprintf(fp, "\t# prob 0.999, above the training ham");
	fputc('\n', fp);
}
