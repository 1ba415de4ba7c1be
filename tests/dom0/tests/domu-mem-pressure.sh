# domu-mem-pressure: xl mem-set far below what the domU's workload holds.
# The balloon must stop short of the target instead of pushing the domain
# into OOM: the workload keeps its 140 MiB intact, nothing is killed, the
# domain goes on, and the memory comes back with the next mem-set.  It must
# still give back what it can spare: at least GIVE MiB, as Xen counts the
# domain (xl list) and as the guest counts its MemTotal, or a balloon that
# ignored the request would pass.
GIVE=40
cfg=$(MEM=256 domu_cfg t-mp pressure "maxmem=256")
create "$cfg"
wait_for t-mp 'XENPV-HOLDING' 180 >/dev/null || fail "the workload did not start"
first=$(wait_for t-mp 'XENPV-STATE .* n=' 5)
n0=$(echo "$first" | sed -n 's/.* n=\([0-9]*\) .*/\1/p')
kb0=${first##*memkb=}
$XL mem-set t-mp 64m || fail "xl mem-set 64m failed"
# The workload holds for 60 s from its start; watch the domain meanwhile.
line=$(wait_for t-mp 'XENPV-HOLD-(OK|FAIL)' 120) ||
	fail "the workload did not finish (domain state $(dom_state t-mp))"
low=$(dom_mem_mb t-mp)
case "$line" in *FAIL*) fail "the workload's memory: ${line#*XENPV-HOLD-FAIL }" ;; esac
killed=$(tr -d '\r' < "$(conlog t-mp)" | grep -aE 'Out of memory|oom-kill|Killed process' | head -n 1)
[ -z "$killed" ] || fail "the domU ran out of memory: ${killed#*] }"
last=$(wait_for t-mp 'XENPV-STATE .* n=' 5)
n1=$(echo "$last" | sed -n 's/.* n=\([0-9]*\) .*/\1/p')
kb1=${last##*memkb=}
[ "${n1:-0}" -gt "${n0:-0}" ] || fail "the domU stopped reporting (n=$n0 -> $n1)"
[ "${low:-0}" -gt 140 ] || fail "the domain went down to ${low} MiB under a 140 MiB workload"
[ $((256 - ${low:-256})) -ge $GIVE ] ||
	fail "the balloon gave back $((256 - ${low:-256})) MiB (xl list: $low MiB), less than $GIVE"
[ $(( (${kb0:-0} - ${kb1:-0}) / 1024 )) -ge $GIVE ] ||
	fail "the guest's MemTotal went from $kb0 to $kb1 kB only, less than $GIVE MiB down"
$XL mem-set t-mp 256m || fail "xl mem-set 256m failed"
i=0
until [ "$(dom_mem_mb t-mp)" -ge 250 ] 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 90 ] || fail "memory did not come back to 256 MiB (xl list: $(dom_mem_mb t-mp))"
	sleep 1
done
pass "mem-set 64 MiB under a 140 MiB workload: stopped at $low MiB (MemTotal $kb0 -> $kb1 kB), nothing killed, workload intact; back to 256 MiB"
