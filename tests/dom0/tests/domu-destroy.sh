# domu-destroy: xl console shows a running domU's console, and xl destroy
# of that domU, with its disk (a loop device of the block script's) and
# its vif on xenbr0 connected, leaves nothing of the domain behind: Xen
# forgets it (no "(null)" zombie, which is what a grant or foreign mapping
# dom0 still holds leaves), xenstore has no /local/domain/<id> and no
# backend directory of it, and dom0 has no loop device, vif netdev or
# bridge port of it left.
img=/tmp/t-destroy.img
dd if=/dev/zero of=$img bs=1M count=0 seek=16 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-destroy state \
	"disk=['format=raw, vdev=xvda, access=rw, target=$img']" \
	"vif=['bridge=xenbr0']")
create "$cfg"
wait_for t-destroy 'XENPV-STATE .* n=2 ' 180 >/dev/null || fail "the domU did not come up"
id=$($XL domid t-destroy)

# Both backends connected (XenbusStateConnected, 4): destroy must tear
# down live rings, mapped grants and bound event channels.
be=/local/domain/0/backend
for d in vbd/$id/51712 vif/$id/0; do
	i=0
	until [ "$(xenstore-read $be/$d/state 2>/dev/null)" = 4 ]; do
		i=$((i + 1))
		[ $i -lt 60 ] ||
			fail "backend $d is not connected (state $(xenstore-read $be/$d/state 2>&1))"
		sleep 0.5
	done
done
loop=$(losetup -a 2>/dev/null | grep -F $img | cut -d: -f1)
[ -n "$loop" ] || fail "no loop device of dom0's holds $img"
[ -e /sys/class/net/vif$id.0 ] || fail "dom0 has no vif$id.0"

# xl console through a pty, as a user runs it; Ctrl-] ends it.  The
# counter goes on every second: two lines come within 30 s.
seen=$(python3 - "$XL" t-destroy <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ['xl', 'console', sys.argv[2]])
out, end = b'', time.time() + 30
while time.time() < end and out.count(b'XENPV-STATE') < 2:
    if select.select([fd], [], [], 1)[0]:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
os.write(fd, b'\x1d')
time.sleep(1)
try:
    os.kill(pid, 9)
except OSError:
    pass
os.waitpid(pid, 0)
print(out.count(b'XENPV-STATE'))
PY
)
[ "${seen:-0}" -ge 2 ] || fail "xl console showed ${seen:-no} state lines of the domU"

timeout 60 $XL destroy t-destroy || fail "xl destroy failed or took over 60 s"
# Xen frees a domain once nothing maps its pages any more.
i=0
while $XL list | awk 'NR > 2' | grep -q .; do
	i=$((i + 1))
	[ $i -lt 40 ] ||
		fail "after xl destroy, xl list still shows: $($XL list | awk 'NR > 2' | tr '\n' ' ')"
	sleep 0.5
done
left=$(xenstore-list /local/domain 2>/dev/null | tr '\n' ' ')
[ "$left" = "0 " ] || fail "xenstore still has /local/domain entries: $left"
for d in vbd vif console; do
	! xenstore-read $be/$d/$id >/dev/null 2>&1 ||
		fail "xenstore still has $be/$d/$id: $(xenstore-ls $be/$d/$id 2>&1 | head -n 3 | tr '\n' ' ')"
done
# The hotplug scripts' "remove" runs once the backend is gone: give them
# a few seconds.
i=0
while losetup -a 2>/dev/null | grep -qF $img || [ -e /sys/class/net/vif$id.0 ]; do
	i=$((i + 1))
	[ $i -lt 20 ] || break
	sleep 0.5
done
! losetup -a 2>/dev/null | grep -qF $img ||
	fail "dom0 still has a loop device on the image: $(losetup -a | grep -F $img)"
[ ! -e /sys/class/net/vif$id.0 ] || fail "dom0 still has vif$id.0"
ports=$(ls /sys/class/net/xenbr0/brif 2>/dev/null | tr '\n' ' ')
[ -z "$ports" ] || fail "xenbr0 still has ports: $ports"
rm -f $img
pass "xl console showed the guest ($seen state lines); after xl destroy of the domU with its disk ($loop) and vif connected, only Domain-0 is left in Xen and xenstore, no loop device, vif or bridge port"
