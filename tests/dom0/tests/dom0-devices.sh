# dom0-devices: the user-space Xen devices behave as the xen-tools expect:
# /proc/xen's files, privcmd (hypercall, errnos, MMAPBATCH per-frame
# errors, restriction), evtchn (bind, notify, masked until written back,
# restriction, close unbinds), gntalloc and gntdev (dom0 grants pages to
# itself and maps them back, grant copy, unmap notify) and
# /dev/xen/xenbus (also: requests longer than the ring, written under a
# storm of signals, keep the stream in step).  xenpv-devtest prints one
# line per check.
out=$($XENPV/bin/xenpv-devtest 2>&1)
rc=$?
echo "$out" | sed 's/^/[devtest] /'
[ $rc = 0 ] || fail "$(echo "$out" | grep -c '^FAIL') checks failed: $(echo "$out" |
	grep '^FAIL' | head -n 3 | tr '\n' ' ')"
pass "$(echo "$out" | grep -c '^ok') checks passed"
