# The example messages of t/examples/SUBJECT/, checked once per bats
# file: each rule of a rule file has an example of the mail it is for,
# RULE.spam, which it must catch, and one of mail that looks like it,
# RULE.ham, which it must not.

load helper

# examples_run SUBJECT [STAGES]: the stream of every example of SUBJECT
# through xd-heur (or "xd check" with STAGES=check), into $EX_OUT, with
# the tools under test, the shipped share/, a private HOME, no
# configuration and no DNS, for the whole file (from setup_file).
examples_run() {
	export PATH="$XD_BIN:$REPO/bin:$PATH" XD_SHARE="$REPO/share"
	export HOME="$BATS_FILE_TMPDIR/home" XD_CONF=/dev/null XD_RESOLVER=none
	mkdir -p "$HOME"
	EX_DIR=$REPO/t/examples/$1
	EX_OUT=$BATS_FILE_TMPDIR/$1.stream
	export EX_DIR EX_OUT
	if [ "${2:-}" = check ]; then
		(cd "$EX_DIR" && xd check -q ./*) >"$EX_OUT"
	else
		(cd "$EX_DIR" && xd-parse -- ./* | xd-heur) >"$EX_OUT"
	fi
}

# The stream line of example NAME.
example_line() {
	grep "^\./$1$T" "$EX_OUT"
}

# fires RULE NAME: RULE is on the line of example NAME.
fires() {
	example_line "$2" | tr '\t' '\n' | grep -q "^$1\(=\|$\)" ||
	    { echo "$1 did not fire on $2"; return 1; }
}

# quiet RULE NAME: RULE is not on the line of example NAME.
quiet() {
	! example_line "$2" | tr '\t' '\n' | grep -q "^$1\(=\|$\)" ||
	    { echo "$1 fired on $2"; return 1; }
}

# every_rule FILE: each rule of share/rules/FILE that is written (a
# name not starting with __ and with a describe line) fires on its
# RULE.spam and is quiet on its RULE.ham; prints what fails.
every_rule() {
	local r bad=0
	for r in $(awk '$1 == "describe" { print $2 }' "$REPO/share/rules/$1"); do
		if [ ! -f "$EX_DIR/$r.spam" ] || [ ! -f "$EX_DIR/$r.ham" ]; then
			echo "$r: no $r.spam or $r.ham in $EX_DIR"
			bad=1
			continue
		fi
		fires "$r" "$r.spam" || bad=1
		quiet "$r" "$r.ham" || bad=1
	done
	return "$bad"
}
