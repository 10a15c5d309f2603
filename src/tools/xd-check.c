/*
 * xd-check - every stage in one process: xd-parse, the configured
 * stages, xd-score (and with --filter xd-act --filter), writing the
 * lines the composed pipeline of those tools writes, byte for byte.
 * xd.conf is read once, the rules compiled once, each message parsed
 * once (mime/msgview.c).  xd(1) check and xd-filter(1) run it in place
 * of the pipeline; see xd-check(1).
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "net/net.h"
#include "check/check.h"
#include "verdict/verdict.h"
#include "stage/stage.h"
#include "tools/tool.h"

#define TOOL		"xd-check"
/*
 * Lines through the stages at once.  Each chunk is one LMDB commit of
 * the checksum counts (an fdatasync), so fewer, larger chunks cost less
 * CPU, but every message of a chunk is held parsed until its end: 128
 * lines made a run over the shared corpus peak at 74 MB, 64 at 67 MB,
 * 32 at 63 MB, past and within the 64 MB that make bench asks.
 */
#define CHUNK_LINES	32
#define CHUNK_BYTES	(16 << 20)	/* bytes of the messages they hold */
#define MAX_STAGES	16

static const char synopsis[] =
    "[-1] [-l ham|spam|path] [-r rcpt] [-w weights] [-p policy] "
    "[--progress N]\n"
    "    [--show spamc|report|why] [--filter --spool ID --result PATH "
    "[--autolearn FILE [--learn]] [--report FILE]] [--times]\n"
    "    [--now TIME] [--read-only] path ...\n"
    "--stream [-w weights] [-p policy] [--now TIME] [--read-only] "
    "< stream";
static const char options[] =
    "  -l, --label ham|spam|path  as xd-parse --label\n"
    "  -r, --rcpt ADDR       as xd-parse --rcpt\n"
    "  -1, --single          as xd-parse --single\n"
    "  -w, --weights FILE    as xd-score -w\n"
    "  -p, --policy FILE     as xd-score -p\n"
    "      --progress N      as xd-score --progress\n"
    "      --show HOW        as xd-score --spamc, --report or --why\n"
    "      --autolearn FILE  as xd-score --autolearn\n"
    "      --learn           --filter: then learn it so here, as xd-filter would\n"
    "      --now TIME        as xd-cksum --now and xd-bayes --now\n"
    "      --read-only       as xd-cksum --read-only\n"
    "      --stream          xd-parse's lines on standard input, no paths\n"
    "      --filter          end with xd-act --filter: the marked message\n"
    "      --spool ID        as xd-act --spool\n"
    "      --result PATH     as xd-act --result\n"
    "      --report FILE     --filter: the stage a failure is put down to\n"
    "  -h, --help            this help\n"
    "  -V, --version         the version";

static const struct stage *const known[] = {
	&stage_rbl, &stage_spf, &stage_urlcheck, &stage_cksum, &stage_heur,
	&stage_bayes,
	&stage_lr,
};

struct pipeline {
	const struct stage *st[MAX_STAGES];
	void		*state[MAX_STAGES];
	size_t		 n;
	void		*score;
	int		 filter;
	struct act_opts	 act_opts;	/* --filter: --spool, --result */
	void		*act;
	FILE		*chunk;		/* xd-parse's lines not yet run */
	size_t		 lines;
	unsigned long	 done, progress;
	int		 worst;		/* of xd-parse and the stages */
	int		 last;		/* of xd-score, or xd-act --filter */
	const char	*failed;	/* the first stage that exited non-zero */
	int		 failed_status;
	double		 cpu[MAX_STAGES + 2];	/* --times: each stage, score, act */
	int		 times;
	const char	*learn;		/* --filter --learn: the --autolearn FILE */
	long long	 now;		/* --now, for cksum and bayes; 0: now */
	int		 read_only;	/* --read-only: cksum counts nothing */
	int		 stream;	/* --stream: xd-parse's lines on stdin */
};

/* The process's CPU time so far, user and system, in seconds. */
static double
cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --times: what each stage cost, on standard error, parse the rest. */
static void
print_times(const struct pipeline *p, double total)
{
	double rest = total;
	size_t i;

	for (i = 0; i < p->n; i++) {
		fprintf(stderr, "%s: %-9s %8.3f s\n", TOOL, p->st[i]->name,
		    p->cpu[i]);
		rest -= p->cpu[i];
	}
	fprintf(stderr, "%s: %-9s %8.3f s\n", TOOL, "score", p->cpu[p->n]);
	rest -= p->cpu[p->n];
	if (p->filter) {
		fprintf(stderr, "%s: %-9s %8.3f s\n", TOOL, "act",
		    p->cpu[p->n + 1]);
		rest -= p->cpu[p->n + 1];
	}
	fprintf(stderr, "%s: %-9s %8.3f s (reading, parsing, the rest)\n",
	    TOOL, "parse", rest);
	fprintf(stderr, "%s: %-9s %8.3f s\n", TOOL, "total", total);
}

/* --report: the stage running, then the one a failure is put down to. */
static int report_fd = -1;

/*
 * The stage now running: in the report file for xd-filter, and as the
 * name its warnings go under, so that they read as the composed
 * pipeline's (xd-heur: ..., not xd-check: ...).
 */
static void
say_stage(const char *name)
{
	static char prog[64];
	size_t n = strlen(name);

	snprintf(prog, sizeof(prog), "xd-%s", name);
	xd_progname = prog;
	if (report_fd == -1)
		return;
	if (ftruncate(report_fd, 0) == -1 ||
	    pwrite(report_fd, name, n, 0) != (ssize_t)n)
		report_fd = -1;	/* the reason names xd-check, that is all */
}

/* A file in memory with a descriptor, which dns_run() reads. */
static FILE *
memfile(void)
{
	FILE *fp;
	int fd;

	if ((fd = memfd_create("xd-check", MFD_CLOEXEC)) == -1 ||
	    (fp = fdopen(fd, "w+")) == NULL)
		xd_err(XD_EXIT_SOME, "memfd");
	return fp;
}

static void
to_start(FILE *fp)
{
	if (fflush(fp) == EOF || fseeko(fp, 0, SEEK_SET) == -1)
		xd_err(XD_EXIT_SOME, "memfd");
}

/* What --now and --read-only ask of a stage, as xd(1) check passes
 * them to the tools; NULL: xd.conf alone. */
static const void *
stage_opts(const struct pipeline *p, const struct stage *st)
{
	static struct cksum_opts co;
	static struct bayes_opts bo;

	if (st == &stage_cksum) {
		co.now = p->now;
		co.read_only = p->read_only;
		return &co;
	}
	if (st == &stage_bayes) {
		bo.now = p->now;
		return &bo;
	}
	return NULL;
}

/* The configured stages, opened; -1 (a usage error) if one is not. */
static int
open_stages(struct pipeline *p)
{
	const char *const *items;
	size_t i, k, n = conf_list("stages", &items);

	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(items[i], known[k]->name) == 0)
				break;
		if (k == sizeof(known) / sizeof(known[0]) ||
		    p->n == MAX_STAGES) {
			xd_warnx("stage '%s' in the configuration is not a "
			    "stage of xd", items[i]);
			return -1;
		}
		p->st[p->n] = known[k];
		say_stage(known[k]->name);
		if ((p->state[p->n] = known[k]->open(stage_opts(p,
		    known[k]))) == NULL)
			return -1;
		p->n++;
	}
	return 0;
}

static void
close_stages(struct pipeline *p)
{
	while (p->n > 0) {
		p->n--;
		p->st[p->n]->close(p->state[p->n]);
	}
}

static void
worse(int *worst, int rc)
{
	if (rc > *worst)
		*worst = rc;
}

/* A stage's status, into what the pipeline's is made of. */
static void
ended(struct pipeline *p, const char *name, int *into, int rc)
{
	worse(into, rc);
	if (rc != 0 && p->failed == NULL) {
		p->failed = name;
		p->failed_status = rc;
	}
}

/* Done with fp, unless it is the chunk, which xd-parse writes on. */
static void
done_with(struct pipeline *p, FILE *fp)
{
	if (fp != p->chunk)
		fclose(fp);
}

/*
 * --learn: the marked message is out; learn it as xd-score decided
 * (the first line of the --autolearn FILE), in this process, from the
 * view and tokens the checks read, instead of xd-filter running
 * xd-parse | xd-bayes --learn again.  What came of it is added to FILE
 * for xd-filter: "learned", "not learned" (the hour's limit, said
 * already), or "said TEXT".  A store that fails is said, not a failure
 * of the check: the message was checked.
 */
static void
learn_auto(struct pipeline *p)
{
	struct bayes_opts bo = { .mode = BAYES_LEARN, .quiet = 1 };
	char line[64] = "", text[300] = "";
	const char *class, *done = "not learned";
	FILE *fp, *out;
	void *st;
	int rc;

	if (fflush(stdout) == EOF || (fp = fopen(p->learn, "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	if ((class = autolearn_class(line)) == NULL)
		return;
	bo.cls = strcmp(class, "spam") == 0 ? BAYES_SPAM : BAYES_HAM;
	say_stage("autolearn");
	if (autolearn_count(text, sizeof(text)) == 1) {
		if ((st = stage_bayes.open(&bo)) == NULL)
			snprintf(text, sizeof(text), "autolearn as %s: the "
			    "store cannot be opened", class);
		else {
			out = memfile();
			to_start(p->chunk);
			if ((rc = tool_status(stage_bayes.run(st, p->chunk,
			    out))) != 0)
				snprintf(text, sizeof(text), "autolearn as %s: "
				    "xd-bayes --learn exited %d", class, rc);
			else
				done = "learned";
			fclose(out);
			stage_bayes.close(st);
		}
	}
	if ((fp = fopen(p->learn, "a")) != NULL) {
		if (text[0] != '\0')
			fprintf(fp, "said %s\n", text);
		else
			fprintf(fp, "%s\n", done);
		fclose(fp);
	}
}

/* The lines of the chunk through every stage, then to standard output. */
static void
run_chunk(struct pipeline *p)
{
	FILE *in = p->chunk, *out;
	double t = p->times ? cpu_now() : 0, u;
	size_t i;

	/* a chunk runs inside xd-parse's loop, which goes on after it */
	for (i = 0; i < p->n; i++) {
		to_start(in);
		out = memfile();
		say_stage(p->st[i]->name);
		/* a stream that failed ends the run, said under the
		 * stage's name, as the tool would end its own */
		ended(p, p->st[i]->name, &p->worst,
		    tool_status(p->st[i]->run(p->state[i], in, out)));
		done_with(p, in);
		in = out;
		if (p->times) {
			u = cpu_now();
			p->cpu[i] += u - t;
			t = u;
		}
	}
	to_start(in);
	say_stage("score");
	if (p->filter) {
		out = memfile();
		ended(p, "score", &p->worst,
		    tool_status(stage_score.run(p->score, in, out)));
		done_with(p, in);
		in = out;
		to_start(in);
		if (p->times) {
			u = cpu_now();
			p->cpu[p->n] += u - t;
			t = u;
		}
		say_stage("act");
		ended(p, "act", &p->last, tool_status(stage_act.run(p->act,
		    in, stdout)));
		if (p->times)
			p->cpu[p->n + 1] += cpu_now() - t;
		if (p->learn != NULL && p->worst <= XD_EXIT_SOME &&
		    p->last == 0)
			learn_auto(p);
	} else {
		ended(p, "score", &p->last,
		    tool_status(stage_score.run(p->score, in, stdout)));
		if (p->times)
			p->cpu[p->n] += cpu_now() - t;
	}
	done_with(p, in);
	say_stage("parse");
	view_clear();
	p->done += p->lines;
	p->lines = 0;
	to_start(p->chunk);
	if (ftruncate(fileno(p->chunk), 0) == -1)
		xd_err(XD_EXIT_SOME, "memfd");
	/* Only xd-check shows progress, not each stage on its own. */
	if (p->progress > 0) {
		stream_progress_total = p->progress;
		progress_tick(p->done, 0);
		stream_progress_total = 0;
	}
}

/* After each line xd-parse wrote: a full chunk goes through. */
static void
line_parsed(void *arg)
{
	struct pipeline *p = arg;
	off_t bytes;

	p->lines++;
	view_held(&bytes);
	if (!p->filter && (p->lines >= CHUNK_LINES || bytes >= CHUNK_BYTES))
		run_chunk(p);
}

/* --stream: xd-parse's lines from standard input, in place of it. */
static int
read_stream(struct pipeline *p)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	while ((len = getline(&line, &size, stdin)) > 0) {
		if (fwrite(line, 1, (size_t)len, p->chunk) != (size_t)len)
			xd_err(XD_EXIT_SOME, "memfd");
		line_parsed(p);
	}
	free(line);
	return tool_status(ferror(stdin) ? XD_READ_ERROR : 0);
}

static int
run(struct pipeline *p, const struct parse_opts *po, char **paths, int n,
    int show)
{
	say_stage("parse");
	ended(p, "parse", &p->worst, p->stream ? read_stream(p) :
	    parse_stage(po, paths, n, p->chunk, line_parsed, p));
	run_chunk(p);
	fclose(p->chunk);
	if (p->progress > 0) {
		stream_progress_total = p->progress;
		progress_tick(p->done, 1);
		stream_progress_total = 0;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_SOME, "write error");
	if (p->times)
		print_times(p, cpu_now());
	if (p->filter) {
		/* As the supervisor of the composed pipeline judges it: a
		 * stage over exit 1, or xd-act not 0, fails; the failure is
		 * put down to the first stage that did not exit 0. */
		if (p->worst <= XD_EXIT_SOME && p->last == 0)
			return 0;
		say_stage(p->failed);
		return p->failed_status;
	}
	if (show) {
		/* as xd(1) check -c: a stage that failed is no verdict */
		if (p->worst > XD_EXIT_SOME && p->last != XD_EXIT_USAGE) {
			xd_warnx("a stage failed (status %d): not checked",
			    p->worst);
			return 3;
		}
		return p->last;
	}
	worse(&p->worst, p->last);
	return p->worst;
}

static enum score_show
show_option(const char *arg)
{
	if (strcmp(arg, "spamc") == 0)
		return SCORE_SPAMC;
	if (strcmp(arg, "report") == 0)
		return SCORE_REPORT;
	if (strcmp(arg, "why") == 0)
		return SCORE_WHY;
	xd_warnx("--show: expected spamc, report or why, not '%s'", arg);
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

int
main(int argc, char *argv[])
{
	enum { OPT_SHOW = 256, OPT_FILTER, OPT_SPOOL, OPT_RESULT,
	    OPT_AUTOLEARN, OPT_LEARN, OPT_PROGRESS, OPT_REPORT, OPT_TIMES,
	    OPT_NOW, OPT_READ_ONLY, OPT_STREAM };
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "single", no_argument, NULL, '1' },
		{ "weights", required_argument, NULL, 'w' },
		{ "policy", required_argument, NULL, 'p' },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "show", required_argument, NULL, OPT_SHOW },
		{ "filter", no_argument, NULL, OPT_FILTER },
		{ "spool", required_argument, NULL, OPT_SPOOL },
		{ "result", required_argument, NULL, OPT_RESULT },
		{ "autolearn", required_argument, NULL, OPT_AUTOLEARN },
		{ "learn", no_argument, NULL, OPT_LEARN },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "times", no_argument, NULL, OPT_TIMES },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct pipeline p;
	struct parse_opts po;
	struct score_opts so;
	int show, learn = 0;
	int c, rc;

	tool_start(argv[0]);
	memset(&p, 0, sizeof(p));
	memset(&po, 0, sizeof(po));
	memset(&so, 0, sizeof(so));
	while ((c = getopt_long(argc, argv, "1hl:p:r:Vw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case '1': po.single = 1; break;
		case 'l':
			if (strcmp(optarg, "path") == 0)
				po.label_from_path = 1, po.label = NULL;
			else if (strcmp(optarg, "ham") == 0 ||
			    strcmp(optarg, "spam") == 0)
				po.label = optarg, po.label_from_path = 0;
			else
				xd_usage(XD_EXIT_USAGE, synopsis, NULL);
			break;
		case 'r':
			if (*optarg == '\0' || strpbrk(optarg, "\t\r\n"))
				xd_usage(XD_EXIT_USAGE, synopsis, NULL);
			po.rcpt = optarg;
			break;
		case 'w': so.weights = optarg; break;
		case 'p': so.policy = optarg; break;
		case OPT_PROGRESS:
			p.progress = (unsigned long)xd_optnum("--progress",
			    optarg, 0, 1LL << 40);
			break;
		case OPT_SHOW: so.show = show_option(optarg); break;
		case OPT_FILTER: p.filter = 1; break;
		case OPT_SPOOL: p.act_opts.spool = optarg; break;
		case OPT_RESULT: p.act_opts.result = optarg; break;
		case OPT_AUTOLEARN: so.autolearn = optarg; break;
		case OPT_LEARN: learn = 1; break;
		case OPT_TIMES: p.times = 1; break;
		case OPT_NOW:
			p.now = xd_optnum("--now", optarg, 1, 1LL << 40);
			break;
		case OPT_READ_ONLY: p.read_only = 1; break;
		case OPT_STREAM: p.stream = 1; break;
		case OPT_REPORT:
			if ((report_fd = open(optarg, O_WRONLY | O_CLOEXEC)) ==
			    -1)
				xd_warn("--report %s", optarg);
			break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default: xd_usage(XD_EXIT_USAGE, synopsis, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	show = so.show != SCORE_STREAM;
	if (p.stream && (argc != 0 || p.filter || po.label != NULL ||
	    po.label_from_path || po.rcpt != NULL || po.single))
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if ((argc == 0 && !p.stream) || (p.filter && (show || argc != 1)) ||
	    (!p.filter && (p.act_opts.spool || p.act_opts.result ||
	    so.autolearn || report_fd != -1)) || (learn && !so.autolearn))
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if (learn)
		p.learn = so.autolearn;
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	view_hold();
	p.chunk = memfile();
	if (open_stages(&p) != 0) {
		close_stages(&p);
		/* as xd(1) check -c: a stage that failed is no verdict */
		if (!show)
			return XD_EXIT_USAGE;
		xd_warnx("a stage failed (status %d): not checked",
		    XD_EXIT_USAGE);
		return 3;
	}
	say_stage("score");
	if ((p.score = stage_score.open(&so)) == NULL) {
		close_stages(&p);
		return XD_EXIT_USAGE;
	}
	/* xd-act --filter refuses its folders, tag or --spool at its
	 * start, before any line, as in the composed pipeline */
	say_stage("act");
	if (p.filter && (p.act = stage_act.open(&p.act_opts)) == NULL) {
		stage_score.close(p.score);
		close_stages(&p);
		return XD_EXIT_USAGE;
	}
	rc = run(&p, &po, argv, argc, show);
	if (p.act != NULL)
		stage_act.close(p.act);
	stage_score.close(p.score);
	close_stages(&p);
	url_shutdown();
	message_shutdown();
	return rc;
}
