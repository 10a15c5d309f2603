/*
 * eol-test - for each message file, where xd's one reading of line
 * ends (src/base/eol.c) puts the end of the header, against what GMime makes
 * of the same file through message_open(), and what mark_message()
 * writes of it.  t/eol.bats drives it; any mail can be given to it.
 *
 * One line per file:
 *	FILE mode=lf|cr from=N fields=N body=N gmime=N|none ok|FAILED: why
 * and the exit status is 1 if any file FAILED.
 *
 * Checked: GMime sees as many fields as eol.c's header has lines that
 * start a field, its parser ends the header where eol.c does, and the
 * body of a message of one part, not encoded, is the file's bytes from
 * where eol.c puts the body (a CR message as message.c hands it to
 * GMime, each CR outside a CR LF made LF); mark_message() writes the
 * From_ line, then xd's fields, each ended as eol.c says, then the
 * header without one X-Spam-* or X-XD-* line, then every byte from the
 * empty line on; mark_unchecked() the same with X-XD-Unchecked alone.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "../src/base/base.h"
#include "../src/mime/mime.h"
#include "../src/url/url.h"
#include "../src/net/net.h"
#include "../src/store/store.h"
#include "../src/policy/policy.h"
#include "../src/check/check.h"
#include "../src/verdict/verdict.h"

#define MAX_BODY	(1 << 20)	/* compared with GMime's at most */

struct file {
	char	*text;
	size_t	 len;
};

static int
load(const char *path, struct file *f)
{
	struct stat st;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		return -1;
	f->len = (size_t)st.st_size;
	f->text = xmalloc(f->len + 1);
	r = pread(fd, f->text, f->len, 0);
	close(fd);
	return r == (ssize_t)f->len ? 0 : -1;
}

/*
 * A header line that starts a field: no blank first, a colon in it.
 * GMime keeps the Content-* fields with the message's part, not in the
 * message's own list, so they are not counted.
 */
struct seen {
	size_t	 fields;
	int	 encoded;	/* a transfer encoding GMime decodes */
};

static void
count_field(const char *p, size_t n, void *arg)
{
	struct seen *seen = arg;
	const char *cte = "Content-Transfer-Encoding:";

	if (n == 0 || p[0] == ' ' || p[0] == '\t' || !memchr(p, ':', n))
		return;
	if (n >= strlen(cte) && strncasecmp(p, cte, strlen(cte)) == 0 &&
	    !memmem(p, n, "7bit", 4) && !memmem(p, n, "8bit", 4) &&
	    !memmem(p, n, "binary", 6))
		seen->encoded = 1;
	if (!(n >= 8 && strncasecmp(p, "Content-", 8) == 0))
		seen->fields++;
}

/* The body of a message that is one part: its content, else "-". */
static int
gmime_body(const struct msgpart *p, void *arg)
{
	struct buf *body = arg;

	buf_reset(body);
	if (p->depth > 0 || p->is_message)
		buf_adds(body, "-");
	else
		msgpart_data(p, body, MAX_BODY);
	return 1;	/* the first part only */
}

/*
 * Where GMime's own parser ends the header of the bytes after the From_
 * line (a CR message's lone CRs as LF, as message.c hands it over, each
 * byte where it was): the offset of the empty line, or the end.
 */
static off_t
gmime_header_end(const struct file *f, const struct eol_header *h)
{
	size_t i, n = f->len - (size_t)h->from;
	char *text = xmalloc(n + 1);
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *m;
	gint64 end;

	memcpy(text, f->text + h->from, n);
	for (i = 0; h->mode == EOL_CR && i < n; i++)
		if (text[i] == '\r' && (i + 1 == n || text[i + 1] != '\n'))
			text[i] = '\n';
	st = g_mime_stream_mem_new_with_buffer(text, n);
	parser = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(parser, NULL);
	end = g_mime_parser_get_headers_end(parser);
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(st);
	free(text);
	return end < 0 ? (off_t)f->len : h->from + (off_t)end;
}

/* The body as GMime should see it: a CR message's lone CRs as LF. */
static void
expected_body(const struct file *f, const struct eol_header *h,
    struct buf *want)
{
	size_t i, n = f->len - (size_t)h->body;

	if (n > MAX_BODY)
		n = MAX_BODY;
	buf_add(want, f->text + h->body, n);
	for (i = 0; h->mode == EOL_CR && i < want->len; i++)
		if (want->s[i] == '\r' && (i + 1 == f->len - (size_t)h->body ||
		    f->text[h->body + i + 1] != '\n'))
			want->s[i] = '\n';
}

static const char *
check_gmime(const char *path, const struct file *f,
    const struct eol_header *h, const struct seen *seen, int *gfields)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };
	struct message *m;
	struct buf got, want;
	const char *why = NULL, *name;

	*gfields = -1;
	if ((m = message_open(&loc, &why)) == NULL)
		return NULL;	/* nothing GMime could read: no view to agree */
	for (*gfields = 0; message_header_at(m, *gfields, &name) != NULL;)
		(*gfields)++;
	buf_init(&got);
	buf_init(&want);
	buf_adds(&got, "-");	/* no part at all: a multipart of none */
	message_parts(m, gmime_body, &got);
	expected_body(f, h, &want);
	if ((size_t)*gfields != seen->fields)
		why = "GMime counts other fields";
	else if (gmime_header_end(f, h) != h->end)
		why = "GMime's header ends elsewhere";
	else if (strcmp(got.s, "-") != 0 && !seen->encoded &&
	    (got.len != want.len ||
	    memcmp(got.s, want.s, got.len) != 0))
		why = "GMime's body starts elsewhere";
	buf_free(&got);
	buf_free(&want);
	message_free(m);
	return why;
}

/* Is the line at p (n bytes, its ending included) an X-Spam or X-XD field? */
static int
forged_line(const char *p, size_t n)
{
	return (n >= 7 && strncasecmp(p, "X-Spam-", 7) == 0) ||
	    (n >= 5 && strncasecmp(p, "X-XD-", 5) == 0);
}

/*
 * What mark_message() wrote, o of on bytes, against the rule: first the
 * field first, then lines - 1 more of xd's.
 */
static const char *
check_output(const struct file *f, const struct eol_header *h,
    const char *o, size_t on, const char *first, int lines)
{
	size_t tail = f->len - (size_t)h->end, at, n;
	const char *end;
	char *cls;
	int forged = 0, i;

	if (on < (size_t)h->from + tail ||
	    memcmp(o, f->text, (size_t)h->from) != 0)
		return "the From_ line moved";
	if (memcmp(o + on - tail, f->text + h->end, tail) != 0)
		return "bytes from the empty line on changed";
	xasprintf(&cls, "%s%s", first, h->eol);
	at = (size_t)h->from;
	n = strlen(cls);
	i = on - at < n || memcmp(o + at, cls, n) != 0;
	free(cls);
	if (i)
		return "xd's field is not first";
	/* Past xd's fields, to the end of the kept header. */
	for (i = 0; i < lines; i++) {
		end = memchr(o + at, h->mode == EOL_CR ? '\r' : '\n', on - at);
		at = end != NULL ? (size_t)(end - o) + 1 : on;
	}
	while (at < on - tail) {
		end = eol_find(o + at, on - tail - at, h->mode);
		n = end != NULL ? (size_t)(end - (o + at)) + 1 : on - tail - at;
		if (o[at] != ' ' && o[at] != '\t')
			forged = forged_line(o + at, n);
		if (forged)
			return "a forged field was kept";
		at += n;
	}
	return NULL;
}

/*
 * Mark the file as spam, or as unchecked, into a temporary file and
 * check what came.
 */
static const char *
check_mark(const char *path, const struct file *f,
    const struct eol_header *h, int unchecked)
{
	struct mark m = { "spam", 5, 5, "", "", NULL, 0 };
	char name[] = "/tmp/eol-test.XXXXXX", *out;
	const char *why = "cannot open";
	off_t size;
	int fd, tfd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return why;
	if ((tfd = mkstemp(name)) == -1) {
		close(fd);
		return "no temporary file";
	}
	unlink(name);
	if ((unchecked ? mark_unchecked(fd, (off_t)f->len, tfd, "eol-test",
	    &why) : mark_message(fd, (off_t)f->len, tfd, &m, &why)) == 0) {
		size = lseek(tfd, 0, SEEK_END);
		out = xmalloc((size_t)size + 1);
		why = pread(tfd, out, (size_t)size, 0) != size ? "short read" :
		    unchecked ? check_output(f, h, out, (size_t)size,
		    "X-XD-Unchecked: eol-test", 1) :
		    check_output(f, h, out, (size_t)size, "X-XD-Class: spam", 4);
		free(out);
	}
	close(tfd);
	close(fd);
	return why;
}

static int
check_file(const char *path)
{
	struct eol_header h;
	struct file f;
	struct seen seen = { 0, 0 };
	const char *why;
	int fd, gfields = -1;

	if (load(path, &f) == -1 || (fd = open(path, O_RDONLY)) == -1) {
		printf("%s FAILED: unreadable\n", path);
		return 1;
	}
	if (eol_header(fd, 0, (off_t)f.len, &h, count_field, &seen) == -1)
		why = "eol_header failed";
	else if ((why = check_gmime(path, &f, &h, &seen, &gfields)) == NULL)
		if ((why = check_mark(path, &f, &h, 0)) == NULL)
			why = check_mark(path, &f, &h, 1);
	close(fd);
	printf("%s mode=%s from=%lld fields=%zu body=%lld gmime=", path,
	    h.mode == EOL_CR ? "cr" : "lf", (long long)h.from, seen.fields,
	    (long long)h.body);
	if (gfields >= 0)
		printf("%d", gfields);
	else
		printf("none");
	printf(" %s%s\n", why ? "FAILED: " : "ok", why ? why : "");
	free(f.text);
	return why != NULL;
}

int
main(int argc, char *argv[])
{
	int i, bad = 0;

	if (conf_load(NULL) != 0)
		return 2;
	for (i = 1; i < argc; i++)
		bad |= check_file(argv[i]);
	message_shutdown();
	return bad;
}
