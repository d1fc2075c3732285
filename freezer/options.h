/*
 * options.h - the freeze command line: parsed into fz_options by
 * fz_options_parse (no printing); main.c reports.
 */
#ifndef FZ_OPTIONS_H
#define FZ_OPTIONS_H

#include "buf.h"

typedef struct fz_options {
    const char *script;         /* the program to freeze (borrowed from argv) */
    const char *name;           /* --name */
    const char *distpath;       /* --distpath (default "dist") */
    const char *output;         /* -o: exact output path */
    const char *python;         /* --python */
    fz_strvec hidden_imports;   /* --hidden-import, in order */
    fz_strvec excludes;         /* --exclude-module, in order */
    fz_strvec exclude_binaries; /* --exclude-binary GLOB */
    fz_strvec add_binaries;     /* --add-binary SRC:DEST */
    const char *max_glibc;      /* --max-glibc X.Y */
    const char *qt_plugins;     /* --qt-plugins GROUPS (qt.h) */
    fz_strvec add_data;         /* --add-data SRC:DEST */
    fz_strvec exclude_data;     /* --exclude-data GLOB */
    fz_strvec collect_data;     /* --collect-data PKG */
    fz_strvec collect_submods;  /* --collect-submodules PKG */
    fz_strvec collect_all;      /* --collect-all PKG */
    fz_strvec copy_metadata;    /* --copy-metadata DIST */
    fz_strvec recursive_meta;   /* --recursive-copy-metadata DIST */
    fz_strvec hooks_dirs;       /* --additional-hooks-dir DIR */
    int trace;                  /* --trace */
    char **trace_argv;          /* after "script --": the traced run's
                                   arguments (borrowed from argv) */
    int trace_argc;
    int optimize;        /* --optimize 0..2 (default 0) */
    const char *config;  /* --config FILE */
    const char *explain; /* --explain MODULE */
    int verbose;         /* -v: 1, -vv: 2 */
    int quiet;           /* -q */
    int no_cache;        /* --no-cache */
    int help;            /* --help / -h: print usage, nothing else */
    int version;         /* --version */
    /* What users receive (package.h) */
    int onedir;              /* --onedir */
    int compress_runtime;    /* fz_compress_runtime_mode (compress_runtime.h) */
    const char *icon;        /* --icon FILE (PNG or SVG) */
    int windowed;            /* --windowed */
    const char *app_id;      /* --app-id ID (reverse DNS) */
    const char *app_version; /* --app-version VERSION */
    const char *description; /* --description TEXT */
    const char *categories;  /* --categories LIST */
    const char *maintainer;  /* --maintainer "Name <email>" */
    int desktop;             /* --desktop */
    int deb;                 /* --deb */
    int installer;           /* --installer */
    int app;                 /* --app */
} fz_options;

/*
 * Parse argv (argv[0] is the program). Accepts "--opt value" and
 * "--opt=value", "--" ends options. Strings are borrowed from argv; the
 * lists are owned (fz_options_dispose). Errors: FZ_EINVAL with the one-line
 * usage error in the error slot ("unrecognized option '--frobnicate'",
 * "the following arguments are required: script", ...), main exits 2.
 */
int fz_options_parse(fz_options *out, int argc, char **argv);

/* Release the lists. */
void fz_options_dispose(fz_options *opts);

/*
 * The i-th option that [tool.freeze] may set (config.h): its long name
 * without "--" ("hidden-import"), and in *takes_value whether it takes an
 * argument. NULL past the last one. --help, --version, --config and
 * --explain are actions, not settings.
 */
const char *fz_options_config_key(size_t i, int *takes_value);

/* The --help text. */
const char *fz_options_usage(void);

#endif /* FZ_OPTIONS_H */
