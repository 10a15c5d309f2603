/*
 * mbox.c - where each message of an mbox file lies.
 *
 * Messages are split where mutt splits them, so that a researcher's
 * archive gives the messages its owner sees:
 *
 *  - a message starts at a From_ line, "From [SENDER] WEEKDAY MONTH DAY
 *    HH:MM[:SS] [ZONE [ZONE]] YEAR", wherever it stands (mboxo and
 *    mboxrd writers quote body lines as ">From ", which never split);
 *    a line that only starts "From " is body text;
 *  - a Content-Length: field in the header (mboxcl, mboxcl2) is
 *    believed when the byte it points past ends the file or is followed
 *    by a From_ line; then "From " lines inside the body do not split;
 *  - the empty line before a From_ line belongs to the mbox, not to the
 *    message; lines may end in LF or CR LF.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"

#define FROM_LINE_PEEK	1000	/* of a From_ line, enough for its date */
#define CL_MAX_DIGITS	18	/* a Content-Length: beyond this is junk */

struct mbox {
	FILE	*fp;
	off_t	 pos;		/* offset of the next line */
	off_t	 next;		/* offset of the next From_ line, -1, -2 */
	off_t	 size;		/* of the file, -1 when it cannot seek */
	char	 line[1024];	/* enough of a line to see a From_ line */
};

/* The next word of s: past this one and the blanks after it. */
static const char *
next_word(const char *s)
{
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
word_in(const char *s, const char *list)
{
	size_t i;

	for (i = 0; list[i] != '\0'; i += 3)
		if (strncasecmp(s, list + i, 3) == 0)
			return 1;
	return 0;
}

/* "Mon " and the like: a day name as a word of its own. */
static int
is_day_name(const char *s)
{
	return strlen(s) > 3 && (s[3] == ' ' || s[3] == '\t') &&
	    word_in(s, "MonTueWedThuFriSatSun");
}

/*
 * Past the sender: a word that may hold quoted blanks and backslash
 * escapes, and pipermail's "me at example.org".  NULL if it never ends.
 */
static const char *
skip_sender(const char *s)
{
	int quoted = 0;

	for (; *s != '\0' && (quoted || (*s != ' ' && *s != '\t')); s++) {
		if (*s == '\\' && *++s == '\0')
			return NULL;
		if (*s == '"')
			quoted = !quoted;
	}
	if (quoted || *s == '\0')
		return NULL;
	if (strncasecmp(s, " at ", 4) == 0 &&
	    (s = strchr(s + 4, ' ')) == NULL)
		return NULL;
	return next_word(s);
}

static int
is_number(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n >= min && n <= max;
}

/* HH:MM or HH:MM:SS, as a word. */
static int
is_time(const char *s)
{
	if (!is_number(s, 1, 2))
		return 0;
	s += isdigit((unsigned char)s[1]) ? 2 : 1;
	return *s == ':' && is_number(s + 1, 2, 2);
}

/*
 * "From [SENDER] WEEKDAY MONTH DAY TIME [ZONE [ZONE]] YEAR": the date
 * is what tells a From_ line from body text that starts "From ".
 */
static int
from_line_date(const char *s)
{
	if (!is_day_name(s) && ((s = skip_sender(s)) == NULL ||
	    !is_day_name(s)))
		return 0;
	s = next_word(s);
	if (is_day_name(s))	/* a sender called "Mon" */
		s = next_word(s);
	if (strlen(s) < 3 || !word_in(s, "JanFebMarAprMayJunJulAugSepOctNovDec"))
		return 0;
	s = next_word(s);
	if (!is_number(s, 1, 2))
		return 0;
	s = next_word(s);
	if (!is_time(s))
		return 0;
	s = next_word(s);
	if (isalpha((unsigned char)*s) || *s == '+' || *s == '-') {
		s = next_word(s);
		if (isalpha((unsigned char)*s))	/* "MET DST" */
			s = next_word(s);
	}
	return is_number(s, 2, 4);
}

int
mbox_is_from_line(const char *s, size_t n)
{
	char line[FROM_LINE_PEEK + 1];
	const char *p = line;
	size_t k;

	if (n < 5 || memcmp(s, "From ", 5) != 0)
		return 0;
	if (n > FROM_LINE_PEEK)
		n = FROM_LINE_PEEK;
	for (k = 5; k < n && s[k] != '\n' && s[k] != '\r' && s[k] != '\0';
	    k++)
		line[k - 5] = s[k];
	line[k - 5] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	return from_line_date(p);
}

struct mbox *
mbox_open(FILE *fp)
{
	struct mbox *mb = xcalloc(1, sizeof(*mb));

	mb->fp = fp;
	mb->pos = ftello(fp);
	mb->next = -1;
	mb->size = -1;
	if (mb->pos >= 0 && fseeko(fp, 0, SEEK_END) == 0) {
		mb->size = ftello(fp);
		if (fseeko(fp, mb->pos, SEEK_SET) != 0)
			mb->size = -1;
	}
	return mb;
}

void
mbox_close(struct mbox *mb)
{
	free(mb);
}

/*
 * Read one line: its first bytes (enough to see a From_ line) into
 * mb->line, its whole length into *full.  Returns how many bytes were
 * kept, -1 at the end of the file.
 */
static ssize_t
mbox_line(struct mbox *mb, off_t *full)
{
	size_t n = 0;
	off_t len = 0;
	int c;

	while ((c = getc_unlocked(mb->fp)) != EOF) {
		len++;
		if (n + 1 < sizeof(mb->line))
			mb->line[n++] = (char)c;
		if (c == '\n')
			break;
	}
	mb->line[n] = '\0';
	*full = len;
	mb->pos += len;
	return len == 0 ? -1 : (ssize_t)n;
}

static int
is_empty_line(const char *s, ssize_t n)
{
	return (n == 1 && s[0] == '\n') ||
	    (n == 2 && s[0] == '\r' && s[1] == '\n');
}

/* The value of a Content-Length: line, or -1. */
static off_t
content_length(const char *s)
{
	static const char name[] = "Content-Length:";
	off_t v = 0;
	size_t n = 0;

	if (strncasecmp(s, name, sizeof(name) - 1) != 0)
		return -1;
	s += sizeof(name) - 1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		if (++n > CL_MAX_DIGITS)
			return -1;
		else
			v = v * 10 + (*s - '0');
	return n > 0 ? v : -1;
}

/*
 * Read the header after a From_ line; the Content-Length: it gives, or
 * -1.  Leaves the file after the empty line that ends the header (or
 * at its end).  A From_ line inside the header does not split: MH puts
 * them there.
 */
static off_t
read_header(struct mbox *mb)
{
	off_t full, cl = -1, v;
	ssize_t n;

	while ((n = mbox_line(mb, &full)) >= 0) {
		if (is_empty_line(mb->line, n))
			break;
		if ((v = content_length(mb->line)) >= 0)
			cl = v;
	}
	return cl;
}

/*
 * Where a message whose body starts at body and is cl bytes long ends,
 * if the mbox bears that out: the end of the file, or an (empty line
 * and) From_ line there.  The offset of that From_ line, the file's size
 * at its end, or -1 when Content-Length: is not to be believed.
 */
static off_t
believed_end(struct mbox *mb, off_t body, off_t cl)
{
	static const char *const seps[] = { "", "\n", "\r\n", NULL };
	char peek[FROM_LINE_PEEK];
	size_t got, k, i;
	off_t end;

	if (mb->size < 0 || cl > mb->size - body)
		return -1;
	end = body + cl;
	if (end == mb->size)
		return end;
	if (fseeko(mb->fp, end, SEEK_SET) != 0)
		return -1;
	got = fread(peek, 1, sizeof(peek), mb->fp);
	for (i = 0; seps[i] != NULL; i++) {
		k = strlen(seps[i]);
		if (got == k && memcmp(peek, seps[i], k) == 0)
			return mb->size;
		if (got > k && memcmp(peek, seps[i], k) == 0 &&
		    mbox_is_from_line(peek + k, got - k))
			return end + (off_t)k;
	}
	return -1;
}

/* Go back to offset pos to read on from there. */
static int
mbox_seek(struct mbox *mb, off_t pos)
{
	if (fseeko(mb->fp, pos, SEEK_SET) != 0)
		return -1;
	mb->pos = pos;
	return 0;
}

/*
 * Read lines up to the next From_ line; sets mb->next to it (-2 at the
 * end of the file) and *last_empty to the offset of the last empty line.
 */
static int
scan_body(struct mbox *mb, off_t *last_empty)
{
	off_t full, linepos;
	ssize_t n;

	for (;;) {
		linepos = mb->pos;
		if ((n = mbox_line(mb, &full)) < 0) {
			if (ferror(mb->fp))
				return -1;
			mb->next = -2;
			return 0;
		}
		if (mbox_is_from_line(mb->line, (size_t)n)) {
			mb->next = linepos;
			return 0;
		}
		if (is_empty_line(mb->line, n))
			*last_empty = linepos;
	}
}

/*
 * The next message: 1 with *offset and *length, 0 at the end of the
 * file, -1 on a read error.
 */
int
mbox_next(struct mbox *mb, off_t *offset, off_t *length)
{
	off_t start, full, cl, end, body, last_empty = -1;

	if (mb->next == -1) {
		/* the first call: the file starts with its first message */
		mb->next = mb->pos;
		if (mbox_line(mb, &full) < 0)
			return ferror(mb->fp) ? -1 : 0;
	}
	if (mb->next == -2)
		return 0;
	start = mb->next;
	cl = read_header(mb);
	body = mb->pos;
	if (cl >= 0 && (end = believed_end(mb, body, cl)) >= 0) {
		*offset = start;
		*length = body + cl - start;
		if (end == mb->size) {
			mb->next = -2;
			return 1;
		}
		if (mbox_seek(mb, end) == -1 || mbox_line(mb, &full) < 0)
			return -1;
		mb->next = end;
		return 1;
	}
	if ((cl >= 0 && mbox_seek(mb, body) == -1) ||
	    scan_body(mb, &last_empty) == -1)
		return -1;
	*offset = start;
	*length = (mb->next >= 0 ? mb->next : mb->pos) - start;
	/* the separating empty line belongs to the mbox, not the message */
	if (mb->next >= 0 && last_empty > start &&
	    (last_empty == mb->next - 1 || last_empty == mb->next - 2))
		*length = last_empty - start;
	return 1;
}
