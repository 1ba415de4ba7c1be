// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU of a 64-bit PV guest.
 *
 * Our kernel runs in ring 3.  Everything the CPU reserves for ring 0
 * (descriptor tables, control and debug registers, MSRs, the TSS, I/O
 * privilege) is Xen's, and we ask for it: the hooks below turn each
 * privileged operation Linux routes through pv_ops into the hypercall
 * that does the same for a vCPU.  Some are batched: during a context
 * switch (lazy CPU mode) the TLS descriptors, the kernel stack pointer
 * and the LDT go to Xen in one multicall.
 *
 * The interrupt descriptor table becomes Xen's "trap table", one entry
 * per exception vector naming where Xen should bounce it.  Linux's own
 * IDT still exists (generic code fills it), but Xen never reads it.
 */
#include <linux/cpu.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/vmalloc.h>

#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/debugreg.h>
#include <asm/fixmap.h>
#include <asm/io_bitmap.h>
#include <asm/msr.h>
#include <asm/paravirt.h>
#include <asm/processor.h>
#include <asm/setup.h>
#include <asm/traps.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/interface/callback.h>
#include <xen/interface/physdev.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* ---- CPUID ------------------------------------------------------------ */

/*
 * A plain CPUID in a PV guest may run on the real CPU and report
 * features that Xen does not give us.  With the forced-emulation prefix
 * Xen answers from the domain's CPUID policy instead.  On top of that
 * policy we hide what this kernel must not try under Xen, whatever the
 * hardware has:
 *  - the local APIC, x2APIC and the TSC deadline timer: interrupts,
 *    IPIs and timers are event channels;
 *  - MONITOR/MWAIT and the power leaves: a vCPU idles by blocking in Xen;
 *  - MTRRs, PCID/INVPCID, SMEP/SMAP, UMIP, PKU, LA57: they belong to ring
 *    0 or to cr3/cr4, which Xen owns (SMAP's stac/clac even fault in
 *    ring 3);
 *  - large pages (PSE, 1G pages) and global pages: PV page tables map
 *    4 KiB pages, and Xen refuses the global bit on kernel mappings;
 *  - VMX/SVM.
 */
#define LEAF1_ECX_HIDE	(BIT(X86_FEATURE_X2APIC & 31) |		\
			 BIT(X86_FEATURE_MWAIT & 31) |		\
			 BIT(X86_FEATURE_TSC_DEADLINE_TIMER & 31) |	\
			 BIT(X86_FEATURE_PCID & 31) |		\
			 BIT(X86_FEATURE_VMX & 31) |		\
			 BIT(X86_FEATURE_SMX & 31) |		\
			 BIT(X86_FEATURE_EST & 31) |		\
			 BIT(X86_FEATURE_TM2 & 31) |		\
			 BIT(X86_FEATURE_DCA & 31))
#define LEAF1_EDX_HIDE	(BIT(X86_FEATURE_APIC & 31) |		\
			 BIT(X86_FEATURE_MTRR & 31) |		\
			 BIT(X86_FEATURE_PSE & 31) |		\
			 BIT(X86_FEATURE_PSE36 & 31) |		\
			 BIT(X86_FEATURE_PGE & 31) |		\
			 BIT(X86_FEATURE_MCE & 31) |		\
			 BIT(X86_FEATURE_MCA & 31) |		\
			 BIT(X86_FEATURE_ACPI & 31) |		\
			 BIT(X86_FEATURE_ACC & 31) |		\
			 BIT(X86_FEATURE_DS & 31))
#define LEAF7_EBX_HIDE	(BIT(X86_FEATURE_SMEP & 31) |		\
			 BIT(X86_FEATURE_SMAP & 31) |		\
			 BIT(X86_FEATURE_INVPCID & 31) |		\
			 BIT(X86_FEATURE_FSGSBASE & 31))
#define LEAF7_ECX_HIDE	(BIT(X86_FEATURE_UMIP & 31) |		\
			 BIT(X86_FEATURE_PKU & 31) |		\
			 BIT(X86_FEATURE_OSPKE & 31) |		\
			 BIT(X86_FEATURE_LA57 & 31))
#define EXT1_EDX_HIDE	BIT(X86_FEATURE_GBPAGES & 31)
#define EXT1_ECX_HIDE	BIT(X86_FEATURE_SVM & 31)

static void xen_cpuid(unsigned int *ax, unsigned int *bx, unsigned int *cx,
		      unsigned int *dx)
{
	unsigned int leaf = *ax, subleaf = *cx;

	asm volatile(XEN_CPUID
		     : "=a" (*ax), "=b" (*bx), "=c" (*cx), "=d" (*dx)
		     : "0" (leaf), "2" (subleaf));

	switch (leaf) {
	case 1:
		*cx &= ~LEAF1_ECX_HIDE;
		*dx &= ~LEAF1_EDX_HIDE;
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power management */
		*ax = *bx = *cx = *dx = 0;
		break;
	case 7:
		if (subleaf == 0) {
			*bx &= ~LEAF7_EBX_HIDE;
			*cx &= ~LEAF7_ECX_HIDE;
		}
		break;
	case 0x80000001:
		*cx &= ~EXT1_ECX_HIDE;
		*dx &= ~EXT1_EDX_HIDE;
		break;
	}
}

/* ---- Control and debug registers ---------------------------------------- */

static unsigned long xen_cr0;

static unsigned long xen_read_cr0(void)
{
	return xen_cr0;
}

/* Only cr0.TS is ours to change; Xen keeps it per vCPU. */
static void xen_write_cr0(unsigned long cr0)
{
	unsigned long flags;

	if ((cr0 ^ xen_cr0) & X86_CR0_TS) {
		local_irq_save(flags);
		xen_mc_call(__HYPERVISOR_fpu_taskswitch, !!(cr0 & X86_CR0_TS),
			    0, 0, 0);
		xen_mc_issue();
		local_irq_restore(flags);
	}
	xen_cr0 = cr0;
}

/*
 * Xen emulates the cr4 write and ignores what a guest may not change;
 * strip what we know it will refuse, so the shadow Linux keeps of cr4
 * stays honest.
 */
static void xen_write_cr4(unsigned long cr4)
{
	native_write_cr4(cr4 & ~(X86_CR4_PGE | X86_CR4_PSE | X86_CR4_PCE |
				 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP |
				 X86_CR4_UMIP | X86_CR4_PKE | X86_CR4_LA57));
}

static unsigned long xen_get_debugreg(int reg)
{
	return HYPERVISOR_get_debugreg(reg);
}

static void xen_set_debugreg(int reg, unsigned long val)
{
	HYPERVISOR_set_debugreg(reg, val);
}

/* ---- MSRs --------------------------------------------------------------- */

/*
 * Xen emulates RDMSR/WRMSR for PV guests from the domain's MSR policy.
 * The segment base MSRs are cheaper as a hypercall, and the syscall MSRs
 * are Xen's (our entry points are registered as callbacks): writes to
 * them are accepted and dropped.
 */
static int xen_write_msr_safe(unsigned int msr, unsigned int low,
			      unsigned int high)
{
	u64 val = ((u64)high << 32) | low;

	switch (msr) {
	case MSR_FS_BASE:
		return HYPERVISOR_set_segment_base(SEGBASE_FS, val) ? -EIO : 0;
	case MSR_GS_BASE:
		return HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, val) ?
			-EIO : 0;
	case MSR_KERNEL_GS_BASE:
		return HYPERVISOR_set_segment_base(SEGBASE_GS_USER, val) ?
			-EIO : 0;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return 0;
	default:
		return native_write_msr_safe(msr, low, high);
	}
}

static u64 xen_read_msr_safe(unsigned int msr, int *err)
{
	return native_read_msr_safe(msr, err);
}

/*
 * The "unsafe" accessors expect the MSR to exist.  Under Xen an MSR the
 * hardware has may still be hidden by the domain's policy; read it as 0
 * instead of oopsing, and say so once.
 */
static u64 xen_read_msr(unsigned int msr)
{
	int err;
	u64 val = xen_read_msr_safe(msr, &err);

	if (err) {
		pr_info_once("xen: MSR %#x is not available to this domain\n",
			     msr);
		return 0;
	}
	return val;
}

static void xen_write_msr(unsigned int msr, unsigned int low,
			  unsigned int high)
{
	if (xen_write_msr_safe(msr, low, high))
		pr_info_once("xen: write to MSR %#x refused by Xen\n", msr);
}

/* ---- Descriptor tables ---------------------------------------------------- */

/*
 * Xen checks every descriptor a guest can load, so a page that holds a
 * GDT or LDT must be read-only in all its mappings, and entries change
 * through update_descriptor.  @va may be any alias of the page (the
 * read-only one in the cpu_entry_area, the per-cpu one); the direct map
 * alias is the one to protect, and in the boot area it shares its PTE
 * with the kernel image alias.
 */
static unsigned long protect_desc_page(void *va)
{
	unsigned long mfn = arbitrary_virt_to_mfn(va);
	unsigned long pfn = mfn_to_pfn(mfn);
	void *direct = __va(PFN_PHYS(pfn));
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)direct, &level);

	if (ptep && (native_pte_val(*ptep) & _PAGE_RW))
		xen_set_page_ro(direct, true);
	return mfn;
}

void xen_load_gdt_frames(int cpu, struct desc_struct *gdt)
{
	unsigned long frames[16];
	unsigned int i, pages = DIV_ROUND_UP(GDT_SIZE, PAGE_SIZE);

	for (i = 0; i < pages; i++)
		frames[i] = protect_desc_page((char *)gdt + i * PAGE_SIZE);
	if (HYPERVISOR_set_gdt(frames, GDT_ENTRIES))
		xen_crash_now("Xen refused our GDT");
}

static void xen_load_gdt(const struct desc_ptr *dtr)
{
	unsigned long frames[16];
	unsigned int entries = (dtr->size + 1) / sizeof(struct desc_struct);
	unsigned int i, pages = DIV_ROUND_UP(dtr->size + 1, PAGE_SIZE);

	for (i = 0; i < pages; i++)
		frames[i] = protect_desc_page((void *)(dtr->address +
						       i * PAGE_SIZE));
	if (HYPERVISOR_set_gdt(frames, entries))
		xen_crash_now("Xen refused a GDT");
}

static void update_descriptor(void *slot, u64 desc)
{
	unsigned long flags;

	local_irq_save(flags);
	xen_mc_call(__HYPERVISOR_update_descriptor,
		    arbitrary_virt_to_machine(slot), desc, 0, 0);
	xen_mc_issue();
	local_irq_restore(flags);
}

/*
 * GDT entries.  A PV guest has no TSS and no LDT descriptor of its own in
 * the GDT (Xen provides the TSS; set_ldt loads an LDT by address).
 */
static void xen_write_gdt_entry(struct desc_struct *gdt, int entry,
				const void *desc, int type)
{
	switch (type) {
	case DESC_LDT:
	case DESC_TSS:
		break;
	default:
		update_descriptor(&gdt[entry], *(const u64 *)desc);
	}
}

static void xen_write_ldt_entry(struct desc_struct *ldt, int entry,
				const void *desc)
{
	update_descriptor(&ldt[entry], *(const u64 *)desc);
}

/*
 * The thread's TLS descriptors, in this CPU's GDT.  Each change costs Xen
 * a validation and a write through its own mapping (the GDT is read-only
 * to us), and most switches change nothing: the idle task and most 64-bit
 * threads have no TLS descriptors at all, so with one I/O in flight a
 * disk's every request came with two switches of three useless updates.
 * A slot that already holds the wanted descriptor is left alone.  Reading
 * the GDT is the truth unless an update of the same slot is still queued
 * in this batch, and a context switch loads the TLS once.
 */
static void xen_load_tls(struct thread_struct *t, unsigned int cpu)
{
	struct desc_struct *gdt = get_cpu_gdt_rw(cpu);
	unsigned long flags;
	unsigned int i;

	local_irq_save(flags);
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		u64 *slot = (u64 *)&gdt[GDT_ENTRY_TLS_MIN + i];
		u64 want = *(u64 *)&t->tls_array[i];

		if (READ_ONCE(*slot) == want)
			continue;
		xen_mc_call(__HYPERVISOR_update_descriptor,
			    arbitrary_virt_to_machine(slot), want, 0, 0);
	}
	xen_mc_issue();
	local_irq_restore(flags);
}

static void xen_load_gs_index(unsigned int idx)
{
	if (HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, idx))
		HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0);
}

/* LDT pages: read-only (every alias) while they hold descriptors. */
static void ldt_pages_ro(struct desc_struct *ldt, unsigned int entries,
			 bool ro)
{
	unsigned int size = entries * LDT_ENTRY_SIZE;
	unsigned int off;

	for (off = 0; off < size; off += PAGE_SIZE) {
		void *va = (char *)ldt + off;
		unsigned long pfn = mfn_to_pfn(arbitrary_virt_to_mfn(va));

		if (is_vmalloc_addr(va))
			xen_set_page_ro(va, ro);
		xen_set_page_ro(__va(PFN_PHYS(pfn)), ro);
	}
}

static void xen_alloc_ldt(struct desc_struct *ldt, unsigned int entries)
{
	ldt_pages_ro(ldt, entries, true);
}

static void xen_free_ldt(struct desc_struct *ldt, unsigned int entries)
{
	ldt_pages_ro(ldt, entries, false);
}

static void xen_set_ldt(const void *addr, unsigned int entries)
{
	struct mmuext_op op = {
		.cmd = MMUEXT_SET_LDT,
		.arg1.linear_addr = (unsigned long)addr,
		.arg2.nr_ents = entries,
	};
	unsigned long flags;

	local_irq_save(flags);
	xen_mc_mmuext(&op);
	xen_mc_issue();
	local_irq_restore(flags);
}

/*
 * The kernel stack Xen switches to when user mode traps.  Linux switches
 * it after the context switch's batch is sent, so it is usually a
 * hypercall of its own: made directly, not through an empty batch.
 */
static void xen_load_sp0(unsigned long sp0)
{
	unsigned long flags;

	if (xen_mc_batching()) {
		local_irq_save(flags);
		xen_mc_call(__HYPERVISOR_stack_switch, __KERNEL_DS, sp0, 0, 0);
		local_irq_restore(flags);
	} else {
		HYPERVISOR_stack_switch(__KERNEL_DS, sp0);
	}
	this_cpu_write(cpu_tss_rw.x86_tss.sp0, sp0);
}

static unsigned long xen_store_tr(void)
{
	return 0;
}

#ifdef CONFIG_X86_IOPL_IOPERM
/*
 * ioperm(): the I/O bitmap lives in Linux's TSS copy; Xen enforces it
 * when we hand it over (a PV kernel's TSS is Xen's).
 */
static void xen_set_io_bitmap(bool enable)
{
	struct tss_struct *tss = this_cpu_ptr(&cpu_tss_rw);
	struct physdev_set_iobitmap bitmap = { .nr_ports = 0 };

	if (enable) {
		set_xen_guest_handle(bitmap.bitmap,
				     (u8 *)&tss->x86_tss +
				     tss->x86_tss.io_bitmap_base);
		bitmap.nr_ports = IO_BITMAP_BITS;
	}
	HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bitmap);
}

static void xen_update_io_bitmap(void)
{
	native_tss_update_io_bitmap();
	xen_set_io_bitmap(this_cpu_read(cpu_tss_rw.x86_tss.io_bitmap_base) !=
			  IO_BITMAP_OFFSET_INVALID);
}

static void xen_invalidate_io_bitmap(void)
{
	native_tss_invalidate_io_bitmap();
	xen_set_io_bitmap(false);
}
#endif

static void xen_end_context_switch(struct task_struct *next)
{
	xen_mc_flush();
	paravirt_end_context_switch(next);
}

/* ---- The trap table ----------------------------------------------------- */

/*
 * Where Xen bounces each exception: the xen_asm_* doors of entry.S.  The
 * IST exceptions (#DB, NMI, #DF, #MC) go to their xenpv_* variants,
 * because Xen has no IST for PV guests and the native entries assume one.
 * int3 and into may be raised from user mode.
 */
struct xen_trap_door {
	u8 vector;
	u8 dpl;
	void (*entry)(void);
};

#define DOOR(vec, dpl, name)	{ vec, dpl, xen_asm_##name }

static const struct xen_trap_door xen_trap_doors[] = {
	DOOR(X86_TRAP_DE, 0, exc_divide_error),
	DOOR(X86_TRAP_DB, 0, xenpv_exc_debug),
	DOOR(X86_TRAP_NMI, 0, xenpv_exc_nmi),
	DOOR(X86_TRAP_BP, 3, exc_int3),
	DOOR(X86_TRAP_OF, 3, exc_overflow),
	DOOR(X86_TRAP_BR, 0, exc_bounds),
	DOOR(X86_TRAP_UD, 0, exc_invalid_op),
	DOOR(X86_TRAP_NM, 0, exc_device_not_available),
	DOOR(X86_TRAP_DF, 0, xenpv_exc_double_fault),
	DOOR(X86_TRAP_OLD_MF, 0, exc_coproc_segment_overrun),
	DOOR(X86_TRAP_TS, 0, exc_invalid_tss),
	DOOR(X86_TRAP_NP, 0, exc_segment_not_present),
	DOOR(X86_TRAP_SS, 0, exc_stack_segment),
	DOOR(X86_TRAP_GP, 0, exc_general_protection),
	DOOR(X86_TRAP_PF, 0, exc_page_fault),
	DOOR(X86_TRAP_SPURIOUS, 0, exc_spurious_interrupt_bug),
	DOOR(X86_TRAP_MF, 0, exc_coprocessor_error),
	DOOR(X86_TRAP_AC, 0, exc_alignment_check),
#ifdef CONFIG_X86_MCE
	DOOR(X86_TRAP_MC, 0, xenpv_exc_machine_check),
#endif
	DOOR(X86_TRAP_XF, 0, exc_simd_coprocessor_error),
#ifdef CONFIG_IA32_EMULATION
	DOOR(IA32_SYSCALL_VECTOR, 3, int80_emulation),
#endif
};

/* Xen's format, terminated by an entry with address 0. */
static struct trap_info xen_trap_table[ARRAY_SIZE(xen_trap_doors) + 1];

static void __init build_trap_table(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_trap_doors); i++) {
		struct trap_info *ti = &xen_trap_table[i];

		ti->vector = xen_trap_doors[i].vector;
		ti->cs = __KERNEL_CS;
		ti->address = (unsigned long)xen_trap_doors[i].entry;
		ti->flags = 0;
		TI_SET_DPL(ti, xen_trap_doors[i].dpl);
		/* Like an interrupt gate: events masked on entry. */
		TI_SET_IF(ti, 1);
	}
}

void __init xen_install_trap_table(void)
{
	build_trap_table();
	if (HYPERVISOR_set_trap_table(xen_trap_table))
		xen_crash_now("Xen refused the trap table");
}

/* A secondary vCPU gets the same table in its initial context. */
void xen_fill_trap_ctxt(struct trap_info *ctxt)
{
	const struct trap_info *ti;

	for (ti = xen_trap_table; ti->address; ti++)
		ctxt[ti->vector] = *ti;
}

/* Linux (re)loads its IDT on every CPU it brings up: load ours instead. */
static void xen_load_idt(const struct desc_ptr *dtr)
{
	HYPERVISOR_set_trap_table(xen_trap_table);
}

/* Gates still go into Linux's IDT, which generic code reads back. */
static void xen_write_idt_entry(gate_desc *dt, int entry, const gate_desc *g)
{
	native_write_idt_entry(dt, entry, g);
}

/* ---- Callbacks ------------------------------------------------------------ */

unsigned long xen_syscall_entry_addr __ro_after_init;
unsigned long xen_event_entry_addr __ro_after_init;
unsigned long xen_failsafe_entry_addr __ro_after_init;

static void __init register_callback(unsigned int type, void *entry,
				     unsigned int flags)
{
	struct callback_register cb = {
		.type = type,
		.address = (unsigned long)entry,
		.flags = flags,
	};

	if (HYPERVISOR_callback_op(CALLBACKOP_register, &cb))
		xen_crash_now("Xen refused a callback");
}

/*
 * Events (Xen's interrupts), the failsafe callback (Xen could not load a
 * segment or iret frame we gave it) and system calls.  System calls
 * arrive with events masked, as native syscall arrives with IF clear.
 */
void __init xen_register_callbacks(void)
{
	xen_event_entry_addr = (unsigned long)xen_asm_exc_xen_hypervisor_callback;
	xen_failsafe_entry_addr = (unsigned long)xen_failsafe_callback;
	xen_syscall_entry_addr = (unsigned long)xen_syscall_entry;

	register_callback(CALLBACKTYPE_event, (void *)xen_event_entry_addr, 0);
	register_callback(CALLBACKTYPE_failsafe,
			  (void *)xen_failsafe_entry_addr,
			  CALLBACKF_mask_events);
	register_callback(CALLBACKTYPE_syscall, (void *)xen_syscall_entry_addr,
			  CALLBACKF_mask_events);
	register_callback(CALLBACKTYPE_nmi, xen_asm_xenpv_exc_nmi, 0);
#ifdef CONFIG_IA32_EMULATION
	register_callback(CALLBACKTYPE_syscall32, xen_syscall32_entry,
			  CALLBACKF_mask_events);
	register_callback(CALLBACKTYPE_sysenter, xen_sysenter32_entry,
			  CALLBACKF_mask_events);
#endif
}

/* ---- The exceptions Linux takes on an IST stack natively --------------- */

DEFINE_IDTENTRY_RAW(xenpv_exc_debug)
{
	/* No IST under Xen, so both modes arrive here; route by mode. */
	user_mode(regs) ? noist_exc_debug(regs) : exc_debug(regs);
}

DEFINE_IDTENTRY_RAW_ERRORCODE(xenpv_exc_double_fault)
{
	exc_double_fault(regs, error_code);
}

DEFINE_IDTENTRY_RAW(xenpv_exc_nmi)
{
	exc_nmi(regs);
}

#ifdef CONFIG_X86_MCE
DEFINE_IDTENTRY_RAW(xenpv_exc_machine_check)
{
	user_mode(regs) ? noist_exc_machine_check(regs) :
			  exc_machine_check(regs);
}
#endif

DEFINE_IDTENTRY_RAW(exc_xen_unknown_trap)
{
	instrumentation_begin();
	panic("xen: a trap arrived through an entry we never registered\n");
	instrumentation_end();
}

/* ---- Installing the hooks ------------------------------------------------- */

void __init xen_init_cpu_ops(void)
{
	struct pv_cpu_ops *cpu = &pv_ops.cpu;

	xen_cr0 = native_read_cr0();

	cpu->io_delay = paravirt_nop;
	cpu->cpuid = xen_cpuid;
	cpu->get_debugreg = xen_get_debugreg;
	cpu->set_debugreg = xen_set_debugreg;
	cpu->read_cr0 = xen_read_cr0;
	cpu->write_cr0 = xen_write_cr0;
	cpu->write_cr4 = xen_write_cr4;
	cpu->wbinvd = native_wbinvd;

	cpu->read_msr = xen_read_msr;
	cpu->write_msr = xen_write_msr;
	cpu->read_msr_safe = xen_read_msr_safe;
	cpu->write_msr_safe = xen_write_msr_safe;
	cpu->read_pmc = native_read_pmc;

	cpu->load_tr_desc = paravirt_nop;
	cpu->store_tr = xen_store_tr;
	cpu->load_gdt = xen_load_gdt;
	cpu->load_idt = xen_load_idt;
	cpu->load_tls = xen_load_tls;
	cpu->load_gs_index = xen_load_gs_index;
	cpu->write_gdt_entry = xen_write_gdt_entry;
	cpu->write_ldt_entry = xen_write_ldt_entry;
	cpu->write_idt_entry = xen_write_idt_entry;
	cpu->alloc_ldt = xen_alloc_ldt;
	cpu->free_ldt = xen_free_ldt;
	cpu->set_ldt = xen_set_ldt;
	cpu->load_sp0 = xen_load_sp0;
#ifdef CONFIG_X86_IOPL_IOPERM
	cpu->update_io_bitmap = xen_update_io_bitmap;
	cpu->invalidate_io_bitmap = xen_invalidate_io_bitmap;
#endif
	cpu->start_context_switch = paravirt_start_context_switch;
	cpu->end_context_switch = xen_end_context_switch;
}
