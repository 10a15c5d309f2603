#!/usr/bin/env bats
# Mailer fingerprints: headers the program a message claims would not write.
# Each rule of share/rules/50_xd_ratware.cf catches its example of spam,
# t/examples/ratware/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	examples_run ratware
}

@test "every rule of 50_xd_ratware.cf fires on its spam example and not on its ham one" {
	run every_rule 50_xd_ratware.cf
	echo "$output"
	[ "$status" -eq 0 ]
}
