/*
 * main.c - the freeze command: parse arguments, run fz_freeze, report.
 * The only place in the freezer that prints or picks an exit status.
 */
#include "bundle.h"
#include "fz_error.h"
#include "options.h"

#include <stdio.h>

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
print_modules(const fz_graph *g)
{
    for (size_t i = 0; i < fz_graph_count(g); i++) {
        const fz_module *m = fz_graph_module(g, i);

        printf("  %-9s %s: %s\n", fz_module_kind_name(m->kind), m->name,
               m->reason ? m->reason : "");
    }
}

static void
print_report(const fz_freeze_result *r, const fz_options *opts)
{
    const fz_strvec *warnings = fz_graph_warnings(r->graph);
    const fz_strvec *notes = fz_graph_notes(r->graph);

    if (opts->verbose) {
        printf("target Python: %s\nruntime stub: %s\nmodules:\n", r->python,
               r->stub);
        print_modules(r->graph);
        for (size_t i = 0; i < notes->count; i++) {
            printf("note: %s\n", notes->items[i]);
        }
        printf("raw size of the entries: %llu bytes\n",
               (unsigned long long)r->stats.raw_bytes);
        printf("time: analysis %.3f s, compile %.3f s, compression %.3f s, "
               "attach %.3f s, total %.3f s\n",
               r->analyze_seconds, r->stats.compile_seconds,
               r->stats.write_seconds, r->attach_seconds, r->total_seconds);
    }
    if (opts->quiet) {
        return;
    }
    printf("%s: ", r->output);
    print_size(stdout, r->size);
    printf(" (payload ");
    print_size(stdout, r->payload_size);
    printf(", %zu entries: %zu modules, %zu sources, %zu extensions)\n",
           r->stats.entries, r->stats.modules, r->stats.sources,
           r->stats.extensions);
    if (warnings->count > 0) {
        printf("%zu warning%s:\n", warnings->count,
               warnings->count == 1 ? "" : "s");
        for (size_t i = 0; i < warnings->count; i++) {
            printf("  %s\n", warnings->items[i]);
        }
    }
}

int
main(int argc, char **argv)
{
    fz_freeze_config cfg = {0};
    fz_freeze_result *r = NULL;
    fz_options opts;
    int rc;

    rc = fz_options_parse(&opts, argc, argv);
    if (rc < 0) {
        fprintf(stderr,
                "freeze: error: %s\n"
                "Try 'freeze --help' for more information.\n",
                fz_error_message());
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
    rc = fz_freeze(&r, &cfg);
    if (rc < 0) {
        fflush(stdout);
        fprintf(stderr, "freeze: error: %s\n", fz_error_message());
        fz_options_dispose(&opts);
        return 1;
    }
    print_report(r, &opts);
    fz_freeze_result_free(r);
    fz_options_dispose(&opts);
    return 0;
}
