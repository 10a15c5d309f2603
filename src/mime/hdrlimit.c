/*
 * hdrlimit.c - the headers of a message, bounded before GMime sees them.
 *
 * GMime builds an object for every header field it reads, some five
 * hundred bytes for the shortest: a million lines of "Received: x"
 * cost half a gigabyte in every tool that opens the message, in its
 * header, in a part's header or in an attached message's.  So the
 * message is read once first, line by line.  Its own header is cut
 * before the field that goes over max_header_fields fields or
 * max_header_size bytes, and GMime is given the header up to there and
 * the body after it, as if the fields past the bound had never been
 * written.  In the body, the runs of field lines that GMime would take
 * for a header (after a line starting "--", or after such a header) are
 * counted, and the message is cut where one of them goes over
 * max_header_fields or all of them over HDR_TOTAL_FIELDS times that,
 * or where it has too many lines starting "--" (the scan in message.c
 * cuts the message itself there already; an attached message that was
 * sent encoded is cut here).
 */
#include <string.h>

#include <gmime/gmime.h>

#include "base/base.h"
#include "mime/mime.h"

#define CHUNK			(64 * 1024)
#define HDR_TOTAL_FIELDS	20	/* all headers, in max_header_fields */

/* What the first bytes of a line make it. */
enum kind { K_START, K_NAME, K_NAME_WS, K_FIELD, K_CONT, K_OTHER };

struct line {
	gint64		 start, next;	/* its first byte, the one after LF */
	int		 b0, b1;	/* its first two bytes, or -1 */
	enum kind	 kind;
};

struct hdrlimit {
	long long	 max_fields, max_total;
	gint64		 max_bytes;
	gint64		 start;		/* first byte of the header */
	gint64		 field;		/* where the last field started */
	gint64		 cut;		/* where the header is cut, or -1 */
	gint64		 body;		/* the empty line after it, or -1 */
	gint64		 end;		/* where the message is cut, or -1 */
	long long	 fields, total;
	long long	 blkfields;	/* of the header in the body now read */
	long long	 dashes;	/* lines starting "--" in the body */
	int		 in_blk;	/* in the body: a header may be read */
	int		 why;		/* MSG_MANY_FIELDS or MSG_BIG_HEADER */
};

static void
hdrlimit_start(struct hdrlimit *h, gint64 start)
{
	long long n = conf_int("max_header_fields");
	size_t size = conf_size("max_header_size");

	memset(h, 0, sizeof(*h));
	h->max_fields = n > 0 ? n : 1000;
	h->max_total = h->max_fields * HDR_TOTAL_FIELDS;
	h->max_bytes = size > 0 ? (gint64)size : 1024 * 1024;
	h->start = h->field = start;
	h->cut = h->body = h->end = -1;
}

/* The next byte of a line's start, while its kind is undecided. */
static enum kind
kind_next(enum kind k, int c)
{
	int name = c > ' ' && c < 127 && c != ':';

	switch (k) {
	case K_START:
		if (c == ' ' || c == '\t')
			return K_CONT;
		return name ? K_NAME : K_OTHER;
	case K_NAME:
		if (c == ':')
			return K_FIELD;
		if (c == ' ' || c == '\t')
			return K_NAME_WS;
		return name ? K_NAME : K_OTHER;
	case K_NAME_WS:
		if (c == ':')
			return K_FIELD;
		return c == ' ' || c == '\t' ? K_NAME_WS : K_OTHER;
	default:
		return k;
	}
}

static int
is_empty(const struct line *l)
{
	gint64 len = l->next - 1 - l->start;

	return len == 0 || (len == 1 && l->b0 == '\r');
}

static void
cut_at(struct hdrlimit *h, gint64 where, int why)
{
	h->cut = where;
	h->why = why;
}

/* A line of the message's own header; returns 1 at its end. */
static int
top_line(struct hdrlimit *h, const struct line *l)
{
	if (is_empty(l)) {
		h->body = l->start;
		h->total = h->fields < h->max_fields ? h->fields :
		    h->max_fields;
		h->in_blk = 1;	/* the body may be a message/rfc822 */
		return 1;
	}
	if (h->cut >= 0)
		return 0;	/* past the bound: look for the end only */
	if (l->b0 != ' ' && l->b0 != '\t') {
		h->field = l->start;
		if (++h->fields > h->max_fields) {
			cut_at(h, l->start, MSG_MANY_FIELDS);
			return 0;
		}
	}
	/* a field that crosses the bound goes whole, continuations too */
	if (l->next - h->start > h->max_bytes)
		cut_at(h, h->field, MSG_BIG_HEADER);
	return 0;
}

/* A line of the body; returns 1 where the message is cut. */
static int
body_line(struct hdrlimit *h, const struct line *l)
{
	if (l->b0 == '-' && l->b1 == '-') {
		if (++h->dashes > MSG_MAX_DASH_LINES) {
			h->end = l->start;
			h->why |= MSG_MANY_PARTS;
			return 1;
		}
		h->in_blk = 1;		/* a boundary, perhaps: a header next */
		h->blkfields = 0;
		return 0;
	}
	if (!h->in_blk)
		return 0;
	if (is_empty(l)) {
		/* after a header, an attached message's may follow */
		h->in_blk = h->blkfields > 0;
		h->blkfields = 0;
		return 0;
	}
	if (l->kind == K_FIELD) {
		if (++h->blkfields > h->max_fields || ++h->total > h->max_total) {
			h->end = l->start;
			h->why |= MSG_MANY_FIELDS;
			return 1;
		}
	} else if (l->kind != K_CONT || h->blkfields == 0)
		h->in_blk = 0;
	return 0;
}

/* Read the message in st line by line, until it ends or is cut. */
static void
hdrlimit_scan(struct hdrlimit *h, GMimeStream *st)
{
	char buf[CHUNK], *nl;
	struct line l = { h->start, 0, -1, -1, K_START };
	gint64 pos = h->start;
	ssize_t n;
	size_t i, j;
	int top = 1;

	while ((n = g_mime_stream_read(st, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; ) {
			/* the first bytes decide what the line is, where
			 * it may be a header's */
			for (j = i; j < (size_t)n && buf[j] != '\n' &&
			    (l.b1 == -1 || ((top || h->in_blk) &&
			    l.kind < K_FIELD)); j++) {
				if (l.b0 == -1)
					l.b0 = (unsigned char)buf[j];
				else if (l.b1 == -1)
					l.b1 = (unsigned char)buf[j];
				l.kind = kind_next(l.kind, (unsigned char)buf[j]);
			}
			if ((nl = memchr(buf + j, '\n', (size_t)n - j)) == NULL)
				break;
			i = (size_t)(nl - buf) + 1;
			l.next = pos + (gint64)i;
			if (l.kind < K_FIELD)
				l.kind = K_OTHER;
			if (top)
				top = !top_line(h, &l);
			else if (body_line(h, &l))
				return;
			l.start = l.next;
			l.b0 = l.b1 = -1;
			l.kind = K_START;
		}
		pos += n;
	}
	/* no empty line: a last line without LF may cross the bound */
	if (top && h->cut < 0 && pos - h->start > h->max_bytes)
		cut_at(h, h->field, MSG_BIG_HEADER);
}

static void
add_part(GMimeStream *cat, GMimeStream *st, gint64 start, gint64 end)
{
	GMimeStream *sub = g_mime_stream_substream(st, start, end);

	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), sub);
	g_object_unref(sub);
}

/*
 * The stream GMime is to parse for the message in st: st itself, or
 * when a header goes over a bound, the message cut as said above; the
 * bound goes into *flags.  Takes st's reference and returns one.
 */
GMimeStream *
hdrlimit_apply(GMimeStream *st, int *flags)
{
	struct hdrlimit h;
	GMimeStream *cut;
	gint64 end;

	if (g_mime_stream_reset(st) != 0)
		return st;
	hdrlimit_start(&h, st->bound_start);
	hdrlimit_scan(&h, st);
	g_mime_stream_reset(st);
	if (h.why == 0)
		return st;
	*flags |= h.why;
	end = h.end >= 0 ? h.end : st->bound_end;
	if (h.cut < 0)
		cut = g_mime_stream_substream(st, h.start, end);
	else {
		cut = g_mime_stream_cat_new();
		add_part(cut, st, h.start, h.cut);
		if (h.body >= 0)
			add_part(cut, st, h.body, end);
	}
	g_object_unref(st);
	return cut;
}
