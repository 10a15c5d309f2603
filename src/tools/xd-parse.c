/*
 * xd-parse - read mail (files, maildirs, mbox files, standard input)
 * and write the verdict stream: one line per message with the facts
 * the checks and the scorer work from.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "net/net.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-1c] [-l ham|spam|path] [-r rcpt] file|maildir|mbox|- ...";
static const char options[] =
    "  -l, --label ham|spam  add label= to every line\n"
    "  -l, --label path      label= from a ham or spam component of each path\n"
    "  -r, --rcpt ADDR       add rcpt=ADDR, the envelope recipient\n"
    "  -1, --single          each file is one message, never an mbox\n"
    "  -c, --count           print how many messages the paths hold, parse none\n"
    "  -h, --help            this help\n"
    "  -V, --version         the version\n"
    "A maildir is read in cur/ and new/; an mbox gives one line per message\n"
    "with offset= and length=; - copies standard input to a temporary file.";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "single", no_argument, NULL, '1' },
		{ "count", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct parse_opts o;
	int c, count = 0, status = XD_EXIT_OK;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "1chl:r:V", longopts, NULL)) != -1) {
		switch (c) {
		case '1':
			o.single = 1;
			break;
		case 'c':
			count = 1;
			break;
		case 'l':
			if (strcmp(optarg, "path") == 0)
				o.label_from_path = 1, o.label = NULL;
			else if (strcmp(optarg, "ham") == 0 ||
			    strcmp(optarg, "spam") == 0)
				o.label = optarg, o.label_from_path = 0;
			else {
				xd_warnx("--label: expected ham, spam or path, "
				    "not '%s'", optarg);
				usage();
			}
			break;
		case 'r':
			if (*optarg == '\0' || strpbrk(optarg, "\t\r\n")) {
				xd_warnx("--rcpt: expected an address");
				usage();
			}
			o.rcpt = optarg;
			break;
		case 'V':
			xd_version();
		case 'h':
			xd_usage(0, synopsis, options);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (count) {
		printf("%lu\n", parse_count(&o, argv, argc));
		if (fflush(stdout) == EOF || ferror(stdout))
			xd_err(XD_EXIT_SOME, "write error");
	} else
		status = parse_stage(&o, argv, argc, stdout, NULL, NULL);
	message_shutdown();
	return status;
}
