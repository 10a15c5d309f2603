#!/bin/sh
# eval-plot.sh - xd eval's ROC plots with spam missed on a log axis, as
# the TREC spam track draws them, and the online learning curve.
#
#   sh eval-plot.sh online T png system...
#   sh eval-plot.sh roc T png system...
#
# reads T/res.SYSTEM, lines "gold<TAB>score<TAB>judgement..." (online's
# in the order learned).  "online" draws the ROC beside the learning
# curve; "roc" the ROC alone.
set -u
what=$1 T=$2 png=$3
shift 3
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot is not installed: no plot" >&2; exit 1; }
TAB=$(printf '\t')

color() {
	case $1 in
	xd) echo '#9000c0' ;;
	bogofilter) echo '#20a0e0' ;;
	*) echo '#e0a000' ;;
	esac
}

# ROC points "ham lost % spam missed %", zero drawn at 0.01%.
roc_points() {
	sort -t "$TAB" -s -k2,2gr "$T/res.$1" >"$T/plot.sorted"
	awk -F'\t' '
	FNR == NR { if ($1 == "spam") s++; else h++; next }
	function pt() {
		x = 100 * fp / h; y = 100 * (s - tp) / s
		print (x < 0.01 ? 0.01 : x), (y < 0.01 ? 0.01 : y)
	}
	{
		if (FNR > 1 && $2 + 0 != z) pt()
		z = $2 + 0; fp += $1 != "spam"; tp += $1 == "spam"
	}
	END { pt() }' "$T/plot.sorted" "$T/plot.sorted"
}

# The learning curve: in windows of a twentieth of the messages, the
# ham lost and spam missed at the system's own judgement, and their
# logistic average (LAM, a zero counted as half a message).
curve_points() {
	awk -F'\t' -v n="$(wc -l <"$T/res.$1")" '
	BEGIN { w = int(n / 20); if (w < 10) w = 10 }
	function logit(p) { return log(p / (1 - p)) }
	function r(x, m) { return (x > 0 ? x : 0.5) / (m + 1) }
	{
		spam = $1 == "spam"; yes = $3 == "spam" || $3 == "surespam"
		h += !spam; s += spam; fp += !spam && yes; fn += spam && !yes
		if (NR % w == 0 || NR == n) {
			if (h && s)
				print NR, 100 / (1 + exp(-(logit(r(fp, h)) + logit(r(fn, s))) / 2))
			h = s = fp = fn = 0
		}
	}' "$T/res.$1"
}

rocs='' curves=''
for sys in "$@"; do
	roc_points "$sys" >"$T/plot.roc.$sys"
	curve_points "$sys" >"$T/plot.curve.$sys"
	c=$(color "$sys")
	rocs="$rocs${rocs:+, }'$T/plot.roc.$sys' using 1:2 with lines lw 2 lc rgb '$c' title '$sys'"
	curves="$curves${curves:+, }'$T/plot.curve.$sys' using 1:2 with linespoints lw 2 pt 7 lc rgb '$c' title '$sys'"
done
if gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1; then
	term="pngcairo size 1400,560 font ',10'"
else
	term="png size 1400,560"
fi
if [ "$what" = online ]; then
	layout="set multiplot layout 1,2 title 'xd eval --online: classify, then learn at once'"
	second="set title 'learning curve: LAM% per twentieth of the messages'
set xlabel 'messages learned'
set ylabel 'LAM% (log scale)'
set logscale y
unset logscale x
set xrange [0:*]
set yrange [*:*]
plot $curves
unset multiplot"
else
	layout=
	second=
fi
gnuplot >"$T/plot.log" 2>&1 <<EOF || { cat "$T/plot.log" >&2; exit 1; }
set terminal $term
set output '$png'
$layout
set title "ROC, as TREC draws it: ham lost against spam missed, both on log scales (0 drawn at 0.01%)"
set xlabel "ham lost, % of ham (log scale)"
set ylabel "spam missed, % of spam (log scale)"
set logscale xy
set xrange [0.01:100]
set yrange [0.01:100]
set grid
set key top right
set arrow 1 from 0.1,0.01 to 0.1,100 nohead dt 3 lc rgb "gray40"
plot $rocs
unset arrow 1
$second
EOF
