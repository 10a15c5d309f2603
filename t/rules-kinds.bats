#!/usr/bin/env bats
# Kinds of spam by their wording: sextortion, pharmacy, investment, loans, dating, SEO.
# Each rule of share/rules/70_xd_kinds.cf catches its example of spam,
# t/examples/kinds/RULE.spam, and lets its example of ham, RULE.ham, pass.

load examples

T=$'\t'

setup_file() {
	examples_run kinds
}

@test "every rule of 70_xd_kinds.cf fires on its spam example and not on its ham one" {
	run every_rule 70_xd_kinds.cf
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "more of their words: pounds with decimals, a gift card to claim, link exchanges" {
	fires XD_DIET diet-decimal.spam
	fires XD_REWARD_LURE reward-claim.spam
	fires XD_SEO_OFFER seo-links.spam
}

# class FILE: the class xd check gives example FILE, untrained, offline.
class() {
	xd check -q "$EX_DIR/$1" | sed -n "s/.*${T}class=\([a-z]*\)\$/\1/p"
}

@test "BEC from a free mailbox: a boss at their desk, gift cards, a new account for the pay, a secret wire are spam; a colleague's lunch is not" {
	fires XD_BEC_SENDER_ASK bec-giftcards-gmail.spam
	fires XD_BEC_SENDER_ASK bec-payroll-gmail.spam
	for f in XD_BEC_OPENER.spam XD_BEC_SUBJ.spam XD_BEC_SENDER_ASK.spam \
	    XD_BEC_PRESSURE.spam bec-giftcards-gmail.spam bec-payroll-gmail.spam; do
		[ "$(class "$f")" = spam ] || { echo "$f: not spam"; return 1; }
	done
	for f in XD_BEC_OPENER.ham XD_BEC_OPENER_MORE.ham XD_BEC_SUBJ.ham \
	    XD_BEC_SENDER_ASK.ham XD_BEC_PRESSURE.ham; do
		[ "$(class "$f")" = ham ] || { echo "$f: not ham"; return 1; }
	done
}
