#!/usr/bin/env bats
# The manual: a page for every tool, every page clean under mandoc's
# lint, and every option a tool's --help lists described in its page.

load helper

tools() {
	for t in "$REPO"/src/tools/xd-*.c; do
		basename "$t" .c
	done
	echo xd
}

@test "every tool has a manual page" {
	for t in $(tools); do
		[ -f "$REPO/man/$t.1" ] || { echo "no man/$t.1"; return 1; }
	done
}

@test "every manual page is clean under mandoc -T lint" {
	command -v mandoc || skip "mandoc is not installed (make deps installs it)"
	run mandoc -T lint -W warning "$REPO"/man/*.[15]
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every long option in --help is described in the tool's page" {
	command -v mandoc || skip "mandoc is not installed (make deps installs it)"
	for t in $(tools); do
		page=$(mandoc -T utf8 "$REPO/man/$t.1" | col -b)
		for opt in $("$t" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$opt" <<<"$page" ||
			    { echo "$t: $opt is not in man/$t.1"; return 1; }
		done
	done
}

@test "every xd.conf key is described in xd.conf(5)" {
	command -v mandoc || skip "mandoc is not installed (make deps installs it)"
	page=$(mandoc -T utf8 "$REPO/man/xd.conf.5" | col -b)
	for key in $(xd-conf | sed 's/ =.*//'); do
		grep -q -- "$key" <<<"$page" || { echo "$key is not in xd.conf.5"; return 1; }
	done
}
