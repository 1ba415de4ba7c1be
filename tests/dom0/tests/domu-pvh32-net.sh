# domu-pvh32-net: domu-net with an i386 PVH domU (lib.sh's as_pvh32):
# ping across xenbr0 both ways.
as_pvh32 domu-net
