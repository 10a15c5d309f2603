#!/usr/bin/env bats
# The store (store.c, store_lmdb.c, store_redis.c) through its C
# interface, driven by t/store-test.c: every case runs on a fresh LMDB
# file and on a fresh database of a real redis-server, and the two must
# print the same.  See xd-store(5).

load helper
load redis

STORE_TEST=${XD_UNIT:+$(dirname "$XD_UNIT")/store-test}
: "${STORE_TEST:=$REPO/build/store-test}"

setup_file() {
	redis_start
}

teardown_file() {
	redis_stop
}

need_driver() {
	[ -x "$STORE_TEST" ] ||
	    { echo "$STORE_TEST is not built (make build/store-test)" >&2; return 1; }
}

# both < SCRIPT: run the script on LMDB and on Redis; the same output
# and exit status from both, printed once (with the status last when it
# is not 0).
both() {
	need_driver
	cat >script
	local a=0 b=0
	"$STORE_TEST" "$PWD/both.lmdb" <script >lmdb.out 2>lmdb.err || a=$?
	"$STORE_TEST" "$(redis_db)" <script >redis.out 2>redis.err || b=$?
	if ! diff lmdb.out redis.out >&2 || [ "$a" != "$b" ]; then
		echo "LMDB (exit $a) and Redis (exit $b) differ" >&2
		cat lmdb.err redis.err >&2
		return 1
	fi
	cat lmdb.out
	[ "$a" -eq 0 ] || echo "exit $a"
}

# same EXPECTED: the output of the last `run both` is EXPECTED.
same() {
	if [ "$output" != "$1" ]; then
		printf 'got:\n%s\nwanted:\n%s\n' "$output" "$1" >&2
		return 1
	fi
}

@test "a record never written reads as zero" {
	run both <<'EOF'
table t 0 0
get t nothing
run
count t
EOF
	[ "$status" -eq 0 ]
	same '0 0 0
0'
}

@test "add creates a record, adds to it, and a record at zero is gone" {
	run both <<'EOF'
table t 0 0
now 1000
add t k 2 1
run
now 1010
add t k 1 -1
get t k
run
count t
add t k -3 0
get t k
run
count t
EOF
	[ "$status" -eq 0 ]
	same '2 1 1000
3 0 1010
3 0 1010
1
0 0 0
0 0 0
0'
}

@test "counters may go below zero: they are plain sums" {
	run both <<'EOF'
table t 0 0
now 5
add t k -2 0
get t k
run
EOF
	same '-2 0 5
-2 0 5'
}

@test "if sets the record when its first counter is as expected, and runs what it guards" {
	run both <<'EOF'
table t 0 0
table u 0 0
now 100
if t seen 0 -1 0
add u count 1 0
end
get t seen
get u count
run
EOF
	same '0 0 0
1 0 100
0 0 0
-1 0 100
1 0 100'
}

@test "if skips what it guards when the first counter differs, and the rest still runs" {
	run both <<'EOF'
table t 0 0
now 100
add t seen 2 0
run
if t seen 1 5 5
add t guarded 1 0
end
add t after 1 0
get t seen
get t guarded
run
EOF
	same '2 0 100
2 0 100
0 0 0
0 0 0
1 0 100
2 0 100
0 0 0'
}

@test "of two compare-and-sets on one record at most one applies" {
	run both <<'EOF'
table t 0 0
now 7
if t k 0 2 0
add t moved 1 0
end
if t k 1 2 0
add t moved 10 0
end
get t moved
run
EOF
	same '0 0 0
1 0 7
0 0 0
2 0 7
0 0 0
0 0 0
1 0 7'
}

@test "if with both new counters zero removes the record" {
	run both <<'EOF'
table t 0 0
now 1
add t k 2 0
if t k 2 0 0
end
get t k
run
count t
EOF
	same '2 0 1
2 0 1
0 0 0
0 0 0
0'
}

@test "del removes a record" {
	run both <<'EOF'
table t 0 0
now 1
add t a 1 0
add t b 1 0
del t a
get t a
get t b
run
count t
EOF
	same '1 0 1
1 0 1
0 0 0
0 0 0
1 0 1
1'
}

@test "counters past 32 bits, below zero, and times past 2106 are kept whole" {
	run both <<'EOF'
table t 0 0
now 1700000000
add t small 5 -3
add t big 3000000000 1
add t neg -3000000000 -1
run
now 5000000000
add t late 2147483647 -2147483648
run
get t small
get t big
get t neg
get t late
run
EOF
	[ "$status" -eq 0 ]
	[ "${lines[4]}" = "5 -3 1700000000" ]
	[ "${lines[5]}" = "3000000000 1 1700000000" ]
	[ "${lines[6]}" = "-3000000000 -1 1700000000" ]
	[ "${lines[7]}" = "2147483647 -2147483648 5000000000" ]
}

@test "tables are apart: one key in two tables is two records" {
	run both <<'EOF'
table a 0 0
table b 0 0
now 1
add a k 1 0
add b k 5 0
get a k
run
count a
count b
EOF
	same '1 0 1
5 0 1
1 0 1
1
1'
}

@test "a record not written for its table's ttl is gone, and swept at the next write" {
	run both <<'EOF'
table t 100 0
now 1000
add t old 1 0
run
now 1099
get t old
run
now 1100
get t old
run
count t
add t new 1 0
run
count t
EOF
	same '1 0 1000
1 0 1000
0 0 0
1
1 0 1100
1'
}

@test "an aged record written again starts from zero" {
	run both <<'EOF'
table t 10 0
now 1000
add t k 5 0
run
now 2000
add t k 1 0
run
count t
EOF
	same '5 0 1000
1 0 2000
1'
}

@test "a table keeps at most max records: the least recently written go first" {
	run both <<'EOF'
table t 0 3
now 1
add t a 1 0
run
now 2
add t b 1 0
run
now 3
add t c 1 0
run
now 4
add t a 1 0
run
now 5
add t d 1 0
run
count t
walk t
EOF
	same '1 0 1
1 0 2
1 0 3
2 0 4
1 0 5
3
c 1 0 3
a 2 0 4
d 1 0 5'
}

@test "reads do not make a record young" {
	run both <<'EOF'
table t 0 2
now 1
add t a 1 0
run
now 2
add t b 1 0
run
now 3
get t a
add t c 1 0
run
walk t
EOF
	same '1 0 1
1 0 2
1 0 1
1 0 3
b 1 0 2
c 1 0 3'
}

@test "the time of a batch is the time when it runs" {
	run both <<'EOF'
table t 0 0
now 1
add t a 1 0
now 2
add t b 1 0
run
EOF
	same '1 0 2
1 0 2'
}

@test "records written at one time go in key order" {
	run both <<'EOF'
table t 0 2
now 9
add t b 1 0
add t a 1 0
add t c 1 0
run
walk t
EOF
	same '1 0 9
1 0 9
1 0 9
b 1 0 9
c 1 0 9'
}

@test "expire removes every aged record at once, and only those" {
	{
		echo 'table t 50 0'
		echo 'now 1000'
		for i in $(seq 1 300); do echo "add t k$i 1 0"; done
		echo 'run'
		echo 'now 1020'
		echo 'add t young 1 0'
		echo 'run'
		echo 'now 1060'
		echo 'count t'
		echo 'expire t'
		echo 'run'
		echo 'count t'
		echo 'walk t'
	} >in
	run both <in
	[ "$status" -eq 0 ]
	[ "$(tail -n 4 <<<"$output")" = '301
300 0 0
1
young 1 0 1020' ]
}

@test "a write sweeps a bounded number of aged records, and later writes the rest" {
	{
		echo 'table t 10 0'
		echo 'now 1000'
		for i in $(seq 1 100); do echo "add t k$i 1 0"; done
		echo 'run'
		echo 'now 2000'
		echo 'add t x 1 0'
		echo 'run'
		echo 'count t'
		echo 'repeat 10 add t x 1 0'
		echo 'run'
		echo 'count t'
	} >in
	run both <in
	[ "$status" -eq 0 ]
	# one write may sweep 16 + 2 of them, ten writes 16 + 20
	[ "$(sed -n '102p;113p' <<<"$output")" = '83
47' ]
}

@test "walk shows the live records, oldest first" {
	run both <<'EOF'
table t 100 0
now 1000
add t gone 1 0
run
now 1050
add t b 2 3
add t a 1 0
run
now 1100
walk t
EOF
	same '1 0 1000
2 3 1050
1 0 1050
a 1 0 1050
b 2 3 1050'
}

@test "a bad key or table fails the run and writes nothing" {
	long=$(printf 'k%.0s' $(seq 1 201))
	run both <<EOF
table t 0 0
table Bad 0 0
now 1
add t ok 1 0
add t $long 1 0
run
get t ok
run
add Bad k 1 0
run
EOF
	[ "$(head -n 2 <<<"$output")" = '0 0 0
exit 1' ]
	grep -q 'a key that is empty or too long' lmdb.err
	grep -q 'a key that is empty or too long' redis.err
	grep -q 'a bad table name' lmdb.err
}

@test "an endif without if, or an if inside an if, fails the run" {
	run both <<'EOF'
table t 0 0
end
run
if t a 0 1 0
if t b 0 1 0
run
get t a
run
EOF
	[ "$output" = '0 0 0
exit 1' ]
	grep -q 'store_endif without store_if' lmdb.err
	grep -q 'store_if inside store_if' redis.err
}

@test "an if left open is closed by the run" {
	run both <<'EOF'
table t 0 0
now 3
if t a 0 1 0
add t b 1 0
run
EOF
	same '0 0 0
1 0 3'
}

# --- many processes at once ----------------------------------------------

# race URL: six processes, each 60 batches that add 1 to one key and
# claim another with a compare-and-set that counts its wins.
race() {
	local i
	for i in 1 2 3 4 5 6; do
		{
			echo 'table t 0 0'
			echo 'if t claim 0 1 0'
			echo 'add t wins 1 0'
			echo 'end'
			echo 'run'
			echo 'repeat 60 addrun t hits'
		} | "$STORE_TEST" "$1" >race.$i.out 2>race.$i.err &
	done
	wait
	cat race.*.err >&2
	printf 'table t 0 0\nget t hits\nget t wins\nrun\n' |
	    "$STORE_TEST" "$1"
}

@test "LMDB: six processes writing at once lose no write, and one claim wins" {
	need_driver
	run race "$PWD/race.lmdb"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1-2 <<<"$output")" = '360 0
1 0' ]
}

@test "Redis: six processes writing at once lose no write, and one claim wins" {
	need_driver
	run race "$(redis_db)"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1-2 <<<"$output")" = '360 0
1 0' ]
}

# --- LMDB -----------------------------------------------------------------

@test "LMDB: the file and its lock file are made, with their directory, private" {
	need_driver
	printf 'table t 0 0\nadd t k 1 0\nrun\n' | "$STORE_TEST" "$PWD/dir/s.lmdb"
	[ -f dir/s.lmdb ]
	[ -f dir/s.lmdb-lock ]
	[ "$(stat -c %a dir)" = 700 ]
	[ "$(stat -c %a dir/s.lmdb)" = 600 ]
}

@test "LMDB: lmdb:PATH and ~/ name files too" {
	need_driver
	printf 'table t 0 0\nadd t k 1 0\nrun\n' | "$STORE_TEST" "lmdb:$PWD/a.lmdb"
	[ -f a.lmdb ]
	printf 'table t 0 0\nadd t k 1 0\nrun\n' | "$STORE_TEST" '~/b.lmdb'
	[ -f "$HOME/b.lmdb" ]
}

@test "LMDB: a place it cannot write fails every run, naming the file" {
	need_driver
	mkdir ro
	chmod 500 ro
	[ ! -w ro ] || skip "running as a user who writes anywhere"
	run "$STORE_TEST" "$PWD/ro/s.lmdb" <<<$'table t 0 0\nadd t k 1 0\nrun'
	[ "$status" -eq 1 ]
	[[ "$output" == *"$PWD/ro/s.lmdb"* ]]
}

@test "LMDB: a missing directory two levels down fails, naming the file" {
	need_driver
	run "$STORE_TEST" "$PWD/no/such/s.lmdb" <<<$'table t 0 0\nget t k\nrun'
	[ "$status" -eq 1 ]
	[[ "$output" == *"$PWD/no/such/s.lmdb"* ]]
}

@test "LMDB: a file that is no store is refused" {
	need_driver
	head -c 65536 /dev/urandom >junk.lmdb
	run "$STORE_TEST" "$PWD/junk.lmdb" <<<$'table t 0 0\nget t k\nrun'
	[ "$status" -eq 1 ]
	[[ "$output" == *"$PWD/junk.lmdb"* ]]
}

@test "LMDB: a full map loses its oldest records and takes the batch" {
	need_driver
	echo 'store_size = 256k' >"$XD_CONF"
	{
		echo 'table t 0 0'
		for b in $(seq 1 30); do
			echo "now $b"
			for i in $(seq 1 100); do echo "add t key-$b-$i-padding-padding 1 0"; done
			echo 'run'
		done
		echo 'now 99'
		echo 'add t last 1 0'
		echo 'run'
		echo 'count t'
	} >script
	run "$STORE_TEST" "$PWD/small.lmdb" <script
	[ "$status" -eq 0 ]
	[[ "$output" == *"the store is full"* ]]
	[ "$(tail -n 2 <<<"$output" | head -n 1)" = '1 0 99' ]
	[ "$(tail -n 1 <<<"$output")" -lt 3000 ]
	# the newest records stay, the oldest went
	printf 'table t 0 0\nget t key-30-100-padding-padding\nget t key-1-1-padding-padding\nrun\n' |
	    "$STORE_TEST" "$PWD/small.lmdb" >after
	[ "$(cat after)" = '1 0 30
0 0 0' ]
}

# --- Redis ----------------------------------------------------------------

@test "Redis: keys are xd:TABLE:KEY hashes and an xd:TABLE index, with no EXPIRE" {
	need_driver
	url=$(redis_db)
	printf 'table ck 100 0\nnow 1000\nadd ck abc 2 3\nrun\n' | "$STORE_TEST" "$url"
	n=${url##*/}
	cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$n" "$@"; }
	[ "$(cli keys '*' | sort | tr '\n' ' ')" = 'xd:ck xd:ck:abc ' ]
	[ "$(cli hget xd:ck:abc 0) $(cli hget xd:ck:abc 1) $(cli hget xd:ck:abc t)" = '2 3 1000' ]
	[ "$(cli zscore xd:ck abc)" = 1000 ]
	[ "$(cli ttl xd:ck:abc)" = -1 ]
}

@test "Redis: the script is loaded again when the server forgot it" {
	need_driver
	url=$(redis_db)
	printf 'table t 0 0\nnow 1\nadd t k 1 0\nrun\nrepeat 1 addrun t k\nget t k\nrun\n' |
	    "$STORE_TEST" "$url" >out
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" script flush >/dev/null
	printf 'table t 0 0\nnow 2\nadd t k 1 0\nrun\n' | "$STORE_TEST" "$url" >>out
	[ "$(cat out)" = '1 0 1
2 0 1
3 0 2' ]
}

@test "Redis: a server that is not there fails the run, naming it" {
	need_driver
	port=$(redis_free_port)
	run "$STORE_TEST" "redis://127.0.0.1:$port" <<<$'table t 0 0\nget t k\nrun'
	[ "$status" -eq 1 ]
	[[ "$output" == *"redis 127.0.0.1:$port:"* ]]
}

@test "Redis: a password is sent, and a wrong one fails" {
	need_driver
	url=$(redis_db)
	run "$STORE_TEST" "redis://:wrong@127.0.0.1:$REDIS_PORT/1" <<<$'table t 0 0\nget t k\nrun'
	[ "$status" -eq 1 ]
	[[ "$output" == *AUTH* || "$output" == *password* ]]
	[[ "$output" != *wrong* ]]
}

@test "Redis: bad URLs are refused when the store is opened" {
	need_driver
	for u in 'redis://' 'redis://host:0' 'redis://host:99999' \
	    'redis://host/x' 'redis://user@host' 'redis://[::1'; do
		run "$STORE_TEST" "$u" </dev/null
		[ "$status" -eq 2 ] || { echo "$u: exit $status"; return 1; }
		[[ "$output" == *"redis URL"* ]] || { echo "$u: $output"; return 1; }
	done
}

@test "LMDB: a directory others may write, or another user's, is refused before anything is opened" {
	need_driver
	mkdir shared
	for mode in 775 757 1777; do
		chmod "$mode" shared
		run "$STORE_TEST" "$PWD/shared/s.lmdb" <<<$'table t 0 0\nget t k\nrun'
		[ "$status" -eq 2 ]
		[[ "$output" == *"$PWD/shared: the store's directory may be written by others"* ]]
		[ ! -e shared/s.lmdb ] && [ ! -e shared/s.lmdb-lock ]
	done
	if [ "$(id -u)" -eq 0 ]; then
		mkdir theirs
		chown nobody theirs
		dir=$PWD/theirs
	else
		dir=/	# root's
	fi
	run "$STORE_TEST" "${dir%/}/xd-store-test-$$.lmdb" <<<$'table t 0 0\nget t k\nrun'
	[ "$status" -eq 2 ]
	[[ "$output" == *"$dir: the store's directory belongs to another user"* ]]
	[ ! -e "${dir%/}/xd-store-test-$$.lmdb" ]
}

@test "LMDB: a store or lock file that is a symbolic link, or another user's, is refused" {
	need_driver
	mkdir -m 700 d
	ln -s "$PWD/elsewhere" d/s.lmdb
	run "$STORE_TEST" "$PWD/d/s.lmdb" <<<$'table t 0 0\nadd t k 1 0\nrun'
	[ "$status" -eq 2 ]
	[[ "$output" == *"$PWD/d/s.lmdb: not a plain file"* ]]
	ln -s "$PWD/elsewhere" d/t.lmdb-lock
	run "$STORE_TEST" "$PWD/d/t.lmdb" <<<$'table t 0 0\nadd t k 1 0\nrun'
	[ "$status" -eq 2 ]
	[[ "$output" == *"$PWD/d/t.lmdb-lock: not a plain file"* ]]
	[ ! -e elsewhere ] && [ ! -e d/t.lmdb ]
	if [ "$(id -u)" -eq 0 ]; then
		printf 'table t 0 0\nadd t k 1 0\nrun\n' | "$STORE_TEST" "$PWD/d/u.lmdb"
		chown nobody d/u.lmdb
		run "$STORE_TEST" "$PWD/d/u.lmdb" <<<$'table t 0 0\nget t k\nrun'
		[ "$status" -eq 2 ]
		[[ "$output" == *"$PWD/d/u.lmdb: belongs to another user"* ]]
	fi
}

@test "LMDB: a tool names a store it refuses" {
	mkdir -m 777 shared
	echo "store = $PWD/shared/s.lmdb" >"$XD_CONF"
	run xd-bayes --stats
	[ "$status" -ne 0 ]
	[[ "$output" == *"$PWD/shared: the store's directory may be written by others"* ]]
}

# --- a learner writing while mail is checked -------------------------------

# hold_store PATH: a learner in the middle of a batch of PATH, holding
# the writers' lock and LMDB's write transaction until release_store.
hold_store() {
	mkfifo hold.in
	"$STORE_TEST" -H "$1" <hold.in >hold.out 3>&- &
	HOLDER=$!
	exec 7>hold.in
	for _ in $(seq 1 100); do
		grep -q holding hold.out && return 0
		sleep 0.1
	done
	echo "the store was not held" >&2
	return 1
}

release_store() {
	exec 7>&-
	wait "$HOLDER"
	HOLDER=
}

teardown() {
	[ -z "${HOLDER:-}" ] || release_store
}

# watch FILE ID: a message of its own with a body that is the same in all
watch_msg() {
	printf 'From: Seller <seller@example.net>\nTo: bob@example.org\nSubject: watches\nMessage-ID: <%s@example.net>\n\n%s\n' \
	    "$2" 'Dear friend, the finest watches at the lowest prices anywhere in the world, with free shipping and a money back guarantee: reply now and save on every watch you order today.' >"$1"
}

# A store of 3000 records of which every other one is removed again, in
# two batches: the second leaves the pages the first wrote free.
store_with_free_pages() {
	{
		echo "table t 0 0"
		for i in $(seq 1 3000); do echo "add t key$i 1 0"; done
		echo run
		for i in $(seq 1 2 3000); do echo "del t key$i"; done
		echo run
	} | "$STORE_TEST" "$1" >/dev/null
}

@test "LMDB: compacting leaves out the free pages, keeps every record, and the store works on" {
	need_driver
	store_with_free_pages "$PWD/c.lmdb"
	printf 'table t 0 0\nwalk t\n' | "$STORE_TEST" "$PWD/c.lmdb" >before.walk
	[ "$(wc -l <before.walk)" -eq 1500 ]
	run "$STORE_TEST" "$PWD/c.lmdb" <<<'compact'
	[ "$status" -eq 0 ]
	read -r word from to <<<"$output"
	[ "$word" = compacted ]
	[ "$to" -eq "$(stat -c %s c.lmdb)" ]
	[ "$to" -lt $((from * 3 / 4)) ]
	[ "$(stat -c %a c.lmdb)" = 600 ]
	[ -z "$(ls c.lmdb.compact.* 2>/dev/null)" ]
	printf 'table t 0 0\nwalk t\n' | "$STORE_TEST" "$PWD/c.lmdb" >after.walk
	cmp before.walk after.walk
	# another process reads and writes the new file, and a third sees it
	run "$STORE_TEST" "$PWD/c.lmdb" <<<$'table t 0 0\nadd t key2 5 0\nadd t new 1 1\nrun'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "6 0 "* ]]
	[[ "${lines[1]}" == "1 1 "* ]]
	run "$STORE_TEST" "$PWD/c.lmdb" <<<$'table t 0 0\nget t key2\nget t new\nrun\ncount t'
	[ "$status" -eq 0 ]
	[ "${lines[0]%% *}" = 6 ]
	[[ "${lines[1]}" == "1 1 "* ]]
	[ "${lines[2]}" = 1501 ]
}

@test "LMDB: a store another process has open is not compacted" {
	need_driver
	store_with_free_pages "$PWD/c.lmdb"
	ino=$(stat -c %i c.lmdb)
	size=$(stat -c %s c.lmdb)
	hold_store "$PWD/c.lmdb"
	run timeout 20 "$STORE_TEST" "$PWD/c.lmdb" <<<'compact'
	[ "$status" -eq 0 ]
	[ "$output" = "not compacted" ]
	release_store
	[ "$(stat -c %i c.lmdb)" = "$ino" ]
	[ "$(stat -c %s c.lmdb)" = "$size" ]
	# alone, it is
	run "$STORE_TEST" "$PWD/c.lmdb" <<<'compact'
	[[ "$output" == "compacted "* ]]
	[ "$(stat -c %i c.lmdb)" != "$ino" ]
}

@test "Redis: compacting does nothing, as there are no pages" {
	need_driver
	run "$STORE_TEST" "$(redis_db)" <<<$'table t 0 0\nadd t k 1 0\nrun\ncompact\nget t k\nrun'
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "not compacted" ]
	[[ "${lines[2]}" == "1 0 "* ]]
}

@test "LMDB: xd learn leaves the store compacted, and xd-bayes --compact says what it did" {
	printf 'store = %s/s.lmdb\n' "$PWD" >"$XD_CONF"
	for i in 1 2 3; do watch_msg spam$i s$i; done
	printf 'From: Alice <alice@example.org>\nSubject: lunch\nMessage-ID: <h1@example.org>\n\nShall we try the new place on Friday?\n' >ham1
	xd -q learn spam spam1 spam2 spam3
	xd -q learn ham ham1
	size=$(stat -c %s s.lmdb)
	run xd-bayes --compact
	[ "$status" -eq 0 ]
	[ "$output" = "$PWD/s.lmdb: compacted: $size bytes, $size before" ]
	hold_store "$PWD/s.lmdb"
	run xd-bayes --compact
	[ "$status" -eq 0 ]
	[ "$output" = "$PWD/s.lmdb: not compacted: another process has it open" ]
	release_store
}

@test "LMDB: checks and filters never wait on a learner holding the write lock" {
	need_driver
	printf 'store = %s/s.lmdb\nbayes_min_learned = 1\nstages = cksum heur bayes\n' \
	    "$PWD" >"$XD_CONF"
	watch_msg spam1 s1
	watch_msg new1 n1
	watch_msg new2 n2
	printf 'From: Alice <alice@example.org>\nSubject: lunch\nMessage-ID: <h1@example.org>\n\nShall we try the new place on Friday?\n' >ham1
	xd -q learn spam spam1
	xd -q learn ham ham1
	xd-parse new1 >new1.stream
	hold_store "$PWD/s.lmdb"
	# the lock is real: a learner waits for it
	run timeout 3 xd-bayes --learn spam <new1.stream
	[ "$status" -eq 124 ]
	run --separate-stderr timeout 20 xd check new1
	[ "$status" -eq 0 ]
	[[ "$output" == *"cksum="*"BAYES_99="* ]]
	[[ "$stderr" == *"s.lmdb: a learner is writing to the store: checked without counting"* ]]
	run timeout 20 xd-bayes <new1.stream
	[ "$status" -eq 0 ]
	[[ "$output" == *"BAYES_99="* ]]
	run timeout 20 xd filter <new2
	[ "$status" -eq 0 ]
	[[ "$output" == *"X-Spam-Status: "* ]]
	[[ "$output" != *"X-XD-Unchecked"* ]]
	release_store
	# once the learner is done, checking counts again
	run --separate-stderr xd check new1
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"without counting"* ]]
	xd-cksum --stats | grep -q '^cks	[1-9]'
}

@test "LMDB: a check of a store no one has written yet makes nothing and waits for no one" {
	need_driver
	printf 'store = %s/s.lmdb\nbayes_min_learned = 1\n' "$PWD" >"$XD_CONF"
	watch_msg new1 n1
	xd-parse new1 >new1.stream
	hold_store "$PWD/s.lmdb"
	run timeout 20 xd-bayes <new1.stream
	[ "$status" -eq 0 ]
	[[ "$output" == *"BAYES_UNTRAINED="* ]]
	run timeout 20 "$STORE_TEST" "$PWD/s.lmdb" <<<$'table t 0 0\nget t k\nrun\ncount t\nwalk t'
	[ "$status" -eq 0 ]
	[ "$output" = "0 0 0
0" ]
	release_store
}
