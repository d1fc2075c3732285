/*
 * extras.h - everything beyond the static imports, decided after the
 * analyzer: hooks, entry-point plugins, dynamic imports, --trace,
 * --collect-*, package data by default, distribution metadata and
 * --add-data. Grows the module graph and returns the files to bundle with
 * the reason for each. Called by bundle.c; reported by report.c.
 */
#ifndef FZ_EXTRAS_H
#define FZ_EXTRAS_H

#include "analyzer.h"
#include "data.h"
#include "hooks.h"
#include "metadata.h"

typedef struct fz_extras_config {
    const char *script;               /* the program */
    const char *python;               /* target interpreter (--trace) */
    const fz_strvec *add_data;        /* --add-data SRC:DEST */
    const fz_strvec *exclude_data;    /* --exclude-data GLOB */
    const fz_strvec *collect_data;    /* --collect-data PKG */
    const fz_strvec *collect_submods; /* --collect-submodules PKG */
    const fz_strvec *collect_all;     /* --collect-all PKG */
    const fz_strvec *copy_metadata;   /* --copy-metadata DIST */
    const fz_strvec *recursive_meta;  /* --recursive-copy-metadata DIST */
    const fz_strvec *hooks_dirs;      /* --additional-hooks-dir DIR */
    int trace;                        /* --trace */
    const char *const *trace_argv;    /* arguments after "--" */
    size_t trace_argc;
    int no_default_hooks; /* tests: only hooks_dirs */
    /* The hooks, when the caller loaded them (fz_extras_load_hooks) to
     * give the analyzer too; NULL: fz_extras_run loads its own. */
    const fz_hookset *hooks;
} fz_extras_config;

typedef struct fz_extras {
    fz_filelist files;       /* sorted, unique entries (after the run) */
    fz_distset *dists;       /* every distribution of the environment */
    fz_strvec dists_bundled; /* "<name> <version>: <reason>" */
    fz_strvec hooks_applied; /* "<module>: <file>" */
    fz_strvec trace_modules; /* modules --trace added to the graph */
    fz_strvec trace_files;   /* entries --trace added */
    fz_strvec gi_libraries;  /* libraries the bundled typelibs name */
    fz_strvec warnings;      /* typelibs not found, metadata that cannot
                                be read for a bundled package */
    int trace_status;        /* exit status of the traced run */
    int traced;              /* --trace ran */
} fz_extras;

/*
 * Apply everything to `g` (which grows) and collect the extra files.
 * Errors: bad options (FZ_EINVAL, FZ_ENOTFOUND for --add-data sources,
 * --collect-* packages and --copy-metadata distributions that do not
 * exist), hook files that do not parse (FZ_EFORMAT), --trace failures
 * (FZ_EIO), the analyzer's errors, FZ_ENOMEM. On failure *out is NULL.
 */
int fz_extras_run(fz_extras **out, fz_graph *g, const fz_extras_config *cfg);

/*
 * The hooks `cfg` asks for: the built-in ones unless no_default_hooks,
 * then each --additional-hooks-dir (FZ_ENOTFOUND when one does not
 * exist). *out is freed with fz_hookset_free.
 */
int fz_extras_load_hooks(fz_hookset **out, const fz_extras_config *cfg);

/* Release. Accepts NULL. */
void fz_extras_free(fz_extras *x);

#endif /* FZ_EXTRAS_H */
