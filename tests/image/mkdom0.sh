#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkdom0.sh: the base of the dom0 initramfs, from Debian's packages.
#
# The real xen-tools of Xen 4.17 (xl, xenstored, xenconsoled, pygrub, the
# hotplug scripts), the libraries they link, busybox for everything else,
# bash for the hotplug scripts, python3.11 for pygrub, e2fsprogs and
# util-linux.  No kernel modules, no test scripts: those go into a second
# cpio archive (the payload) that the test runner appends per run, so this
# one is built once and cached, keyed by the package versions and this
# script.  Prints the path of the archive.

. "$(dirname "$0")/../../scripts/xenpv/common.sh"

pkgs=$CACHE/pkgs
[ -d "$pkgs" ] || die "no unpacked packages (run: make deps)"
targets=$("$XENPV_TOP/scripts/xenpv/deps.sh" list-target)
key=$( (for p in $targets; do cat "$pkgs/$p/.unpacked"; done; cat "$0") |
	sha256sum | cut -c1-16)
out=$CACHE/images/dom0-base-$key.cpio.zst
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

log "building the dom0 userspace ($out)"
root=$CACHE/images/dom0-root.partial
rm -rf "$root"
mkdir -p "$root"
for p in $targets; do
	case "$p" in xen-hypervisor-*) continue ;; esac
	cp -a "$pkgs/$p/." "$root/"
done
rm -f "$root/.unpacked"
rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion} \
	"$root"/usr/lib/python3.11/{test,idlelib,tkinter,lib2to3,ensurepip,turtledemo} \
	"$root"/etc/init.d "$root"/lib/systemd "$root"/usr/lib/systemd \
	"$root"/bin/su "$root"/sbin/runuser \
	"$root"/usr/lib/python3.11/lib-dynload/_dbm.*

# busybox supplies every command no package above provides.
bb=$root/bin/busybox
[ -x "$bb" ] || die "busybox-static did not unpack"
"$bb" --list-full | while read -r applet; do
	for d in bin sbin usr/bin usr/sbin; do
		[ -e "$root/$d/$(basename "$applet")" ] && continue 2
	done
	mkdir -p "$root/$(dirname "$applet")"
	ln -s /bin/busybox "$root/$applet"
done
ln -sf busybox "$root/bin/sh"
ln -sf python3.11 "$root/usr/bin/python3"

# The Xen tools by their short names.
xbin=/usr/lib/xen-$XEN_VER/bin
for t in xl xenstored xenconsoled xen-init-dom0 xenctx xentrace pygrub; do
	ln -sf "$xbin/$t" "$root/usr/sbin/$t"
done

mkdir -p "$root"/{proc,sys,dev,run,tmp,root,mnt} \
	"$root"/var/{log/xen/console,lib/xen,run/xen,lock}
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
echo dom0 > "$root/etc/hostname"

# Every shared library an ELF file here needs must be here too.
missing=$(find "$root" -type f \( -perm -u+x -o -name '*.so*' \) -print0 |
	xargs -0 file -N 2>/dev/null | grep -E 'ELF .* dynamically linked' |
	cut -d: -f1 | xargs -r readelf -d 2>/dev/null |
	sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort -u |
	while read -r lib; do
		find "$root" -name "$lib" -print -quit | grep -q . || echo "$lib"
	done)
[ -z "$missing" ] || die "dom0 userspace lacks shared libraries:" $missing

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) |
	zstd -q -9 -T0 > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
echo "$out"
