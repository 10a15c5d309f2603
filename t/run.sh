#!/bin/sh
# Run every test against the tools in the given directory (default bin/),
# with the C unit tests from the given build directory (default build/).
# Prints the bats TAP stream and a closing "N passed, N failed" line.
#
# The files run in parallel (GNU parallel, XD_TEST_JOBS of them, default
# twice the processors), each file's tests in order; XD_TEST_TIMES=FILE
# also writes every test's time to FILE, slowest first.
cd "$(dirname "$0")/.." || exit 2
XD_BIN=$(cd "${1:-bin}" && pwd) || exit 2
XD_UNIT=$(cd "${2:-build}" && pwd)/unit-tests || exit 2
export XD_BIN XD_UNIT
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT INT TERM
jobs=${XD_TEST_JOBS:-$(($(nproc 2>/dev/null || echo 1) * 2))}
command -v parallel >/dev/null 2>&1 || jobs=1
bats --tap ${XD_TEST_TIMES:+--timing} --jobs "$jobs" \
    --no-parallelize-within-files ${BATS_FILTER:+--filter "$BATS_FILTER"} \
    t/*.bats | tee "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
if [ -n "${XD_TEST_TIMES:-}" ]; then
	sed -n 's/^\(not \)*ok [0-9]* \(.*\) in \([0-9]*\)ms$/\3	\2/p' "$log" |
	    sort -rn >"$XD_TEST_TIMES"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
