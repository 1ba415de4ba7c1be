// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv-devtest: dom0's user-space Xen devices, checked against the
 * semantics the xen-tools rely on.  Built static on the host against
 * the xen/sys headers of libxen-dev, the tools' own view of the ABI, and run in
 * dom0 with xenstored up (dom0-devices).
 *
 * Every check prints "ok: ..." or "FAIL: ..."; the exit status is the
 * number of failures.  Nothing here needs a second domain: dom0 grants
 * pages to itself (gntalloc) and maps them back (gntdev), and binds
 * event channels to itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/version.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>
#define __user
#include <xen/sys/privcmd.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include <xen/sys/gntalloc.h>

static int failures;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		printf("ok: ");						\
	} else {							\
		printf("FAIL: ");					\
		failures++;						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does reading *p raise SIGBUS (or SIGSEGV)? */
static int faults(volatile char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	(void)*p;
	return 0;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* ---- /proc/xen ----------------------------------------------------------- */

static void test_xenfs(void)
{
	char buf[64], *end;
	ssize_t n;
	void *ring;
	int fd;

	n = read_file("/proc/xen/capabilities", buf, sizeof(buf));
	CHECK(n > 0 && !strncmp(buf, "control_d", 9),
	      "/proc/xen/capabilities says control_d");
	n = read_file("/proc/xen/xsd_port", buf, sizeof(buf));
	CHECK(n > 0 && strtoul(buf, &end, 10) > 0 && *end == 0,
	      "/proc/xen/xsd_port is a bare decimal port (\"%s\")",
	      n > 0 ? buf : "");
	fd = open("/proc/xen/xsd_kva", O_RDWR);
	ring = fd < 0 ? MAP_FAILED :
	       mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(ring != MAP_FAILED, "/proc/xen/xsd_kva maps a page");
	if (ring != MAP_FAILED) {
		struct xenstore_domain_interface *intf = ring;

		/* xenstored is connected: both rings have been used. */
		CHECK(intf->req_prod > 0 && intf->rsp_prod > 0,
		      "the local store ring carries traffic (req %u, rsp %u)",
		      intf->req_prod, intf->rsp_prod);
		munmap(ring, 4096);
	}
	if (fd >= 0)
		close(fd);
	CHECK(access("/proc/xen/privcmd", R_OK | W_OK) == 0 &&
	      access("/proc/xen/xenbus", R_OK | W_OK) == 0,
	      "/proc/xen/privcmd and /proc/xen/xenbus exist");
}

/* ---- privcmd ------------------------------------------------------------- */

static void test_privcmd(void)
{
	privcmd_hypercall_t call = { .op = __HYPERVISOR_xen_version,
				     .arg = { XENVER_version, 0 } };
	privcmd_mmapbatch_v2_t batch;
	xen_pfn_t frames[2] = { ~0UL >> 8, ~0UL >> 8 };
	int errs[2] = { 1, 1 };
	long ver;
	char *area, *buf;
	int fd, hfd, rc;

	fd = open("/dev/xen/privcmd", O_RDWR);
	CHECK(fd >= 0, "/dev/xen/privcmd opens");
	if (fd < 0)
		return;

	ver = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call);
	CHECK(ver == ((4 << 16) | 17), "a hypercall returns Xen's value (%#lx)",
	      ver);
	rc = ioctl(fd, IOCTL_PRIVCMD_UNIMPLEMENTED, NULL);
	CHECK(rc == -1 && errno == ENOTTY,
	      "an unknown ioctl fails with ENOTTY (%d, %s)", rc,
	      strerror(errno));
	/* libxencall's buffers: a hypercall that writes into one. */
	hfd = open("/dev/xen/hypercall", O_RDWR);
	buf = hfd < 0 ? MAP_FAILED :
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	CHECK(buf != MAP_FAILED, "/dev/xen/hypercall gives a buffer");
	if (buf != MAP_FAILED) {
		privcmd_hypercall_t extra = {
			.op = __HYPERVISOR_xen_version,
			.arg = { XENVER_extraversion, (uintptr_t)buf } };

		rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &extra);
		CHECK(rc == 0 && buf[0] == '.',
		      "Xen writes into it (extraversion \"%.16s\")", buf);
		munmap(buf, 4096);
	}
	CHECK(hfd < 0 || mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, hfd, 0) == MAP_FAILED,
	      "a private hypercall buffer is refused");
	if (hfd >= 0)
		close(hfd);

	area = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(area != MAP_FAILED, "privcmd mmap gives an area");
	if (area == MAP_FAILED)
		goto out;
	CHECK(faults(area), "touching an empty privcmd page is a fault");
	batch = (privcmd_mmapbatch_v2_t){ .num = 2, .dom = DOMID_SELF,
					  .addr = (uintptr_t)area,
					  .arr = frames, .err = errs };
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch);
	CHECK(rc == 0 && errs[0] < 0 && errs[1] < 0,
	      "MMAPBATCH_V2 of frames that are not ours: call 0, per-frame errors (%d; %d %d)",
	      rc, errs[0], errs[1]);
	CHECK(mprotect(area, 4096, PROT_READ) < 0,
	      "a privcmd area keeps its protection");
	batch.addr = (uintptr_t)area + 4096;
	batch.num = 2;
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch);
	CHECK(rc < 0 && errno == EINVAL,
	      "MMAPBATCH_V2 past the end of the area is EINVAL");
	munmap(area, 2 * 4096);

	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &(domid_t){ 7 });
	CHECK(rc == 0, "RESTRICT to domain 7");
	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &(domid_t){ 8 });
	CHECK(rc < 0 && errno == EINVAL, "RESTRICT to another domain: EINVAL");
	rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call);
	CHECK(rc < 0 && errno == EPERM, "a restricted file makes no hypercall");
out:
	close(fd);
}

/* ---- evtchn -------------------------------------------------------------- */

/* The next port read from @fd within @ms, or -1. */
static int next_port(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t port;

	if (poll(&p, 1, ms) != 1)
		return -1;
	if (read(fd, &port, sizeof(port)) != sizeof(port))
		return -1;
	return port;
}

static void test_evtchn(void)
{
	struct ioctl_evtchn_bind_unbound_port unbound = { .remote_domain = 0 };
	struct ioctl_evtchn_bind_interdomain inter = { .remote_domain = 0 };
	struct ioctl_evtchn_notify notify;
	struct ioctl_evtchn_unbind unbind;
	struct ioctl_evtchn_restrict_domid limit_to = { .domid = 5 };
	struct ioctl_evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC };
	int a, b, c, pa, pb, p, rc;
	uint32_t port;

	a = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK);
	b = open("/dev/xen/evtchn", O_RDWR);
	CHECK(a >= 0 && b >= 0, "/dev/xen/evtchn opens");
	if (a < 0 || b < 0)
		return;

	pa = ioctl(a, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &unbound);
	inter.remote_port = pa;
	pb = pa > 0 ? ioctl(b, IOCTL_EVTCHN_BIND_INTERDOMAIN, &inter) : -1;
	CHECK(pa > 0 && pb > 0 && pa != pb,
	      "an unbound port, and an interdomain port bound to it (%d, %d)",
	      pa, pb);
	CHECK(read(a, &port, sizeof(port)) < 0 && errno == EAGAIN,
	      "nothing to read: EAGAIN with O_NONBLOCK");
	/*
	 * Xen raises a port it binds to an interdomain peer, since what
	 * the peer sent while it was unbound went nowhere
	 * (evtchn_bind_interdomain): the binder must see that event.
	 */
	p = next_port(b, 2000);
	CHECK(p == pb, "a new interdomain port is raised once bound (%d)", p);
	port = pb;
	write(b, &port, sizeof(port));

	notify.port = pb;
	rc = ioctl(b, IOCTL_EVTCHN_NOTIFY, &notify);
	p = next_port(a, 2000);
	CHECK(rc == 0 && p == pa, "a notify arrives at the other end (%d)", p);
	ioctl(b, IOCTL_EVTCHN_NOTIFY, &notify);
	CHECK(next_port(a, 300) < 0,
	      "a delivered port stays masked until written back");
	port = pa;
	rc = write(a, &port, sizeof(port));
	p = next_port(a, 2000);
	CHECK(rc == sizeof(port) && p == pa,
	      "written back, the event that came meanwhile is delivered");
	port = pa;
	write(a, &port, sizeof(port));

	notify.port = pa;
	rc = ioctl(b, IOCTL_EVTCHN_NOTIFY, &notify);
	CHECK(rc < 0 && errno == ENOTCONN,
	      "notify of a port of another file: ENOTCONN");
	unbind.port = pa;
	rc = ioctl(b, IOCTL_EVTCHN_UNBIND, &unbind);
	CHECK(rc < 0 && errno == ENOTCONN,
	      "unbind of a port of another file: ENOTCONN");

	c = open("/dev/xen/evtchn", O_RDWR);
	rc = c < 0 ? -1 : ioctl(c, IOCTL_EVTCHN_RESTRICT_DOMID, &limit_to);
	CHECK(rc == 0, "RESTRICT_DOMID");
	rc = ioctl(c, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &unbound);
	CHECK(rc < 0 && errno == EACCES, "restricted: no unbound port (EACCES)");
	rc = ioctl(c, IOCTL_EVTCHN_BIND_INTERDOMAIN, &inter);
	CHECK(rc < 0 && errno == EACCES,
	      "restricted: no interdomain port to another domain (EACCES)");
	rc = ioctl(c, IOCTL_EVTCHN_BIND_VIRQ, &virq);
	CHECK(rc < 0 && errno == EACCES, "restricted: no VIRQ (EACCES)");
	close(c);

	/* Closing b closes pb: pa is unbound again and can be bound anew. */
	close(b);
	b = open("/dev/xen/evtchn", O_RDWR);
	pb = ioctl(b, IOCTL_EVTCHN_BIND_INTERDOMAIN, &inter);
	CHECK(pb > 0, "close() closed the port: its peer can be bound again (%d)",
	      pb);
	unbind.port = pb;
	rc = ioctl(b, IOCTL_EVTCHN_UNBIND, &unbind);
	CHECK(rc == 0, "unbind");
	rc = ioctl(b, IOCTL_EVTCHN_RESET, NULL);
	CHECK(rc == 0, "reset");
	close(a);
	close(b);
}

/* ---- gntalloc and gntdev: dom0 grants to itself ------------------------- */

static void test_grants(void)
{
	/* The references follow the structure: room for a second one. */
	union {
		struct ioctl_gntalloc_alloc_gref op;
		char room[sizeof(struct ioctl_gntalloc_alloc_gref) + 8];
	} alloc = { .op = { .domid = 0, .flags = GNTALLOC_FLAG_WRITABLE,
			    .count = 2 } };
	uint32_t *gref = (uint32_t *)(alloc.room +
		offsetof(struct ioctl_gntalloc_alloc_gref, gref_ids));
	struct {
		struct ioctl_gntdev_map_grant_ref op;
		struct ioctl_gntdev_grant_ref more[1];
	} map = { .op = { .count = 2 } };
	struct ioctl_gntdev_get_offset_for_vaddr off;
	struct ioctl_gntdev_unmap_notify notify;
	struct ioctl_gntdev_unmap_grant_ref unmap;
	struct ioctl_gntdev_grant_copy_segment seg;
	struct ioctl_gntdev_grant_copy copy = { .count = 1, .segments = &seg };
	struct ioctl_evtchn_bind_unbound_port unbound = { .remote_domain = 0 };
	struct ioctl_evtchn_bind_interdomain inter = { .remote_domain = 0 };
	struct ioctl_evtchn_unbind unbind;
	char *a, *b, msg[] = "copied by Xen";
	int fa, fd, fe = -1, pa, pb, pc, p, rc;

	fa = open("/dev/xen/gntalloc", O_RDWR);
	fd = open("/dev/xen/gntdev", O_RDWR);
	CHECK(fa >= 0 && fd >= 0, "/dev/xen/gntalloc and /dev/xen/gntdev open");
	if (fa < 0 || fd < 0)
		return;

	rc = ioctl(fa, IOCTL_GNTALLOC_ALLOC_GREF, &alloc);
	CHECK(rc == 0 && gref[0] && gref[1] && gref[0] != gref[1],
	      "gntalloc: two pages granted to ourselves (refs %u %u)",
	      gref[0], gref[1]);
	if (rc)
		goto out;
	a = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fa,
		 alloc.op.index);
	CHECK(a != MAP_FAILED, "gntalloc: the pages map");
	if (a == MAP_FAILED)
		goto out;
	strcpy(a, "page zero");
	strcpy(a + 4096, "page one");

	map.op.refs[0] = (struct ioctl_gntdev_grant_ref){ 0, gref[0] };
	map.more[0] = (struct ioctl_gntdev_grant_ref){ 0, gref[1] };
	rc = ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map);
	CHECK(rc == 0 && !(map.op.index & 4095),
	      "gntdev: MAP_GRANT_REF gives a page-aligned offset (%#llx)",
	      (unsigned long long)map.op.index);
	b = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 map.op.index);
	CHECK(b != MAP_FAILED, "gntdev: the grants map");
	if (b == MAP_FAILED)
		goto out;
	CHECK(!strcmp(b, "page zero") && !strcmp(b + 4096, "page one"),
	      "gntdev sees what gntalloc wrote");
	strcpy(b + 100, "back");
	CHECK(!strcmp(a + 100, "back"), "gntalloc sees what gntdev wrote");

	off.vaddr = (uintptr_t)b;
	rc = ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &off);
	CHECK(rc == 0 && off.offset == map.op.index && off.count == 2,
	      "GET_OFFSET_FOR_VADDR");
	/*
	 * No mprotect() or partial munmap() of the area here: what a driver
	 * does then is its own choice (ours refuses both; upstream's lets
	 * them through and the area stops working), and no tool does it.
	 */

	memset(&seg, 0, sizeof(seg));
	seg.source.virt = msg;
	seg.dest.foreign.ref = gref[1];
	seg.dest.foreign.domid = 0;
	seg.dest.foreign.offset = 200;
	seg.len = sizeof(msg);
	seg.flags = GNTCOPY_dest_gref;
	rc = ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &copy);
	CHECK(rc == 0 && seg.status == GNTST_okay &&
	      !strcmp(a + 4096 + 200, msg),
	      "GRANT_COPY from user memory into a grant (%d, status %d)", rc,
	      seg.status);
	seg.dest.foreign.offset = 4090;
	rc = ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &copy);
	CHECK(rc < 0 && errno == EINVAL, "GRANT_COPY across a page: EINVAL");

	/*
	 * The event of an unmap notify goes to a port bound through
	 * /dev/xen/evtchn, and only to one: Xen reuses the numbers of
	 * closed ports.  Here the other end of the channel (pa) is ours
	 * too, so we see the event arrive, even though the notifying port
	 * (pb) was unbound before the unmap fired.
	 */
	fe = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK);
	pa = fe < 0 ? -1 : ioctl(fe, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &unbound);
	inter.remote_port = pa;
	pb = pa > 0 ? ioctl(fe, IOCTL_EVTCHN_BIND_INTERDOMAIN, &inter) : -1;
	pc = pa > 0 ? ioctl(fe, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &unbound) : -1;
	unbind.port = pc;
	rc = pc > 0 ? ioctl(fe, IOCTL_EVTCHN_UNBIND, &unbind) : -1;
	CHECK(pa > 0 && pb > 0 && rc == 0, "evtchn ports for the notify");

	notify = (struct ioctl_gntdev_unmap_notify){
		.index = map.op.index + 4096 + 7,
		.action = UNMAP_NOTIFY_SEND_EVENT,
		.event_channel_port = pc };
	rc = ioctl(fd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &notify);
	CHECK(rc < 0, "SET_UNMAP_NOTIFY to a port nobody bound fails");

	a[4096 + 7] = 0x55;
	notify.action = UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT;
	notify.event_channel_port = pb;
	rc = ioctl(fd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &notify);
	CHECK(rc == 0, "SET_UNMAP_NOTIFY");
	unbind.port = pb;
	ioctl(fe, IOCTL_EVTCHN_UNBIND, &unbind);
	munmap(b, 2 * 4096);
	CHECK(a[4096 + 7] == 0, "munmap cleared the notify byte");
	unmap = (struct ioctl_gntdev_unmap_grant_ref){ .index = map.op.index,
						       .count = 2 };
	rc = ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap);
	CHECK(rc == 0, "UNMAP_GRANT_REF");
	/*
	 * The event is sent once the grants are gone from both the address
	 * space and the file (ours sends it at the munmap already, upstream's
	 * when the mapping is freed).  Binding pb raised it too (see
	 * test_evtchn), and that event may still be waiting: it is not the
	 * one looked for.
	 */
	do
		p = fe < 0 ? -1 : next_port(fe, 2000);
	while (p == pb && pb > 0);
	CHECK(p == pa && pa > 0,
	      "the unmap signalled the notify port, unbound meanwhile (%d)",
	      p);
	rc = ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap);
	CHECK(rc < 0, "UNMAP_GRANT_REF twice fails");

	map.op.refs[0].ref = 1u << 30;
	map.op.count = 1;
	rc = ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map);
	b = rc ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				   map.op.index);
	CHECK(b == MAP_FAILED, "a grant reference out of range does not map");
	munmap(a, 2 * 4096);
out:
	if (fe >= 0)
		close(fe);
	close(fd);
	close(fa);
}

/* ---- /dev/xen/xenbus ------------------------------------------------------ */

/* One request, and the first message that answers it. */
static int xs_request(int fd, uint32_t type, const char *payload,
		      unsigned int len, char *reply, struct xsd_sockmsg *rhdr)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = 42, .len = len };
	char buf[sizeof(hdr) + 256];

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	if (write(fd, buf, sizeof(hdr) + len) != (ssize_t)(sizeof(hdr) + len))
		return -1;
	for (;;) {
		if (read(fd, rhdr, sizeof(*rhdr)) != sizeof(*rhdr) ||
		    rhdr->len > 255 ||
		    read(fd, reply, rhdr->len) != (ssize_t)rhdr->len)
			return -1;
		reply[rhdr->len] = 0;
		if (rhdr->type != XS_WATCH_EVENT)
			return 0;
	}
}

static void test_xenbus_dev(void)
{
	struct xsd_sockmsg hdr;
	char reply[256];
	int fd, rc;

	fd = open("/dev/xen/xenbus", O_RDWR);
	CHECK(fd >= 0, "/dev/xen/xenbus opens");
	if (fd < 0)
		return;
	rc = xs_request(fd, XS_READ, "/local/domain/0/name", 21, reply, &hdr);
	CHECK(rc == 0 && hdr.type == XS_READ && hdr.req_id == 42 &&
	      !strcmp(reply, "Domain-0"),
	      "XS_READ through /dev/xen/xenbus (\"%s\")", reply);
	rc = xs_request(fd, XS_WATCH, "/xenpv-devtest\0tok", 19, reply, &hdr);
	CHECK(rc == 0 && hdr.type == XS_WATCH, "XS_WATCH");
	rc = xs_request(fd, XS_READ, "/no/such/node", 14, reply, &hdr);
	CHECK(rc == 0 && hdr.type == XS_ERROR && !strcmp(reply, "ENOENT"),
	      "an error comes back as XS_ERROR (\"%s\")", reply);
	close(fd);
}

/*
 * Issue 12, finding 9.  The store reads its request ring as one stream
 * of messages, and a request longer than the ring (1 KiB) goes on in
 * pieces, the writer waiting for room in between.  If a signal could
 * end that wait, the rest of the message would be missing and the
 * store would take the next request's bytes for it: from then on the
 * replies no longer belong to the requests.  So a child writes 3 KiB
 * values through /dev/xen/xenbus, each tagged with its own req_id,
 * while SIGALRM (no SA_RESTART) arrives every 100 us; a write() may
 * fail with EINTR (nothing sent: try again), but every reply must be
 * the answer to the request just made, and the value read back at the
 * end must be the last one written.  The child tells its verdict by
 * its exit status; one that never ends waits for a reply that will not
 * come: the stream is out of step.
 */
static void on_alarm(int sig)
{
}

#define BIG_NODE	"/xenpv-devtest/big"
#define BIG_LEN		3000
#define BIG_ROUNDS	200

/* One request of @len payload bytes, its reply's header into @rhdr. */
static int xs_send_recv(int fd, uint32_t type, uint32_t req_id,
			const char *payload, unsigned int len,
			struct xsd_sockmsg *rhdr, char *reply, unsigned int room)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .len = len };
	ssize_t n;

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	do {
		n = write(fd, buf, sizeof(hdr) + len);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(hdr) + len))
		return -1;
	do {
		do {
			n = read(fd, rhdr, sizeof(*rhdr));
		} while (n < 0 && errno == EINTR);
		if (n != sizeof(*rhdr) || rhdr->len >= room)
			return -1;
		do {
			n = read(fd, reply, rhdr->len);
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)rhdr->len)
			return -1;
		reply[rhdr->len] = 0;
	} while (rhdr->type == XS_WATCH_EVENT);
	return 0;
}

static int signalled_writer(void)
{
	static char payload[XENSTORE_PAYLOAD_MAX], reply[XENSTORE_PAYLOAD_MAX];
	struct itimerval every = { { 0, 100 }, { 0, 100 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned int path = sizeof(BIG_NODE), i;
	struct xsd_sockmsg rhdr;
	int fd;

	fd = open("/dev/xen/xenbus", O_RDWR);
	if (fd < 0)
		return 2;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
	memcpy(payload, BIG_NODE, path);
	for (i = 1; i <= BIG_ROUNDS; i++) {
		memset(payload + path, 'a' + i % 26, BIG_LEN);
		snprintf(payload + path, 16, "%u:", i);
		payload[path + strlen(payload + path)] = '-';
		if (xs_send_recv(fd, XS_WRITE, i, payload, path + BIG_LEN,
				 &rhdr, reply, sizeof(reply)) ||
		    rhdr.req_id != i || rhdr.type != XS_WRITE)
			return 3;
	}
	if (xs_send_recv(fd, XS_READ, i, BIG_NODE, path, &rhdr, reply,
			 sizeof(reply)) ||
	    rhdr.req_id != i || rhdr.type != XS_READ ||
	    rhdr.len != BIG_LEN || memcmp(reply, payload + path, BIG_LEN))
		return 4;
	return 0;
}

static void test_xenbus_signals(void)
{
	int status = -1, waited;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* A writer left waiting must not hold our output open. */
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		_exit(signalled_writer());
	}
	for (waited = 0; pid > 0 && waited < 600; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (pid > 0 && waited >= 600)
		kill(pid, SIGKILL);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%u requests of %u bytes under SIGALRM every 100 us keep the xenbus stream in step (%s)",
	      BIG_ROUNDS, BIG_LEN,
	      waited >= 600 ? "no reply in 60 s" :
	      !WIFEXITED(status) ? "the writer died" :
	      WEXITSTATUS(status) == 2 ? "cannot open /dev/xen/xenbus" :
	      WEXITSTATUS(status) == 3 ? "a reply that is not the request's" :
	      WEXITSTATUS(status) == 4 ? "the value read back is not the last written" :
	      "ok");
}

int main(void)
{
	signal(SIGBUS, on_sigbus);
	signal(SIGSEGV, on_sigbus);
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_xenfs();
	test_privcmd();
	test_evtchn();
	test_grants();
	test_xenbus_dev();
	test_xenbus_signals();
	printf("%d failures\n", failures);
	return failures;
}
