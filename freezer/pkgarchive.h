/*
 * pkgarchive.h - deterministic archives written with libarchive: tar (plain,
 * gzip or xz) in memory, ar files, a raw gzip stream. Every member has
 * uid/gid 0 ("root"), one fixed mtime and normalised modes (0755
 * directories and executables, 0644 other files). Used by deb.c and
 * installer.c.
 */
#ifndef FZ_PKGARCHIVE_H
#define FZ_PKGARCHIVE_H

#include "buf.h"

#include <stdint.h>

typedef enum fz_archive_filter {
    FZ_ARCHIVE_NONE = 0,
    FZ_ARCHIVE_GZIP,
    FZ_ARCHIVE_XZ
} fz_archive_filter;

/* Member mtime without SOURCE_DATE_EPOCH: 2024-01-01T00:00:00Z. A fixed
 * date keeps builds reproducible; 0 (1970) makes lintian report
 * package-contains-ancient-file, an error. */
#define FZ_ARCHIVE_DEFAULT_MTIME 1704067200

/* $SOURCE_DATE_EPOCH when it is a valid number, else
 * FZ_ARCHIVE_DEFAULT_MTIME. */
int64_t fz_archive_mtime(void);

/*
 * Tar the directory `dir` (not followed if a symlink; symlinks inside are
 * stored as symlinks) into `out` (appended): members are "<prefix><rel>",
 * directories with a trailing '/', in sorted order (parents first);
 * `prefix` ("./" for a .deb) names `dir` itself as a directory member
 * when not empty. Errors: FZ_EIO (reading, or libarchive), FZ_ENOMEM.
 */
int fz_archive_tar_dir(fz_buf *out, const char *dir, const char *prefix,
                       fz_archive_filter filter, int64_t mtime);

/* One member of an ar archive. */
typedef struct fz_ar_member {
    const char *name;
    const void *data;
    size_t size;
} fz_ar_member;

/*
 * Write an ar archive (the .deb container) of `count` members to `path`
 * (mode 0644) through a temporary file renamed into place. Errors: FZ_EIO.
 */
int fz_archive_ar_write(const char *path, const fz_ar_member *members,
                        size_t count, int64_t mtime);

/* `data` gzip-compressed (no name, no timestamp in the header) appended
 * to `out`. Errors: FZ_EIO, FZ_ENOMEM. */
int fz_archive_gzip(fz_buf *out, const void *data, size_t size);

#endif /* FZ_PKGARCHIVE_H */
