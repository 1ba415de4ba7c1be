// SPDX-License-Identifier: GPL-2.0
/*
 * One ring: the shared pages mapped from the frontend, its event
 * channel, and the thread that serves it.
 *
 * The frontend owns req_prod and writes requests; we own req_cons,
 * rsp_prod and the responses.  Nothing it writes is used in place: each
 * request is copied out of its slot before it is looked at, and the
 * producer index is checked against what the ring can hold.  A frontend
 * can have at most one ring's worth of requests without a response, so
 * req_prod may be at most nr_entries ahead of our private response
 * producer; an index further ahead (or behind, which wraps to far ahead)
 * is a broken or hostile frontend, and we stop serving the ring.
 *
 * The event channel is bound "late EOI": after an event it stays masked
 * until the thread has looked at the ring and calls xen_irq_lateeoi(),
 * so the interrupt handler does no more than wake the thread, however
 * often the frontend signals.  The thread takes at most BATCH requests
 * before it lets others run, and an event that brought no work at all is
 * counted: after STORM_EVENTS of those in a row each EOI waits
 * STORM_DELAY first.  A frontend signalling in a loop then gets one look
 * every STORM_DELAY instead of a CPU; one with real requests is served
 * at once, and its counter starts again.
 */

#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xen/events.h>
#include <xen/grant_area.h>

#include "common.h"

#define BATCH		32
#define STORM_EVENTS	64
#define STORM_DELAY	msecs_to_jiffies(20)
/* How often an idle ring's thread looks at the disk's size and grants. */
#define HOUSEKEEPING	HZ
#define PURGE_INTERVAL	(10 * HZ)
#define MAX_SLOT_SIZE	128

static struct device *ring_dev(struct blkback_ring *ring)
{
	return &ring->disk->dev->dev;
}

static struct blkif_sring *sring(struct blkback_ring *ring)
{
	return ring->sring;
}

static void *slot(struct blkback_ring *ring, RING_IDX idx)
{
	return ring->sring + offsetof(struct blkif_sring, ring) +
	       (idx & (ring->nr_entries - 1)) * ring->abi->slot_size;
}

void blkback_ring_log(struct blkback_ring *ring, const char *level,
		      const char *fmt, ...)
{
	struct xenbus_device *dev = ring->disk->dev;
	struct va_format vaf;
	va_list ap;

	if (!__ratelimit(&dev->log_rs))
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	dev_printk(level, &dev->dev, "%pV", &vaf);
	va_end(ap);
}

void blkback_ring_fail(struct blkback_ring *ring, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	if (ring->broken)
		return;
	ring->broken = true;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	blkback_ring_log(ring, KERN_ERR,
			 "ring %u: %pV; no longer served\n", ring->index,
			 &vaf);
	va_end(ap);
	/* Tell the toolstack and start closing; the frontend may follow. */
	xenbus_dev_fatal(ring->disk->dev, -EPROTO, "ring %u broken",
			 ring->index);
	/*
	 * Whether it follows or not, its rings are unmapped and its
	 * channels unbound now: a frontend that broke the protocol once
	 * gets nothing more from us until it connects afresh.
	 */
	blkback_disk_broken(ring->disk);
}

/* ---- Buffers ------------------------------------------------------------ */

/*
 * Only the ring's thread takes and gives back pages, so the counts need
 * no lock.  A request takes no more pages than it committed when it was
 * taken off the ring, so the pages out never pass the budget, and a page
 * is kept for reuse only while those out and those kept stay within it.
 */
struct page *blkback_get_buffer(struct blkback_ring *ring)
{
	struct page *page;

	if (ring->nr_buffers)
		page = ring->buffers[--ring->nr_buffers];
	else
		page = alloc_page(GFP_NOIO);
	if (page)
		ring->pages_out++;
	return page;
}

void blkback_put_buffer(struct blkback_ring *ring, struct page *page)
{
	ring->pages_out--;
	if (ring->nr_buffers + ring->pages_out < ring->budget)
		ring->buffers[ring->nr_buffers++] = page;
	else
		__free_page(page);
}

/* ---- Responses ---------------------------------------------------------- */

/*
 * Responses are written from two places: the thread answers what it
 * refuses or finishes itself, and the block layer's completion answers
 * the rest from whatever context the device completes in, so that a
 * finished request costs no wake-up of the thread.  ring->lock orders
 * them; each response is published as soon as it is written.
 */
static void respond_locked(struct blkback_ring *ring, u64 id, u8 op,
			   s16 status)
{
	RING_IDX old = ring->rsp_prod_pvt, new = old + 1;

	lockdep_assert_held(&ring->lock);
	blkback_encode_response(slot(ring, old), id, op, status);
	/* Read without the lock by take_requests(), for its index check. */
	WRITE_ONCE(ring->rsp_prod_pvt, new);
	virt_wmb();		/* the response before the index */
	WRITE_ONCE(sring(ring)->rsp_prod, new);
	virt_mb();		/* the index before reading rsp_event */
	if ((RING_IDX)(new - READ_ONCE(sring(ring)->rsp_event)) <
	    (RING_IDX)(new - old) && ring->irq >= 0)
		notify_remote_via_irq(ring->irq);
}

/* Take a request's slot, pages and grants back (the thread only). */
static void recycle(struct blkback_req *req)
{
	struct blkback_ring *ring = req->ring;

	blkback_release(req);
	ring->committed -= req->pages;
	req->pages = 0;
	list_add(&req->list, &ring->free);
	ring->in_flight--;
}

void blkback_answer(struct blkback_req *req, s16 status)
{
	struct blkback_ring *ring = req->ring;

	spin_lock_irq(&ring->lock);
	respond_locked(ring, req->id, req->operation, status);
	spin_unlock_irq(&ring->lock);
	recycle(req);
}

/* ---- Requests ----------------------------------------------------------- */

/*
 * The request goes on the done list before its response is written: a
 * frontend that saw the response may reuse the slot at once, and the
 * thread, finding no free request for it, takes the done list back
 * first (see take_request()).  The thread is woken only when it waits
 * for what a completion gives back (want_done): pages, a drain before a
 * barrier, its own end.
 */
void blkback_req_done(struct blkback_req *req, s16 status)
{
	struct blkback_ring *ring = req->ring;
	u64 id = req->id;
	u8 op = req->operation;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	if (req->error && req->error != BLK_STS_NOTSUPP)
		ring->st_errors++;
	/* From here on the thread may reuse @req: use only the copies. */
	list_add_tail(&req->list, &ring->done);
	respond_locked(ring, id, op, status);
	/*
	 * Wake under the lock: once it is free the thread may take the
	 * request back, see nothing in flight and go, and disconnect
	 * frees the ring.
	 */
	if (ring->want_done)
		wake_up(&ring->wq);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* The thread answers this one; it must hear of it at once. */
void blkback_req_defer(struct blkback_req *req)
{
	struct blkback_ring *ring = req->ring;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	list_add_tail(&req->list, &ring->to_answer);
	wake_up(&ring->wq);
	spin_unlock_irqrestore(&ring->lock, flags);
}

static bool done_pending(struct blkback_ring *ring)
{
	return !list_empty_careful(&ring->done);
}

static bool answers_pending(struct blkback_ring *ring)
{
	return !list_empty_careful(&ring->to_answer);
}

/* Whether completions should wake the thread; changed under the lock. */
static void want_completions(struct blkback_ring *ring, bool want)
{
	if (ring->want_done == want)
		return;
	spin_lock_irq(&ring->lock);
	ring->want_done = want;
	spin_unlock_irq(&ring->lock);
}

/*
 * Empty one of the lists completions fill (under the ring's lock) and
 * pass each request on it to @fn; true if there were any.
 */
static bool take_list(struct blkback_ring *ring, struct list_head *from,
		      void (*fn)(struct blkback_req *req))
{
	struct blkback_req *req, *tmp;
	bool any = false;
	LIST_HEAD(list);

	spin_lock_irq(&ring->lock);
	list_splice_init(from, &list);
	spin_unlock_irq(&ring->lock);
	list_for_each_entry_safe(req, tmp, &list, list) {
		list_del(&req->list);
		fn(req);
		any = true;
	}
	return any;
}

/* Take back what answered requests hold. */
static bool recycle_completed(struct blkback_ring *ring)
{
	return take_list(ring, &ring->done, recycle);
}

/* Answer what completions handed over. */
static bool answer_deferred(struct blkback_ring *ring)
{
	return take_list(ring, &ring->to_answer, blkback_answer_deferred);
}

/*
 * A free request for the next slot.  The index check keeps the requests
 * taken and not answered within the ring's size, so when none is free,
 * some answered ones are on the done list: the completion put them there
 * before it published their responses, and the frontend only reused
 * their slots after it saw those.
 */
static struct blkback_req *take_request(struct blkback_ring *ring)
{
	struct blkback_req *req;

	req = list_first_entry_or_null(&ring->free, struct blkback_req, list);
	if (!req && recycle_completed(ring))
		req = list_first_entry_or_null(&ring->free,
					       struct blkback_req, list);
	if (req)
		list_del(&req->list);
	return req;
}

/* Pages a request needs to copy its data through: one per segment. */
static unsigned int pages_needed(const struct blkback_desc *d)
{
	return d->op == BLKIF_OP_DISCARD ? 0 : d->nr_segments;
}

static void handle_request(struct blkback_ring *ring,
			   const struct blkback_desc *d)
{
	struct blkback_req *req;
	enum blkback_kind kind;
	const char *why;
	int status;

	req = take_request(ring);
	if (WARN_ON_ONCE(!req)) {
		blkback_ring_fail(ring, "no request slot free");
		return;
	}
	ring->in_flight++;
	req->id = d->id;
	req->operation = d->op;

	status = blkback_check_request(d, &ring->disk->limits, &kind, &why);
	if (status != BLKIF_RSP_OKAY) {
		ring->st_bad++;
		blkback_ring_log(ring, KERN_WARNING,
				 "request %llu (op %u): %s\n", d->id,
				 d->operation, why);
		blkback_answer(req, status);
		return;
	}
	req->kind = kind;
	/* Checked: within the budget (take_requests saw it fit). */
	req->pages = pages_needed(d);
	ring->committed += req->pages;
	if (kind == BLKBACK_NOTHING) {
		blkback_answer(req, BLKIF_RSP_OKAY);
		return;
	}
	if (kind == BLKBACK_BARRIER && ring->in_flight > 1) {
		/* Hold it, and everything after it, until the ring drains. */
		ring->held = req;
		ring->held_desc = *d;
		return;
	}
	blkback_start(req, d);
}

/*
 * Take up to BATCH requests.  Returns how many were taken; *more says
 * whether some are left.  A request whose pages do not fit in what is
 * left of the ring's budget is not taken: ring->starved is set, and the
 * thread looks again when a completion gives pages back.  The decision
 * is made on our private copy of the slot, the same copy that is then
 * served, so a frontend rewriting the slot meanwhile changes nothing.
 */
static unsigned int take_requests(struct blkback_ring *ring, bool *more)
{
	u8 raw[MAX_SLOT_SIZE];
	struct blkback_desc d;
	unsigned int n = 0;
	RING_IDX prod, rsp;

	*more = false;
	ring->starved = false;
	/*
	 * Answered requests still count against the budget and the
	 * barrier's drain until they are taken back: do that first.
	 */
	if (done_pending(ring))
		recycle_completed(ring);
	while (!ring->broken && !ring->held) {
		prod = READ_ONCE(sring(ring)->req_prod);
		virt_rmb();	/* the requests before the index says so */
		rsp = READ_ONCE(ring->rsp_prod_pvt);
		if (!blkback_req_prod_valid(prod, ring->req_cons, rsp,
					    ring->nr_entries)) {
			blkback_ring_fail(ring,
					  "req_prod %u, after req_cons %u and responses %u, the ring holds %u",
					  prod, ring->req_cons, rsp,
					  ring->nr_entries);
			break;
		}
		while (ring->req_cons != prod && !ring->held) {
			if (n == BATCH) {
				*more = true;
				return n;
			}
			memcpy(raw, slot(ring, ring->req_cons),
			       ring->abi->slot_size);
			blkback_decode(ring->abi, raw, &d);
			if (!blkback_pages_fit(ring->committed,
					       pages_needed(&d),
					       ring->budget)) {
				ring->starved = true;
				ring->st_starved++;
				return n;
			}
			ring->req_cons++;
			n++;
			handle_request(ring, &d);
		}
		if (ring->held)
			break;
		/* Empty: ask for an event at the next one, then look again. */
		WRITE_ONCE(sring(ring)->req_event, ring->req_cons + 1);
		virt_mb();	/* req_event before the second look at req_prod */
		if (READ_ONCE(sring(ring)->req_prod) == ring->req_cons)
			break;
	}
	return n;
}

/* ---- The thread --------------------------------------------------------- */

static irqreturn_t ring_interrupt(int irq, void *arg)
{
	struct blkback_ring *ring = arg;

	set_bit(BLKBACK_RING_EOI, &ring->flags);
	set_bit(BLKBACK_RING_KICKED, &ring->flags);
	wake_up(&ring->wq);
	return IRQ_HANDLED;
}

static bool thread_has_work(struct blkback_ring *ring)
{
	return kthread_should_stop() ||
	       test_bit(BLKBACK_RING_KICKED, &ring->flags) ||
	       answers_pending(ring) ||
	       (READ_ONCE(ring->want_done) && done_pending(ring));
}

/* Let the next event in, later if the events come without work. */
static void end_of_event(struct blkback_ring *ring, unsigned int taken)
{
	if (!test_and_clear_bit(BLKBACK_RING_EOI, &ring->flags))
		return;
	if (taken) {
		ring->spurious = 0;
	} else if (++ring->spurious >= STORM_EVENTS) {
		if (ring->spurious == STORM_EVENTS)
			blkback_ring_log(ring, KERN_WARNING,
					 "ring %u: events without requests; slowing down\n",
					 ring->index);
		/* The channel stays masked; completions answer meanwhile. */
		wait_event_interruptible_timeout(ring->wq,
						 kthread_should_stop() ||
						 answers_pending(ring) ||
						 (READ_ONCE(ring->want_done) &&
						  done_pending(ring)),
						 STORM_DELAY);
	}
	xen_irq_lateeoi(ring->irq, 0);
}

static void housekeeping(struct blkback_ring *ring)
{
	if (ring->index == 0)
		blkback_disk_check_size(ring->disk);
	if (time_before(jiffies, ring->next_purge))
		return;
	ring->next_purge = jiffies + PURGE_INTERVAL;
	blkback_pgrants_purge(&ring->pgrants,
			      READ_ONCE(blkback_pgrant_timeout) * HZ);
	if (READ_ONCE(blkback_log_stats))
		dev_info(ring_dev(ring),
			 "ring %u: reads %lu writes %lu flushes %lu discards %lu, errors %lu, refused %lu, waits for pages %lu, persistent grants %u\n",
			 ring->index, ring->st_reads, ring->st_writes,
			 ring->st_flushes, ring->st_discards, ring->st_errors,
			 ring->st_bad, ring->st_starved, ring->pgrants.nr);
}

static int ring_thread(void *arg)
{
	struct blkback_ring *ring = arg;
	unsigned int taken = 0, n;
	bool more, freed;

	while (!kthread_should_stop()) {
		/*
		 * Only a ring waiting for pages, or for a drain before a
		 * barrier, needs to hear of completions; otherwise what
		 * they hold is taken back when the frontend next signals.
		 */
		want_completions(ring, ring->starved || ring->held);
		wait_event_interruptible_timeout(ring->wq,
						 thread_has_work(ring),
						 HOUSEKEEPING);
		/*
		 * Completions give pages back, and they are taken back
		 * here, by this thread: a ring waiting for pages looks at
		 * its requests again after each batch of them, so no
		 * wakeup can be lost between the two.
		 */
		freed = answer_deferred(ring);
		freed |= recycle_completed(ring);
		if (freed && ring->starved)
			set_bit(BLKBACK_RING_KICKED, &ring->flags);
		if (ring->held && ring->in_flight == 1) {
			struct blkback_req *req = ring->held;

			ring->held = NULL;
			blkback_start(req, &ring->held_desc);
			set_bit(BLKBACK_RING_KICKED, &ring->flags);
		}
		more = false;
		if (test_and_clear_bit(BLKBACK_RING_KICKED, &ring->flags)) {
			n = take_requests(ring, &more);
			taken += n;
			if (more)
				set_bit(BLKBACK_RING_KICKED, &ring->flags);
		}
		/*
		 * A starved ring keeps its channel masked (no EOI): events
		 * would only wake us to find the same request still too
		 * big, and the frontend's next requests wait anyway.
		 */
		if (!more && !ring->starved) {
			end_of_event(ring, taken);
			taken = 0;
		}
		housekeeping(ring);
		cond_resched();
	}

	/* Going away: a held barrier fails, the rest complete. */
	if (ring->held) {
		blkback_answer(ring->held, BLKIF_RSP_ERROR);
		ring->held = NULL;
	}
	want_completions(ring, true);
	while (ring->in_flight) {
		wait_event(ring->wq,
			   done_pending(ring) || answers_pending(ring));
		answer_deferred(ring);
		recycle_completed(ring);
	}
	return 0;
}

/* ---- Setting up and tearing down ---------------------------------------- */

static void free_ring(struct blkback_ring *ring)
{
	unsigned int i;

	blkback_pgrants_destroy(&ring->pgrants);
	/* The thread answered every request it took: all pages are back. */
	WARN_ON_ONCE(ring->pages_out || ring->committed);
	for (i = 0; i < ring->nr_buffers; i++)
		__free_page(ring->buffers[i]);
	ring->nr_buffers = 0;
	kvfree(ring->buffers);
	ring->buffers = NULL;
	for (i = 0; i < ARRAY_SIZE(ring->indirect_pages); i++) {
		if (ring->indirect_pages[i])
			__free_page(ring->indirect_pages[i]);
		ring->indirect_pages[i] = NULL;
	}
	kvfree(ring->seg_scratch);
	ring->seg_scratch = NULL;
	kvfree(ring->copy_ops);
	ring->copy_ops = NULL;
	kvfree(ring->reqs);
	ring->reqs = NULL;
	if (ring->sring)
		xenbus_unmap_ring_vfree(ring->disk->dev, ring->sring);
	ring->sring = NULL;
}

static int alloc_ring(struct blkback_ring *ring)
{
	unsigned int max_segs = max_t(unsigned int,
				      ring->disk->limits.max_indirect_segs,
				      BLKIF_MAX_SEGMENTS_PER_REQUEST);
	unsigned int i, pages;

	ring->reqs = kvcalloc(ring->nr_entries, sizeof(*ring->reqs),
			      GFP_KERNEL);
	ring->copy_ops = kvmalloc_array(max_segs, sizeof(*ring->copy_ops),
					GFP_KERNEL);
	ring->seg_scratch = kvmalloc_array(max_segs,
					   sizeof(*ring->seg_scratch),
					   GFP_KERNEL);
	ring->budget = blkback_page_budget(READ_ONCE(blkback_max_buffer_pages),
					   ring->nr_entries, max_segs);
	ring->buffers = kvcalloc(ring->budget, sizeof(*ring->buffers),
				 GFP_KERNEL);
	if (!ring->reqs || !ring->copy_ops || !ring->seg_scratch ||
	    !ring->buffers)
		return -ENOMEM;
	pages = DIV_ROUND_UP(ring->disk->limits.max_indirect_segs,
			     BLKBACK_SEGS_PER_INDIRECT_PAGE);
	for (i = 0; i < pages; i++) {
		ring->indirect_pages[i] = alloc_page(GFP_KERNEL);
		if (!ring->indirect_pages[i])
			return -ENOMEM;
	}

	INIT_LIST_HEAD(&ring->free);
	for (i = 0; i < ring->nr_entries; i++) {
		ring->reqs[i].ring = ring;
		ring->reqs[i].segs = ring->reqs[i].inline_segs;
		list_add_tail(&ring->reqs[i].list, &ring->free);
	}
	return blkback_pgrants_init(&ring->pgrants, ring->disk->persistent ?
				    blkback_max_pgrants : 0);
}

int blkback_ring_connect(struct blkback_ring *ring, const grant_ref_t *grefs,
			 unsigned int nr_grefs, evtchn_port_t port)
{
	struct blkback_disk *disk = ring->disk;
	struct xenbus_device *dev = disk->dev;
	int rc;

	BUILD_BUG_ON(sizeof(union blkif_sring_entry) > MAX_SLOT_SIZE);
	ring->nr_entries = blkback_ring_entries(ring->abi,
						nr_grefs * XEN_PAGE_SIZE);
	ring->req_cons = 0;
	ring->rsp_prod_pvt = 0;
	ring->broken = false;
	ring->flags = 0;
	ring->spurious = 0;
	ring->in_flight = 0;
	ring->held = NULL;
	ring->committed = 0;
	ring->pages_out = 0;
	ring->starved = false;
	ring->irq = -1;
	ring->next_purge = jiffies + PURGE_INTERVAL;
	init_waitqueue_head(&ring->wq);
	ring->want_done = false;
	spin_lock_init(&ring->lock);
	INIT_LIST_HEAD(&ring->done);
	INIT_LIST_HEAD(&ring->to_answer);

	rc = xenbus_map_ring_valloc(dev, grefs, nr_grefs, &ring->sring);
	if (rc)
		return rc;
	rc = alloc_ring(ring);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "allocating ring %u", ring->index);
		goto fail;
	}

	/*
	 * The channel first, and its IRQ number known before the thread
	 * starts: the thread and the completions it causes use it to EOI
	 * and to notify, and Xen raises a freshly bound port at once (for
	 * what the frontend sent before), so the handler may run here
	 * already.  It only sets bits and wakes a queue nobody waits on.
	 */
	rc = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev->otherend_id,
							   port, ring_interrupt,
							   0, disk->name, ring);
	if (rc < 0) {
		xenbus_dev_fatal(dev, rc, "binding event channel %u of domain %d",
				 port, dev->otherend_id);
		goto fail;
	}
	ring->irq = rc;
	ring->task = kthread_run(ring_thread, ring, "blkback.%s-%u",
				 disk->name, ring->index);
	if (IS_ERR(ring->task)) {
		rc = PTR_ERR(ring->task);
		ring->task = NULL;
		xenbus_dev_fatal(dev, rc, "starting the thread of ring %u",
				 ring->index);
		unbind_from_irqhandler(ring->irq, ring);
		ring->irq = -1;
		goto fail;
	}
	/* Requests may be waiting already. */
	set_bit(BLKBACK_RING_KICKED, &ring->flags);
	wake_up(&ring->wq);
	return 0;

fail:
	free_ring(ring);
	return rc;
}

void blkback_ring_disconnect(struct blkback_ring *ring)
{
	/* The thread drains what is in flight and answers it before it ends. */
	if (ring->task)
		kthread_stop(ring->task);
	ring->task = NULL;
	if (ring->irq >= 0)
		unbind_from_irqhandler(ring->irq, ring);
	ring->irq = -1;
	free_ring(ring);
}
