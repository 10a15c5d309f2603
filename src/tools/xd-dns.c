/*
 * xd-dns - ask the DNS the way the xd tools do: the same resolver
 * setting, timeouts, cache and checks of answers.  For people who want
 * to know what a blocklist answers through their resolver, and for the
 * tests of the DNS layer.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "net/net.h"
#include "tools/tool.h"

static const char synopsis[] = "[-1s] [-p ms] [-r resolver] type name ...";
static const char options[] =
    "  -r, --resolver ADDR[:PORT]  ask this server (\"none\": no DNS at all)\n"
    "  -1, --one                   one query at a time, each after the last answer\n"
    "  -p, --pause MS              with -1, wait MS milliseconds between queries\n"
    "  -s, --stats                 print query and cache counts on stderr\n"
    "  -h, --help                  this help\n"
    "  -V, --version               the version\n"
    "types: A AAAA MX PTR TXT";

static void
print_text(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < ' ' || c >= 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static void
print_answer(const struct dns_answer *a)
{
	size_t i;

	printf("%s\t%s\t%s", a->name, dns_type_name(a->type),
	    dns_status_name(a->status));
	if (a->why != NULL)
		printf(":%s", a->why);
	printf("\t%u", a->ttl);
	for (i = 0; i < a->n; i++) {
		putchar('\t');
		if (a->type == DNS_MX)
			printf("%u ", a->rr[i].pref);
		print_text(a->rr[i].text, a->rr[i].len);
	}
	putchar('\n');
}

static void
keep(const struct dns_answer *a, void *arg)
{
	struct dns_answer **slot = arg;

	*slot = dns_answer_ref(a);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "resolver", required_argument, NULL, 'r' },
		{ "one", no_argument, NULL, '1' },
		{ "pause", required_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct dns_answer **ans;
	struct dns_stats st;
	struct dns *d;
	const char *resolver = NULL, *errstr;
	long long pause = 0;
	int c, i, n, type, one = 0, stats = 0, status = 0;

	tool_start(argv[0]);
	while ((c = getopt_long(argc, argv, "1hp:r:sV", longopts, NULL)) != -1)
		switch (c) {
		case '1':
			one = 1;
			break;
		case 'p':
			pause = xd_optnum("--pause", optarg, 0, 600000);
			break;
		case 'r':
			resolver = dns_resolver_option(optarg);
			break;
		case 's':
			stats = 1;
			break;
		case 'h':
			xd_usage(0, synopsis, options);
		case 'V':
			xd_version();
		default:
			xd_usage(XD_EXIT_USAGE, synopsis, NULL);
		}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		xd_usage(XD_EXIT_USAGE, synopsis, NULL);
	if ((type = dns_type_parse(argv[0])) < 0)
		xd_errx(XD_EXIT_USAGE, "%s: unknown type (A AAAA MX PTR TXT)",
		    argv[0]);
	if (conf_load(NULL) != 0)
		exit(XD_EXIT_USAGE);
	if ((d = dns_new(resolver, &errstr)) == NULL)
		xd_errx(XD_EXIT_USAGE, "resolver: %s", errstr);
	n = argc - 1;
	ans = xcalloc((size_t)n, sizeof(*ans));
	for (i = 0; i < n; i++) {
		if (one && i > 0 && pause > 0) {
			struct timespec ts = { pause / 1000,
			    (pause % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
		dns_query(d, argv[i + 1], type, keep, &ans[i]);
		if (one)
			dns_wait(d, -1);
	}
	dns_wait(d, -1);
	for (i = 0; i < n; i++) {
		print_answer(ans[i]);
		if (ans[i]->status == DNS_TEMPFAIL || ans[i]->status == DNS_BAD)
			status = XD_EXIT_SOME;
		dns_answer_free(ans[i]);
	}
	if (fflush(stdout) == EOF)
		xd_err(XD_EXIT_SOME, "write error");
	if (stats) {
		dns_stats(d, &st);
		fprintf(stderr, "queries %lu sent %lu cached %lu joined %lu "
		    "timeouts %lu bad %lu\n", st.queries, st.sent, st.cached,
		    st.joined, st.timeouts, st.bad);
	}
	free(ans);
	dns_free(d);
	return status;
}
