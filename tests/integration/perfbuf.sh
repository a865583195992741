#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bpf backend of kernels without a BPF ring buffer (before 5.8): events
# leave through per-CPU perf buffers.  Forced here with NT_BPF_NO_RINGBUF=1:
# --check and -v say so, and the drop and lifecycle suites pass through that
# path (their bpf results, named perfbuf/...; NT_PERFBUF_SUITES, default
# "drop lifecycle", says which).

. "$(dirname "$0")/lib.sh"
nt_suite_init

export NT_BPF_NO_RINGBUF=1
if ! nt_backend_need perfbuf/setup bpf; then
	exit 0
fi

name=perfbuf/check-says
"$NT_BIN" --check > "$NT_TMP/check.out" 2>&1
if grep -Eq '^  BPF ring buffer +no +not used: NT_BPF_NO_RINGBUF' "$NT_TMP/check.out" &&
	grep -Eq '^  bpf +yes .*perf buffers \(no ring buffer\)' "$NT_TMP/check.out"; then
	pass "$name"
else
	detail_file check "$NT_TMP/check.out"
	fail "$name" "--check does not say that bpf runs on perf buffers"
fi

name=perfbuf/verbose-says
if nt_start --drop -v --backend=bpf && nt_stop; then
	if grep -q 'bpf: events through per-CPU perf buffers' "$NT_ERR"; then
		pass "$name"
	else
		detail_run
		fail "$name" "-v does not say that events go through perf buffers"
	fi
else
	detail_run
	fail "$name" "nettrace --drop -v --backend=bpf did not run on perf buffers"
fi

# Loss accounting on perf buffers: with the reader stopped, a flood of
# drops overflows them; every drop is printed or counted as lost.
name=perfbuf/lost-counted
if nt_need "$name" cmd:python3 && nt_netns_pair && nt_start --drop --backend=bpf -p udp --dport 5999; then
	kill -STOP "$NT_PID"
	ip netns exec "$NT_A" timeout 60 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30000):
    s.sendto(b"x", ("127.0.0.1", 5999))'
	kill -CONT "$NT_PID"
	sleep 1
	nt_stop
	seen=$(grep -Ec -- ":5999, $(nt_drop_re NO_SOCKET __udp4_lib_rcv)" "$NT_OUT")
	lost=$(cat "$NT_OUT" "$NT_ERR" | sed -n 's/^summary: .*, \([0-9]*\) lost$/\1/p')
	if [ "${lost:-0}" -gt 0 ] && [ $(( seen + lost )) = 30000 ] &&
		cat "$NT_OUT" "$NT_ERR" | grep -q '^\*\*\* lost [0-9]* events'; then
		pass "$name"
	else
		detail "30000 drops: $seen printed, ${lost:-none} lost"
		detail_run
		fail "$name" "drops lost in the perf buffers are not all counted"
	fi
elif [ -z "$NT_MISSING" ]; then
	detail_run
	fail "$name" "no namespaces, or nettrace --drop on perf buffers did not start"
fi

# The suites themselves, bpf only, their result lines renamed.
for s in ${NT_PERFBUF_SUITES:-drop lifecycle}; do
	echo "# perfbuf: $s.sh through perf buffers"
	NT_BACKENDS=bpf bash "$NT_ROOT/tests/integration/$s.sh" > "$NT_TMP/$s.log" 2>&1
	rc=$?
	sed -E 's/^(PASS|FAIL|SKIP) /\1 perfbuf\//' "$NT_TMP/$s.log"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$NT_TMP/$s.log"; then
		fail "perfbuf/$s" "$s.sh exited with status $rc without a FAIL line"
	fi
done
exit 0
