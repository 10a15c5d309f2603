#!/usr/bin/env bats
# make check-layers (t/check-layers.sh): the layers of src/, bottom to
# top, and the limits on files, checked on copies of the tree with one
# mistake planted in each.

load helper

tree() {
	cp -R "$REPO/src" "$BATS_TEST_TMPDIR/src"
}

@test "the tree as it is keeps its layers" {
	run sh "$REPO/t/check-layers.sh" "$REPO/src"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keeps its layers"* ]]
}

@test "a base file that includes a check header fails, naming the file, line and layers" {
	tree
	sed -i '1i #include "check/check.h"' src/base/buf.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/base/buf.c:1: base includes check/check.h (check is above base)"* ]]
}

@test "a header included from inside another layer fails" {
	tree
	sed -i '1i #include "store/store_int.h"' src/check/bayesdb.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/check/bayesdb.c:1: check includes store/store_int.h (inside store"* ]]
}

@test "a file left outside the layer folders fails" {
	tree
	echo 'int x;' >src/stray.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/stray.c: not in a layer folder"* ]]
}

@test "two sources of one name in two layers fail" {
	tree
	echo 'int y;' >src/check/html.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"share the name html.c"* ]]
}

@test "a header over 250 lines fails" {
	tree
	seq 251 | sed 's,^,/* ,; s,$, */,' >>src/url/url.h
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/url/url.h:"*": header of "*" lines, over 250"* ]]
}

@test "a .c file over 800 lines fails, and is only reported with CHECK_LINES=report" {
	tree
	seq 801 | sed 's,^,/* ,; s,$, */,' >>src/base/buf.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/base/buf.c:"*" lines, over 800"* ]]
	CHECK_LINES=report run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"src/base/buf.c: over the limit: "*" lines, over 800"* ]]
}

@test "a library file that calls exit() fails, naming the file and line" {
	tree
	sed -i '$a void bail(void) { exit(1); }' src/base/buf.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/base/buf.c:$(wc -l <src/base/buf.c): the library calls exit()"* ]]
}

@test "a stage is library code: it includes no tool header and never exits or prints" {
	tree
	sed -i '1i #include "tools/tool.h"' src/stage/stage_heur.c
	sed -i '$a void done(void) { exit(1); }' src/stage/stage_lr.c
	sed -i '$a void show(void) { printf("x\\n"); }' src/stage/stage_bayes.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/stage/stage_heur.c:1: stage includes tools/tool.h (tools is above stage)"* ]]
	[[ "$output" == *"src/stage/stage_lr.c:"*": the library calls exit()"* ]]
	[[ "$output" == *"src/stage/stage_bayes.c:"*": the library calls printf()"* ]]
}

@test "a library file that writes to stderr or stdout fails" {
	tree
	sed -i '$a void say(void) { fprintf(stderr, "x\\n"); }' src/check/rules_match.c
	sed -i '$a void show(void) { puts("x"); }' src/net/dnsbl.c
	sed -i '$a void tell(void) { perror("x"); }' src/mime/maildir.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/check/rules_match.c:"*": the library uses stderr"* ]]
	[[ "$output" == *"src/net/dnsbl.c:"*": the library calls puts()"* ]]
	[[ "$output" == *"src/mime/maildir.c:"*": the library calls perror()"* ]]
}

@test "a library file that calls the mains' xd_err fails; a tool may" {
	tree
	sed -i '$a void die(void) { xd_errx(2, "no"); }' src/store/store.c
	sed -i '$a void die(void) { xd_errx(2, "no"); }' src/tools/xd-conf.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/store/store.c:"*": the library calls xd_errx()"* ]]
	[[ "$output" != *"xd-conf.c"* ]]
}

@test "an exception holds only in the file it is allowed in" {
	tree
	sed -i '$a void child(void) { _exit(127); }' src/verdict/report.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/verdict/report.c:"*": the library calls _exit()"* ]]
	[[ "$output" != *"supervise.c"* ]]
}

@test "words in comments and strings are not calls" {
	tree
	cat >>src/base/buf.c <<'C'
/* exit(1) is for the mains,
 * as is fprintf(stderr, ...) */
static const char said[] = "exit(1) to stderr"; /* printf("x") */
C
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 0 ]
}
