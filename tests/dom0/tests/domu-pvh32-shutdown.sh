# domu-pvh32-shutdown: domu-shutdown with an i386 PVH domU (lib.sh's
# as_pvh32): xl shutdown -w through the guest's orderly shutdown.
as_pvh32 domu-shutdown
