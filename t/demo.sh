#!/bin/sh
# make demo: the whole pipeline on the sample mail in share/samples/,
# printing the verdict stream and one summary line per class.
cd "$(dirname "$0")/.." || exit 2
PATH="$(pwd)/bin:$PATH"
XD_SHARE="$(pwd)/share"
export PATH XD_SHARE
: "${XD_CONF:=/dev/null}"
# The samples use documentation addresses and names: asking real DNS
# about them tells nothing, so the demo sends no query at all.
: "${XD_RESOLVER:=none}"
export XD_CONF XD_RESOLVER
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

echo "== xd check --label=path share/samples/ham share/samples/spam share/samples/malformed"
xd check -q --label=path share/samples/ham share/samples/spam share/samples/malformed >"$out"
status=$?
cat "$out"
echo
echo "== summary (label: class counts; malformed samples have no label)"
awk -F'\t' '
!/^#/ {
	label = "unlabelled"; class = "none"
	for (i = 2; i <= NF; i++) {
		if ($i ~ /^label=/) label = substr($i, 7)
		if ($i ~ /^class=/) class = substr($i, 7)
		if ($i ~ /^error=/) errors++
	}
	n[label, class]++; labels[label] = 1; total++
}
END {
	for (l in labels) {
		line = sprintf("%-10s", l ":")
		split("ham spam surespam none", cs, " ")
		for (c = 1; c <= 4; c++)
			line = line sprintf("  %s %d", cs[c], n[l, cs[c]] + 0)
		print line | "sort"
	}
	close("sort")
	printf "%d messages, %d with error=\n", total, errors + 0
}' "$out"
# The malformed samples are expected to carry error=; anything worse fails.
[ "$status" -le 1 ]
