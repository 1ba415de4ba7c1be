// SPDX-License-Identifier: GPL-2.0
/*
 * The blk scenarios: each one connects a well-behaved vbd, answers
 * some requests correctly (the warm-up, so the guest's disk is really
 * up and busy), then breaks one rule of blkif.h, watches what the
 * frontend does for a while, and tears the device down as a toolstack
 * would.  main.c's comment lists them with what the guest must survive.
 *
 * What the frontend does is logged ("frontend Closed", "still
 * Connected after 60 s", how many answers it took), never judged here:
 * whether the guest survived can only be seen from inside it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"

/* Seconds to watch the frontend after the misbehaviour. */
#define OBSERVE_S	10

static unsigned int opt(unsigned int val, unsigned int dflt)
{
	return val ? val : dflt;
}

static int tmo_ms(struct hb *hb)
{
	return hb->timeout * 1000;
}

/* Connect and warm up; HB_EXIT_DONE or why not. */
static int start(struct blk_be *be, struct hb *hb)
{
	unsigned long n;

	if (blk_init(be, hb))
		return HB_EXIT_SETUP;
	if (blk_attach(be, hb->domid))
		return HB_EXIT_SETUP;
	n = blk_serve(be, hb->warmup, tmo_ms(hb));
	hb_log("warm-up: %lu good answer(s)%s", n,
	       n < hb->warmup ? " (the guest is not doing I/O on it?)" : "");
	return HB_EXIT_DONE;
}

static int finish(struct blk_be *be, int rc)
{
	blk_teardown(be);
	blk_free(be);
	return rc;
}

/* Let the frontend react; keep answering if serve (the ring is sane). */
static void observe(struct blk_be *be, bool serve, unsigned int seconds)
{
	double end = hb_now() + seconds;
	unsigned long before = be->served;
	bool was_serving = be->serving;

	be->serving = serve;
	while (hb_now() < end && be->dev.fe_state != XB_GONE) {
		/*
		 * An event taken while we were not serving is gone, and the
		 * frontend only notifies again past req_event: look at the
		 * ring ourselves, or its requests wait for ever.
		 */
		if (serve)
			blk_serve(be, 0, 0);
		if (hb_wait(be->hb, 200) < 0)
			break;
		dev_fe_state(&be->dev);
	}
	/*
	 * A ring we wrecked stays unserved through the teardown too:
	 * serving would publish rsp_prod_pvt again and mend the index.
	 */
	if (serve)
		be->serving = was_serving;
	hb_log("observed %u s: frontend %s, %lu more answer(s)", seconds,
	       xb_state_name(be->dev.fe_state), be->served - before);
}

/* The next read or write, unanswered; HB_EXIT_* if none comes. */
static int grab(struct blk_be *be, struct blkif_request *req,
		unsigned int ops)
{
	int rc = blk_next_request(be, req, tmo_ms(be->hb), ops);

	if (rc > 0) {
		hb_log("holding request id %llu op %u, %u segment(s) at sector %llu",
		       (unsigned long long)req->id, req->operation,
		       req->nr_segments,
		       (unsigned long long)req->sector_number);
		return HB_EXIT_DONE;
	}
	hb_log("no %s request came: scenario not exercised",
	       ops == BLK_OP(BLKIF_OP_READ) ? "read" : "read/write");
	return HB_EXIT_NOT_EXERCISED;
}

/* A healthy backend for -t seconds: the baseline for every test. */
static int normal(struct hb *hb)
{
	struct blk_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		observe(&be, true, opt(hb->seconds, 30));
	return finish(&be, rc);
}

/*
 * rsp_prod past every request the frontend made: a frontend that
 * believes it reads slots it never filled (stale or zero ids).
 *  -V 0: one ring past its requests; -V 1: 2^31 past.
 */
static int prod_ahead(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	RING_IDX prod;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		prod = be.ring.rsp_prod_pvt +
		       (hb->variant ? 0x80000000u : be.ring.nr_ents + 1);
		hb_log("rsp_prod %u, %u past our last answer", prod,
		       prod - be.ring.rsp_prod_pvt);
		blk_push_raw(&be, prod);
		observe(&be, false, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * rsp_prod moved back below answers the frontend has consumed.
 *  -V 0: back by one; -V 1: back by a whole ring.
 */
static int prod_behind(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	RING_IDX prod;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		prod = be.ring.rsp_prod_pvt -
		       (hb->variant ? be.ring.nr_ents : 1);
		hb_log("rsp_prod %u, back from %u", prod,
		       be.ring.rsp_prod_pvt);
		blk_push_raw(&be, prod);
		observe(&be, false, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * Answer a real request (its data really transferred) under an id the
 * frontend never issued.  -V 0: the ring size (one past any slot
 * index); -V 1: all ones; -V 2: the right id plus 2^32 (a frontend
 * that keeps only 32 bits takes it for the right one).
 */
static int bad_id(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	uint64_t id;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		if (hb->variant == 1)
			id = ~0ULL;
		else if (hb->variant == 2)
			id = req.id + (1ULL << 32);
		else
			id = be.ring.nr_ents;
		hb_log("answering id %llu as id %llu",
		       (unsigned long long)req.id, (unsigned long long)id);
		blk_put_response(&be, id, req.operation,
				 blk_do_io(&be, &req, false));
		blk_push(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/* The same request answered twice in one batch. */
static int dup_id(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		blk_serve_one(&be, &req);
		blk_put_response(&be, req.id, req.operation, BLKIF_RSP_OKAY);
		hb_log("answered id %llu twice", (unsigned long long)req.id);
		blk_push(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * An answer, long after the fact, for a request that was answered
 * already: when the ring is idle (nothing of the guest's in flight
 * with us), so the id names a free slot, or one a newer request took.
 */
static int stale_id(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		blk_serve_one(&be, &req);
		blk_push(&be);
		blk_serve(&be, opt(hb->count, 64), tmo_ms(hb));
		hb_log("answering id %llu again, %lu answers later",
		       (unsigned long long)req.id, be.served);
		blk_put_response(&be, req.id, req.operation, BLKIF_RSP_OKAY);
		blk_push(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * A read answered with another operation.  -V 0: WRITE; -V 1: 0xee
 * (no operation); -V 2: INDIRECT.
 */
static int bad_op(struct hb *hb)
{
	static const uint8_t ops[] = { BLKIF_OP_WRITE, 0xee,
				       BLKIF_OP_INDIRECT };
	struct blkif_request req;
	struct blk_be be;
	uint8_t op = ops[hb->variant % 3];
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OP(BLKIF_OP_READ));
	if (rc == HB_EXIT_DONE) {
		hb_log("answering a read with operation %u", op);
		blk_put_response(&be, req.id, op, blk_do_io(&be, &req, false));
		blk_push(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * A read or write answered with a status blkif.h does not define, or
 * with one that makes no sense for it.  -V 0: 0x1234; -V 1: -32768;
 * -V 2: EOPNOTSUPP; -V 3: +1.
 */
static int bad_status(struct hb *hb)
{
	static const int16_t sts[] = { 0x1234, -32768, BLKIF_RSP_EOPNOTSUPP,
				       1 };
	struct blkif_request req;
	struct blk_be be;
	int16_t st = sts[hb->variant % 4];
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &req, BLK_OPS_RW);
	if (rc == HB_EXIT_DONE) {
		blk_do_io(&be, &req, false);
		hb_log("answering id %llu with status %d",
		       (unsigned long long)req.id, st);
		blk_put_response(&be, req.id, req.operation, st);
		blk_push(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

static void write_canary(struct blk_be *be)
{
	size_t clen = strlen(be->hb->canary);
	unsigned int i, p;
	size_t off;

	for (i = 0; i < be->nr_kept; i++) {
		if (!be->kept[i].writable)
			continue;
		for (p = 0; p < be->kept[i].pages; p++) {
			unsigned char *pg = (unsigned char *)be->kept[i].addr +
					    p * HB_PAGE_SIZE;

			for (off = 0; off + clen <= HB_PAGE_SIZE; off += clen)
				memcpy(pg + off, be->hb->canary, clen);
		}
	}
}

/*
 * Keep a read's data pages mapped (writable: the guest granted them so
 * for us to fill) after answering it, close the device, remove it,
 * and then write the canary into those pages every 100 ms for -t
 * seconds (60).  A frontend that could not revoke the grants must
 * never give those pages back to its kernel; if it did, the canary
 * shows up in memory the guest reuses.
 *  -V 0: one read's pages; -V 1: the next 16 reads' pages.
 */
static int keep_mapped(struct hb *hb)
{
	struct blkif_request req;
	struct blk_be be;
	unsigned int i, pages = 0, reads = hb->variant ? 16 : 1;
	double end;
	int rc = start(&be, hb);

	for (i = 0; rc == HB_EXIT_DONE && i < reads; i++) {
		rc = grab(&be, &req, BLK_OP(BLKIF_OP_READ));
		if (rc != HB_EXIT_DONE)
			break;
		blk_put_response(&be, req.id, req.operation,
				 blk_do_io(&be, &req, true));
		blk_push(&be);
		be.served++;
	}
	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	for (i = 0; i < be.nr_kept; i++)
		pages += be.kept[i].pages;
	hb_log("keeping %u page(s) of %u read(s) mapped", pages, be.nr_kept);
	/* Let the guest use (and free) what those reads filled. */
	blk_serve(&be, ~0UL, 5000);
	blk_close(&be, tmo_ms(hb));
	dev_remove(&be.dev);

	end = hb_now() + opt(hb->seconds, 60);
	hb_log("canary %s into %u page(s) for %u s", hb->canary, pages,
	       opt(hb->seconds, 60));
	while (hb_now() < end && hb_wait(hb, 100) >= 0)
		write_canary(&be);
	hb_log("canary phase over");
	return finish(&be, rc);
}

/*
 * Closing while requests are in flight: requests arriving in the 2 s
 * after the warm-up are held unanswered, then we say Closing and wait
 * -T seconds for the frontend to reach Closed.  -V 0: the held
 * requests are never answered (the device is removed with them in
 * flight); -V 1: they are answered once the frontend is Closed.
 */
static int close_inflight(struct hb *hb)
{
	struct blkif_request held[64];
	unsigned int n = 0, i;
	struct blk_be be;
	double end, t0;
	int rc = start(&be, hb), st;

	if (rc == HB_EXIT_DONE)
		rc = grab(&be, &held[n++], BLK_OPS_RW);
	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	be.serving = false;
	end = hb_now() + 2;
	while (n < 64 && hb_now() < end) {
		if (blk_get_request(&be, &held[n]) > 0)
			n++;
		else if (hb_wait(hb, 100) < 0)
			break;
	}
	hb_log("%u request(s) in flight; Closing", n);
	t0 = hb_now();
	dev_set_state(&be.dev, XenbusStateClosing);
	st = dev_wait_fe_state(&be.dev, XB_MASK_DOWN, tmo_ms(hb));
	if (st < 0)
		hb_log("the frontend did not close with I/O in flight");
	else
		hb_log("frontend %s %.1f s after Closing", xb_state_name(st),
		       hb_now() - t0);
	if (hb->variant == 1 && st == XenbusStateClosed) {
		for (i = 0; i < n; i++)
			blk_serve_one(&be, &held[i]);
		blk_push(&be);
		hb_log("answered the %u held request(s) late", n);
	}
	blk_disconnect(&be);
	dev_set_state(&be.dev, XenbusStateClosed);
	/* What a toolstack does next; the frontend must fail the rest. */
	return finish(&be, rc);
}

/*
 * Closing while requests wait to be dispatched (issue 12, finding 11):
 * two queues of one-page rings, which the guest fills (the test asks it
 * to flood the disk from both vCPUs).  We take every request and answer
 * none: both rings stay full, and blk-mq's tags, one per slot, are all
 * taken, so further readers sleep waiting for one.  Then we answer all
 * of queue 0's requests without an event (the frontend finds the
 * answers when it disconnects, as a backend's last ones) and say
 * Closing.  A frontend that takes the answers and fails its rings one
 * by one frees queue 0's tags and slots first: a reader waiting for a
 * tag wakes and dispatches to queue 0 at once, while queue 1 is still
 * being failed (slowly: we keep its requests' pages mapped, and each is
 * given up, with a message).  Unless the frontend held dispatch off
 * before it began, that request meets a device still "connected" and a
 * ring with room: it lands there, nobody ever completes it and deleting
 * the disk waits for it for ever.
 *
 * We log what reaches each ring after Closing: a request there is the
 * race lost by the frontend.
 */
static int close_dispatch(struct hb *hb)
{
	unsigned int held[BLK_MAX_QUEUES] = { 0 }, late[BLK_MAX_QUEUES] = { 0 };
	struct blkif_request req, q0[32];
	int q0_status[32];
	struct blk_be be, *q;
	unsigned int i, full;
	double end, t0;
	int rc = HB_EXIT_DONE, st = -1;

	if (blk_init(&be, hb))
		return HB_EXIT_SETUP;
	be.max_order = 0;
	be.max_queues = 2;
	if (blk_attach(&be, hb->domid))
		return finish(&be, HB_EXIT_SETUP);
	if (be.nr_queues < 2) {
		hb_log("the frontend took %u queue: scenario not exercised",
		       be.nr_queues);
		return finish(&be, HB_EXIT_NOT_EXERCISED);
	}
	hb_log("warm-up: %lu good answer(s)",
	       blk_serve(&be, hb->warmup, tmo_ms(hb)));
	be.serving = false;
	hb_log("holding every request until %u rings are full",
	       be.nr_queues);
	end = hb_now() + hb->timeout;
	do {
		for (i = 0, full = 0; i < be.nr_queues; i++) {
			q = blk_queue(&be, i);
			while (blk_get_request(q, &req) > 0) {
				if (i || held[0] >= ARRAY_SIZE(q0)) {
					blk_do_io(q, &req, true);
				} else {
					q0[held[0]] = req;
					q0_status[held[0]] = blk_do_io(q, &req,
								       false);
				}
				held[i]++;
			}
			full += held[i] >= q->ring.nr_ents;
		}
	} while (full < be.nr_queues && hb_now() < end &&
		 hb_wait(hb, 100) >= 0);
	hb_log("held %u + %u request(s) of %u + %u slots", held[0], held[1],
	       be.ring.nr_ents, blk_queue(&be, 1)->ring.nr_ents);
	if (full < be.nr_queues) {
		hb_log("the rings never filled: scenario not exercised");
		rc = HB_EXIT_NOT_EXERCISED;
		goto out;
	}
	/* Time for more readers to go to sleep waiting for a tag. */
	end = hb_now() + 2;
	while (hb_now() < end && hb_wait(hb, 100) >= 0)
		;
	/* Queue 0's answers, published with no event: found at Closing. */
	for (i = 0; i < held[0] && i < ARRAY_SIZE(q0); i++)
		blk_put_response(&be, q0[i].id, q0[i].operation, q0_status[i]);
	RING_PUSH_RESPONSES(&be.ring);
	be.served += i;
	hb_log("rings full; queue 0's %u answer(s) published silently; Closing",
	       i);
	t0 = hb_now();
	dev_set_state(&be.dev, XenbusStateClosing);
	end = t0 + hb->timeout;
	while (hb_now() < end) {
		for (i = 0; i < be.nr_queues; i++) {
			q = blk_queue(&be, i);
			while (blk_get_request(q, &req) > 0) {
				if (!late[i])
					hb_log("queue %u: request id %llu after Closing (%.2f s)",
					       i, (unsigned long long)req.id,
					       hb_now() - t0);
				late[i]++;
			}
		}
		st = dev_fe_state(&be.dev);
		if (XB_MASK(st) & XB_MASK_DOWN)
			break;
		st = -1;
		if (hb_wait(hb, 200) < 0)
			break;
	}
	hb_log("after Closing: %u + %u request(s) reached the rings", late[0],
	       late[1]);
	if (st < 0)
		hb_log("the frontend did not close with requests waiting");
	else
		hb_log("frontend %s %.1f s after Closing", xb_state_name(st),
		       hb_now() - t0);
out:
	blk_disconnect(&be);
	dev_set_state(&be.dev, XenbusStateClosed);
	return finish(&be, rc);
}

/*
 * Add, use, close and remove the device -n times (200), as a toolstack
 * hot-plugging it would, quickly: every cycle is a new ring and a new
 * event channel in the guest, and must cost it nothing that stays.
 */
static int cycle(struct hb *hb)
{
	unsigned int i, n = opt(hb->count, 200);
	struct blk_be be;
	double t0 = hb_now();
	int rc = HB_EXIT_DONE;

	if (blk_init(&be, hb))
		return HB_EXIT_SETUP;
	for (i = 0; i < n && !hb_stopping; i++) {
		if (blk_attach(&be, hb->domid)) {
			hb_log("round %u: the frontend did not connect", i);
			rc = i ? HB_EXIT_DONE : HB_EXIT_SETUP;
			break;
		}
		blk_serve(&be, 4, 1000);
		if (blk_close(&be, tmo_ms(hb)) < 0)
			hb_log("round %u: the frontend did not close", i);
		dev_remove(&be.dev);
		/* The guest drops its device asynchronously; let it. */
		hb_wait(hb, 500);
		if (i % 10 == 9)
			hb_log("%u cycles in %.0f s", i + 1, hb_now() - t0);
	}
	hb_log("%u of %u add/remove rounds done", i, n);
	return finish(&be, rc);
}

/*
 * Connected -> Closing -> Connected -n times (200) on the same device,
 * never through InitWait: once the frontend is Closed we say Connected
 * again.  If it publishes new rings we connect them and serve; if it
 * stays Closed (a frontend may refuse to reconnect that way) that is
 * logged and we flap on.
 */
static int flap(struct hb *hb)
{
	unsigned int i, n = opt(hb->count, 200), reconnected = 0;
	struct blk_be be;
	int rc = start(&be, hb), st;

	for (i = 0; rc == HB_EXIT_DONE && i < n && !hb_stopping; i++) {
		st = blk_close(&be, tmo_ms(hb));
		if (st == XB_GONE || st < 0)
			break;
		dev_set_state(&be.dev, XenbusStateConnected);
		st = dev_wait_fe_state(&be.dev,
				       XB_MASK(XenbusStateInitialised) |
				       XB_MASK(XenbusStateConnected) |
				       XB_MASK(XB_GONE), 5000);
		if (st == XenbusStateInitialised || st == XenbusStateConnected) {
			if (blk_connect(&be))
				break;
			reconnected++;
			blk_serve(&be, 4, 1000);
		}
		if (i % 10 == 9)
			hb_log("%u flaps, %u reconnected", i + 1, reconnected);
	}
	hb_log("%u of %u flaps, the frontend reconnected %u time(s)", i, n,
	       reconnected);
	return finish(&be, rc);
}

/*
 * Notify in a tight loop for -t seconds (30) without answering
 * anything new, while still serving real requests between bursts;
 * then 10 s of normal service, to show the disk still works.
 *  -V 0: serve between bursts; -V 1: do not.
 */
static int event_storm(struct hb *hb)
{
	struct blk_be be;
	unsigned long sent = 0, before;
	double end, t0;
	int rc = start(&be, hb);

	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	be.serving = !hb->variant;
	t0 = hb_now();
	end = t0 + opt(hb->seconds, 30);
	while (!hb_stopping && hb_now() < end) {
		chan_notify(hb, be.port);
		if (++sent % 256 == 0 && hb_wait(hb, 0) < 0)
			break;
	}
	hb_log("storm: %lu events in %.1f s (%.0f/s)", sent, hb_now() - t0,
	       sent / (hb_now() - t0));
	before = be.served;
	blk_serve(&be, ~0UL, 10000);
	hb_log("after the storm: %lu answer(s) in 10 s", be.served - before);
	return finish(&be, rc);
}

/*
 * Rewrite our "state" node -n times (20000) as fast as the store takes
 * it, answering requests between writes.
 *  -V 0: "4" (Connected) again and again: one watch event each;
 *  -V 1: every state, and values that are none (7, 99, -1, "abc", "",
 *        a 2000-character number);
 *  -V 2: "sectors" instead: 0, 2^64-1, garbage, the real size.
 * Then the real state and size again and 10 s of service.
 */
static int state_loop(struct hb *hb)
{
	static const char *const states[] = {
		"4", "5", "4", "2", "3", "6", "1", "0", "7", "99", "-1",
		"abc", "", "4 ", "04", NULL,
	};
	static const char *const sizes[] = {
		"0", "18446744073709551615", "1x", "-5", "9223372036854775807",
		NULL, /* the real size */
	};
	unsigned int i, n = opt(hb->count, 20000);
	char longval[2001];
	struct blk_be be;
	double t0;
	int rc = start(&be, hb);

	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	memset(longval, '4', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = 0;
	t0 = hb_now();
	for (i = 0; i < n && !hb_stopping; i++) {
		if (hb->variant == 2) {
			const char *v = sizes[i % 6];

			if (v)
				store_write(hb, be.dev.be, "sectors", "%s", v);
			else
				store_write(hb, be.dev.be, "sectors", "%llu",
					    (unsigned long long)be.sectors);
			store_write(hb, be.dev.be, "state", "4");
		} else if (hb->variant == 1) {
			const char *v = states[i % 16];

			store_write(hb, be.dev.be, "state", "%s",
				    v ? v : longval);
		} else {
			store_write(hb, be.dev.be, "state", "4");
		}
		if (i % 64 == 63 && hb_wait(hb, 0) < 0)
			break;
	}
	hb_log("state-loop: %u writes in %.1f s", i, hb_now() - t0);
	store_write(hb, be.dev.be, "sectors", "%llu",
		    (unsigned long long)be.sectors);
	dev_set_state(&be.dev, XenbusStateConnected);
	/* The frontend may have closed and set up new rings meanwhile. */
	if (dev_wait_fe_state(&be.dev, XB_MASK(XenbusStateInitialised) |
			      XB_MASK(XenbusStateConnected) | XB_MASK_DOWN,
			      5000) == XenbusStateInitialised) {
		blk_disconnect(&be);
		if (blk_connect(&be))
			return finish(&be, rc);
	}
	i = blk_serve(&be, ~0UL, 10000);
	hb_log("after the loop: frontend %s, %u answer(s) in 10 s",
	       xb_state_name(dev_fe_state(&be.dev)), i);
	return finish(&be, rc);
}

/*
 * Follow the guest through "xl save" + "xl restore" (or a migration),
 * which the test runs while we wait: when its domain is gone, put our
 * device into the new domain's store, as first_state, offering
 * max-ring-page-order new_order and sectors of new_ssize bytes, before
 * its frontends resume.
 */
static int follow_restore(struct hb *hb, unsigned int new_order,
			  int first_state, unsigned int new_ssize)
{
	struct blk_be be;
	unsigned int old_order;
	int rc, st, id;

	if (!hb->ring_order)
		hb->ring_order = BLK_MAX_ORDER;
	rc = start(&be, hb);
	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	old_order = be.order;
	hb_log("ring order %u; waiting %u s for the guest to be saved",
	       old_order, opt(hb->seconds, 600));
	st = dev_wait_fe_state(&be.dev, XB_MASK(XB_GONE),
			       opt(hb->seconds, 600) * 1000);
	blk_disconnect(&be);
	dev_remove(&be.dev);
	if (st != XB_GONE)
		return finish(&be, HB_EXIT_NOT_EXERCISED);
	id = hb_wait_new_domain(hb, hb->domid, opt(hb->seconds, 600) * 1000);
	if (id < 0)
		return finish(&be, HB_EXIT_NOT_EXERCISED);
	hb->domid = id;
	be.max_order = new_order;
	be.sector_size = new_ssize;
	if (new_ssize != 512)
		hb_log("after the restore: sector-size %u, was 512", new_ssize);
	if (blk_create(&be, id, first_state))
		return finish(&be, HB_EXIT_SETUP);
	st = dev_wait_fe_state(&be.dev, XB_MASK(XenbusStateInitialised) |
			       XB_MASK(XenbusStateConnected) | XB_MASK_DOWN,
			       tmo_ms(hb));
	if (st == XenbusStateConnected) {
		char *ec = store_read(hb, be.dev.fe, "event-channel");

		if (!ec)
			hb_log("the frontend says Connected without a ring");
		free(ec);
	}
	if (st == XenbusStateInitialised || st == XenbusStateConnected) {
		if (blk_connect(&be) == 0) {
			hb_log("reconnected: ring order %u, was %u", be.order,
			       old_order);
			dev_wait_fe_state(&be.dev,
					  XB_MASK(XenbusStateConnected) |
					  XB_MASK_DOWN, tmo_ms(hb));
			hb_log("after the restore: %lu answer(s) in 20 s",
			       blk_serve(&be, ~0UL, 20000));
		}
	}
	return finish(&be, HB_EXIT_DONE);
}

/* Offer order -r (4) first, 0 after the restore (finding 5). */
static int ring_shrink(struct hb *hb)
{
	return follow_restore(hb, 0, XenbusStateInitWait, 512);
}

/* After the restore go straight to Connected, no InitWait (finding 2). */
static int restore_connected(struct hb *hb)
{
	return follow_restore(hb, hb->ring_order, XenbusStateConnected, 512);
}

/* The same disk after the restore, said to have 4 KiB sectors. */
static int restore_sector(struct hb *hb)
{
	return follow_restore(hb, hb->ring_order, XenbusStateInitWait, 4096);
}

const struct hb_scenario blk_scenarios[] = {
	{ "blk-normal", "a correct backend for -t s (baseline)", normal },
	{ "blk-prod-ahead", "rsp_prod past the requests", prod_ahead },
	{ "blk-prod-behind", "rsp_prod moved backwards", prod_behind },
	{ "blk-bad-id", "an answer under an id never issued", bad_id },
	{ "blk-dup-id", "one request answered twice", dup_id },
	{ "blk-stale-id", "an answer for a request long answered", stale_id },
	{ "blk-bad-op", "a read answered as another operation", bad_op },
	{ "blk-bad-status", "a status blkif.h does not define", bad_status },
	{ "blk-keep-mapped", "keep data pages, close, write a canary",
	  keep_mapped },
	{ "blk-close-inflight", "Closing with requests unanswered",
	  close_inflight },
	{ "blk-close-dispatch", "Closing with both queues full and more waiting",
	  close_dispatch },
	{ "blk-cycle", "add/use/close/remove the device -n times", cycle },
	{ "blk-flap", "Connected/Closing -n times without InitWait", flap },
	{ "blk-event-storm", "notify in a loop for -t s", event_storm },
	{ "blk-state-loop", "rewrite our state node -n times", state_loop },
	{ "blk-ring-shrink", "smaller max-ring-page-order after a restore",
	  ring_shrink },
	{ "blk-restore-connected", "Connected without InitWait after a restore",
	  restore_connected },
	{ "blk-restore-sector", "other sectors than the disk's after a restore",
	  restore_sector },
	{ NULL, NULL, NULL },
};
