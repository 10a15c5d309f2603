/*
 * heur.c - what xd-heur sees of a message, and its built-in checks.
 *
 * A message is read once into a view: its text parts decoded and
 * rendered (HTML to text, with what a reader would not see counted
 * apart), the URIs of links and text, and facts about its parts.  The
 * built-in checks and the rule files both work from that view, so each
 * part is decoded once however many rules there are.  Everything has a
 * bound: bytes of text, URIs and their length, HTML nesting, archive
 * entries.
 *
 * This file: the configuration, the view of one message and the order
 * of the checks.  The view is built in heur_parts.c, read by the rules
 * through heur_ask.c; the checks are in heur_hdrs.c (the header),
 * heur_body.c (parts, links, size) and heur_sent.c (replies to mail we
 * sent, and the index of sent mail behind them).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "store/store.h"
#include "check/check.h"
#include "check/heur_int.h"

const char *const script_name[SC_NSCRIPTS] = {
	"cyrillic", "greek", "arabic", "hebrew", "thai", "devanagari",
	"hangul", "kana", "han", "armenian", "georgian"
};

/* --- small things -------------------------------------------------- */


void
heur_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Whether s is one of the NULL-ended list. */
int
heur_tag_is(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static void
strset_add(struct strset *set, const char *s)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct strset old = *set;

		set->cap = set->cap ? set->cap * 2 : 64;
		set->s = xcalloc(set->cap, sizeof(char *));
		set->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.s[i] != NULL) {
				strset_add(set, old.s[i]);
				free(old.s[i]);
			}
		free(old.s);
	}
	for (i = xd_hash(s, strlen(s)) & (set->cap - 1); set->s[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->s[i], s) == 0)
			return;
	set->s[i] = xstrdup(s);
	set->n++;
}

int
strset_has(const struct strset *set, const char *s)
{
	size_t i;

	if (set->cap == 0)
		return 0;
	for (i = xd_hash(s, strlen(s)) & (set->cap - 1); set->s[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->s[i], s) == 0)
			return 1;
	return 0;
}

static void
strset_free(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->s[i]);
	free(set->s);
	memset(set, 0, sizeof(*set));
}

/* host is domain or below it, in any case. */
static int
in_domain(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (d == 0 || h < d || strcasecmp(host + h - d, domain) != 0)
		return 0;
	return h == d || host[h - d - 1] == '.';
}

int
is_local_domain(const struct heur *h, const char *host)
{
	size_t i;

	for (i = 0; i < h->ndomains; i++)
		if (in_domain(host, h->domains[i]))
			return 1;
	return 0;
}

/* name=evidence on the line; evidence may lie in any of v's buffers. */
void
add_symbol(struct view *v, const char *name, const char *evidence)
{
	buf_reset(&v->ev);
	if (evidence != NULL)
		buf_adds(&v->ev, evidence);
	text_clean(&v->ev, EVID_MAX);
	rec_add(v->rec, name, v->ev.s ? v->ev.s : "");
}

/*
 * The address of From: into addr, its display name into name if not
 * NULL, as message_addrs(m, "From", addr, name, 1, 1000) has them: read
 * once a message, for the several checks that ask.
 */
size_t
heur_from(struct view *v, struct buf *addr, struct buf *name)
{
	if (!v->have_from) {
		v->nfrom = message_addrs(v->m, "From", &v->from, &v->fromname,
		    1, 1000);
		v->have_from = 1;
	}
	buf_reset(addr);
	if (v->from.len > 0)
		buf_add(addr, v->from.s, v->from.len);
	if (name != NULL) {
		buf_reset(name);
		if (v->fromname.len > 0)
			buf_add(name, v->fromname.s, v->fromname.len);
	}
	return v->nfrom;
}

/* --- configuration ---------------------------------------------------- */

struct lang {
	const char	*code;
	unsigned	 scripts;
};

/* Latin script is always expected: names, URLs and code are in it. */
static const struct lang langs[] = {
	{ "ru", SC_CYRILLIC }, { "uk", SC_CYRILLIC }, { "be", SC_CYRILLIC },
	{ "bg", SC_CYRILLIC }, { "sr", SC_CYRILLIC }, { "mk", SC_CYRILLIC },
	{ "kk", SC_CYRILLIC }, { "mn", SC_CYRILLIC }, { "el", SC_GREEK },
	{ "ar", SC_ARABIC }, { "fa", SC_ARABIC }, { "ur", SC_ARABIC },
	{ "he", SC_HEBREW }, { "yi", SC_HEBREW }, { "th", SC_THAI },
	{ "hi", SC_DEVANAGARI }, { "mr", SC_DEVANAGARI },
	{ "ne", SC_DEVANAGARI }, { "ko", SC_HANGUL | SC_HAN },
	{ "ja", SC_KANA | SC_HAN }, { "zh", SC_HAN }, { "hy", SC_ARMENIAN },
	{ "ka", SC_GEORGIAN }, { NULL, 0 }
};

/* "en", "pt_BR", "de-CH", "haw": ISO 639 with a region or not. */
static int
is_language_code(const char *s)
{
	size_t n = 0;

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (s[n] == '\0')
		return 1;
	if (s[n] != '_' && s[n] != '-')
		return 0;
	for (s += n + 1; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s))
			return 0;
	return 1;
}

/* The scripts of local_languages; -1 names what is not a language code. */
static int
read_languages(struct heur *h, const char **bad)
{
	const char *const *items;
	const struct lang *l;
	size_t i, n = conf_list("local_languages", &items);

	h->scripts = 0;
	for (i = 0; i < n; i++) {
		for (l = langs; l->code != NULL; l++)
			if (strncasecmp(items[i], l->code, 2) == 0 &&
			    (items[i][2] == '\0' || items[i][2] == '_' ||
			    items[i][2] == '-'))
				break;
		if (l->code != NULL) {
			h->scripts |= l->scripts;
			continue;
		}
		if (!is_language_code(items[i])) {
			*bad = items[i];
			return -1;
		}
	}
	/* set, even to Latin-only languages: the check is on */
	if (n > 0)
		h->scripts |= 1U << 31;
	return 0;
}

static const char *
read_user(void *arg, char *line, unsigned long lineno)
{
	struct heur *h = arg;
	char *p = line, *e, *at;

	(void)lineno;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '#' || *p == '\0')
		return NULL;
	for (e = p; *e != '\0' && !isspace((unsigned char)*e) && *e != '#'; e++)
		;
	at = e + strspn(e, " \t\r");
	if (*at != '\0' && *at != '#')
		return "one address or local part a line";
	*e = '\0';
	heur_lower(p);
	if ((at = strrchr(p, '@')) != NULL) {
		if (at == p || at[1] == '\0')
			return "expected an address or a local part";
		strset_add(&h->userdomains, at + 1);
	}
	strset_add(&h->users, p);
	h->have_users = 1;
	return NULL;
}

static int
read_users(struct heur *h)
{
	const char *path = conf_str("users");
	char *p;
	FILE *fp;
	int rc;

	if (*path == '\0')
		return 0;
	p = xd_expand_home(path);
	if ((fp = fopen(p, "r")) == NULL) {
		xd_warn("%s", p);
		free(p);
		return -1;
	}
	rc = xd_read_lines(fp, p, 4096, read_user, h);
	fclose(fp);
	free(p);
	return rc;
}

/* The configuration of the checks from xd.conf; NULL after a warning. */
static struct view *view_new(struct heur *);
static void view_free(struct view *);

struct heur *
heur_new(void)
{
	struct heur *h = xcalloc(1, sizeof(*h));
	const char *bad = NULL;

	h->ndomains = conf_list("local_domains", &h->domains);
	h->nexts = conf_list("restricted_attachments", &h->exts);
	h->max_hops = conf_int("max_hops");
	if (read_languages(h, &bad) != 0) {
		xd_warnx("local_languages: '%s' is not a language code", bad);
		heur_free(h);
		return NULL;
	}
	if (read_users(h) != 0) {
		heur_free(h);
		return NULL;
	}
	h->v = view_new(h);
	return h;
}

void
heur_free(struct heur *h)
{
	if (h == NULL)
		return;
	store_close(h->store);
	lookalike_free(h->look);
	view_free(h->v);
	strset_free(&h->users);
	strset_free(&h->userdomains);
	free(h);
}

/* --- one message ----------------------------------------------------------- */

static void
view_reset(struct view *v)
{
	urls_reset(&v->urls);
	rawuri_reset(v);
	buf_reset(&v->body);
	buf_reset(&v->rawbody);
	buf_reset(&v->restricted);
	buf_reset(&v->zipped);
	buf_reset(&v->encrypted);
	archive_budget_reset(&v->zipbudget);
	buf_reset(&v->charset);
	v->plain = v->html = v->attach = 0;
	v->chars = v->images = v->hidden = v->tiny = v->samecolor = 0;
	v->qp_line = 0;
	v->webpage[0] = '\0';
	v->macro[0] = '\0';
	v->undeclared[0] = '\0';
	v->unused[0] = '\0';
	v->letters = 0;
	memset(v->scripts_seen, 0, sizeof(v->scripts_seen));
	v->have_from = 0;
}

static struct view *
view_new(struct heur *h)
{
	struct view *v = xcalloc(1, sizeof(*v));

	v->h = h;
	buf_init(&v->body);
	buf_init(&v->rawbody);
	buf_init(&v->text);
	buf_init(&v->tmp);
	buf_init(&v->val);
	buf_init(&v->ev);
	buf_init(&v->restricted);
	buf_init(&v->zipped);
	buf_init(&v->encrypted);
	buf_init(&v->charset);
	buf_init(&v->from);
	buf_init(&v->fromname);
	urls_init(&v->urls);
	return v;
}

static void
view_free(struct view *v)
{
	if (v == NULL)
		return;
	buf_free(&v->body);
	buf_free(&v->rawbody);
	buf_free(&v->text);
	buf_free(&v->tmp);
	buf_free(&v->val);
	buf_free(&v->ev);
	buf_free(&v->restricted);
	buf_free(&v->zipped);
	buf_free(&v->encrypted);
	buf_free(&v->charset);
	buf_free(&v->from);
	buf_free(&v->fromname);
	urls_free(&v->urls);
	rawuri_reset(v);
	free(v->uriv);
	free(v);
}

/* Normalised links, then those written otherwise: what uri rules see. */
static const char *const *
uris(struct view *v, size_t *n)
{
	size_t i, j;

	v->uriv = xrealloc(v->uriv, (v->urls.n + v->nrawuri + 1) *
	    sizeof(char *));
	for (i = *n = 0; i < v->urls.n; i++)
		v->uriv[(*n)++] = v->urls.v[i].url;
	for (i = 0; i < v->nrawuri; i++) {
		for (j = 0; j < v->urls.n; j++)
			if (strcmp(v->rawuri[i], v->urls.v[j].url) == 0)
				break;
		if (j == v->urls.n)
			v->uriv[(*n)++] = v->rawuri[i];
	}
	return v->uriv;
}

static void
rule_hit(void *arg, const char *name, const char *ev, size_t evlen)
{
	struct view *v = arg;

	buf_reset(&v->val);
	buf_add(&v->val, ev, evlen);
	rec_add(v->rec, name, v->val.s ? v->val.s : "");
}

static void
build(struct view *v)
{
	struct text_para p;

	if (message_subject(v->m, &v->tmp, 1000) && v->tmp.len > 0) {
		text_para_init(&p, &v->body, BODY_MAX);
		text_para_text(&p, v->tmp.s, v->tmp.len);
		text_para_break(&p);
	}
	message_parts(v->m, heur_part, v);
	header_charsets(v);
	count_scripts(v);
}

/*
 * Check the message of one line: the built-in checks' HEUR_ symbols,
 * then the rules' symbols, are added to rec.  Returns 0, or -1 with
 * *why set when the message could not be read.
 */
int
heur_check(struct heur *h, struct ruleset *rs, struct rec *rec,
    const char **why)
{
	struct locator loc;
	struct view *v;
	struct rulemsg rm;
	const char *limit = NULL;

	if (rec_locate(rec, &loc, why) != 0) {
		locator_free(&loc);
		return -1;
	}
	v = h->v;
	view_reset(v);
	v->rec = rec;
	v->loc = &loc;
	if ((v->m = view_message(&loc, why)) == NULL) {
		locator_free(&loc);
		return -1;
	}
	build(v);
	check_subject(v);
	check_from(v);
	check_replyto(v);
	check_msgid(v);
	check_date(v);
	check_relays(v);
	check_from_ours(v);
	check_rcpt(v);
	check_reply(v);
	check_parts(v);
	check_size(v);
	check_gtube(v);
	check_lookalike(v);
	check_undeclared(v);
	check_rcpt_link(v);
	check_url_sender(v);
	if (rs != NULL) {
		memset(&rm, 0, sizeof(rm));
		rm.header = heur_header;
		rm.full = heur_full;
		rm.symbol = heur_symbol;
		rm.arg = v;
		rm.body = v->body.s ? v->body.s : "";
		rm.bodylen = v->body.len;
		rm.rawbody = v->rawbody.s ? v->rawbody.s : "";
		rm.rawbodylen = v->rawbody.len;
		rm.uris = uris(v, &rm.nuris);
		rm.m = v->m;
		if (rules_eval(rs, &rm, rule_hit, v, &limit) > 0)
			add_symbol(v, "HEUR_RULE_LIMIT", limit);
	}
	view_release(v->m);
	v->m = NULL;
	v->loc = NULL;
	v->rec = NULL;
	locator_free(&loc);
	return 0;
}
