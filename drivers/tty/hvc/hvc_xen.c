// SPDX-License-Identifier: GPL-2.0
/*
 * hvc0 on Xen.
 *
 * A domU's console is a page of two rings (input and output, indexes
 * included; io/console.h) shared with xenconsoled in dom0, plus an event
 * channel each side kicks when it has added or consumed bytes.  The
 * domain builder sets both up and tells a PV guest where in start_info,
 * a PVH guest in HVM parameters (xen/hvm-param.h).
 *
 * dom0's console is Xen's own: output through HYPERVISOR_console_io,
 * input read the same way when VIRQ_CONSOLE says there is some.
 *
 * hvc0 is registered twice, as usual for hvc: as a console at
 * console_initcall time (printk output from early on) and as a tty once
 * interrupts can be bound.  The "xenboot" console (earlyprintk=xen) writes
 * through the raw path, which works from the first instruction.
 */
#define pr_fmt(fmt) "hvc_xen: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/hvc-console.h>
#include <xen/hvm-param.h>
#include <xen/xen.h>
#include <xen/interface/io/console.h>

#include "hvc_console.h"

/* hvc's name for our one console. */
#define XEN_VTERM	0

static struct xencons_interface *cons_ring;
static evtchn_port_t cons_port;
static int cons_irq;
static struct hvc_struct *cons_hvc;

/* ---- domU: the shared ring ---------------------------------------------- */

/*
 * The indexes count bytes for ever and wrap at 2^32; a ring holds its
 * producer minus its consumer.  Each side writes one index and only
 * reads the other, so whatever xenconsoled (or whoever is at the other
 * end) puts in its index, we take a copy once and check that copy: more
 * than a ring's worth, or a consumer ahead of the producer (which shows
 * as a huge difference), cannot happen with a sane peer.  Such indexes
 * are another domain's fault, not a bug of ours, so they get a
 * rate-limited message and never a WARN (a guest with panic_on_warn
 * would die of its console daemon).  The index that is ours we then
 * set where the peer's is: the unread bytes are lost, but the ring is
 * consistent again and the console goes on.
 */
static bool cons_indexes_sane(XENCONS_RING_IDX prod, XENCONS_RING_IDX cons,
			      size_t size)
{
	return prod - cons <= size;
}

/*
 * Where a run of bytes starting at ring index @idx lies in a ring array
 * of @size bytes.  The arrays of io/console.h are a power of two long
 * (1024 in, 2048 out) and the indexes run free, so the run starts at
 * @idx masked and wraps at most once: @first bytes up to the array's
 * end, then @second from its start.  Both directions copy with it, a
 * memcpy() per part.
 */
struct ring_run {
	size_t at, first, second;
};

static struct ring_run locate_run(XENCONS_RING_IDX idx, size_t size,
			       size_t len)
{
	size_t at = idx & (size - 1);
	size_t first = min(len, size - at);

	return (struct ring_run){ at, first, len - first };
}

/*
 * Put as much of @buf as there is room for onto the output ring of @r;
 * returns how many bytes went.
 */
VISIBLE_IF_KUNIT int xencons_write(struct xencons_interface *r,
				   const char *buf, int len)
{
	XENCONS_RING_IDX cons = READ_ONCE(r->out_cons);
	XENCONS_RING_IDX prod = r->out_prod;
	struct ring_run run;
	size_t room;

	/* The consumer index before we reuse the space it frees. */
	virt_mb();
	if (!cons_indexes_sane(prod, cons, sizeof(r->out))) {
		pr_err_ratelimited("output ring indexes out of range (prod %u, cons %u), output dropped\n",
				   prod, cons);
		prod = cons;
	}
	room = sizeof(r->out) - (prod - cons);
	run = locate_run(prod, sizeof(r->out), min_t(size_t, len, room));
	memcpy(r->out + run.at, buf, run.first);
	memcpy(r->out, buf + run.first, run.second);
	/* The bytes before the index that publishes them. */
	virt_wmb();
	r->out_prod = prod + run.first + run.second;
	return run.first + run.second;
}

/*
 * Take as much of the input ring of @r as @buf holds; returns how many
 * bytes came.
 */
VISIBLE_IF_KUNIT int xencons_read(struct xencons_interface *r, char *buf,
				  int len)
{
	XENCONS_RING_IDX cons = r->in_cons;
	XENCONS_RING_IDX prod = READ_ONCE(r->in_prod);
	struct ring_run run;

	/* The producer index before the bytes it covers. */
	virt_rmb();
	if (!cons_indexes_sane(prod, cons, sizeof(r->in))) {
		pr_err_ratelimited("input ring indexes out of range (prod %u, cons %u), input dropped\n",
				   prod, cons);
		cons = prod;
	}
	run = locate_run(cons, sizeof(r->in), min_t(size_t, len, prod - cons));
	memcpy(buf, r->in + run.at, run.first);
	memcpy(buf + run.first, r->in, run.second);
	/* Done with the bytes before xenconsoled may overwrite them. */
	virt_mb();
	r->in_cons = cons + run.first + run.second;
	return run.first + run.second;
}

/* ---- What hvc sees ------------------------------------------------------ */

/*
 * hvc's view of the console: the ring in a domU (cons_ring set), Xen's
 * console in dom0 (cons_ring NULL).  One set of operations serves both;
 * which one is behind it is found once, by find_ring().
 */
static int xen_cons_put(u32 vterm, const char *buf, int len)
{
	int rc;

	if (!cons_ring) {
		rc = HYPERVISOR_console_io(CONSOLEIO_write, len, buf);
		return rc < 0 ? rc : len;
	}
	rc = xencons_write(cons_ring, buf, len);
	if (rc)
		notify_remote_via_evtchn(cons_port);
	return rc;
}

static int xen_cons_get(u32 vterm, char *buf, int len)
{
	int rc;

	if (!cons_ring) {
		rc = HYPERVISOR_console_io(CONSOLEIO_read, len, buf);
		return max(rc, 0);
	}
	rc = xencons_read(cons_ring, buf, len);
	if (rc)
		notify_remote_via_evtchn(cons_port);
	return rc;
}

/*
 * A domU's event means the peer moved in_prod (input for us) or
 * out_cons (room for our output).  That channel is bound with late EOI:
 * it stays masked until we have looked, and an event that moved neither
 * index since the last one is reported spurious, so a console daemon
 * that notifies in a loop is slowed down by the event core
 * (xen/events.h) instead of keeping a vCPU in this handler.  dom0's
 * VIRQ_CONSOLE is an ordinary interrupt.
 */
static XENCONS_RING_IDX seen_in_prod, seen_out_cons;

static bool ring_moved(void)
{
	XENCONS_RING_IDX in_prod = READ_ONCE(cons_ring->in_prod);
	XENCONS_RING_IDX out_cons = READ_ONCE(cons_ring->out_cons);
	bool moved = in_prod != seen_in_prod || out_cons != seen_out_cons;

	seen_in_prod = in_prod;
	seen_out_cons = out_cons;
	return moved;
}

static irqreturn_t xen_cons_interrupt(int irq, void *dev_id)
{
	bool moved = cons_ring ? ring_moved() : true;

	if (hvc_poll(dev_id))
		hvc_kick();
	if (cons_ring)
		xen_irq_lateeoi(irq, moved ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/*
 * hvc asks for the interrupt when the tty opens and lets it go when it
 * closes or hangs up; hvc_irq.c's helpers would bind their own handler,
 * which knows nothing of late EOI.
 */
static int xen_cons_irq_get(struct hvc_struct *hp, int irq)
{
	int rc;

	hp->irq_requested = 0;
	if (!irq)
		return 0;
	rc = request_irq(irq, xen_cons_interrupt, 0, "hvc_console", hp);
	if (!rc)
		hp->irq_requested = 1;
	return rc;
}

static void xen_cons_irq_put(struct hvc_struct *hp, int irq)
{
	if (!hp->irq_requested)
		return;
	free_irq(irq, hp);
	hp->irq_requested = 0;
}

static const struct hv_ops xen_cons_ops = {
	.get_chars = xen_cons_get,
	.put_chars = xen_cons_put,
	.notifier_add = xen_cons_irq_get,
	.notifier_del = xen_cons_irq_put,
	.notifier_hangup = xen_cons_irq_put,
};

/*
 * A PVH guest maps its ring once; after a restore the page is the same
 * (the toolstack puts it at the same frame) and only the channel may be
 * new.
 */
static bool find_pvh_ring(void)
{
	u64 port;

	if (!cons_ring) {
		cons_ring = xen_pvh_map_ring(HVM_PARAM_CONSOLE_PFN,
					     HVM_PARAM_CONSOLE_EVTCHN,
					     &cons_port);
	} else if (!xen_hvm_param_get(HVM_PARAM_CONSOLE_EVTCHN, &port) &&
		   port && port <= U32_MAX) {
		cons_port = port;
	}
	if (cons_ring)
		xen_early_console_ring(cons_ring, cons_port);
	return cons_ring;
}

static bool find_ring(void)
{
	if (xen_initial_domain())
		return true;
	if (xen_pvh_domain())
		return find_pvh_ring();
#ifdef CONFIG_XEN_PV
	/* A PV guest's start_info names the ring's machine frame. */
	if (xen_pv_domain() && xen_start_info->console.domU.mfn) {
		cons_ring = mfn_to_virt(xen_start_info->console.domU.mfn);
		cons_port = xen_start_info->console.domU.evtchn;
		return true;
	}
#endif
	return false;
}

/* printk's hvc0, from console_initcall time on. */
static int __init xen_hvc_console_init(void)
{
	if (!xen_domain() || !find_ring())
		return -ENODEV;
	hvc_instantiate(XEN_VTERM, 0, &xen_cons_ops);
	return 0;
}
console_initcall(xen_hvc_console_init);

/* The tty, once interrupts can be bound. */
static int __init xen_hvc_init(void)
{
	struct hvc_struct *hp;

	if (!xen_domain() || !find_ring())
		return -ENODEV;
	if (xen_initial_domain())
		cons_irq = bind_virq_to_irq(VIRQ_CONSOLE, 0, false);
	else
		cons_irq = bind_evtchn_to_irq_lateeoi(cons_port);
	if (cons_irq < 0)
		return cons_irq;
	hp = hvc_alloc(XEN_VTERM, cons_irq, &xen_cons_ops, 256);
	if (IS_ERR(hp)) {
		unbind_from_irq(cons_irq);
		return PTR_ERR(hp);
	}
	cons_hvc = hp;
	return 0;
}
device_initcall(xen_hvc_init);

/* After a restore the ring and the channel are new. */
void xen_console_resume(void)
{
	if (!cons_hvc || xen_initial_domain() || !find_ring())
		return;
	xen_rebind_evtchn_irq(cons_port, cons_irq);
}

/* ---- Raw output: earlyprintk=xen, panics ----------------------------------- */

void xen_raw_console_write(const char *str)
{
	if (xen_domain())
		xen_early_write(str, strlen(str));
}

/*
 * For the PVH entry code's early errors.  Formatting and writing are
 * those of our own early messages (arch/x86/xen/console.c): one
 * implementation for both.
 */
void xen_raw_printk(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	xen_early_vprintf(fmt, args);
	va_end(args);
}

static void xenboot_write(struct console *c, const char *s, unsigned int n)
{
	xen_early_write(s, n);
}

struct console xenboot_console = {
	.name = "xenboot",
	.write = xenboot_write,
	.flags = CON_PRINTBUFFER | CON_BOOT | CON_ANYTIME,
	.index = -1,
};
