/*
 * stage_heur.c - the stage of xd-heur(1): the built-in heuristic
 * checks and SpamAssassin-style rule files over a stream, HEUR_ symbols
 * and the names of the rules that fired.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "stage.h"

#define TOOL	"xd-heur"

struct state {
	struct heur	*h;
	struct ruleset	*rs;
};

/* Names this tool wrote on an earlier run: HEUR_ and the rules' own. */
static int
own_field(const char *field, size_t n, void *arg)
{
	const struct state *s = arg;

	if (n >= 5 && strncmp(field, "HEUR_", 5) == 0)
		return 1;
	return s->rs != NULL && rules_owns(s->rs, field, n);
}

static int
check_line(struct rec *rec, void *arg)
{
	struct state *s = arg;
	const char *why = NULL;
	struct buf where;

	rec_drop(rec, own_field, s);
	if (heur_check(s->h, s->rs, rec, &why) == 0)
		return 0;
	buf_init(&where);
	stream_unescape(rec_locator(rec), &where);
	xd_warnx("%s: %s", where.s ? where.s : "", why);
	buf_free(&where);
	rec_error(rec, TOOL, why);
	return 1;
}

void
heur_rules_said(const struct rules_stats *st, int verbose, int always)
{
	if (!always && st->skipped == 0 && st->errors == 0)
		return;
	xd_warnx("rules: %u loaded from %u files (%u write symbols), %u "
	    "lines or rules skipped, %u errors", st->loaded, st->files,
	    st->reported, st->skipped, st->errors);
	if (verbose)
		xd_warnx("skipped: %u eval tests (%u more mapped onto "
		    "built-in checks), %u in false if/ifplugin blocks, %u "
		    "other directives, %u names not for the stream, %u metas "
		    "of missing rules, %u patterns too big for PCRE2; %u "
		    "patterns not JIT-compiled, %u from the cache",
		    st->eval, st->mapped, st->blocks, st->other, st->badname,
		    st->unresolved, st->toobig, st->nojit, st->cached);
}

static void *
heur_open(const void *arg)
{
	static const struct heur_opts conf;
	const struct heur_opts *o = arg != NULL ? arg : &conf;
	struct state *s = xcalloc(1, sizeof(*s));
	struct rules_stats st;
	int none;

	if ((s->h = heur_new()) == NULL)
		goto bad;
	s->rs = rules_load_conf(o->rules, o->nrules, &st, &none, 0);
	if (s->rs == NULL && !none)
		goto bad;
	heur_rules_said(&st, o->verbose, 0);
	return s;
bad:
	heur_free(s->h);
	free(s);
	return NULL;
}

static int
heur_run(void *arg, FILE *in, FILE *out)
{
	return stream_run(in, out, TOOL, check_line, arg);
}

static void
heur_close(void *arg)
{
	struct state *s = arg;

	rules_free(s->rs);
	heur_free(s->h);
	free(s);
}

const struct stage stage_heur = { "heur", heur_open, heur_run, heur_close };
