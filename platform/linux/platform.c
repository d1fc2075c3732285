/*
 * platform.c - Linux part of fz_platform.h: /proc/self/exe, the process
 * name, the environment and randomness, the cache location, renameat2 and
 * statvfs.
 * The POSIX rest is platform/posix/posix.c.
 */
#include "fz_platform.h"

#include "fz_error.h"
#include "posix.h"

#include <errno.h>
#include <stdio.h> /* renameat2, RENAME_EXCHANGE */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <unistd.h>

int
fz_platform_self_exe(char **out)
{
    size_t cap = 256;
    char *buf = NULL;
    int rc = FZ_OK;

    *out = NULL;
    for (;;) {
        char *grown = realloc(buf, cap);
        ssize_t n;

        if (!grown) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        buf = grown;
        n = readlink("/proc/self/exe", buf, cap);
        if (n < 0) {
            rc = fz_error_set(FZ_EIO, "/proc/self/exe: %s", strerror(errno));
            goto done;
        }
        if ((size_t)n < cap) {
            buf[n] = '\0';
            break;
        }
        if (cap > SIZE_MAX / 2) {
            rc = fz_error_set(FZ_EIO, "/proc/self/exe: path too long");
            goto done;
        }
        cap *= 2;
    }
    if (buf[0] != '/') {
        rc = fz_error_set(FZ_EIO, "/proc/self/exe: not an absolute path");
        goto done;
    }
    *out = buf;
    buf = NULL;
done:
    free(buf);
    return rc;
}

void
fz_platform_process_name(char buf[FZ_PLATFORM_NAME_MAX])
{
    /* PR_GET_NAME writes at most 16 bytes, NUL included. */
    if (prctl(PR_GET_NAME, buf, 0, 0, 0) < 0) {
        buf[0] = '\0';
    }
    buf[FZ_PLATFORM_NAME_MAX - 1] = '\0';
}

int
fz_platform_set_process_name(const char *name)
{
    char cut[FZ_PLATFORM_NAME_MAX];

    if (name[0] == '\0') {
        return FZ_OK;
    }
    snprintf(cut, sizeof(cut), "%s", name);
    if (prctl(PR_SET_NAME, cut, 0, 0, 0) < 0) {
        return fz_error_set(FZ_EIO, "cannot name this process %s: %s", cut,
                            strerror(errno));
    }
    return FZ_OK;
}

const char *
fz_posix_trusted_env(const char *name)
{
    return secure_getenv(name);
}

void
fz_posix_random_bytes(unsigned char *buf, size_t n)
{
    size_t i;

    if (getrandom(buf, n, GRND_NONBLOCK) != (ssize_t)n) {
        /* No entropy yet: the caller accepts weak bytes. */
        for (i = 0; i < n; i++) {
            buf[i] = (unsigned char)(rand() ^ getpid() ^ (int)i);
        }
    }
}

const char *
fz_posix_home_cache(void)
{
    return "/.cache"; /* the XDG base directory default */
}

int
fz_platform_exchange_dir(int dirfd, const char *a, const char *b)
{
    if (renameat2(dirfd, a, dirfd, b, RENAME_EXCHANGE) < 0) {
        return fz_error_set(FZ_EIO, "cannot exchange %s and %s: %s", a, b,
                            strerror(errno));
    }
    return FZ_OK;
}

int
fz_platform_dir_executable(const char *path)
{
    struct statvfs st;

    if (statvfs(path, &st) < 0) {
        return 1;
    }
    return (st.f_flag & ST_NOEXEC) == 0;
}
