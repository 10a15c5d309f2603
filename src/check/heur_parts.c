/*
 * heur_parts.c - the walk over a message's parts that builds the view:
 * text decoded and rendered, links as written, charsets, attachments
 * and archives, the scripts the letters are in.
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

void
rawuri_reset(struct view *v)
{
	size_t i;

	for (i = 0; i < v->nrawuri; i++)
		free(v->rawuri[i]);
	v->nrawuri = 0;
	memset(v->rawhash, 0, sizeof(v->rawhash));
}

/* --- HTML ------------------------------------------------------------------ */

/*
 * HTML part p from the view's one reading of it (mime/htmlview.c): its
 * URLs, its links as the tags wrote them, its visible text onto p and
 * what is there but not seen.
 */
static void
read_html(struct view *v, const struct msgpart *part, struct text_para *p)
{
	const char *s = v->text.s ? v->text.s : "";
	const struct html_view *hv;
	size_t i;

	urls_html(&v->urls, part, s, v->text.len);
	hv = msgpart_html(part, s, v->text.len);
	for (i = 0; i < hv->nlinks; i++)
		if (hv->links[i].written)
			rawuri_add(v, hv->links[i].value, hv->links[i].len);
	text_para_rendered(p, hv->visible.s ? hv->visible.s : "",
	    hv->visible.len);
	v->chars += p->chars;
	v->hidden += hv->r.hidden;
	v->tiny += hv->r.tiny;
	v->samecolor += hv->r.samecolor;
	v->images += hv->r.images;
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
void
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

	return heur_tag_is(type, types);
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

	return heur_tag_is(type, types) || (name != NULL && has_extension(name,
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

int
heur_part(const struct msgpart *p, void *arg)
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
	if (is_html)
		read_html(v, p, &para);
	else {
		urls_text(&v->urls, v->text.s ? v->text.s : "", v->text.len);
		rawuri_scan(v, v->text.s ? v->text.s : "", v->text.len);
		text_render_plain(&para, v->text.s ? v->text.s : "", v->text.len);
		v->chars += para.chars;
	}
	return 0;
}

/* Letters of each script the site may not expect, in the text. */
void
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

