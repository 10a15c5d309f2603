/*
 * store_int.h - what store.c shares with its backends, store_lmdb.c and
 * store_redis.c, in the manner of bogofilter's datastore.h.  Nothing
 * else includes it: the tools see only the store_ calls of store/store.h.
 */
#ifndef XD_STORE_INT_H
#define XD_STORE_INT_H

#include <stdint.h>

enum store_opcode {
	OP_GET, OP_ADD, OP_IF, OP_END, OP_DEL, OP_EXPIRE, OP_VGET, OP_VADD
};

struct store_op {
	enum store_opcode	 code;
	const struct store_table *t;
	size_t			 key;	/* offset into store->keys */
	size_t			 keylen;
	long long		 a, b, c;
	struct store_val	*out;
	const uint32_t		*vidx;	/* OP_VGET, OP_VADD: a counts them */
	int32_t			*vout;
	const int32_t		*vadd;
};

/* Records an expire operation removes in one run, at most. */
#define STORE_MAX_EXPIRE	100000

/*
 * A backend runs a queue of operations as one atomic batch, writing
 * one result per operation into res (all zero for END, and for what a
 * failed IF skipped).  On failure it returns -1 with *why set, having
 * written nothing to the store.
 */
struct store_backend {
	const char *name;
	int	 (*open)(struct store *, const char *, const char **);
	void	 (*close)(struct store *);
	int	 (*run)(struct store *, const struct store_op *, size_t,
		    struct store_val *, const char **);
	long long (*count)(struct store *, const struct store_table *,
		    const char **);
	int	 (*walk)(struct store *, const struct store_table *,
		    store_walk_fn, void *, const char **);
	int	 (*compact)(struct store *, long long *, long long *,
		    const char **);	/* NULL: nothing to compact */
};

struct store {
	const struct store_backend *be;
	void		*priv;		/* the backend's */
	char		*url;
	long long	 now;		/* 0: the clock */
	struct store_op	*ops;
	size_t		 nops, cap;
	struct buf	 keys;		/* the queued keys, NUL-separated */
	struct store_val *res;
	size_t		 rescap;
	int		 in_if;
	const char	*bad;		/* a misuse seen while queueing */
	int		 dont_wait;	/* store_dont_wait() */
	int		 busy;		/* the last run met a learner */
};

extern const struct store_backend store_lmdb, store_redis;

/* store_place.c: an LMDB store's directory, files and writers' lock */
struct MDB_env;
const char *lmdb_check_place(const char *, char *, size_t);
const char *lmdb_open_env(const char *, size_t, struct MDB_env **, int *,
	    char *, size_t);
const char *lmdb_writer_lock(int, int, int *, const char *, char *, size_t);
void	 lmdb_writer_unlock(int);
/* store_lmdbvec.c: vectors in the "meta" database, one value a block */
struct MDB_txn;
int	 lmdb_vec_get(struct MDB_txn *, unsigned int, const struct store_op *);
int	 lmdb_vec_add(struct MDB_txn *, unsigned int, const struct store_op *);
/* store_share.c: one environment per file in a process */
const char *lmdb_shared_env(const char *, size_t, struct MDB_env **, int *,
	    char *, size_t);
void	 lmdb_shared_close(struct MDB_env *, int);
int	 lmdb_shared_alone(const struct MDB_env *);
/* store_compact.c: the file copied over itself, its free pages left out */
int	 lmdb_compact_file(struct MDB_env *, const char *, int *, long long *,
	    long long *, char *, size_t);

static inline const char *
store_op_key(const struct store *st, const struct store_op *op)
{
	return st->keys.s + op->key;
}

/* 64-bit numbers as LMDB records keep them (store_lmdb.c) */
static inline void
put64le(unsigned char *p, long long v)
{
	unsigned long long u = (unsigned long long)v;
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static inline long long
get64le(const unsigned char *p)
{
	unsigned long long u = 0;
	int i;

	for (i = 7; i >= 0; i--)
		u = (u << 8) | p[i];
	return (long long)u;
}

/* and 32-bit ones, as narrow records and Redis's vectors keep them */
static inline void
put32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline uint32_t
get32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
put64be(unsigned char *p, long long v)
{
	unsigned long long u = (unsigned long long)v;
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (56 - 8 * i));
}

static inline long long
get64be(const unsigned char *p)
{
	unsigned long long u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (long long)u;
}

/*
 * A record's value in LMDB: 12 bytes, two 32-bit counters and a 32-bit
 * unsigned time, when they fit, as nearly all do (a token seen in
 * fewer than 2^31 messages); else 24, three 64-bit numbers.  Format 1
 * had only the 24; format 2 reads both.  The value's size says which.
 */
#define REC_NARROW	12
#define REC_WIDE	24

static inline size_t
lmdb_val_put(unsigned char *p, long long n0, long long n1, long long last)
{
	if (n0 < INT32_MIN || n0 > INT32_MAX || n1 < INT32_MIN ||
	    n1 > INT32_MAX || last < 0 || last > (long long)UINT32_MAX) {
		put64le(p, n0);
		put64le(p + 8, n1);
		put64le(p + 16, last);
		return REC_WIDE;
	}
	put32le(p, (uint32_t)n0);
	put32le(p + 4, (uint32_t)n1);
	put32le(p + 8, (uint32_t)last);
	return REC_NARROW;
}

/* 0, or -1 for a value of neither size. */
static inline int
lmdb_val_get(const unsigned char *p, size_t n, long long *n0, long long *n1,
    long long *last)
{
	if (n == REC_WIDE) {
		*n0 = get64le(p);
		*n1 = get64le(p + 8);
		*last = get64le(p + 16);
	} else if (n == REC_NARROW) {
		*n0 = (int32_t)get32le(p);
		*n1 = (int32_t)get32le(p + 4);
		*last = get32le(p + 8);
	} else
		return -1;
	return 0;
}

/* A record expired at time now: the rule both backends keep. */
static inline int
store_aged(const struct store_table *t, long long last, long long now)
{
	return t->ttl > 0 && last + t->ttl <= now;
}

/* The sweep of a table a run has written to n times: how much to do. */
static inline long long
store_budget(long long writes)
{
	return 16 + 2 * writes;
}

#endif
