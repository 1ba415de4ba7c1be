#!/bin/sh
# The demo: show Xen and dom0, start a domU and show its console.  On a
# terminal (plan "demo-interactive") it ends in a dom0 shell.
. /xenpv/dom0/lib.sh
XENPV_TEST=demo
echo
echo "=== Xen and dom0"
$XL info | grep -E '^(host|release|xen_version|xen_caps|nr_cpus|total_memory|free_memory)'
$XL list
echo
# A vif needs a network backend in this dom0 (xen-netback, which binds
# to vif devices on the xen-backend bus).  A dom0 kernel without one still
# starts the domU, only without a network card: say so, not fail.
if [ -d /sys/bus/xen-backend/drivers/vif ]; then
	vif="vif=['bridge=xenbr0']"
	echo "=== Starting a PV domU (128 MiB, 2 vCPUs, a vif on xenbr0)"
else
	vif=
	echo "=== Starting a PV domU (128 MiB, 2 vCPUs; no vif: this dom0 kernel has no network backend)"
fi
cfg=$(domu_cfg demo state ${vif:+"$vif"})
if $XL create "$cfg" && wait_for demo 'XENPV-STATE .* n=3 ' 180 >/dev/null; then
	$XL list
	echo
	echo "=== The domU's console (xl console demo)"
	sed 's/^/  | /' "$(conlog demo)" | tail -n 25
	echo "XENPV-DEMO-DONE"
else
	echo "=== The domU did not come up"
	diagnose
	sed 's/^/  | /' "$(conlog demo)" 2>/dev/null | tail -n 40
	echo "XENPV-DEMO-FAILED"
fi
if [ "$(cat /xenpv/plan)" = demo-interactive ]; then
	echo
	echo "This is dom0's shell.  Try: xl list, xl console demo (Ctrl-] leaves it),"
	echo "xl shutdown demo, xl create /tmp/demo.cfg, xl dmesg.  'reboot -f' ends the demo."
	setsid cttyhack /bin/sh -l
fi
