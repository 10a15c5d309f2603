/*
 * rules_report.c - what a rule set loaded and what it left out, by
 * reason and by rule, for xd-heur --report.  Loading notes each rule
 * left out (and each eval: test mapped onto a built-in check) as it
 * goes; a rule defined again later counts by its last definition, and
 * not at all once it loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check/check.h"
#include "check/rules_int.h"

#define NOTES_MAX	200000	/* notes kept of one set */

/* The reasons, in the order of the report, and what they mean. */
static const struct {
	const char	*word;
	const char	*meaning;
} reasons[] = {
	{ "mapped", "eval tests run as a built-in check of xd-heur" },
	{ "eval", "eval tests xd does not run (Perl, network, Bayes)" },
	{ "block", "rules in if/ifplugin blocks that are false here" },
	{ "name", "names the stream cannot take" },
	{ "meta", "metas of rules that are left out or missing" },
	{ "toobig", "patterns too big for PCRE2" },
	{ "error", "mistakes, said as file:line when loaded" },
	{ NULL, NULL }
};

void
rules_note(struct ruleset *rs, const char *name, const char *file,
    unsigned long line, const char *reason, const char *detail)
{
	struct note *n;

	if (rs->nnotes >= NOTES_MAX)
		return;
	rs->notes = xrealloc(rs->notes, (rs->nnotes + 1) *
	    sizeof(*rs->notes));
	n = &rs->notes[rs->nnotes++];
	n->name = xstrdup(name);
	n->file = file;
	n->line = line;
	n->reason = reason;
	n->detail = NULL;
	if (detail != NULL) {
		char *p;

		n->detail = xstrdup(detail);
		for (p = n->detail; *p != '\0'; p++)
			if (*p == '\t' || *p == '\n')
				*p = ' ';	/* one field of the report */
	}
}

void
rules_notes_free(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->nnotes; i++) {
		free(rs->notes[i].name);
		free(rs->notes[i].detail);
	}
	free(rs->notes);
	rs->notes = NULL;
	rs->nnotes = 0;
}

/* By name, and in the order they were noted: the last one counts. */
static int
by_name(const void *a, const void *b)
{
	const struct note *x = *(const struct note *const *)a;
	const struct note *y = *(const struct note *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : x < y ? -1 : x > y;
}

/* The notes that stand: the last of each name, as its rule is now. */
static size_t
standing(const struct ruleset *rs, const struct note ***out)
{
	const struct note **v;
	size_t i, n = 0;

	v = xcalloc(rs->nnotes + 1, sizeof(*v));
	for (i = 0; i < rs->nnotes; i++)
		v[i] = &rs->notes[i];
	qsort(v, rs->nnotes, sizeof(*v), by_name);
	for (i = 0; i < rs->nnotes; i++) {
		int mapped = strcmp(v[i]->reason, "mapped") == 0;

		if (i + 1 < rs->nnotes &&
		    strcmp(v[i]->name, v[i + 1]->name) == 0)
			continue;
		if (mapped != rules_usable(rs, v[i]->name))
			continue;	/* defined again, or left out later */
		v[n++] = v[i];
	}
	*out = v;
	return n;
}

struct fncount {
	const char	*fn;
	unsigned	 n;
};

static int
by_count(const void *a, const void *b)
{
	const struct fncount *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->fn, y->fn);
}

/* The eval functions left out, the most used first. */
static void
report_evals(const struct note **v, size_t n, FILE *fp)
{
	struct fncount *c = xcalloc(n + 1, sizeof(*c));
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->reason, "eval") != 0)
			continue;
		for (j = 0; j < k && strcmp(c[j].fn, v[i]->detail) != 0; j++)
			;
		if (j == k)
			c[k++].fn = v[i]->detail;
		c[j].n++;
	}
	qsort(c, k, sizeof(*c), by_count);
	for (j = 0; j < k; j++)
		fprintf(fp, "eval\t%s\t%u\n", c[j].fn, c[j].n);
	free(c);
}

/*
 * The report, TAB between the fields: a "loaded" line; a "reason" line
 * for each reason with its count of rules; an "eval" line for each
 * eval function left out with its count; then a line for each rule
 * mapped or left out: its name, the reason, the detail (the symbol,
 * the function, the condition, the missing rule, the mistake; "-" for
 * none) and file:line.
 */
void
rules_report(const struct ruleset *rs, FILE *fp)
{
	const struct note **v;
	size_t i, j, n = standing(rs, &v);
	unsigned count;

	fprintf(fp, "loaded\t%u\trules from %u files, %u written to the "
	    "stream\n", rs->st.loaded, rs->st.files, rs->st.reported);
	for (j = 0; reasons[j].word != NULL; j++) {
		for (i = count = 0; i < n; i++)
			count += strcmp(v[i]->reason, reasons[j].word) == 0;
		fprintf(fp, "reason\t%s\t%u\t%s\n", reasons[j].word, count,
		    reasons[j].meaning);
	}
	report_evals(v, n, fp);
	for (j = 0; reasons[j].word != NULL; j++)
		for (i = 0; i < n; i++)
			if (strcmp(v[i]->reason, reasons[j].word) == 0)
				fprintf(fp, "rule\t%s\t%s\t%s\t%s:%lu\n",
				    v[i]->name, v[i]->reason,
				    v[i]->detail ? v[i]->detail : "-",
				    v[i]->file ? v[i]->file : "?",
				    v[i]->line);
	free(v);
}
