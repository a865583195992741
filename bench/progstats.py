#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel CPU time per invocation of loaded BPF programs while a command runs.

    bench/progstats.py [-m REGEX] [-i IP_NETNS] -- CMD [ARGS...]

Turns on BPF run-time statistics with the BPF_ENABLE_STATS command: they
stay on while the returned fd is open and go back off when it is closed (at
exit, also when killed), so kernel.bpf_stats_enabled is never written.
Snapshots run_cnt / run_time_ns of every program whose name matches REGEX
(default: nettrace's, ^(nt_|fe_|fx_|kp_|kr_|tb_|rt_)) with `bpftool prog
show -j` before and after CMD, and prints per program the invocations and
the mean ns per invocation (the program alone: the tracepoint or trampoline
around it is not counted), then the total per invocation.  Run it as root
while nettrace is tracing; CMD is the workload.
"""
import ctypes
import json
import os
import re
import subprocess
import sys

BPF_ENABLE_STATS = 32
BPF_STATS_RUN_TIME = 0
NR_BPF = {"x86_64": 321, "aarch64": 280}.get(os.uname().machine)


def enable_stats():
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(128)       # union bpf_attr, zeroed
    ctypes.c_uint32.from_buffer(attr, 0).value = BPF_STATS_RUN_TIME
    fd = libc.syscall(NR_BPF, BPF_ENABLE_STATS, attr, ctypes.c_uint(len(attr)))
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit(f"progstats: BPF_ENABLE_STATS: {os.strerror(err)}")
    return fd


def snapshot(rx):
    out = subprocess.run(["bpftool", "-j", "prog", "show"], check=True,
                         capture_output=True, text=True).stdout
    res = {}
    for p in json.loads(out):
        name = p.get("name", "")
        if rx.search(name):
            res[p["id"]] = (name, p.get("run_cnt", 0), p.get("run_time_ns", 0))
    return res


def main(argv):
    rx = re.compile(r"^(nt_|fe_|fx_|kp_|kr_|tb_|rt_)")
    while argv and argv[0] != "--":
        if argv[0] == "-m" and len(argv) > 1:
            rx = re.compile(argv[1])
            argv = argv[2:]
        else:
            sys.exit(__doc__)
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1:]
    if NR_BPF is None:
        sys.exit("progstats: unknown architecture")
    fd = enable_stats()
    before = snapshot(rx)
    rc = subprocess.call(cmd)
    after = snapshot(rx)
    os.close(fd)
    rows = []
    for pid, (name, cnt, ns) in after.items():
        b = before.get(pid, (name, 0, 0))
        dc, dn = cnt - b[1], ns - b[2]
        if dc > 0:
            rows.append((name, dc, dn))
    rows.sort(key=lambda r: -r[1])
    tc = sum(r[1] for r in rows)
    tn = sum(r[2] for r in rows)
    print(f"{'program':<24} {'runs':>10} {'ns/run':>8}")
    for name, dc, dn in rows:
        print(f"{name:<24} {dc:>10} {dn / dc:>8.1f}")
    if tc:
        print(f"{'all':<24} {tc:>10} {tn / tc:>8.1f}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
