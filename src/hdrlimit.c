/*
 * hdrlimit.c - the header of a message, bounded before GMime sees it.
 *
 * GMime builds an object for every header field it reads, some five
 * hundred bytes for the shortest: a million lines of "Received: x"
 * cost half a gigabyte in every tool that opens the message.  So the
 * header is read once first, line by line, to find where it goes over
 * max_header_fields fields or max_header_size bytes; GMime is then
 * given the header up to that field and the body after it, as if the
 * fields past the bound had never been written.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "xd.h"
#include "limits.h"

#define CHUNK	(64 * 1024)

struct hdrlimit {
	long long	 max_fields;
	gint64		 max_bytes;
	gint64		 start;		/* first byte of the header */
	gint64		 field;		/* where the last field started */
	gint64		 cut;		/* where the header is cut, or -1 */
	gint64		 body;		/* the empty line after it, or -1 */
	long long	 fields;
	int		 why;		/* MSG_MANY_FIELDS or MSG_BIG_HEADER */
};

static void
hdrlimit_start(struct hdrlimit *h, gint64 start)
{
	long long n = conf_int("max_header_fields");
	size_t size = conf_size("max_header_size");

	h->max_fields = n > 0 ? n : 1000;
	h->max_bytes = size > 0 ? (gint64)size : 1024 * 1024;
	h->start = h->field = start;
	h->cut = h->body = -1;
	h->fields = 0;
	h->why = 0;
}

static void
cut_at(struct hdrlimit *h, gint64 where, int why)
{
	h->cut = where;
	h->why = why;
}

/*
 * One header line, from line to next (after its LF), whose first byte
 * is first.  Returns 1 once the header has ended.
 */
static int
hdrlimit_line(struct hdrlimit *h, gint64 line, gint64 next, int first)
{
	gint64 len = next - 1 - line;

	if (len == 0 || (len == 1 && first == '\r')) {
		h->body = line;
		return 1;
	}
	if (h->cut >= 0)
		return 0;	/* past the bound: look for the end only */
	if (first != ' ' && first != '\t') {
		h->field = line;
		if (++h->fields > h->max_fields) {
			cut_at(h, line, MSG_MANY_FIELDS);
			return 0;
		}
	}
	/* a field that crosses the bound goes whole, continuations too */
	if (next - h->start > h->max_bytes)
		cut_at(h, h->field, MSG_BIG_HEADER);
	return 0;
}

/* Read the header of st from its start up to the empty line after it. */
static void
hdrlimit_scan(struct hdrlimit *h, GMimeStream *st)
{
	char buf[CHUNK], *nl;
	gint64 pos = h->start, line = h->start;
	ssize_t n;
	size_t i;
	int first = -1, bol = 1;

	while ((n = g_mime_stream_read(st, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; ) {
			if (bol)
				first = (unsigned char)buf[i];
			bol = 0;
			if ((nl = memchr(buf + i, '\n', (size_t)n - i)) == NULL)
				break;
			i = (size_t)(nl - buf) + 1;
			if (hdrlimit_line(h, line, pos + (gint64)i, first))
				return;
			line = pos + (gint64)i;
			bol = 1;
		}
		pos += n;
	}
	/* no empty line: a last line without LF may cross the bound */
	if (h->cut < 0 && pos - h->start > h->max_bytes)
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
 * when its header goes over a bound, the header up to the field that
 * does, then the empty line and the body; the bound goes into *flags.
 * Takes st's reference and returns one.
 */
GMimeStream *
hdrlimit_apply(GMimeStream *st, int *flags)
{
	struct hdrlimit h;
	GMimeStream *cat;

	if (g_mime_stream_reset(st) != 0)
		return st;
	hdrlimit_start(&h, st->bound_start);
	hdrlimit_scan(&h, st);
	g_mime_stream_reset(st);
	if (h.cut < 0)
		return st;
	*flags |= h.why;
	cat = g_mime_stream_cat_new();
	add_part(cat, st, h.start, h.cut);
	if (h.body >= 0)
		add_part(cat, st, h.body, st->bound_end);
	g_object_unref(st);
	return cat;
}
