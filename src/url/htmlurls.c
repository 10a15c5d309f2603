/*
 * htmlurls.c - the URLs of HTML: links from href, src and action, anchors
 * whose text shows another domain, and the URLs of a whole message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "url/url_int.h"

#define ANCHOR_MAX	256	/* bytes of anchor text looked at */

/*
 * HTML.
 */

/* The anchor being read: its link and its text. */
struct anchor {
	ssize_t		 idx;		/* the href in the set, or -1 */
	char		 text[ANCHOR_MAX + 1];	/* and a NUL */
	size_t		 len;
	int		 over;		/* more text than fits */
};

static void
anchor_add(struct anchor *a, const char *s, size_t n)
{
	if (a->idx < 0 || a->over)
		return;
	if (n > ANCHOR_MAX - a->len) {
		a->over = 1;
		return;
	}
	memcpy(a->text + a->len, s, n);
	a->len += n;
}

/*
 * The host that anchor text shows, if the text is one URL: with a
 * scheme or "www.", and a suffix the list knows.  Bare names ("Dilbert
 * .com") are left alone: newsletters label their tracked links so.
 */
static int
shown_host(const char *s, size_t n, struct buf *host, int *is_ip)
{
	struct parts p;
	const char *h;
	size_t hl, i;
	unsigned port;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20)
			return -1;
	if (url_split(s, n, URLF_TEXT, &p) != 0 ||
	    url_split_auth(&p, &h, &hl, &port) != 0 ||
	    url_host(h, hl, host, is_ip) != 0)
		return -1;
	return *is_ip || url_known_suffix(host->s) ? 0 : -1;
}

/*
 * At </a>: text that shows a URL whose registered domain is not that of
 * the link marks the link, unless the link names that domain after its
 * host (a redirector that says where it goes).
 */
static void
anchor_end(struct urls *u, struct anchor *a)
{
	struct buf host;
	struct url *e;
	const char *s = a->text, *dom;
	size_t n = a->len;
	int is_ip;

	if (a->idx < 0 || a->over)
		goto done;
	while (n > 0 && (unsigned char)*s <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (n == 0)
		goto done;
	a->text[s - a->text + n] = '\0';
	buf_init(&host);
	e = &u->v[a->idx];
	if (shown_host(s, n, &host, &is_ip) == 0) {
		dom = is_ip ? NULL : url_domain(host.s);
		if (dom == NULL)
			dom = host.s;
		/* a redirector that says where it goes is no disguise */
		if (strcmp(dom, e->domain) != 0 &&
		    strcasestr(e->url + strlen("https://"), dom) == NULL) {
			e->flags |= URLF_MISMATCH;
			if (e->shown == NULL)
				e->shown = xstrdup(dom);
		}
	}
	buf_free(&host);
done:
	a->idx = -1;
	a->len = 0;
	a->over = 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Attributes whose values are followed links or loaded resources. */
static int
link_attr(const char *s, size_t n)
{
	static const char *const names[] = {
		"href", "src", "action", "background", "formaction", NULL
	};
	const char *const *p;

	for (p = names; *p != NULL; p++)
		if (strlen(*p) == n && strncasecmp(s, *p, n) == 0)
			return 1;
	return 0;
}

/* Where the raw text element (script, style) that starts at i ends. */
static size_t
skip_raw(const char *s, size_t i, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *lt;

	while (i < n && (lt = memchr(s + i, '<', n - i)) != NULL) {
		i = (size_t)(lt - s) + 1;
		if (i < n && s[i] == '/' && n - i - 1 >= k &&
		    strncasecmp(s + i + 1, name, k) == 0)
			return i - 1;
	}
	return n;
}

/* A tag name at s[i]: its length. */
static size_t
tag_name(const char *s, size_t i, size_t n)
{
	size_t k;

	for (k = i; k < n && (isalnum((unsigned char)s[k]) || s[k] == '-' ||
	    s[k] == ':'); k++)
		;
	return k - i;
}

static int
tag_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/*
 * One start tag from s[i] (just after '<' and its name): read the
 * attributes, add the links.  Returns where the tag ends.
 */
static size_t
start_tag(struct urls *u, const char *s, size_t i, size_t n, int is_a,
    struct anchor *a, struct buf *val)
{
	const char *e;
	size_t name, namelen, v, vlen;
	ssize_t idx;
	char q;

	for (;;) {
		while (i < n && (is_space(s[i]) || s[i] == '/'))
			i++;
		if (i >= n || s[i] == '>')
			return i < n ? i + 1 : n;
		for (name = i; i < n && !is_space(s[i]) && s[i] != '=' &&
		    s[i] != '>' && (s[i] != '/' || i == name); i++)
			;
		namelen = i - name;
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			continue;
		for (i++; i < n && is_space(s[i]); i++)
			;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			e = memchr(s + i, q, n - i);
			v = i;
			i = e != NULL ? (size_t)(e - s) + 1 : n;
			vlen = (e != NULL ? (size_t)(e - s) : n) - v;
		} else {
			for (v = i; i < n && !is_space(s[i]) && s[i] != '>';
			    i++)
				;
			vlen = i - v;
		}
		if (!link_attr(s + name, namelen) || (u->flags & URLS_MANY))
			continue;
		buf_reset(val);
		html_decode(s + v, vlen, 1, val);
		idx = url_add(u, val->s ? val->s : "", val->len, URLF_HTML, 0);
		if (is_a && tag_is(s + name, namelen, "href"))
			a->idx = idx;
	}
}

/*
 * Walk HTML once: links from attributes, anchors checked against their
 * text, and the text (entities decoded, each tag a space) kept in
 * u->text for the plain-text scan.  Script and style are not text.
 */
static void
scan_html(struct urls *u, const char *s, size_t n)
{
	struct anchor a;
	struct buf val;
	const char *lt, *end, *tag;
	size_t i = 0, k, t;

	a.idx = -1;
	a.len = 0;
	a.over = 0;
	buf_init(&val);
	buf_reset(&u->text);
	while (i < n && !(u->flags & URLS_MANY)) {
		if ((lt = memchr(s + i, '<', n - i)) == NULL)
			lt = s + n;
		k = u->text.len;
		html_decode(s + i, (size_t)(lt - s) - i, 0, &u->text);
		anchor_add(&a, u->text.s + k, u->text.len - k);
		if ((i = (size_t)(lt - s)) >= n)
			break;
		tag = s + i + 1;
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			end = memmem(s + i + 4, n - i - 4, "-->", 3);
			i = end != NULL ? (size_t)(end - s) + 3 : n;
		} else if (i + 2 < n && (*tag == '!' || *tag == '?' ||
		    (*tag == '/' && isalpha((unsigned char)tag[1])))) {
			if (tag_is(tag + 1, tag_name(s, i + 2, n), "a"))
				anchor_end(u, &a);
			end = memchr(s + i, '>', n - i);
			i = end != NULL ? (size_t)(end - s) + 1 : n;
		} else if (i + 1 < n && isalpha((unsigned char)*tag)) {
			t = tag_name(s, i + 1, n);
			if (tag_is(tag, t, "a"))
				anchor_end(u, &a);
			i = start_tag(u, s, i + 1 + t, n, tag_is(tag, t, "a"),
			    &a, &val);
			if (tag_is(tag, t, "script") || tag_is(tag, t, "style"))
				i = skip_raw(s, i, n, tag_is(tag, t, "script") ?
				    "script" : "style");
		} else {
			buf_addc(&u->text, '<');
			anchor_add(&a, "<", 1);
			i++;
			continue;
		}
		buf_addc(&u->text, ' ');
	}
	anchor_end(u, &a);
	buf_free(&val);
}

void
urls_html(struct urls *u, const char *s, size_t n)
{
	scan_html(u, s, url_budget(u, n));
	linkify(u, u->text.s ? u->text.s : "", u->text.len);
}

/*
 * A message: its text/plain and text/html parts, attachments and
 * forwarded messages too, within the scan bound.
 */
struct partwalk {
	struct urls	*u;
	struct buf	 text;
};

static int
part_urls(const struct msgpart *p, void *arg)
{
	struct partwalk *w = arg;
	struct urls *u = w->u;
	size_t left = u->scan > u->used ? u->scan - u->used : 0;
	int html;

	if (p->is_message)
		return 0;
	if (strcmp(p->type, "text/html") == 0)
		html = 1;
	else if (strcmp(p->type, "text/plain") == 0)
		html = 0;
	else
		return 0;
	if (left == 0) {
		u->flags |= URLS_SCAN_CUT;
		return 1;
	}
	/* one byte more than the bound tells that there was more */
	if (msgpart_text(p, &w->text, left + 1) != 0)
		return 0;
	if (html)
		urls_html(u, w->text.s ? w->text.s : "", w->text.len);
	else
		urls_text(u, w->text.s ? w->text.s : "", w->text.len);
	return (u->flags & URLS_MANY) != 0;
}

/* Add the URLs of every text part of m; returns how many the set has. */
int
urls_message(struct urls *u, struct message *m)
{
	struct partwalk w;

	w.u = u;
	buf_init(&w.text);
	message_parts(m, part_urls, &w);
	buf_free(&w.text);
	return (int)u->n;
}
