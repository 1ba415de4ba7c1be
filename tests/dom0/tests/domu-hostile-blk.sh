# domu-hostile-blk: dom0's xenpv-hostile-backend attacks the domU's
# blkfront (issue 12), one scenario per run of the tool.
#
# The domU (job "hostileblk") boots with an ordinary xvdb and vif from
# dom0's real backends.  Each run of the tool adds an xvdh from a backend
# path of its own, serves it, breaks one rule of blkif.h and removes the
# device again.  The guest prints a tick every second, and whenever xvdh
# is there writes a pattern to it and reads it back with O_DIRECT, one
# line per round (rc.job).  A scenario passes when
#  - the tool carried it out (exit 0; blk-normal: and the guest verified
#    what it wrote, with no failed round);
#  - the guest's ticks go on after the tool is gone, and its xvdb still
#    reads (its next round says xvdb=ok);
#  - xvdh is gone from the guest within 60 s of the tool's exit (the
#    frontend let go of the device);
#  - the guest's console since the scenario began has no BUG, WARNING,
#    Oops, soft lockup or RCU stall.
# A guest that died or hung is booted again for the next scenario.
#
# Frontend holes issue 12 found are not fixed here: a scenario one of
# them makes fail is listed in KNOWN below with its finding, and reported
# by that name.  The test still FAILs whenever any scenario fails, known
# or not (the reason starts "known failures only:" when all of them are
# listed), and names a listed scenario that passed this run.
SCENARIOS="blk-normal blk-bad-status blk-bad-id blk-prod-ahead blk-dup-id blk-close-inflight"

# Known failures: kernel (xenpv = ours, anchor = upstream's frontend),
# scenario, issue 12 finding.  Measured on the ladder (dom0 = anchor):
#  - anchor blk-bad-id, blk-prod-ahead, blk-dup-id: upstream's blkfront
#    says "xvdh disabled for further use" and leaves the requests still
#    in flight pending for ever; the guest's dd waits on them, the open
#    disk is never deleted, and xvdh stays after the backend is gone.
#  - anchor blk-close-inflight: it goes Closed at once, with the held
#    requests still pending for ever: the same, finding 3's class (a
#    disk whose teardown waits on I/O nobody will complete).
# Ours passes all of them: it fails the outstanding requests ("device
# stopped", I/O error), gives up any page the backend keeps mapped (its
# data never travels in the kernel's own pages) and lets the disk go.
# A listed scenario may pass (some of these are timing): reported, not
# failed.
KNOWN="
anchor blk-bad-id 3
anchor blk-prod-ahead 3
anchor blk-dup-id 3
anchor blk-close-inflight 3
"

BAD='BUG:|WARNING:|Oops|soft lockup|rcu.*(stall|detected)|Call Trace|Kernel panic'
img=/tmp/hb-xvdb.img
rm -f $img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-hblk hostileblk "disk=['format=raw, vdev=xvdb, access=rw, target=$img']" \
	"vif=['bridge=xenbr0']")

boot=0
boot_guest() {
	boot=$((boot + 1))
	if [ $boot -gt 1 ]; then
		$XL destroy t-hblk >/dev/null 2>&1
		sleep 2
		console_aside t-hblk
	fi
	create "$cfg"
	wait_for t-hblk 'XENPV-HB tick=3$' 240 >/dev/null || fail "the domU did not start ticking (boot $boot)"
	domid=$($XL domid t-hblk)
	kernel=$(tr -d '\r' < "$(conlog t-hblk)" | grep -a 'XENPV-GUEST-UP' | sed -n 's/.*kernel=\([^ ]*\).*/\1/p' | tail -n 1)
	case "$kernel" in
	*-anchor*) kind=anchor ;;
	*) kind=xenpv ;;
	esac
	say "domU up (boot $boot, domain $domid, kernel $kernel)"
}

# g_lines: the guest console, CRs off.
g_lines() { tr -d '\r' < "$(conlog t-hblk)"; }
ticks() { g_lines | grep -a 'XENPV-HB tick=' | tail -n 1 | sed 's/.*tick=//'; }
known_finding() {
	echo "$KNOWN" | awk -v k="$kind" -v s="$1" '$1 == k && $2 == s { print $3 }'
}

boot_guest
pass_list= known_list= bad_list= fixed_list=
for sc in $SCENARIOS; do
	start=$(g_lines | wc -l)
	say "scenario $sc on $kind: start (console line $start)"
	case $sc in
	blk-normal) opts="-t 30" ;;
	*) opts="" ;;
	esac
	timeout 300 $XENPV/bin/xenpv-hostile-backend $opts "$domid" $sc > /tmp/hb-$sc.out 2>&1
	rc=$?
	sed "s/^/[$sc] /" /tmp/hb-$sc.out
	why=
	[ $rc = 0 ] || why="$why tool exit $rc;"
	# After the tool: xvdh must go, and the guest tick on for 10 more.
	t0=$(ticks)
	gone=
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $end ]; do
		g_lines | tail -n +"$start" | grep -aq 'XENPV-HBLK-GONE' && { gone=1; break; }
		g_lines | tail -n +"$start" | grep -aq 'XENPV-HBLK-SEEN' || { gone=never; break; }
		sleep 1
	done
	[ -n "$gone" ] || why="$why xvdh still in the guest 60 s after the tool;"
	[ "$gone" = never ] && [ $rc = 0 ] && why="$why the guest never saw xvdh;"
	t1=$((${t0:-0} + 10))
	wait_for t-hblk "XENPV-HB tick=$t1\$" 90 >/dev/null ||
		why="$why heartbeat stopped at tick $(ticks) (wanted $t1);"
	# The other disk: the last round line must say xvdb=ok (rounds stop
	# once xvdh is gone; a dd of xvdb now tells directly).
	g_lines | tail -n +"$start" | grep -a 'XENPV-HBLK r=' | tail -n 1 | grep -q 'xvdb=bad' &&
		why="$why xvdb failed in the guest;"
	if [ $sc = blk-normal ]; then
		n_ok=$(g_lines | tail -n +"$start" | grep -ac 'XENPV-HBLK r=.* xvdh=ok')
		# The last round may meet the device going away: not counted.
		g_lines | tail -n +"$start" | grep -a 'XENPV-HBLK r=' | sed '$d' |
			grep -v 'xvdh=ok' > /tmp/hb-badrounds
		n_bad=$(wc -l < /tmp/hb-badrounds)
		[ "$n_ok" -gt 0 ] || why="$why no round verified on xvdh;"
		[ "$n_bad" = 0 ] || why="$why $n_bad round(s) failed on xvdh: $(head -n 1 /tmp/hb-badrounds);"
		say "blk-normal: $n_ok round(s) written and read back on xvdh"
	fi
	badl=$(g_lines | tail -n +"$start" | grep -aE "$BAD" | head -n 3)
	[ -z "$badl" ] || why="$why console: $(echo "$badl" | tr '\n' ' ');"
	# What the guest said: its kernel's lines, xvdh coming and going,
	# failed rounds.
	g_lines | tail -n +"$start" |
		grep -aE '\] \[ *[0-9]+\.[0-9]+\]|XENPV-HBLK-(SEEN|GONE)|XENPV-HBLK r=.* xvdh=[^o]' |
		head -n 15 | sed "s/^/[$sc guest] /"
	f=$(known_finding $sc)
	if [ -z "$why" ]; then
		if [ -n "$f" ]; then
			say "scenario $sc on $kind: PASS, but listed as known failure (issue 12 finding $f)"
			fixed_list="$fixed_list $sc(finding $f)"
		else
			say "scenario $sc on $kind: PASS"
			pass_list="$pass_list $sc"
		fi
	elif [ -n "$f" ]; then
		say "scenario $sc on $kind: KNOWN-FAIL (issue 12 finding $f):$why"
		known_list="$known_list $sc(finding $f:$why)"
	else
		say "scenario $sc on $kind: FAIL:$why"
		bad_list="$bad_list $sc($why)"
	fi
	# Without the baseline, the rest would say nothing: unless the
	# failure is a known one, stop here.
	[ $sc != blk-normal ] || [ -z "$why" ] || [ -n "$f" ] ||
		fail "blk-normal, the baseline, failed:$why"
	# Next scenario on a live guest with no stale xvdh.
	if [ -n "$why" ] && [ $sc != "${SCENARIOS##* }" ]; then
		boot_guest
	fi
done
$XL destroy t-hblk >/dev/null 2>&1
release_images $img
rm -f $img
[ -z "$bad_list" ] || fail "scenarios failed:$bad_list${known_list:+; known failures:$known_list}"
[ -z "$known_list" ] || fail "known failures only:$known_list; passed:$pass_list${fixed_list:+; listed but passed:$fixed_list}"
pass "all scenarios survived on $kind:$pass_list${fixed_list:+; listed as known failures, passed this run:$fixed_list}"
