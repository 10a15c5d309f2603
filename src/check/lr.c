/*
 * lr.c - the features and the update rule of xd-lr(1), an online
 * logistic regression in the manner of Goodman and Yih (CEAS 2006) and
 * of the best runs of the TREC 2007 spam track (Cormack's overview):
 * binary features hashed into 2^LR_BITS weights, p = 1 / (1 + e^-w.x),
 * and after each message learned w += rate (y - p) x.
 *
 * A message's features are its character 4-grams of the first LR_VIEW
 * bytes of its text as a reader sees it (subject, sender's name, text
 * of the parts: see bayes_tokenize()), the Bayes tokens with their
 * sparse bigrams, and one feature every message has, the bias.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"

#define GRAM_SEED	0x9e3779b97f4a7c15ULL	/* 4-grams apart from tokens */
#define GRAM_MIX	0xff51afd7ed558ccdULL
#define GRAM_MASK	((1ULL << (8 * LR_GRAM)) - 1)

void
lr_features_init(struct lr_features *f)
{
	memset(f, 0, sizeof(*f));
}

void
lr_features_free(struct lr_features *f)
{
	free(f->idx);
	lr_features_init(f);
}

/* The top LR_BITS bits of a 64-bit hash, mixed once more. */
static uint32_t
slot(uint64_t h)
{
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (uint32_t)(h >> (64 - LR_BITS));
}

/* Room for n more features, as many as the message can have, no more. */
static void
reserve(struct lr_features *f, size_t n)
{
	if (f->n + n <= f->cap)
		return;
	f->cap = f->n + n;
	f->idx = xrealloc(f->idx, f->cap * sizeof(*f->idx));
}

static void
add(struct lr_features *f, uint32_t i)
{
	f->idx[f->n++] = i;
}

/*
 * Sort the indices by radix, two passes of counting on RADIX_BITS bits
 * each through a copy and back: qsort's comparisons cost more than all
 * the rest of a message's features.
 */
#define RADIX_BITS	((LR_BITS + 1) / 2)
#define RADIX		(1u << RADIX_BITS)

static void
radix_pass(const uint32_t *from, uint32_t *to, size_t n, int shift)
{
	size_t count[RADIX], i, pos, c;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[(from[i] >> shift) & (RADIX - 1)]++;
	for (i = pos = 0; i < RADIX; i++) {
		c = count[i];
		count[i] = pos;
		pos += c;
	}
	for (i = 0; i < n; i++)
		to[count[(from[i] >> shift) & (RADIX - 1)]++] = from[i];
}

static void
radix_sort(struct lr_features *f)
{
	uint32_t *tmp = xcalloc(f->n ? f->n : 1, sizeof(*tmp));

	radix_pass(f->idx, tmp, f->n, 0);
	radix_pass(tmp, f->idx, f->n, RADIX_BITS);
	free(tmp);
}

/*
 * The features of a message: its tokens t and the 4-grams of view (n
 * bytes, cut at LR_VIEW), sorted, each once.
 */
void
lr_features_make(struct lr_features *f, const struct bayes_tokens *t,
    const char *view, size_t n)
{
	uint64_t gram;
	size_t i, k;

	if (n > LR_VIEW)
		n = LR_VIEW;
	f->n = 0;
	reserve(f, 1 + t->n + (n >= LR_GRAM ? n - LR_GRAM + 1 : 0));
	add(f, slot(bayes_hash("lr:bias", 7)));
	for (i = 0; i < t->n; i++)
		add(f, slot(t->h[i]));
	/* a 4-gram is its bytes as a number, rolled on a byte at a time */
	for (i = 0, gram = 0; i < n; i++) {
		gram = (gram << 8 | (unsigned char)view[i]) & GRAM_MASK;
		if (i + 1 >= LR_GRAM)
			add(f, slot((gram + GRAM_SEED) * GRAM_MIX));
	}
	radix_sort(f);
	for (i = k = 0; i < f->n; i++)
		if (k == 0 || f->idx[k - 1] != f->idx[i])
			f->idx[k++] = f->idx[i];
	/* a batch holds each message's features till it is done: no slack */
	f->n = k;
	f->cap = k ? k : 1;
	f->idx = xrealloc(f->idx, f->cap * sizeof(*f->idx));
}

/*
 * Each feature of a message counts 1 / sqrt(n) of its n: the vector is
 * of length 1, so that a long message (thousands of 4-grams) moves no
 * more and scores no surer than a short one, and one rate suits both.
 */
double
lr_scale(const struct lr_features *f)
{
	return f->n > 0 ? 1 / sqrt((double)f->n) : 1;
}

/* The logistic function, kept off 0 and 1 so that bands stay apart. */
double
lr_prob(double score)
{
	if (score > 30)
		score = 30;
	if (score < -30)
		score = -30;
	return 1 / (1 + exp(-score));
}

/*
 * The band of a probability.  The learner is sure more often than
 * Bayes is: the bands at either end are split finer, so that the fit
 * of xd-score(1) can weigh "sure" apart from "very sure".
 */
const char *
lr_band(double p)
{
	static const struct { double below; const char *name; } band[] = {
		{ 0.001, "LR_000" }, { 0.01, "LR_00" }, { 0.05, "LR_05" },
		{ 0.20, "LR_20" }, { 0.40, "LR_40" }, { 0.60, "LR_50" },
		{ 0.80, "LR_60" }, { 0.95, "LR_80" }, { 0.99, "LR_95" },
		{ 0.999, "LR_99" },
	};
	size_t i;

	for (i = 0; i < sizeof(band) / sizeof(band[0]); i++)
		if (p < band[i].below)
			return band[i].name;
	return "LR_999";
}

/* --- a batch's weights ------------------------------------------------ */

struct lr_slot {
	uint32_t	 key;		/* index + 1; 0: free */
	double		 w, base;	/* now, and as fetched */
};

struct lr_cache {
	struct lr_slot	*s;
	size_t		 cap, n;
};

/* A cache for about n weights. */
struct lr_cache *
lr_cache_new(size_t n)
{
	struct lr_cache *c = xcalloc(1, sizeof(*c));

	for (c->cap = 1024; c->cap < 2 * n; c->cap *= 2)
		;
	c->s = xcalloc(c->cap, sizeof(*c->s));
	return c;
}

void
lr_cache_free(struct lr_cache *c)
{
	if (c == NULL)
		return;
	free(c->s);
	free(c);
}

static struct lr_slot *
find(const struct lr_cache *c, uint32_t i)
{
	size_t j;

	for (j = (i * 2654435761u) & (c->cap - 1); c->s[j].key != 0;
	    j = (j + 1) & (c->cap - 1))
		if (c->s[j].key == i + 1)
			return &c->s[j];
	return &c->s[j];
}

static void
grow(struct lr_cache *c)
{
	struct lr_slot *old = c->s, *to;
	size_t oldcap = c->cap, i;

	c->cap *= 2;
	c->s = xcalloc(c->cap, sizeof(*c->s));
	for (i = 0; i < oldcap; i++)
		if (old[i].key != 0) {
			to = find(c, old[i].key - 1);
			*to = old[i];
		}
	free(old);
}

/* Weight i as fetched; a weight already there (from this batch) stays. */
void
lr_cache_put(struct lr_cache *c, uint32_t i, double w)
{
	struct lr_slot *s;

	if (2 * (c->n + 1) > c->cap)
		grow(c);
	s = find(c, i);
	if (s->key != 0)
		return;
	s->key = i + 1;
	s->w = s->base = w;
	c->n++;
}

/* w.x of a message whose weights are all in the cache. */
double
lr_cache_score(const struct lr_cache *c, const struct lr_features *f)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct lr_slot *s = find(c, f->idx[i]);

		if (s->key != 0)
			sum += s->w;
	}
	return sum * lr_scale(f);
}

/* Add g to the weight of each feature of the message. */
void
lr_cache_step(struct lr_cache *c, const struct lr_features *f, double g)
{
	size_t i;

	g *= lr_scale(f);
	for (i = 0; i < f->n; i++) {
		struct lr_slot *s = find(c, f->idx[i]);

		if (s->key != 0)
			s->w += g;
	}
}

/* Each weight that moved and by how much. */
void
lr_cache_deltas(const struct lr_cache *c, lr_delta_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		if (c->s[i].key != 0 && c->s[i].w != c->s[i].base)
			fn(c->s[i].key - 1, c->s[i].w - c->s[i].base, arg);
}
