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
	/*
	 * Without its grant table (a new host allowing fewer frames, say)
	 * no frontend can reconnect, and whatever the drivers granted in
	 * the frames that are missing would go unseen: better to stop
	 * here with the reason than to run on with dead devices.
	 */
	if (gnttab_resume())
		panic("xen: no grant table after the restore\n");
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

static void start_suspend(void)
{
	schedule_work(&suspend_work);
}
#else
static void start_suspend(void)
{
	/* No "suspend" word without it: control_take_stop() never says so. */
}
#endif /* CONFIG_XEN_SAVE_RESTORE */

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

/* ---- Taking a request off a control node ------------------------------ */

/*
 * The toolstack writes a request into a node of control/ and waits for
 * us to empty the node: that is the acknowledgment ("xl shutdown -w"
 * and friends time out without it).  The read and the clearing share
 * one transaction, so that of several readers (the watch fires again
 * for our own write, and after a restore) exactly one takes a request.
 *
 * One attempt: 1 when a request was taken into @buf, 0 when there was
 * none (no node, an empty one, an unreadable one), or the error that
 * ended the transaction; -EAGAIN means the node changed meanwhile and
 * @buf holds a request nobody stands by any more.
 */
static int control_take_once(struct control_store *store, const char *node,
			     char *buf, size_t size)
{
	struct xenbus_transaction t;
	char *value;
	int rc;

	rc = store->start(store, &t);
	if (rc)
		return rc;
	value = store->read(store, t, node);
	if (IS_ERR(value)) {
		store->end(store, t, true);
		return 0;
	}
	strscpy(buf, value, size);
	kfree(value);
	if (!buf[0]) {
		/* Our own acknowledgment firing the watch, or nothing. */
		store->end(store, t, true);
		return 0;
	}
	store->write(store, t, node, "");
	rc = store->end(store, t, false);
	return rc ? rc : 1;
}

/*
 * Read and clear control/@node: true when a request is in @buf (cut to
 * @size).  Whatever a failed commit read is thrown away and the node
 * read afresh, so only a request still there when our clearing
 * committed is ever acted on.  A request whose clearing did not commit
 * for another reason is not acted on either: the toolstack did not get
 * its acknowledgment and another reader may take it.
 */
static bool control_take(struct control_store *store, const char *node,
			 char *buf, size_t size)
{
	int rc;

	do {
		rc = control_take_once(store, node, buf, size);
	} while (rc == -EAGAIN);
	if (rc < 0)
		pr_warn_ratelimited("control/%s: cannot take the request (%d)\n",
				    node, rc);
	return rc > 0;
}

/* ---- control/shutdown ---------------------------------------------------- */

static const char *const stop_words[] = {
	[XEN_STOP_POWEROFF] = "poweroff",
	[XEN_STOP_HALT] = "halt",
	[XEN_STOP_REBOOT] = "reboot",
#ifdef CONFIG_XEN_SAVE_RESTORE
	[XEN_STOP_SUSPEND] = "suspend",
#endif
};

/*
 * The request in control/shutdown, taken off it.  A word we do not know
 * is acknowledged all the same (the toolstack is not left waiting) and
 * ignored.
 */
VISIBLE_IF_KUNIT enum xen_stop control_take_stop(struct control_store *store)
{
	char word[16];
	unsigned int i;

	if (!control_take(store, "shutdown", word, sizeof(word)))
		return XEN_STOP_NONE;
	for (i = XEN_STOP_POWEROFF; i < ARRAY_SIZE(stop_words); i++)
		if (stop_words[i] && !strcmp(word, stop_words[i]))
			return i;
	pr_warn_ratelimited("control/shutdown: ignored unknown request \"%*pE\"\n",
			    (int)strlen(word), word);
	return XEN_STOP_NONE;
}

static void shutdown_watch_fired(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	enum xen_stop stop = control_take_stop(&xenstore_control);

	if (stop == XEN_STOP_NONE)
		return;
	pr_info("the toolstack asks for %s\n", stop_words[stop]);
	switch (stop) {
	case XEN_STOP_POWEROFF:
	case XEN_STOP_HALT:
		/* As if root ran poweroff: user space shuts down first. */
		orderly_poweroff(false);
		break;
	case XEN_STOP_REBOOT:
		orderly_reboot();
		break;
	case XEN_STOP_SUSPEND:
		start_suspend();
		break;
	case XEN_STOP_NONE:
		break;
	}
}

static struct xenbus_watch shutdown_watch = {
	.node = "control/shutdown",
	.callback = shutdown_watch_fired,
};

/* ---- control/sysrq ------------------------------------------------------- */

#ifdef CONFIG_MAGIC_SYSRQ
/*
 * The key "xl sysrq" wrote into control/sysrq, taken off it, or '\0'.
 * Only the first character counts: xl writes exactly one.
 */
VISIBLE_IF_KUNIT char control_take_sysrq(struct control_store *store)
{
	char key[2];

	return control_take(store, "sysrq", key, sizeof(key)) ? key[0] : '\0';
}

static void sysrq_watch_fired(struct xenbus_watch *watch, const char *path,
			      const char *token)
{
	char key = control_take_sysrq(&xenstore_control);

	if (key)
		handle_sysrq(key);
}

static struct xenbus_watch sysrq_watch = {
	.node = "control/sysrq",
	.callback = sysrq_watch_fired,
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
