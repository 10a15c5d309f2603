/*
 * htmlview.c - the one HTML reading of a part, as the view holds it:
 * text/htmlread.c's reading kept (every text, the visible and the
 * hidden text, the start tags, the links with the text of their anchors
 * and the counts), computed the first time a stage asks for it and then
 * read by every stage of the process (xd-urlcheck's URLs, xd-cksum's
 * text, xd-bayes's words and tags, xd-heur's body, links as written and
 * counts).  None reads the HTML again.
 *
 * A reading is keyed by the part and the bytes of its text read: two
 * stages that cut a big part at other bounds get two readings, each of
 * its own bytes, so that what a stage reads never depends on another.
 * The readings last until a message is freed (message_free() forgets
 * them all, since a part's address may be reused by the next message).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"

#define VIEW_BODY_MAX	(4 * 1024 * 1024)	/* bytes of visible text */

static const char *const link_attrs[] = {
	"href", "src", "action", "background", "formaction", NULL
};

/* raw text elements whose text is HTML to old readers: links in it count */
static const char *const framed[] = {
	"iframe", "noframes", "noembed", "xmp", NULL
};

#define NEST_MAX	4	/* framed text in framed text read for links */
#define LINKS_MAX	10000	/* links of one reading kept: the rest cut */

struct cached {
	const void	*obj;		/* the part */
	size_t		 len;		/* bytes of its text read */
	struct html_view v;
};

/* pointers, so that a reading stays where it is as the cache grows */
static struct cached **cache;
static size_t ncache, capcache;

struct htmlrd {
	struct html_view *v;
	ssize_t		 open_a;	/* the link of the last <a href>, or -1 */
	const char	*written;	/* the value link() gave for this tag */
	int		 nest;		/* framed text being read, how deep */
};

static int
in_list(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

static struct html_link *
link_new(struct html_view *v)
{
	struct html_link *l;

	if (v->nlinks == v->caplinks) {
		v->caplinks = v->caplinks ? v->caplinks * 2 : 16;
		v->links = xrealloc(v->links, v->caplinks * sizeof(*v->links));
	}
	l = &v->links[v->nlinks++];
	memset(l, 0, sizeof(*l));
	return l;
}

/* A start tag: its name, and its link attributes in order. */
static void
on_tag(void *arg, const struct html_token *t)
{
	struct htmlrd *x = arg;
	struct html_view *v = x->v;
	struct html_link *l;
	size_t i;

	buf_add(&v->tags, t->name, strlen(t->name) + 1);
	for (i = 0; i < t->nattr; i++) {
		if (!t->attr[i].has_value ||
		    !in_list(t->attr[i].name, link_attrs))
			continue;
		if (v->nlinks >= LINKS_MAX) {	/* hostile: bound the memory */
			v->links_cut = 1;
			break;
		}
		l = link_new(v);
		memcpy(l->tag, t->name, sizeof(l->tag));
		memcpy(l->attr, t->attr[i].name, sizeof(l->attr));
		l->tagno = v->ntags;
		l->value = xmalloc(t->attr[i].vlen + 1);
		memcpy(l->value, t->attr[i].value, t->attr[i].vlen);
		l->value[t->attr[i].vlen] = '\0';
		l->len = t->attr[i].vlen;
		l->written = t->attr[i].value == x->written;
		l->framed = x->nest > 0;
		if (strcmp(t->name, "a") == 0 && strcmp(l->attr, "href") == 0 &&
		    x->nest == 0)
			x->open_a = (ssize_t)(v->nlinks - 1);
	}
	x->written = NULL;
	v->ntags++;
}

/* The link html_read() gives of a tag, just before the tag itself. */
static void
on_link(void *arg, const char *tag, const char *s, size_t n)
{
	struct htmlrd *x = arg;

	(void)tag;
	(void)n;
	x->written = s;
}

static void on_raw(void *, const struct html_token *);

/* A token of framed text: its tags and links, nothing else. */
static void
framed_token(const struct html_token *t, void *arg)
{
	if (t->kind == HTML_START)
		on_tag(arg, t);
	else if (t->kind == HTML_TEXT && t->raw)
		on_raw(arg, t);
}

/*
 * The text of an iframe, noframes, noembed or xmp element is raw text
 * in HTML, never shown as markup; but the links in it are links its
 * sender wrote (a <script src> in an <iframe>, say), and URL lists have
 * always listed them: its tags are read for their links.
 */
static void
on_raw(void *arg, const struct html_token *t)
{
	struct htmlrd *x = arg;

	if (x->nest >= NEST_MAX || !in_list(t->name, framed))
		return;
	x->nest++;
	html_tokenize(t->text, t->len, framed_token, x);
	x->nest--;
}

/* An anchor ended: its text goes with the link of its <a>. */
static void
on_anchor(void *arg, const char *href, size_t hn, const char *s, size_t n)
{
	struct htmlrd *x = arg;
	struct html_link *l;

	(void)href;
	(void)hn;
	if (x->open_a < 0)
		return;
	l = &x->v->links[x->open_a];
	x->open_a = -1;
	free(l->anchor);
	l->anchor = xmalloc(n + 1);
	memcpy(l->anchor, s, n);
	l->anchor[n] = '\0';
	l->alen = n;
}

/* Read n bytes of HTML into v, which is overwritten. */
void
html_view_read(struct html_view *v, const char *s, size_t n)
{
	struct htmlrd x;
	struct text_para p;

	memset(v, 0, sizeof(*v));
	buf_init(&v->text);
	buf_init(&v->visible);
	buf_init(&v->hidden);
	buf_init(&v->tags);
	memset(&x, 0, sizeof(x));
	x.v = v;
	x.open_a = -1;
	v->r.link = on_link;
	v->r.raw = on_raw;
	v->r.tag = on_tag;
	v->r.anchor = on_anchor;
	v->r.arg = &x;
	v->r.hidden_text = &v->hidden;
	v->r.text = &v->text;
	text_para_init(&p, &v->visible, VIEW_BODY_MAX);
	html_read(s, n, &p, &v->r);
	v->r.link = NULL;
	v->r.raw = NULL;
	v->r.tag = NULL;
	v->r.anchor = NULL;
	v->r.arg = NULL;
	v->r.hidden_text = NULL;
	v->r.text = NULL;
}

void
html_view_free(struct html_view *v)
{
	size_t i;

	for (i = 0; i < v->nlinks; i++) {
		free(v->links[i].value);
		free(v->links[i].anchor);
	}
	free(v->links);
	buf_free(&v->text);
	buf_free(&v->visible);
	buf_free(&v->hidden);
	buf_free(&v->tags);
	memset(v, 0, sizeof(*v));
}

/*
 * The reading of part p, whose text (msgpart_text()) the caller read:
 * the first n bytes of it at s.  Read once per part and length.
 */
const struct html_view *
msgpart_html(const struct msgpart *p, const char *s, size_t n)
{
	struct cached *c;
	size_t i;

	for (i = 0; i < ncache; i++)
		if (cache[i]->obj == p->obj && cache[i]->len == n)
			return &cache[i]->v;
	if (ncache == capcache) {
		capcache = capcache ? capcache * 2 : 8;
		cache = xrealloc(cache, capcache * sizeof(*cache));
	}
	c = cache[ncache++] = xmalloc(sizeof(*c));
	c->obj = p->obj;
	c->len = n;
	html_view_read(&c->v, s, n);
	return &c->v;
}

/* Every reading is freed: the parts they were of may be gone. */
void
msgpart_html_forget(void)
{
	size_t i;

	for (i = 0; i < ncache; i++) {
		html_view_free(&cache[i]->v);
		free(cache[i]);
	}
	free(cache);
	cache = NULL;
	ncache = capcache = 0;
}
