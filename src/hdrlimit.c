/*
 * hdrlimit.c - the header of a message, bounded before GMime sees it.
 *
 * GMime builds an object for every header field it reads, some five
 * hundred bytes for the shortest: a million lines of "Received: x"
 * cost half a gigabyte in every tool that opens the message.  The scan
 * in message.c hands every header line to hdrlimit_line(), which finds
 * where the header goes over max_header_fields fields or
 * max_header_size bytes; hdrlimit_stream() then gives GMime the header
 * up to that field and the body after it, as if the fields past the
 * bound had never been written.
 */
#include <gmime/gmime.h>

#include "xd.h"
#include "limits.h"

/* Start counting a header that begins at start. */
void
hdrlimit_start(struct hdrlimit *h, off_t start)
{
	long long n = conf_int("max_header_fields");
	size_t size = conf_size("max_header_size");

	h->max_fields = n > 0 ? n : 1000;
	h->max_bytes = size > 0 ? (off_t)size : 1024 * 1024;
	h->start = h->field = start;
	h->cut = h->body = -1;
	h->fields = 0;
	h->why = 0;
}

static void
cut_at(struct hdrlimit *h, off_t where, int why)
{
	h->cut = where;
	h->why = why;
}

/*
 * One header line, from line to next (after its LF), whose first byte
 * is first (-1 for none); empty when it is the empty line that ends
 * the header.  Returns 1 once the header has ended.
 */
int
hdrlimit_line(struct hdrlimit *h, off_t line, off_t next, int first,
    int empty)
{
	if (h->body >= 0)
		return 1;
	if (empty) {
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

/* The scan stopped at end: a last line without LF may cross the bound. */
void
hdrlimit_end(struct hdrlimit *h, off_t end)
{
	if (h->body < 0 && h->cut < 0 && end - h->start > h->max_bytes)
		cut_at(h, h->field, MSG_BIG_HEADER);
}

/*
 * The stream GMime parses when the header was cut: the header up to
 * the cut, then the empty line and the body.  NULL when it was not
 * cut; the stream owns fd otherwise.
 */
GMimeStream *
hdrlimit_stream(const struct hdrlimit *h, int fd, off_t start, off_t end)
{
	GMimeStream *fs, *cat, *sub;

	if (h->cut < 0)
		return NULL;
	fs = g_mime_stream_fs_new_with_bounds(fd, start, end);
	cat = g_mime_stream_cat_new();
	sub = g_mime_stream_substream(fs, start, h->cut < end ? h->cut : end);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), sub);
	g_object_unref(sub);
	if (h->body >= 0 && h->body < end) {
		sub = g_mime_stream_substream(fs, h->body, end);
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), sub);
		g_object_unref(sub);
	}
	g_object_unref(fs);
	return cat;
}
