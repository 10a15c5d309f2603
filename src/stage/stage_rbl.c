/*
 * stage_rbl.c - the stage of xd-rbl(1): DNS blocklists and allowlists
 * of the connecting address and of the sender's domains, and
 * forward-confirmed reverse DNS of the relay.  The lists are xd.conf's
 * rbl, rblwl, rhsbl and rhswl lines; lookups of a window of lines
 * overlap through the runner of dnsrun.c.
 */
#include <sys/socket.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "url/url.h"
#include "net/net.h"
#include "stage.h"

#define TOOL		"xd-rbl"
#define RDNS_MAX_PTR	4	/* PTR names of one address confirmed */
#define RDNS_LINE	1024	/* longest line of the patterns file */

enum kind { K_RBL, K_RBLWL, K_RHSBL, K_RHSWL, K_N };

static const struct {
	const char	*key, *prefix;
	unsigned	 allowed;
} kinds[K_N] = {
	{ "rbl", "RBL_", DNSBL_V4 | DNSBL_V6 },
	{ "rblwl", "RBLWL_", DNSBL_V4 | DNSBL_V6 | DNSBL_TRUST },
	{ "rhsbl", "RHSBL_", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
	{ "rhswl", "RHSWL_", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
};

static const char *const owned[] = {
	"RBL_", "RBLWL_", "RHSBL_", "RHSWL_", "RDNS_", NULL
};

struct list {
	struct dnsbl	 bl;
	enum kind	 kind;
};

struct rbl {
	struct list	*lists;
	size_t		 nlists;
	int		 all_relays, keep, rdns;
	regex_t		*dyn;		/* dynamic-pool PTR patterns */
	size_t		 ndyn;
};

struct finding {
	size_t		 order;		/* the list's place in xd.conf */
	char		*name, *value;
};

/* One line's lookups, as they come back. */
struct state {
	struct rbl	*r;
	struct finding	*f;
	size_t		 nf, cap;
	struct cidr	 ip;		/* the relay of FCrDNS */
	char		 iptext[RELAY_MAX_IP];
	enum { R_NO, R_ASKED, R_NONE, R_FAIL, R_NAMES } rdns;
	char		 ptr[RDNS_MAX_PTR][DNS_MAX_NAME + 2];
	size_t		 nptr;
	int		 confirmed[RDNS_MAX_PTR], fwdfail;
};

/* What one list query is for. */
struct lq {
	const struct list *l;
	size_t		 order;
	int		 last;		/* asked of the last external hop */
	char		 evidence[DNS_MAX_NAME + 2];	/* domain, or "@ip" */
};

static void
add_finding(struct state *s, size_t order, const char *name,
    const char *value)
{
	struct finding *f;

	if (s->nf == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->f = xrealloc(s->f, s->cap * sizeof(*s->f));
	}
	f = &s->f[s->nf++];
	f->order = order;
	f->name = xstrdup(name);
	f->value = xstrdup(value);
}

static int
by_place(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

/* --- lists ------------------------------------------------------------ */

struct hit {
	struct state	*s;
	size_t		 order;
	const char	*value;
	const char	*prefix;	/* for a deeper relay, else NULL */
};

/* A deeper relay's listing is RBL_DEEP_..., for weights of its own. */
static void
hit_symbol(const char *symbol, void *arg)
{
	struct hit *h = arg;
	char *deep;
	size_t n;

	if (h->prefix == NULL) {
		add_finding(h->s, h->order, symbol, h->value);
		return;
	}
	n = strlen(h->prefix);
	xasprintf(&deep, "%sDEEP_%s", h->prefix, symbol + n);
	add_finding(h->s, h->order, deep, h->value);
	free(deep);
}

static void
list_failed(struct state *s, const struct list *l, size_t order)
{
	char name[32];

	snprintf(name, sizeof(name), "%sTEMPFAIL", l->bl.prefix);
	add_finding(s, order, name, l->bl.zone);
}

static void
list_answer(struct dns_line *dl, const struct dns_answer *a, void *arg)
{
	struct lq *q = arg;
	struct state *s = dns_line_state(dl);
	struct list *l = (struct list *)(uintptr_t)q->l;
	struct buf v;
	struct hit h;
	size_t i;

	if (a->status == DNS_TEMPFAIL || a->status == DNS_BAD)
		list_failed(s, l, q->order);
	dns_break_result(l->bl.zone, a);
	buf_init(&v);
	for (i = 0; a->status == DNS_OK && i < a->n; i++) {
		buf_reset(&v);
		if (l->kind == K_RBL || l->kind == K_RBLWL)
			buf_printf(&v, "%s%s", a->rr[i].text, q->evidence);
		else
			buf_adds(&v, q->evidence);
		h.s = s;
		h.order = q->order;
		h.value = v.s;
		h.prefix = q->evidence[0] == '@' ? l->bl.prefix : NULL;
		switch (dnsbl_code_hop(&l->bl, a->rr[i].addr, q->last,
		    hit_symbol, &h)) {
		case DNSBL_BLOCKED:
			add_finding(s, q->order, "RBL_BLOCKED", l->bl.zone);
			dnsbl_blocked(&l->bl, a->rr[i].text);
			break;
		case DNSBL_IGNORED:
			if (!l->bl.warned++)
				xd_warnx("%s answers %s, not in 127.0.0.0/8: "
				    "ignored (does the resolver rewrite "
				    "NXDOMAIN?)", l->bl.zone, a->rr[i].text);
			break;
		default:
			break;
		}
	}
	buf_free(&v);
	free(q);
}

static void
ask(struct dns_line *dl, const struct list *l, size_t order,
    const char *name, const char *evidence, int last)
{
	struct lq *q;
	char *qname;

	if (dns_break_open(l->bl.zone)) {
		char sym[32];

		snprintf(sym, sizeof(sym), "%sSKIPPED", l->bl.prefix);
		add_finding(dns_line_state(dl), order, sym, l->bl.zone);
		return;
	}
	xasprintf(&qname, "%s.%s", name, l->bl.zone);
	if (strlen(qname) > DNS_MAX_NAME) {
		free(qname);
		return;
	}
	q = xmalloc(sizeof(*q));
	q->l = l;
	q->order = order;
	q->last = last;
	snprintf(q->evidence, sizeof(q->evidence), "%s", evidence);
	dns_line_query(dl, qname, DNS_A, list_answer, q);
	free(qname);
}

/*
 * Ask every IP list about ip; deep relays say which in the evidence.
 * last: ip is the last external hop, where end-user addresses (the
 * PBL) may be judged.
 */
static void
ask_ip(struct dns_line *dl, struct state *s, const char *iptext, int deep,
    int last)
{
	char rev[DNS_MAX_NAME + 2], evidence[RELAY_MAX_IP + 2];
	struct cidr ip;
	size_t i;

	if (ip_parse(iptext, &ip) != 0 || ip_is_special(&ip) ||
	    dns_reverse(&ip, "", rev, sizeof(rev)) != 0)
		return;
	snprintf(evidence, sizeof(evidence), "%s%s", deep ? "@" : "",
	    deep ? iptext : "");
	for (i = 0; i < s->r->nlists; i++) {
		const struct list *l = &s->r->lists[i];

		if ((l->kind != K_RBL && l->kind != K_RBLWL) ||
		    !(l->bl.flags & (ip.family == AF_INET ? DNSBL_V4 :
		    DNSBL_V6)))
			continue;
		ask(dl, l, i, rev, evidence, last);
	}
}

/*
 * The domain a fact names, for the domain lists: the part after '@' of
 * an address, or a HELO name that is not an address; then its
 * registered domain by the Public Suffix List.
 */
static int
domain_of(const char *v, int helo, char *out)
{
	const char *at = strrchr(v, '@'), *reg;
	char name[DNS_MAX_NAME + 2];
	struct cidr ip;
	size_t i, n;

	if (!helo) {
		if (at == NULL)
			return -1;
		v = at + 1;
	} else if (*v == '[' || ip_parse(v, &ip) == 0)
		return -1;
	n = strlen(v);
	if (n > 0 && v[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_MAX_NAME)
		return -1;
	for (i = 0; i < n; i++)
		name[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
	name[n] = '\0';
	if (strchr(name, '.') == NULL || !dns_name_ok(name))
		return -1;
	reg = url_domain(name);
	strcpy(out, reg ? reg : name);
	return 0;
}

static void
ask_domains(struct dns_line *dl, struct state *s, struct rec *rec)
{
	static const struct {
		const char	*fact;
		unsigned	 flag;
	} facts[] = {
		{ "mailfrom", DNSBL_MAILFROM }, { "from", DNSBL_FROM },
		{ "helo", DNSBL_HELO },
	};
	char dom[3][DNS_MAX_NAME + 2];
	int have[3] = { 0, 0, 0 };
	struct buf v;
	size_t i, j, k;

	buf_init(&v);
	for (j = 0; j < 3; j++)
		if (rec_get(rec, facts[j].fact, &v) && v.s != NULL)
			have[j] = domain_of(v.s, j == 2, dom[j]) == 0;
	buf_free(&v);
	for (i = 0; i < s->r->nlists; i++) {
		const struct list *l = &s->r->lists[i];

		if (l->kind != K_RHSBL && l->kind != K_RHSWL)
			continue;
		for (j = 0; j < 3; j++) {
			if (!have[j] || !(l->bl.flags & facts[j].flag))
				continue;
			for (k = 0; k < j; k++)	/* each domain once */
				if (have[k] && (l->bl.flags & facts[k].flag) &&
				    strcmp(dom[k], dom[j]) == 0)
					break;
			if (k == j)
				ask(dl, l, i, dom[j], dom[j], 1);
		}
	}
}

/* --- forward-confirmed reverse DNS ------------------------------------ */

static void
fwd_answer(struct dns_line *dl, const struct dns_answer *a, void *arg)
{
	struct state *s = dns_line_state(dl);
	size_t idx = (size_t)(uintptr_t)arg, i;
	size_t len = s->ip.family == AF_INET ? 4 : 16;

	if (a->status == DNS_TEMPFAIL || a->status == DNS_BAD)
		s->fwdfail++;
	for (i = 0; a->status == DNS_OK && i < a->n; i++)
		if (memcmp(a->rr[i].addr, s->ip.addr, len) == 0)
			s->confirmed[idx] = 1;
}

static void
ptr_answer(struct dns_line *dl, const struct dns_answer *a, void *arg)
{
	struct state *s = dns_line_state(dl);
	size_t i;

	(void)arg;
	dns_break_result(s->ip.family == AF_INET ? "in-addr.arpa" :
	    "ip6.arpa", a);
	if (a->status == DNS_NXDOMAIN || a->status == DNS_NODATA) {
		s->rdns = R_NONE;
		return;
	}
	if (a->status != DNS_OK) {
		s->rdns = R_FAIL;
		return;
	}
	s->rdns = R_NAMES;
	for (i = 0; i < a->n && s->nptr < RDNS_MAX_PTR; i++) {
		size_t k = s->nptr++;

		snprintf(s->ptr[k], sizeof(s->ptr[k]), "%s", a->rr[i].text);
		if (dns_name_ok(s->ptr[k]))
			dns_line_query(dl, s->ptr[k], s->ip.family == AF_INET ?
			    DNS_A : DNS_AAAA, fwd_answer, (void *)(uintptr_t)k);
	}
}

static void
ask_rdns(struct dns_line *dl, struct state *s, struct rec *rec)
{
	char rev[DNS_MAX_NAME + 2];
	struct buf v;

	buf_init(&v);
	if (rec_get(rec, "ip", &v) && v.s != NULL &&
	    ip_parse(v.s, &s->ip) == 0 && !ip_is_special(&s->ip) &&
	    dns_reverse(&s->ip, NULL, rev, sizeof(rev)) == 0) {
		const char *zone = s->ip.family == AF_INET ? "in-addr.arpa" :
		    "ip6.arpa";

		if (dns_break_open(zone)) {
			add_finding(s, s->r->nlists, "RBL_SKIPPED", zone);
			buf_free(&v);
			return;
		}
		snprintf(s->iptext, sizeof(s->iptext), "%s", v.s);
		s->rdns = R_ASKED;
		dns_line_query(dl, rev, DNS_PTR, ptr_answer, NULL);
	}
	buf_free(&v);
}

static int
is_dynamic(const struct rbl *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ndyn; i++)
		if (regexec(&r->dyn[i], name, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static void
rdns_findings(struct state *s, size_t order)
{
	const char *name = NULL;
	size_t i;

	switch (s->rdns) {
	case R_NONE:
		add_finding(s, order, "RDNS_NONE", s->iptext);
		return;
	case R_FAIL:
		add_finding(s, order, "RDNS_TEMPFAIL", s->iptext);
		return;
	case R_NAMES:
		break;
	default:
		return;
	}
	for (i = 0; i < s->nptr && name == NULL; i++)
		if (s->confirmed[i])
			name = s->ptr[i];
	if (name == NULL && s->fwdfail > 0) {
		add_finding(s, order, "RDNS_TEMPFAIL", s->iptext);
		return;
	}
	if (name == NULL) {
		add_finding(s, order, "RDNS_MISMATCH", s->ptr[0]);
		name = s->ptr[0];
	}
	if (is_dynamic(s->r, name))
		add_finding(s, order, "RDNS_DYNAMIC", name);
}

/* --- the line --------------------------------------------------------- */

static int
has_own(const struct rec *rec)
{
	const char *const *p;
	size_t i;

	for (i = 1; i < rec->nf; i++)
		for (p = owned; *p != NULL; p++)
			if (strncmp(rec->f[i], *p, strlen(*p)) == 0)
				return 1;
	return 0;
}

static int
start(struct dns_line *dl, struct rec *rec, void *st, void *arg)
{
	struct state *s = st;
	struct rbl *r = arg;
	struct buf v;
	char *copy, *tok, *save = NULL;
	size_t n = 0;

	s->r = r;
	if (r->keep && has_own(rec)) {
		s->r = NULL;		/* nothing to add */
		return 0;
	}
	rec_drop_prefixes(rec, owned);
	buf_init(&v);
	if (rec_get(rec, "ip", &v) && v.s != NULL)
		ask_ip(dl, s, v.s, 0, !rec_has(rec, "lastext"));
	if (r->all_relays && rec_get(rec, "relays", &v) && v.s != NULL) {
		struct buf first;

		buf_init(&first);
		rec_get(rec, "ip", &first);
		copy = xstrdup(v.s);
		for (tok = strtok_r(copy, ",", &save); tok != NULL &&
		    n < RELAY_MAX_RELAYS; tok = strtok_r(NULL, ",", &save), n++)
			if (first.s == NULL || strcmp(tok, first.s) != 0)
				ask_ip(dl, s, tok, 1, 0);
		free(copy);
		buf_free(&first);
	}
	buf_free(&v);
	ask_domains(dl, s, rec);
	if (r->rdns)
		ask_rdns(dl, s, rec);
	return 0;
}

static int
finish(struct rec *rec, void *st, void *arg)
{
	struct state *s = st;
	struct rbl *r = arg;
	size_t i;

	if (s->r == NULL)
		return 0;
	rdns_findings(s, r->nlists);
	if (s->nf > 1)
		qsort(s->f, s->nf, sizeof(*s->f), by_place);
	for (i = 0; i < s->nf; i++) {
		if (i == 0 || strcmp(s->f[i].name, s->f[i - 1].name) != 0 ||
		    strcmp(s->f[i].value, s->f[i - 1].value) != 0)
			rec_add(rec, s->f[i].name, s->f[i].value);
	}
	for (i = 0; i < s->nf; i++) {
		free(s->f[i].name);
		free(s->f[i].value);
	}
	free(s->f);
	if (r->nlists > 0 || r->rdns)
		rec_add(rec, "RBL_CHECKED", "");
	return 0;
}

/* --- set-up ----------------------------------------------------------- */

static const char *
dyn_line(void *arg, char *line, unsigned long lineno)
{
	static char why[256];
	struct rbl *r = arg;
	char *p = line;
	int rc;

	(void)lineno;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return NULL;
	r->dyn = xrealloc(r->dyn, (r->ndyn + 1) * sizeof(*r->dyn));
	if ((rc = regcomp(&r->dyn[r->ndyn], p, REG_EXTENDED | REG_ICASE |
	    REG_NOSUB)) != 0) {
		regerror(rc, &r->dyn[r->ndyn], why, sizeof(why));
		return why;
	}
	r->ndyn++;
	return NULL;
}

static int
load_dynamic(struct rbl *r)
{
	const char *conf = conf_str("rdns_dynamic");
	char *path = *conf ? xd_expand_home(conf) : xd_sharepath("rdns-dynamic");
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		xd_warn("%s", path);
		free(path);
		return -1;
	}
	rc = xd_read_lines(fp, path, RDNS_LINE, dyn_line, r);
	fclose(fp);
	free(path);
	return rc;
}

static int
yes_no(const char *key, int *out)
{
	const char *v = conf_str(key);

	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else {
		xd_warnx("%s: %s = %s: expected yes or no",
		    conf_path() ? conf_path() : "xd.conf", key, v);
		return -1;
	}
	return 0;
}

static int
load(struct rbl *r)
{
	struct dnsbl *v = NULL;
	size_t n = 0, i, k;

	for (k = 0; k < K_N; k++) {
		size_t from = n;

		if (dnsbl_load(kinds[k].key, kinds[k].prefix, kinds[k].allowed,
		    &v, &n) != 0) {
			/* r holds the lists before from, for unload() */
			for (i = from; i < n; i++)
				dnsbl_free(&v[i]);
			free(v);
			r->nlists = from;
			return -1;
		}
		r->lists = xrealloc(r->lists, n * sizeof(*r->lists) + 1);
		for (i = from; i < n; i++) {
			r->lists[i].bl = v[i];
			r->lists[i].kind = (enum kind)k;
		}
	}
	free(v);
	r->nlists = n;
	if (r->rdns && load_dynamic(r) != 0)
		return -1;
	return 0;
}

static void
unload(struct rbl *r)
{
	size_t i;

	for (i = 0; i < r->nlists; i++)
		dnsbl_free(&r->lists[i].bl);
	free(r->lists);
	for (i = 0; i < r->ndyn; i++)
		regfree(&r->dyn[i]);
	free(r->dyn);
	url_shutdown();
}

/* --- --test: RFC 5782 section 5 ----------------------------------------- */

static int
test_lists(struct rbl *r, struct dns *d, FILE *out)
{
	size_t i;
	int status = XD_EXIT_OK;

	if (r->nlists == 0)
		xd_warnx("no lists in %s", conf_path() ? conf_path() :
		    "xd.conf");
	for (i = 0; i < r->nlists; i++) {
		const struct list *l = &r->lists[i];

		if (dnsbl_test(d, &l->bl, l->kind == K_RHSBL ||
		    l->kind == K_RHSWL, out) != XD_EXIT_OK)
			status = XD_EXIT_SOME;
	}
	return status;
}

/* --- the stage: xd.conf's lists over a stream ------------------------ */

struct rbl_stage {
	struct rbl	 r;
	struct dns	*d;
	size_t		 window;
};

static void *
rbl_open(const void *arg)
{
	static const struct rbl_opts conf;
	const struct rbl_opts *o = arg != NULL ? arg : &conf;
	struct rbl_stage *st = xcalloc(1, sizeof(*st));
	const char *errstr;

	if (yes_no("rbl_all_relays", &st->r.all_relays) != 0 ||
	    yes_no("rdns_check", &st->r.rdns) != 0)
		goto bad;
	st->r.all_relays |= o->all_relays;
	st->r.keep = o->keep;
	if (o->no_rdns)
		st->r.rdns = 0;
	if (load(&st->r) != 0)
		goto bad;
	if ((st->d = dns_new(o->resolver, &errstr)) == NULL) {
		xd_warnx("resolver: %s", errstr);
		goto bad;
	}
	st->window = o->window;
	return st;
bad:
	unload(&st->r);
	free(st);
	return NULL;
}

static int
rbl_run(void *arg, FILE *in, FILE *out)
{
	struct rbl_stage *st = arg;
	struct dns_runner run;

	memset(&run, 0, sizeof(run));
	run.tool = TOOL;
	run.window = st->window;
	run.state_size = sizeof(struct state);
	run.start = start;
	run.finish = finish;
	run.arg = &st->r;
	return dns_run(st->d, in, out, &run);
}

static void
rbl_close(void *arg)
{
	struct rbl_stage *st = arg;

	dns_free(st->d);
	dns_break_save();
	unload(&st->r);
	free(st);
}

const struct stage stage_rbl = { "rbl", rbl_open, rbl_run, rbl_close };

int
rbl_test(const struct rbl_opts *opts, FILE *out)
{
	struct rbl_opts o = *opts;
	struct rbl_stage *st;
	int status;

	o.no_rdns = 1;
	if ((st = rbl_open(&o)) == NULL)
		return XD_EXIT_USAGE;
	status = test_lists(&st->r, st->d, out);
	rbl_close(st);
	return status;
}
