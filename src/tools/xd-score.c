/*
 * xd-score - add up the weights of a line's symbols, apply the policy,
 * and write score=, prob=, class= and policy=: the options around the
 * stage of stage/stage_score.c, and --describe and --fit.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net.h"
#include "policy/policy.h"
#include "check/check.h"
#include "verdict/verdict.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-cenR] [--why] [-p policy] [-w weights] [--progress N] [--autolearn file] < stream\n"
    "--describe symbol ...\n"
    "--fit [-o file] [-w weights] [--lambda L] [--inner-folds K] [--bound W]\n"
    "      [--ham-cost C] [--ham-loss R] [--sure-loss R] [--sure-margin M]\n"
    "      [--max-sets N] [--keep-unseen] [--fit-report file] < stream";
static const char options[] =
    "  -w, --weights FILE  weights and thresholds (xd-weights(5))\n"
    "  -p, --policy FILE   ordered allow/block/trust/critical rules (xd-policy(5))\n"
    "  -e, --explain       print why each message got its class, not the stream\n"
    "  -c, --spamc         print score/threshold, exit 0 ham, 1 spam, 3 unchecked\n"
    "  -R, --report        print each symbol counted, its weight and description,\n"
    "                      then score and class; exit as --spamc\n"
    "      --why           print in sentences why each message got its class\n"
    "  -d, --describe      print the description of each symbol named\n"
    "  -n, --check         check the weights and policy files, read no stream\n"
    "      --progress N    show progress on stderr for a stream of N messages\n"
    "      --autolearn FILE  write to FILE, for each line, what\n"
    "                      xd-filter(1) learns its message as, and its score\n"
    "                      without the learned symbols\n"
    "      --fit           fit weights to the labelled stream, write a weights file\n"
    "  -o, --output FILE   --fit: write the weights to FILE, not stdout\n"
    "      --lambda L      --fit: the prior's precision around the hand weights\n"
    "                      (default: chosen by the inner folds)\n"
    "      --inner-folds K --fit: folds that choose it and score out of fold\n"
    "                      (default 5)\n"
    "      --bound W       --fit: no weight beyond W log odds, unless its hand\n"
    "                      weight is (default 5)\n"
    "      --ham-cost C    --fit: a ham line counts C times in the loss (default 1)\n"
    "      --ham-loss R    --fit: the spam threshold lets at most R of the\n"
    "                      training ham through, out of fold (default: the\n"
    "                      fit_ham_loss key, 0.001)\n"
    "      --sure-loss R   --fit: surespam above all but R of the ham (default 0)\n"
    "      --sure-margin M --fit: and M log odds above it (default 2)\n"
    "      --fit-report FILE  --fit: each weight beside its hand weight, the\n"
    "                      largest moves first, and why the thresholds are there\n"
    "      --max-sets N    --fit: distinct symbol sets kept (default 1000000)\n"
    "      --keep-unseen   --fit: keep the weights (-w) of symbols no training\n"
    "                      line had, such as those of DNS checks\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

/* --describe: each name's description; 1 if one has none. */
static int
describe_names(const struct descriptions *d, char **names, int n)
{
	const char *text;
	int i, status = XD_EXIT_OK;

	for (i = 0; i < n; i++) {
		if ((text = descriptions_find(d, names[i],
		    strlen(names[i]))) != NULL) {
			printf("%s\t%s\n", names[i], text);
			continue;
		}
		printf("%s\t(no description)\n", names[i]);
		xd_warnx("%s: no description in %s or the rules' describe "
		    "lines", names[i], descriptions_path(d));
		status = XD_EXIT_SOME;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_USAGE, "write error");
	return status;
}

static int
describe_run(char **names, int n)
{
	struct descriptions *d;
	struct ruleset *rs = NULL;
	int status;

	if ((d = score_descriptions(&rs)) == NULL)
		return XD_EXIT_USAGE;
	status = describe_names(d, names, n);
	descriptions_free(d);
	rules_free(rs);
	return status;
}


/* Write the fitted weights to path through a temporary file and rename. */
static int
fit_output(const struct fit *f, const char *path)
{
	char *tmp;
	FILE *fp;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return fit_write(f, stdout);
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		xd_warn("%s", tmp);
		if (fd != -1)
			close(fd);
		free(tmp);
		return -1;
	}
	if (fit_write(f, fp) != 0 || fsync(fd) != 0) {
		xd_warn("%s", tmp);
		fclose(fp);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		xd_warn("%s", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* --fit-report: for people; a failure loses no weights. */
static int
fit_report_to(const struct fit *f, const char *path)
{
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "w")) == NULL) {
		xd_warn("--fit-report %s", path);
		return -1;
	}
	rc = fit_report(f, fp);
	if (fclose(fp) != 0 || rc != 0) {
		xd_warn("--fit-report %s", path);
		return -1;
	}
	return 0;
}

/* --fit: read the labelled stream, fit, write a weights file. */
static int
fit_run(const struct weights *base, const struct fit_opts *o,
    const char *out, const char *report)
{
	struct reader r;
	struct rec rec;
	struct fit *f;
	unsigned long done = 0, bad = 0, unlabelled = 0;
	int status = XD_EXIT_OK, rc;

	f = fit_new(o, base);
	reader_init(&r, stdin, "<stdin>", conf_size("max_line"));
	rec_init(&rec);
	while (reader_next(&r, &rec)) {
		if (rec.comment)
			continue;
		progress_tick(++done, 0);
		if (rec.bad != NULL) {
			xd_warnx("<stdin>:%lu: %s: left out of the fit",
			    r.lineno, rec.bad);
			bad++;
		} else if ((rc = fit_add(f, &rec)) == FIT_UNLABELLED)
			unlabelled++;
		else if (rc == FIT_FULL) {
			xd_warnx("<stdin>:%lu: more than %zu distinct symbol "
			    "sets or too many symbols: raise --max-sets or "
			    "fit on a sample of the stream", r.lineno,
			    o->max_sets);
			status = XD_EXIT_USAGE;
			break;
		}
	}
	progress_tick(done, 1);
	rec_free(&rec);
	reader_free(&r);
	if (ferror(stdin)) {
		xd_warn("<stdin>: read error");
		status = XD_EXIT_USAGE;
	}
	if (unlabelled > 0)
		xd_warnx("%lu lines without label=ham or label=spam were "
		    "left out of the fit", unlabelled);
	if (status == XD_EXIT_OK && fit_solve(f) != 0) {
		xd_warnx("--fit needs labelled lines of both classes, ham "
		    "and spam");
		status = XD_EXIT_USAGE;
	}
	if (status == XD_EXIT_OK && fit_output(f, out) != 0)
		status = XD_EXIT_USAGE;
	if (status == XD_EXIT_OK && report != NULL &&
	    fit_report_to(f, report) != 0)
		status = XD_EXIT_SOME;
	if (status == XD_EXIT_OK && (bad > 0 || unlabelled > 0))
		status = XD_EXIT_SOME;
	fit_free(f);
	return status;
}

/* A number of an option, within bounds, or exit 2 naming the option. */
static double
fit_number(const char *opt, const char *arg, double lo, double hi)
{
	double d;

	if (xd_parse_double(arg, &d) != 0 || !(d >= lo && d <= hi))
		xd_errx(XD_EXIT_USAGE, "%s %s: not a number from %g to %g",
		    opt, arg, lo, hi);
	return d;
}

/* Only one way of showing the lines may be asked for. */
static void
set_show(enum score_show *show, enum score_show to)
{
	if (*show != SCORE_STREAM && *show != to)
		usage();
	*show = to;
}

/* Score the stream, or show it to people, or check the files (-n). */
static int
score(const char *wfile, const char *pfile, const char *autolearn,
    enum score_show show, int check)
{
	struct score_opts o = { wfile, pfile, show, autolearn };
	void *st;
	int status = XD_EXIT_OK;

	if ((st = stage_score.open(&o)) == NULL)
		return XD_EXIT_USAGE;
	if (!check)
		status = tool_status(stage_score.run(st, stdin, stdout));
	stage_score.close(st);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "autolearn", required_argument, NULL, 'A' },
		{ "check", no_argument, NULL, 'n' },
		{ "describe", no_argument, NULL, 'd' },
		{ "explain", no_argument, NULL, 'e' },
		{ "fit", no_argument, NULL, 'F' },
		{ "ham-cost", required_argument, NULL, 'C' },
		{ "ham-loss", required_argument, NULL, 'L' },
		{ "bound", required_argument, NULL, 'B' },
		{ "fit-report", required_argument, NULL, 'r' },
		{ "inner-folds", required_argument, NULL, 'k' },
		{ "sure-margin", required_argument, NULL, 'm' },
		{ "keep-unseen", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "lambda", required_argument, NULL, 'l' },
		{ "max-sets", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "report", no_argument, NULL, 'R' },
		{ "spamc", no_argument, NULL, 'c' },
		{ "sure-loss", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "progress", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "weights", required_argument, NULL, 'w' },
		{ "why", no_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 }
	};
	struct fit_opts fo;
	const char *wfile = NULL, *pfile = NULL, *out = NULL, *al = NULL;
	const char *report = NULL;
	int ham_loss_given = 0;
	enum score_show show = SCORE_STREAM;
	int c, check = 0, describing = 0, fitting = 0, status;
	struct weights *w;

	tool_start(argv[0]);
	fit_defaults(&fo);
	while ((c = getopt_long(argc, argv, "cdehno:p:RVw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'A': al = optarg; break;
		case 'c': set_show(&show, SCORE_SPAMC); break;
		case 'd': describing = 1; break;
		case 'e': set_show(&show, SCORE_EXPLAIN); break;
		case 'R': set_show(&show, SCORE_REPORT); break;
		case 'Y': set_show(&show, SCORE_WHY); break;
		case 'n': check = 1; break;
		case 'o': out = optarg; break;
		case 'F': fitting = 1; break;
		case 'K': fo.keep_unseen = 1; break;
		case 'C':
			fo.ham_cost = fit_number("--ham-cost", optarg, 1e-3, 1e6);
			break;
		case 'l':
			fo.lambda = fit_number("--lambda", optarg, 1e-6, 1e6);
			break;
		case 'L':
			fo.ham_loss = fit_number("--ham-loss", optarg, 0, 1);
			ham_loss_given = 1;
			break;
		case 'B':
			fo.bound = fit_number("--bound", optarg, 0.01, 1000);
			break;
		case 'k':
			fo.folds = (int)xd_optnum("--inner-folds", optarg, 2, 20);
			break;
		case 'm':
			fo.sure_margin = fit_number("--sure-margin", optarg, 0, 100);
			break;
		case 'r': report = optarg; break;
		case 'S':
			fo.sure_loss = fit_number("--sure-loss", optarg, 0, 1);
			break;
		case 'M':
			fo.max_sets = (size_t)xd_optnum("--max-sets", optarg, 1, 100000000);
			break;
		case 'p': pfile = optarg; break;
		case 'P':
			stream_progress_option(optarg);
			break;
		case 'w': wfile = optarg; break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default:  usage();
		}
	}
	if ((optind != argc) != describing ||
	    ((out != NULL || fo.keep_unseen || report != NULL) && !fitting) ||
	    (al != NULL && (fitting || describing || show != SCORE_STREAM)) ||
	    (fitting && (show != SCORE_STREAM || check || pfile != NULL)) ||
	    (describing && (fitting || show != SCORE_STREAM || check ||
	    pfile != NULL || wfile != NULL)))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (describing)
		return describe_run(argv + optind, argc - optind);
	if (!fitting)
		return score(wfile, pfile, check ? NULL : al, show, check);
	/*
	 * The weights say which values have entries of their own, and are
	 * the prior's centre, rules' scores included.
	 */
	if (!ham_loss_given)
		fo.ham_loss = conf_double("fit_ham_loss");
	if (!(fo.ham_loss >= 0 && fo.ham_loss <= 1)) {
		xd_warnx("fit_ham_loss %g: not a fraction from 0 to 1",
		    fo.ham_loss);
		return XD_EXIT_USAGE;
	}
	if ((w = weights_load(wfile)) == NULL)
		return XD_EXIT_USAGE;
	score_rule_weights(w);
	status = fit_run(w, &fo, out, report);
	weights_free(w);
	return status;
}
