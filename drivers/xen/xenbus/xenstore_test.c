// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the xenstore client (xenstore.c): the byte rings, the
 * framing of messages that arrive in pieces, replies matched to their
 * requests, error replies, directory listings and watch events.
 *
 * The shared page is ordinary memory here and the test plays xenstored,
 * writing the response ring itself.  Nothing talks to Xen.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include <xen/xenbus.h>
#include <xen/interface/io/xs_wire.h>

#include "xenbus.h"

static struct xenstore_domain_interface *new_intf(struct kunit *test)
{
	struct xenstore_domain_interface *intf;

	intf = kunit_kzalloc(test, sizeof(*intf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, intf);
	return intf;
}

/* Play xenstored: put @len bytes on the response ring, wrapping. */
static void feed(struct xenstore_domain_interface *intf, const void *data,
		 unsigned int len)
{
	const char *p = data;

	while (len--)
		intf->rsp[MASK_XENSTORE_IDX(intf->rsp_prod++)] = *p++;
}

static void feed_header(struct xenstore_domain_interface *intf, u32 type,
			u32 req_id, u32 len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .len = len };

	feed(intf, &hdr, sizeof(hdr));
}

/* ---- The rings -------------------------------------------------------- */

static void put_wraps_and_fills(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	static char big[2 * XENSTORE_RING_SIZE];
	unsigned int i;

	for (i = 0; i < 100; i++)
		big[i] = i;
	intf->req_cons = intf->req_prod = XENSTORE_RING_SIZE - 24;
	KUNIT_EXPECT_EQ(test, xs_ring_put(intf, big, 100), 100);
	KUNIT_EXPECT_EQ(test, intf->req_prod, XENSTORE_RING_SIZE + 76);
	KUNIT_EXPECT_EQ(test, memcmp(intf->req + XENSTORE_RING_SIZE - 24, big,
				     24), 0);
	KUNIT_EXPECT_EQ(test, memcmp(intf->req, big + 24, 76), 0);

	/* Only the room there is, then nothing. */
	KUNIT_EXPECT_EQ(test, xs_ring_put(intf, big, sizeof(big)),
			XENSTORE_RING_SIZE - 100);
	KUNIT_EXPECT_EQ(test, intf->req_prod - intf->req_cons,
			XENSTORE_RING_SIZE);
	KUNIT_EXPECT_EQ(test, xs_ring_put(intf, big, 1), 0);
}

static void put_refuses_bad_indexes(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	char byte = 'x';

	/* The daemon's consumer index ahead of our producer. */
	intf->req_prod = 10;
	intf->req_cons = 11;
	KUNIT_EXPECT_EQ(test, xs_ring_put(intf, &byte, 1), -EIO);
	KUNIT_EXPECT_EQ(test, intf->req_prod, 10U);

	intf->req_prod = XENSTORE_RING_SIZE + 1;
	intf->req_cons = 0;
	KUNIT_EXPECT_EQ(test, xs_ring_put(intf, &byte, 1), -EIO);
}

static void take_wraps_and_empties(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	char out[64];

	intf->rsp_cons = intf->rsp_prod = XENSTORE_RING_SIZE - 4;
	feed(intf, "abcdefgh", 8);
	KUNIT_EXPECT_EQ(test, xs_ring_take(intf, out, sizeof(out)), 8);
	KUNIT_EXPECT_EQ(test, memcmp(out, "abcdefgh", 8), 0);
	KUNIT_EXPECT_EQ(test, intf->rsp_cons, XENSTORE_RING_SIZE + 4);
	KUNIT_EXPECT_EQ(test, xs_ring_take(intf, out, sizeof(out)), 0);
}

/* A producer more than a ring ahead, or behind us, is refused whole. */
static void take_refuses_bad_indexes(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	char out[8];

	intf->rsp_cons = 100;
	intf->rsp_prod = 100 + XENSTORE_RING_SIZE + 1;
	KUNIT_EXPECT_EQ(test, xs_ring_take(intf, out, sizeof(out)), -EIO);
	KUNIT_EXPECT_EQ(test, intf->rsp_cons, 100U);

	intf->rsp_prod = 99;
	KUNIT_EXPECT_EQ(test, xs_ring_take(intf, out, sizeof(out)), -EIO);
	KUNIT_EXPECT_EQ(test, intf->rsp_cons, 100U);

	/* Exactly a ring's worth is fine. */
	intf->rsp_prod = 100 + XENSTORE_RING_SIZE;
	KUNIT_EXPECT_EQ(test, xs_ring_take(intf, out, sizeof(out)), 8);
}

/* ---- Framing ---------------------------------------------------------- */

/* A header in two pieces: nothing until it is whole. */
static void short_header_waits(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 7, .len = 3 };
	struct xs_incoming in = { };

	feed(intf, &hdr, 10);
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), 0);
	KUNIT_EXPECT_EQ(test, in.hdr_got, 10U);
	KUNIT_EXPECT_NULL(test, in.body);
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), 0);

	feed(intf, (char *)&hdr + 10, sizeof(hdr) - 10);
	feed(intf, "abc", 3);
	KUNIT_ASSERT_EQ(test, xs_receive(intf, &in), 1);
	KUNIT_EXPECT_EQ(test, in.hdr.type, (u32)XS_READ);
	KUNIT_EXPECT_EQ(test, in.hdr.req_id, 7U);
	KUNIT_EXPECT_EQ(test, in.hdr.len, 3U);
	/* The body is terminated although the reply's bytes were not. */
	KUNIT_EXPECT_STREQ(test, in.body, "abc");
	xs_incoming_reset(&in);
}

/* The largest body the protocol allows, through a ring four times smaller. */
static void long_body_in_pieces(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xs_incoming in = { };
	char *body;
	unsigned int i, sent = 0, chunk;
	int rc = 0;

	body = kunit_kmalloc(test, XENSTORE_PAYLOAD_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, body);
	for (i = 0; i < XENSTORE_PAYLOAD_MAX; i++)
		body[i] = 'a' + i % 26;
	intf->rsp_cons = intf->rsp_prod = 1000;	/* wraps at once */
	feed_header(intf, XS_DIRECTORY, 1, XENSTORE_PAYLOAD_MAX);
	while (sent < XENSTORE_PAYLOAD_MAX) {
		KUNIT_ASSERT_EQ(test, rc, 0);
		chunk = min_t(unsigned int, XENSTORE_PAYLOAD_MAX - sent,
			      XENSTORE_RING_SIZE - (intf->rsp_prod - intf->rsp_cons));
		feed(intf, body + sent, chunk);
		sent += chunk;
		rc = xs_receive(intf, &in);
		KUNIT_ASSERT_GE(test, rc, 0);
	}
	KUNIT_ASSERT_EQ(test, rc, 1);
	KUNIT_EXPECT_EQ(test, in.hdr.len, (u32)XENSTORE_PAYLOAD_MAX);
	KUNIT_EXPECT_EQ(test, memcmp(in.body, body, XENSTORE_PAYLOAD_MAX), 0);
	KUNIT_EXPECT_EQ(test, in.body[XENSTORE_PAYLOAD_MAX], '\0');
	xs_incoming_reset(&in);
}

/* Longer than the protocol allows: refused before any allocation. */
static void overlong_length_refused(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xs_incoming in = { };

	feed_header(intf, XS_READ, 1, XENSTORE_PAYLOAD_MAX + 1);
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), -E2BIG);
	KUNIT_EXPECT_NULL(test, in.body);
	xs_incoming_reset(&in);

	feed_header(intf, XS_WATCH_EVENT, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), -E2BIG);
	KUNIT_EXPECT_NULL(test, in.body);
	xs_incoming_reset(&in);
}

static void empty_body(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xs_incoming in = { };

	feed_header(intf, XS_WRITE, 3, 0);
	KUNIT_ASSERT_EQ(test, xs_receive(intf, &in), 1);
	KUNIT_EXPECT_STREQ(test, in.body, "");
	xs_incoming_reset(&in);
}

/* Two messages back to back: each call completes one. */
static void messages_back_to_back(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xs_incoming in = { };

	feed_header(intf, XS_READ, 1, 2);
	feed(intf, "v1", 2);
	feed_header(intf, XS_READ, 2, 3);
	feed(intf, "v22", 3);
	KUNIT_ASSERT_EQ(test, xs_receive(intf, &in), 1);
	KUNIT_EXPECT_EQ(test, in.hdr.req_id, 1U);
	KUNIT_EXPECT_STREQ(test, in.body, "v1");
	xs_incoming_reset(&in);
	KUNIT_ASSERT_EQ(test, xs_receive(intf, &in), 1);
	KUNIT_EXPECT_EQ(test, in.hdr.req_id, 2U);
	KUNIT_EXPECT_STREQ(test, in.body, "v22");
	xs_incoming_reset(&in);
	KUNIT_EXPECT_EQ(test, intf->rsp_cons, intf->rsp_prod);
}

static void receive_refuses_bad_indexes(struct kunit *test)
{
	struct xenstore_domain_interface *intf = new_intf(test);
	struct xs_incoming in = { };

	intf->rsp_prod = XENSTORE_RING_SIZE * 3;
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), -EIO);

	/* In the middle of a body, too. */
	intf->rsp_cons = intf->rsp_prod = 0;
	xs_incoming_reset(&in);
	feed_header(intf, XS_READ, 1, 100);
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), 0);
	intf->rsp_prod += 2 * XENSTORE_RING_SIZE;
	KUNIT_EXPECT_EQ(test, xs_receive(intf, &in), -EIO);
	xs_incoming_reset(&in);
}

/* ---- Replies ---------------------------------------------------------- */

static void reply_finds_its_request(struct kunit *test)
{
	struct xs_waiter a = { .req_id = 3 }, b = { .req_id = 5 };
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 5, .len = 4 };
	char body[] = "data";
	LIST_HEAD(waiters);

	list_add_tail(&a.list, &waiters);
	list_add_tail(&b.list, &waiters);
	KUNIT_EXPECT_TRUE(test, xs_answer_waiter(&waiters, &hdr, body));
	KUNIT_EXPECT_TRUE(test, b.done);
	KUNIT_EXPECT_PTR_EQ(test, b.body, (char *)body);
	KUNIT_EXPECT_EQ(test, b.len, 4U);
	KUNIT_EXPECT_EQ(test, b.type, (u32)XS_READ);
	KUNIT_EXPECT_FALSE(test, a.done);
	KUNIT_EXPECT_NULL(test, a.body);
}

/* An id nobody sent, or one answered already, finds nobody. */
static void reply_to_unknown_request(struct kunit *test)
{
	struct xs_waiter a = { .req_id = 3 };
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 4, .len = 1 };
	char first[] = "1", second[] = "2";
	LIST_HEAD(waiters);

	KUNIT_EXPECT_FALSE(test, xs_answer_waiter(&waiters, &hdr, first));
	list_add_tail(&a.list, &waiters);
	KUNIT_EXPECT_FALSE(test, xs_answer_waiter(&waiters, &hdr, first));
	KUNIT_EXPECT_FALSE(test, a.done);

	hdr.req_id = 3;
	KUNIT_EXPECT_TRUE(test, xs_answer_waiter(&waiters, &hdr, first));
	KUNIT_EXPECT_FALSE(test, xs_answer_waiter(&waiters, &hdr, second));
	KUNIT_EXPECT_PTR_EQ(test, a.body, (char *)first);
}

static void error_names_to_errno(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xs_errno("EINVAL"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_errno("ENOENT"), -ENOENT);
	KUNIT_EXPECT_EQ(test, xs_errno("EACCES"), -EACCES);
	KUNIT_EXPECT_EQ(test, xs_errno("EAGAIN"), -EAGAIN);
	KUNIT_EXPECT_EQ(test, xs_errno("EEXIST"), -EEXIST);
	KUNIT_EXPECT_EQ(test, xs_errno("E2BIG"), -E2BIG);
	KUNIT_EXPECT_EQ(test, xs_errno("EPERM"), -EPERM);
	/* Anything else is an invalid reply, not success. */
	KUNIT_EXPECT_EQ(test, xs_errno("EWHATEVER"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_errno("enoent"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_errno("ENOENT "), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_errno(""), -EINVAL);
}

static void reply_status(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xs_reply_status(XS_READ, XS_READ, "v"), 0);
	KUNIT_EXPECT_EQ(test, xs_reply_status(XS_READ, XS_ERROR, "ENOENT"),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, xs_reply_status(XS_TRANSACTION_END, XS_ERROR,
					      "EAGAIN"), -EAGAIN);
	KUNIT_EXPECT_EQ(test, xs_reply_status(XS_READ, XS_WRITE, "OK"), -EIO);
	KUNIT_EXPECT_EQ(test, xs_reply_status(XS_WRITE, XS_WATCH_EVENT, "a"),
			-EIO);
}

/* ---- Requests ------------------------------------------------------------ */

/* The payload @m describes, laid end to end as it goes on the ring. */
static unsigned int flatten(const struct xs_msg *m, char *buf,
			    unsigned int size)
{
	unsigned int i, len = 0;

	for (i = 0; i < m->nr_parts; i++) {
		if (len + m->part[i].iov_len > size)
			return UINT_MAX;
		memcpy(buf + len, m->part[i].iov_base, m->part[i].iov_len);
		len += m->part[i].iov_len;
	}
	return len;
}

static const struct {
	u32 type;
	const char *dir, *node, *arg;
	/* The payload and its length (NULs inside), or -EINVAL. */
	const char *payload;
	int len;
	enum xs_reply_kind expect;
} requests[] = {
	{ XS_READ, "device/vbd/51712", "state", NULL,
	  "device/vbd/51712/state", 23, XS_REPLY_VALUE },
	{ XS_READ, "memory/target", "", NULL, "memory/target", 14,
	  XS_REPLY_VALUE },
	{ XS_READ, "", "control/shutdown", NULL, "control/shutdown", 17,
	  XS_REPLY_VALUE },
	{ XS_READ, "", "", NULL, "", 1, XS_REPLY_VALUE },
	{ XS_DIRECTORY, "device", "vbd", NULL, "device/vbd", 11,
	  XS_REPLY_NAMES },
	{ XS_MKDIR, "a", "b", NULL, "a/b", 4, XS_REPLY_ACK },
	{ XS_RM, "a", "", NULL, "a", 2, XS_REPLY_ACK },
	/* The value runs to the end of the message: no NUL. */
	{ XS_WRITE, "device/vif/0", "mac", "on", "device/vif/0/mac\0on", 19,
	  XS_REPLY_ACK },
	{ XS_WRITE, "a", "", "", "a", 2, XS_REPLY_ACK },
	/* The token is a string of its own: with its NUL. */
	{ XS_WATCH, "backend", "", "7", "backend\0007", 10, XS_REPLY_ACK },
	{ XS_UNWATCH, "", "backend", "7", "backend\0007", 10, XS_REPLY_ACK },
	{ XS_TRANSACTION_START, NULL, NULL, "", "", 1, XS_REPLY_TX_ID },
	{ XS_TRANSACTION_END, NULL, NULL, "T", "T", 2, XS_REPLY_ACK },
	/* What the table does not describe is refused. */
	{ XS_READ, "a", "b", "x", NULL, -EINVAL },
	{ XS_WRITE, "a", "b", NULL, NULL, -EINVAL },
	{ XS_READ, NULL, NULL, NULL, NULL, -EINVAL },
	{ XS_TRANSACTION_END, "a", "", "T", NULL, -EINVAL },
	{ XS_WATCH_EVENT, "a", "", "7", NULL, -EINVAL },
	{ XS_ERROR, "a", "", NULL, NULL, -EINVAL },
	{ XS_TYPE_COUNT, "a", "", NULL, NULL, -EINVAL },
	{ XS_INVALID, "a", "", NULL, NULL, -EINVAL },
};

static void request_payloads(struct kunit *test)
{
	char buf[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requests); i++) {
		struct xs_msg m;
		int rc;

		rc = xs_msg_build(&m, 5, requests[i].type, requests[i].dir,
				  requests[i].node, requests[i].arg);
		if (requests[i].len < 0) {
			KUNIT_EXPECT_EQ_MSG(test, rc, requests[i].len,
					    "request %u", i);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, rc, 0, "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, m.type, requests[i].type,
				    "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, m.tx_id, 5U, "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, m.expect, requests[i].expect,
				    "request %u", i);
		KUNIT_ASSERT_EQ_MSG(test, flatten(&m, buf, sizeof(buf)),
				    (unsigned int)requests[i].len,
				    "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, requests[i].payload,
						 requests[i].len), 0,
				    "request %u", i);
	}
}

/* What the caller gets from a successful reply of each kind. */
static void reply_kinds(struct kunit *test)
{
	struct xs_reply r = { };

	KUNIT_ASSERT_EQ(test, xs_reply_take(XS_REPLY_VALUE,
					    kstrdup("4", GFP_KERNEL), 1, &r),
			0);
	KUNIT_EXPECT_STREQ(test, r.value, "4");
	KUNIT_EXPECT_EQ(test, r.len, 1U);
	kfree(r.value);

	KUNIT_EXPECT_EQ(test, xs_reply_take(XS_REPLY_TX_ID,
					    kstrdup("17", GFP_KERNEL), 3, &r),
			0);
	KUNIT_EXPECT_EQ(test, r.tx_id, 17U);
	KUNIT_EXPECT_NE(test, xs_reply_take(XS_REPLY_TX_ID,
					    kstrdup("x", GFP_KERNEL), 2, &r),
			0);
	KUNIT_EXPECT_NE(test, xs_reply_take(XS_REPLY_TX_ID,
					    kstrdup("4294967296", GFP_KERNEL),
					    11, &r), 0);
	/* Nothing to hand over: the caller may pass no reply at all. */
	KUNIT_EXPECT_EQ(test, xs_reply_take(XS_REPLY_ACK,
					    kstrdup("OK", GFP_KERNEL), 3, NULL),
			0);
}

/* ---- Directory listings ----------------------------------------------- */

static const struct {
	const char *body;	/* and the NUL every body gets after it */
	unsigned int len;
	unsigned int n;
	const char *names;	/* joined with ',' */
} listings[] = {
	{ "vbd\0vif\0console\0", 16, 3, "vbd,vif,console," },
	{ "", 0, 0, "" },
	{ "one\0", 4, 1, "one," },
	/* The last name unterminated inside the reply: the NUL ends it. */
	{ "vbd\0vif", 7, 2, "vbd,vif," },
	{ "ab", 2, 1, "ab," },
	/* An empty name is a name. */
	{ "a\0\0b\0", 5, 3, "a,,b," },
};

static void directory_names(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(listings); i++) {
		char *body = kmemdup(listings[i].body, listings[i].len + 1,
				     GFP_KERNEL);
		char joined[32] = "";
		unsigned int n = 99;
		char **list;

		KUNIT_ASSERT_NOT_NULL(test, body);
		list = xs_names_from_reply(body, listings[i].len, &n);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, list);
		KUNIT_EXPECT_EQ_MSG(test, n, listings[i].n, "listing %u", i);
		for (j = 0; j < n; j++) {
			strlcat(joined, list[j], sizeof(joined));
			strlcat(joined, ",", sizeof(joined));
		}
		KUNIT_EXPECT_STREQ_MSG(test, joined, listings[i].names,
				       "listing %u", i);
		/* One block: the array, then the names inside it. */
		for (j = 0; j < n; j++)
			KUNIT_EXPECT_TRUE(test, (char *)list[j] >
					  (char *)&list[n - 1] &&
					  list[j] < (char *)(list + n) +
					  listings[i].len + 1);
		kfree(list);
	}
}

/* ---- Watch events ----------------------------------------------------- */

static void watch_event_parsed(struct kunit *test)
{
	static const char body[] = "device/vbd/51712\00017";
	const char *path = NULL, *token = NULL;

	KUNIT_ASSERT_EQ(test, xs_parse_watch_event(body, sizeof(body), &path,
						   &token), 0);
	KUNIT_EXPECT_STREQ(test, path, "device/vbd/51712");
	KUNIT_EXPECT_STREQ(test, token, "17");
}

static void watch_event_malformed(struct kunit *test)
{
	const char *path, *token;

	/* No token at all. */
	KUNIT_EXPECT_EQ(test, xs_parse_watch_event("device", 6, &path, &token),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xs_parse_watch_event("device", 7, &path, &token),
			-EINVAL);
	/* A token not terminated within the message. */
	KUNIT_EXPECT_EQ(test, xs_parse_watch_event("a\0tok", 5, &path, &token),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xs_parse_watch_event("", 0, &path, &token),
			-EINVAL);
}

/* Tokens as they come back in events: only the ones we send name a watch. */
static const struct {
	const char *token;
	int watch;		/* index into watches[], -1 for none */
} tokens[] = {
	{ "1", 0 }, { "2", 1 }, { "3", 2 },
	/* An id given and erased again, one never given, and 0. */
	{ "4", -1 }, { "5", -1 }, { "0", -1 },
	/* Other spellings of 1, which a number parser would take. */
	{ "01", -1 }, { "+1", -1 }, { "1\n", -1 }, { " 1", -1 },
	{ "1 ", -1 }, { "0x1", -1 },
	/* Past u32, wrapping to 1 in a careless parser; no number at all. */
	{ "4294967297", -1 }, { "", -1 }, { "w", -1 },
	/* What an address token would have been. */
	{ "FFFF888001234500", -1 },
};

static void watch_found_by_token(struct kunit *test)
{
	struct xenbus_watch watches[3] = { }, gone = { };
	struct xarray ids;
	u32 next = 0;
	char token[XS_WATCH_TOKEN_LEN];
	unsigned int i;

	xa_init_flags(&ids, XA_FLAGS_ALLOC1);
	for (i = 0; i < ARRAY_SIZE(watches); i++)
		KUNIT_ASSERT_GE(test, xa_alloc_cyclic(&ids, &watches[i].id,
						      &watches[i], xa_limit_32b,
						      &next, GFP_KERNEL), 0);
	KUNIT_ASSERT_GE(test, xa_alloc_cyclic(&ids, &gone.id, &gone,
					      xa_limit_32b, &next, GFP_KERNEL),
			0);
	xa_erase(&ids, gone.id);
	/* Ids in turn from 1: the table above counts on it. */
	KUNIT_EXPECT_EQ(test, watches[0].id, 1U);
	KUNIT_EXPECT_EQ(test, gone.id, 4U);

	for (i = 0; i < ARRAY_SIZE(tokens); i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, xs_watch_by_token(&ids,
								tokens[i].token),
					tokens[i].watch < 0 ? NULL :
					&watches[tokens[i].watch],
					"token \"%s\"", tokens[i].token);

	/* Each watch's own token finds it, the largest id too. */
	for (i = 0; i < ARRAY_SIZE(watches); i++) {
		xs_watch_token(watches[i].id, token);
		KUNIT_EXPECT_PTR_EQ(test, xs_watch_by_token(&ids, token),
				    &watches[i]);
	}
	xs_watch_token(U32_MAX, token);
	KUNIT_EXPECT_STREQ(test, token, "4294967295");
	KUNIT_EXPECT_NULL(test, xs_watch_by_token(&ids, token));
	KUNIT_ASSERT_EQ(test, xa_err(xa_store(&ids, U32_MAX, &gone,
					      GFP_KERNEL)), 0);
	KUNIT_EXPECT_PTR_EQ(test, xs_watch_by_token(&ids, token), &gone);
	xa_destroy(&ids);
}

/* ---- The queue of watch events ------------------------------------------ */

static struct xs_event *new_event(struct kunit *test,
				  struct xenbus_watch *watch, const char *path)
{
	struct xs_event *ev;

	ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ev);
	ev->msg = kunit_kzalloc(test, strlen(path) + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ev->msg);
	strcpy(ev->msg, path);
	ev->path = ev->msg;
	ev->token = "";
	ev->watch = watch;
	return ev;
}

/* The paths queued for @watch, oldest first, as "p1,p2,". */
static const char *queued_paths(struct kunit *test, struct list_head *queue,
				struct xenbus_watch *watch)
{
	char *out = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct xs_event *ev;

	KUNIT_ASSERT_NOT_NULL(test, out);
	list_for_each_entry(ev, queue, list)
		if (ev->watch == watch) {
			strlcat(out, ev->path, 256);
			strlcat(out, ",", 256);
		}
	return out;
}

static void event_queue_coalesces_a_path(struct kunit *test)
{
	struct xenbus_watch a = { .node = "a" }, b = { .node = "b" };
	struct xs_event *first = new_event(test, &a, "a/state");
	struct xs_event *again = new_event(test, &a, "a/state");
	struct xs_event *other = new_event(test, &b, "a/state");
	unsigned int nr = 0;
	LIST_HEAD(queue);

	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 8, first));
	/* The queued event will read the node: the new one adds nothing. */
	KUNIT_EXPECT_PTR_EQ(test, xs_queue_event(&queue, &nr, 8, again),
			    again);
	KUNIT_EXPECT_EQ(test, nr, 1U);
	/* The same path for another watch is news for that one. */
	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 8, other));
	KUNIT_EXPECT_EQ(test, nr, 2U);
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &a), "a/state,");
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &b), "a/state,");
	/* Once taken off by xenwatch, the path may be queued again. */
	list_del(&first->list);
	nr--;
	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 8, again));
	KUNIT_EXPECT_EQ(test, nr, 2U);
}

static void event_queue_full_keeps_the_newest(struct kunit *test)
{
	struct xenbus_watch a = { .node = "a" }, b = { .node = "b" };
	struct xenbus_watch c = { .node = "c" };
	struct xs_event *a1 = new_event(test, &a, "a/1");
	unsigned int nr = 0;
	LIST_HEAD(queue);

	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 3, a1));
	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 3,
					       new_event(test, &b, "b/1")));
	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 3,
					       new_event(test, &a, "a/2")));
	KUNIT_EXPECT_EQ(test, nr, 3U);
	/* Full: a's oldest makes room for its newest. */
	KUNIT_EXPECT_PTR_EQ(test, xs_queue_event(&queue, &nr, 3,
						 new_event(test, &a, "a/3")),
			    a1);
	KUNIT_EXPECT_EQ(test, nr, 3U);
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &a), "a/2,a/3,");
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &b), "b/1,");
	/* A watch with nothing queued is let in even so. */
	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 3,
					       new_event(test, &c, "c/1")));
	KUNIT_EXPECT_EQ(test, nr, 4U);
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &c), "c/1,");
}

/* A node rewritten in a loop, under paths that all differ. */
static void event_queue_flood_is_bounded(struct kunit *test)
{
	struct xenbus_watch a = { .node = "a" }, b = { .node = "b" };
	struct xs_event *ev = NULL;
	unsigned int nr = 0, i;
	char path[32];
	LIST_HEAD(queue);

	KUNIT_EXPECT_NULL(test, xs_queue_event(&queue, &nr, 16,
					       new_event(test, &b, "b/x")));
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "a/%u", i);
		ev = new_event(test, &a, path);
		xs_queue_event(&queue, &nr, 16, ev);
		KUNIT_ASSERT_LE(test, nr, 16U);
	}
	KUNIT_EXPECT_EQ(test, list_count_nodes(&queue), 16UL);
	/* The last write is queued, and b's event is still there. */
	KUNIT_EXPECT_PTR_EQ(test, list_last_entry(&queue, struct xs_event,
						  list), ev);
	KUNIT_EXPECT_STREQ(test, queued_paths(test, &queue, &b), "b/x,");
}

/* A node holding the string @value, read as a number. */
static int number_of(const char *value, u64 *val)
{
	return xs_parse_number(value, strlen(value), val);
}

/* Numbers the other end writes: digits, all of the node. */
static void numbers_parsed(struct kunit *test)
{
	u64 val;

	KUNIT_EXPECT_EQ(test, number_of("16", &val), 0);
	KUNIT_EXPECT_EQ(test, val, 16ULL);
	KUNIT_EXPECT_EQ(test, number_of("0", &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0ULL);
	KUNIT_EXPECT_EQ(test, number_of("007", &val), 0);
	KUNIT_EXPECT_EQ(test, val, 7ULL);
	KUNIT_EXPECT_EQ(test, number_of("18446744073709551615", &val), 0);
	KUNIT_EXPECT_EQ(test, val, U64_MAX);
}

/* Anything else is no number, and leaves nothing behind. */
static void numbers_refused(struct kunit *test)
{
	u64 val = 42;

	KUNIT_EXPECT_NE(test, number_of("", &val), 0);
	KUNIT_EXPECT_NE(test, number_of("-1", &val), 0);
	KUNIT_EXPECT_NE(test, number_of("+16", &val), 0);
	KUNIT_EXPECT_NE(test, number_of(" 16", &val), 0);
	KUNIT_EXPECT_NE(test, number_of("16\n", &val), 0);
	KUNIT_EXPECT_NE(test, number_of("16 sectors", &val), 0);
	KUNIT_EXPECT_NE(test, number_of("0x10", &val), 0);
	/* 2^64: wraps to 0 in a careless parser. */
	KUNIT_EXPECT_NE(test, number_of("18446744073709551616", &val), 0);
	/* A NUL inside the node: only the length tells. */
	KUNIT_EXPECT_NE(test, xs_parse_number("16\00099", 5, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 42ULL);
}

static struct kunit_case xenstore_cases[] = {
	KUNIT_CASE(numbers_parsed),
	KUNIT_CASE(numbers_refused),
	KUNIT_CASE(put_wraps_and_fills),
	KUNIT_CASE(put_refuses_bad_indexes),
	KUNIT_CASE(take_wraps_and_empties),
	KUNIT_CASE(take_refuses_bad_indexes),
	KUNIT_CASE(short_header_waits),
	KUNIT_CASE(long_body_in_pieces),
	KUNIT_CASE(overlong_length_refused),
	KUNIT_CASE(empty_body),
	KUNIT_CASE(messages_back_to_back),
	KUNIT_CASE(receive_refuses_bad_indexes),
	KUNIT_CASE(reply_finds_its_request),
	KUNIT_CASE(reply_to_unknown_request),
	KUNIT_CASE(error_names_to_errno),
	KUNIT_CASE(reply_status),
	KUNIT_CASE(request_payloads),
	KUNIT_CASE(reply_kinds),
	KUNIT_CASE(directory_names),
	KUNIT_CASE(watch_event_parsed),
	KUNIT_CASE(watch_event_malformed),
	KUNIT_CASE(watch_found_by_token),
	KUNIT_CASE(event_queue_coalesces_a_path),
	KUNIT_CASE(event_queue_full_keeps_the_newest),
	KUNIT_CASE(event_queue_flood_is_bounded),
	{}
};

static struct kunit_suite xenstore_suite = {
	.name = "xen-xenstore",
	.test_cases = xenstore_cases,
};
kunit_test_suite(xenstore_suite);

MODULE_LICENSE("GPL");
