/*
 * stage_cksum.c - the stage of xd-cksum(1): checksums of the body,
 * counted in the store: how many copies of this body, or of one close
 * to it, came in the last window (CKSUM_BULK), and whether users
 * reported it as spam or as not spam (CKSUM_SPAM, CKSUM_HAM).  Writes
 * the facts cksum= and fuzzy=.
 *
 * Each message counts once: the first check of a message claims its
 * record in the seen table and then freezes there the counts it found,
 * so a second check (a re-run, a second recipient) counts nothing and
 * writes what the first wrote.  Counts live in two windows, the current
 * and the last, keyed by window number; see xd-cksum(1) and xd-store(5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "mime/mime.h"
#include "net/net.h"
#include "store/store.h"
#include "check/check.h"
#include "stage.h"

#define TOOL	"xd-cksum"
#define BATCH	128		/* lines per store batch */
#define KEYLEN	64

struct line {
	int		 skip;		/* --keep: left as it was */
	int		 bad;		/* error= written */
	int		 queued;	/* store work was queued */
	int		 fresh;		/* this line claimed its message */
	struct cksum	 ck;
	char		 key[33];
	struct store_val claim, xcur, xprev, xrep, learned[2];
	struct store_val fcur[CKSUM_BANDS], fprev[CKSUM_BANDS];
	struct store_val frep[CKSUM_BANDS];
	long long	 exact, fuzzy;
};

/*
 * A check while a learner holds the store may fail for a while: that is
 * CKSUM_TEMPFAIL.  A store that fails on its own (a directory that
 * cannot be made, a server that does not answer) fails the check, so
 * that xd filter delivers the message marked unchecked: a broken store
 * must not turn bulk detection off unseen.
 */
enum { FAILED_NOT, FAILED_BUSY, FAILED_STORE };

struct ck {
	enum cksum_mode mode;
	int		 keep;
	int		 readonly;	/* --read-only: count nothing */
	struct store	*st;
	struct store_table seen, counts, reports, learned;
	long long	 window, threshold, fixed, now;
	int		 failed;	/* FAILED_*: how the batch failed */
	int		 warned, busy;
	struct line	**batch;
	size_t		 nbatch;
	struct buf	 tmp;
};

static const char *const owned[] = { "CKSUM_", "cksum=", "fuzzy=", NULL };

static const char hexdigits[] = "0123456789abcdef";

/* ":win" at p unless win < 0 (no window), then the NUL; the end. */
static char *
put_window(char *p, long long win)
{
	char d[24];
	size_t n = 0;

	if (win >= 0) {
		*p++ = ':';
		do
			d[n++] = (char)('0' + win % 10);
		while ((win /= 10) > 0);
		while (n > 0)
			*p++ = d[--n];
	}
	*p = '\0';
	return p;
}

/*
 * The keys are written by hand, not by snprintf(): a message has some
 * thirty of them.  They are "x:HEX[:WINDOW]" and "fB:BAND[:WINDOW]",
 * the band in 16 hex digits (xd-store(5)).
 */
static const char *
xkey(char *out, const struct cksum *ck, long long win)
{
	size_t n = strnlen(ck->hex, 32);

	out[0] = 'x';
	out[1] = ':';
	memcpy(out + 2, ck->hex, n);
	put_window(out + 2 + n, win);
	return out;
}

static const char *
fkey(char *out, const struct cksum *ck, size_t b, long long win)
{
	uint64_t v = ck->band[b];
	int i;

	out[0] = 'f';
	out[1] = hexdigits[b & 0xf];	/* b < CKSUM_BANDS <= 16 */
	out[2] = ':';
	for (i = 15; i >= 0; i--, v >>= 4)
		out[3 + i] = hexdigits[v & 0xf];
	put_window(out + 19, win);
	return out;
}

/* The message of a line, fingerprinted; -1 with error= on failure. */
static int
fingerprint(struct rec *rec, struct line *l)
{
	struct locator loc;
	struct message *m;
	const char *why;
	int rc = -1;

	if (rec_locate(rec, &loc, &why) != 0) {
		xd_warnx("%s: %s", loc.path, why);
	} else if ((m = view_message(&loc, &why)) == NULL) {
		if (strcmp(why, "unreadable") == 0)
			xd_warn("%s", loc.path);
		else
			xd_warnx("%s: %s", loc.path, why);
	} else {
		cksum_message(m, &l->ck, NULL);
		cksum_msgkey(m, &l->ck, l->key);
		view_release(m);
		rc = 0;
	}
	locator_free(&loc);
	if (rc != 0) {
		rec_error(rec, TOOL, why);
		l->bad = 1;
	}
	return rc;
}

/*
 * Read the counts of the digest and its bands in window w and the one
 * before, and their reports.
 */
static void
queue_reads(struct ck *c, struct line *l, long long w)
{
	struct store *st = c->st;
	const struct cksum *ck = &l->ck;
	char k[KEYLEN];
	size_t b;

	store_get(st, &c->counts, xkey(k, ck, w), &l->xcur);
	store_get(st, &c->counts, xkey(k, ck, w - 1), &l->xprev);
	store_get(st, &c->reports, xkey(k, ck, -1), &l->xrep);
	for (b = 0; ck->fuzzy && b < CKSUM_BANDS; b++) {
		store_get(st, &c->counts, fkey(k, ck, b, w), &l->fcur[b]);
		store_get(st, &c->counts, fkey(k, ck, b, w - 1), &l->fprev[b]);
		store_get(st, &c->reports, fkey(k, ck, b, -1), &l->frep[b]);
	}
}

/* Count the message once, then read its counts (queue_reads). */
static void
queue_check(struct ck *c, struct line *l)
{
	struct store *st = c->st;
	const struct cksum *ck = &l->ck;
	long long w = c->now / c->window;
	char k[KEYLEN];
	size_t b;

	store_if(st, &c->seen, l->key, 0, -1, 0, &l->claim);
	store_add(st, &c->counts, xkey(k, ck, w), 1, 0, NULL);
	for (b = 0; ck->fuzzy && b < CKSUM_BANDS; b++)
		store_add(st, &c->counts, fkey(k, ck, b, w), 1, 0, NULL);
	store_endif(st);
	queue_reads(c, l, w);
}

/*
 * A learner is writing and a checker does not wait for it: the counts
 * as they are, read only, with this message as if counted.
 */
static void
queue_peek(struct ck *c, struct line *l)
{
	store_get(c->st, &c->seen, l->key, &l->claim);
	queue_reads(c, l, c->now / c->window);
}

static void
peeked(struct line *l)
{
	size_t b;

	if (l->claim.n[0] != 0)
		return;		/* counted already */
	l->xcur.n[0]++;
	for (b = 0; l->ck.fuzzy && b < CKSUM_BANDS; b++)
		l->fcur[b].n[0]++;
	l->claim.n[0] = -1;	/* so that counts() freezes nothing */
}

static void
report(struct ck *c, const struct cksum *ck, long long spam, long long ham)
{
	char k[KEYLEN];
	size_t b;

	store_add(c->st, &c->reports, xkey(k, ck, -1), spam, ham, NULL);
	for (b = 0; ck->fuzzy && b < CKSUM_BANDS; b++)
		store_add(c->st, &c->reports, fkey(k, ck, b, -1), spam, ham,
		    NULL);
}

/*
 * The learned table says how each message was reported (1 ham, 2 spam)
 * so that reporting it twice counts once and a change of mind moves
 * its report.  Of the two compare-and-sets exactly one can apply.
 */
static void
queue_learn(struct ck *c, struct line *l)
{
	struct store *st = c->st;
	int spam = c->mode == CKSUM_LEARN_SPAM;
	long long v = spam ? 2 : 1, other = spam ? 1 : 2;

	if (c->mode == CKSUM_UNLEARN) {
		store_if(st, &c->learned, l->key, 1, 0, 0, &l->learned[0]);
		report(c, &l->ck, 0, -1);
		store_endif(st);
		store_if(st, &c->learned, l->key, 2, 0, 0, &l->learned[1]);
		report(c, &l->ck, -1, 0);
		store_endif(st);
		return;
	}
	store_if(st, &c->learned, l->key, 0, v, 0, &l->learned[0]);
	report(c, &l->ck, spam, !spam);
	store_endif(st);
	store_if(st, &c->learned, l->key, other, v, 0, &l->learned[1]);
	report(c, &l->ck, spam ? 1 : -1, spam ? -1 : 1);
	store_endif(st);
}

static int
line(struct rec *rec, void *state, void *arg)
{
	struct ck *c = arg;
	struct line *l = state;

	if (c->keep && c->mode == CKSUM_CHECK && rec_has(rec, "cksum")) {
		l->skip = 1;
		return 0;
	}
	rec_drop_prefixes(rec, owned);
	if (fingerprint(rec, l) != 0)
		return 1;
	rec_add(rec, "cksum", l->ck.hex);
	if (l->ck.fuzzy) {
		cksum_format_fuzzy(&l->ck, &c->tmp);
		rec_add(rec, "fuzzy", c->tmp.s);
	}
	if (!cksum_counts(&l->ck))
		return 0;
	if (c->nbatch == 0) {
		/* one time for the whole batch: keys name its window */
		c->now = c->fixed > 0 ? c->fixed : (long long)time(NULL);
		store_set_time(c->st, c->now);
	}
	if (c->mode == CKSUM_CHECK && c->readonly)
		queue_peek(c, l);
	else if (c->mode == CKSUM_CHECK)
		queue_check(c, l);
	else
		queue_learn(c, l);
	l->queued = 1;
	c->batch[c->nbatch++] = l;
	return 0;
}

/* A count of this window and the last, the last weighed by its overlap. */
static long long
window_count(const struct ck *c, const struct store_val *cur,
    const struct store_val *prev)
{
	long long left = c->window - c->now % c->window;
	long long p = prev->n[0] > 0 ? prev->n[0] : 0;

	return (cur->n[0] > 0 ? cur->n[0] : 0) + p * left / c->window;
}

/*
 * The second largest of the bands' values: one band can match by
 * chance, two rarely do (see xd-cksum(1) FINGERPRINT).
 */
static long long
second(const long long *v, int fuzzy)
{
	long long a = 0, b = 0;
	size_t i;

	for (i = 0; fuzzy && i < CKSUM_BANDS; i++) {
		if (v[i] > a) {
			b = a;
			a = v[i];
		} else if (v[i] > b)
			b = v[i];
	}
	return b;
}

static void
counts(struct ck *c, struct line *l, size_t at)
{
	long long v[CKSUM_BANDS];
	size_t b, i;

	if (l->claim.n[0] > 0) {	/* frozen by its first check */
		l->exact = l->claim.n[0];
		l->fuzzy = l->claim.n[1];
		return;
	}
	for (b = 0; b < CKSUM_BANDS; b++)
		v[b] = window_count(c, &l->fcur[b], &l->fprev[b]);
	l->exact = window_count(c, &l->xcur, &l->xprev);
	l->fuzzy = second(v, l->ck.fuzzy);
	if (l->claim.n[0] == 0) {
		l->fresh = 1;
		if (l->exact < 1)
			l->exact = 1;
		/* run with the next batch: its first operations */
		store_if(c->st, &c->seen, l->key, -1, l->exact, l->fuzzy,
		    NULL);
		store_endif(c->st);
		return;
	}
	/* claimed and not frozen yet: by a line before it in this batch? */
	for (i = 0; i < at; i++)
		if (c->batch[i]->fresh && strcmp(c->batch[i]->key, l->key) == 0) {
			l->exact = c->batch[i]->exact;
			l->fuzzy = c->batch[i]->fuzzy;
			break;
		}
}

static void
batch(void *arg)
{
	struct ck *c = arg;
	const char *why;
	size_t i;
	int rc, busy = 0;

	c->failed = FAILED_NOT;
	if (c->nbatch == 0)
		return;
	rc = store_run(c->st, &why);
	if (rc == 0 && c->readonly)
		for (i = 0; i < c->nbatch; i++)
			peeked(c->batch[i]);
	if (rc != 0 && c->mode == CKSUM_CHECK && store_busy(c->st)) {
		busy = 1;
		/* a learner is writing: the counts as they are, none added */
		if (!c->busy++)
			xd_warnx("%s: checked without counting", why);
		for (i = 0; i < c->nbatch; i++)
			queue_peek(c, c->batch[i]);
		if ((rc = store_run(c->st, &why)) == 0)
			for (i = 0; i < c->nbatch; i++)
				peeked(c->batch[i]);
	}
	if (rc != 0) {
		c->failed = busy ? FAILED_BUSY : FAILED_STORE;
		if (!c->warned++)
			xd_warnx("%s", why);
	} else if (c->mode == CKSUM_CHECK)
		for (i = 0; i < c->nbatch; i++)
			counts(c, c->batch[i], i);
	c->nbatch = 0;
}

static void
symbols(struct ck *c, struct rec *rec, struct line *l)
{
	long long s[CKSUM_BANDS], h[CKSUM_BANDS], spam, ham, bulk;
	size_t b;

	bulk = l->exact > l->fuzzy ? l->exact : l->fuzzy;
	if (bulk >= c->threshold)
		rec_addf(rec, "CKSUM_BULK", "%lld", bulk);
	for (b = 0; b < CKSUM_BANDS; b++) {
		s[b] = l->frep[b].n[0];
		h[b] = l->frep[b].n[1];
	}
	spam = second(s, l->ck.fuzzy);
	ham = second(h, l->ck.fuzzy);
	if (l->xrep.n[0] > spam)
		spam = l->xrep.n[0];
	if (l->xrep.n[1] > ham)
		ham = l->xrep.n[1];
	if (spam > ham)
		rec_addf(rec, "CKSUM_SPAM", "%lld", spam);
	else if (ham > spam)
		rec_addf(rec, "CKSUM_HAM", "%lld", ham);
}

static int
finish(struct rec *rec, void *state, void *arg)
{
	struct ck *c = arg;
	struct line *l = state;

	if (l->skip || l->bad)
		return l->bad;
	if (!l->queued)
		return 0;
	if (c->failed == FAILED_BUSY && c->mode == CKSUM_CHECK) {
		rec_add(rec, "CKSUM_TEMPFAIL", "store");
		return 0;
	}
	if (c->failed) {
		if (c->mode != CKSUM_CHECK)
			xd_warnx("%s: not learned: the store failed",
			    rec_locator(rec));
		rec_error(rec, TOOL, "store");
		return 1;
	}
	if (c->mode == CKSUM_CHECK)
		symbols(c, rec, l);
	return 0;
}

/* --stats and --expire: one line per table. */
static int
tables_run(struct ck *c, int expire, FILE *out)
{
	const struct store_table *t[] = {
		&c->seen, &c->counts, &c->reports, &c->learned
	};
	struct store_val removed[4];
	const char *why;
	long long n;
	size_t i;

	store_set_time(c->st, c->fixed);
	for (i = 0; expire && i < 4; i++)
		store_expire(c->st, t[i], &removed[i]);
	if (expire && store_run(c->st, &why) != 0) {
		xd_warnx("%s", why);
		return XD_EXIT_SOME;
	}
	for (i = 0; i < 4; i++) {
		if ((n = store_count(c->st, t[i], &why)) < 0) {
			xd_warnx("%s", why);
			return XD_EXIT_SOME;
		}
		if (expire)
			fprintf(out, "%s\t%lld\tremoved %lld\n", t[i]->name,
			    n, removed[i].n[0]);
		else
			fprintf(out, "%s\t%lld\n", t[i]->name, n);
	}
	return XD_EXIT_OK;
}

/* The tables and their bounds from xd.conf; -1 if a value is unusable. */
static int
configure(struct ck *c)
{
	long long ttl = conf_int("cksum_report_ttl");
	long long max = conf_int("cksum_max");

	c->window = conf_int("cksum_window");
	c->threshold = conf_int("cksum_threshold");
	if (c->window < 1 || c->threshold < 1 || ttl < 1) {
		xd_warnx("cksum_window, cksum_threshold and cksum_report_ttl "
		    "must be 1 or more");
		return -1;
	}
	c->seen = (struct store_table){ "cks", 7 * c->window, max };
	c->counts = (struct store_table){ "ckc", 2 * c->window, max };
	c->reports = (struct store_table){ "ckr", ttl, max };
	c->learned = (struct store_table){ "ckl", ttl, max };
	return 0;
}

static int
run(struct ck *c, FILE *in, FILE *out)
{
	struct store_runner r = {
		TOOL, BATCH, sizeof(struct line), line, batch, finish, c
	};

	return store_stream_run(in, out, &r);
}

/*
 * What the last batch left, its seen records' counts, run at the end
 * of the stream (not while a learner writes: then a check again reads
 * the counts anew).  xd-check runs the stage once a chunk: until the
 * last, the next chunk's first batch takes them along in its
 * transaction, as the next batch does in xd-cksum, not a commit more.
 */
static void
flush(struct ck *c)
{
	const char *why;

	if (store_pending(c->st) > 0 && store_run(c->st, &why) != 0 &&
	    !store_busy(c->st) && !c->warned++)
		xd_warnx("%s", why);
}

/* --- the stage: checked against xd.conf's store --------------------- */

/* The store opened as the options say; NULL (said) if it cannot be. */
static struct ck *
ck_open(const struct cksum_opts *o, int tables)
{
	struct ck *c = xcalloc(1, sizeof(*c));
	const char *why;

	c->mode = o->mode;
	c->keep = o->keep;
	c->readonly = o->read_only;
	c->fixed = o->now;
	if (configure(c) != 0) {
		free(c);
		return NULL;
	}
	/* the URL may hold a password: never in a message */
	if ((c->st = store_open(o->store, &why)) == NULL) {
		xd_warnx("store: %s", why);
		free(c);
		return NULL;
	}
	/* a check is mail waiting for delivery: it never waits on learning */
	if (c->mode == CKSUM_CHECK && !tables)
		store_dont_wait(c->st);
	buf_init(&c->tmp);
	c->batch = xcalloc(BATCH, sizeof(*c->batch));
	return c;
}

static void *
cksum_open(const void *arg)
{
	static const struct cksum_opts conf;

	return ck_open(arg != NULL ? arg : &conf, 0);
}

static int
cksum_run(void *arg, FILE *in, FILE *out)
{
	return run(arg, in, out);
}

static void
cksum_close(void *arg)
{
	struct ck *c = arg;

	flush(c);
	store_close(c->st);
	buf_free(&c->tmp);
	free(c->batch);
	free(c);
}

const struct stage stage_cksum = { "cksum", cksum_open, cksum_run,
	cksum_close };


int
cksum_tables(const struct cksum_opts *o, int expire, FILE *out)
{
	struct ck *c;
	int status;

	if ((c = ck_open(o, 1)) == NULL)
		return XD_EXIT_USAGE;
	status = tables_run(c, expire, out);
	cksum_close(c);
	return status;
}
