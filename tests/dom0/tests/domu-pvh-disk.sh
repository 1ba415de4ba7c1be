# domu-pvh-disk: domu-disk with a PVH domU (lib.sh's as_pvh):
# xvdb, written in the guest, checked byte for byte in dom0.
as_pvh domu-disk
