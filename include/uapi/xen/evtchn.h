/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * /dev/xen/evtchn: event channels for user space.
 *
 * Each ioctl that binds returns the new local port.  read() returns the
 * ports that fired, as 32-bit numbers; a port that fired stays masked
 * until its number is written back with write().  Closing the file
 * unbinds (and closes) every port bound through it.
 *
 * The numbers and layouts are what the Xen tools (libxenevtchn) use.
 */
#ifndef _UAPI_XEN_EVTCHN_H
#define _UAPI_XEN_EVTCHN_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Ioctl number @nr of /dev/xen/evtchn, taking a @type. */
#define __XEN_EVTCHN_IOC(nr, type) _IOC(_IOC_NONE, 'E', nr, sizeof(type))

/* A new port bound to virtual interrupt @virq of Xen's. */
struct ioctl_evtchn_bind_virq {
	__u32 virq;
};
#define IOCTL_EVTCHN_BIND_VIRQ __XEN_EVTCHN_IOC(0, struct ioctl_evtchn_bind_virq)

/* A new port connected to port @remote_port of @remote_domain. */
struct ioctl_evtchn_bind_interdomain {
	__u32 remote_domain;
	__u32 remote_port;
};
#define IOCTL_EVTCHN_BIND_INTERDOMAIN __XEN_EVTCHN_IOC(1, struct ioctl_evtchn_bind_interdomain)

/* A new port that @remote_domain may connect to. */
struct ioctl_evtchn_bind_unbound_port {
	__u32 remote_domain;
};
#define IOCTL_EVTCHN_BIND_UNBOUND_PORT __XEN_EVTCHN_IOC(2, struct ioctl_evtchn_bind_unbound_port)

/* Unbind and close a port bound through this file. */
struct ioctl_evtchn_unbind {
	__u32 port;
};
#define IOCTL_EVTCHN_UNBIND __XEN_EVTCHN_IOC(3, struct ioctl_evtchn_unbind)

/* Signal the other end of a port bound through this file. */
struct ioctl_evtchn_notify {
	__u32 port;
};
#define IOCTL_EVTCHN_NOTIFY __XEN_EVTCHN_IOC(4, struct ioctl_evtchn_notify)

/* Empty the queue of fired ports and clear its overflow. */
#define IOCTL_EVTCHN_RESET _IOC(_IOC_NONE, 'E', 5, 0)

/*
 * From now on only bind interdomain ports to @domid (a device model
 * serving one guest); ports bound before stay.  There is no way back.
 */
struct ioctl_evtchn_restrict_domid {
	__u16 domid;
};
#define IOCTL_EVTCHN_RESTRICT_DOMID __XEN_EVTCHN_IOC(6, struct ioctl_evtchn_restrict_domid)

#endif /* _UAPI_XEN_EVTCHN_H */
