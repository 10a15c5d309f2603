/*
 * rules_eval.c - SpamAssassin's eval: tests that mean what one of
 * xd-heur's built-in checks means, run as that check: the rule fires
 * when the check's symbol is on the line.  The check is xd's, written
 * once in heur.c; the rule keeps its own name and score.  Evals of the
 * network and of Bayes are never mapped: xd's own stages do that work.
 * See xd-rules(5).
 */
#include <ctype.h>
#include <string.h>

#include "check/check.h"
#include "check/rules_int.h"

#define EVAL_CALL	256	/* a call as compared, spaces taken out */

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
	{ NULL, NULL }
};

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
	static char name[EVAL_CALL];
	char norm[EVAL_CALL];
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
	return NULL;
}
