// SPDX-License-Identifier: GPL-2.0
/*
 * The backend's half of sharing a ring: the frontend grants the ring's
 * pages and publishes their references; the backend maps them, in order,
 * into one stretch of its kernel address space.
 *
 * A mapping is named by its address, as backends keep nothing else; the
 * few live ones (one or two per ring) are on a list.
 */

#include <linux/err.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <xen/grant_area.h>
#include <xen/xenbus.h>

struct ring_mapping {
	struct list_head list;
	void *vaddr;
	struct xen_grant_area *area;
};

static LIST_HEAD(ring_mappings);
static DEFINE_SPINLOCK(ring_mappings_lock);

int xenbus_map_ring_valloc(struct xenbus_device *dev, const grant_ref_t *grefs,
			   unsigned int nr_grefs, void **vaddr)
{
	struct ring_mapping *m;
	int rc;

	*vaddr = NULL;
	if (!nr_grefs || nr_grefs > XENBUS_MAX_RING_GRANTS)
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->area = xen_grant_area_alloc(nr_grefs);
	if (IS_ERR(m->area)) {
		rc = PTR_ERR(m->area);
		kfree(m);
		xenbus_dev_fatal(dev, rc, "reserving space for a %u-page ring",
				 nr_grefs);
		return rc;
	}
	rc = xen_grant_area_map(m->area, 0, nr_grefs, dev->otherend_id, grefs,
				false);
	if (rc) {
		xen_grant_area_free(m->area);
		kfree(m);
		xenbus_dev_fatal(dev, rc, "mapping the %u-page ring of domain %d",
				 nr_grefs, dev->otherend_id);
		return rc;
	}
	m->vaddr = xen_grant_area_addr(m->area, 0);
	spin_lock(&ring_mappings_lock);
	list_add(&m->list, &ring_mappings);
	spin_unlock(&ring_mappings_lock);
	*vaddr = m->vaddr;
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_map_ring_valloc);

int xenbus_unmap_ring_vfree(struct xenbus_device *dev, void *vaddr)
{
	struct ring_mapping *m, *found = NULL;

	spin_lock(&ring_mappings_lock);
	list_for_each_entry(m, &ring_mappings, list) {
		if (m->vaddr == vaddr) {
			list_del(&m->list);
			found = m;
			break;
		}
	}
	spin_unlock(&ring_mappings_lock);
	if (!found) {
		xenbus_dev_error(dev, -ENOENT, "no ring mapped at %p", vaddr);
		return -ENOENT;
	}
	xen_grant_area_free(found->area);
	kfree(found);
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_unmap_ring_vfree);
