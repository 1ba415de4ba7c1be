/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of arch/x86/xen provide each other.  Nothing outside
 * this directory includes it.
 */
#ifndef _ARCH_X86_XEN_OPS_H
#define _ARCH_X86_XEN_OPS_H

#include <linux/init.h>
#include <linux/types.h>
#include <linux/percpu.h>
#include <asm/desc_defs.h>
#include <asm/pgtable_types.h>

#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>

struct pt_regs;
struct mm_struct;

/* hypervisor.c: what every kind of guest knows of Xen */
void xen_crash_now(const char *why);
bool xen_running_on(unsigned int major, unsigned int minor);
void __init xen_learn_version(void);
void __init xen_banner(void);

/* enlighten.c: the PV start of day */
extern struct start_info *xen_start_info;
void xen_start_kernel(struct start_info *si);
void xen_set_kernel_iopl(void);

/* console.c: printk before the console driver, through Xen */
void xen_early_puts(const char *s);
__printf(1, 2) void xen_early_printf(const char *fmt, ...);

/* cpu.c: CPU hooks, GDT, trap table, callbacks */
void __init xen_init_cpu_ops(void);
void __init xen_install_trap_table(void);
void __init xen_register_callbacks(void);
void xen_load_gdt_frames(int cpu, struct desc_struct *gdt);
void xen_fill_trap_ctxt(struct trap_info *table);
extern unsigned long xen_syscall_entry_addr, xen_event_entry_addr,
	xen_failsafe_entry_addr;

/* vcpu-info.c: each vCPU's vcpu_info in per-cpu memory */
void xen_vcpu_info_attach(int cpu);

/* irq.c: the interrupt flag, halt */
void __init xen_init_irq_ops(void);
void __init xen_switch_to_percpu_vcpu_info(void);
void xen_vcpu_down_self(void);

/* entry.S */
asmlinkage void xen_iret(void);
asmlinkage void xen_irq_enable_percpu(void);
asmlinkage void xen_irq_disable_percpu(void);
asmlinkage unsigned long xen_save_fl_percpu(void);
asmlinkage unsigned long xen_read_cr2_percpu(void);

/* entry.S: the doors Xen enters by */
asmlinkage void xen_failsafe_callback(void);
asmlinkage void xen_syscall_entry(void);
asmlinkage void xen_syscall32_entry(void);
asmlinkage void xen_sysenter32_entry(void);
asmlinkage void xen_secondary_entry(void);
asmlinkage void xen_secondary_start(void);
void xen_secondary_restart(unsigned long stack_top);

/* multicall.c: batching hypercalls */
void xen_mc_mmu_update(u64 ptr, u64 val);
void xen_mc_mmuext(const struct mmuext_op *op);
void xen_mc_call(unsigned int op, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3);
struct multicall_entry *xen_mc_reserve(unsigned int args_bytes, void **args);
void xen_mc_issue(void);
void xen_cr3_sent(void);
void xen_mc_flush(void);
bool xen_mc_batching(void);
void xen_mc_enter_lazy(void);
void xen_mc_leave_lazy(void);

/* p2m.c: the pseudo-physical to machine map */
void __init xen_p2m_init_early(unsigned long *list, unsigned long nr);
void __init xen_p2m_setup(void);
void xen_p2m_publish_frame_list(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* The pure parts of p2m.c and mmu.c, for their unit tests. */
struct xen_frame_maps;
bool xen_p2m_set_entry(struct xen_frame_maps *m, unsigned long pfn,
		       unsigned long mfn);
int xen_p2m_grow_table(struct xen_frame_maps *m, unsigned long nr_pfns,
		       bool *vmalloced, unsigned long **retired);
pteval_t xen_pte_to_machine(const struct xen_frame_maps *m, pteval_t val);
pteval_t xen_pte_from_machine(const struct xen_frame_maps *m, pteval_t val);
#endif

/* pgtable-boot.c: from Xen's boot page tables to the kernel's */
void __init xen_adopt_boot_pagetables(struct start_info *si);
void __init xen_free_old_boot_tables(void);
extern unsigned long xen_boot_area_end_pfn;

/* mmu.c */
void __init xen_init_mmu_ops(void);
void __init xen_mmu_late_init(void);
void xen_pin_table(unsigned int level_cmd, unsigned long pfn);
void xen_unpin_table(unsigned long pfn);
void xen_set_page_ro(void *va, bool ro);
void xen_set_pte_direct(pte_t *ptep, pte_t pte);
void __init xen_set_fixmap_early(unsigned int idx, unsigned long mfn,
				 pgprot_t prot);
void xen_activate_init_mm(void);
extern pgd_t *xen_user_pgd_of(pgd_t *pgd);
void xen_pin_all_for_save(void);
void xen_unpin_all_after_save(void);

/* memory.c: the memory map */
void __init xen_memory_setup_ops(void);
char *__init xen_memory_setup(void);
extern unsigned long xen_released_pages;

/* time.c */
void __init xen_init_time_ops(void);
void __init xen_init_sched_clock(void);
int xen_bind_cpu_timer(int cpu);
void xen_setup_cpu_clockevent(int cpu);
void xen_teardown_cpu_clockevent(int cpu);
unsigned long xen_tsc_khz(void);

/* smp.c */
void __init xen_smp_init(void);
void __init xen_smp_prepare_boot_cpu_vcpu(void);

/* spinlock.c */
#ifdef CONFIG_PARAVIRT_SPINLOCKS
void __init xen_setup_pv_locks(void);
void xen_spin_bind_kicker(int cpu);
void xen_spin_unbind_kicker(int cpu);
void xen_register_runstate(int cpu);
#else
static inline void xen_setup_pv_locks(void) { }
static inline void xen_spin_bind_kicker(int cpu) { }
static inline void xen_spin_unbind_kicker(int cpu) { }
static inline void xen_register_runstate(int cpu) { }
#endif

/* pvh.c: the hooks of the generic PVH entry (arch/x86/platform/pvh) */
struct boot_params;
void __init xen_pvh_init(struct boot_params *boot_params);
void __init mem_map_via_hcall(struct boot_params *boot_params);

/* hvm.c: PVH from setup_arch() on */
void xen_pvh_restore_callbacks(bool cancelled);

/* apic.c */
void __init xen_init_apic(void);

/* power.c: reboot, poweroff, halt, crash */
void __init xen_init_power_ops(void);

#endif /* _ARCH_X86_XEN_OPS_H */
