#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack Debian's linux-source-6.1 once into the cache, as the pristine tree
# that the anchor builds from and that our tree is assembled from.  Its files
# are made read-only so that no later step can modify it by accident.
# Prints the pristine tree's path and records the exact version in
# $BUILD/kernel-version.

. "$(dirname "$0")/common.sh"

[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing (run: make deps)"
pristine=$(pristine_dir)

if [ ! -f "$pristine/.xenpv-unpacked" ]; then
	log "unpacking $KSRC_TARBALL ($(ksrc_debver)) into $pristine"
	tmp=$pristine.partial
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$KSRC_TARBALL" -C "$tmp" --strip-components=1
	find "$tmp" -type f -print0 | xargs -0 chmod a-w
	touch "$tmp/.xenpv-unpacked"
	rm -rf "$pristine"
	mv "$tmp" "$pristine"
fi

mkdir -p "$BUILD"
kver=$(make -s -C "$pristine" kernelversion)
echo "$KSRC_PKG $(ksrc_debver) (Linux $kver)" > "$BUILD/kernel-version.new"
cmp -s "$BUILD/kernel-version.new" "$BUILD/kernel-version" 2>/dev/null &&
	rm "$BUILD/kernel-version.new" ||
	mv "$BUILD/kernel-version.new" "$BUILD/kernel-version"
echo "$pristine"
