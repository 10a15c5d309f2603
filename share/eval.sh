#!/bin/sh
# eval.sh - xd eval: the accuracy of xd on labelled mail by 10-fold
# cross-validation, offline, beside bogofilter and SpamAssassin run on
# the same folds.  Run by "xd eval" (see xd(1)); "make accuracy" runs it
# on the development corpus.
#
# Message content never reaches this shell: only file names do, through
# files and pipes, never through eval or an unquoted expansion.

# Lists of fold numbers, stage names and numbers from awk are split into
# words on purpose; none holds a glob character or comes from mail.
# shellcheck disable=SC2046,SC2086

set -u
prog="xd eval"
LC_ALL=C
export LC_ALL
SHARE=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)

usage() {
	echo "usage: xd eval [-j jobs] [-k folds] [-o dir] [--fit options] [--sure-margin m] [--no-peers] [--sa-folds n] dir" >&2
	echo "       xd eval [options] --train list --test list | --split date dir" >&2
	echo "       xd eval --online [-o dir] [--no-peers] index|dir" >&2
	echo "       xd eval --untrained [-o dir] [--no-peers] [--sa-sample n] dir" >&2
	exit 2
}

die() {
	echo "$prog: $*" >&2
	exit 2
}

note() {
	echo "$prog: $*" >&2
}

. "$SHARE/eval-input.sh"

# --- sub-tasks, run in parallel through xargs: sh eval.sh __task ... ---

# The lines of the given folds (fold numbers as arguments) from the
# stream of every message, "all", which has no labels: no check stage
# sees one.  The file "folds" holds "fold<TAB>line<TAB>label".
fold_lines() {
	awk -F'\t' -v want=" $* " 'FNR == NR { fold[$2] = $1; next }
	    index(want, " " fold[FNR] " ") { print }' "$T/folds" "$T/all"
}

# The same with each line's label=, for learning.
labelled() {
	fold_lines "$@" | add_labels "$@"
}

# Standard input, lines of the given folds in order, with label= added.
add_labels() {
	awk -F'\t' -v want=" $* " '
	    FNR == NR { if (index(want, " " $1 " ")) lab[++n] = $3; next }
	    { print $0 "\tlabel=" lab[FNR] }' "$T/folds" -
}

# Standard input in an order fixed by a hash of each file name, which
# mixes the classes that xd-parse read one folder after the other.
interleaved() {
	awk -F'\t' -v OFS='\t' 'BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
	{
		p = $1; sub(/.*\//, "", p); h = 7
		for (i = 1; i <= length(p); i++)
			h = (h * 131 + ord[substr(p, i, 1)]) % 2147483629
		print h, $0
	}' | sort -n -k1,1 | cut -f2-
}

# Folds 0..K-1 except the ones given.
other_folds() {
	i=0
	while [ "$i" -lt "$K" ]; do
		case " $* " in *" $i "*) ;; *) printf '%s ' "$i" ;; esac
		i=$((i + 1))
	done
}

# task_store E...: a store learned by every learning stage from the
# folds other than E (one fold or two), then the lines of each fold of E
# classified by it.  The output for fold F is cls/E.F where E is the
# fold numbers joined by '-'.
task_store() {
	name=$(echo "$*" | tr ' ' '-')
	store=$T/store/$name
	mkdir -p "$store"
	# shellcheck disable=SC2046 # fold numbers, split on purpose
	labelled $(other_folds "$@") >"$store/train"
	for l in $LEARNERS; do
		# An online learner takes both classes in one stream, mixed
		# as mail comes: learned one class after the other it would
		# forget the first.
		if "xd-$l" --help 2>&1 | grep -q -- '--learn.*label'; then
			interleaved <"$store/train" |
			    "xd-$l" -q --learn label --store "$(store_url "$store" "$l")" \
			    >/dev/null || { echo "xd-$l --learn label failed" >&2; return 1; }
			continue
		fi
		for c in ham spam; do
			grep "$(printf '\tlabel=%s$' "$c")" "$store/train" |
			    "xd-$l" --learn "$c" --store "$(store_url "$store" "$l")" \
			    >/dev/null || { echo "xd-$l --learn $c failed" >&2; return 1; }
		done
	done
	for f in "$@"; do
		fold_lines "$f" | classify "$store" | grep -v '^#' \
		    >"$T/cls/$name.$f.tmp"
		# sh has no pipefail: a stage that failed wrote too few lines.
		[ "$(wc -l <"$T/cls/$name.$f.tmp")" -eq \
		    "$(fold_lines "$f" | wc -l)" ] ||
		    { echo "a learning stage lost lines of fold $f" >&2; return 1; }
		mv "$T/cls/$name.$f.tmp" "$T/cls/$name.$f" || return 1
	done
	rm -rf "$store"
}

store_url() {
	echo "lmdb:$1/$2"
}

# Standard input through every learning stage with the store of $1.
classify() {
	set -- "$1" $LEARNERS
	store=$1
	shift
	classify_through "$store" "$@"
}

classify_through() {
	if [ $# -eq 1 ]; then
		cat
		return
	fi
	store=$1
	l=$2
	shift 2
	"xd-$l" --store "$(store_url "$store" "$l")" |
	    classify_through "$store" "$@"
}

# task_fit K: weights fitted to the other folds, then fold K scored.
task_fit() {
	k=$1
	for j in $(other_folds "$k"); do
		if [ -n "$LEARNERS" ]; then
			if [ "$j" -lt "$k" ]; then e=$j-$k; else e=$k-$j; fi
			add_labels "$j" <"$T/cls/$e.$j"
		else
			labelled "$j"
		fi
	done >"$T/fit/$k.train"
	# Labels come back after the checks, for the measure.
	if [ -n "$LEARNERS" ]; then
		add_labels "$k" <"$T/cls/$k.$k" >"$T/fit/$k.test"
	else
		labelled "$k" >"$T/fit/$k.test"
	fi
	# shellcheck disable=SC2086 # options from this script only
	xd-score --fit $FIT_OPTS --fit-report "$T/fit/$k.report" \
	    -o "$T/fit/$k.weights" <"$T/fit/$k.train" ||
	    [ $? -eq 1 ] || return 1
	sure_margin "$k" || return 1
	xd-score -w "$T/fit/$k.weights" -p /dev/null <"$T/fit/$k.test" \
	    >"$T/fit/$k.scored" || [ $? -eq 1 ] || return 1
	# The log odds A + B * score rank messages across folds, whose
	# weights differ; class as xd-score gave it.
	awk -F'\t' -v k="$k" '
	FNR == NR { if ($1 == "calibration") { a = $2; b = $3 }; next }
	/^#/ { next }
	{
		label = "?"; score = ""; class = "?"
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^label=/) label = substr($i, 7)
			else if ($i ~ /^score=/) score = substr($i, 7)
			else if ($i ~ /^class=/) class = substr($i, 7)
		}
		if (score == "") { score = 0; class = "ham" }
		printf "xd\t%d\t%s\t%.4f\t%s\t%s\n", k, label, a + b * score, class, $1
	}' FS=' ' "$T/fit/$k.weights" FS='\t' "$T/fit/$k.scored" >"$T/res/xd.$k"
}

# sure_margin K: no ham may be surespam, so fold K's surespam threshold
# is raised to SURE_MARGIN above the highest training ham's score, set
# out of fold as every threshold is.
sure_margin() {
	xd-score -w "$T/fit/$1.weights" -p /dev/null <"$T/fit/$1.train" \
	    >"$T/fit/$1.trained" || [ $? -eq 1 ] || return 1
	awk -F'\t' -v m="$SURE_MARGIN" '
	FNR == NR {
		if ($0 ~ /\tlabel=ham/ && match($0, /\tscore=[-0-9.]+/)) {
			sc = substr($0, RSTART + 7, RLENGTH - 7) + 0
			if (!seen++ || sc > top) top = sc
		}
		next
	}
	{ split($0, w, /[ \t]+/) }
	w[1] == "threshold" && w[2] == "surespam" && seen && w[3] < top + m {
		printf "threshold surespam %.2f\t# %s above the highest training ham\n", top + m, m
		next
	}
	{ print }' "$T/fit/$1.trained" "$T/fit/$1.weights" >"$T/fit/$1.w2" &&
	    mv "$T/fit/$1.w2" "$T/fit/$1.weights"
}

# The files of the given folds, "label<TAB>path".
fold_files() {
	labelled "$@" | awk -F'\t' '{
		label = "?"
		for (i = 2; i <= NF; i++)
			if ($i ~ /^label=/) label = substr($i, 7)
		p = $1
		gsub(/%09/, "\t", p); gsub(/%0[Aa]/, "\n", p)
		gsub(/%0[Dd]/, "\r", p); gsub(/%25/, "%", p)
		print label "\t" p
	}'
}

# task_bogo K: bogofilter trained on the other folds, fold K classified.
# Its unsure class (U) delivers to the inbox: not caught.
task_bogo() {
	k=$1 db=$T/bogo/$k
	mkdir -p "$db"
	# shellcheck disable=SC2046
	fold_files $(other_folds "$k") >"$db/train"
	sed -n 's/^spam\t//p' "$db/train" | bogofilter -C -d "$db" -s -b || return 1
	sed -n 's/^ham\t//p' "$db/train" | bogofilter -C -d "$db" -n -b || return 1
	fold_files "$k" >"$db/test"
	cut -f2- "$db/test" | bogofilter -C -d "$db" -T -b >"$db/out"
	[ $? -le 2 ] || return 1
	# "path class score": the path may hold blanks, so from the end.
	awk -v k="$k" 'FNR == NR { label[FNR] = substr($0, 1, index($0, "\t") - 1); next }
	{
		c = $(NF - 1) == "S" ? "spam" : $(NF - 1) == "U" ? "unsure" : "ham"
		printf "bogofilter\t%d\t%s\t%s\t%s\t-\n", k, label[FNR], $NF, c
	}' "$db/test" "$db/out" >"$T/res/bogofilter.$k"
	[ "$(wc -l <"$T/res/bogofilter.$k")" -eq "$(wc -l <"$db/test")" ] ||
	    { echo "bogofilter wrote fewer lines than it read" >&2; return 1; }
	rm -rf "$db"
}

# task_sa K: SpamAssassin, local tests only, its Bayes learned from the
# other folds in a private directory, fold K checked.
task_sa() {
	k=$1 dir=$T/sa/$k
	mkdir -p "$dir/state"
	# shellcheck disable=SC2046
	fold_files $(other_folds "$k") >"$dir/train"
	HOME=$dir perl "$SHARE/eval-sa.pl" learn "$dir" <"$dir/train" || return 1
	fold_files "$k" >"$dir/test"
	cut -f2- "$dir/test" | HOME=$dir perl "$SHARE/eval-sa.pl" check "$dir" \
	    >"$dir/out" || return 1
	paste "$dir/test" "$dir/out" | awk -F'\t' -v k="$k" '
	{ printf "spamassassin\t%d\t%s\t%s\t%s\t-\n", k, $1, $4, $3 }' \
	    >"$T/res/spamassassin.$k"
	[ "$(wc -l <"$T/res/spamassassin.$k")" -eq "$(wc -l <"$dir/test")" ] ||
	    { echo "spamassassin wrote fewer lines than it read" >&2; return 1; }
	rm -rf "$dir"
}

if [ "${1:-}" = __task ]; then
	what=$2
	shift 2
	log=$T/log/$what.$(echo "$*" | tr ' ' '-')
	case $what in
	store) task_store "$@" ;;
	fit) task_fit "$@" ;;
	bogo) task_bogo "$@" ;;
	sa) task_sa "$@" ;;
	*) exit 2 ;;
	esac 2>"$log"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "$prog: $what $*: failed; its messages:" >&2
		tail -n 20 "$log" | sed 's/^/    /' >&2
		exit 255	# makes xargs stop
	fi
	exit 0
fi

# --- metrics, the report's rows and the plot: eval-report.sh -------------
. "$SHARE/eval-report.sh"

# --- main -------------------------------------------------------------------

self=$0
jobs=$(nproc 2>/dev/null || echo 2)
K=10
out=xd-eval
peers=1
sa_folds=
# The untrained row is a run of its own: no folds, no fits.
for a in "$@"; do
	[ "$a" = --untrained ] && exec sh "$(dirname -- "$0")/eval-untrained.sh" "$@"
	[ "$a" = --online ] && exec sh "$(dirname -- "$0")/eval-online.sh" "$@"
done
# xd-score --fit's own defaults: weights around the hand weights, the
# spam threshold out of fold for fit_ham_loss of the training ham, no
# training ham surespam; sure_margin then checks that margin in scores.
FIT_OPTS=
SURE_MARGIN=1
split='' train='' test=''
TAB=$(printf '\t')

while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
	-k) [ $# -ge 2 ] || usage; K=$2; shift ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	--fit) [ $# -ge 2 ] || usage; FIT_OPTS=$2; shift ;;
	--sure-margin) [ $# -ge 2 ] || usage; SURE_MARGIN=$2; shift ;;
	--train) [ $# -ge 2 ] || usage; train=$2; split='lists'; shift ;;
	--test) [ $# -ge 2 ] || usage; test=$2; split='lists'; shift ;;
	--split) [ $# -ge 2 ] && [ "$2" = date ] || usage; split='date'; shift ;;
	--no-peers) peers=0 ;;
	--sa-folds) [ $# -ge 2 ] || usage; sa_folds=$2; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
if [ "$split" = lists ]; then
	[ $# -eq 0 ] && [ -n "$train" ] && [ -n "$test" ] || usage
	dir="$train + $test"
else
	[ $# -eq 1 ] && [ -z "$train$test" ] || usage
	dir=${1%/}
fi
case $SURE_MARGIN in ''|*[!0-9.]*) usage ;; esac
# The folds tested: each of the K, or fold 0 alone for a split, whose
# training set is cut into K - 1 folds for the stores and the fit.
TESTED=$K
[ -z "$split" ] || TESTED=1
for n in "$jobs" "$K" "${sa_folds:-1}"; do
	case $n in ''|*[!0-9]*) usage ;; esac
done
[ "$jobs" -ge 1 ] || usage
if [ "$K" -lt 2 ] || [ "$K" -gt 100 ]; then
	die "-k $K: from 2 to 100 folds"
fi
: "${sa_folds:=$TESTED}"
[ "$sa_folds" -le "$TESTED" ] || sa_folds=$TESTED
[ "$split" = lists ] || for c in ham spam; do
	[ -d "$dir/$c/cur" ] || [ -d "$dir/$c/new" ] ||
	    die "$dir/$c: not a maildir (no cur/ or new/)"
done
# shellcheck disable=SC2086 # options, split on purpose
printf 'a\tlabel=ham\nb\tlabel=spam\n' | xd-score --fit $FIT_OPTS >/dev/null ||
    die "--fit '$FIT_OPTS': not options xd-score --fit takes"
mkdir -p "$out" || die "$out: cannot create"
start=$(date +%s)

T=$(mktemp -d "${TMPDIR:-/tmp}/xd-eval.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
mkdir "$T/log" "$T/cls" "$T/fit" "$T/res" "$T/store" "$T/bogo" "$T/sa"
export T K FIT_OPTS TAB SURE_MARGIN
# xd-heur's compiled rules are cached for the folds in the temporary
# directory, not the user's: nothing is written outside it and -o.
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME

# The check stages as configured, offline.  Stages that only ask DNS
# are left out; a stage that learns gets a store of its own per fold.
find_stages
offline_conf

# --- every message through xd-parse and the stages that do not learn ---
note "parsing $dir and running the stages that do not learn: ${STATELESS:-none}"
t0=$(date +%s)
if [ -n "$split" ]; then
	# The list of every message, training then test; each message's
	# role ("train" or "test") in a file of its own, as its label.
	split_list >"$T/list" || exit 2
	cut -f1 "$T/list" >"$T/labels"
	cut -f4 "$T/list" >"$T/roles"
	parse_list "$T/list" >"$T/parsed"
else
	{
		xd-parse --label=ham -- "$dir/ham"
		xd-parse --label=spam -- "$dir/spam"
	} 2>"$T/log/parse" | grep -v '^#' | awk -F'\t' -v OFS='\t' -v T="$T" '{
		# The label goes to a file of its own: no check stage sees it.
		line = $1; label = "?"
		for (i = 2; i <= NF; i++)
			if ($i ~ /^label=/) label = substr($i, 7)
			else line = line OFS $i
		print label >(T "/labels")
		print line
	}' >"$T/parsed"
fi
# shellcheck disable=SC2086
stages_through $STATELESS <"$T/parsed" | drop_tempfail >"$T/all"
check_stages
N=$(wc -l <"$T/all")
[ "$N" -eq "$(wc -l <"$T/parsed")" ] || die "a stage lost lines"
NHAM=$(grep -c '^ham$' "$T/labels")
NSPAM=$(grep -c '^spam$' "$T/labels")
if [ "$NHAM" -lt "$K" ] || [ "$NSPAM" -lt "$K" ]; then
	die "$dir: $NHAM ham and $NSPAM spam: too few for $K folds"
fi
export N

# Folds by a hash of the file name without its maildir flags (":2,S"),
# which change when a message is read: h = (31 h + byte) mod (2^31 - 1).
awk -F'\t' -v k="$K" 'BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
{
	p = $1
	gsub(/%09/, "\t", p); gsub(/%0[Aa]/, "\n", p)
	gsub(/%0[Dd]/, "\r", p); gsub(/%25/, "%", p)
	sub(/.*\//, "", p); sub(/:.*/, "", p)
	h = 0
	for (i = 1; i <= length(p); i++)
		h = (h * 31 + ord[substr(p, i, 1)]) % 2147483647
	getline label <(T "/labels")
	# A split tests fold 0 alone; its training lines are folded apart.
	if (sm != "") {
		getline role <(T "/roles")
		f = role == "test" ? 0 : 1 + h % (k - 1)
	} else
		f = h % k
	print f "\t" NR "\t" label
}' T="$T" sm="$split" "$T/all" >"$T/folds"
# Every training set needs both classes, and every fold a message.
bad=$(awk -F'\t' -v k="$K" '
{
	f = $1; n[f]++
	if ($3 == "spam") { s[f]++; S++ } else { h[f]++; H++ }
}
END {
	for (i = 0; i < k; i++)
		if (!n[i] || H - h[i] == 0 || S - s[i] == 0) { print i; exit }
}' "$T/folds")
[ -z "$bad" ] || die "$dir: too few messages for $K folds: fold $bad is empty, or the folds besides it lack ham or spam"
t_parse=$(($(date +%s) - t0))

# --- stores per fold for the stages that learn, then the fits ------------
t0=$(date +%s)
if [ -n "$LEARNERS" ]; then
	# Test lines of fold k get a store learned from every other fold.
	# The training lines of fold j, for test fold k, get a store
	# learned from neither j nor k: symbols of training lines are made
	# as they are for test lines, and the test fold is never learned.
	i=0
	while [ $i -lt "$TESTED" ]; do
		echo "store $i"
		j=$((i + 1))
		while [ $j -lt "$K" ]; do
			echo "store $i $j"
			j=$((j + 1))
		done
		i=$((i + 1))
	done >"$T/tasks.store"
	note "learning: $(wc -l <"$T/tasks.store") stores for ${LEARNERS}, $jobs at a time"
	xargs -P "$jobs" -L 1 sh "$self" __task <"$T/tasks.store" || die "a store failed"
fi
t_stores=$(($(date +%s) - t0))
t0=$(date +%s)
note "fitting weights and scoring, fold by fold"
i=0
while [ $i -lt "$TESTED" ]; do echo "fit $i"; i=$((i + 1)); done |
    xargs -P "$jobs" -L 1 sh "$self" __task || die "a fit failed"
t_fit=$(($(date +%s) - t0))
SYSTEMS=xd

# --- the peers on the same folds ---------------------------------------------
t_bogo=- t_sa=- peer_notes=
if [ "$peers" = 1 ] && command -v bogofilter >/dev/null 2>&1; then
	note "bogofilter, fold by fold"
	t0=$(date +%s)
	i=0
	while [ $i -lt "$TESTED" ]; do echo "bogo $i"; i=$((i + 1)); done |
	    xargs -P "$jobs" -L 1 sh "$self" __task || die "bogofilter failed"
	t_bogo=$(($(date +%s) - t0))
	SYSTEMS="$SYSTEMS bogofilter"
elif [ "$peers" = 1 ]; then
	peer_notes="${peer_notes}bogofilter is not installed (make accuracy PEERS=1 installs it)
"
fi
if [ "$peers" = 1 ] && [ "$sa_folds" -gt 0 ] &&
    perl -MMail::SpamAssassin -e 1 2>/dev/null; then
	note "spamassassin on $sa_folds of $K folds, $jobs at a time (slow: about 10 messages/s each)"
	t0=$(date +%s)
	i=0
	while [ $i -lt "$sa_folds" ]; do echo "sa $i"; i=$((i + 1)); done |
	    xargs -P "$jobs" -L 1 sh "$self" __task || die "spamassassin failed"
	t_sa=$(($(date +%s) - t0))
	SYSTEMS="$SYSTEMS spamassassin"
elif [ "$peers" = 1 ] && [ "$sa_folds" -gt 0 ]; then
	peer_notes="${peer_notes}spamassassin is not installed (make accuracy PEERS=1 installs it)
"
fi

# --- the report ----------------------------------------------------------------

sa_list=$(i=0; while [ $i -lt "$sa_folds" ]; do printf '%s ' $i; i=$((i + 1)); done)
sa_list=${sa_list% }
# folds_of SYSTEM: the folds it ran on.
folds_of() {
	if [ "$1" = spamassassin ] && [ "$sa_folds" -lt "$TESTED" ]; then
		echo "$sa_list"
	else
		echo all
	fi
}

report() {
	echo "xd eval: $dir: $N messages ($NHAM ham, $NSPAM spam)"
	case $split in
	lists) echo "a fixed split: trained on $train, tested on $test; offline (no DNS)" ;;
	date) echo "a time split: trained on the older half, tested on the newer (by the time received); offline (no DNS)" ;;
	*) echo "$K-fold cross-validation, folds by a hash of the file name; offline (no DNS)" ;;
	esac
	[ -z "$split" ] || echo "tested: $(results xd all | awk -F'\t' '{ n[$3]++ } END { printf "%d ham, %d spam", n["ham"], n["spam"] }'); the training set in $((K - 1)) folds for the fit"
	echo "xd: xd-parse, stages: ${STATELESS:-none} (once), ${LEARNERS:-no learning stage}${LEARNERS:+ (learned per fold)}${LEFTOUT:+; left out: $LEFTOUT}"
	echo "    weights: xd-score --fit${FIT_OPTS:+ $FIT_OPTS} on the $((K - 1)) training folds; surespam at least $SURE_MARGIN above their highest ham"
	echo "    ham lost: ham given class spam or surespam; no autolearn"
	echo
	printf '%-22s %-19s %-15s  %-8s  %-8s  %s\n' "" "spam caught" \
	    "ham lost" "surespam" accuracy "ROC AUC"
	printf '%-22s %-19s %-15s  %-8s  %-8s  %s\n' "" "" "" "ham" "" ""
	for sys in $SYSTEMS; do
		f=$(folds_of "$sys")
		name=$sys
		case $sys in
		xd) name="xd (own thresholds)" ;;
		bogofilter) name="bogofilter (-C)" ;;
		spamassassin) name="spamassassin -L" ;;
		esac
		[ "$f" = all ] || name="$name *"
		row "$name" "$sys" $f
		if [ "$f" != all ]; then
			row "xd on the same *" xd $f
		fi
	done
	echo
	echo "spam caught at 0.1% ham lost, each filter's threshold read off its test ranking:"
	for sys in $SYSTEMS; do
		f=$(folds_of "$sys")
		set -- $(metrics "$sys" $f)
		pn=$3 ph=$2
		set -- $(at_loss "$sys" $((ph / 1000)) $f)
		printf '  %-13s %5d of %d (%s), %d of %d ham lost\n' "$sys" "$1" "$pn" \
		    "$(pct "$1" "$pn")" "$2" "$ph"
	done
	if [ "$SYSTEMS" != xd ]; then
		echo
		echo "xd at each peer's own operating point: xd's threshold set on its pooled"
		echo "test ranking to lose no more ham than the peer (a comparison of rankings;"
		echo "xd's own thresholds, above, are set on training folds only):"
	fi
	for sys in $SYSTEMS; do
		[ "$sys" = xd ] && continue
		f=$(folds_of "$sys")
		set -- $(metrics "$sys" $f)
		pn=$3 pc=$4 pl=$5
		set -- $(at_loss xd "$pl" $f)
		xc=$1 xl=$2
		if [ "$xl" -le "$pl" ] && [ "$xc" -gt "$pc" ]; then v=better
		elif [ "$xc" -eq "$pc" ]; then v=even
		else v=WORSE; fi
		printf '  %-13s ham lost %3d: spam caught: xd %5d (%s), %s %5d (%s)  xd %s\n' \
		    "$sys" "$pl" "$xc" "$(pct "$xc" "$pn")" "$sys" "$pc" \
		    "$(pct "$pc" "$pn")" "$v"
	done
	echo
	echo "xd's prob= on the test folds (calibration: the two columns should agree):"
	calibration
	set -- $(metrics xd all)
	maxlost=$(($2 / 1000))
	echo
	echo "targets (xd at its own thresholds, every fold):"
	target "ham called spam <= 0.1% ($maxlost of $2)" "$([ "$5" -le "$maxlost" ] && echo 1)" "$5 ($(pct "$5" "$2" 3))"
	target "spam caught >= 99%" "$(awk -v c="$4" -v s="$3" 'BEGIN { if (c >= 0.99 * s) print 1 }')" "$(pct "$4" "$3")"
	target "no ham called surespam" "$([ "$6" -eq 0 ] && echo 1)" "$6"
	echo
	echo "time: parse and stages ${t_parse}s, stores ${t_stores}s, fits and scoring ${t_fit}s; bogofilter $(secs "$t_bogo"), spamassassin $(secs "$t_sa"); total $(($(date +%s) - start))s on $jobs jobs"
	if [ "$sa_folds" -lt "$TESTED" ] && [ "${SYSTEMS#*spamassassin}" != "$SYSTEMS" ]; then
		echo "* spamassassin ran on folds $sa_list only (--sa-folds $sa_folds), for time: compare it with xd on the same folds"
	fi
	printf '%s' "$peer_notes"
	case " $SYSTEMS " in *" bogofilter "*)
		echo "bogofilter: its built-in defaults (-C: spam from 0.99, unsure from 0.45; unsure is"
		echo "  not caught), trained on the training folds." ;;
	esac
	case " $SYSTEMS " in *" spamassassin "*)
		echo "spamassassin: its shipped rules, local tests only (no DNS), Bayes learned from the"
		echo "  training folds, no auto-learn or expiry; spam from its required score." ;;
	esac
}

# calibration: xd's test messages by prob= band, the mean prob= beside
# the fraction that is spam.
calibration() {
	results xd all | awk -F'\t' '
	BEGIN {
		split("0 0.01 0.1 0.5 0.9 0.99 0.999 1.0001", edge, " ")
		printf "  %-14s %8s %10s %10s\n", "prob=", "messages", "mean prob", "spam"
	}
	{
		p = 1 / (1 + exp(-$4))
		for (b = 1; p >= edge[b + 1]; b++)
			;
		n[b]++; sum[b] += p; spam[b] += $3 == "spam"
	}
	END {
		for (b = 1; b <= 7; b++)
			if (n[b])
				printf "  %-14s %8d %10.4f %10.4f\n",
				    edge[b] " to " (b == 7 ? 1 : edge[b + 1]), n[b],
				    sum[b] / n[b], spam[b] / n[b]
	}'
}

secs() {
	if [ "$1" = - ]; then echo "not run"; else echo "${1}s"; fi
}

target() {
	if [ "$2" = 1 ]; then r=PASS; else r=MISS; fi
	printf '  %-4s %-44s %s\n' "$r" "$1" "$3"
}

report >"$T/report"
for sys in $SYSTEMS; do
	results "$sys" all
done >"$out/results.tsv"
rm -rf "$out/weights" "$out/scored"
mkdir -p "$out/weights" "$out/scored"
i=0
while [ $i -lt "$TESTED" ]; do
	cp "$T/fit/$i.weights" "$out/weights/fold-$i"
	cp "$T/fit/$i.report" "$out/weights/fold-$i.report"
	cp "$T/fit/$i.scored" "$out/scored/fold-$i"
	i=$((i + 1))
done
# Weights for use: fitted to every message, each with the symbols of a
# store that did not learn its fold; the configured weights of what no
# message had (the DNS checks, left out here) kept.  A split has one
# test set: its weights are those of fold-0.
i=0
while [ -z "$split" ] && [ $i -lt "$K" ]; do
	if [ -n "$LEARNERS" ]; then
		add_labels "$i" <"$T/cls/$i.$i"
	else
		labelled "$i"
	fi
	i=$((i + 1))
done >"$T/fit/all"
[ -n "$split" ] || xd-score --fit --keep-unseen $FIT_OPTS -o "$out/weights/all" \
    <"$T/fit/all" 2>>"$T/log/fit-all" ||
    [ $? -eq 1 ] || note "the fit to every message failed: no weights/all"
rm -f "$out/accuracy.png"
plot "$out/accuracy.png"
if [ -f "$out/accuracy.png" ]; then png=", the plot accuracy.png"; else png=; fi
{
	echo "in $out: report.txt, results.tsv (per message), weights/fold-K, the fit's"
	echo "  report weights/fold-K.report and scored/fold-K (per fold), weights/all"
	echo "  (fitted to every message)$png"
} >>"$T/report"
cp "$T/report" "$out/report.txt"
cat "$T/report"
