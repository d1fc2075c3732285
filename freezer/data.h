/*
 * data.h - files that are not code: package data found by default,
 * --add-data, hook binaries. A list of (file on disk, payload entry, kind,
 * reason) that the collector adds next to the modules; used by extras.c.
 */
#ifndef FZ_DATA_H
#define FZ_DATA_H

#include "analyzer.h"
#include "buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_file {
    char *src;     /* the file on disk */
    char *entry;   /* payload entry name, relative to the bundle root */
    int kind;      /* FZ_ENTRY_DATA, FZ_ENTRY_METADATA, FZ_ENTRY_NATIVE_LIB */
    uint32_t mode; /* 0644 or 0755 */
    char *reason;  /* why it is there ("data of package x", ...) */
    uint64_t size; /* bytes on disk when added */
    size_t seq;    /* order of addition: the first of duplicates wins */
} fz_file;

typedef struct fz_filelist {
    fz_file *items;
    size_t count;
    size_t cap;
} fz_filelist;

/*
 * Add one file. Entries are checked with fz_payload_name_valid
 * (FZ_EINVAL with the name otherwise). Duplicates are allowed here and
 * resolved by fz_filelist_finish. Errors: FZ_EINVAL, FZ_ENOMEM.
 */
int fz_filelist_add(fz_filelist *l, const char *src, const char *entry,
                    int kind, const char *reason);

/* Sort by entry name and drop later duplicates of an entry. */
void fz_filelist_finish(fz_filelist *l);

/* Release everything. Accepts a zeroed list. */
void fz_filelist_dispose(fz_filelist *l);

/*
 * 1 when `name` (an entry name such as "pkg/data/x.txt") matches the glob
 * `pattern`: fnmatch(3) rules where '*' also crosses '/', tried against the
 * whole name and against its last component. Else 0.
 */
int fz_data_glob_match(const char *pattern, const char *name);

/* 1 when a file of that base name is code, never package data: *.py,
 * *.pyc, *.pyo, *.pyi, shared objects (*.so, *.so.N: extensions and
 * native libraries are collected as such). Else 0. */
int fz_data_is_code(const char *base);

/*
 * Add the data files of package `m` (a regular or namespace package of
 * the graph): every non-code file below its directories, minus
 * __pycache__ and files matching one of `exclude` (globs). Directories
 * holding an __init__.py are subpackages and are skipped unless `all` is
 * set (--collect-data): they get their own call when they are collected.
 * For the standard library, the packages ensurepip, idlelib and test and
 * directories named test, tests or idle_test are skipped unless `all`.
 * Symbolic links are followed; depth is bounded. Errors: FZ_ENOMEM,
 * FZ_EINVAL (an unusable file name).
 */
int fz_data_add_package(fz_filelist *l, const fz_module *m,
                        const fz_strvec *exclude, int all, const char *reason);

/*
 * --add-data / hook binaries: `spec` is "SRC:DEST" where SRC is a file, a
 * directory (added recursively) or a glob, and DEST the directory inside
 * the bundle ("." for its root). Relative SRC paths are relative to
 * `base_dir` (NULL: the current directory). `kind` is the entry kind.
 * Errors: FZ_EINVAL (bad spec, DEST leaving the bundle), FZ_ENOTFOUND
 * (SRC matches nothing), FZ_ENOMEM.
 */
int fz_data_add_spec(fz_filelist *l, const char *spec, const char *base_dir,
                     int kind, const char *reason);

/*
 * The submodules of package `m` found on disk (for --collect-submodules):
 * its .py modules, subpackages with __init__.py and extension modules,
 * recursively, as dotted names appended to `out` in sorted order.
 * Directories named __pycache__ are skipped. Errors: FZ_ENOMEM.
 */
int fz_data_list_submodules(fz_strvec *out, const fz_module *m);

#endif /* FZ_DATA_H */
