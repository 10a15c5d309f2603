/*
 * xd-act - act on verdicts: deliver ham and quarantine spam into
 * maildirs (batch), mark one message for a procmail or maildrop recipe
 * (--filter), or give quarantined messages back (--release).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "net/net.h"
#include "policy/policy.h"
#include "check/check.h"
#include "verdict/verdict.h"
#include "stage/stage.h"
#include "tools/tool.h"

#define TOOL	"xd-act"
#define MAX_TAG	200	/* a tag must fit in mark.c's look at a line */

enum { HAM, SPAM, SURESPAM, NCLASS };
static const char *const class_names[NCLASS] = { "ham", "spam", "surespam" };

/* The one field xd-act owns, for rec_drop_prefixes. */
static const char *const own[] = { "action=", NULL };

struct batch {
	char	*dir[NCLASS];	/* where each class goes, or NULL */
	char	*ready[NCLASS];	/* the maildir, once it was made */
	int	 move, force;
};

static const char synopsis[] =
    "[-fm] [-d dir] [-q dir] [--spam-folder name] [--surespam-folder name] < stream\n"
    "-F [-t tag] [--spool dev:ino:size] [--result file] < stream > message\n"
    "-r [-D] [-d dir] file ...\n"
    "-l [dir]";
static const char options[] =
    "  -d, --deliver DIR         deliver ham into the maildir DIR (release: the inbox)\n"
    "  -q, --quarantine DIR      spam into DIR/.Spam, surespam into DIR/.Quarantine\n"
    "      --spam-folder NAME    the spam folder under the quarantine maildir\n"
    "      --surespam-folder NAME  the surespam folder\n"
    "  -m, --move                remove each source once its copy is safe\n"
    "  -f, --force               act again on lines that already have an action\n"
    "  -F, --filter              write the message of one line with X-Spam headers\n"
    "  -t, --tag TEXT            a subject tag for spam in filter mode (none by default)\n"
    "      --spool DEV:INO:SIZE  filter mode: the line must name this file, whole\n"
    "      --result FILE         filter mode: the verdict line into FILE, made new\n"
    "  -r, --release             move quarantined files back to the inbox,\n"
    "                            learn them as ham and allow their senders\n"
    "  -D, --domain              release: allow the sender's whole domain\n"
    "  -l, --list                the quarantine folder of dir (or of quarantine\n"
    "                            in xd.conf), one message a line\n"
    "  -h, --help                this help\n"
    "  -V, --version             the version";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

static int
class_index(const char *name)
{
	int i;

	for (i = 0; i < NCLASS; i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}

/* The maildir for class c, made on first use; NULL if it cannot be. */
static const char *
destination(struct batch *b, int c)
{
	const char *folder = c == SPAM ? conf_str("spam_folder") :
	    c == SURESPAM ? conf_str("surespam_folder") : "";

	if (b->ready[c] == NULL)
		b->ready[c] = maildir_folder(b->dir[c], folder);
	return b->ready[c];
}

/* An earlier run delivered this line's message: do not do it twice. */
static int
delivered_before(const struct rec *rec)
{
	const char *a = rec_raw(rec, "action");

	return a != NULL && (strncmp(a, "deliver:", 8) == 0 ||
	    strncmp(a, "quarantine:", 11) == 0);
}

static int
fail(struct rec *rec, const char *path, const char *why)
{
	xd_warn("%s: %s", path, why);
	rec_error(rec, TOOL, why);
	return 1;
}

/* Copy, or move, the message of loc into dir; the action says which. */
static int
deliver(struct rec *rec, struct batch *b, const char *dir,
    const struct locator *loc, const char *verb)
{
	const char *why;
	char *dst;
	int rc = 0;

	if (b->move && !rec_has(rec, "offset") && !rec_has(rec, "length")) {
		if (maildir_move(dir, loc->path, &dst, &why) == -1) {
			if (dst == NULL)
				return fail(rec, loc->path, why);
			rc = fail(rec, loc->path, why);
		}
	} else {
		if (b->move)
			xd_warnx("%s: a message inside an mbox is copied, "
			    "not moved", loc->path);
		if ((dst = maildir_deliver(dir, loc, &why)) == NULL)
			return fail(rec, loc->path, why);
	}
	rec_addf(rec, "action", "%s:%s", verb, dst);
	free(dst);
	return rc;
}

static int
act(struct rec *rec, void *arg)
{
	struct batch *b = arg;
	const char *dir, *why;
	struct locator loc;
	struct buf cls;
	int c, rc = 0;

	if (delivered_before(rec) && !b->force)
		return 0;
	rec_drop_prefixes(rec, own);
	buf_init(&cls);
	if (!rec_get(rec, "class", &cls)) {
		rec_add(rec, "action", "none");
		return 0;
	}
	if ((c = class_index(cls.s)) == -1)
		xd_warnx("%s: unknown class=%s", rec_locator(rec), cls.s);
	buf_free(&cls);
	if (c == -1) {
		rec_error(rec, TOOL, "bad-class");
		return 1;
	}
	if (b->dir[c] == NULL) {
		rec_add(rec, "action", "keep");
		return 0;
	}
	if ((dir = destination(b, c)) == NULL) {
		xd_warnx("%s: not delivered: no maildir %s", rec_locator(rec),
		    b->dir[c]);
		rec_error(rec, TOOL, "cannot-create");
		return 1;
	}
	if (rec_locate(rec, &loc, &why) == -1) {
		xd_warnx("%s: %s", rec_locator(rec), why);
		locator_free(&loc);
		rec_error(rec, TOOL, why);
		return 1;
	}
	if (!rec_has(rec, "offset") && !rec_has(rec, "length") &&
	    maildir_contains(dir, loc.path))
		rec_add(rec, "action", "keep");
	else
		rc = deliver(rec, b, dir, &loc, c == HAM ? "deliver" :
		    "quarantine");
	locator_free(&loc);
	return rc;
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
	if (class_index(cls->s) == -1)
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

static struct spool_id *
parse_spool_id(const char *arg)
{
	static struct spool_id id;
	char *end;

	id.dev = strtoumax(arg, &end, 10);
	if (end == arg || *end != ':')
		goto bad;
	arg = end + 1;
	id.ino = strtoumax(arg, &end, 10);
	if (end == arg || *end != ':')
		goto bad;
	arg = end + 1;
	id.size = strtoimax(arg, &end, 10);
	if (end == arg || *end != '\0' || id.size < 0)
		goto bad;
	return &id;
bad:
	xd_errx(XD_EXIT_USAGE, "--spool: expected DEV:INO:SIZE");
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

/*
 * Filter mode: one verdict line in, its message out on stdout with the
 * verdict in the header.  Any failure exits non-zero so that the caller
 * delivers the original instead.
 */
static int
filter(const char *tag, const struct spool_id *spool, const char *result,
    FILE *in)
{
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
	m.tag = tag;
	m.unchecked = NULL;
	m.rename_upstream = upstream;
	if (mark_message(fd, len, STDOUT_FILENO, &m, &why) == -1)
		xd_warn("%s: %s", loc.path, why);
	else if (result == NULL || write_result(result, &rec) == 0)
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

/*
 * A released message was not spam: learn it as ham (xd-bayes(1)) and,
 * when xd.conf names a policy file, allow its sender there, or with
 * domain its sender's domain.  Returns -1 if either could not be done.
 */
static int
learn_released(const char *path, int domain)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };
	enum bayes_outcome done;
	struct message *m;
	struct buf from;
	const char *why, *policy = conf_str("policy"), *at;
	char *file;
	int rc = 0;

	if (bayes_learn_file(&loc, BAYES_HAM, &done, &why) == -1) {
		xd_warnx("%s: not learned as ham: %s", path, why);
		rc = -1;
	}
	if (*policy == '\0')	/* the shared default is no user's to write */
		return rc;
	if ((m = message_open(&loc, &why)) == NULL) {
		xd_warnx("%s: %s", path, why);
		return -1;
	}
	buf_init(&from);
	if (message_addrs(m, "From", &from, NULL, 1, MSG_MAX_VALUE) != 1 ||
	    (at = strrchr(from.s, '@')) == NULL || at[1] == '\0') {
		xd_warnx("%s: no sender address to allow", path);
		rc = -1;
	} else {
		file = xd_expand_home(policy);
		if (policy_append(file, "allow", domain ? "from-domain" :
		    "from", domain ? at + 1 : from.s) == -1)
			rc = -1;
		free(file);
	}
	buf_free(&from);
	message_free(m);
	return rc;
}

/* Give quarantined files back to the inbox; print where each went. */
static int
release(const char *inbox, int argc, char *argv[], int domain)
{
	const char *why;
	char *dst;
	int i, rc = XD_EXIT_OK;

	if (maildir_create(inbox) == -1)
		return XD_EXIT_SOME;
	for (i = 0; i < argc; i++) {
		if (maildir_contains(inbox, argv[i])) {
			xd_warnx("%s: already in %s", argv[i], inbox);
			continue;
		}
		if (maildir_move(inbox, argv[i], &dst, &why) == -1) {
			if (strcmp(why, "source-changed") == 0)
				xd_warnx("%s: %s", argv[i], why);
			else
				xd_warn("%s: %s", argv[i], why);
			rc = XD_EXIT_SOME;
		}
		if (dst != NULL) {
			printf("%s\n", dst);
			if (learn_released(dst, domain) == -1)
				rc = XD_EXIT_SOME;
		}
		free(dst);
	}
	if (fflush(stdout) == EOF)
		xd_err(XD_EXIT_SOME, "write error");
	return rc;
}

/* Folder names stay below their maildir. */
static const char *
check_folder(const char *key, const char *name)
{
	const char *p;

	for (p = name; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			xd_errx(XD_EXIT_USAGE, "%s: '%s' leaves the maildir",
			    key, name);
	return name;
}

static const char *
check_tag(const char *tag)
{
	size_t i;

	if (strlen(tag) > MAX_TAG)
		xd_errx(XD_EXIT_USAGE, "subject tag longer than %d bytes",
		    MAX_TAG);
	if (strpbrk(tag, "\r\n") != NULL)
		xd_errx(XD_EXIT_USAGE, "subject tag with a line break");
	for (i = 0; tag[i] == ' ' || tag[i] == '\t'; i++)
		;
	return tag[i] == '\0' ? "" : tag;
}

static char *
conf_dir(const char *key)
{
	const char *v = conf_str(key);

	if (*v == '\0')
		xd_errx(XD_EXIT_USAGE, "%s: no directory configured", key);
	return xd_expand_home(v);
}

static void
list_warn(const char *path, const char *why)
{
	xd_warnx("%s: %s", path, why);
}

/* The messages of the surespam folder of dir, as quarantine_list has it. */
static int
list(const char *dir)
{
	char *top = dir ? xstrdup(dir) : conf_dir("quarantine");
	char *q;
	int bad;

	xasprintf(&q, "%s/%s", top, conf_str("surespam_folder"));
	bad = quarantine_list(q, stdout, list_warn);
	if (bad == -1)
		xd_warnx("%s: no quarantine maildir (nothing quarantined yet)",
		    q);
	free(q);
	free(top);
	if (fflush(stdout) == EOF)
		xd_err(XD_EXIT_SOME, "write error");
	return bad == 0 || bad == -1 ? XD_EXIT_OK : XD_EXIT_SOME;
}

static int
batch(struct batch *b, const char *deliver_dir, const char *quarantine_dir)
{
	int i, rc;

	/* With neither directory named, both come from xd.conf. */
	if (deliver_dir == NULL && quarantine_dir == NULL) {
		b->dir[HAM] = conf_dir("maildir");
		b->dir[SPAM] = conf_dir("quarantine");
	} else {
		b->dir[HAM] = deliver_dir ? xstrdup(deliver_dir) : NULL;
		b->dir[SPAM] = quarantine_dir ? xstrdup(quarantine_dir) : NULL;
	}
	b->dir[SURESPAM] = b->dir[SPAM] ? xstrdup(b->dir[SPAM]) : NULL;
	rc = tool_status(stream_run(stdin, stdout, TOOL, act, b));
	for (i = 0; i < NCLASS; i++) {
		free(b->dir[i]);
		free(b->ready[i]);
	}
	return rc;
}

/*
 * The stage of xd-check(1) --filter: as "xd-act --filter --spool ID
 * --result PATH" with xd.conf's folders and tag, the line read from in.
 */
int
act_filter_stage(FILE *in, const char *spool, const char *result)
{
	check_folder("spam_folder", conf_str("spam_folder"));
	check_folder("surespam_folder", conf_str("surespam_folder"));
	return filter(check_tag(conf_str("subject_tag")),
	    spool ? parse_spool_id(spool) : NULL, result, in);
}

int
main(int argc, char *argv[])
{
	enum { OPT_SPAM = 256, OPT_SURESPAM, OPT_SPOOL, OPT_RESULT };
	static const struct option longopts[] = {
		{ "deliver", required_argument, NULL, 'd' },
		{ "quarantine", required_argument, NULL, 'q' },
		{ "spam-folder", required_argument, NULL, OPT_SPAM },
		{ "surespam-folder", required_argument, NULL, OPT_SURESPAM },
		{ "move", no_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", no_argument, NULL, 'F' },
		{ "tag", required_argument, NULL, 't' },
		{ "spool", required_argument, NULL, OPT_SPOOL },
		{ "result", required_argument, NULL, OPT_RESULT },
		{ "release", no_argument, NULL, 'r' },
		{ "domain", no_argument, NULL, 'D' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct batch b;
	const char *deliver_dir = NULL, *quarantine_dir = NULL, *tag = NULL;
	const char *spam_folder = NULL, *surespam_folder = NULL;
	const char *result = NULL;
	const struct spool_id *spool = NULL;
	int c, filter_mode = 0, release_mode = 0, list_mode = 0, domain = 0;
	int rc;

	tool_start(argv[0]);
	memset(&b, 0, sizeof(b));
	while ((c = getopt_long(argc, argv, "Dd:fFhlmq:rt:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'D': domain = 1; break;
		case 'd': deliver_dir = optarg; break;
		case 'f': b.force = 1; break;
		case 'F': filter_mode = 1; break;
		case 'l': list_mode = 1; break;
		case 'm': b.move = 1; break;
		case 'q': quarantine_dir = optarg; break;
		case 'r': release_mode = 1; break;
		case 't': tag = optarg; break;
		case OPT_SPAM: spam_folder = optarg; break;
		case OPT_SURESPAM: surespam_folder = optarg; break;
		case OPT_SPOOL: spool = parse_spool_id(optarg); break;
		case OPT_RESULT: result = optarg; break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (list_mode) {
		if (argc > 1 || filter_mode || release_mode || deliver_dir ||
		    quarantine_dir || b.move || b.force || tag || spool ||
		    result || domain || spam_folder)
			usage();
		if (conf_load(NULL) != 0)
			return XD_EXIT_USAGE;
		if (surespam_folder != NULL)
			conf_set("surespam_folder", surespam_folder);
		check_folder("surespam_folder", conf_str("surespam_folder"));
		return list(argc ? argv[0] : NULL);
	}
	if (filter_mode + release_mode > 1 || (argc > 0) != release_mode)
		usage();
	if ((filter_mode || release_mode) && (quarantine_dir || b.move ||
	    b.force || spam_folder || surespam_folder))
		usage();
	if ((filter_mode && deliver_dir) || (!filter_mode && (tag || spool || result)) ||
	    (domain && !release_mode))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (spam_folder != NULL)
		conf_set("spam_folder", spam_folder);
	if (surespam_folder != NULL)
		conf_set("surespam_folder", surespam_folder);
	check_folder("spam_folder", conf_str("spam_folder"));
	check_folder("surespam_folder", conf_str("surespam_folder"));

	if (filter_mode)
		return filter(check_tag(tag ? tag : conf_str("subject_tag")),
		    spool, result, stdin);
	if (release_mode) {
		char *inbox = deliver_dir ? xstrdup(deliver_dir) :
		    conf_dir("maildir");

		rc = release(inbox, argc, argv, domain);
		free(inbox);
		return rc;
	}
	return batch(&b, deliver_dir, quarantine_dir);
}
