// SPDX-License-Identifier: GPL-2.0
/*
 * xen-blkback's side of the handshake: the "vbd" driver of the
 * xen-backend bus.
 *
 * The toolstack creates backend/vbd/<domid>/<devid>; the bus probes us
 * and publishes InitWait, which tells libxl to run the "block" hotplug
 * script.  The script (after losetup, for a disk image) writes
 * physical-device, the "major:minor" of the block device in hex, which
 * we open for reading, and for writing if "mode" says "w".  Meanwhile the
 * frontend reads what we offered at probe time (max-ring-page-order,
 * multi-queue-max-queues), grants its rings and publishes them, and goes
 * to Initialised.  Once we have both the device and the rings we map
 * them, start the rings' threads, describe the disk (sectors, info,
 * sector-size, physical-sector-size, the features) and go to Connected.
 *
 * The frontend closing (Closing, Closed, or its directory gone with its
 * domain) disconnects us: the threads finish what is in flight, every
 * mapping of the frontend's pages goes, and we follow it to Closed.  The
 * block device stays open until the device itself goes (the bus removes
 * it once the toolstack takes it offline), so the frontend may connect
 * again meanwhile.
 */

#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/xen.h>

#include "common.h"

/* ---- Module parameters (the names upstream's blkback has) ---------------- */

unsigned int blkback_max_ring_order = XENBUS_MAX_RING_GRANT_ORDER;
module_param_named(max_ring_page_order, blkback_max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest ring a frontend may use, as log2 of its pages (0-4, default 4)");

unsigned int blkback_max_queues;
module_param_named(max_queues, blkback_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Most rings (hardware queues) per disk; default: the number of online CPUs");

unsigned int blkback_max_pgrants = 1056;
module_param_named(max_persistent_grants, blkback_max_pgrants, uint, 0644);
MODULE_PARM_DESC(max_persistent_grants,
		 "Most grants kept mapped per ring with feature-persistent (default 1056)");

unsigned int blkback_pgrant_timeout = 60;
module_param_named(persistent_grant_unused_seconds, blkback_pgrant_timeout,
		   uint, 0644);
MODULE_PARM_DESC(persistent_grant_unused_seconds,
		 "Seconds a persistent grant may stay unused before it is unmapped (default 60)");

unsigned int blkback_max_buffer_pages = 1024;
module_param_named(max_buffer_pages, blkback_max_buffer_pages, uint, 0644);
MODULE_PARM_DESC(max_buffer_pages,
		 "Most data pages each ring holds, in use or kept for reuse; requests beyond wait on the ring (read when a ring connects; at least one request's worth, so 0 means one request at a time; default 1024)");

unsigned int blkback_max_indirect_segs = 256;
module_param_named(max_indirect_segments, blkback_max_indirect_segs, uint,
		   0444);
MODULE_PARM_DESC(max_indirect_segments,
		 "Most segments of an indirect request (0 or up to 11: none; at most 4096; default 256)");

bool blkback_feature_persistent = true;
module_param_named(feature_persistent, blkback_feature_persistent, bool, 0644);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants to frontends connecting from now on (default on)");

int blkback_log_stats;
module_param_named(log_stats, blkback_log_stats, int, 0644);
MODULE_PARM_DESC(log_stats, "Log each ring's request counts every 10 s");

/* 0 means as many as we have CPUs. */
static unsigned int max_queues(void)
{
	return READ_ONCE(blkback_max_queues) ?: num_online_cpus();
}

/* ---- The block device --------------------------------------------------- */

static struct device *disk_dev(struct blkback_disk *disk)
{
	return &disk->dev->dev;
}

static bool store_says_writable(struct xenbus_device *dev)
{
	char *mode = xenbus_read(XBT_NIL, dev->nodename, "mode", NULL);
	bool w;

	if (IS_ERR(mode))
		return false;		/* no mode: read-only is the safe side */
	w = strchr(mode, 'w') != NULL;
	kfree(mode);
	return w;
}

static bool store_says_cdrom(struct xenbus_device *dev)
{
	char *type = xenbus_read(XBT_NIL, dev->nodename, "device-type", NULL);
	bool cdrom;

	if (IS_ERR(type))
		return false;
	cdrom = !strcmp(type, "cdrom");
	kfree(type);
	return cdrom;
}

/* What the frontend may ask of this device. */
static void read_limits(struct blkback_disk *disk)
{
	struct block_device *bdev = disk->bdev;
	struct blkback_limits *lim = &disk->limits;

	lim->readonly = !(disk->mode & FMODE_WRITE) || bdev_read_only(bdev);
	lim->sectors = bdev_nr_sectors(bdev);
	lim->logical_size = bdev_logical_block_size(bdev);
	disk->physical_size = bdev_physical_block_size(bdev);
	lim->discard = !lim->readonly && bdev_max_discard_sectors(bdev);
	lim->secure_erase = lim->discard &&
			    bdev_max_secure_erase_sectors(bdev);
}

static int open_disk(struct blkback_disk *disk, dev_t devt)
{
	struct xenbus_device *dev = disk->dev;
	struct block_device *bdev;
	fmode_t mode = FMODE_READ;

	if (store_says_writable(dev))
		mode |= FMODE_WRITE;
	disk->cdrom = store_says_cdrom(dev);
	bdev = blkdev_get_by_dev(devt, mode, NULL);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	disk->bdev = bdev;
	disk->devt = devt;
	disk->mode = mode;
	read_limits(disk);
	dev_info(disk_dev(disk), "%pg (%u:%u), %llu sectors of %u bytes%s\n",
		 bdev, MAJOR(devt), MINOR(devt), disk->limits.sectors,
		 disk->limits.logical_size,
		 disk->limits.readonly ? ", read-only" : "");
	return 0;
}

static void close_disk(struct blkback_disk *disk)
{
	if (!disk->bdev)
		return;
	blkdev_put(disk->bdev, disk->mode);
	disk->bdev = NULL;
}

/* ---- Connecting --------------------------------------------------------- */

/* What the frontend published: its rings, their format, its features. */
struct frontend_rings {
	unsigned int nr_rings;
	unsigned int nr_grefs;
	const struct blkback_abi *abi;
	bool persistent;
};

static int read_frontend(struct blkback_disk *disk, struct frontend_rings *fr)
{
	struct xenbus_device *dev = disk->dev;
	unsigned int order;
	char *protocol;

	fr->nr_rings = xenbus_read_unsigned(dev->otherend,
					    "multi-queue-num-queues", 1);
	if (!fr->nr_rings || fr->nr_rings > max_queues()) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "frontend asks for %u queues, at most %u",
				 fr->nr_rings, max_queues());
		return -EINVAL;
	}
	order = xenbus_read_unsigned(dev->otherend, "ring-page-order", 0);
	if (order > blkback_max_ring_order) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "frontend asks for rings of order %u, at most %u",
				 order, blkback_max_ring_order);
		return -EINVAL;
	}
	fr->nr_grefs = 1U << order;

	protocol = xenbus_read(XBT_NIL, dev->otherend, "protocol", NULL);
	fr->abi = blkback_abi_by_name(IS_ERR(protocol) ? NULL : protocol);
	if (!fr->abi) {
		/* The guest's string: escaped, and no more of it than fits. */
		xenbus_dev_fatal(dev, -EINVAL, "unknown protocol \"%*pE\"",
				 (int)min_t(size_t, strlen(protocol), 32),
				 protocol);
		kfree(protocol);
		return -EINVAL;
	}
	if (!IS_ERR(protocol))
		kfree(protocol);
	fr->persistent = READ_ONCE(blkback_feature_persistent) &&
			 xenbus_read_unsigned(dev->otherend,
					      "feature-persistent", 0) == 1;
	return 0;
}

/* One ring's references and channel, under @dir. */
static int read_ring(struct blkback_disk *disk, const char *dir,
		     unsigned int nr_grefs, grant_ref_t *grefs,
		     evtchn_port_t *port)
{
	struct xenbus_device *dev = disk->dev;
	char node[16];
	unsigned int i;
	int rc;

	for (i = 0; i < nr_grefs; i++) {
		if (nr_grefs == 1)
			strscpy(node, "ring-ref", sizeof(node));
		else
			snprintf(node, sizeof(node), "ring-ref%u", i);
		rc = xenbus_scanf(XBT_NIL, dir, node, "%u", &grefs[i]);
		if (rc != 1) {
			xenbus_dev_fatal(dev, -EINVAL, "reading %s/%s", dir,
					 node);
			return -EINVAL;
		}
	}
	rc = xenbus_scanf(XBT_NIL, dir, "event-channel", "%u", port);
	if (rc != 1) {
		xenbus_dev_fatal(dev, -EINVAL, "reading %s/event-channel", dir);
		return -EINVAL;
	}
	return 0;
}

static void disconnect(struct blkback_disk *disk)
{
	unsigned int i;

	for (i = 0; i < disk->nr_rings; i++)
		blkback_ring_disconnect(&disk->rings[i]);
	kfree(disk->rings);
	disk->rings = NULL;
	disk->nr_rings = 0;
}

static int start_rings(struct blkback_disk *disk,
		       const struct frontend_rings *fr)
{
	struct xenbus_device *dev = disk->dev;
	grant_ref_t grefs[XENBUS_MAX_RING_GRANTS];
	struct blkback_ring *ring;
	evtchn_port_t port;
	unsigned int i;
	char *dir;
	int rc;

	disk->rings = kcalloc(fr->nr_rings, sizeof(*disk->rings), GFP_KERNEL);
	if (!disk->rings)
		return -ENOMEM;
	disk->persistent = fr->persistent;
	for (i = 0; i < fr->nr_rings; i++) {
		if (fr->nr_rings == 1)
			dir = kstrdup(dev->otherend, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u",
					dev->otherend, i);
		if (!dir) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = read_ring(disk, dir, fr->nr_grefs, grefs, &port);
		kfree(dir);
		if (rc)
			goto fail;
		ring = &disk->rings[i];
		ring->disk = disk;
		ring->index = i;
		ring->abi = fr->abi;
		rc = blkback_ring_connect(ring, grefs, fr->nr_grefs, port);
		if (rc)
			goto fail;
		disk->nr_rings = i + 1;
	}
	return 0;

fail:
	disconnect(disk);
	return rc;
}

/* Describe the disk and what we support, for the frontend's Connected. */
static int publish_disk(struct xenbus_transaction t, void *arg)
{
	struct blkback_disk *disk = arg;
	const char *dir = disk->dev->nodename;
	struct blkback_limits *lim = &disk->limits;
	unsigned int info = 0;
	int rc;

	if (lim->readonly)
		info |= VDISK_READONLY;
	if (disk->cdrom)
		info |= VDISK_CDROM;
	if (disk->bdev->bd_disk->flags & GENHD_FL_REMOVABLE)
		info |= VDISK_REMOVABLE;

	rc = xenbus_printf(t, dir, "sectors", "%llu", lim->sectors) ?:
	     xenbus_printf(t, dir, "info", "%u", info) ?:
	     xenbus_printf(t, dir, "sector-size", "%u", lim->logical_size) ?:
	     xenbus_printf(t, dir, "physical-sector-size", "%u",
			   disk->physical_size) ?:
	     xenbus_printf(t, dir, "feature-flush-cache", "%d",
			   !lim->readonly) ?:
	     xenbus_printf(t, dir, "feature-barrier", "%d", !lim->readonly) ?:
	     xenbus_printf(t, dir, "feature-persistent", "%d",
			   disk->persistent) ?:
	     xenbus_printf(t, dir, "feature-discard", "%d", lim->discard);
	if (!rc && lim->discard)
		rc = xenbus_printf(t, dir, "discard-granularity", "%u",
				   bdev_discard_granularity(disk->bdev)) ?:
		     xenbus_printf(t, dir, "discard-alignment", "%u",
				   bdev_discard_alignment(disk->bdev)) ?:
		     xenbus_printf(t, dir, "discard-secure", "%d",
				   lim->secure_erase);
	if (!rc && lim->max_indirect_segs)
		rc = xenbus_printf(t, dir, "feature-max-indirect-segments",
				   "%u", lim->max_indirect_segs);
	return rc;
}

/* Connect if we have both the device and the frontend's rings. */
static void try_connect(struct blkback_disk *disk)
{
	struct xenbus_device *dev = disk->dev;
	struct frontend_rings fr;
	int rc;

	mutex_lock(&disk->lock);
	if (!disk->bdev || disk->rings || dev->state != XenbusStateInitWait)
		goto out;
	switch (xenbus_read_driver_state(dev->otherend)) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
		break;
	default:
		goto out;
	}
	if (read_frontend(disk, &fr))
		goto out;
	rc = start_rings(disk, &fr);
	if (rc)
		goto out;	/* reported where it failed */
	rc = xenbus_transact(publish_disk, disk);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "describing the disk");
		disconnect(disk);
		goto out;
	}
	xenbus_switch_state(dev, XenbusStateConnected);
	/* The guest chooses how often it reconnects: its budget, not ours. */
	if (__ratelimit(&dev->log_rs))
		dev_info(disk_dev(disk),
			 "connected to domain %d: %u ring%s of %u page%s, %s%s\n",
			 dev->otherend_id, fr.nr_rings,
			 fr.nr_rings == 1 ? "" : "s", fr.nr_grefs,
			 fr.nr_grefs == 1 ? "" : "s", fr.abi->name,
			 disk->persistent ? ", persistent grants" : "");
out:
	mutex_unlock(&disk->lock);
}

/* The hotplug script named the device (or renamed it, which we refuse). */
static void physical_device_changed(struct xenbus_watch *watch,
				    const char *path, const char *token)
{
	struct blkback_disk *disk =
		container_of(watch, struct blkback_disk, phys_watch);
	struct xenbus_device *dev = disk->dev;
	unsigned int major, minor;
	dev_t devt;
	int rc;

	rc = xenbus_scanf(XBT_NIL, dev->nodename, "physical-device", "%x:%x",
			  &major, &minor);
	if (rc == -ENOENT)
		return;			/* not yet */
	devt = MKDEV(major, minor);
	if (rc != 2 || MAJOR(devt) != major || MINOR(devt) != minor) {
		xenbus_dev_fatal(dev, -EINVAL, "bad physical-device");
		return;
	}

	mutex_lock(&disk->lock);
	if (disk->bdev) {
		if (disk->devt != devt)
			xenbus_dev_error(dev, -EBUSY,
					 "physical-device changed to %x:%x, still serving %x:%x",
					 major, minor, MAJOR(disk->devt),
					 MINOR(disk->devt));
		mutex_unlock(&disk->lock);
		return;
	}
	rc = open_disk(disk, devt);
	mutex_unlock(&disk->lock);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "opening physical device %x:%x",
				 major, minor);
		return;
	}
	try_connect(disk);
}

/* ---- Online resize ------------------------------------------------------ */

void blkback_disk_check_size(struct blkback_disk *disk)
{
	if (bdev_nr_sectors(disk->bdev) != READ_ONCE(disk->limits.sectors))
		schedule_work(&disk->resize_work);
}

/* The new size, and Connected again: the frontend re-reads the size. */
static int publish_size(struct xenbus_transaction t, void *arg)
{
	struct blkback_disk *disk = arg;
	const char *dir = disk->dev->nodename;

	if (!xenbus_exists(t, dir, ""))
		return 0;
	return xenbus_printf(t, dir, "sectors", "%llu",
			     disk->limits.sectors) ?:
	       xenbus_printf(t, dir, "state", "%d", XenbusStateConnected);
}

static void resize_work(struct work_struct *work)
{
	struct blkback_disk *disk =
		container_of(work, struct blkback_disk, resize_work);
	sector_t sectors;
	int rc;

	mutex_lock(&disk->lock);
	if (!disk->bdev || !disk->rings ||
	    disk->dev->state != XenbusStateConnected)
		goto out;
	sectors = bdev_nr_sectors(disk->bdev);
	if (sectors == disk->limits.sectors)
		goto out;
	dev_info(disk_dev(disk), "resized from %llu to %llu sectors\n",
		 disk->limits.sectors, (u64)sectors);
	WRITE_ONCE(disk->limits.sectors, sectors);
	rc = xenbus_transact(publish_size, disk);
	if (rc)
		xenbus_dev_error(disk->dev, rc, "publishing the new size");
out:
	mutex_unlock(&disk->lock);
}

/* ---- A frontend that broke its ring ------------------------------------ */

static bool any_ring_broken(struct blkback_disk *disk)
{
	unsigned int i;

	for (i = 0; i < disk->nr_rings; i++)
		if (READ_ONCE(disk->rings[i].broken))
			return true;
	return false;
}

/*
 * Runs in a workqueue, not the ring's thread: disconnecting stops every
 * ring's thread and waits for it.  We are Closing by now, so nothing
 * connects again before the frontend has started over; should it have
 * done so already, its new rings are not broken and stay.
 */
static void broken_work(struct work_struct *work)
{
	struct blkback_disk *disk =
		container_of(work, struct blkback_disk, broken_work);

	mutex_lock(&disk->lock);
	if (any_ring_broken(disk)) {
		if (__ratelimit(&disk->dev->log_rs))
			dev_info(disk_dev(disk),
				 "disconnected from domain %d, which broke the protocol\n",
				 disk->dev->otherend_id);
		disconnect(disk);
	}
	mutex_unlock(&disk->lock);
}

void blkback_disk_broken(struct blkback_disk *disk)
{
	schedule_work(&disk->broken_work);
}

/* ---- The driver --------------------------------------------------------- */

static void frontend_changed(struct xenbus_device *dev,
			     enum xenbus_state state)
{
	struct blkback_disk *disk = dev_get_drvdata(&dev->dev);

	switch (state) {
	case XenbusStateInitialising:
		/* Back after closing (a driver reloaded): start over. */
		if (dev->state == XenbusStateClosed)
			xenbus_switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		try_connect(disk);
		break;
	case XenbusStateClosing:
		mutex_lock(&disk->lock);
		disconnect(disk);
		mutex_unlock(&disk->lock);
		xenbus_switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:	/* its directory went with its domain */
		mutex_lock(&disk->lock);
		disconnect(disk);
		mutex_unlock(&disk->lock);
		xenbus_switch_state(dev, XenbusStateClosed);
		break;
	default:
		xenbus_dev_fatal(dev, -EINVAL, "unexpected frontend state %d",
				 state);
		break;
	}
}

/* What a frontend reads before it sets up its rings. */
static int publish_limits(struct xenbus_transaction t, void *arg)
{
	struct xenbus_device *dev = arg;

	return xenbus_printf(t, dev->nodename, "max-ring-page-order", "%u",
			     blkback_max_ring_order) ?:
	       xenbus_printf(t, dev->nodename, "multi-queue-max-queues", "%u",
			     max_queues());
}

static int blkback_probe(struct xenbus_device *dev,
			 const struct xenbus_device_id *id)
{
	struct blkback_disk *disk;
	const char *devid = strrchr(dev->nodename, '/');
	int rc;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return -ENOMEM;
	disk->dev = dev;
	mutex_init(&disk->lock);
	INIT_WORK(&disk->resize_work, resize_work);
	INIT_WORK(&disk->broken_work, broken_work);
	snprintf(disk->name, sizeof(disk->name), "%d.%s", dev->otherend_id,
		 devid ? devid + 1 : dev->nodename);
	disk->limits.max_indirect_segs = blkback_max_indirect_segs;
	dev_set_drvdata(&dev->dev, disk);

	rc = xenbus_transact(publish_limits, dev);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "publishing our limits");
		goto fail;
	}
	/* The first event comes at once: the node may be there already. */
	rc = xenbus_watch_pathfmt(dev, &disk->phys_watch, NULL,
				  physical_device_changed,
				  "%s/physical-device", dev->nodename);
	if (rc)
		goto fail;
	return 0;

fail:
	dev_set_drvdata(&dev->dev, NULL);
	kfree(disk);
	return rc;
}

static void blkback_remove(struct xenbus_device *dev)
{
	struct blkback_disk *disk = dev_get_drvdata(&dev->dev);

	if (disk->phys_watch.node) {
		unregister_xenbus_watch(&disk->phys_watch);
		kfree(disk->phys_watch.node);
		disk->phys_watch.node = NULL;
	}
	mutex_lock(&disk->lock);
	disconnect(disk);
	mutex_unlock(&disk->lock);
	cancel_work_sync(&disk->resize_work);
	cancel_work_sync(&disk->broken_work);
	close_disk(disk);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(disk);
}

static const struct xenbus_device_id blkback_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver blkback_driver = {
	.ids			= blkback_ids,
	.probe			= blkback_probe,
	.remove			= blkback_remove,
	.otherend_changed	= frontend_changed,
};

static int __init blkback_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	blkback_max_ring_order = min_t(unsigned int, blkback_max_ring_order,
				       XENBUS_MAX_RING_GRANT_ORDER);
	/* Fewer than a direct request carries would be no indirection. */
	if (blkback_max_indirect_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		blkback_max_indirect_segs = 0;
	blkback_max_indirect_segs = min_t(unsigned int,
					  blkback_max_indirect_segs,
					  BLKBACK_MAX_INDIRECT_SEGS);
	return xenbus_register_backend(&blkback_driver);
}
module_init(blkback_init);

static void __exit blkback_exit(void)
{
	xenbus_unregister_driver(&blkback_driver);
}
module_exit(blkback_exit);

MODULE_DESCRIPTION("Xen block device backend (blkif)");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen-backend:vbd");
