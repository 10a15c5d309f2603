#!/usr/bin/env bats
# xd-rbl: IP and domain block- and allowlists, return codes, blocked
# answers, every relay, forward-confirmed reverse DNS, --keep, --test.
# The lists are the zones of t/zones/ served by knot on 127.0.0.1.

load helper
load dns

setup_file() {
	knot_start
	dnsserver_start
}

teardown_file() {
	dnsserver_stop
	knot_stop
}

LISTS=(
	"rbl = TEST rbl.test 127.0.0.2=SBL 127.0.0.4-127.0.0.7=XBL 127.0.0.10=PBL"
	"rbl = TWO rbl2.test"
	"rblwl = WL rblwl.test trust blocked=127.0.0.255"
	"rhsbl = DBL rhsbl.test 127.0.1.2=SPAM 127.0.1.4=PHISH"
	"rhswl = GOOD rhswl.test"
)

# conf LINE...: the lists above, no reverse DNS, and LINEs
conf() {
	printf '%s\n' "${LISTS[@]}" "rdns_check = no" "$@" >"$XD_CONF"
}

# rbl LINE... : run xd-rbl on one line per argument (fields as TABs)
rbl() {
	printf '%b\n' "$@" >in
	run --separate-stderr xd-rbl <in
}

# syms: the symbols xd-rbl added to line N of the output
syms() {
	sed -n "${1}p" <<<"$output" | tr '\t' '\n' | grep -E '^(RBL|RBLWL|RHSBL|RHSWL|RDNS)_' |
	    tr '\n' ' ' | sed 's/ $//'
}

# --- IP lists -----------------------------------------------------------

@test "an address listed with a mapped return code gets the code's symbol" {
	conf
	rbl 'm\tip=203.0.113.7'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_TEST_SBL=127.0.0.2 RBL_TWO=127.0.0.3 RBL_CHECKED=" ]
}

@test "a range of return codes is one symbol; two codes at once are two" {
	conf
	rbl 'a\tip=203.0.113.8' 'b\tip=203.0.113.9'
	[ "$(syms 1)" = "RBL_TEST_XBL=127.0.0.4 RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBL_TEST_PBL=127.0.0.10 RBL_TEST_SBL=127.0.0.2 RBL_CHECKED=" ]
}

@test "a code the map does not name gives the list's own symbol" {
	conf
	rbl 'm\tip=203.0.113.12'
	[ "$(syms 1)" = "RBL_TEST=127.0.0.99 RBL_CHECKED=" ]
}

@test "an address not listed anywhere gets only RBL_CHECKED" {
	conf
	rbl 'm\tip=203.0.113.200'
	[ "$(syms 1)" = "RBL_CHECKED=" ]
}

@test "RFC 5782 test points: 127.0.0.2 is listed, 127.0.0.1 is not (--test)" {
	conf
	run xd-rbl --test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'RBL_TEST\trbl.test\tok\nRBL_TWO\trbl2.test\tok\nRBLWL_WL\trblwl.test\tok\nRHSBL_DBL\trhsbl.test\tok\nRHSWL_GOOD\trhswl.test\tok')" ]
}

@test "--test: an IPv6-only list is asked for ::ffff:7f00:2 and ::ffff:7f00:1" {
	printf '%s\n' "rbl = SIX rbl.test ipv6" >"$XD_CONF"
	run xd-rbl -t
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'RBL_SIX\trbl.test\tok')" ]
}

@test "--test names a list that fails, and why" {
	printf '%s\n' "rbl = NX nx.test" "rbl = DEAD servfail.test" \
	    "rhsbl = NODOM nx.test" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl -t
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p <<<"$output")" = "$(printf 'RBL_NX\tnx.test\tfail: 2.0.0.127: not listed (nxdomain)')" ]
	[ "$(sed -n 2p <<<"$output")" = "$(printf 'RBL_DEAD\tservfail.test\tfail: 2.0.0.127: servfail')" ]
	[ "$(sed -n 3p <<<"$output")" = "$(printf 'RHSBL_NODOM\tnx.test\tfail: test: not listed (nxdomain)')" ]
}

@test "--test: a list that lists 127.0.0.1 fails" {
	printf '%s\n' "rbl = ALL listed.test" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl -t
	[ "$status" -eq 0 ]
	# listed.test lists even first labels: 2.0.0.127 yes, 1.0.0.127 no
	printf '%s\n' "rbl = ALL jitter.test" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl -t
	[ "$status" -eq 1 ]
	[[ "$output" == *"1.0.0.127: listed, must not be (127.0.0.2)"* ]]
}

@test "an answer that means 'you may not query' is RBL_BLOCKED, never a listing" {
	conf
	rbl 'm\tip=203.0.113.10'
	[ "$(syms 1)" = "RBL_BLOCKED=rbl.test RBL_CHECKED=" ]
	run xd-rbl -t
	[ "$status" -eq 0 ]
}

@test "--test: a list that answers 'blocked' to its test point says so" {
	printf '%s\n' "rbl = B rbl.test blocked=127.0.0.2" >"$XD_CONF"
	run xd-rbl -t
	[ "$status" -eq 1 ]
	[[ "$output" == *"blocked: this resolver may not ask the list"* ]]
}

@test "blocked= adds answers that mean 'refused' for one list" {
	conf
	rbl 'm\tip=203.0.113.22'
	[ "$(syms 1)" = "RBL_BLOCKED=rblwl.test RBL_CHECKED=" ]
}

@test "an answer outside 127.0.0.0/8 is ignored, with one warning per list" {
	conf
	rbl 'a\tip=203.0.113.11' 'b\tip=203.0.113.11'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_CHECKED=" ]
	[ "$(grep -c 'not in 127.0.0.0/8' <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *rbl.test*198.51.100.1* ]]
}

@test "IPv6 addresses are asked in nibble format" {
	conf
	rbl 'm\tip=2001:db8:113::7'
	[ "$(syms 1)" = "RBL_TEST_SBL=127.0.0.2 RBL_CHECKED=" ]
}

@test "ipv4 and ipv6 limit which addresses a list is asked for" {
	printf '%s\n' "rbl = FOUR rbl.test ipv4" "rbl = SIX rbl.test ipv6" \
	    "rdns_check = no" >"$XD_CONF"
	rbl 'a\tip=203.0.113.7' 'b\tip=2001:db8:113::7'
	[ "$(syms 1)" = "RBL_FOUR=127.0.0.2 RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBL_SIX=127.0.0.2 RBL_CHECKED=" ]
}

@test "&MASK return codes match answers by their bits" {
	printf '%s\n' "rbl = BITS rbl.test &2=TWO &8=EIGHT" "rdns_check = no" >"$XD_CONF"
	rbl 'a\tip=203.0.113.7' 'b\tip=203.0.113.9'
	[ "$(syms 1)" = "RBL_BITS_TWO=127.0.0.2 RBL_CHECKED=" ]
	# 127.0.0.10 has bits 2 and 8; 127.0.0.2 has bit 2
	[ "$(syms 2)" = "RBL_BITS_EIGHT=127.0.0.10 RBL_BITS_TWO=127.0.0.10 RBL_BITS_TWO=127.0.0.2 RBL_CHECKED=" ]
}

@test "private, loopback and link-local addresses are never asked" {
	conf "rdns_check = yes"
	: >"$DNSSERVER_LOG"
	printf '%s\n' "rbl = L listed.test" >>"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER rbl 'a\tip=10.0.0.2' 'b\tip=127.0.0.2' \
	    'c\tip=192.168.1.2' 'd\tip=fe80::2' 'e\tip=::1' 'f\tip=169.254.0.2'
	[ "$status" -eq 0 ]
	[ ! -s "$DNSSERVER_LOG" ]
	for n in 1 2 3 4 5 6; do
		[ "$(syms $n)" = "RBL_CHECKED=" ]
	done
}

@test "a line without ip= or with a bad one is passed with no IP lookups" {
	conf
	rbl 'a\tfrom=x@nothing.example' 'b\tip=not-an-address'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBL_CHECKED=" ]
}

# --- allowlists ---------------------------------------------------------

@test "DNSWL trust levels name the allowlist symbol" {
	conf
	rbl 'a\tip=203.0.113.20' 'b\tip=203.0.113.21'
	[ "$(syms 1)" = "RBLWL_WL_HI=127.0.15.3 RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBLWL_WL_NONE=127.0.15.0 RBL_CHECKED=" ]
}

@test "an allowlist without trust gives its own symbol" {
	printf '%s\n' "rblwl = PLAIN rblwl.test" "rdns_check = no" >"$XD_CONF"
	rbl 'a\tip=203.0.113.20'
	[ "$(syms 1)" = "RBLWL_PLAIN=127.0.15.3 RBL_CHECKED=" ]
}

# --- domain lists -------------------------------------------------------

@test "the registered domains of mailfrom, from and helo are asked, each once" {
	conf
	: >"$DNSSERVER_LOG"
	rbl 'm\tmailfrom=bounce@mail.spam.example\tfrom=Boss@SPAM.example\thelo=mx.good.example'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RHSBL_DBL_SPAM=spam.example RHSWL_GOOD=good.example RBL_CHECKED=" ]
}

@test "domain list codes and the RFC 5782 'test' name" {
	conf
	rbl 'a\tfrom=x@phish.example' 'b\tmailfrom=x@test' 'c\tfrom=x@blocked.example'
	[ "$(syms 1)" = "RHSBL_DBL_PHISH=phish.example RBL_CHECKED=" ]
	# "test" alone is no domain of a sender: not asked
	[ "$(syms 2)" = "RBL_CHECKED=" ]
	[ "$(syms 3)" = "RBL_BLOCKED=rhsbl.test RBL_CHECKED=" ]
}

@test "mailfrom, from and helo limit which domains a list is asked for" {
	printf '%s\n' "rhsbl = H rhsbl.test helo" "rhsbl = F rhsbl.test from" \
	    "rdns_check = no" >"$XD_CONF"
	rbl 'm\tmailfrom=a@spam.example\tfrom=b@phish.example\thelo=spam.example'
	[ "$(syms 1)" = "RHSBL_H=spam.example RHSBL_F=phish.example RBL_CHECKED=" ]
}

@test "empty senders, address literals and names without a dot are not asked" {
	conf
	: >"$DNSSERVER_LOG"
	printf '%s\n' "rhsbl = L listed.test" >>"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER rbl \
	    'a\tmailfrom=\tfrom=nobody\thelo=[203.0.113.7]' \
	    'b\thelo=203.0.113.7\tfrom=x@localhost' \
	    'c\tfrom=x@bad%09name.example\thelo=a..b.example'
	[ "$status" -eq 0 ]
	[ ! -s "$DNSSERVER_LOG" ]
}

# --- every relay --------------------------------------------------------

@test "--all-relays checks every relay of relays=, deeper ones as RBL_DEEP_" {
	conf
	rbl 'm\tip=203.0.113.12\trelays=203.0.113.12,203.0.113.40,10.1.1.1'
	[ "$(syms 1)" = "RBL_TEST=127.0.0.99 RBL_CHECKED=" ]
	rbl 'm\tip=203.0.113.12\trelays=203.0.113.12,203.0.113.40,10.1.1.1'
	run xd-rbl --all-relays <in
	[ "$(syms 1)" = "RBL_DEEP_TEST_XBL=127.0.0.4@203.0.113.40 RBL_TEST=127.0.0.99 RBL_CHECKED=" ]
	conf "rbl_all_relays = yes"
	run xd-rbl <in
	[ "$(syms 1)" = "RBL_DEEP_TEST_XBL=127.0.0.4@203.0.113.40 RBL_TEST=127.0.0.99 RBL_CHECKED=" ]
}

@test "rbl_all_relays takes yes or no" {
	conf "rbl_all_relays = maybe"
	rbl 'm\tip=203.0.113.7'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"rbl_all_relays = maybe: expected yes or no"* ]]
}

# --- reverse DNS --------------------------------------------------------

rdns_conf() {
	printf '%s\n' "$@" >"$XD_CONF"
}

@test "FCrDNS: a confirmed name is no symbol" {
	rdns_conf
	rbl 'm\tip=203.0.113.30' 'n\tip=2001:db8:113::35'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBL_CHECKED=" ]
}

@test "FCrDNS: no PTR record is RDNS_NONE" {
	rdns_conf
	rbl 'm\tip=203.0.113.32' 'n\tip=2001:db8:113::99'
	[ "$(syms 1)" = "RDNS_NONE=203.0.113.32 RBL_CHECKED=" ]
	[ "$(syms 2)" = "RDNS_NONE=2001:db8:113::99 RBL_CHECKED=" ]
}

@test "FCrDNS: a name that does not resolve back is RDNS_MISMATCH" {
	rdns_conf
	rbl 'm\tip=203.0.113.31' 'n\tip=203.0.113.34'
	[ "$(syms 1)" = "RDNS_MISMATCH=mail.liar.rdns.test RBL_CHECKED=" ]
	# mail.tempfail.rdns.test has no address at all
	[ "$(syms 2)" = "RDNS_MISMATCH=mail.tempfail.rdns.test RBL_CHECKED=" ]
}

@test "FCrDNS: a dial-up or pool name is RDNS_DYNAMIC" {
	rdns_conf
	rbl 'm\tip=203.0.113.33'
	[ "$(syms 1)" = "RDNS_DYNAMIC=dsl-203-0-113-33.dyn.isp.rdns.test RBL_CHECKED=" ]
}

@test "FCrDNS: rdns_dynamic names a pattern file of one's own" {
	printf '# mine\n\n^mail\\.good\\.\n' >pats
	rdns_conf "rdns_dynamic = $PWD/pats"
	rbl 'a\tip=203.0.113.30' 'b\tip=203.0.113.33'
	[ "$(syms 1)" = "RDNS_DYNAMIC=mail.good.rdns.test RBL_CHECKED=" ]
	[ "$(syms 2)" = "RBL_CHECKED=" ]
}

@test "FCrDNS: a bad pattern or a missing file is a configuration error" {
	printf 'ok\n(unclosed\n' >pats
	rdns_conf "rdns_dynamic = $PWD/pats"
	rbl 'm\tip=203.0.113.30'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"pats:2"* ]]
	rdns_conf "rdns_dynamic = $PWD/nothere"
	rbl 'm\tip=203.0.113.30'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *nothere* ]]
}

@test "FCrDNS: a failed lookup is RDNS_TEMPFAIL" {
	rdns_conf "dns_timeout = 0.2" "dns_tries = 1"
	XD_RESOLVER=$DNSSERVER_RESOLVER rbl 'm\tip=203.0.113.7'
	[ "$(syms 1)" = "RDNS_TEMPFAIL=203.0.113.7 RBL_CHECKED=" ]
}

@test "FCrDNS is off with -y, --no-rdns or rdns_check = no" {
	rdns_conf
	rbl 'm\tip=203.0.113.32'
	run xd-rbl -y <in
	[ "$(syms 1)" = "" ]
	run xd-rbl --no-rdns <in
	[ "$(syms 1)" = "" ]
	rdns_conf "rdns_check = no"
	run xd-rbl <in
	[ "$output" = "$(cat in)" ]
	rdns_conf "rdns_check = perhaps"
	run xd-rbl <in
	[ "$status" -eq 2 ]
}

# --- failures -----------------------------------------------------------

@test "a list that times out or fails is *_TEMPFAIL=zone on the line" {
	printf '%s\n' "rbl = A silent.test" "rblwl = B servfail.test" \
	    "rhsbl = C refused.test" "rhswl = D silent.test" "rdns_check = no" \
	    "dns_timeout = 0.2" "dns_tries = 2" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER rbl 'm\tip=203.0.113.7\tfrom=x@spam.example'
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_TEMPFAIL=silent.test RBLWL_TEMPFAIL=servfail.test RHSBL_TEMPFAIL=refused.test RHSWL_TEMPFAIL=silent.test RBL_CHECKED=" ]
}

@test "a hostile answer is a TEMPFAIL, not a listing" {
	printf '%s\n' "rbl = F foreign.test" "rbl = M many.test" \
	    "rbl = C cnameloop.test" "rdns_check = no" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER rbl 'm\tip=203.0.113.7'
	# in the order of the lists in xd.conf
	[ "$(syms 1)" = "RBL_TEMPFAIL=foreign.test RBL_TEMPFAIL=many.test RBL_TEMPFAIL=cnameloop.test RBL_CHECKED=" ]
}

@test "with no resolver every list is TEMPFAIL and nothing is sent" {
	conf
	XD_RESOLVER=none rbl 'm\tip=203.0.113.7'
	[ "$status" -eq 0 ]
	[[ "$(syms 1)" == "RBL_TEMPFAIL=rbl.test RBL_TEMPFAIL=rbl2.test RBLWL_TEMPFAIL=rblwl.test RBL_CHECKED=" ]]
}

# --- the stream ---------------------------------------------------------

@test "running twice is running once; foreign fields stay in place" {
	conf "rdns_check = yes"
	rbl 'm\tip=203.0.113.9\tzz=a%09b\tZZ_SYM=1\tfrom=x@spam.example' '#c' \
	    'n\tip=203.0.113.31\tRBL_STALE=1\tRDNS_OLD=x'
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >once
	xd-rbl <once >twice
	cmp once twice
	[[ "$(sed -n 1p once)" == "m	ip=203.0.113.9	zz=a%09b	ZZ_SYM=1	from=x@spam.example	RBL_"* ]]
	[ "$(sed -n 2p once)" = "#c" ]
	[[ "$(sed -n 3p once)" != *STALE* ]]
	[[ "$(sed -n 3p once)" != *RDNS_OLD* ]]
}

@test "--keep keeps the symbols of a line checked before, and asks nothing" {
	conf
	: >"$DNSSERVER_LOG"
	printf 'a\tip=203.0.113.2\tRBL_OLD=127.0.0.2\tRBL_CHECKED=\nb\tip=203.0.113.4\n' >in
	printf '%s\n' "rbl = L listed.test" >>"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl -k <in
	[ "$(sed -n 1p <<<"$output")" = "$(printf 'a\tip=203.0.113.2\tRBL_OLD=127.0.0.2\tRBL_CHECKED=')" ]
	[[ "$(sed -n 2p <<<"$output")" == *RBL_L=127.0.0.2* ]]
	[ "$(dns_count 2.113.0.203.listed.test)" -eq 0 ]
	[ "$(dns_count 4.113.0.203.listed.test)" -eq 1 ]
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-rbl --keep <in
	[ "$(dns_count 2.113.0.203.listed.test)" -eq 0 ]
}

@test "with no lists and no reverse DNS a line is passed unchanged" {
	printf 'rdns_check = no\n' >"$XD_CONF"
	rbl 'm\tip=203.0.113.7\tfrom=x@spam.example'
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat in)" ]
}

# --- configuration and usage --------------------------------------------

@test "bad list lines are configuration errors naming the line" {
	for line in "rbl = ONLYNAME" "rbl = bad-name rbl.test" \
	    "rbl = X nodot" "rbl = X rbl.test 127.0.0.2" \
	    "rbl = X rbl.test 127.0.0.2=bad-suffix" "rbl = X rbl.test 1.2.3=A" \
	    "rbl = X rbl.test 127.0.0.5-127.0.0.2=A" "rbl = X rbl.test blocked=x" \
	    "rbl = X rbl.test &x=A" "rbl = X rbl.test helo" \
	    "rhsbl = X rbl.test ipv4" "rbl = X rbl.test trust" \
	    "rbl = TEMPFAIL rbl.test" "rbl = BLOCKED rbl.test" "rbl = deep rbl.test" \
	    "rbl = X rbl.test wat"; do
		printf '%s\n' "$line" >"$XD_CONF"
		run --separate-stderr xd-rbl </dev/null
		[ "$status" -eq 2 ] || { echo "accepted: $line"; return 1; }
		[[ "$stderr" == *"${line#* = }"* ]] || { echo "$stderr"; return 1; }
	done
	printf '%s\n' "rbl = X rbl.test" "rbl = x rbl2.test" >"$XD_CONF"
	run --separate-stderr xd-rbl </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"a second list named X"* ]]
}

@test "usage: --help lists every option; bad options, arguments and numbers are errors" {
	run xd-rbl --help
	[ "$status" -eq 0 ]
	for o in --resolver --window --all-relays --keep --no-rdns --test --progress; do
		[[ "$output" == *"$o"* ]]
	done
	run xd-rbl --bogus
	[ "$status" -eq 2 ]
	run xd-rbl extra
	[ "$status" -eq 2 ]
	for w in 0 100001 x; do
		run xd-rbl -w "$w" </dev/null
		[ "$status" -eq 2 ]
	done
	run xd-rbl -r 127.0.0.1:99999 </dev/null
	[ "$status" -eq 2 ]
	run xd-rbl --progress -1 </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr xd-rbl --progress 0 </dev/null
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run xd-rbl -V
	[ "$status" -eq 0 ]
}

@test "--progress shows progress on stderr, not in the stream" {
	conf
	rbl 'm\tip=203.0.113.7'
	run --separate-stderr xd-rbl --progress 1 <in
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1/1 messages"* ]]
	[ "$(wc -l <<<"$output")" -eq 1 ]
}

@test "in the driver: stage rbl runs with no options, configured by xd.conf" {
	conf "stages = rbl"
	mkdir -p md/cur
	cat >md/cur/1:2, <<-EOF
	Received: from mx.spam.example (mx.spam.example [203.0.113.7])
	 by mx.example.org with ESMTP; Mon, 20 Nov 2023 08:00:00 +0000
	From: x@spam.example
	Subject: hi

	hello
	EOF
	run --separate-stderr xd check md
	[[ "$output" == *RBL_TEST_SBL=127.0.0.2* ]] || { echo "$output $stderr"; return 1; }
}

@test "xd-conf shows every list line, and its dump reads back" {
	printf '%s\n' "rbl = A a.example 127.0.0.2=X" "rbl = B b.example" >"$XD_CONF"
	run xd-conf rbl
	[ "$output" = "$(printf 'A a.example 127.0.0.2=X\nB b.example')" ]
	run xd-conf -l rbl
	[ "$output" = "$(printf 'A a.example 127.0.0.2=X\nB b.example')" ]
	xd-conf >dump
	grep -q '^rblwl = ""	# default$' dump
	grep -q "^rbl = \"B b.example\"	# $XD_CONF:2\$" dump
	XD_CONF=$PWD/dump run xd-conf -l rbl
	[ "$output" = "$(printf 'A a.example 127.0.0.2=X\nB b.example')" ]
}

@test "a write error on stdout is said once, with lookups in flight, and ends with 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	conf
	for i in $(seq 1 40); do printf 'm%d\tip=203.0.113.%d\n' "$i" "$i"; done >in
	rc=0
	xd-rbl <in >/dev/full 2>err || rc=$?
	cat err
	[ "$rc" -eq 1 ]
	[ "$(grep -c 'write error' err)" -eq 1 ]
	[ "$(tail -n 1 err)" = "xd-rbl: write error: No space left on device" ]
}
