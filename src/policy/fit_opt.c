/*
 * fit_opt.c - minimise the loss of xd-score --fit within its bounds:
 * the spectral projected gradient method (Birgin, Martinez and Raydan,
 * 2000) with a non-monotone line search, scaled by the diagonal of the
 * Hessian where every line is on the fence.  Each step projects onto
 * the bounds and the band orders (fit_prior.c), which L-BFGS cannot
 * keep; the scaling makes a step about a Newton step for each weight,
 * whether its symbol is on ten lines or on ten thousand.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

#define OPT_MAX_ITER	5000		/* iterations */
#define OPT_MAX_HALVING	60		/* backtracking steps per search */
#define OPT_MEMORY	10		/* losses the line search looks back on */
#define OPT_TOL		1e-6		/* the scaled step that is converged */
#define OPT_INTERCEPT	50.0		/* |intercept| in log odds */
#define OPT_RESCALE	20		/* iterations between new metrics */

/* log(1 + exp(z)) without overflow */
static double
softplus(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

static double
sigmoid(double z)
{
	return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

/*
 * The penalised loss at x over the lines counted in cnt, and its
 * gradient g when asked for:
 *   sum of cost * log(1 + exp(-y * z)) + lambda/2 * sum (w_j - h_j)^2
 * with z = x[0] + the weights of the line's symbols, y = +1 for spam
 * and -1 for ham, cost = ham_cost for ham and 1 for spam, h the hand
 * weights.
 */
static double
objective(const struct fit *f, const double *cnt, double lambda,
    const double *x, double *g)
{
	double loss = 0, ch = f->opt.ham_cost;
	size_t i, j, n = f->nsym + 1;

	if (g != NULL)
		memset(g, 0, n * sizeof(*g));
	for (i = 0; i < f->nset; i++) {
		const struct fset *s = &f->set[i];
		const uint32_t *id = f->ids + s->off;
		double z = x[0], nh = cnt[2 * i], ns = cnt[2 * i + 1], r;

		if (nh == 0 && ns == 0)
			continue;
		for (j = 0; j < s->len; j++)
			z += x[1 + id[j]];
		loss += ch * nh * softplus(z) + ns * softplus(-z);
		if (g == NULL)
			continue;
		r = ch * nh * sigmoid(z) - ns * sigmoid(-z);
		g[0] += r;
		for (j = 0; j < s->len; j++)
			g[1 + id[j]] += r;
	}
	for (j = 1; j < n; j++) {
		double d = x[j] - f->hand[j - 1];

		loss += lambda / 2 * d * d;
		if (g != NULL)
			g[j] += lambda * d;
	}
	return loss;
}

/* The unpenalised loss of the lines counted in cnt, for the inner folds. */
double
fit_loss_of(const struct fit *f, const double *cnt, const double *x)
{
	double ch = f->opt.ham_cost, loss = 0;
	size_t i;

	for (i = 0; i < f->nset; i++) {
		double z;

		if (cnt[2 * i] == 0 && cnt[2 * i + 1] == 0)
			continue;
		z = x[0] + fit_set_score(f, &f->set[i], x);
		loss += ch * cnt[2 * i] * softplus(z) +
		    cnt[2 * i + 1] * softplus(-z);
	}
	return loss;
}

/*
 * The diagonal of the Hessian at x (every line on the fence when x is
 * NULL), the metric the steps are scaled and projected in.
 */
static void
scaling(const struct fit *f, const double *cnt, double lambda,
    const double *x, double *d)
{
	size_t i, j, n = f->nsym + 1;

	memset(d, 0, n * sizeof(*d));
	for (i = 0; i < f->nset; i++) {
		const struct fset *s = &f->set[i];
		double c = f->opt.ham_cost * cnt[2 * i] + cnt[2 * i + 1], z, p;

		if (c == 0)
			continue;
		if (x != NULL) {
			for (j = 0, z = x[0]; j < s->len; j++)
				z += x[1 + f->ids[s->off + j]];
			p = sigmoid(z);
			c *= fmax(p * (1 - p), 1e-4);
		} else
			c /= 4;
		d[0] += c;
		for (j = 0; j < s->len; j++)
			d[1 + f->ids[s->off + j]] += c;
	}
	d[0] = fmax(d[0], 1e-6);
	for (j = 1; j < n; j++)
		d[j] += lambda + 1e-6;
}

/* x onto the bounds and the band orders, in the metric of d. */
static void
project(const struct fit *f, const double *d, double *x)
{
	double *v, *w, *lo, *hi;
	size_t i, j, n;

	x[0] = fmax(-OPT_INTERCEPT, fmin(OPT_INTERCEPT, x[0]));
	for (j = 0; j < f->nsym; j++)
		x[1 + j] = fmax(f->lo[j], fmin(f->hi[j], x[1 + j]));
	for (i = 0; i < f->nchain; i++) {
		const struct fchain *c = &f->chain[i];
		double sign = c->falling ? -1 : 1;

		n = c->len;
		v = xcalloc(4 * n, sizeof(*v));
		w = v + n;
		lo = w + n;
		hi = lo + n;
		for (j = 0; j < n; j++) {
			size_t k = f->chainidx[c->off + j];

			v[j] = sign * x[1 + k];
			w[j] = d[1 + k];
			lo[j] = c->falling ? -f->hi[k] : f->lo[k];
			hi[j] = c->falling ? -f->lo[k] : f->hi[k];
		}
		fit_isotonic(v, w, lo, hi, n);
		for (j = 0; j < n; j++)
			x[1 + f->chainidx[c->off + j]] = sign * v[j];
		free(v);
	}
}

/* x onto the bounds and band orders, the metric the Euclidean one. */
static void
fit_project(const struct fit *f, double *x)
{
	double *d;
	size_t j;

	d = xcalloc(f->nsym + 1, sizeof(*d));
	for (j = 0; j <= f->nsym; j++)
		d[j] = 1;
	project(f, d, x);
	free(d);
}

/*
 * Where to start: the hand weights within the bounds, and the
 * intercept that puts the mean log odds of the lines at those of the
 * classes.
 */
void
fit_start(const struct fit *f, const double *cnt, double *x)
{
	double nh = 0, ns = 0, sum = 0;
	size_t i;

	for (i = 0; i < f->nsym; i++)
		x[1 + i] = f->hand[i];
	fit_project(f, x);
	x[0] = 0;
	for (i = 0; i < f->nset; i++) {
		double c = cnt[2 * i] + cnt[2 * i + 1];

		nh += cnt[2 * i];
		ns += cnt[2 * i + 1];
		sum += c * fit_set_score(f, &f->set[i], x);
	}
	x[0] = log((ns + 0.5) / (f->opt.ham_cost * nh + 0.5)) -
	    sum / fmax(nh + ns, 1);
	fit_project(f, x);
}

static double
maxabs_diff(const double *a, const double *b, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = fmax(m, fabs(a[i] - b[i]));
	return m;
}

/* The scaled projected step from x: p = P(x - alpha * g / d). */
static void
step_to(const struct fit *f, const double *x, const double *g,
    const double *d, double alpha, double *p)
{
	size_t i, n = f->nsym + 1;

	for (i = 0; i < n; i++)
		p[i] = x[i] - alpha * g[i] / d[i];
	project(f, d, p);
}

/*
 * Minimise from x (made feasible) over the lines of cnt.  Stops when
 * the scaled projected gradient step moves no weight by more than
 * OPT_TOL, when no step lowers the loss, or after OPT_MAX_ITER
 * iterations; r says which and the loss.
 */
void
fit_minimise(const struct fit *f, const double *cnt, double lambda,
    double *x, struct fit_result *r)
{
	size_t n = f->nsym + 1, i;
	double *g, *d, *p, *xn, *gn, hist[OPT_MEMORY], fx, fn, fmaxv, gd;
	double alpha = 1, t, sy, sds;
	int it, h, k;

	g = xcalloc(5 * n, sizeof(*g));
	d = g + n;
	p = d + n;
	xn = p + n;
	gn = xn + n;
	scaling(f, cnt, lambda, NULL, d);
	project(f, d, x);
	fx = objective(f, cnt, lambda, x, g);
	for (k = 0; k < OPT_MEMORY; k++)
		hist[k] = fx;
	r->converged = 0;
	for (it = 0; it < OPT_MAX_ITER; it++) {
		if (it > 0 && it % OPT_RESCALE == 0)
			scaling(f, cnt, lambda, x, d);
		step_to(f, x, g, d, 1, p);
		if (maxabs_diff(p, x, n) <= OPT_TOL) {
			r->converged = 1;
			break;
		}
		step_to(f, x, g, d, alpha, p);
		for (i = 0, gd = 0; i < n; i++) {
			p[i] -= x[i];		/* now the direction */
			gd += g[i] * p[i];
		}
		for (k = 1, fmaxv = hist[0]; k < OPT_MEMORY; k++)
			fmaxv = fmax(fmaxv, hist[k]);
		for (h = 0, t = 1; h < OPT_MAX_HALVING; h++, t /= 2) {
			for (i = 0; i < n; i++)
				xn[i] = x[i] + t * p[i];
			fn = objective(f, cnt, lambda, xn, NULL);
			if (fn <= fmaxv + 1e-4 * t * gd)
				break;
		}
		if (h == OPT_MAX_HALVING) {
			r->converged = 1;	/* no step lowers it: a minimum */
			break;
		}
		fn = objective(f, cnt, lambda, xn, gn);
		for (i = 0, sy = 0, sds = 0; i < n; i++) {
			double s = xn[i] - x[i];

			sy += s * (gn[i] - g[i]);
			sds += s * s * d[i];
		}
		alpha = sy > 0 ? fmax(1e-6, fmin(1e6, sds / sy)) : 1e6;
		memcpy(x, xn, n * sizeof(*x));
		memcpy(g, gn, n * sizeof(*g));
		hist[it % OPT_MEMORY] = fx = fn;
	}
	r->iterations = it;
	r->loss = fx;
	free(g);
}
