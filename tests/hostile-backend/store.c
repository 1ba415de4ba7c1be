// SPDX-License-Identifier: GPL-2.0
/*
 * The store side of a hostile backend: what a toolstack and a backend
 * driver write for a device, and reading back what the frontend wrote.
 *
 * Where our devices live.  The frontend finds its backend only through
 * its own directory: "backend" (a path) and "backend-id" (a domain).
 * Nothing in the protocol ties that path to dom0's "backend/<kind>"
 * directory, and dom0's backend bus watches exactly that directory, so
 * ours lives beside it:
 *
 *   /local/domain/<domU>/device/<kind>/<devid>            the frontend's
 *   /local/domain/0/hostile-backend/<kind>/<domU>/<devid> ours
 *
 * dom0's blkback and netback never see our directory, libxl never lists
 * it (it keeps its own record of the devices it made), and the guest
 * cannot tell us from a real backend.
 *
 * Permissions follow libxl's: the frontend's directory belongs to the
 * guest (it writes its state and ring references there) and dom0 may
 * read it; ours belongs to dom0 and the guest may read it.  A node
 * created later inherits its parent's permissions, owner included,
 * when dom0 creates it, so setting them on the two directories is
 * enough.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>
#include <xenstore_lib.h>
#include <xen/io/xs_wire.h>

#include "hbackend.h"

const char *xb_state_name(int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if (state == XB_GONE)
		return "gone";
	if (state >= 0 && state < (int)ARRAY_SIZE(names))
		return names[state];
	return "?";
}

static void join(char *buf, size_t len, const char *dir, const char *node)
{
	if (node && node[0])
		snprintf(buf, len, "%s/%s", dir, node);
	else
		snprintf(buf, len, "%s", dir);
}

/* The node's value (malloc'd, NUL-terminated), NULL if it is absent. */
char *store_read(struct hb *hb, const char *dir, const char *node)
{
	char path[256];
	unsigned int len;

	join(path, sizeof(path), dir, node);
	return xs_read(hb->xs, XBT_NULL, path, &len);
}

int store_read_uint(struct hb *hb, const char *dir, const char *node,
		    unsigned long long *val)
{
	char *s = store_read(hb, dir, node), *end;
	int rc = -1;

	if (!s)
		return -1;
	errno = 0;
	*val = strtoull(s, &end, 10);
	/* The frontend's text is not ours: all of it must be a number. */
	if (!errno && end != s && !*end && s[0] != '-')
		rc = 0;
	free(s);
	return rc;
}

static int write_in(struct hb *hb, xs_transaction_t t, const char *dir,
		    const char *node, const char *val)
{
	char path[256];

	join(path, sizeof(path), dir, node);
	if (!xs_write(hb->xs, t, path, val, strlen(val))) {
		hb_log("store: writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int store_write(struct hb *hb, const char *dir, const char *node,
		const char *fmt, ...)
{
	char val[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return write_in(hb, XBT_NULL, dir, node, val);
}

int store_rm(struct hb *hb, const char *dir, const char *node)
{
	char path[256];

	join(path, sizeof(path), dir, node);
	if (!xs_rm(hb->xs, XBT_NULL, path) && errno != ENOENT) {
		hb_log("store: removing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void dev_init(struct hb_dev *dev, struct hb *hb, const char *kind,
	      unsigned int domid, unsigned int devid)
{
	memset(dev, 0, sizeof(*dev));
	dev->hb = hb;
	dev->kind = kind;
	dev->domid = domid;
	dev->devid = devid;
	dev->fe_state = -1;
	snprintf(dev->fe, sizeof(dev->fe), "/local/domain/%u/device/%s/%u",
		 domid, kind, devid);
	snprintf(dev->be, sizeof(dev->be),
		 "/local/domain/0/hostile-backend/%s/%u/%u", kind, domid,
		 devid);
}

static int make_dir(struct hb *hb, xs_transaction_t t, const char *path,
		    unsigned int owner, unsigned int reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (!xs_mkdir(hb->xs, t, path) ||
	    !xs_set_permissions(hb->xs, t, path, perms, 2)) {
		hb_log("store: making %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A NULL value: the node is left out (removed if written before). */
static int write_nodes(struct hb *hb, xs_transaction_t t, const char *dir,
		       const struct hb_node *nodes)
{
	char path[256];

	for (; nodes && nodes->name; nodes++) {
		if (nodes->value) {
			if (write_in(hb, t, dir, nodes->name, nodes->value))
				return -1;
			continue;
		}
		join(path, sizeof(path), dir, nodes->name);
		if (!xs_rm(hb->xs, t, path) && errno != ENOENT) {
			hb_log("store: removing %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * What a toolstack does to add a device: both directories in one
 * transaction, both states Initialising.  Then, as the backend driver
 * would, our state goes to be_state (InitWait normally): the frontend
 * sees the device first and its backend's progress after, as with a
 * real one.
 */
int dev_create(struct hb_dev *dev, const struct hb_node *fe_nodes,
	       const struct hb_node *be_nodes, int be_state)
{
	struct hb *hb = dev->hb;
	char domid[16], backend_id[] = "0";
	const struct hb_node fe_std[] = {
		{ "backend", dev->be },
		{ "backend-id", backend_id },
		{ "state", "1" },
		{ NULL, NULL },
	};
	const struct hb_node be_std[] = {
		{ "frontend", dev->fe },
		{ "frontend-id", domid },
		{ "online", "1" },
		{ "state", "1" },
		{ NULL, NULL },
	};
	int tries;

	snprintf(domid, sizeof(domid), "%u", dev->domid);
	for (tries = 0; tries < 20; tries++) {
		xs_transaction_t t = xs_transaction_start(hb->xs);

		if (t == XBT_NULL) {
			hb_log("store: transaction: %s", strerror(errno));
			return -1;
		}
		if (make_dir(hb, t, dev->fe, dev->domid, 0) ||
		    make_dir(hb, t, dev->be, 0, dev->domid) ||
		    write_nodes(hb, t, dev->fe, fe_std) ||
		    write_nodes(hb, t, dev->fe, fe_nodes) ||
		    write_nodes(hb, t, dev->fe, hb->fe_override) ||
		    write_nodes(hb, t, dev->be, be_std) ||
		    write_nodes(hb, t, dev->be, be_nodes) ||
		    write_nodes(hb, t, dev->be, hb->be_override)) {
			xs_transaction_end(hb->xs, t, true);
			return -1;
		}
		if (xs_transaction_end(hb->xs, t, false))
			break;
		if (errno != EAGAIN) {
			hb_log("store: commit: %s", strerror(errno));
			return -1;
		}
	}
	dev->created = true;
	dev->fe_state = -1;
	hb_log("%s %u: created, frontend %s, backend %s", dev->kind,
	       dev->devid, dev->fe, dev->be);
	if (be_state > XenbusStateInitialising)
		return dev_set_state(dev, be_state);
	return 0;
}

/*
 * What a toolstack does last when it removes a device.  Deleting the
 * frontend's directory is what makes the guest drop its device.
 */
void dev_remove(struct hb_dev *dev)
{
	struct hb *hb = dev->hb;

	if (!dev->created)
		return;
	if (!xs_rm(hb->xs, XBT_NULL, dev->fe) && errno != ENOENT)
		hb_log("store: removing %s: %s", dev->fe, strerror(errno));
	if (!xs_rm(hb->xs, XBT_NULL, dev->be) && errno != ENOENT)
		hb_log("store: removing %s: %s", dev->be, strerror(errno));
	dev->created = false;
	hb_log("%s %u: removed", dev->kind, dev->devid);
}

int dev_set_state(struct hb_dev *dev, int state)
{
	hb_dbg(dev->hb, "%s %u: backend %s", dev->kind, dev->devid,
	       xb_state_name(state));
	return store_write(dev->hb, dev->be, "state", "%d", state);
}

/*
 * The frontend's state: XB_GONE when its directory is gone, Unknown
 * when the node is missing or not a number (the guest owns that node).
 */
int dev_fe_state(struct hb_dev *dev)
{
	unsigned long long v;
	char *dir;
	int state;

	if (store_read_uint(dev->hb, dev->fe, "state", &v) == 0) {
		state = v < XB_GONE ? (int)v : XenbusStateUnknown;
	} else {
		dir = store_read(dev->hb, dev->fe, NULL);
		state = dir ? XenbusStateUnknown : XB_GONE;
		free(dir);
	}
	if (state != dev->fe_state)
		hb_log("%s %u: frontend %s", dev->kind, dev->devid,
		       xb_state_name(state));
	dev->fe_state = state;
	return state;
}

/*
 * Wait until the frontend's state is one of mask (XB_MASK bits).
 * Returns the state, or -1 on timeout or when we are told to stop.
 * The device being served keeps being served meanwhile (hb->on_event).
 */
int dev_wait_fe_state(struct hb_dev *dev, unsigned int mask, int timeout_ms)
{
	double end = hb_now() + timeout_ms / 1000.0, left;
	int state;

	for (;;) {
		state = dev_fe_state(dev);
		if (mask & XB_MASK(state))
			return state;
		left = end - hb_now();

		if (left <= 0) {
			hb_log("%s %u: frontend still %s after %d s", dev->kind,
			       dev->devid, xb_state_name(state),
			       timeout_ms / 1000);
			return -1;
		}
		if (hb_wait(dev->hb, (int)(left * 1000) + 1) < 0)
			return -1;
	}
}

/* A domain called name (or name--incoming, a migration's target). */
int hb_find_domain(struct hb *hb, const char *name, int exclude)
{
	char **ids, path[64], incoming[96];
	unsigned int n, i;
	int found = -1;

	ids = xs_directory(hb->xs, XBT_NULL, "/local/domain", &n);
	if (!ids)
		return -1;
	snprintf(incoming, sizeof(incoming), "%s--incoming", name);
	for (i = 0; i < n && found < 0; i++) {
		char *dn;
		unsigned int len;
		int id = atoi(ids[i]);

		if (id == 0 || id == exclude)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%d/name", id);
		dn = xs_read(hb->xs, XBT_NULL, path, &len);
		if (dn && (!strcmp(dn, name) || !strcmp(dn, incoming)))
			found = id;
		free(dn);
	}
	free(ids);
	return found;
}

/*
 * After "xl save" + "xl restore" (or a migration) the guest runs as a
 * new domain with the same name.  libxl introduces it to the store
 * before it lets it run, and sets up its own devices in between: that
 * is our window to put our device in its store before its frontends
 * resume.
 */
int hb_wait_new_domain(struct hb *hb, int old, int timeout_ms)
{
	double end = hb_now() + timeout_ms / 1000.0;
	int id = -1;

	/* Polled, not watched: see hb_wait(). */
	while (hb_now() < end) {
		id = hb_find_domain(hb, hb->name, old);
		if (id >= 0)
			break;
		if (hb_wait(hb, 100) < 0)
			break;
	}
	if (id >= 0)
		hb_log("domain %s is back as domain %d", hb->name, id);
	else
		hb_log("domain %s did not come back", hb->name);
	return id;
}

/*
 * Writes as fast as xenstored takes them: libxenstore waits for every
 * answer, and under TCG that round trip, not xenstored, kept a storm to
 * about 100 writes a second.  A connection of our own to xenstored's
 * socket, requests sent back to back in batches and the answers read
 * after each batch, does without.  No watch is set on it, so every
 * message that comes back is an answer.
 */
int store_pipe_open(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s",
		 xs_daemon_socket());
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		hb_log("store: connecting to %s: %s", addr.sun_path,
		       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int io_all(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;
	ssize_t r;

	while (len) {
		r = out ? write(fd, p, len) : read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

#define PIPE_BATCH	256

/*
 * Write val into "<dir>/<name><i % names>" (names 0: dir itself) for i
 * below n, PIPE_BATCH requests at a time.  The number of writes the
 * store acknowledged; -1 if the connection broke.
 */
long store_pipe_writes(int fd, const char *dir, const char *name,
		       unsigned int names, unsigned long n, const char *val)
{
	static char buf[PIPE_BATCH * 512];
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX];
	unsigned long done = 0, ok = 0, i, k;
	size_t used, plen, vlen = strlen(val);

	while (done < n && !hb_stopping) {
		k = n - done < PIPE_BATCH ? n - done : PIPE_BATCH;
		used = 0;
		for (i = 0; i < k; i++) {
			char *path = buf + used + sizeof(hdr);

			if (names)
				plen = snprintf(path, 256, "%s/%s%lu", dir,
						name, (done + i) % names);
			else
				plen = snprintf(path, 256, "%s", dir);
			if (plen >= 256 || vlen > 200)
				return -1;
			hdr.type = XS_WRITE;
			hdr.req_id = done + i;
			hdr.tx_id = 0;
			hdr.len = plen + 1 + vlen;
			memcpy(buf + used, &hdr, sizeof(hdr));
			memcpy(path + plen + 1, val, vlen);
			used += sizeof(hdr) + hdr.len;
		}
		if (io_all(fd, buf, used, true))
			return -1;
		for (i = 0; i < k; i++) {
			if (io_all(fd, &hdr, sizeof(hdr), false) ||
			    hdr.len > sizeof(body) ||
			    io_all(fd, body, hdr.len, false))
				return -1;
			ok += hdr.type == XS_WRITE;
		}
		done += k;
	}
	return ok;
}
