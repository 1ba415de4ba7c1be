#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh ours|anchor|kunit|ours32|anchor32: configure and build
# one bzImage.
#
#   ours    our Xen tree assembled over the pristine source (assemble.sh)
#   anchor  the pristine source itself, upstream's Xen support left in place
#   kunit   our tree again, with KUnit and our unit tests built in
#           (xen-test-kunit.config): it runs them at boot, natively
#   ours32, anchor32
#           the same two trees built for i386 with PAE, a PVH domU
#           (xen-test-i386.config, xen-test-xen32.config)
#
# All use the same kernel version, the same config fragments and ccache;
# each has its own object tree under $BUILD/obj.  The results are copied to
# $BUILD/kernels/FLAVOUR/: bzImage, System.map, config, and the modules
# installed under lib/modules (stripped, as a distribution ships them).
# build-info says what the kernel is: its architecture, its release
# ("uname -r"), the commit
# of this checkout it was built from, and the fingerprint of its inputs
# (fingerprint.sh), by which the test harness refuses a stale kernel.

. "$(dirname "$0")/common.sh"

flavour=${1:?usage: build-kernel.sh ours|anchor|kunit|ours32|anchor32}
XENPV_ARCH=$(xenpv_arch "$flavour")
export XENPV_ARCH
pristine=$("$XENPV_TOP/scripts/xenpv/source.sh")
# What the kernel is built from, taken before the build reads any of it.
fingerprint=$("$XENPV_TOP/scripts/xenpv/fingerprint.sh" "$flavour")
commit=$(git -C "$XENPV_TOP" rev-parse --short=12 HEAD 2>/dev/null || echo none)
[ -z "$(git -C "$XENPV_TOP" status --porcelain -- . ':!build' 2>/dev/null)" ] ||
	commit="$commit+uncommitted"

case "$flavour" in
anchor | anchor32) src=$pristine ;;
ours | kunit | ours32) src=$("$XENPV_TOP/scripts/xenpv/assemble.sh" "$pristine") ;;
*) die "unknown flavour $flavour" ;;
esac
obj=$BUILD/obj/$flavour
out=$BUILD/kernels/$flavour

# The kunit kernel runs its tests before any user space: no modules.
want_modules() {
	[ "$flavour" != kunit ] && grep -q '^CONFIG_MODULES=y' "$obj/.config"
}

"$XENPV_TOP/scripts/xenpv/kconfig.sh" "$flavour" "$src" "$obj"
log "building $flavour bzImage ($JOBS jobs)"
start=$(date +%s)
kmake "$src" "$obj" bzImage || die "$flavour kernel build failed"
if want_modules; then
	kmake "$src" "$obj" modules || die "$flavour modules build failed"
fi
log "$flavour built in $(( $(date +%s) - start )) s"

mkdir -p "$out"
for f in arch/x86/boot/bzImage System.map .config vmlinux; do
	cmp -s "$obj/$f" "$out/$(basename "$f")" 2>/dev/null ||
		cp "$obj/$f" "$out/$(basename "$f")"
done
cp "$obj/xen-options-missing" "$out/"

# The modules, installed afresh into a scratch root and swapped in only
# when a file changed: the guest initramfs is rebuilt when they look newer
# than it, and an unchanged build must not make it look stale.
rm -rf "$out/lib.new"
if want_modules; then
	kmake "$src" "$obj" INSTALL_MOD_PATH="$out/lib.new" INSTALL_MOD_STRIP=1 \
		DEPMOD=/sbin/depmod modules_install >/dev/null ||
		die "$flavour modules_install failed"
	# Links back into the object tree: the guests do not need them.
	rm -f "$out"/lib.new/lib/modules/*/{build,source}
fi
if ! diff -rq "$out/lib.new/lib" "$out/lib" >/dev/null 2>&1; then
	rm -rf "$out/lib"
	[ -d "$out/lib.new/lib" ] && mv "$out/lib.new/lib" "$out/lib"
fi
rm -rf "$out/lib.new"
cp "$BUILD/kernel-version" "$out/"

release=$(kmake "$src" "$obj" kernelrelease)
{
	echo "flavour=$flavour"
	echo "arch=$XENPV_ARCH"
	echo "release=$release"
	echo "commit=$commit"
	echo "fingerprint=$fingerprint"
	echo "source=$(cat "$BUILD/kernel-version")"
	echo "xen_headers=libxen-dev $(dpkg-query -W -f '${Version}' libxen-dev 2>/dev/null)"
} > "$out/build-info"
log "$flavour is $release, from commit $commit"
