// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv-hostile: a frontend that attacks dom0's backends (domu-hostile-frontend).
 *
 * usage: xenpv-hostile VBD-ID VIF-ID...
 *
 * It plays blkfront for device/vbd/VBD-ID and netfront for the
 * device/vif/VIF-IDs from user space, with nothing but what any domU may
 * use: pages granted to dom0 through /dev/xen/gntalloc, an event channel
 * left unbound for dom0 to bind (/dev/xen/evtchn), and the frontend's
 * directory in xenstore, which the toolstack makes the domU's own
 * (/dev/xen/xenbus).  The kernel's own frontends must stay away from the
 * two devices: the guest is booted with them blacklisted, so the devices
 * exist on the guest's xenbus without a driver, and the backends sit in
 * InitWait for whoever speaks for the frontend.
 *
 * Each attack runs on a connection of its own: connect (rings, event
 * channel, state), attack, judge, then close (Closing, Closed) and come
 * back at Initialising, which a backend answers with InitWait as for a
 * driver loaded again.  Each network attack also gets a vif of its own
 * (the next VIF-ID given, while there are more): upstream's netback
 * keeps a vif that saw a protocol error disabled for the rest of its
 * life, reconnected or not, so one attack must not decide what the next
 * finds.  Before each attack the program writes its name to
 * data/hostile and waits for dom0 to echo it in data/hostile-ack, so dom0
 * can cut its kernel log at that point and count what each attack made
 * it say.
 *
 * A backend passes an attack when it refuses every bad request with an
 * error status, or stops serving the ring (no more responses, upstream's
 * choice for some attacks), or disconnects (Closing or Closed), and never
 * answers a bad request with success.  After an event storm the ring must
 * still serve a good request (or be disconnected).  Output, one line per
 * attack:
 *   XENPV-HOSTILE-RESULT <attack> PASS|FAIL <what the backend did>
 * then XENPV-HOSTILE-DONE; a setup error is XENPV-HOSTILE-FAIL <why>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/*
 * The barriers Xen's ring.h wants: dom0 reads and writes the shared ring
 * pages concurrently with us, so every index is ordered against the
 * entries it publishes (a full fence each: this is no fast path).
 */
#define mb()	__sync_synchronize()	/* everything before, before after */
#define rmb()	__sync_synchronize()	/* index read before entries read */
#define wmb()	__sync_synchronize()	/* entries written before index */

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <xen/io/xs_wire.h>
#define __user
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>

#define PAGE		4096
#define NONE		1000	/* no response (yet) */
#define WAIT_MS		3000	/* how long a backend has to answer */
#define STORM_SECS	3
#define NR_BAD		30	/* bad requests per round (and a good one) */
#define ROUNDS		2

/* The xenbus states (io/xenbus.h), as numbers in the store. */
enum {
	ST_INITIALISING = 1,
	ST_INITWAIT,
	ST_INITIALISED,
	ST_CONNECTED,
	ST_CLOSING,
	ST_CLOSED,
};

static int xs_fd, ev_fd, ga_fd;
static int failures;
static char domid[16];

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("XENPV-HOSTILE-FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- xenstore ------------------------------------------------------------ */

/*
 * One request on /dev/xen/xenbus; the answer's payload (NUL-terminated)
 * in out.  -1 when xenstored answers with an error.  We set no watches,
 * so the answer is the next message.
 */
static int xs_req(uint32_t type, const char *path, const char *val,
		  char *out, size_t size)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = 1 };
	char buf[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1, vlen = val ? strlen(val) : 0;
	char *p = buf + sizeof(hdr);

	if (plen + vlen > XENSTORE_PAYLOAD_MAX)
		die("xenstore request too long: %s", path);
	hdr.len = plen + vlen;
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(p, path, plen);
	if (val)
		memcpy(p + plen, val, vlen);
	if (write(xs_fd, buf, sizeof(hdr) + hdr.len) != (ssize_t)(sizeof(hdr) + hdr.len))
		die("writing to /dev/xen/xenbus: %s", strerror(errno));
	if (read(xs_fd, &hdr, sizeof(hdr)) != sizeof(hdr) ||
	    hdr.len > XENSTORE_PAYLOAD_MAX ||
	    read(xs_fd, buf, hdr.len) != (ssize_t)hdr.len)
		die("reading from /dev/xen/xenbus: %s", strerror(errno));
	buf[hdr.len] = 0;
	if (out)
		snprintf(out, size, "%s", buf);
	return hdr.type == XS_ERROR ? -1 : 0;
}

static int xs_read(const char *path, char *out, size_t size)
{
	return xs_req(XS_READ, path, NULL, out, size);
}

static long xs_read_long(const char *path, long dflt)
{
	char v[64];

	return xs_read(path, v, sizeof(v)) ? dflt : strtol(v, NULL, 0);
}

static void xs_write(const char *path, const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (xs_req(XS_WRITE, path, v, NULL, 0))
		die("xenstore write of %s failed", path);
}

/* ---- grants and events --------------------------------------------------- */

struct grant {
	void *page;
	uint64_t index;
	uint32_t ref;
};

/* One page granted to dom0, writable, zeroed. */
static void grant_page(struct grant *g)
{
	struct {
		struct ioctl_gntalloc_alloc_gref a;
		uint32_t ref;
	} op = { .a = { .domid = 0, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1 } };

	if (ioctl(ga_fd, IOCTL_GNTALLOC_ALLOC_GREF, &op))
		die("gntalloc: %s", strerror(errno));
	g->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ga_fd,
		       op.a.index);
	if (g->page == MAP_FAILED)
		die("mmap of a granted page: %s", strerror(errno));
	g->index = op.a.index;
	g->ref = op.a.gref_ids[0];
	memset(g->page, 0, PAGE);
}

/*
 * Give the grant up.  gntalloc ends the access (or, while dom0 still maps
 * the page, defers that until it unmaps): the reference is free again.
 */
static void ungrant_page(struct grant *g)
{
	struct ioctl_gntalloc_dealloc_gref op = { .index = g->index, .count = 1 };

	munmap(g->page, PAGE);
	ioctl(ga_fd, IOCTL_GNTALLOC_DEALLOC_GREF, &op);
	g->page = NULL;
}

static int unbound_port(void)
{
	struct ioctl_evtchn_bind_unbound_port op = { .remote_domain = 0 };
	int port = ioctl(ev_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &op);

	if (port < 0)
		die("evtchn unbound port: %s", strerror(errno));
	return port;
}

static void unbind_port(int port)
{
	struct ioctl_evtchn_unbind op = { .port = port };

	ioctl(ev_fd, IOCTL_EVTCHN_UNBIND, &op);
}

static void notify(int port)
{
	struct ioctl_evtchn_notify op = { .port = port };

	ioctl(ev_fd, IOCTL_EVTCHN_NOTIFY, &op);
}

/* ---- a device and its connection ----------------------------------------- */

struct dev {
	const char *kind;	/* "blk", "net" */
	char fe[64], be[128];
	int port;
	struct grant ring, ring2;	/* blk: ring; net: tx, rx */
	void *sring;			/* the ring we send requests on */
	unsigned int nr;		/* its entries */
	RING_IDX prod, cons;		/* our req_prod and rsp_cons */
	uint64_t sectors;		/* blk: size of the disk */
	unsigned int max_indirect;	/* blk: 0 if not offered */
	struct grant data;		/* a page of data for good requests */
	struct grant rxbuf;		/* net: where received packets go */
	uint32_t free_ref;		/* a reference granted once, no more */
	char mac[6];
	int status[256];		/* by request id, NONE until answered */
};

static int be_state(struct dev *d)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/state", d->be);
	return xs_read_long(p, 0);
}

static void fe_write(struct dev *d, const char *node, const char *fmt, long v)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", d->fe, node);
	xs_write(p, fmt, v);
}

/* Wait for the backend to reach one of two states; the state it is in. */
static int wait_be(struct dev *d, int a, int b, int ms)
{
	long end = now_ms() + ms;
	int s;

	for (;;) {
		s = be_state(d);
		if (s == a || s == b || now_ms() > end)
			return s;
		usleep(50000);
	}
}

static void *slot(struct dev *d, RING_IDX i)
{
	struct blkif_sring *b = d->sring;
	struct netif_tx_sring *n = d->sring;

	if (!strcmp(d->kind, "blk"))
		return &b->ring[i & (d->nr - 1)];
	return &n->ring[i & (d->nr - 1)];
}

/*
 * The shared indexes: every ring's page starts with the same four
 * (req_prod, req_event, rsp_prod, rsp_event).  Each access is a single
 * load or store the compiler must not merge or repeat.
 */
static RING_IDX get_rsp_prod(struct dev *d)
{
	return __atomic_load_n(&((struct blkif_sring *)d->sring)->rsp_prod,
			       __ATOMIC_RELAXED);
}

static void set_req_prod(struct dev *d, RING_IDX v)
{
	__atomic_store_n(&((struct blkif_sring *)d->sring)->req_prod, v,
			 __ATOMIC_RELAXED);
}

/* Publish our requests and signal (whatever req_event says). */
static void push(struct dev *d)
{
	wmb();		/* the requests before the index that shows them */
	set_req_prod(d, d->prod);
	mb();		/* the index visible before the event */
	notify(d->port);
}

/* Take the responses that came: record each status by its id. */
static void collect(struct dev *d)
{
	RING_IDX p = get_rsp_prod(d);

	rmb();		/* the index before the responses it covers */
	if (p - d->cons > d->nr)
		return;		/* not ours to judge here; counted below */
	for (; d->cons != p; d->cons++) {
		if (!strcmp(d->kind, "blk")) {
			struct blkif_response *r = slot(d, d->cons);

			d->status[r->id & 255] = r->status;
		} else {
			struct netif_tx_response *r = slot(d, d->cons);

			if (r->status != NETIF_RSP_NULL)
				d->status[r->id & 255] = r->status;
		}
	}
}

static void connect_dev(struct dev *d)
{
	char p[256];
	int s;

	s = wait_be(d, ST_INITWAIT, -1, 60000);
	if (s != ST_INITWAIT)
		die("%s: the backend is in state %d, not InitWait", d->fe, s);
	grant_page(&d->ring);
	SHARED_RING_INIT((struct blkif_sring *)d->ring.page);
	d->sring = d->ring.page;
	d->port = unbound_port();
	d->prod = d->cons = 0;
	if (!strcmp(d->kind, "blk")) {
		d->nr = __RING_SIZE((struct blkif_sring *)d->sring, PAGE);
		fe_write(d, "ring-ref", "%ld", d->ring.ref);
		fe_write(d, "event-channel", "%ld", d->port);
		snprintf(p, sizeof(p), "%s/protocol", d->fe);
		xs_write(p, "x86_64-abi");
		fe_write(d, "state", "%ld", ST_INITIALISED);
	} else {
		struct netif_rx_sring *rx;
		unsigned int i;

		grant_page(&d->ring2);
		SHARED_RING_INIT((struct netif_tx_sring *)d->ring.page);
		rx = d->ring2.page;
		SHARED_RING_INIT(rx);
		d->nr = __RING_SIZE((struct netif_tx_sring *)d->sring, PAGE);
		/* Some receive buffers, so that no rx stall takes the carrier. */
		for (i = 0; i < 64; i++) {
			rx->ring[i].req.id = i;
			rx->ring[i].req.gref = d->rxbuf.ref;
		}
		wmb();	/* the requests before their index */
		rx->req_prod = 64;
		fe_write(d, "tx-ring-ref", "%ld", d->ring.ref);
		fe_write(d, "rx-ring-ref", "%ld", d->ring2.ref);
		fe_write(d, "event-channel", "%ld", d->port);
		fe_write(d, "request-rx-copy", "%ld", 1);
		fe_write(d, "feature-rx-notify", "%ld", 1);
		fe_write(d, "feature-sg", "%ld", 1);
	}
	fe_write(d, "state", "%ld", ST_CONNECTED);
	s = wait_be(d, ST_CONNECTED, -1, 30000);
	if (s != ST_CONNECTED)
		die("%s: the backend is in state %d, not Connected", d->fe, s);
	if (!strcmp(d->kind, "blk")) {
		snprintf(p, sizeof(p), "%s/sectors", d->be);
		d->sectors = xs_read_long(p, 0);
		snprintf(p, sizeof(p), "%s/feature-max-indirect-segments", d->be);
		d->max_indirect = xs_read_long(p, 0);
	}
	memset(d->status, 0, sizeof(d->status));
}

/* Close as a frontend does, and come back at Initialising. */
static void reconnect(struct dev *d)
{
	long start = now_ms();
	int s;

	fe_write(d, "state", "%ld", ST_CLOSING);
	s = wait_be(d, ST_CLOSING, ST_CLOSED, 20000);
	if (s != ST_CLOSING && s != ST_CLOSED)
		die("%s: we closed, the backend stays in state %d", d->fe, s);
	fe_write(d, "state", "%ld", ST_CLOSED);
	s = wait_be(d, ST_CLOSED, -1, 20000);
	if (s != ST_CLOSED)
		die("%s: we are Closed, the backend stays in state %d", d->fe, s);
	unbind_port(d->port);
	ungrant_page(&d->ring);
	if (d->ring2.page)
		ungrant_page(&d->ring2);
	fe_write(d, "state", "%ld", ST_INITIALISING);
	connect_dev(d);
	printf("XENPV-HOSTILE-LOG %s reconnected in %.1f s\n", d->kind,
	       (now_ms() - start) / 1000.0);
}

/* ---- requests ------------------------------------------------------------ */

static void blk_rw(struct dev *d, int id, int op, uint64_t sector,
		   int nseg, uint32_t ref)
{
	struct blkif_request *r = slot(d, d->prod++);
	int i;

	memset(r, 0, sizeof(union blkif_sring_entry));
	r->operation = op;
	r->nr_segments = nseg;
	r->id = id;
	r->sector_number = sector;
	for (i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		r->seg[i].gref = ref;
		r->seg[i].first_sect = 0;
		r->seg[i].last_sect = 7;
	}
	d->status[id] = NONE;
}

static void blk_indirect(struct dev *d, int id, unsigned int nseg)
{
	struct blkif_request_indirect *r = slot(d, d->prod++);

	memset(r, 0, sizeof(union blkif_sring_entry));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = BLKIF_OP_READ;
	r->nr_segments = nseg;
	r->id = id;
	r->indirect_grefs[0] = d->data.ref;	/* zeroed descriptors */
	d->status[id] = NONE;
}

/* A packet of 60 bytes from our data page: to nobody, of an experimental type. */
static void net_tx(struct dev *d, int id, uint32_t ref, unsigned int off,
		   unsigned int size, unsigned int flags)
{
	struct netif_tx_request *r = slot(d, d->prod++);

	r->gref = ref;
	r->offset = off;
	r->flags = flags;
	r->id = id;
	r->size = size;
	d->status[id] = NONE;
}

static void fill_frame(struct dev *d)
{
	unsigned char *f = d->data.page;

	memcpy(f, "\x02\x00\x00\x00\x00\x99", 6);
	memcpy(f + 6, d->mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
}

/* A good request: a read of the disk's first page, or the packet above. */
static void probe(struct dev *d, int id)
{
	if (!strcmp(d->kind, "blk"))
		blk_rw(d, id, BLKIF_OP_READ, 0, 1, d->data.ref);
	else
		net_tx(d, id, d->data.ref, 0, 60, 0);
}

struct tally {
	int ok, err, none;
};

/* How ids [first, last] were answered. */
static void tally(struct dev *d, int first, int last, struct tally *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = first; i <= last; i++) {
		if (d->status[i] == NONE)
			t->none++;
		else if (d->status[i] == 0)
			t->ok++;
		else
			t->err++;
	}
}

/*
 * Wait until ids [first, last] are answered, or the backend closes, or
 * WAIT_MS pass; the backend's state.
 */
static int settle(struct dev *d, int first, int last)
{
	long end = now_ms() + WAIT_MS, look = 0;
	int i, s = 0;

	for (;;) {
		collect(d);
		for (i = first; i <= last && d->status[i] != NONE; i++)
			;
		/* The store costs dom0 more than the ring: look less often. */
		if (i > last || now_ms() >= look) {
			s = be_state(d);
			look = now_ms() + 250;
		}
		if (i > last || s >= ST_CLOSING || now_ms() > end)
			break;
		usleep(10000);
	}
	return s;
}

static long attack_start;

static void verdict(const char *name, int pass, const char *fmt, ...)
{
	va_list ap;

	printf("XENPV-HOSTILE-RESULT %s %s ", name, pass ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%.1f s)\n", (now_ms() - attack_start) / 1000.0);
	failures += !pass;
}

/*
 * Tell dom0 which attack comes next and wait until it has marked its log
 * (up to ms; dom0 answers "ready" only once the neighbour runs).
 */
static void announce_wait(const char *name, int ms)
{
	char p[64], v[64];
	long end = now_ms() + ms;

	snprintf(p, sizeof(p), "/local/domain/%s/data/hostile", domid);
	xs_write(p, "%s", name);
	snprintf(p, sizeof(p), "/local/domain/%s/data/hostile-ack", domid);
	while (now_ms() < end) {
		if (!xs_read(p, v, sizeof(v)) && !strcmp(v, name)) {
			attack_start = now_ms();
			return;
		}
		usleep(ms > 30000 ? 500000 : 50000);
	}
	printf("XENPV-HOSTILE-WARN dom0 did not acknowledge %s\n", name);
}

static void announce(const char *name)
{
	announce_wait(name, 30000);
}

typedef void (*bad_fn)(struct dev *d, int id);

/*
 * Rounds of NR_BAD bad requests, each round followed by a good one.
 * The backend must never answer a bad one with success; it may refuse
 * each with an error (then the good one after them must succeed), stop
 * serving the ring, or disconnect.
 */
static void bad_requests(struct dev *d, const char *name, bad_fn bad, int rounds)
{
	struct tally t, all = { 0 };
	int r, i, s = 0, id;
	int probe_status = NONE;

	announce(name);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NR_BAD; i++)
			bad(d, i);
		id = NR_BAD;
		probe(d, id);
		push(d);
		s = settle(d, 0, NR_BAD);
		tally(d, 0, NR_BAD - 1, &t);
		probe_status = d->status[id];
		all.ok += t.ok;
		all.err += t.err;
		all.none += t.none;
		if (t.ok || s >= ST_CLOSING || probe_status != 0)
			break;
	}
	s = be_state(d);
	if (all.ok)
		verdict(name, 0, "%d bad requests answered with success", all.ok);
	else if (s >= ST_CLOSING)
		verdict(name, 1, "disconnected (backend state %d) after %d refused, %d unanswered",
			s, all.err, all.none);
	else if (probe_status == NONE)
		verdict(name, 1, "ring no longer served after %d refused, %d unanswered",
			all.err, all.none);
	else if (probe_status != 0)
		verdict(name, 0, "a good request after %d refused ones failed (status %d)",
			all.err, probe_status);
	else if (all.none)
		verdict(name, 0, "%d bad requests never answered, yet the ring serves the next",
			all.none);
	else {
		verdict(name, 1, "all %d refused with an error, the ring still serves good ones",
			all.err);
		return;		/* still connected and serving: go on with it */
	}
	reconnect(d);
}

/*
 * req_prod far ahead of what the ring can hold.  The slots behind it hold
 * whatever was there (zeroes, one old request); a backend that believes
 * the index answers them, and runs over its own responses.
 */
static void runaway(struct dev *d, const char *name)
{
	RING_IDX before;
	struct tally t;
	long end;
	int s;

	announce(name);
	probe(d, 0);
	push(d);
	settle(d, 0, 0);
	tally(d, 0, 0, &t);
	if (t.ok != 1) {
		verdict(name, 0, "a good request before the attack was not served");
		reconnect(d);
		return;
	}
	before = get_rsp_prod(d);
	d->prod += 1000;
	push(d);
	end = now_ms() + WAIT_MS;
	do {
		usleep(50000);
		s = be_state(d);
	} while (s < ST_CLOSING && now_ms() < end);
	if (get_rsp_prod(d) != before)
		verdict(name, 0, "the backend answered %u requests that cannot be on the ring",
			get_rsp_prod(d) - before);
	else if (s >= ST_CLOSING)
		verdict(name, 1, "disconnected (backend state %d), nothing answered", s);
	else
		verdict(name, 1, "ring no longer served");
	reconnect(d);
}

/* Signal in a loop for STORM_SECS; the ring must serve a good request after. */
static void storm(struct dev *d, const char *name)
{
	long end;
	unsigned long n = 0;
	struct tally t;
	int s;

	announce(name);
	end = now_ms() + STORM_SECS * 1000;
	while (now_ms() < end) {
		int i;

		for (i = 0; i < 100; i++)
			notify(d->port);
		n += 100;
	}
	probe(d, 0);
	push(d);
	s = settle(d, 0, 0);
	tally(d, 0, 0, &t);
	if (t.ok == 1 && s < ST_CLOSING) {
		verdict(name, 1, "%lu events in %d s; a good request after it served", n,
			STORM_SECS);
		return;
	}
	if (s >= ST_CLOSING)
		verdict(name, 1, "%lu events; disconnected (backend state %d)", n, s);
	else
		verdict(name, 0, "%lu events; a good request after it got %s", n,
			t.none ? "no answer" : "an error");
	reconnect(d);
}

/* ---- the attacks ---------------------------------------------------------- */

static void blk_seg0(struct dev *d, int id)
{
	blk_rw(d, id, BLKIF_OP_READ, 0, 0, d->data.ref);
}

static void blk_seg_many(struct dev *d, int id)
{
	/* One more than a request holds, or far more. */
	blk_rw(d, id, id & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ, 0,
	       id & 2 ? 255 : BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, d->data.ref);
}

static void blk_ind0(struct dev *d, int id)
{
	blk_indirect(d, id, 0);
}

static void blk_ind_many(struct dev *d, int id)
{
	blk_indirect(d, id, id & 1 ? 0xffff : d->max_indirect + 1);
}

static void blk_beyond(struct dev *d, int id)
{
	/* At the end, or across it; reads and writes. */
	blk_rw(d, id, id & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ,
	       id & 2 ? d->sectors - 4 : d->sectors + id, 1, d->data.ref);
}

static void blk_overflow(struct dev *d, int id)
{
	/*
	 * sector + 8 wraps to 4; or sector * 512 wraps to 0: a backend that
	 * computes the byte offset unchecked reads or writes the start of
	 * the disk.
	 */
	blk_rw(d, id, id & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ,
	       id & 2 ? UINT64_MAX - 3 : 1ULL << 55, 1, d->data.ref);
}

static void blk_gref_free(struct dev *d, int id)
{
	blk_rw(d, id, id & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ, 8, 1, d->free_ref);
}

static void blk_gref_huge(struct dev *d, int id)
{
	blk_rw(d, id, id & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ, 8, 1,
	       id & 2 ? 0xfffffff0u : 0x7fffffffu);
}

static void net_past_page(struct dev *d, int id)
{
	/* offset + size beyond the page: 4000 + 200, or an offset past it. */
	if (id & 1)
		net_tx(d, id, d->data.ref, 4000, 200, 0);
	else
		net_tx(d, id, d->data.ref, 4200, 60, 0);
}

static void net_gref(struct dev *d, int id)
{
	net_tx(d, id, id & 1 ? d->free_ref : 0xfffffff0u, 0, 60, 0);
}

/* One packet whose chain of more_data slots never ends (64 slots). */
static void net_chain(struct dev *d, const char *name)
{
	struct tally t;
	int i, s, p;

	announce(name);
	for (i = 0; i < 64; i++)
		net_tx(d, i, d->data.ref, 0, i ? 16 : 1500, NETTXF_more_data);
	probe(d, 64);
	push(d);
	settle(d, 0, 64);
	tally(d, 0, 63, &t);
	p = d->status[64];
	s = be_state(d);
	if (t.ok)
		verdict(name, 0, "%d slots of the endless packet answered with success", t.ok);
	else if (s >= ST_CLOSING)
		verdict(name, 1, "disconnected (backend state %d)", s);
	else if (p == NONE)
		verdict(name, 1, "ring no longer served (%d slots refused)", t.err);
	else if (t.none)
		verdict(name, 0, "%d slots never answered, yet the ring serves the next", t.none);
	else {
		verdict(name, 1, "all %d slots refused, the ring still serves good ones", t.err);
		return;
	}
	reconnect(d);
}

/*
 * A reference that was granted and is free again.  Taken right before the
 * attack: the next grant we make may well get the same reference back.
 */
static void free_again(struct dev *d)
{
	struct grant once;

	grant_page(&once);
	d->free_ref = once.ref;
	ungrant_page(&once);
}

static void setup_dev(struct dev *d, const char *kind, const char *id)
{
	char p[256], mac[32];

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	snprintf(d->fe, sizeof(d->fe), "/local/domain/%s/device/%s/%s", domid,
		 strcmp(kind, "blk") ? "vif" : "vbd", id);
	snprintf(p, sizeof(p), "%s/backend", d->fe);
	if (xs_read(p, d->be, sizeof(d->be)))
		die("no %s", p);
	grant_page(&d->data);
	if (!strcmp(kind, "net")) {
		snprintf(p, sizeof(p), "%s/mac", d->fe);
		if (xs_read(p, mac, sizeof(mac)) ||
		    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &d->mac[0], &d->mac[1],
			   &d->mac[2], &d->mac[3], &d->mac[4], &d->mac[5]) != 6)
			die("no MAC in %s", p);
		fill_frame(d);
		grant_page(&d->rxbuf);
	}
	connect_dev(d);
}

/* The device for the next network attack: a fresh vif while there are. */
static struct dev *next_vif(char **ids, int nr)
{
	static struct dev vifs[8];
	static int used;
	struct dev *d;

	if (used && used >= nr)
		return &vifs[nr - 1];	/* the last one, reconnected */
	d = &vifs[used];
	setup_dev(d, "net", ids[used]);
	printf("XENPV-HOSTILE-CONNECTED net %s\n", d->be);
	used++;
	return d;
}

int main(int argc, char **argv)
{
	static struct dev blk;
	struct dev *net;
	char **vifs;
	int nr_vifs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3 || argc > 10)
		die("usage: xenpv-hostile VBD-ID VIF-ID...");
	vifs = argv + 2;
	nr_vifs = argc - 2;
	xs_fd = open("/dev/xen/xenbus", O_RDWR);
	ev_fd = open("/dev/xen/evtchn", O_RDWR);
	ga_fd = open("/dev/xen/gntalloc", O_RDWR);
	if (xs_fd < 0 || ev_fd < 0 || ga_fd < 0)
		die("cannot open /dev/xen/xenbus, evtchn or gntalloc");
	if (xs_read("domid", domid, sizeof(domid)))
		die("cannot read our domid");

	printf("XENPV-HOSTILE-READY\n");
	announce_wait("ready", 400000);
	setup_dev(&blk, "blk", argv[1]);
	printf("XENPV-HOSTILE-CONNECTED blk %s sectors=%llu max-indirect=%u\n",
	       blk.be, (unsigned long long)blk.sectors, blk.max_indirect);
	if (!blk.sectors)
		die("the backend of %s gives no size", blk.fe);
	bad_requests(&blk, "blk-seg-zero", blk_seg0, ROUNDS);
	bad_requests(&blk, "blk-seg-too-many", blk_seg_many, ROUNDS);
	if (blk.max_indirect) {
		bad_requests(&blk, "blk-indirect-zero", blk_ind0, ROUNDS);
		bad_requests(&blk, "blk-indirect-too-many", blk_ind_many, ROUNDS);
	} else {
		printf("XENPV-HOSTILE-RESULT blk-indirect SKIP indirect requests not offered\n");
	}
	bad_requests(&blk, "blk-beyond-end", blk_beyond, ROUNDS);
	bad_requests(&blk, "blk-sector-overflow", blk_overflow, ROUNDS);
	free_again(&blk);
	bad_requests(&blk, "blk-gref-free", blk_gref_free, ROUNDS);
	bad_requests(&blk, "blk-gref-huge", blk_gref_huge, ROUNDS);
	runaway(&blk, "blk-runaway-req-prod");
	storm(&blk, "blk-event-storm");

	net = next_vif(vifs, nr_vifs);
	bad_requests(net, "net-past-page", net_past_page, ROUNDS);
	net = next_vif(vifs, nr_vifs);
	net_chain(net, "net-endless-chain");
	net = next_vif(vifs, nr_vifs);
	free_again(net);
	bad_requests(net, "net-gref", net_gref, ROUNDS);
	net = next_vif(vifs, nr_vifs);
	runaway(net, "net-runaway-req-prod");
	net = next_vif(vifs, nr_vifs);
	storm(net, "net-event-storm");

	announce("done");
	printf("XENPV-HOSTILE-DONE failures=%d\n", failures);
	return 0;
}
