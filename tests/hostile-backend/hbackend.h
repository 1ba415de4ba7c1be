/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenpv-hostile-backend: shared declarations.  main.c says what the
 * program is for; this header only ties its files together:
 *
 *   store.c          xenstore: nodes, permissions, device directories,
 *                    waiting for the frontend's state, finding a domain
 *   chan.c           event channels and the one wait loop of the program
 *   blk-ring.c       a vbd backend: handshake, ring, an in-memory disk,
 *                    and the primitives to answer wrongly on purpose
 *   blk-scenarios.c  the blk scenarios, one function each
 *   net-ring.c       a vif backend: handshake, both rings, one host
 *                    that answers ARP and ping, and the primitives to
 *                    answer wrongly on purpose
 *   net-scenarios.c  the net scenarios, one function each
 *   con-ring.c       the guest's console ring, taken over from
 *                    xenconsoled, and the primitives to misuse it
 *   con-scenarios.c  the console scenarios, one function each
 *   store-scenarios.c  lies told through the store alone, to the vbd
 *                    and the vif alike
 *
 * Another kind of backend adds its own <kind>-ring.c and
 * <kind>-scenarios.c and one line in main.c's list of scenario tables.
 */
#ifndef HBACKEND_H
#define HBACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include <xencall.h>
#include <xenstore.h>
#include <xenevtchn.h>
#include <xengnttab.h>

/*
 * ring.h leaves the barriers to its user: built without an interface
 * version, as here, its xen_mb/xen_rmb/xen_wmb are mb/rmb/wmb.  dom0 is
 * x86: stores are not reordered with stores nor loads with loads, so
 * the read and write barriers only have to stop the compiler; a full
 * barrier must also order a store before a later load (mfence).
 */
#define mb()	__sync_synchronize()
#define rmb()	do { __asm__ __volatile__("" ::: "memory"); } while (0)
#define wmb()	do { __asm__ __volatile__("" ::: "memory"); } while (0)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#include <xen/io/xenbus.h>

#define HB_PAGE_SIZE	4096u

struct hb_node {
	const char *name;
	const char *value;
};

/* One run of the program: the handles and the options. */
struct hb {
	struct xs_handle *xs;
	xenevtchn_handle *xce;
	xengnttab_handle *xgt;
	xencall_handle *xcall;		/* opened by the first chan_*_any() */
	unsigned int domid;		/* the domU under attack */
	char name[64];			/* its name, to find it after a restore */
	unsigned int variant;		/* -V: a scenario's sub-case */
	unsigned int count;		/* -n: repetitions (0: the scenario's) */
	unsigned int seconds;		/* -t: duration (0: the scenario's) */
	unsigned int warmup;		/* -w: good answers before misbehaving */
	unsigned int timeout;		/* -T: seconds to wait for the frontend */
	unsigned int devid;		/* -d: virtual-device number */
	bool devid_given;		/* -d was given (else each kind's) */
	unsigned int disk_mib;		/* -s: size of the in-memory disk */
	unsigned int ring_order;	/* -r: max-ring-page-order offered */
	bool untrusted;			/* -u: write trusted=0 for the frontend */
	bool split;			/* -S: a vif offers one channel a ring */
	char canary[33];		/* -c: the pattern keep-mapped writes */
	bool verbose;

	/*
	 * Nodes dev_create() writes over (or, value NULL, leaves out of)
	 * what a device kind publishes, in the same transaction: a
	 * frontend must never see the true value first (store-scenarios.c).
	 */
	const struct hb_node *be_override;
	const struct hb_node *fe_override;

	/*
	 * Called by hb_wait() for every event on a channel we bound: the
	 * device being served consumes its ring there, so that waiting for
	 * the frontend's state does not stall its I/O.
	 */
	void (*on_event)(void *arg, unsigned int port);
	void *on_event_arg;
};

/*
 * Exit status: the scenario was carried out (whether the guest survived
 * it is for the test to judge, from the guest); the device never got
 * going; bad command line; the frontend never gave the scenario what it
 * needs (a request of some kind, a restore), so nothing was tested.
 */
#define HB_EXIT_DONE		0
#define HB_EXIT_SETUP		1
#define HB_EXIT_USAGE		2
#define HB_EXIT_NOT_EXERCISED	3

/* A scenario: one named misbehaviour, run once. */
struct hb_scenario {
	const char *name;
	const char *summary;
	int (*run)(struct hb *hb);
};

extern const struct hb_scenario blk_scenarios[];
extern const struct hb_scenario net_scenarios[];
extern const struct hb_scenario con_scenarios[];
extern const struct hb_scenario store_scenarios[];

/* A device directory pair in the store, whatever its kind. */
struct hb_dev {
	struct hb *hb;
	const char *kind;		/* "vbd", "vif", "console" */
	unsigned int domid;
	unsigned int devid;
	char fe[128];			/* the frontend's directory */
	char be[160];			/* ours */
	bool created;
	int fe_state;			/* last seen, for the log */
};


/* main.c */
extern volatile sig_atomic_t hb_stopping;
void hb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hb_dbg(struct hb *hb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
double hb_now(void);

/* store.c */
const char *xb_state_name(int state);
char *store_read(struct hb *hb, const char *dir, const char *node);
int store_read_uint(struct hb *hb, const char *dir, const char *node,
		    unsigned long long *val);
int store_write(struct hb *hb, const char *dir, const char *node,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int store_rm(struct hb *hb, const char *dir, const char *node);
int store_pipe_open(void);
long store_pipe_writes(int fd, const char *dir, const char *name,
		       unsigned int names, unsigned long n, const char *val);
void dev_init(struct hb_dev *dev, struct hb *hb, const char *kind,
	      unsigned int domid, unsigned int devid);
int dev_create(struct hb_dev *dev, const struct hb_node *fe_nodes,
	       const struct hb_node *be_nodes, int be_state);
void dev_remove(struct hb_dev *dev);
int dev_set_state(struct hb_dev *dev, int state);
int dev_fe_state(struct hb_dev *dev);
int dev_wait_fe_state(struct hb_dev *dev, unsigned int mask, int timeout_ms);
int hb_find_domain(struct hb *hb, const char *name, int exclude);
int hb_wait_new_domain(struct hb *hb, int old, int timeout_ms);

#define XB_MASK(s)	(1u << (s))
/* The frontend's directory is gone (the domain died or was saved). */
#define XB_GONE		31
#define XB_MASK_DOWN	(XB_MASK(XenbusStateClosed) | XB_MASK(XB_GONE))

/* chan.c */
int hb_open(struct hb *hb);
void hb_close(struct hb *hb);
int chan_bind(struct hb *hb, unsigned int domid, unsigned int remote_port);
void chan_unbind(struct hb *hb, int *port);
void chan_notify(struct hb *hb, int port);
int chan_find_any(struct hb *hb, unsigned int domid, unsigned int remote_port);
int chan_notify_any(struct hb *hb, unsigned int port);
#define HB_EV_STORE	1
#define HB_EV_CHAN	2
int hb_wait(struct hb *hb, int timeout_ms);

#endif
