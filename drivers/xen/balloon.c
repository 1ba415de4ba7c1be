// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon: give memory back to Xen, and take it again, as the
 * toolstack asks ("xl mem-set").
 *
 * The toolstack writes the domain's wanted size, in KiB, to memory/target
 * (and the most it may ever have to memory/static-max).
 * To shrink, we allocate pages from the kernel like any user would, so
 * the page allocator decides what can go, then hand their machine frames
 * back to Xen (XENMEM_decrease_reservation).  The pages stay allocated,
 * on our list, as placeholders for pseudo-physical frames with nothing
 * behind them.  To grow, we ask Xen for new frames for those pfns
 * (XENMEM_populate_physmap) and free the pages back to the kernel.
 *
 * In a PV domain the pfn -> mfn mapping is ours to keep: a page going
 * out loses its direct-map PTE (Xen will not take a frame we still map)
 * and its p2m entry; one coming in gets its m2p entry (MMU_MACHPHYS_UPDATE),
 * p2m entry and direct-map PTE, in that order.  An auto-translated (PVH)
 * domain has none of that to do: Xen keeps its guest-physical map, and
 * frames are named by pfn.
 *
 * Memory pressure: allocations for the balloon never retry, never dip
 * into reserves and never warn.  When one fails, the kernel needs its
 * memory more than the toolstack needs it back: we stop, and try again
 * later with a growing delay, instead of pushing the domain into OOM.
 * We also stop while the VM's estimate of available memory is low, pause
 * when other tasks have to reclaim, and give memory back when the kernel
 * is out of it (see may_take_page() and "Memory pressure" below).
 *
 * The sysfs files are the ones users of Linux-on-Xen know, under
 * /sys/devices/system/xen_memory/xen_memory0/.
 */

#define pr_fmt(fmt) "xen:balloon: " fmt

#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/shrinker.h>
#include <linux/swap.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include <xen/features.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/memory.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "balloon.h"

#define KB(pages)	((pages) << (PAGE_SHIFT - 10))

/* Pages per hypercall, and per step of the work item. */
#define BALLOON_BATCH	256

static DEFINE_MUTEX(balloon_mutex);
static LIST_HEAD(ballooned_pages);	/* linked by page->lru */

static unsigned long current_pages;	/* what Xen gives us now */
static unsigned long target_pages;	/* what the toolstack wants */
static unsigned long ballooned_count;	/* pages on the list */
static unsigned long ballooned_high;	/* of those, highmem (i386 only) */

/* Backing off when the kernel or Xen says no (seconds). */
static unsigned long schedule_delay = 1;
static unsigned long max_schedule_delay = 32;
static unsigned long retry_count = 1;
static unsigned long max_retry_count;	/* 0: retry for ever */

/* One batch in flight at a time (balloon_mutex): no big stack frames. */
static xen_pfn_t frames[BALLOON_BATCH];
static struct page *pages[BALLOON_BATCH];

static void balloon_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(balloon_work, balloon_work_fn);

static int reservation_op(unsigned int cmd, unsigned int nr)
{
	struct xen_memory_reservation r = {
		.nr_extents = nr,
		.extent_order = 0,
		.domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, frames);
	return HYPERVISOR_memory_op(cmd, &r);
}

#ifdef CONFIG_XEN_PV
static void map_direct(struct page *page, bool map)
{
	unsigned long pfn = page_to_pfn(page);
	/* The machine PTE: pfn_pte() translates, pte_val() would undo it. */
	u64 pte = map ? native_pte_val(pfn_pte(pfn, PAGE_KERNEL)) : 0;

	if (HYPERVISOR_update_va_mapping((unsigned long)__va(PFN_PHYS(pfn)),
					 pte, UVMF_INVLPG))
		pr_err("cannot %s pfn %#lx in the direct map\n",
		       map ? "map" : "unmap", pfn);
}

/* The PV halves of page_out() and page_in() below. */
static xen_pfn_t pv_page_out(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long mfn = pfn_to_mfn(pfn);

	map_direct(page, false);
	xen_set_p2m(pfn, INVALID_P2M_ENTRY);
	return mfn;
}

static void pv_page_in(struct page *page, xen_pfn_t mfn, bool fresh)
{
	unsigned long pfn = page_to_pfn(page);
	struct mmu_update m2p = {
		.ptr = ((u64)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
		.val = pfn,
	};

	if (fresh && HYPERVISOR_mmu_update(&m2p, 1, NULL, DOMID_SELF))
		pr_err("cannot set the m2p entry of mfn %#llx\n", (u64)mfn);
	xen_set_p2m(pfn, mfn);
	map_direct(page, true);
}
#else
/* Never called: without PV support every guest is auto-translated. */
static xen_pfn_t pv_page_out(struct page *page)
{
	return page_to_pfn(page);
}

static void pv_page_in(struct page *page, xen_pfn_t mfn, bool fresh)
{
}
#endif

/*
 * A page leaving for Xen: the frame to name in decrease_reservation.
 * An auto-translated guest (PVH) names its own pfn, and Xen keeps the
 * guest-physical map; a PV guest names the machine frame, after taking
 * the page out of the direct map and the p2m (see the top of the file).
 */
static xen_pfn_t page_out(struct page *page)
{
	if (xen_auto_translated())
		return page_to_pfn(page);
	return pv_page_out(page);
}

/*
 * A page whose frame is (again) @mfn: Xen kept it, or just gave it
 * (@fresh: its m2p entry must name our pfn first).  Nothing to do for an
 * auto-translated guest.
 */
static void page_in(struct page *page, xen_pfn_t mfn, bool fresh)
{
	if (!xen_auto_translated())
		pv_page_in(page, mfn, fresh);
}

/*
 * What the VM says it could still hand out without swapping (free
 * memory above the watermarks plus what it can reclaim: MemAvailable)
 * must stay above a headroom of 1/32 of RAM, at least 4 MiB, for the
 * workload's next allocations.  Unlike a floor on the domain's size,
 * this follows the workload: when it frees memory the shrinking goes on.
 */
static bool may_take_page(void)
{
	unsigned long headroom = max(totalram_pages() / 32,
				     4UL << (20 - PAGE_SHIFT));

	return si_mem_available() > (long)headroom;
}

/*
 * Give up to @nr pages back to Xen.  Returns how many went; fewer when
 * the kernel could not spare them or Xen refused.
 */
static unsigned long shrink(unsigned long nr)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_NOWARN | __GFP_NORETRY |
		    __GFP_NOMEMALLOC;
	unsigned int i, n = 0;
	int done;

	nr = min_t(unsigned long, nr, BALLOON_BATCH);
	while (n < nr) {
		if (!may_take_page())
			break;	/* the workload needs what is left */
		pages[n] = alloc_page(gfp);
		if (!pages[n])
			break;	/* the kernel needs its memory */
		n++;
	}
	for (i = 0; i < n; i++)
		frames[i] = page_out(pages[i]);
	done = n ? reservation_op(XENMEM_decrease_reservation, n) : 0;
	/* Xen says how many of the n it took: never more than n. */
	done = clamp_t(int, done, 0, n);
	for (i = 0; i < n; i++) {
		if (i >= done) {
			/* Xen kept it: the page is still ours, give it back. */
			page_in(pages[i], frames[i], false);
			__free_page(pages[i]);
			continue;
		}
		list_add(&pages[i]->lru, &ballooned_pages);
		adjust_managed_page_count(pages[i], -1);
		if (PageHighMem(pages[i]))
			ballooned_high++;
	}
	if (done < n)
		pr_warn_ratelimited("Xen took %d of %u frames\n", done, n);
	ballooned_count += done;
	current_pages -= done;
	return done;
}

/* Take up to @nr frames from Xen for ballooned pfns.  Returns how many. */
static unsigned long grow(unsigned long nr)
{
	struct page *page;
	unsigned int i, n = 0;
	int done;

	nr = min_t(unsigned long, nr, BALLOON_BATCH);
	list_for_each_entry(page, &ballooned_pages, lru) {
		if (n == nr)
			break;
		pages[n] = page;
		frames[n] = page_to_pfn(page);
		n++;
	}
	if (!n)
		return 0;
	done = reservation_op(XENMEM_populate_physmap, n);
	if (done <= 0) {
		pr_warn_ratelimited("Xen gave no frames (%d)\n", done);
		return 0;
	}
	/* Only the first n entries are frames we asked for. */
	done = min_t(int, done, n);
	for (i = 0; i < done; i++) {
		/* Xen wrote the new frame over the pfn we gave. */
		page_in(pages[i], frames[i], true);
		list_del(&pages[i]->lru);
		adjust_managed_page_count(pages[i], 1);
		if (PageHighMem(pages[i]))
			ballooned_high--;
		__free_page(pages[i]);
	}
	ballooned_count -= done;
	current_pages += done;
	return done;
}

/* ---- Memory pressure ---------------------------------------------------- */

/*
 * Taking memory away must not push the domain into OOM.  Two signals
 * from the VM:
 *
 *  - While we shrink the domain, a shrinker that frees nothing tells us
 *    when some task had to reclaim memory itself (direct reclaim: it was
 *    stalled for memory).  kswapd's background reclaim and the reclaim
 *    our own allocations cause do not count.  Shrinking then pauses for
 *    PRESSURE_PAUSE, and goes on once reclaim has been quiet that long,
 *    so it proceeds at the pace the domain's workload allows.
 *  - When the kernel is out of memory all the same, the OOM notifier
 *    stops the shrinking where it is (the target becomes the current
 *    size) and takes up to OOM_RETURN pages back from Xen, which lets a
 *    domain grow a little past its toolstack limit (libxl's slack).
 */
#define PRESSURE_PAUSE	(5 * HZ)
#define OOM_RETURN	256

static unsigned long last_pressure;	/* jiffies; 0: none yet */

static bool under_pressure(void)
{
	unsigned long t = READ_ONCE(last_pressure);

	return t && time_before(jiffies, t + PRESSURE_PAUSE);
}

/* Worth hearing about only while there is memory left to take. */
static unsigned long pressure_count(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long cur = READ_ONCE(current_pages);
	unsigned long target = READ_ONCE(target_pages);

	return cur > target ? cur - target : 0;
}

static unsigned long pressure_scan(struct shrinker *s,
				   struct shrink_control *sc)
{
	if (!current_is_kswapd() && current_work() != &balloon_work.work)
		WRITE_ONCE(last_pressure, jiffies ?: 1);
	return SHRINK_STOP;
}

static struct shrinker pressure_shrinker = {
	.count_objects = pressure_count,
	.scan_objects = pressure_scan,
	.seeks = DEFAULT_SEEKS,
	.batch = 1,
};

static int balloon_oom(struct notifier_block *nb, unsigned long unused,
		       void *freed)
{
	unsigned long n, stopped = 0;

	mutex_lock(&balloon_mutex);
	if (current_pages > target_pages) {
		stopped = target_pages;
		target_pages = current_pages;
	}
	n = grow(min_t(unsigned long, ballooned_count, OOM_RETURN));
	target_pages = max(target_pages, current_pages);
	mutex_unlock(&balloon_mutex);
	*(unsigned long *)freed += n;
	if (stopped || n)
		pr_warn("out of memory: %s%lu KiB taken back from Xen, target now %lu KiB\n",
			stopped ? "stopped shrinking, " : "", KB(n),
			KB(READ_ONCE(target_pages)));
	return NOTIFY_OK;
}

static struct notifier_block balloon_oom_nb = {
	.notifier_call = balloon_oom,
};

static void balloon_work_fn(struct work_struct *work)
{
	unsigned long moved = 0;
	bool stuck = false;

	mutex_lock(&balloon_mutex);
	if (current_pages > target_pages && under_pressure()) {
		pr_info_ratelimited("memory pressure: pausing at %lu KiB (target %lu KiB)\n",
				    KB(current_pages), KB(target_pages));
		stuck = true;
	} else if (current_pages > target_pages) {
		moved = shrink(current_pages - target_pages);
		stuck = !moved;
	} else if (current_pages < target_pages && ballooned_count) {
		moved = grow(target_pages - current_pages);
		stuck = !moved;
	}
	if (moved) {
		schedule_delay = 1;
		retry_count = 1;
	}
	if (stuck && max_retry_count && ++retry_count > max_retry_count) {
		pr_info("giving up at %lu KiB (target %lu KiB) after %lu tries\n",
			current_pages << (PAGE_SHIFT - 10),
			target_pages << (PAGE_SHIFT - 10), max_retry_count);
		target_pages = current_pages;
	} else if (stuck) {
		schedule_delayed_work(&balloon_work, schedule_delay * HZ);
		schedule_delay = min(schedule_delay * 2, max_schedule_delay);
	} else if (current_pages != target_pages &&
		   (current_pages > target_pages || ballooned_count)) {
		schedule_delayed_work(&balloon_work, 0);
	}
	mutex_unlock(&balloon_mutex);
}


/*
 * Pages in a count of 2^@shift-byte units, as the store and sysfs give
 * it: a 64-bit number that an i386 unsigned long may not hold.  More
 * than that is more than there is; cap it instead of wrapping round to
 * a small target.
 */
static unsigned long units_to_pages(unsigned long long units, unsigned int shift)
{
	return min_t(unsigned long long, units >> (PAGE_SHIFT - shift), ULONG_MAX);
}
static void set_target(unsigned long pages)
{
	mutex_lock(&balloon_mutex);
	target_pages = pages;
	schedule_delay = 1;
	retry_count = 1;
	mutex_unlock(&balloon_mutex);
	mod_delayed_work(system_wq, &balloon_work, 0);
}

/* ---- memory/target ----------------------------------------------------- */

/*
 * The target in pages, from the store's memory/target: KiB, in decimal,
 * as the toolstack writes it.  Anything else (empty, signs, junk, more
 * than 64 bits) is refused rather than read as some number: -EINVAL or
 * -ERANGE.  @static_max, memory/static-max if the store has one, is the
 * most the toolstack lets this domain have (KiB too); a target above it
 * is taken as it, since Xen would not give us more anyway.
 */
VISIBLE_IF_KUNIT int balloon_parse_target(const char *target,
					  const char *static_max,
					  unsigned long *pages)
{
	unsigned long long kb, max_kb;
	int rc;

	rc = kstrtoull(target, 10, &kb);
	if (rc)
		return rc;
	if (static_max && !kstrtoull(static_max, 10, &max_kb) && kb > max_kb)
		kb = max_kb;
	*pages = units_to_pages(kb, 10);
	return 0;
}

static void target_changed(struct xenbus_watch *watch, const char *path,
			   const char *token)
{
	unsigned long pages;
	char *target, *max;
	int rc;

	target = xenbus_read(XBT_NIL, "memory", "target", NULL);
	if (IS_ERR(target))
		return;
	max = xenbus_read(XBT_NIL, "memory", "static-max", NULL);
	rc = balloon_parse_target(target, IS_ERR(max) ? NULL : max, &pages);
	if (rc)
		pr_warn_ratelimited("memory/target \"%.32s\" is not a size in KiB: ignored\n",
				    target);
	else
		set_target(pages);
	if (!IS_ERR(max))
		kfree(max);
	kfree(target);
}

static struct xenbus_watch target_watch = {
	.node = "memory/target",
	.callback = target_changed,
};

static int balloon_store_ready(struct notifier_block *nb, unsigned long ev,
			       void *data)
{
	if (register_xenbus_watch(&target_watch))
		pr_err("cannot watch memory/target: xl mem-set will not work\n");
	return NOTIFY_DONE;
}

static struct notifier_block balloon_store_nb = {
	.notifier_call = balloon_store_ready,
};

/* ---- sysfs ------------------------------------------------------------- */


static ssize_t target_kb_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%lu\n", KB(READ_ONCE(target_pages)));
}

static ssize_t target_kb_store(struct device *d, struct device_attribute *a,
			       const char *buf, size_t len)
{
	unsigned long long kb;
	int rc = kstrtoull(buf, 0, &kb);

	if (rc)
		return rc;
	set_target(units_to_pages(kb, 10));
	return len;
}
static DEVICE_ATTR_RW(target_kb);

static ssize_t target_show(struct device *d, struct device_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)READ_ONCE(target_pages) << PAGE_SHIFT);
}

static ssize_t target_store(struct device *d, struct device_attribute *a,
			    const char *buf, size_t len)
{
	unsigned long long bytes;
	int rc = kstrtoull(buf, 0, &bytes);

	if (rc)
		return rc;
	set_target(units_to_pages(bytes, 0));
	return len;
}
static DEVICE_ATTR_RW(target);

#define BALLOON_ULONG_ATTR(_name)					\
static ssize_t _name##_show(struct device *d, struct device_attribute *a, \
			    char *buf)					\
{									\
	return sysfs_emit(buf, "%lu\n", READ_ONCE(_name));		\
}									\
static ssize_t _name##_store(struct device *d, struct device_attribute *a, \
			     const char *buf, size_t len)		\
{									\
	unsigned long v;						\
	int rc = kstrtoul(buf, 0, &v);					\
									\
	if (rc)								\
		return rc;						\
	WRITE_ONCE(_name, v);						\
	return len;							\
}									\
static DEVICE_ATTR_RW(_name)

BALLOON_ULONG_ATTR(schedule_delay);
BALLOON_ULONG_ATTR(max_schedule_delay);
BALLOON_ULONG_ATTR(retry_count);
BALLOON_ULONG_ATTR(max_retry_count);

static ssize_t current_kb_show(struct device *d, struct device_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%lu\n", KB(READ_ONCE(current_pages)));
}
static DEVICE_ATTR_RO(current_kb);

/*
 * The balloon takes GFP_HIGHUSER pages, so on a 32-bit kernel with
 * highmem some of what it holds is high memory; a 64-bit kernel has none.
 */
static ssize_t low_kb_show(struct device *d, struct device_attribute *a,
			   char *buf)
{
	unsigned long low;

	mutex_lock(&balloon_mutex);
	low = ballooned_count - ballooned_high;
	mutex_unlock(&balloon_mutex);
	return sysfs_emit(buf, "%lu\n", KB(low));
}
static DEVICE_ATTR_RO(low_kb);

static ssize_t high_kb_show(struct device *d, struct device_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%lu\n", KB(READ_ONCE(ballooned_high)));
}
static DEVICE_ATTR_RO(high_kb);

static struct attribute *balloon_attrs[] = {
	&dev_attr_target_kb.attr,
	&dev_attr_target.attr,
	&dev_attr_schedule_delay.attr,
	&dev_attr_max_schedule_delay.attr,
	&dev_attr_retry_count.attr,
	&dev_attr_max_retry_count.attr,
	NULL
};

static const struct attribute_group balloon_group = {
	.attrs = balloon_attrs,
};

/* info/: where the memory is (current) and what the balloon holds. */
static struct attribute *balloon_info_attrs[] = {
	&dev_attr_low_kb.attr,
	&dev_attr_high_kb.attr,
	&dev_attr_current_kb.attr,
	NULL
};

static const struct attribute_group balloon_info_group = {
	.attrs = balloon_info_attrs,
	.name = "info",
};

static const struct attribute_group *balloon_groups[] = {
	&balloon_group,
	&balloon_info_group,
	NULL
};

static struct bus_type balloon_subsys = {
	.name = "xen_memory",
	.dev_name = "xen_memory",
};

static struct device balloon_dev = {
	.id = 0,
	.bus = &balloon_subsys,
	.groups = balloon_groups,
};

static int __init balloon_init(void)
{
	domid_t self = DOMID_SELF;
	long pages;
	int rc;

	if (!xen_pv_domain() && !xen_pvh_domain())
		return -ENODEV;
	pages = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
	if (pages <= 0) {
		pr_err("Xen does not say how much memory we have (%ld): no balloon\n",
		       pages);
		return -EIO;
	}
	current_pages = pages;
	target_pages = pages;

	rc = subsys_system_register(&balloon_subsys, NULL);
	if (!rc)
		rc = device_register(&balloon_dev);
	if (rc)
		pr_warn("no sysfs files (%d)\n", rc);

	if (register_shrinker(&pressure_shrinker, "xen-balloon"))
		pr_warn("no memory pressure feedback: shrinking may cause OOM\n");
	register_oom_notifier(&balloon_oom_nb);
	register_xenstore_notifier(&balloon_store_nb);
	pr_info("%lu KiB, following memory/target\n", KB(current_pages));
	return 0;
}
subsys_initcall(balloon_init);
