#!/usr/bin/env bats
# Hostile DNS servers, through xd-dns and xd-rbl: what c-ares and the DNS
# layer (dns.c) do with wrong IDs, answers from the wrong place, answers
# nobody asked for, TCP that stalls, trickles or lies about its length,
# FORMERR to EDNS, and TC with TCP refused.  t/dnsserver.py serves them
# on 127.0.0.1 (see its BEHAVIOURS); 127.0.0.66 and up are the wrong
# answers, 127.0.0.2 the right one.  Every lookup is bounded by timeout:
# a hang fails the test, it never waits for it.

load helper
load dns

setup_file() {
	dnsserver_start
	udponly_start
}

teardown_file() {
	udponly_stop
	dnsserver_stop
}

# A second server without TCP: connections to its port are refused.
udponly_start() {
	local py
	py=$(dns_python) || return 1
	UDPONLY_PORT=$(dns_free_port)
	"$py" "$BATS_TEST_DIRNAME/dnsserver.py" --port "$UDPONLY_PORT" \
	    --no-tcp --log "$DNS_DIR/udponly.queries" >"$DNS_DIR/udponly.log" 2>&1 &
	echo $! >"$DNS_DIR/udponly.pid"
	export UDPONLY_RESOLVER="127.0.0.1:$UDPONLY_PORT"
	dns_wait_answer "$UDPONLY_PORT" 2.listed.test
}

udponly_stop() {
	dns_stop_pid "$DNS_DIR/udponly.pid"
}

# Small budgets: a query may take 0.3 s x 2 tries.
setup() {
	helper_setup
	export XD_RESOLVER=$DNSSERVER_RESOLVER
	printf '%s\n' "dns_timeout = 0.3" "dns_tries = 2" >"$XD_CONF"
}

# hostile TYPE NAME...: xd-dns against the hostile server, 10 s at most
hostile() {
	run timeout 10 xd-dns "$@"
}

# status NAME: the status field of NAME's line
status_of() {
	awk -F '\t' -v n="$1" '$1 == n { print $3 }' <<<"$output"
}

# The server sends from 127.0.0.2 where the system lets it bind there.
need_127_0_0_2() {
	if grep -q 'no 127.0.0.2' "$DNS_DIR/dnsserver.log"; then
		skip "127.0.0.2 cannot be bound here"
	fi
}

# --- answers from the wrong place ---------------------------------------

@test "a wrong ID, then the right one: the right one is taken" {
	hostile A a.wrongidok.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a.wrongidok.test\tA\tok\t60\t127.0.0.2')" ]
	hostile A $(seq -f '%g.wrongidok.test' 1 20)
	[ "$status" -eq 0 ]
	[ "$(grep -c '	ok	60	127.0.0.2$' <<<"$output")" -eq 20 ]
}

@test "answers from another port or another address are ignored: tempfail:timeout" {
	hostile A a.otherport.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.otherport.test)" = tempfail:timeout ]
	[[ "$output" != *127.0.0.66* ]]
	need_127_0_0_2
	hostile A a.otheraddr.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.otheraddr.test)" = tempfail:timeout ]
	[[ "$output" != *127.0.0.66* ]]
}

@test "answers from the wrong places first, the right one after: the right one is taken" {
	need_127_0_0_2
	hostile A a.spoofok.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a.spoofok.test\tA\tok\t60\t127.0.0.2')" ]
}

# --- more than was asked ------------------------------------------------

@test "two answers to one query: the first is taken, once" {
	hostile -s A $(seq -f '%g.twice.test' 1 20)
	[ "$status" -eq 0 ]
	[ "$(grep -c '	ok	60	127.0.0.2$' <<<"$output")" -eq 20 ]
	[[ "$output" != *127.0.0.66* ]]
	[[ "$output" == *"queries 20 sent 20 cached 0 joined 0 timeouts 0 bad 0"* ]]
}

@test "records for other names, types, classes and sections are left out" {
	hostile A a.extra.test
	[ "$output" = "$(printf 'a.extra.test\tA\tok\t60\t127.0.0.2')" ]
	hostile TXT a.extra.test
	[ "$output" = "$(printf 'a.extra.test\tTXT\tok\t60\textra')" ]
	hostile AAAA a.extra.test
	[ "$output" = "$(printf 'a.extra.test\tAAAA\tok\t60\t::2')" ]
	# records, but none of the question: not an answer
	hostile MX a.extra.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.extra.test)" = bad:foreign-answer ]
}

# --- TCP ------------------------------------------------------------------

@test "a TCP answer that stalls after its length: tempfail:timeout, no hang" {
	hostile A a.tcstall.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.tcstall.test)" = tempfail:timeout ]
}

@test "a TCP answer trickled slower than the budget: tempfail:timeout, not waited for" {
	# the whole answer would take about 5 s; waiting gave "ok"
	hostile A a.tctrickle.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.tctrickle.test)" = tempfail:timeout ]
}

@test "a TCP length prefix longer than the data, then close: a temporary failure" {
	hostile A a.tclong.test
	[ "$status" -eq 1 ]
	[[ "$(status_of a.tclong.test)" == tempfail:* ]]
	[[ "$output" != *127.0.0.2* ]]
}

@test "TC, then the TCP connection reset: a temporary failure" {
	hostile A a.tcreset.test
	[ "$status" -eq 1 ]
	[[ "$(status_of a.tcreset.test)" == tempfail:* ]]
}

@test "TC from a server that refuses TCP: a temporary failure" {
	hostile -r "$UDPONLY_RESOLVER" A a.tc.test
	[ "$status" -eq 1 ]
	[[ "$(status_of a.tc.test)" == tempfail:* ]]
	grep -q '^a.tc.test A udp$' "$DNS_DIR/udponly.queries"
}

@test "a TCP connection that fails fails its own query, not the others in flight" {
	# answers after 0, 50 and 120 ms: still to come when TCP fails
	hostile A a.tcreset.test a.tclong.test 2.listed.test a.spoofok.test 3.jitter.test
	[ "$status" -eq 1 ]
	[[ "$(status_of a.tcreset.test)" == tempfail:* ]]
	[[ "$(status_of a.tclong.test)" == tempfail:* ]]
	[ "$(grep -c '	ok	' <<<"$output")" -eq 3 ]
	hostile -r "$UDPONLY_RESOLVER" A a.tc.test 2.listed.test a.spoofok.test 3.jitter.test
	[ "$status" -eq 1 ]
	[[ "$(status_of a.tc.test)" == tempfail:* ]]
	[ "$(grep -c '	ok	' <<<"$output")" -eq 3 ]
}

# --- EDNS ---------------------------------------------------------------

@test "FORMERR to EDNS: asked again without it" {
	: >"$DNSSERVER_LOG"
	hostile A a.noedns.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a.noedns.test\tA\tok\t60\t127.0.0.2')" ]
	[ "$(dns_count a.noedns.test)" -eq 2 ]
}

@test "FORMERR to EDNS: every query in flight is asked again, not only the first" {
	hostile A $(seq -f '%g.noedns.test' 1 10)
	[ "$status" -eq 0 ]
	[ "$(grep -c '	ok	60	127.0.0.2$' <<<"$output")" -eq 10 ]
}

@test "FORMERR with or without EDNS: tempfail:formerr after a bounded number of queries" {
	: >"$DNSSERVER_LOG"
	hostile A a.formerr.test
	[ "$status" -eq 1 ]
	[ "$(status_of a.formerr.test)" = tempfail:formerr ]
	[ "$(dns_count a.formerr.test)" -le 4 ]
}

# --- through xd-rbl -------------------------------------------------------

@test "xd-rbl: hostile lists give their right answer or RBL_TEMPFAIL, a line per line, in order" {
	printf '%s\n' "dns_timeout = 0.3" "dns_tries = 2" "rdns_check = no" \
	    "rbl = SPOOF spoofok.test" "rbl = EXTRA extra.test" \
	    "rbl = NOEDNS noedns.test" "rbl = STALL tcstall.test" \
	    "rbl = RESET tcreset.test" "rbl = TWICE twice.test" >"$XD_CONF"
	for n in $(seq 1 12); do
		printf 'm%s\tip=203.0.113.%s\n' "$n" "$n"
	done >in
	run timeout 20 xd-rbl -w 8 <in
	[ "$status" -eq 0 ]
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$(seq -f 'm%g' 1 12 | tr '\n' ' ')" ]
	for sym in RBL_SPOOF=127.0.0.2 RBL_EXTRA=127.0.0.2 RBL_NOEDNS=127.0.0.2 \
	    RBL_TWICE=127.0.0.2 RBL_TEMPFAIL=tcstall.test RBL_TEMPFAIL=tcreset.test; do
		[ "$(grep -c "	$sym" <<<"$output")" -eq 12 ] ||
		    { echo "not on every line: $sym"; return 1; }
	done
	[[ "$output" != *127.0.0.6* && "$output" != *127.0.0.7* ]]
}
