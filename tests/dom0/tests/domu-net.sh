# domu-net: a domU on the xenbr0 bridge pings dom0 and dom0 pings it.  The
# frontend takes the event channels the backend offers: one per ring where
# the backend says feature-split-event-channels, as upstream's netfront
# does, else one per queue; its store nodes say which it took.
cfg=$(domu_cfg t-net net "vif=['bridge=xenbr0']")
create "$cfg"
line=$(wait_for t-net 'XENPV-NET-(PING|FAIL)' 180) || fail "the domU did not report"
case "$line" in *"PING ok"*) ;; *) fail "domU to dom0: ${line#*XENPV-NET-}" ;; esac
ping -c 3 -W 5 10.0.0.2 >/dev/null || fail "dom0 cannot ping the domU"

domid=$($XL domid t-net)
fe=/local/domain/$domid/device/vif/0
be=$(xenstore-read $fe/backend) || fail "no backend path in $fe"
offered=$(xenstore-read $be/feature-split-event-channels 2>/dev/null) || offered=0
# With several queues the nodes are in queue-N, else in the device's own.
dirs=$(xenstore-list $fe | sed -n "s|^queue-|$fe/queue-|p")
taken=
for d in ${dirs:-$fe}; do
	if xenstore-read $d/event-channel-tx >/dev/null 2>&1 &&
	   xenstore-read $d/event-channel-rx >/dev/null 2>&1; then
		taken="$taken split"
	elif xenstore-read $d/event-channel >/dev/null 2>&1; then
		taken="$taken one"
	else
		taken="$taken none"
	fi
done
want=one
[ "$offered" = 1 ] && want=split
for t in $taken; do
	[ "$t" = $want ] ||
		fail "backend's feature-split-event-channels=$offered;" \
			"the frontend's queues took:$taken"
done
pass "ping domU -> dom0 and dom0 -> domU over xenbr0;" \
	"channels per queue:$taken (backend's feature-split-event-channels=$offered)"
