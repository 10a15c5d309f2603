#!/usr/bin/env bats
# Credential phishing: lures, login forms, script links, look-alike hosts.
# Each rule of share/rules/60_xd_phish.cf catches its example of spam,
# t/examples/phish/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	examples_run phish
}

@test "every rule of 60_xd_phish.cf fires on its spam example and not on its ham one" {
	run every_rule 60_xd_phish.cf
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "HEUR_URL_LOOKALIKE: a Cyrillic a, a digit, rn for m; not the brands' own hosts" {
	fires HEUR_URL_LOOKALIKE lookalike-cyrillic.spam
	fires HEUR_URL_LOOKALIKE lookalike-digit.spam
	fires HEUR_URL_LOOKALIKE lookalike-rn.spam
	quiet HEUR_URL_LOOKALIKE lookalike-real.ham
	quiet HEUR_FROM_LOOKALIKE lookalike-real.ham
}

@test "HEUR_URL_LOOKALIKE: words that hold a brand or its look (purchase, modern, applebees) are not look-alikes" {
	quiet HEUR_URL_LOOKALIKE lookalike-words.ham
}

@test "HEUR_FROM_LOOKALIKE: From: a domain spelt like a brand's" {
	fires HEUR_FROM_LOOKALIKE lookalike-digit.spam
	[ "$(field HEUR_FROM_LOOKALIKE "$(example_line lookalike-digit.spam)")" = microsoft:rnicrosoft.example ]
}

@test "XD_PHISH_LURE: a declined payment, a wallet's recovery phrase, a QR code for the account" {
	fires XD_PHISH_LURE phish-payment.spam
	fires XD_PHISH_PRESSURE phish-payment.spam
	fires XD_PHISH_LURE phish-wallet.spam
	fires XD_PHISH_LURE phish-qr.spam
	quiet XD_PHISH_LURE XD_PHISH_LURE.ham
}

@test "HEUR_ATTACH_MACRO: a document with macros; not a plain .docx" {
	fires HEUR_ATTACH_MACRO attach-macro.spam
	quiet HEUR_ATTACH_MACRO attach-docx.ham
}

@test "HEUR_ATTACH_RESTRICTED: a disk image (.iso) is restricted by default" {
	fires HEUR_ATTACH_RESTRICTED attach-iso.spam
}

@test "XD_PHISH_LURE: the lures of today with their buttons: keep the password, upgrade the quota, review and sign, pay the redelivery fee, verify the wallet" {
	fires XD_PHISH_LURE phish-pwexpiry.spam
	fires XD_PHISH_LURE phish-quota.spam
	fires XD_PHISH_LURE phish-docusign.spam
	fires XD_PHISH_LURE phish-usps.spam
	fires XD_PHISH_LURE phish-wallet.spam
	fires XD_FROM_BRAND_ELSEWHERE phish-docusign.spam
	fires XD_FROM_BRAND_ELSEWHERE phish-wallet.spam
}

@test "XD_PHISH_LURE: a parcel that was delivered is no lure; DocuSign's own mail is not from a brand elsewhere" {
	quiet XD_PHISH_LURE parcel-delivered.ham
	quiet XD_FROM_BRAND_ELSEWHERE docusign-real.ham
	quiet XD_PHISH_FREE_HOST docusign-real.ham
}

@test "XD_PHISH_LURE: trouble with the billing, a secure message, a sign-in from an unknown device, a salary adjustment to review" {
	fires XD_PHISH_LURE phish-billing.spam
	fires XD_PHISH_LURE phish-secure-message.spam
	fires XD_PHISH_LURE phish-signin.spam
	fires XD_PHISH_LURE phish-payroll.spam
}
