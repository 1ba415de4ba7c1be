// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables, version 1, the granting side.
 *
 * Xen keeps, for every domain, an array of 8-byte grant entries in pages
 * the domain shares with it:
 *
 *	struct grant_entry_v1 { u16 flags; domid_t domid; u32 frame; };
 *
 * Writing {GTF_permit_access, 5, gfn} into entry N lets domain 5 map or
 * copy our frame gfn by naming (our domid, N).  While domain 5 has it
 * mapped, Xen sets GTF_reading or GTF_writing in that same flags word.
 * So the entry is live from the moment its flags say so (domid and frame
 * must be written before), and taking it back is a compare-and-exchange
 * of the flags to 0 that fails if Xen has marked the entry in use: a
 * plain store could race with a map and leave the page reachable.
 *
 * This file keeps the free entries (a singly linked list through an
 * array, one link per entry), grows the table a frame at a time when they
 * run out, and looks after pages whose grant could not be revoked yet:
 * those are neither freed nor forgotten but retried from a work item
 * until the other domain unmaps them.  All of that state is one struct
 * gnt_table (grant-table.h): ours is "gnt" below, and the unit tests run
 * the same functions on tables of their own.
 *
 * The first GNTTAB_NR_RESERVED_ENTRIES entries belong to the toolstack
 * (the console and xenstore rings are granted there) and are never handed
 * out.  The table is empty after a restore; gnttab_resume() maps the new
 * frames, and the drivers grant their pages again.
 */

#define pr_fmt(fmt) "xen:grant: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include <xen/features.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/interface/memory.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "grant-table.h"
#include "xen-counters.h"

static int setup_frames(struct gnt_table *t, unsigned int nr,
			unsigned int first_new);

/* Our table: the one Xen knows.  A unit test makes others like it. */
static struct gnt_table gnt = {
	.lock = __SPIN_LOCK_UNLOCKED(gnt.lock),
	.free_head = GNT_REF_END,
	.free_waiters = LIST_HEAD_INIT(gnt.free_waiters),
	.setup_frames = setup_frames,
	.deferred_lock = __SPIN_LOCK_UNLOCKED(gnt.deferred_lock),
	.deferred_pages = LIST_HEAD_INIT(gnt.deferred_pages),
	.deferred_refs = LIST_HEAD_INIT(gnt.deferred_refs),
};
static xen_pfn_t *gnt_frame_list;	/* gnt.max_frames slots */

/* ---- Growing the table ------------------------------------------------ */

/*
 * An auto-translated guest (PVH) does not map Xen's frames with page
 * table entries of its own: it asks Xen to put frame @i of the table at
 * a guest frame it chooses (XENMEM_add_to_physmap, XENMAPSPACE_grant_
 * table) and reaches it through its ordinary mapping of that frame.  We
 * choose a run of pages set aside at boot (table_reserve()), one per
 * frame the table may ever have, whose RAM went back to Xen then.  After
 * a restore the same frames are placed again.
 */
static int place_frames(struct gnt_table *t, unsigned int nr,
			unsigned int first_new)
{
	unsigned long base = PFN_DOWN(__pa(t->entries));
	unsigned int i;

	for (i = first_new; i < nr; i++) {
		struct xen_add_to_physmap add = {
			.domid = DOMID_SELF,
			.space = XENMAPSPACE_grant_table,
			.idx = i,
			.gpfn = base + i,
		};
		int rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &add);

		if (rc) {
			pr_err("Xen would not place frame %u of the table (%d)\n",
			       i, rc);
			return rc;
		}
	}
	return 0;
}

/* Ask Xen for @nr frames in all and map the ones new to us. */
static int setup_frames(struct gnt_table *t, unsigned int nr,
			unsigned int first_new)
{
	struct gnttab_setup_table setup = {
		.dom = DOMID_SELF,
		.nr_frames = nr,
	};
	int rc;

	if (xen_auto_translated())
		return place_frames(t, nr, first_new);
	set_xen_guest_handle(setup.frame_list, gnt_frame_list);
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	if (rc == 0 && setup.status != GNTST_okay)
		rc = -EIO;
	if (rc) {
		pr_err("Xen refused a table of %u frames (%d/%d)\n", nr, rc,
		       setup.status);
		return rc;
	}
	return arch_gnttab_map(t->entries, first_new,
			       gnt_frame_list + first_new, nr - first_new);
}

/* Give the entries of frames [from, to) to the free list; lock held. */
static void add_free_frames(struct gnt_table *t, unsigned int from,
			    unsigned int to)
{
	grant_ref_t ref, first = from * GNT_REFS_PER_FRAME;
	grant_ref_t last = to * GNT_REFS_PER_FRAME - 1;

	if (first < GNTTAB_NR_RESERVED_ENTRIES)
		first = GNTTAB_NR_RESERVED_ENTRIES;
	for (ref = first; ref < last; ref++)
		t->next[ref] = ref + 1;
	t->next[last] = t->free_head;
	t->free_head = first;
	t->free_count += last - first + 1;
}

/* Make at least @count references free, growing the table; lock held. */
VISIBLE_IF_KUNIT int gnt_ensure_free(struct gnt_table *t, unsigned int count)
{
	unsigned int missing, want;
	int rc;

	if (t->free_count >= count)
		return 0;
	missing = count - t->free_count;
	/* The first frame brings the reserved entries, which are not free. */
	if (!t->frames)
		missing += GNTTAB_NR_RESERVED_ENTRIES;
	want = t->frames + DIV_ROUND_UP(missing, GNT_REFS_PER_FRAME);
	if (want > t->max_frames) {
		pr_warn_ratelimited("out of grant references: %u wanted, %u free, table at its maximum of %u frames\n",
				    count, t->free_count, t->max_frames);
		return -ENOSPC;
	}
	rc = t->setup_frames(t, want, t->frames);
	if (rc)
		return rc;
	add_free_frames(t, t->frames, want);
	t->frames = want;
	return 0;
}

/*
 * References of @t handed out and not given back: every entry of the
 * frames set up, less the reserved ones and the free ones.  Grants kept
 * back because the other domain still maps them count too, as they
 * should: they are not ours to reuse yet.
 */
VISIBLE_IF_KUNIT unsigned int gnt_in_use(struct gnt_table *t)
{
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&t->lock, flags);
	if (t->frames)
		n = t->frames * GNT_REFS_PER_FRAME -
		    GNTTAB_NR_RESERVED_ENTRIES - t->free_count;
	spin_unlock_irqrestore(&t->lock, flags);
	return n;
}

unsigned int gnttab_refs_in_use(void)
{
	return gnt_in_use(&gnt);
}

/*
 * Read from the entries themselves, without the lock: a grant made or
 * ended meanwhile may be counted either way, which is all a count can
 * say of a moving table.  Xen sets GTF_reading/GTF_writing in an entry
 * of ours while another domain maps it.
 */
void gnttab_refs_usage(struct gnttab_usage *u)
{
	unsigned int ref, end;
	u16 flags;

	memset(u, 0, sizeof(*u));
	end = READ_ONCE(gnt.frames) * GNT_REFS_PER_FRAME;
	for (ref = GNTTAB_NR_RESERVED_ENTRIES; ref < end; ref++) {
		flags = READ_ONCE(gnt.entries[ref].flags);
		if ((flags & GTF_type_mask) == GTF_invalid)
			continue;
		u->granted++;
		if (flags & (GTF_reading | GTF_writing))
			u->mapped++;
	}
	u->deferred = READ_ONCE(gnt.deferred_count);
}

/* ---- Free references -------------------------------------------------- */

/*
 * Waiting means being on the queue.  A never-used callback is all zeroes
 * (node.next NULL); one told or cancelled was taken off with
 * list_del_init(), which leaves it pointing at itself.
 */
static bool free_waiting(const struct gnttab_free_callback *cb)
{
	return cb->node.next && !list_empty(&cb->node);
}

/*
 * Tell, oldest first, every waiter that now has its references free,
 * and forget it.  Nothing is reserved for it: a waiter retries its
 * allocation and may lose to someone faster, then asks again.  Lock held,
 * so a callback must not call back into the table; the drivers' only
 * schedule work.
 */
static void tell_free_waiters(struct gnt_table *t)
{
	struct gnttab_free_callback *cb, *tmp;

	list_for_each_entry_safe(cb, tmp, &t->free_waiters, node) {
		if (cb->count > t->free_count)
			continue;
		list_del_init(&cb->node);
		cb->fn(cb->arg);
	}
}

/* Put the chain head..tail of @count references back. */
VISIBLE_IF_KUNIT void gnt_put_chain(struct gnt_table *t, grant_ref_t head,
				    grant_ref_t tail, unsigned int count)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->next[tail] = t->free_head;
	t->free_head = head;
	t->free_count += count;
	if (!list_empty(&t->free_waiters))
		tell_free_waiters(t);
	spin_unlock_irqrestore(&t->lock, flags);
}

/* Put back a chain ended by GNT_REF_END, as a private one is. */
VISIBLE_IF_KUNIT void gnt_put_list(struct gnt_table *t, grant_ref_t head)
{
	grant_ref_t tail = head;
	unsigned int count = 1;

	if (head == GNT_REF_END)
		return;
	while (t->next[tail] != GNT_REF_END) {
		tail = t->next[tail];
		count++;
	}
	gnt_put_chain(t, head, tail, count);
}

void gnttab_free_grant_reference(grant_ref_t ref)
{
	gnt_put_chain(&gnt, ref, ref, 1);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_reference);

void gnttab_free_grant_references(grant_ref_t head)
{
	gnt_put_list(&gnt, head);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_references);

/* Take @count references off the free list as a GNT_REF_END-ended chain. */
VISIBLE_IF_KUNIT int gnt_take(struct gnt_table *t, unsigned int count,
			      grant_ref_t *head)
{
	grant_ref_t ref, last;
	unsigned long flags;
	unsigned int i;
	int rc;

	if (!count)
		return -EINVAL;
	spin_lock_irqsave(&t->lock, flags);
	rc = gnt_ensure_free(t, count);
	if (rc) {
		spin_unlock_irqrestore(&t->lock, flags);
		return rc;
	}
	ref = t->free_head;
	last = ref;
	for (i = 1; i < count; i++)
		last = t->next[last];
	t->free_head = t->next[last];
	t->next[last] = GNT_REF_END;
	t->free_count -= count;
	spin_unlock_irqrestore(&t->lock, flags);
	*head = ref;
	return 0;
}

int gnttab_alloc_grant_references(u16 count, grant_ref_t *pprivate_head)
{
	return gnt_take(&gnt, count, pprivate_head);
}
EXPORT_SYMBOL_GPL(gnttab_alloc_grant_references);

int gnttab_empty_grant_references(const grant_ref_t *pprivate_head)
{
	return *pprivate_head == GNT_REF_END;
}
EXPORT_SYMBOL_GPL(gnttab_empty_grant_references);

/* The first reference of the private chain at *@head, or -ENOSPC. */
VISIBLE_IF_KUNIT int gnt_claim(struct gnt_table *t, grant_ref_t *head)
{
	grant_ref_t ref = *head;

	if (ref == GNT_REF_END)
		return -ENOSPC;
	*head = t->next[ref];
	return ref;
}

/* Give @ref back to the private chain at *@head. */
VISIBLE_IF_KUNIT void gnt_release(struct gnt_table *t, grant_ref_t *head,
				  grant_ref_t ref)
{
	t->next[ref] = *head;
	*head = ref;
}

int gnttab_claim_grant_reference(grant_ref_t *pprivate_head)
{
	return gnt_claim(&gnt, pprivate_head);
}
EXPORT_SYMBOL_GPL(gnttab_claim_grant_reference);

void gnttab_release_grant_reference(grant_ref_t *private_head,
				    grant_ref_t release)
{
	gnt_release(&gnt, private_head, release);
}
EXPORT_SYMBOL_GPL(gnttab_release_grant_reference);

VISIBLE_IF_KUNIT void gnt_request_callback(struct gnt_table *t,
					   struct gnttab_free_callback *callback,
					   void (*fn)(void *), void *arg,
					   u16 count)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	/* A second request while the first waits changes nothing. */
	if (!free_waiting(callback)) {
		callback->fn = fn;
		callback->arg = arg;
		callback->count = count;
		if (count <= t->free_count)
			fn(arg);	/* under the lock, as when told later */
		else
			list_add_tail(&callback->node, &t->free_waiters);
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

VISIBLE_IF_KUNIT void gnt_cancel_callback(struct gnt_table *t,
					  struct gnttab_free_callback *callback)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	if (free_waiting(callback))
		list_del_init(&callback->node);
	spin_unlock_irqrestore(&t->lock, flags);
}

void gnttab_request_free_callback(struct gnttab_free_callback *callback,
				  void (*fn)(void *), void *arg, u16 count)
{
	gnt_request_callback(&gnt, callback, fn, arg, count);
}
EXPORT_SYMBOL_GPL(gnttab_request_free_callback);

void gnttab_cancel_free_callback(struct gnttab_free_callback *callback)
{
	gnt_cancel_callback(&gnt, callback);
}
EXPORT_SYMBOL_GPL(gnttab_cancel_free_callback);

unsigned int gnttab_max_grant_frames(void)
{
	return gnt.max_frames;
}
EXPORT_SYMBOL_GPL(gnttab_max_grant_frames);

/* ---- Granting and revoking -------------------------------------------- */

VISIBLE_IF_KUNIT void gnt_grant(struct gnt_table *t, grant_ref_t ref,
				domid_t domid, unsigned long frame,
				bool readonly)
{
	struct grant_entry_v1 *e = &t->entries[ref];

	e->domid = domid;
	e->frame = frame;
	/* The entry goes live with its flags: they must be seen last. */
	wmb();
	WRITE_ONCE(e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0));
}

void gnttab_grant_foreign_access_ref(grant_ref_t ref, domid_t domid,
				     unsigned long frame, int readonly)
{
	gnt_grant(&gnt, ref, domid, frame, readonly);
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access_ref);

int gnttab_grant_foreign_access(domid_t domid, unsigned long frame,
				int readonly)
{
	grant_ref_t ref;
	int rc = gnt_take(&gnt, 1, &ref);

	if (rc)
		return rc;
	gnt_grant(&gnt, ref, domid, frame, readonly);
	return ref;
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access);

int gnttab_query_foreign_access(grant_ref_t ref)
{
	return READ_ONCE(gnt.entries[ref].flags) & (GTF_reading | GTF_writing);
}
EXPORT_SYMBOL_GPL(gnttab_query_foreign_access);

/* Clear the flags unless Xen marks the entry mapped; true if cleared. */
VISIBLE_IF_KUNIT bool gnt_revoke(struct gnt_table *t, grant_ref_t ref)
{
	u16 *flagp = &t->entries[ref].flags;
	u16 flags = READ_ONCE(*flagp);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;
	} while (!try_cmpxchg(flagp, &flags, 0));
	return true;
}

int gnttab_end_foreign_access_ref(grant_ref_t ref)
{
	if (gnt_revoke(&gnt, ref))
		return 1;
	pr_warn_ratelimited("grant %u is still mapped by domain %u\n", ref,
			    READ_ONCE(gnt.entries[ref].domid));
	return 0;
}
EXPORT_SYMBOL_GPL(gnttab_end_foreign_access_ref);

bool gnttab_try_end_foreign_access(grant_ref_t ref)
{
	if (!gnt_revoke(&gnt, ref))
		return false;
	gnttab_free_grant_reference(ref);
	return true;
}
EXPORT_SYMBOL_GPL(gnttab_try_end_foreign_access);

/* ---- Grants the other side still holds -------------------------------- */

/*
 * A reference, and maybe a page, kept until the other domain unmaps it.
 * A page carries its reference in page->private and sits on the list by
 * page->lru (it is ours, off every other list), so deferring a page needs
 * no allocation; a bare reference needs a small one.
 */
struct deferred_ref {
	struct list_head list;
	grant_ref_t ref;
};

static void retry_deferred(struct work_struct *work);
static DECLARE_DELAYED_WORK(deferred_work, retry_deferred);

/* How long until a grant still held is worth a warning. */
#define DEFERRED_WARN_AFTER	(60 * HZ)

/* Keep @ref (and @page) until it can be revoked; false if it cannot be. */
static bool defer(struct gnt_table *t, grant_ref_t ref, struct page *page)
{
	struct deferred_ref *d = NULL;
	unsigned long flags;

	if (!page) {
		d = kmalloc(sizeof(*d), GFP_ATOMIC);
		if (!d) {
			/* Only the number is lost, never memory. */
			pr_warn("grant %u still mapped and no memory to track it: reference leaked\n",
				ref);
			return false;
		}
		d->ref = ref;
	}
	spin_lock_irqsave(&t->deferred_lock, flags);
	if (page) {
		set_page_private(page, ref);
		list_add_tail(&page->lru, &t->deferred_pages);
	} else {
		list_add_tail(&d->list, &t->deferred_refs);
	}
	if (!t->deferred_count++)
		t->deferred_since = jiffies;
	spin_unlock_irqrestore(&t->deferred_lock, flags);
	return true;
}

/*
 * Try again to revoke the grants @t keeps; free those the other domain
 * let go of.  Returns how many are still held.
 */
VISIBLE_IF_KUNIT unsigned int gnt_retry_deferred(struct gnt_table *t)
{
	struct deferred_ref *d, *dn;
	struct page *page, *pn;
	LIST_HEAD(done_pages);
	LIST_HEAD(done_refs);
	unsigned int left;

	spin_lock_irq(&t->deferred_lock);
	list_for_each_entry_safe(page, pn, &t->deferred_pages, lru)
		if (gnt_revoke(t, page_private(page)))
			list_move(&page->lru, &done_pages);
	list_for_each_entry_safe(d, dn, &t->deferred_refs, list)
		if (gnt_revoke(t, d->ref))
			list_move(&d->list, &done_refs);
	list_for_each_entry(page, &done_pages, lru)
		t->deferred_count--;
	list_for_each_entry(d, &done_refs, list)
		t->deferred_count--;
	left = t->deferred_count;
	if (left && time_after(jiffies, t->deferred_since + DEFERRED_WARN_AFTER)) {
		pr_warn("%u grants still mapped by other domains after %u s\n",
			left, jiffies_to_msecs(jiffies - t->deferred_since) / 1000);
		t->deferred_since = jiffies;
	}
	spin_unlock_irq(&t->deferred_lock);

	list_for_each_entry_safe(page, pn, &done_pages, lru) {
		list_del(&page->lru);
		gnt_put_chain(t, page_private(page), page_private(page), 1);
		set_page_private(page, 0);
		__free_page(page);
	}
	list_for_each_entry_safe(d, dn, &done_refs, list) {
		gnt_put_chain(t, d->ref, d->ref, 1);
		kfree(d);
	}
	return left;
}

static void retry_deferred(struct work_struct *work)
{
	if (gnt_retry_deferred(&gnt))
		schedule_delayed_work(&deferred_work, HZ);
}

/*
 * Revoke @ref and free it and @page, or keep both until the other
 * domain lets go.  True when they now wait for gnt_retry_deferred().
 */
VISIBLE_IF_KUNIT bool gnt_end_access(struct gnt_table *t, grant_ref_t ref,
				     struct page *page)
{
	if (gnt_revoke(t, ref)) {
		gnt_put_chain(t, ref, ref, 1);
		if (page)
			__free_page(page);
		return false;
	}
	return defer(t, ref, page);
}

void gnttab_end_foreign_access(grant_ref_t ref, struct page *page)
{
	if (gnt_end_access(&gnt, ref, page))
		schedule_delayed_work(&deferred_work, HZ);
}
EXPORT_SYMBOL_GPL(gnttab_end_foreign_access);

/* ---- Mapping other domains' grants ------------------------------------ */

/*
 * Each operation succeeds or fails on its own and says so in ->status;
 * the return value only reports a hypercall that could not run at all.
 * A grant whose page its domain has paged out answers GNTST_eagain until
 * the pager brings the page back: ask again, waiting a little longer
 * each time, for about a second, then leave GNTST_eagain as the answer.
 */
int gnttab_map_grants(struct gnttab_map_grant_ref *ops, unsigned int count)
{
	unsigned int i, delay;
	int rc;

	might_sleep();
	rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, ops, count);
	if (rc)
		return rc;
	for (i = 0; i < count; i++) {
		for (delay = 1; ops[i].status == GNTST_eagain && delay < 512;
		     delay *= 2) {
			msleep(delay);
			rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref,
						       &ops[i], 1);
			if (rc)
				return rc;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(gnttab_map_grants);

int gnttab_unmap_grants(struct gnttab_unmap_grant_ref *ops,
			unsigned int count)
{
	return HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, ops, count);
}
EXPORT_SYMBOL_GPL(gnttab_unmap_grants);

/* ---- Start of day, save and restore ----------------------------------- */

int gnttab_suspend(void)
{
	/* A saved domain must not map frames that are not its own. */
	if (!xen_auto_translated())
		arch_gnttab_unmap(gnt.entries, gnt.frames);
	return 0;
}

int gnttab_resume(void)
{
	/* The new table starts empty; drivers grant their pages again. */
	return setup_frames(&gnt, gnt.frames, 0);
}

/*
 * The RAM behind the pages the frames will be placed over goes back to
 * Xen now, not frame by frame: the table's room costs the domain no
 * memory, and Linux never touches a page until its frame is there.
 * Should Xen keep some, those simply go when their frame is placed.
 */
static void __init give_back_ram(unsigned long pfn, unsigned int nr)
{
	xen_pfn_t frame;
	struct xen_memory_reservation r = {
		.nr_extents = 1,
		.domid = DOMID_SELF,
	};
	unsigned int i;

	set_xen_guest_handle(r.extent_start, &frame);
	for (i = 0; i < nr; i++) {
		frame = pfn + i;
		if (HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r) != 1)
			break;
	}
}

/*
 * Where the table will be.  A PV guest reserves virtual space only; an
 * auto-translated one needs real pages at consecutive frames for
 * place_frames().  Should a run as long as the table's maximum not be
 * found, a shorter run caps the table.
 */
static void * __init table_reserve(unsigned int *max_frames)
{
	unsigned int nr = *max_frames;
	void *pages = NULL;
	size_t bytes;

	if (!xen_auto_translated())
		return arch_gnttab_reserve(nr);
	for (; nr; nr /= 2) {
		/* On i386 a size_t holds 4 GiB at most. */
		if (check_shl_overflow((size_t)nr, PAGE_SHIFT, &bytes))
			continue;
		pages = alloc_pages_exact(bytes, GFP_KERNEL | __GFP_ZERO |
						 __GFP_NOWARN);
		if (pages)
			break;
	}
	if (!nr)
		return NULL;
	if (nr < *max_frames) {
		pr_warn("room for %u frames only, of the %u Xen allows\n",
			nr, *max_frames);
		*max_frames = nr;
	}
	give_back_ram(PFN_DOWN(__pa(pages)), nr);
	return pages;
}

static int __init gnttab_init(void)
{
	struct gnttab_query_size query = { .dom = DOMID_SELF };
	unsigned long flags;
	int rc;

	if (!xen_pv_domain() && !xen_pvh_domain())
		return 0;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &query, 1);
	if (rc || query.status != GNTST_okay || !query.max_nr_frames) {
		pr_err("cannot query the table size (%d/%d): no grants\n", rc,
		       query.status);
		return rc ?: -EIO;
	}
	/*
	 * A grant reference is 32 bits wide: a table larger than they can
	 * name is Xen's mistake, and would overflow our counts of entries.
	 */
	gnt.max_frames = min_t(u32, query.max_nr_frames,
			       U32_MAX / GNT_REFS_PER_FRAME);
	gnt.entries = table_reserve(&gnt.max_frames);
	gnt_frame_list = kcalloc(gnt.max_frames, sizeof(*gnt_frame_list),
				 GFP_KERNEL);
	gnt.next = kvmalloc_array(gnt.max_frames * GNT_REFS_PER_FRAME,
				  sizeof(*gnt.next), GFP_KERNEL);
	if (!gnt_frame_list || !gnt.next || !gnt.entries) {
		pr_err("no memory for a table of %u frames\n", gnt.max_frames);
		return -ENOMEM;
	}

	spin_lock_irqsave(&gnt.lock, flags);
	rc = gnt_ensure_free(&gnt, max_t(unsigned int, query.nr_frames, 1) *
			     GNT_REFS_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES);
	spin_unlock_irqrestore(&gnt.lock, flags);
	if (rc)
		return rc;
	pr_info("%u frames of %u set up, %u references free\n", gnt.frames,
		gnt.max_frames, gnt.free_count);
	return 0;
}
core_initcall(gnttab_init);
