/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How Xen finds, loads and enters a PV kernel.
 *
 * Xen's domain builders (the hypervisor's for dom0, libxenguest's for a
 * domU) read the ELF notes below to learn that this image is a PV kernel,
 * where it wants to be mapped, where to enter it and where to put the
 * hypercall page.  They then map the image at its virtual address, put the
 * start_info page, the initial p2m list, a set of page tables and a boot
 * stack after it, and jump to startup_xen with %rsi pointing at start_info
 * and event delivery masked.
 *
 * A PVH kernel is entered elsewhere (arch/x86/platform/pvh/head.S) and
 * only shares the hypercall page with PV.
 *
 * arch/x86/kernel/head_64.S (and head_32.S for i386, which has PVH only)
 * includes this file, so it must assemble to nothing without CONFIG_XEN.
 */
#ifdef CONFIG_XEN

#include <linux/elfnote.h>
#include <linux/init.h>
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/page_types.h>
#include <asm/percpu.h>
#include <asm/pgtable_types.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>

#include <xen/interface/elfnote.h>
#include <xen/interface/features.h>
#include <xen/interface/xen.h>

#ifdef CONFIG_XEN_PV
/*
 * Entry: %rsi = start_info, %rsp = the boot stack inside Xen's mappings.
 *
 * Before any C code runs we need our own stack and %gs: every per-cpu
 * access (and the stack protector) goes through the %gs base, which on
 * the boot CPU must point at the static per-cpu area linked into the
 * image until setup_per_cpu_areas() moves it.  A PV kernel cannot write
 * the GS base MSR itself; the set_segment_base hypercall does it, and the
 * hypercall page is already in place because Xen filled it before entry.
 */
	__INIT
SYM_CODE_START(startup_xen)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	cld
	movq	initial_stack(%rip), %rsp
	movq	%rsi, %rbx

	movl	$SEGBASE_GS_KERNEL, %edi
	movq	initial_gs(%rip), %rsi
	call	hypercall_page + __HYPERVISOR_set_segment_base * 32

	/* xen_start_kernel() does not return (objtool knows it). */
	movq	%rbx, %rdi
	call	xen_start_kernel
SYM_CODE_END(startup_xen)
	__FINIT
#endif /* CONFIG_XEN_PV */

/*
 * The hypercall page.  Xen overwrites it with one 32-byte stub per
 * hypercall: for a PV guest when it builds the domain (the note below
 * says where the page is), for a PVH guest when the kernel writes the
 * page's address to Xen's hypercall MSR (pvh.c).  Until then (and for
 * objtool) each slot is a function that returns at once.
 */
.macro xen_unfilled_hypercall_slot
	UNWIND_HINT_FUNC
	ANNOTATE_NOENDBR
	ANNOTATE_UNRET_SAFE
	ret
	.fill	31, 1, 0xcc
.endm

	.pushsection .noinstr.text, "ax"
	.balign PAGE_SIZE
SYM_CODE_START(hypercall_page)
	.rept	PAGE_SIZE / 32
	xen_unfilled_hypercall_slot
	.endr
SYM_CODE_END(hypercall_page)
	.popsection

#ifdef CONFIG_XEN_PV
/*
 * The notes.  Strings are NUL-terminated; numbers are 64-bit.
 *
 * FEATURES: "!writable_page_tables" requires Xen to emulate a direct
 *   write to a read-only page-table page (Linux's generic code does a few,
 *   e.g. ptep_get_and_clear()); every 64-bit PV Xen does.
 * L1_MFN_VALID: a present L1 entry holds a machine frame; the toolstack
 *   rewrites those when it saves and restores the domain.
 * SUSPEND_CANCEL: we can resume in the same domain when a save fails.
 * MOD_START_PFN: give us the initrd as a frame number instead of mapping
 *   it into the boot area; we map it ourselves.
 */
	ELFNOTE(Xen, XEN_ELFNOTE_GUEST_OS,	.asciz "linux")
	ELFNOTE(Xen, XEN_ELFNOTE_GUEST_VERSION,	.asciz "2.6")
	ELFNOTE(Xen, XEN_ELFNOTE_XEN_VERSION,	.asciz "xen-3.0")
	ELFNOTE(Xen, XEN_ELFNOTE_LOADER,	.asciz "generic")
	ELFNOTE(Xen, XEN_ELFNOTE_PAE_MODE,	.asciz "yes")
	ELFNOTE(Xen, XEN_ELFNOTE_FEATURES,	.asciz "!writable_page_tables")
	ELFNOTE(Xen, XEN_ELFNOTE_VIRT_BASE,	_ASM_PTR __START_KERNEL_map)
	ELFNOTE(Xen, XEN_ELFNOTE_PADDR_OFFSET,	_ASM_PTR 0)
	ELFNOTE(Xen, XEN_ELFNOTE_ENTRY,		_ASM_PTR startup_xen)
	ELFNOTE(Xen, XEN_ELFNOTE_HYPERCALL_PAGE, _ASM_PTR hypercall_page)
	ELFNOTE(Xen, XEN_ELFNOTE_L1_MFN_VALID,
		.quad _PAGE_PRESENT; .quad _PAGE_PRESENT)
	ELFNOTE(Xen, XEN_ELFNOTE_SUSPEND_CANCEL, .long 1)
	ELFNOTE(Xen, XEN_ELFNOTE_MOD_START_PFN,	.long 1)
#endif /* CONFIG_XEN_PV */

#endif /* CONFIG_XEN */
