# SPDX-License-Identifier: GPL-2.0
# Shared by bench/progcost.sh, dropcost.sh and readcost.sh (sourced): a scratch
# namespace and directory removed at exit, and stopping a tracer.

# bench_stop PID: SIGINT, up to 20 s to exit, then SIGKILL
bench_stop()
{
	[ -n "$1" ] || return 0
	kill -INT "$1" 2>/dev/null
	timeout 20 tail --pid="$1" -f /dev/null
	kill -KILL "$1" 2>/dev/null
}

# At exit: the script's own bench_stop_own (what it started), then the
# namespace and the directory.
bench_cleanup()
{
	trap - EXIT INT TERM
	declare -F bench_stop_own >/dev/null && bench_stop_own
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}

# bench_scratch PREFIX: NS (PREFIX<pid>, its loopback up) and TMP.
bench_scratch()
{
	NS=$1$$
	TMP=$(mktemp -d "/tmp/$1.XXXXXX") || exit 2
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS" || exit 1
	ip -n "$NS" link set lo up
}
