#!/usr/bin/env bats
# xd-urlcheck: links in text found where Thunderbird's linkifier finds
# them, the hiding that text allows (userinfo, full-width stops,
# defanged links) undone and flagged.

load helper

# mail FILE [TYPE]: a message whose text/TYPE (plain) body is standard input
mail() {
	{
		printf 'From: a@example.com\nTo: b@example.net\n'
		printf 'Subject: links\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/%s; charset=utf-8\n\n' "${2:-plain}"
		cat
	} >"$1"
}

# urls FILE: what xd-urlcheck -u lists: "URL<TAB>domain<TAB>flags"
urls() {
	printf '%s\n' "$PWD/$1" | xd-urlcheck -u | cut -f2-
}

# links FILE: the URLs alone, on one line
links() {
	urls "$1" | cut -f1 | tr '\n' ' ' | sed 's/ $//'
}

# own FILE: the fields xd-urlcheck writes on FILE's line
own() {
	printf '#xd-stream 1\n%s\n' "$PWD/$1" | xd-urlcheck | sed -n 2p |
	    tr '\t' '\n' | grep -E '^(urls|domains|URL_)' | tr '\n' ' ' |
	    sed 's/ $//'
}

@test "two markdown links in a row are two links" {
	mail m <<'EOF'
[a](https://one.example.com)[b](mailto:x@two.example) and
[c](www.three.example.com/p)[d](http://four.example.com/q).
EOF
	[ "$(links m)" = "https://one.example.com/ mailto:x@two.example http://www.three.example.com/p http://four.example.com/q" ]
	[ "$(own m)" = "urls=4 domains=example.com,two.example" ]
}

@test "a ')' or ']' the link did not open ends it; a '[' too, but an IPv6 host's" {
	mail m <<'EOF'
(http://a.example.com/x) [http://b.example.com/y] http://w.example.com/Foo_(bar)
http://c.example.com/z)more http://d.example.com/q[1] http://[2001:db8::1]/v6
EOF
	[ "$(links m)" = "http://a.example.com/x http://b.example.com/y http://w.example.com/Foo_(bar) http://c.example.com/z http://d.example.com/q http://[2001:db8::1]/v6" ]
}

@test "mailto: links, in text and in HTML, are their address's host" {
	mail m html <<'EOF'
<a href="mailto:Sales@Shop.Example.COM?subject=hi">write</a>
<a href="mailto:?subject=nobody">no address</a>
Text: mailto:x@text.example.org, mailto:y@bücher.example and mailto:nohost
EOF
	[ "$(links m)" = "mailto:Sales@shop.example.com mailto:x@text.example.org mailto:y@xn--bcher-kva.example" ]
	[ "$(urls m | head -n 1 | cut -f2,3)" = "$(printf 'example.com\thtml')" ]
}

@test "a host with a label that starts or ends with '-' is no host" {
	mail m <<'EOF'
http://-lead.example.com/ http://trail-.example.com/ https://a.-b.example.com/
http://ok-host.example.com/ www.-x.example.com www.y-.example.com
EOF
	[ "$(links m)" = "http://ok-host.example.com/" ]
}

@test "a '-' after a link is the sentence's, as Thunderbird has it" {
	mail m <<'EOF'
See http://dash.example.com/-- or www.dash2.example.com- then.
EOF
	[ "$(links m)" = "http://dash.example.com/ http://www.dash2.example.com/" ]
}

@test "www. links need a suffix from the list's ICANN section" {
	mail m <<'EOF'
www.foo.notatld www.foo.com www.shop.co.uk www.me.blogspot.com www.site.example
www.host.local but http://foo.notatld/ has a scheme
EOF
	[ "$(links m)" = "http://www.foo.com/ http://www.shop.co.uk/ http://www.me.blogspot.com/ http://foo.notatld/" ]
}

@test "www. links in HTML text and attributes need one too" {
	mail m html <<'EOF'
<p>www.html.notatld and www.html.example.org</p><a href="www.attr.notatld">x</a>
EOF
	[ "$(links m)" = "http://www.html.example.org/" ]
}

@test "full-width and ideographic delimiters end a link" {
	mail m <<'EOF'
http://one.example.com｜http://two.example.com｜end ＜http://three.example.com＞
見てhttp://four.example.com、次 http://five.example.com，http://six.example.com！
「http://seven.example.com」 http://eight.example.com/p（x）
EOF
	[ "$(links m)" = "http://one.example.com/ http://two.example.com/ http://three.example.com/ http://four.example.com/ http://five.example.com/ http://six.example.com/ http://seven.example.com/ http://eight.example.com/p" ]
}

@test "ideographic full stops are dots, in hosts and after www, and end sentences" {
	mail m <<'EOF'
http://a。example。com/x www。b．example｡com http://c.example.com。
EOF
	[ "$(links m)" = "http://a.example.com/x http://www.b.example.com/ http://c.example.com/" ]
}

@test "CJK text after a link without a space: the link ends at the full stop" {
	mail m <<'EOF'
詳しくはhttp://shop.example.com。次のページ www。bbc。co。uk。です
mailto:x@mail.example.org。よろしく http://例え。テスト/ok
EOF
	[ "$(links m)" = "http://shop.example.com/ http://www.bbc.co.uk/ mailto:x@mail.example.org http://xn--r8jz45g.xn--zckzah/ok" ]
}

@test "userinfo tricks: the host a browser opens, and URL_USERINFO" {
	mail m <<'EOF'
https://paypal.com@evil.example/login http://www.bank.example.com:pw@evil2.example.net/
EOF
	[ "$(links m)" = "https://evil.example/login http://evil2.example.net/" ]
	[ "$(urls m | cut -f3 | sort -u)" = "text,userinfo" ]
	[ "$(own m)" = "urls=2 domains=evil.example,example.net URL_USERINFO=evil.example URL_USERINFO=evil2.example.net" ]
}

@test "userinfo in an HTML link is flagged too; a plain link is not" {
	mail m html <<'EOF'
<a href="https://www.paypal.com&#64;evil.example/">PayPal</a> <a href="https://plain.example.com/">x</a>
EOF
	[ "$(own m)" = "urls=2 domains=evil.example,example.com URL_USERINFO=evil.example" ]
}

@test "defanged links: hxxp://, [:] and [.] are put back and flagged" {
	mail m <<'EOF'
hxxp://evil[.]example[.]com/x hXXps[:]//fang.example.org/ http[:]//colon.example.net/
EOF
	[ "$(links m)" = "http://evil.example.com/x https://fang.example.org/ http://colon.example.net/" ]
	[ "$(urls m | cut -f3 | sort -u)" = "text,defanged" ]
	[ "$(own m)" = "urls=3 domains=example.com,example.org,example.net URL_DEFANGED=evil.example.com URL_DEFANGED=fang.example.org URL_DEFANGED=colon.example.net" ]
}

@test "defanged bare hosts count with a listed suffix; code and words do not" {
	mail m <<'EOF'
Blocked: example[.]com, bad(dot)example(dot)net/path and www[.]x.example.org.
Not links: array[.]length, a(.)b, foo[.]notatld, [.] alone, x[.]
EOF
	[ "$(links m)" = "http://example.com/ http://bad.example.net/path http://www.x.example.org/" ]
	[ "$(urls m | cut -f3 | sort -u)" = "text,noscheme,defanged" ]
}

@test "a defanged link to an address is an IP host and defanged" {
	mail m <<'EOF'
hxxp://198.51.100[.]7/x
EOF
	[ "$(own m)" = "urls=1 URL_IP_HOST=198.51.100.7 URL_DEFANGED=198.51.100.7" ]
}

@test "what worked before still does: numeric IPv4 hosts, plain links" {
	mail m <<'EOF'
http://2130706433/a http://0x7f.1/b http://0177.0.0.01/c https://plain.example.com/
EOF
	[ "$(links m)" = "http://127.0.0.1/a http://127.0.0.1/b http://127.0.0.1/c https://plain.example.com/" ]
	[ "$(own m)" = "urls=4 domains=example.com URL_IP_HOST=127.0.0.1" ]
}

@test "hostile text: endless defanged dots, schemes and brackets stay linear" {
	{
		head -c 300000 /dev/zero | tr '\0' 'a' | sed 's/aaa/a[./g'
		echo
		printf '%.0shxxp[:]//a[.]b[.]' $(seq 20000)
		echo
		head -c 200000 /dev/zero | tr '\0' '['
		echo
		printf '%.0s[a](http://x.example.com)' $(seq 20000)
	} | mail m
	SECONDS=0
	run own m
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 20 ]
	[[ "$output" == urls=* ]]
}
