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

#define PART_MAX	(256 * 1024)	/* decoded bytes of one text part */
#define BODY_MAX	(1024 * 1024)	/* rendered text of one message */
#define RAWBODY_MAX	(1024 * 1024)	/* decoded text parts, markup kept */
#define FULL_MAX	(1024 * 1024)	/* the message as stored, for full */
#define HEADER_MAX	(64 * 1024)	/* the headers of one name, joined */
#define RAWURI_MAX	200		/* links kept as written, for uri rules */
#define RAWURI_LEN	2048		/* bytes of one */
#define ZIP_MAX		(10 * 1024 * 1024)	/* bytes of an archive read */
#define ZIP_DEPTH	2		/* archives inside archives */
#define REFS_MAX	50		/* ids of References looked up */
#define RCPT_MAX	100		/* recipients compared with users */
#define ID_MAX		STORE_MAX_KEY	/* bytes of a Message-ID kept */
#define EVID_MAX	60		/* bytes of evidence on the line */
#define QP_LINE_MAX	76		/* RFC 2045 5.1 */
#define HDR8_MIN	4		/* undeclared 8-bit bytes in a header */
#define TEXT8_MIN	10		/* and in a text part */
#define RCPT_LINK_MAX	10		/* recipients looked for in the links */

/* Scripts a site may expect, from local_languages. */
enum {
	SC_CYRILLIC = 1 << 0, SC_GREEK = 1 << 1, SC_ARABIC = 1 << 2,
	SC_HEBREW = 1 << 3, SC_THAI = 1 << 4, SC_DEVANAGARI = 1 << 5,
	SC_HANGUL = 1 << 6, SC_KANA = 1 << 7, SC_HAN = 1 << 8,
	SC_ARMENIAN = 1 << 9, SC_GEORGIAN = 1 << 10, SC_NSCRIPTS = 11
};

static const char *const script_name[SC_NSCRIPTS] = {
	"cyrillic", "greek", "arabic", "hebrew", "thai", "devanagari",
	"hangul", "kana", "han", "armenian", "georgian"
};

struct strset {
	char	**s;
	size_t	 cap, n;
};

struct heur {
	const char *const *domains;	/* local_domains */
	size_t	 ndomains;
	const char *const *exts;	/* restricted_attachments */
	size_t	 nexts;
	unsigned scripts;		/* expected; 0: not checked */
	struct strset users;		/* addresses, and bare local parts */
	struct strset userdomains;
	int	 have_users;
	long long max_hops;
	struct store *store;		/* the index of sent mail */
	struct view *v;			/* the message being checked */
	int	 store_state;		/* 0 not opened yet, 1 open, -1 none */
	struct lookalike *look;		/* ICU's spoof checker, when needed */
	int	 look_state;		/* as store_state */
};

/* One message as the checks and rules see it. */
struct view {
	struct heur	*h;
	struct message	*m;
	const struct locator *loc;
	struct rec	*rec;
	struct buf	 body, rawbody, text, tmp, val, ev;
	struct urls	 urls;
	char		*rawuri[RAWURI_MAX];	/* links as written */
	size_t		 nrawuri;
	uint64_t	 rawhash[512];	/* a power of two over 2 * RAWURI_MAX */
	const char	**uriv;		/* both, for the rules */
	/* parts */
	int		 plain, html, attach;
	size_t		 chars;		/* visible characters of the text */
	size_t		 images, hidden, tiny, samecolor;
	size_t		 qp_line;	/* longest quoted-printable line */
	unsigned	 scripts_seen[SC_NSCRIPTS];
	size_t		 letters;
	struct buf	 restricted, zipped, encrypted, charset;
	char		 webpage[EVID_MAX + 1];	/* an attached web page */
	char		 macro[EVID_MAX + 1];	/* a document with macros */
	char		 undeclared[64];	/* 8-bit, no charset: a type */
	char		 unused[EVID_MAX + 1];	/* a far charset, all ASCII */
	struct archive_budget zipbudget;	/* of every zip attached */
};

/* --- small things -------------------------------------------------- */


static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Whether s is one of the NULL-ended list. */
static int
tag_is(const char *s, const char *const *list)
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

static int
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

static int
is_local_domain(const struct heur *h, const char *host)
{
	size_t i;

	for (i = 0; i < h->ndomains; i++)
		if (in_domain(host, h->domains[i]))
			return 1;
	return 0;
}

/* name=evidence on the line; evidence may lie in any of v's buffers. */
static void
add_symbol(struct view *v, const char *name, const char *evidence)
{
	buf_reset(&v->ev);
	if (evidence != NULL)
		buf_adds(&v->ev, evidence);
	text_clean(&v->ev, EVID_MAX);
	rec_add(v->rec, name, v->ev.s ? v->ev.s : "");
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
	lower(p);
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

/* --- the index of sent mail ------------------------------------------- */

/*
 * The Message-IDs of mail we sent, in the store (xd-store(5)) under the
 * table "sent": learned by --learn-sent, looked up for the In-Reply-To
 * and References of mail that comes in.
 */
static const struct store_table sent_table = {
	"sent", 2 * 366 * 86400LL, 100000
};

static struct store *
sent_store(struct heur *h, const char **why)
{
	if (h->store_state == 0) {
		h->store = store_open(NULL, why);
		h->store_state = h->store != NULL ? 1 : -1;
	} else if (h->store_state < 0)
		*why = "no store";
	return h->store;
}

/* An id as the index keys it: without <> or white space. */
static size_t
id_key(const char *s, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < ID_MAX; i++)
		if (s[i] != '<' && s[i] != '>' && s[i] != '\0' &&
		    !isspace((unsigned char)s[i]))
			out[k++] = s[i];
	out[k] = '\0';
	return k;
}

struct learn {
	struct heur	*h;
	struct store	*st;
	unsigned long	 seen, added, failed;
	struct buf	 id;
};

static int
learn_flush(struct learn *l)
{
	const char *why;
	size_t n = store_pending(l->st);

	if (n == 0)
		return 0;
	if (store_run(l->st, &why) != 0) {
		xd_warnx("%s: %s", store_url(l->st), why);
		l->failed += n;
		return -1;
	}
	l->added += n;
	return 0;
}

static void
learn_message(struct learn *l, const char *path, off_t off, off_t len)
{
	struct locator loc = { (char *)(uintptr_t)path, off, len };
	struct message *m;
	const char *why;
	char key[ID_MAX + 1];

	l->seen++;
	if ((m = message_open(&loc, &why)) == NULL) {
		xd_warnx("%s: %s", path, why);
		l->failed++;
		return;
	}
	if (message_msgid(m, "Message-ID", &l->id, ID_MAX * 2) &&
	    id_key(l->id.s, l->id.len, key) > 0)
		store_add(l->st, &sent_table, key, 1, 0, NULL);
	message_free(m);
	if (store_pending(l->st) >= 1000)
		learn_flush(l);
}

static void
learn_file(struct learn *l, const char *path)
{
	struct mbox *mb;
	off_t off, len;
	FILE *fp;
	char head[5];

	if ((fp = fopen(path, "r")) == NULL) {
		xd_warn("%s", path);
		l->failed++;
		return;
	}
	if (fread(head, 1, 5, fp) == 5 && memcmp(head, "From ", 5) == 0) {
		rewind(fp);
		mb = mbox_open(fp);
		while (mbox_next(mb, &off, &len) == 1)
			learn_message(l, path, off, len);
		mbox_close(mb);
	} else
		learn_message(l, path, 0, -1);
	fclose(fp);
}

/* One folder of a maildir: 0, or -1 if it is not there. */
static int
learn_folder(struct learn *l, const char *dir, const char *sub)
{
	struct dirent *de;
	DIR *d;
	char *p;

	xasprintf(&p, "%s/%s", dir, sub);
	d = opendir(p);
	free(p);
	if (d == NULL) {
		if (errno != ENOENT) {
			xd_warn("%s/%s", dir, sub);
			l->failed++;
		}
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&p, "%s/%s/%s", dir, sub, de->d_name);
		learn_file(l, p);
		free(p);
	}
	closedir(d);
	return 0;
}

/*
 * Learn the Message-IDs of sent mail from maildirs, mbox files or
 * message files.  Returns 0, or -1 if some could not be read or
 * written (each said on stderr).
 */
int
heur_learn_sent(struct heur *h, const char *const *paths, size_t n)
{
	struct learn l;
	struct stat st;
	const char *why;
	size_t i;
	int found;

	memset(&l, 0, sizeof(l));
	l.h = h;
	if ((l.st = sent_store(h, &why)) == NULL) {
		xd_warnx("store: %s", why);
		return -1;
	}
	buf_init(&l.id);
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			found = learn_folder(&l, paths[i], "cur") == 0;
			found |= learn_folder(&l, paths[i], "new") == 0;
			if (!found) {
				xd_warnx("%s: not a maildir (no cur/ or new/)",
				    paths[i]);
				l.failed++;
			}
		} else
			learn_file(&l, paths[i]);
	}
	learn_flush(&l);
	buf_free(&l.id);
	printf("%lu messages read, %lu ids learned into %s\n", l.seen,
	    l.added, store_url(l.st));
	return l.failed ? -1 : 0;
}

/* --- links as written --------------------------------------------------- */

/*
 * uri rules see each link twice, as SpamAssassin shows them: as url.c
 * normalises it, and as the HTML wrote it (entities decoded, nothing
 * else), since rules look for %-escapes and other hiding.
 */
static void
rawuri_add(struct view *v, const char *s, size_t n)
{
	size_t i, cap = sizeof(v->rawhash) / sizeof(v->rawhash[0]);
	uint64_t h;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || v->nrawuri >= RAWURI_MAX)
		return;
	n = utf8_cut(s, n, RAWURI_LEN);
	if ((h = xd_hash(s, n)) == 0)
		h = 1;
	for (i = h & (cap - 1); v->rawhash[i] != 0; i = (i + 1) & (cap - 1))
		if (v->rawhash[i] == h)
			return;
	v->rawhash[i] = h;
	/* all n bytes, NULs too (&#0;): xstrndup() would stop at one */
	v->rawuri[v->nrawuri] = xmalloc(n + 1);
	memcpy(v->rawuri[v->nrawuri], s, n);
	v->rawuri[v->nrawuri][n] = '\0';
	for (i = 0; i < n; i++)		/* a NUL or break would cut it */
		if (v->rawuri[v->nrawuri][i] == '\0' ||
		    v->rawuri[v->nrawuri][i] == '\n')
			v->rawuri[v->nrawuri][i] = ' ';
	v->nrawuri++;
}

/* Links written out in plain text, as they are written. */
static void
rawuri_scan(struct view *v, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *e;

	while (v->nrawuri < RAWURI_MAX && p < end &&
	    (p = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
		const char *b = p;

		while (b > s && isalpha((unsigned char)b[-1]) && p - b < 8)
			b--;
		for (e = p + 3; e < end && (unsigned char)*e > ' ' &&
		    *e != '<' && *e != '>' && *e != '"'; e++)
			;
		while (e > p + 3 && strchr(".,;:!?)]'", e[-1]) != NULL)
			e--;
		if (b < p && e > p + 3)
			rawuri_add(v, b, (size_t)(e - b));
		p = e > p + 3 ? e : p + 3;
	}
}

static void
rawuri_reset(struct view *v)
{
	size_t i;

	for (i = 0; i < v->nrawuri; i++)
		free(v->rawuri[i]);
	v->nrawuri = 0;
	memset(v->rawhash, 0, sizeof(v->rawhash));
}

/* --- HTML ------------------------------------------------------------------ */

/* A link of the HTML reading (text/htmlread.c), as the tag wrote it. */
static void
html_link(void *arg, const char *tag, const char *s, size_t n)
{
	(void)tag;
	rawuri_add(arg, s, n);
}

static void
render_html(struct view *v, struct text_para *p, const char *s, size_t n)
{
	struct html_reading r;

	memset(&r, 0, sizeof(r));
	r.link = html_link;
	r.arg = v;
	html_read(s, n, p, &r);
	v->chars += r.chars;
	v->hidden += r.hidden;
	v->tiny += r.tiny;
	v->samecolor += r.samecolor;
	v->images += r.images;
}

/* --- parts: text, attachments, charsets --------------------------------- */

struct cset {
	const char	*prefix;	/* of the charset name, lower case */
	unsigned	 scripts;
};

static const struct cset charsets[] = {
	{ "big5", SC_HAN }, { "gb2312", SC_HAN }, { "gbk", SC_HAN },
	{ "gb18030", SC_HAN }, { "hz-gb", SC_HAN }, { "euc-cn", SC_HAN },
	{ "x-gbk", SC_HAN }, { "cp936", SC_HAN }, { "cp950", SC_HAN },
	{ "iso-2022-jp", SC_KANA }, { "shift_jis", SC_KANA },
	{ "shift-jis", SC_KANA }, { "sjis", SC_KANA }, { "euc-jp", SC_KANA },
	{ "cp932", SC_KANA }, { "windows-31j", SC_KANA },
	{ "euc-kr", SC_HANGUL }, { "ks_c_5601", SC_HANGUL },
	{ "iso-2022-kr", SC_HANGUL }, { "cp949", SC_HANGUL },
	{ "koi8", SC_CYRILLIC }, { "windows-1251", SC_CYRILLIC },
	{ "cp1251", SC_CYRILLIC }, { "iso-8859-5", SC_CYRILLIC },
	{ "cp866", SC_CYRILLIC }, { "x-mac-cyrillic", SC_CYRILLIC },
	{ "iso-8859-7", SC_GREEK }, { "windows-1253", SC_GREEK },
	{ "iso-8859-6", SC_ARABIC }, { "windows-1256", SC_ARABIC },
	{ "iso-8859-8", SC_HEBREW }, { "windows-1255", SC_HEBREW },
	{ "tis-620", SC_THAI }, { "windows-874", SC_THAI },
	{ "iso-8859-11", SC_THAI }, { NULL, 0 }
};

/* A declared charset of a script the site does not expect: remember it. */
static void
check_charset(struct view *v, const char *cs, size_t n)
{
	const struct cset *c;

	if (v->h->scripts == 0 || v->charset.len > 0 || n == 0 || n > 40)
		return;
	for (c = charsets; c->prefix != NULL; c++)
		if (n >= strlen(c->prefix) &&
		    strncasecmp(cs, c->prefix, strlen(c->prefix)) == 0) {
			if ((c->scripts & v->h->scripts) == 0)
				buf_add(&v->charset, cs, n);
			return;
		}
}

/* Charsets of encoded words (=?charset?B?...?=) in the headers. */
static void
header_charsets(struct view *v)
{
	const char *name, *raw, *p, *q;
	int i;

	if (v->h->scripts == 0)
		return;
	for (i = 0; i < 200 && (raw = message_header_at(v->m, i, &name)) !=
	    NULL && v->charset.len == 0; i++)
		for (p = raw; (p = strstr(p, "=?")) != NULL; p = q) {
			p += 2;
			if ((q = strchr(p, '?')) == NULL)
				break;
			check_charset(v, p, (size_t)(q - p));
		}
}

/* Whether a file name ends in one of n extensions ("exe" or ".exe"). */
static int
has_extension(const char *name, const char *const *exts, size_t n)
{
	const char *dot;
	char tmp[256];
	size_t len = strlen(name), i;

	/* "x.exe ", "x.exe." open as x.exe on some systems */
	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '.'))
		len--;
	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	if ((dot = strrchr(tmp, '.')) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcasecmp(dot + 1, exts[i] + (exts[i][0] == '.')) == 0)
			return 1;
	return 0;
}

static int
restricted_name(const struct heur *h, const char *name)
{
	return has_extension(name, h->exts, h->nexts);
}

/* A web page sent as a file: it opens in a browser, outside the mail. */
static int
webpage_name(const char *name)
{
	static const char *const exts[] = { "htm", "html", "shtml", "xhtml",
	    "svg" };

	return has_extension(name, exts, sizeof(exts) / sizeof(exts[0]));
}

static int
restricted_type(const char *type)
{
	static const char *const types[] = {
		"application/x-msdownload", "application/x-msdos-program",
		"application/x-ms-dos-executable", "application/x-dosexec",
		"application/x-executable", "application/x-msi",
		"application/vnd.microsoft.portable-executable",
		"application/hta", "application/x-ms-shortcut",
		"application/java-archive", "application/x-java-archive",
		"application/x-javascript", "application/x-vbscript", NULL
	};

	return tag_is(type, types);
}

/* An archive to open: zip, rar, 7z, tar and its compressed forms, cab, lha. */
static int
is_zip(const char *type, const char *name)
{
	static const char *const types[] = {
		"application/zip", "application/x-zip-compressed",
		"application/x-zip", "application/x-rar-compressed",
		"application/vnd.rar", "application/x-rar",
		"application/x-7z-compressed", "application/x-tar",
		"application/gzip", "application/x-gzip",
		"application/x-gtar", "application/x-compressed-tar",
		"application/vnd.ms-cab-compressed", "application/x-lzh",
		"application/x-lha", NULL
	};
	static const char *const exts[] = { "zip", "rar", "7z", "tar", "tgz",
	    "gz", "tbz", "tbz2", "bz2", "txz", "xz", "cab", "lzh", "lha", "r00" };

	return tag_is(type, types) || (name != NULL && has_extension(name,
	    exts, sizeof(exts) / sizeof(exts[0])));
}

/* One entry of an attached zip: a program in it, or a zip to open. */
struct zipwalk {
	struct view	*v;
	const char	*zipname;
};

static int
zip_entry(const char *path, int encrypted, int depth, void *arg)
{
	struct zipwalk *zw = arg;
	struct view *v = zw->v;

	(void)depth;
	if (encrypted && v->encrypted.len == 0)
		buf_adds(&v->encrypted, zw->zipname);
	if (restricted_name(v->h, path) && v->zipped.len == 0) {
		buf_printf(&v->zipped, "%s:%s", zw->zipname, path);
		return 0;
	}
	return is_zip("", path) && !encrypted;
}

static void
check_attachment(struct view *v, const struct msgpart *p)
{
	const char *name = p->filename;

	if (v->webpage[0] == '\0' && name != NULL && webpage_name(name))
		snprintf(v->webpage, sizeof(v->webpage), "%s", name);
	if (v->macro[0] == '\0' && attach_macro_name(name))
		snprintf(v->macro, sizeof(v->macro), "%s", name);
	if (v->restricted.len == 0 && ((name != NULL &&
	    restricted_name(v->h, name)) || restricted_type(p->type)))
		buf_adds(&v->restricted, name != NULL ? name : p->type);
	if (is_zip(p->type, name) && v->zipped.len == 0) {
		buf_reset(&v->tmp);
		if (msgpart_data(p, &v->tmp, ZIP_MAX) == 0) {
			struct zipwalk zw = { v, name != NULL ? name : p->type };

			archive_walk(&v->zipbudget, v->tmp.s ? v->tmp.s : "",
			    v->tmp.len, ZIP_DEPTH, zip_entry, &zw);
		}
	}
}

/* A charset of a far script, not one of its 7-bit encodings. */
static int
far_charset(const char *cs)
{
	const struct cset *c;

	if (cs == NULL || strncasecmp(cs, "iso-2022", 8) == 0 ||
	    strncasecmp(cs, "hz-gb", 5) == 0)
		return 0;
	for (c = charsets; c->prefix != NULL; c++)
		if (strncasecmp(cs, c->prefix, strlen(c->prefix)) == 0)
			return 1;
	return 0;
}

/* A text part in a charset of a far script, all of it ASCII. */
static void
part_unused(struct view *v, const struct msgpart *p)
{
	if (v->unused[0] != '\0' || p->attachment || !far_charset(p->charset))
		return;
	buf_reset(&v->tmp);
	if (msgpart_data(p, &v->tmp, PART_MAX) == 0 && charset8_unused(v->tmp.s ?
	    v->tmp.s : "", v->tmp.len, strcmp(p->type, "text/html") == 0))
		snprintf(v->unused, sizeof(v->unused), "%s", p->charset);
}

/* A text part in US-ASCII, said or by default, with 8-bit bytes. */
static void
part_undeclared(struct view *v, const struct msgpart *p)
{
	if (v->undeclared[0] != '\0' || p->attachment || (p->charset != NULL &&
	    strcasecmp(p->charset, "us-ascii") != 0 &&
	    strcasecmp(p->charset, "ascii") != 0))
		return;
	buf_reset(&v->tmp);
	if (msgpart_data(p, &v->tmp, PART_MAX) == 0 && charset8_count(v->tmp.s ?
	    v->tmp.s : "", v->tmp.len, TEXT8_MIN) >= TEXT8_MIN)
		snprintf(v->undeclared, sizeof(v->undeclared), "%s", p->type);
}

static int
view_part(const struct msgpart *p, void *arg)
{
	struct view *v = arg;
	struct msgpart page;
	struct text_para para;
	int is_html;
	size_t q;

	if (p->is_message)
		return 0;
	if (p->attachment)
		v->attach++;
	if (p->attachment || strncmp(p->type, "text/", 5) != 0)
		check_attachment(v, p);
	if (strncmp(p->type, "text/", 5) != 0) {
		/* a web page sent as octet-stream still opens as one */
		if (p->filename == NULL || !webpage_name(p->filename))
			return 0;
		page = *p;
		snprintf(page.type, sizeof(page.type), "text/html");
		p = &page;
	}
	is_html = strcmp(p->type, "text/html") == 0;
	if (p->charset != NULL)
		check_charset(v, p->charset, strlen(p->charset));
	part_undeclared(v, p);
	part_unused(v, p);
	if (v->qp_line <= QP_LINE_MAX && (q = msgpart_qp_line(p, PART_MAX)) >
	    v->qp_line)
		v->qp_line = q;
	if (!p->attachment) {
		if (is_html)
			v->html = 1;
		else if (strcmp(p->type, "text/plain") == 0)
			v->plain = 1;
	}
	if (v->body.len >= BODY_MAX && v->rawbody.len >= RAWBODY_MAX)
		return 0;
	if (msgpart_text(p, &v->text, PART_MAX) != 0)
		return 0;
	if (v->rawbody.len < RAWBODY_MAX) {
		size_t room = RAWBODY_MAX - v->rawbody.len;

		buf_add(&v->rawbody, v->text.s ? v->text.s : "",
		    utf8_cut(v->text.s ? v->text.s : "", v->text.len, room));
		buf_addc(&v->rawbody, '\n');
	}
	text_para_init(&para, &v->body, BODY_MAX);
	if (is_html) {
		urls_html(&v->urls, v->text.s ? v->text.s : "", v->text.len);
		render_html(v, &para, v->text.s ? v->text.s : "", v->text.len);
	} else {
		urls_text(&v->urls, v->text.s ? v->text.s : "", v->text.len);
		rawuri_scan(v, v->text.s ? v->text.s : "", v->text.len);
		text_render_plain(&para, v->text.s ? v->text.s : "", v->text.len);
		v->chars += para.chars;
	}
	return 0;
}

/* Letters of each script the site may not expect, in the text. */
static void
count_scripts(struct view *v)
{
	const unsigned char *s = (const unsigned char *)v->body.s;
	size_t i, n = v->body.len;
	unsigned c;

	if (v->h->scripts == 0 || s == NULL)
		return;
	for (i = 0; i < n; ) {
		if (s[i] < 0x80) {
			if (isalpha(s[i]))
				v->letters++;
			i++;
			continue;
		}
		if (s[i] >= 0xe0 && s[i] < 0xf0 && i + 2 < n) {
			c = (unsigned)(s[i] & 0x0f) << 12 |
			    (unsigned)(s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);
			i += 3;
		} else if (s[i] >= 0xc0 && s[i] < 0xe0 && i + 1 < n) {
			c = (unsigned)(s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f);
			i += 2;
		} else {
			i++;
			continue;
		}
		v->letters++;
		if (c >= 0x400 && c < 0x530) v->scripts_seen[0]++;
		else if (c >= 0x370 && c < 0x400) v->scripts_seen[1]++;
		else if (c >= 0x600 && c < 0x700) v->scripts_seen[2]++;
		else if (c >= 0x590 && c < 0x600) v->scripts_seen[3]++;
		else if (c >= 0xe00 && c < 0xe80) v->scripts_seen[4]++;
		else if (c >= 0x900 && c < 0x980) v->scripts_seen[5]++;
		else if ((c >= 0xac00 && c < 0xd7b0) || (c >= 0x1100 &&
		    c < 0x1200) || (c >= 0x3130 && c < 0x3190))
			v->scripts_seen[6]++;
		else if (c >= 0x3040 && c < 0x3100) v->scripts_seen[7]++;
		else if ((c >= 0x4e00 && c < 0xa000) || (c >= 0x3400 &&
		    c < 0x4dc0))
			v->scripts_seen[8]++;
		else if (c >= 0x530 && c < 0x590) v->scripts_seen[9]++;
		else if (c >= 0x10a0 && c < 0x1100) v->scripts_seen[10]++;
		else if (c >= 0x2000 && c < 0x3040)
			v->letters--;	/* punctuation and symbols */
	}
}

/* --- what rules ask of the message ------------------------------------- */

static void
join(struct buf *out, const char *s, size_t n)
{
	if (out->len > 0)
		buf_addc(out, '\n');
	if (out->len + n > HEADER_MAX)
		n = utf8_cut(s, n, HEADER_MAX > out->len ? HEADER_MAX - out->len : 0);
	buf_add(out, s, n);
}

/* A raw value as :raw shows it: no leading blanks, no final newline. */
static void
join_raw(struct buf *out, const char *raw)
{
	size_t n;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	n = strlen(raw);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	join(out, raw, n);
}

static size_t
headers_named(struct view *v, const char *name, int raw, struct buf *out)
{
	const char *val;
	size_t count = 0;
	int pos = 0;

	while ((val = message_header_next(v->m, name, &pos)) != NULL) {
		count++;
		if (out == NULL)
			continue;
		if (raw)
			join_raw(out, val);
		else {
			message_header_decode(val, &v->tmp, HEADER_MAX);
			join(out, v->tmp.s ? v->tmp.s : "", v->tmp.len);
		}
	}
	return count;
}

/* ALL: every header, "Name: value" a line, decoded or raw. */
static size_t
headers_all(struct view *v, int raw, struct buf *out)
{
	const char *name, *val;
	int i;

	for (i = 0; (val = message_header_at(v->m, i, &name)) != NULL; i++) {
		if (out == NULL)
			continue;
		buf_reset(&v->val);
		buf_printf(&v->val, "%s: ", name);
		if (raw) {
			while (*val == ' ' || *val == '\t')
				val++;
			buf_adds(&v->val, val);
			while (v->val.len > 0 && v->val.s[v->val.len - 1] == '\n')
				v->val.s[--v->val.len] = '\0';
		} else {
			message_header_decode(val, &v->tmp, HEADER_MAX);
			buf_add(&v->val, v->tmp.s ? v->tmp.s : "", v->tmp.len);
		}
		join(out, v->val.s, v->val.len);
	}
	return (size_t)i;
}

/* The word after " by " in a Received: value, for by= of the relays. */
static void
received_by(const char *v, char *out, size_t cap)
{
	const char *p = v, *e;
	size_t n;

	out[0] = '\0';
	while ((p = strstr(p, "by")) != NULL) {
		if ((p == v || isspace((unsigned char)p[-1])) &&
		    isspace((unsigned char)p[2]))
			break;
		p += 2;
	}
	if (p == NULL)
		return;
	for (p += 2; isspace((unsigned char)*p); p++)
		;
	for (e = p; *e != '\0' && !isspace((unsigned char)*e) && *e != ';' &&
	    *e != '(' && *e != ')'; e++)
		;
	n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/*
 * SpamAssassin's X-Spam-Relays-* pseudo-headers from the Received:
 * chain: "[ ip=... rdns=... helo=... by=... ident= envfrom= intl=0
 * id= auth= msa=0 ]" for each relay, the newest first.  Untrusted and
 * External are the relays outside trusted_networks, Trusted and
 * Internal the ones inside.
 */
static size_t
relays(struct view *v, int trusted, struct buf *out)
{
	struct relay r;
	const char *val;
	char by[RELAY_MAX_NAME];
	size_t count = 0;
	int pos = 0, n = 0, in;

	while ((val = message_header_next(v->m, "Received", &pos)) != NULL &&
	    n++ < RELAY_MAX_HEADERS) {
		if (received_parse(val, &r) != 0 || r.local)
			continue;
		in = received_trusted(&r.addr) || ip_is_special(&r.addr);
		if (in != trusted)
			continue;
		count++;
		if (out == NULL)
			continue;
		received_by(val, by, sizeof(by));
		if (out->len > 0)
			buf_addc(out, ' ');
		buf_printf(out, "[ ip=%s rdns=%s helo=%s by=%s ident= envfrom= "
		    "intl=%d id= auth= msa=0 ]", r.ip, r.rdns, r.helo, by,
		    trusted);
	}
	return count;
}

/* The envelope sender: the first Return-Path:, else the From_ line's. */
static size_t
envelope_from(struct view *v, struct buf *out)
{
	const char *raw, *lt, *gt;
	int pos = 0;

	if ((raw = message_header_next(v->m, "Return-Path", &pos)) != NULL) {
		if (out == NULL)
			return 1;
		if ((lt = strchr(raw, '<')) != NULL &&
		    (gt = strchr(lt, '>')) != NULL)
			buf_add(out, lt + 1, (size_t)(gt - lt - 1));
		else
			join_raw(out, raw);
		text_clean(out, HEADER_MAX);
		return 1;
	}
	if (message_envelope(v->m) == NULL)
		return 0;
	if (out != NULL)
		buf_adds(out, message_envelope(v->m));
	return 1;
}

/* Names of their own, written exactly so (any other case is a header). */
static size_t
view_header(void *arg, const char *name, int raw, struct buf *out)
{
	struct view *v = arg;

	if (out != NULL)
		buf_reset(out);
	if (strcmp(name, "ALL") == 0)
		return headers_all(v, raw, out);
	if (strcmp(name, "ToCc") == 0)
		return headers_named(v, "To", raw, out) +
		    headers_named(v, "Cc", raw, out);
	if (strcmp(name, "MESSAGEID") == 0)
		return headers_named(v, "Message-ID", raw, out) +
		    headers_named(v, "Resent-Message-ID", raw, out) +
		    headers_named(v, "X-Message-ID", raw, out);
	if (strcmp(name, "EnvelopeFrom") == 0)
		return envelope_from(v, out);
	if (strcmp(name, "X-Spam-Relays-Untrusted") == 0 ||
	    strcmp(name, "X-Spam-Relays-External") == 0)
		return relays(v, 0, out) > 0;
	if (strcmp(name, "X-Spam-Relays-Trusted") == 0 ||
	    strcmp(name, "X-Spam-Relays-Internal") == 0)
		return relays(v, 1, out) > 0;
	return headers_named(v, name, raw, out);
}

/* The message as it is stored, without an mbox From_ line. */
static void
view_full(void *arg, struct buf *out)
{
	struct view *v = arg;
	const struct locator *loc = v->loc;
	size_t want = FULL_MAX, skip = 0;
	ssize_t got;
	char *nl;
	int fd;

	if (loc->length >= 0 && (off_t)want > loc->length)
		want = (size_t)loc->length;
	if ((fd = open(loc->path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	buf_grow(out, want + 1);
	got = pread(fd, out->s, want, loc->offset);
	close(fd);
	if (got <= 0)
		return;
	out->len = (size_t)got;
	out->s[out->len] = '\0';
	if (mbox_is_from_line(out->s, out->len) &&
	    (nl = memchr(out->s, '\n', out->len)) != NULL)
		skip = (size_t)(nl - out->s) + 1;
	memmove(out->s, out->s + skip, out->len - skip + 1);
	out->len -= skip;
}

/* How many fields called name the line has: for metas over them. */
static int
view_symbol(void *arg, const char *name)
{
	struct view *v = arg;
	size_t i, n = strlen(name);
	int count = 0;

	for (i = 1; i < v->rec->nf; i++)
		if (strncmp(v->rec->f[i], name, n) == 0 &&
		    v->rec->f[i][n] == '=')
			count++;
	return count;
}

/* --- the built-in checks ---------------------------------------------------- */

/* Subject: missing or blank; mostly symbols; shouting; !!! */
static void
check_subject(struct view *v)
{
	const char *s, *p;
	size_t letters = 0, upper = 0, nonspace = 0, special = 0, bangs = 0;
	size_t run = 0, maxrun = 0;
	int runbang = 0, bangrun = 0, found;

	if ((found = message_subject(v->m, &v->tmp, 1000)) == 2)
		add_symbol(v, "HEUR_CHARSET_UNKNOWN", "subject");
	if (!found || v->tmp.len == 0) {
		add_symbol(v, "HEUR_NO_SUBJECT", NULL);
		return;
	}
	s = v->tmp.s;
	/* the replies and forwards and list tags people add are not shouting */
	for (;;) {
		while (*s == ' ')
			s++;
		if (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "fw:", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "fwd:", 4) == 0)
			s += 4;
		else if (*s == '[' && (p = strchr(s, ']')) != NULL && p - s < 40)
			s = p + 1;
		else
			break;
	}
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '!' || c == '?') {
			bangs += c == '!';
			runbang |= c == '!';
			if (++run > maxrun && runbang) {
				maxrun = run;
				bangrun = 1;
			}
		} else
			run = 0, runbang = 0;
		if (c == ' ' || (c & 0xc0) == 0x80)
			continue;
		nonspace++;
		if (isalpha(c))
			letters++, upper += isupper(c) != 0;
		else if (c < 0x80 && !isdigit(c))
			special++;
	}
	if (nonspace >= 5 && special * 2 > nonspace)
		add_symbol(v, "HEUR_SUBJ_SYMBOLS", s);
	if (letters >= 8 && upper * 10 >= letters * 9)
		add_symbol(v, "HEUR_SUBJ_ALL_CAPS", s);
	if ((bangrun && maxrun >= 3) || bangs >= 4)
		add_symbol(v, "HEUR_SUBJ_BANG", s);
}

/* A display name that shows an address other than the real one. */
static void
check_from(struct view *v)
{
	const char *p, *e, *at;
	struct buf *name = &v->text;

	buf_reset(name);
	if (message_addrs(v->m, "From", &v->tmp, name, 1, 1000) == 0) {
		add_symbol(v, "HEUR_NO_FROM", NULL);
		return;
	}
	if (name->len == 0) {
		add_symbol(v, "HEUR_FROM_NO_NAME", v->tmp.s);
		return;
	}
	for (at = name->s; (at = strchr(at, '@')) != NULL; at++) {
		for (p = at; p > name->s && !strchr(" <>\"'()[],;:", p[-1]); p--)
			;
		for (e = at + 1; *e != '\0' && !strchr(" <>\"'()[],;:", *e); e++)
			;
		if (p == at || e == at + 1 || memchr(at + 1, '.',
		    (size_t)(e - at - 1)) == NULL)
			continue;
		if ((size_t)(e - p) != v->tmp.len ||
		    strncasecmp(p, v->tmp.s, v->tmp.len) != 0) {
			buf_reset(&v->val);
			buf_add(&v->val, p, (size_t)(e - p));
			add_symbol(v, "HEUR_FROM_NAME_ADDR", v->val.s);
			return;
		}
	}
}

/* Message-ID: there, and <left@right> with nothing else. */
static void
check_msgid(struct view *v)
{
	const char *raw, *p, *at;
	int pos = 0;
	size_t n;

	if ((raw = message_header_next(v->m, "Message-ID", &pos)) == NULL) {
		add_symbol(v, "HEUR_NO_MSGID", NULL);
		return;
	}
	while (isspace((unsigned char)*raw))
		raw++;
	n = strlen(raw);
	while (n > 0 && isspace((unsigned char)raw[n - 1]))
		n--;
	if (n < 5 || raw[0] != '<' || raw[n - 1] != '>')
		goto bad;
	for (p = raw + 1, at = NULL; p < raw + n - 1; p++) {
		if (*p == '@') {
			if (at != NULL)
				goto bad;
			at = p;
		} else if (*p == '<' || *p == '>' || isspace((unsigned char)*p) ||
		    (unsigned char)*p < ' ')
			goto bad;
	}
	if (at == NULL || at == raw + 1 || at == raw + n - 2)
		goto bad;
	return;
bad:
	buf_reset(&v->tmp);
	buf_add(&v->tmp, raw, n);
	add_symbol(v, "HEUR_MSGID_BAD", v->tmp.s);
}

/*
 * When the message came: the date of the Received: header our side
 * wrote for the first relay outside trusted_networks; else of the
 * newest Received: header with a date.  An archived message is judged
 * against when it arrived, not against today; a message no MTA dated
 * (written by hand, or stripped) is not judged: -1.
 */
static time_t
arrival(struct view *v)
{
	struct relay r;
	const char *val, *semi;
	time_t t, newest = 0;
	int pos = 0, n = 0, have = 0;

	while ((val = message_header_next(v->m, "Received", &pos)) != NULL &&
	    n++ < RELAY_MAX_HEADERS) {
		if ((semi = strrchr(val, ';')) == NULL ||
		    message_date_parse(semi + 1, &t) != 0)
			continue;
		if (!have) {
			newest = t;
			have = 1;
		}
		if (received_parse(val, &r) == 0 && !r.local &&
		    !received_trusted(&r.addr) &&
		    !ip_is_special(&r.addr))
			return t;
	}
	return have ? newest : (time_t)-1;
}

/* An Outlook Message-ID whose time is neither the Date: nor arrival. */
static void
check_msgid_time(struct view *v, time_t date, time_t arrived)
{
	const char *id;
	int pos = 0;

	if ((id = message_header_next(v->m, "Message-ID", &pos)) != NULL &&
	    msgid_outlook_time_bad(id, date, arrived))
		add_symbol(v, "HEUR_MSGID_OUTLOOK_TIME", id);
}

#define DATE_FUTURE	(12 * 3600)	/* ahead of arrival, zones and all */
#define DATE_PAST	(4 * 86400)	/* before arrival */
#define DATE_AHEAD	(6 * 3600)	/* more than any zone's mistake */

static void
check_date(struct view *v)
{
	const char *raw;
	time_t t, ref;
	int pos = 0;
	long long d;

	if ((raw = message_header_next(v->m, "Date", &pos)) == NULL) {
		add_symbol(v, "HEUR_NO_DATE", NULL);
		return;
	}
	message_header_decode(raw, &v->tmp, 200);
	if (!message_date_valid(v->tmp.s))
		add_symbol(v, "HEUR_DATE_BAD", v->tmp.s);
	if (message_date_parse(v->tmp.s, &t) != 0)
		return;
	ref = arrival(v);
	check_msgid_time(v, t, ref);
	if (ref == (time_t)-1)
		return;
	d = (long long)t - (long long)ref;
	if (d > DATE_AHEAD && d <= DATE_FUTURE) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldh", d / 3600);
		add_symbol(v, "HEUR_DATE_AHEAD", v->val.s);
	}
	if (d > DATE_FUTURE) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldh", d / 3600);
		add_symbol(v, "HEUR_DATE_FUTURE", v->val.s);
	} else if (-d > DATE_PAST) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldd", -d / 86400);
		add_symbol(v, "HEUR_DATE_PAST", v->val.s);
	}
}

static void
relay_mark(void *arg, const char *name, const char *evidence)
{
	add_symbol(arg, name, evidence);
}

/*
 * The relay: a HELO that lies about its address or claims to be us,
 * and what our MTA recorded of it (relaymarks.c).
 */
static void
check_relays(struct view *v)
{
	struct relays rs;
	struct cidr helo;
	char tmp[RELAY_MAX_NAME];
	const char *name = tmp;
	size_t n;

	received_walk(v->m, &rs);
	if ((long long)rs.hops > v->h->max_hops) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%u", rs.hops);
		add_symbol(v, "HEUR_MANY_HOPS", v->val.s);
	}
	relay_marks(v->m, &rs, relay_mark, v);
	if (!rs.have_first || rs.first.helo[0] == '\0')
		return;
	snprintf(tmp, sizeof(tmp), "%s", rs.first.helo);
	n = strlen(tmp);
	if (tmp[0] == '[' && n > 2 && tmp[n - 1] == ']') {
		tmp[n - 1] = '\0';
		name = tmp + 1;
		if (strncasecmp(name, "IPv6:", 5) == 0)
			name += 5;
	}
	if (ip_parse(name, &helo) == 0) {
		if (helo.family != rs.first.addr.family ||
		    memcmp(helo.addr, rs.first.addr.addr,
		    helo.family == AF_INET6 ? 16 : 4) != 0) {
			buf_reset(&v->val);
			buf_printf(&v->val, "%s/%s", rs.first.helo, rs.first.ip);
			add_symbol(v, "HEUR_HELO_IP_MISMATCH", v->val.s);
		}
	} else if (is_local_domain(v->h, rs.first.helo))
		add_symbol(v, "HEUR_HELO_OURS", rs.first.helo);
}

static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

/* Our own domain in From:, from a relay outside our networks. */
static void
check_from_ours(struct view *v)
{
	struct relays rs;

	if (v->h->ndomains == 0 ||
	    message_addrs(v->m, "From", &v->tmp, NULL, 1, 1000) == 0 ||
	    !is_local_domain(v->h, domain_of(v->tmp.s)))
		return;
	if (received_walk(v->m, &rs) == 0)
		add_symbol(v, "HEUR_FROM_OURS_UNTRUSTED", v->tmp.s);
}

/* Is addr one of the addresses of header? */
static int
addr_in(struct view *v, const char *header, const char *addr)
{
	const char *p, *e;
	size_t n = strlen(addr);

	if (message_addrs(v->m, header, &v->val, NULL, RCPT_MAX, 16384) == 0)
		return 0;
	for (p = v->val.s; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) == n && strncasecmp(p, addr, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Reply-To: another registered domain than From:.  A mailing list
 * (RFC 2369 headers) or a Reply-To: that is also a recipient, as lists
 * set it, is how it should be.
 */
static void
check_replyto(struct view *v)
{
	char from[256], to[256];

	if (message_addrs(v->m, "From", &v->tmp, NULL, 1, 1000) == 0 ||
	    *domain_of(v->tmp.s) == '\0')
		return;
	url_domain_lower(domain_of(v->tmp.s), from, sizeof(from));
	if (message_addrs(v->m, "Reply-To", &v->tmp, NULL, 1, 1000) == 0 ||
	    *domain_of(v->tmp.s) == '\0')
		return;
	if (strcmp(from, url_domain_lower(domain_of(v->tmp.s), to,
	    sizeof(to))) == 0)
		return;
	if (message_header_count(v->m, "List-Id") > 0 ||
	    message_header_count(v->m, "List-Post") > 0 ||
	    addr_in(v, "To", v->tmp.s) || addr_in(v, "Cc", v->tmp.s))
		return;
	add_symbol(v, "HEUR_REPLYTO_DIFFERS", domain_of(v->tmp.s));
}

/* One recipient: is it in our domains, and do we know it? */
static void
rcpt_one(struct view *v, const char *addr, size_t n, int *ours, int *known,
    struct buf *unknown)
{
	const struct heur *h = v->h;
	char a[512], *at;

	if (n == 0 || n >= sizeof(a))
		return;
	memcpy(a, addr, n);
	a[n] = '\0';
	lower(a);
	if ((at = strrchr(a, '@')) == NULL)
		return;
	if (!is_local_domain(h, at + 1) && !strset_has(&h->userdomains, at + 1))
		return;
	(*ours)++;
	if (strset_has(&h->users, a)) {
		(*known)++;
		return;
	}
	*at = '\0';
	if (is_local_domain(h, at + 1) && strset_has(&h->users, a))
		(*known)++;
	else if (unknown->len == 0) {
		*at = '@';
		buf_adds(unknown, a);
	}
}

static void
rcpt_list(struct view *v, const char *list, int *ours, int *known,
    struct buf *unknown, size_t *count)
{
	const char *p = list, *e;

	while (*p != '\0' && *count < RCPT_MAX) {
		e = p + strcspn(p, ",");
		rcpt_one(v, p, (size_t)(e - p), ours, known, unknown);
		(*count)++;
		p = *e ? e + 1 : e;
	}
}

/*
 * A recipient in our domains that the users file does not know, when
 * no recipient in our domains is known: mail for made-up names.
 */
static void
check_rcpt(struct view *v)
{
	static const char *const headers[] = {
		"Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc", NULL
	};
	const char *const *hd;
	struct buf unknown;
	size_t count = 0;
	int ours = 0, known = 0;

	if (!v->h->have_users)
		return;
	buf_init(&unknown);
	if (rec_get(v->rec, "rcpt", &v->val))
		rcpt_list(v, v->val.s, &ours, &known, &unknown, &count);
	for (hd = headers; *hd != NULL && count < RCPT_MAX; hd++)
		if (message_addrs(v->m, *hd, &v->tmp, NULL, RCPT_MAX, 16384) > 0)
			rcpt_list(v, v->tmp.s, &ours, &known, &unknown, &count);
	if (ours > 0 && known == 0)
		add_symbol(v, "HEUR_RCPT_UNKNOWN", unknown.s);
	buf_free(&unknown);
}

/*
 * In-Reply-To or References names a message we sent.  All the ids are
 * looked up in one batch; a store that cannot answer is said with
 * HEUR_SENT_TEMPFAIL, which weighs nothing.
 */
static void
check_reply(struct view *v)
{
	static const char *const headers[] = {
		"In-Reply-To", "References", NULL
	};
	const char *const *hd;
	const char *raw, *lt, *gt, *why;
	struct store_val got[REFS_MAX];
	char key[ID_MAX + 1], ids[REFS_MAX][ID_MAX + 1];
	struct store *st = NULL;
	int pos, i, n = 0;

	for (hd = headers; *hd != NULL; hd++) {
		pos = 0;
		if ((raw = message_header_next(v->m, *hd, &pos)) == NULL)
			continue;
		for (lt = raw; n < REFS_MAX && (lt = strchr(lt, '<')) != NULL;
		    lt = gt) {
			if ((gt = strchr(lt, '>')) == NULL)
				break;
			if (id_key(lt, (size_t)(gt - lt), key) == 0)
				continue;
			if (st == NULL && (st = sent_store(v->h, &why)) == NULL)
				return;		/* no store configured */
			memcpy(ids[n], key, sizeof(key));
			store_get(st, &sent_table, ids[n], &got[n]);
			n++;
		}
	}
	if (n == 0)
		return;
	if (store_run(st, &why) != 0) {
		add_symbol(v, "HEUR_SENT_TEMPFAIL", why);
		return;
	}
	for (i = 0; i < n; i++)
		if (got[i].last != 0) {
			add_symbol(v, "HEUR_REPLY_TO_SENT", ids[i]);
			return;
		}
}

/* What the walk over the parts found. */
static void
check_parts(struct view *v)
{
	size_t i, best = 0;
	char ev[64];

	if (v->html && !v->plain)
		add_symbol(v, "HEUR_HTML_ONLY", NULL);
	if (v->qp_line > QP_LINE_MAX) {
		snprintf(ev, sizeof(ev), "%zu", v->qp_line);
		add_symbol(v, "HEUR_MIME_QP_LONG", ev);
	}
	if (v->tiny >= 10) {
		snprintf(ev, sizeof(ev), "%zu", v->tiny);
		add_symbol(v, "HEUR_HTML_TINY_TEXT", ev);
	}
	if (v->hidden >= 20) {
		snprintf(ev, sizeof(ev), "%zu", v->hidden);
		add_symbol(v, "HEUR_HTML_HIDDEN_TEXT", ev);
	}
	if (v->samecolor >= 10) {
		snprintf(ev, sizeof(ev), "%zu", v->samecolor);
		add_symbol(v, "HEUR_HTML_SAME_COLOR", ev);
	}
	/* images with next to no text: what is said is in the pictures */
	if (v->html && v->images > 0 && v->chars < 400) {
		snprintf(ev, sizeof(ev), "%zu/%zu", v->images, v->chars);
		add_symbol(v, "HEUR_HTML_IMAGES", ev);
	}
	if (v->restricted.len > 0)
		add_symbol(v, "HEUR_ATTACH_RESTRICTED", v->restricted.s);
	if (v->zipped.len > 0)
		add_symbol(v, "HEUR_ATTACH_ZIP_RESTRICTED", v->zipped.s);
	if (v->zipbudget.hit != NULL)
		add_symbol(v, "HEUR_ARCHIVE_LIMIT", v->zipbudget.hit);
	if (v->webpage[0] != '\0')
		add_symbol(v, "HEUR_ATTACH_WEBPAGE", v->webpage);
	if (v->macro[0] != '\0')
		add_symbol(v, "HEUR_ATTACH_MACRO", v->macro);
	if (v->encrypted.len > 0)
		add_symbol(v, "HEUR_ATTACH_ZIP_ENCRYPTED", v->encrypted.s);
	if (v->charset.len > 0)
		add_symbol(v, "HEUR_CHARSET_UNEXPECTED", v->charset.s);
	for (i = 1; i < SC_NSCRIPTS; i++)
		if (v->scripts_seen[i] > v->scripts_seen[best])
			best = i;
	if (v->h->scripts != 0 && (v->h->scripts & (1U << best)) == 0 &&
	    v->scripts_seen[best] >= 20 &&
	    v->scripts_seen[best] * 10 >= v->letters)
		add_symbol(v, "HEUR_SCRIPT_UNEXPECTED", script_name[best]);
}

/* Size: over the bound, or next to no text and nothing attached. */
static void
check_size(struct view *v)
{
	char ev[32];

	if (message_flags(v->m) & MSG_TRUNCATED) {
		snprintf(ev, sizeof(ev), "%lld", (long long)message_size(v->m));
		add_symbol(v, "HEUR_SIZE_HUGE", ev);
	}
	if (v->attach > 0)
		return;
	if (v->chars == 0 && v->images == 0)
		add_symbol(v, "HEUR_BODY_EMPTY", NULL);
	else if (v->chars < 40 && v->images == 0) {
		snprintf(ev, sizeof(ev), "%zu", v->chars);
		add_symbol(v, "HEUR_BODY_TINY", ev);
	}
}

/* Links and the sender's domain that look like a brand's and are not. */
static void
check_lookalike(struct view *v)
{
	struct heur *h = v->h;
	const char *brand;
	size_t i;

	if (v->urls.n == 0 && message_header_next(v->m, "From", &(int){0}) == NULL)
		return;
	if (h->look_state == 0)
		h->look_state = (h->look = lookalike_new()) != NULL ? 1 : -1;
	if (h->look_state < 0)
		return;
	for (i = 0; i < v->urls.n; i++) {
		if ((brand = lookalike_host(h->look, v->urls.v[i].host)) == NULL)
			continue;
		buf_reset(&v->val);
		buf_printf(&v->val, "%s:%s", brand, v->urls.v[i].host);
		add_symbol(v, "HEUR_URL_LOOKALIKE", v->val.s);
		break;
	}
	if (message_addrs(v->m, "From", &v->tmp, &v->text, 1, 1000) > 0 &&
	    (brand = lookalike_host(h->look, domain_of(v->tmp.s))) != NULL) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%s:%s", brand, domain_of(v->tmp.s));
		add_symbol(v, "HEUR_FROM_LOOKALIKE", v->val.s);
	}
}

/* Subject: or From: in 8-bit bytes, no encoded word (check_charset8.c). */
static void
check_undeclared(struct view *v)
{
	static const char *const names[] = { "Subject", "From", NULL };
	const char *const *n, *raw;
	int pos;

	for (n = names; *n != NULL && v->undeclared[0] == '\0'; n++)
		for (pos = 0; (raw = message_header_next(v->m, *n, &pos)) !=
		    NULL; )
			if (charset8_count(raw, strlen(raw), HDR8_MIN) >=
			    HDR8_MIN) {
				snprintf(v->undeclared, sizeof(v->undeclared),
				    "%s", *n);
				break;
			}
	if (v->undeclared[0] != '\0')
		add_symbol(v, "HEUR_CHARSET_UNDECLARED", v->undeclared);
	if (v->unused[0] != '\0')
		add_symbol(v, "HEUR_CHARSET_UNUSED", v->unused);
}

/* Where one recipient's address is in the links: RCPT_LINK_*, the most. */
static int
rcpt_linked(struct view *v, const char *addr)
{
	size_t i;
	int where = RCPT_LINK_NONE, w;

	for (i = 0; i < v->urls.n && where < RCPT_LINK_FRAGMENT; i++)
		if ((w = rcpt_in_url(v->urls.v[i].url, addr)) > where)
			where = w;
	for (i = 0; i < v->nrawuri && where < RCPT_LINK_FRAGMENT; i++)
		if ((w = rcpt_in_url(v->rawuri[i], addr)) > where)
			where = w;
	return where;
}

/* A recipient's address in a link (check_rcpt_link.c). */
static void
check_rcpt_link(struct view *v)
{
	static const char *const headers[] = {
		"To", "Cc", "Delivered-To", "X-Original-To", NULL
	};
	const char *const *hd, *p, *e;
	char a[256], query[256] = "";
	size_t len, n = 0;
	int where;

	if (v->urls.n == 0 && v->nrawuri == 0)
		return;
	buf_reset(&v->ev);
	if (rec_get(v->rec, "rcpt", &v->val))
		buf_printf(&v->ev, "%s,", v->val.s);
	for (hd = headers; *hd != NULL; hd++)
		if (message_addrs(v->m, *hd, &v->tmp, NULL, 20, 4096) > 0)
			buf_printf(&v->ev, "%s,", v->tmp.s);
	/* each address is looked for in every link: a few are enough */
	for (p = v->ev.s ? v->ev.s : ""; *p != '\0' && n < RCPT_LINK_MAX;
	    p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((len = (size_t)(e - p)) == 0 || len >= sizeof(a))
			continue;
		memcpy(a, p, len);
		a[len] = '\0';
		lower(a);
		n++;
		if ((where = rcpt_linked(v, a)) == RCPT_LINK_FRAGMENT) {
			add_symbol(v, "HEUR_URL_RCPT_FRAGMENT", a);
			return;
		}
		if (where == RCPT_LINK_QUERY && query[0] == '\0')
			memcpy(query, a, len + 1);
	}
	if (query[0] != '\0')
		add_symbol(v, "HEUR_URL_RCPT", query);
}

/*
 * Links, and none of them in the registered domain of From:.  Mail of
 * a service links to the service; phishing links to the page it put
 * up elsewhere.  (Mail sent through a bulk mailer's tracking links
 * does this too: alone the symbol weighs nothing.)
 */
static void
check_url_sender(struct view *v)
{
	char from[256];
	const char *first = NULL;
	size_t i;

	if (v->urls.n == 0 || message_addrs(v->m, "From", &v->tmp, NULL, 1,
	    1000) == 0 || *domain_of(v->tmp.s) == '\0')
		return;
	url_domain_lower(domain_of(v->tmp.s), from, sizeof(from));
	for (i = 0; i < v->urls.n; i++) {
		if (strncmp(v->urls.v[i].url, "http", 4) != 0)
			continue;
		if (strcmp(v->urls.v[i].domain, from) == 0)
			return;
		if (first == NULL)
			first = v->urls.v[i].domain;
	}
	if (first != NULL)
		add_symbol(v, "HEUR_URL_NOT_SENDER", first);
}

/* GTUBE in the text a reader sees, or in the decoded parts. */
static void
check_gtube(struct view *v)
{
	int g;

	if ((g = gtube_find(v->rawbody.s, v->rawbody.len)) == GTUBE_NONE)
		g = gtube_find(v->body.s, v->body.len);
	if (g == GTUBE_STANDARD)
		add_symbol(v, "HEUR_GTUBE", NULL);
	else if (g == GTUBE_ADD_HEADER)
		add_symbol(v, "HEUR_GTUBE_ADD_HEADER", NULL);
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
	message_parts(v->m, view_part, v);
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
		rm.header = view_header;
		rm.full = view_full;
		rm.symbol = view_symbol;
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
