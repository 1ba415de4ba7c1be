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
/*
 * When Xen will not read an IO-APIC register for us, we do not invent a
 * chip: we answer what a bus with no chip behind it reads, all ones.
 * Linux then drops the IO-APIC itself ("registers return all ones,
 * skipping", mp_register_ioapic()) rather than sizing a GSI range from a
 * pin count nobody knows.  Xen refuses for a reason that holds for every
 * register of the chip (no privilege, an address it does not know), so
 * all of them read as ones and the skip test, which wants registers 0-2
 * all ones, sees a missing chip.
 */
static unsigned int xen_io_apic_read(unsigned int apic, unsigned int reg)
{
	struct physdev_apic op = {
		.apic_physbase = mpc_ioapic_addr(apic),
		.reg = reg,
	};
	int rc = HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, &op);

	if (rc) {
		pr_warn_once("xen: IO-APIC at %#lx unreadable (%d): treated as absent\n",
			     op.apic_physbase, rc);
		return ~0U;
	}
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
