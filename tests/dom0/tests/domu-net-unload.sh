# domu-net-unload: unload the domU's network frontend module while traffic
# flows both ways, three times, loading it again in between.  When the
# device is unbound (upstream's xenbus keeps a bound driver's module in, so
# the guest unbinds first, then runs rmmod), the backend holds the whole
# receive ring's granted pages and the packets on their way out.  The guest must unload cleanly, come back
# with a working eth0 each time, and leave nothing behind: at the end both
# ends of the vif are Closed, the guest warned of no grant still mapped, and
# dom0's netback saw nothing it had to complain about.
cfg=$(domu_cfg t-nu netunload "vif=['bridge=xenbr0']")

# dom0's sinks for the guest's streams, one port a round: the connection
# the unload cuts stays open on our side.  busybox nc stops at the end of
# its input: a sleep feeds it.
for r in 1 2 3; do
	sleep 100000 | nc -l -p 501$r > /dev/null 2>&1 &
done
snd=
stop_traffic() {
	[ -z "$snd" ] || kill $snd 2>/dev/null
	snd=
}
trap 'stop_traffic; killall nc 2>/dev/null' EXIT

# channel_state: for a round that stalls, what the two ends of the
# queue's event channels look like now.  From Xen's dump ('e' key): each
# interdomain port between dom0 and the domU as [pending/masked/selector
# bit], so a lost event shows where it is lost (pending and masked: an
# EOI never given; pending, unmasked, no selector bit: an upcall never
# made; neither: a ring index that asks for no event); and dom0's view
# of the vif (its interrupts, counters, netback's messages).
channel_state() {
	$XL debug-keys e
	sleep 1
	printf 'ports: %s; ' "$($XL dmesg | tr -d '\r' | awk -v u="$domid" '
		/Event channel information for domain/ {
			dom = $NF; sub(":", "", dom)
			if (dom == 0)
				out = ""	# the newest dump only
			next
		}
		/ s=3 / && ((dom == 0 && $0 ~ " d=" u " ") ||
			    (dom == u && / d=0 /)) {
			sub(/^\(XEN\) +/, ""); sub(/ n=.* d=/, " d=")
			out = out "d" dom ":" $0 " "
		}
		END { print out }')"
	printf 'dom0 events: %s; ' "$(grep -E "vif$domid\." /proc/interrupts |
		awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; printf "%s=%d ", $NF, n }')"
	_s=/sys/class/net/vif$domid.0/statistics
	printf 'vif rx %s tx %s dropped %s/%s; ' "$(cat $_s/rx_bytes 2>&1)" \
		"$(cat $_s/tx_bytes 2>&1)" "$(cat $_s/rx_dropped 2>&1)" \
		"$(cat $_s/tx_dropped 2>&1)"
	printf 'dom0: %s' "$(dmesg | grep -iE "vif$domid|netback" | tail -n 3 | tr '\n' ' ')"
}

# round_state: dom0's side of a round the guest says went wrong: both
# ends' xenbus states, the backend's error node, the vif as the bridge
# sees it (a backend that disabled the vif turns its carrier off), and
# the channel's state.
round_state() {
	printf 'states fe %s be %s; ' "$(xenstore-read $fe/state 2>&1)" \
		"$(xenstore-read $be/state 2>&1)"
	_e=$(xenstore-read /local/domain/0/error/backend/vif/$domid/0/error 2>/dev/null)
	[ -z "$_e" ] || printf 'backend error: %s; ' "$_e"
	_e=$(xenstore-read /local/domain/$domid/error/device/vif/0/error 2>/dev/null)
	[ -z "$_e" ] || printf 'frontend error: %s; ' "$_e"
	_v=/sys/class/net/vif$domid.0
	printf 'vif carrier %s oper %s master %s; ' "$(cat $_v/carrier 2>&1)" \
		"$(cat $_v/operstate 2>&1)" \
		"$(basename "$(readlink $_v/master 2>/dev/null)" 2>/dev/null)"
	channel_state
}

dmesg -c > /dev/null
create "$cfg"
domid=$($XL domid t-nu)
fe=/local/domain/$domid/device/vif/0
be=$(xenstore-read $fe/backend) || fail "no backend path in $fe"
summary= answers=
for r in 1 2 3; do
	line=$(wait_for t-nu "XENPV-NETUNLOAD-(UP r=$r|FAIL)" 180) ||
		fail "round $r: the domU did not report eth0 up; $(round_state)"
	case "$line" in
	*FAIL*) fail "${line#*XENPV-NETUNLOAD-FAIL }; $(round_state)" ;;
	esac
	answers="$answers $(echo "$line" | sed -n 's/.* answer=\([0-9]*s\).*/\1/p')"
	dd if=/dev/zero bs=64k 2>/dev/null | nc 10.0.0.2 502$r > /dev/null 2>&1 &
	snd=$!
	line=$(wait_for t-nu "XENPV-NETUNLOAD-(REMOVED r=$r|SLOW r=$r|FAIL)" 240) ||
		fail "round $r: the domU did not report the unload"
	stalled=
	case "$line" in
	*SLOW*)
		stalled="; ${line#*XENPV-NETUNLOAD-SLOW }; $(channel_state)"
		say "round $r stalls$stalled"
		line=$(wait_for t-nu "XENPV-NETUNLOAD-(REMOVED r=$r|FAIL)" 180) ||
			fail "round $r: the domU did not report the unload$stalled"
		;;
	esac
	stop_traffic
	case "$line" in *FAIL*) fail "${line#*XENPV-NETUNLOAD-FAIL }" ;; esac
	set -- $(echo "$line" | sed -n 's/.* rx=\([0-9]*\) tx=\([0-9]*\) secs=\([0-9.]*\) conn=\([0-9]*\) nets=\(.*\)/\1 \2 \3 \4 \5/p')
	[ $# -ge 4 ] || fail "round $r: unreadable report: $line"
	# Our stream must have been connected up to the unload (the guest
	# counts it just before): a connection refused or reset earlier means
	# its receive side was never really tried.  Checked by the guest, as
	# at once after the report it loads the driver again, and a stream
	# to a listener it killed is reset then.
	[ "$4" -ge 1 ] ||
		fail "round $r: dom0's stream to the guest (port 502$r) was not connected at the unload"
	[ "$1" -ge 4000000 ] && [ "$2" -ge 4000000 ] ||
		fail "round $r: too little traffic before the unload (rx $1, tx $2 bytes)$stalled"
	shift 4
	case " $* " in *" eth"*) fail "round $r: an eth device is left after rmmod: $*" ;; esac
	summary="$summary $(echo "$line" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p') s"
done
wait_for t-nu 'XENPV-NETUNLOAD-DONE' 60 > /dev/null || fail "the domU did not finish"

# Unloaded for good now: both ends must reach Closed (6).
end=$(($(date +%s) + 30))
while :; do
	fs=$(xenstore-read $fe/state 2>/dev/null)
	bs=$(xenstore-read $be/state 2>/dev/null)
	[ "$fs" = 6 ] && [ "$bs" = 6 ] && break
	[ "$(date +%s)" -lt $end ] ||
		fail "after the last unload the frontend is in state $fs, the backend in $bs (want 6, 6)"
	sleep 1
done

bad=$(tr -d '\r' < "$(conlog t-nu)" | grep -aiE 'still mapped|still reads|leak|grants still' | head -n 2)
[ -z "$bad" ] || fail "the domU warned: $(echo "$bad" | tr '\n' ' ')"
bad=$(dmesg | grep -iE 'vif|netback' | grep -iE 'fatal|error|bad|fail' | head -n 2)
[ -z "$bad" ] || fail "dom0's netback complained: $(echo "$bad" | tr '\n' ' ')"
pass "rmmod under traffic x3 (took$summary; dom0 answered after$answers), reloaded, both ends Closed"
