# dom0-tools: the xen-tools run on this dom0: xenstored and xenconsoled are
# up, xl info and xl list answer.
pidof xenstored >/dev/null || fail "xenstored is not running"
pidof xenconsoled >/dev/null || fail "xenconsoled is not running"
[ "$(xenstore-read /local/domain/0/name 2>/dev/null)" = Domain-0 ] ||
	fail "xenstore has no /local/domain/0/name = Domain-0"
info=$($XL info 2>&1) || fail "xl info failed: $(echo "$info" | tail -n 3)"
ver=$(echo "$info" | awk -F': ' '/^xen_version/ { print $2 }')
case "$ver" in 4.17*) ;; *) fail "xl info: xen_version is '$ver'" ;; esac
cpus=$(echo "$info" | awk -F': ' '/^nr_cpus/ { print $2 }')
list=$($XL list 2>&1) || fail "xl list failed: $list"
echo "$list" | grep -q '^Domain-0 ' || fail "xl list does not show Domain-0"
pass "xenstored, xenconsoled up; xl info: Xen $ver, $cpus CPUs; xl list shows Domain-0"
