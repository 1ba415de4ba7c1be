// SPDX-License-Identifier: GPL-2.0
/*
 * A vif backend that does the job right, so that the scenarios can do
 * it wrong one step at a time.
 *
 * The handshake (xen/io/netif.h): we publish what we offer and go
 * InitWait; the frontend grants one page for each of its two rings,
 * allocates one unbound event channel, writes tx-ring-ref, rx-ring-ref,
 * event-channel and request-rx-copy, and goes Connected (a netfront may
 * stop at Initialised first); we map and bind and go Connected, which
 * is when a frontend turns its carrier on.  We offer the least a
 * frontend accepts: copying receive (feature-rx-copy, the only mode a
 * current frontend has), no scatter-gather, no GSO, no checksum
 * offload, one queue, one event channel for both rings (or, with -S,
 * one for each: below).
 *
 * Split event channels (-S): we offer feature-split-event-channels=1.
 * A frontend that takes them writes event-channel-tx and
 * event-channel-rx instead of event-channel; it then sends us its tx
 * requests' events on the first and its rx buffers' on the second, and
 * wants our answers on each ring notified on that ring's channel.  One
 * that writes event-channel alone (netif.h leaves it the choice) is
 * served on that one, and the scenarios say the split mode was not
 * exercised.  The keys are in the frontend's directory itself, never
 * under queue-N/: we offer one queue, in both modes.
 *
 * In that mode the replies to a packet reach the rx ring a little after
 * its tx answer (NET_SPLIT_RX_LAG_MS), as from netback, which fills rx
 * buffers from a thread of its own.  Answered back to back, as with one
 * channel, a reply may already be there when the frontend polls for
 * the tx answer, and whether a frontend deaf to its rx channel gets its
 * pings back would hang on that race.
 *
 * What is at the far end of the cable: one host, 10.99.0.1, that
 * answers ARP requests for its address and ICMP echo requests to it.
 * A guest that pings it proves both directions: its request crossed
 * the tx ring, our reply was copied into one of its posted rx buffers.
 * Everything else the guest sends (IPv6 neighbour discovery, its
 * gratuitous ARP) is taken off the ring, answered, and forgotten.
 *
 * Pages: a tx request's data is mapped read-only just long enough to
 * copy it; a reply is copied into an rx buffer mapped writable (the
 * frontend granted it so, for a backend to fill) and unmapped again.
 * Mapping rather than grant copy: it is what blk-ring.c does, and what
 * a gntdev of ours in dom0 has.
 *
 * The frontend is not trusted (this program must not be the thing that
 * crashes): every index, slot count, offset and size it gives us is
 * checked before use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "net.h"

/* Split channels: the pause between a tx answer and its reply. */
#define NET_SPLIT_RX_LAG_MS	50

/* The x86_64 layouts of netif.h; a 32-bit guest's are the same. */
_Static_assert(sizeof(struct netif_tx_request) == 12, "netif tx request");
_Static_assert(sizeof(struct netif_tx_response) == 4, "netif tx response");
_Static_assert(sizeof(struct netif_rx_request) == 8, "netif rx request");
_Static_assert(sizeof(struct netif_rx_response) == 8, "netif rx response");
_Static_assert(sizeof(struct netif_extra_info) == 8, "netif extra info");

/* A locally administered address: no vendor's, no clash with xl's. */
const uint8_t net_our_mac[6] = { 0x02, 0x48, 0x42, 0x00, 0x00, 0x01 };

int net_init(struct net_be *be, struct hb *hb)
{
	memset(be, 0, sizeof(*be));
	be->hb = hb;
	be->port[0] = be->port[1] = -1;
	be->lie.offset = -1;
	be->lie.status = INT32_MIN;
	hb->on_event = net_on_event;
	hb->on_event_arg = be;
	return 0;
}

void net_free(struct net_be *be)
{
	be->hb->on_event = NULL;
}

/*
 * Put the device into the store and go to first_state: InitWait for
 * the normal handshake (a store scenario may stay at Initialising).
 */
int net_create(struct net_be *be, unsigned int domid, int first_state)
{
	struct hb *hb = be->hb;
	unsigned int devid = hb->devid_given ? hb->devid : NET_DEFAULT_DEVID;
	char handle[16];
	const char *mac = be->mac ? be->mac : NET_GUEST_MAC;
	const struct hb_node fe_nodes[] = {
		{ "handle", handle },
		{ "mac", mac },
		/*
		 * netif.h "trusted" (-u): the frontend should protect itself.
		 * Last before the end: a NULL name ends the list early.
		 */
		{ hb->untrusted ? "trusted" : NULL, "0" },
		{ NULL, NULL },
	};
	const struct hb_node be_nodes[] = {
		/* What libxl writes for a vif, for whoever looks. */
		{ "handle", handle },
		{ "mac", mac },
		{ "type", "vif" },
		{ "script", "xenpv-hostile-backend" },
		/* What a backend driver publishes: see the comment above. */
		{ "feature-rx-copy", "1" },
		{ "feature-rx-flip", "0" },
		{ "feature-sg", "0" },
		{ "feature-gso-tcpv4", "0" },
		{ "feature-gso-tcpv6", "0" },
		{ "feature-ipv6-csum-offload", "0" },
		{ "feature-no-csum-offload", "1" },
		{ "feature-split-event-channels", hb->split ? "1" : "0" },
		{ "multi-queue-max-queues", "1" },
		{ NULL, NULL },
	};

	snprintf(handle, sizeof(handle), "%u", devid);
	dev_init(&be->dev, hb, "vif", domid, devid);
	return dev_create(&be->dev, fe_nodes, be_nodes, first_state);
}

static int read_u32(struct net_be *be, const char *node, uint32_t *val)
{
	unsigned long long v;

	if (store_read_uint(be->hb, be->dev.fe, node, &v) || v > UINT32_MAX) {
		hb_log("vif: frontend's %s is missing or bad", node);
		return -1;
	}
	*val = v;
	return 0;
}

static bool fe_has(struct net_be *be, const char *node)
{
	char *v = store_read(be->hb, be->dev.fe, node);

	if (!v)
		return false;
	free(v);
	return true;
}

/*
 * The frontend's channels, their number in *n: event-channel-tx and -rx
 * (both or neither) where we offered split channels and it took them,
 * else event-channel, as netback reads them.
 */
static int read_evtchns(struct net_be *be, uint32_t *evtchn, unsigned int *n)
{
	bool tx, rx;

	*n = 1;
	if (!be->hb->split)
		return read_u32(be, "event-channel", &evtchn[0]);
	tx = fe_has(be, "event-channel-tx");
	rx = fe_has(be, "event-channel-rx");
	if (!tx && !rx) {
		hb_log("vif: frontend took one event channel, not the two offered");
		return read_u32(be, "event-channel", &evtchn[0]);
	}
	*n = 2;
	return read_u32(be, "event-channel-tx", &evtchn[0]) ||
	       read_u32(be, "event-channel-rx", &evtchn[1]);
}

static void *map_ring(struct net_be *be, uint32_t ref)
{
	void *p = xengnttab_map_domain_grant_refs(be->hb->xgt, 1,
						  be->dev.domid, &ref,
						  PROT_READ | PROT_WRITE);

	if (!p)
		hb_log("vif: mapping ring grant %u: %s", ref, strerror(errno));
	return p;
}

/* The frontend published its rings: map them, bind, go Connected. */
int net_connect(struct net_be *be)
{
	struct hb *hb = be->hb;
	uint32_t tx_ref, rx_ref, evtchn[2];
	unsigned long long v;
	unsigned int i, n;

	if (!store_read_uint(hb, be->dev.fe, "multi-queue-num-queues", &v) &&
	    v > 1) {
		hb_log("vif: frontend asks %llu queues, we offered one", v);
		return -1;
	}
	if (store_read_uint(hb, be->dev.fe, "request-rx-copy", &v) || v != 1) {
		hb_log("vif: frontend does not ask for copying receive");
		return -1;
	}
	if (read_u32(be, "tx-ring-ref", &tx_ref) ||
	    read_u32(be, "rx-ring-ref", &rx_ref) ||
	    read_evtchns(be, evtchn, &n))
		return -1;

	be->tx_mem = map_ring(be, tx_ref);
	be->rx_mem = be->tx_mem ? map_ring(be, rx_ref) : NULL;
	if (!be->rx_mem)
		goto unmap;
	BACK_RING_INIT(&be->tx, (netif_tx_sring_t *)be->tx_mem, HB_PAGE_SIZE);
	BACK_RING_INIT(&be->rx, (netif_rx_sring_t *)be->rx_mem, HB_PAGE_SIZE);
	for (i = 0; i < n; i++) {
		be->port[i] = chan_bind(hb, be->dev.domid, evtchn[i]);
		if (be->port[i] < 0)
			goto unbind;
	}
	be->nr_ports = n;
	be->tx_chan = 0;
	be->rx_chan = n - 1;
	be->split_taken |= n == 2;
	be->connected = true;
	be->broken = false;
	be->rxq_len = 0;
	if (n == 2)
		hb_log("vif: rings of %u tx and %u rx slots, split: tx %u -> %d, rx %u -> %d",
		       be->tx.nr_ents, be->rx.nr_ents, evtchn[0], be->port[0],
		       evtchn[1], be->port[1]);
	else
		hb_log("vif: rings of %u tx and %u rx slots, port %u -> %d",
		       be->tx.nr_ents, be->rx.nr_ents, evtchn[0], be->port[0]);
	return dev_set_state(&be->dev, XenbusStateConnected);

unbind:
	for (i = 0; i < n; i++)
		chan_unbind(hb, &be->port[i]);
unmap:
	if (be->tx_mem)
		xengnttab_unmap(hb->xgt, be->tx_mem, 1);
	if (be->rx_mem)
		xengnttab_unmap(hb->xgt, be->rx_mem, 1);
	be->tx_mem = be->rx_mem = NULL;
	return -1;
}

/* What a backend does on its way to Closed: let go of the rings. */
void net_disconnect(struct net_be *be)
{
	if (!be->connected)
		return;
	chan_unbind(be->hb, &be->port[0]);
	chan_unbind(be->hb, &be->port[1]);
	be->nr_ports = 0;
	if (xengnttab_unmap(be->hb->xgt, be->tx_mem, 1) ||
	    xengnttab_unmap(be->hb->xgt, be->rx_mem, 1))
		hb_log("vif: unmapping the rings: %s", strerror(errno));
	be->tx_mem = be->rx_mem = NULL;
	be->connected = false;
	hb_log("vif: disconnected: %lu packet(s) from the guest (%lu bad), %lu to it (%lu dropped)",
	       be->tx_pkts, be->tx_bad, be->rx_pkts, be->rx_dropped);
	hb_log("vif: the host sent %lu ARP and %lu echo replies",
	       be->arp_replies, be->echo_replies);
}

/*
 * The whole well-behaved start: device in the store, wait for the
 * frontend's rings, connect, serve.  A netfront writes its rings at
 * our InitWait and goes Connected without waiting for us.
 */
int net_attach(struct net_be *be, unsigned int domid)
{
	int tmo = be->hb->timeout * 1000, st;

	if (net_create(be, domid, XenbusStateInitWait))
		return -1;
	st = dev_wait_fe_state(&be->dev, XB_MASK(XenbusStateInitialised) |
			       XB_MASK(XenbusStateConnected) | XB_MASK_DOWN,
			       tmo);
	if (st != XenbusStateInitialised && st != XenbusStateConnected)
		return -1;
	if (net_connect(be))
		return -1;
	be->serving = true;
	st = dev_wait_fe_state(&be->dev, XB_MASK(XenbusStateConnected) |
			       XB_MASK_DOWN, tmo);
	if (st != XenbusStateConnected)
		return -1;
	net_poll(be);
	return 0;
}

/* Closing, wait for the frontend to close, let go, say Closed. */
int net_close(struct net_be *be, int timeout_ms)
{
	int st;

	if (dev_set_state(&be->dev, XenbusStateClosing))
		return -1;
	st = dev_wait_fe_state(&be->dev, XB_MASK_DOWN, timeout_ms);
	net_disconnect(be);
	if (st != XB_GONE)
		dev_set_state(&be->dev, XenbusStateClosed);
	return st;
}

void net_teardown(struct net_be *be)
{
	if (be->connected && be->dev.created && !hb_stopping)
		net_close(be, be->hb->timeout * 1000);
	net_disconnect(be);
	dev_remove(&be->dev);
}

/* ---- Transmit: the guest's packets -------------------------------- */

/*
 * How many slots the packet at req_cons takes, looking only at what is
 * published (up to prod): 0 if it does not end there yet.  A packet is
 * its first request, the extra-info slots that flag announces (each
 * may announce one more), and then one request per further piece for
 * as long as NETTXF_more_data is set.
 */
static unsigned int tx_span(struct net_be *be, RING_IDX prod, bool *extra)
{
	netif_tx_back_ring_t *r = &be->tx;
	struct netif_tx_request req;
	struct netif_extra_info x;
	RING_IDX i = r->req_cons;
	bool more_extra;

	memcpy(&req, RING_GET_REQUEST(r, i), sizeof(req));
	extra[0] = false;
	more_extra = req.flags & NETTXF_extra_info;
	for (i++; i != prod && i - r->req_cons < NET_TX_MAX_SLOTS; i++) {
		if (more_extra) {
			memcpy(&x, RING_GET_REQUEST(r, i), sizeof(x));
			extra[i - r->req_cons] = true;
			more_extra = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
			continue;
		}
		if (!(req.flags & NETTXF_more_data))
			return i - r->req_cons;
		memcpy(&req, RING_GET_REQUEST(r, i), sizeof(req));
		extra[i - r->req_cons] = false;
	}
	if (!more_extra && !(req.flags & NETTXF_more_data))
		return i - r->req_cons;
	/* Longer than any packet may be: take what we have, as bad. */
	return i - r->req_cons == NET_TX_MAX_SLOTS ? NET_TX_MAX_SLOTS + 1 : 0;
}

/*
 * Copy out the next packet's requests, if the whole packet is there.
 * 1: got one; 0: none (req_event is set for the next); -1: the ring is
 * broken (an impossible producer index).
 */
int net_get_tx(struct net_be *be, struct net_tx_pkt *pkt)
{
	netif_tx_back_ring_t *r = &be->tx;
	unsigned int n, i;
	RING_IDX prod;

	if (!be->connected || be->broken)
		return -1;
	for (;;) {
		prod = r->sring->req_prod;
		xen_rmb();	/* the slots are read after the index */
		if (prod - r->req_cons > r->nr_ents) {
			hb_log("vif: frontend's tx req_prod %u is %u past our %u",
			       prod, prod - r->req_cons, r->req_cons);
			be->broken = true;
			return -1;
		}
		if (prod != r->req_cons)
			break;
		r->sring->req_event = r->req_cons + 1;
		xen_mb();
		if (r->sring->req_prod == prod)
			return 0;
	}
	n = tx_span(be, prod, pkt->extra);
	if (!n)
		return 0;	/* its last slots come with the next event */
	pkt->bad = n > NET_TX_MAX_SLOTS;
	if (pkt->bad)
		n = NET_TX_MAX_SLOTS;
	for (i = 0; i < n; i++)
		memcpy(&pkt->slot[i], RING_GET_REQUEST(r, r->req_cons + i),
		       sizeof(pkt->slot[i]));
	pkt->nr = n;
	r->req_cons += n;
	return 1;
}

/* Hits logged one by one; after that only counted. */
#define SECRET_LOG_MAX	8

/*
 * A grant gives us the whole page, whatever the request says: look for
 * be->secret in all of it.  A hit outside [off, off + len) is guest
 * memory that was never a packet of ours (a frontend that grants a
 * packet's slab head exposes the objects beside it); one inside would
 * be the guest sending the secret itself (it never does).
 */
static void search_page(struct net_be *be, const uint8_t *page, uint32_t ref,
			unsigned int off, unsigned int len)
{
	size_t n = strlen(be->secret);
	const uint8_t *p = page, *end = page + HB_PAGE_SIZE;
	unsigned int out = 0, in = 0, at;
	int first = -1;

	while ((p = memmem(p, end - p, be->secret, n))) {
		at = p - page;
		if (at + n > off && at < off + len) {
			in++;
		} else {
			out++;
			if (first < 0)
				first = at;
		}
		p += n;
	}
	be->sec_pages++;
	if (in)
		be->sec_inside++;
	if (!out)
		return;
	if (++be->sec_hits <= SECRET_LOG_MAX)
		hb_log("vif: tx grant %u: the secret %u time(s) outside the packet's bytes %u..%u, first at %u",
		       ref, out, off, off + len, first);
}

/*
 * Gather a packet's data into f.  The first request's size is the
 * whole packet's; every other request's is its own piece, so the
 * first piece is what the others leave.  0, or -1 if the requests
 * do not describe a packet we can read (then it is answered ERROR).
 */
int net_tx_read(struct net_be *be, const struct net_tx_pkt *pkt,
		struct net_frame *f)
{
	uint32_t refs[NET_TX_MAX_SLOTS];
	unsigned int len[NET_TX_MAX_SLOTS], idx[NET_TX_MAX_SLOTS];
	unsigned int i, n = 0, rest = 0, total, off = 0;
	uint8_t *pages;

	if (pkt->bad || !pkt->nr || pkt->extra[0])
		return -1;
	for (i = 0; i < pkt->nr; i++) {
		if (pkt->extra[i])
			continue;
		idx[n] = i;
		refs[n] = pkt->slot[i].gref;
		len[n] = pkt->slot[i].size;
		if (n)
			rest += len[n];
		n++;
	}
	total = pkt->slot[idx[0]].size;
	if (rest > total || total > NET_FRAME_MAX)
		return -1;
	len[0] = total - rest;
	for (i = 0; i < n; i++)
		if (pkt->slot[idx[i]].offset + len[i] > HB_PAGE_SIZE)
			return -1;
	pages = xengnttab_map_domain_grant_refs(be->hb->xgt, n, be->dev.domid,
						refs, PROT_READ);
	if (!pages) {
		hb_log("vif: mapping %u tx page(s): %s", n, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(f->data + off, pages + i * HB_PAGE_SIZE +
		       pkt->slot[idx[i]].offset, len[i]);
		off += len[i];
		if (be->secret)
			search_page(be, pages + i * HB_PAGE_SIZE, refs[i],
				    pkt->slot[idx[i]].offset, len[i]);
	}
	f->len = total;
	if (xengnttab_unmap(be->hb->xgt, pages, n))
		hb_log("vif: unmapping %u tx page(s): %s", n, strerror(errno));
	return 0;
}

/* Queue a tx answer, any answer: nothing checks it matches a request. */
void net_put_tx_response(struct net_be *be, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp;

	rsp = RING_GET_RESPONSE(&be->tx, be->tx.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = status;
	be->tx.rsp_prod_pvt++;
}

/* One answer per slot taken: NULL for an extra-info slot. */
void net_tx_answer(struct net_be *be, const struct net_tx_pkt *pkt,
		   int16_t status)
{
	unsigned int i;

	for (i = 0; i < pkt->nr; i++)
		net_put_tx_response(be, pkt->extra[i] ? 0 : pkt->slot[i].id,
				    pkt->extra[i] ? NETIF_RSP_NULL : status);
}

void net_push_tx(struct net_be *be)
{
	int notify;

	if (!be->connected)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be->tx, notify);
	if (notify)
		net_notify(be, false);
}

/* Publish any producer index we like on either ring, and notify. */
void net_push_raw(struct net_be *be, bool rx, RING_IDX rsp_prod)
{
	xen_wmb();	/* the answers queued so far land before the index */
	if (rx)
		be->rx.sring->rsp_prod = rsp_prod;
	else
		be->tx.sring->rsp_prod = rsp_prod;
	xen_mb();	/* and the index before the event */
	net_notify(be, rx);
}

/* ---- The host at the far end ---------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t inet_csum(const uint8_t *p, unsigned int len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static struct net_frame *rxq_slot(struct net_be *be)
{
	if (be->rxq_len == NET_RXQ_LEN) {
		be->rx_dropped++;
		return NULL;
	}
	return &be->rxq[(be->rxq_head + be->rxq_len) % NET_RXQ_LEN];
}

#define ETH_HLEN	14
#define ARP_LEN		28

/* An ARP request for our address: the reply, queued. */
static void answer_arp(struct net_be *be, const struct net_frame *f)
{
	const uint8_t *a = f->data + ETH_HLEN;
	struct net_frame *r;
	uint8_t *o;

	if (f->len < ETH_HLEN + ARP_LEN || get16(a) != 1 ||
	    get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
	    get16(a + 6) != 1 || get32(a + 24) != NET_OUR_IP)
		return;
	r = rxq_slot(be);
	if (!r)
		return;
	o = r->data;
	memcpy(o, a + 8, 6);			/* to the sender */
	memcpy(o + 6, net_our_mac, 6);
	put16(o + 12, 0x0806);
	o += ETH_HLEN;
	memcpy(o, a, 6);			/* htype, ptype, hlen, plen */
	put16(o + 6, 2);			/* a reply */
	memcpy(o + 8, net_our_mac, 6);		/* we have the address */
	memcpy(o + 14, a + 24, 4);
	memcpy(o + 18, a + 8, 10);		/* to the asker */
	r->len = ETH_HLEN + ARP_LEN;
	/* The minimum frame: the guest's NIC would pad it too. */
	memset(r->data + r->len, 0, 60 - r->len);
	r->len = 60;
	be->rxq_len++;
	be->arp_replies++;
}

/* An ICMP echo request to our address: the echo reply, queued. */
static void answer_ping(struct net_be *be, const struct net_frame *f)
{
	const uint8_t *ip = f->data + ETH_HLEN;
	unsigned int ihl, tot;
	struct net_frame *r;
	uint8_t *o;

	if (f->len < ETH_HLEN + 20 || ip[0] >> 4 != 4)
		return;
	ihl = (ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || ETH_HLEN + tot > f->len ||
	    ip[9] != 1 || get32(ip + 16) != NET_OUR_IP ||
	    (get16(ip + 6) & 0x3fff) || ip[ihl] != 8)
		return;		/* not an unfragmented echo request to us */
	r = rxq_slot(be);
	if (!r)
		return;
	memcpy(r->data, f->data + 6, 6);	/* back to the sender */
	memcpy(r->data + 6, net_our_mac, 6);
	put16(r->data + 12, 0x0800);
	o = r->data + ETH_HLEN;
	memcpy(o, ip, tot);
	memcpy(o + 12, ip + 16, 4);		/* from us */
	memcpy(o + 16, ip + 12, 4);		/* to it */
	o[8] = 64;				/* a fresh TTL */
	put16(o + 10, 0);
	put16(o + 10, inet_csum(o, ihl));
	o[ihl] = 0;				/* echo reply, same id and data */
	put16(o + ihl + 2, 0);
	put16(o + ihl + 2, inet_csum(o + ihl, tot - ihl));
	r->len = ETH_HLEN + tot;
	if (r->len < 60) {
		memset(r->data + r->len, 0, 60 - r->len);
		r->len = 60;
	}
	be->rxq_len++;
	be->echo_replies++;
}

/* A frame from the guest reaches the host: it may reply. */
void net_host_receive(struct net_be *be, const struct net_frame *f)
{
	if (f->len < ETH_HLEN || be->mute)
		return;
	switch (get16(f->data + 12)) {
	case 0x0806:
		answer_arp(be, f);
		break;
	case 0x0800:
		answer_ping(be, f);
		break;
	}
}

/* Carry one packet of the guest's: read it, answer it, reply to it. */
void net_serve_tx(struct net_be *be, const struct net_tx_pkt *pkt)
{
	struct net_frame f;

	if (net_tx_read(be, pkt, &f)) {
		be->tx_bad++;
		net_tx_answer(be, pkt, NETIF_RSP_ERROR);
		return;
	}
	net_tx_answer(be, pkt, NETIF_RSP_OKAY);
	be->tx_pkts++;
	net_host_receive(be, &f);
}

/* ---- Receive: our replies into the guest's buffers ---------------------- */

/* The next posted rx buffer, taken; 1, 0 if none, -1 if broken. */
static int rx_take(struct net_be *be, struct netif_rx_request *req)
{
	netif_rx_back_ring_t *r = &be->rx;
	RING_IDX prod = r->sring->req_prod;

	xen_rmb();
	if (prod - r->req_cons > r->nr_ents) {
		hb_log("vif: frontend's rx req_prod %u is %u past our %u", prod,
		       prod - r->req_cons, r->req_cons);
		be->broken = true;
		return -1;
	}
	if (prod == r->req_cons)
		return 0;
	memcpy(req, RING_GET_REQUEST(r, r->req_cons), sizeof(*req));
	r->req_cons++;
	return 1;
}

static bool rx_posted(struct net_be *be, unsigned int want)
{
	netif_rx_back_ring_t *r = &be->rx;
	RING_IDX prod = r->sring->req_prod;

	xen_rmb();
	if (prod - r->req_cons >= want)
		return true;
	/* Tell us when the frontend posts the next one. */
	r->sring->req_event = r->req_cons + 1;
	xen_mb();
	return r->sring->req_prod - r->req_cons >= want;
}

/* Copy f into one posted buffer and answer it, lying if asked to. */
static int rx_deliver(struct net_be *be, const struct net_frame *f)
{
	struct net_rx_lie *lie = &be->lie;
	bool lying = lie->armed && !lie->done;
	struct netif_rx_request req, xreq;
	struct netif_rx_response *rsp;
	uint8_t *page;

	if (!rx_posted(be, lying && lie->extra ? 2 : 1))
		return 0;
	if (rx_take(be, &req) <= 0)
		return -1;
	page = xengnttab_map_grant_ref(be->hb->xgt, be->dev.domid, req.gref,
				       PROT_READ | PROT_WRITE);
	if (page) {
		memcpy(page, f->data, f->len);
		if (xengnttab_unmap(be->hb->xgt, page, 1))
			hb_log("vif: unmapping an rx page: %s",
			       strerror(errno));
	} else {
		hb_log("vif: mapping rx grant %u: %s", req.gref,
		       strerror(errno));
	}
	rsp = RING_GET_RESPONSE(&be->rx, be->rx.rsp_prod_pvt++);
	rsp->id = req.id;
	rsp->offset = 0;
	rsp->flags = NETRXF_data_validated;
	rsp->status = page ? (int16_t)f->len : NETIF_RSP_ERROR;
	if (lying) {
		if (lie->offset >= 0)
			rsp->offset = lie->offset;
		if (lie->status != INT32_MIN)
			rsp->status = lie->status;
		rsp->flags |= lie->flags;
		if (lie->extra) {
			/* The extra slot uses up a posted buffer too. */
			rx_take(be, &xreq);
			memcpy(RING_GET_RESPONSE(&be->rx, be->rx.rsp_prod_pvt++),
			       &lie->x, sizeof(lie->x));
		}
		lie->done = true;
		hb_log("vif: rx answer told: id %u offset %u flags %#x status %d%s",
		       rsp->id, rsp->offset, rsp->flags, rsp->status,
		       lie->extra ? " and an extra-info slot" : "");
	}
	be->rx_pkts++;
	return 1;
}

/*
 * Answer every buffer the guest has posted as one more piece of a
 * packet that never ends: NETRXF_more_data on each.  Returns how many
 * were answered, -1 if the frontend broke the rx ring.
 */
int net_rx_endless(struct net_be *be)
{
	struct netif_rx_request req;
	struct netif_rx_response *rsp;
	int n = 0, notify, rc;

	if (!be->connected || be->broken)
		return -1;
	while ((rc = rx_take(be, &req)) > 0) {
		rsp = RING_GET_RESPONSE(&be->rx, be->rx.rsp_prod_pvt++);
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->flags = NETRXF_more_data | NETRXF_data_validated;
		rsp->status = 64;
		n++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be->rx, notify);
	if (notify)
		net_notify(be, true);
	return rc < 0 ? -1 : n;
}

/* Deliver queued replies while the guest has buffers for them. */
void net_rx_flush(struct net_be *be)
{
	int notify, rc = 0;

	if (!be->connected || be->broken)
		return;
	while (be->rxq_len) {
		rc = rx_deliver(be, &be->rxq[be->rxq_head]);
		if (rc <= 0)
			break;
		be->rxq_head = (be->rxq_head + 1) % NET_RXQ_LEN;
		be->rxq_len--;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be->rx, notify);
	if (notify)
		net_notify(be, true);
}

/* Take and carry everything the guest sent, then deliver the replies. */
void net_poll(struct net_be *be)
{
	struct net_tx_pkt pkt;
	RING_IDX answered;

	if (!be->connected || be->broken)
		return;
	answered = be->tx.rsp_prod_pvt;
	while (!be->hold_tx && net_get_tx(be, &pkt) > 0)
		net_serve_tx(be, &pkt);
	net_push_tx(be);
	/* Split channels: the replies come on their own (see the top). */
	if (be->nr_ports == 2 && be->rxq_len && be->tx.rsp_prod_pvt != answered)
		usleep(NET_SPLIT_RX_LAG_MS * 1000);
	net_rx_flush(be);
}

void net_notify(struct net_be *be, bool rx)
{
	unsigned int i = rx ? be->rx_chan : be->tx_chan;

	if (i >= be->nr_ports)
		return;
	if (be->nr_ports == 2 && i != (rx ? 1u : 0u))
		be->crossed++;
	chan_notify(be->hb, be->port[i]);
}

void net_on_event(void *arg, unsigned int port)
{
	struct net_be *be = arg;

	if (be->connected && be->serving &&
	    ((int)port == be->port[0] ||
	     (be->nr_ports == 2 && (int)port == be->port[1])))
		net_poll(be);
}

/*
 * Serve correctly until want more packets came from the guest or
 * timeout_ms passes; the number that came.
 */
unsigned long net_serve(struct net_be *be, unsigned long want, int timeout_ms)
{
	double end = hb_now() + timeout_ms / 1000.0;
	unsigned long start = be->tx_pkts;
	bool was_serving = be->serving;

	be->serving = true;
	net_poll(be);
	while (be->tx_pkts - start < want && hb_now() < end && !be->broken) {
		if (hb_wait(be->hb, 200) < 0)
			break;
		/* An event may have come while we were not serving. */
		net_poll(be);
	}
	be->serving = was_serving;
	return be->tx_pkts - start;
}
