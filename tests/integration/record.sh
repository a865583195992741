#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --record / --replay: a replay with the live run's options prints what the
# live run printed, line for line (drop, lifecycle and diagnosis scenarios,
# both backends), also on a "machine" without tracefs, BPF or root; a replay
# with a narrower filter prints that part; bad files get a clear error.
. "$(dirname "$0")/lib.sh"
nt_suite_init

# same_output NAME LIVE_OUT REPLAY_OUT: records the diff for the next FAIL.
same_output()
{
	if diff -u "$2" "$3" > "$NT_TMP/diff" 2>&1; then
		return 0
	fi
	detail "replay differs from the live run:"
	detail_file "diff" "$NT_TMP/diff"
	return 1
}

# replay ARGS...: nettrace --replay in the foreground, stdout in $NT_TMP/replay.out
replay()
{
	"$NT_BIN" "$@" > "$NT_TMP/replay.out" 2> "$NT_TMP/replay.err"
	NT_RC=$?
}

# record_case NAME BACKEND "ARGS" TRAFFIC REGEX: a live run with --record,
# the traffic, then the replay with the same ARGS.
record_case()
{
	local name=$1 be=$2 args=$3 traffic=$4 re=$5 rec=$NT_TMP/$RANDOM.ntr ok=1
	nt_backend_need "$name" "$be" || return 1
	# shellcheck disable=SC2086
	if ! nt_start $args --backend="$be" --record "$rec"; then
		fail "$name" "the live run did not start"
		return 1
	fi
	send_until "$re" $traffic
	nt_stop || ok=0
	REC=$rec
	LIVE=$NT_OUT
	if ! grep -Eq -- "$re" "$NT_OUT"; then
		detail "the live run printed no line matching $re"
		detail_run
		fail "$name" "nothing recorded"
		return 1
	fi
	# shellcheck disable=SC2086
	replay $args --replay "$rec"
	[ "$NT_RC" = 0 ] || { detail "replay exit status $NT_RC: $(cat "$NT_TMP/replay.err")"; ok=0; }
	same_output "$name" "$NT_OUT" "$NT_TMP/replay.out" || ok=0
	[ $ok = 1 ] && pass "$name" || fail "$name" "the replay is not the live output"
	return 0
}

if ! nt_netns_pair; then
	fail record/setup "cannot create the namespaces"
	exit 1
fi
ip netns exec "$NT_B" iptables -w -A INPUT -p udp --dport 7777 -j DROP

# What each backend shows here: tracefs without kprobe events sees no
# headers (and refuses L4 filters).
if [ -e "$NT_TRACEFS/kprobe_events" ]; then
	TFS_UDP='UDP: .*:7777.*NETFILTER_DROP' TFS_L4=udp TFS_ICMP=icmp TFS_LIFE='ping reply'
else
	TFS_UDP='NETFILTER_DROP' TFS_L4=ip TFS_ICMP=ip TFS_LIFE='^\*{10}'
fi
for be in bpf tracefs; do
	udp='UDP: .*:7777.*NETFILTER_DROP' l4=udp icmp=icmp life='ping reply'
	[ "$be" = tracefs ] && udp=$TFS_UDP l4=$TFS_L4 icmp=$TFS_ICMP life=$TFS_LIFE
	record_case "record/$be/drop" "$be" "--drop -p ip" \
		"nt_udp_send $NT_A $NT_B4 7777" "$udp" && [ "$be" = bpf ] &&
		DROP_REC=$REC && DROP_LIVE=$LIVE
	record_case "record/$be/drop-json-date" "$be" "--drop -p ip --json --date" \
		"nt_udp_send $NT_A $NT_B4 7777" '"reason":"NETFILTER_DROP"'
	record_case "record/$be/lifecycle" "$be" "-p $icmp" \
		"nt_ping $NT_A $NT_B4 2" "$life"
	record_case "record/$be/diag" "$be" "--diag --diag-keep -p $l4" \
		"nt_udp_send $NT_A $NT_B4 7777" 'ANALYSIS RESULT'
done

# The bpf drop recording replayed where there is no tracefs and no bpf(2)
# (a private mount namespace with empty file systems over tracefs and
# debugfs; seccomp refuses bpf), as an unprivileged user.
name=record/replay-without-tracefs-bpf-root
if [ -z "${DROP_REC:-}" ]; then
	skip "$name" "no bpf drop recording (the bpf backend cannot run here)"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	skip "$name" "no setpriv that can drop root (util-linux)"
elif nt_need "$name" cmd:unshare helper:nobpf; then
	chmod 644 "$DROP_REC"
	chmod 755 "$NT_TMP"
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/tracing 2>/dev/null;
		mount -t tmpfs none /sys/kernel/debug 2>/dev/null;
		mount -t tmpfs none /sys/kernel/btf 2>/dev/null;
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh \
		"$NT_HELPERS/nobpf" "$NT_BIN" --drop -p ip --replay "$DROP_REC" \
		> "$NT_TMP/replay.out" 2> "$NT_TMP/replay.err"
	rc=$?
	ok=1
	[ "$rc" = 0 ] || { detail "exit status $rc: $(cat "$NT_TMP/replay.err")"; ok=0; }
	same_output "$name" "$DROP_LIVE" "$NT_TMP/replay.out" || ok=0
	[ $ok = 1 ] && pass "$name" || fail "$name" "the replay needs the host"
fi

# A narrower filter: the live run's matching lines only.
name=record/replay-narrower-filter
if [ -n "${DROP_REC:-}" ]; then
	replay --drop -p udp --replay "$DROP_REC"
	grep -E '^\[' "$DROP_LIVE" | grep 'UDP: ' > "$NT_TMP/want"
	grep -E '^\[' "$NT_TMP/replay.out" > "$NT_TMP/got"
	if [ "$NT_RC" = 0 ] && [ -s "$NT_TMP/want" ] && same_output "$name" "$NT_TMP/want" "$NT_TMP/got"; then
		pass "$name"
	else
		fail "$name" "the replay with -p udp is not the live run's UDP lines"
	fi
else
	skip "$name" "no bpf drop recording (the bpf backend cannot run here)"
fi

# Bad files: a one-line error, exit status 1, never a crash.
name=record/bad-files
if [ -n "${DROP_REC:-}" ]; then
	ok=1
	size=$(stat -c %s "$DROP_REC")
	head -c $(( size - 20 )) "$DROP_REC" > "$NT_TMP/trunc.ntr"
	printf 'hello, world\n' > "$NT_TMP/text.ntr"
	cp "$DROP_REC" "$NT_TMP/future.ntr"
	printf '\x09' | dd of="$NT_TMP/future.ntr" bs=1 seek=8 conv=notrunc 2>/dev/null
	cp "$DROP_REC" "$NT_TMP/corrupt.ntr"
	printf '\xff\xff\xff\x7f' | dd of="$NT_TMP/corrupt.ntr" bs=1 seek=20 conv=notrunc 2>/dev/null
	for f in trunc:truncated text:'not a nettrace recording' future:'recording format 9' \
		 corrupt:'corrupt recording' missing:'cannot open'; do
		replay --drop --replay "$NT_TMP/${f%%:*}.ntr"
		if [ "$NT_RC" != 1 ] || ! grep -q "${f#*:}" "$NT_TMP/replay.err"; then
			detail "${f%%:*}: exit status $NT_RC, stderr: $(head -c 300 "$NT_TMP/replay.err")"
			ok=0
		fi
	done
	[ $ok = 1 ] && pass "$name" || fail "$name" "a bad recording was not refused clearly"
else
	skip "$name" "no bpf drop recording (the bpf backend cannot run here)"
fi
exit 0
