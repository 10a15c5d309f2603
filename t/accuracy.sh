#!/bin/sh
# accuracy.sh - make accuracy: xd eval (10-fold cross-validation,
# offline) on the development corpus, beside bogofilter and SpamAssassin
# when they are installed (make accuracy PEERS=1 installs them).
#
#   sh t/accuracy.sh [bindir [outdir]]
#
# The corpus is ../shared/corpus beside the repository, or $XD_CORPUS.
# The report is printed and kept in outdir (default build/accuracy) with
# the plot accuracy.png, then the untrained row (xd eval --untrained),
# the time split (xd eval --split date, in split/) and the online row
# (xd eval --online, in online/).
# Extra options for xd eval: $XD_EVAL_OPTS, such
# as "--no-peers" or "--sa-folds 2".

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "accuracy: no such directory: ${1:-bin}" >&2; exit 2; }
out=${2:-$repo/build/accuracy}
C=${XD_CORPUS:-$(dirname "$repo")/shared/corpus}

if [ ! -d "$C/ham" ] || [ ! -d "$C/spam" ]; then
	echo "accuracy: no corpus at $C (want the maildirs ham/ and spam/): skipped"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-accuracy.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# The defaults of a fresh installation: a private home, an empty
# configuration, the repository's share directory.
mkdir "$tmp/home"
HOME=$tmp/home
XD_CONF=$tmp/xd.conf
XD_SHARE=$repo/share
PATH=$bindir:$repo/bin:$PATH
: >"$XD_CONF"
export HOME XD_CONF XD_SHARE PATH
# shellcheck disable=SC2086 # options, split on purpose
"$repo/bin/xd" eval ${XD_EVAL_OPTS:-} -o "$out" "$C"
status=$?
# The untrained row: the shipped rules and weights alone, for xd and
# for SpamAssassin's rules, on every message (its verdicts are cached
# in the output directory).
untrained=
case " ${XD_EVAL_OPTS:-} " in *" --no-peers "*) untrained=--no-peers ;; esac
echo
"$repo/bin/xd" eval --untrained $untrained -o "$out" "$C" || status=$?
# The time split (older half trained, newer tested) and the online row
# (the TREC protocol in the order received), bogofilter in the same run.
echo
# shellcheck disable=SC2086 # options, split on purpose
"$repo/bin/xd" eval ${XD_EVAL_OPTS:-} --split date -o "$out/split" "$C" || status=$?
echo
"$repo/bin/xd" eval --online $untrained -o "$out/online" "$C" || status=$?
exit "$status"
