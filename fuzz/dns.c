/*
 * fuzz-dns: a DNS answer packet read by dnsanswer.c's parse_answer(), for
 * the name and type its question asks (c-ares has matched those with
 * the query before xd sees a packet), then what the tools make of the
 * records: TXT as SPF records (spfrec.c) with their macros expanded,
 * A as the return codes of a DNS list (dnsbl.c).  The question is
 * read with dnsanswer.c's static get_name() and get16(), so this
 * harness includes that file itself.
 */
#include "fuzz.h"
#include "../src/net/dnsanswer.c"

static struct dnsbl list;

static void
symbol(const char *name, void *arg)
{
	(void)arg;
	if (*name == '\0')
		abort();
}

static const char *
validated(void *arg, const char *domain)
{
	(void)arg;
	return domain;
}

static void
spf(const struct dns_rr *rr)
{
	struct spf_rec r;
	struct spf_env env;
	struct cidr ip;
	struct buf out;
	const char *why;
	size_t i;

	if (!spf_is_record(rr->text, rr->len))
		return;
	if (spf_rec_parse(rr->text, rr->len, &r, &why) != 0)
		return;
	if (ip_parse("2001:db8::1", &ip) != 0)
		abort();
	memset(&env, 0, sizeof(env));
	env.sender = "user.name+tag@mail.example.com";
	env.local = "user.name+tag";
	env.sender_domain = "mail.example.com";
	env.domain = "example.com";
	env.helo = "helo.example.com";
	env.ip = &ip;
	env.validated = validated;
	buf_init(&out);
	for (i = 0; i < r.n; i++)
		if (r.t[i].spec != NULL) {
			buf_reset(&out);
			spf_expand(r.t[i].spec, &env, &out);
			(void)spf_domain_ok(out.s ? out.s : "");
		}
	buf_free(&out);
	spf_rec_free(&r);
}

/* What every answer promises its readers. */
static void
check(const struct dns_answer *a)
{
	size_t i;

	if ((a->status == DNS_OK) != (a->n > 0))
		abort();
	for (i = 0; i < a->n; i++) {
		const struct dns_rr *rr = &a->rr[i];

		if (rr->text == NULL || (a->type != DNS_TXT &&
		    strlen(rr->text) != rr->len))
			abort();
		if (a->type == DNS_TXT)
			spf(rr);
		else if (a->type == DNS_A)
			(void)dnsbl_code(&list, rr->addr, symbol, NULL);
	}
}

static void
one(const char *path)
{
	char name[DNS_MAX_NAME + 2];
	unsigned char *abuf;
	struct dns_answer *a;
	size_t len;
	long used;
	int type;

	if ((abuf = (unsigned char *)fuzz_slurp(path, &len)) == NULL)
		return;
	if (len < 12 || len > 65535 ||
	    get_name(abuf + 12, abuf, (int)len, name, &used) != 0 ||
	    len < 12 + (size_t)used + 4) {
		free(abuf);
		return;
	}
	type = (int)get16(abuf + 12 + used);
	if (type != DNS_A && type != DNS_AAAA && type != DNS_MX &&
	    type != DNS_PTR && type != DNS_TXT) {
		free(abuf);
		return;
	}
	a = parse_answer(name, type, abuf, (int)len);
	check(a);
	dns_answer_free(a);
	free(abuf);
}

int
main(int argc, char *argv[])
{
	const char *why;

	fuzz_setup(argc, argv);
	if (dnsbl_parse(&list, "RBL_", "zen zen.spamhaus.org "
	    "127.0.0.2=SBL 127.0.0.3=CSS 127.0.0.4-127.0.0.7=XBL "
	    "127.0.0.10-127.0.0.11=PBL &8=BIT", DNSBL_V4, &why) != 0) {
		fprintf(stderr, "%s\n", why);
		return 2;
	}
	__AFL_INIT();
	while (__AFL_LOOP(FUZZ_LOOP))
		one(argv[1]);
	dnsbl_free(&list);
	return 0;
}
