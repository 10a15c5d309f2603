/*
 * dnsanswer.c - DNS answers read from the wire: names, records, CNAME
 * chains, TTLs and negative TTLs, each answer checked before it is
 * believed.
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

/* --- answers -------------------------------------------------------- */

struct dns_answer *
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
struct dns_answer *
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
