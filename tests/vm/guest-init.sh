#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the nettrace test VM (tests/vm/run-vm.sh puts it in the initramfs).
# Runs under the host's dash: busybox's ash would run its own "ip" applet
# before iproute2's ip in PATH.
#
# /etc/nt-vm/env (per run) sets NT_VM_NONCE, NT_VM_TIMEOUT, NT_VM_PRELOAD,
# NT_VM_OUTDEV; /etc/nt-vm/cmd is the command (shell text) to run.
# The last line is "NT-VM-EXIT <nonce> rc=<status>"; the host trusts only a
# marker carrying this run's nonce.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/usr/libexec/nt-busybox
HOME=/root
LC_ALL=C
TERM=dumb
export PATH HOME LC_ALL TERM

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Without /dev/console in the archive the kernel starts us without stdio.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm /run /tmp /var/tmp /root /out
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
chmod 1777 /tmp /var/tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
ln -sf /proc/self/fd/0 /dev/stdin 2>/dev/null
ln -sf /proc/self/fd/1 /dev/stdout 2>/dev/null
ln -sf /proc/self/fd/2 /dev/stderr 2>/dev/null
ln -sf /proc/mounts /etc/mtab 2>/dev/null
ulimit -l unlimited 2>/dev/null
echo /usr/sbin/modprobe > /proc/sys/kernel/modprobe
hostname nt-vm 2>/dev/null

. /etc/nt-vm/env

for m in $NT_VM_PRELOAD; do
	modprobe "$m" 2>/dev/null || echo "nt-vm: modprobe $m failed"
done
ip link set lo up

# The real iproute2 ip must win over busybox (PATH order, no applet link).
case $(ip -V 2>&1) in
*iproute2*) ;;
*) echo "nt-vm: WARNING: 'ip' is not iproute2: $(command -v ip)" ;;
esac

read -r up _ < /proc/uptime
echo "NT-VM-START kernel=$(uname -r) uptime=$up"

cd /nettrace 2>/dev/null || cd /
# The host bounds the whole VM too; this leaves time to report the status.
timeout -k 5 "$NT_VM_TIMEOUT" /bin/sh /etc/nt-vm/cmd </dev/null 2>&1
rc=$?
[ "$rc" = 124 ] && echo "nt-vm: command timed out after ${NT_VM_TIMEOUT}s"

read -r up _ < /proc/uptime
echo "NT-VM-END uptime=$up"
if [ -n "$NT_VM_OUTDEV" ]; then
	i=0
	while [ ! -b "$NT_VM_OUTDEV" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -b "$NT_VM_OUTDEV" ]; then
		tar -C /out -cf "$NT_VM_OUTDEV" . || echo "nt-vm: writing /out to $NT_VM_OUTDEV failed"
		sync
	else
		echo "nt-vm: no $NT_VM_OUTDEV: /out not returned"
	fi
fi
echo "NT-VM-EXIT $NT_VM_NONCE rc=$rc"
poweroff -f
# Not reached; if it were, init exiting panics and qemu (-no-reboot) ends.
sleep 5
