// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls whose number is only known at run time: the multicall
 * batcher's single-entry path and privcmd.  Everything else calls its
 * stub directly (asm/xen/hypercall.h).
 */
#include <linux/export.h>
#include <linux/nospec.h>
#include <asm/nospec-branch.h>
#include <asm/page.h>
#include <asm/xen/hypercall.h>

/*
 * The typed wrappers call into the page directly, so a driver built as
 * a module (xen-privcmd, xen-evtchn ...) needs its address.
 */
EXPORT_SYMBOL_GPL(hypercall_page);

/* The stubs the page holds: Xen fills one page, 32 bytes a stub. */
#define XEN_HYPERCALL_STUBS	(PAGE_SIZE / sizeof(struct xen_hypercall_stub))

/*
 * The same register binding as xen_hypercall() (asm/xen/hypercall.h), but
 * the stub's address is a value, so the call is an indirect one, through
 * the retpoline where the kernel uses those; the address goes in eax/rax,
 * which the stub overwrites with the number and Xen with the result.
 */
static long call_stub(const struct xen_hypercall_stub *stub,
		      unsigned long a1, unsigned long a2, unsigned long a3,
		      unsigned long a4, unsigned long a5)
{
	long ret;
#ifdef CONFIG_X86_64
	register unsigned long in_r10 asm("r10") = a4;
	register unsigned long in_r8 asm("r8") = a5;

	asm volatile(CALL_NOSPEC
		     : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3),
		       "+r" (in_r10), "+r" (in_r8), ASM_CALL_CONSTRAINT
		     : [thunk_target] "a" (stub)
		     : "memory");
#else
	asm volatile(CALL_NOSPEC
		     : "=a" (ret), "+b" (a1), "+c" (a2), "+d" (a3),
		       "+S" (a4), "+D" (a5), ASM_CALL_CONSTRAINT
		     : [thunk_target] "a" (stub)
		     : "memory");
#endif
	return ret;
}

long xen_hypercall_dynamic(unsigned long nr, unsigned long a1,
			   unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5)
{
	/* privcmd's number comes from user space: no stub past the page. */
	if (nr >= XEN_HYPERCALL_STUBS)
		return -EINVAL;
	nr = array_index_nospec(nr, XEN_HYPERCALL_STUBS);
	return call_stub(&hypercall_page[nr], a1, a2, a3, a4, a5);
}
EXPORT_SYMBOL_GPL(xen_hypercall_dynamic);
