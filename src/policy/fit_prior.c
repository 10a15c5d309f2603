/*
 * fit_prior.c - what xd-score --fit believes before it sees a line:
 * each weight is normal around its hand weight (the -w file's weight
 * times that file's B, in log odds as --keep-unseen converts it),
 * bounded, of the sign the hand gave it, and the weights of a family
 * declared as bands in order.  A fit of its own on one corpus finds
 * weights that only that corpus rewards; the prior keeps what the rule
 * was written to say unless the mail says otherwise loud enough.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/fit_int.h"

/* The hand weight of feature j in the base file's log odds. */
static double
hand_weight(const struct fit *f, const struct fsym *y, double b)
{
	const char *eq = memchr(y->key, '=', y->keylen);
	size_t namelen = eq ? (size_t)(eq - y->key) : y->keylen;
	double w;

	if (f->base == NULL)
		return 0;
	w = weights_symbol(f->base, y->key, namelen, NULL, NULL) * b;
	return fmax(-FIT_BOUND, fmin(FIT_BOUND, w));
}

/*
 * A weight keeps the sign of its hand weight and stays within the
 * bound, or within the hand weight where that is larger (a test string
 * that decides alone).  0 is always allowed, so the bands can be met.
 */
static void
bounds(double h, double bound, double *lo, double *hi)
{
	*lo = h > 0 ? 0 : fmin(-bound, h);
	*hi = h < 0 ? 0 : fmax(bound, h);
}

/* The number after prefix when the rest of key is digits, else -1. */
static long
band_number(const char *key, const char *prefix)
{
	size_t n = strlen(prefix), i;

	if (strncmp(key, prefix, n) != 0 || key[n] == '\0')
		return -1;
	for (i = n; key[i] != '\0'; i++)
		if (key[i] < '0' || key[i] > '9' || i - n > 8)
			return -1;
	return strtol(key + n, NULL, 10);
}

struct chains {
	struct fit	*f;
	unsigned char	*taken;		/* feature already in a chain */
	long		*num;
};

static struct chains *sort_arg;		/* qsort has no argument */

static int
by_band_number(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long nx = sort_arg->num[x], ny = sort_arg->num[y];

	if (nx != ny)
		return nx < ny ? -1 : 1;
	/* 0 written longer is the band nearer 0: LR_000 comes before LR_00 */
	if (strlen(sort_arg->f->sym[x].key) != strlen(sort_arg->f->sym[y].key))
		return strlen(sort_arg->f->sym[x].key) >
		    strlen(sort_arg->f->sym[y].key) ? -1 : 1;
	return strcmp(sort_arg->f->sym[x].key, sort_arg->f->sym[y].key);
}

/* One "bands" declaration: its features that the lines had, in order. */
static void
add_chain(const char *prefix, int falling, void *arg)
{
	struct chains *c = arg;
	struct fit *f = c->f;
	struct fchain *ch;
	size_t j, off = 0, n = 0;

	for (j = 0; j < f->nchain; j++)
		off += f->chain[j].len;
	for (j = 0; j < f->nsym; j++) {
		if (c->taken[j] || (c->num[j] = band_number(f->sym[j].key,
		    prefix)) < 0)
			continue;
		f->chainidx[off + n++] = j;
	}
	if (n < 2)
		return;		/* one band has no order to keep */
	sort_arg = c;
	qsort(f->chainidx + off, n, sizeof(*f->chainidx), by_band_number);
	for (j = 0; j < n; j++)
		c->taken[f->chainidx[off + j]] = 1;
	f->chain = xrealloc(f->chain, (f->nchain + 1) * sizeof(*f->chain));
	ch = &f->chain[f->nchain++];
	ch->prefix = xstrdup(prefix);
	ch->falling = falling;
	ch->off = off;
	ch->len = n;
}

/* The hand weights, the bounds and the band chains of every feature. */
void
fit_prior(struct fit *f)
{
	struct chains c;
	double a, b = 1;
	size_t j;

	f->hand = xcalloc(f->nsym + 1, sizeof(*f->hand));
	f->lo = xcalloc(f->nsym + 1, sizeof(*f->lo));
	f->hi = xcalloc(f->nsym + 1, sizeof(*f->hi));
	f->chainidx = xcalloc(f->nsym + 1, sizeof(*f->chainidx));
	if (f->base != NULL)
		weights_calibration(f->base, &a, &b);
	for (j = 0; j < f->nsym; j++) {
		f->hand[j] = hand_weight(f, &f->sym[j], b);
		bounds(f->hand[j], f->opt.bound, &f->lo[j], &f->hi[j]);
	}
	if (f->base == NULL)
		return;
	c.f = f;
	c.taken = xcalloc(f->nsym + 1, 1);
	c.num = xcalloc(f->nsym + 1, sizeof(*c.num));
	weights_each_band(f->base, add_chain, &c);
	free(c.taken);
	free(c.num);
}

static void
write_band(const char *prefix, int falling, void *arg)
{
	fprintf(arg, "bands %s* %s\n", prefix, falling ? "falling" : "rising");
}

/* The base's band declarations, so that a fit of the fit keeps them. */
void
fit_prior_write(const struct fit *f, FILE *fp)
{
	if (f->base == NULL)
		return;
	weights_each_band(f->base, write_band, fp);
}

/*
 * Project v[0..n) onto the rising sequences within [lo, hi] in the
 * metric of the weights wt.  The bounds are made rising first (a value
 * can be no lower than a lower bound before it, no higher than an
 * upper bound after it), which keeps the feasible set.  Then the
 * pool-adjacent-violators algorithm, each block's value its weighted
 * mean clipped to the bounds all its members share, pooling while a
 * block's value is above the next one's.  Clipping after a plain PAV
 * would not do: a value held at a bound changes where its neighbours
 * belong.
 */
struct block {
	double	 sum, weight, lo, hi;
	size_t	 len;
};

static double
block_value(const struct block *b)
{
	return fmin(fmax(b->sum / b->weight, b->lo), b->hi);
}

void
fit_isotonic(double *v, const double *wt, const double *lo,
    const double *hi, size_t n)
{
	struct block *b;
	double l, h, *tlo, *thi;
	size_t nb = 0, i, j, k;

	if (n == 0)
		return;
	b = xcalloc(n, sizeof(*b));
	tlo = xcalloc(2 * n, sizeof(*tlo));
	thi = tlo + n;
	for (i = 0, l = -INFINITY; i < n; i++)
		tlo[i] = l = fmax(l, lo[i]);
	for (i = n, h = INFINITY; i > 0; i--)
		thi[i - 1] = h = fmin(h, hi[i - 1]);
	for (i = 0; i < n; i++) {
		b[nb].weight = wt[i] > 0 ? wt[i] : 1e-12;
		b[nb].sum = v[i] * b[nb].weight;
		b[nb].lo = tlo[i];
		b[nb].hi = thi[i];
		b[nb++].len = 1;
		while (nb > 1 && block_value(&b[nb - 2]) >
		    block_value(&b[nb - 1])) {
			b[nb - 2].sum += b[nb - 1].sum;
			b[nb - 2].weight += b[nb - 1].weight;
			b[nb - 2].lo = fmax(b[nb - 2].lo, b[nb - 1].lo);
			b[nb - 2].hi = fmin(b[nb - 2].hi, b[nb - 1].hi);
			b[nb - 2].len += b[nb - 1].len;
			nb--;
		}
	}
	for (i = 0, k = 0; i < nb; i++)
		for (j = 0; j < b[i].len; j++)
			v[k++] = block_value(&b[i]);
	free(b);
	free(tlo);
}
