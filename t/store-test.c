/*
 * store-test.c - the store's interface, driven by a script on standard
 * input, so that t/store.bats runs the same cases on LMDB and on Redis
 * and compares what they print.
 *
 *	store-test URL < script
 *
 * Script lines (words separated by spaces; '#' starts a comment):
 *	table NAME TTL MAX	declare a table (up to 8)
 *	now T			work at time T (0: the clock)
 *	get NAME KEY		queue a read
 *	add NAME KEY D0 D1	queue an addition
 *	if NAME KEY EXPECT V0 V1	queue a compare-and-set ...
 *	end			... and the end of what it guards
 *	del NAME KEY		queue a removal
 *	expire NAME		queue a sweep of aged records
 *	run			run the queue; print "N0 N1 LAST" per operation
 *	count NAME		print the table's record count
 *	walk NAME		print "KEY N0 N1 LAST" per live record
 *	compact			compact the store: print "compacted BEFORE AFTER"
 *				(the file's sizes) or "not compacted"
 *	repeat N LINE		do LINE N times (e.g. "repeat 500 add t k 1 0"
 *				then a run, in a loop: "repeat 500 addrun t k")
 *	addrun NAME KEY		queue an addition of 1 and run it at once
 * Exit 1 when a run fails (the reason on stderr), 2 on a bad script.
 *
 *	store-test -H PATH
 *
 * holds what a learner holds in the middle of a batch of the LMDB
 * store at PATH, xd's writers' lock and LMDB's write transaction, from
 * "holding" on standard output to the end of standard input.
 */
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "../src/base/base.h"
#include "../src/mime/mime.h"
#include "../src/url/url.h"
#include "../src/net/net.h"
#include "../src/store/store.h"
#include "../src/policy/policy.h"
#include "../src/check/check.h"
#include "../src/tools/tool.h"
#include "../src/verdict/verdict.h"
#include "../src/store/store_int.h"

#define MAXT	8
#define MAXRES	10000

static struct store *st;
static struct store_table tabs[MAXT];
static char names[MAXT][32];
static size_t ntabs;
static struct store_val res[MAXRES];
static size_t nres;

static const struct store_table *
table(const char *name)
{
	size_t i;

	for (i = 0; i < ntabs; i++)
		if (strcmp(names[i], name) == 0)
			return &tabs[i];
	xd_errx(2, "no table %s", name);
}

static long long
num(const char *s)
{
	char *end;
	long long v;

	if (s == NULL)
		xd_errx(2, "a number is missing");
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		xd_errx(2, "%s: not a number", s);
	return v;
}

static struct store_val *
slot(void)
{
	if (nres == MAXRES)
		xd_errx(2, "too many results in one run");
	return &res[nres++];
}

static int
show(const char *key, const struct store_val *v, void *arg)
{
	(void)arg;
	printf("%s %lld %lld %lld\n", key, v->n[0], v->n[1], v->last);
	return 0;
}

static int
do_run(int print)
{
	const char *why;
	size_t i;

	if (store_run(st, &why) != 0) {
		fprintf(stderr, "store-test: %s\n", why);
		nres = 0;
		return 1;
	}
	for (i = 0; print && i < nres; i++)
		printf("%lld %lld %lld\n", res[i].n[0], res[i].n[1],
		    res[i].last);
	nres = 0;
	return 0;
}

static int
command(char **w, int n)
{
	const char *why;
	long long c;

	if (strcmp(w[0], "table") == 0 && n == 4 && ntabs < MAXT) {
		snprintf(names[ntabs], sizeof(names[0]), "%s", w[1]);
		tabs[ntabs].name = names[ntabs];
		tabs[ntabs].ttl = num(w[2]);
		tabs[ntabs].max = num(w[3]);
		ntabs++;
	} else if (strcmp(w[0], "now") == 0 && n == 2)
		store_set_time(st, num(w[1]));
	else if (strcmp(w[0], "get") == 0 && n == 3)
		store_get(st, table(w[1]), w[2], slot());
	else if (strcmp(w[0], "add") == 0 && n == 5)
		store_add(st, table(w[1]), w[2], num(w[3]), num(w[4]), slot());
	else if (strcmp(w[0], "if") == 0 && n == 6)
		store_if(st, table(w[1]), w[2], num(w[3]), num(w[4]),
		    num(w[5]), slot());
	else if (strcmp(w[0], "end") == 0 && n == 1) {
		store_endif(st);
		slot();
	} else if (strcmp(w[0], "del") == 0 && n == 3) {
		store_del(st, table(w[1]), w[2]);
		slot();
	} else if (strcmp(w[0], "expire") == 0 && n == 2)
		store_expire(st, table(w[1]), slot());
	else if (strcmp(w[0], "run") == 0 && n == 1)
		return do_run(1);
	else if (strcmp(w[0], "addrun") == 0 && n == 3) {
		store_add(st, table(w[1]), w[2], 1, 0, slot());
		return do_run(0);
	} else if (strcmp(w[0], "count") == 0 && n == 2) {
		if ((c = store_count(st, table(w[1]), &why)) < 0) {
			fprintf(stderr, "store-test: %s\n", why);
			return 1;
		}
		printf("%lld\n", c);
	} else if (strcmp(w[0], "walk") == 0 && n == 2) {
		if (store_walk(st, table(w[1]), show, NULL, &why) != 0) {
			fprintf(stderr, "store-test: %s\n", why);
			return 1;
		}
	} else if (strcmp(w[0], "compact") == 0 && n == 1) {
		long long before, after;
		int rc = store_compact(st, &before, &after, &why);

		if (rc < 0) {
			fprintf(stderr, "store-test: %s\n", why);
			return 1;
		}
		if (rc == 0)
			printf("not compacted\n");
		else
			printf("compacted %lld %lld\n", before, after);
	} else if (strcmp(w[0], "repeat") == 0 && n > 2) {
		long long i, times = num(w[1]);
		int rc = 0;

		for (i = 0; i < times && rc == 0; i++)
			rc = command(w + 2, n - 2);
		return rc;
	} else
		xd_errx(2, "a bad line: %s", w[0]);
	return 0;
}

static int
hold(const char *path)
{
	char err[512];
	const char *why;
	MDB_env *env;
	MDB_txn *txn;
	int fd, busy = 0, rc;

	if ((why = lmdb_open_env(path, conf_size("store_size"), &env, &fd,
	    err, sizeof(err))) != NULL ||
	    (why = lmdb_writer_lock(fd, 0, &busy, path, err, sizeof(err))) != NULL)
		xd_errx(1, "%s", why);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		xd_errx(1, "%s: %s", path, mdb_strerror(rc));
	printf("holding\n");
	fflush(stdout);
	while (getchar() != EOF)
		;
	mdb_txn_abort(txn);
	lmdb_writer_unlock(fd);
	mdb_env_close(env);
	return 0;
}

int
main(int argc, char *argv[])
{
	char line[4096], *w[16], *p, *save;
	const char *why;
	int n, status = 0;

	tool_start("store-test");
	if (argc == 3 && strcmp(argv[1], "-H") == 0)
		return conf_load(NULL) != 0 ? 2 : hold(argv[2]);
	if (argc != 2)
		xd_errx(2, "usage: store-test URL < script | -H PATH");
	if (conf_load(NULL) != 0)
		return 2;
	if ((st = store_open(argv[1], &why)) == NULL)
		xd_errx(2, "%s", why);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		n = 0;
		for (p = strtok_r(line, " \t\n", &save); p != NULL && n < 16;
		    p = strtok_r(NULL, " \t\n", &save))
			w[n++] = p;
		if (n > 0 && command(w, n) != 0)
			status = 1;
		fflush(stdout);
	}
	store_close(st);
	return status;
}
