#!/usr/bin/env bats
# xd-cksum: the checksums of a body, their normalisation and fingerprint,
# counting copies once each in a window, reports, aging, the store
# failing, hostile mail; the symbols on both stores, LMDB and a real
# redis-server on 127.0.0.1.

load helper
load redis

GEN="sh $BATS_TEST_DIRNAME/gen-hostile.sh"
LINT="python3 $BATS_TEST_DIRNAME/lint-stream.py"

setup_file() {
	redis_start
}

teardown_file() {
	redis_stop
}

BODY='Dear friend we have a special offer for you today only: buy the
finest watches at the lowest prices anywhere in the world, with free
shipping to your door and a money back guarantee if you are not
satisfied with your order. Reply now and save on every watch.'

# mail FILE MSGID [BODY]: a plain message
mail() {
	{
		printf 'From: Seller <seller@example.net>\nTo: bob@example.org\n'
		printf 'Subject: watches\nMessage-ID: <%s>\n\n' "$2"
		printf '%s\n' "${3-$BODY}"
	} >"$1"
}

# copies N PREFIX [BODY]: N messages PREFIX1.. with Message-IDs of their own
copies() {
	local i
	for i in $(seq 1 "$1"); do
		mail "$2$i" "$2$i@example.net" "${3-$BODY}"
	done
}

# use lmdb|redis [CONF LINE...]: the store of the next runs, and xd.conf
use() {
	local url
	case $1 in
	lmdb) url=$PWD/store.lmdb; rm -f store.lmdb store.lmdb-lock ;;
	redis) url=$(redis_db) || return 1 ;;
	esac
	shift
	printf 'store = %s\ncksum_threshold = 3\n' "$url" >"$XD_CONF"
	printf '%s\n' "$@" >>"$XD_CONF"
}

# check FILE... [-- OPTION...]: xd-parse the files, xd-cksum the stream
check() {
	local files=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	opts=("$@")
	xd-parse -- "${files[@]}" | xd-cksum "${opts[@]}"
}

# sym NAME LINE: the value of symbol NAME on the line, or "-" without it
sym() {
	local v
	v=$(field "$1" "$2")
	if printf '%s' "$2" | tr '\t' '\n' | grep -q "^$1="; then
		echo "$v"
	else
		echo -
	fi
}

last() {
	grep -v '^#' | tail -n 1
}

# --- the facts ------------------------------------------------------------

@test "cksum= is the MD5 of the normalised text that --text prints" {
	mail m 1@x
	line=$(check m | last)
	[[ "$(field cksum "$line")" =~ ^[0-9a-f]{32}$ ]]
	text=$(xd-parse -- m | xd-cksum --text | cut -f2)
	[ "$(printf '%s' "$text" | md5sum | cut -d' ' -f1)" = "$(field cksum "$line")" ]
	[ "$text" = "dear friend we have a special offer for you today only buy the finest watches at the lowest prices anywhere in the world with free shipping to your door and a money back guarantee if you are not satisfied with your order reply now and save on every watch" ]
}

@test "fuzzy= is eight bands of 16 hex digits" {
	mail m 1@x
	line=$(check m | last)
	[[ "$(field fuzzy "$line")" =~ ^([0-9a-f]{16},){7}[0-9a-f]{16}$ ]]
}

@test "the same mail gives the same facts; the facts need no store" {
	mail m 1@x
	echo 'store = redis://127.0.0.1:1' >"$XD_CONF"
	a=$(check m | last)
	b=$(check m | last)
	[ "$(field cksum "$a")" = "$(field cksum "$b")" ]
	[ "$(field fuzzy "$a")" = "$(field fuzzy "$b")" ]
}

# --- normalisation -----------------------------------------------------------

# same_text A B: the two bodies normalise alike
same_text() {
	mail a 1@x "$1"
	mail b 2@x "$2"
	xd-parse -- a b | xd-cksum -t | cut -f2 >texts
	[ "$(sort -u texts | wc -l)" -eq 1 ] || { cat texts >&2; return 1; }
}

@test "case, spacing and punctuation do not matter" {
	same_text 'Hello,   World!  How are
	you today?' 'hello world how ARE YOU TODAY'
}

@test "digits go: tracking numbers and order ids vary per copy" {
	same_text 'Your order 12345 ref A7B9 is ready' 'Your order 99871 ref A2B3 is ready'
}

@test "a URL is its host: path, query, user and port go" {
	same_text 'see http://user@www.Shop.example:8080/r/abc?id=42&u=bob#top now' \
	    'see https://www.shop.example/x/yz?id=77 now'
	same_text 'visit www.shop.example/path?q=1 today' 'visit WWW.shop.example today'
}

@test "a mail address is its domain" {
	same_text 'this was sent to bob@example.org by us' 'this was sent to alice@example.org by us'
}

@test "letters outside ASCII are folded and kept, digits of other scripts go" {
	same_text 'ÜBER Straße Ωμέγα ٣٤٥ done' 'über straße ωμέγα done'
}

@test "a word longer than 32 bytes is cut into pieces" {
	mail m 1@x "$(printf 'a%.0s' $(seq 1 70)) end"
	[ "$(xd-parse -- m | xd-cksum -t | cut -f2)" = \
	    "$(printf 'a%.0s' $(seq 1 32)) $(printf 'a%.0s' $(seq 1 32)) aaaaaa end" ]
}

@test "a word of letters outside ASCII is cut by its bytes, as read" {
	# É is 2 bytes: 16 to a piece; Ⱥ is 2 bytes read, 3 once folded
	mail m 1@x "$(printf 'É%.0s' $(seq 1 20)) $(printf 'Ⱥ%.0s' $(seq 1 20))"
	[ "$(xd-parse -- m | xd-cksum -t | cut -f2)" = \
	    "$(printf 'é%.0s' $(seq 1 16)) éééé $(printf 'ⱥ%.0s' $(seq 1 11)) $(printf 'ⱥ%.0s' $(seq 1 9))" ]
}

@test "a long body: cksum= is the MD5 of all of its text, --text prints it all" {
	mail m 1@x "$(for i in $(seq 1 400); do printf '(Word, again.) '; done)"
	line=$(check m | last)
	text=$(xd-parse -- m | xd-cksum --text | cut -f2)
	[ "$text" = "$(printf 'word again%.0s ' $(seq 1 399))word again" ]
	[ "$(printf '%s' "$text" | md5sum | cut -d' ' -f1)" = "$(field cksum "$line")" ]
}

html_mail() {
	{
		printf 'From: a@example.net\nMessage-ID: <%s>\nMIME-Version: 1.0\n' "$2"
		printf 'Content-Type: text/html; charset=utf-8\n\n%s\n' "$3"
	} >"$1"
}

@test "HTML is its text: tags, comments, scripts and styles go, references are decoded" {
	html_mail h 1@x '<html><head><style>p { color: red }</style>
<script>var tracking = "abc";</script></head><body><!-- hash buster 8f7e -->
<p>Fin<b></b>est <font color=red>WAT</font>CHES &amp; more</p><p>caf&eacute;&#233; &lt;now&gt;</p>
<a href="http://evil.example/?id=1">click</a></body></html>'
	[ "$(xd-parse -- h | xd-cksum -t | cut -f2)" = 'finest watches more caféé now click' ]
}

@test "HTML as a browser reads it: text after a stray quote counts, hidden text too, iframe fallback not" {
	html_mail h 1@x '<table><tr><td height="1"">first</td>
<td><img src=x.gif?q=1">second</td></tr></table><span style="display:none">hidden</span>
<iframe src=f.html><p>fallback</p></iframe>e</font=><font size=4>B<o:p>end</o:p>
ra<!-- a comment cuts no word -->tes'
	[ "$(xd-parse -- h | xd-cksum -t | cut -f2)" = 'first second hidden eb end rates' ]
}

@test "the transfer encoding does not matter: base64, quoted-printable, 8bit" {
	text='Dear friend, the finest watches at the lowest prices in the world.'
	{
		printf 'From: a@example.net\nMessage-ID: <1@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n'
		printf '%s\n' "$text" | base64
	} >b64
	{
		printf 'From: a@example.net\nMessage-ID: <2@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n'
		printf 'Dear friend, the finest watc=\nhes at the lowest prices in the =77orld.\n'
	} >qp
	mail plain 3@x "$text"
	xd-parse -- b64 qp plain | xd-cksum | grep -v '^#' >out
	[ "$(cut -f1 --complement out | tr '\t' '\n' | grep '^cksum=' | sort -u | wc -l)" -eq 1 ]
}

@test "an attachment counts in the digest as the MD5 of its content" {
	{
		printf 'From: a@example.net\nMessage-ID: <1@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\n'
		printf 'Content-Type: text/plain\n\nsee the picture\n--b\n'
		printf 'Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n'
		printf 'aGVsbG8gd29ybGQ=\n--b--\n'
	} >att
	[ "$(xd-parse -- att | xd-cksum -t | cut -f2)" = \
	    "see the picture #$(printf 'hello world' | md5sum | cut -d' ' -f1)" ]
}

# --- counting -------------------------------------------------------------------

@test "CKSUM_BULK: copies are counted, on both stores" {
	for s in lmdb redis; do
		use $s
		copies 4 c
		check c1 c2 c3 c4 >out
		grep -v '^#' out | while IFS= read -r l; do sym CKSUM_BULK "$l"; done >bulk
		[ "$(tr '\n' ' ' <bulk)" = '- - 3 4 ' ] || { echo "$s: $(cat bulk)"; return 1; }
	done
}

@test "CKSUM_BULK: copies with a changed line are counted together, on both stores" {
	words=(alpha bravo charlie delta echo foxtrot golf hotel india juliet)
	for s in lmdb redis; do
		use $s
		for i in 0 1 2 3 4 5; do
			mail f$i "f$i@x" "$BODY
This line is changed per copy: ${words[$i]} ${words[$((i + 3))]} and ${words[$((i + 1))]} too."
		done
		check f0 f1 f2 f3 f4 f5 | last >line
		# each copy has a digest of its own
		[ "$(xd-parse -- f0 f1 f2 f3 f4 f5 | xd-cksum -t | cut -f2 | sort -u | wc -l)" -eq 6 ]
		bulk=$(sym CKSUM_BULK "$(cat line)")
		[ "$bulk" != - ] && [ "$bulk" -ge 3 ] || { echo "$s: bulk $bulk"; return 1; }
	done
}

@test "different bodies are not counted together" {
	use lmdb
	copies 3 c
	mail other 1@other 'A completely different letter about the garden party next
	weekend, the weather forecast, the cake recipe and who brings chairs and tables.'
	check c1 c2 c3 other | last >line
	[ "$(sym CKSUM_BULK "$(cat line)")" = - ]
}

@test "a message checked again is counted once and gets what it got, on both stores" {
	for s in lmdb redis; do
		use $s
		copies 3 c
		check c1 c2 c3 >once
		xd-cksum <once >twice
		cmp once twice
		check c1 c2 c3 >thrice
		cmp once thrice
		[ "$(xd-cksum --stats | grep '^cks')" = 'cks	3' ]
		copies 4 d
		[ "$(sym CKSUM_BULK "$(check d4 | last)")" = 4 ]
	done
}

@test "the same message twice in one stream is counted once, both lines alike" {
	use lmdb
	copies 2 c
	check c1 c2 c2 c2 >out
	[ "$(grep -v '^#' out | sed -n 2p | cut -f2-)" = "$(grep -v '^#' out | sed -n 4p | cut -f2-)" ]
	copies 3 c
	[ "$(sym CKSUM_BULK "$(check c3 | last)")" = 3 ]
}

@test "a message without Message-ID is known by Date, From and Subject" {
	use lmdb
	for i in 1 2 3; do
		printf 'From: a@example.net\nSubject: hi %s\nDate: Mon, 20 Nov 2023 10:00:0%s +0000\n\n%s\n' \
		    "$i" "$i" "$BODY" >n$i
	done
	check n1 n2 n3 n3 >out
	[ "$(sym CKSUM_BULK "$(grep -v '^#' out | tail -n 1)")" = 3 ]
}

@test "a body too short to count gets cksum= only" {
	use lmdb
	copies 5 t 'thanks!'
	check t1 t2 t3 t4 t5 | last >line
	grep -q '	cksum=' line
	! grep -q 'fuzzy=\|CKSUM_' line
	[ "$(xd-cksum --stats | grep '^cks')" = 'cks	0' ]
}

@test "six processes checking the same mail at once count each message once, on both stores" {
	for s in lmdb redis; do
		use $s
		copies 10 c
		xd-parse -- $(seq -f c%g 1 10) >stream
		for p in 1 2 3 4 5 6; do
			xd-cksum <stream >out.$p 2>err.$p &
		done
		wait
		cat err.* >&2
		[ ! -s err.1 ]
		[ "$(xd-cksum --stats | grep '^cks')" = 'cks	10' ]
		copies 11 c
		[ "$(sym CKSUM_BULK "$(check c11 | last)")" = 11 ] ||
		    { echo "$s: $(check c11 | last)"; return 1; }
	done
}

# --- the window and aging ---------------------------------------------------

@test "the window: the last window counts in part, older ones not at all" {
	T=1700006400	# a multiple of 86400
	use lmdb
	copies 4 a
	check a1 a2 a3 a4 -- --now $((T + 100)) >/dev/null
	copies 1 b
	# half a window later: 4 from the last window count half, so 2, and itself
	[ "$(sym CKSUM_BULK "$(check b1 -- --now $((T + 86400 + 43200)) | last)")" = 3 ]
	copies 1 c
	# two windows later the first four are gone
	line=$(check c1 -- --now $((T + 3 * 86400)) | last)
	[ "$(sym CKSUM_BULK "$line")" = - ]
}

@test "cksum_window and cksum_threshold come from xd.conf" {
	use lmdb 'cksum_window = 100' 'cksum_threshold = 2'
	copies 2 a
	[ "$(sym CKSUM_BULK "$(check a1 a2 -- --now 1000 | last)")" = 2 ]
	copies 3 a
	[ "$(sym CKSUM_BULK "$(check a3 -- --now 1300 | last)")" = - ]
}

@test "seen records age after seven windows: then the message counts again" {
	use lmdb 'cksum_window = 100'
	copies 3 a
	check a1 a2 a3 -- --now 1000 >/dev/null
	xd-cksum --stats --now 1000 >stats
	grep -q '^cks	3$' stats
	grep -q '^ckc	' stats
	# counts age after 200 s, seen records after 700 s
	[ "$(xd-cksum --expire --now 1250 | grep '^ckc')" = 'ckc	0	removed 9' ]
	[ "$(xd-cksum --expire --now 1250 | grep '^cks')" = 'cks	3	removed 0' ]
	[ "$(xd-cksum --expire --now 1750 | grep '^cks')" = 'cks	0	removed 3' ]
	[ "$(sym CKSUM_BULK "$(check a1 a2 a3 -- --now 1800 | last)")" = 3 ]
}

@test "--stats and --expire print every table, on both stores" {
	for s in lmdb redis; do
		use $s
		run xd-cksum --stats
		[ "$status" -eq 0 ]
		[ "$output" = 'cks	0
ckc	0
ckr	0
ckl	0' ]
		run xd-cksum --expire
		[ "$status" -eq 0 ]
		[ "$(cut -f1,3 <<<"$output" | tr '\n' ' ')" = 'cks	removed 0 ckc	removed 0 ckr	removed 0 ckl	removed 0 ' ]
	done
}

@test "cksum_max bounds every table" {
	use lmdb 'cksum_max = 20'
	for i in 1 2 3 4 5 6; do
		mail u$i "u$i@x" "$(tr -dc a-z </dev/urandom | head -c 400 | fold -w 6 | tr '\n' ' ')"
	done
	check u1 u2 u3 u4 u5 u6 >/dev/null
	n=$(xd-cksum --stats | awk '$1 == "ckc" { print $2 }')
	[ "$n" -le 20 ]
}

# --- reports ---------------------------------------------------------------------

@test "--learn spam: copies get CKSUM_SPAM, learning twice counts once, on both stores" {
	for s in lmdb redis; do
		use $s
		copies 3 c
		check c1 -- --learn spam >learned
		! grep -q CKSUM_ learned
		grep -q '	cksum=' learned
		check c1 -- --learn spam >/dev/null
		[ "$(sym CKSUM_SPAM "$(check c2 | last)")" = 1 ]
		check c3 -- --learn spam >/dev/null
		[ "$(sym CKSUM_SPAM "$(check c2 | last)")" = 2 ]
	done
}

@test "--learn spam: a close copy gets CKSUM_SPAM too" {
	use lmdb
	mail s1 s1@x "$BODY"
	mail s2 s2@x "$BODY
P.S. one more line that differs here."
	check s1 -- --learn spam >/dev/null
	[ "$(sym CKSUM_SPAM "$(check s2 | last)")" = 1 ]
}

@test "--learn ham moves a spam report over; --unlearn takes it back, on both stores" {
	for s in lmdb redis; do
		use $s
		copies 2 c
		check c1 -- --learn spam >/dev/null
		check c1 -- --learn ham >/dev/null
		line=$(check c2 | last)
		[ "$(sym CKSUM_SPAM "$line") $(sym CKSUM_HAM "$line")" = '- 1' ]
		check c1 -- --unlearn >/dev/null
		line=$(check c2 | last)
		[ "$(sym CKSUM_SPAM "$line") $(sym CKSUM_HAM "$line")" = '- -' ]
		[ "$(xd-cksum --stats | grep ckl)" = 'ckl	0' ]
	done
}

@test "spam and ham reports of one body weigh against each other" {
	use lmdb
	copies 4 c
	check c1 c2 -- --learn spam >/dev/null
	check c3 -- --learn ham >/dev/null
	[ "$(sym CKSUM_SPAM "$(check c4 | last)")" = 2 ]
	check c4 -- --learn ham >/dev/null
	line=$(check c1 | last)
	[ "$(sym CKSUM_SPAM "$line") $(sym CKSUM_HAM "$line")" = '- -' ]
}

@test "reports age after cksum_report_ttl" {
	use lmdb 'cksum_report_ttl = 1000'
	copies 2 c
	check c1 -- --learn spam --now 5000 >/dev/null
	[ "$(sym CKSUM_SPAM "$(check c2 -- --now 5999 | last)")" = 1 ]
	[ "$(sym CKSUM_SPAM "$(check c2 -- --now 6000 | last)")" = - ]
}

# --- the stream -------------------------------------------------------------------

@test "it replaces its own fields and keeps every other" {
	use lmdb
	mail m 1@x
	xd-parse -- m | sed 's/$/	CKSUM_BULK=99	zz=1	cksum=old	error=xd-cksum:old/' >in
	xd-cksum <in >out
	! grep -q 'CKSUM_BULK=99\|cksum=old\|error=xd-cksum:old' out
	grep -q '	zz=1	' out
	$LINT out
}

@test "--keep leaves lines with cksum= as they are and checks the others" {
	use lmdb
	mail m 1@x
	mail n 2@x "$BODY and more"
	printf '#xd-stream 1\n%s\tcksum=kept\tCKSUM_BULK=40\n' "$PWD/m" >in
	xd-parse -- n | grep -v '^#' >>in
	xd-cksum --keep <in >out
	grep -q "^$PWD/m	cksum=kept	CKSUM_BULK=40\$" out
	[ "$(grep -c '	cksum=[0-9a-f]' out)" -eq 1 ]
}

@test "mbox members are checked one by one" {
	use lmdb
	[ "$(xd-parse -- "$SAMPLES/mbox" | xd-cksum | grep -c '	offset=.*	cksum=')" -eq 3 ]
}

# --- failures ---------------------------------------------------------------------

@test "a message that cannot be read is error=xd-cksum:REASON, naming it" {
	use lmdb
	mail m 1@x
	printf '#xd-stream 1\n%s\n%s\n%s\n' "$PWD/gone" "$PWD" "$PWD/m" >in
	: >empty
	printf '%s\n' "$PWD/empty" >>in
	run --separate-stderr xd-cksum <in
	[ "$status" -eq 1 ]
	[ "$(grep -c . <<<"$output")" -eq 5 ]
	grep -q "^$PWD/gone	error=xd-cksum:unreadable\$" <<<"$output"
	grep -q "^$PWD	error=xd-cksum:not-a-file\$" <<<"$output"
	grep -q "^$PWD/empty	error=xd-cksum:empty\$" <<<"$output"
	grep -q "^$PWD/m	cksum=" <<<"$output"
	[[ "$stderr" == *"$PWD/gone"* ]]
	[[ "$stderr" == *"$PWD/empty"* ]]
}

@test "a store that fails is error=xd-cksum:store on each line, one warning, exit 1" {
	port=$(redis_free_port)
	echo "store = redis://127.0.0.1:$port" >"$XD_CONF"
	copies 3 c
	xd-parse -- c1 c2 c3 >in
	run --separate-stderr xd-cksum <in
	[ "$status" -eq 1 ]
	[ "$(grep -c 'error=xd-cksum:store' <<<"$output")" -eq 3 ]
	[ "$(grep -c 'cksum=' <<<"$output")" -eq 3 ]
	! grep -q CKSUM_TEMPFAIL <<<"$output"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"127.0.0.1:$port"* ]]
}

@test "an LMDB store whose directory cannot be made is error=xd-cksum:store" {
	: >file
	mkdir ro
	chmod 500 ro
	for store in "$PWD/file/s.lmdb" "$PWD/nodir/x/s.lmdb" "$PWD/ro/s.lmdb"; do
		[ "$store" != "$PWD/ro/s.lmdb" ] || [ ! -w ro ] || continue
		echo "store = $store" >"$XD_CONF"
		mail m 1@x
		run --separate-stderr check m
		[ "$status" -ge 1 ] || { echo "$store: status $status"; return 1; }
		[[ "$stderr" == *"$store"* ]]
		! grep -q CKSUM_TEMPFAIL <<<"$output"
	done
}

@test "--learn with a failing store is error=xd-cksum:store, exit 1" {
	port=$(redis_free_port)
	mail m 1@x
	xd-parse -- "$PWD/m" >in
	run --separate-stderr xd-cksum --learn spam --store "redis://127.0.0.1:$port" <in
	[ "$status" -eq 1 ]
	[[ "$output" == *"error=xd-cksum:store"* ]]
	[[ "$stderr" == *"$PWD/m"* ]]
}

@test "usage and configuration errors exit 2" {
	run xd-cksum --learn maybe
	[ "$status" -eq 2 ]
	run xd-cksum --now soon
	[ "$status" -eq 2 ]
	run xd-cksum extra
	[ "$status" -eq 2 ]
	run xd-cksum --stats --expire
	[ "$status" -eq 2 ]
	run xd-cksum --keep --learn spam
	[ "$status" -eq 2 ]
	run xd-cksum --store 'redis://host:99999' </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"redis URL"* ]]
	echo 'cksum_window = 0' >"$XD_CONF"
	run xd-cksum </dev/null
	[ "$status" -eq 2 ]
	echo 'cksum_bogus = 1' >"$XD_CONF"
	run xd-cksum </dev/null
	[ "$status" -eq 2 ]
}

@test "a password in the store URL is never printed" {
	port=$(redis_free_port)
	echo "store = redis://:s3cret@127.0.0.1:$port" >"$XD_CONF"
	mail m 1@x
	run check m
	[[ "$output" != *s3cret* ]]
	run xd-cksum --stats
	[ "$status" -eq 1 ]
	[[ "$output" != *s3cret* ]]
}

@test "--help lists every option on stdout; --version" {
	run xd-cksum --help
	[ "$status" -eq 0 ]
	for o in --keep --learn --unlearn --store --text --now --stats --expire --help --version; do
		[[ "$output" == *"$o"* ]] || { echo "no $o"; return 1; }
	done
	run xd-cksum --version
	[ "$status" -eq 0 ]
	[[ "$output" == "xd-cksum (xd) "* ]]
}

# --- hostile mail -------------------------------------------------------------------

# bounded FILE: one line for FILE within 20 s, exit 0 or 1
bounded() {
	status=0
	xd-parse -- "$1" >in 2>/dev/null || true
	timeout 20 xd-cksum <in >out 2>err || status=$?
	[ "$status" -le 1 ] || { echo "exit $status"; cat err; return 1; }
	[ "$(grep -vc '^#' out)" -eq 1 ]
	$LINT -m 1048576 out
}

@test "hostile mail ends in bounded time with one line each" {
	use lmdb
	mkdir h
	$GEN all h
	for k in junk longsubject longheader manyparts deepnest truncated nul \
	    manyreceived hugebody; do
		bounded "h/$k" || { echo "kind $k"; return 1; }
	done
}

@test "a body of 100,000 lines, a 1 MiB word and a 1 MiB URL are bounded" {
	use lmdb
	{
		printf 'From: a@example.net\nMessage-ID: <lines@x>\n\n'
		awk 'BEGIN { for (i = 0; i < 100000; i++) print "line", i, "of many words here" }'
	} >lines
	bounded lines
	[ "$(xd-parse -- lines | xd-cksum -t | cut -f2 | wc -w)" -le 20000 ]
	{
		printf 'From: a@example.net\nMessage-ID: <word@x>\n\n'
		head -c 1048576 /dev/zero | tr '\0' x
		printf '\nhttp://'
		head -c 1048576 /dev/zero | tr '\0' y
		printf '.example/?q=1\n'
	} >long
	bounded long
}

@test "binary junk as text and as parts, and HTML that never closes, are bounded" {
	use lmdb
	{
		printf 'From: a@example.net\nMessage-ID: <bin@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/plain; charset=iso-8859-1\n\n'
		head -c 1048576 /dev/urandom
	} >bin
	bounded bin
	{
		printf 'From: a@example.net\nMessage-ID: <html@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/html\n\n<p title="never closed>'
		awk 'BEGIN { for (i = 0; i < 50000; i++) printf "<b>&#%d; &amp", i }'
		printf '<script>'
		head -c 200000 /dev/zero | tr '\0' '<'
	} >html
	bounded html
	{
		printf 'From: a@example.net\nMessage-ID: <parts@x>\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary=b\n\n'
		for i in $(seq 1 20); do
			printf -- '--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'
			head -c 300000 /dev/urandom | base64
		done
		printf -- '--b--\n'
	} >parts
	bounded parts
}
