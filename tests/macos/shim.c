/*
 * shim.c - test-only Linux implementations of the Darwin calls
 * platform/macos/platform.c makes, so its POSIX logic runs under the
 * platform tests on this machine (tests/macos/README.md). They follow
 * Apple's documented contracts; they are not the real calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <mach-o/dyld.h>

int
_NSGetExecutablePath(char *buf, uint32_t *bufsize)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

    if (n < 0) {
        return -1;
    }
    path[n] = '\0';
    if ((size_t)n + 1 > *bufsize) {
        *bufsize = (uint32_t)n + 1; /* dyld(3): the size needed */
        return -1;
    }
    memcpy(buf, path, (size_t)n + 1);
    return 0;
}

int
renameatx_np(int fromfd, const char *from, int tofd, const char *to,
             unsigned int flags)
{
    if (flags != RENAME_SWAP) {
        errno = EINVAL;
        return -1;
    }
    return renameat2(fromfd, from, tofd, to, RENAME_EXCHANGE);
}

int
issetugid(void)
{
    return getauxval(AT_SECURE) != 0;
}
