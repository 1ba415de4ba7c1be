/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * /dev/xen/gntalloc: grant pages of our own to another domain from user
 * space.
 *
 * ALLOC_GREF allocates zeroed pages, grants them to a domain and returns
 * their references and an offset into the file; mmap() of that offset
 * maps the pages.  A page and its grant live until it is both
 * deallocated (DEALLOC_GREF or close) and unmapped; a grant the other
 * domain still maps is revoked as soon as it lets go.
 *
 * The numbers and layouts are what the Xen tools (libxengnttab) use.
 */
#ifndef _UAPI_XEN_GNTALLOC_H
#define _UAPI_XEN_GNTALLOC_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Ioctl number @nr of /dev/xen/gntalloc, taking a @type. */
#define __XEN_GNTALLOC_IOC(nr, type) _IOC(_IOC_NONE, 'G', nr, sizeof(type))

/*
 * Allocate and grant @count pages to @domid.  Out: @index, the mmap()
 * offset, and the @count references in @gref_ids (the structure is
 * followed by the rest).
 */
struct ioctl_gntalloc_alloc_gref {
	__u16 domid, flags;		/* flags: GNTALLOC_FLAG_* */
	__u32 count;
	__u64 index;
	__u32 gref_ids[1];
};
#define IOCTL_GNTALLOC_ALLOC_GREF __XEN_GNTALLOC_IOC(5, struct ioctl_gntalloc_alloc_gref)

/* Grant write access, not only read. */
#define GNTALLOC_FLAG_WRITABLE	1

/* Give back @count pages from @index on (they go once unmapped too). */
struct ioctl_gntalloc_dealloc_gref {
	__u64 index;
	__u32 count;
};
#define IOCTL_GNTALLOC_DEALLOC_GREF __XEN_GNTALLOC_IOC(6, struct ioctl_gntalloc_dealloc_gref)

/*
 * When the page holding the byte at @index goes away, clear that byte
 * (UNMAP_NOTIFY_CLEAR_BYTE) and/or signal @event_channel_port
 * (UNMAP_NOTIFY_SEND_EVENT).
 */
struct ioctl_gntalloc_unmap_notify {
	__u64 index;
	__u32 action, event_channel_port;
};
#define IOCTL_GNTALLOC_SET_UNMAP_NOTIFY __XEN_GNTALLOC_IOC(7, struct ioctl_gntalloc_unmap_notify)

#define UNMAP_NOTIFY_CLEAR_BYTE	0x1
#define UNMAP_NOTIFY_SEND_EVENT	0x2

#endif /* _UAPI_XEN_GNTALLOC_H */
