#!/usr/bin/env bats
# Bad input: hostile or broken mail for xd-parse and the xd check
# driver, broken stream lines for xd-score and xd-act.  Whatever comes
# in, each input gets exactly one stream line, a diagnostic naming it,
# an exit status of 0, 1 or 2, and never a crash or a hang.

load helper

GEN="sh $BATS_TEST_DIRNAME/gen-hostile.sh"
LINT="python3 $BATS_TEST_DIRNAME/lint-stream.py"

# A tool that should be built: its absence is a failure, not a skip.
need() {
	command -v "$1" >/dev/null ||
	    { echo "$1 is not built (looked in $XD_BIN)" >&2; return 1; }
}

# try CMD...: run under a 20 s timeout; stdout in out, stderr in err.
try() {
	status=0
	timeout 20 "$@" >out 2>err || status=$?
}

# The exit status of the last try is 0, 1 or 2: no timeout, no signal.
sane_status() {
	if [ "$status" -eq 124 ]; then
		echo "hung: killed after 20 s" >&2
		return 1
	fi
	if [ "$status" -ge 128 ]; then
		echo "killed by signal $((status - 128))" >&2
		cat err >&2
		return 1
	fi
	[ "$status" -le 2 ] || { echo "exit status $status" >&2; return 1; }
}

# one_line PATH: the last try wrote one well-formed stream line, for
# PATH, short enough for the next tool; any diagnostic names PATH, and
# a line with error= has one.
one_line() {
	sane_status
	n=$(grep -cv '^#' out || true)
	[ "$n" -eq 1 ] || { echo "$n stream lines, not 1:" >&2; cat out err >&2; return 1; }
	$LINT -m 1048576 out
	line=$(grep -v '^#' out)
	[ "${line%%	*}" = "$1" ] ||
	    { echo "locator is '${line%%	*}', not '$1'" >&2; return 1; }
	case $line in
	*"	error="*)
		grep -qF "$1" err ||
		    { echo "error= but no diagnostic naming $1" >&2; return 1; } ;;
	esac
	if [ -s err ]; then
		while IFS= read -r l; do
			case $l in
			*"$1"*) ;;
			*) echo "diagnostic does not name $1: $l" >&2; return 1 ;;
			esac
		done <err
	fi
}

# failed_line PATH TOOL: one line for PATH with error=TOOL:..., exit 1,
# and a message on stderr that names PATH.
failed_line() {
	one_line "$1"
	[ "$status" -eq 1 ] || { echo "exit status $status, not 1" >&2; return 1; }
	grep -q "	error=$2:[a-z-]" out ||
	    { echo "no error=$2: field:" >&2; cat out >&2; return 1; }
	grep -qF "$1" err || { echo "stderr does not name $1" >&2; return 1; }
}

# parse_and_check PATH: xd-parse alone, then the whole xd check.
parse_and_check() {
	need xd-parse
	try xd-parse -- "$1"
	one_line "$1"
	try xd -q check "$1"
	one_line "$1"
}

fail_parse_and_check() {
	need xd-parse
	try xd-parse -- "$1"
	failed_line "$1" xd-parse
	try xd -q check "$1"
	failed_line "$1" xd-parse
}

# --- mail that is no mail, or hostile mail --------------------------

@test "an empty file is an error naming it" {
	$GEN empty "$PWD/empty"
	fail_parse_and_check "$PWD/empty"
}

@test "64 KiB of random bytes give one clean line" {
	$GEN junk "$PWD/junk"
	parse_and_check "$PWD/junk"
}

@test "a 2 MiB Subject: line gives a line the next tool can read" {
	$GEN longsubject "$PWD/longsubject"
	parse_and_check "$PWD/longsubject"
	need xd-score
	xd-parse -- "$PWD/longsubject" | xd-score >scored
	! grep -q 'error=xd-score' scored
}

@test "a 2 MiB header line that is no fact gives one line" {
	$GEN longheader "$PWD/longheader"
	parse_and_check "$PWD/longheader"
}

@test "10,000 MIME parts give one line" {
	$GEN manyparts "$PWD/manyparts"
	parse_and_check "$PWD/manyparts"
}

@test "multiparts nested 2,000 deep give one line" {
	$GEN deepnest "$PWD/deepnest"
	parse_and_check "$PWD/deepnest"
}

@test "a multipart cut inside a part's headers gives one line" {
	$GEN truncated "$PWD/truncated"
	parse_and_check "$PWD/truncated"
}

@test "NUL bytes in headers and body never reach the stream" {
	$GEN nul "$PWD/nul"
	parse_and_check "$PWD/nul"
}

@test "20,000 Received: lines give one line" {
	$GEN manyreceived "$PWD/manyreceived"
	parse_and_check "$PWD/manyreceived"
}

@test "a message over max_message_size is marked truncated=1" {
	echo 'max_message_size = 1M' >"$XD_CONF"
	$GEN hugebody "$PWD/hugebody"
	parse_and_check "$PWD/hugebody"
	need xd-parse
	xd-parse -- "$PWD/hugebody" | grep -q '	truncated=1'
}

@test "every malformed sample gets its line" {
	need xd-parse
	for f in "$SAMPLES"/malformed/cur/*; do
		try xd-parse -- "$f"
		one_line "$f"
	done
}

@test "a file name with TAB, LF and % is escaped in the locator" {
	need xd-parse
	name=$(printf 'a\tb%%c\nd')
	cp "$SAMPLES"/ham/cur/1700000101.* "$name"
	try xd-parse -- "$PWD/$name"
	sane_status
	[ "$status" -eq 0 ]
	[ "$(grep -cv '^#' out)" -eq 1 ]
	$LINT out
	grep -v '^#' out | cut -f1 | grep -qx "$PWD/a%09b%25c%0Ad"
}

# --- paths that cannot be read as a message -------------------------

@test "a path that does not exist is an error naming it" {
	fail_parse_and_check "$PWD/nothere"
	grep -q 'No such file or directory' err
}

@test "a dangling symbolic link is an error naming it" {
	ln -s "$PWD/nowhere" dangling
	fail_parse_and_check "$PWD/dangling"
}

@test "a FIFO is refused, not opened: no hang" {
	mkfifo fifo
	fail_parse_and_check "$PWD/fifo"
}

@test "a FIFO inside a maildir does not hang the others" {
	need xd-parse
	mkmaildir md
	cp "$SAMPLES"/ham/cur/1700000101.* md/cur/1.host:2,S
	mkfifo md/cur/2.host:2,S
	try xd-parse -- "$PWD/md"
	sane_status
	grep -q "^$PWD/md/cur/1.host:2,S	" out
	if grep -q "^$PWD/md/cur/2.host:2,S	" out; then
		grep "^$PWD/md/cur/2.host:2,S	" out | grep -q '	error=xd-parse:'
	fi
	$LINT out
}

@test "a directory that is not a maildir is an error naming it" {
	mkdir notmd
	echo 'not a message folder' >notmd/file
	fail_parse_and_check "$PWD/notmd"
}

@test "a bad path among good ones costs only its own line" {
	need xd-parse
	cp "$SAMPLES"/ham/cur/1700000101.* good1
	cp "$SAMPLES"/spam/cur/1700001101.* good2
	try xd-parse -- "$PWD/good1" "$PWD/nothere" "$PWD/good2"
	sane_status
	[ "$status" -eq 1 ]
	grep -v '^#' out | cut -f1 >order
	printf '%s\n' "$PWD/good1" "$PWD/nothere" "$PWD/good2" | cmp - order
	[ "$(grep -c 'error=' out)" -eq 1 ]
}

# --- broken stream lines for the stream tools -----------------------

# stream_bad TOOL KIND REASON [ARGS...]: a good line, the broken one and
# a good line in; three lines out in order; the broken line is written
# back as it came (cut, for line-too-long; NUL as a space) with
# error=TOOL:REASON, and the exit status is 1.
stream_bad() {
	tool=$1 kind=$2 reason=$3
	shift 3
	need "$tool"
	$GEN "$kind" bad
	{ printf '/x/one\tsubject=a\n'; cat bad; printf '/x/two\tsubject=b\n'; } >in
	status=0
	timeout 20 "$tool" "$@" <in >out 2>err || status=$?
	sane_status
	[ "$status" -eq 1 ] || { echo "exit status $status, not 1" >&2; cat err >&2; return 1; }
	[ "$(wc -l <out)" -eq 3 ] || { echo "$(wc -l <out) lines out, not 3" >&2; return 1; }
	sed -n 1p out | grep -q '^/x/one	'
	sed -n 3p out | grep -q '^/x/two	'
	! sed -n '1p;3p' out | grep -q error=
	case $kind in
	streamlong)	# cut at its last whole field within 1 MiB
		head -c 1048576 bad | python3 -c 'import sys
d = sys.stdin.buffer.read(); sys.stdout.buffer.write(d[:d.rindex(b"\t")])' >want ;;
	streamnul)
		head -n 1 bad | tr -d '\n' | tr '\000' ' ' >want ;;
	*)
		head -n 1 bad | tr -d '\n' >want ;;
	esac
	printf '\terror=%s:%s\n' "$tool" "$reason" >>want
	sed -n 2p out | cmp - want ||
	    { echo "line 2 is not the input with error=$tool:$reason" >&2; return 1; }
	grep -q "<stdin>:2: $reason" err
}

@test "xd-score: an invalid escape (%ZZ) is bad-escape" {
	stream_bad xd-score streamescape bad-escape
}

@test "xd-score: a 2 MiB line is cut and marked line-too-long" {
	stream_bad xd-score streamlong line-too-long
}

@test "xd-score: a NUL byte is nul-byte" {
	stream_bad xd-score streamnul nul-byte
}

@test "xd-score: an empty line is empty-locator" {
	stream_bad xd-score streamempty empty-locator
}

@test "xd-score: a raw CR is raw-cr" {
	stream_bad xd-score streamcr raw-cr
}

@test "xd-score: a field without = is bad-field" {
	stream_bad xd-score streambadfield bad-field
}

# xd-act acts only on lines it can read: a broken line is passed on
# with its error and nothing is delivered for it.
act_bad() {
	mkmaildir mail
	printf 'maildir = %s\nquarantine = %s\n' "$PWD/mail" "$PWD/mail" >"$XD_CONF"
	stream_bad xd-act "$@"
	[ -z "$(find mail -type f)" ]
}

@test "xd-act: an invalid escape (%ZZ) is bad-escape" {
	act_bad streamescape bad-escape
}

@test "xd-act: a 2 MiB line is cut and marked line-too-long" {
	act_bad streamlong line-too-long
}

@test "xd-act: a NUL byte is nul-byte" {
	act_bad streamnul nul-byte
}

@test "xd-act: an empty line is empty-locator" {
	act_bad streamempty empty-locator
}

@test "xd-act: a raw CR is raw-cr" {
	act_bad streamcr raw-cr
}

@test "xd-act: a field without = is bad-field" {
	act_bad streambadfield bad-field
}
