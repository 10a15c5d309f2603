#!/usr/bin/env bats
# xd eval: cross-validated accuracy on small labelled maildirs written
# here, beside the peers when they are installed.

load helper

# A file name part that spreads over the folds, as maildir names do.
name() {
	printf '%s' "$1" | md5sum | cut -c1-12
}

# corpus DIR NHAM NSPAM: maildirs DIR/ham and DIR/spam of small messages.
# The spam shouts and sells; the ham talks about a project.
corpus() {
	local dir=$1 i
	mkmaildir "$dir/ham"
	mkmaildir "$dir/spam"
	for ((i = 0; i < $2; i++)); do
		cat >"$dir/ham/cur/$((1700000000 + i)).$(name h$i).host:2,S" <<EOF
From: Alice Example <alice$i@example.org>
To: bob@example.net
Subject: Re: the build of release $i
Date: Mon, 06 Nov 2023 10:0$((i % 10)):00 +0000
Message-ID: <ham$i@example.org>

Bob, the tests of release $i pass on my machine; the parser change
looks right to me.  Can you look at the man page before Friday?
Alice
EOF
	done
	for ((i = 0; i < $3; i++)); do
		cat >"$dir/spam/cur/$((1700000000 + i)).$(name s$i).host:2," <<EOF
From: BEST OFFER <offer$i@deals.example>
To: bob@example.net
Subject: CHEAP PILLS NOW $i
Date: Mon, 06 Nov 2023 11:0$((i % 10)):00 +0000
Message-ID: <spam$i@deals.example>
Content-Type: text/html

<html><body><a href="http://192.0.2.$i/buy">CLICK HERE</a> to buy
cheap pills, no prescription, best price, act now!!!</body></html>
EOF
	done
}

# The fold of a file name as xd(1) documents it: h = (31 h + byte) mod
# (2^31 - 1) over the name up to its first ':', fold = h mod K.
fold_of() {
	local name=${1##*/} k=$2 h=0 i c
	name=${name%%:*}
	for ((i = 0; i < ${#name}; i++)); do
		printf -v c '%d' "'${name:i:1}"
		h=$(((h * 31 + c) % 2147483647))
	done
	echo $((h % k))
}

@test "the report names every measure and the files it wrote" {
	corpus c 12 8
	run xd eval --no-peers -k 4 -o out c
	[ "$status" -eq 0 ]
	[[ "$output" == *"20 messages (12 ham, 8 spam)"* ]]
	[[ "$output" == *"4-fold cross-validation"* ]]
	for w in "spam caught" "ham lost" surespam accuracy "ROC AUC" \
	    "xd (own thresholds)" targets time; do
		[[ "$output" == *"$w"* ]] || { echo "no '$w'"; return 1; }
	done
	[ -s out/report.txt ]
	grep -q "xd (own thresholds)" out/report.txt
	if command -v xd-bayes >/dev/null; then
		# A store per test fold, and one per pair of folds for the
		# training lines: 4 + 6.
		[[ "$output" == *"bayes"*"(learned per fold)"* ]]
		[[ "$output" == *"learning: 10 stores for"* ]]
	fi
	for k in fold-0 fold-1 fold-2 fold-3 all; do
		run xd-score -n -w "out/weights/$k"
		[ "$status" -eq 0 ]
	done
	[ "$(grep -vc '^#' out/scored/fold-0)" -eq "$(grep -c $'^xd\t0' out/results.tsv)" ]
	grep -q 'on 20 lines (12 ham, 8 spam)' out/weights/all
	# the weights of the DNS checks eval leaves out are kept for use
	grep -q '^RBL_ZEN .*# kept$' out/weights/all
	! grep -q '# kept$' out/weights/fold-0
}

@test "every message is scored once, in the fold its name hashes to" {
	corpus c 12 8
	xd eval --no-peers -k 4 -o out c >/dev/null
	[ "$(grep -c '^xd' out/results.tsv)" -eq 20 ]
	[ "$(cut -f6 out/results.tsv | sort -u | wc -l)" -eq 20 ]
	while IFS=$'\t' read -r sys fold label z class path; do
		[ "$fold" = "$(fold_of "$path" 4)" ] ||
		    { echo "$path: fold $fold"; return 1; }
		case $path in
		*/ham/*) [ "$label" = ham ] ;;
		*/spam/*) [ "$label" = spam ] ;;
		esac
	done <out/results.tsv
}

@test "a message keeps its fold when its maildir flags change" {
	corpus c 12 8
	xd eval --no-peers -k 4 -o out1 c >/dev/null
	for f in c/ham/cur/*:2,S; do mv "$f" "${f%:2,S}:2,RS"; done
	xd eval --no-peers -k 4 -o out2 c >/dev/null
	diff <(cut -f2,3 out1/results.tsv) <(cut -f2,3 out2/results.tsv)
}

@test "the plot is a PNG" {
	command -v gnuplot || skip "gnuplot is not installed"
	corpus c 12 8
	xd eval --no-peers -k 4 -o out c >/dev/null
	[ "$(head -c 4 out/accuracy.png | od -An -c | tr -d ' ')" = '211PNG' ]
	grep -q "the plot accuracy.png" out/report.txt
}

@test "bogofilter runs on the same folds when installed" {
	command -v bogofilter || skip "bogofilter is not installed"
	corpus c 12 8
	run xd eval --sa-folds 0 -k 4 -o out c
	[ "$status" -eq 0 ]
	[[ "$output" == *"bogofilter (-C)"* ]]
	[[ "$output" == *"bogofilter    ham lost"* ]]
	[ "$(grep -c '^bogofilter' out/results.tsv)" -eq 20 ]
	diff <(grep '^xd' out/results.tsv | cut -f2,3 | sort) \
	    <(grep '^bogofilter' out/results.tsv | cut -f2,3 | sort)
}

@test "spamassassin on fewer folds is said, with xd on the same folds" {
	perl -MMail::SpamAssassin -e 1 2>/dev/null || skip "spamassassin is not installed"
	corpus c 6 6
	rm -rf "$HOME/.cache"	# the rules' seeded cache (helper.bash): HOME starts empty
	run xd eval -j 2 --sa-folds 1 -k 2 -o out c
	[ "$status" -eq 0 ]
	[[ "$output" == *"spamassassin -L *"* ]]
	[[ "$output" == *"xd on the same *"* ]]
	[[ "$output" == *"spamassassin ran on folds 0 only (--sa-folds 1)"* ]]
	[ "$(grep -c '^spamassassin' out/results.tsv)" -eq "$(grep -c $'^xd\t0' out/results.tsv)" ]
	# Nothing of SpamAssassin's in the home directory.
	[ -z "$(ls -A "$HOME")" ]
}

@test "--no-peers leaves the peers out" {
	corpus c 8 8
	run xd eval --no-peers -k 2 -o out c
	[ "$status" -eq 0 ]
	[[ "$output" != *bogofilter\ \(* ]]
	[[ "$output" != *spamassassin\ -L* ]]
	! grep -qv '^xd' out/results.tsv
}

@test "--fit options reach xd-score --fit" {
	corpus c 8 8
	run xd eval --no-peers -k 2 --fit "--lambda 3" -o out c
	[ "$status" -eq 0 ]
	[[ "$output" == *"xd-score --fit --lambda 3 on the 1 training folds"* ]]
	grep -q '^# precision 3 (--lambda)' out/weights/fold-0
	grep -q '^penalty 3, given by --lambda' out/weights/fold-0.report
	run xd eval --no-peers -k 2 --fit "--bogus" -o out c
	[ "$status" -eq 2 ]
	[[ "$output" == *"not options xd-score --fit takes"* ]]
}

@test "a directory without ham/ and spam/ maildirs is an error" {
	mkmaildir c/ham
	run xd eval --no-peers c
	[ "$status" -eq 2 ]
	[[ "$output" == *"c/spam: not a maildir"* ]]
}

@test "too few messages for the folds is an error" {
	corpus c 3 12
	run xd eval --no-peers -k 4 c
	[ "$status" -eq 2 ]
	[[ "$output" == *"3 ham and 12 spam: too few for 4 folds"* ]]
	# Enough in all, but one fold holds all the ham.
	rm -r c
	corpus c 1 12
	f=$(ls -d c/ham/cur/*)
	cp "$f" "${f}x"
	cp "$f" "${f}y"
	run xd eval --no-peers -k 2 c
	[ "$status" -eq 2 ]
	[[ "$output" == *"too few messages for 2 folds"* ]]
}

@test "bad usage exits 2" {
	corpus c 4 4
	for args in "" "-k 1 c" "-k x c" "-j 0 c" "-k 101 c" "--sa-folds x c" \
	    "--bogus c" "-o" "c c"; do
		# shellcheck disable=SC2086
		run xd eval $args
		[ "$status" -eq 2 ] || { echo "xd eval $args: $status"; return 1; }
	done
}

@test "nothing is written outside -o and the temporary directory" {
	corpus c 8 8
	mkdir -p tmp
	rm -rf "$HOME/.cache"	# the rules' seeded cache (helper.bash): HOME starts empty
	TMPDIR=$PWD/tmp xd eval --no-peers -k 2 -o out c >/dev/null
	[ -z "$(ls -A tmp)" ]
	[ -z "$(ls -A "$HOME")" ]
	[ "$(ls)" = "$(printf 'c\nhome\nout\ntmp\nxd.conf')" ]
}

@test "--untrained: the default setup on every message, no folds, xd beside spamassassin" {
	corpus c 6 6
	run xd eval --untrained -o out c
	[ "$status" -eq 0 ]
	[[ "$output" == *"the default configuration, an empty store, offline"* ]]
	# Every spam of these shouts, sells and links to an address.
	[[ "$output" =~ xd\ +6/6\ +100\.0%\ +0/6 ]]
	[ "$(grep -vc '^#' out/untrained.ham)" -eq 6 ]
	[ "$(grep -vc '^#' out/untrained.spam)" -eq 6 ]
	if perl -MMail::SpamAssassin -e 1 2>/dev/null; then
		[[ "$output" == *"spamassassin -L"* ]]
		[ "$(wc -l <out/sa-untrained.cache)" -eq 12 ]
	fi
}

@test "--untrained --no-peers: xd alone, and a site's configuration is not used" {
	corpus c 3 3
	printf 'weights = %s/none\n' "$BATS_TEST_TMPDIR" >"$XD_CONF"
	run xd eval --untrained --no-peers -o out c
	[ "$status" -eq 0 ]
	[[ "$output" != *spamassassin* ]]
	[[ "$output" =~ xd\ +3/3 ]]
}
