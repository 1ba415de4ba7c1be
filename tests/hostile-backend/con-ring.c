// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's PV console ring, as a hostile console daemon sees it.
 *
 * What the toolstack set up (xen/io/console.h, libxl): one page, whose
 * frame is in /local/domain/<domU>/console/ring-ref, with an input ring
 * (in[1024], written by the daemon, in_prod ours) and an output ring
 * (out[2048], written by the guest, out_cons ours); the guest's end of
 * the event channel is console/port, xenconsoled holds dom0's end.  The
 * domain builder also put the page in the guest's grant table under the
 * reserved reference GNTTAB_RESERVED_CONSOLE (0): we map it with gntdev
 * as xenconsoled does.
 *
 * xenconsoled keeps serving the ring while we have it mapped, and it
 * writes in_prod and out_cons itself, from its own copies; a ring whose
 * output indexes are more than a ring apart it takes for broken and
 * stops serving.  So a scenario that writes the daemon's indexes stops
 * it first (SIGSTOP), and before letting it go on (SIGCONT) makes the
 * ring sane again: in_prod where the guest's in_cons is, out_cons where
 * its out_prod is, for a ring whose indexes are still impossible (what
 * was in it is dropped).  Whatever ends
 * the program (a signal included) goes through con_detach(), which does
 * the same, so xenconsoled is never left stopped by accident.
 *
 * Events: the guest looks at the ring when its channel fires.  Our
 * gntdev file cannot notify xenconsoled's port, so con_kick() sends on
 * it with the hypercall (chan_notify_any()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "con.h"

/* GNTTAB_RESERVED_CONSOLE of grant_table.h, which needs __XEN_TOOLS__. */
#define CON_GREF	0

static pid_t find_daemon(void)
{
	struct dirent *de;
	char path[300], comm[64];
	pid_t pid = 0;
	DIR *d = opendir("/proc");
	FILE *f;

	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strcmp(comm, "xenconsoled\n"))
			pid = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return pid;
}

/* The state letter of /proc/<pid>/stat ('T': stopped), '?' if gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold spaces, not a ')' and space. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

int con_attach(struct con_be *c, struct hb *hb)
{
	char dir[64];
	unsigned long long port, ref;

	memset(c, 0, sizeof(*c));
	c->hb = hb;
	c->dom0_port = -1;
	snprintf(dir, sizeof(dir), "/local/domain/%u/console", hb->domid);
	if (store_read_uint(hb, dir, "port", &port) ||
	    store_read_uint(hb, dir, "ring-ref", &ref)) {
		hb_log("no console/port or console/ring-ref in %s", dir);
		return -1;
	}
	c->guest_port = port;
	c->ring = xengnttab_map_grant_ref(hb->xgt, hb->domid, CON_GREF,
					  PROT_READ | PROT_WRITE);
	if (!c->ring) {
		hb_log("mapping the console page (grant %u of domain %u): %s",
		       CON_GREF, hb->domid, strerror(errno));
		return -1;
	}
	c->daemon = find_daemon();
	c->dom0_port = chan_find_any(hb, hb->domid, c->guest_port);
	hb_log("console of domain %u: frame %llu, guest port %u, dom0 port %d, xenconsoled pid %d",
	       hb->domid, ref, c->guest_port, c->dom0_port, (int)c->daemon);
	con_log(c, "at attach");
	if (c->dom0_port < 0) {
		hb_log("no port of dom0's is bound to the guest's console port");
		con_detach(c);
		return -1;
	}
	return 0;
}

/* Make the ring sane, let xenconsoled go on (unless told), unmap. */
void con_detach(struct con_be *c)
{
	if (!c->ring)
		return;
	if (c->stopped && !c->keep_stopped) {
		con_make_sane(c);
		con_kick(c);
		con_daemon_cont(c);
	} else if (c->stopped) {
		hb_log("xenconsoled (pid %d) left stopped, as asked",
		       (int)c->daemon);
	}
	con_log(c, "at detach");
	xengnttab_unmap(c->hb->xgt, (void *)c->ring, 1);
	c->ring = NULL;
}

int con_daemon_stop(struct con_be *c)
{
	int i;

	if (!c->daemon || kill(c->daemon, SIGSTOP)) {
		hb_log("cannot stop xenconsoled (pid %d): %s", (int)c->daemon,
		       c->daemon ? strerror(errno) : "not running");
		return -1;
	}
	c->stopped = true;
	/* SIGSTOP takes effect when the process next runs: wait for it. */
	for (i = 0; i < 100 && proc_state(c->daemon) != 'T'; i++)
		usleep(10000);
	hb_log("xenconsoled (pid %d) stopped (state %c)", (int)c->daemon,
	       proc_state(c->daemon));
	return 0;
}

void con_daemon_cont(struct con_be *c)
{
	if (!c->stopped)
		return;
	if (kill(c->daemon, SIGCONT))
		hb_log("cannot continue xenconsoled: %s", strerror(errno));
	else
		hb_log("xenconsoled (pid %d) continued", (int)c->daemon);
	c->stopped = false;
}

void con_kick(struct con_be *c)
{
	if (c->dom0_port >= 0 && !chan_notify_any(c->hb, c->dom0_port))
		c->kicks++;
}

/*
 * The daemon's index of a ring whose indexes are impossible (more than
 * a ring apart), where a sane daemon would have it with nothing left
 * to read or write; a ring that is sane is left alone, so that the
 * guest's output since (its complaints about the indexes, say) still
 * reaches the log.  The guest's own indexes are read once, never
 * written.
 */
void con_make_sane(struct con_be *c)
{
	XENCONS_RING_IDX in_cons = c->ring->in_cons;
	XENCONS_RING_IDX out_prod = c->ring->out_prod;

	if (c->ring->in_prod - in_cons > sizeof(c->ring->in)) {
		c->ring->in_prod = in_cons;
		hb_log("input ring made sane: in_prod = in_cons = %u",
		       in_cons);
	}
	if (out_prod - c->ring->out_cons > sizeof(c->ring->out)) {
		c->ring->out_cons = out_prod;
		hb_log("output ring made sane: out_cons = out_prod = %u",
		       out_prod);
	}
	/* Both stores out before the kick or SIGCONT that follows. */
	mb();
}

void con_log(struct con_be *c, const char *when)
{
	XENCONS_RING_IDX ip = c->ring->in_prod, ic = c->ring->in_cons;
	XENCONS_RING_IDX op = c->ring->out_prod, oc = c->ring->out_cons;

	hb_log("ring %s: in %u/%u (%u unread), out %u/%u (%u unread)", when,
	       ip, ic, ip - ic, op, oc, op - oc);
}
