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

@test "a .c file over 800 lines is reported, and fails only with CHECK_LINES=strict" {
	tree
	seq 801 | sed 's,^,/* ,; s,$, */,' >>src/base/buf.c
	run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"src/base/buf.c: over the limit: "*" lines, over 800"* ]]
	CHECK_LINES=strict run sh "$REPO/t/check-layers.sh" src
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"src/base/buf.c:"*" lines, over 800"* ]]
}
