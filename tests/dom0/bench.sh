#!/bin/sh
# The dom0 side of "make bench".  For each domU kernel in
# /xenpv/bench-kernels: boot it pinned alone on physical CPU 1 (dom0 stays
# on CPU 0), time the boot, trace its PV events while it runs the
# measured workloads, and print what it cost.  QEMU runs with -icount, so
# every time here is instruction time: the same from run to run.
. /xenpv/dom0/lib.sh
XENPV_TEST=bench

uptime_cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }

# Poll more finely than wait_for: the boot time is measured with it.
wait_fine() {
	_n=0
	while ! tr -d '\r' < "$(conlog "$1")" 2>/dev/null | grep -aq "$2"; do
		_n=$((_n + 1))
		[ $_n -lt 12000 ] || return 1
		usleep 50000
	done
}

$XL vcpu-pin Domain-0 all 0 >/dev/null 2>&1
for k in $(cat $XENPV/bench-kernels); do
	name=b-$k
	cat > /tmp/$name.cfg <<CFG
name="$name"
type="pv"
kernel="$XENPV/domu-$k/bzImage"
ramdisk="$XENPV/domu-$k/initrd"
extra="console=hvc0 printk.time=1 xenpv.job=bench"
memory=512
vcpus=1
cpus="1"
on_crash="preserve"
CFG
	t0=$(uptime_cs)
	$XL create /tmp/$name.cfg >/dev/null 2>&1 || { echo "XENPV-BENCH $k error=create"; continue; }
	wait_fine $name XENPV-GUEST-UP || { echo "XENPV-BENCH $k error=boot"; continue; }
	t1=$(uptime_cs)
	echo "XENPV-BENCH $k boot_ms=$(( (t1 - t0) * 10 ))"
	wait_fine $name XENPV-BENCH-READY
	rm -f /tmp/trace.bin
	xentrace -D -e 0x0020f000 /tmp/trace.bin >/dev/null 2>&1 &
	tpid=$!
	wait_fine $name XENPV-BENCH-DONE || echo "XENPV-BENCH $k error=workload"
	sleep 1
	kill -INT $tpid
	wait $tpid
	tr -d '\r' < "$(conlog $name)" | sed -n "s/.*XENPV-BENCH-RESULT /XENPV-BENCH $k result /p"
	python3 $XENPV/dom0/xentrace-count.py /tmp/trace.bin 1 | sed "s/^/XENPV-BENCH $k trace /"
	$XL destroy $name
	rm -f /tmp/trace.bin
done
echo "XENPV-BENCH-FINISHED"
