#!/bin/sh
# bench-targets.sh - the targets of issue 15 as measured, in CPU time
# (user+sys of every process of a run, never wall time), beside the
# peers in the same run.  Part of make bench (t/bench.sh).
#
#   sh t/bench-targets.sh [bindir]
#
# The corpus is ../shared/corpus beside the repository, or $XD_CORPUS;
# without one it says so and stops.  $XD_BENCH_FILTER sets how many
# single deliveries xd filter (and the daemons' clients) get (default 40).
#
# Each section below is one target; each prints "met" or "not met".

repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
bindir=$(cd "${1:-$repo/bin}" 2>/dev/null && pwd) ||
    { echo "bench-targets: no such directory: ${1:-bin}" >&2; exit 2; }
C=${XD_CORPUS:-$(dirname "$repo")/shared/corpus}
FILTER_N=${XD_BENCH_FILTER:-40}
TARGET_RATIO=0.7	# xd check's messages per CPU-second over bogofilter -B's
GOAL_RATIO=1.0
TARGET_FILTER_MS=15	# CPU per message, xd filter start to finish
TARGET_RSS=64		# MB, every process of xd check

echo "targets of issue 15, in CPU time (user+sys):"
if [ ! -d "$C/ham/cur" ] || [ ! -d "$C/spam/cur" ]; then
	echo "  skipped: no corpus at $C (want ham/cur and spam/cur; set XD_CORPUS)"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "  skipped: /usr/bin/time is missing (Debian package 'time')"
	exit 0
fi
C=$(cd "$C" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xd-targets.XXXXXX") || exit 2
# A spamd or rspamd started here is stopped by its PID.
trap 'for d in spamd rspamd; do [ -f "$tmp/$d.pid" ] && kill "$(cat "$tmp/$d.pid")"; done; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/home"
HOME=$tmp/home
XD_CONF=$tmp/xd.conf
XD_SHARE=$repo/share
XD_RESOLVER=none
PATH=$bindir:$repo/bin:$PATH
# The default configuration but for the store, which is new and the
# bench's own; offline, as everywhere in the bench.
printf 'store = %s\n' "$tmp/store.lmdb" >"$XD_CONF"
export HOME XD_CONF XD_SHARE XD_RESOLVER PATH C tmp
N=$(find "$C/ham/cur" "$C/spam/cur" -type f | wc -l)
find "$C/ham/cur" "$C/spam/cur" -type f -exec cat {} + >/dev/null

# cpu NAME 'shell command': run it once under /usr/bin/time; NAME.cpu is
# user+sys seconds of the command and every process it waited for,
# NAME.rss the peak RSS in KB of the largest single process.
cpu() {
	printf 'bench-targets: %s ...\n' "$1" >&2
	/usr/bin/time -f '%U %S %M' -o "$tmp/$1.time" sh -c "$2" \
	    >/dev/null 2>"$tmp/$1.err"
	echo $? >"$tmp/$1.rc"
	awk '{ print $1 + $2 }' "$tmp/$1.time" | tail -n 1 >"$tmp/$1.cpu"
	awk '{ print $3 }' "$tmp/$1.time" | tail -n 1 >"$tmp/$1.rss"
}
val() {
	cat "$tmp/$1.$2" 2>/dev/null
}
# verdict OK LABEL VALUE
verdict() {
	if [ "$1" = 1 ]; then r=met; else r="not met"; fi
	printf '  %-8s %-52s %s\n' "$r" "$2" "$3"
}
mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'
}

# --- training, the same for both: every message of the corpus --------------
cpu xd_learn 'xd -q learn label "$C/ham" "$C/spam"'
have_bogo=
if command -v bogofilter >/dev/null 2>&1; then
	have_bogo=1
	mkdir "$tmp/bogo"
	cpu bogo_learn 'bogofilter -C -d "$tmp/bogo" -s -B "$C/spam/cur" &&
	    bogofilter -C -d "$tmp/bogo" -n -B "$C/ham/cur"'
fi

# --- xd check, trained and offline, beside bogofilter -B ------------------
# The rules' caches (compiled patterns, Hyperscan databases) built first,
# as every run after a site's first finds them: a CPU-second or two once.
xd-heur -n >/dev/null 2>&1
cpu check1 'xd -q check "$C/ham" "$C/spam"'
xd_rate=$(awk -v n="$N" -v s="$(val check1 cpu)" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }')
printf '  xd check, trained, offline:  %6s msgs per CPU-second (%s s for %s messages, exit %s)\n' \
    "$xd_rate" "$(val check1 cpu)" "$N" "$(val check1 rc)"
if [ -n "$have_bogo" ]; then
	cpu bogo 'bogofilter -C -d "$tmp/bogo" -t -B "$C/ham/cur" "$C/spam/cur"'
	bogo_rate=$(awk -v n="$N" -v s="$(val bogo cpu)" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }')
	printf '  bogofilter -B, trained:      %6s msgs per CPU-second (%s s)\n' \
	    "$bogo_rate" "$(val bogo cpu)"
	ratio=$(awk -v a="$xd_rate" -v b="$bogo_rate" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')
	verdict "$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) }')" \
	    "xd check >= ${TARGET_RATIO}x bogofilter -B's rate" "${ratio}x"
	verdict "$(awk -v r="$ratio" -v t="$GOAL_RATIO" 'BEGIN { print (r >= t) }')" \
	    "goal: xd check >= ${GOAL_RATIO}x bogofilter -B's rate" "${ratio}x"
else
	verdict 0 "xd check >= ${TARGET_RATIO}x bogofilter -B's rate" \
	    "not measured: bogofilter is not installed (make accuracy PEERS=1 installs it)"
fi

# --- peak RSS per process, and memory flat as the corpus grows -------------
# The corpus named 2 and 4 times over: the same files, more messages.
cpu check2 'xd -q check "$C/ham" "$C/spam" "$C/ham" "$C/spam"'
cpu check4 'xd -q check "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam" "$C/ham" "$C/spam"'
for k in 1 2 4; do
	r=$(val "check$k" rss)
	verdict "$([ "${r:-999999}" -lt $((TARGET_RSS * 1024)) ] && echo 1)" \
	    "peak RSS < $TARGET_RSS MB per process, xd check, ${k}x corpus" \
	    "$(mb "$r") ($(val "check$k" cpu) s CPU)"
done
r1=$(val check1 rss) r4=$(val check4 rss)
verdict "$(awk -v a="$r1" -v b="$r4" 'BEGIN { print (b <= a * 1.1 + 1024) ? 1 : 0 }')" \
    "memory flat, 1x 2x 4x the corpus (4x <= 1x + 10% + 1 MB)" \
    "$(mb "$r1"), $(mb "$(val check2 rss)"), $(mb "$r4")"

# --- xd filter, one message start to finish -------------------------------
# FILTER_N messages spread over the corpus, each delivered alone, the
# default configuration with the store trained above; the CPU of a shell
# loop that only copies each message is taken off.
find "$C/ham/cur" "$C/spam/cur" -type f | sort |
    awk -v n="$N" -v k="$FILTER_N" 'NR % int(n / k) == 0 && c < k { print; c++ }' \
    >"$tmp/filter.list"
fn=$(wc -l <"$tmp/filter.list")
export fn
cpu loop 'while IFS= read -r f; do cat <"$f" >/dev/null; done <"$tmp/filter.list"'
cpu filter 'while IFS= read -r f; do xd -q filter <"$f" >/dev/null; done <"$tmp/filter.list"'
# per_ms NAME [daemon seconds]: CPU per message in ms, the loop's off
per_ms() {
	awk -v s="$(val "$1" cpu)" -v l="$(val loop cpu)" -v d="${2:-0}" -v n="$fn" \
	    'BEGIN { v = (s - l + d) * 1000 / n; printf "%.1f", (v > 0 ? v : 0) }'
}
ms=$(per_ms filter)
verdict "$(awk -v v="$ms" -v t="$TARGET_FILTER_MS" 'BEGIN { print (v <= t) }')" \
    "xd filter <= $TARGET_FILTER_MS ms CPU per message" \
    "$ms ms ($fn messages, exit of the last loop $(val filter rc))"
# The same deliveries with SpamAssassin's rules loaded too, where they
# are installed: compiled once into the rules cache, never per delivery.
if [ -d /usr/share/spamassassin ]; then
	cp "$XD_CONF" "$tmp/xd-sa.conf"
	echo 'rules += /usr/share/spamassassin' >>"$tmp/xd-sa.conf"
	XD_CONF=$tmp/xd-sa.conf xd -q filter <"$(head -n 1 "$tmp/filter.list")" \
	    >/dev/null 2>&1	# the cache, made once
	cpu filter_sa 'while IFS= read -r f; do XD_CONF=$tmp/xd-sa.conf xd -q filter <"$f" >/dev/null 2>&1; done <"$tmp/filter.list"'
	printf '  %-29s%6s ms CPU per message (not a target)\n' \
	    "xd filter, SpamAssassin's too" "$(per_ms filter_sa)"
fi

# daemon_ticks PID: user+sys clock ticks of PID and its children now.
daemon_ticks() {
	for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
		awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null
	done | awk '{ t += $1 } END { print t + 0 }'
}

# daemon_row NAME LABEL DAEMON CLIENT: the loop CLIENT over the deliveries
# timed as NAME, the daemon's CPU over it (its PID in $tmp/DAEMON.pid)
# counted in, and the row printed.
daemon_row() {
	t0=$(daemon_ticks "$(cat "$tmp/$3.pid")")
	cpu "$1" "$4"
	t1=$(daemon_ticks "$(cat "$tmp/$3.pid")")
	d=$(awk -v a="$t0" -v b="$t1" -v h="$(getconf CLK_TCK)" 'BEGIN { print (b - a) / h }')
	printf '  %-29s%6s ms CPU per message, %s %s s of it\n' \
	    "$2" "$(per_ms "$1" "$d")" "$3" "$d"
}

if command -v spamd >/dev/null 2>&1 && command -v spamc >/dev/null 2>&1; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	spamd -L -x -i 127.0.0.1 -p "$port" -m 1 --min-children=1 \
	    --max-spare=1 -r "$tmp/spamd.pid" -s stderr >/dev/null 2>"$tmp/spamd.log" &
	i=0
	until [ -s "$tmp/spamd.pid" ] && spamc -p "$port" -K >/dev/null 2>&1 ||
	    [ $i -ge 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if spamc -p "$port" -K >/dev/null 2>&1; then
		export port
		daemon_row spamc 'spamc+spamd (local tests):' spamd \
		    'while IFS= read -r f; do spamc -p "$port" <"$f" >/dev/null; done <"$tmp/filter.list"'
	else
		echo "  spamc+spamd: spamd did not answer on 127.0.0.1:$port; left out"
	fi
	kill "$(cat "$tmp/spamd.pid")" 2>/dev/null && rm -f "$tmp/spamd.pid"
else
	echo "  spamc+spamd: not installed (Debian bookworm: apt-get install spamd spamc); left out"
fi
# rspamd: its shipped configuration from a private directory, one normal
# worker on loopback, fuzzy checks (which name remote servers) off and
# DNS sent to a closed loopback port, so nothing leaves the machine.
if command -v rspamd >/dev/null 2>&1 && command -v rspamc >/dev/null 2>&1; then
	rs=$tmp/rspamd
	# Its database directory outlives the run (in build/, which make clean
	# removes): rspamd compiles its regular expressions there on its
	# first start (minutes here) and loads them on the next.
	rsdb=$(cd "$(dirname "$0")/.." && pwd)/build/bench-cache/rspamd-db
	mkdir -p "$rs/run" "$rs/log" "$rsdb" "$rs/local/local.d"
	echo 'enabled = false;' >"$rs/local/local.d/fuzzy_check.conf"
	rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	{
		echo '.include "$CONFDIR/common.conf"'
		echo 'options { pidfile = "$RUNDIR/rspamd.pid"; .include "$CONFDIR/options.inc"'
		echo '    dns { nameserver = ["127.0.0.1:1"]; } }'
		echo 'logging { type = "file"; filename = "$LOGDIR/rspamd.log"; level = "error"; }'
		echo "worker \"normal\" { bind_socket = \"127.0.0.1:$rport\"; count = 1;"
		echo '    .include "$CONFDIR/worker-normal.inc" }'
	} >"$rs/rspamd.conf"
	rspamd -f -c "$rs/rspamd.conf" -u "$(id -un)" -g "$(id -gn)" --insecure \
	    CONFDIR=/etc/rspamd RUNDIR="$rs/run" LOGDIR="$rs/log" DBDIR="$rsdb" \
	    LOCAL_CONFDIR="$rs/local" >"$rs/log/stderr" 2>&1 &
	echo $! >"$tmp/rspamd.pid"
	# Up when its normal worker checks a message (a normal worker has no
	# "stat": that is the controller's); the first start takes minutes.
	printf 'Subject: up?\n\nup?\n' >"$rs/up.eml"
	rspamd_up() {
		rspamc -h "127.0.0.1:$rport" <"$rs/up.eml" 2>/dev/null | grep -q '^Action:'
	}
	i=0
	until rspamd_up || [ $i -ge 3000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# and its regular expressions compiled: its CPU still for 2 s
	i=0
	while [ $i -lt 300 ] && rspamd_up; do
		t0=$(daemon_ticks "$(cat "$tmp/rspamd.pid")")
		sleep 2
		[ "$(daemon_ticks "$(cat "$tmp/rspamd.pid")")" = "$t0" ] && break
		i=$((i + 2))
	done
	if rspamd_up; then
		export rport
		daemon_row rspamc 'rspamc+rspamd (offline):' rspamd \
		    'while IFS= read -r f; do rspamc -h "127.0.0.1:$rport" <"$f" >/dev/null; done <"$tmp/filter.list"'
	else
		echo "  rspamc+rspamd: rspamd did not answer on 127.0.0.1:$rport; left out"
	fi
	kill "$(cat "$tmp/rspamd.pid")" 2>/dev/null && rm -f "$tmp/rspamd.pid"
else
	echo "  rspamc+rspamd: not installed (Debian bookworm has rspamd 3.4: apt-get install rspamd); left out"
fi

# --- what the numbers are --------------------------------------------------
echo "  (training, not a target: xd learn $(val xd_learn cpu) s${have_bogo:+, bogofilter $(val bogo_learn cpu) s} of CPU;"
echo "   xd check counts copies into the store as it goes, bogofilter -B writes nothing;"
echo "   the peak RSS is that of the largest single process of the run)"
exit 0
