/*
 * buf.c - growable buffers, string lists and file helpers (buf.h).
 */
#include "buf.h"

#include "fz_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
buf_reserve(fz_buf *b, size_t extra)
{
    size_t need;
    size_t cap;
    char *p;

    if (extra > SIZE_MAX - b->size - 1) {
        return fz_error_set(FZ_ENOMEM, "buffer size overflow");
    }
    need = b->size + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory (%zu bytes)", cap);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int
fz_buf_append(fz_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);

    if (rc < 0) {
        return rc;
    }
    if (n > 0) {
        memcpy(b->data + b->size, p, n);
    }
    b->size += n;
    b->data[b->size] = '\0';
    return 0;
}

int
fz_buf_puts(fz_buf *b, const char *s)
{
    return fz_buf_append(b, s, strlen(s));
}

int
fz_buf_printf(fz_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return fz_error_set(FZ_EFAIL, "bad format string");
    }
    rc = buf_reserve(b, (size_t)n);
    if (rc < 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->size += (size_t)n;
    return 0;
}

void
fz_buf_clear(fz_buf *b)
{
    b->size = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

void
fz_buf_dispose(fz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
    b->cap = 0;
}

char *
fz_buf_detach(fz_buf *b)
{
    char *p;

    if (b->data == NULL && buf_reserve(b, 0) < 0) {
        return NULL;
    }
    b->data[b->size] = '\0';
    p = b->data;
    b->data = NULL;
    b->size = 0;
    b->cap = 0;
    return p;
}

int
fz_strvec_push(fz_strvec *v, const char *s)
{
    char *copy;

    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **items;

        if (cap > SIZE_MAX / sizeof(*items)) {
            return fz_error_set(FZ_ENOMEM, "list size overflow");
        }
        items = realloc(v->items, cap * sizeof(*items));
        if (items == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        v->items = items;
        v->cap = cap;
    }
    copy = fz_strdup(s);
    if (copy == NULL) {
        return FZ_ENOMEM;
    }
    v->items[v->count++] = copy;
    return 0;
}

int
fz_strvec_contains(const fz_strvec *v, const char *s)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->items[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

int
fz_strvec_push_unique(fz_strvec *v, const char *s)
{
    if (fz_strvec_contains(v, s)) {
        return 0;
    }
    return fz_strvec_push(v, s);
}

void
fz_strvec_dispose(fz_strvec *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free(v->items[i]);
    }
    free(v->items);
    v->items = NULL;
    v->count = 0;
    v->cap = 0;
}

char *
fz_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p == NULL) {
        fz_error_set(FZ_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(p, s, n);
    return p;
}

char *
fz_path_join(const char *a, const char *b)
{
    fz_buf buf = FZ_BUF_INIT;
    size_t na = strlen(a);

    if (fz_buf_append(&buf, a, na) < 0) {
        goto fail;
    }
    if (na > 0 && a[na - 1] != '/' && fz_buf_puts(&buf, "/") < 0) {
        goto fail;
    }
    if (fz_buf_puts(&buf, b) < 0) {
        goto fail;
    }
    return fz_buf_detach(&buf);
fail:
    fz_buf_dispose(&buf);
    return NULL;
}

char *
fz_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    fz_buf buf = FZ_BUF_INIT;

    if (slash == NULL) {
        return fz_strdup(".");
    }
    if (slash == path) {
        return fz_strdup("/");
    }
    if (fz_buf_append(&buf, path, (size_t)(slash - path)) < 0) {
        return NULL;
    }
    return fz_buf_detach(&buf);
}

char *
fz_path_sibling(const char *path, const char *name)
{
    char *dir = fz_path_dirname(path);
    char *sibling = dir ? fz_path_join(dir, name) : NULL;

    free(dir);
    return sibling;
}

char *
fz_path_beside_self(const char *rel)
{
    char *exe = realpath("/proc/self/exe", NULL);
    char *path = exe ? fz_path_sibling(exe, rel) : NULL;

    free(exe);
    return path;
}

const char *
fz_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

int
fz_file_read(fz_buf *out, const char *path)
{
    char chunk[65536];
    int fd = -1;
    int rc = 0;

    fz_buf_clear(out);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0) {
            break;
        }
        rc = fz_buf_append(out, chunk, (size_t)n);
        if (rc < 0) {
            goto done;
        }
    }
    if (out->data == NULL) {
        rc = fz_buf_append(out, "", 0);
    }
done:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

int
fz_is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
fz_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
fz_mkdir_p(const char *path)
{
    char *copy = NULL;
    int rc = 0;

    if (path[0] == '\0') {
        return fz_error_set(FZ_EINVAL, "empty directory name");
    }
    copy = fz_strdup(path);
    if (copy == NULL) {
        return FZ_ENOMEM;
    }
    for (char *p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;

            *p = '\0';
            if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
                rc = fz_error_set(FZ_EIO, "cannot create directory %s: %s",
                                  copy, strerror(errno));
                goto done;
            }
            *p = saved;
            if (saved == '\0') {
                break;
            }
        }
    }
    if (!fz_is_dir(path)) {
        rc = fz_error_set(FZ_EIO, "%s exists and is not a directory", path);
    }
done:
    free(copy);
    return rc;
}
