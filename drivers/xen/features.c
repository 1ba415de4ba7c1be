// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's optional features, read once at boot.
 */
#include <linux/bitmap.h>
#include <linux/export.h>
#include <linux/init.h>

#include <asm/xen/hypercall.h>

#include <xen/features.h>
#include <xen/interface/version.h>

unsigned long xen_feature_map[BITS_TO_LONGS(XEN_FEATURE_BITS)] __read_mostly;
EXPORT_SYMBOL_GPL(xen_feature_map);

void xen_setup_features(void)
{
	struct xen_feature_info info;
	unsigned int map, bit;

	bitmap_zero(xen_feature_map, XEN_FEATURE_BITS);
	for (map = 0; map < XENFEAT_NR_SUBMAPS; map++) {
		info.submap_idx = map;
		if (HYPERVISOR_xen_version(XENVER_get_features, &info) < 0)
			break;
		for (bit = 0; bit < 32; bit++)
			if (info.submap & (1U << bit))
				__set_bit(map * 32 + bit, xen_feature_map);
	}
}
