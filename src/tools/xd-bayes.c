/*
 * xd-bayes - the statistical filter: classify each line's message by
 * its tokens (BAYES=, BAYES_nn), learn messages as ham or spam, and
 * keep the auto-allowlist of the people mail was sent to (AWL=).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-qx] [-s store] [--now time] [--progress n] [-l ham|spam | -u | --sent] < stream\n"
    "-S [-s store]\n"
    "-E [-s store] [--now time]\n"
    "--compact [-s store]\n"
    "-t < stream";
static const char options[] =
    "  -s, --store URL     the store: lmdb:PATH, PATH or redis://HOST[:PORT][/DB]\n"
    "  -l, --learn CLASS   learn each line's message as ham or spam\n"
    "  -u, --unlearn       forget each line's message, as whatever it was learned\n"
    "      --sent          each line's message is mail you sent: allow its recipients\n"
    "  -x, --explain       why: each message's strongest tokens on stderr\n"
    "  -q, --quiet         no summary of what was learned on stderr\n"
    "      --now TIME      learn at TIME (seconds since 1970), not now\n"
    "      --progress N    show progress on stderr for a stream of N messages\n"
    "  -S, --stats         what the store holds, read no stream\n"
    "  -E, --expire        remove aged tokens and rare stale ones, read no stream\n"
    "      --compact       the LMDB store's file without its free pages, if no\n"
    "                      other process has it open; read no stream\n"
    "  -t, --tokens        print each message's tokens, not the stream\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

static int
class_of(const char *s)
{
	if (strcmp(s, "ham") == 0)
		return BAYES_HAM;
	if (strcmp(s, "spam") == 0)
		return BAYES_SPAM;
	xd_warnx("--learn: '%s' is neither ham nor spam", s);
	usage();
	return 0;
}

/* The stage over standard input, as the options say. */
static int
stream(const struct bayes_opts *o)
{
	void *st;
	int rc;

	if ((st = stage_bayes.open(o)) == NULL)
		return XD_EXIT_USAGE;
	rc = tool_status(stage_bayes.run(st, stdin, stdout));
	stage_bayes.close(st);
	return rc;
}

/*
 * --compact: the whole store, not only the tokens, as the file is one;
 * what came of it on standard output, a failure on standard error.
 */
static int
compact(const char *url)
{
	struct store *st;
	const char *why;
	long long before, after;
	int rc;

	if ((st = store_open(url, &why)) == NULL) {
		xd_warnx("%s", why);
		return XD_EXIT_USAGE;
	}
	rc = store_compact(st, &before, &after, &why);
	if (rc < 0)
		xd_warnx("%s", why);
	else if (rc == 0)
		printf("%s: not compacted: %s\n", store_url(st),
		    strncmp(store_url(st), "redis://", 8) == 0 ?
		    "Redis keeps no pages to compact" :
		    "another process has it open");
	else
		printf("%s: compacted: %lld bytes, %lld before\n",
		    store_url(st), after, before);
	store_close(st);
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_SOME, "write error");
	return rc < 0 ? XD_EXIT_SOME : XD_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	enum { OPT_SENT = 256, OPT_NOW, OPT_PROGRESS, OPT_COMPACT };
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "learn", required_argument, NULL, 'l' },
		{ "unlearn", no_argument, NULL, 'u' },
		{ "sent", no_argument, NULL, OPT_SENT },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stats", no_argument, NULL, 'S' },
		{ "expire", no_argument, NULL, 'E' },
		{ "compact", no_argument, NULL, OPT_COMPACT },
		{ "tokens", no_argument, NULL, 't' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct bayes_opts o;
	int c, modes = 0, tokens = 0, show_stats = 0, compacting = 0, rc;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	o.notes = stderr;
	while ((c = getopt_long(argc, argv, "Ehl:qSs:tuVx", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'l': o.mode = BAYES_LEARN; o.cls = class_of(optarg);
			modes++;
			break;
		case 'u': o.mode = BAYES_UNLEARN; modes++; break;
		case OPT_SENT: o.mode = BAYES_SENT; modes++; break;
		case 't': tokens = 1; modes++; break;
		case 'S': show_stats = 1; modes++; break;
		case 'E': show_stats = 2; modes++; break;
		case OPT_COMPACT: compacting = 1; modes++; break;
		case 'q': o.quiet = 1; break;
		case 'x': o.explain = 1; break;
		case OPT_PROGRESS: stream_progress_option(optarg); break;
		case OPT_NOW:
			o.now = xd_optnum("--now", optarg, 1,
			    (long long)1 << 40);
			break;
		case 's': o.store = optarg; break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default: usage();
		}
	}
	if (optind != argc || modes > 1 || (tokens && o.store) ||
	    (o.explain && (o.mode != BAYES_CLASSIFY || tokens || show_stats)))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (compacting)
		rc = compact(o.store);
	else if (tokens)
		rc = tool_status(bayes_print_tokens(stdin, stdout));
	else if (show_stats)
		rc = tool_status(bayes_tables(&o, show_stats == 2, stdout));
	else
		rc = stream(&o);
	message_shutdown();
	return rc;
}
