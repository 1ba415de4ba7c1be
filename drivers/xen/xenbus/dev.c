// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/xenbus (and /proc/xen/xenbus): the store protocol for user
 * space, over this kernel's own connection to xenstored.
 *
 * A domain's kernel holds its only connection to the store (the ring
 * page), so tools that run in a domU (xenstore-read, libxenstore) speak
 * the wire protocol to this file instead: write() a struct xsd_sockmsg
 * and its payload, read() the reply, with its header, and watch events.
 *
 * Everything goes over the one connection the kernel shares with its own
 * drivers, so this file keeps each opener in its lane:
 *
 *  - a request names the opener's transaction or none; an id the opener
 *    did not start is refused, and what it leaves open is aborted when
 *    the file is closed;
 *  - a watch becomes a kernel watch with a token of ours, and its events
 *    come back with the opener's own token; the watches go with the file;
 *  - XS_RESET_WATCHES would drop the kernel's own watches too: it only
 *    drops the opener's.
 *
 * Requests are handled as soon as their last byte is written; write()
 * waits for xenstored's answer and queues it for read().
 *
 * Watch events are queued by the xenwatch thread whether the opener
 * reads or not, and what fires them may be another domain writing its
 * own nodes: an opener that stops reading must not make dom0 keep every
 * event.  So once EVENT_QUEUE_LIMIT bytes wait to be read, further watch
 * events for the file are dropped (rate-limited message).  Replies are
 * always queued: the reader is owed one for each request it wrote.  How
 * many of those wait is up to the opener, but the memory is dom0's: once
 * REPLY_QUEUE_LIMIT bytes wait, a new request is refused with ENOBUFS
 * until the opener reads (libxenstore reads each reply before it sends
 * the next request, and never comes near it).
 */
#define pr_fmt(fmt) "xenbus: " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/xs_wire.h>

#include "xenbus.h"

/* Unread bytes past which watch events are dropped (replies never are). */
#define EVENT_QUEUE_LIMIT	(128 * 1024)
/* Unread bytes past which no new request is taken. */
#define REPLY_QUEUE_LIMIT	(1024 * 1024)

/* A message waiting to be read: header and payload, as on the wire. */
struct xb_msg {
	struct list_head list;
	unsigned int len;	/* header included */
	unsigned int done;	/* bytes already read */
	char data[];
};

struct xb_user;

struct xb_user_watch {
	struct list_head list;
	struct xenbus_watch watch;
	struct xb_user *user;
	char *path;
	char *token;		/* the opener's */
};

struct xb_tx {
	struct list_head list;
	u32 id;
};

struct xb_user {
	/* One request at a time; also guards watches and transactions. */
	struct mutex lock;
	/* One reader at a time takes messages apart. */
	struct mutex read_lock;
	/* The request being written. */
	union {
		struct xsd_sockmsg hdr;
		char bytes[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	} in;
	unsigned int in_len;
	struct list_head watches;
	struct list_head transactions;
	/* What read() returns, in order. */
	spinlock_t out_lock;
	struct list_head out;
	unsigned int out_bytes;		/* queued, unread or partly read */
	wait_queue_head_t out_wait;
};

/* ---- The read side ------------------------------------------------------ */

/*
 * Queue a message for read().  -ENOSPC: a watch event (!@owed) that did
 * not fit under EVENT_QUEUE_LIMIT, dropped.
 */
static int queue_msg(struct xb_user *u, bool owed, u32 type, u32 req_id,
		     u32 tx_id, const void *payload1, unsigned int len1,
		     const void *payload2, unsigned int len2)
{
	struct xsd_sockmsg hdr = {
		.type = type,
		.req_id = req_id,
		.tx_id = tx_id,
		.len = len1 + len2,
	};
	struct xb_msg *m;

	m = kmalloc(struct_size(m, data, sizeof(hdr) + len1 + len2),
		    GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->len = sizeof(hdr) + len1 + len2;
	m->done = 0;
	memcpy(m->data, &hdr, sizeof(hdr));
	memcpy(m->data + sizeof(hdr), payload1, len1);
	memcpy(m->data + sizeof(hdr) + len1, payload2, len2);

	spin_lock(&u->out_lock);
	if (!owed && u->out_bytes + m->len > EVENT_QUEUE_LIMIT) {
		spin_unlock(&u->out_lock);
		kfree(m);
		return -ENOSPC;
	}
	u->out_bytes += m->len;
	list_add_tail(&m->list, &u->out);
	spin_unlock(&u->out_lock);
	wake_up(&u->out_wait);
	return 0;
}

/* An error answer, named the way xenstored names them ("ENOENT"). */
static int queue_error(struct xb_user *u, int err)
{
	const char *name = "EINVAL";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++) {
		if (xsd_errors[i].errnum == -err) {
			name = xsd_errors[i].errstring;
			break;
		}
	}
	return queue_msg(u, true, XS_ERROR, u->in.hdr.req_id, u->in.hdr.tx_id,
			 name, strlen(name) + 1, NULL, 0);
}

static int queue_ok(struct xb_user *u)
{
	return queue_msg(u, true, u->in.hdr.type, u->in.hdr.req_id, u->in.hdr.tx_id,
			 "OK", 3, NULL, 0);
}

static bool out_ready(struct xb_user *u)
{
	bool ready;

	spin_lock(&u->out_lock);
	ready = !list_empty(&u->out);
	spin_unlock(&u->out_lock);
	return ready;
}

static ssize_t xb_read(struct file *file, char __user *buf, size_t size,
		       loff_t *ppos)
{
	struct xb_user *u = file->private_data;
	size_t copied = 0;

	while (!out_ready(u)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(u->out_wait, out_ready(u)))
			return -EINTR;
	}

	mutex_lock(&u->read_lock);
	while (copied < size) {
		struct xb_msg *m;
		size_t chunk;

		spin_lock(&u->out_lock);
		m = list_first_entry_or_null(&u->out, struct xb_msg, list);
		spin_unlock(&u->out_lock);
		if (!m)
			break;
		chunk = min_t(size_t, size - copied, m->len - m->done);
		if (copy_to_user(buf + copied, m->data + m->done, chunk)) {
			if (!copied)
				copied = -EFAULT;
			break;
		}
		copied += chunk;
		m->done += chunk;
		if (m->done < m->len)
			break;
		spin_lock(&u->out_lock);
		list_del(&m->list);
		u->out_bytes -= m->len;
		spin_unlock(&u->out_lock);
		kfree(m);
	}
	mutex_unlock(&u->read_lock);
	return copied;
}

static __poll_t xb_poll(struct file *file, poll_table *wait)
{
	struct xb_user *u = file->private_data;

	poll_wait(file, &u->out_wait, wait);
	if (out_ready(u))
		return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
	return EPOLLOUT | EPOLLWRNORM;
}

/* ---- Watches --------------------------------------------------------------- */

/* xenwatch thread: hand the event over with the opener's token. */
static void user_watch_fired(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	struct xb_user_watch *w =
		container_of(watch, struct xb_user_watch, watch);
	int rc;

	rc = queue_msg(w->user, false, XS_WATCH_EVENT, 0, 0, path,
		       strlen(path) + 1, w->token, strlen(w->token) + 1);
	if (rc == -ENOSPC)
		pr_warn_ratelimited("watch event for %s dropped: its reader has %u KiB unread\n",
				    path, EVENT_QUEUE_LIMIT / 1024);
	else if (rc)
		pr_warn_ratelimited("watch event for %s lost: out of memory\n",
				    path);
}

static void drop_watch(struct xb_user_watch *w)
{
	unregister_xenbus_watch(&w->watch);
	list_del(&w->list);
	kfree(w->path);
	kfree(w->token);
	kfree(w);
}

/* The payload of a request: exactly @n NUL-terminated strings. */
static bool split_strings(char *payload, unsigned int len, char **s,
			  unsigned int n)
{
	unsigned int i, pos = 0;

	for (i = 0; i < n; i++) {
		size_t l;

		if (pos >= len)
			return false;
		l = strnlen(payload + pos, len - pos);
		if (pos + l == len)
			return false;	/* not terminated */
		s[i] = payload + pos;
		pos += l + 1;
	}
	return pos == len;
}

static int user_watch(struct xb_user *u)
{
	char *s[2];
	struct xb_user_watch *w;
	int rc;

	if (!split_strings(u->in.bytes + sizeof(u->in.hdr), u->in.hdr.len,
			   s, 2))
		return -EINVAL;

	if (u->in.hdr.type == XS_UNWATCH) {
		list_for_each_entry(w, &u->watches, list) {
			if (!strcmp(w->path, s[0]) && !strcmp(w->token, s[1])) {
				drop_watch(w);
				return queue_ok(u);
			}
		}
		return queue_error(u, -ENOENT);
	}

	/* As xenstored would: one watch per path and token. */
	list_for_each_entry(w, &u->watches, list)
		if (!strcmp(w->path, s[0]) && !strcmp(w->token, s[1]))
			return queue_error(u, -EEXIST);

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->user = u;
	w->path = kstrdup(s[0], GFP_KERNEL);
	w->token = kstrdup(s[1], GFP_KERNEL);
	w->watch.node = w->path;
	w->watch.callback = user_watch_fired;
	rc = -ENOMEM;
	if (w->path && w->token)
		rc = register_xenbus_watch(&w->watch);
	if (rc) {
		kfree(w->path);
		kfree(w->token);
		kfree(w);
		/* xenstored's refusal is an answer; our lack of memory is not. */
		return rc == -ENOMEM ? rc : queue_error(u, rc);
	}
	list_add(&w->list, &u->watches);
	return queue_ok(u);
}

static int user_reset_watches(struct xb_user *u)
{
	struct xb_user_watch *w, *next;

	list_for_each_entry_safe(w, next, &u->watches, list)
		drop_watch(w);
	return queue_ok(u);
}

/* ---- Everything else: through to xenstored ------------------------------- */

static struct xb_tx *find_tx(struct xb_user *u, u32 id)
{
	struct xb_tx *tx;

	list_for_each_entry(tx, &u->transactions, list)
		if (tx->id == id)
			return tx;
	return NULL;
}

static int user_request(struct xb_user *u)
{
	struct xsd_sockmsg *hdr = &u->in.hdr;
	struct kvec iov = {
		.iov_base = u->in.bytes + sizeof(*hdr),
		.iov_len = hdr->len,
	};
	struct xb_tx *tx = NULL, *started = NULL;
	unsigned int len;
	u32 type = hdr->type;
	char *reply;
	int rc;

	if (hdr->tx_id) {
		tx = find_tx(u, hdr->tx_id);
		if (!tx || type == XS_TRANSACTION_START)
			return -ESRCH;
	}
	if (type == XS_TRANSACTION_START) {
		started = kzalloc(sizeof(*started), GFP_KERNEL);
		if (!started)
			return -ENOMEM;
	}

	reply = xs_talk_raw(hdr->tx_id, &type, &iov, 1, &len);
	if (IS_ERR(reply)) {
		kfree(started);
		return PTR_ERR(reply);
	}

	if (started && type == XS_TRANSACTION_START &&
	    !kstrtou32(reply, 10, &started->id)) {
		list_add(&started->list, &u->transactions);
		started = NULL;
	}
	/* Committed or not, xenstored has forgotten it. */
	if (tx && hdr->type == XS_TRANSACTION_END) {
		list_del(&tx->list);
		kfree(tx);
	}
	kfree(started);

	rc = queue_msg(u, true, type, hdr->req_id, hdr->tx_id, reply, len, NULL, 0);
	kfree(reply);
	return rc;
}

/* A whole request is in: act on it. */
static int handle_request(struct xb_user *u)
{
	switch (u->in.hdr.type) {
	case XS_WATCH:
	case XS_UNWATCH:
		return user_watch(u);
	case XS_RESET_WATCHES:
		return user_reset_watches(u);
	case XS_WATCH_EVENT:
	case XS_ERROR:
		return -EINVAL;		/* answers, not requests */
	default:
		if (u->in.hdr.type >= XS_TYPE_COUNT)
			return -EINVAL;
		return user_request(u);
	}
}

/*
 * Collect the request, possibly over several writes.  A request that
 * cannot be handled is dropped whole and write() says why.
 */
static ssize_t xb_write(struct file *file, const char __user *buf,
			size_t size, loff_t *ppos)
{
	struct xb_user *u = file->private_data;
	size_t taken = 0;
	int rc = 0;

	mutex_lock(&u->lock);
	while (taken < size) {
		unsigned int want = sizeof(u->in.hdr);
		size_t chunk;

		/* Once the header is in, it says how much more to take. */
		if (u->in_len >= want)
			want += u->in.hdr.len;
		chunk = min_t(size_t, size - taken, want - u->in_len);
		if (copy_from_user(u->in.bytes + u->in_len, buf + taken,
				   chunk)) {
			rc = -EFAULT;
			break;
		}
		u->in_len += chunk;
		taken += chunk;
		if (u->in_len < sizeof(u->in.hdr))
			continue;
		if (u->in.hdr.len > XENSTORE_PAYLOAD_MAX) {
			rc = -EINVAL;
			break;
		}
		if (u->in_len < sizeof(u->in.hdr) + u->in.hdr.len)
			continue;
		if (READ_ONCE(u->out_bytes) > REPLY_QUEUE_LIMIT) {
			pr_warn_ratelimited("%s[%d] writes requests without reading the replies; refused\n",
					    current->comm,
					    task_pid_nr(current));
			rc = -ENOBUFS;
			break;
		}
		rc = handle_request(u);
		u->in_len = 0;
		if (rc)
			break;
	}
	if (rc)
		u->in_len = 0;
	mutex_unlock(&u->lock);
	return rc ? rc : taken;
}

/* ---- Open and close ----------------------------------------------------- */

static int xb_open(struct inode *inode, struct file *file)
{
	struct xb_user *u;

	if (!xen_domain())
		return -ENODEV;
	u = kvzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	mutex_init(&u->lock);
	mutex_init(&u->read_lock);
	INIT_LIST_HEAD(&u->watches);
	INIT_LIST_HEAD(&u->transactions);
	spin_lock_init(&u->out_lock);
	INIT_LIST_HEAD(&u->out);
	init_waitqueue_head(&u->out_wait);
	file->private_data = u;
	return stream_open(inode, file);
}

static int xb_release(struct inode *inode, struct file *file)
{
	struct xb_user *u = file->private_data;
	struct xb_user_watch *w, *wn;
	struct xb_tx *tx, *txn;
	struct xb_msg *m, *mn;

	/* No event can be queued once the watches are gone. */
	list_for_each_entry_safe(w, wn, &u->watches, list)
		drop_watch(w);
	list_for_each_entry_safe(tx, txn, &u->transactions, list) {
		struct xenbus_transaction t = { .id = tx->id };

		xenbus_transaction_end(t, 1);
		list_del(&tx->list);
		kfree(tx);
	}
	list_for_each_entry_safe(m, mn, &u->out, list)
		kfree(m);
	kvfree(u);
	return 0;
}

const struct file_operations xenbus_file_fops = {
	.owner = THIS_MODULE,
	.open = xb_open,
	.release = xb_release,
	.read = xb_read,
	.write = xb_write,
	.poll = xb_poll,
	.llseek = no_llseek,
};
EXPORT_SYMBOL_GPL(xenbus_file_fops);

static struct miscdevice xenbus_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/xenbus",
	.fops = &xenbus_file_fops,
};

static int __init xenbus_dev_init(void)
{
	int rc;

	if (!xen_domain())
		return 0;
	rc = misc_register(&xenbus_miscdev);
	if (rc)
		pr_err("cannot register /dev/xen/xenbus: %d\n", rc);
	return rc;
}
device_initcall(xenbus_dev_init);
