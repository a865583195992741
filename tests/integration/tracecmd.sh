#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# trace-cmd recordings as input: Debian's trace-cmd runs the command
# `nettrace --trace-cmd` prints, while the namespace lab causes drops and a
# live tracefs run watches; `nettrace --input trace.dat` must print the same
# drops (reason and location, in order) and, in --diag, the analysis.
. "$(dirname "$0")/lib.sh"
nt_suite_init

NAMES="tracecmd/drop-lines-like-live tracecmd/diag-like-live tracecmd/bad-input"
if nt_missing cmd:trace-cmd; then
	skip_all "$NT_MISSING" $NAMES
	exit 0
fi
if "$NT_BIN" --input /nonexistent --drop 2>&1 | grep -q 'built without libtracecmd'; then
	skip_all "this nettrace was built without libtracecmd (a static build)" $NAMES
	exit 0
fi
# trace-cmd records in the top-level instance: what it changes there is put
# back at exit, also when it fails half way
TOP_ON=$(cat "$NT_TRACEFS/tracing_on" 2>/dev/null)
trap 'echo "${TOP_ON:-1}" > "$NT_TRACEFS/tracing_on" 2>/dev/null; nt_cleanup' EXIT
# Can trace-cmd record here at all?  It turns on the function tracer's
# switch, which some kernels refuse (no function tracer, or a locked sysctl).
timeout 10 trace-cmd record -C mono -e skb:kfree_skb -o "$NT_TMP/probe.dat" true \
	> "$NT_TMP/probe.out" 2>&1
if grep -q "Can't enable ftrace\|Operation not permitted" "$NT_TMP/probe.out"; then
	skip_all "trace-cmd cannot record on this kernel: $(grep -m1 -A1 'trace-cmd:' "$NT_TMP/probe.out" | tr '\n' ' ')" \
		tracecmd/drop-lines-like-live tracecmd/diag-like-live
	NAMES=tracecmd/bad-input
fi
if ! nt_netns_pair; then
	fail tracecmd/setup "cannot create the namespaces"
	exit 1
fi
ip netns exec "$NT_B" iptables -w -A INPUT -p udp --dport 7777 -j DROP

# tc_record DAT ARGS...: trace-cmd record, as nettrace --trace-cmd ARGS says,
# into DAT, in the background (TC_PID); waits until it records.
tc_record()
{
	local dat=$1 cmd i
	shift
	cmd=$("$NT_BIN" --trace-cmd "$@" 2>/dev/null | head -n 1)
	case $cmd in "trace-cmd record "*) ;; *) detail "no trace-cmd command: $cmd"; return 1 ;; esac
	cmd=${cmd% -o trace.dat}
	# the words as the shell would split them (the filter is quoted); trace-cmd
	# itself in the background (env execs it), so SIGINT reaches it
	eval "set -- $cmd"
	env --default-signal=INT "$@" -o "$dat" > "$NT_TMP/tc.out" 2>&1 &
	TC_PID=$!
	NT_BG_PIDS+=("$TC_PID")
	# recording has begun when its per-CPU files appear, skb:kfree_skb is
	# enabled in the top-level instance and tracing is on there (trace-cmd
	# turns it off, enables the events, starts its recorders, then turns it
	# on; its "Hit Ctrl^C" line sits in a stdio buffer until it exits; with
	# many events a slow guest takes seconds between these steps: a
	# recording of no events when the drops came before the last)
	for (( i = 0; i < 600; i++ )); do
		ls "$dat".cpu* >/dev/null 2>&1 &&
			grep -q 1 "$NT_TRACEFS/events/skb/kfree_skb/enable" 2>/dev/null &&
			grep -qx 1 "$NT_TRACEFS/tracing_on" 2>/dev/null &&
			{ sleep 0.5; return 0; }
		nt_alive "$TC_PID" || break
		sleep 0.1
	done
	detail "trace-cmd did not start recording: $(head -c 300 "$NT_TMP/tc.out")"
	return 1
}

# trace-cmd writes its trace.dat after SIGINT: with a diag recording's
# events an emulated guest takes a while, and a killed one leaves no events
tc_stop()
{
	kill -INT "$TC_PID" 2>/dev/null
	if ! nt_wait_gone "$TC_PID" 60; then
		detail "trace-cmd had not written its file 60 s after SIGINT: killed"
		kill -KILL "$TC_PID" 2>/dev/null
	fi
	wait "$TC_PID" 2>/dev/null
}

# True when trace-cmd says it recorded no bytes on any CPU.  In the 1-CPU
# emulated 6.1 guest, about one run in three, a recording made after every
# sign of trace-cmd being ready above holds nothing, while a live run of
# the same scenario sees its drops: a recording, not --input, to redo.
tc_empty()
{
	grep -q 'data recorded at' "$NT_TMP/tc.out" &&
		! grep -A1 'data recorded at' "$NT_TMP/tc.out" | grep 'bytes in size' |
			grep -qv '^ *0 bytes in size'
}

tc_again()
{
	echo "# $name: trace-cmd recorded nothing; recording the scenario once more"
}

# what trace-cmd said and wrote, for a failure
tc_details()
{
	detail "recording: $(ls -l "$1" 2>&1)"
	detail_file trace-cmd "$NT_TMP/tc.out"
}

# the scenario's drops: 3 datagrams nft drops, 2 SYNs to a closed port
lab()
{
	local i
	for i in 1 2 3; do nt_udp_send "$NT_A" "$NT_B4" 7777; done
	nt_tcp_syn "$NT_A" "$NT_B4" 9
	nt_tcp_syn "$NT_A" "$NT_B4" 9
	sleep 0.5
}

# drop_round: the live run and the recording of one scenario
drop_round()
{
	nt_start --drop -p ip --backend=tracefs && tc_record "$NT_TMP/drop.dat" --drop -p ip ||
		return 1
	lab
	tc_stop
	nt_stop && ! tc_empty
}

name=tracecmd/drop-lines-like-live
ok=1
if [ "$NAMES" = tracecmd/bad-input ]; then
	:	# skipped above
elif drop_round || { tc_empty && tc_again && drop_round; }; then
	"$NT_BIN" --drop -p ip --input "$NT_TMP/drop.dat" > "$NT_TMP/input.out" 2> "$NT_TMP/input.err"
	rc=$?
	[ "$rc" = 0 ] || { detail "--input exit status $rc: $(head -c 300 "$NT_TMP/input.err")"; ok=0; }
	# the scenario's drops, each as reason and location, in order (the
	# host's own drops may differ at the edges of the two windows).  Not the
	# whole lines: two instances stamp one event a few microseconds apart,
	# and the live run may also have the drop-function kprobe's headers,
	# which a recording of tracepoints does not.
	re='NETFILTER_DROP, nft_do_chain|NO_SOCKET, tcp_v4_rcv'
	grep -Eo "reason: ($re)[^ ]*" "$NT_OUT" > "$NT_TMP/live.lines"
	grep -Eo "reason: ($re)[^ ]*" "$NT_TMP/input.out" > "$NT_TMP/input.lines"
	n=$(grep -c 'NETFILTER_DROP' "$NT_TMP/live.lines")
	[ "$n" -ge 3 ] || { detail "the live run saw $n NETFILTER_DROP drops, want 3"; ok=0; }
	if ! diff -u "$NT_TMP/live.lines" "$NT_TMP/input.lines" > "$NT_TMP/diff"; then
		detail "--input's drop lines differ from the live run's:"
		detail_file diff "$NT_TMP/diff"
		tc_details "$NT_TMP/drop.dat"
		ok=0
	fi
else
	ok=0
	detail_run
	tc_empty && tc_details "$NT_TMP/drop.dat"
fi
if [ "$NAMES" != tracecmd/bad-input ]; then
	[ $ok = 1 ] && pass "$name" || fail "$name" "--input does not print the live run's drops"
fi

diag_round()
{
	tc_record "$NT_TMP/diag.dat" --diag --diag-keep -p ip || return 1
	lab
	tc_stop
	! tc_empty
}

name=tracecmd/diag-like-live
ok=1
if [ "$NAMES" = tracecmd/bad-input ]; then
	:	# skipped above
elif diag_round || { tc_empty && tc_again && diag_round; }; then
	"$NT_BIN" --diag --diag-keep -p ip --input "$NT_TMP/diag.dat" > "$NT_TMP/diag.out" \
		2> "$NT_TMP/diag.err"
	rc=$?
	[ "$rc" = 0 ] || { detail "--input exit status $rc: $(head -c 300 "$NT_TMP/diag.err")"; ok=0; }
	grep -q 'ANALYSIS RESULT' "$NT_TMP/diag.out" &&
		grep -qi 'dropped by netfilter\|netfilter' "$NT_TMP/diag.out" ||
		{ detail "no ANALYSIS RESULT naming netfilter"; detail_file out "$NT_TMP/diag.out"
		  tc_details "$NT_TMP/diag.dat"; ok=0; }
else
	ok=0
	tc_empty && tc_details "$NT_TMP/diag.dat"
fi
if [ "$NAMES" != tracecmd/bad-input ]; then
	[ $ok = 1 ] && pass "$name" || fail "$name" "--input --diag does not diagnose the recorded drops"
fi

name=tracecmd/bad-input
printf 'not a trace\n' > "$NT_TMP/bad.dat"
"$NT_BIN" --drop --input "$NT_TMP/bad.dat" > /dev/null 2> "$NT_TMP/bad.err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'cannot read .* as a trace-cmd recording' "$NT_TMP/bad.err"; then
	pass "$name"
else
	detail "exit status $rc: $(head -c 300 "$NT_TMP/bad.err")"
	fail "$name" "a file that is not a trace.dat is not refused clearly"
fi
exit 0
