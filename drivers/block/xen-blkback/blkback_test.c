// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what xen-blkback believes of a frontend: the decoding of
 * ring slots in both ABIs, the producer-index check and the checks of
 * requests and segments.  Slots are built byte by byte at the offsets
 * the ABI documents, not from the structures the code decodes with, so a
 * wrong offset in either shows up.  Also the page budget arithmetic.
 * Pure functions: no Xen needed.
 */

#include <kunit/test.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "common.h"

#define ID	0x1122334455667788ULL

/* A read/write request: op, nr_segments, then id, sector and segments. */
static void put_rw(u8 *s, unsigned int id_off, u8 op, u8 nr, u64 sector)
{
	unsigned int i;

	s[0] = op;
	s[1] = nr;
	put_unaligned((u16)0x0a0b, (u16 *)(s + 2));
	put_unaligned(ID, (u64 *)(s + id_off));
	put_unaligned(sector, (u64 *)(s + id_off + 8));
	for (i = 0; i < nr && i < 11; i++) {
		u8 *seg = s + id_off + 16 + 8 * i;

		put_unaligned(100 + i, (u32 *)seg);
		seg[4] = i % 8;
		seg[5] = 7;
	}
}

static void decode_rw(struct kunit *test, const struct blkback_abi *abi,
		      unsigned int id_off)
{
	u8 slot[128] = {};
	struct blkback_desc d;
	unsigned int i;

	put_rw(slot, id_off, BLKIF_OP_WRITE, 11, 123456789);
	blkback_decode(abi, slot, &d);
	KUNIT_EXPECT_EQ(test, d.operation, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, d.op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, d.nr_segments, 11);
	KUNIT_EXPECT_EQ(test, d.id, ID);
	KUNIT_EXPECT_EQ(test, d.sector, 123456789ULL);
	for (i = 0; i < 11; i++) {
		KUNIT_EXPECT_EQ(test, d.seg[i].gref, 100 + i);
		KUNIT_EXPECT_EQ(test, d.seg[i].first_sect, i % 8);
		KUNIT_EXPECT_EQ(test, d.seg[i].last_sect, 7);
	}
}

static void test_decode_rw_64(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, blkback_abi_x86_64.slot_size, 112);
	decode_rw(test, &blkback_abi_x86_64, 8);
}

static void test_decode_rw_32(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, blkback_abi_x86_32.slot_size, 108);
	decode_rw(test, &blkback_abi_x86_32, 4);
}

static void decode_indirect(struct kunit *test, const struct blkback_abi *abi,
			    unsigned int id_off)
{
	u8 slot[128] = {};
	struct blkback_desc d;
	unsigned int i;

	slot[0] = BLKIF_OP_INDIRECT;
	slot[1] = BLKIF_OP_READ;
	put_unaligned((u16)300, (u16 *)(slot + 2));
	put_unaligned(ID, (u64 *)(slot + id_off));
	put_unaligned(4096ULL, (u64 *)(slot + id_off + 8));
	put_unaligned((u16)0x1234, (u16 *)(slot + id_off + 16));
	for (i = 0; i < 8; i++)
		put_unaligned(500 + i, (u32 *)(slot + id_off + 20 + 4 * i));
	blkback_decode(abi, slot, &d);
	KUNIT_EXPECT_EQ(test, d.operation, BLKIF_OP_INDIRECT);
	KUNIT_EXPECT_EQ(test, d.op, BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, d.nr_segments, 300);
	KUNIT_EXPECT_EQ(test, d.id, ID);
	KUNIT_EXPECT_EQ(test, d.sector, 4096ULL);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, d.indirect_grefs[i], 500 + i);
}

static void test_decode_indirect(struct kunit *test)
{
	decode_indirect(test, &blkback_abi_x86_64, 8);
	decode_indirect(test, &blkback_abi_x86_32, 4);
}

static void decode_discard(struct kunit *test, const struct blkback_abi *abi,
			   unsigned int id_off)
{
	u8 slot[128] = {};
	struct blkback_desc d;

	slot[0] = BLKIF_OP_DISCARD;
	slot[1] = BLKIF_DISCARD_SECURE;
	put_unaligned(ID, (u64 *)(slot + id_off));
	put_unaligned(2048ULL, (u64 *)(slot + id_off + 8));
	put_unaligned(8192ULL, (u64 *)(slot + id_off + 16));
	blkback_decode(abi, slot, &d);
	KUNIT_EXPECT_EQ(test, d.id, ID);
	KUNIT_EXPECT_EQ(test, d.sector, 2048ULL);
	KUNIT_EXPECT_EQ(test, d.nr_sectors, 8192ULL);
	KUNIT_EXPECT_EQ(test, d.discard_flags, BLKIF_DISCARD_SECURE);
}

static void test_decode_discard(struct kunit *test)
{
	decode_discard(test, &blkback_abi_x86_64, 8);
	decode_discard(test, &blkback_abi_x86_32, 4);
}

/* A count beyond the slot's eleven segments decodes no further. */
static void test_decode_too_many_segments(struct kunit *test)
{
	u8 slot[128 + 64];
	struct blkback_desc d;

	memset(slot, 0xff, sizeof(slot));
	put_rw(slot, 8, BLKIF_OP_READ, 200, 0);
	blkback_decode(&blkback_abi_x86_64, slot, &d);
	KUNIT_EXPECT_EQ(test, d.nr_segments, 200);
	KUNIT_EXPECT_EQ(test, d.seg[10].gref, 110);
}

static void test_response(struct kunit *test)
{
	u8 slot[16];

	memset(slot, 0xee, sizeof(slot));
	blkback_encode_response(slot, ID, BLKIF_OP_READ, BLKIF_RSP_EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, get_unaligned((u64 *)slot), ID);
	KUNIT_EXPECT_EQ(test, slot[8], BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, get_unaligned((s16 *)(slot + 10)),
			(s16)BLKIF_RSP_EOPNOTSUPP);
	/* Nothing beyond the 12 bytes a 32-bit slot has for it. */
	KUNIT_EXPECT_EQ(test, slot[12], 0xee);
}

static void test_abi_names(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, blkback_abi_by_name(NULL),
			    &blkback_abi_x86_64);
	KUNIT_EXPECT_PTR_EQ(test, blkback_abi_by_name(""),
			    &blkback_abi_x86_64);
	KUNIT_EXPECT_PTR_EQ(test, blkback_abi_by_name("x86_64-abi"),
			    &blkback_abi_x86_64);
	KUNIT_EXPECT_PTR_EQ(test, blkback_abi_by_name("x86_32-abi"),
			    &blkback_abi_x86_32);
	KUNIT_EXPECT_NULL(test, blkback_abi_by_name("arm-abi"));
}

static void test_ring_entries(struct kunit *test)
{
	const struct blkback_abi *a64 = &blkback_abi_x86_64;
	const struct blkback_abi *a32 = &blkback_abi_x86_32;

	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a64, 4096), 32);
	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a32, 4096), 32);
	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a64, 2 * 4096), 64);
	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a64, 16 * 4096), 512);
	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a32, 16 * 4096), 512);
	KUNIT_EXPECT_EQ(test, blkback_ring_entries(a64, 64), 0);
}

static void test_req_prod(struct kunit *test)
{
	/* req_prod, req_cons, rsp_prod_pvt, entries */
	KUNIT_EXPECT_TRUE(test, blkback_req_prod_valid(0, 0, 0, 32));
	KUNIT_EXPECT_TRUE(test, blkback_req_prod_valid(32, 0, 0, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(33, 0, 0, 32));
	/* A full ring of requests in flight, none answered yet. */
	KUNIT_EXPECT_TRUE(test, blkback_req_prod_valid(32, 32, 0, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(33, 32, 0, 32));
	/* Backwards, behind our responses. */
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(9, 10, 10, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(0xffffffff, 0, 0, 32));
	/* Backwards, behind what we took but not what we answered. */
	KUNIT_EXPECT_TRUE(test, blkback_req_prod_valid(10, 10, 0, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(5, 10, 0, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(0, 10, 0, 32));
	/* Across the wrap of the 32-bit indexes. */
	KUNIT_EXPECT_TRUE(test,
			  blkback_req_prod_valid(5, 0xfffffff0, 0xfffffff0, 32));
	KUNIT_EXPECT_TRUE(test, blkback_req_prod_valid(5, 2, 0xfffffff0, 32));
	KUNIT_EXPECT_FALSE(test,
			   blkback_req_prod_valid(17, 0xfffffff0, 0xfffffff0, 32));
	KUNIT_EXPECT_FALSE(test, blkback_req_prod_valid(1, 2, 0xfffffff0, 32));
	KUNIT_EXPECT_FALSE(test,
			   blkback_req_prod_valid(0xffffffff, 2, 0xfffffff0, 32));
}

static const struct blkback_limits disk_rw = {
	.sectors = 1000,
	.logical_size = 512,
	.max_indirect_segs = 256,
	.discard = true,
};

static int check(const struct blkback_desc *d,
		 const struct blkback_limits *lim, enum blkback_kind *kind)
{
	const char *why;

	return blkback_check_request(d, lim, kind, &why);
}

static void test_check_rw(struct kunit *test)
{
	struct blkback_limits ro = disk_rw;
	struct blkback_desc d = { .operation = BLKIF_OP_READ, .op = 0 };
	enum blkback_kind kind;

	d.nr_segments = 0;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_ERROR);
	d.nr_segments = 12;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_ERROR);
	d.nr_segments = 11;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_READ);

	ro.readonly = true;
	KUNIT_EXPECT_EQ(test, check(&d, &ro, &kind), BLKIF_RSP_OKAY);
	d.operation = d.op = BLKIF_OP_WRITE;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_WRITE);
	KUNIT_EXPECT_EQ(test, check(&d, &ro, &kind), BLKIF_RSP_ERROR);
}

static void test_check_flush(struct kunit *test)
{
	struct blkback_limits ro = disk_rw;
	struct blkback_desc d = { .operation = BLKIF_OP_FLUSH_DISKCACHE };
	enum blkback_kind kind;

	ro.readonly = true;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_FLUSH);
	KUNIT_EXPECT_EQ(test, check(&d, &ro, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_NOTHING);
	d.nr_segments = 1;
	KUNIT_EXPECT_EQ(test, check(&d, &ro, &kind), BLKIF_RSP_ERROR);
	d.nr_segments = 12;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_ERROR);
	d.operation = BLKIF_OP_WRITE_BARRIER;
	d.nr_segments = 0;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_BARRIER);
}

static void test_check_discard(struct kunit *test)
{
	struct blkback_limits lim = disk_rw;
	struct blkback_desc d = { .operation = BLKIF_OP_DISCARD };
	enum blkback_kind kind;

	d.sector = 990;
	d.nr_sectors = 10;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_DISCARD);
	d.discard_flags = BLKIF_DISCARD_SECURE;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_DISCARD);	/* not offered */
	lim.secure_erase = true;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_SECURE_ERASE);

	d.nr_sectors = 11;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	/* sector + nr_sectors overflows to inside the disk */
	d.sector = ~0ULL - 4;
	d.nr_sectors = 10;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.sector = 0;
	d.nr_sectors = 0;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_NOTHING);

	lim.logical_size = 4096;
	d.sector = 8;
	d.nr_sectors = 12;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.nr_sectors = 16;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);

	lim.readonly = true;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	lim.discard = false;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_EOPNOTSUPP);
}

static void test_check_indirect(struct kunit *test)
{
	struct blkback_limits lim = disk_rw;
	struct blkback_desc d = { .operation = BLKIF_OP_INDIRECT,
				  .op = BLKIF_OP_WRITE };
	enum blkback_kind kind;

	d.nr_segments = 256;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, kind, BLKBACK_WRITE);
	d.nr_segments = 257;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.nr_segments = 0;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	/* Never beyond the ABI's eight pages of descriptors. */
	lim.max_indirect_segs = 0xffff;
	d.nr_segments = 8 * 512;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_OKAY);
	d.nr_segments = 8 * 512 + 1;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.nr_segments = 0xffff;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	lim.max_indirect_segs = 256;
	d.nr_segments = 1;
	d.op = BLKIF_OP_FLUSH_DISKCACHE;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.op = BLKIF_OP_INDIRECT;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	d.op = BLKIF_OP_WRITE;
	lim.readonly = true;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_ERROR);
	lim.max_indirect_segs = 0;
	KUNIT_EXPECT_EQ(test, check(&d, &lim, &kind), BLKIF_RSP_EOPNOTSUPP);
}

static void test_check_unknown(struct kunit *test)
{
	struct blkback_desc d = { .operation = 4, .nr_segments = 1 };
	enum blkback_kind kind;

	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind),
			BLKIF_RSP_EOPNOTSUPP);
	d.operation = 0xff;
	KUNIT_EXPECT_EQ(test, check(&d, &disk_rw, &kind),
			BLKIF_RSP_EOPNOTSUPP);
}

static int segs(const struct blkif_request_segment *seg, unsigned int nr,
		u64 sector, const struct blkback_limits *lim)
{
	const char *why;

	return blkback_check_segments(seg, nr, sector, lim, &why);
}

static void test_check_segments(struct kunit *test)
{
	struct blkif_request_segment seg[3] = {
		{ .gref = 1, .first_sect = 0, .last_sect = 7 },
		{ .gref = 2, .first_sect = 0, .last_sect = 7 },
		{ .gref = 3, .first_sect = 2, .last_sect = 5 },
	};
	struct blkback_limits lim4k = disk_rw;

	/* 20 sectors: up to the last one of the disk, and no further. */
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 980, &disk_rw), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 981, &disk_rw), BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, segs(seg, 3, ~0ULL - 10, &disk_rw),
			BLKIF_RSP_ERROR);

	seg[2].last_sect = 8;		/* beyond its page */
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 0, &disk_rw), BLKIF_RSP_ERROR);
	seg[2].last_sect = 255;
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 0, &disk_rw), BLKIF_RSP_ERROR);
	seg[2].first_sect = 6;		/* after its end */
	seg[2].last_sect = 5;
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 0, &disk_rw), BLKIF_RSP_ERROR);

	/* A 4 KiB disk takes whole blocks only. */
	lim4k.logical_size = 4096;
	KUNIT_EXPECT_EQ(test, segs(seg, 2, 8, &lim4k), BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, segs(seg, 2, 4, &lim4k), BLKIF_RSP_ERROR);
	seg[2].first_sect = 0;
	seg[2].last_sect = 3;
	KUNIT_EXPECT_EQ(test, segs(seg, 3, 8, &lim4k), BLKIF_RSP_ERROR);
}

/* The page budget: the administrator's wish, within what a ring can use. */
static void test_page_budget(struct kunit *test)
{
	/* 32 slots of 11 segments: 352 pages is all it can ever use. */
	KUNIT_EXPECT_EQ(test, blkback_page_budget(1024, 32, 11), 352);
	/* 512 slots of 256 segments would be 131072 pages: the wish rules. */
	KUNIT_EXPECT_EQ(test, blkback_page_budget(1024, 512, 256), 1024);
	/* Never less than one request of the largest kind. */
	KUNIT_EXPECT_EQ(test, blkback_page_budget(16, 512, 256), 256);
	KUNIT_EXPECT_EQ(test, blkback_page_budget(0, 32, 11), 11);
	/* No overflow in slots times segments. */
	KUNIT_EXPECT_EQ(test, blkback_page_budget(UINT_MAX, 1u << 20, 4096),
			UINT_MAX);
}

static void test_pages_fit(struct kunit *test)
{
	/* An idle ring takes anything. */
	KUNIT_EXPECT_TRUE(test, blkback_pages_fit(0, 256, 256));
	KUNIT_EXPECT_TRUE(test, blkback_pages_fit(0, 11, 16));
	/* Up to the budget, and not a page beyond. */
	KUNIT_EXPECT_TRUE(test, blkback_pages_fit(5, 11, 16));
	KUNIT_EXPECT_FALSE(test, blkback_pages_fit(6, 11, 16));
	KUNIT_EXPECT_FALSE(test, blkback_pages_fit(16, 1, 16));
	KUNIT_EXPECT_TRUE(test, blkback_pages_fit(16, 0, 16));
	/* Larger than the budget: refused unread, so taken at once. */
	KUNIT_EXPECT_TRUE(test, blkback_pages_fit(16, 17, 16));
}

static struct kunit_case blkback_cases[] = {
	KUNIT_CASE(test_decode_rw_64),
	KUNIT_CASE(test_decode_rw_32),
	KUNIT_CASE(test_decode_indirect),
	KUNIT_CASE(test_decode_discard),
	KUNIT_CASE(test_decode_too_many_segments),
	KUNIT_CASE(test_response),
	KUNIT_CASE(test_abi_names),
	KUNIT_CASE(test_ring_entries),
	KUNIT_CASE(test_req_prod),
	KUNIT_CASE(test_check_rw),
	KUNIT_CASE(test_check_flush),
	KUNIT_CASE(test_check_discard),
	KUNIT_CASE(test_check_indirect),
	KUNIT_CASE(test_check_unknown),
	KUNIT_CASE(test_check_segments),
	KUNIT_CASE(test_page_budget),
	KUNIT_CASE(test_pages_fit),
	{}
};

static struct kunit_suite blkback_suite = {
	.name = "xen-blkback",
	.test_cases = blkback_cases,
};
kunit_test_suite(blkback_suite);
