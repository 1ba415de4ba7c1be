/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-blkback: serve a dom0 block device to another domain's blkfront.
 *
 * One struct blkback_disk per virtual disk (a device on the xen-backend
 * bus, backend/vbd/<domid>/<devid>), owning the block device the hotplug
 * script named and one struct blkback_ring per queue the frontend asked
 * for.  Each ring has a kernel thread that copies requests out of the
 * shared ring, checks them, moves the data between the frontend's granted
 * pages and pages of our own, and hands bios to the block layer.  A
 * request's completion answers it; the thread takes its pages back.
 *
 * The frontend is not trusted: see validate.c for what a request must
 * satisfy, ring.c for how the ring indexes are checked and how an event
 * storm is kept from taking a CPU.
 */
#ifndef _XEN_BLKBACK_COMMON_H
#define _XEN_BLKBACK_COMMON_H

#include <linux/blk_types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <asm/xen/page.h>
#include <xen/ring.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>

struct xen_grant_area;
struct task_struct;

/* Sectors are 512 bytes on the wire, whatever the disk's block size. */
#define BLKBACK_SECTORS_PER_PAGE	(XEN_PAGE_SIZE >> 9)
/* Segment descriptors in one page of an indirect request. */
#define BLKBACK_SEGS_PER_INDIRECT_PAGE \
	(XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* What the ABI allows in one indirect request. */
#define BLKBACK_MAX_INDIRECT_SEGS \
	(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLKBACK_SEGS_PER_INDIRECT_PAGE)

/* Module parameters (xenbus.c). */
extern unsigned int blkback_max_ring_order;
extern unsigned int blkback_max_queues;
extern unsigned int blkback_max_pgrants;
extern unsigned int blkback_pgrant_timeout;
extern unsigned int blkback_max_buffer_pages;
extern unsigned int blkback_max_indirect_segs;
extern bool blkback_feature_persistent;
extern int blkback_log_stats;

/* ---- The wire (abi.c) ------------------------------------------------- */

/*
 * A ring ABI: where the fields of a request sit in a ring slot.  The
 * frontend names it in its "protocol" node; it differs between 64-bit
 * and 32-bit x86 frontends only in the alignment of 64-bit fields.
 */
struct blkback_abi {
	const char *name;		/* the "protocol" value */
	unsigned int slot_size;		/* bytes per ring entry */
	unsigned int id_offset;		/* of the 64-bit id in a request */
};

extern const struct blkback_abi blkback_abi_x86_64;
extern const struct blkback_abi blkback_abi_x86_32;

/* The ABI a "protocol" node names (NULL or "" is the native one). */
const struct blkback_abi *blkback_abi_by_name(const char *protocol);

/* A request, copied out of its slot and decoded. */
struct blkback_desc {
	u8 operation;		/* BLKIF_OP_*, as sent */
	u8 op;			/* what to do: indirect_op for INDIRECT */
	u16 nr_segments;
	u64 id;
	u64 sector;
	u64 nr_sectors;		/* DISCARD */
	u8 discard_flags;	/* DISCARD */
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* Decode the @abi request in @slot (a private copy of the ring slot). */
void blkback_decode(const struct blkback_abi *abi, const void *slot,
		    struct blkback_desc *d);
/* Segment descriptors at @from: a request's, or an indirect page's. */
void blkback_decode_segments(const void *from, unsigned int nr,
			     struct blkif_request_segment *seg);
/* Write a response into @slot. */
void blkback_encode_response(void *slot, u64 id, u8 operation, s16 status);
/* Entries of a ring of @bytes (a power of two, at least one). */
unsigned int blkback_ring_entries(const struct blkback_abi *abi,
				  size_t bytes);

/* ---- Checking a request (validate.c) --------------------------------- */

/* What the disk allows. */
struct blkback_limits {
	u64 sectors;			/* size, 512-byte sectors */
	unsigned int logical_size;	/* bytes, a power of two */
	unsigned int max_indirect_segs;	/* 0: no indirect requests */
	bool readonly;
	bool discard;
	bool secure_erase;
};

/* What a checked request is. */
enum blkback_kind {
	BLKBACK_READ,
	BLKBACK_WRITE,
	BLKBACK_FLUSH,		/* a flush, with or without data to write */
	BLKBACK_BARRIER,	/* the same, after all earlier requests */
	BLKBACK_DISCARD,
	BLKBACK_SECURE_ERASE,
	BLKBACK_NOTHING,	/* succeeds with nothing to do */
};

/*
 * Check a request's header: returns BLKIF_RSP_OKAY with *kind set, or the
 * status to answer with at once (and a reason, for the log).
 */
int blkback_check_request(const struct blkback_desc *d,
			  const struct blkback_limits *lim,
			  enum blkback_kind *kind, const char **why);
/*
 * Check the segments of a read or write (direct or fetched from indirect
 * pages) and the sector range they cover.  BLKIF_RSP_OKAY, or
 * BLKIF_RSP_ERROR with a reason.
 */
int blkback_check_segments(const struct blkif_request_segment *seg,
			   unsigned int nr, u64 sector,
			   const struct blkback_limits *lim, const char **why);

/* ---- Persistent grants (persistent.c) --------------------------------- */

struct blkback_pgrant {
	struct rb_node node;
	grant_ref_t ref;
	unsigned int slot;		/* in the ring's grant area */
	unsigned int users;		/* requests in flight using it */
	unsigned long last_used;	/* jiffies */
};

struct blkback_pgrants {
	struct rb_root tree;
	struct xen_grant_area *area;	/* NULL: not negotiated */
	unsigned int max;
	unsigned int nr;		/* mapped */
	unsigned long *free_slots;	/* bitmap, set = free */
	bool full_warned;
};

int blkback_pgrants_init(struct blkback_pgrants *pg, unsigned int max);
void blkback_pgrants_destroy(struct blkback_pgrants *pg);
/* The mapping of @ref, made now if there is room; NULL: copy instead. */
struct blkback_pgrant *blkback_pgrant_get(struct blkback_pgrants *pg,
					  domid_t domid, grant_ref_t ref);
void blkback_pgrant_put(struct blkback_pgrant *g);
void *blkback_pgrant_addr(struct blkback_pgrants *pg, struct blkback_pgrant *g);
/* Unmap grants unused for @timeout jiffies. */
void blkback_pgrants_purge(struct blkback_pgrants *pg, unsigned long timeout);

/* ---- Requests in flight (io.c) ---------------------------------------- */

struct blkback_ring;

struct blkback_seg {
	grant_ref_t gref;
	u16 offset;			/* bytes into the page */
	u16 len;			/* bytes */
	struct page *page;		/* our copy of the data */
	struct blkback_pgrant *pgrant;	/* or NULL: grant copy */
};

struct blkback_req {
	struct list_head list;		/* free or done list */
	struct blkback_ring *ring;
	u64 id;
	u8 operation;			/* echoed in the response */
	enum blkback_kind kind;
	u64 sector;
	u64 nr_sectors;			/* discard */
	unsigned int nr_segs;
	unsigned int pages;		/* of the ring's budget, committed */
	struct blkback_seg *segs;	/* inline_segs, or allocated */
	atomic_t bios_left;
	blk_status_t error;
	struct blkback_seg inline_segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* Start a checked request; its response is written on completion. */
void blkback_start(struct blkback_req *req, const struct blkback_desc *d);
/* Answer a completed request blkback_req_defer() handed over (thread). */
void blkback_answer_deferred(struct blkback_req *req);
/* Give back pages and grants a request held. */
void blkback_release(struct blkback_req *req);

/* ---- Rings (ring.c) --------------------------------------------------- */

struct blkback_disk;

struct blkback_ring {
	struct blkback_disk *disk;
	unsigned int index;
	const struct blkback_abi *abi;

	/* The shared ring, mapped from the frontend. */
	void *sring;
	unsigned int nr_entries;
	RING_IDX req_cons;
	RING_IDX rsp_prod_pvt;		/* responses written, under @lock */
	int irq;
	bool broken;			/* the frontend broke the protocol */

	struct task_struct *task;
	wait_queue_head_t wq;
	unsigned long flags;		/* BLKBACK_RING_* bits */
	unsigned int spurious;		/* events in a row with no work */

	/*
	 * Requests: free, in flight, or answered by their completion and
	 * waiting on @done for the thread to take their pages back.
	 * @lock: responses, @done, @to_answer and @want_done (ring.c).
	 */
	struct blkback_req *reqs;
	struct list_head free;
	unsigned int in_flight;		/* not free */
	spinlock_t lock;
	struct list_head done;
	struct list_head to_answer;	/* completed, answered by the thread */
	bool want_done;			/* completions wake the thread */
	struct blkback_req *held;	/* a barrier waiting for a drain */
	struct blkback_desc held_desc;

	/* Scratch for the thread: grant copies, indirect pages. */
	struct gnttab_copy *copy_ops;
	struct blkif_request_segment *seg_scratch;
	struct page *indirect_pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

	/*
	 * Pages to copy data through: @budget in all (blkback_page_budget),
	 * of which @committed are promised to requests taken, @pages_out
	 * handed out to them and @nr_buffers kept free for reuse.
	 * @starved: the next request waits on the ring for pages.
	 */
	struct page **buffers;
	unsigned int nr_buffers;
	unsigned int budget;
	unsigned int committed;
	unsigned int pages_out;
	bool starved;

	struct blkback_pgrants pgrants;
	unsigned long next_purge;	/* jiffies */

	/* Counters, for log_stats and the curious. */
	unsigned long st_reads, st_writes, st_flushes, st_discards;
	unsigned long st_errors, st_bad, st_starved;
};

/*
 * A frontend can have at most a ring's worth of requests unanswered, so
 * its producer index may run at most @nr_entries ahead of the responses
 * we have written; and it only moves forwards, so it may not fall behind
 * the requests we have already taken (@req_cons).  The indexes are
 * free-running 32-bit counters, so both tests are on distances from our
 * response producer: an index that moved backwards reads as billions
 * ahead, or as nearer than what we consumed.  Without the second test, a
 * req_prod put back between our responses and req_cons would have us
 * take (nearly) 2^32 slots of stale requests.
 */
static inline bool blkback_req_prod_valid(RING_IDX req_prod,
					  RING_IDX req_cons,
					  RING_IDX rsp_prod_pvt,
					  unsigned int nr_entries)
{
	RING_IDX ahead = req_prod - rsp_prod_pvt;

	return ahead <= nr_entries && req_cons - rsp_prod_pvt <= ahead;
}

/*
 * The data pages a ring may hold at once.  Every segment in flight is
 * copied through a page of ours, so without a bound a frontend with a
 * 16-page ring (512 slots) of 256-segment indirect requests would have
 * us allocate half a GiB per ring.  The bound is the administrator's
 * @wanted (max_buffer_pages), but never less than the largest request
 * the ring accepts (@max_req_segs), so that any request can be served,
 * and never more than a full ring of such requests, which is all a
 * well-behaved frontend can ask for.
 */
static inline unsigned int blkback_page_budget(unsigned int wanted,
					       unsigned int nr_entries,
					       unsigned int max_req_segs)
{
	u64 most = (u64)nr_entries * max_req_segs;

	if (wanted > most)
		wanted = most;
	return max(wanted, max_req_segs);
}

/*
 * May a request needing @need pages be taken off the ring while requests
 * taken before hold @committed of the @budget?  If not, it stays on the
 * ring until pages come back.  One needing more than the whole budget
 * names more segments than the ring accepts and is refused before any
 * page is allocated, so it is taken at once; and an idle ring always
 * takes its next request, so a ring never waits for itself.
 */
static inline bool blkback_pages_fit(unsigned int committed,
				     unsigned int need, unsigned int budget)
{
	return !committed || need > budget || (u64)committed + need <= budget;
}

#define BLKBACK_RING_KICKED	0	/* an event or a resize to look at */
#define BLKBACK_RING_EOI	1	/* the channel waits for our EOI */

int blkback_ring_connect(struct blkback_ring *ring, const grant_ref_t *grefs,
			 unsigned int nr_grefs, evtchn_port_t port);
void blkback_ring_disconnect(struct blkback_ring *ring);
/* Answer a request and give its slot, pages and grants back (thread). */
void blkback_answer(struct blkback_req *req, s16 status);
/*
 * Answer a request the block layer finished, from any context; its
 * slot, pages and grants go back when the thread next looks.
 */
void blkback_req_done(struct blkback_req *req, s16 status);
/* Hand a completed request to the thread to answer (any context). */
void blkback_req_defer(struct blkback_req *req);
/* A page to copy data through, and back to the ring's reserve. */
struct page *blkback_get_buffer(struct blkback_ring *ring);
void blkback_put_buffer(struct blkback_ring *ring, struct page *page);
/* The frontend broke the protocol: stop serving it (rate-limited log). */
__printf(2, 3)
void blkback_ring_fail(struct blkback_ring *ring, const char *fmt, ...);
/*
 * Log what the frontend made happen, on its device's own budget
 * (xenbus_device.log_rs): a per-call-site ratelimit would let one noisy
 * guest silence the messages about every other.
 */
__printf(3, 4)
void blkback_ring_log(struct blkback_ring *ring, const char *level,
		      const char *fmt, ...);

/* ---- The disk (xenbus.c) ---------------------------------------------- */

struct blkback_disk {
	struct xenbus_device *dev;
	struct mutex lock;		/* connect, disconnect, resize */
	char name[32];			/* for threads and messages */

	/* The block device the hotplug script gave us. */
	struct block_device *bdev;
	dev_t devt;
	fmode_t mode;
	bool cdrom;
	struct blkback_limits limits;
	unsigned int physical_size;
	struct xenbus_watch phys_watch;

	/* The connection to the frontend. */
	bool persistent;
	unsigned int nr_rings;
	struct blkback_ring *rings;
	struct work_struct resize_work;
	struct work_struct broken_work;
};

/* The disk changed size: tell the frontend (from a ring's thread). */
void blkback_disk_check_size(struct blkback_disk *disk);
/* A ring was broken by the frontend: disconnect it (from a thread). */
void blkback_disk_broken(struct blkback_disk *disk);

#endif /* _XEN_BLKBACK_COMMON_H */
