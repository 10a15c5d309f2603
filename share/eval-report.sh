# eval-report.sh - xd eval's numbers and plot over the folds' results:
# the metrics of a system on some folds, its ROC, the report's rows and
# the PNG.  Sourced by eval.sh, whose T, TAB, SYSTEMS, split, K, N,
# NHAM, NSPAM and note() it uses.

# --- metrics ------------------------------------------------------------

# The results of SYSTEM on FOLDS ("all" or fold numbers), on stdout:
# "system fold label z class path".
results() {
	sys=$1
	shift
	cat "$T/res/$sys".* 2>/dev/null | awk -F'\t' -v want=" $* " '
	    want == " all " || index(want, " " $2 " ") { print }'
}

# metrics SYSTEM FOLDS...: one line of numbers,
# "n ham spam caught lost sure_lost sure_caught auc".
metrics() {
	results "$@" | sort -t "$TAB" -k4,4g | awk -F'\t' '
	{
		spam = $3 == "spam"
		yes = $5 == "spam" || $5 == "surespam"
		n++; ham += !spam; nspam += spam
		if (spam && yes) caught++
		if (!spam && yes) lost++
		if (!spam && $5 == "surespam") sure_lost++
		if (spam && $5 == "surespam") sure_caught++
		# Rank sum by groups of equal z: ties count one half.
		if (n > 1 && $4 != z) { close_group() }
		z = $4; gh += !spam; gs += spam
	}
	function close_group() {
		pairs += gs * (below + gh / 2); below += gh; gh = gs = 0
	}
	END {
		close_group()
		auc = ham && nspam ? pairs / (ham * nspam) : 0
		printf "%d %d %d %d %d %d %d %.4f\n", n, ham, nspam, caught,
		    lost, sure_lost, sure_caught, auc
	}'
}

# at_loss SYSTEM L FOLDS...: the spam SYSTEM catches when its threshold
# lets at most L ham through, read off its ranking (z) on the test folds.
at_loss() {
	sys=$1 l=$2
	shift 2
	results "$sys" "$@" | sort -t "$TAB" -k4,4gr | awk -F'\t' -v l="$l" '
	function close_group() {
		if (lost + gh > l) { done = 1; return }
		lost += gh; caught += gs; gh = gs = 0
	}
	!done {
		if (NR > 1 && $4 != z) close_group()
		if (!done) { z = $4; gh += $3 != "spam"; gs += $3 == "spam" }
	}
	END { if (!done) close_group(); printf "%d %d\n", caught, lost }'
}

# roc SYSTEM: "ham-lost-% spam-caught-%" points for the plot.
roc() {
	results "$1" all | sort -t "$TAB" -k4,4gr >"$T/roc.tmp"
	awk -F'\t' '
	FNR == NR { if ($3 == "spam") s++; else h++; next }
	FNR == 1 { print 0, 0 }
	{
		if (FNR > 1 && $4 != z) print 100 * fp / h, 100 * tp / s
		z = $4; fp += $3 != "spam"; tp += $3 == "spam"
	}
	END { print 100 * fp / h, 100 * tp / s }' "$T/roc.tmp" "$T/roc.tmp"
}

pct() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
		if (b == 0) print "-"; else printf "%." d "f%%", 100 * a / b }'
}

# row NAME SYSTEM FOLDS...: the report's line for one system.
row() {
	name=$1
	shift
	set -- $(metrics "$@")
	printf '%-22s %5d/%-5d %7s  %4d %8s  %8d  %8s  %7s\n' "$name" \
	    "$4" "$3" "$(pct "$4" "$3")" "$5" "$(pct "$5" "$2" 3)" "$6" \
	    "$(pct $(($4 + $2 - $5)) "$1")" "$8"
}

# --- the plot -------------------------------------------------------------

plot() {
	png=$1
	command -v gnuplot >/dev/null 2>&1 ||
	    { note "gnuplot is not installed: no plot"; return 0; }
	# xd's log odds in bins of one, per class.
	results xd all | awk -F'\t' '{
		b = int($4 >= 0 ? $4 + 0.5 : $4 - 0.5)
		if (b < -25) b = -25; if (b > 25) b = 25
		if ($3 == "spam") s[b]++; else h[b]++
	}
	END { for (b = -25; b <= 25; b++) print b, h[b] + 0, s[b] + 0 }' \
	    >"$T/hist.dat"
	set -- $(awk '$2 + $3 > 0 { if (lo == "") lo = $1; hi = $1 }
	    END { print lo - 2, hi + 2 }' "$T/hist.dat")
	xlo=$1 xhi=$2
	plots=
	for sys in $SYSTEMS; do
		roc "$sys" | awk '{ m = 100 - $2; print ($1 < 0.01 ? 0.01 : $1), (m < 0.01 ? 0.01 : m) }' \
		    >"$T/roc.$sys.dat"
		set -- $(metrics "$sys" all)
		awk -v h="$2" -v s="$3" -v c="$4" -v l="$5" 'BEGIN {
			x = 100 * l / h; m = 100 - 100 * c / s
			print (x < 0.01 ? 0.01 : x), (m < 0.01 ? 0.01 : m) }' \
		    >"$T/op.$sys.dat"
		case $sys in
		xd) c='#9000c0' ;;
		bogofilter) c='#20a0e0' ;;
		*) c='#e0a000' ;;
		esac
		plots="$plots${plots:+, }'$T/roc.$sys.dat' using 1:2 with lines lw 2 lc rgb '$c' title '$sys', '$T/op.$sys.dat' using 1:2 with points pt 7 ps 1.5 lc rgb '$c' notitle"
	done
	# Where the fitted thresholds lie in log odds, on average over folds.
	set -- $(cat "$T"/fit/*.weights | awk '
	$1 == "calibration" { a = $2; b = $3 }
	$1 == "threshold" && $2 == "spam" { s += a + b * $3; n++ }
	$1 == "threshold" && $2 == "surespam" { ss += a + b * $3 }
	END { printf "%.2f %.2f\n", s / n, ss / n }')
	zspam=$1 zsure=$2
	case $split in
	lists) how="a fixed split" ;;
	date) how="a time split (older half trained, newer tested)" ;;
	*) how="$K-fold cross-validation" ;;
	esac
	if gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1; then
		term="pngcairo size 1400,560 font ',10'"
	else
		term="png size 1400,560"
	fi
	gnuplot >"$T/gnuplot.log" 2>&1 <<EOF || { note "gnuplot failed:"; cat "$T/gnuplot.log" >&2; return 0; }
set terminal $term
set output '$png'
set multiplot layout 1,2 title "xd eval: $N messages ($NHAM ham, $NSPAM spam), $how"
set title "xd: log odds of spam (A + B * score) per class"
set xlabel "log odds of spam; dashed: the fitted thresholds, spam $zspam and surespam $zsure (mean of the folds)"
set ylabel "messages (log scale)"
set logscale y
set yrange [0.8:*]
set xrange [$xlo:$xhi]
set style fill solid 0.5 border -1
set boxwidth 0.45
set arrow 1 from $zspam,0.8 to $zspam,graph 1 nohead dt 2 lc rgb "black"
set arrow 2 from $zsure,0.8 to $zsure,graph 1 nohead dt 2 lc rgb "red"
set key top center
plot '$T/hist.dat' using (\$1-0.22):(\$2 > 0 ? \$2 : 1/0) with boxes lc rgb "#2060c0" title "ham", \
     '$T/hist.dat' using (\$1+0.22):(\$3 > 0 ? \$3 : 1/0) with boxes lc rgb "#d03020" title "spam"
unset arrow 1
unset arrow 2
unset logscale y
set title "ROC on the test folds, as TREC draws it (dots: each filter's own threshold; 0 is drawn at 0.01%)"
set xlabel "ham lost, % of ham (log scale)"
set ylabel "spam missed, % of spam (log scale)"
set logscale xy
set xrange [0.01:100]
set yrange [0.01:100]
set key top right
set grid
set arrow 3 from 0.1,0.01 to 0.1,100 nohead dt 3 lc rgb "gray40"
set arrow 4 from 0.01,1 to 100,1 nohead dt 3 lc rgb "gray40"
set label 1 "target: 0.1% ham lost, 1% spam missed" at 0.11,0.015
plot $plots
unset multiplot
EOF
}
