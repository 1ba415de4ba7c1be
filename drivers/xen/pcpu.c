// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's physical CPUs, as dom0 sees them through Xen.
 *
 * dom0 runs on vCPUs, but ACPI describes the physical processors, and
 * ACPI code in dom0 asks whether a processor of a given ACPI id exists
 * even when no vCPU of ours corresponds to it.  Xen knows
 * (XENPF_get_cpuinfo).
 */
#include <linux/init.h>
#include <linux/kernel.h>

#include <asm/xen/hypercall.h>

#include <xen/xen.h>
#include <xen/interface/platform.h>

bool __init xen_processor_present(u32 acpi_id)
{
	struct xen_platform_op op = { .cmd = XENPF_get_cpuinfo };
	unsigned int cpu, last = 0;

	for (cpu = 0; cpu <= last; cpu++) {
		op.u.pcpu_info.xen_cpuid = cpu;
		if (HYPERVISOR_platform_op(&op))
			return false;
		last = op.u.pcpu_info.max_present;
		if (op.u.pcpu_info.acpi_id == acpi_id &&
		    !(op.u.pcpu_info.flags & XEN_PCPU_FLAGS_INVALID))
			return true;
	}
	return false;
}
