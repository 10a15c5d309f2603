#!/usr/bin/env bats
# Header checks: the time in Outlook's Message-IDs, dates hours ahead,
# free mail that its service did not relay (a HELO naming the service
# does not count), unsubscribe text and HTML from no list.

load examples

T=$'\t'

setup_file() {
	examples_run headers
}

@test "HEUR_MSGID_OUTLOOK_TIME: random digits in Outlook's Message-ID; not a real one" {
	fires HEUR_MSGID_OUTLOOK_TIME msgid-outlook-forged.spam
	quiet HEUR_MSGID_OUTLOOK_TIME msgid-outlook-real.ham
}

@test "HEUR_DATE_AHEAD: 8 hours ahead of arrival; not one hour" {
	fires HEUR_DATE_AHEAD date-ahead.spam
	quiet HEUR_DATE_FUTURE date-ahead.spam
	quiet HEUR_DATE_AHEAD date-zone-wrong.ham
}

@test "XD_FREEMAIL_FORGED: a HELO naming the service is not its relay" {
	fires XD_FREEMAIL_FORGED freemail-helo-forged.spam
	fires XD_FREEMAIL_FORGED freemail-gmx-forged.spam
	quiet XD_FREEMAIL_FORGED freemail-real.ham
}

@test "XD_FREEMAIL_FORGED: the other services by the relays they write; never on mail a list passed on" {
	fires XD_FREEMAIL_FORGED freemail-other-forged.spam
	quiet XD_FREEMAIL_FORGED freemail-other-real.ham
	quiet XD_FREEMAIL_FORGED freemail-via-list.ham
}

@test "XD_UNSUB_NO_LIST: removal text without list headers; not a list's" {
	fires XD_UNSUB_NO_LIST unsub-no-list.spam
	quiet XD_UNSUB_NO_LIST unsub-list.ham
}

@test "XD_HTML_ONLY_NO_LIST: HTML only from no list; not a list's" {
	fires XD_HTML_ONLY_NO_LIST html-only-no-list.spam
	quiet XD_HTML_ONLY_NO_LIST html-only-list.ham
}

@test "XD_UCE_BULK: an offer sent in bulk by no list; not the same from a list" {
	fires XD_UCE_BULK uce-bulk.spam
	quiet XD_UCE_BULK uce-bulk-list.ham
}

@test "XD_FREEMAIL_BULK: bulk from a free mail address not relayed by its service" {
	fires XD_FREEMAIL_BULK freemail-bulk.spam
	quiet XD_FREEMAIL_BULK freemail-real.ham
}
