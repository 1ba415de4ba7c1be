// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels: Xen's interrupts, as Linux IRQs.
 *
 * The 2-level ABI keeps two bitmaps in shared_info, evtchn_pending and
 * evtchn_mask, one bit per port: a word of bits for each bit of a word,
 * 64 x 64 ports on a 64-bit guest, 32 x 32 on a 32-bit one (Xen's
 * compat layout, xen_ulong_t being the guest's unsigned long).  When
 * a port fires, Xen sets its pending bit and, unless it is masked, sets
 * the port's word in the notified vCPU's evtchn_pending_sel and that
 * vCPU's evtchn_upcall_pending, then enters our event callback (unless
 * the vCPU masked all events with evtchn_upcall_mask; see
 * arch/x86/xen/irq.c).  The upcall walks sel -> words -> bits and runs
 * the Linux IRQ bound to each port.
 *
 * Every bit is shared with Xen, so all changes are locked operations.
 *
 * Linux IRQs: each bound port gets an irq_desc and a small record of what
 * the port is bound to.  Per-vCPU bindings (the timer VIRQ, IPIs) get one
 * IRQ per CPU and the percpu flow handler; everything else is an edge
 * interrupt (ack = clear pending) that can move between vCPUs with
 * EVTCHNOP_bind_vcpu.
 */
#include <linux/bitops.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/hrtimer.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include <asm/idtentry.h>
#include <asm/irq_stack.h>
#include <asm/sync_bitops.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/xen.h>
#include <xen/interface/physdev.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>

#include "eoi-throttle.h"
#include "upcall-scan.h"
#include "xen-counters.h"

#define EVTCHN_WORD_BITS	(sizeof(xen_ulong_t) * 8)
#define EVTCHN_NR_PORTS		(EVTCHN_WORD_BITS * EVTCHN_WORD_BITS)
/* The selector is an unsigned long: upcall-scan.h turns it as one. */
static_assert(EVTCHN_WORD_BITS == BITS_PER_LONG);

enum xen_irq_kind { XIRQ_EVTCHN, XIRQ_VIRQ, XIRQ_IPI, XIRQ_PIRQ };

/* What a Linux IRQ of ours is bound to. */
struct xen_irq {
	enum xen_irq_kind kind;
	evtchn_port_t port;		/* 0: not bound right now */
	unsigned int cpu;		/* the vCPU Xen notifies */
	unsigned int index;		/* VIRQ or IPI number, or the pirq */
	unsigned int gsi;		/* pirq: the GSI */
	bool level;			/* pirq: level triggered */
	bool close_on_unbind;		/* we opened the channel */
	bool lateeoi;			/* masked until xen_irq_lateeoi() */
	unsigned int refs;		/* bind_evtchn_to_irq() callers */
	raw_spinlock_t move_lock;	/* late EOI vs a vCPU move */
	/* Late EOI: spurious events in a row, and the delayed unmask. */
	struct eoi_throttle eoi;	/* under move_lock */
	struct timer_list eoi_timer;
};

static DEFINE_MUTEX(xen_irq_lock);
static int port_to_irq[EVTCHN_NR_PORTS] = { [0 ... EVTCHN_NR_PORTS - 1] = -1 };
static DEFINE_PER_CPU(int [NR_VIRQS], virq_irq) = { [0 ... NR_VIRQS - 1] = -1 };
static DEFINE_PER_CPU(int [XEN_NR_IPIS], ipi_irq) = { [0 ... XEN_NR_IPIS - 1] = -1 };
static DEFINE_PER_CPU(evtchn_port_t [XEN_NR_IPIS], ipi_port);

/* Ports Xen notifies this CPU of: the upcall only looks at those. */
static DEFINE_PER_CPU(xen_ulong_t [EVTCHN_WORD_BITS], cpu_ports);

static struct irq_chip xen_percpu_chip, xen_dynamic_chip, xen_pirq_chip;

static unsigned long *pending_bits(void)
{
	return (unsigned long *)HYPERVISOR_shared_info->evtchn_pending;
}

static unsigned long *mask_bits(void)
{
	return (unsigned long *)HYPERVISOR_shared_info->evtchn_mask;
}

static struct xen_irq *xirq(unsigned int irq)
{
	return irq_get_chip_data(irq);
}

evtchn_port_t evtchn_from_irq(unsigned int irq)
{
	struct xen_irq *x = xirq(irq);

	return x ? x->port : 0;
}
EXPORT_SYMBOL_GPL(evtchn_from_irq);

int irq_from_evtchn(evtchn_port_t port)
{
	return port < EVTCHN_NR_PORTS ? port_to_irq[port] : -1;
}
EXPORT_SYMBOL_GPL(irq_from_evtchn);

int irq_from_virq(unsigned int cpu, unsigned int virq)
{
	return per_cpu(virq_irq, cpu)[virq];
}

/* ---- Bits ---------------------------------------------------------------- */

static void port_mask(evtchn_port_t port)
{
	sync_set_bit(port, mask_bits());
}

static void port_clear_pending(evtchn_port_t port)
{
	sync_clear_bit(port, pending_bits());
}

/*
 * Unmask a port another vCPU is notified of.  A port that fired while
 * masked is left pending by Xen with nobody told, and only Xen can raise
 * it on the other vCPU's selector: its EVTCHNOP_unmask does so, but
 * only for a port whose mask bit is still set (xen/common/event_2l.c).
 * So a pending port is handed to Xen masked; one that is not pending is
 * simply unmasked, which costs no hypercall, and looked at once more in
 * case it fired just before the mask bit went.  In that case it may
 * also have been delivered meanwhile, so it can be raised twice: the
 * upcall finds it pending or not, and a late-EOI port is masked again
 * when it is delivered.
 */
static void unmask_remote(evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	if (!sync_test_bit(port, pending_bits())) {
		sync_clear_bit(port, mask_bits());
		if (!sync_test_bit(port, pending_bits()))
			return;
		sync_set_bit(port, mask_bits());
	}
	HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &unmask);
}

/*
 * Unmask.  If the port fired while masked, Xen left it pending without
 * telling anyone; raise it by hand on this vCPU, the way Xen would have.
 * A PV vCPU gets the upcall on the way back from any hypercall once its
 * flag is set.  An HVM one gets its callback vector only when Xen itself
 * sees the flag go up (the per-vCPU vector is an interrupt of the local
 * APIC, raised on that edge): there EVTCHNOP_unmask does it all.
 */
static void port_unmask(evtchn_port_t port)
{
	struct xen_irq *x = xirq(port_to_irq[port]);
	unsigned int cpu = get_cpu();

	if ((x && x->cpu != cpu) || xen_hvm_domain()) {
		unmask_remote(port);
	} else {
		struct vcpu_info *v = this_cpu_read(xen_vcpu);

		sync_clear_bit(port, mask_bits());
		if (sync_test_bit(port, pending_bits()) &&
		    !sync_test_and_set_bit(port / EVTCHN_WORD_BITS,
					   (unsigned long *)&v->evtchn_pending_sel)) {
			v->evtchn_upcall_pending = 1;
			if (!v->evtchn_upcall_mask)
				xen_force_evtchn_callback();
		}
	}
	put_cpu();
}

static void bind_port_to_cpu(evtchn_port_t port, unsigned int cpu)
{
	unsigned int old;
	int irq = port_to_irq[port];

	for_each_possible_cpu(old)
		clear_bit(port, (unsigned long *)per_cpu(cpu_ports, old));
	set_bit(port, (unsigned long *)per_cpu(cpu_ports, cpu));
	if (irq >= 0)
		xirq(irq)->cpu = cpu;
}

/* ---- The upcall ---------------------------------------------------------- */

/*
 * At most this many ports are run per upcall.  Another domain decides
 * how often its end of a channel sends, and a port that is run and
 * acked is pending again as soon as the peer sends once more: without a
 * bound the loop below could go on for as long as the peer likes, with
 * softirqs, RCU and the scheduler all waiting for its end.  A busy
 * guest has a handful of ports pending per upcall; this is far above.
 */
#define UPCALL_BUDGET		128

/* The port the next upcall of this CPU starts its scan at. */
static DEFINE_PER_CPU(unsigned int, upcall_scan_from);

/*
 * A port whose events only Xen or we ourselves raise: a VIRQ (the
 * timer above all) or an IPI.  No other domain can make those fire, so
 * they never wait for a later upcall (see defer_the_rest()).
 */
static bool port_is_local(evtchn_port_t port)
{
	int irq = port_to_irq[port];
	struct xen_irq *x = irq >= 0 ? xirq(irq) : NULL;

	return x && (x->kind == XIRQ_VIRQ || x->kind == XIRQ_IPI);
}

/* The ports of word @word that are pending, unmasked and this CPU's. */
static unsigned long ready_ports(unsigned int word)
{
	xen_ulong_t *mine = *this_cpu_ptr(&cpu_ports);

	return READ_ONCE(pending_bits()[word]) &
	       ~READ_ONCE(mask_bits()[word]) & mine[word];
}

/*
 * Run the ready ports of word @word that are among @which, lowest
 * first, while *@budget lasts; once it is spent, local ports still run.
 * Returns the ports left.
 */
static unsigned long run_word(unsigned int word, unsigned long which,
			      unsigned int *budget)
{
	unsigned long bits = ready_ports(word) & which, left = 0;

	while (bits) {
		unsigned int bit = __ffs(bits);
		evtchn_port_t port = word * EVTCHN_WORD_BITS + bit;
		int irq = port_to_irq[port];

		bits &= ~BIT(bit);
		if (!*budget && !port_is_local(port)) {
			left |= BIT(bit);
			continue;
		}
		if (*budget)
			(*budget)--;
		if (irq >= 0) {
			generic_handle_irq(irq);
		} else {
			/* Nobody wants it: stop it firing. */
			port_mask(port);
			port_clear_pending(port);
		}
	}
	return left;
}

/* Ports were left in @word: the first of them starts the next scan. */
static void note_left(unsigned int word, unsigned long left, bool *done)
{
	if (!left || !*done)
		return;
	this_cpu_write(upcall_scan_from,
		       word * EVTCHN_WORD_BITS + __ffs(left));
	*done = false;
}

/*
 * One scan of the words @sel names, starting at this CPU's scan_from
 * port and going round (upcall-scan.h).  Returns false if the budget
 * ran out and ports were left; scan_from is then the first port left,
 * so that the next upcall starts there.
 */
static bool run_round(unsigned long sel, unsigned int *budget)
{
	struct upcall_scan scan;
	unsigned long ports;
	unsigned int word;
	bool done = true;

	upcall_scan_start(&scan, sel, this_cpu_read(upcall_scan_from));
	while (upcall_scan_next(&scan, &word, &ports))
		note_left(word, run_word(word, ports, budget), &done);
	return done;
}

/*
 * Stopping early must not lose what is left, and must not come straight
 * back either.  The ABI facts (xen/common/event_2l.c, and Xen's return
 * path to a PV guest):
 *
 * - Xen sets evtchn_upcall_pending, and so makes an upcall, only when it
 *   sets a bit of evtchn_pending_sel that was clear, that is when a
 *   port goes from not pending to pending (or EVTCHNOP_unmask finds one
 *   pending).  A port that is pending already is not raised again,
 *   however often its peer sends.
 * - Whenever Xen returns to us with events unmasked and
 *   evtchn_upcall_pending set, it makes the upcall there and then,
 *   before a single instruction of the interrupted code (and
 *   xen_irq_enable() asks for it as soon as events are unmasked).
 *
 * So leaving evtchn_upcall_pending set would only turn the loop into a
 * chain of upcalls, with the interrupted code still stopped.  Instead
 * the selector bits not yet done, and whatever Xen added meanwhile, are
 * taken into upcall_deferred and evtchn_upcall_pending is cleared: the
 * ports left stay pending, so their peers' further sends raise nothing,
 * and the vCPU goes back to its work.  The next upcall, whatever brings
 * it, starts with those words.  Something must bring one, since the
 * ports left will not: upcall_alarm, a one-shot timer UPCALL_DEFER_NS
 * ahead, whose VIRQ_TIMER event is a new event on a port of its own.
 * That only holds while the timer's port is not itself left pending,
 * so local ports (VIRQs, IPIs) are never left: they run whatever the
 * budget, and one that became pending after its word was scanned
 * brings the next upcall at once.
 */
#define UPCALL_DEFER_NS		NSEC_PER_MSEC

static DEFINE_PER_CPU(unsigned long, upcall_deferred);
static DEFINE_PER_CPU(struct hrtimer, upcall_alarm);
static bool upcall_alarm_ready;

/* Only a reason for an upcall: the upcall takes the deferred words. */
static enum hrtimer_restart upcall_alarm_fn(struct hrtimer *alarm)
{
	return HRTIMER_NORESTART;
}

static int __init upcall_alarm_init(void)
{
	unsigned int cpu;

	if (!xen_domain())
		return 0;	/* native: no upcall will ever defer */
	for_each_possible_cpu(cpu) {
		struct hrtimer *alarm = per_cpu_ptr(&upcall_alarm, cpu);

		hrtimer_init(alarm, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		alarm->function = upcall_alarm_fn;
	}
	smp_wmb();	/* the timers before the flag that lets them be used */
	WRITE_ONCE(upcall_alarm_ready, true);
	return 0;
}
early_initcall(upcall_alarm_init);

/* The budget ran out with the words of @sel not all done. */
static void defer_the_rest(struct vcpu_info *v, unsigned long sel)
{
	struct hrtimer *alarm = this_cpu_ptr(&upcall_alarm);
	unsigned int word, bit;

	if (!READ_ONCE(upcall_alarm_ready)) {
		/* Too early in boot for a timer: come straight back. */
		for_each_set_bit(word, &sel, EVTCHN_WORD_BITS)
			sync_set_bit(word, (unsigned long *)
				     &v->evtchn_pending_sel);
		WRITE_ONCE(v->evtchn_upcall_pending, 1);
		return;
	}
	smp_rmb();	/* the flag before the timers: see upcall_alarm_init() */
	WRITE_ONCE(v->evtchn_upcall_pending, 0);
	sel |= xchg(&v->evtchn_pending_sel, 0);
	this_cpu_or(upcall_deferred, sel);
	if (!hrtimer_is_queued(alarm))
		hrtimer_start(alarm, ns_to_ktime(UPCALL_DEFER_NS),
			      HRTIMER_MODE_REL_PINNED_HARD);
	/* A local port that fired since its word was scanned: come back. */
	for_each_set_bit(word, &sel, EVTCHN_WORD_BITS) {
		unsigned long ready = ready_ports(word);

		for_each_set_bit(bit, &ready, EVTCHN_WORD_BITS)
			if (port_is_local(word * EVTCHN_WORD_BITS + bit)) {
				WRITE_ONCE(v->evtchn_upcall_pending, 1);
				return;
			}
	}
}

/*
 * Run every pending, unmasked port of this CPU.  Xen may add more while
 * we work; loop until it has nothing new, or until UPCALL_BUDGET ports
 * have run: then the rest waits (see above).
 */
void xen_evtchn_handle_pending(void)
{
	struct vcpu_info *v = this_cpu_read(xen_vcpu);
	unsigned long sel = this_cpu_xchg(upcall_deferred, 0);
	unsigned int budget = UPCALL_BUDGET;

	do {
		WRITE_ONCE(v->evtchn_upcall_pending, 0);
		sel |= xchg(&v->evtchn_pending_sel, 0);
		if (!run_round(sel, &budget)) {
			defer_the_rest(v, sel);
			return;
		}
		sel = 0;
	} while (READ_ONCE(v->evtchn_upcall_pending));
}

#ifdef CONFIG_XEN_PV
static void __xen_pv_evtchn_do_upcall(struct pt_regs *regs)
{
	struct pt_regs *old_regs = set_irq_regs(regs);

	inc_irq_stat(irq_hv_callback_count);
	xen_evtchn_handle_pending();
	set_irq_regs(old_regs);
}

/* entry_64.S calls this for every event upcall of a PV guest. */
__visible noinstr void xen_pv_evtchn_do_upcall(struct pt_regs *regs)
{
	irqentry_state_t state = irqentry_enter(regs);

	instrumentation_begin();
	run_sysvec_on_irqstack_cond(__xen_pv_evtchn_do_upcall, regs);
	instrumentation_end();
	irqentry_exit(regs, state);
}
#endif

/* ---- irq_chips ------------------------------------------------------------ */

static void xen_ack(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);

	if (x->port)
		port_clear_pending(x->port);
}

static void xen_mask(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);

	if (x->port)
		port_mask(x->port);
}

static void xen_unmask(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);

	if (x->port)
		port_unmask(x->port);
}

/* Late-EOI ports stay masked after an event until the driver says so. */
static void xen_mask_ack(struct irq_data *d)
{
	xen_mask(d);
	xen_ack(d);
}

static void xen_lateeoi_ack(struct irq_data *d)
{
	xen_mask_ack(d);
}

/*
 * A late-EOI port whose unmask was put off (eoi-throttle.h): its time
 * is up.  Anything the peer sent meanwhile is still pending, and the
 * unmask delivers it.
 */
static void eoi_timer_fn(struct timer_list *t)
{
	struct xen_irq *x = from_timer(x, t, eoi_timer);
	unsigned long flags;

	raw_spin_lock_irqsave(&x->move_lock, flags);
	if (x->port)
		port_unmask(x->port);
	raw_spin_unlock_irqrestore(&x->move_lock, flags);
}

/*
 * The driver is done with the event that masked the port.  Unmask it,
 * at once unless the port has had too many events for nothing in a
 * row: then it stays masked for a while and the timer unmasks it, so a
 * peer that calls EVTCHNOP_send in a loop only ever sets a pending bit
 * that is already set.  An event that brought something unmasks at
 * once, and also ends a wait that was running.
 */
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags)
{
	struct xen_irq *x = xirq(irq);
	unsigned long flags;
	unsigned int delay;

	if (!x)
		return;
	/* Never in the middle of a move to another vCPU: see there. */
	raw_spin_lock_irqsave(&x->move_lock, flags);
	delay = eoi_throttle_next(&x->eoi, eoi_flags & XEN_EOI_FLAG_SPURIOUS);
	if (delay) {
		if (delay == EOI_FIRST_DELAY_MS)
			pr_warn_ratelimited("xen: event channel %u: %u events for nothing in a row, slowing it down\n",
					    x->port, x->eoi.spurious);
		if (!timer_pending(&x->eoi_timer))
			mod_timer(&x->eoi_timer,
				  jiffies + msecs_to_jiffies(delay));
	} else {
		del_timer(&x->eoi_timer);
		if (x->port)
			port_unmask(x->port);
	}
	raw_spin_unlock_irqrestore(&x->move_lock, flags);
}
EXPORT_SYMBOL_GPL(xen_irq_lateeoi);

static int xen_set_affinity(struct irq_data *d, const struct cpumask *dest,
			    bool force)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);
	unsigned int cpu = cpumask_first_and(dest, cpu_online_mask);
	struct evtchn_bind_vcpu bind;
	unsigned long flags;
	bool masked;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	if (!x->port) {
		x->cpu = cpu;
		goto done;
	}
	bind.port = x->port;
	bind.vcpu = per_cpu(xen_vcpu_id, cpu);
	/*
	 * Masked while it moves, so it cannot fire on the old vCPU late.
	 * genirq's own unmask waits for us on the descriptor's lock, but
	 * a late-EOI owner unmasks from its thread: between the rebinding
	 * in Xen and in cpu_ports, its unmask would raise a pending port
	 * on a vCPU that does not look at it (yet, or any more), and with
	 * the port left pending and unmasked Xen never raises it again.
	 */
	raw_spin_lock_irqsave(&x->move_lock, flags);
	masked = sync_test_and_set_bit(x->port, mask_bits());
	if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bind) == 0)
		bind_port_to_cpu(x->port, cpu);
	if (!masked)
		port_unmask(x->port);
	raw_spin_unlock_irqrestore(&x->move_lock, flags);
done:
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	return IRQ_SET_MASK_OK_NOCOPY;
}

static int xen_retrigger(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);
	bool masked;

	if (!x->port)
		return 0;
	masked = sync_test_and_set_bit(x->port, mask_bits());
	sync_set_bit(x->port, pending_bits());
	if (!masked)
		port_unmask(x->port);
	return 1;
}

static struct irq_chip xen_percpu_chip = {
	.name = "xen-percpu",
	.irq_ack = xen_ack,
	.irq_mask = xen_mask,
	.irq_unmask = xen_unmask,
	.irq_disable = xen_mask,
	.irq_enable = xen_unmask,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static struct irq_chip xen_dynamic_chip = {
	.name = "xen-dyn",
	.irq_ack = xen_ack,
	.irq_mask = xen_mask,
	.irq_unmask = xen_unmask,
	.irq_mask_ack = xen_mask_ack,
	.irq_disable = xen_mask,
	.irq_enable = xen_unmask,
	.irq_set_affinity = xen_set_affinity,
	.irq_retrigger = xen_retrigger,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static struct irq_chip xen_lateeoi_chip = {
	.name = "xen-dyn-lateeoi",
	.irq_ack = xen_lateeoi_ack,
	.irq_mask = xen_mask,
	.irq_unmask = xen_unmask,
	.irq_mask_ack = xen_mask_ack,
	.irq_disable = xen_mask,
	.irq_enable = xen_unmask,
	.irq_set_affinity = xen_set_affinity,
	.irq_retrigger = xen_retrigger,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

/* ---- Binding -------------------------------------------------------------- */

static int evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

/* A fresh Linux IRQ (not one of the legacy 0-15) for @x. */
static int new_irq(struct xen_irq *x, struct irq_chip *chip,
		   irq_flow_handler_t flow, const char *flow_name)
{
	int irq = irq_alloc_desc_from(NR_IRQS_LEGACY, -1);

	if (irq < 0)
		return irq;
	/* Ready before the chip can find it through the descriptor. */
	raw_spin_lock_init(&x->move_lock);
	timer_setup(&x->eoi_timer, eoi_timer_fn, 0);
	irq_set_chip_and_handler_name(irq, chip, flow, flow_name);
	irq_set_chip_data(irq, x);
	irq_set_noprobe(irq);
	return irq;
}

static void attach_port(int irq, evtchn_port_t port, unsigned int cpu)
{
	struct xen_irq *x = xirq(irq);

	x->port = port;
	port_to_irq[port] = irq;
	/*
	 * Stays masked until request_irq() enables it; a pending event
	 * is delivered then.  Not cleared: Xen raises a port it has just
	 * bound to an interdomain peer, because the peer's sends while the
	 * channel was unbound went nowhere, and this event is how a late
	 * binder learns of them.
	 */
	port_mask(port);
	bind_port_to_cpu(port, cpu);
}

static void detach_port(int irq)
{
	struct xen_irq *x = xirq(irq);
	struct evtchn_close close;

	if (!x->port)
		return;
	port_mask(x->port);
	port_to_irq[x->port] = -1;
	if (x->close_on_unbind) {
		close.port = x->port;
		evtchn_op(EVTCHNOP_close, &close);
	}
	x->port = 0;
}

static int bind_port(evtchn_port_t port, bool lateeoi, bool close)
{
	struct xen_irq *x;
	int irq;

	if (port >= EVTCHN_NR_PORTS)
		return -EINVAL;
	mutex_lock(&xen_irq_lock);
	irq = port_to_irq[port];
	if (irq >= 0) {
		xirq(irq)->refs++;
		goto out;
	}
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		irq = -ENOMEM;
		goto out;
	}
	x->kind = XIRQ_EVTCHN;
	x->lateeoi = lateeoi;
	x->close_on_unbind = close;
	x->refs = 1;
	irq = new_irq(x, lateeoi ? &xen_lateeoi_chip : &xen_dynamic_chip,
		      handle_edge_irq, "event");
	if (irq < 0) {
		kfree(x);
		goto out;
	}
	attach_port(irq, port, 0);
out:
	mutex_unlock(&xen_irq_lock);
	return irq;
}

int bind_evtchn_to_irq(evtchn_port_t port)
{
	return bind_port(port, false, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq);

int bind_evtchn_to_irq_lateeoi(evtchn_port_t port)
{
	return bind_port(port, true, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq_lateeoi);

int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu)
{
	struct evtchn_bind_virq bind = {
		.virq = virq,
		.vcpu = per_cpu(xen_vcpu_id, cpu),
	};
	struct xen_irq *x;
	int irq, rc;

	if (virq >= NR_VIRQS)
		return -EINVAL;
	mutex_lock(&xen_irq_lock);
	irq = per_cpu(virq_irq, cpu)[virq];
	if (irq >= 0)
		goto out;
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		irq = -ENOMEM;
		goto out;
	}
	x->kind = XIRQ_VIRQ;
	x->index = virq;
	x->close_on_unbind = true;
	x->refs = 1;
	if (percpu)
		irq = new_irq(x, &xen_percpu_chip, handle_percpu_irq, "virq");
	else
		irq = new_irq(x, &xen_dynamic_chip, handle_edge_irq, "virq");
	if (irq < 0) {
		kfree(x);
		goto out;
	}
	rc = evtchn_op(EVTCHNOP_bind_virq, &bind);
	if (rc) {
		irq_free_desc(irq);
		kfree(x);
		irq = rc;
		goto out;
	}
	attach_port(irq, bind.port, cpu);
	per_cpu(virq_irq, cpu)[virq] = irq;
out:
	mutex_unlock(&xen_irq_lock);
	return irq;
}
EXPORT_SYMBOL_GPL(bind_virq_to_irq);

static int bind_ipi_to_irq(enum xen_ipi ipi, unsigned int cpu)
{
	struct evtchn_bind_ipi bind = { .vcpu = per_cpu(xen_vcpu_id, cpu) };
	struct xen_irq *x;
	int irq, rc;

	mutex_lock(&xen_irq_lock);
	irq = per_cpu(ipi_irq, cpu)[ipi];
	if (irq >= 0)
		goto out;
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		irq = -ENOMEM;
		goto out;
	}
	x->kind = XIRQ_IPI;
	x->index = ipi;
	x->close_on_unbind = true;
	x->refs = 1;
	irq = new_irq(x, &xen_percpu_chip, handle_percpu_irq, "ipi");
	if (irq < 0) {
		kfree(x);
		goto out;
	}
	rc = evtchn_op(EVTCHNOP_bind_ipi, &bind);
	if (rc) {
		irq_free_desc(irq);
		kfree(x);
		irq = rc;
		goto out;
	}
	attach_port(irq, bind.port, cpu);
	per_cpu(ipi_irq, cpu)[ipi] = irq;
	per_cpu(ipi_port, cpu)[ipi] = bind.port;
out:
	mutex_unlock(&xen_irq_lock);
	return irq;
}

static int bind_interdomain(unsigned int remote_domain,
			    evtchn_port_t remote_port, bool lateeoi)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = remote_domain,
		.remote_port = remote_port,
	};
	int irq, rc;

	rc = evtchn_op(EVTCHNOP_bind_interdomain, &bind);
	if (rc)
		return rc;
	irq = bind_port(bind.local_port, lateeoi, true);
	if (irq < 0) {
		struct evtchn_close close = { .port = bind.local_port };

		evtchn_op(EVTCHNOP_close, &close);
	}
	return irq;
}

int bind_interdomain_evtchn_to_irq_lateeoi(unsigned int remote_domain,
					   evtchn_port_t remote_port)
{
	return bind_interdomain(remote_domain, remote_port, true);
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irq_lateeoi);

/* request_irq() on a freshly bound IRQ, unbinding again if it fails. */
static int request_bound(int irq, irq_handler_t handler,
			 unsigned long irqflags, const char *devname,
			 void *dev_id)
{
	int rc;

	if (irq < 0)
		return irq;
	rc = request_irq(irq, handler, irqflags, devname, dev_id);
	if (rc) {
		unbind_from_irq(irq);
		return rc;
	}
	return irq;
}

int bind_evtchn_to_irqhandler(evtchn_port_t port, irq_handler_t handler,
			      unsigned long irqflags, const char *devname,
			      void *dev_id)
{
	return request_bound(bind_evtchn_to_irq(port), handler, irqflags,
			     devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler);

int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t port,
				      irq_handler_t handler,
				      unsigned long irqflags,
				      const char *devname, void *dev_id)
{
	return request_bound(bind_evtchn_to_irq_lateeoi(port), handler,
			     irqflags, devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler_lateeoi);

/*
 * A channel the caller opened itself (a frontend's ring, or one of
 * /dev/xen/evtchn's): it belongs to the binding from now on, and is
 * closed when unbound, or at once if the binding fails.  A frontend
 * that reconnects many times would otherwise leave a port behind each
 * time.  After a restore the old port numbers mean nothing in the new
 * domain (xen_irq_resume() forgets them before any driver resumes), so
 * unbinding then closes nothing.
 */
static int bind_own_port(evtchn_port_t port, bool lateeoi,
			 irq_handler_t handler, unsigned long irqflags,
			 const char *devname, void *dev_id)
{
	int irq = bind_port(port, lateeoi, true);

	if (irq < 0) {
		xen_evtchn_close(port);
		return irq;
	}
	return request_bound(irq, handler, irqflags, devname, dev_id);
}

int bind_own_evtchn_to_irqhandler(evtchn_port_t port, irq_handler_t handler,
				  unsigned long irqflags, const char *devname,
				  void *dev_id)
{
	return bind_own_port(port, false, handler, irqflags, devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_own_evtchn_to_irqhandler);

int bind_own_evtchn_to_irqhandler_lateeoi(evtchn_port_t port,
					  irq_handler_t handler,
					  unsigned long irqflags,
					  const char *devname, void *dev_id)
{
	return bind_own_port(port, true, handler, irqflags, devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_own_evtchn_to_irqhandler_lateeoi);

int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu,
			    irq_handler_t handler, unsigned long irqflags,
			    const char *devname, void *dev_id)
{
	return request_bound(bind_virq_to_irq(virq, cpu,
					      irqflags & IRQF_PERCPU),
			     handler, irqflags, devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_virq_to_irqhandler);

int bind_ipi_to_irqhandler(enum xen_ipi ipi, unsigned int cpu,
			   irq_handler_t handler, unsigned long irqflags,
			   const char *devname, void *dev_id)
{
	return request_bound(bind_ipi_to_irq(ipi, cpu), handler,
			     irqflags | IRQF_NO_SUSPEND | IRQF_FORCE_RESUME |
			     IRQF_EARLY_RESUME, devname, dev_id);
}

int bind_interdomain_evtchn_to_irqhandler_lateeoi(unsigned int remote_domain,
						  evtchn_port_t remote_port,
						  irq_handler_t handler,
						  unsigned long irqflags,
						  const char *devname,
						  void *dev_id)
{
	return request_bound(bind_interdomain(remote_domain, remote_port, true),
			     handler, irqflags, devname, dev_id);
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irqhandler_lateeoi);

void unbind_from_irq(unsigned int irq)
{
	struct xen_irq *x;

	mutex_lock(&xen_irq_lock);
	x = xirq(irq);
	if (!x || --x->refs > 0) {
		mutex_unlock(&xen_irq_lock);
		return;
	}
	if (x->kind == XIRQ_VIRQ)
		per_cpu(virq_irq, x->cpu)[x->index] = -1;
	else if (x->kind == XIRQ_IPI)
		per_cpu(ipi_irq, x->cpu)[x->index] = -1;
	/* A delayed unmask must not touch the port once it is closed. */
	del_timer_sync(&x->eoi_timer);
	detach_port(irq);
	/*
	 * Retiring the flow handler masks and acks the line through our
	 * chip, which still needs its data: clear the data only after.
	 */
	irq_set_handler(irq, NULL);
	irq_set_chip(irq, NULL);
	irq_set_chip_data(irq, NULL);
	if (irq >= NR_IRQS_LEGACY)
		irq_free_desc(irq);
	mutex_unlock(&xen_irq_lock);
	kfree(x);
}
EXPORT_SYMBOL_GPL(unbind_from_irq);

void unbind_from_irqhandler(unsigned int irq, void *dev_id)
{
	free_irq(irq, dev_id);
	unbind_from_irq(irq);
}
EXPORT_SYMBOL_GPL(unbind_from_irqhandler);

void notify_remote_via_irq(int irq)
{
	evtchn_port_t port = evtchn_from_irq(irq);

	if (port)
		notify_remote_via_evtchn(port);
}
EXPORT_SYMBOL_GPL(notify_remote_via_irq);

void xen_send_IPI_one(unsigned int cpu, enum xen_ipi vector)
{
	evtchn_port_t port = per_cpu(ipi_port, cpu)[vector];

	if (likely(port))
		notify_remote_via_evtchn(port);
}

int xen_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close close = { .port = port };

	return evtchn_op(EVTCHNOP_close, &close);
}
EXPORT_SYMBOL_GPL(xen_evtchn_close);

int xenbus_alloc_evtchn_for(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = remote,
	};
	int rc = evtchn_op(EVTCHNOP_alloc_unbound, &alloc);

	if (!rc)
		*port = alloc.port;
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_alloc_evtchn_for);

/*
 * Ports open in Xen for us right now, counted when asked (a
 * /sys/hypervisor/usage file): the hostile-peer tests compare it before
 * and after.  Xen's own answer, not our irq table: a port left open
 * after its irq went, or allocated and never bound, is what a leak
 * looks like.  EVTCHNOP_status says -EINVAL past the ports Xen has set
 * up for the domain, which it does from 0 upwards.
 */
unsigned int xen_evtchn_ports_bound(void)
{
	struct evtchn_status st;
	unsigned int port, n = 0;

	for (port = 1; port < EVTCHN_NR_PORTS; port++) {
		st.dom = DOMID_SELF;
		st.port = port;
		if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st))
			break;
		if (st.status != EVTCHNSTAT_closed)
			n++;
	}
	return n;
}

int xen_set_irq_priority(unsigned int irq, unsigned int priority)
{
	return -EOPNOTSUPP;	/* only the FIFO ABI has priorities */
}
EXPORT_SYMBOL_GPL(xen_set_irq_priority);

/* ---- Polling (PV spinlocks) ------------------------------------------------ */

void xen_clear_irq_pending(int irq)
{
	evtchn_port_t port = evtchn_from_irq(irq);

	if (port)
		port_clear_pending(port);
}

bool xen_test_irq_pending(int irq)
{
	evtchn_port_t port = evtchn_from_irq(irq);

	return port && sync_test_bit(port, pending_bits());
}

/*
 * Sleep in Xen until the port is pending (masked or not) or the timeout
 * (absolute system time, 0 = none) passes.
 */
void xen_poll_irq_timeout(int irq, u64 timeout)
{
	evtchn_port_t port = evtchn_from_irq(irq);
	struct sched_poll poll = {
		.nr_ports = 1,
		.timeout = timeout,
	};

	if (!port)
		return;
	set_xen_guest_handle(poll.ports, &port);
	if (HYPERVISOR_sched_op(SCHEDOP_poll, &poll))
		BUG();
}

void xen_poll_irq(int irq)
{
	xen_poll_irq_timeout(irq, 0);
}

/* ---- Physical interrupts (dom0) ------------------------------------------- */

/*
 * A pirq is a physical interrupt Xen routes to us.  Binding its event
 * channel happens when the driver enables the IRQ, closing when it
 * frees it; level-triggered ones need an EOI to Xen, which unmasks the
 * line in the IO-APIC.
 */
static unsigned int pirq_startup(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);
	struct evtchn_bind_pirq bind = {
		.pirq = x->index,
		.flags = x->level ? BIND_PIRQ__WILL_SHARE : 0,
	};

	if (!x->port) {
		if (evtchn_op(EVTCHNOP_bind_pirq, &bind)) {
			pr_warn("xen: cannot bind pirq %u (GSI %u)\n",
				x->index, x->gsi);
			return 0;
		}
		mutex_lock(&xen_irq_lock);
		attach_port(d->irq, bind.port, 0);
		mutex_unlock(&xen_irq_lock);
	}
	port_unmask(x->port);
	return 0;
}

static void pirq_shutdown(struct irq_data *d)
{
	detach_port(d->irq);
}

static void pirq_eoi(struct irq_data *d)
{
	struct xen_irq *x = irq_data_get_irq_chip_data(d);
	struct physdev_eoi eoi = { .irq = x->index };

	if (!x->port)
		return;
	port_clear_pending(x->port);
	if (x->level)
		HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi);
}

static struct irq_chip xen_pirq_chip = {
	.name = "xen-pirq",
	.irq_startup = pirq_startup,
	.irq_shutdown = pirq_shutdown,
	.irq_enable = xen_unmask,
	.irq_disable = xen_mask,
	.irq_mask = xen_mask,
	.irq_unmask = xen_unmask,
	.irq_ack = xen_ack,
	.irq_eoi = pirq_eoi,
	.irq_set_affinity = xen_set_affinity,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

int xen_bind_pirq_gsi_to_irq(unsigned int gsi, unsigned int pirq,
			     bool level, const char *name)
{
	struct xen_irq *x;
	int irq;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->kind = XIRQ_PIRQ;
	x->index = pirq;
	x->gsi = gsi;
	x->level = level;
	x->close_on_unbind = true;
	x->refs = 1;

	mutex_lock(&xen_irq_lock);
	/* Legacy GSIs keep their ISA IRQ number, as ACPI expects. */
	irq = -EINVAL;
	if (gsi < NR_IRQS_LEGACY) {
		irq = irq_alloc_desc_at(gsi, -1);
		if (irq == -EEXIST && !irq_get_chip_data(gsi))
			irq = gsi;
	}
	if (irq < 0)
		irq = irq_alloc_desc_from(NR_IRQS_LEGACY, -1);
	if (irq < 0) {
		mutex_unlock(&xen_irq_lock);
		kfree(x);
		return irq;
	}
	raw_spin_lock_init(&x->move_lock);
	timer_setup(&x->eoi_timer, eoi_timer_fn, 0);
	irq_set_chip_data(irq, x);
	irq_set_chip_and_handler_name(irq, &xen_pirq_chip,
				      level ? handle_fasteoi_irq : handle_edge_irq,
				      name);
	mutex_unlock(&xen_irq_lock);
	return irq;
}

int xen_pirq_from_irq(unsigned int irq)
{
	struct xen_irq *x = xirq(irq);

	return x && x->kind == XIRQ_PIRQ ? x->index : -1;
}

/* ---- Setup ---------------------------------------------------------------- */

void xen_evtchn_mask_all(void)
{
	unsigned int i;

	for (i = 0; i < EVTCHN_WORD_BITS; i++)
		xchg(&HYPERVISOR_shared_info->evtchn_mask[i], ~0UL);
}

/* x86_init.irqs.intr_init: nothing is bound yet; mask every port. */
void __init xen_init_IRQ(void)
{
	xen_evtchn_mask_all();
}

void xen_rebind_evtchn_irq(evtchn_port_t port, int irq)
{
	struct xen_irq *x = xirq(irq);

	if (!x)
		return;
	/* The toolstack's number for a restored console or store channel. */
	if (!port || port >= EVTCHN_NR_PORTS) {
		pr_err("cannot rebind irq %d to channel %u: no such channel\n",
		       irq, port);
		return;
	}
	mutex_lock(&xen_irq_lock);
	if (x->port && port_to_irq[x->port] == irq)
		port_to_irq[x->port] = -1;
	attach_port(irq, port, 0);
	mutex_unlock(&xen_irq_lock);
	port_unmask(port);
}

/* Bind VIRQ or IPI @irq of @cpu again, in the restored domain. */
static void rebind_percpu(int irq, unsigned int cpu)
{
	struct xen_irq *x = xirq(irq);
	struct evtchn_bind_virq virq = {
		.virq = x->index,
		.vcpu = per_cpu(xen_vcpu_id, cpu),
	};
	struct evtchn_bind_ipi ipi = { .vcpu = per_cpu(xen_vcpu_id, cpu) };
	evtchn_port_t port;
	int rc;

	if (x->kind == XIRQ_VIRQ) {
		rc = evtchn_op(EVTCHNOP_bind_virq, &virq);
		port = virq.port;
	} else {
		rc = evtchn_op(EVTCHNOP_bind_ipi, &ipi);
		port = ipi.port;
		per_cpu(ipi_port, cpu)[x->index] = rc ? 0 : port;
	}
	if (rc) {
		pr_err("cannot rebind %s %u of cpu %u after a restore: %d\n",
		       x->kind == XIRQ_VIRQ ? "VIRQ" : "IPI", x->index, cpu, rc);
		return;
	}
	attach_port(irq, port, cpu);
	if (!irqd_irq_disabled(irq_get_irq_data(irq)))
		port_unmask(port);
}

/*
 * After a restore every binding is gone: the new domain starts with no
 * event channels.  Per-CPU VIRQs and IPIs are ours to bind again; the
 * drivers of inter-domain channels (xenstore, console, frontends) bind
 * theirs when they reconnect.  Runs on CPU 0 with the others parked.
 */
void xen_irq_resume(void)
{
	unsigned int port, cpu, i;
	int irq;

	xen_evtchn_mask_all();
	for (port = 0; port < EVTCHN_NR_PORTS; port++) {
		irq = port_to_irq[port];
		if (irq >= 0 && xirq(irq))
			xirq(irq)->port = 0;
		port_to_irq[port] = -1;
	}
	for_each_possible_cpu(cpu) {
		for (i = 0; i < NR_VIRQS; i++)
			if (per_cpu(virq_irq, cpu)[i] >= 0)
				rebind_percpu(per_cpu(virq_irq, cpu)[i], cpu);
		for (i = 0; i < XEN_NR_IPIS; i++)
			if (per_cpu(ipi_irq, cpu)[i] >= 0)
				rebind_percpu(per_cpu(ipi_irq, cpu)[i], cpu);
	}
}
