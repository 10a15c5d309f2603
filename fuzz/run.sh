#!/bin/sh
# Run afl-fuzz on each harness of DIR (DIR/fuzz-TARGET, built by "make
# fuzz") for FUZZ_S seconds, one target after the other, and copy what
# it finds into the regression vault: each crash and hang becomes
# t/vault/TARGET/crash-HASH or hang-HASH, which t/vault.bats replays.
# Exits 1 if any crash or hang was new to the vault, 2 if afl-fuzz
# could not run.
#
#	sh fuzz/run.sh DIR TARGET ...
cd "$(dirname "$0")/.." || exit 2
dir=${1:?usage: run.sh DIR TARGET ...}
shift
: "${FUZZ_S:=60}"

# What a fresh machine or container needs: no CPU governor to ask for,
# core dumps that go nowhere special, no screen; the CPUs are shared.
AFL_SKIP_CPUFREQ=1
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
AFL_NO_UI=1
AFL_NO_AFFINITY=1
AFL_FAST_CAL=1
AFL_SUPPRESS_AFFINITY_WARNINGS=1
# The sanitizers must abort, for afl-fuzz to see a crash.
ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=0:allocator_may_return_null=1:detect_odr_violation=0
UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=0:symbolize=0
export AFL_SKIP_CPUFREQ AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES AFL_NO_UI \
    AFL_NO_AFFINITY AFL_FAST_CAL \
    AFL_SUPPRESS_AFFINITY_WARNINGS ASAN_OPTIONS UBSAN_OPTIONS
# The harnesses use the shipped files and never the user's.
XD_CONF=/dev/null
XD_SHARE=$PWD/share
export XD_CONF XD_SHARE

new=0
failed=0
for t in "$@"; do
	out=$dir/out/$t
	rm -rf "$out"
	mkdir -p "$out"
	echo "fuzz: $t for ${FUZZ_S} s"
	if ! afl-fuzz -i "fuzz/seeds/$t" -o "$out" -V "$FUZZ_S" -m none \
	    -t 2000 -- "$dir/fuzz-$t" @@ >"$out/afl.log" 2>&1; then
		echo "fuzz: $t: afl-fuzz failed, see $out/afl.log:" >&2
		tail -n 15 "$out/afl.log" >&2
		failed=1
		continue
	fi
	stats=$out/default/fuzzer_stats
	[ -f "$stats" ] && awk -v t="$t" '
		{ v[$1] = $3 }
		END { printf "fuzz: %s: %s runs, %s paths, %s crashes, %s hangs\n",
		    t, v["execs_done"], v["corpus_count"], v["saved_crashes"],
		    v["saved_hangs"] }' "$stats"
	mkdir -p "t/vault/$t"
	for kind in crashes hangs; do
		for f in "$out/default/$kind"/id:*; do
			[ -f "$f" ] || continue
			name=${kind%es}
			name=${name%s}-$(sha1sum <"$f" | cut -c1-12)
			if [ -e "t/vault/$t/$name" ]; then
				continue
			fi
			cp "$f" "t/vault/$t/$name"
			echo "fuzz: $t: new $kind case t/vault/$t/$name"
			new=$((new + 1))
		done
	done
done
if [ "$failed" -ne 0 ]; then
	exit 2
fi
if [ "$new" -gt 0 ]; then
	echo "fuzz: $new new cases in t/vault/: replay them with" \
	    "'bats t/vault.bats', fix, and commit them" >&2
	exit 1
fi
echo "fuzz: nothing new found"
