/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HVM parameters a PVH guest reads its console and store from.
 *
 * A PV guest finds its console and xenstore pages and event channels
 * in start_info.  A PVH guest has none: the toolstack stores them in
 * per-domain HVM parameters (HVM_PARAM_CONSOLE_PFN/_EVTCHN,
 * HVM_PARAM_STORE_PFN/_EVTCHN) instead.  Their pages are guest frames in
 * a part of the memory map marked reserved, which the direct map does
 * not cover (arch/x86/xen/hvm.c maps them).
 */
#ifndef _XEN_HVM_PARAM_H
#define _XEN_HVM_PARAM_H

#include <linux/types.h>

#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/hvm/params.h>

#ifdef CONFIG_XEN_PVH
int xen_hvm_param_get(unsigned int index, u64 *value);
void *xen_pvh_map_ring(unsigned int pfn_index, unsigned int port_index,
		       evtchn_port_t *port);
#else
static inline int xen_hvm_param_get(unsigned int index, u64 *value)
{
	return -ENODEV;
}

static inline void *xen_pvh_map_ring(unsigned int pfn_index,
				     unsigned int port_index,
				     evtchn_port_t *port)
{
	return NULL;
}
#endif

#endif /* _XEN_HVM_PARAM_H */
