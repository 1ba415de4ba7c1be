// SPDX-License-Identifier: GPL-2.0
/*
 * Paravirtual spinlocks.
 *
 * A vCPU spinning on a lock whose holder Xen has descheduled burns its
 * whole time slice for nothing.  The PV qspinlock slow path lets the
 * waiter sleep instead: wait() blocks the vCPU in Xen until its "kicker"
 * event channel is pending, and the unlocker's kick() makes it pending.
 * The kicker channel is an IPI whose interrupt stays disabled; SCHEDOP_poll
 * only looks at its pending bit.
 *
 * "xen_nopvspin" on the command line keeps the plain qspinlock.
 */
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>

#include <asm/paravirt.h>
#include <asm/qspinlock.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/interface/vcpu.h>

#include "xen-ops.h"

static DEFINE_PER_CPU(int, kicker_irq) = -1;
static bool pv_lock_waits __initdata = true;

static irqreturn_t kicker_never_runs(int irq, void *dev_id)
{
	BUG();
	return IRQ_HANDLED;
}

static void wake_lock_waiter(int cpu)
{
	if (per_cpu(kicker_irq, cpu) >= 0)
		xen_send_IPI_one(cpu, XEN_IPI_SPIN_KICK);
}

/* Sleep while *@byte is @val, until kicked (or anything else wakes us). */
static void sleep_while_byte(u8 *byte, u8 val)
{
	int irq = this_cpu_read(kicker_irq);

	if (irq < 0 || in_nmi())
		return;
	/*
	 * Clear a stale kick first, then look again: a kick that comes
	 * after the clear is pending and ends the poll at once.
	 */
	xen_clear_irq_pending(irq);
	barrier();
	if (READ_ONCE(*byte) == val)
		xen_poll_irq(irq);
}

void xen_spin_bind_kicker(int cpu)
{
	int irq;

	if (pv_ops.lock.wait != sleep_while_byte)
		return;
	if (per_cpu(kicker_irq, cpu) >= 0)
		return;
	irq = bind_ipi_to_irqhandler(XEN_IPI_SPIN_KICK, cpu,
				     kicker_never_runs,
				     IRQF_PERCPU | IRQF_NOBALANCING,
				     "spinlock", NULL);
	if (irq < 0) {
		pr_warn("xen: no spinlock kicker for CPU %d (%d)\n", cpu, irq);
		return;
	}
	disable_irq(irq);
	per_cpu(kicker_irq, cpu) = irq;
}

void xen_spin_unbind_kicker(int cpu)
{
	int irq = per_cpu(kicker_irq, cpu);

	if (irq < 0)
		return;
	unbind_from_irqhandler(irq, NULL);
	per_cpu(kicker_irq, cpu) = -1;
}

/* The runstate area Xen keeps up to date for each vCPU. */
static DEFINE_PER_CPU(struct vcpu_runstate_info, xen_runstate);

/* Is the vCPU behind @cpu waiting for a physical CPU right now? */
__visible bool xen_vcpu_preempted(long cpu)
{
	return READ_ONCE(per_cpu(xen_runstate, cpu).state) == RUNSTATE_runnable;
}
PV_CALLEE_SAVE_REGS_THUNK(xen_vcpu_preempted);

/*
 * Also after a restore: the new domain's vCPUs have no area registered,
 * and the old one would go on saying what it said at the save.
 */
void xen_register_runstate(int cpu)
{
	/*
	 * The address is a 64-bit field; a 32-bit pointer fills only its
	 * low half, so clear the rest.
	 */
	struct vcpu_register_runstate_memory_area area = {};

	area.addr.v = &per_cpu(xen_runstate, cpu);
	HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area,
			   per_cpu(xen_vcpu_id, cpu), &area);
}

void __init xen_setup_pv_locks(void)
{
	struct pv_lock_ops *lock;
	int cpu;

	for_each_possible_cpu(cpu)
		xen_register_runstate(cpu);
	pv_ops.lock.vcpu_is_preempted = PV_CALLEE_SAVE(xen_vcpu_preempted);

	/*
	 * Queued locks either way: with the PV slow path a waiter sleeps in
	 * Xen; without it (one CPU, or xen_nopvspin) it spins in the queue,
	 * never in the test-and-set fallback.
	 */
	static_branch_disable(&virt_spin_lock_key);
	if (!pv_lock_waits || num_possible_cpus() == 1) {
		pr_info("xen: lock waiters spin (%s)\n",
			pv_lock_waits ? "one vCPU" : "xen_nopvspin");
		return;
	}
	lock = &pv_ops.lock;
	lock->wait = sleep_while_byte;
	lock->kick = wake_lock_waiter;
	__pv_init_lock_hash();
	lock->queued_spin_unlock = PV_CALLEE_SAVE(__pv_queued_spin_unlock);
	lock->queued_spin_lock_slowpath = __pv_queued_spin_lock_slowpath;
	pr_info("xen: lock waiters sleep in SCHEDOP_poll\n");
}

static __init int no_pv_lock_waits(char *arg)
{
	pv_lock_waits = false;
	return 0;
}
early_param("xen_nopvspin", no_pv_lock_waits);
