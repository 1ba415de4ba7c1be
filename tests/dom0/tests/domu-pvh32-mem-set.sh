# domu-pvh32-mem-set: domu-mem-set with an i386 PVH domU (lib.sh's
# as_pvh32): xl mem-set down and up; the balloon follows.
as_pvh32 domu-mem-set
