/*
 * payload_reader.c - validates and serves a payload (fz_payload.h) in place.
 * Used by the runtime at every start and by the freezer's tests; its input
 * is hostile, so every field is checked at open before anything uses it.
 */
#include "fz_payload.h"
#include "fz_branch.h"
#include "fz_bytes.h"

#include "fz_error.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ZSTD_createDDict_byReference: the dictionary stays in the mapping. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#ifndef FZ_PAYLOAD_ZSTD_ONLY
#include <lz4.h>
#endif

#include <xxhash.h>

/* Longest part of a name quoted in an error message. */
#define QUOTE_MAX 200

struct fz_payload {
    const uint8_t *base;
    size_t size;
    uint32_t python_version;
    uint32_t bytecode_magic;
    uint32_t flags; /* FZ_PAYLOAD_F_* */
    uint64_t entry_count;
    uint64_t strings_offset;
    uint64_t strings_size;
    uint64_t dict_offset;
    uint64_t dict_size;
    uint64_t data_offset;
    uint64_t data_size;
    uint32_t main_entry;
    uint64_t meta_hash;
    int hash_raw; /* format version 1: entry hashes cover the raw bytes */
    /* Created on first use: a program that imports nothing compressed
     * pays nothing for them. */
    ZSTD_DCtx *dctx;
    ZSTD_DDict *ddict;
    /* fz_payload_open_fetch: base is `head` ([0, data_offset), owned) and
     * entry data comes from fetch. NULL in a fz_payload_share view, which
     * borrows its parent's. */
    uint8_t *head;
    fz_payload_fetch_fn fetch;
    void *fetch_ctx;
    /* fz_payload_borrow's buffer, made on first use: the LZ4 dictionary's
     * tail (lz4_dict_tail bytes, all a match can reach), then lend_cap
     * bytes for one entry (lend_out). lent: a loan of it is out. */
    uint8_t *lend;
    size_t lend_cap;
    int lent;
};

/* Python version as "3.11" parts. */
static unsigned
py_major(uint32_t v)
{
    return (unsigned)(v >> 24);
}

static unsigned
py_minor(uint32_t v)
{
    return (unsigned)((v >> 16) & 0xffu);
}

/* The magic number CPython prints (importlib.util.MAGIC_NUMBER's u16). */
static unsigned
magic_number(uint32_t m)
{
    return (unsigned)(m & 0xffffu);
}

/* One index entry as stored; offset relative to the data region. */
typedef struct raw_entry {
    uint32_t name_offset;
    uint32_t name_size;
    uint8_t kind;
    uint8_t compression;
    uint16_t flags;
    uint32_t mode;
    uint64_t offset;
    uint64_t stored_size;
    uint64_t raw_size;
    uint64_t hash;
} raw_entry;

static void
decode_entry(const uint8_t *p, raw_entry *out)
{
    out->name_offset = fz_get_u32(p);
    out->name_size = fz_get_u32(p + 4);
    out->kind = p[8];
    out->compression = p[9];
    out->flags = fz_get_u16(p + 10);
    out->mode = fz_get_u32(p + 12);
    out->offset = fz_get_u64(p + 16);
    out->stored_size = fz_get_u64(p + 24);
    out->raw_size = fz_get_u64(p + 32);
    out->hash = fz_get_u64(p + 40);
}

static const uint8_t *
index_at(const fz_payload *p, uint64_t i)
{
    return p->base + FZ_PAYLOAD_HEADER_SIZE + i * FZ_PAYLOAD_ENTRY_SIZE;
}

/* Name of entry i; only valid once the entry has passed validation. */
static const uint8_t *
name_at(const fz_payload *p, uint64_t i, size_t *size)
{
    const uint8_t *e = index_at(p, i);

    *size = fz_get_u32(e + 4);
    return p->base + p->strings_offset + fz_get_u32(e);
}

/* memcmp order, the shorter first on a common prefix. */
static int
name_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size)
{
    int c = memcmp(a, b, a_size < b_size ? a_size : b_size);

    if (c != 0) {
        return c;
    }
    return (a_size > b_size) - (a_size < b_size);
}

int
fz_payload_name_valid(const char *name, size_t size)
{
    size_t seg = 0; /* start of the current segment */

    if (name == NULL || size == 0 || size > FZ_PAYLOAD_NAME_MAX) {
        return 0;
    }
    for (size_t i = 0; i <= size; i++) {
        if (i < size && name[i] != '/') {
            if (name[i] == '\0' || name[i] == '\\') {
                return 0;
            }
            continue;
        }
        /* Segment [seg, i): not empty, not "." or "..". */
        size_t len = i - seg;
        if (len == 0) {
            return 0;
        }
        if (name[seg] == '.' &&
            (len == 1 || (len == 2 && name[seg + 1] == '.'))) {
            return 0;
        }
        seg = i + 1;
    }
    return 1;
}

const char *
fz_entry_kind_name(int kind)
{
    switch (kind) {
    case FZ_ENTRY_MODULE:
        return "module";
    case FZ_ENTRY_PACKAGE:
        return "package";
    case FZ_ENTRY_EXTENSION:
        return "extension";
    case FZ_ENTRY_DATA:
        return "data";
    case FZ_ENTRY_NATIVE_LIB:
        return "native library";
    case FZ_ENTRY_METADATA:
        return "metadata";
    case FZ_ENTRY_SOURCE:
        return "source";
    default:
        return "unknown";
    }
}

/* The header's fields, checked against the buffer's size. */
static int
check_header(fz_payload *p, const uint8_t *h, size_t size)
{
    uint32_t version = fz_get_u32(h + 8);
    uint32_t flags = fz_get_u32(h + 12);
    uint64_t index_offset = fz_get_u64(h + 32);
    uint64_t total_size = fz_get_u64(h + 88);
    uint64_t max_entries;

    if (version > FZ_PAYLOAD_VERSION) {
        return fz_error_set(FZ_EVERSION,
                            "payload format version %" PRIu32
                            " is newer than this reader (version %u)",
                            version, FZ_PAYLOAD_VERSION);
    }
    if (version == 0) {
        return fz_error_set(FZ_EFORMAT, "payload format version 0 is invalid");
    }
    if ((flags & ~(uint32_t)FZ_PAYLOAD_F_KNOWN) != 0) {
        return fz_error_set(
            FZ_EFORMAT, "payload header has unknown flags 0x%" PRIx32, flags);
    }
    p->flags = flags;
    if (fz_get_u32(h + 100) != 0) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: reserved field is not 0");
    }
    if (total_size != size) {
        return fz_error_set(FZ_EFORMAT,
                            "payload truncated or padded: header says %" PRIu64
                            " bytes, %zu available",
                            total_size, size);
    }
    if (index_offset != FZ_PAYLOAD_HEADER_SIZE) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: index_offset %" PRIu64
                            " (expected %d)",
                            index_offset, FZ_PAYLOAD_HEADER_SIZE);
    }
    p->hash_raw = version < 2;
    p->python_version = fz_get_u32(h + 16);
    p->bytecode_magic = fz_get_u32(h + 20);
    p->entry_count = fz_get_u64(h + 24);
    p->strings_offset = fz_get_u64(h + 40);
    p->strings_size = fz_get_u64(h + 48);
    p->dict_offset = fz_get_u64(h + 56);
    p->dict_size = fz_get_u64(h + 64);
    p->data_offset = fz_get_u64(h + 72);
    p->data_size = fz_get_u64(h + 80);
    p->main_entry = fz_get_u32(h + 96);
    p->meta_hash = fz_get_u64(h + 104);

    /* Each equality is checked against the remaining bytes first, so no
     * sum below can overflow (size fits in size_t <= uint64_t). */
    max_entries = (size - FZ_PAYLOAD_HEADER_SIZE) / FZ_PAYLOAD_ENTRY_SIZE;
    if (p->entry_count > max_entries) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: entry_count %" PRIu64
                            " does not fit in %zu bytes",
                            p->entry_count, size);
    }
    if (p->strings_offset !=
        FZ_PAYLOAD_HEADER_SIZE + p->entry_count * FZ_PAYLOAD_ENTRY_SIZE) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: strings_offset %" PRIu64
                            " is not the end of the index",
                            p->strings_offset);
    }
    if (p->strings_size > size - p->strings_offset) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: strings_size %" PRIu64
                            " at offset %" PRIu64 " exceeds the payload",
                            p->strings_size, p->strings_offset);
    }
    if (p->dict_offset != p->strings_offset + p->strings_size) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: dict_offset %" PRIu64
                            " is not the end of the string table",
                            p->dict_offset);
    }
    if (p->dict_size > size - p->dict_offset) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: dict_size %" PRIu64
                            " at offset %" PRIu64 " exceeds the payload",
                            p->dict_size, p->dict_offset);
    }
    if (p->data_offset != p->dict_offset + p->dict_size) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: data_offset %" PRIu64
                            " is not the end of the dictionary",
                            p->data_offset);
    }
    if (p->data_size != size - p->data_offset) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: data_size %" PRIu64
                            " at offset %" PRIu64
                            " does not end at total_size %zu",
                            p->data_size, p->data_offset, size);
    }
    if (p->main_entry != FZ_PAYLOAD_NO_MAIN &&
        p->main_entry >= p->entry_count) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header: main_entry %" PRIu32
                            " is out of range (%" PRIu64 " entries)",
                            p->main_entry, p->entry_count);
    }
    return 0;
}

uint64_t
fz_payload_entry_hash(const void *stored, size_t size)
{
    return XXH3_64bits(stored, size);
}

/* XXH3 of header bytes [0, 104) and [index_offset, data_offset). */
uint64_t
fz_payload_meta_hash(const void *base, uint64_t data_offset)
{
    const uint8_t *b = base;
    XXH3_state_t state;

    XXH3_64bits_reset(&state);
    XXH3_64bits_update(&state, b, 104);
    XXH3_64bits_update(&state, b + FZ_PAYLOAD_HEADER_SIZE,
                       (size_t)(data_offset - FZ_PAYLOAD_HEADER_SIZE));
    return XXH3_64bits_digest(&state);
}

/* Entry i against the rules of the spec; *end is where the previous
 * entry's data ended (relative to the data region) and is advanced. */
static int
check_entry(const fz_payload *p, uint64_t i, uint64_t *end)
{
    raw_entry e;
    const uint8_t *name;
    int quote;
    uint16_t known = FZ_ENTRY_F_KNOWN;

    if (p->flags & FZ_PAYLOAD_F_ONEDIR) {
        known |= FZ_ENTRY_F_EXTERNAL;
    }
    decode_entry(index_at(p, i), &e);
    if (e.name_size == 0 || e.name_size > FZ_PAYLOAD_NAME_MAX ||
        e.name_offset > p->strings_size ||
        e.name_size > p->strings_size - e.name_offset) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64 ": name at %" PRIu32
                            " size %" PRIu32
                            " is outside the string table (%" PRIu64 " bytes)",
                            i, e.name_offset, e.name_size, p->strings_size);
    }
    name = p->base + p->strings_offset + e.name_offset;
    quote = (int)(e.name_size < QUOTE_MAX ? e.name_size : QUOTE_MAX);
    if (!fz_payload_name_valid((const char *)name, e.name_size)) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64 ": invalid name '%.*s'", i,
                            quote, (const char *)name);
    }
    if (i > 0) {
        size_t prev_size;
        const uint8_t *prev = name_at(p, i - 1, &prev_size);
        if (name_cmp(prev, prev_size, name, e.name_size) >= 0) {
            return fz_error_set(FZ_EFORMAT,
                                "payload entry %" PRIu64
                                " '%.*s': names not sorted or duplicated",
                                i, quote, (const char *)name);
        }
    }
    if (e.kind < 1 || e.kind > FZ_ENTRY_KIND_MAX) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64 " '%.*s': unknown kind %u",
                            i, quote, (const char *)name, (unsigned)e.kind);
    }
    if (e.compression > FZ_COMPRESSION_MAX) {
        return fz_error_set(
            FZ_EFORMAT,
            "payload entry %" PRIu64 " '%.*s': unknown compression %u", i,
            quote, (const char *)name, (unsigned)e.compression);
    }
    if ((e.flags & ~known) != 0) {
        return fz_error_set(
            FZ_EFORMAT, "payload entry %" PRIu64 " '%.*s': unknown flags 0x%x",
            i, quote, (const char *)name, (unsigned)e.flags);
    }
    if ((e.mode & ~(uint32_t)0777) != 0) {
        return fz_error_set(
            FZ_EFORMAT, "payload entry %" PRIu64 " '%.*s': bad mode 0%" PRIo32,
            i, quote, (const char *)name, e.mode);
    }
    if (e.offset > p->data_size || e.stored_size > p->data_size - e.offset) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64
                            " '%.*s': data at offset %" PRIu64 " size %" PRIu64
                            " is outside the data region (%" PRIu64 " bytes)",
                            i, quote, (const char *)name, e.offset,
                            e.stored_size, p->data_size);
    }
    if (e.offset < *end) {
        return fz_error_set(
            FZ_EFORMAT,
            "payload entry %" PRIu64 " '%.*s': data at offset %" PRIu64
            " overlaps the previous entry (ends at %" PRIu64 ")",
            i, quote, (const char *)name, e.offset, *end);
    }
    *end = e.offset + e.stored_size;
    if (e.raw_size > FZ_PAYLOAD_RAW_MAX) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64
                            " '%.*s': raw size %" PRIu64 " is too large",
                            i, quote, (const char *)name, e.raw_size);
    }
    if ((e.flags & FZ_ENTRY_F_EXTERNAL) &&
        (e.stored_size != 0 || e.compression != FZ_COMPRESSION_RAW ||
         (e.kind != FZ_ENTRY_EXTENSION && e.kind != FZ_ENTRY_NATIVE_LIB &&
          e.kind != FZ_ENTRY_DATA && e.kind != FZ_ENTRY_METADATA))) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64 " '%.*s': an external "
                            "entry must be a stored-nothing file kind",
                            i, quote, (const char *)name);
    }
    if (e.compression == FZ_COMPRESSION_RAW && e.stored_size != e.raw_size &&
        !(e.flags & FZ_ENTRY_F_EXTERNAL)) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64 " '%.*s': stored raw but "
                            "stored size %" PRIu64 " != raw size %" PRIu64,
                            i, quote, (const char *)name, e.stored_size,
                            e.raw_size);
    }
    if ((e.compression == FZ_COMPRESSION_LZ4 ||
         e.compression == FZ_COMPRESSION_LZ4_DICT) &&
        (e.stored_size > FZ_PAYLOAD_LZ4_MAX ||
         e.raw_size > FZ_PAYLOAD_LZ4_MAX || e.raw_size / 255 > e.stored_size)) {
        /* An LZ4 block expands its input at most 255 times. */
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64
                            " '%.*s': sizes impossible for an LZ4 block "
                            "(%" PRIu64 " stored, %" PRIu64 " raw)",
                            i, quote, (const char *)name, e.stored_size,
                            e.raw_size);
    }
    if ((e.compression == FZ_COMPRESSION_ZSTD_DICT ||
         e.compression == FZ_COMPRESSION_LZ4_DICT) &&
        p->dict_size == 0) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64
                            " '%.*s': uses a dictionary but the payload "
                            "has none",
                            i, quote, (const char *)name);
    }
    if (i == p->main_entry && e.kind != FZ_ENTRY_MODULE) {
        return fz_error_set(FZ_EFORMAT,
                            "payload entry %" PRIu64
                            " '%.*s': main entry is a %s, not a module",
                            i, quote, (const char *)name,
                            fz_entry_kind_name(e.kind));
    }
    return 0;
}

/* Magic and minimum size of the first `size` bytes at `base`. */
static int
check_start(const uint8_t *base, size_t size)
{
    if (size < FZ_PAYLOAD_MAGIC_SIZE) {
        if (size > 0 && memcmp(base, FZ_PAYLOAD_MAGIC, size) == 0) {
            return fz_error_set(
                FZ_EFORMAT, "payload truncated: %zu bytes, no header", size);
        }
        return fz_error_set(FZ_EMAGIC,
                            "not a payload: %zu bytes, too short for the "
                            "magic",
                            size);
    }
    if (memcmp(base, FZ_PAYLOAD_MAGIC, FZ_PAYLOAD_MAGIC_SIZE) != 0) {
        return fz_error_set(FZ_EMAGIC, "not a payload (bad magic)");
    }
    if (size < FZ_PAYLOAD_HEADER_SIZE) {
        return fz_error_set(FZ_EFORMAT,
                            "payload truncated: %zu bytes, header needs %d",
                            size, FZ_PAYLOAD_HEADER_SIZE);
    }
    return 0;
}

/*
 * Everything after the header's own checks: the meta hash, the versions
 * and every entry. Reads only [0, data_offset) of p->base.
 */
static int
check_rest(fz_payload *p, uint32_t python_version, uint32_t bytecode_magic)
{
    uint64_t end = 0;
    int rc;

    if (fz_payload_meta_hash(p->base, p->data_offset) != p->meta_hash) {
        return fz_error_set(FZ_EFORMAT,
                            "payload header or index damaged (meta hash "
                            "mismatch)");
    }
    /* After the hash: a mismatch here is a real one, not damage. */
    if ((python_version != 0 && python_version != p->python_version) ||
        (bytecode_magic != 0 && bytecode_magic != p->bytecode_magic)) {
        uint32_t pv = python_version ? python_version : p->python_version;
        uint32_t bm = bytecode_magic ? bytecode_magic : p->bytecode_magic;
        return fz_error_set(FZ_EPYVERSION,
                            "payload is for CPython %u.%u (bytecode %u), this "
                            "runtime is %u.%u (%u)",
                            py_major(p->python_version),
                            py_minor(p->python_version),
                            magic_number(p->bytecode_magic), py_major(pv),
                            py_minor(pv), magic_number(bm));
    }
    for (uint64_t i = 0; i < p->entry_count; i++) {
        rc = check_entry(p, i, &end);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int
fz_payload_open(fz_payload **out, const void *data, size_t size,
                uint32_t python_version, uint32_t bytecode_magic)
{
    const uint8_t *base = data;
    fz_payload *p = NULL;
    int rc;

    assert(out != NULL);
    *out = NULL;
    if (base == NULL && size > 0) {
        return fz_error_set(FZ_EINVAL, "payload: no bytes given");
    }
    rc = check_start(base, size);
    if (rc < 0) {
        return rc;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "payload: out of memory");
        goto done;
    }
    p->base = base;
    p->size = size;
    rc = check_header(p, base, size);
    if (rc < 0) {
        goto done;
    }
    rc = check_rest(p, python_version, bytecode_magic);
    if (rc < 0) {
        goto done;
    }
    *out = p;
    p = NULL;
done:
    fz_payload_free(p);
    return rc;
}

int
fz_payload_open_fetch(fz_payload **out, uint64_t total_size,
                      fz_payload_fetch_fn fetch, void *ctx,
                      uint32_t python_version, uint32_t bytecode_magic)
{
    uint8_t header[FZ_PAYLOAD_HEADER_SIZE];
    size_t n =
        total_size < sizeof(header) ? (size_t)total_size : sizeof(header);
    fz_payload *p = NULL;
    int rc;

    assert(out != NULL && fetch != NULL);
    *out = NULL;
    if (total_size > SIZE_MAX) {
        return fz_error_set(FZ_EFORMAT,
                            "payload of %" PRIu64 " bytes is "
                            "too large",
                            total_size);
    }
    rc = n > 0 ? fetch(ctx, 0, header, n) : 0;
    if (rc < 0) {
        return rc;
    }
    rc = check_start(header, n);
    if (rc < 0) {
        return rc;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "payload: out of memory");
        goto done;
    }
    p->size = (size_t)total_size;
    p->fetch = fetch;
    p->fetch_ctx = ctx;
    /* Checks data_offset against total_size before it sizes anything. */
    rc = check_header(p, header, (size_t)total_size);
    if (rc < 0) {
        goto done;
    }
    p->head = malloc((size_t)p->data_offset);
    if (p->head == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "payload: out of memory for the index");
        goto done;
    }
    rc = fetch(ctx, 0, p->head, (size_t)p->data_offset);
    if (rc < 0) {
        goto done;
    }
    /* The header fetched again must be the one checked. */
    if (memcmp(p->head, header, sizeof(header)) != 0) {
        rc = fz_error_set(FZ_EFORMAT, "payload changed while being read");
        goto done;
    }
    p->base = p->head;
    rc = check_rest(p, python_version, bytecode_magic);
    if (rc < 0) {
        goto done;
    }
    *out = p;
    p = NULL;
done:
    fz_payload_free(p);
    return rc;
}

int
fz_payload_share(fz_payload **out, const fz_payload *p)
{
    fz_payload *v = malloc(sizeof(*v));

    *out = NULL;
    if (v == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    *v = *p;
    v->dctx = NULL;
    v->ddict = NULL;
    v->head = NULL;
    v->lend = NULL;
    v->lend_cap = 0;
    v->lent = 0;
    *out = v;
    return FZ_OK;
}

void
fz_payload_free(fz_payload *p)
{
    if (p == NULL) {
        return;
    }
    ZSTD_freeDDict(p->ddict);
    ZSTD_freeDCtx(p->dctx);
    free(p->head);
    free(p->lend);
    free(p);
}

uint64_t
fz_payload_entry_count(const fz_payload *p)
{
    return p->entry_count;
}

uint32_t
fz_payload_python_version(const fz_payload *p)
{
    return p->python_version;
}

uint32_t
fz_payload_bytecode_magic(const fz_payload *p)
{
    return p->bytecode_magic;
}

uint32_t
fz_payload_flags(const fz_payload *p)
{
    return p->flags;
}

uint64_t
fz_payload_content_hash(const fz_payload *p)
{
    return p->meta_hash;
}

void
fz_payload_entry_at(const fz_payload *p, uint64_t i, fz_entry *out)
{
    raw_entry e;

    assert(i < p->entry_count);
    decode_entry(index_at(p, i), &e);
    out->name = (const char *)(p->base + p->strings_offset + e.name_offset);
    out->name_size = e.name_size;
    out->index = (uint32_t)i;
    out->kind = (fz_entry_kind)e.kind;
    out->compression = (fz_compression)e.compression;
    out->flags = e.flags;
    out->mode = e.mode;
    out->offset = p->data_offset + e.offset;
    out->stored_size = e.stored_size;
    out->raw_size = e.raw_size;
    out->hash = e.hash;
}

uint64_t
fz_payload_lower_bound(const fz_payload *p, const char *prefix,
                       size_t prefix_size)
{
    uint64_t lo = 0;
    uint64_t hi = p->entry_count;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        size_t size;
        const uint8_t *name = name_at(p, mid, &size);
        if (name_cmp(name, size, (const uint8_t *)prefix, prefix_size) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int
fz_payload_find(const fz_payload *p, const char *name, size_t name_size,
                fz_entry *out)
{
    uint64_t i = fz_payload_lower_bound(p, name, name_size);
    size_t size;
    const uint8_t *found;

    if (i == p->entry_count) {
        return FZ_ENOTFOUND;
    }
    found = name_at(p, i, &size);
    if (size != name_size || memcmp(found, name, size) != 0) {
        return FZ_ENOTFOUND;
    }
    fz_payload_entry_at(p, i, out);
    return 0;
}

int
fz_payload_main(const fz_payload *p, fz_entry *out)
{
    if (p->main_entry == FZ_PAYLOAD_NO_MAIN) {
        return FZ_ENOTFOUND;
    }
    fz_payload_entry_at(p, p->main_entry, out);
    return 0;
}

/* Longest zstd frame header (ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h
 * exports only with ZSTD_STATIC_LINKING_ONLY). */
#define FRAME_HEADER_MAX 18

/* The frame's declared size, when it has one, must be the entry's. */
static int
check_frame(const fz_entry *e, const uint8_t *src, size_t src_size)
{
    unsigned long long n = ZSTD_getFrameContentSize(src, src_size);
    int quote = (int)(e->name_size < QUOTE_MAX ? e->name_size : QUOTE_MAX);

    if (n == ZSTD_CONTENTSIZE_ERROR) {
        return fz_error_set(FZ_EFORMAT,
                            "entry '%.*s' is damaged (bad zstd frame at "
                            "offset %" PRIu64 ")",
                            quote, e->name, e->offset);
    }
    if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != e->raw_size) {
        return fz_error_set(FZ_EFORMAT,
                            "entry '%.*s' is damaged (frame holds %llu "
                            "bytes, index says %" PRIu64 ")",
                            quote, e->name, n, e->raw_size);
    }
    return 0;
}

static int
damaged_size(const fz_entry *e, size_t n, int quote)
{
    return fz_error_set(FZ_EFORMAT,
                        "entry '%.*s' is damaged (%zu bytes, expected "
                        "%" PRIu64 ")",
                        quote, e->name, n, e->raw_size);
}

/* Bytes at the end of the dictionary that LZ4 blocks can refer to. */
static size_t
lz4_dict_tail(const fz_payload *p)
{
    return (size_t)(p->dict_size < FZ_PAYLOAD_LZ4_DICT_MAX
                        ? p->dict_size
                        : FZ_PAYLOAD_LZ4_DICT_MAX);
}

/* The dictionary's last lz4_dict_tail bytes. */
static const uint8_t *
lz4_dict(const fz_payload *p)
{
    return p->base + p->dict_offset + (p->dict_size - lz4_dict_tail(p));
}

/* Where fz_payload_borrow's buffer holds the entry, after the dictionary. */
static uint8_t *
lend_out(const fz_payload *p)
{
    return p->lend + lz4_dict_tail(p);
}

/* The LZ4 block of validated entry `e` (sizes within FZ_PAYLOAD_LZ4_MAX,
 * checked at open) into `buf`. LZ4_decompress_safe* never read or write
 * outside the ranges given, whatever the block holds. */
static int
decode_lz4(const fz_payload *p, const fz_entry *e, const uint8_t *src,
           void *buf, int quote)
{
#ifdef FZ_PAYLOAD_ZSTD_ONLY
    /* The launcher's reader: it reads the runtime and the files of the
     * bundle root, never code, and is smaller without an LZ4 decoder. */
    (void)p;
    (void)src;
    (void)buf;
    return fz_error_set(FZ_EINVAL, "entry '%.*s': this reader has no LZ4",
                        quote, e->name);
#else
    int n;

    if (e->compression == FZ_COMPRESSION_LZ4) {
        n = LZ4_decompress_safe((const char *)src, buf, (int)e->stored_size,
                                (int)e->raw_size);
    } else {
        const uint8_t *dict = lz4_dict(p);

        /* Into fz_payload_borrow's buffer: the same bytes, just before
         * `buf`, which LZ4 then reads as a prefix. */
        if (p->lend != NULL && (uint8_t *)buf == lend_out(p)) {
            dict = p->lend;
        }
        n = LZ4_decompress_safe_usingDict(
            (const char *)src, buf, (int)e->stored_size, (int)e->raw_size,
            (const char *)dict, (int)lz4_dict_tail(p));
    }
    if (n < 0) {
        return fz_error_set(FZ_EFORMAT,
                            "entry '%.*s' is damaged (bad LZ4 block at "
                            "offset %" PRIu64 ")",
                            quote, e->name, e->offset);
    }
    if ((uint64_t)n != e->raw_size) {
        return damaged_size(e, (size_t)n, quote);
    }
    return 0;
#endif
}

static int
hash_mismatch(const fz_entry *e, int quote)
{
    return fz_error_set(FZ_EHASH, "entry '%.*s' is damaged (hash mismatch)",
                        quote, e->name);
}

/* Check the hash of the stored bytes `src` of validated entry `e` and turn
 * them into `buf` (at least raw_size bytes). */
static int
decode(fz_payload *p, const fz_entry *e, const uint8_t *src, void *buf,
       int quote)
{
    size_t n;
    int rc;

    if (!p->hash_raw &&
        fz_payload_entry_hash(src, (size_t)e->stored_size) != e->hash) {
        return hash_mismatch(e, quote);
    }
    switch (e->compression) {
    case FZ_COMPRESSION_RAW:
        if (e->raw_size > 0 && src != buf) {
            memcpy(buf, src, (size_t)e->raw_size);
        }
        break;
    case FZ_COMPRESSION_ZSTD:
    case FZ_COMPRESSION_ZSTD_DICT:
    case FZ_COMPRESSION_ZSTD_X86:
        rc = check_frame(e, src, (size_t)e->stored_size);
        if (rc < 0) {
            return rc;
        }
        if (p->dctx == NULL) {
            p->dctx = ZSTD_createDCtx();
            if (p->dctx == NULL) {
                return fz_error_set(FZ_ENOMEM, "zstd: out of memory");
            }
        }
        if (e->compression != FZ_COMPRESSION_ZSTD_DICT) {
            n = ZSTD_decompressDCtx(p->dctx, buf, (size_t)e->raw_size, src,
                                    (size_t)e->stored_size);
        } else {
            if (p->ddict == NULL) {
                p->ddict = ZSTD_createDDict_byReference(
                    p->base + p->dict_offset, (size_t)p->dict_size);
                if (p->ddict == NULL) {
                    return fz_error_set(FZ_EFORMAT,
                                        "payload dictionary is damaged");
                }
            }
            n = ZSTD_decompress_usingDDict(p->dctx, buf, (size_t)e->raw_size,
                                           src, (size_t)e->stored_size,
                                           p->ddict);
        }
        if (ZSTD_isError(n)) {
            if (ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation) {
                return fz_error_set(FZ_ENOMEM, "entry '%.*s': zstd: %s", quote,
                                    e->name, ZSTD_getErrorName(n));
            }
            return fz_error_set(FZ_EFORMAT,
                                "entry '%.*s' is damaged (zstd: %s)", quote,
                                e->name, ZSTD_getErrorName(n));
        }
        if (n != e->raw_size) {
            return damaged_size(e, n, quote);
        }
        if (e->compression == FZ_COMPRESSION_ZSTD_X86) {
            fz_branch_filter(buf, (size_t)e->raw_size, 0);
        }
        break;
    case FZ_COMPRESSION_LZ4:
    case FZ_COMPRESSION_LZ4_DICT:
        rc = decode_lz4(p, e, src, buf, quote);
        if (rc < 0) {
            return rc;
        }
        break;
    default:
        /* Excluded at open. */
        return fz_error_set(FZ_EFORMAT, "entry '%.*s': unknown compression",
                            quote, e->name);
    }
    if (p->hash_raw &&
        fz_payload_entry_hash(buf, (size_t)e->raw_size) != e->hash) {
        return hash_mismatch(e, quote);
    }
    return 0;
}

int
fz_payload_read(fz_payload *p, const fz_entry *entry, void *buf, size_t cap)
{
    fz_entry e;
    uint8_t *stored = NULL;
    int quote;
    int rc;

    if (entry->index >= p->entry_count) {
        return fz_error_set(FZ_EINVAL, "payload: no entry %" PRIu32,
                            entry->index);
    }
    /* Trust only the validated index, not the caller's copy. */
    fz_payload_entry_at(p, entry->index, &e);
    quote = (int)(e.name_size < QUOTE_MAX ? e.name_size : QUOTE_MAX);
    if (e.flags & FZ_ENTRY_F_EXTERNAL) {
        return fz_error_set(FZ_EINVAL,
                            "entry '%.*s' is a file in the bundle root, "
                            "not in the payload",
                            quote, e.name);
    }
    if (e.raw_size > cap) {
        return fz_error_set(FZ_EINVAL,
                            "entry '%.*s': buffer of %zu bytes is too small "
                            "for %" PRIu64,
                            quote, e.name, cap, e.raw_size);
    }
    if (p->fetch == NULL) {
        return decode(p, &e, p->base + e.offset, buf, quote);
    }
    /* Raw entries are fetched straight into the caller's buffer. */
    if (e.compression == FZ_COMPRESSION_RAW) {
        rc = e.raw_size
                 ? p->fetch(p->fetch_ctx, e.offset, buf, (size_t)e.raw_size)
                 : 0;
        return rc < 0 ? rc : decode(p, &e, buf, buf, quote);
    }
    stored = malloc(e.stored_size ? (size_t)e.stored_size : 1);
    if (stored == NULL) {
        return fz_error_set(FZ_ENOMEM, "entry '%.*s': out of memory", quote,
                            e.name);
    }
    rc = p->fetch(p->fetch_ctx, e.offset, stored, (size_t)e.stored_size);
    if (rc == 0) {
        rc = decode(p, &e, stored, buf, quote);
    }
    free(stored);
    return rc;
}

int
fz_payload_check(fz_payload *p, const fz_entry *entry)
{
    fz_entry e;
    uint8_t head[FRAME_HEADER_MAX];
    size_t n;
    int rc;

    if (entry->index >= p->entry_count) {
        return fz_error_set(FZ_EINVAL, "payload: no entry %" PRIu32,
                            entry->index);
    }
    fz_payload_entry_at(p, entry->index, &e);
    if (e.raw_size >= SIZE_MAX) {
        return fz_error_set(
            FZ_ENOMEM, "entry '%.*s' is too large (%" PRIu64 " bytes)",
            (int)(e.name_size < QUOTE_MAX ? e.name_size : QUOTE_MAX), e.name,
            e.raw_size);
    }
    if (e.flags & FZ_ENTRY_F_EXTERNAL) {
        return fz_payload_read(p, &e, NULL, 0); /* the error */
    }
    /* An LZ4 block has no header; its sizes were checked at open. */
    if (e.compression != FZ_COMPRESSION_ZSTD &&
        e.compression != FZ_COMPRESSION_ZSTD_DICT &&
        e.compression != FZ_COMPRESSION_ZSTD_X86) {
        return FZ_OK;
    }
    if (p->fetch == NULL) {
        return check_frame(&e, p->base + e.offset, (size_t)e.stored_size);
    }
    n = e.stored_size < sizeof(head) ? (size_t)e.stored_size : sizeof(head);
    rc = p->fetch(p->fetch_ctx, e.offset, head, n);
    return rc < 0 ? rc : check_frame(&e, head, n);
}

int
fz_payload_read_alloc(fz_payload *p, const fz_entry *entry, void **out,
                      size_t *out_size)
{
    fz_entry e;
    uint8_t *buf = NULL;
    int rc;

    *out = NULL;
    *out_size = 0;
    rc = fz_payload_check(p, entry);
    if (rc < 0) {
        return rc;
    }
    fz_payload_entry_at(p, entry->index, &e);
    buf = malloc((size_t)e.raw_size + 1);
    if (buf == NULL) {
        rc = fz_error_set(
            FZ_ENOMEM, "entry '%.*s': out of memory for %" PRIu64 " bytes",
            (int)(e.name_size < QUOTE_MAX ? e.name_size : QUOTE_MAX), e.name,
            e.raw_size);
        goto done;
    }
    rc = fz_payload_read(p, &e, buf, (size_t)e.raw_size);
    if (rc < 0) {
        goto done;
    }
    buf[e.raw_size] = '\0';
    *out = buf;
    *out_size = (size_t)e.raw_size;
    buf = NULL;
done:
    free(buf);
    return rc;
}

/* Make the lending buffer hold `size` bytes after the dictionary. */
static int
lend_reserve(fz_payload *p, size_t size, int quote, const char *name)
{
    size_t prefix = lz4_dict_tail(p);
    size_t cap = p->lend_cap;
    uint8_t *grown;

    if (p->lend != NULL && size <= cap) {
        return FZ_OK;
    }
    /* Doubling: a program's modules come in every size, in any order. */
    cap = cap ? cap : 64 * 1024;
    while (cap < size) {
        cap *= 2;
    }
    grown = realloc(p->lend, prefix + cap);
    if (grown == NULL) {
        return fz_error_set(FZ_ENOMEM, "entry '%.*s': out of memory", quote,
                            name);
    }
    if (p->lend == NULL && prefix > 0) {
        memcpy(grown, lz4_dict(p), prefix);
    }
    p->lend = grown;
    p->lend_cap = cap;
    return FZ_OK;
}

int
fz_payload_borrow(fz_payload *p, const fz_entry *entry, fz_payload_loan *loan)
{
    fz_entry e;
    void *own = NULL;
    int quote;
    int rc;

    memset(loan, 0, sizeof(*loan));
    rc = fz_payload_check(p, entry);
    if (rc < 0) {
        return rc;
    }
    fz_payload_entry_at(p, entry->index, &e);
    if (p->lent || e.raw_size > FZ_PAYLOAD_LEND_MAX) {
        rc = fz_payload_read_alloc(p, &e, &own, &loan->size);
        loan->owned = own;
        loan->data = own;
        return rc;
    }
    quote = (int)(e.name_size < QUOTE_MAX ? e.name_size : QUOTE_MAX);
    rc = lend_reserve(p, (size_t)e.raw_size, quote, e.name);
    if (rc == 0) {
        rc = fz_payload_read(p, &e, lend_out(p), p->lend_cap);
    }
    if (rc < 0) {
        return rc;
    }
    p->lent = 1;
    loan->data = lend_out(p);
    loan->size = (size_t)e.raw_size;
    return FZ_OK;
}

void
fz_payload_return(fz_payload *p, fz_payload_loan *loan)
{
    if (loan->owned != NULL) {
        free(loan->owned);
    } else if (loan->data != NULL) {
        p->lent = 0;
    }
    memset(loan, 0, sizeof(*loan));
}
