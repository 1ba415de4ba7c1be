// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/evtchn: event channels for user space.
 *
 * xenstored, xenconsoled and the toolstack talk to other domains over
 * event channels like any backend does.  Each open file is one client
 * (libxenevtchn's handle): it binds channels through ioctls (to a VIRQ,
 * to another domain's port, or a new port another domain may connect
 * to), and read() returns the local ports that fired.
 *
 * Each bound port is a Linux IRQ of ours with a "late EOI": when it
 * fires, the handler queues the port number for read() and the port
 * stays masked until the client writes the number back.  So a port is
 * queued at most once until the client has dealt with it, and a client
 * that stops reading (or a guest flooding a channel) costs one entry,
 * not a storm.  The queue is a ring with room for every bound port; it
 * can only overflow if the client unmasks ports it has not read, and
 * then read() fails with EFBIG until IOCTL_EVTCHN_RESET.
 *
 * Every channel bound through a file was opened by it and is closed
 * when unbound, or when the file is closed (process exit included) -
 * unless gntdev or gntalloc pinned it (see "Pins" below), then it is
 * closed when the last pin goes.
 */
#define pr_fmt(fmt) "xen:evtchn: " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <xen/events.h>
#include <xen/xen.h>
#include <uapi/xen/evtchn.h>

MODULE_DESCRIPTION("Xen event channels for user space");
MODULE_LICENSE("GPL");

/* The smallest queue; it doubles as ports are bound. */
#define MIN_RING_SIZE	64

struct evtchn_client {
	/* Binding, unbinding, and the queue's size. */
	struct mutex lock;
	struct xarray ports;		/* port -> struct client_port */
	unsigned int nr_ports;
	domid_t restrict_domid;		/* DOMID_INVALID: none */
	char *irq_name;

	/* The queue of fired ports; the handlers fill it in IRQ context. */
	spinlock_t ring_lock;
	evtchn_port_t *ring;
	unsigned int ring_size;		/* a power of two */
	unsigned int prod, cons;	/* free-running */
	unsigned int resets;		/* IOCTL_EVTCHN_RESETs so far */
	bool overflow;
	struct mutex read_lock;		/* one reader takes entries at a time */
	wait_queue_head_t wait;
	struct fasync_struct *fasync;
};

struct client_port {
	struct evtchn_client *c;	/* NULL: orphaned, see "Pins" */
	evtchn_port_t port;
	int irq;
	char *name;			/* its IRQ's: may outlive the client */
	struct pid *owner;		/* the process that bound it */
	bool pinnable;			/* not a VIRQ */
	unsigned int pins;		/* under pin_lock */
};

/*
 * Pins.  gntdev and gntalloc signal a port when a grant is unmapped,
 * which may be long after the ioctl that named it.  Event channel ports
 * are numbers Xen reuses once a channel is closed: a number kept
 * unchecked would, after its client closed it, signal whatever channel
 * got the number next (a backend's, another process's).  So those
 * modules may only name a port that some client here has bound, and
 * they pin it: the client may still unbind it or exit, but the channel
 * is then only orphaned - out of the client, its handler detached - and
 * closed when the last pin goes.  @bound_ports holds every port bound
 * here, the clients' and the orphans.
 *
 * Only the process that bound a port may pin it (a pin keeps a channel
 * open: another process could otherwise keep a daemon's channels alive
 * after the daemon closed them, or signal them, which IOCTL_EVTCHN_NOTIFY
 * refuses), and never a VIRQ's port: a VIRQ has one port per domain,
 * and an orphan would keep a restarted daemon from binding it again.
 */
static DEFINE_MUTEX(pin_lock);
static DEFINE_XARRAY(bound_ports);

static bool ring_has_data(struct evtchn_client *c)
{
	return READ_ONCE(c->prod) != READ_ONCE(c->cons) ||
	       READ_ONCE(c->overflow);
}

static irqreturn_t port_fired(int irq, void *data)
{
	struct client_port *cp = data;
	struct evtchn_client *c = READ_ONCE(cp->c);

	/* Orphaned: masked from now on, as we never EOI it. */
	if (!c)
		return IRQ_HANDLED;
	spin_lock(&c->ring_lock);
	if (c->prod - c->cons < c->ring_size) {
		c->ring[c->prod & (c->ring_size - 1)] = cp->port;
		c->prod++;
	} else {
		c->overflow = true;
	}
	spin_unlock(&c->ring_lock);

	wake_up_interruptible(&c->wait);
	kill_fasync(&c->fasync, SIGIO, POLL_IN);
	return IRQ_HANDLED;
}

/* Room for one entry per bound port; c->lock held. */
static int grow_ring(struct evtchn_client *c, unsigned int nr_ports)
{
	unsigned int size = c->ring_size, i;
	evtchn_port_t *new, *old;

	if (nr_ports <= size)
		return 0;
	while (size < nr_ports)
		size *= 2;
	new = kvmalloc_array(size, sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	spin_lock_irq(&c->ring_lock);
	/* The same free-running indexes, masked by the new size. */
	for (i = c->cons; i != c->prod; i++)
		new[i & (size - 1)] = c->ring[i & (c->ring_size - 1)];
	old = c->ring;
	c->ring = new;
	c->ring_size = size;
	spin_unlock_irq(&c->ring_lock);
	kvfree(old);
	return 0;
}

/* ---- Binding ------------------------------------------------------------ */

/* The record of a port with no IRQ (any more). */
static void free_port_record(struct client_port *cp)
{
	put_pid(cp->owner);
	kfree(cp->name);
	kfree(cp);
}

/* Close the channel; it is out of every client and of @bound_ports. */
static void close_port(struct client_port *cp)
{
	/* Waits for a running handler; closes the channel. */
	unbind_from_irqhandler(cp->irq, cp);
	free_port_record(cp);
}

/*
 * Take a port this client just opened.  On failure the port is closed:
 * nothing of it is left behind.
 */
static int adopt_port(struct evtchn_client *c, evtchn_port_t port,
		      bool pinnable)
{
	struct client_port *cp;
	int rc;

	cp = kzalloc(sizeof(*cp), GFP_KERNEL);
	if (!cp) {
		rc = -ENOMEM;
		goto close;
	}
	/* Its own copy of the name: /proc/interrupts shows an orphan's. */
	cp->name = kstrdup(c->irq_name, GFP_KERNEL);
	if (!cp->name) {
		kfree(cp);
		rc = -ENOMEM;
		goto close;
	}
	cp->c = c;
	cp->port = port;
	cp->owner = get_pid(task_tgid(current));
	cp->pinnable = pinnable;

	mutex_lock(&c->lock);
	rc = grow_ring(c, c->nr_ports + 1);
	if (!rc)
		rc = xa_insert(&c->ports, port, cp, GFP_KERNEL);
	if (rc) {
		mutex_unlock(&c->lock);
		free_port_record(cp);
		goto close;
	}
	cp->irq = bind_own_evtchn_to_irqhandler_lateeoi(port, port_fired, 0,
							cp->name, cp);
	if (cp->irq < 0) {
		/* The port is closed already. */
		rc = cp->irq;
		xa_erase(&c->ports, port);
		mutex_unlock(&c->lock);
		free_port_record(cp);
		return rc;
	}
	/* Pinnable from now on, when it is whole. */
	mutex_lock(&pin_lock);
	rc = xa_insert(&bound_ports, port, cp, GFP_KERNEL);
	mutex_unlock(&pin_lock);
	if (rc) {
		xa_erase(&c->ports, port);
		mutex_unlock(&c->lock);
		close_port(cp);
		return rc;
	}
	c->nr_ports++;
	mutex_unlock(&c->lock);
	return port;
close:
	xen_evtchn_close(port);
	return rc;
}

/* c->lock held. */
static void drop_port(struct evtchn_client *c, struct client_port *cp)
{
	xa_erase(&c->ports, cp->port);
	c->nr_ports--;
	mutex_lock(&pin_lock);
	if (cp->pins) {
		/* Orphan it; a handler running now may still use @c. */
		WRITE_ONCE(cp->c, NULL);
		mutex_unlock(&pin_lock);
		synchronize_irq(cp->irq);
		return;
	}
	xa_erase(&bound_ports, cp->port);
	mutex_unlock(&pin_lock);
	close_port(cp);
}

int xen_evtchn_user_port_pin(evtchn_port_t port)
{
	struct client_port *cp;
	int rc = -EINVAL;

	mutex_lock(&pin_lock);
	cp = xa_load(&bound_ports, port);
	/* An orphan is no client's any more: nobody may name it. */
	if (cp && cp->c && cp->pinnable && cp->owner == task_tgid(current) &&
	    cp->pins < UINT_MAX) {
		cp->pins++;
		rc = 0;
	}
	mutex_unlock(&pin_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_evtchn_user_port_pin);

void xen_evtchn_user_port_unpin(evtchn_port_t port)
{
	struct client_port *cp;

	mutex_lock(&pin_lock);
	cp = xa_load(&bound_ports, port);
	if (WARN_ON_ONCE(!cp || !cp->pins) || --cp->pins || cp->c) {
		mutex_unlock(&pin_lock);
		return;
	}
	/* The last pin of an orphan. */
	xa_erase(&bound_ports, port);
	mutex_unlock(&pin_lock);
	close_port(cp);
}
EXPORT_SYMBOL_GPL(xen_evtchn_user_port_unpin);

static long bind_virq(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_bind_virq b;
	struct evtchn_bind_virq op = { .vcpu = 0 };
	int rc;

	if (c->restrict_domid != DOMID_INVALID)
		return -EACCES;
	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	op.virq = b.virq;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
	if (rc)
		return rc;
	return adopt_port(c, op.port, false);
}

static long bind_interdomain(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_bind_interdomain b;
	struct evtchn_bind_interdomain op;
	int rc;

	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	if (b.remote_domain > U16_MAX)
		return -EINVAL;
	if (c->restrict_domid != DOMID_INVALID &&
	    c->restrict_domid != b.remote_domain)
		return -EACCES;
	op.remote_dom = b.remote_domain;
	op.remote_port = b.remote_port;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (rc)
		return rc;
	return adopt_port(c, op.local_port, true);
}

static long bind_unbound(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_bind_unbound_port b;
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF };
	int rc;

	if (c->restrict_domid != DOMID_INVALID)
		return -EACCES;
	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	if (b.remote_domain > U16_MAX)
		return -EINVAL;
	op.remote_dom = b.remote_domain;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (rc)
		return rc;
	return adopt_port(c, op.port, true);
}

static long unbind(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_unbind b;
	struct client_port *cp;
	long rc = 0;

	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	mutex_lock(&c->lock);
	cp = xa_load(&c->ports, b.port);
	if (cp)
		drop_port(c, cp);
	else
		rc = -ENOTCONN;
	mutex_unlock(&c->lock);
	return rc;
}

static long notify(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_notify b;
	long rc = 0;

	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	/* Only a port of this client: others belong to someone else. */
	mutex_lock(&c->lock);
	if (xa_load(&c->ports, b.port))
		notify_remote_via_evtchn(b.port);
	else
		rc = -ENOTCONN;
	mutex_unlock(&c->lock);
	return rc;
}

static long restrict_domid(struct evtchn_client *c, void __user *udata)
{
	struct ioctl_evtchn_restrict_domid b;
	long rc = 0;

	if (copy_from_user(&b, udata, sizeof(b)))
		return -EFAULT;
	if (b.domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	mutex_lock(&c->lock);
	if (c->restrict_domid != DOMID_INVALID)
		rc = -EACCES;
	else
		c->restrict_domid = b.domid;
	mutex_unlock(&c->lock);
	return rc;
}

static long evtchn_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct evtchn_client *c = file->private_data;
	void __user *udata = (void __user *)arg;

	switch (cmd) {
	case IOCTL_EVTCHN_BIND_VIRQ:
		return bind_virq(c, udata);
	case IOCTL_EVTCHN_BIND_INTERDOMAIN:
		return bind_interdomain(c, udata);
	case IOCTL_EVTCHN_BIND_UNBOUND_PORT:
		return bind_unbound(c, udata);
	case IOCTL_EVTCHN_UNBIND:
		return unbind(c, udata);
	case IOCTL_EVTCHN_NOTIFY:
		return notify(c, udata);
	case IOCTL_EVTCHN_RESET:
		spin_lock_irq(&c->ring_lock);
		c->prod = c->cons = 0;
		c->overflow = false;
		c->resets++;
		spin_unlock_irq(&c->ring_lock);
		return 0;
	case IOCTL_EVTCHN_RESTRICT_DOMID:
		return restrict_domid(c, udata);
	default:
		return -ENOTTY;
	}
}

/* ---- read, write, poll ---------------------------------------------------- */

/* Ports taken off the queue per round of copying out. */
#define READ_BATCH	64

static ssize_t evtchn_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct evtchn_client *c = file->private_data;
	evtchn_port_t batch[READ_BATCH];
	size_t copied = 0;
	ssize_t rc = 0;

	count &= ~(sizeof(evtchn_port_t) - 1);
	if (!count)
		return 0;

	mutex_lock(&c->read_lock);
	while (copied < count) {
		unsigned int n = 0, i, resets;

		spin_lock_irq(&c->ring_lock);
		resets = c->resets;
		if (c->overflow) {
			spin_unlock_irq(&c->ring_lock);
			rc = -EFBIG;
			break;
		}
		for (i = c->cons; i != c->prod && n < READ_BATCH &&
		     copied + (n + 1) * sizeof(*batch) <= count; i++)
			batch[n++] = c->ring[i & (c->ring_size - 1)];
		spin_unlock_irq(&c->ring_lock);

		if (!n) {
			if (copied)
				break;
			if (file->f_flags & O_NONBLOCK) {
				rc = -EAGAIN;
				break;
			}
			mutex_unlock(&c->read_lock);
			if (wait_event_interruptible(c->wait,
						     ring_has_data(c)))
				return -EINTR;
			mutex_lock(&c->read_lock);
			continue;
		}
		/* Taken off the queue only once the reader has them. */
		if (copy_to_user(buf + copied, batch, n * sizeof(*batch))) {
			rc = -EFAULT;
			break;
		}
		spin_lock_irq(&c->ring_lock);
		/* A RESET in between emptied the queue: leave it empty. */
		if (c->resets == resets)
			c->cons += n;
		spin_unlock_irq(&c->ring_lock);
		copied += n * sizeof(*batch);
	}
	mutex_unlock(&c->read_lock);
	return copied ? copied : rc;
}

/* Ports written back are done with: unmask them. */
static ssize_t evtchn_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct evtchn_client *c = file->private_data;
	evtchn_port_t *ports;
	unsigned int n, i;

	count = min_t(size_t, count, PAGE_SIZE);
	count &= ~(sizeof(evtchn_port_t) - 1);
	if (!count)
		return 0;
	ports = kmalloc(count, GFP_KERNEL);
	if (!ports)
		return -ENOMEM;
	if (copy_from_user(ports, buf, count)) {
		kfree(ports);
		return -EFAULT;
	}
	n = count / sizeof(*ports);
	mutex_lock(&c->lock);
	for (i = 0; i < n; i++) {
		struct client_port *cp = xa_load(&c->ports, ports[i]);

		if (cp)
			xen_irq_lateeoi(cp->irq, 0);
	}
	mutex_unlock(&c->lock);
	kfree(ports);
	return count;
}

static __poll_t evtchn_poll(struct file *file, poll_table *wait)
{
	struct evtchn_client *c = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &c->wait, wait);
	if (READ_ONCE(c->prod) != READ_ONCE(c->cons))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(c->overflow))
		mask = EPOLLERR;
	return mask;
}

static int evtchn_fasync(int fd, struct file *file, int on)
{
	struct evtchn_client *c = file->private_data;

	return fasync_helper(fd, file, on, &c->fasync);
}

/* ---- open and close ---------------------------------------------------- */

static int evtchn_open(struct inode *inode, struct file *file)
{
	struct evtchn_client *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->irq_name = kasprintf(GFP_KERNEL, "evtchn:%s", current->comm);
	c->ring_size = MIN_RING_SIZE;
	c->ring = kvmalloc_array(c->ring_size, sizeof(*c->ring), GFP_KERNEL);
	if (!c->irq_name || !c->ring) {
		kfree(c->irq_name);
		kvfree(c->ring);
		kfree(c);
		return -ENOMEM;
	}
	mutex_init(&c->lock);
	mutex_init(&c->read_lock);
	xa_init(&c->ports);
	c->restrict_domid = DOMID_INVALID;
	spin_lock_init(&c->ring_lock);
	init_waitqueue_head(&c->wait);
	file->private_data = c;
	return stream_open(inode, file);
}

static int evtchn_release(struct inode *inode, struct file *file)
{
	struct evtchn_client *c = file->private_data;
	struct client_port *cp;
	unsigned long port;

	mutex_lock(&c->lock);
	xa_for_each(&c->ports, port, cp)
		drop_port(c, cp);
	mutex_unlock(&c->lock);
	xa_destroy(&c->ports);
	kvfree(c->ring);
	kfree(c->irq_name);
	kfree(c);
	return 0;
}

static const struct file_operations evtchn_fops = {
	.owner = THIS_MODULE,
	.open = evtchn_open,
	.release = evtchn_release,
	.read = evtchn_read,
	.write = evtchn_write,
	.poll = evtchn_poll,
	.fasync = evtchn_fasync,
	.unlocked_ioctl = evtchn_ioctl,
	.llseek = no_llseek,
};

/* /dev/xen/evtchn */
static struct miscdevice evtchn_miscdev = {
	.name = "xen/evtchn",
	.fops = &evtchn_fops,
	.minor = MISC_DYNAMIC_MINOR,
};

static int __init evtchn_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return misc_register(&evtchn_miscdev);
}
module_init(evtchn_init);

static void __exit evtchn_exit(void)
{
	misc_deregister(&evtchn_miscdev);
}
module_exit(evtchn_exit);
