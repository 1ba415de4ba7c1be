/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control node's decisions, between manage.c and its unit tests.
 * The kernel reaches the store through xenbus; a test passes a fake
 * store of its own, which can make a transaction end in -EAGAIN at the
 * moment it chooses, a race no test of a running domain can time.
 */
#ifndef _DRIVERS_XEN_MANAGE_H
#define _DRIVERS_XEN_MANAGE_H

#include <xen/xenbus.h>

struct shutdown_action {
	const char *request;	/* what the toolstack writes */
	void (*act)(void);
};

/*
 * A node of the control directory, in transactions: what xenbus offers,
 * cut down to what the control node needs.  Same returns as xenbus:
 * a negative errno, or for @read a kmalloc'd string or an ERR_PTR.
 */
struct control_store {
	int (*start)(struct control_store *store, struct xenbus_transaction *t);
	char *(*read)(struct control_store *store, struct xenbus_transaction t,
		      const char *node);
	int (*write)(struct control_store *store, struct xenbus_transaction t,
		     const char *node, const char *value);
	int (*end)(struct control_store *store, struct xenbus_transaction t,
		   bool abort);
};

#if IS_ENABLED(CONFIG_KUNIT)
const struct shutdown_action *
shutdown_take_request(struct control_store *store);
char sysrq_take_key(struct control_store *store);
#endif

#endif /* _DRIVERS_XEN_MANAGE_H */
