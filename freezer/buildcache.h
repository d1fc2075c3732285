/*
 * buildcache.h - the freezer's per-user build cache: compressed entries,
 * compiled bytecode, trained dictionaries and whole-build manifests kept
 * by content hash, so a rebuild redoes only what changed. Used by
 * bundle.c and collect.c; the payload writer sees it through
 * fz_payload_cache (fz_payload.h).
 *
 * On disk: $XDG_CACHE_HOME/freeze/build (else ~/.cache/freeze/build),
 * mode 0700, never reached through a symlink, and read-only below it the
 * cache freeze was installed with (fz_buildcache_add_shipped). One file per
 * key, named
 * "<32 hex digits of the key>", written to a temp file and renamed into
 * place, so concurrent writers of one key are harmless. Each file is a
 * 48-byte header and the content:
 *
 *   offset size  field
 *   0      8     magic "FZBCACHE"
 *   8      4     format version (FZ_BUILDCACHE_VERSION), little-endian
 *   12     4     reserved, 0
 *   16     8     content size in bytes, little-endian
 *   24     8     XXH3-64 of the content, little-endian
 *   32     16    the key the file is named after
 *
 * The cache is input: a file whose header, size or hash does not match is
 * a miss (and is replaced by the next put), never trusted.
 */
#ifndef FZ_BUILDCACHE_H
#define FZ_BUILDCACHE_H

#include "buf.h"
#include "fz_payload.h"

#include <stddef.h>
#include <stdint.h>

/* Part of every key: bumped whenever what the freezer makes from the same
 * inputs changes (2: code without column ranges, compile.h; 3 to 5: code
 * images, codeimage.h). */
#define FZ_BUILDCACHE_VERSION 5u
#define FZ_BUILDCACHE_HEADER_SIZE 48u
#define FZ_BUILDCACHE_KEY_SIZE 16u

typedef struct fz_buildcache fz_buildcache;

/*
 * Open (creating with mode 0700) the cache directory `dir`, or the default
 * one when `dir` is NULL. Every component created is created without
 * following symlinks; the last must be owned by the user and private.
 * Errors: FZ_ENOTFOUND (no home), FZ_EIO, FZ_ENOMEM, and
 * FZ_PLATFORM_EUNSAFE: the caller then builds without a cache. On failure
 * *out is NULL.
 */
int fz_buildcache_open(fz_buildcache **out, const char *dir);

/*
 * Also look entries up, after the user's, in the read-only directory
 * `dir`: the cache freeze was installed with (scripts/shipped-cache: the
 * standard library compiled, the libraries of its extension modules
 * compressed), so that a user's first build does not redo that work.
 * Nothing is ever written there, and its files pass the same checks as
 * the user's. Used only when `dir` is a real directory owned by root or
 * the user and writable by no one else; else FZ_PLATFORM_EUNSAFE,
 * FZ_ENOTFOUND or FZ_EIO, and the cache goes on without it.
 */
int fz_buildcache_add_shipped(fz_buildcache *c, const char *dir);

/* Close. Accepts NULL. */
void fz_buildcache_free(fz_buildcache *c);

/*
 * Look `key` up. Returns 1 and the content in `out` (replaced) on a hit,
 * 0 on a miss: no file, or a file that fails any check (then ignored).
 * Thread-safe; never sets the error slot.
 */
int fz_buildcache_get(fz_buildcache *c, const uint8_t *key, fz_buf *out);

/*
 * Store `size` bytes under `key` atomically (temp file, rename), replacing
 * a damaged file. Thread-safe; a failure (full disk, read-only cache) is
 * returned as FZ_EIO/FZ_ENOMEM without touching the error slot: callers
 * go on without caching.
 */
int fz_buildcache_put(fz_buildcache *c, const uint8_t *key, const void *data,
                      size_t size);

/* Hits and misses of get so far (for -v). */
void fz_buildcache_counts(const fz_buildcache *c, size_t *hits, size_t *misses);

/* The writer's view of the cache (callbacks onto get/put). */
fz_payload_cache fz_buildcache_payload_cache(fz_buildcache *c);

/*
 * fz_compile (compile.h) through the cache: the key is the source bytes,
 * `filename`, `optimize`, `columns`, the bytecode magic and the Python
 * version. `c` may be NULL (plain fz_compile). Errors: those of fz_compile.
 */
int fz_buildcache_compile(fz_buildcache *c, fz_buf *out, const char *source,
                          size_t size, const char *filename,
                          const char *display, int optimize, int columns);

/* ------------------------------------------------------ whole builds */

/*
 * A manifest: what one build read (files and searched directories, each
 * with size, mtime, ctime, inode, device and mode; recent ones also with a
 * content or listing hash, so a change within one timestamp tick is seen),
 * and opaque result records (the payload's key, the report) the caller
 * stores with it.
 */
typedef struct fz_manifest fz_manifest;

/*
 * A new, empty manifest for a build that started at wall-clock `start_ns`
 * (CLOCK_REALTIME): inputs changed less than a second before it are hashed.
 */
int fz_manifest_new(fz_manifest **out, int64_t start_ns);

/* Release. Accepts NULL. */
void fz_manifest_free(fz_manifest *m);

/*
 * Record the file or directory `path` as it is now (a missing path is
 * recorded as missing: creating it invalidates the build). Duplicates are
 * recorded once. Errors: FZ_ENOMEM.
 */
int fz_manifest_add_path(fz_manifest *m, const char *path);

/* Attach result record `tag` (replacing one with that tag). FZ_ENOMEM. */
int fz_manifest_set(fz_manifest *m, const char *tag, const void *data,
                    size_t size);

/* The record `tag` (borrowed) or NULL. */
const fz_buf *fz_manifest_get(const fz_manifest *m, const char *tag);

/* Serialize `m` under `key` into the cache. Errors as fz_buildcache_put. */
int fz_manifest_store(fz_buildcache *c, const uint8_t *key,
                      const fz_manifest *m);

/*
 * Load the manifest stored under `key` and check every recorded path
 * against the file system. Returns 1 with *out (fz_manifest_free) when
 * all are unchanged, 0 when there is none, it is damaged, or anything
 * changed (*out NULL). Errors: FZ_ENOMEM.
 */
int fz_manifest_check(fz_manifest **out, fz_buildcache *c, const uint8_t *key);

/* Number of recorded paths. */
size_t fz_manifest_count(const fz_manifest *m);

#endif /* FZ_BUILDCACHE_H */
