/*
 * spfcache.c - the DNS answers the threads of xd-spf share: one cache
 * for the run, honouring TTLs and bounded in size, in which a query
 * one thread has in flight is waited for by the others instead of
 * being asked again.  The answers are copies, each thread's own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "net/net.h"

struct centry {
	char		*key;
	unsigned	 hash;
	long long	 expires;
	struct spf_answer *a;		/* NULL while the query is in flight */
	unsigned	 refs;		/* the table's, and each waiter's */
	int		 listed;	/* in the table */
	struct centry	*next;		/* in its bucket */
	struct centry	*older, *newer;	/* answered entries, oldest first */
};

struct spf_cache {
	pthread_mutex_t	 lock;
	pthread_cond_t	 answered;
	struct centry	**b;
	size_t		 nb, n, max;
	struct centry	*oldest, *newest;
	unsigned long	 hits;
};

struct spf_answer *
spf_answer_copy(enum dns_status st, const char *why, unsigned ttl,
    const struct dns_rr *rr, size_t n)
{
	struct spf_answer *a = xcalloc(1, sizeof(*a));
	size_t i;

	a->status = st;
	a->why = why;
	a->ttl = ttl;
	a->n = n;
	a->rr = n ? xcalloc(n, sizeof(*a->rr)) : NULL;
	for (i = 0; i < n; i++) {
		a->rr[i] = rr[i];
		a->rr[i].text = xmalloc(rr[i].len + 1);
		memcpy(a->rr[i].text, rr[i].text, rr[i].len);
		a->rr[i].text[rr[i].len] = '\0';
	}
	return a;
}

static struct spf_answer *
answer_dup(const struct spf_answer *a)
{
	return spf_answer_copy(a->status, a->why, a->ttl, a->rr, a->n);
}

void
spf_answer_free(struct spf_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->rr[i].text);
	free(a->rr);
	free(a);
}

struct spf_cache *
spf_cache_new(size_t max)
{
	struct spf_cache *c = xcalloc(1, sizeof(*c));
	pthread_condattr_t attr;

	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->answered, &attr);
	pthread_condattr_destroy(&attr);
	c->max = max;
	for (c->nb = 64; c->nb < max && c->nb < (1u << 20); c->nb *= 2)
		;
	c->b = xcalloc(c->nb, sizeof(*c->b));
	return c;
}

static void
release(struct centry *e)
{
	if (--e->refs > 0)
		return;
	spf_answer_free(e->a);
	free(e->key);
	free(e);
}

/* Out of the table (and the age list); waiters may still hold it. */
static void
detach(struct spf_cache *c, struct centry *e)
{
	struct centry **p;

	if (!e->listed)
		return;
	for (p = &c->b[e->hash & (c->nb - 1)]; *p != NULL; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	if (e->a != NULL) {
		if (e->older)
			e->older->newer = e->newer;
		else if (c->oldest == e)
			c->oldest = e->newer;
		if (e->newer)
			e->newer->older = e->older;
		else if (c->newest == e)
			c->newest = e->older;
	}
	e->listed = 0;
	c->n--;
	release(e);
}

void
spf_cache_free(struct spf_cache *c)
{
	struct centry *e, *next;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nb; i++)
		for (e = c->b[i]; e != NULL; e = next) {
			next = e->next;
			e->listed = 0;
			release(e);
		}
	free(c->b);
	pthread_cond_destroy(&c->answered);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct centry *
find(struct spf_cache *c, const char *key, unsigned h)
{
	struct centry *e;

	for (e = c->b[h & (c->nb - 1)]; e != NULL; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Wait for the answer to e until deadline; 0 if it came. */
static int
await(struct spf_cache *c, struct centry *e, long long deadline)
{
	struct timespec ts;

	ts.tv_sec = deadline / 1000;
	ts.tv_nsec = (deadline % 1000) * 1000000;
	e->refs++;
	while (e->a == NULL && xd_now_ms() < deadline)
		if (pthread_cond_timedwait(&c->answered, &c->lock, &ts) ==
		    ETIMEDOUT)
			break;
	return e->a != NULL ? 0 : -1;
}

/*
 * The answer to key: 1 and *ap (the caller's copy) from the cache, or
 * from a query another thread had in flight; 0 and *claim when the
 * caller is to ask, and then to call spf_cache_done(); -1 when the
 * deadline (ms, monotonic) passed while waiting for another thread.
 */
int
spf_cache_get(struct spf_cache *c, const char *key, long long deadline,
    struct spf_answer **ap, void **claim)
{
	struct centry *e;
	unsigned h = (unsigned)xd_hash(key, strlen(key));
	int rc;

	*ap = NULL;
	*claim = NULL;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		if ((e = find(c, key, h)) == NULL) {
			e = xcalloc(1, sizeof(*e));
			e->key = xstrdup(key);
			e->hash = h;
			e->refs = 1;
			e->listed = 1;
			e->next = c->b[h & (c->nb - 1)];
			c->b[h & (c->nb - 1)] = e;
			c->n++;
			e->refs++;		/* the claim's */
			*claim = e;
			rc = 0;
			break;
		}
		if (e->a == NULL) {
			/* An answer to wait for is taken, live or not. */
			rc = await(c, e, deadline);
			if (rc == 0) {
				*ap = answer_dup(e->a);
				c->hits++;
				rc = 1;
			}
			release(e);
			break;
		}
		if (e->expires > xd_now_ms()) {
			*ap = answer_dup(e->a);
			c->hits++;
			rc = 1;
			break;
		}
		detach(c, e);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* The answer to a claimed query: for those waiting, and to keep. */
void
spf_cache_done(struct spf_cache *c, void *claim, const struct spf_answer *a)
{
	struct centry *e = claim;
	int keep;

	keep = c->max > 0 && a->ttl > 0 && (a->status == DNS_OK ||
	    a->status == DNS_NXDOMAIN || a->status == DNS_NODATA);
	pthread_mutex_lock(&c->lock);
	e->a = answer_dup(a);
	e->expires = xd_now_ms() + (long long)a->ttl * 1000;
	if (e->listed && keep) {
		e->older = c->newest;
		if (c->newest)
			c->newest->newer = e;
		else
			c->oldest = e;
		c->newest = e;
		while (c->n > c->max && c->oldest != NULL && c->oldest != e)
			detach(c, c->oldest);
	} else
		detach(c, e);
	pthread_cond_broadcast(&c->answered);
	release(e);
	pthread_mutex_unlock(&c->lock);
}

unsigned long
spf_cache_hits(struct spf_cache *c)
{
	unsigned long n;

	pthread_mutex_lock(&c->lock);
	n = c->hits;
	pthread_mutex_unlock(&c->lock);
	return n;
}
