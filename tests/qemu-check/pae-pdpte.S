/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pae-pdpte: does this QEMU's TCG page walker write the Accessed bit
 * (bit 5) into a PAE page-directory-pointer entry?  In PAE paging that
 * bit is reserved; Xen's HAP software walker, which decodes each
 * intercepted instruction of a PVH guest under QEMU's SVM (no next-RIP
 * saving), then faults and the guest spins on its first CPUID (README:
 * "32-bit PVH on this test machine").  ladder.py boots this with QEMU's
 * own PVH loader (-kernel), no Xen, and reads its lines on the debug
 * port 0xe9 (-debugcon):
 *
 *   PAE-PDPTE wrote 01 read xx    PAE paging on through four present-only
 *                                 PDPTEs; the low byte of PDPTE[0] read
 *                                 back (01: as written; 21: the walker set
 *                                 the reserved bit 5)
 *   2LVL-PDE wrote 83 read xx     the control: 2-level paging, a 4 MiB PDE;
 *                                 there the walker must set Accessed (bit 5),
 *                                 which shows the probe sees its writes
 *   PDPTE-PROBE-END
 *
 * and then exits QEMU through isa-debug-exit at port 0xf4 (status 1), or
 * halts when there is none.
 */

#define PORT		0xe9
#define EXIT_PORT	0xf4
#define CR0_PG		0x80000000
#define CR4_PSE		0x00000010
#define CR4_PAE		0x00000020

	.code32

/* The one ELF note a PVH image needs: XEN_ELFNOTE_PHYS32_ENTRY (18). */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* namesz: "Xen\0" */
	.long 4				/* descsz */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long pvh_entry
	.balign 4

	.text
	.globl pvh_entry
pvh_entry:
	/* Protected mode, flat segments, paging off, no stack. */
	cli
	cld
	movl $stack_top, %esp

	/* PAE: 512 PDEs of 2 MiB (P|RW|PS) identity from 0, and four
	 * PDPTEs with only P set: nothing else is allowed there. */
	movl $pd_pae, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%edi,%ecx,8)
	movl $0, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $512, %ecx
	jb 1b
	movl $pdpt, %edi
	xorl %ecx, %ecx
2:	movl $pd_pae + 0x1, (%edi,%ecx,8)
	movl $0, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jb 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pdpt, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	jmp 3f
3:	/* The next fetch walked PDPTE[0] (we run at 1 MiB). */
	movl $msg_pae, %esi
	movzbl pdpt, %edx
	call report

	/* The control: paging off, 2-level paging with 4 MiB pages. */
	movl %cr0, %eax
	andl $~CR0_PG, %eax
	movl %eax, %cr0
	movl $pd_2lvl, %edi
	xorl %ecx, %ecx
4:	movl %ecx, %eax
	shll $22, %eax
	orl $0x83, %eax
	movl %eax, (%edi,%ecx,4)
	incl %ecx
	cmpl $1024, %ecx
	jb 4b
	movl %cr4, %eax
	andl $~CR4_PAE, %eax
	orl $CR4_PSE, %eax
	movl %eax, %cr4
	movl $pd_2lvl, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	jmp 5f
5:	movl $msg_2lvl, %esi
	movzbl pd_2lvl, %edx
	call report

	movl $msg_end, %esi
	call putstr
	xorl %eax, %eax
	outb %al, $EXIT_PORT
6:	hlt
	jmp 6b

/* putstr: the NUL-terminated string at %esi. */
putstr:
7:	lodsb
	testb %al, %al
	jz 8f
	outb %al, $PORT
	jmp 7b
8:	ret

/* report: the string at %esi, then %dl in hex and a newline. */
report:
	call putstr
	movl %edx, %eax
	shrl $4, %eax
	call puthex
	movl %edx, %eax
	call puthex
	movb $'\n', %al
	outb %al, $PORT
	ret

puthex:
	andl $0xf, %eax
	movb hexdigits(%eax), %al
	outb %al, $PORT
	ret

	.section .rodata
hexdigits:	.ascii "0123456789abcdef"
msg_pae:	.asciz "PAE-PDPTE wrote 01 read "
msg_2lvl:	.asciz "2LVL-PDE wrote 83 read "
msg_end:	.asciz "PDPTE-PROBE-END\n"

	.bss
	.balign 4096
pd_pae:	.skip 4096
pd_2lvl: .skip 4096
pdpt:	.skip 32
	.balign 16
	.skip 4096
stack_top:
