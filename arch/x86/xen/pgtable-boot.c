// SPDX-License-Identifier: GPL-2.0
/*
 * From Xen's boot page tables to the kernel's own.
 *
 * Xen enters us on page tables it built: the L4 at start_info.pt_base maps
 * the "boot area", from __START_KERNEL_map (our ELF virtual base) up to a
 * little past the boot stack, linearly onto pfns 0, 1, 2, ...  The area
 * holds the kernel image, the initial p2m list, start_info, the console
 * and xenstore pages of a domU, Xen's page tables and the boot stack.
 * Nothing else is mapped: not the direct map at PAGE_OFFSET, not the
 * fixmap.
 *
 * Linux wants init_top_pgt (head_64.S provides it and its children for
 * CONFIG_XEN_PV) with the kernel image at __START_KERNEL_map, the direct
 * map at PAGE_OFFSET and the fixmap.  We fill those static tables and
 * switch to them:
 *
 *  - Xen's L1 tables stay: both the kernel image mapping and the start of
 *    the direct map point at them, because both map "base + pfn".  So the
 *    two views of a boot-area page share one PTE, and making a page
 *    read-only (to use it as a page table, say) in one view does it in
 *    the other.  Later, init_mem_mapping() extends the direct map past
 *    the boot area with new tables and reuses these.
 *  - The static tables are read-only and hold machine frames before Xen
 *    sees them; then we pin init_top_pgt, load it and unpin Xen's L4.
 *  - No large pages: a PV guest maps 4 KiB pages only.
 */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/string.h>

#include <asm/pgtable.h>
#include <asm/setup.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include "xen-ops.h"

/* First pfn past what Xen mapped for us. */
unsigned long xen_boot_area_end_pfn __initdata;
/* Set once the direct map exists (early console, p2m). */
bool xen_on_own_pagetables;

/* Xen's own top levels, freed once we no longer run on them. */
static void *xen_old_tables[3] __initdata;

static void __init crash_bad_layout(const char *why)
{
	xen_early_printf("xen: unexpected boot page tables: %s\n", why);
	xen_crash_now("cannot take over Xen's boot page tables");
}

/* A frame of the boot area, by its place in the boot mapping. */
static void *__init boot_va(unsigned long mfn)
{
	unsigned long pfn = xen_m2p_read(mfn);

	if (pfn >= xen_frames.p2m_size || xen_frames.p2m[pfn] != mfn)
		crash_bad_layout("a table frame that is not ours");
	return (void *)(__START_KERNEL_map + PFN_PHYS(pfn));
}

static unsigned long __init entry_mfn(u64 val)
{
	return (val & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/* An entry of a static table names a pfn; make it name the mfn. */
static void __init entry_to_machine(unsigned long *entry)
{
	unsigned long pfn = entry_mfn(*entry);

	if (*entry & _PAGE_PRESENT)
		*entry = ((u64)xen_frames.p2m[pfn] << PAGE_SHIFT) |
			 (*entry & ~PTE_PFN_MASK);
}

/*
 * Map one page of the kernel image read-only through Xen's (or, later,
 * our) tables.  The image is in the boot area, whose pfns are the offset
 * from __START_KERNEL_map.
 */
static void __init boot_page_ro(void *va)
{
	unsigned long pfn = PFN_DOWN((unsigned long)va - __START_KERNEL_map);
	u64 pte = ((u64)xen_frames.p2m[pfn] << PAGE_SHIFT) | _PAGE_PRESENT |
		  _PAGE_ACCESSED;

	if (HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG))
		crash_bad_layout("cannot write-protect a page table");
}

static void __init boot_mmuext(unsigned int cmd, void *table)
{
	unsigned long pfn = PFN_DOWN((unsigned long)table - __START_KERNEL_map);
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = xen_frames.p2m[pfn] };

	if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
		crash_bad_layout("pin or cr3 load refused");
}

/* The last mapped pfn + 1, found by walking Xen's L2 and last L1. */
static unsigned long __init boot_area_end(pmd_t *l2)
{
	int i, j;

	for (i = PTRS_PER_PMD - 1; i >= 0; i--) {
		pte_t *l1;

		if (!(native_pmd_val(l2[i]) & _PAGE_PRESENT))
			continue;
		l1 = boot_va(entry_mfn(native_pmd_val(l2[i])));
		for (j = PTRS_PER_PTE - 1; j >= 0; j--)
			if (native_pte_val(l1[j]) & _PAGE_PRESENT)
				return (unsigned long)i * PTRS_PER_PTE + j + 1;
	}
	crash_bad_layout("empty boot area");
	return 0;
}

void __init xen_adopt_boot_pagetables(struct start_info *si)
{
	pgd_t *xen_l4 = (pgd_t *)si->pt_base;
	pud_t *xen_l3;
	pmd_t *xen_l2;
	unsigned long end;
	unsigned int i;

	/* Xen's L3 and L2 for the kernel mapping (L4 511, L3 510). */
	xen_l3 = boot_va(entry_mfn(native_pgd_val(xen_l4[pgd_index(__START_KERNEL_map)])));
	if (native_pud_val(xen_l3[pud_index(__START_KERNEL_map) + 1]) & _PAGE_PRESENT)
		crash_bad_layout("boot area larger than 1 GiB");
	xen_l2 = boot_va(entry_mfn(native_pud_val(xen_l3[pud_index(__START_KERNEL_map)])));
	end = boot_area_end(xen_l2);
	xen_boot_area_end_pfn = end;

	/*
	 * The kernel mapping and the first GiB of the direct map: both get
	 * Xen's L1 tables, and nothing else (head_64.S filled these with
	 * large pages, which a PV guest cannot use).
	 */
	memset(level2_kernel_pgt, 0, PAGE_SIZE);
	memset(level2_ident_pgt, 0, PAGE_SIZE);
	for (i = 0; i < PTRS_PER_PMD; i++) {
		if (!(native_pmd_val(xen_l2[i]) & _PAGE_PRESENT))
			continue;
		level2_kernel_pgt[i] = xen_l2[i];
		level2_ident_pgt[i] = xen_l2[i];
	}

	/*
	 * The upper levels from head_64.S name pfns.  Slot 0 of the top
	 * level is user space: the identity mapping native boot needs
	 * there must go.
	 */
	init_top_pgt[0] = native_make_pgd(0);
	entry_to_machine(&init_top_pgt[pgd_index(PAGE_OFFSET)].pgd);
	entry_to_machine(&init_top_pgt[pgd_index(__START_KERNEL_map)].pgd);
	entry_to_machine(&level3_ident_pgt[0].pud);
	for (i = 1; i < PTRS_PER_PUD; i++)
		level3_ident_pgt[i] = native_make_pud(0);
	entry_to_machine(&level3_kernel_pgt[pud_index(__START_KERNEL_map)].pud);
	entry_to_machine(&level3_kernel_pgt[pud_index(__START_KERNEL_map) + 1].pud);
	for (i = 0; i < PTRS_PER_PMD; i++)
		entry_to_machine(&level2_fixmap_pgt[i].pmd);

	/* Read-only everywhere, then let Xen check the tree and load it. */
	boot_page_ro(init_top_pgt);
	boot_page_ro(level3_ident_pgt);
	boot_page_ro(level2_ident_pgt);
	boot_page_ro(level3_kernel_pgt);
	boot_page_ro(level2_kernel_pgt);
	boot_page_ro(level2_fixmap_pgt);
	for (i = 0; i < FIXMAP_PMD_NUM; i++)
		boot_page_ro(level1_fixmap_pgt + i * PTRS_PER_PTE);

	boot_mmuext(MMUEXT_PIN_L4_TABLE, init_top_pgt);
	boot_mmuext(MMUEXT_NEW_BASEPTR, init_top_pgt);
	xen_activate_init_mm();
	xen_on_own_pagetables = true;
	/*
	 * The boot area's kernel-image alias goes away in cleanup_highmap();
	 * the p2m list Xen put there is reached through the direct map now.
	 */
	xen_p2m_setup();

	/* Xen's L4, L3 and L2 are ordinary pages from now on. */
	boot_mmuext(MMUEXT_UNPIN_TABLE, xen_l4);
	xen_old_tables[0] = xen_l4;
	xen_old_tables[1] = xen_l3;
	xen_old_tables[2] = xen_l2;

	/*
	 * Everything Linux allocates before init_mem_mapping() must come
	 * from memory that is mapped: the boot area.
	 */
	max_pfn_mapped = end;
}

/*
 * The old top levels are still mapped read-only in the boot area.  Make
 * them writable and give them to the page allocator.  Called once
 * memblock hands pages to the buddy allocator.
 */
void __init xen_free_old_boot_tables(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_old_tables); i++) {
		void *va = __va(__pa(xen_old_tables[i]));

		if (!xen_old_tables[i])
			continue;
		xen_set_page_ro(va, false);
		memblock_free(va, PAGE_SIZE);
	}
}
