// SPDX-License-Identifier: GPL-2.0
/*
 * Batching hypercalls.
 *
 * Every hypercall is a trip into Xen and back, about the cost of a system
 * call, and a PV kernel makes one for every page-table write Xen must
 * check.  Linux tells us when writes come in bursts: between
 * arch_enter_lazy_mmu_mode() and arch_leave_lazy_mmu_mode() (fork, exit,
 * mprotect, munmap) and during a context switch (lazy CPU mode).  In
 * those windows we queue the operations in a per-CPU batch and send the
 * whole batch with one HYPERVISOR_multicall when the window closes or the
 * batch fills up.
 *
 * Two kinds of operation are queued far more than any other: mmu_update
 * (write a page-table entry) and mmuext_op (pin, flush, switch cr3).  Both
 * hypercalls take an array, so a request that follows one of the same kind
 * is appended to the previous entry's array instead of taking an entry of
 * its own: a fork's hundreds of PTE writes become one mmu_update call with
 * hundreds of requests.
 *
 * The batch is per CPU and is only touched with interrupts off.  An
 * interrupt handler never sees a lazy mode (paravirt_get_lazy_mode() says
 * NONE in interrupt context), so whatever it queues is sent at once,
 * together with anything the interrupted code had queued, in order.
 */
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>

#include <asm/paravirt.h>
#include <asm/xen/hypercall.h>

#include "xen-ops.h"

#define MC_ENTRIES	32
#define MC_ARG_BYTES	(MC_ENTRIES * 64)

struct mc_batch {
	struct multicall_entry entry[MC_ENTRIES];
	u64 args[MC_ARG_BYTES / sizeof(u64)] __aligned(8);
	unsigned int nr_entries;
	unsigned int args_used;		/* bytes */
	/* Where the last entry's argument array starts, for merging. */
	unsigned int last_args;
};

static DEFINE_PER_CPU(struct mc_batch, mc_batch);

/* How often a batch went out, and how many entries it carried. */
DEFINE_PER_CPU(unsigned long, xen_mc_flushes);
DEFINE_PER_CPU(unsigned long, xen_mc_entries);

static DEFINE_RATELIMIT_STATE(mc_failure_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static void mc_report_failure(struct mc_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr_entries; i++) {
		struct multicall_entry *mc = &b->entry[i];

		if ((long)mc->result >= 0)
			continue;
		pr_err("xen: multicall entry %u/%u: op %lu (%lx %lx %lx) failed: %ld\n",
		       i + 1, b->nr_entries, (unsigned long)mc->op,
		       (unsigned long)mc->args[0], (unsigned long)mc->args[1],
		       (unsigned long)mc->args[2], (long)mc->result);
	}
}

/* Send the batch.  Interrupts must be off. */
static void mc_send(struct mc_batch *b)
{
	struct multicall_entry *mc;
	bool failed = false;
	unsigned int i;

	if (!b->nr_entries)
		return;

	this_cpu_inc(xen_mc_flushes);
	this_cpu_add(xen_mc_entries, b->nr_entries);

	if (b->nr_entries == 1) {
		/* One call does not need the multicall wrapper. */
		mc = &b->entry[0];
		mc->result = xen_hypercall_dynamic(mc->op, mc->args[0],
						   mc->args[1], mc->args[2],
						   mc->args[3], mc->args[4]);
		failed = (long)mc->result < 0;
	} else if (HYPERVISOR_multicall(b->entry, b->nr_entries)) {
		failed = true;
	} else {
		for (i = 0; i < b->nr_entries; i++)
			if ((long)b->entry[i].result < 0)
				failed = true;
	}

	/*
	 * Not a WARN: user space can make an entry fail (a privcmd area's
	 * foreign entries moved by mremap(), for one), and must neither
	 * flood the log nor stop a panic_on_warn kernel.  The entries and
	 * one stack per burst say enough to find the caller.
	 */
	if (unlikely(failed) && __ratelimit(&mc_failure_rs)) {
		mc_report_failure(b);
		dump_stack();
	}
	b->nr_entries = 0;
	b->args_used = 0;
	xen_cr3_sent();
}

void xen_mc_flush(void)
{
	unsigned long flags;

	local_irq_save(flags);
	mc_send(this_cpu_ptr(&mc_batch));
	local_irq_restore(flags);
}

bool xen_mc_batching(void)
{
	return paravirt_get_lazy_mode() != PARAVIRT_LAZY_NONE;
}

/* Send now unless Linux told us more is coming. */
void xen_mc_issue(void)
{
	if (!xen_mc_batching())
		xen_mc_flush();
}

/*
 * A new entry with @args_bytes of argument space, returned in *@args.
 * Interrupts must be off from here until xen_mc_issue().
 */
struct multicall_entry *xen_mc_reserve(unsigned int args_bytes, void **args)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);
	struct multicall_entry *mc;

	lockdep_assert_irqs_disabled();
	args_bytes = ALIGN(args_bytes, sizeof(u64));
	if (b->nr_entries == MC_ENTRIES ||
	    b->args_used + args_bytes > MC_ARG_BYTES)
		mc_send(b);

	mc = &b->entry[b->nr_entries++];
	memset(mc, 0, sizeof(*mc));
	b->last_args = b->args_used;
	*args = (char *)b->args + b->args_used;
	b->args_used += args_bytes;
	return mc;
}

/*
 * Queue one element of an array hypercall (mmu_update, mmuext_op) whose
 * arguments are (array, count, NULL, DOMID_SELF).  If the previous entry
 * is the same hypercall and its array ends where the free space begins,
 * grow that array by one element instead of using a new entry.
 */
static void *mc_queue_array_op(unsigned int op, unsigned int elem_size)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);
	struct multicall_entry *mc;
	void *elem;

	if (b->nr_entries) {
		mc = &b->entry[b->nr_entries - 1];
		if (mc->op == op &&
		    b->last_args + mc->args[1] * elem_size == b->args_used &&
		    b->args_used + elem_size <= MC_ARG_BYTES) {
			elem = (char *)b->args + b->args_used;
			b->args_used += elem_size;
			mc->args[1]++;
			return elem;
		}
	}
	mc = xen_mc_reserve(elem_size, &elem);
	mc->op = op;
	mc->args[0] = (unsigned long)elem;
	mc->args[1] = 1;
	mc->args[2] = 0;
	mc->args[3] = DOMID_SELF;
	return elem;
}

/* Queue a page-table write (or an m2p update).  Interrupts off. */
void xen_mc_mmu_update(u64 ptr, u64 val)
{
	struct mmu_update *u;

	u = mc_queue_array_op(__HYPERVISOR_mmu_update, sizeof(*u));
	u->ptr = ptr;
	u->val = val;
}

/* Queue an extended MMU operation.  Interrupts off. */
void xen_mc_mmuext(const struct mmuext_op *op)
{
	struct mmuext_op *e;

	e = mc_queue_array_op(__HYPERVISOR_mmuext_op, sizeof(*e));
	*e = *op;
}

/* Queue any other hypercall with up to four arguments.  Interrupts off. */
void xen_mc_call(unsigned int op, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3)
{
	struct multicall_entry *mc;
	void *unused;

	mc = xen_mc_reserve(0, &unused);
	xen_mc_fill(mc, op, a0, a1, a2, a3);
}

void xen_mc_enter_lazy(void)
{
	paravirt_enter_lazy_mmu();
}

void xen_mc_leave_lazy(void)
{
	xen_mc_flush();
	paravirt_leave_lazy_mmu();
}
