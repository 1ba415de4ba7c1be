// SPDX-License-Identifier: GPL-2.0
/*
 * The frontend bus, "xen": one device per directory device/<type>/<id> in
 * our part of the store, named <type>-<id> (vbd-51712, vif-0), with its
 * backend named by the "backend" and "backend-id" nodes there.
 *
 * The toolstack adds and removes these directories while we run (xl
 * block-attach, network-detach, ...), so the whole device/ tree is
 * watched: a directory that appears becomes a device, one that goes away
 * takes its device with it.
 *
 * At boot, the root disk may be one of these devices, and init may need
 * its network: before user space starts we give every bound device some
 * time to connect to its backend.
 */

#define pr_fmt(fmt) "xenbus: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenbus.h"

static int frontend_read_otherend(struct xenbus_device *dev)
{
	return xenbus_read_otherend_nodes(dev, "backend-id", "backend");
}

/*
 * Ask the backend to close, and give it a moment: on the way down, so
 * that a disk is flushed and detached cleanly rather than torn away; and
 * before a driver lets a device go (rmmod, unbind), so that the backend
 * has unmapped our rings and pages by the time the driver takes their
 * grants back, instead of finding them revoked under its feet.  The
 * driver's handler of the backend's Closing does the work and calls
 * xenbus_frontend_closed(), which wakes us.
 */
static void frontend_close(struct xenbus_device *dev)
{
	if (!dev->dev.driver || dev->state != XenbusStateConnected)
		return;
	xenbus_switch_state(dev, XenbusStateClosing);
	if (!wait_for_completion_timeout(&dev->down, 5 * HZ))
		dev_info(&dev->dev, "backend did not close within 5 s\n");
}

static void frontend_shutdown(struct device *_dev)
{
	frontend_close(to_xenbus_device(_dev));
}

/*
 * Unbound, our Closed published: wait a moment for the backend to reach
 * Closed too.  A backend still Closing ignores a frontend that comes
 * back at Initialising, so a driver loaded again right away (rmmod then
 * modprobe) would never connect.  The store has no watch left on the
 * backend here, so we poll; a vanished backend reads as Unknown.
 */
static void frontend_closed(struct xenbus_device *dev)
{
	unsigned long deadline = jiffies + 5 * HZ;
	enum xenbus_state state;

	for (;;) {
		state = xenbus_read_driver_state(dev->otherend);
		if (state == XenbusStateClosed || state == XenbusStateUnknown)
			return;
		if (time_after(jiffies, deadline))
			break;
		msleep(20);
	}
	dev_info(&dev->dev, "backend still %s 5 s after we closed\n",
		 xenbus_strstate(state));
}

static struct xenbus_bus frontend_bus = {
	.bus = {
		.name		= "xen",
		.shutdown	= frontend_shutdown,
	},
	.read_otherend	= frontend_read_otherend,
	.close		= frontend_close,
	.closed		= frontend_closed,
};

int __xenbus_register_frontend(struct xenbus_driver *drv, struct module *owner,
			       const char *mod_name)
{
	return xenbus_register_driver(&frontend_bus, drv, owner, mod_name);
}
EXPORT_SYMBOL_GPL(__xenbus_register_frontend);

/* ---- Following device/ ------------------------------------------------- */

/* Make the device of device/<type>/<id> exist, or not, as the store says. */
static void sync_device(const char *type, const char *id)
{
	struct xenbus_device *dev;
	char *nodename, *name;

	nodename = kasprintf(GFP_KERNEL, "device/%s/%s", type, id);
	name = kasprintf(GFP_KERNEL, "%s-%s", type, id);
	if (!nodename || !name)
		goto out;

	dev = xenbus_find_device(&frontend_bus, nodename);
	if (xenbus_exists(XBT_NIL, nodename, "")) {
		if (!dev)
			xenbus_add_device(&frontend_bus, type, nodename, name);
	} else if (dev) {
		dev_info(&dev->dev, "removed by the toolstack\n");
		device_unregister(&dev->dev);
	}
	if (dev)
		put_device(&dev->dev);
out:
	kfree(nodename);
	kfree(name);
}

static void scan_type(const char *type)
{
	unsigned int i, n;
	char **ids;

	ids = xenbus_directory(XBT_NIL, "device", type, &n);
	if (IS_ERR(ids))
		return;
	for (i = 0; i < n; i++)
		sync_device(type, ids[i]);
	kfree(ids);
}

static void scan_all(void)
{
	unsigned int i, n;
	char **types;

	types = xenbus_directory(XBT_NIL, "device", "", &n);
	if (IS_ERR(types))
		return;
	for (i = 0; i < n; i++)
		scan_type(types[i]);
	kfree(types);
}

/*
 * Which device a path under device/ belongs to: "device/<type>" gives
 * the type alone (returns 1), "device/<type>/<id>[/...]" the type and
 * the id (returns 2).  -EINVAL for a path outside device/, an empty
 * component, or one that does not fit in XENBUS_NAME_LEN.
 */
VISIBLE_IF_KUNIT int xenbus_device_of_path(const char *path,
					   char type[XENBUS_NAME_LEN],
					   char id[XENBUS_NAME_LEN])
{
	const char *p = path + strlen("device/");
	size_t len;

	if (strncmp(path, "device/", 7))
		return -EINVAL;
	len = strcspn(p, "/");
	if (!len || len >= XENBUS_NAME_LEN)
		return -EINVAL;
	memcpy(type, p, len);
	type[len] = '\0';
	p += len;
	if (*p != '/')
		return 1;
	p++;
	len = strcspn(p, "/");
	if (!len || len >= XENBUS_NAME_LEN)
		return -EINVAL;
	memcpy(id, p, len);
	id[len] = '\0';
	return 2;
}

/* A change anywhere under device/: re-sync the device it belongs to. */
static void device_tree_changed(struct xenbus_watch *watch, const char *path,
				const char *token)
{
	char type[XENBUS_NAME_LEN], id[XENBUS_NAME_LEN];

	switch (xenbus_device_of_path(path, type, id)) {
	case 1:
		scan_type(type);	/* a whole type appeared or went */
		break;
	case 2:
		sync_device(type, id);
		break;
	}
}

static struct xenbus_watch device_tree_watch = {
	.node = "device",
	.callback = device_tree_changed,
};

static int frontend_store_ready(struct notifier_block *nb, unsigned long ev,
				void *data)
{
	int rc;

	scan_all();
	rc = register_xenbus_watch(&device_tree_watch);
	if (rc)
		pr_err("cannot watch device/ (%d): hot-plugged devices will not appear\n",
		       rc);
	return NOTIFY_DONE;
}

static struct notifier_block frontend_store_nb = {
	.notifier_call = frontend_store_ready,
};

static int __init frontend_init(void)
{
	int rc;

	if (!xen_domain())
		return 0;
	xenbus_init_bus(&frontend_bus);
	rc = bus_register(&frontend_bus.bus);
	if (rc) {
		pr_err("cannot register the frontend bus: %d\n", rc);
		return rc;
	}
	register_xenstore_notifier(&frontend_store_nb);
	return 0;
}
subsys_initcall(frontend_init);

/* ---- After a restore ---------------------------------------------------- */

/*
 * The toolstack recreated our directories (state Initialising) and the
 * backends'.  Each bound device starts over: the bus forgets what it
 * published, reads the other end again, and the driver reconnects.
 */
static int resume_device(struct device *_dev, void *unused)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);
	struct xenbus_driver *drv;
	int rc;

	if (!_dev->driver)
		return 0;
	drv = to_xenbus_driver(_dev->driver);
	dev->state = XenbusStateInitialising;
	rc = xenbus_rewatch_otherend(&frontend_bus, dev);
	if (rc) {
		dev_warn(_dev, "no other end after the restore: %d\n", rc);
		return 0;
	}
	if (drv->resume) {
		rc = drv->resume(dev);
		if (rc)
			dev_warn(_dev, "resume failed: %d\n", rc);
	}
	return 0;
}

void xenbus_frontend_resume(void)
{
	if (frontend_bus.bus.p)
		bus_for_each_dev(&frontend_bus.bus, NULL, NULL, resume_device);
}

/* ---- Waiting for devices at boot --------------------------------------- */

#define BOOT_WAIT_SECONDS	30

static int still_connecting(struct device *_dev, void *report)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);
	enum xenbus_state backend;

	if (!_dev->driver || dev->state == XenbusStateConnected)
		return 0;
	backend = xenbus_read_driver_state(dev->otherend);
	if (backend == XenbusStateUnknown || backend >= XenbusStateClosing)
		return 0;	/* gone or going: nothing to wait for */
	if (!report)
		return 1;
	dev_warn(_dev, "not connected after %d s (we are %s, the backend is %s)\n",
		 BOOT_WAIT_SECONDS, xenbus_strstate(dev->state),
		 xenbus_strstate(backend));
	return 0;	/* go on: report every such device */
}

static int __init wait_for_frontends(void)
{
	unsigned long deadline = jiffies + BOOT_WAIT_SECONDS * HZ;

	if (!xen_domain() || !xenstored_ready)
		return 0;
	while (bus_for_each_dev(&frontend_bus.bus, NULL, NULL,
				still_connecting)) {
		if (time_after(jiffies, deadline)) {
			bus_for_each_dev(&frontend_bus.bus, NULL, (void *)1,
					 still_connecting);
			break;
		}
		msleep(50);
	}
	return 0;
}
late_initcall(wait_for_frontends);
