/*
 * xd-spf - SPF (RFC 7208) of the sender of each message: the MAIL FROM
 * domain, or the HELO name for bounces, against the connecting ip=.
 *
 * libspf2 is synchronous, so a window of messages is checked by as
 * many threads, each with a DNS context of its own and a cache shared
 * by all; a reader hands lines to them and a writer puts the lines
 * back in input order.  Threads are started as lines wait for one, so
 * a single message (procmail) costs a single thread.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-Gksv] [-r resolver] [-t seconds] [-w window] [--progress N] < stream";
static const char options[] =
    "  -r, --resolver ADDR[:PORT]  ask this DNS server (\"none\": no DNS at all)\n"
    "  -w, --window N              messages checked at once (default: dns_window)\n"
    "  -t, --timeout SECONDS       bound of one message's check (default: spf_timeout)\n"
    "  -k, --keep                  keep the SPF_ symbols of lines checked before\n"
    "  -G, --no-guess              no best guess for domains without a record\n"
    "  -v, --verbose               say on stderr how each result came about\n"
    "  -s, --stats                 print query and cache counts on stderr\n"
    "      --progress N            show progress on stderr for N messages\n"
    "  -h, --help                  this help\n"
    "  -V, --version               the version";

/* -t: the bound in ms; out of range is a usage error. */
static long long
seconds(const char *arg)
{
	double v;

	if (xd_parse_double(arg, &v) != 0)
		xd_errx(XD_EXIT_USAGE, "--timeout %s: not a number", arg);
	if (!(v >= 0.001 && v <= 3600))
		xd_errx(XD_EXIT_USAGE, "--timeout: expected 0.001 to 3600 "
		    "seconds");
	return (long long)(v * 1000 + 0.5);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "resolver", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-guess", no_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "stats", no_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct spf_opts o;
	const char *timeout = NULL;
	void *st;
	int c, status;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "Gkr:st:vVhw:", longopts,
	    NULL)) != -1)
		switch (c) {
		case 'G':
			o.no_guess = 1;
			break;
		case 'k':
			o.keep = 1;
			break;
		case 'r':
			o.resolver = dns_resolver_option(optarg);
			break;
		case 's':
			o.stats = 1;
			break;
		case 't':
			timeout = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'w':
			o.window = (size_t)xd_optnum("--window", optarg, 1,
			    SPF_MAX_WINDOW);
			break;
		case 'P':
			stream_progress_option(optarg);
			break;
		case 'h':
			xd_usage(0, synopsis, options);
		case 'V':
			xd_version();
		default:
			xd_usage(XD_EXIT_USAGE, synopsis, NULL);
		}
	if (optind != argc)
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (timeout != NULL)
		o.timeout_ms = seconds(timeout);
	if ((st = stage_spf.open(&o)) == NULL)
		return XD_EXIT_USAGE;
	status = tool_status(stage_spf.run(st, stdin, stdout));
	stage_spf.close(st);
	return status;
}
