/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long a late-EOI port stays masked after an event that brought
 * nothing, between events.c and its unit tests.
 *
 * Any domain at the other end of an interdomain channel can call
 * EVTCHNOP_send as often as it likes; each call sets the port pending
 * and, if it was not already, costs us an upcall and a run of the
 * driver's handler.  Drivers that bind with late EOI tell us, with
 * XEN_EOI_FLAG_SPURIOUS, when an event was for nothing (no new request,
 * no response, no byte).  A few of those in a row are normal (the other
 * end may notify more than it needs to); a long run is a peer that
 * notifies in a loop.  Past EOI_FREE_SPURIOUS in a row the unmask waits,
 * first EOI_FIRST_DELAY_MS, twice as long after each further spurious
 * event, at most EOI_MAX_DELAY_MS; one event that brings something ends
 * the wait at once and forgets the run.  A storm thus costs us a few
 * events a second instead of a vCPU, and a peer that goes back to
 * behaving is served at full speed again after its first real event.
 */
#ifndef _DRIVERS_XEN_EOI_THROTTLE_H
#define _DRIVERS_XEN_EOI_THROTTLE_H

#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#define EOI_FREE_SPURIOUS	8
#define EOI_FIRST_DELAY_MS	1
#define EOI_MAX_DELAY_MS	250

struct eoi_throttle {
	unsigned int spurious;		/* spurious EOIs in a row */
	unsigned int delay_ms;		/* the last delay given; 0: none */
};

/*
 * Account one late EOI of a port: @spurious if its event brought
 * nothing.  Returns how many milliseconds the port should stay masked,
 * 0 for "unmask now".
 */
static inline unsigned int eoi_throttle_next(struct eoi_throttle *t,
					     bool spurious)
{
	if (!spurious) {
		t->spurious = 0;
		t->delay_ms = 0;
		return 0;
	}
	if (t->spurious < UINT_MAX)
		t->spurious++;
	if (t->spurious <= EOI_FREE_SPURIOUS)
		return 0;
	if (!t->delay_ms)
		t->delay_ms = EOI_FIRST_DELAY_MS;
	else
		t->delay_ms = min_t(unsigned int, 2 * t->delay_ms,
				    EOI_MAX_DELAY_MS);
	return t->delay_ms;
}

#endif /* _DRIVERS_XEN_EOI_THROTTLE_H */
