// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what xen-netback believes of a frontend (check.c): the
 * transmit requests of a packet, ring producer indexes, the receive slot
 * count, the copy plan and the rate; and of the step that takes a
 * packet for the guest off its queue (to-guest.c).
 *
 * Requests are built here as a hostile frontend would write them; the
 * rings are plain arrays and nothing talks to Xen.
 */
#include <kunit/test.h>
#include <linux/limits.h>

#include "netback.h"

static const struct nb_tx_limits lim = {
	.max_slots = 20,
	.gso_tcpv4 = true,
	.gso_tcpv6 = false,
};

static void set_req(struct netif_tx_request *r, u16 offset, u16 size,
		    u16 flags)
{
	r->gref = 7;
	r->offset = offset;
	r->size = size;
	r->flags = flags;
	r->id = 0;
}

static void set_extra(struct netif_tx_request *r, u8 type, u8 flags,
		      u16 gso_size, u8 gso_type)
{
	struct netif_extra_info *e = (struct netif_extra_info *)r;

	memset(r, 0, sizeof(*r));
	e->type = type;
	e->flags = flags;
	e->u.gso.size = gso_size;
	e->u.gso.type = gso_type;
}

/* One slot, a whole Ethernet frame. */
static void tx_single_slot(struct kunit *test)
{
	struct netif_tx_request r[1];
	struct nb_tx_packet pkt;

	set_req(&r[0], 100, 1514, NETTXF_csum_blank);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 1);
	KUNIT_EXPECT_EQ(test, pkt.total, 1514U);
	KUNIT_EXPECT_EQ(test, pkt.first_len, 1514U);
	KUNIT_EXPECT_EQ(test, pkt.flags, (u16)NETTXF_csum_blank);
	KUNIT_EXPECT_FALSE(test, pkt.runt);
	KUNIT_EXPECT_EQ(test, pkt.gso_type, (u8)XEN_NETIF_GSO_TYPE_NONE);
}

/* The first size is the total; the first slot holds what is left. */
static void tx_multi_slot_sizes(struct kunit *test)
{
	struct netif_tx_request r[3];
	struct nb_tx_packet pkt;

	set_req(&r[0], 0, 9000, NETTXF_more_data);
	set_req(&r[1], 0, 4096, NETTXF_more_data);
	set_req(&r[2], 0, 1000, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), 3);
	KUNIT_EXPECT_EQ(test, pkt.first_len, 9000U - 4096 - 1000);
	/* The following slots hold more than the packet: broken. */
	set_req(&r[0], 0, 4000, NETTXF_more_data);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), -NB_TX_SIZES);
}

/* The first slot's own part must stay within its page too. */
static void tx_first_slot_past_page(struct kunit *test)
{
	struct netif_tx_request r[2];
	struct nb_tx_packet pkt;

	set_req(&r[0], 4000, 200, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
	set_req(&r[0], 3896, 200, 0);		/* ends exactly at 4096 */
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 1);
	set_req(&r[0], 4096, 0, 0);		/* offset off the page */
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
	set_req(&r[0], 0xffff, 0xffff, 0);	/* u16 sums must not wrap */
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
	/* A big total is fine if the other slots take the excess. */
	set_req(&r[0], 3996, 4196, NETTXF_more_data);
	set_req(&r[1], 0, 4096, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 2, &lim, &pkt), 2);
	set_req(&r[0], 3996, 4197, NETTXF_more_data);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 2, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
}

static void tx_later_slot_past_page(struct kunit *test)
{
	struct netif_tx_request r[2];
	struct nb_tx_packet pkt;

	set_req(&r[0], 0, 5000, NETTXF_more_data);
	set_req(&r[1], 1, 4096, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 2, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
	set_req(&r[1], 0, 4097, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 2, &lim, &pkt),
			-NB_TX_SLOT_PAST_PAGE);
}

/* A packet that goes on past what was pushed is not there yet. */
static void tx_incomplete(struct kunit *test)
{
	struct netif_tx_request r[3];
	struct nb_tx_packet pkt;

	set_req(&r[0], 0, 3000, NETTXF_more_data);
	set_req(&r[1], 0, 1000, NETTXF_more_data);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 2, &lim, &pkt), 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 0, &lim, &pkt), 0);
	/* An extra slot promised and not there. */
	set_req(&r[0], 0, 100, NETTXF_extra_info);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 0);
}

/* fatal_skb_slots data slots are fine; one more breaks the ring. */
static void tx_slot_limit(struct kunit *test)
{
	struct netif_tx_request *r;
	struct nb_tx_packet pkt;
	unsigned int i, n = lim.max_slots;

	r = kunit_kcalloc(test, n + 2, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < n + 2; i++)
		set_req(&r[i], 0, 100, NETTXF_more_data);
	r[0].size = 100 * n;
	r[n - 1].flags = 0;
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, n + 2, &lim, &pkt), (int)n);
	/* One slot more, whatever is pushed after it. */
	r[n - 1].flags = NETTXF_more_data;
	r[n].flags = 0;
	r[0].size = 100 * (n + 1);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, n + 2, &lim, &pkt),
			-NB_TX_TOO_MANY_SLOTS);
	/* An endless chain is caught before the pushed requests end. */
	for (i = 0; i < n + 2; i++)
		r[i].flags = NETTXF_more_data;
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, n + 2, &lim, &pkt),
			-NB_TX_TOO_MANY_SLOTS);
}

static void tx_gso_extra(struct kunit *test)
{
	struct netif_tx_request r[3];
	struct nb_tx_packet pkt;

	set_req(&r[0], 0, 5000, NETTXF_extra_info | NETTXF_more_data |
		NETTXF_csum_blank);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448,
		  XEN_NETIF_GSO_TYPE_TCPV4);
	set_req(&r[2], 0, 1000, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), 3);
	KUNIT_EXPECT_EQ(test, pkt.nr_extras, 1U);
	KUNIT_EXPECT_EQ(test, pkt.gso_size, (u16)1448);
	KUNIT_EXPECT_EQ(test, pkt.gso_type, (u8)XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_EQ(test, pkt.first_len, 4000U);

	/* Not offered (TCPv6 here), unknown, or zero-sized. */
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448,
		  XEN_NETIF_GSO_TYPE_TCPV6);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), -NB_TX_GSO_BAD);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, 9);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), -NB_TX_GSO_BAD);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_GSO, 0, 0,
		  XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 3, &lim, &pkt), -NB_TX_GSO_BAD);
}

static void tx_bad_extras(struct kunit *test)
{
	struct netif_tx_request r[8];
	struct nb_tx_packet pkt;
	unsigned int i;

	set_req(&r[0], 0, 100, NETTXF_extra_info);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_NONE, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_TYPE);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_MAX, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_TYPE);
	set_extra(&r[1], 0xff, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_TYPE);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_UNOFFERED);
	set_extra(&r[1], XEN_NETIF_EXTRA_TYPE_HASH, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_UNOFFERED);
	/* An endless chain of the same extra: the second one is refused. */
	for (i = 1; i < 8; i++)
		set_extra(&r[i], XEN_NETIF_EXTRA_TYPE_GSO,
			  XEN_NETIF_EXTRA_FLAG_MORE, 1448,
			  XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 8, &lim, &pkt),
			-NB_TX_EXTRA_TWICE);
}

/* Short frames are dropped, not a broken ring. */
static void tx_runt(struct kunit *test)
{
	struct netif_tx_request r[1];
	struct nb_tx_packet pkt;

	set_req(&r[0], 0, ETH_HLEN - 1, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 1);
	KUNIT_EXPECT_TRUE(test, pkt.runt);
	set_req(&r[0], 0, 0, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 1);
	KUNIT_EXPECT_TRUE(test, pkt.runt);
	set_req(&r[0], 0, ETH_HLEN, 0);
	KUNIT_EXPECT_EQ(test, nb_tx_parse(r, 1, &lim, &pkt), 1);
	KUNIT_EXPECT_FALSE(test, pkt.runt);
}

static void tx_fault_names(struct kunit *test)
{
	int f;

	for (f = 1; f < NB_TX_NR_FAULTS; f++)
		KUNIT_EXPECT_STRNEQ(test, nb_tx_fault_name(-f), "unknown fault");
	KUNIT_EXPECT_STREQ(test, nb_tx_fault_name(-NB_TX_NR_FAULTS),
			   "unknown fault");
	KUNIT_EXPECT_STREQ(test, nb_tx_fault_name(INT_MIN), "unknown fault");
	KUNIT_EXPECT_STREQ(test, nb_tx_fault_name(INT_MAX), "unknown fault");
}

/* A runaway producer: more than a ring ahead, or moved backwards. */
static void req_prod_checks(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, nb_req_prod_valid(100, 100, 256));
	KUNIT_EXPECT_TRUE(test, nb_req_prod_valid(356, 100, 256));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_valid(357, 100, 256));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_valid(99, 100, 256));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_valid(100 + (1U << 31), 100, 256));
	/* Across the 2^32 wrap. */
	KUNIT_EXPECT_TRUE(test, nb_req_prod_valid(10, UINT_MAX - 5, 256));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_valid(UINT_MAX - 6,
						   UINT_MAX - 5, 256));
}

static void req_prod_retreat(struct kunit *test)
{
	/* Forward, or still: fine. */
	KUNIT_EXPECT_FALSE(test, nb_req_prod_retreated(110, 105, 100));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_retreated(105, 105, 100));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_retreated(100, 100, 100));
	/* Back, even by one: not. */
	KUNIT_EXPECT_TRUE(test, nb_req_prod_retreated(104, 105, 100));
	KUNIT_EXPECT_TRUE(test, nb_req_prod_retreated(100, 105, 100));
	/* Below what we consumed reads as far ahead: that is for
	 * nb_req_prod_valid() to refuse, which is asked first.
	 */
	KUNIT_EXPECT_FALSE(test, nb_req_prod_retreated(99, 105, 100));
	KUNIT_EXPECT_FALSE(test, nb_req_prod_valid(99, 100, 256));
	/* Across the 2^32 wrap. */
	KUNIT_EXPECT_FALSE(test, nb_req_prod_retreated(3, UINT_MAX, UINT_MAX - 2));
	KUNIT_EXPECT_TRUE(test, nb_req_prod_retreated(UINT_MAX - 1, 2,
						      UINT_MAX - 2));
}

static void rx_slot_counts(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, nb_rx_slots(0, false), 1U);
	KUNIT_EXPECT_EQ(test, nb_rx_slots(60, false), 1U);
	KUNIT_EXPECT_EQ(test, nb_rx_slots(4096, false), 1U);
	KUNIT_EXPECT_EQ(test, nb_rx_slots(4097, false), 2U);
	KUNIT_EXPECT_EQ(test, nb_rx_slots(65535, false), 16U);
	KUNIT_EXPECT_EQ(test, nb_rx_slots(65535, true), 17U);
	KUNIT_EXPECT_LE(test, nb_rx_slots(65535, true), (unsigned int)NB_RX_MAX_SLOTS);
}

/* Every copy within one piece of each side, the bytes in order. */
static void check_plan(struct kunit *test, const struct nb_seg *src,
		       unsigned int ns, const struct nb_seg *dst,
		       unsigned int nd, const struct nb_copy *c, int n)
{
	const struct nb_copy *p;
	int i;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_GT(test, c[i].len, 0);
		KUNIT_ASSERT_LT(test, c[i].src, ns);
		KUNIT_ASSERT_LT(test, c[i].dst, nd);
		KUNIT_EXPECT_GE(test, c[i].src_off, src[c[i].src].off);
		KUNIT_EXPECT_LE(test, c[i].src_off + c[i].len,
				src[c[i].src].off + src[c[i].src].len);
		KUNIT_EXPECT_GE(test, c[i].dst_off, dst[c[i].dst].off);
		KUNIT_EXPECT_LE(test, c[i].dst_off + c[i].len,
				dst[c[i].dst].off + dst[c[i].dst].len);
		if (!i)
			continue;
		/* Each copy starts where the last ended, or at a new piece. */
		p = &c[i - 1];
		KUNIT_EXPECT_TRUE(test, c[i].src == p->src ?
				  c[i].src_off == p->src_off + p->len :
				  c[i].src > p->src &&
				  c[i].src_off == src[c[i].src].off);
		KUNIT_EXPECT_TRUE(test, c[i].dst == p->dst ?
				  c[i].dst_off == p->dst_off + p->len :
				  c[i].dst > p->dst &&
				  c[i].dst_off == dst[c[i].dst].off);
	}
}

static void copy_plan_splits_at_pages(struct kunit *test)
{
	/* A guest's packet: 3 slots at odd offsets. */
	const struct nb_seg src[] = {
		{ 0, 4000, 96 }, { 1, 10, 3000 }, { 2, 0, 1256 },
	};
	/* Our skb: a head crossing a page, then a page frag. */
	const struct nb_seg dst[] = {
		{ 0, 3996, 100 }, { 1, 0, 156 }, { 2, 0, 4096 },
	};
	struct nb_copy c[16];
	unsigned int bytes;
	int n;

	n = nb_copy_plan(src, 3, dst, 3, c, 16, &bytes);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_EQ(test, bytes, 4352U);
	check_plan(test, src, 3, dst, 3, c, n);
	/* 96 | 4, 156, 2840 | 1256 */
	KUNIT_EXPECT_EQ(test, n, 5);
	KUNIT_EXPECT_EQ(test, c[0].len, 96);
	KUNIT_EXPECT_EQ(test, c[1].len, 4);
	KUNIT_EXPECT_EQ(test, c[1].dst_off, 4092);
	KUNIT_EXPECT_EQ(test, c[2].len, 156);
	KUNIT_EXPECT_EQ(test, c[3].len, 2840);
	KUNIT_EXPECT_EQ(test, c[4].len, 1256);
	KUNIT_EXPECT_EQ(test, c[4].dst_off, 2840);
}

/* Copies stop at the shorter side; zero-length pieces cost nothing. */
static void copy_plan_short_side_and_empty(struct kunit *test)
{
	const struct nb_seg src[] = { { 0, 0, 0 }, { 1, 0, 5000 & 4095 },
				      { 2, 0, 4096 } };
	const struct nb_seg dst[] = { { 0, 0, 4096 }, { 1, 0, 0 },
				      { 2, 0, 100 } };
	struct nb_copy c[16];
	unsigned int bytes;
	int n;

	n = nb_copy_plan(src, 3, dst, 3, c, 16, &bytes);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_EQ(test, bytes, 4196U);
	check_plan(test, src, 3, dst, 3, c, n);
	n = nb_copy_plan(src, 0, dst, 3, c, 16, &bytes);
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, bytes, 0U);
}

static void copy_plan_too_many(struct kunit *test)
{
	struct nb_seg src[8], dst[1] = { { 0, 0, 4096 } };
	struct nb_copy c[4];
	unsigned int bytes, i;

	for (i = 0; i < 8; i++)
		src[i] = (struct nb_seg){ i, 0, 10 };
	KUNIT_EXPECT_EQ(test, nb_copy_plan(src, 8, dst, 1, c, 4, &bytes),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, nb_copy_plan(src, 4, dst, 1, c, 4, &bytes), 4);
	KUNIT_EXPECT_EQ(test, bytes, 40U);
}

static void rate_parsing(struct kunit *test)
{
	u64 bytes;
	u32 usecs;

	KUNIT_EXPECT_EQ(test, nb_parse_rate("12500000,50000", &bytes, &usecs),
			0);
	KUNIT_EXPECT_EQ(test, bytes, 12500000ULL);
	KUNIT_EXPECT_EQ(test, usecs, 50000U);
	KUNIT_EXPECT_EQ(test, nb_parse_rate("100,0", &bytes, &usecs), -EINVAL);
	KUNIT_EXPECT_EQ(test, nb_parse_rate("100", &bytes, &usecs), -EINVAL);
	KUNIT_EXPECT_EQ(test, nb_parse_rate("", &bytes, &usecs), -EINVAL);
	KUNIT_EXPECT_EQ(test, nb_parse_rate("1,2x", &bytes, &usecs), -EINVAL);
	KUNIT_EXPECT_EQ(test, nb_parse_rate("x,2", &bytes, &usecs), -EINVAL);
}

/* The packets of an rx test live in a KUnit resource: whatever is still
 * queued for the guest, or was taken off the queue, is freed when the
 * test ends, also when an assertion stopped it half-way.
 */
struct rx_fixture {
	struct nb_vif vif;
	struct nb_queue q;
	struct sk_buff_head taken;
};

static int rx_fixture_init(struct kunit_resource *res, void *context)
{
	struct rx_fixture *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->q.vif = &f->vif;
	skb_queue_head_init(&f->q.rx_queue);
	skb_queue_head_init(&f->taken);
	res->data = f;
	return 0;
}

static void rx_fixture_free(struct kunit_resource *res)
{
	struct rx_fixture *f = res->data;

	__skb_queue_purge(&f->q.rx_queue);
	__skb_queue_purge(&f->taken);
	kfree(f);
}

/* Queue a packet of @len bytes for the guest, as nb_start_xmit() does. */
static struct sk_buff *queue_for_guest(struct kunit *test,
				       struct rx_fixture *f,
				       unsigned int len, bool tso)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, len);
	if (tso) {
		skb_shinfo(skb)->gso_size = 1448;
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	}
	__skb_queue_tail(&f->q.rx_queue, skb);
	f->q.rx_held += skb->truesize;
	return skb;
}

/* Take the next packet if it fits; a taken one is kept for the cleanup. */
static struct sk_buff *take(struct rx_fixture *f, unsigned int room,
			    unsigned int *slots, bool *gso)
{
	struct sk_buff *skb = nb_rx_next(&f->q, room, true, slots, gso);

	if (skb)
		__skb_queue_tail(&f->taken, skb);
	return skb;
}

/* The poll's one locked step on the queue of packets for the guest: a
 * packet comes off only when the guest posted room for all of it, and
 * the memory counted for the queue drops by exactly what it held.
 */
static void rx_next_takes_what_fits(struct kunit *test)
{
	struct rx_fixture *f = kunit_alloc_resource(test, rx_fixture_init,
						    rx_fixture_free,
						    GFP_KERNEL, NULL);
	struct sk_buff *small, *big, *tso;
	unsigned int slots, held;
	bool gso;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->vif.fe_gso4 = true;

	KUNIT_EXPECT_NULL(test, take(f, 8, &slots, &gso));

	small = queue_for_guest(test, f, 100, false);	/* one slot */
	big = queue_for_guest(test, f, 5000, false);	/* two pages */
	tso = queue_for_guest(test, f, 3000, true);	/* a page and GSO */
	held = small->truesize + big->truesize + tso->truesize;

	/* No room: nothing moves. */
	KUNIT_EXPECT_NULL(test, take(f, 0, &slots, &gso));
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 3U);
	KUNIT_EXPECT_EQ(test, f->q.rx_held, held);

	KUNIT_ASSERT_PTR_EQ(test, take(f, 1, &slots, &gso), small);
	KUNIT_EXPECT_EQ(test, slots, 1U);
	KUNIT_EXPECT_FALSE(test, gso);
	held -= small->truesize;
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 2U);
	KUNIT_EXPECT_EQ(test, f->q.rx_held, held);

	/* A slot short: the packet stays, and says what it needs. */
	KUNIT_EXPECT_NULL(test, take(f, 1, &slots, &gso));
	KUNIT_EXPECT_EQ(test, slots, 2U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 2U);
	KUNIT_EXPECT_EQ(test, f->q.rx_held, held);

	/* Only asked (a full batch): it fits, and stays. */
	KUNIT_EXPECT_PTR_EQ(test, nb_rx_next(&f->q, 2, false, &slots, &gso),
			    big);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 2U);
	KUNIT_EXPECT_EQ(test, f->q.rx_held, held);

	KUNIT_ASSERT_PTR_EQ(test, take(f, 2, &slots, &gso), big);
	held -= big->truesize;
	KUNIT_EXPECT_EQ(test, f->q.rx_held, held);

	/* A guest that takes GSO gets the extra-info slot too. */
	KUNIT_EXPECT_NULL(test, take(f, 1, &slots, &gso));
	KUNIT_ASSERT_PTR_EQ(test, take(f, 2, &slots, &gso), tso);
	KUNIT_EXPECT_EQ(test, slots, 2U);
	KUNIT_EXPECT_TRUE(test, gso);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&f->q.rx_queue));
	KUNIT_EXPECT_EQ(test, f->q.rx_held, 0U);
}

static struct kunit_case xen_netback_cases[] = {
	KUNIT_CASE(tx_single_slot),
	KUNIT_CASE(tx_multi_slot_sizes),
	KUNIT_CASE(tx_first_slot_past_page),
	KUNIT_CASE(tx_later_slot_past_page),
	KUNIT_CASE(tx_incomplete),
	KUNIT_CASE(tx_slot_limit),
	KUNIT_CASE(tx_gso_extra),
	KUNIT_CASE(tx_bad_extras),
	KUNIT_CASE(tx_runt),
	KUNIT_CASE(tx_fault_names),
	KUNIT_CASE(req_prod_checks),
	KUNIT_CASE(req_prod_retreat),
	KUNIT_CASE(rx_slot_counts),
	KUNIT_CASE(copy_plan_splits_at_pages),
	KUNIT_CASE(copy_plan_short_side_and_empty),
	KUNIT_CASE(copy_plan_too_many),
	KUNIT_CASE(rate_parsing),
	KUNIT_CASE(rx_next_takes_what_fits),
	{}
};

static struct kunit_suite xen_netback_suite = {
	.name = "xen-netback",
	.test_cases = xen_netback_cases,
};
kunit_test_suite(xen_netback_suite);
