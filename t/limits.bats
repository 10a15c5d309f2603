#!/usr/bin/env bats
# Bounds on hostile mail: a header of a million lines, 100,000 parts,
# nesting past the limit, zip bombs and a message over max_message_size
# each cost bounded time and memory in every tool, and each bound hit is
# a symbol with a weight, so that a message over a bound never scores
# less than the same message cut at the bound.

load helper

GEN="sh $BATS_TEST_DIRNAME/gen-hostile.sh"
ZIP="python3 $BATS_TEST_DIRNAME/gen-zip.py"

# The score xd check gives the message in $1.
score() {
	xd check -q "$1" >checked
	field score "$(grep -v '^#' checked)"
}

# over_scores_at_least OVER CUT SYMBOL: xd check finds SYMBOL in OVER and
# not in CUT, and scores OVER no less than CUT.
over_scores_at_least() {
	over=$(score "$1")
	grep -q "	$3=" checked || { echo "no $3 on $1:" >&2; cat checked >&2; return 1; }
	cut=$(score "$2")
	! grep -q "	$3=" checked || { echo "$3 on the cut $2" >&2; return 1; }
	echo "score $over over the bound, $cut cut at it"
	awk -v o="$over" -v c="$cut" 'BEGIN { exit !(o != "" && c != "" && o + 0 >= c + 0) }'
}

# bounded TOOL FILE MIB SECONDS: TOOL on FILE's stream line stays under
# MIB MiB of memory and SECONDS of CPU time (the machine may be busy with
# other tests: the time on the clock says little), and writes one line.
bounded() {
	xd-parse -- "$2" >line
	if [ "$1" = parse ]; then
		/usr/bin/time -f '%M %U %S' -o used xd-parse -- "$2" >out
	else
		/usr/bin/time -f '%M %U %S' -o used "xd-$1" <line >out
	fi
	read -r kb user sys <used
	echo "xd-$1: $kb KB, $user s user, $sys s system"
	[ "$(grep -vc '^#' out)" -eq 1 ]
	# ASan's shadow memory and redzones (make check-asan) add to every
	# allocation: there the bound is three times as wide.
	wide=1
	[ -z "${ASAN_OPTIONS:-}" ] || wide=3
	[ "$kb" -lt $(($3 * 1024 * wide)) ]
	awk -v u="$user" -v s="$sys" -v max="$4" 'BEGIN { exit !(u + s < max) }'
}

# A message of the header lines on standard input and a short body.
with_body() {
	cat
	printf 'Subject: hello\n\nSee you at noon.\n'
}

# --- the header -------------------------------------------------------

@test "a million Received: lines cost every tool bounded memory and time" {
	$GEN millionreceived "$PWD/m"
	for tool in parse heur bayes cksum urlcheck; do
		bounded $tool "$PWD/m" 64 5
	done
	xd-parse -- "$PWD/m" >line
	[ "$(field hops "$(grep -v '^#' line)")" -eq 1000 ]
	[ "$(field HDR_LIMIT "$(grep -v '^#' line)")" = fields ]
}

@test "a million Received: lines ending in CR alone cost bounded memory too" {
	$GEN millionreceived | tr '\n' '\r' >"$PWD/m"
	for tool in parse heur; do
		bounded $tool "$PWD/m" 80 5
	done
	grep -q '	HDR_LIMIT=fields' line
}

@test "a header over max_header_fields scores no less than the header cut there" {
	{ seq -f 'Received: from h%g.example.net by mx.example.org' 1 1000
	  echo 'From: Bob <bob@example.com>'; } | with_body >over
	{ head -n 1000 over; printf '\nSee you at noon.\n'; } >cut
	over_scores_at_least over cut HDR_LIMIT
}

@test "max_header_fields is a key: a lower bound cuts sooner" {
	echo 'max_header_fields = 5' >"$XD_CONF"
	seq -f 'X-Hop-%g: x' 1 8 | with_body >m
	xd-parse -- m >line
	[ "$(field HDR_LIMIT "$(grep -v '^#' line)")" = fields ]
	! grep -q 'subject=' line
	echo 'max_header_fields = 9' >"$XD_CONF"
	xd-parse -- m >line
	! grep -q 'HDR_LIMIT' line
	grep -q '	subject=hello' line
}

@test "a header over max_header_size scores no less than the header cut there" {
	$GEN longsubject over
	# the cut message: the same without the 2 MiB Subject: line
	grep -v '^Subject: ' over >cut
	over_scores_at_least over cut HDR_LIMIT
	xd-parse -- over | grep -q '	HDR_LIMIT=bytes'
}

@test "a first header field over max_header_size leaves mail that is judged" {
	{ printf 'X-Junk: '; head -c 2000000 /dev/zero | tr '\0' a
	  printf '\nFrom: a@example.com\n\nbody\n'; } >m
	xd check -q m >checked
	! grep -q 'error=' checked
	grep -q '	HDR_LIMIT=bytes' checked
	xd filter <m >out
	sed '/^$/q' out >header
	grep -q '^X-Spam-Status: .*HDR_LIMIT' header
	! grep -q '^X-XD-Unchecked' header
}

# inner P [M]: a message whose part's header has P fields, and whose
# attached message's header has M (or P).
inner() {
	printf 'From: a@example.com\nSubject: inner\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
	seq -f 'X-Part-%g: x' 1 "$1"
	printf 'Content-Type: text/plain\n\nhello\n--b\n'
	printf 'Content-Type: message/rfc822\n\n'
	seq -f 'Received: from h%g.example.net' 1 "${2:-$1}"
	printf 'Subject: VIAGRA CIALIS cheap meds\n\nhttp://pills.example.com/\n--b--\n'
}

@test "a million fields in a part's header cost every tool bounded memory" {
	inner 1000000 >m
	for tool in parse heur bayes cksum urlcheck; do
		bounded $tool "$PWD/m" 64 5
	done
	grep -q '	HDR_LIMIT=fields' line
	grep -q '	subject=inner' line
}

@test "a million fields in an attached message's header cost bounded memory" {
	{ printf 'From: a@example.com\nContent-Type: message/rfc822\n\n'
	  awk 'BEGIN { for (i = 0; i < 1000000; i++) print "Received: x" }'
	  printf 'Subject: inner\n\nhello\n'; } >m
	bounded parse "$PWD/m" 64 5
	bounded heur "$PWD/m" 64 5
	grep -q '	HDR_LIMIT=fields' line
}

# encoded: the message on standard input attached to another in base64.
encoded() {
	printf 'From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
	printf 'Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n'
	base64
	printf -- '--b--\n'
}

@test "an attached message sent in base64 is bounded as one sent plain" {
	{ awk 'BEGIN { for (i = 0; i < 1000000; i++) print "Received: x" }'
	  printf 'Subject: inner\n\nhello\n'; } | encoded >fields
	bounded parse "$PWD/fields" 64 5
	bounded heur "$PWD/fields" 64 5
	grep -q '	HDR_LIMIT=fields' line
	{ printf 'Subject: inner\nMIME-Version: 1.0\n'
	  printf 'Content-Type: multipart/mixed; boundary="c"\n\n'
	  awk 'BEGIN { for (i = 0; i < 100000; i++) print "--c\n"; print "--c--" }'
	} | encoded >parts
	bounded parse "$PWD/parts" 64 5
	bounded heur "$PWD/parts" 64 5
	grep -q '	MIME_LIMIT_PARTS=1000' line
}

@test "a part's header over max_header_fields scores no less than the message cut there" {
	echo 'max_header_fields = 20' >"$XD_CONF"
	inner 5 30 >over
	# the message up to the 21st field of the attached message's header
	awk '/^Received: from h21\./ { exit } { print }' over >cut
	over_scores_at_least over cut HDR_LIMIT
	# the part's header
	inner 25 5 >over
	awk '/^X-Part-21:/ { exit } { print }' over >cut
	over_scores_at_least over cut HDR_LIMIT
}

@test "the body after a cut header is still read" {
	echo 'max_header_fields = 3' >"$XD_CONF"
	{ seq -f 'X-Hop-%g: x' 1 5
	  printf 'Content-Type: text/html\n\n<p>Visit http://cut.example.com/ now</p>\n'; } >m
	xd-parse -- m | xd-urlcheck >line
	grep -q '	domains=example.com' line
	grep -q '	HDR_LIMIT=fields' line
}

# --- parts ------------------------------------------------------------

# parts N [TEXT]: a multipart of N tiny parts, then one saying TEXT.
parts() {
	printf 'From: a@example.com\nSubject: parts\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n'
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "--b\nContent-Type: text/plain\n\npart %d\n", i }'
	[ -z "${2:-}" ] || printf -- '--b\nContent-Type: text/plain\n\n%s\n' "$2"
	printf -- '--b--\n'
}

@test "100,000 tiny parts cost every tool bounded memory and time" {
	$GEN tinyparts "$PWD/m"
	for tool in parse heur bayes cksum urlcheck; do
		bounded $tool "$PWD/m" 64 5
	done
}

@test "a message over 1000 parts scores no less than its first 1000" {
	parts 1000 'VIAGRA CIALIS cheap meds http://pills.example.com/' >over
	parts 1000 >cut
	over_scores_at_least over cut MIME_LIMIT_PARTS
}

# nest N INNER: N multiparts one in the other; the innermost holds a text
# part saying INNER, or nothing when INNER is empty.
nest() {
	printf 'From: a@example.com\nSubject: nested\nMIME-Version: 1.0\n'
	awk -v n="$1" -v inner="$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "Content-Type: multipart/mixed; boundary=\"n%d\"\n\n--n%d\n", i, i
		if (inner != "")
			printf "Content-Type: text/plain\n\n%s\n", inner
		for (i = n - 1; i >= 0; i--)
			printf "--n%d--\n", i }'
}

@test "a part nested past 64 deep scores no less than the message cut there" {
	nest 65 'VIAGRA CIALIS cheap meds http://pills.example.com/' >over
	nest 64 '' >cut
	over_scores_at_least over cut MIME_LIMIT_DEPTH
}

# --- archives -----------------------------------------------------------

@test "zip bombs cost xd-heur bounded time and memory" {
	for k in zipnested zipmulti zipentries zipchain; do
		$GEN $k "$PWD/$k"
		bounded heur "$PWD/$k" 100 5
	done
	xd-parse -- zipnested | xd-heur >line
	grep -q '	HEUR_ARCHIVE_LIMIT=bytes' line
	xd-parse -- zipentries | xd-heur >line
	grep -q '	HEUR_ARCHIVE_LIMIT=entries' line
}

@test "a program past archive_max_entries scores no less than the zip cut there" {
	$ZIP entries 10000 invoice.exe >over
	$ZIP entries 10000 >cut
	over_scores_at_least over cut HEUR_ARCHIVE_LIMIT
}

@test "a program past archive_max_bytes scores no less than the zip cut there" {
	$ZIP nested 4 10 invoice.exe >over
	$ZIP nested 3 10 >cut
	over_scores_at_least over cut HEUR_ARCHIVE_LIMIT
	# under the bound the program is seen
	$ZIP nested 3 10 invoice.exe >seen
	xd-parse -- seen | xd-heur >line
	grep -q '	HEUR_ATTACH_ZIP_RESTRICTED=invoice0.zip:invoice.exe' line
}

@test "archive_max_time bounds the CPU time of a message's zips" {
	printf 'archive_max_bytes = 100G\narchive_max_time = 0.2\n' >"$XD_CONF"
	$GEN zipnested m
	bounded heur m 100 3
	grep -q '	HEUR_ARCHIVE_LIMIT=time' out
}

@test "the archive budget is per message: the next message has its own" {
	echo 'archive_max_entries = 5' >"$XD_CONF"
	$ZIP entries 10 >big
	$ZIP entries 2 invoice.exe >small
	xd-parse -- big small | xd-heur >out
	grep '^big' out | grep -q '	HEUR_ARCHIVE_LIMIT=entries'
	grep '^small' out | grep -q '	HEUR_ATTACH_ZIP_RESTRICTED='
	! grep '^small' out | grep -q 'HEUR_ARCHIVE_LIMIT'
}

# --- size ---------------------------------------------------------------

@test "a message over max_message_size scores no less than its first max_message_size bytes" {
	echo 'max_message_size = 1M' >"$XD_CONF"
	$GEN hugebody over
	head -c 1048576 over >cut
	over_scores_at_least over cut MIME_LIMIT_SIZE
}

@test "a 54 MiB message is checked and tagged by xd filter, never passed unseen" {
	$GEN bigmessage m
	xd check -q m >checked
	grep -q '	MIME_LIMIT_SIZE=' checked
	grep -q '	from=hostile@example.net' checked
	! grep -q 'error=' checked
	xd filter <m >out
	sed '/^$/q' out >header
	grep -q '^X-Spam-Status: ' header
	grep -q 'MIME_LIMIT_SIZE' header
	! grep -q '^X-XD-Unchecked' header
	# the message itself, byte for byte, besides xd's own header fields
	without_xd_fields <out | cmp - m
}

# The message on standard input without the X-Spam-* and X-XD-* fields
# of its header, folded lines and all.
without_xd_fields() {
	awk 'body { print; next }
	    /^$/ { body = 1; print; next }
	    /^X-Spam-|^X-XD-/ { skip = 1; next }
	    /^[ \t]/ && skip { next }
	    { skip = 0; print }'
}

# --- weights and documentation ------------------------------------------

@test "every limit symbol has a weight above zero and is documented" {
	for s in MIME_LIMIT_SIZE MIME_LIMIT_PARTS MIME_LIMIT_DEPTH HDR_LIMIT \
	    HEUR_ARCHIVE_LIMIT; do
		w=$(awk -v s="$s" '$1 == s { print $2 }' "$REPO/share/weights")
		awk -v w="$w" 'BEGIN { exit !(w + 0 > 0) }' ||
		    { echo "$s weighs '$w'" >&2; return 1; }
		grep -q "$s" "$REPO/man/xd-stream.5" ||
		    { echo "$s is not in xd-stream.5" >&2; return 1; }
	done
}
