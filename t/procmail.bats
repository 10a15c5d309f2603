#!/usr/bin/env bats
# share/procmailrc with the real procmail(1): xd filter marks the
# message, surespam is quarantined, spam goes to .Spam;
# the exit status is 0 for every class.

load helper
load mda

setup() {
	command -v procmail >/dev/null || skip "procmail is not installed"
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	mkdir -p "$HOME"
	cd "$BATS_TEST_TMPDIR" || return 1
	mda_setup
	cat >rc <<RC
HOME=$T/home
MAILDIR=$T/Maildir
DEFAULT=\$MAILDIR/
LOGFILE=$T/procmail.log
INCLUDERC=$REPO/share/procmailrc
RC
	# The same delivery through cat instead of xd: what procmail itself
	# does to a message it filters (it ends it with an empty line).
	cat >plainrc <<RC
HOME=$T/home
MAILDIR=$T/plain
DEFAULT=\$MAILDIR/
LOGFILE=$T/procmail.log

:0fw
| cat
RC
}

teardown() {
	mda_log "$T/procmail.log"
}

# What procmail delivers of message $1 filtered by cat; the options
# after it go to procmail.
plain() {
	local m=$1
	shift
	procmail -p "$@" -m ./plainrc <"$m"
	delivered plain
}

# Empty maildirs for the next delivery.
fresh() {
	rm -rf Maildir plain
	mkmaildir Maildir
	mkmaildir plain
}

@test "procmail: ham is marked and delivered to the inbox, every other byte kept" {
	sender_msg alice@example.com m
	run procmail -p -m ./rc <m
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

@test "procmail: spam is marked and filed in .Spam, its subject untouched" {
	sender_msg carol@example.net m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ -z "$(find Maildir/new -type f)" ]
	[ "$(head -n 1 "$got")" = 'X-XD-Class: spam' ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	grep -qx 'Subject: About Friday' "$got"
	diff <(unforged "$(plain m)") <(unmark "$got")
}

@test "procmail: surespam is kept in .Quarantine as xd marked it, exit 0, no bounce" {
	sender_msg spammer@example.com m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Quarantine)
	[ -z "$(find Maildir/new Maildir/cur -type f)" ] && [ ! -e Maildir/.Spam ]
	[ "$(head -n 1 "$got")" = 'X-XD-Class: surespam' ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	diff <(unforged "$(plain m)") <(unmark "$got")
}

@test "procmail: a forged X-XD-Class: surespam does not get ham refused" {
	sender_msg alice@example.com m
	sed -i 's/^X-XD-Class: ham$/X-XD-Class: surespam/' m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	one_class_field "$got"
	grep -qx 'X-XD-Class: ham' "$got"
}

@test "procmail: a CRLF message is marked in CRLF" {
	sender_msg carol@example.net lf
	sed 's/$/\r/' lf >m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ "$(head -n 1 "$got")" = $'X-XD-Class: spam\r' ]
	grep -qx $'Subject: About Friday\r' "$got"
}

@test "procmail: a CRLF body line X-XD-Class: surespam does not get ham refused" {
	# procmail knows no CR LF empty line: to it all of this message is
	# header, the body line too.
	sender_msg alice@example.com lf
	sed 's/$/\r/' lf >m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	[ "$(head -n 1 "$got")" = $'X-XD-Class: ham\r' ]
}

@test "procmail: every ending, forged fields anywhere: xd's class decides, every other byte is kept" {
	for e in lf crlf cr mixed; do
		for from in '' -fbob@example.org; do
			fresh
			torture_msg alice@example.com $e m
			run procmail -p $from -m ./rc <m
			[ "$status" -eq 0 ] || { echo "ham, $e $from: status $status"; false; }
			cmp <(marked ham $e "$(plain m.clean $from)") "$(delivered Maildir)"
			[ ! -e Maildir/.Spam ]

			fresh
			torture_msg carol@example.net $e m
			run procmail -p $from -m ./rc <m
			[ "$status" -eq 0 ] || { echo "spam, $e $from: status $status"; false; }
			cmp <(marked spam $e "$(plain m.clean $from)") "$(delivered Maildir/.Spam)"
			[ -z "$(find Maildir/new -type f)" ]

			fresh
			torture_msg spammer@example.com $e m
			run procmail -p $from -m ./rc <m
			[ "$status" -eq 0 ] || { echo "surespam, $e $from: status $status"; false; }
			cmp <(marked surespam $e "$(plain m.clean $from)") "$(delivered Maildir/.Quarantine)"
			[ -z "$(find Maildir/new -type f)" ]
		done
	done
}

@test "procmail: with a broken configuration the original is delivered, marked unchecked" {
	sender_msg carol@example.net m
	echo 'no such key = 1' >"$XD_CONF"
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	unchecked "$(plain m)" "$(delivered Maildir)" 'config'
}

@test "procmail: when xd cannot run at all the original is delivered unchanged" {
	sender_msg carol@example.net m
	# Nowhere to spool the message: xd filter gives up with status 75.
	{ echo 'TMPDIR=/nonexistent/dir'; cat rc; } >rc.broken
	run procmail -p -m ./rc.broken <m
	[ "$status" -eq 0 ]
	cmp m "$(delivered Maildir)"
}

@test "procmail: when a check fails the original is delivered, marked unchecked" {
	sender_msg carol@example.net m
	# xd-score cannot read its weights: xd filter gives the message back.
	printf 'weights = %s\nstages =\n' "$T/nothere" >"$XD_CONF"
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	unchecked "$(plain m)" "$(delivered Maildir)" 'failed (xd-score, status 2)'
}

@test "procmail: kill -9 of xd filter while it writes the message: procmail delivers the original" {
	sender_msg carol@example.net m
	# More than a pipe holds: with procmail stopped, xd-filter blocks
	# in the middle of writing the marked message.
	{ cat m; head -c 1000000 /dev/zero | tr '\0' x | fold -w 72; echo; } >big
	# A stage that takes a second, for procmail to be stopped meanwhile.
	# In a directory of links to every other tool, which xd puts first
	# on PATH.
	mkdir stagebin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = xd-heur ] || ln -s "$t" stagebin/
	done
	printf '#!/bin/sh\nsleep 1\nexec cat\n' >stagebin/xd-heur
	chmod +x stagebin/xd-heur
	echo 'stages = heur' >>"$XD_CONF"
	mkdir spool
	{ echo "TMPDIR=$PWD/spool"; cat rc; } >rc.spool
	PATH=$PWD/stagebin:$PATH procmail -p -m ./rc.spool <big &
	pm=$!
	for _ in $(seq 100); do
		kids=$(pgrep -d, -P "$pm") &&
		    xf=$(pgrep -x xd-filter -P "$kids") && break
		sleep 0.05
	done
	[ -n "$xf" ]
	kill -STOP "$pm"
	for _ in $(seq 100); do
		[[ "$(cat "/proc/$xf/wchan")" == *pipe_write* ]] && break
		sleep 0.1
	done
	[[ "$(cat "/proc/$xf/wchan")" == *pipe_write* ]]
	kill -9 "$xf"
	kill -CONT "$pm"
	wait "$pm"
	# What procmail kept, as when xd cannot run at all.
	cmp big "$(delivered Maildir)"
	grep -q 'Rescue of unfiltered data succeeded' procmail.log
	# The killed filter's spool, for a later run to remove: what procmail
	# gave the filter.
	cmp "$(plain big)" spool/xd-filter.*/msg
}

@test "procmail: the README shows share/procmailrc as it is, less its comments" {
	sed -n '/with procmail/,/or with maildrop/s/^    //p' "$REPO/README" >shown
	grep -v '^[[:space:]]*#' "$REPO/share/procmailrc" | grep -v '^[[:space:]]*$' >shipped
	diff shipped shown
}
