/*
 * store_redis.c - the store in Redis, for sites where several machines
 * share what they learn: store = redis://[[user]:password@]host[:port][/db]
 *
 * A record is the hash xd:TABLE:KEY with the fields 0 and 1 (the
 * counters) and t (the time of the last write); the sorted set
 * xd:TABLE holds each KEY of the table scored by that time, the index
 * by which records age and the table is kept to its bound, as the
 * "lru" database does in LMDB.  A batch is one call of one Lua script,
 * which Redis runs atomically, and the script does what store_lmdb.c
 * does in C, rule for rule; the tests run both on the same cases.
 * Times are the caller's (store_set_time), never the server's, and no
 * key gets a Redis EXPIRE: aging is the script's sweep alone.  A single
 * server only: the script reaches keys it was not given (not Cluster).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "base/base.h"
#include "store/store.h"
#include "store/store_int.h"

#define RETRY_AFTER	5	/* seconds a failed server is left alone */
/*
 * A run that reads a vector's counters, at least one for each this many
 * bytes of its string, copies the string into the script once rather
 * than calling GETRANGE a counter: a call costs about what copying that
 * many bytes does.  One message's features read a call a counter.
 */
#define VEC_WHOLE	256
#define WALK_CHUNK	512	/* keys read per round trip of a walk */
#define STR(x)		STR2(x)
#define STR2(x)		#x

/*
 * ARGV: now, ntables, (name ttl max)..., nops, (op table key a b c)...
 * A vector is the string xd:v:TABLE, 4 bytes a counter (little-endian);
 * its operations' key is the indices (V) or index and addend pairs (W),
 * packed so, and a the number of them; V's result is the counters.
 */
static const char script[] =
"local now = tonumber(ARGV[1])\n"
"local tabs, i = {}, 3\n"
"for t = 1, tonumber(ARGV[2]) do\n"
"  tabs[t] = {idx = 'xd:' .. ARGV[i], ttl = tonumber(ARGV[i + 1]),\n"
"    max = tonumber(ARGV[i + 2]), w = 0}\n"
"  i = i + 3\n"
"end\n"
"local function rkey(t, k) return t.idx .. ':' .. k end\n"
"local function read(t, k)\n"
"  local v = redis.call('HMGET', rkey(t, k), '0', '1', 't')\n"
"  local last = tonumber(v[3])\n"
"  if last == nil then return 0, 0, 0, 0 end\n"
"  if t.ttl > 0 and last + t.ttl <= now then return 0, 0, 0, last end\n"
"  return tonumber(v[1]) or 0, tonumber(v[2]) or 0, last, last\n"
"end\n"
"local function write(t, k, raw, a, b)\n"
"  t.w = t.w + 1\n"
"  if a == 0 and b == 0 then\n"
"    if raw ~= 0 then\n"
"      redis.call('DEL', rkey(t, k))\n"
"      redis.call('ZREM', t.idx, k)\n"
"    end\n"
"    return {0, 0, 0}\n"
"  end\n"
"  redis.call('HSET', rkey(t, k), '0', a, '1', b, 't', now)\n"
"  redis.call('ZADD', t.idx, now, k)\n"
"  return {a, b, now}\n"
"end\n"
"local function sweep(t, budget)\n"
"  local removed = 0\n"
"  if t.ttl > 0 then\n"
"    local old = redis.call('ZRANGEBYSCORE', t.idx, '-inf', now - t.ttl,\n"
"      'LIMIT', 0, budget)\n"
"    for _, k in ipairs(old) do\n"
"      redis.call('DEL', rkey(t, k))\n"
"      redis.call('ZREM', t.idx, k)\n"
"    end\n"
"    removed = #old\n"
"  end\n"
"  if t.max > 0 and removed < budget then\n"
"    local over = redis.call('ZCARD', t.idx) - t.max\n"
"    if over > 0 then\n"
"      local pop = redis.call('ZPOPMIN', t.idx,\n"
"        math.min(over, budget - removed))\n"
"      for j = 1, #pop, 2 do redis.call('DEL', rkey(t, pop[j])) end\n"
"      removed = removed + #pop / 2\n"
"    end\n"
"  end\n"
"  return removed\n"
"end\n"
"local function vkey(t) return 'xd:v:' .. string.sub(t.idx, 4) end\n"
"local vecs = {}\n"
"local function vwhole(t, key)\n"
"  if vecs[key] == nil then\n"
"    if t.vn * " STR(VEC_WHOLE) " < redis.call('STRLEN', key) then\n"
"      vecs[key] = false\n"
"    else\n"
"      vecs[key] = redis.call('GET', key) or ''\n"
"    end\n"
"  end\n"
"  return vecs[key]\n"
"end\n"
"local function vget(t, k, n)\n"
"  local key, out = vkey(t), {}\n"
"  local v = vwhole(t, key)\n"
"  for j = 1, n do\n"
"    local o, s = 4 * struct.unpack('<I4', k, 4 * j - 3)\n"
"    if v then s = string.sub(v, o + 1, o + 4)\n"
"    else s = redis.call('GETRANGE', key, o, o + 3) end\n"
"    if #s == 4 then out[j] = s else out[j] = '\\0\\0\\0\\0' end\n"
"  end\n"
"  return table.concat(out)\n"
"end\n"
"local function vadd(t, k, n)\n"
"  local key = vkey(t)\n"
"  vecs[key] = nil\n"
"  for j = 1, n do\n"
"    local i, d = struct.unpack('<I4i4', k, 8 * j - 7)\n"
"    local s, w = redis.call('GETRANGE', key, 4 * i, 4 * i + 3), 0\n"
"    if #s == 4 then w = struct.unpack('<i4', s) end\n"
"    w = math.max(-2147483648, math.min(2147483647, w + d))\n"
"    redis.call('SETRANGE', key, 4 * i, struct.pack('<i4', w))\n"
"  end\n"
"end\n"
"local out, skip = {}, false\n"
"local n = tonumber(ARGV[i])\n"
"i = i + 1\n"
"for o = i, i + 6 * (n - 1), 6 do\n"
"  local t = tabs[tonumber(ARGV[o + 1])]\n"
"  if ARGV[o] == 'V' then t.vn = (t.vn or 0) + tonumber(ARGV[o + 3]) end\n"
"end\n"
"for o = 1, n do\n"
"  local op, t, k = ARGV[i], tabs[tonumber(ARGV[i + 1])], ARGV[i + 2]\n"
"  local x, y, z = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]),\n"
"    tonumber(ARGV[i + 5])\n"
"  local r = {0, 0, 0}\n"
"  i = i + 6\n"
"  if op == 'e' then\n"
"    skip = false\n"
"  elseif not skip then\n"
"    if op == 'x' then\n"
"      r = {sweep(t, " STR(STORE_MAX_EXPIRE) "), 0, 0}\n"
"    elseif op == 'V' then\n"
"      r = vget(t, k, x)\n"
"    elseif op == 'W' then\n"
"      vadd(t, k, x)\n"
"    else\n"
"      local a, b, last, raw = read(t, k)\n"
"      if op == 'g' then\n"
"        r = {a, b, last}\n"
"      elseif op == 'a' then\n"
"        r = write(t, k, raw, a + x, b + y)\n"
"      elseif op == 'i' then\n"
"        r = {a, b, last}\n"
"        if a == x then write(t, k, raw, y, z) else skip = true end\n"
"      else\n"
"        write(t, k, raw, 0, 0)\n"
"      end\n"
"    end\n"
"  end\n"
"  out[o] = r\n"
"end\n"
"for _, t in ipairs(tabs) do\n"
"  if t.w > 0 then sweep(t, 16 + 2 * t.w) end\n"
"end\n"
"return out\n";

static const char opchar[] = {
	[OP_GET] = 'g', [OP_ADD] = 'a', [OP_IF] = 'i', [OP_END] = 'e',
	[OP_DEL] = 'd', [OP_EXPIRE] = 'x', [OP_VGET] = 'V', [OP_VADD] = 'W'
};

struct redis {
	redisContext	*c;
	char		*host, *user, *pass;
	int		 port;
	long		 db;
	char		 sha[41];
	time_t		 down_until;
	char		 err[512];
};

static const char *
fail(struct redis *r, const char *what)
{
	snprintf(r->err, sizeof(r->err), "redis %s:%d: %s", r->host, r->port,
	    what);
	return r->err;
}

/* redis://[[user]:password@]host[:port][/db]; host may be [v6]. */
static int
parse_url(struct redis *r, const char *url, const char **why)
{
	const char *p = url + 8, *at, *end, *colon, *errstr;
	char *s;

	r->port = 6379;
	end = p + strcspn(p, "/");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon == NULL) {
			*why = "redis URL: userinfo without ':password'";
			return -1;
		}
		if (colon > p)
			r->user = xstrndup(p, (size_t)(colon - p));
		r->pass = xstrndup(colon + 1, (size_t)(at - colon - 1));
		p = at + 1;
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (close == NULL) {
			*why = "redis URL: '[' without ']'";
			return -1;
		}
		r->host = xstrndup(p + 1, (size_t)(close - p - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		r->host = xstrndup(p, (size_t)((colon ? colon : end) - p));
	}
	if (r->host[0] == '\0') {
		*why = "redis URL: no host";
		return -1;
	}
	if (colon != NULL) {
		s = xstrndup(colon + 1, (size_t)(end - colon - 1));
		r->port = (int)xd_strtonum(s, 1, 65535, &errstr);
		free(s);
		if (errstr != NULL) {
			*why = "redis URL: a bad port";
			return -1;
		}
	}
	if (*end == '/' && end[1] != '\0') {
		r->db = (long)xd_strtonum(end + 1, 0, 1000000, &errstr);
		if (errstr != NULL) {
			*why = "redis URL: a bad database number";
			return -1;
		}
	}
	return 0;
}

static void
disconnect(struct redis *r)
{
	if (r->c != NULL)
		redisFree(r->c);
	r->c = NULL;
	r->down_until = time(NULL) + RETRY_AFTER;
}

static int
redis_open(struct store *st, const char *url, const char **why)
{
	struct redis *r = xcalloc(1, sizeof(*r));

	st->priv = r;
	if (parse_url(r, url, why) != 0) {
		free(r->host);
		free(r->user);
		free(r->pass);
		free(r);
		return -1;
	}
	return 0;
}

static void
redis_close(struct store *st)
{
	struct redis *r = st->priv;

	if (r->c != NULL)
		redisFree(r->c);
	free(r->host);
	free(r->user);
	free(r->pass);
	free(r);
}

/*
 * One command; its reply, or NULL with *why set (and the connection
 * dropped if it broke).  An error reply is returned to the caller.
 */
static redisReply *
command(struct redis *r, int argc, const char **argv, const size_t *len,
    const char **why)
{
	redisReply *rep;

	rep = redisCommandArgv(r->c, argc, argv, len);
	if (rep == NULL) {
		*why = fail(r, r->c->errstr[0] ? r->c->errstr : "no reply");
		disconnect(r);
	}
	return rep;
}

/* A command whose reply must not be an error; 0 or -1. */
static int
simple(struct redis *r, int argc, const char **argv, const char **why)
{
	redisReply *rep = command(r, argc, argv, NULL, why);
	int rc = 0;

	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ERROR) {
		*why = fail(r, rep->str);
		rc = -1;
	}
	freeReplyObject(rep);
	return rc;
}

static int
load_script(struct redis *r, const char **why)
{
	const char *argv[] = { "SCRIPT", "LOAD", script };
	redisReply *rep = command(r, 3, argv, NULL, why);
	int rc = -1;

	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len == 40) {
		memcpy(r->sha, rep->str, 41);
		rc = 0;
	} else
		*why = fail(r, rep->type == REDIS_REPLY_ERROR ? rep->str :
		    "SCRIPT LOAD: an odd reply");
	freeReplyObject(rep);
	return rc;
}

static int
ready(struct redis *r, const char **why)
{
	struct timeval tv;
	double secs = conf_double("store_timeout");
	char db[32];

	if (r->c != NULL)
		return 0;
	if (time(NULL) < r->down_until) {
		*why = r->err[0] ? r->err : fail(r, "down");
		return -1;
	}
	if (secs <= 0)
		secs = 2;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (r->c == NULL || r->c->err) {
		*why = fail(r, r->c ? r->c->errstr : "out of memory");
		disconnect(r);
		return -1;
	}
	redisSetTimeout(r->c, tv);
	if (r->pass != NULL) {
		const char *a3[] = { "AUTH", r->user, r->pass };
		const char *a2[] = { "AUTH", r->pass };

		if (r->user != NULL ? simple(r, 3, a3, why) != 0 :
		    simple(r, 2, a2, why) != 0)
			goto bad;
	}
	if (r->db != 0) {
		const char *argv[] = { "SELECT", db };

		snprintf(db, sizeof(db), "%ld", r->db);
		if (simple(r, 2, argv, why) != 0)
			goto bad;
	}
	if (load_script(r, why) != 0)
		goto bad;
	return 0;
bad:
	disconnect(r);
	return -1;
}

/* The tables of a batch in order of first use; ops refer to them by number. */
static size_t
table_no(const struct store_table **tabs, size_t *n,
    const struct store_table *t)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (tabs[i] == t)
			return i + 1;
	tabs[(*n)++] = t;
	return *n;
}

/* Numbers as arguments: their text lives in one buffer, found by offset. */
static size_t
num(struct buf *b, long long v)
{
	size_t off = b->len;

	buf_printf(b, "%lld", v);
	buf_addc(b, '\0');
	return off;
}

static void
buf_add32le(struct buf *b, uint32_t v)
{
	unsigned char p[4];

	put32le(p, v);
	buf_add(b, (char *)p, 4);
}

/* A vector operation's indices (and addends) as its key; the length. */
static size_t
vec_arg(struct buf *b, const struct store_op *op)
{
	size_t i, start = b->len;

	for (i = 0; i < (size_t)op->a; i++) {
		buf_add32le(b, op->vidx[i]);
		if (op->code == OP_VADD)
			buf_add32le(b, (uint32_t)op->vadd[i]);
	}
	return b->len - start;
}

/* A vector read's reply: the counters, little-endian. */
static int
vec_result(const redisReply *e, const struct store_op *op)
{
	const unsigned char *p = (const unsigned char *)e->str;
	size_t i;

	if (e->type != REDIS_REPLY_STRING || e->len != 4 * (size_t)op->a)
		return -1;
	for (i = 0; i < (size_t)op->a; i++, p += 4)
		op->vout[i] = (int32_t)get32le(p);
	return 0;
}

static int
results(struct redis *r, const redisReply *rep, const struct store_op *ops,
    size_t n, struct store_val *res, const char **why)
{
	size_t i, j;

	if (rep->type == REDIS_REPLY_ERROR) {
		*why = fail(r, rep->str);
		return -1;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != n) {
		*why = fail(r, "the script gave an odd reply");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const redisReply *e = rep->element[i];

		if (ops[i].code == OP_VGET) {
			if (vec_result(e, &ops[i]) != 0)
				goto odd;
			continue;
		}
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 3)
			goto odd;
		for (j = 0; j < 3; j++)
			if (e->element[j]->type != REDIS_REPLY_INTEGER)
				goto odd;
		res[i].n[0] = e->element[0]->integer;
		res[i].n[1] = e->element[1]->integer;
		res[i].last = e->element[2]->integer;
	}
	return 0;
odd:
	*why = fail(r, "the script gave an odd reply");
	return -1;
}

static int
redis_run(struct store *st, const struct store_op *ops, size_t n,
    struct store_val *res, const char **why)
{
	struct redis *r = st->priv;
	const struct store_table *tabs[STORE_MAX_TABLES];
	size_t ntabs = 0, i, argc = 0, *off, *len;
	const char **argv;
	struct buf nums;
	redisReply *rep;
	int tries, rc = -1;

	if (ready(r, why) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (ops[i].t != NULL)
			table_no(tabs, &ntabs, ops[i].t);
	argv = xcalloc(6 + 3 * ntabs + 6 * n, sizeof(*argv));
	len = xcalloc(6 + 3 * ntabs + 6 * n, sizeof(*len));
	off = xcalloc(6 + 3 * ntabs + 6 * n, sizeof(*off));
	buf_init(&nums);
	/* first every argument as an offset: nums moves as it grows */
	argv[argc++] = "EVALSHA";
	argv[argc++] = r->sha;
	argv[argc++] = "0";
	off[argc++] = num(&nums, store_time(st));
	off[argc++] = num(&nums, (long long)ntabs);
	for (i = 0; i < ntabs; i++) {
		argv[argc++] = tabs[i]->name;
		off[argc++] = num(&nums, tabs[i]->ttl);
		off[argc++] = num(&nums, tabs[i]->max);
	}
	off[argc++] = num(&nums, (long long)n);
	for (i = 0; i < n; i++) {
		const struct store_op *op = &ops[i];

		argv[argc] = &opchar[op->code];
		len[argc++] = 1;
		off[argc++] = num(&nums, op->t ? (long long)table_no(tabs,
		    &ntabs, op->t) : 0);
		if (op->code == OP_VGET || op->code == OP_VADD) {
			off[argc] = nums.len;
			len[argc++] = vec_arg(&nums, op);
		} else {
			argv[argc] = store_op_key(st, op);
			len[argc++] = op->keylen;
		}
		off[argc++] = num(&nums, op->a);
		off[argc++] = num(&nums, op->b);
		off[argc++] = num(&nums, op->c);
	}
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL)
			argv[i] = nums.s + off[i];
		if (len[i] == 0)
			len[i] = strlen(argv[i]);
	}
	for (tries = 0; tries < 2; tries++) {
		if ((rep = command(r, (int)argc, argv, len, why)) == NULL)
			break;
		if (rep->type == REDIS_REPLY_ERROR &&
		    strncmp(rep->str, "NOSCRIPT", 8) == 0 && tries == 0) {
			/* the server forgot it (restart, SCRIPT FLUSH) */
			freeReplyObject(rep);
			if (load_script(r, why) != 0)
				break;
			continue;
		}
		rc = results(r, rep, ops, n, res, why);
		freeReplyObject(rep);
		break;
	}
	buf_free(&nums);
	free(argv);
	free(len);
	free(off);
	return rc;
}

static long long
redis_count(struct store *st, const struct store_table *t, const char **why)
{
	struct redis *r = st->priv;
	redisReply *rep;
	long long n = -1;
	char *idx;

	if (ready(r, why) != 0)
		return -1;
	xasprintf(&idx, "xd:%s", t->name);
	{
		const char *argv[] = { "ZCARD", idx };

		rep = command(r, 2, argv, NULL, why);
	}
	free(idx);
	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		n = rep->integer;
	else
		*why = fail(r, rep->type == REDIS_REPLY_ERROR ? rep->str :
		    "ZCARD: an odd reply");
	freeReplyObject(rep);
	return n;
}

/* Read the records of some keys of a walk in one round trip. */
static int
walk_keys(struct redis *r, const struct store_table *t, long long now,
    const redisReply *keys, store_walk_fn fn, void *arg, const char **why)
{
	size_t i, j;
	int rc = 0, stop = 0;

	for (i = 0; i < keys->elements; i++) {
		const redisReply *k = keys->element[i];
		char *rk;

		if (k->type != REDIS_REPLY_STRING) {
			*why = fail(r, "ZRANGE: an odd reply");
			return -1;
		}
		xasprintf(&rk, "xd:%s:%.*s", t->name, (int)k->len, k->str);
		redisAppendCommand(r->c, "HMGET %s 0 1 t", rk);
		free(rk);
	}
	for (i = 0; i < keys->elements; i++) {
		redisReply *rep;
		struct store_val v;
		char key[STORE_MAX_KEY + 1];
		const redisReply *k = keys->element[i];

		if (redisGetReply(r->c, (void **)&rep) != REDIS_OK) {
			*why = fail(r, r->c->errstr);
			disconnect(r);
			return -1;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
			*why = fail(r, "HMGET: an odd reply");
			rc = -1;
		}
		memset(&v, 0, sizeof(v));
		for (j = 0; rc == 0 && j < 3; j++)
			if (rep->element[j]->type == REDIS_REPLY_STRING) {
				long long x = strtoll(rep->element[j]->str,
				    NULL, 10);

				if (j < 2)
					v.n[j] = x;
				else
					v.last = x;
			}
		freeReplyObject(rep);
		if (rc != 0 || stop || v.last == 0 || store_aged(t, v.last,
		    now) || k->len == 0 || k->len > STORE_MAX_KEY)
			continue;
		memcpy(key, k->str, k->len);
		key[k->len] = '\0';
		if (fn(key, &v, arg) != 0)
			stop = 1;	/* the replies must still be read */
	}
	return rc != 0 ? rc : stop;
}

static int
redis_walk(struct store *st, const struct store_table *t, store_walk_fn fn,
    void *arg, const char **why)
{
	struct redis *r = st->priv;
	long long from = 0, now = store_time(st);
	redisReply *rep;
	int rc = 0;

	if (ready(r, why) != 0)
		return -1;
	while (rc == 0) {
		rep = redisCommand(r->c, "ZRANGE xd:%s %lld %lld", t->name,
		    from, from + WALK_CHUNK - 1);
		if (rep == NULL) {
			*why = fail(r, r->c->errstr);
			disconnect(r);
			return -1;
		}
		if (rep->type != REDIS_REPLY_ARRAY) {
			*why = fail(r, rep->type == REDIS_REPLY_ERROR ?
			    rep->str : "ZRANGE: an odd reply");
			freeReplyObject(rep);
			return -1;
		}
		if (rep->elements == 0) {
			freeReplyObject(rep);
			break;
		}
		rc = walk_keys(r, t, now, rep, fn, arg, why);
		from += (long long)rep->elements;
		freeReplyObject(rep);
	}
	return rc < 0 ? -1 : 0;
}

const struct store_backend store_redis = {
	"redis", redis_open, redis_close, redis_run, redis_count, redis_walk,
	NULL	/* Redis keeps no pages to compact */
};
