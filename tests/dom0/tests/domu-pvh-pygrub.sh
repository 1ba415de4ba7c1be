# domu-pvh-pygrub: domu-pygrub with a PVH domU (lib.sh's as_pvh):
# type="pvh" with bootloader="pygrub": kernel, initrd and command line from grub.cfg.
as_pvh domu-pygrub
