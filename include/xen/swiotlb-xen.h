/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA for a PV dom0: bounce buffers that are contiguous in machine memory.
 *
 * A device sees machine addresses, and a PV domain's pseudo-physically
 * contiguous pages are scattered in machine memory.  Xen-SWIOTLB exchanges
 * the bounce pool for machine-contiguous extents below the DMA limit and
 * translates every mapping.  The x86 DMA setup (arch/x86/kernel/pci-dma.c)
 * installs it in a PV dom0.
 */
#ifndef _XEN_SWIOTLB_XEN_H
#define _XEN_SWIOTLB_XEN_H

#include <linux/dma-map-ops.h>
#include <linux/swiotlb.h>

/* Make the bounce pool at @buf (@nslabs slabs) machine-contiguous. */
int xen_swiotlb_fixup(void *buf, unsigned long nslabs);

extern const struct dma_map_ops xen_swiotlb_dma_ops;

#endif /* _XEN_SWIOTLB_XEN_H */
