/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kind of Xen domain is this kernel running in?
 *
 * Generic kernel code asks in a handful of places (bio merging, DMA setup,
 * crash kernels, ACPI processor handling, ...), and it includes this header
 * whether or not Xen support is configured.  So every question here must
 * compile to a constant "no" without CONFIG_XEN, and be cheap with it.
 */
#ifndef _XEN_XEN_H
#define _XEN_XEN_H

#include <linux/types.h>

enum xen_domain_type {
	XEN_NATIVE,		/* bare metal, or a hypervisor that is not Xen */
	XEN_PV_DOMAIN,		/* paravirtualised: Xen owns the page tables */
	XEN_HVM_DOMAIN,		/* hardware virtualised, PVH included */
};

#ifdef CONFIG_XEN
extern enum xen_domain_type xen_domain_type;
/* SIF_* flags from start_info (PV) or hvm_start_info (PVH). */
extern u32 xen_start_flags;
#else
#define xen_domain_type		XEN_NATIVE
#define xen_start_flags		0U
#endif

#define xen_domain()		(xen_domain_type != XEN_NATIVE)
#define xen_pv_domain()		(xen_domain_type == XEN_PV_DOMAIN)
#define xen_hvm_domain()	(xen_domain_type == XEN_HVM_DOMAIN)

#ifdef CONFIG_XEN_PVH
extern bool xen_pvh;
#define xen_pvh_domain()	(xen_pvh)
#else
#define xen_pvh_domain()	0
#endif

#ifdef CONFIG_XEN_DOM0
/* SIF_INITDOMAIN: Xen's flag for the control domain. */
#define xen_initial_domain()	(xen_domain() && (xen_start_flags & (1U << 1)))
#else
#define xen_initial_domain()	0
#endif

struct bio_vec;
struct page;

/*
 * Two pages that are contiguous in pseudo-physical space need not be
 * contiguous in machine memory under Xen, so the block layer asks before
 * merging them into one segment.
 */
bool xen_biovec_phys_mergeable(const struct bio_vec *vec1,
			       const struct page *page);

/*
 * ACPI processor code in dom0 asks whether Xen knows a physical CPU that
 * dom0 itself does not run a vCPU on.  Only callable in a Xen dom0.
 */
#if defined(CONFIG_XEN_DOM0) && defined(CONFIG_ACPI)
bool __init xen_processor_present(u32 acpi_id);
#else
static inline bool xen_processor_present(u32 acpi_id)
{
	return false;
}
#endif

#endif /* _XEN_XEN_H */
