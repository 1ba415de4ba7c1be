# domu-pygrub: pygrub finds kernel, initrd and command line in grub.cfg on
# the domU's disk, and the domU boots from them.  TYPE, VCPUS, KERNEL and
# RAMDISK (as for domu_cfg) make it another kind of guest (domu-pvh-pygrub,
# domu-pvh32-pygrub).
dir=/tmp/t-pygrub
img=/tmp/t-pygrub.img
mkdir -p $dir/boot/grub
cp ${KERNEL:-$XENPV/domu/bzImage} $dir/boot/vmlinuz
cp ${RAMDISK:-$XENPV/domu/initrd} $dir/boot/initrd.img
cat > $dir/boot/grub/grub.cfg <<CFG
set default=0
set timeout=0
menuentry 'xenpv test guest' {
	linux /boot/vmlinuz console=hvc0 printk.time=1 xenpv.job=pygrub
	initrd /boot/initrd.img
}
CFG
/sbin/mke2fs -q -t ext4 -d $dir $img 64M || fail "mke2fs failed"
cfg=/tmp/t-pygrub.cfg
cat > $cfg <<CFG
name="t-pygrub"
type="${TYPE:-pv}"
bootloader="pygrub"
disk=['format=raw, vdev=xvda, access=ro, target=$img']
memory=128
vcpus=${VCPUS:-2}
on_crash="preserve"
CFG
create "$cfg"
up=$(wait_for t-pygrub 'XENPV-GUEST-UP' 180) || fail "the domU did not reach init"
case "$up" in *job=pygrub*) ;; *) fail "the domU did not get grub.cfg's command line: $up" ;; esac
$XL destroy t-pygrub || fail "xl destroy failed"
release_images $img || fail "xl destroy left dom0's loop device on $img"
rm -rf $dir $img
pass "booted through pygrub with grub.cfg's kernel, initrd and command line"
