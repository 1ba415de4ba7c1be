# Helpers of the benchmark scripts (bench.sh, bench-io.sh); sourced after
# lib.sh.
#
# Under QEMU -icount the guest's clock counts instructions, and so does
# ours; but the guest's clock is the kernel under test's own code (ours
# implements the Xen clock itself), and a clock that ran slow would read
# as speed.  So every time the benchmarks report is taken outside the
# guest: from Xen's TSC stamps on its trace records (bench), from dom0's
# clock (the boot, bench-io's disk), or by dom0's iperf3 (the network).
#
# dom0 learns of a guest's progress from its console: xenpv-stress stamp
# sleeps on the console's pty and stamps each line with dom0's monotonic
# clock when it arrives.  Nothing in dom0 polls while a guest measures
# (its instructions would be taken from the guest's time).

STRESS=$XENPV/bin/xenpv-stress

# console_tty NAME: the pty xenconsoled gave NAME's console (it writes the
# path to xenstore soon after the domain appears).
console_tty() {
	_id=$($XL domid "$1" 2>/dev/null) || return 1
	_i=0
	until _t=$(xenstore-read /local/domain/$_id/console/tty 2>/dev/null); do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || return 1
		usleep 100000
	done
	echo "$_t"
}

# watch_domain NAME LABEL: in the background, wake when a domain dies or
# shuts down (xenstored fires @releaseDomain, once when the watch is set
# and then on each such event); if it is NAME, say so and destroy it, which
# closes its console and so ends its stamp reader.  Sets WATCH_PID; stop
# it with unwatch_domain before destroying NAME on purpose.
watch_domain() {
	(
		while xenstore-watch -n 2 @releaseDomain >/dev/null 2>&1; do
			case "$(dom_state "$1")" in
			*c*) echo "$2 error=the domU crashed"; break ;;
			*s*) echo "$2 error=the domU shut down"; break ;;
			"") echo "$2 error=the domU is gone"; break ;;
			esac
		done
		$XL destroy "$1" >/dev/null 2>&1
	) &
	WATCH_PID=$!
}

unwatch_domain() {
	kill "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
}
