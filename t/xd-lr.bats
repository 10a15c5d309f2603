#!/usr/bin/env bats
# xd-lr, the online logistic regression, and what xd-bayes folds and
# versions in its tokens: learning a small separable set, the bands,
# learning by label=, the feature and token schemes of a store, the
# fixed size of the learner's weights, Redis beside LMDB.

load helper
load redis

setup_file() { redis_start; }
teardown_file() { redis_stop; }

STORE_TEST=${XD_UNIT:+$(dirname "$XD_UNIT")/store-test}
: "${STORE_TEST:=$REPO/build/store-test}"

# mail N: ham/N and spam/N, two kinds of mail no word of which is shared.
mail() {
	mkdir -p ham spam
	for i in $(seq 1 "$1"); do
		printf 'From: Ann <ann%s@example.org>\nSubject: agenda %s for the meeting\nMessage-ID: <h%s@example.org>\n\nThe minutes of the meeting on monday, item %s, and the agenda.\n' \
		    "$i" "$i" "$i" "$i" >"ham/$i"
		printf 'From: Shop <deal%s@example.com>\nSubject: cheap pills %s offer\nMessage-ID: <s%s@example.com>\n\nBuy cheap pills now, limited offer %s, click to order.\n' \
		    "$i" "$i" "$i" "$i" >"spam/$i"
	done
}

@test "xd-lr learns a separable set and classifies new mail of each kind" {
	mail 12
	echo 'lr_min_learned = 5' >"$XD_CONF"
	{ xd-parse --label=ham -- ham/[1-9]; xd-parse --label=spam -- spam/[1-9]; } |
	    sort | xd-lr --learn label 2>err >/dev/null
	grep -q 'learned 18' err
	xd-parse -- ham/1[0-2] spam/1[0-2] | xd-lr >out
	for f in ham/10 ham/11 ham/12; do
		p=$(field LR "$(grep "^$f	" out)")
		[ -n "$p" ]
		awk -v p="$p" 'BEGIN { exit !(p < 0.2) }'
	done
	for f in spam/10 spam/11 spam/12; do
		p=$(field LR "$(grep "^$f	" out)")
		[ -n "$p" ]
		awk -v p="$p" 'BEGIN { exit !(p > 0.8) }'
	done
	grep -q '	LR_[0-9]*=' out
}

@test "xd-lr writes LR_UNTRAINED until it has learned enough of each class" {
	mail 3
	xd-parse -- ham/1 | xd-lr --learn ham -q >/dev/null
	xd-parse -- ham/2 | xd-lr >out
	grep -q '	LR_UNTRAINED=ham:1,spam:0' out
	! grep -q '	LR=' out
}

@test "xd-lr replaces its own fields and learns a message once per class" {
	mail 6
	echo 'lr_min_learned = 1' >"$XD_CONF"
	xd-parse -- spam/[1-6] | xd-lr --learn spam -q >/dev/null
	xd-parse -- ham/[1-6] | xd-lr --learn ham -q >/dev/null
	xd-parse -- spam/1 | xd-lr | xd-lr >out
	[ "$(tr '\t' '\n' <out | grep -c '^LR=')" -eq 1 ]
	[ "$(tr '\t' '\n' <out | grep -c '^LR_')" -eq 1 ]
	xd-parse -- spam/1 | xd-lr --learn spam 2>err >/dev/null
	grep -q 'learned 0 .*, 1 already known' err
	xd-lr -S >stats
	grep -qx 'ham	6' stats
	grep -qx 'spam	6' stats
}

@test "xd-lr --learn label: a line without a label gets an error and is not learned" {
	mail 2
	xd-parse -- ham/1 | xd-lr --learn label >out 2>/dev/null || true
	grep -q 'error=xd-lr:label' out
	xd-lr -S | grep -qx 'ham	0'
}

@test "xd-lr never reads a store whose weights are of no scheme it knows" {
	[ -x "$STORE_TEST" ] || { echo "$STORE_TEST is not built" >&2; return 1; }
	printf 'table lr 0 0\nadd lr AAAA 5 0\nrun\n' | "$STORE_TEST" lmdb:old >/dev/null
	mail 2
	run --separate-stderr xd-lr -s lmdb:old < <(xd-parse -- spam/1 spam/2)
	[ "$status" -eq 1 ]
	[ "$(grep -c 'error=xd-lr:scheme' <<<"$output")" -eq 2 ]
	! grep -q 'LR=' <<<"$output"
	[[ "$stderr" == *"feature scheme 0"*"re-train"* ]]
	run xd-lr --learn spam -s lmdb:old < <(xd-parse -- spam/1)
	[ "$status" -eq 2 ]
	[[ "$output" == *"re-train"* ]]
}

@test "xd-lr refuses a store of the 2^22 weights (scheme 2): re-train" {
	[ -x "$STORE_TEST" ] || { echo "$STORE_TEST is not built" >&2; return 1; }
	printf 'table lr_count 0 0\nadd lr_count scheme 2 0\nadd lr_count messages 60 60\nrun\n' |
	    "$STORE_TEST" lmdb:old >/dev/null
	mail 1
	run --separate-stderr xd-lr -s lmdb:old < <(xd-parse -- spam/1)
	[ "$status" -eq 1 ]
	[[ "$output" == *"error=xd-lr:scheme"* ]]
	[[ "$stderr" == *"feature scheme 2, this xd-lr reads scheme 4"*"re-train"* ]]
	run xd-lr --learn spam -s lmdb:old < <(xd-parse -- spam/1)
	[ "$status" -eq 2 ]
	[[ "$output" == *"re-train"* ]]
}

@test "xd-bayes refuses a store learned before token schemes, and marks a new one" {
	[ -x "$STORE_TEST" ] || { echo "$STORE_TEST is not built" >&2; return 1; }
	printf 'table bayes_count 0 0\nadd bayes_count messages 3 4\nrun\n' |
	    "$STORE_TEST" lmdb:old >/dev/null
	mail 1
	run --separate-stderr xd-bayes -s lmdb:old < <(xd-parse -- spam/1)
	[ "$status" -eq 1 ]
	[[ "$output" == *"error=xd-bayes:scheme"* ]]
	[[ "$output" != *"BAYES="* ]]
	[[ "$stderr" == *"token scheme 1"*"re-train"* ]]
	run xd-bayes --learn spam -s lmdb:old < <(xd-parse -- spam/1)
	[ "$status" -eq 2 ]
	xd-parse -- spam/1 | xd-bayes --learn spam -q -s lmdb:new >/dev/null
	xd-bayes -S -s lmdb:new | grep -qx 'scheme	2'
}

@test "bayes_max_tokens bounds the store, and xd-bayes --stats says so" {
	mail 20
	echo 'bayes_max_tokens = 60' >"$XD_CONF"
	xd-parse -- spam/* | xd-bayes --learn spam -q >/dev/null
	xd-bayes -S >stats
	grep -qx 'max_tokens	60' stats
	tokens=$(awk '$1 == "tokens" { print $2 }' stats)
	[ "$tokens" -le 60 ]
	[ "$tokens" -gt 0 ]
}

@test "the learner's weights are one vector of fixed size: the store does not grow with mail" {
	mail 50
	# every message moves the weights, so that every run rewrites them
	echo 'lr_train = always' >"$XD_CONF"
	for set in '[1-9]' '1[0-9]' '2[0-9]' '3[0-9]' '4[0-9]'; do
		{ xd-parse --label=spam -- spam/$set; xd-parse --label=ham -- ham/$set; } |
		    xd-lr --learn label -q >/dev/null
		du -k "$HOME/.xd/store.lmdb" | cut -f1 >>sizes
	done
	xd-lr -S >stats
	grep -qx 'max	1048576' stats
	grep -qx 'ham	49' stats
	[ "$(awk '$1 == "weights" { print $2 }' stats)" -gt 100 ]
	# LMDB reuses a page two writes after it is freed: once it holds
	# its copies of the weights, more mail does not make it bigger
	[ "$(sed -n 5p sizes)" -le "$(sed -n 4p sizes)" ]
	[ "$(sed -n 5p sizes)" -lt $((4 * 4 * 1024 + 1024)) ]
}

@test "xd-bayes --tokens: what is folded before words are counted" {
	printf 'Subject: \xef\xbc\xa6\xef\xbd\x92\xef\xbd\x85\xef\xbd\x85 v1agra\n\nBuy V I A G R A for $19.95 in 2002 at\nhttp://www.example.com/cheap/pills.html ze\xe2\x80\x8bro so\xc2\xadft\n' >m
	xd-bayes -t <<<"$PWD/m" >tokens
	grep -qx '	s:free' tokens
	grep -qx '	s:viagra' tokens
	grep -qx '	s:free viagra' tokens
	grep -qx '	viagra' tokens
	grep -qx '	num:$2' tokens
	grep -qx '	num:4' tokens
	! grep -q '2002' tokens
	grep -qx '	up:cheap' tokens
	grep -qx '	url:example.com' tokens
	grep -qx '	zero' tokens
	grep -qx '	soft' tokens
	grep -qx '	s:free viagra' tokens
	! grep -q '	buy for' tokens
}

@test "xd-lr learns and classifies in Redis as in LMDB" {
	mail 8
	echo 'lr_min_learned = 2' >"$XD_CONF"
	url=$(redis_db)
	{ xd-parse --label=ham -- ham/*; xd-parse --label=spam -- spam/*; } | sort >train
	xd-lr --learn label -q -s "$url" <train >/dev/null
	xd-lr --learn label -q -s lmdb:here <train >/dev/null
	xd-parse -- ham/1 spam/1 | xd-lr -s "$url" | grep -o 'LR=[0-9.]*' >redis.out
	xd-parse -- ham/1 spam/1 | xd-lr -s lmdb:here | grep -o 'LR=[0-9.]*' >lmdb.out
	[ "$(wc -l <redis.out)" -eq 2 ]
	cmp redis.out lmdb.out
}

@test "xd-lr reads Redis the same a message at a time as a batch that copies the weights once" {
	mail 8
	echo 'lr_min_learned = 2' >"$XD_CONF"
	url=$(redis_db)
	{ xd-parse --label=ham -- ham/*; xd-parse --label=spam -- spam/*; } | sort >train
	xd-lr --learn label -q -s "$url" <train >/dev/null
	xd-lr --learn label -q -s lmdb:here <train >/dev/null
	for i in $(seq 1 15); do echo ham/* spam/*; done | xargs xd-parse -- >many
	[ "$(grep -vc '^#' many)" -eq 240 ]
	xd-lr -s lmdb:here <many | grep -o 'LR=[0-9.]*' >lmdb.out
	# a batch of 240 lines reads more counters than the vector has bytes / 256
	printf 'lr_min_learned = 2\nbayes_batch = 240\n' >"$XD_CONF"
	xd-lr -s "$url" <many | grep -o 'LR=[0-9.]*' >batch.out
	printf 'lr_min_learned = 2\nbayes_batch = 1\n' >"$XD_CONF"
	xd-lr -s "$url" <many | grep -o 'LR=[0-9.]*' >single.out
	[ "$(wc -l <lmdb.out)" -eq 240 ]
	cmp batch.out lmdb.out
	cmp single.out lmdb.out
}

@test "xd learn ham|spam learns into xd-lr too" {
	mail 3
	xd learn ham ham/* >/dev/null 2>&1
	xd learn spam spam/* >/dev/null 2>&1
	xd-lr -S >stats
	grep -qx 'ham	3' stats
	grep -qx 'spam	3' stats
}
