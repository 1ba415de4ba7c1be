# domu-vcpu-set: xl vcpu-set brings a second vCPU online in the domU and
# takes it away again.
cfg=$(VCPUS=1 domu_cfg t-vcpu state "maxvcpus=2")
create "$cfg"
first=$(wait_for t-vcpu 'XENPV-STATE .* n=2 ' 180) || fail "the domU did not come up"
case "$first" in *" online=0 "*) ;; *) fail "expected only vCPU 0 at boot: $first" ;; esac
$XL vcpu-set t-vcpu 2 || fail "xl vcpu-set 2 failed"
wait_for t-vcpu 'XENPV-STATE .* online=0-1 ' 60 >/dev/null ||
	fail "the second vCPU did not come online"
n=$(wait_for t-vcpu XENPV-STATE 5 | sed -n 's/.* n=\([0-9]*\).*/\1/p')
$XL vcpu-set t-vcpu 1 || fail "xl vcpu-set 1 failed"
# Offlining takes the guest a few of its seconds under TCG: wait for a
# report after the vcpu-set that shows vCPU 0 alone.
end=$(($(date +%s) + 60))
until line=$(wait_for t-vcpu "XENPV-STATE .* online=0 " 1) &&
	[ "$(echo "$line" | sed -n 's/.* n=\([0-9]*\).*/\1/p')" -gt "$n" ]; do
	[ "$(date +%s)" -lt $end ] || fail "the second vCPU did not go offline"
	sleep 1
done
pass "vCPUs online: 0 -> 0-1 -> 0"
