/*
 * fit.c - fit the weights of a weights file (xd-weights(5)) to labelled
 * mail by logistic regression with a prior on the hand weights, as
 * xd-score --fit does; fit_int.h says where each part lives.
 *
 * Every feature is binary (a symbol is on a line or not), so lines
 * with the same set of symbols are the same data point: the stream is
 * read once and only its distinct symbol sets are kept, each with its
 * count of ham and spam lines.  Memory grows with the number of
 * distinct sets, not of lines, and both are bounded.  The loss is then
 * minimised (fit_opt.c), each pass costing one walk over the sets.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

#define FIT_MAX_SYMBOLS	100000		/* distinct features */
#define FIT_MAX_IDS	(50UL * 1000 * 1000)	/* symbols over all sets */

void
fit_defaults(struct fit_opts *o)
{
	o->lambda = 0;
	o->ham_cost = 1.0;
	o->ham_loss = 0.001;
	o->sure_loss = 0;
	o->sure_margin = 2;
	o->bound = 5;
	o->folds = 5;
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
	free(f->fcount);
	free(f->x);
	free(f->hand);
	free(f->lo);
	free(f->hi);
	for (i = 0; i < f->nchain; i++)
		free(f->chain[i].prefix);
	free(f->chain);
	free(f->chainidx);
	fit_cv_free(f);
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
	fit_cv_count(f, (size_t)(s - f->set), rec, spam);
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

/* A weight as the file will hold it, so thresholds see what xd-score will. */
double
fit_written(double w)
{
	w = round(w * 10000) / 10000 + 0.0;
	return fmax(-FIT_BOUND, fmin(FIT_BOUND, w));
}

/* What xd-score would write as the score of set s under weights x. */
double
fit_set_score(const struct fit *f, const struct fset *s, const double *x)
{
	double sum = 0;
	size_t j;

	for (j = 0; j < s->len; j++)
		sum += fit_written(x[1 + f->ids[s->off + j]]);
	return round(sum * 100) / 100 + 0.0;
}

/*
 * Fit the weights: the prior, the penalty by inner folds, the fit to
 * every line, the thresholds.  0, or -1 when a class has no lines.
 */
int
fit_solve(struct fit *f)
{
	double *cnt;
	size_t i;

	if (f->nham == 0 || f->nspam == 0)
		return -1;
	fit_prior(f);
	fit_cv(f);
	cnt = xcalloc(2 * f->nset + 1, sizeof(*cnt));
	for (i = 0; i < f->nset; i++) {
		cnt[2 * i] = f->set[i].nham;
		cnt[2 * i + 1] = f->set[i].nspam;
	}
	f->x = xcalloc(f->nsym + 1, sizeof(*f->x));
	fit_start(f, cnt, f->x);
	fit_minimise(f, cnt, f->lambda, f->x, &f->res);
	free(cnt);
	fit_thresholds(f);
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
	const char *path = f->base ? weights_path(f->base) : NULL;

	fprintf(fp, "# Weights fitted by xd-score --fit, see xd-score(1):\n"
	    "# logistic regression on %lu lines (%lu ham, %lu spam),\n"
	    "# %zu symbols, %zu distinct symbol sets; ham cost %g;\n"
	    "# prior: normal around the weights of %s in log odds,\n"
	    "# precision %g (%s), bound %g;\n"
	    "# %s after %d iterations, loss %.4f per line.\n\n",
	    f->nham + f->nspam, f->nham, f->nspam, f->nsym, f->nset,
	    f->opt.ham_cost, path ? path : "no file", f->lambda,
	    f->opt.lambda > 0 ? "--lambda" : f->cv ?
	    "chosen by the inner folds" : "too few lines for inner folds",
	    f->opt.bound,
	    r->converged ? "converged" : "stopped at the bound", r->iterations,
	    r->loss / (f->opt.ham_cost * f->nham + f->nspam));
	fit_prior_write(f, fp);
	fprintf(fp, "# prob = 1 / (1 + exp(-(A + B * score)))\n"
	    "calibration %.6f %.6f\n", r->a, r->b);
	fit_thresholds_write(f, fp);
	fprintf(fp, "\n# symbol weight\t\t\t# training lines with it\n");
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
		    fit_written(k.w[i].weight * b));
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
		    fit_written(f->x[1 + (y - f->sym)]), y->nham, y->nspam);
	}
	buf_free(&b);
	free(order);
	if (f->opt.keep_unseen && f->base != NULL)
		write_kept(f, fp);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
