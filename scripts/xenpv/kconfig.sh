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
# would silently not be built.

. "$(dirname "$0")/common.sh"

flavour=$1 src=$2 obj=$3
cfgdir=$XENPV_TOP/arch/x86/configs
base=$cfgdir/xen-test-base.config
xen=$cfgdir/xen-test-xen.config
kunit=
[ "$flavour" != kunit ] || kunit=$cfgdir/xen-test-kunit.config
scratch=$obj.kconfig

case "$flavour" in
anchor) localversion=-anchor ;;
ours) localversion=-xenpv ;;
*) localversion=-xenpv-$flavour ;;
esac

mkdir -p "$scratch" "$obj"
printf 'CONFIG_LOCALVERSION="%s"\n# CONFIG_LOCALVERSION_AUTO is not set\n' \
	"$localversion" > "$scratch/flavour.config"
kmake "$src" "$scratch" tinyconfig >/dev/null 2>"$scratch/merge.log"
"$src/scripts/kconfig/merge_config.sh" -m -O "$scratch" \
	"$scratch/.config" "$base" "$xen" "$scratch/flavour.config" $kunit >"$scratch/merge.log" 2>&1 ||
	{ cat "$scratch/merge.log"; die "merge_config.sh failed"; }
# Split drivers whose Kconfig entries are generic (drivers/*/Kconfig stays)
# but whose code is stripped: once our Kconfig offers what they depend on
# (XEN_BACKEND for netback), the fragment would switch on code that is not
# there.  Until our tree has the code, such an option is turned off here,
# and so reported missing below.
if [ "$flavour" != anchor ]; then
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

# Lines "CONFIG_X=v" of fragment $1 that the final .config does not have.
unmet() {
	grep -E '^CONFIG_[A-Za-z0-9_]+=' "$1" | while read -r line; do
		grep -qxF "$line" "$scratch/.config" || echo "$line"
	done
}

bad=$(unmet "$base"; unmet "$scratch/flavour.config")
[ -z "$bad" ] || die "$flavour: base options lost by olddefconfig:"$'\n'"$bad"
if [ -n "$kunit" ]; then
	bad=$(unmet "$kunit")
	[ -z "$bad" ] || die "kunit: test options lost by olddefconfig:"$'\n'"$bad"
fi
missing=$(unmet "$xen")
if [ -n "$missing" ]; then
	[ "$flavour" = anchor ] &&
		die "anchor: Xen options lost by olddefconfig:"$'\n'"$missing"
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
