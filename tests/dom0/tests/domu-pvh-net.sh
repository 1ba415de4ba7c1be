# domu-pvh-net: domu-net with a PVH domU (lib.sh's as_pvh):
# ping across xenbr0 both ways.
as_pvh domu-net
