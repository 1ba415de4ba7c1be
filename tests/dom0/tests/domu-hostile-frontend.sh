# domu-hostile-frontend: a domU whose frontend lies attacks dom0's
# blkback and netback, while a well-behaved domU uses its own disk and
# network beside it.
#
# The rogue (job "hostile") gets an xvdb and a vif like any guest, but
# boots with the kernel's frontends blacklisted (module_blacklist= for a
# frontend built as a module, initcall_blacklist= for one built in: ours
# is blkfront_init, upstream's xlblk_init).  Its devices then appear on
# its xenbus with no driver, and the backends wait in InitWait as for any
# new frontend; no kernel driver ever touches them, so nothing races the
# rogue for the frontend's directory.  (Unbinding a bound driver through
# sysfs would work too, but it first runs that driver's own close, on
# which the attack would then depend.)  xenpv-hostile speaks for the
# frontend from user space (gntalloc, evtchn, xenbus) and sends bad
# segment counts, sectors past the end and overflowing, bad grant refs, a
# runaway req_prod and an event storm to blkback, and packets past their
# page, an endless more_data chain, bad grant refs, a runaway req_prod and
# an event storm to netback, reconnecting before each; it judges each
# attack by what the backend answers (see xenpv-hostile.c).
#
# Here dom0 checks what the rogue cannot see:
#  - what dom0's kernel says during each attack: at most $MAX_LINES
#    lines (the rogue names each attack in data/hostile before it starts
#    and waits for our acknowledgement; we mark the kernel log there);
#  - that the neighbour goes on writing, reading back and pinging during
#    the attacks and after them, and that its image holds what it wrote;
#  - that destroying the rogue leaves nothing of it: no domain (a grant
#    dom0 still maps keeps a dying domain, "(null)" in xl list), no
#    backend/vbd|vif/<domid> in xenstore, no loop device on its image, no
#    vif netdev.
# BUG/WARNING/Oops anywhere fail the test in the harness.
MAX_LINES=50
good_img=/tmp/hf-good.img
rogue_img=/tmp/hf-rogue.img
rm -f $good_img $rogue_img
dd if=/dev/zero of=$good_img bs=1M count=0 seek=128 2>/dev/null || fail "cannot create $good_img"
dd if=/dev/zero of=$rogue_img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $rogue_img"

# wait_slowly NAME REGEX SECONDS: wait_for, looking every 3 s (this wait
# is long; every look costs the guests CPU).
wait_slowly() {
	_end=$(($(date +%s) + $3))
	while :; do
		_l=$(tr -d '\r' < "$(conlog "$1")" 2>/dev/null | grep -aE "$2" | tail -n 1)
		[ -z "$_l" ] || { echo "$_l"; return 0; }
		running "$1" || { say "$1 is not running"; return 1; }
		[ "$(date +%s)" -lt $_end ] || { say "timeout waiting for /$2/ on $1's console"; return 1; }
		sleep 3
	done
}

# good_rounds: "N BAD" - the neighbour's rounds so far, and how many failed.
good_rounds() {
	tr -d '\r' < "$(conlog t-good)" | grep -a 'XENPV-GOOD n=' |
		awk '{ n++ } !/disk=ok net=ok/ { bad++ } END { print n + 0, bad + 0 }'
}

# Both are created paused, so that each one's hotplug scripts run while
# no guest boots (libxl gives them 40 s, and a booting guest on a loaded
# host can make dom0 that slow), then both boot at once.
ARGS="module_blacklist=xen_blkfront,xen_netfront initcall_blacklist=blkfront_init,xlblk_init"
# Five vifs for the rogue: one per network attack (xenpv-hostile.c says
# why).
cfg=$(domu_cfg t-rogue hostile "disk=['format=raw, vdev=xvdb, access=rw, target=$rogue_img']" \
	"vif=['bridge=xenbr0', 'bridge=xenbr0', 'bridge=xenbr0', 'bridge=xenbr0', 'bridge=xenbr0']")
ARGS=
create "$cfg" -p
rogue=$($XL domid t-rogue)
[ -n "$rogue" ] || fail "no domid for t-rogue"
cfg=$(domu_cfg t-good goodload "disk=['format=raw, vdev=xvdb, access=rw, target=$good_img']" \
	"vif=['bridge=xenbr0']")
create "$cfg" -p
$XL unpause t-rogue && $XL unpause t-good || fail "cannot unpause the domUs"
wait_slowly t-rogue 'XENPV-HOSTILE-(READY|FAIL)' 300 >/dev/null || fail "the rogue did not come up"
wait_slowly t-good 'XENPV-GOOD n=0 ' 300 >/dev/null || fail "the neighbour did not start its rounds"
say "both domUs up; the attacks begin"

# Mark our kernel log at each attack the rogue announces, then let it go.
# One xenstore-watch, not a polling loop: under TCG every process dom0
# starts is time taken from the guests.
dmesg -c > /dev/null
rm -f /tmp/hf-watch
mkfifo /tmp/hf-watch || fail "cannot make a fifo"
xenstore-watch /local/domain/$rogue/data/hostile > /tmp/hf-watch &
watcher=$!
(
	last=
	while read -r path; do
		v=$(xenstore-read /local/domain/$rogue/data/hostile 2>/dev/null)
		if [ -n "$v" ] && [ "$v" != "$last" ]; then
			echo "xenpv-hostile-mark $v" > /dev/kmsg
			xenstore-write /local/domain/$rogue/data/hostile-ack "$v"
			last=$v
		fi
		[ "$v" = done ] && break
	done < /tmp/hf-watch
) &
marker=$!
trap 'kill $watcher $marker 2>/dev/null' EXIT

before=$(good_rounds)
line=$(wait_slowly t-rogue 'XENPV-HOSTILE-(DONE|FAIL)' 720) || fail "the rogue did not finish its attacks"
kill $watcher $marker 2>/dev/null
say "the rogue is done"
tr -d '\r' < "$(conlog t-rogue)" | grep -a 'XENPV-HOSTILE' | sed 's/^/[rogue] /'
case "$line" in *HOSTILE-FAIL*) fail "the rogue could not attack: ${line#*HOSTILE-FAIL }" ;; esac
bad=$(tr -d '\r' < "$(conlog t-rogue)" | grep -a 'XENPV-HOSTILE-RESULT .* FAIL ' |
	sed 's/.*XENPV-HOSTILE-RESULT //' | head -n 3 | tr '\n' ';')
[ -z "$bad" ] || fail "backend failed: $bad"
attacks=$(tr -d '\r' < "$(conlog t-rogue)" | grep -ac 'XENPV-HOSTILE-RESULT .* PASS ')
[ "$attacks" -ge 11 ] || fail "only $attacks attacks passed (the rogue's log is above)"
after=$(good_rounds)

# The kernel's lines per attack: the attack's mark to the next.
dmesg > /tmp/hf-dmesg
awk '/xenpv-hostile-mark / { name = $NF; next }
     name != "" && name != "done" { n[name]++ }
     END { for (a in n) print n[a], a }' /tmp/hf-dmesg | sort -rn > /tmp/hf-counts
sed 's/^/[dom0 lines per attack] /' /tmp/hf-counts
set -- $(head -n 1 /tmp/hf-counts)
most=${1:-0} noisiest=${2:-none}
if [ "$most" -ge $MAX_LINES ]; then
	awk -v a="$noisiest" '/xenpv-hostile-mark / { on = ($NF == a); next } on' /tmp/hf-dmesg |
		head -n 20 | sed 's/^/[dom0 during the noisiest] /'
	fail "dom0's kernel printed $most lines during $noisiest (at most $MAX_LINES allowed: not rate-limited)"
fi

# The neighbour: rounds during the attacks, all good, and more after.
set -- $before
b_n=$1
set -- $after
a_n=$1
[ "$a_n" -gt "$b_n" ] || fail "the neighbour made no round during the attacks (at $b_n before and after)"
line=$(wait_for t-good "XENPV-GOOD n=$((a_n + 1)) " 120) ||
	fail "the neighbour stopped after the attacks (at round $a_n)"
ping -c 3 -W 5 10.0.0.2 >/dev/null || fail "dom0 cannot ping the neighbour after the attacks"
set -- $(good_rounds)
rounds=$1
[ "$2" = 0 ] || fail "$2 of the neighbour's $rounds rounds failed: $(tr -d '\r' < "$(conlog t-good)" |
	grep -a 'XENPV-GOOD n=' | grep -v 'disk=ok net=ok' | head -n 2 | tr '\n' ' ')"

# Destroy the rogue; nothing of it may stay.
backends=$(xenstore-list /local/domain/0/backend/vbd 2>/dev/null | tr '\n' ' ')
$XL destroy t-rogue || fail "xl destroy of the rogue failed"
end=$(($(date +%s) + 30))
while :; do
	left=
	$XL list 2>/dev/null | awk 'NR > 1 { print $1, $2 }' | grep -qE "^\(null\)|^[^ ]+ $rogue\$" &&
		left="$left domain $rogue is still there: $($XL list | awk -v d=$rogue '$2 == d' | tr -s ' ');"
	for t in vbd vif; do
		xenstore-read /local/domain/0/backend/$t/$rogue >/dev/null 2>&1 &&
			left="$left backend/$t/$rogue in xenstore;"
	done
	losetup -a 2>/dev/null | grep -qF $rogue_img && left="$left a loop device on the rogue's image;"
	ls /sys/class/net 2>/dev/null | grep -q "^vif$rogue\." && left="$left vif$rogue.* netdev;"
	[ -n "$left" ] || break
	[ "$(date +%s)" -lt $end ] || fail "30 s after destroying the rogue:$left"
	sleep 1
done
errors=$(xenstore-ls -f /local/domain/0/error 2>/dev/null | grep -c "/$rogue/")
say "backends of the rogue before destroy: vbd $backends; error nodes naming it now: $errors"

# The neighbour's image holds every round it reported.
$XL destroy t-good
n=0
while [ $n -lt "$rounds" ]; do
	want=$(yes "xenpv-good-$n" | head -c 262144 | sha256sum | cut -d' ' -f1)
	have=$(dd if=$good_img bs=65536 skip=$((n * 4)) count=4 2>/dev/null | sha256sum | cut -d' ' -f1)
	[ "$have" = "$want" ] || fail "the neighbour's round $n is not in its image"
	n=$((n + 1))
done
rm -f $good_img $rogue_img
pass "$attacks attacks refused or disconnected; at most $most dom0 lines in one ($noisiest); neighbour: $((a_n - b_n)) rounds during the attacks, $rounds in all, all written, read back and pinged; nothing of the rogue left"
