/*
 * xd-filter - check one message for a procmail or maildrop recipe:
 * spool it, run xd-parse | stages | xd-score | xd-act --filter under
 * budgets, and write the marked message; on any failure write the
 * original with X-XD-Unchecked: REASON.  Exit 75 (EX_TEMPFAIL), having
 * written nothing, when the message cannot even be spooled.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net.h"
#include "verdict/verdict.h"
#include "tools/tool.h"


#define EX_TEMPFAIL	75
#define OUT_HEADROOM	65536	/* room for the fields xd-act adds */
#define STALE_AGE	3600	/* a leftover spool older than this is dead */
#define REASON_MAX	200
#define STAGE_NAME_MAX	32

static const char synopsis[] = "[-qs] [-r rcpt] < message > message";
static const char options[] =
    "  -r, --rcpt ADDR  the envelope recipient, for rcpt rules of xd-policy(5)\n"
    "  -q, --quiet      no notes about stages that are not installed\n"
    "  -s, --syslog     log failures to syslog (they are by default)\n"
    "  -h, --help       this help\n"
    "  -V, --version    the version";

static int quiet;
static int facility = 2;	/* mail; -1: syslog_facility = none */

/* The spool's paths for the signal handler, which cannot use malloc. */
static char dead_msg[PATH_MAX], dead_out[PATH_MAX], dead_dir[PATH_MAX];
/* What became of learning in xd-check --learn, when it did not end. */
static char learn_failed[REASON_MAX + 20];
/* Where xd-act leaves the verdict line, for the result line. */
static char verdict_path[PATH_MAX];

/* Killed: take the tools and the spool along, give the message back. */
static void
on_term(int sig)
{
	(void)sig;
	if (supervise_group > 0)
		kill(-supervise_group, SIGKILL);
	if (dead_dir[0] != '\0') {
		unlink(dead_msg);
		unlink(dead_out);
		unlink(verdict_path);
		rmdir(dead_dir);
	}
	_exit(EX_TEMPFAIL);
}

/* A warning on stderr and, unless turned off, the same in syslog. */
static void
report(int severity, const char *text)
{
	static int said;

	xd_warnx("%s", text);
	if (facility >= 0 && xdlog(facility, severity, text) == -1 &&
	    !quiet && !said++)
		xd_warn("syslog");
}

static void
set_facility(void)
{
	const char *name = conf_str("syslog_facility");

	if (strcmp(name, "none") == 0)
		facility = -1;
	else if ((facility = xdlog_facility(name)) == -1) {
		xd_warnx("syslog_facility: no facility '%s'; mail is used",
		    name);
		facility = 2;
	}
}

/*
 * The result line of a checked message, one per message, as spamd's:
 * from the verdict line xd-act left (see result_line()).  Unless
 * syslog_results = no, or there is no log at all.
 */
static void
log_result(long long started)
{
	struct reader r;
	struct rec rec;
	struct buf line;
	const char *why = "no verdict line";
	FILE *fp;
	int found = 0;

	if (facility < 0 || strcmp(conf_str("syslog_results"), "no") == 0)
		return;
	rec_init(&rec);
	buf_init(&line);
	if ((fp = fopen(verdict_path, "re")) != NULL) {
		reader_init(&r, fp, verdict_path, conf_size("max_line"));
		while (!found && reader_next(&r, &rec))
			found = !rec.comment && rec.bad == NULL;
		reader_free(&r);
		fclose(fp);
	}
	unlink(verdict_path);	/* the spool holds only msg and out again */
	if (found && result_line(&rec, xd_now_ms() - started, &line,
	    &why) == 0)
		xdlog(facility, 6, line.s);
	else {
		buf_reset(&line);
		buf_printf(&line, "result: %s; the message was delivered "
		    "checked", why);
		report(4, line.s);
	}
	buf_free(&line);
	rec_free(&rec);
}

/* Standard input and output must be there; stderr may be /dev/null. */
static int
check_fds(void)
{
	if (fcntl(0, F_GETFD) == -1 || fcntl(1, F_GETFD) == -1)
		return -1;
	if (fcntl(2, F_GETFD) == -1 && open("/dev/null", O_WRONLY) != 2)
		return -1;
	return 0;
}

static int stage_name_ok(const char *);

/* The file tool names on PATH, links resolved; NULL if none. */
static char *
which(const char *tool)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	char *f, *real = NULL;

	for (p = path ? path : "/usr/bin:/bin"; real == NULL; p = end + 1) {
		end = strchrnul(p, ':');
		xasprintf(&f, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "",
		    tool);
		if (stat(f, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(f, X_OK) == 0 && (real = realpath(f, NULL)) == NULL)
			real = xstrdup(f);
		free(f);
		if (*end == '\0')
			break;
	}
	return real;
}

static int
on_path(const char *tool)
{
	char *f = which(tool);

	free(f);
	return f != NULL;
}

/* Whether tool on PATH is the one in dir, where xd-check was built. */
static int
beside(const char *dir, const char *tool)
{
	char *f = which(tool), *want;
	int same;

	xasprintf(&want, "%s/%s", dir, tool);
	same = f != NULL && strcmp(f, want) == 0;
	free(want);
	free(f);
	return same;
}

/*
 * Whether xd-check(1) runs the checks in one process: unless
 * XD_COMPOSED=1, or a tool on PATH is not the one built beside it (a
 * stage replaced or taken away runs, or is skipped, as its own tool).
 */
static int
in_process(void)
{
	static const char *const tools[] = { "xd-parse", "xd-score",
	    "xd-act" };
	const char *const *items, *v = getenv("XD_COMPOSED");
	char *dir, *slash, tool[STAGE_NAME_MAX + 4];
	size_t i, n = conf_list("stages", &items);
	int ok = 1;

	if ((v != NULL && strcmp(v, "1") == 0) ||
	    (dir = which("xd-check")) == NULL)
		return 0;
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	for (i = 0; ok && i < sizeof(tools) / sizeof(tools[0]); i++)
		ok = beside(dir, tools[i]);
	for (i = 0; ok && i < n; i++) {
		ok = stage_name_ok(items[i]);
		snprintf(tool, sizeof(tool), "xd-%s", items[i]);
		ok = ok && beside(dir, tool);
	}
	free(dir);
	return ok;
}

static int
stage_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return 0;
	return i > 0 && i <= STAGE_NAME_MAX;
}

static void
add_child(struct child *c, size_t *n, const char *name, int max_ok,
    char **argv)
{
	c[*n].name = name;
	c[*n].argv = argv;
	c[*n].max_ok = max_ok;
	(*n)++;
}

/* The configured stages that are installed; -1 if a name is bad. */
static int
add_stages(struct child *c, size_t *n, char (*tools)[STAGE_NAME_MAX + 4],
    char *(*argvs)[2])
{
	const char *const *items;
	size_t i, k = conf_list("stages", &items);

	/* Room for xd-parse, xd-score and xd-act besides. */
	if (k > SUPERVISE_MAX - 3) {
		xd_warnx("more than %d stages in the configuration",
		    SUPERVISE_MAX - 3);
		return -1;
	}
	for (i = 0; i < k; i++) {
		if (!stage_name_ok(items[i])) {
			xd_warnx("stage '%s' in the configuration is not a "
			    "tool name", items[i]);
			return -1;
		}
		snprintf(tools[i], sizeof(tools[i]), "xd-%s", items[i]);
		if (!on_path(tools[i])) {
			if (!quiet)
				xd_warnx("stage '%s': %s is not built yet; "
				    "skipped", items[i], tools[i]);
			continue;
		}
		argvs[i][0] = tools[i];
		argvs[i][1] = NULL;
		add_child(c, n, tools[i], XD_EXIT_SOME, argvs[i]);
	}
	return 0;
}

/*
 * The tool a failure of xd-check is put down to: xd-NAME for the stage
 * NAME it last said it ran (--report), so that a reason reads as that
 * of the composed pipeline; otherwise its own name.
 */
static void
stage_named(int fd, const char *own, char *tool)
{
	char name[STAGE_NAME_MAX + 1];
	ssize_t r = pread(fd, name, sizeof(name) - 1, 0);

	if (r > 0) {
		name[r] = '\0';
		if (stage_name_ok(name)) {
			snprintf(tool, STAGE_NAME_MAX + 4, "xd-%s", name);
			return;
		}
	}
	snprintf(tool, STAGE_NAME_MAX + 4, "%s", own);
}

/* Whether "out" holds more than the message less the fields xd-act
 * drops: all of the marked message, since xd-act adds its own. */
static int
out_complete(const struct spool *s)
{
	struct stat st;

	return fstat(s->outfd, &st) == 0 && st.st_size > s->st.st_size -
	    spool_forged_bytes(s->msgfd, s->st.st_size);
}

/*
 * The stage pipeline over the spool, xd-act writing into its "out";
 * NULL when that is the complete marked message.
 */
static const char *
check(struct spool *s, const char *rcpt, int null, char *why)
{
	struct budget b;
	struct child c[SUPERVISE_MAX];
	char tools[SUPERVISE_MAX][STAGE_NAME_MAX + 4];
	char *stage_argv[SUPERVISE_MAX][2];
	char id[80], start[32], *parse[] = { "xd-parse", "--single", "--rcpt",
	    (char *)(uintptr_t)rcpt, "--", s->msg, NULL };
	char **score = autolearn_score_argv(), *one[20] = { "xd-check" };
	char stage_path[32], stage_tool[STAGE_NAME_MAX + 4];
	int stage_fd = -1, rc;
	char *act[] = { "xd-act", "--filter", "--spool", id, "--result",
	    verdict_path, NULL };
	double timeout = conf_double("filter_timeout");
	long long deadline;
	const char *r;
	struct timespec now;
	size_t n = 0, k = 1;

	if (timeout < 0)
		return "config";
	deadline = timeout > 0 ? xd_now_ms() + (long long)(timeout * 1000) : 0;
	b.cpu = conf_int("filter_cpu");
	b.memory = conf_size("filter_memory");
	b.mapped = conf_size("store_size");
	snprintf(id, sizeof(id), "%ju:%ju:%jd", (uintmax_t)s->st.st_dev,
	    (uintmax_t)s->st.st_ino, (intmax_t)s->st.st_size);
	if (in_process()) {
		/* One child, every stage in it: xd-act's exit status. */
		one[k++] = "--filter";
		one[k++] = "--single";
		one[k++] = "--spool";
		one[k++] = id;
		one[k++] = "--result";
		one[k++] = verdict_path;
		if (rcpt != NULL) {
			one[k++] = "--rcpt";
			one[k++] = (char *)(uintptr_t)rcpt;
		}
		if (score[1] != NULL) {	/* and learn in the same process */
			one[k++] = score[1];
			one[k++] = score[2];
			one[k++] = "--learn";
		}
		/* Where xd-check says which stage a failure is put down
		 * to; not close-on-exec: it opens it as /dev/fd/N. */
		if ((stage_fd = memfd_create("xd-stage", 0)) != -1) {
			snprintf(stage_path, sizeof(stage_path), "/dev/fd/%d",
			    stage_fd);
			one[k++] = "--report";
			one[k++] = stage_path;
		}
		one[k++] = "--";
		one[k++] = s->msg;
		one[k] = NULL;
		add_child(c, &n, "xd-check", 0, one);
		goto run;
	}
	if (rcpt == NULL)
		memmove(parse + 2, parse + 4, 3 * sizeof(*parse));
	add_child(c, &n, "xd-parse", XD_EXIT_SOME, parse);
	if (add_stages(c, &n, tools, stage_argv) == -1)
		return "config";
	add_child(c, &n, "xd-score", XD_EXIT_SOME, score);
	add_child(c, &n, "xd-act", 0, act);
run:
	/* The DNS stages together wait at most dns_timeout x dns_tries
	 * for this message, counted from now (dnsrun.c). */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(start, sizeof(start), "%lld", (long long)now.tv_sec * 1000 +
	    now.tv_nsec / 1000000);
	if (setenv("XD_DNS_START", start, 1) == -1)
		return "cannot run the checks";
	rc = supervise_run(c, n, null, s->outfd, &b, deadline, 2);
	if (stage_fd != -1) {
		stage_named(stage_fd, c[0].name, stage_tool);
		c[0].name = stage_tool;
		close(stage_fd);
	}
	if (rc == -1) {
		xd_warn("cannot run the checks");
		return "cannot run the checks";
	}
	r = supervise_failure(c, n, &b, why, REASON_MAX);
	/* xd-act said it was done: is all of it there? */
	if (r == NULL && !out_complete(s))
		return "truncated (xd-act)";
	/* xd-check --learn failed once the marked message was complete:
	 * it is delivered, and the learning's failure said */
	if (r != NULL && strcmp(c[0].name, "xd-autolearn") == 0 &&
	    out_complete(s)) {
		snprintf(learn_failed, sizeof(learn_failed), "autolearn: %s",
		    r);
		return NULL;
	}
	return r;
}

static int
copy_out(struct spool *s)
{
	char buf[65536];
	struct stat st;
	off_t left;
	ssize_t r;

	if (fstat(s->outfd, &st) == -1 || lseek(s->outfd, 0, SEEK_SET) == -1)
		return -1;
	for (left = st.st_size; left > 0; left -= r) {
		r = xd_read(s->outfd, buf, left < (off_t)sizeof(buf) ?
		    (size_t)left : sizeof(buf));
		if (r <= 0 || xd_write_all(1, buf, (size_t)r) == -1)
			return -1;
	}
	return 0;
}

/* Spool standard input with room for the output, or say why not. */
static int
take_message(struct spool *s, const char *tmpdir)
{
	const char *why;
	char text[PATH_MAX + 200];

	if (spool_open(s, tmpdir, &why) == 0) {
		snprintf(dead_msg, sizeof(dead_msg), "%s", s->msg);
		snprintf(dead_out, sizeof(dead_out), "%s", s->out);
		snprintf(dead_dir, sizeof(dead_dir), "%s", s->dir);
		snprintf(verdict_path, sizeof(verdict_path), "%s/verdict",
		    s->dir);
		if (spool_fill(s, 0, &why) == 0 &&
		    spool_reserve(s, OUT_HEADROOM, &why) == 0)
			return 0;
	}
	snprintf(text, sizeof(text), "%s (in %s): %s; the message is left to "
	    "the mail system (exit 75)", why, tmpdir, strerror(errno));
	report(3, text);
	return -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "rcpt", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "syslog", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct spool s;
	const char *rcpt = NULL, *reason = NULL, *tmpdir = getenv("TMPDIR");
	char why[REASON_MAX], text[REASON_MAX + 100];
	int c, null, conf_ok, rc = 0;
	double timeout;
	long long started = xd_now_ms();

	tool_start(argv[0]);
	while ((c = getopt_long(argc, argv, "hqr:sV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'r': rcpt = optarg; break;
		case 's': break;	/* logging is on anyway */
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default: xd_usage(XD_EXIT_USAGE, synopsis, NULL);
		}
	}
	if (optind != argc)
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if (check_fds() == -1 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return EX_TEMPFAIL;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_term);
	conf_ok = conf_load(NULL) == 0;
	set_facility();
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	timeout = conf_double("filter_timeout");
	spool_sweep(tmpdir, timeout * 2 > STALE_AGE ? (time_t)timeout * 2 :
	    STALE_AGE);
	if (take_message(&s, tmpdir) == -1) {
		spool_remove(&s);
		return EX_TEMPFAIL;
	}
	/* The configuration was read above, as every tool reads it: a
	 * broken one is found there, with no xd-conf -n child to run. */
	if (!conf_ok)
		reason = "config";
	else
		reason = check(&s, rcpt, null, why);
	if (reason == NULL) {
		if (copy_out(&s) == -1) {
			report(3, "cannot write the message out (exit 75)");
			rc = EX_TEMPFAIL;
		} else {
			log_result(started);
			if (learn_failed[0] != '\0')
				report(4, learn_failed);
			else if ((c = autolearn(&s, text, sizeof(text))) >= 0)
				report(c, text);
		}
	} else {
		const char *e;

		snprintf(text, sizeof(text), "%s: message delivered unchecked",
		    reason);
		report(4, text);
		if (lseek(s.msgfd, 0, SEEK_SET) == -1 || mark_unchecked(s.msgfd,
		    s.st.st_size, 1, reason, &e) == -1) {
			report(3, "cannot write the message out (exit 75)");
			rc = EX_TEMPFAIL;
		}
	}
	dead_dir[0] = '\0';	/* the handler leaves the spool to us now */
	unlink(verdict_path);
	spool_remove(&s);
	return rc;
}
