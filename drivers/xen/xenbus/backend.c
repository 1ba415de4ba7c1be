// SPDX-License-Identifier: GPL-2.0
/*
 * The backend bus, "xen-backend": in a domain that serves devices to
 * others (dom0 here), one device per directory
 * backend/<type>/<frontend domid>/<id> the toolstack writes into our part
 * of the store, named <type>-<domid>-<id> (vbd-3-51712), its other end
 * named by the "frontend-id" and "frontend" nodes there.
 *
 * The toolstack (libxl) drives each device through a fixed sequence, and
 * gives us a deadline at each step:
 *
 *  - It writes the backend and frontend directories in one transaction,
 *    both at state Initialising, with online=1.  The backend must reach
 *    InitWait within 10 s: only then does libxl run the device's hotplug
 *    script (which, for a disk, sets up a loop device and writes
 *    physical-device), and it judges the attach by the script alone.
 *  - To remove a device, it writes online=0 and state=Closing into our
 *    directory, and waits 10 s for us to publish Closed; then it runs the
 *    script again (losetup -d) and deletes the directory.  A domain being
 *    destroyed loses its frontend directories as well.
 *
 * So the bus publishes InitWait as soon as the driver's probe succeeds,
 * watches the whole backend/ tree, and on each change brings the devices
 * in line with the store: a new directory becomes a device, a vanished one
 * takes its device away (the driver's remove releases everything it held
 * of the frontend), and a device the toolstack has taken offline goes as
 * soon as it is Closed.  When the toolstack asks for Closing while the
 * frontend is not connected (its domain is gone, or it never came up),
 * nobody would answer the request: the bus closes the device itself.
 */

#define pr_fmt(fmt) "xenbus: " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenbus.h"

static int backend_read_otherend(struct xenbus_device *dev)
{
	return xenbus_read_otherend_nodes(dev, "frontend-id", "frontend");
}

/* libxl runs the hotplug script only once it sees InitWait. */
static void backend_probed(struct xenbus_device *dev)
{
	if (dev->state == XenbusStateInitialising)
		xenbus_switch_state(dev, XenbusStateInitWait);
}

static struct xenbus_bus backend_bus = {
	.bus = {
		.name		= "xen-backend",
	},
	.alias_prefix	= "xen-backend",
	.read_otherend	= backend_read_otherend,
	.probed		= backend_probed,
};

int __xenbus_register_backend(struct xenbus_driver *drv, struct module *owner,
			      const char *mod_name)
{
	return xenbus_register_driver(&backend_bus, drv, owner, mod_name);
}
EXPORT_SYMBOL_GPL(__xenbus_register_backend);

/* A missing node counts as offline, as the toolstack always writes it. */
bool xenbus_dev_is_online(struct xenbus_device *dev)
{
	return xenbus_read_unsigned(dev->nodename, "online", 0) != 0;
}
EXPORT_SYMBOL_GPL(xenbus_dev_is_online);

/* ---- Following what the toolstack does ---------------------------------- */

/*
 * Publish Closed even if we think we did: the toolstack writes Closing
 * over our state node when it removes a device, and waits for Closed.
 */
static void publish_closed(struct xenbus_device *dev)
{
	if (xenbus_read_driver_state(dev->nodename) == XenbusStateClosed)
		return;
	dev->state = XenbusStateUnknown;	/* forces the write */
	xenbus_switch_state(dev, XenbusStateClosed);
}

/* Is there a connection for the frontend to take down itself? */
static bool frontend_connected(struct xenbus_device *dev)
{
	switch (xenbus_read_driver_state(dev->otherend)) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
		return true;
	default:
		return false;
	}
}

/*
 * Something changed in the directory of a device we have.  Runs in the
 * xenwatch thread, like the drivers' callbacks, so it cannot race them;
 * and it is the tree watch, not the device's own, so the device may be
 * unregistered from here.
 */
static void device_changed(struct xenbus_device *dev)
{
	if (xenbus_dev_is_online(dev))
		return;
	if (dev->dev.driver && dev->state != XenbusStateClosed) {
		/* Only the toolstack writes Closing over a live device. */
		if (xenbus_read_driver_state(dev->nodename) !=
		    XenbusStateClosing || frontend_connected(dev))
			return;
		dev_info(&dev->dev, "closed by the toolstack, frontend %s\n",
			 xenbus_strstate(xenbus_read_driver_state(dev->otherend)));
	}
	publish_closed(dev);
	dev_dbg(&dev->dev, "offline and closed: removing\n");
	device_unregister(&dev->dev);
}

/* Make the device of backend/<type>/<domid>/<id> match the store. */
static void sync_device(const char *type, const char *domid, const char *id)
{
	struct xenbus_device *dev;
	char *nodename, *name;

	nodename = kasprintf(GFP_KERNEL, "backend/%s/%s/%s", type, domid, id);
	name = kasprintf(GFP_KERNEL, "%s-%s-%s", type, domid, id);
	if (!nodename || !name)
		goto out;

	dev = xenbus_find_device(&backend_bus, nodename);
	if (!xenbus_exists(XBT_NIL, nodename, "")) {
		if (dev) {
			dev_info(&dev->dev, "removed by the toolstack\n");
			device_unregister(&dev->dev);
		}
	} else if (dev) {
		device_changed(dev);
	} else if (xenbus_read_driver_state(nodename) < XenbusStateClosing) {
		/*
		 * New.  A directory already Closing or Closed is one whose
		 * device we removed and the toolstack has yet to delete.
		 */
		xenbus_add_device(&backend_bus, type, nodename, name);
	}
	if (dev)
		put_device(&dev->dev);
out:
	kfree(nodename);
	kfree(name);
}

/* Split a store path into its first component and the rest. */
static bool next_component(const char **p, char *buf, size_t size)
{
	size_t len = strcspn(*p, "/");

	if (!len || len >= size)
		return false;
	memcpy(buf, *p, len);
	buf[len] = '\0';
	*p += len;
	if (**p == '/')
		(*p)++;
	return true;
}

/* Every directory name under @dir, or NULL. */
static char **list_dir(const char *dir, unsigned int *n)
{
	char **names = xenbus_directory(XBT_NIL, dir, "", n);

	return IS_ERR(names) ? NULL : names;
}

static void scan_domain(const char *type, const char *domid)
{
	char *dir = kasprintf(GFP_KERNEL, "backend/%s/%s", type, domid);
	unsigned int i, n;
	char **ids;

	ids = dir ? list_dir(dir, &n) : NULL;
	for (i = 0; ids && i < n; i++)
		sync_device(type, domid, ids[i]);
	kfree(ids);
	kfree(dir);
}

static void scan_type(const char *type)
{
	char *dir = kasprintf(GFP_KERNEL, "backend/%s", type);
	unsigned int i, n;
	char **domids;

	domids = dir ? list_dir(dir, &n) : NULL;
	for (i = 0; domids && i < n; i++)
		scan_domain(type, domids[i]);
	kfree(domids);
	kfree(dir);
}

static void scan_all(void)
{
	unsigned int i, n;
	char **types;

	types = list_dir("backend", &n);
	for (i = 0; types && i < n; i++)
		scan_type(types[i]);
	kfree(types);
}

/* The parts of a device's nodename, backend/<type>/<domid>/<id>. */
struct device_path {
	struct list_head list;
	char type[32], domid[16], id[32];
};

static bool parse_nodename(const char *nodename, struct device_path *dp)
{
	const char *p = nodename + strlen("backend/");

	return next_component(&p, dp->type, sizeof(dp->type)) &&
	       next_component(&p, dp->domid, sizeof(dp->domid)) &&
	       next_component(&p, dp->id, sizeof(dp->id));
}

static int collect_device(struct device *_dev, void *list)
{
	struct device_path *dp = kzalloc(sizeof(*dp), GFP_KERNEL);

	if (dp && parse_nodename(to_xenbus_device(_dev)->nodename, dp))
		list_add_tail(&dp->list, list);
	else
		kfree(dp);
	return 0;
}

/*
 * A change above the level of single devices: a whole type, or all the
 * devices of one domain, appeared or went at once (NULL means any).  The
 * devices we have there are checked first, for those that went; the
 * store is then scanned for new ones.
 */
static void sync_level(const char *type, const char *domid)
{
	struct device_path *dp, *tmp;
	LIST_HEAD(have);

	/* Unregistering is not safe while the bus's list is walked. */
	bus_for_each_dev(&backend_bus.bus, NULL, &have, collect_device);
	list_for_each_entry_safe(dp, tmp, &have, list) {
		if ((!type || !strcmp(type, dp->type)) &&
		    (!domid || !strcmp(domid, dp->domid)))
			sync_device(dp->type, dp->domid, dp->id);
		list_del(&dp->list);
		kfree(dp);
	}
	if (domid)
		scan_domain(type, domid);
	else if (type)
		scan_type(type);
	else
		scan_all();
}

/* A change anywhere under backend/: re-sync what it belongs to. */
static void backend_tree_changed(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	char type[32], domid[16], id[32];
	const char *p = path;

	if (strncmp(p, "backend", 7) || (p[7] && p[7] != '/'))
		return;
	p += p[7] ? 8 : 7;
	if (!*p) {
		sync_level(NULL, NULL);
		return;
	}
	if (!next_component(&p, type, sizeof(type)))
		return;
	if (!*p) {
		sync_level(type, NULL);
		return;
	}
	if (!next_component(&p, domid, sizeof(domid)))
		return;
	if (!*p) {
		sync_level(type, domid);
		return;
	}
	if (next_component(&p, id, sizeof(id)))
		sync_device(type, domid, id);
}

/* Registering it brings one event for "backend" itself: the first scan. */
static struct xenbus_watch backend_tree_watch = {
	.node = "backend",
	.callback = backend_tree_changed,
};

static int backend_store_ready(struct notifier_block *nb, unsigned long ev,
			       void *data)
{
	int rc = register_xenbus_watch(&backend_tree_watch);

	if (rc)
		pr_err("cannot watch backend/ (%d): no device will be served\n",
		       rc);
	return NOTIFY_DONE;
}

static struct notifier_block backend_store_nb = {
	.notifier_call = backend_store_ready,
};

static int __init backend_init(void)
{
	int rc;

	if (!xen_domain())
		return 0;
	xenbus_init_bus(&backend_bus);
	rc = bus_register(&backend_bus.bus);
	if (rc) {
		pr_err("cannot register the backend bus: %d\n", rc);
		return rc;
	}
	register_xenstore_notifier(&backend_store_nb);
	return 0;
}
subsys_initcall(backend_init);
