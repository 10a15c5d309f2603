#!/usr/bin/env bats
# Tricks of today's spam: phone forms, offer words spelt apart or in
# digits, free hosting behind a lure, a lure in the Subject; text in no
# declared charset; the recipient's address after a link's '#'.
# Each rule of share/rules/85_xd_tricks.cf catches its example of spam,
# t/examples/tricks/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	examples_run tricks
}

@test "every rule of 85_xd_tricks.cf fires on its spam example and not on its ham one" {
	run every_rule 85_xd_tricks.cf
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "XD_URI_FREE_HOST: a page on free hosting is no phishing without a lure" {
	fires XD_URI_FREE_HOST XD_PHISH_FREE_HOST.ham
	quiet XD_PHISH_FREE_HOST XD_PHISH_FREE_HOST.ham
	fires XD_URI_FREE_HOST XD_PHISH_FREE_HOST.spam
}

@test "HEUR_CHARSET_UNDECLARED: a Subject in raw GB2312, a text part in Latin-1 with no charset" {
	fires HEUR_CHARSET_UNDECLARED charset-undeclared.spam
	[ "$(field HEUR_CHARSET_UNDECLARED "$(example_line charset-undeclared.spam)")" = Subject ]
	fires HEUR_CHARSET_UNDECLARED charset-undeclared-body.spam
	[ "$(field HEUR_CHARSET_UNDECLARED "$(example_line charset-undeclared-body.spam)")" = text/plain ]
}

@test "HEUR_CHARSET_UNDECLARED: not a declared charset, raw UTF-8, nor one pound sign in a Subject" {
	quiet HEUR_CHARSET_UNDECLARED charset-declared.ham
	quiet HEUR_CHARSET_UNDECLARED charset-utf8-raw.ham
}

@test "HEUR_URL_RCPT_FRAGMENT: the recipient's address after '#', in base64 or plain" {
	fires HEUR_URL_RCPT_FRAGMENT rcpt-fragment-b64.spam
	fires HEUR_URL_RCPT_FRAGMENT rcpt-fragment-plain.spam
	[ "$(field HEUR_URL_RCPT_FRAGMENT "$(example_line rcpt-fragment-plain.spam)")" = bob@example.org ]
}

@test "HEUR_URL_RCPT_FRAGMENT: not an application's route after '#', nor the address in a query" {
	quiet HEUR_URL_RCPT_FRAGMENT rcpt-route.ham
}

@test "HEUR_ATTACH_ZIP_RESTRICTED: a program in a tar.gz, as in a zip; not a tarball of source" {
	fires HEUR_ATTACH_ZIP_RESTRICTED attach-targz-exe.spam
	[ "$(field HEUR_ATTACH_ZIP_RESTRICTED "$(example_line attach-targz-exe.spam)")" = Invoice_20931.tar.gz:Invoice_20931.pdf.exe ]
	quiet HEUR_ATTACH_ZIP_RESTRICTED attach-targz-src.ham
	quiet HEUR_ATTACH_RESTRICTED attach-targz-src.ham
}

@test "a web page attached as application/octet-stream is read as HTML: its script and its redirect are seen" {
	fires HEUR_ATTACH_WEBPAGE XD_WEBPAGE_REDIRECT.spam
	fires XD_WEBPAGE_REDIRECT XD_WEBPAGE_REDIRECT.spam
	fires XD_WEBPAGE_SCRIPT XD_WEBPAGE_SCRIPT.spam
	fires HEUR_ATTACH_WEBPAGE XD_WEBPAGE_REDIRECT.ham
	quiet XD_WEBPAGE_SCRIPT XD_WEBPAGE_REDIRECT.ham
}

@test "HEUR_URL_RCPT: the recipient's address in a link's query is said apart from one after '#'" {
	fires HEUR_URL_RCPT XD_PHISH_RCPT_LINK.spam
	quiet HEUR_URL_RCPT_FRAGMENT XD_PHISH_RCPT_LINK.spam
	fires HEUR_URL_RCPT rcpt-route.ham
	fires HEUR_URL_RCPT XD_PHISH_RCPT_LINK.ham
	quiet HEUR_URL_RCPT rcpt-fragment-plain.spam
}

@test "XD_ATTACH_LURE: a program in a zip with text that says to open it; not an ordinary document" {
	fires HEUR_ATTACH_ZIP_RESTRICTED XD_ATTACH_LURE.spam
	quiet HEUR_ATTACH_MACRO XD_ATTACH_LURE.ham
}

@test "HEUR_CHARSET_UNUSED: gb2312 declared on text all ASCII; not ISO-2022-JP, which writes Japanese in 7 bits" {
	fires HEUR_CHARSET_UNUSED charset-unused.spam
	[ "$(field HEUR_CHARSET_UNUSED "$(example_line charset-unused.spam)")" = gb2312 ]
	quiet HEUR_CHARSET_UNUSED charset-iso2022.ham
	quiet HEUR_CHARSET_UNUSED charset-declared.ham
}

@test "HEUR_URL_NOT_SENDER: no link to the domain of From:; a link to a host of it is one" {
	fires HEUR_URL_NOT_SENDER XD_PHISH_LINK_ELSEWHERE.spam
	[ "$(field HEUR_URL_NOT_SENDER "$(example_line XD_PHISH_LINK_ELSEWHERE.spam)")" = storage-upgrade.example ]
	quiet HEUR_URL_NOT_SENDER XD_PHISH_LINK_ELSEWHERE.ham
}

@test "HEUR_ATTACH_RESTRICTED: a OneNote notebook is restricted by default, as malware sent them in 2023" {
	fires HEUR_ATTACH_RESTRICTED attach-onenote.spam
	[ "$(field HEUR_ATTACH_RESTRICTED "$(example_line attach-onenote.spam)")" = Invoice_3381.one ]
	fires XD_ATTACH_LURE attach-onenote.spam
}

@test "a voicemail from the site's own phone system is ham, though its Subject is that of a lure" {
	run xd check -q "$EX_DIR/voicemail-pbx.ham"
	[ "$status" -eq 0 ]
	[[ "$output" == *"${T}class=ham"* ]]
	quiet XD_FROM_SERVICE_NAME voicemail-pbx.ham
	quiet XD_PHISH_LURE voicemail-pbx.ham
}

# class FILE: the class xd check gives example FILE, untrained, offline.
class() {
	xd check -q "$EX_DIR/$1" | sed -n "s/.*${T}class=\([a-z]*\)\$/\1/p"
}

@test "phishing of 2022-26: an attached login page, a page that jumps to data:, a QR code for the MFA, a voicemail page, HR from outside are spam; their look-alikes are ham" {
	for f in XD_WEBPAGE_LURE.spam XD_WEBPAGE_DATA_JUMP.spam \
	    XD_PHISH_QR_IMAGE.spam XD_VOICEMAIL_ATTACH.spam \
	    XD_PHISH_DEPT_ELSEWHERE.spam; do
		[ "$(class "$f")" = spam ] || { echo "$f: not spam"; return 1; }
	done
	for f in XD_WEBPAGE_LURE.ham XD_WEBPAGE_DATA_JUMP.ham \
	    XD_PHISH_QR_IMAGE.ham XD_VOICEMAIL_ATTACH.ham \
	    XD_PHISH_DEPT_ELSEWHERE.ham voicemail-pbx.ham; do
		[ "$(class "$f")" = ham ] || { echo "$f: not ham"; return 1; }
	done
}

@test "XD_URI_FREE_HOST: a page in a cloud storage bucket, not an image there; XD_PHISH_QR_IMAGE: a QR code in an attached PDF" {
	fires XD_URI_FREE_HOST phish-bucket.spam
	fires XD_PHISH_FREE_HOST phish-bucket.spam
	quiet XD_URI_FREE_HOST bucket-image.ham
	fires XD_PHISH_QR_IMAGE phish-qr-pdf.spam
	[ "$(class phish-bucket.spam)" = spam ]
	[ "$(class phish-qr-pdf.spam)" = spam ]
}
