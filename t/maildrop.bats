#!/usr/bin/env bats
# share/mailfilter with the real maildrop(1): xd filter marks the
# message, surespam is quarantined, spam goes to .Spam;
# the exit status is 0 for every class.

load helper
load mda

setup() {
	command -v maildrop >/dev/null || skip "maildrop is not installed"
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	mkdir -p "$HOME"
	cd "$BATS_TEST_TMPDIR" || return 1
	mda_setup
	cat >mailfilter <<MF
HOME="$T/home"
PATH="$XD_BIN:$REPO/bin:/usr/bin:/bin"
MAILDIR="$T/Maildir"
DEFAULT="$T/Maildir"
logfile "$T/maildrop.log"
include "$REPO/share/mailfilter"
MF
	# The same delivery through cat instead of xd: what maildrop itself
	# does to a message it filters.
	cat >plainfilter <<MF
DEFAULT="$T/plain"
logfile "$T/maildrop.log"
xfilter "cat"
MF
	# maildrop wants its filter file private and the user's own.
	chmod 600 mailfilter plainfilter
}

teardown() {
	mda_log "$T/maildrop.log"
}

# What maildrop delivers of message $1 filtered by cat.
plain() {
	maildrop ./plainfilter <"$1"
	delivered plain
}

# Empty maildirs for the next delivery.
fresh() {
	rm -rf Maildir plain
	mkmaildir Maildir
	mkmaildir plain
}

# with_from FILE: FILE with an mbox From_ line first.
with_from() {
	{ echo 'From bob@example.org Mon Jan  1 10:00:00 2024'; cat "$1"; } >"$1.from"
	mv "$1.from" "$1"
}

@test "maildrop: ham is marked and delivered to the inbox, every other byte kept" {
	sender_msg alice@example.com m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	grep -qx 'X-XD-Class: ham' "$got"
	grep -qx 'X-Spam-Status: No, score=0.0 required=-1.0 tests=none' "$got"
	grep -qx 'Subject: About Friday' "$got"
	! grep -q '^X-Spam-Flag' "$got"
	! grep -q 'forged' "$got"
	diff <(unforged "$(plain m)") <(unmark "$got")
	[ -z "$(ls Maildir/tmp)" ] && [ ! -e Maildir/.Spam ]
}

@test "maildrop: spam is marked and filed in .Spam, made on the way, its subject untouched" {
	sender_msg carol@example.net m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ -z "$(find Maildir/new -type f)" ]
	[ "$(head -n 1 "$got")" = 'X-XD-Class: spam' ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	grep -qx 'Subject: About Friday' "$got"
	diff <(unforged "$(plain m)") <(unmark "$got")
	[ "$(stat -c %a Maildir/.Spam)" = 700 ]
}

@test "maildrop: spam goes into an existing .Spam too" {
	sender_msg carol@example.net m
	mkmaildir Maildir/.Spam
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	delivered Maildir/.Spam
}

@test "maildrop: surespam is kept in .Quarantine as xd marked it, exit 0, no bounce" {
	sender_msg spammer@example.com m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Quarantine)
	[ -z "$(find Maildir/new Maildir/cur -type f)" ] && [ ! -e Maildir/.Spam ]
	[ "$(head -n 1 "$got")" = 'X-XD-Class: surespam' ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	diff <(unforged "$(plain m)") <(unmark "$got")
}

@test "maildrop: a forged X-XD-Class: surespam does not get ham refused" {
	sender_msg alice@example.com m
	sed -i 's/^X-XD-Class: ham$/X-XD-Class: surespam/' m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	one_class_field "$got"
	grep -qx 'X-XD-Class: ham' "$got"
}

@test "maildrop: a CRLF message is marked in CRLF" {
	sender_msg carol@example.net lf
	sed 's/$/\r/' lf >m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ "$(head -n 1 "$got")" = $'X-XD-Class: spam\r' ]
	grep -qx $'Subject: About Friday\r' "$got"
}

@test "maildrop: an X-XD-Class in a MIME part's header does not get ham refused" {
	# maildrop matches header patterns in every MIME part's header too.
	mime_msg alice@example.com m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	[ "$(head -n 1 "$got")" = 'X-XD-Class: ham' ]
	diff "$(plain m)" <(unmark "$got")
}

@test "maildrop: a CR message's body line X-XD-Class: surespam does not get ham refused" {
	# maildrop reads up to the first LF as one line, and the lines after
	# it as header until an empty one: a CR message's body here.
	printf 'From: Someone <alice@example.com>\rSubject: hi\r\rbody\nX-XD-Class: surespam\n\nmore\n' >m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	delivered Maildir
}

@test "maildrop: every ending, forged fields anywhere: xd's class decides, every other byte is kept" {
	for e in lf crlf cr mixed; do
		for from in no yes; do
			fresh
			torture_msg alice@example.com $e m
			[ $from = no ] || { with_from m; with_from m.clean; }
			run maildrop ./mailfilter <m
			[ "$status" -eq 0 ] || { echo "ham, $e, From_ $from: status $status"; false; }
			cmp <(marked ham $e "$(plain m.clean)") "$(delivered Maildir)"
			[ ! -e Maildir/.Spam ]

			fresh
			torture_msg carol@example.net $e m
			[ $from = no ] || { with_from m; with_from m.clean; }
			run maildrop ./mailfilter <m
			[ "$status" -eq 0 ] || { echo "spam, $e, From_ $from: status $status"; false; }
			[ -z "$(find Maildir/new -type f)" ]
			cmp <(marked spam $e "$(plain m.clean)") "$(delivered Maildir/.Spam)"

			fresh
			torture_msg spammer@example.com $e m
			[ $from = no ] || { with_from m; with_from m.clean; }
			run maildrop ./mailfilter <m
			[ "$status" -eq 0 ] || { echo "surespam, $e, From_ $from: status $status"; false; }
			cmp <(marked surespam $e "$(plain m.clean)") "$(delivered Maildir/.Quarantine)"
			[ -z "$(find Maildir/new -type f)" ]
		done
	done
}

@test "maildrop: when a check fails the original is delivered, marked unchecked" {
	sender_msg carol@example.net m
	# xd-score cannot read its weights: xd filter gives the message back.
	printf 'weights = %s\nstages =\n' "$T/nothere" >"$XD_CONF"
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	unchecked "$(plain m)" "$(delivered Maildir)" 'failed (xd-score, status 2)'
}

@test "maildrop: with a broken configuration the original is delivered, marked unchecked" {
	sender_msg carol@example.net m
	echo 'no such key = 1' >"$XD_CONF"
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	unchecked "$(plain m)" "$(delivered Maildir)" 'config'
}

@test "maildrop: when xd cannot run at all maildrop defers the message" {
	sender_msg carol@example.net m
	# Nowhere to spool the message: xd filter gives up with status 75.
	{ echo 'TMPDIR="/nonexistent/dir"'; cat mailfilter; } >mailfilter.broken
	chmod 600 mailfilter.broken
	run maildrop ./mailfilter.broken <m
	[ "$status" -eq 75 ]
	[ -z "$(find Maildir -type f)" ]
}

@test "maildrop: the README shows share/mailfilter as it is, less its comments" {
	sed -n '/or with maildrop/,/writes X-XD-Class as/s/^    //p' "$REPO/README" >shown
	grep -v '^[[:space:]]*#' "$REPO/share/mailfilter" | grep -v '^[[:space:]]*$' >shipped
	diff shipped shown
}
