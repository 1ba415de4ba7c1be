/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel address space for pages other domains grant us (backends).
 *
 * A backend reaches a frontend's ring, and whatever data pages it keeps
 * mapped, by asking Xen to put the granted frame into one of our page
 * table entries (GNTTABOP_map_grant_ref).  An area is a stretch of kernel
 * virtual address space whose PTEs exist from the start, so mapping into
 * a slot never allocates, and whose slots remember the handle Xen gave
 * for each mapping: whatever is still mapped when the area is freed is
 * unmapped then, so no mapping of another domain's page can outlive it.
 *
 * Only for PV domains (Xen writes the PTE itself); elsewhere allocation
 * fails with -EOPNOTSUPP.
 */
#ifndef _XEN_GRANT_AREA_H
#define _XEN_GRANT_AREA_H

#include <linux/types.h>

#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>

struct xen_grant_area;

/* @nr_slots pages of address space; an ERR_PTR on failure.  May sleep. */
struct xen_grant_area *xen_grant_area_alloc(unsigned int nr_slots);
/* Unmaps every slot still mapped, then frees the address space. */
void xen_grant_area_free(struct xen_grant_area *area);

/*
 * Map @refs[0..nr) of domain @domid at slots @first..: all of them or, on
 * any failure, none (those that worked are unmapped again).  Returns 0,
 * -EBUSY if a slot is in use, or the errno of the first failure (-EINVAL
 * for a bad reference or domain, -EACCES for a read-only grant mapped
 * writable, -EAGAIN for a frame its domain has paged out).  May sleep.
 */
int xen_grant_area_map(struct xen_grant_area *area, unsigned int first,
		       unsigned int nr, domid_t domid, const grant_ref_t *refs,
		       bool readonly);
/* Unmap slots @first..@first+nr-1; slots holding nothing are skipped. */
void xen_grant_area_unmap(struct xen_grant_area *area, unsigned int first,
			  unsigned int nr);
/* The kernel address of a slot. */
void *xen_grant_area_addr(struct xen_grant_area *area, unsigned int slot);

#endif /* _XEN_GRANT_AREA_H */
