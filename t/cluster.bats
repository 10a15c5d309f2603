#!/usr/bin/env bats
# The many-machine recipe of xd(1) ("Many machines") and the README:
# xd-parse's stream cut into parts by GNU parallel, each part checked by
# "xd check --stream" on a login of its own, against one Redis store.
#
# The logins are ':' (GNU parallel's name for this machine) and two
# more that go through ./ssh, a stand-in for ssh that runs the command
# here with an empty environment, as a login on another host would:
# what a job needs reaches it through parallel's --env, not by
# inheritance.  No sshd is run (that needs changes to the system as
# root); the Redis server is real, started and stopped by its PID.

load helper
load redis

setup_file() {
	redis_start
}

teardown_file() {
	redis_stop
}

NOW=1700000000

# The ssh stand-in: options, the host, then the command, as parallel
# calls ssh; the command runs with no inherited environment.
fake_ssh() {
	cat >ssh <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-l|-p|-o|-S|-i|-F) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
shift
[ "${1:-}" = -- ] && shift
exec env -i HOME=/nonexistent SHELL=/bin/sh PATH=/usr/bin:/bin sh -c "$*"
EOF
	chmod +x ssh
}

# A corpus: the samples, and copies of one offer that a checksum counts.
corpus() {
	local i
	mkmaildir corpus/ham
	mkmaildir corpus/spam
	cp "$SAMPLES"/ham/cur/* corpus/ham/cur/
	cp "$SAMPLES"/spam/cur/* corpus/spam/cur/
	for i in $(seq 1 30); do
		{
			printf 'From: Seller <seller@example.net>\nTo: bob%s@example.org\n' "$i"
			printf 'Subject: watches\nMessage-ID: <offer.%s@example.net>\n\n' "$i"
			printf 'Dear friend we have a special offer for you today only: buy\n'
			printf 'the finest watches at the lowest prices anywhere, with free\n'
			printf 'shipping to your door and a money back guarantee. Reply now.\n'
		} >"corpus/spam/cur/offer$i:2,S"
	done
}

# The one store, learned and counted once, as a researcher would.
shared_store() {
	printf 'store = %s\nbayes_min_learned = 5\n' "$(redis_db)" >"$XD_CONF"
	xd -q learn ham corpus/ham
	xd -q learn spam corpus/spam
	xd -q check --now "$NOW" corpus/spam >/dev/null
}

# What a researcher compares: the stored keys and every value.
store_dump() {
	local n=${1##*/}
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$n" --scan | sort |
	    while IFS= read -r k; do
		printf '%s\t' "$k"
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$n" --raw dump "$k" | od -An -tx1 | tr -d ' \n'
		echo
	done
}

@test "the many-machine recipe writes the lines of one machine, in order" {
	fake_ssh
	corpus
	shared_store
	url=$(sed -n 's/^store = //p' "$XD_CONF")
	store_dump "$url" >before
	[ -s before ]
	xd -q check --read-only --now "$NOW" --label=path "$PWD"/corpus/ham \
	    "$PWD"/corpus/spam >one.out
	export XD_CONF XD_SHARE XD_RESOLVER XD_DNSLISTS TMPDIR HOME PATH
	# the recipe, as xd(1) has it, with two hosts that are this one
	xd-parse --label=path "$PWD"/corpus/ham "$PWD"/corpus/spam |
	    parallel --will-cite --pipe -k --header 1 -N 7 --ssh "$PWD/ssh" \
	    --sshlogin 1/:,1/hosta,1/hostb --workdir . \
	    --env XD_CONF --env XD_SHARE --env XD_RESOLVER --env XD_DNSLISTS \
	    --env TMPDIR --env HOME --env PATH \
	    xd -q check --stream --read-only --now "$NOW" |
	    awk '!/^#xd-stream / || !n++' >many.out
	[ "$(count_lines <one.out)" -eq 43 ]
	grep -q "CKSUM_BULK=30	" one.out
	grep -q 'BAYES_' one.out
	cmp one.out many.out
	# the store is as it was: nothing counted, nothing learned
	store_dump "$url" >after
	cmp before after
}

@test "the recipe's logins are real: each host ran a part" {
	fake_ssh
	corpus
	export XD_CONF
	printf 'store = %s\n' "$(redis_db)" >"$XD_CONF"
	xd-parse "$PWD"/corpus/ham "$PWD"/corpus/spam |
	    parallel --will-cite --pipe -k --header 1 -N 15 --ssh "$PWD/ssh" \
	    --sshlogin 1/:,1/hosta,1/hostb --joblog jobs \
	    'echo "$PARALLEL_SSHLOGIN ${XD_CONF:-none}"; cat >/dev/null' >hosts
	sort -u hosts >seen
	printf '%s\n' ': '"$XD_CONF" 'hosta none' 'hostb none' >want
	cmp want seen
}
