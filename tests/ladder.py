#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The acceptance ladder: boot real things and report every step honestly.

usage: ladder.py --kernel K [--domu-dom0 D] [--tests a,b,...] [--xfail FILE]
       ladder.py --demo --dom0 K --domu K
       ladder.py --bench K,K | --bench-io K,K [--dom0 K]  (benchmarks)

K and D name a kernel: "ours" and "anchor" (build/kernels/<name>/, made by
"make kernel" and "make anchor") or "stock" (Debian's linux-image-6.1.0-*).

--kernel is the kernel under test.  The native test boots it in QEMU without
Xen; the dom0-* tests boot it as dom0 under Xen 4.17; the domu-* tests run it
as the domU, with --domu-dom0 as dom0 (default: the kernel under test).

Tests that share a dom0 kernel and a machine profile run in one boot of
QEMU (TCG), Xen and dom0: the dom0 runs them in order and prints
"XENPV-RESULT <test> PASS|FAIL <reason>" on the serial console.  This
script enforces a timeout per test; after a hang or a crash it boots again
for the tests that are left.  Every kernel log line (dom0's and the
domUs') that says BUG:, WARNING:, Oops or Call Trace fails the test it
belongs to.  Logs: build/tests/<label>/.

A test listed in the --xfail file (name, then the reason) that fails is
XFAIL, one that passes is XPASS.  The last line printed is
"N passed, N failed"; XFAIL are counted apart, XPASS as passed.
"""
import argparse
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
    ('dom0-boot', 'dom0', 60, 'smp2'),
    ('dom0-tools', 'dom0', 60, 'smp2'),
    ('dom0-devices', 'dom0', 120, 'smp2'),
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
    ('domu-sysfs', 'domu', 200, 'smp2'),
    ('domu-hotplug', 'domu', 480, 'smp2'),
    ('domu-net-unload', 'domu', 600, 'smp2'),
    ('domu-migrate', 'domu', 600, 'smp2'),
    ('domu-checkpoint', 'domu', 600, 'smp2'),
    ('domu-stress', 'domu', 900, 'smp2'),
    ('domu-pvh', 'domu', 300, 'pvh'),
]
TEST = {t[0]: t for t in TESTS}

# Tests of behaviour the issues ask of us beyond what upstream does: the
# whole-ladder run of the anchor leaves them out, saying why (ask for one
# by name to see the anchor fail it).
BEYOND_ANCHOR = {
    'domu-mem-pressure': "upstream's balloon takes memory without regard "
                         "to the workload: its domU is OOM-killed",
}

# QEMU machine profiles.  PVH needs hardware-assisted paging (+npt); with
# more than one vCPU QEMU's nested SVM emulation triple-faults PVH guests
# now and then, so that profile has one.
MACHINES = {
    'smp2': ['-cpu', 'qemu64', '-smp', '2'],
    'pvh': ['-cpu', 'qemu64,+svm,+npt', '-smp', '1'],
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
# user space output do not, so only real kernel messages can match.
KERNEL_BAD = re.compile(r'\[\s*\d+\.\d+\].*(BUG:|WARNING:|Oops|Call Trace)')
# The machine is gone: no point waiting for the test's timeout.
DEAD = re.compile(r'Panic on CPU|Kernel panic - not syncing|'
                  r'\(XEN\) .*(Hardware Dom0 crashed|Domain 0 crashed)|'
                  r'\(XEN\) Reboot in five seconds')
DOM0_MODULES = ['xen-evtchn', 'xenfs', 'xen-gntdev', 'xen-gntalloc',
                'xen-privcmd', 'xen-blkback', 'xen-netback', 'bridge', 'loop']


TIMEOUT = object()


def log(msg):
    print('[ladder] ' + msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Kernel:
    """A kernel image with what the harness needs to boot and debug it."""

    def __init__(self, name):
        self.name = name
        self.modules = None     # the root of its lib/modules tree, if any
        if name in ('ours', 'anchor'):
            d = os.path.join(BUILD, 'kernels', name)
            self.image = os.path.join(d, 'bzImage')
            self.sysmap = os.path.join(d, 'System.map')
            if os.path.isdir(os.path.join(d, 'lib', 'modules')):
                self.modules = d
            if not os.path.exists(self.image):
                sys.exit('ladder: %s missing: run "make %s" first' % (
                    self.image, 'kernel' if name == 'ours' else 'anchor'))
        elif name == 'stock':
            pkg = open(os.path.join(CACHE, 'stock-kernel-pkg')).read().strip()
            d = os.path.join(CACHE, 'pkgs', pkg)
            self.image = glob.glob(os.path.join(d, 'boot', 'vmlinuz-*'))[0]
            self.sysmap = glob.glob(os.path.join(d, 'boot', 'System.map-*'))[0]
            self.modules = d
        else:
            sys.exit('ladder: unknown kernel %r' % name)

    def guest_initrd(self):
        """The guest initramfs for this kernel, rebuilt when its inputs change."""
        out = os.path.join(BUILD, 'images', 'guest-%s.cpio.gz' % self.name)
        stress = stress_binary()
        inputs = glob.glob(os.path.join(TOP, 'tests', 'guest', '*')) + [
            os.path.join(TOP, 'tests', 'image', 'mkguest.sh'), stress]
        if self.modules:
            inputs += glob.glob(os.path.join(self.modules, 'lib', 'modules', '*',
                                             'modules.dep'))
        if (not os.path.exists(out) or
                max(os.path.getmtime(f) for f in inputs) > os.path.getmtime(out)):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            run([os.path.join(TOP, 'tests', 'image', 'mkguest.sh'),
                 self.modules or '/nonexistent', out],
                env=dict(os.environ, XENPV_STRESS_BIN=stress))
        return out


def stale(out, inputs):
    """out is missing or older than one of inputs."""
    return (not os.path.exists(out) or
            max(os.path.getmtime(f) for f in inputs) > os.path.getmtime(out))


def guest_tool(name):
    """tests/guest/<name>.c, built static for the guests."""
    src = os.path.join(TOP, 'tests', 'guest', name + '.c')
    out = os.path.join(BUILD, 'images', name)
    if stale(out, [src]):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run(['gcc', '-static', '-O2', '-Wall', '-o', out + '.tmp', src])
        os.rename(out + '.tmp', out)
    return out


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
                 files=None):
    """The second cpio archive of dom0's initramfs: init, the test scripts,
    the domU kernel(s) and initramfs, and a stock dom0's modules.  The
    initramfs of each extra domU gets the archive domu_extra on top;
    files maps more paths under /xenpv to their text."""
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
    if domu:
        shutil.copy(domu.image, os.path.join(x, 'domu', 'bzImage'))
        shutil.copy(domu.sysmap, os.path.join(x, 'domu', 'System.map'))
        shutil.copy(domu.guest_initrd(), os.path.join(x, 'domu', 'initrd'))
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


def dom0_initrd(workdir, plan, dom0, domu, extra_domus=(), extra=None, files=None):
    """base + payload (+ extra, an archive for dom0 and the extra domUs)."""
    base = subprocess.run([os.path.join(TOP, 'tests', 'image', 'mkdom0.sh')],
                          check=True, capture_output=True, text=True).stdout.strip()
    payload = dom0_payload(workdir, plan, dom0, domu, extra_domus, extra, files)
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


class Ladder:
    def __init__(self, args):
        self.args = args
        self.label = args.label or args.kernel
        self.logdir = os.path.join(BUILD, 'tests', self.label)
        shutil.rmtree(self.logdir, ignore_errors=True)
        os.makedirs(self.logdir)
        self.kernel = Kernel(args.kernel)
        self.domu_dom0 = Kernel(args.domu_dom0 or args.kernel)
        self.xfail = {}
        if args.xfail:
            for line in open(args.xfail):
                line = line.split('#', 1)[0].strip()
                if line:
                    name, _, reason = line.partition(' ')
                    self.xfail[name] = reason.strip()
        self.results = []

    def record(self, name, status, reason, seconds, lines):
        logfile = os.path.join(self.logdir, name + '.log')
        with open(logfile, 'w', errors='replace') as f:
            f.write('\n'.join(lines) + '\n')
        if status == 'PASS':
            bad = [l for l in lines if KERNEL_BAD.search(l)]
            if bad:
                status, reason = 'FAIL', 'kernel log: ' + bad[0].strip()[:160]
        if name in self.xfail:
            status = {'PASS': 'XPASS', 'FAIL': 'XFAIL'}[status]
            if status == 'XFAIL':
                reason = '%s [%s]' % (self.xfail[name], reason)
        r = Result(name, status, reason, seconds, logfile)
        self.results.append(r)
        print('%-5s %-18s %6.1fs  %s' % (status, name, seconds, reason), flush=True)
        if status == 'FAIL':
            for l in lines[-25:]:
                print('      | ' + l[:200])
            print('      | (whole log: %s)' % os.path.relpath(logfile, TOP), flush=True)

    def run_native(self, name, timeout, machine):
        k = self.kernel
        m = Machine(qemu_native(k, k.guest_initrd(), machine),
                    os.path.join(self.logdir, 'native.serial.log'))
        start, lines = time.time(), []
        status, reason = 'FAIL', 'no XENPV-NATIVE-OK within %d s' % timeout
        while True:
            line = m.readline(start + timeout)
            if line is None:
                reason = 'QEMU exited before the guest reported'
                break
            if line is TIMEOUT:
                if time.time() < start + timeout:
                    continue
                break
            lines.append(line)
            mo = re.search(r'XENPV-NATIVE-OK cpus=(\d+)', line)
            if mo:
                if mo.group(1) == MACHINES[machine][-1]:
                    status, reason = 'PASS', 'booted natively to init, %s CPUs' % mo.group(1)
                else:
                    reason = 'booted, but with %s CPUs' % mo.group(1)
                break
            if DEAD.search(line):
                reason = line.strip()
                break
        m.kill()
        self.record(name, status, reason, time.time() - start, lines)

    def run_group(self, dom0, domu, plan, machine):
        """Boot Xen with dom0 and run the plan; boot again after a hang."""
        gname = '%s-%s' % (dom0.name, machine)
        workdir = os.path.join(BUILD, 'tests', 'work', self.label)
        os.makedirs(workdir, exist_ok=True)
        while plan:
            initrd = dom0_initrd(workdir, plan, dom0, domu)
            m = Machine(qemu_xen(dom0, initrd, machine),
                        os.path.join(self.logdir, '%s.serial.log' % gname))
            plan = self.drive(m, plan, dom0)
            m.kill()

    def drive(self, m, plan, dom0):
        """Read one boot's console; return the tests still to run.

        The boot's messages count as the first test's log, so a warning
        while dom0 boots fails that test."""
        pending = list(plan)
        current = result = None
        t0 = time.time()
        deadline = t0 + BOOT_TIMEOUT
        lines, ready = [], False
        while pending:
            line = m.readline(deadline)
            if line is TIMEOUT and time.time() < deadline:
                continue
            if line is None or line is TIMEOUT or DEAD.search(line):
                if line is None:
                    why = 'QEMU exited'
                elif line is TIMEOUT:
                    why = 'timeout after %d s' % (time.time() - t0)
                else:
                    lines.append(line)
                    why = line.strip().rstrip(':') + self.epilogue(m, lines)
                if not ready:
                    # dom0 never came up: nothing of this group can run
                    why = 'dom0 (%s) did not boot: %s' % (dom0.name, why)
                    for t in pending:
                        self.record(t, 'FAIL', why, time.time() - t0, lines)
                        lines = ['(see %s.log)' % pending[0]]
                    return []
                victim = current or pending[0]
                self.record(victim, 'FAIL', why, time.time() - t0, lines)
                pending.remove(victim)
                return pending
            lines.append(line)
            if 'XENPV-DOM0-READY' in line:
                ready = True
                deadline = time.time() + 60
                continue
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
                status, reason = result or ('FAIL', 'the test printed no result')
                self.record(current, status, reason, time.time() - t0, lines)
                pending.remove(current)
                current, lines = None, []
                t0 = time.time()
                deadline = t0 + 60
        return []

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
        names = self.args.tests.split(',') if self.args.tests else [t[0] for t in TESTS]
        if not self.args.tests and self.kernel.name == 'anchor':
            for n, why in BEYOND_ANCHOR.items():
                log('not run on the anchor: %s (%s)' % (n, why))
            names = [n for n in names if n not in BEYOND_ANCHOR]
        for n in names:
            if n not in TEST:
                sys.exit('ladder: unknown test %r (known: %s)' % (
                    n, ', '.join(t[0] for t in TESTS)))
        log('kernel under test: %s; dom0 for domU tests: %s; logs: %s' % (
            self.kernel.name, self.domu_dom0.name, os.path.relpath(self.logdir, TOP)))
        # group by (dom0 kernel, machine), keeping the ladder's order
        groups = []
        for n in [t[0] for t in TESTS if t[0] in names]:
            kind, _, machine = TEST[n][1:]
            if kind == 'native':
                self.run_native(n, TEST[n][2], machine)
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
            self.run_group(dom0, domu, plan, machine)
        return self.summary()

    def summary(self):
        order = {t[0]: i for i, t in enumerate(TESTS)}
        self.results.sort(key=lambda r: order[r.name])
        count = lambda s: sum(1 for r in self.results if r.status == s)
        with open(os.path.join(self.logdir, 'summary.txt'), 'w') as f:
            for r in self.results:
                f.write('%-5s %-18s %6.1fs  %s\n' % (r.status, r.name, r.seconds, r.reason))
        print()
        print('== %s: %s' % (self.label, ', '.join(
            '%s %s' % (r.name, r.status) for r in self.results)))
        if count('XFAIL') or count('XPASS'):
            print('XFAIL: %d, XPASS: %d' % (count('XFAIL'), count('XPASS')))
        passed, failed = count('PASS') + count('XPASS'), count('FAIL')
        print('%d passed, %d failed' % (passed, failed), flush=True)
        return 1 if failed else 0


# What the benchmark reports: (label, window, counter, per-iteration divisor)
BENCH_ROWS = [
    ('fork+exec+exit: hypercalls', 0, 'hypercalls', 200),
    ('  of which mmu_update calls', 0, 'mmu_update', 200),
    ('  of which single-entry mmu_update', 0, 'mmu_update_single', 200),
    ('  of which iret', 0, 'iret', 200),
    ('  of which multicall (entries)', 0, 'multicall', 200),
    ('  multicall entries', 0, 'subcalls', 200),
    ('  page-table requests (all mmu_update)', 0, 'mmu_update_requests', 200),
    ('fork+exec+exit: page faults bounced', 0, 'page_faults', 200),
    ('fork+exec+exit: emulated PTE writes', 0, 'ptwr', 200),
    ('fork+exec+exit: emulated privileged ops', 0, 'privop', 200),
    ('64 MiB mmap/touch/munmap: hypercalls', 1, 'hypercalls', 4),
    ('64 MiB mmap/touch/munmap: page faults', 1, 'page_faults', 4),
    ('64 MiB mmap/touch/munmap: emulated PTE writes', 1, 'ptwr', 4),
    ('fork+exit: hypercalls', 2, 'hypercalls', 200),
]


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


def bench(args):
    """One boot (anchor dom0, -icount, Xen trace buffers): each domU kernel
    named runs the same workloads pinned alone on a physical CPU; print
    what each cost, side by side, with the ratio of the last to the first."""
    kernels = [Kernel(n) for n in args.bench.split(',')]
    dom0 = Kernel(args.dom0 if args.dom0 != 'ours' else 'anchor')
    workdir = os.path.join(BUILD, 'tests', 'work', 'bench')
    os.makedirs(workdir, exist_ok=True)
    initrd = dom0_initrd(workdir, ['bench'], dom0, None, kernels)
    argv = qemu_xen(dom0, initrd, 'smp2', extra_xen_args=' tbuf_size=8192',
                    extra=['-icount', 'shift=0,sleep=off'])
    logpath = os.path.join(workdir, 'serial.log')
    if os.path.exists(logpath):
        os.unlink(logpath)
    log('benchmark: dom0 %s, domUs %s, QEMU -icount; log %s' % (
        dom0.name, ', '.join(k.name for k in kernels), os.path.relpath(logpath, TOP)))
    m = Machine(argv, logpath)
    deadline = time.time() + 3600
    res = {k.name: {'trace': []} for k in kernels}
    while True:
        line = m.readline(deadline)
        if line is None or line is TIMEOUT or DEAD.search(line):
            m.kill()
            sys.exit('bench: the machine stopped before the end; see ' + logpath)
        if 'XENPV-BENCH-FINISHED' in line:
            break
        mo = re.search(r'XENPV-BENCH (\S+) (.*)', line)
        if not mo or mo.group(1) not in res:
            continue
        r, rest = res[mo.group(1)], mo.group(2).strip()
        if rest.startswith('trace '):
            r['trace'].append(dict(kv.split('=', 1) for kv in rest[6:].split()))
        elif rest.startswith('result '):
            mt = re.search(r'^(\w+):.* in ([\d.]+) ms', rest[7:])
            if mt:
                r[mt.group(1) + '_ms'] = float(mt.group(2))
        else:
            for kv in rest.split():
                k, _, v = kv.partition('=')
                r[k] = v
    m.kill()

    names = [k.name for k in kernels]
    rows = []
    for label, win, key, div in BENCH_ROWS:
        vals = []
        for n in names:
            t = res[n]['trace']
            vals.append(float(t[win][key]) / div if len(t) > win else None)
        rows.append((label, vals))
    timing = [('fork+exec+exit, ms (icount)', 'forkexec_ms', 200),
              ('64 MiB mmap/touch/munmap, ms (icount)', 'mmap_ms', 4),
              ('fork+exit, ms (icount)', 'fork_ms', 200),
              ('domU boot to init, ms (icount)', 'boot_ms', 1)]
    for label, key, div in timing:
        rows.append((label, [float(res[n][key]) / div if key in res[n] else None
                             for n in names]))
    out = ['%-44s %s %s' % ('per iteration', ' '.join('%12s' % n for n in names),
                            '%8s' % 'ratio')]
    for label, vals in rows:
        cells = ' '.join('%12s' % ('%.1f' % v if v is not None else 'n/a') for v in vals)
        ratio = ('%.2f' % (vals[-1] / vals[0]) if len(vals) > 1 and vals[0] and
                 vals[-1] is not None else '')
        out.append('%-44s %s %8s' % (label, cells, ratio))
    # Where the traps and hypercalls come from, for whoever tunes this.
    for n, k in zip(names, kernels):
        for win, what in ((0, 'fork+exec+exit'), (1, 'mmap/touch/munmap')):
            t = res[n]['trace']
            if len(t) <= win:
                continue
            out.append('%s, %s: hypercall ops %s' % (n, what, t[win].get('ops')))
            for key in ('privop_rips', 'ptwr_rips'):
                syms = []
                for item in (t[win].get(key) or '-').split(','):
                    if ':' in item:
                        rip, cnt = item.split(':')
                        syms.append('%s=%s' % (symbolize(k.sysmap, int(rip, 16)), cnt))
                out.append('%s, %s: %s %s' % (n, what, key, ' '.join(syms) or '-'))
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


def bench_io(args):
    """One boot (anchor dom0, QEMU -icount): each domU kernel named runs
    the benchio job in turn, with a fresh disk image in dom0's tmpfs as its
    xvdb and a vif on dom0's bridge; print the median of each measurement
    side by side, with the ratio of the last kernel to the first."""
    kernels = [Kernel(n) for n in args.bench_io.split(',')]
    dom0 = Kernel(args.dom0 if args.dom0 != 'ours' else 'anchor')
    reps, secs, mb = args.bench_reps, args.bench_secs, args.bench_mb
    workdir = os.path.join(BUILD, 'tests', 'work', 'bench-io')
    os.makedirs(workdir, exist_ok=True)
    conf = 'REPS=%d SECS=%d MB=%d\n' % (reps, secs, mb)
    initrd = dom0_initrd(workdir, ['bench-io'], dom0, None, kernels, extra=io_tools(),
                         files={'bench-io.conf': conf})
    # Without -icount, TCG on a busy host wakes an idle CPU so late that
    # one request in flight measures the host's scheduler (some 10 IOPS).
    argv = qemu_xen(dom0, initrd, 'smp2', extra=['-icount', 'shift=0,sleep=off'])
    logpath = os.path.join(workdir, 'serial.log')
    if os.path.exists(logpath):
        os.unlink(logpath)
    log('bench-io: dom0 %s, domUs %s, %d runs of each, QEMU -icount; log %s' % (
        dom0.name, ', '.join(k.name for k in kernels), reps, os.path.relpath(logpath, TOP)))
    start = time.time()
    m = Machine(argv, logpath)
    deadline = start + 3600 + len(kernels) * reps * (600 + 8 * secs)
    res = {k.name: {'values': {}, 'na': {}, 'error': None} for k in kernels}
    while True:
        line = m.readline(deadline)
        if line is None or line is TIMEOUT or DEAD.search(line):
            m.kill()
            sys.exit('bench-io: the machine stopped before the end; see ' + logpath)
        if 'XENPV-BENCHIO-FINISHED' in line:
            break
        if 'XENPV-DOM0-READY' in line:
            log('%4ds dom0 is up' % (time.time() - start))
        mo = re.search(r'XENPV-BENCHIO (\S+) (RESULT|NA|LOG|up|error=)(.*)', line)
        if not mo or mo.group(1) not in res:
            continue
        r, what, rest = res[mo.group(1)], mo.group(2), mo.group(3).strip()
        if what == 'RESULT':
            metric, _, value = rest.partition(' ')
            try:
                r['values'].setdefault(metric, []).append(float(value))
            except ValueError:
                r['na'].setdefault(metric, 'not a number: %r' % value)
        elif what == 'NA':
            metric, _, why = rest.partition(' ')
            r['na'].setdefault(metric, why)
        elif what == 'LOG':
            log('%4ds %s %s' % (time.time() - start, mo.group(1), rest))
        elif what == 'up':
            log('%4ds %s: the domU is up, measuring' % (time.time() - start, mo.group(1)))
        else:
            r['error'] = rest
            log('%4ds %s: %s' % (time.time() - start, mo.group(1), rest))
    m.kill()
    elapsed = time.time() - start

    names = [k.name for k in kernels]
    rows = [('metric (median of %d)' % reps, names, 'ratio(%s/%s)' % (names[-1], names[0]))]
    for label, metric in BENCH_IO_ROWS:
        cells, vals = [], []
        for n in names:
            r = res[n]
            v = None
            if metric in r['na']:
                cell = 'n/a (%s)' % r['na'][metric]
            elif r['values'].get(metric):
                v = statistics.median(r['values'][metric])
                cell = '%.1f' % v
            else:
                cell = 'n/a (%s)' % (r['error'] or 'no result')
            cells.append(cell)
            vals.append(v)
        ratio = ('%.2f' % (vals[-1] / vals[0]) if len(vals) > 1 and vals[0] and
                 vals[-1] is not None else 'n/a')
        rows.append((label, cells, ratio))
    wl = max(len(r[0]) for r in rows)
    wc = [max(len(r[1][i]) for r in rows) for i in range(len(names))]
    out = ['%-*s  %s  %s' % (wl, label, '  '.join(
        '%*s' % (w, c) for w, c in zip(wc, cells)), ratio) for label, cells, ratio in rows]
    out.append('')
    out.append('dom0 %s (2 vCPUs on physical CPU 0); each domU 1 vCPU on CPU 1, 512 MiB.' % (
        dom0.name))
    out.append('disk: xenpv-io on xvdb, a %d MiB image in dom0\'s tmpfs; O_DIRECT, one '
               'request in flight, %d s a run;' % (mb, secs))
    out.append('  seq: 1 MiB blocks (MB = 10^6 bytes), random: 4 KiB; after a warm-up '
               'that is not counted:')
    out.append('  the whole disk written once, then one run of each (warmup_* below).')
    out.append('net: iperf3 (TCP, one stream, %d s) between the domU and dom0 over '
               'xenbr0; the receiver\'s rate.' % secs)
    out.append('time: QEMU -icount, instruction time (1 ns per instruction, one clock '
               'for both CPUs).')
    out.append('every run, in order:')
    for n in names:
        for metric, values in res[n]['values'].items():
            out.append('  %-8s %-28s %s' % (n, metric, ' '.join('%.1f' % v for v in values)))
    out.append('this run: %d s from QEMU\'s start to the last result' % elapsed)
    table = '\n'.join(out)
    with open(os.path.join(BUILD, 'bench-io.txt'), 'w') as f:
        f.write(table + '\n')
    print(table)
    print('(also in build/bench-io.txt)')
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
    ap.add_argument('--demo', action='store_true')
    ap.add_argument('--bench', help='domU kernels to compare, e.g. anchor,ours')
    ap.add_argument('--bench-io', help='domU kernels to compare disk and network '
                    'throughput of, e.g. anchor,ours')
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
