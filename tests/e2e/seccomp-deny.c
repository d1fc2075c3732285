/*
 * seccomp-deny.c - run a program with one system call failing with EACCES,
 * as on a kernel that forbids executable memfds (vm.memfd_noexec=2, an
 * LSM), which tests cannot set; or with no new process or thread ("clone":
 * clone and clone3 fail, as at RLIMIT_NPROC). Used by
 * tests/e2e/compress-runtime.
 *
 * usage: seccomp-deny memfd_create|execveat|clone PROGRAM [ARG...]
 * Exit 77 when this machine cannot install the filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

int
main(int argc, char **argv)
{
#ifdef ARCH
    long nr, nr2;

    if (argc < 3) {
        fprintf(stderr, "usage: seccomp-deny memfd_create|execveat|clone "
                        "PROGRAM [ARG...]\n");
        return 2;
    }
    if (strcmp(argv[1], "memfd_create") == 0) {
        nr = nr2 = SYS_memfd_create;
    } else if (strcmp(argv[1], "execveat") == 0) {
        nr = nr2 = SYS_execveat;
    } else if (strcmp(argv[1], "clone") == 0) {
        nr = SYS_clone;
        nr2 = SYS_clone3;
    } else {
        fprintf(stderr, "seccomp-deny: unknown system call %s\n", argv[1]);
        return 2;
    }
    {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                     offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                     offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 1, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr2, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
            fprintf(stderr, "seccomp-deny: cannot install the filter: %s\n",
                    strerror(errno));
            return 77;
        }
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "seccomp-deny: %s: %s\n", argv[2], strerror(errno));
    return 127;
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "seccomp-deny: no seccomp filter for this architecture\n");
    return 77;
#endif
}
