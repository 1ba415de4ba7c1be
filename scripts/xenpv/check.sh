#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh ours|anchor: README's test command (make check, make check-anchor).
#
# ours:   build our kernel and the anchor (the dom0 of the domU tests), run
#         the unit tests, run the ladder on our kernel with the expectations
#         of tests/expect/ours.xfail, and check that no code of ours is
#         shared with upstream's Xen files.
# anchor: build the anchor and run the whole ladder on it; no XFAIL.
#
# Each step counts as passed or failed; the last line printed is
# "N passed, N failed" over all of them, and the exit status is non-zero
# when anything failed.

. "$(dirname "$0")/common.sh"
cd "$XENPV_TOP"

flavour=${1:-ours}
passed=0
failed=0
step() {	# step NAME STATUS REASON
	printf '%-5s %-18s %s\n' "$2" "$1" "$3"
	case "$2" in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; esac
}
finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

build() {	# build FLAVOUR
	local t0=$SECONDS
	if "$XENPV_TOP/scripts/xenpv/build-kernel.sh" "$1" > "$BUILD/build-$1.log" 2>&1; then
		step "build-$1" PASS "$((SECONDS - t0)) s, build/kernels/$1/bzImage"
		return 0
	fi
	tail -n 40 "$BUILD/build-$1.log"
	step "build-$1" FAIL "see build/build-$1.log"
	return 1
}

# ladder ARGS...: run the ladder, fold its counts into ours
ladder() {
	local out
	python3 tests/ladder.py "$@" | tee "$BUILD/ladder.out"
	out=$(tail -n 1 "$BUILD/ladder.out")
	if [[ "$out" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		step ladder FAIL "the ladder did not finish: $out"
	fi
}

overlap() {
	local shared=${XENPV_SHARED:-$XENPV_TOP/../shared} out
	local tool=$shared/tools/upstream-overlap
	if [ ! -x "$tool" ]; then
		printf '%-5s %-18s %s\n' SKIP overlap "no $tool (XENPV_SHARED names the shared/ directory)"
		return
	fi
	# Inside "if": under set -e a failing $(...) would end the script.
	if out=$("$tool" --upstream "$("$XENPV_TOP/scripts/xenpv/source.sh")" \
		--ours "$XENPV_TOP" --fail 2>&1); then
		step overlap PASS "$(echo "$out" | tail -n 1)"
	else
		echo "$out" | tail -n 30
		step overlap FAIL "$(echo "$out" | tail -n 1)"
	fi
}

mkdir -p "$BUILD"
"$XENPV_TOP/scripts/xenpv/deps.sh" host
"$XENPV_TOP/scripts/xenpv/deps.sh" fetch 2>/dev/null

case "$flavour" in
ours)
	build ours || finish
	build anchor || finish
	if [ -x tests/unit/run ]; then
		ladder_unit=$(tests/unit/run) && step unit PASS "$ladder_unit" ||
			step unit FAIL "$ladder_unit"
	fi
	ladder --kernel ours --domu-dom0 anchor --xfail tests/expect/ours.xfail
	overlap
	;;
anchor)
	build anchor || finish
	ladder --kernel anchor
	;;
*)
	die "usage: check.sh ours|anchor"
	;;
esac
finish
