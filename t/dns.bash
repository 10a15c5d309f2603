# DNS servers for the tests, on 127.0.0.1 and a free port, started and
# stopped by PID.  Load it after helper.bash and call from setup_file /
# teardown_file:
#
#	load helper
#	load dns		# setup: helper's, then XD_RESOLVER=knot
#	setup_file() { knot_start; dnsserver_start; }
#	teardown_file() { dnsserver_stop; knot_stop; }
#
# knot_start serves every t/zones/NAME.zone as zone NAME (drop a file
# there and it is served); KNOT_PORT is its port and KNOT_RESOLVER
# "127.0.0.1:PORT".  dnsserver_start [ARGS] runs t/dnsserver.py, the
# server of hostile answers and delays (see its --help), with the query
# log $DNSSERVER_LOG; DNSSERVER_PORT and DNSSERVER_RESOLVER likewise.
# Logs are shown when a test fails (dns_logs).

DNS_DIR=${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/dns
ZONES_DIR=$BATS_TEST_DIRNAME/zones

# A python 3 that has dnslib: pyenv and virtualenvs may hide Debian's.
dns_python() {
	local p
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import dnslib' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "dns.bash: no python3 with dnslib (apt-get install python3-dnslib)" >&2
	return 1
}

# A port free for both UDP and TCP on 127.0.0.1.
dns_free_port() {
	python3 - <<'PY'
import socket
for _ in range(100):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
    print(port)
    break
PY
}

# dns_wait_answer PORT NAME: wait up to 10 s until the server answers.
dns_wait_answer() {
	local i
	for i in $(seq 1 100); do
		if XD_CONF=/dev/null "$XD_BIN/xd-dns" -r "127.0.0.1:$1" A "$2" \
		    >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "dns.bash: nothing answers on 127.0.0.1:$1" >&2
	return 1
}

# dns_stop_pid FILE PORT: stop the process whose PID is in FILE, and wait
# until it has gone.
dns_stop_pid() {
	local pid i
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	rm -f "$1"
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

knot_start() {
	local z name
	mkdir -p "$DNS_DIR/knot/db"
	KNOT_PORT=$(dns_free_port)
	{
		printf 'server:\n    rundir: "%s"\n' "$DNS_DIR/knot"
		printf '    listen: 127.0.0.1@%s\n' "$KNOT_PORT"
		printf '    background-workers: 1\n'
		printf 'log:\n  - target: stderr\n    any: info\n'
		printf 'database:\n    storage: "%s"\n' "$DNS_DIR/knot/db"
		printf 'template:\n  - id: default\n    storage: "%s"\n' "$ZONES_DIR"
		printf '    file: "%%s.zone"\n    zonefile-sync: -1\n'
		printf '    journal-content: none\n    semantic-checks: off\n'
		printf 'zone:\n'
		for z in "$ZONES_DIR"/*.zone; do
			[ -f "$z" ] || continue
			name=$(basename "$z" .zone)
			printf '  - domain: %s\n' "$name"
		done
	} >"$DNS_DIR/knot.conf"
	knotd -c "$DNS_DIR/knot.conf" >"$DNS_DIR/knot.log" 2>&1 &
	echo $! >"$DNS_DIR/knot.pid"
	export KNOT_PORT KNOT_RESOLVER="127.0.0.1:$KNOT_PORT"
	# Wait until every zone is loaded and answers.
	for z in "$ZONES_DIR"/*.zone; do
		dns_wait_answer "$KNOT_PORT" "$(basename "$z" .zone)" ||
		    { dns_logs; return 1; }
	done
}

knot_stop() {
	dns_stop_pid "$DNS_DIR/knot.pid"
}

dnsserver_start() {
	local py
	py=$(dns_python) || return 1
	mkdir -p "$DNS_DIR"
	DNSSERVER_PORT=$(dns_free_port)
	DNSSERVER_LOG=$DNS_DIR/dnsserver.queries
	: >"$DNSSERVER_LOG"
	"$py" "$BATS_TEST_DIRNAME/dnsserver.py" --port "$DNSSERVER_PORT" \
	    --log "$DNSSERVER_LOG" "$@" >"$DNS_DIR/dnsserver.log" 2>&1 &
	echo $! >"$DNS_DIR/dnsserver.pid"
	export DNSSERVER_PORT DNSSERVER_LOG \
	    DNSSERVER_RESOLVER="127.0.0.1:$DNSSERVER_PORT"
	dns_wait_answer "$DNSSERVER_PORT" 2.listed.test || { dns_logs; return 1; }
}

dnsserver_stop() {
	dns_stop_pid "$DNS_DIR/dnsserver.pid"
}

dns_logs() {
	local f
	for f in "$DNS_DIR"/knot.log "$DNS_DIR"/dnsserver.log; do
		[ -f "$f" ] || continue
		echo "--- $f"
		tail -n 50 "$f"
	done >&2
}

# Per test: helper.bash's setup, then the DNS of the tools goes to knot
# unless a test says otherwise.  Loading this file installs it as setup.
dns_setup() {
	export XD_RESOLVER=${KNOT_RESOLVER:-none}
}
if declare -f setup >/dev/null; then
	eval "helper_setup() $(declare -f setup | tail -n +2)"
else
	helper_setup() { :; }
fi
setup() {
	helper_setup
	dns_setup
}

# Show the servers' logs after a failed test.
teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dns_logs
}

# How many queries for NAME reached the hostile server.
dns_count() {
	grep -c "^$1 " "$DNSSERVER_LOG" || true
}
