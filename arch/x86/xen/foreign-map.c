// SPDX-License-Identifier: GPL-2.0
/*
 * Other domains' frames in a user address space (privcmd's mappings).
 *
 * The toolstack builds, saves and restores domains by mapping their
 * memory into its own address space.  In a PV domain that is a PTE
 * holding the other domain's machine frame, and only Xen may write such
 * an entry: mmu_update with the owner as its "foreign domain" argument,
 * which Xen allows a domain privileged over the owner.  Xen takes a
 * reference on the frame for as long as the entry holds it, so clearing
 * the entry (munmap, exit) is all the unmapping there is.
 *
 * Such a frame has no pfn of ours, so reading the entry back through the
 * p2m cannot give a page of ours for it: generic code must only ever see
 * these PTEs as "special" (no struct page) in a VM_PFNMAP area, and must
 * not rebuild them from pte_val() (mprotect); the callers see to that.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/interface/xen.h>

/* Entries per mmu_update call; the buffers are one allocation. */
#define FOREIGN_BATCH	128

struct foreign_batch {
	struct mmu_update req[FOREIGN_BATCH];
	unsigned int slot[FOREIGN_BATCH];	/* req -> frame index */
	u64 pte_ma[FOREIGN_BATCH];		/* frame index -> its PTE */
	int *errs;
	unsigned int n;
};

/*
 * apply_to_page_range() callback: note where the PTE of each page is in
 * machine memory (the page tables exist from now on).  An entry that maps
 * something already is left alone: mapping over it is refused.
 */
static int note_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct foreign_batch *b = data;

	if (pte_none(*ptep))
		b->pte_ma[b->n] = virt_to_machine(ptep);
	else
		b->pte_ma[b->n] = 0;
	b->n++;
	return 0;
}

/* Map up to FOREIGN_BATCH frames at @addr; returns how many were mapped. */
static int map_batch(struct vm_area_struct *vma, unsigned long addr,
		     const xen_pfn_t *frames, unsigned int nr,
		     struct foreign_batch *b, pteval_t flags, domid_t domid,
		     unsigned int cmd)
{
	unsigned int i, nreq = 0, first = 0;
	int rc, mapped = 0;

	b->n = 0;
	rc = apply_to_page_range(vma->vm_mm, addr, nr << PAGE_SHIFT,
				 note_pte, b);
	if (rc) {
		for (i = 0; i < nr; i++)
			b->errs[i] = rc;
		return 0;
	}

	for (i = 0; i < nr; i++) {
		if (!b->pte_ma[i]) {
			b->errs[i] = -EBUSY;
			continue;
		}
		b->errs[i] = 0;
		b->req[nreq].ptr = b->pte_ma[i] | cmd;
		b->req[nreq].val = ((u64)frames[i] << PAGE_SHIFT) | flags;
		b->slot[nreq] = i;
		nreq++;
	}

	/*
	 * Xen stops at the first entry it refuses and says how many went
	 * before: note that one's error and go on after it.
	 */
	while (first < nreq) {
		int done = 0;

		rc = HYPERVISOR_mmu_update(b->req + first, nreq - first, &done,
					   domid);
		if (done < 0 || done > nreq - first)
			done = 0;	/* cannot be: trust nothing after it */
		mapped += done;
		first += done;
		if (rc >= 0)
			break;
		if (first < nreq)
			b->errs[b->slot[first++]] = rc;
	}
	/* Whatever was never tried (only if Xen misbehaved) failed too. */
	for (; first < nreq; first++)
		b->errs[b->slot[first]] = -EIO;
	return mapped;
}

static int map_frames(struct vm_area_struct *vma, unsigned long addr,
		      const xen_pfn_t *frames, unsigned int nr, int *errs,
		      pgprot_t prot, domid_t domid, unsigned int cmd)
{
	/* Special: no struct page behind it, whatever pte_pfn() says. */
	pteval_t flags = (pgprot_val(prot) | _PAGE_SPECIAL) &
			 __supported_pte_mask & ~PTE_PFN_MASK;
	struct foreign_batch *b;
	unsigned int done = 0;
	int mapped = 0;
	int rc = 0;

	if (WARN_ON_ONCE(!(vma->vm_flags & VM_PFNMAP) ||
			 addr < vma->vm_start ||
			 (vma->vm_end - addr) >> PAGE_SHIFT < nr))
		rc = -EINVAL;
	b = rc ? NULL : kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b) {
		rc = rc ?: -ENOMEM;
		while (done < nr)
			errs[done++] = rc;
		return rc;
	}
	while (done < nr) {
		unsigned int n = min_t(unsigned int, nr - done, FOREIGN_BATCH);

		b->errs = errs + done;
		mapped += map_batch(vma, addr + ((unsigned long)done << PAGE_SHIFT),
				    frames + done, n, b, flags, domid, cmd);
		done += n;
	}
	kfree(b);
	return mapped;
}

/**
 * xen_map_foreign_frames - map another domain's frames into user space
 * @vma: a VM_PFNMAP area of the current address space, mmap lock held
 * @addr: where the first frame goes, page aligned, inside @vma
 * @frames: @nr frame numbers of @domid, as its toolstack names them:
 *	machine frames of a PV domain, guest frames of an HVM or PVH one
 *	(Xen looks those up in the domain's p2m)
 * @errs: out: 0 or the -errno of each frame (-EBUSY: something is mapped
 *	there already; Xen's answer otherwise, -ENOENT for a frame paged out)
 * @prot: the protection, normally @vma's
 *
 * Returns the number of frames mapped.  Every entry of @errs is written,
 * also when nothing could be tried: callers copy it to user space.
 */
int xen_map_foreign_frames(struct vm_area_struct *vma, unsigned long addr,
			   const xen_pfn_t *frames, unsigned int nr, int *errs,
			   pgprot_t prot, domid_t domid)
{
	return map_frames(vma, addr, frames, nr, errs, prot, domid,
			  MMU_NORMAL_PT_UPDATE);
}
EXPORT_SYMBOL_GPL(xen_map_foreign_frames);

/**
 * xen_map_foreign_mfns - map machine frames that belong to @domid
 *
 * As xen_map_foreign_frames(), but @frames are machine frames whatever
 * the kind of @domid: what XENMEM_acquire_resource gives a PV caller
 * (a domain's grant table, its ioreq pages).  For an HVM or PVH owner
 * Xen would otherwise take them for guest frames and look them up in its
 * p2m; MMU_PT_UPDATE_NO_TRANSLATE says not to.
 */
int xen_map_foreign_mfns(struct vm_area_struct *vma, unsigned long addr,
			 const xen_pfn_t *frames, unsigned int nr, int *errs,
			 pgprot_t prot, domid_t domid)
{
	return map_frames(vma, addr, frames, nr, errs, prot, domid,
			  MMU_PT_UPDATE_NO_TRANSLATE);
}
EXPORT_SYMBOL_GPL(xen_map_foreign_mfns);
