#!/bin/sh
# run-test.sh TEST: run one test's dom0 side, then clean up after it.
. /xenpv/dom0/lib.sh
t=$1
if [ ! -f /xenpv/dom0/tests/$t.sh ]; then
	result FAIL "no such test"
	exit 1
fi
(. /xenpv/dom0/tests/$t.sh)
rc=$?
cleanup_domus
exit $rc
