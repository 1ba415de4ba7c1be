/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order in which an upcall visits the words of the 2-level pending
 * bitmap, between events.c and its unit tests.
 *
 * Xen's selector (evtchn_pending_sel) has a bit per word of the bitmap
 * that may hold pending ports.  An upcall that runs out of budget leaves
 * ports pending and notes the first it left; the next one starts its
 * scan there and goes round, so that a busy port low in the bitmap
 * cannot starve the ports after it: the part of the starting word from
 * that port up first, the other words named by the selector in order,
 * the rest of the starting word last.  Turning the selector so that the
 * starting word comes first gives that order with one find-first-bit
 * per word that has something: an upcall is on the path of every event
 * and most find one or two words.
 */
#ifndef _DRIVERS_XEN_UPCALL_SCAN_H
#define _DRIVERS_XEN_UPCALL_SCAN_H

#include <linux/bitops.h>

struct upcall_scan {
	unsigned long turned;	/* words to visit; bit 0 is word @first */
	unsigned int first;	/* the word the scan starts in */
	unsigned long upper;	/* that word's ports visited first */
	bool lower_left;	/* its other ports still to visit */
};

/* @sel rotated right by @first: bit i stands for word @first + i. */
static inline unsigned long upcall_scan_rotate(unsigned long sel,
					       unsigned int first)
{
	if (!first)
		return sel;
	return (sel >> first) | (sel << (BITS_PER_LONG - first));
}

/* A scan of the words of @sel, starting at port @from. */
static inline void upcall_scan_start(struct upcall_scan *s,
				     unsigned long sel, unsigned int from)
{
	s->first = (from / BITS_PER_LONG) % BITS_PER_LONG;
	s->upper = ~0UL << (from % BITS_PER_LONG);
	s->turned = upcall_scan_rotate(sel, s->first);
	s->lower_left = (s->turned & 1) && ~s->upper;
}

/*
 * The next word to visit, and which of its ports to look at; false
 * when the scan is over.
 */
static inline bool upcall_scan_next(struct upcall_scan *s,
				    unsigned int *word, unsigned long *ports)
{
	unsigned int i;

	if (s->turned) {
		i = __ffs(s->turned);
		s->turned &= s->turned - 1;
		*word = (s->first + i) % BITS_PER_LONG;
		*ports = i ? ~0UL : s->upper;
		return true;
	}
	if (s->lower_left) {
		s->lower_left = false;
		*word = s->first;
		*ports = ~s->upper;
		return true;
	}
	return false;
}

#endif /* _DRIVERS_XEN_UPCALL_SCAN_H */
