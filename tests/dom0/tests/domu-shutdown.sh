# domu-shutdown: xl shutdown -w ends a running domU through its orderly
# shutdown path (control/shutdown, /sbin/poweroff, init's shutdown actions).
cfg=$(domu_cfg t-shut state)
create "$cfg"
wait_for t-shut 'XENPV-STATE .* n=2 ' 180 >/dev/null || fail "the domU did not come up"
shutdown_gone t-shut
grep -aq XENPV-GUEST-SHUTDOWN "$(conlog t-shut)" ||
	fail "the domU went away without running its shutdown actions"
pass "graceful shutdown: guest ran its shutdown actions, domain gone"
