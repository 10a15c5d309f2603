#!/usr/bin/env bats
# Hyperscan as the rules' prefilter: it only says which rules may
# match, PCRE2 has the last word, a pattern it refuses runs through
# PCRE2 alone, its databases are cached and a spoilt cache is rebuilt,
# and every result is the same with the prefilter off.

load helper

T=$'\t'

offer() {
	cat >m <<'EOF2'
From: Deals <deals@shop.example.com>
To: bob@example.org
Subject: today only
Message-ID: <hs.1@shop.example.com>
Date: Tue, 14 Nov 2023 22:14:00 +0000

Buy cheap pills, cheap cheap watches, and a cheap car now.
Visit http://shop.example.com/deal today.
EOF2
}

rules() {
	printf '%s\n' "$@" >r.cf
	printf 'rules = %s/r.cf\n' "$PWD" >>"$XD_CONF"
}

# The message twice: the databases are loaded for a second message.
heur() {
	cp m m2
	xd-parse -- "$PWD/m" "$PWD/m2" | xd-heur 2>err | tail -n 1
}

hs_cache() {
	ls "$HOME"/.cache/xd/hs-* 2>/dev/null
}

has_hs() {
	xd-heur -n >/dev/null 2>&1
	[ -n "$(hs_cache)" ] || skip "built without Hyperscan"
}

@test "a rule Hyperscan lets through fires only where PCRE2 confirms it" {
	offer
	# Prefilter mode cannot follow a backreference or a lookahead: it
	# lets these through, and PCRE2 decides.
	rules 'body HS_TWICE /\b(cheap) \1\b/' \
	    'body HS_THRICE /\b(pills) \1\b/' \
	    'body HS_NOT_WATCHES /cheap(?! watches)(?! pills)(?! cheap) \w+/' \
	    'body HS_NOT_CAR /cheap(?! watches| pills| cheap| car)/'
	has_hs
	run heur
	[ "$status" -eq 0 ]
	[[ "$output" == *"${T}HS_TWICE="* ]]
	[[ "$output" != *"HS_THRICE"* ]]
	[[ "$output" == *"${T}HS_NOT_WATCHES="* ]]
	[[ "$output" != *"HS_NOT_CAR"* ]]
}

@test "a pattern Hyperscan refuses runs through PCRE2, the others still filtered" {
	offer
	# Callouts are PCRE2's alone; without a callout function they match
	# as if absent.
	rules 'body HS_CALLOUT /cheap(?C1) pills/' 'body HS_PLAIN /cheap car/' \
	    'uri HS_URI /shop\.example\.com\/deal/' 'body HS_NONE /expensive/'
	has_hs
	run heur
	[ "$status" -eq 0 ]
	[[ "$output" == *"${T}HS_CALLOUT="* ]]
	[[ "$output" == *"${T}HS_PLAIN="* ]]
	[[ "$output" == *"${T}HS_URI="* ]]
	[[ "$output" != *"HS_NONE"* ]]
}

@test "the links are scanned at once, and anchors still hold at each" {
	offer
	printf 'And http://second.example.net/page too.\n' >>m
	# \A and $ of a uri rule are each link's start and end, not the
	# first link's start and the last one's end.
	rules 'uri HS_URI_START /\Ahttp:\/\/second\./' \
	    'uri HS_URI_END /deal$/' 'uri HS_URI_NONE /\Apage/' \
	    'body HS_WORD /\bcheap\s+car\b/' 'body HS_NO_WORD /\bheap\b/'
	has_hs
	run heur
	[ "$status" -eq 0 ]
	[[ "$output" == *"${T}HS_URI_START="* ]]
	[[ "$output" == *"${T}HS_URI_END="* ]]
	[[ "$output" == *"${T}HS_WORD="* ]]
	[[ "$output" != *"HS_URI_NONE"* ]]
	[[ "$output" != *"HS_NO_WORD"* ]]
}

@test "patterns that start with no literal are in a database of their own, scanned too" {
	offer
	rules 'body HS_WEAK /[ck]heap\s+car/' 'body HS_WEAK_NONE /\s+expensive/' \
	    'body HS_STRONG /cheap pills/'
	has_hs
	run heur
	[ "$status" -eq 0 ]
	[[ "$output" == *"${T}HS_WEAK="* ]]
	[[ "$output" == *"${T}HS_STRONG="* ]]
	[[ "$output" != *"HS_WEAK_NONE"* ]]
}

@test "a spoilt or foreign cache file is never trusted: it is rebuilt" {
	offer
	rules 'body HS_PLAIN /cheap car/' 'body HS_NONE /expensive/'
	rm -f "$HOME"/.cache/xd/hs-*	# the shipped rules' links: only ours
	has_hs
	f=$(hs_cache | head -n 1)
	good=$(heur)
	cp "$f" good.db
	for spoil in truncate flip foreign; do
		rm -f "$HOME"/.cache/xd/hs-*
		case $spoil in
		truncate) head -c 100 good.db >"$f" ;;
		flip) cp good.db "$f"
		      printf 'XXXXXXXX' | dd of="$f" bs=1 seek=4000 conv=notrunc 2>/dev/null ;;
		foreign) printf 'xd-hs-cache 3\n%s\n' "not a database" >"$f" ;;
		esac
		chmod 600 "$f"
		[ "$(heur)" = "$good" ]
		cmp -s "$f" good.db	# written anew
	done
}

@test "results are the same with the prefilter off, on the shipped rules and samples" {
	has_hs
	xd-parse -- "$SAMPLES"/ham "$SAMPLES"/spam >stream
	xd-heur <stream >on 2>/dev/null
	XD_RULES_PREFILTER=off xd-heur <stream >off 2>/dev/null
	[ -s on ]
	cmp on off
}
