/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event channels as Linux interrupts.
 *
 * An event channel is Xen's interrupt line: a port number, a pending bit
 * and a mask bit in shared memory, and a vCPU Xen notifies.  A channel
 * can be bound to a virtual IRQ of Xen's (VIRQ_TIMER, VIRQ_CONSOLE, ...),
 * to another vCPU of ours (an IPI), to another domain's channel (the
 * split drivers), or, in dom0, to a physical interrupt (a pirq).
 *
 * Each bound channel gets a Linux IRQ number, so drivers use request_irq()
 * semantics; these helpers bind and unbind in one step, as the drivers
 * written for Linux-on-Xen expect.
 */
#ifndef _XEN_EVENTS_H
#define _XEN_EVENTS_H

#include <linux/interrupt.h>
#include <linux/irq.h>

#include <asm/xen/hypercall.h>

#include <xen/interface/event_channel.h>

/* The IPIs a PV guest sends itself: one channel per vCPU and kind. */
enum xen_ipi {
	XEN_IPI_RESCHED,
	XEN_IPI_CALL_FUNC,
	XEN_IPI_CALL_FUNC_SINGLE,
	XEN_IPI_IRQ_WORK,
	XEN_IPI_SPIN_KICK,	/* polled, never delivered (spinlock.c) */
	XEN_NR_IPIS,
};

/*
 * bind_*_to_irq() binds a channel (opening it if needed) to a new Linux
 * IRQ; bind_*_to_irqhandler() also requests the IRQ, with request_irq()'s
 * last four arguments.
 */
int bind_evtchn_to_irq(evtchn_port_t port);
int bind_evtchn_to_irq_lateeoi(evtchn_port_t port);
int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu);
int bind_interdomain_evtchn_to_irq_lateeoi(unsigned int remote_domain,
					   evtchn_port_t remote_port);

int bind_evtchn_to_irqhandler(evtchn_port_t port, irq_handler_t handler,
			      unsigned long flags, const char *name, void *dev);
int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t port, irq_handler_t handler,
				      unsigned long flags, const char *name, void *dev);
/* A channel the caller opened: it is closed when unbound. */
int bind_own_evtchn_to_irqhandler(evtchn_port_t port, irq_handler_t handler,
				  unsigned long flags, const char *name, void *dev);
int bind_own_evtchn_to_irqhandler_lateeoi(evtchn_port_t port, irq_handler_t handler,
					  unsigned long flags, const char *name, void *dev);
int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu, irq_handler_t handler,
			    unsigned long flags, const char *name, void *dev);
int bind_ipi_to_irqhandler(enum xen_ipi ipi, unsigned int cpu, irq_handler_t handler,
			   unsigned long flags, const char *name, void *dev);
int bind_interdomain_evtchn_to_irqhandler_lateeoi(unsigned int remote_domain,
						  evtchn_port_t remote_port, irq_handler_t handler,
						  unsigned long flags, const char *name, void *dev);

/* Free the IRQ, then unbind; the channel is closed if we opened it. */
void unbind_from_irqhandler(unsigned int irq, void *dev_id);
void unbind_from_irq(unsigned int irq);

/*
 * Drivers that use "late EOI" (the backends) tell the event core when
 * they are done with an event, so a guest flooding a channel is throttled
 * instead of keeping dom0 in interrupt context.
 */
#define XEN_EOI_FLAG_SPURIOUS	0x00000001
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags);

evtchn_port_t evtchn_from_irq(unsigned int irq);
int irq_from_evtchn(evtchn_port_t port);
int irq_from_virq(unsigned int cpu, unsigned int virq);
int xen_set_irq_priority(unsigned int irq, unsigned int priority);

static inline void notify_remote_via_evtchn(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

void notify_remote_via_irq(int irq);

void xen_send_IPI_one(unsigned int cpu, enum xen_ipi ipi);

/* Used by PV spinlocks: wait for a channel without taking its interrupt. */
void xen_clear_irq_pending(int irq);
bool xen_test_irq_pending(int irq);
void xen_poll_irq(int irq);
void xen_poll_irq_timeout(int irq, u64 timeout);

void xen_irq_resume(void);
/* After a restore: the console's channel changed, its IRQ stays. */
void xen_rebind_evtchn_irq(evtchn_port_t port, int irq);
void xen_init_IRQ(void);
void xen_evtchn_mask_all(void);

/* Allocate a channel another domain can bind to. */
int xenbus_alloc_evtchn_for(domid_t remote, evtchn_port_t *port);
int xen_evtchn_close(evtchn_port_t port);

/*
 * Ports user space bound through /dev/xen/evtchn (xen-evtchn), for the
 * interfaces that signal one later on user space's behalf (gntdev's and
 * gntalloc's UNMAP_NOTIFY_SEND_EVENT).  A pin fails unless a client of
 * the calling process has the port bound now, and for a VIRQ's port;
 * while pinned, the channel stays open even if its
 * client lets go of it, so its number cannot be given to another
 * channel.  Both may sleep.
 */
int xen_evtchn_user_port_pin(evtchn_port_t port);
void xen_evtchn_user_port_unpin(evtchn_port_t port);

/* Called with the interrupted registers from the event upcall. */
void xen_evtchn_handle_pending(void);

/* dom0: physical interrupts */
int xen_bind_pirq_gsi_to_irq(unsigned int gsi, unsigned int pirq,
			     bool level, const char *name);
int xen_pirq_from_irq(unsigned int irq);

#endif /* _XEN_EVENTS_H */
