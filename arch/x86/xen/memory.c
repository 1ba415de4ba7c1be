// SPDX-License-Identifier: GPL-2.0
/*
 * The memory map of a PV domain.
 *
 * A domU's pseudo-physical memory is what the toolstack describes with
 * XENMEM_memory_map (usually one RAM range); Xen populated the first
 * nr_pages frames of it.  dom0 is different: it drives the real machine,
 * so its memory map must be the machine's (XENMEM_machine_memory_map),
 * with RAM where the machine has RAM and the holes (PCI windows, ACPI
 * tables, the ISA hole) where the machine has them, so that drivers and
 * ACPI find devices and firmware at their machine addresses.  Xen still
 * populated dom0's first nr_pages pfns contiguously, holes included.
 *
 * So for every pfn below nr_pages that the final map does not call RAM
 * (the legacy ISA hole of a domU too), we take the memory away from the
 * pfn and hand it back to Xen (XENMEM_decrease_reservation).  dom0 then
 * maps such a pfn 1:1 onto the machine frame of the same number, which
 * is what device memory needs; in a domU it simply has nothing behind it.
 * The pages handed back are counted in xen_released_pages: the balloon
 * driver can take them back later.
 *
 * The boot area Xen built after the kernel image (p2m list, start_info,
 * page tables, boot stack) is reserved here, before memblock allocates.
 */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include <asm/e820/api.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/xen.h>
#include <xen/interface/memory.h>

#include "xen-ops.h"

unsigned long xen_released_pages __initdata;

static struct e820_entry xen_map[E820_MAX_ENTRIES] __initdata;
static unsigned int xen_map_nr __initdata;

/* Frames to give back, sent in batches. */
static unsigned long release_batch[512] __initdata;
static unsigned int release_nr __initdata;

static void __init release_flush(void)
{
	struct xen_memory_reservation r = {
		.nr_extents = release_nr,
		.extent_order = 0,
		.domid = DOMID_SELF,
	};
	int done;

	if (!release_nr)
		return;
	set_xen_guest_handle(r.extent_start, release_batch);
	done = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	if (done != release_nr)
		pr_warn("xen: gave back %d of %u frames\n", done, release_nr);
	xen_released_pages += max(done, 0);
	release_nr = 0;
}

/*
 * Take the memory away from @pfn: unmap it if Xen's boot mapping covers
 * it (the ISA hole of the first megabyte does), queue the frame for
 * Xen, record what the pfn means now.
 */
static void __init release_pfn(unsigned long pfn)
{
	unsigned long mfn = pfn_to_mfn(pfn);

	if (mfn == INVALID_P2M_ENTRY || (__pfn_to_mfn(pfn) & P2M_MARKERS))
		return;
	if (pfn < xen_boot_area_end_pfn)
		HYPERVISOR_update_va_mapping((unsigned long)__va(PFN_PHYS(pfn)),
					     0, UVMF_INVLPG);
	release_batch[release_nr++] = mfn;
	if (release_nr == ARRAY_SIZE(release_batch))
		release_flush();
	xen_set_p2m(pfn, xen_initial_domain() ? IDENTITY_FRAME(pfn) :
						 INVALID_P2M_ENTRY);
}

static bool __init pfn_is_ram(unsigned long pfn)
{
	u64 addr = PFN_PHYS(pfn);
	unsigned int i;

	for (i = 0; i < xen_map_nr; i++)
		if (xen_map[i].type == E820_TYPE_RAM &&
		    addr >= xen_map[i].addr &&
		    addr < xen_map[i].addr + xen_map[i].size)
			return true;
	return false;
}

static void __init read_memory_map(unsigned long nr_pages)
{
	struct xen_memory_map memmap;
	int rc;

	memmap.nr_entries = ARRAY_SIZE(xen_map);
	set_xen_guest_handle(memmap.buffer, xen_map);
	rc = HYPERVISOR_memory_op(xen_initial_domain() ?
				  XENMEM_machine_memory_map : XENMEM_memory_map,
				  &memmap);
	if (rc == -ENOSYS && !xen_initial_domain()) {
		/* An old toolstack: all we know is nr_pages of RAM. */
		xen_map[0].addr = 0;
		xen_map[0].size = PFN_PHYS(nr_pages);
		xen_map[0].type = E820_TYPE_RAM;
		memmap.nr_entries = 1;
	} else if (rc) {
		panic("xen: cannot read the memory map (error %d)\n", rc);
	}
	xen_map_nr = memmap.nr_entries;
}

char *__init xen_memory_setup(void)
{
	unsigned long nr_pages = xen_start_info->nr_pages;
	u64 ram_limit = PFN_PHYS(nr_pages);
	unsigned long pfn;
	unsigned int i;

	read_memory_map(nr_pages);

	/*
	 * RAM we have: the map's RAM below nr_pages (the rest is not
	 * populated; the balloon may add it later).  Everything else the
	 * map says goes in as it is.
	 */
	for (i = 0; i < xen_map_nr; i++) {
		struct e820_entry *e = &xen_map[i];
		u64 start = e->addr, end = e->addr + e->size;

		if (e->type != E820_TYPE_RAM) {
			e820__range_add(start, e->size, e->type);
			continue;
		}
		/* The ISA hole is reserved, whatever the map says. */
		if (start < ISA_END_ADDRESS && end > ISA_START_ADDRESS) {
			if (start < ISA_START_ADDRESS)
				e820__range_add(start, ISA_START_ADDRESS - start,
						E820_TYPE_RAM);
			start = max_t(u64, start, ISA_END_ADDRESS);
		}
		end = min(end, ram_limit);
		if (start < end)
			e820__range_add(start, end - start, E820_TYPE_RAM);
	}
	e820__range_add(ISA_START_ADDRESS, ISA_END_ADDRESS - ISA_START_ADDRESS,
			E820_TYPE_RESERVED);
	e820__update_table(e820_table);

	/* Populated pfns that are not RAM now: back to Xen. */
	for (pfn = 0; pfn < nr_pages; pfn++) {
		u64 addr = PFN_PHYS(pfn);

		if (addr >= ISA_START_ADDRESS && addr < ISA_END_ADDRESS) {
			release_pfn(pfn);
			continue;
		}
		if (!pfn_is_ram(pfn))
			release_pfn(pfn);
	}
	release_flush();
	if (xen_released_pages)
		pr_info("xen: released %lu pages of unused memory\n",
			xen_released_pages);

	/* Xen's part of the boot area, after the kernel image. */
	memblock_reserve(PFN_PHYS(PFN_UP(__pa_symbol(_end))),
			 PFN_PHYS(xen_boot_area_end_pfn) -
			 PFN_PHYS(PFN_UP(__pa_symbol(_end))));
	return "Xen";
}

/*
 * Once the direct map covers all RAM: struct pages exist after
 * paging_init(), so the pinned state of init_mm's tables can be
 * recorded, and the p2m is reached through the direct map.
 */
static void __init xen_pagetable_init(void)
{
	paging_init();
	xen_mmu_late_init();
	xen_free_old_boot_tables();
}

void __init xen_memory_setup_ops(void)
{
	x86_init.resources.memory_setup = xen_memory_setup;
	x86_init.paging.pagetable_init = xen_pagetable_init;
}
