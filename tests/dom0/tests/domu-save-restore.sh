# domu-save-restore: xl save, then xl restore; the guest continues where it
# stopped (same boot, its counter goes on) instead of rebooting.
cfg=$(domu_cfg t-sr state)
create "$cfg"
wait_for t-sr 'XENPV-STATE .* n=3 ' 180 >/dev/null || fail "the domU did not come up"
before=$(wait_for t-sr 'XENPV-STATE' 5)
boot=$(echo "$before" | sed -n 's/.*boot=\([^ ]*\).*/\1/p')
n0=$(echo "$before" | sed -n 's/.* n=\([0-9]*\).*/\1/p')
$XL save t-sr /tmp/t-sr.save || fail "xl save failed"
[ -z "$(dom_state t-sr)" ] || fail "the domain still runs after xl save"
$XL restore /tmp/t-sr.save || fail "xl restore failed"
rm -f /tmp/t-sr.save
after=$(wait_for t-sr "XENPV-STATE boot=$boot n=$((n0 + 3)) " 120) ||
	fail "no progress after restore (last seen: $(wait_for t-sr XENPV-STATE 1))"
pass "saved at n=$n0, restored, counter went on in the same boot"
