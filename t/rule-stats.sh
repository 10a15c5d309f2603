#!/bin/sh
# rule-stats.sh - make rule-stats: each symbol's hits on ham and on spam
# of a labelled maildir pair, untrained and offline (the default
# configuration, an empty store, no DNS), as SpamAssassin's mass checks
# count them, to set weights by hand.
#
#   sh t/rule-stats.sh [bindir [dir]]
#
# dir holds the maildirs ham/ and spam/ (default ../shared/corpus beside
# the repository, or $XD_CORPUS).  Columns: symbol, ham hits, spam
# hits, each as a count and a per cent, and spam/(spam+ham) of the per
# cents; rules that hit more than 0.5% of ham are marked '!'.

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "rule-stats: no such directory: ${1:-bin}" >&2; exit 2; }
C=${2:-${XD_CORPUS:-$(dirname "$repo")/shared/corpus}}
if [ ! -d "$C/ham" ] || [ ! -d "$C/spam" ]; then
	echo "rule-stats: no maildirs ham/ and spam/ in $C: skipped"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-rule-stats.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/home"
HOME=$tmp/home XD_CONF=$tmp/xd.conf XD_SHARE=$repo/share XD_RESOLVER=none
PATH=$bindir:$repo/bin:$PATH
: >"$XD_CONF"
export HOME XD_CONF XD_SHARE XD_RESOLVER PATH
xd check -q "$C/ham" >"$tmp/ham" &
xd check -q "$C/spam" >"$tmp/spam"
wait
printf '%-28s %6s %7s %6s %7s %6s\n' symbol ham ham% spam spam% S/O
awk -F'\t' '
FNR == 1 { f++ }
/^#/ { next }
{
	n[f]++
	delete seen
	for (i = 2; i <= NF; i++) {
		s = $i
		sub(/=.*/, "", s)
		if (s !~ /^[A-Z][A-Z0-9_]*$/ || s in seen)
			continue
		seen[s] = 1
		hits[s, f]++
		all[s] = 1
	}
}
END {
	for (s in all) {
		h = hits[s, 1] + 0; p = hits[s, 2] + 0
		hp = n[1] ? 100 * h / n[1] : 0; sp = n[2] ? 100 * p / n[2] : 0
		so = hp + sp > 0 ? sp / (hp + sp) : 0
		printf "%-28s %6d %6.2f%% %6d %6.2f%% %6.3f%s\n", s, h, hp, p, sp, so, (hp > 0.5 ? " !" : "")
	}
}' "$tmp/ham" "$tmp/spam" | sort -k4,4nr
