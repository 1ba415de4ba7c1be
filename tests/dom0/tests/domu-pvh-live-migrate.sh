# domu-pvh-live-migrate: domu-migrate with a PVH domU (lib.sh's as_pvh):
# three live migrations to this host (xl migrate: pre-copy rounds on HAP's
# log-dirty mode, not save+restore) with the disk writer and a ping
# running; every record verified afterwards, each downtime printed.
as_pvh domu-migrate
