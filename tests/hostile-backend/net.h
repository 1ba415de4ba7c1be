/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vif backend (net-ring.c) for the net scenarios (net-scenarios.c):
 * it carries the guest's packets correctly, as the far end of a cable
 * with one host on it, until a scenario uses the primitives below to
 * answer wrongly.
 */
#ifndef HB_NET_H
#define HB_NET_H

#include "hbackend.h"

#include <xen/io/netif.h>

/* The vif's number when -d is not given: the guest's own is 0. */
#define NET_DEFAULT_DEVID	7

/*
 * The one host on our side of the cable, and the address the guest is
 * told to have (the test configures it): a net of their own, apart
 * from dom0's bridge, so a reply can only have come through us.
 */
#define NET_OUR_IP		0x0a630001u	/* 10.99.0.1 */
#define NET_GUEST_MAC		"02:48:42:00:00:02"
/*
 * net-tx-neighbours gives the vif this address instead: the guest's job
 * takes it as the word to spray its kmalloc caches with SPRAY_MARK
 * while the vif is there (xenpv-stress spray; the store offers no
 * other channel from us to the guest's user space).
 */
#define NET_SPRAY_MAC		"02:48:42:00:00:5a"
/* The secret the guest sprays (tests/guest/xenpv-stress.c). */
#define NET_SPRAY_MARK		"xenpv:neighbour-secret:"
extern const uint8_t net_our_mac[6];

/* An Ethernet frame: no GSO offered, so at most one MTU's worth. */
#define NET_FRAME_MAX		1536
/* Slots one packet may take: netback's limit for a frontend. */
#define NET_TX_MAX_SLOTS	18

struct net_frame {
	unsigned int len;
	uint8_t data[NET_FRAME_MAX];
};

/* Replies waiting for the guest to post receive buffers. */
#define NET_RXQ_LEN		32

/*
 * A scenario's lie, told in the next receive answer we give: the
 * response's fields as given instead of the true ones, and optionally
 * an extra-info slot after it.
 */
struct net_rx_lie {
	bool armed;
	bool done;			/* told: the next answers are true */
	int offset;			/* -1: the true one */
	int status;			/* INT32_MIN: the true length */
	uint16_t flags;			/* added to the true flags */
	bool extra;			/* an extra-info slot follows */
	struct netif_extra_info x;
};

struct net_be {
	struct hb *hb;
	struct hb_dev dev;

	/* The connection, while connected. */
	bool connected;
	void *tx_mem, *rx_mem;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	/*
	 * Our ends of the frontend's event channels: port[0] alone, or,
	 * with split channels (-S: feature-split-event-channels), port[0]
	 * for the tx ring and port[1] for the rx ring; -1 when unbound.
	 * tx_chan and rx_chan say which of them we notify of each ring's
	 * answers: the ring's own, unless a scenario mixes them up.
	 */
	int port[2];
	unsigned int nr_ports;
	unsigned int tx_chan, rx_chan;
	bool split_taken;		/* the frontend ever took two */
	bool broken;			/* the frontend broke a ring: stop */

	/* Carry packets whenever the channel fires (hb->on_event). */
	bool serving;
	/* Take the guest's packets but never reply (a dead peer). */
	bool mute;
	/* Leave tx requests unanswered: taken and held (close-inflight). */
	bool hold_tx;

	/* The address the guest's vif gets (NULL: NET_GUEST_MAC). */
	const char *mac;
	/*
	 * Search every tx page we map, all of it, for this string
	 * (net-tx-neighbours): pages searched, pages holding it outside
	 * the bytes the request names, and inside them.
	 */
	const char *secret;
	unsigned long sec_pages, sec_hits, sec_inside;

	struct net_frame rxq[NET_RXQ_LEN];
	unsigned int rxq_head, rxq_len;
	struct net_rx_lie lie;

	unsigned long tx_pkts, tx_bad, rx_pkts, rx_dropped;
	unsigned long crossed;		/* notified on the other ring's channel */
	unsigned long arp_replies, echo_replies;
};

/* One packet's tx requests as the frontend wrote them (copied). */
struct net_tx_pkt {
	struct netif_tx_request slot[NET_TX_MAX_SLOTS];
	bool extra[NET_TX_MAX_SLOTS];	/* an extra-info slot, not data */
	unsigned int nr;		/* slots taken, extras included */
	bool bad;			/* not a packet we can read */
};

int net_init(struct net_be *be, struct hb *hb);
void net_free(struct net_be *be);
int net_create(struct net_be *be, unsigned int domid, int first_state);
int net_connect(struct net_be *be);
void net_disconnect(struct net_be *be);
int net_attach(struct net_be *be, unsigned int domid);
int net_close(struct net_be *be, int timeout_ms);
void net_teardown(struct net_be *be);

int net_get_tx(struct net_be *be, struct net_tx_pkt *pkt);
int net_tx_read(struct net_be *be, const struct net_tx_pkt *pkt,
		struct net_frame *f);
void net_tx_answer(struct net_be *be, const struct net_tx_pkt *pkt,
		   int16_t status);
void net_put_tx_response(struct net_be *be, uint16_t id, int16_t status);
void net_push_tx(struct net_be *be);
void net_push_raw(struct net_be *be, bool rx, RING_IDX rsp_prod);
void net_host_receive(struct net_be *be, const struct net_frame *f);
void net_serve_tx(struct net_be *be, const struct net_tx_pkt *pkt);
void net_rx_flush(struct net_be *be);
int net_rx_endless(struct net_be *be);
void net_poll(struct net_be *be);
unsigned long net_serve(struct net_be *be, unsigned long want,
			int timeout_ms);
/* hb->on_event of a served vif: its arg is the struct net_be. */
void net_on_event(void *arg, unsigned int port);
/* Notify the frontend of answers on the rx ring (rx) or the tx ring. */
void net_notify(struct net_be *be, bool rx);

/* Our end of the channel for the tx ring's or rx ring's events. */
static inline int net_tx_port(const struct net_be *be)
{
	return be->port[0];
}

static inline int net_rx_port(const struct net_be *be)
{
	return be->nr_ports == 2 ? be->port[1] : be->port[0];
}

#endif
