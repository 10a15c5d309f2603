#!/usr/bin/env bats
# xd eval's protocols for published results: the TREC spam track's
# online protocol, fixed and time splits, the measures of roca.awk, and
# the tables of xd rescore and xd check, on small sets written here.

load helper

# message FILE N ham|spam [RECEIVED-DATE [DATE]]: a small message.
message() {
	local f=$1 i=$2 c=$3 rcvd=${4:-} date=${5:-"Mon, 06 Nov 2023 10:00:00 +0000"}
	mkdir -p "$(dirname "$f")"
	{
		[ -z "$rcvd" ] || printf 'Received: from relay.example.net by mx.example.org; %s\n' "$rcvd"
		if [ "$c" = ham ]; then
			printf 'From: Alice <alice%d@example.org>\nSubject: Re: release %d\n' "$i" "$i"
		else
			printf 'From: OFFER <offer%d@deals.example>\nSubject: CHEAP PILLS %d\n' "$i" "$i"
		fi
		printf 'To: bob@example.net\nDate: %s\nMessage-ID: <%s%d@example>\n\n' "$date" "$c" "$i"
		if [ "$c" = ham ]; then
			echo "Bob, the tests of release $i pass; the parser change looks right."
		else
			echo "CLICK HERE to buy cheap pills, no prescription, best price, act now!!!"
		fi
	} >"$f"
}

# A TREC corpus: data/inmail.N and full/index, spam and ham taking turns.
trec() {
	local i c
	mkdir -p trec/data trec/full
	for ((i = 1; i <= 12; i++)); do
		if ((i % 2)); then c=spam; else c=ham; fi
		message "trec/data/inmail.$i" "$i" "$c"
		echo "$c ../data/inmail.$i"
	done >trec/full/index
}

# sorted_measures FILE: roca.awk on "gold<TAB>score<TAB>judgement" lines.
measures() {
	sort -t "$(printf '\t')" -k2,2gr "$1" >"$1.sorted"
	awk -f "$REPO/share/roca.awk" "$1.sorted" "$1.sorted"
}

@test "roca.awk: (1-ROCA)%, its interval, LAM% and spam caught, checked by hand" {
	# Ham 1 2 3, spam 2.5 4 5: of the 9 pairs, one ham (3) is above a
	# spam (2.5): 1-ROCA = 1/9.  Hanley-McNeil: A = 8/9, SE = 0.1533;
	# on the logit scale logit(1/9) +- 1.96 SE / (A (1 - A)) gives
	# 0.59% to 72.4%.  One ham of three judged spam, one spam of three
	# missed: LAM = 33.3%.  No ham may be lost at 0.1% of three: the
	# threshold sits above the ham at 3, which leaves 2 spam of 3.
	printf 'ham\t1\tham\nham\t2\tham\nham\t3\tspam\nspam\t2.5\tham\nspam\t4\tspam\nspam\t5\tsurespam\n' >r
	run measures r
	[ "$status" -eq 0 ]
	[ "$output" = "n=6 ham=3 spam=3 roca=11.1111 lo=0.5932 hi=72.3633 hm=33.333 sm=33.333 lam=33.333 caught=66.67 lost=0" ]
}

@test "roca.awk: ties count one half; a rate of 0 counts as half a message in LAM" {
	# Pairs: 3>2, 3>1, 2>1, and 2 = 2 counts one half: 1-ROCA = 0.5/4.
	printf 'spam\t3\tspam\nspam\t2\tspam\nham\t2\tham\nham\t1\tham\n' >r
	run measures r
	[ "$status" -eq 0 ]
	[[ $output == *" roca=12.5000 "* ]]
	[[ $output == *" hm=0.000 sm=0.000 lam=16.667 caught=50.00 lost=0" ]]
}

@test "xd eval --online reads a TREC index and writes TREC's result lines in its order" {
	trec
	run xd eval --online --no-peers -o out trec/full/index
	[ "$status" -eq 0 ]
	[[ $output == *"12 messages (6 ham, 6 spam)"* ]]
	[[ $output == *"the index's order"* ]]
	[[ $output == *"(1-ROCA)%"*"LAM%"* ]]
	echo "$output" | grep -Eq '^xd +[0-9.]+ \[[0-9.]+-[0-9.]+\] +[0-9.]+ '
	# "file judgement score", the file as the index names it.
	[ "$(wc -l <out/results.xd)" -eq 12 ]
	[ "$(head -1 out/results.xd | cut -d' ' -f1)" = ../data/inmail.1 ]
	[ "$(sed -n 12p out/results.xd | cut -d' ' -f1)" = ../data/inmail.12 ]
	awk 'NF != 3 || ($2 != "ham" && $2 != "spam") || $3 !~ /^-?[0-9.]+$/ { exit 1 }' out/results.xd
	[ -s out/online.png ] || ! command -v gnuplot
}

@test "xd eval --online learns each message's label before the next: the same spam scores higher the second time" {
	mkdir -p t/data
	message t/data/a 1 spam
	cp t/data/a t/data/b
	message t/data/c 2 ham
	message t/data/d 3 ham
	printf 'ham ../data/c\nspam ../data/a\nham ../data/d\nspam ../data/b\n' >t/idx
	mkdir t/x && mv t/idx t/x/index
	run xd eval --online --no-peers -o out t/x/index
	[ "$status" -eq 0 ]
	first=$(awk '$1 == "../data/a" { print $3 }' out/results.xd)
	second=$(awk '$1 == "../data/b" { print $3 }' out/results.xd)
	awk -v a="$first" -v b="$second" 'BEGIN { exit !(b > a) }'
}

@test "xd eval --online beside bogofilter, classified then trained the same way" {
	command -v bogofilter >/dev/null || skip "bogofilter is not installed"
	trec
	run xd eval --online -o out trec/full/index
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^bogofilter +[0-9.]+ \['
	[ "$(wc -l <out/results.bogofilter)" -eq 12 ]
}

@test "xd eval --online refuses an index line that is not 'ham PATH' or 'spam PATH'" {
	trec
	echo "maybe ../data/inmail.3" >>trec/full/index
	run xd eval --online --no-peers -o out trec/full/index
	[ "$status" -eq 2 ]
	[[ $output == *"trec/full/index:13: not \"ham PATH\" or \"spam PATH\""* ]]
}

@test "xd eval --online over maildirs: in the order the receiving server wrote, not the forged Date" {
	# Received dates run opposite to the Date headers and the names.
	message c/ham/cur/1.h:2,S 1 ham "Fri, 10 Nov 2023 10:00:00 +0000" "Mon, 01 Jan 2024 00:00:00 +0000"
	message c/spam/cur/2.s:2, 2 spam "Thu, 09 Nov 2023 10:00:00 +0000" "Mon, 01 Jan 2024 00:00:01 +0000"
	message c/ham/cur/3.h:2,S 3 ham "Wed, 08 Nov 2023 10:00:00 +0000" "Mon, 01 Jan 2024 00:00:02 +0000"
	# No Received line: its Date counts.
	message c/spam/cur/4.s:2, 4 spam "" "Tue, 07 Nov 2023 10:00:00 +0000"
	run xd eval --online --no-peers -o out c
	[ "$status" -eq 0 ]
	[[ $output == *"in the order received"* ]]
	[ "$(cut -d' ' -f1 out/results.xd | sed 's,.*/,,' | tr '\n' ' ')" = "4.s:2, 3.h:2,S 2.s:2, 1.h:2,S " ]
}

# labelled LIST N0 N1 ham|spam: "LABEL PATH" lines for messages N0..N1.
labelled() {
	local i
	for ((i = $2; i <= $3; i++)); do
		message "m/$4.$i" "$i" "$4"
		echo "$4 m/$4.$i"
	done >>"$1"
}

@test "xd eval --train LIST --test LIST: trained on one list, tested on the other alone" {
	labelled train 1 12 ham
	labelled train 1 12 spam
	labelled test 20 25 ham
	labelled test 20 24 spam
	run xd eval --no-peers -k 4 --train train --test test -o out
	[ "$status" -eq 0 ]
	[[ $output == *"a fixed split: trained on train, tested on test"* ]]
	[[ $output == *"tested: 6 ham, 5 spam"* ]]
	[[ $output == *"spam caught at 0.1% ham lost, each filter's threshold read off its test ranking:"* ]]
	# Only the test list's messages are in the results.
	[ "$(wc -l <out/results.tsv)" -eq 11 ]
	run grep -Ec '/(ham|spam)\.([1-9]|1[0-2])$' out/results.tsv
	[ "$output" = 0 ]
	[ -f out/weights/fold-0 ]
}

@test "xd eval --split date: trains on the older half, tests on the newer, both classes pooled" {
	local i c d
	for ((i = 1; i <= 24; i++)); do
		if ((i % 3)); then c=ham; else c=spam; fi
		d=$(printf 'Sat, %02d Nov 2023 10:00:00 +0000' "$i")
		message "c/$c/cur/$((100 - i)).x:2,S" "$i" "$c" "$d"
	done
	run xd eval --no-peers -k 3 --split date -o out c
	[ "$status" -eq 0 ]
	[[ $output == *"a time split"* ]]
	[[ $output == *"tested: 8 ham, 4 spam"* ]]
	# The newer half: received 13..24 November, named 76..87.
	[ "$(cut -f6 out/results.tsv | sed 's,.*/,,; s,\..*,,' | sort -n | tr '\n' ' ')" = "76 77 78 79 80 81 82 83 84 85 86 87 " ]
}

@test "xd eval --sure-margin: the surespam threshold stands that far above the highest training ham" {
	labelled train 1 12 ham
	labelled train 1 12 spam
	labelled test 20 23 ham
	labelled test 20 23 spam
	xd eval --no-peers -k 3 --sure-margin 40 --train train --test test -o out
	t=$(awk '$1 == "threshold" && $2 == "surespam" { print $3 }' out/weights/fold-0)
	awk -v t="$t" 'BEGIN { exit !(t >= 35) }'
	awk -F'\t' '$3 == "ham" && $5 == "surespam" { bad = 1 } END { exit bad }' out/results.tsv
	run xd eval --no-peers --sure-margin x --train train --test test -o out
	[ "$status" -eq 2 ]
}

@test "xd rescore --csv: a header row, then RFC 4180 cells that Python's csv reads back" {
	printf 'a/b,c\tsubject=say "hi", all\tscore=3.5\tBAYES=0.9\n' >s
	printf 'x%%09y\tsubject=tab%%09and%%0Aline\tscore=-1\n' >>s
	run xd rescore --csv path,subject,BAYES,class -w "$REPO/share/weights" s
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "path,subject,BAYES,class" ]
	run python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows[0]["path"] == "a/b,c", rows[0]
assert rows[0]["subject"] == "say \"hi\", all", rows[0]
assert rows[0]["BAYES"] == "0.9"
assert rows[1]["path"] == "x\ty" and rows[1]["subject"] == "tab\tand\nline", rows[1]
assert rows[1]["BAYES"] == "" and rows[1]["class"] in ("ham", "spam", "surespam")
print(len(rows))' <(xd rescore --csv path,subject,BAYES,class -w "$REPO/share/weights" s)
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
}

@test "xd rescore --jsonl: one JSON object a line, numbers as numbers, a missing field null" {
	printf 'a"b\\c\tsubject=x%%0Ay\tscore=3.5\tBAYES=0.9\tURL_X=\n' >s
	run python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["path"] == "a\"b\\c", o
    assert o["subject"] == "x\ny" and o["BAYES"] == 0.9 and o["nope"] is None, o
    assert o["URL_X"] == "" and "URL_X" in o["symbols"].split(), o
    assert isinstance(o["score"], (int, float))
print("ok")' <(xd rescore --jsonl path,subject,score,BAYES,nope,URL_X,symbols -w "$REPO/share/weights" s)
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}

@test "xd check --csv: the checked batch as a table, one row a message" {
	mkdir -p m/cur m/new m/tmp
	message m/cur/1.a:2,S 1 ham
	message m/cur/2.b:2,S 2 spam
	run xd check -q --csv path,class,score m
	[ "$status" -le 1 ]
	[ "${lines[0]}" = path,class,score ]
	[ "${#lines[@]}" -eq 3 ]
	run xd rescore --csv 'bad name' -w "$REPO/share/weights" /dev/null
	[ "$status" -ne 0 ]
}
