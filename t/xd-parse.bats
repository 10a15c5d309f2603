#!/usr/bin/env bats
# xd-parse: mail in, one verdict-stream line of facts per message out.

load helper

# parse ARGS...: run xd-parse; the first message line is in $line.
parse() {
	run xd-parse "$@"
	line=$(printf '%s\n' "$output" | grep -v '^#' | grep -v '^xd-parse: ' | head -n 1)
}

# has NAME=VALUE: the field is on $line, exactly.
has() {
	printf '%s\n' "$line" | tr '\t' '\n' | grep -qxF -- "$1" ||
	    { echo "no field '$1' in: $line" >&2; return 1; }
}

# hasnt NAME: no field called NAME on $line.
hasnt() {
	! printf '%s\n' "$line" | tr '\t' '\n' | grep -q "^$1="
}

# stream_lines: the message lines of $output, without diagnostics.
stream_lines() {
	printf '%s\n' "$output" | grep -v '^#' | grep -v '^xd-parse: ' || true
}

# A plain message through one Postfix relay; $1 names the file.
plain() {
	cat >"$1" <<'EOF'
Return-Path: <alice@example.net>
Received: from mail.example.net (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTPS id 4SZZ1
	for <bob@example.org>; Tue, 14 Nov 2023 22:14:58 +0000 (UTC)
From: Alice Martin <alice@example.net>
Reply-To: Alice at home <alice@home.example.net>
To: bob@example.org, "Carol" <carol@example.org>
Cc: dan@example.com
Subject: Saturday hike
Message-ID: <20231114221455.GA2211@laptop.example.net>
In-Reply-To: <earlier.1@example.org>
Date: Tue, 14 Nov 2023 23:14:55 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Shall we go on Saturday?
EOF
}

# A message whose only interesting header is one Received: line.
received() {
	printf 'Received: %s\nFrom: a@example.com\nSubject: r\n\nbody\n' "$1" >rcvd
	parse rcvd
}

# --- the facts ---------------------------------------------------------

@test "the stream starts with its header line" {
	plain m
	run xd-parse m
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "#xd-stream 1" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a plain message gives every fact it has, in order" {
	plain m
	parse m
	[ "$status" -eq 0 ]
	want=$(printf '%s\t' m ip=198.51.100.23 helo=mail.example.net \
	    rdns=mail.example.net relays=198.51.100.23 \
	    mailfrom=alice@example.net from=alice@example.net \
	    'fromname=Alice Martin' replyto=alice@home.example.net \
	    to=bob@example.org,carol@example.org cc=dan@example.com \
	    'subject=Saturday hike' \
	    msgid=20231114221455.GA2211@laptop.example.net \
	    inreplyto=earlier.1@example.org date=2023-11-14T22:14:55Z)
	[ "${line#"$want"}" != "$line" ] || { echo "got:  $line" >&2; echo "want: $want..." >&2; return 1; }
	has size=$(wc -c <m)
	has hops=1
	has parts=1
	has html=0
	has attach=0
	hasnt label
	hasnt rcpt
}

@test "absent facts are left out, but size hops parts html attach are always there" {
	printf 'Subject: bare\n\nbody\n' >m
	parse m
	[ "$status" -eq 0 ]
	[ "$line" = "$(printf 'm\tsubject=bare\tsize=20\thops=0\tparts=1\thtml=0\tattach=0')" ]
}

@test "the date is ISO 8601 in UTC" {
	printf 'Date: Thu, 22 Aug 2002 12:36:23 +0100\n\nx\n' >m
	parse m
	has date=2002-08-22T11:36:23Z
}

@test "a date with the year 102 or 0102 (a Y2K bug) is taken as 2002" {
	printf 'Date: Wed, 24 Jul 102 21:48:06 +1200\n\nx\n' >a
	printf 'Date: Wed, 24 Jul 0102 21:48:06 +1200\n\nx\n' >b
	parse a
	has date=2002-07-24T09:48:06Z
	parse b
	has date=2002-07-24T09:48:06Z
}

@test "an unparseable date is left out" {
	printf 'Date: yesterday, around tea time\nSubject: s\n\nx\n' >m
	parse m
	[ "$status" -eq 0 ]
	hasnt date
}

@test "of duplicated headers the first counts" {
	cat >m <<'EOF'
From: First <a@example.com>
From: Second <b@example.net>
Subject: first subject
Subject: second subject
Date: Sun, 19 Nov 2023 18:09:58 +0000
Date: not a date
Message-ID: <one@example.com>

x
EOF
	parse m
	has from=a@example.com
	has fromname=First
	has 'subject=first subject'
	has date=2023-11-19T18:09:58Z
}

@test "RFC 2047 subjects and names are decoded to UTF-8" {
	cat >m <<'EOF'
From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <j@example.net>
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgWsO8cmljaA==?= =?ISO-8859-1?Q?_=E0_14h?=

x
EOF
	parse m
	has 'fromname=Jürgen Müller'
	has 'subject=Grüße aus Zürich à 14h'
}

@test "8-bit headers in no declared charset become valid UTF-8" {
	printf 'From: Ren\xe9 <r@example.com>\nSubject: caf\xe9 \x93quoted\x94 \x81\n\nx\n' >m
	parse m
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	has 'fromname=René'
	has 'subject=café “quoted”'
}

@test "an encoded word in an unknown charset still gives valid UTF-8" {
	printf 'Subject: =?x-unknown?q?caf=E9?= =?utf-8?q?bad=FF=FE?=\n\nx\n' >m
	parse m
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	field subject "$line" | grep -q '^caf'
}

@test "control characters and folding in headers become spaces" {
	printf 'Subject: a\x01b\n  folded\tc\n\nx\n' >m
	parse m
	has 'subject=a b  folded c'
}

@test "values are cut at 1000 bytes on a character boundary" {
	{
		printf 'Subject: '
		for i in $(seq 700); do printf '\303\251'; done
		printf '\n\nx\n'
	} >m
	parse m
	v=$(field subject "$line")
	[ "$(printf '%s' "$v" | wc -c)" -eq 1000 ]
	printf '%s' "$v" | iconv -f UTF-8 -t UTF-8 >/dev/null
}

@test "long To: lists keep whole addresses only" {
	{
		printf 'To: '
		for i in $(seq 200); do printf 'someone%03d@example.org, ' "$i"; done
		printf 'last@example.org\n\nx\n'
	} >m
	parse m
	v=$(field to "$line")
	[ "$(printf '%s' "$v" | wc -c)" -le 1000 ]
	[[ "$v" == someone001@example.org,* ]]
	[[ "$v" == *@example.org ]]
	[ "$(printf '%s' "$v" | tr ',' '\n' | grep -vc '^someone[0-9]*@example.org$')" -eq 0 ]
}

@test "the null sender <> is an empty mailfrom" {
	printf 'Return-Path: <>\nFrom: MAILER-DAEMON@example.org\n\nbounce\n' >m
	parse m
	has mailfrom=
}

@test "pre-existing X-Spam-* headers are never read as facts" {
	cat >m <<'EOF'
X-Spam-Status: Yes, score=99.0 required=5.0
X-Spam-Flag: YES
X-Spam-Level: ****************
Subject: hello

x
EOF
	parse m
	[ "$line" = "$(printf 'm\tsubject=hello\tsize=%d\thops=0\tparts=1\thtml=0\tattach=0' "$(wc -c <m)")" ]
}

@test "MIME structure: leaf parts, HTML and attachments are counted" {
	cat >m <<'EOF'
From: a@example.com
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

text
--inner
Content-Type: text/html

<p>html</p>
--inner--
--outer
Content-Type: application/pdf; name="a.pdf"
Content-Disposition: attachment; filename="a.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: message/rfc822
Content-Disposition: attachment

From: b@example.com
Subject: forwarded

inner text
--outer--
EOF
	parse m
	[ "$status" -eq 0 ]
	has parts=4
	has html=1
	has attach=2
}

# --- Received: the relays ---------------------------------------------

@test "sendmail/Postfix: from HELO (RDNS [IP])" {
	received 'from helo.example.com (rdns.example.net [203.0.113.5]) by mx.example.org (Postfix) with ESMTP id X; Mon, 20 Nov 2023 10:00:00 +0000'
	has ip=203.0.113.5
	has helo=helo.example.com
	has rdns=rdns.example.net
}

@test "sendmail: ident before the reverse name, and (may be forged)" {
	received 'from helo.example.com (IDENT:joe@rdns.example.net [203.0.113.5] (may be forged)) by mx.example.org (8.12.5) id X'
	has ip=203.0.113.5
	has helo=helo.example.com
	has rdns=rdns.example.net
}

@test "Postfix: unknown reverse DNS gives no rdns" {
	received 'from helo.example.com (unknown [203.0.113.5]) by mx.example.org (Postfix) id X'
	has ip=203.0.113.5
	has helo=helo.example.com
	hasnt rdns
}

@test "exim: from RDNS ([IP]:port helo=HELO)" {
	received 'from rdns.example.net ([203.0.113.5]:41234 helo=helo.example.com) by mx.example.org with esmtp (Exim 4.96) id X'
	has ip=203.0.113.5
	has helo=helo.example.com
	has rdns=rdns.example.net
}

@test "exim: from [IP] (helo=HELO)" {
	received 'from [203.0.113.5] (helo=helo.example.com) by mx.example.org with esmtp (Exim 4.05) id X'
	has ip=203.0.113.5
	has helo=helo.example.com
	hasnt rdns
}

@test "qmail: from unknown (HELO x) (IP) and from RDNS (HELO x) (IP)" {
	received 'from unknown (HELO helo.example.com) (203.0.113.5) by mx.example.org with SMTP; 22 Aug 2002 11:46:29 -0000'
	has ip=203.0.113.5
	has helo=helo.example.com
	hasnt rdns
	received 'from rdns.example.net (HELO helo.example.com) (203.0.113.6) by mx.example.org with SMTP'
	has ip=203.0.113.6
	has rdns=rdns.example.net
}

@test "Microsoft: from HELO ([IP])" {
	received 'from helo.example.com ([203.0.113.5]) by mx.example.org with Microsoft SMTPSVC(6.0.3790.4675); Mon, 20 Nov 2023 10:00:00 +0000'
	has ip=203.0.113.5
	has helo=helo.example.com
	hasnt rdns
}

@test "an IPv6 relay: [IPv6:2001:db8::1]" {
	received 'from helo.example.com (rdns.example.net [IPv6:2001:DB8:0:0::1]) by mx.example.org (Postfix) id X'
	has ip=2001:db8::1
	has relays=2001:db8::1
	has rdns=rdns.example.net
}

@test "Received: lines without an address are passed over" {
	cat >m <<'EOF'
Received: by mx.example.org (Postfix, from userid 500) id 1; Mon, 20 Nov 2023 10:00:02 +0000
Received: (qmail 123 invoked by uid 0); 20 Nov 2023 10:00:01 -0000
Received: from localhost (localhost [127.0.0.1]) by mx.example.org (Postfix) id 2
Received: from relay.example.net (relay.example.net [198.51.100.7]) by mx.example.org (Postfix) id 3
Received: from client.example.com (client.example.com [192.0.2.9]) by relay.example.net (Postfix) id 4
Subject: chain

x
EOF
	parse m
	has hops=5
	has ip=198.51.100.7
	has helo=relay.example.net
	has relays=198.51.100.7,192.0.2.9
}

@test "relays in trusted_networks (xd.conf) are skipped, IPv4 and IPv6" {
	cat >m <<'EOF'
Received: from gw.example.org (gw.example.org [2001:db8:ff::2]) by mx.example.org (Postfix) id 1
Received: from relay.example.org (relay.example.org [198.51.100.7]) by gw.example.org (Postfix) id 2
Received: from client.example.com (client.example.com [192.0.2.9]) by relay.example.org (Postfix) id 3
Subject: chain

x
EOF
	parse m
	has ip=2001:db8:ff::2
	has relays=2001:db8:ff::2,198.51.100.7,192.0.2.9
	echo 'trusted_networks = 127.0.0.0/8 198.51.100.0/24 2001:db8:ff::/48' >"$XD_CONF"
	parse m
	has ip=192.0.2.9
	has helo=client.example.com
	has relays=192.0.2.9
	has hops=3
}

@test "fetchmail's POP3 and IMAP lines name the user's mail server, not a relay" {
	cat >m <<'EOF'
Received: from localhost (localhost [127.0.0.1]) by home.example.org (Postfix) with ESMTP id 1
Received: from pop.isp.example [198.51.100.20] by localhost with POP3 (fetchmail-6.4.37) for <me@localhost> (single-drop); Mon, 7 Dec 2026 10:00:00 +0000
Received: from spammer.example (dsl-7.pool.example [192.0.2.7]) by pop.isp.example (Postfix) with ESMTP id 2
Subject: fetched

x
EOF
	parse m
	has ip=192.0.2.7
	has helo=spammer.example
	has rdns=dsl-7.pool.example
	has relays=192.0.2.7
	sed -i 's/with POP3 (fetchmail-6.4.37)/with IMAP (fetchmail-6.4.37)/' m
	parse m
	has ip=192.0.2.7
}

@test "getmail's POP3S line, LMTP delivery and local submissions are not relays" {
	cat >m <<'EOF'
Received: from mx.isp.example (mx.isp.example [198.51.100.21]) by store.isp.example (Cyrus v3.4) with LMTPA; Mon, 7 Dec 2026 10:00:02 +0000
Received: from pop.isp.example (pop.isp.example [198.51.100.20]) by laptop with POP3S (getmail 6.18); Mon, 7 Dec 2026 10:00:01 +0000
Received: by laptop (Postfix, from userid 1000) id 9; Mon, 7 Dec 2026 10:00:00 +0000
Received: (qmail 4242 invoked by uid 89); 7 Dec 2026 10:00:00 -0000
Received: from unknown (HELO bulk.example) (203.0.113.9) by mx.isp.example with SMTP; 7 Dec 2026 09:59:59 -0000
Subject: fetched

x
EOF
	parse m
	has ip=203.0.113.9
	has helo=bulk.example
	hasnt rdns
	has hops=5
}

@test "Received: lines of each MTA give the sending relay's address, HELO and reverse name" {
	# Postfix, Exim, Sendmail, qmail, Exchange: each as the top line
	for l in \
	    'from helo.example (rdns.example [192.0.2.1]) by mx (Postfix) with ESMTPS id 1|192.0.2.1|helo.example|rdns.example' \
	    'from rdns.example ([192.0.2.1]:4242 helo=helo.example) by mx with esmtps (Exim 4.96) id 1|192.0.2.1|helo.example|rdns.example' \
	    'from helo.example (rdns.example [192.0.2.1]) by mx (8.17.1/8.17.1) with ESMTP id 1|192.0.2.1|helo.example|rdns.example' \
	    'from rdns.example (HELO helo.example) (192.0.2.1) by mx with SMTP; 7 Dec 2026|192.0.2.1|helo.example|rdns.example' \
	    'from helo.example (192.0.2.1) by EX01.corp.example (10.0.0.1) with Microsoft SMTP Server id 15.1|192.0.2.1|helo.example|'; do
		IFS='|' read -r v ip helo rdns <<<"$l"
		printf 'Received: %s\nSubject: t\n\nx\n' "$v" >m
		parse m
		has "ip=$ip"
		has "helo=$helo"
		if [ -n "$rdns" ]; then has "rdns=$rdns"; else hasnt rdns; fi
	done
}

@test "internal_networks: a trusted relay outside them is the last external hop, lastext=" {
	cat >m <<'EOF'
Received: from backup.friend.example (backup.friend.example [198.51.100.7]) by mx.example.org (Postfix) id 1
Received: from client.example.com (dsl.example.com [192.0.2.9]) by backup.friend.example (Postfix) id 2
Subject: chain

x
EOF
	printf 'trusted_networks = 127.0.0.0/8 198.51.100.7\ninternal_networks = 127.0.0.0/8\n' >"$XD_CONF"
	parse m
	has ip=192.0.2.9
	has lastext=198.51.100.7
	# with no internal_networks, the trusted ones are internal
	echo 'trusted_networks = 127.0.0.0/8 198.51.100.7' >"$XD_CONF"
	parse m
	has ip=192.0.2.9
	hasnt lastext
	: >"$XD_CONF"
	parse m
	has ip=198.51.100.7
	hasnt lastext
}

@test "a message from trusted relays only has no ip, helo, rdns or relays" {
	printf 'Received: from localhost (localhost [127.0.0.1]) by mx (Postfix) id 1\nSubject: local\n\nx\n' >m
	parse m
	hasnt ip
	hasnt helo
	hasnt rdns
	hasnt relays
	has hops=1
}

@test "relays= lists each untrusted address once, at most 20" {
	{
		for i in $(seq 30); do
			printf 'Received: from h%d.example.net (h%d.example.net [192.0.2.%d]) by x (Postfix) id %d\n' "$i" "$i" "$i" "$i"
		done
		printf 'Received: from h1.example.net (h1.example.net [192.0.2.1]) by x (Postfix) id 99\n'
		printf 'Subject: many\n\nx\n'
	} >m
	parse m
	has hops=31
	v=$(field relays "$line")
	[ "$(printf '%s\n' "$v" | tr ',' '\n' | wc -l)" -eq 20 ]
	[[ "$v" == 192.0.2.1,192.0.2.2,* ]]
}

# --- options -----------------------------------------------------------

@test "--label ham and --label spam label every line" {
	plain m
	parse --label ham m
	has label=ham
	parse --label=spam m
	has label=spam
	parse -l spam m
	has label=spam
}

@test "--label path takes ham or spam from the path" {
	mkmaildir corpus/ham
	mkmaildir corpus/spam
	plain corpus/ham/cur/1
	plain corpus/spam/new/2
	plain other
	run xd-parse --label path corpus/ham corpus/spam other
	[ "$status" -eq 0 ]
	[ "$(stream_lines | sed -n 1p | tr '\t' '\n' | grep '^label=')" = label=ham ]
	[ "$(stream_lines | sed -n 2p | tr '\t' '\n' | grep '^label=')" = label=spam ]
	! stream_lines | sed -n 3p | grep -q label=
}

@test "--label with anything else is a usage error" {
	plain m
	run xd-parse --label maybe m
	[ "$status" -eq 2 ]
	[[ "$output" == *"--label"* ]]
}

@test "--rcpt adds the envelope recipient" {
	plain m
	parse --rcpt bob@example.org m
	has rcpt=bob@example.org
	parse -r 'bob+tag@example.org' m
	has rcpt=bob+tag@example.org
}

@test "-h and --help print every option on stdout" {
	for args in -h --help; do
		run --separate-stderr xd-parse $args
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: xd-parse"* ]]
		[[ "$output" == *--label*--rcpt*--version* ]]
	done
}

@test "a private relay above the first public one is passed over" {
	msg m <<'MSG'
Received: from gw.example.net (gw.example.net [10.1.2.3])
	by mx.example.net; Mon, 2 Sep 2002 10:00:02 +0000
Received: from relay.example.net (relay.example.net [192.168.7.7])
	by gw.example.net; Mon, 2 Sep 2002 10:00:01 +0000
Received: from sender.example.com (sender.example.com [203.0.113.5])
	by relay.example.net; Mon, 2 Sep 2002 10:00:00 +0000
From: a@example.com
Subject: s

body
MSG
	line=$(xd-parse m | tail -n 1)
	[ "$(field ip "$line")" = 203.0.113.5 ]
	[ "$(field helo "$line")" = sender.example.com ]
	[ "$(field relays "$line")" = 203.0.113.5 ]
	[ "$(field hops "$line")" = 3 ]
}

@test "no arguments and unknown options print usage and exit 2" {
	for args in "" --bogus; do
		run xd-parse $args
		[ "$status" -eq 2 ]
		[[ "$output" == *"usage: xd-parse"* ]]
	done
}

@test "-V and --version print the version" {
	run xd-parse -V
	[ "$status" -eq 0 ]
	[[ "$output" == "xd-parse (xd) "* ]]
	run xd-parse --version
	[ "$status" -eq 0 ]
}

@test "a broken xd.conf is a usage error" {
	echo 'no_such_key = 1' >"$XD_CONF"
	plain m
	run xd-parse m
	[ "$status" -eq 2 ]
}

# --- inputs ------------------------------------------------------------

@test "N inputs give N lines in argument order" {
	for i in 3 1 2; do plain "m$i"; done
	run xd-parse m3 m1 nothere m2
	[ "$status" -eq 1 ]
	[ "$(stream_lines | cut -f1 | tr '\n' ' ')" = "m3 m1 nothere m2 " ]
}

@test "a maildir: cur/ then new/, names sorted, dot files skipped" {
	mkmaildir md
	for f in b a c; do plain "md/cur/$f"; done
	plain md/new/0
	plain md/cur/.hidden
	plain md/tmp/inprogress
	run xd-parse md/
	[ "$status" -eq 0 ]
	[ "$(stream_lines | cut -f1 | tr '\n' ' ')" = "md/cur/a md/cur/b md/cur/c md/new/0 " ]
}

@test "a maildir's cur/ or new/ named alone is read as a folder" {
	mkmaildir md
	plain md/cur/a
	plain md/new/b
	run xd-parse md/cur md/new/
	[ "$status" -eq 0 ]
	[ "$(stream_lines | cut -f1 | tr '\n' ' ')" = "md/cur/a md/new/b " ]
}

@test "a directory that is not a maildir is an error line" {
	mkdir notmd
	plain notmd/m
	run xd-parse notmd
	[ "$status" -eq 1 ]
	[ "$(stream_lines)" = "$(printf 'notmd\terror=xd-parse:not-a-maildir')" ]
	[[ "$output" == *"xd-parse: notmd: not-a-maildir"* ]]
}

@test "an mbox gives one line per message with offset= and length=" {
	cat >mbox <<'EOF'
From alice@example.net Mon Nov 20 08:01:11 2023
From: alice@example.net
Subject: one
Message-ID: <one@example.net>

first
>From here on, a quoted line.

From bob@example.org  Mon Nov 20 12:30:00 2023
Return-Path: <bounce@example.org>
From: bob@example.org
Subject: two
Message-ID: <two@example.org>

second
From the desk of nobody: not a From_ line, there is no date

From carol@example.com Tue Nov 21 09:00:00 2023
From: carol@example.com
Subject: three
Message-ID: <three@example.com>

third
EOF
	run xd-parse mbox
	[ "$status" -eq 0 ]
	[ "$(stream_lines | wc -l)" -eq 3 ]
	stream_lines >lines
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		off=$(field offset "$l")
		len=$(field length "$l")
		tail -c +"$((off + 1))" mbox | head -c "$len" >msg$n
		head -n 1 msg$n | grep -q '^From '
		id=$(field msgid "$l")
		grep -q "^Message-ID: <$id>" msg$n
		[ "$(tail -c 1 msg$n | od -An -c | tr -d ' ')" = '\n' ]
		! tail -n 1 msg$n | grep -q '^$' || [ "$(tail -c 2 msg$n | od -An -c | tr -d ' ')" != '\n\n' ]
	done <lines
	[ $n -eq 3 ]
	# the envelope sender stands in for a missing Return-Path
	[ "$(field mailfrom "$(sed -n 1p lines)")" = alice@example.net ]
	[ "$(field mailfrom "$(sed -n 2p lines)")" = bounce@example.org ]
	# the size is the message's, without its From_ line
	[ "$(field size "$(sed -n 3p lines)")" -eq "$(($(wc -c <msg3) - $(head -n 1 msg3 | wc -c)))" ]
	# the quoted line and the dateless "From " line stayed in their messages
	grep -q '^>From here on' msg1
	grep -q '^From the desk' msg2
}

@test "a file holding one message after a From_ line is a plain file" {
	plain body
	{ printf 'From env@example.com Thu Aug 22 12:36:23 2002\n'; cat body; } >m
	parse m
	[ "$status" -eq 0 ]
	hasnt offset
	hasnt length
	has mailfrom=alice@example.net
	has size=$(wc -c <body)
}

@test "a From_ line is skipped and its sender kept when there is no Return-Path" {
	printf 'From env@example.com  Thu Aug 22 12:36:23 2002\nFrom: a@example.com\nSubject: s\n\nx\n' >m
	parse m
	has mailfrom=env@example.com
	has from=a@example.com
}

@test "standard input is spooled to a private file that is the locator" {
	export TMPDIR=$BATS_TEST_TMPDIR/spool
	mkdir "$TMPDIR"
	plain m
	run xd-parse - <m
	[ "$status" -eq 0 ]
	loc=$(stream_lines | cut -f1)
	[[ "$loc" == "$TMPDIR"/xd-stdin.* ]]
	cmp m "$loc"
	[ "$(stat -c %a "$loc")" = 600 ]
	line=$(stream_lines)
	has from=alice@example.net
}

@test "standard input holding an mbox gives a line per message" {
	export TMPDIR=$BATS_TEST_TMPDIR
	printf 'From a@x Mon Nov 20 08:01:11 2023\nSubject: 1\n\nx\n\nFrom b@x Mon Nov 20 08:01:12 2023\nSubject: 2\n\ny\n' |
	    { run xd-parse -; [ "$status" -eq 0 ]; [ "$(stream_lines | grep -c '	offset=')" -eq 2 ]; }
}

@test "a message over max_message_size is parsed in part and marked truncated=1" {
	echo 'max_message_size = 4k' >"$XD_CONF"
	plain head
	{ cat head; for i in $(seq 200); do echo "line $i of a long body, long enough"; done; } >m
	parse m
	[ "$status" -eq 0 ]
	has truncated=1
	has size=$(wc -c <m)
	has from=alice@example.net
	plain small
	parse small
	hasnt truncated
}

@test "a message with bare CR line ends is read line by line" {
	printf 'From: a@example.com\rSubject: old mac\rDate: Sun, 19 Nov 2023 15:44:58 +0000\r\rbody\r' >m
	parse m
	[ "$status" -eq 0 ]
	has from=a@example.com
	has 'subject=old mac'
	has date=2023-11-19T15:44:58Z
}

# --- errors and hostile input: one line each, never a hang ----------------

# one_error PATH REASON: xd-parse PATH under a timeout gives exactly
# one line, PATH with error=xd-parse:REASON, exit 1, and names PATH.
one_error() {
	run timeout 20 xd-parse "$1"
	[ "$status" -eq 1 ] || { echo "status $status: $output" >&2; return 1; }
	[ "$(stream_lines)" = "$(printf '%s\terror=xd-parse:%s' "$1" "$2")" ] ||
	    { echo "$output" >&2; return 1; }
	[[ "$output" == *"xd-parse: $1"* ]]
}

# one_line PATH: xd-parse PATH under a timeout gives exactly one sane line.
one_line() {
	run timeout 20 xd-parse "$1"
	[ "$status" -le 1 ] || { echo "status $status" >&2; return 1; }
	[ "$(stream_lines | wc -l)" -eq 1 ]
	line=$(stream_lines)
	[ "${line%%	*}" = "$1" ]
	printf '%s\n' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	[ "${#line}" -lt 100000 ]
}

@test "an empty file is error=xd-parse:empty" {
	: >empty
	one_error empty empty
}

@test "a file holding only a From_ line is empty" {
	printf 'From a@example.com Mon Nov 20 08:01:11 2023\n' >m
	one_error m empty
}

@test "a path that does not exist is unreadable, and says why" {
	one_error nothere unreadable
	[[ "$output" == *"nothere: No such file or directory"* ]]
}

@test "a dangling symbolic link is unreadable" {
	ln -s nowhere dangling
	one_error dangling unreadable
}

@test "a FIFO or device is not-a-file, and is never opened to wait" {
	mkfifo fifo
	one_error fifo not-a-file
	one_error /dev/null not-a-file
}

@test "a directory inside a maildir folder gets an error line, the rest go on" {
	mkmaildir md
	plain md/cur/a
	mkdir md/cur/b
	plain md/cur/c
	run timeout 20 xd-parse md
	[ "$status" -eq 1 ]
	[ "$(stream_lines | cut -f1 | tr '\n' ' ')" = "md/cur/a md/cur/b md/cur/c " ]
	stream_lines | grep -q "^md/cur/b	error=xd-parse:not-a-file$"
}

@test "binary junk with no header is not-mail" {
	head -c 4096 /dev/urandom | tr -d ':\n' >junk
	one_error junk not-mail
}

@test "NUL bytes give one clean line" {
	printf 'From: a@example.com\nSubject: nul\0here\nX-Nul: \0\0\n\nbody\0body\n' >m
	one_line m
	has from=a@example.com
}

@test "a 2 MiB header line gives one line with a bounded value" {
	echo 'max_header_size = 4M' >"$XD_CONF"
	{ printf 'From: a@example.com\nSubject: '; head -c 2097152 /dev/zero | tr '\0' a; printf '\n\nx\n'; } >m
	one_line m
	[ "$(field subject "$line" | wc -c)" -eq 1001 ]
}

@test "a header line past max_header_size is cut with HDR_LIMIT=bytes" {
	{ printf 'From: a@example.com\nSubject: '; head -c 2097152 /dev/zero | tr '\0' a; printf '\n\nx\n'; } >m
	one_line m
	has from=a@example.com
	has HDR_LIMIT=bytes
	[ -z "$(field subject "$line")" ]
}

@test "10,000 MIME parts give one line with limit=parts and no error" {
	{
		printf 'From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n'
		awk 'BEGIN { for (i = 0; i < 10000; i++) printf "--b\nContent-Type: text/plain\n\npart %d\n", i; print "--b--" }'
	} >m
	one_line m
	[ "$status" -eq 0 ]
	has limit=parts
	has MIME_LIMIT_PARTS=1000
	hasnt error
	has parts=1000
	has from=a@example.com
}

@test "multiparts nested 500 deep give one line with limit=depth" {
	{
		printf 'From: a@example.com\nMIME-Version: 1.0\n'
		awk 'BEGIN { for (i = 0; i < 500; i++) printf "Content-Type: multipart/mixed; boundary=n%d\n\n--n%d\n", i, i
			print "Content-Type: text/plain\n\ninner" }'
	} >m
	one_line m
	[ "$status" -eq 0 ]
	has limit=depth
	has MIME_LIMIT_DEPTH=64
	hasnt error
}

@test "a truncated multipart gives its facts" {
	cat >m <<'EOF'
From: a@example.com
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cut"

--cut
Content-Type: text/plain

first part
--cut
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAAAAAAA
--cut
Content-Ty
EOF
	one_line m
	[ "$status" -eq 0 ]
	has parts=3
	has attach=0
}

@test "a line without a colon among the headers is skipped" {
	printf 'From: a@example.com\nthis is no header\nSubject: kept\n\nbody\n' >m
	one_line m
	[ "$status" -eq 0 ]
	has from=a@example.com
	has subject=kept
}

@test "--single: a file with From_ lines in its body is one message" {
	printf 'From s@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: p\n\nSee below.\n\nFrom 3f2a1b0c Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n+the patch\n' >m
	run xd-parse m
	[ "$(stream_lines | wc -l)" -eq 2 ]
	run xd-parse --single m
	[ "$status" -eq 0 ]
	[ "$(stream_lines | wc -l)" -eq 1 ]
	line=$(stream_lines)
	hasnt offset
	has subject=p
	[ "$(field size "$line")" -eq $(( $(wc -c <m) - $(head -n 1 m | wc -c) )) ]
	run xd-parse -1 - <m
	[ "$(stream_lines | wc -l)" -eq 1 ]
	rm -f "$(stream_lines | cut -f1)"
}

@test "a maildir file is one message even when its body looks like an mbox" {
	mkdir -p md/cur md/new
	printf 'From s@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: p\n\nx\n\nFrom b@example.com Mon Jan  1 00:00:00 2024\nFrom: b@example.com\n\ny\n' >md/cur/1.host
	run xd-parse md
	[ "$(stream_lines | wc -l)" -eq 1 ]
	line=$(stream_lines)
	hasnt offset
	has from=a@example.com
}
