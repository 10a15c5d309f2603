#!/usr/bin/env bats
# Where lines and the header end (src/base/eol.c): mark.c, which writes xd's
# verdict into the header, and GMime, which xd-parse reads it with, must
# agree on every ending, or a forged field below the end one of them sees
# would reach the recipes.  t/eol-test.c checks each file given to it.

load helper

EOL_TEST=${XD_UNIT:+$(dirname "$XD_UNIT")/eol-test}
: "${EOL_TEST:=$REPO/build/eol-test}"

# torture NAME FORMAT: a message from a printf format, in every ending:
# NAME.lf as written, NAME.crlf, NAME.cr, and NAME.mixed with CR LF
# lines after the first.
torture() {
	printf "$2" >"$1.lf"
	sed 's/$/\r/' "$1.lf" | head -c "$(($(wc -c <"$1.lf") + $(wc -l <"$1.lf")))" >"$1.crlf"
	tr '\n' '\r' <"$1.lf" >"$1.cr"
	sed '2,$s/$/\r/' "$1.lf" | head -c "$(($(wc -c <"$1.lf") + $(wc -l <"$1.lf") - 1))" >"$1.mixed"
}

setup() {
	[ -x "$EOL_TEST" ] || skip "no $EOL_TEST: make build/eol-test"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	: >"$XD_CONF"
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "eol: every ending, header and body as GMime sees them, forged fields gone" {
	torture plain 'From: a@example.net\nSubject: hi\nX-Spam-Flag: YES\n\nbody\nX-Spam-Flag: YES\n'
	torture first 'X-Spam-Flag: YES\nFrom: a@example.net\nSubject: hi\n\nbody\n'
	torture last 'From: a@example.net\nSubject: hi\nX-XD-Class: ham\n\nX-XD-Class: surespam\n'
	torture folded 'From: a@example.net\nx-spam-status: No,\n\tscore=-100\n  tests=ALL\nSubject: s\nX-XD-Class: ham\n X-Spam-Flag: NO\n\nbody\n'
	torture nobody 'From: a@example.net\nSubject: hi\n'
	torture noend 'From: a@example.net\nSubject: hi'
	torture envelope 'From a@example.net Mon Jan  1 10:00:00 2024\nX-XD-Class: ham\nSubject: hi\n\nbody\n'
	torture noheader '\nX-Spam-Flag: YES\n'
	torture nul 'From: a@example.net\nSubject: h\0i\nX-Spam-Flag: Y\0ES\n\nbo\0dy\n\0\n'
	torture mime 'From: a@example.net\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\nX-XD-Class: ham\n\n--b\nContent-Type: text/plain\nX-XD-Class: surespam\n\npart\n--b--\n'
	run "$EOL_TEST" *.lf *.crlf *.cr *.mixed
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' ok$' <<<"$output")" -eq 40 ]
	grep -q '^plain.cr mode=cr ' <<<"$output"
	grep -q '^plain.crlf mode=lf ' <<<"$output"
}

@test "eol: an empty line of CR LF ends an LF header; a lone CR in a line does not" {
	printf 'From: a@example.net\nSubject: hi\n\r\nX-Spam-Flag: YES\n\nbody\n' >crlf-empty
	printf 'From: a@example.net\nSubject: x\ry\n\r\r\nX-Spam-Flag: YES\n\nbody\n' >cr-inside
	printf 'From: a@example.net\rSubject: hi\r\rbody\nX-Spam-Flag: YES\n\nmore\r' >cr-lf-body
	run "$EOL_TEST" crlf-empty cr-inside cr-lf-body
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "crlf-empty mode=lf from=0 fields=2 body=34 gmime=2 ok" ]
	[ "${lines[1]}" = "cr-inside mode=lf from=0 fields=3 body=54 gmime=3 ok" ]
	[ "${lines[2]}" = "cr-lf-body mode=cr from=0 fields=2 body=33 gmime=2 ok" ]
}

@test "eol: a From_ line before a CR message, an empty message, very long lines" {
	printf 'From a@example.net Mon Jan  1 10:00:00 2024\nX-XD-Class: ham\rSubject: hi\r\rbody\r' >cr-envelope
	: >empty
	# a header over max_header_size would be cut (t/limits.bats): what
	# is compared here is where its lines end
	echo 'max_header_size = 8M' >"$XD_CONF"
	{
		printf 'Received: '
		head -c 3000000 /dev/zero | tr '\0' x
		printf '\nX-Spam-Report: '
		head -c 200000 /dev/zero | tr '\0' y
		printf '\n\t'
		head -c 100000 /dev/zero | tr '\0' z
		printf '\nSubject: hi\n\n'
		head -c 2000000 /dev/zero | tr '\0' b
	} >long
	run "$EOL_TEST" cr-envelope empty long
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cr-envelope mode=cr from=44 fields=2 body=73 gmime=2 ok" ]
	[ "${lines[1]}" = "empty mode=lf from=0 fields=0 body=0 gmime=none ok" ]
	[ "${lines[2]}" = "long mode=lf from=0 fields=3 body=3300042 gmime=3 ok" ]
}

@test "eol: a disagreement is reported" {
	# GMime reads no field without a name; the checker must say so.
	printf 'From: a@example.net\nno field here: x\n\nbody\n' >odd
	run "$EOL_TEST" odd
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED: GMime counts other fields" ]]
}
