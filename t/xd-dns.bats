#!/usr/bin/env bats
# The DNS layer (dns.c, dnsrun.c) through xd-dns and xd-rbl: where
# queries go, the cache and its TTLs, the time bound, hostile answers,
# and the windowed runner's promise of one line out per line in, in
# order.  knot serves t/zones/*.zone; t/dnsserver.py the hostile rest.

load helper
load dns

setup_file() {
	knot_start
	dnsserver_start --late 3000
}

teardown_file() {
	dnsserver_stop
	knot_stop
}

# conf LINE...: the test's xd.conf
conf() {
	printf '%s\n' "$@" >"$XD_CONF"
}

hostile() {
	run xd-dns -r "$DNSSERVER_RESOLVER" "$@"
}

# --- where queries go ---------------------------------------------------

@test "--resolver comes before XD_RESOLVER, which comes before xd.conf" {
	conf "resolver = 127.0.0.1:1"
	XD_RESOLVER=none run xd-dns -r "$KNOT_RESOLVER" A host.dns.test
	[ "$status" -eq 0 ]
	[ "$(cut -f3 <<<"$output")" = ok ]
	run xd-dns A host.dns.test
	[ "$status" -eq 0 ]
	unset XD_RESOLVER
	conf "resolver = $KNOT_RESOLVER"
	run xd-dns A host.dns.test
	[ "$status" -eq 0 ]
	conf "resolver = none"
	run xd-dns A host.dns.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = tempfail:no-resolver ]
}

@test "resolver none asks nothing and fails every lookup at once" {
	: >"$DNSSERVER_LOG"
	XD_RESOLVER=none run xd-dns A 2.listed.test 4.listed.test
	[ "$status" -eq 1 ]
	[ "$(grep -c tempfail:no-resolver <<<"$output")" -eq 2 ]
	[ ! -s "$DNSSERVER_LOG" ]
}

@test "a port of its own is honoured, and an address with no server is a failure" {
	run xd-dns -r "127.0.0.1:$KNOT_PORT" A host.dns.test
	[ "$status" -eq 0 ]
	run xd-dns -r 127.0.0.1:1 A host.dns.test
	[ "$status" -eq 1 ]
	[[ "$(cut -f3 <<<"$output")" == tempfail:* ]]
}

@test "IPv6 servers are written [addr]:port; bad resolver settings are usage errors" {
	run xd-dns -r "[::1]:1" A host.dns.test
	[ "$status" -eq 1 ]
	[[ "$output" == *tempfail* ]]
	for bad in "[::1" "[::1]x" "127.0.0.1:0" "127.0.0.1:70000" "host.example" \
	    "127.0.0.1:53x" ""; do
		run xd-dns -r "$bad" A host.dns.test
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
		[[ "$output" == *--resolver* ]]
	done
	XD_RESOLVER=nonsense run xd-dns A host.dns.test
	[ "$status" -eq 2 ]
	[[ "$output" == *resolver* ]]
	conf "resolver = 1.2.3.4.5"
	unset XD_RESOLVER
	run xd-dns A host.dns.test
	[ "$status" -eq 2 ]
}

@test "several servers: a dead one first, a live one after" {
	run xd-dns -r "127.0.0.1:1,$KNOT_RESOLVER" A host.dns.test
	[ "$status" -eq 0 ]
	[ "$(cut -f3 <<<"$output")" = ok ]
}

# --- what comes back ----------------------------------------------------

@test "A, AAAA, MX, TXT and PTR records, sorted, with their TTL" {
	run xd-dns A host.dns.test
	[ "$output" = "$(printf 'host.dns.test\tA\tok\t300\t192.0.2.9\t192.0.2.10')" ]
	run xd-dns AAAA host.dns.test
	[ "$output" = "$(printf 'host.dns.test\tAAAA\tok\t300\t2001:db8::10')" ]
	run xd-dns MX dns.test
	[ "$output" = "$(printf 'dns.test\tMX\tok\t300\t10 mx1.dns.test\t20 mx2.dns.test')" ]
	run xd-dns TXT txt.dns.test
	[ "$output" = "$(printf 'txt.dns.test\tTXT\tok\t300\tsecond record\tv=spf1 ip4:192.0.2.0/24 -all')" ]
	run xd-dns PTR 10.2.0.192.in-addr.arpa
	[ "$output" = "$(printf '10.2.0.192.in-addr.arpa\tPTR\tok\t300\thost.dns.test')" ]
}

@test "names are folded to lower case without the final dot" {
	run xd-dns A HOST.Dns.Test.
	[ "$status" -eq 0 ]
	[ "$(cut -f1,3 <<<"$output")" = "$(printf 'host.dns.test\tok')" ]
}

@test "NXDOMAIN, no data, and a CNAME followed" {
	run xd-dns A nothere.dns.test
	[ "$(cut -f3,4 <<<"$output")" = "$(printf 'nxdomain\t120')" ]
	run xd-dns MX host.dns.test
	[ "$(cut -f3 <<<"$output")" = nodata ]
	run xd-dns A alias.dns.test
	[ "$(cut -f1,3-6 <<<"$output")" = "$(printf 'alias.dns.test\tok\t300\t192.0.2.9\t192.0.2.10')" ]
	[ "$status" -eq 0 ]
}

@test "the TTL of an answer is its smallest record TTL" {
	run xd-dns A short.dns.test
	[ "$(cut -f4 <<<"$output")" = 60 ]
}

@test "names that are not names are refused without a query" {
	: >"$DNSSERVER_LOG"
	for bad in "a	b.listed.test" "a\\b.listed.test" "..listed.test" \
	    "$(printf 'a%.0s' $(seq 64)).listed.test" \
	    "$(printf 'abcdefghi.%.0s' $(seq 26))listed.test"; do
		run xd-dns -r "$DNSSERVER_RESOLVER" A "$bad"
		[ "$status" -eq 1 ]
		[[ "$output" == *bad:bad-name* ]] || { echo "asked: $bad"; return 1; }
	done
	[ ! -s "$DNSSERVER_LOG" ]
	run xd-dns A- host.dns.test
	[ "$status" -eq 2 ]
}

# --- the cache ----------------------------------------------------------

@test "a name asked twice goes to the server once" {
	: >"$DNSSERVER_LOG"
	hostile -1 -s A 2.listed.test 2.listed.test
	[ "$status" -eq 0 ]
	[ "$(dns_count 2.listed.test)" -eq 1 ]
	[[ "$output" == *"sent 1 cached 1"* ]]
}

@test "the same name asked twice at once is one query in flight" {
	: >"$DNSSERVER_LOG"
	hostile -s A 4.listed.test 4.listed.test 4.listed.test
	[ "$status" -eq 0 ]
	[ "$(dns_count 4.listed.test)" -eq 1 ]
	[[ "$output" == *"sent 1 cached 0 joined 2"* ]]
}

@test "negative answers are kept for the SOA's minimum, not without an SOA" {
	: >"$DNSSERVER_LOG"
	hostile -1 A a.nx.test a.nx.test b.nxnosoa.test b.nxnosoa.test
	[ "$(dns_count a.nx.test)" -eq 1 ]
	[ "$(dns_count b.nxnosoa.test)" -eq 2 ]
	[ "$(grep -c nxdomain <<<"$output")" -eq 4 ]
}

@test "a TTL of 0 is never kept; a TTL of 1 is kept one second" {
	: >"$DNSSERVER_LOG"
	hostile -1 A a.ttl0.test a.ttl0.test
	[ "$(dns_count a.ttl0.test)" -eq 2 ]
	hostile -1 A a.ttl1.test a.ttl1.test
	[ "$(dns_count a.ttl1.test)" -eq 1 ]
	hostile -1 -p 1500 A b.ttl1.test b.ttl1.test
	[ "$(dns_count b.ttl1.test)" -eq 2 ]
}

@test "dns_cache = 0 keeps nothing; a full cache drops its oldest" {
	conf "dns_cache = 0"
	: >"$DNSSERVER_LOG"
	hostile -1 A 6.listed.test 6.listed.test
	[ "$(dns_count 6.listed.test)" -eq 2 ]
	conf "dns_cache = 1"
	hostile -1 A 8.listed.test 10.listed.test 8.listed.test 10.listed.test
	[ "$(dns_count 8.listed.test)" -eq 2 ]
	[ "$(dns_count 10.listed.test)" -eq 2 ]
}

@test "failures are not kept" {
	conf "dns_timeout = 0.2" "dns_tries = 1"
	: >"$DNSSERVER_LOG"
	hostile -1 A a.servfail.test a.servfail.test
	[ "$(dns_count a.servfail.test)" -eq 2 ]
}

# --- the time bound -----------------------------------------------------

@test "a server that never answers: tempfail:timeout within dns_timeout x dns_tries" {
	conf "dns_timeout = 0.3" "dns_tries = 2"
	SECONDS=0
	hostile -s A $(seq -f '%g.silent.test' 1 50)
	[ "$status" -eq 1 ]
	[ "$(grep -c 'tempfail:timeout' <<<"$output")" -eq 50 ]
	[[ "$output" == *"timeouts 50"* ]]
	# 50 queries overlap: about 0.6 s, never 50 x 0.6 s
	[ "$SECONDS" -lt 10 ]
	[ "$(dns_count 1.silent.test)" -ge 1 ]
}

@test "an answer later than the bound is a timeout, not a late answer" {
	conf "dns_timeout = 0.2" "dns_tries = 1"
	hostile A a.late.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = tempfail:timeout ]
}

@test "dns_timeout and dns_tries out of range are configuration errors" {
	for c in "dns_timeout = 0" "dns_timeout = 61" "dns_timeout = x" \
	    "dns_tries = 0" "dns_tries = 11" "dns_cache = 100000000"; do
		conf "$c"
		run xd-dns A host.dns.test
		[ "$status" -eq 2 ] || { echo "accepted: $c"; return 1; }
	done
}

# --- hostile answers ----------------------------------------------------

@test "SERVFAIL and REFUSED are temporary failures" {
	hostile A a.servfail.test a.refused.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = "$(printf 'tempfail:servfail\ntempfail:refused')" ]
}

@test "short packets, empty datagrams, wrong IDs and wrong questions are ignored: timeout" {
	conf "dns_timeout = 0.3" "dns_tries = 2"
	hostile A a.short.test a.zero.test a.wrongid.test a.wrongq.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = "$(printf 'tempfail:timeout\n%.0s' 1 2 3 4 | head -c -1)" ]
	[[ "$output" != *127.0.0.2* ]]
}

@test "an answer for another name is refused" {
	hostile A a.foreign.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = bad:foreign-answer ]
}

@test "a truncated UDP answer is asked again over TCP" {
	: >"$DNSSERVER_LOG"
	hostile A a.tc.test
	[ "$status" -eq 0 ]
	[ "$(cut -f3,5 <<<"$output")" = "$(printf 'ok\t127.0.0.2')" ]
	grep -q '^a.tc.test A tcp$' "$DNSSERVER_LOG"
}

@test "a cut-off TCP answer is malformed" {
	hostile A a.tcbad.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = bad:malformed ]
}

@test "CNAME loops and chains longer than 8 are refused; a short chain is followed" {
	hostile A a.cnameloop.test a.cnamelong.test a.cname.test
	[ "$(cut -f3 <<<"$output")" = "$(printf 'bad:cname-loop\nbad:cname-loop\nok')" ]
}

@test "thousands of records are refused" {
	hostile A a.many.test
	[ "$status" -eq 1 ]
	[ "$(cut -f3 <<<"$output")" = bad:too-many-records ]
}

@test "an oversize TXT record is left out, the others kept" {
	hostile TXT a.bigtxt.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a.bigtxt.test\tTXT\tok\t60\tv=spf1 -all')" ]
}

@test "compression loops and records of the wrong length are malformed" {
	hostile PTR a.ptrloop.test
	[ "$(cut -f3 <<<"$output")" = bad:malformed ]
	hostile A a.badrdlen.test
	[ "$(cut -f3 <<<"$output")" = bad:malformed ]
}

@test "hostile answers count as bad in the statistics" {
	hostile -s A a.foreign.test a.many.test 2.listed.test
	[[ "$output" == *"bad 2"* ]]
}

# --- the windowed runner ------------------------------------------------

# lines N...: a stream of one line per address 203.0.113.N
lines() {
	local n
	echo "#xd-stream 1"
	for n in "$@"; do
		printf 'm%s\tip=203.0.113.%s\tzz=%s\n' "$n" "$n" "$n"
	done
}

@test "lines come out in input order however the answers arrive" {
	conf "rbl = JITTER jitter.test" "rdns_check = no"
	lines $(seq 1 60) >in
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl -w 16 <in
	[ "$status" -eq 0 ]
	[ "$(grep -v '^#' <<<"$output" | cut -f1 | tr '\n' ' ')" = \
	    "$(seq -f 'm%g' 1 60 | tr '\n' ' ')" ]
	[ "$(grep -c 'RBL_JITTER=127.0.0.2' <<<"$output")" -eq 60 ]
	[ "$(head -n 1 <<<"$output")" = "#xd-stream 1" ]
}

@test "window 1 gives the same stream as a wide window" {
	conf "rbl = JITTER jitter.test" "rbl = L listed.test" "rdns_check = no"
	lines $(seq 1 20) >in
	XD_RESOLVER=$DNSSERVER_RESOLVER xd-rbl -w 1 <in >one
	XD_RESOLVER=$DNSSERVER_RESOLVER xd-rbl -w 100 <in >wide
	cmp one wide
	conf "rbl = JITTER jitter.test" "rbl = L listed.test" "rdns_check = no" \
	    "dns_window = 1"
	XD_RESOLVER=$DNSSERVER_RESOLVER xd-rbl <in >conf1
	cmp one conf1
}

@test "a list that never answers: one line per message, in order, each with RBL_TEMPFAIL or RBL_SKIPPED" {
	conf "rbl = DEAD silent.test" "rbl = L listed.test" "rdns_check = no" \
	    "dns_timeout = 0.2" "dns_tries = 2"
	lines $(seq 1 40) >in
	XD_RESOLVER=$DNSSERVER_RESOLVER run --separate-stderr xd-rbl -w 8 <in
	[ "$status" -eq 0 ]
	[ "$(grep -vc '^#' <<<"$output")" -eq 40 ]
	# the lines in flight time out; then the circuit breaker skips it
	[ "$(grep -c 'RBL_TEMPFAIL=silent.test' <<<"$output")" -ge 3 ]
	[ "$(grep -c 'RBL_SKIPPED=silent.test' <<<"$output")" -ge 24 ]
	[ "$(grep -Ec 'RBL_(TEMPFAIL|SKIPPED)=silent.test' <<<"$output")" -eq 40 ]
	[[ "$stderr" == *"silent.test: 3 lookups in a row timed out"* ]]
	[ "$(grep -v '^#' <<<"$output" | cut -f1 | tr '\n' ' ')" = \
	    "$(seq -f 'm%g' 1 40 | tr '\n' ' ')" ]
	# the other list still answers: even addresses are listed there
	[ "$(grep -c 'RBL_L=127.0.0.2' <<<"$output")" -eq 20 ]
}

@test "a line is written as soon as it is done, before the next line arrives" {
	conf "rbl = L listed.test" "rdns_check = no"
	coproc XD_RESOLVER=$DNSSERVER_RESOLVER xd-rbl
	# bash forgets these when the process ends
	local pid=$COPROC_PID to=${COPROC[1]} from=${COPROC[0]}
	printf 'a\tip=203.0.113.2\n' >&"$to"
	read -r -t 10 out <&"$from"
	[[ "$out" == *RBL_L=127.0.0.2* ]]
	printf 'b\tip=203.0.113.3\n' >&"$to"
	read -r -t 10 out <&"$from"
	[[ "$out" == b* ]]
	eval "exec $to>&-"
	wait "$pid"
}

@test "damaged, comment, over-long and unterminated lines pass in their place" {
	conf "rbl = L listed.test" "rdns_check = no" "max_line = 4k"
	{
		printf '#one\n'
		printf 'a\tip=203.0.113.2\n'
		printf 'b\tip=203.0.113.4\tbad=%%ZZ\n'
		printf 'c\tip=203.0.113.6\tpad=%s\tmore=x\n' "$(head -c 5000 /dev/zero | tr '\0' x)"
		printf '#two\n'
		printf 'd\tip=203.0.113.8'
	} >in
	XD_RESOLVER=$DNSSERVER_RESOLVER run --separate-stderr xd-rbl <in
	[ "$status" -eq 1 ]
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "#one a b c #two d " ]
	[[ "$(sed -n 3p <<<"$output")" == *error=xd-rbl:bad-escape* ]]
	[[ "$(sed -n 4p <<<"$output")" == *error=xd-rbl:line-too-long* ]]
	[ "$(sed -n 4p <<<"$output" | wc -c)" -lt 4200 ]
	[[ "$(sed -n 6p <<<"$output")" == *RBL_L=127.0.0.2* ]]
	[[ "$stderr" == *"<stdin>:3: bad-escape"* ]]
}

@test "an empty stream is an empty stream" {
	conf "rbl = L listed.test"
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "memory stays bounded by the window, not the stream" {
	command -v /usr/bin/time >/dev/null || skip "GNU time is not installed"
	conf "rbl = DEAD silent.test" "rdns_check = no"
	for i in $(seq 1 20000); do
		printf 'm%s\tip=198.51.100.%s\tpad=%01000d\n' "$i" $((i % 250 + 1)) 0
	done >in
	head -n 2000 in >small
	# ASan's quarantine would hold on to every freed line
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
	XD_RESOLVER=none /usr/bin/time -f %M -o rss.small xd-rbl -w 64 <small >out
	XD_RESOLVER=none /usr/bin/time -f %M -o rss xd-rbl -w 64 <in >out
	[ "$(wc -l <out)" -eq 20000 ]
	# 18 MB more of stream may not cost more than 4 MB more memory
	echo "$(cat rss.small) KB for 2000 lines, $(cat rss) KB for 20000"
	[ "$(cat rss)" -lt $(($(cat rss.small) + 4096)) ]
}

# --- xd-dns usage -------------------------------------------------------

@test "xd-dns: --help lists every option; bad usage exits 2" {
	run xd-dns --help
	[ "$status" -eq 0 ]
	for o in --resolver --one --pause --stats --help --version; do
		[[ "$output" == *"$o"* ]]
	done
	run xd-dns --bogus A x.test
	[ "$status" -eq 2 ]
	run xd-dns A
	[ "$status" -eq 2 ]
	run xd-dns SRV host.dns.test
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown type"* ]]
	run xd-dns -p x A host.dns.test
	[ "$status" -eq 2 ]
	run xd-dns -V
	[ "$status" -eq 0 ]
}

@test "xd-dns: TXT bytes outside printable ASCII are written in octal" {
	run xd-dns TXT bin.dns.test
	[ "$output" = "$(printf 'bin.dns.test\tTXT\tok\t300\ta\\011b\\134c')" ]
}
