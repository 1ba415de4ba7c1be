// SPDX-License-Identifier: GPL-2.0
/*
 * Time in a PV guest.
 *
 * Xen keeps, in each vCPU's vcpu_info, the scale and offset that turn the
 * TSC into nanoseconds of "system time" (time since Xen booted), and
 * updates them whenever the vCPU moves or the TSC is recalibrated.  That
 * record has the layout of Linux's pvclock_vcpu_time_info, so the generic
 * pvclock code reads it for us: our clocksource and sched_clock.  The
 * wall clock is system time plus the boot time Xen keeps in shared_info.
 *
 * Timer interrupts: each vCPU has a one-shot timer (VCPUOP_set_singleshot_
 * timer, absolute system time) that raises VIRQ_TIMER on that vCPU.  Xen
 * also starts every vCPU with a 100 Hz periodic timer on the same VIRQ,
 * which we stop.
 */
#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>

#include <asm/paravirt.h>
#include <asm/pvclock.h>
#include <asm/time.h>
#include <asm/timer.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/xen.h>
#include <xen/interface/vcpu.h>

#include "xen-ops.h"

/* System time when Linux started counting sched_clock. */
static u64 xen_sched_clock_base __read_mostly;

static struct pvclock_vcpu_time_info *this_vcpu_time(void)
{
	return (struct pvclock_vcpu_time_info *)&this_cpu_read(xen_vcpu)->time;
}

/* Xen system time in ns. */
static notrace u64 xen_system_time(void)
{
	u64 ns;

	preempt_disable_notrace();
	ns = pvclock_clocksource_read(this_vcpu_time());
	preempt_enable_notrace();
	return ns;
}

static u64 xen_clocksource_read(struct clocksource *cs)
{
	return xen_system_time();
}

static noinstr u64 xen_sched_clock(void)
{
	u64 ns;

	/* sched_clock is called from noinstr code: no tracing in here. */
	preempt_disable_notrace();
	ns = pvclock_clocksource_read(this_vcpu_time());
	preempt_enable_notrace();
	return ns - xen_sched_clock_base;
}

/*
 * The rating decides which clocksource timekeeping uses: the highest
 * registered one (clocksource_select()).  In a PV guest the competitors
 * are the TSC (300, or 299 as tsc-early) and at most the legacy timers
 * (hpet 250, acpi_pm 200); we must beat the TSC, whose raw count does not
 * follow a vCPU that Xen moves to another physical CPU.  350 does, with
 * room on both sides, in the 300-399 ("desired") band of clocksource.h.
 * "xen" is the name users give to clocksource= and read back from
 * sysfs: it stays.
 */
static struct clocksource xen_clocksource __read_mostly = {
	.name = "xen",
	.rating = 350,
	.read = xen_clocksource_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

unsigned long xen_tsc_khz(void)
{
	return pvclock_tsc_khz(this_vcpu_time());
}

/* The boot time Xen keeps in shared_info, plus system time now. */
static void xen_get_wallclock(struct timespec64 *ts)
{
	struct pvclock_wall_clock *wc =
		(struct pvclock_wall_clock *)&HYPERVISOR_shared_info->wc_version;

	preempt_disable();
	pvclock_read_wallclock(wc, this_vcpu_time(), ts);
	preempt_enable();
}

/* dom0 sets the hardware clock through Xen; a domU has none to set. */
static int xen_set_wallclock(const struct timespec64 *now)
{
	struct xen_platform_op op;

	if (!xen_initial_domain())
		return -ENODEV;
	op.cmd = XENPF_settime64;
	op.u.settime64.mbz = 0;
	op.u.settime64.secs = now->tv_sec;
	op.u.settime64.nsecs = now->tv_nsec;
	op.u.settime64.system_time = xen_system_time();
	return HYPERVISOR_platform_op(&op);
}

/* ---- The per-vCPU timer ---------------------------------------------------- */

/*
 * Each CPU's clockevent, and the VIRQ_TIMER binding that drives it.  The
 * binding outlives the clockevent across a CPU's offline/online cycle
 * (bound before the CPU runs, unbound after it died), so it has its own
 * variable rather than living in the clock_event_device, which is filled
 * in afresh on the CPU each time.
 */
static DEFINE_PER_CPU(struct clock_event_device, xen_vcpu_timer);
static DEFINE_PER_CPU(int, xen_timer_irq) = -1;

/*
 * Xen runs every timer whose deadline is within its timer_slop (50 us
 * unless the host says otherwise) of the current time as soon as it
 * looks, instead of programming the hardware for it.  Asking for less
 * than that buys nothing but another hypercall: it is our floor.
 */
#define XEN_TIMER_MIN_NS	(50 * NSEC_PER_USEC)

static int xen_timer_shutdown(struct clock_event_device *evt)
{
	int vcpu = this_cpu_read(xen_vcpu_id);

	HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, vcpu, NULL);
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, vcpu, NULL);
	return 0;
}

/*
 * Arm for @delta ns from now.  Xen takes an absolute system time; if
 * that is already past it fires at once, which is what we want.
 */
static int xen_timer_next_event(unsigned long delta,
				struct clock_event_device *evt)
{
	struct vcpu_set_singleshot_timer single = {
		.timeout_abs_ns = xen_system_time() + delta,
		.flags = 0,
	};

	if (HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer,
			       this_cpu_read(xen_vcpu_id), &single))
		return -ETIME;
	return 0;
}

static irqreturn_t xen_timer_interrupt(int irq, void *dev_id)
{
	struct clock_event_device *evt = this_cpu_ptr(&xen_vcpu_timer);

	if (evt->event_handler)
		evt->event_handler(evt);
	return IRQ_HANDLED;
}

/*
 * Bind @cpu's timer VIRQ.  This allocates, so it runs in process context:
 * for a secondary, on the CPU that brings it up, before it runs.  Every
 * CPU's binding has the same name: each is a per-CPU interrupt, and
 * /proc/interrupts already counts it in its CPU's column.
 */
int xen_bind_cpu_timer(int cpu)
{
	int irq;

	irq = bind_virq_to_irqhandler(VIRQ_TIMER, cpu, xen_timer_interrupt,
				      IRQF_PERCPU | IRQF_NOBALANCING |
				      IRQF_TIMER | IRQF_FORCE_RESUME |
				      IRQF_EARLY_RESUME, "xen-vcpu-timer", NULL);
	if (irq < 0)
		return irq;
	per_cpu(xen_timer_irq, cpu) = irq;
	return 0;
}

/* Start @cpu's clockevent; runs on @cpu. */
void xen_setup_cpu_clockevent(int cpu)
{
	struct clock_event_device *evt = &per_cpu(xen_vcpu_timer, cpu);

	WARN_ON(cpu != smp_processor_id());
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, per_cpu(xen_vcpu_id, cpu),
			   NULL);

	memset(evt, 0, sizeof(*evt));
	evt->name = "xen";
	evt->features = CLOCK_EVT_FEAT_ONESHOT;
	/* Deltas are nanoseconds already. */
	evt->mult = 1;
	evt->shift = 0;
	evt->min_delta_ns = XEN_TIMER_MIN_NS;
	evt->max_delta_ns = 0xffffffff;
	evt->min_delta_ticks = XEN_TIMER_MIN_NS;
	evt->max_delta_ticks = 0xffffffff;
	/*
	 * The tick core takes the per-CPU, one-shot device of the highest
	 * rating (tick_check_preferred()).  A PV guest registers no other,
	 * but should a local APIC timer (100, 150 with TSC deadline) or an
	 * HPET channel (50, 110 per CPU) ever be registered, ours must win:
	 * only Xen's timer follows the vCPU.
	 */
	evt->rating = 200;
	evt->irq = per_cpu(xen_timer_irq, cpu);
	evt->cpumask = cpumask_of(cpu);
	evt->set_next_event = xen_timer_next_event;
	evt->set_state_shutdown = xen_timer_shutdown;
	evt->set_state_oneshot = xen_timer_shutdown;
	evt->tick_resume = xen_timer_shutdown;
	clockevents_register_device(evt);
}

void xen_teardown_cpu_clockevent(int cpu)
{
	int irq = per_cpu(xen_timer_irq, cpu);

	if (irq >= 0) {
		unbind_from_irqhandler(irq, NULL);
		per_cpu(xen_timer_irq, cpu) = -1;
	}
}

static void __init xen_time_init(void)
{
	struct pvclock_vcpu_time_info *info = this_vcpu_time();

	/* Xen sets the stable bit when the TSC runs in step on all CPUs. */
	if (info->flags & PVCLOCK_TSC_STABLE_BIT)
		pvclock_set_flags(PVCLOCK_TSC_STABLE_BIT);
	clocksource_register_hz(&xen_clocksource, NSEC_PER_SEC);
	if (xen_bind_cpu_timer(smp_processor_id()))
		panic("xen: cannot bind the boot CPU's timer\n");
	xen_setup_cpu_clockevent(smp_processor_id());
}

/* ---- Save and restore ------------------------------------------------------ */

/*
 * Xen's system time belongs to the host: after a migration it may be
 * anything.  The clocksource is looked after by timekeeping's own
 * suspend and resume (syscore), which reread the wall clock; sched_clock
 * must simply go on from where it stood, never backwards.
 */
static u64 xen_sched_clock_at_suspend;

void xen_time_suspend(void)
{
	xen_sched_clock_at_suspend = xen_sched_clock();
}

/* On CPU 0, the others parked: the new domain's timers are all unset. */
void xen_time_resume(void)
{
	unsigned int cpu;

	pvclock_resume();
	xen_sched_clock_base = pvclock_clocksource_read(this_vcpu_time()) -
			       xen_sched_clock_at_suspend;
	for_each_online_cpu(cpu)
		HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer,
				   per_cpu(xen_vcpu_id, cpu), NULL);
}

static void kick_timer(void *unused)
{
	struct clock_event_device *evt = this_cpu_ptr(&xen_vcpu_timer);

	if (evt->event_handler && clockevent_state_oneshot(evt))
		xen_timer_next_event(evt->min_delta_ns, evt);
}

/*
 * The event each CPU had programmed died with the old domain.  Fire
 * every CPU's timer once: its handler programs the next event.
 */
void xen_time_kick_all(void)
{
	on_each_cpu(kick_timer, NULL, 1);
}

/* A static call: only once setup_arch() has run static_call_init(). */
void __init xen_init_sched_clock(void)
{
	xen_sched_clock_base = pvclock_clocksource_read(this_vcpu_time());
	paravirt_set_sched_clock(xen_sched_clock);
}

void __init xen_init_time_ops(void)
{
	x86_init.timers.timer_init = xen_time_init;
	x86_init.timers.setup_percpu_clockev = x86_init_noop;
	x86_cpuinit.setup_percpu_clockev = x86_init_noop;
	x86_platform.calibrate_tsc = xen_tsc_khz;
	x86_platform.calibrate_cpu = xen_tsc_khz;
	x86_platform.get_wallclock = xen_get_wallclock;
	x86_platform.set_wallclock = xen_set_wallclock;
}
