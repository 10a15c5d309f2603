/*
 * stage_lr.c - the stage of xd-lr(1), the discriminative learner: an
 * online logistic regression over hashed features of each line's
 * message (LR=, LR_nn), learned from every message it is told the
 * class of.  See check/lr.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"
#include "stage.h"

#define TOOL		"xd-lr"

enum mode { CLASSIFY, LEARN };

/* What xd-lr owns on a line: replaced on every run. */
static const char *const own[] = { "LR=", "LR_", NULL };

struct line {
	struct lr_features f;
	int32_t		*vals;		/* the features' weights, in units */
	struct store_val tot, seen;
	unsigned char	 digest[BAYES_DIGEST];
	int		 cls;		/* LEARN: this line's class */
	int		 queued, failed;
};

struct tool {
	enum mode	 mode;
	int		 cls;		/* BAYES_HAM, BAYES_SPAM or LR_BY_LABEL */
	int		 quiet;
	FILE		*notes;		/* the summary: stderr, or NULL */
	struct lr_rule	 rule;		/* how a message learned moves */
	long long	 min_learned;
	int		 other_scheme;	/* the store's weights are not ours */
	struct lr_db	*db;
	struct buf	 label;
	const char	*xdtag;
	struct line	**lines;	/* this batch's, in order */
	size_t		 nlines, lcap;
	unsigned long	 learned, updates, already, failed;
};

/* The class of a line: the tool's, or its label= for --learn label. */
static int
line_class(struct tool *tl, const struct rec *rec)
{
	if (tl->cls != LR_BY_LABEL)
		return tl->cls;
	if (rec_get(rec, "label", &tl->label) != 1)
		return 0;
	if (strcmp(tl->label.s, "ham") == 0)
		return BAYES_HAM;
	if (strcmp(tl->label.s, "spam") == 0)
		return BAYES_SPAM;
	return 0;
}

/* Run the reads queued; the lines they were for learn whether it ran. */
static void
run_reads(struct tool *tl)
{
	struct store *st = lr_db_store(tl->db);
	const char *why;
	size_t i;

	if (store_run(st, &why) == 0)
		return;
	xd_warnx("%s: %s", store_url(st), why);
	for (i = 0; i < tl->nlines; i++)
		tl->lines[i]->failed = 1;
}

static int
line_start(struct rec *rec, void *state, void *arg)
{
	struct tool *tl = arg;
	struct line *ln = state;
	struct store *st = lr_db_store(tl->db);
	struct locator loc;
	const char *why;

	if (tl->mode == CLASSIFY)
		rec_drop_prefixes(rec, own);
	if (tl->other_scheme) {
		rec_error(rec, TOOL, "scheme");
		return 1;
	} else if (tl->mode == LEARN &&
	    (ln->cls = line_class(tl, rec)) == 0) {
		rec_error(rec, TOOL, "label");
		return 1;
	}
	if (rec_locate(rec, &loc, &why) == -1 ||
	    lr_message_features(&loc, tl->xdtag, &ln->f, ln->digest,
	    &why) == -1) {
		xd_warnx("%s: %s", rec_locator(rec), why);
		rec_error(rec, TOOL, why);
		locator_free(&loc);
		return 1;
	}
	locator_free(&loc);
	ln->vals = xcalloc(ln->f.n, sizeof(*ln->vals));
	/* reads only: run what is queued so far, the batch learns later */
	if (store_pending(st) + 3 > STORE_MAX_OPS)
		run_reads(tl);
	lr_queue_weights(tl->db, &ln->f, ln->vals);
	lr_queue_totals(tl->db, &ln->tot);
	if (tl->mode == LEARN)
		lr_queue_seen(tl->db, ln->digest, &ln->seen);
	ln->queued = 1;
	if (tl->nlines == tl->lcap) {
		tl->lcap = tl->lcap ? 2 * tl->lcap : 64;
		tl->lines = xrealloc(tl->lines, tl->lcap * sizeof(*tl->lines));
	}
	tl->lines[tl->nlines++] = ln;
	return 0;
}

/*
 * Learn the batch's messages one after the other, as the online
 * learner sees them (lr_learn_one()), then write what moved.
 */
static void
learn_batch(struct tool *tl, struct lr_cache *c)
{
	struct line *ln;
	const char *why;
	size_t i;

	for (i = 0; i < tl->nlines; i++) {
		if ((ln = tl->lines[i])->failed)
			continue;
		switch (lr_learn_one(tl->db, c, &tl->rule, &ln->f, ln->digest,
		    ln->seen.n[0], ln->cls)) {
		case LR_ALREADY:
			tl->already++;
			continue;
		case LR_UPDATED:
			tl->updates++;
			break;
		case LR_KEPT:
			break;
		}
		tl->learned++;
	}
	if (lr_learn_commit(tl->db, c, &why) == -1) {
		xd_warnx("%s: %s", store_url(lr_db_store(tl->db)), why);
		for (i = 0; i < tl->nlines; i++)
			tl->lines[i]->failed = 1;
		tl->learned = 0;
	}
}

static void
line_batch(void *arg)
{
	struct tool *tl = arg;
	struct lr_cache *c;
	size_t i, n = 0;

	if (tl->nlines == 0)
		return;
	run_reads(tl);
	if (tl->mode == LEARN) {
		for (i = 0; i < tl->nlines; i++)
			n += tl->lines[i]->f.n;
		c = lr_cache_new(n);
		for (i = 0; i < tl->nlines; i++)
			lr_cache_load(c, &tl->lines[i]->f,
			    tl->lines[i]->vals);
		learn_batch(tl, c);
		lr_cache_free(c);
	}
	tl->nlines = 0;
}

static void
classified(struct tool *tl, struct rec *rec, const struct line *ln)
{
	double score = 0, p;
	size_t i;

	if (ln->tot.n[0] < tl->min_learned || ln->tot.n[1] < tl->min_learned) {
		rec_addf(rec, "LR_UNTRAINED", "ham:%lld,spam:%lld",
		    ln->tot.n[0] > 0 ? ln->tot.n[0] : 0,
		    ln->tot.n[1] > 0 ? ln->tot.n[1] : 0);
		return;
	}
	for (i = 0; i < ln->f.n; i++)
		score += (double)ln->vals[i] * LR_UNIT;
	score *= lr_scale(&ln->f);
	/* what is written is what decides the band */
	p = round(lr_prob(score) * 1e6) / 1e6;
	rec_addf(rec, "LR", "%.6f", p);
	rec_add(rec, lr_band(p), "");
}

static int
line_finish(struct rec *rec, void *state, void *arg)
{
	struct tool *tl = arg;
	struct line *ln = state;
	int rc = 0;

	if (!ln->queued)
		rc = 1;
	else if (ln->failed) {
		rec_error(rec, TOOL, "store");
		tl->failed++;
		rc = 1;
	} else if (tl->mode == CLASSIFY)
		classified(tl, rec, ln);
	lr_features_free(&ln->f);
	free(ln->vals);
	return rc;
}

/*
 * A store whose weights mean other features is never read: learning
 * into it is refused (-1, said), classifying gives each line
 * error=xd-lr:scheme.  A store that fails here fails each line in the
 * run as it would have.
 */
static int
check_scheme(struct tool *tl)
{
	enum lr_scheme_state state;
	long long found;
	const char *why, *url = store_url(lr_db_store(tl->db));

	if (lr_db_scheme(tl->db, tl->mode == LEARN, &state, &found,
	    &why) == -1 || state != LR_SCHEME_OTHER)
		return 0;
	if (tl->mode == LEARN) {
		xd_warnx("%s: the learner's weights are of feature scheme "
		    "%lld, this xd-lr reads scheme %d: re-train (remove the "
		    "store's lr tables, or the store, and learn again)", url,
		    found, LR_SCHEME);
		return -1;
	}
	xd_warnx("%s: the learner's weights are of feature scheme %lld, "
	    "this xd-lr reads scheme %d: not classifying (re-train: remove "
	    "the store's lr tables, or the store, and learn again)", url,
	    found, LR_SCHEME);
	tl->other_scheme = 1;
	return 0;
}

/* The settings of xd.conf, read once it is loaded. */
static void
tool_init(struct tool *tl)
{
	lr_rule_conf(&tl->rule);
	tl->min_learned = conf_int("lr_min_learned");
	tl->xdtag = conf_str("subject_tag");
	buf_init(&tl->label);
}

static void
tool_free(struct tool *tl)
{
	buf_free(&tl->label);
	free(tl->lines);
}

/* --- the stage: classified, or learned ------------------------------ */

static void *
lr_open(const void *arg)
{
	static const struct lr_opts conf;
	const struct lr_opts *o = arg != NULL ? arg : &conf;
	struct tool *tl = xcalloc(1, sizeof(*tl));
	const char *why;

	if ((tl->db = lr_db_open(o->store, &why)) == NULL) {
		xd_warnx("%s: %s", o->store ? o->store : conf_str("store"),
		    why);
		free(tl);
		return NULL;
	}
	tl->mode = o->learn != 0 ? LEARN : CLASSIFY;
	tl->cls = o->learn;
	tl->quiet = o->quiet;
	tl->notes = o->notes;
	tool_init(tl);
	store_set_time(lr_db_store(tl->db), o->now);
	return tl;
}

static int
lr_run(void *arg, FILE *in, FILE *out)
{
	struct tool *tl = arg;
	const struct store_runner r = { .tool = TOOL,
	    .state_size = sizeof(struct line), .line = line_start,
	    .batch = line_batch, .finish = line_finish, .arg = tl };
	int rc;

	if (check_scheme(tl) != 0)
		return XD_EXIT_USAGE;
	rc = store_stream_run(in, out, &r);
	/* a stream that failed is said by the main, and ends there */
	if (rc < 0 || tl->quiet)
		return rc;
	if (tl->mode == LEARN && tl->notes != NULL)
		fprintf(tl->notes, "%s: learned %lu (the weights moved for "
		    "%lu), %lu already known\n", TOOL, tl->learned,
		    tl->updates, tl->already);
	if (tl->failed > 0)
		xd_warnx("%lu messages not done: the store failed",
		    tl->failed);
	return rc;
}

static void
lr_close(void *arg)
{
	struct tool *tl = arg;

	lr_db_close(tl->db);
	tool_free(tl);
	free(tl);
}

const struct stage stage_lr = { "lr", lr_open, lr_run, lr_close };

int
lr_print_stats(const struct lr_opts *o, FILE *out)
{
	struct tool *tl;
	struct store *st;
	struct store_val tot;
	long long weights, seen;
	const char *why;
	int rc = XD_EXIT_OK, e;

	if ((tl = lr_open(o)) == NULL)
		return XD_EXIT_USAGE;
	st = lr_db_store(tl->db);
	lr_queue_totals(tl->db, &tot);
	if (store_run(st, &why) == -1 ||
	    lr_db_stats(tl->db, &weights, &seen, &why) == -1) {
		xd_warnx("%s: %s", store_url(st), why);
		rc = XD_EXIT_SOME;
	} else {
		fprintf(out, "store\t%s\nham\t%lld\nspam\t%lld\nweights\t%lld\n"
		    "max\t%lld\nseen\t%lld\n", store_url(st), tot.n[0],
		    tot.n[1], weights, (long long)LR_SIZE, seen);
		if (fflush(out) == EOF)
			rc = XD_WRITE_ERROR;
	}
	e = errno;		/* the write's, for the main to say */
	lr_close(tl);
	errno = e;
	return rc;
}
