#!/bin/sh
# eval-online.sh - xd eval --online: the TREC spam track's protocol.
# Messages are taken one at a time in order; each is classified, then
# learned at once as its true label, by xd and by bogofilter.  Run by
# "xd eval --online" (see xd(1)).
#
# Message content never reaches this shell: only file names and labels
# do, through files and pipes.
# shellcheck disable=SC2086 # stage lists are split on purpose

set -u
prog="xd eval"
LC_ALL=C
export LC_ALL
SHARE=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd)
TAB=$(printf '\t')

usage() {
	echo "usage: xd eval --online [-o dir] [--no-peers] index|dir" >&2
	exit 2
}
die() { echo "$prog: $*" >&2; exit 2; }
note() { echo "$prog: $*" >&2; }

. "$SHARE/eval-input.sh"

out=xd-eval peers=1
while [ $# -gt 0 ]; do
	case $1 in
	--online) ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	--no-peers) peers=0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
src=${1%/}
mkdir -p "$out" || die "$out: cannot create"
start=$(date +%s)
T=$(mktemp -d "${TMPDIR:-/tmp}/xd-eval.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
mkdir "$T/log" "$T/m" "$T/c" "$T/store" "$T/bogo"
export T
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME

if [ -d "$src" ]; then
	order="maildirs ham/ and spam/ in the order received (topmost Received date, else Date)"
	input_list "$src" | by_time >"$T/list" || exit 2
else
	order="the index's order"
	input_list "$src" >"$T/list" || exit 2
fi
N=$(wc -l <"$T/list")
NHAM=$(grep -c '^ham' "$T/list")
NSPAM=$((N - NHAM))
[ "$NHAM" -gt 0 ] && [ "$NSPAM" -gt 0 ] || die "$src: want ham and spam, has $NHAM ham and $NSPAM spam"
find_stages
offline_conf

# --- the stages that do not learn, once, in order; then each line apart --
note "$N messages ($NHAM ham, $NSPAM spam) in $order; stages that do not learn: ${STATELESS:-none}"
t0=$(date +%s)
parse_list "$T/list" | stages_through $STATELESS | drop_tempfail >"$T/all"
check_stages
[ "$(wc -l <"$T/all")" -eq "$N" ] || die "a stage lost lines"
awk -v d="$T/m" '{ f = d "/" NR; print >f; close(f) }' "$T/all"
t_parse=$(($(date +%s) - t0))

# --- xd: classify each message, then learn it as its label --------------
# classify_through STAGE...: standard input through each learning stage
# with its store; fails if any stage does (their statuses in $T/log).
classify_through() {
	if [ $# -eq 0 ]; then
		cat
		return
	fi
	l=$1
	shift
	{ "xd-$l" --store "lmdb:$T/store/$l" 2>>"$T/log/learners" ||
	    echo "xd-$l" >>"$T/log/failed"; } | classify_through "$@"
}

# One run of each learning stage per message and step: the stores stay
# on disk between them, as they do for xd filter and xd learn.
xd_online() {
	i=0
	cut -f1 "$T/list" | while read -r label; do
		i=$((i + 1))
		classify_through $LEARNERS <"$T/m/$i" >"$T/c/$i" || exit 1
		for l in $LEARNERS; do
			"xd-$l" --learn "$label" --store "lmdb:$T/store/$l" \
			    <"$T/m/$i" >/dev/null 2>>"$T/log/learners" || exit 1
		done
	done || exit 1
	[ ! -s "$T/log/failed" ] || exit 1
	i=0
	while [ "$i" -lt "$N" ]; do i=$((i + 1)); cat "$T/c/$i"; done |
	    xd-score -p /dev/null >"$T/scored" 2>>"$T/log/score"
	[ $? -le 1 ] || exit 1
	[ "$(grep -vc '^#' "$T/scored")" -eq "$N" ] || exit 1
	# gold, score, judgement, name (surespam is a judgement of spam)
	grep -v '^#' "$T/scored" | awk -F'\t' -v OFS='\t' '
	FNR == NR { gold[FNR] = $1; name[FNR] = $3; next }
	{
		score = 0; class = "ham"
		for (i = 2; i <= NF; i++)
			if ($i ~ /^score=/) score = substr($i, 7)
			else if ($i ~ /^class=/) class = substr($i, 7)
		print gold[FNR], score, (class == "ham" ? "ham" : "spam"), name[FNR]
	}' "$T/list" - >"$T/res.xd"
}

# --- bogofilter the same way: -TT to classify, then -s or -n ---------------
# -TT writes the score to 16 digits, where -T rounds it to two; spam is
# from its default cutoff, 0.99 (unsure is not caught).
bogo_online() {
	db=$T/bogo
	while IFS="$TAB" read -r label path _; do
		# Before its first message it has no word list: unsure.
		if [ -f "$db/wordlist.db" ]; then
			r=$(bogofilter -C -d "$db" -TT <"$path")
			[ $? -le 2 ] || exit 1
		else
			r=0.5
		fi
		case $label in
		spam) bogofilter -C -d "$db" -s <"$path" ;;
		*) bogofilter -C -d "$db" -n <"$path" ;;
		esac || exit 1
		echo "$r"
	done <"$T/list" >"$T/bogo.out"
	[ "$(wc -l <"$T/bogo.out")" -eq "$N" ] || exit 1
	awk -v OFS='\t' 'FNR == NR { split($0, f, "\t"); gold[FNR] = f[1]; name[FNR] = f[3]; next }
	{ print gold[FNR], $1, ($1 >= 0.99 ? "spam" : "ham"), name[FNR] }' \
	    "$T/list" "$T/bogo.out" >"$T/res.bogofilter"
}

SYSTEMS=xd
note "xd: classify, then learn, one message at a time (${LEARNERS:-no learning stage})"
t0=$(date +%s)
xd_online &
xdpid=$!
t_bogo=-
if [ "$peers" = 1 ] && command -v bogofilter >/dev/null 2>&1; then
	note "bogofilter beside it, the same way"
	bogo_online 2>"$T/log/bogo" ||
	    { kill "$xdpid"; wait; cat "$T/log/bogo" >&2; die "bogofilter failed"; }
	t_bogo=$(($(date +%s) - t0))
	SYSTEMS="xd bogofilter"
elif [ "$peers" = 1 ]; then
	note "bogofilter is not installed: xd alone"
fi
wait "$xdpid" || { tail -n 20 "$T/log/learners" "$T/log/score" >&2 2>/dev/null; die "xd's online run failed"; }
t_xd=$(($(date +%s) - t0))

# --- measures, results, plot ------------------------------------------------
measure() {
	sort -t "$TAB" -s -k2,2gr "$T/res.$1" >"$T/sorted.$1"
	awk -f "$SHARE/roca.awk" "$T/sorted.$1" "$T/sorted.$1"
}
field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

report() {
	echo "xd eval --online: $src: $N messages ($NHAM ham, $NSPAM spam)"
	echo "the TREC spam track's protocol: $order; each message classified, then"
	echo "learned as its label at once (immediate feedback); offline (no DNS), no autolearn"
	echo "xd: xd-parse, stages: ${STATELESS:-none}, then ${LEARNERS:-no learning stage} online; configured weights"
	echo
	printf '%-12s %-27s %7s %8s %9s %8s\n' "" "(1-ROCA)% [95% CI]" "LAM%" "ham lost" "spam miss" "caught at"
	printf '%-12s %-27s %7s %8s %9s %8s\n' "" "" "" "%" "%" "0.1% ham"
	for sys in $SYSTEMS; do
		m=$(measure "$sys")
		printf '%-12s %-27s %7s %8s %9s %7s%%\n' "$sys" \
		    "$(field "$m" roca) [$(field "$m" lo)-$(field "$m" hi)]" \
		    "$(field "$m" lam)" "$(field "$m" hm)" "$(field "$m" sm)" "$(field "$m" caught)"
	done
	echo
	echo "ham lost: ham judged spam or surespam; spam miss: spam judged ham."
	echo "time: parse and stages ${t_parse}s, xd online ${t_xd}s, bogofilter $([ "$t_bogo" = - ] && echo "not run" || echo "${t_bogo}s") (beside xd); total $(($(date +%s) - start))s"
	echo "in $out: report.txt, results.SYSTEM (TREC's \"file judgement score\"), online.png"
}

for sys in $SYSTEMS; do
	awk -F'\t' '{ print $4, $3, $2 }' "$T/res.$sys" >"$out/results.$sys"
done
report >"$T/report"
sh "$SHARE/eval-plot.sh" online "$T" "$out/online.png" $SYSTEMS ||
    note "no plot"
cp "$T/report" "$out/report.txt"
cat "$T/report"
