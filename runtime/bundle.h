/*
 * bundle.h - the bundle root of a frozen app: where __file__ points and
 * where extension modules, native libraries and data files are extracted.
 */
#ifndef FZ_BUNDLE_H
#define FZ_BUNDLE_H

#include "fz_payload.h"

#include <sys/types.h>

/* fz_bundle_settle: the root had to go elsewhere than the pending one. */
#define FZ_BUNDLE_MOVED (-65)

typedef struct fz_bundle {
    char *root; /* absolute path of the root in use, no trailing '/' */
    size_t root_size;
    int on_disk;    /* the root exists (the payload has files to extract) */
    int is_private; /* a private temp dir, to remove at exit */
    long owner;     /* the pid that created the private dir */
    int lock_fd;    /* the private dir, flock'ed shared while in use; -1 */
    dev_t lock_dev; /* its identity: the program may close the fd */
    ino_t lock_ino;
    pid_t pending; /* > 0: the process still extracting root; see below */
} fz_bundle;

/*
 * Decide the bundle root for payload `p` (docs/internals.md):
 * <cache>/freeze/<app>-<16 hex of the content hash>. Only when `p` holds
 * EXTENSION, NATIVE_LIB, DATA or METADATA entries is anything touched on
 * disk: an existing private root (one lstat) is used as is; otherwise the
 * entries are extracted into a temp dir next to it (every hash verified)
 * that is renamed into place, a concurrent winner's copy being used
 * instead. When the cache cannot be used, the files go to a private temp
 * dir (is_private) that fz_bundle_remove deletes; private dirs that dead
 * processes left (killed by a signal) are removed first, and again when
 * fz_bundle_remove deletes this process's own. A published root
 * whose files were deleted, truncated or replaced by symlinks is
 * re-extracted and swapped in atomically. *warning receives a one-line
 * malloc'd message (caller prints and frees) only when the cache location
 * looks hostile (symlink, foreign owner, open permissions) or a damaged
 * root was restored. A onedir payload (FZ_PAYLOAD_F_ONEDIR) uses the checked
 * _internal directory beside the executable instead and writes nothing
 * (onedir.h; FZ_PLATFORM_EUNSAFE when it is not safe to load from).
 * Errors: FZ_EIO (not even a temp dir could be made), FZ_EHASH/FZ_EFORMAT
 * (a damaged entry), FZ_ENOMEM. *out is NULL on failure.
 */
int fz_bundle_open(fz_bundle **out, char **warning, fz_payload *p);

/*
 * Make the cache root that fz_bundle_open would use for `p` exist when it
 * does not yet: extracted and published as fz_bundle_open does, but never
 * in a private dir, with no warning, and an existing root is left as it is
 * (the runtime's fz_bundle_open still checks it and does the fallbacks),
 * on at most `threads` threads (0: one per core). The --compress-runtime
 * launcher runs it on a first run while it unpacks the runtime. FZ_OK also
 * when there is nothing to do; else the error.
 */
int fz_bundle_prepare(fz_payload *p, size_t threads);

/*
 * Is the cache root of `p` still to be made (it needs one and it does not
 * exist)? 0 also when that cannot be told; the error slot is left clear.
 */
int fz_bundle_root_missing(const fz_payload *p);

/*
 * The bundle of `p` while the process `pid`, a child of this one, is
 * still making its cache root with fz_bundle_prepare (the
 * --compress-runtime launcher's extractor, which goes on while the
 * runtime starts CPython). Only the path is decided: nothing on disk is
 * looked at, so nothing may be read from the root before
 * fz_bundle_settle. FZ_EINVAL when `p` has no cache root (onedir, nothing
 * on disk), FZ_ENOTFOUND when there is no cache at all, FZ_ENOMEM; the
 * process has then been waited for (use fz_bundle_open).
 */
int fz_bundle_open_pending(fz_bundle **out, fz_payload *p, pid_t pid);

/*
 * Wait for (and reap) the extracting process of a pending bundle, then
 * check the root exactly as fz_bundle_open does, with its repairs,
 * warnings and errors. FZ_OK: `b` is that bundle, its path unchanged.
 * FZ_BUNDLE_MOVED: the root could not be the pending path (the
 * extraction failed and the files went to a private dir, or the cache is
 * noexec): `b` stays pending-free but must not be used, and whoever was
 * handed its path must start over. Does nothing for a bundle that is not
 * pending.
 */
int fz_bundle_settle(fz_bundle *b, char **warning, fz_payload *p);

/*
 * Delete a private root (no-op for a cache root); safe to call twice. Only
 * the process that created it deletes it: a child forked from it (os.fork,
 * multiprocessing's fork and forkserver) shares the root and leaves it.
 */
void fz_bundle_remove(fz_bundle *b);

/* Release the struct (not the directory). Accepts NULL. */
void fz_bundle_free(fz_bundle *b);

/* Does the payload hold entries that must exist as files? */
int fz_bundle_needs_disk(const fz_payload *p);

#endif /* FZ_BUNDLE_H */
