/*
 * xd-rbl - DNS blocklists and allowlists of the connecting address and
 * of the sender's domains, and forward-confirmed reverse DNS of the
 * relay.  The lists are xd.conf's rbl, rblwl, rhsbl and rhswl lines;
 * lookups of a window of lines overlap through the runner of dnsrun.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-aky] [-r resolver] [-w window] [--progress N] < stream\n"
    "-t [-r resolver]";
static const char options[] =
    "  -r, --resolver ADDR[:PORT]  ask this DNS server (\"none\": no DNS at all)\n"
    "  -w, --window N              lines with lookups in flight (default: dns_window)\n"
    "  -a, --all-relays            check every untrusted relay, not only the first\n"
    "  -k, --keep                  keep the symbols of lines checked before\n"
    "  -y, --no-rdns               no forward-confirmed reverse DNS (RDNS_*)\n"
    "  -t, --test                  ask each list for its RFC 5782 test points\n"
    "      --progress N            show progress on stderr for N messages\n"
    "  -h, --help                  this help\n"
    "  -V, --version               the version";

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "resolver", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "all-relays", no_argument, NULL, 'a' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-rdns", no_argument, NULL, 'y' },
		{ "test", no_argument, NULL, 't' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct rbl_opts o;
	void *st;
	int c, test = 0, status;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "akr:thVw:y", longopts, NULL)) != -1)
		switch (c) {
		case 'a':
			o.all_relays = 1;
			break;
		case 'k':
			o.keep = 1;
			break;
		case 'r':
			o.resolver = dns_resolver_option(optarg);
			break;
		case 't':
			test = 1;
			break;
		case 'w':
			o.window = (size_t)xd_optnum("--window", optarg, 1,
			    100000);
			break;
		case 'y':
			o.no_rdns = 1;
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
	if (test)
		return rbl_test(&o, stdout);
	if ((st = stage_rbl.open(&o)) == NULL)
		return XD_EXIT_USAGE;
	status = tool_status(stage_rbl.run(st, stdin, stdout));
	stage_rbl.close(st);
	return status;
}
