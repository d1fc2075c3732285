/*
 * test_compress_runtime.c - the payload of a --compress-runtime app
 * (compress_runtime.h): the runtime entry holds the stub, the compressed
 * runtime comes from the build cache on a second build, and a cached frame
 * that is damaged or decompresses to anything but the stub is not used.
 */
#define _GNU_SOURCE
#include "buildcache.h"
#include "compress_runtime.h"
#include "fz_error.h"
#include "fz_payload.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#define STUB_SIZE ((size_t)300 * 1024)

static char dir[] = "/tmp/fz-cr-test-XXXXXX";
static char cachedir[256];
static char stub_path[256];
static unsigned char *stub;
static void *payload;
static size_t payload_size;
static fz_buildcache *cache;

/* A stub-like file: repetitive, but not trivially so. */
static void
make_stub(void)
{
    FILE *f;
    uint32_t x = 12345;

    stub = malloc(STUB_SIZE);
    cr_assert_not_null(stub);
    for (size_t i = 0; i < STUB_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        stub[i] = (i % 64 < 40) ? (unsigned char)("ELF runtime "[i % 12])
                                : (unsigned char)(x >> 24);
    }
    snprintf(stub_path, sizeof(stub_path), "%s/fz-runtime", dir);
    f = fopen(stub_path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(stub, 1, STUB_SIZE, f), STUB_SIZE);
    cr_assert_eq(fclose(f), 0);
}

static void
make_payload(void)
{
    fz_payload_writer_options o = {0};
    fz_payload_writer *w = NULL;
    static const char code[] = "not really bytecode";

    o.level = 3;
    o.threads = 1;
    cr_assert_eq(fz_payload_writer_new(&w, &o), 0);
    cr_assert_eq(fz_payload_writer_add(w, "app.pyc", FZ_ENTRY_MODULE, 0, 0644,
                                       code, sizeof(code)),
                 0);
    cr_assert_eq(fz_payload_writer_add(w, "zz/data.txt", FZ_ENTRY_DATA, 0, 0644,
                                       "data", 4),
                 0);
    cr_assert_eq(fz_payload_writer_set_main(w, "app.pyc"), 0);
    cr_assert_eq(fz_payload_writer_finish(w, &payload, &payload_size), 0, "%s",
                 fz_error_message());
    fz_payload_writer_free(w);
}

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cachedir, sizeof(cachedir), "%s/cache", dir);
    cr_assert_eq(fz_buildcache_open(&cache, cachedir), 0, "%s",
                 fz_error_message());
    make_stub();
    make_payload();
}

static void
teardown(void)
{
    char cmd[300];

    fz_buildcache_free(cache);
    cache = NULL;
    free(stub);
    free(payload);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(compress_runtime, .init = setup, .fini = teardown, .timeout = 120);

/* The app payload `p` holds the stub as its runtime entry, and the rest. */
static void
expect_runtime(const void *p, size_t size)
{
    fz_payload *v = NULL;
    fz_entry e;
    void *raw = NULL;
    size_t raw_size = 0;

    cr_assert_eq(fz_payload_open(&v, p, size, 0, 0), 0, "%s",
                 fz_error_message());
    cr_assert_eq(
        fz_payload_find(v, FZ_RUNTIME_ENTRY, strlen(FZ_RUNTIME_ENTRY), &e), 0);
    cr_assert_eq(fz_payload_read_alloc(v, &e, &raw, &raw_size), 0, "%s",
                 fz_error_message());
    cr_assert_eq(raw_size, STUB_SIZE);
    cr_assert(memcmp(raw, stub, STUB_SIZE) == 0);
    free(raw);
    cr_assert_eq(fz_payload_find(v, "zz/data.txt", 11, &e), 0);
    cr_assert_eq(fz_payload_read_alloc(v, &e, &raw, &raw_size), 0);
    cr_assert(raw_size == 4 && memcmp(raw, "data", 4) == 0);
    free(raw);
    fz_payload_free(v);
}

static void
build(void **out, size_t *out_size, fz_buildcache *c)
{
    cr_assert_eq(fz_compress_runtime_payload(out, out_size, payload,
                                             payload_size, stub_path, c),
                 0, "%s", fz_error_message());
    expect_runtime(*out, *out_size);
}

/* The cached frame under the stub's key, "" when none. */
static size_t
cached_frame(fz_buf *out)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];

    fz_compress_runtime_key(key, stub, STUB_SIZE);
    return fz_buildcache_get(cache, key, out) ? out->size : 0;
}

Test(compress_runtime, without_cache)
{
    void *a = NULL;
    size_t a_size = 0;

    build(&a, &a_size, NULL);
    free(a);
}

Test(compress_runtime, second_build_from_cache)
{
    void *a = NULL, *b = NULL;
    size_t a_size = 0, b_size = 0, hits, misses;
    fz_buf frame = FZ_BUF_INIT;

    build(&a, &a_size, cache);
    cr_assert_gt(cached_frame(&frame), 0, "the compressed runtime is cached");
    fz_buildcache_counts(cache, &hits, &misses);
    build(&b, &b_size, cache);
    fz_buildcache_counts(cache, &hits, &misses);
    cr_expect_eq(hits, 2); /* cached_frame, then the second build */
    cr_assert_eq(a_size, b_size);
    cr_assert(memcmp(a, b, a_size) == 0, "same bytes from the cache");
    fz_buf_dispose(&frame);
    free(a);
    free(b);
}

/* A frame with a valid cache header but other content is not used. */
Test(compress_runtime, wrong_cached_frame_not_used)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    unsigned char *other = malloc(STUB_SIZE);
    size_t bound = ZSTD_compressBound(STUB_SIZE);
    void *z = malloc(bound);
    size_t z_size;
    void *a = NULL;
    size_t a_size = 0;
    fz_buf frame = FZ_BUF_INIT;

    cr_assert(other && z);
    memcpy(other, stub, STUB_SIZE);
    other[STUB_SIZE / 2] ^= 0x5a; /* one byte of code changed */
    z_size = ZSTD_compress(z, bound, other, STUB_SIZE, 3);
    cr_assert(!ZSTD_isError(z_size));
    fz_compress_runtime_key(key, stub, STUB_SIZE);
    cr_assert_eq(fz_buildcache_put(cache, key, z, z_size), 0);
    build(&a, &a_size, cache); /* the runtime entry is the real stub */
    /* and the cache holds the right frame again */
    cr_assert_gt(cached_frame(&frame), 0);
    cr_assert_neq(frame.size, z_size);
    fz_buf_dispose(&frame);
    free(a);
    free(other);
    free(z);
}

/* A cache file damaged on disk (one bit) is a miss, then replaced. */
Test(compress_runtime, damaged_cache_file_not_used)
{
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    char path[512];
    int n;
    void *a = NULL, *b = NULL;
    size_t a_size = 0, b_size = 0;
    FILE *f;
    int c;

    build(&a, &a_size, cache);
    fz_compress_runtime_key(key, stub, STUB_SIZE);
    n = snprintf(path, sizeof(path), "%s/", cachedir);
    for (size_t i = 0; i < FZ_BUILDCACHE_KEY_SIZE; i++) {
        n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", key[i]);
    }
    f = fopen(path, "r+b");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fseek(f, FZ_BUILDCACHE_HEADER_SIZE + 100, SEEK_SET), 0);
    c = fgetc(f);
    cr_assert_neq(c, EOF);
    cr_assert_eq(fseek(f, FZ_BUILDCACHE_HEADER_SIZE + 100, SEEK_SET), 0);
    cr_assert_neq(fputc(c ^ 1, f), EOF);
    cr_assert_eq(fclose(f), 0);
    build(&b, &b_size, cache);
    cr_assert_eq(a_size, b_size);
    cr_assert(memcmp(a, b, a_size) == 0);
    free(a);
    free(b);
}
