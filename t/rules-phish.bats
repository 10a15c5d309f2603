#!/usr/bin/env bats
# Credential phishing: lures, login forms, script links, look-alike hosts.
# Each rule of share/rules/60_xd_phish.cf catches its example of spam,
# t/examples/phish/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	export PATH="$XD_BIN:$REPO/bin:$PATH" XD_SHARE="$REPO/share"
	export HOME="$BATS_FILE_TMPDIR/home" XD_CONF=/dev/null XD_RESOLVER=none
	mkdir -p "$HOME"
	examples_run phish
}

@test "every rule of 60_xd_phish.cf fires on its spam example and not on its ham one" {
	run every_rule 60_xd_phish.cf
	echo "$output"
	[ "$status" -eq 0 ]
}
