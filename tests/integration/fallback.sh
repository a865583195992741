#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --backend=auto falls back to tracefs when bpf(2) is denied (seccomp, as in
# a locked-down container), says why with -v, and still reports drops;
# --backend=bpf under the same denial fails with a clear message.

. "$(dirname "$0")/lib.sh"
nt_suite_init

NOBPF=$NT_HELPERS/nobpf

if ! nt_need fallback/setup cmd:ip cmd:nc; then
	exit 0
fi
if ! nt_netns_pair; then
	echo "FAIL fallback/setup: cannot create the test namespaces"
	exit 1
fi
TS='^\[[0-9]+\.[0-9]+\] '
A4=$(re_quote "$NT_A4"); B4=$(re_quote "$NT_B4")

# The helper itself: bpf(2) fails with EPERM under it, other calls work.
helper_works()
{
	local t=fallback/nobpf-denies-bpf out
	nt_need "$t" helper:nobpf bpftool || return 1
	out=$("$NOBPF" bpftool prog show 2>&1)
	if [ $? = 0 ] || ! grep -q 'Operation not permitted' <<< "$out"; then
		detail "nobpf bpftool prog show: $out"
		fail "$t" "bpf(2) is not denied under nobpf"
		return 1
	fi
	if ! "$NOBPF" true; then
		fail "$t" "nobpf true failed"
		return 1
	fi
	pass "$t"
}

# Without any denial auto picks bpf here (programs named nt_* are loaded).
auto_picks_bpf()
{
	local t=fallback/auto-picks-bpf
	nt_need "$t" btf bpftool || return
	nt_start --drop -v || { fail "$t" "nettrace did not start"; return; }
	nt_stop || { fail "$t" "did not stop on SIGINT"; return; }
	if [ -z "${NT_PROG_IDS// /}" ]; then
		detail "bpftool shows no nt_* program held by pid $NT_PID"
		detail_run
		fail "$t" "auto did not use the bpf backend on a host that allows it"
	elif ! grep -qi 'bpf' "$NT_ERR"; then
		detail "expected -v to name the chosen backend on stderr"
		detail_run
		fail "$t" "-v does not say which backend was chosen"
	else
		pass "$t"
	fi
}

# nobpf nettrace --drop -v: tracefs, the reason, and a drop seen.
auto_falls_back()
{
	local t=fallback/auto-falls-back-to-tracefs
	nt_need "$t" helper:nobpf tracefs event:skb/kfree_skb || return
	NT_BIN_SAVED=$NT_BIN
	# nt_start runs "$NT_BIN" ARGS: put the helper in front.
	NT_BIN=$NOBPF
	nt_start "$NT_BIN_SAVED" --drop -v
	local started=$?
	NT_BIN=$NT_BIN_SAVED
	if [ $started != 0 ]; then
		fail "$t" "nettrace under nobpf did not start"
		return
	fi
	send_until " -> $B4:9501[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9501
	sleep 0.3
	nt_stop || { fail "$t" "did not stop on SIGINT"; return; }
	if ! grep -qi 'tracefs' "$NT_ERR"; then
		detail "expected -v to say (stderr) that tracefs was chosen"
		detail_run
		fail "$t" "-v does not name tracefs as the chosen backend"
	elif ! grep -Eqi 'bpf.*(denied|not permitted|EPERM|refused|unavailable|not usable|fail)|(denied|not permitted|EPERM|refused|unavailable|not usable|fail).*bpf' "$NT_ERR"; then
		detail "expected -v to say why bpf was not used (bpf(2) denied / EPERM)"
		detail_run
		fail "$t" "-v does not say why bpf was not chosen"
	elif ! expect_line "${TS}TCP: $A4:[0-9]+ -> $B4:9501[ ,].*reason: NO_SOCKET, tcp_v4_rcv\+0x"; then
		fail "$t" "the closed-port drop was not reported after the fallback"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers"
	else
		pass "$t"
	fi
}

# nobpf nettrace --drop --backend=bpf: refused, with a message, non-zero.
forced_bpf_fails()
{
	local t=fallback/forced-bpf-denied-fails
	nt_need "$t" helper:nobpf || return
	NT_BIN_SAVED=$NT_BIN
	NT_BIN=$NOBPF
	nt_run_fg 10 "$NT_BIN_SAVED" --drop --backend=bpf
	local done_=$?
	NT_BIN=$NT_BIN_SAVED
	if [ $done_ != 0 ]; then
		detail_run
		fail "$t" "--backend=bpf with bpf(2) denied still running after 10s"
	elif [ "$NT_RC" = 0 ]; then
		detail_run
		fail "$t" "exit status 0 although bpf(2) is denied"
	elif grep -Eq '^begin trace|"begin trace' "$NT_OUT"; then
		detail_run
		fail "$t" "'begin trace...' printed although nothing could be attached"
	elif ! grep -qi 'bpf' "$NT_ERR" || [ "$(wc -l < "$NT_ERR")" -gt 20 ]; then
		detail "expected a short message on stderr that names bpf"
		detail_run
		fail "$t" "no clear message"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers"
	else
		pass "$t"
	fi
}

# The tracefs backend makes no bpf(2) call at all: it runs under nobpf.
tracefs_under_nobpf()
{
	local t=fallback/tracefs-needs-no-bpf
	nt_need "$t" helper:nobpf tracefs event:skb/kfree_skb || return
	NT_BIN_SAVED=$NT_BIN
	NT_BIN=$NOBPF
	nt_start "$NT_BIN_SAVED" --drop --backend=tracefs
	local started=$?
	NT_BIN=$NT_BIN_SAVED
	[ $started = 0 ] || { fail "$t" "--backend=tracefs did not start with bpf(2) denied"; return; }
	send_until " -> $B4:9511[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9511
	nt_stop || { fail "$t" "did not stop on SIGINT"; return; }
	if expect_line " -> $B4:9511[ ,].*reason: NO_SOCKET"; then
		pass "$t"
	else
		fail "$t" "no drop reported"
	fi
}

helper_works
auto_picks_bpf
auto_falls_back
forced_bpf_fails
tracefs_under_nobpf
exit 0
