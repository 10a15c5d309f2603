#!/usr/bin/env bats
# xd-parse on mbox files: messages split where mutt splits them.

load helper

# split MBOX: the messages xd-parse finds in MBOX, as files msg1, msg2 ...
# cut out by their offset= and length=; prints how many.
split() {
	local n=0 l off len
	xd-parse "$1" | grep -v '^#' >lines
	while IFS= read -r l; do
		n=$((n + 1))
		off=$(field offset "$l")
		len=$(field length "$l")
		if [ -z "$off" ]; then
			cp "$1" msg$n
		else
			tail -c +"$((off + 1))" "$1" | head -c "$len" >msg$n
		fi
	done <lines
	echo "$n"
}

@test "mboxo and mboxrd: quoted >From lines stay in their message" {
	cat >mbox <<'EOF'
From alice@example.net Mon Nov 20 08:01:11 2023
From: alice@example.net
Subject: quoted

>From the start of a line, quoted once (mboxo)
>>From quoted twice (mboxrd)

From bob@example.org Mon Nov 20 09:00:00 2023
From: bob@example.org
Subject: next

body
EOF
	[ "$(split mbox)" -eq 2 ]
	grep -q '^>From the start' msg1
	grep -q '^>>From quoted twice' msg1
	grep -q '^Subject: next' msg2
}

@test "From_ lines in other MTAs' formats split; a dateless From line does not" {
	{
		printf 'From alice@example.net Mon Nov 20 08:01:11 2023\nSubject: 1\n\nx\n\n'
		printf 'From bob@example.org Mon Nov 20 08:01 2023\nSubject: 2\n\nx\n\n'
		printf 'From carol@example.com Wed Aug  2 00:39:12 MET DST 1995\nSubject: 3\n\nx\n\n'
		printf 'From dan@example.com Tue Nov 21 10:00:00 +0100 2023\nSubject: 4\n\nx\n\n'
		printf 'From "erin smith"@example.com Tue Nov 21 10:00:00 2023\nSubject: 5\n\nx\n\n'
		printf 'From frank at example.com  Tue Nov 21 10:00:00 2023\nSubject: 6\n\nx\n\n'
		printf 'From  Tue Nov 21 10:00:00 2023\nSubject: 7\n\nx\n\n'
		printf 'From MAILER-DAEMON Tue Nov 21 10:00:00 23\nSubject: 8\n\nx\n'
		printf 'From the desk of the president, Tuesday\n\n'
		printf 'From gina@example.com Thu, 23 Nov 2023 10:00:00 +0000\n'
	} >mbox
	[ "$(split mbox)" -eq 8 ]
	for i in 1 2 3 4 5 6 7 8; do
		grep -q "^Subject: $i\$" msg$i
	done
	grep -q '^From the desk' msg8
	grep -q '^From gina@example.com Thu, 23' msg8
}

@test "a From_ line splits even without an empty line before it, as in mutt" {
	printf 'From a@example.net Mon Nov 20 08:01:11 2023\nSubject: 1\n\nx\nFrom b@example.net Mon Nov 20 08:01:12 2023\nSubject: 2\n\ny\n' >mbox
	[ "$(split mbox)" -eq 2 ]
	[ "$(tail -n 1 msg1)" = x ]
	grep -q '^Subject: 2' msg2
}

@test "mboxcl: a Content-Length: that the mbox bears out keeps an unquoted From_ line in the body" {
	body='A patch follows:

From 1234abcd Mon Sep 17 00:00:00 2001
From: dev@example.org
Subject: [PATCH] fix
'
	{
		printf 'From a@example.net Mon Nov 20 08:01:11 2023\nSubject: 1\nContent-Length: %d\n\n%s\n' \
		    "$(printf '%s' "$body" | wc -c)" "$body"
		printf 'From b@example.net Mon Nov 20 08:01:12 2023\nSubject: 2\nContent-Length: 2\n\ny\n'
	} >mbox
	[ "$(split mbox)" -eq 2 ]
	grep -q '^From 1234abcd' msg1
	grep -q '^Subject: \[PATCH\]' msg1
	[ "$(tail -c 1 msg1 | od -An -c | tr -d ' ')" = '\n' ]
	grep -q '^Subject: 2' msg2
	# the last message ends the file, its length with it
	[ "$(tail -n 1 msg2)" = y ]
}

@test "mboxcl: a Content-Length: the mbox does not bear out is ignored" {
	for cl in 3 9999 x; do
		printf 'From a@example.net Mon Nov 20 08:01:11 2023\nSubject: 1\nContent-Length: %s\n\nbody one\n\nFrom b@example.net Mon Nov 20 08:01:12 2023\nSubject: 2\n\ny\n' "$cl" >mbox
		[ "$(split mbox)" -eq 2 ]
		[ "$(tail -n 1 msg1)" = 'body one' ]
		grep -q '^Subject: 2' msg2
	done
}

@test "a CRLF mbox splits like an LF one, the empty CR LF line between kept out" {
	printf 'From a@example.net Mon Nov 20 08:01:11 2023\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b@example.net Mon Nov 20 08:01:12 2023\r\nSubject: 2\r\nContent-Length: 3\r\n\r\ny\r\n' >mbox
	[ "$(split mbox)" -eq 2 ]
	[ "$(tail -c 3 msg1 | od -An -c | tr -d ' ')" = 'x\r\n' ]
	grep -q '^Subject: 2' msg2
	[ "$(tail -c 3 msg2 | od -An -c | tr -d ' ')" = 'y\r\n' ]
	[ "$(field subject "$(sed -n 2p lines)")" = 2 ]
}
