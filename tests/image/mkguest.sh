#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkguest.sh [--bits 32|64] KERNEL_DIR OUT: the initramfs of a test guest
# (a domU, or the native test machine): busybox, its init, and the job
# scripts of tests/guest.  When KERNEL_DIR holds a lib/modules tree (a
# stock Debian kernel's, or ours and the anchor's, which build netfront as
# a module), the frontends built as modules go in too, for rc.sysinit to
# load.
#
# --bits 32 makes the userland of an i386 kernel: Debian's i386 busybox
# (deps.sh fetch-i386); the guest tools given in XENPV_STRESS_BIN and
# XENPV_HOSTILE_BIN must then be i386 binaries too (gcc -m32 -static).

. "$(dirname "$0")/../../scripts/xenpv/common.sh"

usage='usage: mkguest.sh [--bits 32|64] KERNEL_DIR OUT'
bits=64
if [ "${1:-}" = --bits ]; then
	bits=${2:?$usage}
	shift 2
fi
kdir=${1:?$usage}
out=${2:?$usage}
guest=$XENPV_TOP/tests/guest
bb=$CACHE/pkgs/busybox-static/bin/busybox
[ -x "$bb" ] || die "busybox-static is not unpacked (run: make deps)"
# list: the busybox that names the applets; it must run on this host.
list=$bb
case "$bits" in
64) ;;
32)
	bb=$CACHE/pkgs/busybox-static-i386/bin/busybox
	[ -x "$bb" ] || die "the i386 busybox-static is not unpacked (run: make deps)"
	# The host need not run i386 binaries (a kernel without IA32
	# emulation does not): the applets are those of the amd64 build of
	# the same Debian version, which has the same configuration.
	v64=$(sed 's/_amd64\.deb$//' "$CACHE/pkgs/busybox-static/.unpacked")
	v32=$(sed 's/_i386\.deb$//' "$CACHE/pkgs/busybox-static-i386/.unpacked")
	[ "$v64" = "$v32" ] ||
		die "busybox-static amd64 ($v64) and i386 ($v32) differ: run make deps"
	for t in ${XENPV_STRESS_BIN:-} ${XENPV_HOSTILE_BIN:-}; do
		file -L "$t" | grep -q 'ELF 32-bit.*Intel 80386' ||
			die "$t is not an i386 binary"
	done
	;;
*) die "$usage" ;;
esac

root=$out.root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
cp "$bb" "$root/bin/busybox"
"$list" --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
ln -sf bin/busybox "$root/init"
cp "$guest/inittab" "$root/etc/inittab"
cp "$guest/rc.sysinit" "$guest/rc.job" "$guest/rc.shutdown" "$guest/rc.lifecycle" \
	"$guest/uevent-helper" "$root/etc/"
[ -n "${XENPV_STRESS_BIN:-}" ] && cp "$XENPV_STRESS_BIN" "$root/bin/xenpv-stress"
[ -n "${XENPV_HOSTILE_BIN:-}" ] && cp "$XENPV_HOSTILE_BIN" "$root/bin/xenpv-hostile"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"

if [ -d "$kdir/lib/modules" ]; then
	kver=$(ls "$kdir/lib/modules" | head -n 1)
	kmods=$kdir/lib/modules/$kver
	mods=
	mkdir -p "$root/lib/modules/$kver"
	for m in xen-blkfront xen-netfront; do
		f=$(find "$kmods" -name "$m.ko*" | head -n 1)
		if [ -z "$f" ]; then
			# Built in (our kernels and the anchor keep blkfront in).
			grep -q "/$m.ko\$" "$kmods/modules.builtin" 2>/dev/null ||
				die "$m is neither a module nor built in in $kdir"
			continue
		fi
		mkdir -p "$root/$(dirname "${f#$kdir/}")"
		cp "$f" "$root/${f#$kdir/}"
		mods="$mods $m"
	done
	cp "$kmods"/modules.{order,builtin}* "$root/lib/modules/$kver/" 2>/dev/null || true
	depmod -b "$root" "$kver"
	echo $mods > "$root/etc/modules.load"
fi

(cd "$root" && find . | sort | cpio -o -H newc --quiet) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
