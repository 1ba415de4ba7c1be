/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HVM parameters a PVH guest reads its console and store from.
 *
 * A PV guest finds its console and xenstore pages and event channels
 * in start_info.  An HVM or PVH guest has none: the toolstack stores
 * them in per-domain HVM parameters (HVM_PARAM_CONSOLE_PFN/_EVTCHN,
 * HVM_PARAM_STORE_PFN/_EVTCHN) instead.  Their pages are guest frames in
 * a part of the memory map marked reserved, which the direct map does
 * not cover, so they are mapped with memremap().
 */
#ifndef _XEN_HVM_PARAM_H
#define _XEN_HVM_PARAM_H

#include <linux/io.h>
#include <linux/pfn.h>
#include <linux/types.h>

#include <asm/xen/hypercall.h>

#include <xen/interface/xen.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>

static inline int xen_hvm_param(unsigned int index, u64 *value)
{
	struct xen_hvm_param param = {
		.domid = DOMID_SELF,
		.index = index,
	};
	int rc = (int)HYPERVISOR_hvm_op(HVMOP_get_param, &param);

	if (!rc)
		*value = param.value;
	return rc;
}

/*
 * A shared page and its event channel, named by the parameters
 * @pfn_index and @port_index.  Returns the mapping (NULL if the domain
 * has none, or it cannot be mapped); a page already mapped at @known is
 * kept (after a restore the frame is the same, the channel may not be).
 */
static inline void *xen_hvm_ring(unsigned int pfn_index,
				 unsigned int port_index, void *known,
				 phys_addr_t *known_at, evtchn_port_t *port)
{
	u64 pfn, evtchn;

	if (xen_hvm_param(pfn_index, &pfn) || !pfn ||
	    xen_hvm_param(port_index, &evtchn) || !evtchn)
		return NULL;
	*port = evtchn;
	if (known && *known_at == PFN_PHYS(pfn))
		return known;
	*known_at = PFN_PHYS(pfn);
	return memremap(*known_at, PAGE_SIZE, MEMREMAP_WB);
}

#endif /* _XEN_HVM_PARAM_H */
