// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore client.
 *
 * A domU talks to xenstored over a page of two rings (io/xs_wire.h):
 * requests go out on one, replies and watch events come back on the
 * other, each message a struct xsd_sockmsg header followed by its
 * payload; an event channel signals both ways.  The domain builder sets
 * up page and channel and names them in start_info.
 *
 * Design: any number of callers may have a request outstanding.  A
 * sender writes its whole message under xs_send_lock and sleeps until
 * the reader thread hands it the reply with its request id.  The reader
 * ("xenbus") owns the response ring: replies go to their requester,
 * watch events to a queue the "xenwatch" thread works through, one
 * callback at a time, so callbacks may sleep and issue requests.
 *
 * Everything that comes off the ring is checked: a length over the
 * protocol maximum or indexes that make no sense stop the connection
 * with an error instead of corrupting memory.
 *
 * dom0 is different: Xen starts it before any xenstored exists, so
 * start_info names no store.  dom0 makes its own (a "local" store): a
 * zeroed page for the ring and an unbound channel, both offered to the
 * daemon through xenfs (xsd_kva, xsd_port).  xenstored maps the page,
 * binds the channel and signals it once it is ready to serve; until that
 * first event every request waits, and only then are the store's users
 * (the buses, the balloon ...) told that it can be used.
 */
#define pr_fmt(fmt) "xenstore: " fmt

#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/hvm-param.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/xs_wire.h>

#include "xenbus.h"

static struct xenstore_domain_interface *xs_ring;
static evtchn_port_t xs_port;
static int xs_irq = -1;
static bool xs_broken;
bool xenstored_ready;
EXPORT_SYMBOL_GPL(xenstored_ready);

/* Requests wait here until xenstored serves (dom0's local store). */
static DECLARE_WAIT_QUEUE_HEAD(xs_ready_wait);
/* Orders "ready" against notifier registration: each is told once. */
static DEFINE_MUTEX(xs_ready_lock);
static void xs_became_ready(struct work_struct *work);
static DECLARE_WORK(xs_ready_work, xs_became_ready);

/* Woken when the ring has room or data. */
static DECLARE_WAIT_QUEUE_HEAD(xs_ring_wait);
/* One message at a time on the request ring. */
static DEFINE_MUTEX(xs_send_lock);
/* Held across suspend: no request may start. */
static DECLARE_RWSEM(xs_state_sem);

static LIST_HEAD(xs_waiters);
static DEFINE_SPINLOCK(xs_waiters_lock);
static DECLARE_WAIT_QUEUE_HEAD(xs_reply_wait);
static u32 xs_next_req_id;

/*
 * The registered watches, by id.  A watch's token at the store (the
 * second string of XS_WATCH, given back in each of its events) is its id
 * in decimal: unique among the registered watches, and it tells the
 * store, and whoever reads its logs, nothing about our memory, as an
 * address would.  Ids are handed out in turn from 1 (xa_alloc_cyclic()),
 * so an event still on its way for a watch just unregistered meets
 * another watch under that id only some 4 billion registrations later.
 * The event path looks a watch up and queues its event under the
 * xarray's lock: once a watch is erased, no new event of it is queued.
 */
static DEFINE_XARRAY_ALLOC1(xs_watch_ids);
static u32 xs_watch_next_id;
/*
 * Held (it may sleep) by whoever adds or erases a watch, and while the
 * watches are registered again after a resume: none is freed under
 * that walk.
 */
static DEFINE_MUTEX(xs_watches_change);

/*
 * Events queued for the xenwatch thread, at most about XS_EVENTS_MAX:
 * see xs_queue_event().
 */
#define XS_EVENTS_MAX	1024
static LIST_HEAD(xs_events);
static unsigned int xs_nr_events;
static DEFINE_SPINLOCK(xs_events_lock);
static DECLARE_WAIT_QUEUE_HEAD(xs_events_wait);
/*
 * The xenwatch thread runs one callback at a time.  xs_running is the
 * watch whose callback runs now: unregistering a watch waits for that
 * watch's callback alone, not for whatever else xenwatch is busy with.
 * While xs_paused (a count: each xs_suspend() adds one) no event is
 * taken off the queue.  Both under xs_events_lock; xs_idle_wait is woken
 * as each callback returns.
 */
static struct xenbus_watch *xs_running;
static unsigned int xs_paused;
static DECLARE_WAIT_QUEUE_HEAD(xs_idle_wait);
static struct task_struct *xs_watch_task;

static BLOCKING_NOTIFIER_HEAD(xs_ready_chain);

/* ---- The rings ----------------------------------------------------------- */

static void xs_fail(const char *why)
{
	if (!xs_broken)
		pr_err("connection to xenstored broken: %s\n", why);
	xs_broken = true;
	wake_up_all(&xs_ring_wait);
	wake_up_all(&xs_reply_wait);
}

static bool ring_sane(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
	return prod - cons <= XENSTORE_RING_SIZE;
}

static bool req_has_room(void)
{
	return xs_broken ||
	       READ_ONCE(xs_ring->req_prod) - READ_ONCE(xs_ring->req_cons) <
	       XENSTORE_RING_SIZE;
}

static bool rsp_has_data(void)
{
	return xs_broken ||
	       READ_ONCE(xs_ring->rsp_prod) != READ_ONCE(xs_ring->rsp_cons);
}

/*
 * Copy up to @len bytes onto the request ring of @intf, as many as it
 * has room for, and publish them.  Returns the number written (0 when
 * the ring is full), or -EIO when its indexes make no sense.  The caller
 * tells the other end.
 */
VISIBLE_IF_KUNIT int xs_ring_put(struct xenstore_domain_interface *intf,
				 const void *data, unsigned int len)
{
	XENSTORE_RING_IDX cons, prod;
	unsigned int chunk, done = 0;

	cons = READ_ONCE(intf->req_cons);
	prod = intf->req_prod;
	/* Read the consumer index before reusing the space. */
	virt_mb();
	if (!ring_sane(cons, prod))
		return -EIO;
	while (done < len && prod - cons < XENSTORE_RING_SIZE) {
		chunk = min3(len - done, XENSTORE_RING_SIZE - (prod - cons),
			     XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod));
		memcpy(intf->req + MASK_XENSTORE_IDX(prod), data + done, chunk);
		prod += chunk;
		done += chunk;
	}
	/* The bytes before the index that publishes them. */
	virt_wmb();
	intf->req_prod = prod;
	return done;
}

/*
 * Take up to @len bytes off the response ring of @intf, as many as it
 * holds, and hand the space back.  Returns the number read (0 when the
 * ring is empty), or -EIO when its indexes make no sense.
 */
VISIBLE_IF_KUNIT int xs_ring_take(struct xenstore_domain_interface *intf,
				  void *data, unsigned int len)
{
	XENSTORE_RING_IDX cons, prod;
	unsigned int chunk, done = 0;

	cons = intf->rsp_cons;
	prod = READ_ONCE(intf->rsp_prod);
	/* The producer index before the bytes it covers. */
	virt_rmb();
	if (!ring_sane(cons, prod))
		return -EIO;
	while (done < len && prod != cons) {
		chunk = min3(len - done, prod - cons,
			     XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons));
		memcpy(data + done, intf->rsp + MASK_XENSTORE_IDX(cons), chunk);
		cons += chunk;
		done += chunk;
	}
	/* Done with the bytes before handing the space back. */
	virt_mb();
	intf->rsp_cons = cons;
	return done;
}

/*
 * Put @len bytes of a request on the ring, waiting for room.  The store
 * reads the ring as one stream of messages: once part of a message is
 * on it (*@begun), the rest must follow, or the store would take the
 * next request's bytes for this one's and every later reply would be
 * paired with the wrong request.  So only the wait for a message's first
 * byte may be interrupted; later waits end when the store makes room or
 * the connection is declared broken.
 */
static int ring_write(const void *data, unsigned int len, bool *begun)
{
	int done;

	while (len) {
		if (!*begun) {
			if (wait_event_interruptible(xs_ring_wait,
						     req_has_room()))
				return -EINTR;
		} else {
			wait_event(xs_ring_wait, req_has_room());
		}
		if (xs_broken)
			return -EIO;
		done = xs_ring_put(xs_ring, data, len);
		if (done < 0) {
			xs_fail("request ring indexes out of range");
			return -EIO;
		}
		*begun = true;
		notify_remote_via_evtchn(xs_port);
		data += done;
		len -= done;
	}
	return 0;
}

/* Forget a message half received, or one whose body was handed on. */
VISIBLE_IF_KUNIT void xs_incoming_reset(struct xs_incoming *in)
{
	kfree(in->body);
	memset(in, 0, sizeof(*in));
}

/*
 * Take what the response ring of @intf holds of the message @in: the
 * header, then as many bytes as it announces.  A message may arrive in
 * any number of pieces, so this keeps its place in @in between calls.
 *
 * Returns 1 once the message is complete (in->body, NUL-terminated after
 * its in->hdr.len bytes, is then the caller's to take), 0 while more is
 * to come, or a negative errno when the connection cannot go on: -EIO
 * for ring indexes out of range, -E2BIG for a length over the protocol's
 * maximum (checked before anything is allocated for it), -ENOMEM.
 */
VISIBLE_IF_KUNIT int xs_receive(struct xenstore_domain_interface *intf,
				struct xs_incoming *in)
{
	int n;

	if (in->hdr_got < sizeof(in->hdr)) {
		n = xs_ring_take(intf, (void *)&in->hdr + in->hdr_got,
				 sizeof(in->hdr) - in->hdr_got);
		if (n < 0)
			return n;
		in->hdr_got += n;
		if (in->hdr_got < sizeof(in->hdr))
			return 0;
		if (in->hdr.len > XENSTORE_PAYLOAD_MAX)
			return -E2BIG;
		in->body = kmalloc(in->hdr.len + 1, GFP_NOIO | __GFP_HIGH);
		if (!in->body)
			return -ENOMEM;
		in->body_got = 0;
	}
	n = xs_ring_take(intf, in->body + in->body_got,
			 in->hdr.len - in->body_got);
	if (n < 0)
		return n;
	in->body_got += n;
	if (in->body_got < in->hdr.len)
		return 0;
	in->body[in->hdr.len] = '\0';
	return 1;
}

/*
 * The store's event means it took requests (req_cons moved) or put
 * replies or watch events on the ring (rsp_prod moved).  The channel is
 * bound with late EOI, and an event that moved neither since the last
 * one is reported spurious: a store that notifies in a loop is slowed
 * down by the event core instead of keeping a vCPU in this handler.
 * The threads read the ring themselves, so the port can be unmasked
 * (or left masked a while) as soon as they are woken: an event that
 * comes meanwhile stays pending until then.
 */
static XENSTORE_RING_IDX xs_seen_req_cons, xs_seen_rsp_prod;

static irqreturn_t xs_interrupt(int irq, void *dev_id)
{
	XENSTORE_RING_IDX req_cons = READ_ONCE(xs_ring->req_cons);
	XENSTORE_RING_IDX rsp_prod = READ_ONCE(xs_ring->rsp_prod);
	bool news = req_cons != xs_seen_req_cons ||
		    rsp_prod != xs_seen_rsp_prod;

	xs_seen_req_cons = req_cons;
	xs_seen_rsp_prod = rsp_prod;
	/* The local store's first event: xenstored has connected. */
	if (unlikely(!READ_ONCE(xenstored_ready))) {
		schedule_work(&xs_ready_work);
		news = true;
	}
	wake_up(&xs_ring_wait);
	xen_irq_lateeoi(irq, news ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/* ---- The reader ------------------------------------------------------------ */

/*
 * Hand the reply @hdr/@body to the request in @waiters it answers.
 * False if no request waits for it (an id never sent, or answered
 * already): the body is then still the caller's.
 */
VISIBLE_IF_KUNIT bool xs_answer_waiter(struct list_head *waiters,
				       const struct xsd_sockmsg *hdr,
				       char *body)
{
	struct xs_waiter *w;

	list_for_each_entry(w, waiters, list) {
		if (w->req_id != hdr->req_id || w->done)
			continue;
		w->type = hdr->type;
		w->body = body;
		w->len = hdr->len;
		w->done = true;
		return true;
	}
	return false;
}

static void deliver_reply(struct xsd_sockmsg *hdr, char *body)
{
	bool answered;

	spin_lock(&xs_waiters_lock);
	answered = xs_answer_waiter(&xs_waiters, hdr, body);
	spin_unlock(&xs_waiters_lock);
	if (answered) {
		wake_up_all(&xs_reply_wait);
		return;
	}
	pr_warn_ratelimited("reply to unknown request %u dropped\n",
			    hdr->req_id);
	kfree(body);
}

/*
 * A watch event's body is "path\0token\0", both strings terminated
 * inside its @len bytes.  Point *@path and *@token at them, or return
 * -EINVAL for anything else.
 */
VISIBLE_IF_KUNIT int xs_parse_watch_event(const char *body, unsigned int len,
					  const char **path, const char **token)
{
	size_t plen = strnlen(body, len);

	if (plen + 1 >= len)
		return -EINVAL;
	if (strnlen(body + plen + 1, len - plen - 1) == len - plen - 1)
		return -EINVAL;
	*path = body;
	*token = body + plen + 1;
	return 0;
}

/* The token that names the watch @id at the store. */
VISIBLE_IF_KUNIT void xs_watch_token(u32 id, char token[XS_WATCH_TOKEN_LEN])
{
	snprintf(token, XS_WATCH_TOKEN_LEN, "%u", id);
}

/*
 * The watch of @ids that @token names, or NULL.  Only the spelling we
 * send names a watch: "7", not "07", "+7" or "7\n", which kstrtou32()
 * alone would also take.
 */
VISIBLE_IF_KUNIT struct xenbus_watch *xs_watch_by_token(struct xarray *ids,
							const char *token)
{
	char canonical[XS_WATCH_TOKEN_LEN];
	u32 id;

	if (kstrtou32(token, 10, &id))
		return NULL;
	xs_watch_token(id, canonical);
	if (strcmp(token, canonical))
		return NULL;
	return xa_load(ids, id);
}

static void xs_event_free(struct xs_event *ev)
{
	if (!ev)
		return;
	kfree(ev->msg);
	kfree(ev);
}

/*
 * Add the event @ev to @queue, which holds *@nr events, or say why not.
 *
 * Events come as fast as the store sends them, and a domain that keeps
 * rewriting a node we watch decides how fast that is; the xenwatch
 * thread runs one callback at a time, and may be held up.  So the queue
 * is bounded, in a way that loses no news:
 *
 * - A callback reads the store when it runs, so an event still queued
 *   for the same watch and path already stands for this one: @ev is
 *   not queued.
 * - Past @max events, a watch that already has an event queued makes
 *   room for @ev by giving up its oldest one.  Its newest event is
 *   always there, so the last change is never lost, and the queue does
 *   not grow.  A watch with nothing queued is always let in, so one
 *   watch flooding cannot take the place of another; the queue is at
 *   most @max plus one event per watch.
 *
 * Returns NULL if @ev was queued with nothing dropped, else the event
 * that is out (@ev itself, or the one it replaced), for the caller to
 * free.
 */
VISIBLE_IF_KUNIT struct xs_event *xs_queue_event(struct list_head *queue,
						 unsigned int *nr,
						 unsigned int max,
						 struct xs_event *ev)
{
	struct xs_event *pos, *oldest = NULL;

	list_for_each_entry(pos, queue, list) {
		if (pos->watch != ev->watch)
			continue;
		if (!strcmp(pos->path, ev->path))
			return ev;
		if (!oldest)
			oldest = pos;
	}
	list_add_tail(&ev->list, queue);
	if (*nr < max || !oldest) {
		(*nr)++;
		return NULL;
	}
	list_del(&oldest->list);
	return oldest;
}

/*
 * Queue @ev for @watch and wake xenwatch.  Returns the event that is out
 * (see xs_queue_event()), for the caller to free.
 */
static struct xs_event *xs_enqueue(struct xenbus_watch *watch,
				   struct xs_event *ev)
{
	struct xs_event *out;

	ev->watch = watch;
	spin_lock(&xs_events_lock);
	out = xs_queue_event(&xs_events, &xs_nr_events, XS_EVENTS_MAX, ev);
	if (!out)
		watch->nr_pending++;
	spin_unlock(&xs_events_lock);
	if (out != ev)
		wake_up(&xs_events_wait);
	if (out && out != ev)
		pr_warn_ratelimited("watch events for %s come faster than they are handled: one for %s dropped\n",
				    watch->node, out->path);
	return out;
}

/*
 * A watch event: the message body becomes the event (its path and token
 * point into it), queued if its token names a registered watch and that
 * watch's filter wants it.
 */
static void deliver_event(struct xsd_sockmsg *hdr, char *body)
{
	struct xenbus_watch *watch;
	struct xs_event *ev;

	ev = kmalloc(sizeof(*ev), GFP_NOIO | __GFP_HIGH);
	if (!ev) {
		kfree(body);
		return;
	}
	ev->msg = body;
	if (xs_parse_watch_event(body, hdr->len, &ev->path, &ev->token)) {
		pr_warn_ratelimited("malformed watch event dropped\n");
		xs_event_free(ev);
		return;
	}
	xa_lock(&xs_watch_ids);
	watch = xs_watch_by_token(&xs_watch_ids, ev->token);
	if (watch && (!watch->will_handle ||
		      watch->will_handle(watch, ev->path, ev->token)))
		ev = xs_enqueue(watch, ev);
	xa_unlock(&xs_watch_ids);
	xs_event_free(ev);
}

/* Why the connection cannot go on, from what xs_receive() returned. */
static const char *receive_failure(int rc)
{
	switch (rc) {
	case -E2BIG:
		return "message longer than the protocol allows";
	case -ENOMEM:
		return "out of memory";
	default:
		return "response ring indexes out of range";
	}
}

static int xs_reader(void *unused)
{
	struct xs_incoming in = { };

	while (!kthread_should_stop()) {
		XENSTORE_RING_IDX cons;
		int rc;

		/* For data or the end; while broken, for a repair. */
		wait_event_interruptible(xs_ring_wait, kthread_should_stop() ||
					 (!xs_broken && rsp_has_data()));
		if (kthread_should_stop() || xs_broken || !rsp_has_data())
			continue;
		cons = xs_ring->rsp_cons;
		rc = xs_receive(xs_ring, &in);
		if (xs_ring->rsp_cons != cons)
			notify_remote_via_evtchn(xs_port);
		if (rc < 0) {
			xs_fail(receive_failure(rc));
			xs_incoming_reset(&in);
			continue;
		}
		if (!rc)
			continue;
		/* The body goes with the message: not ours to free. */
		if (in.hdr.type == XS_WATCH_EVENT)
			deliver_event(&in.hdr, in.body);
		else
			deliver_reply(&in.hdr, in.body);
		in.body = NULL;
		xs_incoming_reset(&in);
	}
	xs_incoming_reset(&in);
	return 0;
}

/*
 * The oldest event, taken off the queue with its watch marked running;
 * NULL when there is none or dispatch is paused.  The pending count
 * drops here, before the callback, which may unregister its watch and
 * free it: from then on the watch is compared, never touched.
 */
static struct xs_event *xs_take_event(void)
{
	struct xs_event *ev = NULL;

	spin_lock(&xs_events_lock);
	if (!xs_paused && !list_empty(&xs_events)) {
		ev = list_first_entry(&xs_events, struct xs_event, list);
		list_del(&ev->list);
		xs_nr_events--;
		ev->watch->nr_pending--;
		xs_running = ev->watch;
	}
	spin_unlock(&xs_events_lock);
	return ev;
}

static bool xs_events_ready(void)
{
	return !READ_ONCE(xs_paused) && !list_empty(&xs_events);
}

/* xenwatch: the callbacks, one at a time, in the order events came. */
static int xs_watcher(void *unused)
{
	struct xs_event *ev;

	while (!kthread_should_stop()) {
		wait_event_interruptible(xs_events_wait,
					 kthread_should_stop() ||
					 xs_events_ready());
		ev = xs_take_event();
		if (!ev)
			continue;
		ev->watch->callback(ev->watch, ev->path, ev->token);
		spin_lock(&xs_events_lock);
		xs_running = NULL;
		spin_unlock(&xs_events_lock);
		wake_up_all(&xs_idle_wait);
		xs_event_free(ev);
	}
	return 0;
}

/* ---- Requests ----------------------------------------------------------- */

/* xenstored names errors ("ENOENT"); Xen's header maps them to errnos. */
VISIBLE_IF_KUNIT int xs_errno(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (!strcmp(name, xsd_errors[i].errstring))
			return -xsd_errors[i].errnum;
	pr_warn_ratelimited("unknown error '%s' from xenstored\n", name);
	return -EINVAL;
}

/*
 * What the reply of type @got, with body @body, says about a request of
 * type @sent: 0 if it is the answer, the errno an XS_ERROR names, or
 * -EIO for a reply of another type.
 */
VISIBLE_IF_KUNIT int xs_reply_status(u32 sent, u32 got, const char *body)
{
	if (got == XS_ERROR)
		return xs_errno(body);
	if (got != sent) {
		pr_warn_ratelimited("reply of type %u to request of type %u\n",
				    got, sent);
		return -EIO;
	}
	return 0;
}

/*
 * Send one request made of @nr pieces and wait for the reply, whatever
 * it is.  Returns the reply body (NUL-terminated, kmalloc'd), its type
 * in *@type and its length in *@len, or an ERR_PTR if no reply came.
 */
void *xs_talk_raw(u32 tx_id, u32 *type, const struct kvec *iov,
		  unsigned int nr, unsigned int *len)
{
	struct xsd_sockmsg hdr = { .type = *type, .tx_id = tx_id };
	struct xs_waiter w = { .done = false };
	bool begun = false;
	unsigned int i;
	int rc;

	for (i = 0; i < nr; i++)
		hdr.len += iov[i].iov_len;
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return ERR_PTR(-E2BIG);
	if (!xs_ring || xs_broken)
		return ERR_PTR(-ENODEV);
	/* Never fail for want of a daemon: wait until it is there. */
	if (wait_event_killable(xs_ready_wait, READ_ONCE(xenstored_ready)))
		return ERR_PTR(-EINTR);

	down_read(&xs_state_sem);
	mutex_lock(&xs_send_lock);
	hdr.req_id = w.req_id = xs_next_req_id++;
	spin_lock(&xs_waiters_lock);
	list_add_tail(&w.list, &xs_waiters);
	spin_unlock(&xs_waiters_lock);

	rc = ring_write(&hdr, sizeof(hdr), &begun);
	for (i = 0; !rc && i < nr; i++)
		rc = ring_write(iov[i].iov_base, iov[i].iov_len, &begun);
	mutex_unlock(&xs_send_lock);

	/* Once sent, the reply will come: wait for it even if signalled. */
	if (!rc)
		wait_event(xs_reply_wait, w.done || xs_broken);

	spin_lock(&xs_waiters_lock);
	list_del(&w.list);
	spin_unlock(&xs_waiters_lock);
	up_read(&xs_state_sem);

	if (!w.done) {
		kfree(w.body);
		return ERR_PTR(rc ?: -EIO);
	}
	*type = w.type;
	if (len)
		*len = w.len;
	return w.body;
}

/*
 * What each operation we send carries and what its reply holds, from
 * the protocol (xs_wire.h, and docs/misc/xenstore.txt in Xen): the
 * payload is strings laid end to end, the store telling them apart by
 * their NULs.  A path always ends in its NUL; after it, XS_WRITE's value
 * runs to the end of the message without one, XS_WATCH's token has one.
 * The transaction operations have no path, only one short string.
 */
static const struct xs_op {
	bool path;		/* the payload starts with dir/node */
	enum xs_arg arg;	/* what follows it */
	enum xs_reply_kind reply;
} xs_ops[XS_TYPE_COUNT] = {
	[XS_READ]		= { true, XS_ARG_NONE, XS_REPLY_VALUE },
	[XS_DIRECTORY]		= { true, XS_ARG_NONE, XS_REPLY_NAMES },
	[XS_MKDIR]		= { true, XS_ARG_NONE, XS_REPLY_ACK },
	[XS_RM]			= { true, XS_ARG_NONE, XS_REPLY_ACK },
	[XS_WRITE]		= { true, XS_ARG_BYTES, XS_REPLY_ACK },
	[XS_WATCH]		= { true, XS_ARG_STRING, XS_REPLY_ACK },
	[XS_UNWATCH]		= { true, XS_ARG_STRING, XS_REPLY_ACK },
	[XS_TRANSACTION_START]	= { false, XS_ARG_STRING, XS_REPLY_TX_ID },
	[XS_TRANSACTION_END]	= { false, XS_ARG_STRING, XS_REPLY_ACK },
};

static void xs_msg_part(struct xs_msg *m, const char *s, bool nul)
{
	m->part[m->nr_parts].iov_base = (void *)s;
	m->part[m->nr_parts].iov_len = strlen(s) + nul;
	m->nr_parts++;
}

/*
 * Describe in @m the request @type, in the transaction @tx_id, on the
 * path @dir/@node (either may be "", which leaves the slash out too)
 * followed by @arg, as xs_ops says that operation wants them; NULL for
 * what it has none of.  The path is sent as up to three parts (dir, "/",
 * node), straight from the caller's strings: nothing is allocated.
 * -EINVAL for a request the table does not describe that way.
 */
VISIBLE_IF_KUNIT int xs_msg_build(struct xs_msg *m, u32 tx_id, u32 type,
				  const char *dir, const char *node,
				  const char *arg)
{
	const struct xs_op *op = type < ARRAY_SIZE(xs_ops) ? &xs_ops[type] :
				 NULL;

	if (!op || (!op->path && !op->arg) || op->path != (dir && node) ||
	    (op->arg == XS_ARG_NONE) != !arg)
		return -EINVAL;
	m->type = type;
	m->tx_id = tx_id;
	m->expect = op->reply;
	m->nr_parts = 0;
	if (op->path) {
		if (*dir && *node) {
			xs_msg_part(m, dir, false);
			xs_msg_part(m, "/", false);
		}
		xs_msg_part(m, *node ? node : dir, true);
	}
	if (arg)
		xs_msg_part(m, arg, op->arg == XS_ARG_STRING);
	return 0;
}

/*
 * A directory listing is names, each ended by a NUL.  Callers free the
 * list with one kfree(), so the array and the names share a block: the
 * reply body itself, grown to hold the pointers in front and its bytes
 * moved up behind them.  @body holds @len bytes and the NUL every reply
 * gets after them, which ends a last name the store left unterminated.
 * The body is consumed, whatever the outcome.
 */
VISIBLE_IF_KUNIT char **xs_names_from_reply(char *body, unsigned int len,
					    unsigned int *num)
{
	unsigned int n = 0, i, at;
	char **list;

	for (at = 0; at < len; at += strlen(body + at) + 1)
		n++;
	list = krealloc(body, n * sizeof(*list) + len + 1,
			GFP_NOIO | __GFP_HIGH);
	if (!list) {
		kfree(body);
		return ERR_PTR(-ENOMEM);
	}
	body = memmove(list + n, list, len + 1);
	for (i = 0, at = 0; i < n; i++, at += strlen(body + at) + 1)
		list[i] = body + at;
	*num = n;
	return list;
}

/*
 * Turn the successful reply @body/@len to a request that expects @kind
 * into what the caller gets in @r (NULL when it wants nothing).  The
 * body is consumed: handed over in @r or freed.
 */
VISIBLE_IF_KUNIT int xs_reply_take(enum xs_reply_kind kind, char *body,
				   unsigned int len, struct xs_reply *r)
{
	int rc = 0;

	switch (kind) {
	case XS_REPLY_VALUE:
		r->value = body;
		r->len = len;
		return 0;
	case XS_REPLY_NAMES:
		r->names = xs_names_from_reply(body, len, &r->len);
		return PTR_ERR_OR_ZERO(r->names);
	case XS_REPLY_TX_ID:
		/* The store's id in decimal ("17\0"); not the caller's 0. */
		rc = kstrtou32(body, 10, &r->tx_id);
		break;
	case XS_REPLY_ACK:
		/* "OK": the reply's type already said it all. */
		break;
	}
	kfree(body);
	return rc;
}

/*
 * Every operation the kernel sends goes through here: describe it, send
 * it, wait, turn an XS_ERROR into its errno and the reply into @r.
 */
static int xs_request(struct xenbus_transaction t, u32 type, const char *dir,
		      const char *node, const char *arg, struct xs_reply *r)
{
	struct xs_msg m;
	unsigned int len;
	u32 got;
	char *body;
	int rc;

	rc = xs_msg_build(&m, t.id, type, dir, node, arg);
	if (rc)
		return rc;
	got = m.type;
	body = xs_talk_raw(m.tx_id, &got, m.part, m.nr_parts, &len);
	if (IS_ERR(body))
		return PTR_ERR(body);
	rc = xs_reply_status(m.type, got, body);
	if (rc) {
		kfree(body);
		return rc;
	}
	return xs_reply_take(m.expect, body, len, r);
}

void *xenbus_read(struct xenbus_transaction t, const char *dir,
		  const char *node, unsigned int *len)
{
	struct xs_reply r;
	int rc = xs_request(t, XS_READ, dir, node, NULL, &r);

	if (rc)
		return ERR_PTR(rc);
	if (len)
		*len = r.len;
	return r.value;
}
EXPORT_SYMBOL_GPL(xenbus_read);

int xenbus_write(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *string)
{
	return xs_request(t, XS_WRITE, dir, node, string, NULL);
}
EXPORT_SYMBOL_GPL(xenbus_write);

int xenbus_mkdir(struct xenbus_transaction t, const char *dir,
		 const char *node)
{
	return xs_request(t, XS_MKDIR, dir, node, NULL, NULL);
}
EXPORT_SYMBOL_GPL(xenbus_mkdir);

int xenbus_rm(struct xenbus_transaction t, const char *dir, const char *node)
{
	return xs_request(t, XS_RM, dir, node, NULL, NULL);
}
EXPORT_SYMBOL_GPL(xenbus_rm);

char **xenbus_directory(struct xenbus_transaction t, const char *dir,
			const char *node, unsigned int *num)
{
	struct xs_reply r;
	int rc = xs_request(t, XS_DIRECTORY, dir, node, NULL, &r);

	if (rc)
		return ERR_PTR(rc);
	*num = r.len;
	return r.names;
}
EXPORT_SYMBOL_GPL(xenbus_directory);

/* A node exists when the store will list it (it needs no children). */
int xenbus_exists(struct xenbus_transaction t, const char *dir,
		  const char *node)
{
	struct xs_reply r;

	if (xs_request(t, XS_DIRECTORY, dir, node, NULL, &r))
		return 0;
	kfree(r.names);
	return 1;
}
EXPORT_SYMBOL_GPL(xenbus_exists);

int xenbus_transaction_start(struct xenbus_transaction *t)
{
	struct xs_reply r;
	int rc = xs_request(XBT_NIL, XS_TRANSACTION_START, NULL, NULL, "", &r);

	if (!rc)
		t->id = r.tx_id;
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_transaction_start);

/* The store takes "T" to commit, "F" to throw the changes away. */
int xenbus_transaction_end(struct xenbus_transaction t, int abort)
{
	return xs_request(t, XS_TRANSACTION_END, NULL, NULL, abort ? "F" : "T",
			  NULL);
}
EXPORT_SYMBOL_GPL(xenbus_transaction_end);

int xenbus_scanf(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *fmt, ...)
{
	struct xs_reply r;
	va_list ap;
	int fields;

	fields = xs_request(t, XS_READ, dir, node, NULL, &r);
	if (fields)
		return fields;
	va_start(ap, fmt);
	fields = vsscanf(r.value, fmt, ap);
	va_end(ap);
	kfree(r.value);
	/*
	 * Callers test for "fewer fields than I asked for" or for "< 0":
	 * a node that holds none of them must fail either test, so it is
	 * -EINVAL, what xenbus_gather() and xenbus_read_u64() say of a
	 * value that is not what was asked for.
	 */
	return fields > 0 ? fields : -EINVAL;
}
EXPORT_SYMBOL_GPL(xenbus_scanf);

/*
 * A number the other end wrote into a node: decimal digits and nothing
 * else, in all @len bytes of it.  kstrtou64() alone takes a leading '+'
 * and a trailing newline too, and, handed only the string, stops at a
 * NUL in the middle of the node: "16\0garbage" is no more a number than
 * "16 sectors".  The value must be NUL-terminated at @len, as
 * xenbus_read() leaves it.
 */
int xs_parse_number(const char *value, unsigned int len, u64 *val)
{
	if (!len || strnlen(value, len) != len ||
	    !isdigit(value[0]) || !isdigit(value[len - 1]))
		return -EINVAL;
	return kstrtou64(value, 10, val);
}

/*
 * The other end chooses what its nodes hold.  vsscanf() stops at the
 * first character that is no digit and lets a number past its type
 * wrap ("18446744073709551616" reads as 0, "4294967808" as 512 with
 * %u): a value nobody wrote would be taken for the other end's word.
 * A number here is the whole value, in decimal, within a u64.
 */
int xenbus_read_u64(const char *dir, const char *node, u64 *val)
{
	unsigned int len;
	char *value = xenbus_read(XBT_NIL, dir, node, &len);
	int rc;

	if (IS_ERR(value))
		return PTR_ERR(value);
	rc = xs_parse_number(value, len, val);
	kfree(value);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_read_u64);

unsigned int xenbus_read_unsigned(const char *dir, const char *node,
				  unsigned int default_val)
{
	u64 val;

	if (xenbus_read_u64(dir, node, &val) || val > UINT_MAX)
		return default_val;
	return val;
}
EXPORT_SYMBOL_GPL(xenbus_read_unsigned);

/*
 * What drivers print into the store is nearly always a number, a state
 * or a short name: it is formatted on the stack, and only a longer value
 * needs memory.  xenbus_printf() runs on the resume path of every
 * frontend, where an allocation is best avoided.
 */
#define XS_PRINTF_STACK	40

int xenbus_printf(struct xenbus_transaction t, const char *dir,
		  const char *node, const char *fmt, ...)
{
	char small[XS_PRINTF_STACK], *value = small;
	va_list ap, again;
	int rc;

	va_start(ap, fmt);
	va_copy(again, ap);
	if (vsnprintf(small, sizeof(small), fmt, ap) >= sizeof(small))
		value = kvasprintf(GFP_NOIO | __GFP_HIGH, fmt, again);
	va_end(again);
	va_end(ap);
	if (!value)
		return -ENOMEM;
	rc = xs_request(t, XS_WRITE, dir, node, value, NULL);
	if (value != small)
		kfree(value);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_printf);

/*
 * One (node, format, result) triple of xenbus_gather(): the node's value
 * parsed into @result, exactly one field of it, or with no format the
 * value itself, which the caller then owns.
 */
static int gather_one(struct xenbus_transaction t, const char *dir,
		      const char *node, const char *fmt, void *result)
{
	struct xs_reply r;
	int rc = xs_request(t, XS_READ, dir, node, NULL, &r);

	if (rc)
		return rc;
	if (!fmt) {
		*(char **)result = r.value;
		return 0;
	}
	rc = sscanf(r.value, fmt, result) == 1 ? 0 : -EINVAL;
	kfree(r.value);
	return rc;
}

/* Stops at the first node that is missing or does not parse. */
int xenbus_gather(struct xenbus_transaction t, const char *dir, ...)
{
	const char *node, *fmt;
	void *result;
	va_list ap;
	int rc = 0;

	va_start(ap, dir);
	for (node = va_arg(ap, const char *); node && !rc;
	     node = va_arg(ap, const char *)) {
		fmt = va_arg(ap, const char *);
		result = va_arg(ap, void *);
		rc = gather_one(t, dir, node, fmt, result);
	}
	va_end(ap);
	return rc;
}
EXPORT_SYMBOL_GPL(xenbus_gather);

/* ---- Watches ---------------------------------------------------------------- */

/* XS_WATCH or XS_UNWATCH of @watch: its node, and its id as the token. */
static int xs_watch_request(u32 type, struct xenbus_watch *watch)
{
	char token[XS_WATCH_TOKEN_LEN];

	xs_watch_token(watch->id, token);
	return xs_request(XBT_NIL, type, watch->node, "", token, NULL);
}

/*
 * The store sends a first event as soon as a watch is set: the watch is
 * given its id, and can be found by it, before the store is asked.
 */
int register_xenbus_watch(struct xenbus_watch *watch)
{
	int rc;

	watch->nr_pending = 0;
	mutex_lock(&xs_watches_change);
	rc = xa_alloc_cyclic(&xs_watch_ids, &watch->id, watch, xa_limit_32b,
			     &xs_watch_next_id, GFP_NOIO | __GFP_HIGH);
	mutex_unlock(&xs_watches_change);
	if (rc < 0)
		return rc;

	rc = xs_watch_request(XS_WATCH, watch);
	if (rc) {
		mutex_lock(&xs_watches_change);
		xa_erase(&xs_watch_ids, watch->id);
		mutex_unlock(&xs_watches_change);
	}
	return rc;
}
EXPORT_SYMBOL_GPL(register_xenbus_watch);

void unregister_xenbus_watch(struct xenbus_watch *watch)
{
	struct xs_event *ev, *tmp;
	LIST_HEAD(dropped);

	if (xs_watch_request(XS_UNWATCH, watch))
		pr_debug("unwatch %s failed\n", watch->node);

	/*
	 * From here on no new event of it is queued ...  (Its id is only
	 * taken back if it is still its own.)
	 */
	mutex_lock(&xs_watches_change);
	xa_cmpxchg(&xs_watch_ids, watch->id, watch, NULL, 0);
	mutex_unlock(&xs_watches_change);

	/* ... the queued ones go ... */
	spin_lock(&xs_events_lock);
	list_for_each_entry_safe(ev, tmp, &xs_events, list) {
		if (ev->watch == watch) {
			list_move(&ev->list, &dropped);
			xs_nr_events--;
		}
	}
	watch->nr_pending = 0;
	spin_unlock(&xs_events_lock);
	list_for_each_entry_safe(ev, tmp, &dropped, list)
		xs_event_free(ev);

	/*
	 * ... and a callback of it already running is waited for, unless
	 * we are on xenwatch: then no callback runs but the one that called
	 * us, and if that is the watch's own, it would wait for itself.
	 */
	if (current != xs_watch_task)
		wait_event(xs_idle_wait, READ_ONCE(xs_running) != watch);
}
EXPORT_SYMBOL_GPL(unregister_xenbus_watch);

/* ---- Suspend, resume, readiness ------------------------------------------- */

/*
 * Quiesce: no watch callback running, no request in flight.  Callbacks
 * first: one may be about to make a request, which a writer waiting for
 * xs_state_sem would block while the callback holds the writer up.  So
 * not from a callback, which would wait for itself.
 */
void xs_suspend(void)
{
	spin_lock(&xs_events_lock);
	xs_paused++;
	spin_unlock(&xs_events_lock);
	wait_event(xs_idle_wait, !READ_ONCE(xs_running));
	down_write(&xs_state_sem);
}

/* xenwatch may take events again, once every suspend has ended. */
static void xs_dispatch_resume(void)
{
	spin_lock(&xs_events_lock);
	xs_paused--;
	spin_unlock(&xs_events_lock);
	wake_up(&xs_events_wait);
}

static void reregister_watches(void)
{
	struct xenbus_watch *watch;
	unsigned long id;

	mutex_lock(&xs_watches_change);
	xa_for_each(&xs_watch_ids, id, watch)
		xs_watch_request(XS_WATCH, watch);
	mutex_unlock(&xs_watches_change);
}

/* A restored domU's store channel: the toolstack may have changed it. */
static evtchn_port_t domu_store_port(void)
{
	u64 port = 0;

	if (xen_pvh_domain())
		xen_hvm_param_get(HVM_PARAM_STORE_EVTCHN, &port);
#ifdef CONFIG_XEN_PV
	else
		port = xen_start_info->store_evtchn;
#endif
	return port;
}

void xs_resume(void)
{
	/* A new channel; the same ring page, where nothing is in flight. */
	if (!xen_initial_domain()) {
		xs_port = domu_store_port();
		xen_rebind_evtchn_irq(xs_port, xs_irq);
		xs_ring->rsp_cons = xs_ring->rsp_prod;
	}
	xs_broken = false;
	up_write(&xs_state_sem);
	xs_dispatch_resume();
	reregister_watches();
}

void xs_suspend_cancel(void)
{
	up_write(&xs_state_sem);
	xs_dispatch_resume();
}

/*
 * A notifier registered before the store is ready joins the chain that
 * xs_mark_ready() calls; one registered after is called at once.  The
 * lock makes sure each is called exactly once.
 */
int register_xenstore_notifier(struct notifier_block *nb)
{
	bool ready;

	mutex_lock(&xs_ready_lock);
	ready = xenstored_ready;
	if (!ready)
		blocking_notifier_chain_register(&xs_ready_chain, nb);
	mutex_unlock(&xs_ready_lock);
	if (ready)
		nb->notifier_call(nb, 0, NULL);
	return 0;
}
EXPORT_SYMBOL_GPL(register_xenstore_notifier);

void unregister_xenstore_notifier(struct notifier_block *nb)
{
	blocking_notifier_chain_unregister(&xs_ready_chain, nb);
}
EXPORT_SYMBOL_GPL(unregister_xenstore_notifier);

/* Let the waiting requests go and tell the store's users. */
static void xs_mark_ready(void)
{
	mutex_lock(&xs_ready_lock);
	if (xenstored_ready) {
		mutex_unlock(&xs_ready_lock);
		return;
	}
	WRITE_ONCE(xenstored_ready, true);
	mutex_unlock(&xs_ready_lock);
	wake_up_all(&xs_ready_wait);
	blocking_notifier_call_chain(&xs_ready_chain, 0, NULL);
}

static void xs_became_ready(struct work_struct *work)
{
	pr_info("xenstored has connected to the local store\n");
	xs_mark_ready();
}

/* Start talking on the ring at @ring, signalled through @port. */
static int xs_start(struct xenstore_domain_interface *ring, evtchn_port_t port)
{
	struct task_struct *reader;
	int irq;

	xs_ring = ring;
	xs_port = port;
	irq = bind_evtchn_to_irqhandler_lateeoi(port, xs_interrupt, 0,
						"xenbus", NULL);
	if (irq < 0) {
		pr_err("cannot bind channel %u: %d\n", port, irq);
		return irq;
	}
	xs_irq = irq;

	reader = kthread_run(xs_reader, NULL, "xenbus");
	xs_watch_task = kthread_run(xs_watcher, NULL, "xenwatch");
	if (IS_ERR(reader) || IS_ERR(xs_watch_task)) {
		pr_err("cannot start the xenstore threads\n");
		return -ENOMEM;
	}
	return 0;
}

/* ---- dom0's local store ------------------------------------------------- */

struct xenstore_domain_interface *xenstore_local_ring(void)
{
	return xen_initial_domain() ? xs_ring : NULL;
}
EXPORT_SYMBOL_GPL(xenstore_local_ring);

/*
 * Map dom0's local ring, a page of our own memory, into @vma for
 * xenstored: one page at offset 0, through xenfs's xsd_kva or
 * /dev/xen/xenbus_backend alike.
 */
int xenstore_local_mmap(struct vm_area_struct *vma)
{
	void *ring = xenstore_local_ring();

	if (!ring)
		return -ENODEV;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start, PFN_DOWN(__pa(ring)),
			       PAGE_SIZE, vma->vm_page_prot);
}
EXPORT_SYMBOL_GPL(xenstore_local_mmap);

evtchn_port_t xenstore_local_port(void)
{
	return xen_initial_domain() ? xs_port : 0;
}
EXPORT_SYMBOL_GPL(xenstore_local_port);

/*
 * For a xenstored that runs in a domain of its own (a xenstore stub
 * domain), before it is started: grant it our ring page at the reference
 * the toolstack reserves for the store, and open a channel it can bind;
 * the one xsd_port offered is closed.  Once a daemon has connected it is
 * too late: it would have our watches and none of the new one's.
 */
int xenstore_local_hand_over(domid_t domid)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = domid,
	};
	evtchn_port_t old;
	int rc;

	if (!xen_initial_domain() || !xs_ring || xs_irq < 0)
		return -ENODEV;
	xs_suspend();
	rc = -EEXIST;
	if (xenstored_ready)
		goto out;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (rc)
		goto out;
	gnttab_grant_foreign_access_ref(GNTTAB_RESERVED_XENSTORE, domid,
					virt_to_gfn(xs_ring), 0);
	old = xs_port;
	xs_port = alloc.port;
	xen_rebind_evtchn_irq(xs_port, xs_irq);
	xen_evtchn_close(old);
	pr_info("local store handed over to domain %u, channel %u\n", domid,
		xs_port);
	rc = xs_port;
out:
	xs_suspend_cancel();
	return rc;
}
EXPORT_SYMBOL_GPL(xenstore_local_hand_over);

/*
 * The page and channel xenstored will connect to.  The channel is
 * allocated for domain 0, which is us: xenstored binds it from user space
 * in this same domain.
 */
static int __init xenstore_local_init(void)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = 0,
	};
	void *page;
	int rc;

	page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (rc) {
		pr_err("cannot allocate the local store's channel: %d\n", rc);
		free_page((unsigned long)page);
		return rc;
	}
	rc = xs_start(page, alloc.port);
	if (rc)
		return rc;
	pr_info("local store on channel %u, waiting for xenstored\n",
		alloc.port);
	return 0;
}

/*
 * Where a domU's store is: in start_info (PV) or in HVM parameters
 * (PVH).  NULL if the domain has none.
 */
static struct xenstore_domain_interface *domu_store(evtchn_port_t *port)
{
	if (xen_pvh_domain())
		return xen_pvh_map_ring(HVM_PARAM_STORE_PFN,
					HVM_PARAM_STORE_EVTCHN, port);
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain() && xen_start_info->store_mfn &&
	    xen_start_info->store_evtchn) {
		*port = xen_start_info->store_evtchn;
		return mfn_to_virt(xen_start_info->store_mfn);
	}
#endif
	return NULL;
}

/*
 * A domU finds its store ready and can use it at once.  dom0 runs
 * xenstored itself and makes a local store for it.
 */
static int __init xenstore_init(void)
{
	struct xenstore_domain_interface *ring;
	evtchn_port_t port;
	int rc;

	if (!xen_pv_domain() && !xen_pvh_domain())
		return 0;
	if (xen_initial_domain())
		return xenstore_local_init();
	ring = domu_store(&port);
	if (!ring) {
		pr_warn("this domain has no xenstore\n");
		return 0;
	}
	rc = xs_start(ring, port);
	if (rc)
		return rc;
	xs_mark_ready();
	return 0;
}
postcore_initcall(xenstore_init);
