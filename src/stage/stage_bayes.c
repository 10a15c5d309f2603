/*
 * stage_bayes.c - the stage of xd-bayes(1), the statistical filter:
 * classify each line's message by its tokens (BAYES=, BAYES_nn), learn
 * messages as ham or spam, and keep the auto-allowlist of the people
 * mail was sent to (AWL=).  --tokens, --stats and --expire are here
 * too, for they read the messages and the store as the stage does.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"
#include "verdict/verdict.h"
#include "stage.h"

#define TOOL		"xd-bayes"
#define MAX_RCPTS	100	/* addresses of one header in a sent message */
#define EXPLAIN_EACH	10	/* --explain: tokens shown each way */

/* What xd-bayes owns on a line: replaced on every run. */
static const char *const own[] = { "BAYES=", "BAYES_", "AWL=", NULL };

struct line {
	struct store_val *vals;		/* token counts, then the totals */
	size_t		 n;
	struct store_val awl, sent;
	int		 have_awl;
	char		*from;
	struct bayes_learned learned;
	int		 queued;	/* its work was queued */
	int		 failed;	/* its batch did not run */
	uint64_t	*h;		/* classifying: the tokens' hashes */
	struct buf	 names;		/* --explain: their texts */
};

struct tool {
	enum bayes_mode	 mode;
	int		 cls;		/* BAYES_LEARN: BAYES_HAM or BAYES_SPAM */
	int		 quiet;
	int		 explain;	/* why, on notes */
	FILE		*notes;		/* --explain and the summary: stderr */
	FILE		*shown;		/* --tokens: what is shown */
	struct bayes_db	*db;
	struct bayes_tokens t;		/* --tokens, --explain: shown as made */
	const struct bayes_tokens *tk;	/* the line's */
	const char	*xdtag;
	long long	 min_learned;
	int		 other_scheme;	/* the store's tokens are not ours */
	double		*f;		/* scratch for bayes_classify() */
	struct bayes_batch *batch;	/* classifying: the tokens of the lines */
	struct line	**queued;	/* lines whose work is queued */
	size_t		 nqueued, qcap;
	unsigned long	 done[BAYES_UNKNOWN + 1], failed;
	struct buf	 a, b;
};

/*
 * Run what is queued (with tokens, the batch's reads of them too); the
 * lines it was for learn whether it ran.
 */
static void
run_queued(struct tool *tl, int tokens)
{
	const char *why;
	size_t i;
	int rc;

	if (tokens && tl->mode == BAYES_CLASSIFY)
		rc = bayes_batch_run(tl->db, tl->batch, &why);
	else
		rc = store_run(bayes_db_store(tl->db), &why);
	if (rc == -1) {
		xd_warnx("%s: %s", store_url(bayes_db_store(tl->db)), why);
		for (i = 0; i < tl->nqueued; i++)
			tl->queued[i]->failed = 1;
	}
	/* a line whose tokens are not read yet is still to run */
	if (tokens || tl->mode != BAYES_CLASSIFY)
		tl->nqueued = 0;
}

/* Make room for ops more operations, and remember whose they are. */
static void
will_queue(struct tool *tl, struct line *ln, size_t ops)
{
	if (store_pending(bayes_db_store(tl->db)) + ops > STORE_MAX_OPS)
		run_queued(tl, 0);
	if (tl->nqueued == tl->qcap) {
		tl->qcap = tl->qcap ? tl->qcap * 2 : 64;
		tl->queued = xrealloc(tl->queued,
		    tl->qcap * sizeof(*tl->queued));
	}
	tl->queued[tl->nqueued++] = ln;
}

/* Open and tokenize a line's message; NULL and error= if it cannot be. */
static struct message *
open_line(struct tool *tl, struct rec *rec)
{
	struct locator loc;
	struct message *m;
	const char *why;

	if (rec_locate(rec, &loc, &why) == -1 ||
	    (m = view_message(&loc, &why)) == NULL) {
		xd_warnx("%s: %s", rec_locator(rec), why);
		rec_error(rec, TOOL, why);
		locator_free(&loc);
		return NULL;
	}
	locator_free(&loc);
	if (tl->t.show != NULL) {	/* each token as it is made */
		bayes_tokenize(m, &tl->t, tl->xdtag);
		tl->tk = &tl->t;
	} else
		tl->tk = message_tokens(m, tl->xdtag);
	return m;
}

/* The recipients of a sent message, comma-separated, into tl->a. */
static void
recipients(struct tool *tl, const struct message *m)
{
	static const char *const hdr[] = { "To", "Cc", "Bcc", NULL };
	size_t i;

	buf_reset(&tl->a);
	buf_adds(&tl->a, "");
	for (i = 0; hdr[i] != NULL; i++) {
		if (message_addrs(m, hdr[i], &tl->b, NULL, MAX_RCPTS,
		    MAX_RCPTS * STORE_MAX_KEY) == 0)
			continue;
		if (tl->a.len > 0)
			buf_addc(&tl->a, ',');
		buf_add(&tl->a, tl->b.s, tl->b.len);
	}
}

/* --explain: each new token's text, NUL-terminated, in a row. */
static void
keep_name(const char *tok, void *arg)
{
	buf_add(arg, tok, strlen(tok) + 1);
}

static void
keep_tokens(struct tool *tl, struct line *ln)
{
	ln->h = xcalloc(ln->n + 1, sizeof(*ln->h));
	memcpy(ln->h, tl->tk->h, ln->n * sizeof(*ln->h));
}

static int
line_start(struct rec *rec, void *state, void *arg)
{
	struct tool *tl = arg;
	struct line *ln = state;
	struct message *m;
	struct bayes_db *db = tl->db;

	if (tl->mode == BAYES_CLASSIFY)
		rec_drop_prefixes(rec, own);
	if (tl->other_scheme) {
		rec_error(rec, TOOL, "scheme");
		return 1;
	}
	if (tl->explain) {
		tl->t.show = keep_name;
		tl->t.show_arg = &ln->names;
	}
	if ((m = open_line(tl, rec)) == NULL)
		return 1;
	ln->queued = 1;
	switch (tl->mode) {
	case BAYES_LEARN:
	case BAYES_UNLEARN:
		will_queue(tl, ln, bayes_learn_ops(tl->tk->n));
		bayes_queue_learn(db, tl->tk, tl->cls, &ln->learned);
		break;
	case BAYES_SENT:
		recipients(tl, m);
		will_queue(tl, ln, 3 * MAX_RCPTS + 2);
		awl_queue_sent(db, tl->tk, tl->a.s, &ln->sent);
		break;
	default:
		ln->n = tl->tk->n;
		keep_tokens(tl, ln);
		will_queue(tl, ln, 1);
		bayes_batch_add(tl->batch, tl->tk);
		if (message_addrs(m, "From", &tl->a, NULL, 1,
		    MSG_MAX_VALUE) == 1 &&
		    awl_queue_get(db, tl->a.s, &ln->awl)) {
			ln->have_awl = 1;
			ln->from = xstrdup(tl->a.s);
		}
		break;
	}
	view_release(m);
	return 0;
}

static void
line_batch(void *arg)
{
	run_queued(arg, 1);
}

struct why {
	double		 f;
	long long	 ham, spam;
	const char	*name;
};

static int
by_f(const void *a, const void *b)
{
	double x = ((const struct why *)a)->f, y = ((const struct why *)b)->f;

	return (x > y) - (x < y);
}

static int
cmp_hash(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
show_why(FILE *fp, const struct why *w)
{
	fprintf(fp, "\t%.4f\t%lld\t%lld\t%s\n", w->f, w->ham, w->spam,
	    w->name);
}

/*
 * --explain: the tokens that took part, known ones only, the strongest
 * EXPLAIN_EACH each way, as "f ham spam token".
 */
static void
explain(FILE *fp, struct rec *rec, const struct line *ln, double p)
{
	const struct store_val *tot = &ln->vals[ln->n];
	const struct bayes_params *bp = &bayes_defaults;
	struct why *w = xcalloc(ln->n + 1, sizeof(*w));
	const uint64_t *at;
	const char *s = ln->names.s, *end = s + ln->names.len;
	size_t i, k = 0, nham = 0, nspam = 0;

	for (; s != NULL && s < end; s += strlen(s) + 1) {
		at = bsearch((uint64_t[]){ bayes_hash(s, strlen(s)) }, ln->h,
		    ln->n, sizeof(*ln->h), cmp_hash);
		if (at == NULL)
			continue;
		i = (size_t)(at - ln->h);
		if (ln->vals[i].n[0] + ln->vals[i].n[1] <= 0)
			continue;
		w[k].ham = ln->vals[i].n[0];
		w[k].spam = ln->vals[i].n[1];
		w[k].f = bayes_fw(bp, (double)w[k].ham, (double)w[k].spam,
		    (double)tot->n[0], (double)tot->n[1]);
		w[k].name = s;
		nham += w[k].f <= 0.5 - bp->min_dev;
		nspam += w[k].f >= 0.5 + bp->min_dev;
		k++;
	}
	qsort(w, k, sizeof(*w), by_f);
	fprintf(fp, "%s\tBAYES=%.4f\t%zu tokens known, %zu hammy and "
	    "%zu spammy of them strong\n", rec_locator(rec), p, k, nham,
	    nspam);
	for (i = k; i > 0 && k - i < EXPLAIN_EACH; i--)
		if (w[i - 1].f >= 0.5 + bp->min_dev)
			show_why(fp, &w[i - 1]);
	for (i = 0; i < k && i < EXPLAIN_EACH; i++)
		if (w[i].f <= 0.5 - bp->min_dev)
			show_why(fp, &w[i]);
	free(w);
}

/* --explain of an untrained store: say so, and what would train it. */
static void
explain_untrained(FILE *fp, const struct rec *rec,
    const struct store_val *tot, long long min)
{
	struct buf b;

	buf_init(&b);
	describe_untrained(&b, tot->n[0] > 0 ? tot->n[0] : 0,
	    tot->n[1] > 0 ? tot->n[1] : 0, min);
	fprintf(fp, "%s\tBAYES_UNTRAINED\t%s (xd learn ham|spam)\n",
	    rec_locator(rec), b.s);
	buf_free(&b);
}

static void
classified(struct tool *tl, struct rec *rec, struct line *ln)
{
	const struct store_val *tot;
	double p;

	ln->vals = xcalloc(ln->n + 1, sizeof(*ln->vals));
	bayes_batch_counts(tl->batch, ln->h, ln->n, ln->vals);
	tot = &ln->vals[ln->n];

	if (tot->n[0] < tl->min_learned || tot->n[1] < tl->min_learned) {
		rec_addf(rec, "BAYES_UNTRAINED", "ham:%lld,spam:%lld",
		    tot->n[0] > 0 ? tot->n[0] : 0,
		    tot->n[1] > 0 ? tot->n[1] : 0);
		if (tl->explain)
			explain_untrained(tl->notes, rec, tot,
			    tl->min_learned);
	} else {
		if (ln->n > 0)
			tl->f = xrealloc(tl->f, ln->n * sizeof(*tl->f));
		p = bayes_classify(&bayes_defaults, ln->vals, ln->n, tl->f,
		    NULL);
		/* what is written is what decides the band */
		p = round(p * 10000) / 10000;
		rec_addf(rec, "BAYES", "%.4f", p);
		rec_add(rec, bayes_band(p), "");
		if (tl->explain)
			explain(tl->notes, rec, ln, p);
	}
	if (ln->have_awl && ln->awl.n[0] > 0)
		rec_add(rec, "AWL", ln->from);
}

static int
line_finish(struct rec *rec, void *state, void *arg)
{
	struct tool *tl = arg;
	struct line *ln = state;
	int rc = 0;

	if (!ln->queued)
		return 1;
	if (ln->failed) {
		rec_error(rec, TOOL, "store");
		tl->failed++;
		rc = 1;
	} else if (tl->mode == BAYES_CLASSIFY)
		classified(tl, rec, ln);
	else if (tl->mode == BAYES_SENT)
		tl->done[ln->sent.n[0] == 0 ? BAYES_NEW : BAYES_ALREADY]++;
	else
		tl->done[bayes_outcome(&ln->learned)]++;
	free(ln->vals);
	free(ln->from);
	free(ln->h);
	buf_free(&ln->names);
	return rc;
}

static void
summary(const struct tool *tl)
{
	const unsigned long *d = tl->done;
	const char *cls = tl->cls == BAYES_HAM ? "ham" : "spam";

	if (tl->quiet || tl->notes == NULL)
		return;
	if (tl->mode == BAYES_LEARN)
		fprintf(tl->notes, "%s: learned %lu as %s, %lu moved from %s, "
		    "%lu already known\n", TOOL, d[BAYES_NEW], cls,
		    d[BAYES_MOVED], tl->cls == BAYES_HAM ? "spam" : "ham",
		    d[BAYES_ALREADY]);
	else if (tl->mode == BAYES_UNLEARN)
		fprintf(tl->notes, "%s: unlearned %lu, %lu were not learned\n",
		    TOOL, d[BAYES_UNLEARNED], d[BAYES_UNKNOWN]);
	else if (tl->mode == BAYES_SENT)
		fprintf(tl->notes, "%s: recipients of %lu sent messages "
		    "recorded, %lu already known\n", TOOL, d[BAYES_NEW],
		    d[BAYES_ALREADY]);
	if (tl->failed > 0)
		fprintf(tl->notes, "%s: %lu messages not learned: the store "
		    "failed\n", TOOL, tl->failed);
}

static void
show_token(const char *tok, void *arg)
{
	fprintf(arg, "\t%s\n", tok);
}

/* --tokens: each message and its tokens, for people. */
static int
tokens_line(struct rec *rec, void *arg)
{
	struct tool *tl = arg;
	struct message *m;

	fprintf(tl->shown, "message %s\n", rec_locator(rec));
	tl->t.show = show_token;
	tl->t.show_arg = tl->shown;
	if ((m = open_line(tl, rec)) == NULL)
		return 1;
	view_release(m);
	return 0;
}

/*
 * A store of tokens of another scheme is never misread: learning into
 * it is refused (-1, said), and classifying gives each line
 * error=xd-bayes:scheme, so that mail still flows.  A store that fails
 * here fails each line in the run as it would have.
 */
static int
check_scheme(struct tool *tl)
{
	struct store *st = bayes_db_store(tl->db);
	long long found;
	const char *why;
	int ok;

	if ((ok = bayes_db_scheme(tl->db, tl->mode != BAYES_CLASSIFY, &found,
	    &why)) != 0)
		return 0;
	if (tl->mode != BAYES_CLASSIFY) {
		xd_warnx("%s: its Bayes tokens are of token scheme %lld, "
		    "this xd-bayes makes scheme %d: re-train (remove the "
		    "store, or its bayes tables, and xd learn ham and spam "
		    "again)", store_url(st), found, TOKEN_SCHEME);
		return -1;
	}
	xd_warnx("%s: its Bayes tokens are of token scheme %lld, this "
	    "xd-bayes reads scheme %d: not classifying (re-train: remove "
	    "the store, or its bayes tables, and xd learn ham and spam "
	    "again)", store_url(st), found, TOKEN_SCHEME);
	tl->other_scheme = 1;
	return 0;
}

/* --- the stage: classified, learned, or sent mail recorded ----------- */

static void
tool_init(struct tool *tl)
{
	bayes_tokens_init(&tl->t);
	tl->batch = bayes_batch_new();
	buf_init(&tl->a);
	buf_init(&tl->b);
	tl->xdtag = conf_str("subject_tag");
	tl->min_learned = conf_int("bayes_min_learned");
}

static void
tool_free(struct tool *tl)
{
	bayes_tokens_free(&tl->t);
	bayes_batch_free(tl->batch);
	buf_free(&tl->a);
	buf_free(&tl->b);
	free(tl->f);
	free(tl->queued);
}

static void *
bayes_open(const void *arg)
{
	static const struct bayes_opts conf;
	const struct bayes_opts *o = arg != NULL ? arg : &conf;
	struct tool *tl = xcalloc(1, sizeof(*tl));
	const char *why;

	if ((tl->db = bayes_db_open(o->store, &why)) == NULL) {
		xd_warnx("%s: %s", o->store ? o->store : conf_str("store"),
		    why);
		free(tl);
		return NULL;
	}
	tl->mode = o->mode;
	tl->cls = o->cls;
	tl->quiet = o->quiet;
	tl->explain = o->explain;
	tl->notes = o->notes;
	tool_init(tl);
	store_set_time(bayes_db_store(tl->db), o->now);
	return tl;
}

static int
bayes_run(void *arg, FILE *in, FILE *out)
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
	if (rc >= 0 && tl->mode != BAYES_CLASSIFY)
		summary(tl);
	return rc;
}

static void
bayes_close(void *arg)
{
	struct tool *tl = arg;

	bayes_db_close(tl->db);
	tool_free(tl);
	free(tl);
}

const struct stage stage_bayes = { "bayes", bayes_open, bayes_run,
	bayes_close };

/* --- the rest of xd-bayes: for people ------------------------------- */

int
bayes_print_tokens(FILE *in, FILE *out)
{
	struct tool tl;
	FILE *null;
	int rc;

	if ((null = fopen("/dev/null", "w")) == NULL) {
		xd_warn("/dev/null");
		return XD_EXIT_USAGE;
	}
	memset(&tl, 0, sizeof(tl));
	tool_init(&tl);
	tl.shown = out;
	rc = stream_run(in, null, TOOL, tokens_line, &tl);
	fclose(null);
	tool_free(&tl);
	if (rc >= 0 && fflush(out) == EOF)
		rc = XD_WRITE_ERROR;
	return rc;
}

static int
print_stats(struct tool *tl, FILE *out)
{
	struct store_val tot;
	long long tokens, seen, awl, scheme;
	const char *why;
	struct store *st = bayes_db_store(tl->db);

	bayes_queue_totals(tl->db, &tot);
	if (store_run(st, &why) == -1 ||
	    bayes_db_stats(tl->db, &tokens, &seen, &awl, &why) == -1 ||
	    bayes_db_scheme(tl->db, 0, &scheme, &why) == -1) {
		xd_warnx("%s: %s", store_url(st), why);
		return XD_EXIT_SOME;
	}
	/* the bound the store keeps the tokens to, beside how many */
	fprintf(out, "store\t%s\nham\t%lld\nspam\t%lld\ntokens\t%lld\n"
	    "max_tokens\t%lld\nscheme\t%lld\nseen\t%lld\nawl\t%lld\n",
	    store_url(st), tot.n[0], tot.n[1], tokens,
	    conf_int("bayes_max_tokens"), scheme, seen, awl);
	return XD_EXIT_OK;
}

/* --expire: age the tokens out, and say how many went. */
static int
print_expired(struct tool *tl, FILE *out)
{
	long long aged, rare;
	const char *why;

	if (bayes_expire(tl->db, conf_int("bayes_rare_ttl"), &aged, &rare,
	    &why) == -1) {
		xd_warnx("%s: %s", store_url(bayes_db_store(tl->db)), why);
		return XD_EXIT_SOME;
	}
	fprintf(out, "aged\t%lld\nrare\t%lld\n", aged, rare);
	return XD_EXIT_OK;
}

int
bayes_tables(const struct bayes_opts *o, int expire, FILE *out)
{
	struct tool *tl;
	int rc, e;

	if ((tl = bayes_open(o)) == NULL)
		return XD_EXIT_USAGE;
	rc = expire ? print_expired(tl, out) : print_stats(tl, out);
	if (rc == XD_EXIT_OK && fflush(out) == EOF)
		rc = XD_WRITE_ERROR;
	e = errno;		/* the write's, for the main to say */
	bayes_close(tl);
	errno = e;
	return rc;
}
