# dom0-boot: Xen booted the kernel under test as dom0, with 2 vCPUs, to
# init, and the kernel knows it is the control domain.
cpus=$(nproc)
[ "$cpus" = 2 ] || fail "dom0 runs on $cpus vCPUs, expected 2"
grep -q control_d /proc/xen/capabilities 2>/dev/null ||
	fail "/proc/xen/capabilities does not say control_d (xenfs missing?)"
pass "dom0 at init on $cpus vCPUs, kernel $(uname -r)"
