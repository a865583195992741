// SPDX-License-Identifier: GPL-2.0
/*
 * nobpf: run a command with the bpf(2) system call denied (EPERM), the way a
 * locked-down container runtime does it.
 *
 *     nobpf COMMAND [ARG...]
 *
 * The denial is a seccomp filter: a classic BPF program run by seccomp on
 * each system call (installed with prctl(PR_SET_SECCOMP)); it has nothing to
 * do with bpf(2) itself.  The filter is inherited across execve(), so
 * COMMAND and its children all get EPERM from bpf(2); every other system call
 * is allowed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define NOBPF_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOBPF_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NOBPF_ARCH AUDIT_ARCH_I386
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NOBPF_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define NOBPF_ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define NOBPF_ARCH AUDIT_ARCH_RISCV64
#endif

#ifndef __NR_bpf
#error "__NR_bpf is not defined for this architecture"
#endif

static int deny_bpf(void)
{
	struct sock_filter insns[] = {
#ifdef NOBPF_ARCH
		/* A system call of another ABI (e.g. i386 on x86_64) has other
		 * numbers: deny it outright rather than guess. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOBPF_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	/* Required to install a filter without CAP_SYS_ADMIN, and harmless
	 * with it: it only stops execve() from gaining privileges. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "nobpf: prctl(PR_SET_NO_NEW_PRIVS): %s\n", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0)) {
		fprintf(stderr, "nobpf: prctl(PR_SET_SECCOMP): %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: nobpf COMMAND [ARG...]\n"
				"runs COMMAND with the bpf(2) system call failing with EPERM\n");
		return 2;
	}
	if (deny_bpf())
		return 125;
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nobpf: cannot run %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
