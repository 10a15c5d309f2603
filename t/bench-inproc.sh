#!/bin/sh
# bench-inproc.sh BINDIR CORPUS - xd check in one process (xd-check(1))
# beside the composed pipeline of the tools (XD_COMPOSED=1) and
# bogofilter -B, all three trained on the corpus and scoring all of it
# offline: the lines of the two pipelines must be the same byte for
# byte, and the rates are messages per CPU-second (user+sys of the whole
# process tree), never wall time.  And xd filter of one message, in one
# process and composed, in CPU milliseconds.  Run by make bench.
#
# A benchmark, not a test: a missed target is printed as MISS and the
# exit status is still 0; 1 only when the two pipelines' lines differ.

bindir=$1 C=$2
TARGET_RATIO=0.7	# xd check's rate, at least this times bogofilter's
TARGET_FILTER_MS=15	# xd filter of one message, CPU
RUNS=20			# xd filter runs, one after the other

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-bench-inproc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/home"
HOME=$tmp/home XD_CONF=$tmp/xd.conf XD_RESOLVER=none TMPDIR=$tmp
PATH=$bindir:$PATH
export HOME XD_CONF XD_RESOLVER TMPDIR PATH
printf 'store = %s\nsyslog_facility = none\n' "$tmp/store.lmdb" >"$XD_CONF"

# cpu COMMAND...: user+sys seconds of the command and its children.
cpu() {
	/usr/bin/time -f '%U %S' -o "$tmp/time" "$@" 2>"$tmp/err"
	awk '{ printf "%.3f", $1 + $2 }' "$tmp/time"
}

echo "bench: one process and composed: training a store on the corpus ..." >&2
xd -q learn spam "$C/spam/cur" >/dev/null 2>&1
xd -q learn ham "$C/ham/cur" >/dev/null 2>&1
N=$(find "$C/ham/cur" "$C/spam/cur" -type f | wc -l)

echo "bench: xd check, in one process and composed ..." >&2
in=$(cpu sh -c 'xd -q check "$1" "$2" >"$3"' - "$C/ham/cur" "$C/spam/cur" \
    "$tmp/inproc")
co=$(cpu sh -c 'XD_COMPOSED=1 xd -q check "$1" "$2" >"$3"' - \
    "$C/ham/cur" "$C/spam/cur" "$tmp/composed")
status=0
if cmp -s "$tmp/inproc" "$tmp/composed"; then
	same="the same, byte for byte"
else
	same="DIFFERENT ($(cmp "$tmp/inproc" "$tmp/composed" 2>&1 | head -n 1))"
	status=1
fi
bogo=
if command -v bogofilter >/dev/null 2>&1; then
	mkdir "$tmp/bogo"
	bogofilter -C -d "$tmp/bogo" -s -B "$C/spam/cur" &&
	    bogofilter -C -d "$tmp/bogo" -n -B "$C/ham/cur"
	bogo=$(cpu sh -c 'bogofilter -C -d "$1" -t -B "$2" "$3" >/dev/null' - \
	    "$tmp/bogo" "$C/ham/cur" "$C/spam/cur")
fi

# xd filter of the first spam message: RUNS runs in a row, for time(1)
# counts only hundredths of a second; the CPU of one, in milliseconds.
m=$(find "$C/spam/cur" -type f | sort | head -n 1)
filter_ms() {
	s=$(cpu sh -c 'i=0; while [ "$i" -lt "$1" ]; do
	    xd filter <"$2" >/dev/null; i=$((i + 1)); done' - "$RUNS" "$m")
	awk -v s="$s" -v r="$RUNS" 'BEGIN { printf "%.1f", s * 1000 / r }'
}
f_in=$(filter_ms)
f_co=$(XD_COMPOSED=1 filter_ms)

rate() {
	awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.001) }'
}
echo
echo "in one process (xd-check) and composed, trained, offline, $N messages:"
printf '  %-34s %8s CPU-s %8s msgs/CPU-s\n' "xd check, one process" "$in" \
    "$(rate "$in")"
printf '  %-34s %8s CPU-s %8s msgs/CPU-s\n' "xd check, composed" "$co" \
    "$(rate "$co")"
[ -n "$bogo" ] && printf '  %-34s %8s CPU-s %8s msgs/CPU-s\n' \
    "bogofilter -B" "$bogo" "$(rate "$bogo")"
echo "  the lines of the two: $same"
printf '  xd filter, one message: %s ms CPU in one process, %s ms composed (%d runs)\n' \
    "$f_in" "$f_co" "$RUNS"
if [ -n "$bogo" ]; then
	ratio=$(awk -v a="$in" -v b="$bogo" 'BEGIN { printf "%.2f", b / a }')
	ok=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "ok  " : "MISS" }')
	echo "  $ok xd check / bogofilter -B: ${ratio}x (target >= ${TARGET_RATIO}x)"
fi
ok=$(awk -v f="$f_in" -v t="$TARGET_FILTER_MS" 'BEGIN { print (f <= t) ? "ok  " : "MISS" }')
echo "  $ok xd filter: $f_in ms CPU (target <= $TARGET_FILTER_MS ms)"
exit "$status"
