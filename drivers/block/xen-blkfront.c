// SPDX-License-Identifier: GPL-2.0
/*
 * blkfront: the guest half of a Xen virtual block device (xvda, xvdb, ...).
 *
 * The backend (blkback or qemu in the driver domain) owns the real storage.
 * We talk to it over one or more shared rings of struct blkif_request /
 * blkif_response (xen/interface/io/blkif.h), one page or a few each, plus
 * an event channel per ring for "look at the ring".  A read or write names
 * its data pages by grant reference.
 *
 * A request carries up to 11 segments (one page piece each) in the ring
 * slot itself.  If the backend offers "feature-max-indirect-segments",
 * bigger requests put their segment list in separate granted pages
 * ("indirect" pages) and the slot names those.
 *
 * We never grant the backend a page of the kernel's: each ring owns a
 * pool of pages and the data travels through them (a write's copied in
 * before the request goes out, a read's copied out once it is
 * answered).  The pool starts small and grows with the I/O the ring
 * carries, up to enough for every slot to carry its biggest request
 * (see setup_pool()).  A backend can be buggy or hostile, and Xen gives
 * no way to take a grant back from a domain that keeps it mapped; if
 * the pages were the bio's, such a backend could go on reading or
 * writing memory the kernel has long reused.  A pool page it will not
 * let go of is simply given up: the grant table frees it once the
 * backend unmaps it, and the request completes with an error like any
 * other.
 *
 * With "feature-persistent" on both sides a pool page is granted the
 * first time it carries data and stays granted for the life of the
 * ring, and the backend maps each one once and keeps it: the copy we
 * pay anyway saves it a map, an unmap and a TLB flush per page.
 * Otherwise each request grants the pool pages it uses and revokes them
 * when it is answered.  A backend we are told not to trust (the
 * "trusted" parameter, or trusted=0 in our store directory, which a
 * toolstack writes for a driver domain) gets no persistent grants:
 * between requests it holds nothing of ours.
 *
 * The handshake, in store nodes (ours under device/vbd/<id>, the
 * backend's under its "backend" path):
 *  - backend InitWait: its features that shape the rings are readable
 *    (multi-queue-max-queues, max-ring-page-order); we set up rings and
 *    event channels, publish ring-ref*, event-channel*, protocol, and go
 *    Initialised.
 *  - backend Connected: the disk's size and features are readable
 *    (sectors, sector-size, info, feature-flush-cache, feature-discard,
 *    ...); we create the disk and go Connected.  A later Connected with a
 *    new "sectors" is an online resize.
 *  - backend Closing/Closed: we fail what is outstanding, remove the disk
 *    and go Closed.
 *
 * The backend is another domain and may be buggy or hostile: every
 * response is copied out of the shared ring before use and checked (ring
 * indices, request id, operation).  A backend that breaks the protocol
 * or keeps a grant it should have let go of stops the device: what is
 * in flight fails, and the disk goes when the backend or the toolstack
 * closes it.  Nothing we do on its behalf waits for it to behave.
 */

#define pr_fmt(fmt) "blkfront: " fmt

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hdreg.h>
#include <linux/interrupt.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/ring.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>
#include <asm/xen/page.h>

/* ---- Module parameters (the names users of Linux-on-Xen know) ---------- */

static unsigned int xen_blkif_max_segments = 32;
module_param_named(max_indirect_segments, xen_blkif_max_segments, uint, 0444);
MODULE_PARM_DESC(max_indirect_segments,
		 "Maximum segments per request with indirect descriptors (default 32)");

static unsigned int xen_blkif_max_queues = 4;
module_param_named(max_queues, xen_blkif_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues,
		 "Maximum rings (hardware queues) per device (default 4)");

static bool xen_blkif_feature_persistent = true;
module_param_named(feature_persistent, xen_blkif_feature_persistent, bool,
		   0644);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants to backends connecting from now on (default on)");

static bool xen_blkif_trusted = true;
module_param_named(trusted, xen_blkif_trusted, bool, 0644);
MODULE_PARM_DESC(trusted,
		 "Trust backends connecting from now on with persistent grants (default on)");

#define BLKFRONT_MAX_RING_ORDER	4
static unsigned int xen_blkif_max_ring_order;
module_param_named(max_ring_page_order, xen_blkif_max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Maximum order of pages for each shared ring (default 0)");

/* ---- Sizes from the protocol ------------------------------------------- */

/* Segment descriptors per indirect page. */
#define SEGS_PER_INDIRECT_PAGE \
	(XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Never ask for more than the slot can name in indirect pages. */
#define MAX_INDIRECT_SEGMENTS \
	(SEGS_PER_INDIRECT_PAGE * BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)

/*
 * A ring's pool of data pages (setup_pool()): pages made when the
 * backend connects, how many more at a time when it runs dry, and the
 * most it may have: a one-page ring's 32 biggest requests, or a 64th
 * of the guest's memory if that is less.
 */
#define POOL_START_PAGES	64U
#define POOL_GROW_PAGES		16U
#define POOL_MAX_PAGES		1056U

/*
 * The most segments a request of ours can have (the parameter, within
 * what the protocol allows), and the indirect pages that takes: every
 * ring slot can carry one.
 */
static unsigned int seg_cap, indirect_pages;

#define XVD_MAJOR		202
#define PARTS_PER_DISK		16
#define PARTS_PER_EXT_DISK	256
#define EXTENDED_VDEV		(1 << 28)

/* ---- Structures -------------------------------------------------------- */

/*
 * A page of a ring's pool.  On a persistent ring it is granted from its
 * first request for as long as the ring lives; otherwise @ref is only
 * valid while a request uses the page.
 */
struct blkfront_pgrant {
	struct list_head node;		/* on the ring's free list when idle */
	struct page *page;		/* NULL once given up to the backend */
	grant_ref_t ref;
};

/* What we remember about a request while the backend has it. */
struct blkfront_shadow {
	struct request *rq;
	/* Its pool pages: data segments first, then indirect pages. */
	struct blkfront_pgrant **pg;
	unsigned int nr_pg, nr_data;
	u8 op;
};

/* Per request, in the request's blk-mq payload. */
struct blkfront_rq {
	blk_status_t status;
	struct scatterlist *sg;		/* max_segs entries, allocated once */
};

struct blkfront_info;

struct blkfront_ring {
	struct blkfront_info *info;
	struct blkif_front_ring ring;
	void *sring;
	grant_ref_t ring_ref[1 << BLKFRONT_MAX_RING_ORDER];
	evtchn_port_t evtchn;
	int irq;
	spinlock_t lock;
	struct blkfront_shadow *shadow;	/* ring_size slots, indexed by tag */
	struct blkfront_pgrant *pool;	/* set up when the backend connects */
	unsigned int pool_size;		/* entries used (given up ones too) */
	unsigned int pool_cap;		/* entries of @pool */
	/*
	 * Free pages that served a request before: on a persistent ring
	 * these are the granted ones, taken first.  pool_fresh: never
	 * granted yet.
	 */
	struct list_head pool_free;
	struct list_head pool_fresh;
	char name[24];
};

enum blkfront_state {
	BLKFRONT_DISCONNECTED,
	BLKFRONT_CONNECTED,
	BLKFRONT_RECONNECTING,	/* restored: I/O waits for the new backend */
	BLKFRONT_BROKEN,	/* the backend misbehaved: no more I/O */
};

struct blkfront_info {
	struct xenbus_device *xbdev;
	struct mutex mutex;		/* connect/disconnect */
	enum blkfront_state state;
	unsigned int vdevice;		/* virtual-device, for naming */
	blkif_vdev_t handle;		/* our id, in every request */

	unsigned int nr_rings;
	unsigned int ring_order;
	unsigned int ring_size;		/* slots per ring */
	struct blkfront_ring *rings;

	/* The disk, once the backend connected. */
	struct gendisk *gd;
	struct blk_mq_tag_set tag_set;
	bool tag_set_ready;
	unsigned int first_minor, nr_minors;
	u64 sectors;
	unsigned int max_segs;		/* per request: 11, or indirect */
	bool flush, barrier, discard, secure_discard;
	bool trusted;			/* persistent grants may be offered */
	bool adding;			/* in device_add_disk() */
	bool offered_persistent;	/* what we published */
	bool persistent;		/* and the backend agreed */
	struct work_struct stop_work;	/* fails what a stopped device has */
};

static DEFINE_MUTEX(minors_lock);
static LIST_HEAD(minors_used);
struct minor_range {
	struct list_head list;
	unsigned int first, nr;
};

/* ---- Minors: two disks must never share one --------------------------- */

static int reserve_minors(unsigned int first, unsigned int nr)
{
	struct minor_range *r;
	int rc = 0;

	mutex_lock(&minors_lock);
	list_for_each_entry(r, &minors_used, list) {
		if (first < r->first + r->nr && r->first < first + nr) {
			rc = -EBUSY;
			goto out;
		}
	}
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		rc = -ENOMEM;
		goto out;
	}
	r->first = first;
	r->nr = nr;
	list_add(&r->list, &minors_used);
out:
	mutex_unlock(&minors_lock);
	return rc;
}

static void release_minors(unsigned int first)
{
	struct minor_range *r;

	mutex_lock(&minors_lock);
	list_for_each_entry(r, &minors_used, list) {
		if (r->first == first) {
			list_del(&r->list);
			kfree(r);
			break;
		}
	}
	mutex_unlock(&minors_lock);
}

/* xvda .. xvdz, xvdaa .. xvdzz, ...: the sd naming scheme. */
static void disk_name(char *buf, size_t size, unsigned int index)
{
	char letters[8];
	int i = sizeof(letters) - 1;

	letters[i] = '\0';
	do {
		letters[--i] = 'a' + index % 26;
		index = index / 26;
	} while (index-- && i > 0);
	snprintf(buf, size, "xvd%s", &letters[i]);
}

/*
 * virtual-device is 202 << 8 | minor for xvda..xvdp (16 minors per
 * disk), or 1 << 28 | disk << 8 | partition for any number of disks.
 */
static int vdevice_to_minors(unsigned int vdevice, unsigned int *first,
			     unsigned int *nr, unsigned int *index)
{
	if (vdevice & EXTENDED_VDEV) {
		*index = (vdevice & ~EXTENDED_VDEV) >> 8;
		*first = *index * PARTS_PER_EXT_DISK;
		*nr = PARTS_PER_EXT_DISK;
	} else if ((vdevice >> 8) == XVD_MAJOR) {
		*first = vdevice & 0xff;
		*index = *first / PARTS_PER_DISK;
		*nr = PARTS_PER_DISK;
	} else {
		return -EINVAL;
	}
	if (*first % *nr || *first + *nr > MINORMASK + 1)
		return -EINVAL;	/* a partition, or out of range */
	return 0;
}

/* ---- Talking to the backend over the ring ------------------------------ */

static void kick(struct blkfront_ring *r)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->ring, notify);
	if (notify)
		notify_remote_via_irq(r->irq);
}

/*
 * The head of a read or write request, the same with or without
 * indirect pages: everything but the segments.
 */
static void fill_rw_head(struct blkfront_info *info, struct request *rq,
			 struct blkif_request *slot, unsigned int nsegs,
			 unsigned int nind)
{
	u8 op = rq_data_dir(rq) == WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;

	slot->id = rq->tag;
	slot->sector_number = blk_rq_pos(rq);
	if (nind) {
		struct blkif_request_indirect *ind = (void *)slot;

		ind->operation = BLKIF_OP_INDIRECT;
		ind->indirect_op = op;
		ind->nr_segments = nsegs;
		ind->handle = info->handle;
	} else {
		slot->operation = op;
		slot->nr_segments = nsegs;
		slot->handle = info->handle;
	}
}

static unsigned int grow_pool(struct blkfront_ring *r, unsigned int n,
			      gfp_t gfp);

/*
 * A free pool page: one that served before (on a persistent ring, one
 * granted already), else a fresh one, else the pool grows by a few.
 * The growth takes no memory reserves: this may run for the writeback
 * that reclaim started, and a page we take stays in the pool.  Ring
 * lock held.
 */
static struct blkfront_pgrant *pool_get_page(struct blkfront_ring *r)
{
	struct blkfront_pgrant *pg;

	pg = list_first_entry_or_null(&r->pool_free, struct blkfront_pgrant,
				      node);
	if (!pg && list_empty(&r->pool_fresh))
		grow_pool(r, POOL_GROW_PAGES,
			  GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC);
	if (!pg)
		pg = list_first_entry_or_null(&r->pool_fresh,
					      struct blkfront_pgrant, node);
	if (pg)
		list_del(&pg->node);
	return pg;
}

/* A page back to the pool: with the pages that served, or the fresh ones. */
static void pool_put_page(struct blkfront_ring *r, struct blkfront_pgrant *pg,
			  bool served)
{
	list_add(&pg->node, served ? &r->pool_free : &r->pool_fresh);
}

/* Grant @pg to the backend for the life of the ring; 0 or -ENOSPC. */
static int grant_for_good(struct blkfront_ring *r, struct blkfront_pgrant *pg)
{
	int ref = gnttab_grant_foreign_access(r->info->xbdev->otherend_id,
					      xen_page_to_gfn(pg->page), 0);

	if (ref < 0)
		return -ENOSPC;
	pg->ref = ref;
	return 0;
}

/*
 * Take @n pool pages for a request and grant what needs it: on a ring
 * without persistent grants each page, writable only where the backend
 * must fill it (a read's data); on a persistent ring a page that never
 * carried data yet, writable, for good.  If the pool cannot grow (no
 * memory to spare now, or the backend kept pages) or the grant table
 * is full, nothing is taken and the caller retries later.  Ring lock
 * held.
 */
static int take_pgrants(struct blkfront_ring *r, struct blkfront_shadow *sh,
			unsigned int n, unsigned int nr_data, bool write)
{
	domid_t backend = r->info->xbdev->otherend_id;
	struct blkfront_pgrant *pg;
	grant_ref_t head;
	unsigned int i;

	if (!r->info->persistent && gnttab_alloc_grant_references(n, &head))
		return -ENOSPC;
	for (sh->nr_pg = 0; sh->nr_pg < n; sh->nr_pg++) {
		pg = pool_get_page(r);
		if (!pg)
			goto short_of_pages;
		sh->pg[sh->nr_pg] = pg;
		if (r->info->persistent && pg->ref == INVALID_GRANT_REF &&
		    grant_for_good(r, pg)) {
			sh->nr_pg++;
			goto short_of_pages;
		}
	}
	for (i = 0; !r->info->persistent && i < n; i++) {
		pg = sh->pg[i];
		pg->ref = gnttab_claim_grant_reference(&head);
		gnttab_grant_foreign_access_ref(pg->ref, backend,
						xen_page_to_gfn(pg->page),
						i >= nr_data || write);
	}
	return 0;

short_of_pages:
	/* Back they go; a persistent grant stays, for the next request. */
	for (i = 0; i < sh->nr_pg; i++)
		pool_put_page(r, sh->pg[i],
			      sh->pg[i]->ref != INVALID_GRANT_REF);
	sh->nr_pg = 0;
	if (!r->info->persistent)
		gnttab_free_grant_references(head);
	return -ENOSPC;
}

/*
 * Fill in a read or write: the data travels in pool pages, at the offset
 * it has in its own page (so the sector numbers of a segment are the
 * same as the bio's).  A write's data is copied in now.  Indirect pages
 * come from the pool too.  Ring lock held.
 */
static int fill_rw(struct blkfront_ring *r, struct request *rq,
		   struct blkif_request *slot, struct blkfront_shadow *sh)
{
	struct blkfront_rq *brq = blk_mq_rq_to_pdu(rq);
	bool write = rq_data_dir(rq) == WRITE;
	struct blkif_request_segment *seg = NULL;
	struct blkfront_pgrant *pg;
	unsigned int nsegs, nind, i;
	struct scatterlist *sg;
	void *src;

	nsegs = blk_rq_map_sg(rq->q, rq, brq->sg);
	nind = nsegs > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		DIV_ROUND_UP(nsegs, SEGS_PER_INDIRECT_PAGE) : 0;
	if (take_pgrants(r, sh, nsegs + nind, nsegs, write))
		return -ENOSPC;

	fill_rw_head(r->info, rq, slot, nsegs, nind);
	for (i = 0; i < nind; i++)
		((struct blkif_request_indirect *)slot)->indirect_grefs[i] =
			sh->pg[nsegs + i]->ref;

	for_each_sg(brq->sg, sg, nsegs, i) {
		struct blkif_request_segment s;

		pg = sh->pg[i];
		if (write) {
			src = kmap_local_page(sg_page(sg));
			memcpy(page_address(pg->page) + sg->offset,
			       src + sg->offset, sg->length);
			kunmap_local(src);
		}
		s.gref = pg->ref;
		s.first_sect = sg->offset >> SECTOR_SHIFT;
		s.last_sect = (sg->offset + sg->length - 1) >> SECTOR_SHIFT;
		if (nind) {
			if (i % SEGS_PER_INDIRECT_PAGE == 0)
				seg = page_address(sh->pg[nsegs +
					i / SEGS_PER_INDIRECT_PAGE]->page);
			seg[i % SEGS_PER_INDIRECT_PAGE] = s;
		} else {
			slot->seg[i] = s;
		}
	}
	sh->nr_data = nsegs;
	sh->op = nind ? BLKIF_OP_INDIRECT : slot->operation;
	return 0;
}

/* A read is answered and its pages are ours again: its data out. */
static void copy_out_pgrants(struct blkfront_shadow *sh)
{
	struct blkfront_rq *brq = blk_mq_rq_to_pdu(sh->rq);
	struct scatterlist *sg;
	unsigned int i;
	void *dst;

	for_each_sg(brq->sg, sg, sh->nr_data, i) {
		dst = kmap_local_page(sg_page(sg));
		memcpy(dst + sg->offset,
		       page_address(sh->pg[i]->page) + sg->offset,
		       sg->length);
		kunmap_local(dst);
	}
}

static void fill_discard(struct blkfront_info *info, struct request *rq,
			 struct blkif_request *slot, struct blkfront_shadow *sh)
{
	struct blkif_request_discard *d = (void *)slot;

	d->operation = BLKIF_OP_DISCARD;
	d->flag = req_op(rq) == REQ_OP_SECURE_ERASE ? BLKIF_DISCARD_SECURE : 0;
	d->handle = info->handle;
	d->id = rq->tag;
	d->sector_number = blk_rq_pos(rq);
	d->nr_sectors = blk_rq_sectors(rq);
	sh->nr_pg = 0;
	sh->nr_data = 0;
	sh->op = BLKIF_OP_DISCARD;
}

static void fill_flush(struct blkfront_info *info, struct request *rq,
		       struct blkif_request *slot, struct blkfront_shadow *sh)
{
	slot->operation = info->flush ? BLKIF_OP_FLUSH_DISKCACHE :
					BLKIF_OP_WRITE_BARRIER;
	slot->nr_segments = 0;
	slot->handle = info->handle;
	slot->id = rq->tag;
	slot->sector_number = 0;
	sh->nr_pg = 0;
	sh->nr_data = 0;
	sh->op = slot->operation;
}

static blk_status_t blkfront_queue_rq(struct blk_mq_hw_ctx *hctx,
				      const struct blk_mq_queue_data *qd)
{
	struct blkfront_info *info = hctx->queue->queuedata;
	struct blkfront_ring *r = hctx->driver_data;
	struct request *rq = qd->rq;
	struct blkfront_shadow *sh;
	struct blkif_request *slot;
	unsigned long flags;

	blk_mq_start_request(rq);
	/*
	 * The state changes to anything but "stopped" only while the queue
	 * is quiesced, and a ring may be gone (a restore frees them) unless
	 * we are connected: look before touching the ring.
	 */
	switch (READ_ONCE(info->state)) {
	case BLKFRONT_CONNECTED:
		break;
	case BLKFRONT_RECONNECTING:
		blk_mq_stop_hw_queue(hctx);
		return BLK_STS_DEV_RESOURCE;
	default:
		return BLK_STS_IOERR;
	}
	spin_lock_irqsave(&r->lock, flags);
	if (info->state != BLKFRONT_CONNECTED) {
		spin_unlock_irqrestore(&r->lock, flags);
		return BLK_STS_IOERR;
	}
	sh = &r->shadow[rq->tag];
	/* Tags never outnumber the slots, so the ring cannot be full. */
	if (WARN_ON_ONCE(RING_FULL(&r->ring) || sh->rq)) {
		spin_unlock_irqrestore(&r->lock, flags);
		return BLK_STS_DEV_RESOURCE;
	}
	slot = RING_GET_REQUEST(&r->ring, r->ring.req_prod_pvt);

	switch (req_op(rq)) {
	case REQ_OP_FLUSH:
		fill_flush(info, rq, slot, sh);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_SECURE_ERASE:
		fill_discard(info, rq, slot, sh);
		break;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		if (fill_rw(r, rq, slot, sh)) {
			/*
			 * Out of grant references, or the pool is at its
			 * most and busy, or cannot grow now: retry when a
			 * request is answered (blk-mq reruns the queue
			 * then) or a little later.
			 */
			spin_unlock_irqrestore(&r->lock, flags);
			blk_mq_delay_run_hw_queue(hctx, 10);
			return BLK_STS_DEV_RESOURCE;
		}
		break;
	default:
		spin_unlock_irqrestore(&r->lock, flags);
		return BLK_STS_NOTSUPP;
	}
	sh->rq = rq;
	r->ring.req_prod_pvt++;
	if (qd->last)
		kick(r);
	spin_unlock_irqrestore(&r->lock, flags);
	return BLK_STS_OK;
}

static void blkfront_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct blkfront_info *info = hctx->queue->queuedata;
	struct blkfront_ring *r = hctx->driver_data;
	unsigned long flags;

	if (READ_ONCE(info->state) != BLKFRONT_CONNECTED)
		return;
	spin_lock_irqsave(&r->lock, flags);
	kick(r);
	spin_unlock_irqrestore(&r->lock, flags);
}

static void blkfront_complete_rq(struct request *rq)
{
	blk_mq_end_request(rq, ((struct blkfront_rq *)blk_mq_rq_to_pdu(rq))->status);
}

static int blkfront_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			      unsigned int index)
{
	struct blkfront_info *info = data;

	hctx->driver_data = &info->rings[index];
	return 0;
}

static int blkfront_init_rq(struct blk_mq_tag_set *set, struct request *rq,
			    unsigned int hctx_idx, unsigned int numa_node)
{
	struct blkfront_info *info = set->driver_data;
	struct blkfront_rq *brq = blk_mq_rq_to_pdu(rq);

	brq->sg = kcalloc_node(info->max_segs, sizeof(*brq->sg), GFP_KERNEL,
			       numa_node);
	if (!brq->sg)
		return -ENOMEM;
	sg_init_table(brq->sg, info->max_segs);
	return 0;
}

static void blkfront_exit_rq(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx)
{
	kfree(((struct blkfront_rq *)blk_mq_rq_to_pdu(rq))->sg);
}

/* ---- Responses --------------------------------------------------------- */

/*
 * The backend broke the protocol: no more I/O, and what it has in flight
 * fails now (stop_work) rather than when it deigns to close.  Any ring
 * lock may be held.
 */
static void stop_device(struct blkfront_info *info, const char *why)
{
	/* Only a connected device stops: never undo a disconnect. */
	if (cmpxchg(&info->state, BLKFRONT_CONNECTED, BLKFRONT_BROKEN) !=
	    BLKFRONT_CONNECTED)
		return;
	dev_err_ratelimited(&info->xbdev->dev, "%s: device stopped\n", why);
	schedule_work(&info->stop_work);
}

/*
 * A request is over: its pool pages go back to the pool, a read's data
 * copied out of them first when @copy.  On a ring without persistent
 * grants each grant is revoked first; a page the backend still maps is
 * given up (freed by the grant table once the backend unmaps it, never
 * used by us again) and the request's data does not count.  False if
 * that happened.  Ring lock held.
 */
static bool release_pgrants(struct blkfront_ring *r,
			    struct blkfront_shadow *sh, bool copy)
{
	bool persistent = r->info->persistent, all_back = true;
	struct blkfront_pgrant *pg;
	unsigned int i;

	for (i = 0; !persistent && i < sh->nr_pg; i++) {
		pg = sh->pg[i];
		if (gnttab_try_end_foreign_access(pg->ref))
			pg->ref = INVALID_GRANT_REF;
		else
			all_back = false;
	}
	if (copy && all_back)
		copy_out_pgrants(sh);
	for (i = 0; i < sh->nr_pg; i++) {
		pg = sh->pg[i];
		if (!persistent && pg->ref != INVALID_GRANT_REF) {
			dev_err_ratelimited(&r->info->xbdev->dev,
					    "backend still maps grant %u: its page is given up\n",
					    pg->ref);
			gnttab_end_foreign_access(pg->ref, pg->page);
			pg->page = NULL;
			pg->ref = INVALID_GRANT_REF;
			continue;
		}
		pool_put_page(r, pg, true);
	}
	sh->nr_pg = 0;
	return all_back;
}

/* Complete the request of @sh with @status; ring lock held. */
static void finish_request(struct blkfront_shadow *sh, blk_status_t status)
{
	((struct blkfront_rq *)blk_mq_rq_to_pdu(sh->rq))->status = status;
	blk_mq_complete_request(sh->rq);
	sh->rq = NULL;
}

static blk_status_t rsp_status(struct blkfront_info *info,
			       const struct blkif_response *rsp)
{
	if (likely(rsp->status == BLKIF_RSP_OKAY))
		return BLK_STS_OK;
	if (rsp->status != BLKIF_RSP_EOPNOTSUPP)
		return BLK_STS_IOERR;
	/* The backend gave up a feature: stop using it. */
	switch (rsp->operation) {
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		dev_warn(&info->xbdev->dev, "backend dropped cache flushes\n");
		info->flush = info->barrier = false;
		if (info->gd)
			blk_queue_write_cache(info->gd->queue, false, false);
		break;
	case BLKIF_OP_DISCARD:
		dev_warn(&info->xbdev->dev, "backend dropped discard\n");
		info->discard = info->secure_discard = false;
		if (info->gd) {
			blk_queue_max_discard_sectors(info->gd->queue, 0);
			blk_queue_max_secure_erase_sectors(info->gd->queue, 0);
		}
		break;
	}
	return BLK_STS_NOTSUPP;
}

/*
 * Handle every response there is; ring lock held.  Returns how many: none
 * means the event that brought us here was spurious.
 */
static unsigned int drain_responses(struct blkfront_ring *r)
{
	struct blkfront_info *info = r->info;
	struct blkif_response rsp;
	struct blkfront_shadow *sh;
	unsigned int handled = 0;
	blk_status_t status;
	RING_IDX i, prod;
	int more, slot;

	do {
		prod = READ_ONCE(r->ring.sring->rsp_prod);
		virt_rmb();	/* the responses up to prod, after prod */
		if (!XEN_FRONT_RING_RSP_PROD_VALID(&r->ring, prod)) {
			stop_device(info, "backend produced responses to no request");
			return handled;
		}
		for (i = r->ring.rsp_cons; i != prod; i++) {
			RING_COPY_RESPONSE(&r->ring, i, &rsp);
			r->ring.rsp_cons = i + 1;
			handled++;
			slot = xen_ring_rsp_slot(rsp.id, info->ring_size);
			if (slot < 0 || !r->shadow[slot].rq) {
				stop_device(info, "backend answered an unknown request");
				return handled;
			}
			sh = &r->shadow[slot];
			if (rsp.operation != sh->op &&
			    !(sh->op == BLKIF_OP_INDIRECT &&
			      (rsp.operation == BLKIF_OP_READ ||
			       rsp.operation == BLKIF_OP_WRITE))) {
				stop_device(info, "backend answered with the wrong operation");
				return handled;
			}
			status = rsp_status(info, &rsp);
			if (!release_pgrants(r, sh, status == BLK_STS_OK &&
					     req_op(sh->rq) == REQ_OP_READ)) {
				finish_request(sh, BLK_STS_IOERR);
				stop_device(info, "backend kept a grant mapped");
				return handled;
			}
			finish_request(sh, status);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&r->ring, more);
	} while (more);
	return handled;
}

/*
 * Bound with late EOI: the port stays masked until we are done here, and
 * an event that brought nothing is reported as spurious, so a backend
 * that only signals cannot keep this vCPU in the handler.
 */
static irqreturn_t blkfront_interrupt(int irq, void *dev_id)
{
	struct blkfront_ring *r = dev_id;
	unsigned int handled = 0;
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	if (r->info->state == BLKFRONT_CONNECTED)
		handled = drain_responses(r);
	spin_unlock_irqrestore(&r->lock, flags);
	xen_irq_lateeoi(irq, handled ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/*
 * Fail every request the backend has not answered.  Their pool pages go
 * back only if the backend let go of them (see release_pgrants()).
 */
static void fail_outstanding(struct blkfront_ring *r)
{
	struct blkfront_shadow *sh;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&r->lock, flags);
	for (i = 0; r->shadow && i < r->info->ring_size; i++) {
		sh = &r->shadow[i];
		if (!sh->rq)
			continue;
		release_pgrants(r, sh, false);
		finish_request(sh, BLK_STS_IOERR);
	}
	spin_unlock_irqrestore(&r->lock, flags);
}

/* The device was stopped (stop_device()): fail what is in flight. */
static void blkfront_stop_work(struct work_struct *work)
{
	struct blkfront_info *info = container_of(work, struct blkfront_info,
						  stop_work);
	unsigned int i;

	/* The rings outlive us: whoever frees them cancels us first. */
	for (i = 0; i < info->nr_rings; i++)
		fail_outstanding(&info->rings[i]);
}

/* Take the answers a going backend left, with no new request racing. */
static void take_last_answers(struct blkfront_ring *r)
{
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	drain_responses(r);
	spin_unlock_irqrestore(&r->lock, flags);
}

/*
 * blk-mq's timer.  A backend may take its time (its storage may be slow):
 * normally we wait on.  But device_add_disk() reads the partition table
 * in the xenwatch thread, and a backend that never answers that read must
 * not hold up every other device of the guest: then the device stops.
 */
static enum blk_eh_timer_return blkfront_timeout(struct request *rq)
{
	struct blkfront_info *info = rq->q->queuedata;
	struct blkfront_ring *r = rq->mq_hctx->driver_data;
	unsigned long flags;

	if (!READ_ONCE(info->adding))
		return BLK_EH_RESET_TIMER;
	/* The rings stay while the disk is being added (info->mutex). */
	spin_lock_irqsave(&r->lock, flags);
	stop_device(info, "backend did not answer while the disk was added");
	spin_unlock_irqrestore(&r->lock, flags);
	return BLK_EH_RESET_TIMER;	/* stop_work fails it */
}

static const struct blk_mq_ops blkfront_mq_ops = {
	.queue_rq	= blkfront_queue_rq,
	.commit_rqs	= blkfront_commit_rqs,
	.timeout	= blkfront_timeout,
	.complete	= blkfront_complete_rq,
	.init_hctx	= blkfront_init_hctx,
	.init_request	= blkfront_init_rq,
	.exit_request	= blkfront_exit_rq,
};

/*
 * The state just left "connected": wait for whoever still acts on the old
 * one.  stop_device() runs under a ring lock (interrupt handler, timeout),
 * so once every ring lock has been free the work it may have scheduled is
 * queued, and can be cancelled; nothing schedules it again.
 */
static void quiet_rings(struct blkfront_info *info)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; info->rings && i < info->nr_rings; i++) {
		spin_lock_irqsave(&info->rings[i].lock, flags);
		spin_unlock_irqrestore(&info->rings[i].lock, flags);
	}
	cancel_work_sync(&info->stop_work);
}

/* ---- Rings ------------------------------------------------------------- */

static void free_pool(struct blkfront_ring *r)
{
	struct blkfront_pgrant *pg;
	unsigned int i;

	for (i = 0; i < r->pool_size; i++) {
		pg = &r->pool[i];
		if (!pg->page)
			continue;	/* given up, the grant table has it */
		/* A granted page is freed once the backend unmaps it. */
		if (pg->ref != INVALID_GRANT_REF)
			gnttab_end_foreign_access(pg->ref, pg->page);
		else
			__free_page(pg->page);
	}
	kvfree(r->pool);
	r->pool = NULL;
	r->pool_size = 0;
	r->pool_cap = 0;
}

/*
 * Add up to @n pages to a ring's pool, zeroed (the backend may read all
 * of a page it is granted, not just our data), never past its capacity.
 * Granting waits for the page's first request.  Returns how many were
 * added.  Ring lock held, or the ring not in use yet.
 */
static unsigned int grow_pool(struct blkfront_ring *r, unsigned int n,
			      gfp_t gfp)
{
	struct blkfront_pgrant *pg;
	unsigned int added = 0;

	while (added < n && r->pool_size < r->pool_cap) {
		pg = &r->pool[r->pool_size];
		pg->page = alloc_page(gfp | __GFP_ZERO);
		if (!pg->page)
			break;
		pg->ref = INVALID_GRANT_REF;
		pool_put_page(r, pg, false);
		r->pool_size++;
		added++;
	}
	return added;
}

/*
 * A ring's pool.  Enough pages for every slot to carry a request of the
 * most segments with its indirect pages would be, with 16-page rings,
 * 512 x 33 pages a ring: 66 MiB and as many grants, more than a small
 * guest has or its grant table holds, and far more than keeps a disk
 * busy.  So the pool has at most POOL_MAX_PAGES, or a 64th of the
 * guest's memory if that is less, and never less than one biggest
 * request: requests past what the pool holds wait for the pages of
 * answered ones.  Pages come at first for one biggest request or
 * POOL_START_PAGES, and the pool grows when a request finds it empty;
 * it does not shrink (what a disk's I/O needed once, it will need
 * again).  On a persistent ring the first biggest request's pages are
 * granted now, so that one request can always go whatever else holds
 * grants; the others are granted as they first carry data.
 */
static int setup_pool(struct blkfront_info *info, struct blkfront_ring *r)
{
	unsigned int per_rq = info->max_segs, start, i;
	struct blkfront_pgrant *pg;

	if (info->max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		per_rq += DIV_ROUND_UP(info->max_segs, SEGS_PER_INDIRECT_PAGE);
	INIT_LIST_HEAD(&r->pool_free);
	INIT_LIST_HEAD(&r->pool_fresh);
	r->pool_size = 0;
	r->pool_cap = min_t(unsigned long, info->ring_size * per_rq,
			    min_t(unsigned long, POOL_MAX_PAGES,
				  totalram_pages() / 64));
	r->pool_cap = max(r->pool_cap, per_rq);
	r->pool = kvcalloc(r->pool_cap, sizeof(*r->pool), GFP_KERNEL);
	if (!r->pool)
		return -ENOMEM;
	start = min(r->pool_cap, max(per_rq, POOL_START_PAGES));
	if (grow_pool(r, start, GFP_KERNEL) < per_rq)
		goto fail;
	for (i = 0; info->persistent && i < per_rq; i++) {
		pg = &r->pool[i];
		if (grant_for_good(r, pg))
			goto fail;
		list_move(&pg->node, &r->pool_free);
	}
	return 0;
fail:
	free_pool(r);
	return -ENOMEM;
}

/*
 * Backend Connected: persistent grants if both sides offered them, and
 * the pools.  Without them we cannot go on: the device stays
 * unconnected.
 */
static int setup_pools(struct blkfront_info *info)
{
	unsigned int i;
	int rc;

	/* A backend may say Connected again before we are. */
	if (info->nr_rings && info->rings[0].pool)
		return 0;
	info->persistent = info->offered_persistent &&
		xenbus_read_unsigned(info->xbdev->otherend,
				     "feature-persistent", 0);
	for (i = 0; i < info->nr_rings; i++) {
		rc = setup_pool(info, &info->rings[i]);
		if (rc) {
			xenbus_dev_fatal(info->xbdev, rc,
					 "allocating the pages of ring %u", i);
			while (i--)
				free_pool(&info->rings[i]);
			return rc;
		}
	}
	return 0;
}

static void free_ring(struct blkfront_ring *r)
{
	unsigned int i;

	if (r->irq > 0)
		unbind_from_irqhandler(r->irq, r);
	r->irq = 0;
	free_pool(r);
	if (r->sring)
		xenbus_teardown_ring(&r->sring, 1 << r->info->ring_order,
				     r->ring_ref);
	if (r->shadow) {
		for (i = 0; i < r->info->ring_size; i++)
			kfree(r->shadow[i].pg);
		kfree(r->shadow);
		r->shadow = NULL;
	}
}

static void free_rings(struct blkfront_info *info)
{
	unsigned int i;

	for (i = 0; info->rings && i < info->nr_rings; i++)
		free_ring(&info->rings[i]);
	kfree(info->rings);
	info->rings = NULL;
	info->nr_rings = 0;
}

static int setup_ring(struct blkfront_info *info, struct blkfront_ring *r,
		      unsigned int index)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int nr_pages = 1 << info->ring_order, i;
	int rc;

	r->info = info;
	spin_lock_init(&r->lock);
	for (i = 0; i < nr_pages; i++)
		r->ring_ref[i] = INVALID_GRANT_REF;

	r->shadow = kcalloc(info->ring_size, sizeof(*r->shadow), GFP_KERNEL);
	if (!r->shadow)
		return -ENOMEM;
	for (i = 0; i < info->ring_size; i++) {
		struct blkfront_shadow *sh = &r->shadow[i];

		sh->pg = kcalloc(seg_cap + indirect_pages, sizeof(*sh->pg),
				 GFP_KERNEL);
		if (!sh->pg)
			return -ENOMEM;
	}

	rc = xenbus_setup_ring(dev, GFP_KERNEL, &r->sring, nr_pages,
			       r->ring_ref);
	if (rc)
		return rc;
	SHARED_RING_INIT((struct blkif_sring *)r->sring);
	FRONT_RING_INIT(&r->ring, (struct blkif_sring *)r->sring,
			nr_pages * XEN_PAGE_SIZE);

	rc = xenbus_alloc_evtchn(dev, &r->evtchn);
	if (rc)
		return rc;
	snprintf(r->name, sizeof(r->name), "blkif-%u-%u", info->handle, index);
	/* Closed when unbound (free_ring()), or now if this fails. */
	rc = bind_own_evtchn_to_irqhandler_lateeoi(r->evtchn,
						   blkfront_interrupt, 0,
						   r->name, r);
	if (rc < 0) {
		xenbus_dev_fatal(dev, rc, "binding an event channel");
		return rc;
	}
	r->irq = rc;
	return 0;
}

/* Publish one ring's nodes under @dir (our node, or its queue-N). */
static int publish_ring(struct xenbus_transaction t, struct blkfront_info *info,
			struct blkfront_ring *r, const char *dir)
{
	unsigned int i;
	char node[16];
	int rc;

	if (!info->ring_order) {
		rc = xenbus_printf(t, dir, "ring-ref", "%u", r->ring_ref[0]);
	} else {
		for (i = 0, rc = 0; i < (1u << info->ring_order) && !rc; i++) {
			snprintf(node, sizeof(node), "ring-ref%u", i);
			rc = xenbus_printf(t, dir, node, "%u", r->ring_ref[i]);
		}
	}
	return rc ?: xenbus_printf(t, dir, "event-channel", "%u", r->evtchn);
}

static int publish_rings(struct xenbus_transaction t, void *arg)
{
	struct blkfront_info *info = arg;
	struct xenbus_device *dev = info->xbdev;
	unsigned int i;
	char *dir;
	int rc = 0;

	if (info->ring_order)
		rc = xenbus_printf(t, dev->nodename, "ring-page-order", "%u",
				   info->ring_order);
	if (!rc && info->nr_rings > 1)
		rc = xenbus_printf(t, dev->nodename, "multi-queue-num-queues",
				   "%u", info->nr_rings);
	for (i = 0; i < info->nr_rings && !rc; i++) {
		if (info->nr_rings == 1) {
			rc = publish_ring(t, info, &info->rings[i],
					  dev->nodename);
			break;
		}
		dir = kasprintf(GFP_KERNEL, "%s/queue-%u", dev->nodename, i);
		if (!dir) {
			rc = -ENOMEM;
			break;
		}
		rc = publish_ring(t, info, &info->rings[i], dir);
		kfree(dir);
	}
	if (!rc)
		rc = xenbus_printf(t, dev->nodename, "protocol", "%s",
				   XEN_IO_PROTO_ABI_NATIVE);
	info->offered_persistent = info->trusted &&
				   READ_ONCE(xen_blkif_feature_persistent);
	if (!rc)
		rc = xenbus_printf(t, dev->nodename, "feature-persistent", "%u",
				   info->offered_persistent);
	return rc;
}

/* Backend InitWait: build the rings its features allow, and tell it. */
static int talk_to_backend(struct blkfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int max_order, max_queues, i;
	int rc;

	max_order = xenbus_read_unsigned(dev->otherend, "max-ring-page-order",
					 0);
	info->ring_order = min3(max_order, xen_blkif_max_ring_order,
				(unsigned int)BLKFRONT_MAX_RING_ORDER);
	max_queues = xenbus_read_unsigned(dev->otherend,
					  "multi-queue-max-queues", 1);
	info->nr_rings = min3(max(max_queues, 1u), xen_blkif_max_queues,
			      num_online_cpus());
	info->ring_size = __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE <<
					    info->ring_order);
	/*
	 * Reconnecting (a restore), the disk keeps its hardware queues, one
	 * ring each, and their tags index the rings' slots: a backend that
	 * now allows fewer queues or smaller rings cannot have the disk.
	 */
	if (info->gd && (max(max_queues, 1u) < info->tag_set.nr_hw_queues ||
			 info->ring_size < info->tag_set.queue_depth)) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "the new backend allows %u queue(s) of %u requests, the disk has %u of %u",
				 max(max_queues, 1u), info->ring_size,
				 info->tag_set.nr_hw_queues,
				 info->tag_set.queue_depth);
		info->nr_rings = 0;
		return -EINVAL;
	}
	if (info->gd)
		info->nr_rings = info->tag_set.nr_hw_queues;
	info->trusted = READ_ONCE(xen_blkif_trusted) &&
			xenbus_read_unsigned(dev->nodename, "trusted", 1);
	if (!info->trusted)
		dev_info(&dev->dev, "backend not trusted: no persistent grants\n");

	info->rings = kcalloc(info->nr_rings, sizeof(*info->rings),
			      GFP_KERNEL);
	if (!info->rings) {
		info->nr_rings = 0;
		return -ENOMEM;
	}
	for (i = 0; i < info->nr_rings; i++) {
		rc = setup_ring(info, &info->rings[i], i);
		if (rc)
			goto fail;
	}
	rc = xenbus_transact(publish_rings, info);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "publishing the rings");
		goto fail;
	}
	if (info->gd) {
		struct blk_mq_hw_ctx *hctx;
		unsigned long q;

		/* Reconnecting: the hardware queues must find the new rings. */
		queue_for_each_hw_ctx(info->gd->queue, hctx, q)
			hctx->driver_data = &info->rings[q];
	}
	xenbus_switch_state(dev, XenbusStateInitialised);
	return 0;
fail:
	free_rings(info);
	return rc;
}

/* ---- The disk ---------------------------------------------------------- */

/*
 * A disk whose backend is being replaced after a restore is still the
 * disk: its I/O waits for the new backend, and so may an open.
 */
static int blkfront_open(struct block_device *bdev, fmode_t mode)
{
	struct blkfront_info *info = bdev->bd_disk->private_data;
	enum blkfront_state state = info ? READ_ONCE(info->state) :
					   BLKFRONT_DISCONNECTED;

	return state == BLKFRONT_CONNECTED ||
	       state == BLKFRONT_RECONNECTING ? 0 : -ENXIO;
}

/*
 * A virtual disk has no geometry.  Old partitioners that ask get the
 * customary 255 heads of 63 sectors, and as many cylinders as the 16 bits
 * of the answer hold.
 */
static int blkfront_getgeo(struct block_device *bdev, struct hd_geometry *hg)
{
	const u64 per_cylinder = 255 * 63;
	u64 cylinders = div64_u64(get_capacity(bdev->bd_disk), per_cylinder);

	hg->heads = 255;
	hg->sectors = 63;
	hg->cylinders = min_t(u64, cylinders, U16_MAX);
	return 0;
}

static const struct block_device_operations blkfront_fops = {
	.owner	= THIS_MODULE,
	.open	= blkfront_open,
	.getgeo	= blkfront_getgeo,
};

static void read_features(struct blkfront_info *info)
{
	const char *be = info->xbdev->otherend;
	unsigned int indirect;

	info->flush = xenbus_read_unsigned(be, "feature-flush-cache", 0);
	info->barrier = xenbus_read_unsigned(be, "feature-barrier", 0);
	info->discard = xenbus_read_unsigned(be, "feature-discard", 0);
	info->secure_discard = info->discard &&
			       xenbus_read_unsigned(be, "discard-secure", 0);
	indirect = xenbus_read_unsigned(be, "feature-max-indirect-segments", 0);
	info->max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST &&
	    seg_cap > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		info->max_segs = min(indirect, seg_cap);
}

/*
 * The backend's discard geometry.  The block layer cuts a discard at
 * multiples of the granularity: one that is not a power of two of at
 * least a sector (or is absurdly big) could have it loop on empty
 * pieces, so such a backend gets the sector size, and no offset.
 */
static void set_discard_limits(struct blkfront_info *info,
			       struct request_queue *q,
			       unsigned int sector_size)
{
	const char *be = info->xbdev->otherend;
	unsigned int gran, offset;

	gran = xenbus_read_unsigned(be, "discard-granularity", sector_size);
	offset = xenbus_read_unsigned(be, "discard-alignment", 0);
	if (gran < sector_size || gran > SZ_1G || !is_power_of_2(gran)) {
		dev_warn(&info->xbdev->dev, "ignoring discard-granularity %u\n",
			 gran);
		gran = sector_size;
	}
	if (offset >= gran || offset % sector_size)
		offset = 0;
	q->limits.discard_granularity = gran;
	q->limits.discard_alignment = offset;
	blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
	if (info->secure_discard)
		blk_queue_max_secure_erase_sectors(q, UINT_MAX >> SECTOR_SHIFT);
}

static void set_limits(struct blkfront_info *info, struct request_queue *q,
		       unsigned int sector_size, unsigned int physical)
{
	blk_queue_logical_block_size(q, sector_size);
	blk_queue_physical_block_size(q, physical);
	/* One segment is one granted page piece. */
	blk_queue_max_segments(q, info->max_segs);
	blk_queue_max_segment_size(q, PAGE_SIZE);
	blk_queue_segment_boundary(q, PAGE_SIZE - 1);
	blk_queue_max_hw_sectors(q, info->max_segs * (PAGE_SIZE >> SECTOR_SHIFT));
	/* Segments are counted in sectors: keep buffers sector-aligned. */
	blk_queue_dma_alignment(q, SECTOR_SIZE - 1);
	blk_queue_write_cache(q, info->flush || info->barrier, false);
	/* Whatever backs it, seeks are not ours to schedule around. */
	blk_queue_flag_set(QUEUE_FLAG_VIRT, q);
	if (info->discard)
		set_discard_limits(info, q, sector_size);
}

static int create_disk(struct blkfront_info *info, unsigned int sector_size,
		       unsigned int physical, unsigned int vdisk_info)
{
	struct xenbus_device *dev = info->xbdev;
	struct blk_mq_tag_set *set = &info->tag_set;
	unsigned int first, nr, index;
	struct gendisk *gd;
	int rc;

	rc = vdevice_to_minors(info->vdevice, &first, &nr, &index);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "virtual-device %#x is not an xvd disk",
				 info->vdevice);
		return rc;
	}
	rc = reserve_minors(first, nr);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "minors of virtual-device %#x in use",
				 info->vdevice);
		return rc;
	}

	memset(set, 0, sizeof(*set));
	set->ops = &blkfront_mq_ops;
	set->nr_hw_queues = info->nr_rings;
	set->queue_depth = info->ring_size;
	set->numa_node = NUMA_NO_NODE;
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->cmd_size = sizeof(struct blkfront_rq);
	set->driver_data = info;
	rc = blk_mq_alloc_tag_set(set);
	if (rc)
		goto out_minors;
	info->tag_set_ready = true;

	gd = blk_mq_alloc_disk(set, info);
	if (IS_ERR(gd)) {
		rc = PTR_ERR(gd);
		goto out_set;
	}
	disk_name(gd->disk_name, DISK_NAME_LEN, index);
	gd->major = XVD_MAJOR;
	gd->first_minor = first;
	gd->minors = nr;
	gd->fops = &blkfront_fops;
	gd->private_data = info;
	set_limits(info, gd->queue, sector_size, physical);
	set_capacity(gd, info->sectors);
	if (vdisk_info & VDISK_READONLY)
		set_disk_ro(gd, true);
	if (vdisk_info & (VDISK_REMOVABLE | VDISK_CDROM))
		gd->flags |= GENHD_FL_REMOVABLE;

	info->gd = gd;
	info->first_minor = first;
	info->nr_minors = nr;
	info->state = BLKFRONT_CONNECTED;
	WRITE_ONCE(info->adding, true);
	rc = device_add_disk(&dev->dev, gd, NULL);
	WRITE_ONCE(info->adding, false);
	if (rc) {
		info->state = BLKFRONT_DISCONNECTED;
		info->gd = NULL;
		put_disk(gd);
		goto out_set;
	}
	return 0;

out_set:
	blk_mq_free_tag_set(set);
	info->tag_set_ready = false;
out_minors:
	release_minors(first);
	return rc;
}

/*
 * A restored disk whose new backend we cannot use: it stops, and the
 * requests that waited for the backend fail now instead of waiting for
 * one that may never close.  The queue was quiesced and stopped by the
 * restore.
 */
static void abandon_reconnect(struct blkfront_info *info)
{
	struct request_queue *q = info->gd->queue;

	WRITE_ONCE(info->state, BLKFRONT_BROKEN);
	blk_mq_unquiesce_queue(q);
	blk_mq_start_stopped_hw_queues(q, true);
	blk_mq_kick_requeue_list(q);
}

/*
 * Set up rings and pools for a restored disk's new backend.  Until that
 * backend is connected the disk's queues are stopped: an allocation
 * that went into reclaim here could wait for writeback to this very disk
 * (its dirty pages, swap on it), which waits for us.  So no allocation
 * in here may start I/O.  Returns false if the disk cannot be had.
 */
static bool reconnect_rings(struct blkfront_info *info, bool pools)
{
	unsigned int noio = memalloc_noio_save();
	bool ok = (info->rings || !talk_to_backend(info)) &&
		  (!pools || !setup_pools(info));

	memalloc_noio_restore(noio);
	return ok;
}

/* Backend InitWait: rings for it, unless it already has them. */
static void give_rings(struct blkfront_info *info)
{
	if (info->xbdev->state != XenbusStateInitialising || info->rings)
		return;
	if (info->state != BLKFRONT_RECONNECTING)
		talk_to_backend(info);
	else if (!reconnect_rings(info, false))
		abandon_reconnect(info);
}

/*
 * A node the disk cannot do without, as a number of at most @max: a
 * backend's value that is none (or too big) refuses the disk, rather
 * than read as some other number.
 */
static int read_needed(struct blkfront_info *info, const char *node,
		       u64 max, u64 *val)
{
	struct xenbus_device *dev = info->xbdev;
	int rc = xenbus_read_u64(dev->otherend, node, val);

	if (!rc && *val > max)
		rc = -ERANGE;
	if (rc)
		xenbus_dev_fatal(dev, rc, "reading %s from %s", node,
				 dev->otherend);
	return rc;
}

/* The disk's size in bytes must fit a loff_t. */
static bool sane_sectors(u64 sectors)
{
	return sectors <= (u64)LLONG_MAX >> SECTOR_SHIFT;
}

static void resize_disk(struct blkfront_info *info, u64 sectors)
{
	if (sectors == info->sectors)
		return;
	dev_info(&info->xbdev->dev, "%s resized: %llu sectors\n",
		 info->gd->disk_name, sectors);
	info->sectors = sectors;
	set_capacity_and_notify(info->gd, sectors);
}

/* Backend Connected: the disk appears, or (already there) is resized. */
static void backend_connected(struct blkfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	bool reconnecting = info->gd && info->state == BLKFRONT_RECONNECTING;
	unsigned int sector_size, physical, vdisk_info;
	u64 sectors, info_val, size_val;
	bool size_ok;
	int rc;

	if (info->gd && !reconnecting) {
		/*
		 * Connected again on a live disk: only its size may have
		 * changed.  A size that is none leaves the disk as it is;
		 * closing over it would leave our node Closing under a
		 * disk that works.
		 */
		if (xenbus_read_u64(dev->otherend, "sectors", &sectors) ||
		    !sane_sectors(sectors))
			dev_err_ratelimited(&dev->dev, "backend's new size is no number of sectors: ignored\n");
		else
			resize_disk(info, sectors);
		return;
	}
	if (read_needed(info, "sectors", U64_MAX, &sectors) ||
	    read_needed(info, "info", UINT_MAX, &info_val) ||
	    read_needed(info, "sector-size", UINT_MAX, &size_val)) {
		if (reconnecting)
			abandon_reconnect(info);
		return;
	}
	vdisk_info = info_val;
	sector_size = size_val;
	size_ok = sane_sectors(sectors);
	if (!size_ok)
		dev_err_ratelimited(&dev->dev, "backend says the disk has %llu sectors: ignored\n",
				    sectors);

	if (reconnecting) {
		/*
		 * After a restore: the same disk, a new backend.  Its
		 * logical sectors are the disk's, or requests the block
		 * layer sized and aligned for the old ones would reach a
		 * backend that refuses them (or worse, takes them).
		 */
		if (sector_size != queue_logical_block_size(info->gd->queue)) {
			xenbus_dev_fatal(dev, -EINVAL,
					 "the new backend has %u-byte sectors, the disk %u-byte ones",
					 sector_size,
					 queue_logical_block_size(info->gd->queue));
			abandon_reconnect(info);
			return;
		}
		/* One that skipped InitWait has no rings from us yet. */
		if (!reconnect_rings(info, true)) {
			abandon_reconnect(info);
			return;
		}
		info->state = BLKFRONT_CONNECTED;
		xenbus_switch_state(dev, XenbusStateConnected);
		blk_mq_unquiesce_queue(info->gd->queue);
		blk_mq_start_stopped_hw_queues(info->gd->queue, true);
		blk_mq_kick_requeue_list(info->gd->queue);
		dev_info(&dev->dev, "%s reconnected after a restore\n",
			 info->gd->disk_name);
	}
	if (info->gd) {
		if (size_ok)
			resize_disk(info, sectors);
		return;
	}
	if (!size_ok) {
		xenbus_dev_fatal(dev, -EINVAL, "bad disk size");
		return;
	}
	if (!info->rings) {
		/* We missed InitWait (backend went straight on): set up now. */
		if (talk_to_backend(info))
			return;
	}
	if (sector_size < SECTOR_SIZE || sector_size > PAGE_SIZE ||
	    !is_power_of_2(sector_size)) {
		xenbus_dev_fatal(dev, -EINVAL, "bad sector-size %u",
				 sector_size);
		return;
	}
	physical = xenbus_read_unsigned(dev->otherend, "physical-sector-size",
					sector_size);
	if (physical < sector_size || physical > SZ_1M ||
	    !is_power_of_2(physical))
		physical = sector_size;
	info->sectors = sectors;
	read_features(info);
	if (setup_pools(info))
		return;

	rc = create_disk(info, sector_size, physical, vdisk_info);
	if (rc)
		return;
	xenbus_switch_state(dev, XenbusStateConnected);
	dev_info(&dev->dev, "%s: %llu sectors of %u bytes, %u queue(s), %u segments per request%s%s%s\n",
		 info->gd->disk_name, sectors, sector_size, info->nr_rings,
		 info->max_segs, info->flush || info->barrier ? ", flush" : "",
		 info->discard ? ", discard" : "",
		 info->persistent ? ", persistent grants" : "");
}

/*
 * A restored disk's queues stay stopped until its new backend is
 * connected, so nothing done for it here may start I/O: not the store
 * reads and the error reports on the way, no more than the rings'
 * allocations (reconnect_rings()).
 */
static void blkfront_connect(struct blkfront_info *info)
{
	unsigned int noio;

	if (!info->gd || info->state != BLKFRONT_RECONNECTING) {
		backend_connected(info);
		return;
	}
	noio = memalloc_noio_save();
	backend_connected(info);
	memalloc_noio_restore(noio);
}

/*
 * Tear down everything the backend shares with us.  Nothing here waits
 * for the backend: what it has not answered fails, and pages it keeps
 * are given up, so removing the disk cannot hang on it.
 */
static void blkfront_disconnect(struct blkfront_info *info)
{
	enum blkfront_state was = info->state;
	struct request_queue *q = info->gd ? info->gd->queue : NULL;
	unsigned int i;

	if (q) {
		blk_mark_disk_dead(info->gd);
		/* No request may reach a ring while we change the state. */
		blk_mq_quiesce_queue(q);
	}
	for (i = 0; was == BLKFRONT_CONNECTED && i < info->nr_rings; i++)
		take_last_answers(&info->rings[i]);
	WRITE_ONCE(info->state, BLKFRONT_DISCONNECTED);
	quiet_rings(info);
	for (i = 0; info->rings && i < info->nr_rings; i++)
		fail_outstanding(&info->rings[i]);
	if (q) {
		/*
		 * Requests waiting in the queue fail now (queue_rq() sees the
		 * state); a restore left it quiesced once more, and stopped.
		 */
		if (was == BLKFRONT_RECONNECTING)
			blk_mq_unquiesce_queue(q);
		blk_mq_unquiesce_queue(q);
		blk_mq_start_stopped_hw_queues(q, true);
		blk_mq_kick_requeue_list(q);
		del_gendisk(info->gd);
		put_disk(info->gd);
		info->gd = NULL;
		release_minors(info->first_minor);
	}
	if (info->tag_set_ready) {
		blk_mq_free_tag_set(&info->tag_set);
		info->tag_set_ready = false;
	}
	free_rings(info);
}

/* Do what the backend's state asks of us; info->mutex held. */
static void follow_backend(struct blkfront_info *info,
			   enum xenbus_state backend_state)
{
	struct xenbus_device *dev = info->xbdev;

	switch (backend_state) {
	case XenbusStateInitWait:
		give_rings(info);
		break;
	case XenbusStateConnected:
		blkfront_connect(info);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		if (dev->state == XenbusStateClosed)
			break;
		blkfront_disconnect(info);
		xenbus_frontend_closed(dev);
		break;
	default:
		break;
	}
}

static void blkfront_backend_changed(struct xenbus_device *dev,
				     enum xenbus_state backend_state)
{
	struct blkfront_info *info = dev_get_drvdata(&dev->dev);

	mutex_lock(&info->mutex);
	follow_backend(info, backend_state);
	mutex_unlock(&info->mutex);
}

static int blkfront_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	struct blkfront_info *info;
	const char *slash;
	unsigned int vdevice, handle;
	int rc;

	rc = xenbus_scanf(XBT_NIL, dev->nodename, "virtual-device", "%u",
			  &vdevice);
	if (rc != 1) {
		xenbus_dev_fatal(dev, rc < 0 ? rc : -EINVAL,
				 "reading virtual-device");
		return rc < 0 ? rc : -EINVAL;
	}
	slash = strrchr(dev->nodename, '/');
	if (!slash || kstrtouint(slash + 1, 10, &handle) || handle > U16_MAX) {
		xenbus_dev_fatal(dev, -EINVAL, "bad device node %s",
				 dev->nodename);
		return -EINVAL;
	}

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	mutex_init(&info->mutex);
	INIT_WORK(&info->stop_work, blkfront_stop_work);
	info->xbdev = dev;
	info->vdevice = vdevice;
	info->handle = handle;
	dev_set_drvdata(&dev->dev, info);
	return 0;
}

static void blkfront_remove(struct xenbus_device *dev)
{
	struct blkfront_info *info = dev_get_drvdata(&dev->dev);

	mutex_lock(&info->mutex);
	blkfront_disconnect(info);
	mutex_unlock(&info->mutex);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(info);
}

/*
 * After a restore the backend is a new one and every grant, ring and
 * channel of ours is gone.  Requests it had not answered go back to the
 * block layer's requeue list; the queues wait until the new backend is
 * connected, then carry on where they stopped.
 */
static int blkfront_resume(struct xenbus_device *dev)
{
	struct blkfront_info *info = dev_get_drvdata(&dev->dev);
	struct blkfront_shadow *sh;
	struct blkfront_ring *r;
	unsigned long flags;
	unsigned int i, j;

	mutex_lock(&info->mutex);
	/* A stopped disk gets a new chance with the new backend too. */
	if (info->gd && (info->state == BLKFRONT_CONNECTED ||
			 info->state == BLKFRONT_BROKEN)) {
		WRITE_ONCE(info->state, BLKFRONT_RECONNECTING);
		blk_mq_stop_hw_queues(info->gd->queue);
		/* No dispatch may still run on the rings freed below. */
		blk_mq_quiesce_queue(info->gd->queue);
		quiet_rings(info);
		for (i = 0; i < info->nr_rings; i++) {
			r = &info->rings[i];
			spin_lock_irqsave(&r->lock, flags);
			for (j = 0; j < info->ring_size; j++) {
				sh = &r->shadow[j];
				if (!sh->rq)
					continue;
				/* The new table is empty: this always succeeds. */
				release_pgrants(r, sh, false);
				blk_mq_requeue_request(sh->rq, false);
				sh->rq = NULL;
			}
			spin_unlock_irqrestore(&r->lock, flags);
		}
	}
	quiet_rings(info);
	for (i = 0; info->rings && i < info->nr_rings; i++)
		fail_outstanding(&info->rings[i]);
	free_rings(info);
	/*
	 * The backend may be well on already, and our watch have fired
	 * before we got here: follow where it is now.
	 */
	follow_backend(info, xenbus_read_driver_state(dev->otherend));
	mutex_unlock(&info->mutex);
	return 0;
}

/* Our devices are the store's "vbd" directories. */
static const struct xenbus_device_id blkfront_ids[] = {
	{ .devicetype = "vbd" },
	{ }
};

static struct xenbus_driver blkfront_driver = {
	.ids			= blkfront_ids,
	.probe			= blkfront_probe,
	.otherend_changed	= blkfront_backend_changed,
	.remove			= blkfront_remove,
	.resume			= blkfront_resume,
};

static int __init blkfront_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;
	if (xen_blkif_max_ring_order > BLKFRONT_MAX_RING_ORDER) {
		pr_warn("max_ring_page_order %u is too big, using %u\n",
			xen_blkif_max_ring_order, BLKFRONT_MAX_RING_ORDER);
		xen_blkif_max_ring_order = BLKFRONT_MAX_RING_ORDER;
	}
	if (!xen_blkif_max_queues) {
		pr_warn("max_queues 0 makes no sense, using 1\n");
		xen_blkif_max_queues = 1;
	}
	seg_cap = clamp_t(unsigned int, xen_blkif_max_segments,
			  BLKIF_MAX_SEGMENTS_PER_REQUEST, MAX_INDIRECT_SEGMENTS);
	if (seg_cap != xen_blkif_max_segments)
		pr_info("max_indirect_segments %u out of range, using %u\n",
			xen_blkif_max_segments, seg_cap);
	indirect_pages = seg_cap > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
			 DIV_ROUND_UP(seg_cap, SEGS_PER_INDIRECT_PAGE) : 0;

	rc = register_blkdev(XVD_MAJOR, "xvd");
	if (rc) {
		pr_err("cannot get block major %d: %d\n", XVD_MAJOR, rc);
		return rc;
	}
	rc = xenbus_register_frontend(&blkfront_driver);
	if (rc)
		unregister_blkdev(XVD_MAJOR, "xvd");
	return rc;
}
module_init(blkfront_init);

static void __exit blkfront_exit(void)
{
	xenbus_unregister_driver(&blkfront_driver);
	unregister_blkdev(XVD_MAJOR, "xvd");
}
module_exit(blkfront_exit);

MODULE_DESCRIPTION("Xen guest disks (xvd*), served by a backend domain");
MODULE_LICENSE("GPL");
MODULE_ALIAS_BLOCKDEV_MAJOR(XVD_MAJOR);
MODULE_ALIAS("xen:vbd");
MODULE_ALIAS("xenblk");
