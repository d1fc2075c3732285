/*
 * buf.h - growable byte buffers, string lists and small file helpers used
 * throughout the freezer (no fixed-size path buffers anywhere).
 */
#ifndef FZ_BUF_H
#define FZ_BUF_H

#include <stddef.h>

/* A growable byte buffer; `data` is always NUL-terminated when non-NULL. */
typedef struct fz_buf {
    char *data;
    size_t size;
    size_t cap;
} fz_buf;

#define FZ_BUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* Append `n` bytes. FZ_ENOMEM on allocation or size overflow. */
int fz_buf_append(fz_buf *b, const void *p, size_t n);

/* Append a NUL-terminated string. */
int fz_buf_puts(fz_buf *b, const char *s);

/* Append printf-style text. */
int fz_buf_printf(fz_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Forget the contents, keep the memory. */
void fz_buf_clear(fz_buf *b);

/* Release the memory; the buffer may be reused afterwards. */
void fz_buf_dispose(fz_buf *b);

/* Take ownership of the data (never NULL on success: "" for empty). */
char *fz_buf_detach(fz_buf *b);

/* A list of owned strings. */
typedef struct fz_strvec {
    char **items;
    size_t count;
    size_t cap;
} fz_strvec;

#define FZ_STRVEC_INIT                                                         \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/* Append a copy of `s`. */
int fz_strvec_push(fz_strvec *v, const char *s);

/* Append a copy of `s` unless an equal string is already there. */
int fz_strvec_push_unique(fz_strvec *v, const char *s);

/* 1 when an item equals `s`, else 0. */
int fz_strvec_contains(const fz_strvec *v, const char *s);

/* Free every item and the array. Accepts a zeroed list. */
void fz_strvec_dispose(fz_strvec *v);

/* malloc'd copy of `s`, NULL on failure (sets FZ_ENOMEM). */
char *fz_strdup(const char *s);

/* malloc'd "a/b" (no doubled slash); NULL on failure. */
char *fz_path_join(const char *a, const char *b);

/* malloc'd directory part of `path` ("." when there is none). */
char *fz_path_dirname(const char *path);

/* "<dirname of path>/<name>", malloc'd; NULL when out of memory. */
char *fz_path_sibling(const char *path, const char *name);

/* "<dir of the running executable>/<rel>", malloc'd; NULL when that
 * cannot be resolved or out of memory. */
char *fz_path_beside_self(const char *rel);

/* Pointer to the last component of `path` (borrowed, inside `path`). */
const char *fz_path_basename(const char *path);

/* Read a whole file into `out` (replacing its contents). FZ_EIO with the
 * path in the message on failure. */
int fz_file_read(fz_buf *out, const char *path);

/* 1 when `path` is a regular file (following symlinks), else 0. */
int fz_is_file(const char *path);

/* 1 when `path` is a directory (following symlinks), else 0. */
int fz_is_dir(const char *path);

/* Create `path` and its missing parents (mode 0777 & ~umask). */
int fz_mkdir_p(const char *path);

#endif /* FZ_BUF_H */
