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

static int xenfs_init_fs_context(struct fs_context *fc);

/*
 * "xenfs" is the type name the tools' fstab lines and mount calls use;
 * how a mount is made is at the end of the file.
 */
static struct file_system_type xenfs_type = {
	.name = "xenfs",
	.owner = THIS_MODULE,
	.init_fs_context = xenfs_init_fs_context,
	.kill_sb = kill_litter_super,
};
MODULE_ALIAS_FS("xenfs");

/*
 * A file whose contents are a line of text made when it is read; the
 * same read() serves every such file.  @text writes the contents into
 * @buf and returns their length.
 */
typedef int (*xenfs_text_fn)(char *buf, size_t size);

static int capabilities_text(char *buf, size_t size)
{
	return scnprintf(buf, size, "%s", xen_initial_domain() ? "control_d\n" : "");
}

static int xsd_port_text(char *buf, size_t size)
{
	return scnprintf(buf, size, "%u", xenstore_local_port());
}

static const struct file_operations xenfs_text_fops;

/* xenstored maps the ring page through xsd_kva and nothing else. */
static int map_store_page(struct file *file, struct vm_area_struct *vma)
{
	return xenstore_local_mmap(vma);
}

static const struct file_operations xsd_kva_fops = {
	.mmap = map_store_page,
	.llseek = noop_llseek,
};

/*
 * The files, in the order of their inode numbers: simple_fill_super()
 * numbers an entry by its index in the array it gets, 1 is the root,
 * and the table below starts at index 2.  Those that need the local
 * store this kernel set up for xenstored (dom0 only) are left out
 * elsewhere; the tools look for them by name, never by number.
 */
static const struct xenfs_file {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
	xenfs_text_fn text;		/* for xenfs_text_fops */
	bool needs_local_store;
} xenfs_files[] = {
	{ "capabilities", 0444, &xenfs_text_fops, capabilities_text },
#if IS_ENABLED(CONFIG_XEN_PRIVCMD)
	{ "privcmd", 0600, &xen_privcmd_fops },
#endif
	{ "xenbus", 0600, &xenbus_file_fops },
	{ "xsd_kva", 0400, &xsd_kva_fops, NULL, true },
	{ "xsd_port", 0400, &xenfs_text_fops, xsd_port_text, true },
};

#define XENFS_FIRST_INO	2

static ssize_t xenfs_text_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *pos)
{
	unsigned long nr = file_inode(file)->i_ino - XENFS_FIRST_INO;
	char text[16];
	int len;

	/* Only inodes made from our table carry these operations. */
	len = xenfs_files[nr].text(text, sizeof(text));
	return simple_read_from_buffer(ubuf, count, pos, text, len);
}

static const struct file_operations xenfs_text_fops = {
	.read = xenfs_text_read,
	.llseek = default_llseek,
};

/*
 * Every mount shares one superblock, made on the first: by then the
 * local store exists or never will (dom0 sets it up at boot).
 */
static int xenfs_fill(struct super_block *sb, struct fs_context *fc)
{
	/* Unnamed entries are skipped; the one named "" ends the list. */
	struct tree_descr tree[XENFS_FIRST_INO + ARRAY_SIZE(xenfs_files) + 1] = {};
	bool local_store = xenstore_local_ring();
	const struct xenfs_file *f;
	struct tree_descr *d = tree + XENFS_FIRST_INO;

	for (f = xenfs_files; f < xenfs_files + ARRAY_SIZE(xenfs_files);
	     f++, d++)
		if (local_store || !f->needs_local_store)
			*d = (struct tree_descr){ f->name, f->fops, f->mode };
	d->name = "";
	return simple_fill_super(sb, XENFS_MAGIC, tree);
}

static int xenfs_get_tree(struct fs_context *fc)
{
	return get_tree_single(fc, xenfs_fill);
}

static const struct fs_context_operations xenfs_mount_ops = {
	.get_tree = xenfs_get_tree,
};

static int xenfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &xenfs_mount_ops;
	return 0;
}

static int __init xenfs_init(void)
{
	if (!xen_domain())
		return 0;
#ifdef CONFIG_XEN_COMPAT_XENFS
	/* /proc/xen, where the tools mount it. */
	proc_create_mount_point("xen");
#endif
	return register_filesystem(&xenfs_type);
}
module_init(xenfs_init);

MODULE_DESCRIPTION("/proc/xen: the Xen interfaces the tools open by path");
MODULE_LICENSE("GPL");
