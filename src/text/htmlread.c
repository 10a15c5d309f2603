/*
 * htmlread.c - one reading of an HTML part, over the tokenizer of
 * html.c: the text a reader sees (rendered as para.c does), what is
 * there but not seen (hidden, tiny, or in the colour of its background)
 * and its text, the links with the text of their anchors, the images,
 * the forms and their password fields.  And every text, seen or not, as
 * text extraction reads it: what is not raw text (script, style...),
 * a no-break space a space, and a space for each tag but the phrasing
 * ones that only style a line ("V<b></b>iagra" is one word); a comment
 * is nothing, as a browser shows it ("ra<!--x-->tes" is one word), so
 * that checksums and word counts see one text.
 *
 * The style of at most HTML_DEPTH open elements is followed; deeper
 * ones take their parent's.  An end tag closes the innermost open
 * element of its name and those inside it, as misnested mail needs
 * ("<b><i>x</b>y" leaves y plain); one that matches none is ignored.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "text/text.h"

#define RGB_NONE	0xffffffffU
#define ANCHOR_MAX	(HTML_ANCHOR_MAX + 1)	/* kept: one more tells it is longer */
#define HIDDEN_MAX	4096	/* bytes of hidden text kept */

struct frame {
	char		 tag[HTML_NAME_MAX];
	unsigned	 color, bg;	/* 0xRRGGBB */
	unsigned char	 hidden, tiny;
};

struct html {
	struct html_reading *r;
	struct text_para *p;
	struct frame	 st[HTML_DEPTH];
	int		 depth;
	unsigned long	 overflow;	/* elements open past HTML_DEPTH */
	char		 skip[HTML_NAME_MAX]; /* inside template or xml */
	struct buf	 href;		/* the open anchor's link */
	struct buf	 anchor;	/* and its text */
	int		 in_anchor;
};

struct named {
	const char	*name;
	unsigned	 code;
};

/* What a tag is to the reading; one look-up a tag, not one a list. */
#define T_VOID		0x01	/* no content, no end tag */
#define T_BLOCK		0x02	/* a line of its own */
#define T_AUTO		0x04	/* its end tag often left out: a new one ends
				 * the last */
#define T_RAW		0x08	/* content never shown: raw text, or skipped */
#define T_PHRASING	0x10	/* styles text within a line: ends no word */

struct tagkind {
	const char	*name;
	unsigned	 kind;
};

/* sorted by strcmp(), for bsearch() */
static const struct tagkind tagkinds[] = {
	{ "a", T_PHRASING }, { "abbr", T_PHRASING }, { "address", T_BLOCK },
	{ "area", T_VOID }, { "article", T_BLOCK }, { "b", T_PHRASING },
	{ "base", T_VOID }, { "big", T_PHRASING }, { "blockquote", T_BLOCK },
	{ "body", T_BLOCK }, { "br", T_VOID | T_BLOCK }, { "center", T_BLOCK },
	{ "col", T_VOID }, { "dd", T_BLOCK | T_AUTO }, { "div", T_BLOCK },
	{ "dl", T_BLOCK }, { "dt", T_BLOCK | T_AUTO }, { "em", T_PHRASING },
	{ "embed", T_VOID }, { "font", T_PHRASING }, { "footer", T_BLOCK },
	{ "form", T_BLOCK }, { "h1", T_BLOCK }, { "h2", T_BLOCK },
	{ "h3", T_BLOCK }, { "h4", T_BLOCK }, { "h5", T_BLOCK },
	{ "h6", T_BLOCK }, { "header", T_BLOCK }, { "hr", T_VOID | T_BLOCK },
	{ "i", T_PHRASING }, { "img", T_VOID }, { "input", T_VOID },
	{ "li", T_BLOCK | T_AUTO }, { "link", T_VOID }, { "meta", T_VOID },
	{ "nav", T_BLOCK }, { "ol", T_BLOCK }, { "option", T_AUTO },
	{ "p", T_BLOCK | T_AUTO }, { "param", T_VOID }, { "pre", T_BLOCK },
	{ "s", T_PHRASING }, { "script", T_RAW }, { "section", T_BLOCK },
	{ "small", T_PHRASING }, { "source", T_VOID }, { "span", T_PHRASING },
	{ "strike", T_PHRASING }, { "strong", T_PHRASING }, { "style", T_RAW },
	{ "sub", T_PHRASING }, { "sup", T_PHRASING }, { "table", T_BLOCK },
	{ "tbody", T_BLOCK }, { "td", T_BLOCK | T_AUTO }, { "template", T_RAW },
	{ "textarea", T_RAW }, { "th", T_BLOCK | T_AUTO }, { "title", T_RAW },
	{ "tr", T_BLOCK | T_AUTO }, { "track", T_VOID }, { "tt", T_PHRASING },
	{ "u", T_PHRASING }, { "ul", T_BLOCK }, { "wbr", T_VOID },
	{ "xml", T_RAW }
};

static int
kind_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tagkind *)elem)->name);
}

static unsigned
tag_kind(const char *name)
{
	const struct tagkind *k;

	k = bsearch(name, tagkinds, sizeof(tagkinds) / sizeof(tagkinds[0]),
	    sizeof(tagkinds[0]), kind_cmp);
	return k != NULL ? k->kind : 0;
}

static int
tag_is(const char *name, unsigned kind)
{
	return (tag_kind(name) & kind) != 0;
}

static const struct named colors[] = {
	{ "black", 0x000000 }, { "white", 0xffffff }, { "red", 0xff0000 },
	{ "green", 0x008000 }, { "blue", 0x0000ff }, { "yellow", 0xffff00 },
	{ "gray", 0x808080 }, { "grey", 0x808080 }, { "silver", 0xc0c0c0 },
	{ "maroon", 0x800000 }, { "navy", 0x000080 }, { "purple", 0x800080 },
	{ "teal", 0x008080 }, { "olive", 0x808000 }, { "lime", 0x00ff00 },
	{ "aqua", 0x00ffff }, { "fuchsia", 0xff00ff }, { "orange", 0xffa500 },
	{ "whitesmoke", 0xf5f5f5 }, { "snow", 0xfffafa }, { NULL, 0 }
};

/* A colour as HTML and CSS write it; RGB_NONE if not understood. */
static unsigned
parse_color(const char *s, size_t n)
{
	const struct named *c;
	unsigned v = 0, part[3];
	size_t i, k;

	while (n > 0 && (isspace((unsigned char)*s) || *s == '"' || *s == '\''))
		s++, n--;
	while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '"' ||
	    s[n - 1] == '\'' || s[n - 1] == ';'))
		n--;
	if (n > 0 && *s == '#')
		s++, n--;
	if (n == 3 || n == 6) {
		for (i = 0; i < n && isxdigit((unsigned char)s[i]); i++)
			v = v * 16 + (unsigned)(isdigit((unsigned char)s[i]) ?
			    s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
		if (i == n)
			return n == 6 ? v : ((v >> 8) & 0xf) * 0x110000 +
			    ((v >> 4) & 0xf) * 0x1100 + (v & 0xf) * 0x11;
	}
	if (n > 4 && strncasecmp(s, "rgb(", 4) == 0) {
		for (i = 4, k = 0; k < 3 && i < n; k++) {
			part[k] = 0;
			while (i < n && !isdigit((unsigned char)s[i]))
				i++;
			while (i < n && isdigit((unsigned char)s[i]))
				part[k] = part[k] * 10 + (unsigned)(s[i++] - '0');
			if (part[k] > 255)
				part[k] = 255;
		}
		if (k == 3)
			return part[0] << 16 | part[1] << 8 | part[2];
	}
	for (c = colors; c->name != NULL; c++)
		if (strlen(c->name) == n && strncasecmp(s, c->name, n) == 0)
			return c->code;
	return RGB_NONE;
}

static int
close_colors(unsigned a, unsigned b)
{
	int dr = (int)((a >> 16) & 0xff) - (int)((b >> 16) & 0xff);
	int dg = (int)((a >> 8) & 0xff) - (int)((b >> 8) & 0xff);
	int db = (int)(a & 0xff) - (int)(b & 0xff);

	return abs(dr) + abs(dg) + abs(db) < 30;
}

/* A CSS size so small no one reads it: under 4px, 3pt, 0.3em, 30%. */
static int
tiny_size(const char *s, size_t n)
{
	char tmp[32], *end;
	double d;

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	d = strtod(tmp, &end);
	if (end == tmp)
		return 0;
	while (isspace((unsigned char)*end))
		end++;
	if (d <= 0)
		return 1;
	if (strncasecmp(end, "px", 2) == 0)
		return d < 4;
	if (strncasecmp(end, "pt", 2) == 0)
		return d < 3;
	if (strncasecmp(end, "em", 2) == 0 || strncasecmp(end, "rem", 3) == 0)
		return d < 0.3;
	if (*end == '%')
		return d < 30;
	return 0;
}

/* The declarations of a style attribute that change what is seen. */
static void
apply_style(struct frame *f, const char *s, size_t n)
{
	const char *end = s + n, *colon, *semi;
	size_t klen, vlen;
	const char *val;

	while (s < end) {
		if ((semi = memchr(s, ';', (size_t)(end - s))) == NULL)
			semi = end;
		colon = memchr(s, ':', (size_t)(semi - s));
		if (colon != NULL) {
			while (s < colon && isspace((unsigned char)*s))
				s++;
			klen = (size_t)(colon - s);
			while (klen > 0 && isspace((unsigned char)s[klen - 1]))
				klen--;
			val = colon + 1;
			while (val < semi && isspace((unsigned char)*val))
				val++;
			vlen = (size_t)(semi - val);
			while (vlen > 0 && (isspace((unsigned char)val[vlen - 1]) ||
			    val[vlen - 1] == '!'))
				vlen--;
			if (vlen > 10 && strncasecmp(val + vlen - 10, "!important",
			    10) == 0)
				vlen -= 10;
#define KEY(k) (klen == sizeof(k) - 1 && strncasecmp(s, k, klen) == 0)
			if (KEY("color"))
				f->color = parse_color(val, vlen);
			else if (KEY("background-color") || KEY("background")) {
				unsigned c = parse_color(val, vlen);

				if (c != RGB_NONE)
					f->bg = c;
			} else if (KEY("display"))
				f->hidden |= vlen >= 4 &&
				    strncasecmp(val, "none", 4) == 0;
			else if (KEY("visibility"))
				f->hidden |= vlen >= 6 &&
				    strncasecmp(val, "hidden", 6) == 0;
			else if (KEY("opacity"))
				f->hidden |= tiny_size(val, vlen) && *val != '.';
			else if (KEY("font-size"))
				f->tiny = (unsigned char)tiny_size(val, vlen);
			else if (KEY("max-height") || KEY("height"))
				f->hidden |= vlen >= 1 && val[0] == '0' &&
				    (vlen == 1 || !isdigit((unsigned char)val[1]));
#undef KEY
		}
		s = semi + 1;
	}
}

/* A link as the tag wrote it: its value, references decoded. */
static void
html_link(struct html *x, const char *tag, const struct html_attr *a)
{
	if (a == NULL || !a->has_value || x->r->link == NULL)
		return;
	x->r->link(x->r->arg, tag, a->value, a->vlen);
}

static void
anchor_end(struct html *x)
{
	if (x->in_anchor && x->r->anchor != NULL)
		x->r->anchor(x->r->arg, x->href.s ? x->href.s : "", x->href.len,
		    x->anchor.s ? x->anchor.s : "", x->anchor.len);
	x->in_anchor = 0;
	buf_reset(&x->href);
	buf_reset(&x->anchor);
}

static void
anchor_start(struct html *x, const struct html_attr *href)
{
	anchor_end(x);
	if (href == NULL || !href->has_value)
		return;
	x->in_anchor = 1;
	buf_add(&x->href, href->value, href->vlen);
}

static struct frame *
top(struct html *x)
{
	return &x->st[x->depth > 0 ? x->depth - 1 : 0];
}

static void
count_tag(struct html *x, const struct html_token *t)
{
	const struct html_attr *a;

	if (strcmp(t->name, "img") == 0) {
		x->r->images++;
		html_link(x, t->name, html_attr(t, "src"));
	} else if (strcmp(t->name, "a") == 0 || strcmp(t->name, "area") == 0) {
		html_link(x, t->name, html_attr(t, "href"));
		if (strcmp(t->name, "a") == 0)
			anchor_start(x, html_attr(t, "href"));
	} else if (strcmp(t->name, "form") == 0) {
		x->r->forms++;
		html_link(x, t->name, html_attr(t, "action"));
	} else if (strcmp(t->name, "iframe") == 0 ||
	    strcmp(t->name, "frame") == 0)
		html_link(x, t->name, html_attr(t, "src"));
	else if (strcmp(t->name, "input") == 0 &&
	    (a = html_attr(t, "type")) != NULL && a->vlen == 8 &&
	    strncasecmp(a->value, "password", 8) == 0)
		x->r->passwords++;
}

static void
html_open(struct html *x, const struct html_token *t)
{
	struct frame f;
	const struct html_attr *at;
	unsigned kind = tag_kind(t->name);

	if (kind & T_BLOCK)
		text_para_break(x->p);
	count_tag(x, t);
	if (t->selfclose || (kind & T_VOID))
		return;
	if (x->depth > 1 && (kind & T_AUTO) &&
	    strcmp(top(x)->tag, t->name) == 0)
		x->depth--;
	f = *top(x);
	memcpy(f.tag, t->name, sizeof(f.tag));
	if ((at = html_attr(t, "color")) != NULL && at->has_value)
		f.color = parse_color(at->value, at->vlen);
	if ((at = html_attr(t, "bgcolor")) != NULL && at->has_value &&
	    parse_color(at->value, at->vlen) != RGB_NONE)
		f.bg = parse_color(at->value, at->vlen);
	if ((at = html_attr(t, "style")) != NULL && at->has_value)
		apply_style(&f, at->value, at->vlen);
	if (html_attr(t, "hidden") != NULL)
		f.hidden = 1;
	if (x->depth >= HTML_DEPTH) {
		x->overflow++;
		return;
	}
	x->st[x->depth++] = f;
}

static void
html_close(struct html *x, const char *tag)
{
	int i;

	if (tag_is(tag, T_BLOCK))
		text_para_break(x->p);
	if (strcmp(tag, "a") == 0)
		anchor_end(x);
	if (x->overflow > 0) {
		x->overflow--;
		return;
	}
	for (i = x->depth - 1; i > 0; i--)
		if (strcmp(x->st[i].tag, tag) == 0) {
			x->depth = i;
			return;
		}
}

/* Text between tags: shown, or counted as what a reader cannot see. */
static void
html_text(struct html *x, const char *s, size_t n)
{
	const struct frame *f = top(x);
	struct html_reading *r = x->r;
	struct text_para *p = x->p;
	size_t before = p->chars, i, chars = 0;

	if (x->in_anchor && x->anchor.len < ANCHOR_MAX)
		buf_add(&x->anchor, s, n < ANCHOR_MAX - x->anchor.len ? n :
		    utf8_cut(s, n, ANCHOR_MAX - x->anchor.len));
	if (f->hidden || f->tiny || (f->color != RGB_NONE &&
	    close_colors(f->color, f->bg))) {
		for (i = 0; i < n; i++)
			if (!isspace((unsigned char)s[i]) &&
			    ((unsigned char)s[i] & 0xc0) != 0x80)
				chars++;
		if (f->hidden)
			r->hidden += chars;
		else if (f->tiny)
			r->tiny += chars;
		else
			r->samecolor += chars;
		if (r->hidden_text != NULL && r->hidden_text->len < HIDDEN_MAX)
			buf_add(r->hidden_text, s, utf8_cut(s, n, HIDDEN_MAX -
			    r->hidden_text->len));
		return;
	}
	text_para_text(p, s, n);
	r->chars += p->chars - before;
}

/*
 * A tag that only styles a line, by its name as far as it is letters
 * and digits: "</font=>" ends a font as mail has always been read.
 */
static int
phrasing(const char *name)
{
	char alnum[HTML_NAME_MAX];
	size_t k;

	for (k = 0; k < sizeof(alnum) - 1 && ((name[k] >= 'a' &&
	    name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9')); k++)
		alnum[k] = name[k];
	alnum[k] = '\0';
	return tag_is(alnum, T_PHRASING);
}

/* Every text, seen or not: see the top of this file. */
static void
whole_text(struct html *x, const struct html_token *t)
{
	struct buf *b = x->r->text;
	const char *s = t->text, *end, *c2;

	if (b == NULL)
		return;
	switch (t->kind) {
	case HTML_TEXT:
		if (t->raw == HTML_RAWTEXT || s == NULL)
			break;
		end = s + t->len;
		while (s < end) {	/* U+00A0 is C2 A0 */
			if ((c2 = memchr(s, 0xc2, (size_t)(end - s))) == NULL ||
			    c2 + 1 == end) {
				buf_add(b, s, (size_t)(end - s));
				break;
			}
			buf_add(b, s, (size_t)(c2 - s));
			if ((unsigned char)c2[1] == 0xa0)
				buf_addc(b, ' ');
			else
				buf_add(b, c2, 2);
			s = c2 + 2;
		}
		break;
	case HTML_START:
	case HTML_END:
		if (!phrasing(t->name))
			buf_addc(b, ' ');
		break;
	case HTML_COMMENT:	/* no word ends at one */
		break;
	}
}

static void
token(const struct html_token *t, void *arg)
{
	struct html *x = arg;

	whole_text(x, t);
	if (t->kind == HTML_TEXT && t->raw && x->r->raw != NULL)
		x->r->raw(x->r->arg, t);
	if (t->kind == HTML_START && x->r->tag != NULL && x->skip[0] != '\0')
		x->r->tag(x->r->arg, t);
	if (x->skip[0] != '\0') {	/* template, xml: until its end tag */
		if (t->kind == HTML_END && strcmp(t->name, x->skip) == 0)
			x->skip[0] = '\0';
		return;
	}
	switch (t->kind) {
	case HTML_TEXT:
		if (!t->raw)		/* script, style, title: never seen */
			html_text(x, t->text, t->len);
		break;
	case HTML_START:
		if (!tag_is(t->name, T_RAW))
			html_open(x, t);
		else if (!t->selfclose && (strcmp(t->name, "template") == 0 ||
		    strcmp(t->name, "xml") == 0))
			memcpy(x->skip, t->name, sizeof(x->skip));
		/* after an <a>'s anchor_start(): the last anchor has ended */
		if (x->r->tag != NULL)
			x->r->tag(x->r->arg, t);
		break;
	case HTML_END:
		if (!tag_is(t->name, T_RAW))
			html_close(x, t->name);
		break;
	case HTML_COMMENT:
		break;
	}
}

/*
 * Read n bytes of HTML: the visible text onto p, the rest counted in r
 * (whose link and anchor callbacks, and hidden_text, the caller sets).
 */
void
html_read(const char *s, size_t n, struct text_para *p,
    struct html_reading *r)
{
	struct html x;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.p = p;
	x.st[0].color = 0x000000;
	x.st[0].bg = 0xffffff;
	x.depth = 1;
	buf_init(&x.href);
	buf_init(&x.anchor);
	html_tokenize(s, n, token, &x);
	anchor_end(&x);
	text_para_break(p);
	buf_free(&x.href);
	buf_free(&x.anchor);
}
