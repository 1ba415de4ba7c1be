#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the tests need, from Debian's packages by name.
#
#   deps.sh host     the host tools: compiler, kernel build tools, ccache,
#                    the kernel source, Xen's public headers, QEMU.  Installed
#                    with apt-get, and only when one is missing.
#   deps.sh fetch    the packages the test machine runs (Xen, xen-tools,
#                    busybox, Debian's stock kernel, iperf3, ...).
#                    Downloaded with apt-get download into the cache and
#                    never installed on the host: nothing goes into the
#                    host's /boot and no host service is started.
#                    The i386 guest's busybox (I386_PKGS) comes the same
#                    way, through an apt state of its own: the host's dpkg
#                    architectures stay as they are.
#
# Both are idempotent and cheap when everything is already there.

. "$(dirname "$0")/common.sh"

HOST_PKGS="build-essential gcc make flex bison bc libelf-dev libssl-dev
	ccache rsync cpio xz-utils zstd gzip kmod e2fsprogs python3 file
	$KSRC_PKG libxen-dev qemu-system-x86 dpkg-dev
	gcc-multilib libc6-dev-i386"

# What the dom0 and domU userspace of the tests is made of.  The dom0 list
# is the real xen-tools with the libraries they link; rootfs.sh checks that
# every shared library an ELF file needs is present and stops if not.
TARGET_PKGS="xen-hypervisor-$XEN_VER-amd64 xen-utils-$XEN_VER xen-utils-common
	xenstore-utils libxenmisc$XEN_VER libxenstore4 libxencall1
	libxendevicemodel1 libxenevtchn1 libxenforeignmemory1 libxengnttab1
	libxenhypfs1 libxentoolcore1 libxentoollog1 libyajl2
	libc6 libgcc-s1 libncurses6 libncursesw6 libtinfo6 ncurses-base
	bash busybox-static util-linux libmount1 libsmartcols1 libblkid1
	libuuid1 libselinux1 libpcre2-8-0 libudev1 libcap-ng0 libaudit1
	libaudit-common libcap2
	e2fsprogs libext2fs2 libcom-err2 libss2 libbz2-1.0 liblzma5 libzstd1
	zlib1g liblz4-1 libgcrypt20 libgpg-error0 libsystemd0
	python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
	libexpat1 libffi8 libreadline8 libsqlite3-0 libssl3 libcrypt1
	libnsl2 libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3
	libkrb5support0 libkeyutils1 libtirpc-common"

# Only "make bench-io" uses these: iperf3 in dom0 and in the domUs, with
# the libraries it links that TARGET_PKGS lacks (tests/image/mkiotools.sh
# resolves them).  Kept out of the dom0 base image, which stays as it is.
BENCH_PKGS="iperf3 libiperf0 libsctp1"

# The userland of a 32-bit (i386) test guest: busybox, static like the
# amd64 one.  The guest tools are built with the host's gcc -m32 -static
# (gcc-multilib and libc6-dev-i386 in HOST_PKGS).  Unpacked beside the
# amd64 packages as $CACHE/pkgs/<name>-i386.
I386_PKGS="busybox-static"

need_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root to run: $*"
	fi
}

host() {
	local missing=() p
	for p in $HOST_PKGS; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing host packages: ${missing[*]}"
	need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	need_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The newest Debian stock kernel package of the 6.1 series.
stock_kernel_pkg() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		awk '{print $1}' | sort -V | tail -n 1
}

# Download packages into $CACHE/debs (once per version) and unpack each
# into $CACHE/pkgs/<name>; prints nothing, fails loudly.
fetch() {
	local debs=$CACHE/debs pkgs=$CACHE/pkgs p deb want=()
	mkdir -p "$debs" "$pkgs"
	local stock
	stock=$(stock_kernel_pkg)
	[ -n "$stock" ] || die "no linux-image-6.1.0-*-amd64 package found (apt-get update?)"
	echo "$stock" > "$CACHE/stock-kernel-pkg"
	for p in $TARGET_PKGS $BENCH_PKGS $stock; do
		ls "$debs/${p}_"*.deb >/dev/null 2>&1 || want+=("$p")
	done
	if [ ${#want[@]} -gt 0 ]; then
		log "downloading: ${want[*]}"
		(cd "$debs" && apt-get download -q "${want[@]}" >/dev/null) ||
			die "apt-get download failed for: ${want[*]}"
	fi
	for p in $TARGET_PKGS $BENCH_PKGS $stock; do
		deb=$(ls "$debs/${p}_"*.deb | sort -V | tail -n 1)
		if [ ! -f "$pkgs/$p/.unpacked" ] ||
		   [ "$(cat "$pkgs/$p/.unpacked")" != "$(basename "$deb")" ]; then
			rm -rf "$pkgs/$p"
			mkdir -p "$pkgs/$p"
			dpkg-deb -x "$deb" "$pkgs/$p"
			basename "$deb" > "$pkgs/$p/.unpacked"
		fi
	done
}

# fetch_i386: I386_PKGS for i386 into $CACHE/debs-i386, unpacked into
# $CACHE/pkgs/<name>-i386.  apt works from a state of its own (package
# lists and archives under $CACHE/apt-i386) with i386 as its only
# architecture: no "dpkg --add-architecture", and the host's own lists and
# lock are not touched.  The host's sources.list is used as it is.
fetch_i386() {
	local debs=$CACHE/debs-i386 pkgs=$CACHE/pkgs state=$CACHE/apt-i386 p deb want=()
	local apt=(apt-get -q -o APT::Architecture=i386 -o APT::Architectures::=i386
		-o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache"
		-o Debug::NoLocking=1)
	mkdir -p "$debs" "$pkgs" "$state/lists/partial" "$state/cache/archives/partial"
	for p in $I386_PKGS; do
		ls "$debs/${p}_"*_i386.deb >/dev/null 2>&1 || want+=("$p")
	done
	if [ ${#want[@]} -gt 0 ]; then
		log "downloading for i386: ${want[*]}"
		"${apt[@]}" update >/dev/null || die "apt-get update (i386 state in $state) failed"
		(cd "$debs" && "${apt[@]}" download "${want[@]/%/:i386}" >/dev/null) ||
			die "apt-get download failed for i386: ${want[*]}"
	fi
	for p in $I386_PKGS; do
		deb=$(ls "$debs/${p}_"*_i386.deb | sort -V | tail -n 1)
		if [ ! -f "$pkgs/$p-i386/.unpacked" ] ||
		   [ "$(cat "$pkgs/$p-i386/.unpacked")" != "$(basename "$deb")" ]; then
			rm -rf "$pkgs/$p-i386"
			mkdir -p "$pkgs/$p-i386"
			dpkg-deb -x "$deb" "$pkgs/$p-i386"
			basename "$deb" > "$pkgs/$p-i386/.unpacked"
		fi
	done
}

case "${1:-}" in
host) host ;;
fetch) fetch && fetch_i386 ;;
fetch-i386) fetch_i386 ;;
list-target) echo $TARGET_PKGS ;;
list-bench) echo $BENCH_PKGS ;;
*) die "usage: $0 host|fetch|fetch-i386|list-target|list-bench" ;;
esac
