/*
 * buildcache.c - the per-user build cache and whole-build manifests
 * (buildcache.h). Used by bundle.c, collect.c and the payload writer.
 */
#define _GNU_SOURCE
#include "buildcache.h"
#include "fz_bytes.h"

#include "codeimage.h"
#include "compile.h"
#include "fz_codeimage.h"
#include "fz_error.h"
#include "fz_platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#define MAGIC "FZBCACHE"
#define MANIFEST_MAGIC "FZMANIF1"
/* Inputs changed less than this before the build started are hashed:
 * file times come from a coarse clock, a later change may not move them. */
#define RACY_NS ((int64_t)1000000000)
/* A manifest lists at most this many paths and tags (bounds on input). */
#define MANIFEST_MAX ((uint32_t)1 << 20)

struct fz_buildcache {
    int dirfd;
    int shipped_fd; /* read-only layer freeze was installed with; -1 */
    atomic_size_t hits;
    atomic_size_t misses;
    atomic_uint serial; /* temp file names */
};

/* ------------------------------------------------------------ bytes */

/* "<32 hex digits>" of a key into name (33 bytes). */
static void
key_name(char *name, const uint8_t *key)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < FZ_BUILDCACHE_KEY_SIZE; i++) {
        name[2 * i] = hex[key[i] >> 4];
        name[2 * i + 1] = hex[key[i] & 15];
    }
    name[2 * FZ_BUILDCACHE_KEY_SIZE] = '\0';
}

/* ------------------------------------------------------------ store */

int
fz_buildcache_open(fz_buildcache **out, const char *dir)
{
    fz_buildcache *c = NULL;
    char *base = NULL;
    int basefd = -1;
    int freezefd = -1;
    int fd = -1;
    int rc = 0;

    *out = NULL;
    if (dir != NULL) {
        rc = fz_platform_base_dir_open(&fd, dir, 1);
    } else {
        rc = fz_platform_cache_dir(&base);
        rc = rc ? rc : fz_platform_base_dir_open(&basefd, base, 1);
        rc = rc ? rc
                : fz_platform_secure_dir_open(&freezefd, basefd, "freeze", 1);
        rc = rc ? rc : fz_platform_secure_dir_open(&fd, freezefd, "build", 1);
    }
    if (rc < 0) {
        goto done;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    c->dirfd = fd;
    c->shipped_fd = -1;
    fd = -1;
    atomic_init(&c->hits, 0);
    atomic_init(&c->misses, 0);
    atomic_init(&c->serial, 0);
    *out = c;
done:
    if (fd >= 0) {
        close(fd);
    }
    if (freezefd >= 0) {
        close(freezefd);
    }
    if (basefd >= 0) {
        close(basefd);
    }
    free(base);
    return rc;
}

int
fz_buildcache_add_shipped(fz_buildcache *c, const char *dir)
{
    struct stat st;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        return fz_error_set(errno == ENOENT ? FZ_ENOTFOUND : FZ_EIO, "%s: %s",
                            dir, strerror(errno));
    }
    /* Its entries are trusted as much as freeze itself: only when no one
     * but root or this user can change them. */
    if (fstat(fd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
        (st.st_mode & 022) != 0) {
        close(fd);
        return fz_error_set(FZ_PLATFORM_EUNSAFE,
                            "%s: not owned by root or you, or writable by "
                            "others",
                            dir);
    }
    if (c->shipped_fd >= 0) {
        close(c->shipped_fd);
    }
    c->shipped_fd = fd;
    return FZ_OK;
}

void
fz_buildcache_free(fz_buildcache *c)
{
    if (c == NULL) {
        return;
    }
    close(c->dirfd);
    if (c->shipped_fd >= 0) {
        close(c->shipped_fd);
    }
    free(c);
}

void
fz_buildcache_counts(const fz_buildcache *c, size_t *hits, size_t *misses)
{
    *hits = c ? atomic_load(&c->hits) : 0;
    *misses = c ? atomic_load(&c->misses) : 0;
}

/* Read exactly n bytes; 0 or -1. */
static int
read_full(int fd, void *p, size_t n)
{
    uint8_t *q = p;

    while (n > 0) {
        ssize_t r = read(fd, q, n);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        q += r;
        n -= (size_t)r;
    }
    return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
    const uint8_t *q = p;

    while (n > 0) {
        ssize_t r = write(fd, q, n);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        q += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The checks of get on the layer `dirfd`; 1 when `out` holds the
 * verified content. */
static int
load(int dirfd, const uint8_t *key, fz_buf *out)
{
    char name[2 * FZ_BUILDCACHE_KEY_SIZE + 1];
    uint8_t head[FZ_BUILDCACHE_HEADER_SIZE];
    struct stat st;
    uint64_t size;
    int fd;
    int ok = 0;

    key_name(name, key);
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size < (off_t)FZ_BUILDCACHE_HEADER_SIZE ||
        read_full(fd, head, sizeof(head)) < 0) {
        goto done;
    }
    size = fz_get_u64(head + 16);
    if (memcmp(head, MAGIC, 8) != 0 ||
        fz_get_u32(head + 8) != FZ_BUILDCACHE_VERSION ||
        fz_get_u32(head + 12) != 0 ||
        memcmp(head + 32, key, FZ_BUILDCACHE_KEY_SIZE) != 0 ||
        size != (uint64_t)st.st_size - FZ_BUILDCACHE_HEADER_SIZE ||
        size >= SIZE_MAX) {
        goto done;
    }
    fz_buf_clear(out);
    {
        char *data = malloc(size ? (size_t)size : 1);

        if (data == NULL) {
            fz_error_clear();
            goto done;
        }
        if (read_full(fd, data, (size_t)size) == 0 &&
            XXH3_64bits(data, (size_t)size) == fz_get_u64(head + 24) &&
            fz_buf_append(out, data, (size_t)size) == 0) {
            ok = 1;
        }
        free(data);
    }
done:
    if (!ok) {
        fz_error_clear();
    }
    close(fd);
    return ok;
}

int
fz_buildcache_get(fz_buildcache *c, const uint8_t *key, fz_buf *out)
{
    int ok =
        c != NULL && (load(c->dirfd, key, out) ||
                      (c->shipped_fd >= 0 && load(c->shipped_fd, key, out)));

    if (c != NULL) {
        atomic_fetch_add(ok ? &c->hits : &c->misses, 1);
    }
    return ok;
}

int
fz_buildcache_put(fz_buildcache *c, const uint8_t *key, const void *data,
                  size_t size)
{
    char name[2 * FZ_BUILDCACHE_KEY_SIZE + 1];
    char tmp[2 * FZ_BUILDCACHE_KEY_SIZE + 64];
    uint8_t head[FZ_BUILDCACHE_HEADER_SIZE];
    int fd = -1;
    int rc = FZ_EIO;

    if (c == NULL) {
        return FZ_EIO;
    }
    key_name(name, key);
    snprintf(tmp, sizeof(tmp), ".tmp-%ld-%u-%s", (long)getpid(),
             atomic_fetch_add(&c->serial, 1), name);
    memcpy(head, MAGIC, 8);
    fz_put_u32(head + 8, FZ_BUILDCACHE_VERSION);
    fz_put_u32(head + 12, 0);
    fz_put_u64(head + 16, size);
    fz_put_u64(head + 24, XXH3_64bits(data, size));
    memcpy(head + 32, key, FZ_BUILDCACHE_KEY_SIZE);
    fd = openat(c->dirfd, tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        goto done;
    }
    if (write_full(fd, head, sizeof(head)) < 0 ||
        write_full(fd, data, size) < 0) {
        goto done;
    }
    if (close(fd) < 0) {
        fd = -1;
        goto done;
    }
    fd = -1;
    /* Concurrent writers of one key write the same bytes: last one wins. */
    if (renameat(c->dirfd, tmp, c->dirfd, name) < 0) {
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0) {
        close(fd);
    }
    if (rc < 0) {
        unlinkat(c->dirfd, tmp, 0);
    }
    return rc;
}

static int
cache_get(void *ctx, const uint8_t *key, void **out, size_t *out_size)
{
    fz_buf b = FZ_BUF_INIT;

    *out = NULL;
    *out_size = 0;
    if (!fz_buildcache_get(ctx, key, &b)) {
        fz_buf_dispose(&b);
        return 0;
    }
    *out_size = b.size;
    *out = fz_buf_detach(&b);
    if (*out == NULL) {
        fz_error_clear();
        return 0;
    }
    return 1;
}

static int
cache_put(void *ctx, const uint8_t *key, const void *data, size_t size)
{
    return fz_buildcache_put(ctx, key, data, size);
}

fz_payload_cache
fz_buildcache_payload_cache(fz_buildcache *c)
{
    fz_payload_cache pc;

    pc.ctx = c;
    pc.get = cache_get;
    pc.put = cache_put;
    return pc;
}

/* XXH3-128 in canonical form. */
static void
digest_key(uint8_t *key, XXH3_state_t *st)
{
    XXH128_canonical_t c;

    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
    memcpy(key, c.digest, FZ_BUILDCACHE_KEY_SIZE);
}

/* Source to the code image the payload holds (marshalled code when no
 * image can hold a constant). */
static int
compile_image(fz_buf *out, const char *source, size_t size,
              const char *filename, const char *display, int optimize,
              int columns)
{
    int rc =
        fz_compile(out, source, size, filename, display, optimize, columns);

    return rc < 0 ? rc : fz_codeimage_from_marshal(out, display);
}

/* Is a cached entry code the runtime reads: a code image of this CPython
 * build's layouts (fz_codeimage.h), or marshal.dumps(code), which starts
 * with TYPE_CODE ('c', maybe | FLAG_REF)? */
static int
cached_code_usable(const fz_buf *b)
{
    if (b->size >= FZ_CODEIMAGE_HEADER_SIZE &&
        memcmp(b->data, FZ_CODEIMAGE_MAGIC, 4) == 0) {
        return fz_get_u32((const uint8_t *)b->data + 4) ==
               fz_codeimage_layout();
    }
    return b->size > 0 && (b->data[0] & 0x7f) == 'c';
}

int
fz_buildcache_compile(fz_buildcache *c, fz_buf *out, const char *source,
                      size_t size, const char *filename, const char *display,
                      int optimize, int columns)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    uint8_t head[24];
    XXH3_state_t *st = NULL;
    int rc;

    if (c == NULL || (st = XXH3_createState()) == NULL) {
        return compile_image(out, source, size, filename, display, optimize,
                             columns);
    }
    fz_put_u32(head, FZ_BUILDCACHE_VERSION);
    fz_put_u32(head + 4, (uint32_t)FZ_PY_MAGIC_LE);
    fz_put_u32(head + 8, (uint32_t)FZ_PY_HEXVERSION_MM);
    fz_put_u32(head + 12, (uint32_t)optimize);
    fz_put_u32(head + 16, (uint32_t)(columns != 0));
    fz_put_u32(head + 20, fz_codeimage_layout());
    XXH3_128bits_reset(st);
    XXH3_128bits_update(st, "code", 5);
    XXH3_128bits_update(st, head, sizeof(head));
    XXH3_128bits_update(st, filename, strlen(filename) + 1);
    XXH3_128bits_update(st, source, size);
    digest_key(key, st);
    XXH3_freeState(st);
    if (fz_buildcache_get(c, key, out) && cached_code_usable(out)) {
        return 0;
    }
    rc = compile_image(out, source, size, filename, display, optimize, columns);
    if (rc == 0) {
        fz_buildcache_put(c, key, out->data, out->size);
    }
    return rc;
}

/* ------------------------------------------------------- manifests */

enum { REC_MISSING = 0, REC_FILE = 1, REC_DIR = 2, REC_OTHER = 3 };

typedef struct record {
    char *path;
    uint8_t kind;
    uint8_t hashed; /* `hash` is the content (file) or listing (dir) */
    uint32_t mode;
    uint64_t size;
    int64_t mtime_ns;
    int64_t ctime_ns;
    uint64_t ino;
    uint64_t dev;
    uint64_t hash;
} record;

typedef struct tag {
    char *name;
    fz_buf data;
} tag;

struct fz_manifest {
    int64_t start_ns;
    record *recs;
    size_t count;
    size_t cap;
    tag *tags;
    size_t ntags;
    int unusable; /* an input could not be hashed: never store */
};

int
fz_manifest_new(fz_manifest **out, int64_t start_ns)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    (*out)->start_ns = start_ns;
    return 0;
}

void
fz_manifest_free(fz_manifest *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->count; i++) {
        free(m->recs[i].path);
    }
    for (size_t i = 0; i < m->ntags; i++) {
        free(m->tags[i].name);
        fz_buf_dispose(&m->tags[i].data);
    }
    free(m->recs);
    free(m->tags);
    free(m);
}

size_t
fz_manifest_count(const fz_manifest *m)
{
    return m->count;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* XXH3-64 of a file's bytes, or of a directory's sorted names. */
static int
hash_path(uint64_t *out, const char *path, int is_dir)
{
    fz_buf b = FZ_BUF_INIT;
    fz_strvec names = FZ_STRVEC_INIT;
    DIR *d = NULL;
    struct dirent *e;
    int rc = 0;

    if (!is_dir) {
        rc = fz_file_read(&b, path);
        if (rc == 0) {
            *out = XXH3_64bits(b.data, b.size);
        }
        goto done;
    }
    d = opendir(path);
    if (d == NULL) {
        rc = FZ_EIO;
        goto done;
    }
    while ((e = readdir(d)) != NULL && rc == 0) {
        rc = fz_strvec_push(&names, e->d_name);
    }
    if (rc < 0) {
        goto done;
    }
    qsort(names.items, names.count, sizeof(*names.items), name_cmp);
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        rc = fz_buf_append(&b, names.items[i], strlen(names.items[i]) + 1);
    }
    if (rc == 0) {
        *out = XXH3_64bits(b.data ? b.data : "", b.size);
    }
done:
    if (d != NULL) {
        closedir(d);
    }
    fz_strvec_dispose(&names);
    fz_buf_dispose(&b);
    fz_error_clear();
    return rc;
}

/* `r` as the path is now; hash it when it changed near `start_ns`. */
static void
stat_record(record *r, int64_t start_ns)
{
    struct stat st;

    memset(&r->kind, 0, sizeof(*r) - offsetof(record, kind));
    if (stat(r->path, &st) < 0) {
        r->kind = REC_MISSING;
        return;
    }
    r->kind = S_ISREG(st.st_mode)   ? REC_FILE
              : S_ISDIR(st.st_mode) ? REC_DIR
                                    : REC_OTHER;
    r->mode = (uint32_t)st.st_mode;
    r->size = (uint64_t)st.st_size;
    r->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    r->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    r->ino = (uint64_t)st.st_ino;
    r->dev = (uint64_t)st.st_dev;
    if (r->kind != REC_OTHER && (r->mtime_ns >= start_ns - RACY_NS ||
                                 r->ctime_ns >= start_ns - RACY_NS)) {
        r->hashed = hash_path(&r->hash, r->path, r->kind == REC_DIR) == 0;
        if (!r->hashed) {
            r->kind = REC_OTHER; /* never equal to a later look */
        }
    }
}

static int
same(const record *a, const record *b)
{
    return a->kind == b->kind && a->kind != REC_OTHER && a->mode == b->mode &&
           a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns && a->ino == b->ino && a->dev == b->dev;
}

int
fz_manifest_add_path(fz_manifest *m, const char *path)
{
    record *r;

    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->recs[i].path, path) == 0) {
            return 0;
        }
    }
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        record *recs = realloc(m->recs, cap * sizeof(*recs));

        if (recs == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        m->recs = recs;
        m->cap = cap;
    }
    r = &m->recs[m->count];
    r->path = fz_strdup(path);
    if (r->path == NULL) {
        return FZ_ENOMEM;
    }
    m->count++;
    stat_record(r, m->start_ns);
    if (r->kind == REC_OTHER) {
        m->unusable = 1;
    }
    return 0;
}

int
fz_manifest_set(fz_manifest *m, const char *name, const void *data, size_t size)
{
    tag *t = NULL;
    int rc;

    for (size_t i = 0; i < m->ntags && t == NULL; i++) {
        if (strcmp(m->tags[i].name, name) == 0) {
            t = &m->tags[i];
        }
    }
    if (t == NULL) {
        tag *tags = realloc(m->tags, (m->ntags + 1) * sizeof(*tags));

        if (tags == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        m->tags = tags;
        t = &m->tags[m->ntags];
        memset(t, 0, sizeof(*t));
        t->name = fz_strdup(name);
        if (t->name == NULL) {
            return FZ_ENOMEM;
        }
        m->ntags++;
    }
    fz_buf_clear(&t->data);
    rc = fz_buf_append(&t->data, data, size);
    return rc;
}

const fz_buf *
fz_manifest_get(const fz_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->ntags; i++) {
        if (strcmp(m->tags[i].name, name) == 0) {
            return &m->tags[i].data;
        }
    }
    return NULL;
}

static int
put_u32_buf(fz_buf *b, uint32_t v)
{
    uint8_t p[4];

    fz_put_u32(p, v);
    return fz_buf_append(b, p, sizeof(p));
}

static int
put_u64_buf(fz_buf *b, uint64_t v)
{
    uint8_t p[8];

    fz_put_u64(p, v);
    return fz_buf_append(b, p, sizeof(p));
}

int
fz_manifest_store(fz_buildcache *c, const uint8_t *key, const fz_manifest *m)
{
    fz_buf b = FZ_BUF_INIT;
    int rc;

    if (m->unusable) {
        return 0; /* an input we cannot describe: rebuild every time */
    }
    rc = fz_buf_append(&b, MANIFEST_MAGIC, 8);
    rc = rc ? rc : put_u32_buf(&b, (uint32_t)m->count);
    for (size_t i = 0; i < m->count && rc == 0; i++) {
        const record *r = &m->recs[i];
        uint8_t f[4] = {r->kind, r->hashed, 0, 0};

        rc = fz_buf_append(&b, f, sizeof(f));
        rc = rc ? rc : put_u32_buf(&b, r->mode);
        rc = rc ? rc : put_u64_buf(&b, r->size);
        rc = rc ? rc : put_u64_buf(&b, (uint64_t)r->mtime_ns);
        rc = rc ? rc : put_u64_buf(&b, (uint64_t)r->ctime_ns);
        rc = rc ? rc : put_u64_buf(&b, r->ino);
        rc = rc ? rc : put_u64_buf(&b, r->dev);
        rc = rc ? rc : put_u64_buf(&b, r->hash);
        rc = rc ? rc : put_u32_buf(&b, (uint32_t)strlen(r->path));
        rc = rc ? rc : fz_buf_puts(&b, r->path);
    }
    rc = rc ? rc : put_u32_buf(&b, (uint32_t)m->ntags);
    for (size_t i = 0; i < m->ntags && rc == 0; i++) {
        rc = put_u32_buf(&b, (uint32_t)strlen(m->tags[i].name));
        rc = rc ? rc : fz_buf_puts(&b, m->tags[i].name);
        rc = rc ? rc : put_u64_buf(&b, m->tags[i].data.size);
        rc = rc ? rc
                : fz_buf_append(&b, m->tags[i].data.data, m->tags[i].data.size);
    }
    if (rc == 0) {
        rc = fz_buildcache_put(c, key, b.data, b.size);
    }
    fz_buf_dispose(&b);
    return rc;
}

/* A bounds-checked cursor over stored bytes. */
typedef struct cursor {
    const uint8_t *p;
    size_t left;
    int bad;
} cursor;

static const uint8_t *
take(cursor *c, size_t n)
{
    const uint8_t *p = c->p;

    if (c->bad || n > c->left) {
        c->bad = 1;
        return NULL;
    }
    c->p += n;
    c->left -= n;
    return p;
}

static uint32_t
take_u32(cursor *c)
{
    const uint8_t *p = take(c, 4);

    return p ? fz_get_u32(p) : 0;
}

static uint64_t
take_u64(cursor *c)
{
    const uint8_t *p = take(c, 8);

    return p ? fz_get_u64(p) : 0;
}

/* A NUL-free string of `n` bytes, malloc'd; NULL (and c->bad) if not. */
static char *
take_str(cursor *c, uint32_t n)
{
    const uint8_t *p = take(c, n);
    char *s;

    if (p == NULL || memchr(p, '\0', n) != NULL) {
        c->bad = 1;
        return NULL;
    }
    s = malloc((size_t)n + 1);
    if (s == NULL) {
        c->bad = 1;
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Parse stored bytes; 1 with *out, 0 when damaged, FZ_ENOMEM. */
static int
parse(fz_manifest **out, const fz_buf *b)
{
    cursor c = {(const uint8_t *)b->data, b->size, 0};
    fz_manifest *m = NULL;
    const uint8_t *magic = take(&c, 8);
    uint32_t n;
    int rc = 0;

    *out = NULL;
    if (magic == NULL || memcmp(magic, MANIFEST_MAGIC, 8) != 0) {
        return 0;
    }
    rc = fz_manifest_new(&m, 0);
    if (rc < 0) {
        return rc;
    }
    n = take_u32(&c);
    /* Each record takes at least 56 bytes: a count beyond that is bad. */
    if (n > MANIFEST_MAX || (size_t)n > c.left / 56) {
        goto done;
    }
    m->recs = calloc(n ? n : 1, sizeof(*m->recs));
    if (m->recs == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    m->cap = n;
    for (uint32_t i = 0; i < n && !c.bad; i++) {
        record *r = &m->recs[i];
        const uint8_t *f = take(&c, 4);

        r->kind = f ? f[0] : 0;
        r->hashed = f ? f[1] : 0;
        r->mode = take_u32(&c);
        r->size = take_u64(&c);
        r->mtime_ns = (int64_t)take_u64(&c);
        r->ctime_ns = (int64_t)take_u64(&c);
        r->ino = take_u64(&c);
        r->dev = take_u64(&c);
        r->hash = take_u64(&c);
        r->path = take_str(&c, take_u32(&c));
        if (r->path != NULL) {
            m->count++;
        }
        if (r->kind > REC_OTHER || r->hashed > 1) {
            c.bad = 1;
        }
    }
    n = take_u32(&c);
    if (c.bad || n > MANIFEST_MAX || (size_t)n > c.left / 12) {
        goto done;
    }
    m->tags = calloc(n ? n : 1, sizeof(*m->tags));
    if (m->tags == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < n && !c.bad; i++) {
        tag *t = &m->tags[i];
        uint64_t size;
        const uint8_t *p;

        t->name = take_str(&c, take_u32(&c));
        if (t->name == NULL) {
            break;
        }
        m->ntags++;
        size = take_u64(&c);
        p = size <= c.left ? take(&c, (size_t)size) : NULL;
        if (p == NULL || fz_buf_append(&t->data, p, (size_t)size) < 0) {
            c.bad = 1;
        }
    }
    if (!c.bad && c.left == 0) {
        *out = m;
        m = NULL;
        rc = 1;
    }
done:
    fz_error_clear();
    fz_manifest_free(m);
    return rc;
}

int
fz_manifest_check(fz_manifest **out, fz_buildcache *c, const uint8_t *key)
{
    fz_manifest *m = NULL;
    fz_buf b = FZ_BUF_INIT;
    int rc = 0;

    *out = NULL;
    if (c == NULL || !fz_buildcache_get(c, key, &b)) {
        goto done;
    }
    rc = parse(&m, &b);
    if (rc <= 0) {
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < m->count; i++) {
        const record *r = &m->recs[i];
        record now = {0};

        now.path = r->path;
        /* INT64_MAX: no hashing here, the stored hash is checked below. */
        stat_record(&now, INT64_MAX);
        if (r->kind == REC_MISSING) {
            if (now.kind != REC_MISSING) {
                goto done;
            }
            continue;
        }
        if (!same(r, &now)) {
            goto done;
        }
        if (r->hashed) {
            uint64_t h = 0;

            if (hash_path(&h, r->path, r->kind == REC_DIR) < 0 ||
                h != r->hash) {
                goto done;
            }
        }
    }
    *out = m;
    m = NULL;
    rc = 1;
done:
    fz_manifest_free(m);
    fz_buf_dispose(&b);
    return rc;
}
