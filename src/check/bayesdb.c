/*
 * bayesdb.c - the Bayes model and the auto-allowlist in the store
 * (xd-store(5)): what xd-bayes(1) learns and reads, and what xd-act
 * --release learns through the library.
 *
 * Tables:
 *	bayes		a token: n[0] ham and n[1] spam messages that had it
 *	bayes_count	"messages": n[0] ham and n[1] spam messages learned;
 *			"scheme": n[0] is the TOKEN_SCHEME of the tokens
 *	bayes_seen	a message learned: n[0] is its class (1 ham, 2 spam);
 *			"s" + digest: a sent message whose recipients count
 *	awl		an address written to: n[0] messages sent to it
 *
 * Learning is a compare-and-set on the seen-set, so that the same
 * message learned twice counts once and learned as the other class
 * moves over, also when two learners race: the token counts change in
 * the same atomic batch as the seen record, or not at all.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "policy/policy.h"
#include "check/check.h"

#define SEEN_MAX	1000000	/* messages the seen-set remembers */
#define KEY_TOKEN	11	/* base64 of 64 bits */
#define KEY_DIGEST	22	/* base64 of 128 of the digest's bits */
#define CACHE_SLOTS	65536	/* tokens a batch keeps for the next */

struct bayes_db {
	struct store	*st;
	struct store_table tokens, count, seen, awl;
	char		*keys;		/* token keys of the message queued */
	size_t		 keycap;
};

/* base64 digits in ASCII order: sorted hashes make sorted keys */
static const char b64[] =
    "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/* n bytes as unpadded base64url into out, NUL-terminated. */
static void
encode(const unsigned char *p, size_t n, char *out)
{
	unsigned long v = 0;
	size_t i;
	int bits = 0;

	for (i = 0; i < n; i++) {
		v = (v << 8) | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*out++ = b64[(v >> bits) & 63];
		}
	}
	if (bits > 0)
		*out++ = b64[(v << (6 - bits)) & 63];
	*out = '\0';
}

static void
token_key(uint64_t h, char out[KEY_TOKEN + 1])
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(h >> (56 - 8 * i));
	encode(b, 8, out);
}

static void
digest_key(const unsigned char *d, const char *prefix,
    char out[KEY_DIGEST + 3])
{
	size_t n = strlen(prefix);

	memcpy(out, prefix, n);
	encode(d, 16, out + n);
}

struct bayes_db *
bayes_db_open(const char *url, const char **why)
{
	struct bayes_db *db;
	struct store *st;

	if ((st = store_open(url, why)) == NULL)
		return NULL;
	db = xcalloc(1, sizeof(*db));
	db->st = st;
	db->tokens.name = "bayes";
	db->tokens.max = conf_int("bayes_max_tokens");
	db->tokens.ttl = conf_int("bayes_token_ttl");
	db->count.name = "bayes_count";
	db->seen.name = "bayes_seen";
	db->seen.max = SEEN_MAX;
	db->awl.name = "awl";
	db->awl.max = conf_int("awl_max");
	return db;
}

void
bayes_db_close(struct bayes_db *db)
{
	if (db == NULL)
		return;
	store_close(db->st);
	free(db->keys);
	free(db);
}

struct store *
bayes_db_store(struct bayes_db *db)
{
	return db->st;
}

const struct store_table *
bayes_db_tokens(struct bayes_db *db)
{
	return &db->tokens;
}

/* The store operations learning a message of n tokens may queue. */
size_t
bayes_learn_ops(size_t n)
{
	return 2 * (n + 3);
}

static void
add_tokens(struct bayes_db *db, const struct bayes_tokens *t, long long dh,
    long long ds)
{
	char key[KEY_TOKEN + 1];
	size_t i;

	for (i = 0; i < t->n; i++) {
		token_key(t->h[i], key);
		store_add(db->st, &db->tokens, key, dh, ds, NULL);
	}
	store_add(db->st, &db->count, "messages", dh, ds, NULL);
}

/*
 * Queue learning the message of t as cls (BAYES_HAM or BAYES_SPAM), or
 * unlearning it (cls 0): two compare-and-sets on its seen record, one
 * for each state it may be in.  After the run, bayes_outcome() says
 * what was done.
 */
void
bayes_queue_learn(struct bayes_db *db, const struct bayes_tokens *t, int cls,
    struct bayes_learned *out)
{
	char key[KEY_DIGEST + 3];
	int other = cls == BAYES_HAM ? BAYES_SPAM : BAYES_HAM;

	digest_key(t->digest, "", key);
	out->cls = cls;
	if (cls == 0) {
		store_if(db->st, &db->seen, key, BAYES_HAM, 0, 0, &out->first);
		add_tokens(db, t, -1, 0);
		store_endif(db->st);
		store_if(db->st, &db->seen, key, BAYES_SPAM, 0, 0,
		    &out->second);
		add_tokens(db, t, 0, -1);
		store_endif(db->st);
		return;
	}
	store_if(db->st, &db->seen, key, 0, cls, 0, &out->first);
	add_tokens(db, t, cls == BAYES_HAM, cls == BAYES_SPAM);
	store_endif(db->st);
	store_if(db->st, &db->seen, key, other, cls, 0, &out->second);
	add_tokens(db, t, cls == BAYES_HAM ? 1 : -1, cls == BAYES_SPAM ? 1 : -1);
	store_endif(db->st);
}

/* What a learning run did, from the seen record as it was. */
enum bayes_outcome
bayes_outcome(const struct bayes_learned *l)
{
	long long was = l->first.n[0];

	if (l->cls == 0)
		return was == BAYES_HAM || was == BAYES_SPAM ?
		    BAYES_UNLEARNED : BAYES_UNKNOWN;
	if (was == 0)
		return BAYES_NEW;
	if (was == l->cls)
		return BAYES_ALREADY;
	return BAYES_MOVED;
}

/*
 * A batch of messages to classify: the tokens of them all, sorted and
 * each once, so that a token many have (most of a message's are) is
 * read once a batch and the store is read in key order (sorted hashes
 * make sorted keys), which LMDB does a page at a time.  The counts read
 * are kept for the next batches, one token a slot (a common token stays
 * as long as it is common), as long as the messages learned are what
 * they were: learning a message changes them.
 */
struct cached {
	uint64_t	 h;		/* 0: none */
	int32_t		 n[2];
};

struct bayes_batch {
	uint64_t	*h;		/* the tokens; after a run, distinct */
	size_t		 n, cap;
	struct store_val *vals;		/* after a run: h[i]'s counts */
	struct store_val total;		/* the messages learned */
	int		 ran;		/* the next add starts a batch */
	struct cached	*cache;		/* CACHE_SLOTS */
	long long	 cache_total[2];	/* what total was for it */
};

struct bayes_batch *
bayes_batch_new(void)
{
	return xcalloc(1, sizeof(struct bayes_batch));
}

void
bayes_batch_free(struct bayes_batch *b)
{
	if (b == NULL)
		return;
	free(b->h);
	free(b->vals);
	free(b->cache);
	free(b);
}

/* The tokens of a message the next bayes_batch_run() reads. */
void
bayes_batch_add(struct bayes_batch *b, const struct bayes_tokens *t)
{
	if (b->ran) {
		b->n = 0;
		b->ran = 0;
	}
	if (t->n == 0)
		return;
	if (b->n + t->n > b->cap) {
		b->cap = 2 * (b->n + t->n);
		b->h = xrealloc(b->h, 2 * b->cap * sizeof(*b->h));
	}
	memcpy(b->h + b->n, t->h, t->n * sizeof(*b->h));
	b->n += t->n;
}

static struct cached *
slot(const struct bayes_batch *b, uint64_t h)
{
	return &b->cache[h & (CACHE_SLOTS - 1)];
}

/* Queue reading the batch's tokens that the cache has (hit) or not. */
static int
queue_tokens(struct bayes_db *db, struct bayes_batch *b, int hit,
    const char **why)
{
	char key[KEY_TOKEN + 1];
	size_t i;

	for (i = 0; i < b->n; i++) {
		if ((slot(b, b->h[i])->h == b->h[i]) != hit)
			continue;
		if (store_pending(db->st) >= STORE_MAX_OPS &&
		    store_run(db->st, why) == -1)
			return -1;
		token_key(b->h[i], key);
		store_get(db->st, &db->tokens, key, &b->vals[i]);
	}
	return store_run(db->st, why);
}

/* Keep what was read; counts that do not fit are not kept. */
static void
keep(struct bayes_batch *b)
{
	const struct store_val *v;
	struct cached *c;
	size_t i;

	for (i = 0; i < b->n; i++) {
		v = &b->vals[i];
		c = slot(b, b->h[i]);
		if (v->n[0] < INT32_MIN || v->n[0] > INT32_MAX ||
		    v->n[1] < INT32_MIN || v->n[1] > INT32_MAX) {
			if (c->h == b->h[i])
				c->h = 0;
			continue;
		}
		c->h = b->h[i];
		c->n[0] = (int32_t)v->n[0];
		c->n[1] = (int32_t)v->n[1];
	}
	b->cache_total[0] = b->total.n[0];
	b->cache_total[1] = b->total.n[1];
}

/*
 * Read the counts of the batch's tokens not in the cache, with
 * whatever else is queued in the store, in runs of at most
 * STORE_MAX_OPS so that a batch of long messages does not fail; if the
 * messages learned changed since, the cached ones too.  -1 with *why if
 * a run failed.
 */
int
bayes_batch_run(struct bayes_db *db, struct bayes_batch *b, const char **why)
{
	size_t i, k = 0, hits = 0;
	struct cached *c;

	b->ran = 1;
	bayes_sort_hashes(b->h, b->n, b->h + b->cap);
	for (i = 0; i < b->n; i++)
		if (k == 0 || b->h[i] != b->h[k - 1])
			b->h[k++] = b->h[i];
	b->n = k;
	b->vals = xrealloc(b->vals, (b->n ? b->n : 1) * sizeof(*b->vals));
	if (b->cache == NULL)
		b->cache = xcalloc(CACHE_SLOTS, sizeof(*b->cache));
	for (i = 0; i < b->n; i++) {
		memset(&b->vals[i], 0, sizeof(b->vals[i]));
		if ((c = slot(b, b->h[i]))->h == b->h[i]) {
			b->vals[i].n[0] = c->n[0];
			b->vals[i].n[1] = c->n[1];
			hits++;
		}
	}
	memset(&b->total, 0, sizeof(b->total));
	store_get(db->st, &db->count, "messages", &b->total);
	if (queue_tokens(db, b, 0, why) == -1)
		return -1;
	if (hits > 0 && (b->total.n[0] != b->cache_total[0] ||
	    b->total.n[1] != b->cache_total[1]) &&
	    queue_tokens(db, b, 1, why) == -1)
		return -1;
	keep(b);
	return 0;
}

/*
 * The counts of a message's tokens h[0 .. n-1] (sorted, as added) into
 * vals[0 .. n-1], the messages learned into vals[n], from the batch:
 * from its cache, which has what the batch read unless two of its
 * tokens took the same slot, or else from what it read.
 */
void
bayes_batch_counts(const struct bayes_batch *b, const uint64_t *h, size_t n,
    struct store_val *vals)
{
	const struct cached *c;
	size_t i, lo = 0, hi, mid;

	for (i = 0; i < n; i++) {
		if (b->cache != NULL && (c = slot(b, h[i]))->h == h[i]) {
			memset(&vals[i], 0, sizeof(vals[i]));
			vals[i].n[0] = c->n[0];
			vals[i].n[1] = c->n[1];
			continue;
		}
		for (hi = b->n; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (b->h[mid] < h[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < b->n && b->h[lo] == h[i])
			vals[i] = b->vals[lo];
		else
			memset(&vals[i], 0, sizeof(vals[i]));
	}
	vals[n] = b->total;
}

void
bayes_queue_totals(struct bayes_db *db, struct store_val *out)
{
	store_get(db->st, &db->count, "messages", out);
}

static long long
nonneg(long long v)
{
	return v > 0 ? v : 0;
}

/*
 * The spam probability from the counts bayes_batch_counts() gave;
 * f[] has room for n values.  Tokens never learned are left out.
 */
double
bayes_classify(const struct bayes_params *bp, const struct store_val *vals,
    size_t n, double *f, size_t *used)
{
	double ng = (double)nonneg(vals[n].n[0]);
	double nb = (double)nonneg(vals[n].n[1]);
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		long long g = nonneg(vals[i].n[0]), b = nonneg(vals[i].n[1]);

		if (g + b == 0)
			continue;
		f[k++] = bayes_fw(bp, (double)g, (double)b, ng, nb);
	}
	return bayes_fisher(bp, f, k, used);
}

/* An address as the allowlist keeps it: lower case, or NULL if unfit. */
static char *
awl_key(const char *addr)
{
	char *k;
	size_t n = strlen(addr);

	if (n == 0 || n > STORE_MAX_KEY || strchr(addr, '@') == NULL)
		return NULL;
	k = xstrdup(addr);
	policy_fold(k);
	return k;
}

/*
 * Queue recording the recipients of a sent message (comma-separated
 * addrs), once per message however often it is learned.
 */
void
awl_queue_sent(struct bayes_db *db, const struct bayes_tokens *t,
    const char *addrs, struct store_val *out)
{
	char key[KEY_DIGEST + 3], *copy, *a, *save = NULL, *k;

	digest_key(t->digest, "s", key);
	store_if(db->st, &db->seen, key, 0, 1, 0, out);
	copy = xstrdup(addrs);
	for (a = strtok_r(copy, ",", &save); a != NULL;
	    a = strtok_r(NULL, ",", &save)) {
		if ((k = awl_key(a)) == NULL)
			continue;
		store_add(db->st, &db->awl, k, 1, 0, NULL);
		free(k);
	}
	free(copy);
	store_endif(db->st);
}

/* Queue looking addr up in the allowlist; 0 if it cannot be there. */
int
awl_queue_get(struct bayes_db *db, const char *addr, struct store_val *out)
{
	char *k = awl_key(addr);

	if (k == NULL)
		return 0;
	store_get(db->st, &db->awl, k, out);
	free(k);
	return 1;
}

/*
 * Whether the store's tokens are of this xd's scheme: 1 if they are
 * (or the store is empty: a learner then marks it as of TOKEN_SCHEME),
 * 0 if they are of another (*found: its scheme; 1 for a store of the
 * xd before schemes, which has counts and no mark), -1 on an error.
 */
int
bayes_db_scheme(struct bayes_db *db, int learning, long long *found,
    const char **why)
{
	struct store_val scheme, tot;
	long long tokens;

	store_get(db->st, &db->count, "scheme", &scheme);
	store_get(db->st, &db->count, "messages", &tot);
	if (store_run(db->st, why) == -1)
		return -1;
	if ((*found = scheme.n[0]) == TOKEN_SCHEME)
		return 1;
	if (*found != 0)
		return 0;
	if ((tokens = store_count(db->st, &db->tokens, why)) < 0)
		return -1;
	if (tot.n[0] > 0 || tot.n[1] > 0 || tokens > 0) {
		*found = 1;
		return 0;
	}
	if (!learning)
		return 1;
	store_if(db->st, &db->count, "scheme", 0, TOKEN_SCHEME, 0, NULL);
	store_endif(db->st);
	return store_run(db->st, why) == -1 ? -1 : 1;
}

/* Records in the tables, for --stats; -1 on a store error. */
int
bayes_db_stats(struct bayes_db *db, long long *tokens, long long *seen,
    long long *awl, const char **why)
{
	if ((*tokens = store_count(db->st, &db->tokens, why)) < 0 ||
	    (*seen = store_count(db->st, &db->seen, why)) < 0 ||
	    (*awl = store_count(db->st, &db->awl, why)) < 0)
		return -1;
	return 0;
}

/*
 * Learn one message file as cls in the configured store, at once: what
 * xd-act --release does for each message it gives back.
 */
int
bayes_learn_file(const struct locator *loc, int cls,
    enum bayes_outcome *outcome, const char **why)
{
	static char err[512];	/* the store's words outlive the store */
	struct bayes_db *db;
	struct bayes_tokens t;
	struct bayes_learned l;
	struct message *m;
	int rc = -1;

	if ((m = message_open(loc, why)) == NULL)
		return -1;
	bayes_tokens_init(&t);
	bayes_tokenize(m, &t, conf_str("subject_tag"));
	message_free(m);
	if ((db = bayes_db_open(NULL, why)) != NULL) {
		long long found;
		int ok = bayes_db_scheme(db, 1, &found, why);

		if (ok == 0)
			*why = "the store's Bayes tokens are of another "
			    "scheme: re-train";
		if (ok == 1)
			bayes_queue_learn(db, &t, cls, &l);
		if (ok == 1 && store_run(db->st, why) == 0) {
			*outcome = bayes_outcome(&l);
			rc = 0;
		} else {
			snprintf(err, sizeof(err), "%s", *why);
			*why = err;
		}
		bayes_db_close(db);
	}
	bayes_tokens_free(&t);
	return rc;
}
