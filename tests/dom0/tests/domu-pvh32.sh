# domu-pvh32: the i386 sibling of the domU kernel boots as a PVH domU to
# init (lib.sh's as_pvh32: its release and "uname -m" checked).
as_pvh32 domu-pvh
