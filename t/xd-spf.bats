#!/usr/bin/env bats
# xd-spf: the results and their values, the identity checked, best
# guess, the resolver (on a port of its own), time bounds, the window
# and the order of lines, the cache, --keep, errors and options.  The
# records are t/zones/spf.test.zone (and spf7208.test.zone), served by
# knot; silent and hostile answers come from t/dnsserver.py.  The RFC
# 7208 rules are in t/spf-conformance.bats.

load helper
load dns

setup_file() {
	knot_start
	dnsserver_start --late 300
}

teardown_file() {
	dnsserver_stop
	knot_stop
}

# spf LINE...: xd-spf on one line per argument (fields as TABs, \t)
spf() {
	printf '%b\n' "$@" >in
	run --separate-stderr xd-spf "${OPTS[@]}" <in
}
OPTS=()

# sym N: the SPF_ fields of output line N
sym() {
	sed -n "${1}p" <<<"$output" | tr '\t' '\n' | grep '^SPF_' || true
}

@test "every result is a symbol whose value is the domain checked" {
	for r in pass fail softfail neutral permerror temperror none; do
		spf "m\tip=192.0.2.7\tmailfrom=bob@$r.spf.test"
		[ "$status" -eq 0 ]
		want="SPF_$(tr a-z A-Z <<<"$r")=$r.spf.test"
		[ "$(sym 1)" = "$want" ] || { echo "$r: $(sym 1), want $want"; return 1; }
	done
}

@test "one symbol per line, appended after the fields already there" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test\tzz=1"
	[ "$output" = "m	ip=192.0.2.7	mailfrom=bob@pass.spf.test	zz=1	SPF_PASS=pass.spf.test" ]
}

@test "IPv6 clients" {
	spf "m\tip=2001:db8:5bf::9\tmailfrom=bob@six.spf.test" \
	    "m\tip=2001:db8:5bf::9\tmailfrom=bob@pass.spf.test"
	[ "$(sym 1)" = SPF_PASS=six.spf.test ]
	[ "$(sym 2)" = SPF_FAIL=pass.spf.test ]
}

@test "the null sender (mailfrom= empty) has the HELO name checked" {
	spf "m\tip=192.0.2.7\tmailfrom=\thelo=helo.spf.test" \
	    "m\tip=192.0.2.8\tmailfrom=\thelo=helo.spf.test"
	[ "$(sym 1)" = SPF_PASS=helo.spf.test ]
	[ "$(sym 2)" = SPF_FAIL=helo.spf.test ]
}

@test "without mailfrom= the HELO name is checked" {
	spf "m\tip=192.0.2.7\thelo=helo.spf.test"
	[ "$(sym 1)" = SPF_PASS=helo.spf.test ]
}

@test "with a sender, its domain is checked, not the HELO name" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@fail.spf.test\thelo=helo.spf.test"
	[ "$(sym 1)" = SPF_FAIL=fail.spf.test ]
}

@test "no sender and no HELO name: SPF_NONE with no domain" {
	spf "m\tip=192.0.2.7" "m\tip=192.0.2.7\tmailfrom=\thelo="
	[ "$(sym 1)" = SPF_NONE= ]
	[ "$(sym 2)" = SPF_NONE= ]
}

@test "a HELO name that is an address is no domain: SPF_NONE, nothing asked" {
	export XD_RESOLVER=none
	spf "m\tip=192.0.2.7\tmailfrom=\thelo=192.0.2.7" \
	    "m\tip=192.0.2.7\tmailfrom=\thelo=[192.0.2.7]" \
	    "m\tip=2001:db8::7\thelo=2001:db8::7"
	[ "$(sym 1)" = SPF_NONE=192.0.2.7 ]
	[ "$(sym 2)" = "SPF_NONE=[192.0.2.7]" ]
	[ "$(sym 3)" = SPF_NONE=2001:db8::7 ]
}

@test "a line without ip= (local mail) gets no SPF symbol" {
	spf "m\tmailfrom=bob@pass.spf.test"
	[ "$status" -eq 0 ]
	[ "$output" = "m	mailfrom=bob@pass.spf.test" ]
}

@test "an ip= that is no address is error=xd-spf:bad-ip, and exit 1" {
	spf "a\tip=192.0.2.300\tmailfrom=bob@pass.spf.test" \
	    "b\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p <<<"$output")" = "a	ip=192.0.2.300	mailfrom=bob@pass.spf.test	error=xd-spf:bad-ip" ]
	[ "$(sym 2)" = SPF_PASS=pass.spf.test ]
	[[ "$stderr" == *"<stdin>:1: ip=192.0.2.300"* ]]
}

# --- best guess -------------------------------------------------------

@test "best guess: no record and an address in the /24 of the domain's A passes" {
	spf "m\tip=192.0.2.9\tmailfrom=bob@guess.spf.test"
	[ "$(sym 1)" = SPF_BESTGUESS_PASS=guess.spf.test ]
}

@test "best guess: or in the /24 of one of its MX hosts" {
	spf "m\tip=198.51.100.1\tmailfrom=bob@guessmx.spf.test"
	[ "$(sym 1)" = SPF_BESTGUESS_PASS=guessmx.spf.test ]
}

@test "best guess: TXT records that are not SPF do not stop it" {
	spf "m\tip=192.0.2.9\tmailfrom=bob@guesstxt.spf.test"
	[ "$(sym 1)" = SPF_BESTGUESS_PASS=guesstxt.spf.test ]
}

@test "best guess: IPv6 clients in the /64 of an AAAA record" {
	spf "m\tip=2001:db8:5bf:1::99\tmailfrom=bob@guess6.spf.test" \
	    "m\tip=2001:db8:5bf:2::99\tmailfrom=bob@guess6.spf.test"
	[ "$(sym 1)" = SPF_BESTGUESS_PASS=guess6.spf.test ]
	[ "$(sym 2)" = SPF_NONE=guess6.spf.test ]
}

@test "best guess only ever passes: far away, SPF_NONE stays" {
	spf "m\tip=192.0.2.9\tmailfrom=bob@guessfar.spf.test" \
	    "m\tip=192.0.2.9\tmailfrom=bob@nowhere.spf.test"
	[ "$(sym 1)" = SPF_NONE=guessfar.spf.test ]
	[ "$(sym 2)" = SPF_NONE=nowhere.spf.test ]
}

@test "best guess is for domains without a record: a record decides" {
	spf "m\tip=192.0.2.9\tmailfrom=bob@near.spf.test" \
	    "m\tip=192.0.2.9\tmailfrom=bob@nearbad.spf.test"
	[ "$(sym 1)" = SPF_FAIL=near.spf.test ]
	[ "$(sym 2)" = SPF_PERMERROR=nearbad.spf.test ]
}

@test "-G, --no-guess and spf_best_guess = no turn best guess off" {
	for o in -G --no-guess; do
		OPTS=("$o")
		spf "m\tip=192.0.2.9\tmailfrom=bob@guess.spf.test"
		[ "$(sym 1)" = SPF_NONE=guess.spf.test ]
	done
	OPTS=()
	echo "spf_best_guess = no" >"$XD_CONF"
	spf "m\tip=192.0.2.9\tmailfrom=bob@guess.spf.test"
	[ "$(sym 1)" = SPF_NONE=guess.spf.test ]
}

@test "spf_best_guess takes yes or no" {
	echo "spf_best_guess = maybe" >"$XD_CONF"
	spf "m\tip=192.0.2.9\tmailfrom=bob@guess.spf.test"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"spf_best_guess = maybe: expected yes or no"* ]]
	[ -z "$output" ]
}

# --- the resolver ------------------------------------------------------

@test "--resolver ADDR:PORT is honoured: knot on a port other than 53" {
	[ "$KNOT_PORT" -ne 53 ]
	export XD_RESOLVER=none
	OPTS=(--resolver "$KNOT_RESOLVER")
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ "$(sym 1)" = SPF_PASS=pass.spf.test ]
	# the same with a port where nothing listens: no answer, a temperror
	OPTS=(-r "127.0.0.1:$(dns_free_port)")
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ "$(sym 1)" = SPF_TEMPERROR=pass.spf.test ]
}

@test "the resolver from \$XD_RESOLVER, then xd.conf" {
	export XD_RESOLVER=$KNOT_RESOLVER
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ "$(sym 1)" = SPF_PASS=pass.spf.test ]
	unset XD_RESOLVER
	echo "resolver = $KNOT_RESOLVER" >"$XD_CONF"
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ "$(sym 1)" = SPF_PASS=pass.spf.test ]
}

@test "the HELO and MX lookups go to the same resolver" {
	OPTS=(-r "$DNSSERVER_RESOLVER")
	: >"$DNSSERVER_LOG"
	spf "m\tip=192.0.2.7\tmailfrom=\thelo=4.listed.test"
	[ "$(sym 1)" = SPF_NONE=4.listed.test ]
	grep -q '^4.listed.test TXT ' "$DNSSERVER_LOG"
	grep -q '^4.listed.test MX ' "$DNSSERVER_LOG"
}

@test "with resolver none every check is SPF_TEMPERROR, at once" {
	export XD_RESOLVER=none
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@fail.spf.test"
	[ "$status" -eq 0 ]
	[ "$(sym 1)" = SPF_TEMPERROR=pass.spf.test ]
	[ "$(sym 2)" = SPF_TEMPERROR=fail.spf.test ]
}

@test "a bad --resolver is a usage error" {
	run --separate-stderr xd-spf -r 127.0.0.1:99999 </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--resolver 127.0.0.1:99999"* ]]
}

# --- time bounds ---------------------------------------------------------

@test "a server that never answers: SPF_TEMPERROR within the bound, then SPF_SKIPPED, one line each" {
	printf '%s\n' "dns_timeout = 0.3" "dns_tries = 1" >"$XD_CONF"
	for i in $(seq 1 20); do
		printf 'm%d\tip=192.0.2.7\tmailfrom=bob@%d.silent.test\n' "$i" "$i"
	done >in
	run --separate-stderr timeout 30 xd-spf -r "$DNSSERVER_RESOLVER" -w 4 <in
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 20 ]
	# three time-outs in a row open the circuit breaker: the lines in
	# flight then time out, the rest are skipped at once
	[ "$(grep -c 'SPF_TEMPERROR=[0-9]*\.silent\.test$' <<<"$output")" -ge 3 ]
	[ "$(grep -c 'SPF_SKIPPED=$' <<<"$output")" -ge 8 ]
	[ "$(grep -Ec 'SPF_(TEMPERROR|SKIPPED)=' <<<"$output")" -eq 20 ]
	[[ "$stderr" == *"spf: 3 lookups in a row timed out: skipped for 300 s"* ]]
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$(cut -f1 in | tr '\n' ' ')" ]
}

@test "--timeout and spf_timeout bound a whole check, whatever the lookups" {
	echo "dns_timeout = 30" >"$XD_CONF"
	spf_silent() {
		printf 'm\tip=192.0.2.7\tmailfrom=bob@x.silent.test\n' >in
		run --separate-stderr timeout 20 xd-spf -r "$DNSSERVER_RESOLVER" "$@" <in
	}
	spf_silent --timeout 0.5
	[ "$status" -eq 0 ]
	[ "$(sym 1)" = SPF_TEMPERROR=x.silent.test ]
	echo "spf_timeout = 0.5" >>"$XD_CONF"
	spf_silent
	[ "$status" -eq 0 ]
	[ "$(sym 1)" = SPF_TEMPERROR=x.silent.test ]
}

@test "bad time bounds are usage errors" {
	for t in 0 -1 abc 99999; do
		run --separate-stderr xd-spf --timeout "$t" </dev/null
		[ "$status" -eq 2 ] || { echo "--timeout $t: $status"; return 1; }
	done
	echo "spf_timeout = 0" >"$XD_CONF"
	run --separate-stderr xd-spf </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *spf_timeout* ]]
}

# --- hostile answers -------------------------------------------------------

@test "hostile answers are a temperror, never a crash or a result" {
	echo "dns_timeout = 1" >"$XD_CONF"
	zones="servfail refused short zero wrongid wrongq foreign tcbad
	    cnameloop cnamelong many badrdlen nxnosoa"
	for z in $zones; do
		printf 'm\tip=192.0.2.7\tmailfrom=bob@x.%s.test\n' "$z"
	done >in
	run --separate-stderr xd-spf -r "$DNSSERVER_RESOLVER" <in
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq "$(wc -l <in)" ]
	for z in servfail refused short zero wrongid wrongq foreign tcbad cnameloop; do
		grep -q "SPF_TEMPERROR=x.$z.test$" <<<"$output" ||
		    { echo "$z: $(grep "x.$z.test" <<<"$output")"; return 1; }
	done
	grep -q "SPF_NONE=x.nxnosoa.test$" <<<"$output"
}

@test "an oversize TXT record is skipped, the SPF record beside it is used" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@x.bigtxt.test"
	OPTS=()
	printf 'm\tip=192.0.2.7\tmailfrom=bob@x.bigtxt.test\n' >in
	run --separate-stderr xd-spf -r "$DNSSERVER_RESOLVER" <in
	[ "$(sym 1)" = SPF_FAIL=x.bigtxt.test ]
}

@test "hostile records: 6 KB, hundreds of terms, transformers, every macro" {
	spf "m\tip=198.18.1.150\tmailfrom=bob@huge.spf.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@huge.spf.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@manyterms.spf.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@bigdigits.spf.test" \
	    "m\tip=2001:db8::7\tmailfrom=bob@macros.spf.test\thelo=h.example"
	[ "$status" -eq 0 ]
	[ "$(sym 1)" = SPF_PASS=huge.spf.test ]
	[ "$(sym 2)" = SPF_FAIL=huge.spf.test ]
	[ "$(sym 3)" = SPF_PERMERROR=manyterms.spf.test ]
	[ "$(sym 4)" = SPF_FAIL=bigdigits.spf.test ]
	[ "$(sym 5)" = SPF_FAIL=macros.spf.test ]
}

@test "a name with an '@' (from %{s}) cannot be asked: no match, no temperror" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@atsign.spf.test"
	[ "$(sym 1)" = SPF_NEUTRAL=atsign.spf.test ]
}

# --- the window, the order, the cache ----------------------------------------

@test "lines go out in input order, whatever order the answers come in" {
	for i in $(seq 1 30); do
		if [ $((i % 3)) -eq 0 ]; then
			printf 'm%d\tip=192.0.2.7\tmailfrom=bob@%d.late.test\n' "$i" "$i"
		else
			printf 'm%d\tip=192.0.2.7\tmailfrom=bob@%d.listed.test\n' "$i" "$i"
		fi
	done >in
	run --separate-stderr xd-spf -G -r "$DNSSERVER_RESOLVER" -w 16 <in
	[ "$status" -eq 0 ]
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$(cut -f1 in | tr '\n' ' ')" ]
	[ "$(grep -c 'SPF_TEMPERROR=[0-9]*\.late\.test$' <<<"$output")" -eq 10 ]
	[ "$(grep -c 'SPF_NONE=[0-9]*\.listed\.test$' <<<"$output")" -eq 20 ]
	xd-spf -G -r "$DNSSERVER_RESOLVER" -w 1 <in >one
	[ "$output" = "$(cat one)" ]
}

@test "--window and dns_window: bounds" {
	for w in 0 1025 abc; do
		run --separate-stderr xd-spf -w "$w" </dev/null
		[ "$status" -eq 2 ] || { echo "-w $w: $status"; return 1; }
	done
	echo "dns_window = 0" >"$XD_CONF"
	run --separate-stderr xd-spf </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"dns_window = 0"* ]]
	# xd-rbl may want more: xd-spf takes what it can, 1024 threads
	for w in 3 5000; do
		echo "dns_window = $w" >"$XD_CONF"
		spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
		[ "$(sym 1)" = SPF_PASS=pass.spf.test ]
	done
}

@test "one cache for the run: a domain is asked once, whatever the window" {
	OPTS=(-G -s -w 8 -r "$DNSSERVER_RESOLVER")
	: >"$DNSSERVER_LOG"
	spf "m\tip=192.0.2.7\tmailfrom=a@2.listed.test" \
	    "m\tip=192.0.2.7\tmailfrom=b@2.listed.test"
	[ "$(dns_count 2.listed.test)" -eq 1 ]
	: >"$DNSSERVER_LOG"
	for i in $(seq 1 12); do
		printf 'm\tip=192.0.2.7\tmailfrom=u%d@6.listed.test\n' "$i"
	done >in
	OPTS=(-G -s -w 1 -r "$DNSSERVER_RESOLVER")
	run --separate-stderr xd-spf "${OPTS[@]}" <in
	[ "$(dns_count 6.listed.test)" -eq 1 ]
	[[ "$stderr" == *"12 checked, 1 DNS queries sent, 11 answered from the cache"* ]]
}

# --- the stream ---------------------------------------------------------------

@test "running twice is running once" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test\tzz=1" \
	    "m\tip=192.0.2.7\tmailfrom=bob@fail.spf.test\tSPF_PASS=old\terror=xd-spf:old"
	printf '%s\n' "$output" >once
	xd-spf <once >twice
	cmp once twice
	[ "$(sym 2)" = SPF_FAIL=fail.spf.test ]
	! grep -q 'error=xd-spf:old' once
}

@test "--keep keeps the SPF symbols of a line checked before, and asks nothing" {
	OPTS=(--keep -r "$DNSSERVER_RESOLVER")
	: >"$DNSSERVER_LOG"
	spf "m\tip=192.0.2.7\tmailfrom=bob@2.listed.test\tSPF_PASS=2.listed.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@4.listed.test"
	[ "$(sym 1)" = SPF_PASS=2.listed.test ]
	[ "$(sym 2)" = SPF_NONE=4.listed.test ]
	[ "$(dns_count 2.listed.test)" -eq 0 ]
	[ "$(dns_count 4.listed.test)" -gt 0 ]
	OPTS=(-k)
	spf "m\tip=192.0.2.7\tmailfrom=bob@fail.spf.test\tSPF_PASS=x"
	[ "$(sym 1)" = SPF_PASS=x ]
}

@test "comment lines pass untouched; damaged lines get error=xd-spf" {
	printf '%s\n' '#xd-stream 1' '# a comment	with a tab' \
	    'm	ip=192.0.2.7	mailfrom=bob@pass.spf.test' \
	    'bad	subject=100%	ip=192.0.2.7' >in
	run --separate-stderr xd-spf <in
	[ "$status" -eq 1 ]
	[ "$(sed -n 1,2p <<<"$output")" = "$(sed -n 1,2p in)" ]
	[ "$(sym 3)" = SPF_PASS=pass.spf.test ]
	[[ "$(sed -n 4p <<<"$output")" == *error=xd-spf:* ]]
	[[ "$(sed -n 4p <<<"$output")" != *SPF_* ]]
}

@test "--verbose says how each result came about; -vv shows libspf2's record" {
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[ -z "$stderr" ]
	OPTS=(-v)
	spf "m\tip=192.0.2.7\tmailfrom=bob@x.not-served.example"
	[[ "$stderr" == *"<stdin>:1: SPF_TEMPERROR x.not-served.example: DNS error on TXT"* ]]
	OPTS=(-vv)
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test"
	[[ "$stderr" == *'libspf2 gets "v=spf1 +include:'* ]]
}

@test "usage: --help lists every option; bad options and arguments are errors" {
	run xd-spf --help
	[ "$status" -eq 0 ]
	for o in --resolver --window --timeout --keep --no-guess --verbose \
	    --stats --progress --help --version; do
		[[ "$output" == *"$o"* ]] || { echo "no $o"; return 1; }
	done
	run --separate-stderr xd-spf --bogus </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *usage:* ]]
	run --separate-stderr xd-spf extra </dev/null
	[ "$status" -eq 2 ]
	run xd-spf --version
	[ "$status" -eq 0 ]
}

@test "--progress shows progress on stderr, not in the stream" {
	OPTS=(--progress 2)
	spf "m\tip=192.0.2.7\tmailfrom=bob@pass.spf.test" \
	    "m\tip=192.0.2.7\tmailfrom=bob@fail.spf.test"
	[ "$(wc -l <<<"$output")" -eq 2 ]
	[[ "$stderr" == *2* ]]
}

@test "in the driver: stage spf runs with no options, configured by xd.conf" {
	printf '%s\n' "stages = spf" "resolver = $KNOT_RESOLVER" >"$XD_CONF"
	unset XD_RESOLVER
	mkdir -p md/cur
	cat >md/cur/1:2, <<-EOF
	Return-Path: <bob@fail.spf.test>
	Received: from mx.fail.spf.test (mx.fail.spf.test [192.0.2.7])
	 by mx.example.org with ESMTP; Mon, 20 Nov 2023 08:00:00 +0000
	From: bob@fail.spf.test
	Subject: hi

	hello
	EOF
	run --separate-stderr xd check md
	[[ "$output" == *SPF_FAIL=fail.spf.test* ]] || { echo "$output $stderr"; return 1; }
}
