/*
 * rebuild.h - whole-build reuse for bundle.c: the key of a build (its
 * options and environment), the manifest of what it read, and the check
 * that lets an unchanged rebuild skip straight to attaching the stored
 * payload (buildcache.h holds the store).
 */
#ifndef FZ_REBUILD_H
#define FZ_REBUILD_H

#include "buildcache.h"
#include "bundle.h"
#include "pyenv.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The key of a build into `key` (FZ_BUILDCACHE_KEY_SIZE bytes): the
 * freezer's version, the working directory, cfg->argv (or, without it,
 * the options in cfg), the target interpreter and its sys.path, the stub,
 * and the environment variables the build reads. Errors: FZ_ENOMEM,
 * FZ_EIO (no working directory).
 */
int fz_rebuild_key(uint8_t *key, const fz_freeze_config *cfg,
                   const fz_pyenv *env, const char *stub);

/*
 * When the build stored under `key` read nothing that changed since:
 * returns 1, the stored payload in *payload (malloc'd) and *size, and r's
 * counts, floors and warnings filled in (r->cached set); `report` gets the
 * stored JSON report. Returns 0 otherwise (a normal build follows).
 * Errors: FZ_ENOMEM.
 */
int fz_rebuild_try(fz_buildcache *c, const uint8_t *key, fz_freeze_result *r,
                   void **payload, size_t *size, fz_buf *report);

/*
 * After a successful build: store its payload, `report` (may be empty)
 * and a manifest of every input (the modules, their directories and
 * sys.path, extra files, libraries, hooks, the stub, the freezer) under
 * `key`. Builds that ran the program (--trace) or bundle Tcl/Tk are not
 * stored. A failure only means the next build is not reused; it is
 * returned and the caller ignores it.
 */
int fz_rebuild_store(fz_buildcache *c, const uint8_t *key, int64_t start_ns,
                     const fz_freeze_config *cfg, const fz_pyenv *env,
                     const fz_freeze_result *r, const void *payload,
                     size_t size, const fz_buf *report);

#endif /* FZ_REBUILD_H */
