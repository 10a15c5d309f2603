/*
 * bayes_expire.c - ageing the Bayes tokens out, as bogofilter's
 * bogoutil and SpamAssassin's expiry do (xd-bayes(1) --expire).
 *
 * A token's record keeps the time a message that had it was last
 * learned.  Tokens not learned for bayes_token_ttl are gone (the store
 * ages them: see xd-store(5)); a sweep removes them from the file.  The
 * rare and stale go first: a token only one message ever had, not
 * learned again for bayes_rare_ttl, is mostly a typo, a message id or
 * a random string, and it is the bulk of a store.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "policy/policy.h"
#include "check/check.h"

#define EXPIRE_BATCH	10000	/* deletions one store run holds */

struct rare_walk {
	long long	 before;	/* last learned earlier than this */
	struct buf	 keys;		/* NUL-terminated keys to remove */
	long long	 n;
};

/* Records come oldest first: the first one recent enough ends it. */
static int
rare_one(const char *key, const struct store_val *v, void *arg)
{
	struct rare_walk *w = arg;

	if (v->last >= w->before)
		return 1;
	if (v->n[0] + v->n[1] <= 1) {
		buf_add(&w->keys, key, strlen(key) + 1);
		w->n++;
	}
	return 0;
}

/* Remove the keys collected, EXPIRE_BATCH in each atomic run. */
static int
remove_keys(struct store *st, const struct store_table *t,
    const struct buf *keys, const char **why)
{
	const char *k = keys->s, *end = keys->s + keys->len;
	size_t queued = 0;

	for (; k != NULL && k < end; k += strlen(k) + 1) {
		store_del(st, t, k);
		if (++queued == EXPIRE_BATCH) {
			if (store_run(st, why) == -1)
				return -1;
			queued = 0;
		}
	}
	return queued > 0 ? store_run(st, why) : 0;
}

/*
 * Sweep the aged tokens out (*aged counts them), then remove those one
 * message had and not learned for rare_ttl seconds (*rare; rare_ttl 0:
 * none).  A rare token learned again between the walk and its removal
 * loses that one count, which cannot matter.
 */
int
bayes_expire(struct bayes_db *db, long long rare_ttl, long long *aged,
    long long *rare, const char **why)
{
	struct store *st = bayes_db_store(db);
	const struct store_table *t = bayes_db_tokens(db);
	struct store_val swept;
	struct rare_walk w;
	int rc = 0;

	*aged = *rare = 0;
	memset(&swept, 0, sizeof(swept));
	store_expire(st, t, &swept);
	if (store_run(st, why) == -1)
		return -1;
	*aged = swept.n[0];
	if (rare_ttl <= 0)
		return 0;
	memset(&w, 0, sizeof(w));
	buf_init(&w.keys);
	w.before = store_time(st) - rare_ttl;
	if (store_walk(st, t, rare_one, &w, why) == -1 ||
	    remove_keys(st, t, &w.keys, why) == -1)
		rc = -1;
	else
		*rare = w.n;
	buf_free(&w.keys);
	return rc;
}
