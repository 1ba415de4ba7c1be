// SPDX-License-Identifier: GPL-2.0
/*
 * xenfs, mounted on /proc/xen.
 *
 * The file system through which the xen-tools reach the kernel's Xen
 * interfaces, from before /dev/xen existed:
 *
 *  capabilities  "control_d" in dom0: how tools and init scripts tell
 *                dom0 from a domU
 *  privcmd       the same file as /dev/xen/privcmd
 *  xenbus        the same file as /dev/xen/xenbus
 *
 * and in dom0 the two files through which xenstored finds the local
 * store this kernel set up for it (xenstore.c):
 *
 *  xsd_kva       mmap() of its one page maps the ring page
 *  xsd_port      the channel to bind, in decimal, without a newline
 *                (oxenstored parses the whole file as a number)
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "../privcmd.h"
#include "../xenbus/xenbus.h"

#define XENFS_MAGIC	0xabba1974

static ssize_t capabilities_read(struct file *file, char __user *buf,
				 size_t size, loff_t *off)
{
	const char *caps = xen_initial_domain() ? "control_d\n" : "";

	return simple_read_from_buffer(buf, size, off, caps, strlen(caps));
}

static const struct file_operations capabilities_fops = {
	.read = capabilities_read,
	.llseek = default_llseek,
};

static ssize_t xsd_port_read(struct file *file, char __user *buf,
			     size_t size, loff_t *off)
{
	char port[12];
	int len;

	len = snprintf(port, sizeof(port), "%u", xenstore_local_port());
	return simple_read_from_buffer(buf, size, off, port, len);
}

static const struct file_operations xsd_port_fops = {
	.read = xsd_port_read,
	.llseek = default_llseek,
};

static int xsd_kva_mmap(struct file *file, struct vm_area_struct *vma)
{
	return xenstore_local_mmap(vma);
}

static const struct file_operations xsd_kva_fops = {
	.mmap = xsd_kva_mmap,
	.llseek = noop_llseek,
};

/* Inode numbers: 1 is the root. */
enum {
	XENFS_CAPABILITIES = 2,
	XENFS_PRIVCMD,
	XENFS_XENBUS,
	XENFS_XSD_KVA,
	XENFS_XSD_PORT,
	XENFS_END,
};

/* A domU has no local store: its entries stay nameless, which skips them. */
static void describe_files(struct tree_descr *files)
{
	files[XENFS_CAPABILITIES] = (struct tree_descr)
		{ "capabilities", &capabilities_fops, 0444 };
	if (IS_ENABLED(CONFIG_XEN_PRIVCMD))
		files[XENFS_PRIVCMD] = (struct tree_descr)
			{ "privcmd", &xen_privcmd_fops, 0600 };
	files[XENFS_XENBUS] = (struct tree_descr)
		{ "xenbus", &xenbus_file_fops, 0600 };
	if (xenstore_local_ring()) {
		files[XENFS_XSD_KVA] = (struct tree_descr)
			{ "xsd_kva", &xsd_kva_fops, 0400 };
		files[XENFS_XSD_PORT] = (struct tree_descr)
			{ "xsd_port", &xsd_port_fops, 0400 };
	}
	files[XENFS_END] = (struct tree_descr){ "" };
}

static int fill_xenfs(struct super_block *sb, struct fs_context *fc)
{
	struct tree_descr files[XENFS_END + 1] = {};

	describe_files(files);
	return simple_fill_super(sb, XENFS_MAGIC, files);
}

/* One instance, shared by every mount. */
static int xenfs_tree(struct fs_context *fc)
{
	return get_tree_single(fc, fill_xenfs);
}

static const struct fs_context_operations xenfs_fc_ops = {
	.get_tree = xenfs_tree,
};

static int xenfs_context(struct fs_context *fc)
{
	fc->ops = &xenfs_fc_ops;
	return 0;
}

static struct file_system_type xenfs_type = {
	.name = "xenfs",
	.init_fs_context = xenfs_context,
	.kill_sb = kill_litter_super,
	.owner = THIS_MODULE,
};
MODULE_ALIAS_FS("xenfs");

static int __init xenfs_init(void)
{
	if (!xen_domain())
		return 0;
#ifdef CONFIG_XEN_COMPAT_XENFS
	/* Where tools expect to mount it. */
	proc_create_mount_point("xen");
#endif
	return register_filesystem(&xenfs_type);
}
module_init(xenfs_init);

MODULE_DESCRIPTION("/proc/xen: the Xen interfaces the tools open by path");
MODULE_LICENSE("GPL");
