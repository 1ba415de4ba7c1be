// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv-hostile-backend: a backend in dom0 that lies to a domU's
 * frontends on purpose, one scenario per run (issue 12).
 *
 * Since XSA-391..403 a Linux frontend must survive a backend that is
 * buggy or compromised: no crash, no hang of the guest's xenbus, no
 * memory of the guest left with the backend after the guest reused it.
 * This program is that backend.  It adds a device for the domU in the
 * store under a directory of its own (/local/domain/0/hostile-backend/,
 * see store.c: dom0's real backends and libxl never look there), maps
 * the frontend's ring with gntdev, binds its event channel, serves it
 * correctly from an in-memory disk, and then breaks one rule.
 *
 * Run it in dom0, with xenstored up and the domU running:
 *
 *   xenpv-hostile-backend [options] DOMAIN SCENARIO
 *   xenpv-hostile-backend -l            (list the scenarios)
 *
 * DOMAIN is a domain id or name.  Options:
 *   -V n   the scenario's variant (see each one below; 0 by default)
 *   -n n   repetitions (blk-cycle, blk-flap, blk-state-loop, blk-stale-id)
 *   -t s   duration of the scenario's main phase
 *   -w n   good answers (net: packets) before misbehaving (16)
 *   -T s   how long to wait for the frontend at each step (60)
 *   -d n   virtual-device number (51824, xvdh: 202 << 8 | 7 << 4;
 *          a vif's: 7)
 *   -s M   size of the in-memory disk in MiB (16)
 *   -r n   max-ring-page-order offered (4)
 *   -u     write trusted=0 in the frontend's directory (blkif.h,
 *          netif.h)
 *   -S     a vif offers split event channels, one for each ring
 *          (net-ring.c); a scenario whose frontend takes one channel
 *          only exits 3
 *   -c s   the canary of blk-keep-mapped (up to 32 characters)
 *   -v     log every state we write
 *
 * Output: lines "hbackend: [seconds] ..." on stdout, saying what we did
 * and what the frontend did (its states, how many answers).  Exit 0:
 * the scenario was carried out; 1: the device never got going; 2: bad
 * command line; 3: the guest never gave the scenario what it needs (no
 * I/O on the disk, no restore), so nothing was tested.  SIGINT/SIGTERM
 * end the run cleanly: ring unmapped, channel unbound, nodes removed.
 *
 * The guest's side: most scenarios need I/O on the disk during the
 * warm-up and after, e.g. a loop of
 *   dd if=/dev/xvdh of=/dev/null bs=64k iflag=direct
 *   dd if=/dev/urandom of=/dev/xvdh bs=4k count=64 oflag=direct
 * in the guest; the read loop matters most (blk-bad-op and
 * blk-keep-mapped wait for a read).
 *
 * The blk scenarios (blk-scenarios.c has the details of each):
 *   blk-normal             correct for -t s (30): the baseline; the guest
 *                          reads back what it wrote.
 *   blk-prod-ahead         rsp_prod one ring (-V 1: 2^31) past our last
 *                          answer.  The frontend must see an impossible
 *                          index and stop using the ring, not read stale
 *                          slots.
 *   blk-prod-behind        rsp_prod moved back by one (-V 1: a ring).
 *   blk-bad-id             an answer under an id never issued: the ring
 *                          size, ~0 (-V 1), the right id + 2^32 (-V 2).
 *   blk-dup-id             one request answered twice.
 *   blk-stale-id           an answer for a request answered -n (64)
 *                          answers ago.
 *   blk-bad-op             a read answered as a write (-V 1: op 0xee,
 *                          -V 2: INDIRECT).
 *   blk-bad-status         status 0x1234 (-V 1: -32768, -V 2: EOPNOTSUPP
 *                          for a read or write, -V 3: +1).  The request
 *                          must fail with an I/O error, nothing more.
 *   blk-keep-mapped        keep a read's pages (-V 1: 16 reads') mapped,
 *                          close and remove the device, then write the
 *                          canary into them every 100 ms for -t s (60).
 *                          The guest must not give those pages back to
 *                          its allocator (finding 1).
 *   blk-close-inflight     Closing with requests unanswered (-V 1: they
 *                          are answered after the frontend is Closed);
 *                          the guest's xenbus must not hang (finding 3).
 *   blk-close-dispatch     two queues, both rings held full while the
 *                          guest floods them, then Closing: no request
 *                          may reach a ring the frontend already failed
 *                          (finding 11), the disk must go.
 *   blk-cycle              add, use, close, remove the device -n (200)
 *                          times: no event channel or grant may leak
 *                          (finding 7).
 *   blk-flap               Connected -> Closing -> Connected -n (200)
 *                          times without InitWait.
 *   blk-event-storm        notify in a tight loop for -t s (30), then
 *                          10 s of normal service (finding 4).
 *   blk-state-loop         rewrite our state -n (20000) times: "4" only;
 *                          -V 1: every state and garbage; -V 2: sectors
 *                          garbage (findings 10, resize paths).
 *   blk-ring-shrink        order -r (4), then, after the test has run
 *                          "xl save" + "xl restore", order 0 (finding 5).
 *   blk-restore-connected  after the restore, Connected at once with no
 *                          InitWait (finding 2).
 *   blk-restore-sector     after the restore, sector-size 4096 for the
 *                          disk that had 512.
 *
 * The net scenarios (net-scenarios.c) add vif 7 with one host behind
 * it, 10.99.0.1 (the guest's address is for the test to set), that
 * answers ARP and ping; the guest must keep pinging it (-w: packets
 * before misbehaving).  Each runs with one event channel, or with -S
 * with two (tx, rx):
 *   net-normal             correct for -t s (30); -V 1: mute, no reply.
 *   net-rx-bad-offset      an rx answer at offset 4000 (-V 1: 0xffff).
 *   net-rx-bad-len         an rx status of 32767 (-V 1: -32768, -V 2:
 *                          4096 at offset 1).
 *   net-rx-bad-gso         an extra-info slot: GSO of size 0 (-V 1: type
 *                          0xee, -V 2: GSO type 0xee, -V 3: "more"
 *                          flagged on the last one).
 *   net-tx-bad-id          a packet answered under id 256 (-V 1: twice,
 *                          -V 2: under 0xffff).
 *   net-prod-ahead         rx rsp_prod one ring ahead (-V 1: tx, -V 2:
 *                          rx 2^31 ahead).
 *   net-broken-spin        a tx answer for an id never sent, a reply
 *                          waiting on rx, then an event every 20 ms for
 *                          -t s (20): the frontend must not spin on a
 *                          ring it called broken (finding 6).
 *   net-event-storm        notify in a tight loop for -t s (30), then
 *                          10 s of service (finding 4); -S: both
 *                          channels in turn.
 *   net-wrong-chan         -S only: for -t s (15), rx answers notified
 *                          on the tx channel (-V 1: tx answers on the
 *                          rx one, -V 2: both swapped).
 *   net-close-inflight     Closing with the guest's packets untaken (-V
 *                          1: carried after it is Closed).
 *   net-rx-endless         every rx buffer answered as one more piece of
 *                          a packet that never ends, for -t s (15).
 *   net-tx-neighbours      the vif's address asks the guest to spray its
 *                          kmalloc caches with a secret; every tx page is
 *                          searched whole for it for -t s (40): a page
 *                          granted beyond the packet leaks (finding 8;
 *                          -V 1: with trusted=0).
 *
 * The console scenarios (con-scenarios.c) add no device: they take the
 * guest's own PV console, which xenconsoled serves, and stop
 * xenconsoled (SIGSTOP) while they write its indexes; every one ends
 * with the ring sane again and xenconsoled going on (con-ring.c):
 *   con-normal             stop and continue xenconsoled, no lie, then
 *                          watch -t s (10): the baseline.
 *   con-in-ahead           in_prod 16 rings (-V 1: 2^31) past in_cons.
 *   con-in-behind          in_prod one byte (-V 1: 2^31 - 1) behind.
 *   con-out-ahead          out_cons one byte (-V 1: 2^31) past out_prod.
 *   con-out-behind         out_cons two rings (-V 1: 2^31 - 1) behind.
 *                          Each wild index stays -t s (5), with an event
 *                          every 500 ms (finding 13).
 *   con-stall              xenconsoled stopped for -t s (30): the output
 *                          ring fills and stays full; -V 1: left
 *                          stopped at exit (a test's self-check).
 *   con-event-storm        EVTCHNOP_send on the console channel in a
 *                          tight loop for -t s (20), nothing in the ring
 *                          (finding 4).
 *   con-in-garbage         random input as fast as the guest takes it
 *                          for -t s (15), bytes a tty acts on left out.
 *
 * The store scenarios (store-scenarios.c has the details) lie through
 * the store alone, as a driver domain can, to a vbd and a vif in turn:
 *   store-values           one device per hostile or missing node (-T:
 *                          the wait for each step)
 *   store-state            our state node set to no state at all
 *   store-rm-connected     our directory removed while Connected
 *   store-rm-init          our directory removed before we connect
 *   store-watch-storm      -n (20000) writes under our state node, in
 *                          -t s (150) at most
 *   store-node-flood       -n (2000) children under our directories
 *
 * What "pass" means for a ladder test (domu-hostile-blk): after each
 * scenario, and this program's exit,
 *   - the guest's heartbeat kept ticking through it, and its console
 *     has no BUG, WARNING, Oops, soft lockup or RCU stall line;
 *   - the guest's other disk (xvda, from dom0's real blkback) and its
 *     network still work;
 *   - the guest's counts of grants and event channels in use are back
 *     where they were before the scenario (blk-cycle: after 200 cycles);
 *   - blk-keep-mapped: the canary (-c, chosen by the test) never
 *     appears in memory the guest allocates and scans while the canary
 *     is being written (a frontend that leaks the pages passes);
 *   - the frontend's state and our log show the device was torn down:
 *     "frontend Closed" or "gone", never "still Connected after".
 * Whether a scenario passes is never decided here: this program only
 * misbehaves and reports what it saw.
 *
 * Adding a kind: another <kind>-ring.c (handshake and ring, using
 * store.c and chan.c as blk-ring.c does) and <kind>-scenarios.c with
 * its table, listed in scenario_tables below.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hbackend.h"

/* Set by SIGINT/SIGTERM: every wait returns, the scenario tears down. */
volatile sig_atomic_t hb_stopping;
static double t_start;
static bool verbose;

static const struct hb_scenario *const scenario_tables[] = {
	blk_scenarios,
	net_scenarios,
	con_scenarios,
	store_scenarios,
};

double hb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void vlog(const char *fmt, va_list ap)
{
	printf("hbackend: [%8.3f] ", hb_now() - t_start);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void hb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void hb_dbg(struct hb *hb, const char *fmt, ...)
{
	va_list ap;

	(void)hb;
	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void on_signal(int sig)
{
	(void)sig;
	hb_stopping = 1;
}

static const struct hb_scenario *find_scenario(const char *name)
{
	const struct hb_scenario *s;
	size_t t;

	for (t = 0; t < ARRAY_SIZE(scenario_tables); t++)
		for (s = scenario_tables[t]; s->name; s++)
			if (!strcmp(s->name, name))
				return s;
	return NULL;
}

static void list_scenarios(FILE *f)
{
	const struct hb_scenario *s;
	size_t t;

	for (t = 0; t < ARRAY_SIZE(scenario_tables); t++)
		for (s = scenario_tables[t]; s->name; s++)
			fprintf(f, "  %-22s %s\n", s->name, s->summary);
}

static int usage(void)
{
	fprintf(stderr,
		"use: xenpv-hostile-backend [-V n] [-n n] [-t s] [-w n] [-T s] [-d devid]\n"
		"           [-s MiB] [-r order] [-u] [-S] [-c canary] [-v] DOMAIN SCENARIO\n"
		"       xenpv-hostile-backend -l\n"
		"scenarios:\n");
	list_scenarios(stderr);
	return HB_EXIT_USAGE;
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (end == s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "xenpv-hostile-backend: bad number %s\n", s);
		exit(HB_EXIT_USAGE);
	}
	return v;
}

/* DOMAIN as an id (its name read back) or a name (its id looked up). */
static int resolve_domain(struct hb *hb, const char *arg)
{
	char path[64], *name, *end;
	unsigned int len;
	unsigned long id = strtoul(arg, &end, 10);
	int found;

	if (end != arg && !*end) {
		snprintf(path, sizeof(path), "/local/domain/%lu/name", id);
		name = xs_read(hb->xs, XBT_NULL, path, &len);
		if (!name || !id) {
			hb_log("no domain %s", arg);
			free(name);
			return -1;
		}
		snprintf(hb->name, sizeof(hb->name), "%s", name);
		free(name);
		hb->domid = id;
		return 0;
	}
	found = hb_find_domain(hb, arg, -1);
	if (found < 0) {
		hb_log("no domain named %s", arg);
		return -1;
	}
	snprintf(hb->name, sizeof(hb->name), "%s", arg);
	hb->domid = found;
	return 0;
}

int main(int argc, char **argv)
{
	struct hb hb = {
		.warmup = 16,
		.timeout = 60,
		.devid = 202 << 8 | 7 << 4,
		.disk_mib = 16,
		.ring_order = 4,
	};
	const struct hb_scenario *sc;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, rc;

	t_start = hb_now();
	snprintf(hb.canary, sizeof(hb.canary), "HBCANARY-%08x-%08x",
		 (unsigned int)getpid(), (unsigned int)time(NULL));
	while ((c = getopt(argc, argv, "V:n:t:w:T:d:s:r:uSc:vl")) != -1) {
		switch (c) {
		case 'V':
			hb.variant = num(optarg);
			break;
		case 'n':
			hb.count = num(optarg);
			break;
		case 't':
			hb.seconds = num(optarg);
			break;
		case 'w':
			hb.warmup = num(optarg);
			break;
		case 'T':
			hb.timeout = num(optarg);
			break;
		case 'd':
			hb.devid = num(optarg);
			hb.devid_given = true;
			break;
		case 's':
			hb.disk_mib = num(optarg);
			break;
		case 'r':
			hb.ring_order = num(optarg);
			break;
		case 'u':
			hb.untrusted = true;
			break;
		case 'S':
			hb.split = true;
			break;
		case 'c':
			/* Short enough to repeat within a page many times. */
			if (strlen(optarg) < 8 || strlen(optarg) > 32) {
				fprintf(stderr, "xenpv-hostile-backend: %s\n",
					"a canary has 8 to 32 characters");
				return HB_EXIT_USAGE;
			}
			snprintf(hb.canary, sizeof(hb.canary), "%s", optarg);
			break;
		case 'v':
			verbose = hb.verbose = true;
			break;
		case 'l':
			list_scenarios(stdout);
			return 0;
		default:
			return usage();
		}
	}
	if (argc - optind != 2)
		return usage();
	sc = find_scenario(argv[optind + 1]);
	if (!sc) {
		fprintf(stderr, "xenpv-hostile-backend: no scenario %s\n",
			argv[optind + 1]);
		return usage();
	}
	if (hb.ring_order > 4 || !hb.disk_mib || hb.disk_mib > 1024 ||
	    hb.devid > 0xffff) {
		fprintf(stderr, "xenpv-hostile-backend: %s\n",
			"-r is 0..4, -s 1..1024 MiB, -d below 65536");
		return HB_EXIT_USAGE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A broken pipe to the test's log must not kill us mid-teardown. */
	signal(SIGPIPE, SIG_IGN);

	if (hb_open(&hb) || resolve_domain(&hb, argv[optind])) {
		hb_close(&hb);
		return HB_EXIT_SETUP;
	}
	hb_log("scenario %s (variant %u) against domain %u (%s)", sc->name,
	       hb.variant, hb.domid, hb.name);
	rc = sc->run(&hb);
	hb_log("scenario %s: %s (exit %d)", sc->name,
	       rc == HB_EXIT_DONE ? "done" :
	       rc == HB_EXIT_NOT_EXERCISED ? "not exercised" : "setup failed",
	       rc);
	hb_close(&hb);
	return rc;
}
