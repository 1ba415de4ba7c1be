#!/bin/sh
# The dom0 side of "make bench-io".  For each domU kernel in
# /xenpv/bench-kernels, in turn: a fresh disk image in /tmp (tmpfs) as its
# xvdb and a vif on xenbr0, where dom0's iperf3 server listens; the domU
# (one vCPU, pinned alone on physical CPU 1; dom0 stays on CPU 0) runs the
# benchio job, and its results go to our console as
# "XENPV-BENCHIO <kernel> RESULT|NA|LOG ...".  /xenpv/bench-io.conf sets
# REPS (runs of each measurement), SECS (of each run) and MB (the disk).
. /xenpv/dom0/lib.sh
XENPV_TEST=bench-io
REPS=3 SECS=2 MB=128 TIMEOUT=3600
[ -f $XENPV/bench-io.conf ] && . $XENPV/bench-io.conf
img=/tmp/bench-io.img

# relay NAME KERNEL: copy the domU's results to our console as they come,
# until it is done, crashed or out of time.  Under -icount every
# instruction dom0 runs is time taken from the domU's measurement: look
# every 5 s, ask xl every 30 s.
relay() {
	_n=0 _p=0 _t0=$(cut -d. -f1 /proc/uptime)
	while :; do
		tr -d '\r' 2>/dev/null < "$(conlog "$1")" > /tmp/relay.log
		_all=$(wc -l < /tmp/relay.log)
		if [ "$_all" -gt $_n ]; then
			sed -n "$((_n + 1)),${_all}p" /tmp/relay.log |
				sed -nE "s/.*XENPV-BENCHIO-(RESULT|NA|LOG) /XENPV-BENCHIO $2 \1 /p"
			_n=$_all
		fi
		grep -q XENPV-BENCHIO-DONE /tmp/relay.log && return 0
		_p=$((_p + 1))
		if [ $((_p % 6)) = 0 ]; then
			case "$(dom_state "$1")" in
			*c*) echo "XENPV-BENCHIO $2 error=the domU crashed"; return 1 ;;
			"") echo "XENPV-BENCHIO $2 error=the domU is gone"; return 1 ;;
			esac
		fi
		if [ $(($(cut -d. -f1 /proc/uptime) - _t0)) -gt "$TIMEOUT" ]; then
			echo "XENPV-BENCHIO $2 error=the domU did not finish in $TIMEOUT s"
			return 1
		fi
		sleep 5
	done
}

$XL vcpu-pin Domain-0 all 0 >/dev/null 2>&1
iperf3 -s -B 10.0.0.1 >/tmp/iperf3-server.log 2>&1 &
spid=$!
for k in $(cat $XENPV/bench-kernels); do
	name=io-$k
	rm -f $img
	# Every block allocated now: the first write must not pay for tmpfs.
	if ! dd if=/dev/zero of=$img bs=1M count="$MB" 2>/dev/null; then
		echo "XENPV-BENCHIO $k error=no room for a $MB MiB image in /tmp"
		continue
	fi
	cat > /tmp/$name.cfg <<CFG
name="$name"
type="pv"
kernel="$XENPV/domu-$k/bzImage"
ramdisk="$XENPV/domu-$k/initrd"
extra="console=hvc0 printk.time=1 xenpv.job=benchio xenpv.reps=$REPS xenpv.secs=$SECS"
memory=512
vcpus=1
cpus="1"
on_crash="preserve"
disk=['format=raw, vdev=xvdb, access=rw, target=$img']
vif=['bridge=xenbr0']
CFG
	# Paused until xl is done with the devices and their hotplug
	# scripts: none of that runs while the domU measures.
	if ! out=$($XL create -p /tmp/$name.cfg 2>&1) || ! $XL unpause $name; then
		echo "XENPV-BENCHIO $k error=xl create: $(echo "$out" | tail -n 1)"
		$XL destroy $name >/dev/null 2>&1
		continue
	fi
	if wait_for $name 'XENPV-GUEST-UP' 600 >/dev/null; then
		echo "XENPV-BENCHIO $k up"
		relay $name $k
	else
		echo "XENPV-BENCHIO $k error=the domU did not boot"
	fi
	$XL destroy $name
	tr -d '\r' < "$(conlog $name)" | sed "s/^/[domU $name] /"
	rm -f "$(conlog $name)" $img
done
kill $spid
echo "XENPV-BENCHIO-FINISHED"
