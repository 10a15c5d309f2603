#!/usr/bin/env bats
# Registered domains: the Public Suffix List's own test vectors
# (t/test_psl.txt, checkPublicSuffix() lines, taken unchanged from the
# list's tests as Debian's publicsuffix package ships them; dedicated
# to the public domain by their authors, CC0) run through
# xd-urlcheck -d, and what becomes of public suffixes in a message.

load helper

# vectors [PREFIX]: "HOST EXPECTED" from t/test_psl.txt's lines that
# start with PREFIX then checkPublicSuffix(, quotes dropped; a null
# host (the vectors' test of a null pointer) is no host to name.
vectors() {
	sed -n "s|^$1checkPublicSuffix(\\(.*\\), \\(.*\\));\$|\\1 \\2|p" \
	    "$REPO/t/test_psl.txt" | tr -d "'" | grep -v '^null '
}

# run_vectors [PREFIX]: every vector through one xd-urlcheck -d; each
# mismatch is printed, and the number of vectors is checked.
run_vectors() {
	local hosts=() want=() got i bad=0
	while read -r host expected; do
		hosts+=("$host")
		[ "$expected" = null ] && expected=-
		want+=("$expected")
	done < <(vectors "$1")
	[ "${#hosts[@]}" -ge "$2" ]
	mapfile -t got < <(xd-urlcheck -d "${hosts[@]}")
	[ "${#got[@]}" -eq "${#hosts[@]}" ]
	for i in "${!hosts[@]}"; do
		if [ "${got[$i]}" != "${want[$i]}" ]; then
			echo "${hosts[$i]}: got ${got[$i]}, want ${want[$i]}"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "the Public Suffix List's test vectors: every one passes" {
	run_vectors "" 77
}

@test ".local names have no registered domain, as the vectors' commented-out cases say" {
	# libpsl alone takes .local by the '*' rule: example.local would
	# be a registered domain.
	[ "$(vectors '//' | grep -c local)" -eq 4 ]
	run_vectors '//' 4
	run xd-urlcheck -d a.b.example.local localhost.localdomain.local notlocal.example
	[ "$output" = "$(printf -- '-\n-\nnotlocal.example')" ]
}

@test "-d: each host's domain in the form given, '-' and status 1 for none" {
	run xd-urlcheck -d WWW.Example.CO.UK. www.bücher.de www.xn--bcher-kva.de
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'example.co.uk\nbücher.de\nxn--bcher-kva.de')" ]
	run xd-urlcheck -d www.食狮。公司。cn 198.51.100.7 'not a host' '' co.uk
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '食狮.公司.cn\n-\n-\n-\n-')" ]
	run xd-urlcheck -d
	[ "$status" -eq 2 ]
}

# mail FILE: a text/plain message whose body is standard input
mail() {
	{
		printf 'From: a@example.com\nSubject: links\n'
		printf 'Content-Type: text/plain; charset=utf-8\n\n'
		cat
	} >"$1"
}

@test "a link to a public suffix has no registered domain: not in domains=, '-' in -u" {
	mail m <<'EOF'
http://uk.com/ http://k12.ak.us/x http://ac.jp/ http://c.mm/ http://公司.cn/
http://printer.local/ http://shop.uk.com/ http://www.school.k12.ak.us/
EOF
	printf '#xd-stream 1\n%s\n' "$PWD/m" >in
	run xd-urlcheck <in
	[ "$status" -eq 0 ]
	[ "$(field urls "${lines[1]}")" = 8 ]
	[ "$(field domains "${lines[1]}")" = shop.uk.com,school.k12.ak.us ]
	printf '%s\n' "$PWD/m" | xd-urlcheck -u | cut -f2,3 >list
	grep -qxF "$(printf 'http://uk.com/\t-')" list
	grep -qxF "$(printf 'http://xn--55qx5d.cn/\t-')" list
	grep -qxF "$(printf 'http://printer.local/\t-')" list
	grep -qxF "$(printf 'http://www.school.k12.ak.us/\tschool.k12.ak.us')" list
}
