/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calling Xen.
 *
 * Xen writes a "hypercall page" into the guest, one 32-byte stub per
 * hypercall number: a PV kernel names the page in its
 * XEN_ELFNOTE_HYPERCALL_PAGE note and Xen fills it when it builds the
 * domain; a PVH kernel asks for it by writing the page's address to the
 * MSR that CPUID leaf base+2 names (arch/x86/xen/pvh.c).  The stub does
 * what the guest's mode needs: in a 64-bit PV kernel, which runs in
 * ring 3, "push rcx; push r11; mov $nr, eax; syscall; pop r11; pop rcx;
 * ret"; in an HVM container "mov $nr, eax; vmcall; ret" (vmmcall on
 * AMD).  Either way the guest just calls stub number N.
 *
 * Which registers carry the arguments depends on the guest's word size,
 * the same for PV and HVM: a 64-bit guest passes them in rdi, rsi, rdx,
 * r10 and r8 (r10, not rcx, because syscall clobbers rcx), a 32-bit one
 * in ebx, ecx, edx, esi and edi.  The result comes back in rax/eax, and
 * Xen may change the argument registers.
 *
 * Every wrapper below is one "call hypercall_page + N*32" with the
 * argument registers bound to the arguments.  The numbers, structures and
 * sub-operations are Xen's public ABI (include/xen/interface/).
 */
#ifndef _ASM_X86_XEN_HYPERCALL_H
#define _ASM_X86_XEN_HYPERCALL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/asm.h>

#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/physdev.h>
#include <xen/interface/platform.h>
#include <xen/interface/xen-compat.h>

struct xen_hypercall_stub {
	char code[32];
};

extern struct xen_hypercall_stub hypercall_page[];

/*
 * xen_hypercall(nr, a1 .. a5): nr must be a compile-time constant, so the
 * call goes straight to its stub.  Unused arguments are passed as 0 and
 * cost one register clear each.
 *
 * Each word size has its own asm statement.  i386 names all five argument
 * registers by constraint letter; they are every general register but
 * eax (number and result), esp and ebp (the frame pointer), which is why
 * the stub is addressed by an immediate.  x86-64 has letters for rdi, rsi
 * and rdx only, so the fourth and fifth arguments are register variables
 * pinned to r10 and r8.
 */
#ifdef CONFIG_X86_64
static __always_inline long xen_hypercall(unsigned int nr,
					  unsigned long a1, unsigned long a2,
					  unsigned long a3, unsigned long a4,
					  unsigned long a5)
{
	register unsigned long in_r10 asm("r10") = a4;
	register unsigned long in_r8 asm("r8") = a5;
	long ret;

	asm volatile("call hypercall_page + %c[stub]"
		     : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3),
		       "+r" (in_r10), "+r" (in_r8), ASM_CALL_CONSTRAINT
		     : [stub] "i" (nr * sizeof(struct xen_hypercall_stub))
		     : "memory");
	return ret;
}
#else
static __always_inline long xen_hypercall(unsigned int nr,
					  unsigned long a1, unsigned long a2,
					  unsigned long a3, unsigned long a4,
					  unsigned long a5)
{
	long ret;

	asm volatile("call hypercall_page + %c[stub]"
		     : "=a" (ret), "+b" (a1), "+c" (a2), "+d" (a3),
		       "+S" (a4), "+D" (a5), ASM_CALL_CONSTRAINT
		     : [stub] "i" (nr * sizeof(struct xen_hypercall_stub))
		     : "memory");
	return ret;
}
#endif

#define xen_hcall0(nr)		xen_hypercall(nr, 0, 0, 0, 0, 0)
#define xen_hcall1(nr, a)	xen_hypercall(nr, (unsigned long)(a), 0, 0, 0, 0)
#define xen_hcall2(nr, a, b)	xen_hypercall(nr, (unsigned long)(a), \
					      (unsigned long)(b), 0, 0, 0)
#define xen_hcall3(nr, a, b, c)	xen_hypercall(nr, (unsigned long)(a), \
					      (unsigned long)(b), \
					      (unsigned long)(c), 0, 0)
#define xen_hcall4(nr, a, b, c, d) \
	xen_hypercall(nr, (unsigned long)(a), (unsigned long)(b), \
		      (unsigned long)(c), (unsigned long)(d), 0)
#define xen_hcall5(nr, a, b, c, d, e) \
	xen_hypercall(nr, (unsigned long)(a), (unsigned long)(b), \
		      (unsigned long)(c), (unsigned long)(d), (unsigned long)(e))

/* A hypercall whose number is only known at run time (privcmd). */
long xen_hypercall_dynamic(unsigned long nr, unsigned long a1,
			   unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5);

/*
 * The typed wrappers carry the names Xen's guest interface has always
 * used, so that drivers written for Linux-on-Xen build unchanged.
 */
static inline int HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline int HYPERVISOR_console_io(int cmd, int count, const char *str)
{
	return xen_hcall3(__HYPERVISOR_console_io, cmd, count, str);
}

static inline int HYPERVISOR_physdev_op(int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_physdev_op, cmd, arg);
}

static inline int HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
					    unsigned int count)
{
	return xen_hcall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline int HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return xen_hcall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline int HYPERVISOR_vcpu_op(int cmd, int vcpu, void *arg)
{
	return xen_hcall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_sched_op, cmd, arg);
}

/*
 * Ask to be saved: SCHEDOP_shutdown(SHUTDOWN_suspend), with the mfn of
 * start_info for the toolstack in the third argument.  Returns 0 when
 * running again in a restored domain, 1 when the suspend was cancelled
 * and this same domain goes on.
 */
static inline int HYPERVISOR_suspend(unsigned long start_info_mfn)
{
	struct sched_shutdown r = { .reason = SHUTDOWN_suspend };

	return xen_hcall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &r,
			  start_info_mfn);
}

static inline unsigned long HYPERVISOR_hvm_op(int op, void *arg)
{
	return xen_hcall2(__HYPERVISOR_hvm_op, op, arg);
}

static inline int HYPERVISOR_xenpmu_op(unsigned int op, void *arg)
{
	return xen_hcall2(__HYPERVISOR_xenpmu_op, op, arg);
}

static inline int HYPERVISOR_dm_op(domid_t dom, unsigned int nr_bufs,
				   void *bufs)
{
	return xen_hcall3(__HYPERVISOR_dm_op, dom, nr_bufs, bufs);
}

/*
 * dom0 only.  The platform op carries the interface version in the
 * structure; fill it here so no caller can forget.
 */
static inline int HYPERVISOR_platform_op(struct xen_platform_op *op)
{
	op->interface_version = XENPF_INTERFACE_VERSION;
	return xen_hcall1(__HYPERVISOR_platform_op, op);
}

#ifdef CONFIG_XEN_PV
/*
 * The PV guest's own interface: page tables, descriptor tables, traps,
 * callbacks and the batching of all these.  Several take a 64-bit value
 * (a PTE, a descriptor, a machine address) in one argument register, as
 * only a 64-bit guest can; Linux has no 32-bit PV guest, so a 32-bit
 * caller fails to build instead of silently truncating them.
 */
static inline int HYPERVISOR_set_trap_table(struct trap_info *table)
{
	return xen_hcall1(__HYPERVISOR_set_trap_table, table);
}

static inline int HYPERVISOR_mmu_update(struct mmu_update *req, int count,
					int *success_count, domid_t domid)
{
	return xen_hcall4(__HYPERVISOR_mmu_update, req, count,
			  success_count, domid);
}

static inline int HYPERVISOR_mmuext_op(struct mmuext_op *op, int count,
				       int *success_count, domid_t domid)
{
	return xen_hcall4(__HYPERVISOR_mmuext_op, op, count,
			  success_count, domid);
}

static inline int HYPERVISOR_set_gdt(unsigned long *frames, int entries)
{
	return xen_hcall2(__HYPERVISOR_set_gdt, frames, entries);
}

static inline int HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
	return xen_hcall2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline int HYPERVISOR_fpu_taskswitch(int set)
{
	return xen_hcall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline int HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
	return xen_hcall2(__HYPERVISOR_set_debugreg, reg, value);
}

static inline unsigned long HYPERVISOR_get_debugreg(int reg)
{
	return xen_hcall1(__HYPERVISOR_get_debugreg, reg);
}

static inline int HYPERVISOR_update_descriptor(u64 maddr, u64 desc)
{
	return xen_hcall2(__HYPERVISOR_update_descriptor, maddr, desc);
}

static inline int HYPERVISOR_multicall(struct multicall_entry *calls,
				       unsigned int nr)
{
	return xen_hcall2(__HYPERVISOR_multicall, calls, nr);
}

static inline int HYPERVISOR_update_va_mapping(unsigned long va, u64 pte,
					       unsigned long flags)
{
	return xen_hcall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline int HYPERVISOR_set_segment_base(int which, unsigned long base)
{
	return xen_hcall2(__HYPERVISOR_set_segment_base, which, base);
}

static inline int HYPERVISOR_callback_op(int cmd, void *arg)
{
	return xen_hcall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline int HYPERVISOR_nmi_op(unsigned long op, void *arg)
{
	return xen_hcall2(__HYPERVISOR_nmi_op, op, arg);
}

/*
 * Multicall entries: the batching in arch/x86/xen/multicall.c queues
 * these and issues them with one HYPERVISOR_multicall.
 */
static inline void xen_mc_fill(struct multicall_entry *mc, unsigned int op,
			       unsigned long a0, unsigned long a1,
			       unsigned long a2, unsigned long a3)
{
	mc->op = op;
	mc->args[0] = a0;
	mc->args[1] = a1;
	mc->args[2] = a2;
	mc->args[3] = a3;
}
#endif /* CONFIG_XEN_PV */

#endif /* _ASM_X86_XEN_HYPERCALL_H */
