// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of how the balloon reads its target from the store
 * (balloon.c): memory/target in KiB, capped by memory/static-max, and
 * strings that are not sizes refused rather than read as some number.
 */
#include <kunit/test.h>
#include <linux/kernel.h>

#include "balloon.h"

#define KIB_PER_PAGE	(PAGE_SIZE / 1024)

static void target_in_kib(struct kunit *test)
{
	unsigned long pages = 1;

	KUNIT_ASSERT_EQ(test, balloon_parse_target("262144", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 262144UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("4", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 4UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("0", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 0UL);
	/* A written file's newline is fine. */
	KUNIT_ASSERT_EQ(test, balloon_parse_target("1024\n", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 1024UL / KIB_PER_PAGE);
}

/* Part of a page is no page: round down. */
static void target_rounds_down(struct kunit *test)
{
	unsigned long pages = 0;

	KUNIT_ASSERT_EQ(test, balloon_parse_target("1023", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 1023UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("3", NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 0UL);
}

static void target_not_a_number(struct kunit *test)
{
	static const char *const bad[] = {
		"", "abc", "12abc", " 1024", "1024 ", "-1", "0x400", "1.5",
		"1024\n\n", "1e6",
	};
	unsigned long pages = 77;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, balloon_parse_target(bad[i], NULL,
							       &pages),
				    -EINVAL, "target \"%s\"", bad[i]);
	KUNIT_EXPECT_EQ(test, pages, 77UL);
}

/* More than 64 bits is refused, not wrapped to a small target. */
static void target_overflow(struct kunit *test)
{
	unsigned long pages = 77;

	KUNIT_EXPECT_EQ(test, balloon_parse_target("18446744073709551616",
						   NULL, &pages), -ERANGE);
	KUNIT_EXPECT_EQ(test, balloon_parse_target("36893488147419103232",
						   NULL, &pages), -ERANGE);
	KUNIT_EXPECT_EQ(test, pages, 77UL);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("18446744073709551615",
						   NULL, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, ULONG_MAX / KIB_PER_PAGE);
}

static void static_max_caps_target(struct kunit *test)
{
	unsigned long pages = 0;

	KUNIT_ASSERT_EQ(test, balloon_parse_target("524288", "262144", &pages),
			0);
	KUNIT_EXPECT_EQ(test, pages, 262144UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("131072", "262144", &pages),
			0);
	KUNIT_EXPECT_EQ(test, pages, 131072UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("262144", "262144", &pages),
			0);
	KUNIT_EXPECT_EQ(test, pages, 262144UL / KIB_PER_PAGE);
}

/* A static-max that is not a size caps nothing; the target still counts. */
static void static_max_unreadable(struct kunit *test)
{
	unsigned long pages = 0;

	KUNIT_ASSERT_EQ(test, balloon_parse_target("524288", "lots", &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 524288UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("524288",
						   "18446744073709551616",
						   &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 524288UL / KIB_PER_PAGE);
	KUNIT_ASSERT_EQ(test, balloon_parse_target("524288", "", &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 524288UL / KIB_PER_PAGE);
	/* And a bad target stays bad under any static-max. */
	KUNIT_EXPECT_EQ(test, balloon_parse_target("x", "262144", &pages),
			-EINVAL);
}

static struct kunit_case balloon_cases[] = {
	KUNIT_CASE(target_in_kib),
	KUNIT_CASE(target_rounds_down),
	KUNIT_CASE(target_not_a_number),
	KUNIT_CASE(target_overflow),
	KUNIT_CASE(static_max_caps_target),
	KUNIT_CASE(static_max_unreadable),
	{}
};

static struct kunit_suite balloon_suite = {
	.name = "xen-balloon",
	.test_cases = balloon_cases,
};
kunit_test_suite(balloon_suite);

MODULE_LICENSE("GPL");
