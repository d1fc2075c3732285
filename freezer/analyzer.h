/*
 * analyzer.h - the module graph: which modules a program imports, found by
 * parsing (never running) its code with the embedded CPython's parser.
 * Used by the collector and reported by `freeze -v`.
 */
#ifndef FZ_ANALYZER_H
#define FZ_ANALYZER_H

#include "buf.h"

#include <stddef.h>

typedef enum fz_module_kind {
    FZ_MOD_SOURCE = 1, /* a .py module */
    FZ_MOD_PACKAGE,    /* a package's __init__.py */
    FZ_MOD_EXTENSION,  /* a C extension module (.so) */
    FZ_MOD_BUILTIN,    /* compiled into libpython */
    FZ_MOD_FROZEN,     /* frozen into libpython (never bundled) */
    FZ_MOD_NAMESPACE,  /* PEP 420 namespace package */
    FZ_MOD_MISSING     /* not found (or not usable, see reason) */
} fz_module_kind;

typedef enum fz_module_origin {
    FZ_ORIGIN_NONE = 0, /* builtin, frozen, missing */
    FZ_ORIGIN_APP,      /* found under the script's directory */
    FZ_ORIGIN_STDLIB,   /* FZ_PY_STDLIB / FZ_PY_DYNLOAD */
    FZ_ORIGIN_SITE      /* the target environment's third-party dirs */
} fz_module_origin;

typedef struct fz_module {
    char *name; /* dotted name; the script's is its file stem */
    fz_module_kind kind;
    fz_module_origin origin;
    char *path;          /* file (or first namespace portion), or NULL */
    fz_strvec search;    /* __path__ of a package / namespace package */
    fz_strvec importers; /* names of the modules that import it */
    int optional;        /* every import of it is guarded (try/except) */
    int is_main;         /* the script */
    char *reason;        /* why it is in the graph, for -v */
    fz_buf source;       /* source bytes of SOURCE/PACKAGE (read once) */
    fz_strvec all;       /* a literal __all__, for star imports */
} fz_module;

typedef struct fz_graph fz_graph;

typedef struct fz_analyzer_config {
    const char *script;           /* the program (required) */
    const char *stdlib_dir;       /* NULL: FZ_PY_STDLIB */
    const char *dynload_dir;      /* NULL: FZ_PY_DYNLOAD */
    const char *stub_ext_dir;     /* stdlib modules the stub leaves out */
    const char *const *site_dirs; /* third-party sys.path entries */
    size_t site_count;
    const char *const *hidden; /* --hidden-import */
    size_t hidden_count;
    const char *const *excludes; /* --exclude-module */
    size_t exclude_count;
    int no_runtime_roots; /* tests: skip encodings/traceback roots */
    /* Hooks whose excluded_imports drop import edges; may be NULL. */
    const struct fz_hookset *hooks;
} fz_analyzer_config;

/*
 * Build the module graph of `cfg->script` and everything it imports,
 * statically. Needs fz_pyembed_init(). Application code is parsed, never
 * executed; every file read is treated as hostile input. Errors:
 * FZ_ESYNTAX ("file:line:col: message") when the script or one of the
 * application's own modules does not parse, FZ_EIO when the script cannot
 * be read, FZ_ENOMEM. Missing modules are not errors: they are nodes of
 * kind FZ_MOD_MISSING and lines in fz_graph_warnings (or fz_graph_notes
 * when every import of them is optional). On failure *out is NULL.
 */
int fz_analyze(fz_graph **out, const fz_analyzer_config *cfg);

/* Release a graph. Accepts NULL. */
void fz_graph_free(fz_graph *g);

/* Number of modules, and module `i` (< count) in discovery order, the
 * script first. Borrowed. */
size_t fz_graph_count(const fz_graph *g);
const fz_module *fz_graph_module(const fz_graph *g, size_t i);

/* The module named `name`, or NULL. Borrowed. */
const fz_module *fz_graph_find(const fz_graph *g, const char *name);

/* The script's module. Borrowed. */
const fz_module *fz_graph_main(const fz_graph *g);

/* One-line warnings (missing modules with their importers, unusable
 * third-party files) and notes (optional modules not found). Borrowed. */
const fz_strvec *fz_graph_warnings(const fz_graph *g);
const fz_strvec *fz_graph_notes(const fz_graph *g);

/*
 * Add `count` more root modules (hooks, plugins, trace, --collect-*) with
 * `reason` (shown by -v and the report), analyze what they import and
 * refresh the warnings. With `optional` set a name that is not found adds
 * nothing; otherwise it becomes a missing node and a warning. Errors: as
 * fz_analyze.
 */
int fz_graph_add_roots(fz_graph *g, const char *const *names, size_t count,
                       const char *reason, int optional);

/* Leave `name` and its submodules out of later additions (hook excludes);
 * modules already in the graph stay, the collector skips them. */
int fz_graph_exclude(fz_graph *g, const char *name);

/* 1 when `name` is `--exclude-module`d or fz_graph_exclude'd, else 0. */
int fz_graph_is_excluded(const fz_graph *g, const char *name);

/* The directories top-level modules are searched in: the script's
 * directory, the standard library, lib-dynload, then the target's
 * third-party directories. Borrowed. */
const fz_strvec *fz_graph_search_path(const fz_graph *g);

/* A human name for a kind ("source", "package", ...). */
const char *fz_module_kind_name(fz_module_kind kind);

#endif /* FZ_ANALYZER_H */
