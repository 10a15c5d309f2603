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

/* The one field xd-act owns, for rec_drop_prefixes. */
static const char *const own[] = { "action=", NULL };

struct batch {
	char	*dir[ACT_NCLASS];	/* where each class goes, or NULL */
	char	*ready[ACT_NCLASS];	/* the maildir, once it was made */
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
    "                            learn them as ham (Bayes and LR) and allow\n"
    "                            their senders\n"
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

/* The maildir for class c, made on first use; NULL if it cannot be. */
static const char *
destination(struct batch *b, int c)
{
	const char *folder = c == ACT_SPAM ? conf_str("spam_folder") :
	    c == ACT_SURESPAM ? conf_str("surespam_folder") : "";

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
	if ((c = act_class_index(cls.s)) == -1)
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
		rc = deliver(rec, b, dir, &loc, c == ACT_HAM ? "deliver" :
		    "quarantine");
	locator_free(&loc);
	return rc;
}

/*
 * A released message was not spam: learn it as ham (xd-bayes(1) and
 * xd-lr(1), as xd learn ham would) and, when xd.conf names a policy
 * file, allow its sender there, or with domain its sender's domain.
 * Returns -1 if any of it could not be done.
 */
static int
learn_released(const char *path, int domain)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };
	enum bayes_outcome done;
	enum lr_outcome lr_done;
	struct message *m;
	struct buf from;
	const char *why, *policy = conf_str("policy"), *at;
	char *file;
	int rc = 0;

	if (bayes_learn_file(&loc, BAYES_HAM, &done, &why) == -1) {
		xd_warnx("%s: not learned as ham: %s", path, why);
		rc = -1;
	}
	if (lr_learn_file(&loc, BAYES_HAM, &lr_done, &why) == -1) {
		xd_warnx("%s: not learned as ham by xd-lr: %s", path, why);
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
		b->dir[ACT_HAM] = conf_dir("maildir");
		b->dir[ACT_SPAM] = conf_dir("quarantine");
	} else {
		b->dir[ACT_HAM] = deliver_dir ? xstrdup(deliver_dir) : NULL;
		b->dir[ACT_SPAM] = quarantine_dir ? xstrdup(quarantine_dir) :
		    NULL;
	}
	b->dir[ACT_SURESPAM] = b->dir[ACT_SPAM] ? xstrdup(b->dir[ACT_SPAM]) :
	    NULL;
	rc = tool_status(stream_run(stdin, stdout, TOOL, act, b));
	for (i = 0; i < ACT_NCLASS; i++) {
		free(b->dir[i]);
		free(b->ready[i]);
	}
	return rc;
}

/* --filter: the stage, the message of the line on stdin to stdout. */
static int
filter(const struct act_opts *o)
{
	void *st;
	int rc;

	if ((st = stage_act.open(o)) == NULL)
		return XD_EXIT_USAGE;
	rc = tool_status(stage_act.run(st, stdin, stdout));
	stage_act.close(st);
	return rc;
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
	const char *spool = NULL;
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
		case OPT_SPOOL: spool = optarg; break;
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
		if (act_check_folder("surespam_folder") != 0)
			return XD_EXIT_USAGE;
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
	if (filter_mode)
		return filter(&(struct act_opts){ tag, spool, result });
	if (act_check_folder("spam_folder") != 0 ||
	    act_check_folder("surespam_folder") != 0)
		return XD_EXIT_USAGE;
	if (release_mode) {
		char *inbox = deliver_dir ? xstrdup(deliver_dir) :
		    conf_dir("maildir");

		rc = release(inbox, argc, argv, domain);
		free(inbox);
		return rc;
	}
	return batch(&b, deliver_dir, quarantine_dir);
}
