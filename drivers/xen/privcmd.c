// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/privcmd (also /proc/xen/privcmd): the toolstack's hypercalls
 * and its mappings of other domains' memory.
 *
 * libxencall passes hypercalls through IOCTL_PRIVCMD_HYPERCALL, their
 * buffers being user memory that stays present (hypercall-buf.c); we
 * call Xen with the arguments as they are and return what Xen returns.
 * Xen reads and writes those buffers through our page tables, as it
 * would ours.
 *
 * libxenforeignmemory mmap()s this file to get an empty area, then fills
 * it with another domain's frames through MMAPBATCH (v2, or v1 on old
 * kernels), MMAP_RESOURCE or the old MMAP.  Each frame is mapped or not
 * on its own: v2 reports 0 or -errno per frame, v1 flags the frame
 * number itself, and the call returns -ENOENT if any frame was paged out
 * (the caller retries those), 0 otherwise.  A frame can only go where
 * nothing is mapped yet.  Touching a page of the area that holds no frame
 * is SIGBUS.  The area is never copied to a child and cannot grow, move
 * its protection or be dumped.
 *
 * A file can be restricted to one domain (a device model serving a
 * guest): from then on it maps only that domain's memory, issues only
 * that domain's device-model operations, and no raw hypercall.  Outside
 * dom0 every file starts restricted to the domain the store names as our
 * "target" (a stub domain's guest), or to none, unless the module was
 * loaded with unrestricted=1.
 */
#define pr_fmt(fmt) "xen:privcmd: " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/dm_op.h>
#include <uapi/xen/privcmd.h>

#include "privcmd.h"

MODULE_DESCRIPTION("Xen hypercalls and foreign mappings for the toolstack");
MODULE_LICENSE("GPL");

/* Limits on what one DM_OP may make us pin. */
static unsigned int dm_op_max_nr_bufs = 16;
module_param(dm_op_max_nr_bufs, uint, 0644);
MODULE_PARM_DESC(dm_op_max_nr_bufs, "Buffers one DM_OP may pass (16)");
static unsigned int dm_op_buf_max_size = 4096;
module_param(dm_op_buf_max_size, uint, 0644);
MODULE_PARM_DESC(dm_op_buf_max_size, "Bytes in one DM_OP buffer (4096)");

/* Outside dom0, act only on the store's "target" domain unless this is set. */
static bool unrestricted;
module_param(unrestricted, bool, 0);
MODULE_PARM_DESC(unrestricted,
		 "In a domU, let every file act on any domain (default: only the target)");

/* Frames handled per round: the user's array is read this much at a time. */
#define FRAMES_PER_ROUND	512
/* Frames of a resource asked of Xen at a time, well within what it takes. */
#define RESOURCE_FRAMES		32

struct privcmd_file {
	/* DOMID_INVALID: any domain and any hypercall. */
	domid_t domid;
};

static bool may_use(struct privcmd_file *pf, domid_t dom)
{
	return pf->domid == DOMID_INVALID || pf->domid == dom;
}

/* ---- Hypercalls ----------------------------------------------------------- */

static long privcmd_hypercall(struct privcmd_file *pf, void __user *udata)
{
	struct privcmd_hypercall call;

	if (pf->domid != DOMID_INVALID)
		return -EPERM;
	if (copy_from_user(&call, udata, sizeof(call)))
		return -EFAULT;
	return xen_hypercall_dynamic(call.op, call.arg[0], call.arg[1],
				     call.arg[2], call.arg[3], call.arg[4]);
}

/* ---- The area ----------------------------------------------------------- */

static vm_fault_t privcmd_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/*
 * A new protection would be rebuilt from pte_val(), which cannot
 * express another domain's frame: refuse rather than map something else.
 */
static int privcmd_mprotect(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, unsigned long newflags)
{
	return -EACCES;
}

/*
 * mremap() moves PTEs through the generic pte_val() round trip, which
 * reads another domain's frame as not present (arch/x86/xen/mmu.c), and
 * each foreign entry moved costs a failed hypercall report.  This hook
 * cannot prevent that: it runs after the entries moved, and on our error
 * the kernel moves them back the same way, so the frames are gone either
 * way (a 2 MiB-aligned move, which moves whole page tables, keeps them).
 * What it changes is that the caller learns it: mremap() fails instead
 * of succeeding with holes.  Mapping again (MMAPBATCH) is the way to move.
 */
static int privcmd_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct privcmd_vm_ops = {
	.fault = privcmd_fault,
	.mprotect = privcmd_mprotect,
	.mremap = privcmd_mremap,
};

static int privcmd_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* PTEs of foreign frames, which no generic code may interpret. */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP;
	vma->vm_ops = &privcmd_vm_ops;
	return 0;
}

/*
 * The privcmd area holding [addr, addr + nr pages), mmap lock held.
 * Whose file made it does not matter: the caller opened privcmd too.
 */
static struct vm_area_struct *privcmd_area(unsigned long addr,
					   unsigned long nr)
{
	struct vm_area_struct *vma;

	if (!nr || (addr & ~PAGE_MASK) || nr > (TASK_SIZE_MAX >> PAGE_SHIFT))
		return NULL;
	vma = vma_lookup(current->mm, addr);
	if (!vma || vma->vm_ops != &privcmd_vm_ops ||
	    (vma->vm_end - addr) >> PAGE_SHIFT < nr)
		return NULL;
	return vma;
}

/* Buffers for one round of frames. */
struct frame_round {
	xen_pfn_t frames[FRAMES_PER_ROUND];
	int errs[FRAMES_PER_ROUND];
};

/*
 * Map one round of frames at @at, inside the privcmd area of @nr pages at
 * @addr.  The mmap lock is taken here, for the mapping alone: the callers
 * read and write the user's arrays between rounds without it, because a
 * fault on them takes the lock too and would queue behind a writer
 * (another thread's mmap()) that is itself waiting for us.  So the area
 * is looked up anew each round; it may have gone meanwhile.
 */
static int map_round(unsigned long addr, unsigned long nr, unsigned long at,
		     struct frame_round *r, unsigned int n, domid_t dom)
{
	struct vm_area_struct *vma;

	mmap_read_lock(current->mm);
	vma = privcmd_area(addr, nr);
	if (vma)
		xen_map_foreign_frames(vma, at, r->frames, n, r->errs,
				       vma->vm_page_prot, dom);
	mmap_read_unlock(current->mm);
	return vma ? 0 : -EINVAL;
}

/* ---- MMAPBATCH, v1 and v2 ------------------------------------------------ */

static long privcmd_mmapbatch(struct privcmd_file *pf, void __user *udata,
			      int version)
{
	struct privcmd_mmapbatch_v2 m;
	xen_pfn_t __user *v1_arr = NULL;
	struct frame_round *r;
	bool paged_out = false;
	unsigned long done;
	long rc = 0;

	if (version == 1) {
		struct privcmd_mmapbatch m1;

		if (copy_from_user(&m1, udata, sizeof(m1)))
			return -EFAULT;
		if (m1.num < 0)
			return -EINVAL;
		m.num = m1.num;
		m.dom = m1.dom;
		m.addr = m1.addr;
		m.arr = v1_arr = m1.arr;
		m.err = NULL;
	} else if (copy_from_user(&m, udata, sizeof(m))) {
		return -EFAULT;
	}
	if (!may_use(pf, m.dom))
		return -EPERM;
	if (!m.num)
		return 0;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (done = 0; done < m.num; ) {
		unsigned int n = min_t(unsigned long, m.num - done,
				       FRAMES_PER_ROUND);
		bool failed = false;
		unsigned int i;

		if (copy_from_user(r->frames, m.arr + done,
				   n * sizeof(xen_pfn_t))) {
			rc = -EFAULT;
			goto out;
		}
		rc = map_round(m.addr, m.num, m.addr + (done << PAGE_SHIFT),
			       r, n, m.dom);
		if (rc)
			goto out;
		for (i = 0; i < n; i++) {
			if (r->errs[i] == -ENOENT)
				paged_out = true;
			if (!r->errs[i])
				continue;
			failed = true;
			r->frames[i] |= r->errs[i] == -ENOENT ?
					PRIVCMD_MMAPBATCH_PAGED_ERROR :
					PRIVCMD_MMAPBATCH_MFN_ERROR;
		}
		if (version == 2) {
			if (copy_to_user(m.err + done, r->errs,
					 n * sizeof(int))) {
				rc = -EFAULT;
				goto out;
			}
		} else if (failed) {
			/* v1 marks the frames that failed in place. */
			if (copy_to_user(v1_arr + done, r->frames,
					 n * sizeof(xen_pfn_t))) {
				rc = -EFAULT;
				goto out;
			}
		}
		done += n;
		cond_resched();
	}
	if (paged_out)
		rc = -ENOENT;
out:
	kfree(r);
	return rc;
}

/* ---- MMAP: runs of contiguous frames (the oldest interface) -------------- */

static long privcmd_mmap_runs(struct privcmd_file *pf, void __user *udata)
{
	struct privcmd_mmap m;
	struct privcmd_mmap_entry e;
	struct frame_round *r;
	long rc = 0;
	int i;

	if (copy_from_user(&m, udata, sizeof(m)))
		return -EFAULT;
	if (!may_use(pf, m.dom))
		return -EPERM;
	if (m.num <= 0)
		return m.num ? -EINVAL : 0;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (i = 0; i < m.num && !rc; i++) {
		u64 done;

		if (copy_from_user(&e, &m.entry[i], sizeof(e))) {
			rc = -EFAULT;
			break;
		}
		for (done = 0; done < e.npages && !rc; ) {
			unsigned int n = min_t(u64, e.npages - done,
					       FRAMES_PER_ROUND);
			unsigned int j;

			for (j = 0; j < n; j++)
				r->frames[j] = e.mfn + done + j;
			rc = map_round(e.va, e.npages,
				       e.va + (done << PAGE_SHIFT), r, n, m.dom);
			for (j = 0; j < n && !rc; j++)
				rc = r->errs[j];
			done += n;
		}
	}
	kfree(r);
	return rc;
}

/* ---- MMAP_RESOURCE -------------------------------------------------------- */

/* The resource in frames, as Xen answers a request for none. */
static long privcmd_resource_size(struct privcmd_mmap_resource *k,
			  struct privcmd_mmap_resource __user *udata)
{
	struct xen_mem_acquire_resource xr = {
		.domid = k->dom,
		.type = k->type,
		.id = k->id,
	};
	int rc;

	rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &xr);
	if (rc)
		return rc;
	k->num = xr.nr_frames;
	return put_user(k->num, &udata->num);
}

/*
 * Xen hands a PV caller the machine frames of the resource, which
 * belong to the domain (its grant table, its ioreq pages): map them as
 * machine frames, also when the domain is HVM or PVH, whose frames Xen
 * would otherwise look up in its p2m (libxenguest seeds a PVH guest's
 * grant table this way).
 */
static long privcmd_mmap_resource(struct privcmd_file *pf, void __user *udata)
{
	struct privcmd_mmap_resource k;
	struct vm_area_struct *vma;
	struct frame_round *r;
	unsigned long done;
	long rc = 0;

	if (copy_from_user(&k, udata, sizeof(k)))
		return -EFAULT;
	if (!may_use(pf, k.dom))
		return -EPERM;
	if (!k.addr && !k.num)
		return privcmd_resource_size(&k, udata);
	if (k.type > U16_MAX)
		return -EINVAL;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mmap_read_lock(current->mm);
	vma = privcmd_area(k.addr, k.num);
	if (!vma) {
		rc = -EINVAL;
		goto out;
	}
	for (done = 0; done < k.num && !rc; ) {
		struct xen_mem_acquire_resource xr = {
			.domid = k.dom,
			.type = k.type,
			.id = k.id,
			.frame = k.idx + done,
		};
		unsigned int n = min_t(u64, k.num - done, RESOURCE_FRAMES);
		unsigned int i;

		xr.nr_frames = n;
		set_xen_guest_handle(xr.frame_list, r->frames);
		rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &xr);
		if (rc)
			break;
		xen_map_foreign_mfns(vma, k.addr + (done << PAGE_SHIFT),
				     r->frames, n, r->errs, vma->vm_page_prot,
				     k.dom);
		for (i = 0; i < n && !rc; i++)
			rc = r->errs[i];
		done += n;
	}
out:
	mmap_read_unlock(current->mm);
	kfree(r);
	return rc;
}

/* ---- DM_OP ----------------------------------------------------------------- */

/*
 * A device-model operation on @dom, its buffers in user memory.  Xen
 * copies them in and out through our page tables and cannot fault pages
 * in, so they are pinned (made present and kept) around the call.
 */
static long privcmd_dm_op(struct privcmd_file *pf, void __user *udata)
{
	struct privcmd_dm_op k;
	struct privcmd_dm_op_buf *ubufs = NULL;
	struct xen_dm_op_buf *xbufs = NULL;
	struct page **pages = NULL;
	unsigned int nr_pages = 0, pinned = 0, i;
	long rc;

	if (copy_from_user(&k, udata, sizeof(k)))
		return -EFAULT;
	if (!may_use(pf, k.dom))
		return -EPERM;
	if (!k.num)
		return 0;
	if (k.num > dm_op_max_nr_bufs)
		return -E2BIG;

	ubufs = kcalloc(k.num, sizeof(*ubufs), GFP_KERNEL);
	xbufs = kcalloc(k.num, sizeof(*xbufs), GFP_KERNEL);
	rc = -ENOMEM;
	if (!ubufs || !xbufs)
		goto out;
	rc = -EFAULT;
	if (copy_from_user(ubufs, k.ubufs, k.num * sizeof(*ubufs)))
		goto out;
	for (i = 0; i < k.num; i++) {
		unsigned long start = (unsigned long)ubufs[i].uptr;

		rc = -E2BIG;
		if (ubufs[i].size > dm_op_buf_max_size)
			goto out;
		rc = -EFAULT;
		if (!access_ok(ubufs[i].uptr, ubufs[i].size))
			goto out;
		if (ubufs[i].size)
			nr_pages += PFN_UP(start + ubufs[i].size) -
				    PFN_DOWN(start);
		set_xen_guest_handle(xbufs[i].h, ubufs[i].uptr);
		xbufs[i].size = ubufs[i].size;
	}

	rc = -ENOMEM;
	pages = kcalloc(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (nr_pages && !pages)
		goto out;
	for (i = 0; i < k.num; i++) {
		unsigned long start = (unsigned long)ubufs[i].uptr;
		unsigned int n;
		int got;

		if (!ubufs[i].size)
			continue;
		n = PFN_UP(start + ubufs[i].size) - PFN_DOWN(start);
		got = pin_user_pages_fast(start & PAGE_MASK, n, FOLL_WRITE,
					  pages + pinned);
		if (got > 0)
			pinned += got;
		rc = -EFAULT;
		if (got != n)
			goto out;
	}

	rc = HYPERVISOR_dm_op(k.dom, k.num, xbufs);
out:
	if (pinned)
		unpin_user_pages_dirty_lock(pages, pinned, true);
	kfree(pages);
	kfree(xbufs);
	kfree(ubufs);
	return rc;
}

/* ---- RESTRICT, and the rest ---------------------------------------------- */

static long privcmd_restrict(struct privcmd_file *pf, void __user *udata)
{
	domid_t dom;

	if (copy_from_user(&dom, udata, sizeof(dom)))
		return -EFAULT;
	/* Once restricted, only ever to the same domain. */
	if (pf->domid == DOMID_INVALID)
		pf->domid = dom;
	else if (pf->domid != dom)
		return -EINVAL;
	return 0;
}

static long privcmd_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct privcmd_file *pf = file->private_data;
	void __user *udata = (void __user *)arg;

	switch (cmd) {
	case IOCTL_PRIVCMD_HYPERCALL:
		return privcmd_hypercall(pf, udata);
	case IOCTL_PRIVCMD_MMAP:
		return privcmd_mmap_runs(pf, udata);
	case IOCTL_PRIVCMD_MMAPBATCH:
		return privcmd_mmapbatch(pf, udata, 1);
	case IOCTL_PRIVCMD_MMAPBATCH_V2:
		return privcmd_mmapbatch(pf, udata, 2);
	case IOCTL_PRIVCMD_MMAP_RESOURCE:
		return privcmd_mmap_resource(pf, udata);
	case IOCTL_PRIVCMD_DM_OP:
		return privcmd_dm_op(pf, udata);
	case IOCTL_PRIVCMD_RESTRICT:
		return privcmd_restrict(pf, udata);
	default:
		/* IOCTL_PRIVCMD_UNIMPLEMENTED included: the libraries check. */
		return -ENOTTY;
	}
}

/* Outside dom0: the domain the toolstack made us serve, if any. */
static domid_t our_target(void)
{
	unsigned int target;

	if (xenbus_scanf(XBT_NIL, "target", "", "%u", &target) != 1 ||
	    target >= DOMID_FIRST_RESERVED) {
		pr_warn_ratelimited("no target domain in the store: this file may act on none\n");
		return DOMID_IDLE;
	}
	return target;
}

static int privcmd_open(struct inode *inode, struct file *file)
{
	struct privcmd_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);

	if (!pf)
		return -ENOMEM;
	pf->domid = DOMID_INVALID;
	if (!xen_initial_domain() && !unrestricted)
		pf->domid = our_target();
	file->private_data = pf;
	return 0;
}

static int privcmd_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

const struct file_operations xen_privcmd_fops = {
	.owner = THIS_MODULE,
	.open = privcmd_open,
	.release = privcmd_release,
	.unlocked_ioctl = privcmd_ioctl,
	.mmap = privcmd_mmap,
};
EXPORT_SYMBOL_GPL(xen_privcmd_fops);

/* /dev/xen/privcmd */
static struct miscdevice privcmd_miscdev = {
	.name = "xen/privcmd",
	.fops = &xen_privcmd_fops,
	.minor = MISC_DYNAMIC_MINOR,
};

static int __init privcmd_init(void)
{
	int rc;

	if (!xen_pv_domain())
		return -ENODEV;
	rc = misc_register(&privcmd_miscdev);
	if (rc)
		return rc;
	rc = xen_hypercall_buf_init();
	if (rc)
		misc_deregister(&privcmd_miscdev);
	return rc;
}
module_init(privcmd_init);

static void __exit privcmd_exit(void)
{
	xen_hypercall_buf_exit();
	misc_deregister(&privcmd_miscdev);
}
module_exit(privcmd_exit);
