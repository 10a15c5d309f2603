#!/usr/bin/env bats
# xd-conf: reading, checking and printing xd.conf(5).

load helper

@test "no configuration file at all gives the defaults" {
	rm -f "$XD_CONF"
	export XD_CONF=
	run xd-conf max_message_size spam_folder upstream_spam_headers
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 20M ]
	[ "${lines[1]}" = .Spam ]
	[ "${lines[2]}" = drop ]
}

@test "a named configuration that does not exist is an error naming it" {
	export XD_CONF=$BATS_TEST_TMPDIR/nothere.conf
	run xd-conf
	[ "$status" -eq 2 ]
	[[ "$output" == *"nothere.conf: No such file or directory"* ]]
}

@test "~/.xd/xd.conf is read when XD_CONF is unset" {
	unset XD_CONF
	mkdir -p "$HOME/.xd"
	echo 'spam_folder = .Junk' >"$HOME/.xd/xd.conf"
	run xd-conf spam_folder
	[ "$output" = .Junk ]
}

@test "quoted values keep spaces and comments are dropped" {
	cat >"$XD_CONF" <<'CONF'
# a comment
subject_tag = "  [S] # not a comment "   # a comment
quarantine = /var/q   # trailing comment
CONF
	run xd-conf subject_tag quarantine
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "  [S] # not a comment " ]
	[ "${lines[1]}" = /var/q ]
}

@test "list keys: the first line replaces the default, later lines add" {
	cat >"$XD_CONF" <<'CONF'
trusted_networks = 192.0.2.0/24, 2001:db8::/32
trusted_networks = 198.51.100.7
CONF
	run xd-conf -l trusted_networks
	[ "$status" -eq 0 ]
	[ "$output" = "192.0.2.0/24
2001:db8::/32
198.51.100.7" ]
	run xd-conf trusted_networks
	[ "$output" = "192.0.2.0/24 2001:db8::/32 198.51.100.7" ]
	xd-conf >dump.conf
	run xd-conf -c dump.conf -l trusted_networks
	[ "${#lines[@]}" -eq 3 ]
}

@test "every bad line is named as file:line and the exit status is 2" {
	cat >"$XD_CONF" <<'CONF'
max_line = 1M
colour = blue
max_message_size = lots
trusted_networks = 192.0.2.0/33
subject_tag = "unclosed
no equals sign here
CONF
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: unknown key 'colour'"* ]]
	[[ "$output" == *"xd.conf:3: max_message_size: expected a size"* ]]
	[[ "$output" == *"xd.conf:4: trusted_networks: expected addresses"* ]]
	[[ "$output" == *"xd.conf:5: unbalanced quotes"* ]]
	[[ "$output" == *"xd.conf:6: expected 'key = value'"* ]]
}

@test "a time bound of 0 or below is named, not taken as no time at all" {
	printf '%s\n' "dns_timeout = -1" "filter_timeout = 0" \
	    "store_timeout = 2.5" >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:1: dns_timeout: expected a number of seconds above 0"* ]]
	[[ "$output" == *"xd.conf:2: filter_timeout: expected a number of seconds"* ]]
	[[ "$output" != *"xd.conf:3"* ]]
}

@test "-n prints nothing for a valid file" {
	echo 'stages = heur' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-c reads the named file and the dump can be read back" {
	printf '%s\n' 'spam_folder = .Junk' 'subject_tag = "[a \"b\"] "' >alt.conf
	xd-conf -c alt.conf >dump.conf
	grep -q '^spam_folder = ".Junk"	# alt.conf:1$' dump.conf
	run xd-conf -c dump.conf subject_tag
	[ "$status" -eq 0 ]
	[ "$output" = '[a "b"] ' ]
}

@test "an unknown key asked for is a usage error" {
	run xd-conf no_such_key
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown key 'no_such_key'"* ]]
}

@test "--help and a bad option" {
	run xd-conf --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
	run xd-conf -Z
	[ "$status" -eq 2 ]
}

@test "a line longer than 8 KiB is an error, not a crash" {
	printf 'subject_tag = "%s"\nspam_folder = .J\n' "$(head -c 9000 /dev/zero | tr '\0' a)" >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:1: line too long"* ]]
}

@test "a stage name xd does not ship is an error naming file:line and the stages" {
	printf '%s\n' 'max_line = 1M' 'stages = rbl spf Heur' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: stages: expected stage names rbl spf urlcheck cksum heur bayes lr, not 'Heur'"* ]]
	for bad in 'stages = heur,bayes%' 'stages = extra' 'stages = "heur parse"'; do
		echo "$bad" >"$XD_CONF"
		run xd-conf -n
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
		[[ "$output" == *"xd.conf:1: stages:"* ]]
	done
}

@test "every stage xd ships is accepted, and an empty stages asks for none" {
	echo 'stages = rbl, spf urlcheck cksum heur bayes' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	echo 'stages =' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 0 ]
	run xd-conf -l stages
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a bad DNS list line is an error naming file:line, in xd-conf and every tool" {
	printf '%s\n' 'rbl = ZEN zen.example' 'rbl = ZEN2' 'rhsbl = D dbl.example ipv4' \
	    'uribl = U uribl.example 127.0.0.2=X' 'uribl_ip = BLOCKED ip.example' \
	    'rblwl = W wl.example trust' 'rhswl = W2 wl.example 127.0.0.x=A' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: rbl: 'ZEN2': expected NAME ZONE"* ]]
	[[ "$output" == *"xd.conf:3: rhsbl: 'D dbl.example ipv4': an option"* ]]
	[[ "$output" == *"xd.conf:5: uribl_ip: 'BLOCKED ip.example': NAME is a reserved"* ]]
	[[ "$output" == *"xd.conf:7: rhswl: 'W2 wl.example 127.0.0.x=A': expected ADDR"* ]]
	[ "${#lines[@]}" -eq 4 ]
	run xd-heur </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: rbl:"* ]]
}

@test "a bad url_list line is an error naming file:line" {
	printf '%s\n' "url_list = MINE $PWD/list" 'url_list = MINE' \
	    "url_list = bad-name $PWD/list" "url_list = L $PWD/list extra" >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: url_list: 'MINE': expected NAME PATH"* ]]
	[[ "$output" == *"xd.conf:3: url_list: 'bad-name $PWD/list': NAME must be"* ]]
	[[ "$output" == *"xd.conf:4: url_list: 'L $PWD/list extra': expected NAME PATH"* ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "xd-conf prints every value with the file:line that set it, or default" {
	printf '%s\n' '# mine' 'spam_folder = .Junk' 'rbl = A a.example' 'rbl = B b.example' >"$XD_CONF"
	run xd-conf
	[ "$status" -eq 0 ]
	grep -qx "spam_folder = \".Junk\"	# $XD_CONF:2" <<<"$output"
	grep -qx "rbl = \"A a.example\"	# $XD_CONF:3" <<<"$output"
	grep -qx "rbl = \"B b.example\"	# $XD_CONF:4" <<<"$output"
	grep -qx 'max_line = "1M"	# default' <<<"$output"
	[ "$(grep -c '	# ' <<<"$output")" -eq "${#lines[@]}" ]
}

@test "KEY += adds to the list in force, the default included; = replaces it" {
	cat >"$XD_CONF" <<'CONF'
restricted_attachments += iso img
trusted_networks = 192.0.2.0/24
trusted_networks += 198.51.100.0/24
CONF
	run xd-conf -l restricted_attachments
	[ "${lines[0]}" = ade ]
	[ "${lines[${#lines[@]}-2]}" = iso ]
	[ "${lines[${#lines[@]}-1]}" = img ]
	run xd-conf trusted_networks
	[ "$output" = "192.0.2.0/24 198.51.100.0/24" ]
	run xd-conf
	grep -q "^restricted_attachments = \"ade .* xll\"	# default$" <<<"$output"
	grep -qx "restricted_attachments = \"iso img\"	# $XD_CONF:1" <<<"$output"
	xd-conf >dump.conf
	[ "$(xd-conf -c dump.conf restricted_attachments)" = "$(xd-conf restricted_attachments)" ]
}

@test "+= on a key of one value is an error naming file:line" {
	printf '%s\n' 'spam_folder = .Junk' 'subject_tag += "[S] "' >"$XD_CONF"
	run xd-conf -n
	[ "$status" -eq 2 ]
	[[ "$output" == *"xd.conf:2: subject_tag: '+=' adds to a list"* ]]
}

@test "XD_CONF is read alone: the user's file is not" {
	mkdir -p "$HOME/.xd"
	echo 'spam_folder = .Mine' >"$HOME/.xd/xd.conf"
	echo 'subject_tag = "[S] "' >"$XD_CONF"
	run xd-conf spam_folder subject_tag
	[ "${lines[0]}" = .Spam ]
	[ "${lines[1]}" = "[S] " ]
	run xd-conf -p
	[ "$status" -eq 0 ]
	[ "$output" = "share	$XD_SHARE
file	$XD_CONF" ]
}

@test "the user's file overrides the defaults key by key, and -p names it" {
	unset XD_CONF
	mkdir -p "$HOME/.xd"
	printf '%s\n' 'spam_folder = .Junk' 'rules += ~/my.cf' >"$HOME/.xd/xd.conf"
	run xd-conf spam_folder max_line rules
	[ "${lines[0]}" = .Junk ]
	[ "${lines[1]}" = 1M ]
	[ "${lines[2]}" = "shipped ~/my.cf" ]
	run xd-conf -p
	[ "${lines[0]}" = "share	$XD_SHARE" ]
	[[ "${lines[1]}" == "site	/"*/xd/xd.conf ]]
	[ "${lines[2]}" = "user	$HOME/.xd/xd.conf" ]
}
