/*
 * parts.c - the parts of a message, walked in order within the bounds
 * of MSG_MAX_PARTS and MSG_MAX_DEPTH, and their content: as sent,
 * decoded, and as UTF-8 text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "base/base.h"
#include "mime/mime.h"
#include "mime/message_int.h"

/*
 * Walking the MIME tree: leaves in order, message/rfc822 parts before
 * their contents, MSG_MAX_DEPTH levels deep and MSG_MAX_PARTS leaves at
 * most.  The walk reads headers only.
 */
struct walk {
	struct message	*m;
	msgpart_fn	 fn;
	void		*arg;
	size_t		 leaves;
	int		 stop;
	struct buf	 name;		/* a file name read again */
};

static void
part_describe(GMimeObject *o, struct msgpart *p, int depth,
    struct buf *name)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
	const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->type, sizeof(p->type), "%s/%s",
	    type ? type : "text", sub ? sub : "plain");
	for (i = 0; p->type[i] != '\0'; i++)
		if (p->type[i] >= 'A' && p->type[i] <= 'Z')
			p->type[i] += 'a' - 'A';
	p->charset = ct ? g_mime_content_type_get_parameter(ct, "charset") :
	    NULL;
	if (GMIME_IS_PART(o))
		p->filename = g_mime_part_get_filename(GMIME_PART(o));
	else if (cd != NULL)
		p->filename = g_mime_content_disposition_get_parameter(cd,
		    "filename");
	if (name != NULL)	/* B words read right */
		p->filename = mime_filename(o, p->filename, name);
	p->attachment = (cd != NULL &&
	    g_mime_content_disposition_is_attachment(cd)) ||
	    (p->filename != NULL && *p->filename != '\0');
	p->depth = depth;
	p->obj = o;
}

/*
 * A message/rfc822 part sent in base64 or quoted-printable: GMime takes
 * it for an opaque leaf, but mail clients (and mime4j, rspamd) open it.
 */
static int
is_encoded_message(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	GMimeContentEncoding enc;

	if (!GMIME_IS_PART(o) || ct == NULL ||
	    (!g_mime_content_type_is_type(ct, "message", "rfc822") &&
	    !g_mime_content_type_is_type(ct, "message", "global")))
		return 0;
	enc = g_mime_part_get_content_encoding(GMIME_PART(o));
	return enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE;
}

/*
 * Such a part decoded (at most max_message_size of it) and parsed, once:
 * the message is kept on the part, so that it lives as long as the
 * outer message and a second walk finds it parsed.
 */
static GMimeMessage *
encoded_message(GMimeObject *o, int depth, int *flags)
{
	static const char key[] = "xd-encoded-message";
	struct msgpart p;
	struct buf data;
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *inner;
	size_t max = conf_size("max_message_size");

	if ((inner = g_object_get_data(G_OBJECT(o), key)) != NULL)
		return inner;
	buf_init(&data);
	part_describe(o, &p, depth, NULL);	/* for its data alone */
	msgpart_data(&p, &data, max > 0 ? max : XD_MAX_MESSAGE);
	st = g_mime_stream_mem_new_with_buffer(data.s ? data.s : "", data.len);
	buf_free(&data);
	st = hdrlimit_apply(st, flags);	/* its headers and parts too */
	parser = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	inner = g_mime_parser_construct_message(parser,
	    message_options());
	g_object_unref(parser);
	g_object_unref(st);
	if (inner != NULL)
		g_object_set_data_full(G_OBJECT(o), key, inner,
		    g_object_unref);
	return inner;
}

static void
walk_object(struct walk *w, GMimeObject *o, int depth)
{
	struct msgpart p;
	GMimeMessage *inner;

	if (o == NULL || w->stop)
		return;
	if (depth > MSG_MAX_DEPTH) {
		w->m->flags |= MSG_TOO_DEEP;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n && !w->stop; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i),
			    depth + 1);
		return;
	}
	part_describe(o, &p, depth, &w->name);
	if (is_encoded_message(o)) {
		p.is_message = 1;
		if (w->fn(&p, w->arg) != 0)
			w->stop = 1;
		else if ((inner = encoded_message(o, depth,
		    &w->m->flags)) != NULL)
			walk_object(w, g_mime_message_get_mime_part(inner),
			    depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		p.is_message = 1;
		if (w->fn(&p, w->arg) != 0) {
			w->stop = 1;
			return;
		}
		if (inner != NULL)
			walk_object(w, g_mime_message_get_mime_part(inner),
			    depth + 1);
		return;
	}
	if (w->leaves >= MSG_MAX_PARTS) {
		w->m->flags |= MSG_MANY_PARTS;
		w->stop = 1;
		return;
	}
	w->leaves++;
	if (w->fn(&p, w->arg) != 0)
		w->stop = 1;
}

/*
 * Call fn for every part as described above; fn returning non-zero
 * stops the walk.  Returns the number of leaves seen.  The walk sets
 * MSG_TOO_DEEP or MSG_MANY_PARTS in the flags when it hits a bound.
 */
size_t
message_parts(struct message *m, msgpart_fn fn, void *arg)
{
	struct walk w;

	w.m = m;
	w.fn = fn;
	w.arg = arg;
	w.leaves = 0;
	w.stop = 0;
	buf_init(&w.name);
	walk_object(&w, g_mime_message_get_mime_part(m->mime), 0);
	buf_free(&w.name);
	return w.leaves;
}

/*
 * The content of a leaf as it was sent, rewound, and its transfer
 * encoding; NULL if it has none.
 */
static GMimeStream *
raw_content(const struct msgpart *p, GMimeContentEncoding *enc)
{
	GMimeDataWrapper *dw;
	GMimeStream *src;

	if (p->is_message || !GMIME_IS_PART(p->obj) ||
	    (dw = g_mime_part_get_content(GMIME_PART(p->obj))) == NULL ||
	    (src = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return NULL;
	*enc = g_mime_data_wrapper_get_encoding(dw);
	g_mime_stream_reset(src);
	return src;
}

/*
 * The content of a leaf, its transfer encoding undone, at most max
 * bytes appended to out; *whole says the content ended before max.
 * Reads through filters, never the whole part.
 */
static void
decode_into(GMimeStream *src, GMimeContentEncoding enc, struct buf *out,
    size_t max, int *whole)
{
	GMimeStream *fs;
	char tmp[8192];
	ssize_t n = 1;

	fs = g_mime_stream_filter_new(src);
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT &&
	    enc != GMIME_CONTENT_ENCODING_7BIT &&
	    enc != GMIME_CONTENT_ENCODING_8BIT &&
	    enc != GMIME_CONTENT_ENCODING_BINARY) {
		GMimeFilter *f = g_mime_filter_basic_new(enc, FALSE);

		g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
		g_object_unref(f);
	}
	while (max > 0 && (n = g_mime_stream_read(fs, tmp,
	    max < sizeof(tmp) ? max : sizeof(tmp))) > 0) {
		buf_add(out, tmp, (size_t)n);
		max -= (size_t)n;
	}
	*whole = n <= 0;
	g_object_unref(fs);
}

/*
 * What was decoded of a leaf, kept with its GMime object until the
 * message is freed: xd-check(1) runs every check on one parsed message,
 * and several read each text part (cksum, heur, bayes, urlcheck).  The
 * content decoded with the greatest bound yet asked for serves every
 * smaller bound, being its prefix; the text of a part read whole serves
 * every bound it fits in, cut there.  Bounds over PART_CACHE_MAX are
 * read as before and not kept.
 */
#define PART_CACHE_KEY	"xd-part-cache"
#define PART_CACHE_MAX	(1024 * 1024 + 8)

struct part_cache {
	struct buf	 data;		/* the decoded content, its start */
	int		 whole;		/* data is all of it */
	struct buf	 text;		/* whole: data as UTF-8, uncut */
	char		*charset;	/* text's charset, NULL undeclared */
	int		 has_text;
};

static void
part_cache_free(void *arg)
{
	struct part_cache *c = arg;

	buf_free(&c->data);
	buf_free(&c->text);
	free(c->charset);
	free(c);
}

static struct part_cache *
part_cache(const struct msgpart *p)
{
	struct part_cache *c = g_object_get_data(G_OBJECT(p->obj),
	    PART_CACHE_KEY);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		buf_init(&c->data);
		buf_init(&c->text);
		g_object_set_data_full(G_OBJECT(p->obj), PART_CACHE_KEY, c,
		    part_cache_free);
	}
	return c;
}

/*
 * The content of a leaf, its transfer encoding undone, at most max
 * bytes appended to out.  Reads through filters, never the whole part.
 */
int
msgpart_data(const struct msgpart *p, struct buf *out, size_t max)
{
	GMimeStream *src;
	GMimeContentEncoding enc;
	struct part_cache *c;
	int whole;

	if (p->is_message || !GMIME_IS_PART(p->obj))
		return -1;
	c = g_object_get_data(G_OBJECT(p->obj), PART_CACHE_KEY);
	if (c == NULL || (!c->whole && c->data.len < max)) {
		if ((src = raw_content(p, &enc)) == NULL)
			return 0;
		if (max > PART_CACHE_MAX) {
			decode_into(src, enc, out, max, &whole);
			return 0;
		}
		c = part_cache(p);
		buf_reset(&c->data);
		decode_into(src, enc, &c->data, max, &c->whole);
	}
	buf_add(out, c->data.s, c->data.len < max ? c->data.len : max);
	return 0;
}

/*
 * The longest line of a quoted-printable leaf as it was sent, in its
 * first max bytes: RFC 2045 allows 76 characters, and mail libraries
 * keep to it.  0 if the leaf is not quoted-printable.
 */
size_t
msgpart_qp_line(const struct msgpart *p, size_t max)
{
	GMimeStream *src;
	GMimeContentEncoding enc;
	char tmp[8192];
	size_t line = 0, longest = 0;
	ssize_t n, i;

	if ((src = raw_content(p, &enc)) == NULL ||
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		return 0;
	while (max > 0 && (n = g_mime_stream_read(src, tmp,
	    max < sizeof(tmp) ? max : sizeof(tmp))) > 0) {
		for (i = 0; i < n; i++) {
			if (tmp[i] == '\n') {
				line = 0;
			} else if (tmp[i] != '\r' && ++line > longest)
				longest = line;
		}
		max -= (size_t)n;
	}
	return longest;
}

static int
same_charset(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/*
 * The text, uncut, of a part read whole (the raw bytes it was made of
 * are all the content), kept for the next reader.
 */
static void
keep_text(const struct msgpart *p, size_t raw, const struct buf *text)
{
	struct part_cache *c;

	if (!GMIME_IS_PART(p->obj) || (c = g_object_get_data(G_OBJECT(p->obj),
	    PART_CACHE_KEY)) == NULL || !c->whole || c->has_text ||
	    raw != c->data.len)
		return;
	buf_reset(&c->text);
	buf_add(&c->text, text->s ? text->s : "", text->len);
	free(c->charset);
	c->charset = p->charset != NULL ? xstrdup(p->charset) : NULL;
	c->has_text = 1;
}

/*
 * The text of a text/ leaf as UTF-8: transfer encoding undone, its
 * charset converted (undeclared or unknown 8-bit text as windows-1252),
 * at most max bytes, cut on a character boundary.  -1 if not text.
 */
int
msgpart_text(const struct msgpart *p, struct buf *out, size_t max)
{
	struct buf raw;

	struct part_cache *c;

	buf_reset(out);
	if (p->is_message || strncmp(p->type, "text/", 5) != 0)
		return -1;
	if (GMIME_IS_PART(p->obj) && (c = g_object_get_data(G_OBJECT(p->obj),
	    PART_CACHE_KEY)) != NULL && c->has_text &&
	    c->data.len <= max + 8 && same_charset(c->charset, p->charset))
		buf_add(out, c->text.s, c->text.len);
	else {
		buf_init(&raw);
		/* converted text may grow: read a little more, cut after */
		msgpart_data(p, &raw, max + 8);
		utf8_convert(p->charset, raw.s ? raw.s : "", raw.len, out);
		keep_text(p, raw.len, out);
		buf_free(&raw);
	}
	if (out->len > max) {
		out->len = utf8_cut(out->s, out->len, max);
		out->s[out->len] = '\0';
	}
	return 0;
}
