/*
 * message.c - open a message by its locator and parse it with GMime.
 *
 * A message of up to MEM_READ_MAX bytes is read into memory with one
 * pread; a bigger one through a bounded GMimeStreamFs, so that its
 * bodies stay on disk until a caller asks for them.  The parser keeps
 * the stream (persist-stream) either way.  Before GMime sees the message a
 * cheap scan finds the mbox From_ line and cuts the stream where the
 * message gets too big or has too many boundary-like lines: GMime
 * builds an object of about a kilobyte for every part it finds, and
 * nothing else would stop a hostile message of tiny parts.  Then
 * hdrlimit.c bounds the header fields GMime is given, for the same
 * reason.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "base/base.h"
#include "mime/mime.h"
#include "mime/message_int.h"

#define MSG_MAX_ENVELOPE	512
#define SCAN_CHUNK		(64 * 1024)
#define MEM_READ_MAX		(1 << 20)	/* read whole into memory */

static GMimeParserOptions *options;
static GMimeParser *parser;	/* construct() */

void
message_init(void)
{
	static const char *fallback[] = {
		"UTF-8", "windows-1252", "iso-8859-1", NULL
	};

	if (options != NULL)
		return;
	g_mime_init();
	options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	g_mime_parser_options_set_address_compliance_mode(options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(options,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(options,
	    TRUE);
}

/* The parser's options, for the messages inside a message (parts.c). */
GMimeParserOptions *
message_options(void)
{
	message_init();
	return options;
}

/* Give back what GMime keeps for the whole run: leak checkers stay quiet. */
void
message_shutdown(void)
{
	if (options == NULL)
		return;
	if (parser != NULL)
		g_object_unref(parser);
	parser = NULL;
	g_mime_parser_options_free(options);
	options = NULL;
	g_mime_shutdown();
}

/*
 * The scan before GMime: where the From_ line ends, where the stream
 * must stop.  Reads the region once, SCAN_CHUNK at a time.
 */
struct scan {
	off_t	 start;		/* first byte after a From_ line */
	off_t	 end;		/* where GMime stops */
	char	 envelope[MSG_MAX_ENVELOPE];
	int	 flags;
	int	 bare_cr;	/* lines end in CR alone, as eol.c reads them */
};

static void
scan_envelope(struct scan *sc, const char *line, size_t n)
{
	size_t i, j;

	for (i = 5; i < n && line[i] == ' '; i++)
		;
	for (j = 0; i < n && line[i] != ' ' && line[i] != '\t' &&
	    line[i] != '\r' && line[i] != '\n' &&
	    j + 1 < sizeof(sc->envelope); i++)
		sc->envelope[j++] = line[i];
	sc->envelope[j] = '\0';
}

/*
 * Where the From_ line of a message whose lines end in CR alone ends,
 * as eol.c reads it: the scan below only knows LF.  -1 if the message
 * is no such message or has no From_ line.
 */
static off_t
cr_from_line(int fd, off_t start, off_t end, struct scan *sc)
{
	char buf[MSG_MAX_ENVELOPE];
	off_t from;
	ssize_t n;
	int mode;

	if (eol_from_line(fd, start, end - start, &from, &mode) == -1 ||
	    mode != EOL_CR || from == 0)
		return -1;
	if ((n = pread(fd, buf, (size_t)from < sizeof(buf) ? (size_t)from :
	    sizeof(buf), start)) > 0)
		scan_envelope(sc, buf, (size_t)n);
	return start + from;
}

static int
scan_region(int fd, off_t start, off_t end, size_t max, struct scan *sc)
{
	char buf[SCAN_CHUNK];
	off_t pos = start, linestart = start, stop;
	size_t dashlines = 0;
	int bol = 1, dashes = 0, in_from = 0;

	sc->envelope[0] = '\0';
	if ((stop = cr_from_line(fd, start, end, sc)) > 0)
		start = pos = linestart = stop;
	sc->start = start;
	sc->flags = 0;
	sc->bare_cr = 0;
	for (;;) {
		size_t want, i = 0;
		ssize_t n;
		char *nl;

		stop = in_from ? start + MSG_MAX_FROM_LINE :
		    sc->start + (off_t)max;
		if (stop > end)
			stop = end;
		if (pos >= stop)
			break;
		want = (size_t)(stop - pos) < sizeof(buf) ?
		    (size_t)(stop - pos) : sizeof(buf);
		if ((n = pread(fd, buf, want, pos)) < 0)
			return -1;
		if (n == 0) {
			end = pos;	/* the file shrank */
			break;
		}
		if (pos == start && n >= 5 && memcmp(buf, "From ", 5) == 0) {
			in_from = 1;
			bol = 0;
			scan_envelope(sc, buf, (size_t)n);
		}
		while (i < (size_t)n) {
			if (bol && buf[i] == '-') {
				if (++dashes == 2) {
					bol = 0;
					if (++dashlines > MSG_MAX_DASH_LINES) {
						sc->end = linestart;
						sc->flags |= MSG_MANY_PARTS;
						return 0;
					}
				}
				i++;
				continue;
			}
			bol = 0;
			if ((nl = memchr(buf + i, '\n', (size_t)n - i)) == NULL)
				break;
			i = (size_t)(nl - buf) + 1;
			bol = 1;
			dashes = 0;
			linestart = pos + (off_t)i;
			if (in_from) {
				in_from = 0;
				sc->start = linestart;
			}
		}
		pos += n;
	}
	if (in_from) {
		/* only a From_ line, or one too long to be one */
		if (pos < end)
			return -2;
		sc->start = end;
	}
	sc->end = end;
	if (end - sc->start > (off_t)max) {
		sc->end = sc->start + (off_t)max;
		sc->flags |= MSG_TRUNCATED;
	}
	if (sc->start < sc->end) {
		/* old Mac mail ends its lines in CR alone (eol.c) */
		int mode;

		if (eol_mode_fd(fd, sc->start, sc->end - sc->start,
		    &mode) == -1)
			return -1;
		sc->bare_cr = mode == EOL_CR;
	}
	return 0;
}

/*
 * A message whose lines end in CR alone, as one that ends them in LF:
 * GMime knows no other line end.  It is read into memory (at most
 * max_message_size) with every CR that is not part of a CR LF made LF:
 * its header has no LF (eol.c), so all of it, and the empty line that
 * ends it, is read as eol.c reads them.  Cut like any other after too
 * many "--" lines.
 */
static GMimeStream *
bare_cr_stream(int fd, struct scan *sc)
{
	size_t n = (size_t)(sc->end - sc->start), i, dashlines = 0;
	char *text = xmalloc(n ? n : 1);
	ssize_t got;
	GMimeStream *st;

	if ((got = pread(fd, text, n, sc->start)) < 0)
		got = 0;
	n = (size_t)got;
	for (i = 0; i < n; i++) {
		if (text[i] == '\r' && (i + 1 == n || text[i + 1] != '\n'))
			text[i] = '\n';
		if ((i == 0 || text[i - 1] == '\n') && i + 1 < n &&
		    text[i] == '-' && text[i + 1] == '-' &&
		    ++dashlines > MSG_MAX_DASH_LINES) {
			sc->flags |= MSG_MANY_PARTS;
			n = i;
			break;
		}
	}
	st = g_mime_stream_mem_new_with_buffer(text, n);
	free(text);
	return st;
}

/*
 * A message of at most MEM_READ_MAX bytes, read with one pread into
 * memory, where GMime, hdrlimit.c and every part's reader find it
 * without a system call each 4 kB; NULL for a bigger one, which is read
 * from its file as GMime goes, or if the read fails.
 */
static GMimeStream *
memory_stream(int fd, const struct scan *sc)
{
	size_t n = (size_t)(sc->end - sc->start), got = 0;
	GByteArray *ba;
	ssize_t r;

	if (sc->end - sc->start > MEM_READ_MAX)
		return NULL;
	ba = g_byte_array_sized_new(n ? n : 1);
	while (got < n && (r = pread(fd, ba->data + got, n - got,
	    sc->start + (off_t)got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			g_byte_array_unref(ba);
			return NULL;
		}
		got += (size_t)r;	/* short: the file shrank */
	}
	g_byte_array_set_size(ba, got);
	return g_mime_stream_mem_new_with_byte_array(ba);
}

/*
 * The message in st, parsed by the one parser kept for the run: a new
 * one for every message costs more than the parsing of most.  The
 * parser keeps st (persist-stream), so bodies are read when asked for.
 */
static GMimeMessage *
construct(GMimeStream *st)
{
	if (parser == NULL)
		parser = g_mime_parser_new();
	g_mime_parser_init_with_stream(parser, st);
	g_mime_parser_set_persist_stream(parser, TRUE);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	return g_mime_parser_construct_message(parser, options);
}

/*
 * A header of its own, or one of Content-* fields only: a bare MIME
 * entity is mail too, or a sender could skip every check by sending
 * nothing but a Content-Type.
 */
static int
has_header(GMimeMessage *mime)
{
	GMimeObject *part = g_mime_message_get_mime_part(mime);

	return g_mime_header_list_get_count(
	    g_mime_object_get_header_list(GMIME_OBJECT(mime))) > 0 ||
	    (part != NULL && g_mime_header_list_get_count(
	    g_mime_object_get_header_list(part)) > 0);
}

/*
 * Open the message at loc and parse its headers and structure.  On
 * failure returns NULL and sets *why to the reason xd-stream(5) errors
 * carry ("unreadable", "not-a-file", "bad-offset", "empty", "not-mail");
 * for "unreadable" errno says more.
 */
struct message *
message_open(const struct locator *loc, const char **why)
{
	struct message *m;
	struct scan sc;
	struct stat st;
	size_t max = conf_size("max_message_size");
	off_t end;
	int fd, e, rc;

	message_init();
	if ((fd = open(loc->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*why = "unreadable";
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		errno = e;
		*why = "unreadable";
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		*why = "not-a-file";
		return NULL;
	}
	if (loc->offset > st.st_size || loc->offset < 0) {
		close(fd);
		*why = "bad-offset";
		return NULL;
	}
	end = st.st_size;
	if (loc->length >= 0 && loc->length < end - loc->offset)
		end = loc->offset + loc->length;
	if (max == 0)
		max = XD_MAX_MESSAGE;
	if ((rc = scan_region(fd, loc->offset, end, max, &sc)) != 0) {
		e = errno;
		close(fd);
		errno = e;
		*why = rc == -2 ? "not-mail" : "unreadable";
		return NULL;
	}
	if (sc.start >= end) {
		close(fd);
		*why = "empty";
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->size = end - sc.start;
	m->flags = sc.flags;
	m->received = received_memo_new();
	if (sc.envelope[0] != '\0')
		m->envelope = xstrdup(sc.envelope);
	if (sc.bare_cr) {
		m->stream = bare_cr_stream(fd, &sc);
		m->flags |= sc.flags;
		close(fd);
	} else if ((m->stream = memory_stream(fd, &sc)) != NULL)
		close(fd);
	else
		m->stream = g_mime_stream_fs_new_with_bounds(fd, sc.start,
		    sc.end);
	m->stream = hdrlimit_apply(m->stream, &m->flags);
	m->mime = construct(m->stream);
	/* a header cut to nothing was a header: that is mail, judged */
	if (m->mime == NULL || (!has_header(m->mime) &&
	    !(m->flags & (MSG_MANY_FIELDS | MSG_BIG_HEADER)))) {
		message_free(m);
		*why = "not-mail";
		return NULL;
	}
	return m;
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	if (m->free_facts != NULL)
		m->free_facts(m->facts);
	if (m->mime != NULL)
		g_object_unref(m->mime);
	if (m->stream != NULL)
		g_object_unref(m->stream);
	free(m->envelope);
	received_memo_free(m->received);
	msgpart_html_forget();	/* its parts are gone */
	free(m);
}

int
message_flags(const struct message *m)
{
	return m->flags;
}

/* Bytes of the message itself, without a From_ line, even if cut. */
off_t
message_size(const struct message *m)
{
	return m->size;
}

/* The sender on the mbox From_ line, or NULL. */
const char *
message_envelope(const struct message *m)
{
	return m->envelope;
}

static GMimeHeaderList *
headers_of(const struct message *m)
{
	return g_mime_object_get_header_list(GMIME_OBJECT(m->mime));
}

/*
 * The raw (undecoded, folded) value of the next header called name at
 * or after *pos, from the top; *pos moves past it.  NULL at the end.
 */
const char *
message_header_next(const struct message *m, const char *name, int *pos)
{
	GMimeHeaderList *hl = headers_of(m);
	int n = g_mime_header_list_get_count(hl);
	int first = tolower((unsigned char)name[0]);

	for (; *pos < n; (*pos)++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, *pos);
		const char *hn = g_mime_header_get_name(h);

		/* the first letter alone rules most out, without a call */
		if (tolower((unsigned char)hn[0]) == first &&
		    strcasecmp(hn, name) == 0) {
			const char *v = g_mime_header_get_raw_value(h);

			(*pos)++;
			return v != NULL ? v : "";
		}
	}
	return NULL;
}

/*
 * The header at index i from the top, 0 first: its raw value, its name
 * in *name; NULL past the last.  For walking every header (xd-heur).
 */
const char *
message_header_at(const struct message *m, int i, const char **name)
{
	GMimeHeaderList *hl = headers_of(m);
	GMimeHeader *h;
	const char *v;

	if (i < 0 || i >= g_mime_header_list_get_count(hl))
		return NULL;
	h = g_mime_header_list_get_header_at(hl, i);
	*name = g_mime_header_get_name(h);
	v = g_mime_header_get_raw_value(h);
	return v != NULL ? v : "";
}

/*
 * ASCII with no encoded word ("=?"): most values.  Unfolding and
 * decoding leave it as it is but for its line breaks, so that is all
 * there is to do before text_clean(), without copying it twice.
 */
static int
plain_header(const char *raw)
{
	const unsigned char *p;

	for (p = (const unsigned char *)raw; *p != '\0'; p++)
		if (*p >= 0x80 || (*p == '=' && p[1] == '?'))
			return 0;
	return 1;
}

/*
 * A raw header value unfolded and decoded (RFC 2047, rfc2047.c) as
 * clean UTF-8.  Returns 1 when an encoded word named a charset no
 * converter knows (its bytes are kept, read as undeclared text).
 */
int
message_header_decode(const char *raw, struct buf *out, size_t max)
{
	char *unfolded;
	size_t n;
	int unknown;

	buf_reset(out);
	if (plain_header(raw)) {
		while (*raw != '\0') {
			n = strcspn(raw, "\r\n");
			buf_add(out, raw, n);
			raw += n;
			raw += strspn(raw, "\r\n");
		}
		text_clean(out, max);
		return 0;
	}
	message_init();
	unfolded = g_mime_utils_header_unfold(raw);
	unknown = rfc2047_decode(unfolded, out);
	g_free(unfolded);
	text_clean(out, max);
	return unknown;
}

/* How many headers are called name. */
size_t
message_header_count(const struct message *m, const char *name)
{
	int pos = 0;
	size_t n = 0;

	while (message_header_next(m, name, &pos) != NULL)
		n++;
	return n;
}

/*
 * The first header called name, decoded (RFC 2047, 8-bit text in a
 * fallback charset) into out as clean UTF-8 of at most max bytes.
 * Returns 1 if the header is there, 2 if it is and an encoded word in
 * it named a charset no converter knows; 0 if it is not.
 */
int
message_header(const struct message *m, const char *name, struct buf *out,
    size_t max)
{
	const char *v;
	int pos = 0;

	buf_reset(out);
	if ((v = message_header_next(m, name, &pos)) == NULL)
		return 0;
	return message_header_decode(v, out, max) ? 2 : 1;
}

/* The first Subject:, decoded; GMime's own would be the last one. */
int
message_subject(const struct message *m, struct buf *out, size_t max)
{
	return message_header(m, "Subject", out, max);
}

/* Message-ID, In-Reply-To, References: the first id, without <>. */
int
message_msgid(const struct message *m, const char *name, struct buf *out,
    size_t max)
{
	GMimeReferences *refs;
	const char *v;

	buf_reset(out);
	if ((v = g_mime_object_get_header(GMIME_OBJECT(m->mime), name)) == NULL)
		return 0;
	refs = g_mime_references_parse(options, v);
	if (refs != NULL && g_mime_references_length(refs) > 0)
		buf_adds(out, g_mime_references_get_message_id(refs, 0));
	else
		buf_adds(out, v);
	if (refs != NULL)
		g_mime_references_free(refs);
	text_clean(out, max);
	return out->len > 0;
}

/* The addresses of the first header called name; unref them after. */
static InternetAddressList *
addrlist(const struct message *m, const char *name)
{
	GMimeHeader *h = g_mime_header_list_get_header(headers_of(m), name);
	InternetAddressList *l;
	const char *raw;
	struct buf fixed;

	if (h == NULL || (raw = g_mime_header_get_raw_value(h)) == NULL)
		return NULL;
	buf_init(&fixed);
	addr_list_normalise(raw, &fixed);
	l = internet_address_list_parse(options, fixed.s != NULL ? fixed.s : "");
	buf_free(&fixed);
	return l;
}

struct addrwalk {
	struct buf	*addrs;
	struct buf	*name;
	size_t		 n, max, maxbytes;
	struct buf	 one;
};

static void
addr_walk(InternetAddressList *l, struct addrwalk *w, int depth)
{
	int i, n = internet_address_list_length(l);

	for (i = 0; i < n && w->n < w->max; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth < 4)
				addr_walk(internet_address_group_get_members(
				    INTERNET_ADDRESS_GROUP(ia)), w, depth + 1);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		buf_reset(&w->one);
		buf_adds(&w->one, internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)));
		text_clean(&w->one, w->maxbytes);
		if (w->one.len == 0)
			continue;
		if (w->name != NULL && w->n == 0 &&
		    internet_address_get_name(ia) != NULL) {
			buf_adds(w->name, internet_address_get_name(ia));
			text_clean(w->name, w->maxbytes);
		}
		/* whole addresses only: stop before one that does not fit */
		if (w->addrs->len + w->one.len + 1 > w->maxbytes) {
			w->max = w->n;
			break;
		}
		if (w->addrs->len > 0)
			buf_addc(w->addrs, ',');
		buf_add(w->addrs, w->one.s, w->one.len);
		w->n++;
	}
}

/*
 * The addresses of an address header (From, Reply-To, To, Cc, Sender,
 * Bcc), comma-separated into addrs: at most max addresses and maxbytes
 * bytes.  name, if not NULL, gets the display name of the first one.
 * Returns how many addresses were put.
 */
size_t
message_addrs(const struct message *m, const char *header, struct buf *addrs,
    struct buf *name, size_t max, size_t maxbytes)
{
	InternetAddressList *l = addrlist(m, header);
	struct addrwalk w;

	buf_reset(addrs);
	if (name != NULL)
		buf_reset(name);
	if (l == NULL)
		return 0;
	w.addrs = addrs;
	w.name = name;
	w.n = 0;
	w.max = max;
	w.maxbytes = maxbytes;
	buf_init(&w.one);
	addr_walk(l, &w, 0);
	buf_free(&w.one);
	g_object_unref(l);
	return w.n;
}

/*
 * The first Date: header in seconds since the epoch; -1 if absent or
 * unparseable.
 */
int
message_date(const struct message *m, time_t *t)
{
	return message_date_parse(g_mime_object_get_header(
	    GMIME_OBJECT(m->mime), "Date"), t);
}
