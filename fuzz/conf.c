/*
 * fuzz-conf: an xd.conf (config.c) found through $XD_CONF as the tools
 * find it, then what the tools parse out of its values: the DNS lists
 * (dnsbl.c) and their return codes, the resolver, the trusted networks
 * (received.c).  The configuration is global, so this harness runs one
 * input a process.
 */
#include "fuzz.h"

static const struct {
	const char	*key, *prefix;
	unsigned	 allowed;
} kinds[] = {
	{ "rbl", "RBL_", DNSBL_V4 | DNSBL_V6 },
	{ "rblwl", "RBLWL_", DNSBL_V4 | DNSBL_V6 | DNSBL_TRUST },
	{ "rhsbl", "RHSBL_", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
	{ "rhswl", "RHSWL_", DNSBL_MAILFROM | DNSBL_FROM | DNSBL_HELO },
	{ "uribl", "URIBL_", 0 },
	{ "uribl_ip", "URIBL_", DNSBL_V4 | DNSBL_V6 },
};

static void
symbol(const char *name, void *arg)
{
	(void)arg;
	if (*name == '\0')
		abort();
}

static void
lists(void)
{
	static const unsigned char answers[][4] = {
		{ 127, 0, 0, 2 }, { 127, 0, 0, 3 }, { 127, 0, 1, 0 },
		{ 127, 255, 255, 255 }, { 127, 0, 0, 0 }, { 10, 0, 0, 1 },
	};
	struct dnsbl *l = NULL;
	size_t i, j, k, n = 0;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (dnsbl_load(kinds[k].key, kinds[k].prefix,
		    kinds[k].allowed, &l, &n) != 0)
			break;
	for (i = 0; i < n; i++)
		for (j = 0; j < sizeof(answers) / sizeof(answers[0]); j++)
			(void)dnsbl_code(&l[i], answers[j], symbol, NULL);
	for (i = 0; i < n; i++)
		dnsbl_free(&l[i]);
	free(l);
}

int
main(int argc, char *argv[])
{
	struct cidr ip;
	const char *why;
	FILE *out;

	if (argc != 2) {
		fprintf(stderr, "usage: %s file\n", argv[0]);
		return 2;
	}
	xd_setprogname(argv[0]);
	setenv("XD_SHARE", FUZZ_SHARE, 0);
	setenv("XD_CONF", argv[1], 1);
	if (conf_load(NULL) != 0)
		return 0;
	if ((out = fopen("/dev/null", "w")) == NULL)
		abort();
	conf_dump(out);
	fclose(out);
	lists();
	(void)dns_resolver_check(conf_str("resolver"), &why);
	if (ip_parse("192.0.2.1", &ip) == 0)
		(void)received_trusted(&ip);
	return 0;
}
