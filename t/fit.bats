#!/usr/bin/env bats
# xd-score --fit: weights fitted by logistic regression to labelled
# lines, with a prior on the hand weights.  The streams are made here
# so that the answers can be worked out by hand: with one symbol, no
# hand weight and almost no penalty, the fit is the log odds of spam
# with and without it.

load helper

T=$'\t'

# lines N LABEL [FIELD...]: N stream lines with label=LABEL and the
# fields, each named apart (the inner folds go by the name) and the
# same in every run.
nlines=0
lines() {
	local n=$1 label=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		local IFS=$T
		printf '%s\n' "m$label$((nlines++))${T}label=$label${*:+$T$*}"
	done
}

# The stream most tests use: A is on 10 of 100 ham and 80 of 100 spam.
# Without a penalty b = ln(20/90) and w(A) = ln(80/10) - ln(20/90).
one_symbol() {
	{
		lines 90 ham from=a@example.org
		lines 10 ham HEUR_A=
		lines 20 spam
		lines 80 spam HEUR_A=1
	} >in
}

# The weight of SYMBOL in weights file FILE
weight() {
	awk -v s="$1" '$1 == s { print $2 }' "$2"
}

# The calibration's A, or a threshold: calib FILE, threshold FILE NAME
calib() {
	awk '$1 == "calibration" { print $2 }' "$1"
}

threshold() {
	awk -v n="$2" '$1 == "threshold" && $2 == n { print $3 }' "$1"
}

# near X Y [TOLERANCE]: |X - Y| <= TOLERANCE (default 0.001)
near() {
	awk -v x="$1" -v y="$2" -v t="${3:-0.001}" \
	    'BEGIN { d = x - y; if (d < 0) d = -d; exit !(d <= t) }' ||
	    { echo "$1 is not near $2" >&2; return 1; }
}

@test "with one symbol the fit is the log odds with and without it" {
	one_symbol
	run xd-score --fit --lambda 0.000001 -w /dev/null <in
	[ "$status" -eq 0 ]
	echo "$output" >w
	near "$(calib w)" "$(awk 'BEGIN { print log(20 / 90) }')"
	near "$(weight HEUR_A w)" "$(awk 'BEGIN { print log(8) - log(20 / 90) }')"
	grep -q "^HEUR_A .*# ham 10, spam 80$" w
}

@test "the fitted file is a weights file xd-score scores with" {
	one_symbol
	xd-score --fit -w /dev/null <in >w
	run xd-score -n -w w
	[ "$status" -eq 0 ]
	grep -q '^calibration .* 1.000000$' w
}

@test "prob= is calibrated: the fraction of spam among the training lines" {
	one_symbol
	xd-score --fit --lambda 0.000001 -w /dev/null <in >w
	printf 'x\tHEUR_A=\n' | xd-score -w w >out
	near "$(field prob "$(cat out)")" "$(awk 'BEGIN { print 80 / 90 }')" 0.001
	printf 'x\tfrom=b@example.org\n' | xd-score -w w >out
	near "$(field prob "$(cat out)")" "$(awk 'BEGIN { print 20 / 110 }')" 0.001
}

# classes FILE: "ham-lost spam-caught ham-surespam" of a scored stream
classes() {
	awk -F'\t' '{
		l = c = ""
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^label=/) l = substr($i, 7)
			if ($i ~ /^class=/) c = substr($i, 7)
		}
		if (l == "ham" && c != "ham") lost++
		if (l == "spam" && c != "ham") caught++
		if (l == "ham" && c == "surespam") sure++
	} END { print lost + 0, caught + 0, sure + 0 }' "$1"
}

# Three levels of evidence: nothing, A, A and B.  1000 ham, 10 with A.
three_levels() {
	{
		lines 990 ham
		lines 10 ham HEUR_A=
		lines 50 spam
		lines 300 spam HEUR_A=
		lines 300 spam HEUR_A= HEUR_B=
	} >in
}

@test "--ham-loss: the spam threshold lets that much of the training ham through" {
	three_levels
	# 1% may be lost: the ham with A may be spam, and the spam with A is.
	xd-score --fit --ham-loss 0.01 -w /dev/null <in >w1
	xd-score -w w1 <in >s1
	[ "$(classes s1)" = "10 600 0" ]
	grep -q '^threshold spam .*# out of fold: 10 of 1000 training ham reach it' w1
	# 0.5% may not take them: only A and B together are spam.
	xd-score --fit --ham-loss 0.005 -w /dev/null <in >w2
	xd-score -w w2 <in >s2
	[ "$(classes s2)" = "0 300 0" ]
	# the key in xd.conf is the default
	echo 'fit_ham_loss = 0.01' >>"$XD_CONF"
	xd-score --fit -w /dev/null <in >w3
	[ "$(threshold w3 spam)" = "$(threshold w1 spam)" ]
	echo 'fit_ham_loss = 2' >>"$XD_CONF"
	run xd-score --fit -w /dev/null <in
	[ "$status" -eq 2 ]
	[[ "$output" == *"fit_ham_loss 2: not a fraction"* ]]
}

@test "the spam threshold is set on scores out of fold, not on the fitted lines" {
	# 10 ham with A each have a symbol of their own, which the fit
	# weighs down to make that ham ham.  Out of fold the symbol is
	# unseen, so the ham scores as A does: the threshold lies among the
	# scores of A, not near 0 where those ham are in the fitted lines.
	{
		lines 990 ham
		for i in 1 2 3 4 5 6 7 8 9 10; do
			lines 1 ham HEUR_A= "HEUR_C$i="
		done
		lines 300 spam HEUR_A=
		lines 300 spam
	} >in
	xd-score --fit --ham-loss 0.005 -w /dev/null <in >w
	grep -q '# out of fold: [0-5] of 1000 training ham reach it' w
	awk -v a="$(weight HEUR_A w)" -v c="$(weight HEUR_C1 w)" 'BEGIN { exit !(a + c < a / 2) }'
	awk -v t="$(threshold w spam)" -v a="$(weight HEUR_A w)" 'BEGIN { exit !(t > a / 2) }'
}

@test "surespam lies --sure-margin above the highest training ham" {
	# One ham has what 3000 spam have: prob 0.9997.
	{
		lines 99 ham
		lines 1 ham HEUR_A= HEUR_B=
		lines 10 spam
		lines 3000 spam HEUR_A= HEUR_B=
	} >in
	xd-score --fit --lambda 0.01 -w /dev/null <in >w
	xd-score -w w <in >s
	[ "$(classes s | cut -d' ' -f3)" = 0 ]
	top=$(awk -v a="$(weight HEUR_A w)" -v b="$(weight HEUR_B w)" 'BEGIN { print a + b }')
	awk -v t="$(threshold w surespam)" -v s="$top" 'BEGIN { exit !(t >= s + 2) }'
	grep -q '^threshold surespam .*# 2 above the training ham' w
	xd-score --fit --lambda 0.01 --sure-margin 0.5 -w /dev/null <in >w2
	awk -v t="$(threshold w2 surespam)" -v s="$top" 'BEGIN { exit !(t >= s + 0.5 && t < s + 1) }'
}

@test "a larger lambda pulls the weights towards 0" {
	one_symbol
	xd-score --fit --lambda 0.01 -w /dev/null <in >w1
	xd-score --fit --lambda 100 -w /dev/null <in >w2
	awk -v a="$(weight HEUR_A w1)" -v b="$(weight HEUR_A w2)" \
	    'BEGIN { exit !(b > 0 && b < a - 1) }'
}

@test "--ham-cost: dearer ham, and the calibration stays an estimate" {
	# With one symbol the model fits every group exactly: weighting
	# ham moves the intercept by -ln C, and A puts it back.
	one_symbol
	xd-score --fit --lambda 0.000001 -w /dev/null <in >w1
	xd-score --fit --lambda 0.000001 --ham-cost 4 -w /dev/null <in >w4
	near "$(calib w1)" "$(calib w4)"
	near "$(weight HEUR_A w1)" "$(weight HEUR_A w4)"
	grep -q 'ham cost 4' w4
}

# fit_free_and_banded FAMILY SYMBOL...: the lines of ./in fitted from
# weights of 0 for each SYMBOL, freely into w1 (the weights in ./free)
# and with FAMILY declared rising bands into w2.
fit_free_and_banded() {
	family=$1
	shift
	printf '%s 0\n' "$@" >free
	{ cat free; echo "bands $family rising"; } >bands
	xd-score --fit --lambda 0.01 -w free <in >w1
	xd-score --fit --lambda 0.01 -w bands <in >w2
}

@test "the weights of a family declared as bands keep their order" {
	# BAYES_60 is on more ham than BAYES_40: a free fit turns it down.
	{
		lines 500 ham BAYES_00=
		lines 40 ham BAYES_40=
		lines 40 spam BAYES_40=
		lines 60 ham BAYES_60=
		lines 30 spam BAYES_60=
		lines 500 spam BAYES_99=
	} >in
	fit_free_and_banded 'BAYES_*' BAYES_00 BAYES_40 BAYES_60 BAYES_99
	awk -v a="$(weight BAYES_40 w1)" -v b="$(weight BAYES_60 w1)" 'BEGIN { exit !(b < a - 0.5) }'
	awk -v a="$(weight BAYES_00 w2)" -v b="$(weight BAYES_40 w2)" \
	    -v c="$(weight BAYES_60 w2)" -v d="$(weight BAYES_99 w2)" \
	    'BEGIN { exit !(a <= b && b == c && c <= d) }'
	grep -q '^bands BAYES_\* rising$' w2
	# falling, and the declaration carried to the fitted file
	{ cat free; echo 'bands BAYES_* falling'; } >down
	xd-score --fit --lambda 0.01 -w down <in >w3
	awk -v a="$(weight BAYES_00 w3)" -v d="$(weight BAYES_99 w3)" 'BEGIN { exit !(a >= d) }'
}

@test "bands of one number written longer come first: LR_000 below LR_00" {
	# LR_000 is on a little spam, LR_00 on none: a free fit puts the
	# band nearer 0 above the one after it
	{
		lines 300 ham LR_000=
		lines 20 spam LR_000=
		lines 300 ham LR_00=
		lines 300 spam LR_99=
	} >in
	fit_free_and_banded 'LR_*' LR_000 LR_00 LR_99
	awk -v a="$(weight LR_000 w1)" -v b="$(weight LR_00 w1)" 'BEGIN { exit !(a > b + 0.5) }'
	awk -v a="$(weight LR_000 w2)" -v b="$(weight LR_00 w2)" \
	    -v c="$(weight LR_99 w2)" 'BEGIN { exit !(a <= b && b <= c) }'
}

@test "with little data a weight stays near its hand weight; with much it moves" {
	# B of the base file is 0.67279: HEUR_A 3 is 2.0184 in log odds.
	printf 'HEUR_A 3\n' >base
	{
		lines 200 ham
		lines 200 spam
		lines 1 ham HEUR_A=
		lines 1 spam HEUR_A=
	} >little
	xd-score --fit --lambda 1 -w base <little >w
	# the data say 0; it moves less than half way there
	awk -v w="$(weight HEUR_A w)" 'BEGIN { exit !(w > 1.01 && w <= 2.0184) }'
	# the same fit around no hand weight stays near 0
	xd-score --fit --lambda 1 -w /dev/null <little >w0
	near "$(weight HEUR_A w0)" 0 0.3
	{
		lines 200 ham
		lines 200 spam
		lines 300 ham HEUR_A=
		lines 600 spam HEUR_A=
	} >much
	xd-score --fit --lambda 1 -w base <much >w2
	near "$(weight HEUR_A w2)" "$(awk 'BEGIN { print log(2) }')" 0.1
}

@test "a weight keeps its hand weight's sign and stays within --bound" {
	printf 'HEUR_A 1\nHEUR_B 0\n' >base
	# A is on 10 times more ham than spam, B only on spam.
	{
		lines 200 ham HEUR_A=
		lines 20 spam HEUR_A=
		lines 200 ham
		lines 200 spam
		lines 200 spam HEUR_B=
	} >in
	xd-score --fit --lambda 0.001 -w base <in >w
	[ "$(weight HEUR_A w)" = "0.0000" ]
	[ "$(weight HEUR_B w)" = "5.0000" ]
	xd-score --fit --lambda 0.001 --bound 3 -w base <in >w3
	[ "$(weight HEUR_B w3)" = "3.0000" ]
}

@test "the penalty is chosen by the inner folds, the same every run; --lambda sets it" {
	three_levels
	printf 'HEUR_A 1\nHEUR_B 2\n' >base
	xd-score --fit --fit-report r1 -w base <in >w1
	xd-score --fit --fit-report r2 -w base <in >w2
	diff w1 w2
	diff r1 r2
	grep -q 'chosen by 5 inner folds' r1
	[ "$(grep -c '^  lambda ' r1)" -eq 9 ]
	[ "$(grep -c '<- chosen' r1)" -eq 1 ]
	grep -q '(chosen by the inner folds)' w1
	xd-score --fit --inner-folds 3 --fit-report r3 -w base <in >/dev/null
	grep -q 'chosen by 3 inner folds' r3
	xd-score --fit --lambda 7 --fit-report r4 -w base <in >w4
	grep -q '^# precision 7 ' w4
	[ "$(grep -c '^  lambda ' r4)" -eq 1 ]
}

@test "--fit-report: each weight beside its hand weight, the largest moves first" {
	three_levels
	printf 'HEUR_A 0.1\nHEUR_B 0.2\nHEUR_C 4\n' >base
	lines 20 ham HEUR_C= >>in
	xd-score --fit --fit-report r -w base <in >w
	sed -n '/^# symbol /,$p' r >rows
	# A (0.1 by hand, on 600 spam) moved most, to the bound; then B;
	# C, 4 by hand and on 20 ham only, held at 0 by its sign, the least.
	[ "$(sed -n 2p rows | awk '{ print $1, $2, $3 }')" = "HEUR_A 5.0000 0.1000" ]
	grep -q "^HEUR_A .*at the bound" rows
	[ "$(sed -n 3p rows | awk '{ print $1 }')" = HEUR_B ]
	[ "$(sed -n 4p rows | awk '{ print $1, $2, $3, $4 }')" = "HEUR_C 0.0000 4.0000 2.6912" ]
	grep -q "^HEUR_C .*held at 0 by the hand weight's sign" rows
	awk 'NR > 1 { m = $5 < 0 ? -$5 : $5; if (NR > 2 && m > last + 1e-9) bad = 1; last = m }
	    END { exit bad }' rows
	[ "$(wc -l <rows)" -eq 4 ]
	grep -q '^threshold spam .* training ham (out of fold) reach it' r
	run xd-score --fit-report r </dev/null
	[ "$status" -eq 2 ]
}

@test "a value with a weights entry of its own is a feature of its own" {
	cat >base <<'EOF'
RBL_ZEN			2.0
RBL_ZEN=127.0.0.4	3.5
EOF
	{
		lines 50 ham
		lines 5 ham RBL_ZEN=127.0.0.10
		lines 10 spam RBL_ZEN=127.0.0.10
		lines 30 spam RBL_ZEN=127.0.0.4
		lines 5 spam
	} >in
	xd-score --fit -w base <in >w
	grep -q '^RBL_ZEN=127.0.0.4 .*# ham 0, spam 30$' w
	grep -q '^RBL_ZEN .*# ham 5, spam 10$' w
	run xd-score -n -w w
	[ "$status" -eq 0 ]
}

@test "a symbol counts once per line, facts not at all" {
	{
		lines 5 ham HEUR_A=x HEUR_A=y subject=HEUR_B
		lines 5 spam HEUR_A=x
	} >in
	xd-score --fit -w /dev/null <in >w
	grep -q '^HEUR_A .*# ham 5, spam 5$' w
	! grep -q '^HEUR_B' w
	! grep -q '^subject' w
}

@test "the order of the lines does not change the fit" {
	{
		lines 40 ham HEUR_A=
		lines 60 ham HEUR_C=
		lines 50 spam HEUR_A= HEUR_B=
		lines 30 spam HEUR_C= HEUR_B=
	} >in
	xd-score --fit -w /dev/null <in >w1
	sort -r in | xd-score --fit -w /dev/null >w2
	diff w1 w2
}

@test "comment lines are passed over; lines without a label are left out, exit 1" {
	one_symbol
	{ echo '#xd-stream 1'; cat in; printf 'x\tHEUR_A=\n'; printf 'y\tlabel=maybe\n'; } >in2
	run --separate-stderr xd-score --fit -w /dev/null <in2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"2 lines without label=ham or label=spam"* ]]
	[[ "$output" == *"on 200 lines (100 ham, 100 spam)"* ]]
}

@test "a damaged line is left out with a diagnostic, exit 1" {
	one_symbol
	printf 'x\tlabel=spam\tHEUR_A=%%ZZ\n' >>in
	run --separate-stderr xd-score --fit -w /dev/null <in
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"<stdin>:201: bad-escape"* ]]
	[[ "$output" == *"on 200 lines"* ]]
}

@test "-o writes the file whole and leaves no temporary file" {
	one_symbol
	run xd-score --fit -w /dev/null -o out.w <in
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q '^HEUR_A ' out.w
	[ "$(ls)" = "$(printf 'home\nin\nout.w\ntmp\nxd.conf')" ]
	[ -z "$(ls -A tmp)" ]
}

@test "without ham or without spam there is nothing to fit: exit 2, -o file untouched" {
	lines 10 spam HEUR_A= >in
	echo old >out.w
	run --separate-stderr xd-score --fit -w /dev/null -o out.w <in
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs labelled lines of both classes"* ]]
	[ "$(cat out.w)" = old ]
}

@test "--max-sets bounds memory: past it nothing is written, exit 2" {
	{
		lines 1 ham HEUR_A=
		lines 1 ham HEUR_B=
		lines 1 spam HEUR_C=
	} >in
	run --separate-stderr xd-score --fit --max-sets 2 -w /dev/null <in
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"more than 2 distinct symbol sets"* ]]
	[ -z "$output" ]
	run xd-score --fit --max-sets 3 -w /dev/null <in
	[ "$status" -eq 0 ]
}

@test "a bad weights file is an error before any fit" {
	one_symbol
	echo 'HEUR_A x' >bad
	run xd-score --fit -w bad <in
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad:1: not a number"* ]]
}

@test "bad option values and mixed modes are usage errors" {
	for args in "--lambda 0" "--lambda x" "--ham-cost 0" "--ham-loss 1.5" \
	    "--sure-loss -1" "--max-sets 0" "--explain" "--check" "-p /dev/null" \
	    "--inner-folds 1" "--inner-folds 21" "--bound 0" "--sure-margin -1"; do
		# shellcheck disable=SC2086
		run xd-score --fit $args </dev/null
		[ "$status" -eq 2 ] || { echo "--fit $args: $status"; return 1; }
	done
	run xd-score -o w </dev/null
	[ "$status" -eq 2 ]
	run xd-score --keep-unseen </dev/null
	[ "$status" -eq 2 ]
}

@test "--keep-unseen keeps the hand weights of symbols no training line had" {
	one_symbol
	printf '%s\n' "threshold spam 5" "threshold surespam 12" \
	    "calibration -1 0.5" "HEUR_A 9" "RBL_ZEN 3.5" \
	    "RBL_ZEN=127.0.0.2 4" "RBL_* 1" >base
	xd-score --fit -w base <in >plain
	run xd-score --fit --keep-unseen -w base <in
	[ "$status" -eq 0 ]
	echo "$output" >kept
	# the fit is the same; what no line had follows, times the base's B
	[ "$(weight HEUR_A kept)" = "$(weight HEUR_A plain)" ]
	[ "$(weight RBL_ZEN kept)" = "1.7500" ]
	[ "$(weight RBL_ZEN=127.0.0.2 kept)" = "2.0000" ]
	[ "$(weight 'RBL_*' kept)" = "0.5000" ]
	grep -q '^RBL_ZEN .*# kept$' kept
	[ -z "$(weight RBL_ZEN plain)" ]
	# a file xd-score scores with: RBL_ZEN is what it was, in log odds
	printf 'm1\tRBL_ZEN=127.0.0.4\n' | xd-score -w kept >out
	grep -q "score=1.75${T}" out
}

@test "--help lists the fit options" {
	run xd-score --help
	[ "$status" -eq 0 ]
	for o in --fit --output --lambda --inner-folds --bound --ham-cost --ham-loss \
	    --sure-loss --sure-margin --max-sets --keep-unseen --fit-report; do
		[[ "$output" == *"$o"* ]] || { echo "no $o"; return 1; }
	done
}
