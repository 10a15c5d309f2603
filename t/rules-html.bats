#!/usr/bin/env bats
# HTML tricks: words cut by comments, tags and invisible characters, mixed scripts.
# Each rule of share/rules/80_xd_html.cf catches its example of spam,
# t/examples/html/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	examples_run html
}

@test "every rule of 80_xd_html.cf fires on its spam example and not on its ham one" {
	run every_rule 80_xd_html.cf
	echo "$output"
	[ "$status" -eq 0 ]
}
