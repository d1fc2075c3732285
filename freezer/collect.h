/*
 * collect.h - turn the module graph into payload entries (names per
 * docs/internals.md) and produce the payload bytes with the writer.
 */
#ifndef FZ_COLLECT_H
#define FZ_COLLECT_H

#include "analyzer.h"
#include "buildcache.h"
#include "data.h"
#include "natives.h"
#include "progress.h"
#include "stages.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_collect_stats {
    size_t entries;     /* payload entries */
    size_t modules;     /* MODULE + PACKAGE entries */
    size_t sources;     /* SOURCE entries (the application's own code) */
    size_t extensions;  /* EXTENSION entries */
    size_t native_libs; /* NATIVE_LIB entries (the library closure) */
    size_t data_files;  /* DATA and METADATA entries from `files` */
    uint64_t raw_bytes; /* sum of entry sizes before compression */
} fz_collect_stats;

/*
 * Compile every SOURCE/PACKAGE module of `g` (optimization `optimize`),
 * keep the source of the application's own modules, add extension modules
 * (mode 0755), name the script the main entry, and produce the payload
 * (zstd level 19 with a dictionary): *out is malloc'd, owned by the caller.
 * With `natives` (may be NULL), every extension's library closure goes
 * into it and, after fz_natives_finish, its libraries become NATIVE_LIB
 * entries (mode 0755) with the FZ_NATIVES_NEEDS_ENTRY table.
 * `files` (may be NULL): package data, metadata and other extra files
 * (extras.c), each read from disk into an entry of its kind; an entry that
 * the modules already provide is skipped.
 * `cache` (may be NULL): compiled code, compressed entries and the
 * dictionary are taken from and put into this build cache.
 * `times` gets the seconds of the collect, compile and compression
 * stages added (stages.h).
 * `progress` (may be NULL): the "compressing" stage and its steps.
 * Errors: FZ_ESYNTAX (a module does not compile), FZ_EIO (a file cannot be
 * read), FZ_ENOMEM, those of fz_natives_*, and the writer's errors. *out
 * is NULL on failure.
 */
int fz_collect(void **out, size_t *out_size, fz_collect_stats *stats,
               fz_stage_times *times, const fz_graph *g, int optimize,
               fz_natives *natives, const fz_filelist *files,
               fz_buildcache *cache, const fz_progress *progress);

/*
 * The payload entry name of module `m`'s code ("a/b.pyc",
 * "a/b/__init__.pyc"; the script: "<stem>.pyc"), or for an extension its
 * file ("a/b.cpython-311-x86_64-linux-gnu.so"). malloc'd; NULL when the
 * module has no entry of its own (builtin, frozen, namespace, missing).
 */
char *fz_collect_entry_name(const fz_module *m);

#endif /* FZ_COLLECT_H */
