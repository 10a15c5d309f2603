#!/usr/bin/env bats
# GTUBE, the way to test an installation: the standard string makes
# surespam, rspamd's "add header" variant spam, its other variants and
# talk about GTUBE nothing.

load examples

T=$'\t'

setup_file() {
	examples_run gtube check
}

class_of() {
	field class "$(example_line "$1")"
}

@test "GTUBE in a text part: HEUR_GTUBE, surespam" {
	fires HEUR_GTUBE standard
	[ "$(class_of standard)" = surespam ]
}

@test "GTUBE in base64 HTML: found in the text a reader sees" {
	fires HEUR_GTUBE html-base64
	[ "$(class_of html-base64)" = surespam ]
}

@test "rspamd's add-header variant: HEUR_GTUBE_ADD_HEADER, spam and not surespam" {
	fires HEUR_GTUBE_ADD_HEADER add-header
	quiet HEUR_GTUBE add-header
	[ "$(class_of add-header)" = spam ]
}

@test "rspamd's rewrite-subject and no-action variants are ignored" {
	for m in rewrite-subject no-action; do
		quiet HEUR_GTUBE "$m"
		quiet HEUR_GTUBE_ADD_HEADER "$m"
		[ "$(class_of "$m")" = ham ]
	done
}

@test "mail that talks about GTUBE is not GTUBE" {
	quiet HEUR_GTUBE mention
	[ "$(class_of mention)" = ham ]
}
