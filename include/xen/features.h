/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Optional hypervisor features (XENFEAT_* in Xen's public features.h).
 *
 * Xen reports them as 32-bit submaps through XENVER_get_features; we read
 * them all once at boot and answer from a bitmap afterwards.
 */
#ifndef _XEN_FEATURES_H
#define _XEN_FEATURES_H

#include <linux/bitops.h>
#include <linux/cache.h>
#include <xen/interface/features.h>

#define XEN_FEATURE_BITS	(XENFEAT_NR_SUBMAPS * 32)

extern unsigned long xen_feature_map[BITS_TO_LONGS(XEN_FEATURE_BITS)];

static inline bool xen_feature(unsigned int flag)
{
	return flag < XEN_FEATURE_BITS && test_bit(flag, xen_feature_map);
}

void xen_setup_features(void);

#endif /* _XEN_FEATURES_H */
