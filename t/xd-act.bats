#!/usr/bin/env bats
# xd-act: delivering and quarantining in batch, marking one message in
# filter mode, releasing quarantined mail.

load helper

# A stream line from its fields: line LOCATOR FIELD...
line() {
	local IFS=$'\t'
	printf '%s\n' "$*"
}

# The one file in a maildir folder's new/ (fails unless there is one).
only_new() {
	local f n
	n=$(ls "$1/new" | wc -l)
	[ "$n" -eq 1 ] || { echo "$1/new holds $n files" >&2; return 1; }
	f=$(ls "$1/new")
	echo "$(cd "$1/new" && pwd)/$f"
}

# What filter mode adds to ham of score 0, as a printf format.
HAM0='X-XD-Class: ham\nX-Spam-Level:\nX-Spam-Status: No, score=0.0 required=5.0 tests=none\n'

plain_msg() {
	msg "$1" <<'EOF'
Return-Path: <alice@example.com>
Received: from mx.example.net (mx.example.net [192.0.2.25])
	by mx.example.org with ESMTP id 42
	for <bob@example.org>; Mon, 1 Jan 2024 10:00:00 +0000
From: Alice <alice@example.com>
To: bob@example.org
Subject: Lunch on Friday?
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <lunch-1@example.com>

Hi Bob,

shall we have lunch on Friday?
X-Spam-Flag: YES (a body line, not a header)

Alice
EOF
}

# --- batch mode -------------------------------------------------------

@test "batch: ham is copied into the --deliver maildir, byte for byte" {
	plain_msg m
	run xd-act --deliver "$PWD/inbox" <<<"$(line m class=ham score=-1.0)"
	[ "$status" -eq 0 ]
	dst=$(only_new inbox)
	[ "$output" = "$(line m class=ham score=-1.0 "action=deliver:$dst")" ]
	cmp m "$dst"
	[ -f m ]
	[ -z "$(ls inbox/tmp)" ]
	[ -d inbox/cur ]
	[ "$(stat -c %a inbox)" = 700 ]
	[ "$(stat -c %a inbox/new)" = 700 ]
}

@test "batch: the new file's name follows the maildir spec and the path is absolute" {
	plain_msg m
	run xd-act -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 0 ]
	act=$(field action "$output")
	[[ "$act" == "deliver:$PWD/inbox/new/"* ]]
	name=${act##*/}
	[[ "$name" =~ ^[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\..+$ ]]
}

@test "batch: spam and surespam go to the .Spam and .Quarantine folders of --quarantine" {
	plain_msg m
	{ line m class=spam score=6.4; line m class=surespam score=20; } |
	    xd-act --quarantine q >out
	spam=$(only_new q/.Spam)
	sure=$(only_new q/.Quarantine)
	[ "$(sed -n 1p out)" = "$(line m class=spam score=6.4 "action=quarantine:$spam")" ]
	[ "$(sed -n 2p out)" = "$(line m class=surespam score=20 "action=quarantine:$sure")" ]
	cmp m "$spam"
	cmp m "$sure"
	# Maildir++: the folders are maildirs with the marker Courier reads.
	[ -f q/.Spam/maildirfolder ] && [ -d q/.Spam/cur ] && [ -d q/cur ]
	[ -z "$(ls q/new)" ]
}

@test "batch: --spam-folder and --surespam-folder name the folders" {
	plain_msg m
	{ line m class=spam; line m class=surespam; } |
	    xd-act -q q --spam-folder .Junk --surespam-folder .Junk.Sure >/dev/null
	only_new q/.Junk
	only_new q/.Junk.Sure
	[ ! -e q/.Spam ]
}

@test "batch: the folders come from spam_folder and surespam_folder in xd.conf" {
	plain_msg m
	printf 'spam_folder = .Bulk\nsurespam_folder = .Trash\n' >"$XD_CONF"
	{ line m class=spam; line m class=surespam; } | xd-act -q q >/dev/null
	only_new q/.Bulk
	only_new q/.Trash
}

@test "batch: an empty folder name puts spam in the quarantine maildir itself" {
	plain_msg m
	xd-act -q q --spam-folder '' <<<"$(line m class=spam)" >/dev/null
	only_new q
}

@test "batch: a folder that climbs out of its maildir is refused" {
	run xd-act -q q --spam-folder ../elsewhere </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"spam_folder: '../elsewhere' leaves the maildir"* ]]
	echo 'surespam_folder = .x/../..' >"$XD_CONF"
	run xd-act -q q </dev/null
	[ "$status" -eq 2 ]
}

@test "batch: with no directory named, maildir and quarantine of xd.conf are used, ~ expanded" {
	plain_msg m
	printf 'maildir = ~/Mail/inbox\nquarantine = ~/Mail/junk\n' >"$XD_CONF"
	mkdir -p "$HOME/Mail"
	{ line m class=ham; line m class=spam; } | xd-act >out
	only_new "$HOME/Mail/inbox"
	only_new "$HOME/Mail/junk/.Spam"
}

@test "batch: the default maildir is ~/Maildir" {
	plain_msg m
	{ line m class=ham; line m class=surespam; } | xd-act >/dev/null
	only_new "$HOME/Maildir"
	only_new "$HOME/Maildir/.Quarantine"
}

@test "batch: a class with no destination is kept where it is" {
	plain_msg m
	run xd-act -d inbox <<<"$(line m class=spam)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(line m class=spam action=keep)" ]
	run xd-act -q q <<<"$(line m class=ham)"
	[ "$output" = "$(line m class=ham action=keep)" ]
	[ ! -e inbox/.Spam ] && [ ! -e q/new/* ]
}

@test "batch: lines without class= are not acted on; comments pass untouched" {
	plain_msg m
	printf '#xd-stream 1\n# a comment\tand a tab\n' >in
	line m from=alice@example.com >>in
	run xd-act -d inbox -q q <in
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "#xd-stream 1" ]
	[ "${lines[1]}" = "# a comment	and a tab" ]
	[ "${lines[2]}" = "$(line m from=alice@example.com action=none)" ]
	[ ! -e inbox ]
}

@test "batch: maildirs are made only when a message goes there" {
	plain_msg m
	xd-act -d inbox -q q <<<"$(line m class=spam)" >/dev/null
	[ ! -e inbox ] && [ ! -e q/.Quarantine ] && [ -d q/.Spam/new ]
}

@test "batch: a line already delivered is passed unchanged; --force delivers again" {
	plain_msg m
	xd-act -d inbox <<<"$(line m class=ham)" >once
	run xd-act -d inbox <once
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat once)" ]
	[ "$(ls inbox/new | wc -l)" -eq 1 ]
	run xd-act -d inbox --force <once
	[ "$status" -eq 0 ]
	[ "$(ls inbox/new | wc -l)" -eq 2 ]
	[ "$(printf '%s\n' "$output" | grep -o 'action=' | wc -l)" -eq 1 ]
	[ "$(field action "$output")" != "$(field action "$(cat once)")" ]
}

@test "batch: an earlier action=keep or action=none is replaced" {
	plain_msg m
	xd-act -q q <<<"$(line m class=ham)" >kept
	[ "$(field action "$(cat kept)")" = keep ]
	run xd-act -d inbox <kept
	[ "$output" = "$(line m class=ham "action=deliver:$(only_new inbox)")" ]
}

@test "batch: --move removes the source once the copy is in place" {
	plain_msg m
	cp m orig
	run xd-act --move -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 0 ]
	[ ! -e m ]
	cmp orig "$(only_new inbox)"
	run xd-act -m -q q <<<"$(line orig class=spam)"
	[ ! -e orig ]
	only_new q/.Spam
}

# The tests that mount a tmpfs on other/ leave none behind.
teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/other" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/other"
	fi
}

@test "batch: --move within one file system renames: the same file, never a copy" {
	plain_msg m
	cp m orig
	ino=$(stat -c %i m)
	run xd-act --move -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 0 ]
	[ ! -e m ]
	got=$(only_new inbox)
	[ "$(stat -c %i "$got")" = "$ino" ]
	cmp orig "$got"
	[ -z "$(ls inbox/tmp)" ]
}

@test "batch: --move keeps a maildir message's unique name and flags, in new/ or cur/" {
	plain_msg m
	mkmaildir box
	cp m "box/cur/1700000000.M1P1.host:2,S"
	cp m box/new/1700000001.M2P2.host
	run xd-act --move -q q <<EOF
$(line "box/cur/1700000000.M1P1.host:2,S" class=surespam)
$(line box/new/1700000001.M2P2.host class=spam)
EOF
	[ "$status" -eq 0 ]
	cmp m "q/.Quarantine/cur/1700000000.M1P1.host:2,S"
	cmp m q/.Spam/new/1700000001.M2P2.host
	[ -z "$(find box -type f)" ]
}

@test "batch: --move across file systems keeps the name and flags too" {
	mkdir other
	mount -t tmpfs -o size=1m tmpfs other 2>/dev/null ||
	    skip "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
	mkmaildir other/box
	plain_msg "other/box/cur/1700000000.M1P1.host:2,RS"
	run xd-act --move -q q <<<"$(line "other/box/cur/1700000000.M1P1.host:2,RS" class=surespam)"
	[ "$status" -eq 0 ]
	[ -f "q/.Quarantine/cur/1700000000.M1P1.host:2,RS" ]
	[ -z "$(find other/box q/.Quarantine/new q/.Quarantine/tmp -type f)" ]
}

@test "batch: --move across file systems copies through tmp/, then removes the source" {
	mkdir other
	mount -t tmpfs -o size=1m tmpfs other 2>/dev/null ||
	    skip "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
	plain_msg other/m
	cp other/m orig
	run xd-act --move -d inbox <<<"$(line other/m class=ham)"
	[ "$status" -eq 0 ]
	[ -z "$(ls other)" ]
	cmp orig "$(only_new inbox)"
	[ -z "$(ls inbox/tmp)" ]
}

@test "batch: killed while it writes into tmp/, nothing is in new/ and the source stays" {
	plain_msg big
	head -c 300000 /dev/zero | tr '\0' x | fold -w 72 >>big
	cp big orig
	mkdir other
	mount -t tmpfs -o size=4m tmpfs other 2>/dev/null ||
	    skip "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
	mv big other/big	# another file system: the move is a copy
	mkmaildir inbox
	# A file size limit kills it (SIGXFSZ) 100 kB into the copy.
	run bash -c 'ulimit -f 100; exec xd-act --move -d inbox' <<<"$(line other/big class=ham)"
	cmp orig other/big
	[ "$status" -eq $((128 + 25)) ]
	[ -z "$(ls inbox/new)" ]
	[ "$(ls inbox/tmp | wc -l)" -eq 1 ]	# maildir readers never look there
}

@test "batch: a message already in its destination maildir is kept, not copied twice" {
	plain_msg m
	mkmaildir inbox
	cp m inbox/cur/1700000000.M1P1.host:2,S
	run xd-act -m -d inbox <<<"$(line inbox/cur/1700000000.M1P1.host:2,S class=ham)"
	[ "$status" -eq 0 ]
	[ "$(field action "$output")" = keep ]
	[ -f inbox/cur/1700000000.M1P1.host:2,S ]
	[ -z "$(ls inbox/new)" ]
}

mbox() {
	printf 'From alice@example.com Mon Jan  1 10:00:00 2024\nSubject: one\n\nfirst\n>From the start\n\n' >mb
	printf 'From carol@example.net Mon Jan  1 11:00:00 2024\nSubject: two\n\nsecond\n' >>mb
}

@test "batch: a message inside an mbox is delivered without its From_ line" {
	mbox
	run xd-act -q q <<<"$(line mb class=spam offset=0 length=85)"
	[ "$status" -eq 0 ]
	printf 'Subject: one\n\nfirst\n>From the start\n\n' >want
	cmp want "$(only_new q/.Spam)"
}

@test "batch: --move copies mbox members and says so, the mbox stays whole" {
	mbox
	cp mb orig
	run xd-act -m -d inbox <<<"$(line mb class=ham offset=85)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mb: a message inside an mbox is copied, not moved"* ]]
	cmp mb orig
	printf 'Subject: two\n\nsecond\n' >want
	cmp want "$(only_new inbox)"
}

@test "batch: an unreadable message gets error=xd-act:unreadable, the others go on" {
	plain_msg m
	{ line gone class=ham; line m class=ham; } >in
	run xd-act -d inbox <in
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "xd-act: gone: unreadable: No such file or directory" ]]
	[ "${lines[1]}" = "$(line gone class=ham error=xd-act:unreadable)" ]
	[ "$(field action "${lines[2]}")" = "deliver:$(only_new inbox)" ]
	[ -z "$(ls inbox/tmp)" ]
}

@test "batch: a directory, a bad offset= or one past the end are errors" {
	plain_msg m
	mkdir adir
	{ line adir class=ham; line m class=ham offset=x; line m class=ham offset=99999;
	  line m class=ham length=99999; } >in
	xd-act -d inbox <in >out 2>err && false
	[ "$(field error "$(sed -n 1p out)")" = xd-act:not-a-file ]
	[ "$(field error "$(sed -n 2p out)")" = xd-act:bad-offset ]
	[ "$(field error "$(sed -n 3p out)")" = xd-act:bad-offset ]
	[ "$(field error "$(sed -n 4p out)")" = xd-act:bad-length ]
	grep -q '^xd-act: adir: not-a-file' err
	grep -q '^xd-act: m: bad-offset$' err
	grep -q '^xd-act: m: bad-length: Invalid argument$' err
	[ -z "$(find inbox/new inbox/tmp -type f)" ]
}

@test "batch: an unknown class is an error" {
	plain_msg m
	run xd-act -d inbox <<<"$(line m class=maybe)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"m: unknown class=maybe"* ]]
	[[ "$output" == *"$(line m class=maybe error=xd-act:bad-class)"* ]]
}

@test "batch: a damaged line gets its error and is not acted on" {
	plain_msg m
	run xd-act -d inbox <<<"$(line m class=ham bad%zz=1)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error=xd-act:bad-escape"* ]]
	[ ! -e inbox ]
}

@test "batch: a destination that cannot be made is an error, the source stays" {
	plain_msg m
	cp m orig
	echo 'not a directory' >inbox
	run xd-act -m -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"inbox: Not a directory"* ]]
	[[ "$output" == *"xd-act: m: not delivered: no maildir inbox"* ]]
	[[ "$output" == *"$(line m class=ham error=xd-act:cannot-create)"* ]]
	cmp m orig
}

@test "batch: a new/ that cannot be written to is an error, the source stays" {
	plain_msg m
	cp m orig
	mkmaildir inbox
	rmdir inbox/new
	ln -s /proc/self/nothere inbox/new
	run xd-act -m -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 1 ]
	[ "$(field error "${lines[-1]}")" = xd-act:cannot-create ]
	cmp m orig
}

@test "batch: an unwritable maildir gives error=xd-act:, the moved source stays" {
	[ "$(id -u)" -ne 0 ] || skip "root writes anywhere"
	plain_msg m
	cp m orig
	mkmaildir q/.Spam
	chmod 500 q/.Spam/tmp
	run xd-act -m -q q <<<"$(line m class=spam)"
	chmod 700 q/.Spam/tmp
	[ "$status" -eq 1 ]
	[ "$(field error "${lines[-1]}")" = xd-act:cannot-create ]
	cmp m orig
	[ -z "$(ls q/.Spam/new q/.Spam/tmp)" ]
}

@test "batch: deliveries never overwrite: many copies, many files, old ones untouched" {
	plain_msg m
	mkmaildir inbox
	echo keep >inbox/new/old
	for i in $(seq 1 40); do line m class=ham; done >in
	xd-act -d inbox <in >out
	[ "$(ls inbox/new | wc -l)" -eq 41 ]
	[ "$(cut -f3 out | sort -u | wc -l)" -eq 40 ]
	[ "$(cat inbox/new/old)" = keep ]
	[ -z "$(ls inbox/tmp)" ]
}

@test "batch: a name already taken in new/ is never replaced: another is picked" {
	plain_msg m
	# With new/ pointing at tmp/, the name a message has in tmp/ is
	# always taken in new/: link(2) refuses, and a fresh name is tried.
	mkdir -p inbox/tmp inbox/cur
	ln -s tmp inbox/new
	run xd-act -d inbox <<<"$(line m class=ham)"
	[ "$status" -eq 0 ]
	[ "$(ls inbox/tmp | wc -l)" -eq 1 ]
	dst=$(field action "$output")
	cmp m "${dst#deliver:}"
}

@test "batch: one line out per line in, in order, on a long stream" {
	plain_msg m
	for i in $(seq 1 300); do
		case $((i % 3)) in
		0) line m class=ham n=$i ;; 1) line m n=$i ;; 2) line m class=spam n=$i ;;
		esac
	done >in
	xd-act -d inbox -q q <in >out
	[ "$(count_lines <out)" -eq 300 ]
	[ "$(cut -f2 out | sed -n '1p;300p' | tr '\n' ' ')" = "n=1 class=ham " ]
	[ "$(ls inbox/new | wc -l)" -eq 100 ]
	[ "$(ls q/.Spam/new | wc -l)" -eq 100 ]
}

# --- filter mode ------------------------------------------------------

@test "filter: spam gets X-XD-Class and SpamAssassin's headers first, nothing else changes" {
	plain_msg m
	run xd-act --filter <<<"$(line m class=spam score=6.4 RBL_ZEN=127.0.0.2 SPF_FAIL= from=alice@example.com)"
	[ "$status" -eq 0 ]
	cat >want <<'EOF'
X-XD-Class: spam
X-Spam-Flag: YES
X-Spam-Level: ******
X-Spam-Status: Yes, score=6.4 required=5.0 tests=RBL_ZEN,SPF_FAIL
Return-Path: <alice@example.com>
Received: from mx.example.net (mx.example.net [192.0.2.25])
	by mx.example.org with ESMTP id 42
	for <bob@example.org>; Mon, 1 Jan 2024 10:00:00 +0000
From: Alice <alice@example.com>
To: bob@example.org
Subject: Lunch on Friday?
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <lunch-1@example.com>

Hi Bob,

shall we have lunch on Friday?
X-Spam-Flag: YES (a body line, not a header)

Alice
EOF
	[ "$output" = "$(cat want)" ]
}

@test "filter: ham says No, has no flag and no tag; the rest is byte for byte" {
	plain_msg m
	xd-act -F <<<"$(line m class=ham score=-2.5 BAYES_00=)" >out
	grep -v -e '^X-Spam-Level:$' \
	    -e '^X-Spam-Status: No, score=-2.5 required=5.0 tests=BAYES_00$' \
	    -e '^X-XD-Class: ham$' out >back
	cmp m back
	[ "$(wc -l <out)" -eq $(($(wc -l <m) + 3)) ]
	! grep -q '^X-Spam-Flag' <(sed '/^$/q' out)
	grep -q '^Subject: Lunch on Friday?$' out
}

@test "filter: surespam is flagged and named; the verdict is no exit status" {
	plain_msg m
	run xd-act -F <<<"$(line m class=surespam policy=block score=0)"
	[ "$status" -eq 0 ]
	[[ "$output" == $'X-XD-Class: surespam\nX-Spam-Flag: YES\nX-Spam-Level:\nX-Spam-Status: Yes, score=0.0 required=5.0 tests=none\nReturn-Path: '* ]]
	[[ "$output" == *$'\nSubject: Lunch on Friday?\n'* ]]
}

@test "filter: tests= are the upper-case names, sorted, each once" {
	plain_msg m
	run xd-act -F <<<"$(line m subject=x ZZZ=1 AAA= class=spam MID_1=a MID_1=b score=1 lower=1)"
	[[ "$output" == *"tests=AAA,MID_1,ZZZ"$'\n'* ]]
}

@test "filter: a long X-Spam-Status is folded at 78 columns with a tab" {
	plain_msg m
	syms=
	for s in RBL_SPAMHAUS_ZEN_SBL SPF_FAIL URIBL_DBL_SPAM HEUR_SUBJECT_ALL_CAPS \
	    CKSUM_BULK BAYES_99 HEUR_FORGED_OUTLOOK_TAGS HEUR_HTML_IMAGE_ONLY_16 RDNS_NONE; do
		syms="$syms	$s="
	done
	printf 'm\tclass=spam\tscore=12.3%s\n' "$syms" | xd-act -F >out
	sed -n '/^X-Spam-Status:/,/^Return-Path:/p' out | sed '$d' >status
	[ "$(wc -l <status)" -gt 1 ]
	! awk 'length($0) > 78' status | grep -q .
	[ "$(tail -n +2 status | grep -vc $'^\t')" -eq 0 ]
	# Unfolded, a break after a comma takes no blank, one at a blank one.
	unfolded=$(awk 'NR > 1 { sub(/^\t/, prev ~ /,$/ ? "" : " ") }
	    { printf "%s", $0; prev = $0 }' status)
	[ "$unfolded" = "X-Spam-Status: Yes, score=12.3 required=5.0 tests=BAYES_99,CKSUM_BULK,HEUR_FORGED_OUTLOOK_TAGS,HEUR_HTML_IMAGE_ONLY_16,HEUR_SUBJECT_ALL_CAPS,RBL_SPAMHAUS_ZEN_SBL,RDNS_NONE,SPF_FAIL,URIBL_DBL_SPAM" ]
}

@test "filter: X-Spam-Level has one star per whole point, none at or below 0, at most 50" {
	plain_msg m
	for s in 6.4:'******' 0.9:'' 0:'' -3:'' 1:'*' 120:"$(printf '%050d' 0 | tr 0 '*')"; do
		xd-act -F <<<"$(line m class=spam score=${s%%:*})" >out
		if [ -z "${s#*:}" ]; then
			grep -qxF "X-Spam-Level:" out
		else
			grep -qxF "X-Spam-Level: ${s#*:}" out
		fi
	done
}

@test "filter: score= is printed with one decimal; a missing one is 0.0" {
	plain_msg m
	run xd-act -F <<<"$(line m class=spam score=5.04)"
	[[ "$output" == *"score=5.0 required"* ]]
	run xd-act -F <<<"$(line m class=ham)"
	[[ "$output" == *"score=0.0 required"* ]]
	run xd-act -F <<<"$(line m class=spam score=1e300)"
	[[ "$output" == *"score=99999.9 required"* ]]
	run xd-act -F <<<"$(line m class=ham score=lots)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"score=lots is no number"* ]]
}

@test "filter: required= is the spam threshold of the weights file" {
	plain_msg m
	printf 'threshold spam 7.5\nthreshold surespam 15\n' >w
	echo "weights = $PWD/w" >"$XD_CONF"
	run xd-act -F <<<"$(line m class=ham score=1)"
	[[ "$output" == *"score=1.0 required=7.5 tests=none"* ]]
}

@test "filter: forged X-Spam-* and X-XD-* fields are removed, folded ones too, any case" {
	msg m <<'EOF'
From: mallory@example.net
X-Spam-Flag: NO
x-spam-status: No, score=-100.0 required=5.0 tests=ALL_TRUSTED,
	USER_IN_WHITELIST autolearn=ham
Subject: Free money
X-SPAM-LEVEL:
X-XD-Class: ham
X-Spam-Report:
 * -100 USER_IN_WHITELIST
 *  0.0 nothing to see
X-Spammy: stays (not an X-Spam- field)
X-XD: stays too

body
X-Spam-Flag: NO
EOF
	run xd-act -F <<<"$(line m class=spam score=9)"
	[ "$status" -eq 0 ]
	cat >want <<'EOF'
X-XD-Class: spam
X-Spam-Flag: YES
X-Spam-Level: *********
X-Spam-Status: Yes, score=9.0 required=5.0 tests=none
From: mallory@example.net
Subject: Free money
X-Spammy: stays (not an X-Spam- field)
X-XD: stays too

body
X-Spam-Flag: NO
EOF
	[ "$output" = "$(cat want)" ]
}

@test "filter: the subject is tagged only when a tag is asked for" {
	plain_msg m
	run xd-act -F <<<"$(line m class=spam score=9)"
	[[ "$output" == *$'\nSubject: Lunch on Friday?\n'* ]]
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=spam score=9)"
	[[ "$output" == *$'\nSubject: [SPAM] Lunch on Friday?\n'* ]]
	tail -n +5 <<<"$output" | sed 's/^Subject: \[SPAM\] /Subject: /' >back
	cmp m back
}

@test "filter: the subject is not tagged twice" {
	msg m <<'EOF'
Subject: [SPAM] Free money
From: mallory@example.net

body
EOF
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=spam score=9)"
	[[ "$output" == *$'\nSubject: [SPAM] Free money\n'* ]]
	[ "$(grep -c SPAM\] <<<"$output")" -eq 1 ]
	sed -i 's/\[SPAM\]/[spam]/' m
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=spam)"
	[[ "$output" == *$'\nSubject: [spam] Free money\n'* ]]
}

@test "filter: only the first Subject is tagged; odd spacing is kept" {
	printf 'subject:no space\nSubject :  two spaces\n\nb\n' >m
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=spam)"
	[ "${lines[4]}" = "subject: [SPAM] no space" ]
	[ "${lines[5]}" = "Subject :  two spaces" ]
}

@test "filter: --tag and subject_tag choose the tag; an empty tag tags nothing" {
	plain_msg m
	run xd-act -F --tag '***SPAM*** ' <<<"$(line m class=spam)"
	[[ "$output" == *$'\nSubject: ***SPAM*** Lunch on Friday?\n'* ]]
	echo 'subject_tag = "{Spam?} "' >"$XD_CONF"
	run xd-act -F <<<"$(line m class=surespam)"
	[[ "$output" == *$'\nSubject: {Spam?} Lunch on Friday?\n'* ]]
	run xd-act -F -t '' <<<"$(line m class=spam)"
	[[ "$output" == *$'\nSubject: Lunch on Friday?\n'* ]]
}

@test "filter: a tag with a line break or too long is a usage error" {
	run xd-act -F -t $'[S]\nBcc: x@example.net' </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"line break"* ]]
	run xd-act -F -t "$(printf '%0300d' 0)" </dev/null
	[ "$status" -eq 2 ]
}

@test "filter: with a tag, a message without Subject gets one for spam, not for ham" {
	printf 'From: a@example.net\nTo: b@example.org\n\nbody\n' >m
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=spam score=5)"
	[ "$output" = "X-XD-Class: spam
X-Spam-Flag: YES
X-Spam-Level: *****
X-Spam-Status: Yes, score=5.0 required=5.0 tests=none
Subject: [SPAM]
From: a@example.net
To: b@example.org

body" ]
	run xd-act -F -t '[SPAM] ' <<<"$(line m class=ham score=5)"
	! grep -q '^Subject' <<<"$output"
	run xd-act -F <<<"$(line m class=spam score=5)"
	! grep -q '^Subject' <<<"$output"
}

@test "filter: upstream_spam_headers = rename keeps an upstream's X-Spam-* as X-Spam-Upstream-*" {
	printf 'X-Spam-Flag: YES\nX-Spam-Status: Yes, score=8.1\n\ttests=BAYES_99\nFrom: a@example.net\nX-XD-Class: ham\nx-spam-level: ***\n\nX-Spam-Flag: body\n' >m
	echo 'upstream_spam_headers = rename' >"$XD_CONF"
	xd-act -F <<<"$(line m class=ham)" >out
	printf "$HAM0"'X-Spam-Upstream-Flag: YES\nX-Spam-Upstream-Status: Yes, score=8.1\n\ttests=BAYES_99\nFrom: a@example.net\nX-Spam-Upstream-level: ***\n\nX-Spam-Flag: body\n' >want
	cmp want out
	echo 'upstream_spam_headers = drop' >"$XD_CONF"
	xd-act -F <<<"$(line m class=ham)" >out
	printf "$HAM0"'From: a@example.net\n\nX-Spam-Flag: body\n' >want
	cmp want out
	echo 'upstream_spam_headers = keep' >"$XD_CONF"
	run xd-act -F <<<"$(line m class=ham)"
	[ "$status" -eq 2 ]
	[ "$output" = "xd-act: upstream_spam_headers = keep: expected drop or rename" ]
}

@test "filter: CRLF messages stay CRLF" {
	printf 'From: a@example.net\r\nSubject: hi\r\nX-Spam-Flag: YES\r\n  folded\r\n\r\nbody\r\nline\n' >m
	xd-act -F -t '[SPAM] ' <<<"$(line m class=spam score=5.5 A=)" >out
	printf 'X-XD-Class: spam\r\nX-Spam-Flag: YES\r\nX-Spam-Level: *****\r\nX-Spam-Status: Yes, score=5.5 required=5.0 tests=A\r\nFrom: a@example.net\r\nSubject: [SPAM] hi\r\n\r\nbody\r\nline\n' >want
	cmp want out
}

@test "filter: a CR message keeps its CRs, and a forged first field does not take it all" {
	printf 'X-Spam-Flag: YES\rFrom: a@example.net\rSubject: hi\r\rbody\rX-Spam-Flag: NO\r' >m
	xd-act -F <<<"$(line m class=ham)" >out
	{
		printf "$HAM0" | tr '\n' '\r'
		printf 'From: a@example.net\rSubject: hi\r\rbody\rX-Spam-Flag: NO\r'
	} >want
	cmp want out
}

@test "filter: an empty line of CR LF ends an LF header, as GMime reads it" {
	printf 'From: spammer@example.net\nSubject: buy\n\r\nX-XD-Class: ham\nX-Spam-Flag: NO\n\nbuy\n' >m
	xd-act -F <<<"$(line m class=surespam score=20)" >out
	printf 'X-XD-Class: surespam\nX-Spam-Flag: YES\nX-Spam-Level: ********************\nX-Spam-Status: Yes, score=20.0 required=5.0 tests=none\n' >want
	cat m >>want
	cmp want out
}

@test "filter: added fields end as the header's last line does" {
	printf 'From: a@example.net\r\nSubject: hi\n\nbody\r\n' >m
	xd-act -F <<<"$(line m class=ham)" >out
	{ printf "$HAM0"; cat m; } >want
	cmp want out
	printf 'From: a@example.net\nSubject: hi\r\n\nbody\n' >m
	xd-act -F <<<"$(line m class=ham)" >out
	{ printf "$HAM0" | sed 's/$/\r/'; cat m; } >want
	cmp want out
	printf '\r\nbody\n' >m
	xd-act -F <<<"$(line m class=ham)" >out
	{ printf "$HAM0" | sed 's/$/\r/'; cat m; } >want
	cmp want out
}

@test "filter: the mbox From_ line stays first, xd's fields right after it" {
	printf 'From alice@example.com Mon Jan  1 10:00:00 2024\nSubject: hi\n\nbody\n' >m
	xd-act -F <<<"$(line m class=ham)" >out
	printf 'From alice@example.com Mon Jan  1 10:00:00 2024\n'"$HAM0"'Subject: hi\n\nbody\n' >want
	cmp want out
	printf 'From alice@example.com Mon Jan  1 10:00:00 2024\nSubject: hi\r\rbody\r' >m
	xd-act -F <<<"$(line m class=ham)" >out
	{
		printf 'From alice@example.com Mon Jan  1 10:00:00 2024\n'
		printf "$HAM0" | tr '\n' '\r'
		printf 'Subject: hi\r\rbody\r'
	} >want
	cmp want out
}

@test "filter: a message inside an mbox is marked alone, From_ line and all" {
	mbox
	xd-act -F <<<"$(line mb class=ham offset=85 length=69)" >out
	printf 'From carol@example.net Mon Jan  1 11:00:00 2024\n'"$HAM0"'Subject: two\n\nsecond\n' >want
	cmp want out
}

@test "filter: a message with no body, or no end of line, still gets its headers" {
	printf 'From: a@example.net\nSubject: hi\n' >m
	xd-act -F <<<"$(line m class=ham)" >out
	printf "$HAM0"'From: a@example.net\nSubject: hi\n' >want
	cmp want out
	printf 'From: a@example.net\r\nSubject: hi' >m
	xd-act -F <<<"$(line m class=spam)" >out
	printf 'X-XD-Class: spam\r\nX-Spam-Flag: YES\r\nX-Spam-Level:\r\nX-Spam-Status: Yes, score=0.0 required=5.0 tests=none\r\nFrom: a@example.net\r\nSubject: hi' >want
	cmp want out
	: >m
	xd-act -F <<<"$(line m class=ham)" >out
	printf "$HAM0" >want
	cmp want out
}

@test "filter: huge header lines and NUL bytes pass through unharmed" {
	{
		printf 'Received: '
		head -c 3000000 /dev/zero | tr '\0' x
		printf '\nX-Spam-Report: '
		head -c 2000000 /dev/zero | tr '\0' y
		printf '\n\t'
		head -c 100000 /dev/zero | tr '\0' z
		printf '\nSubject: '
		head -c 5000 /dev/zero | tr '\0' s
		printf '\n\nbody\0with a NUL\n'
	} >m
	xd-act -F -t '[SPAM] ' <<<"$(line m class=spam score=7)" >out
	grep -av '^X-Spam-Report: \|^	zzz' m | sed 's/^Subject: /&[SPAM] /' >want
	grep -av '^X-Spam-Flag: YES$\|^X-Spam-Level: \*\*\*\*\*\*\*$\|^X-Spam-Status: \|^X-XD-Class: spam$' out >back
	cmp want back
}

# A message without its X-Spam-* and X-XD-* header fields; one with no
# LF at all is read with its CRs as LF.
drop_marks() {
	if [ "$(tr -cd '\n' <"$1" | wc -c)" -eq 0 ]; then
		tr '\r' '\n' <"$1"
	else
		cat "$1"
	fi | awk 'h && /^\r?$/ { h = 0 } h && /^[^ \t]/ { drop = tolower($0) ~ /^x-(spam-|xd-)/ }
	     !(h && drop) { print } BEGIN { h = 1 }'
}

@test "filter: the sample messages come back byte for byte but for the edits" {
	[ -d "$SAMPLES" ] || skip "no share/samples"
	n=0
	for f in "$SAMPLES"/*/cur/* "$SAMPLES"/*/new/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		xd-act -F <<<"$(line "$f" class=ham score=1)" >out
		# Take out exactly what filter mode adds and removes.
		drop_marks "$f" >want
		drop_marks out >back
		cmp want back
	done
	[ "$n" -gt 0 ]
}

@test "filter: comments before the message line are skipped" {
	plain_msg m
	printf '#xd-stream 1\n%s\n#end\n' "$(line m class=spam)" | xd-act -F >out
	grep -q '^X-XD-Class: spam$' out
}

@test "filter: a second message line is refused, so no part is lost" {
	plain_msg m
	printf '#xd-stream 1\n%s\n%s\n' "$(line m class=spam)" "$(line m class=ham)" |
	    { xd-act -F >out 2>err && false || true; }
	[ ! -s out ]
	grep -q 'more than one message line' err
}

@test "filter: no verdict line is an error and writes nothing" {
	run xd-act -F </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "xd-act: no verdict line on standard input" ]
	printf '#xd-stream 1\n' | xd-act -F >out 2>err && false
	[ ! -s out ]
}

@test "filter: a line without class=, with error= or an unknown class is refused" {
	plain_msg m
	for l in "$(line m score=3)" "$(line m class=spam error=xd-parse:unreadable)" \
	    "$(line m class=junk)"; do
		xd-act -F <<<"$l" >out 2>err && false
		[ ! -s out ]
		grep -q '^xd-act: m: the line ' err
	done
}

@test "filter: an unreadable message or a damaged line is an error" {
	run xd-act -F <<<"$(line nothere class=spam)"
	[ "$status" -eq 1 ]
	[ "$output" = "xd-act: nothere: unreadable: No such file or directory" ]
	plain_msg m
	run xd-act -F <<<"$(line m class=spam offset=-1)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad-offset"* ]]
	run xd-act -F <<<"$(line m class=spam length=100000)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"m: bad-length: Invalid argument"* ]]
	run xd-act -F <<<"$(line m class=spam bad%1=x)"
	[ "$status" -eq 1 ]
	[[ "$output" == "xd-act: <stdin>:1: bad-escape" ]]
}

@test "filter: a write error on stdout is an error" {
	[ -w /dev/full ] || skip "no /dev/full"
	plain_msg m
	rc=0
	xd-act -F <<<"$(line m class=spam)" >/dev/full 2>err || rc=$?
	[ "$rc" -eq 1 ]
	grep -q "m: cannot-write: No space left on device" err
}

@test "filter --spool: only the file it names, and all of it, is marked" {
	plain_msg m
	cp m other
	id=$(stat -c '%d:%i:%s' m)
	run --separate-stderr xd-act -F --spool "$id" <<<"$(line m class=ham)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"X-XD-Class: ham"* ]]
	# The same bytes in another file are another message.
	run --separate-stderr xd-act -F --spool "$id" <<<"$(line other class=ham)"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"other: not the message this filter was handed (--spool $id)"* ]]
	run --separate-stderr xd-act -F --spool "$id" <<<"$(line m class=ham offset=10)"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run xd-act -F --spool 1:2 </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--spool: expected DEV:INO:SIZE"* ]]
	run xd-act --spool "$id" -d inbox </dev/null
	[ "$status" -eq 2 ]
}

# --- release ----------------------------------------------------------

@test "release: quarantined files move back to the inbox, one path printed each" {
	plain_msg m
	mkmaildir q/.Spam
	cp m "q/.Spam/cur/1700000000.M1P1.host:2,S"
	cp m "q/.Spam/new/1700000001.M2P2.host"
	run xd-act --release -d inbox q/.Spam/cur/* q/.Spam/new/*
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$PWD/inbox/cur/1700000000.M1P1.host:2,S" ]
	[ "${lines[1]}" = "$PWD/inbox/new/1700000001.M2P2.host" ]
	for p in "${lines[@]}"; do
		cmp m "$p"
	done
	[ -z "$(find q/.Spam/cur q/.Spam/new inbox/tmp -type f)" ]
}

@test "release: a name taken in the inbox gets a fresh one, the flags kept" {
	plain_msg m
	mkmaildir q/.Quarantine
	mkmaildir inbox
	cp m "q/.Quarantine/cur/1700000000.M1P1.host:2,S"
	echo other >"inbox/cur/1700000000.M1P1.host:2,S"
	run xd-act -r -d inbox "q/.Quarantine/cur/1700000000.M1P1.host:2,S"
	[ "$status" -eq 0 ]
	[[ "$output" == "$PWD/inbox/cur/"*":2,S" ]]
	[ "$output" != "$PWD/inbox/cur/1700000000.M1P1.host:2,S" ]
	cmp m "$output"
	[ "$(cat "inbox/cur/1700000000.M1P1.host:2,S")" = other ]
}

@test "release: the inbox defaults to maildir in xd.conf" {
	plain_msg m
	run xd-act -r m
	[ "$status" -eq 0 ]
	[[ "$output" == "$HOME/Maildir/new/"* ]]
	[ ! -e m ]
}

@test "release: a file that cannot be released is named, the others go on" {
	plain_msg m
	run xd-act -r -d inbox nothere m
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "xd-act: nothere: unreadable: No such file or directory" ]
	[[ "${lines[1]}" == "$PWD/inbox/new/"* ]]
}

@test "release: an inbox that cannot be made keeps the quarantined file" {
	plain_msg m
	echo file >inbox
	run xd-act -r -d inbox m
	[ "$status" -eq 1 ]
	[[ "$output" == *"inbox: Not a directory"* ]]
	[ -f m ]
}

@test "release: a file already in the inbox is left alone" {
	plain_msg m
	mkmaildir inbox
	cp m inbox/cur/x
	run xd-act -r -d inbox inbox/cur/x
	[ "$status" -eq 0 ]
	[[ "$output" == *"inbox/cur/x: already in inbox"* ]]
	[ -f inbox/cur/x ]
	[ -z "$(ls inbox/new)" ]
}

# --- options ----------------------------------------------------------

@test "usage errors exit 2 with the synopsis" {
	for args in "-x" "--filter --release" "--release" "-F -d inbox" "-F -m" \
	    "-r -q q x" "-t tag" "stray" "-r -f x"; do
		run xd-act $args </dev/null
		[ "$status" -eq 2 ]
		[[ "$output" == *"usage: xd-act"* ]]
	done
}

@test "-h and --help print every option, -V and --version the version" {
	run --separate-stderr xd-act -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: xd-act"* ]]
	run --separate-stderr xd-act --help
	for opt in --deliver --quarantine --spam-folder --surespam-folder \
	    --move --force --filter --tag --spool --release; do
		[[ "$output" == *"$opt"* ]]
	done
	run xd-act -Q
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: xd-act"* ]]
	run xd-act -V
	[ "$status" -eq 0 ]
	[[ "$output" == "xd-act (xd) "* ]]
	run xd-act --version
	[[ "$output" == "xd-act (xd) "* ]]
}

@test "a bad xd.conf exits 2" {
	echo 'colour = blue' >"$XD_CONF"
	run xd-act -d inbox </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown key 'colour'"* ]]
}

@test "batch: a file starting with an mbox From_ line is delivered without it" {
	printf 'From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: s\n\nx\n' >mb
	line mb class=ham | xd-act -d inbox >/dev/null
	f=$(ls inbox/new/*)
	[ "$(head -n 1 "$f")" = "From: a@example.com" ]
	tail -n +2 mb | cmp - "$f"
}

@test "release: the policy lock is new mode 0600, and a symbolic link there is refused" {
	plain_msg m
	printf 'policy = %s/pol\nstore = %s/store.lmdb\n' "$PWD" "$PWD" >"$XD_CONF"
	(umask 022 && xd-act -r -d inbox m >/dev/null)
	grep -q '^allow from ' pol
	[ "$(stat -c %a pol.lock)" = 600 ]
	rm pol.lock
	ln -s "$PWD/elsewhere" pol.lock
	cp pol pol.before
	plain_msg m2
	run xd-act -r -d inbox m2
	[ "$status" -eq 1 ]
	[[ "$output" == *"pol.lock: Too many levels of symbolic links"* ]]
	[ ! -e elsewhere ]
	cmp pol pol.before
	# a lock an older xd left 0644 is made 0600 at its next use
	rm pol.lock
	install -m 644 /dev/null pol.lock
	plain_msg m3
	xd-act -r -d inbox m3 >/dev/null
	[ "$(stat -c %a pol.lock)" = 600 ]
}
