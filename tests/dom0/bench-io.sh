#!/bin/sh
# The dom0 side of "make bench-io".  ROUNDS rounds; in each, every domU
# kernel of /xenpv/bench-kernels in turn (anchor, ours, anchor, ours): a
# fresh disk image in /tmp (tmpfs) as its xvdb and a vif on xenbr0, where
# an iperf3 server of ours listens; the domU (one vCPU, pinned alone on
# physical CPU 1; dom0 stays on CPU 0) runs the benchio job.
# /xenpv/bench-io.conf sets REPS (runs of each measurement per boot), SECS
# (of each run), MB (the disk), ROUNDS and MODES: "trusted", or "trusted
# untrusted" to boot each kernel a second time told not to trust its
# backends (xen_blkfront.trusted=0 xen_netfront.trusted=0), reported as
# KERNEL:untrusted.
#
# No figure is taken with the guest's clock (the kernel under test's own
# code):
# - disk: xenpv-io writes a marker line to the guest's console right
#   before its first transfer and right after its last; we stamp each
#   line with our clock when it arrives (xenpv-stress stamp, asleep on
#   the console's pty until then) and print it, "... MARK <ns> <line>";
#   the harness divides the work the end marker reports by that time.
#   Xen's trace stamps would be closer to the guest, but tracing costs
#   the guest a record per hypercall, more for whoever makes more of them,
#   and those records cannot be told apart by class from the markers.
# - network: our iperf3 server's own figure, on our clock: the receiver's
#   rate for domU->dom0, the sender's for dom0->domU (the receiver is the
#   domU there; the sender counts what it handed to TCP, which runs ahead
#   of the receiver by at most the socket buffers, a few MB of a 2 s run).
#   It is printed as "... RESULT net_tx|net_rx <Mbit/s>" after the domU is
#   done.
# The guest's own figures come as "... GUEST <metric> <value>", to compare.
# Lines: "XENPV-BENCHIO <kernel> <round> up|MARK|RESULT|GUEST|NA|LOG|
# done|error=...", then "XENPV-BENCHIO-FINISHED".
. /xenpv/dom0/lib.sh
. /xenpv/dom0/bench-lib.sh
XENPV_TEST=bench-io
REPS=3 SECS=2 MB=128 ROUNDS=2 MODES=trusted TIMEOUT=3600
[ -f $XENPV/bench-io.conf ] && . $XENPV/bench-io.conf
img=/tmp/bench-io.img

# follow TAG: the domU's stamped console, until XENPV-BENCHIO-DONE.
follow() {
	while read -r ns line; do
		case "$line" in
		*XENPV-GUEST-UP*)
			echo "$1 up ${line#*XENPV-GUEST-UP }"
			;;
		*XENPV-BENCHIO-MARK\ *)
			echo "$1 MARK $ns ${line#*XENPV-BENCHIO-MARK }"
			;;
		*XENPV-BENCHIO-GUEST\ * | *XENPV-BENCHIO-NA\ * | *XENPV-BENCHIO-LOG\ *)
			_l=${line#*XENPV-BENCHIO-}
			echo "$1 $_l"
			;;
		*XENPV-BENCHIO-DONE*)
			echo "$1 done"
			;;
		*XENPV-STAMP-*)
			echo "$1 error=${line#*XENPV-STAMP-}"
			;;
		esac
	done
}

# run KERNEL ROUND MODE: one boot of KERNEL's domU and its measurements.
run() {
	name=io-$1-$2 label=$1 untrust=
	if [ "$3" = untrusted ]; then
		name=io-$1-u-$2 label=$1:untrusted
		untrust=" xen_blkfront.trusted=0 xen_netfront.trusted=0"
	fi
	tag="XENPV-BENCHIO $label $2"
	rm -f $img
	# Every block allocated now: the first write must not pay for tmpfs.
	if ! dd if=/dev/zero of=$img bs=1M count="$MB" 2>/dev/null; then
		echo "$tag error=no room for a $MB MiB image in /tmp"
		return
	fi
	cat > /tmp/$name.cfg <<CFG
name="$name"
type="pv"
kernel="$XENPV/domu-$1/bzImage"
ramdisk="$XENPV/domu-$1/initrd"
extra="console=hvc0 printk.time=1 xenpv.job=benchio xenpv.reps=$REPS xenpv.secs=$SECS$untrust"
memory=512
vcpus=1
cpus="1"
on_crash="preserve"
disk=['format=raw, vdev=xvdb, access=rw, target=$img']
vif=['bridge=xenbr0']
CFG
	# One server per boot, its figures in its own log; -i 0: no reports
	# in between (each costs the guest time).
	rm -f /tmp/iperf3.log
	iperf3 -s -B 10.0.0.1 -f m -i 0 --forceflush --logfile /tmp/iperf3.log &
	spid=$!
	# Paused until xl is done with the devices and their hotplug
	# scripts: none of that runs while the domU measures.
	if ! out=$($XL create -p /tmp/$name.cfg 2>&1) ||
	   ! tty=$(console_tty $name); then
		echo "$tag error=xl create: $(echo "$out" | tail -n 1)"
		$XL destroy $name >/dev/null 2>&1
		kill $spid
		wait $spid 2>/dev/null
		return
	fi
	$STRESS stamp "$tty" $TIMEOUT XENPV-BENCHIO-DONE | follow "$tag" &
	fpid=$!
	watch_domain $name "$tag"
	$XL unpause $name
	wait $fpid
	unwatch_domain
	$XL destroy $name
	kill $spid
	wait $spid 2>/dev/null
	# The server's summary of each test: "receiver" when the domU sent,
	# "sender" when it received (-R), the rate in Mbits/sec before it.
	awk -v tag="$tag" '
		/ receiver$/ { m = "net_tx" }
		/ sender$/ { m = "net_rx" }
		/ (receiver|sender)$/ {
			for (i = 2; i <= NF; i++)
				if ($i == "Mbits/sec")
					print tag " RESULT " m " " $(i - 1)
		}' /tmp/iperf3.log
	sed "s/^/$tag iperf3-server: /" /tmp/iperf3.log | grep -E '(receiver|sender)$'
	tr -d '\r' < "$(conlog $name)" | sed "s/^/[domU $name] /"
	rm -f "$(conlog $name)" $img
}

$XL vcpu-pin Domain-0 all 0 >/dev/null 2>&1
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for k in $(cat $XENPV/bench-kernels); do
		for m in $MODES; do
			run $k $r $m
		done
	done
done
echo "XENPV-BENCHIO-FINISHED"
