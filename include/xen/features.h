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

/*
 * Does Xen translate this guest's frame numbers (XENFEAT_auto_translated_
 * physmap)?  Then the frames the guest names to Xen (grant references,
 * ring pages, memory reservations) are its own pfns; otherwise they are
 * machine frames, through the PV p2m.  Only a PV guest is ever
 * untranslated: an HVM or PVH container always is, so a kernel without
 * PV support answers at compile time and drops the p2m paths.
 */
static inline bool xen_auto_translated(void)
{
	return !IS_ENABLED(CONFIG_XEN_PV) ||
	       xen_feature(XENFEAT_auto_translated_physmap);
}

void xen_setup_features(void);

#endif /* _XEN_FEATURES_H */
