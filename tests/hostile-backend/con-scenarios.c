// SPDX-License-Identifier: GPL-2.0
/*
 * The console scenarios: a console daemon that lies about its indexes,
 * stops reading, storms the guest with events or types garbage at it,
 * against the guest's PV console (con-ring.c).  main.c's comment lists
 * them.  Each one ends with the ring sane and xenconsoled running again
 * (but con-stall -V 1, the test's self-check), so that the test can see
 * whether the guest's console works again.
 *
 * What the guest does is logged, never judged here.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "con.h"

/* Seconds to watch the ring after the daemon is sane again. */
#define OBSERVE_S	3

static unsigned int opt(unsigned int val, unsigned int dflt)
{
	return val ? val : dflt;
}

/* Sleep ms, kicking the guest every kick_ms (0: never); false: stop. */
static bool hold(struct con_be *c, unsigned int ms, unsigned int kick_ms)
{
	double end = hb_now() + ms / 1000.0, next = hb_now();

	while (hb_now() < end) {
		if (kick_ms && hb_now() >= next) {
			con_kick(c);
			next = hb_now() + kick_ms / 1000.0;
		}
		if (hb_wait(c->hb, 100) < 0)
			return false;
	}
	return true;
}

/* After the daemon is back: how much the guest wrote meanwhile. */
static void observe(struct con_be *c, unsigned int seconds)
{
	XENCONS_RING_IDX op = c->ring->out_prod;

	hold(c, seconds * 1000, 0);
	hb_log("observed %u s: the guest wrote %u byte(s) of output", seconds,
	       c->ring->out_prod - op);
}

static int start(struct con_be *c, struct hb *hb, bool stop)
{
	if (con_attach(c, hb))
		return HB_EXIT_SETUP;
	if (stop && con_daemon_stop(c)) {
		con_detach(c);
		return HB_EXIT_SETUP;
	}
	return HB_EXIT_DONE;
}

/*
 * The baseline: stop xenconsoled for 2 s, make the ring sane (nothing
 * to do: xenconsoled had it so), let it go on, watch -t s (10).
 * Everything the other scenarios do but the lie.
 */
static int con_normal(struct hb *hb)
{
	struct con_be c;
	int rc = start(&c, hb, true);

	if (rc != HB_EXIT_DONE)
		return rc;
	hold(&c, 2000, 0);
	con_make_sane(&c);
	con_kick(&c);
	con_daemon_cont(&c);
	observe(&c, opt(hb->seconds, 10));
	con_detach(&c);
	return HB_EXIT_DONE;
}

/*
 * One of the daemon's indexes set off by delta from the guest's, for
 * -t s (5), with an event every 500 ms so that the guest looks: it
 * must see the indexes are impossible and neither read nor write past
 * its ring.  Then the ring is made sane and the daemon goes on.
 */
static int wild(struct hb *hb, bool in, XENCONS_RING_IDX delta)
{
	struct con_be c;
	XENCONS_RING_IDX mine;
	int rc = start(&c, hb, true);

	if (rc != HB_EXIT_DONE)
		return rc;
	if (in) {
		mine = c.ring->in_cons + delta;
		c.ring->in_prod = mine;
	} else {
		mine = c.ring->out_prod + delta;
		c.ring->out_cons = mine;
	}
	/* The index out before the event that makes the guest look. */
	mb();
	con_kick(&c);
	hb_log("%s set to %u (the guest's index + %u)",
	       in ? "in_prod" : "out_cons", mine, delta);
	hold(&c, opt(hb->seconds, 5) * 1000, 500);
	con_log(&c, "after the impossible index");
	con_detach(&c);
	/* Detached: the ring is no longer mapped; watch from the store. */
	return HB_EXIT_DONE;
}

/* -V 0: 16 rings ahead; -V 1: 2^31 ahead. */
static int con_in_ahead(struct hb *hb)
{
	return wild(hb, true, hb->variant ? 0x80000000u : 16 * 1024);
}

/* -V 0: one byte behind in_cons; -V 1: 2^31 - 1 behind. */
static int con_in_behind(struct hb *hb)
{
	return wild(hb, true, hb->variant ? 0x80000001u : ~0u);
}

/* -V 0: one byte ahead of out_prod; -V 1: 2^31 ahead. */
static int con_out_ahead(struct hb *hb)
{
	return wild(hb, false, hb->variant ? 0x80000000u : 1);
}

/* -V 0: two rings behind out_prod; -V 1: 2^31 - 1 behind. */
static int con_out_behind(struct hb *hb)
{
	return wild(hb, false, hb->variant ? 0x80000001u : -4096u);
}

/*
 * xenconsoled stopped for -t s (30): nothing reads the output ring, the
 * guest fills it and must go on without it (a guest that waits for
 * room in the printk path hangs).  -V 1: leave xenconsoled stopped when
 * we exit: the test's self-check (its guest's console must be seen
 * dead); the test continues xenconsoled itself.
 */
static int con_stall(struct hb *hb)
{
	struct con_be c;
	unsigned int secs = opt(hb->seconds, 30), s;
	XENCONS_RING_IDX op0;
	int rc = start(&c, hb, true);

	if (rc != HB_EXIT_DONE)
		return rc;
	op0 = c.ring->out_prod;
	hb_log("stalled for %u s", secs);
	for (s = 0; s < secs; s++) {
		if (!hold(&c, 1000, 0))
			break;
		if (s % 5 == 4)
			hb_log("stalled %u s: out %u unread, the guest wrote %u byte(s)",
			       s + 1, c.ring->out_prod - c.ring->out_cons,
			       c.ring->out_prod - op0);
	}
	c.keep_stopped = hb->variant == 1;
	con_detach(&c);
	return HB_EXIT_DONE;
}

/*
 * EVTCHNOP_send on the console channel in a tight loop for -t s (20),
 * with nothing new in the ring (xenconsoled goes on serving it), then
 * OBSERVE_S of quiet.
 */
static int con_event_storm(struct hb *hb)
{
	struct con_be c;
	unsigned int secs = opt(hb->seconds, 20);
	unsigned long n = 0;
	double t0, end, next;
	int rc = start(&c, hb, false);

	if (rc != HB_EXIT_DONE)
		return rc;
	hb_log("storm for %u s", secs);
	t0 = hb_now();
	end = t0 + secs;
	next = t0 + 5;
	while (!hb_stopping && hb_now() < end) {
		unsigned int i;

		for (i = 0; i < 256; i++)
			if (!chan_notify_any(hb, c.dom0_port))
				n++;
		if (hb_now() >= next) {
			hb_log("storm: %lu events in %.0f s", n, hb_now() - t0);
			next += 5;
		}
	}
	hb_log("storm over: %lu events in %.1f s", n, hb_now() - t0);
	observe(&c, OBSERVE_S);
	con_detach(&c);
	return HB_EXIT_DONE;
}

/*
 * Bytes a guest's tty gives a meaning beyond input, left out of the
 * garbage: a line end or ^D would hand the line to whatever reads the
 * console (a shell, in the test's guests), ^S would stop the console's
 * output, ^C ^Z ^\ signal its reader, ^O is hvc's sysrq prefix.  What a
 * keyboard may do by design is not what is tested here: the driver's
 * input path at full rate is.
 */
static bool tty_special(unsigned char b)
{
	return b == 0x03 || b == 0x04 || b == '\n' || b == '\r' ||
	       b == 0x0f || b == 0x11 || b == 0x13 || b == 0x1a || b == 0x1c;
}

/*
 * Random bytes on the input ring as fast as the guest takes them, for
 * -t s (15), with an event after each fill; then ^U (erase the line).
 * xenconsoled goes on serving the output ring.
 */
static int con_in_garbage(struct hb *hb)
{
	struct con_be c;
	unsigned int secs = opt(hb->seconds, 15);
	unsigned long sent = 0, waits = 0;
	uint32_t x = 0x9e3779b9u ^ (uint32_t)getpid();
	XENCONS_RING_IDX ic0, prod;
	double t0, end;
	int rc = start(&c, hb, false);

	if (rc != HB_EXIT_DONE)
		return rc;
	ic0 = c.ring->in_cons;
	prod = c.ring->in_prod;
	hb_log("garbage for %u s", secs);
	t0 = hb_now();
	end = t0 + secs;
	while (!hb_stopping && hb_now() < end) {
		XENCONS_RING_IDX cons = c.ring->in_cons;
		unsigned int room = sizeof(c.ring->in) - (prod - cons);

		/* A guest index we cannot trust: room as for an empty ring. */
		if (prod - cons > sizeof(c.ring->in))
			room = sizeof(c.ring->in);
		if (!room) {
			waits++;
			usleep(1000);
			continue;
		}
		while (room--) {
			unsigned char b;

			do {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				b = x;
			} while (tty_special(b));
			c.ring->in[MASK_XENCONS_IDX(prod++, c.ring->in)] = b;
			sent++;
		}
		/* The bytes before the index that gives them to the guest. */
		wmb();
		c.ring->in_prod = prod;
		con_kick(&c);
	}
	hb_log("garbage over: %lu byte(s) in %.1f s, the guest took %u, ring full %lu time(s)",
	       sent, hb_now() - t0, c.ring->in_cons - ic0, waits);
	/* ^U: whatever line the garbage left in the tty is dropped. */
	hold(&c, 1000, 0);
	if (c.ring->in_prod - c.ring->in_cons < sizeof(c.ring->in)) {
		prod = c.ring->in_prod;
		c.ring->in[MASK_XENCONS_IDX(prod, c.ring->in)] = 0x15;
		/* As above: the byte, then the index. */
		wmb();
		c.ring->in_prod = prod + 1;
		con_kick(&c);
	}
	observe(&c, OBSERVE_S);
	con_detach(&c);
	return HB_EXIT_DONE;
}

const struct hb_scenario con_scenarios[] = {
	{ "con-normal", "stop and continue xenconsoled, no lie (baseline)",
	  con_normal },
	{ "con-in-ahead", "in_prod far ahead of in_cons (-V 1: 2^31)",
	  con_in_ahead },
	{ "con-in-behind", "in_prod behind in_cons (-V 1: 2^31 - 1)",
	  con_in_behind },
	{ "con-out-ahead", "out_cons ahead of out_prod (-V 1: 2^31)",
	  con_out_ahead },
	{ "con-out-behind", "out_cons two rings behind (-V 1: 2^31 - 1)",
	  con_out_behind },
	{ "con-stall", "xenconsoled stopped for -t s (-V 1: left stopped)",
	  con_stall },
	{ "con-event-storm", "events in a tight loop for -t s, empty ring",
	  con_event_storm },
	{ "con-in-garbage", "random input as fast as the guest takes it",
	  con_in_garbage },
	{ NULL, NULL, NULL },
};
