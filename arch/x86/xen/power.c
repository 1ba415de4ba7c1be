// SPDX-License-Identifier: GPL-2.0
/*
 * Reboot, power off, halt and crash: the domain asks Xen.
 *
 * For a domU that ends the domain (and the toolstack does what its
 * on_poweroff/on_reboot/on_crash settings say); for dom0 Xen reboots or
 * halts the machine.  A panic reports SHUTDOWN_crash, so that a crashed
 * domU can be kept for inspection (on_crash="preserve", xenctx).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>

#include <asm/reboot.h>
#include <asm/xen/hypercall.h>

#include <xen/xen.h>
#include <xen/interface/sched.h>

#include "xen-ops.h"

static void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown shutdown = { .reason = reason };

	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);
}

static void xen_restart(char *msg)
{
	xen_shutdown(SHUTDOWN_reboot);
}

static void xen_emergency_restart(void)
{
	xen_shutdown(SHUTDOWN_reboot);
}

static void xen_halt(void)
{
	xen_shutdown(SHUTDOWN_poweroff);
}

static void xen_power_off(void)
{
	do_kernel_power_off();
	xen_shutdown(SHUTDOWN_poweroff);
}

/*
 * The reboot syscall turns "power off" into "halt" unless someone can
 * power off; we can, at firmware priority (Xen is the firmware here).
 */
static int xen_sys_off(struct sys_off_data *data)
{
	xen_shutdown(SHUTDOWN_poweroff);
	return NOTIFY_DONE;
}

static void xen_crash_shutdown(struct pt_regs *regs)
{
	xen_shutdown(SHUTDOWN_crash);
}

static void xen_nothing_to_shut_down(void)
{
}

static int xen_panic_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct sched_shutdown shutdown = { .reason = SHUTDOWN_crash };

	/* Returns only if Xen refuses, and then the panic goes on. */
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);
	return NOTIFY_DONE;
}

static struct notifier_block xen_panic_block = {
	.notifier_call = xen_panic_event,
	.priority = INT_MIN,
};

void __init xen_init_power_ops(void)
{
	machine_ops.restart = xen_restart;
	machine_ops.emergency_restart = xen_emergency_restart;
	machine_ops.halt = xen_halt;
	machine_ops.power_off = xen_power_off;
	machine_ops.shutdown = xen_nothing_to_shut_down;
	machine_ops.crash_shutdown = xen_crash_shutdown;
	atomic_notifier_chain_register(&panic_notifier_list, &xen_panic_block);
}

static int __init xen_register_power_off(void)
{
	if (xen_pv_domain() || xen_pvh_domain())
		register_sys_off_handler(SYS_OFF_MODE_POWER_OFF,
					 SYS_OFF_PRIO_FIRMWARE, xen_sys_off,
					 NULL);
	return 0;
}
core_initcall(xen_register_power_off);
