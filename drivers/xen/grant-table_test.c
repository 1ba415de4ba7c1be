// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the grant table's bookkeeping (grant-table.c): the free
 * list and its growth a frame at a time, the reserved entries, private
 * chains, free callbacks, revocation that respects Xen's in-use flags,
 * and grants kept back until the other domain lets go.
 *
 * Each test runs grant-table.c's own functions on a table of its own in
 * ordinary memory; its "Xen" is the test, which plays the other domain
 * by setting GTF_reading/GTF_writing itself.  No hypercall is made.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include "grant-table.h"

struct test_table {
	struct gnt_table t;
	unsigned int grows, last_nr, last_first;
	int fail;		/* what growing returns */
};

static int test_setup_frames(struct gnt_table *t, unsigned int nr,
			     unsigned int first_new)
{
	struct test_table *tt = container_of(t, struct test_table, t);

	tt->grows++;
	tt->last_nr = nr;
	tt->last_first = first_new;
	return tt->fail;
}

static struct test_table *new_table(struct kunit *test,
				    unsigned int max_frames)
{
	unsigned int nr = max_frames * GNT_REFS_PER_FRAME;
	struct test_table *tt;

	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);
	spin_lock_init(&tt->t.lock);
	spin_lock_init(&tt->t.deferred_lock);
	INIT_LIST_HEAD(&tt->t.deferred_pages);
	INIT_LIST_HEAD(&tt->t.deferred_refs);
	INIT_LIST_HEAD(&tt->t.free_waiters);
	tt->t.entries = kunit_kcalloc(test, nr, sizeof(*tt->t.entries),
				      GFP_KERNEL);
	tt->t.next = kunit_kcalloc(test, nr, sizeof(*tt->t.next), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt->t.entries);
	KUNIT_ASSERT_NOT_NULL(test, tt->t.next);
	tt->t.free_head = GNT_REF_END;
	tt->t.max_frames = max_frames;
	tt->t.setup_frames = test_setup_frames;
	return tt;
}

static grant_ref_t take_one(struct kunit *test, struct gnt_table *t)
{
	grant_ref_t ref = GNT_REF_END;

	KUNIT_ASSERT_EQ(test, gnt_take(t, 1, &ref), 0);
	return ref;
}

/* ---- The free list ---------------------------------------------------- */

static void first_take_sets_up_one_frame(struct kunit *test)
{
	struct test_table *tt = new_table(test, 4);
	grant_ref_t ref = take_one(test, &tt->t);

	KUNIT_EXPECT_EQ(test, tt->grows, 1U);
	KUNIT_EXPECT_EQ(test, tt->last_nr, 1U);
	KUNIT_EXPECT_EQ(test, tt->last_first, 0U);
	KUNIT_EXPECT_EQ(test, tt->t.frames, 1U);
	KUNIT_EXPECT_GE(test, ref, (grant_ref_t)GNTTAB_NR_RESERVED_ENTRIES);
	KUNIT_EXPECT_LT(test, ref, (grant_ref_t)GNT_REFS_PER_FRAME);
	KUNIT_EXPECT_EQ(test, tt->t.free_count,
			GNT_REFS_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES - 1);
}

/* A whole frame taken as one chain: every entry but the reserved ones. */
static void reserved_entries_never_handed_out(struct kunit *test)
{
	const unsigned int usable = GNT_REFS_PER_FRAME -
				    GNTTAB_NR_RESERVED_ENTRIES;
	struct test_table *tt = new_table(test, 1);
	unsigned long *seen;
	grant_ref_t head, ref;
	unsigned int n = 0;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(GNT_REFS_PER_FRAME) *
			     sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, usable, &head), 0);
	for (ref = head; ref != GNT_REF_END && n <= usable;
	     ref = tt->t.next[ref]) {
		KUNIT_ASSERT_GE(test, ref,
				(grant_ref_t)GNTTAB_NR_RESERVED_ENTRIES);
		KUNIT_ASSERT_LT(test, ref, (grant_ref_t)GNT_REFS_PER_FRAME);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(ref, seen));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, usable);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, 0U);
	/* And no more: the table is at its maximum. */
	KUNIT_EXPECT_EQ(test, gnt_take(&tt->t, 1, &ref), -ENOSPC);
	KUNIT_EXPECT_EQ(test, tt->grows, 1U);
}

/* The table grows by the frames that are missing, in one step. */
static void grows_by_what_is_missing(struct kunit *test)
{
	struct test_table *tt = new_table(test, 8);
	unsigned int free0;
	grant_ref_t head;

	take_one(test, &tt->t);
	free0 = tt->t.free_count;
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, free0 + 600, &head), 0);
	KUNIT_EXPECT_EQ(test, tt->grows, 2U);
	KUNIT_EXPECT_EQ(test, tt->last_first, 1U);
	KUNIT_EXPECT_EQ(test, tt->last_nr, 3U);	/* 600 refs: 2 frames */
	KUNIT_EXPECT_EQ(test, tt->t.frames, 3U);
	KUNIT_EXPECT_EQ(test, tt->t.free_count,
			2 * GNT_REFS_PER_FRAME - 600);
}

static void refuses_beyond_max_or_failure(struct kunit *test)
{
	struct test_table *tt = new_table(test, 2);
	grant_ref_t head = 42;

	KUNIT_EXPECT_EQ(test, gnt_take(&tt->t, 2 * GNT_REFS_PER_FRAME, &head),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, tt->grows, 0U);
	KUNIT_EXPECT_EQ(test, gnt_take(&tt->t, 0, &head), -EINVAL);
	KUNIT_EXPECT_EQ(test, head, 42U);

	/* Xen refusing to grow the table: nothing is handed out. */
	tt->fail = -EIO;
	KUNIT_EXPECT_EQ(test, gnt_take(&tt->t, 1, &head), -EIO);
	KUNIT_EXPECT_EQ(test, tt->t.frames, 0U);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, 0U);
}

static void freed_refs_come_back(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	unsigned int free0;
	grant_ref_t head, ref;

	take_one(test, &tt->t);
	free0 = tt->t.free_count;
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, 3, &head), 0);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0 - 3);
	gnt_put_list(&tt->t, head);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0);
	/* Last freed, first taken. */
	KUNIT_EXPECT_EQ(test, take_one(test, &tt->t), head);

	ref = take_one(test, &tt->t);
	gnt_put_chain(&tt->t, ref, ref, 1);
	KUNIT_EXPECT_EQ(test, take_one(test, &tt->t), ref);
	gnt_put_list(&tt->t, GNT_REF_END);	/* an empty chain */
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0 - 2);
}

static void private_chain(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t head;
	int a, b, c;

	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, 3, &head), 0);
	a = gnt_claim(&tt->t, &head);
	b = gnt_claim(&tt->t, &head);
	c = gnt_claim(&tt->t, &head);
	KUNIT_EXPECT_GE(test, a, 0);
	KUNIT_EXPECT_GE(test, b, 0);
	KUNIT_EXPECT_GE(test, c, 0);
	KUNIT_EXPECT_NE(test, a, b);
	KUNIT_EXPECT_NE(test, b, c);
	KUNIT_EXPECT_NE(test, a, c);
	KUNIT_EXPECT_EQ(test, gnt_claim(&tt->t, &head), -ENOSPC);
	gnt_release(&tt->t, &head, b);
	KUNIT_EXPECT_EQ(test, gnt_claim(&tt->t, &head), b);
	KUNIT_EXPECT_EQ(test, head, GNT_REF_END);
}

/* ---- Free callbacks --------------------------------------------------- */

static void count_call(void *arg)
{
	(*(unsigned int *)arg)++;
}

static void callback_when_enough_free(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	struct gnttab_free_callback cb = { };
	unsigned int calls = 0, usable;
	grant_ref_t head;
	int a, b;

	usable = GNT_REFS_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES;
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, usable, &head), 0);
	gnt_request_callback(&tt->t, &cb, count_call, &calls, 2);
	KUNIT_EXPECT_EQ(test, calls, 0U);
	/* Asking twice is waiting once. */
	gnt_request_callback(&tt->t, &cb, count_call, &calls, 2);
	a = gnt_claim(&tt->t, &head);
	b = gnt_claim(&tt->t, &head);
	gnt_put_chain(&tt->t, a, a, 1);
	KUNIT_EXPECT_EQ(test, calls, 0U);
	gnt_put_chain(&tt->t, b, b, 1);
	KUNIT_EXPECT_EQ(test, calls, 1U);
	/* Told once, then forgotten. */
	a = take_one(test, &tt->t);
	gnt_put_chain(&tt->t, a, a, 1);
	KUNIT_EXPECT_EQ(test, calls, 1U);
	KUNIT_EXPECT_TRUE(test, list_empty(&tt->t.free_waiters));

	/* Enough free already: told at once. */
	gnt_request_callback(&tt->t, &cb, count_call, &calls, 1);
	KUNIT_EXPECT_EQ(test, calls, 2U);
}

static void callback_cancelled(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	struct gnttab_free_callback cb1 = { }, cb2 = { };
	unsigned int calls1 = 0, calls2 = 0;
	grant_ref_t head;
	int ref;

	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, GNT_REFS_PER_FRAME -
				       GNTTAB_NR_RESERVED_ENTRIES, &head), 0);
	gnt_request_callback(&tt->t, &cb1, count_call, &calls1, 1);
	gnt_request_callback(&tt->t, &cb2, count_call, &calls2, 1);
	gnt_cancel_callback(&tt->t, &cb1);
	ref = gnt_claim(&tt->t, &head);
	gnt_put_chain(&tt->t, ref, ref, 1);
	KUNIT_EXPECT_EQ(test, calls1, 0U);
	KUNIT_EXPECT_EQ(test, calls2, 1U);
}

/* Each call appends its tag; a waiter told out of turn shows in the order. */
struct told_log {
	char order[4];
	unsigned int n;
};

static struct told_log *told;

static void tell_a(void *arg)
{
	told->order[told->n++] = 'a';
}

static void tell_b(void *arg)
{
	told->order[told->n++] = 'b';
}

static void callbacks_oldest_first(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	struct gnttab_free_callback cb_a = { }, cb_b = { };
	struct told_log log = { };
	grant_ref_t head;
	int a, b;

	told = &log;
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, GNT_REFS_PER_FRAME -
				       GNTTAB_NR_RESERVED_ENTRIES, &head), 0);
	gnt_request_callback(&tt->t, &cb_a, tell_a, NULL, 2);
	gnt_request_callback(&tt->t, &cb_b, tell_b, NULL, 2);
	a = gnt_claim(&tt->t, &head);
	b = gnt_claim(&tt->t, &head);
	/* Two at once: both are told in one pass, in the order they asked. */
	gnt_put_chain(&tt->t, a, a, 1);
	KUNIT_EXPECT_EQ(test, log.n, 0U);
	gnt_put_chain(&tt->t, b, b, 1);
	KUNIT_EXPECT_EQ(test, log.n, 2U);
	KUNIT_EXPECT_EQ(test, log.order[0], 'a');
	KUNIT_EXPECT_EQ(test, log.order[1], 'b');
	/* Told means forgotten: it can wait again; cancelled, it is not told. */
	a = take_one(test, &tt->t);
	gnt_request_callback(&tt->t, &cb_a, tell_a, NULL, 1000);
	gnt_cancel_callback(&tt->t, &cb_a);
	gnt_cancel_callback(&tt->t, &cb_a);
	gnt_put_chain(&tt->t, a, a, 1);
	KUNIT_EXPECT_EQ(test, log.n, 2U);
	KUNIT_EXPECT_TRUE(test, list_empty(&tt->t.free_waiters));
	told = NULL;
}

/* ---- Granting and revoking -------------------------------------------- */

static void grant_fills_entry(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t ref = take_one(test, &tt->t);
	struct grant_entry_v1 *e = &tt->t.entries[ref];

	gnt_grant(&tt->t, ref, 5, 0x12345, false);
	KUNIT_EXPECT_EQ(test, e->domid, 5);
	KUNIT_EXPECT_EQ(test, e->frame, 0x12345U);
	KUNIT_EXPECT_EQ(test, e->flags, GTF_permit_access);
	gnt_grant(&tt->t, ref, 0, 7, true);
	KUNIT_EXPECT_EQ(test, e->flags, GTF_permit_access | GTF_readonly);
}

/* A grant Xen marks in use stays granted; an idle one is cleared. */
static void revoke_respects_use(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t ref = take_one(test, &tt->t);
	struct grant_entry_v1 *e = &tt->t.entries[ref];

	gnt_grant(&tt->t, ref, 1, 100, false);
	e->flags |= GTF_reading;
	KUNIT_EXPECT_FALSE(test, gnt_revoke(&tt->t, ref));
	KUNIT_EXPECT_EQ(test, e->flags, GTF_permit_access | GTF_reading);
	e->flags = GTF_permit_access | GTF_writing;
	KUNIT_EXPECT_FALSE(test, gnt_revoke(&tt->t, ref));
	KUNIT_EXPECT_EQ(test, e->flags, GTF_permit_access | GTF_writing);
	e->flags = GTF_permit_access | GTF_readonly;
	KUNIT_EXPECT_TRUE(test, gnt_revoke(&tt->t, ref));
	KUNIT_EXPECT_EQ(test, e->flags, 0);
}

static void end_access_frees_idle_grant(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t ref = take_one(test, &tt->t);
	unsigned int free0 = tt->t.free_count;

	gnt_grant(&tt->t, ref, 1, 100, false);
	KUNIT_EXPECT_FALSE(test, gnt_end_access(&tt->t, ref, NULL));
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0 + 1);
	KUNIT_EXPECT_EQ(test, tt->t.deferred_count, 0U);
	KUNIT_EXPECT_EQ(test, tt->t.entries[ref].flags, 0);
}

/* Still mapped: reference and page wait, and go once it is unmapped. */
static void deferred_until_unmapped(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t ref = take_one(test, &tt->t);
	unsigned int free0 = tt->t.free_count;
	struct grant_entry_v1 *e = &tt->t.entries[ref];
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	gnt_grant(&tt->t, ref, 1, 100, false);
	e->flags |= GTF_writing;
	KUNIT_EXPECT_TRUE(test, gnt_end_access(&tt->t, ref, page));
	KUNIT_EXPECT_EQ(test, tt->t.deferred_count, 1U);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry_or_null(&tt->t.deferred_pages,
							   struct page, lru),
			    page);
	KUNIT_EXPECT_EQ(test, page_private(page), (unsigned long)ref);

	/* The other domain still writes to it. */
	KUNIT_EXPECT_EQ(test, gnt_retry_deferred(&tt->t), 1U);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0);
	KUNIT_EXPECT_EQ(test, e->flags, GTF_permit_access | GTF_writing);

	/* Unmapped: the page is freed, the reference free again. */
	e->flags &= ~GTF_writing;
	KUNIT_EXPECT_EQ(test, gnt_retry_deferred(&tt->t), 0U);
	KUNIT_EXPECT_EQ(test, tt->t.deferred_count, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&tt->t.deferred_pages));
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0 + 1);
	KUNIT_EXPECT_EQ(test, e->flags, 0);
}

/* Bare references too; each is released on its own. */
static void deferred_refs_released_one_by_one(struct kunit *test)
{
	struct test_table *tt = new_table(test, 1);
	grant_ref_t a = take_one(test, &tt->t), b = take_one(test, &tt->t);
	unsigned int free0 = tt->t.free_count;

	gnt_grant(&tt->t, a, 1, 100, false);
	gnt_grant(&tt->t, b, 1, 101, true);
	tt->t.entries[a].flags |= GTF_reading;
	tt->t.entries[b].flags |= GTF_reading;
	KUNIT_EXPECT_TRUE(test, gnt_end_access(&tt->t, a, NULL));
	KUNIT_EXPECT_TRUE(test, gnt_end_access(&tt->t, b, NULL));
	KUNIT_EXPECT_EQ(test, tt->t.deferred_count, 2U);

	tt->t.entries[b].flags &= ~GTF_reading;
	KUNIT_EXPECT_EQ(test, gnt_retry_deferred(&tt->t), 1U);
	KUNIT_EXPECT_EQ(test, tt->t.free_count, free0 + 1);
	KUNIT_EXPECT_EQ(test, take_one(test, &tt->t), b);

	tt->t.entries[a].flags &= ~GTF_reading;
	KUNIT_EXPECT_EQ(test, gnt_retry_deferred(&tt->t), 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&tt->t.deferred_refs));
	KUNIT_EXPECT_EQ(test, take_one(test, &tt->t), a);
}

/* ---- The in-use count (/sys/hypervisor/usage) --------------------------- */

/* Taken and not given back, kept back while mapped: in use; freed: not. */
static void in_use_counts_what_is_not_free(struct kunit *test)
{
	struct test_table *tt = new_table(test, 4);
	grant_ref_t head, mapped, idle;

	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 0U);
	mapped = take_one(test, &tt->t);
	idle = take_one(test, &tt->t);
	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 2U);
	/* A chain big enough to grow the table counts whole. */
	KUNIT_ASSERT_EQ(test, gnt_take(&tt->t, 600, &head), 0);
	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 602U);
	gnt_put_list(&tt->t, head);
	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 2U);

	/* The other domain keeps one mapped: it stays in use. */
	gnt_grant(&tt->t, mapped, 1, 100, false);
	gnt_grant(&tt->t, idle, 1, 101, false);
	tt->t.entries[mapped].flags |= GTF_writing;
	KUNIT_EXPECT_TRUE(test, gnt_end_access(&tt->t, mapped, NULL));
	KUNIT_EXPECT_FALSE(test, gnt_end_access(&tt->t, idle, NULL));
	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 1U);
	tt->t.entries[mapped].flags &= ~GTF_writing;
	KUNIT_EXPECT_EQ(test, gnt_retry_deferred(&tt->t), 0U);
	KUNIT_EXPECT_EQ(test, gnt_in_use(&tt->t), 0U);
}

static struct kunit_case grant_table_cases[] = {
	KUNIT_CASE(first_take_sets_up_one_frame),
	KUNIT_CASE(reserved_entries_never_handed_out),
	KUNIT_CASE(grows_by_what_is_missing),
	KUNIT_CASE(refuses_beyond_max_or_failure),
	KUNIT_CASE(freed_refs_come_back),
	KUNIT_CASE(private_chain),
	KUNIT_CASE(callback_when_enough_free),
	KUNIT_CASE(callback_cancelled),
	KUNIT_CASE(callbacks_oldest_first),
	KUNIT_CASE(grant_fills_entry),
	KUNIT_CASE(revoke_respects_use),
	KUNIT_CASE(end_access_frees_idle_grant),
	KUNIT_CASE(deferred_until_unmapped),
	KUNIT_CASE(deferred_refs_released_one_by_one),
	KUNIT_CASE(in_use_counts_what_is_not_free),
	{}
};

static struct kunit_suite grant_table_suite = {
	.name = "xen-grant-table",
	.test_cases = grant_table_cases,
};
kunit_test_suite(grant_table_suite);

MODULE_LICENSE("GPL");
