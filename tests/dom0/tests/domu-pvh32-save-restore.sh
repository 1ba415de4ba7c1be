# domu-pvh32-save-restore: domu-save-restore with an i386 PVH domU
# (lib.sh's as_pvh32): xl save and restore; the guest goes on in the same
# boot.
as_pvh32 domu-save-restore
