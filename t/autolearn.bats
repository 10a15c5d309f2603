#!/usr/bin/env bats
# Learning that starts by itself: xd filter learns clear spam and clear
# ham into xd-bayes once the message is delivered, judged by the score
# without the symbols the store learned; never what a policy or an
# allow list decided, never more than autolearn_max_per_hour an hour,
# and never in xd check, xd eval or xd-score alone.

load helper

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	export XD_RESOLVER=none
	mkdir -p "$HOME"
	cd "$BATS_TEST_TMPDIR" || return 1
	# Two body rules of the test's own: one makes clear spam, one a
	# middle score; the rest of xd's symbols weigh nothing here.
	printf 'body AL_SPAMMY /zqxspam/\nbody AL_MIDDLE /zqxmiddle/\n' >r.cf
	printf 'threshold spam 5\nthreshold surespam 20\nAL_SPAMMY 15\nAL_MIDDLE 3\n' >w
	printf 'allow from alice@example.org\n' >policy
	printf 'stages = heur bayes\nrules = %s/r.cf\nweights = %s/w\npolicy = %s/policy\nstore = %s/store.lmdb\n' \
	    "$PWD" "$PWD" "$PWD" "$PWD" >"$XD_CONF"
}

# mail FILE FROM BODY: a message from FROM saying BODY.
mail() {
	msg "$1" <<MSG
From: Someone <$2>
To: bob@example.net
Subject: a note
Date: Mon, 1 Jan 2024 10:00:00 +0000
Message-ID: <$1.$RANDOM@example.com>

$3
MSG
}

# learned CLASS: how many messages the store learned as CLASS.
learned() {
	xd-bayes -S | awk -v k="$1" '$1 == k { print $2 }'
}

# learner_fails: xd-bayes --learn fails; classifying still works.
learner_fails() {
	mkdir -p failbin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = xd-bayes ] || ln -sf "$t" failbin/
	done
	cat >failbin/xd-bayes <<SH
#!/bin/sh
case " \$* " in
*" --learn "*) cat >/dev/null; echo "xd-bayes: the disk is full" >&2; exit 1 ;;
esac
exec "$XD_BIN/xd-bayes" "\$@"
SH
	chmod +x failbin/xd-bayes
	PATH="$PWD/failbin:$PATH"
}

@test "clear spam through xd filter is learned as spam, after the verdict is written" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	xd filter <spam.eml >out.eml
	grep -q '^X-XD-Class: spam' out.eml
	[ "$(learned spam)" = 1 ]
	[ "$(learned ham)" = 0 ]
	# the hour's counter sits beside the store
	[ "$(cut -d' ' -f2 store.lmdb.autolearn)" = 1 ]
}

@test "GTUBE through xd filter with the shipped weights and rules: learned as spam" {
	printf 'stages = heur bayes\nstore = %s/store.lmdb\n' "$PWD" >"$XD_CONF"
	mail gtube.eml carol@example.com \
	    'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
	xd filter <gtube.eml >out.eml
	grep -q '^X-XD-Class: surespam' out.eml
	[ "$(learned spam)" = 1 ]
}

@test "clear ham (score at most 0.1) is learned as ham" {
	mail ham.eml carol@example.com 'see you at lunch'
	xd filter <ham.eml >out.eml
	grep -q '^X-XD-Class: ham' out.eml
	[ "$(learned ham)" = 1 ]
	[ "$(learned spam)" = 0 ]
}

@test "a middle score is not learned" {
	mail mid.eml carol@example.com 'a zqxmiddle offer'
	xd filter <mid.eml >out.eml
	grep -q 'score=3.0' out.eml
	[ "$(learned ham)" = 0 ]
	[ "$(learned spam)" = 0 ]
}

@test "mail an allow list decided is not learned, whatever its score" {
	mail allowed.eml alice@example.org 'zqxspam, but from alice'
	xd filter <allowed.eml >out.eml
	grep -q '^X-XD-Class: ham' out.eml
	[ "$(learned ham)" = 0 ]
	[ "$(learned spam)" = 0 ]
}

@test "autolearn_spam and autolearn_ham move the thresholds" {
	echo 'autolearn_spam = 3' >>"$XD_CONF"
	sed -i 's/threshold spam 5/threshold spam 3/' w
	mail mid.eml carol@example.com 'a zqxmiddle offer'
	xd filter <mid.eml >/dev/null
	[ "$(learned spam)" = 1 ]
	echo 'autolearn_ham = -1' >>"$XD_CONF"
	mail ham.eml carol@example.com 'see you at lunch'
	xd filter <ham.eml >/dev/null
	[ "$(learned ham)" = 0 ]
}

@test "at most autolearn_max_per_hour are learned an hour, and the limit is said once" {
	echo 'autolearn_max_per_hour = 2' >>"$XD_CONF"
	for i in 1 2 3 4; do
		mail "spam$i.eml" carol@example.com "zqxspam number $i"
		xd filter <"spam$i.eml" >"out$i.eml" 2>"err$i"
		grep -q '^X-XD-Class: spam' "out$i.eml"
	done
	[ "$(learned spam)" = 2 ]
	[ ! -s err1 ] && [ ! -s err2 ] && [ ! -s err4 ]
	grep -q 'autolearn_max_per_hour' err3
	# a new hour starts the count again
	echo "$(($(date +%s) / 3600 - 1)) 3" >store.lmdb.autolearn
	xd filter <spam4.eml >/dev/null
	[ "$(learned spam)" = 3 ]
}

@test "autolearn = no: xd filter learns nothing" {
	echo 'autolearn = no' >>"$XD_CONF"
	mail spam.eml carol@example.com 'buy zqxspam now'
	xd filter <spam.eml >out.eml
	grep -q '^X-XD-Class: spam' out.eml
	[ "$(learned spam)" = 0 ]
	[ ! -e store.lmdb.autolearn ]
}

@test "xd check and xd-score never learn" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	mail ham.eml carol@example.com 'see you at lunch'
	run xd check -c spam.eml
	[ "$status" -eq 1 ]
	run xd check -c ham.eml
	[ "$status" -eq 0 ]
	xd check spam.eml ham.eml >/dev/null
	xd-parse spam.eml | xd-heur | xd-bayes | xd-score >/dev/null
	[ "$(learned spam)" = 0 ]
	[ "$(learned ham)" = 0 ]
}

@test "xd eval, share/eval.sh and t/accuracy.sh run no xd filter, so never autolearn" {
	# Only xd-filter passes xd-score --autolearn; the measurements
	# score with xd check and xd-score pipelines.
	run grep -nE 'xd[- ]filter|--autolearn|autolearn *=' "$REPO/share/eval.sh" \
	    "$REPO/t/accuracy.sh"
	[ "$status" -eq 1 ]
	run grep -n -- '--autolearn' "$REPO/bin/xd"
	[ "$status" -eq 1 ]
}

@test "a failing learner leaves the delivered message exactly as without autolearn" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	printf 'autolearn = no\n' >>"$XD_CONF"
	xd filter <spam.eml >without.eml
	sed -i '/^autolearn = no$/d' "$XD_CONF"
	learner_fails
	run --separate-stderr xd filter <spam.eml
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >with.eml
	cmp without.eml with.eml
	[[ "$stderr" == *"autolearn as spam: failed (xd-bayes, status 1)"* ]]
	[ "$(learned spam)" = 0 ]
}

# learner_hangs: xd-bayes --learn writes its pid into ./learning, and
# sleeps.
learner_hangs() {
	mkdir -p hangbin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = xd-bayes ] || ln -sf "$t" hangbin/
	done
	printf '#!/bin/sh\ncase " $* " in *" --learn "*) echo $$ >%s/learning; exec sleep 30 ;; esac\nexec %s/xd-bayes "$@"\n' \
	    "$PWD" "$XD_BIN" >hangbin/xd-bayes
	chmod +x hangbin/xd-bayes
}

@test "a learner that hangs is killed at filter_timeout; the message is out, exit 0" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	learner_hangs
	echo 'filter_timeout = 2' >>"$XD_CONF"
	run --separate-stderr env PATH="$PWD/hangbin:$PATH" xd filter <spam.eml
	[ "$status" -eq 0 ]
	[[ "$output" == *"X-XD-Class: spam"* ]]
	[[ "$stderr" == *"autolearn as spam: timeout (xd-bayes)"* ]]
}

@test "SIGTERM while learning: the learner is killed, the spool removed, exit 0 (the message is out)" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	learner_hangs
	mkdir tmp
	TMPDIR=$PWD/tmp PATH="$PWD/hangbin:$PATH" xd filter <spam.eml >out.eml &
	pid=$!
	for i in $(seq 100); do [ -e learning ] && break; sleep 0.1; done
	[ -s learning ]
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	grep -q '^X-XD-Class: spam' out.eml
	grep -q 'zqxspam now' out.eml
	[ -z "$(ls tmp)" ]
	# the learner went too
	for i in $(seq 50); do
		[ -e "/proc/$(cat learning)" ] || break
		sleep 0.1
	done
	[ ! -e "/proc/$(cat learning)" ]
}

@test "xd filter learns in one process what the tools composed learn: the same store" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	xd filter <spam.eml >/dev/null
	xd-bayes -S >in-process
	rm store.lmdb store.lmdb-lock store.lmdb.autolearn
	# an xd-bayes not of xd-check's build: xd filter composes the tools
	mkdir wrapbin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = xd-bayes ] || ln -sf "$t" wrapbin/
	done
	printf '#!/bin/sh\nexec %s/xd-bayes "$@"\n' "$XD_BIN" >wrapbin/xd-bayes
	chmod +x wrapbin/xd-bayes
	PATH="$PWD/wrapbin:$PATH" xd filter <spam.eml >/dev/null
	xd-bayes -S >composed
	diff in-process composed
	[ "$(learned spam)" = 1 ]
}

@test "xd-check --learn adds what it did to the --autolearn file, and wants one" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	id=$(stat -c %d:%i:%s spam.eml)
	xd-check --filter --single --spool "$id" --result verdict \
	    --autolearn al --learn -- spam.eml >out.eml
	grep -q '^X-XD-Class: spam' out.eml
	[ "$(cut -d' ' -f1 al | head -n 1)" = spam ]
	[ "$(sed -n 2p al)" = learned ]
	[ "$(learned spam)" = 1 ]
	run xd-check --filter --single --spool "$id" --result verdict \
	    --learn -- spam.eml
	[ "$status" -eq 2 ]
	[[ "$output" == *usage:* ]]
}

# counter_held SECONDS: another process holds the hour's counter.
counter_held() {
	touch store.lmdb.autolearn
	flock store.lmdb.autolearn sleep "$1" &
	for i in $(seq 50); do
		flock -n store.lmdb.autolearn true || return 0
		sleep 0.1
	done
	return 1
}

@test "in one process, a learning that cannot start is said; the checked message is delivered" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	counter_held 5
	run --separate-stderr xd filter <spam.eml
	[ "$status" -eq 0 ]
	[[ "$output" == *"X-XD-Class: spam"* ]]
	[[ "$output" != *"X-XD-Unchecked"* ]]
	[[ "$stderr" == *"store.lmdb.autolearn: Connection timed out; nothing learned"* ]]
	[ "$(learned spam)" = 0 ]
}

@test "in one process, learning past filter_timeout is killed; the checked message is delivered, exit 0" {
	mail spam.eml carol@example.com 'buy zqxspam now'
	echo 'filter_timeout = 1' >>"$XD_CONF"
	counter_held 5
	run --separate-stderr xd filter <spam.eml
	[ "$status" -eq 0 ]
	[[ "$output" == *"X-XD-Class: spam"* ]]
	[[ "$output" == *"buy zqxspam now"* ]]
	[[ "$output" != *"X-XD-Unchecked"* ]]
	[[ "$stderr" == *"autolearn: timeout (xd-autolearn)"* ]]
}

# --- what xd-score --autolearn says of a line -------------------------

@test "xd-score --autolearn leaves the learned symbols out: BAYES, LR, AWL, CKSUM_" {
	printf 'threshold spam 5\nthreshold surespam 20\nA 11\nBAYES_99 5\nCKSUM_SPAM 3\nCKSUM_BULK 1\nB -1\nAWL 1\nLR_99 2\n' >w2
	printf 'm1\tA=1\tBAYES=0.99\tBAYES_99=1\tCKSUM_SPAM=1\tCKSUM_BULK=1\n' |
	    xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "no 11.00" ]
	printf 'm1\tA=1\tLR=0.999\tLR_99=1\n' |
	    xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "no 11.00" ]
	printf 'm1\tA=1\tBAYES_99=1\tAWL=x\n' |
	    xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "no 11.00" ]
	printf 'threshold spam 5\nthreshold surespam 20\nA 12\n' >w3
	printf 'm1\tA=1\n' | xd-score -w w3 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "spam 12.00" ]
}

@test "xd-score --autolearn: an allow list's listing, a policy rule, error= and a disagreeing class stop it" {
	printf 'threshold spam 5\nthreshold surespam 20\nA 13\nRBLWL_* -1\nRBLWL_DNSWL_NONE 0\nBAYES_00 -9\nH -1\n' >w2
	printf 'm1\tA=1\tRBLWL_DNSWL_LOW=1\n' | xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "allowlist 12.00" ]
	printf 'm1\tA=1\tRBLWL_DNSWL_NONE=1\n' | xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "spam 13.00" ]
	printf 'block from x@example.com\n' >p
	printf 'm1\tA=1\tfrom=x@example.com\n' | xd-score -w w2 -p p --autolearn al >/dev/null
	[ "$(cat al)" = "policy 13.00" ]
	printf 'm1\tH=1\terror=xd-rbl:timeout\n' | xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "unchecked -1.00" ]
	# 13 without Bayes, but Bayes makes it ham: SpamAssassin's "disagree"
	printf 'm1\tA=1\tBAYES_00=1\n' | xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "disagree 13.00" ]
	printf 'm1\tH=1\n' | xd-score -w w2 -p /dev/null --autolearn al >/dev/null
	[ "$(cat al)" = "ham -1.00" ]
}
