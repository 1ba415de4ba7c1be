// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the event core's defence against a peer that notifies
 * in a loop (eoi-throttle.h): how long a late-EOI port stays masked
 * after a run of events that brought nothing, and that one event that
 * brings something ends the slowing down at once.
 *
 * Pure arithmetic: no port is bound and nothing talks to Xen.
 */
#include <kunit/test.h>

#include "eoi-throttle.h"

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

static struct kunit_case events_cases[] = {
	KUNIT_CASE(few_spurious_cost_nothing),
	KUNIT_CASE(storm_is_delayed_more_and_more),
	KUNIT_CASE(real_event_ends_the_delay),
	KUNIT_CASE(endless_storm_stays_capped),
	{}
};

static struct kunit_suite events_suite = {
	.name = "xen-events",
	.test_cases = events_cases,
};
kunit_test_suite(events_suite);

MODULE_LICENSE("GPL");
