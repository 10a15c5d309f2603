/*
 * dns.c - the one DNS layer of the xd tools: c-ares underneath, a
 * per-run cache that honours TTLs, queries in flight shared by every
 * caller that asks the same thing, a hard time bound on every query,
 * a careful parser of answers, and the windowed stream runner that
 * network checks use to overlap the lookups of many lines.
 *
 * Nothing here is global except the one-time c-ares set-up, so each
 * thread may have a context of its own.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "base/base.h"
#include "net/net.h"
#include "net/dns_int.h"

/* A key of the cache and of the queries in flight: "type/name". */
struct hnode {
	struct hnode	*next;
	unsigned	 hash;
	char		*key;
};

struct htab {
	struct hnode	**b;
	size_t		 nb, n;
};

struct waiter {
	dns_fn		 fn;
	void		*arg;
	struct waiter	*next;
};

/* A query in flight; after an expiry c-ares still owns it. */
struct dq {
	struct hnode	 h;		/* first: in d->inflight */
	struct dns	*d;
	char		*name;
	int		 type;
	long long	 deadline;	/* ms, monotonic */
	int		 expired;
	int		 formerr;	/* asked again after a FORMERR */
	int		 tcp;		/* truncated: asked again on d->tcp */
	struct waiter	*w, **wtail;
	struct dq	*prev, *next;	/* by deadline */
};

struct centry {
	struct hnode	 h;		/* first: in d->cache */
	struct dns_answer *a;
	long long	 expires;
	struct centry	*prev, *next;	/* oldest first */
};

/*
 * Two channels: c-ares fails every query in flight to a server when one
 * TCP connection to it fails, so a truncated answer is asked again on a
 * channel of its own, and a server that refuses TCP costs only those.
 */
struct dns {
	ares_channel	 ch;		/* UDP, truncated answers returned */
	ares_channel	 tcp;		/* TCP only */
	int		 none;		/* resolver "none": no DNS at all */
	char		*resolver;	/* as configured, for messages */
	long long	 bound;		/* ms a query may take, all tries */
	struct htab	 inflight, cache;
	struct dq	*qhead, *qtail;
	size_t		 npending;
	struct centry	*chead, *ctail;
	size_t		 maxcache;
	struct pollfd	 fds[DNS_MAX_FDS];
	size_t		 nfds;
	int		 destroying;
	struct dns_stats st;
};

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_status;

static void
ares_setup(void)
{
	ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

/* --- hash tables ---------------------------------------------------- */

static struct hnode *
ht_find(const struct htab *t, const char *key)
{
	struct hnode *n;
	unsigned h;

	if (t->nb == 0)
		return NULL;
	h = (unsigned)xd_hash(key, strlen(key));
	for (n = t->b[h & (t->nb - 1)]; n != NULL; n = n->next)
		if (n->hash == h && strcmp(n->key, key) == 0)
			return n;
	return NULL;
}

static void
ht_grow(struct htab *t)
{
	struct hnode **nb, *n, *next;
	size_t i, size = t->nb ? t->nb * 2 : 64;

	nb = xcalloc(size, sizeof(*nb));
	for (i = 0; i < t->nb; i++)
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nb[n->hash & (size - 1)];
			nb[n->hash & (size - 1)] = n;
		}
	free(t->b);
	t->b = nb;
	t->nb = size;
}

static void
ht_add(struct htab *t, struct hnode *n)
{
	if (t->n >= t->nb)
		ht_grow(t);
	n->hash = (unsigned)xd_hash(n->key, strlen(n->key));
	n->next = t->b[n->hash & (t->nb - 1)];
	t->b[n->hash & (t->nb - 1)] = n;
	t->n++;
}

static void
ht_del(struct htab *t, struct hnode *n)
{
	struct hnode **p;

	for (p = &t->b[n->hash & (t->nb - 1)]; *p != NULL; p = &(*p)->next)
		if (*p == n) {
			*p = n->next;
			t->n--;
			return;
		}
}

/* --- the cache ------------------------------------------------------ */

static void
cache_del(struct dns *d, struct centry *e)
{
	ht_del(&d->cache, &e->h);
	if (e->prev)
		e->prev->next = e->next;
	else
		d->chead = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->ctail = e->prev;
	dns_answer_free(e->a);
	free(e->h.key);
	free(e);
}

static struct dns_answer *
cache_get(struct dns *d, const char *key)
{
	struct centry *e = (struct centry *)ht_find(&d->cache, key);

	if (e == NULL)
		return NULL;
	if (e->expires <= xd_now_ms()) {
		cache_del(d, e);
		return NULL;
	}
	return e->a;
}

static void
cache_put(struct dns *d, const char *key, struct dns_answer *a)
{
	struct centry *e;

	if (a->ttl == 0 || d->maxcache == 0 || a->status == DNS_TEMPFAIL ||
	    a->status == DNS_BAD)
		return;
	if ((e = (struct centry *)ht_find(&d->cache, key)) != NULL)
		cache_del(d, e);
	/* Full: the oldest entry goes, which is near enough to LRU here. */
	while (d->cache.n >= d->maxcache)
		cache_del(d, d->chead);
	e = xcalloc(1, sizeof(*e));
	e->h.key = xstrdup(key);
	e->a = a;
	a->refs++;
	e->expires = xd_now_ms() + (long long)a->ttl * 1000;
	e->prev = d->ctail;
	if (d->ctail)
		d->ctail->next = e;
	else
		d->chead = e;
	d->ctail = e;
	ht_add(&d->cache, &e->h);
}

/* --- queries -------------------------------------------------------- */

static void
deliver(struct waiter *w, struct dns_answer *a)
{
	struct waiter *next;

	for (; w != NULL; w = next) {
		next = w->next;
		w->fn(a, w->arg);
		free(w);
	}
}

/* Take q off the lists of live queries; its waiters are returned. */
static struct waiter *
dq_unlink(struct dns *d, struct dq *q)
{
	struct waiter *w = q->w;

	ht_del(&d->inflight, &q->h);
	if (q->prev)
		q->prev->next = q->next;
	else
		d->qhead = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		d->qtail = q->prev;
	q->w = NULL;
	d->npending--;
	return w;
}

static void
dq_free(struct dq *q)
{
	free(q->h.key);
	free(q->name);
	free(q);
}

static const char *
ares_why(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:	return "timeout";
	case ARES_ESERVFAIL:	return "servfail";
	case ARES_EREFUSED:	return "refused";
	case ARES_EFORMERR:	return "formerr";
	case ARES_ENOTIMP:	return "notimp";
	case ARES_ECONNREFUSED:	return "connection-refused";
	case ARES_EBADRESP:	return "malformed";
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:	return "cancelled";
	case ARES_ENOMEM:	return "no-memory";
	default:		return "network";
	}
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dq *q = arg;
	struct dns *d = q->d;
	struct dns_answer *a;
	struct waiter *w;

	(void)timeouts;
	if (q->expired || d->destroying) {
		/* Already answered at the time bound, or going away. */
		if (!q->expired)
			dq_unlink(d, q);
		dq_free(q);
		return;
	}
	/*
	 * c-ares turns EDNS off at a FORMERR to it and asks that query
	 * again, but fails the others in flight: ask them again too.
	 */
	if (status == ARES_EFORMERR && !q->formerr) {
		q->formerr = 1;
		ares_query(q->tcp ? d->tcp : d->ch, q->name, C_IN, q->type,
		    on_answer, q);
		return;
	}
	/* Truncated (ENODATA to c-ares when it holds no records). */
	if (abuf != NULL && alen >= 3 && (abuf[2] & 0x02) && !q->tcp) {
		q->tcp = 1;
		ares_query(d->tcp, q->name, C_IN, q->type, on_answer, q);
		return;
	}
	if (abuf != NULL && (status == ARES_SUCCESS ||
	    status == ARES_ENODATA || status == ARES_ENOTFOUND))
		a = parse_answer(q->name, q->type, abuf, alen);
	else
		a = answer_new(q->name, q->type, status == ARES_EBADRESP ?
		    DNS_BAD : DNS_TEMPFAIL, ares_why(status));
	if (a->status == DNS_BAD)
		d->st.bad++;
	w = dq_unlink(d, q);
	cache_put(d, q->h.key, a);
	dq_free(q);
	deliver(w, a);
	dns_answer_free(a);
}

/*
 * Queries due by now are answered TEMPFAIL (why) now; c-ares keeps
 * them.  now LLONG_MAX: every one.
 */
static void
expire_by(struct dns *d, long long now, const char *why)
{
	struct dns_answer *a;
	struct waiter *w;
	struct dq *q;

	while ((q = d->qhead) != NULL && q->deadline <= now) {
		w = dq_unlink(d, q);
		q->expired = 1;
		d->st.timeouts++;
		a = answer_new(q->name, q->type, DNS_TEMPFAIL, why);
		deliver(w, a);
		dns_answer_free(a);
	}
}

/* Queries past the time bound are answered now. */
static void
expire(struct dns *d)
{
	expire_by(d, xd_now_ms(), "timeout");
}

static void
answer_now(const char *name, int type, enum dns_status st, const char *why,
    dns_fn fn, void *arg)
{
	struct dns_answer *a = answer_new(name, type, st, why);

	fn(a, arg);
	dns_answer_free(a);
}

/*
 * Ask for (name, type); fn is called exactly once, perhaps before this
 * returns (a cached answer, a bad name, no resolver).
 */
void
dns_query(struct dns *d, const char *name, int type, dns_fn fn, void *arg)
{
	char folded[DNS_MAX_NAME + 2], *key;
	struct dns_answer *a;
	struct waiter *w;
	struct dq *q;

	d->st.queries++;
	if (!dns_name_ok(name)) {
		answer_now(name, type, DNS_BAD, "bad-name", fn, arg);
		return;
	}
	name_fold(name, folded);
	if (dns_type_name(type)[0] == '?') {
		answer_now(folded, type, DNS_BAD, "bad-type", fn, arg);
		return;
	}
	if (d->none || d->destroying) {
		answer_now(folded, type, DNS_TEMPFAIL, d->none ? "no-resolver" :
		    "cancelled", fn, arg);
		return;
	}
	xasprintf(&key, "%d/%s", type, folded);
	if ((a = cache_get(d, key)) != NULL) {
		d->st.cached++;
		free(key);
		a->refs++;
		fn(a, arg);
		dns_answer_free(a);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->fn = fn;
	w->arg = arg;
	if ((q = (struct dq *)ht_find(&d->inflight, key)) != NULL) {
		d->st.joined++;
		free(key);
		*q->wtail = w;
		q->wtail = &w->next;
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->h.key = key;
	q->d = d;
	q->name = xstrdup(folded);
	q->type = type;
	q->deadline = xd_now_ms() + d->bound;
	q->w = w;
	q->wtail = &w->next;
	q->prev = d->qtail;
	if (d->qtail)
		d->qtail->next = q;
	else
		d->qhead = q;
	d->qtail = q;
	ht_add(&d->inflight, &q->h);
	d->npending++;
	d->st.sent++;
	ares_query(d->ch, folded, C_IN, type, on_answer, q);
}

size_t
dns_pending(const struct dns *d)
{
	return d->npending;
}

/* How long one lookup may take, all tries: ms. */
long long
dns_bound(const struct dns *d)
{
	return d->bound;
}

/* c-ares tells which sockets to watch. */
static void
sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = arg;
	size_t i;

	for (i = 0; i < d->nfds; i++)
		if (d->fds[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < d->nfds)
			d->fds[i] = d->fds[--d->nfds];
		return;
	}
	if (i == d->nfds) {
		if (d->nfds == DNS_MAX_FDS) {
			xd_warnx("dns: more than %d sockets", DNS_MAX_FDS);
			return;
		}
		d->nfds++;
	}
	d->fds[i].fd = fd;
	d->fds[i].events = (short)((readable ? POLLIN : 0) |
	    (writable ? POLLOUT : 0));
}

static void
process_fd(struct dns *d, ares_socket_t rfd, ares_socket_t wfd)
{
	ares_process_fd(d->ch, rfd, wfd);
	ares_process_fd(d->tcp, rfd, wfd);
}

/*
 * Wait at most ms (or until a query is due) for answers and process
 * them.  A caller's descriptor may be watched too: *ready says whether
 * it became readable.  Returns the number of queries still pending.
 */
size_t
dns_poll(struct dns *d, int extra, int ms, int *ready)
{
	struct pollfd pf[DNS_MAX_FDS + 1];
	struct timeval tv, tv2, *tvp;
	long long wait;
	size_t i, n = d->nfds;
	int rc, any = 0;

	if (ready)
		*ready = 0;
	memcpy(pf, d->fds, n * sizeof(*pf));
	if (extra >= 0) {
		pf[n].fd = extra;
		pf[n].events = POLLIN;
		n++;
	}
	wait = ms;
	if (d->qhead != NULL) {
		long long due = d->qhead->deadline - xd_now_ms();

		if (due < 0)
			due = 0;
		if (wait < 0 || due < wait)
			wait = due;
		tvp = ares_timeout(d->ch, NULL, &tv);
		if ((tvp = ares_timeout(d->tcp, tvp, &tv2)) != NULL) {
			due = (long long)tvp->tv_sec * 1000 +
			    (tvp->tv_usec + 999) / 1000;
			if (due < wait)
				wait = due;
		}
	}
	if (n == 0 && wait < 0)
		return d->npending;
	for (i = 0; i < n; i++)
		pf[i].revents = 0;
	rc = poll(pf, (nfds_t)n, wait > INT_MAX ? INT_MAX : (int)wait);
	/* No waiting is possible: every query fails, said once, and the
	 * caller's loop ends with its lines marked, not the process. */
	if (rc < 0 && errno != EINTR) {
		if (errno == ENOMEM)
			xd_nomem();
		xd_warn("poll");
		expire_by(d, LLONG_MAX, "network");
		return d->npending;
	}
	for (i = 0; rc > 0 && i < n; i++) {
		short r = pf[i].revents;

		if (r == 0)
			continue;
		if (extra >= 0 && i == n - 1) {
			*ready = 1;
			continue;
		}
		any = 1;
		/* Each channel passes over descriptors not its own. */
		process_fd(d,
		    r & (POLLIN | POLLERR | POLLHUP) ? pf[i].fd : ARES_SOCKET_BAD,
		    r & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
	}
	if (!any && d->ch != NULL)
		process_fd(d, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	expire(d);
	return d->npending;
}

size_t
dns_wait(struct dns *d, int ms)
{
	long long end = ms < 0 ? -1 : xd_now_ms() + ms;

	do {
		long long left = end < 0 ? -1 : end - xd_now_ms();

		if (d->npending == 0)
			break;
		dns_poll(d, -1, left < 0 && end >= 0 ? 0 : (int)left, NULL);
	} while (end < 0 || xd_now_ms() < end);
	return d->npending;
}

/* A callback's answer kept past the callback, for dns_answer_free(). */
struct dns_answer *
dns_answer_ref(const struct dns_answer *a)
{
	struct dns_answer *p = (struct dns_answer *)(uintptr_t)a;

	p->refs++;
	return p;
}

static void
keep_answer(const struct dns_answer *a, void *arg)
{
	*(struct dns_answer **)arg = dns_answer_ref(a);
}

/* Ask and wait: the answer is the caller's to dns_answer_free(). */
struct dns_answer *
dns_lookup(struct dns *d, const char *name, int type)
{
	struct dns_answer *a = NULL;

	dns_query(d, name, type, keep_answer, &a);
	while (a == NULL)
		dns_poll(d, -1, -1, NULL);
	return a;
}

void
dns_stats(const struct dns *d, struct dns_stats *st)
{
	*st = d->st;
}

/* --- set-up ---------------------------------------------------------- */

static int
timing(long long *timeout_ms, int *tries, size_t *cache, const char **why)
{
	double t = conf_double("dns_timeout");
	long long n = conf_int("dns_tries"), c = conf_int("dns_cache");

	if (!(t >= 0.001 && t <= 60)) {
		*why = "dns_timeout: expected 0.001 to 60 seconds";
		return -1;
	}
	if (n < 1 || n > 10) {
		*why = "dns_tries: expected 1 to 10";
		return -1;
	}
	if (c > 10000000) {
		*why = "dns_cache: expected at most 10000000";
		return -1;
	}
	*timeout_ms = (long long)(t * 1000 + 0.5);
	*tries = (int)n;
	*cache = (size_t)c;
	return 0;
}

/* One channel of d, with flags beside those both have; nodes NULL: system. */
static int
channel_new(struct dns *d, ares_channel *ch, int flags, long long tmo,
    int tries, struct ares_addr_port_node *nodes)
{
	struct ares_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_NOCHECKRESP | flags;
	o.timeout = (int)tmo;
	o.tries = tries;
	o.ednspsz = DNS_EDNS_SIZE;
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = d;
	rc = ares_init_options(ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB);
	if (rc == ARES_SUCCESS && nodes != NULL &&
	    (rc = ares_set_servers_ports(*ch, nodes)) != ARES_SUCCESS)
		ares_destroy(*ch);
	return rc;
}

/*
 * A resolver context.  resolver is the --resolver option or NULL; on
 * failure NULL is returned and *errstr says why.  xd.conf must have
 * been loaded.
 */
struct dns *
dns_new(const char *resolver, const char **errstr)
{
	struct ares_addr_port_node nodes[DNS_MAX_SERVERS];
	struct dns *d;
	const char *spec = resolver_spec(resolver);
	long long tmo;
	int tries, rc, nservers = 0;
	size_t cache;

	if (timing(&tmo, &tries, &cache, errstr) != 0)
		return NULL;
	if (strcmp(spec, "none") != 0 && strcmp(spec, "system") != 0 &&
	    (nservers = parse_servers(spec, nodes, errstr)) < 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->resolver = xstrdup(spec);
	d->bound = tmo * tries;
	d->maxcache = cache;
	if (strcmp(spec, "none") == 0) {
		d->none = 1;
		return d;
	}
	pthread_once(&ares_once, ares_setup);
	rc = ares_init_status;
	if (rc == ARES_SUCCESS)
		rc = channel_new(d, &d->ch, ARES_FLAG_EDNS | ARES_FLAG_IGNTC,
		    tmo, tries, nservers > 0 ? nodes : NULL);
	if (rc == ARES_SUCCESS && (rc = channel_new(d, &d->tcp,
	    ARES_FLAG_USEVC, tmo, tries, nservers > 0 ? nodes : NULL)) !=
	    ARES_SUCCESS)
		ares_destroy(d->ch);
	if (rc != ARES_SUCCESS) {
		*errstr = ares_strerror(rc);
		free(d->resolver);
		free(d);
		return NULL;
	}
	return d;
}

const char *
dns_resolver(const struct dns *d)
{
	return d->resolver;
}

/* Queries still pending are answered TEMPFAIL ("cancelled") first. */
void
dns_free(struct dns *d)
{
	struct dns_answer *a;
	struct waiter *w;
	struct dq *q;

	if (d == NULL)
		return;
	d->destroying = 1;
	while ((q = d->qhead) != NULL) {
		w = dq_unlink(d, q);
		q->expired = 1;
		a = answer_new(q->name, q->type, DNS_TEMPFAIL, "cancelled");
		deliver(w, a);
		dns_answer_free(a);
	}
	if (d->ch != NULL) {
		ares_destroy(d->ch);	/* frees expired queries */
		ares_destroy(d->tcp);
	}
	while (d->chead != NULL)
		cache_del(d, d->chead);
	free(d->inflight.b);
	free(d->cache.b);
	free(d->resolver);
	free(d);
}
