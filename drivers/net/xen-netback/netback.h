/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-netback: dom0's end of a guest's virtual network interface.
 *
 * The toolstack gives a guest a "vif" by writing backend/vif/<domid>/<n>
 * into our part of the store.  We answer with a network device,
 * vif<domid>.<n>, which the hotplug script (vif-bridge) puts on a bridge;
 * what the guest's netfront transmits comes out of that device, and what
 * the bridge sends into it goes to the guest.
 *
 * Each queue of the interface is two shared rings, granted by the guest,
 * and one event channel (xen/interface/io/netif.h):
 *
 *  - the guest's transmit ring: a packet is a first request carrying the
 *    total length and flags, optional extra-info slots (GSO), and more
 *    requests, each naming a piece of a granted page.  We copy the data
 *    out with Xen's grant copy into pages of our own and answer each slot;
 *  - the guest's receive ring: the guest posts empty pages, one per
 *    request; we copy a packet into as many as it needs, from offset 0,
 *    and answer each with its length.
 *
 * The guest is not trusted.  Everything it writes into a ring is read
 * once, into a private copy, and checked by the pure functions of
 * check.c before anything is done with it; a guest that breaks the
 * protocol is disconnected (with a rate-limited message), never allowed
 * to make us read or write beyond what it granted, and never given a byte
 * of our memory that is not part of a packet meant for it.
 */
#ifndef _XEN_NETBACK_H
#define _XEN_NETBACK_H

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <xen/ring.h>
#include <xen/xenbus.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/netif.h>
#include <asm/xen/page.h>

/* Queues an interface may have, whatever max_queues says. */
#define NB_MAX_QUEUES		16U

/* One page per ring: netif has no multi-page rings. */
#define NB_TX_RING_SIZE		__CONST_RING_SIZE(netif_tx, XEN_PAGE_SIZE)
#define NB_RX_RING_SIZE		__CONST_RING_SIZE(netif_rx, XEN_PAGE_SIZE)

/* Data slots a transmitted packet may take before we call its frontend
 * broken (module parameter fatal_skb_slots).  netif.h asks every backend
 * to take at least XEN_NETIF_NR_SLOTS_MIN; we copy, so the number of
 * slots does not bound the skb, only the work one packet can make us do.
 */
#define NB_FATAL_SLOTS_DEFAULT	20
#define NB_FATAL_SLOTS_CAP	64
/* Extra-info slots: at most one of each type, so fewer than the types. */
#define NB_MAX_EXTRAS		(XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* Ring slots we copy out of the ring to look at one packet. */
#define NB_TX_SNAP		(1 + NB_MAX_EXTRAS + NB_FATAL_SLOTS_CAP)

/* Bytes of a packet from the guest copied into the skb head. */
#define NB_TX_HEAD		256
/* Frags of such an skb: the rest of a 64 KiB packet, in pages. */
#define NB_TX_FRAGS		DIV_ROUND_UP(XEN_NETIF_MAX_TX_SIZE, PAGE_SIZE)

/* Receive-side slots of one packet: 64 KiB in pages, plus a GSO slot. */
#define NB_RX_MAX_SLOTS		(DIV_ROUND_UP(XEN_NETIF_MAX_TX_SIZE, \
					      XEN_PAGE_SIZE) + 1)

/* Grant-copy operations one packet may need, either way. */
#define NB_MAX_COPIES		128

/* A page-bounded piece of a buffer: which page (an index into the
 * caller's table of grant refs or frames), where in it, how long.
 */
struct nb_seg {
	u16 idx;
	u16 off;
	u16 len;
};

/* One grant copy: @len bytes from piece src at src_off to dst at dst_off. */
struct nb_copy {
	u16 src;
	u16 src_off;
	u16 dst;
	u16 dst_off;
	u16 len;
};

/* ---- check.c: pure functions of what the frontend wrote -------------- */

/* What we offer a frontend's transmit side. */
struct nb_tx_limits {
	unsigned int max_slots;		/* data slots, fatal beyond */
	bool gso_tcpv4;
	bool gso_tcpv6;
};

/* A transmitted packet as the checks found it. */
struct nb_tx_packet {
	unsigned int nr_slots;		/* all of its ring slots */
	unsigned int nr_extras;		/* slots 1..nr_extras are extra info */
	unsigned int total;		/* its length, from the first slot */
	unsigned int first_len;		/* bytes of data in the first slot */
	u16 flags;			/* the first slot's NETTXF_* */
	u8 gso_type;			/* XEN_NETIF_GSO_TYPE_*, NONE if none */
	u16 gso_size;
	bool runt;			/* shorter than an Ethernet header */
};

/* Why a frontend's transmit ring is broken (nb_tx_parse's errors). */
enum nb_tx_fault {
	NB_TX_OK = 0,
	NB_TX_EXTRA_TYPE,		/* extra of an unknown type */
	NB_TX_EXTRA_TWICE,		/* the same extra type twice */
	NB_TX_EXTRA_UNOFFERED,		/* an extra we did not offer */
	NB_TX_GSO_BAD,			/* GSO type or size not acceptable */
	NB_TX_TOO_MANY_SLOTS,		/* more data slots than fatal_skb_slots */
	NB_TX_SLOT_PAST_PAGE,		/* offset + size beyond the page */
	NB_TX_SIZES,			/* the slots hold more than the total */
	NB_TX_NR_FAULTS
};

const char *nb_tx_fault_name(int fault);

/* Look at the packet starting at @req[0], with @avail requests copied out
 * of the ring.  Returns the number of slots it takes (> 0), 0 if it does
 * not end within @avail (the frontend has not pushed all of it yet), or
 * -enum nb_tx_fault.  Fills @pkt on success.
 */
int nb_tx_parse(const struct netif_tx_request *req, unsigned int avail,
		const struct nb_tx_limits *lim, struct nb_tx_packet *pkt);

/* Is the request producer index @req_prod possible, with @rsp_prod our
 * responses so far on a ring of @size?  Every request needs a free slot,
 * and a slot is free once answered: at most @size requests unanswered.
 */
bool nb_req_prod_valid(RING_IDX req_prod, RING_IDX rsp_prod,
		       unsigned int size);

/* Did the producer index move back, to @req_prod from @seen, the last we
 * read?  Requests once pushed are never taken back; a guest that moves the
 * index to and fro would otherwise have us poll for it without end.  Both
 * are measured from @req_cons: an index below it reads as far ahead, and
 * is nb_req_prod_valid()'s to refuse (asked first).
 */
bool nb_req_prod_retreated(RING_IDX req_prod, RING_IDX seen,
			   RING_IDX req_cons);

/* Receive slots a packet of @len bytes takes (with @gso, a GSO slot). */
unsigned int nb_rx_slots(unsigned int len, bool gso);

/* Plan the grant copies that move the bytes of @src pieces into @dst
 * pieces, in order, each copy within one piece of either side.  Copies
 * min(total of src, total of dst) bytes; returns the number of copies
 * and the bytes they move in *@bytes, or -E2BIG if more than @max copies
 * would be needed.
 */
int nb_copy_plan(const struct nb_seg *src, unsigned int nr_src,
		 const struct nb_seg *dst, unsigned int nr_dst,
		 struct nb_copy *copies, unsigned int max,
		 unsigned int *bytes);

/* Parse the toolstack's "rate" node, "<bytes>,<usecs>": @bytes may leave
 * the guest every @usecs microseconds.  Returns 0, or -EINVAL.
 */
int nb_parse_rate(const char *s, u64 *bytes, u32 *usecs);

/* ---- The interface ----------------------------------------------------- */

struct nb_vif;

/* Per-queue flags (nb_queue.flags). */
enum {
	NB_Q_EOI_PENDING,	/* an event arrived and is not EOI'd yet */
	NB_Q_WORKED,		/* we found work since that event */
	NB_Q_DRAIN,		/* the guest took nothing for too long */
};

struct nb_queue {
	struct nb_vif *vif;
	unsigned int id;
	char name[IFNAMSIZ + 8];
	struct napi_struct napi;
	bool active;			/* rings mapped, channel bound */
	int irq;
	unsigned long flags;

	/* The guest's transmit ring: packets from the guest. */
	struct netif_tx_back_ring tx;
	void *tx_addr;
	bool tx_waiting;		/* a packet's rest is not pushed yet */
	RING_IDX tx_seen_prod;		/* the guest's req_prod, last read */
	struct netif_tx_request tx_snap[NB_TX_SNAP];
	u64 credit_bytes;		/* rate limit: what may leave now */
	unsigned long credit_stamp;	/* jiffies of the last refill */
	struct timer_list credit_timer;

	/* The guest's receive ring: packets to the guest. */
	struct netif_rx_back_ring rx;
	void *rx_addr;
	RING_IDX rx_seen_prod;		/* the guest's req_prod, last read */
	struct sk_buff_head rx_queue;
	unsigned int rx_held;		/* their truesize, under its lock */
	struct netif_rx_request rx_snap[NB_RX_MAX_SLOTS];
	struct timer_list drain_timer;

	/* Scratch for one packet's copies, either way (NAPI context). */
	struct nb_seg src[NB_MAX_COPIES];
	struct nb_seg dst[NB_MAX_COPIES];
	unsigned long frames[NB_MAX_COPIES];
	struct nb_copy plan[NB_MAX_COPIES];
	struct gnttab_copy ops[NB_MAX_COPIES];

	/* Counted from dom0's side: rx came from the guest. */
	unsigned long rx_packets, rx_bytes, rx_errors, rx_dropped;
	unsigned long tx_packets, tx_bytes, tx_errors, tx_dropped;
};

struct nb_vif {
	struct xenbus_device *xbdev;
	struct net_device *dev;
	domid_t domid;
	struct mutex lock;		/* connecting and disconnecting */

	struct nb_queue *queues;	/* max_queues of them */
	unsigned int max_queues;
	unsigned int nr_queues;		/* connected, 0 when not */

	/* What the frontend can take (read when it connects). */
	bool fe_sg, fe_csum, fe_csum6, fe_gso4, fe_gso6;
	struct nb_tx_limits limits;

	/* The toolstack's rate limit on the guest's transmit; 0: none. */
	u64 rate_bytes;
	u32 rate_usecs;

	struct xenbus_watch hotplug_watch;
	bool broken;			/* the rings connected now broke */
	struct work_struct broken_work;
};

/* Module parameters (vif.c). */
extern unsigned int nb_max_queues;
extern unsigned int nb_fatal_skb_slots;
extern unsigned int nb_rx_drain_timeout_msecs;

/* vif.c */
struct nb_vif *nb_vif_create(struct xenbus_device *xbdev,
			     unsigned int handle);
void nb_vif_destroy(struct nb_vif *vif);
int nb_vif_connect_queue(struct nb_queue *q, grant_ref_t tx_ref,
			 grant_ref_t rx_ref, evtchn_port_t evtchn);
void nb_vif_disconnect(struct nb_vif *vif);
void nb_vif_set_rate(struct nb_vif *vif, u64 bytes, u32 usecs);
__printf(2, 3)
void nb_broken(struct nb_queue *q, const char *fmt, ...);
/* Read the guest's req_prod of its transmit (@tx) or receive ring into
 * *@prod.  False, with the guest broken, if it claims more requests than
 * the ring holds or fewer than it had pushed when we last looked.  It
 * keeps what it read, so only the poll may call it: the poll runs on
 * one CPU at a time, and every value it acts on is judged here.
 */
bool nb_read_req_prod(struct nb_queue *q, bool tx, RING_IDX *prod);
/* The last look before the poll sleeps runs after napi_complete_done(),
 * when an event may already have started the poll again on another CPU.
 * It only reads req_prod (transmit: @tx) and judges nothing: whatever
 * it finds new, or wrong, the poll it schedules takes and judges.
 */
RING_IDX nb_peek_req_prod(struct nb_queue *q, bool tx);

/* from-guest.c */
int nb_from_guest(struct nb_queue *q, int budget);
bool nb_from_guest_pending(struct nb_queue *q);
void nb_credit_timer(struct timer_list *t);

/* to-guest.c */
netdev_tx_t nb_start_xmit(struct sk_buff *skb, struct net_device *dev);
bool nb_to_guest(struct nb_queue *q);
bool nb_to_guest_pending(struct nb_queue *q);
unsigned int nb_rx_drop_all(struct nb_queue *q);
void nb_drain_timer(struct timer_list *t);
#if IS_ENABLED(CONFIG_KUNIT)
struct sk_buff *nb_rx_next(struct nb_queue *q, unsigned int room, bool take,
			   unsigned int *slots, bool *gso);
#endif

/* Answer a ring's responses and kick the guest if it asked to be. */
#define NB_PUSH_AND_NOTIFY(ring, irq)					\
	do {								\
		int __notify;						\
									\
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, __notify);	\
		if (__notify)						\
			notify_remote_via_irq(irq);			\
	} while (0)

#endif /* _XEN_NETBACK_H */
