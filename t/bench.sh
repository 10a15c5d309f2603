#!/bin/sh
# bench.sh - speed and memory of the xd tools on the development corpus,
# beside bogofilter and SpamAssassin where they are installed.
#
#   sh t/bench.sh [bindir]          (make bench)
#
# The corpus is ../shared/corpus beside the repository, or $XD_CORPUS.
# Wall time and peak RSS come from /usr/bin/time (%e, %M).  For a
# pipeline (xd check) the RSS is that of its largest single process,
# not the sum.  $XD_BENCH_SA sets how many messages SpamAssassin gets
# (default 200; 0 leaves it out).
#
# A benchmark, not a test: a missed target is printed as MISS and the
# exit status is still 0.  It is 2 only when it cannot run at all.

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "bench: no such directory: ${1:-bin}" >&2; exit 2; }
C=${XD_CORPUS:-$(dirname "$repo")/shared/corpus}
SA_N=${XD_BENCH_SA:-200}
TARGET_PARSE=5000	# messages per second
TARGET_SCORE=200000	# lines per second
TARGET_RSS=32		# MB, every xd tool
TARGET_OFFLINE=1000	# messages per second, the offline pipeline on one core
TARGET_STAGE_RSS=64	# MB, every stage of the offline pipeline
SCORE_LINES=400000	# how long a stream xd-score gets
TARGET_URL=1000		# messages per second, xd-urlcheck on one core
TARGET_URL_RSS=64	# MB, xd-urlcheck
TARGET_CKSUM=1000	# messages per second, xd-cksum on one core
TARGET_CKSUM_RSS=64	# MB, xd-cksum
TARGET_BAYES=1000	# messages per second, xd-bayes classifying on one core
TARGET_BAYES_RSS=64	# MB, xd-bayes classifying
SLOW=45			# seconds: a 1x run slower than this skips its 4x run

# The network checks against a slow local DNS server; no corpus needed.
bash "$repo/t/bench-dns.sh" "$bindir"
echo
bash "$repo/t/bench-spf.sh" "$bindir"
echo

if [ ! -d "$C/ham/cur" ] || [ ! -d "$C/spam/cur" ]; then
	echo "bench: no corpus at $C (want ham/cur and spam/cur): skipped"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time is missing (Debian package 'time'): skipped"
	exit 0
fi
C=$(cd "$C" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-bench.XXXXXX") || exit 2
# A DNS server (xd-urlcheck's row) or a Redis server (xd-cksum's) started
# here is stopped by its PID.
trap '[ -f "$tmp/dns/knot.pid" ] && kill "$(cat "$tmp/dns/knot.pid")"
    [ -f "$tmp/redis.pid" ] && kill "$(cat "$tmp/redis.pid")"; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# Peers and tools alike get a private home and an empty configuration.
mkdir "$tmp/home"
HOME=$tmp/home
XD_CONF=$tmp/xd.conf
XD_SHARE=$repo/share
PATH=$bindir:$repo/bin:$PATH
: >"$XD_CONF"
# Offline, as the peers run here: the corpus's 2002 relays tell nothing
# to live DNS, and a benchmark sends no traffic off this machine.  The
# DNS benches start their own server on 127.0.0.1.
XD_RESOLVER=none
export HOME XD_CONF XD_SHARE PATH C tmp XD_RESOLVER

N=$(find "$C/ham/cur" "$C/spam/cur" -type f | wc -l)
rows=$tmp/rows
: >"$rows"
notes=$tmp/notes
: >"$notes"

note() {
	echo "$*" >>"$notes"
}

have() {
	[ -x "$bindir/$1" ] || command -v "$1" >/dev/null 2>&1
}

# measure KEY LABEL COUNT MAXOK 'shell command': run the command once,
# record wall seconds and peak RSS.  An exit status above MAXOK marks
# the row as failed.
measure() {
	key=$1 label=$2 count=$3 maxok=$4 cmd=$5
	printf 'bench: %s ...\n' "$label" >&2
	/usr/bin/time -f '%e %M' -o "$tmp/time" sh -c "$cmd" 2>"$tmp/err"
	rc=$?
	set -- $(tail -n 1 "$tmp/time") 0 0
	secs=$1 rss=$2
	if [ "$rc" -gt "$maxok" ]; then
		note "$label: exit status $rc; its last messages:"
		tail -n 5 "$tmp/err" | sed 's/^/    /' >>"$notes"
		label="$label [FAILED]"
	fi
	printf '%s|%s|%s|%s|%s\n' "$key" "$label" "$count" "$secs" "$rss" >>"$rows"
}

# get KEY FIELD: a recorded value (2 label, 3 count, 4 seconds, 5 RSS KB).
get() {
	awk -F'|' -v k="$1" -v f="$2" '$1 == k { print $f }' "$rows"
}

rate() {
	awk -v n="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", n / s }'
}

echo "bench: corpus $C, $N messages; tools from $bindir" >&2
# Every reader starts with the corpus in the page cache.
find "$C/ham/cur" "$C/spam/cur" -type f -exec cat {} + >/dev/null

# --- xd-parse ---------------------------------------------------------
if have xd-parse; then
	measure parse "xd-parse, corpus to /dev/null" "$N" 1 \
	    'xd-parse -- "$C/ham" "$C/spam" >/dev/null'
	xd-parse -- "$C/ham" "$C/spam" >"$tmp/stream" 2>/dev/null
	got=$(grep -vc '^#' "$tmp/stream")
	[ "$got" -eq "$N" ] || note "xd-parse wrote $got lines for $N messages"
	if [ "$(get parse 4 | cut -d. -f1)" -lt "$SLOW" ]; then
		measure parse4 "xd-parse, corpus 4 times over" $((4 * N)) 1 \
		    'xd-parse -- "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam" >/dev/null'
	else
		note "xd-parse: the 4x run is left out, the 1x run took over ${SLOW}s"
	fi
else
	note "xd-parse is not built: its rows, and xd-score's (no stream), are left out"
fi

# --- xd-score, on the stored stream of xd-parse -------------------------
if have xd-score && [ -s "$tmp/stream" ]; then
	reps=$(( (SCORE_LINES + N - 1) / N ))
	grep -v '^#' "$tmp/stream" >"$tmp/lines"
	i=0
	while [ $i -lt 4 ]; do cat "$tmp/lines"; i=$((i + 1)); done >"$tmp/stream4"
	i=0
	while [ $i -lt "$reps" ]; do cat "$tmp/lines"; i=$((i + 1)); done >"$tmp/big"
	lines=$(wc -l <"$tmp/big")
	measure score "xd-score, stored stream x$reps" "$lines" 1 \
	    'xd-score <"$tmp/big" >/dev/null'
	measure score1 "xd-score, stored stream" "$N" 1 \
	    'xd-score <"$tmp/stream" >/dev/null'
	measure score4 "xd-score, stored stream 4 times over" $((4 * N)) 1 \
	    'xd-score <"$tmp/stream4" >/dev/null'
elif ! have xd-score; then
	note "xd-score is not built: its rows are left out"
fi

# --- xd-urlcheck, on the stored stream of xd-parse ----------------------
# With no URI list it reads mail and asks no one.  With one, the list is
# t/zones/uribl.test.zone on knot, the DNS server of the tests, started
# on 127.0.0.1 and a free port: every registered domain of the corpus
# is asked once, at the default window.
if have xd-urlcheck && [ -s "$tmp/stream" ]; then
	measure url "xd-urlcheck, stored stream, no URI list" "$N" 1 \
	    'xd-urlcheck <"$tmp/stream" >"$tmp/url.out"'
	e=$(grep -c 'error=xd-urlcheck' "$tmp/url.out")
	[ "$e" -eq 0 ] || note "xd-urlcheck: $e lines with error="
	port=
	if command -v knotd >/dev/null 2>&1 && have xd-dns; then
		port=$(BATS_TEST_DIRNAME=$repo/t BATS_FILE_TMPDIR=$tmp \
		    XD_BIN=$bindir bash -c '. "$BATS_TEST_DIRNAME/dns.bash" &&
		    knot_start >&2 && echo "$KNOT_PORT"' 2>"$tmp/knot.err")
	fi
	if [ -n "$port" ]; then
		printf 'uribl = TEST uribl.test\n' >"$tmp/url.conf"
		export port
		measure url_dns "xd-urlcheck, stored stream, one URI list" "$N" 1 \
		    'XD_CONF=$tmp/url.conf xd-urlcheck -r 127.0.0.1:$port <"$tmp/stream" >"$tmp/url_dns.out"'
		kill "$(cat "$tmp/dns/knot.pid")" && rm -f "$tmp/dns/knot.pid"
		note "xd-urlcheck: the URI list on knot, 127.0.0.1, default window; $(grep -c 'URIBL_TEMPFAIL' "$tmp/url_dns.out") lines with a failed lookup"
	else
		note "xd-urlcheck: knot (or xd-dns) is missing or did not start: the URI list row is left out"
	fi
elif ! have xd-urlcheck; then
	note "xd-urlcheck is not built: its rows are left out"
fi

# --- xd-cksum, on the stored stream of xd-parse ---------------------------
# A new LMDB store: the first run counts every message, the second finds
# every one seen and must write the same lines.  With redis-server, the
# first run again on a new Redis started on 127.0.0.1 and a free port.
if have xd-cksum && [ -s "$tmp/stream" ]; then
	printf 'store = %s\n' "$tmp/cksum.lmdb" >"$tmp/cksum.conf"
	measure cksum "xd-cksum, stored stream, new LMDB store" "$N" 1 \
	    'XD_CONF=$tmp/cksum.conf xd-cksum <"$tmp/stream" >"$tmp/cksum.out"'
	measure cksum2 "xd-cksum, the same again (all seen)" "$N" 1 \
	    'XD_CONF=$tmp/cksum.conf xd-cksum <"$tmp/stream" >"$tmp/cksum2.out"'
	e=$(grep -c 'error=xd-cksum\|CKSUM_TEMPFAIL' "$tmp/cksum.out")
	[ "$e" -eq 0 ] || note "xd-cksum: $e lines with error= or CKSUM_TEMPFAIL"
	cmp -s "$tmp/cksum.out" "$tmp/cksum2.out" ||
	    note "xd-cksum: the second run wrote other lines than the first"
	note "xd-cksum: $(grep -c CKSUM_BULK "$tmp/cksum.out") lines with CKSUM_BULK; the LMDB store took $(du -k "$tmp/cksum.lmdb" | cut -f1) KB"
	if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
		rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		redis-server --bind 127.0.0.1 --port "$rport" --save '' \
		    --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" \
		    >/dev/null 2>&1 &
		echo $! >"$tmp/redis.pid"
		i=0
		until [ "$(redis-cli -h 127.0.0.1 -p "$rport" ping 2>/dev/null)" = PONG ] ||
		    [ $i -ge 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		export rport
		measure cksum_redis "xd-cksum, stored stream, new Redis store" "$N" 1 \
		    'xd-cksum --store redis://127.0.0.1:$rport <"$tmp/stream" >"$tmp/cksum_redis.out"'
		kill "$(cat "$tmp/redis.pid")" && rm -f "$tmp/redis.pid"
		cmp -s "$tmp/cksum.out" "$tmp/cksum_redis.out" ||
		    note "xd-cksum: Redis wrote other lines than LMDB"
	else
		note "xd-cksum: redis-server is not installed: the Redis row is left out"
	fi
elif ! have xd-cksum; then
	note "xd-cksum is not built: its rows are left out"
fi

# --- xd-bayes: learn the corpus, then classify it ------------------------
# A new LMDB store learns the ham and the spam of the stored stream, then
# classifies the whole stream; the same on a Redis started on 127.0.0.1
# when redis-server is installed.
if have xd-bayes && [ -s "$tmp/stream" ]; then
	printf 'store = %s\n' "$tmp/bayes.lmdb" >"$tmp/bayes.conf"
	grep "^$C/ham/" "$tmp/stream" >"$tmp/bayes.ham"
	grep "^$C/spam/" "$tmp/stream" >"$tmp/bayes.spam"
	measure bayes_learn "xd-bayes --learn, corpus, new LMDB store" "$N" 1 \
	    'XD_CONF=$tmp/bayes.conf xd-bayes -q -l ham <"$tmp/bayes.ham" >/dev/null &&
	     XD_CONF=$tmp/bayes.conf xd-bayes -q -l spam <"$tmp/bayes.spam" >/dev/null'
	measure bayes "xd-bayes, classify stored stream (LMDB)" "$N" 1 \
	    'XD_CONF=$tmp/bayes.conf xd-bayes <"$tmp/stream" >"$tmp/bayes.out"'
	e=$(grep -c 'error=xd-bayes' "$tmp/bayes.out")
	[ "$e" -eq 0 ] || note "xd-bayes: $e lines with error="
	note "xd-bayes: $(grep -c '	BAYES_99=' "$tmp/bayes.out") lines BAYES_99, $(grep -c '	BAYES_00=' "$tmp/bayes.out") BAYES_00 (it learned this very corpus); the LMDB store took $(du -k "$tmp/bayes.lmdb" | cut -f1) KB"
	if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
		bport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		redis-server --bind 127.0.0.1 --port "$bport" --save '' \
		    --appendonly no --dir "$tmp" --logfile "$tmp/bayes-redis.log" \
		    >/dev/null 2>&1 &
		echo $! >"$tmp/redis.pid"
		i=0
		until [ "$(redis-cli -h 127.0.0.1 -p "$bport" ping 2>/dev/null)" = PONG ] ||
		    [ $i -ge 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		export bport
		measure bayes_learn_redis "xd-bayes --learn, corpus, new Redis store" "$N" 1 \
		    'xd-bayes -q -s redis://127.0.0.1:$bport -l ham <"$tmp/bayes.ham" >/dev/null &&
		     xd-bayes -q -s redis://127.0.0.1:$bport -l spam <"$tmp/bayes.spam" >/dev/null'
		measure bayes_redis "xd-bayes, classify stored stream (Redis)" "$N" 1 \
		    'xd-bayes -s redis://127.0.0.1:$bport <"$tmp/stream" >"$tmp/bayes_redis.out"'
		kill "$(cat "$tmp/redis.pid")" && rm -f "$tmp/redis.pid"
		cmp -s "$tmp/bayes.out" "$tmp/bayes_redis.out" ||
		    note "xd-bayes: Redis wrote other lines than LMDB"
	else
		note "xd-bayes: redis-server is not installed: the Redis rows are left out"
	fi
elif ! have xd-bayes; then
	note "xd-bayes is not built: its rows are left out"
fi

# --- xd-heur, on the stored stream of xd-parse ----------------------------
# The built-in checks with the shipped rules, then with SpamAssassin's
# rule files where the Debian package put them (its sa-update copy in
# /var/lib/spamassassin if there is one, else /usr/share/spamassassin).
TARGET_HEUR=1000	# messages per second, xd-heur on one core
TARGET_HEUR_RSS=64	# MB, xd-heur
if have xd-heur && [ -s "$tmp/stream" ]; then
	printf 'store = %s\n' "$tmp/heur.lmdb" >"$tmp/heur.conf"
	measure heur "xd-heur, stored stream, shipped rules" "$N" 1 \
	    'XD_CONF=$tmp/heur.conf xd-heur <"$tmp/stream" >"$tmp/heur.out"'
	e=$(grep -c 'error=xd-heur' "$tmp/heur.out")
	[ "$e" -eq 0 ] || note "xd-heur: $e lines with error="
	sa=
	for d in /var/lib/spamassassin/*/updates_spamassassin_org \
	    /usr/share/spamassassin; do
		if ls "$d"/*.cf >/dev/null 2>&1; then
			sa=$d
			break
		fi
	done
	if [ -n "$sa" ]; then
		printf 'store = %s\nrules = %s\n' "$tmp/heur.lmdb" "$sa" \
		    >"$tmp/heur_sa.conf"
		XD_CONF=$tmp/heur_sa.conf xd-heur -n -v >/dev/null 2>"$tmp/heur_sa.n"
		measure heur_sa "xd-heur, stored stream, SpamAssassin rules" "$N" 1 \
		    'XD_CONF=$tmp/heur_sa.conf xd-heur <"$tmp/stream" >"$tmp/heur_sa.out"'
		note "xd-heur with $sa: $(sed -n 's/^xd-heur: rules: //p' "$tmp/heur_sa.n")"
		note "xd-heur with $sa: $(sed -n 's/^xd-heur: skipped: //p' "$tmp/heur_sa.n")"
		note "xd-heur with $sa: $(grep -c 'bad pattern' "$tmp/heur_sa.n") patterns PCRE2 would not compile, $(grep -c 'too big for PCRE2$' "$tmp/heur_sa.n") too big for it (named in its diagnostics)"
		e=$(grep -c 'error=xd-heur' "$tmp/heur_sa.out")
		[ "$e" -eq 0 ] || note "xd-heur, SpamAssassin rules: $e lines with error="
	else
		note "xd-heur: no SpamAssassin rule files (package spamassassin): that row is left out"
	fi
elif ! have xd-heur; then
	note "xd-heur is not built: its rows are left out"
fi

# --- the whole pipeline -------------------------------------------------
if have xd-parse && have xd-score && have xd; then
	stages=$(xd -q stages 2>/dev/null)
	if [ -n "$stages" ]; then
		note "xd check ran the stages: $stages (then xd-score)"
	else
		note "xd check ran no check stage (none is built): it is xd-parse and xd-score only, so beside the peers it is flattered"
	fi
	measure check "xd check, corpus" "$N" 1 \
	    'xd -q check "$C/ham" "$C/spam" >/dev/null'
	if [ "$(get check 4 | cut -d. -f1)" -lt "$SLOW" ]; then
		measure check4 "xd check, corpus 4 times over" $((4 * N)) 1 \
		    'xd -q check "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam" >/dev/null'
	else
		note "xd check: the 4x run is left out, the 1x run took over ${SLOW}s"
	fi
fi

# --- the whole offline pipeline, one stage after the other -----------------
# Every stage that needs no DNS (urlcheck with resolver "none"), each
# run on the stream the one before it wrote, so that each has its own
# time and peak RSS and their sum is the pipeline on one core.  A stage
# that learns (--learn and --store) first learns the whole corpus into a
# store of its own; that learning is a row of its own, not in the sum.
if have xd-parse && have xd-score; then
	printf 'resolver = "none"\n' >"$tmp/offline.conf"
	measure off_parse "offline: xd-parse" "$N" 1 \
	    'XD_CONF=$tmp/offline.conf xd-parse --label=path -- "$C/ham" "$C/spam" >"$tmp/off.parse"'
	prev=$tmp/off.parse
	offline=parse
	failed=
	for s in urlcheck cksum heur bayes; do
		if ! have "xd-$s"; then
			note "offline pipeline: xd-$s is not built: left out"
			continue
		fi
		store=
		help=$("xd-$s" --help 2>/dev/null)
		if printf '%s\n' "$help" | grep -q -- '--learn[ =]' &&
		    printf '%s\n' "$help" | grep -q -- '--store'; then
			store="--store lmdb:$tmp/store.$s"
			export store s prev
			measure "learn_$s" "xd-$s --learn, corpus" "$N" 1 \
			    'for c in ham spam; do grep "$(printf "\tlabel=$c")" "$prev" |
			        XD_CONF=$tmp/offline.conf xd-$s --learn $c $store >/dev/null || exit 2; done'
		fi
		export store s prev
		measure "off_$s" "offline: xd-$s" "$N" 1 \
		    'XD_CONF=$tmp/offline.conf xd-$s $store <"$prev" >"$tmp/off.$s"'
		prev=$tmp/off.$s
		offline="$offline $s"
		# A failed stage leaves no stream for the next: stop there.
		case $(get "off_$s" 2) in *FAILED*) failed=$s; break ;; esac
	done
	export prev
	if [ -z "$failed" ]; then
		measure off_score "offline: xd-score" "$N" 1 \
		    'XD_CONF=$tmp/offline.conf xd-score <"$prev" >/dev/null'
		offline="$offline score"
	fi
	secs=0 rss=0
	for s in $offline; do
		secs=$(awk -v a="$secs" -v b="$(get "off_$s" 4)" 'BEGIN { print a + b }')
		r=$(get "off_$s" 5)
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s|%s%s|%s|%s|%s\n' offline "offline pipeline, the sum (one core)" \
	    "${failed:+ [FAILED]}" "$N" "$secs" "$rss" >>"$rows"
	[ -z "$failed" ] || note "offline pipeline: xd-$failed failed, so the stages after it did not run"
	note "offline pipeline: $(echo "$offline" | sed 's/ / | /g'), each stage on the stored stream of the one before; its RSS is the largest stage's"
fi

# --- peers --------------------------------------------------------------
if command -v bogofilter >/dev/null 2>&1; then
	mkdir "$tmp/bogo"
	measure bogotrain "bogofilter, train (-s, -n) on all" "$N" 0 \
	    'bogofilter -C -d "$tmp/bogo" -s -B "$C/spam/cur" &&
	     bogofilter -C -d "$tmp/bogo" -n -B "$C/ham/cur"'
	measure bogo "bogofilter, classify all (-B, bulk)" "$N" 2 \
	    'bogofilter -C -d "$tmp/bogo" -t -B "$C/ham/cur" "$C/spam/cur" >/dev/null'
	note "bogofilter: one process, Berkeley DB wordlist trained on this very corpus; a Bayes classifier only (no headers, relays, URLs)"
else
	note "bogofilter is not installed: left out"
fi

if [ "$SA_N" -gt 0 ] && command -v spamassassin >/dev/null 2>&1; then
	# An even spread over ham and spam, in one process.
	find "$C/ham/cur" "$C/spam/cur" -type f | sort |
	    awk -v n="$N" -v k="$SA_N" 'NR % int(n / k) == 0 && c < k { print; c++ }' \
	    >"$tmp/sa.list"
	sa=$(wc -l <"$tmp/sa.list")
	measure sa "spamassassin -L, subset of $sa messages" "$sa" 1 \
	    'spamassassin -L -x $(cat "$tmp/sa.list") >/dev/null'
	s=$(get sa 4)
	note "spamassassin: local tests only (-L, no DNS or network), one process over $sa messages spread over the corpus, start-up included; the whole corpus would take about $(awk -v s="$s" -v n="$N" -v k="$sa" 'BEGIN { printf "%.0f", s * n / k }') s"
else
	note "spamassassin is not installed (or XD_BENCH_SA=0): left out"
fi

# --- the table ------------------------------------------------------------
xdrate=$(awk -F'|' '$1 == "check" && $2 !~ /FAILED/ { printf "%.0f", $3 / ($4 > 0 ? $4 : 0.01) }' "$rows")
echo
printf '%-44s %8s %8s %9s %8s %9s\n' stage messages seconds "msgs/s" "RSS MB" "xd check"
printf '%-44s %8s %8s %9s %8s %9s\n' "" "" "" "" "(peak)" "is"
awk -F'|' -v xd="$xdrate" '
{
	s = $4 > 0 ? $4 : 0.01
	r = $3 / s
	vs = "-"
	if ($1 ~ /^(bogo|sa)/ && xd > 0)
		vs = sprintf(xd / r >= 10 ? "%.0fx" : "%.1fx", xd / r)
	printf "%-44s %8d %8.2f %9.0f %8.1f %9s\n", $2, $3, $4, r, $5 / 1024, vs
}' "$rows"
echo "(last column: how many times faster xd check is than the peer, in messages"
echo " per second; the runs of 0.1 s and less are there for their RSS only)"

# target LABEL OK DETAIL
target() {
	if [ "$2" = 1 ]; then r=PASS; else r=MISS; fi
	printf '  %-4s %-40s %s\n' "$r" "$1" "$3"
}

echo
echo "targets:"
if [ -n "$(get parse 3)" ]; then
	v=$(rate "$(get parse 3)" "$(get parse 4)")
	target "xd-parse >= $TARGET_PARSE msgs/s" "$([ "$v" -ge $TARGET_PARSE ] && echo 1)" "$v msgs/s"
else
	target "xd-parse >= $TARGET_PARSE msgs/s" 0 "not measured"
fi
if [ -n "$(get score 3)" ]; then
	v=$(rate "$(get score 3)" "$(get score 4)")
	target "xd-score >= $TARGET_SCORE lines/s" "$([ "$v" -ge $TARGET_SCORE ] && echo 1)" "$v lines/s"
else
	target "xd-score >= $TARGET_SCORE lines/s" 0 "not measured"
fi
for k in cksum:"xd-cksum, new LMDB store" cksum2:"xd-cksum, all seen" \
    cksum_redis:"xd-cksum, new Redis store"; do
	[ -n "$(get "${k%%:*}" 3)" ] || continue
	v=$(rate "$(get "${k%%:*}" 3)" "$(get "${k%%:*}" 4)")
	target "${k#*:} >= $TARGET_CKSUM msgs/s" "$([ "$v" -ge $TARGET_CKSUM ] && echo 1)" "$v msgs/s"
	kb=$(get "${k%%:*}" 5)
	target "RSS < $TARGET_CKSUM_RSS MB: ${k#*:}" \
	    "$([ "$kb" -lt $((TARGET_CKSUM_RSS * 1024)) ] && echo 1)" \
	    "$(awk -v k="$kb" 'BEGIN { printf "%.1f MB", k / 1024 }')"
done
for k in url:"xd-urlcheck" url_dns:"xd-urlcheck, one URI list"; do
	[ -n "$(get "${k%%:*}" 3)" ] || continue
	v=$(rate "$(get "${k%%:*}" 3)" "$(get "${k%%:*}" 4)")
	target "${k#*:} >= $TARGET_URL msgs/s" "$([ "$v" -ge $TARGET_URL ] && echo 1)" "$v msgs/s"
	kb=$(get "${k%%:*}" 5)
	target "RSS < $TARGET_URL_RSS MB: ${k#*:}" \
	    "$([ "$kb" -lt $((TARGET_URL_RSS * 1024)) ] && echo 1)" \
	    "$(awk -v k="$kb" 'BEGIN { printf "%.1f MB", k / 1024 }')"
done
if [ -n "$(get offline 3)" ]; then
	v=$(rate "$(get offline 3)" "$(get offline 4)")
	case $(get offline 2) in
	*FAILED*) target "offline pipeline >= $TARGET_OFFLINE msgs/s, one core" 0 "a stage failed" ;;
	*) target "offline pipeline >= $TARGET_OFFLINE msgs/s, one core" "$([ "$v" -ge $TARGET_OFFLINE ] && echo 1)" "$v msgs/s" ;;
	esac
	for k in $(awk -F'|' '$1 ~ /^off_/ { print $1 }' "$rows"); do
		kb=$(get "$k" 5)
		target "RSS < $TARGET_STAGE_RSS MB: offline ${k#off_}" \
		    "$([ "$kb" -lt $((TARGET_STAGE_RSS * 1024)) ] && echo 1)" \
		    "$(awk -v k="$kb" 'BEGIN { printf "%.1f MB", k / 1024 }')"
	done
fi
for k in bayes:"xd-bayes, LMDB" bayes_redis:"xd-bayes, Redis"; do
	[ -n "$(get "${k%%:*}" 3)" ] || continue
	v=$(rate "$(get "${k%%:*}" 3)" "$(get "${k%%:*}" 4)")
	target "${k#*:} >= $TARGET_BAYES msgs/s" "$([ "$v" -ge $TARGET_BAYES ] && echo 1)" "$v msgs/s"
	kb=$(get "${k%%:*}" 5)
	target "RSS < $TARGET_BAYES_RSS MB: ${k#*:}" \
	    "$([ "$kb" -lt $((TARGET_BAYES_RSS * 1024)) ] && echo 1)" \
	    "$(awk -v k="$kb" 'BEGIN { printf "%.1f MB", k / 1024 }')"
done
for k in heur:"xd-heur, shipped rules" heur_sa:"xd-heur, SpamAssassin rules"; do
	[ -n "$(get "${k%%:*}" 3)" ] || continue
	v=$(rate "$(get "${k%%:*}" 3)" "$(get "${k%%:*}" 4)")
	target "${k#*:} >= $TARGET_HEUR msgs/s" "$([ "$v" -ge $TARGET_HEUR ] && echo 1)" "$v msgs/s"
	kb=$(get "${k%%:*}" 5)
	target "RSS < $TARGET_HEUR_RSS MB: ${k#*:}" \
	    "$([ "$kb" -lt $((TARGET_HEUR_RSS * 1024)) ] && echo 1)" \
	    "$(awk -v k="$kb" 'BEGIN { printf "%.1f MB", k / 1024 }')"
done
for k in parse:xd-parse parse4:"xd-parse, 4x" score:"xd-score, long stream" \
    score1:xd-score score4:"xd-score, 4x" check:"xd check" \
    check4:"xd check, 4x"; do
	kb=$(get "${k%%:*}" 5)
	[ -n "$kb" ] || continue
	mb=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
	target "RSS < $TARGET_RSS MB: ${k#*:}" \
	    "$([ "$kb" -lt $((TARGET_RSS * 1024)) ] && echo 1)" "$mb MB"
done
# flat KEY1 KEY4: four times the mail may not cost more memory (10%
# and 1 MB of slack for allocator noise).
flat() {
	a=$(get "$1" 5) b=$(get "$2" 5)
	[ -n "$a" ] && [ -n "$b" ] || return
	ok=$(awk -v a="$a" -v b="$b" 'BEGIN { print (b <= a * 1.1 + 1024) ? 1 : 0 }')
	target "flat memory: $3" "$ok" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f MB at 1x, %.1f MB at 4x", a / 1024, b / 1024 }')"
}
flat parse parse4 xd-parse
flat score1 score4 xd-score
flat check check4 "xd check"

if [ -s "$notes" ]; then
	echo
	echo "notes:"
	sed 's/^/  /' "$notes"
fi

# --- in one process and composed (t/bench-inproc.sh) ------------------
sh "$repo/t/bench-inproc.sh" "$bindir" "$C"

# --- the targets of issue 15, in CPU time (t/bench-targets.sh) -------------
echo
XD_CORPUS=$C sh "$repo/t/bench-targets.sh" "$bindir"
exit 0
