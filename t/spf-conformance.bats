#!/usr/bin/env bats
# xd-spf against the rules of RFC 7208, one test (or a few) per rule,
# each named after the section that states it.  The records are in
# t/zones/spf7208.test.zone (and the reverse zones of 198.51.100.0/24
# and 2001:db8:5bf::/48), served by knot on 127.0.0.1.  The cases follow
# the rules that the OpenSPF RFC 7208 test suite checks; the names and
# records are our own.  Best guess is off: it is not RFC 7208.

load helper
load dns

setup_file() {
	knot_start
}

teardown_file() {
	knot_stop
}

H=mail.spf7208.test		# the HELO name unless a test says otherwise
IP=192.0.2.10			# the client unless a test says otherwise

# spf_line FIELDS: xd-spf -G -v on one line of the given fields
spf_line() {
	printf 'msg\t%s\n' "$1" | sed 's/\\t/\t/g' >in
	run --separate-stderr xd-spf -G -v <in
	got=$(tr '\t' '\n' <<<"$output" | sed -n 's/^\(SPF_[A-Z_]*\)=.*/\1/p')
}

# is WANT MAILFROM [IP [HELO]]: the result is WANT
is() {
	local from=${2//\%/%25} helo=${4-$H}

	spf_line "ip=${3:-$IP}\tmailfrom=$from\thelo=${helo//\%/%25}"
	if [ "$status" -ne 0 ] || [ "$got" != "$1" ]; then
		echo "want $1, got '$got' (exit $status) for $2 from ${3:-$IP}"
		echo "$stderr"
		return 1
	fi
}

# why TEXT: the last check said why in those words
why() {
	case $stderr in
	*"$1"*) return 0 ;;
	esac
	echo "expected \"$1\" in: $stderr"
	return 1
}

L63=l012345678901234567890123456789012345678901234567890123456789ab
L64=l012345678901234567890123456789012345678901234567890123456789abc

# --- 4.3 initial processing ---------------------------------------------

@test "4.3: a label of 64 bytes in the sender's domain gives none" {
	is SPF_NONE "x@$L64.spf7208.test"
}

@test "4.3: a label of 63 bytes is fine" {
	is SPF_FAIL "x@$L63.spf7208.test"
}

@test "4.3: an empty label gives none" {
	is SPF_NONE "x@a...spf7208.test"
}

@test "4.3: a domain that does not exist gives none" {
	is SPF_NONE x@nowhere.spf7208.test
}

@test "4.3: a HELO name of one label gives none" {
	is SPF_NONE "" "$IP" A2345678
}

@test "4.3: a HELO domain literal gives none" {
	is SPF_NONE "" "$IP" "[192.0.2.10]"
}

@test "4.3: a sender domain literal gives none" {
	is SPF_NONE "foo@[192.0.2.10]"
}

@test "4.3: without a local part the sender is postmaster" {
	is SPF_PASS "@lp.spf7208.test"
}

@test "2.3, 4.3: the null sender checks postmaster@HELO" {
	is SPF_PASS "" "$IP" ip8.spf7208.test
	[ "$(field SPF_PASS "$output")" = ip8.spf7208.test ]
}

# --- 3.1, 4.5, 4.6.1: what a record may hold ----------------------------

@test "3.1: a record with non-ASCII in a domain-spec is a permerror" {
	is SPF_PERMERROR foobar@hosed.spf7208.test
}

@test "3.1: a record with a non-ASCII byte before a mechanism is a permerror" {
	is SPF_PERMERROR foobar@hosed2.spf7208.test
}

@test "3.1: a record with a non-ASCII byte before all is a permerror" {
	is SPF_PERMERROR foobar@hosed3.spf7208.test
}

@test "4.5: non-ASCII in a TXT record that is not SPF is none of our business" {
	is SPF_FAIL foobar@nothosed.spf7208.test 192.0.2.99
}

@test "4.6.1: terms are separated by spaces, not by a CR" {
	is SPF_PERMERROR foobar@ctrl.spf7208.test
}

@test "4.6.1: two spaces between terms are fine" {
	is SPF_FAIL actually@twospaces.spf7208.test 192.0.2.99
}

@test "4.6.1: spaces at the end of a record are fine" {
	is SPF_FAIL x@trailing.spf7208.test
}

@test "7.1: a NUL byte in a record is a permerror" {
	is SPF_PERMERROR x@nul.spf7208.test
}

# --- 4.4 record lookup ----------------------------------------------------

@test "4.4: records of type SPF (99) are not looked at" {
	is SPF_NONE foo@spfonly.spf7208.test
}

@test "4.4: the TXT record counts, not the type SPF one" {
	is SPF_FAIL foo@spfoverride.spf7208.test
}

@test "4.4: a DNS error on the TXT lookup is a temperror" {
	is SPF_TEMPERROR foo@x.not-served.example
}

# --- 4.5 selecting records ------------------------------------------------

@test "4.5: a record of just v=spf1 is a record: neutral" {
	is SPF_NEUTRAL foo@bare.spf7208.test
}

@test "3.3, 4.5: TXT strings are joined without spaces, so v=spf1mx is no record" {
	is SPF_NONE foo@split.spf7208.test
}

@test "3.3: a record split over strings is joined" {
	is SPF_PASS foo@joined.spf7208.test
}

@test "4.5: v=spf10 is not a record of version 1" {
	is SPF_PASS foo@spf10.spf7208.test
}

@test "4.5: two records are a permerror" {
	is SPF_PERMERROR foo@two.spf7208.test
}

@test "4.5: two records are a permerror, whatever the case of v=spf1" {
	is SPF_PERMERROR foo@twocase.spf7208.test
}

@test "4.5: v=spf1 is case-insensitive" {
	is SPF_SOFTFAIL foo@case.spf7208.test
}

# --- 4.6 record evaluation, 4.7 default result ----------------------------

@test "4.6: a syntax error anywhere, even after all, is a permerror" {
	is SPF_PERMERROR foo@anywhere.spf7208.test
}

@test "4.6.1: an unknown modifier with a well-formed name is ignored" {
	is SPF_PASS foo@modok.spf7208.test
}

@test "4.6.1: a '/' before the '=' makes no modifier: permerror" {
	is SPF_PERMERROR foo@modslash.spf7208.test
}

@test "4.6.1: a ':' before the '=' makes no modifier: permerror" {
	is SPF_PERMERROR foo@modcolon.spf7208.test
}

@test "4.6.1: a modifier takes no qualifier" {
	is SPF_PERMERROR foo@modqual.spf7208.test
}

@test "4.6.3, 6.1: redirect is ignored when there is an all" {
	is SPF_SOFTFAIL foo@redirall.spf7208.test
}

@test "4.6.3: redirect takes effect after all the mechanisms" {
	is SPF_FAIL foo@redirlast.spf7208.test 192.0.2.11
}

@test "4.7: the default result is neutral" {
	is SPF_NEUTRAL foo@default.spf7208.test
}

@test "4.6.1: redirect is a modifier, not a mechanism" {
	is SPF_PERMERROR foo@redircolon.spf7208.test
}

@test "7.1: a domain-spec must end in a toplabel after a dot" {
	is SPF_PERMERROR foo@nodot.spf7208.test
}

@test "4.3, 4.8: a target with an empty label matches nothing" {
	is SPF_FAIL foo@emptylabel.spf7208.test
}

@test "4.3, 4.8: a target with a label over 63 bytes matches nothing" {
	is SPF_FAIL foo@longlabel.spf7208.test
}

@test "4.3, 4.8: a target made too long by a macro matches nothing" {
	is SPF_FAIL foo@longmacro.spf7208.test "$IP" "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%"
}

# --- 5.1 all ---------------------------------------------------------------

@test "5.1: all. is a permerror" {
	is SPF_PERMERROR foo@alldot.spf7208.test
}

@test "5.1: all takes no argument" {
	is SPF_PERMERROR foo@allarg.spf7208.test
}

@test "5.1: all takes no CIDR length" {
	is SPF_PERMERROR foo@allcidr.spf7208.test
}

@test "5.1: ?all is neutral" {
	is SPF_NEUTRAL foo@allneutral.spf7208.test
}

@test "5.1: the first all wins" {
	is SPF_PASS foo@alldouble.spf7208.test
}

# --- 5.2 include -----------------------------------------------------------

@test "5.2: an include that fails does not match" {
	is SPF_SOFTFAIL foo@incfail.spf7208.test
}

@test "5.2: an include that softfails does not match" {
	is SPF_PASS foo@incsoft.spf7208.test
}

@test "5.2: an include that is neutral does not match" {
	is SPF_FAIL foo@incneutral.spf7208.test
}

@test "5.2: an include that passes matches" {
	is SPF_PASS foo@incpass.spf7208.test
}

@test "5.2: the qualifier of a matching include is the result" {
	is SPF_SOFTFAIL foo@incqual.spf7208.test
}

@test "5.2: an include with a temperror is a temperror" {
	is SPF_TEMPERROR foo@inctemp.spf7208.test
}

@test "5.2: an include with a permerror is a permerror" {
	is SPF_PERMERROR foo@incperm.spf7208.test
}

@test "5.2: include needs a domain-spec" {
	is SPF_PERMERROR foo@incsyntax.spf7208.test
}

@test "5.2: an include of a domain without a record is a permerror" {
	is SPF_PERMERROR foo@incnone.spf7208.test
	why "included domain has no SPF record"
}

@test "5.2: an include of a domain that does not exist is a permerror" {
	is SPF_PERMERROR foo@incnx.spf7208.test
}

@test "5.2: include: with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@incempty.spf7208.test
}

@test "5.2: include takes no CIDR length" {
	is SPF_PERMERROR foo@inccidr.spf7208.test
}

# --- 5.3 a -------------------------------------------------------------------

@test "5.3: an ip6-cidr-length of 33 is fine" {
	is SPF_FAIL foo@acidr6.spf7208.test
}

@test "5.3: an ip4-cidr-length of 33 is a permerror" {
	is SPF_PERMERROR foo@acidr4bad.spf7208.test
}

@test "5.3: an ip6-cidr-length of 129 is a permerror" {
	is SPF_PERMERROR foo@acidr6bad.spf7208.test
}

@test "5.3: a dual CIDR length applies its IPv4 part to IPv4" {
	is SPF_PASS foo@adual.spf7208.test
}

@test "5.3: a dual CIDR length applies its IPv6 part to IPv6" {
	is SPF_PASS foo@adual.spf7208.test 2001:db8:5bf::beef
}

@test "5.3: a/24/64 is a permerror: the IPv6 length takes two slashes" {
	is SPF_PERMERROR foo@adualbad.spf7208.test
}

@test "5.3: without an ip6-cidr-length IPv6 is matched as /128" {
	is SPF_FAIL foo@a4only.spf7208.test 2001:db8:5bf::beef
}

@test "5.3: without an ip4-cidr-length IPv4 is matched as /32" {
	is SPF_FAIL foo@a6only.spf7208.test
}

@test "5.3: a matches any of the addresses" {
	is SPF_PASS foo@amulti.spf7208.test
}

@test "7.1: a ':' may not be in the toplabel" {
	is SPF_PERMERROR foo@aport.spf7208.test
}

@test "5.3: no address, no match, even with /0" {
	is SPF_FAIL foo@anx0.spf7208.test
}

@test "5.3: a/0 matches any IPv4 client when there is an A record" {
	is SPF_PASS foo@azero.spf7208.test
}

@test "5.3: a/0 does not apply to IPv6 clients" {
	is SPF_FAIL foo@azero.spf7208.test 2001:db8:5bf::1
}

@test "5.3: a//0 does not match an IPv4 client" {
	is SPF_FAIL foo@azero6.spf7208.test
}

@test "5.3: a//0 does not match an IPv4-mapped IPv6 client" {
	is SPF_FAIL foo@azero6.spf7208.test ::ffff:192.0.2.10
}

@test "5.3: a//0 matches any IPv6 client when there is an AAAA record" {
	is SPF_PASS foo@azero6.spf7208.test 2001:db8:5bf::1
}

@test "5.3: a//0 without an AAAA record does not match" {
	is SPF_FAIL foo@azero6nx.spf7208.test 2001:db8:5bf::1
}

@test "5.3: a looks up AAAA for an IPv6 client of a dual-stack name" {
	is SPF_PASS foo@dualstack.spf7208.test 2001:db8:5bf::77
}

@test "7.1: an IPv4 address is no domain-spec (a numeric toplabel)" {
	is SPF_PERMERROR foo@anumeric.spf7208.test
}

@test "7.1: a toplabel may not be all digits" {
	is SPF_PERMERROR foo@anumtop.spf7208.test
}

@test "7.1: a toplabel may hold dashes (xn--)" {
	is SPF_PASS foo@adash.spf7208.test
	is SPF_PASS foo@adashmatch.spf7208.test
	is SPF_FAIL foo@adashmatch.spf7208.test 192.0.2.11
}

@test "7.1: a toplabel may not begin with a dash" {
	is SPF_PERMERROR foo@adashtop.spf7208.test
}

@test "7.1: a domain-spec of only a toplabel is a permerror" {
	is SPF_PERMERROR foo@aonlytop.spf7208.test
}

@test "7.1: a domain-spec of only a toplabel and a dot is a permerror" {
	is SPF_PERMERROR foo@aonlytopdot.spf7208.test
}

@test "7.1: a domain-spec may hold ':' and '/'" {
	is SPF_PASS foo@acolon.spf7208.test
}

@test "7.1, 5: a domain-spec with ':' and '/' and an IPv4-mapped client" {
	is SPF_PASS foo@acolon.spf7208.test ::ffff:192.0.2.10
}

@test "5.3: a: with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@aempty.spf7208.test
}

# --- 5.4 mx ------------------------------------------------------------------

@test "5.4: mx with an ip6-cidr-length of 33 is fine" {
	is SPF_FAIL foo@mxcidr6.spf7208.test
}

@test "5.4: mx with an ip4-cidr-length of 33 is a permerror" {
	is SPF_PERMERROR foo@mxcidr4bad.spf7208.test
}

@test "5.4: mx with an ip6-cidr-length of 129 is a permerror" {
	is SPF_PERMERROR foo@mxcidr6bad.spf7208.test
}

@test "5.4: mx matches any address of the MX hosts" {
	is SPF_PASS foo@mxmulti.spf7208.test
}

@test "5.4: mx with a port in the domain-spec is a permerror" {
	is SPF_PERMERROR foo@mxport.spf7208.test
}

@test "5.4: an MX host without an address does not match, even with /0" {
	is SPF_FAIL foo@mxnx0.spf7208.test
}

@test "5.4: mx/0 matches any IPv4 client" {
	is SPF_PASS foo@mxzero.spf7208.test
}

@test "5.4: mx/0 does not apply to IPv6 clients" {
	is SPF_FAIL foo@mxzero.spf7208.test 2001:db8:5bf::1
}

@test "5.4: mx//0 does not match an IPv4 client" {
	is SPF_FAIL foo@mxzero6.spf7208.test
}

@test "5.4: mx//0 does not match an IPv4-mapped client" {
	is SPF_FAIL foo@mxzero6.spf7208.test ::ffff:192.0.2.10
}

@test "5.4: mx//0 matches any IPv6 client" {
	is SPF_PASS foo@mxzero6.spf7208.test 2001:db8:5bf::1
}

@test "5.4: mx//0 with MX hosts without AAAA does not match" {
	is SPF_FAIL foo@mxzero6nx.spf7208.test 2001:db8:5bf::1
}

@test "7.1: mx with a NUL in the domain-spec is a permerror" {
	is SPF_PERMERROR foo@mxnul.spf7208.test
}

@test "7.1: mx with a numeric toplabel is a permerror" {
	is SPF_PERMERROR foo@mxnumtop.spf7208.test
}

@test "7.1: mx with ':' and '/' in the domain-spec" {
	is SPF_PASS foo@mxcolon.spf7208.test
	is SPF_PASS foo@mxcolon.spf7208.test ::ffff:192.0.2.10
}

@test "7.1: mx with a toplabel beginning with a dash is a permerror" {
	is SPF_PERMERROR foo@mxdashtop.spf7208.test
}

@test "5.4: a null MX names no host" {
	is SPF_NEUTRAL "" "$IP" nullmx.spf7208.test
}

@test "5.4: without MX records mx does not fall back to the A record" {
	is SPF_NEUTRAL foo@mximplicit.spf7208.test
}

@test "5.4: mx: with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@mxempty.spf7208.test
}

# --- 5.5 ptr -------------------------------------------------------------------

@test "5.5: ptr takes no CIDR length" {
	is SPF_PERMERROR foo@ptrcidr.spf7208.test
}

@test "5.5: ptr matches a validated name under the target" {
	is SPF_PASS foo@ptrtarget.spf7208.test 198.51.100.4
}

@test "5.5: ptr without a target means the current domain" {
	is SPF_PASS foo@p3.spf7208.test 198.51.100.4
}

@test "5.5: a PTR name that does not resolve back does not match" {
	is SPF_FAIL foo@p4.spf7208.test 198.51.100.4
}

@test "5.5: ptr for an IPv6 client" {
	is SPF_PASS foo@p3.spf7208.test 2001:db8:5bf::c0fe
}

@test "5.5: ptr: with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@ptrempty.spf7208.test
}

@test "5.5: names are compared without regard to case" {
	is SPF_PASS bar@ptrcase.spf7208.test 2001:db8:5bf::1:1
}

@test "5.5: a DNS error on the PTR lookup is no match, not a temperror" {
	is SPF_FAIL foo@ptrerr.spf7208.test 203.0.112.9
}

# --- 5.6 ip4 and ip6 ------------------------------------------------------------

@test "5.6: ip4:/0 matches every IPv4 client" {
	is SPF_PASS foo@cidr40.spf7208.test
}

@test "5.6: ip4:/32" {
	is SPF_PASS foo@cidr432.spf7208.test
}

@test "5.6: ip4:/33 is a permerror" {
	is SPF_PERMERROR foo@cidr433.spf7208.test
}

@test "5.6: a CIDR length with a leading zero is a permerror" {
	is SPF_PERMERROR foo@cidr4032.spf7208.test
}

@test "5.6: ip4 needs an address" {
	is SPF_PERMERROR foo@ip4bare.spf7208.test
}

@test "5.6: ip4 with a port is a permerror" {
	is SPF_PERMERROR foo@ip4port.spf7208.test
}

@test "5.6: ip4 with three parts is a permerror" {
	is SPF_PERMERROR foo@ip4short.spf7208.test
}

@test "5.6: ip4 takes no dual CIDR length" {
	is SPF_PERMERROR foo@ip4dual.spf7208.test
}

@test "5.6: an ip4-network with a leading zero is a permerror" {
	is SPF_PERMERROR foo@ip4zero.spf7208.test
}

@test "5: an IPv4-mapped IPv6 client is an IPv4 client" {
	is SPF_FAIL foo@ip4mapped.spf7208.test ::ffff:192.0.2.10
}

@test "5.6: ip6 needs an address" {
	is SPF_PERMERROR foo@ip6bare.spf7208.test
}

@test "5.6: ip6 never matches an IPv4 client" {
	is SPF_NEUTRAL foo@cidr60.spf7208.test
}

@test "5.6: ip6 never matches an IPv4-mapped client" {
	is SPF_NEUTRAL foo@cidr60.spf7208.test ::ffff:192.0.2.10
}

@test "5.6: ip6:/0 matches every IPv6 client" {
	is SPF_PASS foo@cidr60.spf7208.test 2001:db8:5bf::1
}

@test "5.6: ip6:/129 is a permerror" {
	is SPF_PERMERROR foo@cidr6129.spf7208.test
}

@test "5.6: ip6 takes no dual CIDR length" {
	is SPF_PERMERROR foo@cidr6dual.spf7208.test
}

@test "5.6: an IPv6 prefix length of 49 applies to IPv6" {
	is SPF_PASS foo@cidr633.spf7208.test 2001:db8:5bf:8000::1
	is SPF_NEUTRAL foo@cidr633.spf7208.test 2001:db8:5bf::1
}

@test "5.6: an IPv6 prefix does not apply to IPv4" {
	is SPF_NEUTRAL foo@cidr633.spf7208.test
}

@test "5.6: a malformed ip6-network is a permerror" {
	is SPF_PERMERROR foo@ip6bad.spf7208.test
}

# --- 5.7 exists ------------------------------------------------------------------

@test "5.7: exists: with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@exempty.spf7208.test
}

@test "5.7: exists needs a domain-spec" {
	is SPF_PERMERROR foo@exbare.spf7208.test
}

@test "5.7: exists takes no CIDR length" {
	is SPF_PERMERROR foo@excidr.spf7208.test
}

@test "5.7: exists matches when there is an A record" {
	is SPF_PASS foo@exists.spf7208.test
}

@test "5.7: exists looks up A records for IPv6 clients too" {
	is SPF_PASS foo@exists.spf7208.test 2001:db8:5bf::1
	is SPF_FAIL foo@exists6.spf7208.test 2001:db8:5bf::1
}

@test "5, 5.7: a DNS error in exists is a temperror" {
	is SPF_TEMPERROR foo@exerr.spf7208.test
}

# --- 6 modifiers ----------------------------------------------------------------

@test "6.1: a redirect to a domain without a record is a permerror" {
	is SPF_PERMERROR foo@rnone.spf7208.test
	why "redirect target has no SPF record"
}

@test "6.1: a redirect to a domain that does not exist is a permerror" {
	is SPF_PERMERROR foo@rnx.spf7208.test
}

@test "6.2: exp= does not change the result of a redirect" {
	is SPF_FAIL foo@rexp.spf7208.test
}

@test "A: a modifier name begins with a letter" {
	is SPF_PERMERROR foo@name1up.spf7208.test
}

@test "A: a modifier name may not be empty" {
	is SPF_PERMERROR foo@noname.spf7208.test
}

@test "A: an unknown modifier must be a well-formed macro-string" {
	is SPF_PERMERROR foo@badmacro.spf7208.test
}

@test "6.2: exp= with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@expempty.spf7208.test
}

@test "6.2: exp= takes a domain-spec" {
	is SPF_PERMERROR foo@expbad.spf7208.test
}

@test "6: exp= twice is a permerror" {
	is SPF_PERMERROR foo@exptwice.spf7208.test
	why "two exp modifiers"
}

@test "6: redirect= twice is a permerror" {
	is SPF_PERMERROR foo@redirtwice.spf7208.test
	why "two redirect modifiers"
}

@test "6.1: redirect= takes a domain-spec" {
	is SPF_PERMERROR foo@redirbad.spf7208.test
}

@test "6.1: redirect= with an empty domain-spec is a permerror" {
	is SPF_PERMERROR foo@redirempty.spf7208.test
}

@test "6: unknown modifiers do not change the result (default=pass)" {
	is SPF_NEUTRAL foo@default1.spf7208.test
	is SPF_NEUTRAL foo@default2.spf7208.test
}

@test "6.2: a DNS error on the exp= domain does not change the result" {
	is SPF_FAIL foo@experr.spf7208.test
}

@test "4.6.4, 6.2: exp= is no void lookup" {
	is SPF_FAIL foo@expvoid.spf7208.test
}

@test "6.1: after a redirect the current domain is the target's" {
	is SPF_PASS bar@rimplicit.spf7208.test 192.0.2.22
	is SPF_FAIL bar@rimplicit.spf7208.test 192.0.2.21
}

# --- 7 macros -------------------------------------------------------------------

@test "7.3: a trailing dot of an expanded domain is dropped" {
	is SPF_PASS test@mt.spf7208.test 192.0.2.40
}

@test "7.1: c, r and t are for explanations only" {
	is SPF_PERMERROR test@mexpletter.spf7208.test
}

@test "7.1: a '%' not followed by '{', '%', '-' or '_' is a permerror" {
	is SPF_PERMERROR test@mparen.spf7208.test
	is SPF_PERMERROR test@membedded.spf7208.test
}

@test "7.1: a '%' at the end is a permerror" {
	is SPF_PERMERROR test@mtrailing.spf7208.test
}

@test "7.1: an unknown macro letter is a permerror" {
	is SPF_PERMERROR test@mundef.spf7208.test
}

@test "7.1: a transformer of 0 parts is a permerror" {
	is SPF_PERMERROR test@mzero.spf7208.test
}

@test "7.1: an unterminated macro is a permerror" {
	is SPF_PERMERROR test@mbrace.spf7208.test
}

@test "7.1: %%, %_ and %- expand to '%', a space and %20" {
	is SPF_PASS test@mmania.spf7208.test
}

@test "7.3: %{p} prefers a validated name under the domain" {
	is SPF_PASS test@mp.spf7208.test 198.51.100.42
}

@test "7.3: %{p} is unknown without a validated name" {
	is SPF_PASS test@mpunknown.spf7208.test 198.51.100.43
}

@test "7.3: an upper-case macro is URL-escaped" {
	is SPF_PASS '~jack&jill=up-a_b3.c@mupper.spf7208.test'
}

@test "7.3: %{h} is the HELO name" {
	is SPF_PASS test@mhelo.spf7208.test
}

@test "7.1: syntax is not checked after expansion: an odd HELO matches nothing" {
	is SPF_FAIL test@mhelosuffix.spf7208.test "$IP" "JUMPIN' JUPITER"
	is SPF_FAIL test@mhelosuffix.spf7208.test "$IP" "[192.0.2.10]"
}

@test "7.3: a policy that requires a HELO name that resolves" {
	is SPF_FAIL test@mrequire.spf7208.test 192.0.2.4 bogus.spf7208.test
	is SPF_PASS test@mrequire.spf7208.test
}

@test "7.3: split on '-', reversed, two right-hand parts" {
	is SPF_PASS philip-gladstone-test@msplit.spf7208.test
}

@test "7.3: several delimiters" {
	is SPF_PASS foo-bar+zip+quux@mdelims.spf7208.test
}

@test "7.3: %{ir} and %{v} for IPv4 and IPv6" {
	is SPF_PASS test@mrev.spf7208.test
	is SPF_PASS test@mrev.spf7208.test 2001:db8:5bf::4
}

@test "7.3: an expansion over 253 bytes loses labels on the left" {
	is SPF_PASS abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij@mlong.spf7208.test
}

@test "7.3: %{o} and %{s}" {
	is SPF_PASS test@mo2.spf7208.test
	is SPF_PASS bob@ms.spf7208.test
}

@test "7.3: more right-hand parts than there are is all of them" {
	is SPF_PASS test@mdigits.spf7208.test
}

# --- 4.6.4 processing limits ----------------------------------------------------

@test "4.6.4: a redirect loop ends at 10 DNS-querying terms" {
	is SPF_PERMERROR foo@rloop.spf7208.test
	why "more than 10 DNS-querying terms"
}

@test "4.6.4: an include loop ends at 10 DNS-querying terms" {
	is SPF_PERMERROR foo@iloop1.spf7208.test
	why "more than 10 DNS-querying terms"
}

@test "4.6.4: more than 10 MX names is a permerror, even when one matches" {
	is SPF_PERMERROR foo@mxlimit.spf7208.test
	why "more than 10 MX names"
}

@test "4.6.4: 10 MX names are fine" {
	is SPF_PASS foo@mx10limit.spf7208.test
}

@test "4.6.4: PTR names past the tenth are ignored" {
	is SPF_NEUTRAL foo@ptrlimit.spf7208.test 198.51.100.5
}

@test "4.6.4: there is no limit on A records" {
	is SPF_PASS foo@alimit.spf7208.test
}

@test "4.6.4: 10 DNS-querying terms are fine" {
	is SPF_PASS foo@atlimit.spf7208.test
}

@test "4.6.4: 11 DNS-querying terms are a permerror" {
	is SPF_PERMERROR foo@overlimit.spf7208.test
	why "more than 10 DNS-querying terms"
}

@test "4.6.4: the terms of included records count" {
	is SPF_PASS foo@incatlimit.spf7208.test
	is SPF_PERMERROR foo@incoverlimit.spf7208.test
	why "more than 10 DNS-querying terms"
}

@test "4.6.4: 2 void lookups are fine" {
	is SPF_NEUTRAL foo@voidat.spf7208.test
}

@test "4.6.4: 3 void lookups are a permerror" {
	is SPF_PERMERROR foo@voidover.spf7208.test
	why "more than 2 void lookups"
}

@test "4.6.4: a match after the third void lookup is still a permerror" {
	is SPF_PERMERROR foo@voidmatch.spf7208.test
}

@test "4.6.4: the third void lookup in the last term is a permerror" {
	is SPF_PERMERROR foo@voidend.spf7208.test
}

@test "4.6.4: void lookups in included records count" {
	is SPF_PERMERROR foo@voidinc.spf7208.test
}

@test "4.6.4: empty answers (NODATA) are void too" {
	is SPF_PERMERROR foo@voidnodata.spf7208.test
	why "more than 2 void lookups"
}

# --- more ---------------------------------------------------------------------------

@test "5.4, 5.5, 6.1: mx, then a redirect to ptr, over IPv6" {
	is SPF_PASS test@bytes.spf7208.test 2001:db8:5bf::2
}

@test "loopback clients get no free pass (libspf2 gives one)" {
	is SPF_FAIL foo@loop.spf7208.test 127.0.0.1
	is SPF_FAIL foo@loop.spf7208.test ::1
}
