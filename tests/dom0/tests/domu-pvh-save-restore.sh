# domu-pvh-save-restore: domu-save-restore with a PVH domU (lib.sh's as_pvh):
# xl save and restore; the guest goes on in the same boot.
as_pvh domu-save-restore
