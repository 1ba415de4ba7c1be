// SPDX-License-Identifier: GPL-2.0
/*
 * The store scenarios: lies told through xenstore alone, to a vbd's
 * frontend and a vif's alike, and to the guest's xenbus core under
 * them.  The backend here is a driver domain's: it may write only its
 * own directory (/local/domain/0/hostile-backend/<kind>/<domU>/<id>),
 * never the frontend's, so every lie is in a node the frontend reads
 * from there.  The one exception says so: the vif's "mac" lives in the
 * frontend's directory and only a toolstack writes it.
 *
 *   store-values       one device after the other, each published with
 *                      one node hostile (or missing): the disk's size
 *                      and sector sizes, info, feature and queue nodes,
 *                      discard geometry; the vif's features and queues.
 *                      Values are 0, -1, 2^64-1, 2^64, a 4000-digit
 *                      number, not a number, absent.  Each device is
 *                      logged "refused" (the frontend went Closing or
 *                      Closed without Connected), "connected" (and
 *                      whether it was served), "stuck" (neither in 15
 *                      s) or "unusable" (its rings or queues are not
 *                      what we offered: it read a number we never
 *                      wrote).  A node the frontend cannot do without
 *                      is marked "expect refuse" when its value is not
 *                      a number of the node's type: a frontend that
 *                      connects then read a number that is not there
 *                      (2^64 as 0, 2^32 + 512 as 512).
 *   store-state        our state node set to values that are no state
 *                      ("99", "-1", "", 4 KiB of digits, 2^32 + 5 and
 *                      2^64 + 4, which a parser that wraps reads as
 *                      Closing and Connected), then back to Connected:
 *                      "frontend left Connected" if it took one for a
 *                      state.
 *   store-rm-connected our whole directory removed while Connected; the
 *                      ring is served on for 5 s, then the toolstack
 *                      removes the device.
 *   store-rm-init      our directory removed while the frontend is
 *                      Initialising (we never left Initialising), and
 *                      again once it has granted its rings (we said
 *                      InitWait, it answered, we never connected).
 *   store-watch-storm  both devices connected; -n (20000) writes, or
 *                      as many as -t s (150) allow, as fast as the
 *                      store takes them (store_pipe_writes()): to 250
 *                      children of our state node (each one a watch
 *                      event for the frontend's watch on it) and plain
 *                      rewrites of state itself.  Our xenstored took
 *                      90 to 280 a second under TCG.  "storm
 *                      running" is for the test to do its own work
 *                      meanwhile (a watch of the guest's own, to see
 *                      its xenwatch thread still serve it).  Then 10 s
 *                      of service.
 *   store-node-flood   both devices connected; -n (2000) children made
 *                      under each of our directories, then 10 s of
 *                      service and a close with the children there.
 *
 * Every scenario does the vbd first, then the vif (vif 7, as the net
 * scenarios); whatever a frontend did is logged, never judged here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk.h"
#include "net.h"

/* Seconds to wait for a frontend's reaction to one published device. */
#define REACT_S		15

enum { VBD, VIF };

/* One device of either kind, for scenarios that do both. */
struct sdev {
	int kind;
	struct blk_be blk;
	struct net_be net;
	struct hb_dev *dev;
};

static const char *const kind_name[] = { "vbd", "vif" };

static unsigned int opt(unsigned int val, unsigned int dflt)
{
	return val ? val : dflt;
}

static int sd_init(struct sdev *d, struct hb *hb, int kind)
{
	d->kind = kind;
	if (kind == VBD) {
		d->dev = &d->blk.dev;
		return blk_init(&d->blk, hb);
	}
	d->dev = &d->net.dev;
	return net_init(&d->net, hb);
}

static void sd_free(struct sdev *d)
{
	if (d->kind == VBD)
		blk_free(&d->blk);
	else
		net_free(&d->net);
}

static int sd_create(struct sdev *d, int first_state)
{
	if (d->kind == VBD)
		return blk_create(&d->blk, d->blk.hb->domid, first_state);
	return net_create(&d->net, d->net.hb->domid, first_state);
}

static int sd_connect(struct sdev *d)
{
	int rc;

	if (d->kind == VBD) {
		rc = blk_connect(&d->blk);
		d->blk.serving = !rc;
	} else {
		rc = net_connect(&d->net);
		d->net.serving = !rc;
	}
	return rc;
}

static bool sd_connected(struct sdev *d)
{
	return d->kind == VBD ? d->blk.connected : d->net.connected;
}

/* Serve for ms; what the frontend gave us meanwhile (requests/packets). */
static unsigned long sd_serve(struct sdev *d, unsigned long want, int ms)
{
	if (d->kind == VBD)
		return blk_serve(&d->blk, want, ms);
	return net_serve(&d->net, want, ms);
}

static int sd_attach(struct sdev *d)
{
	if (d->kind == VBD)
		return blk_attach(&d->blk, d->blk.hb->domid);
	return net_attach(&d->net, d->net.hb->domid);
}

static void sd_disconnect(struct sdev *d)
{
	if (d->kind == VBD)
		blk_disconnect(&d->blk);
	else
		net_disconnect(&d->net);
}

/* Close (if connected) and remove, as a toolstack would. */
static void sd_teardown(struct sdev *d)
{
	if (d->kind == VBD)
		blk_teardown(&d->blk);
	else
		net_teardown(&d->net);
}

/* Both devices served at once: each ring's events to its own backend. */
struct both {
	struct sdev d[2];
};

static void both_on_event(void *arg, unsigned int port)
{
	struct both *b = arg;

	blk_on_event(&b->d[VBD].blk, port);
	net_on_event(&b->d[VIF].net, port);
}

/* Attach both and warm them up; false if either never got going. */
static bool both_start(struct both *b, struct hb *hb)
{
	int k;

	for (k = VBD; k <= VIF; k++)
		sd_init(&b->d[k], hb, k);
	/* After both inits: each set itself as the one to call. */
	hb->on_event = both_on_event;
	hb->on_event_arg = b;
	for (k = VBD; k <= VIF; k++) {
		if (sd_attach(&b->d[k])) {
			hb_log("%s: the frontend did not connect", kind_name[k]);
			return false;
		}
	}
	for (k = VBD; k <= VIF; k++)
		hb_log("%s warm-up: %lu", kind_name[k],
		       sd_serve(&b->d[k], hb->warmup, hb->timeout * 1000));
	return true;
}

/* Tear both down, then free: a free stops the events of both. */
static void both_finish(struct both *b)
{
	int k;

	for (k = VBD; k <= VIF; k++)
		sd_teardown(&b->d[k]);
	for (k = VBD; k <= VIF; k++)
		sd_free(&b->d[k]);
}

/* Serve both for ms, looking at the frontends' states on the way. */
static void both_serve(struct both *b, int ms)
{
	double end = hb_now() + ms / 1000.0;
	unsigned long a0 = b->d[VBD].blk.served, p0 = b->d[VIF].net.tx_pkts;
	int k;

	while (hb_now() < end && !hb_stopping) {
		for (k = VBD; k <= VIF; k++)
			if (sd_connected(&b->d[k]))
				sd_serve(&b->d[k], 0, 0);
		if (hb_wait(b->d[VBD].blk.hb, 200) < 0)
			break;
		for (k = VBD; k <= VIF; k++)
			dev_fe_state(b->d[k].dev);
	}
	hb_log("served %d s: vbd %lu answer(s), vif %lu packet(s); frontends %s, %s",
	       ms / 1000, b->d[VBD].blk.served - a0,
	       b->d[VIF].net.tx_pkts - p0,
	       xb_state_name(b->d[VBD].dev->fe_state),
	       xb_state_name(b->d[VIF].dev->fe_state));
}

/* ---- store-values --------------------------------------------------- */

#define U64_MAX_S	"18446744073709551615"
#define U64_OVER_S	"18446744073709551616"	/* 2^64: 0 if wrapped */
#define LONG_NUM	"LONG"			/* 4000 nines, made below */
#define ABSENT		NULL

/*
 * One device, published with up to two nodes changed.  refuse: the
 * frontend cannot have the device with that value (a node it needs,
 * holding no number of the node's type, or one no disk can have); it
 * may use any other value as its default or clamp it.
 */
struct store_case {
	int kind;
	bool refuse;
	bool fe;			/* the frontend's node: a toolstack lie */
	struct hb_node n[3];
};

static const struct store_case value_cases[] = {
	{ VBD, true, false, { { "sectors", "0x10" } } },
	{ VBD, true, false, { { "sectors", "-1" } } },
	{ VBD, true, false, { { "sectors", U64_MAX_S } } },
	{ VBD, true, false, { { "sectors", U64_OVER_S } } },
	{ VBD, true, false, { { "sectors", LONG_NUM } } },
	{ VBD, true, false, { { "sectors", "abc" } } },
	{ VBD, true, false, { { "sectors", ABSENT } } },
	{ VBD, false, false, { { "sectors", "0" } } },
	{ VBD, true, false, { { "sector-size", "0" } } },
	{ VBD, true, false, { { "sector-size", "-1" } } },
	{ VBD, true, false, { { "sector-size", "4294967808" } } },
	{ VBD, true, false, { { "sector-size", U64_OVER_S } } },
	{ VBD, true, false, { { "sector-size", "abc" } } },
	{ VBD, true, false, { { "sector-size", ABSENT } } },
	{ VBD, false, false, { { "physical-sector-size", "0" } } },
	{ VBD, false, false, { { "physical-sector-size", U64_MAX_S } } },
	{ VBD, false, false, { { "physical-sector-size", "abc" } } },
	{ VBD, false, false, { { "info", U64_MAX_S } } },
	{ VBD, false, false, { { "info", "abc" } } },
	{ VBD, false, false, { { "info", ABSENT } } },
	{ VBD, false, false, { { "feature-persistent", U64_OVER_S } } },
	{ VBD, false, false, { { "feature-persistent", "abc" } } },
	{ VBD, false, false, { { "max-ring-page-order", U64_MAX_S } } },
	{ VBD, false, false, { { "max-ring-page-order", "-1" } } },
	{ VBD, false, false, { { "max-ring-page-order", LONG_NUM } } },
	{ VBD, false, false, { { "multi-queue-max-queues", "0" } } },
	{ VBD, false, false, { { "multi-queue-max-queues", "4294967296" } } },
	{ VBD, false, false, { { "feature-max-indirect-segments",
				 "4294967295" } } },
	{ VBD, false, false, { { "feature-max-indirect-segments",
				 U64_OVER_S } } },
	{ VBD, false, false, { { "feature-discard", "1" },
			       { "discard-granularity", "0" } } },
	{ VBD, false, false, { { "feature-discard", "1" },
			       { "discard-granularity", "3" },
			       { "discard-alignment", U64_MAX_S } } },
	{ VBD, false, false, { { "feature-discard", "1" },
			       { "discard-granularity", U64_OVER_S },
			       { "discard-secure", "abc" } } },
	{ VBD, false, false, { { "feature-flush-cache", U64_MAX_S },
			       { "feature-barrier", "-1" } } },
	{ VIF, true, false, { { "feature-rx-copy", ABSENT } } },
	{ VIF, true, false, { { "feature-rx-copy", "0" } } },
	{ VIF, false, false, { { "feature-rx-copy", U64_OVER_S } } },
	{ VIF, false, false, { { "multi-queue-max-queues", "0" } } },
	{ VIF, false, false, { { "multi-queue-max-queues", U64_MAX_S } } },
	{ VIF, false, false, { { "feature-sg", LONG_NUM },
			       { "feature-gso-tcpv4", "abc" },
			       { "feature-gso-tcpv6", "-1" } } },
	{ VIF, false, false, { { "feature-no-csum-offload", U64_OVER_S },
			       { "feature-ipv6-csum-offload", "abc" } } },
	{ VIF, false, false, { { "mac", "ff:ff:ff:ff:ff:ff" } } },
	{ VIF, true, true, { { "mac", "ff:ff:ff:ff:ff:ff" } } },
	{ VIF, true, true, { { "mac", "02:48:42:00:00" } } },
	{ VIF, true, true, { { "mac", LONG_NUM } } },
	{ VIF, true, true, { { "mac", ABSENT } } },
};

/* "a=b c=d" for the log, long values shortened. */
static void describe(const struct store_case *c, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < 3 && c->n[i].name && used < len; i++) {
		const char *v = c->n[i].value;

		used += snprintf(buf + used, len - used, "%s%s%s='%s'",
				 i ? " " : "", c->fe ? "frontend's " : "",
				 c->n[i].name,
				 !v ? "(absent)" : strcmp(v, LONG_NUM) ? v :
				 "(4000 nines)");
	}
}

/*
 * Publish one device as the case says and see what the frontend makes
 * of it: refused, connected or stuck (logged as "case N ...: <what>").
 */
static void one_case(struct hb *hb, unsigned int idx,
		     const struct store_case *c, const char *longnum)
{
	struct hb_node nodes[4];
	struct sdev d;
	char what[200];
	const char *outcome;
	unsigned long got = 0;
	int st, i;

	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < 3 && c->n[i].name; i++) {
		nodes[i].name = c->n[i].name;
		nodes[i].value = c->n[i].value && !strcmp(c->n[i].value,
							  LONG_NUM) ?
				 longnum : c->n[i].value;
	}
	describe(c, what, sizeof(what));
	if (c->fe)
		hb->fe_override = nodes;
	else
		hb->be_override = nodes;
	sd_init(&d, hb, c->kind);
	if (sd_create(&d, XenbusStateInitWait)) {
		outcome = "not published";
		goto out;
	}
	st = dev_wait_fe_state(d.dev, XB_MASK(XenbusStateInitialised) |
			       XB_MASK(XenbusStateConnected) |
			       XB_MASK(XenbusStateClosing) | XB_MASK_DOWN,
			       REACT_S * 1000);
	if (st == XenbusStateInitialised || st == XenbusStateConnected) {
		if (sd_connect(&d)) {
			outcome = "unusable (it published what we never offered)";
			goto out;
		}
		st = dev_wait_fe_state(d.dev, XB_MASK(XenbusStateConnected) |
				       XB_MASK(XenbusStateClosing) |
				       XB_MASK_DOWN, REACT_S * 1000);
	}
	if (st == XenbusStateConnected) {
		/* A disk is read at once (its partitions); a vif pinged. */
		got = sd_serve(&d, 1, 1500);
		outcome = "connected";
	} else if (st == XenbusStateClosing || st == XenbusStateClosed) {
		outcome = "refused";
	} else if (st == XB_GONE) {
		outcome = "gone";
	} else {
		outcome = "stuck";
	}
out:
	hb_log("case %u %s %s (expect %s): %s%s", idx, kind_name[c->kind],
	       what, c->refuse ? "refuse" : "refuse or connect", outcome,
	       !strcmp(outcome, "connected") ?
	       (got ? ", served" : ", nothing served in 1.5 s") : "");
	hb->be_override = NULL;
	hb->fe_override = NULL;
	if (sd_connected(&d) || !strcmp(outcome, "refused")) {
		/* Closing either way: the frontend must reach Closed. */
		dev_set_state(d.dev, XenbusStateClosing);
		/* One whose probe failed has no driver to get it there. */
		dev_wait_fe_state(d.dev, XB_MASK_DOWN, 2000);
		sd_disconnect(&d);
		dev_set_state(d.dev, XenbusStateClosed);
	}
	sd_teardown(&d);
	sd_free(&d);
	/* The guest drops its device asynchronously; let it. */
	hb_wait(hb, 300);
}

static int store_values(struct hb *hb)
{
	static char longnum[4001];
	unsigned int i, n = ARRAY_SIZE(value_cases);
	double t0 = hb_now();

	memset(longnum, '9', sizeof(longnum) - 1);
	for (i = 0; i < n && !hb_stopping; i++)
		one_case(hb, i + 1, &value_cases[i], longnum);
	hb_log("%u of %u cases in %.0f s", i, n, hb_now() - t0);
	return HB_EXIT_DONE;
}

/* ---- store-state ------------------------------------------------------ */

static int store_state(struct hb *hb)
{
	static char big[4096];
	static const char *const values[] = {
		"99", "-1", "", "4294967301", "18446744073709551620", "4 5",
		big,
	};
	struct sdev d;
	size_t max;
	unsigned int v;
	int k, rc = HB_EXIT_DONE;

	for (k = VBD; k <= VIF && !hb_stopping; k++) {
		sd_init(&d, hb, k);
		if (sd_attach(&d)) {
			hb_log("%s: the frontend did not connect", kind_name[k]);
			rc = HB_EXIT_SETUP;
			goto next;
		}
		hb_log("%s warm-up: %lu", kind_name[k],
		       sd_serve(&d, hb->warmup, hb->timeout * 1000));
		/* As long as the store takes: a payload is 4096 bytes. */
		max = HB_PAGE_SIZE - strlen(d.dev->be) - sizeof("/state");
		memset(big, '4', max);
		big[max] = 0;
		for (v = 0; v < ARRAY_SIZE(values) && !hb_stopping; v++) {
			const char *val = values[v];

			if (store_write(hb, d.dev->be, "state", "%s", val))
				break;
			sd_serve(&d, ~0UL, 1000);
			store_write(hb, d.dev->be, "state", "%d",
				    XenbusStateConnected);
			sd_serve(&d, ~0UL, 300);
			if (dev_fe_state(d.dev) != XenbusStateConnected) {
				hb_log("%s: frontend left Connected after state '%.24s'%s",
				       kind_name[k], val,
				       strlen(val) > 24 ? "..." : "");
				break;
			}
			hb_log("%s: state '%.24s'%s (%zu bytes): frontend still Connected",
			       kind_name[k], val, strlen(val) > 24 ? "..." : "",
			       strlen(val));
		}
		hb_log("%s after the states: %lu", kind_name[k],
		       sd_serve(&d, ~0UL, 3000));
next:
		sd_teardown(&d);
		sd_free(&d);
	}
	return rc;
}

/* ---- store-rm-connected, store-rm-init -------------------------------- */

/* Our directory goes, not the frontend's: a driver domain's own doing. */
static void rm_ours(struct sdev *d)
{
	store_rm(d->dev->hb, d->dev->be, NULL);
	hb_log("%s: removed our directory %s; frontend %s", kind_name[d->kind],
	       d->dev->be, xb_state_name(dev_fe_state(d->dev)));
}

/* The toolstack takes the device away; we let go of the ring after. */
static void rm_rest(struct sdev *d, struct hb *hb)
{
	dev_remove(d->dev);
	/* The frontend gives its grants back once it has seen that. */
	sd_serve(d, ~0UL, 2000);
	sd_disconnect(d);
	sd_free(d);
	hb_wait(hb, 300);
}

static int store_rm_connected(struct hb *hb)
{
	struct sdev d;
	unsigned long n;
	int k, rc = HB_EXIT_DONE;

	for (k = VBD; k <= VIF && !hb_stopping; k++) {
		sd_init(&d, hb, k);
		if (sd_attach(&d)) {
			hb_log("%s: the frontend did not connect", kind_name[k]);
			rc = HB_EXIT_SETUP;
			sd_teardown(&d);
			sd_free(&d);
			continue;
		}
		hb_log("%s warm-up: %lu", kind_name[k],
		       sd_serve(&d, hb->warmup, hb->timeout * 1000));
		rm_ours(&d);
		n = sd_serve(&d, ~0UL, 5000);
		hb_log("%s: 5 s without our directory: %lu served, frontend %s",
		       kind_name[k], n, xb_state_name(dev_fe_state(d.dev)));
		rm_rest(&d, hb);
	}
	return rc;
}

static int store_rm_init(struct hb *hb)
{
	struct sdev d;
	int k, st;

	for (k = VBD; k <= VIF && !hb_stopping; k++) {
		/* We stay Initialising: the frontend has nothing to do yet. */
		sd_init(&d, hb, k);
		if (!sd_create(&d, XenbusStateInitialising)) {
			hb_wait(hb, 2000);
			rm_ours(&d);
			hb_wait(hb, 3000);
			hb_log("%s: frontend %s 3 s later", kind_name[k],
			       xb_state_name(dev_fe_state(d.dev)));
		}
		rm_rest(&d, hb);

		/* InitWait: it grants its rings and waits for us. */
		sd_init(&d, hb, k);
		if (!sd_create(&d, XenbusStateInitWait)) {
			st = dev_wait_fe_state(d.dev,
					       XB_MASK(XenbusStateInitialised) |
					       XB_MASK(XenbusStateConnected) |
					       XB_MASK_DOWN, REACT_S * 1000);
			hb_log("%s: frontend %s, its rings granted, unmapped",
			       kind_name[k], xb_state_name(st));
			rm_ours(&d);
			hb_wait(hb, 3000);
			hb_log("%s: frontend %s 3 s later", kind_name[k],
			       xb_state_name(dev_fe_state(d.dev)));
		}
		rm_rest(&d, hb);
	}
	return HB_EXIT_DONE;
}

/* ---- store-watch-storm, store-node-flood ------------------------------ */

static int store_watch_storm(struct hb *hb)
{
	struct both b;
	unsigned int secs = opt(hb->seconds, 150), k;
	unsigned long want = opt(hb->count, 20000);
	unsigned long children = 0, plain = 0, next_log = 10;
	bool broken = false;
	char dir[200];
	double t0, end;
	long got, more;
	int fd;

	memset(&b, 0, sizeof(b));
	fd = store_pipe_open();
	if (fd < 0 || !both_start(&b, hb)) {
		if (fd >= 0)
			close(fd);
		both_finish(&b);
		return HB_EXIT_SETUP;
	}
	t0 = hb_now();
	end = t0 + secs;
	hb_log("storm running: %lu writes, %u s at most", want, secs);
	while (children + plain < want && hb_now() < end && !hb_stopping &&
	       !broken) {
		for (k = VBD; k <= VIF && !broken; k++) {
			/* Children of the watched node fire its watch too. */
			snprintf(dir, sizeof(dir), "%s/state", b.d[k].dev->be);
			got = store_pipe_writes(fd, dir, "storm-", 250, 512,
						"4");
			more = store_pipe_writes(fd, dir, NULL, 0, 512, "4");
			broken = got < 0 || more < 0;
			if (broken)
				hb_log("store: the connection to xenstored broke");
			children += got > 0 ? got : 0;
			plain += more > 0 ? more : 0;
		}
		/* The rings are served between batches. */
		if (hb_wait(hb, 0) < 0)
			break;
		if (hb_now() - t0 >= next_log) {
			hb_log("storm: %lu writes to children of state, %lu to state, in %.0f s",
			       children, plain, hb_now() - t0);
			next_log += 10;
		}
	}
	close(fd);
	hb_log("storm over: %lu writes to children of state and %lu to state in %.1f s (%.0f/s)",
	       children, plain, hb_now() - t0,
	       (children + plain) / (hb_now() - t0));
	both_serve(&b, 10000);
	both_finish(&b);
	return HB_EXIT_DONE;
}

static int store_node_flood(struct hb *hb)
{
	struct both b;
	unsigned long n = opt(hb->count, 2000);
	double t0;
	long made;
	int k, fd;

	memset(&b, 0, sizeof(b));
	fd = store_pipe_open();
	if (fd < 0 || !both_start(&b, hb)) {
		if (fd >= 0)
			close(fd);
		both_finish(&b);
		return HB_EXIT_SETUP;
	}
	for (k = VBD; k <= VIF && !hb_stopping; k++) {
		t0 = hb_now();
		made = store_pipe_writes(fd, b.d[k].dev->be, "flood-", n, n,
					 "flood");
		hb_log("%s: %ld of %lu children made under %s in %.1f s",
		       kind_name[k], made, n, b.d[k].dev->be, hb_now() - t0);
		/* The rings were not served meanwhile. */
		if (hb_wait(hb, 0) < 0)
			break;
	}
	close(fd);
	both_serve(&b, 10000);
	both_finish(&b);
	return HB_EXIT_DONE;
}

const struct hb_scenario store_scenarios[] = {
	{ "store-values", "one device per hostile or missing node value",
	  store_values },
	{ "store-state", "our state node set to no state at all",
	  store_state },
	{ "store-rm-connected", "our directory removed while Connected",
	  store_rm_connected },
	{ "store-rm-init", "our directory removed before we connect",
	  store_rm_init },
	{ "store-watch-storm", "writes under our state node for -t s",
	  store_watch_storm },
	{ "store-node-flood", "-n children under our directories",
	  store_node_flood },
	{ NULL, NULL, NULL },
};
