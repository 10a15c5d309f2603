/*
 * report.c - a scored line told to people, on the FILE given: the
 * workings (--explain), spamc's "score/threshold" (--spamc), each
 * counted symbol with its description (--report) and sentences
 * (--why).  See xd-score(1).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "verdict/verdict.h"

#define SHOW_VALUE	60	/* bytes of a symbol's value shown */
#define WHY_MOST	5	/* --why: symbols named that raised the score */
#define WHY_AGAINST	3	/* --why: and that lowered it */

static void
explain_symbol(FILE *out, const struct score *s, const struct sym *y)
{
	int n = (int)strlen(y->field);

	if (y->field[y->namelen] == '=' && y->field[y->namelen + 1] == '\0')
		n = (int)y->namelen;	/* no evidence: the name alone */
	fprintf(out, "  %-7s %+8.2f  %.*s",
	    y->how == COUNTED ? "symbol" : "ignored", y->weight, n, y->field);
	if (y->rule != NULL && y->line == 0)
		fprintf(out, "  (the score line of rule %s)", y->rule);
	else if (y->rule != NULL)
		fprintf(out, "  (%s:%lu: %s)", weights_path(s->w), y->line,
		    y->rule);
	else
		fprintf(out, "  (not in %s)", weights_path(s->w));
	if (y->how == REPEATED)
		fprintf(out, " counted once");
	else if (y->how == UNLISTED)
		fprintf(out, " not listed by the critical rule");
	fputc('\n', out);
}

static void
explain_class(FILE *out, const struct score *s)
{
	double spam = weights_threshold(s->w, "spam");
	double sure = weights_threshold(s->w, "surespam");

	if (s->rule != NULL && s->rule->action != POLICY_CRITICAL) {
		fprintf(out, "  class %s: policy %s\n", s->class,
		    policy_action_name(s->rule->action));
		return;
	}
	if (s->score >= sure)
		fprintf(out, "  class %s: score %.2f >= surespam %.2f",
		    s->class, s->score, sure);
	else if (s->score >= spam)
		fprintf(out, "  class %s: score %.2f >= spam %.2f, "
		    "< surespam %.2f", s->class, s->score, spam, sure);
	else
		fprintf(out, "  class %s: score %.2f < spam %.2f", s->class,
		    s->score, spam);
	fprintf(out, "%s\n", s->rule != NULL ? ", critical symbols only" : "");
}

static void
explain_totals(FILE *out, const struct score *s)
{
	fprintf(out, "  score %.2f (spam from %.2f, surespam from %.2f)\n",
	    s->score, weights_threshold(s->w, "spam"),
	    weights_threshold(s->w, "surespam"));
}

static void
explain_policy(FILE *out, const struct score *s)
{
	if (s->rule != NULL)
		fprintf(out, "  policy %s:%lu: %s\n", policy_path(s->p),
		    s->rule->line, s->rule->text);
}

/* --explain: every symbol, where its weight came from, the class. */
void
score_explain(FILE *out, const struct score *s, const struct rec *rec)
{
	size_t i;

	fprintf(out, "message %s\n", rec_locator(rec));
	for (i = 0; i < s->nsym; i++)
		explain_symbol(out, s, &s->sym[i]);
	explain_totals(out, s);
	fprintf(out, "  prob %.4f\n", weights_prob(s->w, s->score));
	explain_policy(out, s);
	explain_class(out, s);
	fputc('\n', out);
}

/* --spamc: "score/threshold", as spamc -c prints it. */
int
score_spamc(FILE *out, const struct score *s, const struct rec *rec)
{
	(void)rec;
	fprintf(out, "%.2f/%.2f\n", s->score, weights_threshold(s->w, "spam"));
	return strcmp(s->class, "ham") == 0 ? 0 : SCORE_EXIT_SPAM;
}

/*
 * A symbol's value as people read it: unescaped, at most SHOW_VALUE
 * bytes, control characters (C0, DEL, C1 in UTF-8) as '?', for the
 * value comes from the message and goes to a terminal.
 */
static void
show_value(FILE *out, const char *field, size_t namelen)
{
	struct buf raw, shown;
	size_t i, n;
	unsigned char c, next;

	if (field[namelen] != '=' || field[namelen + 1] == '\0')
		return;
	buf_init(&raw);
	buf_init(&shown);
	stream_unescape(field + namelen + 1, &raw);
	n = utf8_cut(raw.s, raw.len, SHOW_VALUE);
	for (i = 0; i < n; i++) {
		c = (unsigned char)raw.s[i];
		next = i + 1 < n ? (unsigned char)raw.s[i + 1] : 0;
		if (c == 0xc2 && next >= 0x80 && next < 0xa0) {
			buf_addc(&shown, '?');
			i++;
		} else if (c < 0x20 || c == 0x7f)
			buf_addc(&shown, '?');
		else
			buf_addc(&shown, c);
	}
	fprintf(out, " [%s%s]", shown.s ? shown.s : "",
	    n < raw.len ? "..." : "");
	buf_free(&shown);
	buf_free(&raw);
}

static void
show_description(FILE *out, const struct score *s, const struct sym *y)
{
	const char *d = descriptions_find(s->d, y->field, y->namelen);

	fprintf(out, "%s", d != NULL ? d : "(no description)");
	show_value(out, y->field, y->namelen);
}

/* --report: each symbol that counted, its weight and description. */
int
score_report(FILE *out, const struct score *s, const struct rec *rec)
{
	size_t i;

	fprintf(out, "message %s\n", rec_locator(rec));
	for (i = 0; i < s->nsym; i++) {
		const struct sym *y = &s->sym[i];

		if (y->how != COUNTED)
			continue;
		fprintf(out, "  %+7.2f  %-24.*s  ", y->weight, (int)y->namelen,
		    y->field);
		show_description(out, s, y);
		fputc('\n', out);
	}
	explain_totals(out, s);
	explain_policy(out, s);
	explain_class(out, s);
	fputc('\n', out);
	return strcmp(s->class, "ham") == 0 ? 0 : SCORE_EXIT_SPAM;
}

static const char *
class_words(const char *class)
{
	if (strcmp(class, "surespam") == 0)
		return "sure spam";
	if (strcmp(class, "spam") == 0)
		return "spam";
	return "ham, not spam";
}

static void
why_class(FILE *out, const struct score *s)
{
	double spam = weights_threshold(s->w, "spam");
	double sure = weights_threshold(s->w, "surespam");

	fprintf(out, "It is %s", class_words(s->class));
	if (s->rule != NULL && s->rule->action != POLICY_CRITICAL) {
		fprintf(out, " because the policy %s it, whatever its score "
		    "(%.2f; spam starts at %.2f): %s:%lu: %s.\n",
		    s->rule->action == POLICY_BLOCK ? "blocks" :
		    s->rule->action == POLICY_TRUST ? "trusts" : "allows",
		    s->score, spam, policy_path(s->p), s->rule->line,
		    s->rule->text);
		return;
	}
	if (s->score >= sure)
		fprintf(out, ": it scored %.2f, at or above the %.2f where "
		    "sure spam starts.\n", s->score, sure);
	else if (s->score >= spam)
		fprintf(out, ": it scored %.2f, at or above the %.2f where "
		    "spam starts, below the %.2f of sure spam.\n", s->score,
		    spam, sure);
	else
		fprintf(out, ": it scored %.2f, below the %.2f where spam "
		    "starts.\n", s->score, spam);
	if (s->rule != NULL)
		fprintf(out, "Only the symbols the policy's critical rule "
		    "names counted: %s:%lu: %s.\n", policy_path(s->p),
		    s->rule->line, s->rule->text);
}

static void
why_symbol(FILE *out, const struct score *s, const struct sym *y)
{
	fprintf(out, "  %+.2f %.*s: ", y->weight, (int)y->namelen, y->field);
	show_description(out, s, y);
	fputc('\n', out);
}

/* The symbols that counted most, each way; how many more there are. */
static void
why_symbols(FILE *out, const struct score *s)
{
	size_t i, up = 0, down = 0, more = 0;

	for (i = 0; i < s->nsym; i++) {
		const struct sym *y = &s->sym[i];

		if (y->how != COUNTED || y->weight <= 0)
			continue;
		if (up++ == 0)
			fprintf(out, "What raised its score most:\n");
		if (up <= WHY_MOST)
			why_symbol(out, s, y);
		else
			more++;
	}
	if (up == 0)
		fprintf(out, "Nothing raised its score.\n");
	for (i = s->nsym; i > 0; i--) {
		const struct sym *y = &s->sym[i - 1];

		if (y->how != COUNTED || y->weight >= 0)
			continue;
		if (down++ == 0)
			fprintf(out, "What lowered it:\n");
		if (down <= WHY_AGAINST)
			why_symbol(out, s, y);
		else
			more++;
	}
	if (more > 0)
		fprintf(out, "And %zu more that counted less; xd check -R "
		    "lists them all.\n", more);
}

static const char *
bayes_sense(double p)
{
	if (p < 0.2)
		return "it reads like the ham it learned";
	if (p < 0.4)
		return "it leans to ham";
	if (p < 0.6)
		return "it cannot tell";
	if (p < 0.8)
		return "it leans to spam";
	return "it reads like the spam it learned";
}

static void
why_untrained(FILE *out, const char *v)
{
	long long ham, spam;
	struct buf b;

	buf_init(&b);
	if (v == NULL || sscanf(v, "ham:%lld,spam:%lld", &ham, &spam) != 2)
		buf_printf(&b, "not trained yet (BAYES_UNTRAINED=%s)",
		    v ? v : "");
	else
		describe_untrained(&b, ham, spam,
		    conf_int("bayes_min_learned"));
	fprintf(out, "Bayes: %s.  Teach it with 'xd learn ham PATH' and "
	    "'xd learn spam PATH' on mail you have sorted.\n", b.s);
	buf_free(&b);
}

/* What the statistical filter said, or why it said nothing. */
static void
why_bayes(FILE *out, const struct score *s, const struct rec *rec)
{
	const char *v, *err;
	double p;
	size_t i;

	if (rec_has(rec, "BAYES_UNTRAINED")) {
		why_untrained(out, rec_raw(rec, "BAYES_UNTRAINED"));
		return;
	}
	if ((v = rec_raw(rec, "BAYES")) != NULL &&
	    xd_parse_double(v, &p) == 0) {
		fprintf(out, "Bayes: %s (BAYES=%s", bayes_sense(p), v);
		for (i = 0; i < s->nsym; i++)
			if (s->sym[i].namelen == 8 &&
			    strncmp(s->sym[i].field, "BAYES_", 6) == 0)
				fprintf(out, ", %.8s %+.2f", s->sym[i].field,
				    s->sym[i].weight);
		fprintf(out, ").\n");
		return;
	}
	for (i = 1; i < rec->nf; i++) {
		err = rec->f[i];
		if (strncmp(err, "error=xd-bayes:", 15) == 0) {
			fprintf(out, "Bayes could not look at it: %s.\n", err);
			return;
		}
	}
	fprintf(out, "Bayes did not look at it: the line has no BAYES field "
	    "(is bayes one of the stages? see xd stages).\n");
}

/* Each error= of the line: what was not checked. */
static int
why_errors(FILE *out, const struct rec *rec)
{
	size_t i, n = 0;

	for (i = 1; i < rec->nf; i++)
		if (strncmp(rec->f[i], "error=", 6) == 0) {
			if (n++ == 0)
				fprintf(out, "It was not checked in full:");
			fprintf(out, " %s", rec->f[i] + 6);
		}
	if (n > 0)
		fprintf(out, ".\n");
	return n > 0;
}

/* --why: the class in sentences, the symbols that made it, Bayes. */
int
score_why(FILE *out, const struct score *s, const struct rec *rec)
{
	int unchecked;

	fprintf(out, "%s\n", rec_locator(rec));
	why_class(out, s);
	unchecked = why_errors(out, rec);
	why_symbols(out, s);
	why_bayes(out, s, rec);
	fputc('\n', out);
	return unchecked ? SCORE_EXIT_UNCHECKED : 0;
}
