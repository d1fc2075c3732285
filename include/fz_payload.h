/*
 * fz_payload.h - the payload format shared by the freezer (writer) and the
 * runtime (reader). This comment is the specification.
 *
 * A payload is one contiguous byte range (in a onefile app: the contents of
 * the ELF section ".fzpayload"). All integers are little-endian; offsets and
 * sizes are 64-bit and relative to the first byte of the payload.
 *
 *   +---------------------+ 0
 *   | header  (112 bytes) |
 *   +---------------------+ index_offset   (= 112)
 *   | index  (entry_count * 48 bytes, sorted by name)
 *   +---------------------+ strings_offset (= index end)
 *   | string table (names, not NUL-terminated)
 *   +---------------------+ dict_offset    (= strings end)
 *   | dictionary (dict_size bytes, may be 0)
 *   +---------------------+ data_offset    (= dict end)
 *   | entry data, in index order, each at entry.offset within this region
 *   +---------------------+ total_size     (= data end)
 *
 * Header (all fields little-endian):
 *     0  u8[8]  magic          "FZPAYLD\x1a"
 *     8  u32    format_version FZ_PAYLOAD_VERSION; readers refuse newer
 *    12  u32    flags          FZ_PAYLOAD_F_* (readers refuse unknown bits)
 *    16  u32    python_version (major << 24) | (minor << 16), as
 *                              PY_VERSION_HEX without micro/release
 *    20  u32    bytecode_magic the 4 bytes of importlib.util.MAGIC_NUMBER,
 *                              read as a little-endian u32
 *    24  u64    entry_count
 *    32  u64    index_offset   must be 112
 *    40  u64    strings_offset must be index_offset + 48 * entry_count
 *    48  u64    strings_size
 *    56  u64    dict_offset    must be strings_offset + strings_size
 *    64  u64    dict_size      0 when no dictionary is used
 *    72  u64    data_offset    must be dict_offset + dict_size
 *    80  u64    data_size
 *    88  u64    total_size     must be data_offset + data_size and equal
 *                              the payload's length
 *    96  u32    main_entry     index of the __main__ code entry, or
 *                              0xffffffff when there is none
 *   100  u32    reserved       0
 *   104  u64    meta_hash      XXH3-64 (seed 0) of bytes [0, 104) of the
 *                              header followed by bytes
 *                              [index_offset, data_offset): it covers the
 *                              header, index, string table and dictionary.
 *
 * Index entry (48 bytes):
 *     0  u32    name_offset    into the string table
 *     4  u32    name_size      1..FZ_PAYLOAD_NAME_MAX bytes
 *     8  u8     kind           enum fz_entry_kind
 *     9  u8     compression    enum fz_compression
 *    10  u16    flags          FZ_ENTRY_F_* (unknown bits are refused)
 *    12  u32    mode           permission bits for extracted files
 *                              (0644 or 0755 in practice; only 0777 bits)
 *    16  u64    offset         of the stored bytes, relative to data_offset
 *    24  u64    stored_size    bytes in the payload
 *    32  u64    raw_size       bytes after decompression
 *    40  u64    hash           XXH3-64 (seed 0) of the stored bytes
 *                              (of the file for FZ_ENTRY_F_EXTERNAL)
 *
 * Rules a reader enforces before any entry is used (a violation is
 * FZ_EFORMAT): the layout equalities above; names strictly increasing by
 * memcmp order (shorter first on a common prefix), so no duplicates; a name
 * is a relative '/'-separated path with no empty, "." or ".." segment, no
 * NUL and no backslash; entries' data ranges lie inside the data region and
 * are laid out in index order without overlap (entry i starts at or after
 * the end of entry i-1); compression RAW implies stored_size == raw_size;
 * COMPRESSION_ZSTD_DICT and COMPRESSION_LZ4_DICT require dict_size > 0;
 * raw_size is at most FZ_PAYLOAD_RAW_MAX; for the LZ4 compressions both
 * sizes are at most FZ_PAYLOAD_LZ4_MAX and raw_size at most 255 times
 * stored_size (what an LZ4 block can expand to).
 *
 * Compression (the stored bytes of one entry):
 *   - RAW        the raw bytes
 *   - ZSTD       one zstd frame
 *   - ZSTD_DICT  one zstd frame made with the payload's dictionary
 *   - LZ4        one LZ4 block (no frame: the index holds both sizes)
 *   - LZ4_DICT   one LZ4 block made with the payload's dictionary as its
 *                preceding 64 KiB (LZ4 reads only a dictionary's last
 *                64 KiB)
 *   - ZSTD_X86   one zstd frame of the raw bytes passed through the x86
 *                branch filter (fz_branch.h, where it is specified)
 * An entry's hash covers its stored bytes, so a reader checks them before
 * any decoder sees them, and hashes the smaller side (code and native
 * code are stored in about a third of their raw size): with the
 * dictionary, covered by meta_hash, the stored bytes determine the raw
 * ones. Format version 1 differed only there: its hashes covered the raw
 * bytes, and readers still read it.
 *
 * The dictionary is raw content (zstd reads content without zstd's
 * dictionary magic as such), so both codecs can use it. The writer
 * compresses code entries (MODULE, PACKAGE) with LZ4, which decodes about
 * four times as fast as zstd and so costs an import little, and the
 * other entries, which are extracted once, with zstd: x86-64 ELF files
 * (extensions, libraries) through the branch filter, 6% smaller.
 *
 * Names: every entry is named by its path relative to the app's bundle root
 * (the directory that __file__ and sys._MEIPASS point into):
 *   - MODULE   "pkg/mod.pyc"          marshalled code object (no pyc header)
 *   - PACKAGE  "pkg/__init__.pyc"     marshalled code object
 *   - SOURCE   "pkg/mod.py"           source text of a MODULE/PACKAGE whose
 *                                     name is the same minus the final 'c';
 *                                     never extracted, served by get_source
 *   - EXTENSION "pkg/mod.cpython-311-x86_64-linux-gnu.so" (extracted)
 *   - NATIVE_LIB "libfoo.so.1" or "pkg.libs/libbar.so" (extracted)
 *   - DATA     any other file, e.g. "pkg/data/grammar.txt" (extracted)
 *   - METADATA "foo-1.0.dist-info/METADATA" (extracted)
 *   - DATA ".freeze/needs": the bundled libraries each extension or
 *     library needs, "<entry>\t<dep>\t<dep>...\n" per line, dependencies
 *     first; the runtime dlopens them before the extension
 *     (docs/internals.md, "Native libraries")
 * A namespace package is a directory prefix with no __init__ entry.
 *
 * Onedir payloads (header flag FZ_PAYLOAD_F_ONEDIR): the app is a directory
 * <name>/<name> + <name>/_internal/, and _internal is the bundle root. The
 * entries a onefile app extracts (EXTENSION, NATIVE_LIB, DATA, METADATA)
 * are files in _internal; their index entries carry FZ_ENTRY_F_EXTERNAL:
 * compression RAW, stored_size 0, raw_size and hash those of the file.
 * Names below ".freeze/" stay stored (and are also files). In a payload
 * without FZ_PAYLOAD_F_ONEDIR, FZ_ENTRY_F_EXTERNAL is an unknown bit.
 * The __main__ script is a MODULE entry named after the script
 * ("hello.pyc"); main_entry points at it.
 *
 * The format is deterministic: the writer sorts by name, writes no
 * timestamps and compresses each entry on its own.
 */
#ifndef FZ_PAYLOAD_H
#define FZ_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define FZ_PAYLOAD_MAGIC "FZPAYLD\x1a"
#define FZ_PAYLOAD_MAGIC_SIZE 8
#define FZ_PAYLOAD_VERSION 2u
#define FZ_PAYLOAD_HEADER_SIZE 112
#define FZ_PAYLOAD_ENTRY_SIZE 48
#define FZ_PAYLOAD_NO_MAIN 0xffffffffu
/* Longest entry name; longer paths are refused by both sides. */
#define FZ_PAYLOAD_NAME_MAX 4096
/* Largest raw entry (1 TiB): bounds allocations made from hostile sizes. */
#define FZ_PAYLOAD_RAW_MAX ((uint64_t)1 << 40)
/* Largest stored or raw size of an LZ4 entry (LZ4_MAX_INPUT_SIZE). */
#define FZ_PAYLOAD_LZ4_MAX ((uint64_t)0x7E000000)
/* How much of the dictionary's end an LZ4 block can refer to. */
#define FZ_PAYLOAD_LZ4_DICT_MAX 65536
/* Name of the ELF section that holds the payload in a onefile app. */
#define FZ_PAYLOAD_SECTION ".fzpayload"

typedef enum fz_entry_kind {
    FZ_ENTRY_MODULE = 1,
    FZ_ENTRY_PACKAGE = 2,
    FZ_ENTRY_EXTENSION = 3,
    FZ_ENTRY_DATA = 4,
    FZ_ENTRY_NATIVE_LIB = 5,
    FZ_ENTRY_METADATA = 6,
    FZ_ENTRY_SOURCE = 7
} fz_entry_kind;
#define FZ_ENTRY_KIND_MAX 7

typedef enum fz_compression {
    FZ_COMPRESSION_RAW = 0,
    FZ_COMPRESSION_ZSTD = 1,
    FZ_COMPRESSION_ZSTD_DICT = 2,
    FZ_COMPRESSION_LZ4 = 3,
    FZ_COMPRESSION_LZ4_DICT = 4,
    FZ_COMPRESSION_ZSTD_X86 = 5
} fz_compression;
#define FZ_COMPRESSION_MAX 5

/* Header flags. */
#define FZ_PAYLOAD_F_ONEDIR 0x0001u /* bundle root: _internal beside the exe   \
                                     */
#define FZ_PAYLOAD_F_KNOWN 0x0001u  /* mask of every defined flag */

/* Entry flags. */
#define FZ_ENTRY_F_APP 0x0001u /* the application's own code */
/* Onedir only: the bytes are the file <root>/<name>, not in the payload. */
#define FZ_ENTRY_F_EXTERNAL 0x0002u
#define FZ_ENTRY_F_KNOWN 0x0001u /* mask of flags valid in every payload */

/* On-disk layouts, for the size assertions below; never read into. */
struct fz_payload_header_disk {
    uint8_t magic[8];
    uint32_t format_version;
    uint32_t flags;
    uint32_t python_version;
    uint32_t bytecode_magic;
    uint64_t entry_count;
    uint64_t index_offset;
    uint64_t strings_offset;
    uint64_t strings_size;
    uint64_t dict_offset;
    uint64_t dict_size;
    uint64_t data_offset;
    uint64_t data_size;
    uint64_t total_size;
    uint32_t main_entry;
    uint32_t reserved;
    uint64_t meta_hash;
};

struct fz_payload_entry_disk {
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
};

_Static_assert(sizeof(struct fz_payload_header_disk) == FZ_PAYLOAD_HEADER_SIZE,
               "payload header is 112 bytes");
_Static_assert(sizeof(struct fz_payload_entry_disk) == FZ_PAYLOAD_ENTRY_SIZE,
               "payload index entry is 48 bytes");
_Static_assert(offsetof(struct fz_payload_header_disk, meta_hash) == 104,
               "meta_hash closes the header");

/* ---------------------------------------------------------------- reader */

/* A validated view of a payload; it borrows the bytes it was opened on. */
typedef struct fz_payload fz_payload;

/* One entry as decoded from the index. `name` points into the payload. */
typedef struct fz_entry {
    const char *name; /* not NUL-terminated */
    size_t name_size;
    uint32_t index;
    fz_entry_kind kind;
    fz_compression compression;
    uint16_t flags;
    uint32_t mode;
    uint64_t offset; /* absolute, from the start of the payload */
    uint64_t stored_size;
    uint64_t raw_size;
    uint64_t hash;
} fz_entry;

/*
 * Validate `size` bytes at `data` (hostile: every field is checked, O(entry
 * count)) and return a view in *out. The bytes must outlive the view.
 * `python_version`/`bytecode_magic` are what the caller runs with; pass 0 to
 * skip that check. Errors: FZ_EMAGIC (not a payload), FZ_EVERSION (newer
 * format), FZ_EPYVERSION (other CPython or bytecode), FZ_EFORMAT (damaged),
 * FZ_ENOMEM. On failure *out is NULL.
 */
int fz_payload_open(fz_payload **out, const void *data, size_t size,
                    uint32_t python_version, uint32_t bytecode_magic);

/*
 * Where a view opened with fz_payload_open_fetch gets bytes: copy `size`
 * bytes at payload offset `offset` into `buf`. Returns 0, or a negative
 * fz_status with the error slot set (short data is FZ_EFORMAT).
 */
typedef int (*fz_payload_fetch_fn)(void *ctx, uint64_t offset, void *buf,
                                   size_t size);

/*
 * Like fz_payload_open for a payload of `total_size` bytes that is not in
 * memory: the header, index, names and dictionary are fetched once (and
 * owned by the view), entry data only when fz_payload_read asks for it.
 * The runtime reads its payload this way: a program reads only the entries
 * it imports, and a mapping of the whole payload can end up resident whole.
 * `ctx` must outlive the view. Same errors as fz_payload_open, plus those
 * of `fetch`.
 */
int fz_payload_open_fetch(fz_payload **out, uint64_t total_size,
                          fz_payload_fetch_fn fetch, void *ctx,
                          uint32_t python_version, uint32_t bytecode_magic);

/*
 * A second view of `p`'s payload for another thread: it shares p's bytes
 * and validated index but has its own decoder, so fz_payload_read through
 * it may run while another thread reads through `p` (fetch-based views
 * need a `fetch` that is safe to call concurrently, as pread is). Free it
 * before `p`. FZ_ENOMEM, *out NULL, on failure.
 */
int fz_payload_share(fz_payload **out, const fz_payload *p);

/* Release a view (not the bytes). Accepts NULL. */
void fz_payload_free(fz_payload *p);

uint64_t fz_payload_entry_count(const fz_payload *p);
uint32_t fz_payload_python_version(const fz_payload *p);
uint32_t fz_payload_bytecode_magic(const fz_payload *p);
/* The header's FZ_PAYLOAD_F_* bits. */
uint32_t fz_payload_flags(const fz_payload *p);
/* XXH3-64 covering the header, index, names and dictionary; since every
 * entry's hash is in the index, it identifies the whole content. */
uint64_t fz_payload_content_hash(const fz_payload *p);

/*
 * For writers, the hashes as the reader checks them: an entry's (of its
 * `size` stored bytes), and the header's meta_hash of payload bytes `base`
 * whose header fields are in place, index and names and dictionary up to
 * `data_offset`.
 */
uint64_t fz_payload_entry_hash(const void *stored, size_t size);
uint64_t fz_payload_meta_hash(const void *base, uint64_t data_offset);

/* Decode entry `i` (< entry count) into *out. Never fails on a validated
 * payload. */
void fz_payload_entry_at(const fz_payload *p, uint64_t i, fz_entry *out);

/* Find the entry named exactly `name` (binary search). FZ_ENOTFOUND when
 * absent; does not set the error slot then (lookups miss all the time). */
int fz_payload_find(const fz_payload *p, const char *name, size_t name_size,
                    fz_entry *out);

/*
 * Index of the first entry whose name is >= `prefix` (entry count when
 * none): iterate from there while names start with `prefix` to list a
 * directory.
 */
uint64_t fz_payload_lower_bound(const fz_payload *p, const char *prefix,
                                size_t prefix_size);

/* The __main__ code entry; FZ_ENOTFOUND when the payload has none. */
int fz_payload_main(const fz_payload *p, fz_entry *out);

/*
 * Verify the hash of entry `e` and decompress it into `buf` (capacity
 * `cap` >= e->raw_size). Errors: FZ_EINVAL (buffer too small, or an
 * FZ_ENTRY_F_EXTERNAL entry, whose bytes are a file), FZ_EFORMAT
 * (corrupt stream or wrong size), FZ_EHASH (hash mismatch), FZ_ENOMEM.
 * Thread-compatible: callers serialise use of one fz_payload.
 */
int fz_payload_read(fz_payload *p, const fz_entry *e, void *buf, size_t cap);

/*
 * What can be checked of entry `e` before a buffer of e->raw_size bytes is
 * allocated for it: it exists, is not FZ_ENTRY_F_EXTERNAL, its size fits
 * in memory (else FZ_ENOMEM) and its zstd frame header declares that
 * size (else FZ_EFORMAT; an LZ4 block has no header, and open bounds its
 * raw size by 255 times its stored size), so a damaged index cannot make
 * a caller allocate gigabytes first. Errors as fz_payload_read's.
 */
int fz_payload_check(fz_payload *p, const fz_entry *e);

/*
 * Same as fz_payload_read, into a new malloc'd buffer owned by the caller
 * (*out, *out_size); one extra NUL byte is written after the data for
 * convenience.
 */
int fz_payload_read_alloc(fz_payload *p, const fz_entry *e, void **out,
                          size_t *out_size);

/*
 * A decoded entry that the reader lends out (fz_payload_borrow): `size`
 * bytes at `data`, valid until fz_payload_return. `owned` is for the
 * reader.
 */
typedef struct fz_payload_loan {
    const uint8_t *data;
    size_t size;
    void *owned;
} fz_payload_loan;

/* Entries larger than this are never decoded into the reader's buffer:
 * it lives as long as the view, and the largest module of the standard
 * library is a fraction of this. */
#define FZ_PAYLOAD_LEND_MAX ((uint64_t)1 << 20)

/*
 * Like fz_payload_read, for bytes that are used and dropped at once (code
 * to unmarshal): the reader decodes entry `e` into a buffer it keeps,
 * right after a copy of the LZ4 dictionary, so that LZ4 reads the
 * dictionary as a prefix of its output (twice as fast as from a separate
 * dictionary) and nothing is allocated per entry. One loan of that buffer
 * is out at a time: a borrow while it is out (an import run by a
 * finalizer during an unmarshal), or of an entry over FZ_PAYLOAD_LEND_MAX
 * bytes, gets a buffer of its own. Errors as fz_payload_read's; `loan` is
 * then empty. Callers serialise use of one fz_payload (the runtime holds
 * the GIL) and return every loan before fz_payload_free.
 */
int fz_payload_borrow(fz_payload *p, const fz_entry *e, fz_payload_loan *loan);

/* End a loan of fz_payload_borrow (an empty one is fine). */
void fz_payload_return(fz_payload *p, fz_payload_loan *loan);

/* A human name for a kind ("module", "data", ...) or "unknown". */
const char *fz_entry_kind_name(int kind);

/* ---------------------------------------------------------------- writer */

typedef struct fz_payload_writer fz_payload_writer;

/*
 * An optional cache of compressed entries and trained dictionaries the
 * writer consults (the freezer's build cache). Keys are 16 bytes (XXH3-128
 * of everything the result depends on). get returns 1 and a malloc'd copy
 * in *out on a hit, 0 on a miss; put stores, its failure is ignored. Both
 * are called from several threads at once. What get returns is checked
 * before use.
 */
typedef struct fz_payload_cache {
    void *ctx;
    int (*get)(void *ctx, const uint8_t *key, void **out, size_t *out_size);
    int (*put)(void *ctx, const uint8_t *key, const void *data, size_t size);
} fz_payload_cache;

typedef struct fz_payload_writer_options {
    uint32_t python_version;
    uint32_t bytecode_magic;
    int level;          /* zstd level of the entries that are not code;
                           0 means the default (19) */
    int use_dictionary; /* train a dictionary on MODULE/PACKAGE entries */
    size_t dict_max;    /* training capacity; 0 means 64 KiB. The payload
                           keeps at most the last 64 KiB of content. */
    unsigned threads;   /* compression threads; 0: one per CPU, up to 8.
                           The output does not depend on it. */
    const fz_payload_cache *cache; /* NULL: no cache; borrowed, must
                                      outlive the writer */
    /* Called after each entry is compressed with about `done` of `total`
     * entries finished, from any compression thread at once; may be NULL.
     * Only for progress display: it cannot change the output. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} fz_payload_writer_options;

int fz_payload_writer_new(fz_payload_writer **out,
                          const fz_payload_writer_options *opts);
void fz_payload_writer_free(fz_payload_writer *w);

/*
 * Add an entry; the writer copies `name` and `data`. Names are validated by
 * the reader's rules (FZ_EINVAL otherwise) and must be unique (FZ_EINVAL on
 * a duplicate). `mode` is the permission bits for extraction.
 */
int fz_payload_writer_add(fz_payload_writer *w, const char *name,
                          fz_entry_kind kind, uint16_t flags, uint32_t mode,
                          const void *data, size_t size);

/* Name the __main__ entry (must be added, of kind MODULE, before finish). */
int fz_payload_writer_set_main(fz_payload_writer *w, const char *name);

/*
 * Produce the payload: a new malloc'd buffer owned by the caller. The same
 * set of entries gives the same bytes whatever order they were added in.
 */
int fz_payload_writer_finish(fz_payload_writer *w, void **out,
                             size_t *out_size);

/* Shared by writer and reader: is `name` an acceptable entry name? */
int fz_payload_name_valid(const char *name, size_t size);

#endif /* FZ_PAYLOAD_H */
