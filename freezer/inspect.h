/*
 * inspect.h - look inside a frozen app: its payload entries, totals by
 * package, JSON, and extraction to a directory (`freeze inspect`).
 */
#ifndef FZ_INSPECT_H
#define FZ_INSPECT_H

#include "buf.h"
#include "fz_payload.h"
#include "progress.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_inspect {
    char *path;              /* the executable */
    uint64_t payload_offset; /* file offset of the payload section */
    uint64_t payload_size;
    uint32_t python_version; /* (major << 24) | (minor << 16) */
    uint64_t dict_size;      /* bytes of the zstd dictionary */
    char *main_entry;        /* the __main__ entry's name, or NULL */
    void *bytes;             /* the payload, owned */
    fz_payload *payload;     /* a validated view of `bytes` */
} fz_inspect;

/* One line of "totals by package". */
typedef struct fz_inspect_total {
    char *package; /* first path component; see fz_inspect_package */
    uint64_t raw;
    uint64_t stored;
    size_t entries;
} fz_inspect_total;

/*
 * Read and validate the payload of the frozen app `exe` (hostile input:
 * the payload reader checks every field; any CPython version is
 * accepted). *out is freed with fz_inspect_free. Errors: FZ_EIO,
 * FZ_EFORMAT (not ELF, damaged payload), FZ_ENOTFOUND (no payload
 * section: not made by freeze), FZ_EMAGIC, FZ_EVERSION, FZ_ENOMEM.
 */
int fz_inspect_open(fz_inspect **out, const char *exe);

/* Release. Accepts NULL. */
void fz_inspect_free(fz_inspect *in);

/*
 * The package an entry counts towards: its first path component without
 * a file extension ("json/decoder.pyc" -> "json", "app.pyc" -> "app",
 * "foo-1.0.dist-info/METADATA" -> "foo-1.0.dist-info"). malloc'd.
 */
char *fz_inspect_package(const char *name, size_t size);

/*
 * Totals by package, largest stored size first (ties by name). *out is
 * freed with fz_inspect_totals_free. Errors: FZ_ENOMEM.
 */
int fz_inspect_totals(fz_inspect_total **out, size_t *count,
                      const fz_inspect *in);
void fz_inspect_totals_free(fz_inspect_total *t, size_t count);

/* Everything as JSON into `out` (replacing it). Errors: FZ_ENOMEM. */
int fz_inspect_json(fz_buf *out, const fz_inspect *in);

/*
 * Write every entry (SOURCE entries included) below `dir`, created when
 * missing, with the entry's permission bits. Directories are made inside
 * `dir` without following a symlink and files are created new (O_EXCL,
 * O_NOFOLLOW): nothing is written outside `dir` and nothing existing is
 * overwritten. Each entry is decompressed and its hash checked.
 * *written: the entries written; `progress` (may be NULL) gets a step per
 * entry. Errors: FZ_EIO (with the entry's name;
 * also an existing file or a symlink in the way), FZ_EFORMAT, FZ_EHASH.
 */
int fz_inspect_extract(fz_inspect *in, const char *dir, size_t *written,
                       const fz_progress *progress);

#endif /* FZ_INSPECT_H */
