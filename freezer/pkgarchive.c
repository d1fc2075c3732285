/*
 * pkgarchive.c - deterministic tar, ar and gzip through libarchive
 * (pkgarchive.h).
 */
#define _GNU_SOURCE
#include "pkgarchive.h"

#include "fz_error.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t
fz_archive_mtime(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long v;

    if (s == NULL || *s == '\0') {
        return FZ_ARCHIVE_DEFAULT_MTIME;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0) {
        return FZ_ARCHIVE_DEFAULT_MTIME;
    }
    return (int64_t)v;
}

static la_ssize_t
sink_write(struct archive *a, void *ctx, const void *data, size_t n)
{
    fz_buf *out = ctx;

    (void)a;
    if (fz_buf_append(out, data, n) < 0) {
        return -1;
    }
    return (la_ssize_t)n;
}

static int
la_error(struct archive *a, const char *what)
{
    return fz_error_set(FZ_EIO, "%s: %s", what,
                        archive_error_string(a) ? archive_error_string(a)
                                                : "libarchive error");
}

static int
set_filter(struct archive *a, fz_archive_filter filter)
{
    int r = ARCHIVE_OK;

    if (filter == FZ_ARCHIVE_GZIP) {
        r = archive_write_add_filter_gzip(a);
        if (r == ARCHIVE_OK) {
            r = archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
        }
    } else if (filter == FZ_ARCHIVE_XZ) {
        r = archive_write_add_filter_xz(a);
        if (r == ARCHIVE_OK) {
            r = archive_write_set_filter_option(a, "xz", "threads", "1");
        }
    }
    return r == ARCHIVE_OK || r == ARCHIVE_WARN ? 0 : la_error(a, "filter");
}

/* sorted names of `dir`, "." and ".." excluded */
static int
list_sorted(fz_strvec *out, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    int rc = 0;

    if (n < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        if (rc == 0 && strcmp(names[i]->d_name, ".") != 0 &&
            strcmp(names[i]->d_name, "..") != 0) {
            rc = fz_strvec_push(out, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Write the file `path` as the data of the current member. */
static int
copy_data(struct archive *a, const char *path)
{
    char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc = 0;

    if (fd < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }
        if (archive_write_data(a, buf, (size_t)n) != n) {
            rc = la_error(a, path);
            break;
        }
    }
    close(fd);
    return rc;
}

/* One member for `path` (lstat'ed into *st) named `name`. */
static int
add_member(struct archive *a, const char *path, const char *name,
           const struct stat *st, int64_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    char *target = NULL;
    int rc = 0;

    if (e == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    archive_entry_set_pathname(e, name);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    archive_entry_set_mtime(e, (time_t)mtime, 0);
    if (S_ISDIR(st->st_mode)) {
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
    } else if (S_ISLNK(st->st_mode)) {
        size_t cap = (size_t)st->st_size + 1;
        ssize_t n;

        target = malloc(cap);
        n = target ? readlink(path, target, cap) : -1;
        if (n < 0 || (size_t)n >= cap) {
            rc = fz_error_set(FZ_EIO, "readlink %s", path);
            goto done;
        }
        target[n] = '\0';
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, target);
    } else if (S_ISREG(st->st_mode)) {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, (st->st_mode & S_IXUSR) ? 0755 : 0644);
        archive_entry_set_size(e, st->st_size);
    } else {
        rc = fz_error_set(FZ_EIO, "%s: not a file, directory or symlink", path);
        goto done;
    }
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        rc = la_error(a, name);
        goto done;
    }
    if (S_ISREG(st->st_mode)) {
        rc = copy_data(a, path);
    }
done:
    free(target);
    archive_entry_free(e);
    return rc;
}

/* `dir` (already added as `name`/ when name is not empty) recursively. */
static int
add_tree(struct archive *a, const char *dir, const char *name, int64_t mtime)
{
    fz_strvec names = FZ_STRVEC_INIT;
    fz_buf path = FZ_BUF_INIT;
    fz_buf member = FZ_BUF_INIT;
    int rc = list_sorted(&names, dir);

    for (size_t i = 0; i < names.count && rc == 0; i++) {
        struct stat st;

        fz_buf_clear(&path);
        fz_buf_clear(&member);
        rc = fz_buf_printf(&path, "%s/%s", dir, names.items[i]);
        rc = rc ? rc : fz_buf_printf(&member, "%s%s", name, names.items[i]);
        if (rc < 0) {
            break;
        }
        if (lstat(path.data, &st) < 0) {
            rc = fz_error_set(FZ_EIO, "%s: %s", path.data, strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = fz_buf_puts(&member, "/");
            rc = rc ? rc : add_member(a, path.data, member.data, &st, mtime);
            rc = rc ? rc : add_tree(a, path.data, member.data, mtime);
        } else {
            rc = add_member(a, path.data, member.data, &st, mtime);
        }
    }
    fz_strvec_dispose(&names);
    fz_buf_dispose(&path);
    fz_buf_dispose(&member);
    return rc;
}

int
fz_archive_tar_dir(fz_buf *out, const char *dir, const char *prefix,
                   fz_archive_filter filter, int64_t mtime)
{
    struct archive *a = archive_write_new();
    struct stat st;
    int rc = 0;

    if (a == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    if (archive_write_set_format_gnutar(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
        rc = la_error(a, "tar");
        goto done;
    }
    rc = set_filter(a, filter);
    if (rc < 0) {
        goto done;
    }
    if (archive_write_open2(a, out, NULL, sink_write, NULL, NULL) !=
        ARCHIVE_OK) {
        rc = la_error(a, "tar");
        goto done;
    }
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        rc = fz_error_set(FZ_EIO, "%s: not a directory", dir);
        goto done;
    }
    if (prefix[0] != '\0') {
        rc = add_member(a, dir, prefix, &st, mtime);
    }
    rc = rc ? rc : add_tree(a, dir, prefix, mtime);
    if (rc == 0 && archive_write_close(a) != ARCHIVE_OK) {
        rc = la_error(a, "tar");
    }
done:
    archive_write_free(a);
    return rc;
}

int
fz_archive_ar_write(const char *path, const fz_ar_member *members, size_t count,
                    int64_t mtime)
{
    struct archive *a = archive_write_new();
    fz_buf tmp = FZ_BUF_INIT;
    int fd = -1;
    int rc = 0;

    if (a == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = fz_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
    if (rc < 0) {
        goto done;
    }
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    if (archive_write_set_format_ar_svr4(a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK) {
        rc = la_error(a, path);
        goto done;
    }
    for (size_t i = 0; i < count && rc == 0; i++) {
        struct archive_entry *e = archive_entry_new();

        if (e == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            break;
        }
        archive_entry_set_pathname(e, members[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_mtime(e, (time_t)mtime, 0);
        archive_entry_set_size(e, (la_int64_t)members[i].size);
        if (archive_write_header(a, e) != ARCHIVE_OK ||
            archive_write_data(a, members[i].data, members[i].size) !=
                (la_ssize_t)members[i].size) {
            rc = la_error(a, members[i].name);
        }
        archive_entry_free(e);
    }
    if (rc == 0 && archive_write_close(a) != ARCHIVE_OK) {
        rc = la_error(a, path);
    }
    if (rc == 0 &&
        (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || rename(tmp.data, path) < 0)) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
done:
    archive_write_free(a);
    if (fd >= 0) {
        close(fd);
        if (rc < 0) {
            unlink(tmp.data);
        }
    }
    fz_buf_dispose(&tmp);
    return rc;
}

int
fz_archive_gzip(fz_buf *out, const void *data, size_t size)
{
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    int rc = 0;

    if (a == NULL || e == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    if (archive_write_set_format_raw(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
        rc = la_error(a, "gzip");
        goto done;
    }
    rc = set_filter(a, FZ_ARCHIVE_GZIP);
    if (rc < 0) {
        goto done;
    }
    /* -9 as dpkg's changelogs; no name, no mtime */
    archive_write_set_filter_option(a, "gzip", "compression-level", "9");
    if (archive_write_open2(a, out, NULL, sink_write, NULL, NULL) !=
        ARCHIVE_OK) {
        rc = la_error(a, "gzip");
        goto done;
    }
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)size);
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        archive_write_data(a, data, size) != (la_ssize_t)size ||
        archive_write_close(a) != ARCHIVE_OK) {
        rc = la_error(a, "gzip");
    }
done:
    archive_entry_free(e);
    archive_write_free(a);
    return rc;
}
