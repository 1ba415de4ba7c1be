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
 * until the other domain unmaps them.
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
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#define GREFS_PER_FRAME	(XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GREF_END	((grant_ref_t)~0U)

/* The shared entries, mapped at a fixed place for the table's largest size. */
static struct grant_entry_v1 *gnt_entries;
static unsigned int gnt_frames;		/* frames set up so far */
static unsigned int gnt_max_frames;	/* what Xen allows us */
static xen_pfn_t *gnt_frame_list;	/* gnt_max_frames slots */

/*
 * gnt_next[ref] links free references, and the references of a private
 * chain (gnttab_alloc_grant_references), to the next one; GREF_END ends
 * a list.  A reference in use has no meaningful link.
 */
static grant_ref_t *gnt_next;
static grant_ref_t gnt_free_head = GREF_END;
static unsigned int gnt_free_count;
static struct gnttab_free_callback *gnt_free_callbacks;
static DEFINE_SPINLOCK(gnt_lock);

static inline struct grant_entry_v1 *entry(grant_ref_t ref)
{
	return &gnt_entries[ref];
}

/* ---- Growing the table ------------------------------------------------ */

/* Ask Xen for @nr frames in all and map the ones new to us. */
static int setup_frames(unsigned int nr, unsigned int first_new)
{
	struct gnttab_setup_table setup = {
		.dom = DOMID_SELF,
		.nr_frames = nr,
	};
	int rc;

	set_xen_guest_handle(setup.frame_list, gnt_frame_list);
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	if (rc == 0 && setup.status != GNTST_okay)
		rc = -EIO;
	if (rc) {
		pr_err("Xen refused a table of %u frames (%d/%d)\n", nr, rc,
		       setup.status);
		return rc;
	}
	return arch_gnttab_map(gnt_entries, first_new,
			       gnt_frame_list + first_new, nr - first_new);
}

/* Give the entries of frames [from, to) to the free list; lock held. */
static void add_free_frames(unsigned int from, unsigned int to)
{
	grant_ref_t ref, first = from * GREFS_PER_FRAME;
	grant_ref_t last = to * GREFS_PER_FRAME - 1;

	if (first < GNTTAB_NR_RESERVED_ENTRIES)
		first = GNTTAB_NR_RESERVED_ENTRIES;
	for (ref = first; ref < last; ref++)
		gnt_next[ref] = ref + 1;
	gnt_next[last] = gnt_free_head;
	gnt_free_head = first;
	gnt_free_count += last - first + 1;
}

/* Make at least @count references free, growing the table; lock held. */
static int ensure_free(unsigned int count)
{
	unsigned int want;
	int rc;

	if (gnt_free_count >= count)
		return 0;
	want = gnt_frames + DIV_ROUND_UP(count - gnt_free_count,
					 GREFS_PER_FRAME);
	if (want > gnt_max_frames) {
		pr_warn_ratelimited("out of grant references: %u wanted, %u free, table at its maximum of %u frames\n",
				    count, gnt_free_count, gnt_max_frames);
		return -ENOSPC;
	}
	rc = setup_frames(want, gnt_frames);
	if (rc)
		return rc;
	add_free_frames(gnt_frames, want);
	gnt_frames = want;
	return 0;
}

/* ---- Free references -------------------------------------------------- */

/* Tell the waiters whose wish can now be granted; lock held. */
static void run_free_callbacks(void)
{
	struct gnttab_free_callback *cb, *next, **link = &gnt_free_callbacks;

	for (cb = gnt_free_callbacks; cb; cb = next) {
		next = cb->next;
		if (cb->count <= gnt_free_count) {
			*link = next;
			cb->next = NULL;
			cb->fn(cb->arg);
		} else {
			link = &cb->next;
		}
	}
}

/* Put the chain head..tail of @count references back; lock held. */
static void put_chain(grant_ref_t head, grant_ref_t tail, unsigned int count)
{
	gnt_next[tail] = gnt_free_head;
	gnt_free_head = head;
	gnt_free_count += count;
	if (gnt_free_callbacks)
		run_free_callbacks();
}

void gnttab_free_grant_reference(grant_ref_t ref)
{
	unsigned long flags;

	spin_lock_irqsave(&gnt_lock, flags);
	put_chain(ref, ref, 1);
	spin_unlock_irqrestore(&gnt_lock, flags);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_reference);

void gnttab_free_grant_references(grant_ref_t head)
{
	grant_ref_t tail = head;
	unsigned int count = 1;
	unsigned long flags;

	if (head == GREF_END)
		return;
	while (gnt_next[tail] != GREF_END) {
		tail = gnt_next[tail];
		count++;
	}
	spin_lock_irqsave(&gnt_lock, flags);
	put_chain(head, tail, count);
	spin_unlock_irqrestore(&gnt_lock, flags);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_references);

/* Take @count references off the free list as a GREF_END-ended chain. */
static int take_refs(unsigned int count, grant_ref_t *head)
{
	grant_ref_t ref, last;
	unsigned long flags;
	unsigned int i;
	int rc;

	if (!count)
		return -EINVAL;
	spin_lock_irqsave(&gnt_lock, flags);
	rc = ensure_free(count);
	if (rc) {
		spin_unlock_irqrestore(&gnt_lock, flags);
		return rc;
	}
	ref = gnt_free_head;
	last = ref;
	for (i = 1; i < count; i++)
		last = gnt_next[last];
	gnt_free_head = gnt_next[last];
	gnt_next[last] = GREF_END;
	gnt_free_count -= count;
	spin_unlock_irqrestore(&gnt_lock, flags);
	*head = ref;
	return 0;
}

int gnttab_alloc_grant_references(u16 count, grant_ref_t *pprivate_head)
{
	return take_refs(count, pprivate_head);
}
EXPORT_SYMBOL_GPL(gnttab_alloc_grant_references);

int gnttab_empty_grant_references(const grant_ref_t *pprivate_head)
{
	return *pprivate_head == GREF_END;
}
EXPORT_SYMBOL_GPL(gnttab_empty_grant_references);

int gnttab_claim_grant_reference(grant_ref_t *pprivate_head)
{
	grant_ref_t ref = *pprivate_head;

	if (ref == GREF_END)
		return -ENOSPC;
	*pprivate_head = gnt_next[ref];
	return ref;
}
EXPORT_SYMBOL_GPL(gnttab_claim_grant_reference);

void gnttab_release_grant_reference(grant_ref_t *private_head,
				    grant_ref_t release)
{
	gnt_next[release] = *private_head;
	*private_head = release;
}
EXPORT_SYMBOL_GPL(gnttab_release_grant_reference);

void gnttab_request_free_callback(struct gnttab_free_callback *callback,
				  void (*fn)(void *), void *arg, u16 count)
{
	struct gnttab_free_callback *cb;
	unsigned long flags;

	spin_lock_irqsave(&gnt_lock, flags);
	for (cb = gnt_free_callbacks; cb; cb = cb->next)
		if (cb == callback)
			goto out;	/* already waiting */
	callback->fn = fn;
	callback->arg = arg;
	callback->count = count;
	callback->next = gnt_free_callbacks;
	gnt_free_callbacks = callback;
	run_free_callbacks();
out:
	spin_unlock_irqrestore(&gnt_lock, flags);
}
EXPORT_SYMBOL_GPL(gnttab_request_free_callback);

void gnttab_cancel_free_callback(struct gnttab_free_callback *callback)
{
	struct gnttab_free_callback **link;
	unsigned long flags;

	spin_lock_irqsave(&gnt_lock, flags);
	for (link = &gnt_free_callbacks; *link; link = &(*link)->next) {
		if (*link == callback) {
			*link = callback->next;
			break;
		}
	}
	spin_unlock_irqrestore(&gnt_lock, flags);
}
EXPORT_SYMBOL_GPL(gnttab_cancel_free_callback);

unsigned int gnttab_max_grant_frames(void)
{
	return gnt_max_frames;
}
EXPORT_SYMBOL_GPL(gnttab_max_grant_frames);

/* ---- Granting and revoking -------------------------------------------- */

void gnttab_grant_foreign_access_ref(grant_ref_t ref, domid_t domid,
				     unsigned long frame, int readonly)
{
	struct grant_entry_v1 *e = entry(ref);

	e->domid = domid;
	e->frame = frame;
	/* The entry goes live with its flags: they must be seen last. */
	wmb();
	WRITE_ONCE(e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0));
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access_ref);

int gnttab_grant_foreign_access(domid_t domid, unsigned long frame,
				int readonly)
{
	grant_ref_t ref;
	int rc = take_refs(1, &ref);

	if (rc)
		return rc;
	gnttab_grant_foreign_access_ref(ref, domid, frame, readonly);
	return ref;
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access);

int gnttab_query_foreign_access(grant_ref_t ref)
{
	return READ_ONCE(entry(ref)->flags) & (GTF_reading | GTF_writing);
}
EXPORT_SYMBOL_GPL(gnttab_query_foreign_access);

/* Clear the flags unless Xen marks the entry mapped; true if cleared. */
static bool revoke(grant_ref_t ref)
{
	u16 *flagp = &entry(ref)->flags;
	u16 flags = READ_ONCE(*flagp);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;
	} while (!try_cmpxchg(flagp, &flags, 0));
	return true;
}

int gnttab_end_foreign_access_ref(grant_ref_t ref)
{
	if (revoke(ref))
		return 1;
	pr_warn_ratelimited("grant %u is still mapped by domain %u\n", ref,
			    READ_ONCE(entry(ref)->domid));
	return 0;
}
EXPORT_SYMBOL_GPL(gnttab_end_foreign_access_ref);

bool gnttab_try_end_foreign_access(grant_ref_t ref)
{
	if (!revoke(ref))
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

static LIST_HEAD(deferred_pages);
static LIST_HEAD(deferred_refs);
static unsigned int deferred_count;
static DEFINE_SPINLOCK(deferred_lock);
static void retry_deferred(struct work_struct *work);
static DECLARE_DELAYED_WORK(deferred_work, retry_deferred);

/* How long until a grant still held is worth a warning. */
#define DEFERRED_WARN_AFTER	(60 * HZ)
static unsigned long deferred_since;

static void defer(grant_ref_t ref, struct page *page)
{
	struct deferred_ref *d = NULL;
	unsigned long flags;

	if (!page) {
		d = kmalloc(sizeof(*d), GFP_ATOMIC);
		if (!d) {
			/* Only the number is lost, never memory. */
			pr_warn("grant %u still mapped and no memory to track it: reference leaked\n",
				ref);
			return;
		}
		d->ref = ref;
	}
	spin_lock_irqsave(&deferred_lock, flags);
	if (page) {
		set_page_private(page, ref);
		list_add_tail(&page->lru, &deferred_pages);
	} else {
		list_add_tail(&d->list, &deferred_refs);
	}
	if (!deferred_count++)
		deferred_since = jiffies;
	spin_unlock_irqrestore(&deferred_lock, flags);
	schedule_delayed_work(&deferred_work, HZ);
}

static void retry_deferred(struct work_struct *work)
{
	struct deferred_ref *d, *dn;
	struct page *page, *pn;
	LIST_HEAD(done_pages);
	LIST_HEAD(done_refs);
	unsigned int left;

	spin_lock_irq(&deferred_lock);
	list_for_each_entry_safe(page, pn, &deferred_pages, lru)
		if (revoke(page_private(page)))
			list_move(&page->lru, &done_pages);
	list_for_each_entry_safe(d, dn, &deferred_refs, list)
		if (revoke(d->ref))
			list_move(&d->list, &done_refs);
	list_for_each_entry(page, &done_pages, lru)
		deferred_count--;
	list_for_each_entry(d, &done_refs, list)
		deferred_count--;
	left = deferred_count;
	if (left && time_after(jiffies, deferred_since + DEFERRED_WARN_AFTER)) {
		pr_warn("%u grants still mapped by other domains after %u s\n",
			left, jiffies_to_msecs(jiffies - deferred_since) / 1000);
		deferred_since = jiffies;
	}
	spin_unlock_irq(&deferred_lock);

	list_for_each_entry_safe(page, pn, &done_pages, lru) {
		list_del(&page->lru);
		gnttab_free_grant_reference(page_private(page));
		set_page_private(page, 0);
		__free_page(page);
	}
	list_for_each_entry_safe(d, dn, &done_refs, list) {
		gnttab_free_grant_reference(d->ref);
		kfree(d);
	}
	if (left)
		schedule_delayed_work(&deferred_work, HZ);
}

void gnttab_end_foreign_access(grant_ref_t ref, struct page *page)
{
	if (gnttab_try_end_foreign_access(ref)) {
		if (page)
			__free_page(page);
		return;
	}
	defer(ref, page);
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
	arch_gnttab_unmap(gnt_entries, gnt_frames);
	return 0;
}

int gnttab_resume(void)
{
	/* The new table starts empty; drivers grant their pages again. */
	return setup_frames(gnt_frames, 0);
}

static int __init gnttab_init(void)
{
	struct gnttab_query_size query = { .dom = DOMID_SELF };
	unsigned long flags;
	int rc;

	if (!xen_pv_domain())
		return 0;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &query, 1);
	if (rc || query.status != GNTST_okay || !query.max_nr_frames) {
		pr_err("cannot query the table size (%d/%d): no grants\n", rc,
		       query.status);
		return rc ?: -EIO;
	}
	gnt_max_frames = query.max_nr_frames;
	gnt_frame_list = kcalloc(gnt_max_frames, sizeof(*gnt_frame_list),
				 GFP_KERNEL);
	gnt_next = kvmalloc_array(gnt_max_frames * GREFS_PER_FRAME,
				  sizeof(*gnt_next), GFP_KERNEL);
	gnt_entries = arch_gnttab_reserve(gnt_max_frames);
	if (!gnt_frame_list || !gnt_next || !gnt_entries) {
		pr_err("no memory for a table of %u frames\n", gnt_max_frames);
		return -ENOMEM;
	}

	spin_lock_irqsave(&gnt_lock, flags);
	rc = ensure_free(max_t(unsigned int, query.nr_frames, 1) *
			 GREFS_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES);
	spin_unlock_irqrestore(&gnt_lock, flags);
	if (rc)
		return rc;
	pr_info("%u frames of %u set up, %u references free\n", gnt_frames,
		gnt_max_frames, gnt_free_count);
	return 0;
}
core_initcall(gnttab_init);
