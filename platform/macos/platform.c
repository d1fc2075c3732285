/*
 * platform.c - macOS part of fz_platform.h: the few Darwin calls
 * (_NSGetExecutablePath, renameatx_np, issetugid, statfs/MNT_NOEXEC,
 * arc4random_buf) and the cache location; the POSIX rest is
 * platform/posix/posix.c. Chosen by platform/CMakeLists.txt on Apple hosts,
 * built with _DARWIN_C_SOURCE. Not compiled against a macOS SDK yet:
 * tests/macos says exactly what is and is not verified.
 */
#include "fz_platform.h"

#include "fz_error.h"
#include "posix.h"

#include <errno.h>
#include <mach-o/dyld.h>
#include <stdint.h>
#include <stdio.h> /* renameatx_np, RENAME_SWAP */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h> /* statfs, MNT_NOEXEC */
#include <unistd.h>

int
fz_platform_self_exe(char **out)
{
    uint32_t cap = 256;
    char *buf = NULL;
    char *real = NULL;
    int rc = FZ_OK;

    *out = NULL;
    /* _NSGetExecutablePath gives the path the program was started by,
     * which may hold symlinks or "..": it sets cap to the size it needs
     * and returns -1 when the buffer is too small. */
    for (;;) {
        char *grown = realloc(buf, cap);

        if (!grown) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        buf = grown;
        if (_NSGetExecutablePath(buf, &cap) == 0) {
            break;
        }
        if (cap == 0 || cap > (uint32_t)INT32_MAX) {
            rc = fz_error_set(FZ_EIO, "_NSGetExecutablePath: bad size %lu",
                              (unsigned long)cap);
            goto done;
        }
    }
    real = realpath(buf, NULL);
    if (!real) {
        rc = fz_error_set(FZ_EIO, "%s: %s", buf, strerror(errno));
        goto done;
    }
    if (real[0] != '/') {
        rc = fz_error_set(FZ_EIO, "%s: not an absolute path", real);
        goto done;
    }
    *out = real;
    real = NULL;
done:
    free(buf);
    free(real);
    return rc;
}

/* macOS has no secure_getenv: issetugid says whether the environment may
 * be the attacker's. */
const char *
fz_posix_trusted_env(const char *name)
{
    return issetugid() ? NULL : getenv(name);
}

void
fz_posix_random_bytes(unsigned char *buf, size_t n)
{
    /* arc4random_buf never fails and never blocks */
    arc4random_buf(buf, n);
}

const char *
fz_posix_home_cache(void)
{
    return "/Library/Caches"; /* the macOS place for caches */
}

int
fz_platform_exchange_dir(int dirfd, const char *a, const char *b)
{
    /* renameatx_np(RENAME_SWAP): macOS 10.12 and later, APFS and HFS+ */
    if (renameatx_np(dirfd, a, dirfd, b, RENAME_SWAP) < 0) {
        return fz_error_set(FZ_EIO, "cannot exchange %s and %s: %s", a, b,
                            strerror(errno));
    }
    return FZ_OK;
}

/* ps shows the executed file's name (p_comm), which no call changes:
 * there is no name to hand on and none to set. */
void
fz_platform_process_name(char buf[FZ_PLATFORM_NAME_MAX])
{
    buf[0] = '\0';
}

int
fz_platform_set_process_name(const char *name)
{
    (void)name;
    return FZ_OK;
}

int
fz_platform_dir_executable(const char *path)
{
    struct statfs st;

    /* statvfs on macOS reports only ST_RDONLY and ST_NOSUID */
    if (statfs(path, &st) < 0) {
        return 1;
    }
    return (st.f_flags & MNT_NOEXEC) == 0;
}
