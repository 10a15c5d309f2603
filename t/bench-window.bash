# bench-window.bash - what t/bench-dns.sh and t/bench-spf.sh share: the
# delaying dnslib server on 127.0.0.1 and one timed run of a network
# tool at a given window.  The caller sets BENCH (its name), TOOL, N,
# DELAY and WINDOW, and defines check_output, run after each run.

# bench_setup BINDIR: checks, a private directory, the server, the
# environment; exits 0 with a note when the bench cannot run here.
bench_setup() {
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
	bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
	    { echo "$BENCH: no such directory: ${1:-bin}" >&2; exit 2; }
	if [ ! -x "$bindir/$TOOL" ] || [ ! -x "$bindir/xd-dns" ]; then
		echo "$BENCH: $TOOL or xd-dns is not built: skipped"
		exit 0
	fi
	if [ ! -x /usr/bin/time ]; then
		echo "$BENCH: /usr/bin/time is missing (Debian package 'time'): skipped"
		exit 0
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-$BENCH.XXXXXX") || exit 2
	BATS_TEST_DIRNAME=$repo/t
	BATS_FILE_TMPDIR=$tmp
	XD_BIN=$bindir
	. "$repo/t/dns.bash"
	trap 'dnsserver_stop; rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	if ! dnsserver_start --delay "$DELAY" 2>"$tmp/start.err"; then
		echo "$BENCH: the DNS server did not start: skipped"
		sed 's/^/    /' "$tmp/start.err"
		exit 0
	fi
	mkdir "$tmp/home"
	export HOME=$tmp/home XD_SHARE=$repo/share XD_CONF=$tmp/xd.conf
	export XD_RESOLVER=$DNSSERVER_RESOLVER
	# the lists of the benchmark's configuration, not the shipped ones
	export XD_DNSLISTS=none
}

# run LABEL FILE WINDOW: seconds and peak KB into $secs, $kb
run() {
	echo "$BENCH: $1 ..." >&2
	/usr/bin/time -f '%e %M' -o "$tmp/time" \
	    "$bindir/$TOOL" -w "$3" <"$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	read -r secs kb <"$tmp/time"
	got=$(grep -vc '^#' "$tmp/out")
	want=$(grep -vc '^#' "$2")
	[ "$rc" -eq 0 ] || echo "  note: $TOOL exit status $rc: $(tail -n 1 "$tmp/err")"
	[ "$got" -eq "$want" ] || echo "  note: $got lines out for $want in"
	check_output
}
