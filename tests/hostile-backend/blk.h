/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vbd backend (blk-ring.c) for the blk scenarios (blk-scenarios.c):
 * it serves requests correctly from an in-memory disk until a scenario
 * uses the primitives below to answer wrongly.
 */
#ifndef HB_BLK_H
#define HB_BLK_H

#include "hbackend.h"

#include <xen/io/blkif.h>

/* Highest ring order we map: 16 pages, as much as a frontend asks. */
#define BLK_MAX_ORDER	4

/* Most queues (rings) we offer a multi-queue frontend. */
#define BLK_MAX_QUEUES	4

/* A request's data pages we keep mapped past its answer (keep-mapped). */
struct blk_kept {
	void *addr;
	unsigned int pages;
	bool writable;
};

struct blk_be {
	struct hb *hb;
	struct hb_dev dev;
	unsigned char *disk;
	uint64_t sectors;		/* of 512 bytes, as blkif counts */
	unsigned int max_order;		/* max-ring-page-order we offer */
	unsigned int sector_size;	/* the sector-size we publish */
	unsigned int max_queues;	/* multi-queue-max-queues (<= 1: none) */

	/* The connection, while connected. */
	bool connected;
	unsigned int order;
	void *ring_mem;
	blkif_back_ring_t ring;
	int port;
	bool broken;			/* the frontend broke its ring: stop */

	/*
	 * Queues of a multi-queue frontend, while connected: queue 0 is
	 * this one, queue i > 0 is xq[i - 1], a copy of this one with a
	 * ring and a channel of its own (blk_queue()), so that every
	 * primitive below works on any of them.  A copy's primary is us:
	 * it counts its answers there and serves when we do.
	 */
	unsigned int nr_queues;
	struct blk_be *xq;
	struct blk_be *primary;

	/* Answer requests whenever the channel fires (hb->on_event). */
	bool serving;

	unsigned long served, failed;
	struct blk_kept kept[64];
	unsigned int nr_kept;
};

int blk_init(struct blk_be *be, struct hb *hb);
void blk_free(struct blk_be *be);
int blk_create(struct blk_be *be, unsigned int domid, int first_state);
int blk_connect(struct blk_be *be);
void blk_disconnect(struct blk_be *be);
int blk_attach(struct blk_be *be, unsigned int domid);
int blk_close(struct blk_be *be, int timeout_ms);
void blk_teardown(struct blk_be *be);

struct blk_be *blk_queue(struct blk_be *be, unsigned int i);
int blk_get_request(struct blk_be *be, struct blkif_request *req);
int blk_next_request(struct blk_be *be, struct blkif_request *req,
		     int timeout_ms, unsigned int op_mask);
int blk_do_io(struct blk_be *be, const struct blkif_request *req, bool keep);
void blk_put_response(struct blk_be *be, uint64_t id, uint8_t op,
		      int16_t status);
void blk_push(struct blk_be *be);
void blk_push_raw(struct blk_be *be, RING_IDX rsp_prod);
void blk_serve_one(struct blk_be *be, const struct blkif_request *req);
unsigned long blk_serve(struct blk_be *be, unsigned long want, int timeout_ms);
void blk_release_kept(struct blk_be *be);
/* hb->on_event of a served vbd: its arg is the struct blk_be. */
void blk_on_event(void *arg, unsigned int port);

#define BLK_OP(op)	(1u << (op))
#define BLK_OPS_RW	(BLK_OP(BLKIF_OP_READ) | BLK_OP(BLKIF_OP_WRITE))

#endif
