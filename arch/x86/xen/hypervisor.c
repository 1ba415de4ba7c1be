// SPDX-License-Identifier: GPL-2.0
/*
 * What every kind of Xen guest knows about its hypervisor: the kind of
 * domain it is, Xen's version, the shared info page, and how to give up
 * when Xen will not do what we need.  The PV start of day (enlighten.c)
 * and the PVH one (pvh.c, hvm.c) both fill these in.
 */
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/features.h>
#include <xen/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/version.h>

#include "xen-ops.h"

/*
 * The oldest Xen we accept.  4.6 (2015) has everything we use:
 * VCPUOP_register_vcpu_info, the 2-level event ABI, XENMEM_memory_map.
 */
#define XEN_MIN_MAJOR	4
#define XEN_MIN_MINOR	6

enum xen_domain_type xen_domain_type __ro_after_init = XEN_NATIVE;
EXPORT_SYMBOL_GPL(xen_domain_type);
u32 xen_start_flags __ro_after_init;
EXPORT_SYMBOL(xen_start_flags);

/*
 * Where the shared info page is mapped: PV and PVH guests each place it
 * their own way (enlighten.c, hvm.c).
 */
struct shared_info *HYPERVISOR_shared_info;
EXPORT_SYMBOL_GPL(HYPERVISOR_shared_info);

/* Learnt before .bss is cleared on the PVH path: kept out of it. */
static unsigned int xen_version_major __ro_after_init;
static unsigned int xen_version_minor __ro_after_init;

bool xen_running_on(unsigned int major, unsigned int minor)
{
	return xen_version_major > major ||
	       (xen_version_major == major && xen_version_minor >= minor);
}

/*
 * Give up now, with a reason on the console, rather than hang.  Does not
 * return (objtool cannot see that across objects, so it is not declared
 * __noreturn).
 */
void xen_crash_now(const char *why)
{
	struct sched_shutdown shutdown = { .reason = SHUTDOWN_crash };

	xen_early_printf("xen: %s\n", why);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);
}

void __init xen_learn_version(void)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);

	xen_version_major = v >> 16;
	xen_version_minor = v & 0xffff;
	if (!xen_running_on(XEN_MIN_MAJOR, XEN_MIN_MINOR)) {
		xen_early_printf("xen: this kernel needs Xen %u.%u or later, found %u.%u\n",
				 XEN_MIN_MAJOR, XEN_MIN_MINOR,
				 xen_version_major, xen_version_minor);
		xen_crash_now("hypervisor too old");
	}
}

/*
 * x86_init.oem.banner, once setup_arch() has a console: one line for
 * bug reports saying what we run on.  XENVER_version gives major << 16
 * | minor, XENVER_extraversion the rest of the version string (".3",
 * "-rc"); the kind of guest and its role decide most of what this
 * kernel does differently; and whether Xen's PTE updates can keep the
 * accessed/dirty bits (XENFEAT_mmu_pt_update_preserve_ad) decides how
 * the MMU code updates a live PTE.
 */
void __init xen_banner(void)
{
	xen_extraversion_t extra;

	if (HYPERVISOR_xen_version(XENVER_extraversion, extra) < 0)
		extra[0] = '\0';
	/* Xen fills the array; the end is ours to make sure of. */
	extra[sizeof(extra) - 1] = '\0';
	pr_info("xen: %s %s on Xen %u.%u%s%s\n",
		xen_pv_domain() ? "PV" : "PVH",
		xen_initial_domain() ? "dom0" : "domU",
		xen_version_major, xen_version_minor, extra,
		xen_feature(XENFEAT_mmu_pt_update_preserve_ad) ?
		", PTE updates keep A/D bits" : "");
}

/*
 * Any hypercall will do: on the way back to the guest Xen delivers the
 * events pending on this vCPU (a PV upcall, or the HVM callback vector
 * while evtchn_upcall_pending is set).
 */
void xen_force_evtchn_callback(void)
{
	HYPERVISOR_xen_version(0, NULL);
}
