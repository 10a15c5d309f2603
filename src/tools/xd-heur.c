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
#include "stage/stage.h"
#include "tools/tool.h"

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

/* The stage over standard input: the checks and rules of xd.conf or -r. */
static int
stream(const struct heur_opts *o)
{
	void *state;
	int status;

	rules_verbose = o->verbose;
	if ((state = stage_heur.open(o)) == NULL)
		return XD_EXIT_USAGE;
	status = tool_status(stage_heur.run(state, stdin, stdout));
	stage_heur.close(state);
	return status;
}

/* -n, -l, -w, --report: the rules loaded, then shown; no stream. */
static int
show(int mode, const struct heur_opts *o)
{
	struct rules_stats st;
	struct ruleset *rs;
	struct weights *w;
	struct heur *h;
	int none, status = XD_EXIT_OK;

	/* as the stage would: a configuration it refuses fails here too */
	if ((h = heur_new()) == NULL)
		return XD_EXIT_USAGE;
	heur_free(h);
	rules_verbose = o->verbose || mode == 'n';
	rs = rules_load_conf(o->rules, o->nrules, &st, &none, 0);
	if (rs == NULL && !none)
		return XD_EXIT_USAGE;
	if (mode == 'n' && rs != NULL)
		st.nojit = rules_jit_all(rs);
	heur_rules_said(&st, o->verbose, mode == 'n');
	if (mode == 'R' && rs != NULL)
		rules_report(rs, stdout);
	if (mode == 'n' || mode == 'R')
		status = st.errors > 0 ? XD_EXIT_SOME : XD_EXIT_OK;
	else if (mode == 'l' && rs != NULL)
		rules_list(rs, stdout);
	else if (mode == 'w' && rs != NULL) {
		w = weights_load(NULL);
		rules_weights(rs, stdout, w != NULL ? listed : NULL, w);
		weights_free(w);
	}
	rules_free(rs);
	return status;
}

/* --learn-sent: the Message-IDs of sent mail, into the index. */
static int
learn_sent(char *const *paths, int n)
{
	struct sent_learned learned;
	struct heur *h;
	int status;

	if ((h = heur_new()) == NULL)
		return XD_EXIT_USAGE;
	status = heur_learn_sent(h, (const char *const *)paths, (size_t)n,
	    &learned) == 0 ? XD_EXIT_OK : XD_EXIT_SOME;
	if (learned.store != NULL)
		printf("%lu messages read, %lu ids learned into %s\n",
		    learned.seen, learned.added, learned.store);
	heur_free(h);
	return status;
}

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
	struct heur_opts o;
	const char **paths = NULL;
	int c, mode = 0, status;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "hlnr:vVw", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'l': case 'n': case 'w': case 'L': case 'R':
			if (mode != 0 && mode != c)
				usage();
			mode = c;
			break;
		case 'r':
			paths = xrealloc(paths, (o.nrules + 1) *
			    sizeof(*paths));
			paths[o.nrules++] = optarg;
			o.rules = paths;
			break;
		case 'v': o.verbose = 1; break;
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
	if (mode == 'L')
		status = learn_sent(argv, argc);
	else if (mode == 0)
		status = stream(&o);
	else
		status = show(mode, &o);
	if (mode != 'L' && (fflush(stdout) == EOF || ferror(stdout)))
		xd_err(XD_EXIT_SOME, "write error");
	url_shutdown();
	message_shutdown();
	free(paths);
	return status;
}
