# domu-checkpoint: "xl save -c" three times while the domU writes to its
# disk and answers pings.  A checkpoint saves the domain and lets it go
# on: Xen cancels the suspend, so the guest returns from its suspend
# hypercall in the same domain, with its event channels, grants and store
# connection as they were (suspend-cancel).  The domain must keep its id,
# its boot, its counter and its writer, and stay reachable.  Then the last
# checkpoint is restored in place of the destroyed domain: it must go on
# from there, in the same boot.
img=/tmp/t-ck.img
dd if=/dev/zero of=$img bs=1M count=0 seek=64 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-ck writer "disk=['format=raw, vdev=xvdb, access=rw, target=$img']" \
	"vif=['bridge=xenbr0']")
create "$cfg"

out() { tr -d '\r' < "$(conlog t-ck)" 2>/dev/null; }
# The highest value of KEY= on lines matching REGEX, 0 if none.
highest() {
	out | grep -aE "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | sort -n | tail -n 1 | grep . || echo 0
}
# progress WHAT N SEQ: within 120 s the counter passes N and the writer SEQ.
progress() {
	_end=$(($(date +%s) + 120))
	while :; do
		[ "$(highest "XENPV-STATE boot=$boot " n)" -gt "$2" ] &&
			[ "$(highest XENPV-WRITER seq)" -gt "$3" ] && return 0
		case "$(dom_state t-ck)" in
		"") fail "$1: the domain is gone" ;;
		*c*) fail "$1: the domain crashed" ;;
		esac
		[ "$(date +%s)" -lt $_end ] ||
			fail "$1: no progress (counter $(highest "XENPV-STATE boot=$boot " n), writer at $(highest XENPV-WRITER seq), domain state '$(dom_state t-ck)')"
		sleep 0.5
	done
}
pings() {
	_end=$(($(date +%s) + 30))
	until ping -c 1 -W 2 10.0.0.2 >/dev/null 2>&1; do
		[ "$(date +%s)" -lt $_end ] || fail "$1: dom0 cannot ping the domU"
	done
}
healthy() {
	_l=$(out | grep -aE 'XENPV-WRITER-(FAIL|FULL|STOPPED)' | head -n 1)
	[ -z "$_l" ] || fail "$1: ${_l#*XENPV-}"
	_l=$(out | grep -a 'XENPV-STATE boot=' | grep -v "boot=$boot " | tail -n 1)
	[ -z "$_l" ] || fail "$1: the domU rebooted: ${_l#*XENPV-}"
}

line=$(wait_for t-ck 'XENPV-WRITER(-FAIL)? ' 180) || fail "the writer did not start"
case "$line" in *WRITER-FAIL*) fail "in the domU: ${line#*XENPV-}" ;; esac
line=$(wait_for t-ck 'XENPV-STATE boot=' 5) || fail "no state line"
boot=$(echo "$line" | sed -n 's/.*boot=\([^ ]*\).*/\1/p')
domid=$($XL domid t-ck)
pings "before the checkpoints"

# Progress counts from what the console showed when "xl save -c"
# returned, not from before it started: the guest runs, and prints, until
# the moment it suspends, so only a guest that really goes on after the
# checkpoint can pass.
for r in 1 2 3; do
	timeout 300 $XL save -c t-ck /tmp/t-ck.save > /tmp/t-ck.log 2>&1
	rc=$?
	n=$(highest "XENPV-STATE boot=$boot " n)
	seq=$(highest XENPV-WRITER seq)
	sed "s/^/[checkpoint $r] /" /tmp/t-ck.log
	[ $rc = 0 ] || fail "checkpoint $r: xl save -c failed: $(grep -aiE 'error|fail|cannot|unable' /tmp/t-ck.log | head -n 2 | tr '\n' ' ')"
	[ "$($XL domid t-ck 2>/dev/null)" = "$domid" ] ||
		fail "checkpoint $r: domain $domid is no longer t-ck ($($XL list | tail -n +2 | tr '\n' ' '))"
	progress "checkpoint $r" $((n + 5)) $((seq + 16))
	running t-ck || fail "checkpoint $r: the domain is not running (state '$(dom_state t-ck)')"
	healthy "checkpoint $r"
	pings "checkpoint $r"
	n_ck=$(highest "XENPV-STATE boot=$boot " n)
	say "checkpoint $r: counter $n -> $n_ck, writer $seq -> $(highest XENPV-WRITER seq)"
done

# The last checkpoint, restored: it goes on in the same boot, from a
# counter at most what the domain showed when it was taken.
$XL destroy t-ck || fail "xl destroy failed"
console_aside t-ck
timeout 120 $XL restore /tmp/t-ck.save > /tmp/t-ck.log 2>&1 ||
	fail "restoring the checkpoint failed: $(grep -aiE 'error|fail|cannot|unable' /tmp/t-ck.log | head -n 2 | tr '\n' ' ')"
rm -f /tmp/t-ck.save
line=$(wait_for t-ck "XENPV-STATE boot=$boot " 120) ||
	fail "the restored checkpoint shows no progress in boot $boot"
n=$(echo "$line" | sed -n 's/.* n=\([0-9]*\).*/\1/p')
[ "$n" -le $((n_ck + 5)) ] ||
	fail "the restored checkpoint counts from $n, beyond the $n_ck seen before it was taken"
progress "the restored checkpoint" $((n + 3)) 0
running t-ck || fail "the restored checkpoint is not running (state '$(dom_state t-ck)')"
healthy "the restored checkpoint"
pings "the restored checkpoint"
pass "3 checkpoints, the domain went on each time (same id and boot, writer, ping); the last one restored"
