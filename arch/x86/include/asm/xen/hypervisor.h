/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 Xen: what generic x86 code needs to know about the hypervisor.
 *
 * asm/hypervisor.h includes this for every kernel built with
 * CONFIG_HYPERVISOR_GUEST, Xen support or not, so it must stay light.
 */
#ifndef _ASM_X86_XEN_HYPERVISOR_H
#define _ASM_X86_XEN_HYPERVISOR_H

#include <linux/percpu.h>
#include <asm/processor.h>

/*
 * Xen announces itself at CPUID leaf 0x40000000 (or a multiple of 0x100
 * above it, when it also emulates another hypervisor's leaves) with the
 * signature "XenVMMXenVMM" and at least two further leaves.  Returns the
 * base leaf, or 0 when not running on Xen.
 */
static inline u32 xen_cpuid_base(void)
{
	return hypervisor_cpuid_base("XenVMMXenVMM", 2);
}

struct pci_dev;
struct shared_info;
struct start_info;

#ifdef CONFIG_XEN
extern struct shared_info *HYPERVISOR_shared_info;

/* Per-CPU: where this vCPU's vcpu_info is, and Xen's number for it. */
DECLARE_PER_CPU(struct vcpu_info *, xen_vcpu);
DECLARE_PER_CPU(u32, xen_vcpu_id);

static inline u32 xen_vcpu_nr(int cpu)
{
	return per_cpu(xen_vcpu_id, cpu);
}

/* Deliver events that arrived while masked. */
void xen_force_evtchn_callback(void);

/* Raw console output that works from the first instruction (domU too). */
void xen_early_write(const char *s, unsigned int len);
/* PVH: the console ring, once mapped, for that output. */
struct xencons_interface;
void xen_early_console_ring(struct xencons_interface *ring, u32 port);
#endif

#ifdef CONFIG_XEN_PV
extern struct start_info *xen_start_info;

/* The pseudo-physical frame list is set up: safe to translate frames. */
extern bool xen_on_own_pagetables;
#endif

/*
 * MSI restore after resume: in a PV dom0 Xen owns the MSI registers and
 * restores them itself.  True means "let the architecture restore them".
 */
#ifdef CONFIG_XEN_PV_DOM0
bool xen_initdom_restore_msi(struct pci_dev *dev);
#else
static inline bool xen_initdom_restore_msi(struct pci_dev *dev)
{
	return true;
}
#endif

#endif /* _ASM_X86_XEN_HYPERVISOR_H */
