#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The acceptance ladder: boot real things and report every step honestly.

usage: ladder.py --kernel K [--domu-dom0 D] [--tests a,b*,...] [--xfail FILE]
       ladder.py --demo --dom0 K --domu K
       ladder.py --bench K,K | --bench-io K,K [--dom0 K]  (benchmarks)

K and D name a kernel: "ours" and "anchor" (build/kernels/<name>/, made by
"make kernel" and "make anchor") or "stock" (Debian's linux-image-6.1.0-*).

--kernel is the kernel under test.  The native test boots it in QEMU without
Xen; the dom0-* tests boot it as dom0 under Xen 4.17; the domu-* tests run it
as the domU, with --domu-dom0 as dom0 (default: the kernel under test).
--tests takes names and shell patterns ("domu-*"); "!pattern" leaves
tests out.  make check runs the
domU tests in a matrix: our dom0 with our domU (the one-bzImage case, in
the run of the whole ladder), the anchor's dom0 with our domU, and our
dom0 with Debian's stock domU ("--kernel stock --domu-dom0 ours": our
backends against upstream's frontends).

The 32-bit tests (native32, domu-pvh32*) run the i386 sibling of the
kernel under test (build/kernels/ours32 for ours, anchor32 for the
anchor; "make kernel32", "make anchor32") with an i386 guest userland
(mkguest.sh --bits 32): natively, and as a PVH domU of the dom0 the other
domU tests use.  Their guests must report the sibling's release and an
i686 or i386 "uname -m".  Without the sibling (and for stock, which has
none here) or without the i386 userland they SKIP, saying why; a SKIP is
neither passed nor failed.  The domu-pvh32 tests also SKIP when this
QEMU writes the Accessed bit, reserved in PAE, into a 32-bit guest's
PDPTEs (Xen cannot step its CPUID then): a probe of QEMU alone,
tests/qemu-check/pae-pdpte.S, measures it at each run that asks for one
of them (QEMU_CANNOT); named exactly, one runs all the same.

Tests that share a dom0 kernel and a machine profile run in one boot of
QEMU (TCG), Xen and dom0: the dom0 runs them in order and prints
"XENPV-RESULT <test> PASS|FAIL <reason>" on the serial console.  This
script enforces a timeout per test; after a hang or a crash it boots again
for the tests that are left.  Logs: build/tests/<label>/.

Every line of a boot belongs to a test: the boot's own lines to the first,
the lines between two tests to the next, and the lines after the last test
(to "XENPV-PLAN-DONE") to a check of their own, "end-of-boot", recorded
only when it finds something.  A test's lines hold the serial console
(Xen's messages and dom0's), every console of every domU (run-test.sh
prints them all, also those a test moved aside) and "xl dmesg".  judge()
fails a test on any of:
  - a kernel log line, of dom0 or of a domU, saying BUG:, WARNING:, Oops
    or Call Trace;
  - a crashed domU (Xen's domain_crash, or a domain left in state "c");
  - a complaint of Xen's about a guest ("(XEN) d1v0 ...") that
    tests/expect/xen-guest.allow does not allow, with its reason;
  - a kernel other than the one expected: dom0's and every domU's
    "uname -r" must be the release of the kernel under test (ours carry
    "-xenpv", the anchor "-anchor"), and a passing domU test must have
    seen its domU report it.

A test listed in the --xfail file (name, /signature/, reason) that fails
as expected is XFAIL: its own result said FAIL, nothing above went wrong,
and the signature (a regular expression) matches the failure's reason or
log.  Any other failure of it is FAIL; a listed test that passes is XPASS,
counted as a failure until its line is deleted.  The last line printed is
"N passed, N failed"; XFAIL are counted apart.
"""
import argparse
import contextlib
import fcntl
import fnmatch
import glob
import gzip
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD', os.path.join(TOP, 'build'))
CACHE = os.environ.get('XENPV_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'xenpv')
XEN_VER = '4.17'

# name: (kind, seconds, machine profile).  Order is the ladder's order.
TESTS = [
    ('native', 'native', 120, 'smp2'),
    # The i386 sibling of the kernel under test (ours32 for ours, anchor32
    # for the anchor) boots natively to the i386 guest userland.
    ('native32', 'native32', 120, 'smp2'),
    ('dom0-boot', 'dom0', 60, 'smp2'),
    ('dom0-tools', 'dom0', 60, 'smp2'),
    ('dom0-devices', 'dom0', 120, 'smp2'),
    ('dom0-balloon', 'dom0', 240, 'smp2'),
    ('dom0-stress', 'dom0', 600, 'smp2'),
    ('domu-boot', 'domu', 200, 'smp2'),
    ('domu-disk', 'domu', 200, 'smp2'),
    ('domu-net', 'domu', 200, 'smp2'),
    ('domu-pygrub', 'domu', 240, 'smp2'),
    ('domu-save-restore', 'domu', 300, 'smp2'),
    ('domu-mem-set', 'domu', 300, 'smp2'),
    ('domu-mem-pressure', 'domu', 300, 'smp2'),
    ('domu-vcpu-set', 'domu', 240, 'smp2'),
    ('domu-shutdown', 'domu', 240, 'smp2'),
    ('domu-destroy', 'domu', 240, 'smp2'),
    ('domu-sysfs', 'domu', 200, 'smp2'),
    ('domu-hotplug', 'domu', 480, 'smp2'),
    ('domu-evtchn-leak', 'domu', 480, 'smp2'),
    ('domu-lifecycle', 'domu', 3600, 'smp2'),
    ('domu-hostile-frontend', 'domu', 1200, 'smp2'),
    ('domu-hostile-blk', 'domu', 3600, 'smp2'),
    ('domu-hostile-net', 'domu', 1500, 'smp2'),
    ('domu-hostile-console', 'domu', 900, 'smp2'),
    ('domu-hostile-store', 'domu', 1200, 'smp2'),
    ('domu-net-unload', 'domu', 600, 'smp2'),
    ('domu-migrate', 'domu', 600, 'smp2'),
    ('domu-checkpoint', 'domu', 600, 'smp2'),
    ('domu-stress', 'domu', 900, 'smp2'),
    ('domu-pvh', 'domu', 300, 'pvh'),
    # The PV tests again with a PVH domU (tests/dom0/tests/domu-pvh-*.sh,
    # lib.sh's as_pvh), and the live migration only PVH can do on this
    # Xen.  They share the pvh profile: one boot of QEMU runs them all.
    ('domu-pvh-disk', 'domu', 300, 'pvh'),
    ('domu-pvh-net', 'domu', 300, 'pvh'),
    ('domu-pvh-pygrub', 'domu', 300, 'pvh'),
    ('domu-pvh-save-restore', 'domu', 400, 'pvh'),
    ('domu-pvh-mem-set', 'domu', 400, 'pvh'),
    ('domu-pvh-shutdown', 'domu', 300, 'pvh'),
    ('domu-pvh-live-migrate', 'domu', 900, 'pvh'),
    # The i386 sibling as a PVH domU (kind domu32; lib.sh's as_pvh32):
    # the 32-bit guest initramfs, its release and "uname -m" checked.
    ('domu-pvh32', 'domu32', 300, 'pvh'),
    ('domu-pvh32-disk', 'domu32', 300, 'pvh'),
    ('domu-pvh32-net', 'domu32', 300, 'pvh'),
    ('domu-pvh32-pygrub', 'domu32', 300, 'pvh'),
    ('domu-pvh32-save-restore', 'domu32', 400, 'pvh'),
    ('domu-pvh32-mem-set', 'domu32', 400, 'pvh'),
    ('domu-pvh32-shutdown', 'domu32', 300, 'pvh'),
    # Last of its machine's plan (a boot of the smp2 profile), which it
    # ends: see POWER_OFF_TEST.
    ('dom0-poweroff', 'dom0', 120, 'smp2'),
]
TEST = {t[0]: t for t in TESTS}

# The kinds of test whose guest is the i386 sibling of the kernel under
# test, and what "uname -m" may say there.
KINDS32 = {'native32', 'domu32'}
ARCH32 = ('i686', 'i386')

# Tests that create their domU many times and boot it from the ELF image
# (domu/vmlinux, when the domU kernel has one): only the plans that run
# them carry its 20 MB in dom0's initramfs.
ELF_DOMU_TESTS = {'domu-lifecycle'}

# Tests of behaviour the issues ask of us beyond what upstream does: a run
# whose domU is upstream's (the anchor's, or Debian's stock kernel) leaves
# them out of the whole ladder and of a pattern such as "domu-*", saying
# why (ask for one by name to see upstream fail it).
BEYOND_ANCHOR = {
    'domu-mem-pressure': "upstream's balloon takes memory without regard "
                         "to the workload: its domU is OOM-killed",
    'domu-hostile-blk': "upstream's blkfront leaves requests pending for ever "
                        "after a bad answer or a Closing with I/O in flight: "
                        "its disk never goes (the test's KNOWN table)",
    'domu-hostile-net': "upstream's netfront never lets go of a vif whose rx "
                        "rsp_prod was impossible: NAPI stays scheduled and "
                        "the removal waits for it; it grants a trusted "
                        "backend the page of a packet's head, the slab "
                        "objects beside it too (the test's KNOWN table)",
    'domu-hostile-console': "upstream's hvc_xen waits for room in a full "
                            "console ring for ever, interrupts off: a "
                            "console daemon that stops reading stalls the "
                            "domU (RCU stall, soft lockup; the test's KNOWN "
                            "table)",
    'domu-hostile-store': "upstream's blkfront takes a sector-size of 0 and "
                          "the guest hits a kernel BUG in bio_split; its "
                          "xenbus reads a state of 2^32 + 5 as Closing, and "
                          "blkfront's reconnect hits a kernel BUG; its "
                          "xenwatch serves other watches only after a "
                          "storm's every event (the test's KNOWN table)",
}

# Tests of the dom0's backends, whatever the domU: the rogue frontend of
# domu-hostile-frontend is a user-space program, the guest of
# domu-lifecycle only connects its devices.  A pattern or whole-ladder run
# leaves them out when the dom0 is not the kernel under test (the matrix
# runs them once per dom0: in "ours" and in the anchor's whole ladder).
BACKEND_TESTS = {'domu-hostile-frontend', 'domu-lifecycle'}

# QEMU machine profiles.  PVH needs hardware-assisted paging (+npt); with
# more than one QEMU CPU, QEMU 7.2's SVM emulation delivers injected
# interrupts twice often enough to kill a PVH guest within a minute (see
# QEMU_SVM_REDELIVERY), so that profile has one.
MACHINES = {
    'smp2': ['-cpu', 'qemu64', '-smp', '2'],
    'pvh': ['-cpu', 'qemu64,+svm,+npt', '-smp', '1'],
    # make bench: two CPUs (dom0 on one, the domU under test alone on the
    # other) and SVM with nested paging for its PVH rows.  A PVH guest
    # that dies of QEMU's nested SVM stops the benchmark, no figures.
    'bench': ['-cpu', 'qemu64,+svm,+npt', '-smp', '2'],
}
# One host thread runs all vCPUs.  QEMU 7.2's multi-threaded TCG can
# keep a stale translation of code another vCPU has just rewritten: a
# vCPU translating a block while another patches the bytes links the
# block built from the old bytes after the writer's invalidation ran
# (fixed in QEMU 8.1 by "accel/tcg: Always lock pages before
# translation").  Linux rewrites its text at run time with int3 as the
# guard (jump labels, static calls), so a guest then executes an int3
# that no patch is in flight for and dies in exc_int3; we saw it in
# about one domU boot in fifteen ("int3" in sched_clock_cpu just after
# "sched_clock: Marking stable").  Costs about a fifth more wall time.
TCG = 'tcg,thread=single'
BOOT_TIMEOUT = 300      # QEMU start to "XENPV-DOM0-READY"
XEN_ARGS = ('console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M '
            'dom0_max_vcpus=2 loglvl=all guest_loglvl=all')
DOM0_ARGS = 'console=hvc0 earlyprintk=xen printk.time=1' + (
    ' ' + os.environ['XENPV_DOM0_ARGS'] if os.environ.get('XENPV_DOM0_ARGS') else '')

# Kernel log lines carry a "[ seconds.micro]" stamp; Xen's own lines and
# user space output do not, so only real kernel messages can match.  An
# oops names itself before its "Call Trace:" (a double fault says "PANIC:",
# a general protection fault "general protection fault, ..." or ": 0000
# [#1]", a BUG_ON "kernel BUG at"): the first matching line is the reason
# a test reports, so it should be that one.  A user program's fault
# ("traps: prog[pid] general protection fault ip:") is not matched.
KERNEL_BAD = re.compile(r'\[\s*\d+\.\d+\].*(BUG:|WARNING:|Oops|Call Trace|PANIC:|'
                        r'kernel BUG at|general protection fault[,:])')
# Xen's messages about a guest: gprintk() prefixes them with the domain
# and vCPU ("d1v0"), which a release build of Xen still prints when
# guest_loglvl allows (gdprintk(), debug builds only, is compiled out).
XEN_GUEST = re.compile(r'\(XEN\) (?:\[[^]]*\] )?(d\d+v\d+ .*)')
# A domU crashed: Xen's domain_crash(), or a domain left crashed when a
# test ended (run-test.sh looks).  Never an expected failure.
GUEST_CRASH = re.compile(r'\(XEN\) .*(domain_crash called from|Domain \d+ \(vcpu#\d+\) crashed)|'
                         r'XENPV-DOMU-CRASHED')
# QEMU 7.2's emulation of SVM delivers an interrupt that Xen injected
# through the VMCB (EVENTINJ) a second time: helper_vmrun() delivers it
# and leaves it in cs->exception_index, so the next exit of the CPU loop
# without an exception of its own (a kick from QEMU's main loop, a
# round-robin switch between vCPUs) delivers the stale vector again, with
# the guest's interrupts off.  When the first delivery interrupted user
# mode, the second lands on the first instruction of the guest's upcall
# handler: a frame that says kernel mode, with the user's GS base still
# loaded, so the entry code skips swapgs, the first %gs access faults,
# and so does the page fault handler's, until the stack runs into its
# guard: "PANIC: double fault" with RIP in exc_page_fault, and in the
# dump (after the double fault's paranoid swapgs) the user's GS base, 0,
# as knlGS.  No guest can prevent it: QEMU's -d int log shows Xen's one
# injection and QEMU's two deliveries (upstream's kernel dies of it too,
# every time with two vCPUs on two QEMU CPUs).  Only a 64-bit PVH or HVM
# guest can meet it (a PV guest gets no VMCB injection; i386 has no
# swapgs), so the ladder runs its tests on one QEMU CPU, which makes it
# rare, and runs a test again once, in a new boot, when its domU died
# of exactly this (QEMU_SVM_REDELIVERY); the result says so.
QEMU_SVM_MACHINES = {'pvh'}
QEMU_SVM_REDELIVERY = [
    re.compile(r'\[domU [^]]*\].*\[\s*\d+\.\d+\] traps: PANIC: double fault'),
    re.compile(r'\[domU [^]]*\].*\[\s*\d+\.\d+\] RIP: 0010:exc_page_fault\+'),
    re.compile(r'\[domU [^]]*\].*\[\s*\d+\.\d+\] FS: .* GS:ffff[0-9a-f]{12}\(0000\) '
               r'knlGS:0000000000000000'),
]
# What a kernel says it is: dom0's init and every guest's rc.job print it.
DOM0_KERNEL = re.compile(r'XENPV-DOM0-INIT kernel=(\S+)')
GUEST_KERNEL = re.compile(r'XENPV-GUEST-UP .*\bkernel=(\S+)')
GUEST_ARCH = re.compile(r'XENPV-GUEST-UP .*\barch=(\S+)')
# The machine is gone: no point waiting for the test's timeout.
DEAD = re.compile(r'Panic on CPU|Kernel panic - not syncing|'
                  r'\(XEN\) .*(Hardware Dom0 crashed|Domain 0 crashed)|'
                  r'\(XEN\) Reboot in five seconds')
DOM0_MODULES = ['xen-evtchn', 'xenfs', 'xen-gntdev', 'xen-gntalloc',
                'xen-privcmd', 'xen-blkback', 'xen-netback', 'bridge', 'loop']


TIMEOUT = object()

# dom0-poweroff runs "poweroff -f" in dom0 and the machine must turn off:
# QEMU exits by itself, status 0.  A reset ends QEMU the same way under
# -no-reboot, and dom0 could switch the machine off by writing ACPI's PM1
# registers behind Xen's back; neither counts.  Only Xen entering ACPI S5
# itself, after dom0 handed it the values (XENPF_enter_acpi_sleep), prints
# "Entering ACPI S5 state."; a dom0 that asks Xen to shut it down only
# gets the machine halted (Xen: "halting machine"), QEMU running on.
POWER_OFF_TEST = 'dom0-poweroff'
XEN_S5 = re.compile(r'\(XEN\) (?:\[[^]]*\] )?Entering ACPI S5 state')
XEN_NOT_OFF = re.compile(r'\(XEN\) .*(halting machine|rebooting machine)')


def log(msg):
    print('[ladder] ' + msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def read_info(path):
    """build-info (key=value lines) as a dict; {} when missing."""
    info = {}
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip('\n').partition('=')
            info[k] = v
    return info


def fingerprint(flavour):
    """What the checkout's inputs of a kernel of flavour hash to now."""
    return subprocess.run([os.path.join(TOP, 'scripts', 'xenpv', 'fingerprint.sh'), flavour],
                          check=True, capture_output=True, text=True).stdout.strip()


class Unavailable(SystemExit):
    """A kernel the ladder cannot use (missing, stale, not built here).
    Uncaught it ends the ladder with its message, as sys.exit would; the
    32-bit tests catch it and SKIP with it as the reason."""


# Kernels named here are used without comparing their build-info's
# fingerprint with this checkout's: for trying a kernel built in another
# checkout (the i386 flavours while this one's scripts do not know them).
# describe() says so on every run.
UNCHECKED = set(os.environ.get('XENPV_NO_FINGERPRINT', '').split())


class Kernel:
    """A kernel image with what the harness needs to boot, check and debug it.

    release is what "uname -r" must say when it runs.  A kernel we build is
    refused when the checkout's inputs changed since it was built (its
    build-info records their fingerprint): a test must never run
    yesterday's image under today's name.  ours32 and anchor32 are the
    i386 builds of ours and the anchor (bits 32): only guests, never dom0."""

    def __init__(self, name):
        self.name = name
        self.modules = None     # the root of its lib/modules tree, if any
        self.vmlinux = None     # its ELF image, if the build left one
        self.bits = 64
        if name in ('ours', 'anchor', 'ours32', 'anchor32'):
            d = os.path.join(BUILD, 'kernels', name)
            self.image = os.path.join(d, 'bzImage')
            self.sysmap = os.path.join(d, 'System.map')
            self.vmlinux = os.path.join(d, 'vmlinux')
            if os.path.isdir(os.path.join(d, 'lib', 'modules')):
                self.modules = d
            make = 'make %s' % {'ours': 'kernel', 'anchor': 'anchor', 'ours32': 'kernel32',
                                'anchor32': 'anchor32'}[name]
            if name.endswith('32'):
                self.bits = 32
            if not os.path.exists(self.image):
                raise Unavailable('ladder: %s missing: run "%s" first' % (
                    os.path.relpath(self.image, TOP), make))
            self.info = read_info(os.path.join(d, 'build-info'))
            if 'release' not in self.info or 'fingerprint' not in self.info:
                raise Unavailable('ladder: %s has no build-info (built by an older '
                                  'build-kernel.sh): run "%s"' % (d, make))
            self.origin = 'commit %s' % self.info.get('commit')
            if name in UNCHECKED:
                self.origin += ', fingerprint %s NOT checked (XENPV_NO_FINGERPRINT)' % (
                    self.info['fingerprint'])
            else:
                try:
                    now = fingerprint(name)
                except subprocess.CalledProcessError:
                    raise Unavailable('ladder: this checkout cannot fingerprint %s '
                                      '(scripts/xenpv/fingerprint.sh does not know it)' % name)
                if now != self.info['fingerprint']:
                    raise Unavailable(
                        'ladder: build/kernels/%s is stale: it was built from commit %s '
                        '(inputs %s), the checkout\'s inputs are now %s; run "%s"' % (
                            name, self.info.get('commit'), self.info['fingerprint'], now,
                            make))
            self.release = self.info['release']
            if os.path.exists(self.vmlinux):
                with open(self.vmlinux, 'rb') as f:
                    ident = f.read(5)
                # e_ident[EI_CLASS]: 1 for a 32-bit ELF file, 2 for 64-bit
                elf_bits = {1: 32, 2: 64}.get(ident[4]) if ident[:4] == b'\x7fELF' else None
                if elf_bits != self.bits:
                    raise Unavailable('ladder: %s is not a %d-bit kernel' % (
                        os.path.relpath(self.vmlinux, TOP), self.bits))
        elif name == 'stock':
            pkg = open(os.path.join(CACHE, 'stock-kernel-pkg')).read().strip()
            d = os.path.join(CACHE, 'pkgs', pkg)
            self.image = glob.glob(os.path.join(d, 'boot', 'vmlinuz-*'))[0]
            self.sysmap = glob.glob(os.path.join(d, 'boot', 'System.map-*'))[0]
            self.modules = d
            self.release = os.path.basename(self.image)[len('vmlinuz-'):]
            self.origin = 'Debian package %s' % pkg
            self.info = {'release': self.release}
        else:
            sys.exit('ladder: unknown kernel %r' % name)

    def describe(self):
        return '%s = %s, from %s' % (self.name, self.release, self.origin)

    def elf_image(self):
        """The kernel as a stripped ELF file (None for a stock kernel, which
        comes as a bzImage only): Xen's PV domain builder loads it as it
        is, where a bzImage's gzip payload costs libxenguest seconds of
        TCG time to unpack at every xl create."""
        if not self.vmlinux or not os.path.exists(self.vmlinux):
            return None
        out = os.path.join(BUILD, 'images', 'vmlinux-%s' % self.name)
        if stale(out, [self.vmlinux]):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            run(['strip', '-o', out + '.tmp', self.vmlinux])
            os.rename(out + '.tmp', out)
        return out

    def guest_initrd(self):
        """The guest initramfs for this kernel, rebuilt when its inputs
        change: of the kernel's word size (an i386 busybox and guest
        tools for a 32-bit kernel)."""
        out = os.path.join(BUILD, 'images', 'guest-%s.cpio.gz' % self.name)
        stress = guest_tool('xenpv-stress', self.bits)
        hostile = guest_tool('xenpv-hostile', self.bits)
        inputs = glob.glob(os.path.join(TOP, 'tests', 'guest', '*')) + [
            os.path.join(TOP, 'tests', 'image', 'mkguest.sh'), stress, hostile]
        if self.modules:
            inputs += glob.glob(os.path.join(self.modules, 'lib', 'modules', '*',
                                             'modules.dep'))
        if (not os.path.exists(out) or
                max(os.path.getmtime(f) for f in inputs) > os.path.getmtime(out)):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            run([os.path.join(TOP, 'tests', 'image', 'mkguest.sh'), '--bits', str(self.bits),
                 self.modules or '/nonexistent', out],
                env=dict(os.environ, XENPV_STRESS_BIN=stress, XENPV_HOSTILE_BIN=hostile))
        return out


def stale(out, inputs):
    """out is missing or older than one of inputs."""
    return (not os.path.exists(out) or
            max(os.path.getmtime(f) for f in inputs) > os.path.getmtime(out))


def guest_tool(name, bits=64):
    """tests/guest/<name>.c, built static for the guests (bits 32: for an
    i386 guest, with gcc -m32)."""
    src = os.path.join(TOP, 'tests', 'guest', name + '.c')
    out = os.path.join(BUILD, 'images', name + ('-m32' if bits == 32 else ''))
    if stale(out, [src]):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run(['gcc'] + (['-m32'] if bits == 32 else []) +
            ['-static', '-O2', '-Wall', '-o', out + '.tmp', src])
        os.rename(out + '.tmp', out)
    return out


def dom0_tool(name):
    """tests/<name>/*.c, a dom0 tool linked static against libxen-dev's
    libraries (libxenstore, libxengnttab, libxenevtchn, libxencall): static, like
    the guest tools, so it runs whatever libraries dom0's image holds."""
    srcs = sorted(glob.glob(os.path.join(TOP, 'tests', name, '*.[ch]')))
    out = os.path.join(BUILD, 'images', 'xenpv-' + name)
    if stale(out, srcs):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run(['gcc', '-static', '-O2', '-Wall', '-Wextra', '-o', out + '.tmp'] +
            [s for s in srcs if s.endswith('.c')] +
            ['-lxenstore', '-lxengnttab', '-lxenevtchn', '-lxencall',
             '-lxentoollog', '-lxentoolcore'])
        os.rename(out + '.tmp', out)
    return out


def qemu_check_tool(name):
    """tests/qemu-check/<name>.S (+ .lds), a 32-bit PVH image that QEMU
    boots by itself (-kernel, QEMU's own PVH loader, no Xen) to measure
    one behaviour of this QEMU; built with gcc -m32 into build/images."""
    src = os.path.join(TOP, 'tests', 'qemu-check', name + '.S')
    lds = os.path.join(TOP, 'tests', 'qemu-check', name + '.lds')
    out = os.path.join(BUILD, 'images', 'qemu-check-' + name)
    if stale(out, [src, lds]):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run(['gcc', '-m32', '-nostdlib', '-static', '-ffreestanding',
             '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-Wl,-T,' + lds,
             '-o', out + '.tmp', src], capture_output=True, text=True)
        os.rename(out + '.tmp', out)
    return out


# What tests/qemu-check/pae-pdpte.S prints on QEMU's debug port.
PDPTE_PAE = re.compile(r'^PAE-PDPTE wrote ([0-9a-f]{2}) read ([0-9a-f]{2})$', re.M)
PDPTE_2LVL = re.compile(r'^2LVL-PDE wrote ([0-9a-f]{2}) read ([0-9a-f]{2})$', re.M)
PDPTE_END = re.compile(r'^PDPTE-PROBE-END$', re.M)
ACCESSED = 0x20


def read_pdpte_probe(text):
    """What the output of tests/qemu-check/pae-pdpte.S says of this QEMU:
    ('clean', None) when the PAE PDPTE read back as written, ('bug',
    reason) when the walker set its Accessed bit (reserved in PAE), and
    ('unknown', reason) when the output shows neither for sure: lines
    missing, or a 2-level control whose PDE the walker did not mark
    Accessed (there it must), so the probe did not see the walker's
    writes."""
    pae, lvl2 = PDPTE_PAE.search(text), PDPTE_2LVL.search(text)
    if not pae or not lvl2 or not PDPTE_END.search(text):
        last = [l for l in text.splitlines() if l.strip()][-1:]
        return 'unknown', 'the probe did not print its %s line (%s)' % (
            'PAE-PDPTE' if not pae else '2LVL-PDE' if not lvl2 else 'PDPTE-PROBE-END',
            'last line: "%s"' % last[0][:80] if last else 'no output')
    wrote, read = int(pae.group(1), 16), int(pae.group(2), 16)
    w2, r2 = int(lvl2.group(1), 16), int(lvl2.group(2), 16)
    if not r2 & ACCESSED or (r2 & ~ACCESSED) != w2:
        return 'unknown', ('the 2-level control read back %#04x, written %#04x: the walker '
                           'must set Accessed (only) there, so the probe does not see its '
                           'writes' % (r2, w2))
    if read == wrote:
        return 'clean', None
    if read & ACCESSED and not wrote & ACCESSED:
        return 'bug', (
            "this QEMU sets the Accessed bit, reserved in PAE, in a 32-bit guest's PDPTEs "
            "(probe: wrote %#04x, read %#04x); Xen's HAP walker then faults decoding the "
            "guest's intercepted instructions and a 32-bit PAE PVH guest spins on its "
            "first CPUID (README: '32-bit PVH on this test machine')" % (wrote, read))
    return 'unknown', 'the PAE PDPTE read back %#04x, written %#04x: not a change the ' \
        'probe knows' % (read, wrote)


PDPTE_PROBE_TIMEOUT = 30


def check_pae_pdpte(logdir):
    """Boot tests/qemu-check/pae-pdpte.S in plain QEMU (the CPU of the PVH
    machine, TCG, no Xen) and read its lines: read_pdpte_probe()'s
    verdict.  A probe that cannot be built or run is 'unknown', never
    'clean'.  Its command and output go to logdir/qemu-check-pae-pdpte.log."""
    try:
        with images_locked():
            image = qemu_check_tool('pae-pdpte')
    except subprocess.CalledProcessError as e:
        err = (e.stderr or '').strip().splitlines()
        return 'unknown', 'could not build the probe with gcc -m32 (%s; gcc-multilib: ' \
            'make deps)' % (err[-1][:100] if err else 'status %d' % e.returncode)
    except OSError as e:
        return 'unknown', 'could not build the probe: %s' % e
    argv = (['qemu-system-x86_64', '-machine', 'pc', '-accel', TCG, '-m', '64',
             '-nodefaults', '-display', 'none', '-no-reboot'] + MACHINES['pvh'] +
            ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
             '-debugcon', 'stdio', '-kernel', image])
    status = None
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, errors='replace',
                             start_new_session=True, preexec_fn=die_with_parent)
    except OSError as e:
        return 'unknown', 'could not run QEMU: %s' % e
    try:
        out, err = p.communicate(timeout=PDPTE_PROBE_TIMEOUT)
        status = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    with open(os.path.join(logdir, 'qemu-check-pae-pdpte.log'), 'w') as f:
        f.write('### %s\n%s### stderr\n%s### status %s\n' % (' '.join(argv), out, err,
                                                             status))
    verdict, why = read_pdpte_probe(out)
    if verdict == 'unknown':
        qemu = (err or '').strip().splitlines()
        why += '; QEMU %s%s' % ('exited with status %d' % status if status is not None else
                                'killed after %d s' % PDPTE_PROBE_TIMEOUT,
                                ': ' + qemu[-1][:100] if qemu else '')
    return verdict, why


# Tests this test machine's QEMU cannot run, whatever kernel is the guest,
# when a check of QEMU says so: (pattern, check name, check(logdir) ->
# ('clean', None) | ('bug', reason) | ('unknown', reason)).  A check runs
# once per ladder run, only when a test of its pattern is asked for.  A
# test of a 'bug' is recorded as SKIP with the reason; of an 'unknown'
# (the check could not run) as SKIP with "could not check QEMU: ..." and,
# under CI (CI=true), the check itself as a failure, "qemu-check" (as
# check.sh fails a missing tool under CI).  Name a test exactly to run it
# whatever the check says (to watch it spin, or on another QEMU).
QEMU_CANNOT = [
    ('domu-pvh32*', 'pae-pdpte', check_pae_pdpte),
]
QEMU_CHECKED = {}       # check name: its verdict, once it ran


def stress_binary():
    return guest_tool('xenpv-stress')


def io_tools():
    """The tools of make bench-io (iperf3 with its libraries, xenpv-io) as
    an uncompressed cpio archive, for dom0's and the domUs' initramfs."""
    out = os.path.join(BUILD, 'images', 'iotools.cpio')
    io = guest_tool('xenpv-io')
    script = os.path.join(TOP, 'tests', 'image', 'mkiotools.sh')
    inputs = [io, script, os.path.join(TOP, 'scripts', 'xenpv', 'deps.sh')] + glob.glob(
        os.path.join(CACHE, 'pkgs', '*', '.unpacked'))
    if stale(out, inputs):
        run([script, io, out])
    return out


def guest_initrd_with(kernel, archive):
    """kernel's guest initramfs with archive on top, as one gzip stream:
    libxenguest may unpack a gzip ramdisk itself, taking its size from the
    end of the file, and would mangle two streams one after the other."""
    base = kernel.guest_initrd()
    out = os.path.join(BUILD, 'images', 'guest-%s+%s.gz' % (
        kernel.name, os.path.basename(archive)))
    if stale(out, [base, archive]):
        with open(base, 'rb') as f:
            data = gzip.decompress(f.read())
        data += b'\0' * (-len(data) % 4)
        with open(archive, 'rb') as f:
            data += f.read()
        with open(out + '.tmp', 'wb') as f:
            f.write(gzip.compress(data, 6))
        os.rename(out + '.tmp', out)
    return out


def xen_image():
    """Xen 4.17 as an ELF file QEMU's multiboot loader takes."""
    gz = glob.glob(os.path.join(CACHE, 'pkgs', 'xen-hypervisor-%s-amd64' % XEN_VER,
                                'boot', 'xen-%s-amd64.gz' % XEN_VER))
    if not gz:
        sys.exit('ladder: Xen is not unpacked: run "make deps"')
    out = os.path.join(CACHE, 'images', 'xen-%s.elf' % XEN_VER)
    if not os.path.exists(out) or os.path.getmtime(gz[0]) > os.path.getmtime(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out + '.tmp', 'wb') as f:
            run(['zcat', gz[0]], stdout=f)
        os.rename(out + '.tmp', out)
    return out


def dom0_payload(workdir, plan, dom0, domu, extra_domus=(), domu_extra=None,
                 files=None, domu32=None):
    """The second cpio archive of dom0's initramfs: init, the test scripts,
    the domU kernel(s) and initramfs, and a stock dom0's modules.  The
    initramfs of each extra domU gets the archive domu_extra on top;
    files maps more paths under /xenpv to their text.  domu32, the i386
    domU of the 32-bit tests, goes to /xenpv/domu32 with its release."""
    root = os.path.join(workdir, 'payload')
    shutil.rmtree(root, ignore_errors=True)
    x = os.path.join(root, 'xenpv')
    shutil.copytree(os.path.join(TOP, 'tests', 'dom0'), os.path.join(x, 'dom0'))
    shutil.copy(os.path.join(TOP, 'tests', 'dom0', 'init'), os.path.join(root, 'init'))
    with open(os.path.join(x, 'plan'), 'w') as f:
        f.write('\n'.join(plan) + '\n')
    os.makedirs(os.path.join(x, 'domu'))
    os.makedirs(os.path.join(x, 'bin'))
    shutil.copy(stress_binary(), os.path.join(x, 'bin', 'xenpv-stress'))
    shutil.copy(guest_tool('xenpv-devtest'), os.path.join(x, 'bin', 'xenpv-devtest'))
    shutil.copy(dom0_tool('hostile-backend'),
                os.path.join(x, 'bin', 'xenpv-hostile-backend'))
    if domu:
        shutil.copy(domu.image, os.path.join(x, 'domu', 'bzImage'))
        shutil.copy(domu.sysmap, os.path.join(x, 'domu', 'System.map'))
        shutil.copy(domu.guest_initrd(), os.path.join(x, 'domu', 'initrd'))
        elf = domu.elf_image() if ELF_DOMU_TESTS.intersection(plan) else None
        if elf:
            shutil.copy(elf, os.path.join(x, 'domu', 'vmlinux'))
    if domu32:
        d = os.path.join(x, 'domu32')
        os.makedirs(d)
        shutil.copy(domu32.image, os.path.join(d, 'bzImage'))
        shutil.copy(domu32.sysmap, os.path.join(d, 'System.map'))
        shutil.copy(domu32.guest_initrd(), os.path.join(d, 'initrd'))
        with open(os.path.join(d, 'release'), 'w') as f:
            f.write(domu32.release + '\n')
    for k in extra_domus:
        d = os.path.join(x, 'domu-' + k.name)
        os.makedirs(d)
        shutil.copy(k.image, os.path.join(d, 'bzImage'))
        shutil.copy(k.sysmap, os.path.join(d, 'System.map'))
        shutil.copy(guest_initrd_with(k, domu_extra) if domu_extra else k.guest_initrd(),
                    os.path.join(d, 'initrd'))
    for path, text in (files or {}).items():
        with open(os.path.join(x, path), 'w') as f:
            f.write(text)
    if extra_domus:
        with open(os.path.join(x, 'bench-kernels'), 'w') as f:
            f.write(' '.join(k.name for k in extra_domus) + '\n')
    if dom0.name == 'stock':
        # Ours and the anchor have what dom0 needs built in.
        kver = os.listdir(os.path.join(dom0.modules, 'lib', 'modules'))[0]
        src = os.path.join(dom0.modules, 'lib', 'modules', kver)
        dst = os.path.join(root, 'lib', 'modules', kver)
        # modules.dep names every module; copy those we load and their deps
        if not os.path.exists(os.path.join(src, 'modules.dep')):
            # the package leaves that to its postinst
            run(['depmod', '-b', dom0.modules, kver])
        deps = {}
        for line in open(os.path.join(src, 'modules.dep')):
            mod, _, rest = line.partition(':')
            deps[mod] = rest.split()
        want, todo = set(), []
        for m in DOM0_MODULES:
            todo += [k for k in deps if os.path.basename(k).split('.')[0] in
                     (m, m.replace('-', '_'))]
        while todo:
            k = todo.pop()
            if k not in want:
                want.add(k)
                todo += deps.get(k, [])
        for k in want:
            os.makedirs(os.path.dirname(os.path.join(dst, k)), exist_ok=True)
            shutil.copy(os.path.join(src, k), os.path.join(dst, k))
        for f in glob.glob(os.path.join(src, 'modules.*')):
            shutil.copy(f, dst)
        run(['depmod', '-b', root, kver])
        with open(os.path.join(x, 'modules.load'), 'w') as f:
            f.write('\n'.join(DOM0_MODULES) + '\n')
    out = os.path.join(workdir, 'payload.cpio')
    with open(out, 'wb') as f:
        files = subprocess.run('find . | sort', shell=True, cwd=root, check=True,
                               capture_output=True).stdout
        run(['cpio', '-o', '-H', 'newc', '--quiet'], cwd=root, input=files, stdout=f)
    shutil.rmtree(root)
    return out


_images_depth = 0
_images_fd = None


@contextlib.contextmanager
def images_locked():
    """make check runs two ladders at once, and both build the same images
    in build/images (a guest initramfs, the guest tools): one builds, the
    other waits and then finds them up to date."""
    global _images_depth, _images_fd
    if not _images_depth:
        os.makedirs(BUILD, exist_ok=True)
        _images_fd = open(os.path.join(BUILD, '.images.lock'), 'w')
        fcntl.flock(_images_fd, fcntl.LOCK_EX)
    _images_depth += 1
    try:
        yield
    finally:
        _images_depth -= 1
        if not _images_depth:
            _images_fd.close()


def dom0_initrd(workdir, plan, dom0, domu, extra_domus=(), extra=None, files=None,
                domu32=None):
    """base + payload (+ extra, an archive for dom0 and the extra domUs)."""
    with images_locked():
        return make_dom0_initrd(workdir, plan, dom0, domu, extra_domus, extra, files,
                                domu32)


def make_dom0_initrd(workdir, plan, dom0, domu, extra_domus, extra, files, domu32=None):
    base = subprocess.run([os.path.join(TOP, 'tests', 'image', 'mkdom0.sh')],
                          check=True, capture_output=True, text=True).stdout.strip()
    payload = dom0_payload(workdir, plan, dom0, domu, extra_domus, extra, files, domu32)
    out = os.path.join(workdir, 'dom0-initrd.cpio')
    with open(out, 'wb') as f:
        for part in (base, payload) + ((extra,) if extra else ()):
            with open(part, 'rb') as p:
                shutil.copyfileobj(p, f)
            # The kernel only finds an uncompressed cpio archive that
            # starts 4-byte aligned; it skips zero bytes between archives.
            f.write(b'\0' * (-f.tell() % 4))
    os.unlink(payload)
    return out


def die_with_parent():
    """In the QEMU child: be killed when the runner dies, however it dies
    (QEMU runs in its own session, out of reach of the terminal's ^C)."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Machine:
    """One QEMU process; its serial console is read line by line."""

    def __init__(self, argv, logpath, interactive=False):
        self.log = open(logpath, 'a', errors='replace')
        self.log.write('### ' + ' '.join(argv) + '\n')
        self.lines = queue.Queue()
        if interactive:
            self.proc = subprocess.Popen(argv)
            return
        keys = os.environ.get('XENPV_DEBUG_KEYS')
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if keys else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=die_with_parent)
        threading.Thread(target=self._reader, daemon=True).start()
        if keys:
            # "SECONDS:KEYS": switch the serial line to Xen (Ctrl-A three
            # times) after SECONDS and type KEYS, Xen's debug keys.
            delay, _, keys = keys.partition(':')
            threading.Thread(target=self._debug_keys, args=(float(delay), keys),
                             daemon=True).start()

    def _debug_keys(self, delay, keys):
        time.sleep(delay)
        try:
            self.proc.stdin.write(b'\x01\x01\x01')
            self.proc.stdin.flush()
            for k in keys:
                time.sleep(0.5)
                self.proc.stdin.write(k.encode())
                self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def _reader(self):
        for raw in self.proc.stdout:
            line = raw.decode('utf-8', 'replace').rstrip('\r\n')
            self.log.write(line + '\n')
            self.log.flush()
            self.lines.put(line)
        self.lines.put(None)

    def readline(self, deadline):
        """The next line; None when QEMU exited, TIMEOUT at the deadline."""
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            return TIMEOUT

    def exit_status(self):
        """QEMU's exit status once it ends by itself; None if it does
        not within a few seconds."""
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        self.proc.wait()
        self.log.close()


def qemu_native(kernel, initrd, machine):
    return (['qemu-system-x86_64', '-machine', 'pc', '-accel', TCG, '-m', '512',
             '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio']
            + MACHINES[machine] +
            ['-kernel', kernel.image, '-initrd', initrd, '-append',
             'console=ttyS0 printk.time=1 panic=-1 xenpv.job=native'])


def qemu_xen(dom0, initrd, machine, interactive=False, extra_xen_args='', extra=()):
    serial = ['-serial', 'mon:stdio', '-echr', '0x1d'] if interactive else [
        '-serial', 'stdio']
    return (['qemu-system-x86_64', '-machine', 'pc', '-accel', TCG, '-m', '2048',
             '-nodefaults', '-display', 'none', '-no-reboot'] + serial +
            MACHINES[machine] + list(extra) +
            ['-kernel', xen_image(), '-append', XEN_ARGS + extra_xen_args,
             '-initrd', '%s %s,%s' % (dom0.image, DOM0_ARGS, initrd)])


class Result:
    def __init__(self, name, status, reason, seconds, logfile):
        self.name, self.status, self.reason = name, status, reason
        self.seconds, self.logfile = seconds, logfile


# "name /signature/ reason" (the xfail file) and "/pattern/ reason" (the
# allow-list of Xen's guest messages); '#' starts a comment only at the
# start of a line or after blanks, so a pattern may hold one.
XFAIL_LINE = re.compile(r'^(\S+)\s+/((?:[^/\\]|\\.)+)/\s+(\S.*)$')
ALLOW_LINE = re.compile(r'^/((?:[^/\\]|\\.)+)/\s+(\S.*)$')


def pattern_lines(path):
    for n, line in enumerate(open(path), 1):
        line = re.sub(r'(^|\s)#.*', '', line).strip()
        if line:
            yield n, line


def read_xfail(path):
    """{test: (signature regex, reason)}."""
    xfail = {}
    for n, line in pattern_lines(path):
        mo = XFAIL_LINE.match(line)
        if not mo:
            sys.exit('ladder: %s:%d: not "test /signature/ reason": %s' % (path, n, line))
        if mo.group(1) not in TEST:
            sys.exit('ladder: %s:%d: no test named %s' % (path, n, mo.group(1)))
        xfail[mo.group(1)] = (re.compile(mo.group(2)), mo.group(3))
    return xfail


def read_allow(path):
    """[(regex, reason)]: Xen's guest messages that do not fail a test."""
    allow = []
    for n, line in pattern_lines(path):
        mo = ALLOW_LINE.match(line)
        if not mo:
            sys.exit('ladder: %s:%d: not "/pattern/ reason": %s' % (path, n, line))
        allow.append((re.compile(mo.group(1)), mo.group(2)))
    return allow


def problems_in(lines, allow, guest_release, need_guest, guest_arch=None):
    """What in a test's lines fails it whatever the test itself said.
    guest_arch, when given, holds what every guest's "uname -m" may be."""
    found = []

    def first(regex, what, keep=lambda mo: True):
        for line in lines:
            mo = regex.search(line)
            if mo and keep(mo):
                found.append('%s: %s' % (what, line.strip()[:160]))
                return

    first(KERNEL_BAD, 'kernel log')
    first(GUEST_CRASH, 'a domU crashed')
    first(XEN_GUEST, 'Xen about a guest',
          lambda mo: not any(r.search(mo.group(1)) for r, _ in allow))
    seen = [mo.group(1) for mo in map(GUEST_KERNEL.search, lines) if mo]
    wrong = [k for k in seen if k != guest_release]
    if guest_release and wrong:
        found.append('a guest ran kernel %s, expected %s' % (wrong[0], guest_release))
    elif need_guest and not seen:
        found.append('no guest reported its kernel (no XENPV-GUEST-UP line)')
    if guest_arch:
        archs = [mo.group(1) if mo else '(none)' for mo in
                 (GUEST_ARCH.search(l) for l in lines if GUEST_KERNEL.search(l))]
        wrong = [a for a in archs if a not in guest_arch]
        if wrong:
            found.append('a guest ran as %s, expected %s' % (wrong[0], ' or '.join(guest_arch)))
    return found


def show_excerpt(lines, logfile):
    """Print what a reader of CI's output needs to see of a failed test:
    the first kernel log line that failed it, with the lines around it
    (the message before a "Call Trace:" says what it is, the frames after
    it where), then the test's last lines.  The whole log stays on disk."""
    bad = next((i for i, l in enumerate(lines) if KERNEL_BAD.search(l)), None)
    tail = max(0, len(lines) - 25)
    if bad is not None and bad < tail:
        for l in lines[max(0, bad - 12):min(bad + 30, tail)]:
            print('      | ' + l[:200])
        print('      | [...]')
    for l in lines[tail:]:
        print('      | ' + l[:200])
    print('      | (whole log: %s)' % os.path.relpath(logfile, TOP), flush=True)


def judge(name, status, reason, lines, kind, xfail, allow, guest_release=None,
          need_guest=False, guest_arch=None):
    """The final (status, reason) of a test: what it reported, weighed
    against every line it left (problems_in) and the expectations.

    kind says how a failure came about: 'result' (the test said FAIL) is
    the only kind an XFAIL signature may excuse; 'timeout', 'machine'
    (QEMU exited or the machine died), 'boot' and 'kernel' never are."""
    if status == 'SKIP':
        return status, reason
    problems = problems_in(lines, allow, guest_release, need_guest and status == 'PASS',
                           guest_arch)
    listed = name in xfail
    if problems:
        why = '; '.join(problems)
        if status != 'PASS':
            why += ' (the test: %s)' % reason
        if listed:
            why += ' [listed as XFAIL, but not for this]'
        return 'FAIL', why
    if not listed:
        return status, reason
    sig, because = xfail[name]
    if status == 'PASS':
        return 'XPASS', 'passed, but the xfail file lists it (%s): delete its line' % because
    if kind != 'result':
        return 'FAIL', '%s [listed as XFAIL, but this is a %s, not the expected failure]' % (
            reason, kind)
    if sig.search(reason) or any(sig.search(l) for l in lines):
        return 'XFAIL', '%s [%s]' % (because, reason)
    return 'FAIL', '%s [listed as XFAIL, but the failure does not match /%s/]' % (
        reason, sig.pattern)


class Ladder:
    def __init__(self, args, kernel=None, domu_dom0=None):
        self.args = args
        self.label = args.label or args.kernel
        self.logdir = args.logdir or os.path.join(BUILD, 'tests', self.label)
        shutil.rmtree(self.logdir, ignore_errors=True)
        os.makedirs(self.logdir)
        self.kernel = kernel or Kernel(args.kernel)
        self.domu_dom0 = domu_dom0 or (Kernel(args.domu_dom0) if args.domu_dom0 and
                                       args.domu_dom0 != args.kernel else self.kernel)
        for k in (self.kernel, self.domu_dom0):
            if getattr(k, 'bits', 64) == 32:
                sys.exit('ladder: %s is an i386 kernel: it runs as the guest of the 32-bit '
                         'tests (native32, domu-pvh32*) of --kernel %s, never as dom0' % (
                             k.name, k.name[:-2]))
        self.xfail = read_xfail(args.xfail) if args.xfail else {}
        self.allow = read_allow(args.allow or os.path.join(TOP, 'tests', 'expect',
                                                           'xen-guest.allow'))
        self.results = []
        self.retry = []         # tests to run again, in a new boot
        self.first_try = {}     # test: what its first run died of
        self.kernel32 = None    # the i386 sibling, once sibling32() found it

    def sibling32(self):
        """(the i386 sibling of the kernel under test, None) when it and
        the i386 guest userland are there, else (None, why not)."""
        name = self.kernel.name
        if name not in ('ours', 'anchor'):
            return None, 'no i386 sibling of %s (the 32-bit tests run with --kernel ours ' \
                'or anchor: ours32, anchor32)' % name
        try:
            k = Kernel(name + '32')
        except Unavailable as e:
            return None, 'no %s32: %s' % (name, str(e).replace('ladder: ', ''))
        if not os.path.exists(os.path.join(CACHE, 'pkgs', 'busybox-static-i386', 'bin',
                                           'busybox')):
            return None, 'no i386 guest userland: Debian\'s i386 busybox-static is not ' \
                'unpacked (run: make deps)'
        try:
            with images_locked():
                for tool in ('xenpv-stress', 'xenpv-hostile'):
                    guest_tool(tool, 32)
                k.guest_initrd()
        except (subprocess.CalledProcessError, OSError) as e:
            return None, 'no i386 guest userland: %s failed (gcc -m32 needs gcc-multilib ' \
                'and libc6-dev-i386: run make deps)' % (
                    ' '.join(map(str, e.cmd)) if hasattr(e, 'cmd') else e)
        return k, None

    def guest_of(self, name):
        """(release, arch) a test's guests must report (arch None: any)."""
        if name in TEST and TEST[name][1] in KINDS32 and self.kernel32:
            return self.kernel32.release, ARCH32
        return self.kernel.release, None

    def record(self, name, status, reason, seconds, lines, kind='result'):
        logfile = os.path.join(self.logdir, name + '.log')
        guest = TEST[name][1] in {'domu', 'native'} | KINDS32 if name in TEST else False
        release, arch = self.guest_of(name)
        status, reason = judge(name, status, reason, lines, kind, self.xfail, self.allow,
                               release, guest, arch)
        if (status == 'FAIL' and name in TEST and name not in self.first_try and
                TEST[name][3] in QEMU_SVM_MACHINES and
                all(any(r.search(l) for l in lines) for r in QEMU_SVM_REDELIVERY)):
            # QEMU's, not the guest's: see QEMU_SVM_REDELIVERY.  Keep
            # this run's log beside the next one's and run it again.
            logfile = os.path.join(self.logdir, name + '.first.log')
            with open(logfile, 'w', errors='replace') as f:
                f.write('\n'.join(lines) + '\n')
            self.first_try[name] = '%s, %s' % (reason[:120], os.path.relpath(logfile, TOP))
            self.retry.append(name)
            print('AGAIN %-18s %6.1fs  its domU died of QEMU 7.2\'s second delivery of an '
                  'injected interrupt (a double fault with the user\'s GS base in kernel '
                  'mode): running it again in a new boot; this run: %s' % (
                      name, seconds, os.path.relpath(logfile, TOP)), flush=True)
            return
        if name in self.first_try:
            reason += (' [second run: the first died of QEMU 7.2\'s second delivery of an '
                       'injected interrupt: %s]' % self.first_try[name])
        with open(logfile, 'w', errors='replace') as f:
            f.write('\n'.join(lines) + '\n')
        r = Result(name, status, reason, seconds, logfile)
        self.results.append(r)
        print('%-5s %-18s %6.1fs  %s' % (status, name, seconds, reason), flush=True)
        if status in ('FAIL', 'XPASS'):
            show_excerpt(lines, logfile)

    def run_native(self, name, timeout, machine, kernel=None):
        k = kernel or self.kernel
        with images_locked():
            initrd = k.guest_initrd()
        m = Machine(qemu_native(k, initrd, machine),
                    os.path.join(self.logdir, '%s.serial.log' % name))
        start, lines = time.time(), []
        status, reason = 'FAIL', 'no XENPV-NATIVE-OK within %d s' % timeout
        kind = 'timeout'
        while True:
            line = m.readline(start + timeout)
            if line is None:
                reason, kind = 'QEMU exited before the guest reported', 'machine'
                break
            if line is TIMEOUT:
                if time.time() < start + timeout:
                    continue
                break
            lines.append(line)
            mo = re.search(r'XENPV-NATIVE-OK cpus=(\d+)', line)
            if mo:
                kind = 'result'
                if mo.group(1) == MACHINES[machine][-1]:
                    status, reason = 'PASS', 'booted natively to init, %s CPUs' % mo.group(1)
                else:
                    reason = 'booted, but with %s CPUs' % mo.group(1)
                break
            if DEAD.search(line):
                reason, kind = line.strip(), 'machine'
                break
        m.kill()
        self.record(name, status, reason, time.time() - start, lines, kind)

    def run_group(self, dom0, domu, plan, machine, domu32=None):
        """Boot Xen with dom0 and run the plan; boot again after a hang."""
        gname = '%s-%s' % (dom0.name, machine)
        workdir = os.path.join(BUILD, 'tests', 'work', self.label)
        os.makedirs(workdir, exist_ok=True)
        while plan:
            initrd = dom0_initrd(workdir, plan, dom0, domu, domu32=domu32)
            m = Machine(qemu_xen(dom0, initrd, machine),
                        os.path.join(self.logdir, '%s.serial.log' % gname))
            plan = self.drive(m, plan, dom0)
            m.kill()
            if not plan:
                plan, self.retry = self.retry, []

    def drive(self, m, plan, dom0):
        """Read one boot's console; return the tests still to run.

        The boot's messages count as the first test's log, so a warning
        while dom0 boots fails that test; what comes after the last test,
        up to XENPV-PLAN-DONE, is checked as "end-of-boot"."""
        pending = list(plan)
        current = result = None
        t0 = time.time()
        deadline = t0 + BOOT_TIMEOUT
        lines, ready = [], False
        while True:
            line = m.readline(deadline)
            if line is TIMEOUT and time.time() < deadline:
                continue
            if current == POWER_OFF_TEST and (line is None or line is TIMEOUT):
                status, reason = self.power_off_verdict(m, lines, line is None)
                self.record(current, status, reason, time.time() - t0, lines)
                pending.remove(current)
                return pending
            if line is None or line is TIMEOUT or DEAD.search(line):
                if line is None:
                    why, kind = 'QEMU exited', 'machine'
                elif line is TIMEOUT:
                    why, kind = 'timeout after %d s' % (time.time() - t0), 'timeout'
                else:
                    lines.append(line)
                    why, kind = line.strip().rstrip(':') + self.epilogue(m, lines), 'machine'
                if not pending:
                    self.end_of_boot(dom0, lines, time.time() - t0,
                                     'the plan did not finish: ' + why)
                    return []
                if not ready:
                    # dom0 never came up: nothing of this group can run
                    why = 'dom0 (%s) did not boot: %s' % (dom0.name, why)
                    for t in pending:
                        self.record(t, 'FAIL', why, time.time() - t0, lines, 'boot')
                        lines = ['(see %s.log)' % pending[0]]
                    return []
                victim = current or pending[0]
                self.record(victim, 'FAIL', why, time.time() - t0, lines, kind)
                pending.remove(victim)
                return pending
            lines.append(line)
            mo = DOM0_KERNEL.search(line)
            if mo and mo.group(1) != dom0.release:
                why = 'dom0 booted kernel %s, expected %s (%s)' % (
                    mo.group(1), dom0.release, dom0.name)
                for t in pending:
                    self.record(t, 'FAIL', why, time.time() - t0, lines, 'kernel')
                    lines = ['(see %s.log)' % pending[0]]
                return []
            if 'XENPV-DOM0-READY' in line:
                ready = True
                deadline = time.time() + 60
                continue
            if 'XENPV-PLAN-DONE' in line and not pending:
                self.end_of_boot(dom0, lines, time.time() - t0)
                return []
            mo = re.search(r'XENPV-(TEST-BEGIN|RESULT|TEST-END) (\S+) ?(PASS|FAIL)? ?(.*)', line)
            if not mo or (mo.group(1) != 'TEST-BEGIN' and mo.group(2) != current):
                continue
            what, name = mo.group(1), mo.group(2)
            if what == 'TEST-BEGIN' and name in pending:
                current, result = name, None
                t0 = time.time()
                deadline = t0 + TEST[name][2]
            elif what == 'RESULT':
                result = (mo.group(3) or 'FAIL', mo.group(4))
                deadline = time.time() + 60     # cleanup, then TEST-END
            elif what == 'TEST-END':
                if result:
                    self.record(current, result[0], result[1], time.time() - t0, lines)
                else:
                    self.record(current, 'FAIL', 'the test printed no result',
                                time.time() - t0, lines, 'noresult')
                pending.remove(current)
                current, lines = None, []
                t0 = time.time()
                # the next test, or the end of the plan (xl dmesg, ...)
                deadline = t0 + (60 if pending else 120)

    @staticmethod
    def power_off_verdict(m, lines, exited):
        """dom0-poweroff's result when its machine has gone (exited) or
        is still there at the deadline: see POWER_OFF_TEST."""
        not_off = [l for l in lines if XEN_NOT_OFF.search(l)]
        if not exited:
            return 'FAIL', 'the machine did not turn off%s' % (
                ': Xen says "%s"' % not_off[-1].split(') ', 1)[-1] if not_off else '')
        status = m.exit_status()
        if status != 0:
            return 'FAIL', 'QEMU exited with status %s' % status
        if not_off:
            return 'FAIL', 'the machine did not power off: Xen says "%s"' % (
                not_off[-1].split(') ', 1)[-1])
        if not any(XEN_S5.search(l) for l in lines):
            return 'FAIL', ('the machine went off, but not through Xen (no "Entering '
                            'ACPI S5 state." from Xen)')
        return 'PASS', 'Xen entered ACPI S5 and the machine turned off (QEMU exited 0)'

    def end_of_boot(self, dom0, lines, seconds, why=None):
        """The lines after the last test: recorded only when they show a
        problem (or the plan did not finish), as a failure of their own."""
        name = 'end-of-boot'
        status, reason = judge(name, 'FAIL' if why else 'PASS', why or 'clean', lines,
                               'machine', {}, self.allow)
        logfile = os.path.join(self.logdir, '%s-%s.log' % (name, dom0.name))
        with open(logfile, 'w', errors='replace') as f:
            f.write('\n'.join(lines) + '\n')
        if status == 'PASS':
            return
        self.results.append(Result(name, 'FAIL', reason, seconds, logfile))
        print('%-5s %-18s %6.1fs  %s' % ('FAIL', name, seconds, reason), flush=True)
        show_excerpt(lines, logfile)

    @staticmethod
    def epilogue(m, lines):
        """A panic's reason comes on the lines after it: read them."""
        more, deadline = [], time.time() + 3
        while len(more) < 6:
            line = m.readline(deadline)
            if line is None or line is TIMEOUT:
                break
            lines.append(line)
            text = re.sub(r'^\(XEN\)\s*|^\[\s*\d+\.\d+\]\s*', '', line).strip()
            if text and not set(text) <= set('*'):
                more.append(text)
        return (': ' + ' / '.join(more[:2])) if more else ''

    def run(self):
        # --tests names tests or patterns ("domu-*"); a test named
        # exactly always runs, one a pattern or the default brings in is
        # left out when it asks of an upstream domU (the anchor's or
        # Debian's) what only ours does.
        asked = self.args.tests.split(',') if self.args.tests else ['*']
        # "!pattern" takes tests out again.
        skip = {t[0] for a in asked if a.startswith('!') for t in TESTS
                if fnmatch.fnmatchcase(t[0], a[1:])}
        asked = [a for a in asked if not a.startswith('!')] or ['*']
        names = []
        exact = {a for a in asked if a in TEST}
        for a in asked:
            hits = [t[0] for t in TESTS if fnmatch.fnmatchcase(t[0], a)]
            if not hits:
                sys.exit('ladder: unknown test %r (known: %s)' % (
                    a, ', '.join(t[0] for t in TESTS)))
            if a not in TEST and self.kernel.name in ('anchor', 'stock'):
                for n in [h for h in hits if h in BEYOND_ANCHOR]:
                    log('not run on %s: %s (%s)' % (self.kernel.name, n, BEYOND_ANCHOR[n]))
                hits = [h for h in hits if h not in BEYOND_ANCHOR]
            if a not in TEST and self.domu_dom0.name != self.kernel.name:
                for n in [h for h in hits if h in BACKEND_TESTS]:
                    log('not run with dom0 %s: %s (a test of the dom0\'s backends, '
                        'run where the dom0 is the kernel under test)' % (
                            self.domu_dom0.name, n))
                hits = [h for h in hits if h not in BACKEND_TESTS]
            names += [h for h in hits if h not in names and h not in skip]
        log('kernel under test: %s; dom0 for domU tests: %s; logs: %s' % (
            self.kernel.name, self.domu_dom0.name, os.path.relpath(self.logdir, TOP)))
        for k in {self.kernel.name: self.kernel, self.domu_dom0.name: self.domu_dom0}.values():
            log('  %s' % k.describe())
        # The 32-bit tests need the i386 sibling and its userland; without
        # them they SKIP, saying why.
        why32 = None
        if any(TEST[n][1] in KINDS32 for n in names):
            self.kernel32, why32 = self.sibling32()
            if self.kernel32:
                log('  %s (the 32-bit tests\' guest)' % self.kernel32.describe())
        cannot = self.check_qemu(names, exact)
        # group by (dom0 kernel, machine), keeping the ladder's order
        groups = []
        for n in [t[0] for t in TESTS if t[0] in names]:
            kind, _, machine = TEST[n][1:]
            if n in cannot:
                why = cannot[n]
                if kind in KINDS32 and not self.kernel32:
                    why += '; also %s' % why32
                self.record(n, 'SKIP', why, 0, [])
                continue
            if kind in KINDS32 and not self.kernel32:
                self.record(n, 'SKIP', why32, 0, [])
                continue
            if kind == 'native':
                self.run_native(n, TEST[n][2], machine)
                continue
            if kind == 'native32':
                self.run_native(n, TEST[n][2], machine, self.kernel32)
                continue
            dom0 = self.kernel if kind == 'dom0' else self.domu_dom0
            for g in groups:
                if g[0].name == dom0.name and g[1] == machine:
                    g[2].append(n)
                    break
            else:
                groups.append((dom0, machine, [n]))
        for dom0, machine, plan in groups:
            domu = self.kernel if any(TEST[t][1] == 'domu' for t in plan) else None
            domu32 = self.kernel32 if any(TEST[t][1] == 'domu32' for t in plan) else None
            self.run_group(dom0, domu, plan, machine, domu32)
        return self.summary()

    def check_qemu(self, names, exact):
        """{test: why it is not run} for the tests of names that
        QEMU_CANNOT's checks say this QEMU cannot run (a test in exact
        runs all the same); each check runs once, when a test of its
        pattern is asked for.  Under CI a check that could not run is a
        failure of its own, "qemu-check"."""
        cannot = {}
        for pat, check, fn in QEMU_CANNOT:
            hits = [n for n in names if fnmatch.fnmatchcase(n, pat)]
            if not hits:
                continue
            if check not in QEMU_CHECKED:
                t0 = time.time()
                QEMU_CHECKED[check] = fn(self.logdir) + (time.time() - t0,)
            verdict, why, seconds = QEMU_CHECKED[check]
            if verdict == 'clean':
                log('QEMU check %s: clean, %s run' % (check, pat))
                continue
            if verdict != 'bug':
                why = 'could not check QEMU (%s): %s' % (check, why)
                if os.environ.get('CI') == 'true':
                    logfile = os.path.join(self.logdir, 'qemu-check-%s.log' % check)
                    if not os.path.exists(logfile):
                        with open(logfile, 'w') as f:
                            f.write(why + '\n')
                    self.results.append(Result('qemu-check', 'FAIL', why + ' (fails under '
                                               'CI, as a missing tool does)', seconds,
                                               logfile))
                    print('%-5s %-18s %6.1fs  %s' % ('FAIL', 'qemu-check', seconds, why),
                          flush=True)
            log('QEMU check %s: %s' % (check, why))
            for n in hits:
                if n in exact:
                    log('  %s runs all the same: named exactly' % n)
                else:
                    cannot[n] = why
        return cannot

    def summary(self):
        order = {t[0]: i for i, t in enumerate(TESTS)}
        self.results.sort(key=lambda r: order.get(r.name, len(order)))
        count = lambda s: sum(1 for r in self.results if r.status == s)
        with open(os.path.join(self.logdir, 'summary.txt'), 'w') as f:
            for r in self.results:
                f.write('%-5s %-18s %6.1fs  %s\n' % (r.status, r.name, r.seconds, r.reason))
        print()
        print('== %s: %s' % (self.label, ', '.join(
            '%s %s' % (r.name, r.status) for r in self.results)))
        if count('XFAIL') or count('XPASS'):
            print('XFAIL: %d, XPASS: %d' % (count('XFAIL'), count('XPASS')))
        if count('SKIP'):
            print('SKIP: %d (%s)' % (count('SKIP'), ', '.join(
                r.name for r in self.results if r.status == 'SKIP')))
        # An XPASS is a stale expectation: it fails until its line goes.
        passed, failed = count('PASS'), count('FAIL') + count('XPASS')
        print('%d passed, %d failed' % (passed, failed), flush=True)
        return 1 if failed else 0


# What the benchmark reports: (label, window, counter, per-iteration divisor)
BENCH_ROWS = [
    ('fork+exec+exit: hypercalls', 0, 'hypercalls', 200),
    ('  of which mmu_update calls', 0, 'mmu_update', 200),
    ('  of which single-entry mmu_update', 0, 'mmu_update_single', 200),
    ('  of which iret', 0, 'iret', 200),
    ('  of which multicall', 0, 'multicall', 200),
    ('  of which re-issued after Xen preempted them', 0, 'continued', 200),
    ('  multicall entries', 0, 'subcalls', 200),
    ('  all operations (direct + multicall entries)', 0, 'operations', 200),
    ('  page-table requests (all mmu_update)', 0, 'mmu_update_requests', 200),
    ('    of which in multicall entries', 0, 'mmu_update_requests_mc', 200),
    ('fork+exec+exit: page faults bounced', 0, 'page_faults', 200),
    ('fork+exec+exit: emulated PTE writes', 0, 'ptwr', 200),
    ('fork+exec+exit: emulated privileged ops', 0, 'privop', 200),
    ('64 MiB mmap/touch/munmap: hypercalls', 1, 'hypercalls', 4),
    ('  all operations (direct + multicall entries)', 1, 'operations', 4),
    ('  page-table requests (all mmu_update)', 1, 'mmu_update_requests', 4),
    ('64 MiB mmap/touch/munmap: page faults', 1, 'page_faults', 4),
    ('64 MiB mmap/touch/munmap: emulated PTE writes', 1, 'ptwr', 4),
    ('fork+exit: hypercalls', 2, 'hypercalls', 200),
    ('  all operations (direct + multicall entries)', 2, 'operations', 200),
]
# The workloads of the bench job, in the order of their trace windows:
# (name in xenpv-stress's result line, label, iterations).
BENCH_WORKLOADS = [('forkexec', 'fork+exec+exit', 200),
                   ('mmap', '64 MiB mmap/touch/munmap', 4),
                   ('fork', 'fork+exit', 200)]
# Each kernel boots this many times, in turns (anchor, ours, anchor, ours):
# whatever drifts in the machine over the run falls on both alike.
BENCH_ROUNDS = 2
# The guest types each kernel boots as, in each round: PV, then PVH (the
# same bzImage at its PVH entry; its runs are named "<kernel>:pvh").
BENCH_TYPES = ('pv', 'pvh')
PVH = ':pvh'
# The PVH rows: (label, window, key of xentrace-count's HVM window,
# iterations).
BENCH_PVH_ROWS = [
    ('fork+exec+exit: VM exits', 0, 'vmexits', 200),
    ('  of which hypercalls (VMMCALL)', 0, 'vmmcall', 200),
    ('  of which nested page faults', 0, 'npf', 200),
    ('64 MiB mmap/touch/munmap: VM exits', 1, 'vmexits', 4),
    ('  of which nested page faults', 1, 'npf', 4),
    ('fork+exit: VM exits', 2, 'vmexits', 200),
]
# The trace-counting check of bench.sh: xenpv-stress hypercalls N issues,
# per round, one multicall of 3 xen_version and 4 mmu_update entries of
# 61 requests, and one direct mmu_update of 67.
BENCH_CHECK_ROUNDS = 100


def symbolize(sysmap, addr):
    """function+offset for a kernel address, from System.map."""
    best = None
    for line in open(sysmap):
        a, _, name = line.split()[:3]
        a = int(a, 16)
        if a <= addr and (best is None or a > best[0]):
            best = (a, name)
    if best is None or addr - best[0] > 0x100000:
        return '%x' % addr
    return '%s+%#x' % (best[1], addr - best[0])


def image_release(path):
    """The release ("uname -r") a bzImage will report: the boot protocol's
    setup header (at 0x1f1) has the magic "HdrS" at 0x202, and from
    version 2.00 a pointer at 0x20e (relative to 0x200) to the kernel's
    version string, "<release> (<builder>) #<n> ..."."""
    with open(path, 'rb') as f:
        head = f.read(0x8000)
    if head[0x202:0x206] != b'HdrS' or int.from_bytes(head[0x206:0x208], 'little') < 0x200:
        return None
    ptr = int.from_bytes(head[0x20e:0x210], 'little') + 0x200
    text = head[ptr:head.find(b'\0', ptr)].decode('ascii', 'replace')
    return text.split()[0] if text else None


def bench_kernels_text(kernels):
    """Which kernel each column is, and what the two configurations differ
    in: only the Xen implementation may (and CONFIG_LOCALVERSION, which
    names the flavour)."""
    import hashlib
    out = []
    for k in kernels:
        with open(k.image, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        info = os.path.join(os.path.dirname(k.image), 'build-info')
        commit = ''
        if os.path.exists(info):
            for line in open(info):
                if line.startswith('commit='):
                    commit = ', from commit ' + line.strip().split('=', 1)[1]
        out.append('%-7s = %s: release %s, sha256 %s, built %s%s' % (
            k.name, os.path.relpath(k.image, TOP), image_release(k.image), digest,
            time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(k.image))),
            commit))
    cfgs = {}
    for k in kernels:
        path = os.path.join(os.path.dirname(k.image), '.config')
        opts = {}
        if os.path.exists(path):
            for line in open(path):
                mo = re.match(r'(CONFIG_\w+)=(.*)', line) or re.match(
                    r'# (CONFIG_\w+) is not set', line)
                if mo:
                    opts[mo.group(1)] = mo.group(2) if mo.lastindex > 1 else 'n'
        cfgs[k.name] = (path, opts)
    if len(kernels) > 1:
        (pa, a), (pb, b) = cfgs[kernels[0].name], cfgs[kernels[-1].name]
        if not a or not b:
            out.append('.config: %s or %s is missing: not compared' % (
                os.path.relpath(pa, TOP), os.path.relpath(pb, TOP)))
            return out
        names = sorted(n for n in set(a) | set(b) if a.get(n, 'n') != b.get(n, 'n'))
        xen = [n for n in names if 'XEN' in n or n == 'CONFIG_LOCALVERSION']
        other = [n for n in names if n not in xen]
        out.append('.config, %s vs %s: %d options differ, %d of them not the Xen '
                   'implementation\'s%s' % (
                       os.path.relpath(pa, TOP), os.path.relpath(pb, TOP), len(names),
                       len(other), ' (listed first, marked !)' if other else ''))
        for n in other + xen:
            out.append('  %s %s: %s=%s %s=%s' % ('!' if n in other else ' ', n,
                                                 kernels[0].name, a.get(n, 'n'),
                                                 kernels[-1].name, b.get(n, 'n')))
    return out


def bench_fail(m, logpath, why):
    m.kill()
    sys.exit('bench: FAILED: %s\n  (the figures of this run are not printed: see %s)' % (
        why, os.path.relpath(logpath, TOP)))


def check_kernel(k, up, logpath, m=None, what='bench'):
    """The domU booted the kernel it was given: uname -r, in its
    XENPV-GUEST-UP line, is the release of build/kernels/<k>/bzImage."""
    want = image_release(k.image)
    got = re.search(r'kernel=(\S+)', up or '')
    if not got or got.group(1) != want:
        msg = '%s: a %s domU reported kernel %s, but %s is %s' % (
            what, k.name, got.group(1) if got else '(nothing)',
            os.path.relpath(k.image, TOP), want)
        if m:
            m.kill()
        sys.exit(msg + '; see ' + os.path.relpath(logpath, TOP))


def bench_check(window):
    """Compare the counts of bench.sh's check window with what xenpv-stress
    hypercalls issued: (what differs or '', {what: (counted, issued)})."""
    n = BENCH_CHECK_ROUNDS
    want = {'subops': {'xen_version': 3 * n}, 'mmu_batch_mc': {'61': 4 * n},
            'mmu_batch': {'67': n}}
    got = {}
    for key, exp in want.items():
        h = dict(kv.split(':') for kv in window.get(key, '-').split(',') if ':' in kv)
        for what, cnt in exp.items():
            got['%s %s' % (key, what)] = (int(h.get(what, 0)), cnt)
    bad = ['%s: counted %d, issued %d' % (k, a, b) for k, (a, b) in got.items() if a != b]
    return '; '.join(bad), got


def bench(args):
    """One boot (anchor dom0, -icount, Xen trace buffers): each domU kernel
    named boots BENCH_ROUNDS times, the kernels in turns, and runs the
    same workloads pinned alone on a physical CPU; print what each cost,
    the mean over its boots, side by side, with the ratio of the last
    kernel to the first.  Counts come from Xen's trace (multicall entries
    included), times from Xen's clock (the trace's TSC stamps on the
    markers) or dom0's (the boot), never from the guest's own."""
    kernels = [Kernel(n) for n in args.bench.split(',')]
    dom0 = Kernel(args.dom0 if args.dom0 != 'ours' else 'anchor')
    # XENPV_TBUF_SIZE: Xen's trace buffer per CPU, in pages (a tiny one
    # shows that lost records are caught).
    tbuf = int(os.environ.get('XENPV_TBUF_SIZE') or 8192)
    workdir = os.path.join(BUILD, 'tests', 'work', 'bench')
    os.makedirs(workdir, exist_ok=True)
    initrd = dom0_initrd(workdir, ['bench'], dom0, None, kernels,
                         files={'bench.conf': 'ROUNDS=%d CHECK_ROUNDS=%d TYPES="%s"\n' % (
                             BENCH_ROUNDS, BENCH_CHECK_ROUNDS, ' '.join(BENCH_TYPES))})
    argv = qemu_xen(dom0, initrd, 'bench', extra_xen_args=' tbuf_size=%d' % tbuf,
                    extra=['-icount', 'shift=0,sleep=off'])
    logpath = os.path.join(workdir, 'serial.log')
    if os.path.exists(logpath):
        os.unlink(logpath)
    names = [k.name for k in kernels]
    pvh_names = [nm + PVH for nm in names] if 'pvh' in BENCH_TYPES else []
    log('benchmark: dom0 %s, domUs %s, as %s, %d rounds, QEMU -icount; log %s' % (
        dom0.name, ', '.join(names), ' and '.join(BENCH_TYPES), BENCH_ROUNDS,
        os.path.relpath(logpath, TOP)))
    start = time.time()
    m = Machine(argv, logpath)
    deadline = start + 1200 + 900 * BENCH_ROUNDS * len(kernels) * len(BENCH_TYPES)
    runs = {}               # (kernel, round): {'trace': [...], 'up': .., ...}
    check, issued, cpu_mhz, got = None, None, None, {}
    while True:
        line = m.readline(deadline)
        if line is None or line is TIMEOUT or DEAD.search(line):
            bench_fail(m, logpath, 'the machine stopped before the end')
        if 'XENPV-BENCH-FINISHED' in line:
            break
        mo = re.search(r'XENPV-BENCH-(XEN|CHECK|FAILED) (.*)', line)
        if mo:
            what, rest = mo.groups()
            if what == 'FAILED':
                bench_fail(m, logpath, rest)
            elif what == 'XEN':
                cpu_mhz = float(rest.partition('=')[2] or 0) or None
            elif rest.startswith('window='):
                check = dict(kv.split('=', 1) for kv in rest.split())
                bad, got = bench_check(check)
                if bad:
                    bench_fail(m, logpath, 'the trace counting check failed: ' + bad)
                log('%4ds trace counting check: exact' % (time.time() - start))
            elif rest.startswith('issued '):
                issued = rest[7:]
            continue
        mo = re.search(r'XENPV-BENCH (\S+) (\d+) (.*)', line)
        if not mo or mo.group(1) not in names + pvh_names:
            continue
        r = runs.setdefault((mo.group(1), int(mo.group(2))), {'trace': [], 'guest_ms': {}})
        rest = mo.group(3).strip()
        if rest.startswith('trace window='):
            r['trace'].append(dict(kv.split('=', 1) for kv in rest[6:].split()))
        elif rest.startswith('result '):
            mt = re.search(r'^(\w+):.* in ([\d.]+) ms', rest[7:])
            if mt:
                r['guest_ms'][mt.group(1)] = float(mt.group(2))
        elif rest.startswith('up '):
            r['up'] = rest
            for key in ('boot', 'create'):
                mb = re.search(r'%s_ns=(\d+)' % key, rest)
                r[key + '_ms'] = int(mb.group(1)) / 1e6 if mb else None
            log('%4ds %s, round %s: up (%s)' % (time.time() - start, mo.group(1),
                                                mo.group(2), rest[3:]))
        elif rest.startswith('error='):
            log('%4ds %s, round %s: %s' % (time.time() - start, mo.group(1),
                                           mo.group(2), rest))
    m.kill()

    # Nothing is printed unless every part of the method held.
    if not cpu_mhz:
        bench_fail(m, logpath, 'Xen did not say its TSC frequency (xl info cpu_mhz)')
    if check is None:
        bench_fail(m, logpath, 'the trace counting check did not run')
    for k in kernels:
        for nm in [k.name] + [k.name + PVH] * bool(pvh_names):
            # A PV run's windows are PV ones, a PVH run's PVH ones.
            kind = 'hvm' if nm.endswith(PVH) else None
            for rnd in range(1, BENCH_ROUNDS + 1):
                r = runs.get((nm, rnd))
                if not r or len(r['trace']) != len(BENCH_WORKLOADS) or 'up' not in r or \
                        any(w.get('marker') != kind for w in r['trace']):
                    bench_fail(m, logpath, '%s, round %d: no complete result' % (nm, rnd))
                check_kernel(k, r['up'], logpath, what='bench')

    def per_run(name, value):
        """value(run) for each of kernel name's runs, in order."""
        return [value(runs[(name, rnd)]) for rnd in range(1, BENCH_ROUNDS + 1)]

    def count_rows(table, names):
        return [(label, [per_run(nm, lambda r: float(r['trace'][win][key]) / div)
                         for nm in names]) for label, win, key, div in table]

    xen_ms = lambda r, win: int(r['trace'][win]['tsc']) / (cpu_mhz * 1e3)

    def time_rows(names):
        rows = []
        for win, (wl, label, div) in enumerate(BENCH_WORKLOADS):
            rows.append(('%s, ms (Xen\'s clock)' % label,
                         [per_run(nm, lambda r: xen_ms(r, win) / div) for nm in names]))
        rows.append(('domU boot to init, ms (dom0\'s clock)',
                     [per_run(nm, lambda r: r['boot_ms']) for nm in names]))
        rows.append(('xl create -p (dom0\'s work), ms (dom0\'s clock)',
                     [per_run(nm, lambda r: r['create_ms']) for nm in names]))
        # The guest's own clock against Xen's over the same windows: 1.000
        # for a clock that keeps time.
        rows.append(('guest clock / Xen clock (3 windows)',
                     [per_run(nm, lambda r: sum(r['guest_ms'].get(wl, 0)
                                                for wl, _, _ in BENCH_WORKLOADS) /
                              sum(xen_ms(r, w) for w in range(len(BENCH_WORKLOADS))))
                      for nm in names]))
        return rows

    rows = count_rows(BENCH_ROWS, names) + time_rows(names)
    # PVH: the same bzImages as PVH guests, the same workloads; their times
    # (ours/anchor) and each kernel's PV time over its PVH time.
    pvh_rows = (time_rows(pvh_names)[:len(BENCH_WORKLOADS)] +
                count_rows(BENCH_PVH_ROWS, pvh_names) +
                time_rows(pvh_names)[len(BENCH_WORKLOADS):]) if pvh_names else []

    def fmt(v, label=''):
        if label.startswith('guest clock'):
            return '%.4f' % v
        # A fork+exec+exit takes a few ms: one decimal would hide a tenth.
        return '%.3f' % v if label.endswith('(Xen\'s clock)') and v < 10 else '%.1f' % v

    out = ['domU kernels (each column):'] + ['  ' + t for t in bench_kernels_text(kernels)]
    rel = [image_release(k.image) for k in kernels]
    out.append('every boot checked: its XENPV-GUEST-UP said kernel=<the release of its '
               'bzImage>%s' % (
                   ' (%s for both: uname -r cannot tell these two apart)' % rel[0]
                   if len(set(rel)) == 1 and len(rel) > 1 else ''))
    out.append('runs, in order: %s' % ', '.join(
        '%s#%d' % (nm, rnd) for rnd in range(1, BENCH_ROUNDS + 1) for nm in names + pvh_names))
    out.append('trace counting check: dom0 issued %s; counted: %s' % (
        issued, ', '.join('%s %d' % (k, a) for k, (a, b) in got.items())))
    out.append('')

    def section(title, cols, rows):
        out.append('%-46s %s %8s' % (title, ' '.join('%12s' % nm for nm in cols), 'ratio'))
        for label, vals in rows:
            means = [statistics.mean(v) for v in vals]
            ratio = '%.2f' % (means[-1] / means[0]) if len(means) > 1 and means[0] else ''
            out.append('%-46s %s %8s' % (label, ' '.join('%12s' % fmt(v, label)
                                                         for v in means), ratio))

    section('per iteration, mean of %d boots' % BENCH_ROUNDS, names, rows)
    if pvh_rows:
        out.append('')
        section('PVH guests, mean of %d boots' % BENCH_ROUNDS, pvh_names, pvh_rows)
        out.append('')
        out.append('%-46s %s' % ('PV time / PVH time, each kernel', ' '.join(
            '%12s' % nm for nm in names)))
        for win, (wl, label, div) in enumerate(BENCH_WORKLOADS):
            pv, pvh = rows[len(BENCH_ROWS) + win][1], pvh_rows[win][1]
            out.append('%-46s %s' % (label, ' '.join(
                '%12.2f' % (statistics.mean(a) / statistics.mean(b)) for a, b in zip(pv, pvh))))
    out.append('')
    out.append('each boot (%s):' % ', '.join(
        '%s#%d' % (nm, rnd) for nm in names for rnd in range(1, BENCH_ROUNDS + 1)))
    for label, vals in rows:
        out.append('  %-46s %s' % (label, '  '.join(
            ' '.join(fmt(x, label) for x in v) for v in vals)))
    if pvh_rows:
        out.append('each PVH boot (%s):' % ', '.join(
            '%s#%d' % (nm, rnd) for nm in pvh_names for rnd in range(1, BENCH_ROUNDS + 1)))
        for label, vals in pvh_rows:
            out.append('  %-46s %s' % (label, '  '.join(
                ' '.join(fmt(x, label) for x in v) for v in vals)))
    out.append('')
    out.append('Counts: Xen\'s trace of physical CPU 1, where the domU runs alone, '
               'between the')
    out.append('markers around each workload; "operations" are hypercalls other than '
               'multicall plus')
    out.append('the entries of multicalls.  Times: QEMU -icount (1 ns per instruction); '
               'the workloads')
    out.append('between the markers\' trace stamps, Xen\'s TSC at %.3f MHz; the boot from '
               'unpausing the' % cpu_mhz)
    out.append('domain to its first line from user space, on dom0\'s clock; before it, '
               'xl create -p')
    out.append('builds the domain and loads its kernel (dom0\'s work, not part of the '
               'boot).')
    if pvh_names:
        out.append('PVH: the same bzImages with type="pvh", pinned alike; Xen\'s HVM trace '
                   'of CPU 1,')
        out.append('cut and timed at the markers\' CPUID exits (plain CPUIDs of a reserved '
                   'leaf; their')
        out.append('VMEXIT records\' stamps); "VM exits" are those between the markers.  '
                   'PV time / PVH')
        out.append('time: each kernel\'s PV time over its own PVH time (above 1: PVH is '
                   'faster).')
    # Where the traps and hypercalls come from, for whoever tunes this
    # (the sum over the boots, per iteration).
    for nm, k in zip(names, kernels):
        for win, (wl, label, div) in enumerate(BENCH_WORKLOADS[:2]):
            for key, what in (('ops', 'hypercalls by op'),
                              ('subops', 'multicall entries by op'),
                              ('mmu_batch', 'direct mmu_update by requests'),
                              ('mmu_batch_mc', 'mmu_update entries by requests'),
                              ('privop_rips', 'emulated privileged ops at'),
                              ('ptwr_rips', 'emulated PTE writes at')):
                total = {}
                for rnd in range(1, BENCH_ROUNDS + 1):
                    for item in runs[(nm, rnd)]['trace'][win].get(key, '-').split(','):
                        if ':' in item:
                            a, c = item.rsplit(':', 1)
                            total[a] = total.get(a, 0) + int(c)
                items = sorted(total.items(), key=lambda kv: -kv[1])
                if key.endswith('rips'):
                    items = [(symbolize(k.sysmap, int(a, 16)), c) for a, c in items]
                out.append('%s, %s: %s %s' % (nm, label, what, ' '.join(
                    '%s=%.2f' % (a, c / (div * BENCH_ROUNDS)) for a, c in items) or '-'))
    # And where a PVH guest leaves for Xen (SVM exit reasons).
    for nm in pvh_names:
        for win, (wl, label, div) in enumerate(BENCH_WORKLOADS):
            total = {}
            for rnd in range(1, BENCH_ROUNDS + 1):
                for item in runs[(nm, rnd)]['trace'][win].get('exits', '-').split(','):
                    if ':' in item:
                        a, c = item.rsplit(':', 1)
                        total[a] = total.get(a, 0) + int(c)
            out.append('%s, %s: VM exits by reason %s' % (nm, label, ' '.join(
                '%s=%.2f' % (a, c / (div * BENCH_ROUNDS))
                for a, c in sorted(total.items(), key=lambda kv: -kv[1])) or '-'))
    table = '\n'.join(out)
    with open(os.path.join(BUILD, 'bench.txt'), 'w') as f:
        f.write(table + '\n')
    print(table)
    print('(ratio = %s / %s; also in build/bench.txt)' % (names[-1], names[0]))
    return 0


# What make bench-io reports: (label, metric the benchio job measures)
BENCH_IO_ROWS = [
    ('disk seq write MB/s (xvdb)', 'disk_seq_write'),
    ('disk seq read MB/s', 'disk_seq_read'),
    ('disk random 4k read IOPS', 'disk_rand_read'),
    ('disk random 4k write IOPS', 'disk_rand_write'),
    ('net domU->dom0 Mbit/s', 'net_tx'),
    ('net dom0->domU Mbit/s', 'net_rx'),
]


def bench_io_marks(marks):
    """{metric: [value, ...]} and {metric: [guest_ms / dom0_ms, ...]} from
    one boot's stamped markers, [(ns, 'begin'|'end', tag, {k: v})]: the
    work the end marker reports over dom0's time between the two."""
    values, clock, begin = {}, {}, {}
    for ns, what, tag, kv in marks:
        if what == 'begin':
            begin[tag] = ns
            continue
        if tag not in begin:
            continue
        secs = (ns - begin.pop(tag)) / 1e9
        if secs <= 0:
            continue
        v = (int(kv['bytes']) / 1e6 if '_seq_' in tag or tag.endswith('fill')
             else int(kv['ops'])) / secs
        values.setdefault(tag, []).append(v)
        clock.setdefault(tag, []).append(float(kv['guest_ms']) / 1e3 / secs)
    return values, clock


UNTRUSTED = ':untrusted'


def bench_io_boot(dom0, kernels, reps, secs, mb, tag, untrusted=False):
    """One boot of Xen with dom0 (QEMU -icount): each domU kernel boots
    BENCH_ROUNDS times, the kernels in turns, and runs the benchio job
    (with untrusted, each kernel once more as 'NAME:untrusted', told not
    to trust its backends); return ({(name, round): what it reported},
    the boot's seconds, its log)."""
    workdir = os.path.join(BUILD, 'tests', 'work', 'bench-io', tag)
    os.makedirs(workdir, exist_ok=True)
    conf = 'REPS=%d SECS=%d MB=%d ROUNDS=%d MODES="%s"\n' % (
        reps, secs, mb, BENCH_ROUNDS, 'trusted untrusted' if untrusted else 'trusted')
    initrd = dom0_initrd(workdir, ['bench-io'], dom0, None, kernels, extra=io_tools(),
                         files={'bench-io.conf': conf})
    # Without -icount, TCG on a busy host wakes an idle CPU so late that
    # one request in flight measures the host's scheduler (some 10 IOPS).
    argv = qemu_xen(dom0, initrd, 'smp2', extra=['-icount', 'shift=0,sleep=off'])
    logpath = os.path.join(workdir, 'serial.log')
    if os.path.exists(logpath):
        os.unlink(logpath)
    names = [k.name + m for k in kernels for m in ['', UNTRUSTED][:1 + untrusted]]
    log('bench-io: dom0 %s, domUs %s, %d rounds of %d runs each, QEMU -icount; log %s' % (
        dom0.name, ', '.join(names), BENCH_ROUNDS, reps, os.path.relpath(logpath, TOP)))
    start = time.time()
    m = Machine(argv, logpath)
    deadline = start + 3600 + BENCH_ROUNDS * len(kernels) * reps * (600 + 8 * secs)
    runs = {}
    while True:
        line = m.readline(deadline)
        if line is None or line is TIMEOUT or DEAD.search(line):
            m.kill()
            sys.exit('bench-io: FAILED: the machine stopped before the end; see ' + logpath)
        if 'XENPV-BENCHIO-FINISHED' in line:
            break
        if 'XENPV-DOM0-READY' in line:
            log('%4ds dom0 is up' % (time.time() - start))
        mo = re.search(r'XENPV-BENCHIO (\S+) (\d+) (up|MARK|RESULT|GUEST|NA|LOG|done|'
                       r'error=)(.*)', line)
        if not mo or mo.group(1) not in names:
            continue
        k, rnd, what, rest = mo.group(1), int(mo.group(2)), mo.group(3), mo.group(4).strip()
        r = runs.setdefault((k, rnd), {'values': {}, 'guest': {}, 'na': {}, 'marks': [],
                                       'error': None, 'done': False})
        if what == 'MARK':
            f = rest.split()
            if len(f) >= 3 and f[1] in ('begin', 'end'):
                r['marks'].append((int(f[0]), f[1], f[2],
                                   dict(x.split('=', 1) for x in f[3:] if '=' in x)))
        elif what in ('RESULT', 'GUEST'):
            metric, _, value = rest.partition(' ')
            try:
                r['values' if what == 'RESULT' else 'guest'].setdefault(
                    metric, []).append(float(value))
            except ValueError:
                r['na'].setdefault(metric, 'not a number: %r' % value)
        elif what == 'NA':
            metric, _, why = rest.partition(' ')
            r['na'].setdefault(metric, why)
        elif what == 'LOG':
            log('%4ds %s#%d %s' % (time.time() - start, k, rnd, rest))
        elif what == 'up':
            r['up'] = rest
            log('%4ds %s#%d: the domU is up, measuring' % (time.time() - start, k, rnd))
        elif what == 'done':
            r['done'] = True
        else:
            r['error'] = rest
            log('%4ds %s#%d: %s' % (time.time() - start, k, rnd, rest))
    m.kill()
    for k in kernels:
        for nm in names:
            if nm.split(':')[0] != k.name:
                continue
            for rnd in range(1, BENCH_ROUNDS + 1):
                r = runs.get((nm, rnd))
                if not r or not r['done'] or r['error']:
                    sys.exit('bench-io: FAILED: dom0 %s, domU %s, round %d: %s; see %s' % (
                        dom0.name, nm, rnd, (r or {}).get('error') or 'did not finish',
                        logpath))
                check_kernel(k, r.get('up'), logpath, what='bench-io')
    return runs, time.time() - start, logpath


def bench_io(args):
    """Disk and network throughput of a domU, side by side, with the ratio
    of the last column to the first.  Two comparisons:

      --bench-io anchor,ours --dom0 anchor   the frontends: each domU
          kernel on one dom0, in turns in one boot of Xen;
      --bench-io anchor --dom0 anchor,ours   the backends: the same domU
          on each dom0, one boot of Xen per dom0, in turns.

    Each measurement is the median over all its runs.  Times are dom0's
    (bench-io.sh says how) under QEMU -icount, never the guest's own."""
    kernels = [Kernel(n) for n in args.bench_io.split(',')]
    dom0s = [Kernel(n) for n in args.dom0.split(',')]
    reps, secs, mb = args.bench_reps, args.bench_secs, args.bench_mb
    if len(dom0s) > 1 and len(kernels) > 1:
        sys.exit('bench-io: compare domU kernels or dom0 kernels, not both at once')
    if args.bench_untrusted and len(dom0s) > 1:
        sys.exit('bench-io: --bench-untrusted compares domU kernels (one dom0)')
    runs, elapsed = {}, 0
    groups = None
    if len(dom0s) == 1:
        dom0 = dom0s[0]
        runs, elapsed, logpath = bench_io_boot(dom0, kernels, reps, secs, mb, 'frontend',
                                               args.bench_untrusted)
        names = [k.name for k in kernels]
        column_kernel = {k.name: k for k in kernels}
        if args.bench_untrusted:
            # The same kernels told not to trust the backends: rows of
            # their own, the same columns.
            groups = [('', names), (' [trusted=0]', [nm + UNTRUSTED for nm in names])]
            names = groups[0][1] + groups[1][1]
            column_kernel.update({k.name + UNTRUSTED: k for k in kernels})
        what = 'domU kernels (each column):'
        shown = kernels
        where = 'dom0 %s' % dom0.name
        modes = ['', UNTRUSTED][:1 + bool(args.bench_untrusted)]
        order = ['%s%s#%d' % (k.name, m, rnd) for rnd in range(1, BENCH_ROUNDS + 1)
                 for k in kernels for m in modes]
    else:
        domu = kernels[0]
        names = ['dom0-' + d.name for d in dom0s]
        column_kernel = {nm: domu for nm in names}
        for d, nm in zip(dom0s, names):
            got, secs_taken, logpath = bench_io_boot(d, [domu], reps, secs, mb,
                                                     'backend-' + d.name)
            elapsed += secs_taken
            for (_, rnd), r in got.items():
                runs[(nm, rnd)] = r
        what = 'dom0 kernels (each column; the backends under test):'
        shown = dom0s
        where = 'domU %s on each dom0' % domu.name
        order = ['%s#%d' % (nm, rnd) for nm in names for rnd in range(1, BENCH_ROUNDS + 1)]

    clock = {}
    for nm in names:
        for rnd in range(1, BENCH_ROUNDS + 1):
            r = runs[(nm, rnd)]
            values, ratios = bench_io_marks(r['marks'])
            for metric, v in values.items():
                r['values'].setdefault(metric, []).extend(v)
            for metric, v in ratios.items():
                if not metric.startswith('warmup_'):
                    clock.setdefault(nm, []).extend(v)

    def all_values(name, metric):
        return [v for rnd in range(1, BENCH_ROUNDS + 1)
                for v in runs[(name, rnd)]['values'].get(metric, [])]

    groups = groups or [('', names)]
    cols = groups[0][1]
    rows = [('metric (median of %dx%d runs)' % (BENCH_ROUNDS, reps), cols,
             'ratio(%s/%s)' % (cols[-1], cols[0]))]
    for suffix, group, (label, metric) in [(g[0], g[1], row) for g in groups
                                           for row in BENCH_IO_ROWS]:
        label += suffix
        cells, vals = [], []
        for nm in group:
            na = [runs[(nm, rnd)]['na'][metric] for rnd in range(1, BENCH_ROUNDS + 1)
                  if metric in runs[(nm, rnd)]['na']]
            got = all_values(nm, metric)
            v = None
            if na:
                cell = 'n/a (%s)' % na[0]
            elif len(got) == BENCH_ROUNDS * reps:
                v = statistics.median(got)
                cell = '%.1f' % v
            else:
                cell = 'n/a (%d of %d runs)' % (len(got), BENCH_ROUNDS * reps)
            cells.append(cell)
            vals.append(v)
        ratio = ('%.2f' % (vals[-1] / vals[0]) if len(vals) > 1 and vals[0] and
                 vals[-1] is not None else 'n/a')
        rows.append((label, cells, ratio))
    for suffix, group in groups:
        rows.append(('disk: guest clock / dom0 clock (median)' + suffix,
                     ['%.4f' % statistics.median(clock[nm]) if clock.get(nm) else 'n/a'
                      for nm in group], ''))
    wl = max(len(r[0]) for r in rows)
    wc = [max(len(r[1][i]) for r in rows) for i in range(len(cols))]
    out = [what] + ['  ' + t for t in bench_kernels_text(shown)]
    rel = [image_release(column_kernel[nm].image) for nm in names]
    out.append('every domU boot checked: its XENPV-GUEST-UP said kernel=<the release of its '
               'bzImage>%s' % (
                   ' (%s for both: uname -r cannot tell these two apart)' % rel[0]
                   if len(set(rel)) == 1 and len(rel) > 1 and len(dom0s) == 1 else ''))
    out.append('domU boots, in order: %s' % ', '.join(order))
    out.append('')
    out += ['%-*s  %s  %s' % (wl, label, '  '.join(
        '%*s' % (w, c) for w, c in zip(wc, cells)), ratio) for label, cells, ratio in rows]
    out.append('')
    out.append('%s; dom0: 2 vCPUs on physical CPU 0; each domU 1 vCPU on CPU 1, 512 MiB;' % (
        where))
    out.append('  each column\'s domU booted %d times, %d runs of each measurement a '
               'boot.' % (BENCH_ROUNDS, reps))
    out.append('disk: xenpv-io on xvdb, a %d MiB image in dom0\'s tmpfs; O_DIRECT, one '
               'request in flight, %d s a run;' % (mb, secs))
    out.append('  seq: 1 MiB blocks (MB = 10^6 bytes), random: 4 KiB; after a warm-up '
               'that is not counted:')
    out.append('  the whole disk written once, then one run of each (warmup_* below).')
    out.append('  Timed by dom0: the work over the time between the arrivals of the '
               'marker lines the')
    out.append('  guest writes to its console right before and after (the last row: '
               'the guest\'s own')
    out.append('  time of the same runs over dom0\'s, 1 for a guest clock that keeps time).')
    out.append('net: iperf3 (TCP, one stream, %d s) between the domU and dom0 over '
               'xenbr0, as dom0\'s' % secs)
    out.append('  iperf3 server measures it: the receiver\'s rate for domU->dom0, the '
               'sender\'s for dom0->domU.')
    out.append('time: QEMU -icount, instruction time (1 ns per instruction, one clock '
               'for both CPUs).')
    out.append('every run, in order (dom0\'s figure; the guest\'s own in brackets):')
    for nm in names:
        for rnd in range(1, BENCH_ROUNDS + 1):
            r = runs[(nm, rnd)]
            for metric, values in r['values'].items():
                guest = r['guest'].get(metric, [])
                out.append('  %-8s %-28s %s' % ('%s#%d' % (nm, rnd), metric, ' '.join(
                    '%.1f' % v + (' [%.1f]' % guest[i] if i < len(guest) else '')
                    for i, v in enumerate(values))))
    out.append('this run: %d s from QEMU\'s start to the last result' % elapsed)
    table = '\n'.join(out)
    name = 'bench-io.txt' if len(dom0s) == 1 else 'bench-io-backend.txt'
    with open(os.path.join(BUILD, name), 'w') as f:
        f.write(table + '\n')
    print(table)
    print('(also in build/%s)' % name)
    return 0


def demo(args):
    """Boot Xen with a dom0 and a domU and show the consoles."""
    dom0, domu = Kernel(args.dom0), Kernel(args.domu)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    workdir = os.path.join(BUILD, 'tests', 'work', 'demo')
    os.makedirs(workdir, exist_ok=True)
    plan = ['demo-interactive' if interactive else 'demo']
    initrd = dom0_initrd(workdir, plan, dom0, domu)
    argv = qemu_xen(dom0, initrd, 'smp2', interactive)
    logpath = os.path.join(workdir, 'serial.log')
    if interactive:
        print('Xen %s, dom0: %s, domU: %s.  Ctrl-] x quits QEMU; Ctrl-A three times '
              'switches between the Xen and dom0 consoles.' % (XEN_VER, dom0.name, domu.name))
        return subprocess.call(argv)
    m = Machine(argv, logpath)
    deadline, rc, ready = time.time() + 900, 1, False
    while True:
        line = m.readline(deadline)
        if line is None or line is TIMEOUT:
            break
        print(line, flush=True)
        ready = ready or 'XENPV-DOM0-READY' in line
        if 'XENPV-DEMO-DONE' in line:
            rc = 0
            break
        if DEAD.search(line):
            break
    m.kill()
    if rc:
        print('\ndemo: the machine did not finish the demo (%s).' % (
            'dom0 did not boot' if not ready else 'see above'))
        if not ready and dom0.name == 'ours':
            print('demo: our kernel cannot boot as dom0 yet; "make run DOM0=anchor '
                  'DOMU=anchor" shows the same demo on upstream\'s Xen support.')
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--kernel', default='ours')
    ap.add_argument('--domu-dom0')
    ap.add_argument('--tests')
    ap.add_argument('--xfail')
    ap.add_argument('--label')
    ap.add_argument('--logdir', help='where the logs go (default build/tests/LABEL)')
    ap.add_argument('--allow', help="Xen's guest messages that do not fail a test "
                    '(default tests/expect/xen-guest.allow)')
    ap.add_argument('--demo', action='store_true')
    ap.add_argument('--bench', help='domU kernels to compare, e.g. anchor,ours')
    ap.add_argument('--bench-io', help='domU kernels to compare disk and network '
                    'throughput of, e.g. anchor,ours')
    ap.add_argument('--bench-untrusted', action='store_true',
                    help='bench-io: each domU kernel also with trusted=0 for its '
                    'frontends (xen_blkfront.trusted=0 xen_netfront.trusted=0)')
    ap.add_argument('--bench-reps', type=int, default=3,
                    help='bench-io: runs of each measurement (the median counts)')
    ap.add_argument('--bench-secs', type=int, default=2,
                    help='bench-io: seconds of each run (guest time)')
    ap.add_argument('--bench-mb', type=int, default=128,
                    help='bench-io: MiB of the disk (an image in dom0\'s 600 MiB tmpfs)')
    ap.add_argument('--dom0', default='ours')
    ap.add_argument('--domu', default='ours')
    args = ap.parse_args()
    if args.demo:
        return demo(args)
    if args.bench:
        return bench(args)
    if args.bench_io:
        return bench_io(args)
    return Ladder(args).run()


if __name__ == '__main__':
    sys.exit(main())
