#!/usr/bin/env bats
# xd-bayes against word salad: spam that carries a pile of innocent
# words to drown its own.  The combiner weighs only the strongest
# tokens, so words that ham taught it cannot cancel what spam taught it.

load helper

setup() {
	bayes_setup 3
}

# note NAME FROM SUBJECT BODY: a small message, its Message-ID from NAME.
note() {
	msg "$1" <<EOF
From: $2
To: bob@example.org
Subject: $3
Date: Mon, 1 Jan 2024 10:00:00 +0000
Message-ID: <$1@example.net>

$4
EOF
}

WORDS="apple river garden window letter morning yellow kitchen station
bridge candle winter summer forest basket pencil harbor meadow silver
ladder orchard blanket cottage lantern pebble saddle thimble walnut
carpet chimney dinner feather goblet hammer island jacket kettle
lemon marble needle oyster parcel quilt ribbon shovel tunnel valley
wagon anchor barrel cabin dragon engine fabric glacier helmet"
SPAM="cheapest pharmacy pills discount viagra cialis replica watches
casino jackpot lottery winner unclaimed prize refinance mortgage
inheritance beneficiary wiretransfer unsubscribe"

# Ham in which each word of WORDS comes a few times, spam of one
# campaign sent three times, both learned.
learned() {
	local i ws
	for i in $(seq 1 20); do
		ws=$(echo $WORDS | tr ' ' '\n' | awk -v i="$i" \
		    '(NR + i) % 10 == 0' | tr '\n' ' ')
		note "h$i" "friend$i@example.net" "Letter $i" "Dear Bob, $ws"
	done
	for i in 1 2 3; do
		note "s$i" "promo$i@spam.example" "Offer" "$SPAM"
	done
	xd-parse -- h[0-9]* >ham
	xd-parse -- s1 s2 s3 >spam
	xd-bayes -q --learn ham <ham >/dev/null
	xd-bayes -q --learn spam <spam >/dev/null
}

# The words of the learned ham's bodies, as a salad.
salad() {
	for f in h[0-9]*; do sed '1,/^$/d' "$f"; done | tr -cs 'a-z' '\n' |
	    sort -u | tr '\n' ' '
}

bayes_of() {
	field BAYES "$(grep "^$1	" "$2")"
}

@test "bayes-salad: learned spam with ham's words appended still scores spam" {
	learned
	words=$(salad)
	[ "$(echo $words | wc -w)" -ge 50 ]
	note salted promo9@spam.example "Offer" "$SPAM $words"
	note hamlike friend9@example.net "Letter" "Dear Bob, $words"
	xd-parse -- salted hamlike >new
	xd-bayes <new >out
	# the words alone are ham's; with the spam they do not cancel it
	awk -v p="$(bayes_of hamlike out)" 'BEGIN { exit !(p < 0.05) }'
	awk -v p="$(bayes_of salted out)" 'BEGIN { exit !(p >= 0.95) }'
}
