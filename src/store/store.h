/*
 * store/store.h - the learning store, LMDB or Redis behind one
 * interface (store_int.h is what the backends share).
 */
#ifndef XD_STORE_H
#define XD_STORE_H

#include <stdint.h>

#include "base/base.h"

/* store.c: the learning store, LMDB or Redis behind one interface */
/* @@store@@ */
/*
 * A store holds records in tables: a record is two counters and the
 * time it was last written, under a key of at most STORE_MAX_KEY bytes
 * (no NUL).  A record whose counters are both 0 does not exist.
 * Records not written for a table's ttl are gone, and a table keeps at
 * most max records, the least recently written going first (checked at
 * every write; store_expire() sweeps a whole table).  See xd-store(5).
 *
 * Work is queued, then store_run() runs the queue as one batch, in
 * order and atomically: one LMDB write transaction (a read-only one if
 * nothing is written), or one Redis script.  Only then are the results
 * stored where the queueing calls pointed (out may be NULL); if the run
 * fails nothing was written and no result is stored.  store_if() is a
 * compare-and-set: if the record's n[0] is expect (an absent record has
 * 0) it gets the counters v0, v1, otherwise the operations queued after
 * it up to store_endif() are skipped; out gets the record as it was.
 * Times are seconds since the epoch; store_set_time() makes the store
 * work at another time than the clock's (0: the clock again).
 */
#define STORE_MAX_KEY	200	/* bytes of a key */
#define STORE_MAX_NAME	16	/* bytes of a table name, [a-z0-9_] */
#define STORE_MAX_TABLES 16	/* tables one run may touch */
#define STORE_MAX_OPS	200000	/* operations one run may hold */
struct store_table {
	const char	*name;
	long long	 ttl;		/* seconds; 0: records never age */
	long long	 max;		/* records; 0: no bound but the store's */
};
struct store_val {
	long long	 n[2];		/* the counters */
	long long	 last;		/* when written; 0: no such record */
};
struct store;
struct store *store_open(const char *, const char **);	/* NULL: "store" */
void	 store_close(struct store *);
const char *store_url(const struct store *);
void	 store_set_time(struct store *, long long);
long long store_time(const struct store *);
void	 store_get(struct store *, const struct store_table *, const char *,
	    struct store_val *);
void	 store_add(struct store *, const struct store_table *, const char *,
	    long long, long long, struct store_val *);
void	 store_if(struct store *, const struct store_table *, const char *,
	    long long, long long, long long, struct store_val *);
void	 store_endif(struct store *);
void	 store_del(struct store *, const struct store_table *, const char *);
void	 store_expire(struct store *, const struct store_table *,
	    struct store_val *);	/* out->n[0]: records removed */
size_t	 store_pending(const struct store *);
int	 store_run(struct store *, const char **);
/* A checker's writes never wait for a learner's: store_busy() says so. */
void	 store_dont_wait(struct store *);
int	 store_busy(const struct store *);
long long store_count(struct store *, const struct store_table *,
	    const char **);		/* records, aged ones not yet swept too */
/*
 * An LMDB store copied over its file without its free pages, each
 * table's records in key order, so that a reader of one table maps
 * that table's stretch of the file, not all of it: for the end of a
 * bulk learn.  Done only if no other process has the store open (their
 * writes would go to the old file): 0 then, and for Redis, which has
 * nothing to compact.  1: done, *before and *after the file's sizes.
 * The handle lets go of the file either way; its next use opens it.
 */
int	 store_compact(struct store *, long long *, long long *,
	    const char **);
typedef int (*store_walk_fn)(const char *, const struct store_val *, void *);
int	 store_walk(struct store *, const struct store_table *, store_walk_fn,
	    void *, const char **);	/* live records, oldest first */
/*
 * A vector: 32-bit counters 0 .. 2^32-1 of a table that holds nothing
 * else, for the dense models of learners, kept in blocks of
 * STORE_VEC_BLOCK so that a run looks each block up once, reads the
 * counters in place in LMDB's map and in one script call in Redis.
 * idx is ascending; idx, out and d stay put until the run, whose
 * results they are (out is written even if the run fails: no use then).
 * An addition saturates at the counters' bounds; absent counters are 0.
 */
#define STORE_VEC_BLOCK	16384
void	 store_vec_get(struct store *, const struct store_table *,
	    const uint32_t *, size_t, int32_t *);
void	 store_vec_add(struct store *, const struct store_table *,
	    const uint32_t *, const int32_t *, size_t);
/*
 * The batched main loop of a stream tool that uses a store: it reads
 * up to lines lines, calls line() for each message line (open the
 * message, queue store work; lines that are comments or damaged are
 * passed as stream_run() passes them), then batch() once, then finish()
 * for each message line, and writes the lines in order.  Each message
 * line gets state_size zeroed bytes of state that stay put until its
 * finish().  Non-zero from line() or finish(): the line has an error=.
 * Returns the exit status, or XD_READ_ERROR or XD_WRITE_ERROR.
 */
struct store_runner {
	const char	*tool;
	size_t		 lines;		/* a batch; 0: xd.conf's bayes_batch */
	size_t		 state_size;
	int		(*line)(struct rec *, void *, void *);
	void		(*batch)(void *);
	int		(*finish)(struct rec *, void *, void *);
	void		*arg;		/* the last argument of all three */
};
int	 store_stream_run(FILE *, FILE *, const struct store_runner *);

#endif
