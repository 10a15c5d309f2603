/*
 * bayes_fisher.c - the Robinson-Fisher classifier of xd-bayes(1):
 * token probabilities combined by Fisher's chi-square method.
 */
#include <math.h>
#include <stdlib.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"

/* s, x, minimum deviation, tokens used, the strongest: see xd-bayes(1) */
const struct bayes_params bayes_defaults = { 0.1, 0.52, 0.3, 250, 20 };

/*
 * Robinson's f(w): the token's spam ratio p(w) = (b/nb) / (b/nb + g/ng)
 * pulled towards x by the strength s of the prior, as its count n = b+g
 * grows: f(w) = (s*x + n*p(w)) / (s + n).
 */
double
bayes_fw(const struct bayes_params *bp, double g, double b, double ng,
    double nb)
{
	double rb, rg, p, n = g + b;

	if (n <= 0 || ng <= 0 || nb <= 0)
		return bp->x;
	rb = b / nb;
	rg = g / ng;
	p = rb / (rb + rg);
	return (bp->s * bp->x + n * p) / (bp->s + n);
}

/*
 * The upper tail Q(chi | 2v) of the chi-square distribution with an
 * even number 2v of degrees of freedom: e^-m * sum(m^i / i!, i < v) with
 * m = chi/2.  Summed in logarithms so that large m does not underflow.
 */
double
bayes_chi2q(double chi, size_t v)
{
	double m = chi / 2, lt, lmax, sum = 0;
	size_t i;

	if (chi <= 0 || v == 0)
		return 1;
	if (m < 700) {
		double term = exp(-m);

		for (i = 0, sum = 0; i < v; i++) {
			if (i > 0)
				term *= m / (double)i;
			sum += term;
		}
		return sum < 1 ? sum : 1;
	}
	/* the largest term is the last one: i = v - 1 < m */
	lmax = -m + (double)(v - 1) * log(m) - lgamma((double)v);
	for (i = 0; i < v; i++) {
		lt = -m + (double)i * log(m) - lgamma((double)i + 1);
		sum += exp(lt - lmax);
	}
	lt = lmax + log(sum);
	return lt < 0 ? exp(lt) : 1;
}

static int
by_strength(const void *a, const void *b)
{
	double x = fabs(*(const double *)a - 0.5);
	double y = fabs(*(const double *)b - 0.5);

	return (x < y) - (x > y);
}

/*
 * Fisher's combining of the first k values of f[]: H = Q(-2 ln prod f,
 * 2k) and S = Q(-2 ln prod (1-f), 2k); the spam probability is
 * (1 + H - S) / 2: spammy tokens (f near 1) make H near 1, S near 0.
 * With no token it is 0.5.
 */
static double
fisher_first(const double *f, size_t k)
{
	double lh = 0, ls = 0, fw;
	size_t i;

	if (k == 0)
		return 0.5;
	for (i = 0; i < k; i++) {
		fw = f[i];
		/* keep log() finite: no count makes f exactly 0 or 1 */
		if (fw < 1e-12)
			fw = 1e-12;
		if (fw > 1 - 1e-12)
			fw = 1 - 1e-12;
		lh += log(fw);
		ls += log(1 - fw);
	}
	return (1 + bayes_chi2q(-2 * lh, k) - bayes_chi2q(-2 * ls, k)) / 2;
}

/*
 * The spam probability of the n values f[] (scratch, overwritten):
 * those at least min_dev from 0.5 take part, the max_used strongest of
 * them, combined by Fisher's method.  Each token is a degree of freedom, so a pile of
 * innocent words added to spam (word salad) waters its evidence down
 * until the ham side wins by numbers alone; what the top_used strongest
 * tokens say is therefore a floor.  Words added can only take the places
 * among them that the spam's own strong tokens leave, and ham is not
 * floored: nobody hides ham in spam's words.
 */
double
bayes_fisher(const struct bayes_params *bp, double *f, size_t n,
    size_t *used)
{
	double all, top;
	size_t i, k = 0;

	/* only the strong take part: the sort (stable) need see no other */
	for (i = 0; i < n; i++)
		if (fabs(f[i] - 0.5) >= bp->min_dev)
			f[k++] = f[i];
	n = k;
	k = 0;
	qsort(f, n, sizeof(*f), by_strength);
	while (k < n && k < bp->max_used && fabs(f[k] - 0.5) >= bp->min_dev)
		k++;
	if (used != NULL)
		*used = k;
	all = fisher_first(f, k);
	if (bp->top_used == 0 || k <= bp->top_used)
		return all;
	top = fisher_first(f, bp->top_used);
	return top > all ? top : all;
}

/* SpamAssassin's bands: the symbol for a probability. */
const char *
bayes_band(double p)
{
	if (p < 0.01)
		return "BAYES_00";
	if (p < 0.05)
		return "BAYES_05";
	if (p < 0.20)
		return "BAYES_20";
	if (p < 0.40)
		return "BAYES_40";
	if (p < 0.60)
		return "BAYES_50";
	if (p < 0.80)
		return "BAYES_60";
	if (p < 0.95)
		return "BAYES_80";
	if (p < 0.99)
		return "BAYES_95";
	return "BAYES_99";
}
