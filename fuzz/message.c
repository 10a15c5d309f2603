/*
 * fuzz-message: a message file (message.c, GMime) read the way the
 * tools read it: an mbox split into its messages, then for each the
 * facts xd-parse takes (relays, addresses, subject, ids, date, parts),
 * every header decoded, every part's data and text, and the checks of
 * xd-heur (heur.c, the shipped rules), xd-urlcheck's URLs (url.c),
 * xd-cksum's normalised text (cksum.c) and xd-bayes' tokens (bayes.c).
 */
#include "fuzz.h"

#define MAX_MESSAGES	20	/* of an mbox */
#define MAX_DATA	(256 * 1024)

static struct heur *heur;
static struct ruleset *rules;

static int
walk_part(const struct msgpart *p, void *arg)
{
	struct buf *b = arg;

	buf_reset(b);
	(void)msgpart_data(p, b, MAX_DATA);
	buf_reset(b);
	(void)msgpart_text(p, b, MAX_DATA);
	(void)msgpart_qp_line(p, 76);
	return 0;
}

static void
facts(struct message *m)
{
	static const char *const addrs[] = { "From", "Reply-To", "To", "Cc" };
	struct relays rs;
	struct buf v, n;
	const char *name, *value;
	time_t t;
	size_t i;
	int pos = 0;

	buf_init(&v);
	buf_init(&n);
	(void)received_walk(m, &rs);
	(void)message_header_next(m, "Return-Path", &pos);
	(void)message_envelope(m);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		(void)message_addrs(m, addrs[i], &v, &n, 50, MSG_MAX_VALUE);
	(void)message_subject(m, &v, MSG_MAX_VALUE);
	(void)message_msgid(m, "Message-ID", &v, MSG_MAX_VALUE);
	(void)message_msgid(m, "In-Reply-To", &v, MSG_MAX_VALUE);
	(void)message_date(m, &t);
	(void)message_header_count(m, "Received");
	(void)message_header(m, "Content-Type", &v, MSG_MAX_VALUE);
	for (i = 0; (name = message_header_at(m, (int)i, &value)) != NULL;
	    i++) {
		buf_reset(&v);
		message_header_decode(value, &v, MSG_MAX_VALUE);
		text_clean(&v, MSG_MAX_VALUE);
		(void)message_date_valid(value);
	}
	(void)message_parts(m, walk_part, &v);
	buf_free(&v);
	buf_free(&n);
}

static void
content(struct message *m)
{
	struct urls u;
	struct cksum ck;
	struct bayes_tokens t;
	struct buf show;

	urls_init(&u);
	(void)urls_message(&u, m);
	urls_free(&u);
	buf_init(&show);
	(void)cksum_message(m, &ck, &show);
	buf_free(&show);
	bayes_tokens_init(&t);
	(void)bayes_tokenize(m, &t, NULL);
	bayes_tokens_free(&t);
}

static void
check(const char *path, off_t offset, off_t length)
{
	struct locator loc = { (char *)(uintptr_t)path, offset, length };
	struct message *m;
	struct rec rec;
	const char *why;

	if ((m = message_open(&loc, &why)) == NULL)
		return;
	facts(m);
	content(m);
	message_free(m);
	rec_init(&rec);
	rec_from_locator(&rec, path);
	if (length >= 0) {
		rec_addf(&rec, "offset", "%lld", (long long)offset);
		rec_addf(&rec, "length", "%lld", (long long)length);
	}
	rec_add(&rec, "rcpt", "user@example.org");
	(void)heur_check(heur, rules, &rec, &why);
	rec_free(&rec);
}

static void
one(const char *path)
{
	struct mbox *mb;
	off_t off, len;
	FILE *fp;
	int n = 0;

	char head[5];

	check(path, 0, -1);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	/* xd-parse reads a file as an mbox when it starts so */
	if (fread(head, 1, sizeof(head), fp) != sizeof(head) ||
	    memcmp(head, "From ", 5) != 0) {
		fclose(fp);
		return;
	}
	rewind(fp);
	mb = mbox_open(fp);
	while (n++ < MAX_MESSAGES && mbox_next(mb, &off, &len) == 1)
		check(path, off, len);
	mbox_close(mb);
	fclose(fp);
}

int
main(int argc, char *argv[])
{
	struct rules_stats st;
	char *dir;

	fuzz_setup(argc, argv);
	/* Replies look their ids up in the store: one of the build's. */
	conf_set("store", FUZZ_WORK "/fuzz-store.lmdb");
	conf_set("max_message_size", "1M");
	if ((heur = heur_new()) == NULL)
		return 2;
	dir = xd_sharepath("rules");
	if ((rules = rules_load((const char **)&dir, 1, &st)) == NULL)
		return 2;
	free(dir);
	__AFL_INIT();
	while (__AFL_LOOP(FUZZ_LOOP))
		one(argv[1]);
	rules_free(rules);
	heur_free(heur);
	message_shutdown();
	return 0;
}
