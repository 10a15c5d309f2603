/*
 * htmlurls.c - the URLs of HTML: links from href, src, action, background
 * and formaction, anchors whose text shows another domain, and the URLs
 * of a whole message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "url/url_int.h"

/*
 * HTML, as the view reads it (mime/htmlview.c): the links of its tags,
 * the anchors checked against their text, and every text for the
 * plain-text scan.
 */

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
 * An anchor's text that shows a URL whose registered domain is not that
 * of the link marks the link, unless the link names that domain after
 * its host (a redirector that says where it goes).  Text longer than
 * HTML_ANCHOR_MAX bytes is no URL shown.
 */
static void
anchor_check(struct urls *u, ssize_t idx, const char *s, size_t n)
{
	struct buf host, text;
	struct url *e;
	const char *dom;
	int is_ip;

	if (idx < 0 || n > HTML_ANCHOR_MAX)
		return;
	while (n > 0 && (unsigned char)*s <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (n == 0)
		return;
	buf_init(&host);
	buf_init(&text);
	buf_add(&text, s, n);		/* NUL-ended */
	e = &u->v[idx];
	if (shown_host(text.s, n, &host, &is_ip) == 0) {
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
	buf_free(&text);
}

/*
 * The URLs of HTML part p, whose text the caller read (n bytes at s),
 * from the view's one reading of it: its links, then those of its text.
 */
void
urls_html(struct urls *u, const struct msgpart *p, const char *s, size_t n)
{
	const struct html_view *v = msgpart_html(p, s, url_budget(u, n));
	const struct html_link *l;
	ssize_t idx;
	size_t i;

	for (i = 0; i < v->nlinks && !(u->flags & URLS_MANY); i++) {
		l = &v->links[i];
		idx = url_add(u, l->value, l->len, URLF_HTML, 0);
		if (l->anchor != NULL)
			anchor_check(u, idx, l->anchor, l->alen);
	}
	if (!(u->flags & URLS_MANY))
		linkify(u, v->text.s ? v->text.s : "", v->text.len);
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
		urls_html(u, p, w->text.s ? w->text.s : "", w->text.len);
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
