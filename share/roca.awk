# roca.awk - the TREC spam track's summary measures of a run, from lines
# "gold<TAB>score<TAB>judgement" (gold ham or spam; a judgement of spam
# or surespam is spam) sorted by score, highest first:
#
#   sort -t "$TAB" -k2,2gr results >sorted
#   awk [-v loss=0.001] -f roca.awk sorted sorted
#
# (the file twice: the first pass counts the ham, for the loss).
#
# prints one line of name=value:
#   n ham spam   the messages, by gold
#   roca         (1-ROCA)%: 100 * the chance that a random ham scores
#                above a random spam, ties counting one half
#   lo hi        its 95% confidence interval, computed on the logit scale
#                from the Hanley-McNeil standard error of the area
#   hm sm lam    ham misclassified %, spam misclassified %, and their
#                logistic average, logit^-1((logit hm + logit sm) / 2), in
#                which a rate of 0 counts as 0.5 / (n + 1)
#   caught lost  spam caught (%) and ham lost at the lowest threshold that
#                loses at most loss of the ham (the floor of loss * ham)

BEGIN {
	FS = "\t"
	if (loss == "")
		loss = 0.001
}

$1 != "ham" && $1 != "spam" { next }

FNR == NR { if ($1 == "ham") allowed += loss; next }

{
	spam = $1 == "spam"
	yes = $3 == "spam" || $3 == "surespam"
	if (!spam && yes) fp++
	if (spam && !yes) fn++
	if (n > 0 && $2 + 0 != z) close_group()
	z = $2 + 0; gh += !spam; gs += spam
	n++; ns += spam; nh += !spam
}

# A group of equal scores: every spam above it beats its ham, and its
# own pairs tie.  The loss threshold moves down a whole group at a time.
function close_group() {
	ordered += gh * (ns_above + gs / 2)
	if (!stop && nh_above + gh <= int(allowed + 1e-9)) {
		caught = ns_above + gs; lost = nh_above + gh
	} else
		stop = 1
	ns_above += gs; nh_above += gh; gh = gs = 0
}

function logit(p) { return log(p / (1 - p)) }
function inv(x) { return 1 / (1 + exp(-x)) }
function rate(x, m) { return x > 0 && x < m ? x / m : x == 0 ? 0.5 / (m + 1) : (m + 0.5) / (m + 1) }

END {
	if (nh == 0 || ns == 0) {
		printf "n=%d ham=%d spam=%d roca=- lo=- hi=- hm=- sm=- lam=- caught=- lost=-\n", n, nh, ns
		exit 0
	}
	close_group()
	# ordered counts the pairs of a ham below a spam: the area A.
	a = ordered / (nh * ns)
	q1 = a / (2 - a); q2 = 2 * a * a / (1 + a)
	se = sqrt((a * (1 - a) + (ns - 1) * (q1 - a * a) + (nh - 1) * (q2 - a * a)) / (nh * ns))
	if (a < 1 && a > 0) {
		x = logit(1 - a); sx = se / (a * (1 - a))
		lo = 100 * inv(x - 1.96 * sx); hi = 100 * inv(x + 1.96 * sx)
	} else {
		# No pair out of order (or none in order): the logit is
		# infinite; the interval is the one of half a swapped pair.
		e = 0.5 / (nh * ns)
		x = logit(a == 1 ? e : 1 - e)
		sx = sqrt(e * (1 - e) * (1 + (ns - 1 + nh - 1) / 2) / (nh * ns)) / (e * (1 - e))
		lo = a == 1 ? 0 : 100 * inv(x - 1.96 * sx)
		hi = a == 1 ? 100 * inv(x + 1.96 * sx) : 100
	}
	lam = 100 * inv((logit(rate(fp, nh)) + logit(rate(fn, ns))) / 2)
	printf "n=%d ham=%d spam=%d roca=%.4f lo=%.4f hi=%.4f hm=%.3f sm=%.3f lam=%.3f caught=%.2f lost=%d\n",
	    n, nh, ns, 100 * (1 - a), lo, hi, 100 * fp / nh, 100 * fn / ns, lam,
	    100 * caught / ns, lost
}
