/*
 * xd-heur - built-in heuristic checks and SpamAssassin-style rule
 * files: HEUR_ symbols and the names of the rules that fired.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "net/net.h"
#include "policy/policy.h"
#include "check/check.h"
#include "tools/stage.h"
#include "tools/tool.h"

#define TOOL	"xd-heur"

struct state {
	struct heur	*h;
	struct ruleset	*rs;
};

static const char synopsis[] =
    "[-v] [-r rules]... [--progress N] < stream\n"
    "-n | -l | -w | --report [-v] [-r rules]...\n"
    "--learn-sent maildir|mbox|file ...";
static const char options[] =
    "  -r, --rules PATH     a rule file, or a directory of *.cf files, instead of\n"
    "                       the configured ones (xd.conf rules); repeatable\n"
    "  -n, --check          load the rules, report, read no stream\n"
    "  -l, --list           list the rules that can run: name, kind, weight,\n"
    "                       file:line, description\n"
    "  -w, --weights        print weights-file lines for the rules' symbols\n"
    "      --report         what was loaded, and each rule left out or mapped\n"
    "                       onto a built-in check, with why\n"
    "  -v, --verbose        also say each kind of line that was left out\n"
    "      --learn-sent     add the Message-IDs of sent mail to the index\n"
    "      --progress N     show progress on stderr for a stream of N messages\n"
    "  -h, --help           this help\n"
    "  -V, --version        the version";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

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

/* The one line that says what was loaded and what was left out. */
static void
report(const struct rules_stats *st, int verbose, int always)
{
	if (!always && st->skipped == 0 && st->errors == 0)
		return;
	fprintf(stderr, "%s: rules: %u loaded from %u files (%u write "
	    "symbols), %u lines or rules skipped, %u errors\n", xd_progname,
	    st->loaded, st->files, st->reported, st->skipped, st->errors);
	if (verbose)
		fprintf(stderr, "%s: skipped: %u eval tests (%u more mapped "
		    "onto built-in checks), %u in false "
		    "if/ifplugin blocks, %u other directives, %u names not for "
		    "the stream, %u metas of missing rules, %u patterns too "
		    "big for PCRE2; %u patterns not JIT-compiled, %u from the "
		    "cache\n",
		    xd_progname, st->eval, st->mapped, st->blocks, st->other, st->badname,
		    st->unresolved, st->toobig, st->nojit, st->cached);
}

/* weights_symbol() for "NAME=": listed by name, not only by a prefix. */
static int
listed(void *arg, const char *name)
{
	struct weights *w = arg;
	const char *rule = NULL;
	unsigned long line;
	char *field;
	size_t n = strlen(name);

	xasprintf(&field, "%s=", name);
	weights_symbol(w, field, n, &rule, &line);
	free(field);
	return rule != NULL && strcmp(rule, name) == 0;
}

/* --- the stage: the checks and rules of xd.conf over a stream ------- */

static void *
heur_open(void)
{
	struct state *s = xcalloc(1, sizeof(*s));
	struct rules_stats st;
	int none;

	if ((s->h = heur_new()) == NULL)
		goto bad;
	s->rs = rules_load_conf(NULL, 0, &st, &none, 0);
	if (s->rs == NULL && !none)
		goto bad;
	report(&st, 0, 0);
	return s;
bad:
	heur_free(s->h);
	free(s);
	return NULL;
}

static int
heur_run(void *arg, FILE *in, FILE *out)
{
	return tool_status(stream_run(in, out, TOOL, check_line, arg));
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "learn-sent", no_argument, NULL, 'L' },
		{ "list", no_argument, NULL, 'l' },
		{ "progress", required_argument, NULL, 'P' },
		{ "report", no_argument, NULL, 'R' },
		{ "rules", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "weights", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct rules_stats st;
	struct sent_learned learned;
	struct state s;
	struct weights *w;
	const char **paths = NULL;
	size_t npaths = 0;
	int c, mode = 0, verbose = 0, none, status;

	tool_start(argv[0]);
	while ((c = getopt_long(argc, argv, "hlnr:vVw", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'l': case 'n': case 'w': case 'L': case 'R':
			if (mode != 0 && mode != c)
				usage();
			mode = c;
			break;
		case 'r':
			paths = xrealloc(paths, (npaths + 1) * sizeof(*paths));
			paths[npaths++] = optarg;
			break;
		case 'v': verbose = 1; break;
		case 'P':
			stream_progress_option(optarg);
			break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default:  usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((mode == 'L') != (argc > 0))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	if ((s.h = heur_new()) == NULL)
		return XD_EXIT_USAGE;
	if (mode == 'L') {
		status = heur_learn_sent(s.h, (const char *const *)argv,
		    (size_t)argc, &learned) == 0 ? XD_EXIT_OK : XD_EXIT_SOME;
		if (learned.store != NULL)
			printf("%lu messages read, %lu ids learned into %s\n",
			    learned.seen, learned.added, learned.store);
		goto done;
	}
	rules_verbose = verbose || mode == 'n';
	s.rs = rules_load_conf(paths, npaths, &st, &none, 0);
	if (s.rs == NULL && !none) {
		status = XD_EXIT_USAGE;
		goto done;
	}
	if (mode == 'n' && s.rs != NULL)
		st.nojit = rules_jit_all(s.rs);
	report(&st, verbose, mode == 'n');
	status = XD_EXIT_OK;
	if (mode == 'R' && s.rs != NULL)
		rules_report(s.rs, stdout);
	if (mode == 'n' || mode == 'R')
		status = st.errors > 0 ? XD_EXIT_SOME : XD_EXIT_OK;
	else if (mode == 'l' && s.rs != NULL)
		rules_list(s.rs, stdout);
	else if (mode == 'w' && s.rs != NULL) {
		w = weights_load(NULL);
		rules_weights(s.rs, stdout, w != NULL ? listed : NULL, w);
		weights_free(w);
	} else if (mode == 0)
		status = tool_status(stream_run(stdin, stdout, TOOL,
		    check_line, &s));
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_SOME, "write error");
done:
	rules_free(s.rs);
	heur_free(s.h);
	url_shutdown();
	message_shutdown();
	free(paths);
	return status;
}
