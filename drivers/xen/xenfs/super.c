// SPDX-License-Identifier: GPL-2.0
/*
 * xenfs, mounted on /proc/xen.
 *
 * The file system through which the xen-tools reach the kernel's Xen
 * interfaces.  "capabilities" says whether this is the control domain
 * ("control_d"), which is how tools and init scripts tell dom0 from a
 * domU.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>

#include <xen/xen.h>

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

/* The files; their inode numbers start at 2, after the root. */
static const struct tree_descr xenfs_files[] = {
	[2] = { "capabilities", &capabilities_fops, 0444 },
	{ "" },
};

static int fill_xenfs(struct super_block *sb, struct fs_context *fc)
{
	return simple_fill_super(sb, XENFS_MAGIC, xenfs_files);
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

MODULE_DESCRIPTION("Xen filesystem");
MODULE_LICENSE("GPL");
