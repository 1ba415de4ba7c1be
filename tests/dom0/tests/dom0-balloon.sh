# dom0-balloon: dom0 starts with the memory Xen's dom0_mem= gave it, and
# "xl mem-set 0" takes memory from it and gives it back, the way a host
# makes room for guests: Xen's free memory grows and shrinks by what dom0
# gave, and dom0 ends where it started.  The balloon's own view is its
# sysfs directory (xen_memory0/info/current_kb), what users read.
bal=/sys/devices/system/xen_memory/xen_memory0
[ -r $bal/info/current_kb ] || fail "no $bal/info/current_kb"
# What Xen was told: xl info's xen_commandline has dom0_mem=<n>M[,max:..].
given=$($XL info 2>/dev/null | sed -n 's/^xen_commandline.*dom0_mem=\([0-9]*\)M.*/\1/p')

dom0_mib() { $XL list 0 2>/dev/null | awk 'NR == 2 { print $3 }'; }
xen_free() { $XL info 2>/dev/null | awk -F': ' '/^free_memory/ { print $2 }'; }
cur_mib() { echo $(($(cat $bal/info/current_kb) / 1024)); }

# wait_mib LOW HIGH: until dom0 holds between LOW and HIGH MiB, for Xen
# and for the balloon; 90 s at most.
wait_mib() {
	_end=$(($(date +%s) + 90))
	while :; do
		_x=$(dom0_mib) _b=$(cur_mib)
		[ -n "$_x" ] && [ "$_x" -ge $1 ] && [ "$_x" -le $2 ] &&
			[ "$_b" -ge $1 ] && [ "$_b" -le $2 ] && return 0
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 1
	done
}

start=$(dom0_mib)
[ -n "$start" ] || fail "xl list 0 shows no memory for Domain-0"
if [ -n "$given" ]; then
	# Xen may keep a few MiB of dom0_mem for itself (page tables, the
	# start info); dom0 must not have more than it was given.
	[ "$start" -le "$given" ] && [ "$start" -ge $((given - 16)) ] ||
		fail "dom0_mem=${given}M, yet dom0 holds $start MiB"
fi
[ "$(cur_mib)" -le $((start + 1)) ] && [ "$(cur_mib)" -ge $((start - 16)) ] ||
	fail "the balloon says dom0 has $(cur_mib) MiB, Xen says $start"
free0=$(xen_free)
low=$((start - 256))
# Whatever happens, dom0 gets its memory back for the tests after us.
trap '$XL mem-set 0 ${start}m > /dev/null 2>&1' EXIT

$XL mem-set 0 ${low}m 2>&1 || fail "xl mem-set 0 ${low}m failed"
wait_mib $((low - 2)) $((low + 2)) ||
	fail "after mem-set 0 ${low}m dom0 holds $(dom0_mib) MiB (balloon: $(cur_mib) MiB)"
free1=$(xen_free)
gave=$((free1 - free0))
[ $gave -ge 240 ] && [ $gave -le 272 ] ||
	fail "dom0 went down 256 MiB, yet Xen's free memory grew by $gave MiB"
memtotal_low=$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)

$XL mem-set 0 ${start}m 2>&1 || fail "xl mem-set 0 ${start}m failed"
wait_mib $((start - 2)) $start ||
	fail "after mem-set 0 ${start}m dom0 holds $(dom0_mib) MiB (balloon: $(cur_mib) MiB)"
free2=$(xen_free)
[ $((free2 - free0)) -le 4 ] && [ $((free0 - free2)) -le 4 ] ||
	fail "back at $start MiB, Xen's free memory is $free2 MiB, was $free0"
pass "dom0 at $start MiB (dom0_mem=${given:-?}M), down to $low and back; Xen free $free0 -> $free1 -> $free2 MiB; MemTotal at $low: $memtotal_low MiB"
