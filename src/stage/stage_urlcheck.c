/*
 * stage_urlcheck.c - the stage of xd-urlcheck(1): the links a message
 * carries: how many, to which registered domains, and what local lists
 * and DNS URI blocklists say of them.  Writes urls=, domains=, URL_*
 * and URIBL_*.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "net/net.h"
#include "stage.h"

#define TOOL		"xd-urlcheck"
#define EVIDENCE_MAX	5	/* fields of one symbol on a line */
#define URL_BOUND_MAX	1000	/* url_domains, url_lookups */

struct local {
	char		*symbol;	/* "URL_LOCAL_NAME" */
	struct hostlist	*list;
};

struct check {
	struct urls	 urls;
	struct hostlist	*shorteners;
	struct local	*local;
	size_t		 nlocal;
	struct dnsbl	*bl;		/* domain lists, then IP lists */
	size_t		 nbl, ndomlists;
	size_t		 ndomains, lookups;
	int		 keep;
	FILE		*list;		/* --urls: where the URLs go */
};

/* One symbol field to write, in the order of its place. */
struct finding {
	char		*name, *value;
	size_t		 place;
};

/* One URI blocklist question of a line. */
struct query {
	struct state	*s;
	size_t		 list;
	char		*what;		/* the domain or IP asked about */
	size_t		 place;
};

struct state {
	struct check	*c;
	struct query	*q;
	size_t		 nq;
	struct finding	*f;
	size_t		 nf;
	int		 skip;		/* --keep: nothing to ask or add */
};

static const char *const owned[] = {
	"URIBL_", "URL_", "urls=", "domains=", NULL
};


/* --- findings ---------------------------------------------------------- */

static void
add_finding(struct state *s, size_t place, const char *name,
    const char *value)
{
	struct finding *f;

	s->f = xrealloc(s->f, (s->nf + 1) * sizeof(*s->f));
	f = &s->f[s->nf++];
	f->name = xstrdup(name);
	f->value = xstrdup(value);
	f->place = place;
}

static int
by_place(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->place != y->place)
		return x->place < y->place ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Write the findings in order: each symbol once per value and at most
 * EVIDENCE_MAX times, since a score counts a symbol once anyway.
 */
static void
write_findings(struct rec *rec, struct state *s)
{
	size_t *out = xcalloc(s->nf + 1, sizeof(*out));
	size_t i, j, nout = 0, same;

	if (s->nf > 1)
		qsort(s->f, s->nf, sizeof(*s->f), by_place);
	for (i = 0; i < s->nf; i++) {
		const struct finding *f = &s->f[i];

		for (j = same = 0; j < nout; j++)
			if (strcmp(s->f[out[j]].name, f->name) == 0 &&
			    (++same >= EVIDENCE_MAX ||
			    strcmp(s->f[out[j]].value, f->value) == 0))
				break;
		if (j < nout)
			continue;
		rec_add(rec, f->name, f->value);
		out[nout++] = i;
	}
	for (i = 0; i < s->nf; i++) {
		free(s->f[i].name);
		free(s->f[i].value);
	}
	free(out);
	free(s->f);
	s->f = NULL;
	s->nf = 0;
}

/* --- what the message alone says ------------------------------------- */

/*
 * Places order the fields of a line: the local symbols by kind, then
 * the blocklists in the order of xd.conf and of the domains.
 */
enum {
	P_MANY, P_LONG, P_IP, P_MISMATCH, P_USERINFO, P_DEFANGED, P_SHORT,
	P_LOCAL
};
#define P_KEPT	((size_t)1 << 40)	/* --keep: after everything else */

static void
local_findings(struct check *c, struct state *s)
{
	const struct urls *u = &c->urls;
	const char *hit;
	char max[32];
	size_t i, j;

	if (u->flags & URLS_MANY) {
		snprintf(max, sizeof(max), "%zu", u->max);
		add_finding(s, P_MANY, "URL_MANY", max);
	}
	for (i = 0; i < u->n; i++) {
		const struct url *e = &u->v[i];
		int ip = (e->flags & URLF_IP) != 0;

		if (e->flags & URLF_CUT)
			add_finding(s, P_LONG, "URL_LONG", e->domain);
		if (ip)
			add_finding(s, P_IP, "URL_IP_HOST", e->host);
		if (e->flags & URLF_MISMATCH)
			add_finding(s, P_MISMATCH, "URL_MISMATCH", e->domain);
		if (e->flags & URLF_USERINFO)
			add_finding(s, P_USERINFO, "URL_USERINFO", e->host);
		if (e->flags & URLF_DEFANGED)
			add_finding(s, P_DEFANGED, "URL_DEFANGED", e->host);
		if (c->shorteners != NULL &&
		    hostlist_match(c->shorteners, e->host, ip) != NULL)
			add_finding(s, P_SHORT, "URL_SHORTENER", e->host);
		for (j = 0; j < c->nlocal; j++)
			if ((hit = hostlist_match(c->local[j].list, e->host,
			    ip)) != NULL)
				add_finding(s, P_LOCAL + j, c->local[j].symbol,
				    hit);
	}
}

/*
 * urls= and domains=: the first url_domains registered domains, each
 * compared with those already written only, so that this is linear in
 * the links.
 */
static void
facts(struct check *c, struct rec *rec)
{
	const struct urls *u = &c->urls;
	const char **seen = xcalloc(c->ndomains + 1, sizeof(*seen));
	struct buf b;
	size_t i, j, k = 0;

	rec_addf(rec, "urls", "%zu", u->n);
	buf_init(&b);
	for (i = 0; i < u->n && k < c->ndomains; i++) {
		if (u->v[i].flags & (URLF_IP | URLF_NODOMAIN))
			continue;
		for (j = 0; j < k; j++)
			if (strcmp(seen[j], u->v[i].domain) == 0)
				break;
		if (j < k)
			continue;
		if (k > 0)
			buf_addc(&b, ',');
		buf_adds(&b, u->v[i].domain);
		seen[k++] = u->v[i].domain;
	}
	if (k > 0)
		rec_add(rec, "domains", b.s);
	buf_free(&b);
	free(seen);
}

/* --urls: "locator URL domain flags", one URL a line. */
static void
list_urls(struct check *c, const struct rec *rec)
{
	static const struct {
		unsigned	 flag;
		const char	*word;
	} words[] = {
		{ URLF_HTML, "html" }, { URLF_TEXT, "text" },
		{ URLF_NOSCHEME, "noscheme" }, { URLF_USERINFO, "userinfo" },
		{ URLF_IP, "ip" }, { URLF_CUT, "cut" },
		{ URLF_MISMATCH, "mismatch" }, { URLF_DEFANGED, "defanged" },
	};
	const struct url *e;
	const char *sep;
	size_t i, k;

	for (i = 0; i < c->urls.n; i++) {
		e = &c->urls.v[i];
		fprintf(c->list, "%s\t%s\t%s\t", rec_locator(rec), e->url,
		    e->flags & URLF_NODOMAIN ? "-" : e->domain);
		for (k = 0, sep = ""; k < sizeof(words) / sizeof(words[0]); k++)
			if (e->flags & words[k].flag) {
				fprintf(c->list, "%s%s", sep, words[k].word);
				sep = ",";
			}
		if (e->shown != NULL)
			fprintf(c->list, "=%s", e->shown);
		fputc('\n', c->list);
	}
}

/* --- URI blocklists ---------------------------------------------------- */

struct listed {
	struct state	*s;
	struct query	*q;
	size_t		 place;
};

static void
listed_as(const char *symbol, void *arg)
{
	struct listed *l = arg;

	add_finding(l->s, l->place, symbol, l->q->what);
}

static void
on_answer(struct dns_line *dl, const struct dns_answer *a, void *arg)
{
	struct query *q = arg;
	struct state *s = q->s;
	const struct dnsbl *bl = &s->c->bl[q->list];
	struct listed l;
	size_t i;

	(void)dl;
	dns_break_result(bl->zone, a);
	if (a->status == DNS_TEMPFAIL || a->status == DNS_BAD) {
		add_finding(s, q->place, "URIBL_TEMPFAIL", bl->zone);
		return;
	}
	if (a->status != DNS_OK)
		return;
	l.s = s;
	l.q = q;
	for (i = 0; i < a->n; i++) {
		l.place = q->place + i;
		if (dnsbl_code(bl, a->rr[i].addr, listed_as, &l) ==
		    DNSBL_BLOCKED) {
			add_finding(s, q->place, "URIBL_BLOCKED", bl->zone);
			dnsbl_blocked((struct dnsbl *)(uintptr_t)bl,
			    a->rr[i].text);
		}
	}
}

/* The questions: each list of its kind on url_lookups domains and IPs. */
static void
plan(struct check *c, struct state *s)
{
	const struct urls *u = &c->urls;
	size_t max = c->lookups < u->n ? c->lookups : u->n;
	const char **what = xcalloc(max + 1, sizeof(*what));
	int *ip = xcalloc(max + 1, sizeof(*ip));
	size_t i, j, n = 0, k;

	for (i = 0; i < u->n && n < max; i++) {
		if (u->v[i].flags & URLF_NODOMAIN)
			continue;	/* a public suffix: no one's domain */
		for (j = 0; j < n; j++)
			if (strcmp(what[j], u->v[i].domain) == 0)
				break;
		if (j == n) {
			ip[n] = (u->v[i].flags & URLF_IP) != 0;
			what[n++] = u->v[i].domain;
		}
	}
	s->q = xcalloc(n * c->nbl + 1, sizeof(*s->q));
	for (k = 0; k < c->nbl; k++)
		for (j = 0; j < n; j++) {
			if ((k >= c->ndomlists) != ip[j])
				continue;
			if (ip[j] && !(c->bl[k].flags & (strchr(what[j], ':') ?
			    DNSBL_V6 : DNSBL_V4)))
				continue;
			s->q[s->nq].s = s;
			s->q[s->nq].list = k;
			s->q[s->nq].what = xstrdup(what[j]);
			/* room for the answer's records after each place */
			s->q[s->nq].place = P_LOCAL + c->nlocal +
			    (k * max + j) * DNS_MAX_RR;
			s->nq++;
		}
	free(what);
	free(ip);
}

static void
ask(struct dns_line *dl, struct state *s)
{
	char name[DNS_MAX_NAME + 2];
	struct cidr addr;
	size_t i;

	for (i = 0; i < s->nq; i++) {
		struct query *q = &s->q[i];
		const struct dnsbl *bl = &s->c->bl[q->list];

		if (q->list >= s->c->ndomlists) {
			if (ip_parse(q->what, &addr) != 0 ||
			    dns_reverse(&addr, bl->zone, name,
			    sizeof(name)) != 0)
				continue;
		} else if ((size_t)snprintf(name, sizeof(name), "%s.%s",
		    q->what, bl->zone) >= sizeof(name) || !dns_name_ok(name))
			continue;	/* too long to ask: not listed */
		if (dns_break_open(bl->zone)) {
			add_finding(s, q->place, "URIBL_SKIPPED", bl->zone);
			continue;
		}
		dns_line_query(dl, name, DNS_A, on_answer, q);
	}
}

/* --- the line ---------------------------------------------------------- */

static int
bad_message(struct rec *rec, const struct locator *loc, const char *why,
    int keep)
{
	if (strcmp(why, "unreadable") == 0)
		xd_warn("%s", loc->path);
	else
		xd_warnx("%s: %s", loc->path, why);
	if (!keep)
		rec_drop_prefixes(rec, owned);
	rec_error(rec, TOOL, why);
	return 1;
}

/*
 * --keep: the URIBL_ fields go after the local ones again, where a run
 * that asked the lists put them, so that keeping changes nothing.
 */
static void
keep_uribl(struct state *s, const struct rec *rec)
{
	struct buf name, value;
	const char *v;
	size_t i, n;

	buf_init(&name);
	buf_init(&value);
	for (i = 1; i < rec->nf; i++) {
		if (strncmp(rec->f[i], "URIBL_", 6) != 0)
			continue;
		n = rec_name(rec->f[i], &v);
		buf_reset(&name);
		buf_add(&name, rec->f[i], n);
		buf_reset(&value);
		stream_unescape(v, &value);
		add_finding(s, P_KEPT + i, name.s, value.s ? value.s : "");
	}
	buf_free(&name);
	buf_free(&value);
}

/* The local part, and the plan for the blocklists unless kept. */
static int
check_line(struct check *c, struct state *s, struct rec *rec)
{
	struct locator loc;
	struct message *m;
	const char *why;
	int keep = c->keep && rec_has(rec, "urls");
	int rc = 0;

	s->c = c;
	s->skip = keep;
	if (rec_locate(rec, &loc, &why) != 0) {
		locator_free(&loc);
		if (!keep)
			rec_drop_prefixes(rec, owned);
		rec_error(rec, TOOL, why);
		xd_warnx("%s: %s", rec_locator(rec), why);
		s->skip = 1;
		return 1;
	}
	if ((m = view_message(&loc, &why)) == NULL) {
		rc = bad_message(rec, &loc, why, keep);
		s->skip = 1;
		locator_free(&loc);
		return rc;
	}
	if (keep)
		keep_uribl(s, rec);
	rec_drop_prefixes(rec, owned);
	urls_reset(&c->urls);
	urls_message(&c->urls, m);
	view_release(m);
	locator_free(&loc);
	if (c->list != NULL)
		list_urls(c, rec);
	facts(c, rec);
	local_findings(c, s);
	write_findings(rec, s);
	if (!keep && c->nbl > 0)
		plan(c, s);
	return 0;
}

static int
start(struct dns_line *dl, struct rec *rec, void *st, void *arg)
{
	struct state *s = st;
	int rc = check_line(arg, s, rec);

	if (!s->skip)
		ask(dl, s);
	return rc;
}

static int
finish(struct rec *rec, void *st, void *arg)
{
	struct state *s = st;
	size_t i;

	(void)arg;
	write_findings(rec, s);
	for (i = 0; i < s->nq; i++)
		free(s->q[i].what);
	free(s->q);
	s->q = NULL;
	s->nq = 0;
	return 0;
}

/* Without blocklists: no resolver, the plain stream loop. */
static int
local_line(struct rec *rec, void *arg)
{
	struct state s;

	memset(&s, 0, sizeof(s));
	return check_line(arg, &s, rec);
}

/* --- --test: RFC 5782 test points ------------------------------------ */

static int
test_lists(struct check *c, struct dns *d, FILE *out)
{
	size_t i;
	int status = XD_EXIT_OK;

	if (c->nbl == 0)
		xd_warnx("no URI blocklists in %s", conf_path() ?
		    conf_path() : "xd.conf");
	for (i = 0; i < c->nbl; i++)
		if (dnsbl_test(d, &c->bl[i], i < c->ndomlists, out) != 0)
			status = XD_EXIT_SOME;
	return status;
}

/* --- set-up ------------------------------------------------------------ */

static int
load_local(struct check *c)
{
	const char *const *lines;
	size_t i, n = conf_list("url_list", &lines), k;
	char name[65], path[4096], *full;
	struct hostlist *h;
	int end;

	for (i = 0; i < n; i++) {
		end = 0;
		if (sscanf(lines[i], "%64s %4095s %n", name, path, &end) != 2 ||
		    lines[i][end] != '\0') {
			xd_warnx("%s: url_list = %s: expected NAME PATH",
			    conf_path() ? conf_path() : "xd.conf", lines[i]);
			return -1;
		}
		for (k = 0; name[k] != '\0'; k++) {
			if (!isalnum((unsigned char)name[k]) && name[k] != '_') {
				xd_warnx("%s: url_list = %s: NAME must be "
				    "letters, digits and _", conf_path() ?
				    conf_path() : "xd.conf", lines[i]);
				return -1;
			}
			name[k] = (char)toupper((unsigned char)name[k]);
		}
		full = xd_expand_home(path);
		h = hostlist_load(full);
		free(full);
		if (h == NULL)
			return -1;
		c->local = xrealloc(c->local, (c->nlocal + 1) *
		    sizeof(*c->local));
		c->local[c->nlocal].list = h;
		xasprintf(&c->local[c->nlocal].symbol, "URL_LOCAL_%s", name);
		for (k = 0; k < c->nlocal; k++)
			if (strcmp(c->local[k].symbol,
			    c->local[c->nlocal].symbol) == 0) {
				xd_warnx("%s: url_list = %s: a second list "
				    "named %s", conf_path() ? conf_path() :
				    "xd.conf", lines[i], name);
				hostlist_free(h);
				free(c->local[c->nlocal].symbol);
				return -1;
			}
		c->nlocal++;
	}
	return 0;
}

/* url_domains and url_lookups, which cost per line. */
static int
bounded(const char *key, size_t *out)
{
	long long v = conf_int(key);

	if (v > URL_BOUND_MAX) {
		xd_warnx("%s: %s = %lld: at most %d", conf_path() ?
		    conf_path() : "xd.conf", key, v, URL_BOUND_MAX);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static int
load_lists(struct check *c)
{
	const char *p = conf_str("url_shorteners");
	char *path;
	size_t i, j;

	path = *p != '\0' ? xd_expand_home(p) : xd_sharepath("shorteners");
	c->shorteners = hostlist_load(path);
	free(path);
	if (c->shorteners == NULL || load_local(c) != 0)
		return -1;
	if (dnsbl_load("uribl", "URIBL_", 0, &c->bl, &c->nbl) != 0)
		return -1;
	c->ndomlists = c->nbl;
	if (dnsbl_load("uribl_ip", "URIBL_", DNSBL_V4 | DNSBL_V6, &c->bl,
	    &c->nbl) != 0)
		return -1;
	for (i = c->ndomlists; i < c->nbl; i++)
		for (j = 0; j < c->ndomlists; j++)
			if (strcmp(c->bl[i].symbol, c->bl[j].symbol) == 0) {
				xd_warnx("%s: uribl_ip = %s: a second list "
				    "named %s", conf_path() ? conf_path() :
				    "xd.conf", c->bl[i].zone, c->bl[i].name);
				return -1;
			}
	if (bounded("url_domains", &c->ndomains) != 0 ||
	    bounded("url_lookups", &c->lookups) != 0)
		return -1;
	return 0;
}

static void
unload(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nlocal; i++) {
		hostlist_free(c->local[i].list);
		free(c->local[i].symbol);
	}
	free(c->local);
	for (i = 0; i < c->nbl; i++)
		dnsbl_free(&c->bl[i]);
	free(c->bl);
	hostlist_free(c->shorteners);
	urls_free(&c->urls);
	url_shutdown();
	message_shutdown();
}

/* --- the stage: xd.conf's lists over a stream; no lists, no DNS ----- */
static int
ask_lines(struct check *c, struct dns *d, size_t window, FILE *in, FILE *out)
{
	return dns_run(d, in, out, &(struct dns_runner){ TOOL, window,
	    sizeof(struct state), start, finish, c, 0 });
}

struct url_stage {
	struct check	 c;
	struct dns	*d;
	size_t		 window;
	size_t		 nbl;		/* the lists loaded, for unload() */
};

static void *
url_open(const void *arg)
{
	static const struct urlcheck_opts conf;
	const struct urlcheck_opts *o = arg != NULL ? arg : &conf;
	struct url_stage *st = xcalloc(1, sizeof(*st));
	const char *errstr = NULL;

	st->c.keep = o->keep;
	st->c.list = o->urls;
	st->window = o->window;
	if (load_lists(&st->c) != 0) {
		unload(&st->c);	/* the lists loaded before the bad one */
		free(st);
		return NULL;
	}
	urls_init(&st->c.urls);
	st->nbl = st->c.nbl;
	if (st->c.list != NULL)
		st->c.nbl = 0;	/* --urls asks no one */
	if (st->c.nbl == 0 ||
	    (st->d = dns_new(o->resolver, &errstr)) != NULL)
		return st;
	xd_warnx("resolver: %s", errstr);
	unload(&st->c);
	free(st);
	return NULL;
}

static int
url_run(void *arg, FILE *in, FILE *out)
{
	struct url_stage *st = arg;

	return st->d == NULL ? stream_run(in, out, TOOL, local_line, &st->c) :
	    ask_lines(&st->c, st->d, st->window, in, out);
}

static void
url_close(void *arg)
{
	struct url_stage *st = arg;

	if (st->d != NULL)
		dns_free(st->d);
	dns_break_save();	/* nothing when no list was asked */
	st->c.nbl = st->nbl;
	unload(&st->c);
	free(st);
}

const struct stage stage_urlcheck = { "urlcheck", url_open, url_run,
	url_close };

int
urlcheck_test(const struct urlcheck_opts *o, FILE *out)
{
	struct check c;
	struct dns *d;
	const char *errstr;
	int status;

	memset(&c, 0, sizeof(c));
	if (load_lists(&c) != 0)
		return XD_EXIT_USAGE;
	urls_init(&c.urls);
	if ((d = dns_new(o->resolver, &errstr)) == NULL) {
		xd_warnx("resolver: %s", errstr);
		unload(&c);
		return XD_EXIT_USAGE;
	}
	status = test_lists(&c, d, out);
	dns_free(d);
	unload(&c);
	return status;
}
