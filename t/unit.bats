#!/usr/bin/env bats
# The C unit tests of the library (t/unit.c); t/run.sh names the binary.

load helper

@test "library unit tests" {
	[ -x "$XD_UNIT" ]
	run "$XD_UNIT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" passed, 0 failed" ]]
}
