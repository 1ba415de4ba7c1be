// SPDX-License-Identifier: GPL-2.0
/*
 * Secondary vCPUs, IPIs and CPU hotplug.
 *
 * There is no INIT/SIPI for a PV vCPU: we describe the state it should
 * start in (registers, GDT, trap table, callbacks, cr3, kernel stack,
 * %gs base) and Xen starts it there (VCPUOP_initialise, then VCPUOP_up).
 * It enters at xen_secondary_entry on its idle stack and does what
 * native start_secondary() does.
 *
 * IPIs are event channels bound per vCPU, one per kind (reschedule, call
 * function, call function single, and the spinlock kick, which is never
 * delivered but polled; see spinlock.c).
 *
 * Taking a vCPU offline ends in VCPUOP_down in its idle task; bringing it
 * back makes that hypercall return, and the vCPU starts over on a clean
 * idle stack.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/sched.h>
#include <linux/sched/hotplug.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/tick.h>

#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/idtentry.h>
#include <asm/mmu_context.h>
#include <asm/smp.h>
#include <asm/spec-ctrl.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/interface/vcpu.h>

#include "xen-ops.h"

struct ipi_kind {
	enum xen_ipi vector;
	irq_handler_t handler;
	const char *name;
};

static DEFINE_PER_CPU(int [XEN_NR_IPIS], cpu_ipi_irq);
static cpumask_var_t vcpu_initialised;

static irqreturn_t ipi_reschedule(int irq, void *dev_id)
{
	inc_irq_stat(irq_resched_count);
	scheduler_ipi();
	return IRQ_HANDLED;
}

static irqreturn_t ipi_call_function(int irq, void *dev_id)
{
	generic_smp_call_function_interrupt();
	inc_irq_stat(irq_call_count);
	return IRQ_HANDLED;
}

static irqreturn_t ipi_call_function_single(int irq, void *dev_id)
{
	generic_smp_call_function_single_interrupt();
	inc_irq_stat(irq_call_count);
	return IRQ_HANDLED;
}

static irqreturn_t ipi_irq_work(int irq, void *dev_id)
{
	irq_work_run();
	inc_irq_stat(apic_irq_work_irqs);
	return IRQ_HANDLED;
}

static const struct ipi_kind xen_ipis[] = {
	{ XEN_IPI_RESCHED, ipi_reschedule, "resched" },
	{ XEN_IPI_CALL_FUNC, ipi_call_function, "callfunc" },
	{ XEN_IPI_CALL_FUNC_SINGLE, ipi_call_function_single,
	  "callfuncsingle" },
	{ XEN_IPI_IRQ_WORK, ipi_irq_work, "irqwork" },
};

static void unbind_ipis(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < XEN_NR_IPIS; i++) {
		int irq = per_cpu(cpu_ipi_irq, cpu)[i];

		if (irq > 0)
			unbind_from_irqhandler(irq, NULL);
		per_cpu(cpu_ipi_irq, cpu)[i] = 0;
	}
}

/* Bind @cpu's IPIs (from process context, before the vCPU runs). */
static int bind_ipis(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_ipis); i++) {
		const struct ipi_kind *ipi = &xen_ipis[i];
		int irq = bind_ipi_to_irqhandler(ipi->vector, cpu, ipi->handler,
						 IRQF_PERCPU | IRQF_NOBALANCING,
						 ipi->name, NULL);

		if (irq < 0) {
			unbind_ipis(cpu);
			return irq;
		}
		per_cpu(cpu_ipi_irq, cpu)[ipi->vector] = irq;
	}
	return 0;
}

static void xen_smp_send_reschedule(int cpu)
{
	xen_send_IPI_one(cpu, XEN_IPI_RESCHED);
}

static void xen_send_call_func_ipi(const struct cpumask *mask)
{
	unsigned int cpu;

	for_each_cpu_and(cpu, mask, cpu_online_mask)
		xen_send_IPI_one(cpu, XEN_IPI_CALL_FUNC);
}

static void xen_send_call_func_single_ipi(int cpu)
{
	xen_send_IPI_one(cpu, XEN_IPI_CALL_FUNC_SINGLE);
}

/* ---- Bringing a vCPU up ------------------------------------------------------- */

/* Where a secondary starts: native start_secondary(), the Xen way. */
asmlinkage __visible void xen_secondary_start(void)
{
	int cpu = smp_processor_id();

	xen_activate_init_mm();
	xen_set_kernel_iopl();
	cr4_init();
	cpu_init_secondary();
	rcu_cpu_starting(cpu);
	smp_store_cpu_info(cpu);
	set_cpu_sibling_map(cpu);
	calibrate_delay();
	cpu_data(cpu).loops_per_jiffy = loops_per_jiffy;
	speculative_store_bypass_ht_init();
	xen_setup_cpu_clockevent(cpu);
	notify_cpu_starting(cpu);
	set_cpu_online(cpu, true);
	cpu_set_state_online(cpu);
	local_irq_enable();
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

/* The registers, tables and callbacks @cpu starts with, for Xen. */
static int describe_new_vcpu(unsigned int cpu, struct task_struct *idle)
{
	struct vcpu_guest_context *ctxt;
	unsigned long stack = task_top_of_stack(idle);
	struct desc_struct *gdt = get_cpu_gdt_rw(cpu);
	int rc;

	ctxt = kzalloc(sizeof(*ctxt), GFP_KERNEL);
	if (!ctxt)
		return -ENOMEM;

	ctxt->flags = VGCF_in_kernel | VGCF_failsafe_disables_events |
		      VGCF_syscall_disables_events;
	ctxt->user_regs.cs = __KERNEL_CS;
	ctxt->user_regs.ss = __KERNEL_DS;
	ctxt->user_regs.ds = __USER_DS;
	ctxt->user_regs.es = __USER_DS;
	ctxt->user_regs.rip = (unsigned long)xen_secondary_entry;
	ctxt->user_regs.rsp = stack;
	ctxt->user_regs.rflags = X86_EFLAGS_FIXED;

	xen_fill_trap_ctxt(ctxt->trap_ctxt);

	/* The GDT must be read-only in every mapping, as for the boot CPU. */
	xen_set_page_ro(gdt, true);
	ctxt->gdt_frames[0] = arbitrary_virt_to_mfn(gdt);
	ctxt->gdt_ents = GDT_ENTRIES;

	ctxt->kernel_ss = __KERNEL_DS;
	ctxt->kernel_sp = stack;
	ctxt->event_callback_eip = xen_event_entry_addr;
	ctxt->failsafe_callback_eip = xen_failsafe_entry_addr;
	ctxt->syscall_callback_eip = xen_syscall_entry_addr;
	ctxt->vm_assist = 1UL << VMASST_TYPE_writable_pagetables;
	ctxt->gs_base_kernel = per_cpu_offset(cpu);
	ctxt->ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn(swapper_pg_dir));

	rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, per_cpu(xen_vcpu_id, cpu),
				ctxt);
	kfree(ctxt);
	return rc;
}

/*
 * Before bringup (CPUHP_XEN_PREPARE): everything the new vCPU needs that
 * allocates IRQs.  The hotplug core holds the IRQ descriptor lock around
 * the bringup itself, so this cannot wait until xen_cpu_up().
 */
static int xen_cpu_prepare(unsigned int cpu)
{
	int rc;

	rc = bind_ipis(cpu);
	if (rc)
		return rc;
	rc = xen_bind_cpu_timer(cpu);
	if (rc) {
		unbind_ipis(cpu);
		return rc;
	}
	xen_spin_bind_kicker(cpu);
	return 0;
}

/* After the vCPU is gone (or failed to come up): the reverse. */
static int xen_cpu_dead(unsigned int cpu)
{
	xen_spin_unbind_kicker(cpu);
	xen_teardown_cpu_clockevent(cpu);
	unbind_ipis(cpu);
	return 0;
}

static int xen_cpu_up(unsigned int cpu, struct task_struct *idle)
{
	unsigned long deadline;
	int rc;

	rc = common_cpu_up(cpu, idle);
	if (rc)
		return rc;

	/* A vCPU that went offline resumes in play_dead() instead. */
	if (!cpumask_test_cpu(cpu, vcpu_initialised)) {
		rc = describe_new_vcpu(cpu, idle);
		if (rc) {
			pr_err("xen: VCPUOP_initialise for CPU %u failed: %d\n",
			       cpu, rc);
			return rc;
		}
		cpumask_set_cpu(cpu, vcpu_initialised);
	}

	/* cpu_init() on the new CPU waits for this, as after an INIT/SIPI. */
	cpumask_set_cpu(cpu, cpu_callout_mask);
	rc = HYPERVISOR_vcpu_op(VCPUOP_up, per_cpu(xen_vcpu_id, cpu), NULL);
	if (rc) {
		pr_err("xen: VCPUOP_up for CPU %u failed: %d\n", cpu, rc);
		return rc;
	}

	deadline = jiffies + 10 * HZ;
	while (!cpu_online(cpu)) {
		if (time_after(jiffies, deadline)) {
			pr_err("xen: CPU %u did not come up\n", cpu);
			return -EIO;
		}
		schedule_timeout_uninterruptible(1);
	}
	return 0;
}

/* ---- Taking it down ---------------------------------------------------------- */

static int xen_cpu_disable(void)
{
	if (smp_processor_id() == 0)
		return -EBUSY;
	cpu_disable_common();
	load_cr3(swapper_pg_dir);
	return 0;
}

/* On a surviving CPU: wait until Xen says the vCPU is down, then tidy. */
static void xen_cpu_die(unsigned int cpu)
{
	unsigned long deadline = jiffies + 5 * HZ;

	while (HYPERVISOR_vcpu_op(VCPUOP_is_up, per_cpu(xen_vcpu_id, cpu),
				  NULL) > 0) {
		if (time_after(jiffies, deadline)) {
			pr_err("xen: CPU %u did not go down\n", cpu);
			return;
		}
		schedule_timeout_uninterruptible(1);
	}
	common_cpu_die(cpu);
}

/* In the idle task of a CPU going offline. */
static void xen_play_dead(void)
{
	play_dead_common();
	xen_vcpu_down_self();

	/*
	 * We are back: start over on an empty idle stack, as a new
	 * secondary would.
	 */
	xen_secondary_restart(task_top_of_stack(current));
}

static void xen_stop_this_cpu(void *unused)
{
	set_cpu_online(smp_processor_id(), false);
	local_irq_disable();
	for (;;)
		xen_vcpu_down_self();
}

static void xen_stop_other_cpus(int wait)
{
	smp_call_function(xen_stop_this_cpu, NULL, wait);
}

/* ---- Setup ---------------------------------------------------------------------- */

static void __init xen_smp_prepare_boot_cpu(void)
{
	int cpu;

	/* In a PV domain Linux's CPU n is Xen's vCPU n. */
	for_each_possible_cpu(cpu)
		per_cpu(xen_vcpu_id, cpu) = cpu;

	native_smp_prepare_boot_cpu();
	xen_switch_to_percpu_vcpu_info();
	xen_setup_pv_locks();
}

static void __init xen_smp_prepare_cpus(unsigned int max_cpus)
{
	unsigned int cpu;

	if (!zalloc_cpumask_var(&vcpu_initialised, GFP_KERNEL))
		panic("xen: out of memory preparing CPUs\n");
	cpumask_set_cpu(0, vcpu_initialised);

	smp_store_boot_cpu_info();
	set_cpu_sibling_map(0);
	speculative_store_bypass_ht_init();
	if (bind_ipis(0))
		panic("xen: cannot bind the IPIs of CPU 0\n");
	xen_spin_bind_kicker(0);

	for_each_possible_cpu(cpu)
		set_cpu_present(cpu, true);

	/* The boot CPU is up already; this covers the others. */
	if (cpuhp_setup_state_nocalls(CPUHP_XEN_PREPARE, "x86/xen/pv:prepare",
				      xen_cpu_prepare, xen_cpu_dead))
		panic("xen: cannot register the CPU bringup step\n");
}

static void __init xen_smp_cpus_done(unsigned int max_cpus)
{
}

void __init xen_smp_init(void)
{
	smp_ops.smp_prepare_boot_cpu = xen_smp_prepare_boot_cpu;
	smp_ops.smp_prepare_cpus = xen_smp_prepare_cpus;
	smp_ops.smp_cpus_done = xen_smp_cpus_done;
	smp_ops.cpu_up = xen_cpu_up;
	smp_ops.cpu_disable = xen_cpu_disable;
	smp_ops.cpu_die = xen_cpu_die;
	smp_ops.play_dead = xen_play_dead;
	smp_ops.stop_other_cpus = xen_stop_other_cpus;
	smp_ops.smp_send_reschedule = xen_smp_send_reschedule;
	smp_ops.send_call_func_ipi = xen_send_call_func_ipi;
	smp_ops.send_call_func_single_ipi = xen_send_call_func_single_ipi;
}
