// SPDX-License-Identifier: GPL-2.0
/*
 * Linux as a Xen PVH guest: the first steps, before startup_64 (or
 * startup_32 on i386).
 *
 * A PVH domain is a hardware-virtualised container without emulated PC
 * devices: the CPU pages with nested page tables and takes real
 * interrupts, and everything else (console, store, disks, network,
 * timers) comes through Xen's event channels and shared memory as for a
 * PV guest.  Xen starts the kernel at the x86/HVM direct boot entry,
 * which is generic code (arch/x86/platform/pvh/head.S, also used by
 * other hypervisors): in 32-bit protected mode with paging off, %ebx
 * pointing at an hvm_start_info.  That code switches to long mode on the
 * kernel's boot page tables (an i386 kernel turns on PAE paging with an
 * early table that maps it at its link address, and stays in 32-bit
 * mode) and calls xen_prepare_pvh(), which asks us for two things:
 *
 *  - xen_pvh_init(): say that this is a Xen PVH domain and make
 *    hypercalls work.  Xen writes one 32-byte stub per hypercall into a
 *    page of ours once we write that page's address to an MSR whose
 *    number CPUID leaf base+2 gives; the stubs use vmcall or vmmcall,
 *    whichever this CPU has, so the callers (asm/xen/hypercall.h) are
 *    the same as for a PV guest.
 *  - mem_map_via_hcall(): the memory map, when the start info carries
 *    none (version 0, or no entries).
 *
 * startup_64 and startup_32 clear .bss afterwards: what we set here
 * must live in .data (__ro_after_init is).  Everything else waits for
 * setup_arch(), which finds x86_hyper_xen_hvm (hvm.c).
 */
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>

#include <asm/bootparam.h>
#include <asm/e820/types.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/start_info.h>

#include "xen-ops.h"

/* Defined by the generic PVH entry code. */
extern struct hvm_start_info pvh_start_info;

bool xen_pvh __ro_after_init;
EXPORT_SYMBOL_GPL(xen_pvh);

void __init xen_pvh_init(struct boot_params *boot_params)
{
	u32 msr = cpuid_ebx(xen_cpuid_base() + 2);

	xen_pvh = true;
	xen_domain_type = XEN_HVM_DOMAIN;
	xen_start_flags = pvh_start_info.flags;

	/*
	 * The page's guest-physical address; its low bits would pick a
	 * page of a multi-page area, and ours is one page.  The kernel
	 * runs where it was linked to be loaded (the PVH entry does not
	 * relocate), so __pa_symbol() is right this early.
	 *
	 * On i386 this also tells Xen that we are a 32-bit guest: it
	 * notes the vCPU's mode when it writes the page, and lays out
	 * shared_info and vcpu_info for that word size from then on.
	 */
	native_wrmsrl(msr, __pa_symbol(hypercall_page));

	/*
	 * A PVH control domain needs a dom0 of its own kind (Xen's PCI and
	 * interrupt interfaces for HVM); ours is PV.  Say so on Xen's
	 * console rather than fail somewhere in the PV dom0 code.
	 */
	if (pvh_start_info.flags & SIF_INITDOMAIN)
		xen_crash_now("this kernel runs dom0 as a PV guest only, not PVH");
}

/*
 * Xen keeps the domain's memory map (XENMEM_memory_map): the same e820
 * entries, packed the same way, that boot_params has room for.
 */
void __init mem_map_via_hcall(struct boot_params *boot_params)
{
	struct xen_memory_map map = {
		.nr_entries = ARRAY_SIZE(boot_params->e820_table),
	};
	int rc;

	BUILD_BUG_ON(sizeof(struct boot_e820_entry) != 20);
	set_xen_guest_handle(map.buffer, boot_params->e820_table);
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &map);
	if (rc) {
		xen_early_printf("xen: XENMEM_memory_map: error %d\n", rc);
		xen_crash_now("no memory map in the start info, none from Xen");
	}
	boot_params->e820_entries = map.nr_entries;
}
