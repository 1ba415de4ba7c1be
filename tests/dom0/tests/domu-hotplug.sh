# domu-hotplug: attach and detach a disk (twice) and a network interface
# while the domU runs.  The guest reports what it sees every second, writes
# a pattern named after the size of each new xvdc and configures each new
# eth0; dom0 checks the image holds that pattern, pings the guest, and that
# each detach leaves nothing behind (the guest's device, xl's list, the
# backend's store directory, dom0's loop device and bridge port).
img=/tmp/hp.img
rm -f $img
cfg=$(domu_cfg t-hp hotplug)
create "$cfg"
wait_for t-hp 'XENPV-HOTPLUG n=3 ' 180 >/dev/null || fail "the domU did not come up"
line=$(wait_for t-hp 'XENPV-HOTPLUG n=' 5)
case "$line" in *"disks=none nets=none"*) ;;
*) fail "the domU has devices before any attach: ${line#*XENPV-HOTPLUG }" ;; esac
domid=$($XL domid t-hp)

# loop_of FILE: the loop devices dom0 has on FILE.
loop_of() { losetup -a 2>/dev/null | grep -F "$1"; }

# The number of the guest's last listing, and the first listing after
# number N that matches REGEX, waiting up to SECONDS for it.
last_n() {
	tr -d '\r' < "$(conlog t-hp)" | sed -n 's/.*XENPV-HOTPLUG n=\([0-9]*\) .*/\1/p' | tail -n 1
}
listing_after() {
	_end=$(($(date +%s) + $3))
	while :; do
		_l=$(tr -d '\r' < "$(conlog t-hp)" | grep -a 'XENPV-HOTPLUG n=' |
			sed -n "s/.*XENPV-HOTPLUG n=\([0-9]*\) /\1 /p" |
			awk -v n="$1" '$1 > n' | grep -E "$2" | head -n 1)
		[ -z "$_l" ] || { echo "$_l"; return 0; }
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 1
	done
}

# xl_step SECONDS TRIES STEP XL-ARGS...: run xl with a time limit; fail
# naming STEP.  The output goes through a file: a child that xl leaves
# behind could hold a pipe open after xl is gone.  libxl gives a hotplug
# script 40 s, and a loaded host can make dom0 that slow (bash alone takes
# seconds to start then); that is no fault of the domU's, so with TRIES 2
# an attach that fails that way is tried once more, after removing what
# the failed attempt left: libxl cleans the store up after a failed
# detach but not after a failed attach (its backend directory stays, and
# the next attach would find the device "already exists"), and the killed
# script may have left a loop device.
xl_step() {
	_s=$1 _tries=$2 _what=$3
	shift 3
	while :; do
		timeout $_s $XL "$@" > /tmp/xl-step.out 2>&1
		_rc=$?
		sed "s/^/[xl $1] /" /tmp/xl-step.out
		[ $_rc != 143 ] || fail "$_what: xl $1 did not finish in $_s s"
		[ $_rc != 0 ] || return 0
		grep -q 'scripts/.* because of timeout' /tmp/xl-step.out ||
			fail "$_what: xl $1 failed: $(tail -n 2 /tmp/xl-step.out | tr '\n' ' ')"
		_tries=$((_tries - 1))
		[ $_tries -gt 0 ] ||
			fail "$_what: xl $1 failed: libxl killed dom0's hotplug script after its 40 s (is the host overloaded?)"
		say "$_what: libxl killed dom0's hotplug script after its 40 s; trying again"
		case "$1" in
		block-attach)
			timeout $_s $XL block-detach -f "$2" xvdc ;;
		network-attach)
			for _v in $($XL network-list "$2" 2>/dev/null |
				    awk 'NR > 1 { print $1 }'); do
				timeout $_s $XL network-detach "$2" "$_v"
			done ;;
		esac > /dev/null 2>&1
		for _d in $(loop_of $img | cut -d: -f1); do
			losetup -d "$_d"
		done
		sleep 5
	done
}

for r in 1 2; do
	t0=$(date +%s)
	# A size of its own for every attach: 16 MiB, then 24 MiB.
	mb=$((8 + 8 * r))
	sectors=$((mb * 2048))
	dd if=/dev/zero of=$img bs=1M count=0 seek=$mb 2>/dev/null || fail "cannot create $img"
	xl_step 120 2 "block-attach $r" block-attach t-hp "format=raw, vdev=xvdc, access=rw, target=$img"
	line=$(wait_for t-hp "XENPV-HOTPLUG-DISK-(WRITTEN|FAIL) xvdc size=$sectors " 120) ||
		fail "block-attach $r: the domU did not report writing an xvdc of $sectors sectors"
	case "$line" in *DISK-FAIL*) fail "block-attach $r: ${line#*XENPV-HOTPLUG-}" ;; esac
	guest=${line##*sha256=}
	want=$(yes xenpv-hotplug-$sectors | head -c 4194304 | sha256sum | cut -d' ' -f1)
	[ "$guest" = "$want" ] ||
		fail "block-attach $r: the domU read back $guest, expected $want"

	xl_step 120 1 "block-detach $r" block-detach t-hp xvdc
	listing_after "$(last_n)" 'disks=none ' 60 >/dev/null ||
		fail "block-detach $r: xvdc is still there in the domU"
	[ -n "$(dom_state t-hp)" ] || fail "block-detach $r: the domain is gone"
	[ "$($XL block-list t-hp 2>/dev/null | wc -l)" -le 1 ] ||
		fail "block-detach $r: xl block-list still lists: $($XL block-list t-hp | tail -n +2 | tr '\n' ' ')"
	xenstore-read /local/domain/0/backend/vbd/$domid/51744/state >/dev/null 2>&1 &&
		fail "block-detach $r: the backend's xenstore directory is still there"
	end=$(($(date +%s) + 10))
	while [ -n "$(loop_of $img)" ] && [ "$(date +%s)" -lt $end ]; do
		sleep 0.5
	done
	[ -z "$(loop_of $img)" ] ||
		fail "block-detach $r: dom0 still has a loop device on the image: $(loop_of $img)"
	have=$(head -c 4194304 $img | sha256sum | cut -d' ' -f1)
	[ "$have" = "$want" ] ||
		fail "block-detach $r: dom0 finds $have in the image, expected $want"
	say "block round $r: attached, written, detached, image verified in $(($(date +%s) - t0)) s"
done

t0=$(date +%s)
xl_step 120 2 network-attach network-attach t-hp bridge=xenbr0
[ "$($XL network-list t-hp | wc -l)" = 2 ] ||
	fail "network-attach: xl network-list does not show exactly one vif: $($XL network-list t-hp | tail -n +2 | tr '\n' ' ')"
devid=$($XL network-list t-hp | awk 'NR == 2 { print $1 }')
mac=$($XL network-list t-hp | awk 'NR == 2 { print $3 }')
line=$(wait_for t-hp "XENPV-HOTPLUG-NET-(UP|FAIL) eth0 mac=$mac" 120) ||
	fail "network-attach: the domU did not report an eth0 with MAC $mac"
case "$line" in *NET-FAIL*) fail "network-attach: ${line#*XENPV-HOTPLUG-}" ;; esac
i=0
until ping -c 3 -W 5 10.0.0.2 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 3 ] || fail "network-attach: dom0 cannot ping the domU (10.0.0.2)"
done
ls /sys/class/net/xenbr0/brif 2>/dev/null | grep -q "^vif$domid\.$devid\$" ||
	fail "network-attach: vif$domid.$devid is not a port of xenbr0"

xl_step 120 1 network-detach network-detach t-hp "$devid"
listing_after "$(last_n)" 'nets=none$' 60 >/dev/null ||
	fail "network-detach: eth0 is still there in the domU"
[ -n "$(dom_state t-hp)" ] || fail "network-detach: the domain is gone"
[ "$($XL network-list t-hp 2>/dev/null | wc -l)" -le 1 ] ||
	fail "network-detach: xl network-list still lists: $($XL network-list t-hp | tail -n +2 | tr '\n' ' ')"
[ ! -e /sys/class/net/vif$domid.$devid ] ||
	fail "network-detach: dom0 still has vif$domid.$devid"
say "network: attached, pinged, detached in $(($(date +%s) - t0)) s"
line=$(listing_after "$(last_n)" . 30) ||
	fail "the domU stopped reporting after the detaches"
case "$line" in *"disks=none nets=none"*) ;;
*) fail "the domU still has devices after the detaches: $line" ;; esac
timeout 120 $XL shutdown -w t-hp >/dev/null 2>&1 ||
	fail "xl shutdown -w did not finish after the detaches"
rm -f $img
pass "xvdc attached, written and detached twice (sha256 verified in both), vif attached, pinged, detached; nothing left behind"
