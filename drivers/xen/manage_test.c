// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control node (manage.c): what a shutdown request or
 * a sysrq key in the store makes the guest do, and above all what it
 * does when the toolstack changes the node while the guest is taking it
 * off: the transaction ends in -EAGAIN, and only what the last read
 * found may be acted on.  No running domain can time that race; a fake
 * store can, at every transaction.
 *
 * Nothing is run: the tests look at the action chosen, never call it.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "manage.h"

/*
 * One node of the control directory, with transactions the way
 * xenstored keeps them: our write is seen once our transaction
 * commits, and a commit fails with -EAGAIN when someone else changed
 * the node while the transaction was open.  That someone is the test:
 * at our commits it writes races[0], races[1], ... in turn, each one
 * failing that commit, and lets the commits after the last one through.
 */
struct fake_store {
	struct control_store store;
	struct kunit *test;
	const char *name;		/* "shutdown" or "sysrq" */
	char value[16];			/* committed; valid if exists */
	bool exists;
	const char *const *races;	/* NULL: the node is removed */
	unsigned int nr_races;
	unsigned int start_fails_at;	/* the nth start fails; 0: none */

	/* What the code under test did. */
	struct xenbus_transaction open;	/* id 0: none open */
	bool pending;			/* we wrote in the open one */
	char pending_value[16];
	unsigned int starts, reads, writes, commits, eagains, aborts;
	char taken[2];			/* a sysrq key, as a string */
};

static struct fake_store *to_fake(struct control_store *store)
{
	return container_of(store, struct fake_store, store);
}

static int fake_start(struct control_store *store,
		      struct xenbus_transaction *t)
{
	struct fake_store *f = to_fake(store);

	KUNIT_EXPECT_EQ_MSG(f->test, f->open.id, 0U,
			    "a transaction started inside another");
	f->starts++;
	if (f->starts == f->start_fails_at)
		return -ENOMEM;
	f->open.id = f->starts;
	f->pending = false;
	*t = f->open;
	return 0;
}

static void expect_open(struct fake_store *f, struct xenbus_transaction t,
			const char *node)
{
	KUNIT_EXPECT_NE_MSG(f->test, t.id, 0U,
			    "store used outside a transaction");
	KUNIT_EXPECT_EQ_MSG(f->test, t.id, f->open.id,
			    "store used in a transaction not open");
	KUNIT_EXPECT_STREQ(f->test, node, f->name);
}

static char *fake_read(struct control_store *store,
		       struct xenbus_transaction t, const char *node)
{
	struct fake_store *f = to_fake(store);
	char *copy;

	expect_open(f, t, node);
	f->reads++;
	if (!f->exists)
		return ERR_PTR(-ENOENT);
	/* The caller frees it, as it frees what xenbus_read() returns. */
	copy = kstrdup(f->value, GFP_KERNEL);
	return copy ? copy : ERR_PTR(-ENOMEM);
}

static int fake_write(struct control_store *store,
		      struct xenbus_transaction t, const char *node,
		      const char *value)
{
	struct fake_store *f = to_fake(store);

	expect_open(f, t, node);
	f->writes++;
	f->pending = true;
	strscpy(f->pending_value, value, sizeof(f->pending_value));
	return 0;
}

static int fake_end(struct control_store *store, struct xenbus_transaction t,
		    bool abort)
{
	struct fake_store *f = to_fake(store);
	const char *race;

	expect_open(f, t, f->name);
	f->open.id = 0;
	if (abort) {
		f->aborts++;
		return 0;
	}
	if (f->eagains < f->nr_races) {
		/* Changed under us: our write is lost, the race's stays. */
		race = f->races[f->eagains++];
		f->exists = race;
		if (race)
			strscpy(f->value, race, sizeof(f->value));
		return -EAGAIN;
	}
	f->commits++;
	if (f->pending) {
		f->exists = true;
		strscpy(f->value, f->pending_value, sizeof(f->value));
	}
	return 0;
}

/* What xenbus would do, played by the fake. */
static const struct control_store fake_ops = {
	.start = fake_start,
	.read = fake_read,
	.write = fake_write,
	.end = fake_end,
};

/* @value NULL: no node. */
static void fake_init(struct fake_store *f, struct kunit *test,
		      const char *name, const char *value)
{
	memset(f, 0, sizeof(*f));
	f->store = fake_ops;
	f->test = test;
	f->name = name;
	f->exists = value;
	if (value)
		strscpy(f->value, value, sizeof(f->value));
}

/* Every transaction begun was ended, and the node holds @value. */
static void expect_node(struct fake_store *f, const char *value,
			const char *what)
{
	KUNIT_EXPECT_EQ_MSG(f->test, f->open.id, 0U,
			    "%s: a transaction left open", what);
	if (!value) {
		KUNIT_EXPECT_FALSE_MSG(f->test, f->exists,
				       "%s: node \"%s\" instead of none", what,
				       f->value);
		return;
	}
	KUNIT_EXPECT_TRUE_MSG(f->test, f->exists, "%s: no node", what);
	KUNIT_EXPECT_STREQ_MSG(f->test, f->value, value, "%s", what);
}

/*
 * One node, what happens to it meanwhile, and what must come of it:
 * what is taken ("" for nothing), what the node holds afterwards (NULL
 * for no node) and how many transactions were started, written in,
 * committed and aborted on the way.
 */
struct take_row {
	const char *what;
	const char *node;		/* NULL: no node */
	const char *races[3];		/* written at our commits, in turn */
	unsigned int nr_races;
	unsigned int start_fails_at;	/* the nth start fails; 0: none */
	const char *taken;
	const char *after;
	unsigned int starts, writes, commits, aborts;
};

static void run_rows(struct kunit *test, const char *name,
		     const struct take_row *rows, unsigned int nr_rows,
		     const char *(*take)(struct fake_store *f))
{
	const struct take_row *r;
	struct fake_store f;

	for (r = rows; r < rows + nr_rows; r++) {
		fake_init(&f, test, name, r->node);
		f.races = r->races;
		f.nr_races = r->nr_races;
		f.start_fails_at = r->start_fails_at;
		KUNIT_EXPECT_STREQ_MSG(test, take(&f), r->taken, "%s", r->what);
		expect_node(&f, r->after, r->what);
		KUNIT_EXPECT_EQ_MSG(test, f.starts, r->starts,
				    "%s: transactions started", r->what);
		KUNIT_EXPECT_EQ_MSG(test, f.writes, r->writes,
				    "%s: writes", r->what);
		KUNIT_EXPECT_EQ_MSG(test, f.commits, r->commits,
				    "%s: commits", r->what);
		KUNIT_EXPECT_EQ_MSG(test, f.aborts, r->aborts,
				    "%s: aborts", r->what);
	}
}

/* ---- control/shutdown ---------------------------------------------------- */

/* The request taken, as the toolstack spells it: readable in a failure. */
static const char *take_request(struct fake_store *f)
{
	static const char *const names[] = {
		[XEN_STOP_NONE] = "",
		[XEN_STOP_POWEROFF] = "poweroff",
		[XEN_STOP_HALT] = "halt",
		[XEN_STOP_REBOOT] = "reboot",
		[XEN_STOP_SUSPEND] = "suspend",
	};
	enum xen_stop stop = control_take_stop(&f->store);

	KUNIT_ASSERT_LT(f->test, (unsigned int)stop, ARRAY_SIZE(names));
	return names[stop];
}

/*
 * Each request the toolstack writes is taken and acknowledged (the node
 * written empty) in one transaction; our own acknowledgment fires the
 * watch again and finds nothing to do; a request we do not know is
 * acknowledged all the same, so that the toolstack is not left waiting.
 */
static const struct take_row shutdown_plain_rows[] = {
	{ "poweroff", "poweroff", {}, 0, 0, "poweroff", "", 1, 1, 1, 0 },
	{ "halt", "halt", {}, 0, 0, "halt", "", 1, 1, 1, 0 },
	{ "reboot", "reboot", {}, 0, 0, "reboot", "", 1, 1, 1, 0 },
#ifdef CONFIG_XEN_SAVE_RESTORE
	{ "suspend", "suspend", {}, 0, 0, "suspend", "", 1, 1, 1, 0 },
#endif
	{ "empty node", "", {}, 0, 0, "", "", 1, 0, 0, 1 },
	{ "no node", NULL, {}, 0, 0, "", NULL, 1, 0, 0, 1 },
	{ "unknown request", "bogus", {}, 0, 0, "", "", 1, 1, 1, 0 },
};

static void shutdown_requests(struct kunit *test)
{
	run_rows(test, "shutdown", shutdown_plain_rows,
		 ARRAY_SIZE(shutdown_plain_rows), take_request);
}

/*
 * Finding 12: the node changes while we take it off, the commit ends in
 * -EAGAIN, and only what the last read found may be acted on: rebooting
 * for a "reboot" replaced by a request we do not know, or withdrawn,
 * would act on a request nobody stands by any more.  Without a
 * transaction nothing is read, and nothing acted on.
 */
static const struct take_row shutdown_race_rows[] = {
	{ "reboot replaced by an unknown request", "reboot", { "bogus" }, 1, 0,
	  "", "", 2, 2, 1, 0 },
	{ "poweroff withdrawn", "poweroff", { "" }, 1, 0, "", "", 2, 1, 0, 1 },
	{ "poweroff removed", "poweroff", { NULL }, 1, 0, "", NULL, 2, 1, 0, 1 },
	{ "reboot replaced by poweroff", "reboot", { "poweroff" }, 1, 0,
	  "poweroff", "", 2, 2, 1, 0 },
	{ "three changes, the last unknown", "reboot",
	  { "halt", "poweroff", "bogus" }, 3, 0, "", "", 4, 4, 1, 0 },
	{ "three changes, the last halt", "bogus",
	  { "reboot", "poweroff", "halt" }, 3, 0, "halt", "", 4, 4, 1, 0 },
	{ "no transaction", "poweroff", {}, 0, 1, "", "poweroff", 1, 0, 0, 0 },
	{ "no transaction for the retry", "poweroff", { "reboot" }, 1, 2,
	  "", "reboot", 2, 1, 0, 0 },
};

static void shutdown_races(struct kunit *test)
{
	run_rows(test, "shutdown", shutdown_race_rows,
		 ARRAY_SIZE(shutdown_race_rows), take_request);
}

/* ---- control/sysrq ------------------------------------------------------- */

#ifdef CONFIG_MAGIC_SYSRQ
/* The key taken, as a string ("" for none). */
static const char *take_key(struct fake_store *f)
{
	f->taken[0] = control_take_sysrq(&f->store);
	f->taken[1] = '\0';
	return f->taken;
}

static const struct take_row sysrq_rows[] = {
	{ "a key", "b", {}, 0, 0, "b", "", 1, 1, 1, 0 },
	{ "empty node", "", {}, 0, 0, "", "", 1, 0, 0, 1 },
	{ "no node", NULL, {}, 0, 0, "", NULL, 1, 0, 0, 1 },
	{ "no transaction", "b", {}, 0, 1, "", "b", 1, 0, 0, 0 },
	{ "three changes", "b", { "s", "u", "t" }, 3, 0, "t", "", 4, 4, 1, 0 },
	{ "key withdrawn", "b", { "" }, 1, 0, "", "", 2, 1, 0, 1 },
};

static void sysrq_keys(struct kunit *test)
{
	run_rows(test, "sysrq", sysrq_rows, ARRAY_SIZE(sysrq_rows), take_key);
}
#endif /* CONFIG_MAGIC_SYSRQ */

static struct kunit_case manage_cases[] = {
	KUNIT_CASE(shutdown_requests),
	KUNIT_CASE(shutdown_races),
#ifdef CONFIG_MAGIC_SYSRQ
	KUNIT_CASE(sysrq_keys),
#endif
	{}
};

static struct kunit_suite manage_suite = {
	.name = "xen-manage",
	.test_cases = manage_cases,
};
kunit_test_suite(manage_suite);

MODULE_LICENSE("GPL");
