/* SPDX-License-Identifier: 0BSD */
/*
 * seccomp-deny - run a command in a sandbox that refuses SCTP sockets.
 *
 * A test helper, never installed. It installs the kind of seccomp filter a
 * container runtime uses, but narrower: socket() with protocol
 * IPPROTO_SCTP fails with the errno named on the command line, every other
 * system call goes through. Then it execs the command, which inherits the
 * filter. That makes sctpcheck's "blocked by policy" diagnosis testable on
 * any kernel, with or without SCTP (seccomp answers before the protocol
 * lookup would), and as an ordinary user (thanks to PR_SET_NO_NEW_PRIVS).
 *
 * Try:
 *   tests/seccomp-deny EPERM check/sctpcheck
 *   tests/seccomp-deny EACCES python3 -c \
 *     'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)'
 *
 * Read: seccomp(2), prctl(2) PR_SET_NO_NEW_PRIVS, and the kernel's
 * Documentation/userspace-api/seccomp_filter.rst.
 */
#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/*
 * System call numbers are per architecture: the filter first checks that
 * the caller uses the one these numbers belong to.
 */
#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
/* x32 calls share AUDIT_ARCH_X86_64 but set this bit in the number. */
#define X32_SYSCALL_BIT 0x40000000
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp-deny: add this architecture's AUDIT_ARCH_ value"
#endif

/* Exit status when the command cannot be run, as env(1) and the shell. */
#define EXIT_CANNOT_RUN 127

/* The errno values a sandbox gives for a refused socket, plus the one a
 * kernel without SCTP gives, to imitate that kernel. */
static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EPERM", EPERM },
	{ "EACCES", EACCES },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT },
};

/* Offsets into the struct seccomp_data the filter inspects. */
#define DATA_NR offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)
/* socket(domain, type, protocol): protocol is argument 2. An int, so the
 * low 32 bits (the first half on little-endian machines) hold it all. */
#define DATA_PROTOCOL offsetof(struct seccomp_data, args[2])

static void
usage(FILE *f)
{
	fprintf(f, "usage: seccomp-deny ERRNO CMD [ARGS...]\n"
		   "Run CMD where socket(..., IPPROTO_SCTP) fails with ERRNO\n"
		   "(EPERM, EACCES or EPROTONOSUPPORT).\n");
}

int
main(int argc, char *argv[])
{
	int error = 0;

	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "seccomp-deny: missing ERRNO or CMD\n");
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(argv[1], errnos[i].name) == 0)
			error = errnos[i].value;
	if (error == 0) {
		fprintf(stderr, "seccomp-deny: unknown ERRNO '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}

	struct sock_filter filter[] = {
		/* Wrong architecture: the numbers below would mean other
		 * calls, so kill rather than guess. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARCH),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_NR),
#ifdef X32_SYSCALL_BIT
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_SCTP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | (error & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	/* Lets an unprivileged process install a filter: nothing it execs
	 * can gain privileges the filter was not written for. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err(EXIT_CANNOT_RUN, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* glibc 2.36 has no seccomp() wrapper. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		err(EXIT_CANNOT_RUN, "seccomp(SECCOMP_SET_MODE_FILTER)");
	execvp(argv[2], &argv[2]);
	err(EXIT_CANNOT_RUN, "%s", argv[2]);
}
