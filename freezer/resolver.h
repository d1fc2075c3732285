/*
 * resolver.h - find a module's file the way CPython's PathFinder and
 * FileFinder do: packages, extension modules, source modules and PEP 420
 * namespace portions, in search-path order. Used by the analyzer.
 */
#ifndef FZ_RESOLVER_H
#define FZ_RESOLVER_H

#include "buf.h"

typedef enum fz_found_kind {
    FZ_FOUND_NONE = 0,
    FZ_FOUND_SOURCE,    /* dir/name.py */
    FZ_FOUND_PACKAGE,   /* dir/name/__init__.py */
    FZ_FOUND_EXTENSION, /* dir/name.<EXT_SUFFIX> | .abi3.so | .so */
    FZ_FOUND_NAMESPACE  /* only directories without __init__.py */
} fz_found_kind;

typedef struct fz_found {
    fz_found_kind kind;
    char *path;       /* the file; for a namespace its first portion */
    fz_strvec search; /* __path__ of a package or namespace package */
    size_t dir_index; /* which entry of `paths` held it (first portion) */
} fz_found;

/*
 * Look for the module whose last name component is `tail` in each
 * directory of `paths`, in order. A regular package or module in an earlier
 * directory wins; directories without __init__.py only count as namespace
 * portions when no directory holds a package or module. `out` is reset and
 * owned by the caller (fz_found_dispose). Errors: FZ_ENOMEM only; "not
 * found" is kind FZ_FOUND_NONE.
 */
int fz_resolve_find(fz_found *out, const char *tail, const fz_strvec *paths);

/* Release what `found` holds and reset it. */
void fz_found_dispose(fz_found *found);

#endif /* FZ_RESOLVER_H */
