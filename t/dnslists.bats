#!/usr/bin/env bats
# The DNS lists xd ships (share/dnslists), on by default: each list's
# return codes, "you may not query" answers, dropping a list, replacing
# one.  The shipped file is tested as it is, its zones renamed to the
# test copies of t/zones/ZONE.test.zone that knot serves on 127.0.0.1:
# no test asks a real list.

load helper
load dns

setup_file() {
	knot_start
}

teardown_file() {
	knot_stop
}

setup() {
	# helper's setup, then knot as the resolver; see t/dns.bash
	export PATH="$XD_BIN:$REPO/bin:$PATH" XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home" XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	mkdir -p "$HOME"
	: >"$XD_CONF"
	export XD_RESOLVER=$KNOT_RESOLVER
	cd "$BATS_TEST_TMPDIR" || return 1
	# the shipped lists, every zone under .test
	sed -E 's/^((rbl|rblwl|rhsbl|rhswl|uribl|uribl_ip) = [A-Z0-9_]+ [^ ]+)/\1.test/' \
	    "$REPO/share/dnslists" >dnslists
	export XD_DNSLISTS=$PWD/dnslists
	echo 'rdns_check = no' >"$XD_CONF"
}

# rbl LINE...: xd-rbl on one stream line per argument
rbl() {
	printf '%b\n' "$@" >in
	run --separate-stderr xd-rbl <in
}

# syms N: the list symbols on output line N
syms() {
	sed -n "${1}p" <<<"$output" | tr '\t' '\n' |
	    grep -E '^(RBL|RBLWL|RHSBL|RHSWL)_' | grep -v '^RBL_CHECKED=' |
	    tr '\n' ' ' | sed 's/ $//'
}

# ip N: a stream line for relay 203.0.113.N
ip() {
	printf 'm%s\tip=203.0.113.%s' "$1" "$1"
}

@test "every zone of the shipped file has a test copy, and the copy answers RFC 5782's test points" {
	zones=$(sed -nE 's/^[a-z_]+ = [A-Z0-9_]+ ([^ ]+).*/\1/p' dnslists)
	[ "$(wc -l <<<"$zones")" -ge 9 ]
	for z in $zones; do
		[ -f "$BATS_TEST_DIRNAME/zones/$z.zone" ] || { echo "no test zone $z"; return 1; }
	done
	run xd-rbl -t
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'ok$' <<<"$output")" -eq 7 ]
	run xd-urlcheck -t
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "Spamhaus ZEN: SBL, CSS, XBL, DROP and PBL by return code" {
	rbl "$(ip 2)" "$(ip 3)" "$(ip 4)" "$(ip 7)" "$(ip 9)" "$(ip 10)" "$(ip 11)"
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_ZEN_SBL=127.0.0.2 RBL_SPAMCOP_LISTED=127.0.0.2 RBL_MSPIKE_BL=127.0.0.2 RBL_PSBL_LISTED=127.0.0.2" ]
	[ "$(syms 2)" = "RBL_ZEN_CSS=127.0.0.3" ]
	[ "$(syms 3)" = "RBL_ZEN_XBL=127.0.0.4" ]
	[ "$(syms 4)" = "RBL_ZEN_XBL=127.0.0.7" ]
	[ "$(syms 5)" = "RBL_ZEN_DROP=127.0.0.9" ]
	[ "$(syms 6)" = "RBL_ZEN_PBL=127.0.0.10 RBL_MSPIKE_L5=127.0.0.10" ]
	[ "$(syms 7)" = "RBL_ZEN_PBL=127.0.0.11 RBL_MSPIKE_L4=127.0.0.11" ]
}

@test "the PBL counts for the last external hop only" {
	rbl "$(ip 10)\tlastext=198.51.100.7" "$(ip 2)\tlastext=198.51.100.7"
	[ "$(syms 1)" = "RBL_MSPIKE_L5=127.0.0.10" ]
	[ "$(syms 2)" = "RBL_ZEN_SBL=127.0.0.2 RBL_SPAMCOP_LISTED=127.0.0.2 RBL_MSPIKE_BL=127.0.0.2 RBL_PSBL_LISTED=127.0.0.2" ]
	# a deeper relay (-a) is never the last external hop
	printf 'm\tip=203.0.113.99\trelays=203.0.113.99,203.0.113.10,203.0.113.4\n' >in
	run --separate-stderr xd-rbl -a <in
	[ "$(syms 1)" = "RBL_DEEP_ZEN_XBL=127.0.0.4@203.0.113.4 RBL_DEEP_MSPIKE_L5=127.0.0.10@203.0.113.10" ]
}

@test "Spamhaus's you-may-not-query answers are RBL_BLOCKED, said once a run" {
	rbl "$(ip 252)" "$(ip 254)" "$(ip 255)" "$(ip 254)"
	[ "$status" -eq 0 ]
	for n in 1 2 4; do
		[ "$(syms $n)" = "RBL_BLOCKED=zen.spamhaus.org.test" ]
	done
	# 203.0.113.255 is DNSWL's blocked answer too
	[ "$(syms 3)" = "RBL_BLOCKED=zen.spamhaus.org.test RBL_BLOCKED=list.dnswl.org.test" ]
	[ "$(grep -c 'zen.spamhaus.org.test refuses this resolver' <<<"$stderr")" -eq 1 ]
}

@test "Mailspike: reputation levels L5 to L2, neutral is nothing; its allowlist H2 to H5" {
	rbl "$(ip 12)" "$(ip 13)" "$(ip 14)" "$(ip 17)" "$(ip 20)"
	[ "$(syms 1)" = "RBL_MSPIKE_L3=127.0.0.12" ]
	[ "$(syms 2)" = "RBL_MSPIKE_L2=127.0.0.13" ]
	[ "$(syms 3)" = "" ]
	[ "$(syms 4)" = "RBLWL_MSPIKE_H2=127.0.0.17" ]
	[ "$(syms 5)" = "RBLWL_MSPIKE_H5=127.0.0.20" ]
	[ -z "$stderr" ]
}

@test "DNSWL: one symbol per trust level; its too-many-queries answer is RBL_BLOCKED" {
	rbl "$(ip 100)" "$(ip 101)" "$(ip 102)" "$(ip 103)" "$(ip 255)"
	[ "$(syms 1)" = "RBLWL_DNSWL_NONE=127.0.15.0" ]
	[ "$(syms 2)" = "RBLWL_DNSWL_LOW=127.0.15.1" ]
	[ "$(syms 3)" = "RBLWL_DNSWL_MED=127.0.15.2" ]
	[ "$(syms 4)" = "RBLWL_DNSWL_HI=127.0.15.3" ]
	[[ "$(syms 5)" == *"RBL_BLOCKED=list.dnswl.org.test"* ]]
}

@test "the sender's domains against the DBL, by return code" {
	rbl 'a\tmailfrom=x@spam.example' 'b\tfrom=x@phish.example' \
	    'c\thelo=mx.botnet.example' 'd\tmailfrom=x@abused-redir.example' \
	    'e\tmailfrom=x@refused.example' 'f\tmailfrom=x@ip-query.example' \
	    'g\tmailfrom=x@ham.example'
	[ "$(syms 1)" = "RHSBL_DBL_SPAM=spam.example" ]
	[ "$(syms 2)" = "RHSBL_DBL_PHISH=phish.example" ]
	[ "$(syms 3)" = "RHSBL_DBL_BOTNET=botnet.example" ]
	[ "$(syms 4)" = "RHSBL_DBL_ABUSED_REDIR=abused-redir.example" ]
	[ "$(syms 5)" = "RBL_BLOCKED=dbl.spamhaus.org.test" ]
	[ "$(syms 6)" = "RBL_BLOCKED=dbl.spamhaus.org.test" ]
	[ "$(syms 7)" = "" ]
}

# links FILE DOMAIN...: a message whose body links to each DOMAIN
links() {
	local f=$1 d
	shift
	{
		printf 'From: a@example.com\nTo: b@example.net\nSubject: links\n\n'
		for d; do printf 'see http://www.%s/x\n' "$d"; done
	} >"$f"
}

# uribl FILE...: the URIBL_ symbols xd-urlcheck gives each message
uribl() {
	local f
	{
		echo '#xd-stream 1'
		for f; do printf '%s\n' "$PWD/$f"; done
	} >in
	run --separate-stderr xd-urlcheck <in
}

usyms() {
	grep -v '^#' <<<"$output" | sed -n "${1}p" | tr '\t' '\n' |
	    grep '^URIBL_' | tr '\n' ' ' | sed 's/ $//'
}

@test "links: the DBL by return code, SURBL and URIBL multi by their bits" {
	links a spam.example
	links b abused-phish.example
	links c ph.example
	links d all.example
	links e black.example
	links f grey.example
	links g red.example
	links h abuse.example cr.example
	uribl a b c d e f g h
	[ "$status" -eq 0 ]
	[ "$(usyms 1)" = "URIBL_DBL_SPAM=spam.example" ]
	[ "$(usyms 2)" = "URIBL_DBL_ABUSED_PHISH=abused-phish.example" ]
	[ "$(usyms 3)" = "URIBL_SURBL_PH=ph.example" ]
	[ "$(usyms 4)" = "URIBL_SURBL_ABUSE=all.example URIBL_SURBL_CR=all.example URIBL_SURBL_MW=all.example URIBL_SURBL_PH=all.example URIBL_URIBL_BLACK=all.example URIBL_URIBL_GREY=all.example URIBL_URIBL_RED=all.example" ]
	[ "$(usyms 5)" = "URIBL_URIBL_BLACK=black.example" ]
	[ "$(usyms 6)" = "URIBL_URIBL_GREY=grey.example" ]
	[ "$(usyms 7)" = "URIBL_URIBL_RED=red.example" ]
	[ "$(usyms 8)" = "URIBL_SURBL_ABUSE=abuse.example URIBL_SURBL_CR=cr.example" ]
}

@test "links: URIBL's and SURBL's 127.0.0.1 is URIBL_BLOCKED, said once a run" {
	links a refused.example
	links b refused.example
	uribl a b
	[[ "$(usyms 1)" == *"URIBL_BLOCKED=multi.surbl.org.test"* ]]
	[[ "$(usyms 1)" == *"URIBL_BLOCKED=multi.uribl.com.test"* ]]
	[[ "$(usyms 1)" == *"URIBL_BLOCKED=dbl.spamhaus.org.test"* ]]
	[ "$(usyms 2)" = "$(usyms 1)" ]
	[ "$(grep -c 'multi.uribl.com.test refuses this resolver' <<<"$stderr")" -eq 1 ]
}

@test "dnslists_drop: one line drops a list by name, or every list under a zone" {
	echo 'dnslists_drop = zen' >>"$XD_CONF"
	rbl "$(ip 3)" "$(ip 2)"
	[ "$(syms 1)" = "" ]
	[ "$(syms 2)" = "RBL_SPAMCOP_LISTED=127.0.0.2 RBL_MSPIKE_BL=127.0.0.2 RBL_PSBL_LISTED=127.0.0.2" ]
	echo 'dnslists_drop = spamhaus.org.test' >>"$XD_CONF"
	rbl "$(ip 3)" 'b\tmailfrom=x@spam.example'
	[ "$(syms 1)" = "" ]
	[ "$(syms 2)" = "" ]
	links a spam.example
	uribl a
	[ "$(usyms 1)" = "" ]
}

@test "a list of the same kind and name in xd.conf replaces the shipped one" {
	echo 'rbl = ZEN rbl.test 127.0.0.2=SBL' >>"$XD_CONF"
	rbl 'a\tip=203.0.113.7' "$(ip 3)"
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_ZEN_SBL=127.0.0.2" ]
	[ "$(syms 2)" = "" ]
}

@test "dnslists = none, or XD_DNSLISTS=none, ships no list" {
	echo 'dnslists = none' >>"$XD_CONF"
	unset XD_DNSLISTS
	rbl "$(ip 2)"
	[ "$(syms 1)" = "" ]
	export XD_DNSLISTS=none
	echo 'rdns_check = no' >"$XD_CONF"
	rbl "$(ip 2)"
	[ "$(syms 1)" = "" ]
}

@test "a bad line of the shipped file is an error at its file and line" {
	printf '# lists\nrbl = ZEN zen.test 127.0.0.2=SBL last=XBL\n' >dnslists
	rbl "$(ip 2)"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$PWD/dnslists:2: rbl = ZEN zen.test 127.0.0.2=SBL last=XBL: last= names no return code"* ]]
	printf 'spf = X y.test\n' >dnslists
	rbl "$(ip 2)"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"dnslists:1: expected rbl, rblwl"* ]]
}

@test "by default the shipped lists are asked; with resolver none nothing is sent" {
	unset XD_DNSLISTS
	export XD_RESOLVER=none
	rbl "$(ip 2)"
	[ "$status" -eq 0 ]
	[ "$(syms 1)" = "RBL_TEMPFAIL=zen.spamhaus.org RBL_TEMPFAIL=bl.spamcop.net RBL_TEMPFAIL=bl.mailspike.net RBL_TEMPFAIL=psbl.surriel.com RBLWL_TEMPFAIL=list.dnswl.org RBLWL_TEMPFAIL=wl.mailspike.net" ]
}

