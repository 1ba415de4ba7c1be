/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * /dev/xen/privcmd: the toolstack's door to Xen.
 *
 * A process with this file open issues hypercalls on the domain's behalf
 * and maps other domains' memory into its own address space (the domain
 * builder, save/restore, the device model).  The structures and ioctl
 * numbers are the ones the Xen tools' libraries (libxencall,
 * libxenforeignmemory, libxendevicemodel) are built with: they are ABI and
 * never change.
 */
#ifndef _UAPI_XEN_PRIVCMD_H
#define _UAPI_XEN_PRIVCMD_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/ioctl.h>
/* xen_pfn_t: Xen's frame number, whose width depends on the architecture. */
#include <xen/interface/xen.h>

/* Ioctl number @nr of /dev/xen/privcmd, taking a @type. */
#define __XEN_PRIVCMD_IOC(nr, type) _IOC(_IOC_NONE, 'P', nr, sizeof(type))

/* A hypercall: its number and five arguments, pointers being user ones. */
struct privcmd_hypercall {
	__u64 op, arg[5];
};
/* Returns what Xen returned. */
#define IOCTL_PRIVCMD_HYPERCALL __XEN_PRIVCMD_IOC(0, struct privcmd_hypercall)

/* Map @npages frames from @mfn on (the domain's own numbering) at @va. */
struct privcmd_mmap_entry {
	__u64 va, mfn, npages;
};

/* @num runs of frames of domain @dom. */
struct privcmd_mmap {
	__s32 num;
	__u16 dom;
	struct privcmd_mmap_entry __user *entry;
};
#define IOCTL_PRIVCMD_MMAP __XEN_PRIVCMD_IOC(2, struct privcmd_mmap)

/*
 * Map @num frames of @dom, one per page from @addr on.  Version 1 reports
 * a frame that could not be mapped in the top nibble of its own entry of
 * @arr; version 2 has a separate array of 0 or -errno per frame.
 */
struct privcmd_mmapbatch {
	__s32 num;
	__u16 dom;
	__u64 addr;
	xen_pfn_t __user *arr;
};
#define IOCTL_PRIVCMD_MMAPBATCH __XEN_PRIVCMD_IOC(3, struct privcmd_mmapbatch)

#define PRIVCMD_MMAPBATCH_MFN_ERROR	0xf0000000U
#define PRIVCMD_MMAPBATCH_PAGED_ERROR	0x80000000U

struct privcmd_mmapbatch_v2 {
	__u32 num;
	__u16 dom;
	__u64 addr;
	const xen_pfn_t __user *arr;
	__s32 __user *err;
};
#define IOCTL_PRIVCMD_MMAPBATCH_V2 __XEN_PRIVCMD_IOC(4, struct privcmd_mmapbatch_v2)

/* A device-model operation on @dom, in @num buffers. */
struct privcmd_dm_op_buf {
	void __user *uptr;
	__kernel_size_t size;
};

struct privcmd_dm_op {
	__u16 dom, num;
	const struct privcmd_dm_op_buf __user *ubufs;
};
#define IOCTL_PRIVCMD_DM_OP __XEN_PRIVCMD_IOC(5, struct privcmd_dm_op)

/* From now on this file only acts on the domain given (a domid_t). */
#define IOCTL_PRIVCMD_RESTRICT __XEN_PRIVCMD_IOC(6, __u16)

/*
 * Map @num frames of a resource of @dom (XENMEM_acquire_resource: @type,
 * @id, from frame @idx on) at @addr.  With @addr and @num both 0, nothing
 * is mapped and @num returns the size of the resource in frames.
 */
struct privcmd_mmap_resource {
	__u16 dom;
	__u32 type, id, idx;
	__u64 num, addr;
};
#define IOCTL_PRIVCMD_MMAP_RESOURCE __XEN_PRIVCMD_IOC(7, struct privcmd_mmap_resource)

/* Never implemented: how the libraries learn the errno of one that is not. */
#define IOCTL_PRIVCMD_UNIMPLEMENTED _IOC(_IOC_NONE, 'P', 0xFF, 0)

#endif /* _UAPI_XEN_PRIVCMD_H */
