/*
 * compress_runtime.h - `freeze --compress-runtime`: the output is
 * fz-launcher whose payload also holds the whole runtime stub as the zstd
 * entry ".freeze/runtime" (docs/internals.md, "Compressed runtime").
 */
#ifndef FZ_COMPRESS_RUNTIME_H
#define FZ_COMPRESS_RUNTIME_H

#include "buildcache.h"

#include <stddef.h>
#include <stdint.h>

/* The entry that holds the compressed runtime. */
#define FZ_RUNTIME_ENTRY ".freeze/runtime"

/*
 * When a onefile app gets the compressed runtime. AUTO (the default): when
 * the app has files to unpack into its bundle root anyway (extension
 * modules, native libraries, data, metadata), whose first run writes to
 * the cache in any case; an app of pure Python stays one file that
 * unpacks nothing.
 */
typedef enum {
    FZ_COMPRESS_RUNTIME_AUTO = 0,
    FZ_COMPRESS_RUNTIME_ALWAYS, /* --compress-runtime */
    FZ_COMPRESS_RUNTIME_NEVER   /* --no-compress-runtime */
} fz_compress_runtime_mode;

/*
 * The launcher that goes with the runtime stub `stub`: fz-launcher in the
 * same directory, in a new malloc'd string. FZ_ENOTFOUND when missing.
 */
int fz_compress_runtime_launcher(char **out, const char *stub);

/*
 * A copy of the valid payload `payload` (`size` bytes) with one more DATA
 * entry, FZ_RUNTIME_ENTRY (mode 0755), holding the file `stub` compressed
 * with zstd level 19 and long-distance matching. The other entries' stored
 * bytes are copied, not recompressed. The compressed runtime is taken from
 * the build cache `cache` (NULL: none) under fz_compress_runtime_key when
 * it holds a frame that decompresses to exactly `stub` (checked: anything
 * else is ignored), else compressed (about 2.5 s) and stored there.
 * *out is malloc'd, owned by the caller. Errors: FZ_EIO, FZ_EFORMAT (the
 * payload), FZ_EINVAL (it already has the entry), FZ_ENOMEM.
 */
int fz_compress_runtime_payload(void **out, size_t *out_size,
                                const void *payload, size_t size,
                                const char *stub, fz_buildcache *cache);

/*
 * The build cache key of the compressed runtime `stub` (`size` bytes):
 * XXH3-128 of a format tag, the compression parameters, the zstd version
 * and the stub's bytes.
 */
void fz_compress_runtime_key(uint8_t *key, const void *stub, size_t size);

#endif /* FZ_COMPRESS_RUNTIME_H */
