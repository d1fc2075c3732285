/*
 * compress_runtime.c - the payload of a `--compress-runtime` app
 * (compress_runtime.h).
 */
#include "compress_runtime.h"

#include "buf.h"
#include "buildcache.h"
#include "fz_branch.h"
#include "fz_bytes.h"
#include "fz_error.h"
#include "fz_payload.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zstd.h>

/* zstd level of the runtime entry (the issue asks for 19 or more). */
#define RUNTIME_LEVEL 19
/* Window of the long-distance matcher: readers accept up to 2^27. */
#define WINDOW_LOG_MIN 24
#define WINDOW_LOG_MAX 27
/* Names the build cache key of a compressed runtime; bump it when the
 * compression (parameters, frame options) changes in a way not hashed. */
#define CACHE_KEY_TAG "fz-compressed-runtime-2"

int
fz_compress_runtime_launcher(char **out, const char *stub)
{
    int rc = 0;

    *out = fz_path_sibling(stub, "fz-launcher");
    if (*out == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    } else if (!fz_is_file(*out)) {
        rc = fz_error_set(FZ_ENOTFOUND,
                          "--compress-runtime: launcher stub %s not found",
                          *out);
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* The window of a runtime of `size` bytes: the whole file, within bounds. */
static int
window_log(size_t size)
{
    int wlog = WINDOW_LOG_MIN;

    while (wlog < WINDOW_LOG_MAX && ((size_t)1 << wlog) < size) {
        wlog++;
    }
    return wlog;
}

void
fz_compress_runtime_key(uint8_t *key, const void *stub, size_t size)
{
    XXH3_state_t st;
    XXH128_canonical_t c;
    uint8_t params[16];

    fz_put_u32(params, RUNTIME_LEVEL);
    fz_put_u32(params + 4, (uint32_t)window_log(size));
    fz_put_u32(params + 8, 1); /* long-distance matching */
    fz_put_u32(params + 12, ZSTD_versionNumber());
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, CACHE_KEY_TAG, sizeof(CACHE_KEY_TAG));
    XXH3_128bits_update(&st, params, sizeof(params));
    XXH3_128bits_update(&st, stub, size);
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&st));
    memcpy(key, c.digest, FZ_BUILDCACHE_KEY_SIZE);
}

/*
 * Is `z` one zstd frame that decompresses to exactly `raw`? What the build
 * cache returns passed its own hash, but is still input: a frame that
 * would give the app a runtime other than `raw` must never be used.
 */
static int
frame_ok(const void *z, size_t z_size, const void *raw, size_t size)
{
    ZSTD_DCtx *dctx = NULL;
    void *out = NULL;
    size_t r;
    int ok = 0;

    if (ZSTD_getFrameContentSize(z, z_size) != (unsigned long long)size ||
        ZSTD_findFrameCompressedSize(z, z_size) != z_size) {
        return 0;
    }
    dctx = ZSTD_createDCtx();
    out = malloc(size ? size : 1);
    if (dctx == NULL || out == NULL) {
        goto done;
    }
    r = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, WINDOW_LOG_MAX);
    if (!ZSTD_isError(r)) {
        r = ZSTD_decompressDCtx(dctx, out, size, z, z_size);
    }
    if (!ZSTD_isError(r) && r == size) {
        fz_branch_filter(out, size, 0);
        ok = memcmp(out, raw, size) == 0;
    }
done:
    free(out);
    ZSTD_freeDCtx(dctx);
    return ok;
}

/* Compress `raw` through the branch filter into a new buffer (*out,
 * *out_size). */
static int
compress(void **out, size_t *out_size, const void *raw, size_t size)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t bound = ZSTD_compressBound(size);
    uint8_t *filtered = malloc(size ? size : 1);
    void *buf = NULL;
    size_t r = 0;
    int wlog = window_log(size);
    int rc = -1;

    buf = ZSTD_isError(bound) ? NULL : malloc(bound);
    if (cctx == NULL || buf == NULL || filtered == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, RUNTIME_LEVEL);
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
    }
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, wlog);
    }
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
    }
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0);
    }
    if (!ZSTD_isError(r)) {
        memcpy(filtered, raw, size);
        fz_branch_filter(filtered, size, 1);
        r = ZSTD_compress2(cctx, buf, bound, filtered, size);
    }
    if (ZSTD_isError(r)) {
        rc = fz_error_set(FZ_ENOMEM, "compressing the runtime: %s",
                          ZSTD_getErrorName(r));
        goto done;
    }
    *out = buf;
    *out_size = r;
    buf = NULL;
    rc = 0;
done:
    free(filtered);
    free(buf);
    ZSTD_freeCCtx(cctx);
    return rc;
}

/*
 * `raw` compressed, from the build cache `cache` (may be NULL) when it
 * holds a frame that decompresses to `raw`, else compressed now and
 * stored there (a failed store only costs the next build the time).
 */
static int
compress_cached(void **out, size_t *out_size, const void *raw, size_t size,
                fz_buildcache *cache)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    fz_buf hit = FZ_BUF_INIT;
    int rc;

    if (cache != NULL) {
        fz_compress_runtime_key(key, raw, size);
        if (fz_buildcache_get(cache, key, &hit) &&
            frame_ok(hit.data, hit.size, raw, size)) {
            *out_size = hit.size;
            *out = fz_buf_detach(&hit);
            if (*out != NULL) {
                return 0;
            }
            fz_error_clear(); /* out of memory: try compressing */
        }
        fz_buf_dispose(&hit);
    }
    rc = compress(out, out_size, raw, size);
    if (rc == 0 && cache != NULL) {
        fz_buildcache_put(cache, key, *out, *out_size);
    }
    return rc;
}

int
fz_compress_runtime_payload(void **out, size_t *out_size, const void *payload,
                            size_t size, const char *stub, fz_buildcache *cache)
{
    static const char name[] = FZ_RUNTIME_ENTRY;
    const size_t name_size = sizeof(name) - 1;
    const uint8_t *in = payload;
    fz_payload *p = NULL;
    fz_buf raw = FZ_BUF_INIT;
    void *z = NULL;
    size_t z_size = 0;
    uint8_t *o = NULL;
    uint64_t count, k, i, strings_size, dict_size, data_size, old_data;
    uint64_t split, new_size, idx, strings, dict, data;
    uint32_t main_entry;
    fz_entry e;
    int rc;

    *out = NULL;
    *out_size = 0;
    rc = fz_payload_open(&p, payload, size, 0, 0);
    if (rc < 0) {
        goto done;
    }
    if (fz_payload_find(p, name, name_size, &e) == FZ_OK) {
        rc = fz_error_set(FZ_EINVAL, "the payload already has %s", name);
        goto done;
    }
    rc = fz_file_read(&raw, stub);
    if (rc < 0) {
        goto done;
    }
    rc = compress_cached(&z, &z_size, raw.data, raw.size, cache);
    if (rc < 0) {
        goto done;
    }
    count = fz_payload_entry_count(p);
    k = fz_payload_lower_bound(p, name, name_size);
    strings_size = fz_get_u64(in + 48);
    dict_size = fz_get_u64(in + 64);
    old_data = fz_get_u64(in + 72);
    data_size = fz_get_u64(in + 80);
    main_entry = fz_get_u32(in + 96);
    split = data_size;
    if (k < count) {
        fz_payload_entry_at(p, k, &e);
        split = e.offset - old_data;
    }
    idx = FZ_PAYLOAD_HEADER_SIZE;
    strings = idx + (count + 1) * FZ_PAYLOAD_ENTRY_SIZE;
    dict = strings + strings_size + name_size;
    data = dict + dict_size;
    new_size = data + data_size + z_size;
    if (new_size > SIZE_MAX || strings_size + name_size > UINT32_MAX) {
        rc = fz_error_set(FZ_ENOMEM, "payload too large");
        goto done;
    }
    o = calloc(1, (size_t)new_size);
    if (o == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    /* Header: the old one with the new layout. */
    memcpy(o, in, FZ_PAYLOAD_HEADER_SIZE);
    fz_put_u64(o + 24, count + 1);
    fz_put_u64(o + 40, strings);
    fz_put_u64(o + 48, strings_size + name_size);
    fz_put_u64(o + 56, dict);
    fz_put_u64(o + 72, data);
    fz_put_u64(o + 80, data_size + z_size);
    fz_put_u64(o + 88, new_size);
    if (main_entry != FZ_PAYLOAD_NO_MAIN && main_entry >= k) {
        fz_put_u32(o + 96, main_entry + 1);
    }
    /* Index: the old entries, the new one at k, later data moved. */
    for (i = 0; i <= count; i++) {
        uint8_t *d = o + idx + i * FZ_PAYLOAD_ENTRY_SIZE;
        const uint8_t *s;

        if (i == k) {
            fz_put_u32(d, (uint32_t)strings_size);
            fz_put_u32(d + 4, (uint32_t)name_size);
            d[8] = FZ_ENTRY_DATA;
            d[9] = FZ_COMPRESSION_ZSTD_X86;
            fz_put_u16(d + 10, 0);
            fz_put_u32(d + 12, 0755);
            fz_put_u64(d + 16, split);
            fz_put_u64(d + 24, z_size);
            fz_put_u64(d + 32, raw.size);
            fz_put_u64(d + 40, fz_payload_entry_hash(z, z_size));
            continue;
        }
        s = in + idx + (i < k ? i : i - 1) * FZ_PAYLOAD_ENTRY_SIZE;
        memcpy(d, s, FZ_PAYLOAD_ENTRY_SIZE);
        if (i > k) {
            fz_put_u64(d + 16, fz_get_u64(s + 16) + z_size);
        }
    }
    /* Names (the new one last), dictionary, data split at k. */
    memcpy(o + strings, in + fz_get_u64(in + 40), (size_t)strings_size);
    memcpy(o + strings + strings_size, name, name_size);
    memcpy(o + dict, in + fz_get_u64(in + 56), (size_t)dict_size);
    memcpy(o + data, in + old_data, (size_t)split);
    memcpy(o + data + split, z, z_size);
    memcpy(o + data + split + z_size, in + old_data + split,
           (size_t)(data_size - split));
    fz_put_u64(o + 104, fz_payload_meta_hash(o, data));
    fz_payload_free(p);
    p = NULL;
    /* What the launcher and the runtime will check. */
    rc = fz_payload_open(&p, o, (size_t)new_size, 0, 0);
    if (rc < 0) {
        goto done;
    }
    *out = o;
    *out_size = (size_t)new_size;
    o = NULL;
done:
    free(o);
    free(z);
    fz_buf_dispose(&raw);
    fz_payload_free(p);
    return rc;
}
