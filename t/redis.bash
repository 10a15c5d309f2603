# A Redis server for the tests, on 127.0.0.1 and a free port, started
# and stopped by PID, writing nothing outside the test's directory (no
# RDB or AOF file at all).  Load it after helper.bash:
#
#	load helper
#	load redis
#	setup_file() { redis_start; }
#	teardown_file() { redis_stop; }
#
# redis_start exports REDIS_PORT and REDIS_URL (redis://127.0.0.1:PORT);
# each test gets a database of its own with redis_db, so that tests
# never see each other's keys.  redis_logs shows the server's log; it
# is shown by itself when a test fails.

REDIS_DIR=${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/redis

# A TCP port free on 127.0.0.1.
redis_free_port() {
	python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# redis_ping PORT: the server answers PONG.
redis_ping() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

redis_start() {
	local i
	command -v redis-server >/dev/null ||
	    { echo "redis.bash: redis-server is not installed" >&2; return 1; }
	mkdir -p "$REDIS_DIR"
	REDIS_PORT=$(redis_free_port) || return 1
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
	    --save '' --appendonly no --dir "$REDIS_DIR" \
	    --logfile "$REDIS_DIR/redis.log" --databases 64 \
	    --daemonize no >/dev/null 2>&1 &
	echo $! >"$REDIS_DIR/redis.pid"
	export REDIS_PORT REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
	for i in $(seq 1 100); do
		redis_ping "$REDIS_PORT" && return 0
		kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "redis.bash: no answer on 127.0.0.1:$REDIS_PORT" >&2
	redis_logs
	return 1
}

# Stop the server by its PID and wait until it and its port are gone.
redis_stop() {
	local pid i
	[ -f "$REDIS_DIR/redis.pid" ] || return 0
	pid=$(cat "$REDIS_DIR/redis.pid")
	rm -f "$REDIS_DIR/redis.pid"
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		if ! kill -0 "$pid" 2>/dev/null &&
		    ! redis_ping "$REDIS_PORT"; then
			return 0
		fi
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

redis_logs() {
	[ -f "$REDIS_DIR/redis.log" ] || return 0
	echo "--- $REDIS_DIR/redis.log" >&2
	tail -n 30 "$REDIS_DIR/redis.log" >&2
}

# The URL of an empty database for this test: numbered by the test
# (64 databases; see --databases) and emptied first.
redis_db() {
	local n=$(( ${BATS_TEST_NUMBER:-1} % 64 ))
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$n" flushdb >/dev/null ||
	    return 1
	echo "$REDIS_URL/$n"
}

# Show the server's log after a failed test.
teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || redis_logs
}
