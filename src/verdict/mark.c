/*
 * mark.c - writing a verdict into a message's header the way
 * SpamAssassin does (X-Spam-Flag, X-Spam-Level, X-Spam-Status, a subject
 * tag), editing the header block at byte level so that every other byte
 * of the message stays as it was.
 *
 * xd's own fields go first, right after an mbox From_ line: a recipe
 * finds them there whatever the rest of the message looks like.  Where
 * lines and the header end is eol.c's one reading, shared with the
 * parser.  The message is streamed through two fixed buffers: a header
 * line of any length costs no memory, and the body is copied as it is.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/base.h"
#include "verdict/verdict.h"

#define IOBUF	65536
#define PEEK	1024	/* enough of a line to know its field and tag */
#define FOLD_AT	78	/* longest added header line, as RFC 5322 asks */
#define MAX_STARS 50
#define MAX_SCORE 99999.9	/* shown at most; the line keeps the real one */

struct in {
	int	 fd;
	off_t	 left;		/* bytes not yet read of what is read now */
	size_t	 pos, len;
	int	 endc;		/* the byte that ends a line: LF or CR */
	char	 buf[IOBUF];
};

struct out {
	int	 fd;
	size_t	 len;
	int	 failed;
	char	 buf[IOBUF];
};

static int
out_flush(struct out *o)
{
	if (!o->failed && xd_write_all(o->fd, o->buf, o->len) == -1)
		o->failed = 1;
	o->len = 0;
	return o->failed ? -1 : 0;
}

static void
out_add(struct out *o, const char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		if (o->len == sizeof(o->buf))
			out_flush(o);
		k = sizeof(o->buf) - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
	}
}

static void
out_adds(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Read more of the message into the buffer; 0 at its end, -1 on error. */
static int
in_fill(struct in *in)
{
	size_t want;
	ssize_t r;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	want = sizeof(in->buf) - in->len;
	if (in->left < (off_t)want)
		want = (size_t)in->left;
	if (want == 0)
		return 0;
	if ((r = xd_read(in->fd, in->buf + in->len, want)) <= 0) {
		if (r == 0)
			errno = EIO;	/* the file shrank under us */
		return -1;
	}
	in->len += (size_t)r;
	in->left -= r;
	return 1;
}

/*
 * The start of the next line: at least PEEK bytes of it, or all of it.
 * *n is 0 at the end of what is read now.
 */
static int
in_peek(struct in *in, const char **p, size_t *n)
{
	int r;

	while (in->len - in->pos < PEEK &&
	    memchr(in->buf + in->pos, in->endc, in->len - in->pos) == NULL)
		if ((r = in_fill(in)) <= 0) {
			if (r < 0)
				return -1;
			break;
		}
	*p = in->buf + in->pos;
	*n = in->len - in->pos;
	return 0;
}

static void
in_take(struct in *in, struct out *o, size_t n, int keep)
{
	if (keep)
		out_add(o, in->buf + in->pos, n);
	in->pos += n;
}

/* Pass the rest of the current line on (keep) or drop it. */
static int
in_line(struct in *in, struct out *o, int keep)
{
	char *end;
	size_t n;
	int r;

	for (;;) {
		if (in->pos == in->len && (r = in_fill(in)) <= 0)
			return r;
		n = in->len - in->pos;
		if ((end = memchr(in->buf + in->pos, in->endc, n)) != NULL) {
			in_take(in, o, (size_t)(end - (in->buf + in->pos)) + 1,
			    keep);
			return 0;
		}
		in_take(in, o, n, keep);
	}
}

/* Copy the next n bytes as they are. */
static int
in_copy(struct in *in, struct out *o, off_t n)
{
	size_t k;

	while (n > 0) {
		if (in->pos == in->len && in_fill(in) <= 0) {
			errno = EIO;
			return -1;
		}
		k = in->len - in->pos;
		if ((off_t)k > n)
			k = (size_t)n;
		in_take(in, o, k, 1);
		n -= (off_t)k;
	}
	return 0;
}

/* Copy the rest of the message as it is. */
static int
in_rest(struct in *in, struct out *o)
{
	int r;

	for (;;) {
		in_take(in, o, in->len - in->pos, 1);
		if ((r = in_fill(in)) <= 0)
			return r;
	}
}

static int
has_prefix(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(p, prefix, k) == 0;
}

/*
 * If the line starts the field name (any case, blanks allowed before
 * the colon), the offset just past the colon, else 0.
 */
static size_t
field_colon(const char *p, size_t n, const char *name)
{
	size_t i = strlen(name);

	if (!has_prefix(p, n, name))
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':' ? i + 1 : 0;
}

/* The tag without its trailing blanks: what "already tagged" looks for. */
static size_t
tag_core(const char *tag)
{
	size_t n = strlen(tag);

	while (n > 0 && isspace((unsigned char)tag[n - 1]))
		n--;
	return n;
}

/*
 * Put the tag in front of the subject on this line unless it is there
 * already; the line's bytes up to the insertion point are written here,
 * the rest by the caller.
 */
static void
tag_subject(struct in *in, struct out *o, const char *p, size_t n,
    size_t colon, const char *tag)
{
	size_t at = colon, v = colon, core = tag_core(tag);

	if (at < n && (p[at] == ' ' || p[at] == '\t'))
		at++;
	while (v < n && (p[v] == ' ' || p[v] == '\t'))
		v++;
	if (n - v >= core && strncasecmp(p + v, tag, core) == 0)
		return;
	in_take(in, o, at, 1);
	if (at == colon)
		out_adds(o, " ");
	out_adds(o, tag);
}

/*
 * Append "Name: value" folded at FOLD_AT columns: breaks go after a
 * comma or before a blank, and a continuation line starts with a tab,
 * as SpamAssassin folds X-Spam-Status.
 */
static void
add_folded(struct out *o, const char *name, const char *value,
    const char *eol)
{
	size_t col, n;
	const char *p = value;

	out_adds(o, name);
	out_adds(o, ":");
	col = strlen(name) + 1;
	while (*p != '\0') {
		/* One piece: a leading blank, then up to a comma or blank. */
		n = 1 + strcspn(p + 1, ", \t");
		if (p[n] == ',')
			n++;
		if (col > 1 && col + n > FOLD_AT && p != value) {
			out_adds(o, eol);
			out_adds(o, "\t");
			col = 1;
			if (*p == ' ' || *p == '\t') {
				p++;
				n--;
			}
		} else if (p == value && *p != ' ') {
			out_adds(o, " ");
			col++;
		}
		out_add(o, p, n);
		col += n;
		p += n;
	}
	out_adds(o, eol);
}

/*
 * xd's fields, first in the header: X-XD-Class leads, so that a recipe
 * can anchor on the message's first line (after a From_ line) and read
 * nothing a sender wrote; then SpamAssassin's three.
 */
static void
add_verdict(struct out *o, const struct mark *m, int need_subject,
    const char *eol)
{
	char stars[MAX_STARS + 1], *status;
	double score = fabs(m->score) < 0.05 ? 0.0 : m->score;
	int spam = strcmp(m->cls, "ham") != 0, i, k;

	/* A score of 1e300 would make a header line no fold can shorten. */
	score = fmax(fmin(score, MAX_SCORE), -MAX_SCORE);

	add_folded(o, "X-XD-Class", m->cls, eol);
	if (spam)
		add_folded(o, "X-Spam-Flag", "YES", eol);
	k = score >= MAX_STARS ? MAX_STARS : score >= 1 ? (int)score : 0;
	for (i = 0; i < k; i++)
		stars[i] = '*';
	stars[k] = '\0';
	add_folded(o, "X-Spam-Level", stars, eol);
	xasprintf(&status, "%s, score=%.1f required=%.1f tests=%s",
	    spam ? "Yes" : "No", score, m->required,
	    m->tests[0] != '\0' ? m->tests : "none");
	add_folded(o, "X-Spam-Status", status, eol);
	free(status);
	if (need_subject && spam && m->tag[0] != '\0') {
		char *subject = xstrndup(m->tag, tag_core(m->tag));

		add_folded(o, "Subject", subject, eol);
		free(subject);
	}
}

/* Fields a sender could forge to fool the recipes that read ours. */
static int
forged(const char *p, size_t n)
{
	return has_prefix(p, n, "X-Spam-") || has_prefix(p, n, "X-XD-");
}

static int
tagging(const struct mark *m)
{
	return m->cls != NULL && strcmp(m->cls, "ham") != 0 &&
	    m->tag[0] != '\0';
}

/* eol_header's look at each header line: is there a Subject? */
static void
saw_subject(const char *p, size_t n, void *arg)
{
	int *seen = arg;

	if (field_colon(p, n, "Subject") > 0)
		*seen = 1;
}

/*
 * The header lines after the From_ line, up to the empty line: drop the
 * X-Spam-* and X-XD-* fields with their continuation lines (or, with
 * rename_upstream, rename X-Spam-* to X-Spam-Upstream-*), tag the first
 * Subject.  Returns 0 at the header's end, -1 on a read error.
 */
static int
edit_header(struct in *in, struct out *o, const struct mark *m)
{
	const char *p;
	size_t n, colon;
	int keep = 1, subject_seen = 0;

	for (;;) {
		if (in_peek(in, &p, &n) == -1)
			return -1;
		if (n == 0)
			return 0;
		if (p[0] != ' ' && p[0] != '\t') {
			keep = !forged(p, n);
			if (!keep && m->rename_upstream &&
			    has_prefix(p, n, "X-Spam-")) {
				out_adds(o, "X-Spam-Upstream-");
				in_take(in, o, strlen("X-Spam-"), 0);
				keep = 1;
			} else if ((colon = field_colon(p, n, "Subject")) > 0) {
				if (tagging(m) && !subject_seen)
					tag_subject(in, o, p, n, colon, m->tag);
				subject_seen = 1;
			}
		}
		if (in_line(in, o, keep) == -1)
			return -1;
	}
}

/*
 * Copy the message of len bytes at fd's offset to outfd with the
 * verdict m written into its header.  The header is read twice, first
 * with pread(2) to find its end and its line ending (eol_header), so
 * fd must be a file.  Returns 0, or -1 with *why set.
 */
int
mark_message(int fd, off_t len, int outfd, const struct mark *m,
    const char **why)
{
	struct eol_header h;
	struct in *in;
	struct out *o;
	off_t start;
	int subject = 0, rc = -1;

	*why = "unreadable";
	if ((start = lseek(fd, 0, SEEK_CUR)) == -1 ||
	    eol_header(fd, start, len, &h, saw_subject, &subject) == -1)
		return -1;
	in = xmalloc(sizeof(*in));
	o = xmalloc(sizeof(*o));
	in->fd = fd;
	in->left = h.end;
	in->pos = in->len = 0;
	in->endc = h.mode == EOL_CR ? '\r' : '\n';
	o->fd = outfd;
	o->len = 0;
	o->failed = 0;
	if (in_copy(in, o, h.from) == -1)
		goto done;
	if (m->cls != NULL)
		add_verdict(o, m, !subject, h.eol);
	else
		add_folded(o, "X-XD-Unchecked", m->unchecked, h.eol);
	if (edit_header(in, o, m) == -1)
		goto done;
	in->left = len - h.end;
	if (in_rest(in, o) == -1)
		goto done;
	*why = "cannot-write";
	if (out_flush(o) == -1)
		goto done;
	rc = 0;
done:
	free(in);
	free(o);
	return rc;
}

/* upstream_spam_headers: 0 for drop, 1 for rename, -1 for neither. */
int
mark_upstream(const char *value)
{
	if (strcmp(value, "drop") == 0)
		return 0;
	if (strcmp(value, "rename") == 0)
		return 1;
	return -1;
}

/*
 * The original message, with no verdict: the fields a sender could have
 * forged are dropped (or renamed, as upstream_spam_headers in xd.conf
 * says) and X-XD-Unchecked: reason added first, so that a recipe never
 * reads a verdict xd did not give.  What filter mode delivers when a
 * check failed or ran out of its budget.
 */
int
mark_unchecked(int fd, off_t len, int outfd, const char *reason,
    const char **why)
{
	struct mark m = { NULL, 0, 0, "", "", reason, 0 };

	m.rename_upstream =
	    mark_upstream(conf_str("upstream_spam_headers")) == 1;
	return mark_message(fd, len, outfd, &m, why);
}
