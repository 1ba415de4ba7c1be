# dom0-poweroff: "poweroff" in dom0 turns the machine off through Xen.
# dom0's ACPI evaluates S5 and hands the register values to Xen
# (XENPF_enter_acpi_sleep), which enters S5 itself.  The machine is gone
# afterwards, so the ladder judges (ladder.py's POWER_OFF_TEST): QEMU must
# exit by itself with status 0 after Xen's "Entering ACPI S5 state.".
# This script only reports when the machine is still there.
echo "XENPV-POWEROFF dom0 powers the machine off"
sync
poweroff -f
sleep 100
result FAIL "dom0 is still running 100 s after poweroff -f"
