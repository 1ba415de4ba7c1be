// SPDX-License-Identifier: GPL-2.0
/*
 * Linux as a 64-bit Xen PV guest: the start of day.
 *
 * Xen enters the kernel at startup_xen (xen-head.S), not at the native
 * entry, so only a kernel running on Xen ever executes xen_start_kernel().
 * It does what the native head_64.S and head64.c would, the Xen way, and
 * then joins the generic boot path at x86_64_start_reservations():
 *
 *  1. learn what we run on: start_info, the hypervisor's version and
 *     features, the p2m and m2p;
 *  2. install the pv_ops hooks (cpu.c, irq.c, mmu.c, time.c, smp.c, ...)
 *     and the x86_init/x86_platform hooks that replace PC firmware;
 *  3. move to our own page tables (pgtable-boot.c) and map shared_info;
 *  4. give Xen our trap table and entry points;
 *  5. fill boot_params as a boot loader would: command line, initrd,
 *     hardware_subarch = Xen.
 *
 * On bare metal none of this runs: pv_ops keep their native defaults,
 * X86_FEATURE_XENPV stays clear, and alternatives patch every pv_ops call
 * site back to the native instruction.
 */
#include <linux/acpi.h>
#include <linux/console.h>
#include <linux/cpuidle.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/pci.h>
#include <linux/start_kernel.h>

#include <asm/bootparam.h>
#include <asm/cpufeature.h>
#include <asm/e820/api.h>
#include <asm/fixmap.h>
#include <asm/hypervisor.h>
#include <asm/idtentry.h>
#include <asm/paravirt.h>
#include <asm/pci_x86.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <asm/text-patching.h>
#include <asm/tlbflush.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/physdev.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/version.h>

#include "xen-ops.h"

struct start_info *xen_start_info;
EXPORT_SYMBOL_GPL(xen_start_info);

/*
 * Until the real shared info page is mapped, the irq hooks read this one,
 * in which every vCPU's events are masked: right for the first steps of
 * boot, where nothing may interrupt us anyway.
 */
static struct shared_info xen_boot_shared_info __page_aligned_data = {
	.vcpu_info = { [0 ... XEN_LEGACY_MAX_VCPUS - 1] = {
		.evtchn_upcall_mask = 1,
	} },
};

/* ---- What we run on ------------------------------------------------------- */

/* Where Xen mapped its machine-to-physical table, and how big it is. */
static void __init xen_learn_m2p(void)
{
	struct xen_machphys_mapping mapping;

	if (HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mapping) == 0)
		xen_frames.m2p_size = mapping.max_mfn + 1;
	else
		xen_frames.m2p_size = MACH2PHYS_NR_ENTRIES;
}

/* ---- Hooks that replace PC firmware and devices ------------------------- */

/*
 * The vCPUs this domain has, online or not: the CPUs Linux may ever use.
 * There is no MP table or MADT to count them from.
 */
static void __init xen_count_vcpus(void)
{
	unsigned int i;

	num_processors = 0;
	disabled_cpus = 0;
	/* Before nr_cpu_ids is known: this decides it. */
	for (i = 0; i < NR_CPUS; i++) {
		int rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, i, NULL);

		if (rc < 0)
			break;
		/*
		 * Present now, so alternatives know SMP is coming.  With
		 * no local APIC every CPU reports APIC id 0 (the no-op APIC
		 * driver's answer); record that, not "unknown".
		 */
		set_cpu_present(i, true);
		early_per_cpu(x86_cpu_to_apicid, i) = 0;
		early_per_cpu(x86_bios_cpu_apicid, i) = 0;
		num_processors++;
	}
	if (!num_processors)
		num_processors = 1;
}

/*
 * Kernel-mode port I/O: Xen lets the kernel of a domain with I/O
 * permissions (dom0) use them once the vCPU's virtual IOPL is 1.  The
 * IOPL is per vCPU; each one sets it as it starts.
 */
void xen_set_kernel_iopl(void)
{
	struct physdev_set_iopl iopl = { .iopl = 1 };

	HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl);
}

static void __init xen_arch_setup(void)
{
	xen_register_callbacks();
	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
	xen_set_kernel_iopl();

	if (!xen_initial_domain()) {
		/*
		 * A domU sees no firmware tables and no devices but its
		 * frontends: no ACPI, no PCI probing by ports (which would
		 * fault), no legacy PC devices.
		 */
		disable_acpi();
#ifdef CONFIG_PCI
		pci_probe = 0;
#endif
	}

	x86_platform.legacy.rtc = 0;
	/* Idling is blocking in Xen; no cpuidle driver has a say. */
	disable_cpuidle();
}

static uint32_t __init xen_pv_detect(void)
{
	return xen_pv_domain() ? 0x40000000 : 0;
}

/*
 * In setup_arch(), once static calls work.  A vCPU idles by blocking in
 * Xen (safe_halt), which is what default_idle does; the CPU-specific
 * routines (MWAIT, the AMD E400 one that hands the tick to a broadcast
 * timer) would stop our timer or fault.
 */
static void __init xen_pv_init_platform(void)
{
	xen_init_sched_clock();
	xen_set_default_idle();
}

static bool __init xen_no_x2apic(void)
{
	return false;
}

const __initconst struct hypervisor_x86 x86_hyper_xen_pv = {
	.name = "Xen PV",
	.detect = xen_pv_detect,
	.type = X86_HYPER_XEN_PV,
	.init.init_platform = xen_pv_init_platform,
	.init.x2apic_available = xen_no_x2apic,
	.ignore_nopv = true,
};

/*
 * Features the CPU may have that a PV kernel must not use, whatever
 * CPUID says (see also xen_cpuid() in cpu.c, which hides most of them
 * from CPUID itself).
 */
static const u16 xen_pv_unusable[] __initconst = {
	/* Page tables: 4 KiB pages only, no global kernel pages. */
	X86_FEATURE_PSE, X86_FEATURE_GBPAGES, X86_FEATURE_PGE,
	/* cr3 and the cache attributes are Xen's. */
	X86_FEATURE_PCID, X86_FEATURE_MTRR, X86_FEATURE_SME,
	/* No local APIC: events instead. */
	X86_FEATURE_X2APIC,
	/* Power and cache management belong to Xen (or to dom0 via Xen). */
	X86_FEATURE_ACC, X86_FEATURE_APERFMPERF, X86_FEATURE_DCA,
};

static void __init xen_init_capabilities(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_pv_unusable); i++)
		setup_clear_cpu_cap(xen_pv_unusable[i]);
	if (!xen_initial_domain())
		setup_clear_cpu_cap(X86_FEATURE_ACPI);
	/* Selects the Xen variants of entry code and pv_ops call sites. */
	setup_force_cpu_cap(X86_FEATURE_XENPV);
}

static void __init xen_init_platform_hooks(void)
{
	x86_init.oem.arch_setup = xen_arch_setup;
	x86_init.oem.banner = xen_banner;
	x86_init.resources.probe_roms = x86_init_noop;
	x86_init.mpparse.find_smp_config = xen_count_vcpus;
	x86_init.mpparse.get_smp_config = x86_init_uint_noop;
	x86_init.irqs.intr_init = xen_init_IRQ;
	x86_init.irqs.intr_mode_select = x86_init_noop;
	x86_init.irqs.intr_mode_init = x86_init_noop;

	x86_platform.realmode_reserve = x86_init_noop;
	x86_platform.realmode_init = x86_init_noop;
}

/* ---- Boot parameters --------------------------------------------------- */

static void __init xen_fill_boot_params(struct start_info *si)
{
	struct setup_header *hdr = &boot_params.hdr;
	u64 initrd = 0;

	/* A non-zero version tells head64 the boot data is already here. */
	hdr->version = 0x020f;
	hdr->type_of_loader = (9 << 4) | 0;	/* Xen */
	hdr->hardware_subarch = X86_SUBARCH_XEN;
	strscpy(boot_command_line, (char *)si->cmd_line, COMMAND_LINE_SIZE);

	if (si->mod_start && si->mod_len) {
		if (si->flags & SIF_MOD_START_PFN)
			initrd = PFN_PHYS(si->mod_start);
		else
			initrd = __pa(si->mod_start);
		hdr->ramdisk_image = lower_32_bits(initrd);
		boot_params.ext_ramdisk_image = upper_32_bits(initrd);
		hdr->ramdisk_size = lower_32_bits((u64)si->mod_len);
		boot_params.ext_ramdisk_size = upper_32_bits((u64)si->mod_len);
	}
}

/*
 * entry_64.S returns to kernel mode through a jmp that starts out
 * pointing at the native iret; that iret cannot work in ring 3 with a
 * ring-0 cs in the frame, so make it jump to the iret hypercall.  The
 * text is still writable at this point.
 */
extern char early_xen_iret_patch[];

static void __init xen_patch_kernel_iret(void)
{
	text_poke_early(early_xen_iret_patch,
			text_gen_insn(JMP32_INSN_OPCODE, early_xen_iret_patch,
				      xen_iret),
			JMP32_INSN_SIZE);
}

/* ---- The start ------------------------------------------------------------ */

asmlinkage __visible void __init xen_start_kernel(struct start_info *si)
{
	xen_start_info = si;
	HYPERVISOR_shared_info = &xen_boot_shared_info;
	xen_domain_type = XEN_PV_DOMAIN;
	xen_start_flags = si->flags;

	xen_learn_version();
	xen_setup_features();
	xen_p2m_init_early((unsigned long *)si->mfn_list, si->nr_pages);
	xen_learn_m2p();

	pv_info.name = "Xen";
	pv_info.extra_user_64bit_cs = FLAT_USER_CS64;
	xen_init_cpu_ops();
	xen_init_irq_ops();
	xen_init_mmu_ops();
	xen_init_power_ops();
	xen_memory_setup_ops();
	xen_smp_init();
	xen_init_apic();
	xen_init_platform_hooks();
	xen_init_capabilities();

	/* Xen refuses the global bit on kernel mappings of a PV guest. */
	__default_kernel_pte_mask &= ~_PAGE_GLOBAL;

	xen_adopt_boot_pagetables(si);
	xen_start_info = si = __va(__pa(si));

	set_fixmap(FIX_PARAVIRT_BOOTMAP, si->shared_info);
	HYPERVISOR_shared_info = (void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);
	per_cpu(xen_vcpu, 0) = &HYPERVISOR_shared_info->vcpu_info[0];
	xen_init_time_ops();

	xen_patch_kernel_iret();
	xen_install_trap_table();

	xen_fill_boot_params(si);
	if (xen_initial_domain()) {
		add_preferred_console("xenboot", 0, NULL);
		add_preferred_console("tty", 0, NULL);
	}
	add_preferred_console("hvc", 0, NULL);

	cr4_init_shadow();
	x86_64_start_reservations((char *)__pa_symbol(&boot_params));
}
