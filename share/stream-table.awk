# stream-table.awk - chosen fields of a verdict stream (xd-stream(5)) as
# a table: CSV with a header row (RFC 4180) or JSON Lines, for pandas, R
# and the like.  Used by "xd rescore" and "xd check" (--csv, --jsonl).
#
#   awk -v format=csv|jsonl -v fields=path,class,score,BAYES -f stream-table.awk
#
# A field is the name of a fact or a symbol, whose value it takes, with
# the stream's escapes undone; "path" is the locator, and "symbols" the
# names of every symbol on the line, blank-separated.  A name the line
# lacks is an empty cell in CSV and null in JSON.  JSON numbers are
# written as numbers, every other value as a string.  Comment lines are
# skipped.

BEGIN {
	FS = "\t"
	n = split(fields, col, ",")
	if (n == 0 || (format != "csv" && format != "jsonl")) {
		print "stream-table: want format=csv|jsonl and fields=a,b,..." >"/dev/stderr"
		bad = 1
		exit 2
	}
	for (i = 1; i <= n; i++) {
		if (col[i] !~ /^[A-Za-z0-9_.-]+$/) {
			print "stream-table: not a field name: '" col[i] "'" >"/dev/stderr"
			bad = 1
			exit 2
		}
	}
	for (i = 1; i < 32; i++)
		ctl[sprintf("%c", i)] = sprintf("\\u%04x", i)
	ctl["\t"] = "\\t"; ctl["\n"] = "\\n"; ctl["\r"] = "\\r"
	ctl["\""] = "\\\""; ctl["\\"] = "\\\\"
	if (format == "csv") {
		line = ""
		for (i = 1; i <= n; i++)
			line = line (i > 1 ? "," : "") csv(col[i])
		print line
	}
}

/^#/ { next }

{
	split("", val)
	val["path"] = unescape($1)
	syms = ""
	for (i = 2; i <= NF; i++) {
		eq = index($i, "=")
		name = eq ? substr($i, 1, eq - 1) : $i
		if (!(name in val))
			val[name] = eq ? unescape(substr($i, eq + 1)) : ""
		if (name ~ /^[A-Z]/)
			syms = syms (syms == "" ? "" : " ") name
	}
	if (!("symbols" in val))
		val["symbols"] = syms
	line = ""
	for (i = 1; i <= n; i++) {
		if (format == "csv")
			cell = col[i] in val ? csv(val[col[i]]) : ""
		else
			cell = json(col[i]) ":" (col[i] in val ? jvalue(col[i], val[col[i]]) : "null")
		line = line (i > 1 ? "," : "") cell
	}
	print (format == "jsonl" ? "{" line "}" : line)
}

function unescape(s) {
	if (index(s, "%") == 0)
		return s
	gsub(/%09/, "\t", s); gsub(/%0[Aa]/, "\n", s)
	gsub(/%0[Dd]/, "\r", s); gsub(/%25/, "%", s)
	return s
}

# Quoted when it holds a comma, a quote, a line end or edge blanks.
function csv(s) {
	if (s !~ /[",\r\n]/ && s !~ /^[ \t]/ && s !~ /[ \t]$/)
		return s
	gsub(/"/, "\"\"", s)
	return "\"" s "\""
}

function jvalue(name, s) {
	if (name != "path" && s ~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/)
		return s
	return json(s)
}

function json(s,    out, i, c) {
	if (s !~ /[\001-\037"\\]/)
		return "\"" s "\""
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		out = out (c in ctl ? ctl[c] : c)
	}
	return "\"" out "\""
}
