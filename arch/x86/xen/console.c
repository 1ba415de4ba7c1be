// SPDX-License-Identifier: GPL-2.0
/*
 * Printing before any driver exists.
 *
 * dom0 writes straight to Xen's console with HYPERVISOR_console_io; Xen
 * puts it on the serial line.  A domU may not (a release build of Xen
 * drops its console_io output), but it has its own console from the first
 * instruction: the domain builder puts the console ring page inside the
 * boot mappings and binds an event channel to xenconsoled.  Writing into
 * the ring and kicking the channel is all it takes, and it works before
 * the event channel code, the hvc driver or even our own page tables.
 *
 * The hvc driver (drivers/tty/hvc/hvc_xen.c) takes over the same ring
 * later; this code stays for panics and earlyprintk=xen.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/stdarg.h>

#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/xen.h>
#include <xen/hvc-console.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/io/console.h>

#include "xen-ops.h"

/*
 * A PVH guest's ring is a page outside the direct map that the hvc
 * driver maps (with the channel, it tells us here).  Before that, the
 * only way out is Xen's debug port 0xe9: for an HVM domain Xen prints
 * what is written there on its own console, one line at a time, when
 * guest messages are enabled (guest_loglvl).
 */
static struct xencons_interface *pvh_ring;
static evtchn_port_t pvh_port;

void xen_early_console_ring(struct xencons_interface *ring, u32 port)
{
	pvh_port = port;
	WRITE_ONCE(pvh_ring, ring);
}

#define XEN_HVM_DEBUG_PORT	0xe9

/*
 * A PV guest's ring page is in the boot area.  Until we run on our own
 * page tables only Xen's boot mapping reaches it; after that, the direct
 * map.
 */
static struct xencons_interface *early_ring(evtchn_port_t *port)
{
#ifdef CONFIG_XEN_PV
	unsigned long mfn, pfn;
#endif

	if (xen_initial_domain())
		return NULL;
	if (!xen_pv_domain()) {
		*port = pvh_port;
		return READ_ONCE(pvh_ring);
	}
#ifdef CONFIG_XEN_PV
	if (!xen_start_info)
		return NULL;
	mfn = xen_start_info->console.domU.mfn;
	if (!mfn)
		return NULL;
	pfn = mfn_to_pfn(mfn);
	if (pfn == ~0UL)
		return NULL;
	*port = xen_start_info->console.domU.evtchn;
	if (!xen_on_own_pagetables)
		return (void *)(__START_KERNEL_map + PFN_PHYS(pfn));
	return __va(PFN_PHYS(pfn));
#else
	return NULL;
#endif
}

static void ring_write(struct xencons_interface *ring, evtchn_port_t port,
		       const char *s, size_t len)
{
	struct evtchn_send send = {
		.port = port,
	};
	XENCONS_RING_IDX cons, prod;
	int spins = 0;

	while (len) {
		cons = READ_ONCE(ring->out_cons);
		prod = ring->out_prod;
		if (prod - cons >= sizeof(ring->out)) {
			/* Full: let xenconsoled drain it, but never hang. */
			HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
			if (++spins > 1000)
				return;
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
			continue;
		}
		ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *s++;
		len--;
		/* The byte must be visible before the index that covers it. */
		virt_wmb();
		ring->out_prod = prod + 1;
	}
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

void xen_early_write(const char *s, unsigned int len)
{
	evtchn_port_t port = 0;
	struct xencons_interface *ring = early_ring(&port);

	if (ring)
		ring_write(ring, port, s, len);
	else if (xen_pvh_domain())
		outsb(XEN_HVM_DEBUG_PORT, s, len);
	else
		HYPERVISOR_console_io(CONSOLEIO_write, len, s);
}

void xen_early_puts(const char *s)
{
	xen_early_write(s, strlen(s));
}

/*
 * Formatted, on the stack: an early message or a dying kernel's last
 * words may come from several CPUs at once, and a buffer of their own
 * keeps them from writing over each other.  They are one-liners; a
 * longer one is cut.
 */
void xen_early_vprintf(const char *fmt, va_list args)
{
	char line[160];

	xen_early_write(line, vscnprintf(line, sizeof(line), fmt, args));
}

void xen_early_printf(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	xen_early_vprintf(fmt, args);
	va_end(args);
}
