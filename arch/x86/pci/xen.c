// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts of PCI and ACPI devices in a PV dom0.
 *
 * Xen owns the IO-APICs, so dom0 cannot program an interrupt line itself.
 * It asks Xen to route a GSI to it as a "pirq" (PHYSDEVOP_map_pirq), tells
 * it the trigger mode and polarity the firmware gave (PHYSDEVOP_setup_gsi),
 * and binds an event channel to the pirq (drivers/xen/events.c).  ACPI
 * hands every GSI registration to __acpi_register_gsi, which we point here.
 *
 * The ACPI SCI is registered before ACPI looks for it: without a local APIC
 * ACPI runs in PIC mode and takes the SCI's GSI as its IRQ number as is.
 */
#include <linux/acpi.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/pci.h>

#include <asm/acpi.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/xen.h>
#include <xen/interface/physdev.h>

#ifdef CONFIG_ACPI
static int xen_route_gsi(u32 gsi, bool level, bool active_low)
{
	struct physdev_map_pirq map = {
		.domid = DOMID_SELF,
		.type = MAP_PIRQ_TYPE_GSI,
		.index = gsi,
		.pirq = gsi,
	};
	struct physdev_setup_gsi setup = {
		.gsi = gsi,
		.triggering = level,
		.polarity = active_low,
	};
	int rc;

	rc = HYPERVISOR_physdev_op(PHYSDEVOP_map_pirq, &map);
	if (rc) {
		pr_warn("xen: cannot map GSI %u to a pirq: %d\n", gsi, rc);
		return rc;
	}
	rc = HYPERVISOR_physdev_op(PHYSDEVOP_setup_gsi, &setup);
	if (rc && rc != -EEXIST)
		pr_warn("xen: cannot set up GSI %u: %d\n", gsi, rc);
	return xen_bind_pirq_gsi_to_irq(gsi, map.pirq, level,
					level ? "ioapic-level" : "ioapic-edge");
}

static int xen_acpi_register_gsi(struct device *dev, u32 gsi, int trigger,
				 int polarity)
{
	return xen_route_gsi(gsi, trigger == ACPI_LEVEL_SENSITIVE,
			     polarity == ACPI_ACTIVE_LOW);
}

static int __init xen_dom0_acpi_irqs(void)
{
	u32 sci;
	int irq;

	if (!xen_initial_domain() || acpi_disabled)
		return 0;
	__acpi_register_gsi = xen_acpi_register_gsi;
	__acpi_unregister_gsi = NULL;

	sci = acpi_gbl_FADT.sci_interrupt;
	if (!sci)
		return 0;
	/* The SCI is level triggered, active low, unless firmware says. */
	irq = xen_route_gsi(sci, true, true);
	if (irq >= 0 && irq != sci)
		pr_warn("xen: ACPI SCI (GSI %u) got IRQ %d\n", sci, irq);
	return 0;
}
arch_initcall(xen_dom0_acpi_irqs);
#endif

#ifdef CONFIG_XEN_PV_DOM0
/* After resume Xen restores the MSI state of a device it owns, on request. */
bool xen_initdom_restore_msi(struct pci_dev *dev)
{
	struct physdev_restore_msi restore;

	if (!xen_initial_domain())
		return true;
	restore.bus = dev->bus->number;
	restore.devfn = dev->devfn;
	HYPERVISOR_physdev_op(PHYSDEVOP_restore_msi, &restore);
	return false;
}
#endif
