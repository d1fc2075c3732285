/*
 * onedir.c - find and check the _internal bundle root of a onedir app
 * (onedir.h). Read-only: a onedir app writes nothing at start.
 */
#include "onedir.h"

#include "fz_error.h"
#include "fz_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INTERNAL "_internal"

/* Owned by us or root, and nobody else may write it. */
static int
trusted(const struct stat *st)
{
    return (st->st_uid == geteuid() || st->st_uid == 0) &&
           (st->st_mode & S_IWOTH) == 0;
}

/* The relative file `name` below `dirfd`: no symlink on the way, every
 * directory trusted, a trusted regular file of `size` bytes at the end. */
static int
check_file(int dirfd, const char *root, const char *name, uint64_t size)
{
    const char *p = name;
    const char *slash;
    struct stat st;
    int fd = dirfd;
    int rc = 0;

    while ((slash = strchr(p, '/')) != NULL) {
        char *part = strndup(p, (size_t)(slash - p));
        int next;

        if (part == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        next =
            openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        free(part);
        if (next < 0 || fstat(next, &st) < 0) {
            rc = fz_error_set(FZ_EFORMAT,
                              "%s/%s is missing or not a "
                              "directory",
                              root, name);
            if (next >= 0) {
                close(next);
            }
            goto done;
        }
        if (fd != dirfd) {
            close(fd);
        }
        fd = next;
        if (!trusted(&st)) {
            rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                              "a directory of %s/%s is writable by others or "
                              "owned by another user",
                              root, name);
            goto done;
        }
        p = slash + 1;
    }
    if (fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size != size) {
        rc = fz_error_set(FZ_EFORMAT, "%s/%s is missing or was changed", root,
                          name);
        goto done;
    }
    if (!trusted(&st)) {
        rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                          "%s/%s is writable by others or owned by another "
                          "user",
                          root, name);
    }
done:
    if (fd != dirfd) {
        close(fd);
    }
    return rc;
}

int
fz_onedir_root(char **out, const fz_payload *p, const char *exe)
{
    const char *slash = strrchr(exe, '/');
    size_t dn = slash ? (size_t)(slash - exe) : 0;
    uint64_t i, n = fz_payload_entry_count(p);
    char *root = NULL;
    char *name = NULL;
    struct stat st;
    int dirfd = -1;
    int rc = 0;

    *out = NULL;
    root = malloc(dn + sizeof(INTERNAL) + 1);
    name = malloc(FZ_PAYLOAD_NAME_MAX + 1);
    if (root == NULL || name == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(root, exe, dn);
    root[dn] = '\0';
    /* The app directory: others must not be able to swap _internal. */
    if (stat(dn ? root : "/", &st) < 0 ||
        ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))) {
        rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                          "%s is writable by others; refusing to load code "
                          "from it",
                          dn ? root : "/");
        goto done;
    }
    memcpy(root + dn, "/" INTERNAL, sizeof(INTERNAL) + 1);
    dirfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        int err = errno;

        if (lstat(root, &st) == 0 && S_ISLNK(st.st_mode)) {
            rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                              "%s is a symlink; refusing to load code "
                              "through it",
                              root);
        } else {
            rc = fz_error_set(FZ_EFORMAT, "%s: %s", root, strerror(err));
        }
        goto done;
    }
    if (fstat(dirfd, &st) < 0 || !trusted(&st)) {
        rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                          "%s is writable by others or owned by another "
                          "user; refusing to load code from it",
                          root);
        goto done;
    }
    for (i = 0; i < n; i++) {
        fz_entry e;

        fz_payload_entry_at(p, i, &e);
        if (!(e.flags & FZ_ENTRY_F_EXTERNAL)) {
            continue;
        }
        memcpy(name, e.name, e.name_size);
        name[e.name_size] = '\0';
        rc = check_file(dirfd, root, name, e.raw_size);
        if (rc < 0) {
            goto done;
        }
    }
    *out = root;
    root = NULL;
done:
    if (dirfd >= 0) {
        close(dirfd);
    }
    free(root);
    free(name);
    return rc;
}
