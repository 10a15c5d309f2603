/*
 * xd-urlcheck - the links a message carries: how many, to which
 * registered domains, and what local lists and DNS URI blocklists say
 * of them.  Writes urls=, domains=, URL_* and URIBL_*.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "url/url.h"
#include "net/net.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-k] [-r resolver] [-w window] < stream\n"
    "-u < stream\n"
    "-t [-r resolver]\n"
    "-d host ...";
static const char options[] =
    "  -k, --keep                  keep the URIBL_ symbols of lines checked before\n"
    "  -u, --urls                  list the URLs of each message, not the stream\n"
    "  -t, --test                  ask each URI blocklist its RFC 5782 test points\n"
    "  -d, --registered-domain     print the registered domain of each host named\n"
    "  -r, --resolver ADDR[:PORT]  ask this DNS server (\"none\": no DNS at all)\n"
    "  -w, --window N              lines with lookups in flight (default: dns_window)\n"
    "      --progress N            show progress on stderr for a stream of N messages\n"
    "  -h, --help                  this help\n"
    "  -V, --version               the version";

/* --- -d: registered domains ------------------------------------------ */

/*
 * Each host's registered domain, in the form it was given, or "-" for
 * none (a public suffix itself, a .local name, no host at all).
 */
static int
registered_domains(char *const *hosts, int n)
{
	struct buf dom;
	int i, status = XD_EXIT_OK;

	buf_init(&dom);
	for (i = 0; i < n; i++)
		if (url_registered_domain(hosts[i], &dom) == 0)
			printf("%s\n", dom.s);
		else {
			printf("-\n");
			status = XD_EXIT_SOME;
		}
	buf_free(&dom);
	url_shutdown();
	if (fflush(stdout) != 0 || ferror(stdout))
		xd_err(XD_EXIT_USAGE, "stdout");
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ "urls", no_argument, NULL, 'u' },
		{ "test", no_argument, NULL, 't' },
		{ "registered-domain", no_argument, NULL, 'd' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct urlcheck_opts o;
	FILE *out = stdout;
	void *st;
	int ch, status, test = 0, domains = 0;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "dkhr:tuVw:", longopts, NULL)) != -1)
		switch (ch) {
		case 'k':
			o.keep = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'd':
			domains = 1;
			break;
		case 'u':
			o.urls = stdout;
			break;
		case 'r':
			o.resolver = dns_resolver_option(optarg);
			break;
		case 'w':
			o.window = (size_t)xd_optnum("--window", optarg, 1,
			    100000);
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
	if (domains && optind == argc)
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if (domains)
		return registered_domains(argv + optind, argc - optind);
	if (optind != argc)
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (test)
		return urlcheck_test(&o, stdout);
	if ((st = stage_urlcheck.open(&o)) == NULL)
		return XD_EXIT_USAGE;
	/* --urls: the URLs on standard output, the stream to none */
	if (o.urls != NULL && (out = fopen("/dev/null", "w")) == NULL)
		xd_err(XD_EXIT_USAGE, "/dev/null");
	status = stage_urlcheck.run(st, stdin, out);
	if (out != stdout)
		fclose(out);
	stage_urlcheck.close(st);
	return tool_status(status);
}
