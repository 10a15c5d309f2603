#!/usr/bin/env bats
# xd-score --fit: weights fitted by logistic regression to labelled
# lines.  The streams are made here so that the answers can be worked
# out by hand: with one symbol and almost no penalty, the fit is the
# log odds of spam with and without it.

load helper

T=$'\t'

# lines N LABEL [FIELD...]: N stream lines with label=LABEL and the fields.
lines() {
	local n=$1 label=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		local IFS=$T
		printf '%s\n' "m$label$RANDOM$i${T}label=$label${*:+$T$*}"
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

@test "the thresholds are where prob= reaches 0.9 and 0.999" {
	one_symbol
	xd-score --fit -w /dev/null <in >w
	a=$(calib w)
	[ "$(threshold w spam)" = "$(awk -v a="$a" 'BEGIN { printf "%.2f", log(9) - a + 0.004999 }')" ]
	[ "$(threshold w surespam)" = "$(awk -v a="$a" 'BEGIN { printf "%.2f", log(999) - a + 0.004999 }')" ]
	printf 'x\tHEUR_A=\tHEUR_B=\n' | xd-score -w w >out
	grep -q '# prob 0.9$' w
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

@test "--ham-loss raises the spam threshold until few enough training ham reach it" {
	# 10 of 100 ham have A, and 200 of 205 spam: at prob 0.9 they are
	# spam; a loss of at most 5% needs the threshold above A's weight.
	{
		lines 90 ham
		lines 10 ham HEUR_A=
		lines 5 spam
		lines 200 spam HEUR_A=
	} >in
	xd-score --fit -w /dev/null <in >w0
	xd-score --fit --ham-loss 0.05 -w /dev/null <in >w
	a=$(weight HEUR_A w)
	awk -v t="$(threshold w0 spam)" -v a="$a" 'BEGIN { exit !(a >= t) }'
	awk -v t="$(threshold w spam)" -v a="$a" 'BEGIN { exit !(t > a) }'
	grep -q 'raised from' w
	# A loss of 10% allows them: the threshold stays.
	xd-score --fit --ham-loss 0.1 -w /dev/null <in >w2
	[ "$(threshold w2 spam)" = "$(threshold w0 spam)" ]
}

@test "--sure-loss 0 puts surespam above every training ham" {
	# One ham has what 3000 spam have: prob 0.9997, surespam.
	{
		lines 99 ham
		lines 1 ham HEUR_A= HEUR_B=
		lines 10 spam
		lines 3000 spam HEUR_A= HEUR_B=
	} >in
	xd-score --fit --lambda 0.01 -w /dev/null <in >w0
	xd-score --fit --lambda 0.01 --sure-loss 0 -w /dev/null <in >w
	xd-score -w w <in | grep 'label=ham' | grep -c 'class=surespam' >n || true
	[ "$(cat n)" -eq 0 ]
	xd-score -w w0 <in | grep 'label=ham' | grep -q 'class=surespam'
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
	    "--sure-loss -1" "--max-sets 0" "--explain" "--check" "-p /dev/null"; do
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
	for o in --fit --output --lambda --ham-cost --ham-loss --sure-loss --max-sets --keep-unseen; do
		[[ "$output" == *"$o"* ]] || { echo "no $o"; return 1; }
	done
}
