/*
 * posix.c - the POSIX part of fz_platform.h, shared by platform/linux and
 * platform/macos: mmap, the per-user cache, private directories, safe
 * removal, all through directory fds with O_NOFOLLOW.
 */
#include "fz_platform.h"

#include "fz_error.h"
#include "posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
fz_platform_map(fz_mapping *out, int fd, uint64_t offset, uint64_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start, delta, length;
    void *base;

    memset(out, 0, sizeof(*out));
    if (page <= 0) {
        page = 4096;
    }
    if (offset > UINT64_MAX - size) {
        return fz_error_set(FZ_EINVAL, "mapping range overflows");
    }
    if (size == 0) {
        return FZ_OK;
    }
    start = offset - offset % (uint64_t)page;
    delta = offset - start;
    length = size + delta;
    if (length < size || length > SIZE_MAX || start > (uint64_t)INT64_MAX) {
        return fz_error_set(FZ_EINVAL, "mapping of %llu bytes is too large",
                            (unsigned long long)size);
    }
    base = mmap(NULL, (size_t)length, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
    if (base == MAP_FAILED) {
        return fz_error_set(FZ_EIO, "mmap of %llu bytes at %llu: %s",
                            (unsigned long long)size,
                            (unsigned long long)offset, strerror(errno));
    }
    out->base = base;
    out->length = (size_t)length;
    out->data = (const char *)base + delta;
    out->size = (size_t)size;
    return FZ_OK;
}

void
fz_platform_unmap(fz_mapping *m)
{
    if (m->base) {
        munmap(m->base, m->length);
    }
    memset(m, 0, sizeof(*m));
}

/* Huge page size the scratch buffers align to (x86-64, arm64 with 4 KiB
 * pages); elsewhere the advice is ignored and small pages are used. */
#define HUGE_PAGE ((size_t)2 << 20)

void
fz_platform_scratch_free(fz_scratch *s)
{
    if (s->data) {
        munmap(s->data, s->cap);
    }
    memset(s, 0, sizeof(*s));
}

/*
 * `size` bytes of anonymous memory; from HUGE_PAGE up aligned to it, with
 * the kernel asked to back it with huge pages. Not inherited by a child
 * process (MADV_DONTFORK): a fork while other threads fill their buffers
 * would make every page they write next a copy-on-write fault, 2 MiB
 * copies for huge pages (the --compress-runtime launcher forks its
 * publisher while the bundle root is being extracted).
 */
static int
scratch_map(fz_scratch *s, size_t size)
{
    size_t align =
        size >= HUGE_PAGE ? HUGE_PAGE : (size_t)sysconf(_SC_PAGESIZE);
    size_t length = (size + align - 1) & ~(align - 1);
    size_t slack = align == HUGE_PAGE ? HUGE_PAGE : 0;
    size_t head;
    char *base;

    if (length < size || length > SIZE_MAX - slack) {
        return fz_error_set(FZ_ENOMEM, "buffer of %zu bytes is too large",
                            size);
    }
    base = mmap(NULL, length + slack, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        return fz_error_set(FZ_ENOMEM, "cannot map %zu bytes: %s", length,
                            strerror(errno));
    }
    /* Trim to an aligned range: huge pages are only used for those. */
    head = (align - (uintptr_t)base % align) % align;
    if (head > 0) {
        munmap(base, head);
    }
    if (slack > head) {
        munmap(base + head + length, slack - head);
    }
#ifdef MADV_HUGEPAGE
    if (align == HUGE_PAGE) {
        (void)madvise(base + head, length, MADV_HUGEPAGE); /* advice only */
    }
#endif
#ifdef MADV_DONTFORK
    (void)madvise(base + head, length, MADV_DONTFORK);
#endif
    s->data = base + head;
    s->cap = length;
    return FZ_OK;
}

int
fz_platform_scratch_reserve(fz_scratch *s, size_t size)
{
    if (size <= s->cap && s->data) {
        return FZ_OK;
    }
    fz_platform_scratch_free(s);
    return scratch_map(s, size ? size : 1);
}

/* A new string "a" + "b"; NULL when out of memory. */
static char *
concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);

    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

int
fz_platform_cache_dir(char **out)
{
    const char *xdg = fz_posix_trusted_env("XDG_CACHE_HOME");
    const char *home = fz_posix_trusted_env("HOME");
    struct passwd *pw;

    *out = NULL;
    if (xdg && xdg[0] == '/') {
        *out = concat(xdg, "");
    } else {
        if (!home || home[0] != '/') {
            pw = getpwuid(geteuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || home[0] != '/') {
            return fz_error_set(FZ_ENOTFOUND,
                                "no cache directory: no home directory");
        }
        /* "/" + "/.cache" would start with "//": harmless but ugly. */
        *out =
            concat(strcmp(home, "/") == 0 ? "" : home, fz_posix_home_cache());
    }
    if (!*out) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    return FZ_OK;
}

/* Is the directory described by `st` ours and closed to group/others? */
static int
owned_and_closed(const struct stat *st)
{
    return S_ISDIR(st->st_mode) && st->st_uid == geteuid() &&
           (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int
fz_platform_secure_dir_open(int *out, int dirfd, const char *name, int create)
{
    int fd = -1;
    int rc = FZ_OK;
    struct stat st;

    *out = -1;
    if (!name[0] || strchr(name, '/')) {
        return fz_error_set(FZ_EINVAL, "bad directory name '%s'", name);
    }
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST) {
            rc = fz_error_set(FZ_EIO, "cannot create %s: %s", name,
                              strerror(errno));
            goto done;
        }
        fd = openat(dirfd, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT) {
            rc = fz_error_set(FZ_ENOTFOUND, "%s does not exist", name);
        } else if (errno == ELOOP || errno == ENOTDIR) {
            rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                              "%s is a symlink or not a directory", name);
        } else {
            rc = fz_error_set(FZ_EIO, "cannot open %s: %s", name,
                              strerror(errno));
        }
        goto done;
    }
    if (fstat(fd, &st) < 0) {
        rc = fz_error_set(FZ_EIO, "cannot stat %s: %s", name, strerror(errno));
        goto done;
    }
    if (!owned_and_closed(&st)) {
        rc = fz_error_set(FZ_PLATFORM_EUNSAFE,
                          "%s is not owned by this user or is writable by "
                          "others",
                          name);
        goto done;
    }
    *out = fd;
    fd = -1;
done:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

int
fz_platform_base_dir_open(int *out, const char *path, int create)
{
    int fd = -1;
    int rc = FZ_OK;
    struct stat st;

    *out = -1;
    if (path[0] != '/') {
        return fz_error_set(FZ_EINVAL, "%s is not absolute", path);
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            rc = fz_error_set(FZ_EIO, "cannot create %s: %s", path,
                              strerror(errno));
            goto done;
        }
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) {
        rc = fz_error_set(errno == ENOENT ? FZ_ENOTFOUND : FZ_EIO,
                          "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) < 0) {
        rc = fz_error_set(FZ_EIO, "cannot stat %s: %s", path, strerror(errno));
        goto done;
    }
    if ((st.st_uid != geteuid() && st.st_uid != 0) ||
        ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
        rc = fz_error_set(FZ_PLATFORM_EUNSAFE, "%s is writable by other users",
                          path);
        goto done;
    }
    *out = fd;
    fd = -1;
done:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* Fill `s` (n chars) with random characters from [A-Za-z0-9]. */
static void
random_suffix(char *s, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[16];
    size_t i;

    /* Weak bytes are acceptable: O_EXCL/mkdir make a clash harmless. */
    fz_posix_random_bytes(bytes, n < sizeof(bytes) ? n : sizeof(bytes));
    for (i = 0; i < n; i++) {
        s[i] = alphabet[bytes[i % sizeof(bytes)] % (sizeof(alphabet) - 1)];
    }
}

int
fz_platform_private_dir_at(char **out_name, int *out_fd, int dirfd,
                           const char *prefix)
{
    size_t np = strlen(prefix);
    char *name = malloc(np + 7);
    int fd = -1;
    int rc = FZ_OK;
    int tries;

    *out_name = NULL;
    *out_fd = -1;
    if (!name) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    memcpy(name, prefix, np);
    name[np + 6] = '\0';
    for (tries = 0;; tries++) {
        random_suffix(name + np, 6);
        if (mkdirat(dirfd, name, 0700) == 0) {
            break;
        }
        if (errno != EEXIST || tries >= 100) {
            rc = fz_error_set(FZ_EIO, "cannot create a directory: %s",
                              strerror(errno));
            goto done;
        }
    }
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "cannot open %s: %s", name, strerror(errno));
        unlinkat(dirfd, name, AT_REMOVEDIR);
        goto done;
    }
    *out_name = name;
    *out_fd = fd;
    name = NULL;
done:
    free(name);
    return rc;
}

/* $TMPDIR when absolute (never for a setuid program), else /tmp. On macOS
 * $TMPDIR is normally the per-user /var/folders/.../T/, with a trailing
 * slash: "<tmp>/freeze-X" then holds "//", which the kernel accepts. */
static const char *
tmp_base(void)
{
    const char *tmp = fz_posix_trusted_env("TMPDIR");

    return tmp && tmp[0] == '/' ? tmp : "/tmp";
}

int
fz_platform_tmp_base(char **out)
{
    *out = strdup(tmp_base());
    return *out ? FZ_OK : fz_error_set(FZ_ENOMEM, "out of memory");
}

int
fz_platform_private_tmpdir(char **out)
{
    const char *tmp = tmp_base();
    char *path = NULL;
    int rc = FZ_OK;

    *out = NULL;
    path = concat(tmp, "/" FZ_PLATFORM_PRIVATE_PREFIX "XXXXXX");
    if (!path) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    if (!mkdtemp(path)) {
        rc = fz_error_set(FZ_EIO, "cannot create a directory in %s: %s", tmp,
                          strerror(errno));
        goto done;
    }
    *out = path;
    path = NULL;
done:
    free(path);
    return rc;
}

/* Remove everything inside the open directory `fd` (consumed). */
static int
remove_contents(int fd)
{
    DIR *dir = fdopendir(fd);
    struct dirent *de;
    int rc = FZ_OK;

    if (!dir) {
        close(fd);
        return fz_error_set(FZ_EIO, "cannot list a directory: %s",
                            strerror(errno));
    }
    while ((de = readdir(dir)) != NULL) {
        int r;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        r = fz_platform_remove_tree(dirfd(dir), de->d_name);
        if (r < 0 && rc == FZ_OK) {
            rc = r;
        }
    }
    closedir(dir);
    return rc;
}

int
fz_platform_remove_tree(int dirfd, const char *name)
{
    struct stat st;
    int fd;
    int rc = FZ_OK;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) {
            return FZ_OK;
        }
        return fz_error_set(FZ_EIO, "cannot stat %s: %s", name,
                            strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
            return fz_error_set(FZ_EIO, "cannot remove %s: %s", name,
                                strerror(errno));
        }
        return FZ_OK;
    }
    /* O_NOFOLLOW: if it was swapped for a symlink since fstatat, fail. */
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "cannot open %s: %s", name, strerror(errno));
    } else {
        rc = remove_contents(fd);
    }
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
        rc == FZ_OK) {
        rc =
            fz_error_set(FZ_EIO, "cannot remove %s: %s", name, strerror(errno));
    }
    return rc;
}

int
fz_platform_remove_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *parent = NULL;
    int fd = -1;
    int rc = FZ_OK;

    if (!slash || !slash[1]) {
        return fz_error_set(FZ_EINVAL, "cannot remove %s", path);
    }
    parent = strndup(path, (size_t)(slash - path));
    if (!parent) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    fd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(errno == ENOENT ? FZ_OK : FZ_EIO,
                          "cannot open %s: %s", parent, strerror(errno));
        goto done;
    }
    rc = fz_platform_remove_tree(fd, slash + 1);
done:
    if (fd >= 0) {
        close(fd);
    }
    free(parent);
    return rc;
}

int
fz_platform_mkdirs_at(int *out, int dirfd, const char *dir, size_t size)
{
    int fd = -1;
    int rc = FZ_OK;
    char *copy = NULL;
    char *part, *save = NULL;

    *out = -1;
    copy = strndup(dir, size);
    if (!copy) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "dup: %s", strerror(errno));
        goto done;
    }
    for (part = strtok_r(copy, "/", &save); part;
         part = strtok_r(NULL, "/", &save)) {
        int next;

        if (mkdirat(fd, part, 0700) < 0 && errno != EEXIST) {
            rc = fz_error_set(FZ_EIO, "cannot create %s: %s", part,
                              strerror(errno));
            goto done;
        }
        next =
            openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            rc = fz_error_set(errno == ELOOP || errno == ENOTDIR
                                  ? FZ_PLATFORM_EUNSAFE
                                  : FZ_EIO,
                              "cannot open %s: %s", part, strerror(errno));
            goto done;
        }
        close(fd);
        fd = next;
    }
    *out = fd;
    fd = -1;
done:
    if (fd >= 0) {
        close(fd);
    }
    free(copy);
    return rc;
}

int
fz_platform_write_all(int fd, const void *data, size_t size)
{
    const char *p = data;

    while (size > 0) {
        size_t want =
            size < FZ_PLATFORM_WRITE_CHUNK ? size : FZ_PLATFORM_WRITE_CHUNK;
        ssize_t n = write(fd, p, want);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int
fz_platform_write_new_at(int dirfd, const char *name, uint32_t mode,
                         const void *data, size_t size)
{
    int fd;
    int rc = FZ_OK;

    fd = openat(dirfd, name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                (mode_t)(mode & 0777));
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "cannot create %s: %s", name,
                            strerror(errno));
    }
    if (fz_platform_write_all(fd, data, size) < 0) {
        rc = fz_error_set(FZ_EIO, "cannot write %s: %s", name, strerror(errno));
    }
    if (close(fd) < 0 && rc == FZ_OK) {
        rc = fz_error_set(FZ_EIO, "cannot write %s: %s", name, strerror(errno));
    }
    return rc;
}

int
fz_platform_rename_dir(int dirfd, const char *from, const char *to)
{
    if (renameat(dirfd, from, dirfd, to) == 0) {
        return 0;
    }
    /* rename(2) onto a non-empty directory fails with ENOTEMPTY/EEXIST. */
    if (errno == ENOTEMPTY || errno == EEXIST) {
        return 1;
    }
    return fz_error_set(FZ_EIO, "cannot rename %s to %s: %s", from, to,
                        strerror(errno));
}

int
fz_platform_private_dir_check(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) {
            return 0;
        }
        return fz_error_set(FZ_EIO, "cannot stat %s: %s", path,
                            strerror(errno));
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
        return fz_error_set(FZ_PLATFORM_EUNSAFE,
                            "%s is not a private directory of this user", path);
    }
    return 1;
}

int
fz_platform_file_check_at(int dirfd, const char *name, size_t dirs_checked,
                          uint64_t size)
{
    uid_t uid = geteuid();
    const char *slash;
    struct stat st;
    char *path;
    int ok = 0;

    path = strdup(name);
    if (!path) {
        return 0;
    }
    /* Every directory on the way must be a real directory of ours. */
    for (slash = strchr(name + dirs_checked, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        path[slash - name] = '\0';
        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(st.st_mode) || st.st_uid != uid) {
            goto done;
        }
        path[slash - name] = '/';
    }
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        goto done;
    }
    ok =
        S_ISREG(st.st_mode) && st.st_uid == uid && (uint64_t)st.st_size == size;
done:
    free(path);
    return ok;
}
