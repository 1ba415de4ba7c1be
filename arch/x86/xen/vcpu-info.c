// SPDX-License-Identifier: GPL-2.0
/*
 * Where each vCPU's vcpu_info lives, and Xen's number for each CPU.
 *
 * vcpu_info is the vCPU's corner of shared memory: its pending-event
 * selector and flag, its event mask, its time record.  Xen starts the
 * first 32 vCPUs with theirs inside the shared info page; a guest that
 * wants more vCPUs, or wants the record in memory of its own, hands Xen
 * another place with VCPUOP_register_vcpu_info.  We give every CPU a
 * copy in its per-cpu area, PV and PVH alike: PV reaches its event mask
 * through %gs in one instruction (irq.c, entry.S), and every guest reads
 * its clock without touching another CPU's cache line.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>

#include <asm/pgtable_types.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/features.h>
#include <xen/interface/vcpu.h>

#include "xen-ops.h"

/* Where each CPU's vcpu_info is, and the copy Xen uses once registered. */
DEFINE_PER_CPU(struct vcpu_info *, xen_vcpu);
/*
 * VCPUOP_register_vcpu_info names a frame and an offset in it, and Xen
 * refuses a structure that would run on into the next frame.  The
 * structure's size is a power of two (64 bytes, 32- or 64-bit), so
 * aligning the copy to its own size keeps it inside one page whatever
 * the per-cpu area's line alignment is (only 32 bytes for some i386
 * CPU choices).
 */
static_assert((sizeof(struct vcpu_info) & (sizeof(struct vcpu_info) - 1)) == 0);
DEFINE_PER_CPU_ALIGNED(struct vcpu_info, xen_vcpu_info)
	__aligned(sizeof(struct vcpu_info));
/* Xen's number for each CPU's vCPU. */
DEFINE_PER_CPU(u32, xen_vcpu_id);
EXPORT_PER_CPU_SYMBOL(xen_vcpu_id);

/*
 * The frame Xen knows @va's page by.  An auto-translated guest (PVH)
 * gives its own frame numbers; a PV guest gives the machine frame.  The
 * per-cpu area need not be in the direct map, so walk the page tables.
 */
static unsigned long frame_of(void *va)
{
#ifdef CONFIG_XEN_PV
	if (!xen_auto_translated())
		return arbitrary_virt_to_mfn(va);
#endif
	return PFN_DOWN(slow_virt_to_phys(va));
}

/*
 * Give Xen @cpu's per-cpu copy; Xen copies the current contents over.
 * Xen takes it only for the calling vCPU or one that is down, so the
 * boot CPU does it for everyone before any secondary runs.
 */
void xen_vcpu_info_attach(int cpu)
{
	struct vcpu_info *info = &per_cpu(xen_vcpu_info, cpu);
	struct vcpu_register_vcpu_info reg = {
		.mfn = frame_of(info),
		.offset = offset_in_page(info),
	};
	int rc;

	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info,
				per_cpu(xen_vcpu_id, cpu), &reg);
	if (rc)
		panic("xen: cannot place vCPU %u's vcpu_info (error %d); this kernel needs VCPUOP_register_vcpu_info\n",
		      per_cpu(xen_vcpu_id, cpu), rc);
	per_cpu(xen_vcpu, cpu) = info;
}
