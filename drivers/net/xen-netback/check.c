// SPDX-License-Identifier: GPL-2.0
/*
 * What netback believes of a frontend, as pure functions of what it
 * wrote: the transmit requests of one packet, the producer indexes of its
 * rings, the toolstack's rate.  And the arithmetic the data path relies
 * on: how many receive slots a packet takes, how the bytes of one list of
 * page pieces are copied into another.
 *
 * Nothing here touches a ring, Xen or an skb, so the unit tests
 * (netback_test.c) can feed them every bad value there is.
 */

#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "netback.h"

static const char *const tx_fault_names[NB_TX_NR_FAULTS] = {
	[NB_TX_OK]		= "no fault",
	[NB_TX_EXTRA_TYPE]	= "extra info of an unknown type",
	[NB_TX_EXTRA_TWICE]	= "the same extra info type twice",
	[NB_TX_EXTRA_UNOFFERED]	= "extra info we did not offer",
	[NB_TX_GSO_BAD]		= "a GSO type or size we did not offer",
	[NB_TX_TOO_MANY_SLOTS]	= "a packet in more slots than allowed",
	[NB_TX_SLOT_PAST_PAGE]	= "a slot's offset and size beyond its page",
	[NB_TX_SIZES]		= "slots holding more than the packet's length",
};

const char *nb_tx_fault_name(int fault)
{
	unsigned int f = fault < 0 ? -(unsigned int)fault : fault;

	if (f >= NB_TX_NR_FAULTS)
		return "unknown fault";
	return tx_fault_names[f];
}

/* The extra-info slots after the first request.  The frontend lays them
 * out as struct netif_extra_info in the request's place; each says with
 * XEN_NETIF_EXTRA_FLAG_MORE whether another follows.  We offer GSO only
 * (no multicast control, no hash), and at most one of each type makes
 * sense, which also bounds the chain.
 */
static int parse_extras(const struct netif_tx_request *req,
			unsigned int avail, const struct nb_tx_limits *lim,
			struct nb_tx_packet *pkt)
{
	bool seen[XEN_NETIF_EXTRA_TYPE_MAX] = { };
	const struct netif_extra_info *e;
	unsigned int i = 1;

	BUILD_BUG_ON(sizeof(*e) > sizeof(*req));
	do {
		if (i >= avail)
			return 0;
		e = (const struct netif_extra_info *)&req[i++];
		if (e->type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    e->type >= XEN_NETIF_EXTRA_TYPE_MAX)
			return -NB_TX_EXTRA_TYPE;
		if (seen[e->type])
			return -NB_TX_EXTRA_TWICE;
		seen[e->type] = true;
		if (e->type != XEN_NETIF_EXTRA_TYPE_GSO)
			return -NB_TX_EXTRA_UNOFFERED;
		if (!e->u.gso.size ||
		    !((e->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 &&
		       lim->gso_tcpv4) ||
		      (e->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 &&
		       lim->gso_tcpv6)))
			return -NB_TX_GSO_BAD;
		pkt->gso_type = e->u.gso.type;
		pkt->gso_size = e->u.gso.size;
	} while (e->flags & XEN_NETIF_EXTRA_FLAG_MORE);
	pkt->nr_extras = i - 1;
	return 1;
}

/* Does a data slot stay within the page its grant names? */
static bool slot_in_page(const struct netif_tx_request *r)
{
	return r->offset < XEN_PAGE_SIZE &&
	       r->size <= XEN_PAGE_SIZE - r->offset;
}

int nb_tx_parse(const struct netif_tx_request *req, unsigned int avail,
		const struct nb_tx_limits *lim, struct nb_tx_packet *pkt)
{
	unsigned int i, data_slots = 1, rest = 0;
	u16 flags;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (!avail)
		return 0;
	pkt->flags = req[0].flags;
	pkt->total = req[0].size;
	pkt->gso_type = XEN_NETIF_GSO_TYPE_NONE;

	if (req[0].flags & NETTXF_extra_info) {
		rc = parse_extras(req, avail, lim, pkt);
		if (rc <= 0)
			return rc;
	}
	/* The first request's size is the packet's; its own data is what
	 * the following slots leave of it, so its offset is checked with
	 * that length once we know it.
	 */
	i = 1 + pkt->nr_extras;
	flags = req[0].flags;
	while (flags & NETTXF_more_data) {
		if (++data_slots > lim->max_slots)
			return -NB_TX_TOO_MANY_SLOTS;
		if (i >= avail)
			return 0;
		if (!slot_in_page(&req[i]))
			return -NB_TX_SLOT_PAST_PAGE;
		rest += req[i].size;
		flags = req[i].flags;
		i++;
	}
	if (rest > pkt->total)
		return -NB_TX_SIZES;
	pkt->first_len = pkt->total - rest;
	if (req[0].offset >= XEN_PAGE_SIZE ||
	    pkt->first_len > XEN_PAGE_SIZE - req[0].offset)
		return -NB_TX_SLOT_PAST_PAGE;
	pkt->nr_slots = i;
	pkt->runt = pkt->total < ETH_HLEN;
	return i;
}

bool nb_req_prod_valid(RING_IDX req_prod, RING_IDX rsp_prod,
		       unsigned int size)
{
	/* Free-running indexes: backwards reads as 2^32 - n, and fails. */
	return (RING_IDX)(req_prod - rsp_prod) <= size;
}

bool nb_req_prod_retreated(RING_IDX req_prod, RING_IDX seen,
			   RING_IDX req_cons)
{
	/* Both measured from what we consumed, which neither may pass. */
	return (RING_IDX)(req_prod - req_cons) < (RING_IDX)(seen - req_cons);
}

unsigned int nb_rx_slots(unsigned int len, bool gso)
{
	return max(DIV_ROUND_UP(len, XEN_PAGE_SIZE), 1UL) + (gso ? 1 : 0);
}

int nb_copy_plan(const struct nb_seg *src, unsigned int nr_src,
		 const struct nb_seg *dst, unsigned int nr_dst,
		 struct nb_copy *copies, unsigned int max,
		 unsigned int *bytes)
{
	unsigned int s = 0, d = 0, s_done = 0, d_done = 0, n = 0, len;

	*bytes = 0;
	while (s < nr_src && d < nr_dst) {
		len = min(src[s].len - s_done, dst[d].len - d_done);
		if (len) {
			if (n == max)
				return -E2BIG;
			copies[n].src = s;
			copies[n].src_off = src[s].off + s_done;
			copies[n].dst = d;
			copies[n].dst_off = dst[d].off + d_done;
			copies[n].len = len;
			n++;
			*bytes += len;
		}
		s_done += len;
		d_done += len;
		if (s_done == src[s].len) {
			s++;
			s_done = 0;
		}
		if (d_done == dst[d].len) {
			d++;
			d_done = 0;
		}
	}
	return n;
}

int nb_parse_rate(const char *s, u64 *bytes, u32 *usecs)
{
	unsigned long long b;
	unsigned int u;
	char end;

	if (sscanf(s, "%llu,%u%c", &b, &u, &end) != 2)
		return -EINVAL;
	if (!u)
		return -EINVAL;
	*bytes = b;
	*usecs = u;
	return 0;
}
