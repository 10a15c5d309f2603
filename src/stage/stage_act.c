/*
 * stage_act.c - the stage of xd-act(1) --filter, the end of xd filter:
 * one verdict line in, its message out with the verdict in its header
 * (verdict/mark.c), for a procmail or maildrop recipe to deliver.
 * xd-act's batch delivery, --release and --list stay in its main.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "verdict/verdict.h"
#include "stage.h"

#define MAX_TAG	200	/* a tag must fit in mark.c's look at a line */

static const char *const class_names[ACT_NCLASS] = { "ham", "spam",
	"surespam" };

int
act_class_index(const char *name)
{
	int i;

	for (i = 0; i < ACT_NCLASS; i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}

/* Folder names stay below their maildir. */
int
act_check_folder(const char *key)
{
	const char *name = conf_str(key), *p;

	for (p = name; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/')) {
			xd_warnx("%s: '%s' leaves the maildir", key, name);
			return -1;
		}
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = rec_name(x, NULL), ny = rec_name(y, NULL);
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c != 0 ? c : (nx > ny) - (nx < ny);
}

/* The symbols of a line: its upper-case names, sorted, once each. */
static char *
tests_of(const struct rec *rec)
{
	const char **names = xcalloc(rec->nf, sizeof(*names));
	struct buf out;
	size_t i, n = 0;

	for (i = 1; i < rec->nf; i++)
		if (is_symbol_name(rec->f[i], rec_name(rec->f[i], NULL)))
			names[n++] = rec->f[i];
	qsort(names, n, sizeof(*names), cmp_names);
	buf_init(&out);
	buf_adds(&out, "");
	for (i = 0; i < n; i++) {
		if (i > 0 && cmp_names(&names[i], &names[i - 1]) == 0)
			continue;
		if (out.len > 0)
			buf_addc(&out, ',');
		buf_add(&out, names[i], rec_name(names[i], NULL));
	}
	free(names);
	return out.s;
}

/*
 * Read the one message line of the stream; '#' lines are skipped.  A
 * second message line means the input was split into several messages
 * where one was meant: writing only the first would lose the rest.
 */
static int
read_verdict(struct rec *rec, FILE *in)
{
	struct reader r;
	struct rec more;
	int found = 0;

	reader_init(&r, in, "<stdin>", conf_size("max_line"));
	while (reader_next(&r, rec))
		if (!rec->comment) {
			found = 1;
			break;
		}
	if (!found)
		xd_warnx("no verdict line on standard input");
	else if (rec->bad != NULL) {
		xd_warnx("<stdin>:%lu: %s", r.lineno, rec->bad);
		found = 0;
	} else {
		rec_init(&more);
		while (found && reader_next(&r, &more))
			if (!more.comment) {
				xd_warnx("<stdin>:%lu: more than one message "
				    "line; filter mode takes one", r.lineno);
				found = 0;
			}
		rec_free(&more);
	}
	reader_free(&r);
	return found;
}

/* Why a verdict line must not be written into its message, or NULL. */
static const char *
unfit(const struct rec *rec, struct buf *cls)
{
	if (rec_has(rec, "error"))
		return "the line carries error=";
	if (!rec_get(rec, "class", cls))
		return "the line has no class=";
	if (act_class_index(cls->s) == -1)
		return "the line has an unknown class=";
	return NULL;
}

static double
required_score(void)
{
	struct weights *w = weights_load(NULL);
	double t = weights_threshold(w, "spam");

	weights_free(w);
	return t;
}

/* The file xd-filter(1) spooled, from its own fstat: --spool. */
struct spool_id {
	uintmax_t dev, ino;
	intmax_t size;
};

static int
parse_spool_id(const char *arg, struct spool_id *id)
{
	char *end;

	id->dev = strtoumax(arg, &end, 10);
	if (end == arg || *end != ':')
		goto bad;
	arg = end + 1;
	id->ino = strtoumax(arg, &end, 10);
	if (end == arg || *end != ':')
		goto bad;
	arg = end + 1;
	id->size = strtoimax(arg, &end, 10);
	if (end == arg || *end != '\0' || id->size < 0)
		goto bad;
	return 0;
bad:
	xd_warnx("--spool: expected DEV:INO:SIZE");
	return -1;
}

/*
 * Whether the message open on fd is all of the file the supervisor
 * handed over: a line that names any other file, or a part of it,
 * must not be delivered in its place.
 */
static int
is_spool(int fd, const struct locator *loc, off_t len,
    const struct spool_id *id)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return 0;
	return (uintmax_t)st.st_dev == id->dev &&
	    (uintmax_t)st.st_ino == id->ino && st.st_size == id->size &&
	    loc->offset == 0 && len == st.st_size;
}

/*
 * The verdict line, for xd-filter(1)'s syslog line: into a file that
 * must not exist yet, so that no link there points the write elsewhere.
 */
static int
write_result(const char *path, const struct rec *rec)
{
	FILE *fp;
	int fd, rc;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		xd_warn("%s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = rec_write(rec, fp);
	if (fclose(fp) == EOF || rc == -1) {
		xd_warn("%s", path);
		return -1;
	}
	return 0;
}

struct act_stage {
	const char	*tag;
	struct spool_id	 id;
	const struct spool_id *spool;	/* &id, or NULL */
	const char	*result;
};

/*
 * Filter mode: one verdict line in, its message out on fd out with the
 * verdict in the header.  Any failure returns non-zero so that the
 * caller delivers the original instead.
 */
static int
filter(const struct act_stage *st, FILE *in, int out)
{
	const struct spool_id *spool = st->spool;
	struct rec rec;
	struct buf cls, score;
	struct locator loc = { NULL, 0, -1 };
	struct mark m;
	const char *why;
	char *tests = NULL;
	off_t len;
	int fd = -1, rc = XD_EXIT_SOME;
	int upstream = mark_upstream(conf_str("upstream_spam_headers"));

	rec_init(&rec);
	buf_init(&cls);
	buf_init(&score);
	if (upstream == -1) {
		xd_warnx("upstream_spam_headers = %s: expected drop or rename",
		    conf_str("upstream_spam_headers"));
		rc = XD_EXIT_USAGE;
		goto done;
	}
	if (!read_verdict(&rec, in))
		goto done;
	if ((why = unfit(&rec, &cls)) != NULL) {
		xd_warnx("%s: %s", rec_locator(&rec), why);
		goto done;
	}
	if (rec_locate(&rec, &loc, &why) == -1) {
		xd_warnx("%s: %s", rec_locator(&rec), why);
		goto done;
	}
	if ((fd = maildir_open(&loc, &len, &why)) == -1) {
		xd_warn("%s: %s", loc.path, why);
		goto done;
	}
	if (spool != NULL && !is_spool(fd, &loc, len, spool)) {
		xd_warnx("%s: not the message this filter was handed "
		    "(--spool %ju:%ju:%jd)", loc.path, spool->dev, spool->ino,
		    spool->size);
		goto done;
	}
	m.cls = cls.s;
	m.score = 0;
	if (rec_get(&rec, "score", &score) &&
	    xd_parse_double(score.s, &m.score) == -1)
		xd_warnx("%s: score=%s is no number; 0 is used",
		    loc.path, score.s);
	m.required = required_score();
	m.tests = tests = tests_of(&rec);
	m.tag = st->tag;
	m.unchecked = NULL;
	m.rename_upstream = upstream;
	if (mark_message(fd, len, out, &m, &why) == -1)
		xd_warn("%s: %s", loc.path, why);
	else if (st->result == NULL || write_result(st->result, &rec) == 0)
		rc = XD_EXIT_OK;
done:
	if (fd != -1)
		close(fd);
	free(tests);
	locator_free(&loc);
	buf_free(&cls);
	buf_free(&score);
	rec_free(&rec);
	return rc;
}

/* The subject tag: short, on one line; blank is none.  NULL: said. */
static const char *
check_tag(const char *tag)
{
	size_t i;

	if (strlen(tag) > MAX_TAG) {
		xd_warnx("subject tag longer than %d bytes", MAX_TAG);
		return NULL;
	}
	if (strpbrk(tag, "\r\n") != NULL) {
		xd_warnx("subject tag with a line break");
		return NULL;
	}
	for (i = 0; tag[i] == ' ' || tag[i] == '\t'; i++)
		;
	return tag[i] == '\0' ? "" : tag;
}

/* --- the stage: xd.conf's folders and tag, or the options' --------- */

static void *
act_open(const void *arg)
{
	static const struct act_opts conf;
	const struct act_opts *o = arg != NULL ? arg : &conf;
	struct act_stage *st = xcalloc(1, sizeof(*st));

	if (o->spool != NULL) {
		if (parse_spool_id(o->spool, &st->id) != 0)
			goto bad;
		st->spool = &st->id;
	}
	if (act_check_folder("spam_folder") != 0 ||
	    act_check_folder("surespam_folder") != 0 ||
	    (st->tag = check_tag(o->tag ? o->tag :
	    conf_str("subject_tag"))) == NULL)
		goto bad;
	st->result = o->result;
	return st;
bad:
	free(st);
	return NULL;
}

static int
act_run(void *arg, FILE *in, FILE *out)
{
	/* the message goes past stdio: nothing may wait in front of it */
	if (fflush(out) == EOF)
		return XD_WRITE_ERROR;
	return filter(arg, in, fileno(out));
}

static void
act_close(void *arg)
{
	free(arg);
}

const struct stage stage_act = { "act", act_open, act_run, act_close };
