// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the domU console ring copies (drivers/tty/hvc/hvc_xen.c):
 * bytes in and out across the wrap, and what indexes that no sane
 * console daemon writes do to us: a rate-limited message and a ring that
 * works again, never a WARN (tests/unit/run fails a suite on one).
 *
 * The ring is ordinary memory and the test plays xenconsoled.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include <xen/hvc-console.h>
#include <xen/interface/io/console.h>

static struct xencons_interface *new_ring(struct kunit *test)
{
	struct xencons_interface *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

static void output_wraps_and_fills(struct kunit *test)
{
	struct xencons_interface *r = new_ring(test);
	static char buf[2 * sizeof(r->out)];

	memset(buf, 'x', sizeof(buf));
	r->out_cons = r->out_prod = sizeof(r->out) - 3;
	KUNIT_EXPECT_EQ(test, xencons_write(r, "hello", 5), 5);
	KUNIT_EXPECT_EQ(test, r->out_prod, (u32)sizeof(r->out) + 2);
	KUNIT_EXPECT_EQ(test, r->out[sizeof(r->out) - 1], 'l');
	KUNIT_EXPECT_EQ(test, r->out[0], 'l');
	KUNIT_EXPECT_EQ(test, r->out[1], 'o');
	/* Only what fits goes. */
	KUNIT_EXPECT_EQ(test, xencons_write(r, buf, sizeof(buf)),
			(int)sizeof(r->out) - 5);
	KUNIT_EXPECT_EQ(test, xencons_write(r, buf, 1), 0);
}

/* A daemon's out_cons ahead of our producer, or far behind it. */
static void output_survives_wild_consumer(struct kunit *test)
{
	struct xencons_interface *r = new_ring(test);

	r->out_prod = 100;
	r->out_cons = 5000;
	KUNIT_EXPECT_EQ(test, xencons_write(r, "abc", 3), 3);
	KUNIT_EXPECT_EQ(test, r->out_prod, 5003U);
	KUNIT_EXPECT_EQ(test, r->out[MASK_XENCONS_IDX(5000, r->out)], 'a');

	r->out_prod = 0x80000000;
	r->out_cons = 0;
	KUNIT_EXPECT_EQ(test, xencons_write(r, "de", 2), 2);
	KUNIT_EXPECT_EQ(test, r->out_prod, 2U);
	/* Sane again: on as usual. */
	KUNIT_EXPECT_EQ(test, xencons_write(r, "f", 1), 1);
	KUNIT_EXPECT_EQ(test, r->out_prod, 3U);
}

static void input_wraps_and_empties(struct kunit *test)
{
	struct xencons_interface *r = new_ring(test);
	char got[8] = { };

	r->in_cons = sizeof(r->in) - 2;
	r->in[sizeof(r->in) - 2] = 'a';
	r->in[sizeof(r->in) - 1] = 'b';
	r->in[0] = 'c';
	r->in_prod = sizeof(r->in) + 1;
	KUNIT_EXPECT_EQ(test, xencons_read(r, got, sizeof(got)), 3);
	KUNIT_EXPECT_STREQ(test, got, "abc");
	KUNIT_EXPECT_EQ(test, r->in_cons, r->in_prod);
	KUNIT_EXPECT_EQ(test, xencons_read(r, got, sizeof(got)), 0);
}

/* More than a ring's worth announced: nothing read, our view reset. */
static void input_survives_wild_producer(struct kunit *test)
{
	struct xencons_interface *r = new_ring(test);
	char got[4] = { };

	r->in_cons = 10;
	r->in_prod = 10 + sizeof(r->in) + 1;
	KUNIT_EXPECT_EQ(test, xencons_read(r, got, sizeof(got)), 0);
	KUNIT_EXPECT_EQ(test, r->in_cons, r->in_prod);
	/* A producer behind our consumer is the same. */
	r->in_prod = r->in_cons - 1;
	KUNIT_EXPECT_EQ(test, xencons_read(r, got, sizeof(got)), 0);
	KUNIT_EXPECT_EQ(test, r->in_cons, r->in_prod);
	/* Then bytes come normally again. */
	r->in[MASK_XENCONS_IDX(r->in_prod, r->in)] = 'z';
	r->in_prod++;
	KUNIT_EXPECT_EQ(test, xencons_read(r, got, sizeof(got)), 1);
	KUNIT_EXPECT_EQ(test, got[0], 'z');
}

static struct kunit_case console_cases[] = {
	KUNIT_CASE(output_wraps_and_fills),
	KUNIT_CASE(output_survives_wild_consumer),
	KUNIT_CASE(input_wraps_and_empties),
	KUNIT_CASE(input_survives_wild_producer),
	{}
};

static struct kunit_suite console_suite = {
	.name = "xen-console",
	.test_cases = console_cases,
};
kunit_test_suite(console_suite);

MODULE_LICENSE("GPL");
