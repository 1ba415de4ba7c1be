#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xentrace-count.py TRACE CPU: count PV events between markers.

Reads a file written by "xentrace -e 0x0020f000" (Xen's PV events) and,
on physical CPU CPU only, cuts it into windows at each forced-emulation
marker (TRC_PV_FORCED_INVALID_OP; xenpv-stress puts one before and one
after its measured work).  For each window from an odd to the next even
marker it prints one line of counts:

  window=N hypercalls=.. mmu_update=.. mmu_update_single=..
  mmu_update_requests=.. mmuext=.. iret=.. multicall=.. subcalls=..
  page_faults=.. ptwr=.. privop=.. traps=..

The domain under test must be the only guest on that CPU (pin it there).
"""
import struct
import sys

CPU_CHANGE = 0x0001f003
PV_HYPERCALL_V2 = 0x0020100d
PV_SUBCALL = 0x0020200e
PV_TRAP = 0x00201003
PV_PAGE_FAULT = 0x00201004
PV_MARKER = 0x00201005
PV_PRIVOP = 0x00201006
PV_PTWR = 0x0020100b
FLAG_64 = 0x100
OP_MMU_UPDATE, OP_MULTICALL, OP_IRET, OP_MMUEXT = 1, 13, 23, 26


def records(data):
    """(cpu, event, [data words]) for every record, in file order."""
    pos, cpu, end = 0, None, 0
    while pos + 4 <= len(data):
        hdr, = struct.unpack_from('<I', data, pos)
        event, extra, cycles = hdr & 0x0fffffff, (hdr >> 28) & 7, hdr >> 31
        if event == CPU_CHANGE and pos >= end:
            cpu, size = struct.unpack_from('<II', data, pos + 4)
            pos += 12
            end = pos + size
            continue
        start = pos + 4 + (8 if cycles else 0)
        words = list(struct.unpack_from('<%dI' % extra, data, start))
        pos = start + 4 * extra
        yield cpu, event & ~FLAG_64, words


def rip_of(words, i):
    """A 64-bit guest address at data word @i (0 when absent)."""
    if len(words) >= i + 2:
        return words[i] | words[i + 1] << 32
    return 0


def top(d, n=8):
    return ','.join('%x:%d' % kv for kv in sorted(d.items(), key=lambda kv: -kv[1])[:n])


def count(path, want_cpu):
    data = open(path, 'rb').read()
    windows, cur, marks = [], None, 0
    for cpu, event, words in records(data):
        if cpu != want_cpu:
            continue
        if event == PV_MARKER:
            marks += 1
            if marks % 2:
                cur = dict.fromkeys(('hypercalls', 'mmu_update', 'mmu_update_single',
                                     'mmu_update_requests', 'mmuext', 'iret',
                                     'multicall', 'subcalls', 'page_faults', 'ptwr',
                                     'privop', 'traps'), 0)
                cur.update(ops={}, privop_rips={}, ptwr_rips={})
            else:
                windows.append(cur)
                cur = None
            continue
        if cur is None:
            continue
        if event == PV_HYPERCALL_V2 and words:
            op = words[0] & 0xfffff
            cur['hypercalls'] += 1
            cur['ops'][op] = cur['ops'].get(op, 0) + 1
            if op == OP_MMU_UPDATE:
                # Bit 31 marks a call Xen preempted and continued.
                n = (words[1] if len(words) > 1 else 1) & 0x7fffffff
                cur['mmu_update'] += 1
                cur['mmu_update_requests'] += n
                cur['mmu_update_single'] += n == 1
            elif op == OP_MMUEXT:
                cur['mmuext'] += 1
            elif op == OP_IRET:
                cur['iret'] += 1
            elif op == OP_MULTICALL:
                cur['multicall'] += 1
        elif event == PV_SUBCALL:
            cur['subcalls'] += 1
        elif event == PV_PAGE_FAULT:
            cur['page_faults'] += 1
        elif event == PV_PTWR:
            cur['ptwr'] += 1
            rip = rip_of(words, 4)
            cur['ptwr_rips'][rip] = cur['ptwr_rips'].get(rip, 0) + 1
        elif event == PV_PRIVOP:
            cur['privop'] += 1
            rip = rip_of(words, 0)
            cur['privop_rips'][rip] = cur['privop_rips'].get(rip, 0) + 1
        elif event == PV_TRAP:
            cur['traps'] += 1
    for i, w in enumerate(windows):
        hists = {k: w.pop(k) for k in ('ops', 'privop_rips', 'ptwr_rips')}
        print('window=%d ' % i + ' '.join('%s=%d' % kv for kv in w.items()) +
              ' ' + ' '.join('%s=%s' % (k, top(v) or '-') for k, v in hists.items()))


if __name__ == '__main__':
    count(sys.argv[1], int(sys.argv[2]))
