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

	be->serving = serve;
	while (hb_now() < end && be->dev.fe_state != XB_GONE) {
		if (hb_wait(be->hb, 200) < 0)
			break;
		dev_fe_state(&be->dev);
	}
	be->serving = true;
	hb_log("observed %u s: frontend %s, %lu more answer(s)", seconds,
	       xb_state_name(be->dev.fe_state), be->served - before);
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

const struct hb_scenario blk_scenarios[] = {
	{ "blk-normal", "a correct backend for -t s (baseline)", normal },
	{ NULL, NULL, NULL },
};
