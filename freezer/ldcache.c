/*
 * ldcache.c - parse /etc/ld.so.cache (ldcache.h). The layout is glibc's
 * elf/dl-cache.h; the file is treated as hostile input.
 */
#include "ldcache.h"

#include "buf.h"
#include "fz_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OLD_MAGIC "ld.so-1.7.0"
#define OLD_MAGIC_SIZE 11
#define OLD_HEADER_SIZE 16 /* magic, padding to 4, u32 nlibs */
#define OLD_ENTRY_SIZE 12  /* i32 flags, u32 key, u32 value */
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_MAGIC_SIZE 20
#define NEW_HEADER_SIZE 48
#define NEW_ENTRY_SIZE                                                         \
    24 /* i32 flags, u32 key, value, osversion, u64 hwcap                      \
        */
#define NEW_ALIGN 8

#define FLAG_ELF_LIBC6 0x0003
#if defined(__x86_64__)
#define FLAG_ABI 0x0300 /* FLAG_X8664_LIB64 */
#elif defined(__aarch64__)
#define FLAG_ABI 0x0a00 /* FLAG_AARCH64_LIB64 */
#else
#define FLAG_ABI 0x0000
#endif

struct fz_ldcache {
    fz_strvec names;
    fz_strvec paths;
};

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void
fz_ldcache_free(fz_ldcache *c)
{
    if (c == NULL) {
        return;
    }
    fz_strvec_dispose(&c->names);
    fz_strvec_dispose(&c->paths);
    free(c);
}

size_t
fz_ldcache_count(const fz_ldcache *c)
{
    return c->names.count;
}

const char *
fz_ldcache_lookup(const fz_ldcache *c, const char *soname)
{
    for (size_t i = 0; i < c->names.count; i++) {
        if (strcmp(c->names.items[i], soname) == 0) {
            return c->paths.items[i];
        }
    }
    return NULL;
}

/* The NUL-terminated string at `off` of the `size` bytes at `base`. */
static const char *
string_at(const unsigned char *base, size_t size, uint32_t off)
{
    if (off >= size || memchr(base + off, '\0', size - off) == NULL) {
        return NULL;
    }
    return (const char *)base + off;
}

int
fz_ldcache_parse(fz_ldcache **out, const void *data, size_t size,
                 const char *name)
{
    const unsigned char *p = data;
    const unsigned char *hdr;
    fz_ldcache *c = NULL;
    size_t at = 0;
    size_t avail;
    uint32_t nlibs;
    int rc = 0;

    *out = NULL;
    if (size >= OLD_HEADER_SIZE && memcmp(p, OLD_MAGIC, OLD_MAGIC_SIZE) == 0) {
        uint32_t old = le32(p + 12);

        if (old > (size - OLD_HEADER_SIZE) / OLD_ENTRY_SIZE) {
            return fz_error_set(FZ_EFORMAT, "%s: old entry count %u too large",
                                name, old);
        }
        at = OLD_HEADER_SIZE + (size_t)old * OLD_ENTRY_SIZE;
        at = (at + NEW_ALIGN - 1) & ~(size_t)(NEW_ALIGN - 1);
    }
    if (at > size || size - at < NEW_HEADER_SIZE ||
        memcmp(p + at, NEW_MAGIC, NEW_MAGIC_SIZE) != 0) {
        return fz_error_set(FZ_EFORMAT, "%s: not a glibc-ld.so.cache1.1 file",
                            name);
    }
    hdr = p + at;
    avail = size - at; /* string offsets count from the new header */
    nlibs = le32(hdr + 20);
    if (hdr[28] != 0 && hdr[28] != 2) { /* 2: little-endian */
        return fz_error_set(FZ_EFORMAT, "%s: unsupported byte order flag %u",
                            name, hdr[28]);
    }
    if (nlibs > (avail - NEW_HEADER_SIZE) / NEW_ENTRY_SIZE) {
        return fz_error_set(FZ_EFORMAT, "%s: entry count %u too large", name,
                            nlibs);
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < nlibs; i++) {
        const unsigned char *e = hdr + NEW_HEADER_SIZE + (size_t)i * 24;
        uint32_t flags = le32(e);
        const char *key = string_at(hdr, avail, le32(e + 4));
        const char *value = string_at(hdr, avail, le32(e + 8));

        if (key == NULL || value == NULL) {
            rc = fz_error_set(FZ_EFORMAT,
                              "%s: entry %u: string offset out of bounds", name,
                              i);
            goto done;
        }
        if (flags != (FLAG_ELF_LIBC6 | FLAG_ABI) || le64(e + 16) != 0 ||
            value[0] != '/') {
            continue; /* other ABI, hwcaps variant, or not absolute */
        }
        rc = fz_strvec_push(&c->names, key);
        rc = rc ? rc : fz_strvec_push(&c->paths, value);
        if (rc < 0) {
            goto done;
        }
    }
    *out = c;
    c = NULL;
done:
    fz_ldcache_free(c);
    return rc;
}

int
fz_ldcache_load(fz_ldcache **out, const char *path)
{
    fz_buf b = FZ_BUF_INIT;
    int rc;

    *out = NULL;
    if (path == NULL) {
        path = "/etc/ld.so.cache";
    }
    if (access(path, F_OK) != 0) {
        *out = calloc(1, sizeof(**out));
        return *out ? 0 : fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = fz_file_read(&b, path);
    if (rc == 0) {
        rc = fz_ldcache_parse(out, b.data, b.size, path);
    }
    fz_buf_dispose(&b);
    return rc;
}
