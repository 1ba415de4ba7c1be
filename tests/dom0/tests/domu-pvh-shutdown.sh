# domu-pvh-shutdown: domu-shutdown with a PVH domU (lib.sh's as_pvh):
# xl shutdown -w through the guest's orderly shutdown.
as_pvh domu-shutdown
