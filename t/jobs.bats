#!/usr/bin/env bats
# xd check -j N: N jobs, the verdicts in the order of the input and the
# same as one job's; --stream, --now and --read-only, which make a
# re-scoring the same however it is split (xd(1), "Scale").

load helper

# A store of the test's own in a configuration of its own.
store_conf() {
	printf 'store = %s\n' "$BATS_TEST_TMPDIR/${1:-store}.lmdb" >"$XD_CONF"
}

# bulk DIR N: a maildir of N copies of one offer, each its own message.
bulk() {
	local i
	mkmaildir "$1"
	for i in $(seq 1 "$2"); do
		{
			printf 'From: Seller <seller@example.net>\nTo: bob%s@example.org\n' "$i"
			printf 'Subject: watches\nMessage-ID: <%s.%s@example.net>\n\n' "$1" "$i"
			printf 'Dear friend we have a special offer for you today only: buy\n'
			printf 'the finest watches at the lowest prices anywhere, with free\n'
			printf 'shipping to your door and a money back guarantee. Reply now.\n'
		} >"$1/cur/$(printf '%04d' "$i"):2,S"
	done
}

@test "check -j 3 over a maildir writes the lines of -j 1 in the same order" {
	mkmaildir mail
	cp "$SAMPLES"/ham/cur/* "$SAMPLES"/spam/cur/* mail/cur/
	store_conf one
	xd -q check mail >one.out
	store_conf three
	xd -q check -j 3 mail >three.out
	[ "$(count_lines <one.out)" -eq 13 ]
	cmp one.out three.out
	[ "$(grep -c '^#xd-stream ' three.out)" -eq 1 ]
}

@test "check -j takes mboxes, labels and standard input as one job does" {
	store_conf one
	xd -q check --label=path -- "$SAMPLES"/ham "$SAMPLES"/mbox - \
	    <"$SAMPLES"/spam/cur/"$(ls "$SAMPLES"/spam/cur | head -n 1)" |
	    sed 's|/xd-check\.[^/]*/|/SPOOL/|' >one.out
	store_conf two
	xd -q check -j2 --label=path -- "$SAMPLES"/ham "$SAMPLES"/mbox - \
	    <"$SAMPLES"/spam/cur/"$(ls "$SAMPLES"/spam/cur | head -n 1)" |
	    sed 's|/xd-check\.[^/]*/|/SPOOL/|' >two.out
	grep -q 'offset=' one.out
	grep -q 'label=ham' one.out
	cmp one.out two.out
}

@test "check -j exits with the worst status of its jobs" {
	store_conf
	run -1 xd -q check "$SAMPLES"/malformed
	one=$output
	run -1 xd -q check -j 4 "$SAMPLES"/malformed
	[ "$output" = "$one" ]
}

@test "check -j with more jobs than messages, and with none" {
	mkmaildir one
	mkmaildir empty
	cp "$SAMPLES"/ham/cur/"$(ls "$SAMPLES"/ham/cur | head -n 1)" one/cur/
	store_conf
	run -0 xd -q check -j 8 one
	[ "$(printf '%s\n' "$output" | count_lines)" -eq 1 ]
	run -0 xd -q check -j 8 empty
	[ "$output" = '#xd-stream 1' ]
}

@test "a bad number of jobs is refused, named, before any message is read" {
	for j in 0 -2 abc 1.5 01 257 ''; do
		run -2 --separate-stderr xd check -j "$j" "$SAMPLES"/ham
		[ -z "$output" ]
		[[ $stderr == "xd: check -j: '$j': "* ]]
	done
	[[ $stderr == *"whole number from 1 to 256"* ]]
	run -2 --separate-stderr xd check -j 257 "$SAMPLES"/ham
	[[ $stderr == *"at most 256 jobs"* ]]
	run -2 xd check -j
}

@test "check -j is for batches: one message's -c and -R refuse it" {
	run -2 --separate-stderr xd check -j 2 -c "$SAMPLES"/ham/cur/"$(ls "$SAMPLES"/ham/cur | head -n 1)"
	[[ $stderr == usage:* ]]
}

@test "a bad --now is refused and named" {
	run -2 --separate-stderr xd check --now 17e8 "$SAMPLES"/ham
	[ "$stderr" = "xd: check --now: '17e8': a time in seconds since 1970, digits only" ]
}

@test "check --stream checks a stream of xd-parse as check checks the paths" {
	store_conf one
	xd -q check "$SAMPLES"/ham "$SAMPLES"/spam >paths.out
	store_conf two
	xd-parse -- "$SAMPLES"/ham "$SAMPLES"/spam | xd -q check --stream >stream.out
	cmp paths.out stream.out
	store_conf three
	xd-parse -- "$SAMPLES"/ham "$SAMPLES"/spam |
	    xd -q check --stream -j 3 >stream3.out
	cmp paths.out stream3.out
	run -2 xd check --stream "$SAMPLES"/ham
}

@test "check --read-only counts no copy: the store is as it was" {
	bulk offers 5
	store_conf
	xd -q check --now 1700000000 offers >/dev/null
	xd-cksum --stats >before
	grep -q '^cks	5$' before
	bulk more 30
	run -0 xd -q check --read-only --now 1700000000 more
	xd-cksum --stats >after
	cmp before after
	# each is one more copy of the five counted: 6, never 7 or 30
	[ "$(printf '%s\n' "$output" | grep -vc '^#')" -eq 30 ]
	[ "$(printf '%s\n' "$output" | grep -c 'CKSUM_BULK')" -eq 0 ]
}

@test "--read-only and a fixed --now: every job sees the same counts" {
	bulk offers 40
	store_conf
	# counted, a copy's count is how many came before it: 1 to 40
	xd -q check --now 1700000000 offers >counted.out
	grep -q 'CKSUM_BULK=40' counted.out
	grep -q 'CKSUM_BULK=25' counted.out
	bulk later 40
	xd -q check --read-only --now 1700000000 later >one.out
	xd -q check --read-only --now 1700000000 -j 3 later >three.out
	cmp one.out three.out
	# every one of them is the 41st copy, whatever job checked it
	[ "$(grep -c 'CKSUM_BULK=41	' one.out)" -eq 40 ]
	# a fixed --now sees the day of the counts, now sees none of them
	xd -q check --read-only later >today.out
	[ "$(grep -c 'CKSUM_BULK' today.out)" -eq 0 ]
}

@test "check --now, --read-only and --stream run in one process and write the composed tools' lines" {
	bulk offers 12
	store_conf
	xd -q check --now 1700000000 offers >/dev/null
	bulk later 12
	# which tools ran, where strace may trace (not under ASan's leak
	# checker, which ptrace stops)
	trace=(env)
	[ -n "${ASAN_OPTIONS:-}" ] || ! strace -qq -o /dev/null true 2>/dev/null ||
	    trace=(strace -f -qq -o execs -e trace=execve)
	XD_COMPOSED=1 xd -q check --read-only --now 1700000000 later >composed.out
	"${trace[@]}" xd -q check --read-only --now 1700000000 later >one.out
	cmp composed.out one.out
	if [ -e execs ]; then
		grep -q 'xd-check' execs
		! grep -q 'xd-cksum' execs
		rm execs
	fi
	xd-parse -- later >later.stream
	XD_COMPOSED=1 xd -q check --stream --read-only --now 1700000000 \
	    <later.stream >composed-stream.out
	"${trace[@]}" xd -q check --stream --read-only --now 1700000000 \
	    <later.stream >stream.out
	cmp composed-stream.out stream.out
	cmp one.out stream.out
	[ ! -e execs ] || ! grep -q 'xd-cksum' execs
	# the stream has no paths, labels or recipient of its own
	run -2 xd-check --stream later
	run -2 xd-check --stream -l spam
}
