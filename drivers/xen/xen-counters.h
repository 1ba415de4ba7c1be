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

/*
 * grant-table.c: what the references in use hold.  A reference in use
 * whose entry grants nothing sits in a driver's private pool or between
 * two grants; so when the count in use grows, these tell whether a
 * driver kept a grant (granted), another domain kept a mapping (mapped,
 * and deferred once we tried to take it back) or a driver kept a bare
 * reference (neither).
 */
struct gnttab_usage {
	unsigned int granted;	/* the entry lets another domain in */
	unsigned int mapped;	/* of those, Xen marks it mapped now */
	unsigned int deferred;	/* kept until the other domain unmaps */
};
void gnttab_refs_usage(struct gnttab_usage *u);
/* events.c: event-channel ports open in Xen (EVTCHNOP_status). */
unsigned int xen_evtchn_ports_bound(void);

#endif /* _DRIVERS_XEN_XEN_COUNTERS_H */
