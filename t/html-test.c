/*
 * html-test - the HTML tokenizer, references and reading of src/text/
 * on torture cases written from the WHATWG tokenizer's rules, and the
 * reading as the view keeps it (src/mime/htmlview.c).
 * t/html.bats runs it; it prints each failed check and exits 1.
 *
 * Tokens are shown one after another as
 *	T[text]  S[name a=value b]  S/[name] (self-closing)  E[name]  C[comment]
 * with raw text as R[text].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/base/base.h"
#include "../src/text/text.h"
#include "../src/mime/mime.h"

static int passed, failed;

#define CHECK(cond) check((cond), #cond, __LINE__)

static void
check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "html-test.c:%d: failed: %s\n", line, what);
}

static void
show(const struct html_token *t, void *arg)
{
	struct buf *out = arg;
	size_t i;

	switch (t->kind) {
	case HTML_TEXT:
		buf_adds(out, t->raw ? "R[" : "T[");
		buf_add(out, t->text, t->len);
		break;
	case HTML_START:
		buf_adds(out, t->selfclose ? "S/[" : "S[");
		buf_adds(out, t->name);
		for (i = 0; i < t->nattr; i++) {
			buf_printf(out, " %s", t->attr[i].name);
			if (t->attr[i].has_value) {
				buf_addc(out, '=');
				buf_add(out, t->attr[i].value, t->attr[i].vlen);
			}
		}
		break;
	case HTML_END:
		buf_adds(out, "E[");
		buf_adds(out, t->name);
		break;
	case HTML_COMMENT:
		buf_adds(out, "C[");
		buf_add(out, t->text, t->len);
		break;
	}
	buf_addc(out, ']');
}

/* The tokens of n bytes of s, shown; the result lasts until the next. */
static const char *
tokens_n(const char *s, size_t n)
{
	static struct buf out;

	buf_reset(&out);
	html_tokenize(s, n, show, &out);
	return out.s != NULL ? out.s : "";
}

static const char *
tokens(const char *s)
{
	return tokens_n(s, strlen(s));
}

#define TOKENS(in, want) do {						\
	const char *got_ = tokens(in);					\
	if (strcmp(got_, want) != 0)					\
		fprintf(stderr, "  %s\n  got:  %s\n  want: %s\n",	\
		    in, got_, want);					\
	CHECK(strcmp(got_, want) == 0);					\
} while (0)

static void
test_tags(void)
{
	TOKENS("a<b>c</b>d", "T[a]S[b]T[c]E[b]T[d]");
	TOKENS("<A HREF=X>", "S[a href=X]");
	TOKENS("<img src='x' alt=\"y z\" hidden>",
	    "S[img src=x alt=y z hidden]");
	TOKENS("<br/><br />", "S/[br]S/[br]");
	TOKENS("<a href=x/>", "S[a href=x/]");	/* '/' is the value's */
	TOKENS("<p a=1b=2>", "S[p a=1b=2]");
	TOKENS("<p a=\"1\"b=2>", "S[p a=1 b=2]");	/* no space needed */
	TOKENS("<p a = 1 >", "S[p a=1]");
	TOKENS("<p a=>", "S[p a=]");		/* missing value: empty */
	TOKENS("<p =a>", "S[p =a]");		/* '=' starts a name */
	TOKENS("<p a=\"x>y\">t", "S[p a=x>y]T[t]");
	TOKENS("<p a='it\"s'>", "S[p a=it\"s]");	/* nested quotes */
	TOKENS("<p a=\"x<y\" b<c>", "S[p a=x<y b<c]");	/* '<' in attributes */
	TOKENS("<b<i>x", "S[b<i]T[x]");		/* '<' in a tag name */
	TOKENS("a < b", "T[a < b]");		/* '<' that opens nothing */
	TOKENS("1<2", "T[1<2]");
	TOKENS("</>x", "T[x]");
	TOKENS("</ x>y", "C[ x]T[y]");		/* bogus comment */
	TOKENS("<?xml version=1?>x", "C[?xml version=1?]T[x]");
	TOKENS("<!DOCTYPE html>x", "C[ html]T[x]");
	TOKENS("<![CDATA[a>b]]>", "C[[CDATA[a]T[b]]>]");
	TOKENS("</p foo=bar>", "E[p]");
	TOKENS("x<", "T[x<]");
	TOKENS("x</", "T[x</]");
	TOKENS("x<p a='b", "T[x]");		/* a tag cut by the end: gone */
}

static void
test_comments(void)
{
	TOKENS("a<!--b-->c", "T[a]C[b]T[c]");
	TOKENS("<!---->", "C[]");
	TOKENS("<!-->x", "C[]T[x]");		/* abrupt */
	TOKENS("<!--->x", "C[]T[x]");
	TOKENS("<!--a--!>b", "C[a]T[b]");
	TOKENS("<!--a--b-->", "C[a--b]");
	TOKENS("<!--a-b-->", "C[a-b]");
	TOKENS("<!--a--->", "C[a-]");
	TOKENS("<!--<b>x</b>-->y", "C[<b>x</b>]T[y]");
	TOKENS("a<!--never closed <b>x", "T[a]C[never closed <b>x]");
	TOKENS("<!x>y", "C[x]T[y]");
}

static void
test_raw(void)
{
	TOKENS("<script>if (a<b && c>d) x='</b>'</script>z",
	    "S[script]R[if (a<b && c>d) x='</b>']E[script]T[z]");
	TOKENS("<style>p{}</STYLE >z", "S[style]R[p{}]E[style]T[z]");
	TOKENS("<script>a</scriptx>b</script>",
	    "S[script]R[a</scriptx>b]E[script]");
	TOKENS("<script>a &amp; b", "S[script]R[a &amp; b]");	/* unclosed */
	TOKENS("<title>a &amp; <b>b</b></title>",
	    "S[title]R[a & <b>b</b>]E[title]");		/* RCDATA */
	TOKENS("<textarea><!--x--></textarea>",
	    "S[textarea]R[<!--x-->]E[textarea]");
	TOKENS("<script/>x</script>", "S/[script]R[x]E[script]");
}

static void
test_refs(void)
{
	TOKENS("&amp;&lt;&gt;&quot;", "T[&<>\"]");
	TOKENS("&amp &lt3", "T[& <3]");		/* legacy: no ';' needed */
	TOKENS("&hellip &hellip;", "T[&hellip \xe2\x80\xa6]");	/* not legacy */
	TOKENS("&copyright", "T[\xc2\xa9right]");	/* longest legacy prefix */
	TOKENS("&notanentity;", "T[\xc2\xac" "anentity;]");
	TOKENS("&zzz; & &; &#; &#x;", "T[&zzz; & &; &#; &#x;]");
	TOKENS("&#104;&#x68;&#X48;&#104", "T[hhHh]");
	TOKENS("&#0;&#xD800;&#x110000;&#99999999999;",
	    "T[\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]");
	TOKENS("&#128;&#x92;", "T[\xe2\x82\xac\xe2\x80\x99]");	/* windows-1252 */
	TOKENS("&AMP;&Amp;", "T[&&Amp;]");		/* names are case-sensitive */
	/* in attributes, a legacy name followed by [A-Za-z0-9=] stays */
	TOKENS("<a href=\"?a=1&copy=2&amp=3&lt;&copy\">",
	    "S[a href=?a=1&copy=2&amp=3<\xc2\xa9]");
	TOKENS("<a href=h&#116;tp&#x3a;//x>", "S[a href=http://x]");
	TOKENS("<a href=&quot;x&quot;>", "S[a href=\"x\"]");
}

static void
test_bounds(void)
{
	struct buf b;
	char name[100];
	const char *got;
	size_t i;

	/* NUL bytes: dropped in text, U+FFFD in values */
	got = tokens_n("a\0b<p x=\"\0\">", 12);
	CHECK(strcmp(got, "T[ab]S[p x=\xef\xbf\xbd]") == 0);
	/* a huge attribute value is cut at HTML_VALUE_MAX, the tag read on */
	buf_init(&b);
	buf_adds(&b, "<a href=\"");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\" id=1>t");
	got = tokens_n(b.s, b.len);
	CHECK(strlen(got) == strlen("S[a href= id=1]T[t]") + HTML_VALUE_MAX);
	CHECK(strstr(got, " id=1]T[t]") != NULL);
	/* more attributes than HTML_ATTRS: the rest dropped */
	buf_reset(&b);
	buf_adds(&b, "<p");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, " a%zu=%zu", i, i);
	buf_adds(&b, ">t");
	got = tokens_n(b.s, b.len);
	CHECK(strstr(got, " a31=31]T[t]") != NULL);
	CHECK(strstr(got, "a32") == NULL);
	/* a name past HTML_NAME_MAX is no name */
	memset(name, 'q', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "<%s %s=1>", name, name);
	CHECK(strcmp(tokens_n(b.s, b.len), "S[ =1]") == 0);
	buf_free(&b);
}

/* The reading: the rendered text, and counts. */
static const char *
reading(const char *s, struct html_reading *r, struct buf *hidden)
{
	static struct buf out;
	struct text_para p;

	buf_reset(&out);
	memset(r, 0, sizeof(*r));
	if (hidden != NULL)
		buf_reset(hidden);
	r->hidden_text = hidden;
	text_para_init(&p, &out, 1 << 20);
	html_read(s, strlen(s), &p, r);
	return out.s != NULL ? out.s : "";
}

struct links {
	struct buf	 all;
};

static void
on_link(void *arg, const char *tag, const char *s, size_t n)
{
	struct links *l = arg;

	buf_printf(&l->all, "%s:%.*s ", tag, (int)n, s);
}

static void
on_anchor(void *arg, const char *href, size_t hn, const char *text,
    size_t tn)
{
	struct links *l = arg;

	buf_printf(&l->all, "[%.*s|%.*s] ", (int)hn, href, (int)tn, text);
}

static const char links_html[] =
    "<a href=\"http://a.example/?x=1&amp;y=2\">Click <b>here</b></a>"
    "<img src=i.png><form action=/login><input type=password>"
    "<input type=PASSWORD></form><a href=b>unclosed";

static void
test_reading(void)
{
	struct html_reading r;
	struct buf hidden, deep;
	struct links l;
	struct text_para p;
	struct buf out;
	size_t i;

	buf_init(&hidden);
	CHECK(strcmp(reading("<p>one  two</p><div>three&nbsp;four</div>", &r,
	    NULL), "one two\nthree four\n") == 0);
	CHECK(r.chars == 15);
	CHECK(strcmp(reading("V<b></b>iagra", &r, NULL), "Viagra\n") == 0);
	reading("a<span style=\"display:none\">secret</span>b", &r, &hidden);
	CHECK(r.hidden == 6 && strcmp(hidden.s, "secret") == 0);
	reading("<div style='visibility: hidden !important'>xyz</div>", &r,
	    NULL);
	CHECK(r.hidden == 3);
	reading("<font style=\"font-size:1px\">tiny</font>", &r, NULL);
	CHECK(r.tiny == 4 && r.hidden == 0);
	reading("<body bgcolor=#fff><font color=\"#fefefe\">white</font>",
	    &r, NULL);
	CHECK(r.samecolor == 5);
	reading("<p hidden>gone</p>shown", &r, NULL);
	CHECK(r.hidden == 4 && r.chars == 5);
	/* misnested: </b> closes the <i> inside it too */
	reading("<b style=display:none><i>x</b>seen", &r, NULL);
	CHECK(r.hidden == 1 && r.chars == 4);
	/* script, style, title, template are never text */
	CHECK(strcmp(reading("<title>t</title><script>s</script>"
	    "<template><img src=x>tt</template>v", &r, NULL), "v\n") == 0);
	CHECK(r.images == 0 && r.hidden == 0);
	/* links, anchors, images, forms and password fields */
	buf_init(&l.all);
	memset(&r, 0, sizeof(r));
	r.link = on_link;
	r.anchor = on_anchor;
	r.arg = &l;
	buf_init(&out);
	text_para_init(&p, &out, 1 << 20);
	html_read(links_html, strlen(links_html), &p, &r);
	CHECK(strcmp(l.all.s, "a:http://a.example/?x=1&y=2 "
	    "[http://a.example/?x=1&y=2|Click here] img:i.png form:/login "
	    "a:b [b|unclosed] ") == 0);
	CHECK(r.images == 1 && r.forms == 1 && r.passwords == 2);
	buf_free(&l.all);
	buf_free(&out);
	/* deep nesting: the style of HTML_DEPTH elements, no more, no crash */
	buf_init(&deep);
	buf_adds(&deep, "<div style=display:none>");
	for (i = 0; i < 100000; i++)
		buf_adds(&deep, "<span>");
	buf_adds(&deep, "x");
	for (i = 0; i < 100000; i++)
		buf_adds(&deep, "</span>");
	buf_adds(&deep, "</div>y");
	reading(deep.s, &r, NULL);
	CHECK(r.hidden == 1 && r.chars == 1);
	buf_free(&deep);
	buf_free(&hidden);
}

/* Every text, seen or not, as checksums and word counts read it. */
static const char *
whole(const char *s)
{
	static struct buf text, out;
	struct html_reading r;
	struct text_para p;

	buf_reset(&text);
	buf_reset(&out);
	buf_addc(&text, '[');
	memset(&r, 0, sizeof(r));
	r.text = &text;
	text_para_init(&p, &out, 1 << 20);
	html_read(s, strlen(s), &p, &r);
	buf_addc(&text, ']');
	return text.s;
}

static void
on_tag(void *arg, const struct html_token *t)
{
	buf_printf(arg, "%s ", t->name);
}

static void
test_whole_text(void)
{
	struct html_reading r;
	struct text_para p;
	struct buf out, tags;
	const char *tagged = "<p>a<script src=s.js>x</script>"
	    "<template><img src=t.png></template><iframe><b>no</b></iframe>";

	/* a phrasing tag and a comment end no word; any other tag does */
	CHECK(strcmp(whole("V<b></b>iagra<img>ra<!-- c -->tes"),
	    "[Viagra rates]") == 0);
	CHECK(strcmp(whole("e</font=><font size=4>B"), "[eB]") == 0);
	CHECK(strcmp(whole("<o:p>a</o:p>"), "[ a ]") == 0);
	/* hidden text and titles are text; script, style, iframe are not */
	CHECK(strcmp(whole("<title>T</title><span style=display:none>h</span>"
	    "<script>s</script><style>p{}</style><iframe>i</iframe>"),
	    "[ T h      ]") == 0);
	/* references decoded, a no-break space a space; quotes as HTML has them */
	CHECK(strcmp(whole("a&nbsp;b\xc2\xa0" "c&amp;"), "[a b c&]") == 0);
	CHECK(strcmp(whole("<td height=\"1\"\">kept</td>"), "[ kept ]") == 0);
	CHECK(strcmp(whole("<img src=x.gif?q=1\">kept"), "[ kept]") == 0);
	/* every start tag reaches the tag callback, raw and skipped ones too */
	buf_init(&out);
	buf_init(&tags);
	memset(&r, 0, sizeof(r));
	r.tag = on_tag;
	r.arg = &tags;
	text_para_init(&p, &out, 1 << 20);
	html_read(tagged, strlen(tagged), &p, &r);
	CHECK(strcmp(tags.s, "p script template img iframe ") == 0);
	buf_free(&out);
	buf_free(&tags);
}

/* The text of a raw element names it, so a reading knows whose it is. */
static void
raw_name(const struct html_token *t, void *arg)
{
	if (t->kind == HTML_TEXT)
		buf_printf(arg, "%s:%.*s ", t->raw ? t->name : "", (int)t->len,
		    t->text);
}

/* n bytes of HTML onto a para of max bytes that holds before already. */
static size_t
render_onto(struct buf *out, const char *before, size_t max, const char *s,
    size_t n, int again)
{
	struct text_para p, v;
	struct html_reading r;
	struct buf vis;

	buf_reset(out);
	buf_adds(out, before);
	text_para_init(&p, out, max);
	memset(&r, 0, sizeof(r));
	if (!again) {
		html_read(s, n, &p, &r);
		return p.chars;
	}
	buf_init(&vis);
	text_para_init(&v, &vis, 1 << 20);
	html_read(s, n, &v, &r);
	text_para_rendered(&p, vis.s != NULL ? vis.s : "", vis.len);
	buf_free(&vis);
	return p.chars;
}

/*
 * A reading's visible text put onto a body: the bytes, the cut and the
 * count of characters as if the HTML were read onto the body itself.
 */
static void
test_rendered(void)
{
	static const char *const pages[] = {
		"<p>one  two</p><div>three&nbsp;four</div>x",
		"V<b></b>iagra <br><br> caf\xc3\xa9 \xe2\x82\xac\xe2\x82\xac e",
		"", "<p></p>", " lead<p>\n\ttabbed  \x01ctl</p>", NULL };
	static const char *const befores[] = { "", "before\n" };
	struct buf direct, again, raw;
	size_t i, j, max, c1, c2;
	int same = 1;

	buf_init(&direct);
	buf_init(&again);
	for (i = 0; pages[i] != NULL; i++)
		for (j = 0; j < 2; j++)
			for (max = strlen(befores[j]); max < 60; max++) {
				c1 = render_onto(&direct, befores[j], max,
				    pages[i], strlen(pages[i]), 0);
				c2 = render_onto(&again, befores[j], max,
				    pages[i], strlen(pages[i]), 1);
				if (c1 != c2 || direct.len != again.len ||
				    memcmp(direct.s, again.s, direct.len) != 0) {
					fprintf(stderr, "  page %zu before %zu "
					    "max %zu\n", i, j, max);
					same = 0;
				}
			}
	CHECK(same);
	buf_free(&direct);
	buf_free(&again);
	buf_init(&raw);
	html_tokenize("<iframe><a href=x>y</a></iframe>z<script>s</script>",
	    51, raw_name, &raw);
	CHECK(raw.s != NULL && strcmp(raw.s,
	    "iframe:<a href=x>y</a> :z script:s ") == 0);
	buf_free(&raw);
}

/*
 * The view's links: every link attribute of every tag, references
 * undone, anchors with their text; those of html_read() marked as
 * written; those in an iframe's text found and marked framed.
 */
static void
test_view(void)
{
	static const char page[] =
	    "<a href=\"http&#58;//a.example/\" background=bg.png>A <b>x</b></a>"
	    "<img src=1.png src=2.png><form action=/f><button formaction=/b>"
	    "</form><iframe src=f.html><script src=s.js></script>"
	    "<a href=in.html>in</a><xmp><img src=deep.png></xmp></iframe>"
	    "<a href=last>L</a>";
	struct html_view v;
	struct buf got;
	size_t i;

	buf_init(&got);
	html_view_read(&v, page, strlen(page));
	for (i = 0; i < v.nlinks; i++)
		buf_printf(&got, "%s.%s=%s%s%s%s%s ", v.links[i].tag,
		    v.links[i].attr, v.links[i].value,
		    v.links[i].written ? " w" : "",
		    v.links[i].framed ? " f" : "",
		    v.links[i].anchor != NULL ? "|" : "",
		    v.links[i].anchor != NULL ? v.links[i].anchor : "");
	if (strcmp(got.s, "a.href=http://a.example/ w|A x a.background=bg.png "
	    "img.src=1.png w img.src=2.png form.action=/f w "
	    "button.formaction=/b iframe.src=f.html w script.src=s.js f "
	    "a.href=in.html f img.src=deep.png f a.href=last w|L ") != 0)
		fprintf(stderr, "  got: %s\n", got.s);
	CHECK(strcmp(got.s, "a.href=http://a.example/ w|A x a.background=bg.png "
	    "img.src=1.png w img.src=2.png form.action=/f w "
	    "button.formaction=/b iframe.src=f.html w script.src=s.js f "
	    "a.href=in.html f img.src=deep.png f a.href=last w|L ") == 0);
	CHECK(strcmp(v.visible.s, "A x\nL\n") == 0);
	CHECK(v.r.images == 1 && v.r.forms == 1);
	html_view_free(&v);
	/* a flood of links: the reading keeps a bounded number */
	buf_reset(&got);
	for (i = 0; i < 30000; i++)
		buf_adds(&got, "<a href=x>");
	html_view_read(&v, got.s, got.len);
	CHECK(v.nlinks == 10000 && v.links_cut && v.ntags == 30000);
	html_view_free(&v);
	buf_free(&got);
}

static void
test_decode(void)
{
	struct buf b;
	unsigned cp;

	buf_init(&b);
	CHECK(html_charref("&lt", 3, 0, &cp) == 3 && cp == '<');
	CHECK(html_charref("&ltx", 4, 1, &cp) == 0);
	CHECK(html_charref("&", 1, 0, &cp) == 0);
	buf_reset(&b);
	utf8_put(&b, 0x1f600);
	utf8_put(&b, 0xd800);
	CHECK(strcmp(b.s, "\xf0\x9f\x98\x80\xef\xbf\xbd") == 0);
	buf_free(&b);
}

int
main(void)
{
	test_tags();
	test_comments();
	test_raw();
	test_refs();
	test_bounds();
	test_reading();
	test_whole_text();
	test_rendered();
	test_view();
	test_decode();
	printf("html-test: %d passed, %d failed\n", passed, failed);
	return failed > 0;
}
