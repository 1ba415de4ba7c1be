/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's PV console (con-ring.c) for the console scenarios
 * (con-scenarios.c): not a device we add, but the one the toolstack
 * made at the domain's creation, which xenconsoled serves.  We map its
 * page beside xenconsoled, stop xenconsoled while we write where only
 * it may (in_prod, out_cons), and make the ring sane again before we
 * let it go on.
 */
#ifndef HB_CON_H
#define HB_CON_H

#include <sys/types.h>

#include "hbackend.h"

#include <xen/io/console.h>

struct con_be {
	struct hb *hb;
	/*
	 * volatile: the guest changes its indexes under us at any time,
	 * and user space has no READ_ONCE; every access is one load or
	 * store of an aligned 32-bit index, or a byte.
	 */
	volatile struct xencons_interface *ring;
	unsigned int guest_port;	/* console/port: the guest's end */
	int dom0_port;			/* xenconsoled's end, -1: unknown */
	pid_t daemon;			/* xenconsoled, 0: not found */
	bool stopped;			/* we stopped it */
	bool keep_stopped;		/* and leave it so (a self-check) */
	unsigned long kicks;		/* events we sent */
};

int con_attach(struct con_be *c, struct hb *hb);
void con_detach(struct con_be *c);
int con_daemon_stop(struct con_be *c);
void con_daemon_cont(struct con_be *c);
void con_kick(struct con_be *c);
void con_make_sane(struct con_be *c);
void con_log(struct con_be *c, const char *when);

#endif
