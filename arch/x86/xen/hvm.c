// SPDX-License-Identifier: GPL-2.0
/*
 * Linux as a Xen PVH guest, from setup_arch() on.
 *
 * pvh.c got us hypercalls; here the guest takes its place in Xen's
 * world.  setup_arch() finds x86_hyper_xen_hvm through its detect hook
 * and calls init_platform() early: after the memory map, before the
 * boot memory allocator, the direct map and ACPI.  From there:
 *
 *  - the shared info page: Xen maps it at a guest frame we choose
 *    (XENMEM_add_to_physmap).  Whatever RAM was at that frame goes back
 *    to Xen, so we give it a page of our own .bss;
 *  - event delivery: Xen raises an interrupt vector of ours whenever a
 *    vCPU's evtchn_upcall_pending goes up.  Either one vector for the
 *    domain (HVM_PARAM_CALLBACK_IRQ, injected past the local APIC, no
 *    EOI) or, where Xen offers it, a vector per vCPU that goes through
 *    the local APIC like any other interrupt and so wants an EOI;
 *  - time: the Xen clock and one-shot timer of time.c, as for PV.  The
 *    container has no PIT, HPET or RTC, and the local APIC timer would
 *    have nothing to be calibrated against;
 *  - power: SCHEDOP_shutdown.  The ACPI tables Xen's toolstack builds
 *    for PVH name no sleep state, and nothing emulates the PM ports.
 *
 * The rest is the native PC code: ACPI tables from the toolstack
 * describe the local APICs (there is no IO-APIC), secondary CPUs start
 * with INIT/SIPI through the emulated local APIC, paging is the CPU's.
 */
#include <linux/acpi.h>
#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/hypervisor.h>
#include <asm/idtentry.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/irq_regs.h>
#include <asm/paravirt.h>
#include <asm/reboot.h>
#include <asm/smp.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/arch-x86/cpuid.h>

#include "xen-ops.h"

/* ---- Which vCPU is this ---------------------------------------------- */

/*
 * CPUID leaf base+4 describes the HVM container; with
 * XEN_HVM_CPUID_VCPU_ID_PRESENT its EBX is the calling vCPU's number.
 * Other CPUs' numbers come from ACPI: the toolstack's MADT gives each
 * local APIC the vCPU number as its processor id.
 */
static u32 hvm_leaf_flags __ro_after_init;

static u32 own_vcpu_id(void)
{
	if (hvm_leaf_flags & XEN_HVM_CPUID_VCPU_ID_PRESENT)
		return cpuid_ebx(xen_cpuid_base() + 4);
	return 0;
}

static u32 vcpu_id_of(unsigned int cpu)
{
	u32 acpi_id = cpu_acpi_id(cpu);

	return acpi_id != U32_MAX ? acpi_id : cpu;
}

/* ---- Shared info ---------------------------------------------------------- */

static struct shared_info hvm_shared_info_page __page_aligned_bss;

/* Also after a restore: the new domain's page is not mapped anywhere. */
static void map_shared_info(void)
{
	struct xen_add_to_physmap add = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = PFN_DOWN(__pa_symbol(&hvm_shared_info_page)),
	};
	int rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &add);

	if (rc)
		xen_crash_now("Xen would not map the shared info page");
	HYPERVISOR_shared_info = &hvm_shared_info_page;
}

/* ---- Event delivery ------------------------------------------------------- */

/* Xen raises HYPERVISOR_CALLBACK_VECTOR per vCPU, through the local APIC. */
static bool percpu_upcall __ro_after_init;

DEFINE_IDTENTRY_SYSVEC(sysvec_xen_hvm_callback)
{
	struct pt_regs *old_regs = set_irq_regs(regs);

	if (percpu_upcall)
		ack_APIC_irq();
	inc_irq_stat(irq_hv_callback_count);
	xen_evtchn_handle_pending();
	set_irq_regs(old_regs);
}

static int set_vcpu_upcall(unsigned int cpu)
{
	struct xen_hvm_evtchn_upcall_vector op = {
		.vcpu = per_cpu(xen_vcpu_id, cpu),
		.vector = HYPERVISOR_CALLBACK_VECTOR,
	};

	return HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &op);
}

/*
 * The domain-wide vector is set even when every vCPU has its own: the
 * toolstack reads HVM_PARAM_CALLBACK_IRQ to learn whether the guest can
 * be told that a suspend was cancelled.
 */
static void set_domain_upcall(void)
{
	struct xen_hvm_param param = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = ((u64)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
			 HYPERVISOR_CALLBACK_VECTOR,
	};

	if (HYPERVISOR_hvm_op(HVMOP_set_param, &param))
		xen_crash_now("Xen would not take our event callback vector");
}

/*
 * x86_init.irqs.intr_init: our vector before the native code hands out
 * the rest (it skips system vectors already taken), then the event
 * core, then tell Xen.
 */
static void __init hvm_init_irq(void)
{
	alloc_intr_gate(HYPERVISOR_CALLBACK_VECTOR, asm_sysvec_xen_hvm_callback);
	native_init_IRQ();
	xen_init_IRQ();

	set_domain_upcall();
	if (hvm_leaf_flags & XEN_HVM_CPUID_UPCALL_VECTOR) {
		if (set_vcpu_upcall(0) == 0)
			percpu_upcall = true;
		else
			pr_info("xen: per-vCPU event vector refused, using one for the domain\n");
	}
}

/* ---- Secondary CPUs ---------------------------------------------------------- */

#ifdef CONFIG_SMP
/*
 * Per-cpu areas exist now, and ACPI has named every CPU: each gets its
 * vCPU number and its vcpu_info in per-cpu memory, all from here, while
 * the secondaries are still down (Xen registers vcpu_info only for the
 * caller or a vCPU that is down).
 */
static void __init hvm_smp_prepare_boot_cpu(void)
{
	unsigned int cpu;

	native_smp_prepare_boot_cpu();
	for_each_possible_cpu(cpu) {
		if (cpu != 0)
			per_cpu(xen_vcpu_id, cpu) = vcpu_id_of(cpu);
		xen_vcpu_info_attach(cpu);
	}
	/* Before alternatives patch the lock call sites. */
	xen_setup_pv_locks();
}

/* Event channels work now: the boot CPU's lock kicker. */
static void __init hvm_smp_prepare_cpus(unsigned int max_cpus)
{
	native_smp_prepare_cpus(max_cpus);
	xen_spin_bind_kicker(0);
}

/* Before @cpu runs, on the CPU that brings it up: bindings allocate. */
static int hvm_cpu_prepare(unsigned int cpu)
{
	int rc;

	if (cpu == 0)
		return 0;
	if (percpu_upcall && set_vcpu_upcall(cpu)) {
		pr_warn("xen: vCPU %u: no event vector\n",
			per_cpu(xen_vcpu_id, cpu));
		return -EIO;
	}
	rc = xen_bind_cpu_timer(cpu);
	if (rc)
		return rc;
	xen_spin_bind_kicker(cpu);
	return 0;
}

static int hvm_cpu_dead(unsigned int cpu)
{
	if (cpu) {
		xen_spin_unbind_kicker(cpu);
		xen_teardown_cpu_clockevent(cpu);
	}
	return 0;
}

/* x86_cpuinit.setup_percpu_clockev, on the new CPU, interrupts off. */
static void hvm_start_secondary_clock(void)
{
	xen_setup_cpu_clockevent(smp_processor_id());
}

static void __init hvm_smp_init(void)
{
	smp_ops.smp_prepare_boot_cpu = hvm_smp_prepare_boot_cpu;
	smp_ops.smp_prepare_cpus = hvm_smp_prepare_cpus;
	x86_cpuinit.setup_percpu_clockev = hvm_start_secondary_clock;
	if (cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "x86/xen/hvm:prepare",
				      hvm_cpu_prepare, hvm_cpu_dead) < 0)
		pr_warn("xen: secondary CPUs will have no timer\n");
}
#else
static inline void hvm_smp_init(void)
{
}
#endif

/* ---- Save and restore ---------------------------------------------------------- */

#ifdef CONFIG_XEN_SAVE_RESTORE
/*
 * On CPU 0, the others parked, after SHUTDOWN_suspend returned.  A
 * cancelled suspend changed nothing.  In a restored domain Xen knows
 * nothing of our choices: the shared info page is unmapped, and no
 * event vector is set (suspend.c places the vcpu_infos again).
 */
void xen_hvm_post_suspend(bool cancelled)
{
	unsigned int cpu;

	if (cancelled)
		return;
	map_shared_info();
	set_domain_upcall();
	if (percpu_upcall)
		for_each_online_cpu(cpu)
			if (set_vcpu_upcall(cpu))
				xen_crash_now("Xen would not restore our event vector");
}
#endif

/* ---- The platform hooks ------------------------------------------------------- */

static void __init hvm_init_platform(void)
{
	u32 base = xen_cpuid_base();

	hvm_leaf_flags = cpuid_eax(base + 4);
	xen_learn_version();
	xen_setup_features();
	map_shared_info();
	per_cpu(xen_vcpu_id, 0) = own_vcpu_id();
	per_cpu(xen_vcpu, 0) = &HYPERVISOR_shared_info->vcpu_info[0];

	x86_init.oem.banner = xen_banner;
	x86_init.irqs.intr_init = hvm_init_irq;
	xen_init_time_ops();
	xen_init_sched_clock();
	xen_init_power_ops();
	hvm_smp_init();

	/* No firmware, no PC devices but the local APIC. */
	x86_platform.legacy.rtc = 0;
	x86_platform.legacy.warm_reset = 0;
	x86_platform.legacy.devices.pnpbios = 0;
	x86_platform.legacy.i8042 = X86_LEGACY_I8042_PLATFORM_ABSENT;
}

/*
 * After ACPI: with no IO-APIC, interrupts that ACPI routes by the PIC
 * model (its SCI) have no PIC to go through either; the "platform" model
 * lets them be set up as plain GSIs, and there are none to set up.
 */
static void __init hvm_guest_late_init(void)
{
#ifdef CONFIG_ACPI
	if (!nr_ioapics && acpi_irq_model == ACPI_IRQ_MODEL_PIC)
		acpi_irq_model = ACPI_IRQ_MODEL_PLATFORM;
#endif
}

/* Only a kernel that came in through the PVH entry is ours to drive. */
static u32 __init hvm_detect(void)
{
	return xen_pvh_domain() ? xen_cpuid_base() : 0;
}

struct hypervisor_x86 x86_hyper_xen_hvm __initdata = {
	.name = "Xen PVH",
	.detect = hvm_detect,
	.type = X86_HYPER_XEN_HVM,
	.init.init_platform = hvm_init_platform,
	.init.guest_late_init = hvm_guest_late_init,
	.ignore_nopv = true,
};
