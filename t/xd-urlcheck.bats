#!/usr/bin/env bats
# xd-urlcheck: the links of a message, as a mail client would follow
# them, after the hiding spammers use is undone; urls= and domains=;
# URL_ symbols from the message alone and from local lists; URIBL_
# symbols from the zones of t/zones/ served by knot on 127.0.0.1.

load helper
load dns

setup_file() {
	knot_start
	dnsserver_start
}

teardown_file() {
	dnsserver_stop
	knot_stop
}

URIBL=(
	"uribl = TEST uribl.test 127.0.0.2=SPAM 127.0.0.4=PHISH"
	"uribl_ip = IP uribl-ip.test"
)

# mail FILE TYPE: a message whose text/TYPE body is standard input
mail() {
	{
		printf 'From: a@example.com\nTo: b@example.net\n'
		printf 'Subject: links\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/%s; charset=utf-8\n\n' "$2"
		cat
	} >"$1"
}

# check FILE...: xd-urlcheck on a stream of one line per message
check() {
	{
		echo '#xd-stream 1'
		for f; do printf '%s\n' "$PWD/$f"; done
	} >in
	run --separate-stderr xd-urlcheck <in
}

# own [N]: the fields xd-urlcheck wrote on message line N (default 1)
own() {
	grep -v '^#' <<<"$output" | sed -n "${1:-1}p" | tr '\t' '\n' |
	    grep -E '^(urls|domains|URL_|URIBL_)' | tr '\n' ' ' | sed 's/ $//'
}

# urls FILE: what xd-urlcheck -u lists: "URL<TAB>domain<TAB>flags"
urls() {
	printf '%s\n' "$PWD/$1" | xd-urlcheck -u | cut -f2-
}

# has FILE URL: FILE's list of URLs holds URL
has() {
	urls "$1" | cut -f1 | grep -qxF "$2" ||
	    { echo "no $2 in:"; urls "$1"; return 1; }
}

# --- finding links ----------------------------------------------------

@test "plain text: http, https, ftp and schemeless www. links" {
	mail m plain <<'EOF'
See http://one.example/a, https://two.example/b and ftp://three.example/c.
Or www.four.example.com; or ssh://five.example and gopher://six.example.
EOF
	[ "$(urls m | cut -f1 | tr '\n' ' ')" = "http://one.example/a https://two.example/b ftp://three.example/c http://www.four.example.com/ " ]
	[ "$(urls m | sed -n 4p | cut -f3)" = "text,noscheme" ]
}

@test "plain text: trailing punctuation and unopened brackets are not the link's" {
	mail m plain <<'EOF'
(see http://a.example/x). "http://b.example/y", 'http://c.example/z'!
http://en.wikipedia.org/wiki/Foo_(bar) <http://d.example/> [http://e.example/]
EOF
	has m http://a.example/x
	has m http://b.example/y
	has m http://c.example/z
	has m 'http://en.wikipedia.org/wiki/Foo_(bar)'
	has m http://d.example/
	has m http://e.example/
	[ "$(urls m | wc -l)" -eq 6 ]
}

@test "HTML: href, src, form action and the text; comments and scripts are not read" {
	mail m html <<'EOF'
<html><head><script>var u = "http://script.example/";</script>
<style>p { color: red }</style></head><body>
<a href="http://href.example/">a</a> <img src='http://src.example/i.png'>
<form action=http://action.example/post><input></form>
<!-- http://comment.example/ -->
<p>Plain text in HTML: http://text.example/ and www.www.example.com</p>
<area href="//relative-scheme.example/x"> <a href="/relative">rel</a>
</body></html>
EOF
	[ "$(urls m | cut -f1 | sort | tr '\n' ' ')" = "http://action.example/post http://href.example/ http://relative-scheme.example/x http://src.example/i.png http://text.example/ http://www.www.example.com/ " ]
	[ "$(urls m | grep href.example | cut -f3)" = "html" ]
}

@test "HTML entities, named and numeric, are undone in links and text" {
	mail m html <<'EOF'
<a href="&#104;&#x74;&#116;p&colon;&sol;&sol;ent1.example&sol;?a=1&amp;b=2">x</a>
<a href="http://ent2&period;example/&lt;&gt;">y</a>
Text: http&#58;//ent3.example/&quot; and www&period;ent4.example.com
EOF
	has m 'http://ent1.example/?a=1&b=2'
	has m 'http://ent2.example/<>'
	has m http://ent3.example/
	has m http://www.ent4.example.com/
}

@test "HTML is read as a browser reads it: stray quotes, inline tags, hidden text" {
	mail m html <<'EOF'
<table><tr><td height="1"">After a stray quote: http://stray.example/</td></tr>
<tr><td><img src=http://img.example/i.gif?q=1">Then http://unquoted.example/</td></tr></table>
Go to www.<b>joined</b>.example.com today.
<span style="display:none">hidden http://hidden.example/</span>
EOF
	has m http://stray.example/
	has m http://unquoted.example/
	has m http://www.joined.example.com/
	has m http://hidden.example/
}

@test "the links written in an iframe's text are listed, though HTML never shows that text" {
	mail m html <<'EOF'
<p>Hello</p><iframe src="http://frame.example/"><script src="http://script.example/x.js"></script>
<a href="http://fallback.example/">x</a> http://textonly.example/
<iframe src="http://inner.example/"></iframe>
<noframes><img src="http://noframes.example/i.gif"></noframes>
EOF
	has m http://frame.example/
	has m http://script.example/x.js
	has m http://fallback.example/
	has m http://inner.example/
	has m http://noframes.example/i.gif
	! urls m | grep -q textonly.example
}

@test "%-escapes: decoded in the host, printable ones in the path" {
	mail m plain <<'EOF'
http://%65%76%69%6C.example/%41%42%20c%2541 http://pct.example/%7e%c3%a9
EOF
	has m 'http://evil.example/AB%20c%2541'
	has m 'http://pct.example/~%C3%A9'
}

@test "user@host: the host is what follows the last @" {
	mail m plain <<'EOF'
http://www.bank.example@evil.example/login
http://bank.example:secret@user@evil2.example:8080/x
EOF
	has m http://evil.example/login
	has m http://evil2.example:8080/x
	[ "$(urls m | head -n 1 | cut -f2-)" = "$(printf 'evil.example\ttext,userinfo')" ]
}

@test "IPv4 hosts in decimal, hex, octal and mixed forms are dotted quads" {
	mail m plain <<'EOF'
http://2130706433/a http://0x7f000001/b http://0177.0.0.01/c
http://0x7f.1/d http://127.1/e http://0x7F.0.0x0.1/f http://198.51.100.7:80/g
EOF
	for p in a b c d e f; do has m "http://127.0.0.1/$p"; done
	has m http://198.51.100.7/g
	[ "$(urls m | cut -f3 | sort -u)" = "text,ip" ]
}

@test "a numeric host that is no address is no link" {
	mail m plain <<'EOF'
http://256.1.1.1/ http://1.2.3.4.5/ http://08.1/ http://example.123/ http://good.example/
EOF
	[ "$(urls m | cut -f1)" = "http://good.example/" ]
}

@test "IPv6 hosts in brackets" {
	mail m plain <<'EOF'
http://[2001:DB8:0::7]:8080/x http://[::ffff:192.0.2.1]/ http://[zzz]/
EOF
	has m 'http://[2001:db8::7]:8080/x'
	has m 'http://[::ffff:192.0.2.1]/'
	[ "$(urls m | wc -l)" -eq 2 ]
}

@test "IDN hosts are punycode; Unicode full stops separate labels" {
	mail m plain <<'EOF'
http://bücher.example/ http://xn--bcher-kva.example/x http://ПРИМЕР.example/ http://dot。example/
EOF
	has m http://xn--bcher-kva.example/
	has m http://xn--bcher-kva.example/x
	has m http://xn--e1afmkfd.example/
	has m http://dot.example/
}

@test "case, backslashes and extra slashes as browsers forgive them" {
	mail m html <<'EOF'
<a href="HTTP://MiXeD.Example/Path">x</a> <a href="http:\\back.example\a\b?q=\">y</a>
<a href="https:evil.example/">z</a> <a href="http:///three.example/">w</a>
EOF
	has m http://mixed.example/Path
	has m 'http://back.example/a/b?q=\'
	has m https://evil.example/
	has m http://three.example/
}

@test "a redirector's target is a link too" {
	mail m plain <<'EOF'
http://redirect.example/url?q=http://target.example/x&sa=D
EOF
	has m 'http://redirect.example/url?q=http://target.example/x&sa=D'
	has m http://target.example/x
}

@test "a redirector's target with no scheme, escaped twice, or after '#' is a link too" {
	mail m html <<'EOF'
<a href="https://r.example/redirect?url=www.one.example/login&x=1">a</a>
<a href="https://l.example/out?u=https%253A%252F%252Ftwo.example%252Fpay">b</a>
<a href="https://t.example/go#https://three.example/x">c</a>
<a href="https://v.example/out?to=four.example">d</a>
EOF
	has m http://www.one.example/login
	has m https://two.example/pay
	has m https://three.example/x
	! urls m | cut -f1 | grep -q '//four\.example'
}

@test "the same link twice is one link" {
	mail m html <<'EOF'
<a href="http://same.example/">http://same.example/</a> HTTP://SAME.EXAMPLE/
EOF
	check m
	[ "$(own)" = "urls=1 domains=same.example" ]
}

@test "every text part counts, other parts do not" {
	cat >m <<'EOF'
From: a@example.com
Subject: parts
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=B

--B
Content-Type: text/plain

http://plain.example/
--B
Content-Type: text/html
Content-Transfer-Encoding: base64

PGEgaHJlZj0iaHR0cDovL2h0bWwuZXhhbXBsZS8iPng8L2E+Cg==
--B
Content-Type: application/octet-stream

http://binary.example/
--B--
EOF
	[ "$(urls m | cut -f1 | tr '\n' ' ')" = "http://plain.example/ http://html.example/ " ]
}

# --- facts --------------------------------------------------------------

@test "urls= counts links; domains= lists registered domains, first seen first" {
	mail m plain <<'EOF'
http://www.bbc.co.uk/news http://a.b.c.blogspot.com/ http://x.example.com/
http://y.example.com/ http://198.51.100.7/ http://news.bbc.co.uk/
EOF
	check m
	[ "$status" -eq 0 ]
	[ "$(own)" = "urls=6 domains=bbc.co.uk,c.blogspot.com,example.com URL_IP_HOST=198.51.100.7" ]
}

@test "url_domains bounds domains=" {
	mail m plain <<'EOF'
http://a.example/ http://b.example/ http://c.example/
EOF
	echo "url_domains = 2" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=3 domains=a.example,b.example" ]
}

@test "a message without links has urls=0 and no domains=" {
	mail m plain <<<'No links here, just example.com and a@b.example.'
	check m
	[ "$(own)" = "urls=0" ]
}

# --- symbols from the message -------------------------------------------

@test "URL_IP_HOST: a link to an address, once per address" {
	mail m plain <<'EOF'
http://198.51.100.7/ http://0xc6.51.100.7/x http://[2001:db8::7]/ http://name.example/
EOF
	check m
	[ "$(own)" = "urls=4 domains=name.example URL_IP_HOST=198.51.100.7 URL_IP_HOST=2001:db8::7" ]
}

@test "URL_MISMATCH: anchor text shows one domain, the link goes to another" {
	mail m html <<'EOF'
<a href="http://evil.example/login">https://www.paypal.com/login</a>
<a href="http://www.ebay.com/x"><b>www.ebay.com</b></a>
<a href="http://track.example/c?u=http://shop.example/">http://www.shop.example/</a>
<a href="http://news.example/">Dilbert.com</a>
<a href="http://ip.example/">http://192.0.2.1/</a>
EOF
	check m
	[[ "$(own)" == *"URL_MISMATCH=evil.example URL_MISMATCH=ip.example"* ]]
	[ "$(printf '%s\n' "$output" | grep -o URL_MISMATCH | wc -l)" -eq 2 ]
	urls m | grep -qxF "$(printf 'http://evil.example/login\tevil.example\thtml,mismatch=paypal.com')"
}

@test "URL_MISMATCH: anchor text with references and inline tags shows its domain" {
	mail m html <<'EOF'
<a href="&#104;ttp://evil.example/">https&#58;//www.<b>paypal</b>.com/</a>
<a href="http://good.example/">http://good.example/</a>
EOF
	check m
	[[ "$(own)" == *"URL_MISMATCH=evil.example"* ]]
	[ "$(printf '%s\n' "$output" | grep -o URL_MISMATCH | wc -l)" -eq 1 ]
}

@test "URL_MISMATCH looks at 256 bytes of anchor text, no more" {
	python3 -c '
p = "https://www.paypal.com/"
print("<a href=\"http://a.example/\">" + p + "x" * (256 - len(p)) + "</a>")
print("<a href=\"http://b.example/\">" + p + "x" * (257 - len(p)) + "</a>")' |
	    mail m html
	check m
	[ "$(printf '%s\n' "$output" | grep -o 'URL_MISMATCH=[a-z.]*' | tr '\n' ' ')" = "URL_MISMATCH=a.example " ]
}

@test "URL_SHORTENER: a link to a listed shortener or a name under it" {
	mail m plain <<'EOF'
http://bit.ly/abc http://www.tinyurl.com/x http://notbit.ly.example/ http://t.co/y
EOF
	check m
	[ "$(own)" = "urls=4 domains=bit.ly,tinyurl.com,ly.example,t.co URL_SHORTENER=bit.ly URL_SHORTENER=www.tinyurl.com URL_SHORTENER=t.co" ]
}

@test "url_shorteners names a list of one's own" {
	mail m plain <<<'http://bit.ly/abc http://go.short.example/x'
	printf '# mine\nshort.example\n' >mine
	echo "url_shorteners = $PWD/mine" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=2 domains=bit.ly,short.example URL_SHORTENER=go.short.example" ]
}

@test "a bad line of a shortener list is an error naming file:line" {
	printf '# mine\nshort.example\nbit.ly tinyurl.com\nnot_a/domain\n' >mine
	echo "url_shorteners = $PWD/mine" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"mine:3: one domain or network a line"* ]]
	[[ "$stderr" == *"mine:4: not a domain, address or network"* ]]
}

@test "the shipped shortener list is documented and well formed" {
	grep -q '^# .*URL_SHORTENER' "$REPO/share/shorteners"
	grep -v '^#' "$REPO/share/shorteners" | grep -qx 'bit.ly'
	mail m plain <<<'http://x.example/'
	echo "url_shorteners = $REPO/share/shorteners" >"$XD_CONF"
	check m
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "URL_LONG: a link longer than url_max_length is cut, its host kept" {
	{ printf 'http://long.example/'; head -c 1048576 /dev/zero | tr '\0' a; echo; } |
	    mail m plain
	check m
	[ "$status" -eq 0 ]
	[ "$(own)" = "urls=1 domains=long.example URL_LONG=long.example" ]
	[ "$(urls m | cut -f1 | wc -c)" -eq 2049 ]
	echo "url_max_length = 100" >"$XD_CONF"
	[ "$(urls m | cut -f1 | wc -c)" -eq 101 ]
	# however small the bound, the host stays whole
	h=$(head -c 60 /dev/zero | tr '\0' h)
	echo "http://$h.example/path" | mail n plain
	echo "url_max_length = 64" >"$XD_CONF"
	[ "$(urls n)" = "$(printf 'http://%s.example/\t%s.example\ttext,cut' "$h" "$h")" ]
}

@test "URL_MANY: over url_max links, the rest are not read" {
	for i in $(seq 1 30); do echo "http://h$i.example/"; done | mail m plain
	echo "url_max = 20" >"$XD_CONF"
	check m
	[[ "$(own)" == "urls=20 domains=h1.example,"*" URL_MANY=20" ]]
}

# --- local lists --------------------------------------------------------

@test "URL_LOCAL_<NAME>: a listed domain and names under it, not look-alikes" {
	mail m plain <<'EOF'
http://www.bad.example/ http://notbad.example/ http://deep.sub.worse.example/
http://worse.example.org/ http://ok.example/ http://198.51.100.9/ http://203.0.113.1/
EOF
	cat >block <<'EOF'
# spam domains
bad.example
*.sub.worse.example   # a comment after the entry
198.51.100.0/24
EOF
	printf 'ok.example\n' >allow
	printf '%s\n' "url_list = block $PWD/block" "url_list = MINE_OK ~/allow" >"$XD_CONF"
	cp allow "$HOME/allow"
	check m
	[ "$status" -eq 0 ]
	[ "$(own)" = "urls=7 domains=bad.example,notbad.example,worse.example,example.org,ok.example URL_IP_HOST=198.51.100.9 URL_IP_HOST=203.0.113.1 URL_LOCAL_BLOCK=bad.example URL_LOCAL_BLOCK=sub.worse.example URL_LOCAL_BLOCK=198.51.100.0/24 URL_LOCAL_MINE_OK=ok.example" ]
}

@test "local lists take IDN entries and whole top-level domains" {
	mail m plain <<<'http://xn--bcher-kva.example/ http://any.zip/'
	printf 'BÜCHER.example\nzip\n' >list
	echo "url_list = L $PWD/list" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=2 domains=xn--bcher-kva.example,any.zip URL_LOCAL_L=xn--bcher-kva.example URL_LOCAL_L=zip" ]
}

@test "a bad list or list line stops the tool, naming file and line" {
	printf 'good.example\nnot a domain\nbad_chars!.example\n' >list
	echo "url_list = L $PWD/list" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$PWD/list:2: one domain or network a line"* ]]
	[[ "$stderr" == *"$PWD/list:3: not a domain"* ]]
	for line in "url_list = L" "url_list = bad-name $PWD/list" \
	    "url_list = L $PWD/nothere" "url_list = L $PWD/list extra"; do
		printf 'ok.example\n' >list
		printf '%s\n' "$line" >"$XD_CONF"
		run --separate-stderr xd-urlcheck </dev/null
		[ "$status" -eq 2 ] || { echo "accepted: $line"; return 1; }
	done
	[[ "$stderr" == *"expected NAME PATH"* ]]
	printf '%s\n' "url_list = L $PWD/list" "url_list = l $PWD/list" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"a second list named L"* ]]
	echo "url_shorteners = $PWD/nothere" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$PWD/nothere"* ]]
}

# --- URI blocklists -----------------------------------------------------

@test "URIBL_<NAME>: registered domains are asked, return codes name symbols" {
	mail m plain <<'EOF'
http://www.spam.example/ http://phish.example/x http://both.example/
http://news.bbc.co.uk/ http://clean.example/ http://www.ham.example/
EOF
	printf '%s\n' "${URIBL[@]}" >"$XD_CONF"
	check m
	[ "$status" -eq 0 ]
	[ "$(own)" = "urls=6 domains=spam.example,phish.example,both.example,bbc.co.uk,clean.example,ham.example URIBL_TEST_SPAM=spam.example URIBL_TEST_PHISH=phish.example URIBL_TEST=both.example URIBL_TEST_SPAM=bbc.co.uk" ]
}

@test "URIBL bit masks, SURBL style" {
	mail m plain <<<'http://both.example/ http://spam.example/ http://phish.example/'
	echo "uribl = MULTI uribl.test &2=SP &8=PH &64=ABUSE" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=3 domains=both.example,spam.example,phish.example URIBL_MULTI_PH=both.example URIBL_MULTI_SP=both.example URIBL_MULTI_SP=spam.example URIBL_MULTI=phish.example" ]
}

@test "URIBL of IDN domains asks their punycode" {
	mail m plain <<<'http://www.bücher.example/'
	printf '%s\n' "${URIBL[@]}" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=1 domains=xn--bcher-kva.example URIBL_TEST_SPAM=xn--bcher-kva.example" ]
}

@test "URIBL IP lists: IP hosts asked reversed, IPv4 and IPv6" {
	mail m plain <<'EOF'
http://198.51.100.7/ http://[2001:db8::7]/ http://198.51.100.8/ http://spam.example/
EOF
	printf '%s\n' "${URIBL[@]}" "uribl_ip = FOUR uribl-ip.test ipv4" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=4 domains=spam.example URL_IP_HOST=198.51.100.7 URL_IP_HOST=2001:db8::7 URL_IP_HOST=198.51.100.8 URIBL_TEST_SPAM=spam.example URIBL_IP=198.51.100.7 URIBL_IP=2001:db8::7 URIBL_FOUR=198.51.100.7" ]
}

@test "a blocked answer is URIBL_BLOCKED=zone; an answer outside 127/8 is nothing" {
	mail m plain <<<'http://blocked.example/ http://odd.example/'
	printf '%s\n' "${URIBL[@]}" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=2 domains=blocked.example,odd.example URIBL_BLOCKED=uribl.test" ]
}

@test "url_lookups bounds the domains asked" {
	mail m plain <<<'http://clean.example/ http://spam.example/'
	printf '%s\n' "${URIBL[@]}" "url_lookups = 1" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=2 domains=clean.example,spam.example" ]
}

@test "a list that times out or fails is URIBL_TEMPFAIL=zone" {
	mail m plain <<<'http://spam.example/'
	printf '%s\n' "uribl = A silent.test" "uribl = B servfail.test" \
	    "dns_timeout = 0.2" "dns_tries = 1" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER check m
	[ "$status" -eq 0 ]
	[ "$(own)" = "urls=1 domains=spam.example URIBL_TEMPFAIL=silent.test URIBL_TEMPFAIL=servfail.test" ]
}

@test "many lines: every line in order, each with its own answers" {
	mail a plain <<<'http://spam.example/'
	mail b plain <<<'http://clean.example/'
	mail c plain <<<'http://phish.example/'
	printf '%s\n' "${URIBL[@]}" >"$XD_CONF"
	check a b c a b c
	[ "$(own 1)" = "urls=1 domains=spam.example URIBL_TEST_SPAM=spam.example" ]
	[ "$(own 2)" = "urls=1 domains=clean.example" ]
	[ "$(own 3)" = "urls=1 domains=phish.example URIBL_TEST_PHISH=phish.example" ]
	[ "$(own 4)" = "$(own 1)" ]
	[ "$(own 6)" = "$(own 3)" ]
	printf '%s\n' "$output" >wide
	run --separate-stderr xd-urlcheck -w 1 <in
	[ "$output" = "$(cat wide)" ]
	run --separate-stderr xd-urlcheck --window 2 <in
	[ "$output" = "$(cat wide)" ]
}

@test "answers out of order: lines still in order, each with its own answer" {
	for i in $(seq 1 14); do
		echo "http://198.51.100.$i/" | mail "m$i" plain
	done
	echo "uribl_ip = J jitter.test" >"$XD_CONF"
	XD_RESOLVER=$DNSSERVER_RESOLVER check $(seq -f 'm%g' 1 14)
	[ "$status" -eq 0 ]
	for i in $(seq 1 14); do
		[ "$(own "$i")" = "urls=1 URL_IP_HOST=198.51.100.$i URIBL_J=198.51.100.$i" ] ||
		    { echo "line $i: $(own "$i")"; return 1; }
	done
}

@test "--test asks each URI list its RFC 5782 test points" {
	printf '%s\n' "${URIBL[@]}" "uribl_ip = SIX uribl-ip.test ipv6" "uribl = NONE rbl.test" >"$XD_CONF"
	run --separate-stderr xd-urlcheck --test
	[ "$status" -eq 1 ]
	[ "$(sed -n 1p <<<"$output")" = "$(printf 'URIBL_TEST\turibl.test\tok')" ]
	[ "$(sed -n 2p <<<"$output")" = "$(printf 'URIBL_NONE\trbl.test\tfail: test: not listed (nxdomain)')" ]
	[ "$(sed -n 3p <<<"$output")" = "$(printf 'URIBL_IP\turibl-ip.test\tok')" ]
	[ "$(sed -n 4p <<<"$output")" = "$(printf 'URIBL_SIX\turibl-ip.test\tok')" ]
}

@test "bad URI list lines are configuration errors naming the line" {
	for line in "uribl = ONLYNAME" "uribl = bad-name uribl.test" \
	    "uribl = X uribl.test ipv4" "uribl = X uribl.test 127.0.0.2" \
	    "uribl = TEMPFAIL uribl.test" "uribl_ip = X uribl-ip.test helo"; do
		printf '%s\n' "$line" >"$XD_CONF"
		run --separate-stderr xd-urlcheck </dev/null
		[ "$status" -eq 2 ] || { echo "accepted: $line"; return 1; }
		[[ "$stderr" == *"${line#* = }"* ]] || { echo "$stderr"; return 1; }
	done
	printf '%s\n' "uribl = X uribl.test" "uribl_ip = X uribl-ip.test" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"a second list named X"* ]]
}

# --- the stream ---------------------------------------------------------

@test "--keep keeps the URIBL_ symbols of a line checked before, and asks nothing" {
	mail m plain <<<'http://www.spam.example/ http://bit.ly/x'
	printf '%s\n' "uribl = L listed.test" >"$XD_CONF"
	: >"$DNSSERVER_LOG"
	printf '%s\turls=9\tURIBL_OLD=x.example\tURL_STALE=1\n%s\n' "$PWD/m" "$PWD/m" >in
	XD_RESOLVER=$DNSSERVER_RESOLVER run --separate-stderr xd-urlcheck -k <in
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output")" = "$(printf '%s\turls=2\tdomains=spam.example,bit.ly\tURL_SHORTENER=bit.ly\tURIBL_OLD=x.example' "$PWD/m")" ]
	[ "$(dns_count spam.example.listed.test)" -eq 1 ]
	XD_RESOLVER=$DNSSERVER_RESOLVER run xd-urlcheck --keep <<<"$(sed -n 1p <<<"$output")"
	[ "$(dns_count spam.example.listed.test)" -eq 1 ]
}

@test "--keep and an unreadable message: the old fields stay, error= is added" {
	printf '/nothere\turls=1\tURIBL_OLD=x.example\n' >in
	run --separate-stderr xd-urlcheck --keep <in
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '/nothere\turls=1\tURIBL_OLD=x.example\terror=xd-urlcheck:unreadable')" ]
	run --separate-stderr xd-urlcheck <in
	[ "$output" = "$(printf '/nothere\terror=xd-urlcheck:unreadable')" ]
	[[ "$stderr" == *"/nothere: No such file or directory"* ]]
}

@test "running twice is running once; foreign fields and comments stay" {
	mail m html <<<'<a href="http://evil.example/">http://www.paypal.com/</a> http://spam.example/'
	printf '%s\n' "${URIBL[@]}" >"$XD_CONF"
	printf '#xd-stream 1\n%s\tzz=a%%09b\tURL_OLD=1\tZZ_SYM=x\n# a comment\t100%%\n%s\turls=5\n' \
	    "$PWD/m" "$PWD/m" >in
	run --separate-stderr xd-urlcheck <in
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >once
	xd-urlcheck <once >twice
	cmp once twice
	[ "$(sed -n 2p once)" = "$(printf '%s\tzz=a%%09b\tZZ_SYM=x\turls=3\tdomains=evil.example,paypal.com,spam.example\tURL_MISMATCH=evil.example\tURIBL_TEST_SPAM=spam.example' "$PWD/m")" ]
	[ "$(sed -n 3p once)" = "$(printf '# a comment\t100%%')" ]
	[ "$(sed -n 4p once | cut -f2-)" = "$(sed -n 2p once | cut -f4-)" ]
}

@test "unreadable and damaged lines get error= and the rest go on" {
	mail m plain <<<'http://a.example/'
	mkdir dir
	printf '%s\n' "$PWD/nothere" "$PWD/dir" "$PWD/m	offset=x" "$PWD/m" >in
	run --separate-stderr xd-urlcheck <in
	[ "$status" -eq 1 ]
	[ "$(cut -f2- <<<"$output" | tr '\n' ' ')" = "error=xd-urlcheck:unreadable error=xd-urlcheck:not-a-file offset=x	error=xd-urlcheck:bad-offset urls=1	domains=a.example " ]
	[[ "$stderr" == *"$PWD/nothere"* ]]
	[[ "$stderr" == *"$PWD/dir: not-a-file"* ]]
}

# --- hostile input: bounded time, a symbol, never a hang ------------------
@test "broken stream lines get error=xd-urlcheck:REASON, with and without DNS" {
	mail m plain <<<'http://spam.example/'
	for conf in "" "${URIBL[0]}"; do
		printf '%s\n' "$conf" >"$XD_CONF"
		for kind in streamescape:bad-escape streamnul:nul-byte \
		    streamlong:line-too-long streamempty:empty-locator \
		    streamcr:raw-cr streambadfield:bad-field; do
			sh "$BATS_TEST_DIRNAME/gen-hostile.sh" "${kind%%:*}" bad
			{ printf '%s\n' "$PWD/m"; cat bad; printf '%s\n' "$PWD/m"; } >in
			run --separate-stderr xd-urlcheck <in
			[ "$status" -eq 1 ] || { echo "$kind: status $status"; return 1; }
			[ "$(wc -l <<<"$output")" -eq 3 ]
			[[ "$(sed -n 2p <<<"$output")" == *"	error=xd-urlcheck:${kind#*:}" ]] ||
			    { echo "$kind: $(sed -n 2p <<<"$output" | cut -c1-200)"; return 1; }
			[ "$(sed -n 1p <<<"$output")" = "$(sed -n 3p <<<"$output")" ]
			[[ "$(sed -n 1p <<<"$output")" == *"	urls=1	domains=spam.example"* ]]
		done
	done
}

@test "hostile messages: one line each, a verdict or error=, never a crash" {
	sh "$BATS_TEST_DIRNAME/gen-hostile.sh" all h
	for f in h/*; do
		case $f in h/stream*) continue ;; esac
		printf '%s\n' "$PWD/$f"
	done >in
	run --separate-stderr xd-urlcheck <in
	[ "$status" -le 1 ]
	[ "$(wc -l <<<"$output")" -eq "$(wc -l <in)" ]
	[ "$(cut -f1 <<<"$output")" = "$(cat in)" ]
	! grep -v -e '	urls=[0-9]' -e '	error=xd-urlcheck:' <<<"$output"
}


@test "100,000 links end with URL_MANY" {
	python3 -c '
for i in range(100000): print("<a href=\"http://h%d.example/\">x</a>" % i)' | mail m html
	check m
	[ "$status" -eq 0 ]
	[[ "$(own)" == "urls=1000 domains=h0.example,"*" URL_MANY=1000" ]]
}

@test "100,000 copies of one link are one link" {
	python3 -c 'print("<a href=\"http://same.example/\">http://same.example/</a>\n" * 100000)' |
	    mail m html
	check m
	[ "$(own)" = "urls=1 domains=same.example" ]
}

@test "deeply nested and unclosed HTML still yields its links" {
	python3 -c 'print("<div>" * 100000 + "<a href=http://deep.example/>x" + "</div>" * 100000)' |
	    mail a html
	python3 -c 'print("<a href=\"http://open.example/\">" * 100000 + "<" * 100000 + "<a href=\"" + "x" * 100000)' |
	    mail b html
	check a b
	[ "$status" -eq 0 ]
	[ "$(own 1)" = "urls=1 domains=deep.example" ]
	[ "$(own 2)" = "urls=1 domains=open.example" ]
}

@test "degenerate text: endless schemes, slashes, entities, dots and at signs" {
	python3 -c 'print("http:/" * 200000)' | mail a plain
	python3 -c 'print("www." * 200000)' | mail b plain
	python3 -c 'print("&#" * 200000 + "&amp" * 100000)' | mail c html
	python3 -c 'print("http://" + "@" * 500000 + "." * 500000)' | mail d plain
	python3 -c 'print("http://r.example/?u=" * 50000)' | mail e plain
	check a b c d e
	[ "$status" -eq 0 ]
	[ "$(own 1)" = "urls=0" ]
	[ "$(own 2)" = "urls=0" ]
	[ "$(own 3)" = "urls=0" ]
	[ "$(own 4)" = "urls=0" ]
	[[ "$(own 5)" == "urls=3 domains=r.example URL_LONG=r.example" ]]
}

@test "url_scan_size bounds the text read" {
	{ printf 'http://first.example/\n'; head -c 5000 /dev/zero | tr '\0' ' '
	  printf '\nhttp://late.example/\n'; } | mail m plain
	echo "url_scan_size = 1k" >"$XD_CONF"
	check m
	[ "$(own)" = "urls=1 domains=first.example" ]
}

# --- usage --------------------------------------------------------------

@test "usage: --help lists every option; bad options and numbers are errors" {
	run xd-urlcheck --help
	[ "$status" -eq 0 ]
	for o in --keep --urls --test --resolver --window --progress --help --version; do
		[[ "$output" == *"$o"* ]] || { echo "no $o"; return 1; }
	done
	run xd-urlcheck --version
	[ "$status" -eq 0 ]
	run --separate-stderr xd-urlcheck --bogus
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"usage: xd-urlcheck"* ]]
	run --separate-stderr xd-urlcheck extra
	[ "$status" -eq 2 ]
	run --separate-stderr xd-urlcheck -w 0
	[ "$status" -eq 2 ]
	run --separate-stderr xd-urlcheck --resolver 'not an address'
	[ "$status" -eq 2 ]
	echo "url_max = many" >"$XD_CONF"
	run --separate-stderr xd-urlcheck </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"url_max"* ]]
	for k in url_domains url_lookups; do
		echo "$k = 1001" >"$XD_CONF"
		run --separate-stderr xd-urlcheck </dev/null
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"$k = 1001: at most 1000"* ]]
	done
}

@test "the driver's urlcheck stage runs it with xd.conf alone" {
	mail m html <<<'<a href="http://evil.example/">http://www.paypal.com/</a>'
	printf 'stages = urlcheck\n' >"$XD_CONF"
	run --separate-stderr xd -q check "$PWD/m"
	[ "$status" -eq 0 ]
	[[ "$output" == *"	urls=2	domains=evil.example,paypal.com	URL_MISMATCH=evil.example	"* ]]
}
