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
 *  - event delivery: Xen raises an interrupt vector of ours on a vCPU
 *    whose evtchn_upcall_pending is set (HVM_PARAM_CALLBACK_IRQ; see
 *    sysvec_xen_hvm_callback for why not the per-vCPU variant);
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
#include <linux/io.h>
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
#include <xen/hvm-param.h>
#include <xen/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/arch-x86/cpuid.h>

#include "xen-ops.h"

/* ---- Which vCPU is this -------------------------------------------------- */

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

/* ---- Shared info --------------------------------------------------------- */

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

/* ---- Console and store: HVM parameters ----------------------------------- */

int xen_hvm_param_get(unsigned int index, u64 *value)
{
	struct xen_hvm_param param = {
		.domid = DOMID_SELF,
		.index = index,
	};
	int rc = HYPERVISOR_hvm_op(HVMOP_get_param, &param);

	if (!rc)
		*value = param.value;
	return rc;
}

/*
 * The page and event channel the parameters @pfn_index and @port_index
 * name, mapped; NULL if the domain has none.  The page lies outside
 * the direct map, and outside RAM as far as Linux knows (a reserved
 * range), so it is mapped like memory of a device, but cached: Xen and
 * the toolstack's daemons use it as ordinary memory.
 */
void *xen_pvh_map_ring(unsigned int pfn_index, unsigned int port_index,
		       evtchn_port_t *port)
{
	u64 pfn, evtchn;
	void *ring;

	if (xen_hvm_param_get(pfn_index, &pfn) || !pfn ||
	    xen_hvm_param_get(port_index, &evtchn) || !evtchn)
		return NULL;
	/*
	 * The toolstack puts these pages in a reserved range; one said to
	 * be in our RAM would have the other side write into our memory.
	 * The frame is checked in 64 bits: Xen gives a guest the host's
	 * address width, often 46 bits or more, beyond an i386 pfn's 32.
	 */
	if (pfn >> (boot_cpu_data.x86_phys_bits - PAGE_SHIFT) ||
	    evtchn > U32_MAX ||
	    region_intersects(PFN_PHYS(pfn), PAGE_SIZE, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("xen: HVM parameters %u/%u name frame %#llx, channel %llu: refused\n",
		       pfn_index, port_index, pfn, evtchn);
		return NULL;
	}
	ring = memremap(PFN_PHYS(pfn), PAGE_SIZE, MEMREMAP_WB);
	if (ring)
		*port = evtchn;
	return ring;
}

/* ---- Event delivery ------------------------------------------------------ */

/*
 * Xen raises HYPERVISOR_CALLBACK_VECTOR on a vCPU whenever, on entering
 * it, that vCPU's evtchn_upcall_pending is set: past the local APIC, so
 * no EOI.  Xen 4.17 also offers a vector per vCPU (HVMOP_set_evtchn_
 * upcall_vector), but that one is a local APIC interrupt raised only on
 * the edge of evtchn_upcall_pending going up in Xen's hands: the event
 * core sets that flag itself to come back for ports it put off (and
 * Xen would still raise the domain-wide vector as well), so it is not
 * used.
 */
DEFINE_IDTENTRY_SYSVEC(sysvec_xen_hvm_callback)
{
	struct pt_regs *old_regs = set_irq_regs(regs);

	inc_irq_stat(irq_hv_callback_count);
	xen_evtchn_handle_pending();
	set_irq_regs(old_regs);
}

/*
 * Also the toolstack reads HVM_PARAM_CALLBACK_IRQ: only a guest that has
 * set it is told that a suspend was cancelled.
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
	/* Event channels work from here: the boot CPU's lock kicker. */
	xen_spin_bind_kicker(0);
}

/* ---- Secondary CPUs ------------------------------------------------------ */

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


/* Before @cpu runs, on the CPU that brings it up: bindings allocate. */
static int hvm_cpu_prepare(unsigned int cpu)
{
	int rc;

	if (cpu == 0)
		return 0;
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

/* x86_cpuinit.setup_percpu_clockev: on the new CPU, interrupts already on. */
static void hvm_start_secondary_clock(void)
{
	xen_setup_cpu_clockevent(smp_processor_id());
}

static void __init hvm_smp_init(void)
{
	smp_ops.smp_prepare_boot_cpu = hvm_smp_prepare_boot_cpu;
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

/* ---- Save and restore ---------------------------------------------------- */

#ifdef CONFIG_XEN_SAVE_RESTORE
/*
 * On CPU 0, the others parked, after SHUTDOWN_suspend returned.  A
 * cancelled suspend changed nothing.  In a restored domain Xen knows
 * nothing of our choices: the shared info page is unmapped, and no
 * event vector is set (suspend.c places the vcpu_infos again).
 */
void xen_pvh_restore_callbacks(bool cancelled)
{
	if (cancelled)
		return;
	/*
	 * Xen lays out shared_info and vcpu_info in the 32-bit (compat)
	 * form for a guest it has seen in 32-bit mode, and learns that
	 * only when the guest sets HVM_PARAM_CALLBACK_IRQ or has its
	 * hypercall page written; the flag is not part of the saved
	 * state, so a restored domain starts out with the 64-bit layout.
	 * An i386 kernel must therefore set the upcall (below) before
	 * anything reads either structure: map_shared_info() only maps,
	 * and the vcpu_infos are placed by our caller after this.
	 */
	map_shared_info();
	set_domain_upcall();
}
#endif

/* ---- The platform hooks -------------------------------------------------- */

static void __init hvm_init_platform(void)
{
	u32 base = xen_cpuid_base();

	hvm_leaf_flags = cpuid_eax(base + 4);
	xen_learn_version();
	xen_setup_features();
	map_shared_info();
	per_cpu(xen_vcpu_id, 0) = own_vcpu_id();
	/* Until per-cpu areas exist: the slot in shared info, if it has one. */
	if (per_cpu(xen_vcpu_id, 0) >= XEN_LEGACY_MAX_VCPUS)
		xen_crash_now("the boot vCPU has no vcpu_info in shared info");
	per_cpu(xen_vcpu, 0) =
		&HYPERVISOR_shared_info->vcpu_info[per_cpu(xen_vcpu_id, 0)];

	x86_init.oem.banner = xen_banner;
	x86_init.irqs.intr_init = hvm_init_irq;
	xen_init_time_ops();
	xen_init_sched_clock();
	xen_init_power_ops();
	hvm_smp_init();

	/*
	 * No firmware, no PC devices but the local APIC.  Not even a PIC,
	 * through which ACPI's default interrupt model would route its SCI;
	 * the MADT names no IO-APIC either (should one ever appear, ACPI's
	 * MADT parsing switches to the IO-APIC model itself).
	 */
#ifdef CONFIG_ACPI
	acpi_irq_model = ACPI_IRQ_MODEL_PLATFORM;
#endif
	x86_platform.legacy.rtc = 0;
	x86_platform.legacy.warm_reset = 0;
	x86_platform.legacy.devices.pnpbios = 0;
	x86_platform.legacy.i8042 = X86_LEGACY_I8042_PLATFORM_ABSENT;
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
	.ignore_nopv = true,
};
