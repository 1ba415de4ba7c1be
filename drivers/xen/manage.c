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
#include <linux/sysrq.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

struct shutdown_action {
	const char *request;
	void (*act)(void);
};

static void do_poweroff(void)
{
	orderly_poweroff(false);
}

static void do_reboot(void)
{
	orderly_reboot();
}

static const struct shutdown_action shutdown_actions[] = {
	{ "poweroff", do_poweroff },
	{ "halt", do_poweroff },
	{ "reboot", do_reboot },
};

static void shutdown_requested(struct xenbus_watch *watch, const char *path,
			       const char *token)
{
	const struct shutdown_action *action = NULL;
	struct xenbus_transaction t;
	unsigned int i;
	char *request;
	int rc;

again:
	rc = xenbus_transaction_start(&t);
	if (rc)
		return;
	request = xenbus_read(t, "control", "shutdown", NULL);
	if (IS_ERR(request) || !request[0]) {
		/* Gone or empty: our own acknowledgement, or nothing. */
		xenbus_transaction_end(t, 1);
		if (!IS_ERR(request))
			kfree(request);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(shutdown_actions); i++)
		if (!strcmp(request, shutdown_actions[i].request))
			action = &shutdown_actions[i];
	/* Acknowledge, whether we can do it or not. */
	xenbus_write(t, "control", "shutdown", "");
	rc = xenbus_transaction_end(t, 0);
	if (rc == -EAGAIN) {
		kfree(request);
		goto again;
	}
	if (action) {
		pr_info("%s requested by the toolstack\n", request);
		action->act();
	} else {
		pr_warn_ratelimited("unsupported shutdown request '%s'\n",
				    request);
	}
	kfree(request);
}

static struct xenbus_watch shutdown_watch = {
	.node = "control/shutdown",
	.callback = shutdown_requested,
};

#ifdef CONFIG_MAGIC_SYSRQ
static void sysrq_requested(struct xenbus_watch *watch, const char *path,
			    const char *token)
{
	struct xenbus_transaction t;
	char key[2];
	int rc;

again:
	if (xenbus_transaction_start(&t))
		return;
	if (xenbus_scanf(t, "control", "sysrq", "%c", &key[0]) < 0) {
		xenbus_transaction_end(t, 1);
		return;
	}
	if (key[0] != '\0')
		xenbus_write(t, "control", "sysrq", "");
	rc = xenbus_transaction_end(t, 0);
	if (rc == -EAGAIN)
		goto again;
	if (key[0] != '\0')
		handle_sysrq(key[0]);
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
