# domu-migrate: migrate a running domU three times while it writes numbered
# records to xvdb.  After each migration the domain must run on in the same
# boot, its counter and the writer going on, and answer dom0's ping on its
# network interface; after xl shutdown every record written must be in the
# image, in order, intact.
#
# Live migration ("xl migrate", here with -s '' so the receiver runs on this
# host instead of over ssh) needs log-dirty mode for the domain, which for
# a PV guest is shadow paging.  Debian's Xen 4.17 is built without it
# (CONFIG_SHADOW_PAGING unset, "xl info" virt_caps without "shadow"), and
# xl migrate then fails with "Failed to enable logdirty: 95".  On such a
# Xen the test migrates without the live pre-copy, through a file: xl save
# (suspend, stream the memory, destroy) and xl restore (a new domain
# resumes).  The guest cannot tell the two apart: either way it suspends,
# wakes up in a new domain and must reconnect its devices with the I/O it
# had in flight.
#
# A PVH domU (TYPE=pvh, domu-pvh-live-migrate) runs on hardware-assisted
# paging, whose log-dirty mode is HAP's own and needs no shadow paging: it
# always migrates live, pre-copy rounds while it runs.  Across each live
# migration dom0 pings it every 0.2 s; the longest time without an answer
# is the downtime dom0 saw, printed, and the ping must be answered again
# after the move.
img=/tmp/t-mig.img
dd if=/dev/zero of=$img bs=1M count=0 seek=64 2>/dev/null || fail "cannot create $img"
cfg=$(domu_cfg t-mig writer "disk=['format=raw, vdev=xvdb, access=rw, target=$img']" \
	"vif=['bridge=xenbr0']")
create "$cfg"

# xenconsoled names a console log after the domain's name when it first
# sees the domain: after a migration here that is "t-mig--incoming".
out() { cat "$(conlog t-mig)" "$(conlog t-mig--incoming)" 2>/dev/null | tr -d '\r'; }
# The highest value of KEY= on lines matching REGEX, 0 if none.
highest() {
	out | grep -aE "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | sort -n | tail -n 1 | grep . || echo 0
}
# progress SECONDS N SEQ: wait until the counter is past N and the writer
# past SEQ in this boot.
progress() {
	_end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt $_end ]; do
		[ "$(highest "XENPV-STATE boot=$boot " n)" -gt "$2" ] &&
			[ "$(highest XENPV-WRITER seq)" -gt "$3" ] && return 0
		case "$(dom_state t-mig)" in *c*) say "t-mig crashed"; return 1 ;; esac
		sleep 0.5
	done
	return 1
}
nostop() {
	line=$(out | grep -aE 'XENPV-WRITER-(FAIL|FULL|STOPPED)' | head -n 1)
	[ -z "$line" ] || fail "$1: ${line#*XENPV-}"
}

line=$(wait_for t-mig 'XENPV-WRITER(-FAIL)? ' 180) || fail "the writer did not start"
case "$line" in *WRITER-FAIL*) fail "in the domU: ${line#*XENPV-}" ;; esac
line=$(wait_for t-mig 'XENPV-STATE boot=' 5) || fail "no state line"
boot=$(echo "$line" | sed -n 's/.*boot=\([^ ]*\).*/\1/p')
first=$(highest XENPV-WRITER seq)

# pings WHEN: dom0 reaches the domU over xenbr0 within 30 s.  After a
# restore the new backend's vif joins the bridge a moment after the
# domain resumes.
pings() {
	_end=$(($(date +%s) + 30))
	until ping -c 1 -W 2 10.0.0.2 >/dev/null 2>&1; do
		[ "$(date +%s)" -lt $_end ] || fail "$1: dom0 cannot ping the domU"
	done
}
pings "before migrating"

caps=$($XL info | sed -n 's/^virt_caps *: *//p')
case "${TYPE:-pv} $caps " in
pvh\ *) how=live ;;
*" shadow "*) how=live ;;
*) how=save+restore ;;
esac
say "virt_caps: $caps; migrating by $how"

# migrate R: one migration; xl's output goes to the console.
migrate() {
	if [ $how = live ]; then
		timeout 300 $XL migrate -s "" t-mig "xl migrate-receive" > /tmp/t-mig.$1.log 2>&1
	else
		timeout 300 $XL save t-mig /tmp/t-mig.save > /tmp/t-mig.$1.log 2>&1 &&
		if [ -n "$(dom_state t-mig)" ]; then
			echo "the domain still runs after xl save" >> /tmp/t-mig.$1.log
			false
		fi &&
		timeout 120 $XL restore /tmp/t-mig.save >> /tmp/t-mig.$1.log 2>&1
	fi
	_rc=$?
	rm -f /tmp/t-mig.save
	sed "s/^/[migration $1] /" /tmp/t-mig.$1.log
	return $_rc
}

# pinger_start R: dom0 pings the domU every 0.2 s from now on; each line
# of ping's goes to /tmp/t-mig.ping.R stamped with dom0's uptime.
pinger_start() {
	rm -f /tmp/t-mig.fifo
	mkfifo /tmp/t-mig.fifo
	while read -r _l; do
		read -r _up _ < /proc/uptime
		echo "$_up $_l"
	done < /tmp/t-mig.fifo > /tmp/t-mig.ping.$1 &
	ping -i 0.2 10.0.0.2 > /tmp/t-mig.fifo 2>&1 &
	pinger=$!
	# A failing check exits: no ping of ours may outlive the test.
	trap pinger_stop EXIT
}
pinger_stop() {
	[ -n "$pinger" ] || return 0
	kill $pinger 2>/dev/null
	wait
	pinger=
	rm -f /tmp/t-mig.fifo
}
# downtime R START END: the longest time between two answers of migration
# R's ping (0.2 s when none was lost), in seconds, and how many answers
# came while xl migrate ran (dom0's uptime from START to END): a live
# migration's guest answers through the pre-copy rounds.  Fails when no
# answer came after END.
downtime() {
	awk -v start="$2" -v end="$3" '/ seq=/ {
			if (n++ && $1 - last > gap)
				gap = $1 - last
			last = $1
			if ($1 > start && $1 < end)
				during++
			if ($1 > end)
				after++
		}
		END {
			if (!after)
				exit 1
			printf "%.1f %d\n", gap, during
		}' /tmp/t-mig.ping.$1
}

for r in 1 2 3; do
	n=$(highest "XENPV-STATE boot=$boot " n)
	seq=$(highest XENPV-WRITER seq)
	[ $how = save+restore ] || pinger_start $r
	t0=$(date +%s)
	read -r up0 _ < /proc/uptime
	migrate $r || fail "migration $r ($how) failed: $(grep -aiE 'error|fail|invalid|cannot|unable|still runs' /tmp/t-mig.$r.log | head -n 2 | tr '\n' ' ')"
	t1=$(date +%s)
	read -r up1 _ < /proc/uptime
	[ -n "$(dom_state t-mig)" ] || fail "migration $r: no domain t-mig afterwards"
	$XL list | grep -qE 'incoming|migratedaway' &&
		fail "migration $r: a half-migrated domain is left: $($XL list | grep -E 'incoming|migratedaway' | tr '\n' ' ')"
	progress 120 $((n + 3)) $((seq + 16)) ||
		fail "migration $r: no progress afterwards (last: $(out | grep -a XENPV-STATE | tail -n 1 | sed 's/.*XENPV-//'), writer seq=$(highest XENPV-WRITER seq))"
	other=$(out | grep -a 'XENPV-STATE boot=' | grep -v "boot=$boot " | tail -n 1)
	[ -z "$other" ] || fail "migration $r: the domU rebooted: ${other#*XENPV-}"
	nostop "migration $r"
	pings "migration $r"
	dt=
	if [ $how = live ]; then
		pinger_stop
		sed "s/^/[ping $r] /" /tmp/t-mig.ping.$r
		dt=$(downtime $r "$up0" "$up1") ||
			fail "migration $r: the ping running across it had no answer after it"
		dts="$dts${dts:+, }${dt% *} s"
		dt="; downtime ${dt% *} s (the longest time without an answer to dom0's ping, which the guest answered ${dt#* } times while xl migrate ran)"
	fi
	say "migration $r ($how) took $((t1 - t0)) s$dt; writer at seq $seq before, $(highest XENPV-WRITER seq) now"
done
last=$(highest XENPV-WRITER seq)

shutdown_gone t-mig
line=$(out | grep -a 'XENPV-WRITER-STOPPED records=' | tail -n 1)
[ -n "$line" ] || fail "the writer did not report stopping at shutdown"
out | grep -aq 'XENPV-WRITER-FULL' && fail "the disk filled up; the writer stopped early"
N=${line##*records=}
[ "$N" -ge "$last" ] && [ "$last" -gt "$first" ] ||
	fail "the writer stopped at $N records, but reported $last after the migrations"

# Every record 0..N-1 exactly as written, nothing after them.
bsum=$((0x${boot%%-*}))
bad=$(head -c $((N * 512)) $img | awk -v boot="$boot" -v bsum="$bsum" -v n="$N" '
	BEGIN { pad = ""; while (length(pad) < 414) pad = pad "." }
	{
		seq = NR - 1
		s = sprintf("%010d", seq)
		if (length($0) != 511 || NF != 6 || $1 != "XENPV-REC" ||
		    $2 != "seq=" s || $3 != "boot=" boot || $5 != pad ||
		    $6 != "end=" s ||
		    $4 != sprintf("sum=%010.0f", (seq * 2654435761 + bsum) % 4294967296)) {
			nbad++
			if (!first)
				first = "record " seq ": " substr($0, 1, 80)
		}
	}
	END {
		if (NR != n || nbad)
			print nbad + 0 " bad of " NR " records (want " n ")" \
				(first ? ", the first: " first : "")
	}')
[ -z "$bad" ] || fail "image: $bad"
tail=$(dd if=$img bs=512 skip=$N count=64 2>/dev/null | tr -d '\0' | wc -c)
[ "$tail" = 0 ] || fail "image: $tail bytes of data after record $N"
rm -f $img /tmp/t-mig.*.log /tmp/t-mig.ping.*
pass "3 migrations ($how${dts:+, downtimes $dts}), same boot, pinged after each; $N records written (from $first before the first migration to $last after the last), all intact and in order"
