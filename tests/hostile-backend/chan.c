// SPDX-License-Identifier: GPL-2.0
/*
 * The handles of a run (store, event channels, grant mapping) and the
 * program's only wait: a poll on the event channel fd that also
 * returns every 100 ms for the caller to look at the store again.
 * Everything that waits (for the frontend's state, for a request, for
 * a domain to come back) goes through hb_wait(), so an event on a
 * served ring is always answered and a SIGINT/SIGTERM always ends the
 * wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbackend.h"

#include <xen/event_channel.h>

int hb_open(struct hb *hb)
{
	hb->xs = xs_open(0);
	if (!hb->xs) {
		hb_log("cannot open the store: %s", strerror(errno));
		return -1;
	}
	hb->xce = xenevtchn_open(NULL, 0);
	if (!hb->xce) {
		hb_log("cannot open /dev/xen/evtchn: %s", strerror(errno));
		return -1;
	}
	hb->xgt = xengnttab_open(NULL, 0);
	if (!hb->xgt) {
		hb_log("cannot open /dev/xen/gntdev: %s", strerror(errno));
		return -1;
	}
	/*
	 * keep-mapped holds a request's pages after the ring is gone; a
	 * gntdev limit is per open file.  Not every gntdev has the ioctl.
	 */
	xengnttab_set_max_grants(hb->xgt, 4096);
	return 0;
}

void hb_close(struct hb *hb)
{
	if (hb->xcall)
		xencall_close(hb->xcall);
	if (hb->xgt)
		xengnttab_close(hb->xgt);
	if (hb->xce)
		xenevtchn_close(hb->xce);
	if (hb->xs)
		xs_close(hb->xs);
	hb->xcall = NULL;
	hb->xgt = NULL;
	hb->xce = NULL;
	hb->xs = NULL;
}

/* Bind the frontend's unbound port; our local port, or -1. */
int chan_bind(struct hb *hb, unsigned int domid, unsigned int remote_port)
{
	xenevtchn_port_or_error_t port;

	port = xenevtchn_bind_interdomain(hb->xce, domid, remote_port);
	if (port < 0) {
		hb_log("binding domain %u's port %u: %s", domid, remote_port,
		       strerror(errno));
		return -1;
	}
	return port;
}

void chan_unbind(struct hb *hb, int *port)
{
	if (*port < 0)
		return;
	if (xenevtchn_unbind(hb->xce, *port))
		hb_log("unbinding port %d: %s", *port, strerror(errno));
	*port = -1;
}

void chan_notify(struct hb *hb, int port)
{
	if (port >= 0 && xenevtchn_notify(hb->xce, port))
		hb_dbg(hb, "notify %d: %s", port, strerror(errno));
}

/*
 * Ports of dom0's that another process bound (xenconsoled's end of a
 * guest's console channel): /dev/xen/evtchn only lets a file notify
 * the ports it bound itself, but Xen checks no more than that the port
 * is the calling domain's, so we make the event-channel hypercalls
 * ourselves, through privcmd (libxencall).
 *
 * The op's number is spelled out: xen.h, included without an interface
 * version as this program does (see hbackend.h), turns the name
 * __HYPERVISOR_event_channel_op into the pre-3.0.2 compat op.
 */
#define HYPERCALL_EVENT_CHANNEL_OP	32

static int evtchn_op(struct hb *hb, int cmd, void *arg, size_t len)
{
	void *buf;
	int rc;

	if (!hb->xcall) {
		hb->xcall = xencall_open(NULL, 0);
		if (!hb->xcall) {
			hb_log("cannot open privcmd: %s", strerror(errno));
			return -1;
		}
	}
	/* A hypercall's argument must be in memory privcmd locked. */
	buf = xencall_alloc_buffer(hb->xcall, len);
	if (!buf)
		return -1;
	memcpy(buf, arg, len);
	rc = xencall2(hb->xcall, HYPERCALL_EVENT_CHANNEL_OP, cmd,
		      (uint64_t)(uintptr_t)buf);
	memcpy(arg, buf, len);
	xencall_free_buffer(hb->xcall, buf);
	return rc;
}

/*
 * dom0's port at our end of domain domid's remote_port, whoever in
 * dom0 bound it; -1 if none.  Xen allocates a domain's ports lowest
 * first and calls every port past the last allocated one invalid
 * (EINVAL): that ends the scan.
 */
int chan_find_any(struct hb *hb, unsigned int domid, unsigned int remote_port)
{
	struct evtchn_status st;
	unsigned int port;

	for (port = 1; port < 1u << 17; port++) {
		memset(&st, 0, sizeof(st));
		st.dom = DOMID_SELF;
		st.port = port;
		if (evtchn_op(hb, EVTCHNOP_status, &st, sizeof(st))) {
			if (errno != EINVAL)
				hb_log("EVTCHNOP_status of port %u: %s", port,
				       strerror(errno));
			break;
		}
		if (st.status == EVTCHNSTAT_interdomain &&
		    st.u.interdomain.dom == domid &&
		    st.u.interdomain.port == remote_port)
			return port;
	}
	return -1;
}

/* EVTCHNOP_send on a port of dom0's, ours or not. */
int chan_notify_any(struct hb *hb, unsigned int port)
{
	struct evtchn_send send = { .port = port };

	return evtchn_op(hb, EVTCHNOP_send, &send, sizeof(send));
}

/*
 * Wait up to timeout_ms for a channel event, looking at the store again
 * at least every STORE_LOOK_MS.  Returns a mask of HB_EV_*, 0 on
 * timeout, -1 when we must stop.
 *
 * No xenstore watches: Debian's static libxenstore.a (the one we link)
 * is built without its reader thread, and then a watch event that
 * arrives while a request waits for its reply is read in the reply's
 * place: that request fails with EINVAL, its real reply stays on the
 * socket, and the next request takes it for a wrong reply and closes
 * the connection (EBADF).  A frontend's directory fires at every write
 * of the guest's, so that happens at once.  Callers re-read the nodes
 * they care about after every return anyway; HB_EV_STORE says "look".
 */
#define STORE_LOOK_MS	100

int hb_wait(struct hb *hb, int timeout_ms)
{
	struct pollfd fds[1] = {
		{ .fd = xenevtchn_fd(hb->xce), .events = POLLIN },
	};
	int rc, got = 0;

	if (hb_stopping)
		return -1;
	if (timeout_ms < 0 || timeout_ms > STORE_LOOK_MS)
		timeout_ms = STORE_LOOK_MS;
	rc = poll(fds, 1, timeout_ms);
	if (rc < 0) {
		if (errno != EINTR)
			hb_log("poll: %s", strerror(errno));
		return hb_stopping || errno != EINTR ? -1 : 0;
	}
	if (rc == 0)
		got |= HB_EV_STORE;
	if (fds[0].revents & POLLIN) {
		xenevtchn_port_or_error_t port = xenevtchn_pending(hb->xce);

		if (port >= 0) {
			/*
			 * Unmask before looking at the ring: an event sent
			 * while we serve must fire again, not be lost.
			 */
			xenevtchn_unmask(hb->xce, port);
			if (hb->on_event)
				hb->on_event(hb->on_event_arg, port);
			got |= HB_EV_CHAN;
		}
	}
	return got;
}
