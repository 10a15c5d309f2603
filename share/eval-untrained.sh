#!/bin/sh
# eval-untrained.sh - xd eval --untrained: what a new site gets before it
# trains anything.  Every message of a labelled maildir pair through
# "xd check" with the default configuration, an empty store and no DNS,
# beside SpamAssassin's shipped rules with Bayes off (spamassassin -L)
# when it is installed.  Run by "xd eval --untrained" (see xd(1)).
#
# Message content never reaches this shell: only file names do, through
# files and pipes.  SpamAssassin's verdicts are slow to get (about 10
# messages a second), so they are kept in the output directory by the
# MD5 of each message and asked again only for messages not seen.

set -u
prog="xd eval --untrained"
LC_ALL=C
export LC_ALL

usage() {
	echo "usage: xd eval --untrained [-o dir] [--no-peers] [--sa-sample n] dir" >&2
	exit 2
}

die() {
	echo "$prog: $*" >&2
	exit 2
}

out=build/accuracy peers=1 sample=0
while [ $# -gt 0 ]; do
	case $1 in
	--untrained) ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	--no-peers) peers=0 ;;
	--sa-sample) [ $# -ge 2 ] || usage; sample=$2; shift ;;
	-j|-k|--fit|--sa-folds) [ $# -ge 2 ] || usage; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
dir=${1%/}
case $sample in ''|*[!0-9]*) usage ;; esac
for c in ham spam; do
	[ -d "$dir/$c/cur" ] || [ -d "$dir/$c/new" ] ||
	    die "$dir/$c: not a maildir (no cur/ or new/)"
done
mkdir -p "$out" || die "$out: cannot create"
share=$(CDPATH='' cd -P -- "$(dirname -- "$0")" && pwd) || exit 2

T=$(mktemp -d "${TMPDIR:-/tmp}/xd-untrained.XXXXXX") || exit 2
trap '[ -n "${XD_KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# The defaults of a fresh installation: a private home, an empty
# configuration, no DNS.
mkdir "$T/home"
: >"$T/xd.conf"
XD_SHARE=${XD_SHARE:-$share}
export XD_SHARE
for c in ham spam; do
	HOME=$T/home XD_CONF=$T/xd.conf XD_RESOLVER=none \
	    xd check -q --label "$c" "$dir/$c" >"$out/untrained.$c" ||
	    [ $? -eq 1 ] || die "xd check failed on $dir/$c"
done

# "path<TAB>label<TAB>class" of every message xd checked.
awk -F'\t' -v OFS='\t' '/^#/ { next }
{
	label = "?"; class = "?"
	for (i = 2; i <= NF; i++) {
		if ($i ~ /^label=/) label = substr($i, 7)
		else if ($i ~ /^class=/) class = substr($i, 7)
	}
	p = $1
	gsub(/%09/, "\t", p); gsub(/%0[Aa]/, "\n", p)
	gsub(/%0[Dd]/, "\r", p); gsub(/%25/, "%", p)
	print p, label, class
}' "$out/untrained.ham" "$out/untrained.spam" >"$T/xd"

# figures FILE: "spam caught/spam ham-lost/ham surespam-ham" of lines
# "...<TAB>label<TAB>class".
figures() {
	awk -F'\t' '{
		l = $(NF - 1); c = $NF
		n[l]++
		if (c == "spam" || c == "surespam") hit[l]++
		if (l == "ham" && c == "surespam") sure++
	}
	END {
		printf "%d %d %d %d %d\n", hit["spam"], n["spam"], hit["ham"],
		    n["ham"], sure
	}' "$1"
}

# row NAME SPAM-CAUGHT SPAM HAM-LOST HAM SURESPAM-HAM
row() {
	printf '%-22s %5d/%-5d %6s   %4d/%-5d %6s   %s\n' "$1" "$2" "$3" \
	    "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f%%", b ? 100 * a / b : 0 }')" \
	    "$4" "$5" \
	    "$(awk -v a="$4" -v b="$5" 'BEGIN { printf "%.2f%%", b ? 100 * a / b : 0 }')" \
	    "$6"
}

# --- SpamAssassin's rules, Bayes off, cached by MD5 -------------------------
have_sa=0
if [ "$peers" = 1 ] && perl -MMail::SpamAssassin -e 1 2>/dev/null; then
	have_sa=1
	cache=$out/sa-untrained.cache
	touch "$cache" || die "$cache: cannot write"
	cut -f1 "$T/xd" | tr '\n' '\0' | xargs -0 md5sum -- |
	    sed 's/^\\//; s/^\([0-9a-f]*\)  /\1\t/' >"$T/md5" ||
	    die "md5sum failed"
	paste "$T/md5" "$T/xd" | cut -f1,4 >"$T/keys"
	# A sample: the first n of each class by MD5, the same every run.
	if [ "$sample" -gt 0 ]; then
		for c in ham spam; do
			awk -F'\t' -v c="$c" '$2 == c' "$T/keys" | sort | head -n "$sample"
		done >"$T/want"
	else
		sort "$T/keys" >"$T/want"
	fi
	# (getline, not FNR == NR: the cache may be empty.)
	awk -F'\t' -v cache="$cache" 'BEGIN {
		while ((getline l <cache) > 0) { split(l, f, "\t"); have[f[1]] = 1 }
	} !($1 in have)' "$T/want" | cut -f1 >"$T/todo"
	paste "$T/md5" | awk -F'\t' 'FNR == NR { todo[$1] = 1; next }
	    ($1 in todo) && !seen[$1]++ { print $1 "\t" $2 }' "$T/todo" - \
	    >"$T/todo.paths"
	if [ -s "$T/todo.paths" ]; then
		echo "$prog: spamassassin on $(wc -l <"$T/todo.paths") messages not in $cache (slow: about 10 a second)" >&2
		cat >"$T/sa.pl" <<'EOF'
# sa.pl DIR: SpamAssassin's shipped rules, local tests only, no Bayes,
# no auto-allowlist; reads "md5<TAB>path", writes "md5<TAB>class<TAB>score".
use strict;
use warnings;
use Mail::SpamAssassin;

my $dir = $ARGV[0];
my $sa = Mail::SpamAssassin->new({
	local_tests_only => 1,
	dont_copy_prefs => 1,
	userstate_dir => "$dir/state",
	userprefs_filename => "$dir/user_prefs",
	post_config_text => "use_bayes 0\nuse_auto_whitelist 0\n",
});
$sa->init(1);
$| = 1;
while (my $line = <STDIN>) {
	chomp $line;
	my ($key, $path) = split(/\t/, $line, 2);
	open(my $fh, '<', $path) or die "$path: $!\n";
	my @msg = <$fh>;
	close($fh);
	my $mail = $sa->parse(\@msg);
	my $st = $sa->check($mail);
	printf "%s\t%s\t%.3f\n", $key, $st->is_spam() ? 'spam' : 'ham',
	    $st->get_score();
	$st->finish();
	$mail->finish();
}
$sa->finish();
EOF
		mkdir -p "$T/sa/state"
		HOME=$T/sa perl "$T/sa.pl" "$T/sa" <"$T/todo.paths" >>"$cache" ||
		    die "spamassassin failed"
	fi
	# SpamAssassin's class beside each wanted message's label.
	awk -F'\t' -v OFS='\t' -v cache="$cache" 'BEGIN {
		while ((getline l <cache) > 0) { split(l, f, "\t"); class[f[1]] = f[2] }
	} { print $1, $2, class[$1] }' "$T/want" >"$T/sa.res"
	# xd on the same messages, when SpamAssassin saw only a sample.
	awk -F'\t' -v OFS='\t' 'FNR == NR { want[$1] = 1; next }
	    ($1 in want) && !seen[$1]++ { print $1, $2 }' "$T/want" "$T/md5" |
	    cut -f2 | awk -F'\t' 'FNR == NR { w[$0] = 1; next }
	    ($1 in w)' - "$T/xd" >"$T/xd.sample"
fi

echo "xd eval --untrained: $dir: the default configuration, an empty store, offline"
echo
printf '%-22s %-19s %-18s %s\n' "" "spam caught" "ham lost" "surespam ham"
row "xd" $(figures "$T/xd")
if [ "$have_sa" = 1 ]; then
	if [ "$sample" -gt 0 ]; then
		row "xd on the sample *" $(figures "$T/xd.sample")
		row "spamassassin -L *" $(figures "$T/sa.res" | awk '{ $5 = "-"; print }')
		echo "* a sample of $sample ham and $sample spam by MD5 (--sa-sample)"
	else
		row "spamassassin -L" $(figures "$T/sa.res" | awk '{ $5 = "-"; print }')
	fi
	echo "spamassassin: its shipped rules, local tests only (no DNS), no Bayes;"
	echo "its verdicts are kept in $cache"
elif [ "$peers" = 1 ]; then
	echo "spamassassin is not installed (make accuracy PEERS=1 installs it)"
fi
echo "streams: $out/untrained.ham $out/untrained.spam"
