// SPDX-License-Identifier: GPL-2.0
/*
 * May the block layer merge two pages into one I/O segment?
 *
 * In a PV domain, pages that follow each other in pseudo-physical memory
 * may be anywhere in machine memory, and a device (or a backend mapping
 * our grants) sees machine memory.  A segment may only span pages that
 * are contiguous there too.
 */
#include <linux/bio.h>
#include <linux/export.h>

#include <asm/xen/page.h>

#include <xen/xen.h>

bool xen_biovec_phys_mergeable(const struct bio_vec *vec1,
			       const struct page *page)
{
	unsigned long end = page_to_pfn(vec1->bv_page) +
			    PFN_DOWN(vec1->bv_offset + vec1->bv_len);

	return pfn_to_gfn(end) == pfn_to_gfn(page_to_pfn(page));
}
EXPORT_SYMBOL(xen_biovec_phys_mergeable);
