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
