/*
 * dnsrun.c - the windowed runner of network checks: many lines in
 * flight, their lookups overlapping, every line written once and in
 * input order as soon as the first line's lookups are all answered.
 * Memory is bounded by the window, not by the stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "net/net.h"

/* Standard input read as it comes, so a stalled writer stalls nothing. */
struct input {
	int		 fd;
	struct buf	 b;
	size_t		 done;		/* bytes of b handed to the reader */
	size_t		 tail;		/* bytes after the last LF */
	size_t		 maxline;
	int		 eof, skipping;
	int		 err;		/* errno of a failed read, or 0 */
	FILE		*mem;		/* over b.s[0..done] */
};

struct line_query {
	struct dns_line	*l;		/* NULL once cut at the line's bound */
	dns_line_fn	 fn;
	void		*arg;
	char		*name;
	int		 type;
	struct line_query *prev, *next;	/* the line's queries in flight */
};

struct dns_line {
	struct dns	*d;
	struct rec	 rec;
	void		*state;
	size_t		 pending;
	int		 started;	/* start() ran: finish() is due */
	int		 status;
	int		 cut;		/* past its bound: no more lookups */
	int		 spent;		/* the message's budget was gone at start */
	long long	 deadline;	/* ms, monotonic */
	struct line_query *lq;
};

/* Append n bytes read; a line over maxline is cut and its rest skipped. */
static void
input_add(struct input *in, const char *p, size_t n)
{
	const char *nl;
	size_t seg, room;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		seg = nl ? (size_t)(nl - p) : n;
		if (in->skipping) {
			if (nl == NULL)
				return;
			in->skipping = 0;
		} else if (in->tail + seg > in->maxline) {
			room = in->maxline + 1 - in->tail;
			buf_add(&in->b, p, room < seg ? room : seg);
			buf_addc(&in->b, '\n');
			in->tail = 0;
			if (nl == NULL) {
				in->skipping = 1;
				return;
			}
		} else {
			buf_add(&in->b, p, seg + (nl ? 1 : 0));
			in->tail = nl ? 0 : in->tail + seg;
		}
		if (nl == NULL)
			return;
		n -= seg + 1;
		p = nl + 1;
	}
}

static void
input_fill(struct input *in)
{
	char chunk[65536];
	ssize_t n = xd_read(in->fd, chunk, sizeof(chunk));

	if (n < 0) {
		/* What was read is finished; dns_run says XD_READ_ERROR. */
		in->err = errno;
		in->eof = 1;
	} else if (n == 0)
		in->eof = 1;
	else
		input_add(in, chunk, (size_t)n);
}

/* The next line into rec: 1, 0 if none is complete yet, -1 at the end. */
static int
input_next(struct input *in, struct reader *r, struct rec *rec)
{
	char *nl;
	size_t upto;

	for (;;) {
		if (in->mem != NULL) {
			r->fp = in->mem;
			if (reader_next(r, rec))
				return 1;
			fclose(in->mem);
			in->mem = NULL;
			memmove(in->b.s, in->b.s + in->done, in->b.len - in->done);
			in->b.len -= in->done;
			in->b.s[in->b.len] = '\0';
			in->done = 0;
		}
		if (in->b.len == 0)
			return in->eof ? -1 : 0;
		nl = memrchr(in->b.s, '\n', in->b.len);
		if (nl == NULL && !in->eof)
			return 0;
		upto = nl ? (size_t)(nl - in->b.s) + 1 : in->b.len;
		if ((in->mem = fmemopen(in->b.s, upto, "r")) == NULL)
			xd_nomem();	/* upto > 0: memory is all it lacks */
		in->done = upto;
	}
}

static void
lq_unlink(struct line_query *lq)
{
	struct dns_line *l = lq->l;

	if (lq->prev)
		lq->prev->next = lq->next;
	else
		l->lq = lq->next;
	if (lq->next)
		lq->next->prev = lq->prev;
}

static void
line_answer(const struct dns_answer *a, void *arg)
{
	struct line_query *lq = arg;
	struct dns_line *l = lq->l;

	if (l != NULL) {		/* else answered already: cut */
		lq_unlink(lq);
		lq->fn(l, a, lq->arg);
		l->pending--;
	}
	free(lq->name);
	free(lq);
}

/* The answer of a lookup a line may no longer wait for. */
static void
line_fail(struct dns_line *l, const char *name, int type, dns_line_fn fn,
    void *arg)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.name = (char *)(uintptr_t)name;
	a.type = type;
	a.status = DNS_TEMPFAIL;
	a.why = l->spent ? "no-time-left" : "line-timeout";
	a.refs = 1;
	fn(l, &a, arg);
}

void
dns_line_query(struct dns_line *l, const char *name, int type,
    dns_line_fn fn, void *arg)
{
	struct line_query *lq;

	if (l->cut) {
		line_fail(l, name, type, fn, arg);
		return;
	}
	lq = xmalloc(sizeof(*lq));
	lq->l = l;
	lq->fn = fn;
	lq->arg = arg;
	lq->name = xstrdup(name);
	lq->type = type;
	lq->prev = NULL;
	lq->next = l->lq;
	if (l->lq)
		l->lq->prev = lq;
	l->lq = lq;
	l->pending++;
	dns_query(l->d, name, type, line_answer, lq);
}

/*
 * A line past its bound: every lookup still in flight is answered
 * TEMPFAIL now; the real answers, when they come, are dropped.
 */
static void
line_cut(struct dns_line *l)
{
	struct line_query *lq, *next;

	l->cut = 1;
	lq = l->lq;
	l->lq = NULL;
	for (; lq != NULL; lq = next) {
		next = lq->next;
		lq->l = NULL;
		line_fail(l, lq->name, lq->type, lq->fn, lq->arg);
		l->pending--;
	}
}

struct rec *
dns_line_rec(struct dns_line *l)
{
	return &l->rec;
}

void *
dns_line_state(struct dns_line *l)
{
	return l->state;
}

/*
 * What is left of the DNS budget of the message, in ms: xd(1) sets
 * XD_DNS_START to the wall-clock ms at which it took the message, and
 * every DNS stage together may wait dns_timeout x dns_tries from then.
 * -1 without XD_DNS_START.
 */
long long
dns_message_left(void)
{
	const char *v = getenv("XD_DNS_START"), *errstr;
	struct timespec ts;
	long long start, budget, now;

	if (v == NULL || *v == '\0')
		return -1;
	start = xd_strtonum(v, 0, (long long)1 << 50, &errstr);
	if (errstr != NULL)
		return -1;
	budget = (long long)(conf_double("dns_timeout") * 1000 + 0.5) *
	    conf_int("dns_tries");
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (now < start)	/* the clock stepped back: start afresh */
		now = start;
	return start + budget > now ? start + budget - now : 0;
}

static void
line_start(const struct dns_runner *run, struct dns_line *l,
    const struct reader *r, size_t state_size, long long bound)
{
	long long left;

	l->pending = 0;
	l->status = 0;
	l->started = 0;
	l->cut = 0;
	l->spent = 0;
	l->lq = NULL;
	l->deadline = xd_now_ms() + bound;
	if ((left = dns_message_left()) >= 0 && left < bound) {
		l->deadline = xd_now_ms() + left;
		l->cut = l->spent = left == 0;
	}
	if (l->rec.bad != NULL) {
		xd_warnx("<stdin>:%lu: %s", r->lineno, l->rec.bad);
		rec_drop_own_errors(&l->rec, run->tool);
		rec_error(&l->rec, run->tool, l->rec.bad);
		l->status = XD_EXIT_SOME;
		return;
	}
	if (l->rec.comment)
		return;
	rec_drop_own_errors(&l->rec, run->tool);
	memset(l->state, 0, state_size);
	l->pending++;		/* start() itself, so no answer ends it */
	l->started = 1;
	if (run->start(l, &l->rec, l->state, run->arg) != 0)
		l->status = XD_EXIT_SOME;
	l->pending--;
}

/* Lines start in order, so the late ones are the first ones. */
static void
cut_late(struct dns_line *lines, size_t win, size_t head, size_t count)
{
	long long now = xd_now_ms();
	size_t k;

	for (k = 0; k < count; k++) {
		struct dns_line *l = &lines[(head + k) % win];

		if (l->deadline > now)
			break;
		if (l->pending > 0)
			line_cut(l);
	}
}

static size_t
window_size(const struct dns_runner *run)
{
	long long w = run->window ? (long long)run->window :
	    conf_int("dns_window");

	if (w < 1)
		w = 1;
	if (w > 100000)
		w = 100000;
	return (size_t)w;
}

int
dns_run(struct dns *d, FILE *in, FILE *out, const struct dns_runner *run)
{
	struct input inp;
	struct reader r;
	struct dns_line *lines;
	size_t win = window_size(run), head = 0, count = 0, i, ssize;
	unsigned long done = 0;
	long long bound, wait;
	int status = XD_EXIT_OK, rc, ready, wrote = 0, werr = 0;

	memset(&inp, 0, sizeof(inp));
	inp.fd = fileno(in);
	inp.maxline = (size_t)conf_size("max_line");
	buf_init(&inp.b);
	reader_init(&r, NULL, "<stdin>", inp.maxline);
	ssize = run->state_size ? run->state_size : 1;
	bound = run->line_timeout > 0 ? run->line_timeout : 2 * dns_bound(d);
	lines = xcalloc(win, sizeof(*lines));
	for (i = 0; i < win; i++) {
		lines[i].d = d;
		rec_init(&lines[i].rec);
		lines[i].state = xcalloc(1, ssize);
	}
	for (;;) {
		/* After a write error no more is read; the lines in
		 * flight end (at their deadline at the latest), unwritten,
		 * so that no query outlives its line. */
		while (count < win && !werr) {
			struct dns_line *l = &lines[(head + count) % win];

			if ((rc = input_next(&inp, &r, &l->rec)) <= 0)
				break;
			count++;
			if (!l->rec.comment)
				progress_tick(++done, 0);
			line_start(run, l, &r, ssize, bound);
		}
		while (count > 0 && lines[head].pending == 0) {
			struct dns_line *l = &lines[head];

			if (l->started && run->finish(&l->rec, l->state,
			    run->arg) != 0)
				l->status = XD_EXIT_SOME;
			if (l->status != 0)
				status = XD_EXIT_SOME;
			if (!werr && rec_write(&l->rec, out) != 0)
				werr = errno ? errno : EIO;
			wrote = 1;
			head = (head + 1) % win;
			count--;
		}
		if (count == 0 && (werr ||
		    (inp.eof && inp.b.len == 0 && inp.mem == NULL)))
			break;
		if (!werr && count < win && (inp.mem != NULL ||
		    (inp.b.len > 0 && (inp.eof ||
		    memchr(inp.b.s, '\n', inp.b.len) != NULL))))
			continue;
		if (wrote && !werr && fflush(out) == EOF)
			werr = errno ? errno : EIO;
		wrote = 0;
		wait = -1;
		if (count > 0 && (wait = lines[head].deadline - xd_now_ms()) < 0)
			wait = 0;
		/* b must not move while a reader is open over it. */
		dns_poll(d, !werr && count < win && !inp.eof &&
		    inp.mem == NULL ? inp.fd : -1,
		    wait > 1000000 ? 1000000 : (int)wait, &ready);
		if (ready)
			input_fill(&inp);
		cut_late(lines, win, head, count);
	}
	progress_tick(done, 1);
	for (i = 0; i < win; i++) {
		rec_free(&lines[i].rec);
		free(lines[i].state);
	}
	free(lines);
	if (inp.mem != NULL)
		fclose(inp.mem);
	reader_free(&r);
	buf_free(&inp.b);
	if (!werr && (fflush(out) == EOF || ferror(out)))
		werr = errno ? errno : EIO;
	errno = werr ? werr : inp.err;
	return werr ? XD_WRITE_ERROR : inp.err ? XD_READ_ERROR : status;
}
