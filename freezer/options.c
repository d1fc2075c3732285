/*
 * options.c - command-line parsing for freeze (options.h).
 */
#include "options.h"

#include "compress_runtime.h"
#include "fz_error.h"

#include <string.h>

static const char usage[] =
    "usage: freeze [options] script.py [-- ARG...]\n"
    "       freeze --explain MODULE [options] script.py\n"
    "       freeze inspect [--json] [--extract DIR] APP\n"
    "\n"
    "Turn a Python program into one native executable (dist/<name>), with\n"
    "a build report next to it (<name>.report.json and .report.html).\n"
    "\n"
    "positional arguments:\n"
    "  script.py             the program to freeze\n"
    "  ARG...                arguments of the --trace run\n"
    "\n"
    "options:\n"
    "  -h, --help            show this help and exit\n"
    "  --version             show the version and exit\n"
    "\n"
    "What to generate:\n"
    "  --onefile             one executable file (the default)\n"
    "  --onedir              a directory: NAME/NAME and NAME/_internal/\n"
    "  --compress-runtime    a smaller onefile app: the runtime is stored\n"
    "                        compressed and unpacked once per user (the\n"
    "                        default for apps that unpack files anyway)\n"
    "  --no-compress-runtime\n"
    "                        keep the runtime whole: nothing unpacked for it\n"
    "  --icon FILE           app icon: a square PNG or an SVG\n"
    "  --windowed            a GUI app: no terminal (Terminal=false)\n"
    "  --app-id ID           reverse-DNS id (desktop file, icon, .app)\n"
    "  --app-version V       the app's version (default 0.1.0)\n"
    "  --description TEXT    one-line description (desktop file, .deb)\n"
    "  --categories LIST     desktop categories (default 'Utility;')\n"
    "  --maintainer WHO      .deb Maintainer, \"Name <email>\"\n"
    "  --desktop             write NAME.desktop-files/ (entry + icon)\n"
    "  --deb                 also a Debian package (implies --onedir)\n"
    "  --installer           also NAME-installer, a per-user installer\n"
    "                        (implies --onedir)\n"
    "  --app                 also NAME.app, the macOS bundle layout\n"
    "  --name NAME           name of the executable (default: the script's)\n"
    "  --distpath DIR        where to put the executable (default: ./dist)\n"
    "  -o, --output PATH     exact output path (overrides --distpath/--name)\n"
    "\n"
    "What to bundle, where to search:\n"
    "  --add-data SRC:DEST   bundle file, directory or glob SRC in DEST\n"
    "                        ('.' is the bundle root; repeatable)\n"
    "  --add-binary SRC:DEST bundle the shared library SRC (and what it\n"
    "                        needs) in directory DEST of the bundle\n"
    "  --python PATH         target interpreter whose site-packages are used\n"
    "                        (default: $VIRTUAL_ENV/bin/python, else the\n"
    "                        Python freeze was built for)\n"
    "  --hidden-import MOD   also bundle MOD (repeatable)\n"
    "  --collect-submodules PKG  every submodule of PKG\n"
    "  --collect-data PKG    all data of PKG, subpackages included\n"
    "  --collect-all PKG     submodules, data and metadata of PKG\n"
    "  --copy-metadata DIST  bundle the metadata of distribution DIST\n"
    "  --recursive-copy-metadata DIST  ... and of what DIST requires\n"
    "  --additional-hooks-dir DIR  hook files (<module>.toml) in DIR\n"
    "  --exclude-module MOD  leave MOD and its submodules out (repeatable)\n"
    "  --exclude-data GLOB   leave out package data matching GLOB\n"
    "  --exclude-binary GLOB do not bundle shared libraries matching GLOB\n"
    "  --trace               run the program once (with the arguments after\n"
    "                        'script.py --') and bundle what it imported and\n"
    "                        opened\n"
    "\n"
    "How to generate:\n"
    "  --optimize {0,1,2}    bytecode optimization level, as python -O\n"
    "  --max-glibc X.Y       fail when a bundled file needs a newer glibc\n"
    "  --qt-plugins GROUPS   Qt plugin groups to bundle: 'a,b' replaces the\n"
    "                        defaults, '+a,-b' adds/drops, 'all' (docs)\n"
    "  --no-cache            neither use nor fill the build cache\n"
    "                        ($XDG_CACHE_HOME/freeze/build)\n"
    "\n"
    "Configuration:\n"
    "  --config FILE         read [tool.freeze] from FILE (default: the\n"
    "                        pyproject.toml next to the script, if any);\n"
    "                        each option above is a key of the same name,\n"
    "                        and the command line wins\n"
    "\n"
    "Output:\n"
    "  -v, --verbose         say why each module and file is included and\n"
    "                        which hooks fired; -vv: also every importer\n"
    "  -q, --quiet           print only errors\n"
    "  --explain MODULE      print the import chain that brings MODULE in,\n"
    "                        then exit (nothing is built)\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 usage or configuration error.\n"
    "See freeze(1) and docs/guide.md.\n";

const char *
fz_options_usage(void)
{
    return usage;
}

void
fz_options_dispose(fz_options *opts)
{
    fz_strvec_dispose(&opts->hidden_imports);
    fz_strvec_dispose(&opts->excludes);
    fz_strvec_dispose(&opts->exclude_binaries);
    fz_strvec_dispose(&opts->add_binaries);
    fz_strvec_dispose(&opts->add_data);
    fz_strvec_dispose(&opts->exclude_data);
    fz_strvec_dispose(&opts->collect_data);
    fz_strvec_dispose(&opts->collect_submods);
    fz_strvec_dispose(&opts->collect_all);
    fz_strvec_dispose(&opts->copy_metadata);
    fz_strvec_dispose(&opts->recursive_meta);
    fz_strvec_dispose(&opts->hooks_dirs);
}

enum {
    O_NAME = 1,
    O_DISTPATH,
    O_OUTPUT,
    O_HIDDEN,
    O_EXCLUDE,
    O_PYTHON,
    O_OPTIMIZE,
    O_VERBOSE,
    O_QUIET,
    O_NO_CACHE,
    O_HELP,
    O_VERSION,
    O_ONEFILE,
    O_EXCLUDE_BINARY,
    O_ADD_BINARY,
    O_MAX_GLIBC,
    O_QT_PLUGINS,
    O_ADD_DATA,
    O_EXCLUDE_DATA,
    O_COLLECT_DATA,
    O_COLLECT_SUBMODS,
    O_COLLECT_ALL,
    O_COPY_METADATA,
    O_RECURSIVE_META,
    O_HOOKS_DIR,
    O_TRACE,
    O_COMPRESS_RUNTIME,
    O_NO_COMPRESS_RUNTIME,
    O_CONFIG,
    O_EXPLAIN,
    O_VERBOSE2,
    O_ONEDIR,
    O_ICON,
    O_WINDOWED,
    O_APP_ID,
    O_APP_VERSION,
    O_DESCRIPTION,
    O_CATEGORIES,
    O_MAINTAINER,
    O_DESKTOP,
    O_DEB,
    O_INSTALLER,
    O_APP
};

static const struct {
    const char *name;
    int id;
    int takes_value;
} table[] = {
    {"--name", O_NAME, 1},
    {"--distpath", O_DISTPATH, 1},
    {"-o", O_OUTPUT, 1},
    {"--output", O_OUTPUT, 1},
    {"--hidden-import", O_HIDDEN, 1},
    {"--exclude-module", O_EXCLUDE, 1},
    {"--python", O_PYTHON, 1},
    {"--optimize", O_OPTIMIZE, 1},
    {"-v", O_VERBOSE, 0},
    {"--verbose", O_VERBOSE, 0},
    {"-q", O_QUIET, 0},
    {"--quiet", O_QUIET, 0},
    {"--no-cache", O_NO_CACHE, 0},
    {"-h", O_HELP, 0},
    {"--help", O_HELP, 0},
    {"--version", O_VERSION, 0},
    {"--onefile", O_ONEFILE, 0},
    {"--exclude-binary", O_EXCLUDE_BINARY, 1},
    {"--add-binary", O_ADD_BINARY, 1},
    {"--max-glibc", O_MAX_GLIBC, 1},
    {"--qt-plugins", O_QT_PLUGINS, 1},
    {"--add-data", O_ADD_DATA, 1},
    {"--exclude-data", O_EXCLUDE_DATA, 1},
    {"--collect-data", O_COLLECT_DATA, 1},
    {"--collect-submodules", O_COLLECT_SUBMODS, 1},
    {"--collect-all", O_COLLECT_ALL, 1},
    {"--copy-metadata", O_COPY_METADATA, 1},
    {"--recursive-copy-metadata", O_RECURSIVE_META, 1},
    {"--additional-hooks-dir", O_HOOKS_DIR, 1},
    {"--trace", O_TRACE, 0},
    {"--config", O_CONFIG, 1},
    {"--explain", O_EXPLAIN, 1},
    {"-vv", O_VERBOSE2, 0},
    {"--onedir", O_ONEDIR, 0},
    {"--compress-runtime", O_COMPRESS_RUNTIME, 0},
    {"--no-compress-runtime", O_NO_COMPRESS_RUNTIME, 0},
    {"--icon", O_ICON, 1},
    {"--windowed", O_WINDOWED, 0},
    {"--app-id", O_APP_ID, 1},
    {"--app-version", O_APP_VERSION, 1},
    {"--description", O_DESCRIPTION, 1},
    {"--categories", O_CATEGORIES, 1},
    {"--maintainer", O_MAINTAINER, 1},
    {"--desktop", O_DESKTOP, 0},
    {"--deb", O_DEB, 0},
    {"--installer", O_INSTALLER, 0},
    {"--app", O_APP, 0},
};

static int
apply(fz_options *o, int id, const char *opt, const char *value)
{
    switch (id) {
    case O_NAME:
        if (value[0] == '\0' || strchr(value, '/') != NULL) {
            return fz_error_set(FZ_EINVAL, "argument --name: invalid name '%s'",
                                value);
        }
        o->name = value;
        break;
    case O_DISTPATH:
        o->distpath = value;
        break;
    case O_OUTPUT:
        o->output = value;
        break;
    case O_HIDDEN:
        return fz_strvec_push(&o->hidden_imports, value);
    case O_EXCLUDE:
        return fz_strvec_push(&o->excludes, value);
    case O_PYTHON:
        o->python = value;
        break;
    case O_OPTIMIZE:
        if (strlen(value) != 1 || value[0] < '0' || value[0] > '2') {
            return fz_error_set(FZ_EINVAL,
                                "argument --optimize: invalid choice: '%s' "
                                "(choose from 0, 1, 2)",
                                value);
        }
        o->optimize = value[0] - '0';
        break;
    case O_VERBOSE:
        o->verbose++;
        break;
    case O_VERBOSE2:
        o->verbose += 2;
        break;
    case O_CONFIG:
        o->config = value;
        break;
    case O_EXPLAIN:
        o->explain = value;
        break;
    case O_QUIET:
        o->quiet = 1;
        break;
    case O_NO_CACHE:
        o->no_cache = 1;
        break;
    case O_HELP:
        o->help = 1;
        break;
    case O_VERSION:
        o->version = 1;
        break;
    case O_ONEFILE:
        o->onedir = 0;
        break;
    case O_EXCLUDE_BINARY:
        return fz_strvec_push(&o->exclude_binaries, value);
    case O_ADD_BINARY:
        if (strchr(value, ':') == NULL || value[0] == ':') {
            return fz_error_set(FZ_EINVAL,
                                "argument --add-binary: expected SRC:DEST, "
                                "got '%s'",
                                value);
        }
        return fz_strvec_push(&o->add_binaries, value);
    case O_MAX_GLIBC: {
        const char *p = value;

        /* X.Y: digits, one dot, digits */
        while (*p >= '0' && *p <= '9') {
            p++;
        }
        if (p == value || *p != '.' || p[1] < '0' || p[1] > '9' ||
            strspn(p + 1, "0123456789") != strlen(p + 1)) {
            return fz_error_set(FZ_EINVAL,
                                "argument --max-glibc: expected X.Y, got '%s'",
                                value);
        }
        o->max_glibc = value;
        break;
    }
    case O_QT_PLUGINS:
        o->qt_plugins = value; /* checked by freezer/qt.c */
        break;
    case O_ADD_DATA:
        if (strchr(value, ':') == NULL || value[0] == ':') {
            return fz_error_set(FZ_EINVAL,
                                "argument --add-data: expected SRC:DEST, "
                                "got '%s'",
                                value);
        }
        return fz_strvec_push(&o->add_data, value);
    case O_EXCLUDE_DATA:
        return fz_strvec_push(&o->exclude_data, value);
    case O_COLLECT_DATA:
        return fz_strvec_push(&o->collect_data, value);
    case O_COLLECT_SUBMODS:
        return fz_strvec_push(&o->collect_submods, value);
    case O_COLLECT_ALL:
        return fz_strvec_push(&o->collect_all, value);
    case O_COPY_METADATA:
        return fz_strvec_push(&o->copy_metadata, value);
    case O_RECURSIVE_META:
        return fz_strvec_push(&o->recursive_meta, value);
    case O_HOOKS_DIR:
        return fz_strvec_push(&o->hooks_dirs, value);
    case O_TRACE:
        o->trace = 1;
        break;
    case O_ONEDIR:
        o->onedir = 1;
        break;
    case O_COMPRESS_RUNTIME:
        o->compress_runtime = FZ_COMPRESS_RUNTIME_ALWAYS;
        break;
    case O_NO_COMPRESS_RUNTIME:
        o->compress_runtime = FZ_COMPRESS_RUNTIME_NEVER;
        break;
    case O_ICON:
        o->icon = value;
        break;
    case O_WINDOWED:
        o->windowed = 1;
        break;
    case O_APP_ID:
        o->app_id = value;
        break;
    case O_APP_VERSION:
        o->app_version = value;
        break;
    case O_DESCRIPTION:
        o->description = value;
        break;
    case O_CATEGORIES:
        o->categories = value;
        break;
    case O_MAINTAINER:
        o->maintainer = value;
        break;
    case O_DESKTOP:
        o->desktop = 1;
        break;
    case O_DEB:
        o->deb = 1;
        break;
    case O_INSTALLER:
        o->installer = 1;
        break;
    case O_APP:
        o->app = 1;
        break;
    default:
        return fz_error_set(FZ_EINVAL, "unrecognized option '%s'", opt);
    }
    return 0;
}

const char *
fz_options_config_key(size_t i, int *takes_value)
{
    for (size_t k = 0; k < sizeof(table) / sizeof(*table); k++) {
        /* long options that are settings, not one-off actions */
        if (table[k].name[1] != '-' || table[k].id == O_HELP ||
            table[k].id == O_VERSION || table[k].id == O_CONFIG ||
            table[k].id == O_EXPLAIN) {
            continue;
        }
        if (i-- == 0) {
            *takes_value = table[k].takes_value;
            return table[k].name + 2;
        }
    }
    return NULL;
}

int
fz_options_parse(fz_options *out, int argc, char **argv)
{
    int only_args = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->distpath = "dist";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq;
        size_t n;
        int found = 0;

        if (strcmp(arg, "--") == 0 && out->script != NULL) {
            /* "script.py -- ARGS": the arguments of the --trace run */
            out->trace_argv = argv + i + 1;
            out->trace_argc = argc - i - 1;
            break;
        }
        if (only_args || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (out->script != NULL) {
                rc = fz_error_set(FZ_EINVAL,
                                  "unrecognized argument '%s' "
                                  "(one script at a time)",
                                  arg);
                goto done;
            }
            out->script = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = 1;
            continue;
        }
        eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        n = eq ? (size_t)(eq - arg) : strlen(arg);
        for (size_t k = 0; k < sizeof(table) / sizeof(*table); k++) {
            const char *value = NULL;

            if (strlen(table[k].name) != n ||
                strncmp(table[k].name, arg, n) != 0) {
                continue;
            }
            found = 1;
            if (table[k].takes_value) {
                if (eq != NULL) {
                    value = eq + 1;
                } else if (i + 1 < argc) {
                    value = argv[++i];
                } else {
                    rc = fz_error_set(FZ_EINVAL,
                                      "argument %s: expected one argument",
                                      table[k].name);
                    goto done;
                }
            } else if (eq != NULL) {
                rc = fz_error_set(FZ_EINVAL,
                                  "argument %s: ignored explicit argument "
                                  "'%s'",
                                  table[k].name, eq + 1);
                goto done;
            }
            rc = apply(out, table[k].id, arg, value);
            if (rc < 0) {
                goto done;
            }
            break;
        }
        if (!found) {
            rc = fz_error_set(FZ_EINVAL, "unrecognized option '%s'", arg);
            goto done;
        }
    }
    if (out->help || out->version) {
        goto done;
    }
    if (out->script == NULL) {
        rc = fz_error_set(FZ_EINVAL,
                          "the following arguments are required: script");
        goto done;
    }
    if (out->verbose && out->quiet) {
        rc = fz_error_set(FZ_EINVAL, "-v and -q cannot be used together");
        goto done;
    }
done:
    if (rc < 0) {
        fz_options_dispose(out);
    }
    return rc;
}
