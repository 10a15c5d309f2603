#!/bin/bash
# bench-spf.sh - xd-spf against a slow DNS server: the dnslib server of
# the tests on 127.0.0.1, answering every query after $XD_BENCH_DELAY ms
# (default 50).  Run by t/bench.sh (make bench).
#
#   bash t/bench-spf.sh [bindir]
#
# $XD_BENCH_SPF_N messages (default 2000), each from a domain of its own
# (no answer comes from the cache) whose record is "v=spf1 a -all": two
# lookups a message, one after the other (the TXT record, then the A
# record it names), so the ideal rate is window / (latency x 2).  At the
# default window and at window 1 (on a tenth of the messages: window 1
# is slow by design).  Targets: 60% of the ideal rate, peak RSS under
# 64 MB.  A benchmark, not a test: a miss is printed, exit 0.

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "bench-spf: no such directory: ${1:-bin}" >&2; exit 2; }
N=${XD_BENCH_SPF_N:-2000}
DELAY=${XD_BENCH_DELAY:-50}
WINDOW=64
LOOKUPS=2
TARGET_SHARE=60		# percent of the ideal rate
TARGET_RSS=64		# MB

if [ ! -x "$bindir/xd-spf" ] || [ ! -x "$bindir/xd-dns" ]; then
	echo "bench-spf: xd-spf or xd-dns is not built: skipped"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench-spf: /usr/bin/time is missing (Debian package 'time'): skipped"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-bench-spf.XXXXXX") || exit 2
BATS_TEST_DIRNAME=$repo/t
BATS_FILE_TMPDIR=$tmp
XD_BIN=$bindir
. "$repo/t/dns.bash"
trap 'dnsserver_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
if ! dnsserver_start --delay "$DELAY" 2>"$tmp/start.err"; then
	echo "bench-spf: the DNS server did not start: skipped"
	sed 's/^/    /' "$tmp/start.err"
	exit 0
fi

mkdir "$tmp/home"
export HOME=$tmp/home XD_SHARE=$repo/share XD_CONF=$tmp/xd.conf
export XD_RESOLVER=$DNSSERVER_RESOLVER
printf '%s\n' "dns_window = $WINDOW" >"$XD_CONF"

awk -v n="$N" 'BEGIN {
	print "#xd-stream 1"
	for (i = 0; i < n; i++)
		printf "/bench/%d\tip=192.0.2.1\tmailfrom=bob@d%d.spf.test\n", i, i
}' >"$tmp/stream"
head -n $((N / 10 + 1)) "$tmp/stream" >"$tmp/stream1"
N1=$((N / 10))

# run LABEL FILE WINDOW: seconds and peak KB into $secs, $kb
run() {
	echo "bench-spf: $1 ..." >&2
	/usr/bin/time -f '%e %M' -o "$tmp/time" \
	    "$bindir/xd-spf" -w "$3" <"$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	read -r secs kb <"$tmp/time"
	got=$(grep -vc '^#' "$tmp/out")
	want=$(grep -vc '^#' "$2")
	[ "$rc" -eq 0 ] || echo "  note: xd-spf exit status $rc: $(tail -n 1 "$tmp/err")"
	[ "$got" -eq "$want" ] || echo "  note: $got lines out for $want in"
	pass=$(grep -c 'SPF_PASS=' "$tmp/out")
	[ "$pass" -eq "$want" ] || echo "  note: $pass of $want lines SPF_PASS"
}

run "xd-spf, $N messages, window $WINDOW" "$tmp/stream" "$WINDOW"
secsW=$secs kbW=$kb
run "xd-spf, $N1 messages, window 1" "$tmp/stream1" 1
secs1=$secs kb1=$kb

awk -v n="$N" -v n1="$N1" -v sw="$secsW" -v s1="$secs1" -v kbw="$kbW" \
    -v kb1="$kb1" -v w="$WINDOW" -v d="$DELAY" -v l="$LOOKUPS" \
    -v share="$TARGET_SHARE" -v maxrss="$TARGET_RSS" '
BEGIN {
	if (sw <= 0) sw = 0.01
	if (s1 <= 0) s1 = 0.01
	rw = n / sw
	r1 = n1 / s1
	ideal = w / (d / 1000 * l)
	printf "\nxd-spf against a DNS server answering after %d ms, %d lookups a message:\n", d, l
	printf "%-32s %8s %8s %9s %8s\n", "run", "messages", "seconds", "msgs/s", "RSS MB"
	printf "%-32s %8d %8.2f %9.0f %8.1f\n", "window " w, n, sw, rw, kbw / 1024
	printf "%-32s %8d %8.2f %9.0f %8.1f\n", "window 1", n1, s1, r1, kb1 / 1024
	printf "speed-up over window 1: %.1fx (ideal %dx)\n", rw / r1, w
	printf "\ntargets:\n"
	printf "  %-4s %-40s %.0f msgs/s, %.0f%% of the ideal %.0f\n",
	    (rw >= ideal * share / 100) ? "PASS" : "MISS",
	    ">= " share "% of window/(latency x lookups)", rw, 100 * rw / ideal, ideal
	printf "  %-4s %-40s %.1f MB\n", (kbw < maxrss * 1024) ? "PASS" : "MISS",
	    "RSS < " maxrss " MB: xd-spf, window " w, kbw / 1024
}'
exit 0
