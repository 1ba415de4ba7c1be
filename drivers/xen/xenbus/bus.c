// SPDX-License-Identifier: GPL-2.0
/*
 * The xenbus bus core: devices made from store directories, matched to
 * drivers by device type, and the watch on the other end's state.
 *
 * What differs between the frontend bus (our devices live under device/,
 * their backends elsewhere) and a backend bus is only where a device's
 * directory is and how its other end is named; struct xenbus_bus says so,
 * and everything else is here.
 */

#define pr_fmt(fmt) "xenbus: " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <xen/xenbus.h>

#include "xenbus.h"

/* ---- Matching ---------------------------------------------------------- */

/* The entry of @ids (ended by an empty one) for device type @type. */
VISIBLE_IF_KUNIT const struct xenbus_device_id *
xenbus_match_id(const struct xenbus_device_id *ids, const char *type)
{
	for (; ids && ids->devicetype[0]; ids++)
		if (!strcmp(ids->devicetype, type))
			return ids;
	return NULL;
}

static int xenbus_match(struct device *_dev, struct device_driver *_drv)
{
	return xenbus_match_id(to_xenbus_driver(_drv)->ids,
			       to_xenbus_device(_dev)->devicetype) != NULL;
}

/* ---- The other end ----------------------------------------------------- */

static bool otherend_will_handle(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	struct xenbus_device *dev =
		container_of(watch, struct xenbus_device, otherend_watch);

	/* Only the state node itself, and only while the device is bound. */
	if (!dev->dev.driver || strcmp(path, watch->node))
		return false;
	/*
	 * The other end writes that node as often as it likes, and each
	 * write is an event for the one xenwatch thread every driver
	 * shares.  The callback reads the state afresh, so one event queued
	 * stands for every write before its callback clears the mark: a
	 * domain flapping its state queues one event per device here.
	 */
	return !test_and_set_bit(XENBUS_OTHEREND_QUEUED, &dev->otherend_flags);
}

/*
 * Is the other end's new state @theirs news for a driver whose device
 * is at @ours?  Bound again (an unbind, a module loaded anew), we start
 * over at Initialising while the other end may still show the Closed of
 * the last connection until it sees us: old news, not a reason to close
 * the new connection before it begins.
 */
VISIBLE_IF_KUNIT bool xenbus_otherend_news(enum xenbus_state ours,
					   enum xenbus_state theirs)
{
	return !(theirs == XenbusStateClosed &&
		 ours == XenbusStateInitialising);
}

/*
 * No device lock here: removal holds it while it unregisters this very
 * watch, which waits for a running callback.  The ordering is what keeps
 * us safe instead: the watch exists only between probe and remove.
 */
static void otherend_changed(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	struct xenbus_device *dev =
		container_of(watch, struct xenbus_device, otherend_watch);
	struct xenbus_driver *drv = to_xenbus_driver(dev->dev.driver);
	enum xenbus_state state;

	clear_bit(XENBUS_OTHEREND_QUEUED, &dev->otherend_flags);
	/*
	 * Unmarked before the read: a write the read may miss queues an
	 * event of its own.
	 */
	smp_mb__after_atomic();
	state = xenbus_read_driver_state(dev->otherend);

	dev_dbg(&dev->dev, "other end %s is %s\n", dev->otherend,
		xenbus_strstate(state));
	if (!xenbus_otherend_news(dev->state, state))
		return;
	if (drv->otherend_changed)
		drv->otherend_changed(dev, state);
}

static void unwatch_otherend(struct xenbus_device *dev)
{
	if (!dev->otherend_watch.node)
		return;
	unregister_xenbus_watch(&dev->otherend_watch);
	kfree(dev->otherend_watch.node);
	dev->otherend_watch.node = NULL;
}

static int watch_otherend(struct xenbus_device *dev)
{
	/* An event dropped with the last watch left its mark: start clean. */
	clear_bit(XENBUS_OTHEREND_QUEUED, &dev->otherend_flags);
	return xenbus_watch_pathfmt(dev, &dev->otherend_watch,
				    otherend_will_handle, otherend_changed,
				    "%s/state", dev->otherend);
}

/*
 * After a restore the other end may live elsewhere (its path names our
 * new domain id): read it again and move the watch there.
 */
int xenbus_rewatch_otherend(struct xenbus_bus *bus, struct xenbus_device *dev)
{
	int rc;

	unwatch_otherend(dev);
	rc = bus->read_otherend(dev);
	return rc ?: watch_otherend(dev);
}

/* ---- Binding ----------------------------------------------------------- */

static int xenbus_dev_probe(struct device *_dev)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);
	struct xenbus_driver *drv = to_xenbus_driver(_dev->driver);
	struct xenbus_bus *bus = container_of(_dev->bus, struct xenbus_bus,
					      bus);
	const struct xenbus_device_id *id = xenbus_match_id(drv->ids,
								 dev->devicetype);
	int rc;

	if (!id || !drv->probe)
		return -ENODEV;
	/* A device unbound and bound again may have a new other end. */
	rc = bus->read_otherend(dev);
	if (rc) {
		dev_warn(_dev, "no usable other end: %d\n", rc);
		return rc;
	}
	reinit_completion(&dev->down);
	/* Bound again after an unbind: start the handshake over. */
	if (dev->state != XenbusStateInitialising)
		xenbus_switch_state(dev, XenbusStateInitialising);
	rc = drv->probe(dev, id);
	if (rc) {
		xenbus_dev_error(dev, rc, "probing %s", dev->nodename);
		xenbus_switch_state(dev, XenbusStateClosed);
		return rc;
	}
	if (bus->probed)
		bus->probed(dev);
	/* The first event arrives at once, with the current state. */
	rc = watch_otherend(dev);
	if (rc) {
		if (drv->remove)
			drv->remove(dev);
		return rc;
	}
	return 0;
}

static void xenbus_dev_remove(struct device *_dev)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);
	struct xenbus_driver *drv = to_xenbus_driver(_dev->driver);
	struct xenbus_bus *bus = container_of(_dev->bus, struct xenbus_bus,
					      bus);

	if (bus->close)
		bus->close(dev);
	unwatch_otherend(dev);
	if (drv->remove)
		drv->remove(dev);
	xenbus_switch_state(dev, XenbusStateClosed);
	if (bus->closed)
		bus->closed(dev);
}

static const char *alias_prefix(struct device *_dev)
{
	return container_of(_dev->bus, struct xenbus_bus, bus)->alias_prefix ?:
	       "xen";
}

static int xenbus_dev_uevent(struct device *_dev, struct kobj_uevent_env *env)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);

	if (add_uevent_var(env, "MODALIAS=%s:%s", alias_prefix(_dev),
			   dev->devicetype) ||
	    add_uevent_var(env, "XENBUS_TYPE=%s", dev->devicetype) ||
	    add_uevent_var(env, "XENBUS_PATH=%s", dev->nodename))
		return -ENOMEM;
	if (_dev->driver && to_xenbus_driver(_dev->driver)->uevent)
		return to_xenbus_driver(_dev->driver)->uevent(dev, env);
	return 0;
}

int xenbus_register_driver(struct xenbus_bus *bus, struct xenbus_driver *drv,
			   struct module *owner, const char *mod_name)
{
	drv->driver.name = drv->name ?: drv->ids[0].devicetype;
	drv->driver.bus = &bus->bus;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}

void xenbus_unregister_driver(struct xenbus_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(xenbus_unregister_driver);

/* ---- Attributes users and udev rules read ------------------------------ */

/*
 * A device's files in sysfs are facts it already holds, one line of text
 * each: its store directory, its type, its module alias (the one its
 * uevent gives, which driver modules' aliases match) and the XenbusState
 * it last published, by name.  One routine prints them all; each file's
 * attribute says which fact is its own.  The names and the text are
 * ABI: udev rules and scripts read them.
 */
enum xenbus_dev_fact {
	XENBUS_FACT_NODENAME,
	XENBUS_FACT_DEVTYPE,
	XENBUS_FACT_MODALIAS,
	XENBUS_FACT_STATE,
};

struct xenbus_dev_file {
	struct device_attribute attr;
	enum xenbus_dev_fact fact;
};

static ssize_t xenbus_dev_file_show(struct device *_dev,
				    struct device_attribute *attr, char *buf)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);
	const char *text;

	switch (container_of(attr, struct xenbus_dev_file, attr)->fact) {
	case XENBUS_FACT_NODENAME:
		text = dev->nodename;
		break;
	case XENBUS_FACT_DEVTYPE:
		text = dev->devicetype;
		break;
	case XENBUS_FACT_STATE:
		text = xenbus_strstate(dev->state);
		break;
	case XENBUS_FACT_MODALIAS:
		return sysfs_emit(buf, "%s:%s\n", alias_prefix(_dev),
				  dev->devicetype);
	default:
		return -EIO;
	}
	return sysfs_emit(buf, "%s\n", text);
}

#define XENBUS_DEV_FILE(_name, _fact)					\
	static struct xenbus_dev_file xenbus_file_##_name = {		\
		.attr = __ATTR(_name, 0444, xenbus_dev_file_show, NULL), \
		.fact = _fact,						\
	}

XENBUS_DEV_FILE(devtype, XENBUS_FACT_DEVTYPE);
XENBUS_DEV_FILE(nodename, XENBUS_FACT_NODENAME);
XENBUS_DEV_FILE(state, XENBUS_FACT_STATE);
XENBUS_DEV_FILE(modalias, XENBUS_FACT_MODALIAS);

static struct attribute *xenbus_dev_attrs[] = {
	&xenbus_file_devtype.attr.attr,
	&xenbus_file_nodename.attr.attr,
	&xenbus_file_state.attr.attr,
	&xenbus_file_modalias.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xenbus_dev);

/* What every xenbus bus does the same way. */
void xenbus_init_bus(struct xenbus_bus *bus)
{
	bus->bus.match = xenbus_match;
	bus->bus.probe = xenbus_dev_probe;
	bus->bus.remove = xenbus_dev_remove;
	bus->bus.uevent = xenbus_dev_uevent;
	bus->bus.dev_groups = xenbus_dev_groups;
}

/* ---- Devices ----------------------------------------------------------- */

static void xenbus_dev_release(struct device *_dev)
{
	struct xenbus_device *dev = to_xenbus_device(_dev);

	/* The last word on what the other end made us hold back. */
	if (dev->log_rs.missed)
		pr_warn("%s: %d messages suppressed\n", dev->nodename,
			dev->log_rs.missed);
	kfree(dev->otherend);
	kfree(dev->nodename);
	kfree(dev->devicetype);
	kfree(dev);
}

static int match_nodename(struct device *_dev, const void *nodename)
{
	return !strcmp(to_xenbus_device(_dev)->nodename, nodename);
}

struct xenbus_device *xenbus_find_device(struct xenbus_bus *bus,
					 const char *nodename)
{
	struct device *_dev = bus_find_device(&bus->bus, NULL, nodename,
					      match_nodename);

	return _dev ? to_xenbus_device(_dev) : NULL;
}

int xenbus_add_device(struct xenbus_bus *bus, const char *type,
		      const char *nodename, const char *name)
{
	struct xenbus_device *dev;
	int rc;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->devicetype = kstrdup(type, GFP_KERNEL);
	dev->nodename = kstrdup(nodename, GFP_KERNEL);
	dev->state = XenbusStateInitialising;
	init_completion(&dev->down);
	ratelimit_state_init(&dev->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_set_flags(&dev->log_rs, RATELIMIT_MSG_ON_RELEASE);
	dev->dev.bus = &bus->bus;
	dev->dev.release = xenbus_dev_release;
	if (!dev->devicetype || !dev->nodename) {
		xenbus_dev_release(&dev->dev);
		return -ENOMEM;
	}
	rc = bus->read_otherend(dev);
	if (rc) {
		/* Not (or not yet) a complete device: nothing to bind. */
		xenbus_dev_release(&dev->dev);
		return rc;
	}
	dev_set_name(&dev->dev, "%s", name);
	rc = device_register(&dev->dev);
	if (rc) {
		pr_warn("cannot register %s: %d\n", nodename, rc);
		put_device(&dev->dev);
	}
	return rc;
}

/*
 * Can the other end our directory names, domain @domid at @path, be
 * ours?  -ENOENT for no path (not set up yet), -EINVAL for a domain id
 * no domain can have (DOMID_SELF and the other special ids included).
 */
VISIBLE_IF_KUNIT int xenbus_otherend_valid(u64 domid, const char *path)
{
	if (!path[0])
		return -ENOENT;
	if (domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	return 0;
}

/*
 * Learn who is at the other end from two nodes of our own directory,
 * which the toolstack writes along with it: @path_node, the other end's
 * directory, and @id_node, its domain.  The id is read as the store's
 * other numbers are, whole and in decimal, so a sign or trailing junk is
 * no id.  The directory must exist as well: until it does (or once it
 * is gone) there is nobody to connect to, and the device is not ours to
 * bind yet (-ENOENT).  On success the old other end, if any, is
 * replaced; on failure the device is left as it was.
 */
int xenbus_read_otherend_nodes(struct xenbus_device *dev, const char *id_node,
			       const char *path_node)
{
	const char *path;
	u64 domid;
	int rc;

	path = xenbus_read(XBT_NIL, dev->nodename, path_node, NULL);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rc = xenbus_read_u64(dev->nodename, id_node, &domid);
	if (!rc)
		rc = xenbus_otherend_valid(domid, path);
	if (rc == -EINVAL)
		pr_warn("%s/%s: not the id of a domain we can talk to\n",
			dev->nodename, id_node);
	else if (!rc && !xenbus_exists(XBT_NIL, path, ""))
		rc = -ENOENT;
	if (!rc) {
		swap(dev->otherend, path);
		dev->otherend_id = domid;
	}
	/* The old path on success, the one just read on failure. */
	kfree(path);
	return rc;
}
