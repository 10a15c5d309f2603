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
