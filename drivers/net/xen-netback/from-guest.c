// SPDX-License-Identifier: GPL-2.0
/*
 * Packets the guest transmits: its transmit ring, read in NAPI context.
 *
 * For each packet we copy its requests out of the ring (the guest may
 * rewrite them at any time; we look at the copy only), check them
 * (nb_tx_parse), and have Xen copy the data from the guest's granted
 * pages into an skb of our own: a head of up to NB_TX_HEAD bytes for the
 * headers and whole pages for the rest.  A grant copy cannot cross a
 * page on either side, so nb_copy_plan() cuts the transfer at every page
 * boundary of both.  Once the copy is done the guest's pages are free
 * again and every slot of the packet is answered; the skb goes up the
 * stack as received by vif<domid>.<n>.
 *
 * Copying (rather than mapping the guest's pages) costs a copy per byte
 * but means no page of another domain ever sits in our network stack,
 * however long a socket keeps it.
 */

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <asm/xen/hypercall.h>

#include "netback.h"

static void respond(struct nb_queue *q, u16 id, s16 status)
{
	struct netif_tx_response *rsp;

	rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = status;
	q->tx.rsp_prod_pvt++;
}

/* Answer every slot of a packet: extra-info slots get NETIF_RSP_NULL. */
static void respond_packet(struct nb_queue *q, const struct nb_tx_packet *pkt,
			   s16 status)
{
	unsigned int i;

	respond(q, q->tx_snap[0].id, status);
	for (i = 1; i <= pkt->nr_extras; i++)
		respond(q, 0, NETIF_RSP_NULL);
	for (; i < pkt->nr_slots; i++)
		respond(q, q->tx_snap[i].id, status);
}

/* The pieces of the packet, in the guest's pages (idx: slot number). */
static unsigned int guest_pieces(struct nb_queue *q,
				 const struct nb_tx_packet *pkt)
{
	unsigned int i, n = 0;

	q->src[n++] = (struct nb_seg){ 0, q->tx_snap[0].offset,
				       pkt->first_len };
	for (i = 1 + pkt->nr_extras; i < pkt->nr_slots; i++)
		q->src[n++] = (struct nb_seg){ i, q->tx_snap[i].offset,
					       q->tx_snap[i].size };
	return n;
}

/* The pieces of our skb the packet goes into: the head (which may cross
 * a page boundary) and the frag pages.  q->frames[] gets each piece's
 * frame.
 */
static unsigned int skb_pieces(struct nb_queue *q, struct sk_buff *skb)
{
	unsigned int n = 0, i, len, off;
	u8 *p = skb->data;

	for (len = skb_headlen(skb); len; len -= q->dst[n - 1].len) {
		off = offset_in_page(p);
		q->frames[n] = virt_to_gfn(p);
		q->dst[n] = (struct nb_seg){ n, off,
					     min_t(unsigned int, len,
						   PAGE_SIZE - off) };
		p += q->dst[n].len;
		n++;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		q->frames[n] = xen_page_to_gfn(skb_frag_page(f));
		q->dst[n] = (struct nb_seg){ n, 0, skb_frag_size(f) };
		n++;
	}
	return n;
}

/* An skb with room for @len bytes: the head, then whole pages. */
static struct sk_buff *alloc_packet(struct nb_queue *q, unsigned int len)
{
	unsigned int head = min_t(unsigned int, len, NB_TX_HEAD);
	struct sk_buff *skb;
	unsigned int i, part;
	struct page *page;

	skb = napi_alloc_skb(&q->napi, head);
	if (!skb)
		return NULL;
	skb_put(skb, head);
	for (i = 0, len -= head; len; i++, len -= part) {
		part = min_t(unsigned int, len, PAGE_SIZE);
		page = alloc_page(GFP_ATOMIC);
		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		skb_add_rx_frag(skb, i, page, 0, part, PAGE_SIZE);
	}
	return skb;
}

/* Have Xen copy the packet's data into @skb; false if a grant is bad. */
static bool copy_from_guest(struct nb_queue *q, const struct nb_tx_packet *pkt,
			    struct sk_buff *skb)
{
	unsigned int nr_src, nr_dst, bytes, i;
	struct gnttab_copy *op;
	int n;

	nr_src = guest_pieces(q, pkt);
	nr_dst = skb_pieces(q, skb);
	n = nb_copy_plan(q->src, nr_src, q->dst, nr_dst, q->plan,
			 NB_MAX_COPIES, &bytes);
	if (n < 0 || bytes != pkt->total) {
		nb_broken(q, "cannot plan the copy of a %u-byte packet",
			  pkt->total);
		return false;
	}
	for (i = 0; i < n; i++) {
		const struct nb_copy *c = &q->plan[i];

		op = &q->ops[i];
		op->source.u.ref = q->tx_snap[q->src[c->src].idx].gref;
		op->source.domid = q->vif->domid;
		op->source.offset = c->src_off;
		op->dest.u.gmfn = q->frames[q->dst[c->dst].idx];
		op->dest.domid = DOMID_SELF;
		op->dest.offset = c->dst_off;
		op->len = c->len;
		op->flags = GNTCOPY_source_gref;
	}
	if (n && HYPERVISOR_grant_table_op(GNTTABOP_copy, q->ops, n)) {
		nb_broken(q, "grant copy hypercall failed");
		return false;
	}
	for (i = 0; i < n; i++) {
		if (q->ops[i].status != GNTST_okay) {
			nb_broken(q, "grant %u of the transmit ring: status %d",
				  q->ops[i].source.u.ref, q->ops[i].status);
			return false;
		}
	}
	return true;
}

/* Hand a copied packet to the stack, with what its flags tell us. */
static void deliver(struct nb_queue *q, const struct nb_tx_packet *pkt,
		    struct sk_buff *skb)
{
	struct net_device *dev = q->vif->dev;
	unsigned int len = skb->len;

	skb->protocol = eth_type_trans(skb, dev);
	skb_reset_network_header(skb);
	skb_record_rx_queue(skb, q->id);

	if (pkt->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		skb_shinfo(skb)->gso_size = pkt->gso_size;
		skb_shinfo(skb)->gso_type = SKB_GSO_DODGY |
			(pkt->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
			 SKB_GSO_TCPV4 : SKB_GSO_TCPV6);
		skb_shinfo(skb)->gso_segs = 0;
	}
	/* A blank checksum (and every GSO packet) needs the offsets of the
	 * checksum field: found from the headers, and the pseudo-header sum
	 * recomputed, as not every frontend puts it there.
	 */
	if ((pkt->flags & NETTXF_csum_blank) ||
	    pkt->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		if (skb_checksum_setup(skb, true)) {
			q->rx_errors++;
			kfree_skb(skb);
			return;
		}
	} else if (pkt->flags & NETTXF_data_validated) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	q->rx_packets++;
	q->rx_bytes += len;
	napi_gro_receive(&q->napi, skb);
}

/* The toolstack's rate limit ("rate" node): a packet leaves when the
 * credit of the current interval covers it.  Credit is refilled every
 * interval, to at most one interval's worth plus one packet, so that a
 * packet bigger than the whole credit still goes out.
 */
static bool credit_allows(struct nb_queue *q, unsigned int len)
{
	struct nb_vif *vif = q->vif;
	unsigned long interval, next;

	if (!vif->rate_bytes)
		return true;
	interval = usecs_to_jiffies(vif->rate_usecs) ?: 1;
	next = q->credit_stamp + interval;
	if (time_after_eq(jiffies, next)) {
		q->credit_bytes = min(q->credit_bytes + vif->rate_bytes,
				      vif->rate_bytes + len);
		q->credit_stamp = jiffies;
		next = jiffies + interval;
	}
	if (len <= q->credit_bytes) {
		q->credit_bytes -= len;
		return true;
	}
	mod_timer(&q->credit_timer, next);
	return false;
}

void nb_credit_timer(struct timer_list *t)
{
	struct nb_queue *q = from_timer(q, t, credit_timer);

	napi_schedule(&q->napi);
}

/* Copy out the next packet's requests: up to what one packet may take. */
static unsigned int snapshot(struct nb_queue *q, unsigned int avail)
{
	unsigned int i, n;

	n = min_t(unsigned int, avail, 1 + NB_MAX_EXTRAS +
		  q->vif->limits.max_slots);
	for (i = 0; i < n; i++)
		RING_COPY_REQUEST(&q->tx, q->tx.req_cons + i, &q->tx_snap[i]);
	return n;
}

int nb_from_guest(struct nb_queue *q, int budget)
{
	struct nb_tx_packet pkt;
	struct sk_buff *skb;
	RING_IDX prod;
	int done = 0, rc;
	unsigned int n;

	while (done < budget && !READ_ONCE(q->vif->broken)) {
		if (!nb_read_req_prod(q, true, &prod))
			break;
		if (prod == q->tx.req_cons)
			break;
		n = snapshot(q, prod - q->tx.req_cons);
		rc = nb_tx_parse(q->tx_snap, n, &q->vif->limits, &pkt);
		if (!rc) {
			/* Not all pushed yet: wait for the producer to move. */
			q->tx_waiting = true;
			break;
		}
		q->tx_waiting = false;
		if (rc < 0) {
			nb_broken(q, "transmit ring: %s", nb_tx_fault_name(rc));
			break;
		}
		if (!credit_allows(q, pkt.total))
			break;
		set_bit(NB_Q_WORKED, &q->flags);
		done++;

		skb = pkt.runt ? NULL : alloc_packet(q, pkt.total);
		if (pkt.runt) {
			q->rx_errors++;
			respond_packet(q, &pkt, NETIF_RSP_ERROR);
		} else if (!skb) {
			q->rx_dropped++;
			respond_packet(q, &pkt, NETIF_RSP_DROPPED);
		} else if (!copy_from_guest(q, &pkt, skb)) {
			kfree_skb(skb);
			respond_packet(q, &pkt, NETIF_RSP_ERROR);
		} else {
			respond_packet(q, &pkt, NETIF_RSP_OKAY);
			deliver(q, &pkt, skb);
		}
		q->tx.req_cons += pkt.nr_slots;
	}
	NB_PUSH_AND_NOTIFY(&q->tx, q->irq);
	return done;
}

/* Is there transmit work, now that we are about to sleep?  Asks the guest
 * for an event at its next request, or, while a packet is only partly
 * pushed, at anything beyond what we saw.
 */
bool nb_from_guest_pending(struct nb_queue *q)
{
	RING_IDX prod, seen = q->tx_seen_prod;

	if (READ_ONCE(q->vif->broken))
		return false;
	if (!q->tx_waiting) {
		if (timer_pending(&q->credit_timer))
			return false;
		if (q->tx.req_cons != seen)
			return true;	/* seen, not taken yet */
	}
	/* Waiting or not, what we saw is all we could take: an event at the
	 * next request.  A req_prod other than the one we saw is news, or a
	 * guest gone wrong: either way for the poll to judge, not for us
	 * (nb_peek_req_prod() says why).
	 */
	q->tx.sring->req_event = seen + 1;
	virt_mb();	/* req_event visible before we look again */
	prod = nb_peek_req_prod(q, true);
	return prod != seen;
}
