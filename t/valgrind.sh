#!/bin/sh
# valgrind.sh - every built tool under valgrind on the sample mail and on
# hostile input: any memory error or definite leak fails (exit 1), and
# the valgrind log of each failure is shown.
#
#   sh t/valgrind.sh [bindir]          (make check-valgrind)
#
# GLib and GMime keep one-time allocations until exit; valgrind calls
# them "still reachable" and they are not counted.  A tool that is not
# built is named and left out.

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "valgrind.sh: no such directory: ${1:-bin}" >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 ||
    { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
S=$repo/share/samples

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/home"
HOME=$tmp/home
XD_CONF=$tmp/xd.conf
XD_SHARE=$repo/share
# GLib's own allocator hides leaks and confuses valgrind.
G_SLICE=always-malloc
G_DEBUG=gc-friendly
export HOME XD_CONF XD_SHARE G_SLICE G_DEBUG
printf 'maildir = %s\nquarantine = %s\n' "$tmp/inbox" "$tmp/quarantine" \
    >"$XD_CONF"

# Reports go to fd 3: a run's own stdout is redirected by its caller.
exec 3>&1
runs=0
failed=0
missing=

# vg NAME TOOL ARGS... <in >out: one run under valgrind.  The tool's
# own exit status may be 0 or 1 (some lines carry error=); 99 is
# valgrind's, 2 a usage error here, 128 and up a crash.
vg() {
	name=$1 tool=$2
	shift 2
	runs=$((runs + 1))
	log=$tmp/vg.$runs.log
	valgrind -q --leak-check=full --show-leak-kinds=definite \
	    --errors-for-leak-kinds=definite --error-exitcode=99 \
	    --track-origins=yes --log-file="$log" \
	    "$bindir/$tool" "$@" 2>"$tmp/stderr.$runs"
	rc=$?
	if [ "$rc" -le 1 ] && [ ! -s "$log" ]; then
		echo "ok   $name" >&3
		return 0
	fi
	failed=$((failed + 1))
	case $rc in
	99) why="memory error or definite leak" ;;
	2) why="usage error (exit 2)" ;;
	*) if [ "$rc" -ge 128 ]; then why="crashed (signal $((rc - 128)))";
	   elif [ "$rc" -le 1 ]; then why="valgrind wrote a report";
	   else why="exit status $rc"; fi ;;
	esac
	{
		echo "FAIL $name: $why"
		sed 's/^/    | /' "$log"
		tail -n 5 "$tmp/stderr.$runs" | sed 's/^/    stderr: /'
	} >&3
	return 1
}

built() {
	[ -x "$bindir/$1" ] && return 0
	missing="$missing $1"
	return 1
}

sh "$repo/t/gen-hostile.sh" all "$tmp/hostile" || exit 2
H=$tmp/hostile
cat "$H"/stream* >"$tmp/badstream"

if built xd-conf; then
	vg "xd-conf: dump the configuration" xd-conf </dev/null >/dev/null
fi

if built xd-parse; then
	vg "xd-parse: every sample maildir and the mbox" xd-parse -- \
	    "$S/ham" "$S/spam" "$S/malformed" "$S/mbox" </dev/null >"$tmp/parsed"
	for k in empty junk truncated nul longsubject manyparts deepnest \
	    manyreceived; do
		vg "xd-parse: hostile input '$k'" xd-parse -- "$H/$k" \
		    </dev/null >/dev/null
	done
	vg "xd-parse: a path that does not exist" xd-parse -- "$tmp/nothere" \
	    </dev/null >/dev/null
	mkfifo "$tmp/fifo"
	vg "xd-parse: a FIFO" xd-parse -- "$tmp/fifo" </dev/null >/dev/null
fi

if built xd-score; then
	if [ -s "$tmp/parsed" ]; then
		vg "xd-score: the samples' stream" xd-score <"$tmp/parsed" \
		    >"$tmp/scored"
		vg "xd-score: --explain" xd-score --explain <"$tmp/parsed" \
		    >/dev/null
	else
		printf '#xd-stream 1\n/m/1\tBIG=1\n/m/2\tsubject=x\n' \
		    >"$tmp/scored.in"
		vg "xd-score: a hand-written stream" xd-score \
		    <"$tmp/scored.in" >"$tmp/scored"
	fi
	vg "xd-score: damaged stream lines" xd-score <"$tmp/badstream" \
	    >/dev/null
	# --fit: labelled lines, some sharing their symbols, some damaged.
	awk 'BEGIN { for (i = 0; i < 200; i++)
		printf "/m/%d\tlabel=%s\tA_%d=\tB_%d=\tB_%d=x\n", i,
		    i % 3 ? "ham" : "spam", i % 7, i % 5, i % 5 }' >"$tmp/fit.in"
	cat "$tmp/badstream" >>"$tmp/fit.in"
	vg "xd-score: --fit" xd-score --fit -w "$repo/share/weights" \
	    --ham-loss 0.01 --sure-loss 0 <"$tmp/fit.in" >/dev/null
	vg "xd-score: --fit -o" xd-score --fit -o "$tmp/fit.w" <"$tmp/fit.in"
fi

if built xd-act; then
	if [ -s "$tmp/scored" ] && built xd-score; then
		# The samples alone may all score ham while no check stage
		# is built: a made-up symbol gives a spam and a surespam line.
		grep -v '^#' "$tmp/scored" | grep -v 'error=' |
		    grep '	class=ham' | head -n 1 >"$tmp/ham"
		printf 'threshold spam 5\nthreshold surespam 12\nXD_VG 7\n' >"$tmp/w7"
		printf 'threshold spam 5\nthreshold surespam 12\nXD_VG 20\n' >"$tmp/w20"
		sed 's/$/	XD_VG=1/' "$tmp/ham" >"$tmp/vg"
		"$bindir/xd-score" -w "$tmp/w7" <"$tmp/vg" >"$tmp/spam"
		"$bindir/xd-score" -w "$tmp/w20" <"$tmp/vg" >"$tmp/surespam"
		for l in ham spam surespam; do
			if grep -q "	class=$l" "$tmp/$l"; then
				vg "xd-act --filter: a $l line" xd-act --filter \
				    <"$tmp/$l" >/dev/null
			else
				echo "FAIL could not make a $l line to filter" >&3
				failed=$((failed + 1))
			fi
		done
		cat "$tmp/scored" "$tmp/spam" "$tmp/surespam" >"$tmp/batch"
		vg "xd-act: batch into temporary maildirs" xd-act \
		    <"$tmp/batch" >"$tmp/acted"
		vg "xd-act: the same batch again (nothing to do)" xd-act \
		    <"$tmp/acted" >/dev/null
	fi
	vg "xd-act: damaged stream lines" xd-act <"$tmp/badstream" \
	    >/dev/null
fi

# The supervisor itself; its tools run natively beside it, from $PATH.
if built xd-filter; then
	m=$(ls "$S"/ham/cur/* | head -n 1)
	path=$PATH
	PATH=$bindir:$PATH
	vg "xd-filter: a sample message, every stage" xd-filter -q \
	    <"$m" >/dev/null
	printf 'stages = Heur\n' >"$tmp/broken.conf"
	XD_CONF=$tmp/broken.conf
	vg "xd-filter: a broken configuration" xd-filter <"$m" >/dev/null
	XD_CONF=$tmp/xd.conf
	PATH=$path
fi

# The network checks with no DNS (resolver none: every lookup fails at
# once), so the runner, the lists and the symbols run without a server;
# t/xd-dns.bats runs the hostile answers under ASan.
XD_RESOLVER=none
export XD_RESOLVER
if built xd-rbl; then
	cp "$XD_CONF" "$tmp/rbl.conf"
	printf '%s\n' "rbl = A a.example 127.0.0.2=X" "rblwl = W w.example trust" \
	    "rhsbl = D d.example" >>"$tmp/rbl.conf"
	XD_CONF=$tmp/rbl.conf
	if [ -s "$tmp/parsed" ]; then
		vg "xd-rbl: the samples' stream" xd-rbl -a <"$tmp/parsed" \
		    >"$tmp/rbl.out"
		vg "xd-rbl: --keep on its own output" xd-rbl -k <"$tmp/rbl.out" \
		    >/dev/null
	fi
	vg "xd-rbl: damaged stream lines" xd-rbl <"$tmp/badstream" >/dev/null
	vg "xd-rbl: --test" xd-rbl -t </dev/null >/dev/null
	XD_CONF=$tmp/xd.conf
fi
# xd-spf with DNS, libspf2 and all, is run under ASan by t/xd-spf.bats
# and t/spf-conformance.bats (make check-asan); here its threads and
# the stream without DNS.
if built xd-spf; then
	if [ -s "$tmp/parsed" ]; then
		vg "xd-spf: the samples' stream" xd-spf -w 4 <"$tmp/parsed" \
		    >"$tmp/spf.out"
		vg "xd-spf: --keep on its own output" xd-spf -k <"$tmp/spf.out" \
		    >/dev/null
	fi
	vg "xd-spf: damaged stream lines" xd-spf <"$tmp/badstream" >/dev/null
fi
if built xd-urlcheck; then
	for k in empty junk truncated nul longsubject manyparts deepnest \
	    hugebody; do
		printf '%s\n' "$H/$k"
	done >"$tmp/hostile.stream"
	if [ -s "$tmp/parsed" ]; then
		vg "xd-urlcheck: the samples' stream, no URI list" xd-urlcheck \
		    <"$tmp/parsed" >/dev/null
		vg "xd-urlcheck: --urls" xd-urlcheck -u <"$tmp/parsed" >/dev/null
	fi
	cp "$XD_CONF" "$tmp/url.conf"
	printf 'example.com\n198.51.100.0/24\n' >"$tmp/url.list"
	printf '%s\n' "uribl = U u.example 127.0.0.2=X" "uribl_ip = I i.example" \
	    "url_list = L $tmp/url.list" >>"$tmp/url.conf"
	XD_CONF=$tmp/url.conf
	if [ -s "$tmp/parsed" ]; then
		vg "xd-urlcheck: the samples' stream, lists" xd-urlcheck \
		    <"$tmp/parsed" >"$tmp/url.out"
		vg "xd-urlcheck: --keep on its own output" xd-urlcheck -k \
		    <"$tmp/url.out" >/dev/null
	fi
	vg "xd-urlcheck: hostile messages" xd-urlcheck <"$tmp/hostile.stream" \
	    >/dev/null
	vg "xd-urlcheck: damaged stream lines" xd-urlcheck <"$tmp/badstream" \
	    >/dev/null
	vg "xd-urlcheck: --test" xd-urlcheck -t </dev/null >/dev/null
	XD_CONF=$tmp/xd.conf
fi
if built xd-bayes; then
	printf 'store = %s\nbayes_min_learned = 1\n' "$tmp/bayes.lmdb" \
	    >"$tmp/bayes.conf"
	XD_CONF=$tmp/bayes.conf
	"$bindir/xd-parse" -- "$S/ham" >"$tmp/bayes.ham" 2>/dev/null
	"$bindir/xd-parse" -- "$S/spam" >"$tmp/bayes.spam" 2>/dev/null
	vg "xd-bayes: --learn ham" xd-bayes -l ham <"$tmp/bayes.ham" >/dev/null
	vg "xd-bayes: --learn spam" xd-bayes -l spam <"$tmp/bayes.spam" >/dev/null
	vg "xd-bayes: --learn, moved" xd-bayes -l ham <"$tmp/bayes.spam" >/dev/null
	vg "xd-bayes: --sent" xd-bayes --sent <"$tmp/bayes.ham" >/dev/null
	if [ -s "$tmp/parsed" ]; then
		vg "xd-bayes: the samples' stream" xd-bayes <"$tmp/parsed" \
		    >/dev/null
		vg "xd-bayes: --tokens" xd-bayes -t <"$tmp/parsed" >/dev/null
		vg "xd-bayes: --explain" xd-bayes -x <"$tmp/parsed" \
		    >/dev/null
	fi
	for k in longsubject longheader manyparts deepnest nul hugebody; do
		printf '%s\n' "$H/$k"
	done >"$tmp/bayes.hostile"
	vg "xd-bayes: hostile messages" xd-bayes <"$tmp/bayes.hostile" >/dev/null
	vg "xd-bayes: --unlearn" xd-bayes -u <"$tmp/bayes.ham" >/dev/null
	vg "xd-bayes: --stats" xd-bayes -S >/dev/null
	vg "xd-bayes: damaged stream lines" xd-bayes <"$tmp/badstream" \
	    >/dev/null
	XD_CONF=$tmp/xd.conf
fi
if built xd-cksum; then
	printf 'store = %s\ncksum_threshold = 2\n' "$tmp/cksum.lmdb" \
	    >"$tmp/cksum.conf"
	XD_CONF=$tmp/cksum.conf
	if [ -s "$tmp/parsed" ]; then
		vg "xd-cksum: the samples' stream" xd-cksum <"$tmp/parsed" \
		    >"$tmp/cksum.out"
		vg "xd-cksum: again, every message seen" xd-cksum \
		    <"$tmp/cksum.out" >/dev/null
		vg "xd-cksum: --keep" xd-cksum -k <"$tmp/cksum.out" >/dev/null
		vg "xd-cksum: --learn spam" xd-cksum -l spam <"$tmp/parsed" \
		    >/dev/null
		vg "xd-cksum: --learn ham, moved" xd-cksum -l ham \
		    <"$tmp/parsed" >/dev/null
		vg "xd-cksum: --unlearn" xd-cksum -u <"$tmp/parsed" >/dev/null
		vg "xd-cksum: --text" xd-cksum -t <"$tmp/parsed" >/dev/null
		vg "xd-cksum: a store that is not there" xd-cksum \
		    -s redis://127.0.0.1:1 <"$tmp/parsed" >/dev/null
	fi
	for k in junk truncated nul longsubject manyparts deepnest hugebody; do
		printf '%s\n' "$tmp/hostile/$k"
	done >"$tmp/cksum.hostile"
	vg "xd-cksum: hostile messages" xd-cksum <"$tmp/cksum.hostile" \
	    >/dev/null
	vg "xd-cksum: damaged stream lines" xd-cksum <"$tmp/badstream" \
	    >/dev/null
	vg "xd-cksum: --stats" xd-cksum --stats >/dev/null
	vg "xd-cksum: --expire" xd-cksum --expire >/dev/null
	XD_CONF=$tmp/xd.conf
fi
if built xd-dns; then
	vg "xd-dns: no resolver" xd-dns A 2.0.0.127.a.example </dev/null >/dev/null
fi

[ -z "$missing" ] || echo "not built, left out:$missing"
echo "$runs runs under valgrind, $failed failed"
[ "$failed" -eq 0 ] && [ "$runs" -gt 0 ]
