// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv-stress: the workloads the ladder and the benchmarks run inside a
 * test guest (dom0 or domU).  Built static on the host.
 *
 *   xenpv-stress forkexec N    N times: fork, execve(self, "true"), wait
 *   xenpv-stress fork N        N times: fork, the child exits, wait
 *   xenpv-stress touch MB      in a child: map MB of anonymous memory,
 *                              write every page, unmap it, exit
 *   xenpv-stress hold MB SECONDS  map and write MB, print "XENPV-HOLDING",
 *                              check every page once a second for SECONDS
 *   xenpv-stress smp SECONDS   one worker per online CPU, each pinned to
 *                              its CPU, forking and touching memory, all
 *                              at the same time
 *   xenpv-stress hotplug N     N times: take each CPU but CPU 0 offline
 *                              and online again; then smp for 2 s, so
 *                              every CPU that came back must run work
 *   xenpv-stress mmap MB N     N times: map MB, write every page, unmap
 *   xenpv-stress marker TAG    a CPUID that Xen traces, tagged TAG:
 *                              brackets a workload (see marker() below)
 *   xenpv-stress spray SECONDS IFACE ADDR
 *                              fill the kernel's kmalloc caches with a
 *                              secret (see spray() below) for SECONDS or
 *                              until IFACE is gone, and send UDP
 *                              datagrams without it to ADDR over IFACE
 *   xenpv-stress true          exit at once (what forkexec executes)
 *
 * and, in dom0, the probes of the benchmarks:
 *
 *   xenpv-stress hypercalls N  N times (between two markers, through
 *                              privcmd): one multicall of a known make-up
 *                              and one direct mmu_update, so a trace
 *                              counter can be checked against what was
 *                              really issued
 *   xenpv-stress now           print this domain's CLOCK_MONOTONIC in ns
 *   xenpv-stress stamp TTY SECONDS [STOP]
 *                              copy a guest's console (its pty) to stdout
 *                              as it comes, each line prefixed with the
 *                              CLOCK_MONOTONIC ns at which it arrived,
 *                              until a line contains STOP, the console
 *                              closes or SECONDS pass
 *
 * With XENPV_MARK set in the environment, the workloads put a marker
 * (tag 1) right before and one (tag 2) right after the timed work, so
 * a trace can be cut to exactly that.
 *
 * Each run prints "<workload>: <what> in <ms> ms" and exits 0, or prints
 * what went wrong and exits 1.  The time is the guest's own clock: the
 * benchmarks take theirs from Xen's trace records of the markers, and
 * print this one only to compare.  Every page written is checked when
 * read back, so a mapping of the wrong frame shows up as a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *self;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "xenpv-stress: %s: %s\n", what, strerror(errno));
	return 1;
}

static int wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "xenpv-stress: child %d ended with status %#x\n",
			pid, status);
		return 1;
	}
	return 0;
}

static int forkonly(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return fail("fork");
		if (!pid)
			_exit(0);
		if (wait_ok(pid))
			return 1;
	}
	return 0;
}

static int forkexec(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return fail("fork");
		if (!pid) {
			execl(self, self, "true", (char *)NULL);
			_exit(127);
		}
		if (wait_ok(pid))
			return 1;
	}
	return 0;
}

/* Map, write a value derived from each page's index, check, unmap. */
static int touch_pages(long mb)
{
	size_t len = (size_t)mb << 20, page = sysconf(_SC_PAGESIZE), off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap");
	for (off = 0; off < len; off += page)
		*(uint64_t *)(p + off) = off ^ 0x5a5a5a5aUL;
	for (off = 0; off < len; off += page)
		if (*(uint64_t *)(p + off) != (off ^ 0x5a5a5a5aUL)) {
			fprintf(stderr, "xenpv-stress: page at +%zu reads back wrong\n",
				off);
			return 1;
		}
	if (munmap(p, len))
		return fail("munmap");
	return 0;
}

/*
 * Map and write MB, say so, then check every page once a second for
 * SECONDS: memory that must stay ours while dom0 squeezes the domain.
 */
static int hold_pages(long mb, long seconds)
{
	size_t len = (size_t)mb << 20, page = sysconf(_SC_PAGESIZE), off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long s;

	if (p == MAP_FAILED)
		return fail("mmap");
	for (off = 0; off < len; off += page)
		*(uint64_t *)(p + off) = off ^ 0xa5a5a5a5UL;
	printf("XENPV-HOLDING %ld MiB\n", mb);
	fflush(stdout);
	for (s = 0; s < seconds; s++) {
		sleep(1);
		for (off = 0; off < len; off += page)
			if (*(uint64_t *)(p + off) != (off ^ 0xa5a5a5a5UL)) {
				fprintf(stderr, "xenpv-stress: held page at +%zu changed\n",
					off);
				return 1;
			}
	}
	return munmap(p, len) ? fail("munmap") : 0;
}

static int touch_in_child(long mb)
{
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (!pid)
		_exit(touch_pages(mb));
	return wait_ok(pid);
}

/* A worker pinned to @cpu: fork/exec and touch memory until @until. */
static int worker(int cpu, double until)
{
	cpu_set_t set;
	long rounds = 0;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return fail("sched_setaffinity");
	while (now_ms() < until) {
		if (forkexec(10) || touch_pages(8))
			return 1;
		rounds++;
	}
	printf("smp: cpu %d did %ld rounds\n", cpu, rounds);
	fflush(stdout);
	return 0;
}

static int smp(long seconds)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), i;
	double until = now_ms() + seconds * 1e3;
	pid_t pids[64];
	int rc = 0;

	if (cpus < 1 || cpus > 64)
		cpus = 1;
	for (i = 0; i < cpus; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return fail("fork");
		if (!pids[i])
			_exit(worker(i, until));
	}
	for (i = 0; i < cpus; i++)
		rc |= wait_ok(pids[i]);
	return rc;
}

static int set_online(long cpu, int online)
{
	char path[64];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/online",
		 cpu);
	f = fopen(path, "w");
	if (!f)
		return fail(path);
	bad = fprintf(f, "%d\n", online) < 0;
	bad |= fclose(f) != 0;	/* the kernel's answer comes with the flush */
	if (bad)
		return fail(online ? "bringing a CPU online" :
				     "taking a CPU offline");
	return 0;
}

static int hotplug(long n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), cpu, i;

	if (cpus < 2) {
		fprintf(stderr, "hotplug: only %ld CPU online\n", cpus);
		return 1;
	}
	for (i = 0; i < n; i++) {
		for (cpu = 1; cpu < cpus; cpu++) {
			if (set_online(cpu, 0))
				return 1;
			if (sysconf(_SC_NPROCESSORS_ONLN) != cpus - 1) {
				fprintf(stderr, "hotplug: cpu%ld still online\n",
					cpu);
				return 1;
			}
			if (set_online(cpu, 1))
				return 1;
		}
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) != cpus) {
		fprintf(stderr, "hotplug: %ld of %ld CPUs came back\n",
			sysconf(_SC_NPROCESSORS_ONLN), cpus);
		return 1;
	}
	return smp(2);
}

/*
 * A marker is a CPUID that Xen traces, with a timestamp, on the physical
 * CPU the guest runs on.  How depends on the kind of guest:
 *
 * - PV: a plain CPUID does not leave the guest (no CPUID faulting under
 *   QEMU), so it goes through Xen's forced-emulation prefix (ud2; "xen"),
 *   which Xen emulates and traces as TRC_PV_FORCED_INVALID_OP; the leaf
 *   is the tag.
 * - PVH (and HVM): that prefix would only be a #UD in the guest, but SVM
 *   and VMX always intercept CPUID, and Xen traces each as TRC_HVM_CPUID
 *   (leaf, subleaf, result) after the VMEXIT record that carries the TSC.
 *   The leaf is MARKER_LEAF + tag: outside every range Xen's guest_cpuid()
 *   serves (it answers zeros), so nothing but a marker asks for it, and a
 *   trace counter can tell a marker from the kernel's own CPUIDs.
 *
 * /sys/hypervisor/guest_type says which ("PV", "PVH", "HVM"); a guest
 * that does not say cannot be marked, and the workload refuses to run.
 */
#define MARKER_LEAF	0x58504d00U	/* "XPM\0" */

static int marker_hvm = -1;

static int marker_kind(void)
{
	char type[16] = "";
	FILE *f = fopen("/sys/hypervisor/guest_type", "r");

	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = 0;
		fclose(f);
	}
	type[strcspn(type, "\n")] = 0;
	if (!strcmp(type, "PV"))
		marker_hvm = 0;
	else if (!strcmp(type, "PVH") || !strcmp(type, "HVM"))
		marker_hvm = 1;
	else
		fprintf(stderr, "xenpv-stress: marker: guest_type is '%s', not PV, PVH or HVM\n",
			type);
	return marker_hvm < 0;
}

static void marker(unsigned int tag)
{
	unsigned int a = tag, b, c = 0, d;

	if (marker_hvm) {
		a = MARKER_LEAF + tag;
		asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	} else {
		asm volatile(".byte 0x0f,0x0b,0x78,0x65,0x6e; cpuid"
			     : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	}
}

/*
 * The hypercall ABI that privcmd passes through (Xen's public xen.h and
 * Linux's include/uapi/xen/privcmd.h): an op and five arguments; a
 * multicall entry is the op, its result and six arguments, 64 bits each.
 */
struct hcall {
	uint64_t op, arg[5];
};

struct mc_entry {
	uint64_t op, result, args[6];
};

#define PRIVCMD_HYPERCALL	_IOC(_IOC_NONE, 'P', 0, sizeof(struct hcall))
#define HC_MMU_UPDATE		1
#define HC_MULTICALL		13
#define HC_XEN_VERSION		17
#define DOMID_SELF		0x7ff0U

/*
 * The make-up xenpv-stress hypercalls issues, per round: one multicall
 * of MC_VERSIONS xen_version entries and MC_UPDATES mmu_update entries
 * of MC_BATCH requests each, then one direct mmu_update of DIRECT_BATCH
 * requests.  The request lists are NULL: Xen traces each call, and each
 * multicall entry, with its count when it starts, then fails it
 * (-EFAULT) without touching anything.  The batch sizes are odd enough
 * that nothing else dom0 does at the time has them.
 */
#define MC_VERSIONS	3
#define MC_UPDATES	4
#define MC_BATCH	61
#define DIRECT_BATCH	67

static int hypercalls(long n)
{
	struct mc_entry mc[MC_VERSIONS + MC_UPDATES];
	struct hcall multi = { HC_MULTICALL, { 0, MC_VERSIONS + MC_UPDATES } };
	struct hcall direct = { HC_MMU_UPDATE, { 0, DIRECT_BATCH, 0, DOMID_SELF } };
	int fd = open("/dev/xen/privcmd", O_RDWR);
	long i;
	int j;

	if (fd < 0)
		fd = open("/proc/xen/privcmd", O_RDWR);
	if (fd < 0)
		return fail("privcmd");
	multi.arg[0] = (uintptr_t)mc;
	for (i = 0; i < n; i++) {
		memset(mc, 0, sizeof(mc));
		for (j = 0; j < MC_VERSIONS + MC_UPDATES; j++) {
			if (j < MC_VERSIONS) {
				mc[j].op = HC_XEN_VERSION;
			} else {
				mc[j].op = HC_MMU_UPDATE;
				mc[j].args[1] = MC_BATCH;
				mc[j].args[3] = DOMID_SELF;
			}
		}
		if (ioctl(fd, PRIVCMD_HYPERCALL, &multi) < 0)
			return fail("multicall");
		if (mc[0].result >> 63 || !(mc[MC_VERSIONS].result >> 63)) {
			fprintf(stderr, "xenpv-stress: multicall results %#llx %#llx\n",
				(unsigned long long)mc[0].result,
				(unsigned long long)mc[MC_VERSIONS].result);
			return 1;
		}
		/* Fails with EFAULT by design; only the trace record counts. */
		ioctl(fd, PRIVCMD_HYPERCALL, &direct);
	}
	close(fd);
	return 0;
}

/*
 * Copy the console pty @tty to stdout, each line after the monotonic
 * time at which we read it.  We sleep in poll() until xenconsoled
 * forwards the guest's output, so the stamp is taken when the line
 * reaches this domain, whatever the guest thinks the time is, and
 * nothing runs here in between (under QEMU -icount every instruction
 * dom0 runs is time taken from the guest).
 */
static int stamp(const char *tty, long seconds, const char *stop)
{
	unsigned long long end = now_ns() + seconds * 1000000000ULL, t;
	char buf[4096], line[4096];
	size_t len = 0;
	struct termios tio;
	struct pollfd p;
	int fd = open(tty, O_RDONLY | O_NOCTTY);

	if (fd < 0)
		return fail(tty);
	/* Raw: no echo back into the guest, no line editing. */
	if (!tcgetattr(fd, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		ssize_t n, k;

		t = now_ns();
		if (t >= end) {
			printf("%llu XENPV-STAMP-TIMEOUT after %ld s\n", t, seconds);
			return 1;
		}
		if (poll(&p, 1, (end - t) / 1000000 + 1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("poll");
		}
		n = read(fd, buf, sizeof(buf));
		t = now_ns();
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			printf("%llu XENPV-STAMP-EOF the console closed\n", t);
			return 1;
		}
		for (k = 0; k < n; k++) {
			if (buf[k] == '\r')
				continue;
			if (buf[k] != '\n' && len < sizeof(line) - 1) {
				line[len++] = buf[k];
				continue;
			}
			if (buf[k] != '\n')
				continue;	/* an overlong line: its tail is dropped */
			line[len] = 0;
			len = 0;
			printf("%llu %s\n", t, line);
			if (stop && strstr(line, stop)) {
				fflush(stdout);
				return 0;
			}
		}
		fflush(stdout);
	}
}

/*
 * domu-hostile-net's net-tx-neighbours: what a backend may see of the
 * guest's memory beyond the packets it is sent.  A socket buffer's head
 * is a kmalloc object, and a grant covers a whole page: a frontend that
 * granted a packet's head as it lies would show the backend the other
 * objects of that slab page (issue 12 finding 8, the XSA-403 class).
 *
 * So the kmalloc caches that packet heads come from are filled with a
 * secret: datagrams over AF_UNIX socket pairs nobody reads stay queued
 * as skbs whose heads hold the secret (a head is the payload plus the
 * skb_shared_info, so the sizes below land in kmalloc-512, -1k and
 * -2k, where ping, ARP and small UDP heads are).  The messages go round
 * robin over the pairs, and every cycle half the pairs are drained and
 * refilled: the freed heads keep their bytes and leave holes between
 * live ones, and the next packet heads are allocated into those holes.
 * Between the cycles, UDP datagrams of bytes 'u' go to ADDR port 9
 * (discard) over IFACE, beside the pings the job sends: more packets
 * for the backend to look at, none of them carrying the secret.
 *
 * The secret is SPRAY_MARK and a count, over and over, so whatever part
 * of an object stays unwritten still holds a whole one.  It ends with
 * one line, "XENPV-SPRAY secs=S cycles=C objects=N udp=U", N the
 * secret heads allocated; or "XENPV-SPRAY-FAIL why".
 */
#define SPRAY_MARK	"xenpv:neighbour-secret:"
#define SPRAY_PAIRS	32
#define SPRAY_DEPTH	96	/* messages queued per pair, at most */

static const unsigned int spray_sizes[] = { 64, 128, 176, 300, 600, 1000, 1500 };
#define SPRAY_NSIZES	(sizeof(spray_sizes) / sizeof(spray_sizes[0]))

static int spray(long seconds, const char *ifc, const char *addr)
{
	int pair[SPRAY_PAIRS][2], udp;
	unsigned int depth[SPRAY_PAIRS] = { 0 };
	unsigned long objects = 0, udp_sent = 0, cycles = 0;
	static char secret[1600], junk[1600], sink[2048];
	char path[128];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	double t0 = now_ms(), end = t0 + seconds * 1e3;
	unsigned int i, k, n = 0, more;

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifc);
	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1) {
		printf("XENPV-SPRAY-FAIL bad address %s\n", addr);
		return 1;
	}
	for (i = 0; i < sizeof(secret); i += 32)
		snprintf(secret + i, sizeof(secret) - i, "%s%08x", SPRAY_MARK, i);
	memset(junk, 'u', sizeof(junk));
	for (i = 0; i < SPRAY_PAIRS; i++)
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, pair[i])) {
			printf("XENPV-SPRAY-FAIL socketpair: %s\n", strerror(errno));
			return 1;
		}
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (udp < 0 || setsockopt(udp, SOL_SOCKET, SO_BINDTODEVICE, ifc,
				  strlen(ifc) + 1)) {
		printf("XENPV-SPRAY-FAIL udp socket on %s: %s\n", ifc, strerror(errno));
		return 1;
	}
	while (now_ms() < end && !access(path, F_OK)) {
		/* Fill: one message a pair, round robin, till all are full. */
		do {
			more = 0;
			for (i = 0; i < SPRAY_PAIRS; i++) {
				if (depth[i] >= SPRAY_DEPTH)
					continue;
				k = spray_sizes[n++ % SPRAY_NSIZES];
				if (send(pair[i][0], secret, k, 0) != (ssize_t)k)
					continue;
				depth[i]++;
				objects++;
				more = 1;
			}
		} while (more);
		/* The packets: a head or two out of the sprayed caches. */
		for (k = 0; k < 2; k++) {
			unsigned int len = spray_sizes[(cycles + k * 3) % SPRAY_NSIZES];

			if (sendto(udp, junk, len, MSG_DONTWAIT,
				   (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
				udp_sent++;
		}
		/* Drain every other pair: holes between secret heads. */
		for (i = cycles & 1; i < SPRAY_PAIRS; i += 2)
			while (recv(pair[i][1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
				depth[i]--;
		cycles++;
		usleep(50000);
	}
	printf("XENPV-SPRAY secs=%.0f cycles=%lu objects=%lu udp=%lu\n",
	       (now_ms() - t0) / 1e3, cycles, objects, udp_sent);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long a = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
	long b = argc > 3 ? strtol(argv[3], NULL, 0) : 1;
	double t0;
	int rc;

	self = "/proc/self/exe";
	if (!strcmp(what, "true"))
		return 0;
	if (!strcmp(what, "marker")) {
		if (marker_kind())
			return 1;
		marker(a);
		return 0;
	}
	if (!strcmp(what, "now")) {
		printf("%llu\n", now_ns());
		return 0;
	}
	if (!strcmp(what, "spray") && a > 0 && argc > 4)
		return spray(a, argv[3], argv[4]);
	if (!strcmp(what, "stamp") && argc > 3)
		return stamp(argv[2], b, argc > 4 ? argv[4] : NULL);
	/* Run the exec target from a stable path, not /proc/self/exe. */
	self = realpath("/proc/self/exe", NULL);
	if (!self)
		return fail("realpath");

	if (getenv("XENPV_MARK")) {
		if (marker_kind())
			return 1;
		marker(1);
	}
	t0 = now_ms();
	if (!strcmp(what, "forkexec") && a > 0) {
		rc = forkexec(a);
		printf("forkexec: %ld fork+exec+exit", a);
	} else if (!strcmp(what, "fork") && a > 0) {
		rc = forkonly(a);
		printf("fork: %ld fork+exit", a);
	} else if (!strcmp(what, "touch") && a > 0) {
		rc = touch_in_child(a);
		printf("touch: %ld MiB in a child", a);
	} else if (!strcmp(what, "hold") && a > 0 && b > 0) {
		rc = hold_pages(a, b);
		printf("hold: %ld MiB for %ld s", a, b);
	} else if (!strcmp(what, "smp") && a > 0) {
		rc = smp(a);
		printf("smp: %ld s on every CPU", a);
	} else if (!strcmp(what, "hotplug") && a > 0) {
		rc = hotplug(a);
		printf("hotplug: %ld offline/online cycles of every CPU but 0", a);
	} else if (!strcmp(what, "hypercalls") && a > 0) {
		rc = hypercalls(a);
		printf("hypercalls: %ld x (multicall: %d xen_version, %d mmu_update x %d; %s x %d)",
		       a, MC_VERSIONS, MC_UPDATES, MC_BATCH, "mmu_update", DIRECT_BATCH);
	} else if (!strcmp(what, "mmap") && a > 0) {
		long i;

		for (i = 0, rc = 0; i < b && !rc; i++)
			rc = touch_pages(a);
		printf("mmap: %ld x %ld MiB mapped, written, unmapped", b, a);
	} else {
		fprintf(stderr, "usage: xenpv-stress forkexec N | touch MB | hold MB SECONDS | smp SECONDS | hotplug N | mmap MB N | marker TAG | true | hypercalls N | now | stamp TTY SECONDS [STOP] | spray SECONDS IFACE ADDR\n");
		return 2;
	}
	t0 = now_ms() - t0;
	if (getenv("XENPV_MARK"))
		marker(2);
	printf(" in %.1f ms%s\n", t0, rc ? " (FAILED)" : "");
	return rc;
}
