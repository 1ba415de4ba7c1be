// SPDX-License-Identifier: GPL-2.0
/*
 * The toolstack's control node: shutdown, reboot and sysrq requests.
 *
 * "xl shutdown" writes "poweroff" (or "reboot", "halt", "suspend") into
 * the domain's control/shutdown node; the guest acknowledges by clearing
 * the node, in a transaction so that only one of several racing readers
 * acts, and then shuts down the orderly way, as if someone had run
 * poweroff.  "xl sysrq" writes a key into control/sysrq.
 *
 * The feature-* nodes tell the toolstack what we handle.
 */
#define pr_fmt(fmt) "xen: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/syscore_ops.h>
#include <linux/sysrq.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/hvc-console.h>
#include <xen/suspend.h>
#include <xen/xenbus.h>
#include <asm/xen/hypercall.h>

#include "manage.h"

static void do_poweroff(void)
{
	orderly_poweroff(false);
}

static void do_reboot(void)
{
	orderly_reboot();
}

/* ---- Suspend: xl save, xl migrate ------------------------------------------ */

#ifdef CONFIG_XEN_SAVE_RESTORE

/*
 * On CPU 0, interrupts off, every other CPU parked by stop_machine.
 * Between the hypercall's call and its return the domain may have been
 * saved, copied to another host and restored there.
 */
static int suspend_on_cpu0(void *data)
{
	bool *cancelled = data;
	int rc;

	rc = syscore_suspend();
	if (rc)
		return rc;
	gnttab_suspend();
	xen_time_suspend();
	xen_arch_pre_suspend();

	*cancelled = HYPERVISOR_suspend(xen_arch_suspend_record()) != 0;

	xen_arch_post_suspend(*cancelled);
	gnttab_resume();
	if (!*cancelled) {
		xen_irq_resume();
		xen_time_resume();
	}
	syscore_resume();
	return 0;
}

/*
 * Not from the watch callback itself: the store is quiesced first, and
 * that waits for the callbacks to finish.
 */
static void suspend_work_fn(struct work_struct *work)
{
	bool cancelled = true;
	int rc;

	xs_suspend();
	rc = stop_machine(suspend_on_cpu0, &cancelled, cpumask_of(0));
	if (rc) {
		xs_suspend_cancel();
		pr_err("suspend failed (%d): going on\n", rc);
		return;
	}
	/*
	 * First of all, give every CPU its timer back: until then only
	 * CPU 0 has one, and whatever sleeps on another CPU (the RCU
	 * grace-period kthread, say) sleeps for ever.  The frontends'
	 * resume below waits for grace periods.
	 */
	xen_time_kick_all();
	if (cancelled) {
		xs_suspend_cancel();
	} else {
		xen_console_resume();
		xs_resume();
		xenbus_frontend_resume();
	}
	pr_info("%s\n", cancelled ? "suspend cancelled, going on" :
				    "resumed after save/restore or migration");
}

static DECLARE_WORK(suspend_work, suspend_work_fn);

static void do_suspend(void)
{
	schedule_work(&suspend_work);
}
#endif /* CONFIG_XEN_SAVE_RESTORE */

static const struct shutdown_action shutdown_actions[] = {
	{ "poweroff", do_poweroff },
	{ "halt", do_poweroff },
	{ "reboot", do_reboot },
#ifdef CONFIG_XEN_SAVE_RESTORE
	{ "suspend", do_suspend },
#endif
};

/* The action the toolstack's @request names, or NULL. */
static const struct shutdown_action *shutdown_action_for(const char *request)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shutdown_actions); i++)
		if (!strcmp(request, shutdown_actions[i].request))
			return &shutdown_actions[i];
	return NULL;
}

/* ---- The store, through xenbus ------------------------------------------- */

static int control_start(struct control_store *store,
			 struct xenbus_transaction *t)
{
	return xenbus_transaction_start(t);
}

static char *control_read(struct control_store *store,
			  struct xenbus_transaction t, const char *node)
{
	return xenbus_read(t, "control", node, NULL);
}

static int control_write(struct control_store *store,
			 struct xenbus_transaction t, const char *node,
			 const char *value)
{
	return xenbus_write(t, "control", node, value);
}

static int control_end(struct control_store *store,
		       struct xenbus_transaction t, bool abort)
{
	return xenbus_transaction_end(t, abort);
}

static struct control_store xenstore_control = {
	.start = control_start,
	.read = control_read,
	.write = control_write,
	.end = control_end,
};

/* ---- control/shutdown ---------------------------------------------------- */

/*
 * Take the toolstack's request off control/shutdown, in @store: the
 * action it names, or NULL when there is nothing to run (no node, an
 * empty one, a request we do not know, no transaction).  Of several
 * readers racing, only the one whose commit succeeds acts.
 *
 * A transaction that ends in -EAGAIN saw the node change under it: it
 * is read again, and only what the last read found is acted on, so no
 * decision may survive from one pass to the next.
 */
VISIBLE_IF_KUNIT const struct shutdown_action *
shutdown_take_request(struct control_store *store)
{
	const struct shutdown_action *action;
	struct xenbus_transaction t;
	char *request;
	int rc;

again:
	rc = store->start(store, &t);
	if (rc)
		return NULL;
	request = store->read(store, t, "shutdown");
	if (IS_ERR(request) || !request[0]) {
		/* Gone or empty: our own acknowledgement, or nothing. */
		store->end(store, t, true);
		if (!IS_ERR(request))
			kfree(request);
		return NULL;
	}
	action = shutdown_action_for(request);
	/* Acknowledge, whether we can do it or not. */
	store->write(store, t, "shutdown", "");
	rc = store->end(store, t, false);
	if (rc == -EAGAIN) {
		kfree(request);
		goto again;
	}
	if (!action)
		pr_warn_ratelimited("unsupported shutdown request '%s'\n",
				    request);
	kfree(request);
	return action;
}

static void shutdown_requested(struct xenbus_watch *watch, const char *path,
			       const char *token)
{
	const struct shutdown_action *action;

	action = shutdown_take_request(&xenstore_control);
	if (action) {
		pr_info("%s requested by the toolstack\n", action->request);
		action->act();
	}
}

static struct xenbus_watch shutdown_watch = {
	.node = "control/shutdown",
	.callback = shutdown_requested,
};

/* ---- control/sysrq ------------------------------------------------------- */

#ifdef CONFIG_MAGIC_SYSRQ
/*
 * Take the key "xl sysrq" wrote off control/sysrq, in @store, the way
 * shutdown_take_request() takes a request: acknowledged by writing the
 * node empty, read again after -EAGAIN.  The key the last read found,
 * or '\0' for none.
 */
VISIBLE_IF_KUNIT char sysrq_take_key(struct control_store *store)
{
	struct xenbus_transaction t;
	char *value;
	char key;
	int rc;

again:
	if (store->start(store, &t))
		return '\0';
	value = store->read(store, t, "sysrq");
	if (IS_ERR(value) || !value[0]) {
		store->end(store, t, true);
		if (!IS_ERR(value))
			kfree(value);
		return '\0';
	}
	key = value[0];
	kfree(value);
	store->write(store, t, "sysrq", "");
	rc = store->end(store, t, false);
	if (rc == -EAGAIN)
		goto again;
	return key;
}

static void sysrq_requested(struct xenbus_watch *watch, const char *path,
			    const char *token)
{
	char key = sysrq_take_key(&xenstore_control);

	if (key)
		handle_sysrq(key);
}

static struct xenbus_watch sysrq_watch = {
	.node = "control/sysrq",
	.callback = sysrq_requested,
};
#endif

static void advertise(const char *feature)
{
	/* The control directory is the toolstack's; best effort. */
	xenbus_printf(XBT_NIL, "control", feature, "%u", 1);
}

static int control_ready(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	if (register_xenbus_watch(&shutdown_watch))
		pr_err("cannot watch control/shutdown\n");
	advertise("feature-poweroff");
	advertise("feature-reboot");
#ifdef CONFIG_MAGIC_SYSRQ
	if (register_xenbus_watch(&sysrq_watch))
		pr_err("cannot watch control/sysrq\n");
	advertise("feature-sysrq");
#endif
	return NOTIFY_DONE;
}

static struct notifier_block control_nb = {
	.notifier_call = control_ready,
};

static int __init xen_control_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	register_xenstore_notifier(&control_nb);
	return 0;
}
device_initcall(xen_control_init);
