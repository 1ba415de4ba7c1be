// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel address space for other domains' granted pages (see
 * <xen/grant_area.h>).
 *
 * In a PV domain Xen maps a grant by writing one of our page table
 * entries.  We name the entry by its machine address
 * (GNTMAP_contains_pte), so the mapping lands in the kernel's own tables
 * whatever address space the calling CPU has loaded; the entries of a
 * vmalloc area live in tables every address space shares.  The tables
 * behind the area are allocated once, when the area is, and their
 * machine addresses recorded: mapping a slot later needs no memory.
 *
 * Xen clears the entry and flushes the TLBs when the grant is unmapped;
 * Linux never writes these entries itself, and finds them empty when the
 * area goes.
 */

#define pr_fmt(fmt) "xen:grant-area: " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <asm/xen/page.h>

#include <xen/features.h>
#include <xen/grant_area.h>
#include <xen/grant_table.h>

struct xen_grant_area {
	struct vm_struct *vm;
	unsigned int nr;
	u64 *pte_maddr;			/* machine address of each slot's PTE */
	grant_handle_t *handle;		/* Xen's, or INVALID_GRANT_HANDLE */
};

struct pte_walk {
	u64 *maddr;
	unsigned int i;
};

static int record_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct pte_walk *w = data;

	w->maddr[w->i++] = virt_to_machine(pte);
	return 0;
}

struct xen_grant_area *xen_grant_area_alloc(unsigned int nr_slots)
{
	struct xen_grant_area *area;
	struct pte_walk w;
	unsigned long size = (unsigned long)nr_slots << PAGE_SHIFT;
	unsigned int i;
	int rc = -ENOMEM;

	if (xen_auto_translated())
		return ERR_PTR(-EOPNOTSUPP);
	if (!nr_slots)
		return ERR_PTR(-EINVAL);
	area = kzalloc(sizeof(*area), GFP_KERNEL);
	if (!area)
		return ERR_PTR(-ENOMEM);
	area->nr = nr_slots;
	area->pte_maddr = kvcalloc(nr_slots, sizeof(u64), GFP_KERNEL);
	area->handle = kvcalloc(nr_slots, sizeof(grant_handle_t), GFP_KERNEL);
	if (!area->pte_maddr || !area->handle)
		goto fail;
	for (i = 0; i < nr_slots; i++)
		area->handle[i] = INVALID_GRANT_HANDLE;
	area->vm = get_vm_area(size, VM_IOREMAP);
	if (!area->vm)
		goto fail;
	w.maddr = area->pte_maddr;
	w.i = 0;
	rc = apply_to_page_range(&init_mm, (unsigned long)area->vm->addr, size,
				 record_pte, &w);
	if (rc)
		goto fail;
	return area;

fail:
	if (area->vm)
		free_vm_area(area->vm);
	kvfree(area->pte_maddr);
	kvfree(area->handle);
	kfree(area);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(xen_grant_area_alloc);

void *xen_grant_area_addr(struct xen_grant_area *area, unsigned int slot)
{
	return area->vm->addr + ((unsigned long)slot << PAGE_SHIFT);
}
EXPORT_SYMBOL_GPL(xen_grant_area_addr);

static int status_errno(int16_t status)
{
	switch (status) {
	case GNTST_okay:
		return 0;
	case GNTST_bad_domain:
	case GNTST_bad_gntref:
		return -EINVAL;
	case GNTST_permission_denied:
		return -EACCES;
	case GNTST_eagain:
		return -EAGAIN;
	case GNTST_no_space:
	case GNTST_no_device_space:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

/* Unmap what the slots hold, in batches of one hypercall each. */
void xen_grant_area_unmap(struct xen_grant_area *area, unsigned int first,
			  unsigned int nr)
{
	struct gnttab_unmap_grant_ref op[16];
	unsigned int slot[16];
	unsigned int i, n;
	int rc;

	if (WARN_ON(first > area->nr || nr > area->nr - first))
		return;
	while (nr) {
		for (n = 0; nr && n < ARRAY_SIZE(op); first++, nr--) {
			if (area->handle[first] == INVALID_GRANT_HANDLE)
				continue;
			op[n].host_addr = area->pte_maddr[first];
			op[n].dev_bus_addr = 0;
			op[n].handle = area->handle[first];
			slot[n++] = first;
		}
		if (!n)
			break;
		for (i = 0; i < n; i++)
			op[i].status = GNTST_general_error;
		rc = gnttab_unmap_grants(op, n);
		for (i = 0; i < n; i++) {
			/*
			 * A failure here is ours (a handle or address we got
			 * wrong, arguments Xen could not read), never the
			 * other domain's doing: the slot keeps its handle and
			 * is not reused.
			 */
			if (WARN_ONCE(op[i].status != GNTST_okay,
				      "unmapping slot %u failed: %d/%d\n",
				      slot[i], rc, op[i].status))
				continue;
			area->handle[slot[i]] = INVALID_GRANT_HANDLE;
		}
	}
}
EXPORT_SYMBOL_GPL(xen_grant_area_unmap);

int xen_grant_area_map(struct xen_grant_area *area, unsigned int first,
		       unsigned int nr, domid_t domid, const grant_ref_t *refs,
		       bool readonly)
{
	struct gnttab_map_grant_ref op[16];
	unsigned int i, n, done = 0;
	int rc = 0;

	might_sleep();
	if (first > area->nr || nr > area->nr - first)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (area->handle[first + i] != INVALID_GRANT_HANDLE)
			return -EBUSY;

	while (done < nr && !rc) {
		n = min_t(unsigned int, nr - done, ARRAY_SIZE(op));
		for (i = 0; i < n; i++) {
			op[i].host_addr = area->pte_maddr[first + done + i];
			op[i].flags = GNTMAP_host_map | GNTMAP_contains_pte |
				      (readonly ? GNTMAP_readonly : 0);
			op[i].ref = refs[done + i];
			op[i].dom = domid;
			op[i].status = GNTST_general_error;
		}
		/*
		 * Only arguments Xen cannot read fail the call as a whole;
		 * the operations it did carry their own status either way.
		 * Paged-out frames are asked for again for about a second.
		 */
		if (gnttab_map_grants(op, n))
			rc = -EFAULT;
		for (i = 0; i < n; i++) {
			if (op[i].status == GNTST_okay)
				area->handle[first + done + i] = op[i].handle;
			else if (!rc)
				rc = status_errno(op[i].status);
		}
		done += n;
	}
	if (rc)
		xen_grant_area_unmap(area, first, nr);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_grant_area_map);

void xen_grant_area_free(struct xen_grant_area *area)
{
	if (IS_ERR_OR_NULL(area))
		return;
	xen_grant_area_unmap(area, 0, area->nr);
	free_vm_area(area->vm);
	kvfree(area->pte_maddr);
	kvfree(area->handle);
	kfree(area);
}
EXPORT_SYMBOL_GPL(xen_grant_area_free);
