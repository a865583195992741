#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernels that ship without BTF: nettrace runs where /sys/kernel/btf is
# empty (a private mount namespace with an empty tmpfs over it, as on such a
# kernel) and reads the types from --btf-path FILE instead (a copy of this
# kernel's BTF, as distributions publish for kernels without it).  bpf
# refuses clearly without it and works with it; tracefs's kprobe events take
# their offsets from it (packet headers), where the kernel has kprobes.
# Without the file, tracefs calibrates the offsets (a probe frame on a tap
# device in a namespace of its own): they must equal the BTF's, and the
# packet headers show.

. "$(dirname "$0")/lib.sh"
nt_suite_init

NAMES="btfpath/check-without btfpath/bpf-refused-without btfpath/bpf-drop
	btfpath/tracefs-headers btfpath/calibrated-equals-btf btfpath/tracefs-calibrated"
nt_pair_suite btfpath "$NAMES" cmd:unshare cmd:nc cmd:ip btf
BTF=$NT_TMP/vmlinux.btf
cp /sys/kernel/btf/vmlinux "$BTF" || { echo "FAIL btfpath/setup: cannot copy the kernel's BTF"; exit 1; }

# A nettrace that sees no kernel BTF: in a mount namespace of its own with an
# empty tmpfs over /sys/kernel/btf (exec keeps the pid: signals reach it).
NOBTF=$NT_TMP/nettrace-nobtf
cat > "$NOBTF" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t tmpfs nt-nobtf /sys/kernel/btf && exec "\$0" "\$@"' "$NT_BIN" "\$@"
EOF
chmod +x "$NOBTF"
if ! "$NOBTF" --version > /dev/null 2>&1 ||
	! unshare -m --propagation private sh -c 'mount -t tmpfs nt-nobtf /sys/kernel/btf && [ ! -e /sys/kernel/btf/vmlinux ]'; then
	skip_all "cannot hide the kernel's BTF in a private mount namespace (unshare -m, tmpfs)" $NAMES
	exit 0
fi
REAL_BIN=$NT_BIN

name=btfpath/check-without
out=$("$NOBTF" --check 2>&1)
with=$("$NOBTF" --check --btf-path "$BTF" 2>&1)
# where kprobe events exist, --check also says where their offsets come from
kp_without='.' kp_with='.'
if ! nt_missing kprobes; then
	kp_without='^kprobe event offsets \(tracefs\): calibrated \(no kernel BTF, no --btf-path\): sk_buff head [0-9]+'
	kp_with='^kprobe event offsets \(tracefs\): from .*vmlinux\.btf \(--btf-path\): sk_buff head [0-9]+'
fi
if grep -Eq '^  kernel BTF +no ' <<< "$out" && grep -Eq '^  bpf +no .*no kernel BTF.*--btf-path' <<< "$out" &&
	grep -Eq -- "$kp_without" <<< "$out" &&
	grep -Eq '^  kernel BTF +yes .*vmlinux.btf' <<< "$with" && grep -Eq -- "$kp_with" <<< "$with"; then
	pass "$name"
else
	detail "--check without kernel BTF:" "$(grep -Ev '^  [a-z-]+ +[a-z_]+ ' <<< "$out" | head -n 30)"
	detail "--check --btf-path: $(grep -E 'BTF|offsets' <<< "$with")"
	fail "$name" "--check does not say that BTF is missing and that --btf-path gives it"
fi

name=btfpath/bpf-refused-without
"$NOBTF" --drop --backend=bpf > "$NT_TMP/refused.out" 2> "$NT_TMP/refused.err"
rc=$?
if [ "$rc" != 0 ] && grep -q 'BTF' "$NT_TMP/refused.err" && grep -q -- '--btf-path' "$NT_TMP/refused.err" &&
	! grep -q 'begin trace' "$NT_TMP/refused.out"; then
	pass "$name"
else
	detail "exit status $rc; stderr: $(head -c 400 "$NT_TMP/refused.err")"
	fail "$name" "--backend=bpf without kernel BTF is not refused with the reason and the way out"
fi

name=btfpath/bpf-drop
NT_BIN=$NOBTF
if nt_start --drop --backend=bpf --btf-path "$BTF" -p udp --dport 7301; then
	if send_until "UDP: $A4:[0-9]+ -> $B4:7301, (reason: NO_SOCKET, )?__udp4_lib_rcv" \
		nt_udp_send "$NT_A" "$NT_B4" 7301; then
		nt_stop
		pass "$name"
	else
		nt_stop
		detail_run
		fail "$name" "bpf with --btf-path did not report the drop"
	fi
else
	detail_run
	fail "$name" "bpf with --btf-path and no kernel BTF did not start"
fi

# tracefs: kprobe events whose offsets come from the file show the packet
# (ip_rcv's line with B's address).
name=btfpath/tracefs-headers
NT_BIN=$REAL_BIN
if nt_missing kprobes; then
	skip_all "$NT_MISSING: the tracefs backend takes no offsets from BTF or calibration here" \
		btfpath/tracefs-headers btfpath/calibrated-equals-btf btfpath/tracefs-calibrated
	exit 0
fi
NT_BIN=$NOBTF
if nt_start --backend=tracefs --btf-path "$BTF" -t ip_rcv -t kfree_skb -p icmp --detail; then
	if send_until "\\[ip_rcv *\\].*ICMP: $A4 -> $B4 ping request" nt_ping "$NT_A" "$NT_B4" 1; then
		nt_stop
		pass "$name"
	else
		nt_stop
		detail_run
		fail "$name" "tracefs kprobe events with --btf-path offsets show no headers"
	fi
else
	detail_run
	fail "$name" "tracefs with --btf-path and no kernel BTF did not start"
fi

# Calibrated offsets: each equal to the BTF's (the ifindex too: the probe
# device has an ifindex of its own choosing where the kernel lets it)
name=btfpath/calibrated-equals-btf
NT_BIN=$REAL_BIN
offs_re='s/^kprobe event offsets \(tracefs\): [^:]*: (sk_buff head .*)$/\1/p'
btf_offs=$("$NT_BIN" --check 2>&1 | sed -nE "$offs_re" | sed 's/;.*//')
cal_offs=$("$NOBTF" --check 2>&1 | sed -nE "$offs_re" | sed 's/;.*//')
# the same through the kprobe syntax of kernels before 4.20 (registers)
old_offs=$(NT_KPROBE_DIALECT=old "$NOBTF" --check 2>&1 | sed -nE "$offs_re" | sed 's/;.*//')
if [ -n "$btf_offs" ] && [ "$btf_offs" = "$cal_offs" ] && [ "$btf_offs" = "$old_offs" ]; then
	pass "$name"
else
	detail "BTF:        $btf_offs"
	detail "calibrated: $cal_offs"
	detail "calibrated, pre-4.20 kprobe syntax: $old_offs"
	detail "$("$NOBTF" --check 2>&1 | grep -i 'offsets')"
	fail "$name" "the calibrated offsets differ from the BTF's"
fi

# and with them, kprobe events show the packet (as with --btf-path); -v
# says where the offsets came from
name=btfpath/tracefs-calibrated
NT_BIN=$NOBTF
if nt_start --backend=tracefs -t ip_rcv -t kfree_skb -p icmp --detail -v; then
	if send_until "\\[ip_rcv *\\].*ICMP: $A4 -> $B4 ping request" nt_ping "$NT_A" "$NT_B4" 1 &&
		grep -q 'kprobe event offsets (calibrated)' "$NT_ERR"; then
		nt_stop
		pass "$name"
	else
		nt_stop
		detail_run
		fail "$name" "tracefs with calibrated offsets shows no headers (or -v does not say so)"
	fi
else
	detail_run
	fail "$name" "tracefs without BTF did not start"
fi
exit 0
