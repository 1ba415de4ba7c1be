// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the p2m and of its cross-check with Xen's m2p
 * (asm/xen/page.h, p2m.c): lookups inside and past the array, the
 * FOREIGN and IDENTITY markers, setting entries, growing the array, and
 * an m2p answer that only counts when the p2m agrees.
 *
 * The tables are the test's own, in ordinary memory; the kernel's (empty
 * on a native boot) are not touched.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <asm/xen/page.h>

#include "xen-ops.h"

#define TEST_PFNS	64
#define TEST_MFNS	1024

/* A p2m of TEST_PFNS entries, all INVALID, and an m2p of nonsense. */
static struct xen_frame_maps *new_maps(struct kunit *test)
{
	struct xen_frame_maps *m;
	unsigned long *m2p;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	/* One more entry than the p2m has, to see nothing is written there. */
	m->p2m = kunit_kmalloc_array(test, TEST_PFNS + 1, sizeof(long),
				     GFP_KERNEL);
	m2p = kunit_kmalloc_array(test, TEST_MFNS, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->p2m);
	KUNIT_ASSERT_NOT_NULL(test, m2p);
	for (i = 0; i <= TEST_PFNS; i++)
		m->p2m[i] = INVALID_P2M_ENTRY;
	for (i = 0; i < TEST_MFNS; i++)
		m2p[i] = 0xdead0000 + i;
	m->p2m_size = TEST_PFNS;
	m->m2p = m2p;
	m->m2p_size = TEST_MFNS;
	return m;
}

/* Give pfn @pfn the machine frame @mfn in both tables. */
static void own(struct xen_frame_maps *m, unsigned long pfn, unsigned long mfn)
{
	m->p2m[pfn] = mfn;
	((unsigned long *)m->m2p)[mfn] = pfn;
}

static void lookup_inside(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	own(m, 3, 0x1234 % TEST_MFNS);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 3), 0x1234UL % TEST_MFNS);
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, 3), 0x1234UL % TEST_MFNS);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 4), INVALID_P2M_ENTRY);
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, 4), INVALID_P2M_ENTRY);
}

/* Past the array everything is identity (dom0's I/O holes). */
static void lookup_past_end_is_identity(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, TEST_PFNS),
			IDENTITY_FRAME(TEST_PFNS));
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, TEST_PFNS), (unsigned long)TEST_PFNS);
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, 0xfee00), 0xfee00UL);
}

static void markers_stripped(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	m->p2m[5] = FOREIGN_FRAME(0x55UL);
	m->p2m[6] = IDENTITY_FRAME(6UL);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 5), FOREIGN_FRAME(0x55UL));
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, 5), 0x55UL);
	KUNIT_EXPECT_EQ(test, xen_p2m_mfn(m, 6), 6UL);
}

static void set_inside(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_TRUE(test, xen_p2m_set_entry(m, 0, 0x99));
	KUNIT_EXPECT_TRUE(test, xen_p2m_set_entry(m, TEST_PFNS - 1, 0x98));
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 0), 0x99UL);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, TEST_PFNS - 1), 0x98UL);
	KUNIT_EXPECT_TRUE(test, xen_p2m_set_entry(m, 0, INVALID_P2M_ENTRY));
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 0), INVALID_P2M_ENTRY);
}

/* Past the end only what reads so already can be "set". */
static void set_past_end(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_TRUE(test, xen_p2m_set_entry(m, TEST_PFNS,
						  IDENTITY_FRAME(TEST_PFNS)));
	KUNIT_EXPECT_TRUE(test, xen_p2m_set_entry(m, TEST_PFNS + 5,
						  INVALID_P2M_ENTRY));
	KUNIT_EXPECT_FALSE(test, xen_p2m_set_entry(m, TEST_PFNS, 0x77));
	KUNIT_EXPECT_FALSE(test, xen_p2m_set_entry(m, TEST_PFNS + 1,
						   IDENTITY_FRAME(TEST_PFNS)));
	KUNIT_EXPECT_EQ(test, m->p2m[TEST_PFNS], INVALID_P2M_ENTRY);
}

static void grow_keeps_entries(struct kunit *test)
{
	const unsigned long big = TEST_PFNS + 24;
	struct xen_frame_maps *m = new_maps(test);
	unsigned long *first = m->p2m, *second, *retired;
	bool vmalloced = false;
	unsigned int i;

	for (i = 0; i < TEST_PFNS; i++)
		m->p2m[i] = 100 + i;
	KUNIT_ASSERT_EQ(test, xen_p2m_grow_table(m, big, &vmalloced, &retired),
			1);
	/* The first array was not vmalloc'd: not ours to free. */
	KUNIT_EXPECT_NULL(test, retired);
	KUNIT_EXPECT_TRUE(test, vmalloced);
	KUNIT_EXPECT_EQ(test, m->p2m_size, big);
	KUNIT_EXPECT_PTR_NE(test, m->p2m, first);
	for (i = 0; i < TEST_PFNS; i++)
		KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, i), 100UL + i);
	for (; i < big; i++)
		KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, i), INVALID_P2M_ENTRY);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, big), IDENTITY_FRAME(big));

	/* Never shrinks. */
	second = m->p2m;
	KUNIT_EXPECT_EQ(test, xen_p2m_grow_table(m, TEST_PFNS, &vmalloced,
						 &retired), 0);
	KUNIT_EXPECT_PTR_EQ(test, m->p2m, second);
	KUNIT_EXPECT_EQ(test, m->p2m_size, big);

	/* The vmalloc'd one is handed back, to be freed by the caller. */
	KUNIT_ASSERT_EQ(test, xen_p2m_grow_table(m, big + 1, &vmalloced,
						 &retired), 1);
	KUNIT_EXPECT_PTR_EQ(test, retired, second);
	KUNIT_EXPECT_EQ(test, xen_p2m_entry(m, 3), 103UL);
	vfree(retired);
	vfree(m->p2m);
}

/* The m2p's answer stands when the p2m agrees. */
static void m2p_confirmed(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	own(m, 7, 0x100);
	KUNIT_EXPECT_EQ(test, xen_m2p_entry(m, 0x100), 7UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 0x100), 7UL);
}

/* A frame the m2p gives to one of our pfns that maps something else. */
static void m2p_not_ours(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	unsigned long *m2p = (unsigned long *)m->m2p;

	own(m, 8, 0x20);
	m2p[0x21] = 8;		/* stale: the frame went to someone else */
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 0x21), ~0UL);
	m2p[0x22] = 9;		/* pfn 9 has no frame at all */
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 0x22), ~0UL);
	/* Nonsense: a pfn far past the p2m. */
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 0x23), ~0UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 0x20), 8UL);
}

/*
 * A frame past the p2m's end is taken as its own pfn, as the identity
 * lookup there says (dom0's device memory above its RAM).
 */
static void m2p_past_p2m_is_identity(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, TEST_PFNS + 10),
			(unsigned long)TEST_PFNS + 10);
}

/* Past the m2p there is no answer, and only the identity can be ours. */
static void m2p_past_end(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_EQ(test, xen_m2p_entry(m, TEST_MFNS), ~0UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_entry(m, ~0UL), ~0UL);
	/* A frame below the p2m's end that is not identity-mapped. */
	m->m2p_size = 4;
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 5), ~0UL);
	m->p2m[5] = IDENTITY_FRAME(5UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 5), 5UL);
}

/* A hole in the m2p faults; the fault is caught and reads as "none". */
static void m2p_hole(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	unsigned long *page = vmalloc(PAGE_SIZE);	/* a guard page follows */

	KUNIT_ASSERT_NOT_NULL(test, page);
	page[3] = 2;
	m->p2m[2] = 3;
	m->m2p = page;
	m->m2p_size = 2 * P2M_PER_PAGE;
	KUNIT_EXPECT_EQ(test, xen_m2p_entry(m, 3), 2UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_pfn(m, 3), 2UL);
	KUNIT_EXPECT_EQ(test, xen_m2p_entry(m, P2M_PER_PAGE + 1), ~0UL);
	vfree(page);
}

static struct kunit_case p2m_cases[] = {
	KUNIT_CASE(lookup_inside),
	KUNIT_CASE(lookup_past_end_is_identity),
	KUNIT_CASE(markers_stripped),
	KUNIT_CASE(set_inside),
	KUNIT_CASE(set_past_end),
	KUNIT_CASE(grow_keeps_entries),
	KUNIT_CASE(m2p_confirmed),
	KUNIT_CASE(m2p_not_ours),
	KUNIT_CASE(m2p_past_p2m_is_identity),
	KUNIT_CASE(m2p_past_end),
	KUNIT_CASE(m2p_hole),
	{}
};

static struct kunit_suite p2m_suite = {
	.name = "xen-p2m",
	.test_cases = p2m_cases,
};
kunit_test_suite(p2m_suite);

MODULE_LICENSE("GPL");
