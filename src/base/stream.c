/*
 * stream.c - reading, editing and writing verdict-stream lines, as
 * xd-stream(5) defines them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

void
reader_init(struct reader *r, FILE *fp, const char *name, size_t maxline)
{
	r->fp = fp;
	r->name = name;
	r->maxline = maxline ? maxline : XD_MAX_LINE;
	r->lineno = 0;
	r->buf = NULL;
	r->cap = 0;
}

void
reader_free(struct reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

void
rec_init(struct rec *rec)
{
	memset(rec, 0, sizeof(*rec));
}

/* Forget the fields of the last line but keep the storage. */
void
rec_clear(struct rec *rec)
{
	size_t i;

	for (i = 0; i < rec->nf; i++)
		if (rec->own[i])
			free(rec->f[i]);
	rec->nf = 0;
	rec->comment = 0;
	rec->bad = NULL;
}

void
rec_free(struct rec *rec)
{
	rec_clear(rec);
	free(rec->f);
	free(rec->own);
	free(rec->line);
	rec_init(rec);
}

static void
rec_push(struct rec *rec, char *field, int own)
{
	if (rec->nf == rec->fcap) {
		rec->fcap = rec->fcap ? rec->fcap * 2 : 32;
		rec->f = xrealloc(rec->f, rec->fcap * sizeof(*rec->f));
		rec->own = xrealloc(rec->own, rec->fcap);
	}
	rec->f[rec->nf] = field;
	rec->own[rec->nf] = (unsigned char)own;
	rec->nf++;
}

/* Read one line of at most maxline bytes into rec->line; drop the rest. */
static int
read_line(struct reader *r, struct rec *rec, size_t *len, int *toolong)
{
	FILE *fp = r->fp;
	size_t n = 0, room;
	int c;

	*toolong = 0;
	if ((c = getc_unlocked(fp)) == EOF)
		return 0;
	while (c != '\n' && c != EOF) {
		if (n >= r->maxline) {
			*toolong = 1;
			while ((c = getc_unlocked(fp)) != '\n' && c != EOF)
				;
			break;
		}
		if (n + 1 >= rec->linecap) {
			rec->linecap = rec->linecap ? rec->linecap * 2 : 4096;
			if (rec->linecap > r->maxline + 1)
				rec->linecap = r->maxline + 1;
			rec->line = xrealloc(rec->line, rec->linecap);
		}
		/* the bytes that fit, each tested for the end of the line
		 * only: the bounds are tested once the room is full */
		room = rec->linecap - 1 < r->maxline ? rec->linecap - 1 :
		    r->maxline;
		rec->line[n++] = (char)c;
		while (n < room && (c = getc_unlocked(fp)) != '\n' && c != EOF)
			rec->line[n++] = (char)c;
		if (n >= room)
			c = getc_unlocked(fp);
	}
	if (rec->line == NULL)
		rec->line = xmalloc(rec->linecap = 1);
	rec->line[n] = '\0';
	*len = n;
	r->lineno++;
	return 1;
}

int
stream_valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static int
valid_escapes(const char *s)
{
	for (; (s = strchr(s, '%')) != NULL; s += 3) {
		if (s[1] == '2' && s[2] == '5')
			continue;
		if (s[1] == '0' && (s[2] == '9' || s[2] == 'A' ||
		    s[2] == 'a' || s[2] == 'D' || s[2] == 'd'))
			continue;
		return 0;
	}
	return 1;
}

/*
 * Why a split line breaks the contract, or NULL; cr and pct: whether
 * the line has a CR or a '%' at all (most have neither).
 */
static const char *
check_fields(const struct rec *rec, int cr, int pct)
{
	size_t i;

	if (rec->f[0][0] == '\0')
		return "empty-locator";
	for (i = 0; i < rec->nf; i++) {
		const char *eq = strchr(rec->f[i], '=');

		if (cr && strchr(rec->f[i], '\r') != NULL)
			return "raw-cr";
		if (pct && !valid_escapes(rec->f[i]))
			return "bad-escape";
		if (i > 0 && (eq == NULL ||
		    !stream_valid_name(rec->f[i], (size_t)(eq - rec->f[i]))))
			return "bad-field";
	}
	return NULL;
}

/*
 * Read the next line into rec.  A line over the bound is cut at its last
 * whole field and marked; a NUL byte or a field that breaks the
 * contract marks the line too.  Returns 1, or 0 at end of input.
 */
int
reader_next(struct reader *r, struct rec *rec)
{
	size_t len;
	int toolong;
	char *p, *tab;

	rec_clear(rec);
	if (!read_line(r, rec, &len, &toolong))
		return 0;
	if (toolong && (tab = strrchr(rec->line, '\t')) != NULL) {
		*tab = '\0';
		len = (size_t)(tab - rec->line);
	}
	/* Lines are C strings from here on: a NUL would cut one short. */
	for (p = rec->line; (p = memchr(p, '\0', len - (size_t)(p -
	    rec->line))) != NULL; p++)
		*p = ' ', rec->bad = "nul-byte";
	if (!toolong && len > 0 && rec->line[0] == '#') {
		rec->comment = 1;
		rec->bad = NULL;
		rec_push(rec, rec->line, 0);
		return 1;
	}
	for (p = rec->line; ; p = tab + 1) {
		rec_push(rec, p, 0);
		if ((tab = strchr(p, '\t')) == NULL)
			break;
		*tab = '\0';
	}
	if (toolong)
		rec->bad = "line-too-long";
	else if (rec->bad == NULL)
		rec->bad = check_fields(rec,
		    memchr(rec->line, '\r', len) != NULL,
		    memchr(rec->line, '%', len) != NULL);
	return 1;
}

/* Length of a field's name; the name is the part before '='. */
size_t
rec_name(const char *field, const char **value)
{
	const char *eq = strchr(field, '=');

	if (eq == NULL) {
		if (value != NULL)
			*value = field + strlen(field);
		return strlen(field);
	}
	if (value != NULL)
		*value = eq + 1;
	return (size_t)(eq - field);
}

/* Symbols are what checks found: names that start upper-case. */
int
is_symbol_name(const char *name, size_t n)
{
	return n > 0 && name[0] >= 'A' && name[0] <= 'Z';
}

static ssize_t
rec_find(const struct rec *rec, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 1; i < rec->nf; i++)
		if (strncmp(rec->f[i], name, n) == 0 && rec->f[i][n] == '=')
			return (ssize_t)i;
	return -1;
}

const char *
rec_locator(const struct rec *rec)
{
	return rec->nf > 0 ? rec->f[0] : "";
}

/* The escaped value of the first field called name, or NULL. */
const char *
rec_raw(const struct rec *rec, const char *name)
{
	ssize_t i = rec_find(rec, name);

	return i < 0 ? NULL : rec->f[i] + strlen(name) + 1;
}

int
rec_has(const struct rec *rec, const char *name)
{
	return rec_find(rec, name) >= 0;
}

/* Unescape the value of name into out; 1 if the field is there. */
int
rec_get(const struct rec *rec, const char *name, struct buf *out)
{
	const char *v = rec_raw(rec, name);

	buf_reset(out);
	if (v == NULL)
		return 0;
	stream_unescape(v, out);
	return 1;
}

void
stream_escape(const char *s, size_t n, struct buf *out)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '%':  esc = "%25"; break;
		case '\t': esc = "%09"; break;
		case '\n': esc = "%0A"; break;
		case '\r': esc = "%0D"; break;
		default:   continue;
		}
		buf_add(out, s + start, i - start);
		buf_add(out, esc, 3);
		start = i + 1;
	}
	buf_add(out, s + start, n - start);
}

/* Appends the unescaped s to out; -1 on an escape xd-stream(5) lacks. */
int
stream_unescape(const char *s, struct buf *out)
{
	const char *pct;
	int rc = 0;

	while ((pct = strchr(s, '%')) != NULL) {
		char c = 0;

		buf_add(out, s, (size_t)(pct - s));
		if (pct[1] == '2' && pct[2] == '5')
			c = '%';
		else if (pct[1] == '0' && pct[2] == '9')
			c = '\t';
		else if (pct[1] == '0' && (pct[2] == 'A' || pct[2] == 'a'))
			c = '\n';
		else if (pct[1] == '0' && (pct[2] == 'D' || pct[2] == 'd'))
			c = '\r';
		if (c == 0) {
			buf_addc(out, '%');
			s = pct + 1;
			rc = -1;
			continue;
		}
		buf_addc(out, c);
		s = pct + 3;
	}
	buf_adds(out, s);
	return rc;
}

static char *
make_field(const char *name, const char *value)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, name);
	buf_addc(&b, '=');
	stream_escape(value, strlen(value), &b);
	return b.s;
}

/* Append name=value, escaping value. */
void
rec_add(struct rec *rec, const char *name, const char *value)
{
	rec_push(rec, make_field(name, value ? value : ""), 1);
}

void
rec_addf(struct rec *rec, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		xd_nomem();
	va_end(ap);
	rec_add(rec, name, v);
	free(v);
}

/* Replace the first field called name in place, or append it. */
void
rec_set(struct rec *rec, const char *name, const char *value)
{
	ssize_t i = rec_find(rec, name);

	if (i < 0) {
		rec_add(rec, name, value);
		return;
	}
	if (rec->own[i])
		free(rec->f[i]);
	rec->f[i] = make_field(name, value ? value : "");
	rec->own[i] = 1;
}

/* Remove every field (never the locator) for which drop() says so. */
void
rec_drop(struct rec *rec, int (*drop)(const char *, size_t, void *), void *arg)
{
	size_t i, j;

	for (i = j = 1; i < rec->nf; i++) {
		size_t n = rec_name(rec->f[i], NULL);

		if (drop(rec->f[i], n, arg)) {
			if (rec->own[i])
				free(rec->f[i]);
			continue;
		}
		rec->f[j] = rec->f[i];
		rec->own[j] = rec->own[i];
		j++;
	}
	rec->nf = j;
}

/*
 * The prefixes a tool owns: "RBL_" drops every name starting so;
 * "score=" (ending in '=') drops exactly that name.
 */
static int
drop_prefixed(const char *field, size_t namelen, void *arg)
{
	const char *const *p;

	for (p = arg; *p != NULL; p++) {
		size_t n = strlen(*p);

		if ((*p)[n - 1] == '=') {
			if (namelen == n - 1 && strncmp(field, *p, n - 1) == 0)
				return 1;
		} else if (namelen >= n && strncmp(field, *p, n) == 0)
			return 1;
	}
	return 0;
}

void
rec_drop_prefixes(struct rec *rec, const char *const *prefixes)
{
	rec_drop(rec, drop_prefixed, (void *)(uintptr_t)prefixes);
}

static int
drop_error_of(const char *field, size_t namelen, void *tool)
{
	size_t n = strlen(tool);

	return namelen == 5 && strncmp(field, "error=", 6) == 0 &&
	    strncmp(field + 6, tool, n) == 0 && field[6 + n] == ':';
}

/* Forget what this tool said went wrong on an earlier run. */
void
rec_drop_own_errors(struct rec *rec, const char *tool)
{
	rec_drop(rec, drop_error_of, (void *)(uintptr_t)tool);
}

void
rec_error(struct rec *rec, const char *tool, const char *reason)
{
	rec_addf(rec, "error", "%s:%s", tool, reason);
}

int
rec_write(const struct rec *rec, FILE *fp)
{
	size_t i;

	for (i = 0; i < rec->nf; i++) {
		if (i > 0)
			putc_unlocked('\t', fp);
		fputs(rec->f[i], fp);
	}
	putc_unlocked('\n', fp);
	return ferror(fp) ? -1 : 0;
}

/* Make rec a fresh message line for the given (unescaped) locator. */
int
rec_from_locator(struct rec *rec, const char *path)
{
	struct buf b;

	rec_clear(rec);
	buf_init(&b);
	stream_escape(path, strlen(path), &b);
	rec_push(rec, b.s, 1);
	return 0;
}

int
stream_run(FILE *in, FILE *out, const char *tool, rec_fn fn, void *arg)
{
	struct reader r;
	struct rec rec;
	unsigned long done = 0;
	int status = XD_EXIT_OK;

	reader_init(&r, in, "<stdin>", (size_t)conf_size("max_line"));
	rec_init(&rec);
	while (reader_next(&r, &rec)) {
		if (!rec.comment)
			progress_tick(++done, 0);
		if (rec.bad != NULL) {
			xd_warnx("<stdin>:%lu: %s", r.lineno, rec.bad);
			rec_drop_own_errors(&rec, tool);
			rec_error(&rec, tool, rec.bad);
			status = XD_EXIT_SOME;
		} else if (!rec.comment) {
			rec_drop_own_errors(&rec, tool);
			if (fn(&rec, arg) != 0)
				status = XD_EXIT_SOME;
		}
		if (rec_write(&rec, out) != 0)
			break;
	}
	progress_tick(done, 1);
	rec_free(&rec);
	reader_free(&r);
	return stream_io_status(in, out, status);
}

/*
 * A stream loop's end: status, or XD_WRITE_ERROR if out could not be
 * written, or XD_READ_ERROR if in could not be read, with errno kept
 * for the main to name.
 */
int
stream_io_status(FILE *in, FILE *out, int status)
{
	if (fflush(out) == EOF || ferror(out))
		return XD_WRITE_ERROR;
	if (ferror(in))
		return XD_READ_ERROR;
	return status;
}

/*
 * Where the message of a line lies: the locator's path, and for a
 * message inside an mbox the offset= and length= facts.
 */
int
rec_locate(const struct rec *rec, struct locator *loc, const char **why)
{
	struct buf b;
	const char *v, *errstr;

	loc->offset = 0;
	loc->length = -1;
	buf_init(&b);
	stream_unescape(rec_locator(rec), &b);
	loc->path = b.s ? b.s : xstrdup("");
	if ((v = rec_raw(rec, "offset")) != NULL) {
		loc->offset = xd_strtonum(v, 0, INT64_MAX, &errstr);
		if (errstr != NULL) {
			*why = "bad-offset";
			return -1;
		}
	}
	if ((v = rec_raw(rec, "length")) != NULL) {
		loc->length = xd_strtonum(v, 0, INT64_MAX, &errstr);
		if (errstr != NULL) {
			*why = "bad-length";
			return -1;
		}
	}
	return 0;
}

void
locator_free(struct locator *loc)
{
	free(loc->path);
	loc->path = NULL;
}

/*
 * Progress for long batches, to the main's sink: done, rate and time
 * left, at most twice a second, only when a tool was asked
 * (stream_progress_total, which --progress sets).
 */
unsigned long stream_progress_total;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_tick(unsigned long done, int last)
{
	static double start, shown;
	double t, rate, left;

	if (stream_progress_total == 0)
		return;
	t = now_seconds();
	if (start == 0)
		start = shown = t;
	if (!last && t - shown < 0.5)
		return;
	shown = t;
	rate = t > start ? done / (t - start) : 0;
	left = rate > 0 && stream_progress_total > done ?
	    (stream_progress_total - done) / rate : 0;
	xd_progress(last, "%lu/%lu messages, %.0f/s, %d:%02d left ",
	    done, stream_progress_total, rate, (int)left / 60,
	    (int)left % 60);
}
