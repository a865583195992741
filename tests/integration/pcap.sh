#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --pcap: traced packets in a pcap-ng file that tshark reads without a
# warning, dissecting the addresses and ports the scenario used, with the
# hook, reason and location in each packet's comment and the hook as its
# interface; refused where the packets' bytes cannot be had; and written
# again from a recording (--replay --pcap).
. "$(dirname "$0")/lib.sh"
nt_suite_init

# tshark_fields FILE FIELD...: one line per packet, fields separated by '|'
tshark_fields()
{
	local file=$1 args=() f
	shift
	for f in "$@"; do args+=(-e "$f"); done
	tshark -r "$file" -T fields -E separator='|' "${args[@]}" 2> "$NT_TMP/tshark.err"
}

# clean_read FILE: tshark reads it without a warning or an error
clean_read()
{
	# (tshark's note on running as root is about tshark, not the file)
	tshark -r "$1" 2>&1 > /dev/null | grep -v 'Running as user "root"' > "$NT_TMP/tshark.err"
	if [ -s "$NT_TMP/tshark.err" ]; then
		detail "tshark on $1: $(head -c 400 "$NT_TMP/tshark.err")"
		return 1
	fi
	return 0
}

if ! nt_netns_pair; then
	fail pcap/setup "cannot create the namespaces"
	exit 1
fi
ip netns exec "$NT_B" iptables -w -A INPUT -p udp --dport 7777 -j DROP

# --drop: the dropped datagram, its addresses and port, the reason
name=pcap/bpf/drop
if nt_backend_need "$name" bpf && nt_need "$name" cmd:tshark; then
	ok=1
	if nt_start --drop -p ip --backend=bpf --pcap "$NT_TMP/drop.pcapng" \
		--record "$NT_TMP/drop.ntr"; then
		send_until 'NETFILTER_DROP' nt_udp_send "$NT_A" "$NT_B4" 7777
		nt_stop || ok=0
		clean_read "$NT_TMP/drop.pcapng" || ok=0
		tshark_fields "$NT_TMP/drop.pcapng" ip.src ip.dst udp.dstport frame.comment \
			frame.interface_name > "$NT_TMP/fields"
		grep -E "^$NT_A4\|$NT_B4\|7777\|hook kfree_skb; .*reason NETFILTER_DROP; location nft_do_chain.*\|hook:kfree_skb$" \
			"$NT_TMP/fields" >/dev/null ||
			{ detail "no packet $NT_A4 -> $NT_B4:7777 with its drop in the comment:";
			  detail_file fields "$NT_TMP/fields"; ok=0; }
	else
		ok=0
	fi
	[ $ok = 1 ] && pass "$name" || fail "$name" "the dropped packet is not in the capture as it was"
fi

# lifecycle: a ping's packets at each hook, one interface per hook
name=pcap/bpf/lifecycle
if nt_backend_need "$name" bpf && nt_need "$name" cmd:tshark; then
	ok=1
	if nt_start -p icmp --backend=bpf --pcap "$NT_TMP/life.pcapng"; then
		send_until 'ping reply' nt_ping "$NT_A" "$NT_B4" 1
		nt_stop || ok=0
		clean_read "$NT_TMP/life.pcapng" || ok=0
		tshark_fields "$NT_TMP/life.pcapng" frame.interface_name ip.src ip.dst icmp.type \
			> "$NT_TMP/fields"
		n=$(grep -c "|$NT_A4|$NT_B4|8$" "$NT_TMP/fields")
		hooks=$(grep "|$NT_A4|$NT_B4|8$" "$NT_TMP/fields" | cut -d'|' -f1 | sort -u | wc -l)
		[ "$hooks" -ge 2 ] && [ "$n" -ge "$hooks" ] ||
			{ detail "the echo request at $hooks hooks ($n packets); want 2 or more";
			  detail_file fields "$NT_TMP/fields"; ok=0; }
		grep -q "|$NT_B4|$NT_A4|0$" "$NT_TMP/fields" ||
			{ detail "no echo reply"; ok=0; }
	else
		ok=0
	fi
	[ $ok = 1 ] && pass "$name" || fail "$name" "a ping is not in the capture hook by hook"
fi

# from a recording made with --pcap, on any machine
name=pcap/replay
if [ -s "$NT_TMP/drop.ntr" ] && nt_need "$name" cmd:tshark; then
	"$NT_BIN" --drop -p ip --replay "$NT_TMP/drop.ntr" --pcap "$NT_TMP/replay.pcapng" \
		> /dev/null 2> "$NT_TMP/replay.err"
	rc=$?
	tshark_fields "$NT_TMP/drop.pcapng" ip.src ip.dst udp.dstport frame.comment > "$NT_TMP/a"
	tshark_fields "$NT_TMP/replay.pcapng" ip.src ip.dst udp.dstport frame.comment > "$NT_TMP/b"
	if [ "$rc" = 0 ] && [ -s "$NT_TMP/a" ] && diff -q "$NT_TMP/a" "$NT_TMP/b" >/dev/null; then
		pass "$name"
	else
		detail "exit status $rc: $(head -c 300 "$NT_TMP/replay.err")"
		detail_file live "$NT_TMP/a"
		detail_file replay "$NT_TMP/b"
		fail "$name" "the replay's capture differs from the live one"
	fi
else
	skip "$name" "no bpf recording with packet bytes (the bpf backend or tshark is missing)"
fi

# tracefs: refused, with the reason, nothing left behind
name=pcap/tracefs/refused
if nt_backend_need "$name" tracefs; then
	nt_run_fg 10 --drop --backend=tracefs --pcap "$NT_TMP/t.pcapng"
	ok=1
	[ "$NT_RC" = 1 ] || { detail "exit status $NT_RC, want 1"; ok=0; }
	grep -q -- "--pcap needs the packets' bytes" "$NT_ERR" || { detail_run; ok=0; }
	nt_no_leftovers || ok=0
	[ $ok = 1 ] && pass "$name" || fail "$name" "--pcap on tracefs not refused clearly"
fi
exit 0
