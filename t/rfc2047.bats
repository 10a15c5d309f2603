#!/usr/bin/env bats
# Encoded words (RFC 2047) in headers, decoded as mail clients decode
# them: what xd-parse writes as subject=.

load helper

# subject RAW: the subject= xd-parse gives for a Subject: of RAW.
subject() {
	printf 'From: a@example.com\nSubject: %s\n\nx\n' "$1" >m
	field subject "$(xd-parse --single m | grep -v '^#')" | sed 's/%20/ /g'
}

@test "adjacent base64 words each ending in = padding are all decoded" {
	[ "$(subject '=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=')" = 'éé' ]
	[ "$(subject '=?UTF-8?B?SGVsbG8=?=  =?UTF-8?B?V29ybGQ=?=')" = 'HelloWorld' ]
	[ "$(subject '=?UTF-8?B?8J+YgA==?=   =?UTF-8?B?8J+YgA==?=')" = '😀😀' ]
}

@test "a character split across two words is joined before it is converted" {
	[ "$(subject '=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=')" = 'café' ]
	# a Cyrillic word cut inside its second letter, in three base64 words
	[ "$(subject '=?UTF-8?B?0KLQ?= =?UTF-8?B?tdGB?= =?UTF-8?B?0YI=?=')" = 'Тест' ]
}

@test "the blanks between encoded words go, those next to plain text stay" {
	[ "$(subject '=?UTF-8?Q?a?= =?UTF-8?Q?b?=')" = 'ab' ]
	[ "$(subject '=?UTF-8?Q?a?==?UTF-8?Q?b?=')" = 'ab' ]
	[ "$(subject 'plain =?UTF-8?Q?a?= text')" = 'plain a text' ]
	[ "$(subject '=?UTF-8?Q?a_b?= c =?UTF-8?Q?d?=')" = 'a b c d' ]
}

@test "folded encoded words in one charset read as one text" {
	printf 'From: a@example.com\nSubject: =?windows-1251?Q?=CF=F0=E8?=\n =?windows-1251?Q?=E2=E5=F2?=\n\nx\n' >m
	[ "$(field subject "$(xd-parse --single m | grep -v '^#')")" = 'Привет' ]
}

@test "words in different charsets are each converted from their own" {
	[ "$(subject '=?ISO-8859-1?Q?caf=E9?= =?UTF-8?Q?caf=C3=A9?=')" = 'cafécafé' ]
	[ "$(subject '=?iso-2022-jp?B?GyRCJEskWyRzGyhC?=')" = 'にほん' ]
}

@test "a ? inside quoted-printable text is text; a language suffix is no charset" {
	[ "$(subject '=?UTF-8?Q?what_now?.pdf?=')" = 'what now?.pdf' ]
	[ "$(subject '=?UTF-8?Q?really??=')" = 'really?' ]
	[ "$(subject '=?UTF-8*en?Q?caf=C3=A9?=')" = 'café' ]
}

@test "something that only looks like an encoded word is left as it is" {
	[ "$(subject '=?UTF-8?Q?bad?')" = '=?UTF-8?Q?bad?' ]
	[ "$(subject '=?UTF-8?X?abc?=')" = '=?UTF-8?X?abc?=' ]
	[ "$(subject '=??Q?abc?=')" = '=??Q?abc?=' ]
}

@test "an unknown charset keeps its bytes and is a symbol" {
	[ "$(subject '=?x-unknown?Q?caf=E9?=')" = 'café' ]
	[ "$(subject '=?no-such-charset?Q?caf=C3=A9?=')" = 'café' ]
	printf 'From: a@example.com\nSubject: =?x-unknown?Q?caf=E9?=\n\nx\n' >m
	xd-parse --single m | xd-heur | grep -q 'HEUR_CHARSET_UNKNOWN=subject'
	printf 'From: a@example.com\nSubject: =?UTF-8?Q?caf=C3=A9?=\n\nx\n' >m
	! xd-parse --single m | xd-heur | grep -q 'HEUR_CHARSET_UNKNOWN'
}
