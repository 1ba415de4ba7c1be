// SPDX-License-Identifier: GPL-2.0
/*
 * The net scenarios: each one connects a well-behaved vif, carries
 * some of the guest's packets correctly (the warm-up: the guest's
 * pings of 10.99.0.1 get their replies), then breaks one rule of
 * netif.h, watches the frontend for a while, and tears the device down
 * as a toolstack would.  main.c's comment lists them.
 *
 * What the frontend does is logged, never judged here: whether the
 * guest survived can only be seen from inside it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* Seconds to watch the frontend after the misbehaviour. */
#define OBSERVE_S	6
/* net-broken-spin: seconds with the device there and no event from us. */
#define QUIET_S		10

static unsigned int opt(unsigned int val, unsigned int dflt)
{
	return val ? val : dflt;
}

static int tmo_ms(struct hb *hb)
{
	return hb->timeout * 1000;
}

/* Connect and warm up a vif net_init() set up; HB_EXIT_DONE or why not. */
static int attach_warm(struct net_be *be, struct hb *hb)
{
	unsigned long n;

	if (net_attach(be, hb->domid))
		return HB_EXIT_SETUP;
	n = net_serve(be, hb->warmup, tmo_ms(hb));
	hb_log("warm-up: %lu packet(s) carried, %lu ARP and %lu echo replies%s",
	       n, be->arp_replies, be->echo_replies,
	       n < hb->warmup ? " (the guest is not sending on it?)" : "");
	return HB_EXIT_DONE;
}

static int start(struct net_be *be, struct hb *hb)
{
	net_init(be, hb);
	return attach_warm(be, hb);
}

static int finish(struct net_be *be, int rc)
{
	bool unsplit = be->hb->split && !be->split_taken;

	net_teardown(be);
	net_free(be);
	/* -S was asked to attack the split path: it was not there. */
	if (unsplit && rc == HB_EXIT_DONE) {
		hb_log("split event channels offered, never taken: not exercised");
		rc = HB_EXIT_NOT_EXERCISED;
	}
	return rc;
}

/* Let the frontend react; keep carrying packets if serve. */
static void observe(struct net_be *be, bool serve, unsigned int seconds)
{
	double end = hb_now() + seconds;
	unsigned long before = be->tx_pkts;

	be->serving = serve;
	while (hb_now() < end && be->dev.fe_state != XB_GONE) {
		if (serve)
			net_poll(be);
		if (hb_wait(be->hb, 200) < 0)
			break;
		dev_fe_state(&be->dev);
	}
	hb_log("observed %u s: frontend %s, %lu more packet(s) from it",
	       seconds, xb_state_name(be->dev.fe_state),
	       be->tx_pkts - before);
	/* A ring we wrecked stays unserved through the teardown too. */
}

/* The guest's next packet, taken off the ring and left unanswered. */
static int grab_tx(struct net_be *be, struct net_tx_pkt *pkt)
{
	double end = hb_now() + be->hb->timeout;
	bool was_serving = be->serving;
	int rc = 0;

	be->serving = false;
	while (hb_now() < end) {
		rc = net_get_tx(be, pkt);
		if (rc)
			break;
		if (hb_wait(be->hb, 200) < 0) {
			rc = -1;
			break;
		}
	}
	be->serving = was_serving;
	if (rc > 0) {
		hb_log("holding a packet of %u slot(s), first id %u, %u bytes",
		       pkt->nr, pkt->slot[0].id, pkt->slot[0].size);
		return HB_EXIT_DONE;
	}
	hb_log("no packet came from the guest: scenario not exercised");
	return HB_EXIT_NOT_EXERCISED;
}

/*
 * Tell the lie armed in be->lie in the next reply to the guest (its
 * pings get one each), then watch.
 */
static int lie_rx(struct hb *hb, struct net_be *be)
{
	double end;

	be->lie.armed = true;
	end = hb_now() + hb->timeout;
	while (!be->lie.done && hb_now() < end && !be->broken)
		net_serve(be, 1, 1000);
	if (!be->lie.done) {
		hb_log("no reply went to the guest: scenario not exercised");
		return HB_EXIT_NOT_EXERCISED;
	}
	observe(be, true, opt(hb->seconds, OBSERVE_S));
	return HB_EXIT_DONE;
}

/*
 * A healthy vif for -t seconds (30): the baseline.  -V 1: take the
 * guest's packets but never reply (a dead peer): the guest's pings
 * must fail, which shows the test can tell.
 */
static int normal(struct hb *hb)
{
	struct net_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE) {
		be.mute = hb->variant == 1;
		if (be.mute)
			hb_log("mute: no more replies");
		observe(&be, true, opt(hb->seconds, 30));
	}
	return finish(&be, rc);
}

/*
 * A reply whose offset puts its end past the page: -V 0: offset 4000
 * (a ping reply is ~100 bytes); -V 1: offset 0xffff.
 */
static int rx_bad_offset(struct hb *hb)
{
	struct net_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE) {
		be.lie.offset = hb->variant ? 0xffff : 4000;
		rc = lie_rx(hb, &be);
	}
	return finish(&be, rc);
}

/*
 * A reply whose status (its length) is impossible: -V 0: 32767, past
 * any page; -V 1: -32768; -V 2: 4096 at offset 1.
 */
static int rx_bad_len(struct hb *hb)
{
	static const int sts[] = { 32767, -32768, 4096 };
	struct net_be be;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE) {
		be.lie.status = sts[hb->variant % 3];
		if (hb->variant % 3 == 2)
			be.lie.offset = 1;
		rc = lie_rx(hb, &be);
	}
	return finish(&be, rc);
}

/*
 * A reply announcing an extra-info slot that makes no sense: -V 0: GSO
 * of size 0; -V 1: a type netif.h does not define (0xee); -V 2: GSO of
 * an unknown GSO type; -V 3: an extra that says more follow, and then
 * the packet ends.
 */
static int rx_bad_gso(struct hb *hb)
{
	struct net_be be;
	struct netif_extra_info *x = &be.lie.x;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE) {
		be.lie.flags = NETRXF_extra_info;
		be.lie.extra = true;
		memset(x, 0, sizeof(*x));
		x->type = XEN_NETIF_EXTRA_TYPE_GSO;
		x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		x->u.gso.size = 1400;
		switch (hb->variant) {
		case 0:
			x->u.gso.size = 0;
			break;
		case 1:
			x->type = 0xee;
			break;
		case 2:
			x->u.gso.type = 0xee;
			break;
		default:
			x->flags = XEN_NETIF_EXTRA_FLAG_MORE;
			break;
		}
		hb_log("extra-info type %u flags %u gso size %u type %u",
		       x->type, x->flags, x->u.gso.size, x->u.gso.type);
		rc = lie_rx(hb, &be);
	}
	return finish(&be, rc);
}

/*
 * A tx answer for a packet the guest never sent: -V 0: the packet
 * held is answered under the id one past the ring (its real ids stay
 * unanswered); -V 1: it is answered right, and then once more; -V 2:
 * under ~0.
 */
static int tx_bad_id(struct hb *hb)
{
	struct net_tx_pkt pkt;
	struct net_be be;
	unsigned int i;
	uint16_t id;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab_tx(&be, &pkt);
	if (rc == HB_EXIT_DONE) {
		if (hb->variant == 1) {
			net_serve_tx(&be, &pkt);
			net_tx_answer(&be, &pkt, NETIF_RSP_OKAY);
			hb_log("answered tx id %u twice", pkt.slot[0].id);
		} else {
			id = hb->variant ? 0xffff : be.tx.nr_ents;
			for (i = 0; i < pkt.nr; i++)
				net_put_tx_response(&be, id, NETIF_RSP_OKAY);
			hb_log("answered tx id %u as id %u", pkt.slot[0].id,
			       id);
		}
		net_push_tx(&be);
		net_rx_flush(&be);
		observe(&be, true, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * rsp_prod past every request the frontend made.  -V 0: on the rx
 * ring, one ring past; -V 1: on the tx ring, with a packet held; -V 2:
 * on the rx ring, 2^31 past.
 */
static int prod_ahead(struct hb *hb)
{
	struct net_tx_pkt pkt;
	struct net_be be;
	bool rx = hb->variant != 1;
	RING_IDX pvt, prod;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE && !rx)
		rc = grab_tx(&be, &pkt);
	if (rc == HB_EXIT_DONE) {
		be.serving = false;
		pvt = rx ? be.rx.rsp_prod_pvt : be.tx.rsp_prod_pvt;
		prod = pvt + (hb->variant == 2 ? 0x80000000u :
			      (rx ? be.rx.nr_ents : be.tx.nr_ents) + 1);
		hb_log("%s rsp_prod %u, %u past our last answer",
		       rx ? "rx" : "tx", prod, prod - pvt);
		net_push_raw(&be, rx, prod);
		observe(&be, false, opt(hb->seconds, OBSERVE_S));
	}
	return finish(&be, rc);
}

/*
 * Issue 12 finding 6: once a frontend has called its ring broken, it
 * must stop looking at it, not poll it for ever.  Break it with an
 * answer for an id never sent (every frontend must refuse that), while
 * a reply waits on the rx ring, then go on notifying every 20 ms and
 * carrying packets for -t seconds (20), then keep still for 10 s with
 * the device still there: a frontend that spins does so on its own
 * then, and the test measures the guest's CPU time meanwhile.
 */
static int broken_spin(struct hb *hb)
{
	struct net_tx_pkt pkt;
	struct net_frame f;
	struct net_be be;
	unsigned long sent = 0;
	double end;
	int rc = start(&be, hb);

	if (rc == HB_EXIT_DONE)
		rc = grab_tx(&be, &pkt);
	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	/* Its reply (if it is a ping) goes out on the rx ring. */
	if (!net_tx_read(&be, &pkt, &f)) {
		be.tx_pkts++;
		net_host_receive(&be, &f);
	}
	net_put_tx_response(&be, be.tx.nr_ents, NETIF_RSP_OKAY);
	net_push_tx(&be);
	hb_log("answered tx id %u as id %u; notifying for %u s",
	       pkt.slot[0].id, be.tx.nr_ents, opt(hb->seconds, 20));
	end = hb_now() + opt(hb->seconds, 20);
	be.serving = true;
	while (hb_now() < end && hb_wait(hb, 20) >= 0 &&
	       be.dev.fe_state != XB_GONE) {
		net_poll(&be);
		net_notify(&be, false);
		sent++;
		if (sent % 50 == 0)
			dev_fe_state(&be.dev);
	}
	hb_log("%lu notifications; the rx ring holds %u answer(s) it has not taken",
	       sent, be.rx.rsp_prod_pvt - be.rx.sring->rsp_event + 1);
	be.serving = false;
	hb_log("quiet for %u s", QUIET_S);
	end = hb_now() + QUIET_S;
	while (hb_now() < end && hb_wait(hb, 200) >= 0)
		;
	hb_log("quiet phase over");
	return finish(&be, rc);
}

/*
 * Notify in a tight loop for -t seconds (30), carrying packets between
 * bursts (-V 1: not), then 10 s of normal service.  With split channels
 * (-S) the events go to both channels in turn.
 */
static int event_storm(struct hb *hb)
{
	struct net_be be;
	unsigned long sent = 0, before;
	double end, t0;
	int rc = start(&be, hb);

	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	be.serving = !hb->variant;
	t0 = hb_now();
	end = t0 + opt(hb->seconds, 30);
	while (!hb_stopping && hb_now() < end) {
		chan_notify(hb, sent % 2 ? net_rx_port(&be) : net_tx_port(&be));
		if (++sent % 256 == 0 && hb_wait(hb, 0) < 0)
			break;
	}
	hb_log("storm: %lu events in %.1f s (%.0f/s)", sent, hb_now() - t0,
	       sent / (hb_now() - t0));
	before = be.echo_replies;
	net_serve(&be, ~0UL, 10000);
	hb_log("after the storm: %lu echo replies in 10 s",
	       be.echo_replies - before);
	return finish(&be, rc);
}

/*
 * Split channels (-S) only: answers notified on the other ring's
 * channel, for -t s (15) after the warm-up, carrying the guest's packets
 * as ever; then OBSERVE_S of true service.  -V 0: the rx ring's answers
 * (the guest's ping replies) on the tx channel; -V 1: the tx ring's on
 * the rx channel; -V 2: both.  A frontend owes nothing to a ring whose
 * channel did not fire: it may drop the replies, or find them when it
 * polls for the other ring.  It must not crash, spin on the channel that
 * did fire, or keep the device.  The log says how many notifications
 * went astray and how many rx buffers the guest posted meanwhile (it
 * posts one for each reply it took).
 */
static int wrong_chan(struct hb *hb)
{
	static const char *const what[] = {
		"rx answers on the tx channel", "tx answers on the rx channel",
		"rx and tx answers swapped",
	};
	unsigned int v = hb->variant % 3;
	unsigned long replies;
	struct net_be be;
	RING_IDX posted;
	int rc;

	if (!hb->split) {
		hb_log("net-wrong-chan mixes up two channels: it needs -S");
		return HB_EXIT_USAGE;
	}
	rc = start(&be, hb);
	if (rc != HB_EXIT_DONE || be.nr_ports != 2)
		return finish(&be, rc);
	if (v != 1)
		be.rx_chan = 0;
	if (v != 0)
		be.tx_chan = 1;
	replies = be.rx_pkts;
	posted = be.rx.sring->req_prod;
	hb_log("mixing up the channels: %s", what[v]);
	observe(&be, true, opt(hb->seconds, 15));
	hb_log("mixed up: %lu event(s) on the wrong channel, %lu repl(ies), %u rx buffer(s) posted",
	       be.crossed, be.rx_pkts - replies,
	       be.rx.sring->req_prod - posted);
	if (!be.crossed) {
		hb_log("nothing was notified on the wrong channel: not exercised");
		rc = HB_EXIT_NOT_EXERCISED;
	}
	be.tx_chan = 0;
	be.rx_chan = 1;
	replies = be.rx_pkts;
	observe(&be, true, OBSERVE_S);
	hb_log("true channels again: %lu repl(ies) given", be.rx_pkts - replies);
	return finish(&be, rc);
}

/*
 * Closing with the guest's packets in flight: after the warm-up we
 * stop taking tx requests; once some wait on the ring (and 2 s more),
 * we say Closing and wait -T seconds for the frontend to close.
 * -V 0: they are never answered; -V 1: they are answered (and their
 * replies delivered) once the frontend is Closed.
 */
static int close_inflight(struct hb *hb)
{
	struct net_be be;
	unsigned int waiting = 0;
	double end, t0;
	int rc = start(&be, hb), st;

	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	be.hold_tx = true;
	end = hb_now() + hb->timeout;
	while (hb_now() < end && !waiting && hb_wait(hb, 200) >= 0)
		waiting = be.tx.sring->req_prod - be.tx.req_cons;
	if (!waiting) {
		hb_log("nothing came from the guest: scenario not exercised");
		return finish(&be, HB_EXIT_NOT_EXERCISED);
	}
	end = hb_now() + 2;
	while (hb_now() < end && hb_wait(hb, 200) >= 0)
		;
	waiting = be.tx.sring->req_prod - be.tx.req_cons;
	hb_log("%u tx slot(s) in flight; Closing", waiting);
	t0 = hb_now();
	dev_set_state(&be.dev, XenbusStateClosing);
	st = dev_wait_fe_state(&be.dev, XB_MASK_DOWN, tmo_ms(hb));
	if (st < 0)
		hb_log("the frontend did not close with packets in flight");
	else
		hb_log("frontend %s %.1f s after Closing", xb_state_name(st),
		       hb_now() - t0);
	if (hb->variant == 1 && st == XenbusStateClosed) {
		be.hold_tx = false;
		net_poll(&be);
		hb_log("answered the held packet(s) late");
	}
	net_disconnect(&be);
	dev_set_state(&be.dev, XenbusStateClosed);
	return finish(&be, rc);
}

/*
 * A received packet that never ends: every buffer the guest posts is
 * answered as one more piece of it (NETRXF_more_data), for -t seconds
 * (15) or until the frontend leaves Connected.  No packet takes more
 * than a few dozen slots; a frontend must give up on such a backend,
 * not take its pieces for as long as it sends them.  The last line
 * says which it did.
 */
static int rx_endless(struct hb *hb)
{
	unsigned long slots = 0;
	struct net_be be;
	double end;
	int rc = start(&be, hb), n;

	if (rc != HB_EXIT_DONE)
		return finish(&be, rc);
	end = hb_now() + opt(hb->seconds, 15);
	dev_fe_state(&be.dev);
	while (hb_now() < end && be.dev.fe_state == XenbusStateConnected) {
		n = net_rx_endless(&be);
		if (n < 0)
			break;
		slots += n;
		if (hb_wait(hb, 20) < 0)
			break;
		dev_fe_state(&be.dev);
	}
	hb_log("endless packet: %lu slot(s) answered; frontend %s", slots,
	       xb_state_name(be.dev.fe_state));
	if (!slots)
		rc = HB_EXIT_NOT_EXERCISED;
	else if (be.dev.fe_state == XenbusStateConnected)
		hb_log("verdict: the frontend still takes the endless packet");
	else
		hb_log("verdict: the frontend gave up the endless packet");
	return finish(&be, rc);
}

/*
 * Issue 12 finding 8, the net half (the XSA-403 class): a grant gives
 * the backend the whole page, so a frontend must never grant a page
 * that holds more than the packets it sends us.  A packet's head is a
 * kmalloc object: granting its page would show us the slab objects
 * around it.  The vif gets NET_SPRAY_MAC, at which the guest fills its
 * kmalloc caches with NET_SPRAY_MARK (socket buffers it never reads)
 * while it sends its pings and UDP datagrams to our host; for the
 * warm-up and -t s (40) more we carry its packets and search every tx
 * page we map, all 4096 bytes of it, for the secret.  -V 1: the same
 * with trusted=0 in the frontend's directory (-u).
 *
 * The last line counts: pages searched, pages with the secret outside
 * the packet's bytes (the leak), pages with it inside (the guest sent
 * it: it never does).  The test passes on none of either, over enough
 * pages, with a guest that says it sprayed.
 */
static int tx_neighbours(struct hb *hb)
{
	struct net_be be;
	int rc;

	if (hb->variant == 1)
		hb->untrusted = true;
	net_init(&be, hb);
	be.mac = NET_SPRAY_MAC;
	be.secret = NET_SPRAY_MARK;
	hb_log("vif address %s: the guest sprays \"%s\"%s", be.mac,
	       be.secret, hb->untrusted ? "; trusted=0" : "");
	rc = attach_warm(&be, hb);
	if (rc == HB_EXIT_DONE)
		observe(&be, true, opt(hb->seconds, 40));
	hb_log("neighbours: %lu tx page(s) searched, %lu with the secret outside the packet, %lu inside",
	       be.sec_pages, be.sec_hits, be.sec_inside);
	if (rc == HB_EXIT_DONE && !be.sec_pages)
		rc = HB_EXIT_NOT_EXERCISED;
	return finish(&be, rc);
}

const struct hb_scenario net_scenarios[] = {
	{ "net-normal", "a correct vif for -t s (baseline; -V 1: mute)",
	  normal },
	{ "net-rx-bad-offset", "an rx answer whose offset runs past the page",
	  rx_bad_offset },
	{ "net-rx-bad-len", "an rx answer of an impossible length",
	  rx_bad_len },
	{ "net-rx-bad-gso", "an rx answer with a senseless extra-info slot",
	  rx_bad_gso },
	{ "net-tx-bad-id", "a tx answer for an id never sent, or twice",
	  tx_bad_id },
	{ "net-prod-ahead", "rsp_prod past the requests (rx; -V 1: tx)",
	  prod_ahead },
	{ "net-broken-spin", "break the ring, then keep notifying",
	  broken_spin },
	{ "net-event-storm", "notify in a loop for -t s", event_storm },
	{ "net-wrong-chan", "-S: answers notified on the other ring's channel",
	  wrong_chan },
	{ "net-close-inflight", "Closing with tx requests unanswered",
	  close_inflight },
	{ "net-rx-endless", "an rx packet that never ends (more_data)",
	  rx_endless },
	{ "net-tx-neighbours", "search whole tx pages for the guest's secret (-V 1: trusted=0)",
	  tx_neighbours },
	{ NULL, NULL, NULL },
};
