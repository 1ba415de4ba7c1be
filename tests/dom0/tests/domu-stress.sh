# domu-stress: the same as dom0-stress, inside a 2-vCPU domU of 512 MiB.
cfg=$(MEM=512 domu_cfg t-stress stress)
create "$cfg"
line=$(wait_for t-stress 'XENPV-STRESS-(OK|FAIL)' 900) ||
	fail "the domU did not finish the stress run"
case "$line" in *STRESS-FAIL*) fail "in the domU: ${line#*XENPV-STRESS-FAIL }" ;; esac
pass "fork/exec x1000, 256 MiB touched in a child, both vCPUs busy at once, vCPU 1 offlined and onlined x3"
