# Shared by t/procmail.bats and t/maildrop.bats: a delivery agent runs
# share/procmailrc or share/mailfilter, which pipe each message through
# xd filter.  Both agents set HOME from the password file and maildrop
# resets PATH, so each test's recipe names every path itself: nothing
# outside the test's directory is read or written.

# A private maildir and a configuration that gives each class by sender,
# with no network check: everything scores 0, which the weights make
# spam; the policy blocks one sender (surespam) and allows one (ham).
mda_setup() {
	T=$BATS_TEST_TMPDIR
	mkmaildir "$T/Maildir"
	mkmaildir "$T/plain"
	printf 'threshold spam -1\nthreshold surespam 100\n' >"$T/weights"
	printf 'block from spammer@example.com\nallow from alice@example.com\n' >"$T/policy"
	printf 'weights = %s\npolicy = %s\nstages =\n' "$T/weights" "$T/policy" >"$XD_CONF"
}

# The agent's log helps only when a test failed.
mda_log() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -f "$1" ]; then
		sed "s/^/# $(basename "$1"): /" "$1" >&3
	fi
}

# sender_msg SENDER FILE: a message from SENDER that carries forged
# verdict fields, and a body line that looks like one.
sender_msg() {
	msg "$2" <<MSG
Return-Path: <$1>
Received: from mx.example.net (mx.example.net [192.0.2.25])
	by mx.example.org with ESMTP id 42
	for <bob@example.org>; Mon, 1 Jan 2024 10:00:00 +0000
From: Someone <$1>
To: bob@example.org
Subject: About Friday
X-Spam-Status: No, score=-100.0 (forged)
X-Spam-Flag: NO
X-XD-Class: ham
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <friday@example.com>

Shall we meet on Friday?

X-XD-Class: surespam (in the body: no header)
MSG
}

# The one file delivered into the maildir $1.
delivered() {
	local n
	n=$(find "$1/new" -type f | wc -l)
	[ "$n" -eq 1 ] || { echo "$1/new holds $n files" >&2; return 1; }
	find "$1/new" -type f
}

# Undo exactly what xd filter adds: its fields and the subject tag.
unmark() {
	awk 'h && /^$/ { h = 0 } h && /^X-Spam-(Flag|Level|Status):|^X-XD-Class:/ { skip = 1; next }
	     h && skip && /^\t/ { next } { skip = 0 }
	     h && /^Subject: \[SPAM\] / { sub(/\[SPAM\] /, "") } { print } BEGIN { h = 1 }' "$1"
}

# The message without the forged fields, which xd filter takes out.
unforged() {
	grep -v '^X-Spam-Status: No, score=-100.0 (forged)$\|^X-Spam-Flag: NO$\|^X-XD-Class: ham$' "$1"
}

# Only xd's own X-XD-Class is in the header of message $1.
one_class_field() {
	[ "$(sed '/^$/q' "$1" | grep -c '^X-XD-Class:')" -eq 1 ]
}
