// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC and the IO-APICs of a PV guest.
 *
 * A PV guest has no local APIC (xen_cpuid() hides it), so Linux switches
 * to its no-op APIC driver, and IPIs and timers are event channels.  dom0
 * still sees the machine's IO-APICs in the ACPI tables; only Xen may
 * touch their registers, and dom0 reads them (firmware parsing needs the
 * version and ID registers) through PHYSDEVOP_apic_read.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/bitmap.h>

#include <asm/io_apic.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>

#include <xen/xen.h>
#include <xen/interface/physdev.h>

#include "xen-ops.h"

#ifdef CONFIG_X86_IO_APIC
static unsigned int xen_io_apic_read(unsigned int apic, unsigned int reg)
{
	struct physdev_apic op = {
		.apic_physbase = mpc_ioapic_addr(apic),
		.reg = reg,
	};

	if (HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, &op))
		/* Reads as "version 0x20, 24 pins", a plausible IO-APIC. */
		return reg == 0x1 ? 0x00170020 : 0;
	return op.value;
}
#endif

void __init xen_init_apic(void)
{
#ifdef CONFIG_X86_IO_APIC
	if (xen_initial_domain())
		x86_apic_ops.io_apic_read = xen_io_apic_read;
#endif
}
