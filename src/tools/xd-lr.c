/*
 * xd-lr - the discriminative learner: an online logistic regression
 * over hashed features of each line's message (LR=, LR_nn), learned
 * from every message it is told the class of.  See lr.c.
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
    "[-q] [-s store] [--now time] [-l ham|spam|label] < stream\n"
    "-S [-s store]";
static const char options[] =
    "  -s, --store URL     the store: lmdb:PATH, PATH or redis://HOST[:PORT][/DB]\n"
    "  -l, --learn CLASS   learn each line's message as ham, spam, or its label=\n"
    "  -q, --quiet         no summary of what was learned on stderr\n"
    "      --now TIME      learn at TIME (seconds since 1970), not now\n"
    "  -S, --stats         what the store holds, read no stream\n"
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
	if (strcmp(s, "label") == 0)
		return LR_BY_LABEL;
	xd_warnx("--learn: '%s' is not ham, spam or label", s);
	usage();
	return 0;
}

int
main(int argc, char *argv[])
{
	enum { OPT_NOW = 256 };
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "learn", required_argument, NULL, 'l' },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct lr_opts o;
	void *st;
	int c, modes = 0, show_stats = 0, rc;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	o.notes = stderr;
	while ((c = getopt_long(argc, argv, "hl:qSs:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'l': o.learn = class_of(optarg); modes++; break;
		case 'S': show_stats = 1; modes++; break;
		case 'q': o.quiet = 1; break;
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
	if (optind != argc || modes > 1)
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (show_stats)
		rc = tool_status(lr_print_stats(&o, stdout));
	else if ((st = stage_lr.open(&o)) == NULL)
		rc = XD_EXIT_USAGE;
	else {
		rc = tool_status(stage_lr.run(st, stdin, stdout));
		stage_lr.close(st);
	}
	message_shutdown();
	return rc;
}
