/*
 * spf.c - SPF checks (RFC 7208) through libspf2, its DNS going to the
 * one DNS layer of the tools (dns.c) by way of an SPF_dns_server_t of
 * our own.
 *
 * libspf2 gets some of RFC 7208 wrong: CIDR lengths of 0, the limits
 * of 10 DNS-querying terms (it counts per included record) and of 2
 * void lookups (it has none), PTR names past the tenth (an error where
 * they should be ignored), PTR names that cannot be resolved (a
 * temperror where they should be skipped), loopback clients (always a
 * pass), SPF-type (99) queries, records of exactly "v=spf1", macros
 * (no 253-byte cut), and its record parser accepts what it should
 * refuse, refuses what it should accept, and drops mechanisms past
 * 512 bytes of a compiled record.  So libspf2 never sees a record as
 * published:
 *
 *  - every record is fetched and checked by spfrec.c first, through
 *    the get_spf hook of our DNS layer;
 *  - libspf2 is handed a short record of our making, in which every
 *    target is a placeholder name "tKKKI.NONCE" (term K of record I,
 *    see spf_ph_name()), which our DNS layer expands (macros and all)
 *    when libspf2 asks for it, and ip4/ip6 terms are decided here;
 *  - before every term stands a marker "include:mKKKI.NONCE", which
 *    libspf2 resolves through get_spf like any include: that is where
 *    the terms and the void lookups are counted, and where a permerror
 *    found during the term before is returned;
 *  - libspf2's idea of the client is a stand-in address, and every
 *    address answer is rewritten to the stand-in when it matches the
 *    real client under the term's CIDR lengths, and to another
 *    address when not, so that libspf2's own matching (which knows
 *    no /0) comes out right.
 *
 * libspf2 is synchronous, so each thread has its own struct spf, with
 * its own dns.c context; answers are shared through spfcache.c.
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

/* What libspf2 takes the client for, and an address that is not it. */
static const char stand_in4[] = "192.0.2.123", not_it4[] = "192.0.2.124";
static const char stand_in6[] = "2001:db8::123", not_it6[] = "2001:db8::124";

/* The best-guess policy for domains without a record. */
static const char guess_record[] = "v=spf1 a/24//64 mx/24//64";

static pthread_once_t spf_once = PTHREAD_ONCE_INIT;

/* --- libspf2's messages ---------------------------------------------- */

/*
 * libspf2's own bug (SPF_errorx): its handler may not return, so the
 * process ends here, the one place the library aborts (check-layers).
 */
static void __attribute__((noreturn))
lib_error(const char *file, int line, const char *msg)
{
	xd_warnx("libspf2: %s (%s:%d)", msg, file ? file : "?", line);
	abort();
}

static void
lib_quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

static void
lib_setup(void)
{
	SPF_error_handler = lib_error;
	SPF_warning_handler = lib_quiet;
	SPF_info_handler = lib_quiet;
	SPF_debug_handler = lib_quiet;
}

/* --- answers ----------------------------------------------------------- */

static struct spf_answer *
answer_new(enum dns_status st, const char *why)
{
	return spf_answer_copy(st, why, 0, NULL, 0);
}

/* --- asking ------------------------------------------------------------ */

static void
slot_unlink(struct spf *s, struct slot *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		s->slots = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

static void
on_answer(const struct dns_answer *a, void *arg)
{
	struct slot *q = arg;

	if (q->abandoned) {
		slot_unlink(q->s, q);
		free(q);
		return;
	}
	q->a = spf_answer_copy(a->status, a->why, a->ttl, a->rr, a->n);
	q->done = 1;
}

/*
 * Ask (name, type), from the shared cache or the DNS, waiting no
 * longer than the check may take.  The answer is the caller's.
 */
struct spf_answer *
spf_ask(struct spf *s, const char *name, int type)
{
	struct spf_answer *a;
	struct slot *q;
	void *claim = NULL;
	char *key;
	size_t i;
	long long left;

	if (!dns_name_ok(name))
		return answer_new(DNS_BAD, "bad-name");
	xasprintf(&key, "%d/%s", type, name);
	for (i = 0; key[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	if (key[i - 1] == '.')
		key[i - 1] = '\0';
	if (s->cache != NULL) {
		switch (spf_cache_get(s->cache, key, s->deadline, &a, &claim)) {
		case 1:
			free(key);
			return a;
		case -1:
			free(key);
			return answer_new(DNS_TEMPFAIL, "timeout");
		}
	}
	free(key);
	q = xcalloc(1, sizeof(*q));
	q->s = s;
	q->next = s->slots;
	if (s->slots)
		s->slots->prev = q;
	s->slots = q;
	dns_query(s->dns, name, type, on_answer, q);
	while (!q->done) {
		if ((left = s->deadline - xd_now_ms()) <= 0) {
			q->abandoned = 1;	/* on_answer frees it */
			a = answer_new(DNS_TEMPFAIL, "timeout");
			if (claim != NULL)
				spf_cache_done(s->cache, claim, a);
			return a;
		}
		dns_poll(s->dns, -1, left > INT_MAX ? INT_MAX : (int)left,
		    NULL);
	}
	a = q->a;
	slot_unlink(s, q);
	free(q);
	if (claim != NULL)
		spf_cache_done(s->cache, claim, a);
	return a;
}

/* A name that cannot be asked is a name that does not exist. */
int
spf_is_void(const struct spf_answer *a)
{
	return a->status == DNS_NXDOMAIN || a->status == DNS_NODATA ||
	    (a->status == DNS_OK && a->n == 0) ||
	    (a->status == DNS_BAD && a->why != NULL &&
	    strcmp(a->why, "bad-name") == 0);
}

int
spf_is_temp(const struct spf_answer *a)
{
	return !spf_is_void(a) && a->status != DNS_OK;
}

/* --- records ------------------------------------------------------------- */

static void
inst_free(struct inst *in)
{
	size_t i;

	if (in == NULL)
		return;
	for (i = 0; i < in->rec.n; i++)
		free(in->target[i]);
	free(in->target);
	spf_rec_free(&in->rec);
	free(in->domain);
	free(in);
}

int
spf_dns_term(enum spf_mech m)
{
	return m != SPFM_ALL && m != SPFM_IP4 && m != SPFM_IP6;
}


/* A record from text into a new instance for domain. */
static enum load
inst_add(struct spf *s, const char *domain, const char *txt, size_t len,
    size_t *idx)
{
	struct inst *in;
	const char *why;

	if (s->ninst == SPF_MAX_INST) {
		s->why = "too many records";
		return L_PERM;
	}
	in = xcalloc(1, sizeof(*in));
	if (spf_rec_parse(txt, len, &in->rec, &why) != 0) {
		free(in);
		s->why = why;
		return L_PERM;
	}
	in->domain = xstrdup(domain);
	if (*in->domain != '\0' && in->domain[strlen(in->domain) - 1] == '.')
		in->domain[strlen(in->domain) - 1] = '\0';
	in->target = xcalloc(in->rec.n + 1, sizeof(*in->target));
	*idx = s->ninst;
	s->inst[s->ninst++] = in;
	return L_OK;
}

/* The one SPF record of domain (4.4, 4.5), as a new instance. */
enum load
spf_load(struct spf *s, const char *domain, size_t *idx)
{
	struct spf_answer *a = spf_ask(s, domain, DNS_TXT);
	enum load rc;
	size_t i, found = 0, at = 0;

	if (spf_is_void(a)) {
		s->why = "no SPF record";
		rc = a->status == DNS_NXDOMAIN ? L_NXDOMAIN : L_NONE;
	} else if (a->status != DNS_OK) {
		s->why = a->status == DNS_TEMPFAIL ? "DNS error on TXT" :
		    "bad DNS answer on TXT";
		rc = L_TEMP;
	} else {
		for (i = 0; i < a->n; i++)
			if (spf_is_record(a->rr[i].text, a->rr[i].len)) {
				found++;
				at = i;
			}
		if (found == 0) {
			s->why = "no SPF record";
			rc = L_NONE;
		} else if (found > 1) {
			s->why = "more than one SPF record";
			rc = L_PERM;
		} else
			rc = inst_add(s, domain, a->rr[at].text,
			    a->rr[at].len, idx);
	}
	spf_answer_free(a);
	return rc;
}

/* The name term k of instance i is about, macros expanded (7.3). */
const char *
spf_target(struct spf *s, size_t i, size_t k)
{
	struct inst *in = s->inst[i];
	const struct spf_term *t = &in->rec.t[k];

	if (in->target[k] != NULL)
		return in->target[k];
	if (t->spec == NULL)
		in->target[k] = xstrdup(in->domain);
	else {
		s->env.domain = in->domain;
		spf_expand(t->spec, &s->env, &s->tmp);
		in->target[k] = xstrdup(s->tmp.s);
	}
	return in->target[k];
}

static int
ip_term_matches(const struct spf *s, const struct spf_term *t)
{
	return cidr_match(&t->net, &s->ip);
}

static const char *
mech_name(enum spf_mech m)
{
	switch (m) {
	case SPFM_A:		return "a";
	case SPFM_MX:		return "mx";
	case SPFM_PTR:		return "ptr";
	case SPFM_EXISTS:	return "exists";
	default:		return "include";
	}
}

/*
 * Our names, short: libspf2 silently drops the mechanisms of a record
 * past about 512 bytes of its compiled form.  KIND, the term in three
 * base-36 digits, the record in one, then the nonce: "m00a3.qkzx".
 */
void
spf_ph_name(const struct spf *s, struct buf *b, int kind, size_t k, size_t i)
{
	static const char d36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	buf_printf(b, "%c%c%c%c%c.%s", kind, d36[k / 1296 % 36],
	    d36[k / 36 % 36], d36[k % 36], d36[i % 36], s->nonce);
}

/*
 * The record libspf2 evaluates for instance i: markers, placeholders,
 * ip4/ip6 decided, nothing past what can be reached.
 */
void
spf_gen_record(struct spf *s, size_t i, struct buf *b)
{
	const struct spf_rec *r = &s->inst[i]->rec;
	const struct spf_term *t;
	size_t k;
	int dns = 0, stop = 0;

	buf_reset(b);
	buf_adds(b, "v=spf1");
	for (k = 0; k < r->n && !stop; k++) {
		t = &r->t[k];
		if ((t->mech == SPFM_IP4 || t->mech == SPFM_IP6) &&
		    !ip_term_matches(s, t))
			continue;
		buf_adds(b, " +include:");
		spf_ph_name(s, b, 'm', k, i);
		switch (t->mech) {
		case SPFM_ALL:
			buf_printf(b, " %call", t->qual);
			stop = 1;
			break;
		case SPFM_IP4:
		case SPFM_IP6:
			buf_printf(b, " %c%s:%s", t->qual,
			    s->ip.family == AF_INET ? "ip4" : "ip6",
			    s->ip.family == AF_INET ? stand_in4 : stand_in6);
			stop = 1;
			break;
		case SPFM_REDIRECT:
			buf_adds(b, " redirect=");
			spf_ph_name(s, b, 't', k, i);
			stop = 1;
			break;
		default:
			buf_printf(b, " %c%s:", t->qual, mech_name(t->mech));
			spf_ph_name(s, b, 't', k, i);
			/* The marker before the next one is a permerror. */
			stop = ++dns > SPF_MAX_TERMS;
			break;
		}
	}
	if (!stop) {
		buf_adds(b, " +include:");
		spf_ph_name(s, b, 'e', 0, i);
	}
}

/* --- set-up -------------------------------------------------------------- */

static void
make_nonce(struct spf *s)
{
	static unsigned long counter;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;
	unsigned long n;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&lock);
	n = ++counter;
	pthread_mutex_unlock(&lock);
	n = n * 2654435761UL ^ (unsigned long)ts.tv_nsec ^
	    ((unsigned long)getpid() << 16) ^ (unsigned long)ts.tv_sec;
	/* Letters only: libspf2 takes an all-digit last label for an IP. */
	for (i = 0; i < 4; i++, n /= 26)
		s->nonce[i] = (char)('a' + n % 26);
	s->nonce[4] = '\0';
}

/*
 * A checker for one thread.  resolver: as dns_new() takes it.  The
 * cache may be shared by many checkers, or NULL.
 */
struct spf *
spf_new(const char *resolver, struct spf_cache *cache, const char **errstr)
{
	struct spf *s;
	SPF_response_t *resp = NULL;

	pthread_once(&spf_once, lib_setup);
	s = xcalloc(1, sizeof(*s));
	if ((s->dns = dns_new(resolver, errstr)) == NULL) {
		free(s);
		return NULL;
	}
	s->cache = cache;
	make_nonce(s);
	buf_init(&s->tmp);
	s->layer = xcalloc(1, sizeof(*s->layer));
	s->layer->lookup = spf_layer_lookup;
	s->layer->get_spf = spf_layer_get_spf;
	s->layer->get_exp = spf_layer_get_exp;
	s->layer->name = "xd";
	s->layer->hook = s;
	if ((s->server = SPF_server_new_dns(s->layer, 0)) == NULL)
		xd_nomem();
	/* A fixed explanation: no macros, no lookups. */
	SPF_server_set_explanation(s->server, "xd", &resp);
	SPF_response_free(resp);
	/* Ours are the limits: libspf2 counts markers too, per record. */
	SPF_server_set_max_dns_mech(s->server, INT_MAX / 2);
	inet_pton(AF_INET, stand_in4, &s->lib4);
	inet_pton(AF_INET, not_it4, &s->not4);
	inet_pton(AF_INET6, stand_in6, &s->lib6);
	inet_pton(AF_INET6, not_it6, &s->not6);
	return s;
}

static void
check_reset(struct spf *s)
{
	size_t i;

	for (i = 0; i < s->ninst; i++)
		inst_free(s->inst[i]);
	s->ninst = 0;
	for (i = 0; i < s->nvalid; i++)
		free(s->valid[i]);
	s->nvalid = 0;
	s->pdone = 0;
	spf_term_reset(s);
	s->inside = 0;
	s->terms = s->voids = 0;
	s->perm = NULL;
	free(s->sender);
	free(s->local);
	free(s->sdomain);
	free(s->helo);
	s->sender = s->local = s->sdomain = s->helo = NULL;
}

void
spf_free(struct spf *s)
{
	struct slot *q, *next;

	if (s == NULL)
		return;
	check_reset(s);
	SPF_server_free(s->server);
	free(s->layer);		/* not the server's: it has no destructor */
	dns_free(s->dns);	/* drops what is pending, without callbacks */
	for (q = s->slots; q != NULL; q = next) {
		next = q->next;
		spf_answer_free(q->a);
		free(q);
	}
	buf_free(&s->tmp);
	free(s);
}

/* --- %{p} (7.3, 5.5) ----------------------------------------------------- */

static void
find_validated(struct spf *s)
{
	char rev[DNS_MAX_NAME + 2];
	struct spf_answer *a, *b;
	size_t j, k;
	int type = s->ip.family == AF_INET ? DNS_A : DNS_AAAA;

	s->pdone = 1;
	if (dns_reverse(&s->ip, NULL, rev, sizeof(rev)) != 0)
		return;
	a = spf_ask(s, rev, DNS_PTR);
	for (j = 0; a->status == DNS_OK && j < a->n && j < SPF_MAX_NAMES;
	    j++) {
		b = spf_ask(s, a->rr[j].text, type);
		for (k = 0; b->status == DNS_OK && k < b->n; k++)
			if (memcmp(b->rr[k].addr, s->ip.addr,
			    type == DNS_A ? 4 : 16) == 0) {
				s->valid[s->nvalid++] = xstrdup(a->rr[j].text);
				break;
			}
		spf_answer_free(b);
	}
	spf_answer_free(a);
}

/* The domain itself, else a name under it, else any, else "unknown". */
static const char *
validated(void *arg, const char *domain)
{
	struct spf *s = arg;
	size_t j;

	if (!s->pdone)
		find_validated(s);
	for (j = 0; j < s->nvalid; j++)
		if (strcasecmp(s->valid[j], domain) == 0)
			return s->valid[j];
	for (j = 0; j < s->nvalid; j++)
		if (spf_under(s->valid[j], domain))
			return s->valid[j];
	return s->nvalid > 0 ? s->valid[0] : "unknown";
}

/* --- a check --------------------------------------------------------------- */

const char *
spf_result_name(enum spf_result r)
{
	switch (r) {
	case SPFR_PASS:			return "SPF_PASS";
	case SPFR_FAIL:			return "SPF_FAIL";
	case SPFR_SOFTFAIL:		return "SPF_SOFTFAIL";
	case SPFR_NEUTRAL:		return "SPF_NEUTRAL";
	case SPFR_TEMPERROR:		return "SPF_TEMPERROR";
	case SPFR_PERMERROR:		return "SPF_PERMERROR";
	case SPFR_BESTGUESS_PASS:	return "SPF_BESTGUESS_PASS";
	default:			return "SPF_NONE";
	}
}

/* Evaluate instance i with libspf2. */
static enum spf_result
evaluate(struct spf *s, size_t i)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	enum spf_result r;

	spf_gen_record(s, i, &s->tmp);
	if (s->debug)
		xd_warnx("spf: %s: libspf2 gets \"%s\"", s->inst[i]->domain,
		    s->tmp.s);
	if ((req = SPF_request_new(s->server)) == NULL)
		xd_nomem();
	if (s->ip.family == AF_INET)
		SPF_request_set_ipv4(req, s->lib4);
	else
		SPF_request_set_ipv6(req, s->lib6);
	SPF_request_set_env_from(req, s->sender);
	SPF_request_set_helo_dom(req, *s->helo ? s->helo : s->sdomain);
	SPF_request_query_fallback(req, &resp, s->tmp.s);
	if (s->why == NULL && resp != NULL)
		s->why = SPF_response_reason(resp) == SPF_REASON_MECH ?
		    "a term matched" : "no term matched";
	switch (resp ? SPF_response_result(resp) : SPF_RESULT_INVALID) {
	case SPF_RESULT_PASS:		r = SPFR_PASS; break;
	case SPF_RESULT_FAIL:		r = SPFR_FAIL; break;
	case SPF_RESULT_SOFTFAIL:	r = SPFR_SOFTFAIL; break;
	case SPF_RESULT_NEUTRAL:	r = SPFR_NEUTRAL; break;
	case SPF_RESULT_NONE:		r = SPFR_NONE; break;
	case SPF_RESULT_PERMERROR:	r = SPFR_PERMERROR; break;
	case SPF_RESULT_TEMPERROR:	r = SPFR_TEMPERROR; break;
	default:
		spf_internal(s, "libspf2 result", s->sdomain);
		r = SPFR_TEMPERROR;
		break;
	}
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
	if (s->perm != NULL && r != SPFR_PERMERROR) {
		spf_internal(s, "result after a permerror", s->sdomain);
		r = SPFR_PERMERROR;
	}
	return r;
}

/* The identity (2.3, 4.3): MAIL FROM, or postmaster@HELO without one. */
static int
identity(struct spf *s, const struct spf_query *q)
{
	const char *at, *dom;
	size_t loclen;

	if (q->mailfrom != NULL && *q->mailfrom != '\0') {
		at = strrchr(q->mailfrom, '@');
		dom = at ? at + 1 : q->mailfrom;
		loclen = at ? (size_t)(at - q->mailfrom) : 0;
	} else if (q->helo != NULL && *q->helo != '\0') {
		dom = q->helo;
		loclen = 0;
	} else
		return -1;
	s->local = loclen ? xstrndup(q->mailfrom, loclen) :
	    xstrdup("postmaster");
	s->sdomain = xstrdup(dom);
	xasprintf(&s->sender, "%s@%s", s->local, s->sdomain);
	s->helo = xstrdup(q->helo ? q->helo : "");
	memset(&s->env, 0, sizeof(s->env));
	s->env.sender = s->sender;
	s->env.local = s->local;
	s->env.sender_domain = s->sdomain;
	s->env.helo = s->helo;
	s->env.ip = &s->ip;
	s->env.validated = validated;
	s->env.arg = s;
	return 0;
}

/* Best guess (no record): a pass from the domain's own /24, or nothing. */
static enum spf_result
best_guess(struct spf *s)
{
	size_t idx;

	s->terms = s->voids = 0;
	s->perm = NULL;
	s->inside = 0;
	if (inst_add(s, s->sdomain, guess_record, sizeof(guess_record) - 1,
	    &idx) != L_OK)
		return SPFR_NONE;
	if (evaluate(s, idx) != SPFR_PASS)
		return SPFR_NONE;
	s->why = "the IP is near the domain's A or MX hosts";
	return SPFR_BESTGUESS_PASS;
}

/*
 * check_host() for one message.  domain gets the domain checked (""
 * when there is none); *why a word on how the result came about.
 */
enum spf_result
spf_check(struct spf *s, const struct spf_query *q, struct buf *domain,
    const char **why)
{
	enum spf_result r;
	size_t idx = 0;

	check_reset(s);
	buf_reset(domain);
	buf_adds(domain, "");
	s->why = NULL;
	s->debug = q->debug;
	if (ip_parse(q->ip ? q->ip : "", &s->ip) != 0) {
		*why = "not an IP address";
		return SPFR_BADIP;
	}
	s->deadline = xd_now_ms() + (q->timeout > 0 ? q->timeout : 20000);
	if (identity(s, q) != 0) {
		*why = "no MAIL FROM and no HELO";
		return SPFR_NONE;
	}
	buf_adds(domain, s->sdomain);
	if (!spf_domain_ok(s->sdomain)) {
		*why = "not a domain name";
		return SPFR_NONE;
	}
	switch (spf_load(s, s->sdomain, &idx)) {
	case L_OK:
		r = evaluate(s, idx);
		break;
	case L_TEMP:
		r = SPFR_TEMPERROR;
		break;
	case L_PERM:
		r = SPFR_PERMERROR;
		break;
	case L_NONE:
		r = q->best_guess ? best_guess(s) : SPFR_NONE;
		break;
	default:
		r = SPFR_NONE;
		break;
	}
	*why = s->why ? s->why : "";
	check_reset(s);
	return r;
}

/* What this checker has asked, for --stats. */
void
spf_stats(const struct spf *s, struct dns_stats *st)
{
	dns_stats(s->dns, st);
}
