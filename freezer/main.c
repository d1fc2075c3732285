/*
 * main.c - the freeze command: parse arguments, run fz_freeze, report.
 * The only place in the freezer that prints or picks an exit status.
 */
#include "bundle.h"
#include "cli.h"
#include "compress_runtime.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "options.h"
#include "report.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1.5 MB" style, for humans. */
static void
print_size(FILE *f, uint64_t n)
{
    if (n >= 1000 * 1000) {
        fprintf(f, "%.1f MB", (double)n / 1e6);
    } else if (n >= 1000) {
        fprintf(f, "%.1f kB", (double)n / 1e3);
    } else {
        fprintf(f, "%llu B", (unsigned long long)n);
    }
}

static void
print_modules(const fz_graph *g, int verbose)
{
    for (size_t i = 0; i < fz_graph_count(g); i++) {
        const fz_module *m = fz_graph_module(g, i);

        printf("  %-9s %s: %s\n", fz_module_kind_name(m->kind), m->name,
               m->reason ? m->reason : "");
        /* -vv: every importer, not only the first that reached it */
        for (size_t k = 0; verbose > 1 && k < m->importers.count; k++) {
            printf("            <- %s\n", m->importers.items[k]);
        }
    }
}

/* The library closure (-v) and the glibc floor (always). */
static void
print_natives(const fz_freeze_result *r, const fz_options *opts)
{
    const fz_strvec *warnings = fz_natives_warnings(r->natives);
    const char *floor = fz_natives_glibc_floor(r->natives);

    if (opts->verbose) {
        for (size_t i = 0; i < fz_natives_count(r->natives); i++) {
            const fz_native *n = fz_natives_at(r->natives, i);

            if (!n->is_extension && !n->is_group) {
                printf("  library   %s: %s (glibc %s)\n", n->entry, n->path,
                       n->info.glibc ? n->info.glibc : "-");
            }
        }
    }
    (void)warnings; /* printed in the block at the end */
    if (floor != NULL) {
        printf("runs on glibc >= %s", floor);
        if (fz_natives_glibcxx_floor(r->natives) != NULL) {
            printf(" (bundled libstdc++ provides GLIBCXX_%s)",
                   fz_natives_glibcxx_floor(r->natives));
        }
        printf("\n");
    }
}

/* -v: files beyond the modules, hooks, distributions, trace, sizes. */
static void
print_extras(const fz_freeze_result *r)
{
    const fz_extras *x = r->extras;
    fz_report_size *sizes = NULL;
    size_t nsizes = 0;

    if (x == NULL) {
        return;
    }
    printf("files:\n");
    for (size_t i = 0; i < x->files.count; i++) {
        printf("  %-9s %s: %s\n", fz_entry_kind_name(x->files.items[i].kind),
               x->files.items[i].entry, x->files.items[i].reason);
    }
    for (size_t i = 0; i < x->hooks_applied.count; i++) {
        printf("hook: %s\n", x->hooks_applied.items[i]);
    }
    for (size_t i = 0; i < fz_natives_stack_files(r->natives)->count; i++) {
        printf("stack: %s\n", fz_natives_stack_files(r->natives)->items[i]);
    }
    for (size_t i = 0; i < x->dists_bundled.count; i++) {
        printf("metadata: %s\n", x->dists_bundled.items[i]);
    }
    if (x->traced) {
        printf("--trace (exit status %d) added %zu modules, %zu files\n",
               x->trace_status, x->trace_modules.count, x->trace_files.count);
        for (size_t i = 0; i < x->trace_modules.count; i++) {
            printf("  trace module %s\n", x->trace_modules.items[i]);
        }
        for (size_t i = 0; i < x->trace_files.count; i++) {
            printf("  trace file %s\n", x->trace_files.items[i]);
        }
    }
    if (fz_report_sizes(&sizes, &nsizes, r->graph, x, r->natives) == 0) {
        printf("size by package (bytes on disk):\n");
        for (size_t i = 0; i < nsizes && i < 20; i++) {
            printf("  %10llu  %s (%zu files)\n", sizes[i].bytes,
                   sizes[i].package, sizes[i].files);
        }
        fz_report_sizes_free(sizes, nsizes);
    }
    for (size_t i = 0; i < fz_graph_count(r->graph); i++) {
        const fz_module *m = fz_graph_module(r->graph, i);

        if (m->kind != FZ_MOD_MISSING) {
            continue;
        }
        printf("missing%s %s, imported by", m->optional ? " (optional)" : "",
               m->name);
        for (size_t k = 0; k < m->importers.count; k++) {
            printf("%s %s", k ? "," : "", m->importers.items[k]);
        }
        printf("%s\n", m->importers.count ? "" : " nothing (a root)");
    }
    if (r->report != NULL) {
        printf("report: %s\n", r->report);
    }
}

/* -v: "time: query 0.021 s, ..., total 1.149 s" (bench/run reads it). */
static void
print_times(const fz_freeze_result *r)
{
    fz_buf line = FZ_BUF_INIT;

    if (fz_stage_format(&line, &r->times, r->total_seconds) == 0) {
        printf("time: %s\n", line.data);
    }
    fz_buf_dispose(&line);
}

/* -v: which runtime the app carries, and why. */
static void
print_runtime(const fz_freeze_result *r, const fz_options *opts)
{
    if (r->onedir != NULL) {
        return;
    }
    if (r->compressed_runtime) {
        printf("runtime: compressed, unpacked once per user (%s)\n",
               opts->compress_runtime == FZ_COMPRESS_RUNTIME_ALWAYS
                   ? "--compress-runtime"
                   : "the app unpacks files anyway; --no-compress-runtime "
                     "keeps it whole");
    } else {
        printf("runtime: whole, nothing unpacked for it (%s)\n",
               opts->compress_runtime == FZ_COMPRESS_RUNTIME_NEVER
                   ? "--no-compress-runtime"
                   : "the app has no files to unpack");
    }
}

/* The summary of a build reused from the cache (r->cached). */
static void
print_cached(const fz_freeze_result *r, const fz_options *opts)
{
    if (opts->verbose) {
        printf("target Python: %s\nruntime stub: %s\n", r->python, r->stub);
        printf("build cache: hit, nothing changed (checked in %.3f s)\n",
               r->times.seconds[FZ_STAGE_CHECK]);
        print_runtime(r, opts);
        print_times(r);
    }
    if (opts->quiet) {
        return;
    }
    printf("%s: ", r->output);
    print_size(stdout, r->size);
    printf(" (payload ");
    print_size(stdout, r->payload_size);
    printf(", %zu entries: %zu modules, %zu sources, %zu extensions, "
           "%zu libraries; unchanged)\n",
           r->stats.entries, r->stats.modules, r->stats.sources,
           r->stats.extensions, r->stats.native_libs);
    if (r->glibc_floor != NULL) {
        printf("runs on glibc >= %s", r->glibc_floor);
        if (r->glibcxx_floor != NULL) {
            printf(" (bundled libstdc++ provides GLIBCXX_%s)",
                   r->glibcxx_floor);
        }
        printf("\n");
    }
    fz_cli_warnings(&r->cached_warnings, &r->cached_graph_warnings);
}

static void
print_report(const fz_freeze_result *r, const fz_options *opts)
{
    const fz_strvec *warnings;
    const fz_strvec *notes;

    if (r->cached) {
        print_cached(r, opts);
        return;
    }
    warnings = fz_graph_warnings(r->graph);
    notes = fz_graph_notes(r->graph);
    if (opts->verbose) {
        printf("target Python: %s\nruntime stub: %s\nmodules:\n", r->python,
               r->stub);
        print_modules(r->graph, opts->verbose);
        for (size_t i = 0; i < notes->count; i++) {
            printf("note: %s\n", notes->items[i]);
        }
        print_extras(r);
        printf("raw size of the entries: %llu bytes\n",
               (unsigned long long)r->stats.raw_bytes);
        printf("build cache: %zu entries reused, %zu made\n", r->cache_hits,
               r->cache_misses);
        if (r->shipped_cache) {
            printf("installed build cache: %s\n", r->shipped_cache);
        }
        print_runtime(r, opts);
        print_times(r);
    }
    if (opts->quiet) {
        return;
    }
    printf("%s: ", r->output);
    print_size(stdout, r->size);
    printf(" (payload ");
    print_size(stdout, r->payload_size);
    printf(", %zu entries: %zu modules, %zu sources, %zu extensions, "
           "%zu libraries)\n",
           r->stats.entries, r->stats.modules, r->stats.sources,
           r->stats.extensions, r->stats.native_libs);
    print_natives(r, opts);
    fz_cli_warnings(fz_natives_warnings(r->natives), warnings);
}

/* argv without what changes only the printing: the build cache's key. */
static const char **
key_argv(int argc, char **argv, size_t *out_count)
{
    const char **v = calloc((size_t)argc + 1, sizeof(*v));
    size_t n = 0;

    *out_count = 0;
    if (v == NULL) {
        return NULL;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (; i < argc; i++) {
                v[n++] = argv[i];
            }
            break;
        }
        if (strcmp(argv[i], "-v") != 0 && strcmp(argv[i], "-vv") != 0 &&
            strcmp(argv[i], "--verbose") != 0 && strcmp(argv[i], "-q") != 0 &&
            strcmp(argv[i], "--quiet") != 0) {
            v[n++] = argv[i];
        }
    }
    *out_count = n;
    return v;
}

int
main(int argc, char **argv)
{
    fz_freeze_config cfg = {0};
    fz_freeze_result *r = NULL;
    fz_options opts;
    fz_cli_args merged = {0};
    fz_progress progress;
    fz_term *term = NULL;
    const char **kargv = NULL;
    int rc;

    if (argc > 1 && strcmp(argv[1], "inspect") == 0) {
        return fz_cli_inspect(argc - 1, argv + 1);
    }
    rc = fz_options_parse(&opts, argc, argv);
    if (rc == 0 && !opts.help && !opts.version) {
        rc = fz_cli_config(&opts, &merged, argc, argv);
        if (rc < 0) {
            fz_options_dispose(&opts);
        }
    }
    if (rc < 0) {
        fz_cli_error(fz_error_message());
        fputs("Try 'freeze --help' for more information.\n", stderr);
        fz_cli_args_dispose(&merged);
        return 2;
    }
    if (opts.help) {
        fputs(fz_options_usage(), stdout);
        fz_options_dispose(&opts);
        return 0;
    }
    if (opts.version) {
        printf("freeze %s (CPython %s)\n", FZ_VERSION, FZ_PY_VERSION);
        fz_options_dispose(&opts);
        return 0;
    }
    cfg.script = opts.script;
    cfg.name = opts.name;
    cfg.distpath = opts.distpath;
    cfg.output = opts.output;
    cfg.python = opts.python;
    cfg.hidden = (const char *const *)opts.hidden_imports.items;
    cfg.hidden_count = opts.hidden_imports.count;
    cfg.excludes = (const char *const *)opts.excludes.items;
    cfg.exclude_count = opts.excludes.count;
    cfg.optimize = opts.optimize;
    cfg.exclude_binaries = (const char *const *)opts.exclude_binaries.items;
    cfg.exclude_binary_count = opts.exclude_binaries.count;
    cfg.add_binaries = (const char *const *)opts.add_binaries.items;
    cfg.add_binary_count = opts.add_binaries.count;
    cfg.max_glibc = opts.max_glibc;
    cfg.qt_plugins = opts.qt_plugins;
    cfg.extras.add_data = &opts.add_data;
    cfg.extras.exclude_data = &opts.exclude_data;
    cfg.extras.collect_data = &opts.collect_data;
    cfg.extras.collect_submods = &opts.collect_submods;
    cfg.extras.collect_all = &opts.collect_all;
    cfg.extras.copy_metadata = &opts.copy_metadata;
    cfg.extras.recursive_meta = &opts.recursive_meta;
    cfg.extras.hooks_dirs = &opts.hooks_dirs;
    cfg.extras.trace = opts.trace;
    cfg.extras.trace_argv = (const char *const *)opts.trace_argv;
    cfg.extras.trace_argc = (size_t)opts.trace_argc;
    cfg.write_report = 1;
    cfg.no_cache = opts.no_cache;
    cfg.onedir = opts.onedir;
    cfg.compress_runtime = opts.compress_runtime;
    fz_package_config pkg = {
        .icon = opts.icon,
        .windowed = opts.windowed,
        .app_id = opts.app_id,
        .app_version = opts.app_version,
        .description = opts.description,
        .categories = opts.categories,
        .maintainer = opts.maintainer,
        .desktop = opts.desktop,
        .deb = opts.deb,
        .installer = opts.installer,
        .app = opts.app,
    };
    cfg.package = &pkg;
    if (opts.explain != NULL) {
        rc = fz_cli_explain(&opts, &cfg);
        fz_options_dispose(&opts);
        fz_cli_args_dispose(&merged);
        return rc;
    }
    if (merged.argv != NULL) {
        argc = merged.argc;
        argv = merged.argv;
    }
    kargv = key_argv(argc, argv, &cfg.argc);
    cfg.argv = kargv;
    cfg.no_cache |= kargv == NULL; /* out of memory: no key, no cache */
    term = fz_term_new(stderr, opts.quiet);
    progress = fz_term_progress(term);
    cfg.progress = &progress;
    rc = fz_freeze(&r, &cfg);
    fz_term_free(term);
    free(kargv);
    if (rc < 0) {
        fz_cli_error(fz_error_message());
        fz_options_dispose(&opts);
        fz_cli_args_dispose(&merged);
        return 1;
    }
    print_report(r, &opts);
    for (size_t i = 0; i < r->packages.count && !opts.quiet; i++) {
        printf("wrote %s\n", r->packages.items[i]);
    }
    fz_freeze_result_free(r);
    fz_options_dispose(&opts);
    fz_cli_args_dispose(&merged);
    return 0;
}
