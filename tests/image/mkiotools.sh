#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkiotools.sh XENPV_IO OUT: the tools of "make bench-io" as a cpio
# archive (not compressed) that goes on top of an initramfs, dom0's or a
# guest's: iperf3 from Debian's package, with every shared library it
# needs (resolved through the unpacked packages, the loader included), and
# XENPV_IO, the static disk workload tool built from tests/guest/xenpv-io.c.

. "$(dirname "$0")/../../scripts/xenpv/common.sh"

io=${1:?usage: mkiotools.sh XENPV_IO OUT}
out=${2:?usage: mkiotools.sh XENPV_IO OUT}
pkgs=$CACHE/pkgs
[ -x "$pkgs/iperf3/usr/bin/iperf3" ] || die "iperf3 is not unpacked (run: make deps)"
dirs=
for p in $("$XENPV_TOP/scripts/xenpv/deps.sh" list-target) \
	 $("$XENPV_TOP/scripts/xenpv/deps.sh" list-bench); do
	dirs="$dirs $pkgs/$p"
done

root=$out.root
rm -rf "$root"
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib64"
cp "$io" "$root/bin/xenpv-io"
cp "$pkgs/iperf3/usr/bin/iperf3" "$root/usr/bin/iperf3"

# Copy the library named $1 (the symbolic link and what it points to) from
# whichever package has it, at the same path.  Prints the copied file.
copy_lib() {
	local f
	f=$(find $dirs \( -path '*/lib/x86_64-linux-gnu/*' -o \
		-path '*/usr/lib/x86_64-linux-gnu/*' \) -name "$1" -print -quit)
	[ -n "$f" ] || die "no package provides $1"
	local pkg=${f#$pkgs/}
	pkg=${pkg%%/*}
	local rel=${f#$pkgs/$pkg/}
	mkdir -p "$root/$(dirname "$rel")"
	cp -a "$f" "$root/$rel"
	if [ -L "$f" ]; then
		cp -a "$(dirname "$f")/$(readlink "$f")" "$root/$(dirname "$rel")/"
	fi
	echo "$root/$rel"
}

# The loader, then every library needed, breadth first, each once.
copy_lib ld-linux-x86-64.so.2 >/dev/null
ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
todo="$root/usr/bin/iperf3"
seen=" "
while [ -n "$todo" ]; do
	next=
	for f in $todo; do
		for lib in $(readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			case "$seen" in *" $lib "*) continue ;; esac
			seen="$seen$lib "
			next="$next $(copy_lib "$lib")"
		done
	done
	todo=$next
done

(cd "$root" && find . | sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
