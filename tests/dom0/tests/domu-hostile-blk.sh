# domu-hostile-blk: dom0's xenpv-hostile-backend attacks the domU's
# blkfront (issue 12), one scenario per run of the tool: every blk
# scenario the tool has, some in more than one variant.
#
# The domU (job "hostileblk") boots with an ordinary xvdb and vif from
# dom0's real backends.  Each run of the tool adds an xvdh from a backend
# path of its own, serves it, breaks one rule of blkif.h and removes the
# device again.  The guest prints a tick every second, and whenever xvdh
# is there writes a pattern to it and reads it back with O_DIRECT, one
# line per round (rc.job).  The test asks the guest things through
# sector 0 of xvdb, whose image file is dom0's (hb_ask): its grant and
# event channel counts, or to scan its memory for a canary.  An answer
# also shows xvdb, served by dom0's real blkback, still works.
# A scenario passes when
#  - the tool carried it out (exit 0; blk-normal: and the guest verified
#    what it wrote, with no failed round);
#  - the guest's ticks go on after the tool is gone, and it answers a
#    request through xvdb, which reads (xvdb=ok);
#  - xvdh is gone from the guest within 60 s of the tool's exit (the
#    frontend let go of the device);
#  - the guest's grant and event channel counts (/sys/hypervisor/usage of our
#    kernel) are no higher than before the scenario, xvdh gone both
#    times: more is a leak.  Without those files (the anchor's kernel)
#    the guest says "counters: n/a" and that part is not judged; the
#    scenario's line says so;
#  - the guest's console since the scenario began has no BUG, WARNING,
#    Oops, soft lockup or RCU stall, and no fault of a process ("traps:",
#    "segfault at": in this guest, its memory changed behind its back);
#  - blk-keep-mapped (-u: with trusted=0 for the frontend): while the tool
#    writes its canary, one per scenario, into the pages it kept mapped,
#    the guest fills most of its free memory with a pattern of its own
#    and never finds the canary in it;
#  - blk-event-storm: while the storm goes on the ticks keep coming and
#    xvdb answers;
#  - blk-close-dispatch (finding 11): the tool offers two queues of
#    one-page rings and holds every request; the guest floods xvdh from
#    both vCPUs (48 O_DIRECT readers each) with xenwatch moved to the last
#    vCPU, so that both rings fill and more readers wait for a tag; then
#    the tool answers queue 0's requests without an event and says
#    Closing.  Taking those answers frees queue 0's tags and wakes
#    readers on vCPU 0 while xenwatch, on vCPU 1, still fails queue 1: a
#    frontend that lets them dispatch puts requests on a ring nobody
#    serves, and never closes: xvdh leaves sysfs, then xenwatch waits in
#    del_gendisk for ever.  The tool must see the frontend Closed.
#    Timing, not forced: vCPU 0 must run within the ~10 ms xenwatch
#    spends on queue 1.  blkfront before 84d7208 failed 5 of 8 runs
#    (and 4 of 6 with a looser revert); today's passed 7 of 7.  So it
#    runs three times (blk-close-dispatch-r1, -r2, -r3), each judged
#    on its own: 84d7208's disconnect undone on today's blkfront failed
#    all 3 repeats (1, 1 and 10 requests after Closing), today's passed
#    3 of 3;
#  - blk-ring-shrink, blk-restore-connected, blk-restore-sector: the tool
#    waits while the test saves and restores the guest (xl save, xl
#    restore), and follows it into its new domain by name.
#    blk-ring-shrink runs last, on a guest booted with
#    xen_blkfront.max_ring_page_order=4: with blkfront's default one-page
#    ring there is nothing to shrink (the test says "not exercised" if
#    the tool saw no larger ring).  blk-restore-sector offers the
#    restored disk 4096-byte sectors instead of its 512: the guest must
#    refuse it, and say so.
# A guest that died or hung is booted again for the next scenario.
#
# Frontend holes issue 12 found are not fixed here: a scenario one of
# them makes fail is listed in KNOWN below with its finding, and reported
# by that name.  The test still FAILs whenever any scenario fails, known
# or not (the reason starts "known failures only:" when all of them are
# listed), and names a listed scenario that passed this run.
#
# The scenarios: the tool's name, or the name and a variant ("-v1": -V 1,
# "-u": -u), or a repeat of a race ("-r2": the same scenario again, on a
# guest booted anew if the one before failed, judged on its own).
# blk-cycle and blk-flap repeat -n times (CYCLES, FLAPS), blk-state-loop
# writes STATE_WRITES times: the tool's 20000 did not fit in 300 s (6640
# writes in 300 s measured, 2 QEMUs besides ours), nor do its 200 cycles
# in minutes (60 cycles took 336 s; 40 still show any growth of the
# counts).
SCENARIOS="blk-normal blk-keep-mapped blk-keep-mapped-u blk-restore-connected
blk-restore-sector blk-event-storm-v0 blk-event-storm-v1 blk-close-inflight-v1 blk-stale-id
blk-bad-op blk-state-loop-v0 blk-state-loop-v1 blk-state-loop-v2 blk-cycle
blk-flap blk-bad-status blk-bad-id blk-prod-ahead blk-prod-behind blk-dup-id
blk-close-inflight blk-close-dispatch-r1 blk-close-dispatch-r2 blk-close-dispatch-r3
blk-ring-shrink"
CYCLES=40
FLAPS=30
STATE_WRITES=2000

# Known failures: kernel (xenpv = ours, anchor = upstream's frontend),
# scenario, issue 12 finding.  Measured on the ladder (dom0 = anchor):
#  - anchor blk-bad-id, blk-prod-ahead, blk-dup-id: upstream's blkfront
#    says "xvdh disabled for further use" and leaves the requests still
#    in flight pending for ever; the guest's dd waits on them, the open
#    disk is never deleted, and xvdh stays after the backend is gone.
#  - anchor blk-close-inflight: it goes Closed at once, with the held
#    requests still pending for ever: the same, finding 3's class (a
#    disk whose teardown waits on I/O nobody will complete).
#  - anchor blk-keep-mapped, blk-keep-mapped-u: "backed has not unmapped
#    grant: N", "xvdh disabled for further use": upstream keeps the
#    pages (the canary scan stays clean: 4 and 2 rounds of 60 MiB) but
#    leaves the read pending for ever, and xvdh stays (finding 3's
#    class again).
#  - anchor blk-close-dispatch-r1, -r2, -r3: not finding 11's race (no
#    request reached a ring after Closing) but blk-close-inflight's
#    hole: it says Closed within a second and leaves the held requests
#    pending for ever, and xvdh stays (label h40-anchor1).
#  - anchor blk-restore-sector (none of the 13 findings): upstream's
#    blkfront takes the restored disk from a backend that now says
#    4096-byte sectors, where it had 512, and goes on sending it
#    requests sized and aligned for 512 (496 answered in 20 s).
# Ours passes all of them: it fails the outstanding requests ("device
# stopped", I/O error), gives up any page the backend keeps mapped (its
# data never travels in the kernel's own pages) and lets the disk go.
# Before issue 12's blkfront fixes it failed blk-keep-mapped and -u
# (finding 1: the canary reached the guest's own processes, "rc.job:
# general protection fault ip:312d332d5952414e", bytes of the canary),
# blk-restore-connected (finding 2: "BUG: kernel NULL pointer
# dereference" in blkfront_queue_rq) and blk-normal now and then
# (finding 3: xenwatch waiting on requests kept for their grants).
# A listed scenario may pass (some of these are timing): reported, not
# failed.
KNOWN="
anchor blk-bad-id 3
anchor blk-prod-ahead 3
anchor blk-dup-id 3
anchor blk-close-inflight 3
anchor blk-close-dispatch-r1 3
anchor blk-close-dispatch-r2 3
anchor blk-close-dispatch-r3 3
anchor blk-keep-mapped 3
anchor blk-keep-mapped-u 3
anchor blk-restore-sector -
"

BAD='BUG:|WARNING:|Oops|soft lockup|rcu.*(stall|detected)|Call Trace|Kernel panic|traps: |segfault at'
img=/tmp/hb-xvdb.img
rm -f $img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"
disks="disk=['format=raw, vdev=xvdb, access=rw, target=$img']"
cfg=$(domu_cfg t-hblk hostileblk "$disks" "vif=['bridge=xenbr0']")
# blk-ring-shrink needs a frontend that takes the multi-page ring the
# tool offers (order 4) before the restore; blkfront's default is one
# page, and a one-page ring cannot shrink.  That scenario gets a guest of
# its own, booted with this config, and the same 128 MiB as the others:
# blkfront's page pools grow with the I/O, so 16-page rings cost little
# more up front (set up whole, 512 x 33 pages a ring, they exhausted this
# guest's memory at boot and the grant table at the reconnect).
cp "$cfg" /tmp/t-hblk-order4.cfg
sed -i 's/^extra="\(.*\)"$/extra="\1 xen_blkfront.max_ring_page_order=4"/' /tmp/t-hblk-order4.cfg
grep -q 'max_ring_page_order=4"$' /tmp/t-hblk-order4.cfg || fail "cannot write /tmp/t-hblk-order4.cfg"
t_all=$(date +%s)

. /xenpv/dom0/hostile-lib.sh
HB_DOM=t-hblk HB_CFG=$cfg HB_IMG=$img
# This guest leaves eth0 unconfigured: nothing to shake before a count.
HB_SHAKE=0

# tool_line REGEX SECONDS: wait until the tool's output has a line
# matching REGEX; fail if it exits first or after SECONDS.
tool_line() {
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt $_end ]; do
		grep -qE "$1" /tmp/hb-$sc.out && return 0
		kill -0 $tpid 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# While the tool runs: what some scenarios need from the test, and what
# must hold while they go on.  Adds to $why and $notes.
during_canary() {
	if ! tool_line 'canary .* for [0-9]+ s' 240; then
		why="$why the tool never reached its canary phase;"
		return
	fi
	secs=$(sed -n 's/.*canary .* for \([0-9]*\) s.*/\1/p' /tmp/hb-$sc.out | head -n 1)
	hb_ask "scan $canary $((secs - 5))" || {
		why="$why the guest did not take the scan request;"
		return
	}
	n=$hb_cmdno
	res=$(wait_for t-hblk "XENPV-HBLK-CANARY $n " $((secs + 60))) || {
		why="$why no scan result from the guest;"
		return
	}
	say "canary scan: ${res#*XENPV-HBLK-CANARY $n }"
	case "$res" in
	*" found:"*) why="$why canary $canary in the guest's reused memory (${res#* found: });" ;;
	*" clean:"*) notes="$notes canary not seen;" ;;
	esac
}

during_storm() {
	if ! tool_line 'warm-up:' 120; then
		why="$why the storm never started;"
		return
	fi
	sleep 3
	s0=$(hb_tick) t0=$(date +%s)
	hb_ask count 25 || why="$why xvdb did not answer within 25 s during the storm;"
	t1=$(date +%s)
	wait_for t-hblk "XENPV-HB tick=$((${s0:-0} + 10))\$" 25 >/dev/null ||
		why="$why the heartbeat slowed to $(($(hb_tick) - ${s0:-0})) tick(s) in 25 s during the storm;"
	say "during the storm: xvdb answered in $((t1 - t0)) s, ticks $s0 -> $(hb_tick) in $(($(date +%s) - t0)) s"
}

during_flood() {
	if ! tool_line 'holding every request' 120; then
		why="$why the tool never held the rings;"
		return
	fi
	# A loaded machine slows the guest down: from the tool's "holding"
	# to full rings took 72 to 156 s at a load of 15 to 18 on 2 cores
	# (7 s on an idle machine), and 60 s was too short for all of 3
	# runs.  The tool (-T) waits up to 240 s for them, and as long for
	# the frontend to close; the readers go on until xvdh goes.
	hb_ask "flood 400" 240 || {
		why="$why the guest did not take the flood request;"
		return
	}
	say "flood: ${answer#*XENPV-HBLK-ACK $hb_cmdno }"
	case "$answer" in
	*"cannot flood"*) why="$why not exercised: ${answer#*ACK $hb_cmdno };" ;;
	esac
}

during_restore() {
	if ! tool_line 'waiting [0-9]+ s for the guest to be saved' 120; then
		why="$why the tool never waited for the save;"
		return
	fi
	timeout 300 $XL save t-hblk /tmp/hb.save > /tmp/hb-xl.log 2>&1 &&
		timeout 300 $XL restore /tmp/hb.save >> /tmp/hb-xl.log 2>&1
	xrc=$?
	rm -f /tmp/hb.save
	sed "s/^/[$sc xl] /" /tmp/hb-xl.log
	if [ $xrc != 0 ]; then
		why="$why xl save/restore failed: $(grep -aiE 'error|fail|cannot|unable' /tmp/hb-xl.log | head -n 2 | tr '\n' ' ');"
		kill $tpid 2>/dev/null
		return
	fi
	domid=$($XL domid t-hblk)
	say "restored as domain $domid"
}

last=$(echo $SCENARIOS | awk '{ print $NF }')
hb_boot
pass_list= known_list= bad_list= fixed_list=
i=0
for sc in $SCENARIOS; do
	i=$((i + 1))
	t_sc=$(date +%s)
	start=$(hb_lines | wc -l)
	say "scenario $sc on $kind: start (console line $start)"
	why= notes=
	tsc=$sc opts= during= limit=300
	canary=HBCANARY-$i-$(date +%s)
	case $sc in
	blk-normal) opts="-t 30" ;;
	*-v[0-9]) tsc=${sc%-v*} opts="-V ${sc##*-v}" ;;
	esac
	case $sc in
	blk-keep-mapped) opts="-c $canary" during=canary ;;
	blk-keep-mapped-u) tsc=blk-keep-mapped opts="-u -c $canary" during=canary ;;
	blk-event-storm-*) during=storm ;;
	blk-close-dispatch-r*) tsc=blk-close-dispatch opts="-T 240" during=flood limit=720 ;;
	blk-state-loop-*) opts="$opts -n $STATE_WRITES" ;;
	blk-cycle) opts="-n $CYCLES" limit=600 ;;
	blk-flap) opts="-n $FLAPS" limit=600 ;;
	blk-ring-shrink | blk-restore-*) during=restore limit=900 ;;
	esac
	if [ $sc = blk-ring-shrink ]; then
		hb_boot /tmp/t-hblk-order4.cfg
		start=$(hb_lines | wc -l)
	fi
	# Grants and event channels before, xvdh not there.
	c0=
	if hb_ask count; then c0=$answer; fi
	timeout $limit $XENPV/bin/xenpv-hostile-backend $opts "$domid" $tsc > /tmp/hb-$sc.out 2>&1 &
	tpid=$!
	[ -z "$during" ] || during_$during
	wait $tpid
	rc=$?
	sed "s/^/[$sc] /" /tmp/hb-$sc.out
	[ $rc = 0 ] || why="$why tool exit $rc;"
	# Finding 5 needs a ring that really shrinks.
	if [ $sc = blk-ring-shrink ]; then
		ro=$(sed -n 's/.*reconnected: ring order \([0-9]*\), was \([0-9]*\).*/\2 -> \1/p' /tmp/hb-$sc.out)
		case "$ro" in
		"") notes="$notes no reconnection after the restore;" ;;
		"0 -> 0") why="$why not exercised: the frontend used a one-page ring before the restore;" ;;
		*) notes="$notes ring order $ro;" ;;
		esac
	fi
	# The restored disk must not be taken with other sectors than its
	# own: the guest says so when it refuses the new backend.
	if [ $sc = blk-restore-sector ]; then
		if ! grep -q 'sector-size 4096, was 512' /tmp/hb-$sc.out; then
			why="$why not exercised: the tool never offered the restored disk 4096-byte sectors;"
		elif ! hb_since "$start" | grep -aq 'has 4096-byte sectors, the disk 512-byte'; then
			why="$why the guest took its restored disk with 4096-byte sectors;"
		fi
	fi
	# The disk leaves sysfs before deleting it waits for its requests:
	# a frontend stuck there is seen by the tool, which it never answers
	# Closed.
	if [ $tsc = blk-close-dispatch ]; then
		late=$(sed -n 's/.*after Closing: \(.*\) request(s) reached the rings.*/\1/p' /tmp/hb-$sc.out)
		notes="$notes after Closing ${late:-?} request(s) reached the rings;"
		grep -q 'the frontend did not close' /tmp/hb-$sc.out &&
			why="$why the frontend never closed (${late:-?} request(s) reached the rings after Closing: removing the disk waits for them);"
	fi
	# After the tool: xvdh must go, and the guest tick on for 10 more.
	t0=$(hb_tick)
	gone=
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $end ]; do
		hb_lines | tail -n +"$start" | grep -aq 'XENPV-HBLK-GONE' && { gone=1; break; }
		hb_lines | tail -n +"$start" | grep -aq 'XENPV-HBLK-SEEN' || { gone=never; break; }
		sleep 1
	done
	[ -n "$gone" ] || why="$why xvdh still in the guest 60 s after the tool;"
	[ "$gone" = never ] && [ $rc = 0 ] && why="$why the guest never saw xvdh;"
	t1=$((${t0:-0} + 10))
	wait_for t-hblk "XENPV-HB tick=$t1\$" 90 >/dev/null ||
		why="$why heartbeat stopped at tick $(hb_tick) (wanted $t1; domain state '$(dom_state t-hblk)');"
	hb_lines | tail -n +"$start" | grep -aq 'XENPV-HBLK-XVDB bad' &&
		why="$why a read of xvdb failed in the guest;"
	if [ -z "$gone" ]; then
		notes="$notes counters not compared (xvdh still there);"
	else
		hb_compare_counts "$c0"
	fi
	if [ $sc = blk-normal ]; then
		n_ok=$(hb_lines | tail -n +"$start" | grep -ac 'XENPV-HBLK r=.* xvdh=ok')
		# The last round may meet the device going away: not counted.
		hb_lines | tail -n +"$start" | grep -a 'XENPV-HBLK r=' | sed '$d' |
			grep -v 'xvdh=ok' > /tmp/hb-badrounds
		n_bad=$(wc -l < /tmp/hb-badrounds)
		[ "$n_ok" -gt 0 ] || why="$why no round verified on xvdh;"
		[ "$n_bad" = 0 ] || why="$why $n_bad round(s) failed on xvdh: $(head -n 1 /tmp/hb-badrounds);"
		say "blk-normal: $n_ok round(s) written and read back on xvdh"
	fi
	badl=$(hb_lines | tail -n +"$start" | grep -aE "$BAD" | head -n 3)
	[ -z "$badl" ] || why="$why console: $(echo "$badl" | tr '\n' ' ');"
	# What the guest said: its kernel's lines, xvdh coming and going,
	# failed rounds, answers.
	hb_lines | tail -n +"$start" |
		grep -aE '\] \[ *[0-9]+\.[0-9]+\]|XENPV-HBLK-(SEEN|GONE|ACK|CANARY|XVDB)|XENPV-HBLK r=.* xvdh=[^o]' |
		head -n 20 | sed "s/^/[$sc guest] /"
	f=$(hb_known "$KNOWN" $kind $sc)
	took="$(($(date +%s) - t_sc)) s"
	hb_verdict "$sc" "$f" "$took"
	# Without the baseline, the rest would say nothing: unless the
	# failure is a known one, stop here.
	[ $sc != blk-normal ] || [ -z "$why" ] || [ -n "$f" ] ||
		fail "blk-normal, the baseline, failed:$why"
	# Next scenario on a live guest with no stale xvdh.
	if [ -n "$why" ] && [ $sc != "$last" ]; then
		hb_boot
	fi
done
$XL destroy t-hblk >/dev/null 2>&1
release_images $img
rm -f $img
say "all scenarios in $(($(date +%s) - t_all)) s"
[ -z "$bad_list" ] || fail "scenarios failed:$bad_list${known_list:+; known failures:$known_list}"
[ -z "$known_list" ] || fail "known failures only:$known_list; passed:$pass_list${fixed_list:+; listed but passed:$fixed_list}"
pass "all scenarios survived on $kind:$pass_list${fixed_list:+; listed as known failures, passed this run:$fixed_list}"
