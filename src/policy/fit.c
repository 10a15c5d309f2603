/*
 * fit.c - fit the weights of a weights file (xd-weights(5)) to labelled
 * mail by L2-regularised logistic regression, as xd-score --fit does.
 *
 * Every feature is binary (a symbol is on a line or not), so lines
 * with the same set of symbols are the same data point: the stream is
 * read once and only its distinct symbol sets are kept, each with its
 * count of ham and spam lines.  Memory grows with the number of
 * distinct sets, not of lines, and both are bounded.  The loss is then
 * minimised by L-BFGS, each pass costing one walk over the sets.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define FIT_MAX_SYMBOLS	100000		/* distinct features */
#define FIT_MAX_IDS	(50UL * 1000 * 1000)	/* symbols over all sets */
#define FIT_MAX_ITER	1000		/* L-BFGS iterations */
#define FIT_MEMORY	10		/* L-BFGS correction pairs */
#define FIT_MAX_HALVING	60		/* backtracking steps per search */
#define FIT_BOUND	1000.0		/* |number| in a weights file */

struct fsym {			/* one feature: a weights entry to fit */
	char		*key;	/* "NAME" or "NAME=value", escaped */
	size_t		 keylen;
	unsigned long	 nham, nspam;	/* lines it is on */
};

struct fset {			/* one distinct set of features */
	size_t		 off, len;	/* in fit->ids, sorted */
	uint64_t	 hash;
	unsigned long	 nham, nspam;	/* lines that had exactly this set */
};

struct lsym {			/* a symbol field of the line being added */
	const char	*field;
	size_t		 namelen;
	size_t		 idx;
};

struct fit {
	struct fit_opts	 opt;
	const struct weights *base;
	struct fsym	*sym;
	size_t		 nsym, symcap;
	uint32_t	*symtab;	/* open addressing: index + 1, 0 free */
	size_t		 symtabcap;
	uint32_t	*ids;
	size_t		 nids, idscap;
	struct fset	*set;
	size_t		 nset, setcap;
	uint32_t	*settab;
	size_t		 settabcap;
	unsigned long	 nham, nspam;
	struct lsym	*ls;		/* scratch for one line */
	size_t		 lscap;
	uint32_t	*lid;
	size_t		 lidcap;
	double		*x;		/* x[0] intercept, x[1 + j] weights */
	struct fit_result res;
};

void
fit_defaults(struct fit_opts *o)
{
	o->lambda = 1.0;
	o->ham_cost = 1.0;
	o->ham_loss = -1;
	o->sure_loss = -1;
	o->max_sets = 1000000;
	o->keep_unseen = 0;
}

struct fit *
fit_new(const struct fit_opts *o, const struct weights *base)
{
	struct fit *f;

	f = xcalloc(1, sizeof(*f));
	f->opt = *o;
	f->base = base;
	/* Never NULL, so that an empty set's ids + off is defined. */
	f->idscap = 4096;
	f->ids = xcalloc(f->idscap, sizeof(*f->ids));
	return f;
}

void
fit_free(struct fit *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsym; i++)
		free(f->sym[i].key);
	free(f->sym);
	free(f->symtab);
	free(f->ids);
	free(f->set);
	free(f->settab);
	free(f->ls);
	free(f->lid);
	free(f->x);
	free(f);
}

static void
symtab_grow(struct fit *f)
{
	size_t i, j, cap = f->symtabcap ? f->symtabcap * 2 : 1024;
	uint32_t *t = xcalloc(cap, sizeof(*t));

	for (i = 0; i < f->nsym; i++) {
		j = xd_hash(f->sym[i].key, f->sym[i].keylen) & (cap - 1);
		while (t[j] != 0)
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(f->symtab);
	f->symtab = t;
	f->symtabcap = cap;
}

/* The slot of key in the table: its feature's, or the free one. */
static size_t
sym_slot(const struct fit *f, const char *key, size_t n)
{
	const struct fsym *y;
	size_t j = xd_hash(key, n) & (f->symtabcap - 1);

	for (; f->symtab[j] != 0; j = (j + 1) & (f->symtabcap - 1)) {
		y = &f->sym[f->symtab[j] - 1];
		if (y->keylen == n && memcmp(y->key, key, n) == 0)
			break;
	}
	return j;
}

/* The feature for key, added if new; -1 past FIT_MAX_SYMBOLS. */
static long
sym_id(struct fit *f, const char *key, size_t n)
{
	struct fsym *y;
	size_t j;

	if ((f->nsym + 1) * 2 > f->symtabcap)
		symtab_grow(f);
	j = sym_slot(f, key, n);
	if (f->symtab[j] != 0)
		return (long)f->symtab[j] - 1;
	if (f->nsym == FIT_MAX_SYMBOLS)
		return -1;
	if (f->nsym == f->symcap) {
		f->symcap = f->symcap ? f->symcap * 2 : 256;
		f->sym = xrealloc(f->sym, f->symcap * sizeof(*f->sym));
	}
	y = &f->sym[f->nsym];
	memset(y, 0, sizeof(*y));
	y->key = xstrndup(key, n);
	y->keylen = n;
	f->symtab[j] = (uint32_t)f->nsym + 1;
	return (long)f->nsym++;
}

static int
by_name_then_place(const void *a, const void *b)
{
	const struct lsym *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c;

	if ((c = memcmp(x->field, y->field, n)) != 0)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

static int
by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The feature of a field: NAME=value when the base weights give that
 * value an entry of its own (as xd-score would look it up), else NAME.
 */
static long
field_id(struct fit *f, const struct lsym *s)
{
	const char *rule = NULL;

	if (f->base != NULL) {
		weights_symbol(f->base, s->field, s->namelen, &rule, NULL);
		if (rule != NULL && strchr(rule, '=') != NULL)
			return sym_id(f, rule, strlen(rule));
	}
	return sym_id(f, s->field, s->namelen);
}

/*
 * The sorted feature ids of a line into f->lid; how many, or -1 when
 * there are too many features.  A symbol counts once per line, as in
 * scoring: by its first field.
 */
static long
line_ids(struct fit *f, const struct rec *rec)
{
	size_t i, n = 0, k = 0;
	long id;

	if (rec->nf > f->lscap) {
		f->lscap = rec->nf;
		f->ls = xrealloc(f->ls, f->lscap * sizeof(*f->ls));
		f->lid = xrealloc(f->lid, f->lscap * sizeof(*f->lid));
	}
	for (i = 1; i < rec->nf; i++) {
		size_t nl = rec_name(rec->f[i], NULL);

		if (!is_symbol_name(rec->f[i], nl))
			continue;
		f->ls[n].field = rec->f[i];
		f->ls[n].namelen = nl;
		f->ls[n].idx = i;
		n++;
	}
	if (n > 1)
		qsort(f->ls, n, sizeof(*f->ls), by_name_then_place);
	for (i = 0; i < n; i++) {
		if (i > 0 && f->ls[i].namelen == f->ls[i - 1].namelen &&
		    memcmp(f->ls[i].field, f->ls[i - 1].field,
		    f->ls[i].namelen) == 0)
			continue;
		if ((id = field_id(f, &f->ls[i])) < 0)
			return -1;
		f->lid[k++] = (uint32_t)id;
	}
	if (k > 1)
		qsort(f->lid, k, sizeof(*f->lid), by_id);
	return (long)k;
}

static void
settab_grow(struct fit *f)
{
	size_t i, j, cap = f->settabcap ? f->settabcap * 2 : 1024;
	uint32_t *t = xcalloc(cap, sizeof(*t));

	for (i = 0; i < f->nset; i++) {
		for (j = f->set[i].hash & (cap - 1); t[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		t[j] = (uint32_t)i + 1;
	}
	free(f->settab);
	f->settab = t;
	f->settabcap = cap;
}

/* The set of the k ids in f->lid, added if new; NULL past the bounds. */
static struct fset *
set_find(struct fit *f, size_t k)
{
	struct fset *s;
	uint64_t h;
	size_t j;

	h = xd_hash(f->lid, k * sizeof(*f->lid));
	if ((f->nset + 1) * 2 > f->settabcap)
		settab_grow(f);
	for (j = h & (f->settabcap - 1); f->settab[j] != 0;
	    j = (j + 1) & (f->settabcap - 1)) {
		s = &f->set[f->settab[j] - 1];
		/* The empty set has no ids to compare (f->ids may be NULL). */
		if (s->hash == h && s->len == k && (k == 0 ||
		    memcmp(f->ids + s->off, f->lid, k * sizeof(*f->lid)) == 0))
			return s;
	}
	if (f->nset >= f->opt.max_sets || f->nids + k > FIT_MAX_IDS)
		return NULL;
	if (f->nids + k > f->idscap) {
		while (f->nids + k > f->idscap)
			f->idscap = f->idscap ? f->idscap * 2 : 4096;
		f->ids = xrealloc(f->ids, f->idscap * sizeof(*f->ids));
	}
	if (f->nset == f->setcap) {
		f->setcap = f->setcap ? f->setcap * 2 : 1024;
		f->set = xrealloc(f->set, f->setcap * sizeof(*f->set));
	}
	s = &f->set[f->nset];
	memset(s, 0, sizeof(*s));
	s->off = f->nids;
	s->len = k;
	s->hash = h;
	if (k > 0)
		memcpy(f->ids + f->nids, f->lid, k * sizeof(*f->lid));
	f->nids += k;
	f->settab[j] = (uint32_t)f->nset + 1;
	f->nset++;
	return s;
}

/*
 * Add one message line.  Returns 0, FIT_UNLABELLED when the line has no
 * label=ham or label=spam (it is left out), or FIT_FULL when a bound of
 * the fit is reached (nothing more can be added).
 */
int
fit_add(struct fit *f, const struct rec *rec)
{
	const char *label = rec_raw(rec, "label");
	struct fset *s;
	size_t i;
	long k;
	int spam;

	if (label != NULL && strcmp(label, "spam") == 0)
		spam = 1;
	else if (label != NULL && strcmp(label, "ham") == 0)
		spam = 0;
	else
		return FIT_UNLABELLED;
	if ((k = line_ids(f, rec)) < 0 || (s = set_find(f, (size_t)k)) == NULL)
		return FIT_FULL;
	for (i = 0; i < (size_t)k; i++) {
		if (spam)
			f->sym[f->lid[i]].nspam++;
		else
			f->sym[f->lid[i]].nham++;
	}
	if (spam) {
		s->nspam++;
		f->nspam++;
	} else {
		s->nham++;
		f->nham++;
	}
	return 0;
}

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
 * The penalised loss at x and its gradient g:
 *   sum over lines of cost * log(1 + exp(-y * z)) + lambda/2 * |w|^2
 * with z = x[0] + the weights of the line's symbols, y = +1 for spam
 * and -1 for ham, cost = ham_cost for ham and 1 for spam.
 */
static double
objective(const struct fit *f, const double *x, double *g)
{
	double loss = 0, ch = f->opt.ham_cost;
	size_t i, j, n = f->nsym + 1;

	memset(g, 0, n * sizeof(*g));
	for (i = 0; i < f->nset; i++) {
		const struct fset *s = &f->set[i];
		const uint32_t *id = f->ids + s->off;
		double z = x[0], p, r;

		for (j = 0; j < s->len; j++)
			z += x[1 + id[j]];
		p = sigmoid(z);
		loss += ch * s->nham * softplus(z) + s->nspam * softplus(-z);
		r = ch * s->nham * p - s->nspam * (1 - p);
		g[0] += r;
		for (j = 0; j < s->len; j++)
			g[1 + id[j]] += r;
	}
	for (j = 1; j < n; j++) {
		loss += f->opt.lambda / 2 * x[j] * x[j];
		g[j] += f->opt.lambda * x[j];
	}
	return loss;
}

static double
dot(const double *a, const double *b, size_t n)
{
	double d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d += a[i] * b[i];
	return d;
}

static double
maxabs(const double *a, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (fabs(a[i]) > m)
			m = fabs(a[i]);
	return m;
}

struct lbfgs {
	size_t	 n;
	double	*s, *y, *rho, *alpha;	/* FIT_MEMORY pairs, newest last */
	int	 k;			/* pairs held */
};

/* d = -H g by the two-loop recursion over the stored pairs. */
static void
lbfgs_direction(const struct lbfgs *m, const double *g, double *d)
{
	size_t n = m->n, i;
	int k;
	double gamma = 1, beta;

	for (i = 0; i < n; i++)
		d[i] = -g[i];
	for (k = m->k - 1; k >= 0; k--) {
		m->alpha[k] = m->rho[k] * dot(m->s + k * n, d, n);
		for (i = 0; i < n; i++)
			d[i] -= m->alpha[k] * m->y[k * n + i];
	}
	if (m->k > 0) {
		const double *y = m->y + (m->k - 1) * n;

		gamma = 1 / (m->rho[m->k - 1] * dot(y, y, n));
	}
	for (i = 0; i < n; i++)
		d[i] *= gamma;
	for (k = 0; k < m->k; k++) {
		beta = m->rho[k] * dot(m->y + k * n, d, n);
		for (i = 0; i < n; i++)
			d[i] += (m->alpha[k] - beta) * m->s[k * n + i];
	}
}

static void
lbfgs_push(struct lbfgs *m, const double *s, const double *y)
{
	double sy = dot(s, y, m->n);
	size_t n = m->n;

	if (sy <= 1e-12 * sqrt(dot(s, s, n) * dot(y, y, n)))
		return;		/* no curvature to learn from */
	if (m->k == FIT_MEMORY) {
		memmove(m->s, m->s + n, (FIT_MEMORY - 1) * n * sizeof(double));
		memmove(m->y, m->y + n, (FIT_MEMORY - 1) * n * sizeof(double));
		memmove(m->rho, m->rho + 1, (FIT_MEMORY - 1) * sizeof(double));
		m->k--;
	}
	memcpy(m->s + m->k * n, s, n * sizeof(double));
	memcpy(m->y + m->k * n, y, n * sizeof(double));
	m->rho[m->k] = 1 / sy;
	m->k++;
}

/*
 * Minimise the objective by L-BFGS with a backtracking (Armijo) line
 * search, from all weights 0 and the intercept at the log odds of the
 * classes.  Stops when the largest gradient component is below 1e-6 of
 * the lines' total weight, when a step no longer lowers the loss by a
 * relative 1e-12, or after FIT_MAX_ITER iterations.
 */
static void
minimise(struct fit *f)
{
	size_t n = f->nsym + 1, i;
	double *x = f->x, *g, *d, *xn, *gn, *s, *y;
	double fx, fn, step, gd, total;
	struct lbfgs m;
	int it, h;

	total = f->opt.ham_cost * f->nham + f->nspam;
	g = xcalloc(n, sizeof(*g));
	d = xcalloc(n, sizeof(*d));
	xn = xcalloc(n, sizeof(*xn));
	gn = xcalloc(n, sizeof(*gn));
	s = xcalloc(n, sizeof(*s));
	y = xcalloc(n, sizeof(*y));
	memset(&m, 0, sizeof(m));
	m.n = n;
	m.s = xcalloc(FIT_MEMORY * n, sizeof(double));
	m.y = xcalloc(FIT_MEMORY * n, sizeof(double));
	m.rho = xcalloc(FIT_MEMORY, sizeof(double));
	m.alpha = xcalloc(FIT_MEMORY, sizeof(double));

	x[0] = log((f->nspam + 0.5) / (f->opt.ham_cost * f->nham + 0.5));
	fx = objective(f, x, g);
	for (it = 0; it < FIT_MAX_ITER; it++) {
		if (maxabs(g, n) <= 1e-6 * total) {
			f->res.converged = 1;
			break;
		}
		lbfgs_direction(&m, g, d);
		if ((gd = dot(g, d, n)) >= 0) {
			m.k = 0;	/* not downhill: start afresh */
			for (i = 0; i < n; i++)
				d[i] = -g[i];
			gd = dot(g, d, n);
		}
		step = m.k == 0 ? fmin(1, 1 / maxabs(g, n)) : 1;
		for (h = 0; h < FIT_MAX_HALVING; h++, step /= 2) {
			for (i = 0; i < n; i++)
				xn[i] = x[i] + step * d[i];
			fn = objective(f, xn, gn);
			if (fn <= fx + 1e-4 * step * gd)
				break;
		}
		if (h == FIT_MAX_HALVING)
			break;		/* no step lowers it: a minimum */
		for (i = 0; i < n; i++) {
			s[i] = xn[i] - x[i];
			y[i] = gn[i] - g[i];
		}
		lbfgs_push(&m, s, y);
		memcpy(x, xn, n * sizeof(*x));
		memcpy(g, gn, n * sizeof(*g));
		if (fx - fn <= 1e-12 * fabs(fx)) {
			fx = fn;
			f->res.converged = 1;
			it++;
			break;
		}
		fx = fn;
	}
	f->res.iterations = it;
	f->res.loss = fx;
	free(g);
	free(d);
	free(xn);
	free(gn);
	free(s);
	free(y);
	free(m.s);
	free(m.y);
	free(m.rho);
	free(m.alpha);
}

/* A weight as the file will hold it, so thresholds see what xd-score will. */
static double
written(double w)
{
	w = round(w * 10000) / 10000 + 0.0;
	return fmax(-FIT_BOUND, fmin(FIT_BOUND, w));
}

/* What xd-score would write as the score of set s. */
static double
set_score(const struct fit *f, const struct fset *s)
{
	double sum = 0;
	size_t j;

	for (j = 0; j < s->len; j++)
		sum += written(f->x[1 + f->ids[s->off + j]]);
	return round(sum * 100) / 100 + 0.0;
}

static int
by_score_down(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return x[0] > y[0] ? -1 : x[0] < y[0];
}

/*
 * The lowest threshold (on the 0.01 grid of written scores) at or above
 * which at most rate of the training ham lies.  sc holds (score, ham
 * lines) pairs of the sets with ham, sorted by falling score.
 */
static double
threshold_for(const double *sc, size_t n, unsigned long nham, double rate)
{
	double allowed = floor(rate * nham + 1e-9), above = 0;
	size_t i = 0;

	while (i < n) {
		double here = sc[2 * i], count = 0;

		for (; i < n && sc[2 * i] == here; i++)
			count += sc[2 * i + 1];
		if (above + count > allowed)
			return here + 0.01;
		above += count;
	}
	return -FIT_BOUND;
}

static double
clamp_threshold(double t)
{
	return fmax(-FIT_BOUND + 1, fmin(FIT_BOUND - 1, t));
}

/*
 * Calibration and thresholds.  prob = 1 / (1 + exp(-(A + score))): B is
 * 1 because the score is the fitted log odds less the intercept; A is
 * the intercept, plus ln(ham_cost), which undoes the shift that
 * weighting ham moved the intercept by.  The thresholds are the scores
 * where prob reaches 0.9 and 0.999, rounded up to the score grid; then
 * raised, if asked, until the training ham meets the loss rates.
 */
static void
thresholds(struct fit *f)
{
	struct fit_result *r = &f->res;
	double *sc;
	size_t i, n = 0;

	r->a = f->x[0] + log(f->opt.ham_cost);
	r->b = 1;
	r->spam = ceil((log(0.9 / 0.1) - r->a) * 100 - 1e-6) / 100;
	r->surespam = ceil((log(0.999 / 0.001) - r->a) * 100 - 1e-6) / 100;
	r->spam_prob = r->spam;
	r->surespam_prob = r->surespam;
	sc = xcalloc(2 * (f->nset + 1), sizeof(*sc));
	for (i = 0; i < f->nset; i++) {
		if (f->set[i].nham == 0)
			continue;
		sc[2 * n] = set_score(f, &f->set[i]);
		sc[2 * n + 1] = f->set[i].nham;
		n++;
	}
	if (n > 1)
		qsort(sc, n, 2 * sizeof(*sc), by_score_down);
	if (f->opt.ham_loss >= 0)
		r->spam = fmax(r->spam,
		    threshold_for(sc, n, f->nham, f->opt.ham_loss));
	if (f->opt.sure_loss >= 0)
		r->surespam = fmax(r->surespam,
		    threshold_for(sc, n, f->nham, f->opt.sure_loss));
	free(sc);
	r->spam = clamp_threshold(r->spam);
	r->surespam = clamp_threshold(fmax(r->surespam, r->spam + 0.01));
}

/* Fit the weights; 0, or -1 when a class has no lines at all. */
int
fit_solve(struct fit *f)
{
	if (f->nham == 0 || f->nspam == 0)
		return -1;
	f->x = xcalloc(f->nsym + 1, sizeof(*f->x));
	minimise(f);
	thresholds(f);
	return 0;
}

static int
by_key(const void *a, const void *b)
{
	const struct fsym *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

static void
write_header(const struct fit *f, FILE *fp)
{
	const struct fit_result *r = &f->res;

	fprintf(fp, "# Weights fitted by xd-score --fit, see xd-score(1):\n"
	    "# L2-regularised logistic regression on %lu lines "
	    "(%lu ham, %lu spam),\n# %zu symbols, %zu distinct symbol sets; "
	    "lambda %g, ham cost %g;\n# L-BFGS: %s after %d iterations, "
	    "loss %.4f per line.\n\n", f->nham + f->nspam, f->nham, f->nspam,
	    f->nsym, f->nset, f->opt.lambda, f->opt.ham_cost,
	    r->converged ? "converged" : "stopped at the bound", r->iterations,
	    r->loss / (f->opt.ham_cost * f->nham + f->nspam));
	fprintf(fp, "# prob = 1 / (1 + exp(-(A + B * score)))\n"
	    "calibration %.6f %.6f\n", r->a, r->b);
	fprintf(fp, "threshold spam %.2f", r->spam);
	if (r->spam > r->spam_prob)
		fprintf(fp, "\t# raised from %.2f (prob 0.9): at most %g of "
		    "the training ham", r->spam_prob, f->opt.ham_loss);
	else
		fprintf(fp, "\t# prob 0.9");
	fprintf(fp, "\nthreshold surespam %.2f", r->surespam);
	if (r->surespam > r->surespam_prob)
		fprintf(fp, "\t# raised from %.2f (prob 0.999)",
		    r->surespam_prob);
	else
		fprintf(fp, "\t# prob 0.999");
	fprintf(fp, "\n\n# symbol weight\t\t\t# training lines with it\n");
}

struct keptw {
	char		*key;		/* as the stream escapes it */
	double		 weight;
};

struct kept {
	const struct fit *f;
	struct keptw	*w;
	size_t		 n, cap;
};

/* A base weight whose symbol no training line had, for --keep-unseen. */
static void
keep_unseen(const char *key, double weight, void *arg)
{
	struct kept *k = arg;
	const struct fit *f = k->f;

	if (f->symtabcap > 0 && f->symtab[sym_slot(f, key, strlen(key))] != 0)
		return;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->w = xrealloc(k->w, k->cap * sizeof(*k->w));
	}
	k->w[k->n].key = xstrdup(key);
	k->w[k->n++].weight = weight;
}

static int
by_kept_key(const void *a, const void *b)
{
	return strcmp(((const struct keptw *)a)->key,
	    ((const struct keptw *)b)->key);
}

/*
 * --keep-unseen: the base file's weights of symbols no training line
 * had, converted to this file's log odds by the base's B, so that
 * fitting on mail checked offline keeps the weights of DNS checks.
 */
static void
write_kept(const struct fit *f, FILE *fp)
{
	struct kept k = { f, NULL, 0, 0 };
	const char *path = weights_path(f->base);
	double a, b;
	struct buf u;
	size_t i;

	weights_each(f->base, keep_unseen, &k);
	if (k.n == 0)
		return;
	qsort(k.w, k.n, sizeof(*k.w), by_kept_key);
	weights_calibration(f->base, &a, &b);
	fprintf(fp, "\n# Kept from %s (--keep-unseen): no training line had "
	    "these;\n# their weights there times its B, %.6f.\n",
	    path ? path : "the built-in defaults", b);
	buf_init(&u);
	for (i = 0; i < k.n; i++) {
		buf_reset(&u);
		stream_unescape(k.w[i].key, &u);
		fprintf(fp, "%-31s %8.4f\t# kept\n", u.s,
		    written(k.w[i].weight * b));
		free(k.w[i].key);
	}
	buf_free(&u);
	free(k.w);
}

/* Write the weights file; 0, or -1 on a write error. */
int
fit_write(const struct fit *f, FILE *fp)
{
	const struct fsym **order;
	struct buf b;
	size_t i;

	write_header(f, fp);
	order = xcalloc(f->nsym + 1, sizeof(*order));
	for (i = 0; i < f->nsym; i++)
		order[i] = &f->sym[i];
	qsort(order, f->nsym, sizeof(*order), by_key);
	buf_init(&b);
	for (i = 0; i < f->nsym; i++) {
		const struct fsym *y = order[i];

		buf_reset(&b);
		stream_unescape(y->key, &b);
		fprintf(fp, "%-31s %8.4f\t# ham %lu, spam %lu\n", b.s,
		    written(f->x[1 + (y - f->sym)]), y->nham, y->nspam);
	}
	buf_free(&b);
	free(order);
	if (f->opt.keep_unseen && f->base != NULL)
		write_kept(f, fp);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
