/*
 * eol.c - the one reading of line ends and of the header's end that
 * every part of xd shares: mark.c edits the header it finds, message.c
 * hands GMime a CR message as LF, and both must agree on where the
 * header stops, or a forged field below that point would survive.
 *
 * Lines end at LF, and a CR just before the LF belongs to the ending.
 * Only a message with no LF before its first empty line ends its lines
 * at CR: old Mac mail.  The header ends at the first empty line so
 * read.  An mbox From_ line, first and ended by the message's line end,
 * is no header line.
 * Every read is bounded: a chunk at a time, from a file.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#define CHUNK	65536

void
eol_probe_init(struct eol_probe *p)
{
	p->mode = -1;
	p->bol = 1;
	p->pending = 0;
	p->cr = 0;
}

/*
 * Feed the next bytes of the message; the mode once it is decided, -1
 * while it is not.  An LF first means LF lines.  A CR that starts a
 * line read the CR way (an empty line) and is not the CR of a CR LF
 * means CR lines: no LF came before that empty line.
 */
int
eol_probe_feed(struct eol_probe *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && p->mode == -1; i++) {
		if (p->pending) {
			p->mode = s[i] == '\n' ? EOL_LF : EOL_CR;
			break;
		}
		if (s[i] == '\n')
			p->mode = EOL_LF;
		else if (s[i] == '\r') {
			p->cr = 1;
			if (p->bol)
				p->pending = 1;
			p->bol = 1;
		} else
			p->bol = 0;
	}
	return p->mode;
}

/* The mode at the end of the message: CR if it had CRs but no LF. */
int
eol_probe_end(const struct eol_probe *p)
{
	if (p->mode != -1)
		return p->mode;
	return p->pending || p->cr ? EOL_CR : EOL_LF;
}

/* The byte that ends the line at s, or NULL if not within n bytes. */
const char *
eol_find(const char *s, size_t n, int mode)
{
	return memchr(s, mode == EOL_CR ? '\r' : '\n', n);
}

static int
read_at(int fd, char *buf, size_t want, off_t at, size_t *got)
{
	ssize_t r;

	while ((r = pread(fd, buf, want, at)) == -1 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	*got = (size_t)r;
	return 0;
}

/* The mode of the len bytes at start of fd, read with pread(2). */
int
eol_mode_fd(int fd, off_t start, off_t len, int *mode)
{
	struct eol_probe p;
	char buf[CHUNK];
	off_t pos = 0;
	size_t got;

	eol_probe_init(&p);
	while (pos < len && p.mode == -1) {
		size_t want = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;

		if (read_at(fd, buf, want, start + pos, &got) == -1)
			return -1;
		if (got == 0)
			break;
		eol_probe_feed(&p, buf, got);
		pos += (off_t)got;
	}
	*mode = eol_probe_end(&p);
	return 0;
}

/*
 * The From_ line: "From " first and ended, within MSG_MAX_FROM_LINE
 * bytes, by the line end of the message's mode (in a message whose
 * lines end in CR alone, by CR): its length, or 0; and that mode.
 */
int
eol_from_line(int fd, off_t start, off_t len, off_t *from, int *mode)
{
	char buf[MSG_MAX_FROM_LINE];
	size_t got, want = len < (off_t)sizeof(buf) ? (size_t)len :
	    sizeof(buf);
	char *end;

	*from = 0;
	*mode = EOL_LF;
	if (read_at(fd, buf, want, start, &got) == -1)
		return -1;
	if (got < 5 || memcmp(buf, "From ", 5) != 0)
		return 0;
	if (memchr(buf, '\n', got) == NULL &&
	    eol_mode_fd(fd, start, len, mode) == -1)
		return -1;
	if ((end = memchr(buf, *mode == EOL_CR ? '\r' : '\n', got)) != NULL)
		*from = end - buf + 1;
	return 0;
}

static void
set_eol(struct eol_header *h, const char *eol)
{
	memcpy(h->eol, eol, strlen(eol) + 1);	/* at most "\r\n" */
}

/* Hand the first EOL_PEEK bytes of the line at off to fn. */
static int
show_line(int fd, off_t start, off_t off, off_t stop, eol_line_fn fn,
    void *arg)
{
	char peek[EOL_PEEK];
	size_t want = stop - off < EOL_PEEK ? (size_t)(stop - off) : EOL_PEEK;
	size_t got;

	if (read_at(fd, peek, want, start + off, &got) == -1)
		return -1;
	fn(peek, got, arg);
	return 0;
}

/*
 * Walk the header lines from h->from on in h->mode: set h->end, h->body
 * and h->eol, and show each header line's start to fn.
 */
static int
walk_header(int fd, off_t start, off_t len, struct eol_header *h,
    eol_line_fn fn, void *arg)
{
	char buf[CHUNK];
	const char *endc;
	off_t pos = h->from, line = h->from, stop, n;
	size_t got, i, want;
	char first = 0;		/* the first byte of the current line */
	int cr = 0;		/* the byte before was a CR */

	h->end = h->body = len;
	while (pos < len) {
		want = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
		if (read_at(fd, buf, want, start + pos, &got) == -1)
			return -1;
		if (got == 0)
			break;
		for (i = 0; i < got; i = (size_t)(endc - buf) + 1) {
			if (pos + (off_t)i == line)
				first = buf[i];
			if ((endc = eol_find(buf + i, got - i, h->mode)) == NULL) {
				cr = buf[got - 1] == '\r';
				break;
			}
			if (endc > buf + i)
				cr = endc[-1] == '\r';
			stop = pos + (endc - buf) + 1;
			n = stop - line;
			if (n == 1 || (h->mode == EOL_LF && n == 2 &&
			    first == '\r')) {
				if (h->eol[0] == '\0')
					set_eol(h, n == 2 ? "\r\n" :
					    h->mode == EOL_CR ? "\r" : "\n");
				h->end = line;
				h->body = stop;
				return 0;
			}
			set_eol(h, h->mode == EOL_CR ? "\r" :
			    cr ? "\r\n" : "\n");
			if (fn != NULL && show_line(fd, start, line, stop, fn,
			    arg) == -1)
				return -1;
			line = stop;
		}
		pos += (off_t)got;
	}
	if (line < pos && fn != NULL &&
	    show_line(fd, start, line, pos, fn, arg) == -1)
		return -1;
	h->end = h->body = pos;
	return 0;
}

/*
 * Read the header of the len bytes at start of fd (with pread(2), so
 * the file offset stays): the From_ line, the mode, where the header
 * ends and the body starts, and the ending added fields should use,
 * that of the header's last line that has one (else of the empty line,
 * else the mode's own).  fn, if not NULL, sees the first EOL_PEEK bytes
 * of every header line, continuation lines included.
 */
int
eol_header(int fd, off_t start, off_t len, struct eol_header *h,
    eol_line_fn fn, void *arg)
{
	int mode;

	memset(h, 0, sizeof(*h));
	if (eol_from_line(fd, start, len, &h->from, &mode) == -1 ||
	    eol_mode_fd(fd, start + h->from, len - h->from, &h->mode) == -1 ||
	    walk_header(fd, start, len, h, fn, arg) == -1)
		return -1;
	if (h->eol[0] == '\0')
		set_eol(h, h->mode == EOL_CR ? "\r" : "\n");
	return 0;
}
