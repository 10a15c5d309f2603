/*
 * lr_learn.c - how xd-lr(1) learns a message, for its stage and for
 * whatever learns one file at once (xd-act --release): a message's
 * features, the online step (train on error), and what moved written
 * to the store as additions.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"

/* The update rule's settings, from xd.conf once it is loaded. */
void
lr_rule_conf(struct lr_rule *r)
{
	r->rate = conf_double("lr_rate");
	r->margin = conf_double("lr_margin");
	r->always = strcmp(conf_str("lr_train"), "always") == 0;
}

/*
 * The features and digest of the message at loc, with the subject tag
 * xdtag taken off as bayes_tokenize() does; -1 and why if it cannot be
 * read.
 */
int
lr_message_features(const struct locator *loc, const char *xdtag,
    struct lr_features *f, unsigned char *digest,
    const char **why)
{
	const struct bayes_tokens *tk;
	struct message *m;

	if ((m = view_message(loc, why)) == NULL)
		return -1;
	tk = message_tokens(m, xdtag);
	memcpy(digest, tk->digest, BAYES_DIGEST);
	lr_features_make(f, tk, tk->view->s ? tk->view->s : "",
	    tk->view->len);
	view_release(m);
	return 0;
}

/* The weights vals (in units) of f into c, as they were read. */
void
lr_cache_load(struct lr_cache *c, const struct lr_features *f,
    const int32_t *vals)
{
	size_t j;

	for (j = 0; j < f->n; j++)
		lr_cache_put(c, f->idx[j], (double)vals[j] * LR_UNIT);
}

/*
 * Learn the message of features f and digest as cls, after those
 * before it in c: one learned as cls already (was, from its seen
 * record) is left alone; any other moves the weights by rate (y - p)
 * when p is on the wrong side of the margin (or always), and is
 * queued as learned.
 */
enum lr_outcome
lr_learn_one(struct lr_db *db, struct lr_cache *c, const struct lr_rule *r,
    const struct lr_features *f, const unsigned char *digest, long long was,
    int cls)
{
	enum lr_outcome done = LR_KEPT;
	double y = cls == BAYES_SPAM ? 1 : 0, p;

	if (was == cls)
		return LR_ALREADY;
	p = lr_prob(lr_cache_score(c, f));
	if (r->always || fabs(y - p) > r->margin) {
		lr_cache_step(c, f, r->rate * (y - p));
		done = LR_UPDATED;
	}
	lr_queue_learned(db, digest, was, cls);
	return done;
}

struct deltas {
	uint32_t	*idx;
	int32_t		*d;
	size_t		 n, cap;
};

static void
put_delta(uint32_t i, double d, void *arg)
{
	struct deltas *dl = arg;
	long long units = llround(d / LR_UNIT);

	if (units == 0)
		return;
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? 2 * dl->cap : 4096;
		dl->idx = xrealloc(dl->idx, dl->cap * sizeof(*dl->idx));
		dl->d = xrealloc(dl->d, dl->cap * sizeof(*dl->d));
	}
	dl->idx[dl->n] = i;
	dl->d[dl->n++] = units > INT32_MAX ? INT32_MAX :
	    units < INT32_MIN ? INT32_MIN : (int32_t)units;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The additions in the order of the weights, as the store wants them. */
static void
sort_deltas(struct deltas *dl)
{
	uint64_t *pair = xcalloc(dl->n ? dl->n : 1, sizeof(*pair));
	size_t i;

	for (i = 0; i < dl->n; i++)
		pair[i] = (uint64_t)dl->idx[i] << 32 | (uint32_t)dl->d[i];
	qsort(pair, dl->n, sizeof(*pair), cmp_u64);
	for (i = 0; i < dl->n; i++) {
		dl->idx[i] = (uint32_t)(pair[i] >> 32);
		dl->d[i] = (int32_t)(uint32_t)pair[i];
	}
	free(pair);
}

/*
 * Write what moved in c since it was loaded, with what else is queued
 * (the seen records), in one run; -1 and why if the store failed.
 */
int
lr_learn_commit(struct lr_db *db, const struct lr_cache *c, const char **why)
{
	struct deltas dl;
	int rc;

	memset(&dl, 0, sizeof(dl));
	lr_cache_deltas(c, put_delta, &dl);
	sort_deltas(&dl);
	lr_queue_deltas(db, dl.idx, dl.d, dl.n);
	/* the store holds on to the additions until it has run */
	rc = store_run(lr_db_store(db), why);
	free(dl.idx);
	free(dl.d);
	return rc;
}

/* Read f's weights and the seen record of digest, then learn. */
static int
learn_features(struct lr_db *db, const struct lr_features *f,
    const unsigned char *digest, int cls, enum lr_outcome *outcome,
    const char **why)
{
	struct lr_cache *c;
	struct store_val seen;
	struct lr_rule r;
	int32_t *vals = xcalloc(f->n ? f->n : 1, sizeof(*vals));
	int rc = -1;

	lr_queue_weights(db, f, vals);
	lr_queue_seen(db, digest, &seen);
	if (store_run(lr_db_store(db), why) == 0) {
		c = lr_cache_new(f->n);
		lr_cache_load(c, f, vals);
		lr_rule_conf(&r);
		*outcome = lr_learn_one(db, c, &r, f, digest, seen.n[0], cls);
		rc = lr_learn_commit(db, c, why);
		lr_cache_free(c);
	}
	free(vals);
	return rc;
}

/*
 * Learn one message file as cls in the configured store, at once, as
 * xd-lr --learn would: what xd-act --release does for each message it
 * gives back.  -1 and why if it could not.
 */
int
lr_learn_file(const struct locator *loc, int cls, enum lr_outcome *outcome,
    const char **why)
{
	static char err[512];	/* the store's words outlive the store */
	unsigned char digest[BAYES_DIGEST];
	enum lr_scheme_state state;
	struct lr_features f;
	struct lr_db *db;
	long long found;
	int rc = -1;

	lr_features_init(&f);
	if (lr_message_features(loc, conf_str("subject_tag"), &f, digest,
	    why) == -1)
		return -1;
	if ((db = lr_db_open(NULL, why)) != NULL) {
		if (lr_db_scheme(db, 1, &state, &found, why) == 0) {
			if (state == LR_SCHEME_OTHER)
				*why = "the learner's weights are of another "
				    "feature scheme: re-train";
			else
				rc = learn_features(db, &f, digest, cls,
				    outcome, why);
		}
		if (rc == -1) {
			snprintf(err, sizeof(err), "%s", *why);
			*why = err;
		}
		lr_db_close(db);
	}
	lr_features_free(&f);
	return rc;
}
