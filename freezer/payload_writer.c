/*
 * payload_writer.c - builds a payload (fz_payload.h) from collected files.
 * Used by the freezer; the same set of entries always gives the same bytes.
 */
#include "fz_payload.h"
#include "fz_branch.h"
#include "fz_bytes.h"

#include "fz_error.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lz4.h>
#include <lz4hc.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <xxhash.h>

#define DEFAULT_LEVEL 19
/* Code entries: LZ4 at its best ratio (it decodes as fast at any level). */
#define LZ4_LEVEL LZ4HC_CLEVEL_MAX
#define DEFAULT_DICT_MAX FZ_PAYLOAD_LZ4_DICT_MAX
/* Smallest dictionary worth training. */
#define DICT_MIN 1024
/* Dictionary training looks at the start of each sample and at most this
 * much in all: more costs time and gains little (zstd suggests ~100x the
 * dictionary size). */
#define SAMPLE_MAX (128 * 1024)
#define SAMPLES_TOTAL_MAX ((size_t)32 * 1024 * 1024)
/* Most compression threads used when the caller leaves it to us. */
#define THREADS_MAX 8
/* Longest part of a name quoted in an error message. */
#define QUOTE_MAX 200
/* The dictionary learns from the code entries that are not the app's own
 * when they are at least this large, so editing the program keeps the
 * dictionary (and every cached entry compressed with it) unchanged. */
#define STABLE_SAMPLES_MIN ((size_t)256 * 1024)
/* Bumped when what a cached entry or dictionary means changes. */
#define CACHE_FORMAT 2u
/* fz_payload_cache keys: XXH3-128 in canonical (big-endian) form. */
#define CACHE_KEY_SIZE 16

typedef struct wentry {
    char *name;
    size_t name_size;
    fz_entry_kind kind;
    uint16_t flags;
    uint32_t mode;
    uint8_t *data;
    size_t size;
    /* Filled by finish: the stored form; `out` is NULL when stored raw. */
    fz_compression compression;
    uint8_t *out;
    uint64_t offset; /* relative to the data region */
    uint64_t stored_size;
} wentry;

struct fz_payload_writer {
    fz_payload_writer_options opts;
    wentry *entries;
    size_t count;
    size_t cap;
    char *main_name;
};

/* A growable byte buffer. */
typedef struct bytes {
    uint8_t *data;
    size_t size;
    size_t cap;
} bytes;

static int
bytes_reserve(bytes *b, size_t extra)
{
    size_t want;
    size_t cap;
    uint8_t *data;

    if (extra > SIZE_MAX - b->size) {
        return fz_error_set(FZ_ENOMEM, "payload too large");
    }
    want = b->size + extra;
    if (want <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 4096;
    while (cap < want) {
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    }
    data = realloc(b->data, cap);
    if (data == NULL) {
        return fz_error_set(FZ_ENOMEM, "payload: out of memory (%zu bytes)",
                            cap);
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

/* strlen, stopping one past the longest valid name. */
static size_t
name_len(const char *name)
{
    size_t n = 0;

    while (n <= FZ_PAYLOAD_NAME_MAX && name[n] != '\0') {
        n++;
    }
    return n;
}

static int
quote_len(size_t size)
{
    return (int)(size < QUOTE_MAX ? size : QUOTE_MAX);
}

int
fz_payload_writer_new(fz_payload_writer **out,
                      const fz_payload_writer_options *opts)
{
    fz_payload_writer *w;

    assert(out != NULL && opts != NULL);
    *out = NULL;
    if (opts->level != 0 &&
        (opts->level < ZSTD_minCLevel() || opts->level > ZSTD_maxCLevel())) {
        return fz_error_set(FZ_EINVAL, "zstd level %d is out of range (%d..%d)",
                            opts->level, ZSTD_minCLevel(), ZSTD_maxCLevel());
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return fz_error_set(FZ_ENOMEM, "payload writer: out of memory");
    }
    w->opts = *opts;
    if (w->opts.level == 0) {
        w->opts.level = DEFAULT_LEVEL;
    }
    if (w->opts.dict_max == 0) {
        w->opts.dict_max = DEFAULT_DICT_MAX;
    }
    *out = w;
    return 0;
}

void
fz_payload_writer_free(fz_payload_writer *w)
{
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < w->count; i++) {
        free(w->entries[i].name);
        free(w->entries[i].data);
        free(w->entries[i].out);
    }
    free(w->entries);
    free(w->main_name);
    free(w);
}

int
fz_payload_writer_add(fz_payload_writer *w, const char *name,
                      fz_entry_kind kind, uint16_t flags, uint32_t mode,
                      const void *data, size_t size)
{
    size_t name_size = name ? name_len(name) : 0;
    wentry e = {0};
    int rc;

    if (name == NULL) {
        return fz_error_set(FZ_EINVAL, "payload entry without a name");
    }
    if (!fz_payload_name_valid(name, name_size)) {
        return fz_error_set(FZ_EINVAL, "invalid payload entry name '%.*s'",
                            quote_len(name_size), name);
    }
    if ((int)kind < 1 || (int)kind > FZ_ENTRY_KIND_MAX) {
        return fz_error_set(FZ_EINVAL, "entry '%s': unknown kind %d", name,
                            (int)kind);
    }
    if ((flags & ~FZ_ENTRY_F_KNOWN) != 0) {
        return fz_error_set(FZ_EINVAL, "entry '%s': unknown flags 0x%x", name,
                            (unsigned)flags);
    }
    if ((mode & ~(uint32_t)0777) != 0) {
        return fz_error_set(FZ_EINVAL, "entry '%s': bad mode 0%" PRIo32, name,
                            mode);
    }
    if ((uint64_t)size > FZ_PAYLOAD_RAW_MAX) {
        return fz_error_set(FZ_EINVAL, "entry '%s': %zu bytes is too large",
                            name, size);
    }
    if (size > 0 && data == NULL) {
        return fz_error_set(FZ_EINVAL, "entry '%s': no data", name);
    }
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        wentry *entries;
        if (cap > SIZE_MAX / sizeof(*entries)) {
            return fz_error_set(FZ_ENOMEM, "payload writer: too many entries");
        }
        entries = realloc(w->entries, cap * sizeof(*entries));
        if (entries == NULL) {
            return fz_error_set(FZ_ENOMEM, "payload writer: out of memory");
        }
        w->entries = entries;
        w->cap = cap;
    }
    e.name = malloc(name_size + 1);
    e.data = malloc(size ? size : 1);
    if (e.name == NULL || e.data == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "entry '%s': out of memory", name);
        goto done;
    }
    memcpy(e.name, name, name_size + 1);
    if (size > 0) {
        memcpy(e.data, data, size);
    }
    e.name_size = name_size;
    e.kind = kind;
    e.flags = flags;
    e.mode = mode;
    e.size = size;
    w->entries[w->count++] = e;
    e.name = NULL;
    e.data = NULL;
    rc = 0;
done:
    free(e.name);
    free(e.data);
    return rc;
}

int
fz_payload_writer_set_main(fz_payload_writer *w, const char *name)
{
    size_t name_size = name ? name_len(name) : 0;
    const wentry *found = NULL;
    char *copy;

    if (name == NULL) {
        return fz_error_set(FZ_EINVAL, "main entry without a name");
    }
    /* Called once per payload: a linear scan costs less than sorting. */
    for (size_t i = 0; i < w->count; i++) {
        if (w->entries[i].name_size == name_size &&
            memcmp(w->entries[i].name, name, name_size) == 0) {
            found = &w->entries[i];
            break;
        }
    }
    if (found == NULL) {
        return fz_error_set(FZ_EINVAL, "main entry '%.*s' was not added",
                            quote_len(name_size), name);
    }
    if (found->kind != FZ_ENTRY_MODULE) {
        return fz_error_set(FZ_EINVAL, "main entry '%s' is a %s, not a module",
                            found->name, fz_entry_kind_name(found->kind));
    }
    copy = malloc(name_size + 1);
    if (copy == NULL) {
        return fz_error_set(FZ_ENOMEM, "payload writer: out of memory");
    }
    memcpy(copy, name, name_size + 1);
    free(w->main_name);
    w->main_name = copy;
    return 0;
}

static int
name_cmp(const char *a, size_t a_size, const char *b, size_t b_size)
{
    int c = memcmp(a, b, a_size < b_size ? a_size : b_size);

    if (c != 0) {
        return c;
    }
    return (a_size > b_size) - (a_size < b_size);
}

static int
entry_cmp(const void *a, const void *b)
{
    const wentry *x = a;
    const wentry *y = b;

    return name_cmp(x->name, x->name_size, y->name, y->name_size);
}

static int
is_code(const wentry *e)
{
    return e->kind == FZ_ENTRY_MODULE || e->kind == FZ_ENTRY_PACKAGE;
}

/* Start a cache key: the domain, the format, the version of the library
 * that makes the result, the level. */
static void
key_begin(XXH3_state_t *st, const char *domain, unsigned version, int level)
{
    uint8_t head[12];

    fz_put_u32(head, CACHE_FORMAT);
    fz_put_u32(head + 4, (uint32_t)version);
    fz_put_u32(head + 8, (uint32_t)level);
    XXH3_128bits_reset(st);
    XXH3_128bits_update(st, domain, strlen(domain) + 1);
    XXH3_128bits_update(st, head, sizeof(head));
}

static void
key_end(XXH3_state_t *st, uint8_t *key)
{
    XXH128_canonical_t c;

    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
    memcpy(key, c.digest, CACHE_KEY_SIZE);
}

/* Does the dictionary learn from e (see STABLE_SAMPLES_MIN)? */
static int
is_sample(const wentry *e, int stable_only)
{
    return is_code(e) && e->size > 0 &&
           (!stable_only || (e->flags & FZ_ENTRY_F_APP) == 0);
}

/*
 * Train a dictionary on the code entries into *dict (sorted order, so the
 * result is deterministic). Too few or too small samples is not an error:
 * *dict is left empty and the entries are compressed on their own.
 */
static int
train_dictionary(const fz_payload_writer *w, bytes *dict)
{
    bytes samples = {0};
    size_t *sizes = NULL;
    size_t n = 0;
    size_t capacity;
    size_t stable = 0;
    size_t r;
    const fz_payload_cache *cache = w->opts.cache;
    XXH3_state_t *st = NULL;
    uint8_t key[CACHE_KEY_SIZE];
    void *hit = NULL;
    size_t hit_size = 0;
    int rc;

    sizes = malloc((w->count ? w->count : 1) * sizeof(*sizes));
    if (sizes == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "dictionary: out of memory");
        goto done;
    }
    for (size_t i = 0; i < w->count; i++) {
        if (is_sample(&w->entries[i], 1)) {
            stable += w->entries[i].size;
        }
    }
    for (size_t i = 0; i < w->count; i++) {
        const wentry *e = &w->entries[i];
        size_t take = e->size < SAMPLE_MAX ? e->size : SAMPLE_MAX;
        if (!is_sample(e, stable >= STABLE_SAMPLES_MIN)) {
            continue;
        }
        if (samples.size + take > SAMPLES_TOTAL_MAX) {
            break;
        }
        rc = bytes_reserve(&samples, take);
        if (rc < 0) {
            goto done;
        }
        memcpy(samples.data + samples.size, e->data, take);
        samples.size += take;
        sizes[n++] = take;
    }
    rc = 0;
    if (n == 0 || n > UINT32_MAX) {
        goto done;
    }
    /* zstd's advice: a dictionary about 1/100 of what it learns from;
     * larger ones cost more bytes than they save on small apps. */
    capacity = samples.size / 100;
    if (capacity < DICT_MIN) {
        capacity = DICT_MIN;
    }
    if (capacity > w->opts.dict_max) {
        capacity = w->opts.dict_max;
    }
    rc = bytes_reserve(dict, capacity);
    if (rc < 0) {
        goto done;
    }
    if (cache != NULL) {
        /* Training costs seconds on a large app: keep the result by the
         * samples it learnt from. */
        st = XXH3_createState();
        if (st == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "dictionary: out of memory");
            goto done;
        }
        key_begin(st, "dict", ZSTD_versionNumber(), (int)capacity);
        for (size_t i = 0; i < n; i++) {
            uint8_t b[8];

            fz_put_u64(b, sizes[i]);
            XXH3_128bits_update(st, b, sizeof(b));
        }
        XXH3_128bits_update(st, samples.data, samples.size);
        key_end(st, key);
        /* A cached dictionary is a training result of this capacity. */
        if (cache->get(cache->ctx, key, &hit, &hit_size) == 1 &&
            hit_size <= capacity) {
            memcpy(dict->data, hit, hit_size);
            dict->size = hit_size;
            goto done;
        }
    }
    r = ZDICT_trainFromBuffer(dict->data, capacity, samples.data, sizes,
                              (unsigned)n);
    if (!ZDICT_isError(r)) {
        /* Keep the content, at most the last 64 KiB that LZ4 reads:
         * zstd's header (its entropy tables) is of no use to LZ4, and zstd
         * reads headerless content too. */
        size_t header = ZDICT_getDictHeaderSize(dict->data, r);

        if (ZDICT_isError(header) || header > r) {
            r = header;
        } else {
            if (r - header > FZ_PAYLOAD_LZ4_DICT_MAX) {
                header = r - FZ_PAYLOAD_LZ4_DICT_MAX;
            }
            memmove(dict->data, dict->data + header, r - header);
            r -= header;
        }
    }
    if (ZDICT_isError(r)) {
        if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation) {
            rc = fz_error_set(FZ_ENOMEM, "dictionary training: %s",
                              ZDICT_getErrorName(r));
        }
        /* Otherwise: not enough to learn from, go without. */
        r = 0;
    }
    dict->size = r;
    if (cache != NULL) {
        cache->put(cache->ctx, key, dict->data, dict->size);
    }
done:
    free(hit);
    XXH3_freeState(st);
    free(samples.data);
    free(sizes);
    return rc;
}

/* zstd's error as ours. */
static int
zstd_error(size_t r, const char *what, const wentry *e)
{
    int status = ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
                     ? FZ_ENOMEM
                     : FZ_EFAIL;

    return fz_error_set(status, "entry '%.*s': zstd %s: %s",
                        quote_len(e->name_size), e->name, what,
                        ZSTD_getErrorName(r));
}

/* What one compression thread shares with the others. */
typedef struct job {
    fz_payload_writer *w;
    const uint8_t *dict; /* the dictionary's content, or NULL */
    size_t dict_size;
    const uint8_t *dict_key; /* XXH3-128 of the dictionary, or NULL */
    const size_t *order;     /* entry indexes, largest first */
    atomic_size_t *next;     /* the next position in `order` to take */
    atomic_int *failed;      /* set by the first thread that fails */
    /* The first failure of this thread, reported by finish. */
    int status;
    size_t zstd_code;
    size_t failed_entry;
} job;

/* One thread's compressors: zstd for most entries, LZ4 for code. */
typedef struct coders {
    ZSTD_CCtx *zstd;
    LZ4_streamHC_t *lz4;
} coders;

static size_t
coders_init(coders *c, int level)
{
    size_t r;

    c->lz4 = LZ4_createStreamHC();
    c->zstd = ZSTD_createCCtx();
    if (c->zstd == NULL || c->lz4 == NULL) {
        return (size_t)-ZSTD_error_memory_allocation;
    }
    r = ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_checksumFlag, 0);
    }
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_contentSizeFlag, 1);
    }
    return r;
}

static void
coders_free(coders *c)
{
    ZSTD_freeCCtx(c->zstd);
    LZ4_freeStreamHC(c->lz4);
}

/* Is e compressed with LZ4 (see fz_payload.h, "Compression")? */
static int
uses_lz4(const wentry *e)
{
    return is_code(e) && e->size <= FZ_PAYLOAD_LZ4_MAX;
}

/* Is e machine code the branch filter makes smaller? */
static int
uses_x86(const wentry *e)
{
    return (e->kind == FZ_ENTRY_EXTENSION || e->kind == FZ_ENTRY_NATIVE_LIB) &&
           fz_branch_is_x86_elf(e->data, e->size);
}

/* The compression e gets when it comes out smaller. */
static fz_compression
compression_for(const wentry *e, int dict)
{
    if (!uses_lz4(e)) {
        return uses_x86(e) ? FZ_COMPRESSION_ZSTD_X86 : FZ_COMPRESSION_ZSTD;
    }
    return dict ? FZ_COMPRESSION_LZ4_DICT : FZ_COMPRESSION_LZ4;
}

/* e->data, through the branch filter when e is x86 code, as one zstd
 * frame into `out` (ZSTD_compressBound bytes). */
static size_t
zstd_frame(ZSTD_CCtx *cctx, const wentry *e, uint8_t *out, size_t cap)
{
    uint8_t *filtered;
    size_t n;

    if (!uses_x86(e)) {
        return ZSTD_compress2(cctx, out, cap, e->data, e->size);
    }
    filtered = malloc(e->size);
    if (filtered == NULL) {
        return (size_t)-ZSTD_error_memory_allocation;
    }
    memcpy(filtered, e->data, e->size);
    fz_branch_filter(filtered, e->size, 1);
    n = ZSTD_compress2(cctx, out, cap, filtered, e->size);
    free(filtered);
    return n;
}

/* e->data as one LZ4 block into `out` (LZ4_compressBound bytes), with the
 * dictionary when there is one: its size, or 0 when LZ4 failed. Each call
 * starts from a fully initialised state, so the block depends only on the
 * entry and the dictionary. */
static int
lz4_block(const job *j, LZ4_streamHC_t *s, const wentry *e, uint8_t *out,
          int cap)
{
    LZ4_initStreamHC(s, sizeof(*s));
    LZ4_resetStreamHC_fast(s, LZ4_LEVEL);
    if (j->dict != NULL) {
        LZ4_loadDictHC(s, (const char *)j->dict, (int)j->dict_size);
    }
    return LZ4_compress_HC_continue(s, (const char *)e->data, (char *)out,
                                    (int)e->size, cap);
}

/*
 * Compress entry e once: code entries with LZ4 (and the dictionary when
 * there is one), the others with zstd (x86 code through the branch
 * filter). Kept raw when that does not make it smaller. The result depends
 * only on the entry, the level and the dictionary, so the payload is the
 * same whatever thread did the work.
 */
static size_t
compress_entry(const job *j, coders *c, wentry *e)
{
    size_t bound;
    size_t n;

    free(e->out);
    e->out = NULL;
    e->compression = FZ_COMPRESSION_RAW;
    e->stored_size = e->size;
    if (e->size == 0) {
        return 0;
    }
    bound = uses_lz4(e) ? (size_t)LZ4_compressBound((int)e->size)
                        : ZSTD_compressBound(e->size);
    if (ZSTD_isError(bound)) {
        return bound;
    }
    e->out = malloc(bound);
    if (e->out == NULL) {
        return (size_t)-ZSTD_error_memory_allocation;
    }
    if (uses_lz4(e)) {
        /* Fails only on sizes uses_lz4 excludes: then stored raw. */
        int r = lz4_block(j, c->lz4, e, e->out, (int)bound);
        n = r > 0 ? (size_t)r : e->size;
    } else {
        n = zstd_frame(c->zstd, e, e->out, bound);
        if (ZSTD_isError(n)) {
            return n;
        }
    }
    if (n < e->size) {
        e->compression = compression_for(e, j->dict != NULL);
        e->stored_size = n;
    } else {
        free(e->out);
        e->out = NULL;
    }
    return 0;
}

/* Is `rec` (`size` bytes) the LZ4 block of e's data? Decoded to be sure:
 * a block has no header to check, and decoding costs little. */
static int
lz4_matches(const job *j, const wentry *e, const uint8_t *rec, size_t size)
{
    uint8_t *raw = malloc(e->size);
    int n;
    int same;

    if (raw == NULL) {
        return 0;
    }
    n = j->dict == NULL
            ? LZ4_decompress_safe((const char *)rec, (char *)raw, (int)size,
                                  (int)e->size)
            : LZ4_decompress_safe_usingDict(
                  (const char *)rec, (char *)raw, (int)size, (int)e->size,
                  (const char *)j->dict, (int)j->dict_size);
    same = n >= 0 && (size_t)n == e->size && memcmp(raw, e->data, e->size) == 0;
    free(raw);
    return same;
}

/*
 * Take e's stored form from a cached record: one byte of compression, then
 * the stored bytes (none when raw). Checked: the compression must be the
 * one this entry would get and the stored form smaller; a zstd frame must
 * declare e's size, an LZ4 block must decode to e's data. Returns 1 when
 * used, else 0.
 */
static int
from_cache(const job *j, wentry *e, const uint8_t *rec, size_t size)
{
    unsigned long long content;

    if (size < 1) {
        return 0;
    }
    if (rec[0] == FZ_COMPRESSION_RAW) {
        if (size != 1) {
            return 0;
        }
        free(e->out);
        e->out = NULL;
        e->compression = FZ_COMPRESSION_RAW;
        e->stored_size = e->size;
        return 1;
    }
    if (rec[0] != compression_for(e, j->dict != NULL) || size - 1 >= e->size) {
        return 0;
    }
    if (uses_lz4(e)) {
        if (!lz4_matches(j, e, rec + 1, size - 1)) {
            return 0;
        }
    } else {
        content = ZSTD_getFrameContentSize(rec + 1, size - 1);
        if (content != (unsigned long long)e->size) {
            return 0;
        }
    }
    free(e->out);
    e->out = malloc(size - 1);
    if (e->out == NULL) {
        return 0;
    }
    memcpy(e->out, rec + 1, size - 1);
    e->compression = (fz_compression)rec[0];
    e->stored_size = size - 1;
    return 1;
}

/* compress_entry through the cache (when there is one). */
static size_t
compress_cached(const job *j, coders *c, wentry *e)
{
    const fz_payload_cache *cache = j->w->opts.cache;
    int dict = j->dict != NULL && uses_lz4(e);
    uint8_t key[CACHE_KEY_SIZE];
    uint8_t zero[CACHE_KEY_SIZE] = {0};
    XXH3_state_t *st;
    void *hit = NULL;
    size_t hit_size = 0;
    uint8_t *rec;
    size_t r;

    if (cache == NULL || e->size == 0) {
        return compress_entry(j, c, e);
    }
    st = XXH3_createState();
    if (st == NULL) {
        return compress_entry(j, c, e);
    }
    if (uses_lz4(e)) {
        key_begin(st, "lz4", LZ4_versionNumber(), LZ4_LEVEL);
    } else {
        key_begin(st, uses_x86(e) ? "zstd-x86" : "zstd", ZSTD_versionNumber(),
                  j->w->opts.level);
    }
    XXH3_128bits_update(st, dict ? j->dict_key : zero, sizeof(zero));
    XXH3_128bits_update(st, e->data, e->size);
    key_end(st, key);
    XXH3_freeState(st);
    if (cache->get(cache->ctx, key, &hit, &hit_size) == 1) {
        int used = from_cache(j, e, hit, hit_size);

        free(hit);
        if (used) {
            return 0;
        }
    }
    r = compress_entry(j, c, e);
    if (ZSTD_isError(r)) {
        return r;
    }
    rec = malloc(1 + (e->out != NULL ? (size_t)e->stored_size : 0));
    if (rec != NULL) {
        rec[0] = (uint8_t)e->compression;
        if (e->out != NULL) {
            memcpy(rec + 1, e->out, (size_t)e->stored_size);
        }
        cache->put(cache->ctx, key, rec,
                   1 + (e->out != NULL ? (size_t)e->stored_size : 0));
        free(rec);
    }
    return 0;
}

/* A compression thread: takes entries until none is left or one fails. */
static void *
compress_worker(void *arg)
{
    job *j = arg;
    coders c = {0};
    size_t r;

    r = coders_init(&c, j->w->opts.level);
    while (!ZSTD_isError(r) && !atomic_load(j->failed)) {
        size_t k = atomic_fetch_add(j->next, 1);
        size_t i;

        if (k >= j->w->count) {
            break;
        }
        i = j->order[k];
        r = compress_cached(j, &c, &j->w->entries[i]);
        if (ZSTD_isError(r)) {
            j->failed_entry = i;
        }
        if (j->w->opts.progress != NULL) {
            j->w->opts.progress(j->w->opts.progress_ctx, k + 1, j->w->count);
        }
    }
    if (ZSTD_isError(r)) {
        j->status = -1;
        j->zstd_code = r;
        atomic_store(j->failed, 1);
    }
    coders_free(&c);
    return NULL;
}

/* The entries that larger_first compares (qsort has no context). */
static const wentry *sort_entries;

static int
larger_first(const void *a, const void *b)
{
    size_t x = sort_entries[*(const size_t *)a].size;
    size_t y = sort_entries[*(const size_t *)b].size;

    if (x != y) {
        return x < y ? 1 : -1;
    }
    return (*(const size_t *)a > *(const size_t *)b) -
           (*(const size_t *)a < *(const size_t *)b);
}

static size_t
thread_count(const fz_payload_writer *w)
{
    size_t n = w->opts.threads;

    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        n = cpus > 0 ? (size_t)cpus : 1;
        n = n < THREADS_MAX ? n : THREADS_MAX;
    }
    /* A thread per entry at most: more would only wait. */
    if (n > w->count) {
        n = w->count;
    }
    return n ? n : 1;
}

/*
 * Compress every entry on thread_count() threads (the calling one among
 * them). Errors carry the entry's name, set on the calling thread.
 */
static int
compress_all(fz_payload_writer *w, const bytes *dict, const uint8_t *dict_key)
{
    size_t n = thread_count(w);
    atomic_size_t next;
    atomic_int failed;
    pthread_t *threads = NULL;
    size_t *order = NULL;
    job *jobs = NULL;
    size_t started = 0;
    int rc = 0;

    atomic_init(&next, 0);
    atomic_init(&failed, 0);
    threads = calloc(n, sizeof(*threads));
    jobs = calloc(n, sizeof(*jobs));
    order = calloc(w->count ? w->count : 1, sizeof(*order));
    if (threads == NULL || jobs == NULL || order == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "payload: out of memory");
        goto done;
    }
    /* Largest first, so one big library does not finish last alone. The
     * order changes who does what, never the bytes. */
    for (size_t i = 0; i < w->count; i++) {
        order[i] = i;
    }
    sort_entries = w->entries;
    qsort(order, w->count, sizeof(*order), larger_first);
    sort_entries = NULL;
    for (size_t t = 0; t < n; t++) {
        jobs[t].w = w;
        if (dict->size > 0) {
            jobs[t].dict = dict->data;
            jobs[t].dict_size = dict->size;
            jobs[t].dict_key = dict_key;
        }
        jobs[t].order = order;
        jobs[t].next = &next;
        jobs[t].failed = &failed;
        jobs[t].failed_entry = SIZE_MAX;
    }
    /* Thread 0 is this one; a thread that cannot start leaves its share
     * to the others. */
    for (size_t t = 1; t < n; t++) {
        if (pthread_create(&threads[t], NULL, compress_worker, &jobs[t]) != 0) {
            break;
        }
        started = t;
    }
    compress_worker(&jobs[0]);
    for (size_t t = 1; t <= started; t++) {
        pthread_join(threads[t], NULL);
    }
    for (size_t t = 0; t < n && rc == 0; t++) {
        if (jobs[t].status < 0) {
            if (jobs[t].failed_entry == SIZE_MAX) {
                rc = fz_error_set(ZSTD_getErrorCode(jobs[t].zstd_code) ==
                                          ZSTD_error_memory_allocation
                                      ? FZ_ENOMEM
                                      : FZ_EFAIL,
                                  "zstd: %s",
                                  ZSTD_getErrorName(jobs[t].zstd_code));
            } else {
                rc = zstd_error(jobs[t].zstd_code, "compression",
                                &w->entries[jobs[t].failed_entry]);
            }
        }
    }
done:
    free(threads);
    free(jobs);
    free(order);
    return rc;
}

/*
 * Lay the entries out in index order. The dictionary is dropped when no
 * entry came out smaller with it.
 */
static uint64_t
layout(fz_payload_writer *w, bytes *dict)
{
    uint64_t offset = 0;
    int used = 0;

    for (size_t i = 0; i < w->count; i++) {
        wentry *e = &w->entries[i];

        used |= e->compression == FZ_COMPRESSION_LZ4_DICT;
        e->offset = offset;
        offset += e->stored_size;
    }
    if (!used) {
        dict->size = 0;
    }
    return offset;
}

int
fz_payload_writer_finish(fz_payload_writer *w, void **out, size_t *out_size)
{
    bytes dict = {0};
    uint64_t data_size;
    uint8_t *buf = NULL;
    uint64_t strings_size = 0;
    uint64_t strings_offset, dict_offset, data_offset, total;
    uint32_t main_entry = FZ_PAYLOAD_NO_MAIN;
    uint8_t dict_key[CACHE_KEY_SIZE] = {0};
    int rc;

    assert(out != NULL && out_size != NULL);
    *out = NULL;
    *out_size = 0;
    if (w->count > 0) {
        qsort(w->entries, w->count, sizeof(*w->entries), entry_cmp);
    }
    for (size_t i = 0; i < w->count; i++) {
        const wentry *e = &w->entries[i];
        if (i > 0 && entry_cmp(&w->entries[i - 1], e) == 0) {
            rc = fz_error_set(FZ_EINVAL, "duplicate payload entry '%.*s'",
                              quote_len(e->name_size), e->name);
            goto done;
        }
        if (w->main_name != NULL && strcmp(e->name, w->main_name) == 0) {
            main_entry = (uint32_t)i;
        }
        strings_size += e->name_size;
    }
    if (w->count >= FZ_PAYLOAD_NO_MAIN && w->main_name != NULL) {
        rc = fz_error_set(FZ_EINVAL, "too many entries for a main entry");
        goto done;
    }
    if (strings_size > UINT32_MAX) {
        rc = fz_error_set(FZ_EINVAL, "entry names exceed 4 GiB in all");
        goto done;
    }

    if (w->opts.use_dictionary) {
        rc = train_dictionary(w, &dict);
        if (rc < 0) {
            goto done;
        }
    }
    if (dict.size > 0) {
        XXH128_canonical_t c;

        XXH128_canonicalFromHash(&c, XXH3_128bits(dict.data, dict.size));
        memcpy(dict_key, c.digest, sizeof(dict_key));
    }
    rc = compress_all(w, &dict, dict_key);
    if (rc < 0) {
        goto done;
    }
    /* The stored sizes sum to less than the raw ones, which fit. */
    data_size = layout(w, &dict);

    /* Layout; each sum is checked before it is made. */
    if (w->count >
        (SIZE_MAX - FZ_PAYLOAD_HEADER_SIZE) / FZ_PAYLOAD_ENTRY_SIZE) {
        rc = fz_error_set(FZ_ENOMEM, "payload too large");
        goto done;
    }
    strings_offset =
        FZ_PAYLOAD_HEADER_SIZE + (uint64_t)w->count * FZ_PAYLOAD_ENTRY_SIZE;
    dict_offset = strings_offset + strings_size;
    data_offset = dict_offset + dict.size;
    if (data_offset < dict_offset || data_size > SIZE_MAX - data_offset) {
        rc = fz_error_set(FZ_ENOMEM, "payload too large");
        goto done;
    }
    total = data_offset + data_size;
    buf = calloc(1, (size_t)total);
    if (buf == NULL) {
        rc = fz_error_set(FZ_ENOMEM,
                          "payload: out of memory (%" PRIu64 " bytes)", total);
        goto done;
    }

    memcpy(buf, FZ_PAYLOAD_MAGIC, FZ_PAYLOAD_MAGIC_SIZE);
    fz_put_u32(buf + 8, FZ_PAYLOAD_VERSION);
    fz_put_u32(buf + 12, 0);
    fz_put_u32(buf + 16, w->opts.python_version);
    fz_put_u32(buf + 20, w->opts.bytecode_magic);
    fz_put_u64(buf + 24, w->count);
    fz_put_u64(buf + 32, FZ_PAYLOAD_HEADER_SIZE);
    fz_put_u64(buf + 40, strings_offset);
    fz_put_u64(buf + 48, strings_size);
    fz_put_u64(buf + 56, dict_offset);
    fz_put_u64(buf + 64, dict.size);
    fz_put_u64(buf + 72, data_offset);
    fz_put_u64(buf + 80, data_size);
    fz_put_u64(buf + 88, total);
    fz_put_u32(buf + 96, main_entry);
    fz_put_u32(buf + 100, 0);

    {
        uint64_t name_offset = 0;
        for (size_t i = 0; i < w->count; i++) {
            const wentry *e = &w->entries[i];
            uint8_t *p = buf + FZ_PAYLOAD_HEADER_SIZE +
                         i * (size_t)FZ_PAYLOAD_ENTRY_SIZE;
            fz_put_u32(p, (uint32_t)name_offset);
            fz_put_u32(p + 4, (uint32_t)e->name_size);
            p[8] = (uint8_t)e->kind;
            p[9] = (uint8_t)e->compression;
            fz_put_u16(p + 10, e->flags);
            fz_put_u32(p + 12, e->mode);
            fz_put_u64(p + 16, e->offset);
            fz_put_u64(p + 24, e->stored_size);
            fz_put_u64(p + 32, e->size);
            fz_put_u64(p + 40,
                       fz_payload_entry_hash(e->out != NULL ? e->out : e->data,
                                             (size_t)e->stored_size));
            memcpy(buf + strings_offset + name_offset, e->name, e->name_size);
            name_offset += e->name_size;
        }
    }
    if (dict.size > 0) {
        memcpy(buf + dict_offset, dict.data, dict.size);
    }
    for (size_t i = 0; i < w->count; i++) {
        const wentry *e = &w->entries[i];
        const uint8_t *src = e->out != NULL ? e->out : e->data;
        if (e->stored_size > 0) {
            memcpy(buf + data_offset + e->offset, src, (size_t)e->stored_size);
        }
    }

    fz_put_u64(buf + 104, fz_payload_meta_hash(buf, data_offset));

    *out = buf;
    *out_size = (size_t)total;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    free(dict.data);
    return rc;
}
