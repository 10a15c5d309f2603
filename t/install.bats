#!/usr/bin/env bats
# What the README says, on a fresh clone: make, make install PREFIX=...,
# the shipped procmail and maildrop recipes delivering ham and GTUBE with
# the installed tools alone; DESTDIR staging, the site configuration,
# make uninstall, and a broken install that says so.
#
# The clone is of the committed tree, as CI's fresh clone sees it.  It
# is built once for the file; each other PREFIX rebuilds only what
# reads the paths.

load helper

setup_file() {
	command -v git >/dev/null || skip "git is not installed"
	S=$BATS_FILE_TMPDIR/src
	P=$BATS_FILE_TMPDIR/prefix
	export S P
	git clone -q "$REPO" "$S"
	make -C "$S" >"$BATS_FILE_TMPDIR/make.log" 2>&1
	make -C "$S" install PREFIX="$P" >>"$BATS_FILE_TMPDIR/make.log" 2>&1
}

# The installed tools only: no build tree on PATH, no XD_SHARE, no
# XD_CONF; the site file and a user's ~/.xd/xd.conf as a user has them.
# No DNS: the user's file says so as well as XD_RESOLVER.
installed() {
	export PATH="$1/bin:/usr/bin:/bin"
	unset XD_SHARE XD_CONF
	mkdir -p "$HOME/.xd"
	echo 'resolver = none' >"$HOME/.xd/xd.conf"
}

# A message carrying the GTUBE test string.
gtube() {
	msg "$1" <<'MSG'
From: Tester <tester@example.net>
To: bob@example.org
Subject: GTUBE
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <gtube@example.net>

XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X
MSG
}

# GTUBE through the recipe COMMAND...: surespam, which the recipe keeps
# in the quarantine maildir, marked; the inbox holds only the ham.
gtube_quarantined() {
	run "$@" <g
	[ "$status" -eq 0 ]
	[ "$(find Maildir/new -type f | wc -l)" -eq 1 ]
	got=$(delivered Maildir/.Quarantine)
	grep -qx 'X-XD-Class: surespam' "$got"
	grep -q GTUBE-STANDARD "$got"
}

ham=$SAMPLES/ham/cur/1700000101.M101P2101.mx.example.org:2,S

# The one file in maildir $1/new.
delivered() {
	local n
	n=$(find "$1/new" -type f | wc -l)
	[ "$n" -eq 1 ] || { echo "$1/new holds $n files" >&2; return 1; }
	find "$1/new" -type f
}

@test "make install PREFIX: tools, man pages, share/ and a site configuration, paths of PREFIX" {
	for t in xd xd-parse xd-heur xd-bayes xd-score xd-act xd-conf; do
		[ -x "$P/bin/$t" ] || { echo "no $P/bin/$t"; return 1; }
	done
	[ -f "$P/share/man/man1/xd.1" ] && [ -f "$P/share/man/man5/xd.conf.5" ]
	[ -d "$P/share/xd/rules" ] && [ -f "$P/share/xd/weights" ]
	diff <(sed "s|$P|/usr/local|g" "$P/etc/xd/xd.conf") "$S/share/xd.conf.sample"
	grep -q "as $P/etc/xd/xd.conf and" "$P/etc/xd/xd.conf"
	installed "$P"
	run xd-conf -p
	[ "$status" -eq 0 ]
	[ "$output" = "share	$P/share/xd
site	$P/etc/xd/xd.conf
user	$HOME/.xd/xd.conf" ]
	grep -q "^#	INCLUDERC=$P/share/xd/procmailrc$" "$P/share/xd/procmailrc"
	grep -q "^#	include \"$P/share/xd/mailfilter\"$" "$P/share/xd/mailfilter"
	grep -q "^\.Pa $P/etc/xd/xd.conf\$" "$P/share/man/man5/xd.conf.5"
	grep -q "^\.It Pa $P/share/xd/shorteners\$" "$P/share/man/man1/xd-urlcheck.1"
	! grep -q /usr/local "$P/share/man/man5/xd.conf.5"
}

@test "procmail with the installed recipe: ham to the inbox, GTUBE to the quarantine" {
	# no PATH to the prefix: the installed recipe names xd by its path
	command -v procmail >/dev/null || skip "procmail is not installed"
	installed "$P"
	mkmaildir Maildir
	cat >rc <<RC
HOME=$HOME
PATH=/usr/bin:/bin
MAILDIR=$PWD/Maildir
DEFAULT=\$MAILDIR/
LOGFILE=$PWD/procmail.log
INCLUDERC=$P/share/xd/procmailrc
RC
	run procmail -m ./rc <"$ham"
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	grep -qx 'X-XD-Class: ham' "$got"
	grep -q '^X-Spam-Status: No, score=' "$got"
	gtube g
	gtube_quarantined procmail -m ./rc
}

@test "maildrop with the installed recipe: ham to the inbox, GTUBE to the quarantine" {
	command -v maildrop >/dev/null || skip "maildrop is not installed"
	installed "$P"
	mkmaildir Maildir
	cat >mailfilter <<MF
HOME="$HOME"
PATH="/usr/bin:/bin"
MAILDIR="$PWD/Maildir"
DEFAULT="$PWD/Maildir"
logfile "$PWD/maildrop.log"
include "$P/share/xd/mailfilter"
MF
	chmod 600 mailfilter
	run maildrop ./mailfilter <"$ham"
	[ "$status" -eq 0 ]
	got=$(delivered Maildir)
	grep -qx 'X-XD-Class: ham' "$got"
	gtube g
	gtube_quarantined maildrop ./mailfilter
}

@test "xd selftest passes on the installed xd, and says what it found" {
	installed "$P"
	run xd selftest
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok      configuration: $P/etc/xd/xd.conf $HOME/.xd/xd.conf"* ]]
	[[ "$output" == *"ok      share directory $P/share/xd: rules, weights"* ]]
	[[ "$output" == *"ok      store $HOME/.xd/store.lmdb: not made yet"* ]]
	[[ "$output" == *"ok      stages: rbl spf urlcheck cksum heur bayes"* ]]
	[[ "$output" == *"ok      resolver: none"* ]]
	[[ "$output" == *"ok      ham sample $P/share/xd/samples/ham: ham"* ]]
	[[ "$output" == *"ok      GTUBE: surespam"* ]]
	[ "${lines[${#lines[@]}-1]}" = "xd works" ]
	! grep -q '^PROBLEM' <<<"$output"
	[ ! -e "$HOME/.xd/store.lmdb" ]
}

@test "xd selftest names each problem with its fix" {
	installed "$P"
	: >"$HOME/file"
	# a resolver on loopback that refuses, and XD_RESOLVER not over it
	printf '%s\n' "store = $HOME/file/store.lmdb" 'resolver = 127.0.0.1:1' >"$HOME/.xd/xd.conf"
	unset XD_RESOLVER
	run xd selftest
	[ "$status" -eq 1 ]
	[[ "$output" == *"PROBLEM store $HOME/file/store.lmdb: cannot be written"* ]]
	[[ "$output" == *"PROBLEM resolver 127.0.0.1:1: tempfail:connection-refused"* ]]
	[ "$(grep -A1 '^PROBLEM' <<<"$output" | grep -c '^    fix: ')" -eq "$(grep -c '^PROBLEM' <<<"$output")" ]
	echo 'stages = spf bayes' >>"$HOME/.xd/xd.conf"
	run xd selftest
	[[ "$output" == *"PROBLEM GTUBE: not surespam but 1 class="* ]]
	[[ "$output" == *"    fix: xd-heur finds GTUBE: put heur in 'stages'"* ]]
	echo 'colour = blue' >>"$HOME/.xd/xd.conf"
	run xd selftest
	[ "$status" -eq 1 ]
	[[ "$output" == *"PROBLEM configuration: xd-conf: $HOME/.xd/xd.conf:4: unknown key 'colour'"* ]]
	[[ "$output" == *"    fix: correct the lines named"* ]]
}

@test "the site file, then the user's, key by key; a list replaced or added to" {
	installed "$P"
	printf '%s\n' 'spam_folder = .Junk' 'surespam_folder = .Worse' \
	    'local_domains = example.org' 'restricted_attachments = exe' >"$P/etc/xd/xd.conf"
	printf '%s\n' 'resolver = none' 'spam_folder = .Mine' 'local_domains = example.net' \
	    'restricted_attachments += scr' >"$HOME/.xd/xd.conf"
	run xd-conf spam_folder surespam_folder local_domains restricted_attachments
	cp "$S/share/xd.conf.sample" "$P/etc/xd/xd.conf"
	[ "${lines[0]}" = .Mine ]
	[ "${lines[1]}" = .Worse ]
	[ "${lines[2]}" = example.net ]
	[ "${lines[3]}" = "exe scr" ]
}

@test "the site file's bad line is named file:line and xd-conf -n fails" {
	installed "$P"
	echo 'stages = heur Bayes' >"$P/etc/xd/xd.conf"
	run xd-conf -n
	cp "$S/share/xd.conf.sample" "$P/etc/xd/xd.conf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"$P/etc/xd/xd.conf:1: stages: expected stage names"* ]]
}

@test "make install with another PREFIX after make: rebuilt for it; the site file kept; uninstall" {
	O=$BATS_FILE_TMPDIR/other
	make -C "$S" install PREFIX="$O" >make.log 2>&1
	installed "$O"
	run xd-conf -p
	[ "${lines[0]}" = "share	$O/share/xd" ]
	[ "${lines[1]}" = "site	$O/etc/xd/xd.conf" ]
	echo 'spam_folder = .Ours' >"$O/etc/xd/xd.conf"
	make -C "$S" install PREFIX="$O" >make.log 2>&1
	[ "$(xd-conf spam_folder)" = .Ours ]
	make -C "$S" uninstall PREFIX="$O" >make.log 2>&1
	[ ! -e "$O/bin/xd" ] && [ ! -e "$O/bin/xd-conf" ] && [ ! -e "$O/share/xd" ]
	[ ! -e "$O/share/man/man1/xd.1" ] && [ ! -e "$O/share/man/man5/xd.conf.5" ]
	[ "$(cat "$O/etc/xd/xd.conf")" = 'spam_folder = .Ours' ]
	[ -z "$(find "$O/bin" "$O/share/man" -type f)" ]
}

@test "DESTDIR stages an install for PREFIX=/usr: /etc/xd, /usr/share/xd compiled in" {
	D=$BATS_FILE_TMPDIR/stage
	make -C "$S" install DESTDIR="$D" PREFIX=/usr >make.log 2>&1
	[ -x "$D/usr/bin/xd-heur" ] && [ -f "$D/usr/share/xd/weights" ]
	[ -f "$D/usr/share/man/man1/xd-conf.1" ]
	[ -f "$D/etc/xd/xd.conf" ] && [ ! -e "$D/usr/etc" ]
	grep -q '^#	INCLUDERC=/usr/share/xd/procmailrc$' "$D/usr/share/xd/procmailrc"
	unset XD_SHARE XD_CONF
	run "$D/usr/bin/xd-conf" -p
	[ "${lines[0]}" = "share	/usr/share/xd" ]
	[ "${lines[1]}" = "site	/etc/xd/xd.conf" ]
	make -C "$S" uninstall DESTDIR="$D" PREFIX=/usr >make.log 2>&1
	[ -z "$(find "$D" -type f ! -path "$D/etc/xd/xd.conf")" ]
}

@test "sysconfdir and datadir as packagers give them" {
	D=$BATS_FILE_TMPDIR/opt
	make -C "$S" install DESTDIR="$D" PREFIX=/opt/xd sysconfdir=/etc/opt \
	    datadir=/opt/xd/lib >make.log 2>&1
	[ -f "$D/etc/opt/xd/xd.conf" ] && [ -f "$D/opt/xd/lib/xd/weights" ]
	[ -f "$D/opt/xd/lib/man/man1/xd.1" ]
	unset XD_SHARE XD_CONF
	run "$D/opt/xd/bin/xd-conf" -p
	[ "${lines[0]}" = "share	/opt/xd/lib/xd" ]
	[ "${lines[1]}" = "site	/etc/opt/xd/xd.conf" ]
}

@test "a broken install is loud: no rules, the original delivered with X-XD-Unchecked, the reason on stderr" {
	B=$BATS_FILE_TMPDIR/broken
	make -C "$S" install PREFIX="$B" >make.log 2>&1
	mv "$B/share/xd/rules" "$B/rules"
	installed "$B"
	xd filter <"$ham" >out 2>err
	grep -q "$B/share/xd/rules: No such file or directory" err
	grep -q 'delivered unchecked' err
	[ "$(sed '/^$/q' out | grep -c '^X-XD-Unchecked: ')" -eq 1 ]
	! grep -q '^X-XD-Class:' out
	diff <(grep -v '^X-XD-Unchecked: ' out) "$ham"
	run xd selftest
	[ "$status" -eq 1 ]
	[[ "$output" == *"PROBLEM share directory $B/share/xd lacks: rules"* ]]
	mv "$B/rules" "$B/share/xd/rules"
	rm "$B/bin/xd-heur"
	run xd selftest
	[ "$status" -eq 1 ]
	[[ "$output" == *"PROBLEM stages: not found on PATH: xd-heur"* ]]
}

@test "a store that cannot be used fails the stages that need it, naming it" {
	installed "$P"
	: >"$HOME/file"
	printf '%s\n' 'resolver = none' "store = $HOME/file/store.lmdb" >"$HOME/.xd/xd.conf"
	xd-parse -- "$ham" >in
	run --separate-stderr xd-bayes <in
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$HOME/file/store.lmdb"*"Not a directory"* ]]
	xd filter <"$ham" >out 2>err
	grep -q "$HOME/file/store.lmdb" err
	[ "$(sed '/^$/q' out | grep -c '^X-XD-Unchecked: ')" -eq 1 ]
	diff <(grep -v '^X-XD-Unchecked: ' out) "$ham"
}
