/* SPDX-License-Identifier: GPL-2.0 */
/* Between the files of drivers/xen/xenbus. */
#ifndef _DRIVERS_XEN_XENBUS_H
#define _DRIVERS_XEN_XENBUS_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/uio.h>
#include <xen/interface/event_channel.h>

struct xenstore_domain_interface;
struct xenbus_device;
struct xenbus_driver;

/* dev.c: /dev/xen/xenbus, also /proc/xen/xenbus */
extern const struct file_operations xenbus_file_fops;

/* xenstore.c: one request, any reply (the user-space door, dev.c) */
void *xs_talk_raw(u32 tx_id, u32 *type, const struct kvec *iov,
		  unsigned int nr, unsigned int *len);

/* bus.c: one xenbus bus, frontend or backend */
struct xenbus_bus {
	struct bus_type bus;
	/* Fill in dev->otherend and ->otherend_id from the store. */
	int (*read_otherend)(struct xenbus_device *dev);
	/*
	 * Optional, around a driver's remove: close the connection while
	 * the other end is still watched, and after our Closed is
	 * published, wait for the other end to let go of the device.
	 */
	void (*close)(struct xenbus_device *dev);
	void (*closed)(struct xenbus_device *dev);
};

/* Fill in the bus_type methods shared by all xenbus buses. */
void xenbus_init_bus(struct xenbus_bus *bus);

int xenbus_register_driver(struct xenbus_bus *bus, struct xenbus_driver *drv,
			   struct module *owner, const char *mod_name);
struct xenbus_device *xenbus_find_device(struct xenbus_bus *bus,
					 const char *nodename);
int xenbus_add_device(struct xenbus_bus *bus, const char *type,
		      const char *nodename, const char *name);
int xenbus_rewatch_otherend(struct xenbus_bus *bus, struct xenbus_device *dev);
int xenbus_read_otherend_nodes(struct xenbus_device *dev, const char *id_node,
			       const char *path_node);

#endif /* _DRIVERS_XEN_XENBUS_H */
