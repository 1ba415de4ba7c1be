/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pseudo-physical and machine frames in a PV domain.
 *
 * (Only a PV guest has them; in an HVM or PVH container Xen translates,
 * and a kernel without CONFIG_XEN_PV gets only the identity "gfn" names
 * at the end of this file.)
 *
 * A PV guest sees its memory as contiguous "pseudo-physical" frames (pfns,
 * what Linux calls physical), but its page tables must hold the machine
 * frames (mfns) Xen actually gave it, scattered anywhere.  Two tables
 * translate:
 *
 *  - the p2m, ours: one entry per pfn.  Xen hands over the first version
 *    (start_info.mfn_list); arch/x86/xen/p2m.c owns it from then on.
 *  - the m2p, Xen's: one entry per machine frame of the host, mapped
 *    read-only into every PV guest at MACH2PHYS_VIRT_START.  Only the
 *    entries of frames we own mean anything to us.
 *
 * A p2m entry is an mfn, INVALID_P2M_ENTRY (no memory behind the pfn:
 * ballooned out or never populated), or an mfn with one of two markers:
 * IDENTITY (dom0's I/O holes, where pfn == mfn, mapped like the machine)
 * and FOREIGN (a backend mapped another domain's granted page there).
 */
#ifndef _ASM_X86_XEN_PAGE_H
#define _ASM_X86_XEN_PAGE_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/pfn.h>
#include <linux/uaccess.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>

#include <xen/interface/xen.h>
#include <xen/features.h>

#define INVALID_P2M_ENTRY	(~0UL)
#define FOREIGN_FRAME_BIT	(1UL << (BITS_PER_LONG - 1))
#define IDENTITY_FRAME_BIT	(1UL << (BITS_PER_LONG - 2))
#define FOREIGN_FRAME(mfn)	((mfn) | FOREIGN_FRAME_BIT)
#define IDENTITY_FRAME(pfn)	((pfn) | IDENTITY_FRAME_BIT)
#define P2M_MARKERS		(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT)

/* Frames per p2m page, as the toolstack walks the p2m when it saves us. */
#define P2M_PER_PAGE		(PAGE_SIZE / sizeof(unsigned long))

/* Xen pages are always 4 KiB, whatever Linux's page size. */
#define XEN_PAGE_SHIFT		12
#define XEN_PAGE_SIZE		(1UL << XEN_PAGE_SHIFT)
#define XEN_PAGE_MASK		(~(XEN_PAGE_SIZE - 1))
#define XEN_PFN_PER_PAGE	(PAGE_SIZE / XEN_PAGE_SIZE)

#ifdef CONFIG_XEN_PV
/*
 * Both tables, as the translations below read them.  The kernel's are
 * xen_frames (p2m.c: the p2m is a flat array, grown but never shrunk;
 * the m2p is Xen's, sized by XENMEM_machphys_mapping).  A unit test
 * describes tables of its own, in ordinary memory, and runs the same
 * code on them.
 */
struct xen_frame_maps {
	unsigned long *p2m;
	unsigned long p2m_size;
	const unsigned long *m2p;
	unsigned long m2p_size;
};
extern struct xen_frame_maps xen_frames;

bool xen_set_p2m(unsigned long pfn, unsigned long mfn);
bool xen_p2m_grow(unsigned long nr_pfns);

/* The raw p2m entry, markers included.  Beyond the array: identity. */
static inline unsigned long xen_p2m_entry(const struct xen_frame_maps *m,
					  unsigned long pfn)
{
	if (likely(pfn < m->p2m_size))
		return READ_ONCE(m->p2m[pfn]);
	return IDENTITY_FRAME(pfn);
}

/* The machine frame behind @pfn, or INVALID_P2M_ENTRY. */
static inline unsigned long xen_p2m_mfn(const struct xen_frame_maps *m,
					unsigned long pfn)
{
	unsigned long mfn = xen_p2m_entry(m, pfn);

	return mfn == INVALID_P2M_ENTRY ? mfn : mfn & ~P2M_MARKERS;
}

/*
 * The m2p entry of a machine frame, or ~0 when there is none (Xen's m2p
 * is sparse: reading a hole faults, and the fault is caught).
 */
static inline unsigned long xen_m2p_entry(const struct xen_frame_maps *m,
					  unsigned long mfn)
{
	unsigned long pfn;

	if (unlikely(mfn >= m->m2p_size))
		return ~0UL;
	/*
	 * One load with an exception-table entry, inline: every pte_val()
	 * comes here.  The m2p is Xen's, at a fixed kernel address, so the
	 * checks of copy_from_kernel_nofault() have nothing to add.
	 */
	__get_kernel_nofault(&pfn, &m->m2p[mfn], unsigned long, hole);
	return pfn;
hole:
	return ~0UL;
}

/*
 * mfn -> pfn.  The m2p answer only counts when our p2m agrees, since any
 * frame may have belonged to someone else; a frame we map 1:1 (dom0 I/O)
 * is its own pfn.  ~0 means: not ours.
 */
static inline unsigned long xen_m2p_pfn(const struct xen_frame_maps *m,
					unsigned long mfn)
{
	unsigned long pfn = xen_m2p_entry(m, mfn);

	if (likely(pfn < m->p2m_size && m->p2m[pfn] == mfn))
		return pfn;
	if (xen_p2m_entry(m, mfn) == IDENTITY_FRAME(mfn))
		return mfn;
	return ~0UL;
}

/* The same, on the kernel's own tables. */
static inline unsigned long __pfn_to_mfn(unsigned long pfn)
{
	return xen_p2m_entry(&xen_frames, pfn);
}

static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
	return xen_p2m_mfn(&xen_frames, pfn);
}

static inline bool phys_to_machine_mapping_valid(unsigned long pfn)
{
	return __pfn_to_mfn(pfn) != INVALID_P2M_ENTRY;
}

static inline unsigned long xen_m2p_read(unsigned long mfn)
{
	return xen_m2p_entry(&xen_frames, mfn);
}

static inline unsigned long mfn_to_pfn(unsigned long mfn)
{
	return xen_m2p_pfn(&xen_frames, mfn);
}

static inline unsigned long virt_to_mfn(const void *v)
{
	return pfn_to_mfn(PFN_DOWN(__pa(v)));
}

static inline u64 virt_to_machine(const void *v)
{
	return ((u64)virt_to_mfn(v) << PAGE_SHIFT) |
	       ((unsigned long)v & ~PAGE_MASK);
}

static inline void *mfn_to_virt(unsigned long mfn)
{
	return __va(PFN_PHYS(mfn_to_pfn(mfn)));
}

static inline u64 phys_to_machine(phys_addr_t phys)
{
	return ((u64)pfn_to_mfn(PFN_DOWN(phys)) << PAGE_SHIFT) |
	       (phys & ~PAGE_MASK);
}

/*
 * exchange.c: machine-contiguous memory for DMA, traded with Xen.  The
 * largest trade is the largest block the page allocator hands out.
 */
#define XEN_EXCHANGE_MAX_ORDER	(MAX_ORDER - 1)
int xen_make_contiguous(phys_addr_t phys, unsigned int order,
			unsigned int address_bits, dma_addr_t *machine);
void xen_release_contiguous(phys_addr_t phys, unsigned int order);

/* The machine address behind any kernel virtual address (vmalloc too). */
u64 arbitrary_virt_to_machine(void *vaddr);
unsigned long arbitrary_virt_to_mfn(void *vaddr);

/*
 * The names drivers written for Linux-on-Xen use: a "gfn" is the frame
 * number another domain or Xen is given, an mfn in a PV guest and a pfn
 * in an auto-translated one.
 */
static inline unsigned long pfn_to_gfn(unsigned long pfn)
{
	bool translated = xen_auto_translated();

	return translated ? pfn : pfn_to_mfn(pfn);
}

static inline unsigned long gfn_to_pfn(unsigned long gfn)
{
	bool translated = xen_auto_translated();

	return translated ? gfn : mfn_to_pfn(gfn);
}

#define page_to_mfn(page)	pfn_to_mfn(page_to_pfn(page))

/* Pages of other domains mapped by a backend (grant mappings). */
struct gnttab_map_grant_ref;
struct gnttab_unmap_grant_ref;
int set_foreign_p2m_mapping(struct gnttab_map_grant_ref *map_ops,
			    struct gnttab_map_grant_ref *kmap_ops,
			    struct page **pages, unsigned int count);
int clear_foreign_p2m_mapping(struct gnttab_unmap_grant_ref *unmap_ops,
			      struct gnttab_unmap_grant_ref *kunmap_ops,
			      struct page **pages, unsigned int count);

/* Other domains' frames in a user VM_PFNMAP area (privcmd). */
struct vm_area_struct;
int xen_map_foreign_frames(struct vm_area_struct *vma, unsigned long addr,
			   const xen_pfn_t *frames, unsigned int nr, int *errs,
			   pgprot_t prot, domid_t domid);
int xen_map_foreign_mfns(struct vm_area_struct *vma, unsigned long addr,
			 const xen_pfn_t *frames, unsigned int nr, int *errs,
			 pgprot_t prot, domid_t domid);

#else /* !CONFIG_XEN_PV */

/*
 * Without PV support the kernel runs only in an HVM or PVH container,
 * where Xen translates every frame number: the frames Xen and other
 * domains are given are the guest's own pfns, and there is no p2m or
 * machine frame to know about.
 */
static inline unsigned long pfn_to_gfn(unsigned long pfn)
{
	return pfn;
}

static inline unsigned long gfn_to_pfn(unsigned long gfn)
{
	return gfn;
}

#endif /* CONFIG_XEN_PV */

#define virt_to_gfn(v)		pfn_to_gfn(PFN_DOWN(__pa(v)))
#define gfn_to_virt(g)		__va(PFN_PHYS(gfn_to_pfn(g)))
#define xen_page_to_gfn(page)	pfn_to_gfn(page_to_pfn(page))

#endif /* _ASM_X86_XEN_PAGE_H */
