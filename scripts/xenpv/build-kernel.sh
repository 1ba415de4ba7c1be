#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh ours|anchor: configure and build one bzImage.
#
#   ours    our Xen tree assembled over the pristine source (assemble.sh)
#   anchor  the pristine source itself, upstream's Xen support left in place
#
# Both use the same kernel version, the same config fragments and ccache;
# each has its own object tree under $BUILD/obj.  The results are copied to
# $BUILD/kernels/FLAVOUR/: bzImage, System.map, config.

. "$(dirname "$0")/common.sh"

flavour=${1:?usage: build-kernel.sh ours|anchor}
pristine=$("$XENPV_TOP/scripts/xenpv/source.sh")

case "$flavour" in
anchor) src=$pristine ;;
ours) src=$("$XENPV_TOP/scripts/xenpv/assemble.sh" "$pristine") ;;
*) die "unknown flavour $flavour" ;;
esac
obj=$BUILD/obj/$flavour
out=$BUILD/kernels/$flavour

"$XENPV_TOP/scripts/xenpv/kconfig.sh" "$flavour" "$src" "$obj"
log "building $flavour bzImage ($JOBS jobs)"
start=$(date +%s)
kmake "$src" "$obj" bzImage || die "$flavour kernel build failed"
log "$flavour built in $(( $(date +%s) - start )) s"

mkdir -p "$out"
for f in arch/x86/boot/bzImage System.map .config vmlinux; do
	cmp -s "$obj/$f" "$out/$(basename "$f")" 2>/dev/null ||
		cp "$obj/$f" "$out/$(basename "$f")"
done
cp "$obj/xen-options-missing" "$out/"
cp "$BUILD/kernel-version" "$out/"
