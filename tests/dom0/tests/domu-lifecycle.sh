# domu-lifecycle: create and end a domU with a file-backed disk (a loop
# device set up by the block script) and a vif on xenbr0, CYCLES times;
# each time the guest first reports that it reads xvda and pings dom0
# through eth0, so both backends are connected and have moved data when
# the domain ends.  Afterwards dom0 and Xen must be as before the first
# cycle: no loop device, vif netdev or bridge port left, no dying domain
# (a grant or foreign page dom0 still maps keeps a dead domain alive as a
# "(null)" zombie), no event channel of dom0's bound to a dead domain, no
# xenstore node left, and Xen's free memory and dom0's MemFree back
# within 1 %.

# The issue asks for 50 cycles.  A cycle costs some 22 s of QEMU's CPU
# time (measured on ours, 10 cycles, on a 2-core host with three other
# TCG machines running: 57-110 s of wall time each).  Most of it is dom0
# running xl and the bash hotplug scripts (block and vif-bridge, add and
# remove), not the guest: 50 cycles are some 18 min of one host core.
# The per-cycle lines this test prints say how long each took.  For a
# quicker look by hand, dom0's command line can ask for fewer
# (XENPV_DOM0_ARGS=xenpv.lifecycle_cycles=N); the result line always
# says how many ran.
CYCLES=50
for a in $(cat /proc/cmdline); do
	case "$a" in xenpv.lifecycle_cycles=[1-9]*) CYCLES=${a#*=} ;; esac
done
# Every SHUTDOWN_EVERY-th cycle ends with "xl shutdown": the guest closes
# its frontends itself and the backends go through their orderly
# disconnect.  The others end with "xl destroy": the frontend is gone
# without a word while the rings are live, and the backends must tear
# down a connected device on their own.  Both paths free the same
# resources by different code.
SHUTDOWN_EVERY=5
# Allowed drift of Xen's free memory and dom0's MemFree over the whole run,
# in per cent of the value before the first cycle (the issue's figure).
# Measured on ours over 10 cycles: Xen's exactly back, dom0's MemFree
# -0.10 % (890 kB, 540 kB of it already after the first cycle), so 1 %
# of a 1 GiB dom0 (9 MB) leaves room for that noise and still catches a
# leak of 180 kB a cycle over 50 cycles.  A leaked mapping of the
# guest's pages shows sooner, as a dying domain.
MEM_TOLERANCE=1

img=/tmp/lc.img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"

# Times in centiseconds of dom0's uptime, and as seconds between two of
# them, with builtins only: every program dom0 runs takes the one host
# thread of TCG away from the guest.
now() {
	read -r _u _ < /proc/uptime
	_u=${_u%.*}${_u#*.}
	echo $((_u))
}
secs() {
	_c=$(($2 - $1))
	echo "$((_c / 100)).$((_c % 100 / 10))"
}

# What a domain's devices leave behind in dom0 when torn down badly; each
# prints one item a line, nothing when clean.
bound_loops() {
	for _d in /sys/block/loop*/loop; do
		[ -d "$_d" ] || continue
		_b=${_d%/loop}
		echo "${_b##*/}:$(cat "$_d/backing_file" 2>/dev/null)"
	done
}
vif_netdevs() {
	for _d in /sys/class/net/vif*; do
		[ ! -e "$_d" ] || echo "${_d##*/}"
	done
}
bridge_ports() {
	for _d in /sys/class/net/xenbr0/brif/*; do
		[ ! -e "$_d" ] || echo "${_d##*/}"
	done
}
domus() { $XL list 2>/dev/null | awk 'NR > 2 { print $1 "(id " $2 ", state " $5 ")" }'; }

# settle SECONDS CHECK...: wait until the command CHECK prints nothing;
# print what it still prints after SECONDS.
settle() {
	_end=$(($(date +%s) + $1))
	shift
	while _o=$("$@") && [ -n "$_o" ]; do
		[ "$(date +%s)" -lt $_end ] || { echo "$_o" | tr '\n' ' '; return 1; }
		sleep 0.5
	done
}

# Every xenstore path, without values.
store_paths() { xenstore-ls -f / 2>/dev/null | sed 's/ = .*//' | sort; }

# dom0's event channels, from Xen's own table ('e' debug key): one line
# per port in use, "s=<state> ... d=<remote domain>" for interdomain (3)
# and unbound (2) ones.  The dump goes into Xen's console ring: print
# what is there before (xen_messages) for the harness to scan.
dom0_evtchns() {
	$XL debug-keys e >/dev/null 2>&1
	sleep 1
	$XL dmesg -c 2>/dev/null > /tmp/lc-evtchn.dump
	awk '/Event channel information for domain 0:/ { f = 1; next }
	     /Event channel information for domain/ { f = 0 }
	     f && /\[[0-9]\/[0-9]\// { sub(/^.*\(XEN\) */, ""); print }' /tmp/lc-evtchn.dump
}

# Xen's free memory (MiB) and dom0's MemFree (kB), with dom0's page cache
# and reclaimable slab dropped (and, with CONFIG_COMPACTION, the per-CPU
# free lists drained), so that what is left is memory in use.
xen_free_mb() { $XL info | awk '$1 == "free_memory" { print $3 }'; }
dom0_free_kb() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	[ ! -w /proc/sys/vm/compact_memory ] || echo 1 > /proc/sys/vm/compact_memory
	awk '$1 == "MemFree:" { print $2 }' /proc/meminfo
}

# within BEFORE AFTER: AFTER is no more than MEM_TOLERANCE % below BEFORE.
within() {
	awk -v a="$1" -v b="$2" -v t=$MEM_TOLERANCE 'BEGIN { exit !(b >= a * (1 - t / 100)) }'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f %%", (b - a) * 100 / a }'; }

[ -z "$(domus)" ] || fail "domains are left from an earlier test: $(domus | tr '\n' ' ')"
[ -z "$(bound_loops)$(vif_netdevs)$(bridge_ports)" ] ||
	fail "dom0 is not clean before the first cycle: $(bound_loops; vif_netdevs; bridge_ports)"
xen_messages
ev0=$(dom0_evtchns)
[ -n "$ev0" ] || fail "cannot read dom0's event channels from Xen's 'e' debug key"
store_paths > /tmp/lc-store.0
xen0=$(xen_free_mb)
dom00=$(dom0_free_kb)
say "before: $(echo "$ev0" | wc -l) event channels in dom0, $(wc -l < /tmp/lc-store.0) xenstore paths, Xen free ${xen0} MiB, dom0 MemFree ${dom00} kB"

# ready NAME SECONDS: wait for NAME's report on its console; print it.
# Under TCG one host thread runs every vCPU, dom0's too, and a fork in a
# PV domain is slow: the loop reads the log with the shell's builtins,
# and asks xl whether the domain crashed every 5 s only.
cr=$(printf '\r')
ready() {
	_log=$CONDIR/guest-$1.log _k=0
	while :; do
		if [ -f "$_log" ]; then
			while read -r _l; do
				case "$_l" in
				*XENPV-LIFECYCLE-*)
					_l=${_l%"$cr"}
					echo "XENPV-LIFECYCLE-${_l#*XENPV-LIFECYCLE-}"
					return 0
					;;
				esac
			done < "$_log"
		fi
		_k=$((_k + 1))
		if [ $((_k % 10)) = 0 ]; then
			case "$(dom_state "$1")" in *c*) echo "crashed"; return 1 ;; esac
		fi
		[ $_k -lt $(($2 * 2)) ] || { echo "no report in $2 s"; return 1; }
		sleep 0.5
	done
}

# create_cycle CFG NAME: xl create, tried once more when it failed only
# because libxl killed a hotplug script after its 40 s.  A loaded host
# makes dom0 that slow (see domu-hotplug); that is no fault of the
# backends', but the loop device the killed "block add" may have set up
# must go, or the end of the test would count it as leaked.
retries=0
create_cycle() {
	_try=1
	while :; do
		timeout 180 $XL create "$1" > /tmp/lc-create.out 2>&1
		_rc=$?
		grep -v '^Parsing config' /tmp/lc-create.out | sed 's/^/[xl create] /'
		[ $_rc != 0 ] || return 0
		if ! grep -q 'scripts/.* because of timeout' /tmp/lc-create.out ||
		   [ $_try != 1 ]; then
			_why=$(grep -iE 'error|fail|invalid|cannot|unable' /tmp/lc-create.out |
				head -n 2 | tr '\n' ' ')
			fail "cycle $i: xl create failed (status $_rc): $_why"
		fi
		say "cycle $i: libxl killed a hotplug script after its 40 s; trying again"
		$XL destroy "$2" >/dev/null 2>&1
		for _d in $(bound_loops | grep -F "$img" | cut -d: -f1); do
			losetup -d /dev/$_d
		done
		_try=2 retries=$((retries + 1))
		sleep 5
	done
}

# A small, quick guest: one vCPU, 64 MiB, the kernel as an ELF file when
# the ladder gave one (libxenguest then has no bzImage to unpack), the
# kernel's messages from warnings up only (the console log of every
# cycle is kept for the harness to scan), and rc.lifecycle as its init.
kernel=$XENPV/domu/bzImage
[ ! -f $XENPV/domu/vmlinux ] || kernel=$XENPV/domu/vmlinux
say "domU kernel: $kernel"
t_all=$(now)
domids=
i=1
while [ $i -le $CYCLES ]; do
	t0=$(now)
	n=t-lc$i
	# What the guest must read back from xvda's first line.
	printf 'xenpv-lifecycle-%d\n' $i 1<> $img
	cfg=$(KERNEL=$kernel VCPUS=1 MEM=64 ARGS="rdinit=/etc/rc.lifecycle loglevel=5" \
		domu_cfg $n lifecycle \
		"disk=['format=raw, vdev=xvda, access=rw, target=$img']" \
		"vif=['bridge=xenbr0']")
	create_cycle "$cfg" $n
	tc=$(now)
	id=$($XL domid $n)
	domids="$domids $id"
	line=$(ready $n 120) ||
		fail "cycle $i: the domU (id $id) did not report its disk and network: $line"
	case "$line" in
	*"READY xvda=xenpv-lifecycle-$i "*ping=ok*) ;;
	*) fail "cycle $i: the domU (id $id): ${line#*XENPV-LIFECYCLE-}" ;;
	esac
	t1=$(now)
	# xl shutdown -w returns once the domain has shut down; the xl
	# process that created it then destroys it (on_poweroff), hotplug
	# scripts and all, which on a loaded host takes a minute.  xl
	# destroy returns when all that is done: what Xen still lists
	# 30 s later is a dying domain something in dom0 still maps.
	if [ $((i % SHUTDOWN_EVERY)) = 0 ]; then
		how=shutdown wait=150
		timeout 120 $XL shutdown -w $n >/dev/null 2>&1 ||
			fail "cycle $i: xl shutdown -w of domain $id did not finish in 120 s"
	else
		how=destroy wait=30
		timeout 60 $XL destroy $n ||
			fail "cycle $i: xl destroy of domain $id failed or took over 60 s"
	fi
	left=$(settle $wait domus) ||
		fail "cycle $i: $wait s after xl $how, Xen still has $left (a dying domain dom0 still maps pages of?)"
	left=$(settle 10 bound_loops) ||
		fail "cycle $i: after xl $how of domain $id, dom0 still has loop devices: $left"
	left=$(settle 10 vif_netdevs) ||
		fail "cycle $i: after xl $how of domain $id, dom0 still has vif netdevs: $left"
	left=$(settle 10 bridge_ports) ||
		fail "cycle $i: after xl $how of domain $id, xenbr0 still has ports: $left"
	for t in vbd vif console; do
		! xenstore-read /local/domain/0/backend/$t/$id >/dev/null 2>&1 ||
			fail "cycle $i: after xl $how, xenstore still has /local/domain/0/backend/$t/$id"
	done
	# Xen's console ring holds some 16 kB: empty it for the harness
	# now and then.
	[ $((i % 10)) != 0 ] || xen_messages
	t2=$(now)
	say "cycle $i: domain $id: xl create $(secs $t0 $tc) s, ready (disk read, dom0 pinged) $(secs $tc $t1) s later; xl $how and checks $(secs $t1 $t2) s; cycle $(secs $t0 $t2) s"
	[ $i != 1 ] || dom01=$(dom0_free_kb)
	i=$((i + 1))
done
total=$(secs $t_all $(now))

# Everything once more, against the values before the first cycle.
problems=
xen_messages
ev1=$(dom0_evtchns)
# Ports of dom0's whose other end is a domain: with every domU gone, only
# those to dom0 itself (xenstored's and the local xenstore's) may remain.
stale=$(echo "$ev1" | grep -E 's=[23] .*d=[0-9]+' | grep -vE 'd=0( |$)')
[ -z "$stale" ] ||
	problems="$problems; dom0 event channels to dead domains: $(echo "$stale" | head -n 5 | tr '\n' ';')"
[ "$(echo "$ev1" | wc -l)" = "$(echo "$ev0" | wc -l)" ] ||
	problems="$problems; dom0 has $(echo "$ev1" | wc -l) event channels, $(echo "$ev0" | wc -l) before"
# Any path that was not there before (under /vm, /libxl, /local/domain,
# the backends' directories, anywhere), but for the empty parents that
# the first domain of a boot creates and nobody removes: /vm, /libxl,
# dom0's backend directory and one directory per device type in it.
store_paths > /tmp/lc-store.1
new=$(awk 'NR == FNR { had[$0] = 1; next } !had[$0]' /tmp/lc-store.0 /tmp/lc-store.1 |
	grep -vxE '/vm|/libxl|/local/domain/0/backend(/[a-z0-9_]+)?')
[ -z "$new" ] ||
	problems="$problems; new xenstore paths: $(echo "$new" | head -n 8 | tr '\n' ' ')"
left=$(xenstore-list /local/domain | tr '\n' ' ')
[ "$left" = "0 " ] || problems="$problems; /local/domain lists: $left"
for t in $(xenstore-list /local/domain/0/backend 2>/dev/null); do
	have=$(xenstore-list /local/domain/0/backend/$t 2>/dev/null | tr '\n' ' ')
	[ -z "$have" ] || problems="$problems; backend/$t still has domains: $have"
done
[ -z "$(domus)" ] || problems="$problems; domains left: $(domus | tr '\n' ' ')"
[ -z "$(bound_loops)" ] || problems="$problems; loop devices: $(bound_loops | tr '\n' ' ')"
[ -z "$(vif_netdevs)" ] || problems="$problems; vif netdevs: $(vif_netdevs | tr '\n' ' ')"
[ -z "$(bridge_ports)" ] || problems="$problems; bridge ports: $(bridge_ports | tr '\n' ' ')"
xen1=$(xen_free_mb)
dom01x=$(dom0_free_kb)
within "$xen0" "$xen1" ||
	problems="$problems; Xen free memory ${xen0} -> ${xen1} MiB ($(pct $xen0 $xen1))"
within "$dom00" "$dom01x" ||
	problems="$problems; dom0 MemFree ${dom00} -> ${dom01x} kB ($(pct $dom00 $dom01x))"
say "after $CYCLES cycles: $(echo "$ev1" | wc -l) event channels in dom0, $(wc -l < /tmp/lc-store.1) xenstore paths, Xen free ${xen1} MiB ($(pct $xen0 $xen1)), dom0 MemFree ${dom01x} kB ($(pct $dom00 $dom01x); ${dom01} kB after the first cycle)"
[ -z "$problems" ] || fail "after $CYCLES cycles (domids$domids):${problems#;}"
rm -f $img
[ $retries = 0 ] || say "xl create was tried again $retries times after a hotplug script's timeout"
pass "$CYCLES cycles ($((CYCLES / SHUTDOWN_EVERY)) xl shutdown, $((CYCLES - CYCLES / SHUTDOWN_EVERY)) xl destroy) of a domU with a loop-backed disk and a bridged vif in $total s; no loop device, vif, bridge port, dying domain, dom0 event channel or xenstore node left; Xen free memory $(pct $xen0 $xen1), dom0 MemFree $(pct $dom00 $dom01x)"
