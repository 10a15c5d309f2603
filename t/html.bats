#!/usr/bin/env bats
# The one HTML reader (src/text/): t/html-test.c runs the tokenizer, the
# character references and the reading on torture cases written from the
# WHATWG tokenizer's rules: unclosed comments, '<' in attributes,
# references without ';', nested quotes, NUL bytes, a huge attribute, a
# thousand attributes, nesting a hundred thousand deep.

load helper

HTML_TEST=${XD_UNIT:+$(dirname "$XD_UNIT")/html-test}
: "${HTML_TEST:=$REPO/build/html-test}"

@test "the HTML tokenizer and reading pass their torture cases" {
	run "$HTML_TEST"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 failed" ]]
}

@test "xd-heur's body rules see the text, not a comment left open nor what is hidden" {
	printf 'body XD_T_SEEN /seen/\nbody XD_T_NEVER /never/\nbody XD_T_GONE /gone/\n' >t.cf
	{
		printf 'From: a@example.net\nMessage-ID: <1@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/html\n\n'
		printf '<p>seen</p><p style="display:none">gone</p><!-- <p>never</p>\n'
	} >m
	run sh -c 'xd-parse -- m | xd-heur -r t.cf'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *XD_T_SEEN* ]]
	[[ "$output" != *XD_T_NEVER* ]]
	[[ "$output" != *XD_T_GONE* ]]
}
