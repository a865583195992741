#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drop monitor (--drop) on both backends, in namespaces this suite creates.
#
# Topologies (lib.sh):  A <-> B           closed ports, filters
#                       C <-> R <-> S     forwarding: iptables DROP in R, no route in R
# Every drop scenario runs on bpf and on tracefs and checks the printed line.

. "$(dirname "$0")/lib.sh"
nt_suite_init

BACKENDS=${NT_BACKENDS:-bpf tracefs}

if ! nt_need drop/setup cmd:ip cmd:nc cmd:ping ipv6; then
	exit 0
fi
if ! nt_netns_pair || ! nt_router; then
	echo "FAIL drop/setup: cannot create the test namespaces"
	exit 1
fi

# Regex pieces.
TS='^\[[0-9]+\.[0-9]+\] '
A4=$(re_quote "$NT_A4"); B4=$(re_quote "$NT_B4")
A6=$(re_quote "$NT_A6"); B6=$(re_quote "$NT_B6")
C4=$(re_quote "$NT_C4"); S4=$(re_quote "$NT_S4")
NR4=$(re_quote "$NT_NOROUTE4")
LOC='\+0x[0-9a-f]+'
# With iptables-nft the kernel reports the drop in nft_do_chain (checked on
# 6.18); with legacy iptables or older kernels it is nf_hook_slow.
NF_LOC="(nf_hook_slow|nft_do_chain)$LOC"
UDP_LOC="(__udp4_lib_rcv|udp_rcv|udp_unicast_rcv_skb)$LOC"
TCP_HDR='seq:[0-9]+, ack:[0-9]+, flags:S, '

# An iptables DROP rule on FORWARD inside the router namespace only.
NF_OK=1
NF_WHY=""
if nt_missing cmd:iptables; then
	NF_OK=0; NF_WHY=$NT_MISSING
elif nt_has_reasons && nt_missing reason:NETFILTER_DROP; then
	NF_OK=0; NF_WHY=$NT_MISSING
elif ! ip netns exec "$NT_R" iptables -w 5 -A FORWARD -s "$NT_C4" -d "$NT_S4" -j DROP 2>"$NT_TMP/ipt.err"; then
	NF_OK=0; NF_WHY="iptables cannot add a FORWARD rule in a namespace: $(head -n 1 "$NT_TMP/ipt.err")"
fi

# check NAME REGEX: PASS when the last run printed a line matching REGEX.
check()
{
	if expect_line "$2"; then
		pass "$1"
	else
		fail "$1" "no drop line as expected"
	fi
}

# ---------------------------------------------------------------------------
# The scenarios, all in one run per backend (each checked separately).
# ---------------------------------------------------------------------------
scenarios()
{
	local be=$1 t=drop/$1 names kp=1
	names=("$t/tcp4-closed-port" "$t/tcp6-closed-port" "$t/udp-closed-port"
	       "$t/netfilter-drop" "$t/icmp-netfilter-drop" "$t/no-route")
	# shellcheck disable=SC2046
	if nt_missing $(nt_backend_features "$be"); then
		skip_all "$NT_MISSING" "${names[@]}"
		return
	fi
	# Without kprobes, tracefs sees the headers of a drop only where a
	# flow-carrying tracepoint shares the skb (tcp_send_reset, icmp_send).
	[ "$be" = tracefs ] && nt_missing kprobes && kp=0

	if ! nt_start --drop --backend="$be"; then
		local n
		fail "${names[0]}" "nettrace did not start"
		for n in "${names[@]:1}"; do
			fail "$n" "nettrace did not start (see ${names[0]})"
		done
		return
	fi
	send_until " -> $B4:9101[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9101
	send_until " -> \\[$B6\\]:9102[ ,]" nt_tcp_syn "$NT_A" "$NT_B6" 9102
	send_until " -> $B4:9103[ ,]" nt_udp_send "$NT_A" "$NT_B4" 9103
	if [ "$NF_OK" = 1 ]; then
		nt_bg nt_tcp_syn "$NT_C" "$NT_S4" 9104
		nt_ping "$NT_C" "$NT_S4" 2
	fi
	nt_ping "$NT_C" "$NT_NOROUTE4" 1
	wait_line "$(nt_drop_re IP_INNOROUTES ip_error)"
	[ "$NF_OK" = 1 ] && wait_line "$(nt_drop_re NETFILTER_DROP "$NF_LOC")"
	sleep 0.5
	if ! nt_stop; then
		# Still check the lines printed before it hung.
		fail "$t/stop" "nettrace did not stop on SIGINT"
	fi

	if [ "$be" = bpf ] || [ "$kp" = 1 ]; then
		check "$t/tcp4-closed-port" \
			"${TS}TCP: $A4:[0-9]+ -> $B4:9101 ${TCP_HDR}$(nt_drop_re NO_SOCKET tcp_v4_rcv)$LOC"
		check "$t/tcp6-closed-port" \
			"${TS}TCP: \[$A6\]:[0-9]+ -> \[$B6\]:9102 ${TCP_HDR}$(nt_drop_re NO_SOCKET tcp_v6_rcv)$LOC"
		check "$t/udp-closed-port" \
			"${TS}UDP: $A4:[0-9]+ -> $B4:9103, $(nt_drop_re NO_SOCKET "$UDP_LOC")"
	else
		# Addresses and ports come from tcp:tcp_send_reset / icmp:icmp_send.
		check "$t/tcp4-closed-port" \
			"${TS}TCP: $A4:[0-9]+ -> $B4:9101[ ,].*$(nt_drop_re NO_SOCKET tcp_v4_rcv)$LOC"
		check "$t/tcp6-closed-port" \
			"${TS}TCP: \[$A6\]:[0-9]+ -> \[$B6\]:9102[ ,].*$(nt_drop_re NO_SOCKET tcp_v6_rcv)$LOC"
		check "$t/udp-closed-port" \
			"${TS}UDP: $A4:[0-9]+ -> $B4:9103[ ,].*$(nt_drop_re NO_SOCKET "$UDP_LOC")"
	fi

	if [ "$NF_OK" = 0 ]; then
		skip "$t/netfilter-drop" "$NF_WHY"
		skip "$t/icmp-netfilter-drop" "$NF_WHY"
	elif [ "$be" = bpf ] || [ "$kp" = 1 ]; then
		check "$t/netfilter-drop" \
			"${TS}TCP: $C4:[0-9]+ -> $S4:9104 ${TCP_HDR}$(nt_drop_re NETFILTER_DROP "$NF_LOC")"
		check "$t/icmp-netfilter-drop" \
			"${TS}ICMP: $C4 -> $S4 ping request, seq: [0-9]+, $(nt_drop_re NETFILTER_DROP "$NF_LOC")"
	else
		check "$t/netfilter-drop" "${TS}.*$(nt_drop_re NETFILTER_DROP "$NF_LOC")"
		skip "$t/icmp-netfilter-drop" \
			"kprobe_events not available on this kernel (tracefs sees no ICMP header of this drop)"
	fi

	if nt_has_reasons && nt_missing reason:IP_INNOROUTES; then
		skip "$t/no-route" "$NT_MISSING"
	elif [ "$be" = bpf ] || [ "$kp" = 1 ]; then
		check "$t/no-route" \
			"${TS}ICMP: $C4 -> $NR4 ping request, seq: [0-9]+, $(nt_drop_re IP_INNOROUTES ip_error)$LOC"
	else
		check "$t/no-route" "${TS}.*$(nt_drop_re IP_INNOROUTES ip_error)$LOC"
	fi
}

# ---------------------------------------------------------------------------
# Filters on bpf: the filtered-out drop happens, and is not printed.
# ---------------------------------------------------------------------------

# only_lines NAME REGEX: every drop line of the last run matches REGEX.
only_lines()
{
	local bad
	bad=$(grep -E -- "$NT_DROP_LINE" "$NT_OUT" | grep -Ev -- "$2" | head -n 10)
	[ -z "$bad" ] && return 0
	detail "$1: drop lines that the filter should have hidden:"
	while IFS= read -r l; do
		detail "  > $l"
	done <<< "$bad"
	return 1
}

filter_saddr()
{
	local t=drop/bpf/filter-saddr
	nt_backend_need "$t" bpf || return
	nt_start --drop --backend=bpf -s "$NT_A4" || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_B" "$NT_A4" 9201	# a drop from B: must not show
	send_until " -> $B4:9202[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9202	# must show
	sleep 1
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if expect_line "${TS}TCP: $A4:[0-9]+ -> $B4:9202 .*$(nt_drop_re NO_SOCKET tcp_v4_rcv)" &&
	   expect_no_line "TCP: $B4:[0-9]+ -> $A4:9201" &&
	   only_lines "-s $NT_A4" ": $A4(:[0-9]+)? -> "; then
		pass "$t"
	else
		fail "$t" "-s $NT_A4 printed the wrong drops"
	fi
}

filter_proto()
{
	local t=drop/bpf/filter-proto-udp
	nt_backend_need "$t" bpf || return
	nt_start --drop --backend=bpf -p udp || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_A" "$NT_B4" 9211	# TCP drop: must not show
	send_until " -> $B4:9212[ ,]" nt_udp_send "$NT_A" "$NT_B4" 9212	# must show
	sleep 1
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if expect_line "${TS}UDP: $A4:[0-9]+ -> $B4:9212, $(nt_drop_re NO_SOCKET "$UDP_LOC")" &&
	   only_lines "-p udp" "${TS}UDP: "; then
		pass "$t"
	else
		fail "$t" "-p udp printed the wrong drops"
	fi
}

filter_dport()
{
	local t=drop/bpf/filter-dport
	nt_backend_need "$t" bpf || return
	nt_start --drop --backend=bpf --dport 9222 || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_A" "$NT_B4" 9221	# other port: must not show
	nt_udp_send "$NT_A" "$NT_B4" 9223	# other port: must not show
	send_until " -> $B4:9222[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9222	# must show
	sleep 1
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if expect_line "${TS}TCP: $A4:[0-9]+ -> $B4:9222 .*$(nt_drop_re NO_SOCKET tcp_v4_rcv)" &&
	   only_lines "--dport 9222" " -> [^ ]*:9222[ ,]"; then
		pass "$t"
	else
		fail "$t" "--dport 9222 printed the wrong drops"
	fi
}

filter_saddr6()
{
	local t=drop/bpf/filter-saddr6
	nt_backend_need "$t" bpf || return
	nt_start --drop --backend=bpf --saddr6 "$NT_A6" || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_B" "$NT_A6" 9231	# from B: must not show
	nt_tcp_syn "$NT_A" "$NT_B4" 9232	# IPv4 from A: must not show
	send_until "\\]:9233[ ,]" nt_tcp_syn "$NT_A" "$NT_B6" 9233	# must show
	sleep 1
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if expect_line "${TS}TCP: \[$A6\]:[0-9]+ -> \[$B6\]:9233 .*$(nt_drop_re NO_SOCKET tcp_v6_rcv)" &&
	   only_lines "--saddr6 $NT_A6" ": \[$A6\]:[0-9]+ -> |: $A6 -> "; then
		pass "$t"
	else
		fail "$t" "--saddr6 $NT_A6 printed the wrong drops"
	fi
}

# --netns on a drop before the packet has a device (local output dropped by
# an OUTPUT rule): the namespace comes from the socket, as on lifecycle hooks.
filter_netns_output()
{
	local t=drop/bpf/netns-local-output ino
	nt_backend_need "$t" bpf || return
	if nt_missing cmd:iptables || { nt_has_reasons && nt_missing reason:NETFILTER_DROP; }; then
		skip "$t" "$NT_MISSING"
		return
	fi
	if ! ip netns exec "$NT_A" iptables -w 5 -A OUTPUT -p udp --dport 5555 -j DROP 2>"$NT_TMP/ipt.err"; then
		skip "$t" "iptables cannot add an OUTPUT rule in a namespace: $(head -n 1 "$NT_TMP/ipt.err")"
		return
	fi
	ino=$(ip netns exec "$NT_A" stat -L -c %i /proc/self/ns/net)
	nt_start --drop --backend=bpf --netns "$ino" || { fail "$t" "nettrace did not start"; return; }
	nt_udp_send "$NT_A" "$NT_B4" 9244	# dropped in B (closed port): must not show
	send_until "UDP: .*:5555, $(nt_drop_re NETFILTER_DROP "$NF_LOC")" \
		ip netns exec "$NT_A" timeout 2 bash -c 'echo x > /dev/udp/127.0.0.1/5555' 2>/dev/null
	sleep 0.5
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	ip netns exec "$NT_A" iptables -w 5 -D OUTPUT -p udp --dport 5555 -j DROP
	if expect_line "${TS}UDP: 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:5555, $(nt_drop_re NETFILTER_DROP "$NF_LOC")" &&
	   expect_no_line ":9244, "; then
		pass "$t"
	else
		fail "$t" "--netns $ino did not show the OUTPUT drop in its namespace"
	fi
}

# ---------------------------------------------------------------------------
# tracefs without kprobes refuses filters it cannot evaluate.
# ---------------------------------------------------------------------------
tracefs_refuses()
{
	local t=drop/tracefs/refuses-$1 opt=$2 val=$3 re=$4
	nt_backend_need "$t" tracefs || return
	if ! nt_missing kprobes; then
		skip "$t" "kprobe_events available: tracefs can evaluate $opt here"
		return
	fi
	if ! nt_run_fg 10 --drop --backend=tracefs "$opt" "$val"; then
		detail "nettrace --drop --backend=tracefs $opt $val still running after 10s"
		detail_run
		fail "$t" "the filter was not refused at start"
		return
	fi
	if [ "$NT_RC" = 0 ]; then
		detail_run
		fail "$t" "exit status 0, expected non-zero"
	elif ! grep -Eqi -- "$re" "$NT_ERR"; then
		detail "expected stderr to mention: $re"
		detail_run
		fail "$t" "the message does not name the refused filter"
	elif grep -Eq '^begin trace|"begin trace' "$NT_OUT"; then
		detail_run
		fail "$t" "'begin trace...' printed although the filter is refused"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers after the refusal"
	else
		pass "$t"
	fi
}

tracefs_proto_ip()
{
	local t=drop/tracefs/filter-proto-ip
	nt_backend_need "$t" tracefs || return
	nt_start --drop --backend=tracefs -p ip || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_A" "$NT_B6" 9242	# IPv6 drop: must not show
	send_until " -> $B4:9241[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9241
	sleep 0.3
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if expect_line "${TS}TCP: $A4:[0-9]+ -> $B4:9241[ ,].*$(nt_drop_re NO_SOCKET tcp_v4_rcv)$LOC" &&
	   expect_no_line "${TS}(IPv6|ARP)|: \\[[0-9a-f:]+\\]"; then
		pass "$t"
	else
		fail "$t" "-p ip on tracefs"
	fi
}

# ---------------------------------------------------------------------------
# --drop-stack, --json, -c on both backends.
# ---------------------------------------------------------------------------
drop_stack()
{
	local be=$1 t=drop/$1/drop-stack frames
	nt_backend_need "$t" "$be" || return
	nt_start --drop --backend="$be" --drop-stack || { fail "$t" "nettrace did not start"; return; }
	send_until " -> $B4:9301[ ,]" nt_tcp_syn "$NT_A" "$NT_B4" 9301
	sleep 1
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	# The stack is printed on lines of its own after the drop line; it
	# holds the dropping function and its callers in the IPv4 input path.
	frames=$(grep -Ev -- "$NT_DROP_LINE" "$NT_OUT")
	if ! expect_line "TCP: $A4:[0-9]+ -> $B4:9301[ ,].*$(nt_drop_re NO_SOCKET tcp_v4_rcv)"; then
		fail "$t" "no drop line"
	elif ! grep -q 'tcp_v4_rcv' <<< "$frames" ||
	     ! grep -Eq 'ip_protocol_deliver_rcu|ip_local_deliver_finish|ip_local_deliver' <<< "$frames"; then
		detail "expected stack lines with tcp_v4_rcv and ip_protocol_deliver_rcu/ip_local_deliver*"
		detail_run
		fail "$t" "no kernel stack printed with the drop"
	else
		pass "$t"
	fi
}

json_out()
{
	local be=$1 t=drop/$1/json
	nt_backend_need "$t" "$be" || return
	nt_start --drop --backend="$be" --json || { fail "$t" "nettrace did not start"; return; }
	# the reason where the kernel gives one, else the address
	local want=NO_SOCKET
	nt_has_reasons || want=$NT_B4
	send_until "$want.*9311|9311.*$want" nt_tcp_syn "$NT_A" "$NT_B4" 9311
	sleep 0.5
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if json_check "$NT_OUT" "$want" && expect_line "\"$B4\"|9311"; then
		pass "$t"
	else
		fail "$t" "--json output"
	fi
}

count_one()
{
	local be=$1 t=drop/$1/count-1 n
	nt_backend_need "$t" "$be" || return
	nt_start --drop --backend="$be" -c 1 || { fail "$t" "nettrace did not start"; return; }
	nt_tcp_syn "$NT_A" "$NT_B4" 9321
	nt_tcp_syn "$NT_A" "$NT_B4" 9322
	if ! nt_wait_exit 5; then
		detail_run
		fail "$t" "-c 1 did not exit by itself after a drop"
		return
	fi
	n=$(grep -Ec -- "$NT_DROP_LINE" "$NT_OUT")
	if [ "$NT_RC" != 0 ]; then
		detail_run
		fail "$t" "exit status $NT_RC after -c 1, expected 0"
	elif [ "$n" != 1 ]; then
		detail_run
		fail "$t" "$n drop lines printed with -c 1, expected 1"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers after -c 1"
	else
		pass "$t"
	fi
}

for be in $BACKENDS; do
	scenarios "$be"
done
filter_saddr
filter_saddr6
filter_proto
filter_dport
filter_netns_output
tracefs_refuses saddr --saddr "$NT_A4" 'saddr|-s\b|address'
tracefs_refuses dport --dport 80 'dport|-D\b|port'
tracefs_refuses proto-tcp -p tcp 'proto|-p\b|tcp'
tracefs_proto_ip
for be in $BACKENDS; do
	drop_stack "$be"
	json_out "$be"
	count_one "$be"
done
exit 0
