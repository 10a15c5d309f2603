/*
 * spfdns.c - the DNS that libspf2 is given: its records made from
 * our answers, the placeholder names of the marker includes, and the
 * layer libspf2 asks, which counts and bounds each term (RFC 7208,
 * 4.6.4) and answers the markers.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netdb.h>
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spf2/spf.h>

#include "base/base.h"
#include "net/net.h"
#include "net/spf_int.h"

/* --- what libspf2 gets --------------------------------------------------- */

static SPF_dns_rr_t *
rr_new(struct spf *s, const char *name, ns_type type, int herrno)
{
	return SPF_dns_rr_new_init(s->layer, name, type, 0, herrno);
}

static SPF_dns_rr_t *
rr_status(struct spf *s, const char *name, ns_type type,
    const struct spf_answer *a)
{
	if (spf_is_temp(a))
		return rr_new(s, name, type, TRY_AGAIN);
	if (a->status == DNS_NODATA || a->status == DNS_OK)
		return rr_new(s, name, type, NO_DATA);
	return rr_new(s, name, type, HOST_NOT_FOUND);
}

static void
rr_name(SPF_dns_rr_t *rr, const char *name)
{
	size_t len = strlen(name) + 1;

	if (SPF_dns_rr_buf_realloc(rr, rr->num_rr, len) != SPF_E_SUCCESS)
		xd_nomem();
	memcpy(rr->rr[rr->num_rr]->ptr, name, len);
	rr->num_rr++;
}

static void
rr_addr(struct spf *s, SPF_dns_rr_t *rr, int match)
{
	if (SPF_dns_rr_buf_realloc(rr, rr->num_rr,
	    sizeof(SPF_dns_rr_data_t)) != SPF_E_SUCCESS)
		xd_nomem();
	if (rr->rr_type == ns_t_a)
		rr->rr[rr->num_rr]->a = match ? s->lib4 : s->not4;
	else
		rr->rr[rr->num_rr]->aaaa = match ? s->lib6 : s->not6;
	rr->num_rr++;
}

/*
 * Addresses for libspf2: the stand-in for those that match the client
 * under bits, another address for the rest.
 */
static SPF_dns_rr_t *
rr_addrs(struct spf *s, const char *name, ns_type type,
    const struct spf_answer *a, int bits)
{
	SPF_dns_rr_t *rr;
	struct cidr net;
	size_t i;

	if (a->status != DNS_OK || a->n == 0)
		return rr_status(s, name, type, a);
	rr = rr_new(s, name, type, NETDB_SUCCESS);
	for (i = 0; i < a->n; i++) {
		memset(&net, 0, sizeof(net));
		net.family = type == ns_t_a ? AF_INET : AF_INET6;
		memcpy(net.addr, a->rr[i].addr, net.family == AF_INET ? 4 : 16);
		net.bits = bits;
		rr_addr(s, rr, cidr_match(&net, &s->ip));
	}
	return rr;
}

/* --- placeholder names ---------------------------------------------------- */

static int
d36(int c)
{
	c = tolower((unsigned char)c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return -1;
}

/* "[J.]Tkkki.NONCE" as spf_ph_name() makes them; 0 if name is one. */
static int
ph_parse(const struct spf *s, const char *name, struct ph *ph)
{
	size_t n = strlen(name), nn = strlen(s->nonce);
	const char *p = name;
	int v[4], x;

	memset(ph, 0, sizeof(*ph));
	if (n < nn + 6 || strcasecmp(name + n - nn, s->nonce) != 0)
		return -1;
	if (n == nn + 8 && p[0] >= '0' && p[0] <= '9' && p[1] == '.') {
		ph->j = (size_t)(p[0] - '0');
		p += 2;
		if (*p != 't')
			return -1;
		ph->kind = 'p';
	} else if (n == nn + 6)
		ph->kind = *p;
	else
		return -1;
	if (p[5] != '.' || (*p != 't' && *p != 'm' && *p != 'e'))
		return -1;
	for (x = 0; x < 4; x++)
		if ((v[x] = d36(p[x + 1])) < 0)
			return -1;
	ph->k = (size_t)(v[0] * 1296 + v[1] * 36 + v[2]);
	ph->i = (size_t)v[3];
	if (ph->i >= s->ninst ||
	    (ph->kind != 'e' && ph->k >= s->inst[ph->i]->rec.n))
		return -1;
	return 0;
}

/* The term a lookup of ph belongs to, which must be the current one. */
static const struct spf_term *
ph_term(struct spf *s, const struct ph *ph)
{
	if (!s->inside || ph->i != s->cur || ph->k != s->term)
		return NULL;
	return &s->inst[ph->i]->rec.t[ph->k];
}

static const struct spf_term *
cur_term(const struct spf *s)
{
	return s->inside ? &s->inst[s->cur]->rec.t[s->term] : NULL;
}

void
spf_term_reset(struct spf *s)
{
	size_t j;

	for (j = 0; j < SPF_MAX_NAMES; j++) {
		free(s->ptrname[j]);
		s->ptrname[j] = NULL;
	}
	s->hosts = 0;
}

/* A mistake of ours, not of the record: a temperror, said once. */
void
spf_internal(struct spf *s, const char *what, const char *name)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int said;
	int first;

	s->why = "internal error";
	pthread_mutex_lock(&lock);
	first = !said;
	said = 1;
	pthread_mutex_unlock(&lock);
	if (first)
		xd_warnx("spf: unexpected %s for %s", what, name);
}

/* --- the DNS layer libspf2 asks ------------------------------------------ */

/* The a, mx and exists terms ask for their placeholder. */
static SPF_dns_rr_t *
term_lookup(struct spf *s, const char *name, ns_type type,
    const struct ph *ph)
{
	const struct spf_term *t = ph_term(s, ph);
	const char *q;
	struct spf_answer *a;
	SPF_dns_rr_t *rr;
	size_t i;
	int want;

	want = type == ns_t_mx ? DNS_MX : type == ns_t_a ? DNS_A : DNS_AAAA;
	if (t == NULL || ph->kind != 't' || (t->mech == SPFM_MX) !=
	    (type == ns_t_mx) || (t->mech != SPFM_A && t->mech != SPFM_MX &&
	    t->mech != SPFM_EXISTS) || (type != ns_t_mx && type != ns_t_a &&
	    type != ns_t_aaaa)) {
		spf_internal(s, "lookup", name);
		return rr_new(s, name, type, TRY_AGAIN);
	}
	q = spf_target(s, ph->i, ph->k);
	a = spf_ask(s, q, want);
	if (spf_is_void(a))
		s->voids++;
	if (spf_is_temp(a))
		s->why = "DNS error";
	if (a->status != DNS_OK || a->n == 0 || t->mech == SPFM_EXISTS) {
		rr = a->status == DNS_OK && a->n > 0 ?
		    rr_addrs(s, name, type, a, 0) : rr_status(s, name, type, a);
		spf_answer_free(a);
		return rr;
	}
	if (t->mech == SPFM_A) {
		rr = rr_addrs(s, name, type, a, type == ns_t_a ? t->cidr4 :
		    t->cidr6);
		spf_answer_free(a);
		return rr;
	}
	rr = rr_new(s, name, type, NETDB_SUCCESS);
	for (i = 0; i < a->n; i++) {
		/* A null MX (RFC 7505) names no host. */
		if (a->rr[i].len == 0 || strcmp(a->rr[i].text, ".") == 0)
			continue;
		if (rr->num_rr == SPF_MAX_NAMES) {
			s->perm = s->why = "more than 10 MX names";
			SPF_dns_rr_free(rr);
			spf_answer_free(a);
			return rr_new(s, name, type, NO_DATA);
		}
		rr_name(rr, a->rr[i].text);
	}
	if (rr->num_rr == 0)
		rr->herrno = NO_DATA;
	spf_answer_free(a);
	return rr;
}

/* The hosts an mx term named, asked for A or AAAA. */
static SPF_dns_rr_t *
host_lookup(struct spf *s, const char *name, ns_type type,
    const struct spf_term *t)
{
	struct spf_answer *a;
	SPF_dns_rr_t *rr;

	if (++s->hosts > SPF_MAX_NAMES) {
		spf_internal(s, "MX host lookup", name);
		return rr_new(s, name, type, TRY_AGAIN);
	}
	a = spf_ask(s, name, type == ns_t_a ? DNS_A : DNS_AAAA);
	if (spf_is_temp(a))
		s->why = "DNS error";
	rr = rr_addrs(s, name, type, a, type == ns_t_a ? t->cidr4 : t->cidr6);
	spf_answer_free(a);
	return rr;
}

/* name is target or a name under it. */
int
spf_under(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (t > n)
		return 0;
	if (t == n)
		return strcasecmp(name, target) == 0;
	return name[n - t - 1] == '.' && strcasecmp(name + n - t, target) == 0;
}

/*
 * The ptr term asks for the PTR names of (what it thinks is) the
 * client: we ask for the real one's, keep the first ten names (4.6.4)
 * that are under the target (5.5), and hand them on as "J.tK.iI.NONCE",
 * which libspf2 finds under its target "tK.iI.NONCE".
 */
static SPF_dns_rr_t *
ptr_lookup(struct spf *s, const char *name)
{
	char rev[DNS_MAX_NAME + 2];
	const char *tgt = spf_target(s, s->cur, s->term);
	struct spf_answer *a;
	SPF_dns_rr_t *rr;
	size_t j;

	if (dns_reverse(&s->ip, NULL, rev, sizeof(rev)) != 0) {
		spf_internal(s, "reverse name", name);
		return rr_new(s, name, ns_t_ptr, TRY_AGAIN);
	}
	a = spf_ask(s, rev, DNS_PTR);
	if (spf_is_void(a))
		s->voids++;
	if (a->status != DNS_OK || a->n == 0) {
		/* A DNS error: the mechanism does not match (5.5). */
		rr = spf_is_temp(a) ? rr_new(s, name, ns_t_ptr, NO_DATA) :
		    rr_status(s, name, ns_t_ptr, a);
		spf_answer_free(a);
		return rr;
	}
	spf_term_reset(s);
	rr = rr_new(s, name, ns_t_ptr, NETDB_SUCCESS);
	for (j = 0; j < a->n && j < SPF_MAX_NAMES; j++) {
		if (!spf_under(a->rr[j].text, tgt))
			continue;
		s->ptrname[j] = xstrdup(a->rr[j].text);
		buf_reset(&s->tmp);
		buf_printf(&s->tmp, "%zu.", j);
		spf_ph_name(s, &s->tmp, 't', s->term, s->cur);
		rr_name(rr, s->tmp.s);
	}
	if (rr->num_rr == 0)
		rr->herrno = NO_DATA;
	spf_answer_free(a);
	return rr;
}

/*
 * A PTR name being validated.  A DNS error skips the name (5.5), where
 * libspf2 would make the whole check a temperror.
 */
static SPF_dns_rr_t *
ptrname_lookup(struct spf *s, const char *name, ns_type type,
    const struct ph *ph)
{
	const struct spf_term *t = ph_term(s, ph);
	struct spf_answer *a;
	SPF_dns_rr_t *rr;

	if (t == NULL || t->mech != SPFM_PTR || ph->j >= SPF_MAX_NAMES ||
	    s->ptrname[ph->j] == NULL || (type != ns_t_a && type != ns_t_aaaa)) {
		spf_internal(s, "PTR name lookup", name);
		return rr_new(s, name, type, TRY_AGAIN);
	}
	a = spf_ask(s, s->ptrname[ph->j], type == ns_t_a ? DNS_A : DNS_AAAA);
	if (spf_is_temp(a))
		rr = rr_new(s, name, type, NO_DATA);
	else
		rr = rr_addrs(s, name, type, a, type == ns_t_a ? 32 : 128);
	spf_answer_free(a);
	return rr;
}

SPF_dns_rr_t *
spf_layer_lookup(SPF_dns_server_t *layer, const char *name, ns_type type,
    int should_cache)
{
	struct spf *s = layer->hook;
	const struct spf_term *t = cur_term(s);
	struct ph ph;

	(void)should_cache;
	if (xd_now_ms() >= s->deadline) {
		s->why = "time bound";
		return rr_new(s, name, type, TRY_AGAIN);
	}
	if (ph_parse(s, name, &ph) == 0) {
		if (ph.kind == 't')
			return term_lookup(s, name, type, &ph);
		if (ph.kind == 'p')
			return ptrname_lookup(s, name, type, &ph);
	} else if (t != NULL && t->mech == SPFM_PTR && type == ns_t_ptr)
		return ptr_lookup(s, name);
	else if (t != NULL && t->mech == SPFM_MX &&
	    (type == ns_t_a || type == ns_t_aaaa))
		return host_lookup(s, name, type, t);
	spf_internal(s, "lookup", name);
	return rr_new(s, name, type, TRY_AGAIN);
}

static SPF_errcode_t
compile(struct spf *s, SPF_server_t *sv, SPF_response_t *resp,
    SPF_record_t **recp, const char *text)
{
	SPF_errcode_t err;

	err = SPF_record_compile(sv, resp, recp, text);
	if (err != SPF_E_SUCCESS) {
		spf_internal(s, "libspf2 refusal", text);
		if (*recp != NULL) {
			SPF_record_free(*recp);
			*recp = NULL;
		}
		return SPF_E_DNS_ERROR;
	}
	return err;
}

/* A marker: count the term, check the limits, and move on to it. */
static SPF_errcode_t
marker(struct spf *s, const struct ph *ph, SPF_server_t *sv,
    SPF_response_t *resp, SPF_record_t **recp)
{
	const struct spf_term *t;

	if (s->perm != NULL)
		return SPF_E_BIG_DNS;
	if (s->voids > SPF_MAX_VOID) {
		s->perm = s->why = "more than 2 void lookups";
		return SPF_E_BIG_DNS;
	}
	if (ph->kind == 'm') {
		t = &s->inst[ph->i]->rec.t[ph->k];
		if (spf_dns_term(t->mech) && ++s->terms > SPF_MAX_TERMS) {
			s->perm = s->why = "more than 10 DNS-querying terms";
			return SPF_E_BIG_DNS;
		}
		s->cur = ph->i;
		s->term = ph->k;
		s->inside = 1;
		spf_term_reset(s);
	}
	return compile(s, sv, resp, recp, "v=spf1");
}

/*
 * libspf2 wants the record of an include or redirect target, or of a
 * marker.  Errors: SPF_E_DNS_ERROR is a temperror, the others
 * permerrors (no record included is a permerror too, 5.2 and 6.1).
 */
SPF_errcode_t
spf_layer_get_spf(SPF_server_t *sv, SPF_request_t *req, SPF_response_t *resp,
    SPF_record_t **recp)
{
	struct spf *s = sv->resolver->hook;
	const struct spf_term *t;
	const char *domain;
	struct ph ph;
	size_t idx = 0;

	*recp = NULL;
	if (xd_now_ms() >= s->deadline) {
		s->why = "time bound";
		return SPF_E_DNS_ERROR;
	}
	if (ph_parse(s, req->cur_dom, &ph) != 0 ||
	    (ph.kind != 'm' && ph.kind != 'e' && ph.kind != 't')) {
		spf_internal(s, "record lookup", req->cur_dom);
		return SPF_E_DNS_ERROR;
	}
	if (ph.kind != 't')
		return marker(s, &ph, sv, resp, recp);
	t = ph_term(s, &ph);
	if (t == NULL || (t->mech != SPFM_INCLUDE &&
	    t->mech != SPFM_REDIRECT)) {
		spf_internal(s, "record lookup", req->cur_dom);
		return SPF_E_DNS_ERROR;
	}
	domain = spf_target(s, ph.i, ph.k);
	if (!spf_domain_ok(domain)) {
		s->why = "bad include or redirect target";
		return SPF_E_NOT_SPF;
	}
	switch (spf_load(s, domain, &idx)) {
	case L_OK:
		break;
	case L_TEMP:
		return SPF_E_DNS_ERROR;
	case L_PERM:
		return SPF_E_SYNTAX;
	default:
		s->why = t->mech == SPFM_INCLUDE ? "included domain has no "
		    "SPF record" : "redirect target has no SPF record";
		return SPF_E_NOT_SPF;
	}
	spf_gen_record(s, idx, &s->tmp);
	if (s->debug)
		xd_warnx("spf: %s: libspf2 gets \"%s\"", domain, s->tmp.s);
	return compile(s, sv, resp, recp, s->tmp.s);
}

/* We never say why (exp=): nothing is looked up for it. */
SPF_errcode_t
spf_layer_get_exp(SPF_server_t *sv, const char *domain, char **buf, size_t *len)
{
	(void)sv;
	(void)domain;
	(void)buf;
	(void)len;
	return SPF_E_NOT_SPF;
}
