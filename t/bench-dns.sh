#!/bin/bash
# bench-dns.sh - the network checks against a slow DNS server: the
# dnslib server of the tests on 127.0.0.1, answering every query after
# $XD_BENCH_DELAY ms (default 50).  Run by t/bench.sh (make bench).
#
#   bash t/bench-dns.sh [bindir]
#
# xd-rbl: $XD_BENCH_DNS_N messages (default 2000), 3 IP lists, no
# reverse DNS, at the default window and at window 1 (on a tenth of the
# messages: window 1 is slow by design).  Target: at least 60% of the
# ideal rate window / (latency x lookups per message), and peak RSS
# under 64 MB.  A benchmark, not a test: a miss is printed, exit 0.

BENCH=bench-dns
TOOL=xd-rbl
N=${XD_BENCH_DNS_N:-2000}
DELAY=${XD_BENCH_DELAY:-50}
WINDOW=64
LOOKUPS=3
TARGET_SHARE=60		# percent of the ideal rate
TARGET_RSS=64		# MB

. "$(dirname "$0")/bench-window.bash"

check_output() {
	fails=$(grep -c TEMPFAIL "$tmp/out")
	[ "$fails" -eq 0 ] || echo "  note: $fails lines with a TEMPFAIL"
}
bench_setup "$1"
printf '%s\n' "rbl = ONE delay1.test" "rbl = TWO delay2.test" \
    "rbl = THREE delay3.test" "rdns_check = no" "dns_window = $WINDOW" \
    >"$XD_CONF"

# Addresses of the benchmarking range 198.18.0.0/15, each once: no
# answer comes from the cache.
awk -v n="$N" 'BEGIN {
	print "#xd-stream 1"
	for (i = 0; i < n; i++)
		printf "/bench/%d\tip=198.18.%d.%d\tfrom=x@example.com\n", i, int(i / 250), i % 250 + 1
}' >"$tmp/stream"
head -n $((N / 10 + 1)) "$tmp/stream" >"$tmp/stream1"
N1=$((N / 10))

run "xd-rbl, $N messages, window $WINDOW" "$tmp/stream" "$WINDOW"
secsW=$secs kbW=$kb
listed=$(grep -c 'RBL_ONE=' "$tmp/out")
run "xd-rbl, $N1 messages, window 1" "$tmp/stream1" 1
secs1=$secs kb1=$kb

awk -v n="$N" -v n1="$N1" -v sw="$secsW" -v s1="$secs1" -v kbw="$kbW" \
    -v kb1="$kb1" -v w="$WINDOW" -v d="$DELAY" -v l="$LOOKUPS" \
    -v share="$TARGET_SHARE" -v maxrss="$TARGET_RSS" -v listed="$listed" '
BEGIN {
	if (sw <= 0) sw = 0.01
	if (s1 <= 0) s1 = 0.01
	rw = n / sw
	r1 = n1 / s1
	ideal = w / (d / 1000 * l)
	printf "\nxd-rbl against a DNS server answering after %d ms, %d lists:\n", d, l
	printf "%-32s %8s %8s %9s %8s\n", "run", "messages", "seconds", "msgs/s", "RSS MB"
	printf "%-32s %8d %8.2f %9.0f %8.1f\n", "window " w, n, sw, rw, kbw / 1024
	printf "%-32s %8d %8.2f %9.0f %8.1f\n", "window 1", n1, s1, r1, kb1 / 1024
	printf "speed-up over window 1: %.1fx; %d of %d messages listed\n", rw / r1, listed, n
	printf "\ntargets:\n"
	printf "  %-4s %-40s %.0f msgs/s, %.0f%% of the ideal %.0f\n",
	    (rw >= ideal * share / 100) ? "PASS" : "MISS",
	    ">= " share "% of window/(latency x lookups)", rw, 100 * rw / ideal, ideal
	printf "  %-4s %-40s %.1f MB\n", (kbw < maxrss * 1024) ? "PASS" : "MISS",
	    "RSS < " maxrss " MB: xd-rbl, window " w, kbw / 1024
	printf "(the lists of one message are asked at once, so a message costs one\n"
	printf " latency, not %d: the ideal of the target is the serial one)\n", l
}'
exit 0
