/*
 * stage_parse.c - the source of the stream, the stage of xd-parse(1):
 * read mail (files, maildirs, mbox files, standard input)
 * and write the verdict stream: one line per message with the facts
 * the checks and the scorer work from.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "net/net.h"
#include "stage.h"

#define TOOL		"xd-parse"
#define MAX_ADDRS	50	/* addresses in one to= or cc= */

static const char	*label;		/* --label ham|spam */
static int		 label_from_path;	/* --label path */
static const char	*rcpt;
static int		 single;	/* --single: a file is one message */
static int		 status = XD_EXIT_OK;
static int		 write_failed;	/* said once; no more lines */
static int		 count_only;	/* --count: how many lines, no parsing */
static unsigned long	 counted;
static struct rec	 rec;
static struct buf	 val, name;	/* scratch */
static FILE		*out;		/* where the lines go */
static void		(*each)(void *);	/* after each line */
static void		*each_arg;


/* "ham" or "spam": the last component of path that is one of them. */
static const char *
label_of(const char *path)
{
	const char *p, *found = NULL;
	size_t n;

	for (p = path; *p != '\0'; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 3 && strncmp(p, "ham", 3) == 0)
			found = "ham";
		else if (n == 4 && strncmp(p, "spam", 4) == 0)
			found = "spam";
	}
	return found;
}

static void
add(const char *key, const char *value)
{
	if (value != NULL)
		rec_add(&rec, key, value);
}

/* The value of a fact from text the message chose: clean and bounded. */
static void
add_text(const char *key, const char *text)
{
	buf_reset(&val);
	buf_adds(&val, text);
	text_clean(&val, MSG_MAX_VALUE);
	if (val.len > 0)
		rec_add(&rec, key, val.s);
}

static unsigned
add_relays(const struct message *m)
{
	struct relays rs;
	size_t i;

	if (received_walk(m, &rs) == 0) {
		add("ip", rs.first.ip);
		add_text("helo", rs.first.helo);
		add_text("rdns", rs.first.rdns);
		if (!rs.first_external)
			add("lastext", rs.lastext);
		buf_reset(&val);
		for (i = 0; i < rs.nips; i++) {
			if (i > 0)
				buf_addc(&val, ',');
			buf_adds(&val, rs.ips[i]);
		}
		add("relays", val.s);
	}
	return rs.hops;
}

/* Return-Path: the envelope sender, empty for the null sender <>. */
static void
add_mailfrom(const struct message *m)
{
	const char *v;
	int pos = 0;

	if ((v = message_header_next(m, "Return-Path", &pos)) == NULL) {
		if (message_envelope(m) != NULL)
			add_text("mailfrom", message_envelope(m));
		return;
	}
	addr_envelope(v, &val);
	rec_add(&rec, "mailfrom", val.s ? val.s : "");
}

static void
add_addrs(const struct message *m, const char *header, const char *key,
    const char *namekey, size_t max)
{
	if (message_addrs(m, header, &val, namekey ? &name : NULL, max,
	    MSG_MAX_VALUE) == 0)
		return;
	rec_add(&rec, key, val.s);
	if (namekey != NULL && name.len > 0)
		rec_add(&rec, namekey, name.s);
}

/* ISO 8601 in UTC; nothing if the date is absent or nonsense. */
static void
add_date(const struct message *m)
{
	struct tm tm;
	time_t t;

	if (message_date(m, &t) != 0 || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900)
		return;
	rec_addf(&rec, "date", "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct parts {
	unsigned	 leaves, html, attach;
};

static int
count_part(const struct msgpart *p, void *arg)
{
	struct parts *c = arg;

	if (!p->is_message) {
		c->leaves++;
		if (strcmp(p->type, "text/html") == 0)
			c->html = 1;
	}
	if (p->attachment)
		c->attach++;
	return 0;
}

static void
add_facts(struct message *m)
{
	struct parts c = { 0, 0, 0 };
	unsigned hops;

	hops = add_relays(m);
	add_mailfrom(m);
	add("rcpt", rcpt);
	add_addrs(m, "From", "from", "fromname", 1);
	add_addrs(m, "Reply-To", "replyto", NULL, MAX_ADDRS);
	add_addrs(m, "To", "to", NULL, MAX_ADDRS);
	add_addrs(m, "Cc", "cc", NULL, MAX_ADDRS);
	if (message_subject(m, &val, MSG_MAX_VALUE) && val.len > 0)
		rec_add(&rec, "subject", val.s);
	if (message_msgid(m, "Message-ID", &val, MSG_MAX_VALUE))
		rec_add(&rec, "msgid", val.s);
	if (message_msgid(m, "In-Reply-To", &val, MSG_MAX_VALUE))
		rec_add(&rec, "inreplyto", val.s);
	add_date(m);
	rec_addf(&rec, "size", "%lld", (long long)message_size(m));
	if (message_flags(m) & MSG_TRUNCATED)
		rec_add(&rec, "truncated", "1");
	rec_addf(&rec, "hops", "%u", hops);
	message_parts(m, count_part, &c);
	rec_addf(&rec, "parts", "%u", c.leaves);
	rec_addf(&rec, "html", "%u", c.html);
	rec_addf(&rec, "attach", "%u", c.attach);
}

static void
add_label(const char *path)
{
	if (label_from_path)
		add("label", label_of(path));
	else
		add("label", label);
}

/*
 * The bounds the message went over, as symbols with weights: a message
 * over a bound must never score less than the same message cut there.
 */
static void
add_limits(const struct message *m, int flags)
{
	if (flags & MSG_TRUNCATED)
		rec_addf(&rec, "MIME_LIMIT_SIZE", "%lld",
		    (long long)message_size(m));
	if (flags & MSG_MANY_PARTS)
		rec_addf(&rec, "MIME_LIMIT_PARTS", "%d", MSG_MAX_PARTS);
	if (flags & MSG_TOO_DEEP)
		rec_addf(&rec, "MIME_LIMIT_DEPTH", "%d", MSG_MAX_DEPTH);
	if (flags & MSG_MANY_FIELDS)
		add("HDR_LIMIT", "fields");
	else if (flags & MSG_BIG_HEADER)
		add("HDR_LIMIT", "bytes");
}

/* The stream cannot be written: said once, and no more is parsed. */
static void
write_error(void)
{
	if (!write_failed)
		xd_warn("write error");
	write_failed = 1;
	status = XD_EXIT_SOME;
}

/* Say what went wrong with one message, on its line and on stderr. */
static void
fail(const struct locator *loc, const char *why, int errnum)
{
	char where[64] = "";

	if (loc->length >= 0)
		snprintf(where, sizeof(where), " (offset %lld)",
		    (long long)loc->offset);
	if (errnum != 0)
		xd_warnx("%s%s: %s", loc->path, where, strerror(errnum));
	else
		xd_warnx("%s%s: %s", loc->path, where, why);
	rec_error(&rec, TOOL, why);
	status = XD_EXIT_SOME;
}

/* Write the line of the message at loc; length -1 for a whole file. */
static void
emit(const char *path, off_t offset, off_t length)
{
	struct locator loc;
	struct message *m;
	const char *why;
	int flags;

	if (count_only) {
		counted++;
		return;
	}
	loc.path = (char *)(uintptr_t)path;
	loc.offset = offset;
	loc.length = length;
	rec_from_locator(&rec, path);
	if (length >= 0) {
		rec_addf(&rec, "offset", "%lld", (long long)offset);
		rec_addf(&rec, "length", "%lld", (long long)length);
	}
	errno = 0;
	if ((m = view_message(&loc, &why)) == NULL) {
		int e = strcmp(why, "unreadable") == 0 ? errno : 0;

		add("rcpt", rcpt);
		add_label(path);
		fail(&loc, why, e);
	} else {
		add_facts(m);
		add_label(path);
		/* Over a bound the message was still read and is still
		 * judged: an error= here would let a sender turn checks off
		 * by adding parts. */
		flags = message_flags(m);
		if (flags & MSG_MANY_PARTS)
			add("limit", "parts");
		else if (flags & MSG_TOO_DEEP)
			add("limit", "depth");
		add_limits(m, flags);
		view_release(m);
	}
	if (rec_write(&rec, out) != 0)
		write_error();
	if (each != NULL)
		each(each_arg);
}

/* A line for a path that is no message at all. */
static void
emit_error(const char *path, const char *why, int errnum)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };

	if (count_only) {
		counted++;
		return;
	}
	rec_from_locator(&rec, path);
	add("rcpt", rcpt);
	add_label(path);
	fail(&loc, why, errnum);
	if (rec_write(&rec, out) != 0)
		write_error();
	if (each != NULL)
		each(each_arg);
}

/*
 * An mbox: a file whose first line is a From_ line.  Holding one
 * message it is just a file; holding more, each gets its line with
 * offset= and length=.
 */
static void
parse_mbox(const char *path, int fd)
{
	struct mbox *mb;
	off_t off[2], len[2];
	FILE *fp;
	int rc, n = 0;

	if ((fp = fdopen(fd, "r")) == NULL) {
		emit_error(path, "unreadable", errno);
		close(fd);
		return;
	}
	mb = mbox_open(fp);
	while ((rc = mbox_next(mb, &off[n > 0], &len[n > 0])) == 1) {
		if (++n == 1)
			continue;
		if (n == 2)
			emit(path, off[0], len[0]);
		emit(path, off[1], len[1]);
	}
	if (rc < 0 && n < 2)
		emit_error(path, "unreadable", errno);
	else if (rc < 0)
		xd_warn("%s", path);	/* messages after this are not seen */
	else if (n == 1)
		emit(path, 0, -1);
	mbox_close(mb);
	fclose(fp);
}

/* A file: one message, or with a From_ line first perhaps an mbox. */
static void
parse_file(const char *path, int one_message)
{
	struct stat st;
	char head[5];
	int fd;

	/* message_open() opens it and says the same of what it is not:
	 * no open and close of every file of a maildir more */
	if (one_message) {
		emit(path, 0, -1);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		emit_error(path, "unreadable", errno);
		return;
	}
	if (fstat(fd, &st) == -1) {
		emit_error(path, "unreadable", errno);
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		emit_error(path, "not-a-file", 0);
		return;
	}
	if (pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    memcmp(head, "From ", 5) == 0) {
		parse_mbox(path, fd);
		return;
	}
	close(fd);
	emit(path, 0, -1);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One folder of a maildir, its messages in name order. */
static void
parse_folder(const char *path)
{
	struct dirent *de;
	DIR *d;
	char **names = NULL;
	size_t i, n = 0, cap = 0;

	if ((d = opendir(path)) == NULL) {
		if (errno != ENOENT)
			emit_error(path, "unreadable", errno);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		char *file;

		/* A maildir holds one message a file, whatever its body
		 * looks like. */
		xasprintf(&file, "%s/%s", path, names[i]);
		parse_file(file, 1);
		free(file);
		free(names[i]);
	}
	free(names);
}

static int
is_dir(const char *dir, const char *sub)
{
	struct stat st;
	char *p;
	int rc;

	xasprintf(&p, "%s/%s", dir, sub);
	rc = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return rc;
}

/*
 * A maildir: its cur/ and new/.  One of those folders named alone is
 * read by itself, so "xd-parse corpus/ham/cur" works as it looks.
 */
static void
parse_maildir(const char *arg)
{
	char *dir = xstrdup(arg), *sub, *base;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	if (is_dir(dir, "cur") || is_dir(dir, "new")) {
		xasprintf(&sub, "%s/cur", dir);
		parse_folder(sub);
		free(sub);
		xasprintf(&sub, "%s/new", dir);
		parse_folder(sub);
		free(sub);
	} else if (strcmp(base, "cur") == 0 || strcmp(base, "new") == 0)
		parse_folder(dir);
	else
		emit_error(arg, "not-a-maildir", 0);
	free(dir);
}

/*
 * Standard input goes to a private file, so that it has a path to be
 * the locator and to be read again by later tools; whoever runs the
 * pipeline removes it.
 */
static void
parse_stdin(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path, buf[65536];
	ssize_t n;
	int fd, e = 0;

	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	xasprintf(&path, "%s/xd-stdin.XXXXXX", tmpdir);
	if ((fd = mkstemp(path)) == -1) {
		xd_warn("%s", path);
		emit_error("-", "unreadable", errno);
		free(path);
		return;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || xd_write_all(fd, buf, (size_t)n) == -1) {
			e = errno ? errno : EIO;
			break;
		}
	}
	if (close(fd) == -1 && e == 0)
		e = errno;
	if (e != 0)
		emit_error(path, "unreadable", e);
	else
		parse_file(path, single);
	free(path);
}

static void
parse_arg(const char *arg)
{
	struct stat st;

	if (strcmp(arg, "-") == 0 && count_only)
		counted++;	/* read later, by the run that parses it */
	else if (strcmp(arg, "-") == 0)
		parse_stdin();
	else if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		parse_maildir(arg);
	else
		parse_file(arg, single);
}

/* The paths, each in turn, until the stream cannot be written. */
static void
parse_args(char *const *paths, int n)
{
	int i;

	rec_init(&rec);
	buf_init(&val);
	buf_init(&name);
	for (i = 0; i < n && !write_failed; i++)
		parse_arg(paths[i]);
	rec_free(&rec);
	buf_free(&val);
	buf_free(&name);
}

static void
set_opts(const struct parse_opts *o)
{
	label = o->label;
	label_from_path = o->label_from_path;
	rcpt = o->rcpt;
	single = o->single;
}

/*
 * The lines of the messages at paths, as xd-parse writes them, into
 * fp, fn(arg) called after each (xd-check runs the stages on them).
 * Their messages are parsed through the view (mime/msgview.c), which
 * keeps them for the stages after this one.
 */
int
parse_stage(const struct parse_opts *o, char *const *paths, int n, FILE *fp,
    void (*fn)(void *), void *arg)
{
	set_opts(o);
	out = fp;
	each = fn;
	each_arg = arg;
	if (fprintf(out, "#xd-stream 1\n") < 0)
		write_error();
	parse_args(paths, n);
	if (!write_failed && (fflush(out) == EOF || ferror(out)))
		write_error();
	return status;
}

unsigned long
parse_count(const struct parse_opts *o, char *const *paths, int n)
{
	set_opts(o);
	count_only = 1;
	parse_args(paths, n);
	return counted;
}
