// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/gntdev: other domains' grants, mapped into user space.
 *
 * xenstored maps every domain's store ring this way, xenconsoled its
 * console ring, user-space backends their rings and data pages.  A
 * client reserves a set of grants with MAP_GRANT_REF, which returns an
 * offset into the file, and mmap()s that offset (MAP_SHARED, the whole
 * set at once).  In a PV domain a grant is mapped by asking Xen to write
 * the PTE itself (GNTMAP_contains_pte, naming the PTE by its machine
 * address): the user's page table entry then holds the other domain's
 * frame, which Xen checked the grant allows.
 *
 * Xen keeps such a mapping in its books (a "maptrack" entry) until it is
 * undone with GNTTABOP_unmap_grant_ref; clearing the PTE the ordinary
 * way would leave the grant mapped for as long as the granting domain
 * lives.  So every way the mapping can go away passes by us first: an
 * MMU notifier on the area sees munmap(), mremap() and the process's
 * exit before the page tables are touched, and we unmap the grants
 * there.  The area cannot be split, copied into a child or have its
 * protection changed, and touching a page that holds no grant is SIGBUS.
 *
 * With UNMAP_NOTIFY a client asks for one last act when its mapping
 * goes: clear a byte of the shared page (a "still there" flag the other
 * end watches) and/or signal an event channel, even if it was killed.
 * The channel must be one the process bound through /dev/xen/evtchn.
 *
 * GRANT_COPY copies between user memory and grants, one Xen copy per
 * segment, without mapping anything (qemu's disk backend).
 *
 * Grant references, domain ids, offsets and lengths come from user space
 * and may have come from a guest: the domain ids are range-checked here,
 * the references by Xen, and nothing is mapped that Xen did not accept.
 */
#define pr_fmt(fmt) "xen:gntdev: " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xen.h>
#include <uapi/xen/gntdev.h>

MODULE_DESCRIPTION("Map and copy other domains' grants from user space");
MODULE_LICENSE("GPL");

static unsigned int limit = 64 * 1024;
module_param(limit, uint, 0644);
MODULE_PARM_DESC(limit, "Grants one IOCTL_GNTDEV_MAP_GRANT_REF may map at most");

/* Grant operations per hypercall (on the stack). */
#define GNT_BATCH	16

struct gntdev_file {
	struct mutex lock;
	struct list_head maps;		/* by index */
	unsigned int nr_grants;		/* reserved in all of them */
	unsigned int max_grants;	/* SET_MAX_GRANTS */
};

/* A set of grants reserved by MAP_GRANT_REF, and its one mapping. */
struct grant_map {
	struct list_head list;		/* in the file's maps while reserved */
	refcount_t users;		/* the reservation, the areas */
	unsigned long index;		/* the file offset, in pages */
	unsigned int count;
	struct ioctl_gntdev_grant_ref *refs;

	/* The mapping: set once by mmap(), then under @lock. */
	spinlock_t lock;
	struct vm_area_struct *vma;	/* the area that holds the grants */
	struct mmu_interval_notifier notifier;
	bool mapped_once;
	bool readonly;
	unsigned long start;		/* user address of the first page */
	u64 *pte_ma;			/* where each PTE is */
	grant_handle_t *handles;	/* INVALID_GRANT_HANDLE: not mapped */

	/* UNMAP_NOTIFY */
	unsigned int notify_action;
	unsigned int notify_offset;	/* byte, from the first page */
	evtchn_port_t notify_port;
	/* @notify_port is pinned (xen_evtchn_user_port_pin) until freed. */
	bool port_pinned;
};

static const struct vm_operations_struct gntdev_vm_ops;

/* ---- Maps --------------------------------------------------------------- */

static void free_map(struct grant_map *map)
{
	if (map->notify_action & UNMAP_NOTIFY_SEND_EVENT)
		notify_remote_via_evtchn(map->notify_port);
	if (map->port_pinned)
		xen_evtchn_user_port_unpin(map->notify_port);
	kvfree(map->refs);
	kvfree(map->pte_ma);
	kvfree(map->handles);
	kfree(map);
}

static void put_map(struct grant_map *map)
{
	if (refcount_dec_and_test(&map->users))
		free_map(map);
}

/* The lowest range of @count free pages of the file offset space. */
static unsigned long find_index(struct gntdev_file *f, unsigned int count,
				struct list_head **before)
{
	unsigned long index = 0;
	struct grant_map *map;

	list_for_each_entry(map, &f->maps, list) {
		if (map->index - index >= count)
			break;
		index = map->index + map->count;
	}
	*before = &map->list;
	return index;
}

static struct grant_map *find_map(struct gntdev_file *f, unsigned long index,
				  unsigned int count)
{
	struct grant_map *map;

	list_for_each_entry(map, &f->maps, list)
		if (map->index == index && (!count || map->count == count))
			return map;
	return NULL;
}

static long map_grant_ref(struct gntdev_file *f,
			  struct ioctl_gntdev_map_grant_ref __user *u)
{
	struct ioctl_gntdev_map_grant_ref op;
	struct list_head *before;
	struct grant_map *map;
	unsigned int i;
	long rc;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (!op.count || op.count > READ_ONCE(limit))
		return -EINVAL;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	refcount_set(&map->users, 1);
	spin_lock_init(&map->lock);
	map->count = op.count;
	map->refs = kvmalloc_array(op.count, sizeof(*map->refs), GFP_KERNEL);
	map->pte_ma = kvmalloc_array(op.count, sizeof(*map->pte_ma),
				     GFP_KERNEL);
	map->handles = kvmalloc_array(op.count, sizeof(*map->handles),
				      GFP_KERNEL);
	rc = -ENOMEM;
	if (!map->refs || !map->pte_ma || !map->handles)
		goto fail;
	rc = -EFAULT;
	if (copy_from_user(map->refs, u->refs,
			   op.count * sizeof(*map->refs)))
		goto fail;
	rc = -EINVAL;
	for (i = 0; i < op.count; i++) {
		if (map->refs[i].domid >= DOMID_FIRST_RESERVED)
			goto fail;
		map->handles[i] = INVALID_GRANT_HANDLE;
	}

	mutex_lock(&f->lock);
	if (f->nr_grants + op.count > f->max_grants) {
		mutex_unlock(&f->lock);
		rc = -ENOMEM;
		goto fail;
	}
	map->index = find_index(f, op.count, &before);
	list_add_tail(&map->list, before);
	f->nr_grants += op.count;
	mutex_unlock(&f->lock);

	op.index = (u64)map->index << PAGE_SHIFT;
	if (copy_to_user(&u->index, &op.index, sizeof(op.index))) {
		/* The reservation stands; close() or UNMAP releases it. */
		return -EFAULT;
	}
	return 0;
fail:
	free_map(map);
	return rc;
}

static long unmap_grant_ref(struct gntdev_file *f, void __user *u)
{
	struct ioctl_gntdev_unmap_grant_ref op;
	struct grant_map *map;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (op.index & ~PAGE_MASK)
		return -EINVAL;
	mutex_lock(&f->lock);
	map = find_map(f, op.index >> PAGE_SHIFT, op.count);
	if (map) {
		list_del(&map->list);
		f->nr_grants -= map->count;
	}
	mutex_unlock(&f->lock);
	if (!map)
		return -ENOENT;
	/* A live mapping keeps the grants until munmap(). */
	put_map(map);
	return 0;
}

/* ---- Unmapping --------------------------------------------------------- */

/*
 * Clear the notify byte through Xen: a grant copy of one byte of the
 * kernel's zero page, while the grant is still mapped and so still
 * granted to us.  The source must be a page of the direct map or the
 * kernel image: a variable of this module lives in module space, where
 * __pa() and so virt_to_gfn() name some other frame of ours, whose byte
 * would be copied to the other domain.
 */
static void clear_notify_byte(struct grant_map *map)
{
	unsigned int page = map->notify_offset >> PAGE_SHIFT;
	struct gnttab_copy copy = {
		.source.u.gmfn = xen_page_to_gfn(ZERO_PAGE(0)),
		.source.domid = DOMID_SELF,
		.source.offset = 0,
		.dest.u.ref = map->refs[page].ref,
		.dest.domid = map->refs[page].domid,
		.dest.offset = offset_in_page(map->notify_offset),
		.len = 1,
		.flags = GNTCOPY_dest_gref,
	};

	if (HYPERVISOR_grant_table_op(GNTTABOP_copy, &copy, 1) ||
	    copy.status != GNTST_okay)
		pr_warn_ratelimited("cannot clear the notify byte of grant %u of domain %u: %d\n",
				    copy.dest.u.ref, copy.dest.domid,
				    copy.status);
}

/*
 * One pass over pages [first, last) of @map: unmap every grant still
 * mapped, a batch per hypercall.  Returns how many stay mapped.
 */
static unsigned int unmap_pass(struct grant_map *map, unsigned int first,
			       unsigned int last, bool last_try)
{
	struct gnttab_unmap_grant_ref ops[GNT_BATCH];
	unsigned int at[GNT_BATCH];
	unsigned int i, n, left = 0;
	int rc;

	while (first < last) {
		for (n = 0; first < last && n < GNT_BATCH; first++) {
			if (map->handles[first] == INVALID_GRANT_HANDLE)
				continue;
			ops[n].host_addr = map->pte_ma[first];
			ops[n].dev_bus_addr = 0;
			ops[n].handle = map->handles[first];
			ops[n].status = GNTST_general_error;
			at[n++] = first;
		}
		if (!n)
			break;
		rc = gnttab_unmap_grants(ops, n);
		for (i = 0; i < n; i++) {
			if (!rc && ops[i].status == GNTST_okay) {
				map->handles[at[i]] = INVALID_GRANT_HANDLE;
				continue;
			}
			left++;
			if (last_try)
				pr_err_ratelimited("cannot unmap grant %u of domain %u: %d; it stays mapped\n",
						   map->refs[at[i]].ref,
						   map->refs[at[i]].domid,
						   rc ? rc : ops[i].status);
		}
	}
	return left;
}

/*
 * Unmap the grants of pages [first, last) of @map; map->lock held.  Xen
 * clears each PTE as it unmaps it (and flushes the TLBs).
 *
 * A grant that will not unmap keeps its handle: it is still mapped, and
 * the handle is the only way to unmap it later.  Forgetting it would
 * leak the mapping silently, and the PTE would still hold the grant when
 * the generic code clears it, an implicit unmap that Xen does not allow.
 * Failures should not happen (the granting domain cannot revoke a mapped
 * grant, nor does its death undo our mapping), so a retry at once is all
 * we try here.  area_close() goes over the area once more, but only an
 * explicit close can still succeed: on munmap() or exit the generic code
 * has freed the page tables before it closes the area, and Xen refuses
 * a PTE that is no longer one; such a grant stays mapped (reported).
 */
static void unmap_pages(struct grant_map *map, unsigned int first,
			unsigned int last)
{
	unsigned int notify_page = map->notify_offset >> PAGE_SHIFT;
	bool notify = map->notify_action && notify_page >= first &&
		      notify_page < last &&
		      map->handles[notify_page] != INVALID_GRANT_HANDLE;

	if (notify && (map->notify_action & UNMAP_NOTIFY_CLEAR_BYTE))
		clear_notify_byte(map);

	if (unmap_pass(map, first, last, false))
		unmap_pass(map, first, last, true);

	if (notify && (map->notify_action & UNMAP_NOTIFY_SEND_EVENT))
		notify_remote_via_evtchn(map->notify_port);
	if (notify)
		map->notify_action = 0;
}

/*
 * Something is about to change the page tables of the area (munmap,
 * mremap, the process's exit): take our grants out first.  Nothing here
 * sleeps, so it does not matter whether the caller may block.
 */
static bool area_invalidate(struct mmu_interval_notifier *mn,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct grant_map *map = container_of(mn, struct grant_map, notifier);
	unsigned long start, end;

	spin_lock(&map->lock);
	mmu_interval_set_seq(mn, cur_seq);
	start = max(range->start, map->start);
	end = min(range->end,
		  map->start + ((unsigned long)map->count << PAGE_SHIFT));
	if (start < end)
		unmap_pages(map, (start - map->start) >> PAGE_SHIFT,
			    DIV_ROUND_UP(end - map->start, PAGE_SIZE));
	spin_unlock(&map->lock);
	return true;
}

static const struct mmu_interval_notifier_ops area_notifier_ops = {
	.invalidate = area_invalidate,
};

/* ---- The area ------------------------------------------------------------ */

static void area_open(struct vm_area_struct *vma)
{
	struct grant_map *map = vma->vm_private_data;

	/* A copy made by mremap(): it holds nothing, only the map alive. */
	refcount_inc(&map->users);
}

static void area_close(struct vm_area_struct *vma)
{
	struct grant_map *map = vma->vm_private_data;
	bool owner;

	spin_lock(&map->lock);
	owner = map->vma == vma;
	if (owner) {
		/* Normally done by the notifier already. */
		unmap_pages(map, 0, map->count);
		map->vma = NULL;
	}
	spin_unlock(&map->lock);
	if (owner)
		mmu_interval_notifier_remove(&map->notifier);
	put_map(map);
}

static int area_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

/* pte_val() cannot express a granted frame: no new protection. */
static int area_mprotect(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, unsigned long newflags)
{
	return -EACCES;
}

static vm_fault_t area_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct gntdev_vm_ops = {
	.open = area_open,
	.close = area_close,
	.may_split = area_may_split,
	.mprotect = area_mprotect,
	.fault = area_fault,
};

/* apply_to_page_range(): where each PTE of the area is in machine memory. */
static int note_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct grant_map *map = data;

	map->pte_ma[(addr - map->start) >> PAGE_SHIFT] = virt_to_machine(ptep);
	return 0;
}

/* Map every grant of @map; on failure none stays mapped. */
static int map_pages(struct grant_map *map)
{
	struct gnttab_map_grant_ref ops[GNT_BATCH];
	u32 flags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte;
	unsigned int first, i, n;
	int rc = 0;

	if (map->readonly)
		flags |= GNTMAP_readonly;
	for (first = 0; first < map->count && !rc; first += n) {
		n = min_t(unsigned int, map->count - first, GNT_BATCH);
		for (i = 0; i < n; i++) {
			ops[i].host_addr = map->pte_ma[first + i];
			ops[i].flags = flags;
			ops[i].ref = map->refs[first + i].ref;
			ops[i].dom = map->refs[first + i].domid;
		}
		rc = gnttab_map_grants(ops, n);
		if (rc)
			break;
		for (i = 0; i < n; i++) {
			if (ops[i].status == GNTST_okay) {
				map->handles[first + i] = ops[i].handle;
				continue;
			}
			pr_debug("cannot map grant %u of domain %u: %d\n",
				 ops[i].ref, ops[i].dom, ops[i].status);
			rc = -EINVAL;
		}
	}
	if (rc) {
		spin_lock(&map->lock);
		unmap_pages(map, 0, map->count);
		spin_unlock(&map->lock);
	}
	return rc;
}

static int gntdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gntdev_file *f = file->private_data;
	unsigned long count = vma_pages(vma);
	struct grant_map *map;
	int rc;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&f->lock);
	map = find_map(f, vma->vm_pgoff, count);
	if (!map || map->mapped_once) {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	map->mapped_once = true;
	refcount_inc(&map->users);
	mutex_unlock(&f->lock);

	map->readonly = !(vma->vm_flags & VM_WRITE);
	map->start = vma->vm_start;
	if (map->readonly)
		vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP;
	vma->vm_ops = &gntdev_vm_ops;
	vma->vm_private_data = map;

	/* The page tables must exist for Xen to write the entries. */
	rc = apply_to_page_range(vma->vm_mm, vma->vm_start,
				 vma->vm_end - vma->vm_start, note_pte, map);
	if (rc)
		goto fail;
	rc = mmu_interval_notifier_insert_locked(&map->notifier, vma->vm_mm,
						 vma->vm_start,
						 vma->vm_end - vma->vm_start,
						 &area_notifier_ops);
	if (rc)
		goto fail;
	rc = map_pages(map);
	if (rc) {
		mmu_interval_notifier_remove(&map->notifier);
		goto fail;
	}
	map->vma = vma;
	return 0;
fail:
	/* mmap() failing does not call ->close: undo it all here. */
	vma->vm_private_data = NULL;
	mutex_lock(&f->lock);
	map->mapped_once = false;
	mutex_unlock(&f->lock);
	put_map(map);
	return rc;
}

/* ---- Other ioctls ---------------------------------------------------------- */

static long get_offset_for_vaddr(struct gntdev_file *f, void __user *u)
{
	struct ioctl_gntdev_get_offset_for_vaddr op;
	struct vm_area_struct *vma;
	struct grant_map *map;
	long rc = -EINVAL;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, op.vaddr);
	if (vma && vma->vm_ops == &gntdev_vm_ops && vma->vm_private_data) {
		map = vma->vm_private_data;
		op.offset = (u64)map->index << PAGE_SHIFT;
		op.count = map->count;
		rc = 0;
	}
	mmap_read_unlock(current->mm);
	if (!rc && copy_to_user(u, &op, sizeof(op)))
		rc = -EFAULT;
	return rc;
}

static long set_max_grants(struct gntdev_file *f, void __user *u)
{
	struct ioctl_gntdev_set_max_grants op;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	mutex_lock(&f->lock);
	f->max_grants = op.count;
	mutex_unlock(&f->lock);
	return 0;
}

/*
 * The port to signal must be one bound through /dev/xen/evtchn, and it
 * is pinned there for as long as the map may signal it (until the map
 * is freed or given another notify): the notify may fire long after its
 * client closed it, and a bare number would by then name whatever
 * channel Xen gave it to next.  The pin is taken before, and the old
 * one dropped after, the map's spinlock: both may sleep.  The unmap
 * that fires the notify runs under that spinlock, so it leaves the pin
 * for free_map().
 */
static long set_unmap_notify(struct gntdev_file *f, void __user *u)
{
	struct ioctl_gntdev_unmap_notify op;
	struct grant_map *map;
	unsigned long page;
	long rc = -ENOENT;
	bool pin = false, unpin = false;
	evtchn_port_t old_port = 0;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (op.action & ~(UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT))
		return -EINVAL;
	if (op.action & UNMAP_NOTIFY_SEND_EVENT) {
		if (xen_evtchn_user_port_pin(op.event_channel_port))
			return -EINVAL;
		pin = true;
	}
	page = op.index >> PAGE_SHIFT;

	mutex_lock(&f->lock);
	list_for_each_entry(map, &f->maps, list) {
		if (page < map->index || page - map->index >= map->count)
			continue;
		spin_lock(&map->lock);
		if ((op.action & UNMAP_NOTIFY_CLEAR_BYTE) && map->readonly &&
		    map->mapped_once) {
			rc = -EINVAL;	/* there is no writing to it */
		} else {
			unpin = map->port_pinned;
			old_port = map->notify_port;
			map->notify_action = op.action;
			map->notify_offset = op.index -
					     ((u64)map->index << PAGE_SHIFT);
			map->notify_port = op.event_channel_port;
			map->port_pinned = pin;
			pin = false;	/* the map's now */
			rc = 0;
		}
		spin_unlock(&map->lock);
		break;
	}
	if (unpin)
		xen_evtchn_user_port_unpin(old_port);
	mutex_unlock(&f->lock);
	if (pin)
		xen_evtchn_user_port_unpin(op.event_channel_port);
	return rc;
}

/* ---- GRANT_COPY -------------------------------------------------------- */

/* Segments copied per hypercall; each holds a page of ours pinned. */
#define COPY_BATCH	16

struct copy_batch {
	struct gnttab_copy ops[COPY_BATCH];
	struct ioctl_gntdev_grant_copy_segment __user *status[COPY_BATCH];
	struct page *pages[COPY_BATCH];
	bool dirty[COPY_BATCH];
	unsigned int nr_ops, nr_pages;
};

static void release_batch(struct copy_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr_pages; i++)
		unpin_user_pages_dirty_lock(&b->pages[i], 1, b->dirty[i]);
	b->nr_pages = 0;
	b->nr_ops = 0;
}

static int flush_batch(struct copy_batch *b)
{
	unsigned int i;
	int rc;

	rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, b->ops, b->nr_ops);
	for (i = 0; i < b->nr_ops && !rc; i++)
		if (put_user(b->ops[i].status, &b->status[i]->status))
			rc = -EFAULT;
	release_batch(b);
	return rc;
}

/* One side of a copy that is our user memory: pin its page, name its frame. */
static int user_side(struct copy_batch *b, void __user *virt,
		     unsigned int len, bool write, struct gnttab_copy_ptr *p)
{
	unsigned long addr = (unsigned long)virt;
	struct page *page;
	int rc;

	if (offset_in_page(addr) + len > PAGE_SIZE)
		return -EINVAL;
	rc = pin_user_pages_fast(addr & PAGE_MASK, 1, write ? FOLL_WRITE : 0,
				 &page);
	if (rc != 1)
		return rc < 0 ? rc : -EFAULT;
	b->pages[b->nr_pages] = page;
	b->dirty[b->nr_pages] = write;
	b->nr_pages++;
	p->u.gmfn = xen_page_to_gfn(page);
	p->domid = DOMID_SELF;
	p->offset = offset_in_page(addr);
	return 0;
}

static int grant_side(u32 ref, u16 offset, u16 domid, unsigned int len,
		      struct gnttab_copy_ptr *p)
{
	if (domid >= DOMID_FIRST_RESERVED || offset + len > XEN_PAGE_SIZE)
		return -EINVAL;
	p->u.ref = ref;
	p->domid = domid;
	p->offset = offset;
	return 0;
}

static long grant_copy(struct gntdev_file *f, void __user *u)
{
	struct ioctl_gntdev_grant_copy op;
	struct copy_batch *b;
	unsigned int i;
	long rc = 0;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < op.count && !rc; i++) {
		struct ioctl_gntdev_grant_copy_segment seg;
		struct gnttab_copy *c;

		/* Each segment may pin two pages: make room first. */
		if (b->nr_ops == COPY_BATCH || b->nr_pages + 2 > COPY_BATCH) {
			rc = flush_batch(b);
			if (rc)
				break;
			cond_resched();
		}
		c = &b->ops[b->nr_ops];
		if (copy_from_user(&seg, &op.segments[i], sizeof(seg))) {
			rc = -EFAULT;
			break;
		}
		c->len = seg.len;
		c->flags = seg.flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref);
		if (seg.flags != c->flags || !seg.len) {
			rc = -EINVAL;
			break;
		}
		if (c->flags & GNTCOPY_source_gref)
			rc = grant_side(seg.source.foreign.ref,
					seg.source.foreign.offset,
					seg.source.foreign.domid, seg.len,
					&c->source);
		else
			rc = user_side(b, seg.source.virt, seg.len, false,
				       &c->source);
		if (rc)
			break;
		if (c->flags & GNTCOPY_dest_gref)
			rc = grant_side(seg.dest.foreign.ref,
					seg.dest.foreign.offset,
					seg.dest.foreign.domid, seg.len,
					&c->dest);
		else
			rc = user_side(b, seg.dest.virt, seg.len, true,
				       &c->dest);
		if (rc)
			break;
		b->status[b->nr_ops++] = &op.segments[i];
	}
	if (!rc && b->nr_ops)
		rc = flush_batch(b);
	release_batch(b);
	kfree(b);
	return rc;
}

/* ---- The file ------------------------------------------------------------ */

static long gntdev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct gntdev_file *f = file->private_data;
	void __user *u = (void __user *)arg;

	switch (cmd) {
	case IOCTL_GNTDEV_MAP_GRANT_REF:
		return map_grant_ref(f, u);
	case IOCTL_GNTDEV_UNMAP_GRANT_REF:
		return unmap_grant_ref(f, u);
	case IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR:
		return get_offset_for_vaddr(f, u);
	case IOCTL_GNTDEV_SET_MAX_GRANTS:
		return set_max_grants(f, u);
	case IOCTL_GNTDEV_SET_UNMAP_NOTIFY:
		return set_unmap_notify(f, u);
	case IOCTL_GNTDEV_GRANT_COPY:
		return grant_copy(f, u);
	default:
		return -ENOTTY;
	}
}

static int gntdev_open(struct inode *inode, struct file *file)
{
	struct gntdev_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->maps);
	f->max_grants = UINT_MAX;
	file->private_data = f;
	return 0;
}

/*
 * Every area holds the file open, so no mapping is left when this runs:
 * only reservations, which go now.
 */
static int gntdev_release(struct inode *inode, struct file *file)
{
	struct gntdev_file *f = file->private_data;
	struct grant_map *map, *next;

	list_for_each_entry_safe(map, next, &f->maps, list) {
		list_del(&map->list);
		put_map(map);
	}
	kfree(f);
	return 0;
}

static const struct file_operations gntdev_fops = {
	.owner = THIS_MODULE,
	.open = gntdev_open,
	.release = gntdev_release,
	.mmap = gntdev_mmap,
	.unlocked_ioctl = gntdev_ioctl,
	.llseek = noop_llseek,
};

/* /dev/xen/gntdev */
static struct miscdevice gntdev_miscdev = {
	.name = "xen/gntdev",
	.fops = &gntdev_fops,
	.minor = MISC_DYNAMIC_MINOR,
};

static int __init gntdev_init(void)
{
	if (!xen_pv_domain())
		return -ENODEV;
	return misc_register(&gntdev_miscdev);
}
module_init(gntdev_init);

static void __exit gntdev_exit(void)
{
	misc_deregister(&gntdev_miscdev);
}
module_exit(gntdev_exit);
