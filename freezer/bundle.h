/*
 * bundle.h - the whole freeze: target environment, analysis, collection,
 * payload, attach to the runtime stub, atomic output. Called by main.c.
 */
#ifndef FZ_BUNDLE_H
#define FZ_BUNDLE_H

#include "analyzer.h"
#include "collect.h"
#include "extras.h"
#include "package.h"
#include "progress.h"
#include "pyenv.h"
#include "stages.h"

#include <stdint.h>

typedef struct fz_freeze_config {
    const char *script;   /* required */
    const char *name;     /* NULL: the script's stem */
    const char *distpath; /* NULL: "dist" */
    const char *output;   /* exact output path, overrides distpath/name */
    const char *python;   /* NULL: $VIRTUAL_ENV/bin/python, else default */
    const char *stub;     /* NULL: fz_bundle_find_stub() */
    const char *const *hidden;
    size_t hidden_count;
    const char *const *excludes;
    size_t exclude_count;
    int optimize;
    const char *const *exclude_binaries; /* --exclude-binary GLOB */
    size_t exclude_binary_count;
    const char *const *add_binaries; /* --add-binary SRC:DEST */
    size_t add_binary_count;
    const char *max_glibc;   /* --max-glibc X.Y, or NULL */
    const char *qt_plugins;  /* --qt-plugins GROUPS (qt.h), or NULL */
    fz_extras_config extras; /* data, metadata, hooks, --trace (extras.h);
                                its script and python are filled in */
    int write_report;        /* write <output>.report.json and .report.html (and
                                .trace.json) */
    const fz_progress *progress; /* stage and step callbacks, or NULL */
    int no_cache;                /* --no-cache: no build cache at all */
    const char *cache_dir;       /* NULL: $XDG_CACHE_HOME/freeze/build */
    const char *const *argv;     /* the arguments minus -v/-q, for the build
                                    key (rebuild.h); may be NULL */
    size_t argc;
    int onedir; /* --onedir: <dist>/<name>/<name> + _internal (onedir.h) */
    /* fz_compress_runtime_mode: whether a onefile app is fz-launcher + the
     * runtime compressed in the payload (compress_runtime.h) */
    int compress_runtime;
    const fz_package_config *package; /* desktop, .deb, installer, .app
                                         (package.h); NULL: none */
} fz_freeze_config;

typedef struct fz_freeze_result {
    char *output;        /* the executable written */
    char *python;        /* the target interpreter that was asked */
    char *stub;          /* the runtime stub used */
    uint64_t size;       /* bytes of the executable */
    size_t payload_size; /* bytes of the payload section */
    fz_collect_stats stats;
    fz_graph *graph;      /* the analysis, owned by the result */
    fz_natives *natives;  /* library closure and glibc floor, owned */
    fz_extras *extras;    /* data, metadata, hooks, trace; owned */
    char *report;         /* the JSON report written, or NULL */
    fz_stage_times times; /* each stage's wall seconds (stages.h) */
    double total_seconds;
    /* The build cache. cached: nothing changed since a stored build, its
     * payload was reused; then graph, natives and extras are NULL and the
     * floors and warnings below stand in for them. */
    int cached;
    char *glibc_floor;
    char *glibcxx_floor;
    fz_strvec cached_warnings;       /* fz_natives_warnings */
    fz_strvec cached_graph_warnings; /* fz_graph_warnings */
    size_t cache_hits;               /* entries found in the cache (-v) */
    size_t cache_misses;             /* entries that were not */
    char *shipped_cache;             /* -v: installed cache used, or why not */
    char *onedir;                    /* the onedir directory, or NULL */
    int compressed_runtime; /* the output is fz-launcher + the runtime */
    fz_strvec packages;              /* the packages written (package.h) */
} fz_freeze_result;

/*
 * Freeze cfg->script into one executable. Starts the embedded Python when
 * needed. *out (fz_freeze_result_free) holds the report; warnings are in
 * fz_graph_warnings(result->graph). Errors: those of fz_pyenv_query,
 * fz_analyze, fz_collect, fz_elf_attach, and FZ_ENOTFOUND when no runtime
 * stub exists. On failure nothing is written and *out is NULL.
 */
int fz_freeze(fz_freeze_result **out, const fz_freeze_config *cfg);

/* Release a result. Accepts NULL. */
void fz_freeze_result_free(fz_freeze_result *r);

/*
 * The runtime stub: bin/fz-runtime beside the running freeze executable
 * (a build tree), else <dir>/../lib/freeze/fz-runtime (installed), else
 * $FZ_RUNTIME_STUB. *out is malloc'd. FZ_ENOTFOUND with the places
 * looked at when none exists.
 */
int fz_bundle_find_stub(char **out);

/*
 * Where the modules the stub leaves out of libpython (unicodedata) are, as
 * extension modules: fz-ext/ beside `stub`. malloc'd; NULL when out of
 * memory.
 */
char *fz_bundle_stub_ext_dir(const char *stub);

/* The analysis settings of a freeze: cfg's script, imports and excludes,
 * env's site directories and the stub's fz-ext directory (borrowed). */
void fz_bundle_analyzer_config(fz_analyzer_config *acfg,
                               const fz_freeze_config *cfg, const fz_pyenv *env,
                               const char *ext_dir);

#endif /* FZ_BUNDLE_H */
