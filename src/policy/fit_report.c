/*
 * fit_report.c - what xd-score --fit --fit-report writes for people:
 * how the penalty was chosen, where the thresholds are and why, and
 * each fitted weight beside its hand weight, the largest moves first,
 * since those are what to look at before trusting the fit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

struct row {
	const struct fit *f;
	size_t		 j;
	double		 move;
};

static int
by_move(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double mx = fabs(x->move), my = fabs(y->move);

	if (mx != my)
		return mx > my ? -1 : 1;
	return strcmp(x->f->sym[x->j].key, y->f->sym[y->j].key);
}

/* The band family of feature j, or NULL. */
static const char *
band_of(const struct fit *f, size_t j)
{
	size_t i, k;

	for (i = 0; i < f->nchain; i++)
		for (k = 0; k < f->chain[i].len; k++)
			if (f->chainidx[f->chain[i].off + k] == j)
				return f->chain[i].prefix;
	return NULL;
}

/* Why a weight is where it is, when a constraint put it there. */
static void
note(const struct fit *f, size_t j, double w, char *s, size_t n)
{
	const char *band = band_of(f, j), *why = "";

	if (w != 0 && (w == fit_written(f->lo[j]) ||
	    w == fit_written(f->hi[j])))
		why = "at the bound";
	else if (w == 0 && f->hand[j] != 0)
		why = "held at 0 by the hand weight's sign";
	snprintf(s, n, "%s%s%s%s", band ? "band " : "", band ? band : "",
	    band ? "*" : "", band && *why ? ", " : "");
	strncat(s, why, n - strlen(s) - 1);
}

static void
write_cv(const struct fit *f, FILE *fp)
{
	double total = f->opt.ham_cost * f->nham + f->nspam;
	int g;

	if (!f->cv) {
		fprintf(fp, "penalty %g: %s\n", f->lambda, f->opt.lambda > 0 ?
		    "given by --lambda; too few lines for the inner folds" :
		    "too few lines for the inner folds");
		return;
	}
	fprintf(fp, "penalty %g, %s %d inner folds; loss per left-out "
	    "line:\n", f->lambda, f->opt.lambda > 0 ? "given by --lambda; "
	    "thresholds by" : "chosen by", f->opt.folds);
	for (g = 0; g < f->ngrid; g++)
		fprintf(fp, "  lambda %-8g %.5f%s\n", f->grid[g],
		    f->cvloss[g] / total, f->grid[g] == f->lambda ?
		    "  <- chosen" : "");
}

/* The report; 0, or -1 on a write error. */
int
fit_report(const struct fit *f, FILE *fp)
{
	const struct fit_result *r = &f->res;
	const char *path = f->base ? weights_path(f->base) : NULL;
	struct row *row;
	struct buf key;
	char why[160];
	double a, b = 1;
	size_t j;

	if (f->base != NULL)
		weights_calibration(f->base, &a, &b);
	fprintf(fp, "xd-score --fit: %lu lines (%lu ham, %lu spam), "
	    "%zu symbols\nprior: normal around the hand weights of %s "
	    "times its B, %.6f; bound %g\n", f->nham + f->nspam, f->nham,
	    f->nspam, f->nsym, path ? path : "no file", b, f->opt.bound);
	write_cv(f, fp);
	fprintf(fp, "threshold spam %.2f: %lu of %lu training ham (%s) "
	    "reach it, %lu of %lu spam; --ham-loss %g allows %lu\n",
	    r->spam, f->oof_lost, f->nham, f->cv ? "out of fold" :
	    "in sample", f->oof_caught, f->nspam, f->opt.ham_loss,
	    f->oof_allowed);
	fprintf(fp, "threshold surespam %.2f: the highest training ham is "
	    "at %.2f, --sure-margin %g\n\n", r->surespam, f->top_ham - r->a,
	    f->opt.sure_margin);
	fprintf(fp, "%-31s %8s %8s %8s %8s %7s %7s  %s\n", "# symbol",
	    "fitted", "hand", "as lodds", "move", "ham", "spam", "note");
	row = xcalloc(f->nsym + 1, sizeof(*row));
	for (j = 0; j < f->nsym; j++) {
		row[j].f = f;
		row[j].j = j;
		row[j].move = fit_written(f->x[1 + j]) - fit_written(f->hand[j]);
	}
	qsort(row, f->nsym, sizeof(*row), by_move);
	buf_init(&key);
	for (j = 0; j < f->nsym; j++) {
		const struct fsym *y = &f->sym[row[j].j];
		double w = fit_written(f->x[1 + row[j].j]);

		buf_reset(&key);
		stream_unescape(y->key, &key);
		note(f, row[j].j, w, why, sizeof(why));
		fprintf(fp, "%-31s %8.4f %8.4f %8.4f %+8.4f %7lu %7lu  %s\n",
		    key.s, w, f->hand[row[j].j] / b,
		    fit_written(f->hand[row[j].j]), row[j].move, y->nham,
		    y->nspam, why);
	}
	buf_free(&key);
	free(row);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
