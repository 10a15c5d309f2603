/*
 * xd-score - add up the weights of a line's symbols, apply the policy,
 * and write score=, prob=, class= and policy=.  A pure function of the
 * line: it reads no mail and asks no one, so a stored stream can be
 * scored again in seconds with new weights.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xd.h"

#define TOOL	"xd-score"

/* One symbol field of the line being scored. */
struct sym {
	const char	*field;		/* "NAME=value", escaped */
	size_t		 namelen;
	double		 weight;
	const char	*rule;		/* the weights entry, or NULL */
	unsigned long	 line;
	size_t		 idx;		/* position on the line */
	enum { COUNTED, REPEATED, UNLISTED } how;	/* UNLISTED: critical */
};

struct score {
	struct weights	*w;
	struct policy	*p;
	struct sym	*sym;
	size_t		 nsym, cap;
	const struct policy_rule *rule;
	double		 score;
	const char	*class;
};

static const char *const owned[] = {
	"policy=", "score=", "prob=", "class=", NULL
};

static const char synopsis[] =
    "[-en] [-p policy] [-w weights] [--progress N] < stream\n"
    "--fit [-o file] [-w weights] [--lambda L] [--ham-cost C] "
    "[--ham-loss R] [--sure-loss R] [--max-sets N] [--keep-unseen] < stream";
static const char options[] =
    "  -w, --weights FILE  weights and thresholds (xd-weights(5))\n"
    "  -p, --policy FILE   ordered allow/block/trust/critical rules (xd-policy(5))\n"
    "  -e, --explain       print why each message got its class, not the stream\n"
    "  -n, --check         check the weights and policy files, read no stream\n"
    "      --progress N    show progress on stderr for a stream of N messages\n"
    "      --fit           fit weights to the labelled stream, write a weights file\n"
    "  -o, --output FILE   --fit: write the weights to FILE, not stdout\n"
    "      --lambda L      --fit: L2 penalty on the weights (default 1)\n"
    "      --ham-cost C    --fit: a ham line counts C times in the loss (default 1)\n"
    "      --ham-loss R    --fit: raise the spam threshold until at most R of\n"
    "                      the training ham reaches it\n"
    "      --sure-loss R   --fit: the same for the surespam threshold\n"
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

static int
by_name(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c;

	if ((c = memcmp(x->field, y->field, n)) != 0)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

static void
collect(struct score *s, const struct rec *rec)
{
	struct sym *y;
	size_t i, n;

	s->nsym = 0;
	for (i = 1; i < rec->nf; i++) {
		n = rec_name(rec->f[i], NULL);
		if (!is_symbol_name(rec->f[i], n))
			continue;
		if (s->nsym == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->sym = xrealloc(s->sym, s->cap * sizeof(*s->sym));
		}
		y = &s->sym[s->nsym++];
		y->field = rec->f[i];
		y->namelen = n;
		y->idx = i;
		y->weight = weights_symbol(s->w, y->field, n, &y->rule,
		    &y->line);
		y->how = COUNTED;
	}
}

/*
 * A symbol counts once however many fields carry it (say, two listed
 * URLs): the one with the largest weight.  Sorting keeps this n log n
 * on hostile lines with many thousands of fields.
 */
static void
mark_repeats(struct score *s)
{
	size_t i;

	if (s->nsym < 2)
		return;
	qsort(s->sym, s->nsym, sizeof(*s->sym), by_name);
	for (i = 1; i < s->nsym; i++)
		if (s->sym[i].namelen == s->sym[i - 1].namelen &&
		    memcmp(s->sym[i].field, s->sym[i - 1].field,
		    s->sym[i].namelen) == 0)
			s->sym[i].how = REPEATED;
}

static void
score_line(struct score *s, struct rec *rec)
{
	double sum = 0;
	size_t i;

	rec_drop_prefixes(rec, owned);
	collect(s, rec);
	mark_repeats(s);
	s->rule = policy_match(s->p, rec);
	for (i = 0; i < s->nsym; i++) {
		struct sym *y = &s->sym[i];

		if (y->how == COUNTED && s->rule != NULL &&
		    s->rule->action == POLICY_CRITICAL &&
		    !policy_counts(s->rule, y->field, y->namelen))
			y->how = UNLISTED;
		if (y->how == COUNTED)
			sum += y->weight;
	}
	/* What is written is what decides: 4.999999 is 5.00 and spam. */
	s->score = round(sum * 100) / 100 + 0.0;
	s->class = weights_class(s->w, s->score);
	if (s->rule != NULL && s->rule->action == POLICY_BLOCK)
		s->class = "surespam";
	else if (s->rule != NULL && s->rule->action != POLICY_CRITICAL)
		s->class = "ham";
}

static int
stream_line(struct rec *rec, void *arg)
{
	struct score *s = arg;

	score_line(s, rec);
	rec_addf(rec, "score", "%.2f", s->score);
	rec_addf(rec, "prob", "%.4f", weights_prob(s->w, s->score));
	rec_add(rec, "class", s->class);
	if (s->rule != NULL)
		rec_addf(rec, "policy", "%s:%lu", policy_path(s->p),
		    s->rule->line);
	return 0;
}

/* Largest contribution first; what did not count last; else line order. */
static int
by_contribution(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if ((x->how == COUNTED) != (y->how == COUNTED))
		return x->how == COUNTED ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

static void
explain_symbol(const struct score *s, const struct sym *y)
{
	int n = (int)strlen(y->field);

	if (y->field[y->namelen] == '=' && y->field[y->namelen + 1] == '\0')
		n = (int)y->namelen;	/* no evidence: the name alone */
	printf("  %-7s %+8.2f  %.*s", y->how == COUNTED ? "symbol" : "ignored",
	    y->weight, n, y->field);
	if (y->rule != NULL)
		printf("  (%s:%lu: %s)", weights_path(s->w), y->line, y->rule);
	else
		printf("  (not in %s)", weights_path(s->w));
	if (y->how == REPEATED)
		printf(" counted once");
	else if (y->how == UNLISTED)
		printf(" not listed by the critical rule");
	putchar('\n');
}

static void
explain_class(const struct score *s)
{
	double spam = weights_threshold(s->w, "spam");
	double sure = weights_threshold(s->w, "surespam");

	if (s->rule != NULL && s->rule->action != POLICY_CRITICAL) {
		printf("  class %s: policy %s\n", s->class,
		    policy_action_name(s->rule->action));
		return;
	}
	if (s->score >= sure)
		printf("  class %s: score %.2f >= surespam %.2f", s->class,
		    s->score, sure);
	else if (s->score >= spam)
		printf("  class %s: score %.2f >= spam %.2f, < surespam %.2f",
		    s->class, s->score, spam, sure);
	else
		printf("  class %s: score %.2f < spam %.2f", s->class,
		    s->score, spam);
	printf("%s\n", s->rule != NULL ? ", critical symbols only" : "");
}

static void
explain(struct score *s, const struct rec *rec)
{
	size_t i;

	printf("message %s\n", rec_locator(rec));
	qsort(s->sym, s->nsym, sizeof(*s->sym), by_contribution);
	for (i = 0; i < s->nsym; i++)
		explain_symbol(s, &s->sym[i]);
	printf("  score %.2f (spam from %.2f, surespam from %.2f)\n",
	    s->score, weights_threshold(s->w, "spam"),
	    weights_threshold(s->w, "surespam"));
	printf("  prob %.4f\n", weights_prob(s->w, s->score));
	if (s->rule != NULL)
		printf("  policy %s:%lu: %s\n", policy_path(s->p),
		    s->rule->line, s->rule->text);
	explain_class(s);
	putchar('\n');
}

/* --explain: a report for people on stdout instead of the stream. */
static int
explain_run(struct score *s)
{
	struct reader r;
	struct rec rec;
	unsigned long done = 0;
	int status = XD_EXIT_OK;

	reader_init(&r, stdin, "<stdin>", conf_size("max_line"));
	rec_init(&rec);
	while (reader_next(&r, &rec)) {
		if (rec.comment)
			continue;
		progress_tick(++done, 0);
		if (rec.bad != NULL) {
			xd_warnx("<stdin>:%lu: %s", r.lineno, rec.bad);
			printf("message %s\n  error %s:%s\n\n",
			    rec_locator(&rec), TOOL, rec.bad);
			status = XD_EXIT_SOME;
			continue;
		}
		score_line(s, &rec);
		explain(s, &rec);
	}
	progress_tick(done, 1);
	rec_free(&rec);
	reader_free(&r);
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_SOME, "write error");
	if (ferror(stdin))
		xd_err(XD_EXIT_SOME, "read error");
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

/* --fit: read the labelled stream, fit, write a weights file. */
static int
fit_run(const struct weights *base, const struct fit_opts *o,
    const char *out)
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'e' },
		{ "fit", no_argument, NULL, 'F' },
		{ "ham-cost", required_argument, NULL, 'C' },
		{ "ham-loss", required_argument, NULL, 'L' },
		{ "keep-unseen", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "lambda", required_argument, NULL, 'l' },
		{ "max-sets", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "sure-loss", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "progress", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "weights", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct score s;
	struct fit_opts fo;
	const char *wfile = NULL, *pfile = NULL, *out = NULL;
	int c, check = 0, explaining = 0, fitting = 0, status;

	xd_setprogname(argv[0]);
	fit_defaults(&fo);
	while ((c = getopt_long(argc, argv, "ehno:p:Vw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'e': explaining = 1; break;
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
			break;
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
	if (optind != argc || ((out != NULL || fo.keep_unseen) && !fitting) ||
	    (fitting && (explaining || check || pfile != NULL)))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	if (fitting) {
		/* The weights only say which values have entries of their own. */
		if ((s.w = weights_load(wfile)) == NULL)
			return XD_EXIT_USAGE;
		status = fit_run(s.w, &fo, out);
		weights_free(s.w);
		return status;
	}
	s.w = weights_load(wfile);
	s.p = policy_load(pfile);	/* report both files' errors at once */
	if (s.w == NULL || s.p == NULL)
		status = XD_EXIT_USAGE;
	else if (check)
		status = XD_EXIT_OK;
	else if (explaining)
		status = explain_run(&s);
	else
		status = stream_run(stdin, stdout, TOOL, stream_line, &s);
	free(s.sym);
	policy_free(s.p);
	weights_free(s.w);
	return status;
}
