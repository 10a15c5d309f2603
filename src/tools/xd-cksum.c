/*
 * xd-cksum - checksums of the body, counted in the store (CKSUM_BULK,
 * CKSUM_SPAM, CKSUM_HAM, cksum= and fuzzy=): the options around the
 * stage of stage/stage_cksum.c; see xd-cksum(1) and xd-store(5).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "net/net.h"
#include "check/check.h"
#include "stage/stage.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-kr] [-s store] [--now time] < stream\n"
    "-l ham|spam [-s store] < stream\n"
    "-u [-s store] < stream\n"
    "-t < stream\n"
    "--stats | --expire [-s store]";
static const char options[] =
    "  -k, --keep          leave lines that have cksum= as they are\n"
    "  -r, --read-only     count no message: the counts as the store holds them\n"
    "  -l, --learn CLASS   report the messages as spam or ham\n"
    "  -u, --unlearn       take back what --learn reported of them\n"
    "  -s, --store URL     the store, not the one xd.conf names\n"
    "  -t, --text          print each message's normalised text\n"
    "      --now TIME      count at TIME (seconds since 1970), not now\n"
    "      --stats         print how many records each table holds\n"
    "      --expire        remove every aged record now\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version";

static void
usage(void)
{
	xd_usage(XD_EXIT_USAGE, synopsis, NULL);
}

/* --text: the normalised text of each message, after its locator. */
static int
text_run(void)
{
	struct reader r;
	struct rec rec;
	struct locator loc;
	struct message *m;
	struct cksum ck;
	struct buf show;
	const char *why;
	int status = XD_EXIT_OK;

	reader_init(&r, stdin, "<stdin>", conf_size("max_line"));
	rec_init(&rec);
	buf_init(&show);
	while (reader_next(&r, &rec)) {
		if (rec.comment || rec.bad != NULL)
			continue;
		m = NULL;
		if (rec_locate(&rec, &loc, &why) == 0)
			m = message_open(&loc, &why);
		if (m == NULL) {
			xd_warnx("%s: %s", loc.path, why);
			status = XD_EXIT_SOME;
		} else {
			cksum_message(m, &ck, &show);
			printf("%s\t%s\n", rec_locator(&rec),
			    show.s ? show.s : "");
			message_free(m);
		}
		locator_free(&loc);
	}
	buf_free(&show);
	rec_free(&rec);
	reader_free(&r);
	if (fflush(stdout) == EOF || ferror(stdout))
		xd_err(XD_EXIT_SOME, "write error");
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "expire", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", no_argument, NULL, 'k' },
		{ "learn", required_argument, NULL, 'l' },
		{ "now", required_argument, NULL, 'N' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "stats", no_argument, NULL, 'S' },
		{ "store", required_argument, NULL, 's' },
		{ "text", no_argument, NULL, 't' },
		{ "unlearn", no_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cksum_opts o;
	void *st;
	int ch, text = 0, stats = 0, expire = 0, status;

	tool_start(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "hkl:rs:tuV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'E': expire = 1; break;
		case 'k': o.keep = 1; break;
		case 'r': o.read_only = 1; break;
		case 'l':
			if (strcmp(optarg, "spam") == 0)
				o.mode = CKSUM_LEARN_SPAM;
			else if (strcmp(optarg, "ham") == 0)
				o.mode = CKSUM_LEARN_HAM;
			else
				xd_errx(XD_EXIT_USAGE, "--learn %s: not ham "
				    "or spam", optarg);
			break;
		case 'N':
			o.now = xd_optnum("--now", optarg, 1, (long long)1 << 40);
			break;
		case 'S': stats = 1; break;
		case 's': o.store = optarg; break;
		case 't': text = 1; break;
		case 'u': o.mode = CKSUM_UNLEARN; break;
		case 'V': xd_version();
		case 'h': xd_usage(0, synopsis, options);
		default:  usage();
		}
	}
	if (optind != argc || stats + expire + text > 1 ||
	    ((stats || expire || text) && (o.mode != CKSUM_CHECK || o.keep)) ||
	    ((o.keep || o.read_only) && o.mode != CKSUM_CHECK))
		usage();
	if (conf_load(NULL) != 0)
		return XD_EXIT_USAGE;
	if (text)
		status = text_run();
	else if (stats || expire)
		status = cksum_tables(&o, expire, stdout);
	else if ((st = stage_cksum.open(&o)) == NULL)
		status = XD_EXIT_USAGE;
	else {
		status = tool_status(stage_cksum.run(st, stdin, stdout));
		stage_cksum.close(st);
	}
	message_shutdown();
	return status;
}
