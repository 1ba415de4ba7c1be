/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering and leaving a 64-bit PV kernel.
 *
 * Xen delivers every exception, event and system call to the address we
 * registered, on the kernel stack, with the frame a CPU would push plus two
 * words on top: the interrupted %rcx and %r11 (Xen's own return path used
 * them).  Below them: [error code,] rip, cs, rflags, rsp, ss.  In cs, the
 * RPL is 0 when the kernel was interrupted and bits 32-39 hold the event
 * mask Xen saved; rflags.IF is the inverse of that mask.  So after popping
 * %rcx and %r11 the frame is what Linux's native entry code expects, and
 * each trap can go straight on to its asm_exc_* entry.
 *
 * Leaving is always the iret hypercall: the kernel runs in ring 3 and
 * cannot load the saved cs (RPL 0) or the event mask itself.  Xen reads
 * the frame [flags, rip, cs, rflags, rsp, ss] from our stack, where the
 * hypercall page's iret stub pushes rax, r11 and rcx on top of it.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/asm-offsets.h>
#include <asm/page_types.h>
#include <asm/percpu.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>
#include <asm/frame.h>

#include <xen/interface/xen.h>

#include "../entry/calling.h"

/*
 * xen_trap_entry: the Xen-side door of one entry point.  Drop Xen's
 * %rcx/%r11 words and continue in the native asm entry.
 */
.macro xen_trap_entry target
SYM_CODE_START(xen_asm_\target)
	UNWIND_HINT_EMPTY
	ENDBR
	popq	%rcx
	popq	%r11
	jmp	asm_\target
SYM_CODE_END(xen_asm_\target)
.endm

	.pushsection .text, "ax"

	/* The exceptions, in vector order; the IST ones go to xenpv_*. */
.irp door, exc_divide_error, xenpv_exc_debug, xenpv_exc_nmi, exc_int3, \
	exc_overflow, exc_bounds, exc_invalid_op, exc_device_not_available, \
	xenpv_exc_double_fault, exc_coproc_segment_overrun, exc_invalid_tss, \
	exc_segment_not_present, exc_stack_segment, exc_general_protection, \
	exc_page_fault, exc_spurious_interrupt_bug, exc_coprocessor_error, \
	exc_alignment_check, exc_simd_coprocessor_error
	xen_trap_entry \door
.endr
#ifdef CONFIG_X86_MCE
	xen_trap_entry xenpv_exc_machine_check
#endif
#ifdef CONFIG_IA32_EMULATION
	xen_trap_entry int80_emulation
#endif
	/* Events (Xen's interrupts), and anything unexpected. */
	xen_trap_entry exc_xen_hypervisor_callback
	xen_trap_entry exc_xen_unknown_trap

/*
 * iret through Xen.  Entered by jmp with an iret frame on the stack;
 * flags 0 asks Xen to restore %rcx and %r11 from the frame too.
 */
SYM_CODE_START(xen_iret)
	UNWIND_HINT_EMPTY
	ANNOTATE_NOENDBR
	pushq	$0
	jmp	hypercall_page + __HYPERVISOR_iret * 32
SYM_CODE_END(xen_iret)

/*
 * Return to user mode.  entry_64.S jumps here (X86_FEATURE_XENPV) with
 * pt_regs on the stack: no swapgs (Xen switches %gs bases itself), no cr3
 * switch (Xen loads the user page tables).
 */
SYM_CODE_START(xenpv_restore_regs_and_return_to_usermode)
	UNWIND_HINT_REGS
	POP_REGS
	/* orig_ax */
	addq	$8, %rsp
	UNWIND_HINT_IRET_REGS
	jmp	xen_iret
SYM_CODE_END(xenpv_restore_regs_and_return_to_usermode)

/*
 * System calls.  Xen gives us the frame the syscall (or sysenter)
 * instruction implies: %rcx = user rip and %r11 = user rflags, also in
 * the frame, with Xen's own flat selectors in the frame's cs and ss.  Put
 * Linux's user selectors there, so ptrace and signal code see the frame
 * native entry would have built, and join the native path after its
 * hardware-frame step.
 */
#define FRAME_CS	(1 * 8)
#define FRAME_SS	(4 * 8)

.macro xen_syscall_door name, cs, ss, native
SYM_CODE_START(\name)
	UNWIND_HINT_EMPTY
	ENDBR
	popq	%rcx
	popq	%r11
	movq	$\ss, FRAME_SS(%rsp)
	movq	$\cs, FRAME_CS(%rsp)
	jmp	\native
SYM_CODE_END(\name)
.endm

	xen_syscall_door xen_syscall_entry, __USER_CS, __USER_DS, entry_SYSCALL_64_after_hwframe
#ifdef CONFIG_IA32_EMULATION
	xen_syscall_door xen_syscall32_entry, __USER32_CS, __USER32_DS, entry_SYSCALL_compat_after_hwframe
	xen_syscall_door xen_sysenter32_entry, __USER32_CS, __USER32_DS, entry_SYSENTER_compat_after_hwframe
#endif

/*
 * A secondary vCPU starts here, on its idle stack with %gs already set
 * (both come from the context VCPUOP_initialise was given).
 */
SYM_CODE_START(xen_secondary_entry)
	UNWIND_HINT_EMPTY
	ENDBR
	call	xen_secondary_start
	ud2
SYM_CODE_END(xen_secondary_entry)

/* A vCPU back from VCPUOP_down starts over on its empty idle stack. */
SYM_CODE_START(xen_secondary_restart)
	UNWIND_HINT_FUNC
	ENDBR
	movq	%rdi, %rsp
	jmp	xen_secondary_entry
SYM_CODE_END(xen_secondary_restart)

/*
 * The interrupt flag once vcpu_info is per-cpu (irq.c): one %gs-relative
 * instruction each, so preemption cannot send them to another CPU's
 * byte.  They follow the callee-save convention of pv_ops: only %rax may
 * change.
 */
#define VCPU_MASK	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_mask)
#define VCPU_PENDING	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_pending)
#define VCPU_CR2	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_arch_cr2)

SYM_FUNC_START(xen_irq_disable_percpu)
	movb	$1, VCPU_MASK
	RET
SYM_FUNC_END(xen_irq_disable_percpu)

SYM_FUNC_START(xen_irq_enable_percpu)
	FRAME_BEGIN
	movb	$0, VCPU_MASK
	/* An event that came while masked is only pending: fetch it. */
	cmpb	$0, VCPU_PENDING
	je	1f
	call	__raw_callee_save_xen_check_events
1:	FRAME_END
	RET
SYM_FUNC_END(xen_irq_enable_percpu)

/*
 * The flags as Linux wants them: X86_EFLAGS_IF when events are unmasked
 * (mask byte 0), nothing when masked (any other value: Xen reads the
 * byte as a boolean).  Without a branch: comparing the mask with 1
 * borrows exactly when it is 0, sbb turns the borrow into all ones or
 * all zeroes, and the and keeps bit 9 of that.
 */
SYM_FUNC_START(xen_save_fl_percpu)
	cmpb	$1, VCPU_MASK
	sbbl	%eax, %eax
	andl	$X86_EFLAGS_IF, %eax
	RET
SYM_FUNC_END(xen_save_fl_percpu)

SYM_FUNC_START(xen_read_cr2_percpu)
	movq	VCPU_CR2, %rax
	RET
SYM_FUNC_END(xen_read_cr2_percpu)

	.popsection
