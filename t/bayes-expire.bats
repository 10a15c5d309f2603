#!/usr/bin/env bats
# xd-bayes --expire: tokens age out when no message learned has had
# them for bayes_token_ttl, and the rare and stale (one message's, not
# learned again for bayes_rare_ttl) go first; LMDB and Redis alike.

load helper
load redis

setup_file() {
	redis_start
}

teardown_file() {
	redis_stop
}

T0=1700000000
DAY=86400

setup() {
	bayes_setup 1
}

# note NAME BODY: a small message, its Message-ID from NAME.
note() {
	msg "$1" <<EOF
From: someone@example.net
To: bob@example.org
Subject: note
Message-ID: <$1@example.net>

$2
EOF
}

# stored STAT [options]: the count called STAT in --stats.
stored() {
	local stat=$1
	shift
	xd-bayes -S "$@" | awk -v k="$stat" '$1 == k { print $2 }'
}

# Five ham that share words, each with one word of its own, learned at T0.
learn_ham() {
	local i=0 w
	for w in alpha bravo charlie delta echo; do
		i=$((i + 1))
		note "h$i" "common shared words plus ${w}word"
	done
	xd-parse -- h1 h2 h3 h4 h5 >ham
	xd-bayes -q --now "$T0" -l ham "$@" <ham >/dev/null
}

@test "bayes-expire: --expire is in --help; nothing to expire removes nothing" {
	xd-bayes --help | grep -q -- '--expire'
	learn_ham
	run xd-bayes --now "$T0" --expire
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'aged\t0\nrare\t0')" ]
}

@test "bayes-expire: a token one message had goes once stale; shared ones stay" {
	learn_ham
	before=$(stored tokens)
	run xd-bayes --now "$((T0 + 31 * DAY))" --expire
	[ "$status" -eq 0 ]
	# the five words of one message each, and nothing else
	[ "$output" = "$(printf 'aged\t0\nrare\t5')" ]
	[ "$(stored tokens)" -eq "$((before - 5))" ]
	xd-bayes -t <ham | grep -q alphaword
	# a token learned again is not stale
	note h6 "foxtrotword again"
	xd-parse -- h6 | xd-bayes -q --now "$T0" -l ham >/dev/null
	xd-parse -- h6 | xd-bayes -q --now "$((T0 + 20 * DAY))" -l spam >/dev/null
	run xd-bayes --now "$((T0 + 31 * DAY))" --expire
	[[ "$output" == *"rare	0" ]]
}

@test "bayes-expire: bayes_token_ttl ages out what was not learned again" {
	printf 'bayes_token_ttl = %s\n' "$((10 * DAY))" >>"$XD_CONF"
	learn_ham
	note s1 "cheap pills common"
	xd-parse -- s1 | xd-bayes -q --now "$((T0 + 9 * DAY))" -l spam >/dev/null
	total=$(stored tokens)
	run xd-bayes --now "$((T0 + 11 * DAY))" --expire
	[ "$status" -eq 0 ]
	# only the spam's tokens were learned within ten days
	left=$(stored tokens --now "$((T0 + 11 * DAY))")
	[ "$left" -lt "$total" ]
	[ "$left" -eq "$(xd-parse -- s1 | xd-bayes -t | grep -c '^	')" ]
}

@test "bayes-expire: Redis expires as LMDB does" {
	learn_ham
	url=$(redis_db)
	learn_ham -s "$url"
	xd-bayes --now "$((T0 + 31 * DAY))" --expire >lmdb.out
	xd-bayes -s "$url" --now "$((T0 + 31 * DAY))" --expire >redis.out
	diff lmdb.out redis.out
	[ "$(stored tokens)" -eq "$(stored tokens -s "$url")" ]
}

@test "bayes-expire: a store that cannot be used is an error" {
	run --separate-stderr xd-bayes -s redis://127.0.0.1:1 --expire
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"redis://127.0.0.1:1"* ]]
}
