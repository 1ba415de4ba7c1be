#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh ours|anchor: README's test command (make check, make check-anchor).
#
# ours:   the harness self-tests (tests/harness/run: the ladder's rules
#         checked on recorded logs, no QEMU), build our kernel and the
#         anchor, the KUnit suites (tests/unit/run), the ladder on our
#         kernel with the expectations of tests/expect/ours.xfail, the domU
#         tests in a matrix of dom0 x domU (ours x ours in that ladder, then
#         anchor x ours and ours x Debian's stock kernel; the tests of our
#         backends run beside them all, a second QEMU),
#         and the check that no code of ours is shared with upstream's Xen
#         files.
# anchor: the self-tests, build the anchor and run the whole ladder on it,
#         then the domU tests of Debian's stock kernel on the anchor's
#         dom0; no XFAIL.
#
# Every step runs whatever the ones before it did (but the ladder needs
# the kernels).  Each self-test case, build, KUnit suite, ladder test and
# the overlap check counts as passed or failed; a summary per part comes
# before the last line, "N passed, N failed", and the exit status is
# non-zero when anything failed.  Under CI (CI=true) a missing tool is a
# failure, not a skip.

. "$(dirname "$0")/common.sh"
cd "$XENPV_TOP"

flavour=${1:-ours}
passed=0
failed=0
parts=()
step() {	# step NAME STATUS REASON
	printf '%-5s %-18s %s\n' "$2" "$1" "$3"
	case "$2" in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; esac
}
# skip NAME REASON: a SKIP outside CI, a FAIL under CI.
skip() {
	if [ "${CI:-}" = true ]; then
		step "$1" FAIL "$2 (a missing tool fails under CI)"
	else
		step "$1" SKIP "$2"
	fi
	parts+=("$1: $2")
}
finish() {
	echo
	echo "summary ($SECONDS s in all):"
	printf '  %s\n' "${parts[@]}"
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

build() {	# build FLAVOUR
	local t0=$SECONDS
	if nice -n 10 "$XENPV_TOP/scripts/xenpv/build-kernel.sh" "$1" \
		> "$BUILD/build-$1.log" 2>&1; then
		step "build-$1" PASS "$((SECONDS - t0)) s, $(grep -h '^release=\|^commit=' \
			"$BUILD/kernels/$1/build-info" | cut -d= -f2 | paste -sd' ')"
		parts+=("build-$1: PASS, $((SECONDS - t0)) s")
		return 0
	fi
	tail -n 40 "$BUILD/build-$1.log"
	step "build-$1" FAIL "see build/build-$1.log"
	parts+=("build-$1: FAIL")
	return 1
}

# counted PART CMD...: run a command whose last line is "N passed, N
# failed" and fold its counts into ours; anything else is one failure.
counted() {
	local part=$1 t0=$SECONDS
	shift
	"$@" 2>&1 | tee "$BUILD/$part.out" || true
	tally "$part" $((SECONDS - t0))
}
# tally PART SECONDS: fold $BUILD/PART.out's last line into the counts;
# the summary says how long the part took (CI's time is bounded).
tally() {
	local part=$1 out=$BUILD/$1.out last xf took=", $2 s"
	last=$(tail -n 1 "$out")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		xf=$(grep -m1 '^XFAIL: ' "$out" || true)
		parts+=("$part: $last${xf:+ ($xf)}$took")
	else
		step "$part" FAIL "did not finish: ${last:-no output}"
		parts+=("$part: did not finish$took")
	fi
}

# in_background PART CMD: start a ladder run now, beside the one in the
# foreground (TCG runs a machine on one host thread, and CI has two
# cores); collect PART prints its output when it is done and counts it.
declare -A bg_pid bg_t0
in_background() {
	eval "$2" > "$BUILD/$1.out" 2>&1 &
	bg_pid[$1]=$!
	bg_t0[$1]=$SECONDS
}
collect() {
	wait "${bg_pid[$1]}" || true
	local t1=$SECONDS
	cat "$BUILD/$1.out"
	tally "$1" $((t1 - bg_t0[$1]))
}

overlap() {
	local shared=${XENPV_SHARED:-$XENPV_TOP/../shared} out
	local tool=$shared/tools/upstream-overlap
	if [ ! -x "$tool" ]; then
		skip overlap "no $tool (XENPV_SHARED names the shared/ directory)"
		return
	fi
	# Inside "if": under set -e a failing $(...) would end the script.
	if out=$("$tool" --upstream "$("$XENPV_TOP/scripts/xenpv/source.sh")" \
		--ours "$XENPV_TOP" --fail 2>&1); then
		step overlap PASS "$(echo "$out" | tail -n 1)"
		parts+=("overlap: $(echo "$out" | tail -n 1)")
	else
		echo "$out" | tail -n 30
		step overlap FAIL "$(echo "$out" | tail -n 1)"
		parts+=("overlap: FAIL, $(echo "$out" | tail -n 1)")
	fi
}

mkdir -p "$BUILD"
"$XENPV_TOP/scripts/xenpv/deps.sh" host
"$XENPV_TOP/scripts/xenpv/deps.sh" fetch 2>/dev/null

counted harness python3 tests/harness/run
case "$flavour" in
ours)
	# ours32, the i386 build of the same overlay that native32 and the
	# domu-pvh32 tests boot, is not built here yet: a cold build of it
	# costs about 25 minutes on CI's two cores, more than the run has to
	# spare (the summary says how long each part takes).  Until then
	# "make kernel32" builds it, and without it native32 SKIPs.
	#
	# The matrix of dom0 x domU, in two lanes: the tests of our backends
	# (long: 50 domUs come and go) and of our frontends against dom0's
	# hostile backend in the background, beside everything else: the
	# anchor's build, the KUnit suites, the whole ladder (ours x ours),
	# then the anchor's dom0 with our domU and our dom0 with Debian's
	# stock domU.  The background lane needs only our kernel, so it
	# starts as soon as that is built: it is the longest part, and TCG
	# runs a machine on one host thread, leaving the other core to the
	# foreground.  Builds run at a lower priority than the machines, so
	# that a build beside a machine slows the build, not the guest.
	# The hostile backend is a program of ours, the same on any dom0:
	# its tests run once, with ours.
	hostile='domu-hostile-blk,domu-hostile-net,domu-hostile-store,domu-hostile-console'
	backend="domu-lifecycle,domu-hostile-frontend,$hostile"
	# Tests of the guest's own kernel and the toolstack, which another
	# dom0 does not change (its backends are what it changes, and the
	# disk, network, save/restore, migration and hotplug tests cover them
	# in every lane): the stress, memory pressure, vCPU hotplug and sysfs
	# tests, and the PVH guest's own steps (pygrub, save/restore, mem-set,
	# shutdown, live migration).  They run once, in ours x ours, which
	# keeps the whole check well inside CI's time.
	guest_only='domu-stress,domu-mem-pressure,domu-vcpu-set,domu-sysfs'
	guest_only+=',domu-pvh-pygrub,domu-pvh-save-restore,domu-pvh-mem-set'
	guest_only+=',domu-pvh-shutdown,domu-pvh-live-migrate'
	# The i386 PVH guest: all of its tests in ours x ours; its disk and
	# network (blkif's x86_32-abi layout, the frontends against upstream's
	# backends) on the anchor's dom0 too.
	guest_only+=',domu-pvh32,domu-pvh32-pygrub,domu-pvh32-save-restore'
	guest_only+=',domu-pvh32-mem-set,domu-pvh32-shutdown'
	if build ours; then
		in_background ladder-backends "python3 tests/ladder.py --kernel ours \
			--tests $backend --label ours-backends --xfail tests/expect/ours.xfail"
		if build anchor; then
			if [ -x tests/unit/run ]; then
				counted unit nice -n 10 tests/unit/run
			else
				step unit FAIL "tests/unit/run is missing"
				parts+=("unit: missing")
			fi
			counted ladder python3 tests/ladder.py --kernel ours \
				--tests "*,!${backend//,/,!}" --xfail tests/expect/ours.xfail
			counted ladder-anchor-dom0 python3 tests/ladder.py --kernel ours \
				--domu-dom0 anchor \
				--tests "domu-*,!${hostile//,/,!},!${guest_only//,/,!}" \
				--label ours-on-anchor --xfail tests/expect/ours.xfail
			# Debian's stock kernel as a PV domU on our dom0: our
			# backends against upstream's frontends.  Its PVH boot
			# would add a machine boot for the same backends, which
			# our own PVH domU already drives in ours x ours.
			counted ladder-stock-domu python3 tests/ladder.py --kernel stock \
				--domu-dom0 ours \
				--tests "domu-*,!${guest_only//,/,!},!domu-pvh*" \
				--label stock-on-ours
		fi
		collect ladder-backends
	fi
	overlap
	;;
anchor)
	if build anchor && build anchor32; then
		# The anchor's dom0 with the anchor's domU (the whole ladder,
		# anchor32 its i386 guest) and with Debian's stock domU (which
		# has no i386 sibling).
		counted ladder python3 tests/ladder.py --kernel anchor
		counted ladder-stock-domu python3 tests/ladder.py --kernel stock \
			--domu-dom0 anchor --tests "domu-*,!domu-pvh32*" --label stock-on-anchor
	fi
	;;
*)
	die "usage: check.sh ours|anchor"
	;;
esac
finish
