# eval-input.sh - labelled lists of messages for xd eval's protocols
# (eval-online.sh, the fixed and time splits of eval.sh); sourced.
#
# A list is a file of lines "ham PATH" or "spam PATH", the TREC spam
# track's index format (one blank between), a path relative to the
# list's own directory unless it starts with '/'; or a directory holding
# the maildirs ham/ and spam/.  input_list writes "label<TAB>path<TAB>name"
# where path opens the file and name is the path as the list wrote it.

input_list() {
	src=$1
	if [ -d "$src" ]; then
		for c in ham spam; do
			[ -d "$src/$c/cur" ] || [ -d "$src/$c/new" ] ||
			    die "$src/$c: not a maildir (no cur/ or new/)"
			find "$src/$c/cur" "$src/$c/new" -type f ! -name '.*' \
			    2>/dev/null | LC_ALL=C sort | awk -v c="$c" -v OFS='\t' '
			    { print c, $0, $0 }'
		done
		return
	fi
	[ -f "$src" ] && [ -r "$src" ] || die "$src: no such list or directory"
	awk -v base="$(dirname -- "$src")" -v src="$src" -v OFS='\t' '
	/^[ \t]*(#|$)/ { next }
	{
		sub(/\r$/, "")
		sp = index($0, " ")
		label = tolower(substr($0, 1, sp - 1)); name = substr($0, sp + 1)
		if (sp == 0 || (label != "ham" && label != "spam") || name == "" ||
		    index(name, "\t")) {
			printf "%s:%d: not \"ham PATH\" or \"spam PATH\"\n", src, NR >"/dev/stderr"
			bad = 1
			exit 2
		}
		print label, (name ~ /^\// ? name : base "/" name), name
	}' "$src" || die "$src: not a list of labelled messages"
}

# by_time <list: the list in the order its messages were received
# (eval-time.py), the list's own order among equal times.
by_time() {
	python3 "$SHARE/eval-time.py" | sort -t "$TAB" -s -n -k1,1 | cut -f2-
}

# parse_list LIST: every message of LIST through xd-parse, one line
# each, in order, without labels.
parse_list() {
	cut -f2 "$1" | tr '\n' '\0' | xargs -0 xd-parse -1 -- 2>>"$T/log/parse" |
	    grep -v '^#'
}

# find_stages: STATELESS, the configured check stages that do not learn,
# and LEARNERS, those that learn into a store (--learn and --store in
# their --help); LEFTOUT names the rest (DNS only, not built).
find_stages() {
	STATELESS='' LEARNERS='' LEFTOUT=''
	for s in $(xd-conf -l stages) ; do
		case $s in
		*[!a-z0-9]*|'') die "stage '$s' in the configuration is not a tool name" ;;
		rbl|spf) LEFTOUT="$LEFTOUT $s (DNS only)"; continue ;;
		esac
		if ! command -v "xd-$s" >/dev/null 2>&1; then
			LEFTOUT="$LEFTOUT $s (not built)"
			continue
		fi
		help=$("xd-$s" --help 2>/dev/null)
		if printf '%s\n' "$help" | grep -q -- '--learn[ =]' &&
		    printf '%s\n' "$help" | grep -q -- '--store'; then
			LEARNERS="$LEARNERS $s"
		else
			STATELESS="$STATELESS $s"
		fi
	done
	LEARNERS=${LEARNERS# } STATELESS=${STATELESS# } LEFTOUT=${LEFTOUT# }
	export LEARNERS
}

# offline_conf: the configuration in force, with no DNS for any tool
# and no autolearning, for every evaluation.
offline_conf() {
	xd-conf >"$T/xd.conf" || exit 2
	printf 'resolver = "none"\nautolearn = "no"\n' >>"$T/xd.conf"
	XD_CONF=$T/xd.conf
	export XD_CONF
}

# stages_through STAGE...: standard input through each stage; each
# stage's exit status in $T/log/rc.STAGE.
stages_through() {
	if [ $# -eq 0 ]; then
		cat
		return
	fi
	s=$1
	shift
	{ "xd-$s" 2>>"$T/log/stages"; echo $? >"$T/log/rc.$s"; } |
	    stages_through "$@"
}

# drop_tempfail: a lookup that could not be made offline says nothing:
# its symbols (NAME_TEMPFAIL) are dropped, and comment lines.
drop_tempfail() {
	awk -F'\t' -v OFS='\t' '/^#/ { next }
	{
		line = $1
		for (i = 2; i <= NF; i++)
			if ($i !~ /^[A-Z][A-Za-z0-9_.-]*_TEMPFAIL=/)
				line = line OFS $i
		print line
	}'
}

# check_stages: every stage that ran exited 0 or 1.
check_stages() {
	for s in $STATELESS; do
		[ "$(cat "$T/log/rc.$s")" -le 1 ] ||
		    { cat "$T/log/stages" >&2; die "xd-$s failed"; }
	done
}

# split_list: the messages of a split, "label<TAB>path<TAB>name<TAB>role":
# --train and --test lists as they are, or for --split date the older
# half of the maildir pair $dir (both classes pooled, by the time it was
# received) to train on and the newer half to test.
# shellcheck disable=SC2154 # split, train, test and dir: set by eval.sh
split_list() {
	if [ "$split" = lists ]; then
		input_list "$train" | sed 's/$/\ttrain/'
		input_list "$test" | sed 's/$/\ttest/'
		return
	fi
	input_list "$dir" | by_time >"$T/timed" || return 1
	awk -v n="$(wc -l <"$T/timed")" '
	{ print $0 "\t" (NR <= int(n / 2) ? "train" : "test") }' "$T/timed"
}
