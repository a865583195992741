#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernels that ship without BTF: nettrace runs where /sys/kernel/btf is
# empty (a private mount namespace with an empty tmpfs over it, as on such a
# kernel) and reads the types from --btf-path FILE instead (a copy of this
# kernel's BTF, as distributions publish for kernels without it).  bpf
# refuses clearly without it and works with it; tracefs's kprobe events take
# their offsets from it (packet headers), where the kernel has kprobes.

. "$(dirname "$0")/lib.sh"
nt_suite_init

NAMES="btfpath/check-without btfpath/bpf-refused-without btfpath/bpf-drop
	btfpath/tracefs-headers btfpath/tracefs-without"
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
	kp_without='^kprobe event offsets \(tracefs\): none: no kernel BTF and no --btf-path'
	kp_with='^kprobe event offsets \(tracefs\): from .*vmlinux\.btf \(--btf-path\)'
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
# (ip_rcv's line with B's address); without the file they cannot.
name=btfpath/tracefs-headers
NT_BIN=$REAL_BIN
if nt_missing kprobes; then
	skip_all "$NT_MISSING: the tracefs backend takes no offsets from BTF here" \
		btfpath/tracefs-headers btfpath/tracefs-without
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

name=btfpath/tracefs-without
if nt_start --backend=tracefs -t ip_rcv -p icmp -v; then
	nt_stop
	if grep -qi 'BTF' "$NT_ERR"; then
		pass "$name"
	else
		detail_run
		fail "$name" "-v does not say that kprobe offsets need BTF (or --btf-path)"
	fi
else
	# refusing is fine too, with the reason
	if grep -qi 'BTF' "$NT_ERR"; then
		pass "$name"
	else
		detail_run
		fail "$name" "tracefs without BTF neither runs nor says why"
	fi
fi
exit 0
