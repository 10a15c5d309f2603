/*
 * store_lmdbvec.c - the vectors of an LMDB store (store_vec_get(),
 * store_vec_add()): in the "meta" database, each block of
 * STORE_VEC_BLOCK counters one value under "v:TABLE:" and the block's
 * number (32-bit big-endian), the counters in the host's order as the
 * rest of an LMDB file is.  A block absent is all zeros.  Reading
 * takes the counters from the map where they lie, one lookup a block;
 * adding writes each block touched once, a copy with the sums.
 */
#include <stdint.h>
#include <string.h>

#include <lmdb.h>

#include "store/store.h"
#include "store/store_int.h"

#define VEC_BYTES	(STORE_VEC_BLOCK * sizeof(int32_t))

static size_t
block_key(char *out, const char *name, uint32_t block)
{
	size_t n = strlen(name);

	out[0] = 'v';
	out[1] = ':';
	memcpy(out + 2, name, n);
	out[2 + n] = ':';
	out[3 + n] = (char)(block >> 24);
	out[4 + n] = (char)(block >> 16);
	out[5 + n] = (char)(block >> 8);
	out[6 + n] = (char)block;
	return 7 + n;
}

/* Block b of a vector: *p NULL if it is absent. */
static int
get_block(MDB_txn *txn, MDB_dbi dbi, const char *name, uint32_t b,
    const unsigned char **p)
{
	char kb[STORE_MAX_NAME + 8];
	MDB_val k, v;
	int rc;

	k.mv_data = kb;
	k.mv_size = block_key(kb, name, b);
	*p = NULL;
	if ((rc = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != VEC_BYTES)
		return MDB_CORRUPTED;
	*p = v.mv_data;
	return 0;
}

/*
 * The counters of idx[from .. to - 1], all of block p (NULL: zeros).
 * Indices of one message lie far apart: each read misses the cache,
 * so the reads a few counters ahead are started early.
 */
#define AHEAD	16

static void
read_block(const unsigned char *p, const struct store_op *op, size_t from,
    size_t to)
{
	size_t i;

	if (p == NULL) {
		memset(op->vout + from, 0, (to - from) * sizeof(int32_t));
		return;
	}
	for (i = from; i < to; i++) {
		if (i + AHEAD < to)
			__builtin_prefetch(p + sizeof(int32_t) *
			    (op->vidx[i + AHEAD] % STORE_VEC_BLOCK));
		/* the map's values need not be aligned */
		memcpy(&op->vout[i], p + sizeof(int32_t) *
		    (op->vidx[i] % STORE_VEC_BLOCK), sizeof(int32_t));
	}
}

int
lmdb_vec_get(MDB_txn *txn, unsigned int dbi, const struct store_op *op)
{
	const unsigned char *p;
	size_t i, j, n = (size_t)op->a;
	int rc;

	for (i = 0; i < n; i = j) {
		uint32_t b = op->vidx[i] / STORE_VEC_BLOCK;

		for (j = i + 1; j < n && op->vidx[j] / STORE_VEC_BLOCK == b;
		    j++)
			;
		if ((rc = get_block(txn, dbi, op->t->name, b, &p)) != 0)
			return rc;
		read_block(p, op, i, j);
	}
	return 0;
}

static int32_t
saturated(int32_t w, int32_t d)
{
	int64_t s = (int64_t)w + d;

	return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN :
	    (int32_t)s;
}

int
lmdb_vec_add(MDB_txn *txn, unsigned int dbi, const struct store_op *op)
{
	static int32_t blk[STORE_VEC_BLOCK];
	const unsigned char *p;
	char kb[STORE_MAX_NAME + 8];
	MDB_val k, v;
	size_t i = 0, n = (size_t)op->a;
	int rc;

	while (i < n) {
		uint32_t b = op->vidx[i] / STORE_VEC_BLOCK;

		if ((rc = get_block(txn, dbi, op->t->name, b, &p)) != 0)
			return rc;
		if (p != NULL)
			memcpy(blk, p, VEC_BYTES);
		else
			memset(blk, 0, VEC_BYTES);
		for (; i < n && op->vidx[i] / STORE_VEC_BLOCK == b; i++) {
			int32_t *w = &blk[op->vidx[i] % STORE_VEC_BLOCK];

			*w = saturated(*w, op->vadd[i]);
		}
		k.mv_data = kb;
		k.mv_size = block_key(kb, op->t->name, b);
		v.mv_data = blk;
		v.mv_size = VEC_BYTES;
		if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0)
			return rc;
	}
	return 0;
}
