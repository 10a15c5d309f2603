#!/bin/sh
# gen-hostile.sh - write hostile inputs for the tests at test time, so
# that no multi-megabyte file is kept in the repository.
#
#   sh t/gen-hostile.sh KIND [FILE]   one input to FILE (default stdout)
#   sh t/gen-hostile.sh all DIR       every small kind, as DIR/KIND
#   sh t/gen-hostile.sh list          the kinds, the big ones too
#
# Every kind is deterministic except junk (random bytes).
# bigmessage is BIG_MIB MiB (default 54), over the default max_message_size.

MIB=1048576
ZIP="python3 $(dirname "$0")/gen-zip.py"

usage() {
	echo "usage: gen-hostile.sh kind [file] | all dir | list" >&2
	exit 2
}

kinds="empty junk longsubject longheader manyparts deepnest truncated
nul manyreceived hugebody streamlong streamnul streamcr streamescape
streamempty streambadfield zipchain tinyparts"
# Kinds of many megabytes, written only when named.
bigkinds="zipentries zipnested zipmulti millionreceived bigmessage"

# N bytes of the letter a, with no newline.
repeat_a() {
	head -c "$1" /dev/zero | tr '\0' a
}

headers() {
	cat <<EOF
Received: from relay.example.net (relay.example.net [198.51.100.7])
	by mx.example.org (Postfix) with ESMTP id 4SZZhost1le
	for <bob@example.org>; Mon, 20 Nov 2023 10:00:00 +0000 (UTC)
From: Hostile Input <hostile@example.net>
To: bob@example.org
Date: Mon, 20 Nov 2023 10:00:00 +0000
Message-ID: <$1@hostile.example.net>
EOF
}

gen() {
	case $1 in
	empty)
		: ;;
	junk)
		head -c 65536 /dev/urandom ;;
	longsubject)	# one 2 MiB header line that is a fact (subject=)
		headers longsubject
		printf 'Subject: '
		repeat_a $((2 * MIB))
		printf '\n\nbody\n' ;;
	longheader)	# one 2 MiB header line that no fact takes
		headers longheader
		printf 'Subject: a long header follows\nX-Junk: '
		repeat_a $((2 * MIB))
		printf '\n\nbody\n' ;;
	manyparts)	# 10,000 MIME parts
		headers manyparts
		printf 'Subject: ten thousand parts\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="b"\n\n'
		awk 'BEGIN { for (i = 0; i < 10000; i++)
			printf "--b\nContent-Type: text/plain\n\npart %d\n", i
			print "--b--" }' ;;
	deepnest)	# multiparts nested 2,000 deep
		headers deepnest
		printf 'Subject: nested two thousand deep\nMIME-Version: 1.0\n'
		awk 'BEGIN { n = 2000
			for (i = 0; i < n; i++)
				printf "Content-Type: multipart/mixed; boundary=\"n%d\"\n\n--n%d\n", i, i
			printf "Content-Type: text/plain\n\ninnermost\n"
			for (i = n - 1; i >= 0; i--)
				printf "--n%d--\n", i }' ;;
	truncated)	# cut inside a part's headers, no closing boundary
		headers truncated
		printf 'Subject: truncated multipart\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="cut"\n\n'
		printf -- '--cut\nContent-Type: text/plain\n\nfirst part\n'
		printf -- '--cut\nContent-Type: application/octet-stream\n'
		printf 'Content-Transfer-Encoding: base64\n\nAAAAAAAA'
		printf 'AAAA\n--cut\nContent-Ty' ;;
	nul)		# NUL bytes in a header, in the body and in a part
		headers nul
		printf 'Subject: nul\000 in the subject\nX-Nul: \000\000\000\n'
		printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\n'
		printf 'body with \000 a nul\n\000\000\000\000\n' ;;
	manyreceived)	# 20,000 Received: lines: hops must be bounded
		awk 'BEGIN { for (i = 0; i < 20000; i++)
			printf "Received: from h%d.example.net (h%d.example.net [192.0.2.%d])\n\tby h%d.example.net; Mon, 20 Nov 2023 10:00:00 +0000\n", i + 1, i + 1, i % 250 + 1, i }'
		headers manyreceived
		printf 'Subject: many hops\n\nbody\n' ;;
	hugebody)	# 3 MiB of body: over a max_message_size of 1M
		headers hugebody
		printf 'Subject: a big body\n\n'
		awk 'BEGIN { for (i = 0; i < 3 * 16384; i++)
			printf "%063d\n", i }' ;;
	zipentries)	# one zip of 60,000 empty entries
		$ZIP entries 60000 ;;
	zipnested)	# 900 entries NNNN.zip of 10 MiB of zeros: 9 GiB to inflate
		$ZIP nested 900 10 ;;
	zipmulti)	# 12 zips of 100 such entries: 12 GiB to inflate
		$ZIP multi 12 100 10 ;;
	zipchain)	# a zip in a zip, 8 deep
		$ZIP chain 8 ;;
	tinyparts)	# 100,000 tiny parts
		headers tinyparts
		printf 'Subject: a hundred thousand parts\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="b"\n\n'
		awk 'BEGIN { for (i = 0; i < 100000; i++) print "--b\n"
			print "--b--" }' ;;
	millionreceived)	# a million short Received: lines
		awk 'BEGIN { for (i = 0; i < 1000000; i++) print "Received: x" }'
		headers millionreceived
		printf 'Subject: a million hops\n\nbody\n' ;;
	bigmessage)	# BIG_MIB MiB of body
		headers bigmessage
		printf 'Subject: a very big body\n\n'
		awk -v n="${BIG_MIB:-54}" 'BEGIN { for (i = 0; i < n * 16384; i++)
			printf "%063d\n", i }' ;;
	streamlong)	# a 2 MiB stream line: locator, facts, one long field
		printf 'cur/long\tsubject=x\tzz_long='
		repeat_a $((2 * MIB))
		printf '\tzz_after=1\n' ;;
	streamnul)
		printf 'cur/nul\tsubject=a\000b\n' ;;
	streamcr)
		printf 'cur/cr\tsubject=a\rb\n' ;;
	streamescape)
		printf 'cur/esc\tsubject=100%%ZZ\n' ;;
	streamempty)
		printf '\n' ;;
	streambadfield)
		printf 'cur/bad\tno equals sign here\n' ;;
	*)
		echo "gen-hostile.sh: unknown kind '$1'" >&2
		exit 2 ;;
	esac
}

case $1 in
list)
	for k in $kinds $bigkinds; do echo "$k"; done ;;
all)
	[ $# -eq 2 ] || usage
	mkdir -p "$2" || exit 1
	for k in $kinds; do gen "$k" >"$2/$k" || exit 1; done ;;
'')
	usage ;;
*)
	[ $# -le 2 ] || usage
	if [ $# -eq 2 ]; then
		gen "$1" >"$2"
	else
		gen "$1"
	fi ;;
esac
