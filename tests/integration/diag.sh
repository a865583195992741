#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Diagnosis mode (--diag, --diag-quiet, --diag-keep, --rules) on both backends,
# with real faults built in namespaces this suite creates.
#
# Topologies (lib.sh):  A <-> B           veth with names unique to this run
#                       C <-> R <-> S     router R, veth names unique too
#
# Each fault is made once, traced by one --diag --diag-keep run per backend,
# and checked in the printed lifecycle block of the dropped packet: the drop
# reason and location on the kfree_skb line, and the finding under ANALYSIS
# RESULT with the exact advice and meaning of the rule that must match (read
# from rules/*.rules, the data the binary embeds).  The expected level is
# written here: a rule giving another level is a rule bug.
#
# Without kprobes/fentry both backends hook tracepoints only.  tracefs then
# sees no packet headers, except the flow recovered from tcp:tcp_send_reset
# and icmp:icmp_send; its blocks are recognised by the suite's own veth
# names (--detail) and the drop reason.  -p ip keeps IPv6 (MLD) and ARP
# noise of the new namespaces out of the runs.

. "$(dirname "$0")/lib.sh"
nt_suite_init

BACKENDS=${NT_BACKENDS:-bpf tracefs}
DROP_RULES=$NT_ROOT/rules/10-dropreasons.rules
HOOK_RULES=$NT_ROOT/rules/20-hooks.rules
NOREASON_RULES=$NT_ROOT/rules/30-noreason.rules
# A kernel before 5.17: skb:kfree_skb gives no reason, the drop's location
# names the cause (the [reason -] rules); each scenario says where it drops
# there (SC_NR_LOC) and at which level (SC_NR_LEVEL).
NOREASON=0
nt_has_reasons || NOREASON=1
# the closed TCP port's drop as its kfree_skb line shows it
TCP_NOSOCK='reason: NO_SOCKET, tcp_v4_rcv'
[ "$NOREASON" = 1 ] && TCP_NOSOCK='tcp_v4_rcv'

if ! nt_need diag/setup cmd:ip cmd:nc cmd:ping cmd:ss; then
	exit 0
fi
DA=$(nt_ifname da); DB=$(nt_ifname db)
VC=$(nt_ifname dc); RC=$(nt_ifname dr); RS=$(nt_ifname ds); VS=$(nt_ifname dv)
if ! nt_netns_pair "$DA" "$DB" || ! nt_router "$VC" "$RC" "$RS" "$VS"; then
	echo "FAIL diag/setup: cannot create the test namespaces"
	exit 1
fi
N=$NT_NET
GW_C=10.$N.2.254	# the router, seen from the client
SPOOF4=10.$N.3.77	# a source of the server's side, sent by the client
DEADHOP4=10.$N.1.9	# on A's veth subnet, nobody answers ARP for it
DEADNET4=10.$N.77.1	# routed by A via DEADHOP4

# Regex pieces.
A4=$(re_quote "$NT_A4"); B4=$(re_quote "$NT_B4")
C4=$(re_quote "$NT_C4"); S4=$(re_quote "$NT_S4")
SP4=$(re_quote "$SPOOF4"); NR4=$(re_quote "$NT_NOROUTE4"); DN4=$(re_quote "$DEADNET4")
KF='\[kfree_skb *\]'
# A compiler's copy of a location function (ip_rcv_finish_core.constprop.0,
# .isra.0, .part.0, .cold): the kernel's symbol for the same source function.
SFX='(\.[a-z_]+(\.[0-9]+)?)*'
# A line of --detail output: hook, cpu, ifname fields.
rx_on() { printf '\\[__netif_receive_skb_core *\\]\\[cpu:[0-9]+ *\\]\\[%s *\\]' "$1"; }
tx_on() { printf '\\[__dev_queue_xmit *\\]\\[cpu:[0-9]+ *\\]\\[%s *\\]' "$1"; }
OURIF="\\]\\[($DA|$DB|$VC|$RC|$RS|$VS) *\\]\\[pid:"
FINDING='^\[[0-9]+\] (WARNING|ERROR) happens in '

# Texts of the hook rules the output must carry.
KFREE_MSG=$(nt_rule_field "$HOOK_RULES" "hook kfree_skb" "" message)
ICMP_SEND_MSG=$(nt_rule_field "$HOOK_RULES" "hook icmp_send" "" message)
RESET_MSG=$(nt_rule_field "$HOOK_RULES" "hook tcp_v4_send_reset" "" message)
PING_ANNOT=$(nt_rule_field "$DROP_RULES" "reason NO_SOCKET" "location: ping_rcv" annotate)

# ---------------------------------------------------------------------------
# The faults that stay in place for the whole suite (each touches only its
# own port, address or route).
# ---------------------------------------------------------------------------
IPT_WHY=""
if nt_missing cmd:iptables; then
	IPT_WHY=$NT_MISSING
elif ! ip netns exec "$NT_B" iptables -w 5 -A INPUT -p tcp --dport 9701 -j DROP 2>"$NT_TMP/ipt.err" ||
     ! ip netns exec "$NT_A" iptables -w 5 -A OUTPUT -p udp --dport 9702 -j DROP 2>>"$NT_TMP/ipt.err" ||
     ! ip netns exec "$NT_R" iptables -w 5 -A FORWARD -p udp --dport 9703 -j DROP 2>>"$NT_TMP/ipt.err"; then
	IPT_WHY="iptables cannot add a rule in a namespace (netfilter/x_tables missing?): $(head -n 1 "$NT_TMP/ipt.err")"
fi
NFT_WHY=""
if nt_missing cmd:nft; then
	NFT_WHY=$NT_MISSING
elif ! ip netns exec "$NT_A" nft -f - 2>"$NT_TMP/nft.err" <<EOF
table inet nt_diag_$$ {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 9704 drop
	}
}
EOF
then
	NFT_WHY="nft cannot add a table in a namespace (nf_tables missing?): $(head -n 1 "$NT_TMP/nft.err")"
fi
# Strict reverse path filter on the router's client side; the client sends
# from an address of the server's side.
RPF_WHY=""
if ! ip netns exec "$NT_R" sysctl -qw net.ipv4.conf.all.rp_filter=1 "net.ipv4.conf.$RC.rp_filter=1" 2>"$NT_TMP/rpf.err" ||
   ! ip -n "$NT_C" addr add "$SPOOF4/32" dev "$VC" 2>>"$NT_TMP/rpf.err"; then
	RPF_WHY="cannot set rp_filter in the router namespace: $(head -n 1 "$NT_TMP/rpf.err")"
fi
# A small MTU on the router's server side; the client's route to the server
# has a locked MTU, so it never learns the path MTU and every ping -M do
# reaches the router with DF set.
MTU_WHY=""
if ! ip -n "$NT_R" link set "$RS" mtu 1280 2>"$NT_TMP/mtu.err" ||
   ! ip -n "$NT_C" route add "$NT_S4/32" via "$GW_C" mtu lock 1500 2>>"$NT_TMP/mtu.err"; then
	MTU_WHY="cannot set up the small-MTU path: $(head -n 1 "$NT_TMP/mtu.err")"
fi
# A next hop that never answers ARP; one probe, 100 ms, so the neighbour
# fails fast (A's own sysctls).
NEIGH_WHY=""
if ! ip -n "$NT_A" route add "10.$N.77.0/24" via "$DEADHOP4" dev "$DA" 2>"$NT_TMP/neigh.err" ||
   ! ip netns exec "$NT_A" sysctl -qw "net.ipv4.neigh.$DA.mcast_solicit=1" \
	"net.ipv4.neigh.$DA.retrans_time_ms=100" 2>>"$NT_TMP/neigh.err"; then
	NEIGH_WHY="cannot set up the dead next hop: $(head -n 1 "$NT_TMP/neigh.err")"
fi
# An XDP program that returns XDP_DROP (1), built now.
XDP_OBJ=$NT_TMP/xdp_drop.o
XDP_WHY=""
if nt_missing cmd:clang; then
	XDP_WHY="$NT_MISSING (needed to build the XDP_DROP program)"
else
	cat > "$NT_TMP/xdp_drop.c" <<'EOF'
__attribute__((section("xdp"), used)) int xdp_drop(void *ctx) { return 1; }
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
	if ! clang -O2 -target bpf -c "$NT_TMP/xdp_drop.c" -o "$XDP_OBJ" 2>"$NT_TMP/clang.err"; then
		XDP_WHY="clang cannot build a BPF object (no bpf target?): $(head -n 1 "$NT_TMP/clang.err")"
	fi
fi
TC_WHY=""
nt_missing cmd:tc && TC_WHY=$NT_MISSING

# ---------------------------------------------------------------------------
# Per-scenario set-up and traffic.
# ---------------------------------------------------------------------------
RCV_PID=""

# rcvbuf_pre: a UDP receiver with the smallest receive buffer that never
# reads (stopped with SIGSTOP).
rcvbuf_pre()
{
	local i
	ip netns exec "$NT_B" nc -u -l -I 1 "$NT_B4" 9708 </dev/null >/dev/null 2>&1 &
	RCV_PID=$!
	NT_BG_PIDS+=("$RCV_PID")
	for (( i = 0; i < 30; i++ )); do
		ip netns exec "$NT_B" ss -Hlun "sport = :9708" 2>/dev/null | grep -q 9708 && break
		sleep 0.1
	done
	if ! ip netns exec "$NT_B" ss -Hlun "sport = :9708" 2>/dev/null | grep -q 9708; then
		SC_PRE_ERR="the UDP receiver (nc -u -l) did not bind within 3 s"
		return 1
	fi
	kill -STOP "$RCV_PID"
}

rcvbuf_post()
{
	[ -n "$RCV_PID" ] && kill -KILL "$RCV_PID" 2>/dev/null
	wait "$RCV_PID" 2>/dev/null
	RCV_PID=""
}

# rcvbuf_send: 20 datagrams at once (bash's /dev/udp: one write, one datagram).
rcvbuf_send()
{
	ip netns exec "$NT_A" timeout 3 bash -c \
		"exec 3>/dev/udp/$NT_B4/9708 && for i in {1..20}; do echo nettrace-test-\$i >&3; done" \
		>/dev/null 2>&1
	return 0
}

qdisc_pre()
{
	if ! tc -n "$NT_A" qdisc add dev "$DA" root tbf rate 80kbit burst 1600 limit 1600 2>"$NT_TMP/tc.err"; then
		SC_PRE_ERR="tc qdisc tbf not available on this kernel (CONFIG_NET_SCH_TBF): $(head -n 1 "$NT_TMP/tc.err")"
		return 1
	fi
}

qdisc_post()
{
	tc -n "$NT_A" qdisc del dev "$DA" root 2>/dev/null
}

# qdisc_send: a burst of three 1 kB pings faster than the 80 kbit/s tbf drains.
qdisc_send()
{
	ip netns exec "$NT_A" timeout 3 ping -q -n -c 3 -i 0.002 -s 1000 -W 1 "$NT_B4" </dev/null >/dev/null 2>&1
	return 0
}

xdp_pre()
{
	if ! ip -n "$NT_B" link set dev "$DB" xdpgeneric obj "$XDP_OBJ" sec xdp 2>"$NT_TMP/xdp.err"; then
		SC_PRE_ERR="cannot attach a generic XDP program (kernel without generic XDP, or ip without BPF object support): $(head -n 1 "$NT_TMP/xdp.err")"
		return 1
	fi
}

xdp_post()
{
	ip -n "$NT_B" link set dev "$DB" xdpgeneric off 2>/dev/null
}

# sc_ping NS ARGS...: one bounded ping.
sc_ping()
{
	local ns=$1
	shift
	ip netns exec "$ns" timeout 3 ping -q -n -c 1 -W 1 "$@" </dev/null >/dev/null 2>&1
	return 0
}

# ---------------------------------------------------------------------------
# The scenarios.  sc_def NAME BACKEND sets:
#   SC_REASON SC_COND SC_LEVEL  the rule that must match ([reason R] with the
#                               conditions SC_COND) and the level expected
#   SC_LOC                      regex of the drop location function(s)
#   SC_IDS                      patterns that identify the packet's block
#   SC_SEND SC_PRE SC_POST      traffic, set-up, tear-down (commands)
#   SC_WHY                      why it cannot run here (a SKIP)
# ---------------------------------------------------------------------------
SCENARIOS="iptables-input iptables-output iptables-forward nft-drop tcp-closed-port
	udp-closed-port tcp-reset no-route rp-filter ttl-expired udp-rcvbuf-full
	neigh-failed qdisc-drop xdp-drop df-too-big"

sc_def()
{
	local be=$2 hv=0
	[ "$be" = bpf ] && hv=1		# headers visible (tp_btf reads them)
	SC_COND="" SC_LEVEL=ERROR SC_IDS=() SC_PRE="" SC_POST="" SC_WHY="" SC_FLOW=""
	SC_NR_LOC="" SC_NR_LEVEL=ERROR
	case $1 in
	iptables-input)
		SC_REASON=NETFILTER_DROP SC_LOC='nf_hook_slow|nft_do_chain|ipt_do_table'
		SC_NR_LOC=nf_hook_slow SC_FLOW="TCP: $A4:[0-9]+ -> $B4:9701[ ,]"
		SC_IDS=("$(rx_on "$DB")" "!$(tx_on "$DB")")
		SC_SEND="nt_bg nt_tcp_syn $NT_A $NT_B4 9701" SC_WHY=$IPT_WHY ;;
	iptables-output)
		SC_REASON=NETFILTER_DROP SC_LOC='nf_hook_slow|nft_do_chain|ipt_do_table'
		SC_NR_LOC=nf_hook_slow SC_FLOW="UDP: $A4:[0-9]+ -> $B4:9702[ ,]"
		SC_IDS=("!\\[__dev_queue_xmit *\\]")
		SC_SEND="nt_udp_send $NT_A $NT_B4 9702" SC_WHY=$IPT_WHY ;;
	iptables-forward)
		SC_REASON=NETFILTER_DROP SC_LOC='nf_hook_slow|nft_do_chain|ipt_do_table'
		SC_NR_LOC=nf_hook_slow SC_FLOW="UDP: $C4:[0-9]+ -> $S4:9703[ ,]"
		SC_IDS=("$(rx_on "$RC")" "!$(tx_on "$RS")")
		SC_SEND="nt_udp_send $NT_C $NT_S4 9703" SC_WHY=$IPT_WHY ;;
	nft-drop)
		SC_REASON=NETFILTER_DROP SC_LOC='nf_hook_slow|nft_do_chain'
		SC_NR_LOC=nf_hook_slow SC_FLOW="UDP: $B4:[0-9]+ -> $A4:9704[ ,]"
		SC_IDS=("$(rx_on "$DA")" "!$(tx_on "$DA")")
		SC_SEND="nt_udp_send $NT_B $NT_A4 9704" SC_WHY=$NFT_WHY ;;
	tcp-closed-port)
		SC_REASON=NO_SOCKET SC_COND="proto: tcp" SC_LOC='tcp_v4_rcv'
		hv=1	# the flow comes from tcp:tcp_send_reset on tracefs
		SC_NR_LOC=tcp_v4_rcv SC_FLOW="TCP: $A4:[0-9]+ -> $B4:9705[ ,]"
		SC_IDS=("$(rx_on "$DB")")
		SC_SEND="nt_tcp_syn $NT_A $NT_B4 9705" ;;
	udp-closed-port)
		SC_REASON=NO_SOCKET SC_COND="proto: udp" SC_LOC='__udp4_lib_rcv|udp_rcv|udp_unicast_rcv_skb'
		hv=1	# the flow comes from icmp:icmp_send on tracefs
		SC_NR_LOC=__udp4_lib_rcv SC_FLOW="UDP: $A4:[0-9]+ -> $B4:9706[ ,]"
		SC_IDS=("$(rx_on "$DB")" "\\[icmp_send *\\].*\\*$(re_quote "$ICMP_SEND_MSG")\\*\$")
		SC_SEND="nt_udp_send $NT_A $NT_B4 9706" ;;
	tcp-reset)
		# The stack answers the SYN to a closed port with a RST: the
		# tcp_v4_send_reset line carries the annotation, no finding of
		# its own (INFO), and the segment's NO_SOCKET drop is the finding.
		SC_REASON=NO_SOCKET SC_COND="proto: tcp" SC_LOC='tcp_v4_rcv'
		hv=1
		SC_NR_LOC=tcp_v4_rcv SC_FLOW="TCP: $A4:[0-9]+ -> $B4:9707[ ,]"
		SC_IDS=("\\[tcp_v4_send_reset *\\].*TCP: $A4:[0-9]+ -> $B4:9707[ ,].*\\*$(re_quote "$RESET_MSG")\\*\$"
			"!happens in tcp_v4_send_reset")
		SC_SEND="nt_tcp_syn $NT_A $NT_B4 9707"
		nt_hook_avail "$be" tcp_v4_send_reset ||
			SC_WHY="hook tcp_v4_send_reset not available to the $be backend (tracepoint tcp:tcp_send_reset missing)" ;;
	no-route)
		SC_REASON=IP_INNOROUTES SC_LOC='ip_error'
		SC_NR_LOC=ip_error SC_FLOW="ICMP: $C4 -> $NR4 ping request"
		SC_IDS=("$(rx_on "$RC")")
		SC_SEND="sc_ping $NT_C $NT_NOROUTE4" ;;
	rp-filter)
		SC_REASON=IP_RPFILTER SC_LOC='ip_rcv_finish_core|ip_rcv_finish|ip_route_input_slow|ip_route_input_noref|fib_validate_source'
		SC_NR_LOC='ip_rcv_finish_core|ip_rcv_finish'
		SC_FLOW="ICMP: $SP4 -> $S4 ping request"
		SC_IDS=("$(rx_on "$RC")")
		SC_SEND="sc_ping $NT_C -I $SPOOF4 $NT_S4" SC_WHY=$RPF_WHY ;;
	ttl-expired)
		SC_REASON=IP_INHDR SC_COND="location: ip_forward" SC_LEVEL=WARNING SC_LOC='ip_forward'
		SC_NR_LOC=ip_forward SC_NR_LEVEL=WARNING
		SC_FLOW="ICMP: $C4 -> $S4 ping request"
		SC_IDS=("$(rx_on "$RC")" "\\[icmp_send *\\].*\\*$(re_quote "$ICMP_SEND_MSG")\\*\$")
		SC_SEND="sc_ping $NT_C -t 1 $NT_S4" ;;
	udp-rcvbuf-full)
		SC_REASON=SOCKET_RCVBUFF SC_LOC='udp_queue_rcv_one_skb|__udp_queue_rcv_skb|udp_queue_rcv_skb|__udp_enqueue_schedule_skb'
		SC_NR_LOC='__udp_queue_rcv_skb|udp_queue_rcv_one_skb'
		SC_FLOW="UDP: $A4:[0-9]+ -> $B4:9708[ ,]"
		SC_IDS=("$(rx_on "$DB")")
		SC_PRE=rcvbuf_pre SC_POST=rcvbuf_post SC_SEND=rcvbuf_send ;;
	neigh-failed)
		# The packet waits in the neighbour queue: no device line.
		SC_REASON=NEIGH_FAILED SC_LOC='neigh_invalidate|__neigh_event_send|neigh_timer_handler|neigh_[a-z_]+'
		SC_NR_LOC='arp_error_report|neigh_invalidate|__neigh_event_send'
		SC_FLOW="ICMP: $A4 -> $DN4 ping request"
		SC_SEND="sc_ping $NT_A $DEADNET4" SC_WHY=$NEIGH_WHY ;;
	qdisc-drop)
		# The qdisc hands its refused packets back as a list, freed by
		# kfree_skb_list_reason(): 6.1 reports that function as the
		# location, 6.12 and later its caller (__dev_queue_xmit).
		SC_REASON=QDISC_DROP SC_LOC='__dev_queue_xmit|__dev_xmit_skb|dev_qdisc_enqueue|[a-z_]+_enqueue|kfree_skb_list_reason'
		SC_NR_LOC='kfree_skb_list|__dev_xmit_skb'
		SC_FLOW="ICMP: $A4 -> $B4 ping request"
		SC_IDS=("$(tx_on "$DA")" "!$(rx_on "$DB")")
		SC_PRE=qdisc_pre SC_POST=qdisc_post SC_SEND=qdisc_send SC_WHY=$TC_WHY ;;
	xdp-drop)
		# Generic XDP frees the packet without a reason (NOT_SPECIFIED)
		# in do_xdp_generic (6.x, netif_receive_generic_xdp inlined) or
		# netif_receive_generic_xdp; kernels that give XDP use that rule.
		SC_REASON='NOT_SPECIFIED|XDP' SC_LOC='do_xdp_generic|netif_receive_generic_xdp'
		SC_NR_LOC=$SC_LOC
		SC_FLOW="ICMP: $A4 -> $B4 ping request"
		SC_IDS=("$(rx_on "$DB")")
		SC_PRE=xdp_pre SC_POST=xdp_post SC_SEND="sc_ping $NT_A $NT_B4" SC_WHY=$XDP_WHY ;;
	df-too-big)
		SC_REASON=PKT_TOO_BIG SC_LOC='ip_forward|ip_forward_finish|ip_finish_output|ip_fragment|ip_do_fragment'
		SC_NR_LOC=ip_forward SC_NR_LEVEL=WARNING
		SC_FLOW="ICMP: $C4 -> $S4 ping request"
		SC_IDS=("$(rx_on "$RC")" "!$(tx_on "$RS")" "\\[icmp_send *\\].*\\*$(re_quote "$ICMP_SEND_MSG")\\*\$")
		SC_SEND="sc_ping $NT_C -M do -s 1400 $NT_S4" SC_WHY=$MTU_WHY ;;
	esac
	# The drop line itself, with the flow where the backend shows it.
	local flow=""
	[ "$hv" = 1 ] && flow="$SC_FLOW.*"
	if [ "$NOREASON" = 1 ]; then
		# no reason; the annotation is the location's rule (sc_expect)
		# (the flow's last character may be the comma before the location)
		SC_LOC=$SC_NR_LOC SC_LEVEL=$SC_NR_LEVEL
		[ "$hv" = 1 ] && flow="$SC_FLOW( |.*, )" || flow=".*, "
		SC_IDS=("$KF.*${flow}($SC_LOC)$SFX\\+0x[0-9a-f]+ \\*[^*]+\\*\$" "${SC_IDS[@]}")
		return
	fi
	SC_IDS=("$KF.*${flow}reason: ($SC_REASON), ($SC_LOC)$SFX\\+0x[0-9a-f]+ \\*$(re_quote "$KFREE_MSG")\\*\$" "${SC_IDS[@]}")
	if [ -z "$SC_WHY" ] && [ "$SC_REASON" != 'NOT_SPECIFIED|XDP' ] && nt_missing "reason:$SC_REASON"; then
		SC_WHY=$NT_MISSING
	fi
}

# sc_expect NAME: the finding lines (SC_SEQ) the block must hold, from the
# rule that must match.  For XDP the rule depends on what this kernel
# reported (NT_BLOCK: the scenario's block).
sc_expect()
{
	local reason=$SC_REASON cond=$SC_COND kl f adv mean lvl msg annot
	if [ "$NOREASON" = 1 ]; then
		# the [reason -] rule of the function that dropped it, on the
		# kfree_skb line and as the finding, without reason lines
		kl=$(grep -E -m 1 -- "$KF" <<< "$NT_BLOCK")
		f=$(sed -E 's/.*, ([a-z_0-9]+)[a-z_0-9.]*\+0x[0-9a-f]+ \*.*/\1/' <<< "$kl")
		cond="location: $f"
		SC_RULE="[reason -] $cond"
		msg=$(nt_rule_field "$NOREASON_RULES" "reason -" "$cond" message)
		adv=$(nt_rule_field "$NOREASON_RULES" "reason -" "$cond" advice)
		annot=$(nt_rule_field "$NOREASON_RULES" "reason -" "$cond" annotate) || annot=$msg
		SC_RULE_LEVEL=$(nt_rule_field "$NOREASON_RULES" "reason -" "$cond" level)
		SC_IDS+=("$KF.*, $f$SFX\\+0x[0-9a-f]+ \\*$(re_quote "$annot")\\*\$")
		SC_SEQ=("^\\[[0-9]+\\] $SC_LEVEL happens in kfree_skb\\(life\\):\$"
			"=$msg"
			"=fix advice:"
			"=$adv"
			"=location:"
			"^($SC_LOC)$SFX\\+0x[0-9a-f]+\$")
		[ -n "$msg" ] && [ -n "$adv" ]
		return
	fi
	if [ "$1" = xdp-drop ]; then
		kl=$(grep -E -m 1 -- "$KF.*reason: " <<< "$NT_BLOCK")
		if [[ $kl == *"reason: XDP,"* ]]; then
			reason=XDP cond=""
		else
			f=$(sed -E 's/.*reason: [A-Z_]+, ([a-z_0-9]+)[a-z_0-9.]*\+0x.*/\1/' <<< "$kl")
			reason=NOT_SPECIFIED cond="location: $f"
		fi
	fi
	SC_RULE="[reason $reason]${cond:+ $cond}"
	adv=$(nt_rule_field "$DROP_RULES" "reason $reason" "$cond" advice)
	mean=$(nt_rule_field "$DROP_RULES" "reason $reason" "$cond" meaning)
	lvl=$(nt_rule_field "$DROP_RULES" "reason $reason" "$cond" level)
	[ -z "$mean" ] && mean=$(nt_rule_field "$DROP_RULES" "reason $reason" "$cond" message)
	SC_RULE_LEVEL=$lvl
	SC_SEQ=("^\\[[0-9]+\\] $SC_LEVEL happens in kfree_skb\\(life\\):\$"
		"=$KFREE_MSG"
		"=fix advice:"
		"=$adv"
		"=location:"
		"^($SC_LOC)$SFX\\+0x[0-9a-f]+\$"
		"=drop reason:"
		"=$reason"
		"=reason meaning:"
		"=$mean")
	[ -n "$adv" ] && [ -n "$mean" ]
}

# await PAT... -- CMD...: run CMD (bounded traffic), then wait up to 3 s for
# a block matching every PAT; up to 3 tries.  The first PAT (a regex) is
# looked for in the new output only, the whole block is checked when it is
# there (cheap even when the host adds lots of unrelated output).
await()
{
	local pats=() i j off
	while [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	off=$(( $(stat -c %s "$NT_OUT" 2>/dev/null || echo 0) + 1 ))
	for i in 1 2 3; do
		"$@"
		for (( j = 0; j < 30; j++ )); do
			if tail -c "+$off" "$NT_OUT" 2>/dev/null | grep -Eq -- "${pats[0]}"; then
				nt_block_seq "$NT_OUT" "${pats[@]}" && return 0
			else
				# only what is new next time (with an overlap
				# for a line written half)
				off=$(( $(stat -c %s "$NT_OUT") - 4096 ))
				[ "$off" -lt 1 ] && off=1
			fi
			nt_alive "$NT_PID" || return 1
			sleep 0.1
		done
	done
	return 1
}

# detail_block_of NAME PAT...: the block that matched the identifying
# patterns (the finding part was wrong), or the whole run.
detail_block_of()
{
	shift
	if nt_block_seq "$NT_OUT" "$@"; then
		detail "the block of this packet:"
		while IFS= read -r l; do
			detail "  | $l"
		done <<< "$NT_BLOCK"
	else
		detail "no block with lines matching each of:"
		local p
		for p in "$@"; do
			detail "    $p"
		done
		detail_run
	fi
}

# rcvbuf_hook_finding BACKEND: where the backend hooks udp:udp_fail_queue_rcv_skb
# (nettrace -t list), the full buffer is also a finding of that hook, in the
# block of the dropped datagram (the seed's "UDP packet can't be queued").
rcvbuf_hook_finding()
{
	local be=$1 t=diag/$1/udp-rcvbuf-hook-finding msg adv
	if ! nt_hook_avail "$be" udp_fail_queue_rcv_skb; then
		skip "$t" "hook udp_fail_queue_rcv_skb not available to the $be backend on this kernel (nettrace -t list: $(nt_hook_table | grep -E '^ +udp +udp_fail_queue_rcv_skb ' | tr -s ' ' | sed 's/^ //'))"
		return
	fi
	msg=$(nt_rule_field "$HOOK_RULES" "hook udp_fail_queue_rcv_skb" "" message)
	adv=$(nt_rule_field "$HOOK_RULES" "hook udp_fail_queue_rcv_skb" "" advice)
	if nt_block_seq "$NT_OUT" "${SC_IDS[@]}" \
		"\\[udp_fail_queue_rcv_skb *\\].*\\*$(re_quote "$msg")\\*\$" -- \
		'^\[[0-9]+\] ERROR happens in udp_fail_queue_rcv_skb\(udp\):$' "=$msg" "=fix advice:" "=$adv"; then
		pass "$t"
	else
		detail "nettrace -t list: udp_fail_queue_rcv_skb hookable by $be; expected its line and finding:"
		detail "    [N] ERROR happens in udp_fail_queue_rcv_skb(udp):" "    $msg" "    fix advice:" "    $adv"
		detail_block_of "$t" "${SC_IDS[@]}"
		fail "$t" "no udp_fail_queue_rcv_skb event/finding in the block of the dropped datagram"
	fi
}

# ours_only: keep, in NT_OUT, the blocks of the suite's traffic (one of its
# interfaces or addresses, or no interface at all); the whole output stays in
# NT_OUT.full.  A busy host (another test flooding drops) can add millions of
# lines that every later check would read again.
ours_only()
{
	mv "$NT_OUT" "$NT_OUT.full"
	NT_OURS="\\]\\[($DA|$DB|$VC|$RC|$RS|$VS) *\\]\\[pid:|[ \\[]10\\.$N\\." awk '
		function flush(   j) {
			if (nl && (ours || !other))
				for (j = 1; j <= nl; j++) print L[j]
			nl = 0; ours = 0; other = 0
		}
		/^\*+ [0-9a-f]/ { flush(); inb = 1 }
		!inb { print; next }
		{ L[++nl] = $0 }
		$0 ~ ENVIRON["NT_OURS"] { ours = 1 }
		/\]\[cpu:[0-9]+ *\]\[[^] ][^]]*\]\[pid:/ { other = 1 }
		END { flush() }' "$NT_OUT.full" > "$NT_OUT"
}

# ---------------------------------------------------------------------------
# One run with every fault, per backend.
# ---------------------------------------------------------------------------
faults()
{
	local be=$1 s t pre_err=() ran=() n
	declare -A why
	# shellcheck disable=SC2046
	if nt_missing $(nt_backend_features "$be"); then
		for s in $SCENARIOS keep; do
			skip "diag/$be/$s" "$NT_MISSING"
		done
		return
	fi
	# --diag-quiet: only the blocks with a finding (what is checked here;
	# the rest of a busy host's traffic is not printed).
	if ! nt_start --diag --diag-keep --diag-quiet -p ip --detail --backend="$be"; then
		for s in $SCENARIOS keep; do
			fail "diag/$be/$s" "nettrace --diag did not start"
		done
		return
	fi
	for s in $SCENARIOS; do
		sc_def "$s" "$be"
		if [ -n "$SC_WHY" ]; then
			why[$s]=$SC_WHY
			continue
		fi
		SC_PRE_ERR=""
		if [ -n "$SC_PRE" ] && ! $SC_PRE; then
			why[$s]=$SC_PRE_ERR
			[ -n "$SC_POST" ] && $SC_POST
			continue
		fi
		# shellcheck disable=SC2086
		await "${SC_IDS[@]}" -- $SC_SEND
		[ -n "$SC_POST" ] && $SC_POST
	done
	sleep 0.3
	n=$(nt_count "$FINDING")
	if ! nt_alive "$NT_PID"; then
		detail "nettrace --diag --diag-keep exited on its own after $n findings"
		detail_run
		fail "diag/$be/keep" "--diag-keep did not keep tracing after an ERROR"
		nt_wait_exit 1
	elif ! nt_stop; then
		fail "diag/$be/keep" "nettrace did not stop on SIGINT"
	elif [ "$NT_RC" != 0 ]; then
		detail_run
		fail "diag/$be/keep" "exit status $NT_RC after SIGINT, expected 0"
	elif [ "$(nt_count '^\[[0-9]+\] ERROR happens in ')" -lt 2 ]; then
		detail_run
		fail "diag/$be/keep" "fewer than two ERROR findings printed with --diag-keep"
	elif expect_no_line '^analysis finished!$'; then
		pass "diag/$be/keep"
	else
		fail "diag/$be/keep" "--diag-keep printed 'analysis finished!'"
	fi

	ours_only
	for s in $SCENARIOS; do
		t=diag/$be/$s
		if [ -n "${why[$s]:-}" ]; then
			skip "$t" "${why[$s]}"
			continue
		fi
		sc_def "$s" "$be"
		if ! nt_block_seq "$NT_OUT" "${SC_IDS[@]}"; then
			detail_block_of "$t" "${SC_IDS[@]}"
			fail "$t" "no lifecycle block with the expected drop ($SC_REASON at $SC_LOC)"
			continue
		fi
		if ! sc_expect "$s"; then
			detail "no rule $SC_RULE with advice and meaning in $DROP_RULES (before 5.17: $NOREASON_RULES)"
			fail "$t" "test bug or rule missing: $SC_RULE"
			continue
		fi
		if [ "$SC_RULE_LEVEL" != "$SC_LEVEL" ]; then
			detail "rule $SC_RULE has level $SC_RULE_LEVEL, this fault is expected as $SC_LEVEL"
		fi
		if nt_block_seq "$NT_OUT" "${SC_IDS[@]}" -- "${SC_SEQ[@]}"; then
			pass "$t"
			[ "$s" = udp-rcvbuf-full ] && rcvbuf_hook_finding "$be"
		else
			nt_block_seq "$NT_OUT" "${SC_IDS[@]}"
			detail "expected the finding (consecutive lines) in the block of the dropped packet:"
			local p
			for p in "${SC_SEQ[@]}"; do
				detail "    $p"
			done
			detail_block_of "$t" "${SC_IDS[@]}"
			fail "$t" "wrong or missing diagnosis for $SC_REASON (rule $SC_RULE)"
		fi
	done
}

# our_findings: the blocks of the last run that have a finding and are not
# clearly another interface's (an ifname that is not one of the suite's and
# none of the suite's).
our_findings()
{
	NT_OURS="^($DA|$DB|$VC|$RC|$RS|$VS)\$" awk '
		function flush(   j) {
			if (nl && fnd && (ours || !other))
				for (j = 1; j <= nl; j++) print L[j]
			nl = 0; fnd = 0; ours = 0; other = 0
		}
		/^\*+ [0-9a-f]/ { flush(); inb = 1 }
		!inb { next }
		{ L[++nl] = $0 }
		/^\[[0-9]+\] (WARNING|ERROR) happens in / { fnd = 1 }
		/\]\[cpu:[0-9]+ *\]\[[^]]*\]\[pid:/ {
			f = $0
			sub(/.*\]\[cpu:[0-9]+ *\]\[/, "", f)
			sub(/\]\[pid:.*/, "", f)
			gsub(/ /, "", f)
			if (f == "") next
			if (f ~ ENVIRON["NT_OURS"]) ours = 1; else other = 1
		}
		END { flush() }' "$NT_OUT"
}

# ---------------------------------------------------------------------------
# No false alarms: ping and a small TCP transfer, no WARNING or ERROR.
# ---------------------------------------------------------------------------
healthy()
{
	local be=$1 t=diag/$1/healthy t2=diag/$1/echo-reply-no-socket-info lpid i ok=1 filt=()
	if ! nt_backend_need "$t" "$be"; then
		skip "$t2" "$NT_MISSING"
		return
	fi
	# bpf filters by address.  tracefs cannot here: it keeps tracing
	# (--diag-keep) and only findings of blocks that are not clearly
	# another interface's (see our_findings) count.
	if [ "$be" = bpf ]; then
		filt=(--addr "$NT_A4")
	else
		filt=(--diag-keep)
	fi
	if ! nt_start --diag -p ip --detail --backend="$be" "${filt[@]}"; then
		fail "$t" "nettrace did not start"
		skip "$t2" "nettrace did not start"
		return
	fi
	ip netns exec "$NT_B" timeout 10 nc -l "$NT_B4" 9801 </dev/null >"$NT_TMP/healthy.rcv" 2>&1 &
	lpid=$!
	NT_BG_PIDS+=("$lpid")
	for (( i = 0; i < 30; i++ )); do
		ip netns exec "$NT_B" ss -Hltn "sport = :9801" 2>/dev/null | grep -q 9801 && break
		sleep 0.1
	done
	if ! ip netns exec "$NT_A" timeout 5 ping -q -n -c 3 -i 0.2 -W 1 "$NT_B4" </dev/null >"$NT_TMP/healthy.ping" 2>&1; then
		detail "ping A -> B failed: $(tail -n 2 "$NT_TMP/healthy.ping" | tr '\n' ' ')"
		ok=0
	fi
	if ! head -c 65536 /dev/zero | ip netns exec "$NT_A" timeout 5 nc -N "$NT_B4" 9801 >/dev/null 2>&1; then
		detail "the TCP transfer A -> B:9801 failed"
		ok=0
	fi
	nt_wait_gone "$lpid" 5
	if [ "$(wc -c < "$NT_TMP/healthy.rcv")" != 65536 ]; then
		detail "the receiver got $(wc -c < "$NT_TMP/healthy.rcv") bytes, expected 65536"
		ok=0
	fi
	# The last segments (FIN/ACK) are freed right after the receiver exits.
	sleep 0.3
	if ! nt_alive "$NT_PID"; then
		nt_wait_exit 1
		detail "nettrace --diag ended the trace by itself (an ERROR was found)"
	else
		nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; skip "$t2" "see $t"; return; }
	fi
	if [ "$ok" = 0 ]; then
		detail_run
		fail "$t" "the healthy exchange did not work (test set-up)"
	elif [ "$be" = bpf ] && ! expect_no_line "$FINDING|^analysis finished!$|ANALYSIS RESULT"; then
		detail_run
		fail "$t" "a healthy ping + TCP exchange produced a finding (false alarm)"
	elif [ "$be" = tracefs ] && [ -n "$(our_findings)" ]; then
		detail "blocks with a finding (not of another interface):"
		while IFS= read -r l; do
			detail "  | $l"
		done < <(our_findings | head -n 60)
		fail "$t" "a healthy ping + TCP exchange produced a finding (false alarm)"
	elif [ "$be" = bpf ] && ! expect_line "TCP: $A4:[0-9]+ -> $B4:9801 .*flags:.*F" ; then
		fail "$t" "the TCP transfer was not traced"
	elif [ "$be" = tracefs ] && [ "$(nt_count "$OURIF")" -lt 20 ]; then
		detail "only $(nt_count "$OURIF") event lines on the suite's veths"
		detail_run
		fail "$t" "the exchange was not traced"
	else
		pass "$t"
	fi
	# The ping socket's echo replies: NO_SOCKET in ping_rcv/icmp_rcv is
	# normal (ping uses a raw socket here), annotated, not a finding.
	# Before 5.17: no reason, icmp_rcv's [reason -] rule.
	local echo_re="$KF.*reason: NO_SOCKET, (ping_rcv|icmp_rcv)" annot=$PING_ANNOT
	if [ "$NOREASON" = 1 ]; then
		echo_re="$KF.*, icmp_rcv"
		annot=$(nt_rule_field "$NOREASON_RULES" "reason -" "location: icmp_rcv; proto: icmp" annotate)
	fi
	if grep -Eq -- "$echo_re\\+0x" "$NT_OUT"; then
		if expect_line "$echo_re\\+0x[0-9a-f]+ \\*$(re_quote "$annot")\\*\$" &&
		   expect_no_line "$FINDING"; then
			pass "$t2"
		else
			fail "$t2" "the echo reply freed with NO_SOCKET is not shown as normal"
		fi
	else
		skip "$t2" "no echo reply was freed here (ping uses an ICMP datagram socket, or the kernel consumes the reply)"
	fi
}

# healthy6 BACKEND: IPv6 ping while A gets a new address (its MLD report to
# ff02::16 reaches B, which has not joined that group: ip6_mc_input drops
# it, as on every IPv6 link).  Normal IPv6 operation: no finding of the
# suite's interfaces.
healthy6()
{
	local be=$1 t=diag/$1/healthy-ipv6-mld
	nt_backend_need "$t" "$be" || return
	nt_need "$t" ipv6 || return
	nt_start --diag --diag-keep -p ipv6 --detail --backend="$be" ||
		{ fail "$t" "nettrace did not start"; return; }
	ip -n "$NT_A" addr add "fd00:$N:1::$(( RANDOM % 200 + 10 ))/64" dev "$DA" nodad
	ip netns exec "$NT_A" timeout 5 ping -6 -q -n -c 2 -i 0.2 -W 1 "$NT_B6" </dev/null >/dev/null 2>&1
	wait_line "ip6_mc_input|ping_rcv|icmpv6_rcv" 2
	sleep 0.3
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if [ -n "$(our_findings)" ]; then
		detail "blocks with a finding:"
		while IFS= read -r l; do
			detail "  | $l"
		done < <(our_findings | head -n 40)
		fail "$t" "normal IPv6 traffic (MLD report, ping) produced a finding (false alarm)"
	else
		pass "$t"
	fi
}

# ---------------------------------------------------------------------------
# --diag-quiet: only packets with a WARNING or ERROR are printed.
# ---------------------------------------------------------------------------
quiet()
{
	local be=$1 t=diag/$1/quiet nb na
	nt_backend_need "$t" "$be" || return
	local filt=()
	[ "$be" = bpf ] && filt=(--addr "$NT_A4")
	nt_start --diag --diag-quiet --diag-keep -p ip --detail --backend="$be" "${filt[@]}" ||
		{ fail "$t" "nettrace did not start"; return; }
	nt_ping "$NT_A" "$NT_B4" 2
	await "$KF.*TCP: $A4:[0-9]+ -> $B4:9731[ ,].*$TCP_NOSOCK" -- nt_tcp_syn "$NT_A" "$NT_B4" 9731
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	nb=$(nt_count '^\*+ [0-9a-f]')
	na=$(nt_count '^-+ ANALYSIS RESULT -+$')
	if ! nt_block_seq "$NT_OUT" "$KF.*TCP: $A4:[0-9]+ -> $B4:9731[ ,].*$TCP_NOSOCK" \
		-- '^\[[0-9]+\] ERROR happens in kfree_skb\(life\):$'; then
		detail "no finding for the closed port $NT_B4:9731"
		detail_run
		fail "$t" "--diag-quiet hid the faulty packet"
	elif [ "$nb" != "$na" ]; then
		detail "$nb blocks printed, $na with ANALYSIS RESULT"
		detail_run
		fail "$t" "--diag-quiet printed packets without a WARNING or ERROR"
	elif ! expect_no_line "$(re_quote "*$PING_ANNOT*")|\\*$(re_quote "$(nt_rule_field "$HOOK_RULES" "hook consume_skb" "" message)")\\*"; then
		fail "$t" "--diag-quiet printed healthy packets"
	else
		pass "$t"
	fi
}

# ---------------------------------------------------------------------------
# Without --diag-keep the first ERROR ends the trace.
# ---------------------------------------------------------------------------
first_error()
{
	local be=$1 t=diag/$1/first-error-ends i try last2 filt=()
	nt_backend_need "$t" "$be" || return
	[ "$be" = bpf ] && filt=(--addr "$NT_A4")
	# tracefs cannot filter here: when another packet of the host ends
	# the trace first, try again (3 runs at most).
	for try in 1 2 3; do
		nt_start --diag -p ip --detail --backend="$be" "${filt[@]}" ||
			{ fail "$t" "nettrace did not start"; return; }
		for i in 1 2 3; do
			nt_tcp_syn "$NT_A" "$NT_B4" 9741
			nt_wait_gone "$NT_PID" 3 && break
		done
		if ! nt_wait_exit 2; then
			detail_run
			fail "$t" "nettrace --diag did not end after an ERROR"
			return
		fi
		nt_block_seq "$NT_OUT" "$KF.*TCP: $A4:[0-9]+ -> $B4:9741[ ,].*$TCP_NOSOCK" && break
		[ "$be" = tracefs ] || break
	done
	last2=$(grep -v '^summary:' "$NT_OUT" | tail -n 2 | tr '\n' '|')
	if [ "$NT_RC" != 0 ]; then
		detail_run
		fail "$t" "exit status $NT_RC, expected 0"
	elif [ "$(nt_count '^-+ ANALYSIS RESULT -+$')" != 1 ]; then
		detail_run
		fail "$t" "expected exactly one ANALYSIS RESULT"
	elif ! nt_block_seq "$NT_OUT" "$KF.*TCP: $A4:[0-9]+ -> $B4:9741[ ,].*$TCP_NOSOCK" \
		-- '^\[[0-9]+\] ERROR happens in kfree_skb\(life\):$'; then
		# (where return values exist, __inet_lookup_listener's WARNING
		# "tcp port is not listened" comes first)
		detail "the ERROR that ended the trace is not the closed port $NT_B4:9741 (in $try runs)"
		detail_run
		fail "$t" "the trace ended on another packet"
	elif [ "$last2" != "analysis finished!|end trace...|" ]; then
		detail "last lines (without summary): $last2"
		detail_run
		fail "$t" "output does not end with 'analysis finished!' then 'end trace...'"
	elif ! nt_no_leftovers; then
		fail "$t" "leftovers after the trace ended"
	else
		pass "$t"
	fi
}

# ---------------------------------------------------------------------------
# --rules FILE: overriding a rule changes the finding; a malformed file is
# refused with file:line: message.
# ---------------------------------------------------------------------------
rules_override()
{
	local be=$1 t=diag/$1/rules-override f=$NT_TMP/override.rules
	nt_backend_need "$t" "$be" || return
	# the closed TCP port as a WARNING with its own advice (before 5.17:
	# the rule of its location)
	local hdr="[reason NO_SOCKET]" cond="proto: tcp" more=()
	[ "$NOREASON" = 1 ] && hdr="[reason -]" cond="location: tcp_v4_rcv"
	[ "$NOREASON" = 0 ] && more=("=drop reason:" "=NO_SOCKET" "=reason meaning:"
				     "=nettrace-test override message $$")
	cat > "$f" <<EOF
# nettrace test
$hdr
$cond
level: WARNING
message: nettrace-test override message $$
advice: nettrace-test override advice $$
EOF
	local filt=()
	[ "$be" = bpf ] && filt=(--addr "$NT_A4")
	nt_start --diag --diag-keep -p ip --detail --backend="$be" --rules "$f" "${filt[@]}" ||
		{ fail "$t" "nettrace did not start"; return; }
	await "$KF.*TCP: $A4:[0-9]+ -> $B4:9751[ ,].*$TCP_NOSOCK" -- nt_tcp_syn "$NT_A" "$NT_B4" 9751
	nt_stop || { fail "$t" "nettrace did not stop on SIGINT"; return; }
	if nt_block_seq "$NT_OUT" "$KF.*TCP: $A4:[0-9]+ -> $B4:9751[ ,].*$TCP_NOSOCK" -- \
		'^\[[0-9]+\] WARNING happens in kfree_skb\(life\):$' \
		"=$([ "$NOREASON" = 1 ] && echo "nettrace-test override message $$" || echo "$KFREE_MSG")" \
		"=fix advice:" "=nettrace-test override advice $$" "=location:" '^tcp_v4_rcv\+0x[0-9a-f]+$' \
		"${more[@]}"; then
		pass "$t"
	else
		detail "expected the overriding rule's level, advice and message (as meaning)"
		detail_block_of "$t" "$KF.*TCP: $A4:[0-9]+ -> $B4:9751[ ,].*$TCP_NOSOCK"
		fail "$t" "--rules did not override $hdr $cond"
	fi
}

rules_malformed()
{
	local be=$1 t=diag/$1/rules-malformed f line msg bad=0
	nt_backend_need "$t" "$be" || return
	# file | line | message (regex)
	printf '[reason NO_SOCKET]\nlevel: ERROR\nmessage: x\nadvice: y\n\n[reason FOO]\nlevel: BAD\nmessage: m\n' \
		> "$NT_TMP/bad-level.rules"
	printf '# comment\n[reason X]\nlevel: ERROR\nfoo: bar\n' > "$NT_TMP/bad-key.rules"
	printf '# comment\n\n[nonsense\n' > "$NT_TMP/bad-header.rules"
	printf '[reason X]\nlevel: ERROR\nmessage: m\n' > "$NT_TMP/no-advice.rules"
	printf '\n[hook consume_skb]\nmessage: m\n' > "$NT_TMP/no-level.rules"
	while IFS='|' read -r f line msg; do
		nt_run_fg 10 --diag --backend="$be" --rules "$NT_TMP/$f" -c 1
		if [ "$NT_RC" = 0 ] || [ "$NT_RC" = 124 ]; then
			detail "$f: exit status $NT_RC, expected non-zero"
			detail_run
			bad=1
		elif ! grep -Eq -- "$(re_quote "$NT_TMP/$f"):$line: .*$msg" "$NT_ERR"; then
			detail "$f: expected stderr '$NT_TMP/$f:$line: ...$msg...'"
			detail_run
			bad=1
		elif grep -q 'begin trace' "$NT_OUT" "$NT_ERR"; then
			detail "$f: 'begin trace...' printed for a malformed rule file"
			bad=1
		fi
	done <<'EOF'
bad-level.rules|7|level
bad-key.rules|4|key
bad-header.rules|3|reason
no-advice.rules|1|advice
no-level.rules|2|level
EOF
	if [ "$bad" = 0 ]; then
		pass "$t"
	else
		fail "$t" "a malformed --rules file was not refused with file:line: message"
	fi
}

for be in $BACKENDS; do
	faults "$be"
	healthy "$be"
	healthy6 "$be"
	quiet "$be"
	first_error "$be"
	rules_override "$be"
	rules_malformed "$be"
done
exit 0
