#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fingerprint.sh FLAVOUR: one hash of everything in this checkout that a
# kernel of FLAVOUR is built from, committed or not.
#
# build-kernel.sh records it in build/kernels/FLAVOUR/build-info; the test
# harness computes it again and refuses a kernel whose inputs changed since
# it was built, so a test never runs yesterday's image by mistake.
#
#   anchor, anchor32
#                 the configuration fragments and the build scripts
#   ours, kunit, ours32
#                 those, plus the overlay (our kernel files), patches/ and
#                 the strip list
#
# The pristine source and Xen's headers come from Debian's packages, whose
# versions build-info records beside the hash.

. "$(dirname "$0")/common.sh"
set +o pipefail

flavour=${1:?usage: fingerprint.sh ours|anchor|kunit|ours32|anchor32}
cd "$XENPV_TOP"

files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -co --exclude-standard
	else
		find . -type f ! -path './build/*' | sed 's|^\./||'
	fi | while read -r f; do [ -f "$f" ] && echo "$f"; done | LC_ALL=C sort
}

build_inputs='^(arch/x86/configs/|scripts/xenpv/(common|kconfig|build-kernel|source)\.sh$)'
case "$flavour" in
anchor | anchor32) pattern=$build_inputs ;;
ours | kunit | ours32)
	# The overlay is every kernel-tree file; tests, docs of the project and
	# the top-level Makefile/README do not go into the image.
	pattern='^(arch|drivers|include|Documentation|patches|scripts)/' ;;
*) die "fingerprint.sh: unknown flavour $flavour" ;;
esac

files | grep -E "$pattern" | while read -r f; do
	printf '%s %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$f"
done | sha256sum | cut -c1-16
