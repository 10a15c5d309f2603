#!/usr/bin/env bats
# xd check and xd filter run every stage in one process (xd-check(1));
# what they write is what the composed pipeline of the tools writes,
# byte for byte (XD_COMPOSED=1 runs that pipeline).

load helper

# A store trained on the shipped samples, so that xd-bayes and xd-cksum
# have something to say; the default stages.
trained() {
	xd -q learn spam "$SAMPLES/spam" >/dev/null
	xd -q learn ham "$SAMPLES/ham" >/dev/null
}

# Every message the tests ship: the samples, an mbox, the malformed, the
# rule examples and the hostile messages of the vault.
all_mail() {
	printf '%s\n' "$SAMPLES/ham" "$SAMPLES/spam" "$SAMPLES/mbox" \
	    "$SAMPLES/malformed"
	find "$REPO/t/examples" "$REPO/t/vault/message" -type f | sort
}

@test "check in one process writes the composed pipeline's lines, byte for byte" {
	trained
	all_mail >paths
	mapfile -t paths <paths
	# exit 1: the malformed samples' lines carry error=
	# the stages ran in xd-check, and no tool of theirs was started
	# (seen with strace where the machine lets it trace, and not under
	# ASan, whose leak checker refuses to run traced)
	trace=()
	[ -n "${ASAN_OPTIONS:-}" ] || ! strace -qq -o /dev/null true 2>/dev/null ||
	    trace=(strace -f -qq -o execs -e trace=execve)
	run -1 --separate-stderr "${trace[@]}" xd check "${paths[@]}"
	printf '%s\n' "$output" >inproc
	printf '%s\n' "$stderr" | sort >inproc.notes
	if [ ${#trace[@]} -gt 0 ]; then
		grep -q 'execve("[^"]*/xd-check"' execs
		! grep -Eq 'execve\("[^"]*/xd-(heur|bayes|parse|score)"' execs ||
		    false
	fi
	XD_COMPOSED=1 run -1 --separate-stderr xd check "${paths[@]}"
	printf '%s\n' "$output" >composed
	printf '%s\n' "$stderr" | sort >composed.notes
	[ "$(count_lines <inproc)" -gt 200 ]
	cmp inproc composed
	# their notes name the same tools as the composed pipeline's
	cmp inproc.notes composed.notes
}

@test "check -c, -R and explain say the same in one process" {
	trained
	for m in "$SAMPLES"/spam/cur/* "$SAMPLES"/ham/cur/* \
	    "$SAMPLES"/malformed/cur/*; do
		for how in "check -c" "check -R" explain; do
			# shellcheck disable=SC2086 # the command and its option
			xd -q $how "$m" >inproc 2>/dev/null && rc=0 || rc=$?
			# shellcheck disable=SC2086
			XD_COMPOSED=1 xd -q $how "$m" >composed 2>/dev/null &&
			    crc=0 || crc=$?
			[ "$rc" -eq "$crc" ] || { echo "$how $m: $rc, $crc"; false; }
			cmp inproc composed
		done
	done
}

@test "filter in one process writes the composed pipeline's message, byte for byte" {
	trained
	echo 'syslog_facility = none' >>"$XD_CONF"
	n=0
	for m in "$SAMPLES"/spam/cur/* "$SAMPLES"/ham/cur/* \
	    "$SAMPLES"/malformed/cur/* "$REPO"/t/examples/*/*; do
		xd filter <"$m" >inproc 2>/dev/null
		XD_COMPOSED=1 xd filter <"$m" >composed 2>/dev/null
		cmp inproc composed
		grep -q '^X-XD-Class: ' inproc && n=$((n + 1))
	done
	[ "$n" -gt 20 ]
}

@test "filter of a message with CRLF and one with CR only, in one process" {
	trained
	echo 'syslog_facility = none' >>"$XD_CONF"
	for m in "$SAMPLES"/spam/cur/*; do
		sed 's/$/\r/' "$m" >crlf
		tr '\n' '\r' <"$m" >cr
		for f in crlf cr; do
			xd filter <"$f" >inproc
			XD_COMPOSED=1 xd filter <"$f" >composed
			cmp inproc composed
		done
	done
	grep -aq '^X-XD-Class: .*'$'\r''$' inproc ||
	    grep -aq 'X-XD-Class: ' inproc
}

@test "a stage replaced on PATH runs as its own tool, in the composed pipeline" {
	ham_msg m1
	stagebin xd-heur
	printf '#!/bin/sh\nsed "/^#/!s/$/\tHEUR_REPLACED=1/"\nexit 3\n' \
	    >stagebin/xd-heur
	chmod +x stagebin/xd-heur
	PATH="$PWD/stagebin:$PATH"
	run -3 stagebin/xd check m1
	[[ "$output" == *HEUR_REPLACED=1* ]]
	stagebin/xd filter <m1 >out 2>/dev/null
	grep -qx 'X-XD-Unchecked: failed (xd-heur, status 3)' out
}

@test "filter in one process puts a failure down to the stage, as the pipeline does" {
	printf '\001\002\003 binary\n\377\376' >junk
	xd filter <junk >inproc 2>/dev/null
	XD_COMPOSED=1 xd filter <junk >composed 2>/dev/null
	cmp inproc composed
	grep -aqx 'X-XD-Unchecked: failed (xd-parse, status 1)' inproc
}

@test "filter in one process: a crash of the checks delivers the original, unchecked" {
	ham_msg m1
	# a rule file that is no file: the one process cannot start
	echo 'rules = /nonexistent/rules.cf' >"$XD_CONF"
	run -0 xd filter <m1
	[[ "$output" == *"X-XD-Unchecked: "* ]]
	[[ "$output" != *"X-XD-Class"* ]]
}

@test "xd-check --times says what each stage cost, and leaves the lines as they were" {
	trained
	xd-check "$SAMPLES/ham" "$SAMPLES/spam" >plain
	run --separate-stderr xd-check --times "$SAMPLES/ham" "$SAMPLES/spam"
	[ "$status" -le 1 ]
	printf '%s\n' "$output" | cmp - plain
	for name in heur bayes score parse total; do
		printf '%s\n' "$stderr" | grep -Eq "^xd-check: $name +[0-9]+\.[0-9]{3} s" ||
		    { echo "no time for $name: $stderr"; false; }
	done
}

@test "filter in one process: a folder xd-act refuses fails xd-act, as in the pipeline" {
	ham_msg m1
	echo 'syslog_facility = none' >>"$XD_CONF"
	echo 'spam_folder = ../outside' >>"$XD_CONF"
	run -0 --separate-stderr xd filter <m1
	printf '%s\n' "$output" >inproc
	[[ "$stderr" == *"xd-act: spam_folder: '../outside' leaves the maildir"* ]]
	XD_COMPOSED=1 run -0 --separate-stderr xd filter <m1
	printf '%s\n' "$output" | cmp - inproc
	grep -qx 'X-XD-Unchecked: failed (xd-act, status 2)' inproc
	[ "$(grep -c '' inproc)" -eq "$(($(grep -c '' m1) + 1))" ]
}
