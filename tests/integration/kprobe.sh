#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tracefs kprobe events in each fetch-arg dialect: what this kernel's
# tracefs README offers (-v says which), and the syntax of kernels before
# v4.20 forced with NT_KPROBE_DIALECT=old (argument registers, the header
# window as 32 scalar reads).  Both must show a ping's headers at ip_rcv.

. "$(dirname "$0")/lib.sh"
nt_suite_init

nt_pair_suite kprobe "kprobe/native-dialect kprobe/old-dialect" cmd:ip cmd:ping kprobes

# dialect NAME VERBOSE-REGEX: a lifecycle on ip_rcv through kprobe events
# shows the ping's addresses (the header window decoded), and -v names the
# dialect (NT_KPROBE_DIALECT as exported by the caller).
dialect()
{
	local t=$1 re=$2
	if ! nt_start --backend=tracefs -t ip_rcv -p icmp -v; then
		detail_run
		fail "$t" "nettrace did not start"
		return
	fi
	if ! send_until "ICMP: $A4 -> $B4 ping request" nt_ping "$NT_A" "$NT_B4" 1; then
		nt_stop
		detail_run
		fail "$t" "no ping request with its addresses at ip_rcv"
	elif nt_stop && grep -Eq -- "$re" "$NT_ERR"; then
		pass "$t"
	else
		detail "expected on stderr (-v): $re"
		detail_run
		fail "$t" "-v does not name the kprobe fetch-arg dialect in use"
	fi
}

# what the README offers: $argN and arrays from v4.20 on
if grep -q '\$arg<N>' "$NT_TRACEFS/README" 2>/dev/null; then
	dialect kprobe/native-dialect 'kprobe fetch args: \$argN, arrays'
else
	dialect kprobe/native-dialect 'kprobe fetch args: registers, no arrays'
fi
export NT_KPROBE_DIALECT=old
dialect kprobe/old-dialect 'kprobe fetch args: registers, no arrays .*\(NT_KPROBE_DIALECT\)'
unset NT_KPROBE_DIALECT
exit 0
