#!/usr/bin/env bats
# share/procmailrc with the real procmail(1): xd filter marks the
# message, surespam becomes exit status 77, spam goes to .Spam.
#
# procmail sets HOME from the password file whatever the environment
# says, so the rc of each test names every path itself: nothing outside
# the test's directory is read or written.

load helper

setup() {
	command -v procmail >/dev/null || skip "procmail is not installed"
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	T=$BATS_TEST_TMPDIR
	export HOME="$T/home"
	mkdir -p "$HOME" "$T/Maildir"
	cd "$T" || return 1
	# Classes by sender, with no network check: everything scores 0,
	# which the weights make spam; the policy blocks one sender (surespam)
	# and allows another (ham).
	printf 'threshold spam -1\nthreshold surespam 100\n' >weights
	printf 'block from spammer@example.com\nallow from alice@example.com\n' >policy
	export XD_CONF="$T/xd.conf"
	printf 'weights = %s\npolicy = %s\nstages =\n' "$T/weights" "$T/policy" >"$XD_CONF"
	cat >rc <<EOF
HOME=$T/home
MAILDIR=$T/Maildir
DEFAULT=\$MAILDIR/
LOGFILE=$T/procmail.log
INCLUDERC=$REPO/share/procmailrc
EOF
	# The same delivery through cat instead of xd: what procmail itself
	# does to a message it filters (it ends it with an empty line).
	cat >plainrc <<EOF
HOME=$T/home
MAILDIR=$T/plain
DEFAULT=\$MAILDIR/
LOGFILE=$T/procmail.log

:0fw
| cat
EOF
	mkdir -p plain
}

# The log helps only when a test failed.
teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f "$T/procmail.log" ]; then
		sed 's/^/# procmail.log: /' "$T/procmail.log" >&3
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
X-Spam-Status: No, score=-100.0 (forged)
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

# What procmail delivers of message $1 filtered by cat.
plain() {
	procmail -p -m ./plainrc <"$1"
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
	grep -v '^X-Spam-Status: No, score=-100.0 (forged)$\|^X-XD-Class: ham$' "$1"
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
	base=$(plain m)
	diff <(unforged "$base") <(unmark "$got")
	[ -z "$(ls Maildir/tmp)" ] && [ ! -e Maildir/.Spam ]
}

@test "procmail: spam is marked, tagged and filed in .Spam" {
	sender_msg carol@example.net m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	[ -z "$(find Maildir/new -type f)" ]
	grep -qx 'X-Spam-Flag: YES' "$got"
	grep -qx 'X-XD-Class: spam' "$got"
	grep -qx 'Subject: \[SPAM\] About Friday' "$got"
	base=$(plain m)
	diff <(unforged "$base") <(unmark "$got")
}

@test "procmail: surespam makes procmail exit 77 and nothing is delivered" {
	sender_msg spammer@example.com m
	run procmail -p -m ./rc <m
	[ "$status" -eq 77 ]
	[ -z "$(find Maildir -type f)" ]
}

@test "procmail: a forged X-XD-Class: surespam does not get ham refused" {
	sender_msg alice@example.com m
	sed -i 's/^X-XD-Class: ham$/X-XD-Class: surespam/' m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	[ "$(sed '/^$/q' "$got" | grep -c '^X-XD-Class:')" -eq 1 ]
	grep -qx 'X-XD-Class: ham' "$got"
}

@test "procmail: a CRLF message is marked in CRLF" {
	# procmail knows no CR LF header end: to it all of this message is
	# header, so the body must not look like xd's field.
	sender_msg carol@example.net lf
	sed '/in the body/d; s/$/\r/' lf >m
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir/.Spam)
	grep -qx $'X-XD-Class: spam\r' "$got"
	grep -qx $'Subject: \\[SPAM\\] About Friday\r' "$got"
}

@test "procmail: when xd cannot run at all the original is delivered unchanged" {
	sender_msg carol@example.net m
	echo 'no such key = 1' >"$XD_CONF"
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	cmp m "$got"
}

@test "procmail: when a check fails the original is delivered unchanged" {
	sender_msg carol@example.net m
	# xd-score cannot read its weights: xd filter gives the message back.
	printf 'weights = %s\nstages =\n' "$T/nothere" >"$XD_CONF"
	run procmail -p -m ./rc <m
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	cmp "$(plain m)" "$got"
}
