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

BENCH=bench-spf
TOOL=xd-spf
N=${XD_BENCH_SPF_N:-2000}
DELAY=${XD_BENCH_DELAY:-50}
WINDOW=64
LOOKUPS=2
TARGET_SHARE=60		# percent of the ideal rate
TARGET_RSS=64		# MB

. "$(dirname "$0")/bench-window.bash"

check_output() {
	pass=$(grep -c 'SPF_PASS=' "$tmp/out")
	[ "$pass" -eq "$want" ] || echo "  note: $pass of $want lines SPF_PASS"
}
bench_setup "$1"
printf '%s\n' "dns_window = $WINDOW" >"$XD_CONF"

awk -v n="$N" 'BEGIN {
	print "#xd-stream 1"
	for (i = 0; i < n; i++)
		printf "/bench/%d\tip=192.0.2.1\tmailfrom=bob@d%d.spf.test\n", i, i
}' >"$tmp/stream"
head -n $((N / 10 + 1)) "$tmp/stream" >"$tmp/stream1"
N1=$((N / 10))

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
