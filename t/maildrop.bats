#!/usr/bin/env bats
# share/mailfilter with the real maildrop(1): xd filter marks the
# message, surespam becomes exit status 77, spam goes to .Spam.
#
# maildrop resets PATH and takes HOME from the password file, so the
# filter file of each test sets both and names every path itself:
# nothing outside the test's directory is read or written.

load helper

setup() {
	command -v maildrop >/dev/null || skip "maildrop is not installed"
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	T=$BATS_TEST_TMPDIR
	export HOME="$T/home"
	mkdir -p "$HOME"
	mkmaildir "$T/Maildir"
	mkmaildir "$T/plain"
	cd "$T" || return 1
	# Classes by sender, with no network check: everything scores 0,
	# which the weights make spam; the policy blocks one sender (surespam)
	# and allows another (ham).
	printf 'threshold spam -1\nthreshold surespam 100\n' >weights
	printf 'block from spammer@example.com\nallow from alice@example.com\n' >policy
	export XD_CONF="$T/xd.conf"
	printf 'weights = %s\npolicy = %s\nstages =\n' "$T/weights" "$T/policy" >"$XD_CONF"
	# maildrop wants its filter file private and the user's own.
	cat >mailfilter <<EOF
HOME="$T/home"
PATH="$XD_BIN:$REPO/bin:/usr/bin:/bin"
MAILDIR="$T/Maildir"
DEFAULT="$T/Maildir"
logfile "$T/maildrop.log"
include "$REPO/share/mailfilter"
EOF
	# The same delivery through cat instead of xd: what maildrop itself
	# does to a message it filters.
	cat >plainfilter <<EOF
DEFAULT="$T/plain"
logfile "$T/maildrop.log"
xfilter "cat"
EOF
	chmod 600 mailfilter plainfilter
}

# The log helps only when a test failed.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f "$T/maildrop.log" ]; then
		sed 's/^/# maildrop.log: /' "$T/maildrop.log" >&3
	fi
}

sender_msg() {
	msg "$2" <<EOF
Return-Path: <$1>
Received: from mx.example.net (mx.example.net [192.0.2.25])
	by mx.example.org with ESMTP id 42
	for <bob@example.org>; Mon, 1 Jan 2024 10:00:00 +0000
From: Someone <$1>
To: bob@example.org
Subject: About Friday
X-Spam-Flag: NO
X-XD-Class: ham
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <friday@example.com>

Shall we meet on Friday?

X-XD-Class: surespam (in the body: no header)
EOF
}

# The one file delivered into folder $1 (a maildir).
delivered() {
	local n
	n=$(find "$1/new" -type f | wc -l)
	[ "$n" -eq 1 ] || { echo "$1/new holds $n files" >&2; return 1; }
	find "$1/new" -type f
}

# What maildrop delivers of message $1 filtered by cat.
plain() {
	maildrop ./plainfilter <"$1"
	delivered plain
}

# Undo exactly what xd filter adds: its fields and the subject tag.
unmark() {
	awk 'h && /^$/ { h = 0 } h && /^X-Spam-(Flag|Level|Status):|^X-XD-Class:/ { skip = 1; next }
	     h && skip && /^\t/ { next } { skip = 0 }
	     h && /^Subject: \[SPAM\] / { sub(/\[SPAM\] /, "") } { print } BEGIN { h = 1 }' "$1"
}

# The message with the forged fields taken out, as filter mode does.
unforged() {
	grep -v '^X-Spam-Flag: NO$\|^X-XD-Class: ham$' "$1"
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
	diff <(unforged "$(plain m)") <(unmark "$got")
	[ -z "$(ls Maildir/tmp)" ] && [ ! -e Maildir/.Spam ]
}

@test "maildrop: spam is marked, tagged and filed in .Spam, made on the way" {
	sender_msg carol@example.net m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ -z "$(find Maildir/new -type f)" ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	grep -qx 'X-XD-Class: spam' "$got"
	grep -qx 'Subject: \[SPAM\] About Friday' "$got"
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

@test "maildrop: surespam makes maildrop exit 77 and nothing is delivered" {
	sender_msg spammer@example.com m
	run maildrop ./mailfilter <m
	[ "$status" -eq 77 ]
	[ -z "$(find Maildir -type f)" ]
}

@test "maildrop: a forged X-XD-Class: surespam does not get ham refused" {
	sender_msg alice@example.com m
	sed -i 's/^X-XD-Class: ham$/X-XD-Class: surespam/' m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	[ "$(sed '/^$/q' "$got" | grep -c '^X-XD-Class:')" -eq 1 ]
	grep -qx 'X-XD-Class: ham' "$got"
}

@test "maildrop: a CRLF message is marked in CRLF" {
	sender_msg carol@example.net lf
	sed 's/$/\r/' lf >m
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	grep -qx $'X-XD-Class: spam\r' "$got"
	grep -qx $'Subject: \\[SPAM\\] About Friday\r' "$got"
}

@test "maildrop: when a check fails the original is delivered unchanged" {
	sender_msg carol@example.net m
	# xd-score cannot read its weights: xd filter gives the message back.
	printf 'weights = %s\nstages =\n' "$T/nothere" >"$XD_CONF"
	run maildrop ./mailfilter <m
	[ "$status" -eq 0 ]
	cmp "$(plain m)" "$(delivered Maildir)"
}

@test "maildrop: when xd cannot run at all maildrop defers the message" {
	sender_msg carol@example.net m
	echo 'no such key = 1' >"$XD_CONF"
	run maildrop ./mailfilter <m
	[ "$status" -eq 75 ]
	[ -z "$(find Maildir -type f)" ]
}
