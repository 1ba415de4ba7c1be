// SPDX-License-Identifier: GPL-2.0
/*
 * Where a PV domain sees its grant table.
 *
 * The table's frames are Xen's, not ours: GNTTABOP_setup_table tells us
 * their machine frame numbers, and we map them wherever we like.  They
 * have no pfn and no struct page, so the usual pfn-based PTE path (which
 * translates through the p2m) cannot express them; we write the machine
 * PTE ourselves with update_va_mapping.
 *
 * Before a save the mappings must go: the toolstack refuses to save a
 * domain whose page tables point at frames it does not own.
 */

#include <linux/mm.h>
#include <linux/vmalloc.h>

#include <xen/grant_table.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

static int no_pte_change(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
}

void *arch_gnttab_reserve(unsigned int max_frames)
{
	unsigned long size = (unsigned long)max_frames * PAGE_SIZE;
	struct vm_struct *area = get_vm_area(size, VM_IOREMAP);

	if (!area)
		return NULL;
	/*
	 * Have page tables behind the whole area now: growing the table
	 * happens under a spinlock, where allocating them could not.
	 */
	if (apply_to_page_range(&init_mm, (unsigned long)area->addr, size,
				no_pte_change, NULL)) {
		free_vm_area(area);
		return NULL;
	}
	return area->addr;
}

static int set_slot(void *area, unsigned int slot, u64 pte)
{
	unsigned long va = (unsigned long)area + slot * PAGE_SIZE;

	return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_ALL);
}

int arch_gnttab_map(void *area, unsigned int first, const xen_pfn_t *frames,
		    unsigned int nr)
{
	u64 prot = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY |
		   (__supported_pte_mask & _PAGE_NX);
	unsigned int i;
	int rc;

	for (i = 0; i < nr; i++) {
		rc = set_slot(area, first + i,
			      ((u64)frames[i] << PAGE_SHIFT) | prot);
		if (rc) {
			pr_err("xen:grant: cannot map table frame %u (%d)\n",
			       first + i, rc);
			return rc;
		}
	}
	return 0;
}

void arch_gnttab_unmap(void *area, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		set_slot(area, i, 0);
}
