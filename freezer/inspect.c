/*
 * inspect.c - the payload of a frozen app, read back (inspect.h).
 */
#define _GNU_SOURCE
#include "inspect.h"

#include "elf_attach.h"
#include "fz_error.h"
#include "fz_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
fz_inspect_free(fz_inspect *in)
{
    if (in == NULL) {
        return;
    }
    fz_payload_free(in->payload);
    free(in->bytes);
    free(in->main_entry);
    free(in->path);
    free(in);
}

/* Read `size` bytes at `offset` of `path` into a new buffer. */
static int
read_range(void **out, const char *path, uint64_t offset, uint64_t size)
{
    char *buf = NULL;
    size_t done_bytes = 0;
    int fd;
    int rc = 0;

    *out = NULL;
    if (size > SIZE_MAX || size > ((uint64_t)1 << 40)) {
        return fz_error_set(FZ_EFORMAT, "%s: payload too large", path);
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    buf = malloc(size ? (size_t)size : 1);
    if (buf == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    while (done_bytes < size) {
        ssize_t n = pread(fd, buf + done_bytes, (size_t)size - done_bytes,
                          (off_t)(offset + done_bytes));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = fz_error_set(n < 0 ? FZ_EIO : FZ_EFORMAT, "%s: %s", path,
                              n < 0 ? strerror(errno) : "truncated payload");
            goto done;
        }
        done_bytes += (size_t)n;
    }
    *out = buf;
    buf = NULL;
done:
    free(buf);
    close(fd);
    return rc;
}

int
fz_inspect_open(fz_inspect **out, const char *exe)
{
    fz_inspect *in = NULL;
    fz_entry main_e;
    int rc;

    *out = NULL;
    in = calloc(1, sizeof(*in));
    if (in == NULL || (in->path = fz_strdup(exe)) == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    rc = fz_elf_find_payload(exe, &in->payload_offset, &in->payload_size);
    if (rc == FZ_ENOTFOUND) {
        rc = fz_error_set(FZ_ENOTFOUND,
                          "%s: no %s section (not an app made by freeze)", exe,
                          FZ_PAYLOAD_SECTION);
    }
    rc = rc ? rc
            : read_range(&in->bytes, exe, in->payload_offset, in->payload_size);
    if (rc < 0) {
        goto done;
    }
    rc = fz_payload_open(&in->payload, in->bytes, (size_t)in->payload_size, 0,
                         0);
    if (rc < 0) {
        rc = fz_error_wrap(rc, "%s", exe);
        goto done;
    }
    in->python_version = fz_payload_python_version(in->payload);
    /* dict_size: header field at offset 64 (validated by the reader) */
    for (int i = 7; i >= 0; i--) {
        in->dict_size =
            (in->dict_size << 8) | ((const unsigned char *)in->bytes)[64 + i];
    }
    if (fz_payload_main(in->payload, &main_e) == 0) {
        in->main_entry = strndup(main_e.name, main_e.name_size);
        if (in->main_entry == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
    }
    *out = in;
    in = NULL;
done:
    fz_inspect_free(in);
    return rc;
}

char *
fz_inspect_package(const char *name, size_t size)
{
    const char *slash = memchr(name, '/', size);
    size_t n = slash ? (size_t)(slash - name) : size;

    if (slash == NULL) {
        const char *dot = memchr(name, '.', n);

        if (dot != NULL && dot != name) {
            n = (size_t)(dot - name);
        }
    }
    return strndup(name, n);
}

static int
cmp_total(const void *a, const void *b)
{
    const fz_inspect_total *x = a;
    const fz_inspect_total *y = b;

    if (x->stored != y->stored) {
        return x->stored < y->stored ? 1 : -1;
    }
    return strcmp(x->package, y->package);
}

void
fz_inspect_totals_free(fz_inspect_total *t, size_t count)
{
    for (size_t i = 0; t != NULL && i < count; i++) {
        free(t[i].package);
    }
    free(t);
}

int
fz_inspect_totals(fz_inspect_total **out, size_t *count, const fz_inspect *in)
{
    uint64_t n = fz_payload_entry_count(in->payload);
    fz_inspect_total *t = NULL;
    size_t used = 0;
    char *pkg = NULL;
    int rc = 0;

    *out = NULL;
    *count = 0;
    /* at most one total per entry: no growth needed */
    t = calloc(n ? (size_t)n : 1, sizeof(*t));
    if (t == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;
        size_t k;

        fz_payload_entry_at(in->payload, i, &e);
        pkg = fz_inspect_package(e.name, e.name_size);
        if (pkg == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        /* entries are sorted by name, so a package's are mostly adjacent;
         * "a.pyc" and "a/" are not, hence the search */
        for (k = used; k > 0; k--) {
            if (strcmp(t[k - 1].package, pkg) == 0) {
                break;
            }
        }
        if (k == 0) {
            t[used].package = pkg;
            k = ++used;
            pkg = NULL;
        }
        t[k - 1].raw += e.raw_size;
        t[k - 1].stored += e.stored_size;
        t[k - 1].entries++;
        free(pkg);
        pkg = NULL;
    }
    qsort(t, used, sizeof(*t), cmp_total);
    *out = t;
    *count = used;
    t = NULL;
done:
    free(pkg);
    fz_inspect_totals_free(t, used);
    return rc;
}

static int
jstrn(fz_buf *b, const char *s, size_t n)
{
    int rc = fz_buf_puts(b, "\"");

    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            rc = fz_buf_printf(b, "\\%c", c);
        } else if (c < 0x20) {
            rc = fz_buf_printf(b, "\\u%04x", c);
        } else {
            rc = fz_buf_append(b, &s[i], 1);
        }
    }
    return rc ? rc : fz_buf_puts(b, "\"");
}

static const char *
compression_name(int c)
{
    switch (c) {
    case FZ_COMPRESSION_RAW:
        return "raw";
    case FZ_COMPRESSION_ZSTD:
        return "zstd";
    case FZ_COMPRESSION_ZSTD_DICT:
        return "zstd+dict";
    case FZ_COMPRESSION_LZ4:
        return "lz4";
    case FZ_COMPRESSION_LZ4_DICT:
        return "lz4+dict";
    case FZ_COMPRESSION_ZSTD_X86:
        return "zstd+x86";
    default:
        return "unknown"; /* refused at open */
    }
}

int
fz_inspect_json(fz_buf *out, const fz_inspect *in)
{
    uint64_t n = fz_payload_entry_count(in->payload);
    fz_inspect_total *t = NULL;
    size_t nt = 0;
    uint64_t raw = 0;
    uint64_t stored = 0;
    int rc;

    fz_buf_clear(out);
    rc = fz_buf_puts(out, "{\n  \"path\": ");
    rc = rc ? rc : jstrn(out, in->path, strlen(in->path));
    rc = rc ? rc
            : fz_buf_printf(out,
                            ",\n  \"python\": \"%u.%u\",\n"
                            "  \"payload_offset\": %llu,\n"
                            "  \"payload_size\": %llu,\n"
                            "  \"dictionary_size\": %llu,\n  \"main\": ",
                            in->python_version >> 24,
                            (in->python_version >> 16) & 0xff,
                            (unsigned long long)in->payload_offset,
                            (unsigned long long)in->payload_size,
                            (unsigned long long)in->dict_size);
    if (rc == 0 && in->main_entry != NULL) {
        rc = jstrn(out, in->main_entry, strlen(in->main_entry));
    } else if (rc == 0) {
        rc = fz_buf_puts(out, "null");
    }
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"entries\": [");
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        fz_entry e;

        fz_payload_entry_at(in->payload, i, &e);
        raw += e.raw_size;
        stored += e.stored_size;
        rc = fz_buf_printf(out, "%s\n    {\"name\": ", i ? "," : "");
        rc = rc ? rc : jstrn(out, e.name, e.name_size);
        rc = rc ? rc
                : fz_buf_printf(out,
                                ", \"kind\": \"%s\", \"size\": %llu, "
                                "\"stored\": %llu, \"compression\": \"%s\", "
                                "\"mode\": \"%04o\"}",
                                fz_entry_kind_name(e.kind),
                                (unsigned long long)e.raw_size,
                                (unsigned long long)e.stored_size,
                                compression_name(e.compression),
                                (unsigned)e.mode);
    }
    rc = rc ? rc : fz_buf_puts(out, "\n  ],\n  \"packages\": [");
    rc = rc ? rc : fz_inspect_totals(&t, &nt, in);
    for (size_t i = 0; i < nt && rc == 0; i++) {
        rc = fz_buf_printf(out, "%s\n    {\"package\": ", i ? "," : "");
        rc = rc ? rc : jstrn(out, t[i].package, strlen(t[i].package));
        rc = rc ? rc
                : fz_buf_printf(out,
                                ", \"size\": %llu, \"stored\": %llu, "
                                "\"entries\": %zu}",
                                (unsigned long long)t[i].raw,
                                (unsigned long long)t[i].stored, t[i].entries);
    }
    rc = rc ? rc
            : fz_buf_printf(out,
                            "\n  ],\n  \"totals\": {\"entries\": %llu, "
                            "\"size\": %llu, \"stored\": %llu}\n}\n",
                            (unsigned long long)n, (unsigned long long)raw,
                            (unsigned long long)stored);
    fz_inspect_totals_free(t, nt);
    return rc;
}

/* Write entry `e` below the directory fd `root`. */
static int
extract_one(fz_inspect *in, int root, const fz_entry *e)
{
    const char *slash = NULL;
    void *data = NULL;
    size_t size = 0;
    char *name = NULL;
    int dirfd = -1;
    int rc;

    /* the reader validated the name: relative, no "." / ".." / empty
     * segment, no NUL or backslash; check again, cheaply, since a name
     * that escaped `dir` would be the worst failure here */
    if (!fz_payload_name_valid(e->name, e->name_size)) {
        return fz_error_set(FZ_EFORMAT, "refusing entry name '%.*s'",
                            (int)e->name_size, e->name);
    }
    name = strndup(e->name, e->name_size);
    if (name == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (size_t i = e->name_size; i > 0; i--) {
        if (name[i - 1] == '/') {
            slash = name + i - 1;
            break;
        }
    }
    rc = fz_payload_read_alloc(in->payload, e, &data, &size);
    if (rc < 0) {
        rc = fz_error_wrap(rc, "%s", name);
        goto done;
    }
    rc = fz_platform_mkdirs_at(&dirfd, root, name,
                               slash ? (size_t)(slash - name) : 0);
    if (rc < 0) {
        rc = fz_error_wrap(rc, "%s", name);
        goto done;
    }
    rc = fz_platform_write_new_at(dirfd, slash ? slash + 1 : name,
                                  e->mode & 0777, data, size);
    if (rc < 0) {
        rc = fz_error_wrap(rc, "%s", name);
    }
done:
    if (dirfd >= 0) {
        close(dirfd);
    }
    free(data);
    free(name);
    return rc;
}

int
fz_inspect_extract(fz_inspect *in, const char *dir, size_t *written,
                   const fz_progress *progress)
{
    uint64_t n = fz_payload_entry_count(in->payload);
    int root = -1;
    int rc;

    *written = 0;
    rc = fz_mkdir_p(dir);
    if (rc < 0) {
        return rc;
    }
    root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        return fz_error_set(FZ_EIO, "%s: %s", dir, strerror(errno));
    }
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        fz_entry e;

        fz_payload_entry_at(in->payload, i, &e);
        rc = extract_one(in, root, &e);
        *written += rc == 0;
        fz_progress_step(progress, i + 1, n);
    }
    close(root);
    return rc;
}
