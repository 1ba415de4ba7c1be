#!/bin/sh
# The dom0 side of "make bench".
#
# First a check of the trace counting itself: xenpv-stress hypercalls
# issues, from dom0, a known number of multicall entries and mmu_update
# requests, traced like a guest's; the counts must come out exact.
#
# (CHECK_ROUNDS rounds of it: about 10 trace records each.)
#
# Then ROUNDS rounds; in each, for every guest type of TYPES (pv, then
# pvh), every domU kernel of /xenpv/bench-kernels in turn (anchor, ours,
# anchor, ours): boot it pinned alone on physical CPU 1 (dom0 stays on
# CPU 0), trace its events on that CPU while it runs the measured
# workloads, and print what it cost.  A PV guest's trace is Xen's PV class
# (hypercalls, multicall entries, traps, emulations, its markers); a PVH
# guest's, the same bzImage started at its PVH entry, is Xen's HVM class
# (VM exits and their handlers; its markers are CPUID exits, see
# xentrace-count.py).  A PVH run is reported as kernel "<name>:pvh".
# Times: the boot on dom0's clock, from unpausing the domain to the
# guest's first line from user space; the workloads on Xen's TSC, from
# the stamps of the trace records of the markers around them (cpu_mhz
# converts).  The time
# "xl create -p" takes (dom0's work: build the domain, load its kernel)
# is reported apart.
#
# Lines: "XENPV-BENCH <kernel>[:pvh] <round> up|result|trace|error=...",
# "XENPV-BENCH-XEN ...", "XENPV-BENCH-CHECK ...", then
# "XENPV-BENCH-FINISHED" or, at the first thing that makes the figures
# untrustworthy (a lost trace record, a failed boot), "XENPV-BENCH-FAILED".
. /xenpv/dom0/lib.sh
. /xenpv/dom0/bench-lib.sh
XENPV_TEST=bench
ROUNDS=2 CHECK_ROUNDS=100 TIMEOUT=900 TYPES="pv pvh"
[ -f $XENPV/bench.conf ] && . $XENPV/bench.conf
# Xen's PV class: hypercalls (direct and multicall entries), traps,
# emulations, the markers.
PV_EVENTS=0x0020f000
# Xen's HVM class: VM entries and exits, their handlers (CPUID included:
# a PVH guest's markers).
HVM_EVENTS=0x0008f000
EVENTS=$PV_EVENTS

failed() {
	echo "XENPV-BENCH-FAILED $*"
	exit 1
}

# trace_cpu CPU FILE: start xentrace on physical CPU CPU only; sets TPID.
trace_cpu() {
	rm -f "$2"
	xentrace -D -c "$1" -e $EVENTS "$2" >/dev/null 2>&1 &
	TPID=$!
}

# untrace FILE CPU: stop xentrace (it drains the buffers first), count
# FILE's records on CPU into /tmp/count.out; the counter's status (2: Xen
# lost records, 3: a marker without its pair).
untrace() {
	kill -INT $TPID
	wait $TPID
	python3 $XENPV/dom0/xentrace-count.py "$1" "$2" > /tmp/count.out 2>&1
}

$XL vcpu-pin Domain-0 all 0 >/dev/null 2>&1
echo "XENPV-BENCH-XEN cpu_mhz=$($XL info | sed -n 's/^cpu_mhz *: *//p')"

# The counting check, on dom0's CPU.
trace_cpu 0 /tmp/check.bin
sleep 2
out=$(XENPV_MARK=1 $STRESS hypercalls $CHECK_ROUNDS 2>&1) || failed "xenpv-stress hypercalls: $out"
sleep 1
untrace /tmp/check.bin 0
rc=$?
echo "XENPV-BENCH-CHECK issued $out"
sed 's/^/XENPV-BENCH-CHECK /' /tmp/count.out
[ $rc = 0 ] || failed "trace check: $(tail -n 1 /tmp/count.out)"
rm -f /tmp/check.bin

# follow KERNEL ROUND: read the stamped console of the domU under test
# (xenpv-stress stamp's output, which ends at XENPV-BENCH-DONE): report
# its boot, trace its CPU from XENPV-BENCH-READY to XENPV-BENCH-DONE and
# count the trace into /tmp/count.out (the counter's status in
# /tmp/count.rc).
follow() {
	_tag="XENPV-BENCH $1 $2"
	while read -r ns line; do
		case "$line" in
		*XENPV-GUEST-UP*)
			echo "$_tag up boot_ns=$((ns - $(cat /tmp/t0))) create_ns=$(cat /tmp/create_ns) ${line#*XENPV-GUEST-UP }"
			;;
		*XENPV-BENCH-READY*)
			# The guest waits 8 s before its first marker.
			trace_cpu 1 /tmp/trace.bin
			echo $TPID > /tmp/tpid
			;;
		*XENPV-BENCH-RESULT*)
			echo "$_tag result ${line#*XENPV-BENCH-RESULT }"
			;;
		*XENPV-BENCH-DONE*)
			if [ -n "$TPID" ]; then
				sleep 1
				untrace /tmp/trace.bin 1
				echo $? > /tmp/count.rc
			fi
			echo "$_tag done"
			;;
		*XENPV-STAMP-*)
			echo "$_tag error=${line#*XENPV-STAMP-}"
			;;
		esac
	done
}

# run KERNEL ROUND TYPE: one boot of KERNEL's domU as a TYPE (pv, pvh)
# guest and its workloads.
run() {
	case $3 in
	pv) k=$1 EVENTS=$PV_EVENTS ;;
	pvh) k=$1:pvh EVENTS=$HVM_EVENTS ;;
	*) failed "unknown guest type $3" ;;
	esac
	name=b-$1-$3-$2
	tag="XENPV-BENCH $k $2"
	cat > /tmp/$name.cfg <<CFG
name="$name"
type="$3"
kernel="$XENPV/domu-$1/bzImage"
ramdisk="$XENPV/domu-$1/initrd"
extra="console=hvc0 printk.time=1 xenpv.job=bench"
memory=512
vcpus=1
cpus="1"
on_crash="preserve"
CFG
	rm -f /tmp/tpid /tmp/trace.bin /tmp/follow.out /tmp/count.out /tmp/count.rc
	# Paused until the stamp reader is on its console: the boot is
	# timed from the unpause.
	t=$($STRESS now)
	$XL create -p /tmp/$name.cfg >/dev/null 2>&1 || failed "$tag: xl create"
	echo $(($($STRESS now) - t)) > /tmp/create_ns
	tty=$(console_tty $name) || failed "$tag: no console pty"
	$STRESS stamp "$tty" $TIMEOUT XENPV-BENCH-DONE | follow $k $2 | tee /tmp/follow.out &
	fpid=$!
	watch_domain $name "$tag"
	$STRESS now > /tmp/t0
	$XL unpause $name
	wait $fpid
	unwatch_domain
	if [ -f /tmp/tpid ] && [ ! -f /tmp/count.rc ]; then
		kill -INT "$(cat /tmp/tpid)" 2>/dev/null
		sleep 2
	fi
	$XL destroy $name >/dev/null 2>&1
	tr -d '\r' < "$(conlog $name)" | sed "s/^/[domU $name] /"
	rm -f "$(conlog $name)" /tmp/trace.bin
	grep -q " done\$" /tmp/follow.out || failed "$tag: the workloads did not finish"
	[ -f /tmp/count.rc ] || failed "$tag: the trace was not taken"
	sed "s/^/$tag trace /" /tmp/count.out
	[ "$(cat /tmp/count.rc)" = 0 ] || failed "$tag: $(tail -n 1 /tmp/count.out)"
}

r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for type in $TYPES; do
		for kn in $(cat $XENPV/bench-kernels); do
			run $kn $r $type
		done
	done
done
echo "XENPV-BENCH-FINISHED"
