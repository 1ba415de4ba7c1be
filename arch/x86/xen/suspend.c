// SPDX-License-Identifier: GPL-2.0
/*
 * The arch half of save/restore and migration: what must be true of the
 * domain when it asks Xen to suspend it, and what changed when it runs
 * again.  Mostly PV; a PVH domain only has its shared info page and
 * event vectors to set up again (hvm.c) and its vcpu_infos to place.
 *
 * The toolstack saves a PV domain by reading its memory and rewriting
 * every machine frame number it finds (page tables, p2m) as a pfn; the
 * restore does the reverse with new frames.  So before suspending:
 *
 *  - every page table must be pinned, so that the toolstack knows it
 *    for one and rewrites its frames (mmu.c pins the trees that are not
 *    and unpins them after);
 *  - nothing may map a frame that is not one of our pages: shared_info
 *    (Xen's page) is unmapped here, the grant table by gnttab_suspend();
 *  - start_info's xenstore and console frames are given as pfns, which
 *    the restore turns into the new mfns;
 *  - the p2m frame list is current.
 *
 * After a restore, shared_info is a new page, event channels and timers
 * are gone, and each vCPU's vcpu_info and runstate area must be
 * registered again.  After a
 * cancelled suspend (the same domain goes on) only our own conversions
 * are undone.
 *
 * Both halves run on CPU 0 with every other CPU held in stop_machine.
 */

#include <linux/cpu.h>
#include <linux/mm.h>

#include <xen/xen.h>
#include <asm/fixmap.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>
#include <xen/interface/vcpu.h>

#include "xen-ops.h"

/*
 * Xen only lets us move the vcpu_info of a vCPU that is down (or our
 * own): take each other vCPU down around its registration.  They are all
 * parked in stop_machine, so none notices.
 */
static void reattach_vcpu_infos(void)
{
	unsigned int cpu, self = smp_processor_id();
	bool up;

	for_each_cpu(cpu, xen_pvh_domain() ? cpu_possible_mask :
					     cpu_online_mask) {
		xen_register_runstate(cpu);
		if (cpu == self) {
			xen_vcpu_info_attach(cpu);
			continue;
		}
		up = HYPERVISOR_vcpu_op(VCPUOP_is_up, xen_vcpu_nr(cpu), NULL) > 0;
		if (up && HYPERVISOR_vcpu_op(VCPUOP_down, xen_vcpu_nr(cpu), NULL))
			xen_crash_now("cannot stop a vCPU to place its vcpu_info");
		xen_vcpu_info_attach(cpu);
		if (up && HYPERVISOR_vcpu_op(VCPUOP_up, xen_vcpu_nr(cpu), NULL))
			xen_crash_now("cannot restart a vCPU after a restore");
	}
}

#ifdef CONFIG_XEN_PV
static void pv_pre_suspend(void)
{
	xen_pin_all_for_save();
	xen_p2m_publish_frame_list();
	xen_start_info->store_mfn = mfn_to_pfn(xen_start_info->store_mfn);
	xen_start_info->console.domU.mfn =
		mfn_to_pfn(xen_start_info->console.domU.mfn);
	if (HYPERVISOR_update_va_mapping(fix_to_virt(FIX_PARAVIRT_BOOTMAP),
					 0, UVMF_INVLPG))
		pr_err("xen: cannot unmap shared_info before suspending\n");
}

static unsigned long pv_suspend_record(void)
{
	return virt_to_mfn(xen_start_info);
}

static void pv_post_suspend(bool cancelled)
{
	if (cancelled) {
		xen_start_info->store_mfn = pfn_to_mfn(xen_start_info->store_mfn);
		xen_start_info->console.domU.mfn =
			pfn_to_mfn(xen_start_info->console.domU.mfn);
	}
	/* The restore wrote the (maybe new) machine address of shared_info. */
	set_fixmap(FIX_PARAVIRT_BOOTMAP, xen_start_info->shared_info);
	if (!cancelled) {
		xen_p2m_publish_frame_list();
		reattach_vcpu_infos();
	}
	xen_unpin_all_after_save();
}
#else
/* Never called: without PV support the domain is a PVH one. */
static void pv_pre_suspend(void)
{
}

static unsigned long pv_suspend_record(void)
{
	return 0;
}

static void pv_post_suspend(bool cancelled)
{
}
#endif

void xen_arch_pre_suspend(void)
{
	/* A PVH domain: nothing of ours names a machine frame. */
	if (!xen_pvh_domain())
		pv_pre_suspend();
}

/* The mfn of start_info, which Xen hands to the toolstack (PV only). */
unsigned long xen_arch_suspend_record(void)
{
	return xen_pvh_domain() ? 0 : pv_suspend_record();
}

void xen_arch_post_suspend(bool cancelled)
{
	if (!xen_pvh_domain()) {
		pv_post_suspend(cancelled);
		return;
	}
	xen_pvh_restore_callbacks(cancelled);
	if (!cancelled)
		reattach_vcpu_infos();
}
