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

#define DNS_MAX_SERVERS	8
#define DNS_MAX_TTL	86400	/* a day, however long a zone says */
#define DNS_MAX_FDS	64	/* sockets c-ares may hold open */
#define DNS_EDNS_SIZE	1232	/* the DNS flag day 2020 UDP size */
#define C_IN		1
#define T_CNAME		5
#define T_SOA		6

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

/* --- names and types ------------------------------------------------ */

const char *
dns_type_name(int type)
{
	switch (type) {
	case DNS_A:	return "A";
	case DNS_AAAA:	return "AAAA";
	case DNS_MX:	return "MX";
	case DNS_PTR:	return "PTR";
	case DNS_TXT:	return "TXT";
	default:	return "?";
	}
}

int
dns_type_parse(const char *s)
{
	static const int types[] = { DNS_A, DNS_AAAA, DNS_MX, DNS_PTR, DNS_TXT };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, dns_type_name(types[i])) == 0)
			return types[i];
	return -1;
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:		return "ok";
	case DNS_NXDOMAIN:	return "nxdomain";
	case DNS_NODATA:	return "nodata";
	case DNS_TEMPFAIL:	return "tempfail";
	default:		return "bad";
	}
}

/*
 * A name we are willing to ask: printable ASCII without spaces or
 * backslashes (c-ares would read those as escapes), labels of 1 to 63
 * bytes, at most DNS_MAX_NAME in all.  Underscores and other
 * punctuation pass: SPF macros and _domainkey names need them.
 */
int
dns_name_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		/* A space is a byte like any other in a label: SPF's %_
		 * macro puts one there (RFC 7208, 7.3). */
		if (c < ' ' || c >= 0x7f || c == '\\' || c == '"' ||
		    c == ';' || c == '(' || c == ')' || ++label > 63)
			return 0;
	}
	return label > 0;
}

/* Lower case, no final dot, in out of DNS_MAX_NAME + 2 bytes. */
static void
name_fold(const char *s, char *out)
{
	size_t i, n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	for (i = 0; i < n && i <= DNS_MAX_NAME; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/*
 * The name under zone for an address: "2.0.0.127.zone", or 32 nibbles
 * for IPv6.  A NULL zone gives in-addr.arpa and ip6.arpa, "" the
 * labels alone.
 */
int
dns_reverse(const struct cidr *ip, const char *zone, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b;
	int i, rc;

	buf_init(&b);
	if (ip->family == AF_INET)
		buf_printf(&b, "%u.%u.%u.%u", ip->addr[3], ip->addr[2],
		    ip->addr[1], ip->addr[0]);
	else
		for (i = 15; i >= 0; i--)
			buf_printf(&b, "%s%c.%c", i < 15 ? "." : "",
			    hex[ip->addr[i] & 0xf], hex[ip->addr[i] >> 4]);
	if (zone == NULL)
		zone = ip->family == AF_INET ? "in-addr.arpa" : "ip6.arpa";
	if (*zone != '\0')
		buf_printf(&b, ".%s", zone);
	rc = b.len < size && b.len <= DNS_MAX_NAME ? 0 : -1;
	if (rc == 0)
		memcpy(out, b.s, b.len + 1);
	buf_free(&b);
	return rc;
}

/* --- answers -------------------------------------------------------- */

static struct dns_answer *
answer_new(const char *name, int type, enum dns_status st, const char *why)
{
	struct dns_answer *a = xcalloc(1, sizeof(*a));

	a->name = xstrdup(name);
	a->type = type;
	a->status = st;
	a->why = why;
	a->refs = 1;
	return a;
}

void
dns_answer_free(struct dns_answer *a)
{
	size_t i;

	if (a == NULL || --a->refs > 0)
		return;
	for (i = 0; i < a->n; i++)
		free(a->rr[i].text);
	free(a->rr);
	free(a->name);
	free(a);
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned
get32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
	    (unsigned)p[2] << 8 | p[3];
}

/* RFC 2181 8: a TTL with the top bit set is zero. */
static unsigned
ttl_of(const unsigned char *p)
{
	unsigned t = get32(p);

	if (t & 0x80000000u)
		return 0;
	return t > DNS_MAX_TTL ? DNS_MAX_TTL : t;
}

/* One record of a packet, its owner name expanded and folded. */
struct rrview {
	char		 owner[DNS_MAX_NAME + 2];
	int		 type, class;
	unsigned	 ttl;
	const unsigned char *rdata;
	unsigned	 rdlen;
};

/*
 * Undo the escapes ares_expand_name() writes (\@, \$, \DDD ...), so that
 * an answer's name compares with the name asked.  A label holding a dot
 * or a byte no name asked can hold is refused.
 */
static int
unescape_name(const char *s, char *out)
{
	size_t n = 0;
	int c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\\' && isdigit((unsigned char)s[1]) &&
		    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])) {
			c = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
			s += 3;
			if (c == '.')
				return -1;
		} else if (c == '\\') {
			if ((c = (unsigned char)*++s) == '\0' || c == '.')
				return -1;
		}
		if (c < ' ' || c >= 0x7f || n > DNS_MAX_NAME)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* Expand a compressed name at p into out; its length in the packet. */
static int
get_name(const unsigned char *p, const unsigned char *abuf, int alen,
    char *out, long *used)
{
	char plain[DNS_MAX_NAME + 2];
	char *s;
	int rc;

	if (ares_expand_name(p, abuf, alen, &s, used) != ARES_SUCCESS)
		return -1;
	rc = unescape_name(s, plain);
	ares_free_string(s);
	if (rc == 0)
		name_fold(plain, out);
	return rc;
}

static int
get_rr(const unsigned char **pp, const unsigned char *abuf, int alen,
    struct rrview *rr)
{
	const unsigned char *p = *pp, *end = abuf + alen;
	long used;

	if (get_name(p, abuf, alen, rr->owner, &used) != 0)
		return -1;
	p += used;
	if (end - p < 10)
		return -1;
	rr->type = (int)get16(p);
	rr->class = (int)get16(p + 2);
	rr->ttl = ttl_of(p + 4);
	rr->rdlen = get16(p + 8);
	p += 10;
	if (end - p < (long)rr->rdlen)
		return -1;
	rr->rdata = p;
	*pp = p + rr->rdlen;
	return 0;
}

static int
cmp_rr(const void *x, const void *y)
{
	const struct dns_rr *a = x, *b = y;
	int c;

	/* Addresses in numeric order; for other types addr is all 0. */
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->text, b->text, a->len);
}

/* TXT: the character-strings joined, as RFC 7208 3.3 reads them. */
static int
rr_txt(const struct rrview *v, struct dns_rr *out)
{
	const unsigned char *p = v->rdata, *end = v->rdata + v->rdlen;
	struct buf b;

	buf_init(&b);
	while (p < end) {
		unsigned n = *p++;

		if ((unsigned)(end - p) < n || b.len + n > DNS_MAX_TXT) {
			buf_free(&b);
			return -1;
		}
		buf_add(&b, p, n);
		p += n;
	}
	if (b.s == NULL)
		buf_adds(&b, "");
	out->text = b.s;
	out->len = b.len;
	return 0;
}

/* One record of the asked type into out: 0, or -1 if it is damaged. */
static int
rr_take(const struct rrview *v, const unsigned char *abuf, int alen,
    struct dns_rr *out)
{
	char name[DNS_MAX_NAME + 2], ntop[INET6_ADDRSTRLEN];
	long used;

	memset(out, 0, sizeof(*out));
	out->ttl = v->ttl;
	switch (v->type) {
	case DNS_A:
	case DNS_AAAA:
		if (v->rdlen != (v->type == DNS_A ? 4u : 16u))
			return -1;
		memcpy(out->addr, v->rdata, v->rdlen);
		inet_ntop(v->type == DNS_A ? AF_INET : AF_INET6, out->addr,
		    ntop, sizeof(ntop));
		out->text = xstrdup(ntop);
		break;
	case DNS_MX:
		if (v->rdlen < 3)
			return -1;
		out->pref = get16(v->rdata);
		/* FALLTHROUGH */
	case DNS_PTR:
		if (get_name(v->rdata + (v->type == DNS_MX ? 2 : 0), abuf, alen,
		    name, &used) != 0 ||
		    used != (long)v->rdlen - (v->type == DNS_MX ? 2 : 0))
			return -1;
		out->text = xstrdup(name);
		break;
	case DNS_TXT:
		return rr_txt(v, out);
	default:
		return -1;
	}
	out->len = strlen(out->text);
	return 0;
}

/* The canonical name of qname after the CNAMEs in the answer section. */
static int
follow_cnames(const struct rrview *rr, size_t n, const unsigned char *abuf,
    int alen, char *cur, int *followed)
{
	char target[DNS_MAX_NAME + 2];
	size_t i;
	long used;
	int hops;

	*followed = 0;
	for (hops = 0; ; hops++) {
		for (i = 0; i < n; i++)
			if (rr[i].type == T_CNAME && rr[i].class == C_IN &&
			    strcmp(rr[i].owner, cur) == 0)
				break;
		if (i == n)
			return 0;
		if (hops >= DNS_MAX_CNAME)
			return -1;
		if (get_name(rr[i].rdata, abuf, alen, target, &used) != 0)
			return -1;
		strcpy(cur, target);
		*followed = 1;
	}
}

/* RFC 2308 5: a negative answer lives min(SOA TTL, SOA minimum). */
static unsigned
negative_ttl(const unsigned char *p, int nscount, const unsigned char *abuf,
    int alen)
{
	struct rrview v;
	char skip[DNS_MAX_NAME + 2];
	long used, u2;

	while (nscount-- > 0) {
		if (get_rr(&p, abuf, alen, &v) != 0)
			return 0;
		if (v.type != T_SOA || v.class != C_IN)
			continue;
		if (get_name(v.rdata, abuf, alen, skip, &used) != 0 ||
		    get_name(v.rdata + used, abuf, alen, skip, &u2) != 0 ||
		    (long)v.rdlen != used + u2 + 20)
			return 0;
		u2 = (long)ttl_of(v.rdata + used + u2 + 16);
		return v.ttl < (unsigned long)u2 ? v.ttl : (unsigned)u2;
	}
	return 0;
}

static struct dns_answer *
bad(struct dns_answer *a, const char *why)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->rr[i].text);
	free(a->rr);
	a->rr = NULL;
	a->n = 0;
	a->status = DNS_BAD;
	a->why = why;
	a->ttl = 0;
	return a;
}

/*
 * Read a whole answer packet for (name, type).  c-ares has matched its
 * ID and question already; what is checked here is everything a
 * hostile server could still get wrong.  Records for other names are
 * ignored; an answer holding nothing but those is refused.
 */
static struct dns_answer *
parse_answer(const char *name, int type, const unsigned char *abuf, int alen)
{
	struct dns_answer *a = answer_new(name, type, DNS_OK, NULL);
	struct rrview *rr = NULL;
	const unsigned char *p;
	char cur[DNS_MAX_NAME + 2];
	unsigned rcode, qd, an, ns, i, minttl = DNS_MAX_TTL;
	int followed, skipped = 0;
	long used;

	if (alen < 12)
		return bad(a, "short");
	rcode = abuf[3] & 0x0f;
	qd = get16(abuf + 4);
	an = get16(abuf + 6);
	ns = get16(abuf + 8);
	if (abuf[2] & 0x02)
		return bad(a, "truncated");
	if (!(abuf[2] & 0x80) || qd != 1)
		return bad(a, "malformed");
	if (rcode != 0 && rcode != 3) {
		a->status = DNS_TEMPFAIL;
		a->why = rcode == 2 ? "servfail" : rcode == 5 ? "refused" :
		    "rcode";
		return a;
	}
	if (an > DNS_MAX_RR)
		return bad(a, "too-many-records");
	p = abuf + 12;
	if (get_name(p, abuf, alen, cur, &used) != 0 ||
	    alen - (p + used - abuf) < 4)
		return bad(a, "malformed");
	if (strcmp(cur, name) != 0)
		return bad(a, "foreign-answer");
	p += used + 4;
	rr = an ? xcalloc(an, sizeof(*rr)) : NULL;
	for (i = 0; i < an; i++)
		if (get_rr(&p, abuf, alen, &rr[i]) != 0) {
			free(rr);
			return bad(a, "malformed");
		}
	if (follow_cnames(rr, an, abuf, alen, cur, &followed) != 0) {
		free(rr);
		return bad(a, "cname-loop");
	}
	a->rr = an ? xcalloc(an, sizeof(*a->rr)) : NULL;
	for (i = 0; i < an; i++) {
		if (rr[i].type != type || rr[i].class != C_IN ||
		    strcmp(rr[i].owner, cur) != 0)
			continue;
		if (rr_take(&rr[i], abuf, alen, &a->rr[a->n]) != 0) {
			/* An oversize TXT record is left out, not fatal. */
			if (type == DNS_TXT) {
				skipped++;
				continue;
			}
			free(rr);
			return bad(a, "malformed");
		}
		if (a->rr[a->n].ttl < minttl)
			minttl = a->rr[a->n].ttl;
		a->n++;
	}
	free(rr);
	if (a->n > 0) {
		qsort(a->rr, a->n, sizeof(*a->rr), cmp_rr);
		a->ttl = minttl;
		return a;
	}
	if (an > 0 && !followed && skipped == 0)
		return bad(a, "foreign-answer");
	a->status = rcode == 3 ? DNS_NXDOMAIN : DNS_NODATA;
	a->ttl = negative_ttl(p, (int)ns, abuf, alen);
	return a;
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

/* Queries past the time bound are answered now; c-ares keeps them. */
static void
expire(struct dns *d)
{
	long long now = xd_now_ms();
	struct dns_answer *a;
	struct waiter *w;
	struct dq *q;

	while ((q = d->qhead) != NULL && q->deadline <= now) {
		w = dq_unlink(d, q);
		q->expired = 1;
		d->st.timeouts++;
		a = answer_new(q->name, q->type, DNS_TEMPFAIL, "timeout");
		deliver(w, a);
		dns_answer_free(a);
	}
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
	if (rc < 0 && errno != EINTR)
		xd_err(XD_EXIT_SOME, "poll");
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

/* --- set-up --------------------------------------------------------- */

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address. */
static int
parse_server(const char *s, struct ares_addr_port_node *n)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL, *errstr, *end;
	size_t len;

	memset(n, 0, sizeof(*n));
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		len = (size_t)(end - s - 1);
		s++;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return -1;
	} else if ((end = strchr(s, ':')) != NULL && strchr(end + 1, ':') ==
	    NULL) {
		len = (size_t)(end - s);
		port = end + 1;
	} else
		len = strlen(s);
	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &n->addr.addr4) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &n->addr.addr6) == 1)
		n->family = AF_INET6;
	else
		return -1;
	n->udp_port = n->tcp_port = 53;
	if (port != NULL) {
		n->udp_port = n->tcp_port =
		    (int)xd_strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL)
			return -1;
	}
	return 0;
}

/*
 * The servers of a resolver setting: "none", "system", or addresses
 * separated by commas.  Returns how many, or -1 with *why set.
 */
static int
parse_servers(const char *spec, struct ares_addr_port_node *nodes,
    const char **why)
{
	char *copy, *tok, *save = NULL;
	int n = 0;

	copy = xstrdup(spec);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (n == DNS_MAX_SERVERS) {
			*why = "too many servers";
			n = -1;
			break;
		}
		if (parse_server(tok, &nodes[n]) != 0) {
			*why = "expected ADDR, ADDR:PORT or [IPV6]:PORT";
			n = -1;
			break;
		}
		if (n > 0)
			nodes[n - 1].next = &nodes[n];
		n++;
	}
	free(copy);
	if (n == 0) {
		*why = "no address";
		n = -1;
	}
	return n;
}

int
dns_resolver_check(const char *spec, const char **why)
{
	struct ares_addr_port_node nodes[DNS_MAX_SERVERS];

	if (strcmp(spec, "none") == 0 || strcmp(spec, "system") == 0)
		return 0;
	return parse_servers(spec, nodes, why) < 0 ? -1 : 0;
}

/* --resolver SPEC, checked: a usage error names what is wrong. */
const char *
dns_resolver_option(const char *spec)
{
	const char *why;

	if (dns_resolver_check(spec, &why) != 0)
		xd_errx(XD_EXIT_USAGE, "--resolver %s: %s", spec, why);
	return spec;
}

/* Where queries go: the option, $XD_RESOLVER, xd.conf, resolv.conf. */
static const char *
resolver_spec(const char *opt)
{
	const char *s;

	if (opt != NULL && *opt != '\0')
		return opt;
	if ((s = getenv("XD_RESOLVER")) != NULL && *s != '\0')
		return s;
	if ((s = conf_str("resolver")) != NULL && *s != '\0')
		return s;
	return "system";
}

/* Whether the resolver a context would get is "none": no DNS at all. */
int
dns_resolver_none(const char *opt)
{
	return strcmp(resolver_spec(opt), "none") == 0;
}

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
