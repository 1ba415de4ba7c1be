// SPDX-License-Identifier: GPL-2.0
/*
 * What split drivers do with their xenbus device: publish their state,
 * share a ring, offer an event channel, watch nodes, report errors.
 */

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>
#include <asm/xen/page.h>

#include "xenbus.h"

/*
 * Run @body in a transaction until the store commits it: a conflict
 * (-EAGAIN at the end) means another writer came between, and @body
 * runs again from the start.  An error from @body aborts.
 */
int xenbus_transact(int (*body)(struct xenbus_transaction t, void *arg),
		    void *arg)
{
	struct xenbus_transaction t;
	int rc;

	do {
		rc = xenbus_transaction_start(&t);
		if (rc)
			return rc;
		rc = body(t, arg);
		if (rc) {
			xenbus_transaction_end(t, 1);
			return rc;
		}
		rc = xenbus_transaction_end(t, 0);
	} while (rc == -EAGAIN);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_transact);

int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state state)
{
	struct xenbus_transaction t;
	int rc;

	if (state == dev->state)
		return 0;
	/*
	 * In a transaction, so that a node the toolstack has just removed
	 * (the device is going away) is not brought back by our write.
	 */
	do {
		rc = xenbus_transaction_start(&t);
		if (rc)
			break;
		if (!xenbus_exists(t, dev->nodename, "")) {
			xenbus_transaction_end(t, 1);
			return 0;
		}
		rc = xenbus_printf(t, dev->nodename, "state", "%d", state);
		if (rc) {
			xenbus_transaction_end(t, 1);
			break;
		}
		rc = xenbus_transaction_end(t, 0);
	} while (rc == -EAGAIN);

	if (rc) {
		dev_err(&dev->dev, "cannot publish state %s: %d\n",
			xenbus_strstate(state), rc);
		return rc;
	}
	dev->state = state;
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_switch_state);

int xenbus_frontend_closed(struct xenbus_device *dev)
{
	xenbus_switch_state(dev, XenbusStateClosed);
	complete(&dev->down);
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_frontend_closed);

/*
 * The state a "state" node's @len bytes of @value name; Unknown for
 * anything that is not one (the other end is not there yet, or wrote
 * nonsense).  The whole value must be the number: sscanf() would read
 * "4294967301" as 5, Closing, and "5abc" as 5 too.
 */
VISIBLE_IF_KUNIT enum xenbus_state xenbus_parse_state(const char *value,
						      unsigned int len)
{
	u64 state;

	if (xs_parse_number(value, len, &state) ||
	    state > XenbusStateReconfigured)
		return XenbusStateUnknown;
	return state;
}

enum xenbus_state xenbus_read_driver_state(const char *path)
{
	unsigned int len;
	char *value = xenbus_read(XBT_NIL, path, "state", &len);
	enum xenbus_state state;

	if (IS_ERR(value))
		return XenbusStateUnknown;
	state = xenbus_parse_state(value, len);
	kfree(value);
	return state;
}
EXPORT_SYMBOL_GPL(xenbus_read_driver_state);

/*
 * An error of @dev's: in the kernel log (rate-limited per device, as a
 * misbehaving other end can make us fail again and again), and in the
 * store at error/<nodename>/error as "<errno> <message>", where the
 * toolstack and the other end can see it.  A fatal one also starts
 * closing the device.
 */
static void report(struct xenbus_device *dev, int err, bool fatal,
		   const char *fmt, va_list ap)
{
	unsigned long flags;
	char *msg, *path;
	int missed;

	msg = kvasprintf(GFP_KERNEL, fmt, ap);
	if (__ratelimit(&dev->log_rs)) {
		/* RATELIMIT_MSG_ON_RELEASE: the count is ours to print. */
		raw_spin_lock_irqsave(&dev->log_rs.lock, flags);
		missed = dev->log_rs.missed;
		dev->log_rs.missed = 0;
		raw_spin_unlock_irqrestore(&dev->log_rs.lock, flags);
		if (missed)
			dev_err(&dev->dev, "%d messages suppressed\n", missed);
		dev_err(&dev->dev, "%s (%d)\n", msg ?: fmt, err);
	}
	/*
	 * The store node is written every time: it is one node, rewritten
	 * in place, and the toolstack shows the latest error from it.
	 */
	path = msg ? kasprintf(GFP_KERNEL, "error/%s", dev->nodename) : NULL;
	if (path)
		xenbus_printf(XBT_NIL, path, "error", "%i %s", -err, msg);
	kfree(path);
	kfree(msg);
	if (fatal)
		xenbus_switch_state(dev, XenbusStateClosing);
}

void xenbus_dev_error(struct xenbus_device *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(dev, err, false, fmt, ap);
	va_end(ap);
}
EXPORT_SYMBOL_GPL(xenbus_dev_error);

void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(dev, err, true, fmt, ap);
	va_end(ap);
}
EXPORT_SYMBOL_GPL(xenbus_dev_fatal);

int xenbus_grant_ring(struct xenbus_device *dev, void *vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs)
{
	unsigned int i;
	int ref;

	for (i = 0; i < nr_pages; i++) {
		ref = gnttab_grant_foreign_access(dev->otherend_id,
				virt_to_gfn(vaddr + i * XEN_PAGE_SIZE), 0);
		if (ref < 0) {
			xenbus_dev_fatal(dev, ref, "granting ring page %u", i);
			while (i--) {
				gnttab_end_foreign_access(grefs[i], NULL);
				grefs[i] = INVALID_GRANT_REF;
			}
			return ref;
		}
		grefs[i] = ref;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_grant_ring);

/*
 * A ring is its pages and one grant per page, and it is always in a
 * state xenbus_teardown_ring() can undo: every reference starts out
 * INVALID_GRANT_REF, a page gets a real one only once granted, and a
 * failure half-way is undone by the same teardown as a ring that worked.
 */
int xenbus_setup_ring(struct xenbus_device *dev, gfp_t gfp, void **vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs)
{
	unsigned int i;
	int rc;

	for (i = 0; i < nr_pages; i++)
		grefs[i] = INVALID_GRANT_REF;
	/* Exact pages: teardown gives each back on its own. */
	*vaddr = alloc_pages_exact(nr_pages * XEN_PAGE_SIZE, gfp | __GFP_ZERO);
	if (!*vaddr) {
		xenbus_dev_fatal(dev, -ENOMEM, "no memory for a %u-page ring",
				 nr_pages);
		return -ENOMEM;
	}
	rc = xenbus_grant_ring(dev, *vaddr, nr_pages, grefs);
	if (rc)
		xenbus_teardown_ring(vaddr, nr_pages, grefs);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_setup_ring);

/*
 * A granted page goes with its grant: gnttab_end_foreign_access() frees
 * it once the other end no longer maps it, which may be later.  A page
 * never granted nobody else can hold, and is freed here.  Safe to call
 * again on a ring already torn down (or never set up): *@vaddr is NULL.
 */
void xenbus_teardown_ring(void **vaddr, unsigned int nr_pages,
			  grant_ref_t *grefs)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < nr_pages; i++) {
		page = *vaddr ? virt_to_page(*vaddr + i * XEN_PAGE_SIZE) : NULL;
		if (grefs[i] != INVALID_GRANT_REF)
			gnttab_end_foreign_access(grefs[i], page);
		else if (page)
			__free_page(page);
		grefs[i] = INVALID_GRANT_REF;
	}
	*vaddr = NULL;
}
EXPORT_SYMBOL_GPL(xenbus_teardown_ring);

int xenbus_alloc_evtchn(struct xenbus_device *dev, evtchn_port_t *port)
{
	int rc = xenbus_alloc_evtchn_for(dev->otherend_id, port);

	if (rc)
		xenbus_dev_fatal(dev, rc, "allocating an event channel");
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_alloc_evtchn);

int xenbus_free_evtchn(struct xenbus_device *dev, evtchn_port_t port)
{
	int rc = xen_evtchn_close(port);

	if (rc)
		xenbus_dev_error(dev, rc, "closing event channel %u", port);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_free_evtchn);

int xenbus_watch_path(struct xenbus_device *dev, const char *path,
		      struct xenbus_watch *watch,
		      bool (*will_handle)(struct xenbus_watch *, const char *,
					  const char *),
		      void (*callback)(struct xenbus_watch *, const char *,
				       const char *))
{
	int rc;

	watch->node = path;
	watch->will_handle = will_handle;
	watch->callback = callback;
	rc = register_xenbus_watch(watch);
	if (!rc)
		return 0;
	/* Drivers test ->node to know whether there is a watch to remove. */
	watch->node = NULL;
	xenbus_dev_fatal(dev, rc, "cannot watch %s", path);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_watch_path);

int xenbus_watch_pathfmt(struct xenbus_device *dev, struct xenbus_watch *watch,
			 bool (*will_handle)(struct xenbus_watch *,
					     const char *, const char *),
			 void (*callback)(struct xenbus_watch *, const char *,
					  const char *),
			 const char *pathfmt, ...)
{
	va_list ap;
	char *path;
	int rc;

	va_start(ap, pathfmt);
	path = kvasprintf(GFP_KERNEL, pathfmt, ap);
	va_end(ap);
	/*
	 * With a watch, the path is its ->node, freed by the caller along
	 * with it; without one, it is ours to free.  Failing to watch is
	 * reported by xenbus_watch_path(); out of memory, we name the
	 * format, as there is no path.
	 */
	rc = path ? xenbus_watch_path(dev, path, watch, will_handle, callback) :
		    -ENOMEM;
	if (!path)
		xenbus_dev_fatal(dev, rc, "no memory to watch %s", pathfmt);
	if (rc)
		kfree(path);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_watch_pathfmt);
