/*
 * test_payload.c - the payload format: writer/reader round trips, lookups,
 * determinism, and every kind of damaged or hostile payload the reader must
 * refuse with a clear message.
 */
#include "fz_error.h"
#include "fz_branch.h"
#include "fz_bytes.h"
#include "fz_payload.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define PY311 ((3u << 24) | (11u << 16))
#define PY312 ((3u << 24) | (12u << 16))
/* importlib.util.MAGIC_NUMBER as a little-endian u32. */
#define MAGIC311 (3495u | (0x0a0du << 16))
#define MAGIC312 (3531u | (0x0a0du << 16))

/* Header field offsets. */
#define H_VERSION 8
#define H_FLAGS 12
#define H_PYVERSION 16
#define H_COUNT 24
#define H_STRINGS_OFFSET 40
#define H_STRINGS_SIZE 48
#define H_DICT_SIZE 64
#define H_DATA_OFFSET 72
#define H_DATA_SIZE 80
#define H_MAIN 96
#define H_META_HASH 104

/* Index entry field offsets. */
#define E_NAME_OFFSET 0
#define E_NAME_SIZE 4
#define E_KIND 8
#define E_COMPRESSION 9
#define E_FLAGS 10
#define E_MODE 12
#define E_OFFSET 16
#define E_STORED 24
#define E_RAW 32
#define E_HASH 40

/* ------------------------------------------------------------- helpers */

static uint8_t *
entry_field(uint8_t *buf, uint64_t i, size_t field)
{
    return buf + FZ_PAYLOAD_HEADER_SIZE + i * FZ_PAYLOAD_ENTRY_SIZE + field;
}

/* Recompute meta_hash after patching, so that the structural check, not
 * the hash, is what a test exercises. */
static void
rehash(uint8_t *buf)
{
    uint64_t data_offset = fz_get_u64(buf + H_DATA_OFFSET);
    XXH3_state_t *st = XXH3_createState();

    cr_assert_not_null(st);
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, buf, 104);
    XXH3_64bits_update(st, buf + FZ_PAYLOAD_HEADER_SIZE,
                       data_offset - FZ_PAYLOAD_HEADER_SIZE);
    fz_put_u64(buf + H_META_HASH, XXH3_64bits_digest(st));
    XXH3_freeState(st);
}

/* Give entry `e` (as opened from buf) the hash of its stored bytes as they
 * are now, then meta_hash: damage that only a decoder can find. */
static void
rehash_entry(uint8_t *buf, const fz_entry *e)
{
    fz_put_u64(entry_field(buf, e->index, E_HASH),
               XXH3_64bits(buf + e->offset, (size_t)e->stored_size));
    rehash(buf);
}

static fz_payload_writer *
new_writer(int level, int use_dictionary)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;

    opts.python_version = PY311;
    opts.bytecode_magic = MAGIC311;
    opts.level = level;
    opts.use_dictionary = use_dictionary;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), 0, "%s", fz_error_message());
    return w;
}

static void
add(fz_payload_writer *w, const char *name, fz_entry_kind kind,
    const void *data, size_t size)
{
    int rc = fz_payload_writer_add(w, name, kind, 0, 0644, data, size);

    cr_assert_eq(rc, 0, "add %s: %s", name, fz_error_message());
}

static void
add_str(fz_payload_writer *w, const char *name, fz_entry_kind kind,
        const char *text)
{
    add(w, name, kind, text, strlen(text));
}

static uint8_t *
finish(fz_payload_writer *w, size_t *size)
{
    void *buf = NULL;
    int rc = fz_payload_writer_finish(w, &buf, size);

    cr_assert_eq(rc, 0, "finish: %s", fz_error_message());
    fz_payload_writer_free(w);
    return buf;
}

static fz_payload *
open_ok(const uint8_t *buf, size_t size)
{
    fz_payload *p = NULL;
    int rc = fz_payload_open(&p, buf, size, PY311, MAGIC311);

    cr_assert_eq(rc, 0, "open: %s", fz_error_message());
    cr_assert_not_null(p);
    return p;
}

/* Open must fail with `status` and a message containing `needle`. */
static void
expect_open_error(const uint8_t *buf, size_t size, int status,
                  const char *needle)
{
    fz_payload *p = (fz_payload *)1;
    int rc = fz_payload_open(&p, buf, size, 0, 0);

    cr_assert_eq(rc, status, "open gave %d (%s), expected %d", rc,
                 fz_error_message(), status);
    cr_assert_null(p);
    cr_assert_not_null(strstr(fz_error_message(), needle),
                       "message '%s' does not mention '%s'", fz_error_message(),
                       needle);
}

/* Deterministic content that looks a little like marshalled code: shared
 * structure (so a dictionary helps) with per-entry detail. */
static char *
gen_content(size_t i, size_t *size)
{
    size_t cap = 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    size_t lines = 2 + (i * 7919) % 12;

    cr_assert_not_null(buf);
    n += (size_t)snprintf(buf + n, cap - n, "\xe3\x01module_%zu\n", i);
    for (size_t l = 0; l < lines; l++) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "def function_%zu_%zu(self, value):\n"
                              "    return self.helper(value) * %zu\n",
                              i, l, (i * 31 + l) % 1000);
    }
    *size = n;
    return buf;
}

static void
entry_name(char *out, size_t cap, size_t i)
{
    snprintf(out, cap, "pkg%03zu/mod%06zu.pyc", i % 97, i);
}

/* Write n generated entries (every 10th a PACKAGE-kind, every 13th DATA). */
static uint8_t *
build_many(size_t n, int level, int use_dictionary, size_t *size)
{
    fz_payload_writer *w = new_writer(level, use_dictionary);
    char name[64];

    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *c = gen_content(i, &len);
        fz_entry_kind kind = i % 13 == 0   ? FZ_ENTRY_DATA
                             : i % 10 == 0 ? FZ_ENTRY_PACKAGE
                                           : FZ_ENTRY_MODULE;
        entry_name(name, sizeof(name), i);
        add(w, name, kind, c, len);
        free(c);
    }
    return finish(w, size);
}

static void
verify_many(const uint8_t *buf, size_t size, size_t n)
{
    fz_payload *p = open_ok(buf, size);
    char name[64];
    fz_entry prev = {0};

    cr_assert_eq(fz_payload_entry_count(p), n);
    for (size_t i = 0; i < n; i++) {
        fz_entry e;
        size_t len, got_size;
        void *got;
        char *c = gen_content(i, &len);
        entry_name(name, sizeof(name), i);
        cr_assert_eq(fz_payload_find(p, name, strlen(name), &e), 0,
                     "missing %s", name);
        cr_assert_eq(e.raw_size, len);
        cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0, "%s",
                     fz_error_message());
        cr_assert_eq(got_size, len);
        cr_assert_eq(memcmp(got, c, len), 0, "content of %s", name);
        free(got);
        free(c);
    }
    /* Names come back sorted. */
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        if (i > 0) {
            size_t m =
                e.name_size < prev.name_size ? e.name_size : prev.name_size;
            int c = memcmp(prev.name, e.name, m);
            cr_assert(c < 0 || (c == 0 && prev.name_size < e.name_size));
        }
        prev = e;
    }
    fz_payload_free(p);
}

/* Code entries are LZ4 blocks, with the dictionary when there is one;
 * the others zstd frames, x86 code maybe filtered; any may be raw. */
static void
check_codecs(const uint8_t *buf, size_t size)
{
    fz_payload *p = open_ok(buf, size);
    int dict = fz_get_u64(buf + H_DICT_SIZE) > 0;

    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        if (e.compression == FZ_COMPRESSION_RAW) {
            continue;
        }
        if (e.kind == FZ_ENTRY_MODULE || e.kind == FZ_ENTRY_PACKAGE) {
            cr_assert_eq(e.compression,
                         dict ? FZ_COMPRESSION_LZ4_DICT : FZ_COMPRESSION_LZ4,
                         "code entry %" PRIu64 ": compression %d", i,
                         (int)e.compression);
        } else if (e.kind == FZ_ENTRY_EXTENSION ||
                   e.kind == FZ_ENTRY_NATIVE_LIB) {
            cr_assert(e.compression == FZ_COMPRESSION_ZSTD ||
                          e.compression == FZ_COMPRESSION_ZSTD_X86,
                      "entry %" PRIu64 ": compression %d", i,
                      (int)e.compression);
        } else {
            cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD,
                         "entry %" PRIu64 ": compression %d", i,
                         (int)e.compression);
        }
    }
    fz_payload_free(p);
}

static size_t
count_compression(const uint8_t *buf, size_t size, fz_compression c)
{
    fz_payload *p = open_ok(buf, size);
    size_t n = 0;

    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        n += e.compression == c;
    }
    fz_payload_free(p);
    return n;
}

/* A small payload: "a.pyc" (module, main), "b/c.txt" (data, raw),
 * "b/d.bin" (zstd). */
static uint8_t *
build_small(size_t *size)
{
    fz_payload_writer *w = new_writer(3, 0);
    char big[600];

    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 5);
    }
    add_str(w, "a.pyc", FZ_ENTRY_MODULE, "print('hello')\n");
    add_str(w, "b/c.txt", FZ_ENTRY_DATA, "xyz");
    add(w, "b/d.bin", FZ_ENTRY_DATA, big, sizeof(big));
    cr_assert_eq(fz_payload_writer_set_main(w, "a.pyc"), 0);
    return finish(w, size);
}

/* Two RAW entries with 8-byte names, "aa/bb/cc" and "aa/bb/dd". */
static uint8_t *
build_two(size_t *size)
{
    fz_payload_writer *w = new_writer(3, 0);

    add_str(w, "aa/bb/cc", FZ_ENTRY_DATA, "first entry data");
    add_str(w, "aa/bb/dd", FZ_ENTRY_DATA, "second entry data");
    return finish(w, size);
}

/* ---------------------------------------------------------- round trips */

Test(payload, round_trip_zero_entries)
{
    size_t size;
    uint8_t *buf = build_many(0, 0, 0, &size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;

    cr_assert_eq(size, FZ_PAYLOAD_HEADER_SIZE);
    cr_assert_eq(fz_payload_entry_count(p), 0);
    cr_assert_eq(fz_payload_find(p, "a", 1, &e), FZ_ENOTFOUND);
    cr_assert_eq(fz_payload_lower_bound(p, "", 0), 0);
    cr_assert_eq(fz_payload_main(p, &e), FZ_ENOTFOUND);
    fz_payload_free(p);
    free(buf);
}

Test(payload, round_trip_zero_entries_with_dictionary)
{
    size_t size;
    uint8_t *buf = build_many(0, 0, 1, &size);

    cr_assert_eq(fz_get_u64(buf + H_DICT_SIZE), 0);
    verify_many(buf, size, 0);
    free(buf);
}

Test(payload, round_trip_one_entry)
{
    size_t size;
    uint8_t *buf = build_many(1, 0, 0, &size);

    verify_many(buf, size, 1);
    free(buf);
}

Test(payload, round_trip_one_entry_with_dictionary)
{
    size_t size;
    uint8_t *buf = build_many(1, 0, 1, &size);

    /* One sample is too few to train on: no dictionary, no error. */
    cr_assert_eq(fz_get_u64(buf + H_DICT_SIZE), 0);
    verify_many(buf, size, 1);
    free(buf);
}

Test(payload, round_trip_1000_entries)
{
    size_t size;
    uint8_t *buf = build_many(1000, 0, 0, &size);

    verify_many(buf, size, 1000);
    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_LZ4), 0);
    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_ZSTD), 0);
    check_codecs(buf, size);
    free(buf);
}

Test(payload, round_trip_1000_entries_with_dictionary)
{
    size_t size, plain_size;
    uint8_t *buf = build_many(1000, 0, 1, &size);
    uint8_t *plain = build_many(1000, 0, 0, &plain_size);

    verify_many(buf, size, 1000);
    cr_assert_gt(fz_get_u64(buf + H_DICT_SIZE), 0);
    /* LZ4 reads 64 KiB of it: the payload keeps no more. */
    cr_assert_leq(fz_get_u64(buf + H_DICT_SIZE), 65536);
    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_LZ4_DICT), 0);
    /* Only code entries use it. */
    check_codecs(buf, size);
    cr_assert_lt(size, plain_size, "dictionary made it larger");
    free(buf);
    free(plain);
}

Test(payload, round_trip_100000_entries)
{
    size_t size;
    uint8_t *buf = build_many(100000, 3, 0, &size);

    verify_many(buf, size, 100000);
    free(buf);
}

Test(payload, round_trip_100000_entries_with_dictionary)
{
    size_t size;
    uint8_t *buf = build_many(100000, 3, 1, &size);

    cr_assert_gt(fz_get_u64(buf + H_DICT_SIZE), 0);
    verify_many(buf, size, 100000);
    free(buf);
}

Test(payload, round_trip_default_level_with_dictionary_and_main)
{
    fz_payload_writer *w = new_writer(0, 1);
    size_t size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;
    char name[64];

    for (size_t i = 0; i < 300; i++) {
        size_t len;
        char *c = gen_content(i, &len);
        entry_name(name, sizeof(name), i);
        add(w, name, FZ_ENTRY_MODULE, c, len);
        free(c);
    }
    cr_assert_eq(fz_payload_writer_set_main(w, "pkg001/mod000001.pyc"), 0);
    buf = finish(w, &size);
    verify_many(buf, size, 300);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_main(p, &e), 0);
    cr_assert_eq(e.name_size, strlen("pkg001/mod000001.pyc"));
    cr_assert_eq(memcmp(e.name, "pkg001/mod000001.pyc", e.name_size), 0);
    cr_assert_eq(fz_payload_python_version(p), PY311);
    cr_assert_eq(fz_payload_bytecode_magic(p), MAGIC311);
    fz_payload_free(p);
    free(buf);
}

Test(payload, empty_entries)
{
    fz_payload_writer *w = new_writer(0, 0);
    size_t size, got_size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;
    void *got;

    add(w, "empty.txt", FZ_ENTRY_DATA, NULL, 0);
    add(w, "pkg/__init__.pyc", FZ_ENTRY_PACKAGE, "", 0);
    buf = finish(w, &size);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "empty.txt", 9, &e), 0);
    cr_assert_eq(e.raw_size, 0);
    cr_assert_eq(e.stored_size, 0);
    cr_assert_eq(fz_payload_read(p, &e, NULL, 0), 0, "%s", fz_error_message());
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0);
    cr_assert_eq(got_size, 0);
    cr_assert_eq(((char *)got)[0], '\0');
    free(got);
    cr_assert_eq(fz_payload_find(p, "pkg/__init__.pyc", 16, &e), 0);
    cr_assert_eq(e.kind, FZ_ENTRY_PACKAGE);
    cr_assert_eq(fz_payload_read(p, &e, NULL, 0), 0);
    fz_payload_free(p);
    free(buf);
}

Test(payload, entry_of_64_mib)
{
    const size_t big = (size_t)64 << 20;
    uint8_t *data = malloc(big);
    /* Level 3: the default (19) works too but takes 15 s here. */
    fz_payload_writer *w = new_writer(3, 0);
    size_t size, got_size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;
    void *got;

    cr_assert_not_null(data);
    /* Compressible but not trivial: a counter in text, like a log. */
    for (size_t i = 0; i < big; i += 64) {
        snprintf((char *)data + i, 64, "line %012zu of a very long data %s",
                 i / 64, "file ..................");
        data[i + 63] = '\n';
    }
    add(w, "big/data.log", FZ_ENTRY_DATA, data, big);
    add_str(w, "small.txt", FZ_ENTRY_DATA, "small");
    buf = finish(w, &size);
    cr_assert_lt(size, big / 4);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "big/data.log", 12, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD);
    cr_assert_eq(e.raw_size, big);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0, "%s",
                 fz_error_message());
    cr_assert_eq(got_size, big);
    cr_assert_eq(memcmp(got, data, big), 0);
    free(got);
    fz_payload_free(p);
    free(buf);
    free(data);
}

Test(payload, raw_storage_for_incompressible_data)
{
    fz_payload_writer *w = new_writer(0, 1);
    uint8_t noise[4096];
    uint64_t x = 0x9e3779b97f4a7c15u;
    size_t size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;
    uint8_t got[4096];

    for (size_t i = 0; i < sizeof(noise); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise[i] = (uint8_t)x;
    }
    add(w, "noise.bin", FZ_ENTRY_DATA, noise, sizeof(noise));
    add(w, "noise.pyc", FZ_ENTRY_MODULE, noise, sizeof(noise));
    add_str(w, "text.txt", FZ_ENTRY_DATA,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    buf = finish(w, &size);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "noise.bin", 9, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_RAW);
    cr_assert_eq(e.stored_size, sizeof(noise));
    cr_assert_eq(fz_payload_read(p, &e, got, sizeof(got)), 0);
    cr_assert_eq(memcmp(got, noise, sizeof(noise)), 0);
    cr_assert_eq(fz_payload_find(p, "noise.pyc", 9, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_RAW);
    cr_assert_eq(fz_payload_find(p, "text.txt", 8, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD);
    cr_assert_lt(e.stored_size, e.raw_size);
    fz_payload_free(p);
    free(buf);
}

/* ------------------------------------------------------------- lookups */

Test(payload, find_hit_and_miss)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;
    char got[64];

    cr_assert_eq(fz_payload_find(p, "b/c.txt", 7, &e), 0);
    cr_assert_eq(e.kind, FZ_ENTRY_DATA);
    cr_assert_eq(e.mode, 0644);
    cr_assert_eq(e.raw_size, 3);
    cr_assert_eq(fz_payload_read(p, &e, got, sizeof(got)), 0);
    cr_assert_eq(memcmp(got, "xyz", 3), 0);
    fz_error_clear();
    cr_assert_eq(fz_payload_find(p, "b/c.tx", 6, &e), FZ_ENOTFOUND);
    cr_assert_eq(fz_payload_find(p, "b/c.txtx", 8, &e), FZ_ENOTFOUND);
    cr_assert_eq(fz_payload_find(p, "0", 1, &e), FZ_ENOTFOUND);
    cr_assert_eq(fz_payload_find(p, "zzz", 3, &e), FZ_ENOTFOUND);
    cr_assert_eq(fz_payload_find(p, "b", 1, &e), FZ_ENOTFOUND);
    /* A miss is not an error worth a message. */
    cr_assert_str_eq(fz_error_message(), "");
    fz_payload_free(p);
    free(buf);
}

Test(payload, lower_bound_lists_a_directory)
{
    fz_payload_writer *w = new_writer(0, 0);
    const char *names[] = {"pkg/sub/b.pyc", "pk.pyc",  "pkg/a.pyc",
                           "pkga.pyc",      "pkg.pyc", "pkg/__init__.pyc",
                           "pkg/sub/c.txt", "zzz.pyc", "pkg-1.0.dist-info/x"};
    const char *expect[] = {"pkg/__init__.pyc", "pkg/a.pyc", "pkg/sub/b.pyc",
                            "pkg/sub/c.txt"};
    size_t size, n = 0;
    uint8_t *buf;
    fz_payload *p;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        add_str(w, names[i], FZ_ENTRY_DATA, names[i]);
    }
    buf = finish(w, &size);
    p = open_ok(buf, size);
    for (uint64_t i = fz_payload_lower_bound(p, "pkg/", 4);
         i < fz_payload_entry_count(p); i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        if (e.name_size < 4 || memcmp(e.name, "pkg/", 4) != 0) {
            break;
        }
        cr_assert_lt(n, 4);
        cr_assert_eq(e.name_size, strlen(expect[n]));
        cr_assert_eq(memcmp(e.name, expect[n], e.name_size), 0);
        n++;
    }
    cr_assert_eq(n, 4);
    cr_assert_eq(fz_payload_lower_bound(p, "", 0), 0);
    cr_assert_eq(fz_payload_lower_bound(p, "zzzz", 4),
                 fz_payload_entry_count(p));
    cr_assert_eq(fz_payload_lower_bound(p, "nothing/", 8),
                 fz_payload_lower_bound(p, "pk.pyc", 6));
    fz_payload_free(p);
    free(buf);
}

Test(payload, main_entry)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;

    cr_assert_eq(fz_payload_main(p, &e), 0);
    cr_assert_eq(e.name_size, 5);
    cr_assert_eq(memcmp(e.name, "a.pyc", 5), 0);
    cr_assert_eq(e.kind, FZ_ENTRY_MODULE);
    fz_payload_free(p);
    free(buf);
}

Test(payload, read_into_too_small_buffer)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;
    char got[599];

    cr_assert_eq(fz_payload_find(p, "b/d.bin", 7, &e), 0);
    cr_assert_eq(e.raw_size, 600);
    cr_assert_eq(fz_payload_read(p, &e, got, sizeof(got)), FZ_EINVAL);
    cr_assert_not_null(strstr(fz_error_message(), "too small"), "%s",
                       fz_error_message());
    fz_payload_free(p);
    free(buf);
}

Test(payload, read_alloc_adds_a_nul)
{
    size_t size, got_size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;
    void *got;

    cr_assert_eq(fz_payload_main(p, &e), 0);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0);
    cr_assert_str_eq(got, "print('hello')\n");
    free(got);
    fz_payload_free(p);
    free(buf);
}

Test(payload, kind_names)
{
    cr_assert_str_eq(fz_entry_kind_name(FZ_ENTRY_MODULE), "module");
    cr_assert_str_eq(fz_entry_kind_name(FZ_ENTRY_PACKAGE), "package");
    cr_assert_str_eq(fz_entry_kind_name(FZ_ENTRY_DATA), "data");
    cr_assert_str_eq(fz_entry_kind_name(FZ_ENTRY_SOURCE), "source");
    cr_assert_str_eq(fz_entry_kind_name(0), "unknown");
    cr_assert_str_eq(fz_entry_kind_name(8), "unknown");
}

Test(payload, name_rules)
{
    static const char *good[] = {
        "a",   "a.pyc", "pkg/mod.pyc", "a/b/c/d",
        "...", ".a",    "a..",         "pkg.libs/libx.so.1"};
    static const char *bad[] = {"",    "/a",  "a/",   "a//b", ".",    "..",
                                "./a", "a/.", "../a", "a/..", "a\\b", "a/./b"};

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        cr_assert(fz_payload_name_valid(good[i], strlen(good[i])), "%s",
                  good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_not(fz_payload_name_valid(bad[i], strlen(bad[i])), "%s",
                      bad[i]);
    }
    cr_assert_not(fz_payload_name_valid("a\0b", 3));
    {
        char *longest = malloc(FZ_PAYLOAD_NAME_MAX + 1);
        memset(longest, 'x', FZ_PAYLOAD_NAME_MAX + 1);
        cr_assert(fz_payload_name_valid(longest, FZ_PAYLOAD_NAME_MAX));
        cr_assert_not(fz_payload_name_valid(longest, FZ_PAYLOAD_NAME_MAX + 1));
        free(longest);
    }
}

/* --------------------------------------------------------------- writer */

Test(payload, determinism_whatever_the_order)
{
    enum { N = 200 };
    size_t order[3][N];
    uint8_t *out[3];
    size_t size[3];
    char name[64];
    uint64_t x = 12345;

    for (size_t i = 0; i < N; i++) {
        order[0][i] = i;
        order[1][i] = N - 1 - i;
        order[2][i] = i;
    }
    for (size_t i = N - 1; i > 0; i--) {
        size_t j, t;
        x = x * 6364136223846793005u + 1442695040888963407u;
        j = (size_t)(x >> 33) % (i + 1);
        t = order[2][i];
        order[2][i] = order[2][j];
        order[2][j] = t;
    }
    for (int k = 0; k < 3; k++) {
        fz_payload_writer *w = new_writer(0, 1);
        for (size_t i = 0; i < N; i++) {
            size_t len;
            char *c = gen_content(order[k][i], &len);
            entry_name(name, sizeof(name), order[k][i]);
            add(w, name, FZ_ENTRY_MODULE, c, len);
            free(c);
        }
        cr_assert_eq(fz_payload_writer_set_main(w, "pkg005/mod000005.pyc"), 0);
        out[k] = finish(w, &size[k]);
    }
    cr_assert_gt(fz_get_u64(out[0] + H_DICT_SIZE), 0);
    for (int k = 1; k < 3; k++) {
        cr_assert_eq(size[k], size[0]);
        cr_assert_eq(memcmp(out[k], out[0], size[0]), 0, "order %d differs", k);
    }
    for (int k = 0; k < 3; k++) {
        free(out[k]);
    }
}

Test(payload, content_hash_identifies_content)
{
    size_t s1, s2, s3;
    uint8_t *a = build_small(&s1);
    uint8_t *b = build_small(&s2);
    fz_payload_writer *w = new_writer(3, 0);
    uint8_t *c;
    fz_payload *pa, *pb, *pc;

    add_str(w, "a.pyc", FZ_ENTRY_MODULE, "print('hello!')\n");
    c = finish(w, &s3);
    pa = open_ok(a, s1);
    pb = open_ok(b, s2);
    pc = open_ok(c, s3);
    cr_assert_eq(fz_payload_content_hash(pa), fz_payload_content_hash(pb));
    cr_assert_neq(fz_payload_content_hash(pa), fz_payload_content_hash(pc));
    fz_payload_free(pa);
    fz_payload_free(pb);
    fz_payload_free(pc);
    free(a);
    free(b);
    free(c);
}

Test(payload, writer_rejects_duplicate_names)
{
    fz_payload_writer *w = new_writer(0, 0);
    void *out = (void *)1;
    size_t size = 1;

    add_str(w, "x/y.pyc", FZ_ENTRY_MODULE, "one");
    add_str(w, "a.txt", FZ_ENTRY_DATA, "a");
    add_str(w, "x/y.pyc", FZ_ENTRY_MODULE, "two");
    cr_assert_eq(fz_payload_writer_finish(w, &out, &size), FZ_EINVAL);
    cr_assert_null(out);
    cr_assert_not_null(strstr(fz_error_message(), "duplicate"), "%s",
                       fz_error_message());
    cr_assert_not_null(strstr(fz_error_message(), "'x/y.pyc'"), "%s",
                       fz_error_message());
    fz_payload_writer_free(w);
}

Test(payload, writer_rejects_invalid_names)
{
    static const char *bad[] = {"",     "/abs.pyc", "a//b", "a/./b", "../up",
                                "a/..", "a\\b",     "dir/", ".",     ".."};
    fz_payload_writer *w = new_writer(0, 0);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc =
            fz_payload_writer_add(w, bad[i], FZ_ENTRY_DATA, 0, 0644, "x", 1);
        cr_assert_eq(rc, FZ_EINVAL, "'%s' accepted", bad[i]);
        cr_assert_not_null(strstr(fz_error_message(), "invalid"), "%s",
                           fz_error_message());
        if (bad[i][0] != '\0') {
            cr_assert_not_null(strstr(fz_error_message(), bad[i]), "%s",
                               fz_error_message());
        }
    }
    cr_assert_eq(fz_payload_writer_add(w, "a", 0, 0, 0644, "x", 1), FZ_EINVAL);
    cr_assert_eq(
        fz_payload_writer_add(w, "a", FZ_ENTRY_DATA, 0x8000, 0644, "x", 1),
        FZ_EINVAL);
    cr_assert_eq(fz_payload_writer_add(w, "a", FZ_ENTRY_DATA, 0, 04755, "x", 1),
                 FZ_EINVAL);
    fz_payload_writer_free(w);
}

Test(payload, set_main_needs_an_added_module)
{
    fz_payload_writer *w = new_writer(0, 0);

    add_str(w, "data.txt", FZ_ENTRY_DATA, "d");
    add_str(w, "app.pyc", FZ_ENTRY_MODULE, "m");
    cr_assert_eq(fz_payload_writer_set_main(w, "missing.pyc"), FZ_EINVAL);
    cr_assert_not_null(strstr(fz_error_message(), "missing.pyc"));
    cr_assert_eq(fz_payload_writer_set_main(w, "data.txt"), FZ_EINVAL);
    cr_assert_not_null(strstr(fz_error_message(), "not a module"));
    cr_assert_eq(fz_payload_writer_set_main(w, "app.pyc"), 0);
    fz_payload_writer_free(w);
}

Test(payload, writer_rejects_bad_level)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = (fz_payload_writer *)1;

    opts.level = 1000;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), FZ_EINVAL);
    cr_assert_null(w);
}

/* ----------------------------------------------- damaged and hostile input */

Test(payload, every_truncation_is_rejected)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    for (size_t n = 0; n < size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        fz_payload *p = (fz_payload *)1;
        memcpy(copy, buf, n);
        cr_assert_lt(fz_payload_open(&p, copy, n, 0, 0), 0,
                     "length %zu accepted", n);
        cr_assert_null(p);
        cr_assert_neq(fz_error_message()[0], '\0');
        free(copy);
    }
    free(buf);
}

Test(payload, trailing_bytes_are_rejected)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    uint8_t *longer = calloc(1, size + 1);

    memcpy(longer, buf, size);
    expect_open_error(longer, size + 1, FZ_EFORMAT, "truncated or padded");
    free(longer);
    free(buf);
}

/* n generated entries written with `threads` compression threads; one
 * large incompressible-ish entry makes the threads finish out of order. */
static uint8_t *
build_threaded(size_t n, unsigned threads, size_t *size)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;
    uint8_t *big = malloc(1 << 20);
    uint64_t x = 88172645463325252u;
    char name[64];

    cr_assert_not_null(big);
    for (size_t i = 0; i < (1u << 20); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        big[i] = (uint8_t)(i % 3 == 0 ? x : i);
    }
    opts.python_version = PY311;
    opts.bytecode_magic = MAGIC311;
    opts.level = 3;
    opts.use_dictionary = 1;
    opts.threads = threads;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), 0);
    add(w, "big.so", FZ_ENTRY_EXTENSION, big, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *c = gen_content(i, &len);
        fz_entry_kind kind = i % 13 == 0 ? FZ_ENTRY_DATA : FZ_ENTRY_MODULE;

        entry_name(name, sizeof(name), i);
        add(w, name, kind, c, len);
        free(c);
    }
    free(big);
    return finish(w, size);
}

Test(payload, parallel_compression_gives_the_single_thread_bytes)
{
    size_t one_size, many_size, auto_size;
    uint8_t *one = build_threaded(500, 1, &one_size);
    uint8_t *many = build_threaded(500, 4, &many_size);
    uint8_t *automatic = build_threaded(500, 0, &auto_size);

    cr_assert_gt(count_compression(one, one_size, FZ_COMPRESSION_LZ4_DICT), 0,
                 "the dictionary was not used");
    cr_assert_eq(many_size, one_size);
    cr_assert_eq(memcmp(many, one, one_size), 0, "4 threads differ");
    cr_assert_eq(auto_size, one_size);
    cr_assert_eq(memcmp(automatic, one, one_size), 0, "auto threads differ");
    {
        fz_payload *p = open_ok(one, one_size);

        for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
            fz_entry e;
            void *data = NULL;
            size_t data_size = 0;

            fz_payload_entry_at(p, i, &e);
            cr_assert_eq(fz_payload_read_alloc(p, &e, &data, &data_size), 0,
                         "%s", fz_error_message());
            free(data);
        }
        fz_payload_free(p);
    }
    free(one);
    free(many);
    free(automatic);
}

/* Code entries with a (small) trained dictionary. */
static uint8_t *
build_with_dictionary(size_t n, size_t *size)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;
    char name[64];

    opts.python_version = PY311;
    opts.bytecode_magic = MAGIC311;
    opts.level = 3;
    opts.use_dictionary = 1;
    opts.dict_max = 1024;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), 0);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *c = gen_content(i, &len);
        entry_name(name, sizeof(name), i);
        add(w, name, FZ_ENTRY_MODULE, c, len);
        free(c);
    }
    return finish(w, size);
}

Test(payload, every_bit_flip_in_header_and_index_is_rejected)
{
    size_t size;
    uint8_t *buf = build_with_dictionary(60, &size);
    uint64_t end = fz_get_u64(buf + H_DATA_OFFSET);

    cr_assert_gt(fz_get_u64(buf + H_DICT_SIZE), 0, "no dictionary trained");
    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_LZ4_DICT), 0);
    for (uint64_t byte = 0; byte < end; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            fz_payload *p = (fz_payload *)1;
            int rc;
            buf[byte] ^= (uint8_t)(1u << bit);
            rc = fz_payload_open(&p, buf, size, 0, 0);
            buf[byte] ^= (uint8_t)(1u << bit);
            cr_assert_lt(rc, 0, "flip of bit %d of byte %" PRIu64 " accepted",
                         bit, byte);
            cr_assert_null(p);
        }
    }
    free(buf);
}

/*
 * A flipped bit anywhere in an entry's stored bytes is reported as damage:
 * a hash mismatch (the hash covers the stored bytes and is checked before
 * any decoder runs), or, in a zstd frame header, a frame that disagrees
 * with the index (checked before the buffer is allocated). Never wrong or
 * even right content; the other entries still read.
 */
static void
check_data_bit_flips(uint8_t *buf, size_t size)
{
    fz_payload *clean = open_ok(buf, size);
    uint64_t count = fz_payload_entry_count(clean);
    uint64_t flips = 0;

    for (uint64_t i = 0; i < count; i++) {
        fz_entry e;

        fz_payload_entry_at(clean, i, &e);
        for (uint64_t byte = e.offset; byte < e.offset + e.stored_size;
             byte++) {
            for (int bit = 0; bit < 8; bit++) {
                fz_payload *p;
                fz_entry f;
                void *got = NULL;
                size_t got_size;
                int rc;

                buf[byte] ^= (uint8_t)(1u << bit);
                p = open_ok(buf, size);
                fz_payload_entry_at(p, i, &f);
                rc = fz_payload_read_alloc(p, &f, &got, &got_size);
                flips++;
                cr_assert(rc == FZ_EHASH || rc == FZ_EFORMAT,
                          "entry %" PRIu64 " byte %" PRIu64
                          " bit %d: read gave %d (%s)",
                          i, byte, bit, rc, fz_error_message());
                cr_assert_not_null(strstr(fz_error_message(), "damaged"), "%s",
                                   fz_error_message());
                cr_assert_null(got);
                if (i + 1 < count) {
                    fz_payload_entry_at(p, i + 1, &f);
                    cr_assert_eq(fz_payload_read_alloc(p, &f, &got, &got_size),
                                 0);
                    free(got);
                }
                fz_payload_free(p);
                buf[byte] ^= (uint8_t)(1u << bit);
            }
        }
    }
    cr_assert_gt(flips, 0);
    fz_payload_free(clean);
}

Test(payload, bit_flip_in_data_is_caught_on_read)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_RAW), 0);
    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_ZSTD), 0);
    check_data_bit_flips(buf, size);
    free(buf);
}

Test(payload, bit_flip_in_dictionary_compressed_data_is_caught_on_read)
{
    size_t size;
    uint8_t *buf = build_with_dictionary(30, &size);

    cr_assert_gt(count_compression(buf, size, FZ_COMPRESSION_LZ4_DICT), 0);
    check_data_bit_flips(buf, size);
    free(buf);
}

/*
 * Format 2 hashes the stored bytes; format 1 hashed the raw ones, and a
 * payload of format 1 still reads (freeze inspect of an older app). Each
 * version's hashes fail under the other's rule.
 */
Test(payload, entry_hashes_cover_stored_bytes_and_format_1_raw_bytes)
{
    size_t size;
    uint8_t *buf = build_with_dictionary(30, &size);
    fz_payload *p = open_ok(buf, size);
    uint64_t n = fz_payload_entry_count(p);
    void **raw = calloc(n, sizeof(*raw));
    size_t *raw_size = calloc(n, sizeof(*raw_size));
    uint64_t compressed = 0;

    cr_assert_eq(fz_get_u32(buf + H_VERSION), FZ_PAYLOAD_VERSION);
    cr_assert_eq(FZ_PAYLOAD_VERSION, 2);
    cr_assert(raw && raw_size);
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;

        fz_payload_entry_at(p, i, &e);
        cr_assert_eq(e.hash,
                     XXH3_64bits(buf + e.offset, (size_t)e.stored_size));
        cr_assert_eq(fz_payload_read_alloc(p, &e, &raw[i], &raw_size[i]), 0);
        if (e.compression != FZ_COMPRESSION_RAW) {
            compressed++;
            cr_assert_neq(e.hash, XXH3_64bits(raw[i], raw_size[i]));
        }
    }
    cr_assert_gt(compressed, 0);
    fz_payload_free(p);

    /* The same payload as format 1 wrote it: raw hashes, version 1. */
    for (uint64_t i = 0; i < n; i++) {
        fz_put_u64(entry_field(buf, i, E_HASH),
                   XXH3_64bits(raw[i], raw_size[i]));
    }
    rehash(buf);
    p = open_ok(buf, size); /* version 2: the raw hashes are wrong */
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;
        void *got = NULL;
        size_t got_size;

        fz_payload_entry_at(p, i, &e);
        if (e.compression != FZ_COMPRESSION_RAW) {
            cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size),
                         FZ_EHASH);
        }
    }
    fz_payload_free(p);
    fz_put_u32(buf + H_VERSION, 1);
    rehash(buf);
    p = open_ok(buf, size);
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;
        void *got = NULL;
        size_t got_size;

        fz_payload_entry_at(p, i, &e);
        cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0, "%s",
                     fz_error_message());
        cr_assert_eq(got_size, raw_size[i]);
        cr_assert_eq(memcmp(got, raw[i], got_size), 0);
        free(got);
        /* A damaged format 1 entry is still caught, after decoding. */
        fz_put_u64(entry_field(buf, i, E_HASH), e.hash ^ 1);
        rehash(buf);
        fz_payload_free(p);
        p = open_ok(buf, size);
        cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), FZ_EHASH);
        fz_put_u64(entry_field(buf, i, E_HASH), e.hash);
        rehash(buf);
        fz_payload_free(p);
        p = open_ok(buf, size);
    }
    fz_payload_free(p);
    for (uint64_t i = 0; i < n; i++) {
        free(raw[i]);
    }
    free(raw);
    free(raw_size);
    free(buf);
}

Test(payload, hash_mismatch_message)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;
    char got[8];

    cr_assert_eq(fz_payload_find(p, "b/c.txt", 7, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_RAW);
    buf[e.offset] ^= 1;
    cr_assert_eq(fz_payload_read(p, &e, got, sizeof(got)), FZ_EHASH);
    cr_assert_str_eq(fz_error_message(),
                     "entry 'b/c.txt' is damaged (hash mismatch)");
    fz_payload_free(p);
    free(buf);
}

Test(payload, wrong_magic)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    buf[0] = 'X';
    expect_open_error(buf, size, FZ_EMAGIC, "not a payload");
    expect_open_error((const uint8_t *)"\x7f"
                                       "ELF",
                      4, FZ_EMAGIC, "not a payload");
    expect_open_error(NULL, 0, FZ_EMAGIC, "not a payload");
    free(buf);
}

Test(payload, newer_format_version)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    fz_put_u32(buf + H_VERSION, FZ_PAYLOAD_VERSION + 1);
    rehash(buf);
    expect_open_error(buf, size, FZ_EVERSION, "is newer than this reader");
    fz_put_u32(buf + H_VERSION, 0);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "version 0");
    free(buf);
}

Test(payload, other_bytecode_magic)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;
    fz_payload *p = (fz_payload *)1;
    size_t size;
    uint8_t *buf;

    opts.python_version = PY312;
    opts.bytecode_magic = MAGIC312;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), 0);
    add_str(w, "m.pyc", FZ_ENTRY_MODULE, "code");
    buf = finish(w, &size);
    cr_assert_eq(fz_payload_open(&p, buf, size, PY311, MAGIC311),
                 FZ_EPYVERSION);
    cr_assert_null(p);
    cr_assert_str_eq(fz_error_message(), "payload is for CPython 3.12 "
                                         "(bytecode 3531), this runtime is "
                                         "3.11 (3495)");
    /* Same X.Y, other bytecode (a pre-release, say). */
    cr_assert_eq(fz_payload_open(&p, buf, size, PY312, MAGIC311),
                 FZ_EPYVERSION);
    cr_assert_str_eq(fz_error_message(), "payload is for CPython 3.12 "
                                         "(bytecode 3531), this runtime is "
                                         "3.12 (3495)");
    /* 0 skips the check. */
    cr_assert_eq(fz_payload_open(&p, buf, size, 0, 0), 0);
    fz_payload_free(p);
    cr_assert_eq(fz_payload_open(&p, buf, size, PY312, 0), 0);
    fz_payload_free(p);
    free(buf);
}

Test(payload, unknown_header_flags)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    fz_put_u32(buf + H_FLAGS, 4);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "unknown flags");
    free(buf);
}

Test(payload, meta_hash_mismatch)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    buf[H_PYVERSION] ^= 1;
    expect_open_error(buf, size, FZ_EFORMAT, "header or index damaged");
    free(buf);
}

Test(payload, layout_fields_must_agree)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    uint8_t *copy = malloc(size);

    memcpy(copy, buf, size);
    fz_put_u64(copy + H_STRINGS_OFFSET,
               fz_get_u64(copy + H_STRINGS_OFFSET) + 1);
    rehash(copy);
    expect_open_error(copy, size, FZ_EFORMAT, "strings_offset");

    memcpy(copy, buf, size);
    fz_put_u64(copy + H_COUNT, UINT64_MAX / 2);
    rehash(copy);
    expect_open_error(copy, size, FZ_EFORMAT, "entry_count");

    memcpy(copy, buf, size);
    fz_put_u64(copy + H_STRINGS_SIZE, UINT64_MAX - 64);
    rehash(copy);
    expect_open_error(copy, size, FZ_EFORMAT, "strings_size");

    memcpy(copy, buf, size);
    fz_put_u64(copy + H_DATA_SIZE, fz_get_u64(copy + H_DATA_SIZE) - 1);
    rehash(copy);
    expect_open_error(copy, size, FZ_EFORMAT, "data_size");

    memcpy(copy, buf, size);
    fz_put_u32(copy + H_MAIN, 3);
    rehash(copy);
    expect_open_error(copy, size, FZ_EFORMAT, "main_entry 3");
    free(copy);
    free(buf);
}

Test(payload, main_entry_must_be_a_module)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    fz_put_u32(buf + H_MAIN, 1); /* b/c.txt, a DATA entry */
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "main entry is a data");
    free(buf);
}

Test(payload, overlapping_entries)
{
    size_t size;
    uint8_t *buf = build_two(&size);

    fz_put_u64(entry_field(buf, 1, E_OFFSET), 2);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "overlaps the previous entry");
    free(buf);
}

Test(payload, offset_out_of_range)
{
    size_t size;
    uint8_t *buf = build_two(&size);
    uint64_t data_size = fz_get_u64(buf + H_DATA_SIZE);

    fz_put_u64(entry_field(buf, 1, E_OFFSET), data_size);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "outside the data region");
    fz_put_u64(entry_field(buf, 1, E_OFFSET), UINT64_MAX);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "outside the data region");
    free(buf);
}

Test(payload, sizes_that_overflow_when_added)
{
    size_t size;
    uint8_t *buf = build_two(&size);

    /* offset + stored_size wraps around to a small number. */
    fz_put_u64(entry_field(buf, 1, E_OFFSET), 20);
    fz_put_u64(entry_field(buf, 1, E_STORED), UINT64_MAX - 10);
    fz_put_u64(entry_field(buf, 1, E_RAW), UINT64_MAX - 10);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "outside the data region");
    free(buf);
}

Test(payload, raw_size_limits)
{
    size_t size;
    uint8_t *buf = build_two(&size);

    /* RAW storage: stored and raw sizes must agree. */
    fz_put_u64(entry_field(buf, 0, E_RAW), 5);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "stored raw");
    fz_put_u64(entry_field(buf, 0, E_RAW), FZ_PAYLOAD_RAW_MAX + 1);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "too large");
    free(buf);
}

Test(payload, hostile_raw_size_fails_before_allocating)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p;
    fz_entry e;
    void *got = (void *)1;
    size_t got_size;

    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "b/d.bin", 7, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD);
    fz_payload_free(p);
    fz_put_u64(entry_field(buf, e.index, E_RAW), FZ_PAYLOAD_RAW_MAX);
    rehash(buf);
    p = open_ok(buf, size);
    fz_payload_entry_at(p, e.index, &e);
    cr_assert_eq(fz_payload_check(p, &e), FZ_EFORMAT);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), FZ_EFORMAT);
    cr_assert_null(got);
    cr_assert_not_null(strstr(fz_error_message(), "damaged"), "%s",
                       fz_error_message());
    fz_payload_free(p);
    free(buf);
}

Test(payload, check_passes_good_entries)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = open_ok(buf, size);
    fz_entry e;
    uint64_t i;

    for (i = 0; i < fz_payload_entry_count(p); i++) {
        fz_payload_entry_at(p, i, &e);
        cr_assert_eq(fz_payload_check(p, &e), FZ_OK, "%s", fz_error_message());
    }
    e.index = (uint32_t)fz_payload_entry_count(p);
    cr_assert_eq(fz_payload_check(p, &e), FZ_EINVAL);
    fz_payload_free(p);
    free(buf);
}

Test(payload, unsorted_names)
{
    size_t size;
    uint8_t *buf = build_two(&size);
    uint64_t strings = fz_get_u64(buf + H_STRINGS_OFFSET);

    /* "aa/bb/cc" "aa/bb/dd" -> "aa/bb/ee" "aa/bb/dd" */
    cr_assert_eq(memcmp(buf + strings, "aa/bb/ccaa/bb/dd", 16), 0);
    memcpy(buf + strings + 6, "ee", 2);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "not sorted");
    cr_assert_not_null(strstr(fz_error_message(), "'aa/bb/dd'"));
    free(buf);
}

Test(payload, duplicate_names)
{
    size_t size;
    uint8_t *buf = build_two(&size);

    /* Both entries point at the first name. */
    fz_put_u32(entry_field(buf, 1, E_NAME_OFFSET), 0);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "duplicated");
    cr_assert_not_null(strstr(fz_error_message(), "entry 1 'aa/bb/cc'"), "%s",
                       fz_error_message());
    free(buf);
}

Test(payload, name_outside_the_string_table)
{
    size_t size;
    uint8_t *buf = build_two(&size);

    fz_put_u32(entry_field(buf, 1, E_NAME_OFFSET), 10);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "outside the string table");
    fz_put_u32(entry_field(buf, 1, E_NAME_OFFSET), UINT32_MAX);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "outside the string table");
    fz_put_u32(entry_field(buf, 1, E_NAME_OFFSET), 8);
    fz_put_u32(entry_field(buf, 1, E_NAME_SIZE), 0);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "entry 1");
    free(buf);
}

/* Names of 8 bytes that replace "aa/bb/cc" in the string table. */
struct bad_name {
    char name[9];
    char why[24]; /* arrays, not pointers: Criterion copies parameters */
};

ParameterizedTestParameters(payload, invalid_names_in_index)
{
    static struct bad_name params[] = {
        {"aa/b\0/cc", "NUL"},
        {"aa/../cc", "dot dot"},
        {"aa/./ccc", "dot"},
        {"aa//b/cc", "empty segment"},
        {"/aa/b/cc", "leading slash"},
        {"aa\\bb/cc", "backslash"},
        {"aa/bbcc/", "trailing slash"},
        {"../aa/bb", "leading dot dot"},
    };
    return cr_make_param_array(struct bad_name, params,
                               sizeof(params) / sizeof(params[0]));
}

ParameterizedTest(struct bad_name *bad, payload, invalid_names_in_index)
{
    size_t size;
    uint8_t *buf = build_two(&size);
    uint64_t strings = fz_get_u64(buf + H_STRINGS_OFFSET);

    memcpy(buf + strings, bad->name, 8);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "invalid name");
    cr_assert_not_null(strstr(fz_error_message(), "entry 0"), "%s: %s",
                       bad->why, fz_error_message());
    free(buf);
}

/* One byte-sized or short field of entry 0 patched to a bad value. */
struct bad_field {
    size_t field;
    size_t width;
    uint32_t value;
    char needle[48]; /* an array, not a pointer: Criterion copies it */
};

ParameterizedTestParameters(payload, invalid_entry_fields)
{
    static struct bad_field params[] = {
        {E_KIND, 1, 0, "unknown kind 0"},
        {E_KIND, 1, 8, "unknown kind 8"},
        {E_COMPRESSION, 1, 6, "unknown compression 6"},
        {E_COMPRESSION, 1, 2, "uses a dictionary but the payload has none"},
        {E_COMPRESSION, 1, 4, "uses a dictionary but the payload has none"},
        {E_FLAGS, 2, 0x0002, "unknown flags 0x2"},
        {E_MODE, 4, 01755, "bad mode 01755"},
        {E_MODE, 4, 0100644, "bad mode 0100644"},
    };
    return cr_make_param_array(struct bad_field, params,
                               sizeof(params) / sizeof(params[0]));
}

ParameterizedTest(struct bad_field *bad, payload, invalid_entry_fields)
{
    size_t size;
    uint8_t *buf = build_two(&size);
    uint8_t *f = entry_field(buf, 0, bad->field);

    if (bad->width == 1) {
        *f = (uint8_t)bad->value;
    } else if (bad->width == 2) {
        fz_put_u16(f, (uint16_t)bad->value);
    } else {
        fz_put_u32(f, bad->value);
    }
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, bad->needle);
    cr_assert_not_null(strstr(fz_error_message(), "entry 0 'aa/bb/cc'"), "%s",
                       fz_error_message());
    free(buf);
}

Test(payload, every_valid_kind_is_accepted)
{
    fz_payload_writer *w = new_writer(0, 0);
    size_t size;
    uint8_t *buf;
    fz_payload *p;

    for (int k = 1; k <= FZ_ENTRY_KIND_MAX; k++) {
        char name[16];
        snprintf(name, sizeof(name), "kind%d", k);
        cr_assert_eq(fz_payload_writer_add(w, name, (fz_entry_kind)k,
                                           FZ_ENTRY_F_APP, 0755, name,
                                           strlen(name)),
                     0);
    }
    buf = finish(w, &size);
    p = open_ok(buf, size);
    for (uint64_t i = 0; i < FZ_ENTRY_KIND_MAX; i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        cr_assert_eq(e.kind, (fz_entry_kind)(i + 1));
        cr_assert_eq(e.flags, FZ_ENTRY_F_APP);
        cr_assert_eq(e.mode, 0755);
    }
    fz_payload_free(p);
    free(buf);
}

/* ------------------------------------------- fz_payload_open_fetch */

/* A payload "file" for the fetch callback: bytes, a counter of bytes
 * handed out, and an optional failure or change after the first read. */
struct fetch_src {
    uint8_t *bytes;
    size_t size;
    size_t fetched;
    int calls;
    int fail_after; /* > 0: the fail_after-th call fails */
    int flip_after; /* > 0: byte 9 changes after this many calls */
};

static int
fetch_from(void *ctx, uint64_t offset, void *buf, size_t size)
{
    struct fetch_src *s = ctx;

    s->calls++;
    if (s->fail_after > 0 && s->calls >= s->fail_after) {
        return fz_error_set(FZ_EIO, "test: read failed");
    }
    if (s->flip_after > 0 && s->calls > s->flip_after) {
        s->bytes[9] ^= 1;
        s->flip_after = 0;
    }
    if (offset > s->size || size > s->size - offset) {
        return fz_error_set(FZ_EFORMAT, "test: short read");
    }
    memcpy(buf, s->bytes + offset, size);
    s->fetched += size;
    return 0;
}

Test(payload, fetch_round_trip_reads_only_what_is_asked)
{
    size_t size;
    uint8_t *buf = build_many(1000, 0, 1, &size);
    struct fetch_src src = {buf, size, 0, 0, 0, 0};
    fz_payload *p = NULL;
    fz_payload *mem = open_ok(buf, size);
    size_t head;
    char name[64];

    cr_assert_eq(
        fz_payload_open_fetch(&p, size, fetch_from, &src, PY311, MAGIC311), 0,
        "%s", fz_error_message());
    head = src.fetched;
    cr_assert_lt(head, size, "opening read the entry data too");
    cr_assert_eq(fz_payload_entry_count(p), 1000);
    cr_assert_eq(fz_payload_content_hash(p), fz_payload_content_hash(mem));
    for (size_t i = 0; i < 1000; i += 97) {
        fz_entry e;
        size_t len, got_size;
        void *got;
        char *c = gen_content(i, &len);

        entry_name(name, sizeof(name), i);
        cr_assert_eq(fz_payload_find(p, name, strlen(name), &e), 0);
        cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0, "%s",
                     fz_error_message());
        cr_assert_eq(got_size, len);
        cr_assert_eq(memcmp(got, c, len), 0, "content of %s", name);
        free(got);
        free(c);
    }
    /* Eleven entries read: far less than the whole data region. */
    cr_assert_lt(src.fetched - head, (size - head) / 4);
    fz_payload_free(p);
    fz_payload_free(mem);
    free(buf);
}

Test(payload, fetch_every_truncation_is_rejected)
{
    size_t size;
    uint8_t *buf = build_small(&size);

    for (size_t n = 0; n < size; n++) {
        struct fetch_src src = {buf, n, 0, 0, 0, 0};
        fz_payload *p = (fz_payload *)1;

        cr_assert_lt(fz_payload_open_fetch(&p, n, fetch_from, &src, 0, 0), 0,
                     "length %zu accepted", n);
        cr_assert_null(p);
        cr_assert_neq(fz_error_message()[0], '\0');
    }
    free(buf);
}

Test(payload, fetch_errors_are_reported)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    fz_payload *p = (fz_payload *)1;
    struct fetch_src fail_open = {buf, size, 0, 0, 2, 0};
    struct fetch_src changed = {buf, size, 0, 0, 0, 1};
    struct fetch_src fail_read = {buf, size, 0, 0, 0, 0};
    fz_entry e;
    void *got = NULL;
    size_t got_size;

    cr_assert_eq(fz_payload_open_fetch(&p, size, fetch_from, &fail_open, 0, 0),
                 FZ_EIO);
    cr_assert_null(p);
    cr_assert(strstr(fz_error_message(), "read failed"));

    cr_assert_eq(fz_payload_open_fetch(&p, size, fetch_from, &changed, 0, 0),
                 FZ_EFORMAT);
    cr_assert(strstr(fz_error_message(), "changed while being read"), "%s",
              fz_error_message());
    buf[9] ^= 1; /* undo the change the source made */

    cr_assert_eq(fz_payload_open_fetch(&p, size, fetch_from, &fail_read, 0, 0),
                 0, "%s", fz_error_message());
    fail_read.fail_after = fail_read.calls + 1;
    fz_payload_entry_at(p, 0, &e);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), FZ_EIO);
    cr_assert_null(got);
    fz_payload_free(p);
    free(buf);
}

Test(payload, fetch_detects_a_flipped_data_bit)
{
    size_t size;
    uint8_t *buf = build_small(&size);
    struct fetch_src src = {buf, size, 0, 0, 0, 0};
    fz_payload *p = NULL;
    int caught = 0;

    cr_assert_eq(fz_payload_open_fetch(&p, size, fetch_from, &src, 0, 0), 0);
    /* Damage every entry's first stored byte after opening. */
    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_entry e;
        void *got = NULL;
        size_t got_size;

        fz_payload_entry_at(p, i, &e);
        if (e.stored_size == 0) {
            continue;
        }
        buf[e.offset] ^= 0x40;
        if (fz_payload_read_alloc(p, &e, &got, &got_size) < 0) {
            caught++;
        }
        free(got);
        buf[e.offset] ^= 0x40;
    }
    cr_assert_gt(caught, 0);
    fz_payload_free(p);
    free(buf);
}

/* ------------------------------------------------------------ LZ4 code */

/* The index of the first entry stored with compression c in buf. */
static uint32_t
first_with(const uint8_t *buf, size_t size, fz_compression c, fz_entry *out)
{
    fz_payload *p = open_ok(buf, size);

    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_payload_entry_at(p, i, out);
        if (out->compression == c) {
            fz_payload_free(p);
            return (uint32_t)i;
        }
    }
    cr_assert_fail("no entry with compression %d", (int)c);
    return 0;
}

Test(payload, lz4_sizes_a_block_cannot_have_are_rejected_at_open)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    fz_entry e;
    uint32_t i = first_with(buf, size, FZ_COMPRESSION_LZ4_DICT, &e);

    /* 255 times the stored size is what a block can expand to. */
    fz_put_u64(entry_field(buf, i, E_RAW), e.stored_size * 255);
    rehash(buf);
    fz_payload_free(open_ok(buf, size));
    fz_put_u64(entry_field(buf, i, E_RAW), e.stored_size * 255 + 255);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "impossible for an LZ4 block");
    fz_put_u64(entry_field(buf, i, E_RAW), FZ_PAYLOAD_LZ4_MAX + 1);
    rehash(buf);
    expect_open_error(buf, size, FZ_EFORMAT, "impossible for an LZ4 block");
    free(buf);
}

Test(payload, damaged_lz4_block_is_reported_with_its_name)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    fz_entry e;
    fz_payload *p;
    void *got = (void *)1;
    size_t got_size;
    char want[128];
    int rc;

    first_with(buf, size, FZ_COMPRESSION_LZ4_DICT, &e);
    /* A match offset of 0 is invalid in any block. */
    memset(buf + e.offset, 0xff, (size_t)e.stored_size);
    /* The hash sees it first: the decoder is never given damaged bytes. */
    p = open_ok(buf, size);
    fz_payload_entry_at(p, e.index, &e);
    rc = fz_payload_read_alloc(p, &e, &got, &got_size);
    cr_assert_eq(rc, FZ_EHASH, "%d: %s", rc, fz_error_message());
    fz_payload_free(p);
    /* A block that matches its hash (a writer's bug) is the decoder's. */
    rehash_entry(buf, &e);
    p = open_ok(buf, size);
    fz_payload_entry_at(p, e.index, &e);
    cr_assert_eq(fz_payload_check(p, &e), FZ_OK);
    rc = fz_payload_read_alloc(p, &e, &got, &got_size);
    cr_assert_eq(rc, FZ_EFORMAT, "%d: %s", rc, fz_error_message());
    cr_assert_null(got);
    snprintf(want, sizeof(want), "entry '%.*s' is damaged (bad LZ4 block",
             (int)e.name_size, e.name);
    cr_assert_not_null(strstr(fz_error_message(), want), "%s",
                       fz_error_message());
    fz_payload_free(p);
    free(buf);
}

Test(payload, check_passes_lz4_entries)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    fz_payload *p = open_ok(buf, size);

    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_entry e;
        fz_payload_entry_at(p, i, &e);
        cr_assert_eq(fz_payload_check(p, &e), FZ_OK, "%s", fz_error_message());
    }
    fz_payload_free(p);
    free(buf);
}

/*
 * A cache in memory whose get can hand back records changed in their last
 * byte (in an LZ4 block: a literal, so the block still decodes).
 */
#define MEMCACHE_MAX 512
struct memcache {
    uint8_t key[MEMCACHE_MAX][16];
    void *rec[MEMCACHE_MAX];
    size_t size[MEMCACHE_MAX];
    size_t count;
    int tamper;
    size_t tampered;
};

static int
memcache_get(void *ctx, const uint8_t *key, void **out, size_t *out_size)
{
    struct memcache *c = ctx;

    for (size_t i = 0; i < c->count; i++) {
        if (memcmp(c->key[i], key, 16) == 0) {
            uint8_t *copy = malloc(c->size[i]);
            cr_assert_not_null(copy);
            memcpy(copy, c->rec[i], c->size[i]);
            /* Only LZ4 records: a zstd frame's last bytes are not all
             * literals. */
            if (c->tamper && c->size[i] > 2 &&
                (copy[0] == FZ_COMPRESSION_LZ4 ||
                 copy[0] == FZ_COMPRESSION_LZ4_DICT)) {
                copy[c->size[i] - 1] ^= 0x01;
                c->tampered++;
            }
            *out = copy;
            *out_size = c->size[i];
            return 1;
        }
    }
    return 0;
}

static int
memcache_put(void *ctx, const uint8_t *key, const void *data, size_t size)
{
    struct memcache *c = ctx;

    /* The writer's threads call put at once: this test uses one. */
    cr_assert_lt(c->count, MEMCACHE_MAX);
    memcpy(c->key[c->count], key, 16);
    c->rec[c->count] = malloc(size ? size : 1);
    cr_assert_not_null(c->rec[c->count]);
    memcpy(c->rec[c->count], data, size);
    c->size[c->count++] = size;
    return 0;
}

static uint8_t *
build_cached(struct memcache *c, size_t *size)
{
    fz_payload_cache cache = {c, memcache_get, memcache_put};
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;
    char name[64];

    opts.python_version = PY311;
    opts.bytecode_magic = MAGIC311;
    opts.use_dictionary = 1;
    opts.threads = 1;
    opts.cache = &cache;
    cr_assert_eq(fz_payload_writer_new(&w, &opts), 0, "%s", fz_error_message());
    for (size_t i = 0; i < 200; i++) {
        size_t len;
        char *text = gen_content(i, &len);
        entry_name(name, sizeof(name), i);
        add(w, name, i % 13 == 0 ? FZ_ENTRY_DATA : FZ_ENTRY_MODULE, text, len);
        free(text);
    }
    return finish(w, size);
}

Test(payload, cached_lz4_blocks_are_used_only_when_they_decode_to_the_entry)
{
    struct memcache *c = calloc(1, sizeof(*c));
    size_t fresh_size, again_size, tampered_size;
    uint8_t *fresh, *again, *tampered;

    cr_assert_not_null(c);
    fresh = build_cached(c, &fresh_size);
    cr_assert_gt(c->count, 100);
    cr_assert_gt(count_compression(fresh, fresh_size, FZ_COMPRESSION_LZ4_DICT),
                 100);
    again = build_cached(c, &again_size);
    cr_assert_eq(again_size, fresh_size);
    cr_assert_eq(memcmp(again, fresh, fresh_size), 0);
    /* Changed records are refused and the entries compressed again: the
     * same bytes, every entry reads back. */
    c->tamper = 1;
    tampered = build_cached(c, &tampered_size);
    cr_assert_gt(c->tampered, 100);
    cr_assert_eq(tampered_size, fresh_size);
    cr_assert_eq(memcmp(tampered, fresh, fresh_size), 0);
    for (size_t i = 0; i < c->count; i++) {
        free(c->rec[i]);
    }
    free(c);
    free(fresh);
    free(again);
    free(tampered);
}

Test(payload, lz4_at_its_largest_ratio_opens)
{
    /* Zeros: LZ4's best case, near 255 to 1; the reader's bound must hold
     * what the writer makes. */
    size_t n = (size_t)4 << 20;
    uint8_t *zeros = calloc(1, n);
    fz_payload_writer *w = new_writer(0, 0);
    size_t size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;
    void *got;
    size_t got_size;

    cr_assert_not_null(zeros);
    add(w, "zeros.pyc", FZ_ENTRY_MODULE, zeros, n);
    buf = finish(w, &size);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "zeros.pyc", 9, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_LZ4);
    cr_assert_gt(e.raw_size / e.stored_size, 250);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0, "%s",
                 fz_error_message());
    cr_assert_eq(got_size, n);
    cr_assert_eq(memcmp(got, zeros, n), 0);
    free(got);
    fz_payload_free(p);
    free(buf);
    free(zeros);
}

/* ------------------------------------------------------------ borrowing */

/* Entry i of p read the plain way, for comparison (malloc'd). */
static void *
read_plain(fz_payload *p, uint64_t i, size_t *size)
{
    fz_entry e;
    void *got = NULL;

    fz_payload_entry_at(p, i, &e);
    cr_assert_eq(fz_payload_read_alloc(p, &e, &got, size), 0, "%s",
                 fz_error_message());
    return got;
}

/* Every entry borrowed in turn comes back as fz_payload_read gives it,
 * in the one buffer the reader keeps (opened both ways). */
static void
borrow_every_entry(fz_payload *p)
{
    const uint8_t *shared = NULL;
    int lz4_dict = 0;

    for (uint64_t i = 0; i < fz_payload_entry_count(p); i++) {
        fz_payload_loan loan;
        fz_entry e;
        size_t want_size;
        void *want = read_plain(p, i, &want_size);

        fz_payload_entry_at(p, i, &e);
        lz4_dict += e.compression == FZ_COMPRESSION_LZ4_DICT;
        cr_assert_eq(fz_payload_borrow(p, &e, &loan), 0, "%s",
                     fz_error_message());
        cr_assert_null(loan.owned, "entry %" PRIu64 " was not lent", i);
        cr_assert_eq(loan.size, want_size);
        cr_assert_eq(memcmp(loan.data, want, want_size), 0, "entry %" PRIu64,
                     i);
        if (shared == NULL) {
            shared = loan.data;
        }
        /* Small entries all fit the first buffer: it is reused. */
        cr_assert_eq(loan.data, shared);
        fz_payload_return(p, &loan);
        cr_assert_null(loan.data);
        free(want);
    }
    cr_assert_gt(lz4_dict, 0, "no entry used the dictionary");
}

Test(payload, borrowed_entries_are_the_entries)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    struct fetch_src src = {buf, size, 0, 0, 0, 0};
    fz_payload *p = open_ok(buf, size);
    fz_payload *fetched = NULL;

    borrow_every_entry(p);
    fz_payload_free(p);
    cr_assert_eq(fz_payload_open_fetch(&fetched, size, fetch_from, &src, PY311,
                                       MAGIC311),
                 0, "%s", fz_error_message());
    borrow_every_entry(fetched);
    fz_payload_free(fetched);
    free(buf);
}

Test(payload, a_borrow_while_one_is_out_gets_its_own_buffer)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    fz_payload *p = open_ok(buf, size);
    fz_payload *view = NULL;
    fz_payload_loan outer, inner, other;
    fz_entry a, b;
    size_t a_size, b_size;
    void *want_a = read_plain(p, 3, &a_size);
    void *want_b = read_plain(p, 4, &b_size);

    fz_payload_entry_at(p, 3, &a);
    fz_payload_entry_at(p, 4, &b);
    cr_assert_eq(fz_payload_borrow(p, &a, &outer), 0);
    cr_assert_null(outer.owned);
    /* As an import run by a finalizer during the unmarshal would. */
    cr_assert_eq(fz_payload_borrow(p, &b, &inner), 0);
    cr_assert_not_null(inner.owned);
    cr_assert_neq(inner.data, outer.data);
    cr_assert_eq(memcmp(inner.data, want_b, b_size), 0);
    /* A view for another thread lends its own buffer. */
    cr_assert_eq(fz_payload_share(&view, p), 0);
    cr_assert_eq(fz_payload_borrow(view, &b, &other), 0);
    cr_assert_null(other.owned);
    cr_assert_neq(other.data, outer.data);
    cr_assert_eq(memcmp(other.data, want_b, b_size), 0);
    fz_payload_return(view, &other);
    fz_payload_free(view);
    fz_payload_return(p, &inner);
    /* The outer loan was not touched by either. */
    cr_assert_eq(outer.size, a_size);
    cr_assert_eq(memcmp(outer.data, want_a, a_size), 0);
    fz_payload_return(p, &outer);
    /* Returned: the buffer is lent again. */
    cr_assert_eq(fz_payload_borrow(p, &b, &inner), 0);
    cr_assert_null(inner.owned);
    fz_payload_return(p, &inner);
    fz_payload_free(p);
    free(want_a);
    free(want_b);
    free(buf);
}

Test(payload, a_failed_borrow_lends_nothing)
{
    size_t size;
    uint8_t *buf = build_many(200, 0, 1, &size);
    fz_payload *p;
    fz_payload_loan loan;
    fz_entry e, good;
    int rc;

    first_with(buf, size, FZ_COMPRESSION_LZ4_DICT, &e);
    memset(buf + e.offset, 0xff, (size_t)e.stored_size);
    rehash_entry(buf, &e); /* fails in the decoder, with the buffer lent */
    p = open_ok(buf, size);
    fz_payload_entry_at(p, e.index, &e);
    rc = fz_payload_borrow(p, &e, &loan);
    cr_assert_eq(rc, FZ_EFORMAT, "%d: %s", rc, fz_error_message());
    cr_assert_null(loan.data);
    cr_assert_null(loan.owned);
    fz_payload_return(p, &loan); /* an empty loan is fine */
    /* The buffer is free for the next entry. */
    fz_payload_entry_at(p, e.index == 0 ? 1 : 0, &good);
    cr_assert_eq(fz_payload_borrow(p, &good, &loan), 0, "%s",
                 fz_error_message());
    cr_assert_null(loan.owned);
    fz_payload_return(p, &loan);
    fz_payload_free(p);
    free(buf);
}

Test(payload, borrowing_grows_the_buffer_up_to_its_limit)
{
    /* 100 kB (more than the first buffer), 900 kB (within the limit),
     * 1.5 MB (over it: a buffer of its own). */
    static const size_t sizes[] = {100000, 900000, 1500000};
    fz_payload_writer *w = new_writer(0, 1);
    uint8_t *contents[3];
    size_t size;
    uint8_t *buf;
    fz_payload *p;

    for (int i = 0; i < 3; i++) {
        char name[32];

        contents[i] = malloc(sizes[i]);
        cr_assert_not_null(contents[i]);
        for (size_t k = 0; k < sizes[i]; k++) {
            contents[i][k] =
                (uint8_t)("def f(x): return x * 2\n"[k % 23] + (k / 977) % 3);
        }
        snprintf(name, sizeof(name), "big%d.pyc", i);
        add(w, name, FZ_ENTRY_MODULE, contents[i], sizes[i]);
    }
    buf = finish(w, &size);
    p = open_ok(buf, size);
    for (int i = 0; i < 3; i++) {
        fz_payload_loan loan;
        fz_entry e;
        char name[32];

        snprintf(name, sizeof(name), "big%d.pyc", i);
        cr_assert_eq(fz_payload_find(p, name, strlen(name), &e), 0);
        cr_assert_eq(fz_payload_borrow(p, &e, &loan), 0, "%s",
                     fz_error_message());
        cr_assert_eq(loan.size, sizes[i]);
        cr_assert_eq(memcmp(loan.data, contents[i], sizes[i]), 0, "%s", name);
        if (sizes[i] > FZ_PAYLOAD_LEND_MAX) {
            cr_assert_not_null(loan.owned, "%s was lent", name);
        } else {
            cr_assert_null(loan.owned, "%s was not lent", name);
        }
        fz_payload_return(p, &loan);
        free(contents[i]);
    }
    fz_payload_free(p);
    free(buf);
}

/* --------------------------------------------------- x86 branch filter */

/* xorshift: deterministic bytes with many 0xE8/0x48 and 0x00/0xFF. */
static void
fill_code_like(uint8_t *buf, size_t size, uint64_t seed)
{
    static const uint8_t pick[] = {0xe8, 0xe9, 0x48, 0x4c, 0x8b, 0x8d,
                                   0x89, 0x05, 0x15, 0x00, 0xff, 0x0f};
    uint64_t x = seed | 1;

    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (x & 3) ? pick[(x >> 8) % sizeof(pick)] : (uint8_t)(x >> 16);
    }
}

Test(branch, decoding_undoes_encoding_for_any_bytes)
{
    uint8_t buf[512], orig[512];

    for (size_t size = 0; size <= sizeof(buf); size += (size < 16 ? 1 : 37)) {
        for (uint64_t seed = 1; seed < 40; seed++) {
            fill_code_like(orig, size, seed * 7919 + size);
            memcpy(buf, orig, size);
            fz_branch_filter(buf, size, 1);
            fz_branch_filter(buf, size, 0);
            cr_assert_eq(memcmp(buf, orig, size), 0, "size %zu seed %" PRIu64,
                         size, seed);
        }
    }
}

/* fz_branch.h's specification, one offset at a time: the filter (16
 * offsets at a time where it can) must give the same bytes. */
static void
reference_filter(uint8_t *b, size_t size, int encode)
{
    size_t i = 0;

    while (size >= 5 && i <= size - 5) {
        size_t at = 0;
        if (b[i] == 0xe8 || b[i] == 0xe9) {
            at = 1;
        } else if ((b[i] == 0x48 || b[i] == 0x4c) && i + 7 <= size &&
                   (b[i + 1] == 0x8b || b[i + 1] == 0x8d || b[i + 1] == 0x89) &&
                   (b[i + 2] & 0xc7) == 0x05) {
            at = 3;
        }
        if (at == 0) {
            i++;
            continue;
        }
        if (b[i + at + 3] == 0x00 || b[i + at + 3] == 0xff) {
            uint32_t end = (uint32_t)(i + at + 4);
            uint32_t v = fz_get_u32(b + i + at);
            uint32_t w = (encode ? v + end : v - end) & 0x01ffffffu;
            fz_put_u32(b + i + at, w & 0x01000000u ? w | 0xfe000000u : w);
        }
        i += at + 4;
    }
}

Test(branch, the_filter_follows_its_specification)
{
    uint8_t want[700], got[700];
    FILE *f = fopen("/proc/self/exe", "rb");
    uint8_t *self = malloc((size_t)64 << 20);
    uint8_t *copy = malloc((size_t)64 << 20);
    size_t n;

    for (size_t size = 0; size <= sizeof(want); size += (size < 40 ? 1 : 61)) {
        for (uint64_t seed = 1; seed < 20; seed++) {
            for (int encode = 0; encode < 2; encode++) {
                fill_code_like(want, size, seed * 104729 + size);
                memcpy(got, want, size);
                reference_filter(want, size, encode);
                fz_branch_filter(got, size, encode);
                cr_assert_eq(memcmp(got, want, size), 0,
                             "size %zu seed %" PRIu64 " encode %d", size, seed,
                             encode);
            }
        }
    }
    cr_assert_not_null(f);
    cr_assert(self != NULL && copy != NULL);
    n = fread(self, 1, (size_t)64 << 20, f);
    fclose(f);
    memcpy(copy, self, n);
    reference_filter(self, n, 1);
    fz_branch_filter(copy, n, 1);
    cr_assert_eq(memcmp(copy, self, n), 0);
    free(self);
    free(copy);
}

Test(branch, calls_and_rip_loads_of_one_target_become_equal)
{
    /* call f at 0 and at 16 (f = 100); lea rax,[rip+g] at 32 and at 48
     * (g = 200); the displacements differ, the filtered bytes do not. */
    uint8_t code[64] = {0};
    uint8_t a[4], b[4];

    code[0] = 0xe8;
    fz_put_u32(code + 1, 100 - 5);
    code[16] = 0xe8;
    fz_put_u32(code + 17, (uint32_t)(100 - 21));
    memcpy(code + 32, "\x48\x8d\x05", 3);
    fz_put_u32(code + 35, 200 - 39);
    memcpy(code + 48, "\x48\x8d\x05", 3);
    fz_put_u32(code + 51, 200 - 55);
    fz_branch_filter(code, sizeof(code), 1);
    memcpy(a, code + 1, 4);
    memcpy(b, code + 17, 4);
    cr_assert_eq(memcmp(a, b, 4), 0);
    cr_assert_eq(fz_get_u32(a), 100);
    cr_assert_eq(fz_get_u32(code + 35), 200);
    cr_assert_eq(fz_get_u32(code + 51), 200);
    /* A displacement beyond 16 MiB is left alone. */
    memset(code, 0, sizeof(code));
    code[0] = 0xe8;
    fz_put_u32(code + 1, 0x12345678);
    fz_branch_filter(code, sizeof(code), 1);
    cr_assert_eq(fz_get_u32(code + 1), 0x12345678);
}

Test(branch, only_x86_64_elf_is_filtered)
{
    uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};

    elf[18] = 62;
    cr_assert(fz_branch_is_x86_elf(elf, sizeof(elf)));
    cr_assert(!fz_branch_is_x86_elf(elf, 19));
    elf[18] = 183; /* aarch64 */
    cr_assert(!fz_branch_is_x86_elf(elf, sizeof(elf)));
    elf[18] = 62;
    elf[4] = 1; /* 32-bit */
    cr_assert(!fz_branch_is_x86_elf(elf, sizeof(elf)));
}

/* An x86-64 ELF file of `size` bytes: a header, then code-like bytes. */
static uint8_t *
fake_elf(size_t size, uint64_t seed)
{
    uint8_t *b = malloc(size);

    cr_assert_not_null(b);
    fill_code_like(b, size, seed);
    memcpy(b,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    b[18] = 62;
    b[19] = 0;
    return b;
}

Test(payload, x86_libraries_are_filtered_and_read_back)
{
    fz_payload_writer *w = new_writer(3, 0);
    uint8_t *lib = fake_elf(20000, 3);
    uint8_t *ext = fake_elf(9000, 4);
    uint8_t *data = fake_elf(9000, 5);
    size_t size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry e;

    add(w, "libx.so.1", FZ_ENTRY_NATIVE_LIB, lib, 20000);
    add(w, "m.cpython-311-x86_64-linux-gnu.so", FZ_ENTRY_EXTENSION, ext, 9000);
    /* ELF bytes as data are data: not filtered. */
    add(w, "d.bin", FZ_ENTRY_DATA, data, 9000);
    buf = finish(w, &size);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "libx.so.1", 9, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD_X86);
    cr_assert_eq(fz_payload_find(p, "d.bin", 5, &e), 0);
    cr_assert_eq(e.compression, FZ_COMPRESSION_ZSTD);
    fz_payload_free(p);
    check_codecs(buf, size);
    check_data_bit_flips(buf, size);
    {
        void *got;
        size_t got_size;

        p = open_ok(buf, size);
        cr_assert_eq(fz_payload_find(p, "libx.so.1", 9, &e), 0);
        cr_assert_eq(fz_payload_check(p, &e), FZ_OK);
        cr_assert_eq(fz_payload_read_alloc(p, &e, &got, &got_size), 0);
        cr_assert_eq(got_size, 20000);
        cr_assert_eq(memcmp(got, lib, 20000), 0);
        free(got);
        fz_payload_free(p);
    }
    free(buf);
    free(lib);
    free(ext);
    free(data);
}

Test(payload, the_filter_makes_real_x86_code_smaller)
{
    /* This test's own executable, as a library and as plain data. */
    FILE *f = fopen("/proc/self/exe", "rb");
    uint8_t *self = malloc((size_t)64 << 20);
    size_t n;
    fz_payload_writer *w = new_writer(3, 0);
    size_t size;
    uint8_t *buf;
    fz_payload *p;
    fz_entry lib, data;

    cr_assert_not_null(f);
    cr_assert_not_null(self);
    n = fread(self, 1, (size_t)64 << 20, f);
    fclose(f);
    cr_assert(fz_branch_is_x86_elf(self, n));
    add(w, "self.so", FZ_ENTRY_NATIVE_LIB, self, n);
    add(w, "self.bin", FZ_ENTRY_DATA, self, n);
    buf = finish(w, &size);
    p = open_ok(buf, size);
    cr_assert_eq(fz_payload_find(p, "self.so", 7, &lib), 0);
    cr_assert_eq(fz_payload_find(p, "self.bin", 8, &data), 0);
    cr_assert_eq(lib.compression, FZ_COMPRESSION_ZSTD_X86);
    cr_assert_lt(lib.stored_size, data.stored_size,
                 "filtered %" PRIu64 " bytes, plain %" PRIu64, lib.stored_size,
                 data.stored_size);
    fz_payload_free(p);
    free(buf);
    free(self);
}
