# domu-pvh32-pygrub: domu-pygrub with an i386 PVH domU (lib.sh's as_pvh32):
# grub.cfg names the i386 kernel and initramfs, and the guest must say it
# runs that kernel's release as i686.
as_pvh32 domu-pygrub
