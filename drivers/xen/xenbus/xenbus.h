/* SPDX-License-Identifier: GPL-2.0 */
/* Between the files of drivers/xen/xenbus. */
#ifndef _DRIVERS_XEN_XENBUS_H
#define _DRIVERS_XEN_XENBUS_H

#include <xen/interface/event_channel.h>

struct xenstore_domain_interface;

int xs_connect(struct xenstore_domain_interface *ring, evtchn_port_t port);

#endif /* _DRIVERS_XEN_XENBUS_H */
