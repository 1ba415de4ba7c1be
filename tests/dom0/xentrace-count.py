#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xentrace-count.py TRACE CPU: count PV or PVH events between markers.

Reads a file written by xentrace and, on physical CPU CPU only, cuts it
into windows at xenpv-stress's markers (one before and one after its
measured work).  Two kinds of guest, two kinds of marker:

- PV, traced with "xentrace -e 0x0020f000" (Xen's PV events): the marker
  is a forced-emulation CPUID, TRC_PV_FORCED_INVALID_OP; a window runs
  from an odd to the next even one.
- PVH, traced with "xentrace -e 0x0008f000" (Xen's HVM events): the
  marker is a plain CPUID of leaf 0x58504d00 + tag (1 before, 2 after),
  which Xen traces as TRC_HVM_CPUID (data: leaf, subleaf, eax..edx,
  no TSC) right after the TRC_HVM_VMEXIT64 record of that exit (data:
  exit reason, rip; with the TSC).  The marker's time is the TSC of that
  VMEXIT record, whose reason must be CPUID (SVM's 0x72): anything else
  means the records are not what this script believes, and it stops.

For each window it prints one line of counts, "window=N key=value ...".
A PV window:

  tsc            Xen's TSC from the first marker to the second (the
                 time of the window on Xen's clock, not the guest's)
  hypercalls     entries into Xen by a hypercall (each TRC_PV_HYPERCALL_V2
                 record: a call Xen preempted and the guest re-issued
                 counts again, see continued)
  continued      of those, re-issued mmu_update/mmuext_op calls (Xen
                 marks them with bit 31 of the count)
  multicall      multicall hypercalls; subcalls: the entries Xen ran
                 inside them (one TRC_PV_HYPERCALL_SUBCALL record each)
  operations     what the guest asked of Xen whether it batched or not:
                 hypercalls other than multicall, plus multicall entries,
                 re-issued calls left out
  mmu_update     direct mmu_update calls (re-issued ones left out, as in
                 all that follows); mmu_update_single those with one
                 request; mmu_update_requests every request, direct calls
                 and multicall entries alike (mmu_update_requests_mc the
                 part from multicall entries)
  mmuext, iret   direct calls of those (mmuext: re-issued ones left out)
  page_faults, ptwr, privop, traps   page faults Xen bounced to the guest,
                 emulated writes to page tables, emulated privileged
                 instructions, other exceptions
  ops, subops    hypercalls and multicall entries by operation
  mmu_batch, mmu_batch_mc   mmu_update calls by their number of requests
                 ("requests:calls"), direct and in multicall entries
  privop_rips, ptwr_rips   where the emulated instructions were

A PVH window ("marker=hvm" first):

  tsc            as above, from the VMEXIT stamps of the two markers
  vmexits        VM exits between the markers (the closing marker's own
                 exit left out); vmmcall: of them, hypercalls; npf:
                 nested page faults; intr: physical interrupts
  exits          VM exits by SVM exit reason

Records Xen could not store (its buffer was full) are announced by a
TRC_LOST_RECORDS record on that CPU before the next record that fitted.
Any such record, on any CPU, makes every count suspect: the script then
prints "lost cpu=C records=N" lines and exits with status 2.  A marker
without its pair (a lost marker, or a workload that died; for PVH also a
closing tag without an opening one, or a marker whose VMEXIT record is
not a CPUID exit) exits with 3.

The domain under test must be the only guest on that CPU (pin it there).
"""
import struct
import sys

# Event numbers and record layouts: xen/include/public/trace.h and
# xen/common/trace.c (__trace_hypercall) of Xen 4.17.
LOST_RECORDS = 0x0001f001
CPU_CHANGE = 0x0001f003             # written by xentrace: cpu, bytes
PV_TRAP = 0x00201003
PV_PAGE_FAULT = 0x00201004
PV_MARKER = 0x00201005              # TRC_PV_FORCED_INVALID_OP
PV_PRIVOP = 0x00201006
PV_PTWR = 0x0020100b
PV_HYPERCALL_V2 = 0x0020100d
PV_SUBCALL = 0x0020200e             # TRC_PV_HYPERCALL_SUBCALL
FLAG_64 = 0x100                     # TRC_64_FLAG: 64-bit addresses follow
HVM_VMEXIT = 0x00081002             # TRC_HVM_VMEXIT(64): reason, rip; TSC
HVM_NESTED = 0x400                  # TRC_HVM_NESTEDFLAG
HVM_CPUID = 0x0008200e              # TRC_HVM_CPUID: leaf, subleaf, a-d
MARKER_LEAF = 0x58504d00            # xenpv-stress's PVH marker: + tag
# SVM exit codes (Xen's asm/hvm/svm/vmcb.h), for the exits histogram.
SVM_EXITS = {0x60: 'intr', 0x61: 'nmi', 0x64: 'vintr', 0x6e: 'rdtsc', 0x72: 'cpuid',
             0x77: 'pause', 0x78: 'hlt', 0x87: 'rdtscp', 0x7b: 'ioio', 0x7c: 'msr', 0x7f: 'shutdown',
             0x81: 'vmmcall', 0x8d: 'xsetbv', 0x400: 'npf',
             0x4e: 'exc_pf', 0x46: 'exc_ud', 0x4d: 'exc_gp'}
SVM_CPUID, SVM_VMMCALL, SVM_NPF, SVM_INTR = 0x72, 0x81, 0x400, 0x60
PREEMPTED = 0x80000000              # MMU_UPDATE_PREEMPTED in a count

# Hypercall numbers, from Xen's public xen.h.
OPS = {0: 'set_trap_table', 1: 'mmu_update', 2: 'set_gdt', 3: 'stack_switch',
       4: 'set_callbacks', 5: 'fpu_taskswitch', 7: 'platform_op',
       8: 'set_debugreg', 9: 'get_debugreg', 10: 'update_descriptor',
       12: 'memory_op', 13: 'multicall', 14: 'update_va_mapping',
       15: 'set_timer_op', 17: 'xen_version', 18: 'console_io',
       20: 'grant_table_op', 21: 'vm_assist',
       22: 'update_va_mapping_otherdomain', 23: 'iret', 24: 'vcpu_op',
       25: 'set_segment_base', 26: 'mmuext_op', 28: 'nmi_op', 29: 'sched_op',
       30: 'callback_op', 32: 'event_channel_op', 33: 'physdev_op',
       34: 'hvm_op'}
OP_MMU_UPDATE, OP_MULTICALL, OP_IRET, OP_MMUEXT = 1, 13, 23, 26
COUNTERS = ('tsc', 'hypercalls', 'continued', 'multicall', 'subcalls', 'operations',
            'mmu_update', 'mmu_update_single', 'mmu_update_requests',
            'mmu_update_requests_mc', 'mmuext', 'iret', 'page_faults', 'ptwr',
            'privop', 'traps')
HVM_COUNTERS = ('tsc', 'vmexits', 'vmmcall', 'npf', 'intr')


def records(data):
    """(cpu, event, tsc or None, [data words]) for every record, in file
    order.  xentrace writes each CPU's records in blocks, each after a
    CPU_CHANGE record of its own that says whose they are and how many
    bytes follow; Xen's records are one header word (event, number of
    data words, whether a TSC follows), the TSC, then the data."""
    pos, cpu, end = 0, None, 0
    while pos + 4 <= len(data):
        hdr, = struct.unpack_from('<I', data, pos)
        event, extra, cycles = hdr & 0x0fffffff, (hdr >> 28) & 7, hdr >> 31
        if event == CPU_CHANGE and pos >= end:
            cpu, size = struct.unpack_from('<II', data, pos + 4)
            pos += 12
            end = pos + size
            continue
        tsc = None
        if cycles:
            lo, hi = struct.unpack_from('<II', data, pos + 4)
            tsc = lo | hi << 32
        start = pos + 4 + (8 if cycles else 0)
        if start + 4 * extra > len(data):
            break               # a record cut short at the end of the file
        words = list(struct.unpack_from('<%dI' % extra, data, start))
        pos = start + 4 * extra
        yield cpu, event & ~FLAG_64, tsc, words


def hypercall_args(words):
    """op and {argument index: value} of a V2 or SUBCALL record: the top
    12 bits of the first word say, two bits per argument, which arguments
    follow and whether each is 32 or 64 bits wide."""
    op, args, i = words[0] & 0xfffff, {}, 1
    for n in range(6):
        width = (words[0] >> (20 + 2 * n)) & 3
        if width == 1 and i < len(words):
            args[n] = words[i]
            i += 1
        elif width == 2 and i + 1 < len(words):
            args[n] = words[i] | words[i + 1] << 32
            i += 2
    return op, args


def rip_of(words, i):
    """A 64-bit guest address at data word @i (0 when absent)."""
    if len(words) >= i + 2:
        return words[i] | words[i + 1] << 32
    return 0


def top(d, n, name):
    return ','.join('%s:%d' % (name(k), v)
                    for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:n])


def opname(op):
    return OPS.get(op, 'op%d' % op)


def add(d, k, n=1):
    d[k] = d.get(k, 0) + n


def exitname(reason):
    return SVM_EXITS.get(reason, '0x%x' % reason)


def count(path, want_cpu):
    data = open(path, 'rb').read()
    windows, cur, marks, lost = [], None, 0, []
    hvm, last_exit, bad = None, None, None
    for cpu, event, tsc, words in records(data):
        if event == LOST_RECORDS:
            lost.append((cpu, words[0] if words else -1))
            continue
        if cpu != want_cpu or bad:
            continue        # after a bad marker, only lost records count
        if event & ~HVM_NESTED == HVM_VMEXIT and words:
            last_exit = (tsc, words[0])
            if hvm is not None:
                hvm['vmexits'] += 1
                add(hvm['exits'], words[0])
                hvm['vmmcall'] += words[0] == SVM_VMMCALL
                hvm['npf'] += words[0] == SVM_NPF
                hvm['intr'] += words[0] == SVM_INTR
            continue
        if event == HVM_CPUID and words and words[0] & ~0xff == MARKER_LEAF:
            tag = words[0] & 0xff
            if last_exit is None or last_exit[1] != SVM_CPUID or last_exit[0] is None:
                bad = 'marker tag %d: the VMEXIT before it is %s, not a stamped CPUID exit' % (
                    tag, 'missing' if last_exit is None else exitname(last_exit[1]))
                continue
            if tag == 1 and hvm is None and cur is None:
                hvm = dict.fromkeys(HVM_COUNTERS, 0)
                hvm.update(start=last_exit[0], exits={})
            elif tag == 2 and hvm is not None:
                # Its own VMEXIT, counted above, is not the workload's.
                hvm['vmexits'] -= 1
                add(hvm['exits'], SVM_CPUID, -1)
                if not hvm['exits'][SVM_CPUID]:
                    del hvm['exits'][SVM_CPUID]
                hvm['tsc'] = last_exit[0] - hvm.pop('start')
                windows.append(dict(marker='hvm', **hvm))
                hvm = None
            else:
                bad = 'marker tag %d with %s window open' % (
                    tag, 'no' if hvm is None and cur is None else 'a')
                continue
            last_exit = None
            continue
        if event == PV_MARKER:
            if hvm is not None:
                bad = 'a PV marker inside a PVH window'
                continue
            marks += 1
            if marks % 2:
                cur = dict.fromkeys(COUNTERS, 0)
                cur.update(start=tsc, ops={}, subops={}, mmu_batch={}, mmu_batch_mc={},
                           privop_rips={}, ptwr_rips={})
            else:
                cur['tsc'] = tsc - cur.pop('start')
                windows.append(cur)
                cur = None
            continue
        if cur is None:
            continue
        if event in (PV_HYPERCALL_V2, PV_SUBCALL) and words:
            op, args = hypercall_args(words)
            direct = event == PV_HYPERCALL_V2
            n = args.get(1, 1)
            again = op in (OP_MMU_UPDATE, OP_MMUEXT) and n & PREEMPTED
            if direct:
                cur['hypercalls'] += 1
                add(cur['ops'], op)
            else:
                cur['subcalls'] += 1
                add(cur['subops'], op)
            if again:
                cur['continued'] += 1
            elif op != OP_MULTICALL:
                cur['operations'] += 1
            if op == OP_MMU_UPDATE and not again:
                cur['mmu_update_requests'] += n
                if direct:
                    cur['mmu_update'] += 1
                    cur['mmu_update_single'] += n == 1
                    add(cur['mmu_batch'], n)
                else:
                    cur['mmu_update_requests_mc'] += n
                    add(cur['mmu_batch_mc'], n)
            if direct and not again:
                if op == OP_MMUEXT:
                    cur['mmuext'] += 1
                elif op == OP_IRET:
                    cur['iret'] += 1
                elif op == OP_MULTICALL:
                    cur['multicall'] += 1
        elif event == PV_PAGE_FAULT:
            cur['page_faults'] += 1
        elif event == PV_PTWR:
            cur['ptwr'] += 1
            add(cur['ptwr_rips'], rip_of(words, 4))
        elif event == PV_PRIVOP:
            cur['privop'] += 1
            add(cur['privop_rips'], rip_of(words, 0))
        elif event == PV_TRAP:
            cur['traps'] += 1
    for i, w in enumerate(windows):
        if w.get('marker') == 'hvm':
            exits = w.pop('exits')
            print('window=%d ' % i + ' '.join('%s=%s' % kv for kv in w.items()) +
                  ' exits=%s' % (top(exits, 16, exitname) or '-'))
            continue
        hists = [(k, w.pop(k), fmt) for k, fmt in (
            ('ops', opname), ('subops', opname), ('mmu_batch', str),
            ('mmu_batch_mc', str), ('privop_rips', '%x'.__mod__),
            ('ptwr_rips', '%x'.__mod__))]
        print('window=%d ' % i + ' '.join('%s=%d' % kv for kv in w.items()) + ' ' +
              ' '.join('%s=%s' % (k, top(v, 12, fmt) or '-') for k, v, fmt in hists))
    if lost:
        for cpu, n in lost:
            print('lost cpu=%s records=%d' % (cpu, n))
        return 2
    if marks % 2:
        print('unpaired marker: %d markers on CPU %d' % (marks, want_cpu))
        return 3
    if bad or hvm is not None:
        print('unpaired marker: %s on CPU %d' % (bad or 'a PVH window never closed',
                                                 want_cpu))
        return 3
    return 0


if __name__ == '__main__':
    sys.exit(count(sys.argv[1], int(sys.argv[2])))
