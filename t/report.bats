#!/usr/bin/env bats
# What a sysadmin looks at for one message: xd check -c (spamc -c),
# xd check -R (each symbol, its weight and description), xd explain (in
# sentences, Bayes included), and the descriptions behind them.

load helper

HAM="$SAMPLES/ham/cur/1700000101.M101P2101.mx.example.org:2,S"
SPAM="$SAMPLES/spam/cur/1700001101.M1101P3101.mx.example.org:2,"

# A store of the test's own, and the default stages.
own_store() {
	printf 'store = %s/store\n' "$PWD" >"$XD_CONF"
	[ $# -eq 0 ] || printf '%s\n' "$@" >>"$XD_CONF"
}

# The score= xd check gives the message: what -c must print.
score_of() {
	field score "$(xd -q check "$1" | grep -v '^#')"
}

# --- xd check -c ----------------------------------------------------------

@test "check -c on ham prints score/threshold and exits 0" {
	own_store
	want="$(score_of "$HAM")/5.00"
	run --separate-stderr xd -q check -c "$HAM"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "check -c on spam prints score/threshold and exits 1" {
	own_store
	want="$(score_of "$SPAM")/5.00"
	run --separate-stderr xd -q check -c "$SPAM"
	[ "$status" -eq 1 ]
	[ "$output" = "$want" ]
}

@test "check -c exits 1 for surespam too, and the threshold is that of spam" {
	own_store
	printf 'HEUR_HTML_ONLY 20\nthreshold spam 4\n' >w
	run --separate-stderr xd -q check -c -w w "$SPAM"
	[ "$status" -eq 1 ]
	[[ "$output" == */4.00 ]]
	xd -q check -w w "$SPAM" | grep -q 'class=surespam'
}

@test "check -c - reads one message from standard input" {
	own_store
	want="$(score_of "$SPAM")/5.00"
	run --separate-stderr xd -q check -c - <"$SPAM"
	[ "$status" -eq 1 ]
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
	run --separate-stderr xd -q check -c - <"$HAM"
	[ "$status" -eq 0 ]
}

@test "check -c reads one message: a file that looks like an mbox is not split" {
	own_store
	{ echo 'From a@example.net Tue Nov 14 22:14:58 2023'; cat "$HAM"
	  echo; echo 'From a@example.net Tue Nov 14 22:15:58 2023'; cat "$HAM"; } >two
	run --separate-stderr xd -q check -c two
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "check -c on a file that cannot be read exits 3 and says why" {
	own_store
	run --separate-stderr xd -q check -c "$PWD/nosuch"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"$PWD/nosuch: cannot read"* ]]
	if [ "$(id -u)" != 0 ]; then
		cp "$HAM" locked
		chmod 000 locked
		run xd -q check -c locked
		[ "$status" -eq 3 ]
	fi
}

@test "check -c exits 3 when a stage fails" {
	own_store 'stages = heur' 'rules = /nonexistent/rules'
	run --separate-stderr xd -q check -c "$HAM"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"a stage failed"* ]]
}

@test "xd-score -c exits 3 for a line with error=, and names it" {
	printf '#xd-stream 1\nm1\tSPF_FAIL=x\terror=xd-heur:unreadable\n' >in
	run --separate-stderr xd-score -c <in
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"m1: not checked in full: error=xd-heur:unreadable"* ]]
}

@test "xd-score -c: the worst line decides: 3 over 1 over 0" {
	printf '#xd-stream 1\nm1\nm2\tHEUR_GTUBE_TEST=\n' >in
	printf 'HEUR_GTUBE_TEST 50\n' >w
	run xd-score -c -w w <in
	[ "$status" -eq 1 ]
	[ "$output" = "0.00/5.00
50.00/5.00" ]
	printf 'm3\terror=xd-rbl:x\n' >>in
	run --separate-stderr xd-score -c -w w <in
	[ "$status" -eq 3 ]
}

@test "check -c and -R take one message: usage errors exit 2" {
	own_store
	run xd -q check -c "$HAM" "$SPAM"
	[ "$status" -eq 2 ]
	run xd -q check -c -R "$HAM"
	[ "$status" -eq 2 ]
	run xd -q check -c --label ham "$HAM"
	[ "$status" -eq 2 ]
	run --separate-stderr xd -q check -c "$SAMPLES/ham"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"a directory"* ]]
}

@test "check without -c keeps exit 1 for lines with errors" {
	own_store
	run --separate-stderr xd -q check "$HAM" "$PWD/nosuch"
	[ "$status" -eq 1 ]
}

# --- xd check -R ----------------------------------------------------------

@test "check -R lists each symbol that counted with its weight and description" {
	own_store
	line=$(xd -q check "$SPAM" | grep -v '^#')
	run --separate-stderr xd -q check -R "$SPAM"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[[ "$output" == *"+0.50  HEUR_HTML_ONLY            HTML and no plain text part"* ]]
	# every symbol of the line, each with a description
	for s in $(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p'); do
		grep -Eq "^ +[-+][0-9]+\.[0-9]{2}  $s " <<<"$output" ||
		    { echo "$s is not in the report"; return 1; }
	done
	[[ "$output" != *"(no description)"* ]]
	[[ "$output" == *"score $(field score "$line") (spam from 5.00, surespam from 12.00)"* ]]
	[[ "$output" == *"class surespam:"* ]]
}

@test "check -R on ham exits 0; on - it reads standard input" {
	own_store
	run --separate-stderr xd -q check -R - <"$HAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"class ham:"* ]]
}

@test "-R: a symbol without a description is reported as such, never left out" {
	printf '#xd-stream 1\nm1\tZZ_MADE_UP=x\tHEUR_NO_DATE=\n' >in
	printf 'ZZ_MADE_UP 2\n' >w
	run xd-score -R -w w <in
	[ "$status" -eq 0 ]
	[[ "$output" == *"+2.00  ZZ_MADE_UP                (no description) [x]"* ]]
	[[ "$output" == *"HEUR_NO_DATE              No Date:"* ]]
}

@test "-R shows a symbol's value with control characters made harmless" {
	printf '#xd-stream 1\nm1\tHEUR_SUBJ_BANG=a\033[2Jb%%09c\302\233d\n' >in
	run xd-score -R <in
	[ "$status" -eq 0 ]
	[[ "$output" == *"[a?[2Jb?c?d]"* ]]
	[[ "$output" != *$'\033'* ]]
}

@test "-R names the policy rule that decided" {
	printf '#xd-stream 1\nm1\tHEUR_NO_DATE=\tfrom=a@example.net\n' >in
	printf 'allow from a@example.net\n' >p
	run xd-score -R -p p <in
	[ "$status" -eq 0 ]
	[[ "$output" == *"policy p:1: allow from a@example.net"* ]]
	[[ "$output" == *"class ham: policy allow"* ]]
}

# --- descriptions ---------------------------------------------------------------

@test "every symbol of share/weights and every shipped rule has a description" {
	: >"$XD_CONF"
	names=$(sed -n 's/^\([A-Z][A-Za-z0-9_.*-]*\)[=[:space:]].*/\1/p' \
	    "$REPO/share/weights" | sort -u)
	rules=$(xd-heur --weights | sed 's/^# //' | cut -f1 | grep '^[A-Z]')
	[ "$(printf '%s\n' "$names" | wc -l)" -gt 100 ]
	[ "$(printf '%s\n' "$rules" | wc -l)" -gt 40 ]
	# shellcheck disable=SC2086
	run --separate-stderr xd-score --describe $names $rules
	missing=$(printf '%s\n' "$output" | grep -F '(no description)' | cut -f1)
	if [ -n "$missing" ]; then
		echo "no description for:" $missing
		echo "give each a line in share/descriptions, or a rule a describe line"
		return 1
	fi
	[ "$status" -eq 0 ]
}

@test "--describe: the table, a family by its pattern, a rule's describe line" {
	: >"$XD_CONF"
	run xd-score --describe HEUR_NO_DATE RBL_SOMELIST 'RBL_*' RBL_DEEP_SOMELIST
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "HEUR_NO_DATE	No Date:" ]
	[ "${lines[1]}" = "RBL_SOMELIST	$(xd-score --describe 'RBL_*' | cut -f2)" ]
	[ "${lines[3]}" = "RBL_DEEP_SOMELIST	$(xd-score --describe 'RBL_DEEP_*' | cut -f2)" ]
	[ "${lines[1]}" != "${lines[3]#RBL_DEEP_}" ]
	printf 'body LOCAL_TEST /zzyzx/\ndescribe LOCAL_TEST Mentions the road to Zzyzx\n' >local.cf
	echo "rules = $PWD/local.cf" >"$XD_CONF"
	run xd-score --describe LOCAL_TEST
	[ "$output" = "LOCAL_TEST	Mentions the road to Zzyzx" ]
}

@test "--describe of a symbol no one describes: exit 1, named on stderr" {
	: >"$XD_CONF"
	run --separate-stderr xd-score --describe HEUR_NO_DATE NO_SUCH_SYMBOL
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "NO_SUCH_SYMBOL	(no description)" ]
	[[ "$stderr" == *"NO_SUCH_SYMBOL: no description"* ]]
}

@test "a bad line of share/descriptions is an error at file:line" {
	mkdir share
	for f in weights policy rules; do ln -s "$REPO/share/$f" share/; done
	printf '# ok\nHEUR_NO_DATE\tNo Date:\nlower_case\tnot a symbol\nHEUR_NO_DATE twice\nRBL_X\n' \
	    >share/descriptions
	printf '#xd-stream 1\nm1\tHEUR_NO_DATE=\n' >in
	XD_SHARE=$PWD/share run --separate-stderr xd-score -R <in
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"share/descriptions:3: a symbol name"* ]]
	[[ "$stderr" == *"share/descriptions:4: listed twice"* ]]
	[[ "$stderr" == *"share/descriptions:5: expected"* ]]
	rm share/descriptions
	XD_SHARE=$PWD/share run --separate-stderr xd-score -R <in
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"share/descriptions"* ]]
}

# --- xd explain -----------------------------------------------------------------

@test "explain on an untrained store: not trained yet, what Bayes needs, how to train" {
	own_store
	run --separate-stderr xd -q explain "$SPAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"It is sure spam: it scored $(score_of "$SPAM"), at or above the 12.00 where sure spam starts"* ]]
	[[ "$output" == *"What raised its score most:"* ]]
	[[ "$output" == *"HEUR_HTML_SAME_COLOR: Text in the colour of its background"* ]]
	[[ "$output" == *"not trained yet: 0 ham and 0 spam learned, Bayes needs at least 100 of each"* ]]
	[[ "$output" == *"xd learn ham"* ]]
}

@test "explain counts what was learned while it is too little" {
	own_store
	xd -q learn ham "$SAMPLES/ham" 2>/dev/null
	xd -q learn spam "$SAMPLES/spam" 2>/dev/null
	run --separate-stderr xd -q explain "$HAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"not trained yet: 7 ham and 6 spam learned, Bayes needs at least 100 of each"* ]]
	own_store 'bayes_min_learned = 20'
	run --separate-stderr xd -q explain "$HAM"
	[[ "$output" == *"Bayes needs at least 20 of each"* ]]
}

@test "explain on a trained store says what Bayes said" {
	own_store 'bayes_min_learned = 5'
	xd -q learn ham "$SAMPLES/ham" 2>/dev/null
	xd -q learn spam "$SAMPLES/spam" 2>/dev/null
	run --separate-stderr xd -q explain "$SPAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Bayes: it reads like the spam it learned (BAYES="*"BAYES_99 +"* ]]
	[[ "$output" != *"not trained"* ]]
	run --separate-stderr xd -q explain - <"$HAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"It is ham, not spam"* ]]
	[[ "$output" == *"Bayes: it reads like the ham it learned (BAYES="*"BAYES_00 -"* ]]
	[[ "$output" == *"What lowered it:"* ]]
}

@test "explain without the bayes stage says Bayes did not look" {
	own_store 'stages = heur'
	run --separate-stderr xd -q explain "$HAM"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Bayes did not look at it"* ]]
}

@test "explain of a file that cannot be read exits 3; usage exits 2" {
	own_store
	run --separate-stderr xd -q explain "$PWD/nosuch"
	[ "$status" -eq 3 ]
	run xd -q explain
	[ "$status" -eq 2 ]
	run xd -q explain "$HAM" "$SPAM"
	[ "$status" -eq 2 ]
}

@test "xd-score --why tells a policy's decision and what was not checked" {
	printf '#xd-stream 1\nm1\tHEUR_NO_DATE=\tfrom=a@example.net\terror=xd-rbl:dns\n' >in
	printf 'block from a@example.net\n' >p
	run --separate-stderr xd-score --why -p p <in
	[ "$status" -eq 3 ]
	[[ "$output" == *"It is sure spam because the policy blocks it"*"p:1: block from a@example.net"* ]]
	[[ "$output" == *"It was not checked in full: xd-rbl:dns."* ]]
}

@test "xd-bayes --explain on an untrained store says so on stderr" {
	own_store
	xd-parse -- "$HAM" >in
	run --separate-stderr xd-bayes --explain <in
	[ "$status" -eq 0 ]
	[[ "$output" == *"BAYES_UNTRAINED=ham:0,spam:0"* ]]
	[[ "$stderr" == *"BAYES_UNTRAINED	not trained yet: 0 ham and 0 spam learned, Bayes needs at least 100 of each"* ]]
}
