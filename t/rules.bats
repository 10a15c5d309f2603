#!/usr/bin/env bats
# The rule language of xd-rules(5), as xd-heur(1) reads and runs it:
# each kind of rule, header modifiers, metas, flags, scores, what is
# left out and how it is said, Perl syntax, and patterns that would
# never end.

load helper

T=$'\t'

setup() {
	export PATH="$XD_BIN:$REPO/bin:$PATH"
	export XD_SHARE="$REPO/share"
	export HOME="$BATS_TEST_TMPDIR/home"
	unset XDG_CACHE_HOME
	mkdir -p "$HOME"
	export XD_CONF="$BATS_TEST_TMPDIR/xd.conf"
	printf 'store = %s/store.lmdb\n' "$BATS_TEST_TMPDIR" >"$XD_CONF"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# A message with a bit of everything rules look at.
message() {
	cat >m <<'EOF'
Return-Path: <bounce-77@mailer.example.com>
Received: from relay.example.net (relay.example.net [198.51.100.7])
	by mx.example.org (Postfix) with ESMTP id 4SZZ1
	for <bob@example.org>; Tue, 14 Nov 2023 22:14:58 +0000
Received: from [10.1.2.3] (helo=sender.example.com)
	by relay.example.net with SMTP; Tue, 14 Nov 2023 22:14:50 +0000
From: "Best Deals" <deals@shop.example.com>
To: Bob <bob@example.org>
Cc: carol@example.org
Subject: =?utf-8?Q?Cheap_watches_=E2=80=93_today_only?=
Message-ID: <abc.123@shop.example.com>
Date: Tue, 14 Nov 2023 22:14:00 +0000
X-Mailer: SuperSender 2.0
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Dear customer,

Our watches are the best.  Visit http://shop.example.com/watches?id=3D7 now.

Lowest prices
on every line.
--b
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGh0bWw+PGJvZHk+PHA+QnV5ICZhbXA7IHNhdmUgPGI+dG9kYXk8L2I+ITwvcD4KPGEgaHJlZj0i
aHR0cDovL3RyYWNrLmV4YW1wbGUuY29tL2NsaWNrP3U9JTc3JTc3JTc3Ij5jbGljazwvYT48L2Jv
ZHk+PC9odG1sPgo=
--b--
EOF
}

# rules TEXT: a rule file r.cf of TEXT, the only one loaded.
rules() {
	printf '%s\n' "$@" >r.cf
	printf 'rules = %s/r.cf\n' "$PWD" >>"$XD_CONF"
}

# check: xd-parse m | xd-heur; the line in $line, stderr in $err.
check() {
	xd-parse -- "$PWD/m" >parsed
	status=0
	xd-heur "$@" <parsed >out 2>err || status=$?
	line=$(grep -v '^#' out || true)
	err=$(cat err)
}

has() {
	case $1 in
	*=*)	printf '%s\n' "$line" | tr '\t' '\n' | grep -qxF -- "$1" ;;
	*)	printf '%s\n' "$line" | tr '\t' '\n' | grep -q "^$1=" ;;
	esac || { echo "no field '$1' in: $line" >&2; echo "$err" >&2; return 1; }
}

hasnt() {
	! printf '%s\n' "$line" | tr '\t' '\n' | grep -q "^$1=" ||
	    { echo "field '$1' in: $line" >&2; return 1; }
}

# --- header rules ------------------------------------------------------

@test "header: Subject =~ /re/i on the decoded value, !~ when it does not match" {
	message
	rules 'header SUBJ_CHEAP Subject =~ /cheap watches \x{2013} today/i' \
	    'header SUBJ_NOT_FREE Subject !~ /free/' \
	    'header SUBJ_CASE Subject =~ /CHEAP/'
	check
	[ "$status" -eq 0 ]
	has "SUBJ_CHEAP=Cheap watches – today"
	has SUBJ_NOT_FREE=
	hasnt SUBJ_CASE
}

@test "header: every header of a name, joined; a missing one is empty" {
	message
	rules 'header TWO_RCVD Received =~ /relay\.example\.net.*\n.*helo=sender/s' \
	    'header NO_XYZ X-Nothing =~ /^$/' \
	    'header NO_XYZ_NEG X-Nothing !~ /./'
	check
	has TWO_RCVD
	has NO_XYZ=
	has NO_XYZ_NEG=
}

@test "header: [if-unset: TEXT] stands for a missing header" {
	message
	rules 'header UNSET_USED X-Nothing =~ /^none here$/ [if-unset: none here]' \
	    'header UNSET_UNUSED Subject =~ /^none here$/ [if-unset: none here]'
	check
	has UNSET_USED
	hasnt UNSET_UNUSED
}

@test "header: exists:Name" {
	message
	rules 'header HAS_MAILER exists:X-Mailer' 'header HAS_NOTHING exists:X-Nothing'
	check
	has HAS_MAILER=
	hasnt HAS_NOTHING
}

@test "header: :addr :name :host :domain :raw and combined" {
	message
	rules 'header FROM_ADDR From:addr =~ /^deals@shop\.example\.com$/' \
	    'header FROM_NAME From:name =~ /^Best Deals$/' \
	    'header FROM_HOST From:host =~ /^shop\.example\.com$/' \
	    'header FROM_DOMAIN From:domain =~ /^example\.com$/' \
	    'header SUBJ_RAW Subject:raw =~ /^=\?utf-8\?Q\?Cheap_watches/' \
	    'header SUBJ_RAW_NOT Subject:raw =~ /Cheap watches/' \
	    'header NAME_RAW From:name:raw =~ /^"?Best Deals/' \
	    'header BAD_MOD From:nosuch =~ /x/'
	check
	has FROM_ADDR FROM_NAME
	has FROM_NAME
	has FROM_HOST
	has FROM_DOMAIN
	has SUBJ_RAW
	hasnt SUBJ_RAW_NOT
	has NAME_RAW
	[[ "$err" == *"r.cf:8: unknown header modifier"* ]]
}

@test "header: ALL, ToCc, MESSAGEID, EnvelopeFrom and the relay pseudo-headers" {
	message
	rules 'header ALL_ORDER ALL =~ /^From: .*\n(?s:.*)^Subject: Cheap/m' \
	    'header TOCC_CAROL ToCc =~ /carol@example\.org/' \
	    'header MSGID_ANY MESSAGEID =~ /^<abc\.123@/' \
	    'header ENV_FROM EnvelopeFrom =~ /^bounce-77@mailer\.example\.com$/' \
	    'header RELAY_UNTRUSTED X-Spam-Relays-Untrusted =~ /^\[ ip=198\.51\.100\.7 rdns=relay\.example\.net helo=relay\.example\.net by=mx\.example\.org /' \
	    'header RELAY_INTERNAL X-Spam-Relays-Trusted =~ /ip=10\.1\.2\.3 .* helo=sender\.example\.com/' \
	    'header NOT_PSEUDO exists:MessageID' 'header NOT_PSEUDO2 exists:toCC'
	check
	has ALL_ORDER
	has TOCC_CAROL
	has MSGID_ANY
	has ENV_FROM
	has RELAY_UNTRUSTED
	has RELAY_INTERNAL
	# the special names are written exactly so; otherwise a header's
	hasnt NOT_PSEUDO
	hasnt NOT_PSEUDO2
}

# --- body, rawbody, uri, full ---------------------------------------------

@test "body: decoded text, HTML rendered, the Subject first, a paragraph a line" {
	message
	rules 'body SUBJECT_FIRST /\ACheap watches/' \
	    'body QP_DECODED /id=7 now/' \
	    'body HTML_RENDERED /Buy & save today!/' \
	    'body NO_TAGS /<b>/' \
	    'body PARAGRAPH_JOINED /^Lowest prices on every line\.?$/' \
	    'body PARAGRAPH_START /^Our watches/' \
	    'body NOT_ACROSS /customer, Our/'
	check
	has SUBJECT_FIRST
	has QP_DECODED
	has "HTML_RENDERED=Buy & save today!"
	hasnt NO_TAGS
	has PARAGRAPH_JOINED
	has PARAGRAPH_START
	hasnt NOT_ACROSS
}

@test "rawbody: the decoded parts with their markup" {
	message
	rules 'rawbody RAW_TAGS /<b>today<\/b>/' 'rawbody RAW_QP /id=7/' \
	    'rawbody RAW_NO_SUBJECT /Cheap watches/'
	check
	has RAW_TAGS
	has RAW_QP
	hasnt RAW_NO_SUBJECT
}

@test "uri: each link, normalised and as written" {
	message
	rules 'uri URI_TEXT m{^http://shop\.example\.com/watches\?id=7$}' \
	    'uri URI_DECODED /click\?u=www$/' \
	    'uri URI_ESCAPED /%77%77%77/' \
	    'uri URI_WHOLE /^http:\/\/track.*\n/'
	check
	has URI_TEXT
	has URI_DECODED
	has URI_ESCAPED
	hasnt URI_WHOLE
}

@test "full: the message as stored" {
	message
	rules 'full FULL_RAW /^Content-Transfer-Encoding: base64\n\nPGh0bWw/m' \
	    'full FULL_START /\AReturn-Path:/'
	check
	has FULL_RAW
	has FULL_START
}

# --- meta ------------------------------------------------------------------

@test "meta: && || ! and parentheses" {
	message
	rules 'header __A Subject =~ /cheap/i' 'header __B Subject =~ /free/i' \
	    'body __C /watches/' \
	    'meta META_AND __A && __C' 'meta META_OR __B || __C' \
	    'meta META_NOT !__B' 'meta META_PAREN (__A || __B) && !(__B && __C)' \
	    'meta META_FALSE __A && __B'
	check
	has META_AND=
	has META_OR=
	has META_NOT=
	has META_PAREN=
	hasnt META_FALSE
	hasnt __A
}

@test "meta: arithmetic and comparisons, counts of tflags multiple" {
	message
	rules 'body __WATCH /watch/i' 'tflags __WATCH multiple' \
	    'body __TWO /watch/i' 'tflags __TWO multiple maxhits=2' \
	    'meta COUNT_3 __WATCH == 3' 'meta COUNT_CAPPED __TWO == 2' \
	    'meta SUM (__WATCH + __TWO) * 2 - 1 > 8' \
	    'meta DIV __WATCH / 3 >= 1 && __WATCH / 0 == 0' \
	    'meta LESS __WATCH < 3 || __WATCH <= 2 || __WATCH != 3'
	check
	has COUNT_3=
	has COUNT_CAPPED=
	has SUM=
	has DIV=
	hasnt LESS
}

@test "meta: metas of metas, and of built-in and other tools' symbols" {
	message
	rules 'body __W /watches/' 'meta __M1 __W' 'meta __M2 __M1 && __W' \
	    'meta M3 __M2' \
	    'meta WITH_HEUR __W && HEUR_HTML_ONLY' 'meta NO_HEUR __W && !HEUR_HTML_ONLY' \
	    'meta WITH_SPF SPF_FAIL && __W' 'meta WITH_RBL RBL_ZEN > 1'
	xd-parse -- "$PWD/m" | sed "s/\$/${T}SPF_FAIL=${T}RBL_ZEN=127.0.0.2${T}RBL_ZEN=127.0.0.4/" >parsed
	run xd-heur <parsed
	line=$(printf '%s\n' "$output" | grep -v '^#')
	has M3=
	hasnt WITH_HEUR
	has NO_HEUR=
	has WITH_SPF=
	has WITH_RBL=
}

@test "meta: a meta of rules that are not there is left out, and counted" {
	message
	rules 'body __W /watches/' 'meta GOOD __W' 'meta MISSING __W && __NOT_DEFINED' \
	    'header __E eval:check_something()' 'meta ON_EVAL __W && !__E' \
	    'meta ON_MISSING MISSING || __W'
	check -n -v
	[ "$status" -eq 0 ]
	[[ "$err" == *"3 metas of missing rules"* ]]
	check
	has GOOD
	hasnt MISSING
	hasnt ON_EVAL
	hasnt ON_MISSING
}

@test "meta: loops and syntax errors name file:line" {
	message
	rules 'meta LOOP_A LOOP_B' 'meta LOOP_B LOOP_A' \
	    'meta BAD_SYNTAX (__W &&' 'meta BAD_CHAR __W ? 1 : 0' \
	    'meta BAD_TWO __W __W' 'body __W /watches/' 'meta FINE __W'
	check
	[ "$status" -eq 0 ]
	has FINE
	[[ "$err" == *"r.cf:1: LOOP_A: meta rules that depend on each other"* ||
	   "$err" == *"r.cf:2: LOOP_B: meta rules that depend on each other"* ]]
	[[ "$err" == *"r.cf:3: the expression ends too soon"* ]]
	[[ "$err" == *"r.cf:4: unknown character in the expression"* ]]
	[[ "$err" == *"r.cf:5: two rules or numbers with no operator between"* ]]
}

@test "meta: nesting is bounded, in depth and in parentheses" {
	message
	{
		printf 'body __M0 /watches/\n'
		for i in $(seq 1 40); do printf 'meta __M%d __M%d\n' "$i" $((i - 1)); done
		printf 'meta DEEP __M40\nmeta SHALLOW __M20\n'
		printf 'meta PARENS %s__M0%s\n' "$(printf '(%.0s' $(seq 1 100))" "$(printf ')%.0s' $(seq 1 100))"
	} >r.cf
	printf 'rules = %s/r.cf\n' "$PWD" >>"$XD_CONF"
	check
	has SHALLOW
	hasnt DEEP
	hasnt PARENS
	[[ "$err" == *"meta rules nested too deep"* ]]
	[[ "$err" == *"expression nested too deep"* ]]
}

# --- names, scores, flags ---------------------------------------------------

@test "__ rules are never written; score 0 turns a rule off but metas still see it" {
	message
	rules 'body __SUB /watches/' 'body OFF /watches/' 'score OFF 0' \
	    'meta ON_OFF OFF' 'body ON /watches/' 'score ON 2.5 0 0 0' \
	    'body NET_ONLY /watches/' 'score NET_ONLY 0 2.5 0 2.5'
	check
	hasnt __SUB
	hasnt OFF
	has ON_OFF
	has ON
	hasnt NET_ONLY
}

@test "a rule defined again is the last definition" {
	message
	rules 'body TWICE /nothing like this/' 'body TWICE /watches/'
	check
	has TWICE=watches
}

@test "names that are not symbols, or belong to another tool, are left out" {
	message
	rules 'body lower_case /watches/' 'body SPF_MINE /watches/' \
	    'body HEUR_MINE /watches/' 'body BAYES_99 /watches/' 'body OK_1 /watches/' \
	    'body BAD-NAME /watches/'
	check -n -v
	[[ "$err" == *"4 names not for the stream"* ]]
	[[ "$err" == *"r.cf:6: expected a rule name of letters, digits and _"* ]]
	check
	hasnt lower_case
	hasnt SPF_MINE
	hasnt HEUR_MINE
	has OK_1
}

@test "tflags multiple counts matches; the evidence is the first" {
	message
	rules 'body MANY /watch/i' 'tflags MANY multiple' 'meta MANY3 MANY == 3'
	check
	has MANY=watch
	has MANY3
}

@test "describe, score and tflags before or after the rule they name" {
	rules 'score LATE 3.5' 'describe LATE Defined after its score' \
	    'body LATE /watches/' 'score NEVER_DEFINED 2' 'tflags NICE nice' \
	    'body NICE /hello/' 'body T_TESTING /x/' 'body PLAIN /y/'
	run xd-heur --weights
	[ "$status" -eq 0 ]
	[[ "$output" == *"LATE${T}3.5"* ]]
	[[ "$output" == *"NICE${T}-1"* ]]
	[[ "$output" == *"T_TESTING${T}0.01"* ]]
	[[ "$output" == *"PLAIN${T}1"* ]]
	[[ "$output" != *"NEVER_DEFINED"* ]]
	run xd-heur --list
	[ "$status" -eq 0 ]
	[[ "$output" == *"LATE${T}body${T}3.5${T}$PWD/r.cf:3${T}Defined after its score"* ]]
}

@test "--weights comments out what the weights file lists already" {
	rules 'body LISTED /a/' 'body NEW_ONE /b/' 'score NEW_ONE 2'
	printf 'LISTED 4\n' >w
	printf 'weights = %s/w\n' "$PWD" >>"$XD_CONF"
	run xd-heur -w
	[[ "$output" == *"# LISTED${T}1${T}(the weights file has it)"* ]]
	[[ "$output" == *$'\n'"NEW_ONE${T}2"* ]]
	# what it prints is a weights file xd-score reads
	{ printf 'LISTED 4\n'; xd-heur -w; } >w2
	xd-score -n -w w2
}

@test "bad scores and flags of patterns name file:line" {
	rules 'body A /x/' 'score A lots' 'score A 1 2' 'body B /x/q' 'body C /unclosed' \
	    'body D' 'body E no pattern'
	run xd-heur -n
	[ "$status" -eq 1 ]
	[[ "$output" == *"r.cf:2: a score is a number"* ]]
	[[ "$output" == *"r.cf:3: expected one score or four"* ]]
	[[ "$output" == *"r.cf:4: unknown pattern flag"* ]]
	[[ "$output" == *"r.cf:5: the pattern does not end"* ]]
	[[ "$output" == *"r.cf:6: the rule has no test"* ]]
	[[ "$output" == *"r.cf:7: expected a pattern such as /text/i"* ]]
	printf 'body LONG /%s/\n' "$(head -c 70000 /dev/zero | tr '\0' a)" >r.cf
	run xd-heur -n
	[ "$status" -eq 1 ]
	[[ "$output" == *"r.cf:1: line too long"* ]]
	[[ "$output" == *", 1 errors"* ]]
}

# --- what is not supported ----------------------------------------------------

@test "lines of what is not supported are counted and said once" {
	message
	rules 'header E1 eval:check_for_missing_to_header()' \
	    'body E2 eval:check_stock_info()' \
	    'loadplugin Mail::SpamAssassin::Plugin::Foo' \
	    'ifplugin Mail::SpamAssassin::Plugin::DKIM' \
	    '  header DKIM_THING exists:DKIM-Signature' \
	    'endif' \
	    'lang de describe W Uhren' 'priority W 10' 'mimeheader M Content-Type =~ /x/' \
	    'body W /watches/'
	check
	[ "$status" -eq 0 ]
	has W
	hasnt DKIM_THING
	[ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ]
	[[ "$err" == "xd-heur: rules: 1 loaded from 1 files (1 write symbols), 7 lines or rules skipped, 0 errors" ]]
	check -n -v
	[[ "$err" == *"2 eval tests (0 more mapped onto built-in checks), 1 in false if/ifplugin blocks, 4 other directives"* ]]
}

@test "if, else and endif: version, can() and plugin()" {
	message
	rules 'if (version >= 3.004000)' 'body V34 /watches/' 'endif' \
	    'if version < 3.0' 'body OLD /watches/' 'else' 'body NEW /watches/' 'endif' \
	    'if can(Mail::SpamAssassin::Conf::feature_bug6558_free)' 'body CAN /watches/' 'endif' \
	    'if !plugin(Mail::SpamAssassin::Plugin::MIMEHeader)' 'body NO_MIMEHEADER /watches/' 'endif' \
	    'ifplugin Mail::SpamAssassin::Plugin::ReplaceTags' 'body TAGS /watches/' 'endif' \
	    'if plugin(Mail::SpamAssassin::Plugin::Bayes) && version >= 3.0' 'body BAYES_THING /watches/' 'endif' \
	    'if something we do not know' 'body UNKNOWN /watches/' 'endif'
	check
	has V34
	hasnt OLD
	has NEW
	has CAN
	has NO_MIMEHEADER
	has TAGS
	hasnt BAYES_THING
	hasnt UNKNOWN
}

@test "if blocks that do not close, or close what is not open, name file:line" {
	rules 'endif' 'else' 'if version >= 3' 'body X /x/'
	run xd-heur -n
	[ "$status" -eq 1 ]
	[[ "$output" == *"r.cf:1: endif without if"* ]]
	[[ "$output" == *"r.cf:2: else without if"* ]]
	[[ "$output" == *"r.cf:3: if without endif"* ]]
}

@test "replace_tag, replace_inter and replace_post in replace_rules rules" {
	message
	rules 'replace_tag W (?:w|\\/\\/)' 'replace_tag A [a@4]' 'replace_tag T [t7+]' \
	    'replace_inter SP [\s.]?' 'replace_post P1 {1,2}' \
	    'body FUZZY_WATCH /<inter SP><post P1><W><A><T>ches/i' 'replace_rules FUZZY_WATCH' \
	    'body NOT_REPLACED /<W><A><T>ches/i'
	check
	has FUZZY_WATCH
	hasnt NOT_REPLACED
}

# --- Perl regex syntax ----------------------------------------------------------

@test "Perl patterns: m{} m!! delimiters, /s /m /x /i, \\z, \\# and comments" {
	message
	rules 'body DELIM_BRACE m{watches\ are}' 'body DELIM_BANG m!best\.!' \
	    'body FLAG_X /w a t c h e s \  a r e/x' \
	    'body DOTALL /Dear.customer/s' 'full MULTI /^Subject:/m' 'full NO_MULTI /^Subject:/' \
	    'header Z_END Subject =~ /today only\z/i' \
	    'header HASH X-Mailer =~ /\#?SuperSender/  # a comment after the rule' \
	    'body NAMED /(?<what>watches) are the (?i:BEST)/'
	check
	has DELIM_BRACE
	has DELIM_BANG
	has FLAG_X
	has DOTALL
	has MULTI
	hasnt NO_MULTI
	has Z_END
	has HASH
	has NAMED
}

@test "a bad pattern names file:line and the rest still run" {
	message
	rules 'body GOOD1 /watches/' 'body BROKEN /watch(es/' 'body GOOD2 /best/'
	check
	[ "$status" -eq 0 ]
	[[ "$err" == *"r.cf:2: BROKEN: bad pattern: missing closing parenthesis"* ]]
	has GOOD1
	has GOOD2
	run xd-heur -n
	[ "$status" -eq 1 ]
}

@test "a pattern too big for PCRE2 is left out and counted, named with -v" {
	message
	rules 'body BIG /(?:w[a-z]+x|y\d+z){3000}/' 'body SMALL /watches/'
	check
	[ "$status" -eq 0 ]
	has SMALL
	hasnt BIG
	[ "$err" = "xd-heur: rules: 1 loaded from 1 files (1 write symbols), 1 lines or rules skipped, 0 errors" ]
	check -v
	[[ "$err" == *"r.cf:1: BIG: left out: too big for PCRE2"* ]]
	[[ "$err" == *"1 patterns too big for PCRE2"* ]]
}

@test "catastrophic backtracking ends, with HEUR_RULE_LIMIT" {
	rules 'body EXPONENTIAL /^(\w+\s?)*$/' 'rawbody NESTED /(x+x+)+[yz]/' \
	    'body GOOD /abc/'
	printf 'Subject: s\n\nabc %s!\n\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' a)" \
	    "$(head -c 3000 /dev/zero | tr '\0' x)" >m
	check
	[ "$status" -eq 0 ]
	has HEUR_RULE_LIMIT
	has GOOD
	hasnt EXPONENTIAL
	hasnt NESTED
	[ "$(printf '%s\n' "$err" | grep -c 'the pattern hit the match limit')" -eq 2 ]
}

@test "the literal prefilter never hides a match" {
	message
	rules 'body ALT_LITERAL /\b(?:cheapest|lowest) prices\b/i' \
	    'body OPTIONAL_PART /lowest\s*(?:cost )?prices/i' \
	    'body CLASS_INSIDE /watch[e3]s are/' \
	    'body LOOKAHEAD /(?=Our)Our watches/' \
	    'body CASE_KEPT /OUR WATCHES/' \
	    'body QUANTIFIED /wat+ches/' \
	    'body ESCAPED /best\.\s+Visit/' \
	    'body BRACES /\w{1,3}atches/' \
	    'rawbody RAW_LIT /Content|watches are the best/'
	check
	has ALT_LITERAL
	has OPTIONAL_PART
	has CLASS_INSIDE
	has LOOKAHEAD
	hasnt CASE_KEPT
	has QUANTIFIED
	has ESCAPED
	has BRACES
	has RAW_LIT
}

# --- files --------------------------------------------------------------------------

@test "a directory is its *.cf files in name order; -r replaces the configured rules" {
	message
	mkdir d
	printf 'body FIRST /watches/\nscore FIRST 1\n' >d/10_a.cf
	printf 'score FIRST 7\n' >d/20_b.cf
	printf 'body IGNORED /watches/\n' >d/notes.txt
	run xd-heur -r d --weights
	[[ "$output" == *"FIRST${T}7"* ]]
	[[ "$output" != *"IGNORED"* ]]
	xd-parse -- "$PWD/m" >parsed
	run xd-heur -r d <parsed
	line=$(printf '%s\n' "$output" | grep -v '^#')
	has FIRST
	hasnt IGNORED
}

@test "a rule file that cannot be read is a configuration error" {
	run xd-heur -r nosuch.cf </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"nosuch.cf"* ]]
	printf 'rules = %s/nosuch\n' "$PWD" >>"$XD_CONF"
	run xd-heur </dev/null
	[ "$status" -eq 2 ]
}

@test "rules += FILE runs FILE beside the shipped rules; rules = FILE alone" {
	printf 'header LOCAL_ONE Subject =~ /./\nscore LOCAL_ONE 1\n' >local.cf
	run xd-heur -n
	shipped=$(printf '%s\n' "$output" | sed -n 's/.*rules: \([0-9]*\) loaded.*/\1/p')
	[ "$shipped" -gt 10 ]
	cp "$XD_CONF" base.conf
	printf 'rules += %s/local.cf\n' "$PWD" >>"$XD_CONF"
	run xd-heur -n
	[[ "$output" == *"rules: $((shipped + 1)) loaded"* ]]
	{ cat base.conf; printf 'rules = %s/local.cf\n' "$PWD"; } >"$XD_CONF"
	run xd-heur -n
	[[ "$output" == *"rules: 1 loaded"* ]]
}

@test "rules = none loads no rules" {
	message
	printf 'rules = none\n' >>"$XD_CONF"
	check
	[ "$status" -eq 0 ]
	[ -z "$err" ]
	! printf '%s\n' "$line" | tr '\t' '\n' | grep -q '^XD_'
	run xd-heur -n
	[ "$status" -eq 0 ]
	[[ "$output" == *"rules: 0 loaded"* ]]
}

@test "the rules' own fields are replaced when run again" {
	message
	rules 'body W /watches/'
	check
	printf '%s\n' "$(cat out)" >once
	xd-heur <once >twice
	cmp once twice
	[ "$(grep -o "${T}W=" twice | wc -l)" -eq 1 ]
}

@test "the rule files of SpamAssassin load without a crash, with one summary line" {
	[ -d /usr/share/spamassassin ] || skip "spamassassin is not installed"
	message
	run xd-heur -n -r /usr/share/spamassassin
	[ "$status" -le 1 ]
	[[ "$output" == *"xd-heur: rules: "*" loaded from "*" files"* ]]
	[ "$(printf '%s\n' "$output" | grep -c 'lines or rules skipped')" -eq 1 ]
	xd-parse -- "$PWD/m" >parsed
	run xd-heur -r /usr/share/spamassassin <parsed
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c "^$PWD/m")" -eq 1 ]
}
