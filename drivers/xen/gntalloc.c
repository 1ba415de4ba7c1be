// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/gntalloc: pages of ours, granted to another domain from user
 * space.
 *
 * The counterpart of gntdev: a process here allocates pages and grants
 * them to a peer domain, whose process maps them with gntdev (shared
 * memory between domains, as libxenvchan builds it).  ALLOC_GREF
 * allocates and grants zeroed pages and returns their references and an
 * offset into the file; mmap() of that offset maps the pages here.
 *
 * A page lives while it is either still allocated (not yet DEALLOC_GREF,
 * file open) or mapped by an area of ours; when both are over, its
 * UNMAP_NOTIFY is carried out (a byte of it cleared and/or a channel
 * signalled, so the peer learns we are gone) and the grant is revoked.
 * If the peer still maps the page, revoking waits for it
 * (gnttab_end_foreign_access keeps page and reference until then): the
 * page is never reused while another domain can reach it.
 *
 * The module parameter "limit" bounds the pages all users together may
 * have granted.
 */
#define pr_fmt(fmt) "xen:gntalloc: " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xen.h>
#include <uapi/xen/gntalloc.h>

MODULE_DESCRIPTION("Grant pages of user memory to other domains");
MODULE_LICENSE("GPL");

static int limit = 1024;
module_param(limit, int, 0644);
MODULE_PARM_DESC(limit, "Pages granted through /dev/xen/gntalloc at once, all files together");

/* Pages granted through every file together. */
static atomic_t granted = ATOMIC_INIT(0);

struct gntalloc_file {
	struct mutex lock;
	struct list_head grefs;		/* allocated, by index */
	u64 next_index;			/* in pages, never reused */
};

struct gref {
	struct list_head list;		/* in the file while allocated */
	u64 index;
	unsigned int users;		/* allocated + areas mapping it */
	struct page *page;
	grant_ref_t ref;
	unsigned int notify_action;
	unsigned int notify_offset;	/* byte in the page */
	evtchn_port_t notify_port;	/* pinned if SEND_EVENT */
};

/* An mmap() of a run of pages. */
struct gntalloc_area {
	struct gntalloc_file *f;
	unsigned int users;		/* the area and its mremap() copies */
	unsigned int count;
	struct gref *grefs[];
};

/* ---- Pages --------------------------------------------------------------- */

/* The last user let go; f->lock held. */
static void release_gref(struct gref *g)
{
	if (g->notify_action & UNMAP_NOTIFY_CLEAR_BYTE)
		((u8 *)page_address(g->page))[g->notify_offset] = 0;
	if (g->notify_action & UNMAP_NOTIFY_SEND_EVENT) {
		notify_remote_via_evtchn(g->notify_port);
		xen_evtchn_user_port_unpin(g->notify_port);
	}
	/* Frees the page now, or once the peer has unmapped it. */
	gnttab_end_foreign_access(g->ref, g->page);
	atomic_dec(&granted);
	kfree(g);
}

static void put_gref(struct gref *g)
{
	if (!--g->users)
		release_gref(g);
}

static struct gref *find_gref(struct gntalloc_file *f, u64 index)
{
	struct gref *g;

	list_for_each_entry(g, &f->grefs, list)
		if (g->index == index)
			return g;
	return NULL;
}

/*
 * Take @count pages of the allowance all files share, or nothing.  The
 * count comes from the user: it is compared with what is left, never
 * added first, so no value of it can wrap the counter past the limit.
 */
static bool reserve_pages(u32 count)
{
	int lim = READ_ONCE(limit);
	int old = atomic_read(&granted);

	do {
		if (lim < 0 || count > (u32)lim || old > lim - (int)count)
			return false;
	} while (!atomic_try_cmpxchg(&granted, &old, old + (int)count));
	return true;
}

static long alloc_gref(struct gntalloc_file *f, void __user *u)
{
	struct ioctl_gntalloc_alloc_gref op;
	struct ioctl_gntalloc_alloc_gref __user *uop = u;
	LIST_HEAD(new);
	struct gref *g, *next;
	u32 *refs = NULL;
	unsigned int i;
	long rc;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (!op.count || op.domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (!reserve_pages(op.count))
		return -ENOSPC;
	refs = kvmalloc_array(op.count, sizeof(*refs), GFP_KERNEL);
	rc = -ENOMEM;
	if (!refs)
		goto fail;

	for (i = 0; i < op.count; i++) {
		int ref;

		g = kzalloc(sizeof(*g), GFP_KERNEL);
		if (!g)
			goto fail;
		g->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!g->page) {
			kfree(g);
			goto fail;
		}
		ref = gnttab_grant_foreign_access(op.domid,
						  xen_page_to_gfn(g->page),
				!(op.flags & GNTALLOC_FLAG_WRITABLE));
		if (ref < 0) {
			__free_page(g->page);
			kfree(g);
			rc = ref;
			goto fail;
		}
		g->ref = ref;
		g->users = 1;
		refs[i] = ref;
		list_add_tail(&g->list, &new);
	}
	rc = -EFAULT;
	if (copy_to_user(uop->gref_ids, refs, op.count * sizeof(*refs)))
		goto fail;

	mutex_lock(&f->lock);
	op.index = f->next_index << PAGE_SHIFT;
	list_for_each_entry(g, &new, list)
		g->index = f->next_index++;
	list_splice_tail(&new, &f->grefs);
	mutex_unlock(&f->lock);
	kvfree(refs);
	/* The pages are allocated now; close() gives them back if this fails. */
	return put_user(op.index, &uop->index);

fail:
	/* Nobody was told these references: revoke and free them now. */
	list_for_each_entry_safe(g, next, &new, list) {
		list_del(&g->list);
		gnttab_end_foreign_access(g->ref, g->page);
		kfree(g);
	}
	atomic_sub(op.count, &granted);
	kvfree(refs);
	return rc;
}

static long dealloc_gref(struct gntalloc_file *f, void __user *u)
{
	struct ioctl_gntalloc_dealloc_gref op;
	struct gref *g, *next;
	u64 first;
	u32 i;
	long rc = 0;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (op.index & ~PAGE_MASK)
		return -EINVAL;
	first = op.index >> PAGE_SHIFT;

	mutex_lock(&f->lock);
	/* All of them or none. */
	for (i = 0; i < op.count; i++) {
		if (!find_gref(f, first + i)) {
			rc = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry_safe(g, next, &f->grefs, list) {
		if (g->index < first || g->index - first >= op.count)
			continue;
		list_del(&g->list);
		put_gref(g);
	}
out:
	mutex_unlock(&f->lock);
	return rc;
}

static long set_unmap_notify(struct gntalloc_file *f, void __user *u)
{
	struct ioctl_gntalloc_unmap_notify op;
	struct gref *g;
	long rc = -ENOENT;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (op.action & ~(UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT))
		return -EINVAL;
	/*
	 * Only a port bound through /dev/xen/evtchn, pinned there until the
	 * notify fires or is replaced: it may fire long after the process
	 * closed the port, and Xen reuses the numbers of closed channels.
	 */
	if ((op.action & UNMAP_NOTIFY_SEND_EVENT) &&
	    xen_evtchn_user_port_pin(op.event_channel_port))
		return -EINVAL;
	mutex_lock(&f->lock);
	g = find_gref(f, op.index >> PAGE_SHIFT);
	if (g) {
		if (g->notify_action & UNMAP_NOTIFY_SEND_EVENT)
			xen_evtchn_user_port_unpin(g->notify_port);
		g->notify_action = op.action;
		g->notify_offset = offset_in_page(op.index);
		g->notify_port = op.event_channel_port;
		rc = 0;
	} else if (op.action & UNMAP_NOTIFY_SEND_EVENT) {
		xen_evtchn_user_port_unpin(op.event_channel_port);
	}
	mutex_unlock(&f->lock);
	return rc;
}

static long gntalloc_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct gntalloc_file *f = file->private_data;
	void __user *u = (void __user *)arg;

	switch (cmd) {
	case IOCTL_GNTALLOC_ALLOC_GREF:
		return alloc_gref(f, u);
	case IOCTL_GNTALLOC_DEALLOC_GREF:
		return dealloc_gref(f, u);
	case IOCTL_GNTALLOC_SET_UNMAP_NOTIFY:
		return set_unmap_notify(f, u);
	default:
		return -ENOTTY;
	}
}

/* ---- Areas -------------------------------------------------------------- */

static void area_open(struct vm_area_struct *vma)
{
	struct gntalloc_area *a = vma->vm_private_data;

	mutex_lock(&a->f->lock);
	a->users++;
	mutex_unlock(&a->f->lock);
}

static void area_close(struct vm_area_struct *vma)
{
	struct gntalloc_area *a = vma->vm_private_data;
	struct gntalloc_file *f = a->f;
	unsigned int i;

	mutex_lock(&f->lock);
	if (!--a->users) {
		for (i = 0; i < a->count; i++)
			put_gref(a->grefs[i]);
		kvfree(a);
	}
	mutex_unlock(&f->lock);
}

static int area_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct gntalloc_vm_ops = {
	.open = area_open,
	.close = area_close,
	.may_split = area_may_split,
};

static int gntalloc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gntalloc_file *f = file->private_data;
	unsigned long count = vma_pages(vma);
	struct gntalloc_area *a;
	unsigned int i;
	int rc = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* More pages than are granted at all cannot be ours: no allocation. */
	if (count > atomic_read(&granted))
		return -ENOENT;
	a = kvzalloc(struct_size(a, grefs, count), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->f = f;
	a->users = 1;

	mutex_lock(&f->lock);
	for (i = 0; i < count; i++) {
		a->grefs[i] = find_gref(f, vma->vm_pgoff + i);
		if (!a->grefs[i]) {
			rc = -ENOENT;
			goto out;
		}
	}
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
	for (i = 0; i < count && !rc; i++)
		rc = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				    a->grefs[i]->page);
	if (rc)
		goto out;	/* mmap() failing zaps what was inserted */
	for (i = 0; i < count; i++)
		a->grefs[i]->users++;
	a->count = count;
	vma->vm_ops = &gntalloc_vm_ops;
	vma->vm_private_data = a;
	a = NULL;
out:
	mutex_unlock(&f->lock);
	kvfree(a);
	return rc;
}

/* ---- The file -------------------------------------------------------------- */

static int gntalloc_open(struct inode *inode, struct file *file)
{
	struct gntalloc_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->grefs);
	file->private_data = f;
	return 0;
}

/* Every area holds the file open: only allocations are left here. */
static int gntalloc_release(struct inode *inode, struct file *file)
{
	struct gntalloc_file *f = file->private_data;
	struct gref *g, *next;

	mutex_lock(&f->lock);
	list_for_each_entry_safe(g, next, &f->grefs, list) {
		list_del(&g->list);
		put_gref(g);
	}
	mutex_unlock(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations gntalloc_fops = {
	.owner = THIS_MODULE,
	.open = gntalloc_open,
	.release = gntalloc_release,
	.unlocked_ioctl = gntalloc_ioctl,
	.mmap = gntalloc_mmap,
	.llseek = noop_llseek,
};

/* /dev/xen/gntalloc */
static struct miscdevice gntalloc_miscdev = {
	.name = "xen/gntalloc",
	.fops = &gntalloc_fops,
	.minor = MISC_DYNAMIC_MINOR,
};

static int __init gntalloc_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return misc_register(&gntalloc_miscdev);
}
module_init(gntalloc_init);

static void __exit gntalloc_exit(void)
{
	misc_deregister(&gntalloc_miscdev);
}
module_exit(gntalloc_exit);
