# SPDX-License-Identifier: GPL-2.0
#
# Xen paravirt-ops support for Linux 6.1, built as an overlay on Debian's
# linux-source-6.1.  See README for what each target proves.
#
#   make deps          host packages (apt-get) and the test machine's packages
#   make kernel        our bzImage            -> build/kernels/ours/
#   make anchor        the anchor: the same source, version and config with
#                      upstream's Xen support -> build/kernels/anchor/
#   make kernel32      our bzImage for i386 (PAE), a PVH domU
#                                             -> build/kernels/ours32/
#   make anchor32      the anchor for i386    -> build/kernels/anchor32/
#   make check         README's test command: build, unit tests, the ladder
#                      on our kernel, the upstream-overlap check
#   make check-anchor  the whole ladder on the anchor
#   make ladder        the ladder only: KERNEL=ours|anchor|stock,
#                      DOMU_DOM0=..., TESTS=a,b (no build: a kernel whose
#                      inputs changed since it was built is refused)
#   make run           README's demo: Xen, a dom0 and a domU in QEMU
#                      (DOM0=ours|anchor|stock, DOMU=...)
#   make bench         ours vs the anchor from one run (not a test):
#                      hypercalls and traps per workload, icount times,
#                      PV and PVH
#   make bench-io      ours vs the anchor (not a test): domU disk and
#                      network throughput (BENCH_REPS runs of BENCH_SECS s
#                      each); the frontends (our domU vs the anchor's on
#                      the anchor's dom0) and the backends (the anchor's
#                      domU on our dom0 vs on the anchor's), a run each
#   make clean         remove build/ (the cache in ~/.cache/xenpv stays)

XENPV := scripts/xenpv
DOM0 ?= ours
DOMU ?= ours
KERNEL ?= ours
DOMU_DOM0 ?=
TESTS ?=
BENCH_REPS ?= 3
BENCH_SECS ?= 2
BUILD_DIR := $(or $(BUILD),$(CURDIR)/build)

.PHONY: all deps kernel anchor kernel32 anchor32 check check-anchor ladder run bench bench-io clean

all: kernel

deps:
	@$(XENPV)/deps.sh host
	@$(XENPV)/deps.sh fetch

kernel: deps
	@$(XENPV)/build-kernel.sh ours

anchor: deps
	@$(XENPV)/build-kernel.sh anchor

kernel32: deps
	@$(XENPV)/build-kernel.sh ours32

anchor32: deps
	@$(XENPV)/build-kernel.sh anchor32

check:
	@$(XENPV)/check.sh ours

check-anchor:
	@$(XENPV)/check.sh anchor

ladder:
	@python3 tests/ladder.py --kernel $(KERNEL) \
		$(if $(DOMU_DOM0),--domu-dom0 $(DOMU_DOM0)) $(if $(TESTS),--tests $(TESTS)) \
		$(if $(filter ours,$(KERNEL)),--xfail tests/expect/ours.xfail)

run: deps
	@$(if $(filter ours,$(DOM0) $(DOMU)),$(XENPV)/build-kernel.sh ours)
	@$(if $(filter anchor,$(DOM0) $(DOMU)),$(XENPV)/build-kernel.sh anchor)
	@python3 tests/ladder.py --demo --dom0 $(DOM0) --domu $(DOMU)

bench: deps
	@$(XENPV)/build-kernel.sh ours
	@$(XENPV)/build-kernel.sh anchor
	@python3 tests/ladder.py --bench anchor,ours --dom0 anchor

bench-io: deps
	@$(XENPV)/build-kernel.sh ours
	@$(XENPV)/build-kernel.sh anchor
	@python3 tests/ladder.py --bench-io anchor,ours --dom0 anchor \
		--bench-reps $(BENCH_REPS) --bench-secs $(BENCH_SECS)
	@python3 tests/ladder.py --bench-io anchor --dom0 anchor,ours \
		--bench-reps $(BENCH_REPS) --bench-secs $(BENCH_SECS)

clean:
	rm -rf build
