# domu-boot: xl create a PV domU with 2 vCPUs; its console shows init.
cfg=$(domu_cfg t-boot boot)
create "$cfg"
up=$(wait_for t-boot 'XENPV-GUEST-UP' 180) || fail "the domU did not reach init"
case "$up" in *" cpus=2 "*) ;; *) fail "the domU did not bring up 2 vCPUs: $up" ;; esac
pass "domU at init on 2 vCPUs, console seen"
