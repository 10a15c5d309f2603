#!/usr/bin/env bats
# xd-heur: each built-in check with a message written here, the options,
# the errors, and hostile input.  The rule language is t/rules.bats.

load helper

T=$'\t'

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	# the built-in checks alone, unless a test says otherwise
	printf 'rules = none\nstore = %s/store.lmdb\n' "$BATS_TEST_TMPDIR" >"$XD_CONF"
	cd "$BATS_TEST_TMPDIR" || return 1
}

conf() {
	printf '%s\n' "$@" >>"$XD_CONF"
}

# mail FILE [Header: value]...: a plain, well-formed message.  A header
# given replaces the one of that name; "Header:" alone removes it;
# others are added.  $BODY is the body, $CTYPE the Content-Type.
mail() {
	local f=$1 h name
	shift
	local -a defaults=(
	    "Received: from mail.example.net (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1
	for <bob@example.org>; Tue, 14 Nov 2023 22:14:58 +0000"
	    "From: Alice Martin <alice@example.net>"
	    "To: Bob <bob@example.org>"
	    "Subject: Saturday hike"
	    "Message-ID: <20231114221455.GA2211@laptop.example.net>"
	    "Date: Tue, 14 Nov 2023 23:14:55 +0100"
	    "MIME-Version: 1.0"
	    "Content-Type: ${CTYPE:-text/plain; charset=us-ascii}")
	{
		for h in "${defaults[@]}"; do
			name=${h%%:*}
			if given "$name" "$@"; then
				given_value "$name" "$@"
			else
				printf '%s\n' "$h"
			fi
		done
		for h in "$@"; do
			name=${h%%:*}
			is_default "$name" || printf '%s\n' "$h"
		done
		printf '\n%s\n' "${BODY:-Shall we go up the hill on Saturday?  I can bring the map and some lunch for both of us.}"
	} >"$f"
}

given() {
	local name=$1 h
	shift
	for h in "$@"; do
		[ "${h%%:*}" = "$name" ] && return 0
	done
	return 1
}

given_value() {
	local name=$1 h
	shift
	for h in "$@"; do
		if [ "${h%%:*}" = "$name" ] && [ -n "${h#*:}" ]; then
			printf '%s\n' "$h"
		fi
	done
}

is_default() {
	case $1 in
	Received|From|To|Subject|Message-ID|Date|MIME-Version|Content-Type)
		return 0 ;;
	esac
	return 1
}

# heur FILE...: xd-parse then xd-heur; the first line is in $line.
heur() {
	local files=() f
	for f in "$@"; do files+=("$PWD/$f"); done
	xd-parse -- "${files[@]}" >parsed 2>parse.err || true
	run xd-heur <parsed
	line=$(printf '%s\n' "$output" | grep -v '^#' | grep -v '^xd-heur: ' |
	    head -n 1)
}

# has NAME or NAME=VALUE: the field is on $line.
has() {
	case $1 in
	*=*)	printf '%s\n' "$line" | tr '\t' '\n' | grep -qxF -- "$1" ;;
	*)	printf '%s\n' "$line" | tr '\t' '\n' | grep -q "^$1=" ;;
	esac || { echo "no field '$1' in: $line" >&2; return 1; }
}

hasnt() {
	! printf '%s\n' "$line" | tr '\t' '\n' | grep -q "^$1=" ||
	    { echo "field '$1' in: $line" >&2; return 1; }
}

# heur_fields: the HEUR_ fields of $line, one a line.
heur_fields() {
	printf '%s\n' "$line" | tr '\t' '\n' | grep '^HEUR_' || true
}

# --- a clean message --------------------------------------------------

@test "a plain message from a friend has no HEUR_ symbol" {
	mail m
	heur m
	[ "$status" -eq 0 ]
	[ -z "$(heur_fields)" ]
}

# --- Subject ----------------------------------------------------------

@test "HEUR_NO_SUBJECT: no Subject: header, or a blank one" {
	mail m "Subject:"
	heur m
	has HEUR_NO_SUBJECT=
	mail m "Subject:    "
	heur m
	has HEUR_NO_SUBJECT=
}

@test "HEUR_SUBJ_SYMBOLS: a Subject of mostly symbols" {
	mail m 'Subject: $$$ *** !!! $$$ ***'
	heur m
	has HEUR_SUBJ_SYMBOLS
	mail m 'Subject: Re: [list] lunch at 12:30?'
	heur m
	hasnt HEUR_SUBJ_SYMBOLS
}

@test "HEUR_SUBJ_ALL_CAPS: a shouted Subject, not a shouted prefix" {
	mail m 'Subject: AMAZING OFFER FOR YOU TODAY'
	heur m
	has 'HEUR_SUBJ_ALL_CAPS=AMAZING OFFER FOR YOU TODAY'
	mail m 'Subject: RE: FW: [ANNOUNCE] Release notes'
	heur m
	hasnt HEUR_SUBJ_ALL_CAPS
	mail m 'Subject: NASA and ESA'
	heur m
	hasnt HEUR_SUBJ_ALL_CAPS
}

@test "HEUR_SUBJ_BANG: !!! in the Subject" {
	mail m 'Subject: Buy now!!!'
	heur m
	has 'HEUR_SUBJ_BANG=Buy now!!!'
	mail m 'Subject: Really!? Yes!'
	heur m
	hasnt HEUR_SUBJ_BANG
}

# --- From and Reply-To -------------------------------------------------

@test "HEUR_NO_FROM: no From: address" {
	mail m "From:"
	heur m
	has HEUR_NO_FROM=
}

@test "HEUR_FROM_NO_NAME: an address with no display name" {
	mail m "From: alice@example.net"
	heur m
	has HEUR_FROM_NO_NAME=alice@example.net
}

@test "HEUR_FROM_NAME_ADDR: a display name that shows another address" {
	mail m 'From: "service@bank.example" <x9@mailer.example.com>'
	heur m
	has HEUR_FROM_NAME_ADDR=service@bank.example
	mail m 'From: "alice@example.net" <Alice@Example.NET>'
	heur m
	hasnt HEUR_FROM_NAME_ADDR
}

@test "HEUR_REPLYTO_DIFFERS: Reply-To: another registered domain, not a list's" {
	mail m "Reply-To: collect@elsewhere.example.com"
	heur m
	has HEUR_REPLYTO_DIFFERS=elsewhere.example.com
	mail m "Reply-To: alice@home.example.net"
	heur m
	hasnt HEUR_REPLYTO_DIFFERS
	mail m "Reply-To: hikers@lists.example.com" "List-Id: <hikers.lists.example.com>"
	heur m
	hasnt HEUR_REPLYTO_DIFFERS
	mail m "Reply-To: hikers@lists.example.com" "Cc: hikers@lists.example.com"
	heur m
	hasnt HEUR_REPLYTO_DIFFERS
}

# --- Message-ID and Date ------------------------------------------------

@test "HEUR_NO_MSGID and HEUR_MSGID_BAD" {
	mail m "Message-ID:"
	heur m
	has HEUR_NO_MSGID=
	mail m "Message-ID: <no-at-sign.example.net>"
	heur m
	has 'HEUR_MSGID_BAD=<no-at-sign.example.net>'
	mail m "Message-ID: <a b@example.net>"
	heur m
	has HEUR_MSGID_BAD
	mail m "Message-ID: 1234@example.net"
	heur m
	has HEUR_MSGID_BAD
}

@test "HEUR_NO_DATE and HEUR_DATE_BAD: missing, nonsense, out of RFC 5322" {
	mail m "Date:"
	heur m
	has HEUR_NO_DATE=
	mail m "Date: sometime soon"
	heur m
	has 'HEUR_DATE_BAD=sometime soon'
	# a Y2K year, read as 2002: bad, and judged as read
	mail m "Date: Tue, 14 Nov 102 23:14:55 +0100"
	heur m
	has 'HEUR_DATE_BAD=Tue, 14 Nov 102 23:14:55 +0100'
	has HEUR_DATE_PAST
	mail m "Date: Tue, 14 Nov 0102 23:14:55 +0100"
	heur m
	has HEUR_DATE_BAD
	# right in all but its zone: bad, and on time
	mail m "Date: Tue, 14 Nov 2023 23:14:55"
	heur m
	has 'HEUR_DATE_BAD=Tue, 14 Nov 2023 23:14:55'
	hasnt HEUR_DATE_PAST
	hasnt HEUR_DATE_FUTURE
	mail m "Date: Tue, 14 Nov 2023 23:14:55 Central European Time"
	heur m
	has HEUR_DATE_BAD
	mail m "Date: Tue, 14 Nov 2023 23:14:55 -1600"
	heur m
	has HEUR_DATE_BAD
	# the obsolete forms RFC 5322 still allows are not bad
	mail m "Date: 14 Nov 23 23:14 EST (Eastern)"
	heur m
	hasnt HEUR_DATE_BAD
}

@test "HEUR_DATE_FUTURE and HEUR_DATE_PAST: against when the message arrived" {
	mail m "Date: Fri, 17 Nov 2023 23:14:55 +0000"
	heur m
	has HEUR_DATE_FUTURE=72h
	mail m "Date: Sat, 14 Oct 2023 22:14:58 +0000"
	heur m
	has HEUR_DATE_PAST=31d
	# hours of a wrong zone are no future
	mail m "Date: Wed, 15 Nov 2023 08:14:55 +0000"
	heur m
	hasnt HEUR_DATE_FUTURE
	# the date of an archived message is not judged against today
	mail m "Date: Mon, 14 Nov 2011 22:00:00 +0000" \
	    "Received: from mail.example.net (mail.example.net [198.51.100.23])
	by mx.example.org; Mon, 14 Nov 2011 22:05:00 +0000"
	heur m
	[ -z "$(heur_fields)" ]
}

@test "dates are judged against our Received: of the first outside relay" {
	mail m "Date: Tue, 14 Nov 2023 23:14:55 +0100" \
	    "Received: from localhost (localhost [127.0.0.1])
	by mx.example.org (fetchmail); Sat, 25 Nov 2023 09:00:00 +0000
Received: from mail.example.net (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix); Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt HEUR_DATE_PAST
}

@test "a message no server dated is not judged on its date" {
	mail m "Received:" "Date: Mon, 1 Jan 1990 00:00:00 +0000"
	heur m
	hasnt HEUR_DATE_PAST
	hasnt HEUR_DATE_FUTURE
}

# --- relays ---------------------------------------------------------------

@test "HEUR_HELO_IP_MISMATCH: a HELO of an address other than the relay's" {
	mail m "Received: from [203.0.113.9] (unknown [198.51.100.23])
	by mx.example.org (Postfix) with SMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has 'HEUR_HELO_IP_MISMATCH=[203.0.113.9]/198.51.100.23'
	mail m "Received: from [198.51.100.23] (unknown [198.51.100.23])
	by mx.example.org (Postfix) with SMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt HEUR_HELO_IP_MISMATCH
}

@test "HEUR_HELO_OURS: a relay outside that says it is one of our domains" {
	conf "local_domains = example.org"
	mail m "Received: from mx2.example.org (unknown [198.51.100.23])
	by mx.example.org (Postfix) with SMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_HELO_OURS=mx2.example.org
	mail m
	heur m
	hasnt HEUR_HELO_OURS
}

@test "HEUR_HELO_OURS: never without local_domains" {
	mail m "Received: from mx2.example.org (unknown [198.51.100.23])
	by mx.example.org (Postfix) with SMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt HEUR_HELO_OURS
}

@test "HEUR_RCVD_NO_RDNS: our MTA recorded no reverse name, in each MTA's words" {
	local v
	for v in \
	    "from bulk.example (unknown [203.0.113.9]) by mx.example.org (Postfix) with ESMTP id 1" \
	    "from unknown (HELO bulk.example) (203.0.113.9) by mx.example.org with SMTP" \
	    "from [203.0.113.9] (helo=bulk.example) by mx.example.org with esmtp (Exim 4.96) id 1" \
	    "from bulk.example ([203.0.113.9]) by mx.example.org (8.17.1/8.17.1) with ESMTP id 1"; do
		mail m "Received: $v; Tue, 14 Nov 2023 22:14:58 +0000"
		heur m
		has HEUR_RCVD_NO_RDNS=203.0.113.9
	done
	# a name recorded; Exchange and exim's "from NAME ([IP])", which are no verdict
	for v in \
	    "from bulk.example (bulk.example [203.0.113.9]) by mx.example.org (Postfix) with ESMTP id 1" \
	    "from bulk.example ([203.0.113.9]) by EX1.example.org with Microsoft SMTPSVC(6.0.3790.4675)" \
	    "from bulk.example ([203.0.113.9]) by mx.example.org with esmtp (Exim 4.96) id 1"; do
		mail m "Received: $v; Tue, 14 Nov 2023 22:14:58 +0000"
		heur m
		hasnt HEUR_RCVD_NO_RDNS
	done
}

@test "HEUR_RCVD_NO_RDNS: the relay that counts is below fetchmail's line" {
	mail m "Received: from pop.isp.example [198.51.100.20]
	by localhost with POP3 (fetchmail-6.4.37) for <bob@localhost> (single-drop); Tue, 14 Nov 2023 22:15:00 +0000" \
	    "Received: from bulk.example (unknown [203.0.113.9])
	by pop.isp.example (Postfix) with ESMTP id 2; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_RCVD_NO_RDNS=203.0.113.9
}

@test "HEUR_RDNS_DYNAMIC: the recorded name of a home line, by its digits or its network's words" {
	local n
	for n in 203-0-113-9.dyn.isp.example host9.113.0.203.isp.example \
	    cb007109.isp.example adsl-pool12.isp.example \
	    ppp-44.broadband.isp.example static-ip-9.isp.example \
	    cpe-7c-2d.cable.isp.example; do
		mail m "Received: from bulk.example ($n [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
		heur m
		has HEUR_RDNS_DYNAMIC=$n
	done
	# a mail server named by its address, a word in the registered
	# domain, a name of the host's own, no name at all
	for n in mail-203-0-113-9.outbound.isp.example shop9.pool.example \
	    a8-30.smtp-out.isp.example www.cable.example shop.example unknown; do
		mail m "Received: from bulk.example ($n [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
		heur m
		hasnt HEUR_RDNS_DYNAMIC
	done
}

@test "HEUR_RDNS_DYNAMIC: not for mail from a list server" {
	mail m "Received: from lists.example (203-0-113-9.dyn.isp.example [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000" \
	    "List-Id: <users.lists.example>"
	heur m
	hasnt HEUR_RDNS_DYNAMIC
}

@test "HEUR_HELO_NOT_RDNS: a HELO of another domain than the recorded name" {
	mail m "Received: from mail.shop.example (host7.hosting.example [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_HELO_NOT_RDNS=mail.shop.example/host7.hosting.example
	hasnt HEUR_RCVD_NO_RDNS
	mail m "Received: from mx1.shop.example (out3.shop.example [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt HEUR_HELO_NOT_RDNS
}

@test "HEUR_HELO_FORGED_BIG: HELO as a big provider from a host that is not theirs" {
	mail m "Received: from mail.yahoo.com (dsl-9.pool.example [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_HELO_FORGED_BIG=mail.yahoo.com/dsl-9.pool.example
	hasnt HEUR_HELO_NOT_RDNS
	mail m "Received: from gmail.com (unknown [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_HELO_FORGED_BIG=gmail.com/203.0.113.9
	# Google's own host, by a name of the family
	mail m "Received: from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt HEUR_HELO_FORGED_BIG
}

@test "relay marks: mail from a list server is exempt" {
	local h
	for h in "List-Id: <users.lists.example.net>" "X-Mailman-Version: 2.1.39" \
	    "Mailing-List: contact users-help@lists.example.net; run by ezmlm"; do
		mail m "Received: from lists.example.net (unknown [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000" "$h"
		heur m
		hasnt HEUR_RCVD_NO_RDNS
	done
	mail m "Received: from lists.example.net (unknown [203.0.113.9])
	by mx.example.org (Postfix) with ESMTP id 1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has HEUR_RCVD_NO_RDNS
}

@test "HEUR_MANY_HOPS: more Received: headers than max_hops" {
	local r="" i
	for i in $(seq 1 22); do
		r="${r}Received: from h$i.example.net (h$i.example.net [198.51.100.$i])
	by h$((i + 1)).example.net; Tue, 14 Nov 2023 22:14:58 +0000
"
	done
	mail m "Received: ${r#Received: }"
	heur m
	has HEUR_MANY_HOPS=22
	conf "max_hops = 30"
	heur m
	hasnt HEUR_MANY_HOPS
}

@test "HEUR_FROM_OURS_UNTRUSTED: our domain in From:, from outside our networks" {
	conf "local_domains = example.org"
	mail m "From: Bob <bob@example.org>"
	heur m
	has HEUR_FROM_OURS_UNTRUSTED=bob@example.org
	conf "trusted_networks = 127.0.0.0/8 198.51.100.0/24"
	heur m
	hasnt HEUR_FROM_OURS_UNTRUSTED
}

# --- recipients -----------------------------------------------------------

@test "HEUR_RCPT_UNKNOWN: for no one in the users file" {
	printf '# our people\nbob@example.org\ncarol\n' >users
	conf "users = $PWD/users" "local_domains = example.org"
	mail m "To: nobody@example.org"
	heur m
	has HEUR_RCPT_UNKNOWN=nobody@example.org
	mail m "To: carol@example.org"
	heur m
	hasnt HEUR_RCPT_UNKNOWN
	mail m "To: nobody@example.org, Bob <BOB@example.org>"
	heur m
	hasnt HEUR_RCPT_UNKNOWN
	# none of ours at all: a list or Bcc, nothing to say
	mail m "To: hikers@lists.example.com"
	heur m
	hasnt HEUR_RCPT_UNKNOWN
}

@test "HEUR_RCPT_UNKNOWN: the envelope recipient counts" {
	printf 'bob@example.org\n' >users
	conf "users = $PWD/users"
	mail m "To: hikers@lists.example.com"
	xd-parse -r nobody@example.org -- "$PWD/m" >parsed
	run xd-heur <parsed
	line=$(printf '%s\n' "$output" | grep -v '^#')
	has HEUR_RCPT_UNKNOWN=nobody@example.org
	xd-parse -r bob@example.org -- "$PWD/m" >parsed
	run xd-heur <parsed
	line=$(printf '%s\n' "$output" | grep -v '^#')
	hasnt HEUR_RCPT_UNKNOWN
}

@test "HEUR_RCPT_UNKNOWN: never without a users file" {
	mail m "To: nobody@example.org"
	heur m
	hasnt HEUR_RCPT_UNKNOWN
}

@test "a bad line of the users file is a configuration error naming file:line" {
	printf '# ours\nbob@example.org  # Bob\ncarol dave\n@example.org\n' >users
	conf "users = $PWD/users"
	mail m
	heur m
	[ "$status" -eq 2 ]
	[[ "$output" == *"users:3: one address or local part a line"* ]]
	[[ "$output" == *"users:4: expected an address or a local part"* ]]
	[[ "$output" != *"users:2"* ]]
}

@test "a users file that cannot be read is a configuration error" {
	conf "users = $PWD/nosuch"
	mail m
	heur m
	[ "$status" -eq 2 ]
	[[ "$output" == *"nosuch"* ]]
}

# --- replies to our own mail ------------------------------------------------

@test "HEUR_REPLY_TO_SENT: In-Reply-To or References names mail we sent" {
	mkmaildir sent
	mail sent/cur/1.host "Message-ID: <our-1@example.org>"
	mail sent/new/2.host "Message-ID: <our-2@example.org>"
	run xd-heur --learn-sent sent
	[ "$status" -eq 0 ]
	[[ "$output" == "2 messages read, 2 ids learned into "* ]]
	mail m "In-Reply-To: <our-1@example.org>"
	heur m
	has HEUR_REPLY_TO_SENT=our-1@example.org
	mail m "References: <x@else.example> <our-2@example.org>"
	heur m
	has HEUR_REPLY_TO_SENT=our-2@example.org
	mail m "In-Reply-To: <someone-else@example.net>"
	heur m
	hasnt HEUR_REPLY_TO_SENT
}

@test "--learn-sent reads mbox files and single messages too" {
	mail one "Message-ID: <single@example.org>"
	{ printf 'From alice@example.org Tue Nov 14 22:14:58 2023\n'; mail x "Message-ID: <mb-1@example.org>"; cat x
	  printf '\nFrom alice@example.org Tue Nov 14 22:15:58 2023\n'; mail x "Message-ID: <mb-2@example.org>"; cat x; } >mbox
	run xd-heur --learn-sent one mbox
	[ "$status" -eq 0 ]
	[[ "$output" == "3 messages read, 3 ids learned into "* ]]
	mail m "In-Reply-To: <mb-2@example.org>"
	heur m
	has HEUR_REPLY_TO_SENT=mb-2@example.org
}

@test "--learn-sent: a folder that is no maildir, or a missing file, exits 1" {
	mkdir notmd
	run xd-heur --learn-sent notmd
	[ "$status" -eq 1 ]
	[[ "$output" == *"notmd: not a maildir"* ]]
	run xd-heur --learn-sent nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch"* ]]
}

@test "HEUR_SENT_TEMPFAIL: a store that cannot answer says so" {
	conf "store = redis://127.0.0.1:1/0" "store_timeout = 1"
	mail m "In-Reply-To: <our-1@example.org>"
	heur m
	[ "$status" -eq 0 ]
	has HEUR_SENT_TEMPFAIL
	hasnt HEUR_REPLY_TO_SENT
}

# --- HTML -----------------------------------------------------------------

@test "HEUR_HTML_ONLY: HTML with no plain text beside it" {
	CTYPE="text/html; charset=us-ascii" BODY="<html><body><p>Shall we go up the hill on Saturday? I can bring lunch.</p></body></html>" mail m
	heur m
	has HEUR_HTML_ONLY=
	CTYPE='multipart/alternative; boundary="b"' BODY='--b
Content-Type: text/plain

Shall we go up the hill on Saturday? I can bring lunch.
--b
Content-Type: text/html

<p>Shall we go up the hill on Saturday? I can bring lunch.</p>
--b--' mail m
	heur m
	hasnt HEUR_HTML_ONLY
}

html() {
	CTYPE="text/html; charset=us-ascii" BODY="$2" mail "$1"
}

@test "HEUR_HTML_TINY_TEXT: text too small to read" {
	html m '<p>Shall we go up the hill on Saturday? I can bring lunch and the map.</p>
<span style="font-size: 1px">cheap watches cheap watches cheap</span>'
	heur m
	has HEUR_HTML_TINY_TEXT=29
	hasnt HEUR_HTML_HIDDEN_TEXT
}

@test "HEUR_HTML_HIDDEN_TEXT: text a browser does not show" {
	html m '<p>Shall we go up the hill on Saturday? I can bring lunch and the map.</p>
<div style="display:none">random words to fool a filter here</div>'
	heur m
	has HEUR_HTML_HIDDEN_TEXT=28
	html m '<p>Shall we go up the hill on Saturday? I can bring lunch and the map.</p>
<div hidden>random words to fool a filter here</div>'
	heur m
	has HEUR_HTML_HIDDEN_TEXT
}

@test "HEUR_HTML_SAME_COLOR: text in the colour of its background" {
	html m '<body bgcolor="#ffffff"><p>Shall we go up the hill on Saturday? I can bring lunch.</p>
<font color="#FEFEFE">invisible words for the filter</font></body>'
	heur m
	has HEUR_HTML_SAME_COLOR=26
	html m '<table><tr><td style="background-color: black"><span style="color: rgb(0,0,0)">black on black words</span></td></tr></table><p>Shall we go up the hill on Saturday? I can bring lunch.</p>'
	heur m
	has HEUR_HTML_SAME_COLOR
	html m '<body bgcolor="black"><font color="white">Shall we go up the hill on Saturday? I can bring lunch.</font></body>'
	heur m
	hasnt HEUR_HTML_SAME_COLOR
}

@test "HEUR_HTML_IMAGES: pictures and next to no text" {
	html m '<html><body><a href="http://shop.example.com/"><img src="http://shop.example.com/offer.gif"></a><p>Click!</p></body></html>'
	heur m
	has HEUR_HTML_IMAGES=1/6
	html m '<p>Shall we go up the hill on Saturday? Here is the map of the way up, and the view from the top that I took last year, in the morning, when the fog had gone. It is a long walk but worth it, and we could have lunch by the lake before we come back down in the afternoon.</p><p>The path is steep after the bridge, so bring good shoes, and a coat in case the wind turns cold up there. I will bring the tea. We could leave at nine from my place and be back by five, or later if the weather holds and we want to see the sun go down over the hills on the far side. What do you think of it?</p><img src="cid:map"><img src="cid:top">'
	heur m
	hasnt HEUR_HTML_IMAGES
}

# --- size -------------------------------------------------------------------

@test "HEUR_BODY_EMPTY and HEUR_BODY_TINY" {
	BODY=" " mail m
	heur m
	has HEUR_BODY_EMPTY=
	BODY="ok, see you" mail m
	heur m
	has HEUR_BODY_TINY=9
}

@test "HEUR_SIZE_HUGE: bigger than max_message_size" {
	conf "max_message_size = 2k"
	BODY="$(head -c 5000 /dev/zero | tr '\0' x)" mail m
	heur m
	[ "$status" -eq 0 ]
	has HEUR_SIZE_HUGE
}

# --- attachments --------------------------------------------------------------

# attach FILE NAME TYPE DATAFILE: a message with one attachment.
attach() {
	CTYPE='multipart/mixed; boundary="b"' BODY="--b
Content-Type: text/plain

Here is the file I promised, have a look when you can.
--b
Content-Type: $3; name=\"$2\"
Content-Disposition: attachment; filename=\"$2\"
Content-Transfer-Encoding: base64

$(base64 <"$4")
--b--" mail "$1"
}

@test "HEUR_ATTACH_RESTRICTED: a program attached, by name or by type" {
	printf 'MZ not really a program' >data
	attach m invoice.pdf.exe application/octet-stream data
	heur m
	has HEUR_ATTACH_RESTRICTED=invoice.pdf.exe
	attach m "setup.scr. " application/octet-stream data
	heur m
	has HEUR_ATTACH_RESTRICTED
	attach m tool.bin application/x-msdownload data
	heur m
	has HEUR_ATTACH_RESTRICTED=tool.bin
	attach m report.pdf application/pdf data
	heur m
	hasnt HEUR_ATTACH_RESTRICTED
}

@test "HEUR_ATTACH_WEBPAGE: a web page attached, to open in a browser" {
	printf '<html><form action="https://login.example.com/"></form></html>' >data
	attach m Invoice_0931.HTML text/html data
	heur m
	has HEUR_ATTACH_WEBPAGE=Invoice_0931.HTML
	hasnt HEUR_ATTACH_RESTRICTED
	attach m "scan.svg. " image/svg+xml data
	heur m
	has HEUR_ATTACH_WEBPAGE
	attach m report.pdf application/pdf data
	heur m
	hasnt HEUR_ATTACH_WEBPAGE
}

@test "restricted_attachments sets the names" {
	printf 'data' >data
	conf "restricted_attachments = pdf .doc"
	attach m report.pdf application/pdf data
	heur m
	has HEUR_ATTACH_RESTRICTED=report.pdf
	attach m letter.DOC application/msword data
	heur m
	has HEUR_ATTACH_RESTRICTED=letter.DOC
	attach m invoice.exe application/octet-stream data
	heur m
	hasnt HEUR_ATTACH_RESTRICTED
}

# zip OUT NAME...: a zip archive of small files of those names.
zip() {
	python3 - "$@" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n in sys.argv[2:]:
        if n.startswith("@"):
            z.write(n[1:], n[1:])
        else:
            z.writestr(n, "content of " + n)
PY
}

@test "HEUR_ATTACH_ZIP_RESTRICTED: a program inside an attached zip" {
	zip a.zip readme.txt payload.js
	attach m docs.zip application/zip a.zip
	heur m
	has HEUR_ATTACH_ZIP_RESTRICTED=docs.zip:payload.js
	hasnt HEUR_ATTACH_RESTRICTED
	zip b.zip readme.txt photo.jpg
	attach m photos.zip application/x-zip-compressed b.zip
	heur m
	hasnt HEUR_ATTACH_ZIP_RESTRICTED
}

@test "HEUR_ATTACH_ZIP_RESTRICTED: a program in a zip in a zip" {
	zip inner.zip run.exe
	zip outer.zip readme.txt @inner.zip
	attach m outer.zip application/octet-stream outer.zip
	heur m
	has HEUR_ATTACH_ZIP_RESTRICTED=outer.zip:run.exe
}

@test "HEUR_ATTACH_ZIP_ENCRYPTED: an attached zip with a password" {
	zip plain.zip secret.txt
	# set the "encrypted" flag of the local and the central header
	python3 - <<'PY'
d = bytearray(open("plain.zip", "rb").read())
d[6] |= 1
c = d.find(b"PK\x01\x02")
d[c + 8] |= 1
open("locked.zip", "wb").write(d)
PY
	attach m locked.zip application/zip locked.zip
	heur m
	has HEUR_ATTACH_ZIP_ENCRYPTED=locked.zip
}

@test "a damaged zip is not an error" {
	head -c 3000 /dev/urandom >junk.zip
	attach m junk.zip application/zip junk.zip
	heur m
	[ "$status" -eq 0 ]
	hasnt HEUR_ATTACH_ZIP_RESTRICTED
}

# --- languages ------------------------------------------------------------------

@test "HEUR_CHARSET_UNEXPECTED: a charset local_languages does not expect" {
	conf "local_languages = en de"
	CTYPE="text/plain; charset=koi8-r" mail m
	heur m
	has HEUR_CHARSET_UNEXPECTED=koi8-r
	mail m "Subject: =?big5?B?pKSk5Q==?="
	heur m
	has HEUR_CHARSET_UNEXPECTED=big5
	CTYPE="text/plain; charset=iso-8859-1" mail m
	heur m
	hasnt HEUR_CHARSET_UNEXPECTED
}

@test "HEUR_CHARSET_UNEXPECTED: a language that takes the charset" {
	conf "local_languages = en ru"
	CTYPE="text/plain; charset=koi8-r" mail m
	heur m
	hasnt HEUR_CHARSET_UNEXPECTED
}

@test "HEUR_SCRIPT_UNEXPECTED: text in a script local_languages does not expect" {
	conf "local_languages = en"
	CTYPE="text/plain; charset=utf-8" BODY="Здравствуйте! Мы предлагаем лучшие цены на все товары этой недели." mail m
	heur m
	has HEUR_SCRIPT_UNEXPECTED=cyrillic
	conf "local_languages = ru_RU"
	heur m
	hasnt HEUR_SCRIPT_UNEXPECTED
}

@test "no language checks without local_languages" {
	CTYPE="text/plain; charset=koi8-r" mail m
	heur m
	hasnt HEUR_CHARSET_UNEXPECTED
	CTYPE="text/plain; charset=utf-8" BODY="Здравствуйте! Мы предлагаем лучшие цены на все товары этой недели." mail m
	heur m
	hasnt HEUR_SCRIPT_UNEXPECTED
}

@test "local_languages that are not language codes are a configuration error" {
	conf "local_languages = english"
	mail m
	heur m
	[ "$status" -eq 2 ]
	[[ "$output" == *"local_languages"* ]]
}

# --- rules ------------------------------------------------------------------------

@test "HEUR_RULE_LIMIT: a pattern that backtracks without end stops, and says so" {
	printf 'body SLOW_RULE /(a+)+$/\nbody FAST_RULE /aaa/\n' >slow.cf
	conf "rules = $PWD/slow.cf"
	BODY="$(head -c 5000 /dev/zero | tr '\0' a)b" mail m
	heur m
	[ "$status" -eq 0 ]
	has HEUR_RULE_LIMIT=SLOW_RULE
	has FAST_RULE
	hasnt SLOW_RULE
	[[ "$output" == *"slow.cf:1: SLOW_RULE: the pattern hit the match limit"* ]]
}

@test "the shipped rules are loaded by default, with no complaint" {
	: >"$XD_CONF"
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m 'Subject: ADV: lowest prices' 'To: undisclosed-recipients:;'
	heur m
	[ "$status" -eq 0 ]
	has XD_SUBJ_ADV
	has XD_TO_UNDISCLOSED
	[[ "$output" != *"xd-heur:"* ]]
}

@test "HEUR_MIME_QP_LONG: quoted-printable lines beyond RFC 2045's 76 characters" {
	long=$(printf 'word%.0s ' $(seq 1 20))
	BODY="$long" mail m "Content-Transfer-Encoding: quoted-printable"
	heur m
	has HEUR_MIME_QP_LONG=100
	# the same text as a mail library writes it: soft line breaks
	BODY="$(printf '%s' "$long" | fold -w 70 | sed 's/$/=/')" \
	    mail m "Content-Transfer-Encoding: quoted-printable"
	heur m
	hasnt HEUR_MIME_QP_LONG
	# long lines are no fault of 8bit text
	BODY="$long" mail m "Content-Transfer-Encoding: 8bit"
	heur m
	hasnt HEUR_MIME_QP_LONG
}

@test "shipped rules: mail that names Outlook, or wears its Message-ID, without its marks" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	oe="X-Mailer: Microsoft Outlook Express 6.00.2600.0000"
	mimeole="X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2600.0000"
	msid="Message-ID: <001a01c24a57\$e0b23c20\$0100a8c0@pc1>"
	# what Outlook Express writes
	mail m "$oe" "$mimeole" "$msid"
	heur m
	hasnt XD_MUA_OE_MSGID
	hasnt XD_MUA_OE_NO_MIMEOLE
	hasnt XD_MSGID_MS_NO_MUA
	# Hotmail's own Message-ID on what Outlook Express sent through it
	mail m "$oe" "$mimeole" "Message-ID: <OE27Xyz0123456789abc@hotmail.com>"
	heur m
	hasnt XD_MUA_OE_MSGID
	# Outlook in Internet Mail Only mode
	mail m "X-Mailer: Microsoft Outlook IMO, Build 9.0.2416 (9.0.2911.0)" \
	    "Message-ID: <AMEPKEBLDJJCCDEJHAMIAEHLFGAA.alice@example.net>"
	heur m
	hasnt XD_MUA_OUTLOOK_MSGID
	# ratware
	mail m "$oe" "Message-ID: <200207240650.g6O6nxp17619@mx.example.org>"
	heur m
	has XD_MUA_OE_MSGID
	has XD_MUA_OE_NO_MIMEOLE
	mail m "X-Mailer: Microsoft Outlook, Build 10.0.2627" \
	    "Message-ID: <20020724.abc@example.net>"
	heur m
	has XD_MUA_OUTLOOK_MSGID
	mail m "$msid"
	heur m
	has XD_MSGID_MS_NO_MUA
	mail m "$msid" "X-Mailer: Microsoft Outlook, Build 10.0.2627"
	heur m
	hasnt XD_MSGID_MS_NO_MUA
	hasnt XD_MUA_OUTLOOK_MSGID
}

@test "shipped rules: XD_RCVD_HELO_NO_DOT, a relay that gave a bare name" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "Received: from pc17 (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has XD_RCVD_HELO_NO_DOT
	mail m
	heur m
	hasnt XD_RCVD_HELO_NO_DOT
	mail m "Received: from [198.51.100.23] (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt XD_RCVD_HELO_NO_DOT
	hasnt XD_RCVD_HELO_BARE_IP
	mail m "Received: from 198.51.100.23 (mail.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has XD_RCVD_HELO_BARE_IP
}

@test "shipped rules: XD_RCVD_HELO_BIG_NAME, a HELO as a big mail service from elsewhere" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "Received: from mx1.hotmail.com (dsl-17.example.net [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	has XD_RCVD_HELO_BIG_NAME
	mail m "Received: from mx1.hotmail.com (bay0-omc1-s17.bay0.hotmail.com [198.51.100.23])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt XD_RCVD_HELO_BIG_NAME
}

@test "shipped rules: XD_FREEMAIL_FORGED, From: a free mail service that did not relay it" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "From: Ann <ann1977@yahoo.com>"
	heur m
	has XD_FREEMAIL_FORGED
	mail m "From: Ann <ann1977@yahoo.com>" "Received: from web20101.mail.yahoo.com (web20101.mail.yahoo.com [216.136.226.166])
	by mx.example.org (Postfix) with SMTP id 4SZZ2; Tue, 14 Nov 2023 22:14:58 +0000"
	heur m
	hasnt XD_FREEMAIL_FORGED
	mail m "From: <joe@hotmail.com>"
	heur m
	has XD_FREEMAIL_FORGED
	mail m
	heur m
	hasnt XD_FREEMAIL_FORGED
}

@test "shipped rules: XD_FROM_BRAND_ELSEWHERE, a brand's name at another domain" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m 'From: "PayPal Security" <alert@secure-pp-verify.example>'
	heur m
	has XD_FROM_BRAND_ELSEWHERE
	mail m 'From: PayPal <service@paypal.com>'
	heur m
	hasnt XD_FROM_BRAND_ELSEWHERE
	mail m 'From: "Microsoft account team" <account-security-noreply@accountprotection.microsoft.com>'
	heur m
	hasnt XD_FROM_BRAND_ELSEWHERE
	# a newsletter about a brand is not the brand
	mail m 'From: Lockergnome Apple Core <subscriptions@lockergnome.example>'
	heur m
	hasnt XD_FROM_BRAND_ELSEWHERE
}

@test "shipped rules: XD_REPLYTO_FREEMAIL, replies to a free mailbox from a company's From:" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "Reply-To: <barrister.kofi@yahoo.co.uk>"
	heur m
	has XD_REPLYTO_FREEMAIL
	mail m "From: Ann <ann@gmail.com>" "Reply-To: <ann.b@yahoo.com>"
	heur m
	hasnt XD_REPLYTO_FREEMAIL
	mail m "Reply-To: <alice@example.net>"
	heur m
	hasnt XD_REPLYTO_FREEMAIL
}

@test "shipped rules: XD_DEAR_STRANGER, a greeting for nobody in particular" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	for greeting in "Dear Sir," "Dear Sir/Madam," "Dear Friend," "Hello beneficiary"; do
		BODY="$greeting
I write to you with a proposal." mail m
		heur m
		has XD_DEAR_STRANGER
	done
	BODY="Dear Sirius,
the telescope is ready." mail m
	heur m
	hasnt XD_DEAR_STRANGER
}

@test "shipped rules: XD_ADVANCE_FEE, two signs of an advance-fee fraud" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	BODY="I am Mr. Eduardo Lima, a commander.  I deposited the sum of thirty
two million USD with a security company, and offer you 20% of the total
sum for your help." mail m
	heur m
	has XD_ADVANCE_FEE
	# one sign alone is news
	BODY="The deal was worth the sum of thirty two million dollars." mail m
	heur m
	hasnt XD_ADVANCE_FEE
}

@test "shipped rules: XD_EXTORTION, bitcoin with a threat" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	BODY="I recorded you through your webcam.  Send 1200 USD in Bitcoin to
1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 within 48 hours." mail m
	heur m
	has XD_EXTORTION
	# a receipt names an address, but threatens nobody
	BODY="Your Bitcoin withdrawal to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 is complete." mail m
	heur m
	hasnt XD_EXTORTION
}

@test "shipped rules: XD_GUARANTEE and XD_URGENT_BUSINESS" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	BODY="Order today with our money-back guarantee." mail m
	heur m
	has XD_GUARANTEE
	BODY="I need your urgent assistance in a matter of trust." mail m
	heur m
	has XD_URGENT_BUSINESS
	mail m
	heur m
	hasnt XD_GUARANTEE
	hasnt XD_URGENT_BUSINESS
}

@test "shipped rules: a tracking code at the end of Subject:, not a folded line" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "Subject: I thought it was important          YMF"
	heur m
	has XD_SUBJ_TRAILING_ID
	mail m "Subject: Re: use of base image / delta image for automated recovery from
        attacks"
	heur m
	hasnt XD_SUBJ_TRAILING_ID
}

@test "shipped rules: XD_MAILER_RANDOM, an X-Mailer of one random word" {
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail m "X-Mailer: fNthRC4yresSVXVvrmumpAEY"
	heur m
	has XD_MAILER_RANDOM
	for x in "Microsoft Outlook Express 6.00.2600.0000" "Evolution" \
	    "Apple Mail (2.1085)" "SquirrelMail/1.4.22"; do
		mail m "X-Mailer: $x"
		heur m
		hasnt XD_MAILER_RANDOM
	done
}

@test "share/weights weighs every shipped rule and every built-in symbol" {
	: >"$XD_CONF"
	run --separate-stderr xd-heur --weights
	[ "$status" -eq 0 ]
	# what it prints uncommented is what the weights file lacks
	[ -z "$(printf '%s\n' "$output" | grep -v '^#')" ]
	[ "$(printf '%s\n' "$output" | grep -c '(the weights file has it)')" -gt 40 ]
	for s in $(grep -o '^\.It Sy HEUR_[A-Z_]*' "$REPO/man/xd-heur.1" |
	    cut -d' ' -f3); do
		grep -q "^$s[[:space:]]" "$REPO/share/weights" || {
			echo "share/weights lacks $s"; return 1; }
	done
}

# --- the stream -----------------------------------------------------------------

@test "running it twice is running it once" {
	mail m 'Subject: BUY NOW!!!' "Message-ID:"
	heur m
	printf '%s\n' "$output" >once
	run xd-heur <once
	printf '%s\n' "$output" >twice
	cmp once twice
}

@test "foreign fields pass, earlier HEUR_ fields are replaced" {
	mail m
	printf '#xd-stream 1\n%s\tzz=1\tHEUR_OLD=x\tRBL_X=1\terror=xd-heur:old\n' "$PWD/m" >in
	run xd-heur <in
	[ "$status" -eq 0 ]
	[ "$output" = "#xd-stream 1
$PWD/m${T}zz=1${T}RBL_X=1" ]
}

@test "a message that cannot be read: error=xd-heur:unreadable and a diagnostic" {
	printf '#xd-stream 1\n%s/nosuch\tzz=1\n' "$PWD" >in
	run xd-heur <in
	[ "$status" -eq 1 ]
	[[ "$output" == *"$PWD/nosuch${T}zz=1${T}error=xd-heur:unreadable"* ]]
	[[ "$output" == *"xd-heur: $PWD/nosuch: unreadable"* ]]
}

@test "a damaged stream line gets its error and the next line its check" {
	mail m "Message-ID:"
	printf '#xd-stream 1\nbad\tno equals\n%s\n' "$PWD/m" >in
	run xd-heur <in
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad${T}no equals${T}error=xd-heur:bad-field"* ]]
	[[ "$output" == *"$PWD/m${T}HEUR_NO_MSGID="* ]]
}

@test "a message inside an mbox, by offset= and length=" {
	{ printf 'From a@example.net Tue Nov 14 22:14:58 2023\n'; mail x; cat x
	  printf '\nFrom a@example.net Tue Nov 14 22:15:58 2023\n'; mail x "Message-ID:"; cat x; } >mbox
	xd-parse -- "$PWD/mbox" >parsed
	run xd-heur <parsed
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'HEUR_NO_MSGID=')" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -v '^#' | sed -n 2p | grep -c 'HEUR_NO_MSGID=')" -eq 1 ]
}

# --- options ----------------------------------------------------------------------

@test "--help lists every option on stdout" {
	run xd-heur --help
	[ "$status" -eq 0 ]
	for o in --rules --check --list --weights --verbose --learn-sent --progress --help --version; do
		[[ "$output" == *"$o"* ]]
	done
}

@test "a bad option, or arguments without --learn-sent, is a usage error" {
	run xd-heur --nosuch
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage:"* ]]
	run xd-heur somefile
	[ "$status" -eq 2 ]
	run xd-heur --learn-sent
	[ "$status" -eq 2 ]
	run xd-heur --check --list
	[ "$status" -eq 2 ]
	run xd-heur --progress many
	[ "$status" -eq 2 ]
}

@test "--version" {
	run xd-heur --version
	[ "$status" -eq 0 ]
	[[ "$output" == "xd-heur (xd) "* ]]
}

@test "--progress shows progress on stderr, the stream is unchanged" {
	mail m
	xd-parse -- "$PWD/m" >parsed
	xd-heur <parsed >plain.out
	xd-heur --progress 1 <parsed >progress.out 2>progress.err
	cmp plain.out progress.out
	grep -q '1/1 messages' progress.err
}

@test "a bad xd.conf is a configuration error" {
	conf "max_hops = many"
	run xd-heur </dev/null
	[ "$status" -eq 2 ]
}

# --- hostile input ----------------------------------------------------------------

@test "hostile messages end with one line each, never a hang" {
	sh "$REPO/t/gen-hostile.sh" all hostile
	for k in empty junk longsubject longheader manyparts deepnest truncated nul manyreceived hugebody; do
		printf '%s\n' "$PWD/hostile/$k"
	done >files
	xd-parse -- $(cat files) >parsed 2>/dev/null || true
	: >"$XD_CONF"
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	run timeout 120 xd-heur <parsed
	[ "$status" -le 1 ]
	[ "$(printf '%s\n' "$output" | grep -c "^$PWD/hostile/")" -eq 10 ]
}

@test "a 1 MiB URL, 100,000 links and HTML nested 100,000 deep end in bounded time" {
	html url "<a href=\"http://example.com/$(head -c 1048576 /dev/zero | tr '\0' a)\">x</a> <p>Shall we go up the hill on Saturday?</p>"
	html links "$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "<a href=\"http://h%d.example.com/\">l%d</a>\n", i, i }')"
	html deep "$(awk 'BEGIN { for (i = 0; i < 100000; i++) printf "<div><font color=red>"; print "deep text"; for (i = 0; i < 100000; i++) printf "</font></div>" }')"
	: >"$XD_CONF"
	printf 'store = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	heur url links deep
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c "^$PWD/")" -eq 3 ]
}
