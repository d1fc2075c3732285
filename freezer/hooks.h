/*
 * hooks.h - declarative hook files: freezer/hooks/<module>.toml says what a
 * package needs beyond its imports (hidden imports, submodules, data,
 * metadata, excludes, binaries, data outside the package). Read with tomllib in
 * the embedded interpreter; applied by extras.c when <module> is in the graph.
 */
#ifndef FZ_HOOKS_H
#define FZ_HOOKS_H

#include "buf.h"

typedef struct fz_hook {
    char *module; /* the file's stem: the module that triggers it */
    char *file;   /* where it was read from */
    fz_strvec hidden_imports;
    fz_strvec collect_submodules;
    fz_strvec collect_data;
    fz_strvec copy_metadata;
    fz_strvec excludes;
    fz_strvec binaries; /* "SRC:DEST" as --add-data, native libraries */
    fz_strvec datas;    /* "SRC:DEST" as --add-data, data files */
    /* Imports that the hooked package's own modules make but do not need
     * (an optional toolkit): those edges are not followed, so the module
     * comes only if something else imports it. Known before the analysis
     * (fz_hooks_edge_excluded), unlike the keys above. */
    fz_strvec excluded_imports;
} fz_hook;

typedef struct fz_hookset {
    fz_hook *items;
    size_t count;
} fz_hookset;

/*
 * Parse one hook file (hostile input: only the eight keys above, each a list
 * of strings or one string, are accepted). `out` is reset and owned by the
 * caller (fz_hook_dispose). Errors: FZ_EFORMAT ("<file>: unknown key
 * 'x'", TOML syntax errors with their line), FZ_EIO, FZ_ENOMEM. Needs
 * fz_pyembed_init().
 */
int fz_hook_parse(fz_hook *out, const char *path);

/* Release what a hook holds. */
void fz_hook_dispose(fz_hook *h);

/*
 * Load every *.toml of `dirs`, in order; a later directory's hook for the
 * same module replaces an earlier one (--additional-hooks-dir overrides
 * the built-in hooks). A directory that does not exist is skipped.
 * Errors: those of fz_hook_parse. On failure *out is NULL.
 */
int fz_hooks_load(fz_hookset **out, const fz_strvec *dirs);

/* Release a set. Accepts NULL. */
void fz_hookset_free(fz_hookset *s);

/* The hook for `module`, or NULL. Borrowed. */
const fz_hook *fz_hooks_find(const fz_hookset *s, const char *module);

/*
 * Does a hook of `s` drop the import of `name` by `importer`: `importer` is
 * the hook's module or inside it, and `name` is one of its
 * excluded_imports or inside one. NULL `s` drops nothing.
 */
int fz_hooks_edge_excluded(const fz_hookset *s, const char *importer,
                           const char *name);

/*
 * The built-in hook directory: <dir of freeze>/../share/freeze/hooks when
 * it exists (installed), else the source tree's freezer/hooks (a build
 * tree). malloc'd; NULL (FZ_ENOTFOUND) when neither exists.
 */
char *fz_hooks_default_dir(void);

#endif /* FZ_HOOKS_H */
