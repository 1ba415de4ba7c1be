# domu-pvh-mem-set: domu-mem-set with a PVH domU (lib.sh's as_pvh):
# xl mem-set down and up; the balloon follows.
as_pvh domu-mem-set
