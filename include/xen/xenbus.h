/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore, the configuration database every Xen domain shares with the
 * toolstack, and xenbus, the Linux bus of the split-driver devices
 * described in it.
 *
 * The store is a tree of nodes with string values.  A domain reaches it
 * over a ring in a shared page, or in dom0 through the xenstored daemon.
 * Requests are synchronous; watches deliver "this path changed" events
 * asynchronously, to a kernel thread, so their callbacks may sleep and
 * make requests of their own.
 *
 * The function names are the ones drivers written for Linux-on-Xen use.
 */
#ifndef _XEN_XENBUS_H
#define _XEN_XENBUS_H

#include <linux/compiler.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/notifier.h>
#include <linux/ratelimit.h>
#include <linux/types.h>

#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/xenbus.h>

struct xenstore_domain_interface;

struct xenbus_transaction {
	u32 id;
};

/* Not in a transaction. */
#define XBT_NIL ((struct xenbus_transaction) { 0 })

/*
 * Every accessor takes a directory and a node (either may be "" to use
 * the other alone) and returns an ERR_PTR or a negative errno on failure.
 * Strings and arrays returned are kmalloc'd; the caller frees them.
 */
void *xenbus_read(struct xenbus_transaction t, const char *dir,
		  const char *node, unsigned int *len);
int xenbus_write(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *string);
int xenbus_mkdir(struct xenbus_transaction t, const char *dir,
		 const char *node);
int xenbus_exists(struct xenbus_transaction t, const char *dir,
		  const char *node);
int xenbus_rm(struct xenbus_transaction t, const char *dir, const char *node);
char **xenbus_directory(struct xenbus_transaction t, const char *dir,
			const char *node, unsigned int *num);
int xenbus_transaction_start(struct xenbus_transaction *t);
int xenbus_transaction_end(struct xenbus_transaction t, int abort);

/*
 * Read a node and parse it with sscanf; returns the number of fields,
 * -EINVAL when the value holds none.
 */
__scanf(4, 5)
int xenbus_scanf(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *fmt, ...);
/*
 * The node as a number: all of it, in decimal, in range; else -ENOENT
 * (missing), -EINVAL (no number) or -ERANGE (too big).
 */
int xenbus_read_u64(const char *dir, const char *node, u64 *val);
/* The node as an unsigned int, or @default_val if missing or bad. */
unsigned int xenbus_read_unsigned(const char *dir, const char *node,
				  unsigned int default_val);
__printf(4, 5)
int xenbus_printf(struct xenbus_transaction t, const char *dir,
		  const char *node, const char *fmt, ...);
/*
 * Read several nodes: (name, format, pointer) triples, NULL-terminated;
 * a NULL format stores the kmalloc'd string itself.
 */
__attribute__((sentinel))
int xenbus_gather(struct xenbus_transaction t, const char *dir, ...);

struct xenbus_watch {
	/* Given at registration: the watch's token at the store. */
	u32 id;
	/* The path watched (and everything below it). */
	const char *node;
	/* Events queued and not yet taken by xenwatch. */
	unsigned int nr_pending;
	/* Optional filter, run when the event arrives (atomic context). */
	bool (*will_handle)(struct xenbus_watch *watch, const char *path,
			    const char *token);
	/* Runs in the xenwatch thread: may sleep and use the store. */
	void (*callback)(struct xenbus_watch *watch, const char *path,
			 const char *token);
};

int register_xenbus_watch(struct xenbus_watch *watch);
void unregister_xenbus_watch(struct xenbus_watch *watch);

/* Told once the store can be used (at once if it already can). */
int register_xenstore_notifier(struct notifier_block *nb);
void unregister_xenstore_notifier(struct notifier_block *nb);

/* After a restore: every frontend device reconnects to its new backend. */
void xenbus_frontend_resume(void);

/* After a restore the ring is new; requests and watches carry on. */
void xs_suspend(void);
void xs_resume(void);
void xs_suspend_cancel(void);

extern bool xenstored_ready;

/*
 * dom0's local store: the ring page and channel xenstored connects to
 * (through xenfs's xsd_kva and xsd_port); NULL and 0 in a domU.
 */
struct xenstore_domain_interface *xenstore_local_ring(void);
struct vm_area_struct;
int xenstore_local_mmap(struct vm_area_struct *vma);
evtchn_port_t xenstore_local_port(void);
/* Give the local store to a xenstore domain; returns its channel. */
int xenstore_local_hand_over(domid_t domid);

/* ---- The xenbus bus ---------------------------------------------------- *
 *
 * A split device is two directories in the store: the frontend's, in the
 * guest's tree (device/vbd/51712), and the backend's, in the driver
 * domain's (backend/vbd/<domid>/51712).  Each end publishes its
 * XenbusState in a "state" node and watches the other's; the drivers on
 * both sides move through Initialising -> InitWait/Initialised ->
 * Connected, and Closing -> Closed on the way out.  The bus creates a
 * device for each directory, watches the other end's state for the
 * driver, and removes the device when the toolstack removes the node.
 */

struct xenbus_device {
	struct device dev;
	const char *nodename;		/* our directory */
	const char *devicetype;		/* "vbd", "vif", ... */
	enum xenbus_state state;	/* what we last published */
	struct completion down;		/* we reached Closed */
	/* The other end: its directory, its domain, our watch on it. */
	const char *otherend;
	int otherend_id;
	struct xenbus_watch otherend_watch;
	unsigned long otherend_flags;	/* XENBUS_OTHEREND_* bits (bus.c) */
	/*
	 * What the other end can make us log goes through this budget:
	 * xenbus_dev_error() and _fatal(), and a driver's own messages
	 * about connecting.  A guest can cycle its state to make a backend
	 * fail or connect again and again, so each device has a budget of
	 * its own: one noisy guest neither floods the log nor silences the
	 * messages about another.
	 */
	struct ratelimit_state log_rs;
};

/* otherend_flags: an event for the other end's state node is queued. */
#define XENBUS_OTHEREND_QUEUED	0

static inline struct xenbus_device *to_xenbus_device(struct device *dev)
{
	return container_of(dev, struct xenbus_device, dev);
}

struct xenbus_device_id {
	char devicetype[32];
};

struct xenbus_driver {
	const struct xenbus_device_id *ids;	/* ended by an empty one */
	int (*probe)(struct xenbus_device *dev,
		     const struct xenbus_device_id *id);
	void (*remove)(struct xenbus_device *dev);
	/* The other end published a new state (xenwatch thread). */
	void (*otherend_changed)(struct xenbus_device *dev,
				 enum xenbus_state backend_state);
	/* Save/restore: before the domain is saved, after it resumes. */
	int (*suspend)(struct xenbus_device *dev);
	int (*resume)(struct xenbus_device *dev);
	int (*uevent)(struct xenbus_device *dev, struct kobj_uevent_env *env);
	const char *name;		/* defaults to the module's */
	struct device_driver driver;
};

static inline struct xenbus_driver *to_xenbus_driver(struct device_driver *drv)
{
	return container_of(drv, struct xenbus_driver, driver);
}

int __xenbus_register_frontend(struct xenbus_driver *drv, struct module *owner,
			       const char *mod_name);
#define xenbus_register_frontend(drv) \
	__xenbus_register_frontend(drv, THIS_MODULE, KBUILD_MODNAME)
/*
 * Backends: devices of backend/<type>/<domid>/<id> in our part of the
 * store; the bus publishes InitWait once the driver's probe succeeded.
 */
int __xenbus_register_backend(struct xenbus_driver *drv, struct module *owner,
			      const char *mod_name);
#define xenbus_register_backend(drv) \
	__xenbus_register_backend(drv, THIS_MODULE, KBUILD_MODNAME)
/* The toolstack's "online" node; 0 once it wants the device gone. */
bool xenbus_dev_is_online(struct xenbus_device *dev);
void xenbus_unregister_driver(struct xenbus_driver *drv);

/* Publish our state; a no-op once the toolstack removed our node. */
int xenbus_transact(int (*body)(struct xenbus_transaction t, void *arg),
		    void *arg);
int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state state);
/* Closed, and wake whoever waits for the device to go down. */
int xenbus_frontend_closed(struct xenbus_device *dev);
/* The state published under @path, XenbusStateUnknown if none. */
enum xenbus_state xenbus_read_driver_state(const char *path);

/*
 * Grant the other end the pages of a ring; xenbus_setup_ring allocates
 * and clears them first, xenbus_teardown_ring revokes and frees them
 * (deferred while the other end still maps them) and clears *vaddr.
 */
int xenbus_grant_ring(struct xenbus_device *dev, void *vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs);
int xenbus_setup_ring(struct xenbus_device *dev, gfp_t gfp, void **vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs);
void xenbus_teardown_ring(void **vaddr, unsigned int nr_pages,
			  grant_ref_t *grefs);

/*
 * Map the other end's ring, granted as @nr_grefs pages (at most
 * XENBUS_MAX_RING_GRANTS), at one kernel address; unmap it again.
 * Failures are reported as xenbus_dev_fatal().
 */
#define XENBUS_MAX_RING_GRANT_ORDER	4
#define XENBUS_MAX_RING_GRANTS		(1U << XENBUS_MAX_RING_GRANT_ORDER)
int xenbus_map_ring_valloc(struct xenbus_device *dev, const grant_ref_t *grefs,
			   unsigned int nr_grefs, void **vaddr);
int xenbus_unmap_ring_vfree(struct xenbus_device *dev, void *vaddr);

/* An unbound event channel the other end may bind to. */
int xenbus_alloc_evtchn(struct xenbus_device *dev, evtchn_port_t *port);
int xenbus_free_evtchn(struct xenbus_device *dev, evtchn_port_t port);

/* Watch a path on behalf of a device; the path is kmalloc'd by _pathfmt. */
int xenbus_watch_path(struct xenbus_device *dev, const char *path,
		      struct xenbus_watch *watch,
		      bool (*will_handle)(struct xenbus_watch *, const char *,
					  const char *),
		      void (*callback)(struct xenbus_watch *, const char *,
				       const char *));
__printf(5, 6)
int xenbus_watch_pathfmt(struct xenbus_device *dev, struct xenbus_watch *watch,
			 bool (*will_handle)(struct xenbus_watch *,
					     const char *, const char *),
			 void (*callback)(struct xenbus_watch *, const char *,
					  const char *),
			 const char *pathfmt, ...);

/*
 * Report a problem: to the kernel log and to error/<nodename>/error in
 * the store, where the toolstack shows it.  _fatal also starts closing.
 */
__printf(3, 4)
void xenbus_dev_error(struct xenbus_device *dev, int err, const char *fmt, ...);
__printf(3, 4)
void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...);

/* The name of a state, for messages. */
static inline const char *xenbus_strstate(enum xenbus_state state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "INVALID";
}

#endif /* _XEN_XENBUS_H */
