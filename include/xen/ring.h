/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's shared-ring macros (xen/interface/io/ring.h), with the barriers
 * they need.
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

#include <linux/string.h>
#include <asm/barrier.h>

#define xen_mb()	virt_mb()
#define xen_rmb()	virt_rmb()
#define xen_wmb()	virt_wmb()

#include <xen/interface/io/ring.h>

#endif /* _XEN_RING_H */
