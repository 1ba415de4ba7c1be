/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen PV entry point and the ELF notes Xen's domain builder reads.
 *
 * arch/x86/kernel/head_64.S includes this file unconditionally, so it
 * must assemble to nothing when CONFIG_XEN_PV is off.
 */
#ifdef CONFIG_XEN_PV
#error "The Xen PV entry point is not written yet"
#endif
