# The dom0 side of the hostile-backend tests (domu-hostile-*): a guest
# whose console says what its frontends made of dom0's
# xenpv-hostile-backend, and the pieces of judging it.  Sourced by a
# test after lib.sh; the test sets, before calling these:
#   HB_DOM   the guest's name        HB_CFG   its xl config
#   HB_IMG   xvdb's image file, dom0's, through which ask() talks to the
#            guest (rc.job's hblk requests loop), or empty

HB_BAD='BUG:|WARNING:|Oops|soft lockup|rcu.*(stall|detected)|Call Trace|Kernel panic|traps: |segfault at'
# A kernel line of the guest's console: xenconsoled's stamp, then the
# kernel's own.
HB_KLINE='\] \[ *[0-9]+\.[0-9]+\]'

# hb_lines: the guest console, CRs off.
hb_lines() { tr -d '\r' < "$(conlog "$HB_DOM")"; }
# hb_since LINE: the console from line LINE on.
hb_since() { hb_lines | tail -n +"$1"; }
# The last heartbeat: a kernel message may land in the middle of a
# tick's line, take the number only.
hb_tick() { hb_lines | grep -aoE 'XENPV-HB tick=[0-9]+' | tail -n 1 | sed 's/.*tick=//'; }

# hb_known KNOWN KIND SCENARIO: the issue 12 finding a KNOWN table
# ("kind scenario finding" lines) gives the scenario on kernel KIND.
hb_known() {
	echo "$1" | awk -v k="$2" -v s="$3" '$1 == k && $2 == s { print $3 }'
}

# hb_boot: (re)boot the guest from $HB_CFG (or $1); sets domid, kernel
# and kind (xenpv = ours, anchor = upstream's frontends).
hb_nboot=0
hb_boot() {
	hb_nboot=$((hb_nboot + 1))
	if [ $hb_nboot -gt 1 ]; then
		$XL destroy "$HB_DOM" >/dev/null 2>&1
		sleep 2
		console_aside "$HB_DOM"
	fi
	# No request of a former guest waits in xvdb's sector 0.
	[ -z "$HB_IMG" ] || dd if=/dev/zero of="$HB_IMG" bs=512 count=1 conv=notrunc 2>/dev/null
	create "${1:-$HB_CFG}"
	wait_for "$HB_DOM" 'XENPV-HB tick=3([^0-9]|$)' 240 >/dev/null ||
		fail "the domU did not start ticking (boot $hb_nboot)"
	domid=$($XL domid "$HB_DOM")
	kernel=$(hb_lines | grep -a 'XENPV-GUEST-UP' | sed -n 's/.*kernel=\([^ ]*\).*/\1/p' | tail -n 1)
	case "$kernel" in
	*-anchor*) kind=anchor ;;
	*) kind=xenpv ;;
	esac
	say "domU up (boot $hb_nboot, domain $domid, kernel $kernel)"
}

# hb_ask REQUEST [SECONDS]: put "HBCMD <n> REQUEST" in sector 0 of
# xvdb's image, which the guest reads past its cache every half second;
# its answer ("XENPV-HBLK-ACK <n> ...") goes in $answer; false after
# SECONDS (60).  Not in a subshell: the number must grow.  Dom0's /tmp
# is a tmpfs: its loop device reads the file's pages, so what we write
# here is what the guest reads next.
hb_cmdno=0
hb_ask() {
	hb_cmdno=$((hb_cmdno + 1))
	{
		printf 'HBCMD %s %s\n' $hb_cmdno "$1"
		head -c 512 /dev/zero
	} | head -c 512 > /tmp/hb-cmd
	dd if=/tmp/hb-cmd of="$HB_IMG" bs=512 count=1 conv=notrunc 2>/dev/null
	answer=$(wait_for "$HB_DOM" "XENPV-HBLK-ACK $hb_cmdno " "${2:-60}")
}

# hb_counter NAME ANSWER: NAME=<number> of an answer to "count".
hb_counter() { echo "$2" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }

# hb_shake: a few packets through the guest's eth0 (10.0.0.2 in the
# jobs that configure it), and a second for them to settle.  The grants
# of eth0's last packets are given back when the next event comes: an
# idle eth0 keeps its count one or two above where it was, or below, as
# its last exchange happened to end (2632 before store-state, 2633 for
# 20 s after, on an idle eth0).
hb_shake() {
	ping -c 2 -W 2 10.0.0.2 >/dev/null 2>&1
	sleep 1
}

# hb_counts_before: the counts to compare with after a scenario, in
# $answer: the higher of two answers, eth0 shaken before each.
hb_counts_before() {
	hb_shake
	hb_ask count || return 1
	_a=$answer
	hb_shake
	hb_ask count || return 1
	_g=$( (hb_counter grants "$_a"; hb_counter grants "$answer") | sort -n | tail -n 1)
	_e=$( (hb_counter evtchns "$_a"; hb_counter evtchns "$answer") | sort -n | tail -n 1)
	[ -z "$_g" ] || [ -z "$_e" ] ||
		answer="xvdb=ok grants=$_g evtchns=$_e $(echo "$answer" | grep -o '\[in use [^]]*\]')"
	return 0
}

# hb_count_xvdb: the guest's counts in $answer, asked through xvdb
# with eth0 shaken first (unless HB_SHAKE=0); false (and $why says so)
# without an answer.
hb_count_xvdb() {
	[ "${HB_SHAKE:-1}" = 0 ] || hb_shake
	if ! hb_ask count; then
		why="$why the guest did not answer through xvdb;"
		return 1
	fi
	case "$answer" in
	*xvdb=ok*) ;;
	*) why="$why xvdb failed in the guest;" ;;
	esac
}

# hb_compare_counts BEFORE [FETCH]: get the counts with FETCH (a
# function that puts them in $answer; hb_count_xvdb unless given) until
# they are back to BEFORE's, with no device of the tool's there; a grant
# the backend still mapped at the end is freed by the guest a little
# later, so 20 s are given.  A leak's reason carries what the guest said
# its references hold (the brackets of its counters line), before and
# after.  Adds to $why or $notes.
hb_compare_counts() {
	_k=0
	while :; do
		${2:-hb_count_xvdb} || return
		_g0=$(hb_counter grants "$1") _e0=$(hb_counter evtchns "$1")
		_g1=$(hb_counter grants "$answer") _e1=$(hb_counter evtchns "$answer")
		if [ -z "$_g0" ] || [ -z "$_g1" ] || [ -z "$_e0" ] || [ -z "$_e1" ]; then
			notes="$notes counters: n/a, not judged;"
			return
		fi
		if [ "$_g1" -le "$_g0" ] && [ "$_e1" -le "$_e0" ]; then
			notes="$notes grants $_g0 -> $_g1, event channels $_e0 -> $_e1;"
			return
		fi
		_k=$((_k + 1))
		if [ $_k -gt 4 ]; then
			why="$why leak: grants $_g0 -> $_g1, event channels $_e0 -> $_e1 (before $(echo "$1" | grep -o '\[in use [^]]*\]'), after $(echo "$answer" | grep -o '\[in use [^]]*\]'));"
			return
		fi
		sleep 3
	done
}

# hb_verdict SCENARIO FINDING TOOK: say what became of the scenario,
# from $why (empty: it passed) and $notes, on kernel $kind; FINDING is
# its KNOWN entry or empty.  Adds it to pass_list, fixed_list (known,
# but passed), known_list or bad_list.
hb_verdict() {
	if [ -z "$why" ]; then
		if [ -n "$2" ]; then
			say "scenario $1 on $kind: PASS ($3;$notes), but listed as known failure ($2)"
			fixed_list="$fixed_list $1($2)"
		else
			say "scenario $1 on $kind: PASS ($3;$notes)"
			pass_list="$pass_list $1"
		fi
	elif [ -n "$2" ]; then
		say "scenario $1 on $kind: KNOWN-FAIL ($2):$why ($3;$notes)"
		known_list="$known_list $1($2:$why)"
	else
		say "scenario $1 on $kind: FAIL:$why ($3;$notes)"
		bad_list="$bad_list $1($why)"
	fi
}

# hb_gone START SEEN GONE WHAT: wait up to 60 s until the guest's last
# SEEN/GONE line since console line START is a GONE one (the device the
# tool added is gone from the guest).  Adds to $why.
hb_gone() {
	_end=$(($(date +%s) + 60))
	while :; do
		_last=$(hb_since "$1" | grep -aoE "$2|$3" | tail -n 1)
		case "$_last" in
		"" | $3*) return 0 ;;
		esac
		[ "$(date +%s)" -lt $_end ] || break
		sleep 1
	done
	why="$why $4 still in the guest 60 s after the tool;"
}

# hb_alive N: the heartbeat goes on for N more ticks (90 s at most).
hb_alive() {
	_t1=$(($(hb_tick) + $1))
	wait_for "$HB_DOM" "XENPV-HB tick=$_t1([^0-9]|\$)" 90 >/dev/null && return 0
	why="$why heartbeat stopped at tick $(hb_tick) (wanted $_t1; domain state '$(dom_state "$HB_DOM")');"
	return 1
}
