# domu-pvh32-disk: domu-disk with an i386 PVH domU (lib.sh's as_pvh32):
# xvdb checked byte for byte in dom0, its protocol node x86_32-abi.
as_pvh32 domu-disk
