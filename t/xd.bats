#!/usr/bin/env bats
# xd: the driver.  check, rescore, stages, learn; filter is xd-filter
# (t/xd-filter.bats).

load helper

# A check stage that fails in a given way, as a real broken tool would.
broken_stage() {
	stagebin xd-heur
	printf '#!/bin/sh\n%s\n' "$1" >stagebin/xd-heur
	chmod +x stagebin/xd-heur
	PATH="$PWD/stagebin:$PATH"
	echo 'stages = heur' >"$XD_CONF"
}

@test "check prints a verdict stream with one line per message" {
	mkmaildir md
	ham_msg md/cur/1.host
	ham_msg md/new/2.host
	echo 'stages =' >"$XD_CONF"
	run xd check md
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "#xd-stream 1" ]
	[ "$(printf '%s\n' "$output" | count_lines)" -eq 2 ]
	[[ "${lines[1]}" == *"class=ham"* ]]
}

@test "check notes each configured stage whose tool is not built" {
	ham_msg m1
	stagebin xd-heur
	PATH="$PWD/stagebin:/usr/bin:/bin"
	echo 'stages = heur' >"$XD_CONF"
	run stagebin/xd check m1
	[ "$status" -eq 0 ]
	[[ "$output" == *"stage 'heur': xd-heur is not built yet; skipped"* ]]
	[[ "$output" == *"class=ham"* ]]
	run stagebin/xd -q check m1
	[[ "$output" != *"not built yet"* ]]
}

@test "a stage name xd does not ship stops check and is named as file:line" {
	ham_msg m1
	printf 'stages = rbl spf urlcheck cksum Heur bayes\n' >"$XD_CONF"
	run xd check m1
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:1: stages: expected stage names"*"not 'Heur'"* ]]
	[[ "$output" != *class=* ]]
	run xd stages
	[ "$status" -eq 2 ]
}

@test "check exits 1 when some message could not be read, and still writes its line" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	run xd check m1 nothere
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothere"*"error=xd-parse:"* ]]
}

@test "check reports a failing stage by its exit status" {
	ham_msg m1
	broken_stage 'cat; exit 3'
	run xd check m1
	[ "$status" -eq 3 ]
}

@test "check passes --label and the weights file on" {
	ham_msg m1
	printf 'HAMMY -1\nthreshold spam 5\n' >w
	echo 'stages =' >"$XD_CONF"
	run xd check --label spam -w w m1
	[ "$status" -eq 0 ]
	[[ "$output" == *"label=spam"* ]]
}

@test "a bad configuration stops check before any line is written" {
	echo 'stages = rbl%' >"$XD_CONF"
	ham_msg m1
	run xd check m1
	[ "$status" -eq 2 ]
	echo 'nonsense here' >"$XD_CONF"
	run xd check m1
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:1:"* ]]
}

@test "rescore runs only xd-score over a stored stream" {
	printf '#xd-stream 1\n/nonexistent/msg\tBIG=1\n' >stream
	printf 'BIG 7\n' >w
	run xd rescore -w w stream
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "#xd-stream 1" ]
	[[ "${lines[1]}" == *"score=7"*"class=spam"* ]]
	run xd rescore -w w <stream
	[[ "${lines[1]}" == *"class=spam"* ]]
	run xd rescore -w w --explain stream
	[ "$status" -eq 0 ]
	[[ "$output" == *BIG* ]]
}

@test "rescore of a file that does not exist names it" {
	run xd rescore nothere
	[ "$status" -eq 2 ]
	[[ "$output" == *"nothere"* ]]
}

@test "stages lists the installed stages" {
	stagebin xd-heur
	PATH="$PWD/stagebin:/usr/bin:/bin"
	echo 'stages = heur bayes' >"$XD_CONF"
	run stagebin/xd stages
	[ "$status" -eq 0 ]
	[[ "$output" == *"xd-heur is not built yet"* ]]
	[ "${lines[${#lines[@]}-1]}" = bayes ]
}

@test "learn of a path that cannot be read is a usage error (more in learn.bats)" {
	run xd learn spam somefile
	[ "$status" -eq 2 ]
	[[ "$output" == *"learn: somefile: cannot read"* ]]
}

@test "usage, help and version" {
	run xd
	[ "$status" -eq 2 ]
	run xd frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == usage:* ]]
	run xd --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"xd [-qs] filter"* ]]
	run xd --version
	[ "$status" -eq 0 ]
	[[ "$output" == "xd "* ]]
}

@test "check shows progress when stderr is a terminal, and -q silences it" {
	mkmaildir md
	for i in 1 2 3; do ham_msg "md/cur/$i.host"; done
	echo 'stages =' >"$XD_CONF"
	script -qec "xd check md >out" /dev/null >tty.txt
	grep -q '3/3 messages' tty.txt
	[ "$(count_lines <out)" -eq 3 ]
	script -qec "xd check -q md >out" /dev/null >tty.txt
	! grep -q 'messages' tty.txt
}

@test "check counts the messages of an mbox for its progress, not the path" {
	for i in 1 2 3 4; do
		printf 'From a@example.com Mon Nov 20 08:01:1%d 2023\nFrom: a@example.com\nSubject: %d\n\nx\n\n' $i $i
	done >mbox
	echo 'stages =' >"$XD_CONF"
	[ "$(xd-parse --count mbox mbox)" = 8 ]
	script -qec "xd check mbox >out" /dev/null >tty.txt
	grep -q '4/4 messages' tty.txt
	! grep -q '/1 messages' tty.txt
}

@test "learn shows progress when stderr is a terminal" {
	mkmaildir md
	for i in 1 2 3; do ham_msg "md/cur/$i.host"; done
	echo "store = $BATS_TEST_TMPDIR/store" >"$XD_CONF"
	script -qec "xd learn ham md" /dev/null >tty.txt
	grep -q '3/3 messages' tty.txt
	script -qec "xd -q learn ham md" /dev/null >tty.txt
	! grep -q 'messages' tty.txt
}

@test "check - reads standard input and leaves no spool behind" {
	ham_msg m1
	mkdir spool
	echo 'stages =' >"$XD_CONF"
	TMPDIR=$PWD/spool xd check - <m1 >out
	[ "$(count_lines <out)" -eq 1 ]
	grep -q 'subject=lunch on Friday?' out
	[ -z "$(ls -A spool)" ]
}

@test "check - keeps the message out of the exit statuses and off stderr" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	run --separate-stderr xd -q check - <m1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"subject=lunch on Friday?"* ]]
}

@test "option values with spaces reach the tools whole" {
	ham_msg m1
	mkdir 'sp ace'
	printf 'threshold spam 5\n' >'sp ace/w'
	echo 'stages =' >"$XD_CONF"
	run xd check -w "$PWD/sp ace/w" m1
	[ "$status" -eq 0 ]
	xd check -q m1 >stream
	run xd rescore -w "$PWD/sp ace/w" stream
	[ "$status" -eq 0 ]
	[[ "$output" == *class=ham* ]]
}
