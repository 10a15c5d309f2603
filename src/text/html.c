/*
 * html.c - the one HTML tokenizer: the states of the WHATWG tokenizer
 * (HTML Living Standard, 13.2.5) that mail needs, in one pass.
 *
 * Tags with attributes quoted, unquoted or bare; comments, bogus ones
 * too ("<!x>", "<?x>", "</ x>", and CDATA, which outside svg and math
 * is one); DOCTYPE as a bogus comment; script and style as raw text and
 * title and textarea as text with references but no tags; character
 * references in text and attribute values (html_charref()).  What the
 * standard calls parse errors is read as browsers read it.  A tag or
 * comment cut by the end of input is dropped, as the standard says.
 *
 * Bounds: HTML_NAME_MAX bytes of a name are kept (a longer one is an
 * unknown name, ""), HTML_ATTRS attributes of a tag, HTML_VALUE_MAX
 * bytes of a value; the rest is read and thrown away.  No state looks
 * back, so time is linear in the input.
 */
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "text/text.h"

enum state {
	DATA, TAG_OPEN, END_TAG_OPEN, TAG_NAME, BEFORE_ATTR, ATTR_NAME,
	AFTER_ATTR, BEFORE_VALUE, VALUE_DQ, VALUE_SQ, VALUE_UQ, AFTER_VALUE,
	SELF_CLOSING, MARKUP, COMMENT_START, COMMENT_START_DASH, COMMENT,
	COMMENT_END_DASH, COMMENT_END, COMMENT_END_BANG, BOGUS
};

struct tokenizer {
	const char	*s;
	size_t		 n, i;
	html_fn		 fn;
	void		*arg;
	struct html_token t;
	struct buf	 text;		/* text, or a comment's */
	struct buf	 vals;		/* the attribute values, one after another */
	size_t		 voff[HTML_ATTRS];
	size_t		 namelen;	/* of the name being read; past max: none */
	int		 dropping;	/* the attribute being read is past HTML_ATTRS */
	char		 raw[HTML_NAME_MAX]; /* the raw text element we are in */
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

static void
flush_text(struct tokenizer *z, int raw)
{
	if (z->text.len == 0)
		return;
	memset(&z->t, 0, sizeof(z->t));
	z->t.kind = HTML_TEXT;
	z->t.text = z->text.s;
	z->t.len = z->text.len;
	z->t.raw = raw;
	if (raw)		/* the element it is the text of */
		memcpy(z->t.name, z->raw, sizeof(z->t.name));
	z->fn(&z->t, z->arg);
	buf_reset(&z->text);
}

static void
new_tag(struct tokenizer *z, enum html_kind kind)
{
	flush_text(z, 0);
	memset(&z->t, 0, sizeof(z->t));
	z->t.kind = kind;
	z->namelen = 0;
	z->dropping = 0;
	buf_reset(&z->vals);
}

/* One more byte of a name (tag or attribute), kept lower case if room. */
static void
name_add(char *name, size_t *len, int c)
{
	if (*len < HTML_NAME_MAX - 1) {
		name[*len] = (char)lower(c);
		name[*len + 1] = '\0';
	} else
		name[0] = '\0';		/* too long: no name we know */
	(*len)++;
}

static void
attr_new(struct tokenizer *z, int c)
{
	struct html_attr *a;

	if (z->t.nattr >= HTML_ATTRS) {
		z->dropping = 1;
		return;
	}
	z->dropping = 0;
	a = &z->t.attr[z->t.nattr++];
	memset(a, 0, sizeof(*a));
	z->voff[z->t.nattr - 1] = z->vals.len;
	z->namelen = 0;
	name_add(a->name, &z->namelen, c);
}

static struct html_attr *
attr_cur(struct tokenizer *z)
{
	return z->dropping || z->t.nattr == 0 ? NULL :
	    &z->t.attr[z->t.nattr - 1];
}

static void
value_add(struct tokenizer *z, const char *s, size_t n)
{
	struct html_attr *a = attr_cur(z);

	if (a == NULL)
		return;
	a->has_value = 1;
	if (a->vlen + n > HTML_VALUE_MAX)
		n = HTML_VALUE_MAX - a->vlen;
	buf_add(&z->vals, s, n);
	a->vlen += n;
}

/* A character reference in a value: decoded, or the '&' as it is. */
static void
value_ref(struct tokenizer *z)
{
	struct buf one;
	unsigned cp;
	size_t k;

	if ((k = html_charref(z->s + z->i, z->n - z->i, 1, &cp)) == 0) {
		value_add(z, "&", 1);
		z->i++;
		return;
	}
	buf_init(&one);
	utf8_put(&one, cp);
	value_add(z, one.s, one.len);
	buf_free(&one);
	z->i += k;
}

/* Text: a character reference decoded, or the '&' as it is. */
static void
text_ref(struct tokenizer *z)
{
	unsigned cp;
	size_t k;

	if ((k = html_charref(z->s + z->i, z->n - z->i, 0, &cp)) == 0) {
		buf_addc(&z->text, '&');
		z->i++;
		return;
	}
	utf8_put(&z->text, cp);
	z->i += k;
}

static int
raw_kind(const char *name)
{
	static const char *const rawtext[] = {
		"script", "style", "xmp", "iframe", "noembed", "noframes", NULL
	};
	static const char *const rcdata[] = { "title", "textarea", NULL };
	size_t i;

	for (i = 0; rawtext[i] != NULL; i++)
		if (strcmp(name, rawtext[i]) == 0)
			return HTML_RAWTEXT;
	for (i = 0; rcdata[i] != NULL; i++)
		if (strcmp(name, rcdata[i]) == 0)
			return HTML_RCDATA;
	return 0;
}

static void
emit_tag(struct tokenizer *z)
{
	size_t k;

	for (k = 0; k < z->t.nattr; k++)
		z->t.attr[k].value = z->t.attr[k].has_value &&
		    z->vals.s != NULL ? z->vals.s + z->voff[k] : "";
	if (z->t.kind == HTML_START && raw_kind(z->t.name) != 0)
		memcpy(z->raw, z->t.name, sizeof(z->raw));
	z->fn(&z->t, z->arg);
}

/*
 * Text up to the next '<', NUL or (if refs) '&', at once: a run of text
 * is most of a part, and a byte at a time was most of the time taken.
 */
static void
text_run(struct tokenizer *z, int refs)
{
	size_t k = z->i + 1;

	while (k < z->n && z->s[k] != '<' && z->s[k] != '\0' &&
	    (z->s[k] != '&' || !refs))
		k++;
	buf_add(&z->text, z->s + z->i, k - z->i);
	z->i = k;
}

/*
 * Inside script, style, title...: everything up to the end tag that
 * closes the element ("</script" then white space, '/' or '>') is text;
 * references are decoded only in RCDATA (title, textarea).
 */
static void
raw_text(struct tokenizer *z)
{
	size_t len = strlen(z->raw);
	int kind = raw_kind(z->raw);

	while (z->i < z->n) {
		const char *p = z->s + z->i;
		size_t left = z->n - z->i;

		if (*p == '<' && left > len + 1 && p[1] == '/' &&
		    strncasecmp(p + 2, z->raw, len) == 0 &&
		    (left == len + 2 || is_ws(p[2 + len]) || p[2 + len] == '/' ||
		    p[2 + len] == '>'))
			break;
		if (*p == '&' && kind == HTML_RCDATA)
			text_ref(z);
		else if (*p == '\0') {
			utf8_put(&z->text, 0xfffd);
			z->i++;
		} else
			text_run(z, kind == HTML_RCDATA);
	}
	flush_text(z, kind);
	z->raw[0] = '\0';
}

static void
comment_emit(struct tokenizer *z)
{
	memset(&z->t, 0, sizeof(z->t));
	z->t.kind = HTML_COMMENT;
	z->t.text = z->text.s != NULL ? z->text.s : "";
	z->t.len = z->text.len;
	z->fn(&z->t, z->arg);
	buf_reset(&z->text);
}

static enum state
markup(struct tokenizer *z)
{
	const char *p = z->s + z->i;
	size_t left = z->n - z->i;

	flush_text(z, 0);
	if (left >= 2 && p[0] == '-' && p[1] == '-') {
		z->i += 2;
		return COMMENT_START;
	}
	if (left >= 7 && strncasecmp(p, "doctype", 7) == 0) {
		z->i += 7;	/* a DOCTYPE says nothing we use */
		return BOGUS;
	}
	return BOGUS;		/* "<![CDATA[" too, as outside svg and math */
}

/* One step of the state machine at z->i: the next state. */
static enum state
step(struct tokenizer *z, enum state st)
{
	int c = (unsigned char)z->s[z->i];
	struct html_attr *a;

	switch (st) {
	case DATA:
		if (c == '<') {
			z->i++;
			return TAG_OPEN;
		}
		if (c == '&')
			text_ref(z);
		else if (c == '\0')	/* the tree builder drops a NUL */
			z->i++;
		else
			text_run(z, 1);
		return DATA;
	case TAG_OPEN:
		if (c == '!') {
			z->i++;
			return MARKUP;
		}
		if (c == '/') {
			z->i++;
			return END_TAG_OPEN;
		}
		if (is_alpha(c)) {
			new_tag(z, HTML_START);
			return TAG_NAME;
		}
		if (c == '?') {
			flush_text(z, 0);
			return BOGUS;
		}
		buf_addc(&z->text, '<');	/* a '<' that opens nothing */
		return DATA;
	case END_TAG_OPEN:
		if (is_alpha(c)) {
			new_tag(z, HTML_END);
			return TAG_NAME;
		}
		flush_text(z, 0);
		if (c == '>') {		/* "</>" is nothing */
			z->i++;
			return DATA;
		}
		return BOGUS;
	case MARKUP:
		return markup(z);
	case TAG_NAME:
		z->i++;
		if (is_ws(c))
			return BEFORE_ATTR;
		if (c == '/')
			return SELF_CLOSING;
		if (c == '>') {
			emit_tag(z);
			return DATA;
		}
		name_add(z->t.name, &z->namelen, c == '\0' ? '?' : c);
		return TAG_NAME;
	case BEFORE_ATTR:
		if (is_ws(c)) {
			z->i++;
			return BEFORE_ATTR;
		}
		if (c == '/' || c == '>')
			return AFTER_ATTR;
		attr_new(z, c);		/* '=' too starts a name here */
		z->i++;
		return ATTR_NAME;
	case ATTR_NAME:
		if (is_ws(c) || c == '/' || c == '>')
			return AFTER_ATTR;
		z->i++;
		if (c == '=')
			return BEFORE_VALUE;
		if ((a = attr_cur(z)) != NULL)
			name_add(a->name, &z->namelen, c == '\0' ? '?' : c);
		return ATTR_NAME;
	case AFTER_ATTR:
		if (is_ws(c)) {
			z->i++;
			return AFTER_ATTR;
		}
		z->i++;
		if (c == '/')
			return SELF_CLOSING;
		if (c == '=')
			return BEFORE_VALUE;
		if (c == '>') {
			emit_tag(z);
			return DATA;
		}
		attr_new(z, c);
		return ATTR_NAME;
	case BEFORE_VALUE:
		if (is_ws(c)) {
			z->i++;
			return BEFORE_VALUE;
		}
		if (c == '"' || c == '\'') {
			z->i++;
			value_add(z, "", 0);
			return c == '"' ? VALUE_DQ : VALUE_SQ;
		}
		if (c == '>') {		/* a value missing: "" */
			z->i++;
			value_add(z, "", 0);
			emit_tag(z);
			return DATA;
		}
		return VALUE_UQ;
	case VALUE_DQ:
	case VALUE_SQ:
		if (c == (st == VALUE_DQ ? '"' : '\'')) {
			z->i++;
			return AFTER_VALUE;
		}
		if (c == '&')
			value_ref(z);
		else {
			if (c == '\0')
				value_add(z, "\xef\xbf\xbd", 3);
			else
				value_add(z, z->s + z->i, 1);
			z->i++;
		}
		return st;
	case VALUE_UQ:
		if (is_ws(c)) {
			z->i++;
			return BEFORE_ATTR;
		}
		if (c == '>') {
			z->i++;
			emit_tag(z);
			return DATA;
		}
		if (c == '&')
			value_ref(z);
		else {
			if (c == '\0')
				value_add(z, "\xef\xbf\xbd", 3);
			else	/* '"', '\'', '<', '=', '`' are errors, kept */
				value_add(z, z->s + z->i, 1);
			z->i++;
		}
		return VALUE_UQ;
	case AFTER_VALUE:
		if (is_ws(c)) {
			z->i++;
			return BEFORE_ATTR;
		}
		if (c == '/') {
			z->i++;
			return SELF_CLOSING;
		}
		if (c == '>') {
			z->i++;
			emit_tag(z);
			return DATA;
		}
		return BEFORE_ATTR;	/* a="x"b: b is a new attribute */
	case SELF_CLOSING:
		if (c == '>') {
			z->i++;
			z->t.selfclose = 1;
			emit_tag(z);
			return DATA;
		}
		return BEFORE_ATTR;
	case COMMENT_START:
		if (c == '-') {
			z->i++;
			return COMMENT_START_DASH;
		}
		if (c == '>') {		/* "<!-->" */
			z->i++;
			comment_emit(z);
			return DATA;
		}
		return COMMENT;
	case COMMENT_START_DASH:
		if (c == '-') {
			z->i++;
			return COMMENT_END;
		}
		if (c == '>') {		/* "<!--->" */
			z->i++;
			comment_emit(z);
			return DATA;
		}
		buf_addc(&z->text, '-');
		return COMMENT;
	case COMMENT:
		z->i++;
		if (c == '-')
			return COMMENT_END_DASH;
		buf_addc(&z->text, c);
		return COMMENT;
	case COMMENT_END_DASH:
		if (c == '-') {
			z->i++;
			return COMMENT_END;
		}
		buf_addc(&z->text, '-');
		return COMMENT;
	case COMMENT_END:
		z->i++;
		if (c == '>') {
			comment_emit(z);
			return DATA;
		}
		if (c == '!')
			return COMMENT_END_BANG;
		if (c == '-') {
			buf_addc(&z->text, '-');
			return COMMENT_END;
		}
		buf_add(&z->text, "--", 2);
		buf_addc(&z->text, c);
		return COMMENT;
	case COMMENT_END_BANG:
		if (c == '>') {		/* "--!>" ends it too */
			z->i++;
			comment_emit(z);
			return DATA;
		}
		buf_add(&z->text, "--!", 3);
		return c == '-' ? (z->i++, COMMENT_END_DASH) : COMMENT;
	case BOGUS:
		z->i++;
		if (c == '>') {
			comment_emit(z);
			return DATA;
		}
		buf_addc(&z->text, c == '\0' ? '?' : c);
		return BOGUS;
	}
	return DATA;
}

/*
 * Read n bytes of HTML, calling fn for each token: text (references
 * decoded, a run of it between tags at once), a start or end tag, a
 * comment.  The token and what it points to last until fn returns.
 */
void
html_tokenize(const char *s, size_t n, html_fn fn, void *arg)
{
	struct tokenizer z;
	enum state st = DATA;

	memset(&z, 0, sizeof(z));
	z.s = s;
	z.n = n;
	z.fn = fn;
	z.arg = arg;
	buf_init(&z.text);
	buf_init(&z.vals);
	while (z.i < z.n) {
		if (st == DATA && z.raw[0] != '\0') {
			raw_text(&z);
			continue;
		}
		st = step(&z, st);
	}
	switch (st) {
	case DATA:
		flush_text(&z, 0);
		break;
	case TAG_OPEN:
	case END_TAG_OPEN:	/* "<" or "</" at the end is text */
		buf_add(&z.text, st == TAG_OPEN ? "<" : "</",
		    st == TAG_OPEN ? 1 : 2);
		flush_text(&z, 0);
		break;
	case MARKUP:
	case COMMENT_START:
	case COMMENT_START_DASH:
	case COMMENT:
	case COMMENT_END_DASH:
	case COMMENT_END:
	case COMMENT_END_BANG:
	case BOGUS:		/* a comment cut by the end still is one */
		comment_emit(&z);
		break;
	default:		/* a tag cut by the end is dropped */
		break;
	}
	buf_free(&z.text);
	buf_free(&z.vals);
}

/* The value of attribute name (lower case) of a tag, or NULL. */
const struct html_attr *
html_attr(const struct html_token *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nattr; i++)
		if (strcmp(t->attr[i].name, name) == 0)
			return &t->attr[i];
	return NULL;
}
