/* SPDX-License-Identifier: GPL-2.0 */
/* privcmd, as xenfs offers it too (/proc/xen/privcmd). */
#ifndef _DRIVERS_XEN_PRIVCMD_H
#define _DRIVERS_XEN_PRIVCMD_H

#include <linux/fs.h>

extern const struct file_operations xen_privcmd_fops;

/* /dev/xen/hypercall, registered with /dev/xen/privcmd (hypercall-buf.c). */
int xen_hypercall_buf_init(void);
void xen_hypercall_buf_exit(void);

#endif /* _DRIVERS_XEN_PRIVCMD_H */
