// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt flag of a PV vCPU, and idling.
 *
 * A PV kernel cannot use cli/sti: the real IF belongs to Xen.  Its
 * interrupts are events, and each vCPU has a byte in shared memory,
 * vcpu_info.evtchn_upcall_mask, that tells Xen not to deliver them.  So
 * disabling interrupts is one store of 1 and reading the flag is one load;
 * these are by far the most frequent pv_ops calls, and they stay free of
 * hypercalls.  Only enabling has a second step: an event that arrived
 * while we were masked is left pending (evtchn_upcall_pending), and we
 * must ask for it with a hypercall, whose return delivers it.
 *
 * Each vCPU's vcpu_info starts inside the shared info page (first 32
 * vCPUs only).  Once per-cpu areas exist we move it into this CPU's
 * per-cpu data (VCPUOP_register_vcpu_info).  From then on the hooks are
 * the asm versions in entry.S, which reach the mask with a single
 * %gs-relative instruction and so cannot be confused by preemption.
 */
#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include <asm/paravirt.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/interface/vcpu.h>

#include "xen-ops.h"

__visible void xen_check_events(void)
{
	xen_force_evtchn_callback();
}
PV_CALLEE_SAVE_REGS_THUNK(xen_check_events);

/* ---- Before per-cpu vcpu_info: through the pointer ---------------------- */

__visible unsigned long xen_save_fl(void)
{
	return this_cpu_read(xen_vcpu)->evtchn_upcall_mask ? 0 : X86_EFLAGS_IF;
}
PV_CALLEE_SAVE_REGS_THUNK(xen_save_fl);

__visible void xen_irq_disable(void)
{
	/* Boot is single-threaded here: no preemption between the two. */
	this_cpu_read(xen_vcpu)->evtchn_upcall_mask = 1;
}
PV_CALLEE_SAVE_REGS_THUNK(xen_irq_disable);

__visible void xen_irq_enable(void)
{
	struct vcpu_info *v = this_cpu_read(xen_vcpu);

	v->evtchn_upcall_mask = 0;
	/* The unmask must be visible before we look for pending events. */
	barrier();
	if (unlikely(v->evtchn_upcall_pending))
		xen_force_evtchn_callback();
}
PV_CALLEE_SAVE_REGS_THUNK(xen_irq_enable);

/*
 * The idle loop's "sti; hlt": SCHEDOP_block unmasks our events and
 * deschedules the vCPU until one is pending, in one step, so an event
 * that comes after the idle loop looked is not slept through.  Xen
 * answers a vCPU blocking itself with 0 whatever happens; there is no
 * error to look for.
 */
static void xen_idle_block(void)
{
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/*
 * Stop this vCPU: Xen no longer schedules it until someone asks
 * VCPUOP_up for it, and then the call returns.  (Should it be the last
 * vCPU of the domain running, Xen powers the domain off instead.)
 */
void xen_vcpu_down_self(void)
{
	HYPERVISOR_vcpu_op(VCPUOP_down, this_cpu_read(xen_vcpu_id), NULL);
}

/*
 * halt() is a bare hlt, whose meaning depends on IF.  Set, it waits for
 * the next interrupt: that is blocking.  Clear, only an NMI or a reset
 * ends it, which is how the crash and early-exception paths park a CPU
 * for good; a vCPU is parked by going down.
 */
static void xen_halt(void)
{
	if (!irqs_disabled()) {
		xen_idle_block();
		return;
	}
	xen_vcpu_down_self();
}

void __init xen_init_irq_ops(void)
{
	pv_ops.irq.save_fl = PV_CALLEE_SAVE(xen_save_fl);
	pv_ops.irq.irq_disable = PV_CALLEE_SAVE(xen_irq_disable);
	pv_ops.irq.irq_enable = PV_CALLEE_SAVE(xen_irq_enable);
	pv_ops.irq.safe_halt = xen_idle_block;
	pv_ops.irq.halt = xen_halt;

	per_cpu(xen_vcpu_id, 0) = 0;
	per_cpu(xen_vcpu, 0) = &HYPERVISOR_shared_info->vcpu_info[0];
}

/* ---- Per-cpu vcpu_info ---------------------------------------------------- */

/*
 * Called on the boot CPU once per-cpu areas exist, before alternatives
 * patch the pv_ops call sites: every possible CPU gets its vcpu_info,
 * and the hooks switch to the one-instruction versions.
 */
void __init xen_switch_to_percpu_vcpu_info(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		xen_vcpu_info_attach(cpu);

	pv_ops.irq.save_fl = __PV_IS_CALLEE_SAVE(xen_save_fl_percpu);
	pv_ops.irq.irq_disable = __PV_IS_CALLEE_SAVE(xen_irq_disable_percpu);
	pv_ops.irq.irq_enable = __PV_IS_CALLEE_SAVE(xen_irq_enable_percpu);
	pv_ops.mmu.read_cr2 = __PV_IS_CALLEE_SAVE(xen_read_cr2_percpu);
}
