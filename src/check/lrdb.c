/*
 * lrdb.c - the model of xd-lr(1) in the store (xd-store(5)).
 *
 * Tables:
 *	lr_w		the weights: one vector (store_vec_get()) of
 *			2^LR_BITS counters, each a weight in units of LR_UNIT
 *	lr_count	"messages": n[0] ham and n[1] spam learned;
 *			"scheme": n[0] is the LR_SCHEME the weights mean
 *	lr_seen		a message learned: n[0] its class (1 ham, 2 spam)
 *
 * A weight changes by addition, so that learners that run at once
 * both count.  Scheme 1 kept each weight as a record of the table lr,
 * scheme 2 the same features in 2^22 weights: a store of either is of
 * another scheme, never read as this one.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"

#define SEEN_MAX	1000000

struct lr_db {
	struct store	*st;
	struct store_table w, old, count, seen;
};

static const char b64[] =
    "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/* The seen-set's key: 128 bits of the message's digest, in base64. */
static void
seen_key(const unsigned char *d, char out[23])
{
	unsigned v = 0;
	size_t i, k = 0;
	int bits = 0;

	for (i = 0; i < 16; i++) {
		v = (v << 8) | d[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[k++] = b64[(v >> bits) & 63];
		}
	}
	out[k++] = b64[(v << (6 - bits)) & 63];
	out[k] = '\0';
}

struct lr_db *
lr_db_open(const char *url, const char **why)
{
	struct lr_db *db;
	struct store *st;

	if ((st = store_open(url, why)) == NULL)
		return NULL;
	db = xcalloc(1, sizeof(*db));
	db->st = st;
	db->w.name = "lr_w";
	db->old.name = "lr";
	db->count.name = "lr_count";
	db->seen.name = "lr_seen";
	db->seen.max = SEEN_MAX;
	return db;
}

void
lr_db_close(struct lr_db *db)
{
	if (db == NULL)
		return;
	store_close(db->st);
	free(db);
}

struct store *
lr_db_store(struct lr_db *db)
{
	return db->st;
}

/* Queue fetching the weights of f into vals[0 .. f->n - 1]. */
void
lr_queue_weights(struct lr_db *db, const struct lr_features *f,
    int32_t *vals)
{
	store_vec_get(db->st, &db->w, f->idx, f->n, vals);
}

void
lr_queue_totals(struct lr_db *db, struct store_val *out)
{
	store_get(db->st, &db->count, "messages", out);
}

void
lr_queue_seen(struct lr_db *db, const unsigned char *digest,
    struct store_val *out)
{
	char key[23];

	seen_key(digest, key);
	store_get(db->st, &db->seen, key, out);
}

/*
 * Queue recording a message learned as cls that was learned as was
 * (0: never): its seen record and the totals move together.
 */
void
lr_queue_learned(struct lr_db *db, const unsigned char *digest, long long was,
    int cls)
{
	char key[23];

	seen_key(digest, key);
	store_if(db->st, &db->seen, key, was, cls, 0, NULL);
	store_add(db->st, &db->count, "messages",
	    (cls == BAYES_HAM) - (was == BAYES_HAM),
	    (cls == BAYES_SPAM) - (was == BAYES_SPAM), NULL);
	store_endif(db->st);
}

/* Queue adding d[j] units to weight idx[j], idx ascending. */
void
lr_queue_deltas(struct lr_db *db, const uint32_t *idx, const int32_t *d,
    size_t n)
{
	store_vec_add(db->st, &db->w, idx, d, n);
}

/*
 * What the store's weights mean.  A store with a scheme of another
 * version, or weights and no scheme, is LR_SCHEME_OTHER (*found: its
 * scheme, 0 for none): its weights are of other features and must not
 * be read as these.  An empty store is LR_SCHEME_EMPTY, and a learner
 * (learning non-zero) marks it with LR_SCHEME at once.
 */
int
lr_db_scheme(struct lr_db *db, int learning, enum lr_scheme_state *state,
    long long *found, const char **why)
{
	struct store_val scheme, tot;
	long long weights;

	store_get(db->st, &db->count, "scheme", &scheme);
	store_get(db->st, &db->count, "messages", &tot);
	if (store_run(db->st, why) == -1)
		return -1;
	*found = scheme.n[0];
	if (scheme.n[0] == LR_SCHEME) {
		*state = LR_SCHEME_OK;
		return 0;
	}
	if ((weights = store_count(db->st, &db->old, why)) < 0)
		return -1;
	if (scheme.n[0] != 0 || tot.n[0] > 0 || tot.n[1] > 0 ||
	    weights > 0) {
		*state = LR_SCHEME_OTHER;
		return 0;
	}
	*state = LR_SCHEME_EMPTY;
	if (!learning)
		return 0;
	store_if(db->st, &db->count, "scheme", 0, LR_SCHEME, 0, NULL);
	store_endif(db->st);
	return store_run(db->st, why);
}

/* Non-zero weights, one block a run. */
static long long
nonzero(struct lr_db *db, const char **why)
{
	static uint32_t idx[STORE_VEC_BLOCK];
	static int32_t w[STORE_VEC_BLOCK];
	long long n = 0;
	uint32_t b, i;

	for (b = 0; b < LR_SIZE / STORE_VEC_BLOCK; b++) {
		for (i = 0; i < STORE_VEC_BLOCK; i++)
			idx[i] = b * STORE_VEC_BLOCK + i;
		store_vec_get(db->st, &db->w, idx, STORE_VEC_BLOCK, w);
		if (store_run(db->st, why) == -1)
			return -1;
		for (i = 0; i < STORE_VEC_BLOCK; i++)
			n += w[i] != 0;
	}
	return n;
}

/* Weights and messages remembered, for --stats; -1 on a store error. */
int
lr_db_stats(struct lr_db *db, long long *weights, long long *seen,
    const char **why)
{
	if ((*weights = nonzero(db, why)) < 0 ||
	    (*seen = store_count(db->st, &db->seen, why)) < 0)
		return -1;
	return 0;
}
