// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the checks a frontend makes on its backend's responses
 * (include/xen/ring.h): the response producer index and response ids.
 *
 * The rings are plain memory here; nothing talks to Xen.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/limits.h>

#include <xen/ring.h>
#include <xen/interface/io/blkif.h>

/* A producer may cover exactly the requests posted, no more. */
static void rsp_prod_covers_posted_requests(struct kunit *test)
{
	RING_IDX prod;

	for (prod = 10; prod <= 15; prod++)
		KUNIT_EXPECT_TRUE_MSG(test,
				      xen_ring_rsp_prod_valid(prod, 10, 15, 32),
				      "prod %u", prod);
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(16, 10, 15, 32));
	/* Nothing posted: any movement is an answer to nothing. */
	KUNIT_EXPECT_TRUE(test, xen_ring_rsp_prod_valid(7, 7, 7, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(8, 7, 7, 32));
}

/* A full ring may be answered whole; one more is beyond the ring. */
static void rsp_prod_at_most_a_ring_ahead(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xen_ring_rsp_prod_valid(132, 100, 132, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(133, 100, 132, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(100 + 4096, 100, 132,
							 32));
}

/* Our own books say more is in flight than the ring holds: refuse all. */
static void rsp_prod_refused_when_posted_exceeds_ring(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(100, 100, 133, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(101, 100, 133, 32));
}

/* A producer that went backwards is refused, however little. */
static void rsp_prod_behind_consumer(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(99, 100, 110, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(0, 100, 110, 32));
}

/* The indexes are free-running: the same rules across 2^32. */
static void rsp_prod_across_index_wrap(struct kunit *test)
{
	RING_IDX cons = UINT_MAX - 1, req = cons + 4;	/* req is 2 */

	KUNIT_EXPECT_TRUE(test, xen_ring_rsp_prod_valid(UINT_MAX, cons, req, 32));
	KUNIT_EXPECT_TRUE(test, xen_ring_rsp_prod_valid(0, cons, req, 32));
	KUNIT_EXPECT_TRUE(test, xen_ring_rsp_prod_valid(2, cons, req, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(3, cons, req, 32));
	KUNIT_EXPECT_FALSE(test, xen_ring_rsp_prod_valid(cons - 1, cons, req,
							 32));
}

/* The macro on a real front ring (one page of blkif) reads its fields. */
static void front_ring_macro(struct kunit *test)
{
	struct blkif_front_ring ring;
	struct blkif_sring *sring;
	unsigned int i;

	sring = (void *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, sring);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&ring, sring, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, RING_SIZE(&ring), 32U);

	for (i = 0; i < 3; i++)
		RING_GET_REQUEST(&ring, ring.req_prod_pvt++)->id = i;
	KUNIT_EXPECT_TRUE(test, XEN_FRONT_RING_RSP_PROD_VALID(&ring, 3));
	KUNIT_EXPECT_FALSE(test, XEN_FRONT_RING_RSP_PROD_VALID(&ring, 4));

	/* Two answered and consumed: one more may come, not two. */
	ring.rsp_cons = 2;
	KUNIT_EXPECT_TRUE(test, XEN_FRONT_RING_RSP_PROD_VALID(&ring, 3));
	KUNIT_EXPECT_FALSE(test, XEN_FRONT_RING_RSP_PROD_VALID(&ring, 4));
	KUNIT_EXPECT_FALSE(test, XEN_FRONT_RING_RSP_PROD_VALID(&ring, 1));

	free_page((unsigned long)sring);
}

static void rsp_slot_in_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(0, 32), 0);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(17, 32), 17);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(31, 32), 31);
}

static void rsp_slot_out_of_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(32, 32), -1);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(1000, 32), -1);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(0, 0), -1);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot(U64_MAX, 32), -1);
}

/* A 64-bit id whose low half is in range is still out of range. */
static void rsp_slot_wide_id_not_truncated(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot((1ULL << 32) | 5, 32), -1);
	KUNIT_EXPECT_EQ(test, xen_ring_rsp_slot((1ULL << 16) | 5, 32), -1);
}

static struct kunit_case xen_ring_cases[] = {
	KUNIT_CASE(rsp_prod_covers_posted_requests),
	KUNIT_CASE(rsp_prod_at_most_a_ring_ahead),
	KUNIT_CASE(rsp_prod_refused_when_posted_exceeds_ring),
	KUNIT_CASE(rsp_prod_behind_consumer),
	KUNIT_CASE(rsp_prod_across_index_wrap),
	KUNIT_CASE(front_ring_macro),
	KUNIT_CASE(rsp_slot_in_range),
	KUNIT_CASE(rsp_slot_out_of_range),
	KUNIT_CASE(rsp_slot_wide_id_not_truncated),
	{}
};

static struct kunit_suite xen_ring_suite = {
	.name = "xen-ring",
	.test_cases = xen_ring_cases,
};
kunit_test_suite(xen_ring_suite);

MODULE_LICENSE("GPL");
