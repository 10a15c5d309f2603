/*
 * store_lmdb.c - the store in one LMDB file, the default backend.
 *
 * Three databases: "rec" maps TABLE:KEY to the record (two counters and
 * the time of the last write, 64-bit little-endian each), "lru" holds
 * TABLE:TIME:KEY (TIME 64-bit big-endian: a table's index sorts oldest
 * first, so aging and bounds are cheap) for each record, and "meta" the
 * format, each table's record count and the vectors (store_lmdbvec.c).
 * LMDB lets any number of processes read while one writes; each batch
 * is one transaction.  Commits flush the data but not the meta page
 * (MDB_NOMETASYNC): a system crash may undo the last batch, never
 * corrupt the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "store/store.h"
#include "store/store_int.h"

#define FORMAT		"2"	/* "1" is read, and made "2" by a write */
#define KEY_SIZE	(STORE_MAX_NAME + 1 + 8 + STORE_MAX_KEY)
#define EVICT_SHARE	8		/* a full map loses 1/8 of each table */

struct lmdb {
	MDB_env		*env;
	MDB_dbi		 rec, lru, meta;
	int		 ready;
	int		 format1;	/* format "1": "2" at the next write */
	int		 wfd;		/* the file, for the writers' flock */
	char		*path;
	char		 err[512];
};

/* What a run knows of a table it touches. */
struct tstate {
	const struct store_table *t;
	long long	 count;
	long long	 writes;
	int		 loaded, dirty;
};

struct run {
	struct lmdb	*l;
	MDB_txn		*txn;
	MDB_cursor	*cur;		/* a read-only run's reads of "rec" */
	long long	 now;
	struct tstate	 ts[STORE_MAX_TABLES];
	size_t		 nts;
};

static const char *
fail(struct lmdb *l, const char *what, int rc)
{
	snprintf(l->err, sizeof(l->err), "%s: %s%s%s", l->path,
	    what ? what : "", what ? ": " : "", mdb_strerror(rc));
	return l->err;
}

/* "name:" into out; its length. */
static size_t
prefix(char *out, const char *name)
{
	size_t n = strlen(name);

	memcpy(out, name, n);
	out[n] = ':';
	return n + 1;
}

static size_t
rec_key(char *out, const char *name, const char *key, size_t klen)
{
	size_t n = prefix(out, name);

	memcpy(out + n, key, klen);
	return n + klen;
}

static size_t
idx_key(char *out, const char *name, long long last, const char *key,
    size_t klen)
{
	size_t n = prefix(out, name);

	put64be((unsigned char *)out + n, last);
	memcpy(out + n + 8, key, klen);
	return n + 8 + klen;
}

static int
lmdb_open(struct store *st, const char *spec, const char **why)
{
	static char err[512];	/* the words outlive l */
	struct lmdb *l;

	if (*spec == '\0') {
		*why = "an empty LMDB path";
		return -1;
	}
	l = xcalloc(1, sizeof(*l));
	l->path = xd_expand_home(spec);
	l->wfd = -1;
	if ((*why = lmdb_check_place(l->path, err, sizeof(err))) != NULL) {
		free(l->path);
		free(l);
		return -1;
	}
	st->priv = l;
	return 0;
}

static void
close_env(struct lmdb *l)
{
	lmdb_shared_close(l->env, l->wfd);
	l->env = NULL;
	l->wfd = -1;
	l->ready = 0;
}

static void
lmdb_close(struct store *st)
{
	struct lmdb *l = st->priv;

	close_env(l);
	free(l->path);
	free(l);
}

static int
begin(struct lmdb *l, unsigned flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(l->env, NULL, flags, txn);
	if (rc == MDB_MAP_RESIZED) {
		/* another process grew the map: take its size */
		if ((rc = mdb_env_set_mapsize(l->env, 0)) == 0)
			rc = mdb_txn_begin(l->env, NULL, flags, txn);
	}
	return rc;
}

static int
open_dbs(struct lmdb *l, unsigned flags)
{
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	if ((rc = begin(l, flags & MDB_CREATE ? 0 : MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_dbi_open(txn, "rec", flags, &l->rec)) != 0 ||
	    (rc = mdb_dbi_open(txn, "lru", flags, &l->lru)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", flags, &l->meta)) != 0)
		goto out;
	k.mv_data = "format";
	k.mv_size = 6;
	rc = mdb_get(txn, l->meta, &k, &v);
	if (rc == MDB_NOTFOUND && (flags & MDB_CREATE)) {
		v.mv_data = FORMAT;
		v.mv_size = strlen(FORMAT);
		rc = mdb_put(txn, l->meta, &k, &v, 0);
	} else if (rc == 0 && v.mv_size == 1 && *(char *)v.mv_data == '1')
		l->format1 = 1;		/* its 24-byte records are read */
	else if (rc == 0 && (v.mv_size != strlen(FORMAT) ||
	    memcmp(v.mv_data, FORMAT, v.mv_size) != 0))
		rc = MDB_INCOMPATIBLE;
out:
	if (rc == 0)
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return rc;
}

/* Open the file at first use, so that a bad moment fails one batch. */
static int
open_env(struct lmdb *l, const char **why)
{
	if (l->env != NULL)
		return 0;
	*why = lmdb_shared_env(l->path, conf_size("store_size"), &l->env,
	    &l->wfd, l->err, sizeof(l->err));
	return *why != NULL ? -1 : 0;
}

/*
 * The databases, made if they are not there yet and this is for a
 * write: 0, or 1 when a reader finds none (every record reads as
 * absent), or -1.  A reader never makes them, as that takes LMDB's
 * writer lock.
 */
static int
ready(struct lmdb *l, int write, const char **why)
{
	int rc;

	if (l->ready)
		return 0;
	if (open_env(l, why) != 0)
		return -1;
	rc = open_dbs(l, 0);
	if (rc == MDB_NOTFOUND && !write)
		return 1;
	if (rc == MDB_NOTFOUND)
		rc = open_dbs(l, MDB_CREATE);
	if (rc != 0) {
		*why = fail(l, rc == MDB_INCOMPATIBLE ?
		    "not an xd store of format 1 or " FORMAT : NULL, rc);
		close_env(l);
		return -1;
	}
	l->ready = 1;
	return 0;
}

static struct tstate *
tstate(struct run *r, const struct store_table *t)
{
	size_t i;

	for (i = 0; i < r->nts; i++)
		if (r->ts[i].t == t)
			return &r->ts[i];
	/* store_run() let no more than STORE_MAX_TABLES through */
	memset(&r->ts[r->nts], 0, sizeof(r->ts[0]));
	r->ts[r->nts].t = t;
	return &r->ts[r->nts++];
}

static int
count_key(char *out, const char *name)
{
	return snprintf(out, STORE_MAX_NAME + 3, "n:%s", name);
}

static int
load_count(struct run *r, struct tstate *ts)
{
	char kb[STORE_MAX_NAME + 3];
	MDB_val k, v;
	int rc;

	if (ts->loaded)
		return 0;
	k.mv_data = kb;
	k.mv_size = (size_t)count_key(kb, ts->t->name);
	rc = mdb_get(r->txn, r->l->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		ts->count = 0;
	else if (rc != 0)
		return rc;
	else if (v.mv_size != 8)
		return MDB_CORRUPTED;
	else
		ts->count = get64le(v.mv_data);
	ts->loaded = 1;
	return 0;
}

static int
save_count(struct run *r, struct tstate *ts)
{
	char kb[STORE_MAX_NAME + 3];
	unsigned char vb[8];
	MDB_val k, v;

	k.mv_data = kb;
	k.mv_size = (size_t)count_key(kb, ts->t->name);
	put64le(vb, ts->count);
	v.mv_data = vb;
	v.mv_size = 8;
	return mdb_put(r->txn, r->l->meta, &k, &v, 0);
}

/*
 * The record at key: its live value in *v (zero if absent or aged) and
 * in *raw the time of its last write if it is in the file at all.
 */
static int
read_rec(struct run *r, const struct store_table *t, const char *key,
    size_t klen, struct store_val *v, long long *raw)
{
	char kb[KEY_SIZE];
	long long n0, n1;
	MDB_val k, d;
	int rc;

	memset(v, 0, sizeof(*v));
	*raw = 0;
	k.mv_data = kb;
	k.mv_size = rec_key(kb, t->name, key, klen);
	/* a cursor on the key's page finds it there: reads in order are cheap */
	rc = r->cur != NULL ? mdb_cursor_get(r->cur, &k, &d, MDB_SET_KEY) :
	    mdb_get(r->txn, r->l->rec, &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (lmdb_val_get(d.mv_data, d.mv_size, &n0, &n1, raw) != 0)
		return MDB_CORRUPTED;
	if (store_aged(t, *raw, r->now))
		return 0;
	v->n[0] = n0;
	v->n[1] = n1;
	v->last = *raw;
	return 0;
}

static int
del_idx(struct run *r, const char *name, long long last, const char *key,
    size_t klen)
{
	char kb[KEY_SIZE];
	MDB_val k;
	int rc;

	k.mv_data = kb;
	k.mv_size = idx_key(kb, name, last, key, klen);
	rc = mdb_del(r->txn, r->l->lru, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Give the record the counters n0, n1 (both 0: remove it); raw as read. */
static int
write_rec(struct run *r, struct tstate *ts, const char *key, size_t klen,
    long long raw, long long n0, long long n1, struct store_val *out)
{
	const char *name = ts->t->name;
	char kb[KEY_SIZE];
	unsigned char vb[REC_WIDE];
	MDB_val k, v;
	int rc;

	if ((rc = load_count(r, ts)) != 0)
		return rc;
	ts->writes++;
	ts->dirty = 1;
	memset(out, 0, sizeof(*out));
	k.mv_data = kb;
	k.mv_size = rec_key(kb, name, key, klen);
	if (n0 == 0 && n1 == 0) {
		if (raw == 0)
			return 0;
		if ((rc = mdb_del(r->txn, r->l->rec, &k, NULL)) != 0)
			return rc;
		ts->count--;
		return del_idx(r, name, raw, key, klen);
	}
	v.mv_data = vb;
	v.mv_size = lmdb_val_put(vb, n0, n1, r->now);
	if ((rc = mdb_put(r->txn, r->l->rec, &k, &v, 0)) != 0)
		return rc;
	if (raw == 0)
		ts->count++;
	else if ((rc = del_idx(r, name, raw, key, klen)) != 0)
		return rc;
	k.mv_size = idx_key(kb, name, r->now, key, klen);
	v.mv_data = "";
	v.mv_size = 0;
	if ((rc = mdb_put(r->txn, r->l->lru, &k, &v, 0)) != 0)
		return rc;
	out->n[0] = n0;
	out->n[1] = n1;
	out->last = r->now;
	return 0;
}

/*
 * Remove a table's oldest records while they are aged or the table is
 * over its bound, budget at most; *removed counts them.  With force,
 * remove budget records whatever their age (a full map).
 */
static int
sweep(struct run *r, struct tstate *ts, const char *name, long long budget,
    int force, long long *removed)
{
	char seek[STORE_MAX_NAME + 9], kb[KEY_SIZE];
	MDB_cursor *cur;
	MDB_val k, v;
	size_t plen = prefix(seek, name);
	long long last;
	int rc;

	if (ts != NULL && (rc = load_count(r, ts)) != 0)
		return rc;
	put64be((unsigned char *)seek + plen, 0);
	if ((rc = mdb_cursor_open(r->txn, r->l->lru, &cur)) != 0)
		return rc;
	for (; budget > 0; budget--) {
		k.mv_data = seek;
		k.mv_size = plen + 8;
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)) != 0)
			break;
		if (k.mv_size < plen + 8 || k.mv_size > sizeof(kb) ||
		    memcmp(k.mv_data, seek, plen) != 0)
			break;
		last = get64be((const unsigned char *)k.mv_data + plen);
		if (!force && !store_aged(ts->t, last, r->now) &&
		    !(ts->t->max > 0 && ts->count > ts->t->max))
			break;
		memcpy(kb, k.mv_data, k.mv_size);
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		/* the record's key is the index key without its time */
		memmove(kb + plen, kb + plen + 8, k.mv_size - plen - 8);
		k.mv_data = kb;
		k.mv_size -= 8;
		rc = mdb_del(r->txn, r->l->rec, &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		rc = 0;
		if (ts != NULL) {
			ts->count--;
			ts->dirty = 1;
		}
		(*removed)++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
do_op(struct run *r, const struct store *st, const struct store_op *op,
    struct store_val *res, int *skip)
{
	const char *key = store_op_key(st, op);
	struct store_val old;
	long long raw, removed = 0;
	int rc;

	switch (op->code) {
	case OP_END:
		*skip = 0;
		return 0;
	case OP_GET:
		return read_rec(r, op->t, key, op->keylen, res, &raw);
	case OP_EXPIRE:
		rc = sweep(r, tstate(r, op->t), op->t->name, STORE_MAX_EXPIRE,
		    0, &removed);
		res->n[0] = removed;
		return rc;
	case OP_VGET:
		return lmdb_vec_get(r->txn, r->l->meta, op);
	case OP_VADD:
		return lmdb_vec_add(r->txn, r->l->meta, op);
	default:
		break;
	}
	if ((rc = read_rec(r, op->t, key, op->keylen, &old, &raw)) != 0)
		return rc;
	switch (op->code) {
	case OP_ADD:
		return write_rec(r, tstate(r, op->t), key, op->keylen, raw,
		    old.n[0] + op->a, old.n[1] + op->b, res);
	case OP_IF:
		if (old.n[0] != op->a) {
			*res = old;
			*skip = 1;
			return 0;
		}
		rc = write_rec(r, tstate(r, op->t), key, op->keylen, raw,
		    op->b, op->c, res);
		*res = old;
		return rc;
	default:	/* OP_DEL */
		return write_rec(r, tstate(r, op->t), key, op->keylen, raw,
		    0, 0, res);
	}
}

static int
run_txn(struct lmdb *l, const struct store *st, const struct store_op *ops,
    size_t n, struct store_val *res, int write)
{
	struct run r;
	size_t i;
	long long removed = 0;
	int rc = 0, skip = 0;

	memset(&r, 0, sizeof(r));
	r.l = l;
	r.now = store_time(st);
	if ((rc = begin(l, write ? 0 : MDB_RDONLY, &r.txn)) != 0)
		return rc;
	if (!write)	/* a write moves pages under a cursor */
		rc = mdb_cursor_open(r.txn, l->rec, &r.cur);
	for (i = 0; i < n && rc == 0; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		if (skip && ops[i].code != OP_END)
			continue;
		rc = do_op(&r, st, &ops[i], &res[i], &skip);
	}
	if (rc == 0 && write && l->format1) {
		MDB_val k = { 6, "format" }, v = { 1, "2" };

		rc = mdb_put(r.txn, l->meta, &k, &v, 0);
	}
	for (i = 0; i < r.nts && rc == 0; i++) {
		if (r.ts[i].writes > 0)
			rc = sweep(&r, &r.ts[i], r.ts[i].t->name,
			    store_budget(r.ts[i].writes), 0, &removed);
		if (rc == 0 && r.ts[i].dirty)
			rc = save_count(&r, &r.ts[i]);
	}
	if (r.cur != NULL)
		mdb_cursor_close(r.cur);
	if (rc != 0 || !write) {
		mdb_txn_abort(r.txn);
		return rc;
	}
	if ((rc = mdb_txn_commit(r.txn)) == 0)
		l->format1 = 0;
	return rc;
}

/*
 * A full map has no page left even for the copies that deleting needs:
 * it grows by a sixteenth to make room.  That much over store_size is
 * the slack of the bound; the room made is used again, not grown.
 */
static int
grow(struct lmdb *l)
{
	MDB_envinfo info;
	size_t more;

	mdb_env_info(l->env, &info);
	more = info.me_mapsize / 16;
	if (more < 64 * 4096)
		more = 64 * 4096;
	return mdb_env_set_mapsize(l->env, info.me_mapsize + more);
}

/*
 * Pages a transaction frees are free for the transactions after the
 * next one: one small write between eviction and the retry.
 */
static int
settle(struct lmdb *l, long long now)
{
	MDB_txn *txn;
	MDB_val k, v;
	unsigned char vb[8];
	int rc;

	if ((rc = begin(l, 0, &txn)) != 0)
		return rc;
	k.mv_data = "evicted";
	k.mv_size = 7;
	put64le(vb, now);
	v.mv_data = vb;
	v.mv_size = 8;
	if ((rc = mdb_put(txn, l->meta, &k, &v, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/*
 * The map is full: every table loses its oldest eighth, whatever its
 * age, so that the batch that did not fit can be tried again.
 */
static int
evict(struct lmdb *l, long long now)
{
	struct run r;
	MDB_cursor *cur;
	MDB_val k, v;
	char names[64][STORE_MAX_NAME + 1];
	long long counts[64], removed = 0;
	size_t i, n = 0;
	int rc, op = MDB_SET_RANGE;

	memset(&r, 0, sizeof(r));
	r.l = l;
	r.now = now;
	if ((rc = begin(l, 0, &r.txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(r.txn, l->meta, &cur)) != 0)
		goto out;
	k.mv_data = "n:";
	k.mv_size = 2;
	while (n < 64 && mdb_cursor_get(cur, &k, &v, op) == 0 &&
	    k.mv_size > 2 && k.mv_size <= 2 + STORE_MAX_NAME &&
	    memcmp(k.mv_data, "n:", 2) == 0 && v.mv_size == 8) {
		memcpy(names[n], (char *)k.mv_data + 2, k.mv_size - 2);
		names[n][k.mv_size - 2] = '\0';
		counts[n++] = get64le(v.mv_data);
		op = MDB_NEXT;
	}
	mdb_cursor_close(cur);
	for (i = 0; i < n && rc == 0; i++) {
		long long cut = counts[i] / EVICT_SHARE + 1;
		char kb[STORE_MAX_NAME + 3];
		unsigned char vb[8];

		removed = 0;
		rc = sweep(&r, NULL, names[i], cut, 1, &removed);
		k.mv_data = kb;
		k.mv_size = (size_t)snprintf(kb, sizeof(kb), "n:%s", names[i]);
		put64le(vb, counts[i] - removed > 0 ? counts[i] - removed : 0);
		v.mv_data = vb;
		v.mv_size = 8;
		if (rc == 0)
			rc = mdb_put(r.txn, l->meta, &k, &v, 0);
	}
out:
	if (rc != 0) {
		mdb_txn_abort(r.txn);
		return rc;
	}
	if ((rc = mdb_txn_commit(r.txn)) != 0)
		return rc;
	return settle(l, now);
}

static int
lmdb_run(struct store *st, const struct store_op *ops, size_t n,
    struct store_val *res, const char **why)
{
	struct lmdb *l = st->priv;
	size_t i;
	int rc, write = 0;

	for (i = 0; i < n; i++)
		write |= ops[i].code != OP_GET && ops[i].code != OP_END &&
		    ops[i].code != OP_VGET;
	if (open_env(l, why) != 0)
		return -1;
	if (write && (*why = lmdb_writer_lock(l->wfd, st->dont_wait,
	    &st->busy, l->path, l->err, sizeof(l->err))) != NULL)
		return -1;
	if ((rc = ready(l, write, why)) != 0) {
		if (write)
			lmdb_writer_unlock(l->wfd);
		return rc < 0 ? -1 : 0;	/* 1: all zeros, as res is */
	}
	rc = run_txn(l, st, ops, n, res, write);
	if (rc == MDB_MAP_FULL) {
		xd_warnx("%s: the store is full: its oldest records go "
		    "(see store_size in xd.conf(5))", l->path);
		if ((rc = grow(l)) == 0 && (rc = evict(l, store_time(st))) == 0)
			rc = run_txn(l, st, ops, n, res, write);
		/* back to store_size, or what is in use if that is more */
		mdb_env_set_mapsize(l->env, conf_size("store_size"));
	}
	if (write)
		lmdb_writer_unlock(l->wfd);
	if (rc != 0) {
		*why = fail(l, NULL, rc);
		return -1;
	}
	return 0;
}

static long long
lmdb_count(struct store *st, const struct store_table *t, const char **why)
{
	struct lmdb *l = st->priv;
	struct run r;
	struct tstate ts;
	int rc;

	if ((rc = ready(l, 0, why)) != 0)
		return rc < 0 ? -1 : 0;
	memset(&r, 0, sizeof(r));
	memset(&ts, 0, sizeof(ts));
	r.l = l;
	ts.t = t;
	if ((rc = begin(l, MDB_RDONLY, &r.txn)) == 0) {
		rc = load_count(&r, &ts);
		mdb_txn_abort(r.txn);
	}
	if (rc != 0) {
		*why = fail(l, NULL, rc);
		return -1;
	}
	return ts.count;
}

static int
lmdb_walk(struct store *st, const struct store_table *t, store_walk_fn fn,
    void *arg, const char **why)
{
	struct lmdb *l = st->priv;
	struct run r;
	MDB_cursor *cur;
	MDB_val k, v;
	struct store_val val;
	char seek[STORE_MAX_NAME + 9], key[STORE_MAX_KEY + 1];
	size_t plen = prefix(seek, t->name), klen;
	long long raw;
	int rc, op = MDB_SET_RANGE;

	if ((rc = ready(l, 0, why)) != 0)
		return rc < 0 ? -1 : 0;
	memset(&r, 0, sizeof(r));
	r.l = l;
	r.now = store_time(st);
	put64be((unsigned char *)seek + plen, 0);
	if ((rc = begin(l, MDB_RDONLY, &r.txn)) != 0)
		goto out;
	if ((rc = mdb_cursor_open(r.txn, l->lru, &cur)) != 0) {
		mdb_txn_abort(r.txn);
		goto out;
	}
	k.mv_data = seek;
	k.mv_size = plen + 8;
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size < plen + 8 || memcmp(k.mv_data, seek, plen) != 0)
			break;
		klen = k.mv_size - plen - 8;
		if (klen == 0 || klen > STORE_MAX_KEY)
			continue;
		memcpy(key, (char *)k.mv_data + plen + 8, klen);
		key[klen] = '\0';
		if ((rc = read_rec(&r, t, key, klen, &val, &raw)) != 0)
			break;
		if (val.last != 0 && fn(key, &val, arg) != 0)
			break;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(r.txn);
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	if (rc != 0) {
		*why = fail(l, NULL, rc);
		return -1;
	}
	return 0;
}

/* See store_compact.c; the environment is closed after it, as said. */
static int
lmdb_compact(struct store *st, long long *before, long long *after,
    const char **why)
{
	struct lmdb *l = st->priv;
	int rc, lfd = -1;

	if ((rc = ready(l, 0, why)) != 0)
		return rc < 0 ? -1 : 0;
	if (!lmdb_shared_alone(l->env)) {
		*why = "the store is shared by another handle of the process";
		return -1;
	}
	rc = lmdb_compact_file(l->env, l->path, &lfd, before, after, l->err,
	    sizeof(l->err));
	if (rc < 0)
		*why = l->err;
	close_env(l);
	if (lfd != -1)
		close(lfd);
	return rc;
}

const struct store_backend store_lmdb = {
	"lmdb", lmdb_open, lmdb_close, lmdb_run, lmdb_count, lmdb_walk,
	lmdb_compact
};
