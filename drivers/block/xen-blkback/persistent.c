// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent grants: with "feature-persistent" on both ends, the frontend
 * grants a fixed pool of pages once and reuses their references for all
 * its requests.  We then keep each page mapped after its first use and
 * copy data in and out with memcpy instead of a grant-copy hypercall per
 * segment.
 *
 * Each ring has an area of max_persistent_grants slots; a reference seen
 * for the first time is mapped into a free slot and looked up by its
 * number afterwards.  When the area is full, or a mapping fails (a bad or
 * read-only grant), the segment is simply copied by Xen: the feature is a
 * speed-up, never a condition for correctness.  Mappings unused for
 * persistent_grant_unused_seconds are let go, so a frontend that moved to
 * other references does not pin our slots for ever.  Mappings are made,
 * looked up and let go only in the ring's thread; a completion may copy
 * through the mapping of a request in flight, which is never let go.
 */

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

#include <xen/grant_area.h>

#include "common.h"

int blkback_pgrants_init(struct blkback_pgrants *pg, unsigned int max)
{
	memset(pg, 0, sizeof(*pg));
	pg->tree = RB_ROOT;
	if (!max)
		return 0;
	pg->free_slots = bitmap_zalloc(max, GFP_KERNEL);
	if (!pg->free_slots)
		return -ENOMEM;
	bitmap_fill(pg->free_slots, max);
	pg->area = xen_grant_area_alloc(max);
	if (IS_ERR(pg->area)) {
		int rc = PTR_ERR(pg->area);

		pg->area = NULL;
		bitmap_free(pg->free_slots);
		pg->free_slots = NULL;
		return rc;
	}
	pg->max = max;
	return 0;
}

static void drop(struct blkback_pgrants *pg, struct blkback_pgrant *g)
{
	xen_grant_area_unmap(pg->area, g->slot, 1);
	set_bit(g->slot, pg->free_slots);
	rb_erase(&g->node, &pg->tree);
	pg->nr--;
	kfree(g);
}

void blkback_pgrants_destroy(struct blkback_pgrants *pg)
{
	struct blkback_pgrant *g, *tmp;

	rbtree_postorder_for_each_entry_safe(g, tmp, &pg->tree, node)
		kfree(g);
	pg->tree = RB_ROOT;
	pg->nr = 0;
	/* Unmaps every slot still mapped. */
	xen_grant_area_free(pg->area);
	pg->area = NULL;
	bitmap_free(pg->free_slots);
	pg->free_slots = NULL;
}

struct blkback_pgrant *blkback_pgrant_get(struct blkback_pgrants *pg,
					  domid_t domid, grant_ref_t ref)
{
	struct rb_node **link = &pg->tree.rb_node, *parent = NULL;
	struct blkback_pgrant *g;
	unsigned int slot;

	if (!pg->area)
		return NULL;
	while (*link) {
		parent = *link;
		g = rb_entry(parent, struct blkback_pgrant, node);
		if (ref < g->ref) {
			link = &parent->rb_left;
		} else if (ref > g->ref) {
			link = &parent->rb_right;
		} else {
			g->users++;
			g->last_used = jiffies;
			return g;
		}
	}

	if (pg->nr >= pg->max) {
		if (!pg->full_warned)
			pr_info_ratelimited("xen-blkback: all %u persistent grants in use; copying the rest\n",
					    pg->max);
		pg->full_warned = true;
		return NULL;
	}
	slot = find_first_bit(pg->free_slots, pg->max);
	if (slot >= pg->max)
		return NULL;
	g = kzalloc(sizeof(*g), GFP_NOIO);
	if (!g)
		return NULL;
	/* Writable: the same page serves reads and writes. */
	if (xen_grant_area_map(pg->area, slot, 1, domid, &ref, false)) {
		kfree(g);
		return NULL;
	}
	clear_bit(slot, pg->free_slots);
	g->ref = ref;
	g->slot = slot;
	g->users = 1;
	g->last_used = jiffies;
	rb_link_node(&g->node, parent, link);
	rb_insert_color(&g->node, &pg->tree);
	pg->nr++;
	return g;
}

void blkback_pgrant_put(struct blkback_pgrant *g)
{
	g->users--;
	g->last_used = jiffies;
}

void *blkback_pgrant_addr(struct blkback_pgrants *pg, struct blkback_pgrant *g)
{
	return xen_grant_area_addr(pg->area, g->slot);
}

void blkback_pgrants_purge(struct blkback_pgrants *pg, unsigned long timeout)
{
	struct rb_node *node, *next;
	struct blkback_pgrant *g;

	/* In order; the next node stays valid when this one is erased. */
	for (node = rb_first(&pg->tree); node; node = next) {
		next = rb_next(node);
		g = rb_entry(node, struct blkback_pgrant, node);
		if (!g->users && time_after(jiffies, g->last_used + timeout))
			drop(pg, g);
	}
	pg->full_warned = false;
}
