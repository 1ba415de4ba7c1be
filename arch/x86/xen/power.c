// SPDX-License-Identifier: GPL-2.0
/*
 * Reboot, power off, halt and crash: the domain asks Xen.
 *
 * For a domU that ends the domain (and the toolstack does what its
 * on_poweroff/on_reboot/on_crash settings say); for dom0 Xen reboots or
 * halts the machine.  A panic reports SHUTDOWN_crash, so that a crashed
 * domU can be kept for inspection (on_crash="preserve", xenctx).
 */
#include <linux/acpi.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>

#include <asm/reboot.h>
#include <asm/xen/hypercall.h>

#include <xen/xen.h>
#include <xen/interface/platform.h>
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

/*
 * A domU's power off is Xen's SHUTDOWN_poweroff, at firmware priority.
 * dom0's is the machine's: SHUTDOWN_poweroff from dom0 only halts Xen,
 * and the machine stays on.  Turning it off takes ACPI's S5, whose values
 * only dom0 knows (it runs the AML) and whose register write only Xen may
 * do (below).  So in dom0, ACPI's own handler goes first and ours is the
 * fallback when the machine has no ACPI or S5 fails.
 */
static int __init xen_register_power_off(void)
{
	if (xen_pv_domain() || xen_pvh_domain())
		register_sys_off_handler(SYS_OFF_MODE_POWER_OFF,
					 xen_initial_domain() ?
					 SYS_OFF_PRIO_LOW : SYS_OFF_PRIO_FIRMWARE,
					 xen_sys_off, NULL);
	return 0;
}
core_initcall(xen_register_power_off);

#if defined(CONFIG_XEN_DOM0) && defined(CONFIG_ACPI)
/*
 * The machine's sleep states, from dom0.
 *
 * ACPI enters a sleep state by evaluating _PTS and friends, then writing
 * SLP_TYPx|SLP_EN to the PM1 control registers (or, on a hardware-reduced
 * machine, the sleep type to the FADT's sleep control register).  Under
 * Xen that last write must be Xen's: it has CPUs, timers and devices of
 * its own to quiesce first, and a write from dom0 would switch the machine
 * off under it.  ACPICA calls a hook just before the write;
 * XENPF_enter_acpi_sleep hands Xen the values instead.  For S5 it never
 * returns; for S3 it returns once the machine has woken.  Returning 1
 * tells ACPICA the write is done.
 */
static int xen_acpi_enter_sleep(u8 state, u32 val_a, u32 val_b, u32 flags)
{
	struct xen_platform_op op = {
		.cmd = XENPF_enter_acpi_sleep,
		.u.enter_acpi_sleep = {
			.val_a = val_a,
			.val_b = val_b,
			.sleep_state = state,
			.flags = flags,
		},
	};
	int err;

	if (val_a > U16_MAX || val_b > U16_MAX) {
		pr_err("xen: ACPI S%u: register values %#x/%#x do not fit Xen's interface\n",
		       state, val_a, val_b);
		return -ERANGE;
	}
	err = HYPERVISOR_platform_op(&op);
	if (err) {
		pr_err("xen: Xen refused to enter ACPI S%u: %d\n", state, err);
		return err;
	}
	return 1;
}

/* pm1a/pm1b: the PM1 control values, SLP_TYPx and SLP_EN set. */
static int xen_acpi_pm1_sleep(u8 state, u32 pm1a, u32 pm1b)
{
	return xen_acpi_enter_sleep(state, pm1a, pm1b, 0);
}

/*
 * A hardware-reduced machine: ACPICA passes the sleep control register's
 * value (the type in bits 2-4, SLP_EN in bit 5) and nothing for b; Xen
 * wants the bare sleep types, and "none" for b.
 */
static int xen_acpi_reduced_sleep(u8 state, u32 control, u32 unused)
{
	u32 type = (control & ACPI_X_SLEEP_TYPE_MASK) >>
		   ACPI_X_SLEEP_TYPE_POSITION;

	return xen_acpi_enter_sleep(state, type, ACPI_SLEEP_TYPE_INVALID,
				    XENPF_ACPI_SLEEP_EXTENDED);
}

#ifdef CONFIG_ACPI_SLEEP
/*
 * Suspend to RAM would first build the real-mode wakeup trampoline and
 * save the CPU state for it; a PV dom0 owns neither real mode nor the
 * wakeup vector (Xen resumes it where it left off), and we do not yet
 * run that path.  Refuse it before anything is touched.
 */
static int xen_acpi_no_s3(void)
{
	pr_err("xen: suspend to RAM from a PV dom0 is not supported\n");
	return -EOPNOTSUPP;
}
#endif

static int __init xen_acpi_sleep_init(void)
{
	if (!xen_initial_domain() || !xen_pv_domain())
		return 0;
	acpi_os_set_prepare_sleep(xen_acpi_pm1_sleep);
	acpi_os_set_prepare_extended_sleep(xen_acpi_reduced_sleep);
#ifdef CONFIG_ACPI_SLEEP
	acpi_suspend_lowlevel = xen_acpi_no_s3;
#endif
	return 0;
}
arch_initcall(xen_acpi_sleep_init);
#endif /* CONFIG_XEN_DOM0 && CONFIG_ACPI */
