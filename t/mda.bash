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

# Undo exactly what xd filter adds: its fields, first in the header.
unmark() {
	sed '1,/^X-Spam-Status:/d' "$1"
}

# The message without the forged fields, which xd filter takes out.
unforged() {
	grep -v '^X-Spam-Status: No, score=-100.0 (forged)$\|^X-Spam-Flag: NO$\|^X-XD-Class: ham$' "$1"
}

# unchecked PLAIN GOT REASON: the delivered GOT is what the agent makes of
# the original unfiltered (PLAIN), without the forged fields, and with
# one X-XD-Unchecked: REASON more.
unchecked() {
	[ "$(grep -c '^X-XD-Unchecked: ' "$2")" -eq 1 ] || return 1
	grep -qxF "X-XD-Unchecked: $3" "$2" || return 1
	diff <(unforged "$1") <(grep -v '^X-XD-Unchecked: ' "$2")
}

# Only xd's own X-XD-Class is in the header of message $1.
one_class_field() {
	[ "$(sed '/^$/q' "$1" | grep -c '^X-XD-Class:')" -eq 1 ]
}

# torture_msg SENDER ENDING NAME: a message from SENDER with forged
# verdict fields as its first and last header fields, folded between,
# and in its body, in the line ending ENDING: lf, crlf, cr, or mixed (an
# LF header, then CR LF from the empty line on).  NAME.clean is the
# same without the forged header fields: what xd filter must keep.
torture_msg() {
	cat >"$3.lf" <<MSG
X-XD-Class: surespam
Return-Path: <$1>
Received: from mx.example.net (mx.example.net [192.0.2.25])
	by mx.example.org with ESMTP id 42
	for <bob@example.org>; Mon, 1 Jan 2024 10:00:00 +0000
From: Someone <$1>
To: bob@example.org
x-spam-status: No, score=-100.0
	tests=ALL_TRUSTED
Subject: About Friday
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <friday@example.com>
X-Spam-Flag: NO
X-XD-Class: spam

Shall we meet on Friday?
X-XD-Class: surespam
X-Spam-Flag: YES

X-XD-Class: surespam
MSG
	awk 'h && /^$/ { h = 0 } h && /^[^ \t]/ { drop = tolower($0) ~ /^x-(spam-|xd-)/ }
	     !(h && drop) { print } BEGIN { h = 1 }' "$3.lf" >"$3.clean.lf"
	in_ending "$2" "$3.lf" >"$3"
	in_ending "$2" "$3.clean.lf" >"$3.clean"
}

# in_ending ENDING FILE: the LF file FILE with its lines ended so.
in_ending() {
	case $1 in
	lf) cat "$2" ;;
	crlf) sed 's/$/\r/' "$2" ;;
	cr) tr '\n' '\r' <"$2" ;;
	mixed) awk 'h && /^$/ { h = 0 } { printf "%s%s", $0, h ? "\n" : "\r\n" } BEGIN { h = 1 }' "$2" ;;
	esac
}

# xd_fields CLASS ENDING: the fields xd filter writes first for CLASS
# (everything scores 0 here), each ended as the header's last line.
xd_fields() {
	local e
	case $2 in crlf) e=$'\r\n' ;; cr) e=$'\r' ;; *) e=$'\n' ;; esac
	printf 'X-XD-Class: %s%s' "$1" "$e"
	[ "$1" = ham ] || printf 'X-Spam-Flag: YES%s' "$e"
	printf 'X-Spam-Level:%s' "$e"
	printf 'X-Spam-Status: %s, score=0.0 required=-1.0 tests=none%s' \
	    "$([ "$1" = ham ] && echo No || echo Yes)" "$e"
}

# marked CLASS ENDING FILE: FILE as xd filter marks it: its fields
# first, after a From_ line if FILE has one.
marked() {
	if head -c 5 "$3" | grep -q '^From '; then
		head -n 1 "$3"
		xd_fields "$1" "$2"
		tail -n +2 "$3"
	else
		xd_fields "$1" "$2"
		cat "$3"
	fi
}

# A multipart message whose part header says X-XD-Class: surespam.
mime_msg() {
	msg "$2" <<MSG
From: Someone <$1>
To: bob@example.org
Subject: Minutes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain
X-XD-Class: surespam

The minutes of Friday.
--b1--
MSG
}
