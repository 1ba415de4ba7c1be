/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bookkeeping of a grant table, between grant-table.c and its unit
 * tests.  The kernel has one table, the one Xen knows; a test builds its
 * own in ordinary memory, with a growing hook of its own, and runs the
 * same code on it.
 */
#ifndef _DRIVERS_XEN_GRANT_TABLE_H
#define _DRIVERS_XEN_GRANT_TABLE_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <xen/grant_table.h>
#include <asm/xen/page.h>

#define GNT_REFS_PER_FRAME	(XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))
/* Ends the free list and every private chain. */
#define GNT_REF_END		((grant_ref_t)~0U)

struct gnt_table {
	spinlock_t lock;		/* the free list and the callbacks */
	struct grant_entry_v1 *entries;	/* room for max_frames frames */
	unsigned int frames;		/* frames set up so far */
	unsigned int max_frames;	/* what Xen allows us */
	/*
	 * next[ref] links free references, and the references of a private
	 * chain (gnttab_alloc_grant_references), to the next one;
	 * GNT_REF_END ends a list.  A reference in use has no meaningful
	 * link.
	 */
	grant_ref_t *next;
	grant_ref_t free_head;
	unsigned int free_count;
	/* gnttab_free_callback.node, in the order they asked */
	struct list_head free_waiters;
	/* Make frames [@first_new, @nr) of the table usable; lock held. */
	int (*setup_frames)(struct gnt_table *t, unsigned int nr,
			    unsigned int first_new);

	/* Grants another domain still maps, and their pages. */
	spinlock_t deferred_lock;
	struct list_head deferred_pages;	/* by page->lru */
	struct list_head deferred_refs;		/* struct deferred_ref */
	unsigned int deferred_count;
	unsigned long deferred_since;		/* jiffies */
};

#if IS_ENABLED(CONFIG_KUNIT)
int gnt_ensure_free(struct gnt_table *t, unsigned int count);
unsigned int gnt_in_use(struct gnt_table *t);
int gnt_take(struct gnt_table *t, unsigned int count, grant_ref_t *head);
void gnt_put_chain(struct gnt_table *t, grant_ref_t head, grant_ref_t tail,
		   unsigned int count);
void gnt_put_list(struct gnt_table *t, grant_ref_t head);
int gnt_claim(struct gnt_table *t, grant_ref_t *head);
void gnt_release(struct gnt_table *t, grant_ref_t *head, grant_ref_t ref);
void gnt_request_callback(struct gnt_table *t,
			  struct gnttab_free_callback *callback,
			  void (*fn)(void *), void *arg, u16 count);
void gnt_cancel_callback(struct gnt_table *t,
			 struct gnttab_free_callback *callback);
void gnt_grant(struct gnt_table *t, grant_ref_t ref, domid_t domid,
	       unsigned long frame, bool readonly);
bool gnt_revoke(struct gnt_table *t, grant_ref_t ref);
bool gnt_end_access(struct gnt_table *t, grant_ref_t ref, struct page *page);
unsigned int gnt_retry_deferred(struct gnt_table *t);
#endif

#endif /* _DRIVERS_XEN_GRANT_TABLE_H */
