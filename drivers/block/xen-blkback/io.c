// SPDX-License-Identifier: GPL-2.0
/*
 * A checked request becomes bios, and bios become a response.
 *
 * The data never stays in the frontend's pages while the block layer
 * works on it: each segment is copied into a page of ours before a write
 * is submitted, and out of ours after a read completes.  Xen does the
 * copy (GNTTABOP_copy, one operation per segment, a batch of them per
 * hypercall), or, for pages the frontend keeps granted (persistent.c), a
 * memcpy through our standing mapping.  So:
 *
 *  - the block layer only ever sees our own pages: any driver, any DMA
 *    path, no foreign frames to account for in dom0's p2m;
 *  - a frontend cannot change data under a write after it was checked
 *    or checksummed below us;
 *  - a bad grant reference fails one copy, which fails one request,
 *    and leaves nothing mapped behind.
 *
 * Indirect requests name up to eight pages of segment descriptors; those
 * are decoded into an array of ours and checked there (fetch_indirect()).
 *
 * Everything here runs in the ring's thread except the block layer's
 * completion (bio_done(), complete_request()), which answers a request
 * of up to a direct request's size and leaves its pages for the thread
 * to take back; a larger read goes to the thread to copy and answer.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/slab.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "common.h"

/* ---- Segments ----------------------------------------------------------- */

static void set_segments(struct blkback_req *req,
			 const struct blkif_request_segment *seg,
			 unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		req->segs[i].gref = seg[i].gref;
		req->segs[i].offset = seg[i].first_sect << 9;
		req->segs[i].len = (seg[i].last_sect - seg[i].first_sect + 1)
				   << 9;
	}
	req->nr_segs = nr;
}

/*
 * Decode the descriptor pages of an indirect request into the ring's
 * scratch array, which is what gets checked and used: the frontend can
 * change its pages meanwhile, never our decoded copy.  A frontend with
 * persistent grants reuses its descriptor pages like its data pages, so
 * those are read through our standing mapping; the others are copied
 * into pages of ours first, all in one hypercall.  Returns the
 * descriptors or NULL.
 */
static struct blkif_request_segment *
fetch_indirect(struct blkback_ring *ring, const struct blkback_desc *d)
{
	unsigned int per_page = BLKBACK_SEGS_PER_INDIRECT_PAGE;
	unsigned int nr = d->nr_segments;
	unsigned int pages = DIV_ROUND_UP(nr, per_page);
	domid_t domid = ring->disk->dev->otherend_id;
	struct gnttab_copy *op = ring->copy_ops;
	struct blkback_pgrant *g;
	unsigned int p, count, n = 0;
	bool copied[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

	for (p = 0; p < pages; p++) {
		count = min(nr - p * per_page, per_page);
		g = ring->disk->persistent ?
		    blkback_pgrant_get(&ring->pgrants, domid,
				       d->indirect_grefs[p]) : NULL;
		copied[p] = !g;
		if (g) {
			blkback_decode_segments(blkback_pgrant_addr(&ring->pgrants,
								    g),
						count,
						ring->seg_scratch + p * per_page);
			blkback_pgrant_put(g);
			continue;
		}
		op[n].source.u.ref = d->indirect_grefs[p];
		op[n].source.domid = domid;
		op[n].source.offset = 0;
		op[n].dest.u.gmfn = xen_page_to_gfn(ring->indirect_pages[p]);
		op[n].dest.domid = DOMID_SELF;
		op[n].dest.offset = 0;
		op[n].len = count * sizeof(struct blkif_request_segment);
		op[n].flags = GNTCOPY_source_gref;
		op[n].status = GNTST_general_error;
		n++;
	}
	if (!n)
		return ring->seg_scratch;
	HYPERVISOR_grant_table_op(GNTTABOP_copy, op, n);
	for (p = 0, n = 0; p < pages; p++) {
		if (!copied[p])
			continue;
		if (op[n].status != GNTST_okay) {
			blkback_ring_log(ring, KERN_WARNING,
					 "request %llu: indirect page %u (ref %u) unreadable: %d\n",
					 d->id, p, d->indirect_grefs[p],
					 op[n].status);
			return NULL;
		}
		n++;
		count = min(nr - p * per_page, per_page);
		blkback_decode_segments(page_address(ring->indirect_pages[p]),
					count, ring->seg_scratch + p * per_page);
	}
	return ring->seg_scratch;
}

/*
 * Fill in the request's segments, checked.  Returns BLKIF_RSP_OKAY or
 * the status to answer with.
 */
static int gather_segments(struct blkback_req *req,
			   const struct blkback_desc *d)
{
	struct blkback_ring *ring = req->ring;
	const struct blkif_request_segment *seg = d->seg;
	const char *why;
	int status;

	if (d->operation == BLKIF_OP_INDIRECT) {
		seg = fetch_indirect(ring, d);
		if (!seg)
			return BLKIF_RSP_ERROR;
	}
	status = blkback_check_segments(seg, d->nr_segments, d->sector,
					&ring->disk->limits, &why);
	if (status != BLKIF_RSP_OKAY) {
		ring->st_bad++;
		blkback_ring_log(ring, KERN_WARNING,
				 "request %llu (sector %llu, %u segments): %s\n",
				 d->id, d->sector, d->nr_segments, why);
		return status;
	}
	if (d->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		req->segs = kmalloc_array(d->nr_segments, sizeof(*req->segs),
					  GFP_NOIO | __GFP_ZERO);
		if (!req->segs) {
			req->segs = req->inline_segs;
			return BLKIF_RSP_ERROR;
		}
	}
	set_segments(req, seg, d->nr_segments);
	return BLKIF_RSP_OKAY;
}

/* Pages of ours for every segment, and the standing mappings we have. */
static int attach_buffers(struct blkback_req *req)
{
	struct blkback_ring *ring = req->ring;
	domid_t domid = ring->disk->dev->otherend_id;
	struct blkback_seg *seg;
	unsigned int i;

	for (i = 0; i < req->nr_segs; i++) {
		seg = &req->segs[i];
		seg->page = blkback_get_buffer(ring);
		if (!seg->page)
			return -ENOMEM;
		if (ring->disk->persistent)
			seg->pgrant = blkback_pgrant_get(&ring->pgrants, domid,
							 seg->gref);
	}
	return 0;
}

/* Run @n grant copies; 0, or -EFAULT if one failed (logged). */
static int run_copies(struct blkback_req *req, struct gnttab_copy *op,
		      unsigned int n, bool to_frontend)
{
	unsigned int i;

	if (!n)
		return 0;
	HYPERVISOR_grant_table_op(GNTTABOP_copy, op, n);
	for (i = 0; i < n; i++) {
		if (op[i].status == GNTST_okay)
			continue;
		blkback_ring_log(req->ring, KERN_WARNING,
				 "request %llu: copy %s grant %u failed: %d\n",
				 req->id, to_frontend ? "to" : "from",
				 to_frontend ? op[i].dest.u.ref :
					       op[i].source.u.ref,
				 op[i].status);
		return -EFAULT;
	}
	return 0;
}

/*
 * Move the data of every segment between the frontend's pages and ours:
 * memcpy where we hold a mapping, GNTTABOP_copy for the rest, @max
 * segments per hypercall (the room @op has).
 */
static int copy_data(struct blkback_req *req, bool to_frontend,
		     struct gnttab_copy *op, unsigned int max)
{
	struct blkback_ring *ring = req->ring;
	domid_t domid = ring->disk->dev->otherend_id;
	struct blkback_seg *seg;
	unsigned int i, n = 0;
	void *ours, *theirs;

	for (i = 0; i < req->nr_segs; i++) {
		seg = &req->segs[i];
		ours = page_address(seg->page) + seg->offset;
		if (seg->pgrant) {
			theirs = blkback_pgrant_addr(&ring->pgrants,
						     seg->pgrant) + seg->offset;
			if (to_frontend)
				memcpy(theirs, ours, seg->len);
			else
				memcpy(ours, theirs, seg->len);
			continue;
		}
		if (to_frontend) {
			op[n].source.u.gmfn = xen_page_to_gfn(seg->page);
			op[n].source.domid = DOMID_SELF;
			op[n].dest.u.ref = seg->gref;
			op[n].dest.domid = domid;
			op[n].flags = GNTCOPY_dest_gref;
		} else {
			op[n].source.u.ref = seg->gref;
			op[n].source.domid = domid;
			op[n].dest.u.gmfn = xen_page_to_gfn(seg->page);
			op[n].dest.domid = DOMID_SELF;
			op[n].flags = GNTCOPY_source_gref;
		}
		op[n].source.offset = seg->offset;
		op[n].dest.offset = seg->offset;
		op[n].len = seg->len;
		op[n].status = GNTST_general_error;
		if (++n < max)
			continue;
		if (run_copies(req, op, n, to_frontend))
			return -EFAULT;
		n = 0;
	}
	return run_copies(req, op, n, to_frontend);
}

/* What to answer a request the block layer finished (any context). */
static s16 io_status(struct blkback_req *req)
{
	if (req->error == BLK_STS_NOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	if (!req->error)
		return BLKIF_RSP_OKAY;
	blkback_ring_log(req->ring, KERN_WARNING,
			 "request %llu (op %u, sector %llu): I/O error %d\n",
			 req->id, req->operation, req->sector,
			 blk_status_to_errno(req->error));
	return BLKIF_RSP_ERROR;
}

/*
 * The last bio of a request is done: bring read data back to the
 * frontend and answer it.  This runs in whatever context the device
 * completes in, often an interrupt: the answer leaves from here rather
 * than after a trip through the ring's thread, which would cost a
 * wake-up and a context switch per request.
 *
 * But only for a read of at most a direct request's size (44 KiB): a
 * read of up to 256 segments is a megabyte to copy, and that is not
 * done with interrupts off, delaying every other device for one
 * guest's benefit.  Those go to the thread, which answers them
 * (blkback_answer_deferred()); for a request that large, the wake-up is
 * small change.  The grant copies of a small read fit in one hypercall
 * from an array on the stack, since one ring's completions may run on
 * several CPUs at once.
 */
static void complete_request(struct blkback_req *req)
{
	struct gnttab_copy op[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	s16 status;

	if (req->kind == BLKBACK_READ && !req->error &&
	    req->nr_segs > ARRAY_SIZE(op)) {
		blkback_req_defer(req);
		return;
	}
	status = io_status(req);
	if (status == BLKIF_RSP_OKAY && req->kind == BLKBACK_READ &&
	    copy_data(req, true, op, ARRAY_SIZE(op)))
		status = BLKIF_RSP_ERROR;
	blkback_req_done(req, status);
}

void blkback_answer_deferred(struct blkback_req *req)
{
	s16 status = io_status(req);

	if (status == BLKIF_RSP_OKAY && req->kind == BLKBACK_READ &&
	    copy_data(req, true, req->ring->copy_ops, req->nr_segs))
		status = BLKIF_RSP_ERROR;
	blkback_answer(req, status);
}

/* ---- Bios ----------------------------------------------------------- */

static void bio_done(struct bio *bio)
{
	struct blkback_req *req = bio->bi_private;

	if (bio->bi_status)
		WRITE_ONCE(req->error, bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&req->bios_left))
		complete_request(req);
}

static struct bio *new_bio(struct blkback_req *req, blk_opf_t opf,
			   sector_t sector, unsigned int nr_vecs)
{
	struct bio *bio;

	/* From the bioset's reserve: GFP_NOIO waits, never fails. */
	bio = bio_alloc(req->ring->disk->bdev,
			min_t(unsigned int, nr_vecs, BIO_MAX_VECS), opf,
			GFP_NOIO);
	bio->bi_iter.bi_sector = sector;
	bio->bi_end_io = bio_done;
	bio->bi_private = req;
	return bio;
}

static void submit(struct blkback_req *req, struct bio *bio)
{
	atomic_inc(&req->bios_left);
	submit_bio(bio);
}

static void submit_data(struct blkback_req *req)
{
	struct bio *bio = NULL;
	sector_t sector = req->sector;
	struct blkback_seg *seg;
	blk_opf_t opf;
	unsigned int i;

	switch (req->kind) {
	case BLKBACK_READ:
		opf = REQ_OP_READ;
		break;
	case BLKBACK_WRITE:
		opf = REQ_OP_WRITE;
		break;
	default:
		/*
		 * A flush: whatever was written before is made durable
		 * first, and the data it carries is durable when it
		 * completes.  A barrier is a flush the ring thread has
		 * already held back until every earlier request finished.
		 */
		opf = REQ_OP_WRITE | REQ_PREFLUSH;
		if (req->nr_segs)
			opf |= REQ_FUA;
		break;
	}

	if (!req->nr_segs)
		bio = new_bio(req, opf, sector, 0);
	for (i = 0; i < req->nr_segs; i++) {
		seg = &req->segs[i];
		if (bio && bio_add_page(bio, seg->page, seg->len,
					seg->offset) == seg->len) {
			sector += seg->len >> 9;
			continue;
		}
		if (bio)
			submit(req, bio);
		bio = new_bio(req, opf, sector, req->nr_segs - i);
		/* One segment always fits in an empty bio. */
		if (WARN_ON_ONCE(bio_add_page(bio, seg->page, seg->len,
					      seg->offset) != seg->len)) {
			WRITE_ONCE(req->error, BLK_STS_IOERR);
			break;
		}
		sector += seg->len >> 9;
	}
	if (bio)
		submit(req, bio);
}

/*
 * Discards carry no data: one bio per 4 GiB (the most a bio's size field
 * holds), split further by the block layer to the device's limits.
 */
static void submit_discard(struct blkback_req *req)
{
	struct blkback_limits *lim = &req->ring->disk->limits;
	u64 per_bio = (UINT_MAX >> 9) & ~(u64)((lim->logical_size >> 9) - 1);
	u64 sector = req->sector, left = req->nr_sectors, n;
	blk_opf_t opf = req->kind == BLKBACK_SECURE_ERASE ?
			REQ_OP_SECURE_ERASE : REQ_OP_DISCARD;
	struct bio *bio;

	while (left) {
		n = min(left, per_bio);
		bio = new_bio(req, opf, sector, 0);
		bio->bi_iter.bi_size = n << 9;
		submit(req, bio);
		sector += n;
		left -= n;
		cond_resched();
	}
}

/* ---- A request's life ------------------------------------------------- */

void blkback_start(struct blkback_req *req, const struct blkback_desc *d)
{
	struct blkback_ring *ring = req->ring;
	int status;

	req->sector = d->sector;
	req->nr_sectors = d->nr_sectors;
	req->error = BLK_STS_OK;
	/* Our own reference, dropped once every bio is submitted. */
	atomic_set(&req->bios_left, 1);

	switch (req->kind) {
	case BLKBACK_DISCARD:
	case BLKBACK_SECURE_ERASE:
		ring->st_discards++;
		submit_discard(req);
		goto submitted;
	case BLKBACK_READ:
		ring->st_reads++;
		break;
	case BLKBACK_WRITE:
		ring->st_writes++;
		break;
	default:
		ring->st_flushes++;
		break;
	}

	if (d->nr_segments) {
		status = gather_segments(req, d);
		if (status != BLKIF_RSP_OKAY) {
			blkback_answer(req, status);
			return;
		}
	}
	if (attach_buffers(req)) {
		blkback_ring_log(ring, KERN_WARNING,
				 "request %llu: out of memory for its data\n",
				 req->id);
		blkback_answer(req, BLKIF_RSP_ERROR);
		return;
	}
	if (req->kind != BLKBACK_READ &&
	    copy_data(req, false, ring->copy_ops, req->nr_segs)) {
		blkback_answer(req, BLKIF_RSP_ERROR);
		return;
	}
	submit_data(req);
submitted:
	if (atomic_dec_and_test(&req->bios_left))
		complete_request(req);
}

void blkback_release(struct blkback_req *req)
{
	struct blkback_seg *seg;
	unsigned int i;

	for (i = 0; i < req->nr_segs; i++) {
		seg = &req->segs[i];
		if (seg->page)
			blkback_put_buffer(req->ring, seg->page);
		if (seg->pgrant)
			blkback_pgrant_put(seg->pgrant);
		seg->page = NULL;
		seg->pgrant = NULL;
	}
	if (req->segs != req->inline_segs)
		kfree(req->segs);
	req->segs = req->inline_segs;
	req->nr_segs = 0;
}
