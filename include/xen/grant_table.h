/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grant tables: how a domain lets another one reach its pages.
 *
 * A frontend offers a page to its backend by writing a grant entry
 * {flags, backend domid, frame} into the table it shares with Xen; the
 * index of that entry, the grant reference, is what it tells the backend.
 * The backend maps or copies through (our domid, reference).  Taking the
 * grant back is only safe once the backend has let go of the page.
 *
 * The function names are the ones drivers written for Linux-on-Xen use.
 */
#ifndef _XEN_GRANT_TABLE_H
#define _XEN_GRANT_TABLE_H

#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>

/* No reference: what a driver stores in a slot that holds none. */
#define INVALID_GRANT_REF	((grant_ref_t)-1)

/* ---- Offering our pages (frontends) ---------------------------------- */

/*
 * Grant @domid access to guest frame @frame (a gfn, see asm/xen/page.h).
 * Returns the reference, or -ENOSPC when the table cannot grow further.
 */
int gnttab_grant_foreign_access(domid_t domid, unsigned long frame,
				int readonly);
/* The same on a reference already reserved by the caller. */
void gnttab_grant_foreign_access_ref(grant_ref_t ref, domid_t domid,
				     unsigned long frame, int readonly);

/*
 * Revoke the grant.  Fails (returns 0) while the other domain still maps
 * the page; the reference stays allocated either way.
 */
int gnttab_end_foreign_access_ref(grant_ref_t ref);

/*
 * Revoke the grant and free the reference, and @page if not NULL.  If the
 * other domain still maps the page, both are kept on a list and freed
 * once it lets go: never reused while another domain can reach them.
 */
void gnttab_end_foreign_access(grant_ref_t ref, struct page *page);

/* Revoke and free the reference if nobody maps it; true on success. */
bool gnttab_try_end_foreign_access(grant_ref_t ref);

/* Is the grant mapped by the other domain right now? */
int gnttab_query_foreign_access(grant_ref_t ref);

/* ---- Reserving references in advance --------------------------------- */

/*
 * A driver that must not fail halfway through a request reserves its
 * references first: a private chain, from which claims cannot fail.
 */
int gnttab_alloc_grant_references(u16 count, grant_ref_t *pprivate_head);
void gnttab_free_grant_references(grant_ref_t head);
void gnttab_free_grant_reference(grant_ref_t ref);
int gnttab_empty_grant_references(const grant_ref_t *pprivate_head);
int gnttab_claim_grant_reference(grant_ref_t *pprivate_head);
void gnttab_release_grant_reference(grant_ref_t *private_head,
				    grant_ref_t release);

/*
 * Told once when @count references are free again.  Zero it before the
 * first request (it is usually part of a zeroed allocation): a zeroed
 * one is known not to be waiting.
 */
struct gnttab_free_callback {
	struct list_head node;	/* in the table's queue while waiting */
	void (*fn)(void *arg);
	void *arg;
	u16 count;
};
void gnttab_request_free_callback(struct gnttab_free_callback *callback,
				  void (*fn)(void *), void *arg, u16 count);
void gnttab_cancel_free_callback(struct gnttab_free_callback *callback);

/* References the table can ever hold; frames it can grow to. */
unsigned int gnttab_max_grant_frames(void);

/* ---- Mapping other domains' grants (backends, gntdev) ----------------- */

/* No mapping: what a driver stores in a slot that holds none. */
#define INVALID_GRANT_HANDLE	((grant_handle_t)~0U)

/*
 * Map or unmap a batch.  Each operation says in ->status whether it
 * worked (GNTST_okay); a nonzero return means the hypercall itself
 * failed.  Mapping retries grants that are paged out, so it may sleep.
 */
int gnttab_map_grants(struct gnttab_map_grant_ref *ops, unsigned int count);
int gnttab_unmap_grants(struct gnttab_unmap_grant_ref *ops,
			unsigned int count);

/* ---- Save and restore ------------------------------------------------- */

int gnttab_suspend(void);
int gnttab_resume(void);

/* ---- What the architecture provides ----------------------------------- */

/*
 * A PV guest maps the table's machine frames into its own page tables.
 * An auto-translated guest (HVM, PVH) places them in its physical
 * address space instead, and never calls these: without PV support the
 * stubs below only keep the untaken branches compiling.
 */
#ifdef CONFIG_XEN_PV
/*
 * Reserve kernel virtual space for @max_frames table frames and make
 * sure page tables exist behind it; may sleep.
 */
void *arch_gnttab_reserve(unsigned int max_frames);
/* Map machine frames @frames[0..nr) at frame slots first.. of @area. */
int arch_gnttab_map(void *area, unsigned int first, const xen_pfn_t *frames,
		    unsigned int nr);
/* Unmap @nr frame slots of @area (before a save: no foreign frames then). */
void arch_gnttab_unmap(void *area, unsigned int nr);
#else
static inline void *arch_gnttab_reserve(unsigned int max_frames)
{
	return NULL;
}

static inline int arch_gnttab_map(void *area, unsigned int first,
				  const xen_pfn_t *frames, unsigned int nr)
{
	return -EOPNOTSUPP;
}

static inline void arch_gnttab_unmap(void *area, unsigned int nr)
{
}
#endif

#endif /* _XEN_GRANT_TABLE_H */
