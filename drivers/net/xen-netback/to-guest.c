// SPDX-License-Identifier: GPL-2.0
/*
 * Packets for the guest: what the bridge sends into vif<domid>.<n>.
 *
 * ndo_start_xmit only queues the skb on its queue and wakes NAPI; the
 * poll copies queued packets into the empty pages the guest posted on
 * its receive ring, as many pages per packet as its length needs, each
 * filled from offset 0 (nb_rx_slots()).  Exactly the packet's bytes are
 * copied, so the rest of each page is whatever the guest left there:
 * nothing of ours.  The first answer carries the checksum flags, every
 * answer but the last NETRXF_more_data.
 *
 * When the guest posts no pages the queue fills; past NB_RX_QUEUE_MAX
 * packets, or NB_RX_HOLD_MAX bytes of memory held (a packet may be a
 * 64 KiB GSO one, or a small one in a big buffer: its truesize is what
 * it costs us), the device queue stops (the qdisc holds on, and TCP
 * backs off) until the guest takes some.
 * A guest that takes none for rx_drain_timeout_msecs has its queue
 * dropped and the device queue started again, so the bridge never waits
 * on it for long.
 */

#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <kunit/visibility.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <asm/xen/hypercall.h>

#include "netback.h"

/* Packets a queue holds for the guest before the device queue stops, and
 * the memory they may hold: 1 MiB, about what the guest's whole receive
 * ring (256 pages) takes in at once, so a guest that keeps up never meets
 * it.
 */
#define NB_RX_QUEUE_MAX		(NB_RX_RING_SIZE / 2)
#define NB_RX_HOLD_MAX		SZ_1M
/* Packets one poll copies to the guest before giving others a turn. */
#define NB_RX_BATCH		64

static bool wants_gso(const struct nb_vif *vif, const struct sk_buff *skb)
{
	return skb_is_gso(skb) &&
	       ((vif->fe_gso4 && (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4)) ||
		(vif->fe_gso6 && (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6)));
}

netdev_tx_t nb_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nb_vif *vif = netdev_priv(dev);
	u16 qid = skb_get_queue_mapping(skb);
	unsigned long flags;
	struct nb_queue *q;
	unsigned int slots;
	bool full;

	if (qid >= vif->max_queues)
		goto drop;
	q = &vif->queues[qid];
	if (!READ_ONCE(q->active))
		goto drop;
	/* The core gave us only what our features allow (no TSO unless the
	 * guest takes GSO, no frags unless it takes scatter-gather): what
	 * still does not fit the guest's rules is dropped, not cut.
	 */
	slots = nb_rx_slots(skb->len, wants_gso(vif, skb));
	if (slots > NB_RX_MAX_SLOTS || (!vif->fe_sg && slots > 1) ||
	    (skb_is_gso(skb) && !wants_gso(vif, skb)))
		goto drop;

	spin_lock_irqsave(&q->rx_queue.lock, flags);
	__skb_queue_tail(&q->rx_queue, skb);
	q->rx_held += skb->truesize;
	full = skb_queue_len(&q->rx_queue) >= NB_RX_QUEUE_MAX ||
	       q->rx_held >= NB_RX_HOLD_MAX;
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	if (full) {
		netif_tx_stop_queue(netdev_get_tx_queue(dev, qid));
		mod_timer(&q->drain_timer, jiffies +
			  msecs_to_jiffies(nb_rx_drain_timeout_msecs));
	}
	napi_schedule(&q->napi);
	return NETDEV_TX_OK;

drop:
	if (qid < vif->max_queues)
		vif->queues[qid].tx_dropped++;
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

void nb_drain_timer(struct timer_list *t)
{
	struct nb_queue *q = from_timer(q, t, drain_timer);

	set_bit(NB_Q_DRAIN, &q->flags);
	napi_schedule(&q->napi);
}

/* The pieces of @skb's data, page by page; q->frames[] gets their frames. */
static int skb_pieces(struct nb_queue *q, const struct sk_buff *skb)
{
	unsigned int n = 0, i, len, off;
	struct page *page;
	const u8 *p;

	for (p = skb->data, len = skb_headlen(skb); len; n++) {
		if (n == NB_MAX_COPIES)
			return -E2BIG;
		off = offset_in_page(p);
		q->frames[n] = virt_to_gfn(p);
		q->src[n] = (struct nb_seg){ n, off,
					     min_t(unsigned int, len,
						   PAGE_SIZE - off) };
		p += q->src[n].len;
		len -= q->src[n].len;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		/* A frag of a compound page may start pages into it. */
		page = nth_page(skb_frag_page(f), skb_frag_off(f) >> PAGE_SHIFT);
		off = offset_in_page(skb_frag_off(f));
		for (len = skb_frag_size(f); len; n++, page++, off = 0) {
			if (n == NB_MAX_COPIES)
				return -E2BIG;
			q->frames[n] = xen_page_to_gfn(page);
			q->src[n] = (struct nb_seg){ n, off,
						     min_t(unsigned int, len,
							   PAGE_SIZE - off) };
			len -= q->src[n].len;
		}
	}
	return n;
}

static u16 csum_flags(const struct sk_buff *skb)
{
	switch (skb->ip_summed) {
	case CHECKSUM_PARTIAL:
		/* The guest's stack fills it in, or its NIC does. */
		return NETRXF_csum_blank | NETRXF_data_validated;
	case CHECKSUM_UNNECESSARY:
		return NETRXF_data_validated;
	default:
		return 0;
	}
}

/* Copy @skb into the guest's next @slots pages and answer them.  With
 * GSO the second slot is the extra-info one: its page is not written,
 * its answer describes the segmentation.
 */
static void copy_to_guest(struct nb_queue *q, struct sk_buff *skb,
			  unsigned int slots, bool gso)
{
	unsigned int i, nr_src, nr_dst = 0, bytes, len = skb->len, data;
	struct netif_rx_response *rsp;
	struct netif_extra_info *extra;
	bool ok = false;
	int n;

	for (i = 0; i < slots; i++)
		RING_COPY_REQUEST(&q->rx, q->rx.req_cons + i, &q->rx_snap[i]);
	for (i = 0; i < slots; i++) {
		if (gso && i == 1)
			continue;
		q->dst[nr_dst++] = (struct nb_seg){ i, 0, XEN_PAGE_SIZE };
	}

	n = skb_pieces(q, skb);
	if (n < 0)
		goto answer;
	nr_src = n;
	n = nb_copy_plan(q->src, nr_src, q->dst, nr_dst, q->plan,
			 NB_MAX_COPIES, &bytes);
	if (n < 0 || bytes != len)
		goto answer;
	for (i = 0; i < n; i++) {
		const struct nb_copy *c = &q->plan[i];
		struct gnttab_copy *op = &q->ops[i];

		op->source.u.gmfn = q->frames[q->src[c->src].idx];
		op->source.domid = DOMID_SELF;
		op->source.offset = c->src_off;
		op->dest.u.ref = q->rx_snap[q->dst[c->dst].idx].gref;
		op->dest.domid = q->vif->domid;
		op->dest.offset = c->dst_off;
		op->len = c->len;
		op->flags = GNTCOPY_dest_gref;
	}
	if (HYPERVISOR_grant_table_op(GNTTABOP_copy, q->ops, n)) {
		nb_broken(q, "grant copy hypercall failed");
		goto answer;
	}
	for (i = 0; i < n; i++) {
		if (q->ops[i].status != GNTST_okay) {
			nb_broken(q, "grant %u of the receive ring: status %d",
				  q->ops[i].dest.u.ref, q->ops[i].status);
			goto answer;
		}
	}
	ok = true;

answer:
	for (i = 0; i < slots; i++) {
		rsp = RING_GET_RESPONSE(&q->rx, q->rx.rsp_prod_pvt + i);
		if (gso && i == 1) {
			/* Every byte of the slot written: none of ours left. */
			extra = (struct netif_extra_info *)rsp;
			memset(extra, 0, sizeof(*extra));
			extra->type = XEN_NETIF_EXTRA_TYPE_GSO;
			extra->u.gso.size = skb_shinfo(skb)->gso_size;
			extra->u.gso.type =
				(skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6) ?
				XEN_NETIF_GSO_TYPE_TCPV6 :
				XEN_NETIF_GSO_TYPE_TCPV4;
			continue;
		}
		data = min_t(unsigned int, len, XEN_PAGE_SIZE);
		len -= data;
		rsp->id = q->rx_snap[i].id;
		rsp->offset = 0;
		rsp->flags = 0;
		if (i == 0)
			rsp->flags |= csum_flags(skb) |
				      (gso ? NETRXF_extra_info : 0);
		/* More data follows only if bytes are left: the extra-info
		 * slot is not data, so a GSO packet of one page ends at
		 * slot 0 although slot 1 comes after it.
		 */
		if (len)
			rsp->flags |= NETRXF_more_data;
		rsp->status = ok ? data : NETIF_RSP_ERROR;
	}
	q->rx.req_cons += slots;
	q->rx.rsp_prod_pvt += slots;
	if (ok) {
		q->tx_packets++;
		q->tx_bytes += skb->len;
	} else {
		q->tx_errors++;
	}
}

/* Drop every packet waiting for the guest; returns how many there were.
 * They are moved off under the lock and freed outside it.
 */
unsigned int nb_rx_drop_all(struct nb_queue *q)
{
	struct sk_buff_head gone;
	unsigned long flags;
	unsigned int n;

	__skb_queue_head_init(&gone);
	spin_lock_irqsave(&q->rx_queue.lock, flags);
	skb_queue_splice_init(&q->rx_queue, &gone);
	q->rx_held = 0;
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	n = skb_queue_len(&gone);
	__skb_queue_purge(&gone);
	return n;
}

/* The guest took nothing for a long time: drop what waits for it. */
static void drain(struct nb_queue *q)
{
	unsigned int n = nb_rx_drop_all(q);

	q->tx_dropped += n;
	if (n && __ratelimit(&q->vif->xbdev->log_rs))
		pr_info("%s: guest took no packets for %u ms, dropped %u\n",
			q->name, nb_rx_drain_timeout_msecs, n);
}

/* The first packet waiting, under the queue's lock: ndo_start_xmit may be
 * appending on another CPU.  Only the poll takes packets off the queue, so
 * the one returned stays there until the poll does.
 */
static struct sk_buff *peek(struct nb_queue *q)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&q->rx_queue.lock, flags);
	skb = skb_peek(&q->rx_queue);
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	return skb;
}

/* The first packet waiting, if the guest's @room posted slots hold all of
 * it, with the slots it takes and whether it goes as GSO; NULL if nothing
 * waits or it does not fit.  With @take it also comes off the queue and
 * its memory is no longer counted.  One round trip of the queue's lock
 * per packet: looking, sizing and taking happen under the same hold, so
 * rx_held always matches what the queue holds.
 */
VISIBLE_IF_KUNIT struct sk_buff *nb_rx_next(struct nb_queue *q,
					    unsigned int room, bool take,
					    unsigned int *slots, bool *gso)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&q->rx_queue.lock, flags);
	skb = skb_peek(&q->rx_queue);
	if (skb) {
		*gso = wants_gso(q->vif, skb);
		*slots = nb_rx_slots(skb->len, *gso);
		if (*slots > room) {
			skb = NULL;
		} else if (take) {
			__skb_unlink(skb, &q->rx_queue);
			q->rx_held -= skb->truesize;
		}
	}
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	return skb;
}

/* Copy what we can; true if more could be copied right now. */
bool nb_to_guest(struct nb_queue *q)
{
	struct netdev_queue *txq = netdev_get_tx_queue(q->vif->dev, q->id);
	unsigned int slots, sent = 0;
	struct sk_buff *skb;
	bool more = false;
	RING_IDX prod;
	bool gso;

	while (!READ_ONCE(q->vif->broken)) {
		/* Nothing for the guest: its ring is none of our business.
		 * A packet queued after this look schedules the poll again.
		 */
		if (skb_queue_empty_lockless(&q->rx_queue))
			break;
		if (!nb_read_req_prod(q, false, &prod))
			break;
		/* After a full batch, only ask whether the next one fits: if
		 * it does, the poll comes back for it after others' turn.
		 */
		skb = nb_rx_next(q, prod - q->rx.req_cons, sent < NB_RX_BATCH,
				 &slots, &gso);
		if (!skb)
			break;
		if (sent == NB_RX_BATCH) {
			more = true;
			break;
		}
		copy_to_guest(q, skb, slots, gso);
		dev_consume_skb_any(skb);
		set_bit(NB_Q_WORKED, &q->flags);
		sent++;
	}
	if (sent)
		clear_bit(NB_Q_DRAIN, &q->flags);
	else if (test_and_clear_bit(NB_Q_DRAIN, &q->flags) &&
		 netif_tx_queue_stopped(txq))
		drain(q);
	NB_PUSH_AND_NOTIFY(&q->rx, q->irq);

	if (netif_tx_queue_stopped(txq) &&
	    skb_queue_len(&q->rx_queue) < NB_RX_QUEUE_MAX / 2 &&
	    READ_ONCE(q->rx_held) < NB_RX_HOLD_MAX / 2) {
		del_timer(&q->drain_timer);
		netif_tx_wake_queue(txq);
	}
	return more;
}

/* Is there a packet the guest now has room for?  If not, ask it for an
 * event once it has posted enough pages for the first one waiting.
 */
bool nb_to_guest_pending(struct nb_queue *q)
{
	struct sk_buff *skb;
	unsigned int slots;
	RING_IDX prod;

	if (READ_ONCE(q->vif->broken))
		return false;
	skb = peek(q);
	if (!skb)
		return false;
	slots = nb_rx_slots(skb->len, wants_gso(q->vif, skb));
	q->rx.sring->req_event = q->rx.req_cons + slots;
	virt_mb();	/* req_event visible before we look again */
	/* Room, or an index that claims it: the poll judges which. */
	prod = nb_peek_req_prod(q, false);
	return prod - q->rx.req_cons >= slots;
}
