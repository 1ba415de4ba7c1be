// SPDX-License-Identifier: GPL-2.0
/*
 * The store side of a vif: backend/vif/<domid>/<n>.
 *
 * libxl (Xen 4.17) and the vif-bridge script expect, in this order:
 *
 *  - the network device vif<domid>.<n> to exist once we publish InitWait
 *    (the bus does, when our probe returns): libxl then runs vif-bridge,
 *    which puts the device on the bridge, brings it up, and writes
 *    "hotplug-status" = "connected" into our directory;
 *  - "feature-rx-copy" = 1 among our features: netfront connects to no
 *    backend without it.
 *
 * The frontend then publishes its rings (at its top level, or one
 * "queue-<i>" directory per queue when it asked for more than one with
 * "multi-queue-num-queues") and says Connected.  We map them, and say
 * Connected ourselves only once the script has said "connected" too, so
 * the guest starts sending once the device is on its bridge.
 *
 * "rate" (bytes and microseconds, "<b>,<us>", from the vif's rate=
 * setting) limits what the guest may send; it is read at each connection.
 */

#define pr_fmt(fmt) "xen-netback: " fmt

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "netback.h"

/* What the frontend can take, read each time it connects. */
static void read_frontend_features(struct nb_vif *vif)
{
	const char *fe = vif->xbdev->otherend;

	vif->fe_sg = xenbus_read_unsigned(fe, "feature-sg", 0);
	vif->fe_csum = !xenbus_read_unsigned(fe, "feature-no-csum-offload", 0);
	vif->fe_csum6 = xenbus_read_unsigned(fe, "feature-ipv6-csum-offload", 0);
	vif->fe_gso4 = xenbus_read_unsigned(fe, "feature-gso-tcpv4", 0);
	vif->fe_gso6 = xenbus_read_unsigned(fe, "feature-gso-tcpv6", 0);
}

static void read_rate(struct nb_vif *vif)
{
	u64 bytes = 0;
	u32 usecs = 0;
	char *s;

	s = xenbus_read(XBT_NIL, vif->xbdev->nodename, "rate", NULL);
	if (!IS_ERR(s)) {
		if (nb_parse_rate(s, &bytes, &usecs))
			dev_warn(&vif->xbdev->dev, "ignoring rate \"%s\"\n", s);
		kfree(s);
	}
	nb_vif_set_rate(vif, bytes, usecs);
}

static int connect_queue(struct nb_vif *vif, unsigned int i, bool multi)
{
	struct xenbus_device *xbdev = vif->xbdev;
	unsigned int tx_ref, rx_ref, evtchn;
	char *dir;
	int rc;

	dir = multi ? kasprintf(GFP_KERNEL, "%s/queue-%u", xbdev->otherend, i)
		    : kstrdup(xbdev->otherend, GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	rc = xenbus_gather(XBT_NIL, dir, "tx-ring-ref", "%u", &tx_ref,
			   "rx-ring-ref", "%u", &rx_ref,
			   "event-channel", "%u", &evtchn, NULL);
	if (rc) {
		xenbus_dev_fatal(xbdev, rc, "reading the rings of %s", dir);
		kfree(dir);
		return rc;
	}
	kfree(dir);
	return nb_vif_connect_queue(&vif->queues[i], tx_ref, rx_ref, evtchn);
}

/* Under vif->lock: map the frontend's rings; 0 if connected already. */
static int connect_rings(struct nb_vif *vif)
{
	struct xenbus_device *xbdev = vif->xbdev;
	unsigned int n, i;
	int rc;

	if (vif->nr_queues)
		return 0;
	if (!xenbus_read_unsigned(xbdev->otherend, "request-rx-copy", 0)) {
		xenbus_dev_fatal(xbdev, -EOPNOTSUPP,
				 "the frontend does not ask for request-rx-copy");
		return -EOPNOTSUPP;
	}
	n = xenbus_read_unsigned(xbdev->otherend, "multi-queue-num-queues", 1);
	if (!n || n > vif->max_queues) {
		xenbus_dev_fatal(xbdev, -EINVAL,
				 "the frontend asks for %u queues, we offer %u",
				 n, vif->max_queues);
		return -EINVAL;
	}
	read_frontend_features(vif);
	read_rate(vif);
	/* New rings: a broken_work still to run for the old ones must
	 * find nothing to do (it looks under vif->lock, which we hold).
	 */
	WRITE_ONCE(vif->broken, false);
	for (i = 0; i < n; i++) {
		rc = connect_queue(vif, i, n > 1);
		if (rc) {
			nb_vif_disconnect(vif);
			return rc;
		}
		vif->nr_queues = i + 1;
	}
	rtnl_lock();
	netif_set_real_num_tx_queues(vif->dev, n);
	netif_set_real_num_rx_queues(vif->dev, n);
	netdev_update_features(vif->dev);
	rtnl_unlock();
	/* The guest chooses how often it reconnects: its budget, not ours. */
	if (__ratelimit(&xbdev->log_rs))
		dev_info(&xbdev->dev, "%s: %u queue%s, frontend %s\n",
			 vif->dev->name, n, n > 1 ? "s" : "", xbdev->otherend);
	return 0;
}

/* Under vif->lock: Connected once both the rings and the script are. */
static void maybe_connected(struct nb_vif *vif)
{
	struct xenbus_device *xbdev = vif->xbdev;
	char *status;
	bool ready;

	if (!vif->nr_queues || xbdev->state == XenbusStateConnected)
		return;
	status = xenbus_read(XBT_NIL, xbdev->nodename, "hotplug-status", NULL);
	if (IS_ERR(status))
		return;
	ready = !strcmp(status, "connected");
	kfree(status);
	if (!ready)
		return;
	if (xenbus_switch_state(xbdev, XenbusStateConnected))
		return;
	netif_carrier_on(vif->dev);
	netif_tx_wake_all_queues(vif->dev);
}

static void hotplug_status_changed(struct xenbus_watch *watch,
				   const char *path, const char *token)
{
	struct nb_vif *vif = container_of(watch, struct nb_vif, hotplug_watch);

	mutex_lock(&vif->lock);
	maybe_connected(vif);
	mutex_unlock(&vif->lock);
}

static void frontend_changed(struct xenbus_device *xbdev,
			     enum xenbus_state state)
{
	struct nb_vif *vif = dev_get_drvdata(&xbdev->dev);

	mutex_lock(&vif->lock);
	switch (state) {
	case XenbusStateInitialising:
		/* Its driver came back after closing: start over. */
		if (xbdev->state == XenbusStateClosed)
			xenbus_switch_state(xbdev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (xbdev->state >= XenbusStateClosing)
			break;
		if (!connect_rings(vif))
			maybe_connected(vif);
		break;
	case XenbusStateClosing:
		nb_vif_disconnect(vif);
		xenbus_switch_state(xbdev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:	/* its directory went with its domain */
		nb_vif_disconnect(vif);
		xenbus_switch_state(xbdev, XenbusStateClosed);
		break;
	default:
		nb_vif_disconnect(vif);
		xenbus_dev_fatal(xbdev, -EINVAL, "unexpected frontend state %d",
				 state);
		break;
	}
	mutex_unlock(&vif->lock);
}

static int publish_features(struct xenbus_transaction t, void *arg)
{
	struct nb_vif *vif = arg;
	const char *dir = vif->xbdev->nodename;

	return xenbus_printf(t, dir, "feature-rx-copy", "%d", 1) ?:
	       xenbus_printf(t, dir, "feature-rx-flip", "%d", 0) ?:
	       xenbus_printf(t, dir, "feature-sg", "%d", 1) ?:
	       xenbus_printf(t, dir, "feature-gso-tcpv4", "%d", 1) ?:
	       xenbus_printf(t, dir, "feature-gso-tcpv6", "%d", 1) ?:
	       xenbus_printf(t, dir, "feature-ipv6-csum-offload", "%d", 1) ?:
	       xenbus_printf(t, dir, "multi-queue-max-queues", "%u",
			     vif->max_queues);
}

static int netback_probe(struct xenbus_device *xbdev,
			 const struct xenbus_device_id *id)
{
	const char *last = strrchr(xbdev->nodename, '/');
	unsigned int handle;
	struct nb_vif *vif;
	int rc;

	if (!last || kstrtouint(last + 1, 10, &handle)) {
		dev_err(&xbdev->dev, "no handle in %s\n", xbdev->nodename);
		return -EINVAL;
	}
	vif = nb_vif_create(xbdev, handle);
	if (IS_ERR(vif))
		return PTR_ERR(vif);
	vif->limits.max_slots = clamp(nb_fatal_skb_slots,
				      (unsigned int)XEN_NETIF_NR_SLOTS_MIN,
				      (unsigned int)NB_FATAL_SLOTS_CAP);
	vif->limits.gso_tcpv4 = true;
	vif->limits.gso_tcpv6 = true;
	dev_set_drvdata(&xbdev->dev, vif);

	rc = xenbus_transact(publish_features, vif);
	if (rc) {
		xenbus_dev_fatal(xbdev, rc, "publishing our features");
		goto fail;
	}
	rc = xenbus_watch_pathfmt(xbdev, &vif->hotplug_watch, NULL,
				  hotplug_status_changed, "%s/hotplug-status",
				  xbdev->nodename);
	if (rc)
		goto fail;
	return 0;

fail:
	dev_set_drvdata(&xbdev->dev, NULL);
	nb_vif_destroy(vif);
	return rc;
}

static void netback_remove(struct xenbus_device *xbdev)
{
	struct nb_vif *vif = dev_get_drvdata(&xbdev->dev);

	if (!vif)
		return;
	unregister_xenbus_watch(&vif->hotplug_watch);
	kfree(vif->hotplug_watch.node);
	dev_set_drvdata(&xbdev->dev, NULL);
	nb_vif_destroy(vif);
}

/* backend/vif/...: the device type libxl gives network interfaces. */
static const struct xenbus_device_id vif_types[] = {
	{ .devicetype = "vif" },
	{ }	/* the end */
};

static struct xenbus_driver netback_driver = {
	.probe			= netback_probe,
	.otherend_changed	= frontend_changed,
	.remove			= netback_remove,
	.ids			= vif_types,
};

static int __init netback_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return xenbus_register_backend(&netback_driver);
}
module_init(netback_init);

static void __exit netback_exit(void)
{
	xenbus_unregister_driver(&netback_driver);
}
module_exit(netback_exit);

MODULE_DESCRIPTION("Xen network backend: serves vif<domid>.<n> to guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen-backend:vif");
