/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 Xen interface as Linux code sees it.
 *
 * Xen's public headers (from libxen-dev, placed in include/xen/interface/
 * by the build) define the ABI: structures, hypercall numbers, flags.
 * Including <xen/interface/xen.h> brings in the x86 part (arch-x86/xen.h
 * and xen-x86_64.h) too; this header exists because generic code, such as
 * the PVH entry in arch/x86/platform/pvh, asks for it by this name.
 */
#ifndef _ASM_X86_XEN_INTERFACE_H
#define _ASM_X86_XEN_INTERFACE_H

#include <linux/types.h>
#include <xen/interface/xen.h>

#endif /* _ASM_X86_XEN_INTERFACE_H */
