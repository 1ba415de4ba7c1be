// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the event core's defence against a peer that notifies
 * in a loop (eoi-throttle.h): how long a late-EOI port stays masked
 * after a run of events that brought nothing, and that one event that
 * brings something ends the slowing down at once; and of the order an
 * upcall visits the bitmap's words in (upcall-scan.h).
 *
 * Pure arithmetic: no port is bound and nothing talks to Xen.
 */
#include <kunit/test.h>

#include "eoi-throttle.h"
#include "upcall-scan.h"

/* A peer that sometimes notifies twice is never slowed down. */
static void few_spurious_cost_nothing(struct kunit *test)
{
	struct eoi_throttle t = { };
	unsigned int round, i;

	for (round = 0; round < 100; round++) {
		for (i = 0; i < EOI_FREE_SPURIOUS; i++)
			KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true), 0U);
		KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, false), 0U);
	}
}

/* Past the free run the delay starts small and doubles up to its cap. */
static void storm_is_delayed_more_and_more(struct kunit *test)
{
	struct eoi_throttle t = { };
	unsigned int i, delay, last = 0;

	for (i = 0; i < EOI_FREE_SPURIOUS; i++)
		eoi_throttle_next(&t, true);
	KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true),
			(unsigned int)EOI_FIRST_DELAY_MS);
	last = EOI_FIRST_DELAY_MS;
	for (i = 0; i < 40; i++) {
		delay = eoi_throttle_next(&t, true);
		KUNIT_EXPECT_EQ(test, delay,
				min_t(unsigned int, 2 * last,
				      EOI_MAX_DELAY_MS));
		last = delay;
	}
	KUNIT_EXPECT_EQ(test, last, (unsigned int)EOI_MAX_DELAY_MS);
}

/* One real event: unmask now, and the next storm starts from scratch. */
static void real_event_ends_the_delay(struct kunit *test)
{
	struct eoi_throttle t = { };
	unsigned int i;

	for (i = 0; i < EOI_FREE_SPURIOUS + 20; i++)
		eoi_throttle_next(&t, true);
	KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, false), 0U);
	KUNIT_EXPECT_EQ(test, t.spurious, 0U);
	for (i = 0; i < EOI_FREE_SPURIOUS; i++)
		KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true), 0U);
	KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true),
			(unsigned int)EOI_FIRST_DELAY_MS);
}

/* A storm of any length neither wraps the count nor the delay. */
static void endless_storm_stays_capped(struct kunit *test)
{
	struct eoi_throttle t = { .spurious = UINT_MAX - 1, .delay_ms = 4 };

	KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true), 8U);
	KUNIT_EXPECT_EQ(test, t.spurious, UINT_MAX);
	t.delay_ms = EOI_MAX_DELAY_MS;
	KUNIT_EXPECT_EQ(test, eoi_throttle_next(&t, true),
			(unsigned int)EOI_MAX_DELAY_MS);
	KUNIT_EXPECT_EQ(test, t.spurious, UINT_MAX);
}

struct scan_step {
	unsigned int word;
	unsigned long ports;
};

/* The scan of upcall-scan.h, as run_round() makes it, into @steps. */
static unsigned int scan_steps(unsigned long sel, unsigned int from,
			       struct scan_step *steps)
{
	struct upcall_scan s;
	unsigned int n = 0;

	upcall_scan_start(&s, sel, from);
	while (n <= BITS_PER_LONG &&
	       upcall_scan_next(&s, &steps[n].word, &steps[n].ports))
		n++;
	return n;
}

/*
 * The same order written the slow and obvious way: every word position
 * from the starting word round, and the starting word once more at the
 * end for the ports below @from.
 */
static unsigned int slow_steps(unsigned long sel, unsigned int from,
			       struct scan_step *steps)
{
	unsigned int first = from / BITS_PER_LONG, i, w, n = 0;
	unsigned long upper = ~0UL << (from % BITS_PER_LONG), ports;

	for (i = 0; i <= BITS_PER_LONG; i++) {
		w = (first + i) % BITS_PER_LONG;
		ports = i == 0 ? upper : i == BITS_PER_LONG ? ~upper : ~0UL;
		if ((sel & BIT(w)) && ports) {
			steps[n].word = w;
			steps[n++].ports = ports;
		}
	}
	return n;
}

/* Room for the steps of one scan, twice: too big for the stack. */
#define SCAN_STEPS_MAX	(BITS_PER_LONG + 2)

static struct scan_step *steps_buffer(struct kunit *test)
{
	struct scan_step *b = kunit_kmalloc_array(test, 2 * SCAN_STEPS_MAX,
						  sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	return b;
}

static void expect_same_scan(struct kunit *test, struct scan_step *fast,
			     unsigned long sel, unsigned int from)
{
	struct scan_step *slow = fast + SCAN_STEPS_MAX;
	unsigned int n = scan_steps(sel, from, fast), i;

	KUNIT_ASSERT_EQ_MSG(test, n, slow_steps(sel, from, slow),
			    "sel %#lx from %u", sel, from);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, fast[i].word, slow[i].word,
				    "sel %#lx from %u step %u", sel, from, i);
		KUNIT_EXPECT_EQ_MSG(test, fast[i].ports, slow[i].ports,
				    "sel %#lx from %u step %u", sel, from, i);
	}
}

/* The edges: no word, every word, a start at either end of a word. */
static void scan_order_at_the_edges(struct kunit *test)
{
	static const unsigned long sels[] = {
		0, ~0UL, 1, BIT(BITS_PER_LONG - 1), BIT(3) | BIT(5),
	};
	static const unsigned int froms[] = {
		0, 1, BITS_PER_LONG - 1, BITS_PER_LONG, 3 * BITS_PER_LONG + 7,
		BITS_PER_LONG * BITS_PER_LONG - 1,
	};
	struct scan_step *buf = steps_buffer(test);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(sels); i++)
		for (j = 0; j < ARRAY_SIZE(froms); j++)
			expect_same_scan(test, buf, sels[i], froms[j]);
}

/* Many selectors and starts, from a fixed pseudo-random sequence. */
static void scan_order_matches_the_slow_way(struct kunit *test)
{
	struct scan_step *buf = steps_buffer(test);
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	unsigned int round;

	for (round = 0; round < 2000; round++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* Sparse selectors too: most upcalls see a word or two. */
		expect_same_scan(test, buf, round & 1 ? (unsigned long)x :
				 (unsigned long)(x & (x >> 17) & (x >> 31)),
				 (x >> 40) % (BITS_PER_LONG * BITS_PER_LONG));
	}
}

static struct kunit_case events_cases[] = {
	KUNIT_CASE(few_spurious_cost_nothing),
	KUNIT_CASE(storm_is_delayed_more_and_more),
	KUNIT_CASE(real_event_ends_the_delay),
	KUNIT_CASE(endless_storm_stays_capped),
	KUNIT_CASE(scan_order_at_the_edges),
	KUNIT_CASE(scan_order_matches_the_slow_way),
	{}
};

static struct kunit_suite events_suite = {
	.name = "xen-events",
	.test_cases = events_cases,
};
kunit_test_suite(events_suite);

MODULE_LICENSE("GPL");
