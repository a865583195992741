# SPDX-License-Identifier: GPL-2.0
# Helpers for the integration suites.  Source it from a suite:
#
#     . "$(dirname "$0")/lib.sh"
#
# Each test case prints exactly one of
#     PASS name
#     FAIL name: why        (followed by indented detail lines)
#     SKIP name: why        (why names the missing kernel feature or tool)
#
# Host safety: everything below creates its own network namespaces (names
# contain the pid of the suite), creates interfaces only inside them, sends
# traffic only between them, and changes sysctls only inside them.  The EXIT
# trap removes namespaces, stray tracefs instances it created and background
# processes, also when a test fails half way.

set -u

NT_ROOT=${NT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NT_BIN=${NT_BIN:-$NT_ROOT/build/nettrace}
NT_HELPERS=${NT_HELPERS:-$NT_ROOT/build/tests}
NT_SUITE=${NT_SUITE:-$(basename "$0" .sh)}
NT_TRACEFS=${NT_TRACEFS:-/sys/kernel/tracing}
NT_START_TIMEOUT=${NT_START_TIMEOUT:-10}	# seconds to wait for "begin trace"
NT_STOP_TIMEOUT=${NT_STOP_TIMEOUT:-5}		# seconds to wait for exit after a signal
NT_EVENT_TIMEOUT=${NT_EVENT_TIMEOUT:-5}		# seconds to wait for an expected line

NT_TMP=$(mktemp -d "/tmp/nt-$NT_SUITE.XXXXXX") || exit 1
NT_NETNS_LIST=()	# namespaces we created
NT_BG_PIDS=()		# background processes we started (traffic, sleepers)
NT_RUN_PIDS=()		# nettrace processes we started
NT_RMDIRS=()		# tracefs instances we created by hand
NT_SEQ=0		# numbering of nettrace runs (output file names)
NT_DETAILS=""		# detail lines printed under the next FAIL

# A per-run network number so that two suites running at the same time do
# not see each other's addresses: 10.<NT_NET>.x.y and fd00:<NT_NET>:x::y.
# 20..219 keeps the v6 group free of leading zeros (the kernel prints
# fd00:57:1::1, never fd00:057:1::1).
NT_NET=$(( $$ % 200 + 20 ))

# ---- result lines ---------------------------------------------------------

pass()
{
	echo "PASS $1"
	NT_DETAILS=""
}

# fail NAME WHY: prints the FAIL line, then the collected details, indented.
fail()
{
	echo "FAIL $1: $2"
	if [ -n "$NT_DETAILS" ]; then
		printf '%s\n' "$NT_DETAILS"
	fi
	NT_DETAILS=""
}

skip()
{
	echo "SKIP $1: $2"
	NT_DETAILS=""
}

# detail LINE...: remember a line to show under the next FAIL.
detail()
{
	local l
	for l in "$@"; do
		NT_DETAILS+="${NT_DETAILS:+$'\n'}    $l"
	done
}

# detail_file TITLE FILE: remember a file's content (bounded) for the next FAIL.
detail_file()
{
	local title=$1 file=$2 n
	if [ ! -s "$file" ]; then
		detail "$title: (empty)"
		return
	fi
	n=$(wc -l < "$file")
	detail "$title ($n lines, last 40 shown):"
	while IFS= read -r l; do
		detail "  | $l"
	done < <(tail -n 40 "$file")
}

# detail_run: stdout and stderr of the last nettrace run.
detail_run()
{
	detail_file "stdout of nettrace $NT_ARGS" "$NT_OUT"
	detail_file "stderr" "$NT_ERR"
}

# ---- regular expressions ---------------------------------------------------

# re_quote STRING: STRING as a literal inside an extended regex.
re_quote()
{
	printf '%s' "$1" | sed -e 's/[][\.*^$+?(){}|/]/\\&/g'
}

# ---- feature checks --------------------------------------------------------

# nt_missing FEATURE...: true (0) when a FEATURE is missing; NT_MISSING then
# says which, naming the kernel feature or tool.  Features:
#   root  tracefs  kprobes  btf  ipv6  bpftool  python3
#   cmd:PROG                 a program in PATH
#   event:GROUP/NAME         a tracepoint
#   reason:NAME              a drop reason in skb:kfree_skb's format
#   helper:NAME              build/tests/NAME
nt_missing()
{
	local f
	NT_MISSING=""
	for f in "$@"; do
		case $f in
		root)
			[ "$(id -u)" = 0 ] || NT_MISSING="needs root" ;;
		tracefs)
			nt_tracefs_mounted || NT_MISSING="tracefs not mounted at $NT_TRACEFS" ;;
		kprobes)
			[ -e "$NT_TRACEFS/kprobe_events" ] ||
				NT_MISSING="kprobe_events not available on this kernel" ;;
		btf)
			[ -r /sys/kernel/btf/vmlinux ] ||
				NT_MISSING="kernel BTF (/sys/kernel/btf/vmlinux) not available on this kernel" ;;
		ipv6)
			[ -d /proc/sys/net/ipv6 ] || NT_MISSING="IPv6 not available on this kernel" ;;
		bpftool|python3)
			command -v "$f" >/dev/null 2>&1 || NT_MISSING="$f not installed" ;;
		cmd:*)
			command -v "${f#cmd:}" >/dev/null 2>&1 || NT_MISSING="${f#cmd:} not installed" ;;
		event:*)
			[ -d "$NT_TRACEFS/events/${f#event:}" ] ||
				NT_MISSING="tracepoint ${f#event:} not available on this kernel" ;;
		reason:*)
			grep -q "\"${f#reason:}\"" "$NT_TRACEFS/events/skb/kfree_skb/format" 2>/dev/null ||
				NT_MISSING="drop reason ${f#reason:} not known to this kernel (skb:kfree_skb format)" ;;
		helper:*)
			[ -x "$NT_HELPERS/${f#helper:}" ] ||
				NT_MISSING="test helper build/tests/${f#helper:} not built (make test-build)" ;;
		*)
			NT_MISSING="unknown feature check '$f' (test bug)" ;;
		esac
		[ -n "$NT_MISSING" ] && return 0
	done
	return 1
}

# nt_need NAME FEATURE...: prints "SKIP NAME: <what is missing>" and returns
# 1 when a FEATURE is missing.
nt_need()
{
	local name=$1
	shift
	if nt_missing "$@"; then
		skip "$name" "$NT_MISSING"
		return 1
	fi
	return 0
}

# nt_backend_features BACKEND: the features BACKEND needs on this host.
nt_backend_features()
{
	case $1 in
	bpf)	echo "btf tracefs event:skb/kfree_skb" ;;
	tracefs) echo "tracefs event:skb/kfree_skb" ;;
	*)	echo "tracefs" ;;
	esac
}

# nt_backend_need NAME BACKEND: skip NAME when BACKEND cannot run here.
nt_backend_need()
{
	# shellcheck disable=SC2046
	nt_need "$1" $(nt_backend_features "$2")
}

# skip_all WHY NAME...: one SKIP line per NAME.
skip_all()
{
	local why=$1 n
	shift
	for n in "$@"; do
		skip "$n" "$why"
	done
}

# nt_pair_suite SUITE "NAME..." FEATURE...: the start of a suite whose tests
# NAME... run on the A <-> B pair: each is skipped with the reason when a
# FEATURE is missing (the suite ends there), the namespaces are created (or
# the suite fails); A4 and B4 are their IPv4 addresses as regexes.
nt_pair_suite()
{
	local suite=$1 names=$2
	shift 2
	if nt_missing "$@"; then
		# shellcheck disable=SC2086
		skip_all "$NT_MISSING" $names
		exit 0
	fi
	if ! nt_netns_pair; then
		echo "FAIL $suite/setup: cannot create the test namespaces"
		exit 1
	fi
	A4=$(re_quote "$NT_A4"); B4=$(re_quote "$NT_B4")
}

nt_tracefs_mounted()
{
	[ -d "$NT_TRACEFS/instances" ] && [ -e "$NT_TRACEFS/events/skb/kfree_skb/format" ]
}

# ---- suite start and cleanup ----------------------------------------------

# nt_suite_init: call once at the top of a suite, after sourcing.
nt_suite_init()
{
	trap nt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP $NT_SUITE: needs root"
		exit 0
	fi
	if [ ! -x "$NT_BIN" ]; then
		echo "FAIL $NT_SUITE: $NT_BIN not built (run make)"
		exit 1
	fi
	if ! nt_tracefs_mounted; then
		# Mounting tracefs where the kernel has it but nobody mounted it
		# is the one host change allowed (it changes no network state).
		if [ -d "$NT_TRACEFS" ] && grep -qw tracefs /proc/filesystems; then
			mount -t tracefs nodev "$NT_TRACEFS" 2>/dev/null
		fi
	fi
	NT_BPFFS_BEFORE=$(ls -A /sys/fs/bpf 2>/dev/null | sort | tr '\n' ' ')
}

nt_cleanup()
{
	local p n d
	trap - EXIT INT TERM
	for p in "${NT_RUN_PIDS[@]}"; do
		if nt_alive "$p"; then
			kill -INT "$p" 2>/dev/null
			nt_wait_gone "$p" 3 || kill -KILL "$p" 2>/dev/null
		fi
	done
	for p in "${NT_BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for n in "${NT_NETNS_LIST[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	for d in "${NT_RMDIRS[@]}"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	# Instances of nettrace runs killed above by SIGKILL.
	for p in "${NT_RUN_PIDS[@]}"; do
		d=$NT_TRACEFS/instances/nettrace_$p
		if [ -d "$d" ] && ! nt_alive "$p"; then
			rmdir "$d" 2>/dev/null
		fi
	done
	if [ -z "${NT_KEEP:-}" ]; then
		rm -rf "$NT_TMP"
	else
		echo "# kept $NT_TMP"
	fi
}

# nt_alive PID: true while PID runs (a zombie does not count).
nt_alive()
{
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# nt_wait_gone PID SECONDS: true when PID ended within SECONDS.
nt_wait_gone()
{
	local i n=$(( $2 * 10 ))
	for (( i = 0; i < n; i++ )); do
		nt_alive "$1" || return 0
		sleep 0.1
	done
	! nt_alive "$1"
}

# nt_bg CMD...: run CMD in the background, killed at cleanup.
nt_bg()
{
	"$@" </dev/null >/dev/null 2>&1 &
	NT_BG_PIDS+=($!)
}

# ---- namespaces ------------------------------------------------------------

# nt_netns_new VAR TAG: creates namespace nt<pid><TAG> with lo up and
# stores its name in VAR (no command substitution: the list of namespaces to
# remove at exit must be kept in this shell).
nt_netns_new()
{
	local n=nt$$$2
	ip netns add "$n" || return 1
	NT_NETNS_LIST+=("$n")
	ip -n "$n" link set lo up
	printf -v "$1" '%s' "$n"
}

# nt_netns_pair [VA VB]: two namespaces joined by a veth.
#   NT_A NT_B            namespace names
#   NT_A4 NT_B4          10.<net>.1.1 / 10.<net>.1.2
#   NT_A6 NT_B6          fd00:<net>:1::1 / fd00:<net>:1::2
#   NT_VA NT_VB          the veth ends (default va / vb; pass names unique
#                        to the suite, see nt_ifname, where the output is
#                        matched by interface name)
# The veth is created directly inside NT_A: nothing appears in the root ns.
nt_netns_pair()
{
	NT_VA=${1:-va}
	NT_VB=${2:-vb}
	nt_netns_new NT_A a || return 1
	nt_netns_new NT_B b || return 1
	NT_A4=10.$NT_NET.1.1
	NT_B4=10.$NT_NET.1.2
	NT_A6=fd00:$NT_NET:1::1
	NT_B6=fd00:$NT_NET:1::2
	ip -n "$NT_A" link add "$NT_VA" type veth peer name "$NT_VB" netns "$NT_B" || return 1
	ip -n "$NT_A" addr add "$NT_A4/24" dev "$NT_VA"
	ip -n "$NT_B" addr add "$NT_B4/24" dev "$NT_VB"
	ip -n "$NT_A" addr add "$NT_A6/64" dev "$NT_VA" nodad
	ip -n "$NT_B" addr add "$NT_B6/64" dev "$NT_VB" nodad
	ip -n "$NT_A" link set "$NT_VA" up
	ip -n "$NT_B" link set "$NT_VB" up
	# Resolve neighbours now, so the first traced packet is not held in
	# a neighbour queue.
	ip netns exec "$NT_A" ping -q -c 1 -W 2 "$NT_B4" >/dev/null 2>&1
	ip netns exec "$NT_A" ping -q -c 1 -W 2 "$NT_B6" >/dev/null 2>&1
	ip netns exec "$NT_B" ping -q -c 1 -W 2 "$NT_A4" >/dev/null 2>&1
	ip netns exec "$NT_B" ping -q -c 1 -W 2 "$NT_A6" >/dev/null 2>&1
	return 0
}

# nt_router [VC RC RS VS]: client - router - server, forwarding enabled in
# the router namespace only (its own per-namespace sysctls).
#   NT_C NT_R NT_S       namespace names
#   NT_C4 NT_S4          10.<net>.2.1 / 10.<net>.3.1   (router .254 on both)
#   NT_C6 NT_S6          fd00:<net>:2::1 / fd00:<net>:3::1
#   NT_NOROUTE4          10.<net>.99.1, a destination the router has no route for
#   NT_VC NT_RVC         the veth ends client - router (default vc / rc)
#   NT_RVS NT_VS         the veth ends router - server (default rs / vs); pass
#                        names unique to the suite (nt_ifname) where the
#                        output is matched by interface name
nt_router()
{
	NT_VC=${1:-vc}
	NT_RVC=${2:-rc}
	NT_RVS=${3:-rs}
	NT_VS=${4:-vs}
	nt_netns_new NT_C c || return 1
	nt_netns_new NT_R r || return 1
	nt_netns_new NT_S s || return 1
	NT_C4=10.$NT_NET.2.1
	NT_S4=10.$NT_NET.3.1
	NT_C6=fd00:$NT_NET:2::1
	NT_S6=fd00:$NT_NET:3::1
	NT_NOROUTE4=10.$NT_NET.99.1
	ip -n "$NT_C" link add "$NT_VC" type veth peer name "$NT_RVC" netns "$NT_R" || return 1
	ip -n "$NT_S" link add "$NT_VS" type veth peer name "$NT_RVS" netns "$NT_R" || return 1
	ip -n "$NT_C" addr add "$NT_C4/24" dev "$NT_VC"
	ip -n "$NT_C" addr add "$NT_C6/64" dev "$NT_VC" nodad
	ip -n "$NT_R" addr add "10.$NT_NET.2.254/24" dev "$NT_RVC"
	ip -n "$NT_R" addr add "fd00:$NT_NET:2::fe/64" dev "$NT_RVC" nodad
	ip -n "$NT_R" addr add "10.$NT_NET.3.254/24" dev "$NT_RVS"
	ip -n "$NT_R" addr add "fd00:$NT_NET:3::fe/64" dev "$NT_RVS" nodad
	ip -n "$NT_S" addr add "$NT_S4/24" dev "$NT_VS"
	ip -n "$NT_S" addr add "$NT_S6/64" dev "$NT_VS" nodad
	ip -n "$NT_C" link set "$NT_VC" up
	ip -n "$NT_R" link set "$NT_RVC" up
	ip -n "$NT_R" link set "$NT_RVS" up
	ip -n "$NT_S" link set "$NT_VS" up
	ip -n "$NT_C" route add default via "10.$NT_NET.2.254"
	ip -n "$NT_S" route add default via "10.$NT_NET.3.254"
	ip -n "$NT_C" -6 route add default via "fd00:$NT_NET:2::fe"
	ip -n "$NT_S" -6 route add default via "fd00:$NT_NET:3::fe"
	# Inside the router namespace only; the root namespace is not touched.
	ip netns exec "$NT_R" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec "$NT_R" sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null
	ip netns exec "$NT_C" ping -q -c 1 -W 2 "$NT_S4" >/dev/null 2>&1
	ip netns exec "$NT_C" ping -q -c 1 -W 2 "$NT_S6" >/dev/null 2>&1
	return 0
}

# ---- traffic (bounded in count and time) -----------------------------------

# nt_tcp_syn NS ADDR PORT: one connection attempt, at most 3 s.
nt_tcp_syn()
{
	ip netns exec "$1" timeout 3 nc -z -w 2 "$2" "$3" </dev/null >/dev/null 2>&1
	return 0
}

# nt_udp_send NS ADDR PORT: one datagram, at most 3 s.
nt_udp_send()
{
	echo nettrace-test | ip netns exec "$1" timeout 3 nc -u -w 1 "$2" "$3" >/dev/null 2>&1
	return 0
}

# nt_ping NS ADDR COUNT: COUNT echo requests, at most 5 s.
nt_ping()
{
	ip netns exec "$1" timeout 5 ping -q -n -c "$3" -i 0.2 -W 1 "$2" </dev/null >/dev/null 2>&1
	return 0
}

# ---- running nettrace -----------------------------------------------------

# nt_start ARGS...: start nettrace in the background and wait (bounded) for
# "begin trace...".  Sets NT_PID NT_OUT NT_ERR NT_ARGS.  Returns 1, with the
# reason and the output in the details, when it exits early or never begins.
# SIGINT is reset to default for the child (bash ignores it for background
# jobs), so nt_stop's SIGINT reaches nettrace's handler.
nt_start()
{
	local i n=$(( NT_START_TIMEOUT * 10 ))
	NT_SEQ=$(( NT_SEQ + 1 ))
	NT_OUT=$NT_TMP/run$NT_SEQ.out
	NT_ERR=$NT_TMP/run$NT_SEQ.err
	NT_ARGS="$*"
	NT_RC=
	NT_PROG_IDS=""
	if [ -n "${NT_OUT_FILTER:-}" ]; then
		# Only the lines matching NT_OUT_FILTER reach NT_OUT (heavy
		# output, e.g. a storm, is read at pipe speed and thrown away).
		env --default-signal=INT,QUIT "$NT_BIN" "$@" </dev/null 2>"$NT_ERR" \
			> >(grep -E --line-buffered -- "$NT_OUT_FILTER" >"$NT_OUT") &
	else
		env --default-signal=INT,QUIT "$NT_BIN" "$@" </dev/null >"$NT_OUT" 2>"$NT_ERR" &
	fi
	NT_PID=$!
	NT_RUN_PIDS+=("$NT_PID")
	for (( i = 0; i < n; i++ )); do
		if grep -Eq '^begin trace|"begin trace' "$NT_OUT" "$NT_ERR" 2>/dev/null; then
			nt_record_progs
			return 0
		fi
		if ! nt_alive "$NT_PID"; then
			wait "$NT_PID" 2>/dev/null
			NT_RC=$?
			detail "nettrace $NT_ARGS exited with status $NT_RC before 'begin trace...'"
			detail_run
			return 1
		fi
		sleep 0.1
	done
	detail "nettrace $NT_ARGS printed no 'begin trace...' within ${NT_START_TIMEOUT}s"
	kill -INT "$NT_PID" 2>/dev/null
	nt_wait_gone "$NT_PID" 2 || kill -KILL "$NT_PID" 2>/dev/null
	wait "$NT_PID" 2>/dev/null
	detail_run
	return 1
}

# nt_stop [SIGNAL]: send SIGNAL (default INT) to the last nettrace and wait
# for it (bounded).  Sets NT_RC.  On timeout it is killed with SIGKILL and
# nt_stop returns 1 with the reason in the details.
nt_stop()
{
	local sig=${1:-INT}
	kill "-$sig" "$NT_PID" 2>/dev/null
	if ! nt_wait_gone "$NT_PID" "$NT_STOP_TIMEOUT"; then
		kill -KILL "$NT_PID" 2>/dev/null
		wait "$NT_PID" 2>/dev/null
		NT_RC=$?
		detail "nettrace did not exit within ${NT_STOP_TIMEOUT}s of SIG$sig; killed with SIGKILL"
		detail_run
		return 1
	fi
	wait "$NT_PID" 2>/dev/null
	NT_RC=$?
	return 0
}

# nt_wait_exit SECONDS: wait for nettrace to exit on its own (e.g. -c N).
# Sets NT_RC.  Returns 1 (and kills it) when it is still running.
nt_wait_exit()
{
	if ! nt_wait_gone "$NT_PID" "$1"; then
		detail "nettrace $NT_ARGS still running after ${1}s"
		kill -INT "$NT_PID" 2>/dev/null
		nt_wait_gone "$NT_PID" 2 || kill -KILL "$NT_PID" 2>/dev/null
		wait "$NT_PID" 2>/dev/null
		NT_RC=$?
		return 1
	fi
	wait "$NT_PID" 2>/dev/null
	NT_RC=$?
	return 0
}

# nt_run_fg SECONDS ARGS...: run nettrace in the foreground, bounded.  For
# runs expected to fail at start.  Sets NT_PID NT_OUT NT_ERR NT_RC NT_ARGS.
nt_run_fg()
{
	local secs=$1
	shift
	NT_SEQ=$(( NT_SEQ + 1 ))
	NT_OUT=$NT_TMP/run$NT_SEQ.out
	NT_ERR=$NT_TMP/run$NT_SEQ.err
	NT_ARGS="$*"
	NT_PROG_IDS=""
	"$NT_BIN" "$@" </dev/null >"$NT_OUT" 2>"$NT_ERR" &
	NT_PID=$!
	NT_RUN_PIDS+=("$NT_PID")
	if ! nt_wait_gone "$NT_PID" "$secs"; then
		kill -KILL "$NT_PID" 2>/dev/null
		wait "$NT_PID" 2>/dev/null
		NT_RC=124
		return 1
	fi
	wait "$NT_PID" 2>/dev/null
	NT_RC=$?
	return 0
}

# ---- checking output ---------------------------------------------------------

# nt_has_reasons: skb:kfree_skb carries a drop reason (5.17+).  Before, a
# drop line ends with its location alone ("..., tcp_v4_rcv+0x62").
nt_has_reasons()
{
	grep -Eq 'field:[^;]* reason;' "$NT_TRACEFS/events/skb/kfree_skb/format" 2>/dev/null
}

# nt_drop_re REASON LOCATION-REGEX: how a drop line of that reason and
# location ends on this kernel.
nt_drop_re()
{
	if nt_has_reasons; then
		printf 'reason: %s, %s' "$1" "$2"
	else
		printf '%s' "$2"
	fi
}

# Any drop line (and not a --drop-stack frame line).
NT_DROP_LINE='reason: |, [a-z_][a-z_0-9.]*\+0x[0-9a-f]+( \*.*)?$'

# wait_line REGEX [SECONDS]: wait (bounded) until stdout of the running
# nettrace has a line matching REGEX.  Returns 1 on timeout (no details;
# follow with expect_line after nt_stop to get them).
wait_line()
{
	local i n=$(( ${2:-$NT_EVENT_TIMEOUT} * 10 ))
	for (( i = 0; i < n; i++ )); do
		grep -Eq -- "$1" "$NT_OUT" 2>/dev/null && return 0
		nt_alive "$NT_PID" || break
		sleep 0.1
	done
	grep -Eq -- "$1" "$NT_OUT" 2>/dev/null
}

# send_until REGEX CMD...: run CMD (one bounded burst of traffic), then wait
# up to 3 s for a line matching REGEX; up to 3 tries.  Under a flood of
# unrelated drops on a busy host one event may be lost (and counted as lost);
# a test is about what nettrace prints, not about one lucky packet.
send_until()
{
	local re=$1 i
	shift
	for i in 1 2 3; do
		"$@"
		wait_line "$re" 3 && return 0
		nt_alive "$NT_PID" || return 1
	done
	return 1
}

# expect_line REGEX [FILE]: true when a line of FILE (default: nettrace's
# stdout) matches REGEX; otherwise records the regex and the output.
expect_line()
{
	local file=${2:-$NT_OUT}
	grep -Eq -- "$1" "$file" 2>/dev/null && return 0
	detail "expected a line matching: $1"
	if [ "$file" = "$NT_OUT" ]; then
		detail_run
	else
		detail_file "$file" "$file"
	fi
	return 1
}

# expect_no_line REGEX [FILE]: true when no line matches; otherwise records
# the offending lines.
expect_no_line()
{
	local file=${2:-$NT_OUT} l
	grep -Eq -- "$1" "$file" 2>/dev/null || return 0
	detail "expected no line matching: $1, but got:"
	while IFS= read -r l; do
		detail "  > $l"
	done < <(grep -E -- "$1" "$file" | head -n 10)
	return 1
}

# ---- leftovers ------------------------------------------------------------

# nt_bpf_progs_of PID: ids of the BPF programs named nt_* that PID holds (a
# program fd or a link fd: /proc/PID/fdinfo has prog_id), names from bpftool.
# (bpftool's own "pids" column needs a bpftool built with BPF iterators.)
nt_bpf_progs_of()
{
	local id
	command -v bpftool >/dev/null 2>&1 || return 0
	for id in $(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -un); do
		bpftool prog show id "$id" 2>/dev/null | grep -q " name nt_" && echo "$id"
	done
}

# nt_bpf_prog_exists ID
nt_bpf_prog_exists()
{
	bpftool prog show id "$1" >/dev/null 2>&1
}

nt_record_progs()
{
	NT_PROG_IDS=$(nt_bpf_progs_of "$NT_PID" | tr '\n' ' ')
}

# nt_no_leftovers [PID]: after nettrace PID (default: the last one) exited,
# nothing of it remains: no tracefs instance nettrace_<pid>, none of the nt_*
# BPF programs it held, no dynamic (kprobe) event naming it, nothing new
# pinned in /sys/fs/bpf.  Records what it found in the details.
nt_no_leftovers()
{
	local pid=${1:-$NT_PID} ok=0 id i left bpffs
	if [ -d "$NT_TRACEFS/instances/nettrace_$pid" ]; then
		detail "leftover tracefs instance $NT_TRACEFS/instances/nettrace_$pid"
		ok=1
	fi
	if [ -r "$NT_TRACEFS/dynamic_events" ] &&
	   grep -q "nettrace_$pid\|nt_$pid" "$NT_TRACEFS/dynamic_events" 2>/dev/null; then
		detail "leftover dynamic events:"
		detail "$(grep "nettrace_$pid\|nt_$pid" "$NT_TRACEFS/dynamic_events")"
		ok=1
	fi
	# Programs are freed asynchronously after the last fd closes.
	if [ -n "${NT_PROG_IDS// /}" ] && [ "$pid" = "$NT_PID" ]; then
		for (( i = 0; i < 30; i++ )); do
			left=""
			for id in $NT_PROG_IDS; do
				nt_bpf_prog_exists "$id" && left+=" $id"
			done
			[ -z "$left" ] && break
			sleep 0.1
		done
		if [ -n "$left" ]; then
			detail "BPF programs still loaded after exit (ids$left):"
			detail "$(bpftool prog show 2>/dev/null | grep -A3 -E "^(${left// /|}):" | head -n 20)"
			ok=1
		fi
	fi
	bpffs=$(ls -A /sys/fs/bpf 2>/dev/null | sort | tr '\n' ' ')
	if [ "$bpffs" != "${NT_BPFFS_BEFORE:-}" ]; then
		detail "/sys/fs/bpf changed: before '${NT_BPFFS_BEFORE:-}', now '$bpffs'"
		ok=1
	fi
	return $ok
}

# ---- JSON -----------------------------------------------------------------

# json_check FILE VALUE: every line of FILE that starts with '{' parses as
# JSON, there is at least one, and one of them holds VALUE as a string value
# (anywhere in the object).  Without python3 it falls back to grep.
json_check()
{
	local file=$1 value=$2 out
	if command -v python3 >/dev/null 2>&1; then
		out=$(python3 - "$file" "$value" <<'EOF'
import json, sys
path, want = sys.argv[1], sys.argv[2]
n = 0; found = False; bad = []
def values(o):
    if isinstance(o, dict):
        for v in o.values():
            yield from values(v)
    elif isinstance(o, list):
        for v in o:
            yield from values(v)
    else:
        yield o
with open(path, errors="replace") as f:
    for line in f:
        s = line.strip()
        if not s.startswith("{"):
            continue
        n += 1
        try:
            o = json.loads(s)
        except ValueError as e:
            bad.append("%s: %s" % (e, s))
            continue
        if not isinstance(o, dict):
            bad.append("not an object: " + s)
        elif any(v == want for v in values(o)):
            found = True
if bad:
    print("lines that do not parse as JSON objects:")
    for b in bad[:5]:
        print("  " + b)
if n == 0:
    print("no JSON lines at all")
elif not found:
    print("no JSON object has the value %r" % want)
sys.exit(1 if bad or n == 0 or not found else 0)
EOF
)
		if [ $? -ne 0 ]; then
			detail "$out"
			detail_run
			return 1
		fi
		return 0
	fi
	# (any member whose string value is VALUE, as the python3 check)
	if grep -q '^{' "$file" &&
	   grep '^{' "$file" | grep -Fq -e "\":\"$value\"" -e "\": \"$value\""; then
		return 0
	fi
	detail "no JSON line with a member \"...\":\"$value\" (python3 missing: grep check only)"
	detail_run
	return 1
}

# ---- lifecycle helpers ------------------------------------------------------

# nt_ifname TAG: an interface name unique to this suite run (at most 8
# characters, so it fills the --detail ifname field without being cut).
nt_ifname()
{
	printf '%s%x' "$1" "$$"
}

# nt_hook_table: `nettrace -t list` of this host (cached in NT_HOOK_TABLE).
nt_hook_table()
{
	if [ -z "${NT_HOOK_TABLE:-}" ]; then
		NT_HOOK_TABLE=$("$NT_BIN" -t list 2>&1)
	fi
	printf '%s\n' "$NT_HOOK_TABLE"
}

# nt_hook_avail BACKEND HOOK: true when the host table says BACKEND can
# attach HOOK (column bpf or tracefs is not "-").
nt_hook_avail()
{
	local col
	case $1 in bpf) col=3 ;; tracefs) col=4 ;; *) return 1 ;; esac
	nt_hook_table | awk -v h="$2" -v c="$col" '
		/^hooks \(-t/ { t = 1; next }
		t && NF >= 5 && $2 == h { found = ($c != "-") }
		END { exit !found }'
}

# nt_need_hooks NAME BACKEND HOOK...: skip NAME unless BACKEND has every HOOK.
nt_need_hooks()
{
	local name=$1 be=$2 h
	shift 2
	for h in "$@"; do
		if ! nt_hook_avail "$be" "$h"; then
			skip "$name" "hook $h not available to the $be backend on this host (needs fentry or kprobes, see nettrace -t list)"
			return 1
		fi
	done
	return 0
}

# nt_group_hooks GROUP: the hook names of GROUP in the host table.
nt_group_hooks()
{
	nt_hook_table | awk -v g="$1" '/^hooks \(-t/ { t = 1; next } t && $1 == g { print $2 }'
}

# nt_host_has FEATURE-REGEX: the "kernel features" part of the table says yes.
nt_host_has()
{
	nt_hook_table | grep -Eq "^ +$1 +yes"
}

# nt_rss_kb PID: VmRSS of PID in kB (empty when it is gone).
nt_rss_kb()
{
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# nt_block_has FILE REGEX...: true when one block of lifecycle output
# (from a "****... skb ...****" header to the next) has, for every REGEX, a
# line matching it.  The regexes reach awk through the environment (no
# escape processing).
nt_block_has()
{
	local file=$1
	shift
	NT_RES=$(printf '%s\n' "$@") awk '
		BEGIN { n = split(ENVIRON["NT_RES"], re, "\n") }
		function check(   i) {
			if (!inb) return
			for (i = 1; i <= n; i++) if (!(i in seen)) return
			ok = 1
		}
		/^\*+ [0-9a-f]/ { check(); inb = 1; split("", seen); next }
		inb { for (i = 1; i <= n; i++) if ($0 ~ re[i]) seen[i] = 1 }
		END { check(); exit !ok }' "$file"
}

# ---- diagnosis (--diag) helpers ---------------------------------------------

# nt_block_seq FILE PAT... [-- SEQ...]: true when one block of lifecycle
# output (from a "****... skb ...****" header to the next, its ANALYSIS RESULT
# included) has, for every PAT, a line matching it, and, when SEQ patterns are
# given, consecutive lines matching them in this order.  A pattern is an
# extended regex; "=TEXT" matches a line equal to TEXT; a leading "!" (before
# either form) means no line of the block may match it.  NT_BLOCK holds the
# first block that matched (empty when none did).  Patterns reach awk through
# the environment (no escape processing).
nt_block_seq()
{
	local file=$1 ids=() seq=() insq=0 a
	shift
	for a in "$@"; do
		if [ "$insq" = 0 ] && [ "$a" = -- ]; then
			insq=1
		elif [ "$insq" = 0 ]; then
			ids+=("$a")
		else
			seq+=("$a")
		fi
	done
	NT_BLOCK=$(NT_IDS=$(printf '%s\n' "${ids[@]}") NT_SQS=$(printf '%s\n' "${seq[@]}") awk '
		BEGIN {
			ni = ENVIRON["NT_IDS"] == "" ? 0 : split(ENVIRON["NT_IDS"], id, "\n")
			ns = ENVIRON["NT_SQS"] == "" ? 0 : split(ENVIRON["NT_SQS"], sq, "\n")
		}
		function m(line, p) {
			if (substr(p, 1, 1) == "=")
				return line == substr(p, 2)
			return line ~ p
		}
		function check(   i, j, k, p, neg, hit, ok) {
			if (!nl || found) return
			for (i = 1; i <= ni; i++) {
				p = id[i]; neg = 0
				if (substr(p, 1, 1) == "!") { neg = 1; p = substr(p, 2) }
				hit = 0
				for (j = 1; j <= nl; j++) if (m(L[j], p)) { hit = 1; break }
				if (hit == neg) return
			}
			if (ns) {
				ok = 0
				for (j = 1; j + ns - 1 <= nl && !ok; j++) {
					for (k = 1; k <= ns; k++) if (!m(L[j + k - 1], sq[k])) break
					if (k > ns) ok = 1
				}
				if (!ok) return
			}
			found = 1
			for (j = 1; j <= nl; j++) print L[j]
		}
		/^\*+ [0-9a-f]/ { check(); nl = 0; inb = 1 }
		inb { L[++nl] = $0 }
		END { check(); exit !found }' "$file")
}

# nt_rule_field FILE HEADER CONDITIONS FIELD: the value of FIELD (level,
# message, advice, meaning, annotate) of the rule in FILE whose header is
# HEADER ("reason NO_SOCKET", "hook icmp_send") and whose conditions are
# exactly CONDITIONS ("" for none, "proto: tcp", "location: ip_forward";
# several: "location: x; proto: y" in key order).  Empty output and status 1
# when there is no such rule.
nt_rule_field()
{
	NT_RH=$2 NT_RCOND=$3 NT_RF=$4 awk '
		function flush() {
			if (inr && hdr == ENVIRON["NT_RH"] && cond == ENVIRON["NT_RCOND"] && (ENVIRON["NT_RF"] in val)) {
				print val[ENVIRON["NT_RF"]]; found = 1; exit
			}
			inr = 0; cond = ""; split("", val)
		}
		/^#/ { next }
		/^\[.*\]$/ { flush(); inr = 1; hdr = substr($0, 2, length($0) - 2); next }
		/^[ \t]*$/ { flush(); next }
		inr && /^[a-z_]+: / {
			k = $0; sub(/: .*/, "", k)
			v = $0; sub(/^[a-z_]+: /, "", v)
			if (k ~ /^(ret|location|proto|nf_family|nf_hook|nf_table|nf_verdict)$/)
				cond = cond (cond == "" ? "" : "; ") k ": " v
			else
				val[k] = v
		}
		END { if (!found) flush(); exit !found }' "$1"
}

# nt_count REGEX [FILE]: number of lines of FILE (default: nettrace's stdout)
# matching REGEX.
nt_count()
{
	local n
	n=$(grep -Ec -- "$1" "${2:-$NT_OUT}" 2>/dev/null)
	echo "${n:-0}"
}
