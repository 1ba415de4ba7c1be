/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * /dev/xen/gntdev: map other domains' grants into user space.
 *
 * A process names the grants it wants (domain, reference) with
 * MAP_GRANT_REF and gets back an offset into the file; mmap() of that
 * offset maps them.  The mapping lasts until munmap() (or exit), the
 * reservation until UNMAP_GRANT_REF (or close).  GRANT_COPY copies
 * between user memory and grants without mapping them.
 *
 * The numbers and layouts are what the Xen tools (libxengnttab) use.
 */
#ifndef _UAPI_XEN_GNTDEV_H
#define _UAPI_XEN_GNTDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Ioctl number @nr of /dev/xen/gntdev, taking a @type. */
#define __XEN_GNTDEV_IOC(nr, type) _IOC(_IOC_NONE, 'G', nr, sizeof(type))

/* A grant: the granting domain and its reference. */
struct ioctl_gntdev_grant_ref {
	__u32 domid, ref;
};

/*
 * Reserve @count grants for mapping.  @index comes back: the offset (a
 * multiple of the page size) to pass to mmap() for a mapping of them all.
 * @refs holds @count grants (the structure is followed by the rest).
 */
struct ioctl_gntdev_map_grant_ref {
	__u32 count, pad;
	__u64 index;
	struct ioctl_gntdev_grant_ref refs[1];
};
#define IOCTL_GNTDEV_MAP_GRANT_REF __XEN_GNTDEV_IOC(0, struct ioctl_gntdev_map_grant_ref)

/* Drop the reservation at @index; a live mapping lasts until munmap(). */
struct ioctl_gntdev_unmap_grant_ref {
	__u64 index;
	__u32 count, pad;
};
#define IOCTL_GNTDEV_UNMAP_GRANT_REF __XEN_GNTDEV_IOC(1, struct ioctl_gntdev_unmap_grant_ref)

/* In: @vaddr, where a mapping starts.  Out: its @offset and grant @count. */
struct ioctl_gntdev_get_offset_for_vaddr {
	__u64 vaddr, offset;
	__u32 count, pad;
};
#define IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR \
	__XEN_GNTDEV_IOC(2, struct ioctl_gntdev_get_offset_for_vaddr)

/* Limit the grants this file may have reserved at once. */
struct ioctl_gntdev_set_max_grants {
	__u32 count;
};
#define IOCTL_GNTDEV_SET_MAX_GRANTS __XEN_GNTDEV_IOC(3, struct ioctl_gntdev_set_max_grants)

/*
 * When the grant holding the byte at @index stops being mapped, clear
 * that byte first (UNMAP_NOTIFY_CLEAR_BYTE) and/or signal
 * @event_channel_port afterwards (UNMAP_NOTIFY_SEND_EVENT): how the other
 * end learns that a peer went away, even if it was killed.
 */
struct ioctl_gntdev_unmap_notify {
	__u64 index;
	__u32 action, event_channel_port;
};
#define IOCTL_GNTDEV_SET_UNMAP_NOTIFY __XEN_GNTDEV_IOC(7, struct ioctl_gntdev_unmap_notify)

#define UNMAP_NOTIFY_CLEAR_BYTE	0x1
#define UNMAP_NOTIFY_SEND_EVENT	0x2

/*
 * One copy of GRANT_COPY: each side is a user address or a grant (with
 * GNTCOPY_source_gref / GNTCOPY_dest_gref in @flags).  Neither side may
 * cross a page boundary.  @status gets Xen's GNTST_* answer.
 */
struct ioctl_gntdev_grant_copy_segment {
	union {
		void __user *virt;
		struct { __u32 ref; __u16 offset, domid; } foreign;
	} source, dest;
	__u16 len, flags;
	__s16 status;
};

struct ioctl_gntdev_grant_copy {
	__u32 count;
	struct ioctl_gntdev_grant_copy_segment __user *segments;
};
#define IOCTL_GNTDEV_GRANT_COPY __XEN_GNTDEV_IOC(8, struct ioctl_gntdev_grant_copy)

/*
 * Sharing grants as dma-bufs.  These numbers are reserved for it; this
 * kernel does not offer it and answers ENOTTY.
 */
#define GNTDEV_DMA_FLAG_WC		(1 << 0)
#define GNTDEV_DMA_FLAG_COHERENT	(1 << 1)

struct ioctl_gntdev_dmabuf_exp_from_refs {
	__u32 flags, count, fd, domid;
	__u32 refs[1];
};
#define IOCTL_GNTDEV_DMABUF_EXP_FROM_REFS \
	__XEN_GNTDEV_IOC(9, struct ioctl_gntdev_dmabuf_exp_from_refs)

struct ioctl_gntdev_dmabuf_exp_wait_released {
	__u32 fd, wait_to_ms;
};
#define IOCTL_GNTDEV_DMABUF_EXP_WAIT_RELEASED \
	__XEN_GNTDEV_IOC(10, struct ioctl_gntdev_dmabuf_exp_wait_released)

struct ioctl_gntdev_dmabuf_imp_to_refs {
	__u32 fd, count, domid, reserved;
	__u32 refs[1];
};
#define IOCTL_GNTDEV_DMABUF_IMP_TO_REFS __XEN_GNTDEV_IOC(11, struct ioctl_gntdev_dmabuf_imp_to_refs)

struct ioctl_gntdev_dmabuf_imp_release {
	__u32 fd, reserved;
};
#define IOCTL_GNTDEV_DMABUF_IMP_RELEASE __XEN_GNTDEV_IOC(12, struct ioctl_gntdev_dmabuf_imp_release)

#endif /* _UAPI_XEN_GNTDEV_H */
