# domu-hotplug: attach and detach a disk (twice) and a network interface
# while the domU runs.  The guest reports what it sees every second, writes
# a pattern of the round to each new xvdc and configures each new eth0;
# dom0 checks the image holds that pattern, pings the guest, and that each
# detach leaves nothing behind (the guest's device, xl's list, dom0's loop
# device and bridge port).
img=/tmp/hp.img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-hp hotplug)
create "$cfg"
wait_for t-hp 'XENPV-HOTPLUG n=3 ' 180 >/dev/null || fail "the domU did not come up"
line=$(wait_for t-hp 'XENPV-HOTPLUG n=' 5)
case "$line" in *"disks=none nets=none"*) ;;
*) fail "the domU has devices before any attach: ${line#*XENPV-HOTPLUG }" ;; esac
domid=$($XL domid t-hp)

# loop_of FILE: the loop devices dom0 has on FILE.
loop_of() { losetup -a 2>/dev/null | grep -F "$1"; }
# xl_step SECONDS STEP XL-ARGS...: run xl with a time limit (without a
# frontend to answer, an attach can wait forever); fail naming STEP.  xl
# runs in the background, so nothing it leaves behind can block us.
xl_step() {
	_s=$1 _what=$2
	shift 2
	$XL "$@" > /tmp/xl-step.out 2>&1 &
	_pid=$! _i=0
	while kill -0 $_pid 2>/dev/null; do
		[ $((_i % 20)) = 0 ] && say "DEBUG heartbeat $_i: $(cat /proc/$_pid/wchan 2>/dev/null)"
		if [ $_i -ge $((_s * 2)) ]; then
			say "DEBUG timed out"
			for p in $_pid $(pidof xenstored) $(pidof xenconsoled); do
				say "DEBUG pid $p $(cat /proc/$p/cmdline | tr '\0' ' ') wchan=$(cat /proc/$p/wchan) state=$(grep State /proc/$p/status)"
				cat /proc/$p/stack 2>&1 | sed 's/^/[stack] /'
			done
			ps -o pid,ppid,stat,args 2>/dev/null | sed 's/^/[psall] /' || ps | sed 's/^/[psall] /'
			timeout 5 xenstore-ls /local/domain/0/backend/vif 2>&1 | sed 's/^/[xs] /'
			say "DEBUG xenstore rc=$?"
			sed "s/^/[xl $1] /" /tmp/xl-step.out
			ps | grep -E '[x]l |[v]if-|[b]lock ' | sed 's/^/[ps] /'
			kill -9 $_pid 2>/dev/null
			fail "$_what: xl $1 did not finish in $_s s"
		fi
		sleep 0.5
		_i=$((_i + 1))
	done
	wait $_pid
	_rc=$?
	sed "s/^/[xl $1] /" /tmp/xl-step.out
	[ $_rc = 0 ] ||
		fail "$_what: xl $1 failed: $(tail -n 2 /tmp/xl-step.out | tr '\n' ' ')"
}

for r in 1 2; do
	t0=$(date +%s)
	xl_step 120 "block-attach $r" block-attach t-hp "format=raw, vdev=xvdc, access=rw, target=$img"
	line=$(wait_for t-hp "XENPV-HOTPLUG-DISK-(WRITTEN|FAIL) xvdc round=$r " 120) ||
		fail "block-attach $r: the domU did not report xvdc written"
	case "$line" in *DISK-FAIL*) fail "block-attach $r: ${line#*XENPV-HOTPLUG-}" ;; esac
	guest=${line##*sha256=}
	want=$(yes xenpv-hotplug-$r | head -c 4194304 | sha256sum | cut -d' ' -f1)
	[ "$guest" = "$want" ] ||
		fail "block-attach $r: the domU read back $guest, expected $want"

	xl_step 120 "block-detach $r" block-detach t-hp xvdc
	wait_for t-hp "XENPV-HOTPLUG-DISK-REMOVED xvdc round=$r" 60 >/dev/null ||
		fail "block-detach $r: xvdc is still there in the domU"
	[ -n "$(dom_state t-hp)" ] || fail "block-detach $r: the domain is gone"
	[ "$($XL block-list t-hp 2>/dev/null | wc -l)" -le 1 ] ||
		fail "block-detach $r: xl block-list still lists: $($XL block-list t-hp | tail -n +2 | tr '\n' ' ')"
	xenstore-read /local/domain/0/backend/vbd/$domid/51744/state >/dev/null 2>&1 &&
		fail "block-detach $r: the backend's xenstore directory is still there"
	i=0
	while [ -n "$(loop_of $img)" ] && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	[ -z "$(loop_of $img)" ] ||
		fail "block-detach $r: dom0 still has a loop device on the image: $(loop_of $img)"
	have=$(head -c 4194304 $img | sha256sum | cut -d' ' -f1)
	[ "$have" = "$want" ] ||
		fail "block-detach $r: dom0 finds $have in the image, expected $want"
	say "block round $r: attached, written, detached, image verified in $(($(date +%s) - t0)) s"
done

t0=$(date +%s)
xl_step 120 network-attach network-attach t-hp bridge=xenbr0
line=$(wait_for t-hp 'XENPV-HOTPLUG-NET-(UP|FAIL) eth0 round=1' 120) ||
	fail "network-attach: the domU did not report eth0"
case "$line" in *NET-FAIL*) fail "network-attach: ${line#*XENPV-HOTPLUG-}" ;; esac
i=0
until ping -c 3 -W 5 10.0.0.2 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 3 ] || fail "network-attach: dom0 cannot ping the domU (10.0.0.2)"
done
devid=$($XL network-list t-hp | awk 'NR == 2 { print $1 }')
[ -n "$devid" ] || fail "network-attach: xl network-list shows no vif"
[ "$($XL network-list t-hp | wc -l)" = 2 ] ||
	fail "network-attach: xl network-list shows more than one vif"
ls /sys/class/net/xenbr0/brif 2>/dev/null | grep -q "^vif$domid\.$devid\$" ||
	fail "network-attach: vif$domid.$devid is not a port of xenbr0"

xl_step 120 network-detach network-detach t-hp "$devid"
wait_for t-hp 'XENPV-HOTPLUG-NET-REMOVED eth0 round=1' 60 >/dev/null ||
	fail "network-detach: eth0 is still there in the domU"
[ -n "$(dom_state t-hp)" ] || fail "network-detach: the domain is gone"
[ "$($XL network-list t-hp 2>/dev/null | wc -l)" -le 1 ] ||
	fail "network-detach: xl network-list still lists: $($XL network-list t-hp | tail -n +2 | tr '\n' ' ')"
[ ! -e /sys/class/net/vif$domid.$devid ] ||
	fail "network-detach: dom0 still has vif$domid.$devid"
say "network: attached, pinged, detached in $(($(date +%s) - t0)) s"
line=$(wait_for t-hp 'XENPV-HOTPLUG n=' 5)
n=$(echo "$line" | sed -n 's/.*XENPV-HOTPLUG n=\([0-9]*\) .*/\1/p')
line=$(wait_for t-hp "XENPV-HOTPLUG n=$((n + 2)) " 30) ||
	fail "the domU stopped reporting after the detaches"
case "$line" in *"disks=none nets=none"*) ;;
*) fail "the domU still has devices after the detaches: ${line#*XENPV-HOTPLUG }" ;; esac
timeout 120 $XL shutdown -w t-hp >/dev/null 2>&1 ||
	fail "xl shutdown -w did not finish after the detaches"
rm -f $img
pass "xvdc attached, written and detached twice (sha256 verified in both), vif attached, pinged, detached; nothing left behind"
