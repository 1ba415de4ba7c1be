// SPDX-License-Identifier: GPL-2.0
/*
 * A vbd backend that does the job right, so that the scenarios can do
 * it wrong one step at a time.
 *
 * The handshake (xen/io/blkif.h, "STATE DIAGRAMS"): we publish the
 * disk and our transport limits and go InitWait; the frontend grants
 * its ring pages, allocates an unbound event channel, writes ring-ref
 * (or ring-ref0..N-1 with ring-page-order N > 0), event-channel and
 * protocol, and goes Initialised; we map and bind and go Connected; it
 * reads the disk's size and goes Connected.  One queue, unless a
 * scenario offers more (max_queues): then a frontend that takes n > 1
 * writes multi-queue-num-queues and each queue's ring-ref* and
 * event-channel under queue-0 .. queue-(n-1) of its directory (the rest
 * stays at its top).  No persistent grants and no indirect segments:
 * every request names its pages by grant, and a page is mapped only
 * while its request is served, unless a scenario keeps it.
 *
 * The disk is memory: reads and writes of a well-behaved exchange
 * really land, so a guest's checksum test on the device means
 * something before the scenario turns hostile.
 *
 * The frontend is not trusted here either (this program must not be
 * the thing that crashes): every index and segment it gives us is
 * checked before use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xen/io/protocols.h>

#include "blk.h"

/*
 * The x86_64 ring layout the guest's "x86_64-abi" protocol means: a
 * 32-bit build of this program would read other offsets.
 */
_Static_assert(sizeof(struct blkif_request) == 112, "x86_64 blkif request");
_Static_assert(sizeof(struct blkif_response) == 16, "x86_64 blkif response");

int blk_init(struct blk_be *be, struct hb *hb)
{
	memset(be, 0, sizeof(*be));
	be->hb = hb;
	be->port = -1;
	be->sectors = (uint64_t)hb->disk_mib << 11;
	be->max_order = hb->ring_order;
	be->sector_size = 512;
	be->disk = calloc(hb->disk_mib, 1u << 20);
	if (!be->disk) {
		hb_log("no memory for a %u MiB disk", hb->disk_mib);
		return -1;
	}
	hb->on_event = blk_on_event;
	hb->on_event_arg = be;
	return 0;
}

void blk_free(struct blk_be *be)
{
	be->hb->on_event = NULL;
	free(be->disk);
	be->disk = NULL;
}

/*
 * Put the device into the store.  first_state is InitWait for the
 * normal handshake; a scenario may start at Connected instead, as a
 * backend does that skips InitWait after a restore.
 */
int blk_create(struct blk_be *be, unsigned int domid, int first_state)
{
	struct hb *hb = be->hb;
	char devid[16], sectors[32], order[16], ssize[16], queues[16];
	const struct hb_node fe_nodes[] = {
		{ "virtual-device", devid },
		{ "device-type", "disk" },
		/*
		 * blkif.h "trusted": the frontend should protect itself.
		 * Last before the end: a NULL name ends the list early.
		 */
		{ hb->untrusted ? "trusted" : NULL, "0" },
		{ NULL, NULL },
	};
	const struct hb_node be_nodes[] = {
		/* What libxl writes for a phy disk, for whoever looks. */
		{ "type", "phy" },
		{ "mode", "w" },
		{ "params", "xenpv-hostile-backend" },
		{ "device-type", "disk" },
		{ "removable", "0" },
		/* What a backend driver publishes. */
		{ "sectors", sectors },
		{ "info", "0" },
		{ "sector-size", ssize },
		{ "physical-sector-size", "512" },
		{ "feature-flush-cache", "1" },
		{ "feature-barrier", "0" },
		{ "feature-discard", "0" },
		{ "feature-persistent", "0" },
		{ "max-ring-page-order", order },
		/* Last before the end, as "trusted" above. */
		{ be->max_queues > 1 ? "multi-queue-max-queues" : NULL, queues },
		{ NULL, NULL },
	};

	snprintf(devid, sizeof(devid), "%u", hb->devid);
	snprintf(sectors, sizeof(sectors), "%llu",
		 (unsigned long long)be->sectors);
	snprintf(order, sizeof(order), "%u", be->max_order);
	snprintf(ssize, sizeof(ssize), "%u", be->sector_size);
	snprintf(queues, sizeof(queues), "%u", be->max_queues);
	dev_init(&be->dev, hb, "vbd", domid, hb->devid);
	return dev_create(&be->dev, fe_nodes, be_nodes, first_state);
}

static int read_ring_refs(struct blk_be *be, const char *dir,
			  unsigned int order, uint32_t *refs)
{
	unsigned long long v;
	unsigned int i;
	char node[32];

	for (i = 0; i < (1u << order); i++) {
		if (order == 0)
			strcpy(node, "ring-ref");
		else
			snprintf(node, sizeof(node), "ring-ref%u", i);
		if (store_read_uint(be->hb, dir, node, &v) ||
		    v > UINT32_MAX) {
			hb_log("vbd: frontend's %s/%s is missing or bad", dir,
			       node);
			return -1;
		}
		refs[i] = v;
	}
	return 0;
}

/* Queue i of a connected vbd: 0 is be itself (see struct blk_be). */
struct blk_be *blk_queue(struct blk_be *be, unsigned int i)
{
	return i ? &be->xq[i - 1] : be;
}

/* Map one queue's ring of 2^order pages and bind its channel (in dir). */
static int connect_ring(struct blk_be *q, const char *dir, unsigned int order)
{
	struct hb *hb = q->hb;
	uint32_t refs[1u << BLK_MAX_ORDER];
	unsigned long long evtchn;

	if (read_ring_refs(q, dir, order, refs))
		return -1;
	if (store_read_uint(hb, dir, "event-channel", &evtchn) ||
	    evtchn > UINT32_MAX) {
		hb_log("vbd: frontend's %s/event-channel is missing or bad",
		       dir);
		return -1;
	}

	q->ring_mem = xengnttab_map_domain_grant_refs(hb->xgt, 1u << order,
						      q->dev.domid, refs,
						      PROT_READ | PROT_WRITE);
	if (!q->ring_mem) {
		hb_log("vbd: mapping the ring (%u pages): %s", 1u << order,
		       strerror(errno));
		return -1;
	}
	q->order = order;
	BACK_RING_INIT(&q->ring, (blkif_sring_t *)q->ring_mem,
		       HB_PAGE_SIZE << order);
	q->port = chan_bind(hb, q->dev.domid, evtchn);
	if (q->port < 0) {
		xengnttab_unmap(hb->xgt, q->ring_mem, 1u << order);
		q->ring_mem = NULL;
		return -1;
	}
	q->connected = true;
	q->broken = false;
	hb_log("vbd: %s: ring of %u page(s), %u slots, port %llu -> %d", dir,
	       1u << order, q->ring.nr_ents, evtchn, q->port);
	return 0;
}

/* The frontend is Initialised: map what it published, go Connected. */
int blk_connect(struct blk_be *be)
{
	struct hb *hb = be->hb;
	unsigned long long order = 0, queues = 1;
	unsigned int i, most = be->max_queues > 1 ? be->max_queues : 1;
	struct blk_be *q;
	char dir[sizeof(be->dev.fe) + 16];
	char *proto;

	proto = store_read(hb, be->dev.fe, "protocol");
	if (proto && strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		/* A 32-bit guest's ring has other offsets: not written. */
		hb_log("vbd: frontend protocol %s is not served", proto);
		free(proto);
		return -1;
	}
	free(proto);
	if (store_read_uint(hb, be->dev.fe, "multi-queue-num-queues",
			    &queues))
		queues = 1;
	if (!queues || queues > most || queues > BLK_MAX_QUEUES) {
		hb_log("vbd: frontend asks %llu queues, we offered %u",
		       queues, most);
		return -1;
	}
	store_read_uint(hb, be->dev.fe, "ring-page-order", &order);
	if (order > be->max_order || order > BLK_MAX_ORDER) {
		hb_log("vbd: frontend's ring-page-order %llu is over our %u",
		       order, be->max_order);
		return -1;
	}
	if (queues == 1) {
		if (connect_ring(be, be->dev.fe, order))
			return -1;
		be->nr_queues = 1;
		return dev_set_state(&be->dev, XenbusStateConnected);
	}

	be->xq = calloc(queues - 1, sizeof(*be->xq));
	if (!be->xq)
		return -1;
	for (i = 1; i < queues; i++) {
		q = &be->xq[i - 1];
		*q = *be;
		q->xq = NULL;
		q->primary = be;
		q->nr_kept = 0;
		q->served = q->failed = 0;
		q->port = -1;
	}
	for (i = 0; i < queues; i++) {
		snprintf(dir, sizeof(dir), "%s/queue-%u", be->dev.fe, i);
		if (connect_ring(blk_queue(be, i), dir, order))
			break;
		be->nr_queues = i + 1;
	}
	if (i < queues) {
		blk_disconnect(be);
		return -1;
	}
	return dev_set_state(&be->dev, XenbusStateConnected);
}

static void disconnect_ring(struct blk_be *q)
{
	if (!q->connected)
		return;
	chan_unbind(q->hb, &q->port);
	if (xengnttab_unmap(q->hb->xgt, q->ring_mem, 1u << q->order))
		hb_log("vbd: unmapping the ring: %s", strerror(errno));
	q->ring_mem = NULL;
	q->connected = false;
}

/*
 * What a backend does on its way to Closed: let go of the rings, and of
 * what the other queues kept (queue 0's kept pages are the scenario's).
 */
void blk_disconnect(struct blk_be *be)
{
	bool was = be->connected;
	unsigned int i;

	for (i = 1; i < be->nr_queues; i++) {
		disconnect_ring(blk_queue(be, i));
		blk_release_kept(blk_queue(be, i));
	}
	free(be->xq);
	be->xq = NULL;
	be->nr_queues = 0;
	disconnect_ring(be);
	if (was)
		hb_log("vbd: disconnected after %lu answers (%lu failed)",
		       be->served, be->failed);
}

/*
 * The whole well-behaved start: device in the store, wait for the
 * frontend's rings, connect, and answer its requests until it says
 * Connected (it reads the partition table before it does).
 */
int blk_attach(struct blk_be *be, unsigned int domid)
{
	int tmo = be->hb->timeout * 1000, st;

	if (blk_create(be, domid, XenbusStateInitWait))
		return -1;
	st = dev_wait_fe_state(&be->dev, XB_MASK(XenbusStateInitialised) |
			       XB_MASK(XenbusStateConnected) | XB_MASK_DOWN,
			       tmo);
	if (st != XenbusStateInitialised && st != XenbusStateConnected)
		return -1;
	if (blk_connect(be))
		return -1;
	be->serving = true;
	st = dev_wait_fe_state(&be->dev, XB_MASK(XenbusStateConnected) |
			       XB_MASK_DOWN, tmo);
	return st == XenbusStateConnected ? 0 : -1;
}

/*
 * Closing, as a backend that goes away does it: wait for the frontend
 * to close (it may still send requests; they are answered if serving
 * is on), then let go of the ring and say Closed.  Returns the state
 * the frontend reached, or -1 if it never closed.
 */
int blk_close(struct blk_be *be, int timeout_ms)
{
	int st;

	if (dev_set_state(&be->dev, XenbusStateClosing))
		return -1;
	st = dev_wait_fe_state(&be->dev, XB_MASK_DOWN, timeout_ms);
	blk_disconnect(be);
	if (st != XB_GONE)
		dev_set_state(&be->dev, XenbusStateClosed);
	return st;
}

/* Leave nothing behind: whatever state the scenario left us in. */
void blk_teardown(struct blk_be *be)
{
	if (be->connected && be->dev.created && !hb_stopping)
		blk_close(be, be->hb->timeout * 1000);
	blk_disconnect(be);
	dev_remove(&be->dev);
	blk_release_kept(be);
}

/*
 * Copy out the next request, if any.  1: got one; 0: none (the
 * frontend will notify us for the next, req_event is set); -1: the
 * frontend's producer index is impossible and the ring is broken.
 */
int blk_get_request(struct blk_be *be, struct blkif_request *req)
{
	blkif_back_ring_t *r = &be->ring;
	RING_IDX prod;

	if (!be->connected || be->broken)
		return -1;
	for (;;) {
		prod = r->sring->req_prod;
		xen_rmb();	/* the slots are read after the index */
		if (prod - r->req_cons > r->nr_ents) {
			hb_log("vbd: frontend's req_prod %u is %u past our %u",
			       prod, prod - r->req_cons, r->req_cons);
			be->broken = true;
			return -1;
		}
		if (prod != r->req_cons)
			break;
		/* Ask for an event at the next request, then look again. */
		r->sring->req_event = r->req_cons + 1;
		xen_mb();
		if (r->sring->req_prod == prod)
			return 0;
	}
	/* A copy: the guest may rewrite the slot while we look at it. */
	memcpy(req, RING_GET_REQUEST(r, r->req_cons), sizeof(*req));
	r->req_cons++;
	return 1;
}

/*
 * Wait for a request whose operation is in op_mask and return it
 * unanswered; requests of other operations met meanwhile are served.
 * 1: got one; 0: timeout; -1: broken or told to stop.
 */
int blk_next_request(struct blk_be *be, struct blkif_request *req,
		     int timeout_ms, unsigned int op_mask)
{
	double end = hb_now() + timeout_ms / 1000.0;
	bool was_serving = be->serving;
	int rc = 0;

	be->serving = false;
	while (hb_now() < end) {
		rc = blk_get_request(be, req);
		if (rc < 0)
			break;
		if (rc > 0) {
			if (req->operation < 32 &&
			    (op_mask & BLK_OP(req->operation)))
				break;
			blk_serve_one(be, req);
			blk_push(be);
			rc = 0;
			continue;
		}
		if (hb_wait(be->hb, 200) < 0) {
			rc = -1;
			break;
		}
	}
	be->serving = was_serving;
	return rc;
}

/*
 * Do the I/O of one request against the disk; the status to answer.
 * keep: leave its pages mapped (keep-mapped), up to 16 requests.
 */
int blk_do_io(struct blk_be *be, const struct blkif_request *req, bool keep)
{
	struct hb *hb = be->hb;
	uint32_t refs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	unsigned int i, n = req->nr_segments, len;
	uint64_t sector = req->sector_number, total = 0;
	bool is_read = req->operation == BLKIF_OP_READ;
	unsigned char *pages;
	int prot;

	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		/* The disk is memory: nothing to flush, data is a write. */
		if (!n)
			return BLKIF_RSP_OKAY;
		break;
	default:
		/* Not offered: discard, barrier, indirect. */
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (n == 0 || n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	for (i = 0; i < n; i++) {
		const struct blkif_request_segment *s = &req->seg[i];

		if (s->first_sect > s->last_sect ||
		    s->last_sect >= HB_PAGE_SIZE / 512)
			return BLKIF_RSP_ERROR;
		refs[i] = s->gref;
		total += s->last_sect - s->first_sect + 1;
	}
	if (sector > be->sectors || total > be->sectors - sector)
		return BLKIF_RSP_ERROR;

	/* A read writes into the guest's pages: it granted them writable. */
	prot = is_read ? PROT_READ | PROT_WRITE : PROT_READ;
	pages = xengnttab_map_domain_grant_refs(hb->xgt, n, be->dev.domid,
						refs, prot);
	if (!pages) {
		hb_log("vbd: mapping %u data page(s): %s", n, strerror(errno));
		return BLKIF_RSP_ERROR;
	}
	for (i = 0; i < n; i++) {
		const struct blkif_request_segment *s = &req->seg[i];
		unsigned char *p = pages + i * HB_PAGE_SIZE + s->first_sect * 512;
		unsigned char *d = be->disk + sector * 512;

		len = (s->last_sect - s->first_sect + 1) * 512;
		if (is_read)
			memcpy(p, d, len);
		else
			memcpy(d, p, len);
		sector += len / 512;
	}
	if (keep && be->nr_kept < ARRAY_SIZE(be->kept)) {
		be->kept[be->nr_kept].addr = pages;
		be->kept[be->nr_kept].pages = n;
		be->kept[be->nr_kept].writable = is_read;
		be->nr_kept++;
	} else if (xengnttab_unmap(hb->xgt, pages, n)) {
		hb_log("vbd: unmapping %u data page(s): %s", n,
		       strerror(errno));
	}
	return BLKIF_RSP_OKAY;
}

/* Queue an answer, any answer: nothing checks it matches a request. */
void blk_put_response(struct blk_be *be, uint64_t id, uint8_t op,
		      int16_t status)
{
	blkif_response_t *rsp;

	rsp = RING_GET_RESPONSE(&be->ring, be->ring.rsp_prod_pvt);
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	be->ring.rsp_prod_pvt++;
}

/* Publish the queued answers, notifying only as rsp_event asks. */
void blk_push(struct blk_be *be)
{
	int notify;

	if (!be->connected)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be->ring, notify);
	if (notify)
		chan_notify(be->hb, be->port);
}

/* Publish any producer index we like, and always notify. */
void blk_push_raw(struct blk_be *be, RING_IDX rsp_prod)
{
	xen_wmb();	/* the answers queued so far land before the index */
	be->ring.sring->rsp_prod = rsp_prod;
	xen_mb();	/* and the index before the event */
	chan_notify(be->hb, be->port);
}

void blk_serve_one(struct blk_be *be, const struct blkif_request *req)
{
	struct blk_be *p = be->primary ? be->primary : be;
	int status = blk_do_io(be, req, false);

	blk_put_response(be, req->id, req->operation, status);
	p->served++;
	if (status != BLKIF_RSP_OKAY)
		p->failed++;
}

static void blk_drain(struct blk_be *be)
{
	struct blkif_request req;

	while (blk_get_request(be, &req) > 0)
		blk_serve_one(be, &req);
	blk_push(be);
}

void blk_on_event(void *arg, unsigned int port)
{
	struct blk_be *be = arg, *q;
	unsigned int i;

	for (i = 0; be->serving && i < (be->nr_queues ?: 1); i++) {
		q = blk_queue(be, i);
		if (q->connected && (int)port == q->port)
			blk_drain(q);
	}
}

/*
 * Serve correctly until want more requests are answered or timeout_ms
 * passes; the number answered.
 */
unsigned long blk_serve(struct blk_be *be, unsigned long want, int timeout_ms)
{
	double end = hb_now() + timeout_ms / 1000.0;
	unsigned long start = be->served;
	bool was_serving = be->serving;
	unsigned int i;

	be->serving = true;
	for (i = 0; i < (be->nr_queues ?: 1); i++)
		blk_drain(blk_queue(be, i));
	while (be->served - start < want && hb_now() < end && !be->broken)
		if (hb_wait(be->hb, 200) < 0)
			break;
	be->serving = was_serving;
	return be->served - start;
}

void blk_release_kept(struct blk_be *be)
{
	unsigned int i;

	for (i = 0; i < be->nr_kept; i++)
		if (xengnttab_unmap(be->hb->xgt, be->kept[i].addr,
				    be->kept[i].pages))
			hb_log("vbd: unmapping kept pages: %s",
			       strerror(errno));
	if (be->nr_kept)
		hb_log("vbd: released %u kept mapping(s)", be->nr_kept);
	be->nr_kept = 0;
}
