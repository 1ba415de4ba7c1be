// SPDX-License-Identifier: GPL-2.0
/*
 * Machine-contiguous memory for DMA in a PV dom0: trading frames with Xen.
 *
 * A device on the machine's bus sees machine addresses.  The frames Xen
 * gave a PV domain are scattered, so pages that are contiguous in our
 * pseudo-physical space are usually not contiguous for a device, and may
 * lie above what it can address.  XENMEM_exchange trades frames: we hand
 * Xen the frames behind some pages and receive one extent of 2^order
 * machine-contiguous frames, optionally below 2^address_bits, for the
 * same pages.  Xen enters the new frames into its m2p for the pfns we
 * name; the p2m and our direct map are ours to update.
 *
 * Xen only takes a frame nobody maps (steal_page: no type reference), so
 * the pages leave the direct map first and come back with the new (or,
 * if Xen cannot help, the old) frames.  Nobody else may touch them in
 * between: callers pass pages they own (a fresh allocation, or the
 * bounce pool before it is in use).
 */
#include <linux/mm.h>
#include <linux/spinlock.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/xen.h>
#include <xen/interface/memory.h>

#include "xen-ops.h"

/*
 * One trade at a time: the frame list is static (up to 2^10 frames, too
 * much for a stack), and it only ever serves the trade under the lock.
 */
static DEFINE_SPINLOCK(exchange_lock);
static xen_pfn_t exchange_list[1UL << XEN_EXCHANGE_MAX_ORDER];

/* Drop (mfn == INVALID_P2M_ENTRY) or enter the frame behind @pfn. */
static void exchange_remap(unsigned long pfn, unsigned long mfn)
{
	unsigned long va = (unsigned long)__va(PFN_PHYS(pfn));
	u64 pte = 0;
	int err;

	xen_set_p2m(pfn, mfn);
	if (mfn != INVALID_P2M_ENTRY)
		pte = native_pte_val(pfn_pte(pfn, PAGE_KERNEL));
	/* The old frame goes to Xen: no CPU may keep a translation of it. */
	err = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_ALL);
	if (err)
		pr_err("xen: cannot %s pfn %#lx in the direct map: %d\n",
		       pte ? "map" : "unmap", pfn, err);
}

/*
 * Trade the frames behind the 2^@order pages at @pfn.  Gathering: their
 * single frames go in, one contiguous extent below 2^@address_bits comes
 * out.  Scattering (giving such an extent back): the extent goes in,
 * single frames from anywhere come out.  Either way the pages end up in
 * the direct map again, on the new frames if Xen agreed (true), on the
 * old ones if not.
 */
static bool exchange(unsigned long pfn, unsigned int order, bool gather,
		     unsigned int address_bits)
{
	unsigned long i, n = 1UL << order, base = pfn_to_mfn(pfn);
	struct xen_memory_exchange trade = {
		.in.domid = DOMID_SELF,
		.out.domid = DOMID_SELF,
	};
	unsigned long flags;
	xen_pfn_t one;
	bool done;

	if (WARN_ON(order > XEN_EXCHANGE_MAX_ORDER))
		return false;
	/* Only an extent we gathered goes back as one. */
	for (i = 0; !gather && i < n; i++)
		if (pfn_to_mfn(pfn + i) != base + i)
			return false;

	spin_lock_irqsave(&exchange_lock, flags);
	for (i = 0; i < n; i++) {
		exchange_list[i] = pfn_to_mfn(pfn + i);
		exchange_remap(pfn + i, INVALID_P2M_ENTRY);
	}
	/*
	 * The output list names the pfn at which each new extent starts, and
	 * Xen overwrites the entry with the extent's first frame (and sets
	 * its m2p entries to those pfns itself).
	 */
	if (gather) {
		one = pfn;
		set_xen_guest_handle(trade.in.extent_start, exchange_list);
		trade.in.nr_extents = n;
		set_xen_guest_handle(trade.out.extent_start, &one);
		trade.out.nr_extents = 1;
		trade.out.extent_order = order;
		trade.out.mem_flags = XENMEMF_address_bits(address_bits);
	} else {
		one = base;
		set_xen_guest_handle(trade.in.extent_start, &one);
		trade.in.nr_extents = 1;
		trade.in.extent_order = order;
		for (i = 0; i < n; i++)
			exchange_list[i] = pfn + i;
		set_xen_guest_handle(trade.out.extent_start, exchange_list);
		trade.out.nr_extents = n;
	}
	done = HYPERVISOR_memory_op(XENMEM_exchange, &trade) == 0 &&
	       trade.nr_exchanged == trade.in.nr_extents;
	/* Xen trades a whole output extent or nothing; here there is one. */
	WARN_ON(!done && trade.nr_exchanged);

	for (i = 0; i < n; i++) {
		unsigned long mfn;

		if (gather)
			mfn = done ? one + i : exchange_list[i];
		else
			mfn = done ? exchange_list[i] : base + i;
		exchange_remap(pfn + i, mfn);
	}
	spin_unlock_irqrestore(&exchange_lock, flags);
	return done;
}

/*
 * Make the 2^@order pages at @phys machine-contiguous, below
 * 2^@address_bits; their first machine address goes to *@machine.
 */
int xen_make_contiguous(phys_addr_t phys, unsigned int order,
			unsigned int address_bits, dma_addr_t *machine)
{
	unsigned long pfn = PFN_DOWN(phys);

	if (xen_feature(XENFEAT_auto_translated_physmap))
		return -EINVAL;
	if (!exchange(pfn, order, true, address_bits))
		return -ENOMEM;
	*machine = PFN_PHYS(pfn_to_mfn(pfn));
	return 0;
}
EXPORT_SYMBOL_GPL(xen_make_contiguous);

/*
 * Give back what xen_make_contiguous() got: memory below 4 GiB is what
 * every domain's 32-bit DMA competes for, so a domain should not sit on
 * it once its buffer is freed.  A failure costs only that: the pages
 * stay usable on their contiguous frames.
 */
void xen_release_contiguous(phys_addr_t phys, unsigned int order)
{
	if (!xen_feature(XENFEAT_auto_translated_physmap) &&
	    !exchange(PFN_DOWN(phys), order, false, 0))
		pr_warn_ratelimited("xen: could not give back %lu contiguous frames at pfn %#llx\n",
				    1UL << order, (u64)PFN_DOWN(phys));
}
EXPORT_SYMBOL_GPL(xen_release_contiguous);
