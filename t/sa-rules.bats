#!/usr/bin/env bats
# SpamAssassin's rules where a site has them (xd-rules(5)): score lines
# as weights unless the weights file names the symbol, eval: tests run
# as the built-in check they mean, the report of what was loaded and
# left out, and the compiled patterns kept in the cache directory.

load helper

T=$'\t'

# A message whose Subject: is all capitals, in HTML only.
shouting() {
	cat >m <<'EOF2'
From: "Deals" <deals@shop.example.com>
To: bob@example.org
Subject: CHEAP WATCHES TODAY ONLY
Message-ID: <abc.123@shop.example.com>
Date: Tue, 14 Nov 2023 22:14:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Our watches are the best watches you can buy.</p></body></html>
EOF2
}

# A quiet one: text, a Subject: of lower case.
quiet() {
	cat >m <<'EOF2'
From: Alice <alice@example.org>
To: bob@example.org
Subject: lunch on friday
Message-ID: <x.1@example.org>
Date: Tue, 14 Nov 2023 22:14:00 +0000

Shall we meet at noon?
EOF2
}

# rules TEXT...: the rule file r.cf, the only one loaded.
rules() {
	printf '%s\n' "$@" >r.cf
	printf 'rules = %s/r.cf\n' "$PWD" >>"$XD_CONF"
}

# check [xd-score options]: xd-parse m | xd-heur | xd-score; the line
# in $line.
check() {
	xd-parse -- "$PWD/m" | xd-heur >heur 2>err
	xd-score "$@" <heur >out
	line=$(grep -v '^#' out)
}

# A weights file of the thresholds alone: only the rules' scores count.
bare_weights() {
	grep '^threshold' "$REPO/share/weights" >w
}

# The one cache file, or nothing.
cache_file() {
	ls "$HOME"/.cache/xd/rules-* 2>/dev/null
}

@test "a rule's score line is its weight; of four scores, set 0 (no Bayes, no network)" {
	shouting
	rules 'body SA_WATCHES /watches/' 'score SA_WATCHES 3.1 0.5 0.2 0.1'
	bare_weights
	check -w w
	[[ "$line" == *"${T}SA_WATCHES=watches${T}"* ]]
	[ "$(field score "$line")" = 3.10 ]
}

@test "a rule with no score line weighs 1, 0.01 as T_, -1 with tflags nice" {
	shouting
	rules 'body SA_ONE /watches/' 'body T_SA_TEST /watches/' \
	    'body SA_NICE /watches/' 'tflags SA_NICE nice'
	bare_weights
	check -w w
	[ "$(field score "$line")" = 0.01 ]
}

@test "the weights file wins where it names the symbol, by name or by a pattern" {
	shouting
	rules 'body SA_NAMED /watches/' 'score SA_NAMED 4' \
	    'body SA_FAMILY_1 /watches/' 'score SA_FAMILY_1 4' \
	    'body SA_OWN /best/' 'score SA_OWN 0.5'
	bare_weights
	printf 'SA_NAMED 0.25\nSA_FAMILY_* 0.5\n' >>w
	check -w w
	[ "$(field score "$line")" = 1.25 ]
	xd-score --explain -w w <heur >why
	grep -q 'SA_OWN.*the score line of rule SA_OWN' why
	grep -q "SA_NAMED=watches  (w:3: SA_NAMED)" why
}

@test "the shipped rules are weighed by share/weights, which lists them" {
	shouting
	xd-parse -- "$PWD/m" | xd-heur >heur
	xd-heur -w | grep -v '^#' >listed || true
	# every shipped rule is named in share/weights: none falls back
	[ ! -s listed ]
}

@test "eval: tests that mean a built-in check fire where it fires, under their own name" {
	shouting
	rules 'ifplugin Mail::SpamAssassin::Plugin::HeaderEval' \
	    'header SA_CAPS eval:subject_is_all_caps()' \
	    'endif' \
	    'body SA_HTML_ONLY eval:check_for_mime_html_only ( )' \
	    'score SA_CAPS 1.5' 'score SA_HTML_ONLY 0.5'
	check
	[[ "$line" == *"${T}HEUR_SUBJ_ALL_CAPS="* ]]
	[[ "$line" == *"${T}SA_CAPS=${T}"* ]]
	[[ "$line" == *"${T}HEUR_HTML_ONLY="* ]]
	[[ "$line" == *"${T}SA_HTML_ONLY="* ]]
	quiet
	check
	[[ "$line" != *SA_CAPS* ]]
	[[ "$line" != *SA_HTML_ONLY* ]]
}

@test "a meta over a mapped eval test runs; one over an eval xd does not run is left out" {
	shouting
	rules 'header __SA_CAPS eval:subject_is_all_caps()' \
	    'header __SA_RBL eval:check_rbl("zen", "zen.spamhaus.org.")' \
	    'meta SA_CAPS_META __SA_CAPS' 'meta SA_RBL_META __SA_RBL || __SA_CAPS'
	check
	[[ "$line" == *"${T}SA_CAPS_META="* ]]
	[[ "$line" != *SA_RBL_META* ]]
}

@test "--report: what was loaded, by reason and by rule, with why" {
	quiet
	rules 'body SA_OK /noon/' \
	    'header SA_CAPS eval:subject_is_all_caps()' \
	    'header SA_RBL eval:check_rbl("zen", "zen.spamhaus.org.")' \
	    'header SA_RBL2 eval:check_rbl_sub("zen", "127.0.0.2")' \
	    'ifplugin Mail::SpamAssassin::Plugin::DKIM' \
	    'header SA_DKIM eval:check_dkim_valid()' \
	    'endif' \
	    'meta SA_META SA_RBL && SA_OK' \
	    'body SA_BAD /(unclosed/' \
	    'body SPF_MINE /x/'
	run xd-heur --report
	[ "$status" -eq 1 ]	# a mistake, as with -n
	[[ "$output" == *"loaded${T}2${T}rules from 1 files, 2 written to the stream"* ]]
	[[ "$output" == *"reason${T}mapped${T}1${T}"* ]]
	[[ "$output" == *"reason${T}eval${T}2${T}"* ]]
	[[ "$output" == *"reason${T}block${T}1${T}"* ]]
	[[ "$output" == *"reason${T}meta${T}1${T}"* ]]
	[[ "$output" == *"reason${T}name${T}1${T}"* ]]
	[[ "$output" == *"reason${T}error${T}1${T}"* ]]
	[[ "$output" == *"eval${T}check_rbl${T}1"* ]]
	[[ "$output" == *"eval${T}check_rbl_sub${T}1"* ]]
	[[ "$output" == *"rule${T}SA_CAPS${T}mapped${T}HEUR_SUBJ_ALL_CAPS${T}$PWD/r.cf:2"* ]]
	[[ "$output" == *"rule${T}SA_RBL${T}eval${T}check_rbl${T}$PWD/r.cf:3"* ]]
	[[ "$output" == *"rule${T}SA_DKIM${T}block${T}ifplugin Mail::SpamAssassin::Plugin::DKIM${T}$PWD/r.cf:6"* ]]
	[[ "$output" == *"rule${T}SA_META${T}meta${T}SA_RBL${T}$PWD/r.cf:8"* ]]
	[[ "$output" == *"rule${T}SA_BAD${T}error${T}bad pattern: missing closing parenthesis"* ]]
	[[ "$output" == *"rule${T}SPF_MINE${T}name${T}-${T}$PWD/r.cf:10"* ]]
	[[ "$output" != *"rule${T}SA_OK"* ]]
}

@test "--report: a rule left out and defined again counts by its last definition" {
	quiet
	rules 'header SA_TWICE eval:check_rbl("zen", "zen.spamhaus.org.")' \
	    'body SA_TWICE /noon/'
	run xd-heur --report
	[[ "$output" == *"reason${T}eval${T}0${T}"* ]]
	[[ "$output" != *"rule${T}SA_TWICE"* ]]
}

@test "the compiled patterns are cached, mode 0600, and used by the next run" {
	quiet
	rules 'body SA_NOON /noon/' 'header SA_SUBJ Subject =~ /lunch/' \
	    'meta SA_BOTH SA_NOON && SA_SUBJ'
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	f=$(cache_file)
	[ -f "$f" ]
	[ "$(stat -c %a "$f")" = 600 ]
	[ "$(stat -c %a "$HOME/.cache/xd")" = 700 ]
	run xd-heur -n -v
	[[ "$output" == *", 2 from the cache"* ]]
	check
	[[ "$line" == *"${T}SA_BOTH="* ]]
}

@test "cache files unread for 30 days are swept when one is written; one in use is kept fresh" {
	quiet
	rules 'body SA_NOON /noon/'
	xd-heur -n 2>/dev/null
	used=$(cache_file)
	d=$HOME/.cache/xd
	for f in rules-0old rules-0old.Ab12Cd hs-0old rules-0recent notes; do
		: >"$d/$f"
	done
	touch -d '40 days ago' "$d/rules-0old" "$d/rules-0old.Ab12Cd" \
	    "$d/hs-0old" "$d/notes" "$used"
	touch -d '20 days ago' "$d/rules-0recent"
	xd-heur -n 2>/dev/null		# reads the cache in use
	[ "$(( $(date +%s) - $(stat -c %Y "$used") ))" -lt 3600 ]
	printf 'body SA_NOON /elephant/\n' >r.cf
	xd-heur -n 2>/dev/null		# writes a new one
	[ ! -e "$d/rules-0old" ]
	[ ! -e "$d/rules-0old.Ab12Cd" ]
	[ -e "$used" ]
	[ -e "$d/rules-0recent" ]
	[ -e "$d/notes" ]
}

@test "a pattern too big for PCRE2 is known from the cache, not compiled again" {
	quiet
	rules 'body SA_BIG /(?:w[a-z]+x|y\d+z){3000}/' 'body SA_NOON /noon/'
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	run xd-heur -n -v
	[[ "$output" == *", 2 from the cache"* ]]
	[[ "$output" == *"r.cf:1: SA_BIG: left out: too big for PCRE2"* ]]
	check
	[[ "$line" == *"${T}SA_NOON="* ]]
	[[ "$line" != *SA_BIG* ]]
}

@test "a changed rule file is compiled again, not read from the old cache" {
	quiet
	rules 'body SA_NOON /noon/'
	xd-heur -n 2>/dev/null
	old=$(cache_file)
	printf 'body SA_NOON /elephant/\n' >r.cf
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	[ "$(cache_file | grep -vcxF "$old")" -ge 1 ]
	check
	[[ "$line" != *SA_NOON* ]]
}

@test "a corrupted cache is never trusted: it is ignored and written anew" {
	quiet
	rules 'body SA_NOON /noon/' 'header SA_SUBJ Subject =~ /lunch/'
	xd-heur -n 2>/dev/null
	f=$(cache_file)
	size=$(stat -c %s "$f")
	# flip bytes in the compiled code, past the header
	printf '\377\377\377\377' | dd of="$f" bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
	run xd-heur -n -v
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 from the cache"* ]]
	run xd-heur -n -v
	[[ "$output" == *", 2 from the cache"* ]]
	# cut short, or empty
	head -c 100 "$f" >short && cat short >"$f"
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	: >"$f"
	check
	[[ "$line" == *"${T}SA_NOON="* ]]
}

@test "a cache file others may write, or a link, is not read" {
	quiet
	rules 'body SA_NOON /noon/'
	xd-heur -n 2>/dev/null
	f=$(cache_file)
	chmod 620 "$f"
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	[ "$(stat -c %a "$f")" = 600 ]
	mv "$f" elsewhere
	ln -s "$PWD/elsewhere" "$f"
	run xd-heur -n -v
	[[ "$output" == *", 0 from the cache"* ]]
	[ ! -L "$f" ]
}

@test "with no cache directory the rules still load and run" {
	quiet
	rules 'body SA_NOON /noon/'
	rm -rf "$HOME/.cache/xd"
	: >"$HOME/.cache/xd"	# a file where the directory would be
	check
	[[ "$line" == *"${T}SA_NOON="* ]]
}

@test "SpamAssassin's own rules load, with their evals mapped or said" {
	[ -d /usr/share/spamassassin ] ||
	    skip "no /usr/share/spamassassin (make accuracy PEERS=1 installs it)"
	printf 'rules = /usr/share/spamassassin\n' >>"$XD_CONF"
	run xd-heur --report
	[ "$status" -eq 0 ]
	[[ "$output" == *"rule${T}MIME_HTML_ONLY${T}mapped${T}HEUR_HTML_ONLY${T}"* ]]
	[[ "$output" == *"rule${T}SUBJ_ALL_CAPS${T}mapped${T}HEUR_SUBJ_ALL_CAPS${T}"* ]]
	[[ "$output" == *"${T}eval${T}check_rbl_sub${T}"* ||
	   "$output" == *"rule${T}"*"${T}block${T}ifplugin Mail::SpamAssassin::Plugin::DNSEval"* ]]
	shouting
	check
	[[ "$line" == *"${T}SUBJ_ALL_CAPS="* ]]
	[[ "$line" == *"${T}MIME_HTML_ONLY="* ]]
	run xd-heur -n -v
	[[ "$output" == *"from the cache"* ]]
	[[ "$output" != *", 0 from the cache"* ]]
}
