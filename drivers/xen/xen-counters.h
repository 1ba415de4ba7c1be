/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counts of what this domain holds of Xen's resources right now, for
 * /sys/hypervisor/usage (sys-hypervisor.c).  Each is computed by the file
 * that owns the data, only when read.
 */
#ifndef _DRIVERS_XEN_XEN_COUNTERS_H
#define _DRIVERS_XEN_XEN_COUNTERS_H

/* grant-table.c: our grant references allocated and not freed. */
unsigned int gnttab_refs_in_use(void);
/* events.c: event-channel ports open in Xen (EVTCHNOP_status). */
unsigned int xen_evtchn_ports_bound(void);

#endif /* _DRIVERS_XEN_XEN_COUNTERS_H */
