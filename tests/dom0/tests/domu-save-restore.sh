# domu-save-restore: xl save, then xl restore; the guest continues where it
# stopped (same boot, its counter goes on) instead of rebooting.
#
# The guest prints its counter every second until the moment it suspends,
# so the console already holds values from after "xl save" started: the
# restored guest must go past the highest value printed before the save
# returned, by more than a line or two that were still in the console
# ring when it was saved: only a guest that runs again can do that.
cfg=$(domu_cfg t-sr state)
create "$cfg"
wait_for t-sr 'XENPV-STATE .* n=3 ' 180 >/dev/null || fail "the domU did not come up"
before=$(wait_for t-sr 'XENPV-STATE' 5)
boot=$(echo "$before" | sed -n 's/.*boot=\([^ ]*\).*/\1/p')
$XL save t-sr /tmp/t-sr.save || fail "xl save failed"
[ -z "$(dom_state t-sr)" ] || fail "the domain still runs after xl save"
saved=$(highest_state t-sr "$boot")
$XL restore /tmp/t-sr.save || fail "xl restore failed"
rm -f /tmp/t-sr.save
want=$((saved + 5))
after=$(wait_for t-sr "XENPV-STATE boot=$boot n=$want " 120) ||
	fail "no progress after restore: the counter stopped at $(highest_state t-sr "$boot"), saved at $saved (domain state '$(dom_state t-sr)')"
running t-sr || fail "the restored domain is not running (state '$(dom_state t-sr)')"
pass "saved at n=$saved, restored, counter went on to $want in the same boot"
