#!/usr/bin/env bats
# xd: the driver.  filter, check, rescore, stages, learn.

load helper

ham_msg() {
	msg "$1" <<'MSG'
Received: from mail.example.org (mail.example.org [198.51.100.20])
	by mx.example.net with ESMTP id 1A2B; Mon, 2 Sep 2002 10:00:00 +0000
From: Alice <alice@example.org>
To: bob@example.net
Subject: lunch on Friday?
Message-ID: <lunch.1@example.org>
Date: Mon, 2 Sep 2002 10:00:00 +0000

Shall we try the new place on Friday?
MSG
}

# The tools in a directory of their own, without xd-heur: xd puts its
# own directory first on PATH, so a stage is replaced or taken away there.
stagebin() {
	mkdir -p stagebin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = xd-heur ] || ln -sf "$t" stagebin/
	done
}

# A check stage that fails in a given way, as a real broken tool would.
broken_stage() {
	stagebin
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
	stagebin
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

@test "filter with a stage name xd does not ship checks nothing and says so" {
	ham_msg m1
	printf 'stages = rbl Heur\n' >"$XD_CONF"
	run --separate-stderr xd filter <m1
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"xd.conf:1: stages:"* ]]
	[[ "$output" != *"X-Spam-Status"* ]]
	[[ "$output" != *"tests=none"* ]]
	[[ "$output" == *"Shall we try the new place on Friday?"* ]]
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

@test "filter adds the verdict headers and keeps every other byte" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	xd filter <m1 >out
	grep -q '^X-Spam-Status: No, score=' out
	grep -q '^X-XD-Class: ham$' out
	grep -v '^X-Spam-\|^X-XD-Class' out >stripped
	cmp m1 stripped
}

@test "filter delivers the original unchanged when a stage fails" {
	ham_msg m1
	broken_stage 'exit 1'
	run xd filter <m1
	[ "$status" -eq 0 ]
	xd filter <m1 2>err >out
	cmp m1 out
	grep -q 'delivered unchanged' err
}

@test "filter delivers the original unchanged when a stage crashes" {
	ham_msg m1
	broken_stage 'kill -SEGV $$'
	xd filter <m1 >out 2>err
	cmp m1 out
}

@test "filter delivers the original when a stage swallows the stream" {
	ham_msg m1
	broken_stage 'cat >/dev/null'
	xd filter <m1 >out 2>err
	cmp m1 out
}

@test "filter passes binary junk through unchanged" {
	head -c 20000 /dev/urandom >junk
	echo 'stages =' >"$XD_CONF"
	xd filter <junk >out 2>err
	cmp junk out
}

@test "filter cleans up its spool" {
	ham_msg m1
	mkdir spool
	echo 'stages =' >"$XD_CONF"
	TMPDIR=$PWD/spool xd filter <m1 >/dev/null
	[ -z "$(ls -A spool)" ]
}

@test "filter exits 75 when it cannot spool the message" {
	ham_msg m1
	run env TMPDIR=/nonexistent/dir xd filter <m1
	[ "$status" -eq 75 ]
}

@test "filter -r names the recipient for policy rules" {
	ham_msg m1
	printf 'block rcpt boss@example.net\n' >pol
	printf 'stages =\npolicy = %s\n' "$PWD/pol" >"$XD_CONF"
	xd filter -r boss@example.net <m1 >out
	grep -q '^X-XD-Class: surespam$' out
	xd filter -r other@example.net <m1 >out
	grep -q '^X-XD-Class: ham$' out
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
	stagebin
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

@test "filter -s also logs a failure to syslog" {
	ham_msg m1
	broken_stage 'exit 1'
	python3 - "$PWD/log.sock" "$PWD/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
try:
    open(sys.argv[2], "wb").write(s.recv(4096))
except socket.timeout:
    pass
PY
	pid=$!
	for _ in $(seq 50); do [ -S log.sock ] && break; sleep 0.1; done
	XD_SYSLOG_SOCKET=$PWD/log.sock xd -s filter <m1 >out 2>err
	wait "$pid"
	cmp m1 out
	grep -q 'xd: .*delivered unchanged' syslog.txt
	grep -q '^<20>' syslog.txt	# mail.warning: facility 2 * 8 + 4
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

@test "filter with a broken configuration still delivers the message unchanged" {
	ham_msg m1
	echo 'bogus = 1' >"$XD_CONF"
	run xd filter <m1
	[ "$status" -eq 0 ]
	xd filter <m1 >out 2>err
	cmp m1 out
	grep -q 'delivered unchanged' err
}

@test "filter keeps a body that looks like an mbox: an inline patch is not cut" {
	printf 'From s@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: p\n\nSee below.\n\nFrom 3f2a1b0c Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n+the patch\n' >m1
	echo 'stages =' >"$XD_CONF"
	xd filter <m1 >out
	grep -q '^+the patch$' out
	grep -q '^X-XD-Class: ' out
	grep -v '^X-Spam-\|^X-XD-Class' out | cmp m1 -
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
