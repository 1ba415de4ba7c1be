# domu-hostile-net: dom0's xenpv-hostile-backend attacks the domU's
# netfront (issue 12), one scenario per run of the tool.
#
# The domU (job "hostilenet") boots with an ordinary vif (eth0, dom0's
# real netback on xenbr0).  Each run of the tool adds vif 7 (eth1) from
# a backend path of its own, with one host behind it, 10.99.0.1, that
# answers ARP and ping; it serves the rings, breaks one rule of netif.h
# and removes the device again.  The guest prints a tick every second
# and, whenever vif 7 is there, pings 10.99.0.1 over it and dom0 over
# eth0, one line per round (rc.job).  A scenario passes when
#  - the tool carried it out (exit 0; net-normal: and the guest's pings
#    over eth1 were answered, with no failed round);
#  - the guest's ticks go on after the tool is gone, and dom0 still
#    pings it over eth0;
#  - eth1 is gone from the guest within 60 s of the tool's exit (the
#    frontend let go of the device);
#  - the guest's grant and event channel counts (/sys/hypervisor/usage
#    of our kernel, less eth0's tx bounce pages: see rc.job's
#    hb_counters) are back to where they were before the scenario
#    within 20 s of eth1 going: more is a leak.  The guest prints them
#    whenever they change while vif 7 is away, and every 10 s
#    (XENPV-HNET-COUNT); the
#    anchor's kernel has no such counters ("counters: n/a", not judged);
#  - the guest's console since the scenario began has no BUG, WARNING,
#    Oops, soft lockup or RCU stall.
# A guest that died, hung, kept eth1 or logged one of those is booted
# again for the next scenario.
#
# A scenario with a variant is written name/variant (the tool's -V).
# net-normal/1 is the test's self-check: the host goes mute after the
# warm-up, and the guest's rounds must see their pings fail.
#
# A scenario written name/split, or name/variant/split, runs with the
# tool's -S: vif 7 offers feature-split-event-channels, and a frontend
# that takes it has one channel for the tx ring and one for the rx ring
# (event-channel-tx, -rx), the mode our netfront and upstream's pick
# whenever a backend offers it, dom0's netback included.  The tool
# exits 3 (not exercised, so FAIL) if the frontend wrote one channel
# only.  In that mode the tool puts a ping's reply on the rx ring 50 ms
# after the request's tx answer, as netback's own rx thread would, so
# that a frontend deaf to its rx channel cannot find the replies when it
# polls for the tx answers.  Such a frontend (ours, made to ignore
# vif 7's rx channel in a scratch build) fails net-normal/split: 2
# rounds answered, 3 failed; without the 50 ms it failed the same way
# here, once, but that rests on a race.
#  - net-normal/split: the baseline's criteria, over the two channels;
#  - net-event-storm/split: the storm, on both channels in turn;
#  - net-wrong-chan/split: for 10 s the replies are notified on the tx
#    channel (our frontend calls such an event spurious: no tx answer
#    came), then 6 s of true service.  The guest owes the replies
#    nothing (its pings over eth1 are not judged); it must pass the
#    criteria above: no crash, no spinning NET_RX, eth1 gone, no leak.
#    The tool exits 3 if nothing went out on the wrong channel.
#    Measured: ours took 4 of the 5 replies (found when it polled for
#    tx answers); the anchor none, for the rest of the device's life
#    (its rsp_event stays behind, so no later reply is notified).
# The tool told to offer the feature under a misspelt key: the frontend
# took one channel, and net-normal/split and net-wrong-chan/split
# failed on "tool exit 3".
# No scenario but the event storm may make the guest run its NET_RX
# softirq more than 1000 times a second in a round (rc.job counts it):
# that is a netfront polling a ring for ever (issue 12 finding 6), which
# leaves the guest otherwise well (ksoftirqd takes the softirq over).
# net-broken-spin gives it 10 quiet seconds for that after it breaks the
# ring, and dom0 also prints the guest's CPU time then (Xen's count,
# beside 8 idle seconds after boot: under TCG only a hint).
# net-rx-endless answers every receive buffer as one more piece of a
# packet that never ends: the frontend must leave Connected while the
# tool goes on (the tool's verdict line says whether it did).
#
# net-tx-neighbours (finding 8, the XSA-403 class) gives vif 7 an
# address at which the guest fills its kmalloc caches with a secret
# (xenpv-stress spray: socket buffers nobody reads) and sends UDP
# datagrams to the host beside its pings, while the tool searches every
# page the guest grants for a packet, all of it, for the secret.  It
# passes when the secret was never found (outside the packet's bytes: a
# page that holds more than packets; inside: the guest sent it), over at
# least 20 pages, and the guest says it sprayed at least 1000 secret
# objects.  /1: the same with trusted=0.  Measured (domU and dom0 the
# same kernel, 40 s, the pages mapped are one a packet as we offer no
# scatter-gather):
#  - ours with netfront granting a packet's head page as it lies (the
#    old way, put back for the measurement): the secret in 268 of 292
#    pages; /1, whose packets that kernel still copies whole: 0 of 293;
#  - ours: 0 of 154, /1: 0 of 116;
#  - the anchor (upstream grants the head's page to a trusted backend,
#    copies only for trusted=0): 139 of 152, /1: 0 of 95.
#
# Frontend holes issue 12 found are not fixed here: a scenario one of
# them makes fail is listed in KNOWN below with its finding, and reported
# by that name.  The test still FAILs whenever any scenario fails, known
# or not (the reason starts "known failures only:" when all of them are
# listed), and names a listed scenario that passed this run.
SCENARIOS="net-normal net-normal/1 net-rx-bad-offset net-rx-bad-len net-rx-bad-len/1
net-rx-bad-gso net-rx-bad-gso/2 net-tx-bad-id net-tx-bad-id/1
net-prod-ahead net-prod-ahead/1 net-broken-spin net-event-storm
net-close-inflight net-rx-endless net-tx-neighbours net-tx-neighbours/1
net-normal/split net-event-storm/split net-wrong-chan/split"

# Known failures: kernel (xenpv = ours, anchor = upstream's frontend),
# scenario, issue 12 finding.  Measured on the ladder (dom0 = anchor):
#  - anchor net-prod-ahead: upstream's netfront says "Illegal number of
#    responses 258", calls the device broken and returns from its rx
#    poll without completing NAPI: NAPI stays scheduled for good, and
#    removing the device (napi_disable) waits for it for ever, so eth1
#    never goes (finding 6's broken-ring handling, and a xenwatch hang
#    of finding 3's kind).  On the tx ring (-V 1) it passes.
# Ours passes them all since issue 12's netfront fixes: a queue whose
# backend broke the ring is not polled again and the device goes to
# Closing.  Before them it failed net-broken-spin, net-tx-bad-id (and
# /1) and net-prod-ahead (finding 6): after "backend answered unknown
# request 256" or "answered requests we never made" it called the queue
# broken and then polled it for ever (rsp_cons behind rsp_prod, NET_RX
# 12000 to 470000 times a second; idle: under 10).  The guest kept
# ticking (ksoftirqd took the softirq); the spin ended when the device
# went.
#  - anchor net-tx-neighbours: upstream's netfront grants the page of a
#    packet's head (a kmalloc object) to a backend it trusts, the slab
#    objects around the head with it: the guest's secret in 139 of 152
#    pages (finding 8).  With trusted=0 (/1) it passes.
KNOWN="
anchor net-prod-ahead 6
anchor net-tx-neighbours 8
"

BAD='BUG:|WARNING:|Oops|soft lockup|rcu.*(stall|detected)|Call Trace|Kernel panic'
cfg=$(domu_cfg t-hnet hostilenet "vif=['bridge=xenbr0']")

. /xenpv/dom0/hostile-lib.sh
HB_DOM=t-hnet HB_CFG=$cfg HB_IMG=
# The domU's CPU time so far, in seconds, as Xen counts it.
cpu_s() { $XL list t-hnet 2>/dev/null | awk 'NR == 2 { print $6 }'; }

# hn_counts [LINE]: the guest's last whole counts line (XENPV-HNET-COUNT)
# since console line LINE (1), after eth1's last going if it went since,
# in $answer; false if it printed none there.
hn_counts() {
	answer=$(hb_lines | tail -n +"${1:-1}" | sed -n '/XENPV-HNET-GONE/h; /XENPV-HNET-GONE/!H; ${x;p}' |
		grep -aE 'XENPV-HNET-COUNT (grants=[0-9]+ evtchns=[0-9]+ |counters: n/a)' | tail -n 1)
	[ -n "$answer" ]
}
# For hb_compare_counts: the counts since this scenario's eth1 went.
hn_counts_after() {
	hn_counts "$start" && return 0
	why="$why no counts from the guest after eth1 went;"
	return 1
}

last=$(echo $SCENARIOS | awk '{ print $NF }')
t_test=$(date +%s)
hb_boot
# What the guest burns with nothing to do (its loop, eth0), to read the
# quiet seconds of net-broken-spin against.
c0=$(cpu_s)
sleep 8
idle=$(awk -v a="$c0" -v b="$(cpu_s)" 'BEGIN { printf "%.1f", b - a }')
say "the guest used $idle s of CPU in 8 idle s"
pass_list= known_list= bad_list= fixed_list=
for sc in $SCENARIOS; do
	t_sc=$(date +%s)
	start=$(hb_lines | wc -l)
	name=${sc%%/*}
	opts="-w 4"
	for part in $(echo "${sc#"$name"}" | tr / ' '); do
		case $part in
		split) opts="$opts -S" ;;
		*) opts="$opts -V $part" ;;
		esac
	done
	case $sc in
	net-normal) opts="$opts -t 30" ;;
	net-normal/1) opts="$opts -t 20" ;;
	net-normal/split) opts="$opts -t 15" ;;
	net-event-storm|net-broken-spin|net-rx-endless) opts="$opts -t 15" ;;
	net-event-storm/split|net-wrong-chan/*) opts="$opts -t 10" ;;
	net-tx-neighbours*) opts="$opts -t 40" ;;
	esac
	say "scenario $sc on $kind: start (console line $start, options $opts)"
	# The counts to come back to: the last the guest printed.
	before=
	for k in 1 2 3 4 5 6 7 8 9 10; do
		hn_counts && { before=$answer; break; }
		sleep 1
	done
	out=/tmp/hn-$(echo "$sc" | tr / -).out
	ct0=$(cpu_s) tt0=$(date +%s)
	timeout 300 $XENPV/bin/xenpv-hostile-backend $opts "$domid" "$name" > "$out" 2>&1 &
	tool=$!
	spin=
	if [ $name = net-broken-spin ]; then
		# The tool keeps still for 10 s with the broken ring there: a
		# frontend that polls it for ever burns a vCPU on its own.
		while kill -0 $tool 2>/dev/null && ! grep -q 'quiet for' "$out"; do
			sleep 0.5
		done
		c0=$(cpu_s)
		sleep 8
		c1=$(cpu_s)
		spin=$(awk -v a="$c0" -v b="$c1" 'BEGIN { if (a != "" && b != "") printf "%.1f", b - a }')
		say "$sc: the guest used ${spin:-?} s of CPU in 8 quiet s (idle: $idle s)"
	fi
	wait $tool
	rc=$?
	# For the record: a frontend that spins shows here too.
	used=$(awk -v a="$ct0" -v b="$(cpu_s)" 'BEGIN { printf "%.1f", b - a }')
	say "$sc: the guest used $used s of CPU in the tool's $(($(date +%s) - tt0)) s"
	sed "s|^|[$sc] |" "$out"
	why= notes=
	[ $rc = 0 ] || why="$why tool exit $rc;"
	# The NET_RX softirq: a few runs a second per packet and event; a
	# frontend polling a ring for ever runs it without end (the storm's
	# events may run it as often as they come: not counted there).
	maxrx=$(hb_lines | tail -n +"$start" | grep -a 'XENPV-HNET r=' |
		sed -n 's/.* netrx=\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
	say "$sc: NET_RX ran at most ${maxrx:-?} times a second in a round"
	if [ $name != net-event-storm ] && [ "${maxrx:-0}" -gt 1000 ]; then
		why="$why the NET_RX softirq ran $maxrx times a second (spinning);"
	fi
	# After the tool: eth1 must go, and the guest tick on for 5 more.
	t0=$(hb_tick)
	gone=
	end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $end ]; do
		hb_lines | tail -n +"$start" | grep -aq 'XENPV-HNET-GONE' && { gone=1; break; }
		hb_lines | tail -n +"$start" | grep -aq 'XENPV-HNET-SEEN' || { gone=never; break; }
		sleep 1
	done
	[ -n "$gone" ] || why="$why eth1 still in the guest 60 s after the tool;"
	[ "$gone" = never ] && [ $rc = 0 ] && why="$why the guest never saw vif 7;"
	t1=$((${t0:-0} + 5))
	alive=1
	wait_for t-hnet "XENPV-HB tick=$t1([^0-9]|\$)" 60 >/dev/null ||
		{ alive=; why="$why heartbeat stopped at tick $(hb_tick) (wanted $t1);"; }
	# The other network, from dom0's side: both directions at once.
	ping -c 2 -W 5 10.0.0.2 >/dev/null 2>&1 || why="$why dom0 cannot ping the guest's eth0;"
	# Nothing kept: the counts come back once eth1 is gone.
	if [ -z "$before" ]; then
		why="$why no counts from the guest before the scenario;"
	elif [ "$gone" = 1 ] && [ -n "$alive" ]; then
		hb_compare_counts "$before" hn_counts_after
	fi
	if [ $sc = net-normal/1 ]; then
		# The self-check: the host stops replying after the warm-up,
		# and the rounds must say so, or the test could not tell.
		n_bad=$(hb_lines | tail -n +"$start" | grep -a 'XENPV-HNET r=' | sed '1d' | grep -c 'vif7=bad')
		say "net-normal/1 (mute host, self-check): $n_bad round(s) failed, as they must"
		[ "$n_bad" -ge 3 ] ||
			why="$why the rounds did not notice a mute host ($n_bad failed);"
	elif [ $name = net-normal ]; then
		# The first round may meet ARP and the carrier coming up, the
		# last the device going away: neither is counted.
		hb_lines | tail -n +"$start" | grep -a 'XENPV-HNET r=' | sed '1d;$d' > /tmp/hn-rounds
		n_ok=$(grep -c 'vif7=ok' /tmp/hn-rounds)
		n_bad=$(grep -vc 'vif7=ok' /tmp/hn-rounds)
		[ "$n_ok" -ge 3 ] || why="$why only $n_ok round(s) answered over eth1;"
		[ "$n_bad" = 0 ] || why="$why $n_bad round(s) failed: $(grep -v 'vif7=ok' /tmp/hn-rounds | head -n 1);"
		say "$sc: $n_ok round(s) pinged 10.99.0.1 over eth1, $n_bad failed"
	fi
	# A packet that never ends is no packet: the frontend must give up
	# the device while the tool still sends its pieces.
	if [ $name = net-rx-endless ] && [ $rc = 0 ] &&
		! grep -q 'verdict: the frontend gave up' "$out"; then
		why="$why the frontend took an endless packet's pieces for the tool's 15 s;"
	fi
	# Guest memory beside the packets must never reach the backend;
	# and a search of too few pages, or with nothing sprayed, proves
	# nothing.
	if [ $name = net-tx-neighbours ]; then
		nb=$(sed -n 's/.*neighbours: \([0-9]*\) tx page(s) searched, \([0-9]*\) with the secret outside the packet, \([0-9]*\) inside.*/\1 \2 \3/p' "$out")
		n_pg=${nb%% *} n_in=${nb##* } n_out=${nb#* }
		n_out=${n_out%% *}
		spray=$(hb_lines | tail -n +"$start" | grep -a 'XENPV-SPRAY' | tail -n 1)
		objs=$(echo "$spray" | sed -n 's/.* objects=\([0-9]*\).*/\1/p')
		say "$sc: ${n_pg:-?} tx page(s) searched, ${n_out:-?} with the guest's secret outside the packet, ${n_in:-?} inside; guest: ${spray:-no spray line}"
		[ -n "$nb" ] || why="$why the tool did not count the pages;"
		[ "${n_out:-0}" = 0 ] || why="$why the secret was in $n_out granted page(s) outside the packet (guest memory leaked);"
		[ "${n_in:-0}" = 0 ] || why="$why the guest sent the secret in $n_in packet(s);"
		[ "${n_pg:-0}" -ge 20 ] || why="$why only ${n_pg:-0} tx page(s) searched;"
		[ "${objs:-0}" -ge 1000 ] || why="$why the guest did not spray (${spray:-no XENPV-SPRAY line});"
	fi
	hb_lines | tail -n +"$start" | grep -a 'XENPV-HNET r=' | grep -q 'eth0=bad' &&
		say "$sc: a round could not ping dom0 over eth0 during the scenario"
	badl=$(hb_lines | tail -n +"$start" | grep -aE "$BAD" | head -n 3)
	[ -z "$badl" ] || why="$why console: $(echo "$badl" | tr '\n' ' ');"
	# What the guest said: its kernel's lines, eth1 coming and going,
	# failed rounds.
	hb_lines | tail -n +"$start" |
		grep -aE '\] \[ *[0-9]+\.[0-9]+\]|XENPV-HNET-(SEEN|GONE)|XENPV-HNET r=.* vif7=bad' |
		head -n 15 | sed "s|^|[$sc guest] |"
	f=$(hb_known "$KNOWN" $kind $sc)
	hb_verdict "$sc" "$f" "$(($(date +%s) - t_sc)) s"
	# Without the baseline, the rest would say nothing: unless the
	# failure is a known one, stop here.
	[ $sc != net-normal ] || [ -z "$why" ] || [ -n "$f" ] ||
		fail "net-normal, the baseline, failed:$why"
	# Next scenario on a live guest with no stale eth1 and a clean log.
	if { [ -z "$alive" ] || [ "$gone" != 1 ] || [ -n "$badl" ]; } &&
		[ "$sc" != "$last" ]; then
		hb_boot
	fi
done
$XL destroy t-hnet >/dev/null 2>&1
say "$(echo $SCENARIOS | wc -w) scenarios in $(($(date +%s) - t_test)) s, $hb_nboot boot(s)"
[ -z "$bad_list" ] || fail "scenarios failed:$bad_list${known_list:+; known failures:$known_list}"
[ -z "$known_list" ] || fail "known failures only:$known_list; passed:$pass_list${fixed_list:+; listed but passed:$fixed_list}"
pass "all scenarios survived on $kind:$pass_list${fixed_list:+; listed as known failures, passed this run:$fixed_list}"
