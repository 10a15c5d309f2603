#!/usr/bin/env bats
# No network, no stall: with a resolver that never answers, the DNS
# stages of a message together wait at most dns_timeout x dns_tries in
# xd filter, and nothing once the circuit breaker has opened.  The
# resolver is a silent socket on 127.0.0.1: the shipped lists are asked
# under their real names, and nothing leaves the machine.

load helper

setup_file() {
	SINK_DIR=$BATS_FILE_TMPDIR/sink
	mkdir -p "$SINK_DIR"
	python3 - "$SINK_DIR/port" "$SINK_DIR/queries" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
log = open(sys.argv[2], "a")
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    s.recv(4096)			# read, count, and never answer
    log.write("q\n")
    log.flush()
PY
	echo $! >"$SINK_DIR/pid"
	for _ in $(seq 1 50); do
		[ -s "$SINK_DIR/port" ] && break
		sleep 0.1
	done
	export SINK_PORT=$(cat "$SINK_DIR/port") SINK_LOG=$SINK_DIR/queries
}

# queries: how many queries reached the silent resolver so far
queries() {
	wc -l <"$SINK_LOG"
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/sink/pid")" 2>/dev/null || true
}

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH" XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home" XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	mkdir -p "$HOME/.xd"
	cd "$BATS_TEST_TMPDIR" || return 1
	unset XD_DNSLISTS		# the shipped lists
	export XD_RESOLVER=127.0.0.1:$SINK_PORT
	printf '%s\n' "dns_timeout = 0.25" "dns_tries = 2" \
	    "store = $HOME/.xd/store.lmdb" >"$XD_CONF"
	cat >m <<'EOF'
Received: from mail.shop.example (mail.shop.example [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000
From: Shop <news@shop.example>
To: bob@example.org
Subject: offers
Message-ID: <1@shop.example>
Date: Tue, 14 Nov 2023 22:14:50 +0000

See http://www.shop.example/offer and http://deals.example/x
EOF
}

# ms: wall-clock milliseconds
ms() {
	date +%s%3N
}

@test "xd filter: every DNS stage together waits at most dns_timeout x dns_tries" {
	local t0 t1
	printf '%s\n' "dns_timeout = 1" "dns_tries = 2" >"$XD_CONF"
	t0=$(ms)
	run --separate-stderr xd filter <m
	t1=$(ms)
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: "*"offers"* ]]
	echo "took $((t1 - t0)) ms"
	# 2 s of DNS, and the rest of the pipeline; each stage alone would
	# take 2 s to 4 s, SPF up to spf_timeout
	[ $((t1 - t0)) -lt 3500 ]
}

@test "the circuit breaker: a list that timed out three times is skipped, RBL_SKIPPED" {
	local i n
	# each stage's lists trip in turn, the stages after them then given
	# the message's time: three messages a stage
	for i in 1 2 3; do
		xd filter <m >out 2>err
	done
	grep -q 'zen.spamhaus.org: 3 lookups in a row timed out' err
	grep -q '^zen.spamhaus.org 0 [0-9]' "$HOME/.xd/dns-breaker"
	for i in 4 5 6 7 8 9; do
		xd filter <m >out 2>>err
	done
	grep -q 'spf: 3 lookups in a row timed out' err
	grep -q 'multi.surbl.org: 3 lookups in a row timed out' err
	# now nothing is asked at all
	n=$(queries)
	xd filter <m >out 2>err
	[ "$(queries)" -eq "$n" ]
	grep -q '^X-Spam-Status: ' out
	run --separate-stderr sh -c 'xd-parse m | xd-rbl | xd-spf | xd-urlcheck'
	[[ "$output" == *"RBL_SKIPPED=zen.spamhaus.org"* ]]
	[[ "$output" == *"RBLWL_SKIPPED=list.dnswl.org"* ]]
	[[ "$output" == *"RBL_SKIPPED=in-addr.arpa"* ]]
	[[ "$output" == *"SPF_SKIPPED="* ]]
	[[ "$output" == *"URIBL_SKIPPED=multi.surbl.org"* ]]
	[[ "$output" != *TEMPFAIL* ]]
}

@test "the circuit breaker closes again when a list answers" {
	printf '%s\n' "zen.spamhaus.org 0 $(($(date +%s) + 300))" >"$HOME/.xd/dns-breaker"
	run --separate-stderr sh -c 'xd-parse m | xd-rbl -y'
	[[ "$output" == *"RBL_SKIPPED=zen.spamhaus.org"* ]]
	[[ "$output" == *"RBL_TEMPFAIL=bl.spamcop.net"* ]]
	# an expired breaker tries the list again
	printf '%s\n' "zen.spamhaus.org 0 $(($(date +%s) - 1))" >"$HOME/.xd/dns-breaker"
	run --separate-stderr sh -c 'xd-parse m | xd-rbl -y'
	[[ "$output" == *"RBL_TEMPFAIL=zen.spamhaus.org"* ]]
	[[ "$output" != *"RBL_SKIPPED=zen.spamhaus.org"* ]]
}

@test "dns_breaker = none keeps nothing between runs" {
	echo "dns_breaker = none" >>"$XD_CONF"
	for i in 1 2 3; do
		xd-parse m | xd-rbl -y >out 2>err
	done
	[ ! -e "$HOME/.xd/dns-breaker" ]
	[[ "$(cat out)" != *SKIPPED* ]]
}

@test "resolver none is no time-out: nothing is skipped, nothing kept" {
	export XD_RESOLVER=none
	for i in 1 2 3 4; do
		xd-parse m | xd-rbl | xd-spf | xd-urlcheck >out 2>err
	done
	[[ "$(cat out)" == *SPF_TEMPERROR* ]]
	[[ "$(cat out)" == *RBL_TEMPFAIL=zen.spamhaus.org* ]]
	[[ "$(cat out)" != *SKIPPED* ]]
	[ ! -s "$HOME/.xd/dns-breaker" ]
}
