# domu-net: a domU on the xenbr0 bridge pings dom0 and dom0 pings it.
cfg=$(domu_cfg t-net net "vif=['bridge=xenbr0']")
create "$cfg"
line=$(wait_for t-net 'XENPV-NET-(PING|FAIL)' 180) || fail "the domU did not report"
case "$line" in *"PING ok"*) ;; *) fail "domU to dom0: ${line#*XENPV-NET-}" ;; esac
ping -c 3 -W 5 10.0.0.2 >/dev/null || fail "dom0 cannot ping the domU"
pass "ping domU -> dom0 and dom0 -> domU over xenbr0"
