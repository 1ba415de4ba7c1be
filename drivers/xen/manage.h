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

/*
 * What a word in control/shutdown asks of us.  The words are the
 * toolstack's (xl shutdown, xl reboot, xl save); "halt" and "poweroff"
 * stay apart here although both end the domain, so that the log and
 * the tests can tell which one came.
 */
enum xen_stop {
	XEN_STOP_NONE,		/* nothing there, or a word we do not know */
	XEN_STOP_POWEROFF,
	XEN_STOP_HALT,
	XEN_STOP_REBOOT,
	XEN_STOP_SUSPEND,	/* only with CONFIG_XEN_SAVE_RESTORE */
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
enum xen_stop control_take_stop(struct control_store *store);
char control_take_sysrq(struct control_store *store);
#endif

#endif /* _DRIVERS_XEN_MANAGE_H */
