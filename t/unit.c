/*
 * unit.c - C unit tests of the library's small pieces: escaping, line
 * bounds, field editing, CIDR matching and number parsing; the
 * Received: parser, UTF-8 cleaning and MIME text parts; the counts and
 * the reasons of xd-filter's supervisor; log line escaping; the band
 * order of xd-score --fit; the library's silence without a sink.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/base/base.h"
#include "../src/mime/mime.h"
#include "../src/url/url.h"
#include "../src/net/net.h"
#include "../src/store/store.h"
#include "../src/policy/policy.h"
#include "../src/check/check.h"
#include "../src/verdict/verdict.h"
#include "../src/policy/fit_int.h"

static int passed, failed;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)

static void
check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "%s:%d: failed: %s\n", file, line, what);
}

static void
test_escape_round_trip(void)
{
	const char raw[] = "a%b\tc\nd\re%25";
	struct buf esc, back;

	buf_init(&esc);
	buf_init(&back);
	stream_escape(raw, strlen(raw), &esc);
	CHECK(strcmp(esc.s, "a%25b%09c%0Ad%0De%2525") == 0);
	CHECK(stream_unescape(esc.s, &back) == 0);
	CHECK(strcmp(back.s, raw) == 0);
	buf_reset(&back);
	CHECK(stream_unescape("x%0ay%0d", &back) == 0);
	CHECK(strcmp(back.s, "x\ny\r") == 0);
	buf_reset(&back);
	CHECK(stream_unescape("bad%ZZ", &back) == -1);
	buf_free(&esc);
	buf_free(&back);
}

/* A log line's text: nothing from mail may break it or end it. */
static void
test_log_escape(void)
{
	const char raw[] = "a\nb\rc\td\x1b[2J\\e\x7f f\xc3\xa9";
	struct buf out;

	buf_init(&out);
	log_escape(raw, sizeof(raw) - 1, &out);
	CHECK(strcmp(out.s,
	    "a\\x0ab\\x0dc\\x09d\\x1b[2J\\\\e\\x7f f\xc3\xa9") == 0);
	buf_reset(&out);
	log_escape("x\0y", 3, &out);
	CHECK(strcmp(out.s, "x\\x00y") == 0);
	buf_reset(&out);
	log_escapes("", &out);
	log_escapes(NULL, &out);
	CHECK(strcmp(out.s, "--") == 0);
	buf_free(&out);
}

/* Feed text to reader_next through a memory stream. */
static int
read_one(const char *text, size_t maxline, struct rec *rec)
{
	FILE *fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct reader r;
	int n;

	reader_init(&r, fp, "test", maxline);
	n = reader_next(&r, rec);
	reader_free(&r);
	fclose(fp);
	return n;
}

static void
test_reader(void)
{
	struct rec rec;
	struct buf v;

	rec_init(&rec);
	buf_init(&v);
	CHECK(read_one("p/1\ta=1\tB=x%09y\n", 0, &rec) == 1);
	CHECK(rec.bad == NULL && rec.nf == 3);
	CHECK(rec_get(&rec, "B", &v) && strcmp(v.s, "x\ty") == 0);
	CHECK(!rec_get(&rec, "b", &v));
	CHECK(read_one("#xd-stream 1\n", 0, &rec) == 1 && rec.comment);
	CHECK(read_one("p\ta=1\tb=22222222\n", 12, &rec) == 1);
	CHECK(rec.bad != NULL && strcmp(rec.bad, "line-too-long") == 0);
	CHECK(rec.nf == 2 && strcmp(rec.f[1], "a=1") == 0);
	CHECK(read_one("p\ta=%zz\n", 0, &rec) == 1 &&
	    strcmp(rec.bad, "bad-escape") == 0);
	CHECK(read_one("p\tnoequals\n", 0, &rec) == 1 &&
	    strcmp(rec.bad, "bad-field") == 0);
	CHECK(read_one("p\ta=1\r\n", 0, &rec) == 1 &&
	    strcmp(rec.bad, "raw-cr") == 0);
	CHECK(read_one("\n", 0, &rec) == 1 &&
	    strcmp(rec.bad, "empty-locator") == 0);
	CHECK(read_one("", 0, &rec) == 0);
	CHECK(read_one("p\ta=1", 0, &rec) == 1 && rec.bad == NULL);
	rec_free(&rec);
	buf_free(&v);
}

static void
test_edit(void)
{
	static const char *const own[] = { "RBL_", "score=", NULL };
	struct rec rec;
	FILE *fp;
	char out[256] = "";

	rec_init(&rec);
	read_one("p\tRBL_X=1\tscore=3\tscores=4\tfoo=a%09b\tRBLX=2\n", 0, &rec);
	rec_drop_prefixes(&rec, own);
	rec_set(&rec, "foo", "c\td");
	rec_add(&rec, "RBL_Y", "127.0.0.2");
	rec_error(&rec, "xd-test", "why");
	rec_drop_own_errors(&rec, "xd-tes");
	fp = fmemopen(out, sizeof(out) - 1, "w");
	rec_write(&rec, fp);
	fclose(fp);
	CHECK(strcmp(out, "p\tscores=4\tfoo=c%09d\tRBLX=2\t"
	    "RBL_Y=127.0.0.2\terror=xd-test:why\n") == 0);
	rec_drop_own_errors(&rec, "xd-test");
	CHECK(!rec_has(&rec, "error"));
	rec_free(&rec);
}

static int
in(const char *net, const char *ip)
{
	struct cidr n, a;

	return cidr_parse(net, &n) == 0 && ip_parse(ip, &a) == 0 &&
	    cidr_match(&n, &a);
}

static void
test_cidr(void)
{
	struct cidr c;

	CHECK(in("192.0.2.0/24", "192.0.2.255"));
	CHECK(!in("192.0.2.0/24", "192.0.3.0"));
	CHECK(in("0.0.0.0/0", "203.0.113.9"));
	CHECK(in("192.0.2.1", "192.0.2.1") && !in("192.0.2.1", "192.0.2.2"));
	CHECK(in("198.51.100.0/31", "198.51.100.1"));
	CHECK(!in("198.51.100.0/31", "198.51.100.2"));
	CHECK(in("2001:db8::/32", "[IPv6:2001:db8:ffff::1]"));
	CHECK(!in("2001:db8::/33", "2001:db8:8000::1"));
	CHECK(in("192.0.2.0/24", "::ffff:192.0.2.7"));
	CHECK(!in("::/0", "192.0.2.7"));
	CHECK(cidr_parse("192.0.2.0/33", &c) == -1);
	CHECK(cidr_parse("2001:db8::/129", &c) == -1);
	CHECK(cidr_parse("192.0.2.0/", &c) == -1);
	CHECK(cidr_parse("example.com", &c) == -1);
	CHECK(ip_parse("10.1.2.3", &c) == 0 && ip_is_special(&c));
	CHECK(ip_parse("203.0.113.5", &c) == 0 && !ip_is_special(&c));
}

static void
test_numbers(void)
{
	const char *errstr;
	size_t sz;
	double d;

	CHECK(xd_parse_size("20M", &sz) == 0 && sz == 20u * 1024 * 1024);
	CHECK(xd_parse_size("512k", &sz) == 0 && sz == 512u * 1024);
	CHECK(xd_parse_size("12", &sz) == 0 && sz == 12);
	CHECK(xd_parse_size("-1", &sz) == -1);
	CHECK(xd_parse_size("1T", &sz) == -1);
	CHECK(xd_parse_size("99999999999999999999G", &sz) == -1);
	CHECK(xd_strtonum("42", 0, 100, &errstr) == 42 && errstr == NULL);
	xd_strtonum("101", 0, 100, &errstr);
	CHECK(errstr != NULL && strcmp(errstr, "too large") == 0);
	xd_strtonum("4x", 0, 100, &errstr);
	CHECK(errstr != NULL && strcmp(errstr, "invalid") == 0);
	CHECK(xd_parse_double("-3.5", &d) == 0 && d == -3.5);
	CHECK(xd_parse_double("nan", &d) == -1);
	CHECK(xd_parse_double("1e999", &d) == -1);
}

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static void
test_weights(void)
{
	char dir[] = "/tmp/xd-unit.XXXXXX", *path;
	const char *rule;
	unsigned long line;
	struct weights *w;

	CHECK(mkdtemp(dir) != NULL);
	xasprintf(&path, "%s/w", dir);
	CHECK(write_text(path, "R_* 1\nR_LONG* 2\nR_X 3\nR_X=a%b 4\n") == 0);
	CHECK((w = weights_load(path)) != NULL);
	CHECK(weights_symbol(w, "R_X=a%25b", 3, &rule, &line) == 4 &&
	    line == 4 && strcmp(rule, "R_X=a%25b") == 0);
	CHECK(weights_symbol(w, "R_X=other", 3, &rule, &line) == 3 &&
	    line == 3);
	CHECK(weights_symbol(w, "R_LONGER=", 8, &rule, NULL) == 2 &&
	    strcmp(rule, "R_LONG*") == 0);
	CHECK(weights_symbol(w, "R_Y", 3, NULL, NULL) == 1);
	CHECK(weights_symbol(w, "Q=", 1, &rule, &line) == 0 &&
	    rule == NULL && line == 0);
	CHECK(weights_threshold(w, "spam") == 5 &&
	    weights_threshold(w, "surespam") == 12);
	CHECK(fabs(weights_prob(w, 5) - 0.9) < 1e-9);
	CHECK(fabs(weights_prob(w, 12) - 0.999) < 1e-9);
	CHECK(strcmp(weights_class(w, 4.99), "ham") == 0 &&
	    strcmp(weights_class(w, 5), "spam") == 0 &&
	    strcmp(weights_class(w, 12), "surespam") == 0);
	weights_free(w);
	unlink(path);
	rmdir(dir);
	free(path);
}

struct bands_seen {
	char	 s[200];
};

static void
note_band(const char *prefix, int falling, void *arg)
{
	struct bands_seen *b = arg;
	size_t n = strlen(b->s);

	snprintf(b->s + n, sizeof(b->s) - n, "%s%s ", prefix,
	    falling ? "-" : "+");
}

/* "bands PREFIX* [rising|falling]" in a weights file. */
static void
test_weights_bands(void)
{
	char dir[] = "/tmp/xd-unit.XXXXXX", *path;
	struct bands_seen seen = { "" };
	struct weights *w;
	int saved, null;

	CHECK(mkdtemp(dir) != NULL);
	xasprintf(&path, "%s/w", dir);
	CHECK(write_text(path, "bands BAYES_*\nbands LR_* rising\n"
	    "bands WL_H* falling\nBAYES_00 -1\n") == 0);
	CHECK((w = weights_load(path)) != NULL);
	weights_each_band(w, note_band, &seen);
	CHECK(strcmp(seen.s, "BAYES_+ LR_+ WL_H- ") == 0);
	weights_free(w);
	fflush(stderr);
	CHECK((saved = dup(2)) != -1 && (null = open("/dev/null", O_WRONLY)) != -1 &&
	    dup2(null, 2) == 2 && close(null) == 0);
	CHECK(write_text(path, "bands BAYES_\n") == 0);
	CHECK(weights_load(path) == NULL);
	CHECK(write_text(path, "bands BAYES_* sideways\n") == 0);
	CHECK(weights_load(path) == NULL);
	CHECK(write_text(path, "bands BAYES_*\nbands BAYES_* falling\n") == 0);
	CHECK(weights_load(path) == NULL);
	CHECK(write_text(path, "bands bayes_*\n") == 0);
	CHECK(weights_load(path) == NULL);
	CHECK(dup2(saved, 2) == 2 && close(saved) == 0);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* sum of wt * (x - v)^2 */
static double
sq_dist(const double *x, const double *v, const double *wt, size_t n)
{
	double d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d += wt[i] * (x[i] - v[i]) * (x[i] - v[i]);
	return d;
}

/*
 * fit_isotonic: the nearest rising sequence within the bounds, in the
 * metric of the weights; checked on known cases, then against every
 * point of a grid for random ones.
 */
static void
test_fit_isotonic(void)
{
	double v[3], x[3], wt[3], lo[3], hi[3], best, d;
	int t, i, a, b, c, ok;

	memcpy(v, (double[]){ 3, 1, 2 }, sizeof(v));
	fit_isotonic(v, (double[]){ 1, 1, 1 }, (double[]){ -9, -9, -9 },
	    (double[]){ 9, 9, 9 }, 3);
	CHECK(v[0] == 2 && v[1] == 2 && v[2] == 2);
	memcpy(v, (double[]){ 4, 0 }, 2 * sizeof(double));
	fit_isotonic(v, (double[]){ 3, 1 }, (double[]){ -9, -9 },
	    (double[]){ 9, 9 }, 2);
	CHECK(v[0] == 3 && v[1] == 3);
	/* signs as the hand weights of BAYES_05, BAYES_50, BAYES_60 */
	memcpy(v, (double[]){ 1, -2, 3 }, sizeof(v));
	fit_isotonic(v, (double[]){ 1, 1, 1 }, (double[]){ -5, -5, 0 },
	    (double[]){ 0, 5, 5 }, 3);
	CHECK(v[0] == -0.5 && v[1] == -0.5 && v[2] == 3);
	/* a spam band before a ham one: only 0 keeps both */
	memcpy(v, (double[]){ 1, -1 }, 2 * sizeof(double));
	fit_isotonic(v, (double[]){ 1, 1 }, (double[]){ 0, -5 },
	    (double[]){ 5, 0 }, 2);
	CHECK(v[0] == 0 && v[1] == 0);
	srandom(16);
	for (t = 0, ok = 1; t < 30; t++) {
		for (i = 0; i < 3; i++) {
			v[i] = (random() % 400 - 200) / 100.0;
			wt[i] = 0.5 + random() % 4;
			lo[i] = random() % 2 ? -2 : 0;
			hi[i] = random() % 2 ? 2 : 0;
			x[i] = v[i];
		}
		fit_isotonic(x, wt, lo, hi, 3);
		best = INFINITY;
		for (a = -40; a <= 40; a++)
			for (b = a; b <= 40; b++)
				for (c = b; c <= 40; c++) {
					double g[3] = { a / 20.0, b / 20.0, c / 20.0 };

					for (i = 0; i < 3; i++)
						if (g[i] < lo[i] || g[i] > hi[i])
							break;
					if (i == 3 && (d = sq_dist(g, v, wt, 3)) < best)
						best = d;
				}
		for (i = 0; i < 3; i++)
			if (x[i] < lo[i] || x[i] > hi[i] || (i > 0 && x[i] < x[i - 1]))
				ok = 0;
		if (sq_dist(x, v, wt, 3) > best + 1e-9)
			ok = 0;
	}
	CHECK(ok);
}

static void
test_policy_append(void)
{
	char dir[] = "/tmp/xd-unit.XXXXXX", *path, *lock;
	const struct policy_rule *r;
	struct policy *p;
	struct stat st;
	struct rec rec;
	int saved, null;

	CHECK(mkdtemp(dir) != NULL);
	xasprintf(&path, "%s/policy", dir);
	xasprintf(&lock, "%s.lock", path);
	/* A new file, then one whose last line has no newline. */
	CHECK(policy_append(path, "block", "from-domain", "spam.example") == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(write_text(path, "# mine\nblock from-domain spam.example") == 0);
	CHECK(chmod(path, 0600) == 0);
	CHECK(policy_append(path, "allow", "from", "Odd \"Name\"@ok.example") == 0);
	CHECK(policy_append(path, "trust", "ip", "2001:db8::/32") == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* What cannot be a rule is refused and leaves the file alone. */
	fflush(stderr);
	CHECK((saved = dup(2)) != -1 && (null = open("/dev/null", O_WRONLY)) != -1 &&
	    dup2(null, 2) == 2 && close(null) == 0);
	CHECK(policy_append(path, "critical", "rcpt", "a@b") == -1);
	CHECK(policy_append(path, "allow", "ip", "not-an-ip") == -1);
	CHECK(policy_append(path, "allow", "from", "a\nblock from x") == -1);
	CHECK(policy_append(path, "allow", "from", "") == -1);
	fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	CHECK((p = policy_load(path)) != NULL && policy_count(p) == 3);
	rec_init(&rec);
	rec_from_locator(&rec, "m");
	rec_add(&rec, "from", "ODD \"name\"@ok.example");
	CHECK((r = policy_match(p, &rec)) != NULL && r->line == 3 &&
	    r->action == POLICY_ALLOW);
	rec_from_locator(&rec, "m");
	rec_add(&rec, "ip", "2001:db8::1");
	CHECK((r = policy_match(p, &rec)) != NULL && r->line == 4 &&
	    r->action == POLICY_TRUST);
	rec_free(&rec);
	policy_free(p);
	unlink(path);
	unlink(lock);
	CHECK(rmdir(dir) == 0);	/* no temporary file was left behind */
	free(path);
	free(lock);
}

/* One Received: value: the address, HELO and reverse name it gives. */
static int
relay_is(const char *v, const char *ip, const char *helo, const char *rdns)
{
	struct relay r;

	if (received_parse(v, &r) != 0)
		return ip == NULL;
	return ip != NULL && strcmp(r.ip, ip) == 0 &&
	    strcmp(r.helo, helo) == 0 && strcmp(r.rdns, rdns) == 0;
}

static void
test_received_parse(void)
{
	CHECK(relay_is("from h.example (r.example [192.0.2.1]) by mx",
	    "192.0.2.1", "h.example", "r.example"));
	CHECK(relay_is("from h (IDENT:x@r.example [192.0.2.1] (may be "
	    "forged)) by mx", "192.0.2.1", "h", "r.example"));
	CHECK(relay_is("from h (unknown [192.0.2.1]) by mx",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("from r.example ([192.0.2.1]:2525 helo=h) by mx",
	    "192.0.2.1", "h", "r.example"));
	CHECK(relay_is("from [192.0.2.1] (helo=h) by mx",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("from unknown (HELO h) (192.0.2.1) by mx",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("from r.example (HELO h) (192.0.2.1) by mx",
	    "192.0.2.1", "h", "r.example"));
	CHECK(relay_is("from h ([192.0.2.1]) by mx with Microsoft SMTPSVC",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("from h [192.0.2.1] by localhost with IMAP",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("from 192.0.2.1 by webmail with HTTP",
	    "192.0.2.1", "", ""));
	CHECK(relay_is("from [192.0.2.7] (r.example [192.0.2.1]) by mx",
	    "192.0.2.1", "[192.0.2.7]", "r.example"));
	CHECK(relay_is("from h (r.example [IPv6:2001:DB8::1]) by mx",
	    "2001:db8::1", "h", "r.example"));
	CHECK(relay_is("from h (r.example [::ffff:192.0.2.1]) by mx",
	    "192.0.2.1", "h", "r.example"));
	CHECK(relay_is("from h (firewall-user@[192.0.2.1]) by mx",
	    "192.0.2.1", "h", ""));
	CHECK(relay_is("(qmail 123 invoked by uid 0); 1 Jan 2002", NULL,
	    NULL, NULL));
	CHECK(relay_is("by mx (Postfix, from userid 500) id 1", NULL, NULL,
	    NULL));
	CHECK(relay_is("from localhost (localhost [[UNIX: localhost]]) by mx",
	    NULL, NULL, NULL));
	CHECK(relay_is("from h (r.example [192.0.2.999]) by mx", NULL, NULL,
	    NULL));
	CHECK(relay_is("from (((((( by", NULL, NULL, NULL));
	CHECK(relay_is("", NULL, NULL, NULL));
}

/* What the receiving MTA says of the relay's name, and local hops. */
static void
test_received_marks(void)
{
	struct relay r;

	CHECK(received_parse("from h (unknown [192.0.2.1]) by mx", &r) == 0 &&
	    r.no_rdns && !r.local);
	CHECK(received_parse("from unknown (HELO h) (192.0.2.1) by mx", &r) ==
	    0 && r.no_rdns);
	CHECK(received_parse("from [192.0.2.1] (helo=h) by mx with esmtp "
	    "(Exim 4.96)", &r) == 0 && r.no_rdns);
	CHECK(received_parse("from h ([192.0.2.1]) by mx (8.11.6/8.11.6)",
	    &r) == 0 && r.no_rdns);
	CHECK(received_parse("from h ([192.0.2.1]) by mx with esmtp (Exim "
	    "4.96)", &r) == 0 && !r.no_rdns);
	CHECK(received_parse("from h ([192.0.2.1]) by mx with Microsoft "
	    "SMTPSVC", &r) == 0 && !r.no_rdns);
	CHECK(received_parse("from h (r.example [192.0.2.1]) by mx", &r) ==
	    0 && !r.no_rdns);
	CHECK(received_parse("from h [192.0.2.1] by localhost with POP3 "
	    "(fetchmail-5.9.0) for u; 1 Jan 2002", &r) == 0 && r.local);
	CHECK(received_parse("from h (h [192.0.2.1]) by store with LMTPA; x",
	    &r) == 0 && r.local);
	/* a HELO is one word: it cannot make our MX's line local */
	CHECK(received_parse("from POP3 (r [192.0.2.1]) by mx with ESMTP; x",
	    &r) == 0 && !r.local);
}

static void
test_utf8(void)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "a\xff" "b\xc3", 4);
	utf8_fix(&b);
	CHECK(strcmp(b.s, "a\xef\xbf\xbd" "b\xef\xbf\xbd") == 0);
	buf_reset(&b);
	buf_adds(&b, " \t a\x01" "b\xc2\x85" "c \r\n");
	text_clean(&b, 100);
	CHECK(strcmp(b.s, "a b c") == 0);
	buf_reset(&b);
	buf_adds(&b, "\xc3\xa9\xc3\xa9");
	text_clean(&b, 3);
	CHECK(strcmp(b.s, "\xc3\xa9") == 0);
	CHECK(utf8_cut("\xe2\x82\xac", 3, 2) == 0);
	buf_reset(&b);
	utf8_convert(NULL, "caf\xe9 \x80", 6, &b);
	CHECK(strcmp(b.s, "caf\xc3\xa9 \xe2\x82\xac") == 0);
	buf_reset(&b);
	utf8_convert("iso-8859-1", "caf\xc3\xa9", 5, &b);	/* mislabelled */
	CHECK(strcmp(b.s, "caf\xc3\xa9") == 0);
	buf_reset(&b);
	utf8_convert("iso-8859-15", "\xa4", 1, &b);
	CHECK(strcmp(b.s, "\xe2\x82\xac") == 0);
	buf_reset(&b);
	utf8_convert("no-such-charset", "\x93q\x94", 3, &b);
	CHECK(strcmp(b.s, "\xe2\x80\x9cq\xe2\x80\x9d") == 0);
	buf_free(&b);
	CHECK(mbox_is_from_line("From a@b Thu Aug 22 12:36:23 2002\n", 34));
	CHECK(mbox_is_from_line("From a@b  Thu Aug  2 12:36 2002", 31));
	CHECK(!mbox_is_from_line("From the desk of the president", 30));
	CHECK(!mbox_is_from_line("From: a@b Thu Aug 22 12:36:23 2002", 34));
	CHECK(mbox_is_from_line("From a@b Wed Aug  2 00:39:12 MET DST 1995",
	    41));
	CHECK(mbox_is_from_line("From Mon Mon Nov 20 08:01:11 2023\r\n", 35));
	CHECK(!mbox_is_from_line("From a@b Thu, 22 Aug 2002 12:36:23 +0000",
	    40));
	CHECK(!mbox_is_from_line("From a@b Thu Aug 22 2002", 24));
	CHECK(!mbox_is_from_line("From \"a b@c Thu Aug 22 12:36:23 2002", 36));
}

struct texts {
	struct buf	 all;
	int		 leaves;
};

static int
collect_text(const struct msgpart *p, void *arg)
{
	struct texts *t = arg;
	struct buf b;

	buf_init(&b);
	if (msgpart_text(p, &b, 6) == 0) {
		buf_printf(&t->all, "%s[%s]", p->type, b.s ? b.s : "");
		t->leaves++;
	} else
		buf_printf(&t->all, "%s%s", p->type, p->attachment ? "!" : "");
	buf_printf(&t->all, "%s", "|");
	buf_free(&b);
	return 0;
}

/*
 * received_parse_at() gives what received_parse() does, the first walk
 * and every one after it, when the parse is kept with the message.
 */
static void
test_received_parse_at(void)
{
	char dir[] = "/tmp/xd-unit.XXXXXX", *path;
	struct locator loc;
	struct message *m;
	struct relay r, want;
	const char *why, *v;
	int pass, pos, n, rc;

	CHECK(mkdtemp(dir) != NULL);
	xasprintf(&path, "%s/m", dir);
	CHECK(write_text(path,
	    "Received: from a (a.example [192.0.2.1]) by mx; x\n"
	    "Received: (qmail 1 invoked by uid 0); x\n"
	    "Received: from b ([192.0.2.2] helo=b) by a; x\n"
	    "From: a@example.com\n\nbody\n") == 0);
	loc.path = path;
	loc.offset = 0;
	loc.length = -1;
	CHECK((m = message_open(&loc, &why)) != NULL);
	for (pass = 0; m != NULL && pass < 2; pass++) {
		pos = n = 0;
		while ((v = message_header_next(m, "Received", &pos)) != NULL) {
			rc = received_parse_at(m, pos, v, &r);
			CHECK(rc == received_parse(v, &want));
			CHECK(strcmp(r.ip, want.ip) == 0 &&
			    strcmp(r.helo, want.helo) == 0 &&
			    strcmp(r.rdns, want.rdns) == 0 &&
			    r.no_rdns == want.no_rdns &&
			    r.local == want.local);
			CHECK((rc == 0) == (n != 1));
			n++;
		}
		CHECK(n == 3);
	}
	message_free(m);
	unlink(path);
	CHECK(rmdir(dir) == 0);
	free(path);
}

/*
 * charset_known() remembers what iconv said: asked again, of more
 * names than it keeps, it says the same; "" is not an empty slot.
 */
static void
test_charset_known(void)
{
	char name[32];
	int i, pass, empty = charset_known("");

	for (pass = 0; pass < 2; pass++) {
		CHECK(charset_known("iso-8859-1") == 1);
		CHECK(charset_known("ISO-8859-1") == 1);
		CHECK(charset_known("x-no-such-charset") == 0);
		CHECK(charset_known("unknown-8bit") == 0);
		CHECK(charset_known("") == empty);
		for (i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "x-none-%d", i);
			CHECK(charset_known(name) == 0);
		}
	}
}

static void
test_message_parts(void)
{
	char dir[] = "/tmp/xd-unit.XXXXXX", *path;
	struct locator loc;
	struct message *m;
	struct texts t;
	const char *why;

	CHECK(mkdtemp(dir) != NULL);
	xasprintf(&path, "%s/m", dir);
	CHECK(write_text(path,
	    "From env@example.com Thu Aug 22 12:36:23 2002\n"
	    "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "caf=E9 au lait\n"
	    "--b\nContent-Type: text/html; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\nPHA+R3LDvMOfZTwvcD4K\n"
	    "--b\nContent-Type: application/pdf\n"
	    "Content-Disposition: attachment; filename=x.pdf\n\nx\n"
	    "--b\nContent-Type: message/rfc822\n\n"
	    "From: b@example.com\n\ninner text\n"
	    "--b--\n") == 0);
	loc.path = path;
	loc.offset = 0;
	loc.length = -1;
	CHECK((m = message_open(&loc, &why)) != NULL);
	if (m != NULL) {
		CHECK(strcmp(message_envelope(m), "env@example.com") == 0);
		buf_init(&t.all);
		t.leaves = 0;
		CHECK(message_parts(m, collect_text, &t) == 4);
		CHECK(t.all.s != NULL && strcmp(t.all.s,
		    "text/plain[caf\xc3\xa9 ]|text/html[<p>Gr]|"
		    "application/pdf!|message/rfc822|text/plain[inner ]|") == 0);
		CHECK(message_flags(m) == 0);
		buf_free(&t.all);
		message_free(m);
	}
	loc.offset = 1000000;
	CHECK(message_open(&loc, &why) == NULL &&
	    strcmp(why, "bad-offset") == 0);
	unlink(path);
	CHECK(rmdir(dir) == 0);
	free(path);
}

/* Tokens as text, for the tests: show() appends each new one and '|'. */
static void
show_token(const char *tok, void *arg)
{
	buf_adds(arg, tok);
	buf_addc(arg, '|');
}

static int
has_token(const struct buf *b, const char *tok)
{
	char *want;
	int found;

	xasprintf(&want, "|%s|", tok);
	found = b->s != NULL && (strncmp(b->s, want + 1, strlen(want + 1))
	    == 0 || strstr(b->s, want) != NULL);
	free(want);
	return found;
}

static void
test_bayes_tokens(void)
{
	const char text[] = "Hello, WORLD: don't e-mail x.y.z ab 123456 "
	    "1234 caf\xc3\x89 end. "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char html[] = "<html><style>p {x}</style><p>V<b></b>iagra</p>"
	    "<script>var hidden</script>&amp; &#233;t&#xE9; <!-- secret -->"
	    "<a href=\"http://www.Example.COM/x\">link</a>< b";
	const char footer[] = "Body text here.\n\n"
	    "_______________________________________________\n"
	    "Foo-users mailing list\nFoo-users@example.org\n"
	    "http://example.org/mailman/listinfo/foo-users\n";
	struct bayes_tokens t;
	struct html_view hv;
	struct buf shown, vis;
	size_t n;

	bayes_tokens_init(&t);
	buf_init(&shown);
	buf_init(&vis);
	t.show = show_token;
	t.show_arg = &shown;
	bayes_words(&t, "", text, strlen(text), 1);
	CHECK(has_token(&shown, "hello") && has_token(&shown, "world"));
	CHECK(has_token(&shown, "C:WORLD") && !has_token(&shown, "C:hello"));
	CHECK(has_token(&shown, "don't") && has_token(&shown, "e-mail"));
	CHECK(has_token(&shown, "x.y.z") && has_token(&shown, "num:4"));
	CHECK(has_token(&shown, "caf\xc3\xa9") && has_token(&shown, "end"));
	CHECK(!has_token(&shown, "ab") && !has_token(&shown, "123456"));
	CHECK(!has_token(&shown, "1234") && has_token(&shown, "num:6"));
	CHECK(has_token(&shown, "sk:aaaaaaa"));
	CHECK(has_token(&shown, "hello world") &&
	    has_token(&shown, "world don't"));
	n = t.n;
	bayes_words(&t, "", text, strlen(text), 1);
	CHECK(t.n == n);		/* a set: each token once */

	bayes_tokens_reset(&t);
	buf_reset(&shown);
	html_view_read(&hv, html, strlen(html));
	bayes_html(&t, &hv);
	buf_add(&vis, hv.text.s, hv.text.len);
	html_view_free(&hv);
	CHECK(strstr(vis.s, "Viagra") != NULL);
	CHECK(strstr(vis.s, "var") == NULL && strstr(vis.s, "secret") == NULL);
	CHECK(strstr(vis.s, "{x}") == NULL);
	CHECK(strstr(vis.s, "& \xc3\xa9t\xc3\xa9") != NULL);
	CHECK(strstr(vis.s, "< b") != NULL);
	CHECK(has_token(&shown, "h:p") && has_token(&shown, "h:a"));
	CHECK(has_token(&shown, "url:www.example.com"));
	CHECK(has_token(&shown, "url:example.com"));
	CHECK(!has_token(&shown, "url:com"));

	bayes_tokens_reset(&t);
	buf_reset(&shown);
	bayes_links(&t, "see http://10.0.0.1/x and WWW.Foo.Example.", 42);
	CHECK(has_token(&shown, "url:ip") &&
	    has_token(&shown, "url:www.foo.example"));

	n = bayes_footer(footer, strlen(footer));
	CHECK(n == strlen("Body text here.\n\n"));
	CHECK(bayes_footer(text, strlen(text)) == strlen(text));

	CHECK(bayes_hash("a", 1) == bayes_hash("a", 1));
	CHECK(bayes_hash("a", 1) != bayes_hash("b", 1));
	CHECK(bayes_hash("", 0) != 0);
	bayes_tokens_reset(&t);
	CHECK(bayes_add_hash(&t, 7) == 1 && bayes_add_hash(&t, 7) == 0);
	CHECK(bayes_add_hash(&t, 3) == 1);
	bayes_tokens_sort(&t);
	CHECK(t.n == 2 && t.h[0] == 3 && t.h[1] == 7);
	bayes_tokens_free(&t);
	buf_free(&shown);
	buf_free(&vis);
}

/* What tokens.c folds: NFKC, invisible characters, spelling, leet. */
static void
test_tokens_fold(void)
{
	/* full-width "Free", a ligature "fi" */
	const char wide[] = "\xef\xbc\xa6\xef\xbd\x92\xef\xbd\x85\xef\xbd\x85 "
	    "\xef\xac\x81ne";
	const char hidden[] = "ze\xe2\x80\x8bro so\xc2\xad" "ft jo\xe2\x81\xa0in "
	    "\xef\xbb\xbf" "bom";
	struct buf b;
	char w[32], tok[32];

	buf_init(&b);
	tokens_fold_text(wide, strlen(wide), &b);
	CHECK(strcmp(b.s, "Free fine") == 0);
	/* zero-width space, soft hyphen, word joiner, BOM */
	tokens_fold_text(hidden, strlen(hidden), &b);
	CHECK(strcmp(b.s, "zero soft join bom") == 0);
	tokens_fold_text("buy V I A G R A now, v.i.a.g.r.a, a b c", 39, &b);
	CHECK(strcmp(b.s, "buy VIAGRA now, viagra, a b c") == 0);
	tokens_fold_text("bad \xff byte", 10, &b);
	CHECK(b.s != NULL && strstr(b.s, "byte") != NULL);

	strcpy(w, "v1agra");
	CHECK(tokens_leet(w, 6) == 1 && strcmp(w, "viagra") == 0);
	strcpy(w, "m0rtg4ge");
	CHECK(tokens_leet(w, 8) == 1 && strcmp(w, "mortgage") == 0);
	strcpy(w, "mp3");
	CHECK(tokens_leet(w, 3) == 0 && strcmp(w, "mp3") == 0);
	strcpy(w, "win32");
	CHECK(tokens_leet(w, 5) == 0);
	strcpy(w, "b2b");
	CHECK(tokens_leet(w, 3) == 0);

	CHECK(tokens_number("2002", 4, tok, sizeof(tok)) &&
	    strcmp(tok, "num:4") == 0);
	CHECK(tokens_number("$19.95", 6, tok, sizeof(tok)) &&
	    strcmp(tok, "num:$2") == 0);
	CHECK(tokens_number("1,000,000", 9, tok, sizeof(tok)) &&
	    strcmp(tok, "num:7") == 0);
	CHECK(!tokens_number("abc", 3, tok, sizeof(tok)));
	CHECK(!tokens_number("$", 1, tok, sizeof(tok)));
	CHECK(!tokens_number("12ab", 4, tok, sizeof(tok)));
	buf_free(&b);
}

/* Sparse bigrams: a word with each of the four before it. */
static void
test_tokens_osb(void)
{
	const char text[] = "one two three four five six";
	struct bayes_tokens t;
	struct buf shown;

	bayes_tokens_init(&t);
	buf_init(&shown);
	t.show = show_token;
	t.show_arg = &shown;
	bayes_words(&t, "", text, strlen(text), 1);
	CHECK(has_token(&shown, "five six"));
	CHECK(has_token(&shown, "four _ six"));
	CHECK(has_token(&shown, "three _ _ six"));
	CHECK(has_token(&shown, "two _ _ _ six"));
	CHECK(!has_token(&shown, "one _ _ _ _ six"));
	CHECK(!has_token(&shown, "one _ _ _ six"));
	CHECK(has_token(&shown, "one _ _ _ five"));
	bayes_tokens_free(&t);
	buf_free(&shown);
}

/*
 * A long text's features come sorted and each once (the radix sort),
 * and only its first LR_VIEW bytes count.
 */
static void
lr_sorted_once(void)
{
	struct bayes_tokens t;
	struct lr_features f;
	char text[2 * LR_VIEW];
	uint32_t x = 1;
	size_t i, up = 1;

	bayes_tokens_init(&t);
	lr_features_init(&f);
	for (i = 0; i < LR_VIEW; i++)
		text[i] = "abcd"[i % 4];
	lr_features_make(&f, &t, text, LR_VIEW);
	CHECK(f.n == 5);		/* the bias and 4 distinct 4-grams */
	for (i = 0; i < sizeof(text); i++) {
		x = x * 1103515245 + 12345;
		text[i] = (char)(x >> 16);
	}
	lr_features_make(&f, &t, text, LR_VIEW);
	CHECK(f.n > LR_VIEW - 100 && f.n <= LR_VIEW - 2);
	for (i = 1; i < f.n; i++)
		up &= f.idx[i - 1] < f.idx[i] && f.idx[i] < LR_SIZE;
	CHECK(up);
	i = f.n;
	lr_features_make(&f, &t, text, sizeof(text));
	CHECK(f.n == i);
	lr_features_free(&f);
	bayes_tokens_free(&t);
}

/* The learner: features, bands, and a separable set learned online. */
static void
test_lr(void)
{
	struct bayes_tokens t;
	struct lr_features spam[4], ham[4];
	struct lr_cache *c;
	const char *sv[] = { "cheap pills now", "buy cheap pills", "pills "
	    "cheap offer", "offer now cheap" };
	const char *hv[] = { "meeting agenda monday", "agenda for the "
	    "meeting", "minutes of monday", "the meeting minutes" };
	size_t i, j, round;

	bayes_tokens_init(&t);
	lr_features_init(&spam[0]);
	lr_features_make(&spam[0], &t, "aaaaaaaa", 8);
	CHECK(spam[0].n == 2);		/* the bias and "aaaa", once */
	lr_features_free(&spam[0]);
	lr_sorted_once();
	CHECK(strcmp(lr_band(0.0005), "LR_000") == 0);
	CHECK(strcmp(lr_band(0.5), "LR_50") == 0);
	CHECK(strcmp(lr_band(0.9995), "LR_999") == 0);
	CHECK(lr_prob(0) == 0.5 && lr_prob(100) < 1 && lr_prob(-100) > 0);

	for (i = 0; i < 4; i++) {
		lr_features_init(&spam[i]);
		lr_features_init(&ham[i]);
		lr_features_make(&spam[i], &t, sv[i], strlen(sv[i]));
		lr_features_make(&ham[i], &t, hv[i], strlen(hv[i]));
	}
	c = lr_cache_new(64);
	for (i = 0; i < 4; i++)
		for (j = 0; j < spam[i].n || j < ham[i].n; j++) {
			if (j < spam[i].n)
				lr_cache_put(c, spam[i].idx[j], 0);
			if (j < ham[i].n)
				lr_cache_put(c, ham[i].idx[j], 0);
		}
	CHECK(lr_prob(lr_cache_score(c, &spam[0])) == 0.5);
	/* a step of g moves each of the n features g / sqrt(n), and the
	 * score is their sum over sqrt(n): n g / n = g */
	lr_cache_step(c, &spam[0], 0.5);
	CHECK(fabs(lr_cache_score(c, &spam[0]) - 0.5) < 1e-9);
	lr_cache_step(c, &spam[0], -0.5);
	/* at the default lr_rate, 10 */
	for (round = 0; round < 20; round++)
		for (i = 0; i < 4; i++) {
			lr_cache_step(c, &spam[i], 10 * (1 -
			    lr_prob(lr_cache_score(c, &spam[i]))));
			lr_cache_step(c, &ham[i], 10 * (0 -
			    lr_prob(lr_cache_score(c, &ham[i]))));
		}
	for (i = 0; i < 4; i++) {
		CHECK(lr_prob(lr_cache_score(c, &spam[i])) > 0.9);
		CHECK(lr_prob(lr_cache_score(c, &ham[i])) < 0.1);
		lr_features_free(&spam[i]);
		lr_features_free(&ham[i]);
	}
	lr_cache_free(c);
	bayes_tokens_free(&t);
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void
test_bayes_maths(void)
{
	struct bayes_params bp = { 0.1, 0.5, 0.3, 150, 0 };
	double f[200];
	size_t i, used;

	/* Q(chi | 2v) against its closed forms for v = 1 and v = 2 */
	CHECK(near(bayes_chi2q(2, 1), exp(-1)));
	CHECK(near(bayes_chi2q(6, 2), exp(-3) * (1 + 3)));
	CHECK(bayes_chi2q(0, 5) == 1);
	CHECK(fabs(bayes_chi2q(100, 40) / 0.0645703689211329758 - 1) < 1e-9);
	/* past exp()'s range (m >= 700): summed in logarithms */
	CHECK(fabs(bayes_chi2q(1600, 300) / 6.05866972333945275e-92 - 1) <
	    1e-9);
	CHECK(fabs(bayes_chi2q(1500, 300) / 1.36152603573785528e-78 - 1) <
	    1e-9);
	CHECK(bayes_chi2q(3000, 150) >= 0 && bayes_chi2q(3000, 150) < 1e-300);
	CHECK(bayes_chi2q(1e-9, 150) <= 1);
	/* Q falls as chi grows */
	CHECK(bayes_chi2q(100, 40) > bayes_chi2q(120, 40));
	CHECK(bayes_chi2q(1500, 300) > bayes_chi2q(1600, 300));

	CHECK(near(bayes_fw(&bp, 0, 0, 10, 10), 0.5));
	CHECK(near(bayes_fw(&bp, 0, 10, 10, 10), (0.1 * 0.5 + 10) / 10.1));
	CHECK(near(bayes_fw(&bp, 5, 5, 10, 10), 0.5));
	/* a token in 1 of 10 ham and 1 of 100 spam leans to ham */
	CHECK(bayes_fw(&bp, 1, 1, 10, 100) < 0.5);
	CHECK(near(bayes_fw(&bp, 3, 0, 0, 10), 0.5));

	for (i = 0; i < 20; i++)
		f[i] = 0.99;
	CHECK(bayes_fisher(&bp, f, 20, &used) > 0.999 && used == 20);
	for (i = 0; i < 20; i++)
		f[i] = 0.01;
	CHECK(bayes_fisher(&bp, f, 20, &used) < 0.001);
	for (i = 0; i < 20; i++)
		f[i] = 0.6;	/* too weak for min_dev 0.3 */
	CHECK(bayes_fisher(&bp, f, 20, &used) == 0.5 && used == 0);
	for (i = 0; i < 10; i++)
		f[i] = 0.99, f[10 + i] = 0.01;
	CHECK(near(bayes_fisher(&bp, f, 20, &used), 0.5));
	for (i = 0; i < 200; i++)
		f[i] = i % 2 ? 0.999 : 0.9;
	bayes_fisher(&bp, f, 200, &used);
	CHECK(used == 150);
	/* the 150 strongest are the 100 at 0.999 and 50 at 0.9 */
	CHECK(f[0] == 0.999 && f[99] == 0.999 && f[100] == 0.9);
	/* word salad: 20 spammy tokens and 130 hammy ones; without a
	 * floor the ham side wins by numbers, with one the spam's 20 */
	for (i = 0; i < 150; i++)
		f[i] = i < 20 ? 0.99 : 0.04;
	CHECK(bayes_fisher(&bp, f, 150, &used) < 0.01 && used == 150);
	bp.top_used = 20;
	for (i = 0; i < 150; i++)
		f[i] = i < 20 ? 0.99 : 0.04;
	CHECK(bayes_fisher(&bp, f, 150, &used) > 0.99 && used == 150);

	CHECK(strcmp(bayes_band(0), "BAYES_00") == 0);
	CHECK(strcmp(bayes_band(0.0099), "BAYES_00") == 0);
	CHECK(strcmp(bayes_band(0.01), "BAYES_05") == 0);
	CHECK(strcmp(bayes_band(0.05), "BAYES_20") == 0);
	CHECK(strcmp(bayes_band(0.2), "BAYES_40") == 0);
	CHECK(strcmp(bayes_band(0.5), "BAYES_50") == 0);
	CHECK(strcmp(bayes_band(0.6), "BAYES_60") == 0);
	CHECK(strcmp(bayes_band(0.8), "BAYES_80") == 0);
	CHECK(strcmp(bayes_band(0.95), "BAYES_95") == 0);
	CHECK(strcmp(bayes_band(0.99), "BAYES_99") == 0);
	CHECK(strcmp(bayes_band(1), "BAYES_99") == 0);
}

/* dns.c, dnsbl.c: names, reverse names, list lines and answer codes */
static void
test_dns_names(void)
{
	char name[300];
	struct cidr ip;
	const char *why;

	CHECK(dns_name_ok("a.example") && dns_name_ok("_spf.example."));
	CHECK(!dns_name_ok("a..b") && !dns_name_ok("") && !dns_name_ok("."));
	CHECK(dns_name_ok("a b.example") && !dns_name_ok("a\\b.example"));
	CHECK(!dns_name_ok("a\tb.example") && dns_name_ok("a@b$c.example"));
	CHECK(ip_parse("192.0.2.1", &ip) == 0 &&
	    dns_reverse(&ip, "rbl.test", name, sizeof(name)) == 0 &&
	    strcmp(name, "1.2.0.192.rbl.test") == 0);
	CHECK(dns_reverse(&ip, "", name, sizeof(name)) == 0 &&
	    strcmp(name, "1.2.0.192") == 0);
	CHECK(ip_parse("2001:db8::1", &ip) == 0 &&
	    dns_reverse(&ip, NULL, name, sizeof(name)) == 0 &&
	    strcmp(name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa") == 0);
	CHECK(dns_reverse(&ip, NULL, name, 10) == -1);
	CHECK(dns_type_parse("aaaa") == DNS_AAAA && dns_type_parse("SRV") == -1);
	CHECK(dns_resolver_check("[::1]:53", &why) == 0);
	CHECK(dns_resolver_check("::1,127.0.0.1:5353", &why) == 0);
	CHECK(dns_resolver_check("1.2.3.4:0", &why) == -1);
	CHECK(dns_resolver_check("[::1]53", &why) == -1);
}

static void
add_symbol(const char *sym, void *arg)
{
	struct buf *b = arg;

	buf_adds(b, sym);
	buf_addc(b, ' ');
}

static void
test_dnsbl(void)
{
	static const unsigned char sbl[4] = { 127, 0, 0, 2 },
	    pbl[4] = { 127, 0, 0, 11 }, bits[4] = { 127, 0, 0, 9 },
	    blocked[4] = { 127, 255, 255, 254 }, other[4] = { 10, 0, 0, 2 };
	struct dnsbl l;
	struct buf b;
	const char *why;

	buf_init(&b);
	CHECK(dnsbl_parse(&l, "RBL_", "zen zen.example 127.0.0.2=sbl "
	    "127.0.0.10-127.0.0.11=PBL &8=B", DNSBL_V4 | DNSBL_V6, &why) == 0);
	CHECK(strcmp(l.symbol, "RBL_ZEN") == 0 && l.ncodes == 3);
	CHECK(l.flags == (DNSBL_V4 | DNSBL_V6));
	CHECK(dnsbl_code(&l, sbl, add_symbol, &b) == DNSBL_LISTED &&
	    strcmp(b.s, "RBL_ZEN_SBL ") == 0);
	buf_reset(&b);
	CHECK(dnsbl_code(&l, pbl, add_symbol, &b) == DNSBL_LISTED &&
	    strcmp(b.s, "RBL_ZEN_PBL RBL_ZEN_B ") == 0);
	buf_reset(&b);
	CHECK(dnsbl_code(&l, bits, add_symbol, &b) == DNSBL_LISTED &&
	    strcmp(b.s, "RBL_ZEN_B ") == 0);
	CHECK(dnsbl_code(&l, blocked, add_symbol, &b) == DNSBL_BLOCKED);
	CHECK(dnsbl_code(&l, other, add_symbol, &b) == DNSBL_IGNORED);
	dnsbl_free(&l);
	CHECK(dnsbl_parse(&l, "RBL_", "x zone.example trust", DNSBL_V4, &why)
	    == -1 && why != NULL);
	CHECK(dnsbl_parse(&l, "RBL_", "x", DNSBL_V4, &why) == -1);
	buf_free(&b);
}

/* A UDP socket nobody reads: a DNS server that never answers. */
static int
silent_server(char *spec, size_t n)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	snprintf(spec, n, "127.0.0.1:%u", ntohs(sa.sin_port));
	return fd;
}

static void
count_cancelled(const struct dns_answer *a, void *arg)
{
	if (a->status == DNS_TEMPFAIL && strcmp(a->why, "cancelled") == 0)
		(*(int *)arg)++;
}

struct dns_thread {
	char	 spec[64];
	int	 id, timeouts;
};

/* Each thread its own context: lookups time out, nothing is shared. */
static void *
dns_thread(void *arg)
{
	struct dns_thread *t = arg;
	struct dns_answer *a;
	struct dns *d;
	const char *why;
	char name[64];
	int i;

	if ((d = dns_new(t->spec, &why)) == NULL)
		return NULL;
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "t%d-%d.example", t->id, i);
		a = dns_lookup(d, name, DNS_A);
		if (a->status == DNS_TEMPFAIL && strcmp(a->why, "timeout") == 0)
			t->timeouts++;
		dns_answer_free(a);
	}
	dns_free(d);
	return NULL;
}

static void
test_dns_contexts(void)
{
	struct dns_thread t[4];
	pthread_t tid[4];
	struct dns *d;
	const char *why;
	char spec[64];
	int fd, n = 0, i;

	conf_set("dns_timeout", "0.1");
	conf_set("dns_tries", "1");
	if ((fd = silent_server(spec, sizeof(spec))) < 0) {
		CHECK(!"a UDP socket on 127.0.0.1");
		return;
	}
	d = dns_new(spec, &why);
	CHECK(d != NULL && dns_bound(d) == 100);
	if (d != NULL) {
		dns_query(d, "a.example", DNS_A, count_cancelled, &n);
		dns_query(d, "a.example", DNS_A, count_cancelled, &n);
		CHECK(dns_pending(d) == 1);
		dns_free(d);
		CHECK(n == 2);
	}
	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		snprintf(t[i].spec, sizeof(t[i].spec), "%s", spec);
		t[i].id = i;
		CHECK(pthread_create(&tid[i], NULL, dns_thread, &t[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CHECK(t[i].timeouts == 3);
	}
	close(fd);
}

/* RFC 5322 dates, and the ways ratware gets them wrong. */
static void
test_date_syntax(void)
{
	static const char *const good[] = {
		"Mon, 1 Jan 2024 10:00:00 +0000",
		"Tue, 17 Sep 2002 16:06:15 -1100 (PDT)",
		"17 Sep 02 16:06 EDT",		/* obsolete: year, zone, no seconds */
		"Fri , 30 Aug 2002 21:48:08 GMT",
		" Sat, 31 Dec 2016 23:59:60 z ",	/* leap second, military zone */
		"Thu, 5 Sep 2002 1:02:03 +0530",
		"Thu, 5 Sep 2002 1:02:03 +1400",
	};
	static const char *const bad[] = {
		"Mon, 28 Jul 1980 14:01:35",		/* no zone */
		"Thu, 22 Aug 0102 12:07:35 +0800",	/* Y2K bugs */
		"Thu, 22 Aug 102 12:07:35 +0800",
		"2002/09/14 Sat 02:29:32 CDT",
		"Fri, 30 Aug 02 21:48:08 Eastern Daylight Time",
		"Thu, 18 Jul 2002 14:57:14 +-0800",
		"Mon, 16 Sep 2002 03:27:38 (GMT)",
		"Mon, 32 Sep 2002 03:27:38 +0000",
		"Mon, 16 Sept 2002 03:27:38 +0000",
		"Mon, 16 Sep 2002 24:00:00 +0000",
		"Mon, 16 Sep 2002 03:27:38 +0090",
		"Tue, 30 Jul 2002 12:24:59 -1600",	/* no such zone */
		"Mon, 16 Sep 2002 03:27:38 J",
		"Mon 16 Sep 2002 03:27:38 +0000",
		"Mon, 16 Sep 2002 03:27:38 +0000 junk",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(message_date_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!message_date_valid(bad[i]));
	CHECK(!message_date_valid(NULL));
}

/*
 * Registered domains: none for a public suffix or a .local name; a
 * www. link's ICANN suffix.  t/psl.bats runs the list's own vectors.
 */
static void
test_registered_domains(void)
{
	struct buf b;

	CHECK(url_domain("uk.com") == NULL);
	CHECK(url_domain("k12.ak.us") == NULL);
	CHECK(url_domain("c.mm") == NULL);
	CHECK(url_domain("xn--55qx5d.cn") == NULL);
	CHECK(url_domain("example.local") == NULL);
	CHECK(url_domain("local") == NULL);
	CHECK(strcmp(url_domain("a.b.example.uk.com"), "example.uk.com") == 0);
	CHECK(strcmp(url_domain("a.b.example.example"),
	    "example.example") == 0);
	CHECK(strcmp(url_domain("www.ck"), "www.ck") == 0);
	CHECK(url_icann_suffix("www.foo.com"));
	CHECK(url_icann_suffix("a.c.mm"));
	CHECK(url_icann_suffix("www.me.blogspot.com"));
	CHECK(!url_icann_suffix("www.foo.notatld"));
	CHECK(!url_icann_suffix("a.local"));
	buf_init(&b);
	/* "WWW.<shishi>.<gongsi>.CN." */
	CHECK(url_registered_domain("WWW.\xe9\xa3\x9f\xe7\x8b\xae."
	    "\xe5\x85\xac\xe5\x8f\xb8.CN.", &b) == 0);
	CHECK(strcmp(b.s, "\xe9\xa3\x9f\xe7\x8b\xae."
	    "\xe5\x85\xac\xe5\x8f\xb8.cn") == 0);
	CHECK(url_registered_domain(".example.com", &b) == -1);
	buf_free(&b);
	url_shutdown();
}

/* spool_forged_bytes() of the message text s. */
static off_t
forged_in(const char *s, size_t n)
{
	char path[] = "/tmp/xd-unit.XXXXXX";
	int fd = mkstemp(path);
	off_t r;

	CHECK(fd != -1 && write(fd, s, n) == (ssize_t)n);
	unlink(path);
	r = spool_forged_bytes(fd, (off_t)n);
	close(fd);
	return r;
}

/* The X-Spam-* and X-XD-* bytes of a message, continuations and all. */
static void
test_forged_bytes(void)
{
	static const char m1[] = "X-Spam-A: 1\nFrom: a\nx-xd-class: ham\n"
	    "\tmore\n\nX-Spam-B: in the body\n";
	static const char m2[] = "From: a\nX-Spam-C: no end";
	static const char crlf[] = "X-Spam-A: 1\r\nFrom: a\r\n\r\nx\r\n";
	static const char cr[] = "From: a\rX-Spam-C: 1\r\tmore\r\rbody\r";
	size_t fill = 65536 - 3;	/* the next name is cut by the buffer */
	char *big = xmalloc(fill + 64);

	/* The body too: counted generously. */
	CHECK(forged_in(m1, sizeof(m1) - 1) == 12 + 16 + 6 + 22);
	CHECK(forged_in(m2, sizeof(m2) - 1) == 16);
	CHECK(forged_in(crlf, sizeof(crlf) - 1) == 13);
	CHECK(forged_in(cr, sizeof(cr) - 1) == 12 + 6);
	CHECK(forged_in("", 0) == 0);
	memset(big, 'x', fill);
	memcpy(big, "A: ", 3);
	big[fill - 1] = '\n';
	memcpy(big + fill, "X-Spam-D: 1\n\nbody\n", 19);
	CHECK(forged_in(big, fill + 19) == 12);
	free(big);
}

static void
set_children(struct child *c, const int *status)
{
	static const char *const names[] = { "a", "b", "c" };
	int i;

	memset(c, 0, 3 * sizeof(*c));
	for (i = 0; i < 3; i++) {
		c[i].name = names[i];
		c[i].max_ok = i < 2 ? 1 : 0;
		c[i].reaped = 1;
		c[i].status = status[i];
	}
}

/* Which tool a pipeline's failure is put down to. */
static void
test_supervise_failure(void)
{
	struct budget b = { 1, 1 << 20, 0 };
	struct child c[3];
	char why[100];
	const char *r;

	set_children(c, (int[]){ 0, 1 << 8, 0 });
	CHECK(supervise_failure(c, 3, &b, why, sizeof(why)) == NULL);
	/* b stopped reading: a's broken pipe and c's empty input follow. */
	set_children(c, (int[]){ 1 << 8, 1 << 8, 1 << 8 });
	c[0].said_epipe = 1;
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "failed (b, status 1)") == 0);
	set_children(c, (int[]){ SIGPIPE, SIGSEGV, 1 << 8 });
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "crashed (b, signal 11)") == 0);
	set_children(c, (int[]){ 0, SIGKILL, SIGKILL });
	c[1].late = c[2].late = 1;
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "timeout (b)") == 0);
	set_children(c, (int[]){ 0, SIGXCPU, 1 << 8 });
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "cpu (b)") == 0);
	set_children(c, (int[]){ SIGABRT, 0, 1 << 8 });
	c[0].said_memory = 1;
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "memory (a)") == 0);
	/* Only broken pipes: the first is named all the same. */
	set_children(c, (int[]){ SIGPIPE, 0, 0 });
	r = supervise_failure(c, 3, &b, why, sizeof(why));
	CHECK(r != NULL && strcmp(r, "crashed (a, signal 13)") == 0);
}

/* What a sink is handed, for test_diag. */
static int sunk_kind = -1;
static char sunk[1024];

static void
sink(enum xd_diag_kind kind, const char *msg)
{
	sunk_kind = (int)kind;
	snprintf(sunk, sizeof(sunk), "%s", msg);
}

/*
 * The library's warnings: with no sink nothing reaches stderr, and the
 * last stays readable; with one, the sink gets the formatted words.
 */
static void
test_diag(void)
{
	char path[] = "/tmp/xd-unit-diag-XXXXXX";
	char err[] = "/tmp/xd-unit-stderr-XXXXXX";
	int cfd = mkstemp(path), fd = mkstemp(err), saved = dup(2);

	CHECK(cfd >= 0 && fd >= 0 && saved >= 0);
	CHECK(write(cfd, "no_such_key = 1\n", 16) == 16);
	close(cfd);
	dup2(fd, 2);
	xd_set_diag(NULL);
	CHECK(conf_load(path) == -1);
	CHECK(strstr(xd_diag_last(), ":1: ") != NULL);
	errno = ENOENT;
	xd_warn("%s", "nowhere");
	CHECK(strcmp(xd_diag_last(), "nowhere: No such file or directory") == 0);
	CHECK(errno == ENOENT);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(lseek(fd, 0, SEEK_END) == 0);
	close(fd);
	xd_set_diag(sink);
	xd_warnx("%s:%d: %s", "f", 3, "bad");
	CHECK(sunk_kind == XD_DIAG_WARN && strcmp(sunk, "f:3: bad") == 0);
	CHECK(conf_load(path) == -1);
	CHECK(strncmp(sunk, path, strlen(path)) == 0);
	xd_set_diag(NULL);
	unlink(path);
	unlink(err);
}

/*
 * The in-house skeleton of ASCII labels is ICU's: on every brand, and
 * on each brand with any one character (or pair, for "rn") swapped for
 * any printable ASCII character.
 */
static void
test_lookalike_skeleton(void)
{
	struct lookalike *l = lookalike_new();
	char mine[1024], icu[1024], s[128];
	const char *b;
	size_t i, k, n, bad = 0, tried = 0;
	int c, w;

	CHECK(l != NULL);
	for (i = 0; l != NULL && (b = lookalike_brand(i)) != NULL; i++) {
		n = strlen(b);
		for (k = 0; k < n; k++)
			for (w = 1; w <= 2 && k + w <= n; w++)
				for (c = ' '; c < 0x7f; c++) {
					snprintf(s, sizeof(s), "%.*s%c%s",
					    (int)k, b, c, b + k + w);
					tried++;
					if (lookalike_skeleton(l, s, 0, mine,
					    sizeof(mine)) != 0 ||
					    lookalike_skeleton(l, s, 1, icu,
					    sizeof(icu)) != 0 ||
					    strcmp(mine, icu) != 0)
						bad++;
				}
		CHECK(lookalike_skeleton(l, b, 0, mine, sizeof(mine)) == 0 &&
		    lookalike_skeleton(l, b, 1, icu, sizeof(icu)) == 0 &&
		    strcmp(mine, icu) == 0);
	}
	CHECK(tried > 10000 && bad == 0);
	CHECK(lookalike_host(l, "www.paypa1.com") != NULL);
	CHECK(lookalike_host(l, "rnicrosoft.example") != NULL);
	CHECK(lookalike_host(l, "www.paypal.com") == NULL);
	lookalike_free(l);
}

int
main(void)
{
	test_escape_round_trip();
	test_diag();
	test_reader();
	test_edit();
	test_cidr();
	test_numbers();
	test_weights();
	test_weights_bands();
	test_fit_isotonic();
	test_policy_append();
	test_received_parse();
	test_received_parse_at();
	test_charset_known();
	test_received_marks();
	test_utf8();
	test_message_parts();
	test_date_syntax();
	test_bayes_tokens();
	test_bayes_maths();
	test_tokens_fold();
	test_tokens_osb();
	test_lr();
	test_dns_names();
	test_dnsbl();
	test_dns_contexts();
	test_registered_domains();
	test_forged_bytes();
	test_supervise_failure();
	test_log_escape();
	test_lookalike_skeleton();
	message_shutdown();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
