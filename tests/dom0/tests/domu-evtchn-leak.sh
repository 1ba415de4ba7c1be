# domu-evtchn-leak: a frontend that connects again and again must not
# leave an event channel behind each time.  Each connection of blkfront
# or netfront allocates a port per ring (EVTCHNOP_alloc_unbound); only
# closing it gives it back, and a domain has a bounded number of them.
# A backend cycling Connected -> Closing -> Connected (issue 12, finding
# 7), or plain hotplug, would exhaust them.
#
# The domU's ports are counted by Xen itself: debug key 'e' dumps every
# domain's event channels into Xen's log ("Event channel information for
# domain N:", then one line per port in use, closed ones are not listed).
# We count the domU's before, after four disk attach/detach cycles of
# xvdc and after two vif cycles; the counts must not grow.
img=/tmp/evl.img
rm -f $img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-evl hotplug)
create "$cfg"
wait_for t-evl 'XENPV-HOTPLUG n=3 ' 180 >/dev/null || fail "the domU did not come up"
domid=$($XL domid t-evl)
[ -n "$domid" ] || fail "no domid for t-evl"

# ports: the number of event channels the domU has open, from Xen's dump.
ports() {
	$XL debug-keys e
	sleep 1
	$XL dmesg | awk -v h="Event channel information for domain $domid:" '
		index($0, h) { n = 0; seen = 1; on = 1; next }
		/Event channel information for domain/ { on = 0 }
		on && /^\(XEN\) +[0-9]+ \[/ { n++ }
		END { print seen ? n : "none" }'
}

# count_of REGEX: how many lines of the guest's console match.
count_of() { tr -d '\r' < "$(conlog t-evl)" | grep -ac "$1"; }

# wait_count REGEX N STEP: until the guest printed N such lines.
wait_count() {
	_t=0
	until [ "$(count_of "$1")" -ge "$2" ]; do
		_t=$((_t + 1))
		[ $_t -lt 90 ] || fail "$3: the guest did not show it in 90 s"
		sleep 1
	done
}

p0=$(ports)
[ "$p0" != none ] && [ "$p0" -gt 0 ] || fail "Xen's 'e' dump shows no ports for domain $domid ($p0)"
say "ports before: $p0"
i=0
while [ $i -lt 4 ]; do
	i=$((i + 1))
	timeout 120 $XL block-attach t-evl "format=raw, vdev=xvdc, access=rw, target=$img" ||
		fail "xl block-attach $i failed"
	wait_count 'XENPV-HOTPLUG-DISK-WRITTEN' $i "disk attach $i"
	timeout 120 $XL block-detach t-evl xvdc || fail "xl block-detach $i failed"
	say "disk cycle $i: ports $(ports)"
done
p1=$(ports)
i=0
while [ $i -lt 2 ]; do
	i=$((i + 1))
	timeout 120 $XL network-attach t-evl bridge=xenbr0 || fail "xl network-attach $i failed"
	n=$(count_of 'nets=eth0')
	wait_count 'nets=eth0' $((n + 1)) "vif attach $i"
	timeout 120 $XL network-detach t-evl 0 || fail "xl network-detach $i failed"
	say "vif cycle $i: ports $(ports)"
done
p2=$(ports)
$XL destroy t-evl
rm -f $img
[ "$p1" -le "$p0" ] || fail "the domU's ports went from $p0 to $p1 over 4 disk cycles"
[ "$p2" -le "$p0" ] || fail "the domU's ports went from $p0 to $p2 over 2 vif cycles"
pass "the domU's event channels: $p0 before, $p1 after 4 disk cycles, $p2 after 2 vif cycles"
