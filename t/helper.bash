# Shared set-up for the bats tests: the tools under test first on PATH,
# a private HOME and an empty configuration, so that no file outside the
# test's own directory is read or written.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${XD_BIN:=$REPO/bin}"
SAMPLES=$REPO/share/samples

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	unset XDG_CACHE_HOME	# the compiled rules go under $HOME too
	mkdir -p "$HOME"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	: >"$XD_CONF"
	# No DNS unless a test starts its own server (t/dns.bash): never
	# the system resolver, never the network.
	export XD_RESOLVER=none
	# Spools and temporary files of the tools stay in the test's own
	# directory too, never in the machine's /tmp.
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
	# The lists xd ships (share/dnslists) only where a test asks for
	# them, pointed at test zones (t/dnslists.bats).
	export XD_DNSLISTS=none
	hs_seed
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Hyperscan's databases of the shipped rules take about a CPU-second to
# build: built once a run and linked into each test's cache directory.
# The file's name is a digest of the rules, so other rules never use it;
# a test that spoils a cache file removes the link first.
hs_seed() {
	local seed="$BATS_RUN_TMPDIR/hs-seed"

	if [ ! -d "$seed/xd" ]; then
		mkdir -p "$seed" &&
		XDG_CACHE_HOME="$seed" XD_CONF=/dev/null "$XD_BIN/xd-heur" -n \
		    >/dev/null 2>&1 || true
	fi
	mkdir -p "$HOME/.cache/xd" && chmod 700 "$HOME/.cache" "$HOME/.cache/xd"
	ln -f "$seed"/xd/hs-* "$HOME/.cache/xd/" 2>/dev/null || true
}

# A message file from a here-document: msg NAME <<EOF ... EOF
msg() {
	cat >"$1"
}

# The value of field NAME on the stream line LINE (first match), unescaped
# only as far as tests need: prints nothing when the field is absent.
field() {
	printf '%s\n' "$2" | tr '\t' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# Number of non-comment lines on standard input.
count_lines() {
	grep -vc '^#' || true
}

# A maildir with cur/ new/ tmp/
mkmaildir() {
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
}

# ham_msg NAME: a plain message through one relay, as xd passes it.
ham_msg() {
	msg "$1" <<'MSG'
Received: from mail.example.org (mail.example.org [198.51.100.20])
	by mx.example.net with ESMTP id 1A2B; Mon, 2 Sep 2002 10:00:00 +0000
From: Alice <alice@example.org>
To: bob@example.net
Subject: lunch on Friday?
Message-ID: <lunch.1@example.org>
Date: Mon, 2 Sep 2002 10:00:00 +0000

Shall we try the new place on Friday?
MSG
}

# stagebin [TOOL]: links to every tool but TOOL in a directory of their
# own: xd puts its own directory first on PATH, so a stage is replaced or
# taken away there.
stagebin() {
	mkdir -p stagebin
	for t in "$XD_BIN"/*; do
		[ "${t##*/}" = "${1:-}" ] || ln -sf "$t" stagebin/
	done
}

# bayes_setup MIN: a private home and an xd.conf with a store of the
# test's own that learns from MIN messages (the xd-bayes tests).
bayes_setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'store = %s/store.lmdb\nbayes_min_learned = %s\n' \
	    "$BATS_TEST_TMPDIR" "$1" >"$XD_CONF"
}
