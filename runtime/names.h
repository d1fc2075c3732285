/*
 * names.h - how module names map to payload entry names (the rules of
 * docs/internals.md), for the runtime's importer and its unit tests.
 */
#ifndef FZ_NAMES_H
#define FZ_NAMES_H

#include "fz_payload.h"

#include <stddef.h>

typedef enum fz_module_kind {
    FZ_MODULE_NONE = 0,  /* not a module */
    FZ_MODULE_PLAIN,     /* a/b/c.pyc */
    FZ_MODULE_PACKAGE,   /* a/b/c/__init__.pyc */
    FZ_MODULE_EXTENSION, /* a/b/c.<EXT_SUFFIX>, .abi3.so or .so */
    FZ_MODULE_NAMESPACE  /* some entry starts with a/b/c/, no __init__ */
} fz_module_kind;

/* What a module path resolves to in a payload. */
typedef struct fz_module_info {
    fz_module_kind kind;
    fz_entry entry; /* the code or extension entry (not for namespace) */
    int has_source; /* a SOURCE entry exists (then `file` ends in .py) */
    char *file;     /* relative __file__, NUL-terminated; NULL for a
                       namespace package */
    size_t file_size;
} fz_module_info;

/*
 * Convert the dotted module name "a.b.c" into the relative path "a/b/c"
 * (a new NUL-terminated malloc'd string in *out, its length in
 * *out_size). Errors: FZ_EINVAL when a component is empty or holds '/',
 * '\\' or NUL (such a name can never be an entry), FZ_ENOMEM.
 */
int fz_names_dotted_to_path(char **out, size_t *out_size, const char *dotted,
                            size_t size);

/*
 * Resolve the module path "a/b/c" (as from fz_names_dotted_to_path) in
 * `p`: package, else module, else extension, else namespace package.
 * Fills *out (release with fz_module_info_clear). Errors: FZ_ENOTFOUND
 * (without setting the error slot: misses are normal), FZ_ENOMEM.
 */
int fz_names_lookup(fz_module_info *out, const fz_payload *p, const char *path,
                    size_t size);

/* Free what fz_names_lookup allocated and zero *m. Accepts a zeroed m. */
void fz_module_info_clear(fz_module_info *m);

/*
 * Does any entry name start with "<dir>/" (the directory `dir` exists in
 * the bundle)? An empty `dir` is the root, which always exists.
 */
int fz_names_is_dir(const fz_payload *p, const char *dir, size_t size);

/*
 * If the basename `base` names a module file (".pyc", or an extension
 * suffix), return the module kind and its stem length in *stem;
 * FZ_MODULE_NONE for anything else (sources, data, "__init__.pyc" is
 * reported as FZ_MODULE_PLAIN with stem "__init__").
 */
fz_module_kind fz_names_module_stem(const char *base, size_t size,
                                    size_t *stem);

/* Called once per child module; non-zero stops the listing with that. */
typedef int (*fz_names_child_fn)(void *ctx, const char *name, size_t size,
                                 int is_package);

/*
 * List the modules directly inside directory `dir` ("" for the root,
 * else "a/b" without a trailing '/'), in entry order: module files give
 * (stem, 0), subdirectories holding "__init__.pyc" give (name, 1);
 * "__init__" itself and directories without __init__ are skipped, like
 * pkgutil does for a file system directory. A name may be reported twice
 * (e.g. c.pyc and c.so); callers dedupe. Runs in O(children * log n).
 * Returns 0, the callback's non-zero value, or FZ_ENOMEM.
 */
int fz_names_list(const fz_payload *p, const char *dir, size_t size,
                  fz_names_child_fn fn, void *ctx);

#endif /* FZ_NAMES_H */
