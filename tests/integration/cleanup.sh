#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nothing survives nettrace: after SIGINT and SIGTERM (both backends), after
# SIGKILL followed by a new start (stale instance of a dead pid removed, an
# instance of a live pid kept), and after a start refused for bad input.

. "$(dirname "$0")/lib.sh"
nt_suite_init

BACKENDS=${NT_BACKENDS:-bpf tracefs}
INST=$NT_TRACEFS/instances

if ! nt_need cleanup/setup cmd:ip cmd:nc; then
	exit 0
fi
if ! nt_netns_pair; then
	echo "FAIL cleanup/setup: cannot create the test namespaces"
	exit 1
fi
B4=$(re_quote "$NT_B4")

# A tracefs instance named after PID, created by hand, removed at exit.
fake_instance()
{
	mkdir "$INST/nettrace_$1" || return 1
	NT_RMDIRS+=("$INST/nettrace_$1")
}

# dead_pid: prints the pid of a process that has exited.
dead_pid()
{
	local p
	true &
	p=$!
	wait "$p"
	echo "$p"
}

# stop_clean BACKEND SIGNAL: a run that saw a drop ends on SIGNAL with
# "end trace...", the summary, exit 0, and nothing left.
stop_clean()
{
	local be=$1 sig=$2 t=cleanup/$1/sig$2 why=""
	nt_backend_need "$t" "$be" || return
	nt_start --drop --backend="$be" || { fail "$t" "nettrace did not start"; return; }
	if [ "$be" = bpf ] && command -v bpftool >/dev/null 2>&1 && [ -z "${NT_PROG_IDS// /}" ]; then
		detail "bpftool shows no nt_* BPF program held by pid $NT_PID while tracing"
		why="no nt_* BPF program while tracing on bpf (programs must be named nt_*)"
	fi
	if [ "$be" = tracefs ] && [ ! -d "$INST/nettrace_$NT_PID" ]; then
		detail "no $INST/nettrace_$NT_PID while tracing"
		why="no private instance nettrace_<pid> while tracing on tracefs"
	fi
	send_until " -> $B4:9401[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9401
	if ! nt_stop "$sig"; then
		fail "$t" "did not exit on SIG$sig"
		nt_no_leftovers >/dev/null
		return
	fi
	if ! nt_no_leftovers; then
		fail "$t" "leftovers after SIG$sig"
	elif [ -n "$why" ]; then
		fail "$t" "$why"
	elif ! expect_line '^end trace'; then
		fail "$t" "no 'end trace...' after SIG$sig"
	elif ! expect_line '^summary:.*([0-9]+ events|events:? *[0-9]+).*([0-9]+ lost|lost:? *[0-9]+)'; then
		fail "$t" "no 'summary: events N, lost N' line after SIG$sig"
	elif ! expect_line " -> $B4:9401[ ,].*$(nt_drop_re NO_SOCKET tcp_v4_rcv)"; then
		fail "$t" "the drop before SIG$sig was not printed"
	elif [ "$NT_RC" != 0 ]; then
		detail_run
		fail "$t" "exit status $NT_RC after SIG$sig, expected 0"
	else
		pass "$t"
	fi
}

# sigkill_restart BACKEND: SIGKILL leaves what it leaves; the next start
# removes the instance of the dead pid, and its own at exit.
sigkill_restart()
{
	local be=$1 t=cleanup/$1/sigkill-then-start old old_progs id i left
	nt_backend_need "$t" "$be" || return
	nt_start --drop --backend="$be" || { fail "$t" "nettrace did not start"; return; }
	old=$NT_PID
	old_progs=$NT_PROG_IDS
	kill -KILL "$old"
	wait "$old" 2>/dev/null
	# The kernel frees unpinned programs and links with the last fd.
	for (( i = 0; i < 30; i++ )); do
		left=""
		for id in $old_progs; do
			nt_bpf_prog_exists "$id" && left+=" $id"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		detail "BPF programs of the SIGKILLed pid $old still loaded (ids$left): pinned?"
		fail "$t" "BPF programs survive SIGKILL"
		return
	fi
	if [ "$be" = tracefs ] && [ ! -d "$INST/nettrace_$old" ]; then
		# The contract says it remains: then the restart below proves
		# nothing about stale-instance removal, say so.
		detail "after SIGKILL $INST/nettrace_$old does not exist (expected it to remain)"
		fail "$t" "no instance left after SIGKILL: cannot test its removal"
		return
	fi
	nt_start --drop --backend="$be" || { fail "$t" "second start after SIGKILL failed"; return; }
	if [ -d "$INST/nettrace_$old" ]; then
		detail "stale $INST/nettrace_$old of the SIGKILLed pid $old still there after a new start (pid $NT_PID)"
		nt_stop
		fail "$t" "stale instance of a dead pid not removed"
		return
	fi
	nt_stop || { fail "$t" "second run did not stop on SIGINT"; return; }
	if nt_no_leftovers; then
		pass "$t"
	else
		fail "$t" "leftovers of the second run"
	fi
}

# stale_fake BACKEND: an instance named after a dead pid is removed at start;
# one named after a live pid (not ours to judge) is kept.
stale_fake()
{
	local be=$1 t=cleanup/$1/stale-instances dead live
	nt_backend_need "$t" "$be" || return
	dead=$(dead_pid)
	sleep 60 >/dev/null 2>&1 &
	live=$!
	NT_BG_PIDS+=("$live")
	if ! fake_instance "$dead" || ! fake_instance "$live"; then
		fail "$t" "cannot create tracefs instances (test setup)"
		return
	fi
	nt_start --drop --backend="$be" || { fail "$t" "nettrace did not start"; return; }
	nt_stop || { fail "$t" "did not stop on SIGINT"; return; }
	if [ -d "$INST/nettrace_$dead" ]; then
		detail "$INST/nettrace_$dead (pid $dead has exited) still there after a start"
		fail "$t" "stale instance of a dead pid not removed"
	elif [ ! -d "$INST/nettrace_$live" ]; then
		detail "$INST/nettrace_$live was removed although pid $live is running"
		fail "$t" "instance of a live pid removed"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers"
	else
		pass "$t"
	fi
	kill "$live" 2>/dev/null
}

# bad_input NAME ARGS...: refused before anything is attached.
bad_input()
{
	local t=cleanup/bad-input-$1 val=$2
	shift 2
	nt_need "$t" tracefs || return
	if ! nt_run_fg 10 "$@"; then
		detail "nettrace $* still running after 10s"
		detail_run
		fail "$t" "bad input not refused"
		return
	fi
	if [ "$NT_RC" = 0 ]; then
		detail_run
		fail "$t" "exit status 0 for bad input"
	elif grep -Eq '^begin trace|"begin trace' "$NT_OUT"; then
		detail_run
		fail "$t" "'begin trace...' printed for bad input"
	elif ! grep -qF -- "$val" "$NT_ERR"; then
		detail "expected the message to name the value '$val'"
		detail_run
		fail "$t" "the error message does not name the value"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers after bad input"
	else
		pass "$t"
	fi
}

for be in $BACKENDS; do
	stop_clean "$be" INT
	stop_clean "$be" TERM
done
for be in $BACKENDS; do
	sigkill_restart "$be"
	stale_fake "$be"
done
bad_input saddr 1.2.3 --drop --saddr 1.2.3
bad_input saddr-tracefs 1.2.3 --drop --backend=tracefs --saddr 1.2.3
bad_input backend foo --drop --backend=foo
bad_input port 70000 --drop --dport 70000
exit 0
