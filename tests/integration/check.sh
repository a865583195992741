#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettrace --check: what this kernel allows, the backend auto would pick and
# the mechanism per hook, with the reason for each refusal; under a seccomp
# filter that denies bpf(2) it names that and picks tracefs.

. "$(dirname "$0")/lib.sh"
nt_suite_init

t=check/report
out=$("$NT_BIN" --check 2>&1)
rc=$?
if [ $rc = 0 ] && grep -Eq '^  tracefs +(yes|no) ' <<< "$out" &&
   grep -Eq '^  bpf\(2\) syscall +(yes|no) ' <<< "$out" &&
   grep -Eq '^  BPF global data +(yes|no) ' <<< "$out" &&
   grep -Eq '^  BPF fentry/fexit programs +(yes|no) ' <<< "$out" &&
   grep -Eq '^  tracefs kprobe_events +(yes|no) ' <<< "$out" &&
   grep -Eq '^auto would use: (bpf|tracefs)$' <<< "$out" &&
   grep -Eq '^  life +kfree_skb ' <<< "$out"; then
	pass "$t"
else
	detail "exit status $rc"
	detail "$out"
	fail "$t" "the report lacks a feature, the backend choice or the hook table"
fi

# The drop reasons of this kernel, and which of them have no rule of their
# own: a newer kernel's new reason is listed, not an error.
t=check/reasons
fmt=/sys/kernel/tracing/events/skb/kfree_skb/format
if grep -q 'field:.* reason;' "$fmt" 2>/dev/null; then
	nreasons=$(grep -o '{ [0-9]*, "[A-Z0-9_]*" }' "$fmt" | grep -vc '"MAX"')
	want="^drop reasons: $nreasons, (every one has a rule|[0-9]+ without a rule of their own)"
else
	want='^drop reasons: none in this kernel'
fi
if grep -Eq "$want" <<< "$out"; then
	pass "$t"
else
	detail "$(grep '^drop reasons' <<< "$out")"
	fail "$t" "--check does not report the kernel's drop reasons (want /$want/)"
fi

# Every refusal says why: a 'no' line carries a reason.
t=check/refusals-explained
bad=$(grep -E '^  [A-Za-z(). /_0-9-]+ +no +$' <<< "$out")
if [ -z "$bad" ]; then
	pass "$t"
else
	detail "$bad"
	fail "$t" "a refused feature has no reason"
fi

# The kernel facts it reports are the kernel's: kprobes exactly when the
# kprobe PMU exists, drop reasons exactly when kfree_skb has a reason field;
# a kernel with BPF ring buffers (5.8) has global data (5.2).
t=check/facts
want_kp=no
[ -e /sys/bus/event_source/devices/kprobe/type ] && want_kp=yes
want_dr=no
grep -q ' reason;' "$NT_TRACEFS/events/skb/kfree_skb/format" 2>/dev/null && want_dr=yes
if grep -Eq "^  BPF kprobe programs +$want_kp " <<< "$out" &&
   grep -Eq "^  skb drop reasons +$want_dr " <<< "$out" &&
   { ! grep -Eq '^  BPF ring buffer +yes ' <<< "$out" ||
     grep -Eq '^  BPF global data +yes ' <<< "$out"; }; then
	pass "$t"
else
	detail "expected kprobes: $want_kp, drop reasons: $want_dr, global data where ring buffers"
	detail "$out"
	fail "$t" "--check disagrees with the kernel"
fi

t=check/nobpf
if nt_need "$t" helper:nobpf; then
	out=$("$NT_HELPERS/nobpf" "$NT_BIN" --check 2>&1)
	if grep -Eq '^  bpf\(2\) syscall +no +bpf\(2\) refused: Operation not permitted' <<< "$out" &&
	   grep -Eq '^  bpf +no ' <<< "$out" && grep -Eq '^auto would use: tracefs$' <<< "$out"; then
		pass "$t"
	else
		detail "$out"
		fail "$t" "with bpf(2) denied, --check must say so and pick tracefs"
	fi
fi

t=check/trace-list
out=$("$NT_BIN" -t list 2>&1)
if grep -Eq '^  link-out +__dev_queue_xmit ' <<< "$out" &&
   grep -Eq '^  netfilter +nf_hook_slow ' <<< "$out"; then
	pass "$t"
else
	detail "$out"
	fail "$t" "-t list does not list the hook table"
fi

# What -t list prints is what runs: for each backend, the mechanism listed
# for every hook of the default set is the one attached (-v says "hook X
# attached: M"), and a hook listed as unavailable is not attached.
list_matches_attached()
{
	local be=$1 t=check/trace-list-is-what-runs-$1 col want got bad="" h
	nt_backend_need "$t" "$be" || return
	case $be in bpf) col=3 ;; tracefs) col=4 ;; esac
	if ! nt_start -v --backend="$be" -p arp; then
		fail "$t" "nettrace did not start"
		return
	fi
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	# hook -> mechanism, from the table (opt-in hooks are not in the default set)
	while read -r h want; do
		got=$(sed -n "s/^hook $h attached: //p" "$NT_ERR")
		[ "$want" = "-" ] && want=""
		if [ "$got" != "$want" ]; then
			bad+="$h: -t list says '${want:--}', attached '${got:--}'"$'\n'
		fi
	done < <(nt_hook_table | awk -v c="$col" '
		/^hooks \(-t/ { t = 1; next }
		t && /^  [^ ]/ && NF >= 5 && $2 != "hook" && !/\[opt-in\]/ {
			m = $c; if (m == "kprobe" && c == 4) m = "kprobe event"
			print $2, m }')
	if [ -z "$bad" ] && grep -q ' attached: ' "$NT_ERR"; then
		pass "$t"
	else
		detail "${bad:-no 'attached' line in the -v output}"
		detail_run
		fail "$t" "the mechanisms -t list prints are not the ones attached"
	fi
}
list_matches_attached bpf
list_matches_attached tracefs
