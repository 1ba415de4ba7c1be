# dom0-stress: in dom0, fork/exec 1000 times, touch 256 MiB in a child, and
# keep both vCPUs busy at once, take vCPU 1 offline and online 3 times;
# every page written is read back and checked.
for step in "forkexec 1000" "touch 256" "smp 10" "hotplug 3"; do
	out=$($XENPV/bin/xenpv-stress $step 2>&1) || fail "xenpv-stress $step: $out"
	say "$out"
done
pass "fork/exec x1000, 256 MiB touched in a child, both vCPUs busy at once, vCPU 1 offlined and onlined x3"
