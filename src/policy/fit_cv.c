/*
 * fit_cv.c - the inner folds of xd-score --fit.  Each training line
 * falls in one of k folds by a hash of its locator, so the folds do not
 * depend on the order of the lines and the same stream always gives
 * the same fit.  For every penalty of a small grid the weights are fitted
 * k times, each time without one fold, and that fold's lines scored:
 * the penalty whose left-out lines lose least is the one used, and the
 * left-out scores it gave are what the thresholds are set on, since
 * they are what new mail will look like, not the lines the weights
 * were fitted to.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

/* Strongest first: each fit starts from the one before it. */
static const double grid[FIT_GRID] = {
	1000, 300, 100, 30, 10, 3, 1, 0.3, 0.1
};

/* Count a line of set si in its inner fold. */
void
fit_cv_count(struct fit *f, size_t si, const struct rec *rec, int spam)
{
	const char *loc = rec_locator(rec);
	size_t k = (size_t)f->opt.folds, cap, fold;

	if (k < 2)
		return;
	if (si >= f->fcountcap) {
		cap = f->fcountcap ? f->fcountcap * 2 : 1024;
		while (si >= cap)
			cap *= 2;
		f->fcount = xrealloc(f->fcount, cap * k * 2 * sizeof(*f->fcount));
		memset(f->fcount + f->fcountcap * k * 2, 0,
		    (cap - f->fcountcap) * k * 2 * sizeof(*f->fcount));
		f->fcountcap = cap;
	}
	fold = xd_hash(loc, strlen(loc)) % k;
	f->fcount[(si * k + fold) * 2 + (spam != 0)]++;
}

/* Every fold's training lines have both classes. */
static int
folds_usable(const struct fit *f)
{
	size_t k = (size_t)f->opt.folds, i, s;
	unsigned long h, p;

	if (k < 2 || f->fcount == NULL)
		return 0;
	for (i = 0; i < k; i++) {
		for (s = 0, h = 0, p = 0; s < f->nset; s++) {
			h += f->fcount[(s * k + i) * 2];
			p += f->fcount[(s * k + i) * 2 + 1];
		}
		if (h >= f->nham || p >= f->nspam)
			return 0;
	}
	return 1;
}

/* held: the lines of fold i; cnt: every other line. */
static void
fold_counts(const struct fit *f, size_t i, double *held, double *cnt)
{
	size_t k = (size_t)f->opt.folds, s;

	for (s = 0; s < f->nset; s++) {
		held[2 * s] = f->fcount[(s * k + i) * 2];
		held[2 * s + 1] = f->fcount[(s * k + i) * 2 + 1];
		cnt[2 * s] = f->set[s].nham - held[2 * s];
		cnt[2 * s + 1] = f->set[s].nspam - held[2 * s + 1];
	}
}

/* The left-out lines of fold i scored by x, the log odds as calibrated. */
static void
score_out_of_fold(struct fit *f, const double *held, const double *x)
{
	size_t s;

	for (s = 0; s < f->nset; s++) {
		struct foof *o;

		if (held[2 * s] == 0 && held[2 * s + 1] == 0)
			continue;
		o = &f->oof[f->noof++];
		o->z = x[0] + log(f->opt.ham_cost) +
		    fit_set_score(f, &f->set[s], x);
		o->nham = (unsigned long)held[2 * s];
		o->nspam = (unsigned long)held[2 * s + 1];
	}
}

/*
 * Choose the penalty and score every line out of fold.  With too few
 * lines for the folds (a fold's training lines lack a class), the
 * penalty is --lambda or 1 and there are no scores out of fold.
 */
void
fit_cv(struct fit *f)
{
	size_t k = (size_t)f->opt.folds, n = f->nsym + 1, i, g, best;
	double *sol, *held, *cnt, *x;
	struct fit_result r;

	f->ngrid = f->opt.lambda > 0 ? 1 : FIT_GRID;
	for (g = 0; g < (size_t)f->ngrid; g++) {
		f->grid[g] = f->opt.lambda > 0 ? f->opt.lambda : grid[g];
		f->cvloss[g] = 0;
	}
	f->lambda = f->opt.lambda > 0 ? f->opt.lambda : 1;
	if (!folds_usable(f))
		return;
	sol = xcalloc(k * f->ngrid * n, sizeof(*sol));
	held = xcalloc(4 * f->nset + 2, sizeof(*held));
	cnt = held + 2 * f->nset + 1;
	for (i = 0; i < k; i++) {
		fold_counts(f, i, held, cnt);
		x = sol + i * f->ngrid * n;
		fit_start(f, cnt, x);
		for (g = 0; g < (size_t)f->ngrid; g++, x += n) {
			if (g > 0)
				memcpy(x, x - n, n * sizeof(*x));
			fit_minimise(f, cnt, f->grid[g], x, &r);
			f->cvloss[g] += fit_loss_of(f, held, x);
		}
	}
	for (g = 1, best = 0; g < (size_t)f->ngrid; g++)
		if (f->cvloss[g] < f->cvloss[best])
			best = g;
	f->lambda = f->grid[best];
	f->cv = 1;
	f->oof = xcalloc(k * f->nset + 1, sizeof(*f->oof));
	for (i = 0; i < k; i++) {
		fold_counts(f, i, held, cnt);
		score_out_of_fold(f, held, sol + (i * f->ngrid + best) * n);
	}
	free(held);
	free(sol);
}

void
fit_cv_free(struct fit *f)
{
	free(f->oof);
	f->oof = NULL;
	f->noof = 0;
}
