# Helpers for the dom0 side of the tests; sourced by init and run-test.sh.
#
# A test prints exactly one "XENPV-RESULT <test> PASS|FAIL <reason>" line,
# through pass or fail.  Guests report through their console, which
# xenconsoled logs to $CONDIR/guest-<name>.log.

# The harness self-tests (tests/harness/) run the tests' scripts on the
# build host with a stand-in for xl; these defaults are the real dom0's.
XL=${XL:-/usr/lib/xen-4.17/bin/xl}
XENCTX=${XENCTX:-/usr/lib/xen-4.17/bin/xenctx}
CONDIR=${CONDIR:-/var/log/xen/console}
XENPV=${XENPV:-/xenpv}

say() { echo "XENPV-LOG ${XENPV_TEST:-dom0}: $*"; }
result() { echo "XENPV-RESULT $XENPV_TEST $*"; }
pass() {
	[ -z "${GUEST_RELEASE:-}" ] || guests_as_expected
	result PASS "$*${GUEST_RELEASE:+ (guests: $GUEST_RELEASE, $_arch)}"
	exit 0
}
fail() { diagnose; result FAIL "$*"; exit 1; }

start_xen_daemons() {
	mount -t tmpfs -o size=600m tmpfs /tmp
	if ! mount -t xenfs xenfs /proc/xen; then
		echo "XENPV-DOM0-NOXEN cannot mount xenfs on /proc/xen"
		return 1
	fi
	xenstored --pid-file /run/xen/xenstored.pid ||
		echo "XENPV-DOM0-WARN xenstored failed to start"
	i=0
	until xenstore-read / >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "XENPV-DOM0-WARN xenstore is not answering"; break; }
		sleep 0.2
	done
	xen-init-dom0 || echo "XENPV-DOM0-WARN xen-init-dom0 failed"
	xenconsoled --log=guest --log-dir=$CONDIR --timestamp=guest ||
		echo "XENPV-DOM0-WARN xenconsoled failed to start"
	# The guests' network: a bridge with no uplink, dom0 at 10.0.0.1.
	brctl addbr xenbr0 && ip addr add 10.0.0.1/24 dev xenbr0 &&
		ip link set xenbr0 up && ip link set lo up ||
		echo "XENPV-DOM0-WARN cannot set up the xenbr0 bridge"
	echo "XENPV-DOM0-READY"
}

# domu_cfg NAME JOB [xl.cfg line...]: write a domU config, print its path.
# TYPE (pv), MEM (128), VCPUS (2), KERNEL ($XENPV/domu/bzImage), RAMDISK
# ($XENPV/domu/initrd) override the defaults; ARGS is added to the guest's
# command line.
domu_cfg() {
	_n=$1 _j=$2
	shift 2
	{
		echo "name=\"$_n\""
		echo "type=\"${TYPE:-pv}\""
		echo "kernel=\"${KERNEL:-$XENPV/domu/bzImage}\""
		echo "ramdisk=\"${RAMDISK:-$XENPV/domu/initrd}\""
		echo "extra=\"console=hvc0 printk.time=1 xenpv.job=$_j${ARGS:+ $ARGS}\""
		echo "memory=${MEM:-128}"
		echo "vcpus=${VCPUS:-2}"
		echo "on_crash=\"preserve\""
		for _l in "$@"; do echo "$_l"; done
	} > /tmp/$_n.cfg
	echo /tmp/$_n.cfg
}

# as_pvh TEST: run the dom0 side of TEST, a test written for a PV domU,
# with a PVH domU (TYPE=pvh) instead: the same steps and checks, the
# guest now started at its PVH entry on hardware-assisted paging.  One
# vCPU, on the one QEMU CPU of the pvh machine (QEMU 7.2's SVM emulation
# delivers some injected interrupts twice: QEMU_SVM_REDELIVERY in
# tests/ladder.py).  XENPV_TESTS is where the
# tests' scripts are (the harness self-tests run them from the source
# tree).
as_pvh() {
	TYPE=pvh
	VCPUS=1
	. "${XENPV_TESTS:-$XENPV/dom0/tests}/$1.sh"
}

# as_pvh32 TEST: TEST with a PVH domU of the i386 sibling of the domU
# kernel (ours32 for ours, anchor32 for the anchor): its bzImage, System.map
# and 32-bit initramfs from $XENPV/domu32 (XENPV_DOMU32), where the ladder
# puts them with the release they must report.  A pass asks more of it:
# every guest the test started said (XENPV-GUEST-UP) it runs that release
# as i686 or i386 ("uname -m", guests_as_expected), and its disks use the
# 32-bit ring layout, x86_32-abi (VBD_PROTOCOL, which domu-disk checks).
as_pvh32() {
	_d32=${XENPV_DOMU32:-$XENPV/domu32}
	[ -f "$_d32/bzImage" ] && [ -f "$_d32/release" ] ||
		fail "no 32-bit domU kernel in $_d32"
	KERNEL=$_d32/bzImage
	RAMDISK=$_d32/initrd
	SYSMAP=$_d32/System.map
	GUEST_RELEASE=$(cat "$_d32/release")
	GUEST_ARCH="i686 i386"
	VBD_PROTOCOL=x86_32-abi
	as_pvh "$1"
}

# guests_as_expected: every XENPV-GUEST-UP line on the consoles of this
# test (those put aside too; there must be one) says kernel=GUEST_RELEASE
# and an arch= of GUEST_ARCH; fails the test otherwise.  Sets _arch to the
# arch seen.
guests_as_expected() {
	_ups=$(find "$CONDIR" -type f -name '*.log' -exec cat {} + 2>/dev/null |
		tr -d '\r' | grep -a 'XENPV-GUEST-UP')
	[ -n "$_ups" ] || fail "no guest reported its kernel and arch (no XENPV-GUEST-UP)"
	_bad=$(echo "$_ups" | while read -r _l; do
		_k=$(echo "$_l" | sed -n 's/.* kernel=\([^ ]*\).*/\1/p')
		_a=$(echo "$_l" | sed -n 's/.* arch=\([^ ]*\).*/\1/p')
		case " $GUEST_ARCH " in
		*" ${_a:-none} "*) [ "$_k" = "$GUEST_RELEASE" ] || echo "kernel=$_k arch=$_a" ;;
		*) echo "kernel=$_k arch=${_a:-none}" ;;
		esac
	done | head -n 1)
	[ -z "$_bad" ] ||
		fail "a guest said $_bad, expected kernel=$GUEST_RELEASE and arch in: $GUEST_ARCH"
	_arch=$(echo "$_ups" | sed -n 's/.* arch=\([^ ]*\).*/\1/p' | sort -u | tr '\n' ' ')
	_arch=${_arch% }
}

# vbd_protocol NAME: the "protocol" node of each of NAME's vbds, as the
# frontend wrote it (one word each, "(none)" where it wrote none), sorted
# and unique, on one line.  The backend reads the ring with that layout:
# a 32-bit frontend must say x86_32-abi.
vbd_protocol() {
	_fe=/local/domain/$($XL domid "$1")/device/vbd
	_p=$(for _v in $(xenstore-list $_fe); do
		xenstore-read $_fe/$_v/protocol 2>/dev/null || echo "(none)"
	done | sort -u | tr '\n' ' ')
	echo "${_p% }"
}

# create CFG [xl create option...]: xl create, with xl's own words in the
# reason when it fails.
create() {
	_out=$($XL create "$@" 2>&1)
	_rc=$?
	[ -z "$_out" ] || echo "$_out" | sed 's/^/[xl create] /'
	[ $_rc = 0 ] && return 0
	fail "xl create failed: $(echo "$_out" |
		grep -iE 'error|fail|invalid|cannot|unable' | head -n 2 | tr '\n' ' ')"
}

# shutdown_gone NAME: xl shutdown -w NAME, then wait until the domain is
# gone: xl shutdown -w returns once it has shut down, and the xl process
# that created it destroys it afterwards (hotplug scripts; on the pvh
# profile's dom0 of one CPU often a moment later).  Fails the test when
# either takes too long.
shutdown_gone() {
	timeout 120 $XL shutdown -w "$1" || fail "xl shutdown -w did not finish in 120 s"
	_end=$(($(date +%s) + 60))
	while [ -n "$(dom_state "$1")" ] && [ "$(date +%s)" -lt $_end ]; do
		sleep 1
	done
	[ -z "$(dom_state "$1")" ] ||
		fail "the domain still exists 60 s after xl shutdown -w (state $(dom_state "$1"))"
}

# The state column of "xl list" (r b p s c d), empty if the domain is gone.
dom_state() {
	$XL list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'
}

dom_mem_mb() {
	$XL list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'
}

conlog() { echo "$CONDIR/guest-$1.log"; }

# highest_state NAME BOOT: the highest counter NAME's console shows for
# boot BOOT (XENPV-STATE lines), 0 if none.
highest_state() {
	tr -d '\r' < "$(conlog "$1")" 2>/dev/null | grep -a "XENPV-STATE boot=$2 " |
		sed -n 's/.* n=\([0-9]*\) .*/\1/p' | sort -n | tail -n 1 | grep . || echo 0
}

# running NAME: the domain exists and is neither paused, crashed nor dying.
running() {
	case "$(dom_state "$1")" in
	"" | *p* | *c* | *d*) return 1 ;;
	esac
}

# wait_for NAME REGEX SECONDS: wait for a line matching REGEX on NAME's
# console; print the last such line.  Fails early if the domain crashed.
# SECONDS are wall-clock seconds: under TCG one round of the loop (an xl
# list among others) can take seconds itself.
wait_for() {
	_end=$(($(date +%s) + $3))
	while :; do
		_l=$(tr -d '\r' < "$(conlog "$1")" 2>/dev/null | grep -aE "$2" | tail -n 1)
		if [ -n "$_l" ]; then
			echo "$_l"
			return 0
		fi
		case "$(dom_state "$1")" in
		*c*) say "$1 crashed"; return 1 ;;
		esac
		[ "$(date +%s)" -lt $_end ] || break
		sleep 0.5
	done
	say "timeout waiting for /$2/ on $1's console"
	return 1
}

# release_images FILE...: wait, 60 s at most, until no loop device of
# dom0's is on any FILE any more.  A test removes its disk images only
# after that: the block script's "remove" finds the image by its path, and
# takes a path that is gone for "nothing to do", so a file removed while
# still attached leaves its loop device behind for good.
release_images() {
	_end=$(($(date +%s) + 60))
	while :; do
		_left=
		for _f in "$@"; do
			_left="$_left$(losetup -a 2>/dev/null | grep -F "$_f")"
		done
		[ -n "$_left" ] || return 0
		[ "$(date +%s)" -lt $_end ] || break
		sleep 0.5
	done
	say "still attached after 60 s: $_left"
	return 1
}

# Print the vCPU state and stacks of every domU (a crashed one, or a hung
# one: a failed test often means a guest waits for ever), and Xen's recent
# messages.
diagnose() {
	$XL list 2>&1 | sed 's/^/[xl list] /'
	$XL list 2>/dev/null | awk 'NR > 2 { print $2, $5 }' |
		while read -r id st; do
			case "$st" in
			*c*) echo "[xenctx] domain $id crashed; its vCPU state and stack:" ;;
			*) echo "[xenctx] domain $id (state $st); its vCPU state and stack:" ;;
			esac
			$XENCTX -s ${SYSMAP:-$XENPV/domu/System.map} -S -a -C "$id" 2>&1 |
				sed 's/^/[xenctx] /'
		done
	$XL dmesg 2>&1 | tail -n 40 | sed 's/^/[xl dmesg] /'
}

# Report every domain left crashed, so the harness fails the test whatever
# the test said; destroy every domain but dom0; then print every console
# log, also those a test put aside (console_aside), and Xen's messages
# since the last test (xl dmesg -c): the harness scans all of it.
cleanup_domus() {
	$XL list 2>/dev/null | awk 'NR > 2 && $5 ~ /c/ { print $1 }' | while read -r d; do
		echo "XENPV-DOMU-CRASHED $d"
	done
	$XL list 2>/dev/null | awk 'NR > 2 { print $1 }' | while read -r d; do
		$XL destroy "$d" >/dev/null 2>&1
	done
	find "$CONDIR" -type f -name '*.log' 2>/dev/null | sort | while read -r f; do
		_n=${f#"$CONDIR"/}
		_n=${_n#guest-}
		sed "s|^|[domU ${_n%.log}] |" "$f"
		rm -f "$f"
	done
	xen_messages
}

# Xen's console ring since the last call, for the harness to scan.
xen_messages() {
	$XL dmesg -c 2>/dev/null | sed 's/^/[xl dmesg] /'
}

# console_aside NAME: start NAME's console log afresh (a restored domain
# of the same name gets a new one) and keep the old one where
# cleanup_domus still finds it.
console_aside() {
	mkdir -p "$CONDIR/aside"
	_k=0
	while [ -e "$CONDIR/aside/$1.$_k.log" ]; do _k=$((_k + 1)); done
	mv "$(conlog "$1")" "$CONDIR/aside/$1.$_k.log"
}
