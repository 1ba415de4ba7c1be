#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kconfig.sh FLAVOUR SRC OBJ: write OBJ/.config for the lean test kernel.
#
# tinyconfig, then our two fragments, then olddefconfig, computed in a
# scratch object tree.  OBJ/.config is only replaced when the result
# differs, so an unchanged configuration never triggers a rebuild.
#
# Every line of xen-test-base.config must survive olddefconfig.  For
# xen-test-xen.config the anchor must honour every line too; our tree may
# not offer every Xen option yet, and the ones it lacks are listed in
# OBJ/xen-options-missing (the test harness quotes it in XFAIL reasons).
#
# Each flavour carries its own CONFIG_LOCALVERSION ("-xenpv" for ours,
# "-anchor" for the anchor), so "uname -r" tells which kernel a machine
# really booted; the test harness checks it on every boot.  It is the one
# line in which the two configurations differ besides the Xen options.
#
# The kunit flavour (our tree) adds a third fragment, xen-test-kunit.config:
# KUnit and our unit tests.  Every line of it must survive too, or a test
# would silently not be built.  Where it switches off a Xen option of part
# 2, that option is not reported missing.
#
# The 32-bit flavours (ours32 "-xenpv32", anchor32 "-anchor32") are built
# with ARCH=i386: after the base fragment comes xen-test-i386.config, whose
# lines override the base's 64-bit ones, and xen-test-xen32.config takes
# the place of xen-test-xen.config.  A base line that the i386 fragment
# overrides is not asked to survive; every line of the i386 fragment is,
# its "is not set" lines included.

. "$(dirname "$0")/common.sh"

flavour=$1 src=$2 obj=$3
XENPV_ARCH=$(xenpv_arch "$flavour")
export XENPV_ARCH
cfgdir=$XENPV_TOP/arch/x86/configs
base=$cfgdir/xen-test-base.config
xen=$cfgdir/xen-test-xen.config
arch=
if [ "$XENPV_ARCH" = i386 ]; then
	arch=$cfgdir/xen-test-i386.config
	xen=$cfgdir/xen-test-xen32.config
fi
kunit=
[ "$flavour" != kunit ] || kunit=$cfgdir/xen-test-kunit.config
scratch=$obj.kconfig

case "$flavour" in
anchor) localversion=-anchor ;;
anchor32) localversion=-anchor32 ;;
ours) localversion=-xenpv ;;
ours32) localversion=-xenpv32 ;;
*) localversion=-xenpv-$flavour ;;
esac

mkdir -p "$scratch" "$obj"
printf 'CONFIG_LOCALVERSION="%s"\n# CONFIG_LOCALVERSION_AUTO is not set\n' \
	"$localversion" > "$scratch/flavour.config"
kmake "$src" "$scratch" tinyconfig >/dev/null 2>"$scratch/merge.log"
"$src/scripts/kconfig/merge_config.sh" -m -O "$scratch" \
	"$scratch/.config" "$base" $arch "$xen" "$scratch/flavour.config" $kunit \
	>"$scratch/merge.log" 2>&1 ||
	{ cat "$scratch/merge.log"; die "merge_config.sh failed"; }
# Split drivers whose Kconfig entries are generic (drivers/*/Kconfig stays)
# but whose code is stripped: once our Kconfig offers what they depend on
# (XEN_BACKEND for netback), the fragment would switch on code that is not
# there.  Until our tree has the code, such an option is turned off here,
# and so reported missing below.
if [ "${flavour#anchor}" = "$flavour" ]; then
	for opt in XEN_NETDEV_BACKEND:drivers/net/xen-netback/Makefile \
		   XEN_BLKDEV_BACKEND:drivers/block/xen-blkback/Makefile \
		   XEN_PCIDEV_FRONTEND:drivers/pci/xen-pcifront.c; do
		[ -e "$src/${opt#*:}" ] ||
			"$src/scripts/config" --file "$scratch/.config" \
				--disable "${opt%%:*}"
	done
fi
kmake "$src" "$scratch" olddefconfig >/dev/null 2>>"$scratch/merge.log" ||
	{ cat "$scratch/merge.log"; die "olddefconfig failed"; }

# Lines of fragment $1 that the final .config does not have: "CONFIG_X=v"
# must be there as it is, "# CONFIG_X is not set" means no "CONFIG_X=".
# Symbols that fragment $2 (if given) assigns are left out: it overrides.
unmet() {
	local over=${2:-/dev/null}
	sed -nE 's/^(# )?(CONFIG_[A-Za-z0-9_]+)(=.*| is not set)$/\2 &/p' "$1" |
	while read -r sym line; do
		grep -qE "^(# )?$sym(=| is not set)" "$over" && continue
		case "$line" in
		"# "*) ! grep -q "^$sym=" "$scratch/.config" ;;
		*) grep -qxF "$line" "$scratch/.config" ;;
		esac || echo "$line"
	done
}

bad=$(unmet "$base" "$arch"; unmet "$scratch/flavour.config"
	[ -z "$arch" ] || unmet "$arch")
[ -z "$bad" ] || die "$flavour: base options lost by olddefconfig:"$'\n'"$bad"
if [ -n "$kunit" ]; then
	bad=$(unmet "$kunit")
	[ -z "$bad" ] || die "kunit: test options lost by olddefconfig:"$'\n'"$bad"
fi
missing=$(unmet "$xen" "$kunit")
if [ -n "$missing" ]; then
	[ "${flavour#anchor}" = "$flavour" ] ||
		die "$flavour: Xen options lost by olddefconfig:"$'\n'"$missing"
	log "$flavour: $(echo "$missing" | wc -l) Xen options not offered yet" \
		"(listed in $obj/xen-options-missing)"
fi
printf '%s\n' $missing > "$obj/xen-options-missing.new"
for f in .config xen-options-missing; do
	src_f=$scratch/.config
	[ $f = .config ] || src_f=$obj/xen-options-missing.new
	cmp -s "$src_f" "$obj/$f" 2>/dev/null || cp "$src_f" "$obj/$f"
done
rm -f "$obj/xen-options-missing.new"
