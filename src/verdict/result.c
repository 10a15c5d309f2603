/*
 * result.c - the one syslog line per checked message, as spamd's
 * "result:" line gives it: what a sysadmin greps for when a user asks
 * where a mail went.  It is made from the final verdict line; the
 * symbols' weights come from scoring that line again (score.c), with
 * the weights and policy xd-score read, rather than from a second
 * reckoning of them here.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "policy/policy.h"
#include "verdict/verdict.h"

#define RESULT_TOP	5	/* symbols named, the heaviest first */
#define RESULT_VALUE	200	/* bytes of a value from mail */

/* " name=VALUE", the value from the line, escaped; "-" when missing. */
static void
add_value(struct buf *out, const char *name, const struct rec *rec,
    const char *field)
{
	struct buf v;

	buf_init(&v);
	buf_printf(out, " %s=", name);
	if (rec_get(rec, field, &v) && v.len > 0)
		log_escape(v.s, v.len > RESULT_VALUE ? RESULT_VALUE : v.len,
		    out);
	else
		buf_addc(out, '-');
	buf_free(&v);
}

/* The heaviest symbols that counted, "NAME(weight)", comma-separated. */
static void
add_symbols(struct buf *out, struct score *s)
{
	size_t i, n = 0;

	score_by_contribution(s);
	buf_adds(out, " symbols=");
	for (i = 0; i < s->nsym && n < RESULT_TOP; i++) {
		if (s->sym[i].how != COUNTED)
			continue;
		if (n++ > 0)
			buf_addc(out, ',');
		log_escape(s->sym[i].field, s->sym[i].namelen, out);
		buf_printf(out, "(%.2f)", s->sym[i].weight);
	}
	if (n == 0)
		buf_addc(out, '-');
}

/*
 * The result line of the verdict line rec, which took ms milliseconds,
 * into out.  Returns -1 with *why set when the weights or the policy
 * cannot be read.  rec loses its score fields on the way (score_line).
 */
int
result_line(struct rec *rec, long long ms, struct buf *out,
    const char **why)
{
	struct score s;
	struct buf cls, score;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	buf_init(&cls);
	buf_init(&score);
	if ((s.w = weights_load(NULL)) == NULL ||
	    (s.p = policy_load(NULL)) == NULL) {
		*why = "cannot read the weights or the policy";
		goto done;
	}
	if (!rec_get(rec, "class", &cls))
		buf_adds(&cls, "-");
	if (!rec_get(rec, "score", &score))
		buf_adds(&score, "-");
	score_line(&s, rec);
	buf_reset(out);
	buf_adds(out, "result: class=");
	log_escape(cls.s, cls.len, out);
	buf_adds(out, " score=");
	log_escape(score.s, score.len, out);
	buf_printf(out, "/%.2f", weights_threshold(s.w, "spam"));
	add_value(out, "msgid", rec, "msgid");
	add_value(out, "mailfrom", rec, "mailfrom");
	add_value(out, "rcpt", rec, "rcpt");
	add_symbols(out, &s);
	buf_printf(out, " time=%lld.%03llds", ms / 1000, ms % 1000);
	add_value(out, "size", rec, "size");
	rc = 0;
done:
	free(s.sym);
	policy_free(s.p);
	weights_free(s.w);
	buf_free(&cls);
	buf_free(&score);
	return rc;
}
