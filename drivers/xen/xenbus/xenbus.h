/* SPDX-License-Identifier: GPL-2.0 */
/* Between the files of drivers/xen/xenbus. */
#ifndef _DRIVERS_XEN_XENBUS_H
#define _DRIVERS_XEN_XENBUS_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/uio.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/io/xenbus.h>
#include <xen/interface/io/xs_wire.h>

struct xenstore_domain_interface;
struct xenbus_device;
struct xenbus_driver;
struct xenbus_watch;

/* dev.c: /dev/xen/xenbus, also /proc/xen/xenbus */
extern const struct file_operations xenbus_file_fops;

/* xenstore.c: one request, any reply (the user-space door, dev.c) */
void *xs_talk_raw(u32 tx_id, u32 *type, const struct kvec *iov,
		  unsigned int nr, unsigned int *len);

/* xenstore.c: a node's value that must be a number, all of it */
int xs_parse_number(const char *value, unsigned int len, u64 *val);

/* A request waiting for its reply. */
struct xs_waiter {
	struct list_head list;
	u32 req_id;
	u32 type;		/* of the reply */
	char *body;		/* NUL-terminated, kmalloc'd */
	unsigned int len;
	bool done;
};

/* A message coming in on the response ring, perhaps in pieces. */
struct xs_incoming {
	struct xsd_sockmsg hdr;
	unsigned int hdr_got;	/* header bytes so far */
	char *body;		/* allocated once the header is complete */
	unsigned int body_got;
};

/* A watch event queued for the xenwatch thread. */
struct xs_event {
	struct list_head list;
	struct xenbus_watch *watch;
	const char *path;	/* both inside msg */
	const char *token;
	char *msg;		/* the event's body, as it came */
};

/* What follows the path in a request's payload. */
enum xs_arg {
	XS_ARG_NONE,
	XS_ARG_STRING,		/* a string with its NUL */
	XS_ARG_BYTES,		/* bytes to the end of the message, no NUL */
};

/* What a successful reply carries for the caller. */
enum xs_reply_kind {
	XS_REPLY_ACK,		/* "OK": nothing */
	XS_REPLY_VALUE,		/* a node's bytes */
	XS_REPLY_NAMES,		/* a directory's names */
	XS_REPLY_TX_ID,		/* a new transaction's id */
};

/* dir, "/", node and one argument at most. */
#define XS_MSG_PARTS	4

/* One request: its header's fields and its payload, in parts. */
struct xs_msg {
	u32 type;
	u32 tx_id;
	enum xs_reply_kind expect;
	unsigned int nr_parts;
	struct kvec part[XS_MSG_PARTS];
};

/* A reply, taken as its xs_reply_kind says. */
struct xs_reply {
	union {
		char *value;	/* NUL-terminated after its len bytes */
		char **names;	/* len of them, one kfree() frees all */
		u32 tx_id;
	};
	unsigned int len;
};

/* A watch's token: its u32 id in decimal, and the NUL. */
#define XS_WATCH_TOKEN_LEN	sizeof("4294967295")

#if IS_ENABLED(CONFIG_KUNIT)
/* The pure parts of xenstore.c, visible to its unit tests. */
int xs_ring_put(struct xenstore_domain_interface *intf, const void *data,
		unsigned int len);
int xs_ring_take(struct xenstore_domain_interface *intf, void *data,
		 unsigned int len);
int xs_receive(struct xenstore_domain_interface *intf, struct xs_incoming *in);
void xs_incoming_reset(struct xs_incoming *in);
bool xs_answer_waiter(struct list_head *waiters, const struct xsd_sockmsg *hdr,
		      char *body);
int xs_parse_watch_event(const char *body, unsigned int len,
			 const char **path, const char **token);
void xs_watch_token(u32 id, char token[XS_WATCH_TOKEN_LEN]);
struct xarray;
struct xenbus_watch *xs_watch_by_token(struct xarray *ids, const char *token);
int xs_errno(const char *name);
int xs_reply_status(u32 sent, u32 got, const char *body);
int xs_msg_build(struct xs_msg *m, u32 tx_id, u32 type,
		 const char *dir, const char *node, const char *arg);
char **xs_names_from_reply(char *body, unsigned int len, unsigned int *num);
int xs_reply_take(enum xs_reply_kind kind, char *body, unsigned int len,
		  struct xs_reply *r);
struct xs_event *xs_queue_event(struct list_head *queue, unsigned int *nr,
				unsigned int max, struct xs_event *ev);
#endif

/* frontend.c: a component of device/<type>/<id> fits in this, with its NUL */
#define XENBUS_NAME_LEN		32

#if IS_ENABLED(CONFIG_KUNIT)
/* The pure parts of bus.c, client.c and frontend.c, for their unit tests. */
struct xenbus_device_id;
const struct xenbus_device_id *
xenbus_match_id(const struct xenbus_device_id *ids, const char *type);
bool xenbus_otherend_news(enum xenbus_state ours, enum xenbus_state theirs);
int xenbus_otherend_valid(u64 domid, const char *path);
enum xenbus_state xenbus_parse_state(const char *value, unsigned int len);
int xenbus_device_of_path(const char *path, char type[XENBUS_NAME_LEN],
			  char id[XENBUS_NAME_LEN]);
#endif

/* bus.c: one xenbus bus, frontend or backend */
struct xenbus_bus {
	struct bus_type bus;
	/* MODALIAS is "<alias_prefix>:<type>" (module aliases match it). */
	const char *alias_prefix;
	/* Fill in dev->otherend and ->otherend_id from the store. */
	int (*read_otherend)(struct xenbus_device *dev);
	/*
	 * Optional, around a driver's remove: close the connection while
	 * the other end is still watched, and after our Closed is
	 * published, wait for the other end to let go of the device.
	 */
	void (*close)(struct xenbus_device *dev);
	void (*closed)(struct xenbus_device *dev);
	/* Optional: the driver's probe succeeded (before the watch). */
	void (*probed)(struct xenbus_device *dev);
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
