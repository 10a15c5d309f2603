#!/usr/bin/env bats
# SpamAssassin's eval: tests that xd computes or maps onto its own
# checks (xd-rules(5), "Eval tests"): each fires on a message that has
# what it looks for and not on one that lacks it.

load helper

T=$'\t'

# msg [HEADER...]: the message m, with the headers given and a short
# text body; Received:, Date: and Message-ID: only as given.
msg() {
	{
		printf '%s\n' "$@"
		printf 'From: Deals <deals@shop.example.com>\nTo: bob@example.org\n'
		printf 'Subject: your order\n\nIt ships on Monday.\n'
	} >m
}

rcvd() {
	printf 'Received: from %s\n\tby mx.example.org (Postfix) with ESMTP id 1; %s' "$1" "$2"
}

# rules TEXT...: the rule file r.cf, the only one loaded.
rules() {
	printf '%s\n' "$@" >r.cf
	printf 'rules = %s/r.cf\n' "$PWD" >>"$XD_CONF"
}

check() {
	xd-parse -- "$PWD/m" | xd-heur >heur 2>err
	line=$(grep -v '^#' heur)
}

fires() { [[ "$line" == *"${T}$1="* ]]; }
lacks() { [[ "$line" != *"${T}$1="* ]]; }

@test "check_outlook_message_id(): an Outlook Message-ID whose time is neither the Date: nor the arrival" {
	rules 'header SA_OL_ID eval:check_outlook_message_id()'
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')" \
	    'Date: Tue, 14 Nov 2023 22:14:00 +0000' \
	    'Message-ID: <000a01c1d2e3$4f5a6b70$0100a8c0@shop.example.com>'
	check
	fires SA_OL_ID
	fires HEUR_MSGID_OUTLOOK_TIME
	# the time that Outlook writes for that Date:
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')" \
	    'Date: Tue, 14 Nov 2023 22:14:00 +0000' \
	    'Message-ID: <000a01da1747$4f5a6b70$0100a8c0@shop.example.com>'
	check
	lacks SA_OL_ID
}

@test "html_test('font_low_contrast'): text in the colour of its background" {
	rules "rawbody SA_LOW eval:html_test('font_low_contrast')"
	{
		printf 'From: a@shop.example.com\nTo: bob@example.org\nSubject: hi\n'
		printf 'MIME-Version: 1.0\nContent-Type: text/html\n\n'
		printf '<html><body bgcolor="#ffffff"><p>Buy now.</p>'
		printf '<font color="#fefefe">grass meadow river stone cloud</font></body></html>\n'
	} >m
	check
	fires SA_LOW
	sed -i 's/#fefefe/#000000/' m
	check
	lacks SA_LOW
}

@test "check_for_shifted_date(MIN, MAX): the Date: against the nearest Received:, in hours" {
	rules "header SA_AHEAD eval:check_for_shifted_date('6', '12')" \
	    "header SA_PAST eval:check_for_shifted_date('-6', '-3')" \
	    "header SA_FAR eval:check_for_shifted_date(undef, '-96')"
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 10:00:00 +0000')" \
	    'Date: Tue, 14 Nov 2023 18:30:00 +0000'
	check
	fires SA_AHEAD
	lacks SA_PAST
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 10:00:00 +0000')" \
	    'Date: Tue, 14 Nov 2023 05:30:00 +0000'
	check
	fires SA_PAST
	lacks SA_AHEAD
	# the same hour in another zone is no shift; no Date: is none either
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 10:00:00 +0000')" \
	    'Date: Tue, 14 Nov 2023 05:00:00 -0500'
	check
	lacks SA_AHEAD
	lacks SA_PAST
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 10:00:00 +0000')"
	check
	lacks SA_PAST
	lacks SA_FAR
}

@test "check_for_shifted_date: the Received: nearest the Date: counts, not the oldest" {
	rules "header SA_AHEAD eval:check_for_shifted_date('6', '12')"
	msg "$(rcvd 'relay.shop.example (relay.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 18:00:00 +0000')" \
	    "$(rcvd 'pc.shop.example (pc.shop.example [203.0.113.10])' 'Tue, 14 Nov 2023 10:00:00 +0000')" \
	    'Date: Tue, 14 Nov 2023 18:30:00 +0000'
	check
	lacks SA_AHEAD
}

@test "check_for_no_rdns_dotcom_helo(): HELO as a big dotcom from a relay with no reverse name" {
	rules 'header SA_DOTCOM eval:check_for_no_rdns_dotcom_helo()'
	msg "$(rcvd 'mx12.hotmail.com (unknown [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')" \
	    'Date: Tue, 14 Nov 2023 22:14:00 +0000'
	check
	fires SA_DOTCOM
	# a reverse name recorded, or a HELO of no big dotcom
	msg "$(rcvd 'mx12.hotmail.com (mx12.hotmail.com [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')"
	check
	lacks SA_DOTCOM
	msg "$(rcvd 'mail.shop.example (unknown [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')"
	check
	lacks SA_DOTCOM
}

@test "gated_through_received_hdr_remover(): no Received: at all, or ezmlm's own" {
	rules 'header SA_GATED eval:gated_through_received_hdr_remover()'
	msg 'Date: Tue, 14 Nov 2023 22:14:00 +0000'
	check
	fires SA_GATED
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')"
	check
	lacks SA_GATED
	msg 'Received: (qmail 1234 invoked from network); 14 Nov 2023 22:14:58 -0000' \
	    'Mailing-List: contact list-help@lists.example.org; run by ezmlm' \
	    'Delivered-To: mailing list list@lists.example.org'
	check
	fires SA_GATED
}

@test "a meta over SpamAssassin's RDNS_NONE reads HEUR_RCVD_NO_RDNS, its offline meaning" {
	rules 'meta SA_NORDNS_META RDNS_NONE'
	msg "$(rcvd 'bulk.example (unknown [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')"
	check
	fires HEUR_RCVD_NO_RDNS
	fires SA_NORDNS_META
	msg "$(rcvd 'bulk.example (bulk.example [203.0.113.9])' 'Tue, 14 Nov 2023 22:14:58 +0000')"
	check
	lacks SA_NORDNS_META
}

@test "--report names each computed eval under mapped, the others under eval" {
	rules "header SA_AHEAD eval:check_for_shifted_date('6', '12')" \
	    "header SA_BAD eval:check_for_shifted_date('6')" \
	    'header SA_STOCK eval:check_stock_info()'
	msg 'Date: Tue, 14 Nov 2023 22:14:00 +0000'
	xd-heur --report >rep 2>err
	grep -q "^rule${T}SA_AHEAD${T}mapped${T}eval:check_for_shifted_date('6','12')" rep
	grep -q "^rule${T}SA_BAD${T}eval${T}check_for_shifted_date" rep
	grep -q "^rule${T}SA_STOCK${T}eval${T}check_stock_info" rep
}

@test "check_for_shifted_date: the hops of this host above the first from elsewhere do not count" {
	rules "header SA_PAST eval:check_for_shifted_date('-6', '-3')"
	msg 'Received: from localhost (jalapeno [127.0.0.1])
	by home.example.org (Postfix) with ESMTP id D58A716F03; Mon, 30 Sep 2002 13:44:15 +0100' \
	    'Received: from jalapeno [127.0.0.1]
	by localhost with IMAP (fetchmail-5.9.0) for bob@localhost (single-drop); Mon, 30 Sep 2002 13:44:15 +0100' \
	    "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Mon, 30 Sep 2002 09:01:50 +0100')" \
	    'Date: Mon, 30 Sep 2002 08:01:50 -0000'
	check
	lacks SA_PAST
	# relayed from elsewhere four hours after its Date:
	msg "$(rcvd 'mail.shop.example (mail.shop.example [203.0.113.9])' 'Mon, 30 Sep 2002 13:01:50 +0100')" \
	    'Date: Mon, 30 Sep 2002 08:01:50 -0000'
	check
	fires SA_PAST
}
