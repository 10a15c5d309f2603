#!/usr/bin/env bats
# xd-score: weights, thresholds, prob=, the policy, --explain, and the
# stream invariants.  Tests use small weights and policy files of their
# own so that every number below can be checked by hand.

load helper

T=$'\t'

# The weights most tests use: spam from 5, surespam from 12.
weights() {
	cat >w <<'EOF'
# test weights
RBL_ZEN			2.0
RBL_ZEN=127.0.0.4	3.5	# XBL
RBL_*			1.0
RBL_SPAM*		1.5
SPF_FAIL		1.5
SPF_PASS		-0.5
HEUR_BIG		4.0
URIBL_DBL		2.5
EOF
}

# A stream line: line LOCATOR FIELD...
line() {
	local IFS=$T
	printf '%s\n' "$*"
}

# xd-score with the test weights on the stream in file "in"
score() {
	run xd-score -w w "$@" <in
}

@test "the score is the sum of the weights of the symbols on the line" {
	weights
	line m1 ip=192.0.2.1 SPF_FAIL= HEUR_BIG=yes >in
	score
	[ "$status" -eq 0 ]
	[ "$(field score "$output")" = 5.50 ]
	[ "$(field class "$output")" = spam ]
}

@test "facts and unlisted symbols weigh nothing" {
	weights
	line m1 from=a@b.example subject=HEUR_BIG NEW_SYMBOL=1 spf_fail= >in
	score
	[ "$(field score "$output")" = 0.00 ]
	[ "$(field class "$output")" = ham ]
}

@test "negative weights lower the score" {
	weights
	line m1 SPF_PASS= >in
	score
	[ "$(field score "$output")" = -0.50 ]
}

@test "a weight for one value beats the symbol's own weight" {
	weights
	line m1 RBL_ZEN=127.0.0.4 >in
	score
	[ "$(field score "$output")" = 3.50 ]
	line m1 RBL_ZEN=127.0.0.2 >in
	score
	[ "$(field score "$output")" = 2.00 ]
}

@test "a prefix pattern weighs symbols not listed by name, longest first" {
	weights
	line m1 RBL_OTHER=127.0.0.2 >in
	score
	[ "$(field score "$output")" = 1.00 ]
	line m1 RBL_SPAMCOP=127.0.0.2 >in
	score
	[ "$(field score "$output")" = 1.50 ]
	line m1 RBL_ZEN=127.0.0.9 >in
	score
	[ "$(field score "$output")" = 2.00 ]
}

@test "a value with an escaped character matches its weights entry" {
	printf 'URL_X=a%%b 2\n' >w
	line m1 'URL_X=a%25b' >in
	score
	[ "$(field score "$output")" = 2.00 ]
}

@test "a symbol on the line several times counts once, at its largest weight" {
	weights
	line m1 RBL_ZEN=127.0.0.2 RBL_ZEN=127.0.0.4 URIBL_DBL=a.example URIBL_DBL=b.example >in
	score
	[ "$(field score "$output")" = 6.00 ]
}

@test "classes: below spam is ham, from spam on spam, from surespam on surespam" {
	printf 'A 4.99\nB 0.01\nC 7\n' >w
	line m1 A= >in
	score
	[ "$(field class "$output")" = ham ]
	line m1 A= B= >in
	score
	[ "$(field score "$output")" = 5.00 ]
	[ "$(field class "$output")" = spam ]
	line m1 A= C= >in
	score
	[ "$(field class "$output")" = spam ]
	line m1 A= B= C= >in
	score
	[ "$(field score "$output")" = 12.00 ]
	[ "$(field class "$output")" = surespam ]
}

@test "the thresholds can be set in the weights file" {
	printf 'threshold spam 3\nthreshold surespam 4\nA 3\nB 1\n' >w
	line m1 A= >in
	score
	[ "$(field class "$output")" = spam ]
	line m1 A= B= >in
	score
	[ "$(field class "$output")" = surespam ]
}

@test "prob is 0.9 at the spam threshold and 0.999 at the surespam one" {
	printf 'A 5\nB 7\n' >w
	line m1 A= >in
	score
	[ "$(field prob "$output")" = 0.9000 ]
	line m1 A= B= >in
	score
	[ "$(field prob "$output")" = 0.9990 ]
}

@test "the default calibration follows thresholds set in the file" {
	printf 'threshold spam 2\nthreshold surespam 3\nA 2\nB 1\n' >w
	line m1 A= >in
	score
	[ "$(field prob "$output")" = 0.9000 ]
	line m1 A= B= >in
	score
	[ "$(field prob "$output")" = 0.9990 ]
}

@test "prob grows with the score" {
	# A1..A35 weigh 1 each; line N holds N of them (scores 0 to 35)
	awk 'BEGIN { for (i = 1; i <= 35; i++) printf "A%d 1\n", i }' >w
	awk 'BEGIN { for (n = 0; n <= 35; n++) {
		printf "m%d", n
		for (i = 1; i <= n; i++) printf "\tA%d=", i
		printf "\n" } }' >stream
	run xd-score -w w <stream
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tr '\t' '\n' | sed -n 's/^prob=//p' >probs
	[ "$(wc -l <probs)" -eq 36 ]
	sort -g -c probs
	[ "$(head -n 1 probs)" = 0.2374 ]
	[ "$(tail -n 1 probs)" = 1.0000 ]
	[ "$(sort -u probs | wc -l)" -gt 12 ]
}

@test "a calibration line sets A and B of prob = 1/(1+exp(-(A+B*score)))" {
	printf 'calibration 0 1\nA 2\n' >w
	line m1 >in
	score
	[ "$(field prob "$output")" = 0.5000 ]
	line m1 A= >in
	score
	[ "$(field prob "$output")" = 0.8808 ]
}

@test "one line out per line in, foreign fields unchanged, comments passed" {
	weights
	{
		echo '#xd-stream 1'
		line 'cur/a b' ip=192.0.2.1 'subject=x%09y' SPF_FAIL= zz=1
		echo '# a comment with	a tab'
		line cur/c
		line 'cur/d%25' RBL_ZEN=127.0.0.4 label=spam
	} >in
	run xd-score -w w <in
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = '#xd-stream 1' ]
	[ "${lines[1]}" = "cur/a b${T}ip=192.0.2.1${T}subject=x%09y${T}SPF_FAIL=${T}zz=1${T}score=1.50${T}prob=0.4607${T}class=ham" ]
	[ "${lines[2]}" = "# a comment with${T}a tab" ]
	[ "${lines[3]}" = "cur/c${T}score=0.00${T}prob=0.2374${T}class=ham" ]
	[ "${lines[4]}" = "cur/d%25${T}RBL_ZEN=127.0.0.4${T}label=spam${T}score=3.50${T}prob=0.7664${T}class=ham" ]
}

@test "running xd-score twice gives the same output as running it once" {
	weights
	printf 'allow from a@b.example\n' >p
	{
		line m1 from=a@b.example SPF_FAIL=
		line m2 HEUR_BIG= URIBL_DBL=x score=99 class=surespam prob=1 policy=x:1
	} >in
	xd-score -w w -p p <in >once
	xd-score -w w -p p <once >twice
	cmp once twice
	[ "$(grep -c 'score=' twice)" -eq 2 ]
	run grep -c 'policy=' twice
	[ "$output" -eq 1 ]
}

@test "new weights give a stored stream new scores" {
	weights
	line m1 SPF_FAIL= | xd-score -w w >old
	printf 'SPF_FAIL 9\n' >w
	run xd-score -w w <old
	[ "$(field score "$output")" = 9.00 ]
	[ "$(field class "$output")" = spam ]
}

@test "a line with a bad escape gets error=xd-score:bad-escape and exit 1" {
	weights
	{ line m1 SPF_FAIL=; line m2 'subject=100%ZZ'; line m3; } >in
	run xd-score -w w <in
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 4 ]	# three lines and the warning
	run sh -c 'xd-score -w w <in 2>/dev/null'
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[1]}" = "m2${T}subject=100%ZZ${T}error=xd-score:bad-escape" ]
	[ "$(field score "${lines[2]}")" = 0.00 ]
	[ "$(grep -c error= <<<"$output")" -eq 1 ]
}

@test "the default weights are share/weights" {
	line m1 SPF_FAIL= >in
	score
	line m1 SPF_FAIL= | xd-score >out
	grep -q "score=1.50${T}" out
}

@test "the weights key of xd.conf names the weights, with ~ for HOME" {
	printf 'SPF_FAIL 7\n' >"$HOME/my-weights"
	echo 'weights = ~/my-weights' >"$XD_CONF"
	line m1 SPF_FAIL= | xd-score >out
	grep -q "score=7.00${T}" out
}

@test "share/weights loads and scores known symbols" {
	run xd-score --check -w "$REPO/share/weights"
	[ "$status" -eq 0 ]
	line m1 RBL_ZEN=127.0.0.4 URIBL_DBL=x.example SPF_FAIL= BAYES_99= | xd-score >out
	grep -q "class=spam" out
	line m1 RBL_ZEN=127.255.255.254 | xd-score >out
	grep -q "score=0.00${T}" out
}

@test "a bad weights line is an error naming file and line" {
	for bad in 'SPF_FAIL' 'SPF_FAIL x' 'SPF_FAIL 1 2' 'spf_fail 1' \
	    'SPF/FAIL 1' 'SPF_FAIL 1e9' 'SPF_FAIL nan' 'RBL_*=1 2' '* 1' \
	    'threshold ham 3' 'threshold spam' 'calibration 1' \
	    'calibration 1 0' 'calibration 1 -2' 'SPF_FAIL 1@SPF_FAIL 2' \
	    'A=x 1@A=x 2' 'R_* 1@R_* 2' 'threshold spam 1@threshold spam 2'; do
		printf '# ok\nX 1\n%s\n' "$bad" | tr @ '\n' >bw
		run xd-score -w bw </dev/null
		echo "$bad: $output"
		[ "$status" -eq 2 ]
		[[ "$output" == "xd-score: bw:"[34]": "* ]]
	done
}

@test "surespam at or below spam is an error" {
	printf 'threshold spam 8\nthreshold surespam 8\n' >bw
	run xd-score -w bw </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"bw:2: threshold surespam (8) must be above threshold spam (8)"* ]]
}

@test "a weights line longer than 4096 bytes is an error" {
	{ printf 'A 1\nB%05000d 1\nC 1\n' 0; } >bw
	run xd-score -w bw </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "xd-score: bw:2: line too long" ]
}

@test "a weights file that cannot be read is an error naming it" {
	run xd-score -w nothere </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "xd-score: nothere: No such file or directory" ]
	mkdir empty
	XD_SHARE=$PWD/empty run xd-score </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"empty/weights: No such file or directory" ]]
}

# --- the policy -----------------------------------------------------------

@test "no policy file: the score alone decides and no policy= is written" {
	weights
	mkdir share
	cp w share/weights
	XD_SHARE=$PWD/share run xd-score <<<"m1${T}from=a@b.example${T}HEUR_BIG="
	[ "$status" -eq 0 ]
	[ "$(field class "$output")" = ham ]
	[[ "$output" != *policy=* ]]
}

@test "share/policy is all comments: scores are as without it" {
	weights
	line m1 from=partner@example.com SPF_FAIL= HEUR_BIG= | xd-score -w w -p "$REPO/share/policy" >a
	line m1 from=partner@example.com SPF_FAIL= HEUR_BIG= | xd-score -w w -p /dev/null >b
	cmp a b
	! grep -q policy= a
}

@test "allow makes ham and records file and line, keeping the score" {
	weights
	printf '# people\n\nallow from Bob@Example.NET\n' >p
	line m1 from=bob@example.net HEUR_BIG= URIBL_DBL=x.example SPF_FAIL= HEUR_X= >in
	score -p p
	[ "$status" -eq 0 ]
	[ "$(field score "$output")" = 8.00 ]
	[ "$(field prob "$output")" = 0.9855 ]
	[ "$(field class "$output")" = ham ]
	[ "$(field policy "$output")" = p:3 ]
}

@test "from matches from= and mailfrom=, whole addresses only" {
	weights
	printf 'block from bad@spam.example\n' >p
	line m1 mailfrom=BAD@spam.example >in
	score -p p
	[ "$(field class "$output")" = surespam ]
	line m1 'from=Bad Guy <bad@spam.example>' >in
	score -p p
	[ "$(field class "$output")" = surespam ]
	line m1 from=notbad@spam.example >in
	score -p p
	[ "$(field class "$output")" = ham ]
	[[ "$output" != *policy=* ]]
}

@test "from-domain matches the domain and its subdomains, not look-alikes" {
	weights
	printf 'block from-domain spam.example\n' >p
	for f in from=x@spam.example mailfrom=x@mx.SPAM.example from=x@a.b.spam.example; do
		line m1 "$f" >in
	score -p p
		[ "$(field class "$output")" = surespam ]
	done
	for f in from=x@notspam.example from=x@spam.example.org from=spam.example; do
		line m1 "$f" >in
	score -p p
		[ "$(field class "$output")" = ham ]
	done
}

@test "ip matches the ip= fact against IPv4 networks" {
	weights
	printf 'trust ip 192.0.2.0/24\n' >p
	line m1 ip=192.0.2.77 HEUR_BIG= URIBL_DBL=x >in
	score -p p
	[ "$(field class "$output")" = ham ]
	[ "$(field policy "$output")" = p:1 ]
	line m1 ip=192.0.3.1 HEUR_BIG= URIBL_DBL=x >in
	score -p p
	[ "$(field class "$output")" = spam ]
}

@test "ip matches IPv6 networks and single addresses" {
	weights
	printf 'block ip 2001:db8:1::/48\nallow ip 198.51.100.7\n' >p
	line m1 ip=2001:db8:1:ffff::25 >in
	score -p p
	[ "$(field policy "$output")" = p:1 ]
	line m1 ip=2001:db8:2::25 >in
	score -p p
	[[ "$output" != *policy=* ]]
	line m1 ip=198.51.100.7 >in
	score -p p
	[ "$(field policy "$output")" = p:2 ]
	line m1 ip=198.51.100.8 >in
	score -p p
	[[ "$output" != *policy=* ]]
}

@test "ip looks at ip= only, never at relays claimed further down" {
	weights
	printf 'trust ip 10.0.0.0/8\n' >p
	line m1 ip=203.0.113.9 relays=203.0.113.9,10.1.2.3 >in
	score -p p
	[[ "$output" != *policy=* ]]
}

@test "rcpt matches rcpt=, to= and cc= lists" {
	weights
	printf 'allow rcpt boss@corp.example\n' >p
	for f in rcpt=boss@corp.example 'to=a@x.example, Boss <BOSS@corp.example>' \
	    'cc=x@y.example,boss@corp.example'; do
		line m1 "$f" HEUR_BIG= SPF_FAIL= >in
	score -p p
		[ "$(field class "$output")" = ham ]
	done
	line m1 'to=notboss@corp.example' HEUR_BIG= SPF_FAIL= >in
	score -p p
	[ "$(field class "$output")" = spam ]
}

@test "helo matches whole names, or names under *.domain" {
	weights
	printf 'trust helo mx1.corp.example\nallow helo *.partner.example\n' >p
	line m1 helo=MX1.corp.example >in
	score -p p
	[ "$(field policy "$output")" = p:1 ]
	line m1 helo=mx2.corp.example >in
	score -p p
	[[ "$output" != *policy=* ]]
	line m1 helo=a.b.partner.example >in
	score -p p
	[ "$(field policy "$output")" = p:2 ]
	line m1 helo=partner.example >in
	score -p p
	[[ "$output" != *policy=* ]]
}

@test "subject matches a quoted piece in any case, UTF-8 letters too" {
	weights
	cat >p <<'EOF'
block subject "you have WON"   # a comment
block subject "ÜBER Прибыль"
allow subject "say \"hi\""
EOF
	line m1 'subject=Re: You Have Won a prize' >in
	score -p p
	[ "$(field policy "$output")" = p:1 ]
	line m1 'subject=über прибыль jetzt' >in
	score -p p
	[ "$(field policy "$output")" = p:2 ]
	line m1 'subject=they say "HI"' >in
	score -p p
	[ "$(field policy "$output")" = p:3 ]
	line m1 'subject=you have%09won' >in
	score -p p
	[[ "$output" != *policy=* ]]
}

@test "block makes surespam whatever the score" {
	weights
	printf 'block from-domain spam.example\n' >p
	line m1 from=a@spam.example SPF_PASS= >in
	score -p p
	[ "$(field score "$output")" = -0.50 ]
	[ "$(field class "$output")" = surespam ]
}

@test "critical counts only the symbols it lists, prefixes too" {
	weights
	printf 'critical rcpt ceo@corp.example RBL_* SPF_FAIL\n' >p
	line m1 rcpt=ceo@corp.example HEUR_BIG= URIBL_DBL=x SPF_FAIL= >in
	score -p p
	[ "$(field score "$output")" = 1.50 ]
	[ "$(field class "$output")" = ham ]
	[ "$(field policy "$output")" = p:1 ]
	line m1 rcpt=ceo@corp.example HEUR_BIG= RBL_ZEN=127.0.0.4 SPF_FAIL= >in
	score -p p
	[ "$(field score "$output")" = 5.00 ]
	[ "$(field class "$output")" = spam ]
	line m1 rcpt=other@corp.example HEUR_BIG= URIBL_DBL=x SPF_FAIL= >in
	score -p p
	[ "$(field score "$output")" = 8.00 ]
	[ "$(field class "$output")" = spam ]
}

@test "the first rule that matches decides" {
	weights
	cat >p <<'EOF'
allow from boss@corp.example
block from-domain corp.example
allow from-domain corp.example
EOF
	line m1 from=boss@corp.example >in
	score -p p
	[ "$(field policy "$output")" = p:1 ]
	[ "$(field class "$output")" = ham ]
	line m1 from=intern@corp.example >in
	score -p p
	[ "$(field policy "$output")" = p:2 ]
	[ "$(field class "$output")" = surespam ]
}

@test "first match holds across every kind of matcher and repeated values" {
	weights
	cat >p <<'EOF'
allow subject hello
block from a@x.example
allow from-domain x.example
block ip 192.0.2.0/24
trust rcpt me@y.example
allow from a@x.example
block helo *.x.example
allow helo mx.x.example
EOF
	decided() {
		score -p p
		[ "$(field policy "$output")" = "p:$1" ]
	}
	line m1 subject=Hello from=a@x.example ip=192.0.2.1 >in
	decided 1
	line m1 from=a@x.example ip=192.0.2.1 >in
	decided 2
	line m1 'from=Z <b@sub.x.example>, a@x.example' ip=192.0.2.1 >in
	decided 2
	line m1 mailfrom=b@sub.x.example ip=192.0.2.1 >in
	decided 3
	line m1 from=b@other.example ip=192.0.2.1 rcpt=me@y.example >in
	decided 4
	line m1 cc=you@y.example,me@y.example helo=mx.x.example >in
	decided 5
	line m1 helo=mx.x.example >in
	decided 7
}

@test "a policy with thousands of rules still finds the first match" {
	weights
	awk 'BEGIN { for (i = 0; i < 5000; i++) {
		printf "allow from u%d@example.org\n", i
		printf "block rcpt r%d@example.org\n", i } }' >p
	echo 'trust from u4999@example.org' >>p
	line m1 from=U4999@example.org rcpt=r4999@example.org >in
	score -p p
	[ "$(field policy "$output")" = p:9999 ]
	line m1 from=nobody@example.org rcpt=r17@example.org >in
	score -p p
	[ "$(field policy "$output")" = p:36 ]
}

@test "a rule never matches a line without its fact" {
	weights
	printf 'block subject x\nblock ip ::/0\nblock ip 0.0.0.0/0\nblock rcpt a@b\nblock helo *.x\n' >p
	line m1 ip=not-an-address >in
	score -p p
	[ "$(field class "$output")" = ham ]
}

@test "the policy key of xd.conf names the policy file" {
	weights
	printf 'block from a@b.example\n' >"$HOME/pol"
	echo 'policy = ~/pol' >"$XD_CONF"
	line m1 from=a@b.example >in
	score
	[ "$(field class "$output")" = surespam ]
	[ "$(field policy "$output")" = "$HOME/pol:1" ]
}

@test "a policy file named or configured but missing is an error; a missing default is not" {
	weights
	run xd-score -w w -p nothere </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "xd-score: nothere: No such file or directory" ]
	echo 'policy = ~/gone' >"$XD_CONF"
	run xd-score -w w </dev/null
	[ "$status" -eq 2 ]
	mkdir share
	cp w share/weights
	: >"$XD_CONF"
	XD_SHARE=$PWD/share run xd-score </dev/null
	[ "$status" -eq 0 ]
}

@test "a bad policy line is an error naming file and line" {
	weights
	for bad in 'accept from a@b' 'allow sender a@b' 'allow from' \
	    'allow from a@b SPF_FAIL' 'critical rcpt a@b' \
	    'critical rcpt a@b spf_fail' 'block ip 192.0.2.0/33' \
	    'block ip example.org' 'block subject "open' \
	    'block subject "a"b' 'allow subject ""' 'allow from-domain @'; do
		printf '# rules\n\n%s\n' "$bad" >bp
		run xd-score -w w -p bp </dev/null
		echo "$bad: $output"
		[ "$status" -eq 2 ]
		[[ "$output" == "xd-score: bp:3: "* ]]
	done
}

@test "a policy line longer than 4096 bytes is an error" {
	weights
	printf 'block subject "%04500d"\n' 0 >bp
	run xd-score -w w -p bp </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "xd-score: bp:1: line too long" ]
}

# --- options ----------------------------------------------------------------

@test "--weights and --policy are -w and -p" {
	weights
	printf 'block from a@b.example\n' >p
	line m1 from=a@b.example SPF_FAIL= | xd-score --weights w --policy p >a
	line m1 from=a@b.example SPF_FAIL= | xd-score -w w -p p >b
	cmp a b
	grep -q "score=1.50${T}prob=0.4607${T}class=surespam${T}policy=p:1\$" a
}

@test "--explain tells why: symbols by weight, total, thresholds, rule, class" {
	weights
	printf '# vip\ncritical rcpt ceo@corp.example RBL_* SPF_FAIL\n' >p
	{
		echo '#xd-stream 1'
		line m1 SPF_PASS= HEUR_BIG=yes UNKNOWN=1 RBL_ZEN=127.0.0.4 subject=hi
		line m2 rcpt=ceo@corp.example HEUR_BIG= SPF_FAIL= SPF_FAIL=again
	} >in
	run xd-score -w w -p p --explain <in
	[ "$status" -eq 0 ]
	printf '%s\n' "$output"
	[ "${lines[0]}" = "message m1" ]
	[[ "${lines[1]}" =~ ^\ \ symbol\ +\+4\.00\ \ HEUR_BIG=yes\ \ \(w:8:\ HEUR_BIG\)$ ]]
	[[ "${lines[2]}" =~ ^\ \ symbol\ +\+3\.50\ \ RBL_ZEN=127\.0\.0\.4\ \ \(w:3:\ RBL_ZEN=127\.0\.0\.4\)$ ]]
	[[ "${lines[3]}" =~ ^\ \ symbol\ +\+0\.00\ \ UNKNOWN=1\ \ \(not\ in\ w\)$ ]]
	[[ "${lines[4]}" =~ ^\ \ symbol\ +-0\.50\ \ SPF_PASS\ \ \(w:7:\ SPF_PASS\)$ ]]
	[ "${lines[5]}" = "  score 7.00 (spam from 5.00, surespam from 12.00)" ]
	[ "${lines[6]}" = "  prob 0.9719" ]
	[ "${lines[7]}" = "  class spam: score 7.00 >= spam 5.00, < surespam 12.00" ]
	[ "${lines[8]}" = "message m2" ]
	[[ "${lines[9]}" == "  symbol "*"+1.50  SPF_FAIL  (w:6: SPF_FAIL)" ]]
	[[ "${lines[10]}" == "  ignored "*"+4.00  HEUR_BIG  (w:8: HEUR_BIG) not listed by the critical rule" ]]
	[[ "${lines[11]}" == "  ignored "*"+1.50  SPF_FAIL=again  (w:6: SPF_FAIL) counted once" ]]
	[ "${lines[12]}" = "  score 1.50 (spam from 5.00, surespam from 12.00)" ]
	[ "${lines[14]}" = "  policy p:2: critical rcpt ceo@corp.example RBL_* SPF_FAIL" ]
	[ "${lines[15]}" = "  class ham: score 1.50 < spam 5.00, critical symbols only" ]
	[[ "$output" != *score=* ]]
}

@test "--explain names the deciding action and reports damaged lines" {
	weights
	printf 'allow from a@b.example\n' >p
	{ line m1 from=a@b.example HEUR_BIG= URIBL_DBL=x; line m2 'x=%ZZ'; } >in
	run xd-score -w w -p p -e <in
	[ "$status" -eq 1 ]
	[[ "$output" == *"  policy p:1: allow from a@b.example"* ]]
	[[ "$output" == *"  class ham: policy allow"* ]]
	[[ "$output" == *"message m2"$'\n'"  error xd-score:bad-escape"* ]]
	[[ "$output" == *"<stdin>:2: bad-escape"* ]]
}

@test "--explain output can be grepped for one class" {
	printf 'A 6\nB 13\n' >w
	{ line m1 A=; line m2; line m3 B=; } | xd-score -w w --explain >out
	grep '^  class surespam' out
	[ "$(grep -c '^message ' out)" -eq 3 ]
	[ "$(grep -c '^  class spam' out)" -eq 1 ]
}

@test "--progress N shows progress on stderr and leaves stdout alone" {
	weights
	for i in 1 2 3; do line m$i SPF_FAIL=; done >in
	xd-score -w w <in >plain
	xd-score -w w --progress 3 <in >out 2>err
	cmp plain out
	grep -q '3/3 messages' err
	run xd-score -w w --progress lots </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--progress lots: invalid"* ]]
}

@test "-n and --check read the files and no stream" {
	weights
	printf 'allow from a@b\n' >p
	run xd-score -n -w w -p p <<<"not read"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	printf 'oops\n' >p
	run xd-score --check -w w -p p
	[ "$status" -eq 2 ]
	[ "$output" = "xd-score: p:1: the actions are allow, block, trust and critical" ]
}

@test "-h and --help print the usage and every option on stdout" {
	for args in -h --help; do
		run --separate-stderr xd-score $args
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: xd-score "* ]]
		for opt in --weights --policy --explain --check --progress --version; do
			[[ "$output" == *"$opt"* ]]
		done
	done
}

@test "unknown options and operands print usage and exit 2" {
	for args in -x --nope extra; do
		run xd-score $args
		[ "$status" -eq 2 ]
		[[ "$output" == *"usage: xd-score "* ]]
	done
}

@test "-V and --version print the version" {
	run xd-score -V
	[ "$status" -eq 0 ]
	[[ "$output" == "xd-score (xd) "* ]]
	run xd-score --version
	[[ "$output" == "xd-score (xd) "* ]]
}

@test "a bad xd.conf stops xd-score with exit 2" {
	echo 'no such key = 1' >"$XD_CONF"
	run xd-score </dev/null
	[ "$status" -eq 2 ]
}

@test "a long synthetic stream keeps one line per line and bounded fields" {
	weights
	awk 'BEGIN { for (i = 0; i < 20000; i++)
	    printf "m%d\tip=192.0.2.%d\tRBL_ZEN=127.0.0.%d\tSPF_FAIL=\tHEUR_BIG=\n", i, i % 256, i % 12 }' >in
	xd-score -w w <in >out
	[ "$(wc -l <out)" -eq 20000 ]
	[ "$(cut -f 1-5 out | cmp - in && echo same)" = same ]
	[ "$(grep -c "class=" out)" -eq 20000 ]
}
