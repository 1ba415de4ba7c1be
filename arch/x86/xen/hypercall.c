// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls whose number is only known at run time: the multicall
 * batcher's single-entry path and privcmd.  Everything else calls its
 * stub directly (asm/xen/hypercall.h).
 */
#include <linux/export.h>
#include <asm/nospec-branch.h>
#include <asm/page.h>
#include <asm/xen/hypercall.h>

/*
 * The typed wrappers call into the page directly, so a driver built as
 * a module (xen-privcmd, xen-evtchn ...) needs its address.
 */
EXPORT_SYMBOL_GPL(hypercall_page);

long xen_hypercall_dynamic(unsigned long nr, unsigned long a1,
			   unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5)
{
	register unsigned long r1 asm(XEN_HCALL_REG1) = a1;
	register unsigned long r2 asm(XEN_HCALL_REG2) = a2;
	register unsigned long r3 asm(XEN_HCALL_REG3) = a3;
	register unsigned long r4 asm(XEN_HCALL_REG4) = a4;
	register unsigned long r5 asm(XEN_HCALL_REG5) = a5;
	void *stub = &hypercall_page[nr];
	long ret;

	if (nr >= PAGE_SIZE / sizeof(struct xen_hypercall_stub))
		return -EINVAL;
	asm volatile(CALL_NOSPEC
		     : "=a" (ret), "+r" (r1), "+r" (r2), "+r" (r3),
		       "+r" (r4), "+r" (r5), ASM_CALL_CONSTRAINT
		     : [thunk_target] "a" (stub)
		     : "memory");
	return ret;
}
EXPORT_SYMBOL_GPL(xen_hypercall_dynamic);
