/*
 * fuzz-rules: a rule file (rules.c) loaded, listed, and run against one
 * small message, so that its patterns, tags and metas are all used.
 */
#include "fuzz.h"

static const char *const headers[][2] = {
	{ "From", "\"Bank Support\" <support@bank.example>" },
	{ "To", "user@example.org, other@example.net" },
	{ "Subject", "Your account: act now!!! $1,000,000" },
	{ "Message-ID", "<1234.5678@mail.example>" },
	{ "Received", "from helo.example (host.example [192.0.2.1]) by mx" },
	{ "Received", "from a (b [198.51.100.7]) by c" },
	{ "Content-Type", "text/html; charset=utf-8" },
	{ "X-Mailer", "Mailer 1.0" },
};
static const char body[] = "Your account: act now!!! $1,000,000\n"
    "Dear friend, click http://bank.example.com/login to verify.\n"
    "Bitcoin wallet 1BoatSLRHtKNngkdXEeobR76b53LMEhr deadline 48 hours\n";
static const char rawbody[] = "<html><body><a href=\"http://x.example/\">"
    "http://bank.example.com/</a> &amp; caf\xc3\xa9</body></html>\n";
static const char *const uris[] = {
	"http://bank.example.com/login", "http://x.example/", "http://192.0.2.1/"
};

static size_t
header(void *arg, const char *name, int raw, struct buf *out)
{
	size_t i, n = 0;

	(void)arg;
	(void)raw;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		if (strcasecmp(headers[i][0], name) != 0)
			continue;
		if (out != NULL) {
			if (n > 0)
				buf_addc(out, '\n');
			buf_adds(out, headers[i][1]);
		}
		n++;
	}
	return n;
}

static void
full(void *arg, struct buf *out)
{
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		buf_printf(out, "%s: %s\n", headers[i][0], headers[i][1]);
	buf_printf(out, "\n%s", rawbody);
}

static int
symbol(void *arg, const char *name)
{
	(void)arg;
	return strncmp(name, "RBL_", 4) == 0 || strcmp(name, "SPF_FAIL") == 0;
}

static void
hit(void *arg, const char *name, const char *evidence, size_t len)
{
	(void)arg;
	if (*name == '\0' || (len > 0 && evidence == NULL))
		abort();
}

static int
listed(void *arg, const char *name)
{
	(void)arg;
	return name[0] == 'X';
}

static void
one(const char *path)
{
	struct rules_stats st;
	struct ruleset *rs;
	struct rulemsg rm;
	const char *limit = NULL;
	FILE *out;

	if ((rs = rules_load(&path, 1, &st)) == NULL)
		return;
	memset(&rm, 0, sizeof(rm));
	rm.header = header;
	rm.full = full;
	rm.symbol = symbol;
	rm.body = body;
	rm.bodylen = sizeof(body) - 1;
	rm.rawbody = rawbody;
	rm.rawbodylen = sizeof(rawbody) - 1;
	rm.uris = uris;
	rm.nuris = sizeof(uris) / sizeof(uris[0]);
	(void)rules_eval(rs, &rm, hit, NULL, &limit);
	(void)rules_owns(rs, "XD_TEST", 7);
	if ((out = fopen("/dev/null", "w")) == NULL)
		abort();
	rules_list(rs, out);
	rules_weights(rs, out, listed, NULL);
	fclose(out);
	rules_free(rs);
}

int
main(int argc, char *argv[])
{
	fuzz_setup(argc, argv);
	__AFL_INIT();
	while (__AFL_LOOP(FUZZ_LOOP))
		one(argv[1]);
	return 0;
}
