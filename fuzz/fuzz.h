/*
 * fuzz.h - what every harness under fuzz/ shares.
 *
 * A harness takes the path of one input file (afl-fuzz's @@), sets up
 * what stays the same between inputs once, then runs its entry point
 * on the file.  Built with afl-clang-fast it runs in AFL++'s persistent
 * mode, many inputs a process (FUZZ_LOOP, where the code resets its
 * state); built with any other compiler it runs the file once, so that
 * a finding can be replayed under a debugger.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../src/base/base.h"
#include "../src/mime/mime.h"
#include "../src/url/url.h"
#include "../src/net/net.h"
#include "../src/store/store.h"
#include "../src/policy/policy.h"
#include "../src/check/check.h"
#include "../src/verdict/verdict.h"

#ifndef __AFL_LOOP
static int fuzz_once __attribute__((unused));
#define __AFL_LOOP(n)	(fuzz_once++ == 0)
#define __AFL_INIT()	do { } while (0)
#endif

/* Inputs one process runs before afl-fuzz starts a fresh one. */
#define FUZZ_LOOP	1000

/* The whole file, NUL-terminated, or NULL (then there is nothing to do). */
static inline char *
fuzz_slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (b.s == NULL)
		buf_adds(&b, "");
	*len = b.len;
	return b.s;
}

/*
 * The configuration every harness but fuzz-conf runs with: the
 * defaults, the shipped files from the source tree's share/ (FUZZ_SHARE
 * from the Makefile), never a file of the user's.
 */
static inline void
fuzz_setup(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s file\n", argv[0]);
		exit(2);
	}
	xd_setprogname(argv[0]);
	setenv("XD_SHARE", FUZZ_SHARE, 0);
	setenv("XD_RESOLVER", "none", 1);
	if (conf_load("/dev/null") != 0)
		exit(2);
}

#endif
