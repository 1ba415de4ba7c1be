# domu-sysfs: /sys/hypervisor in the domU says what xl says (type, Xen
# version, the domain's UUID), and the balloon's sysfs files show the
# domain's memory target.
cfg=$(MEM=128 domu_cfg t-sysfs sysfs)
create "$cfg"
wait_for t-sysfs 'XENPV-SYSFS-DONE' 180 >/dev/null || fail "the domU did not report"
hv=$(wait_for t-sysfs 'XENPV-SYSFS-HV' 5)
bl=$(wait_for t-sysfs 'XENPV-SYSFS-BALLOON' 5)
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

info=$($XL info) || fail "xl info failed"
xv=$(echo "$info" | sed -n 's/^xen_version *: *//p')
uuid=$($XL list -v t-sysfs | awk 'NR == 2' |
	grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
timeout 120 $XL shutdown -w t-sysfs >/dev/null 2>&1 || $XL destroy t-sysfs

[ "$(field "$hv" type)" = xen ] || fail "/sys/hypervisor/type: '$(field "$hv" type)'"
[ "$(field "$hv" version)" = "$xv" ] ||
	fail "/sys/hypervisor/version says '$(field "$hv" version)', xl info '$xv'"
[ -n "$uuid" ] || fail "xl list -v shows no UUID"
[ "$(field "$hv" uuid)" = "$uuid" ] ||
	fail "/sys/hypervisor/uuid is '$(field "$hv" uuid)', xl says '$uuid'"
[ "$(field "$hv" pagesize)" = 1000 ] ||
	fail "/sys/hypervisor/properties/pagesize: '$(field "$hv" pagesize)'"
case "$(field "$hv" caps)" in *xen-3.0-x86_64*) ;;
*) fail "/sys/hypervisor/properties/capabilities: '$(field "$hv" caps)'" ;; esac

t=$(field "$bl" target_kb)
c=$(field "$bl" current_kb)
b=$(field "$bl" target)
[ -n "$t" ] || fail "no balloon target_kb"
[ "$t" = 131072 ] || fail "balloon target_kb is '$t', the domain has 131072"
[ -n "$c" ] && [ "$c" -gt 100000 ] && [ "$c" -le 131072 ] ||
	fail "balloon info/current_kb is '$c'"
[ "$b" = $((t * 1024)) ] || fail "balloon target is '$b' bytes, target_kb '$t'"
pass "type, version $xv and UUID match xl; balloon target_kb $t, current_kb $c"
