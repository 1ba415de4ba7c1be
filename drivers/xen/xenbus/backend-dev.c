// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/xenbus_backend: dom0's local store, for a xenstored that does
 * not run in dom0 itself.
 *
 * The toolstack's init-xenstore-domain starts xenstored in a domain of
 * its own (a xenstore stub domain).  Before that domain runs, it asks
 * through this device for the store to be handed over to it
 * (IOCTL_XENBUS_BACKEND_SETUP, with the domain's id, returns the channel
 * the new xenstored binds); IOCTL_XENBUS_BACKEND_EVTCHN tells the
 * channel of the store as it is, and mmap() maps the ring page.  All of
 * it is for the administrator only.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

/* The numbers the Xen tools use (their xenbus_dev.h). */
#define IOCTL_XENBUS_BACKEND_EVTCHN	_IOC(_IOC_NONE, 'B', 0, 0)
#define IOCTL_XENBUS_BACKEND_SETUP	_IOC(_IOC_NONE, 'B', 1, 0)

static int backend_dev_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static long backend_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case IOCTL_XENBUS_BACKEND_EVTCHN:
		return xenstore_local_port() ?: -ENODEV;
	case IOCTL_XENBUS_BACKEND_SETUP:
		if (arg >= DOMID_FIRST_RESERVED)
			return -EINVAL;
		return xenstore_local_hand_over(arg);
	default:
		return -ENOTTY;
	}
}

static int backend_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return xenstore_local_mmap(vma);
}

static const struct file_operations backend_dev_fops = {
	.open = backend_dev_open,
	.unlocked_ioctl = backend_dev_ioctl,
	.mmap = backend_dev_mmap,
	.llseek = no_llseek,
};

static struct miscdevice backend_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/xenbus_backend",
	.fops = &backend_dev_fops,
};

static int __init backend_dev_init(void)
{
	if (!xen_initial_domain())
		return 0;
	return misc_register(&backend_miscdev);
}
device_initcall(backend_dev_init);
