# domu-pvh: the kernel boots as a PVH domU (hardware-assisted paging, the
# PVH entry point) to init.
cfg=$(TYPE=pvh VCPUS=1 domu_cfg t-pvh boot)
create "$cfg"
wait_for t-pvh 'XENPV-GUEST-UP' 240 >/dev/null || fail "the PVH domU did not reach init"
pass "PVH domU at init, console seen"
