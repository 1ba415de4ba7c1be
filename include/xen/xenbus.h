/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore, the configuration database every Xen domain shares with the
 * toolstack, and (later) xenbus, the Linux bus of split-driver devices
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
#include <linux/list.h>
#include <linux/notifier.h>
#include <linux/types.h>

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

/* Read a node and parse it with sscanf; returns the number of fields. */
__scanf(4, 5)
int xenbus_scanf(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *fmt, ...);
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
	struct list_head list;
	/* The path watched (and everything below it). */
	const char *node;
	/* Events queued and not yet handled. */
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

/* After a restore the ring is new; requests and watches carry on. */
void xs_suspend(void);
void xs_resume(void);
void xs_suspend_cancel(void);

extern bool xenstored_ready;

#endif /* _XEN_XENBUS_H */
