/*
 * onedir.c - the --onedir layout (onedir.h): split a payload into the
 * part the executable carries and the files of _internal.
 */
#define _GNU_SOURCE
#include "onedir.h"
#include "fz_bytes.h"

#include "buf.h"
#include "elf_attach.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "fz_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
is_file_kind(fz_entry_kind k)
{
    return k == FZ_ENTRY_EXTENSION || k == FZ_ENTRY_NATIVE_LIB ||
           k == FZ_ENTRY_DATA || k == FZ_ENTRY_METADATA;
}

/* Create the directories of `rel` (up to its last '/') below `dirfd`,
 * mode 0755, never following a symlink; *out is an fd on the last. */
static int
mkdirs_0755(int *out, int dirfd, const char *rel)
{
    const char *p = rel;
    int fd = dup(dirfd);
    int rc = 0;

    *out = -1;
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "dup: %s", strerror(errno));
    }
    for (;;) {
        const char *slash = strchr(p, '/');
        char *part;
        int next;

        if (slash == NULL) {
            break;
        }
        part = strndup(p, (size_t)(slash - p));
        if (part == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        if (mkdirat(fd, part, 0755) < 0 && errno != EEXIST) {
            rc = fz_error_set(FZ_EIO, "mkdir %s: %s", rel, strerror(errno));
            free(part);
            goto done;
        }
        next =
            openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        free(part);
        if (next < 0) {
            rc = fz_error_set(FZ_EIO, "open %s: %s", rel, strerror(errno));
            goto done;
        }
        close(fd);
        fd = next;
        p = slash + 1;
    }
    *out = fd;
    fd = -1;
done:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* Write entry `e` of `p` as a file below `dirfd`; *hash, the file's (an
 * external entry's hash, fz_payload.h). */
static int
write_entry(fz_payload *p, const fz_entry *e, int dirfd, uint64_t *hash)
{
    char *name = strndup(e->name, e->name_size);
    const char *slash;
    void *data = NULL;
    size_t size = 0;
    int fd = -1;
    int rc = 0;

    if (name == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = mkdirs_0755(&fd, dirfd, name);
    if (rc < 0) {
        goto done;
    }
    rc = fz_payload_read_alloc(p, e, &data, &size);
    if (rc < 0) {
        goto done;
    }
    *hash = fz_payload_entry_hash(data, size);
    slash = strrchr(name, '/');
    rc = fz_platform_write_new_at(fd, slash ? slash + 1 : name,
                                  (e->mode & 0777) | 0444, data, size);
done:
    if (fd >= 0) {
        close(fd);
    }
    free(data);
    free(name);
    return rc;
}

int
fz_onedir_split(void **out, size_t *out_size, const void *payload, size_t size,
                const char *internal)
{
    const uint8_t *in = payload;
    fz_payload *p = NULL;
    uint8_t *buf = NULL;
    uint64_t n, data_offset, pos = 0;
    int dirfd = -1;
    int rc;

    *out = NULL;
    *out_size = 0;
    rc = fz_payload_open(&p, payload, size, 0, 0);
    if (rc < 0) {
        goto done;
    }
    dirfd = open(internal, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", internal, strerror(errno));
        goto done;
    }
    /* The new payload is never larger than the old one. */
    buf = malloc(size);
    if (buf == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    n = fz_payload_entry_count(p);
    data_offset = fz_get_u64(in + 72);
    memcpy(buf, in, (size_t)data_offset);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *ix = buf + FZ_PAYLOAD_HEADER_SIZE + i * FZ_PAYLOAD_ENTRY_SIZE;
        fz_entry e;
        uint64_t file_hash = 0;
        int external;

        fz_payload_entry_at(p, i, &e);
        external = is_file_kind(e.kind) &&
                   !(e.name_size > 8 && memcmp(e.name, ".freeze/", 8) == 0);
        if (is_file_kind(e.kind)) {
            rc = write_entry(p, &e, dirfd, &file_hash);
            if (rc < 0) {
                fz_error_wrap(rc, "%s", internal);
                goto done;
            }
        }
        fz_put_u64(ix + 16, pos);
        if (external) {
            fz_put_u16(ix + 10, (uint16_t)(e.flags | FZ_ENTRY_F_EXTERNAL));
            ix[9] = FZ_COMPRESSION_RAW;
            fz_put_u64(ix + 24, 0);
            fz_put_u64(ix + 40, file_hash);
            continue;
        }
        /* e.offset is absolute; copy the stored bytes as they are */
        memcpy(buf + data_offset + pos, in + e.offset, (size_t)e.stored_size);
        pos += e.stored_size;
    }
    fz_put_u32(buf + 12, FZ_PAYLOAD_F_ONEDIR);
    fz_put_u64(buf + 80, pos);
    fz_put_u64(buf + 88, data_offset + pos);
    fz_put_u64(buf + 104, fz_payload_meta_hash(buf, data_offset));
    *out = buf;
    *out_size = (size_t)(data_offset + pos);
    buf = NULL;
done:
    if (dirfd >= 0) {
        close(dirfd);
    }
    fz_payload_free(p);
    free(buf);
    return rc;
}

/* Put the built directory `tmp` at `dir`, replacing what is there. */
static int
publish(const char *tmp, const char *dir)
{
    if (rename(tmp, dir) == 0) {
        return 0;
    }
    if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR &&
        errno != EISDIR) {
        return fz_error_set(FZ_EIO, "rename %s to %s: %s", tmp, dir,
                            strerror(errno));
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) < 0) {
        return fz_error_set(FZ_EIO, "replace %s: %s", dir, strerror(errno));
    }
    fz_platform_remove_path(tmp); /* now the old output */
    return 0;
}

int
fz_onedir_write(char **exe_out, uint64_t *exe_size, const char *stub,
                const char *dir, const void *payload, size_t size)
{
    const char *name = fz_path_basename(dir);
    fz_buf tmp = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    void *split = NULL;
    size_t split_size = 0;
    char *parent = NULL;
    int made = 0;
    int rc;

    *exe_out = NULL;
    parent = fz_path_dirname(dir);
    rc = parent ? 0 : FZ_ENOMEM;
    rc = rc ? rc : fz_buf_printf(&tmp, "%s/.%s.tmp-XXXXXX", parent, name);
    if (rc < 0) {
        goto done;
    }
    if (mkdtemp(tmp.data) == NULL) {
        rc = fz_error_set(FZ_EIO, "cannot create a directory in %s: %s", parent,
                          strerror(errno));
        goto done;
    }
    made = 1;
    if (chmod(tmp.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "chmod %s: %s", tmp.data, strerror(errno));
        goto done;
    }
    rc = fz_buf_printf(&path, "%s/" FZ_ONEDIR_INTERNAL, tmp.data);
    if (rc < 0) {
        goto done;
    }
    if (mkdir(path.data, 0755) < 0) {
        rc = fz_error_set(FZ_EIO, "mkdir %s: %s", path.data, strerror(errno));
        goto done;
    }
    rc = fz_onedir_split(&split, &split_size, payload, size, path.data);
    fz_buf_clear(&path);
    rc = rc ? rc : fz_buf_printf(&path, "%s/%s", tmp.data, name);
    rc = rc ? rc : fz_elf_attach(stub, path.data, split, split_size, exe_size);
    rc = rc ? rc : publish(tmp.data, dir);
    if (rc < 0) {
        goto done;
    }
    made = 0;
    fz_buf_clear(&path);
    rc = fz_buf_printf(&path, "%s/%s", dir, name);
    if (rc == 0) {
        *exe_out = fz_buf_detach(&path);
    }
done:
    if (made) {
        fz_platform_remove_path(tmp.data);
    }
    fz_buf_dispose(&tmp);
    fz_buf_dispose(&path);
    free(split);
    free(parent);
    return rc;
}
