#!/usr/bin/env bats
# The regression vault: every input that once crashed, hung, lost or
# misread something, written by hand or found by "make fuzz", is a file
# t/vault/TARGET/NAME, replayed here through the real tools that read
# such input.  Every case must end in an exit status of 0, 1 or 2: no
# signal, no sanitizer report, no hang (20 s).  A case named in
# t/vault/EXPECT ("TARGET/NAME STATUS [PATTERN]") must also give that
# exit status from the first tool, and output (stdout and stderr of
# every tool) that PATTERN, an extended regular expression, matches.

load helper

VAULT=$BATS_TEST_DIRNAME/vault
SPAM=$SAMPLES/spam/cur/1700001303.M1303P3303.mx.example.org:2,

# stage CMD...: one tool of a replay under a 20 s bound; its output is
# added to out.  Returns its exit status, or 3 after saying why for a
# hang, a signal, another status or a sanitizer report.
stage() {
	local rc=0
	timeout 20 "$@" >stage.out 2>stage.err || rc=$?
	cat stage.out stage.err >>out
	if [ "$rc" -eq 124 ]; then
		echo "hung: $* (killed after 20 s)"
		return 3
	elif [ "$rc" -gt 2 ]; then
		echo "exit status $rc: $*"
		return 3
	elif grep -Eq 'ERROR: AddressSanitizer|runtime error:' stage.err; then
		echo "sanitizer report: $*"
		return 3
	fi
	return "$rc"
}

# replay_TARGET FILE: the tools that read such a file; prints why it
# failed, or returns the first tool's exit status.
replay_message() {
	local rc=0
	stage xd-parse "$1" || rc=$?
	[ "$rc" -le 2 ] || return "$rc"
	cp stage.out parsed
	stage xd-heur <parsed || [ $? -le 2 ] || return 3
	stage xd-cksum -t <parsed || [ $? -le 2 ] || return 3
	stage xd-urlcheck -r none <parsed || [ $? -le 2 ] || return 3
	return "$rc"
}

replay_stream() {
	stage xd-score <"$1"
}

replay_rules() {
	local rc=0
	stage xd-heur -n -r "$1" || rc=$?
	[ "$rc" -le 2 ] || return "$rc"
	xd-parse "$SPAM" >parsed
	stage xd-heur -r "$1" <parsed || [ $? -le 2 ] || return 3
	return "$rc"
}

replay_weights() {
	local rc=0
	stage xd-score -n -w "$1" || rc=$?
	[ "$rc" -le 2 ] || return "$rc"
	printf '/m\tRBL_ZEN=127.0.0.2\tSPF_FAIL=1\tHEUR_X=\n' >line
	stage xd-score -w "$1" <line || [ $? -le 2 ] || return 3
	return "$rc"
}

replay_policy() {
	local rc=0
	stage xd-score -n -p "$1" || rc=$?
	[ "$rc" -le 2 ] || return "$rc"
	printf '/m\tfrom=a@example.com\tip=192.0.2.1\trcpt=bob@example.org\n' >line
	stage xd-score -p "$1" <line || [ $? -le 2 ] || return 3
	return "$rc"
}

replay_conf() {
	local rc=0
	stage xd-conf -c "$1" -n || rc=$?
	[ "$rc" -le 2 ] || return "$rc"
	XD_CONF=$1 stage xd-rbl -r none </dev/null || [ $? -le 2 ] || return 3
	return "$rc"
}

# The packet is served by t/vault-dns.py for the question it holds.
replay_dns() {
	local py pid rc=0 port type name
	py=$(command -v python3) || return 3
	rm -f info
	"$py" "$BATS_TEST_DIRNAME/vault-dns.py" "$1" info &
	pid=$!
	while [ ! -e info ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	if ! read -r port type name <info; then
		echo "no question in $1"
		kill "$pid" 2>/dev/null
		return 3
	fi
	type=$(case $type in 1) echo A;; 12) echo PTR;; 15) echo MX;;
	    16) echo TXT;; 28) echo AAAA;; *) echo "$type";; esac)
	stage xd-dns -r "127.0.0.1:$port" "$type" "$name" || rc=$?
	if [ "$rc" -le 2 ] && [ "$type" = TXT ]; then
		printf '/m\tip=192.0.2.1\tmailfrom=postmaster@%s\thelo=%s\n' \
		    "$name" "$name" >line
		stage xd-spf -r "127.0.0.1:$port" <line ||
		    [ $? -le 2 ] || rc=3
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return "$rc"
}

# replay_all TARGET: every case of t/vault/TARGET; a list of failures.
replay_all() {
	local f case line want pattern rc bad=0 n=0
	for f in "$VAULT/$1"/*; do
		[ -f "$f" ] || continue
		case=$1/$(basename "$f")
		n=$((n + 1))
		: >out
		rc=0
		"replay_$1" "$f" >why || rc=$?
		line=$(awk -v c="$case" '$1 == c {
		    sub(/^[^ \t]+[ \t]+/, ""); print; exit }' "$VAULT/EXPECT")
		read -r want pattern <<<"$line"
		if [ "$rc" -gt 2 ]; then
			echo "$case: $(cat why)"
		elif [ -n "$want" ] && [ "$rc" -ne "$want" ]; then
			echo "$case: exit status $rc, expected $want"
		elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" out; then
			echo "$case: no output matches /$pattern/"
		else
			continue
		fi
		sed 's/^/	/' out | head -n 20
		bad=$((bad + 1))
	done
	echo "$1: $n cases, $bad failed"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	printf 'dns_timeout = 0.5\ndns_tries = 1\nstore = %s/store\n' \
	    "$BATS_TEST_TMPDIR" >"$XD_CONF"
	export XD_RESOLVER=none
	hs_seed		# the rules' Hyperscan databases, built once a run
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "vault: every message case, through xd-parse, xd-heur, xd-cksum, xd-urlcheck" {
	replay_all message
}

@test "vault: every stream case, through xd-score" {
	replay_all stream
}

@test "vault: every rule file, through xd-heur -n and on a message" {
	replay_all rules
}

@test "vault: every weights file, through xd-score -n and on a line" {
	replay_all weights
}

@test "vault: every policy file, through xd-score -n and on a line" {
	replay_all policy
}

@test "vault: every xd.conf, through xd-conf -n and xd-rbl" {
	replay_all conf
}

@test "vault: every DNS answer, through xd-dns and, for TXT, xd-spf" {
	replay_all dns
}

@test "vault: every EXPECT line names a case that is there" {
	local c missing=0
	for c in $(awk '!/^#/ && NF { print $1 }' "$VAULT/EXPECT"); do
		[ -f "$VAULT/$c" ] || { echo "no case $c"; missing=1; }
	done
	[ "$missing" -eq 0 ]
}
