# domu-hostile-console: dom0 plays a hostile console daemon against the
# domU's PV console (issue 12: "a console ring with wild indexes", an
# event storm), one scenario per run of xenpv-hostile-backend.
#
# The tool maps the guest's console page beside xenconsoled, stops
# xenconsoled (SIGSTOP) while it writes the daemon's indexes, and at its
# end makes a ring it left impossible sane again (in_prod = in_cons,
# out_cons = out_prod) and lets xenconsoled go on (con-ring.c).  The guest (job "hostilecon")
# prints a tick every second on its console and answers dom0 over eth0
# (port 5123, rc.job): its dmesg's BAD lines, its tick, its grant and
# event channel counts; on "mark K" it also prints a marker on its
# console.  The console being what is attacked, whether the guest lives
# is judged over the network.  A scenario passes when
#  - the tool carried it out (exit 0);
#  - the guest answered at least half of dom0's pings over eth0 during
#    the scenario (one a round of about 3 s), and answers them after;
#  - after it, the guest answers, and its marker then comes out on the
#    console within 60 s, followed by ticks (the console works again);
#  - the guest's dmesg has no more BUG, WARNING, Oops, soft lockup, RCU
#    stall, Call Trace or panic lines than before the scenario (output
#    the broken console dropped is in dmesg still), and the console log
#    since the scenario began has none either;
#  - the guest's event channel count (/sys/hypervisor/usage of our
#    kernel; "n/a" on the anchor's, said and not judged) is no higher
#    than before.  Grants are said, and judged once at the end: the
#    guest's counts with netfront unloaded after the scenarios must be
#    no higher than before them (netfront's tx bounce pages stay granted
#    for the queue's life and their number follows eth0's busiest
#    moment, a count the console cannot change: rc.job, "final").
# con-stall: while xenconsoled is stopped the guest floods its console
# (tty) and printk (/dev/kmsg).  con-event-storm: while the storm goes
# on the guest must answer over eth0 within 20 s.  con-stall/1 is the
# test's self-check: the tool leaves xenconsoled stopped, and the
# guest's marker must NOT come out on the console within 20 s (else the
# test could not tell a dead console); then the test lets xenconsoled
# go on and the marker must come.
# A guest that died or logged a BAD line is booted again for the next
# scenario.
#
# Known failures: kernel (xenpv = ours; anchor = upstream's hvc_xen, as
# built by make anchor; stock = Debian's linux-image-6.1.0-*, upstream's
# too), scenario, what fails.  Measured on the ladder (dom0 = ours):
#  - stock con-stall: upstream's domU_write_console() writes until all
#    of it went, yielding between tries, for ever if the ring stays full;
#    it runs under the hvc port's lock with interrupts off (tty writes)
#    and in printk's console path: "rcu: INFO: rcu_preempt detected
#    stalls on CPUs/tasks", "watchdog: BUG: soft lockup - CPU#1 stuck
#    for 27s! [sh:859]", 1 of 4 pings answered (6.1.0-57-amd64).
#  - anchor con-stall: the same loop (6.1.192, on the anchor's dom0):
#    "rcu: INFO: rcu_sched self-detected stall on CPU", 1 of 4 pings.
#    It passes the other 12 scenarios.
# Ours gives up on a full ring: printk's bytes are dropped (dmesg has
# them), a tty writer sleeps until xenconsoled makes room.  Both pass
# the wild indexes (upstream refuses the ring until it is sane, ours
# takes the peer's index and goes on), the storm and the garbage.
KNOWN="
stock con-stall full-ring-spin
anchor con-stall full-ring-spin
"

SCENARIOS="con-normal con-in-ahead con-in-ahead/1 con-in-behind
con-in-behind/1 con-out-ahead con-out-ahead/1 con-out-behind
con-out-behind/1 con-event-storm con-in-garbage con-stall con-stall/1"
STALL_S=30

BAD='BUG:|WARNING:|Oops|soft lockup|rcu.*(stall|detected)|Call Trace|Kernel panic'
# hb_verdict, shared with the other hostile suites.
. /xenpv/dom0/hostile-lib.sh
cfg=$(domu_cfg t-hcon hostilecon "vif=['bridge=xenbr0']")
GUEST=10.0.0.2

# ask REQUEST [SECONDS]: one line from the guest's server over eth0 in
# $answer; false if none within SECONDS (20).
ask() {
	answer=$(echo "$1" | timeout "${2:-20}" nc $GUEST 5123 2>/dev/null | tr -d '\r' | head -n 1)
	[ -n "$answer" ]
}
# field NAME LINE: NAME=<number> of an answer, or nothing.
field() { echo "$2" | sed -n "s/^\(.* \)\{0,1\}$1=\([0-9]*\).*/\2/p"; }
daemon_cont() {
	for p in $(pidof xenconsoled); do kill -CONT "$p"; done
}

boot=0
boot_guest() {
	boot=$((boot + 1))
	if [ $boot -gt 1 ]; then
		$XL destroy t-hcon >/dev/null 2>&1
		sleep 2
		console_aside t-hcon
	fi
	create "$cfg"
	wait_for t-hcon 'XENPV-HB tick=3([^0-9]|$)' 240 >/dev/null || fail "the domU did not start ticking (boot $boot)"
	domid=$($XL domid t-hcon)
	kernel=$(tr -d '\r' < "$(conlog t-hcon)" | grep -a 'XENPV-GUEST-UP' | sed -n 's/.*kernel=\([^ ]*\).*/\1/p' | tail -n 1)
	case "$kernel" in
	*-anchor*) kind=anchor ;;
	*-amd64) kind=stock ;;
	*) kind=xenpv ;;
	esac
	k=0
	until ask status; do
		k=$((k + 1))
		[ $k -lt 10 ] || fail "the domU does not answer on $GUEST:5123 (boot $boot)"
		sleep 2
	done
	say "domU up (boot $boot, domain $domid, kernel $kernel): $answer; without netfront: $(g_lines | grep -a 'XENPV-HCON-BASE' | tail -n 1 | sed 's/.*BASE //')"
}

g_lines() { tr -d '\r' < "$(conlog t-hcon)"; }
ticks() { g_lines | grep -aoE 'XENPV-HB tick=[0-9]+' | tail -n 1 | sed 's/.*tick=//'; }
known_finding() {
	echo "$KNOWN" | awk -v k="$kind" -v s="$1" '$1 == k && $2 == s { print $3 }'
}
# tool_line REGEX SECONDS: wait for a line of the tool's; false if it
# exits first or after SECONDS.
tool_line() {
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt $_end ]; do
		grep -qE "$1" "$out" && return 0
		kill -0 $tool 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

t_test=$(date +%s)
boot_guest
last=$(echo $SCENARIOS | awk '{ print $NF }')
pass_list= known_list= bad_list= fixed_list=
mark=0
for sc in $SCENARIOS; do
	t_sc=$(date +%s)
	name=${sc%/*}
	opts=
	[ "$name" = "$sc" ] || opts="-V ${sc#*/}"
	# The self-check needs no long stall: it only looks at the marker.
	stall=$STALL_S
	[ $sc != con-stall/1 ] || stall=5
	[ $name != con-stall ] || opts="$opts -t $stall"
	# Shorter than the tool's defaults, for the test's time: the
	# baseline needs little, a storm or garbage shows within seconds.
	case $name in
	con-normal) opts="$opts -t 5" ;;
	con-event-storm) opts="$opts -t 15" ;;
	con-in-garbage) opts="$opts -t 10" ;;
	esac
	why= notes=
	ask status || why="$why no answer over eth0 before the scenario;"
	before=$answer
	start=$(g_lines | wc -l)
	say "scenario $sc on $kind: start (console line $start, options '$opts'; guest: $before)"
	out=/tmp/hc-$(echo "$sc" | tr / -).out
	timeout 300 $XENPV/bin/xenpv-hostile-backend $opts "$domid" "$name" > "$out" 2>&1 &
	tool=$!
	case $name in
	con-stall)
		if tool_line 'stalled for' 60; then
			ask "flood $((stall - 3))" || why="$why the guest did not take the flood request;"
		else
			why="$why the tool never stalled xenconsoled;"
		fi
		;;
	con-event-storm)
		if tool_line 'storm for' 60; then
			sleep 3
			t0=$(date +%s)
			if ask status; then
				notes="$notes answered in $(($(date +%s) - t0)) s during the storm;"
			else
				why="$why no answer over eth0 within 20 s during the storm;"
			fi
		else
			why="$why the storm never started;"
		fi
		;;
	esac
	p_ok=0 p_all=0
	while kill -0 $tool 2>/dev/null; do
		p_all=$((p_all + 1))
		ping -c 1 -W 2 $GUEST >/dev/null 2>&1 && p_ok=$((p_ok + 1))
		sleep 1
	done
	wait $tool
	rc=$?
	sed "s|^|[$sc] |" "$out"
	[ $rc = 0 ] || why="$why tool exit $rc;"
	if [ $sc = con-stall/1 ]; then
		# The self-check: xenconsoled is still stopped.  The guest is
		# alive (it answers), but its marker must not reach the log.
		mark=$((mark + 1))
		if ask "mark $mark"; then
			if wait_for t-hcon "XENPV-HCON-MARK $mark " 20 >/dev/null; then
				why="$why self-check: the marker reached the log with xenconsoled stopped (the test cannot see a dead console);"
			else
				say "$sc (self-check): no marker in 20 s with xenconsoled stopped, as it must be"
			fi
		else
			why="$why self-check: the guest did not answer;"
		fi
	fi
	# Whatever the tool did, xenconsoled goes on now.
	daemon_cont
	n=0
	while [ $n -lt 3 ] && ! ping -c 1 -W 3 $GUEST >/dev/null 2>&1; do n=$((n + 1)); done
	[ $n -lt 3 ] || why="$why dom0 cannot ping the guest after the scenario;"
	[ $p_all = 0 ] || [ $((p_ok * 2)) -ge $p_all ] ||
		why="$why the guest answered $p_ok of $p_all pings during the scenario;"
	notes="$notes pings $p_ok/$p_all;"
	# The console works again: a fresh marker, then ticks after it.
	mark=$((mark + 1))
	alive=1
	if ! ask "mark $mark"; then
		why="$why no answer over eth0 after the scenario;"
		alive=
	else
		after=$answer
		if ! wait_for t-hcon "XENPV-HCON-MARK $mark " 60 >/dev/null; then
			why="$why the console did not come back (no marker $mark in 60 s);"
		else
			t0=$(ticks)
			wait_for t-hcon "XENPV-HB tick=$((${t0:-0} + 3))([^0-9]|\$)" 30 >/dev/null ||
				why="$why no ticks on the console after the marker (last $(ticks));"
		fi
		b0=$(field bad "$before") b1=$(field bad "$after")
		if [ "${b1:-0}" -gt "${b0:-0}" ]; then
			why="$why dmesg: $b0 -> $b1 BAD line(s), first: ${after#*first: };"
		fi
		# Event channels: one freed late gets 10 s to come back.  Grants
		# are said here and judged at the end, netfront unloaded (its
		# tx bounce pages may add one now and then: rc.job, "final").
		k=0
		while :; do
			g0=$(field grants "$before") e0=$(field evtchns "$before")
			g1=$(field grants "$after") e1=$(field evtchns "$after")
			if [ -z "$e0" ] || [ -z "$e1" ]; then
				notes="$notes counters: n/a, not judged;"
				break
			fi
			if [ "$e1" -le "$e0" ]; then
				notes="$notes event channels $e0 -> $e1, grants $g0 -> $g1;"
				break
			fi
			k=$((k + 1))
			if [ $k -gt 2 ]; then
				why="$why leak: event channels $e0 -> $e1;"
				break
			fi
			sleep 5
			ask status && after=$answer
		done
	fi
	badl=$(g_lines | tail -n +"$start" | grep -aE "$BAD" | head -n 3)
	[ -z "$badl" ] || why="$why console: $(echo "$badl" | tr '\n' ' ');"
	# What the guest's kernel said (the flood's lines left out).
	g_lines | tail -n +"$start" | grep -a '\] \[ *[0-9]*\.[0-9]*\]' |
		grep -av 'XENPV-HCON-FLOOD' | head -n 8 | sed "s|^|[$sc guest] |"
	f=$(known_finding $sc)
	took="$(($(date +%s) - t_sc)) s"
	hb_verdict "$sc" "$f" "$took"
	[ $sc != con-normal ] || [ -z "$why" ] || [ -n "$f" ] ||
		fail "con-normal, the baseline, failed:$why"
	# The next scenario on a live guest with a clean log.
	if [ -n "$why" ] && [ "$sc" != "$last" ]; then
		boot_guest
	fi
done
# Grants and event channels of this boot's guest with netfront unloaded,
# after the scenarios against before them (rc.job: XENPV-HCON-BASE).
base=$(g_lines | grep -a 'XENPV-HCON-BASE' | tail -n 1)
final=
if ask final && final=$(wait_for t-hcon 'XENPV-HCON-FINAL' 60); then
	g0=$(field grants "$base") e0=$(field evtchns "$base")
	g1=$(field grants "$final") e1=$(field evtchns "$final")
	if [ -z "$g0" ] || [ -z "$g1" ] || [ -z "$e0" ] || [ -z "$e1" ]; then
		say "counts without netfront: n/a, not judged (${base#*BASE } / ${final#*FINAL })"
	elif [ "$g1" -le "$g0" ] && [ "$e1" -le "$e0" ]; then
		say "counts without netfront, boot $boot: grants $g0 -> $g1, event channels $e0 -> $e1"
	else
		bad_list="$bad_list leak(boot $boot, netfront unloaded: grants $g0 -> $g1, event channels $e0 -> $e1)"
	fi
elif [ -n "$why" ]; then
	say "counts without netfront: not judged, the last scenario failed"
else
	bad_list="$bad_list final-count(the guest did not print its counts without netfront)"
fi
$XL destroy t-hcon >/dev/null 2>&1
say "$(echo $SCENARIOS | wc -w) scenarios in $(($(date +%s) - t_test)) s, $boot boot(s)"
[ -z "$bad_list" ] || fail "scenarios failed:$bad_list${known_list:+; known failures:$known_list}"
[ -z "$known_list" ] || fail "known failures only:$known_list; passed:$pass_list${fixed_list:+; listed but passed:$fixed_list}"
pass "all scenarios survived on $kind:$pass_list${fixed_list:+; listed as known failures, passed this run:$fixed_list}"
