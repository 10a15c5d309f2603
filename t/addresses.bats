#!/usr/bin/env bats
# xd-parse: address headers and envelope senders read as mail clients
# read them.

load helper

# addrs FROM TO: parse a message with these From: and To: values; the
# line is in $line.
addrs() {
	printf 'From: %s\nTo: %s\nSubject: s\n\nx\n' "$1" "$2" >m
	line=$(xd-parse --single m | grep -v '^#')
}

# envelope RETURN-PATH: the mailfrom= xd-parse gives for it.
envelope() {
	printf 'Return-Path: %s\nFrom: a@example.com\nSubject: s\n\nx\n' "$1" >m
	field mailfrom "$(xd-parse --single m | grep -v '^#')"
}

@test "a quoted display name with a comma is one address" {
	addrs '"Doe, Jane" <j@example.com>' 'a@example.org'
	[ "$(field from "$line")" = j@example.com ]
	[ "$(field fromname "$line")" = 'Doe, Jane' ]
}

@test "an unquoted display name with a comma is one address, as Thunderbird reads it" {
	addrs 'Doe, Jane <j@example.com>' 'Doe, Jane <j@example.com>, Roe, Rick <r@example.com>, s@example.com'
	[ "$(field from "$line")" = j@example.com ]
	[ "$(field fromname "$line")" = 'Doe, Jane' ]
	[ "$(field to "$line")" = j@example.com,r@example.com,s@example.com ]
}

@test "names without an address after them are not joined to anything" {
	addrs 'j@example.com' 'Doe, Jane, k@example.com'
	[ "$(field from "$line")" = j@example.com ]
	[ "$(field to "$line")" = Doe,Jane,k@example.com ]
}

@test "group syntax: an empty group gives no address, a group its members" {
	addrs 'x@example.com' 'undisclosed-recipients:;'
	[ -z "$(field to "$line")" ]
	addrs 'x@example.com' 'friends: a@example.com, b@example.com;, c@example.com'
	[ "$(field to "$line")" = a@example.com,b@example.com,c@example.com ]
}

@test "a semicolon between addresses separates them" {
	addrs 'x@example.com' 'a@example.com; b@example.com;c@example.com;'
	[ "$(field to "$line")" = a@example.com,b@example.com,c@example.com ]
}

@test "comments and encoded words give the display name" {
	addrs 'j@example.com (Jane Doe)' 'a@example.org'
	[ "$(field fromname "$line")" = 'Jane Doe' ]
	addrs '=?UTF-8?B?SsO8cmdlbg==?= <j@example.com>' 'a@example.org'
	[ "$(field fromname "$line")" = 'Jürgen' ]
	addrs 'Doe, =?UTF-8?B?SsO8cmdlbg==?= <j@example.com>' 'a@example.org'
	[ "$(field from "$line")" = j@example.com ]
	[ "$(field fromname "$line")" = 'Doe, Jürgen' ]
}

@test "an IDN domain reads the same in its A-label and U-label forms" {
	addrs 'j@xn--bcher-kva.example' 'a@bücher.example'
	[ "$(field from "$line")" = j@bücher.example ]
	[ "$(field to "$line")" = a@bücher.example ]
}

@test "the null sender <> is an empty mailfrom=" {
	[ "$(envelope '<>')" = '' ]
	[ "$(envelope ' <> ')" = '' ]
	printf 'Return-Path: <>\nFrom: a@example.com\n\nx\n' >m
	xd-parse --single m | grep -q '	mailfrom=	\|	mailfrom=$'
}

@test "a quoted local part holding <> is kept whole" {
	[ "$(envelope '<"<>"@example.com>')" = '"<>"@example.com' ]
}

@test "a source route is dropped for the mailbox at its end" {
	[ "$(envelope '<@a.example,@b.example:user@c.example>')" = user@c.example ]
}

@test "an 8-bit local part is kept: UTF-8 as it is, other bytes as windows-1252" {
	[ "$(envelope '<jürgen@example.com>')" = 'jürgen@example.com' ]
	[ "$(envelope "$(printf '<j\xfcrgen@example.com>')")" = 'jürgen@example.com' ]
}

@test "comments and blanks around the envelope sender are not part of it" {
	[ "$(envelope '(c) <u@example.com>')" = u@example.com ]
	[ "$(envelope 'u@example.com (bounces)')" = u@example.com ]
	[ "$(envelope ' <u@example.com> ')" = u@example.com ]
}

@test "a display name of adjacent padded base64 words reads whole" {
	addrs '=?UTF-8?B?SsO8cmdlbg==?= =?UTF-8?B?IE3DvGxsZXI=?= <j@example.com>' 'a@example.org'
	[ "$(field from "$line")" = j@example.com ]
	[ "$(field fromname "$line")" = 'Jürgen Müller' ]
	addrs '=?UTF-8?Q?Doe=2C_=22Jane=22?= <j@example.com>, k@example.com' 'a@example.org'
	[ "$(field fromname "$line")" = 'Doe, "Jane"' ]
}
