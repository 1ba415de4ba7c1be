// SPDX-License-Identifier: GPL-2.0
/*
 * The MMU of a 64-bit PV guest.
 *
 * Xen must be able to trust every page table the CPU walks, so a PV
 * guest's page tables live under three rules:
 *
 *  1. Entries hold machine frames.  Linux builds entries from pfns; the
 *     make_* hooks translate through the p2m on the way in and the *_val
 *     hooks back through the m2p on the way out, so the rest of the kernel
 *     never sees a machine frame.
 *
 *  2. A page in use as a page table is read-only in every mapping, and
 *     Xen knows its level.  "Pinning" a top-level table makes Xen validate
 *     the whole tree once and keep it typed; after that each write to the
 *     tree goes through Xen (mmu_update), which checks just that entry.  A
 *     tree that is not pinned is ordinary memory and is written natively.
 *     We pin an address space when it is first used (activate_mm) or
 *     copied (dup_mmap), and unpin it when it dies (exit_mmap), so that
 *     building a new process's tables and tearing down a dead one's cost
 *     no hypercall per entry.  PG_pinned on a table page says which case
 *     we are in.
 *
 *  3. A 64-bit PV kernel runs in ring 3 like user space, so it cannot
 *     share page tables with user mode: each address space has a second
 *     top-level page holding only the user half, which Xen loads whenever
 *     it drops to user mode.  The kernel page keeps a pointer to it in
 *     page->private.
 *
 * Writes made while Linux is in lazy MMU mode are queued (multicall.c)
 * and sent as one hypercall when the mode ends.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>

#include <asm/fixmap.h>
#include <asm/mmu_context.h>
#include <asm/paravirt.h>
#include <asm/setup.h>
#include <asm/tlb.h>
#include <asm/tlbflush.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/xen.h>

#include "xen-ops.h"

/*
 * Top-level slots of user space: 0-255.  Slots 256-271 are Xen's own
 * (it fills them in every top level it validates), so the kernel half
 * Linux copies into each address space starts above them.
 */
#define USER_PGD_SLOTS	(pgd_index(TASK_SIZE_MAX) + 1)

/* The pseudo-physical cr3 each CPU runs on, as read_cr3() reports it. */
static DEFINE_PER_CPU(unsigned long, xen_cr3);

/*
 * The one Xen has loaded.  The two differ while a context switch's batch
 * is being built: the new base pointer is queued, the old one is still
 * Xen's, and holds its page tables in use (Xen will not let them go back
 * to being ordinary memory).  The multicall code calls xen_cr3_sent()
 * once a batch is in Xen's hands.
 */
static DEFINE_PER_CPU(unsigned long, xen_cr3_live);

void xen_cr3_sent(void)
{
	this_cpu_write(xen_cr3_live, this_cpu_read(xen_cr3));
}

/*
 * Until the memory map has struct pages, PG_pinned cannot be read; every
 * page table that exists then belongs to init_mm and is pinned.
 */
static bool xen_pinned_flags_ready __ro_after_init;

/* ---- 1. Machine frames in entries ------------------------------------- */

/*
 * pfn-based entry -> mfn-based entry, through the tables @m (the
 * kernel's are xen_frames; a unit test passes its own).
 */
VISIBLE_IF_KUNIT pteval_t xen_pte_to_machine(const struct xen_frame_maps *m,
					     pteval_t val)
{
	unsigned long pfn, mfn;

	if (!(val & _PAGE_PRESENT))
		return val;
	pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;
	mfn = xen_p2m_entry(m, pfn);
	if (unlikely(mfn == INVALID_P2M_ENTRY)) {
		/* Nothing behind the pfn (ballooned out): map nothing. */
		return 0;
	}
	mfn &= ~P2M_MARKERS;
	return ((pteval_t)mfn << PAGE_SHIFT) | (val & ~PTE_PFN_MASK);
}

/*
 * mfn-based entry -> pfn-based entry; a frame that is not ours reads as
 * not present, so no code can take another domain's page for its own.
 */
VISIBLE_IF_KUNIT pteval_t xen_pte_from_machine(const struct xen_frame_maps *m,
					       pteval_t val)
{
	unsigned long mfn, pfn;

	if (!(val & _PAGE_PRESENT))
		return val;
	mfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;
	pfn = xen_m2p_pfn(m, mfn);
	if (unlikely(pfn == ~0UL))
		return val & ~(PTE_PFN_MASK | _PAGE_PRESENT);
	return ((pteval_t)pfn << PAGE_SHIFT) | (val & ~PTE_PFN_MASK);
}

static pteval_t pte_pfn_to_mfn(pteval_t val)
{
	return xen_pte_to_machine(&xen_frames, val);
}

static pteval_t pte_mfn_to_pfn(pteval_t val)
{
	return xen_pte_from_machine(&xen_frames, val);
}

__visible pteval_t xen_pte_val(pte_t pte)
{
	return pte_mfn_to_pfn(pte.pte);
}
PV_CALLEE_SAVE_REGS_THUNK(xen_pte_val);

__visible pte_t xen_make_pte(pteval_t val)
{
	return native_make_pte(pte_pfn_to_mfn(val));
}
PV_CALLEE_SAVE_REGS_THUNK(xen_make_pte);

__visible pmdval_t xen_pmd_val(pmd_t pmd)
{
	return pte_mfn_to_pfn(pmd.pmd);
}
PV_CALLEE_SAVE_REGS_THUNK(xen_pmd_val);

__visible pmd_t xen_make_pmd(pmdval_t val)
{
	return native_make_pmd(pte_pfn_to_mfn(val));
}
PV_CALLEE_SAVE_REGS_THUNK(xen_make_pmd);

__visible pudval_t xen_pud_val(pud_t pud)
{
	return pte_mfn_to_pfn(pud.pud);
}
PV_CALLEE_SAVE_REGS_THUNK(xen_pud_val);

__visible pud_t xen_make_pud(pudval_t val)
{
	return native_make_pud(pte_pfn_to_mfn(val));
}
PV_CALLEE_SAVE_REGS_THUNK(xen_make_pud);

__visible pgdval_t xen_pgd_val(pgd_t pgd)
{
	return pte_mfn_to_pfn(pgd.pgd);
}
PV_CALLEE_SAVE_REGS_THUNK(xen_pgd_val);

__visible pgd_t xen_make_pgd(pgdval_t val)
{
	return native_make_pgd(pte_pfn_to_mfn(val));
}
PV_CALLEE_SAVE_REGS_THUNK(xen_make_pgd);

/* ---- 2. Writing entries ----------------------------------------------- */

/*
 * Is this table page read-only and known to Xen?  Before struct pages
 * exist only init_mm has tables, and they all are.
 */
static bool table_pinned(const void *table)
{
	if (unlikely(!xen_pinned_flags_ready))
		return true;
	return PagePinned(virt_to_page(table));
}

/* An L1 write may go native when its page is not pinned, or early. */
static bool pte_write_via_xen(const pte_t *ptep)
{
	return xen_pinned_flags_ready && PagePinned(virt_to_page(ptep));
}

/*
 * Write one entry of a pinned table through Xen: queued when Linux is in
 * lazy mode, at once otherwise.
 */
static void xen_write_entry_checked(void *entry, u64 val, unsigned int cmd)
{
	unsigned long flags;

	local_irq_save(flags);
	xen_mc_mmu_update(virt_to_machine(entry) | cmd, val);
	xen_mc_issue();
	local_irq_restore(flags);
}

static void xen_set_pte(pte_t *ptep, pte_t pte)
{
	if (pte_write_via_xen(ptep))
		xen_write_entry_checked(ptep, pte.pte, MMU_NORMAL_PT_UPDATE);
	else
		/*
		 * Not pinned: ordinary memory.  Before the flags exist this
		 * is also the right thing for an L1: if the page is a live
		 * page table, Xen traps the write and emulates it
		 * ("writable page tables").
		 */
		WRITE_ONCE(*ptep, pte);
}

static void xen_set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	if (table_pinned(pmdp))
		xen_write_entry_checked(pmdp, pmd.pmd, MMU_NORMAL_PT_UPDATE);
	else
		WRITE_ONCE(*pmdp, pmd);
}

static void xen_set_pud(pud_t *pudp, pud_t pud)
{
	if (table_pinned(pudp))
		xen_write_entry_checked(pudp, pud.pud, MMU_NORMAL_PT_UPDATE);
	else
		WRITE_ONCE(*pudp, pud);
}

/*
 * The top level.  An entry of the user half is also written into the
 * address space's user-mode top level, which maps nothing else.
 */
static void xen_set_p4d(p4d_t *p4dp, p4d_t p4d)
{
	pgd_t *pgd = (pgd_t *)p4dp;
	pgd_t *base = (pgd_t *)((unsigned long)pgd & PAGE_MASK);
	unsigned int index = pgd - base;
	pgd_t *user = NULL;

	if (index < USER_PGD_SLOTS)
		user = xen_user_pgd_of(base);

	if (table_pinned(pgd)) {
		unsigned long flags;

		local_irq_save(flags);
		xen_mc_mmu_update(virt_to_machine(pgd), native_p4d_val(p4d));
		if (user)
			xen_mc_mmu_update(virt_to_machine(user + index),
					  native_p4d_val(p4d));
		xen_mc_issue();
		local_irq_restore(flags);
	} else {
		WRITE_ONCE(*pgd, native_make_pgd(native_p4d_val(p4d)));
		if (user)
			WRITE_ONCE(user[index],
				   native_make_pgd(native_p4d_val(p4d)));
	}
}

/*
 * mprotect() and friends: read the entry, let Linux change it, write it
 * back.  The hardware may set Accessed/Dirty in between; the PRESERVE_AD
 * update keeps whatever it set instead of losing it.
 */
static pte_t xen_ptep_modify_prot_start(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep)
{
	return *ptep;
}

static void xen_ptep_modify_prot_commit(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep,
					pte_t pte)
{
	if (pte_write_via_xen(ptep))
		xen_write_entry_checked(ptep, pte.pte,
					MMU_PT_UPDATE_PRESERVE_AD);
	else
		WRITE_ONCE(*ptep, pte);
}

/*
 * munmap() clears each PTE with an atomic exchange, so that an Accessed
 * or Dirty bit the hardware sets at the last moment is not lost.  On a
 * pinned table the exchange faults and Xen emulates it: one trap per page.
 *
 * Inside a lazy MMU burst we can do better when no other CPU can be
 * using these entries: the address space is ours alone (one user, and
 * that user is the task running here, busy in the kernel).  Then nothing
 * can set Dirty behind our back, so a plain read followed by a queued
 * write of zero is as good as the exchange, and the whole burst goes to
 * Xen in one call.  In every other case, take the exchange and its trap.
 */
static pte_t xen_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep)
{
	unsigned long flags;
	pte_t old;

	if (paravirt_get_lazy_mode() != PARAVIRT_LAZY_MMU ||
	    mm != current->mm || atomic_read(&mm->mm_users) != 1 ||
	    !pte_write_via_xen(ptep))
		return native_ptep_get_and_clear(ptep);

	old = READ_ONCE(*ptep);
	local_irq_save(flags);
	xen_mc_mmu_update(virt_to_machine(ptep) | MMU_NORMAL_PT_UPDATE, 0);
	xen_mc_issue();
	local_irq_restore(flags);
	return old;
}

/* ---- Read-only flips of table pages ---------------------------------- */

/*
 * Make the kernel mapping of a page read-only (or writable again) by
 * rewriting its PTE in the kernel page tables.  Batched: the caller sends
 * the batch.  The page tables' own entries are machine values already, so
 * only the RW bit changes.
 */
static void queue_page_rw(void *va, bool writable)
{
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)va, &level);
	pteval_t val;

	if (WARN_ON_ONCE(!ptep || level != PG_LEVEL_4K))
		return;
	val = native_pte_val(*ptep);
	val = writable ? val | _PAGE_RW : val & ~_PAGE_RW;
	xen_mc_mmu_update(virt_to_machine(ptep), val);
}

void xen_set_page_ro(void *va, bool ro)
{
	unsigned long flags;

	local_irq_save(flags);
	queue_page_rw(va, !ro);
	xen_mc_issue();
	local_irq_restore(flags);
}

static void queue_pin(unsigned int cmd, void *table)
{
	struct mmuext_op op = {
		.cmd = cmd,
		.arg1.mfn = virt_to_mfn(table),
	};

	xen_mc_mmuext(&op);
}

void xen_pin_table(unsigned int level_cmd, unsigned long pfn)
{
	unsigned long flags;

	local_irq_save(flags);
	queue_pin(level_cmd, __va(PFN_PHYS(pfn)));
	xen_mc_issue();
	local_irq_restore(flags);
}

void xen_unpin_table(unsigned long pfn)
{
	xen_pin_table(MMUEXT_UNPIN_TABLE, pfn);
}

/* ---- 3. Address spaces: the user top level, pin and unpin -------------- */

pgd_t *xen_user_pgd_of(pgd_t *pgd)
{
	struct page *page;

	if (!xen_pinned_flags_ready)
		return NULL;
	page = virt_to_page(pgd);
	return (pgd_t *)page_private(page);
}

static int xen_pgd_alloc(struct mm_struct *mm)
{
	struct page *page = virt_to_page(mm->pgd);
	unsigned long user;

	user = __get_free_page(GFP_KERNEL | __GFP_ZERO);
	if (!user)
		return -ENOMEM;
	set_page_private(page, user);
	return 0;
}

static void xen_pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	pgd_t *user = xen_user_pgd_of(pgd);

	set_page_private(virt_to_page(pgd), 0);
	if (user)
		free_page((unsigned long)user);
}

/*
 * The table an entry points to, by its kernel address, or NULL if the
 * entry maps no table.  Entries hold machine frames; the walks below read
 * them raw (no pv_ops round trip) and translate only the ones present.
 * (pgd_none() cannot be used for the top level: with four levels the p4d
 * level is folded away and pgd_none() always says "present".)
 */
static void *table_of(unsigned long val)
{
	unsigned long pfn;

	if (!(val & _PAGE_PRESENT) || (val & _PAGE_PSE))
		return NULL;
	pfn = mfn_to_pfn((val & PTE_PFN_MASK) >> PAGE_SHIFT);
	if (WARN_ON_ONCE(pfn == ~0UL))
		return NULL;
	return __va(PFN_PHYS(pfn));
}

/*
 * Visit every table page under top-level slots [@first, @last) of @pgd,
 * children before parents.  @fn gets the page's kernel address.
 */
static void walk_tables(pgd_t *pgd, unsigned int first, unsigned int last,
			void (*fn)(void *table))
{
	unsigned int i, j, k;

	for (i = first; i < last; i++) {
		pud_t *pud = table_of(native_pgd_val(pgd[i]));

		if (!pud)
			continue;
		for (j = 0; j < PTRS_PER_PUD; j++) {
			pmd_t *pmd = table_of(native_pud_val(pud[j]));

			if (!pmd)
				continue;
			for (k = 0; k < PTRS_PER_PMD; k++) {
				pte_t *pte = table_of(native_pmd_val(pmd[k]));

				if (pte)
					fn(pte);
			}
			fn(pmd);
		}
		fn(pud);
	}
}

static void walk_user_tables(pgd_t *pgd, void (*fn)(void *table))
{
	walk_tables(pgd, 0, USER_PGD_SLOTS, fn);
}

static void pin_one(void *table)
{
	struct page *page = virt_to_page(table);

	if (!TestSetPagePinned(page))
		queue_page_rw(table, false);
}

static void pin_one_now(unsigned long pfn)
{
	unsigned long flags;

	local_irq_save(flags);
	pin_one(__va(PFN_PHYS(pfn)));
	xen_mc_issue();
	local_irq_restore(flags);
}

static void unpin_one(void *table)
{
	struct page *page = virt_to_page(table);

	if (TestClearPagePinned(page))
		queue_page_rw(table, true);
}

/*
 * Pin: every table page read-only, then one pin per top-level page.  It
 * all goes out as one batch: a few mmu_update calls carrying every flip,
 * and the pins, which Xen runs after them, in order.
 */
static void pin_tree(pgd_t *pgd)
{
	pgd_t *user = xen_user_pgd_of(pgd);
	unsigned long flags;

	if (PagePinned(virt_to_page(pgd)))
		return;
	local_irq_save(flags);
	walk_user_tables(pgd, pin_one);
	pin_one(pgd);
	queue_pin(MMUEXT_PIN_L4_TABLE, pgd);
	if (user) {
		pin_one(user);
		queue_pin(MMUEXT_PIN_L4_TABLE, user);
	}
	xen_mc_issue();
	local_irq_restore(flags);
}

static void unpin_tree(pgd_t *pgd)
{
	pgd_t *user = xen_user_pgd_of(pgd);
	unsigned long flags;

	if (!PagePinned(virt_to_page(pgd)))
		return;
	local_irq_save(flags);
	queue_pin(MMUEXT_UNPIN_TABLE, pgd);
	if (user) {
		queue_pin(MMUEXT_UNPIN_TABLE, user);
		unpin_one(user);
	}
	unpin_one(pgd);
	walk_user_tables(pgd, unpin_one);
	xen_mc_issue();
	local_irq_restore(flags);
}

static void xen_activate_mm(struct mm_struct *prev, struct mm_struct *next)
{
	spin_lock(&next->page_table_lock);
	pin_tree(next->pgd);
	spin_unlock(&next->page_table_lock);
}

static void xen_dup_mmap(struct mm_struct *oldmm, struct mm_struct *mm)
{
	spin_lock(&mm->page_table_lock);
	pin_tree(mm->pgd);
	spin_unlock(&mm->page_table_lock);
}

/*
 * A dying address space is unpinned first, so that tearing it down writes
 * ordinary memory instead of asking Xen for every entry.  Xen will not
 * unpin tables a vCPU still runs on, and with lazy TLB a CPU may still
 * have this mm loaded while running a kernel thread; ask those CPUs to
 * move to init_mm.
 */
static void drop_mm_here(void *info)
{
	struct mm_struct *mm = info;

	if (this_cpu_read(cpu_tlbstate.loaded_mm) == mm)
		leave_mm(smp_processor_id());
	if (this_cpu_read(xen_cr3) == __pa(mm->pgd))
		load_cr3(swapper_pg_dir);
}

/*
 * Whether @cpu may run on @mm: Linux thinks so, or Xen still has it loaded
 * (a switch away is queued but not sent).  A CPU takes an IPI only between
 * batches, so once drop_mm_here() has run there, both agree.
 */
static bool mm_loaded_on(struct mm_struct *mm, int cpu)
{
	unsigned long pa = __pa(mm->pgd);

	return per_cpu(xen_cr3, cpu) == pa || per_cpu(xen_cr3_live, cpu) == pa;
}

static void xen_exit_mmap(struct mm_struct *mm)
{
	cpumask_var_t others;
	int cpu, this;

	this = get_cpu();
	drop_mm_here(mm);
	if (zalloc_cpumask_var(&others, GFP_ATOMIC)) {
		for_each_online_cpu(cpu)
			if (cpu != this && mm_loaded_on(mm, cpu))
				cpumask_set_cpu(cpu, others);
		if (!cpumask_empty(others))
			smp_call_function_many(others, drop_mm_here, mm, 1);
		free_cpumask_var(others);
	}
	put_cpu();

	spin_lock(&mm->page_table_lock);
	for_each_online_cpu(cpu)
		if (mm_loaded_on(mm, cpu))
			break;
	/* Still in use somewhere: stay pinned, tear down through Xen. */
	if (cpu >= nr_cpu_ids)
		unpin_tree(mm->pgd);
	spin_unlock(&mm->page_table_lock);
}

/*
 * Save and restore.  The toolstack rewrites the machine frames held in
 * the page tables Xen knows as such, the pinned ones, and only those.
 * An address space being built (exec fills the new one before it is
 * first activated) or torn down (after exit_mmap unpinned it) is
 * ordinary memory to Xen; saved as it is, it would come back holding the
 * old domain's frames and map whatever now has those numbers.  So every
 * unpinned tree is pinned for the save and unpinned after it, marked by
 * PG_savepinned.
 *
 * Both run on CPU 0 under stop_machine.  No other CPU can be half way
 * through a native write to such a tree: a single entry is one store,
 * and the writers hold a page-table spinlock, which stop_machine waits
 * for.
 */
void xen_pin_all_for_save(void)
{
	struct page *page;

	spin_lock(&pgd_lock);
	list_for_each_entry(page, &pgd_list, lru) {
		if (PagePinned(page))
			continue;
		pin_tree(page_address(page));
		SetPageSavePinned(page);
	}
	spin_unlock(&pgd_lock);
}

void xen_unpin_all_after_save(void)
{
	struct page *page;

	spin_lock(&pgd_lock);
	list_for_each_entry(page, &pgd_list, lru) {
		if (!PageSavePinned(page))
			continue;
		unpin_tree(page_address(page));
		ClearPageSavePinned(page);
	}
	spin_unlock(&pgd_lock);
}

/*
 * A table page joins (or leaves) an address space.  In a pinned one it
 * must be read-only before the entry pointing to it is written.
 */
static void xen_alloc_table(struct mm_struct *mm, unsigned long pfn)
{
	if (!xen_pinned_flags_ready) {
		/* Boot: every table belongs to init_mm, which is pinned. */
		xen_set_page_ro(__va(PFN_PHYS(pfn)), true);
		return;
	}
	if (PagePinned(virt_to_page(mm->pgd)))
		pin_one_now(pfn);
}

static void xen_release_table(unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	unsigned long flags;

	if (!xen_pinned_flags_ready || !PagePinned(page))
		return;
	local_irq_save(flags);
	unpin_one(__va(PFN_PHYS(pfn)));
	xen_mc_issue();
	local_irq_restore(flags);
}

/* ---- TLB ---------------------------------------------------------------- */

static void queue_tlb_op(unsigned int cmd, unsigned long addr)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.linear_addr = addr };

	xen_mc_mmuext(&op);
}

static void xen_flush_tlb_local(void)
{
	unsigned long flags;

	local_irq_save(flags);
	queue_tlb_op(MMUEXT_TLB_FLUSH_LOCAL, 0);
	xen_mc_issue();
	local_irq_restore(flags);
}

static void xen_flush_tlb_one_user(unsigned long addr)
{
	unsigned long flags;

	local_irq_save(flags);
	queue_tlb_op(MMUEXT_INVLPG_LOCAL, addr & PAGE_MASK);
	xen_mc_issue();
	local_irq_restore(flags);
}

/*
 * Flush on a set of CPUs, this one included if it is in the set.  Xen
 * flushes the named vCPUs itself, no IPI needed; that is also why page
 * tables are freed through RCU (tlb_remove_table) under Xen: there is no
 * IPI for a lockless walker to hold off.
 */
static void xen_flush_tlb_multi(const struct cpumask *cpus,
				const struct flush_tlb_info *info)
{
	struct {
		struct mmuext_op op;
		DECLARE_BITMAP(vcpus, NR_CPUS);
	} *args;
	struct multicall_entry *mc;
	unsigned long flags;
	int cpu;

	local_irq_save(flags);
	mc = xen_mc_reserve(sizeof(*args), (void **)&args);
	bitmap_zero(args->vcpus, NR_CPUS);
	for_each_cpu_and(cpu, cpus, cpu_online_mask)
		__set_bit(per_cpu(xen_vcpu_id, cpu), args->vcpus);

	set_xen_guest_handle(args->op.arg2.vcpumask, args->vcpus);
	if (info->end != TLB_FLUSH_ALL &&
	    info->end - info->start <= PAGE_SIZE) {
		args->op.cmd = MMUEXT_INVLPG_MULTI;
		args->op.arg1.linear_addr = info->start;
	} else {
		args->op.cmd = MMUEXT_TLB_FLUSH_MULTI;
	}
	xen_mc_fill(mc, __HYPERVISOR_mmuext_op, (unsigned long)&args->op, 1, 0,
		    DOMID_SELF);
	xen_mc_issue();
	local_irq_restore(flags);
}

/* ---- cr2 and cr3 -------------------------------------------------------- */

/* Xen stores the faulting address of a guest #PF in the vCPU's info. */
__visible unsigned long xen_read_cr2(void)
{
	return this_cpu_read(xen_vcpu)->arch.cr2;
}
PV_CALLEE_SAVE_REGS_THUNK(xen_read_cr2);

static void xen_write_cr2(unsigned long cr2)
{
	this_cpu_read(xen_vcpu)->arch.cr2 = cr2;
}

static unsigned long xen_read_cr3(void)
{
	return this_cpu_read(xen_cr3);
}

/*
 * Switch address space: the kernel top level and, for a process, its
 * user-mode top level, in one batch.  Linux's cr3 is pseudo-physical;
 * Xen wants machine frames.  A new base pointer flushes the TLB.
 */
static void xen_write_cr3(unsigned long cr3)
{
	unsigned long pfn = PFN_DOWN(cr3 & CR3_ADDR_MASK);
	pgd_t *pgd = __va(PFN_PHYS(pfn));
	pgd_t *user = xen_user_pgd_of(pgd);
	struct mmuext_op op;
	unsigned long flags;

	local_irq_save(flags);
	op.cmd = MMUEXT_NEW_BASEPTR;
	op.arg1.mfn = pfn_to_mfn(pfn);
	xen_mc_mmuext(&op);
	op.cmd = MMUEXT_NEW_USER_BASEPTR;
	op.arg1.mfn = user ? virt_to_mfn(user) : 0;
	xen_mc_mmuext(&op);
	/* After queueing: a batch sent from now on carries the switch. */
	this_cpu_write(xen_cr3, cr3 & CR3_ADDR_MASK);
	xen_mc_issue();
	local_irq_restore(flags);
}

/* Bring-up code sets the boot CPU's cr3 without a switch. */
void xen_activate_init_mm(void)
{
	this_cpu_write(xen_cr3, __pa_symbol(init_top_pgt));
	this_cpu_write(xen_cr3_live, __pa_symbol(init_top_pgt));
}

/* ---- Fixmap and lazy mode ---------------------------------------------- */

/*
 * A fixmap slot either names pseudo-physical memory (translated like any
 * PTE) or, for the shared info page, a machine frame Xen gave us.
 */
static void xen_set_fixmap(unsigned int idx, phys_addr_t phys,
			   pgprot_t prot)
{
	unsigned long vaddr = __fix_to_virt(idx);
	pteval_t val;

	if (idx == FIX_PARAVIRT_BOOTMAP)
		val = (phys & PTE_PFN_MASK) | pgprot_val(prot);
	else
		val = pte_pfn_to_mfn((phys & PTE_PFN_MASK) | pgprot_val(prot));

	if (HYPERVISOR_update_va_mapping(vaddr, val, UVMF_INVLPG))
		pr_err("xen: cannot map fixmap slot %u (%llx)\n", idx,
		       (unsigned long long)phys);
}

static void xen_enter_lazy_mmu(void)
{
	xen_mc_enter_lazy();
}

static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_leave_lazy();
	preempt_enable();
}

static void xen_flush_lazy_mmu(void)
{
	preempt_disable();
	if (paravirt_get_lazy_mode() == PARAVIRT_LAZY_MMU)
		xen_mc_flush();
	preempt_enable();
}

/* ---- Addresses outside the direct map ----------------------------------- */

u64 arbitrary_virt_to_machine(void *vaddr)
{
	unsigned long va = (unsigned long)vaddr;
	unsigned int level;
	pte_t *ptep;

	if (virt_addr_valid(vaddr))
		return virt_to_machine(vaddr);
	ptep = lookup_address(va, &level);
	BUG_ON(!ptep || level != PG_LEVEL_4K);
	return ((u64)(native_pte_val(*ptep) & PTE_PFN_MASK)) |
	       offset_in_page(va);
}
EXPORT_SYMBOL_GPL(arbitrary_virt_to_machine);

unsigned long arbitrary_virt_to_mfn(void *vaddr)
{
	return arbitrary_virt_to_machine(vaddr) >> PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(arbitrary_virt_to_mfn);

/* ---- Setup --------------------------------------------------------------- */

static void mark_pinned(void *table)
{
	SetPagePinned(virt_to_page(table));
}

/*
 * Once struct pages exist, record that every table of init_mm is pinned:
 * the kernel half of the tree and the top level.
 */
static void __init xen_mark_init_mm_pinned(void)
{
	walk_tables(init_mm.pgd, KERNEL_PGD_BOUNDARY, PTRS_PER_PGD, mark_pinned);
	mark_pinned(init_mm.pgd);
}

void __init xen_mmu_late_init(void)
{
	xen_mark_init_mm_pinned();
	xen_pinned_flags_ready = true;
}

void __init xen_init_mmu_ops(void)
{
	struct pv_mmu_ops *mmu = &pv_ops.mmu;

	mmu->read_cr2 = PV_CALLEE_SAVE(xen_read_cr2);
	mmu->write_cr2 = xen_write_cr2;
	mmu->read_cr3 = xen_read_cr3;
	mmu->write_cr3 = xen_write_cr3;

	mmu->flush_tlb_user = xen_flush_tlb_local;
	mmu->flush_tlb_kernel = xen_flush_tlb_local;
	mmu->flush_tlb_one_user = xen_flush_tlb_one_user;
	mmu->flush_tlb_multi = xen_flush_tlb_multi;
	mmu->tlb_remove_table = tlb_remove_table;

	mmu->pgd_alloc = xen_pgd_alloc;
	mmu->pgd_free = xen_pgd_free;
	mmu->activate_mm = xen_activate_mm;
	mmu->dup_mmap = xen_dup_mmap;
	mmu->exit_mmap = xen_exit_mmap;

	mmu->alloc_pte = xen_alloc_table;
	mmu->alloc_pmd = xen_alloc_table;
	mmu->alloc_pud = xen_alloc_table;
	mmu->alloc_p4d = xen_alloc_table;
	mmu->release_pte = xen_release_table;
	mmu->release_pmd = xen_release_table;
	mmu->release_pud = xen_release_table;
	mmu->release_p4d = xen_release_table;

	mmu->set_pte = xen_set_pte;
	mmu->set_pmd = xen_set_pmd;
	mmu->set_pud = xen_set_pud;
	mmu->set_p4d = xen_set_p4d;
	mmu->ptep_modify_prot_start = xen_ptep_modify_prot_start;
	mmu->ptep_modify_prot_commit = xen_ptep_modify_prot_commit;
	mmu->ptep_get_and_clear = xen_ptep_get_and_clear;

	mmu->pte_val = PV_CALLEE_SAVE(xen_pte_val);
	mmu->make_pte = PV_CALLEE_SAVE(xen_make_pte);
	mmu->pmd_val = PV_CALLEE_SAVE(xen_pmd_val);
	mmu->make_pmd = PV_CALLEE_SAVE(xen_make_pmd);
	mmu->pud_val = PV_CALLEE_SAVE(xen_pud_val);
	mmu->make_pud = PV_CALLEE_SAVE(xen_make_pud);
	mmu->pgd_val = PV_CALLEE_SAVE(xen_pgd_val);
	mmu->make_pgd = PV_CALLEE_SAVE(xen_make_pgd);

	mmu->lazy_mode.enter = xen_enter_lazy_mmu;
	mmu->lazy_mode.leave = xen_leave_lazy_mmu;
	mmu->lazy_mode.flush = xen_flush_lazy_mmu;

	mmu->set_fixmap = xen_set_fixmap;
}
