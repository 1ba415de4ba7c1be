// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the page-table entry translation of a PV guest (mmu.c):
 * pfn-based entries Linux builds become machine-frame entries for Xen,
 * and machine entries read back become pfn-based, with every flag bit
 * kept and frames that are not ours reading as not present.
 *
 * The p2m and m2p are the test's own, in ordinary memory.  The p2m
 * covers every machine frame the tests use, since a frame past its end
 * reads as identity-mapped (dom0's device memory), always "ours".
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include <asm/pgtable_types.h>
#include <asm/xen/page.h>

#include "xen-ops.h"

#define TEST_PFNS	512
#define TEST_MFNS	512

/* Flags of a typical kernel data page, and the NX bit at the top. */
#define FLAGS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
		 _PAGE_GLOBAL | _PAGE_NX)

static struct xen_frame_maps *new_maps(struct kunit *test)
{
	struct xen_frame_maps *m;
	unsigned long *m2p;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->p2m = kunit_kmalloc_array(test, TEST_PFNS, sizeof(long), GFP_KERNEL);
	m2p = kunit_kmalloc_array(test, TEST_MFNS, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->p2m);
	KUNIT_ASSERT_NOT_NULL(test, m2p);
	for (i = 0; i < TEST_PFNS; i++)
		m->p2m[i] = INVALID_P2M_ENTRY;
	for (i = 0; i < TEST_MFNS; i++)
		m2p[i] = ~0UL;
	m->p2m_size = TEST_PFNS;
	m->m2p = m2p;
	m->m2p_size = TEST_MFNS;
	return m;
}

static void own(struct xen_frame_maps *m, unsigned long pfn, unsigned long mfn)
{
	m->p2m[pfn] = mfn;
	((unsigned long *)m->m2p)[mfn] = pfn;
}

static pteval_t entry(unsigned long frame, pteval_t flags)
{
	return ((pteval_t)frame << PAGE_SHIFT) | flags;
}

/* Swap entries and empty ones name no frame: left as they are. */
static void not_present_untouched(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	pteval_t swap = entry(5, _PAGE_RW) | 0x3e0;

	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, 0), (pteval_t)0);
	KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m, 0), (pteval_t)0);
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, swap), swap);
	KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m, swap), swap);
}

static void to_machine_keeps_flags(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	own(m, 5, 0x1c3);
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(5, FLAGS)),
			entry(0x1c3, FLAGS));
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(5, _PAGE_PRESENT)),
			entry(0x1c3, _PAGE_PRESENT));
}

/* A machine frame as wide as an entry holds, next to NX. */
static void to_machine_wide_frame(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	unsigned long top = PTE_PFN_MASK >> PAGE_SHIFT;

	m->p2m[6] = top;
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(6, FLAGS)),
			entry(top, FLAGS));
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(6, FLAGS)) &
			~PTE_PFN_MASK, (pteval_t)FLAGS);
}

/* Nothing behind the pfn (ballooned out): the entry maps nothing. */
static void to_machine_ballooned_out(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(7, FLAGS)),
			(pteval_t)0);
}

/* Foreign and identity markers never reach the hardware. */
static void to_machine_strips_markers(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	m->p2m[8] = FOREIGN_FRAME(0x1ffUL);
	m->p2m[9] = IDENTITY_FRAME(9UL);
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(8, FLAGS)),
			entry(0x1ff, FLAGS));
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(9, FLAGS)),
			entry(9, FLAGS));
	/* Past the p2m: identity. */
	KUNIT_EXPECT_EQ(test, xen_pte_to_machine(m, entry(0xfee00, FLAGS)),
			entry(0xfee00, FLAGS));
}

static void from_machine_keeps_flags(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);

	own(m, 5, 0x1c3);
	KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m, entry(0x1c3, FLAGS)),
			entry(5, FLAGS));
}

/* A frame that is not ours reads as not present, its number gone. */
static void from_machine_not_ours(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	unsigned long *m2p = (unsigned long *)m->m2p;

	own(m, 5, 0x1c3);
	m2p[0x1c4] = 5;		/* claims pfn 5, which is 0x1c3 */
	KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m, entry(0x1c4, FLAGS)),
			(pteval_t)(FLAGS & ~_PAGE_PRESENT));
	/* No m2p entry at all. */
	KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m, entry(0x1c5, FLAGS)),
			(pteval_t)(FLAGS & ~_PAGE_PRESENT));
}

static void round_trip(struct kunit *test)
{
	struct xen_frame_maps *m = new_maps(test);
	unsigned long pfn;
	pteval_t val;

	for (pfn = 0; pfn < 32; pfn++)
		own(m, pfn, TEST_MFNS - 1 - 3 * pfn);
	for (pfn = 0; pfn < 32; pfn++) {
		val = entry(pfn, FLAGS);
		KUNIT_EXPECT_EQ(test, xen_pte_from_machine(m,
					xen_pte_to_machine(m, val)), val);
	}
}

static struct kunit_case pte_cases[] = {
	KUNIT_CASE(not_present_untouched),
	KUNIT_CASE(to_machine_keeps_flags),
	KUNIT_CASE(to_machine_wide_frame),
	KUNIT_CASE(to_machine_ballooned_out),
	KUNIT_CASE(to_machine_strips_markers),
	KUNIT_CASE(from_machine_keeps_flags),
	KUNIT_CASE(from_machine_not_ours),
	KUNIT_CASE(round_trip),
	{}
};

static struct kunit_suite pte_suite = {
	.name = "xen-pte",
	.test_cases = pte_cases,
};
kunit_test_suite(pte_suite);

MODULE_LICENSE("GPL");
