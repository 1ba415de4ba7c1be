/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's shared-ring macros (xen/interface/io/ring.h), with the barriers
 * they need, and the checks a frontend makes on what its backend wrote.
 *
 * The public header leaves xen_mb(), xen_rmb() and xen_wmb() to its
 * includer.  The other end of a ring is another domain on other CPUs of
 * the same cache-coherent machine, never a device, so the SMP barriers
 * are the right ones (virt_* stay barriers on a !SMP kernel too).
 *
 * Include this before any io/ header that pulls in ring.h.
 */
#ifndef _XEN_RING_H
#define _XEN_RING_H

#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/barrier.h>

#define xen_mb()	virt_mb()
#define xen_rmb()	virt_rmb()
#define xen_wmb()	virt_wmb()

#include <xen/interface/io/ring.h>

/*
 * The backend is another domain, buggy or hostile for all we know: the
 * response producer index it publishes and the ids in its responses are
 * believed only after these checks.
 *
 * Every response answers a request, so the producer may run ahead of our
 * consumer index by at most the requests we posted and have not seen
 * answered yet, req_prod_pvt - rsp_cons, which is itself at most the
 * ring's size.  Ring indexes are free-running 32-bit counters and the
 * differences are taken modulo 2^32, so a producer that moved backwards
 * reads as billions of responses ahead and fails the same test.
 */
static inline bool xen_ring_rsp_prod_valid(RING_IDX rsp_prod, RING_IDX rsp_cons,
					   RING_IDX req_prod, unsigned int size)
{
	RING_IDX posted = req_prod - rsp_cons;

	return posted <= size && rsp_prod - rsp_cons <= posted;
}

/* The same for front ring @r and the producer index @prod read from it. */
#define XEN_FRONT_RING_RSP_PROD_VALID(r, prod)				\
	xen_ring_rsp_prod_valid((prod), (r)->rsp_cons, (r)->req_prod_pvt, \
				RING_SIZE(r))

/*
 * The slot that response id @id names in a frontend's array of @nr
 * requests in flight, or -1 if it names none.  Some protocols carry
 * 64-bit ids (blkif), so the comparison comes before any narrowing.
 * The index is also clamped with array_index_nospec(): a CPU that
 * speculates past the check must not read beyond the array at an offset
 * the backend chose.
 */
static inline int xen_ring_rsp_slot(u64 id, unsigned int nr)
{
	if (id >= nr)
		return -1;
	return array_index_nospec((unsigned long)id, (unsigned long)nr);
}

#endif /* _XEN_RING_H */
