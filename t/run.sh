#!/bin/sh
# Run every test against the tools in the given directory (default bin/),
# with the C unit tests from the given build directory (default build/).
# Prints the bats TAP stream and a closing "N passed, N failed" line.
cd "$(dirname "$0")/.." || exit 2
XD_BIN=$(cd "${1:-bin}" && pwd) || exit 2
XD_UNIT=$(cd "${2:-build}" && pwd)/unit-tests || exit 2
export XD_BIN XD_UNIT
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT INT TERM
bats --tap ${BATS_FILTER:+--filter "$BATS_FILTER"} t/*.bats | tee "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
