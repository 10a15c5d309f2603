#!/usr/bin/env bats
# xd-filter, as `xd filter` runs it: one message in, the marked message
# out; past a budget, or when a tool fails, the original with one
# X-XD-Unchecked field; exit 75 only when the message cannot be spooled.

load helper

# stage NAME SCRIPT: xd's stage NAME, the only one configured, replaced
# by a script that does what a broken real tool would.
stage() {
	stagebin "xd-$1"
	printf '#!/bin/sh\n%s\n' "$2" >"stagebin/xd-$1"
	chmod +x "stagebin/xd-$1"
	PATH="$PWD/stagebin:$PATH"
	echo "stages = $1" >"$XD_CONF"
}

# unchecked ORIGINAL OUTPUT REASON: the output is the original and one
# line more, X-XD-Unchecked: REASON.
unchecked() {
	diff -a "$1" "$2" >diff.txt && { echo "no X-XD-Unchecked" >&2; return 1; }
	[ "$(grep -c '^[<>]' diff.txt)" -eq 1 ] || { cat diff.txt >&2; return 1; }
	grep -qxF "> X-XD-Unchecked: $3" diff.txt || { cat diff.txt >&2; return 1; }
}

# lacks PATTERN FILE: no line of FILE matches.
lacks() {
	if grep -q -- "$1" "$2"; then echo "$2 has $1" >&2; return 1; fi
}

# verdict ORIGINAL OUTPUT: xd's verdict fields were added, nothing else
# changed.
verdict() {
	grep -q '^X-XD-Class: ' "$2"
	lacks '^X-XD-Unchecked' "$2"
	diff "$1" "$2" >diff.txt || true
	lacks '^<' diff.txt
	grep '^>' diff.txt | grep -v '^> \(X-Spam-\|X-XD-Class: \|	\)' >extra.txt || true
	[ ! -s extra.txt ]
}

# gone PID: the process ended (a zombie no reaper collects counts), in
# at most 5 s.
gone() {
	local i
	for i in $(seq 50); do
		[ -e "/proc/$1" ] || return 0
		[ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ] ||
		    return 0
		sleep 0.1
	done
	echo "process $1 still runs" >&2
	return 1
}

# wait_for FILE: until a stage has written it (at most 10 s).
wait_for() {
	local i
	for i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done
	return 1
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

@test "an empty stages = is no failure: a verdict of no checks, nothing on stderr" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	run --separate-stderr xd filter <m1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >out
	verdict m1 out
	grep -q 'tests=none' out
}

@test "filter delivers the original with X-XD-Unchecked when a stage fails" {
	ham_msg m1
	stage heur 'exit 1'
	run xd filter <m1
	[ "$status" -eq 0 ]
	xd filter <m1 2>err >out
	unchecked m1 out 'failed (xd-heur, status 1)'
	grep -q 'failed (xd-heur, status 1): message delivered unchecked' err
}

@test "filter names a stage that crashes, and its signal" {
	ham_msg m1
	stage heur 'kill -SEGV $$'
	xd filter <m1 >out 2>err
	unchecked m1 out 'crashed (xd-heur, signal 11)'
}

@test "filter delivers the original when a stage swallows the stream" {
	ham_msg m1
	stage heur 'cat >/dev/null'
	xd filter <m1 >out 2>err
	unchecked m1 out 'failed (xd-act, status 1)'
}

@test "filter passes binary junk through, marked unchecked" {
	# Every byte but line ends: no line of it is a header's end.
	head -c 20000 /dev/urandom | tr -d '\n\r' | LC_ALL=C fold -b -w 70 >junk
	echo >>junk
	echo 'stages =' >"$XD_CONF"
	xd filter <junk >out 2>err
	unchecked junk out 'failed (xd-parse, status 1)'
}

@test "a stage past filter_timeout is killed, with what it started" {
	ham_msg m1
	stage heur 'sleep 60 & echo $! >sleeper; wait'
	echo 'filter_timeout = 1' >>"$XD_CONF"
	SECONDS=0
	xd filter <m1 >out 2>err
	[ "$SECONDS" -lt 10 ]
	unchecked m1 out 'timeout (xd-heur)'
	gone "$(cat sleeper)"
}

@test "a stage past filter_cpu is stopped" {
	ham_msg m1
	stage heur 'while :; do :; done'
	printf 'filter_cpu = 1\nfilter_timeout = 60\n' >>"$XD_CONF"
	xd filter <m1 >out 2>err
	unchecked m1 out 'cpu (xd-heur)'
}

@test "a parse past filter_memory is stopped: a message of 200000 Received: lines" {
	[ -z "${ASAN_OPTIONS:-}" ] ||
	    skip "an ASan build has no memory budget: its shadow memory would not fit"
	awk 'BEGIN { for (i = 0; i < 200000; i++) print "Received: from h" i " by mx"
	    print "Subject: many hops\n\nbody" }' >m1
	# The header bounds would cut it at 1000 fields or 1M, parsed in
	# little memory (t/limits.bats): raised, the parse needs about 100M.
	printf 'stages =\nfilter_memory = 48M\nmax_header_fields = 1000000\nmax_header_size = 64M\n' >"$XD_CONF"
	xd filter <m1 >out 2>err
	unchecked m1 out 'memory (xd-parse)'
	# The same message within the default budget gets its verdict.
	echo 'stages =' >"$XD_CONF"
	xd filter <m1 >out 2>err
	verdict m1 out
}

@test "a stage killed with kill -9 is named, the original delivered" {
	ham_msg m1
	stage heur 'echo $$ >victim; exec sleep 60'
	xd filter <m1 >out 2>err &
	wait_for victim
	kill -9 "$(cat victim)"
	wait $!
	unchecked m1 out 'crashed (xd-heur, signal 9)'
}

@test "kill -9 after spooling: the tools die too, the next run removes the leftover once an hour old" {
	ham_msg m1
	mkdir spool
	stage heur 'echo $$ >victim; exec sleep 60'
	TMPDIR=$PWD/spool xd filter <m1 >out 2>err &
	wait_for victim
	kill -9 $!	# xd-filter: bin/xd execs it
	wait $! || true
	left=$(echo spool/xd-filter.*)
	[ -f "$left/msg" ]
	cmp m1 "$left/msg"
	gone "$(cat victim)"
	# Younger than an hour: it may be a run in progress.
	echo 'stages =' >"$XD_CONF"
	TMPDIR=$PWD/spool xd filter <m1 >/dev/null
	[ -d "$left" ]
	# Not this user's: never touched.
	mkdir spool/xd-filter.other
	chown nobody spool/xd-filter.other
	touch -d '2 hours ago' "$left"/* "$left" spool/xd-filter.other
	TMPDIR=$PWD/spool xd filter <m1 >/dev/null
	[ ! -e "$left" ]
	[ "$(ls spool)" = xd-filter.other ]
}

@test "SIGTERM: the tools are killed, the spool removed, exit 75 for the caller to keep the message" {
	ham_msg m1
	mkdir spool
	stage heur 'echo $$ >victim; exec sleep 60'
	TMPDIR=$PWD/spool xd filter <m1 >out 2>err &
	wait_for victim
	kill -TERM $!
	status=0
	wait $! || status=$?
	[ "$status" -eq 75 ]
	[ ! -s out ]
	gone "$(cat victim)"
	[ -z "$(ls -A spool)" ]
}

@test "filter cleans up its spool" {
	ham_msg m1
	mkdir spool
	echo 'stages =' >"$XD_CONF"
	TMPDIR=$PWD/spool xd filter <m1 >/dev/null
	[ -z "$(ls -A spool)" ]
}

@test "filter exits 75 when it cannot spool the message, and writes nothing" {
	ham_msg m1
	run --separate-stderr env TMPDIR=/nonexistent/dir xd filter <m1
	[ "$status" -eq 75 ]
	[ -z "$output" ]
	[[ "$stderr" == *"cannot make a spool directory (in /nonexistent/dir)"*"exit 75"* ]]
}

# A small file system for TMPDIR; skipped where mounting is not allowed.
small_tmpdir() {
	mkdir small
	mount -t tmpfs -o "size=$1" tmpfs small 2>/dev/null ||
	    skip "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
}

teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/small" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/small"
	fi
}

@test "no space for the spool and the output: exit 75 before anything is written" {
	small_tmpdir 256k
	echo 'stages =' >"$XD_CONF"
	# 150 kB fits once, not twice.
	ham_msg m1
	head -c 150000 /dev/zero | tr '\0' x | fold -w 72 >>m1
	run --separate-stderr env TMPDIR="$PWD/small" xd filter <m1
	[ "$status" -eq 75 ]
	[ -z "$output" ]
	[[ "$stderr" == *"no room for the output in the spool"*"No space left on device"* ]]
	[ -z "$(ls -A small)" ]
	# Not even the spool fits.
	{ cat m1 m1; } >m2
	run --separate-stderr env TMPDIR="$PWD/small" xd filter <m2
	[ "$status" -eq 75 ]
	[ -z "$output" ]
	[[ "$stderr" == *"cannot write the spool"* ]]
	# A small message fits.
	ham_msg m3
	TMPDIR=$PWD/small xd filter <m3 >out
	verdict m3 out
}

@test "a stage that points the line at another file: xd-act refuses it" {
	ham_msg m1
	printf 'From: boss@example.net\nSubject: not yours\n\nforged\n' >other
	stage heur "sed 's|^/[^	]*|$PWD/other|'"
	xd filter <m1 >out 2>err
	unchecked m1 out 'failed (xd-act, status 1)'
	grep -q "other: not the message this filter was handed" err
	lacks forged out
}

@test "an output cut short is detected and the original delivered" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	mkdir fake
	# An xd-act that writes half of the message and says it is done.
	cat >fake/xd-act <<'SH'
#!/bin/sh
f=$(sed -n '/^[^#]/{s/	.*//;p;q}')
head -c $(($(wc -c <"$f") / 2)) "$f"
SH
	chmod +x fake/xd-act
	PATH=$PWD/fake:$PATH xd-filter <m1 >out 2>err
	unchecked m1 out 'truncated (xd-act)'
}

@test "xd-act killed with kill -9 in the middle of its output: the original is delivered" {
	ham_msg m1
	echo 'stages =' >"$XD_CONF"
	mkdir fake
	cat >fake/xd-act <<'SH'
#!/bin/sh
f=$(sed -n '/^[^#]/{s/	.*//;p;q}')
head -c 100 "$f"
echo $$ >act.pid
exec sleep 60
SH
	chmod +x fake/xd-act
	PATH=$PWD/fake:$PATH xd-filter <m1 >out 2>err &
	wait_for act.pid
	kill -9 "$(cat act.pid)"
	wait $!
	unchecked m1 out 'crashed (xd-act, signal 9)'
}

@test "big forged X-Spam fields, which xd-act drops, are no truncation" {
	ham_msg m0
	{ printf 'X-Spam-Report: '; head -c 3000 /dev/zero | tr '\0' y; printf '\n\tmore\n'; cat m0; } >m1
	echo 'stages =' >"$XD_CONF"
	xd filter <m1 >out 2>err
	grep -q '^X-XD-Class: ham' out
	lacks 'X-Spam-Report\|X-XD-Unchecked' out
	# The same in a message whose lines end at CR, the field further down.
	{ head -n 1 m0; sed -n 1,2p m1; tail -n +2 m0; } | tr '\n' '\r' >cr
	xd filter <cr | tr '\r' '\n' >out
	grep -q '^X-XD-Class: ham' out
	lacks 'X-Spam-Report\|X-XD-Unchecked' out
}

@test "a broken configuration gives X-XD-Unchecked: config, never a silent tests=none" {
	ham_msg m1
	echo 'bogus = 1' >"$XD_CONF"
	run xd filter <m1
	[ "$status" -eq 0 ]
	xd filter <m1 >out 2>err
	unchecked m1 out config
	grep -q 'xd.conf:1: unknown key' err
	# One bad character once turned every stage off.
	printf 'stages = rbl Heur\n' >"$XD_CONF"
	xd filter <m1 >out 2>err
	unchecked m1 out config
	grep -q "xd.conf:1: stages: expected stage names.*not 'Heur'" err
	lacks 'tests=none' out
}

@test "a configured stage that is not installed is skipped with a note" {
	ham_msg m1
	stagebin xd-heur
	PATH="$PWD/stagebin:/usr/bin:/bin"
	echo 'stages = heur' >"$XD_CONF"
	stagebin/xd filter <m1 >out 2>err
	verdict m1 out
	grep -q "stage 'heur': xd-heur is not built yet; skipped" err
	stagebin/xd -q filter <m1 >out 2>err
	lacks 'not built yet' err
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

@test "filter keeps a body that looks like an mbox: an inline patch is not cut" {
	printf 'From s@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: p\n\nSee below.\n\nFrom 3f2a1b0c Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n+the patch\n' >m1
	echo 'stages =' >"$XD_CONF"
	xd filter <m1 >out
	grep -q '^+the patch$' out
	grep -q '^X-XD-Class: ' out
	grep -v '^X-Spam-\|^X-XD-Class' out | cmp m1 -
}

# listen SOCKET FILE: keep the first datagram sent to SOCKET in FILE.
listen() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
try:
    open(sys.argv[2], "wb").write(s.recv(4096))
except socket.timeout:
    pass
PY
	listener=$!
	for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}

@test "each failure is one syslog line naming the stage, on by default" {
	ham_msg m1
	stage heur 'exit 3'
	listen "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	unchecked m1 out 'failed (xd-heur, status 3)'
	grep -q '^<20>... .. ..:..:.. xd-filter\[[0-9]*\]: failed (xd-heur, status 3): message delivered unchecked$' syslog.txt
}

@test "syslog_facility names the facility; none turns the log off" {
	ham_msg m1
	stage heur 'exit 3'
	echo 'syslog_facility = local3' >>"$XD_CONF"
	listen "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd -s filter <m1 >out 2>err
	wait "$listener"
	grep -q '^<156>' syslog.txt	# local3.warning: 19 * 8 + 4
	rm log.sock
	echo 'syslog_facility = none' >>"$XD_CONF"
	listen "$PWD/log.sock" syslog2.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	kill "$listener"
	[ ! -s syslog2.txt ]
	grep -q 'delivered unchecked' err
}

# listen_all SOCKET FILE: every datagram sent to SOCKET, one a line in
# FILE, until none came for a second.
listen_all() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "wb")
s.settimeout(20)
try:
    while True:
        out.write(s.recv(4096) + b"\n")
        out.flush()
        s.settimeout(1)
except socket.timeout:
    pass
PY
	listener=$!
	for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}

# A message whose every symbol comes from xd-heur's rules, and whose
# weights file is small enough to reckon by hand.
result_setup() {
	ham_msg m1
	printf 'threshold spam 5\nthreshold surespam 20\nXD_NO_TO 0.4\nHEUR_NO_DATE 1.5\n' >weights
	sed -i '/^Date:/d' m1
	printf 'stages = heur\nweights = %s/weights\n' "$PWD" >"$XD_CONF"
}

@test "each checked message is one syslog result line: ids, class, score/threshold, symbols, time, size" {
	result_setup
	listen_all "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter -r bob@example.net <m1 >out 2>err
	wait "$listener"
	[ "$(wc -l <syslog.txt)" -eq 1 ]
	line=$(cat syslog.txt)
	# mail.info: 2 * 8 + 6
	[[ "$line" =~ ^'<22>'...' '..' '..:..:..' xd-filter['[0-9]+']: result: class=ham score=1.50/5.00 msgid=lunch.1@example.org mailfrom=- rcpt=bob@example.net symbols=HEUR_NO_DATE(1.50)'(,[A-Z_]+\(0.00\))*' time='[0-9]+\.[0-9]{3}s' size='$(wc -c <m1)$ ]]
}

@test "the result line names the heaviest symbols first, five at most" {
	result_setup
	printf 'threshold spam 5\nthreshold surespam 20\nHEUR_NO_DATE 1.5\nXD_NO_TO 2.5\nHEUR_BODY_TINY -1\n' >weights
	sed -i '/^To:/d' m1
	listen_all "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	grep -q ' symbols=XD_NO_TO(2.50),HEUR_NO_DATE(1.50),' syslog.txt
	[ "$(grep -o 'symbols=[^ ]*' syslog.txt | tr , '\n' | wc -l)" -le 5 ]
}

@test "control characters from mail or a stage cannot start a log line of their own" {
	result_setup
	sed -i 's/^Message-ID: .*/Message-ID: <a\\b\x1b[2J@example.org>/' m1
	# A stage that hands on a line break, a CR and a tab in msgid=.
	stage heur 'sed "s/msgid=[^	]*/&%0A<22>Jan  1 00:00:00 xd-filter[1]: result: forged%0D%09/"'
	printf 'weights = %s/weights\n' "$PWD" >>"$XD_CONF"
	listen_all "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	[ "$(wc -l <syslog.txt)" -eq 1 ]
	grep -qF ' msgid=a\\b [2J@example.org\x0a<22>Jan  1 00:00:00 xd-filter[1]: result: forged\x0d\x09 mailfrom=' syslog.txt
}

@test "syslog_results = no: no result line, failures still logged; the facility is syslog_facility's" {
	result_setup
	echo 'syslog_facility = local3' >>"$XD_CONF"
	listen_all "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	grep -q '^<158>.* result: class=ham' syslog.txt	# local3.info: 19 * 8 + 6
	rm log.sock
	echo 'syslog_results = no' >>"$XD_CONF"
	listen_all "$PWD/log.sock" syslog2.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	[ ! -s syslog2.txt ]
	rm log.sock
	stage heur 'exit 3'
	echo 'syslog_results = no' >>"$XD_CONF"
	listen_all "$PWD/log.sock" syslog3.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	grep -q 'failed (xd-heur, status 3)' syslog3.txt
}

@test "a failure is one syslog line, naming the stage, and no result line" {
	ham_msg m1
	stage heur 'exit 3'
	listen_all "$PWD/log.sock" syslog.txt
	XD_SYSLOG_SOCKET=$PWD/log.sock xd filter <m1 >out 2>err
	wait "$listener"
	[ "$(wc -l <syslog.txt)" -eq 1 ]
	grep -q ': failed (xd-heur, status 3): message delivered unchecked$' syslog.txt
}

@test "usage and help" {
	run xd-filter -x
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: xd-filter"* ]]
	run xd-filter --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--rcpt"* ]]
}

@test "a message whose lines end in CR alone may start with a From_ line" {
	printf 'From a@example.com Mon Nov 20 08:01:11 2023\rFrom: a@example.com\rX-XD-Class: ham\rSubject: cr\r\rbuy now\r' >m
	line=$(xd-parse --single m | grep -v '^#')
	[[ "$line" != *error=* ]]
	[ "$(field mailfrom "$line")" = a@example.com ]
	[ "$(field subject "$line")" = cr ]
	echo 'stages =' >"$XD_CONF"
	xd filter <m >out
	# the From_ line first, then xd's class, then the message less the forged field
	[ "$(head -c 44 out | od -An -c | tr -d ' \n')" = "$(printf 'From a@example.com Mon Nov 20 08:01:11 2023\r' | od -An -c | tr -d ' \n')" ]
	tr '\r' '\n' <out | sed -n 2p | grep -qx 'X-XD-Class: ham'
	[ "$(tr '\r' '\n' <out | grep -c '^X-XD-Class')" -eq 1 ]
	tr '\r' '\n' <out | grep -qx 'buy now'
	! grep -q X-XD-Unchecked out
}
