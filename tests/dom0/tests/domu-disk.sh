# domu-disk: the domU writes a pattern to xvdb (a file-backed disk of
# dom0's); dom0 checks the file holds exactly what was meant to be written.
# With VBD_PROTOCOL set (as_pvh32), the frontend's "protocol" node, the
# ring layout dom0's backend reads its requests with, must say that.
img=/tmp/t-disk.img
dd if=/dev/zero of=$img bs=1M count=0 seek=64 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-disk disk "disk=['format=raw, vdev=xvdb, access=rw, target=$img']")
create "$cfg"
line=$(wait_for t-disk 'XENPV-DISK-(WRITTEN|FAIL)' 180) || fail "the domU did not report"
case "$line" in *XENPV-DISK-FAIL*) fail "the domU could not write: ${line#*XENPV-DISK-FAIL }" ;; esac
guest=${line##*sha256=}
proto=
if [ -n "${VBD_PROTOCOL:-}" ]; then
	proto=$(vbd_protocol t-disk)
	[ "$proto" = "$VBD_PROTOCOL" ] ||
		fail "the domU's vbd protocol is '$proto', expected $VBD_PROTOCOL"
fi
timeout 120 $XL shutdown -w t-disk >/dev/null 2>&1 || $XL destroy t-disk
# xl shutdown -w returns when the guest is down; xl's daemon then
# destroys the domain, and the block script lets go of the image.
release_images $img || fail "the domain's end left dom0's loop device on $img"
want=$(yes xenpv-disk-pattern | head -c 8388608 | sha256sum | cut -d' ' -f1)
have=$(head -c 8388608 $img | sha256sum | cut -d' ' -f1)
[ "$guest" = "$want" ] || fail "the domU read back $guest, expected $want"
[ "$have" = "$want" ] || fail "dom0 finds $have in the image, expected $want"
rm -f $img
pass "8 MiB written in the domU, sha256 verified in dom0${proto:+, vbd protocol $proto}"
