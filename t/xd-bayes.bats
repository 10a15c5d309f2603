#!/usr/bin/env bats
# xd-bayes: the statistical filter.  Small messages written here teach
# it two kinds of mail; then it must tell them apart, count each
# message once, move and forget messages, keep the allowlist, and do
# the same in LMDB and in Redis.

load helper
load redis

setup_file() {
	redis_start
}

teardown_file() {
	redis_stop
}

setup() {
	bayes_setup 3
}

# note NAME FROM SUBJECT BODY: a small message, its Message-ID from NAME.
note() {
	msg "$1" <<EOF
Return-Path: <$2>
Received: from relay.example.net (relay.example.net [192.0.2.7])
	by mx.example.org with ESMTP id $1; Mon, 1 Jan 2024 10:00:00 +0000
From: $2
To: bob@example.org
Subject: $3
Date: Mon, 1 Jan 2024 10:00:00 +0000
Message-ID: <$1@example.net>

$4
EOF
}

HAMWORDS="meeting agenda tomorrow project review schedule minutes notes"
SPAMWORDS="cheap pills viagra winner lottery prize casino discount"

# corpus N: N ham (h1..) and N spam (s1..) messages, streams ham, spam.
corpus() {
	local i
	for i in $(seq 1 "$1"); do
		note "h$i" "alice@example.net" "Project review $i" \
		    "Hi Bob, the $HAMWORDS for week $i are attached. Alice"
		note "s$i" "promo$i@spam.example" "Cheap pills offer $i" \
		    "WINNER! $SPAMWORDS offer number $i, click now."
	done
	xd-parse -- $(seq -f 'h%g' 1 "$1") >ham
	xd-parse -- $(seq -f 's%g' 1 "$1") >spam
}

# trained: a store that knows 5 ham and 5 spam, and two new messages:
# a hammy one (newham) and a spammy one (newspam), in the stream new.
trained() {
	corpus 5
	xd-bayes -q --learn ham <ham >/dev/null
	xd-bayes -q --learn spam <spam >/dev/null
	note newham carol@example.net "Agenda for the review" \
	    "Bob, here are the minutes and the schedule of the project meeting."
	note newspam lucky@spam.example "You are a winner" \
	    "Cheap viagra and a casino prize: claim your lottery discount."
	xd-parse -- newham newspam >new
}

# stored: the count called $STAT in --stats.
stored() {
	xd-bayes -S "$@" | awk -v k="$STAT" '$1 == k { print $2 }'
}

line_of() {
	grep "^$1	" "$2"
}

@test "xd-bayes: --help lists every option on stdout; a bad option is a usage error" {
	run xd-bayes --help
	[ "$status" -eq 0 ]
	for o in --store --learn --unlearn --sent --quiet --now --stats \
	    --tokens --explain --help --version; do
		[[ "$output" == *"$o"* ]]
	done
	run xd-bayes --nonsense
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: xd-bayes"* ]]
}

@test "xd-bayes: usage errors exit 2 and read nothing" {
	run xd-bayes --learn maybe </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"'maybe' is neither ham nor spam"* ]]
	run xd-bayes --learn ham --unlearn </dev/null
	[ "$status" -eq 2 ]
	run xd-bayes --sent --stats </dev/null
	[ "$status" -eq 2 ]
	run xd-bayes extra-argument </dev/null
	[ "$status" -eq 2 ]
	run xd-bayes --now yesterday </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--now yesterday"* ]]
	run xd-bayes --tokens --store x </dev/null
	[ "$status" -eq 2 ]
	echo 'no such key = 1' >"$XD_CONF"
	run xd-bayes </dev/null
	[ "$status" -eq 2 ]
	[ ! -e store.lmdb ]
}

@test "xd-bayes: with too little learned, BAYES_UNTRAINED and no BAYES" {
	corpus 2
	xd-bayes -q --learn ham <ham >/dev/null
	xd-bayes -q --learn spam <spam >/dev/null
	run --separate-stderr xd-bayes <ham
	[ "$status" -eq 0 ]
	line=$(echo "$output" | grep '^h1	')
	[ "$(field BAYES_UNTRAINED "$line")" = "ham:2,spam:2" ]
	! echo "$output" | grep -q '	BAYES='
	! echo "$output" | grep -q '	BAYES_[0-9]'
	echo 'bayes_min_learned = 2' >>"$XD_CONF"
	run --separate-stderr xd-bayes <ham
	echo "$output" | grep -q '	BAYES='
	! echo "$output" | grep -q 'BAYES_UNTRAINED'
}

@test "xd-bayes: an empty store is untrained, and reading it writes nothing" {
	corpus 1
	run --separate-stderr xd-bayes <ham
	[ "$status" -eq 0 ]
	[ "$(field BAYES_UNTRAINED "$(line_of h1 <(echo "$output"))")" = "ham:0,spam:0" ]
}

@test "xd-bayes: learned mail tells new spam from new ham" {
	trained
	run --separate-stderr xd-bayes <new
	[ "$status" -eq 0 ]
	echo "$output" >out
	ham=$(line_of newham out)
	spam=$(line_of newspam out)
	[[ "$ham" == *"	BAYES_00="* ]]
	[[ "$spam" == *"	BAYES_99="* ]]
	awk -v p="$(field BAYES "$ham")" 'BEGIN { exit !(p < 0.01) }'
	awk -v p="$(field BAYES "$spam")" 'BEGIN { exit !(p >= 0.99) }'
}

@test "xd-bayes: --explain says on stderr which tokens decided, the stream unchanged" {
	trained
	xd-bayes <new >plain 2>/dev/null
	run --separate-stderr xd-bayes --explain <new
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat plain)" ]
	echo "$stderr" >why
	# each message: its locator and BAYES, then "f ham spam token" lines
	grep -q '^newspam	BAYES=1.0000	[0-9]* tokens known, 0 hammy and [1-9][0-9]* spammy' why
	sed -n '/^newspam	/,/^[^	]/p' why | grep -q '^	0\.9[0-9]*	0	[1-9][0-9]*	viagra$'
	sed -n '/^newham	/,/^[^	]/p' why | grep -q '^	0\.0[0-9]*	[1-9][0-9]*	0	minutes$'
	# tokens never learned are not listed
	! grep -q '	0	0	' why
	run xd-bayes --explain --learn ham </dev/null
	[ "$status" -eq 2 ]
}

@test "xd-bayes: BAYES has four decimals and one band, the band of its value" {
	trained
	note mixed someone@example.com "Agenda: cheap pills" \
	    "The project meeting schedule, and a casino prize winner."
	note neither x@example.com "Unrelated" "Nothing known in here at all."
	xd-parse -- newham newspam mixed neither >in
	xd-bayes <in >out
	grep -v '^#' out | while IFS= read -r line; do
		p=$(field BAYES "$line")
		[[ "$p" =~ ^[01]\.[0-9]{4}$ ]]
		bands=$(printf '%s\n' "$line" | tr '\t' '\n' | grep -c '^BAYES_[0-9][0-9]=$')
		[ "$bands" -eq 1 ]
		band=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^\(BAYES_[0-9][0-9]\)=$/\1/p')
		want=$(awk -v p="$p" 'BEGIN {
			split("0.01 0.05 0.20 0.40 0.60 0.80 0.95 0.99", t, " ")
			split("00 05 20 40 50 60 80 95 99", b, " ")
			for (i = 1; i <= 8 && p >= t[i]; i++) ;
			print "BAYES_" b[i] }')
		[ "$band" = "$want" ]
	done
	# with nothing known, the message is 0.5: BAYES_50
	[ "$(field BAYES "$(line_of neither out)")" = 0.5000 ]
}

@test "xd-bayes: learning passes the stream through and says what it did" {
	corpus 3
	run --separate-stderr xd-bayes --learn ham <ham
	[ "$status" -eq 0 ]
	diff <(echo "$output") ham
	[ "$stderr" = "xd-bayes: learned 3 as ham, 0 moved from spam, 0 already known" ]
	run --separate-stderr xd-bayes -q -l spam <spam
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	STAT=ham; [ "$(stored)" -eq 3 ]
	STAT=spam; [ "$(stored)" -eq 3 ]
}

@test "xd-bayes: the same message learned twice counts once" {
	corpus 3
	xd-bayes -q --learn ham <ham >/dev/null
	STAT=tokens; before=$(stored)
	run --separate-stderr xd-bayes --learn ham <ham
	[ "$stderr" = "xd-bayes: learned 0 as ham, 0 moved from spam, 3 already known" ]
	STAT=ham; [ "$(stored)" -eq 3 ]
	STAT=tokens; [ "$(stored)" -eq "$before" ]
	# a line given twice in one stream is one message too
	cat ham ham | xd-bayes -q -l spam >/dev/null
	STAT=spam; [ "$(stored)" -eq 3 ]
	STAT=ham; [ "$(stored)" -eq 0 ]
}

@test "xd-bayes: a message marked by xd filter is the message it was" {
	corpus 1
	# the subject tag is off by default; a site that sets one
	echo 'subject_tag = "[SPAM] "' >>"$XD_CONF"
	xd-bayes -q --learn spam <spam >/dev/null
	sed -e 's/^Subject: /Subject: [SPAM] /' \
	    -e '/^Date:/i X-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.0 required=5.0 tests=none\nX-XD-Class: spam' \
	    s1 >marked
	grep -q '^Subject: \[SPAM\] Cheap' marked
	xd-parse -- marked >m
	run --separate-stderr xd-bayes --learn spam <m
	[ "$stderr" = "xd-bayes: learned 0 as spam, 0 moved from ham, 1 already known" ]
}

@test "xd-bayes: learning a message as the other class moves it" {
	trained
	STAT=tokens; tokens=$(stored)
	head -n 3 spam >two
	run --separate-stderr xd-bayes --learn ham <two
	[ "$stderr" = "xd-bayes: learned 0 as ham, 2 moved from spam, 0 already known" ]
	STAT=ham; [ "$(stored)" -eq 7 ]
	STAT=spam; [ "$(stored)" -eq 3 ]
	STAT=tokens; [ "$(stored)" -eq "$tokens" ]
	STAT=seen; [ "$(stored)" -eq 10 ]
}

@test "xd-bayes: --unlearn takes messages back, whatever they were learned as" {
	corpus 3
	xd-bayes -q --learn ham <ham >/dev/null
	xd-bayes -q --learn spam <spam >/dev/null
	run --separate-stderr xd-bayes --unlearn <spam
	[ "$status" -eq 0 ]
	diff <(echo "$output") spam
	[ "$stderr" = "xd-bayes: unlearned 3, 0 were not learned" ]
	STAT=spam; [ "$(stored)" -eq 0 ]
	STAT=ham; [ "$(stored)" -eq 3 ]
	xd-bayes -q -u <ham >/dev/null
	# nothing is left: every token count went back to zero
	STAT=tokens; [ "$(stored)" -eq 0 ]
	STAT=seen; [ "$(stored)" -eq 0 ]
	run --separate-stderr xd-bayes -u <ham
	[ "$stderr" = "xd-bayes: unlearned 0, 3 were not learned" ]
}

@test "xd-bayes: classifying twice is classifying once; other fields pass" {
	trained
	awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; print "# note"; next }
	    { print $0, "zz_other=a%09b", "BAYES_99=", "BAYES=0.1234", "AWL=x@y" }' new >in
	xd-bayes <in >once
	xd-bayes <once >twice
	cmp once twice
	[ "$(grep -c 'zz_other=a%09b' once)" -eq 2 ]
	grep -qx '# note' once
	[ "$(line_of newham once | grep -o '	BAYES=' | wc -l)" -eq 1 ]
	! line_of newham once | grep -q 'BAYES_99\|AWL='
}

@test "xd-bayes: the store by option, as a path or lmdb:PATH, or from xd.conf" {
	corpus 3
	xd-bayes -q -l ham --store "$PWD/a.lmdb" <ham >/dev/null
	xd-bayes -q -l spam -s "lmdb:$PWD/a.lmdb" <spam >/dev/null
	STAT=ham; [ "$(stored -s a.lmdb)" -eq 3 ]
	STAT=spam; [ "$(stored -s lmdb:a.lmdb)" -eq 3 ]
	[ -s a.lmdb ] && [ ! -e store.lmdb ]
	xd-bayes -q -l ham <ham >/dev/null
	[ -s store.lmdb ]
	run xd-bayes -S
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\t%s/store.lmdb\nham\t3\nspam\t0\ntokens\t%s\nmax_tokens\t1000000\nscheme\t2\nseen\t3\nawl\t0' \
	    "$BATS_TEST_TMPDIR" "$(STAT=tokens stored)")" ]
}

@test "xd-bayes: LMDB and Redis learn and classify alike" {
	trained
	xd-bayes <new >lmdb.out
	url=$(redis_db)
	xd-bayes -q -s "$url" -l ham <ham >/dev/null
	xd-bayes -q -s "$url" -l spam <spam >/dev/null
	xd-bayes -s "$url" <new >redis.out
	diff lmdb.out redis.out
	grep -q BAYES_99 redis.out
	# idempotent, moves and unlearning in Redis too
	run --separate-stderr xd-bayes -s "$url" -l spam <spam
	[[ "$stderr" == *"5 already known" ]]
	run --separate-stderr xd-bayes -s "$url" -l ham <spam
	[[ "$stderr" == *"5 moved from spam"* ]]
	xd-bayes -q -s "$url" -u <spam >/dev/null
	xd-bayes -q -s "$url" -u <ham >/dev/null
	STAT=tokens; [ "$(stored -s "$url")" -eq 0 ]
	STAT=ham; [ "$(stored -s "$url")" -eq 0 ]
}

@test "xd-bayes: a store that cannot be used: error=xd-bayes:store on each line" {
	corpus 2
	run --separate-stderr xd-bayes -l ham -s "$PWD/no/such/dir/x" <ham
	[ "$status" -eq 1 ]
	[ "$(grep -c 'error=xd-bayes:store' <<<"$output")" -eq 2 ]
	[[ "$stderr" == *"$PWD/no/such/dir/x"* ]]
	[[ "$stderr" == *"2 messages not learned: the store failed"* ]]
	run --separate-stderr xd-bayes -s "redis://127.0.0.1:1" <ham
	[ "$status" -eq 1 ]
	[ "$(grep -c 'error=xd-bayes:store' <<<"$output")" -eq 2 ]
	! grep -q 'BAYES' <<<"$output"
}

@test "xd-bayes: an unreadable message gets error= and a diagnostic; comments pass" {
	corpus 1
	printf '#xd-stream 1\n%s/gone\tfrom=a@b\n' "$PWD" >in
	grep -v '^#' ham >>in
	run --separate-stderr xd-bayes <in
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | head -n 1)" = "#xd-stream 1" ]
	echo "$output" | grep -q "^$PWD/gone	from=a@b	error=xd-bayes:unreadable$"
	echo "$output" | grep -q '^h1	.*BAYES_UNTRAINED='
	[[ "$stderr" == *"$PWD/gone: unreadable"* ]]
	run --separate-stderr xd-bayes -l ham <in
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"learned 1 as ham"* ]]
	run --separate-stderr xd-bayes < <(printf 'x\tbad=%%ZZ\n')
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'x\tbad=%%ZZ\terror=xd-bayes:bad-escape')" ]
}

@test "xd-bayes: bayes_batch does not change what is learned or said" {
	corpus 4
	cat ham spam >all
	xd-bayes -q -l ham <ham >/dev/null
	xd-bayes -q -l spam <spam >/dev/null
	xd-bayes <all >big
	echo 'bayes_batch = 1' >>"$XD_CONF"
	xd-bayes -q -s one.lmdb -l ham <ham >/dev/null
	xd-bayes -q -s one.lmdb -l spam <spam >/dev/null
	xd-bayes -s one.lmdb <all >small
	diff big small
}

@test "xd-bayes: what a batch read is kept for the next, but read again once mail is learned" {
	trained
	echo 'bayes_batch = 1' >>"$XD_CONF"
	{ head -n 1 new; line_of newham new; } >one
	mkfifo lines
	xd-bayes <lines >out &
	exec 7>lines
	cat one >&7
	sleep 2
	xd-bayes -q --learn spam <one >/dev/null
	line_of newham new >&7
	exec 7>&-
	wait
	xd-bayes <one >fresh
	[ "$(field BAYES "$(tail -n 1 out)")" = "$(field BAYES "$(tail -n 1 fresh)")" ]
	[ "$(field BAYES "$(line_of newham out | head -n 1)")" != \
	    "$(field BAYES "$(tail -n 1 fresh)")" ]
}

@test "xd-bayes: --tokens shows what counts: text, subject, sender, not relays or lists" {
	msg m <<'EOF'
Return-Path: <list-bounces@lists.example.org>
Delivered-To: bob@example.org
Received: from relayhostname.example.net (relayhostname.example.net [192.0.2.9])
	by mx.example.org; Mon, 1 Jan 2024 10:00:00 +0000
From: "Priya Raman" <priya@example.com>
To: buildtools@lists.example.org
Subject: Re: [buildtools] Parallel builds
List-Id: Build tools <buildtools.lists.example.org>
List-Unsubscribe: <mailto:unsubscribelistword@lists.example.org>
X-Spam-Status: No, score=-2.0 oldspamword
Message-ID: <uniquemessageidword@example.com>
X-Mailer: Frobnicator 2.0
Content-Type: text/plain; charset=us-ascii

Order-only prerequisites keep FREE rebuilds away: see http://www.gnu.org/make.

_______________________________________________
buildtools mailing list
buildtools@lists.example.org
http://lists.example.org/mailman/listinfo/footerword
EOF
	echo m | xd-parse -- m >in
	run --separate-stderr xd-bayes --tokens <in
	[ "$status" -eq 0 ]
	echo "$output" >toks
	[ "$(head -n 1 toks)" = "message m" ]
	for t in order-only prerequisites rebuilds C:FREE free s:re: s:parallel \
	    s:builds "s:parallel builds" fa:priya@example.com fd:example.com \
	    fn:priya fn:raman xm:frobnicator url:www.gnu.org url:gnu.org \
	    pt:text/plain cs:us-ascii; do
		grep -qx "	$t" toks || { echo "missing: $t" >&2; return 1; }
	done
	for w in relayhostname unsubscribelistword oldspamword \
	    uniquemessageidword footerword buildtools mailing list-bounces \
	    delivered bob; do
		! grep -q "$w" toks || { echo "present: $w" >&2; return 1; }
	done
	# --tokens needs no store
	[ ! -e store.lmdb ]
}

@test "xd-bayes: --tokens of HTML: its text seen or not, its tags, its links with references undone" {
	msg h <<'EOF'
From: a@example.com
Subject: offer
Content-Type: text/html; charset=utf-8

<p>Visible</p><div style="display:none">hiddenword</div><o:p>officeword</o:p>
<a href="http&#58;//www.encoded.example/x">click</a><img src=pic.gif>pic<b></b>ture
<iframe src="http://frame.example/"><p>fallbackword</p></iframe> mort<!--x-->gage
EOF
	echo h | xd-parse -- h >in
	run --separate-stderr xd-bayes --tokens <in
	[ "$status" -eq 0 ]
	echo "$output" >toks
	for t in visible hiddenword officeword picture mortgage h:p h:o h:a \
	    h:img h:iframe url:www.encoded.example url:frame.example; do
		grep -qx "	$t" toks || { echo "missing: $t" >&2; return 1; }
	done
	! grep -q fallbackword toks
}

@test "xd-bayes: --sent records the recipients; mail from one of them gets AWL=" {
	msg sent1 <<'EOF'
From: Bob <bob@example.org>
To: Carol <Carol@Example.NET>, dave@example.com
Cc: erin@example.com
Bcc: frank@example.com
Subject: Dinner
Message-ID: <sent1@example.org>

See you at eight.
EOF
	xd-parse -- sent1 >s
	run --separate-stderr xd-bayes --sent <s
	[ "$status" -eq 0 ]
	diff <(echo "$output") s
	[ "$stderr" = "xd-bayes: recipients of 1 sent messages recorded, 0 already known" ]
	STAT=awl; [ "$(stored)" -eq 4 ]
	run --separate-stderr xd-bayes --sent <s
	[ "$stderr" = "xd-bayes: recipients of 0 sent messages recorded, 1 already known" ]
	note fromcarol carol@example.net "Re: Dinner" "Eight is fine."
	note fromfrank FRANK@example.COM "Re: Dinner" "Me too."
	note fromstranger carol@example.org "Dinner?" "Who is this?"
	xd-parse -- fromcarol fromfrank fromstranger >in
	xd-bayes <in >out
	[ "$(field AWL "$(line_of fromcarol out)")" = carol@example.net ]
	[ "$(field AWL "$(line_of fromfrank out)")" = FRANK@example.COM ]
	! line_of fromstranger out | grep -q 'AWL='
	# the allowlist does not make the Bayes store trained
	line_of fromcarol out | grep -q 'BAYES_UNTRAINED=ham:0,spam:0'
}

@test "xd-bayes: the allowlist keeps awl_max addresses, the least recently written to go first" {
	echo 'awl_max = 2' >>"$XD_CONF"
	sent() {
		msg "$1" <<EOF
From: bob@example.org
To: $2
Subject: note $1
Message-ID: <$1@example.org>

Text of $1.
EOF
		xd-parse -- "$1" | xd-bayes -q --sent --now "$3" >/dev/null
	}
	sent m1 regular@example.com 1000
	sent m2 once@example.com 2000
	sent m3 regular@example.com 3000
	sent m4 new@example.com 4000
	STAT=awl; [ "$(stored)" -eq 2 ]
	note a regular@example.com Hi Hi
	note b once@example.com Hi Hi
	note c new@example.com Hi Hi
	xd-parse -- a b c | xd-bayes >out
	line_of a out | grep -q 'AWL=regular@example.com'
	! line_of b out | grep -q 'AWL='
	line_of c out | grep -q 'AWL=new@example.com'
}

@test "xd-bayes: in the pipeline with no options, as a stage of xd check" {
	trained
	echo 'stages = bayes' >>"$XD_CONF"
	run --separate-stderr xd check newham newspam
	[ "$status" -eq 0 ]
	line_of newspam <(echo "$output") | grep -q 'BAYES_99='
	line_of newham <(echo "$output") | grep -q 'BAYES_00='
}
