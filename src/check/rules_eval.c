/*
 * rules_eval.c - SpamAssassin's eval: tests that mean what one of
 * xd-heur's built-in checks means, run as that check: the rule fires
 * when the check's symbol is on the line.  The check is xd's, written
 * once in heur.c; the rule keeps its own name and score.  Evals of the
 * network and of Bayes are never mapped: xd's own stages do that work.
 * See xd-rules(5).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/rules_int.h"

#define EVAL_CALL	256	/* a call as compared, spaces taken out */
#define EVAL_ARGS	8	/* arguments of one call */

struct evalmap {
	const char	*call;		/* blanks removed, quotes single */
	const char	*symbol;
};

static const struct evalmap evalmap[] = {
	{ "check_for_mime_html_only()",		"HEUR_HTML_ONLY" },
	{ "check_for_mime('mime_qp_long_line')", "HEUR_MIME_QP_LONG" },
	{ "subject_is_all_caps()",		"HEUR_SUBJ_ALL_CAPS" },
	{ "helo_ip_mismatch()",			"HEUR_HELO_IP_MISMATCH" },
	{ "check_for_shifted_date('undef','-96')", "HEUR_DATE_PAST" },
	{ "check_for_faraway_charset()",	"HEUR_CHARSET_UNEXPECTED" },
	{ "check_for_faraway_charset_in_headers()",
						"HEUR_CHARSET_UNEXPECTED" },
	{ "check_for_mime('mime_faraway_charset')",
						"HEUR_CHARSET_UNEXPECTED" },
	{ "html_charset_faraway()",		"HEUR_CHARSET_UNEXPECTED" },
	{ "check_microsoft_executable()",	"HEUR_ATTACH_RESTRICTED" },
	{ "check_outlook_message_id()",		"HEUR_MSGID_OUTLOOK_TIME" },
	{ "html_test('font_low_contrast')",	"HEUR_HTML_SAME_COLOR" },
	{ NULL, NULL }
};

/*
 * Evals computed here from the message, whatever their arguments: the
 * rule becomes a meta of "eval:CALL", which rules_eval_ext() runs.
 */
static int split_args(const char *, char *, size_t, char **, size_t *);

struct evalfn {
	const char	*name;
	int		(*fn)(struct evalctx *, char *const *, size_t);
	size_t		 minargs, maxargs;
};

static const struct evalfn evalfns[] = {
	{ "check_for_shifted_date",	eval_shifted_date,	2, 2 },
	{ "check_for_no_rdns_dotcom_helo", eval_no_rdns_dotcom_helo, 0, 0 },
	{ "gated_through_received_hdr_remover", eval_received_remover, 0, 0 },
	{ NULL, NULL, 0, 0 }
};

/*
 * SpamAssassin's rules whose names xd's other tools own (its RDNS_NONE
 * is xd-rbl's by DNS): left out, but a meta that names one reads the
 * built-in check that means the same offline.
 */
static const struct evalmap aliases[] = {
	{ "RDNS_NONE",				"HEUR_RCVD_NO_RDNS" },
	{ NULL, NULL }
};

const char *
rules_eval_alias(const char *name)
{
	const struct evalmap *m;

	for (m = aliases; m->call != NULL; m++)
		if (strcmp(name, m->call) == 0)
			return m->symbol;
	return NULL;
}

/*
 * The plugins whose eval tests are mapped, at least in part: their
 * ifplugin blocks are read, and of their eval: rules those above run.
 */
static const char *const evalplugins[] = {
	"Mail::SpamAssassin::Plugin::HeaderEval",
	"Mail::SpamAssassin::Plugin::MIMEEval",
	"Mail::SpamAssassin::Plugin::HTMLEval",
	"Mail::SpamAssassin::Plugin::BodyEval",
	"Mail::SpamAssassin::Plugin::RelayEval",
	"Mail::SpamAssassin::Plugin::AntiVirus",
	NULL
};

/*
 * The computed eval norm calls ("fn('a','b')", blanks out), its
 * arguments unquoted into buf and *nargs; NULL when there is none of
 * that name or the arguments are not what it takes.
 */
static const struct evalfn *
find_fn(const char *norm, char *buf, size_t *nargs)
{
	const struct evalfn *f;
	char *argv[EVAL_ARGS];

	for (f = evalfns; f->name != NULL; f++) {
		size_t n = strlen(f->name);

		if (strncmp(norm, f->name, n) != 0 || norm[n] != '(')
			continue;
		if (split_args(norm + n, buf, EVAL_CALL, argv, nargs) != 0 ||
		    *nargs < f->minargs || *nargs > f->maxargs)
			return NULL;
		return f;
	}
	return NULL;
}

/*
 * "('a','b')" into buf as "a\0b\0", argv pointing at each; numbers may
 * come unquoted.  -1 when it is not a list of that shape.
 */
static int
split_args(const char *s, char *buf, size_t cap, char **argv, size_t *n)
{
	size_t len = strlen(s), i, o = 0;
	int quoted;

	*n = 0;
	if (len < 2 || s[0] != '(' || s[len - 1] != ')' || len >= cap)
		return -1;
	for (i = 1; i < len - 1;) {
		if (*n == EVAL_ARGS)
			return -1;
		argv[(*n)++] = buf + o;
		quoted = s[i] == '\'';
		if (quoted)
			i++;
		while (i < len - 1 && (quoted ? s[i] != '\'' : s[i] != ','))
			buf[o++] = s[i++];
		if (quoted && s[i++] != '\'')
			return -1;
		buf[o++] = '\0';
		if (i < len - 1 && s[i++] != ',')
			return -1;
	}
	return 0;
}

/*
 * The value of an M_EXT name of a meta: a computed eval ("eval:CALL")
 * run on the message, else how many fields of that name the line has.
 */
double
rules_eval_ext(struct ruleset *rs, const char *name)
{
	const struct rulemsg *m = rs->msg;
	const struct evalfn *f;
	char buf[EVAL_CALL], *argv[EVAL_ARGS];
	size_t n;

	if (strncmp(name, "eval:", 5) != 0)
		return m->symbol != NULL ? m->symbol(m->arg, name) : 0;
	if (m->m == NULL || (f = find_fn(name + 5, buf, &n)) == NULL)
		return 0;
	if (rs->ectx == NULL)
		rs->ectx = xcalloc(1, sizeof(*rs->ectx));
	if (rs->ectx->gen != rs->gen) {
		memset(rs->ectx, 0, sizeof(*rs->ectx));
		rs->ectx->gen = rs->gen;
		rs->ectx->m = m->m;
	}
	split_args(strchr(name, '('), buf, sizeof(buf), argv, &n);
	return f->fn(rs->ectx, argv, n);
}

void
rules_eval_free(struct ruleset *rs)
{
	free(rs->ectx);
	rs->ectx = NULL;
}

int
rules_eval_plugin(const char *name)
{
	const char *const *p;

	for (p = evalplugins; *p != NULL; p++)
		if (strcmp(name, *p) == 0)
			return 1;
	return 0;
}

/*
 * The symbol of the check that eval:call (what follows "eval:") means,
 * or NULL.  *fn is the function's name, for the report, in a static
 * buffer.
 */
const char *
rules_eval_symbol(const char *call, const char **fn)
{
	static char name[EVAL_CALL], name_call[EVAL_CALL + 5];
	char norm[EVAL_CALL], args[EVAL_CALL];
	size_t nargs;
	const struct evalmap *m;
	size_t i, n = 0;

	for (i = 0; call[i] != '\0' && n < sizeof(name) - 1 &&
	    (isalnum((unsigned char)call[i]) || call[i] == '_'); i++)
		name[n++] = call[i];
	name[n] = '\0';
	*fn = name;
	for (i = n = 0; call[i] != '\0'; i++) {
		if (isspace((unsigned char)call[i]))
			continue;
		if (n == sizeof(norm) - 1)
			return NULL;
		norm[n++] = call[i] == '"' ? '\'' : call[i];
	}
	norm[n] = '\0';
	for (m = evalmap; m->call != NULL; m++)
		if (strcmp(norm, m->call) == 0)
			return m->symbol;
	if (find_fn(norm, args, &nargs) == NULL)
		return NULL;
	snprintf(name_call, sizeof(name_call), "eval:%s", norm);
	return name_call;
}
