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

/* s, x, minimum deviation, tokens used: see xd-bayes(1) */
const struct bayes_params bayes_defaults = { 0.1, 0.52, 0.3, 250 };

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
 * Fisher's combining of the n values f[] (reordered): those at least
 * min_dev from 0.5, the max_used strongest of them.  H = Q(-2 ln prod f,
 * 2k) and S = Q(-2 ln prod (1-f), 2k); the spam probability is
 * (1 + H - S) / 2: spammy tokens (f near 1) make H near 1, S near 0.  With no such token it is 0.5.
 */
double
bayes_fisher(const struct bayes_params *bp, double *f, size_t n,
    size_t *used)
{
	double lh = 0, ls = 0, fw;
	size_t i, k = 0;

	qsort(f, n, sizeof(*f), by_strength);
	for (i = 0; i < n && k < bp->max_used; i++) {
		if (fabs(f[i] - 0.5) < bp->min_dev)
			break;
		fw = f[i];
		/* keep log() finite: no count makes f exactly 0 or 1 */
		if (fw < 1e-12)
			fw = 1e-12;
		if (fw > 1 - 1e-12)
			fw = 1 - 1e-12;
		lh += log(fw);
		ls += log(1 - fw);
		k++;
	}
	if (used != NULL)
		*used = k;
	if (k == 0)
		return 0.5;
	return (1 + bayes_chi2q(-2 * lh, k) - bayes_chi2q(-2 * ls, k)) / 2;
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
