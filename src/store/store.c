/*
 * store.c - the learning store: tables of counters that xd-cksum,
 * xd-bayes and the allowlist share, kept in LMDB (store_lmdb.c) or in
 * Redis (store_redis.c) behind one interface; and the batched stream
 * loop of the tools that use it.  See xd-store(5).
 *
 * Callers queue operations and run them as one batch.  A batch is what
 * one LMDB transaction or one Redis script does, so a tool that reads
 * many lines before it runs its batch pays for one commit or one round
 * trip per batch instead of one per message, and parallel deliveries
 * never see half of another's batch.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "store/store.h"
#include "store/store_int.h"

/* Lines a batch holds at most in line storage before it is run. */
#define BATCH_BYTES	(1024 * 1024)
/* A line buffer bigger than this is given back after its batch. */
#define KEEP_LINECAP	(64 * 1024)

static int
is_redis_url(const char *url)
{
	return strncmp(url, "redis://", 8) == 0;
}

/*
 * Open the store named by url: "redis://..." or an LMDB file, given as
 * a path or "lmdb:PATH".  NULL: the "store" key of xd.conf.  Opening
 * connects nowhere yet for Redis; bad syntax is found here.
 */
struct store *
store_open(const char *url, const char **why)
{
	struct store *st;

	if (url == NULL)
		url = conf_str("store");
	if (url[0] == '\0') {
		*why = "no store is configured";
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	buf_init(&st->keys);
	st->url = xstrdup(url);
	if (is_redis_url(url))
		st->be = &store_redis;
	else
		st->be = &store_lmdb;
	if (strncmp(url, "lmdb:", 5) == 0)
		url += 5;
	if (st->be->open(st, url, why) != 0) {
		buf_free(&st->keys);
		free(st->url);
		free(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->be->close(st);
	buf_free(&st->keys);
	free(st->ops);
	free(st->res);
	free(st->url);
	free(st);
}

const char *
store_url(const struct store *st)
{
	return st->url;
}

void
store_set_time(struct store *st, long long t)
{
	st->now = t > 0 ? t : 0;
}

long long
store_time(const struct store *st)
{
	return st->now > 0 ? st->now : (long long)time(NULL);
}

size_t
store_pending(const struct store *st)
{
	return st->nops;
}

static int
valid_table(const struct store_table *t)
{
	size_t i, n = strlen(t->name);

	if (n == 0 || n > STORE_MAX_NAME || t->ttl < 0 || t->max < 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = t->name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return 0;
	}
	return 1;
}

/*
 * Queue one operation.  A misuse (a bad table or key, too much work)
 * is remembered and fails the next run, so that callers check once.
 */
static void
queue(struct store *st, enum store_opcode code, const struct store_table *t,
    const char *key, long long a, long long b, long long c,
    struct store_val *out)
{
	struct store_op *op;
	size_t len = key != NULL ? strlen(key) : 0;

	if (st->bad != NULL)
		return;
	if (st->nops >= STORE_MAX_OPS)
		st->bad = "too many operations in one batch";
	else if (t != NULL && !valid_table(t))
		st->bad = "a bad table name or bound";
	else if (key != NULL && (len == 0 || len > STORE_MAX_KEY))
		st->bad = "a key that is empty or too long";
	else if (code == OP_IF && st->in_if)
		st->bad = "store_if inside store_if";
	else if (code == OP_END && !st->in_if)
		st->bad = "store_endif without store_if";
	if (st->bad != NULL)
		return;
	if (code == OP_IF || code == OP_END)
		st->in_if = code == OP_IF;
	if (st->nops == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->ops = xrealloc(st->ops, st->cap * sizeof(*st->ops));
	}
	op = &st->ops[st->nops++];
	op->code = code;
	op->t = t;
	op->key = st->keys.len;
	op->keylen = len;
	buf_add(&st->keys, key != NULL ? key : "", len);
	buf_addc(&st->keys, '\0');
	op->a = a;
	op->b = b;
	op->c = c;
	op->out = out;
	op->vidx = NULL;
	op->vout = NULL;
	op->vadd = NULL;
}

void
store_get(struct store *st, const struct store_table *t, const char *key,
    struct store_val *out)
{
	queue(st, OP_GET, t, key, 0, 0, 0, out);
}

void
store_add(struct store *st, const struct store_table *t, const char *key,
    long long d0, long long d1, struct store_val *out)
{
	queue(st, OP_ADD, t, key, d0, d1, 0, out);
}

void
store_if(struct store *st, const struct store_table *t, const char *key,
    long long expect, long long v0, long long v1, struct store_val *out)
{
	queue(st, OP_IF, t, key, expect, v0, v1, out);
}

void
store_endif(struct store *st)
{
	queue(st, OP_END, NULL, NULL, 0, 0, 0, NULL);
}

void
store_del(struct store *st, const struct store_table *t, const char *key)
{
	queue(st, OP_DEL, t, key, 0, 0, 0, NULL);
}

void
store_expire(struct store *st, const struct store_table *t,
    struct store_val *out)
{
	queue(st, OP_EXPIRE, t, NULL, 0, 0, 0, out);
}

void
store_vec_get(struct store *st, const struct store_table *t,
    const uint32_t *idx, size_t n, int32_t *out)
{
	if (n == 0)
		return;
	queue(st, OP_VGET, t, NULL, (long long)n, 0, 0, NULL);
	if (st->bad == NULL) {
		st->ops[st->nops - 1].vidx = idx;
		st->ops[st->nops - 1].vout = out;
	}
}

void
store_vec_add(struct store *st, const struct store_table *t,
    const uint32_t *idx, const int32_t *d, size_t n)
{
	if (n == 0)
		return;
	queue(st, OP_VADD, t, NULL, (long long)n, 0, 0, NULL);
	if (st->bad == NULL) {
		st->ops[st->nops - 1].vidx = idx;
		st->ops[st->nops - 1].vadd = d;
	}
}

static void
forget(struct store *st)
{
	st->nops = 0;
	st->in_if = 0;
	st->bad = NULL;
	buf_reset(&st->keys);
}

/* Run what is queued; the queue is empty afterwards, run or not. */
int
store_run(struct store *st, const char **why)
{
	size_t i, n = st->nops, tables = 0;
	const struct store_table *seen[STORE_MAX_TABLES];
	int rc;

	if (st->bad == NULL && st->in_if)
		store_endif(st);
	for (i = 0; i < n && st->bad == NULL; i++) {
		size_t j;

		if (st->ops[i].t == NULL)
			continue;
		for (j = 0; j < tables && seen[j] != st->ops[i].t; j++)
			;
		if (j < tables)
			continue;
		if (tables == STORE_MAX_TABLES)
			st->bad = "too many tables in one batch";
		else
			seen[tables++] = st->ops[i].t;
	}
	n = st->nops;
	if (st->bad != NULL) {
		*why = st->bad;
		forget(st);
		return -1;
	}
	if (n == 0)
		return 0;
	if (st->rescap < n) {
		st->rescap = n;
		st->res = xrealloc(st->res, n * sizeof(*st->res));
	}
	memset(st->res, 0, n * sizeof(*st->res));
	st->busy = 0;
	rc = st->be->run(st, st->ops, n, st->res, why);
	if (rc == 0)
		for (i = 0; i < n; i++)
			if (st->ops[i].out != NULL)
				*st->ops[i].out = st->res[i];
	forget(st);
	return rc;
}

/*
 * From now on a batch that writes does not wait while a process that
 * learns is writing: it fails at once, writing nothing, and
 * store_busy() is true.  Batches that only read never wait for writers.
 * For filters, which must not wait on a learner; writers that did not
 * ask this are the learners.  Redis has no such wait to skip: a
 * learner's batch is one script, and Redis runs the next call after it.
 */
void
store_dont_wait(struct store *st)
{
	st->dont_wait = 1;
}

/* Whether the last run failed only because a learner was writing. */
int
store_busy(const struct store *st)
{
	return st->busy;
}

long long
store_count(struct store *st, const struct store_table *t, const char **why)
{
	if (!valid_table(t)) {
		*why = "a bad table name or bound";
		return -1;
	}
	return st->be->count(st, t, why);
}

int
store_walk(struct store *st, const struct store_table *t, store_walk_fn fn,
    void *arg, const char **why)
{
	if (!valid_table(t)) {
		*why = "a bad table name or bound";
		return -1;
	}
	return st->be->walk(st, t, fn, arg, why);
}

int
store_compact(struct store *st, long long *before, long long *after,
    const char **why)
{
	*before = *after = 0;
	if (st->be->compact == NULL)
		return 0;
	return st->be->compact(st, before, after, why);
}

/*
 * The batched stream loop.
 */
struct batch {
	const struct store_runner *r;
	struct rec	*recs;
	unsigned char	*msg;		/* msg[i]: recs[i] went to line() */
	char		*states;
	size_t		 n;
	unsigned long	 done;		/* message lines written, for progress */
};

static void *
state_of(struct batch *b, size_t i)
{
	return b->states + i * b->r->state_size;
}

/* Read up to r->lines lines, handing message lines to line(). */
static int
fill(struct batch *b, struct reader *rd, int *status)
{
	const struct store_runner *r = b->r;
	size_t bytes = 0;

	for (b->n = 0; b->n < r->lines && bytes < BATCH_BYTES; b->n++) {
		struct rec *rec = &b->recs[b->n];

		if (!reader_next(rd, rec))
			return 0;
		bytes += rec->linecap;
		b->msg[b->n] = 0;
		if (rec->bad != NULL) {
			xd_warnx("<stdin>:%lu: %s", rd->lineno, rec->bad);
			rec_drop_own_errors(rec, r->tool);
			rec_error(rec, r->tool, rec->bad);
			*status = XD_EXIT_SOME;
		} else if (!rec->comment) {
			rec_drop_own_errors(rec, r->tool);
			memset(state_of(b, b->n), 0, r->state_size);
			b->msg[b->n] = 1;
			if (r->line(rec, state_of(b, b->n), r->arg) != 0)
				*status = XD_EXIT_SOME;
		}
	}
	return 1;
}

/* Finish and write the lines of a batch; 0, or -1 on a write error. */
static int
drain(struct batch *b, FILE *out, int *status)
{
	const struct store_runner *r = b->r;
	size_t i;
	int msgs = 0;

	for (i = 0; i < b->n; i++)
		msgs |= b->msg[i];
	if (msgs)
		r->batch(r->arg);
	for (i = 0; i < b->n; i++) {
		struct rec *rec = &b->recs[i];

		if (b->msg[i] && r->finish(rec, state_of(b, i), r->arg) != 0)
			*status = XD_EXIT_SOME;
		if (rec_write(rec, out) != 0)
			return -1;
		if (!rec->comment)
			progress_tick(++b->done, 0);
		if (rec->linecap > KEEP_LINECAP) {
			rec_free(rec);
			rec_init(rec);
		}
	}
	return 0;
}

int
store_stream_run(FILE *in, FILE *out, const struct store_runner *r)
{
	struct batch b;
	struct reader rd;
	long long conf = conf_int("bayes_batch");
	size_t i, lines = r->lines > 0 ? r->lines : conf > 0 ? (size_t)conf : 1;
	int status = XD_EXIT_OK, more = 1;
	struct store_runner rr = *r;

	rr.lines = lines;
	b.r = &rr;
	b.recs = xcalloc(lines, sizeof(*b.recs));
	b.msg = xcalloc(lines, 1);
	b.states = xcalloc(lines, r->state_size > 0 ? r->state_size : 1);
	b.n = 0;
	b.done = 0;
	reader_init(&rd, in, "<stdin>", (size_t)conf_size("max_line"));
	while (more) {
		more = fill(&b, &rd, &status);
		if (b.n == 0 || drain(&b, out, &status) != 0)
			break;
	}
	progress_tick(b.done, 1);
	for (i = 0; i < lines; i++)
		rec_free(&b.recs[i]);
	free(b.recs);
	free(b.msg);
	free(b.states);
	reader_free(&rd);
	return stream_io_status(in, out, status);
}
