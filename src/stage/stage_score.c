/*
 * stage_score.c - the stage of xd-score(1): add up the weights of a
 * line's symbols, apply the policy, and write score=, prob=, class= and
 * policy=.  A pure function of the
 * line: it reads no mail and asks no one, so a stored stream can be
 * scored again in seconds with new weights.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "policy/policy.h"
#include "check/check.h"
#include "verdict/verdict.h"
#include "stage.h"

#define TOOL	"xd-score"

static FILE *autolearn_fp;	/* --autolearn */

/*
 * --autolearn: what xd-filter learns the message as.  A failure here
 * is only a message not learned: it never fails the stream.
 */
static void
autolearn_line(const struct score *s, const struct rec *rec)
{
	const char *what;
	double at;

	if (autolearn_fp == NULL)
		return;
	what = score_autolearn(s, rec, conf_double("autolearn_spam"),
	    conf_double("autolearn_ham"), &at);
	if (fprintf(autolearn_fp, "%s %.2f\n", what, at) < 0 ||
	    fflush(autolearn_fp) == EOF) {
		xd_warn("--autolearn");
		fclose(autolearn_fp);
		autolearn_fp = NULL;
	}
}

static int
stream_line(struct rec *rec, void *arg)
{
	struct score *s = arg;

	score_line(s, rec);
	autolearn_line(s, rec);
	rec_addf(rec, "score", "%.2f", s->score);
	rec_addf(rec, "prob", "%.4f", weights_prob(s->w, s->score));
	rec_add(rec, "class", s->class);
	if (s->rule != NULL)
		rec_addf(rec, "policy", "%s:%lu", policy_path(s->p),
		    s->rule->line);
	return 0;
}

/* A line with error=: some check did not look, so its score is not all. */
static int
unchecked(const struct rec *rec)
{
	struct buf where;
	const char *err;

	if ((err = rec_raw(rec, "error")) == NULL)
		return 0;
	buf_init(&where);
	stream_unescape(rec_locator(rec), &where);
	xd_warnx("%s: not checked in full: error=%s", where.s ? where.s : "",
	    err);
	buf_free(&where);
	return 1;
}

static int
show_line(struct score *s, struct rec *rec, enum score_show show,
    FILE *out)
{
	int status = 0;

	score_line(s, rec);
	score_by_contribution(s);
	switch (show) {
	case SCORE_EXPLAIN:
		score_explain(out, s, rec);
		return XD_EXIT_OK;
	case SCORE_SPAMC:
		status = score_spamc(out, s, rec);
		break;
	case SCORE_REPORT:
		status = score_report(out, s, rec);
		break;
	default:
		status = score_why(out, s, rec);
		break;
	}
	return unchecked(rec) ? SCORE_EXIT_UNCHECKED : status;
}

/*
 * --explain, --spamc, --report, --why: for people, on out (standard
 * output), instead of the stream.  --explain exits as the stream does;
 * the others exit with the worst line's status: 0 ham, 1 spam or
 * surespam, 3 a line that was not checked in full or could not be read.
 */
static int
people_run(struct score *s, enum score_show show, FILE *in,
    FILE *out)
{
	struct reader r;
	struct rec rec;
	unsigned long done = 0;
	int status = XD_EXIT_OK, rc, fail;

	fail = show == SCORE_EXPLAIN ? XD_EXIT_SOME : SCORE_EXIT_UNCHECKED;
	reader_init(&r, in, "<stdin>", conf_size("max_line"));
	rec_init(&rec);
	while (reader_next(&r, &rec)) {
		if (rec.comment)
			continue;
		progress_tick(++done, 0);
		if (rec.bad != NULL) {
			xd_warnx("<stdin>:%lu: %s", r.lineno, rec.bad);
			if (show == SCORE_EXPLAIN)
				fprintf(out, "message %s\n  error %s:%s\n\n",
				    rec_locator(&rec), TOOL, rec.bad);
			status = fail;
			continue;
		}
		if ((rc = show_line(s, &rec, show, out)) > status)
			status = rc;
	}
	progress_tick(done, 1);
	rec_free(&rec);
	reader_free(&r);
	if (fflush(out) == EOF || ferror(out)) {
		xd_warn("write error");
		return fail;
	}
	if (ferror(in)) {
		xd_warn("read error");
		return fail;
	}
	return status;
}

/*
 * The descriptions of the reports: the shared table, and the describe
 * lines of the rules xd-heur runs.  Rules that cannot be loaded leave
 * their symbols without one, which the report says; xd-heur fails on
 * them itself.
 */
struct descriptions *
score_descriptions(struct ruleset **rs)
{
	struct descriptions *d;
	struct rules_stats st;
	int none;

	if ((d = descriptions_load(NULL)) == NULL)
		return NULL;
	*rs = rules_load_conf(NULL, 0, &st, &none, 0);
	descriptions_rules(d, *rs);
	return d;
}

static void
add_rule_weight(void *w, const char *name, double weight)
{
	weights_add_rule(w, name, weight);
}

/*
 * The score lines of the rules xd-heur runs weigh their symbols where
 * the weights file does not name them.  The files are only read: a
 * rule that cannot run never reaches the stream.
 */
void
score_rule_weights(struct weights *w)
{
	struct rules_stats st;
	struct ruleset *rs;
	int none;

	rs = rules_load_conf(NULL, 0, &st, &none, RULES_SCORES);
	if (rs != NULL)
		rules_each_score(rs, add_rule_weight, w);
	rules_free(rs);
}

/* --- the stage: the line scored, or shown to people ----------------- */

struct score_stage {
	struct score	 s;
	struct ruleset	*rs;
	enum score_show	 show;
};

static void score_close(void *);

static void *
score_open(const void *arg)
{
	static const struct score_opts conf;
	const struct score_opts *o = arg != NULL ? arg : &conf;
	struct score_stage *st = xcalloc(1, sizeof(*st));
	int described = o->show == SCORE_REPORT || o->show == SCORE_WHY;

	st->show = o->show;
	if ((st->s.w = weights_load(o->weights)) != NULL)
		score_rule_weights(st->s.w);
	st->s.p = policy_load(o->policy); /* both files' errors at once */
	if (described)
		st->s.d = score_descriptions(&st->rs);
	if (st->s.w == NULL || st->s.p == NULL || (described &&
	    st->s.d == NULL)) {
		score_close(st);
		return NULL;
	}
	if (o->autolearn != NULL &&
	    (autolearn_fp = fopen(o->autolearn, "w")) == NULL)
		xd_warn("--autolearn %s", o->autolearn);
	return st;
}

static int
score_run(void *arg, FILE *in, FILE *out)
{
	struct score_stage *st = arg;

	if (st->show != SCORE_STREAM)
		return people_run(&st->s, st->show, in, out);
	return stream_run(in, out, TOOL, stream_line, &st->s);
}

static void
score_close(void *arg)
{
	struct score_stage *st = arg;

	if (autolearn_fp != NULL) {
		fclose(autolearn_fp);
		autolearn_fp = NULL;
	}
	free(st->s.sym);
	descriptions_free(st->s.d);
	rules_free(st->rs);
	policy_free(st->s.p);
	weights_free(st->s.w);
	free(st);
}

const struct stage stage_score = { "score", score_open, score_run,
	score_close };
