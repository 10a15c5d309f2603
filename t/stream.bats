#!/usr/bin/env bats
# The invariants of xd-stream(5), tool by tool: one line out per line
# in, in order; fields a tool does not own pass through byte for byte;
# '#' lines pass untouched; running a tool twice is running it once.

load helper

LINT="python3 $BATS_TEST_DIRNAME/lint-stream.py"

# A tool that should be built: its absence is a failure, not a skip.
need() {
	command -v "$1" >/dev/null ||
	    { echo "$1 is not built (looked in $XD_BIN)" >&2; return 1; }
}

# Every sample message as a path argument, in a fixed order.
sample_files() {
	for d in ham spam malformed; do
		for f in "$SAMPLES/$d"/cur/*; do
			printf '%s\n' "$f"
		done
	done
}

# The stream of every sample, with comment lines and foreign fields
# mixed in: what a real pipeline hands a later tool.
mixed_stream() {
	need xd-parse
	sample_files >files
	xd-parse -- $(cat files) "$SAMPLES/mbox" >parsed || [ $? -eq 1 ]
	awk -F'\t' 'BEGIN { OFS = "\t" }
	/^#/ { print; next }
	NR % 3 == 0 { print "# a comment line\twith a TAB and 100%ZZ" }
	{
		$1 = $1 "\tzz_foreign=a%09b"
		print $0 "\tzz_after=x%25y\tZZ_UNKNOWN=evidence%0Ahere"
	}' parsed >mixed
}

# same_order A B: the locators of A and B are the same, in order.
same_order() {
	grep -v '^#' "$1" | cut -f1 >"$1.loc"
	grep -v '^#' "$2" | cut -f1 >"$2.loc"
	diff "$1.loc" "$2.loc"
}

# kept IN OUT OWN: every '#' line is where it was, and every other output
# line is its input line with the tool's own fields appended.  Own
# fields from an earlier run may have been dropped first: OWN is a
# regular expression that matches the start of a field the tool owns.
kept() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
inp = open(sys.argv[1], "rb").read().split(b"\n")
out = open(sys.argv[2], "rb").read().split(b"\n")
own = re.compile(("^(%s)" % sys.argv[3]).encode())
if len(inp) != len(out):
    sys.exit("%d lines in, %d out" % (len(inp) - 1, len(out) - 1))
for n, (a, b) in enumerate(zip(inp, out), 1):
    if a.startswith(b"#"):
        if a != b:
            sys.exit("line %d: comment changed: %r -> %r" % (n, a, b))
        continue
    fa = [f for f in a.split(b"\t") if not own.match(f)]
    fb = b.split(b"\t")
    if fb[:len(fa)] != fa:
        sys.exit("line %d: foreign fields changed:\n%r\n%r" % (n, a, b))
    for f in fb[len(fa):]:
        if not own.match(f):
            sys.exit("line %d: appended a field it does not own: %r" % (n, f))
PY
}

# --- xd-parse --------------------------------------------------------

@test "xd-parse: one line per file, in argument order" {
	need xd-parse
	sample_files >files
	xd-parse -- $(cat files) >out || [ $? -eq 1 ]
	[ "$(head -n 1 out)" = "#xd-stream 1" ]
	grep -v '^#' out | cut -f1 | diff files -
}

@test "xd-parse: one line per message of a maildir, cur/ and new/" {
	need xd-parse
	mkmaildir md
	cp "$SAMPLES"/ham/cur/* md/cur/
	cp "$SAMPLES"/spam/cur/1700001101.* md/new/1700001101.M1P1.host
	touch md/cur/.hidden
	xd-parse -- md >out
	n=$(ls md/cur md/new | grep -c '^1700')
	[ "$(count_lines <out)" -eq "$n" ]
	! grep -q '\.hidden' out
}

@test "xd-parse: one line per message of an mbox, with offset= and length=" {
	need xd-parse
	xd-parse -- "$SAMPLES/mbox" >out
	[ "$(count_lines <out)" -eq 3 ]
	[ "$(grep '	offset=[0-9]' out | grep -c '	length=[0-9]')" -eq 3 ]
}

@test "xd-parse: its stream is well formed" {
	need xd-parse
	sample_files >files
	xd-parse -- $(cat files) "$SAMPLES/mbox" >out || [ $? -eq 1 ]
	$LINT -m 1048576 out
}

@test "xd-parse: the same mail gives the same stream" {
	need xd-parse
	sample_files >files
	xd-parse -- $(cat files) "$SAMPLES/mbox" >one || [ $? -eq 1 ]
	xd-parse -- $(cat files) "$SAMPLES/mbox" >two || [ $? -eq 1 ]
	cmp one two
}

# --- xd-score --------------------------------------------------------

@test "xd-score: N lines in, N lines out, in order" {
	mixed_stream
	need xd-score
	xd-score <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
}

@test "xd-score: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-score
	xd-score <mixed >out || [ $? -eq 1 ]
	kept mixed out 'policy=|score=|prob=|class=|error=xd-score:'
	[ "$(grep -c '	zz_foreign=a%09b	' out)" -eq "$(grep -c '	zz_foreign=a%09b	' mixed)" ]
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-score: running it twice is running it once" {
	mixed_stream
	need xd-score
	xd-score <mixed >once || [ $? -eq 1 ]
	xd-score <once >twice || [ $? -eq 1 ]
	cmp once twice
}

@test "xd-score: the invariants on a hand-written stream" {
	need xd-score
	printf '%s\n' '#xd-stream 1' \
	    '/m/1	ip=192.0.2.1	subject=hi%09there	zz_foreign=a%09b' \
	    '# a comment	that stays' \
	    '/m/2	BIG=1	score=99	class=spam	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-score:old	HEUR_X=	prob=0.5	zz_after=%25' \
	    '/m/%09tab	policy=old' >in
	xd-score <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once 'policy=|score=|prob=|class=|error=xd-score:'
	grep -q '^/m/2	BIG=1	error=xd-parse:unreadable	zz=1	' once
	! grep -q 'error=xd-score:old' once
	xd-score <once >twice || [ $? -eq 1 ]
	cmp once twice
}

@test "xd-score: a line scored with other weights is scored anew" {
	need xd-score
	printf '#xd-stream 1\n/m/1\tBIG=1\tzz=1\n' >in
	printf 'BIG 7\n' >w7
	printf 'BIG 1\n' >w1
	xd-score -w w7 <in >seven
	xd-score -w w1 <seven >one
	xd-score -w w1 <in >direct
	cmp one direct
	[ "$(grep -o 'score=' one | wc -l)" -eq 1 ]
}

# --- xd-rbl ----------------------------------------------------------

# No DNS here (helper.bash: XD_RESOLVER=none): every lookup fails at
# once, so every line gets symbols, and the invariants hold with them.
RBL_OWN='RBL_|RBLWL_|RHSBL_|RHSWL_|RDNS_|error=xd-rbl:'

rbl_conf() {
	printf '%s\n' "rbl = A a.example 127.0.0.2=X" "rhsbl = D d.example" >"$XD_CONF"
}

@test "xd-rbl: N lines in, N lines out, in order, well formed" {
	mixed_stream
	need xd-rbl
	rbl_conf
	xd-rbl <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q 'RBL_TEMPFAIL=a.example' out
}

@test "xd-rbl: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-rbl
	rbl_conf
	xd-rbl -w 3 <mixed >out || [ $? -eq 1 ]
	kept mixed out "$RBL_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-rbl: running it twice is running it once, with and without --keep" {
	mixed_stream
	need xd-rbl
	rbl_conf
	xd-rbl <mixed >once || [ $? -eq 1 ]
	xd-rbl <once >twice || [ $? -eq 1 ]
	cmp once twice
	xd-rbl --keep <once >kept || [ $? -eq 1 ]
	cmp once kept
}

@test "xd-rbl: the invariants on a hand-written stream" {
	need xd-rbl
	rbl_conf
	printf '%s\n' '#xd-stream 1' \
	    '/m/1	ip=192.0.2.1	subject=hi%09there	zz_foreign=a%09b' \
	    '# a comment	that stays' \
	    '/m/2	RBL_OLD=1	from=a@b.example	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-rbl:old	RDNS_NONE=x	zz_after=%25' \
	    '/m/%09tab	ip=bad' >in
	xd-rbl <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$RBL_OWN"
	! grep -q 'error=xd-rbl:old' once
	! grep -q 'RBL_OLD' once
	xd-rbl <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- xd-spf ---------------------------------------------------------

# No DNS here: every check with an ip= is SPF_TEMPERROR at once.
SPF_OWN='SPF_|error=xd-spf:'

@test "xd-spf: N lines in, N lines out, in order, well formed" {
	mixed_stream
	need xd-spf
	xd-spf <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q 'SPF_TEMPERROR=' out
}

@test "xd-spf: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-spf
	xd-spf -w 3 <mixed >out || [ $? -eq 1 ]
	kept mixed out "$SPF_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-spf: running it twice is running it once, with and without --keep" {
	mixed_stream
	need xd-spf
	xd-spf <mixed >once || [ $? -eq 1 ]
	xd-spf -w 1 <once >twice || [ $? -eq 1 ]
	cmp once twice
	xd-spf --keep <once >kept || [ $? -eq 1 ]
	cmp once kept
}

@test "xd-spf: the invariants on a hand-written stream" {
	need xd-spf
	printf '%s\n' '#xd-stream 1' \
	    '/m/1	ip=192.0.2.1	mailfrom=a@b.example	zz_foreign=a%09b' \
	    '# a comment	that stays' \
	    '/m/2	SPF_PASS=old	ip=192.0.2.1	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-spf:old	helo=h.example	ip=192.0.2.1	zz_after=%25' \
	    '/m/%09tab	ip=bad' >in
	xd-spf <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$SPF_OWN"
	! grep -q 'error=xd-spf:old' once
	! grep -q 'SPF_PASS=old' once
	xd-spf <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- xd-urlcheck -----------------------------------------------------

# A URI list with no DNS (every lookup fails at once) and a local list
# that lists the samples' links: every line with a link gets symbols.
URL_OWN='URIBL_|URL_|urls=|domains=|error=xd-urlcheck:'

url_conf() {
	printf 'com\nnet\norg\nexample\n' >local.list
	printf '%s\n' "uribl = U u.example" "url_list = L $PWD/local.list" >"$XD_CONF"
}

@test "xd-urlcheck: N lines in, N lines out, in order, well formed" {
	mixed_stream
	need xd-urlcheck
	url_conf
	xd-urlcheck <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q 'URIBL_TEMPFAIL=u.example' out
	grep -q 'URL_LOCAL_L=' out
}

@test "xd-urlcheck: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-urlcheck
	url_conf
	xd-urlcheck -w 3 <mixed >out || [ $? -eq 1 ]
	kept mixed out "$URL_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-urlcheck: running it twice is running it once, with and without --keep" {
	mixed_stream
	need xd-urlcheck
	url_conf
	xd-urlcheck <mixed >once || [ $? -eq 1 ]
	xd-urlcheck <once >twice || [ $? -eq 1 ]
	cmp once twice
	xd-urlcheck --keep <once >kept || [ $? -eq 1 ]
	cmp once kept
}

@test "xd-urlcheck: the invariants on a hand-written stream" {
	need xd-urlcheck
	url_conf
	printf '%s\n' '#xd-stream 1' \
	    "$SAMPLES/mbox	offset=0	zz_foreign=a%09b	URL_OLD=1" \
	    '# a comment	that stays' \
	    '/m/2	URIBL_OLD=1	urls=3	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-urlcheck:old	domains=x	zz_after=%25' \
	    '/m/%09tab	ip=bad' >in
	xd-urlcheck <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$URL_OWN"
	! grep -q 'error=xd-urlcheck:old' once
	! grep -q 'URL_OLD\|URIBL_OLD' once
	xd-urlcheck <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- xd-cksum --------------------------------------------------------

# The store is LMDB in the test's private home (the default place).
CKSUM_OWN='CKSUM_|cksum=|fuzzy=|error=xd-cksum:'

@test "xd-cksum: N lines in, N lines out, in order, well formed" {
	mixed_stream
	need xd-cksum
	xd-cksum <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q '	cksum=[0-9a-f]' out
	grep -q '	fuzzy=[0-9a-f]' out
}

@test "xd-cksum: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-cksum
	xd-cksum <mixed >out || [ $? -eq 1 ]
	kept mixed out "$CKSUM_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-cksum: running it twice is running it once, with and without --keep" {
	mixed_stream
	need xd-cksum
	echo 'cksum_threshold = 1' >"$XD_CONF"
	xd-cksum <mixed >once || [ $? -eq 1 ]
	grep -q 'CKSUM_BULK=1' once
	xd-cksum <once >twice || [ $? -eq 1 ]
	cmp once twice
	xd-cksum <mixed >again || [ $? -eq 1 ]
	cmp once again
	xd-cksum --keep <once >kept || [ $? -eq 1 ]
	cmp once kept
}

@test "xd-cksum: the invariants on a hand-written stream" {
	need xd-cksum
	printf '%s\n' '#xd-stream 1' \
	    "$SAMPLES/mbox	offset=0	zz_foreign=a%09b	CKSUM_OLD=1" \
	    '# a comment	that stays' \
	    '/m/2	CKSUM_BULK=9	cksum=x	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-cksum:old	fuzzy=x	zz_after=%25' \
	    '/m/%09tab	ip=bad' >in
	xd-cksum <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$CKSUM_OWN"
	! grep -q 'error=xd-cksum:old' once
	! grep -q 'CKSUM_OLD\|CKSUM_BULK=9\|cksum=x\|fuzzy=x' once
	xd-cksum <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- xd-heur ---------------------------------------------------------

# The built-in checks and the shipped rules (share/rules, named XD_).
HEUR_OWN='HEUR_|XD_|error=xd-heur:'

@test "xd-heur: N lines in, N lines out, in order, well formed" {
	mixed_stream
	need xd-heur
	xd-heur <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q '	HEUR_' out
}

@test "xd-heur: foreign fields and comments pass through byte for byte" {
	mixed_stream
	need xd-heur
	xd-heur <mixed >out || [ $? -eq 1 ]
	kept mixed out "$HEUR_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
}

@test "xd-heur: running it twice is running it once" {
	mixed_stream
	need xd-heur
	xd-heur <mixed >once || [ $? -eq 1 ]
	xd-heur <once >twice || [ $? -eq 1 ]
	cmp once twice
}

@test "xd-heur: the invariants on a hand-written stream" {
	need xd-heur
	printf '%s\n' '#xd-stream 1' \
	    "$SAMPLES/mbox	offset=0	zz_foreign=a%09b	HEUR_OLD=1	XD_SUBJ_ADV=x" \
	    '# a comment	that stays' \
	    '/m/2	HEUR_NO_DATE=	error=xd-parse:unreadable	zz=1' \
	    '/m/3	error=xd-heur:old	zz_after=%25' \
	    '/m/%09tab	ip=bad' >in
	xd-heur <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$HEUR_OWN"
	! grep -q 'error=xd-heur:old' once
	! grep -q 'HEUR_OLD\|XD_SUBJ_ADV=x' once
	xd-heur <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- xd-act ----------------------------------------------------------

# xd-act has no dry run: it acts in batch mode, copying into private
# maildirs, and the stream it writes keeps the invariants too.
act() {
	xd-act -d "$PWD/inbox" -q "$PWD/quarantine"
}

# How many messages the private maildirs hold.
delivered() {
	find inbox quarantine -type f \( -path '*/new/*' -o -path '*/cur/*' \) \
	    2>/dev/null | wc -l
}

@test "xd-act: N lines in, N lines out, in order, foreign fields kept" {
	mixed_stream
	need xd-score
	need xd-act
	xd-score <mixed >scored || [ $? -eq 1 ]
	act <scored >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <scored)" ]
	same_order scored out
	kept scored out 'action=|error=xd-act:'
	$LINT out
}

@test "xd-act: running it twice is running it once, and delivers once" {
	mixed_stream
	need xd-score
	need xd-act
	xd-score <mixed >scored || [ $? -eq 1 ]
	act <scored >once || [ $? -eq 1 ]
	n=$(delivered)
	[ "$n" -gt 0 ]
	act <once >twice || [ $? -eq 1 ]
	cmp once twice
	[ "$(delivered)" -eq "$n" ]
}

@test "xd-act: the invariants on a hand-written stream" {
	need xd-act
	cp "$SAMPLES"/ham/cur/1700000101.* m1
	cp "$SAMPLES"/spam/cur/1700001101.* m2
	printf '%s\n' '#xd-stream 1' \
	    "$PWD/m1	zz_foreign=a%09b	class=ham	zz_after=1" \
	    '# a comment	that stays' \
	    "$PWD/m2	error=xd-act:old	class=spam	action=none	zz=%25" \
	    "$PWD/nothere	subject=no class here" >in
	act <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once 'action=|error=xd-act:'
	! grep -q 'error=xd-act:old' once
	[ "$(delivered)" -eq 2 ]
	act <once >twice || [ $? -eq 1 ]
	cmp once twice
	[ "$(delivered)" -eq 2 ]
	cmp m1 inbox/new/*
}

# --- xd-bayes --------------------------------------------------------

# A store that learned the samples, so that every readable line gets a
# probability, a band and, for one sender, AWL=.
BAYES_OWN='BAYES=|BAYES_|AWL=|error=xd-bayes:'

bayes_store() {
	need xd-bayes
	printf 'store = %s/bayes.lmdb\nbayes_min_learned = 1\n' "$PWD" >"$XD_CONF"
	xd-parse -- "$SAMPLES/ham" | xd-bayes -q -l ham >/dev/null
	xd-parse -- "$SAMPLES/spam" | xd-bayes -q -l spam >/dev/null
	xd-parse -- "$SAMPLES/ham" | xd-bayes -q --sent >/dev/null
}

@test "xd-bayes: N lines in, N lines out, in order, well formed" {
	mixed_stream
	bayes_store
	xd-bayes <mixed >out || [ $? -eq 1 ]
	[ "$(wc -l <out)" -eq "$(wc -l <mixed)" ]
	same_order mixed out
	$LINT out
	grep -q '	BAYES_99=' out
	grep -q '	BAYES_00=' out
}

@test "xd-bayes: foreign fields and comments pass through byte for byte" {
	mixed_stream
	bayes_store
	xd-bayes <mixed >out || [ $? -eq 1 ]
	kept mixed out "$BAYES_OWN"
	[ "$(grep -c '^# a comment line	with a TAB and 100%ZZ$' out)" -gt 0 ]
	# learning writes the stream as it read it
	xd-bayes -q -l spam <mixed >learned || [ $? -eq 1 ]
	kept mixed learned 'error=xd-bayes:'
}

@test "xd-bayes: running it twice is running it once" {
	mixed_stream
	bayes_store
	xd-bayes <mixed >once || [ $? -eq 1 ]
	xd-bayes <once >twice || [ $? -eq 1 ]
	cmp once twice
}

@test "xd-bayes: the invariants on a hand-written stream" {
	bayes_store
	cp "$SAMPLES"/spam/cur/1700001101.* m2
	printf '%s\n' '#xd-stream 1' \
	    "$PWD/m2	BAYES=0.0001	zz_foreign=a%09b	BAYES_00=	AWL=x@y" \
	    '# a comment	that stays' \
	    "$PWD/m2	error=xd-bayes:old	BAYES_UNTRAINED=ham:0,spam:0	zz=%25" \
	    '/nothere	subject=hi%09there' >in
	xd-bayes <in >once || [ $? -eq 1 ]
	same_order in once
	kept in once "$BAYES_OWN"
	! grep -q 'error=xd-bayes:old\|BAYES_UNTRAINED\|AWL=x@y\|BAYES=0.0001' once
	grep -q '^/nothere	subject=hi%09there	error=xd-bayes:unreadable$' once
	xd-bayes <once >twice || [ $? -eq 1 ]
	cmp once twice
}

# --- the whole pipeline ----------------------------------------------

@test "xd check: one line per message, in order, well formed" {
	need xd-parse
	sample_files >files
	xd -q check -- $(cat files) >out || [ $? -eq 1 ]
	grep -v '^#' out | cut -f1 | diff files -
	$LINT -m 1048576 out
}

@test "xd rescore of a stored stream is idempotent" {
	need xd-parse
	xd -q check "$SAMPLES/ham" "$SAMPLES/spam" >stored || [ $? -eq 1 ]
	xd rescore stored >again
	cmp stored again
}
