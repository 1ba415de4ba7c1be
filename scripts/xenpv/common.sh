# SPDX-License-Identifier: GPL-2.0
#
# Shared settings for the build and test scripts; sourced, never run.
#
# Two places hold what the scripts make:
#   $BUILD  (build/ in the checkout): the assembled source tree, the object
#           trees, test logs.  "make clean" removes it.
#   $CACHE  (~/.cache/xenpv by default, XENPV_CACHE to move it): what is slow
#           to make and the same for every checkout: downloaded packages,
#           the unpacked pristine kernel source, ccache, the dom0 userspace.
#           Deleting it only costs time.

set -euo pipefail

XENPV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$XENPV_TOP/build}
CACHE=${XENPV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xenpv}
JOBS=${JOBS:-$(nproc)}

# The kernel we build on, and the Xen whose tools and headers we use.
KSRC_PKG=linux-source-6.1
KSRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
XEN_VER=4.17
XEN_HEADERS=/usr/include/xen

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

# Same output for the same input: no dates or host names in the image.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=xenpv
export KBUILD_BUILD_HOST=build

log() { printf '[xenpv] %s\n' "$*" >&2; }
die() { printf '[xenpv] error: %s\n' "$*" >&2; exit 1; }

# The Debian version of the kernel source package, e.g. 6.1.192-2.
ksrc_debver() {
	dpkg-query -W -f '${Version}' "$KSRC_PKG" 2>/dev/null ||
		die "$KSRC_PKG is not installed (run: make deps)"
}

# Where the pristine source of that version is unpacked (read-only).
pristine_dir() {
	echo "$CACHE/src/linux-$(ksrc_debver)"
}

# The kernel architecture of a flavour: the "...32" flavours are i386
# (with PAE, xen-test-i386.config), the others x86_64.  A fragment alone
# cannot make a 32-bit kernel: ARCH=x86_64 forces CONFIG_64BIT on.
xenpv_arch() {
	case "$1" in
	*32) echo i386 ;;
	*) echo x86_64 ;;
	esac
}

# Run make in the kernel tree $1 with objects in $2, for the architecture
# in XENPV_ARCH (x86_64 unless a script set it with xenpv_arch).
kmake() {
	local src=$1 obj=$2
	shift 2
	make -C "$src" O="$obj" ARCH="${XENPV_ARCH:-x86_64}" CC="ccache gcc" \
		HOSTCC="ccache gcc" -j"$JOBS" -s "$@"
}
