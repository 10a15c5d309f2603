/*
 * stage_spf.c - the stage of xd-spf(1): SPF (RFC 7208) of the sender
 * of each message: the MAIL FROM domain, or the HELO name for bounces,
 * against the connecting ip=.
 *
 * libspf2 is synchronous, so a window of messages is checked by as
 * many threads, each with a DNS context of its own and a cache shared
 * by all; a reader hands lines to them and a writer puts the lines
 * back in input order.  Threads are started as lines wait for one, so
 * a single message (procmail) costs a single thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "stage.h"

#define TOOL		"xd-spf"

static const char *const owned[] = { "SPF_", NULL };

enum state { S_FREE, S_QUEUED, S_BUSY, S_DONE };

struct slot {
	struct rec	 rec;
	enum state	 state;
	int		 status;
	unsigned long	 lineno;
};

struct opts {
	const char	*resolver;
	int		 keep, guess, verbose;
	int		 none;		/* resolver "none": no breaker */
	long long	 timeout;	/* ms */
};

struct worker;

struct run {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* a line was queued, or the end */
	pthread_cond_t	 done;		/* a line is done */
	pthread_cond_t	 room;		/* a slot is free */
	struct slot	*slots;
	size_t		 win, head, count;	/* the lines in order */
	size_t		*queue;			/* slots to check, in order */
	size_t		 qhead, qcount;
	int		 eof, status;
	int		 write_errno;	/* the first write error, or 0 */
	int		 read_failed;
	const struct opts *o;
	struct spf_cache *cache;
	unsigned long	 checked;
	struct worker	*w;
	size_t		 nw, idle;	/* threads started, waiting */
	FILE		*in, *out;
};

struct worker {
	struct run	*r;
	struct spf	*spf;
	pthread_t	 tid;
	struct dns_stats st;
};


static int
has_own(const struct rec *rec)
{
	size_t i;

	for (i = 1; i < rec->nf; i++)
		if (strncmp(rec->f[i], "SPF_", 4) == 0)
			return 1;
	return 0;
}

/* Check one message line; 1 if it gets an error=. */
static int
check(struct spf *spf, struct rec *rec, const struct opts *o,
    unsigned long lineno)
{
	struct buf ip, from, helo, domain;
	struct spf_query q;
	enum spf_result r;
	const char *why;
	long long left;
	int bad = 0;

	buf_init(&ip);
	buf_init(&from);
	buf_init(&helo);
	buf_init(&domain);
	rec_drop_prefixes(rec, owned);
	memset(&q, 0, sizeof(q));
	q.best_guess = o->guess;
	q.debug = o->verbose > 1;
	q.timeout = o->timeout;
	/* in xd filter, what the stages before left of the budget */
	if ((left = dns_message_left()) >= 0 && left < q.timeout)
		q.timeout = left > 0 ? left : 1;
	if (rec_get(rec, "ip", &ip)) {
		q.ip = ip.s ? ip.s : "";
		q.mailfrom = rec_get(rec, "mailfrom", &from) ?
		    (from.s ? from.s : "") : NULL;
		q.helo = rec_get(rec, "helo", &helo) && helo.s ? helo.s : NULL;
		if (dns_break_open("spf")) {
			rec_add(rec, "SPF_SKIPPED", "");
			goto done;
		}
		r = spf_check(spf, &q, &domain, &why);
		/* no time left at the start, or no resolver at all, says
		 * nothing of the resolver's health */
		if (r != SPFR_BADIP && left != 0 && !o->none)
			dns_break_spf(r == SPFR_TEMPERROR &&
			    (strcmp(why, "time bound") == 0 ||
			    strncmp(why, "DNS error", 9) == 0));
		if (r == SPFR_BADIP) {
			/* As the stream has it: no newline gets out raw. */
			xd_warnx("<stdin>:%lu: ip=%s: %s", lineno,
			    rec_raw(rec, "ip"), why);
			rec_error(rec, TOOL, "bad-ip");
			bad = 1;
		} else {
			rec_add(rec, spf_result_name(r), domain.s ? domain.s :
			    "");
			if (o->verbose)
				xd_warnx("<stdin>:%lu: %s %s: %s", lineno,
				    spf_result_name(r),
				    rec_raw(rec, spf_result_name(r)), why);
		}
	}
	/* Without ip= (local mail) there is nothing to check. */
done:
	buf_free(&ip);
	buf_free(&from);
	buf_free(&helo);
	buf_free(&domain);
	return bad;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct slot *sl;
	int bad;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->qcount == 0) {
			if (r->eof)
				break;
			r->idle++;
			pthread_cond_wait(&r->work, &r->lock);
			r->idle--;
			continue;
		}
		sl = &r->slots[r->queue[r->qhead]];
		r->qhead = (r->qhead + 1) % r->win;
		r->qcount--;
		sl->state = S_BUSY;
		pthread_mutex_unlock(&r->lock);
		bad = check(w->spf, &sl->rec, r->o, sl->lineno);
		pthread_mutex_lock(&r->lock);
		sl->status = bad;
		sl->state = S_DONE;
		r->checked++;
		pthread_cond_signal(&r->done);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Lines go out in input order, each as soon as it and those before are. */
static void *
writer_main(void *arg)
{
	struct run *r = arg;
	struct slot *sl;
	int wrote = 0;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->count > 0 && r->slots[r->head].state == S_DONE) {
			sl = &r->slots[r->head];
			pthread_mutex_unlock(&r->lock);
			/* after a write error the lines are only drained */
			if (r->write_errno == 0 &&
			    rec_write(&sl->rec, r->out) != 0)
				r->write_errno = errno ? errno : EIO;
			wrote = 1;
			pthread_mutex_lock(&r->lock);
			if (sl->status)
				r->status = XD_EXIT_SOME;
			sl->state = S_FREE;
			r->head = (r->head + 1) % r->win;
			r->count--;
			pthread_cond_signal(&r->room);
			continue;
		}
		if (r->eof && r->count == 0)
			break;
		if (wrote) {
			/* Nothing to write: what was written goes out now. */
			pthread_mutex_unlock(&r->lock);
			if (r->write_errno == 0 && fflush(r->out) == EOF)
				r->write_errno = errno ? errno : EIO;
			wrote = 0;
			pthread_mutex_lock(&r->lock);
			continue;
		}
		pthread_cond_wait(&r->done, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* A line that needs no check is done as it is read. */
static int
needs_check(struct rec *rec, const struct opts *o, unsigned long lineno)
{
	if (rec->bad != NULL) {
		xd_warnx("<stdin>:%lu: %s", lineno, rec->bad);
		rec_drop_own_errors(rec, TOOL);
		rec_error(rec, TOOL, rec->bad);
		return -1;
	}
	if (rec->comment)
		return 0;
	rec_drop_own_errors(rec, TOOL);
	if (o->keep && has_own(rec))
		return 0;
	return 1;
}

/*
 * A checker and its thread; the first one says if the resolver is bad
 * (XD_EXIT_USAGE).  One that cannot start leaves the lines to those
 * that did.
 */
static int
spawn(struct run *r)
{
	struct worker *w = &r->w[r->nw];
	const char *errstr;

	w->r = r;
	if ((w->spf = spf_new(r->o->resolver, r->cache, &errstr)) == NULL) {
		xd_warnx("resolver: %s", errstr);
		return XD_EXIT_USAGE;
	}
	if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
		xd_warnx("cannot start a thread");
		spf_free(w->spf);
		return XD_EXIT_SOME;
	}
	r->nw++;
	return 0;
}

static void
read_lines(struct run *r)
{
	struct reader rd;
	struct slot *sl;
	unsigned long done = 0;
	size_t at;
	int need;

	reader_init(&rd, r->in, "<stdin>", (size_t)conf_size("max_line"));
	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->count == r->win)
			pthread_cond_wait(&r->room, &r->lock);
		at = (r->head + r->count) % r->win;
		sl = &r->slots[at];
		pthread_mutex_unlock(&r->lock);
		rec_clear(&sl->rec);
		if (!reader_next(&rd, &sl->rec))
			break;
		if (!sl->rec.comment)
			progress_tick(++done, 0);
		sl->lineno = rd.lineno;
		sl->status = 0;
		need = needs_check(&sl->rec, r->o, rd.lineno);
		pthread_mutex_lock(&r->lock);
		sl->status = need < 0;
		sl->state = need > 0 ? S_QUEUED : S_DONE;
		r->count++;
		if (need > 0) {
			r->queue[(r->qhead + r->qcount) % r->win] = at;
			r->qcount++;
			/* More lines waiting than threads to take them. */
			if (r->qcount > r->idle && r->nw < r->win &&
			    r->nw > 0)
				(void)spawn(r);
			pthread_cond_signal(&r->work);
		} else
			pthread_cond_signal(&r->done);
		pthread_mutex_unlock(&r->lock);
	}
	progress_tick(done, 1);
	if (ferror(r->in)) {
		xd_warn("read error");
		r->read_failed = 1;
	}
	reader_free(&rd);
	pthread_mutex_lock(&r->lock);
	r->eof = 1;
	pthread_cond_broadcast(&r->work);
	pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->lock);
}

static void
print_stats(const struct run *r, const struct worker *w, size_t n)
{
	struct dns_stats sum;
	size_t i;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < n; i++) {
		sum.queries += w[i].st.queries;
		sum.sent += w[i].st.sent;
		sum.timeouts += w[i].st.timeouts;
		sum.bad += w[i].st.bad;
	}
	xd_warnx("%lu checked, %lu DNS queries sent, %lu answered from the "
	    "cache, %lu timed out, %lu bad answers", r->checked, sum.sent,
	    spf_cache_hits(r->cache), sum.timeouts, sum.bad);
}

/*
 * One SPF cache for the run's checkers, none of dns.c's own each:
 * dns.c's is off until run_cache_end() gives the other stages of the
 * process theirs back.
 */
static struct spf_cache *
run_cache_start(char **saved)
{
	long long n = conf_int("dns_cache");

	*saved = xstrdup(conf_str("dns_cache"));
	conf_set("dns_cache", "0");
	return spf_cache_new(n > 0 ? (size_t)n : 0);
}

static void
run_cache_end(char *saved)
{
	conf_set("dns_cache", saved);
	free(saved);
}

static int
run_all(const struct opts *o, size_t win, int stats, FILE *in, FILE *out)
{
	struct run r;
	pthread_t writer;
	size_t i;
	int rc;
	char *own_cache;

	memset(&r, 0, sizeof(r));
	r.in = in;
	r.out = out;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.work, NULL);
	pthread_cond_init(&r.done, NULL);
	pthread_cond_init(&r.room, NULL);
	r.win = win;
	r.o = o;
	r.slots = xcalloc(win, sizeof(*r.slots));
	r.queue = xcalloc(win, sizeof(*r.queue));
	r.cache = run_cache_start(&own_cache);
	r.w = xcalloc(win, sizeof(*r.w));
	if ((rc = spawn(&r)) != 0)
		goto out;
	if (pthread_create(&writer, NULL, writer_main, &r) != 0) {
		xd_warnx("cannot start a thread");
		rc = XD_EXIT_SOME;
		/* the worker waits for lines: tell it there are none */
		pthread_mutex_lock(&r.lock);
		r.eof = 1;
		pthread_cond_broadcast(&r.work);
		pthread_mutex_unlock(&r.lock);
		pthread_join(r.w[0].tid, NULL);
		goto out;
	}
	read_lines(&r);
	for (i = 0; i < r.nw; i++)
		pthread_join(r.w[i].tid, NULL);
	pthread_join(writer, NULL);
	rc = r.status;
	if (r.write_errno == 0 && (fflush(out) == EOF || ferror(out)))
		r.write_errno = errno ? errno : EIO;
	if (r.write_errno != 0) {
		errno = r.write_errno;
		xd_warn("write error");
		rc = XD_EXIT_SOME;
	}
	if (r.read_failed)
		rc = XD_EXIT_SOME;
out:
	run_cache_end(own_cache);
	for (i = 0; i < r.nw; i++) {
		spf_stats(r.w[i].spf, &r.w[i].st);
		spf_free(r.w[i].spf);
	}
	if (stats)
		print_stats(&r, r.w, r.nw);
	for (i = 0; i < win; i++)
		rec_free(&r.slots[i].rec);
	free(r.slots);
	free(r.queue);
	free(r.w);
	spf_cache_free(r.cache);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.work);
	pthread_cond_destroy(&r.done);
	pthread_cond_destroy(&r.room);
	return rc;
}

/*
 * With no resolver every lookup fails at once: there is nothing to wait
 * for, so the lines are checked as they are read, in this thread, the
 * same check and the same lines as run_all() without its handoffs.
 */
static int
run_inline(const struct opts *o, int stats, FILE *in, FILE *out)
{
	struct run r;
	struct worker w;
	struct reader rd;
	struct rec rec;
	const char *errstr;
	unsigned long done = 0;
	int need, rc = 0;
	char *own_cache;

	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.cache = run_cache_start(&own_cache);
	w.spf = spf_new(o->resolver, r.cache, &errstr);
	run_cache_end(own_cache);
	if (w.spf == NULL) {
		xd_warnx("resolver: %s", errstr);
		spf_cache_free(r.cache);
		return XD_EXIT_USAGE;
	}
	reader_init(&rd, in, "<stdin>", (size_t)conf_size("max_line"));
	rec_init(&rec);
	while (reader_next(&rd, &rec)) {
		if (!rec.comment)
			progress_tick(++done, 0);
		if ((need = needs_check(&rec, o, rd.lineno)) < 0)
			rc = XD_EXIT_SOME;
		else if (need > 0) {
			if (check(w.spf, &rec, o, rd.lineno))
				rc = XD_EXIT_SOME;
			r.checked++;
		}
		if (rec_write(&rec, out) != 0)
			break;
		rec_clear(&rec);
	}
	progress_tick(done, 1);
	if (ferror(in)) {
		xd_warn("read error");
		rc = XD_EXIT_SOME;
	}
	if (fflush(out) == EOF || ferror(out)) {
		xd_warn("write error");
		rc = XD_EXIT_SOME;
	}
	reader_free(&rd);
	rec_free(&rec);
	spf_stats(w.spf, &w.st);
	if (stats)
		print_stats(&r, &w, 1);
	spf_free(w.spf);
	spf_cache_free(r.cache);
	return rc;
}

static int
conf_guess(int *out)
{
	const char *v = conf_str("spf_best_guess");

	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		*out = strcmp(v, "yes") == 0;
		return 0;
	}
	xd_warnx("%s: spf_best_guess = %s: expected yes or no",
	    conf_path() ? conf_path() : "xd.conf", v);
	return -1;
}

/* --- the stage: xd.conf's SPF settings over a stream ---------------- */

struct spf_stage {
	struct opts	 o;
	size_t		 window;
	int		 stats;
};

/* spf_timeout in ms, or -1 (said) */
static long long
conf_timeout(void)
{
	double t = conf_double("spf_timeout");

	if (!(t >= 0.001 && t <= 3600)) {
		xd_warnx("spf_timeout: expected 0.001 to 3600 seconds");
		return -1;
	}
	return (long long)(t * 1000 + 0.5);
}

static void *
spf_open(const void *arg)
{
	static const struct spf_opts conf;
	const struct spf_opts *so = arg != NULL ? arg : &conf;
	struct spf_stage *st = xcalloc(1, sizeof(*st));
	long long window = (long long)so->window;

	if (conf_guess(&st->o.guess) != 0)
		goto bad;
	if (so->no_guess)
		st->o.guess = 0;
	st->o.resolver = so->resolver;
	st->o.keep = so->keep;
	st->o.verbose = so->verbose;
	st->o.none = dns_resolver_none(so->resolver);
	st->o.timeout = so->timeout_ms > 0 ? so->timeout_ms : conf_timeout();
	if (st->o.timeout < 0)
		goto bad;
	if (window == 0) {
		/* Shared with xd-rbl, whose window costs no thread. */
		window = conf_int("dns_window");
		if (window < 1) {
			xd_warnx("dns_window = %lld: expected at least 1",
			    window);
			goto bad;
		}
	}
	st->window = window > SPF_MAX_WINDOW ? SPF_MAX_WINDOW :
	    (size_t)window;
	st->stats = so->stats;
	return st;
bad:
	free(st);
	return NULL;
}

static int
spf_run(void *arg, FILE *in, FILE *out)
{
	struct spf_stage *st = arg;

	if (st->o.none)
		return run_inline(&st->o, st->stats, in, out);
	return run_all(&st->o, st->window, st->stats, in, out);
}

static void
spf_close(void *arg)
{
	dns_break_save();
	free(arg);
}

const struct stage stage_spf = { "spf", spf_open, spf_run, spf_close };

