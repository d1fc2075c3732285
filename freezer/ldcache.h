/*
 * ldcache.h - /etc/ld.so.cache read directly (no ldconfig -p): the soname
 * to path map the dynamic loader consults after the RPATH/RUNPATH and
 * LD_LIBRARY_PATH search. Used by natives.c.
 */
#ifndef FZ_LDCACHE_H
#define FZ_LDCACHE_H

#include <stddef.h>

typedef struct fz_ldcache fz_ldcache;

/*
 * Parse `size` bytes of a cache file (hostile: every count, offset and
 * string is bounds-checked). Accepts the new format ("glibc-ld.so.cache"
 * version "1.1"), alone or after an old-format ("ld.so-1.7.0") prefix.
 * Only entries for this machine's ABI without a hardware capability
 * (the portable baseline, not glibc-hwcaps variants) are kept. `name` is
 * for messages. Errors: FZ_EFORMAT ("NAME: ..."), FZ_ENOMEM. *out is
 * NULL on failure.
 */
int fz_ldcache_parse(fz_ldcache **out, const void *data, size_t size,
                     const char *name);

/*
 * Read and parse the cache at `path` (NULL: /etc/ld.so.cache). A missing
 * file gives an empty cache, not an error; other errors as above plus
 * FZ_EIO.
 */
int fz_ldcache_load(fz_ldcache **out, const char *path);

/* The path the cache gives for `soname`, or NULL. Borrowed. */
const char *fz_ldcache_lookup(const fz_ldcache *c, const char *soname);

/* Number of entries kept. */
size_t fz_ldcache_count(const fz_ldcache *c);

/* Release. Accepts NULL. */
void fz_ldcache_free(fz_ldcache *c);

#endif /* FZ_LDCACHE_H */
