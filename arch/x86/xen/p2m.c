// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m: for each of our pseudo-physical frames, the machine frame
 * behind it.
 *
 * It is a flat array, one unsigned long per pfn, so a lookup on the hot
 * path (every PTE we build or read) is one bounds check and one load.
 * Xen builds the first version (start_info.mfn_list, nr_pages entries,
 * inside the boot area) and we keep using it in place.  Lookups past the
 * end answer "identity", which is what dom0 wants for device memory above
 * its RAM; nothing else maps frames it does not own.
 *
 * Growing (for memory a balloon or hotplug adds above the last pfn)
 * allocates a larger array, copies and publishes it; readers that raced
 * with the switch still see a valid array, and the old one is never
 * freed while such a reader may exist (it is the boot area's, or freed
 * after an RCU grace period).
 */
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>

#include <xen/xen.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include "xen-ops.h"

struct xen_frame_maps xen_frames __read_mostly = {
	.m2p = machine_to_phys_mapping,
};
EXPORT_SYMBOL_GPL(xen_frames);

static DEFINE_SPINLOCK(p2m_lock);

void __init xen_p2m_init_early(unsigned long *list, unsigned long nr)
{
	xen_frames.p2m = list;
	xen_frames.p2m_size = nr;
}

/*
 * The list Xen gave us sits in the boot area; as soon as the direct map
 * exists, reach it through the direct map, which stays.
 */
void __init xen_p2m_setup(void)
{
	xen_frames.p2m = __va(__pa(xen_frames.p2m));
}

/* Set @pfn's entry of @m to @mfn; false if it has none and needs one. */
VISIBLE_IF_KUNIT bool xen_p2m_set_entry(struct xen_frame_maps *m,
					unsigned long pfn, unsigned long mfn)
{
	if (likely(pfn < m->p2m_size)) {
		WRITE_ONCE(m->p2m[pfn], mfn);
		return true;
	}
	/* Past the end everything reads as identity or nothing at all. */
	return mfn == IDENTITY_FRAME(pfn) || mfn == INVALID_P2M_ENTRY;
}

bool xen_set_p2m(unsigned long pfn, unsigned long mfn)
{
	return xen_p2m_set_entry(&xen_frames, pfn, mfn);
}
EXPORT_SYMBOL_GPL(xen_set_p2m);

/*
 * Make room in @m for @nr_pfns entries; new entries are INVALID.  Returns
 * 1 if the array grew, 0 if it was large enough, -ENOMEM.  *@retired is
 * then the array replaced, for the caller to vfree once no lockless
 * reader can still be using it, or NULL when it is not ours to free (the
 * boot area's).
 */
VISIBLE_IF_KUNIT int xen_p2m_grow_table(struct xen_frame_maps *m,
					unsigned long nr_pfns,
					bool *vmalloced,
					unsigned long **retired)
{
	unsigned long *new, *old, i, old_size;
	bool old_vmalloced;

	might_sleep();
	*retired = NULL;
	if (nr_pfns <= READ_ONCE(m->p2m_size))
		return 0;
	new = vmalloc(array_size(nr_pfns, sizeof(*new)));
	if (!new)
		return -ENOMEM;

	spin_lock(&p2m_lock);
	old = m->p2m;
	old_size = m->p2m_size;
	old_vmalloced = *vmalloced;
	if (nr_pfns <= old_size) {
		spin_unlock(&p2m_lock);
		vfree(new);
		return 0;
	}
	memcpy(new, old, old_size * sizeof(*new));
	for (i = old_size; i < nr_pfns; i++)
		new[i] = INVALID_P2M_ENTRY;
	/*
	 * Publish the array before the size that covers it: a reader that
	 * sees the new size (lockless, __pfn_to_mfn()) sees the new array.
	 */
	smp_store_release(&m->p2m, new);
	smp_store_release(&m->p2m_size, nr_pfns);
	*vmalloced = true;
	spin_unlock(&p2m_lock);
	if (old_vmalloced)
		*retired = old;
	return 1;
}

/* Whether xen_frames.p2m is ours to free (not the boot area's). */
static bool p2m_is_vmalloced;

bool xen_p2m_grow(unsigned long nr_pfns)
{
	unsigned long *retired;
	int rc;

	rc = xen_p2m_grow_table(&xen_frames, nr_pfns, &p2m_is_vmalloced,
				&retired);
	if (rc <= 0)
		return rc == 0;
	xen_p2m_publish_frame_list();
	if (retired) {
		synchronize_rcu();
		vfree(retired);
	}
	return true;
}
EXPORT_SYMBOL_GPL(xen_p2m_grow);

/*
 * How the toolstack finds the p2m when it saves or migrates us: through
 * shared_info.arch, max_pfn and the machine frame of a page that lists
 * the machine frames of "frame list" pages, each listing the machine
 * frames of P2M_PER_PAGE pages of the p2m itself.  Its entries it reads
 * at save time; on restore it writes the new mfns into those same pages.
 *
 * The lists only change when the p2m array moves (xen_p2m_grow()), so
 * they are rebuilt then and before each suspend.
 */
static unsigned long *p2m_fll;
static unsigned long *p2m_fl[P2M_PER_PAGE];

void xen_p2m_publish_frame_list(void)
{
	unsigned long nr_p2m_pages, nr_fl_pages, i;
	unsigned long *p2m = READ_ONCE(xen_frames.p2m);
	unsigned long size = READ_ONCE(xen_frames.p2m_size);

	nr_p2m_pages = DIV_ROUND_UP(size, P2M_PER_PAGE);
	nr_fl_pages = DIV_ROUND_UP(nr_p2m_pages, P2M_PER_PAGE);
	if (nr_fl_pages > P2M_PER_PAGE) {
		pr_err("xen: p2m of %lu pages too big to describe: no save/restore\n",
		       size);
		return;
	}
	if (!p2m_fll)
		p2m_fll = (void *)get_zeroed_page(GFP_KERNEL);
	for (i = 0; i < nr_fl_pages; i++)
		if (!p2m_fl[i])
			p2m_fl[i] = (void *)get_zeroed_page(GFP_KERNEL);
	if (!p2m_fll || (nr_fl_pages && !p2m_fl[nr_fl_pages - 1])) {
		pr_err("xen: no memory for the p2m frame list: no save/restore\n");
		return;
	}

	for (i = 0; i < nr_p2m_pages; i++)
		p2m_fl[i / P2M_PER_PAGE][i % P2M_PER_PAGE] =
			arbitrary_virt_to_mfn(p2m + i * P2M_PER_PAGE);
	for (i = 0; i < nr_fl_pages; i++)
		p2m_fll[i] = virt_to_mfn(p2m_fl[i]);

	HYPERVISOR_shared_info->arch.max_pfn = size;
	HYPERVISOR_shared_info->arch.pfn_to_mfn_frame_list_list =
		virt_to_mfn(p2m_fll);
}

static int __init xen_p2m_publish_init(void)
{
	if (xen_pv_domain())
		xen_p2m_publish_frame_list();
	return 0;
}
arch_initcall(xen_p2m_publish_init);
