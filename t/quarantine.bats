#!/usr/bin/env bats
# xd quarantine: what the quarantine maildir holds, read from each stored
# copy's header, and letting a message out again, as it was.

load helper
eval "helper_$(declare -f setup)"

setup() {
	helper_setup
	printf 'threshold spam 1\nthreshold surespam 3\nHEUR_TEST 0\n' >weights
	printf 'block from spammer@example.com\n' >policy
	printf 'weights = %s/weights\npolicy = %s/policy\nstages =\n' \
	    "$PWD" "$PWD" >"$XD_CONF"
	mkdir -p "$HOME/Maildir/.Quarantine/new" "$HOME/Maildir/.Quarantine/cur" \
	    "$HOME/Maildir/.Quarantine/tmp"
}

# spam_msg FILE: surespam as xd filter stores it in the quarantine.
spam_msg() {
	msg m.raw <<'MSG'
From: Winner <spammer@example.com>
To: bob@example.org
Subject: You won
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <won@example.com>

Claim it now.
MSG
	xd filter <m.raw >"$1"
}

@test "quarantine list: date, sender, subject, score, reasons and path of each stored copy" {
	q=$HOME/Maildir/.Quarantine
	spam_msg "$q/cur/1700000000.M1P1.host:2,S"
	run xd quarantine list
	[ "$status" -eq 0 ]
	[ "$output" = "2024-01-01 09:59	spammer@example.com	You won	0.0	none	$q/cur/1700000000.M1P1.host:2,S" ]
}

@test "quarantine list: the reasons are X-Spam-Status's tests=, .Spam is not listed" {
	q=$HOME/Maildir/.Quarantine
	printf 'X-XD-Class: surespam\nX-Spam-Status: Yes, score=9.5 required=5.0 tests=RBL_X,BAYES_99\nFrom: a@example.com\nSubject: s\n\nb\n' >"$q/new/1700000002.M1P1.host"
	mkdir -p "$HOME/Maildir/.Spam/new"
	cp "$q/new/1700000002.M1P1.host" "$HOME/Maildir/.Spam/new/"
	run xd quarantine list "$HOME/Maildir"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"	9.5	RBL_X,BAYES_99	$q/new/1700000002.M1P1.host" ]]
}

@test "quarantine list: control characters in a field or a file name cannot start a line" {
	q=$HOME/Maildir/.Quarantine
	printf 'From: a@example.com\nSubject: s\nX-Spam-Status: Yes, score=1\x1b[2J tests=A\n\nb\n' >"$q/new/17.x"$'\n'"forged	line"
	run xd quarantine list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'	A	'*'17.x\x0aforged\x09line' ]]
	[[ "$output" != *$'\x1b'* ]]
}

@test "quarantine list: no quarantine yet is no error" {
	rm -rf "$HOME/Maildir/.Quarantine"
	run xd quarantine list
	[ "$status" -eq 0 ]
	[[ "$output" == *"no quarantine maildir"* ]]
}

@test "quarantine release: back to cur/ with its name and flags, learned as ham" {
	q=$HOME/Maildir/.Quarantine
	spam_msg "$q/cur/1700000000.M1P1.host:2,S"
	cp "$q/cur/1700000000.M1P1.host:2,S" stored
	run xd quarantine release "$q/cur/1700000000.M1P1.host:2,S"
	[ "$status" -eq 0 ]
	[ "$output" = "$HOME/Maildir/cur/1700000000.M1P1.host:2,S" ]
	cmp stored "$output"
	[ -z "$(find "$q" -type f)" ]
	[ -z "$(xd quarantine list 2>&1)" ]
}

@test "quarantine: the README's list and release example runs as printed" {
	spam_msg "$HOME/Maildir/.Quarantine/cur/1700000000.M1P2.host:2,S"
	grep '^    \$ xd quarantine' "$REPO/README" | sed 's/^    \$ //' >example
	[ "$(wc -l <example)" -eq 2 ]
	run sh -e example
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"	You won	"* ]]
	[ "${lines[1]}" = "$HOME/Maildir/cur/1700000000.M1P2.host:2,S" ]
}

STORE_TEST=${XD_UNIT:+$(dirname "$XD_UNIT")/store-test}
: "${STORE_TEST:=$REPO/build/store-test}"

# lr_trained N: N meetings learned as ham and N offers of pills as
# spam, into the store of xd.conf, for xd-lr to tell apart.
lr_trained() {
	printf 'store = %s/store.lmdb\nlr_min_learned = 1\n' "$PWD" >>"$XD_CONF"
	mkdir -p ham spam
	for i in $(seq 1 "$1"); do
		printf 'From: Ann <ann%s@example.org>\nSubject: agenda %s for the meeting\nMessage-ID: <h%s@example.org>\n\nThe minutes of the meeting on monday, item %s, and the agenda.\n' \
		    "$i" "$i" "$i" "$i" >"ham/$i"
		printf 'From: Shop <deal%s@example.com>\nSubject: cheap pills %s offer\nMessage-ID: <s%s@example.com>\n\nBuy cheap pills now, limited offer %s, click to order.\n' \
		    "$i" "$i" "$i" "$i" >"spam/$i"
	done
	xd -q learn ham ham/* 2>/dev/null
	xd -q learn spam spam/* 2>/dev/null
}

# lr_of FILE: the learner's probability that FILE is spam.
lr_of() {
	field LR "$(xd-parse -- "$1" | xd-lr)"
}

@test "quarantine release: the learner (xd-lr) learns the message as ham too, once" {
	lr_trained 6
	q=$HOME/Maildir/.Quarantine
	# an offer the user wanted after all
	msg m.raw <<'MSG'
From: Shop <orders@example.com>
Subject: your order of cheap pills
Message-ID: <order@example.com>

Your order of cheap pills, click to track it.
MSG
	xd filter <m.raw >"$q/cur/1700000000.M1P3.host:2,S"
	before=$(lr_of "$q/cur/1700000000.M1P3.host:2,S")
	[ -n "$before" ]
	run --separate-stderr xd quarantine release "$q/cur/1700000000.M1P3.host:2,S"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	after=$(lr_of "$output")
	awk -v b="$before" -v a="$after" 'BEGIN { exit !(a < b) }'
	xd-lr -S >stats
	grep -qx 'ham	7' stats
	grep -qx 'spam	6' stats
	# the released copy is the message the learner knows now
	xd-parse -- "$output" | xd-lr --learn ham 2>err >/dev/null
	grep -q 'learned 0 .*, 1 already known' err
}

@test "quarantine release: a learner's store it cannot learn into is said, exit 1, the message still released" {
	[ -x "$STORE_TEST" ] || { echo "$STORE_TEST is not built" >&2; return 1; }
	# weights of the 2^22 features of an older xd-lr
	printf 'table lr_count 0 0\nadd lr_count scheme 2 0\nadd lr_count messages 60 60\nrun\n' |
	    "$STORE_TEST" "lmdb:$PWD/store.lmdb" >/dev/null
	echo "store = $PWD/store.lmdb" >>"$XD_CONF"
	q=$HOME/Maildir/.Quarantine
	spam_msg "$q/cur/1700000000.M1P4.host:2,S"
	run --separate-stderr xd quarantine release "$q/cur/1700000000.M1P4.host:2,S"
	[ "$status" -eq 1 ]
	[ "$output" = "$HOME/Maildir/cur/1700000000.M1P4.host:2,S" ]
	[ -e "$output" ] && [ -z "$(find "$q" -type f)" ]
	[[ "$stderr" == *"not learned as ham by xd-lr: "*"re-train"* ]]
	# the Bayes filter learned it all the same
	xd-bayes -S | grep -qx 'ham	1'
}
