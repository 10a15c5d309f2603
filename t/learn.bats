#!/usr/bin/env bats
# Feedback the way users give it: "xd learn spam|ham|sent PATH...", and
# xd-act --release of a message that procmail or maildrop filed as spam
# through xd filter, which learns it as ham and allows its sender.

load helper
load mda

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	mkdir -p "$HOME"
	cd "$BATS_TEST_TMPDIR" || return 1
	# mda.bash: everything is spam unless the policy says otherwise
	mda_setup
	printf 'stages = bayes\nstore = %s/store.lmdb\nbayes_min_learned = 1\n' \
	    "$T" >>"$XD_CONF"
}

teardown() {
	mda_log "$T/procmail.log"
	mda_log "$T/maildrop.log"
}

# stored NAME: a count of xd-bayes --stats.
stored() {
	xd-bayes -S | awk -v k="$1" '$1 == k { print $2 }'
}

# procmail_deliver MESSAGE: through share/procmailrc into $T/Maildir.
procmail_deliver() {
	command -v procmail >/dev/null || skip "procmail is not installed"
	cat >rc <<RC
HOME=$T/home
MAILDIR=$T/Maildir
DEFAULT=\$MAILDIR/
LOGFILE=$T/procmail.log
INCLUDERC=$REPO/share/procmailrc
RC
	procmail -p -m ./rc <"$1"
}

# maildrop_deliver MESSAGE: through share/mailfilter into $T/Maildir.
maildrop_deliver() {
	command -v maildrop >/dev/null || skip "maildrop is not installed"
	cat >mailfilter <<MF
HOME="$T/home"
PATH="$XD_BIN:$REPO/bin:/usr/bin:/bin"
MAILDIR="$T/Maildir"
DEFAULT="$T/Maildir"
logfile "$T/maildrop.log"
include "$REPO/share/mailfilter"
MF
	chmod 600 mailfilter
	maildrop ./mailfilter <"$1"
}

# released AGENT OPTION...: a message from carol is filed as spam by
# AGENT, then released with xd-act --release OPTION...
released() {
	local agent=$1
	shift
	sender_msg carol@example.net m
	# a tagged subject too: the released message is still the one known
	echo 'subject_tag = "[SPAM] "' >>"$XD_CONF"
	"${agent}_deliver" m
	spam=$(delivered Maildir/.Spam)
	grep -qx 'X-XD-Class: spam' "$spam"
	grep -q '^Subject: \[SPAM\] About Friday' "$spam"
	run --separate-stderr xd-act --release -d Maildir "$@" "$spam"
	[ "$status" -eq 0 ]
	[ ! -e "$spam" ]
	[ "$output" = "$(find "$T/Maildir/new" -type f)" ]
}

@test "learn: xd-act --release of what procmail filed as spam learns it as ham and allows its sender" {
	released procmail
	[ "$(stored ham)" -eq 1 ] && [ "$(stored spam)" -eq 0 ]
	[ "$(tail -n 1 "$T/policy")" = "allow from carol@example.net" ]
	# the next message from carol is ham, by the policy
	sender_msg carol@example.net again
	sed -i 's/friday@/monday@/' again
	rm -f Maildir/new/*
	procmail_deliver again
	got=$(delivered Maildir)
	grep -qx 'X-XD-Class: ham' "$got"
	# what was released is the message that was learned: marked by xd
	# filter or not, it is known
	xd-parse -- m | xd-bayes -l ham 2>err >/dev/null
	grep -q '1 already known' err
}

@test "learn: xd-act --release --domain of what maildrop filed allows the whole domain" {
	released maildrop --domain
	[ "$(stored ham)" -eq 1 ]
	[ "$(tail -n 1 "$T/policy")" = "allow from-domain example.net" ]
	sender_msg dave@mx.example.net other
	rm -f Maildir/new/*
	maildrop_deliver other
	grep -qx 'X-XD-Class: ham' "$(delivered Maildir)"
}

@test "learn: with no policy file in xd.conf, release learns and writes no policy" {
	sed -i '/^policy = /d' "$XD_CONF"
	sender_msg carol@example.net m
	procmail_deliver m
	spam=$(delivered Maildir/.Spam)
	run --separate-stderr xd-act --release -d Maildir "$spam"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -n "$(find Maildir/new -type f)" ] && [ ! -e "$spam" ]
	[ "$(stored ham)" -eq 1 ]
	! grep -q carol "$T/policy"
}

@test "learn: a release that cannot learn or allow still releases, says why, exits 1" {
	# a store that cannot be made, a policy "file" that is a directory
	mkdir "$T/policy.d"
	printf 'store = %s/no/such/dir/store\npolicy = %s/policy.d\n' "$T" "$T" >>"$XD_CONF"
	sender_msg carol@example.net m
	mkmaildir q
	cp m q/cur/1
	run --separate-stderr xd-act --release -d Maildir q/cur/1
	[ "$status" -eq 1 ]
	[ -n "$(find Maildir/new -type f)" ] && [ ! -e q/cur/1 ]
	[[ "$stderr" == *"not learned as ham: "*"no/such/dir/store"* ]]
	[[ "$stderr" == *"policy.d"* ]]
	[ -z "$(ls "$T/policy.d")" ]
}

@test "learn: --domain is for release only" {
	run xd-act --domain </dev/null
	[ "$status" -eq 2 ]
}

@test "learn: xd learn spam and ham take files and maildirs, in one step" {
	mkmaildir junk
	cp "$SAMPLES"/spam/cur/* junk/cur/
	run --separate-stderr xd learn spam junk
	[ "$status" -eq 0 ]
	n=$(ls junk/cur | wc -l)
	[ "$(stored spam)" -eq "$n" ]
	[[ "$stderr" == *"learned $n as spam"* ]]
	one=$(ls "$SAMPLES"/ham/cur/* | head -n 1)
	run --separate-stderr xd learn ham "$one"
	[ "$status" -eq 0 ]
	[ "$(stored ham)" -eq 1 ]
	# the checksum store heard it too, when xd-cksum is built
	if command -v xd-cksum >/dev/null; then
		xd-cksum --stats >cks
		[ -s cks ]
	else
		[[ "$stderr" == *"xd-cksum is not built yet; skipped"* ]]
	fi
	# "not spam": the same messages as ham move over
	run --separate-stderr xd learn ham junk
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$n moved from spam"* ]]
	[ "$(stored spam)" -eq 0 ]
}

@test "learn: xd learn label takes each class from the path, and xd-lr the two mixed" {
	mkdir -p corpus
	cp -R "$SAMPLES/ham" "$SAMPLES/spam" corpus/
	cp "$SAMPLES/mbox" corpus/unlabelled
	# what xd-lr is given, seen on its way in (xd runs the tools beside
	# it first, so a copy of it runs beside the one that looks)
	mkdir spy
	cp "$REPO/bin/xd" spy/xd
	printf '#!/bin/sh\ntee "%s/lr.in" | exec "%s/xd-lr" "$@"\n' \
	    "$PWD" "$XD_BIN" >spy/xd-lr
	chmod +x spy/xd-lr
	run --separate-stderr spy/xd learn label corpus/ham corpus/spam \
	    corpus/unlabelled
	# 1: the three messages of the mbox have no class
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"3 messages with no ham or spam in their path; not learned"* ]]
	h=$(ls corpus/ham/cur | wc -l)
	s=$(ls corpus/spam/cur | wc -l)
	[ "$(stored ham)" -eq "$h" ]
	[ "$(stored spam)" -eq "$s" ]
	[ "$(xd-lr --stats | awk '$1 == "ham" { print $2 }')" -eq "$h" ]
	# the labels xd-lr read: both classes, not one after the other
	grep -o 'label=[a-z]*' lr.in | uniq >runs
	[ "$(wc -l <runs)" -gt 2 ]
	[ "$(grep -vc '^#' lr.in)" -eq $((h + s + 3)) ]
	head -n 1 lr.in | grep -q '^#xd-stream'
}

@test "learn: xd learn sent records the recipients of sent mail for the allowlist" {
	mkmaildir Sent
	msg Sent/cur/1 <<'EOF'
From: bob@example.org
To: Zoe <zoe@example.com>
Subject: Lunch
Message-ID: <lunch@example.org>

Noon?
EOF
	run --separate-stderr xd learn sent Sent
	[ "$status" -eq 0 ]
	[ "$(stored awl)" -eq 1 ]
	sender_msg zoe@example.com m
	xd-parse -- m | xd-bayes >out
	grep -q '	AWL=zoe@example.com' out
}

@test "learn: xd learn usage errors" {
	run xd learn
	[ "$status" -eq 2 ]
	run xd learn maybe x
	[ "$status" -eq 2 ]
	run xd learn label
	[ "$status" -eq 2 ]
	run xd learn spam
	[ "$status" -eq 2 ]
	run --separate-stderr xd learn spam nothere
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"learn: nothere: cannot read"* ]]
	[ ! -e "$T/store.lmdb" ]
}
