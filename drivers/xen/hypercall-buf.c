// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/hypercall: memory for hypercall arguments (part of xen-privcmd).
 *
 * Xen reads and writes a hypercall's buffers through the caller's page
 * tables and cannot fault pages in, so libxencall needs buffers that stay
 * present, and that a fork() does not turn copy-on-write under a
 * hypercall in flight.  It gets them by mmap()ing this file (MAP_SHARED):
 * each mapping is fresh zeroed kernel pages, mapped for as long as the
 * area holds them and freed when it goes, never copied into a child.
 *
 * Without this file libxencall falls back to anonymous memory made
 * MAP_LOCKED and MADV_DONTFORK, which needs madvise(), a system call a
 * small kernel may leave out.
 */
#define pr_fmt(fmt) "xen:hypercall: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "privcmd.h"

static vm_fault_t hcall_buf_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct hcall_buf_vm_ops = {
	.fault = hcall_buf_fault,
};

/*
 * The area owns its pages: each is referenced by its PTE only, so
 * munmap() (of all or part of it) and exit free them.
 */
static int hcall_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr;

	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff)
		return -EINVAL;
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &hcall_buf_vm_ops;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		int rc;

		if (!page)
			return -ENOMEM;	/* mmap() failing frees what is in */
		rc = vm_insert_page(vma, addr, page);
		put_page(page);
		if (rc)
			return rc;
		/*
		 * The size is the caller's choice: a task the OOM killer
		 * picked (or anyone killed) stops taking pages at once,
		 * where it would otherwise go on into the reserves.
		 */
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static const struct file_operations hcall_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = hcall_buf_mmap,
	.llseek = noop_llseek,
};

/* /dev/xen/hypercall */
static struct miscdevice hcall_buf_miscdev = {
	.name = "xen/hypercall",
	.fops = &hcall_buf_fops,
	.minor = MISC_DYNAMIC_MINOR,
};

int __init xen_hypercall_buf_init(void)
{
	return misc_register(&hcall_buf_miscdev);
}

void xen_hypercall_buf_exit(void)
{
	misc_deregister(&hcall_buf_miscdev);
}
