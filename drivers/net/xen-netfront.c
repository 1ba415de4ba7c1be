// SPDX-License-Identifier: GPL-2.0
/*
 * netfront: the guest half of a Xen virtual network interface (ethN).
 *
 * The backend (netback in the driver domain) is our switch port.  Each
 * queue is a pair of shared rings plus one event channel, or one per ring
 * where the backend offers that:
 *
 *  - transmit: a packet is one request per page piece, each naming a
 *    page granted read-only to the backend: the packet's head is copied
 *    into pages of the queue's own (so no neighbouring kernel data is
 *    ever granted), its fragments' pages are granted as they are.  The
 *    first request carries the packet's total length, NETTXF_more_data
 *    links the rest, and an optional extra-info slot describes a GSO
 *    packet.  The backend answers each request (and NETIF_RSP_NULL for
 *    extra slots); then we revoke the fragments' grants and free the skb.
 *  - receive: we post empty pages, granted writable, one per request; the
 *    backend copies packets into them (request-rx-copy) and answers with
 *    offset, size and flags.  Request ids are ring positions, so the
 *    answer at ring position i fills the page we posted at i.  A packet
 *    may span several answers (NETRXF_more_data) and may be preceded by
 *    a GSO extra slot, whose page we simply post again.
 *
 * Features (scatter-gather, checksum offload, TSO) are offered in the
 * store and enabled as the backend offers its side.
 *
 * The backend is another domain: every answer is copied out of the ring
 * and checked (producer index, request id, offsets and sizes against the
 * page), bad packets are dropped and counted, and a grant the backend
 * will not let go of is never reused: its page is leaked, on purpose,
 * with a message.  A backend that breaks the ring protocol (a producer
 * index out of range, an answer to a request never made, a grant kept
 * after its answer) has the queue marked broken: nothing of that ring is
 * read again, its interrupt stays quiet, and the whole device is taken
 * down and reported to the toolstack (see queue_broken()).
 */

#define pr_fmt(fmt) "netfront: " fmt

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/ring.h>
#include <xen/xenbus.h>
#include <xen/interface/io/netif.h>
#include <asm/xen/page.h>

static unsigned int xennet_max_queues = 4;
module_param_named(max_queues, xennet_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Most queues (tx/rx ring pairs) a vif uses; the backend and the online CPUs may allow fewer (default 4)");

/* Whether the backends may see pages of ours beyond what we send them.
 * Read when a device connects, with the device's own "trusted" node
 * (which the toolstack writes, 0 for a backend it does not trust): if
 * either says no, every transmitted packet is copied whole into pages
 * of the queue's own.  (Receive pages are zeroed before the backend is
 * given them whatever it says.)  The parameter's name is the one users
 * know from upstream Linux (xen_netfront.trusted).
 */
static bool trust_backends = true;
module_param_named(trusted, trust_backends, bool, 0644);
MODULE_PARM_DESC(trusted,
		 "Grant packet pages to backends (default); N: copy all packets");

#define TX_RING_SIZE	__CONST_RING_SIZE(netif_tx, XEN_PAGE_SIZE)
#define RX_RING_SIZE	__CONST_RING_SIZE(netif_rx, XEN_PAGE_SIZE)
/* Post receive buffers in batches, not one notification per page. */
#define RX_REFILL_BATCH	32
/* Bytes of each received packet copied into the skb head. */
#define RX_PULL		128
/* Slots a received packet may take: a packet of 64 KiB fills one page
 * per fragment, and each type of extra-info comes at most once.  A
 * backend that chains more (more_data or FLAG_MORE for ever) is not
 * sending a packet: the queue is broken.
 */
#define RX_MAX_SLOTS	(MAX_SKB_FRAGS + 1 + XEN_NETIF_EXTRA_TYPE_MAX)
/* Slots a transmitted packet may take: what every backend accepts. */
#define TX_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
/* ... plus one GSO extra slot; wake a stopped queue when this is free. */
#define TX_WAKE		(TX_MAX_SLOTS + 1)

struct netfront_info;
struct netfront_queue;

/* Which rings' answers an event channel brings events for. */
#define CHAN_TX		BIT(0)
#define CHAN_RX		BIT(1)

/* An event channel of a queue: its events from the backend, and the
 * backend's from us when we post requests on its rings.
 */
struct netfront_chan {
	struct netfront_queue *q;
	unsigned int rings;		/* CHAN_* */
	evtchn_port_t port;
	int irq;			/* 0 until bound */
	char name[IFNAMSIZ + 12];	/* "eth0-q0", or "eth0-q0-tx" */
};

struct netfront_queue {
	struct netfront_info *info;
	unsigned int id;
	struct napi_struct napi;
	/* One channel for both rings; or, for a backend that offers
	 * "feature-split-event-channels", chan[0] for the transmit ring
	 * and chan[1] for the receive ring.
	 */
	struct netfront_chan chan[2];
	unsigned int nr_chans;

	/* Transmit; ids of free slots form a stack.  A busy slot's data
	 * is either in a page of the packet, granted for this request
	 * (tx_skb holds the packet, tx_gref the grant), or copied into the
	 * slot's bounce page, granted once for the queue's life (tx_skb is
	 * NULL then).  Bounce pages are allocated as ids first need them.
	 */
	spinlock_t tx_lock;
	struct netif_tx_front_ring tx;
	void *tx_sring;
	grant_ref_t tx_ring_ref;
	struct sk_buff *tx_skb[TX_RING_SIZE];
	grant_ref_t tx_gref[TX_RING_SIZE];
	struct page *tx_bounce[TX_RING_SIZE];
	grant_ref_t tx_bounce_gref[TX_RING_SIZE];
	unsigned int tx_bounce_count;	/* pages in tx_bounce[] */
	DECLARE_BITMAP(tx_busy, TX_RING_SIZE);
	u16 tx_free[TX_RING_SIZE];
	unsigned int tx_nr_free;
	/* GSO extra slots posted and not answered yet (NETIF_RSP_NULL). */
	unsigned int tx_extras;

	/* Receive; slot id = ring position % RX_RING_SIZE. */
	struct netif_rx_front_ring rx;
	void *rx_sring;
	grant_ref_t rx_ring_ref;
	struct page *rx_page[RX_RING_SIZE];
	grant_ref_t rx_gref[RX_RING_SIZE];
	struct timer_list rx_retry;	/* a refill that failed */
	struct rx_packet {		/* the packet being put together */
		struct sk_buff *skb;	/* NULL when out of memory */
		bool active;		/* between its first and last slot */
		bool more;		/* more data slots follow */
		bool extra_next;	/* the next slot is an extra-info */
		bool bad;		/* drop it once complete */
		u8 extras;		/* extra-info slots seen */
		u8 slots;		/* slots it took so far */
		u16 flags;		/* of its first slot */
	} pkt;
	unsigned long state;		/* QUEUE_* bits */
};

/* The backend broke the protocol on this queue: it is never read again. */
#define QUEUE_BROKEN	0
/* An event on chan[i] brought work: bit QUEUE_EOI_OWED + i is set,
 * and the poll acknowledges the event when it is done.
 */
#define QUEUE_EOI_OWED	1

struct netfront_info {
	struct net_device *netdev;
	struct xenbus_device *xbdev;
	/* Serialises connecting, disconnecting and resuming. */
	struct mutex lock;
	struct netfront_queue *queues;
	unsigned int nr_queues;
	bool backend_sg, backend_tso4, backend_tso6, backend_csum,
	     backend_csum6;
	/* The backend is not trusted: copy all, grant only our pages. */
	bool untrusted;
	/* Takes the device down once a queue is broken; may sleep. */
	struct work_struct broken_work;
};

static bool queue_is_broken(const struct netfront_queue *q)
{
	return test_bit(QUEUE_BROKEN, &q->state);
}

/* The channels to notify of new requests on each ring. */
static int tx_irq(const struct netfront_queue *q)
{
	return q->chan[0].irq;
}

static int rx_irq(const struct netfront_queue *q)
{
	return q->chan[q->nr_chans - 1].irq;
}

/* The backend broke the ring protocol on @q, for the reason @why.
 *
 * A ring the backend corrupted cannot be resynchronised: its producer
 * index or an answer is not one we can account for, so any further
 * answer is as suspect.  Polling it again would only find the same
 * unconsumable answers, for ever (they keep the ring looking busy).  So
 * the queue is marked broken here, once, from whatever context noticed
 * it: its NAPI poll stops and does not re-arm, its event channel is
 * never acknowledged again, so stays masked (see xennet_event()),
 * and transmits on it are dropped.  What it still holds is freed
 * safely, grants first, by broken_work, which can sleep: it drops every
 * queue of the device and reports the error in the store with
 * xenbus_dev_fatal(), which also moves us to Closing.  Closing rather
 * than quietly carrying on with the other queues: the backend is one
 * domain and has shown it cannot be relied upon, and the toolstack sees
 * both the state and the reason (error/device/vif/N/error) and can tear
 * the device down.
 */
static void queue_broken(struct netfront_queue *q, const char *why)
{
	if (test_and_set_bit(QUEUE_BROKEN, &q->state))
		return;
	net_err_ratelimited("%s: queue %u: %s; shutting the device down\n",
			    q->info->netdev->name, q->id, why);
	schedule_work(&q->info->broken_work);
}

/* ---- Transmit ----------------------------------------------------------- */

/* Slots for @len bytes at @offset in a page, cut at page boundaries. */
static unsigned int slots_for(unsigned long offset, unsigned int len)
{
	return len ? DIV_ROUND_UP((offset & ~XEN_PAGE_MASK) + len,
				  XEN_PAGE_SIZE) : 0;
}

/* Slots the packet's fragments take when their pages are granted. */
static unsigned int tx_frag_slots(struct sk_buff *skb)
{
	unsigned int i, n = 0;

	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		n += slots_for(skb_frag_off(f), skb_frag_size(f));
	}
	return n;
}

/* Give the next @n ids on the free stack a bounce page; tx_lock held.
 *
 * The backend is granted the whole page, not only the bytes a request
 * names, so a page starts zeroed: from then on it only ever holds
 * packets sent to this backend, and its grant (read-only) can stay for
 * the queue's life.  That saves a grant and a revoke per packet, and a
 * backend that keeps the page mapped learns nothing it was not sent.
 */
static bool tx_bounce_ready(struct netfront_queue *q, unsigned int n)
{
	domid_t backend = q->info->xbdev->otherend_id;
	struct page *page;
	unsigned int k, id;
	int ref;

	for (k = 1; k <= n; k++) {
		id = q->tx_free[q->tx_nr_free - k];
		if (q->tx_bounce[id])
			continue;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN | __GFP_ZERO);
		if (!page)
			return false;
		ref = gnttab_grant_foreign_access(backend,
						  xen_page_to_gfn(page), 1);
		if (ref < 0) {
			__free_page(page);
			return false;
		}
		q->tx_bounce[id] = page;
		q->tx_bounce_gref[id] = ref;
		WRITE_ONCE(q->tx_bounce_count, q->tx_bounce_count + 1);
	}
	return true;
}

/* A packet's requests, as they are written to the ring. */
struct tx_build {
	struct netfront_queue *q;
	struct sk_buff *skb;
	struct netif_tx_request *first, *last;
	grant_ref_t refs;	/* claimed for pages of the packet */
};

/* Queue a request for @size bytes at @offset of grant @ref, slot @id.
 * The first request of a packet carries the packet's length and
 * checksum flags, and a GSO packet's extra slot follows it.
 */
static void tx_request(struct tx_build *b, unsigned int id, grant_ref_t ref,
		       unsigned int offset, unsigned int size)
{
	struct netfront_queue *q = b->q;
	struct sk_buff *skb = b->skb;
	struct netif_extra_info *gso;
	struct netif_tx_request *req;

	__set_bit(id, q->tx_busy);
	req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);
	req->id = id;
	req->gref = ref;
	req->offset = offset;
	req->size = size;
	req->flags = 0;
	if (b->last)
		b->last->flags |= NETTXF_more_data;
	b->last = req;
	if (b->first)
		return;

	b->first = req;
	req->size = skb->len;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		req->flags |= NETTXF_csum_blank | NETTXF_data_validated;
	else if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		req->flags |= NETTXF_data_validated;
	if (!skb_is_gso(skb))
		return;
	req->flags |= NETTXF_extra_info;
	gso = (struct netif_extra_info *)
		RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);
	gso->type = XEN_NETIF_EXTRA_TYPE_GSO;
	gso->flags = 0;
	gso->u.gso.size = skb_shinfo(skb)->gso_size;
	gso->u.gso.type = skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6 ?
			  XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4;
	gso->u.gso.pad = 0;
	gso->u.gso.features = 0;
	q->tx_extras++;
}

/* Copy bytes @from to @from + @len of the packet into bounce pages, a
 * slot each (tx_bounce_ready() gave them their pages).
 */
static void tx_copy(struct tx_build *b, unsigned int from, unsigned int len)
{
	struct netfront_queue *q = b->q;
	unsigned int chunk, id;

	while (len) {
		chunk = min_t(unsigned int, len, XEN_PAGE_SIZE);
		id = q->tx_free[--q->tx_nr_free];
		/* Cannot fail: the range is within the packet. */
		skb_copy_bits(b->skb, from, page_address(q->tx_bounce[id]),
			      chunk);
		q->tx_skb[id] = NULL;
		tx_request(b, id, q->tx_bounce_gref[id], 0, chunk);
		from += chunk;
		len -= chunk;
	}
}

/* Grant @len bytes of @page from @offset on, a slot per page piece. */
static void tx_grant(struct tx_build *b, struct page *page,
		     unsigned int offset, unsigned int len)
{
	struct netfront_queue *q = b->q;
	domid_t backend = q->info->xbdev->otherend_id;
	unsigned int chunk, id;
	int ref;

	/* Multi-page compound pieces: walk them one Xen page at a time. */
	page += offset >> PAGE_SHIFT;
	offset &= ~PAGE_MASK;
	while (len) {
		chunk = min_t(unsigned int, len, XEN_PAGE_SIZE - offset);
		id = q->tx_free[--q->tx_nr_free];
		ref = gnttab_claim_grant_reference(&b->refs);
		gnttab_grant_foreign_access_ref(ref, backend,
						xen_page_to_gfn(page), 1);
		q->tx_gref[id] = ref;
		/* Every such slot holds a reference on the skb until
		 * answered: the page is the packet's.
		 */
		q->tx_skb[id] = skb_get(b->skb);
		tx_request(b, id, ref, offset, chunk);
		len -= chunk;
		offset = 0;
		page++;
	}
}

/* What the backend may see of a packet.
 *
 * The packet's head is always copied into the queue's bounce pages.  It
 * is usually a slab object (kmalloc) or a piece of a page shared with
 * other packets' heads, and a grant covers its whole page: granting it
 * would show the backend whatever else the kernel keeps there.  It is
 * also small (headers only, on the fast path of a stream with
 * scatter-gather), so the copy costs a few hundred bytes of memcpy,
 * against the grant and revoke it saves.
 *
 * The fragments are page pieces of data the packet sends; they are
 * granted as they are, unless the backend is not trusted (those pages
 * may hold more than this packet: a socket's page fragment cache packs
 * data of several sends into one page) or the packet would take more
 * slots than a backend accepts.  Then the whole packet is copied, which
 * packs it into as few pages as its length needs (never more than
 * TX_MAX_SLOTS, as XEN_NETIF_MAX_TX_SIZE < TX_MAX_SLOTS pages), instead
 * of linearising it into one large allocation first.
 */
static netdev_tx_t xennet_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct netfront_info *info = netdev_priv(dev);
	unsigned int qid = skb_get_queue_mapping(skb);
	unsigned int copied, bounced, granted, slots, i;
	struct netfront_queue *q;
	struct tx_build b;
	unsigned long flags;
	grant_ref_t refs = 0;
	int notify;

	if (unlikely(!info->queues || qid >= info->nr_queues ||
		     skb->len > XEN_NETIF_MAX_TX_SIZE || skb->len < ETH_HLEN))
		goto drop;
	/* No link: dropped, as by any NIC whose cable is out.  Not a stopped
	 * queue: the backend's Connected (carrier on, every queue woken)
	 * may come between our look and the stop, and a queue with nothing
	 * in flight has no completion to wake it again.
	 */
	if (unlikely(!netif_carrier_ok(dev)))
		goto drop;
	q = &info->queues[qid];
	if (unlikely(queue_is_broken(q)))
		goto drop;

	copied = skb_headlen(skb);
	granted = tx_frag_slots(skb);
	if (info->untrusted || slots_for(0, copied) + granted > TX_MAX_SLOTS) {
		copied = skb->len;
		granted = 0;
	}
	bounced = slots_for(0, copied);
	slots = bounced + granted;
	if (granted && gnttab_alloc_grant_references(granted, &refs))
		goto drop;

	spin_lock_irqsave(&q->tx_lock, flags);
	/* Ids for the data slots, ring room for them and a GSO extra. */
	if (unlikely(q->tx_nr_free < slots + 1 ||
		     RING_FREE_REQUESTS(&q->tx) < slots + 1)) {
		/* Stopped under the lock tx_complete() wakes it under. */
		netif_tx_stop_queue(netdev_get_tx_queue(dev, qid));
		spin_unlock_irqrestore(&q->tx_lock, flags);
		if (granted)
			gnttab_free_grant_references(refs);
		return NETDEV_TX_BUSY;
	}
	if (unlikely(!tx_bounce_ready(q, bounced))) {
		spin_unlock_irqrestore(&q->tx_lock, flags);
		if (granted)
			gnttab_free_grant_references(refs);
		goto drop;
	}

	b = (struct tx_build){ .q = q, .skb = skb, .refs = refs };
	tx_copy(&b, 0, copied);
	for (i = 0; copied < skb->len && i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		tx_grant(&b, skb_frag_page(f), skb_frag_off(f),
			 skb_frag_size(f));
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	/* The granted slots took a reference each; drop the caller's. */
	dev_consume_skb_any(skb);

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		notify_remote_via_irq(tx_irq(q));
	if (q->tx_nr_free < TX_WAKE)
		netif_tx_stop_queue(netdev_get_tx_queue(dev, qid));
	spin_unlock_irqrestore(&q->tx_lock, flags);
	return NETDEV_TX_OK;

drop:
	dev->stats.tx_dropped++;
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Take back the slots (and grants) of answered requests; tx_lock held. */
static void tx_complete(struct netfront_queue *q)
{
	struct net_device *dev = q->info->netdev;
	struct netif_tx_response rsp;
	RING_IDX i, prod;
	int more, id;

	do {
		prod = READ_ONCE(q->tx.sring->rsp_prod);
		virt_rmb();	/* the answers up to prod, after prod */
		if (!XEN_FRONT_RING_RSP_PROD_VALID(&q->tx, prod)) {
			queue_broken(q, "transmit producer index out of range");
			return;
		}
		for (i = q->tx.rsp_cons; i != prod; i++) {
			RING_COPY_RESPONSE(&q->tx, i, &rsp);
			if (rsp.status == NETIF_RSP_NULL) {
				/* The answer to an extra slot: its id is
				 * meaningless, but there must be such a slot,
				 * or a data request's answer went missing and
				 * its id would never come back.
				 */
				if (!q->tx_extras) {
					queue_broken(q, "answer to an extra slot never sent");
					return;
				}
				q->tx_extras--;
				continue;
			}
			id = xen_ring_rsp_slot(rsp.id, TX_RING_SIZE);
			if (id < 0 || !test_bit(id, q->tx_busy)) {
				queue_broken(q, "answer to a transmit request never made");
				return;
			}
			if (rsp.status != NETIF_RSP_OKAY)
				dev->stats.tx_errors++;
			if (q->tx_skb[id] &&
			    !gnttab_try_end_foreign_access(q->tx_gref[id])) {
				/* Answered, yet still mapped: the skb's pages
				 * stay the backend's (leaked), the reference
				 * comes back when it lets go.
				 */
				gnttab_end_foreign_access(q->tx_gref[id], NULL);
				q->tx_skb[id] = NULL;
				queue_broken(q, "backend keeps a packet it answered mapped");
				return;
			}
			/* A bounce slot keeps its page and grant. */
			if (q->tx_skb[id])
				dev_consume_skb_any(q->tx_skb[id]);
			q->tx_skb[id] = NULL;
			__clear_bit(id, q->tx_busy);
			q->tx_free[q->tx_nr_free++] = id;
		}
		q->tx.rsp_cons = prod;
		RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
	} while (more);

	if (q->tx_nr_free >= TX_WAKE && netif_carrier_ok(dev))
		netif_tx_wake_queue(netdev_get_tx_queue(dev, q->id));
}

/* ---- Receive ------------------------------------------------------------ */

/* How long a receive ring that could not be refilled waits to try again. */
#define RX_REFILL_RETRY		(HZ / 10)

static void rx_refill_later(struct netfront_queue *q)
{
	if (q->rx.req_prod_pvt - q->rx.rsp_cons < RX_MAX_SLOTS)
		net_info_ratelimited("%s: queue %u: receive ring short of pages or grants, refilling again soon\n",
				     q->info->netdev->name, q->id);
	if (!timer_pending(&q->rx_retry))
		mod_timer(&q->rx_retry, jiffies + RX_REFILL_RETRY);
}

/* The poll refills the ring; nothing else may touch it meanwhile. */
static void rx_retry_fire(struct timer_list *t)
{
	struct netfront_queue *q = from_timer(q, t, rx_retry);

	napi_schedule(&q->napi);
}

/* Post empty pages for every free slot; NAPI context or connecting.
 *
 * Pages come from an atomic allocation and each needs a grant
 * reference: either can run out for a while.  The next poll tries
 * again, but a poll comes only with an answer from the backend, and a
 * ring left with fewer pages than a packet needs brings none: nothing
 * for this queue would ever arrive again, and a TCP stream whose ACKs
 * come this way stops in both directions.  So a refill that falls
 * short also sets a timer that polls again in a while.
 */
static void rx_refill(struct netfront_queue *q)
{
	domid_t backend = q->info->xbdev->otherend_id;
	/* A writable grant is readable too: no backend may find what the
	 * page held before it was ours (XSA-403), trusted or not.
	 */
	gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN | __GFP_ZERO;
	unsigned int posted = 0, id;
	struct netif_rx_request *req;
	struct page *page;
	int ref, notify;

	while (q->rx.req_prod_pvt - q->rx.rsp_cons < RX_RING_SIZE) {
		id = q->rx.req_prod_pvt % RX_RING_SIZE;
		if (!q->rx_page[id]) {
			page = alloc_page(gfp);
			if (!page) {
				rx_refill_later(q);
				break;
			}
			ref = gnttab_grant_foreign_access(backend,
						xen_page_to_gfn(page), 0);
			if (ref < 0) {
				__free_page(page);
				rx_refill_later(q);
				break;
			}
			q->rx_page[id] = page;
			q->rx_gref[id] = ref;
		}
		/* A page still granted (after an extra slot) goes again. */
		req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt++);
		req->id = id;
		req->gref = q->rx_gref[id];
		posted++;
	}
	if (!posted)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		notify_remote_via_irq(rx_irq(q));
}

/* The page behind answer @idx, its grant taken back; NULL if kept. */
static struct page *rx_take_page(struct netfront_queue *q, RING_IDX idx)
{
	unsigned int id = idx % RX_RING_SIZE;
	struct page *page = q->rx_page[id];

	q->rx_page[id] = NULL;
	if (!page)
		return NULL;
	if (!gnttab_try_end_foreign_access(q->rx_gref[id])) {
		/* Freed with its reference once the backend lets go. */
		gnttab_end_foreign_access(q->rx_gref[id], page);
		queue_broken(q, "backend keeps a receive page mapped");
		return NULL;
	}
	return page;
}

static bool rx_set_gso(struct sk_buff *skb, const struct netif_extra_info *x)
{
	if (x->type != XEN_NETIF_EXTRA_TYPE_GSO || !x->u.gso.size)
		return true;	/* nothing we use */
	switch (x->u.gso.type) {
	case XEN_NETIF_GSO_TYPE_TCPV4:
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
		break;
	case XEN_NETIF_GSO_TYPE_TCPV6:
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
		break;
	default:
		return false;
	}
	/* Header and count are ours to check: the stack re-validates. */
	skb_shinfo(skb)->gso_type |= SKB_GSO_DODGY;
	skb_shinfo(skb)->gso_size = x->u.gso.size;
	skb_shinfo(skb)->gso_segs = 0;
	return true;
}

/* Hand a complete packet to the stack, or drop it if it is not sane. */
static void rx_deliver(struct netfront_queue *q, struct sk_buff *skb,
		       u16 flags)
{
	struct net_device *dev = q->info->netdev;

	if (!pskb_may_pull(skb, min_t(unsigned int, skb->len, RX_PULL)) ||
	    skb->len < ETH_HLEN)
		goto drop;
	/* A GSO packet must come with its checksum to be filled in
	 * (CHECKSUM_PARTIAL below): the stack segments such packets only,
	 * and warns at any other it is asked to segment when forwarding.
	 */
	if (skb_is_gso(skb) && !(flags & NETRXF_csum_blank))
		goto drop;
	skb->protocol = eth_type_trans(skb, dev);
	skb_reset_network_header(skb);
	if (flags & NETRXF_csum_blank) {
		/* Checksum not filled in: make the stack (or TSO) do it. */
		if (skb_checksum_setup(skb, true))
			goto drop;
	} else if (flags & NETRXF_data_validated) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += skb->len;
	napi_gro_receive(&q->napi, skb);
	return;
drop:
	dev->stats.rx_errors++;
	kfree_skb(skb);
}

/* One answer, at ring position @idx, added to the packet in progress. */
static void rx_slot(struct netfront_queue *q, RING_IDX idx,
		    const struct netif_rx_response *rsp)
{
	struct rx_packet *p = &q->pkt;
	struct netif_extra_info x;
	struct page *page;

	if (++p->slots > RX_MAX_SLOTS) {
		queue_broken(q, "receive packet chained past any packet's slots");
		return;
	}
	if (p->active && p->extra_next) {
		/* An extra-info record: its page stays posted.  Each type
		 * comes at most once, so a longer chain is a lie.
		 */
		memcpy(&x, rsp, sizeof(x));
		p->extra_next = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		if (++p->extras >= XEN_NETIF_EXTRA_TYPE_MAX ||
		    (p->skb && !rx_set_gso(p->skb, &x)))
			p->bad = true;
		return;
	}

	/* The answer's id is not used: the ring position names the page
	 * (we post id = position % RX_RING_SIZE), so a wrong id cannot
	 * make us take a page the backend was not given at that position.
	 * Status and offset are checked against the page below, before
	 * the page goes into the packet.
	 */

	page = rx_take_page(q, idx);
	if (!p->active) {
		p->active = true;
		p->bad = false;
		p->flags = rsp->flags;
		p->extra_next = rsp->flags & NETRXF_extra_info;
		p->skb = napi_alloc_skb(&q->napi, RX_PULL);
		if (!p->skb) {
			q->info->netdev->stats.rx_dropped++;
			p->bad = true;
		}
	}
	p->more = rsp->flags & NETRXF_more_data;
	if (rsp->status < 0 || !page ||
	    rsp->offset + rsp->status > XEN_PAGE_SIZE ||
	    (p->skb && skb_shinfo(p->skb)->nr_frags == MAX_SKB_FRAGS))
		p->bad = true;
	if (page && !p->bad && rsp->status > 0)
		skb_add_rx_frag(p->skb, skb_shinfo(p->skb)->nr_frags, page,
				rsp->offset, rsp->status, PAGE_SIZE);
	else if (page)
		__free_page(page);
}

static int rx_poll(struct netfront_queue *q, int budget)
{
	struct net_device *dev = q->info->netdev;
	struct rx_packet *p = &q->pkt;
	struct netif_rx_response rsp;
	RING_IDX i, prod;
	int done = 0;

	prod = READ_ONCE(q->rx.sring->rsp_prod);
	virt_rmb();	/* the answers up to prod, after prod */
	if (!XEN_FRONT_RING_RSP_PROD_VALID(&q->rx, prod)) {
		queue_broken(q, "receive producer index out of range");
		return 0;
	}
	for (i = q->rx.rsp_cons; i != prod && done < budget; i++) {
		RING_COPY_RESPONSE(&q->rx, i, &rsp);
		rx_slot(q, i, &rsp);
		if (queue_is_broken(q))
			return done;
		if (p->more || p->extra_next)
			continue;
		/* The packet is complete. */
		if (p->bad) {
			if (p->skb)
				dev->stats.rx_errors++;
			kfree_skb(p->skb);
		} else {
			rx_deliver(q, p->skb, p->flags);
		}
		memset(p, 0, sizeof(*p));
		done++;
	}
	q->rx.rsp_cons = i;
	return done;
}

static int xennet_poll(struct napi_struct *napi, int budget)
{
	struct netfront_queue *q = container_of(napi, struct netfront_queue,
						napi);
	unsigned long flags;
	unsigned int i;
	int done, more;

	spin_lock_irqsave(&q->tx_lock, flags);
	if (!queue_is_broken(q))
		tx_complete(q);
	spin_unlock_irqrestore(&q->tx_lock, flags);

	done = queue_is_broken(q) ? 0 : rx_poll(q, budget);
	if (unlikely(queue_is_broken(q))) {
		/* No refill, no final check (the ring would look busy for
		 * ever) and no re-arm: the queue is done until broken_work
		 * frees it.  The packet being put together goes now.
		 */
		kfree_skb(q->pkt.skb);
		memset(&q->pkt, 0, sizeof(q->pkt));
		if (done < budget)
			napi_complete_done(napi, done);
		return done;	/* and no EOI: the channel stays masked */
	}
	rx_refill(q);
	if (done == budget)
		return done;	/* polled again at once */
	if (!napi_complete_done(napi, done))
		return done;	/* still scheduled: that poll finishes */
	RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
	if (more) {
		napi_schedule(napi);
		return done;
	}
	/* All done: let the channels bring the next events. */
	for (i = 0; i < q->nr_chans; i++)
		if (test_and_clear_bit(QUEUE_EOI_OWED + i, &q->state))
			xen_irq_lateeoi(q->chan[i].irq, 0);
	return done;
}

/* An event on one of the queue's channels, bound late-EOI: Xen masks
 * it when it is delivered, and it stays masked until xen_irq_lateeoi().
 * That is what keeps a backend that sends events in a loop from holding
 * a vCPU in interrupt context: an event that brought work is
 * acknowledged only once the NAPI poll it scheduled has caught up with
 * the rings, however many the backend sent meanwhile, and one that
 * brought nothing (no answer on the rings the channel is for) is
 * acknowledged at once as spurious, which lets the event core throttle
 * a channel that keeps doing that.  A broken queue is never
 * acknowledged again: its channels stay masked for good.
 */
static irqreturn_t xennet_event(int irq, void *dev_id)
{
	struct netfront_chan *ch = dev_id;
	struct netfront_queue *q = ch->q;

	if (queue_is_broken(q))
		return IRQ_HANDLED;
	if (!((ch->rings & CHAN_TX) && RING_HAS_UNCONSUMED_RESPONSES(&q->tx)) &&
	    !((ch->rings & CHAN_RX) && RING_HAS_UNCONSUMED_RESPONSES(&q->rx))) {
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
		return IRQ_HANDLED;
	}
	/* Before the poll can run: it acknowledges what it finds owed.
	 * A poll already under way (or an interface that is down, its
	 * NAPI disabled until xennet_open() schedules it again) leaves
	 * the channel masked until that poll completes.
	 */
	set_bit(QUEUE_EOI_OWED + (ch - q->chan), &q->state);
	napi_schedule(&q->napi);
	return IRQ_HANDLED;
}

/* ---- The net_device ------------------------------------------------------ */

static int xennet_open(struct net_device *dev)
{
	struct netfront_info *info = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < info->nr_queues; i++) {
		napi_enable(&info->queues[i].napi);
		napi_schedule(&info->queues[i].napi);
	}
	netif_tx_start_all_queues(dev);
	return 0;
}

static int xennet_close(struct net_device *dev)
{
	struct netfront_info *info = netdev_priv(dev);
	unsigned int i;

	netif_tx_disable(dev);	/* waits for a transmit under way */
	for (i = 0; i < info->nr_queues; i++)
		napi_disable(&info->queues[i].napi);
	return 0;
}

static netdev_features_t xennet_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	struct netfront_info *info = netdev_priv(dev);

	if (!info->backend_sg)
		features &= ~NETIF_F_SG;
	if (!info->backend_csum)
		features &= ~NETIF_F_IP_CSUM;
	if (!info->backend_csum6)
		features &= ~NETIF_F_IPV6_CSUM;
	if (!info->backend_tso4 || !(features & NETIF_F_SG))
		features &= ~NETIF_F_TSO;
	if (!info->backend_tso6 || !(features & NETIF_F_SG))
		features &= ~NETIF_F_TSO6;
	return features;
}

static u16 xennet_select_queue(struct net_device *dev, struct sk_buff *skb,
			       struct net_device *sb_dev)
{
	struct netfront_info *info = netdev_priv(dev);

	/* The count drops to 0 while the queues are freed: read it once. */
	unsigned int n = READ_ONCE(info->nr_queues);

	/* A flow stays on one queue, so its packets stay in order. */
	return n > 1 ? skb_get_hash(skb) % n : 0;
}

static const struct net_device_ops xennet_ops = {
	.ndo_open		= xennet_open,
	.ndo_stop		= xennet_close,
	.ndo_start_xmit		= xennet_start_xmit,
	.ndo_select_queue	= xennet_select_queue,
	.ndo_fix_features	= xennet_fix_features,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ---- Queues -------------------------------------------------------------- */

static void free_queue(struct netfront_queue *q)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(q->chan); i++) {
		if (q->chan[i].irq > 0)
			unbind_from_irqhandler(q->chan[i].irq, &q->chan[i]);
		q->chan[i].irq = 0;
	}
	/* NAPI is disabled: a late timer schedules nothing, and re-arms
	 * nothing either.
	 */
	del_timer_sync(&q->rx_retry);
	netif_napi_del(&q->napi);
	for (i = 0; i < TX_RING_SIZE; i++) {
		if (!q->tx_skb[i])
			continue;
		/* The bus had the backend close first, which unmaps what it
		 * held.  One that did not close in time may still read the
		 * packet: its skb is then leaked, so that the memory is never
		 * reused under the backend's eyes, and the reference comes
		 * back once the backend lets go.
		 */
		if (gnttab_try_end_foreign_access(q->tx_gref[i])) {
			dev_kfree_skb_any(q->tx_skb[i]);
		} else {
			net_warn_ratelimited("%s: backend still reads a packet we sent: leaked\n",
					     q->info->netdev->name);
			gnttab_end_foreign_access(q->tx_gref[i], NULL);
		}
		q->tx_skb[i] = NULL;
	}
	for (i = 0; i < TX_RING_SIZE; i++) {
		if (!q->tx_bounce[i])
			continue;
		/* Freed with its grant, once the backend lets go. */
		gnttab_end_foreign_access(q->tx_bounce_gref[i], q->tx_bounce[i]);
		q->tx_bounce[i] = NULL;
	}
	q->tx_bounce_count = 0;
	for (i = 0; i < RX_RING_SIZE; i++) {
		if (!q->rx_page[i])
			continue;
		/* Freed with its grant, once the backend lets go. */
		gnttab_end_foreign_access(q->rx_gref[i], q->rx_page[i]);
		q->rx_page[i] = NULL;
	}
	kfree_skb(q->pkt.skb);
	memset(&q->pkt, 0, sizeof(q->pkt));
	if (q->tx_sring)
		xenbus_teardown_ring(&q->tx_sring, 1, &q->tx_ring_ref);
	if (q->rx_sring)
		xenbus_teardown_ring(&q->rx_sring, 1, &q->rx_ring_ref);
}

static void free_queue_array(struct netfront_queue *queues, unsigned int n)
{
	unsigned int i;

	for (i = 0; queues && i < n; i++)
		free_queue(&queues[i]);
	kfree(queues);
}

/* Under the RTNL once the device is registered: open and xmit look. */
static void free_queues(struct netfront_info *info)
{
	free_queue_array(info->queues, info->nr_queues);
	info->queues = NULL;
	WRITE_ONCE(info->nr_queues, 0);
}

/* Open chan[@idx] to the backend for the answers on @rings (CHAN_*);
 * @suffix ends its name.  The channel is closed when unbound
 * (free_queue()), or at once if binding it fails.
 */
static int open_chan(struct netfront_queue *q, unsigned int idx,
		     unsigned int rings, const char *suffix)
{
	struct xenbus_device *dev = q->info->xbdev;
	struct netfront_chan *ch = &q->chan[idx];
	int rc;

	ch->q = q;
	ch->rings = rings;
	snprintf(ch->name, sizeof(ch->name), "%s-q%u%s",
		 q->info->netdev->name, q->id, suffix);
	rc = xenbus_alloc_evtchn(dev, &ch->port);
	if (rc)
		return rc;
	rc = bind_own_evtchn_to_irqhandler_lateeoi(ch->port, xennet_event, 0,
						   ch->name, ch);
	if (rc < 0) {
		xenbus_dev_fatal(dev, rc, "binding an event channel");
		return rc;
	}
	ch->irq = rc;
	return 0;
}

/* @split: one event channel for each ring (see struct netfront_queue). */
static int setup_queue(struct netfront_info *info, struct netfront_queue *q,
		       unsigned int id, bool split)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int i;
	int rc;

	q->info = info;
	q->id = id;
	spin_lock_init(&q->tx_lock);
	for (i = 0; i < TX_RING_SIZE; i++)
		q->tx_free[i] = TX_RING_SIZE - 1 - i;
	q->tx_nr_free = TX_RING_SIZE;
	q->tx_ring_ref = INVALID_GRANT_REF;
	q->rx_ring_ref = INVALID_GRANT_REF;
	netif_napi_add(info->netdev, &q->napi, xennet_poll);
	timer_setup(&q->rx_retry, rx_retry_fire, 0);

	rc = xenbus_setup_ring(dev, GFP_KERNEL, &q->tx_sring, 1,
			       &q->tx_ring_ref);
	if (rc)
		return rc;
	SHARED_RING_INIT((struct netif_tx_sring *)q->tx_sring);
	FRONT_RING_INIT(&q->tx, (struct netif_tx_sring *)q->tx_sring,
			XEN_PAGE_SIZE);
	rc = xenbus_setup_ring(dev, GFP_KERNEL, &q->rx_sring, 1,
			       &q->rx_ring_ref);
	if (rc)
		return rc;
	SHARED_RING_INIT((struct netif_rx_sring *)q->rx_sring);
	FRONT_RING_INIT(&q->rx, (struct netif_rx_sring *)q->rx_sring,
			XEN_PAGE_SIZE);

	if (!split) {
		q->nr_chans = 1;
		return open_chan(q, 0, CHAN_TX | CHAN_RX, "");
	}
	q->nr_chans = 2;
	return open_chan(q, 0, CHAN_TX, "-tx") ?:
	       open_chan(q, 1, CHAN_RX, "-rx");
}

/* The store keys of a queue's channels, by how many it has. */
static const char *const chan_keys[2][2] = {
	{ "event-channel" },
	{ "event-channel-tx", "event-channel-rx" },
};

/* Remove @key, which an earlier connection (a driver loaded before, a
 * backend that offered other features) may have left: a backend that
 * finds it reads a stale port or layout instead of ours.
 */
static int remove_stale(struct xenbus_transaction t, const char *dir,
			const char *key)
{
	int rc = xenbus_rm(t, dir, key);

	return rc == -ENOENT ? 0 : rc;
}

static int publish_queue(struct xenbus_transaction t, struct netfront_queue *q,
			 const char *dir)
{
	const char *const *stale = chan_keys[2 - q->nr_chans];
	unsigned int i;
	int rc;

	rc = xenbus_printf(t, dir, "tx-ring-ref", "%u", q->tx_ring_ref) ?:
	     xenbus_printf(t, dir, "rx-ring-ref", "%u", q->rx_ring_ref);
	for (i = 0; i < q->nr_chans && !rc; i++)
		rc = xenbus_printf(t, dir, chan_keys[q->nr_chans - 1][i], "%u",
				   q->chan[i].port);
	for (i = 0; i < ARRAY_SIZE(chan_keys[0]) && stale[i] && !rc; i++)
		rc = remove_stale(t, dir, stale[i]);
	return rc;
}

struct publish_args {
	struct netfront_info *info;
	struct netfront_queue *queues;
	unsigned int nr_queues;
};

static int publish(struct xenbus_transaction t, void *arg)
{
	const struct publish_args *a = arg;
	const char *node = a->info->xbdev->nodename;
	struct netfront_queue *queues = a->queues;
	unsigned int i, nr_queues = a->nr_queues;
	char *dir;
	int rc;

	if (nr_queues == 1) {
		rc = publish_queue(t, &queues[0], node) ?:
		     remove_stale(t, node, "multi-queue-num-queues");
	} else {
		rc = xenbus_printf(t, node, "multi-queue-num-queues", "%u",
				   nr_queues);
		for (i = 0; i < nr_queues && !rc; i++) {
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u", node, i);
			rc = dir ? publish_queue(t, &queues[i], dir) : -ENOMEM;
			kfree(dir);
		}
	}
	/* What we can take: copied receive, notifications, SG, GSO, csum. */
	rc = rc ?: xenbus_printf(t, node, "request-rx-copy", "1");
	rc = rc ?: xenbus_printf(t, node, "feature-rx-notify", "1");
	rc = rc ?: xenbus_printf(t, node, "feature-sg", "1");
	rc = rc ?: xenbus_printf(t, node, "feature-gso-tcpv4", "1");
	rc = rc ?: xenbus_printf(t, node, "feature-gso-tcpv6", "1");
	rc = rc ?: xenbus_printf(t, node, "feature-ipv6-csum-offload", "1");
	return rc;
}

static void read_backend_features(struct netfront_info *info)
{
	const char *be = info->xbdev->otherend;

	info->backend_sg = xenbus_read_unsigned(be, "feature-sg", 0);
	info->backend_tso4 = xenbus_read_unsigned(be, "feature-gso-tcpv4", 0);
	info->backend_tso6 = xenbus_read_unsigned(be, "feature-gso-tcpv6", 0);
	info->backend_csum = !xenbus_read_unsigned(be,
					"feature-no-csum-offload", 0);
	info->backend_csum6 = xenbus_read_unsigned(be,
					"feature-ipv6-csum-offload", 0);
}

/* Backend InitWait: build the queues and tell the backend about them.
 * The interface may be up already (a hot-plugged eth0 is configured as
 * soon as it appears): the queues become visible to open and transmit
 * only complete, under the RTNL.
 */
static int xennet_connect(struct netfront_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	struct net_device *netdev = info->netdev;
	struct netfront_queue *queues;
	struct publish_args args;
	unsigned int max, n, i;
	bool untrusted, split;
	int rc;

	if (!xenbus_read_unsigned(dev->otherend, "feature-rx-copy", 0)) {
		xenbus_dev_fatal(dev, -EOPNOTSUPP,
				 "the backend cannot copy received packets (feature-rx-copy)");
		return -EOPNOTSUPP;
	}
	untrusted = !trust_backends ||
		    !xenbus_read_unsigned(dev->nodename, "trusted", 1);
	if (untrusted != info->untrusted)
		dev_info(&dev->dev, "%s: backend %s: %s\n", netdev->name,
			 untrusted ? "not trusted" : "trusted",
			 untrusted ? "packets copied into pages of our own" :
				     "packet pages granted directly");
	/* Not seen by the old queues: they are gone, or never were. */
	info->untrusted = untrusted;
	max = xenbus_read_unsigned(dev->otherend, "multi-queue-max-queues", 1);
	n = min3(max(max, 1u), max(xennet_max_queues, 1u),
		 min(num_online_cpus(), netdev->num_tx_queues));
	/* Two channels a queue where the backend takes them: the mode
	 * upstream's netfront uses, so the one backends are proven in.
	 * Linux 6.1's netback hands the first event on a channel that
	 * carries receive-ring notifications to its rx thread, before it
	 * has stored the channel's irq; if that thread is quick, it EOIs
	 * irq 0 and the channel stays masked for good.  Given one channel,
	 * that silences the queue's transmit ring too.  Given two, the
	 * transmit channel's EOI waits for NAPI, which runs only once the
	 * irq is stored; a receive channel lost that way costs only our
	 * refill notifications (netback reads the ring again whenever it
	 * has a packet for us), as with upstream's netfront.
	 */
	split = xenbus_read_unsigned(dev->otherend,
				     "feature-split-event-channels", 0);
	queues = kcalloc(n, sizeof(*queues), GFP_KERNEL);
	if (!queues)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rc = setup_queue(info, &queues[i], i, split);
		if (rc) {
			free_queue_array(queues, i + 1);
			return rc;
		}
	}
	args = (struct publish_args){ info, queues, n };
	rc = xenbus_transact(publish, &args);
	if (rc) {
		xenbus_dev_fatal(dev, rc, "publishing the queues");
		free_queue_array(queues, n);
		return rc;
	}

	rtnl_lock();
	info->queues = queues;
	WRITE_ONCE(info->nr_queues, n);
	netif_set_real_num_tx_queues(netdev, info->nr_queues);
	netif_set_real_num_rx_queues(netdev, info->nr_queues);
	read_backend_features(info);
	netdev_update_features(netdev);
	for (i = 0; i < info->nr_queues; i++)
		rx_refill(&info->queues[i]);
	/* Up before we connected (or reconnecting): start the new queues. */
	if (netif_running(netdev))
		xennet_open(netdev);
	rtnl_unlock();

	xenbus_switch_state(dev, XenbusStateConnected);
	return 0;
}

/* Stop the interface's traffic and free the queues; true if it was up. */
static bool xennet_drop_queues(struct netfront_info *info)
{
	struct net_device *netdev = info->netdev;
	bool running;

	rtnl_lock();
	netif_carrier_off(netdev);
	running = netif_running(netdev);
	if (running)
		xennet_close(netdev);
	free_queues(info);
	rtnl_unlock();
	return running;
}

static void xennet_disconnect(struct netfront_info *info)
{
	if (xennet_drop_queues(info))
		dev_info(&info->xbdev->dev, "%s: backend went away\n",
			 info->netdev->name);
}

/* A queue broke (queue_broken()): free them all, then go to Closing.
 * The queues are looked at under the lock that connecting, resuming and
 * disconnecting take, so a queue that broke before a resume replaced it
 * takes nothing new down.  free_queue() takes back every grant the
 * backend still holds without handing its page to the kernel.
 */
static void xennet_broken_work(struct work_struct *work)
{
	struct netfront_info *info = container_of(work, struct netfront_info,
						  broken_work);
	bool broken = false;
	unsigned int i;

	mutex_lock(&info->lock);
	for (i = 0; i < info->nr_queues; i++)
		broken |= queue_is_broken(&info->queues[i]);
	if (broken) {
		xennet_drop_queues(info);
		xenbus_dev_fatal(info->xbdev, -EPROTO,
				 "the backend broke the ring protocol");
	}
	mutex_unlock(&info->lock);
}

static void xennet_backend_changed(struct xenbus_device *dev,
				   enum xenbus_state backend_state)
{
	struct netfront_info *info = dev_get_drvdata(&dev->dev);

	mutex_lock(&info->lock);
	switch (backend_state) {
	case XenbusStateInitWait:
		if (dev->state == XenbusStateInitialising && !info->queues)
			xennet_connect(info);
		break;
	case XenbusStateConnected:
		if (!info->queues)
			break;
		netif_carrier_on(info->netdev);
		netif_tx_wake_all_queues(info->netdev);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		if (dev->state == XenbusStateClosed)
			break;
		xennet_disconnect(info);
		xenbus_frontend_closed(dev);
		break;
	default:
		break;
	}
	mutex_unlock(&info->lock);
}

/* After a restore: the backend is a new one, in a new domain, that
 * knows nothing of our rings, and the grant table is empty.  Drop the
 * old queues (packets in flight are lost, as on any link that goes down
 * for a moment; TCP sends them again) and connect as at boot.  The
 * interface keeps its name, address and configuration.
 */
static int xennet_resume(struct xenbus_device *dev)
{
	struct netfront_info *info = dev_get_drvdata(&dev->dev);

	mutex_lock(&info->lock);
	xennet_drop_queues(info);
	if (xenbus_read_driver_state(dev->otherend) == XenbusStateInitWait)
		xennet_connect(info);
	mutex_unlock(&info->lock);
	return 0;
}

static int xennet_probe(struct xenbus_device *dev,
			const struct xenbus_device_id *id)
{
	struct net_device *netdev;
	struct netfront_info *info;
	u8 mac[ETH_ALEN];
	char *macstr;
	int rc;

	macstr = xenbus_read(XBT_NIL, dev->nodename, "mac", NULL);
	if (IS_ERR(macstr)) {
		xenbus_dev_fatal(dev, PTR_ERR(macstr), "reading mac");
		return PTR_ERR(macstr);
	}
	rc = mac_pton(macstr, mac) ? 0 : -EINVAL;
	kfree(macstr);
	if (rc || !is_valid_ether_addr(mac)) {
		xenbus_dev_fatal(dev, -EINVAL, "bad mac");
		return -EINVAL;
	}

	netdev = alloc_etherdev_mq(sizeof(*info), max(xennet_max_queues, 1u));
	if (!netdev)
		return -ENOMEM;
	info = netdev_priv(netdev);
	info->netdev = netdev;
	info->xbdev = dev;
	mutex_init(&info->lock);
	INIT_WORK(&info->broken_work, xennet_broken_work);
	netdev->netdev_ops = &xennet_ops;
	netdev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM |
			      NETIF_F_IPV6_CSUM | NETIF_F_TSO | NETIF_F_TSO6;
	netdev->features = netdev->hw_features | NETIF_F_RXCSUM;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = XEN_NETIF_MAX_TX_SIZE - ETH_HLEN;
	/* A packet's length must fit the 16-bit size of its first request. */
	netif_set_tso_max_size(netdev, XEN_NETIF_MAX_TX_SIZE);
	eth_hw_addr_set(netdev, mac);
	SET_NETDEV_DEV(netdev, &dev->dev);
	netif_carrier_off(netdev);
	dev_set_drvdata(&dev->dev, info);

	rc = register_netdev(netdev);
	if (rc) {
		dev_set_drvdata(&dev->dev, NULL);
		free_netdev(netdev);
		xenbus_dev_fatal(dev, rc, "registering the net device");
		return rc;
	}
	return 0;
}

static void xennet_remove(struct xenbus_device *dev)
{
	struct netfront_info *info = dev_get_drvdata(&dev->dev);

	/* The queues go first, under the lock broken_work takes: a work
	 * queued before finds nothing left to break, and is over before
	 * the netdev is unregistered (it turns the carrier off, which must
	 * not reach a device on its way out).
	 */
	mutex_lock(&info->lock);
	xennet_drop_queues(info);
	mutex_unlock(&info->lock);
	cancel_work_sync(&info->broken_work);
	unregister_netdev(info->netdev);
	dev_set_drvdata(&dev->dev, NULL);
	free_netdev(info->netdev);
}

/* tx_bounce_pages: the pages, summed over the queues, that hold copies
 * of packet heads for the backend, each granted to it for the queue's
 * life.  A slot gets its page the first time it is used, so the number
 * follows the most packets ever in flight at once and drops to 0 only
 * with the queues.  It is memory and grant references in use, never
 * leaked: a test that counts this domain's grants to find a leak leaves
 * these out.  The queues change under the RTNL.
 */
static ssize_t tx_bounce_pages_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct netfront_info *info = dev_get_drvdata(dev);
	unsigned int i, n = 0;

	if (!rtnl_trylock())
		return restart_syscall();
	if (info && info->queues)
		for (i = 0; i < info->nr_queues; i++)
			n += READ_ONCE(info->queues[i].tx_bounce_count);
	rtnl_unlock();
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(tx_bounce_pages);

static struct attribute *xennet_dev_attrs[] = {
	&dev_attr_tx_bounce_pages.attr,
	NULL
};
ATTRIBUTE_GROUPS(xennet_dev);

/* Our devices are the store's "vif" directories. */
static const struct xenbus_device_id xennet_ids[] = {
	{ .devicetype = "vif" },
	{ }
};

static struct xenbus_driver xennet_driver = {
	.ids			= xennet_ids,
	.probe			= xennet_probe,
	.otherend_changed	= xennet_backend_changed,
	.remove			= xennet_remove,
	.resume			= xennet_resume,
	.driver.dev_groups	= xennet_dev_groups,
};

static int __init xennet_init(void)
{
	/* A packet copied whole into bounce pages fits a backend's slots. */
	BUILD_BUG_ON(DIV_ROUND_UP(XEN_NETIF_MAX_TX_SIZE, XEN_PAGE_SIZE) >
		     TX_MAX_SLOTS);
	if (!xen_domain())
		return -ENODEV;
	if (!xennet_max_queues) {
		pr_warn("max_queues 0 makes no sense, using 1\n");
		xennet_max_queues = 1;
	}
	return xenbus_register_frontend(&xennet_driver);
}
module_init(xennet_init);

static void __exit xennet_exit(void)
{
	xenbus_unregister_driver(&xennet_driver);
}
module_exit(xennet_exit);

MODULE_DESCRIPTION("Xen guest network interfaces, one netback port each");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vif");
MODULE_ALIAS("xennet");
