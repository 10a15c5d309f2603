#!/usr/bin/env bats
# MIME structures read as mail clients read them: bare entities and
# attached messages sent encoded.

load helper

# An attached message with a text and an HTML part.
inner() {
	printf 'From: x@example.com\nSubject: inner\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Type: text/plain\n\nClaim your prize at the link\n--c\nContent-Type: text/html\n\n<a href="http://prize.example.net/claim">claim</a>\n--c--\n'
}

# wrapped ENCODING: a message attaching inner() in that encoding (none,
# base64 or quoted-printable).
wrapped() {
	printf 'From: a@example.com\nTo: b@example.org\nSubject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee below\n--b\nContent-Type: message/rfc822\n'
	case $1 in
	none) printf '\n'; inner ;;
	base64) printf 'Content-Transfer-Encoding: base64\n\n'; inner | base64 -w 76 ;;
	quoted-printable) printf 'Content-Transfer-Encoding: quoted-printable\n\n'
		inner | sed 's/=/=3D/g' ;;
	esac
	printf '\n--b--\n'
}

@test "a bare MIME entity, a header of Content-* fields only, is mail" {
	printf 'Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<a href="http://pills.example.net/">cheap pills</a>\n' >m
	run xd-parse --single m
	[ "$status" -eq 0 ]
	[[ "$output" != *error=* ]]
	line=$(printf '%s\n' "$output" | grep -v '^#')
	[ "$(field html "$line")" = 1 ]
	xd-parse --single m | xd-urlcheck | grep -q 'domains=example.net'
	run xd check m
	[ "$status" -eq 0 ]
	[[ "$output" == *class=* ]]
	[[ "$output" != *error=* ]]
}

@test "a message of no header at all is still not mail" {
	printf '\nhello\n' >m
	run xd-parse --single m
	[[ "$output" == *error=xd-parse:not-mail* ]]
}

@test "an attached message in base64 or quoted-printable is opened like a plain one" {
	wrapped none >plain.eml
	want=$(xd-parse --single plain.eml | grep -v '^#' | cut -f2- | tr '\t' '\n' | grep -E '^(parts|html|attach)=')
	[ "$(printf '%s\n' "$want" | grep '^parts=')" = parts=3 ]
	for enc in base64 quoted-printable; do
		wrapped $enc >$enc.eml
		got=$(xd-parse --single $enc.eml | grep -v '^#' | cut -f2- | tr '\t' '\n' | grep -E '^(parts|html|attach)=')
		[ "$got" = "$want" ]
		xd-parse --single $enc.eml | xd-urlcheck | grep -q 'domains=example.net'
	done
}

@test "the text of an encoded attached message reaches the checks" {
	wrapped base64 >m
	echo 'body XD_TEST_PRIZE /claim your prize/i' >rules.cf
	echo "rules = $BATS_TEST_TMPDIR/rules.cf" >"$XD_CONF"
	xd-parse --single m | xd-heur | grep -q 'XD_TEST_PRIZE='
}
