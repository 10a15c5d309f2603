#!/bin/sh
# check-layers.sh [SRC] - the layers of src/ (README, "Source layout"):
# every file lies in a layer folder; a file includes headers of its own
# folder, or the one header of a layer below (LAYER/LAYER.h), never one
# above and never another folder's inner header; no header is over 250
# lines, no .c file over 800.  CHECK_LINES=report only reports a .c
# file over 800 lines, for a tree in the middle of splitting one.
#
# The layers, bottom to top.  A layer's header is LAYER/LAYER.h; tools
# has none.
LAYERS="base text mime url net store policy check verdict stage tools"
# Includes known to go upwards, as FILE:LAYER, each to be undone
# (space-separated; none today).
KNOWN=""
MAX_H=250
MAX_C=800

src=${1:-src}
[ -d "$src" ] || { echo "check-layers: no $src" >&2; exit 2; }
cd "$src" || exit 2

# Files that are not in a folder, or in a folder that is no layer.
status=0
for f in *; do
	case " $LAYERS " in
	*" $f "*) [ -d "$f" ] && continue ;;
	esac
	echo "$src/$f: not in a layer folder ($LAYERS)"
	status=1
done

files=$(find . -path './*/*' -type f \( -name '*.c' -o -name '*.h' \) | \
    sed 's|^\./||' | sort)
[ -n "$files" ] || { echo "check-layers: no sources in $src" >&2; exit 2; }

# The library is one archive, whose members go by their file's base
# name: two NAME.c in two layers would leave one of them out.
for f in $(printf '%s\n' $files | sed -n 's|.*/\([^/]*\.c\)$|\1|p' | sort | uniq -d); do
	echo "$src: $(printf '%s\n' $files | grep "/$f\$" | tr '\n' ' ')share the name $f"
	status=1
done

# shellcheck disable=SC2086
awk -v layers="$LAYERS" -v known="$KNOWN" -v src="$src" \
    -v max_h="$MAX_H" -v max_c="$MAX_C" -v strict="${CHECK_LINES:-strict}" '
BEGIN {
	n = split(layers, l, " ")
	for (i = 1; i <= n; i++)
		rank[l[i]] = i
	n = split(known, k, " ")
	for (i = 1; i <= n; i++)
		allowed[k[i]] = 1
	bad = 0
}
FNR == 1 {
	if (prev != "")
		lines_of(prev, plines)
	prev = FILENAME
	mine = FILENAME
	sub(/\/.*/, "", mine)
}
{ plines = FNR }
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[^"]*"/, "", inc)
	sub(/".*/, "", inc)
	check(FILENAME, FNR, mine, inc)
}
END {
	if (prev != "")
		lines_of(prev, plines)
	exit bad
}
function check(file, line, mine, inc,    theirs, base) {
	if (inc !~ /\//)
		return			# its own folder, or built (paths.h)
	theirs = inc
	sub(/\/.*/, "", theirs)
	if (!(theirs in rank)) {
		say(file, line, mine " includes " inc ", of no layer")
		return
	}
	if (theirs == mine)
		return
	if (rank[theirs] > rank[mine]) {
		if ((file ":" theirs) in allowed) {
			print src "/" file ":" line ": known: " mine \
			    " includes " inc " (" theirs " is above " mine ")"
			return
		}
		say(file, line, mine " includes " inc " (" theirs \
		    " is above " mine ")")
		return
	}
	base = inc
	sub(/^[^\/]*\//, "", base)
	if (base != theirs ".h")
		say(file, line, mine " includes " inc " (inside " theirs \
		    "; its interface is " theirs "/" theirs ".h)")
}
function lines_of(file, n) {
	if (file ~ /\.h$/ && n > max_h)
		say(file, n, "header of " n " lines, over " max_h)
	else if (file ~ /\.c$/ && n > max_c) {
		if (strict == "strict")
			say(file, n, n " lines, over " max_c)
		else
			print src "/" file ": over the limit: " n \
			    " lines, over " max_c " (fails unless CHECK_LINES=report)"
	}
}
function say(file, line, what) {
	print src "/" file ":" line ": " what
	bad = 1
}' $files || status=1

# The library (every .c outside tools/) never exits or prints on its
# own (base/base.h, "Errors"): no exit(), abort(), err(3) or xd_err(),
# no printf(), puts(), perror(), no stderr or stdout; it returns errors
# and hands warnings to the main's sink.  The exceptions, as FILE:CALL,
# each with its reason beside the call:
#   base/diag.c:exit		xd_nomem(): out of memory ends the process
#   verdict/supervise.c:_exit	a child whose exec failed
#   verdict/supervise.c:dprintf	... says so on the stderr it was given
#   verdict/autolearn.c:_exit	a signal handler ends the process
#   net/spf.c:abort		libspf2's fatal-error handler may not return
QUIET_OK="base/diag.c:exit verdict/supervise.c:_exit
    verdict/supervise.c:dprintf verdict/autolearn.c:_exit net/spf.c:abort"
lib=$(printf '%s\n' $files | grep '\.c$' | grep -v '^tools/')
# shellcheck disable=SC2086
[ -z "$lib" ] || awk -v ok="$QUIET_OK" -v src="$src" '
BEGIN {
	n = split(ok, k, /[ \t\n]+/)
	for (i = 1; i <= n; i++)
		allowed[k[i]] = 1
	calls = "exit|_exit|_Exit|quick_exit|abort|xd_err|xd_errx|" \
	    "xd_usage|xd_version|err|errx|verr|verrx|warn|warnx|vwarn|" \
	    "vwarnx|perror|psignal|printf|vprintf|puts|putchar|dprintf"
	word = "(^|[^A-Za-z0-9_])"
	bad = 0
}
FNR == 1 { incomment = 0 }
{
	text = code($0)
	line = text
	while (match(line, word "(" calls ")[ \t]*\(")) {
		what = substr(line, RSTART, RLENGTH)
		sub(/^[^A-Za-z_]/, "", what)
		sub(/[ \t]*\($/, "", what)
		line = substr(line, RSTART + RLENGTH)
		if (what == "dprintf" && line !~ /^[ \t]*([12]|STD(ERR|OUT)_FILENO)[ \t]*,/)
			continue
		report(what, "calls " what "()")
	}
	line = text
	while (match(line, word "(stderr|stdout|STDERR_FILENO|STDOUT_FILENO)([^A-Za-z0-9_]|$)")) {
		what = substr(line, RSTART, RLENGTH)
		gsub(/[^A-Za-z_]/, "", what)
		line = substr(line, RSTART + RLENGTH)
		report(what, "uses " what)
	}
}
END { exit bad }
# The line without its comments and the contents of its literals.
function code(s,    out) {
	if (incomment) {
		if (!sub(/^([^*]|\*+[^*\/])*\*+\//, "", s))
			return ""
		incomment = 0
	}
	gsub(/"([^"\\]|\\.)*"/, "\"\"", s)
	gsub(/\x27([^\x27\\]|\\.)*\x27/, "\x27\x27", s)
	gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", s)
	if (match(s, /\/\*/)) {
		s = substr(s, 1, RSTART - 1)
		incomment = 1
	}
	sub(/\/\/.*/, "", s)
	return s
}
function report(what, shown) {
	if ((FILENAME ":" what) in allowed)
		return
	print src "/" FILENAME ":" FNR ": the library " shown \
	    " (only the mains exit and print: tools/tool.c)"
	bad = 1
}' $lib || status=1

[ $status = 0 ] && echo "check-layers: $src keeps its layers ($LAYERS)"
exit $status
