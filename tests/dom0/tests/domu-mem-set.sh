# domu-mem-set: xl mem-set down and up again; the domU's balloon driver
# follows, as seen by Xen (xl list) and by the guest (MemTotal).
cfg=$(MEM=256 domu_cfg t-mem state "maxmem=256")
create "$cfg"
first=$(wait_for t-mem 'XENPV-STATE .* n=2 ' 180) || fail "the domU did not come up"
kb0=${first##*memkb=}
# wait_mem MB: until xl list shows about MB and the guest has reported again
wait_mem() {
	i=0
	while [ $i -lt 90 ]; do
		m=$(dom_mem_mb t-mem)
		[ -n "$m" ] && [ $((m - $1)) -le 2 ] && [ $(($1 - m)) -le 2 ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
$XL mem-set t-mem 160m || fail "xl mem-set 160m failed"
wait_mem 160 || fail "memory did not go down to 160 MiB (xl list: $(dom_mem_mb t-mem))"
sleep 3
kb1=$(wait_for t-mem XENPV-STATE 5); kb1=${kb1##*memkb=}
[ $((kb0 - kb1)) -ge 80000 ] || fail "guest MemTotal went from $kb0 to $kb1 kB only"
$XL mem-set t-mem 256m || fail "xl mem-set 256m failed"
wait_mem 256 || fail "memory did not come back to 256 MiB (xl list: $(dom_mem_mb t-mem))"
sleep 3
kb2=$(wait_for t-mem XENPV-STATE 5); kb2=${kb2##*memkb=}
[ $((kb2 - kb1)) -ge 80000 ] || fail "guest MemTotal went from $kb1 to $kb2 kB only"
pass "256 -> 160 -> 256 MiB; guest MemTotal $kb0 -> $kb1 -> $kb2 kB"
