// SPDX-License-Identifier: GPL-2.0
/*
 * The vif<domid>.<n> network device and its queues.
 *
 * The device exists from the moment the toolstack creates the backend
 * directory (the hotplug script needs it before the guest connects) until
 * the directory goes; its queues are connected to the guest's rings
 * while the frontend is connected.  Each queue has one NAPI context that
 * does both directions, woken by the guest's event channel and by packets
 * queued for the guest.
 *
 * The event channel is bound "late EOI": after an event it stays masked
 * until the poll has run and found (or not) something to do.  A guest
 * that only sends events, with nothing on its rings, is thereby slowed
 * to our pace, and the event core puts off the unmask after a run of
 * events we call spurious (eoi-throttle.h): one throttle, for every
 * backend and frontend alike.
 */

#define pr_fmt(fmt) "xen-netback: " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include <xen/events.h>
#include <xen/xenbus.h>

#include "netback.h"

/* 0: as many as there are CPUs online when the interface is created. */
unsigned int nb_max_queues;
module_param_named(max_queues, nb_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Most queues a guest interface may have (default: online CPUs)");

unsigned int nb_fatal_skb_slots = NB_FATAL_SLOTS_DEFAULT;
module_param_named(fatal_skb_slots, nb_fatal_skb_slots, uint, 0444);
MODULE_PARM_DESC(fatal_skb_slots,
		 "Transmit slots of one packet beyond which the guest is disconnected");

unsigned int nb_rx_drain_timeout_msecs = 10000;
module_param_named(rx_drain_timeout_msecs, nb_rx_drain_timeout_msecs, uint,
		   0444);
MODULE_PARM_DESC(rx_drain_timeout_msecs,
		 "How long packets wait for a guest that posts no buffers");

/* The device's MAC address.  The guest's own address is in the store;
 * ours only has to be one a bridge never picks as its own (it takes the
 * lowest of its ports'), so the bridge keeps the address of the real NIC.
 */
static const u8 vif_mac[ETH_ALEN] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

__printf(2, 3)
void nb_broken(struct nb_queue *q, const char *fmt, ...)
{
	struct nb_vif *vif = q->vif;
	struct va_format vaf;
	va_list args;

	if (xchg(&vif->broken, true))
		return;
	/* On the device's own log budget, like every message a guest causes. */
	if (__ratelimit(&vif->xbdev->log_rs)) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		pr_err("%s: domain %u broke the protocol: %pV; disconnecting\n",
		       q->name, vif->domid, &vaf);
		va_end(args);
	}
	schedule_work(&vif->broken_work);
}

bool nb_read_req_prod(struct nb_queue *q, bool tx, RING_IDX *prod)
{
	RING_IDX p, answered, taken, *seen;
	unsigned int size;
	const char *ring;

	if (tx) {
		p = READ_ONCE(q->tx.sring->req_prod);
		answered = q->tx.rsp_prod_pvt;
		taken = q->tx.req_cons;
		seen = &q->tx_seen_prod;
		size = NB_TX_RING_SIZE;
		ring = "transmit";
	} else {
		p = READ_ONCE(q->rx.sring->req_prod);
		answered = q->rx.rsp_prod_pvt;
		taken = q->rx.req_cons;
		seen = &q->rx_seen_prod;
		size = NB_RX_RING_SIZE;
		ring = "receive";
	}
	virt_rmb();	/* the requests after the index */
	if (!nb_req_prod_valid(p, answered, size)) {
		nb_broken(q, "%s req_prod %u with %u answered", ring, p, answered);
		return false;
	}
	if (nb_req_prod_retreated(p, *seen, taken)) {
		nb_broken(q, "%s req_prod went back from %u to %u", ring,
			  *seen, p);
		return false;
	}
	*seen = p;
	*prod = p;
	return true;
}

RING_IDX nb_peek_req_prod(struct nb_queue *q, bool tx)
{
	RING_IDX p = tx ? READ_ONCE(q->tx.sring->req_prod) :
			  READ_ONCE(q->rx.sring->req_prod);

	virt_rmb();	/* the requests after the index */
	return p;
}

/* Process context: take the rings down and tell the toolstack.
 *
 * The work runs some time after a poll found the rings broken, and first
 * waits for vif->lock, which frontend_changed() holds for each state the
 * frontend goes through.  By then the frontend may have closed (its rings
 * are gone already) or even closed and connected again, with new rings
 * that did nothing wrong.  connect_rings() clears vif->broken under the
 * lock and only the polls of the rings it maps set it again, so under the
 * lock "broken and connected" means exactly that the rings we hold now
 * are the ones that broke; anything else is left alone.
 *
 * Closing is written before the lock is dropped: frontend_changed() takes
 * it for the next state the frontend writes, and a Closing that landed
 * after a reconnection would close the new connection.
 */
static void broken_work(struct work_struct *work)
{
	struct nb_vif *vif = container_of(work, struct nb_vif, broken_work);

	mutex_lock(&vif->lock);
	if (READ_ONCE(vif->broken) && vif->nr_queues) {
		nb_vif_disconnect(vif);
		xenbus_dev_fatal(vif->xbdev, -EPROTO,
				 "the frontend broke the netif protocol");
	}
	mutex_unlock(&vif->lock);
}

/* ---- Events and NAPI ----------------------------------------------------- */

static irqreturn_t nb_interrupt(int irq, void *data)
{
	struct nb_queue *q = data;

	set_bit(NB_Q_EOI_PENDING, &q->flags);
	napi_schedule(&q->napi);
	return IRQ_HANDLED;
}

/* The event that woke us is handled: let the next one in, saying
 * whether it brought anything.
 */
static void end_of_event(struct nb_queue *q)
{
	if (!test_and_clear_bit(NB_Q_EOI_PENDING, &q->flags))
		return;
	xen_irq_lateeoi(q->irq, test_and_clear_bit(NB_Q_WORKED, &q->flags) ?
			0 : XEN_EOI_FLAG_SPURIOUS);
}

static int nb_poll(struct napi_struct *napi, int budget)
{
	struct nb_queue *q = container_of(napi, struct nb_queue, napi);
	bool more;
	int done;

	more = nb_to_guest(q);
	done = nb_from_guest(q, budget);
	if (READ_ONCE(q->vif->broken)) {
		/* The channel stays masked: nothing more from this guest. */
		napi_complete(napi);
		return 0;
	}
	if (more || done >= budget)
		return budget;
	if (napi_complete_done(napi, done)) {
		/* Whatever arrived while we looked, after re-arming. */
		if (nb_from_guest_pending(q) || nb_to_guest_pending(q)) {
			set_bit(NB_Q_WORKED, &q->flags);
			napi_schedule(napi);
		} else {
			end_of_event(q);
		}
	}
	return done;
}

/* ---- Queues ----------------------------------------------------------------- */

int nb_vif_connect_queue(struct nb_queue *q, grant_ref_t tx_ref,
			 grant_ref_t rx_ref, evtchn_port_t evtchn)
{
	struct nb_vif *vif = q->vif;
	struct xenbus_device *xbdev = vif->xbdev;
	int rc;

	rc = xenbus_map_ring_valloc(xbdev, &tx_ref, 1, &q->tx_addr);
	if (rc)
		return rc;
	rc = xenbus_map_ring_valloc(xbdev, &rx_ref, 1, &q->rx_addr);
	if (rc)
		goto unmap_tx;
	/* The guest initialised the shared indexes; we start where it is. */
	BACK_RING_ATTACH(&q->tx, (struct netif_tx_sring *)q->tx_addr,
			 READ_ONCE(((struct netif_tx_sring *)q->tx_addr)->rsp_prod),
			 XEN_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, (struct netif_rx_sring *)q->rx_addr,
			 READ_ONCE(((struct netif_rx_sring *)q->rx_addr)->rsp_prod),
			 XEN_PAGE_SIZE);
	q->tx_waiting = false;
	q->tx_seen_prod = q->tx.req_cons;
	q->rx_seen_prod = q->rx.req_cons;
	q->flags = 0;
	q->credit_bytes = 0;
	q->credit_stamp = jiffies - usecs_to_jiffies(vif->rate_usecs) - 1;

	/* NAPI first, and the IRQ number known before the handler can run:
	 * the poll uses it to notify the guest and to end the event.
	 */
	napi_enable(&q->napi);
	rc = bind_interdomain_evtchn_to_irq_lateeoi(vif->domid, evtchn);
	if (rc < 0) {
		xenbus_dev_fatal(xbdev, rc, "binding event channel %u", evtchn);
		goto disable;
	}
	q->irq = rc;
	rc = request_irq(q->irq, nb_interrupt, 0, q->name, q);
	if (rc) {
		xenbus_dev_fatal(xbdev, rc, "requesting IRQ %d", q->irq);
		unbind_from_irq(q->irq);
		q->irq = 0;
		goto disable;
	}
	WRITE_ONCE(q->active, true);
	/* The guest may have queued requests before we bound the channel. */
	local_bh_disable();
	napi_schedule(&q->napi);
	local_bh_enable();
	return 0;

disable:
	napi_disable(&q->napi);
	xenbus_unmap_ring_vfree(xbdev, q->rx_addr);
	q->rx_addr = NULL;
unmap_tx:
	xenbus_unmap_ring_vfree(xbdev, q->tx_addr);
	q->tx_addr = NULL;
	return rc;
}

/* Under vif->lock (or at removal): the device stays, the rings go. */
void nb_vif_disconnect(struct nb_vif *vif)
{
	struct nb_queue *q;
	unsigned int i;

	for (i = 0; i < vif->max_queues; i++)
		WRITE_ONCE(vif->queues[i].active, false);
	/* Holds each queue's xmit lock: no ndo_start_xmit runs after it. */
	netif_carrier_off(vif->dev);
	netif_tx_disable(vif->dev);

	for (i = 0; i < vif->max_queues; i++) {
		q = &vif->queues[i];
		if (q->irq) {
			napi_disable(&q->napi);
			unbind_from_irqhandler(q->irq, q);
			q->irq = 0;
		}
		del_timer_sync(&q->drain_timer);
		del_timer_sync(&q->credit_timer);
		if (q->rx_addr)
			xenbus_unmap_ring_vfree(vif->xbdev, q->rx_addr);
		if (q->tx_addr)
			xenbus_unmap_ring_vfree(vif->xbdev, q->tx_addr);
		q->rx_addr = NULL;
		q->tx_addr = NULL;
		nb_rx_drop_all(q);
	}
	vif->nr_queues = 0;
}

void nb_vif_set_rate(struct nb_vif *vif, u64 bytes, u32 usecs)
{
	/* Read by the polls without a lock: a torn update costs one refill. */
	WRITE_ONCE(vif->rate_usecs, usecs);
	WRITE_ONCE(vif->rate_bytes, bytes);
}

/* ---- The network device ---------------------------------------------------- */

static int nb_open(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
	return 0;
}

static int nb_stop(struct net_device *dev)
{
	netif_tx_stop_all_queues(dev);
	return 0;
}

/* Offload only what the guest's end says it can take. */
static netdev_features_t nb_fix_features(struct net_device *dev,
					 netdev_features_t features)
{
	struct nb_vif *vif = netdev_priv(dev);

	if (!vif->fe_sg)
		features &= ~NETIF_F_SG;
	if (!vif->fe_csum)
		features &= ~NETIF_F_IP_CSUM;
	if (!vif->fe_csum6)
		features &= ~NETIF_F_IPV6_CSUM;
	if (!vif->fe_gso4 || !(features & NETIF_F_SG))
		features &= ~NETIF_F_TSO;
	if (!vif->fe_gso6 || !(features & NETIF_F_SG))
		features &= ~NETIF_F_TSO6;
	return features;
}

static void nb_get_stats64(struct net_device *dev,
			   struct rtnl_link_stats64 *s)
{
	struct nb_vif *vif = netdev_priv(dev);
	const struct nb_queue *q;
	unsigned int i;

	for (i = 0; i < vif->max_queues; i++) {
		q = &vif->queues[i];
		s->rx_packets += READ_ONCE(q->rx_packets);
		s->rx_bytes += READ_ONCE(q->rx_bytes);
		s->rx_errors += READ_ONCE(q->rx_errors);
		s->rx_dropped += READ_ONCE(q->rx_dropped);
		s->tx_packets += READ_ONCE(q->tx_packets);
		s->tx_bytes += READ_ONCE(q->tx_bytes);
		s->tx_errors += READ_ONCE(q->tx_errors);
		s->tx_dropped += READ_ONCE(q->tx_dropped);
	}
}

static const struct net_device_ops nb_netdev_ops = {
	.ndo_open		= nb_open,
	.ndo_stop		= nb_stop,
	.ndo_start_xmit		= nb_start_xmit,
	.ndo_fix_features	= nb_fix_features,
	.ndo_get_stats64	= nb_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

struct nb_vif *nb_vif_create(struct xenbus_device *xbdev, unsigned int handle)
{
	unsigned int i, nr = nb_max_queues ?: num_online_cpus();
	char name[IFNAMSIZ];
	struct net_device *dev;
	struct nb_vif *vif;
	struct nb_queue *q;
	int rc;

	nr = clamp(nr, 1U, NB_MAX_QUEUES);
	snprintf(name, sizeof(name), "vif%d.%u", xbdev->otherend_id, handle);
	dev = alloc_netdev_mq(sizeof(*vif), name, NET_NAME_PREDICTABLE,
			      ether_setup, nr);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	vif = netdev_priv(dev);
	vif->dev = dev;
	vif->xbdev = xbdev;
	vif->domid = xbdev->otherend_id;
	vif->max_queues = nr;
	mutex_init(&vif->lock);
	INIT_WORK(&vif->broken_work, broken_work);
	vif->queues = kvcalloc(nr, sizeof(*vif->queues), GFP_KERNEL);
	if (!vif->queues) {
		free_netdev(dev);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < nr; i++) {
		q = &vif->queues[i];
		q->vif = vif;
		q->id = i;
		snprintf(q->name, sizeof(q->name), "%s-q%u", name, i);
		skb_queue_head_init(&q->rx_queue);
		timer_setup(&q->drain_timer, nb_drain_timer, 0);
		timer_setup(&q->credit_timer, nb_credit_timer, 0);
		netif_napi_add(dev, &q->napi, nb_poll);
	}

	SET_NETDEV_DEV(dev, &xbdev->dev);
	dev->netdev_ops = &nb_netdev_ops;
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6;
	dev->features = dev->hw_features | NETIF_F_RXCSUM;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - VLAN_ETH_HLEN;
	/* A guest that is slow to post buffers should not hold much: the
	 * qdisc of each queue holds packets (up to 64 KiB each) once our
	 * own queue is full, so a short one: 64 packets, 4 MiB at most.
	 */
	dev->tx_queue_len = 64;
	/* A TSO packet to the guest is at most 16 pages plus its GSO slot. */
	netif_set_tso_max_size(dev, XEN_NETIF_MAX_TX_SIZE);
	eth_hw_addr_set(dev, vif_mac);
	netif_carrier_off(dev);

	rc = register_netdev(dev);
	if (rc) {
		dev_err(&xbdev->dev, "cannot register %s: %d\n", name, rc);
		for (i = 0; i < nr; i++)
			netif_napi_del(&vif->queues[i].napi);
		kvfree(vif->queues);
		free_netdev(dev);
		return ERR_PTR(rc);
	}
	/* No frontend yet: nothing to offload to until it says. */
	rtnl_lock();
	netdev_update_features(dev);
	rtnl_unlock();
	return vif;
}

void nb_vif_destroy(struct nb_vif *vif)
{
	struct net_device *dev = vif->dev;
	unsigned int i;

	/* NAPI first: a poll that finds the guest misbehaving queues
	 * broken_work, so only once no poll can run is cancelling it final.
	 */
	mutex_lock(&vif->lock);
	nb_vif_disconnect(vif);
	mutex_unlock(&vif->lock);
	cancel_work_sync(&vif->broken_work);
	unregister_netdev(dev);
	for (i = 0; i < vif->max_queues; i++) {
		netif_napi_del(&vif->queues[i].napi);
		nb_rx_drop_all(&vif->queues[i]);
	}
	kvfree(vif->queues);
	free_netdev(dev);
}
