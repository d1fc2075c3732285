/*
 * cli.c - configuration merging, `freeze inspect`, `freeze --explain` and
 * the warnings block for the freeze command (cli.h). Part of main: these
 * print and pick exit statuses; the work is in libfreezer.
 */
#include "cli.h"

#include "config.h"
#include "explain.h"
#include "fz_error.h"
#include "inspect.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fz_cli_error(const char *message)
{
    int color = fz_term_color(stderr);

    fflush(stdout);
    fprintf(stderr, "freeze: %serror:%s %s\n", fz_term_sgr(color, "error"),
            fz_term_sgr(color, "reset"), message);
}

void
fz_cli_warnings(const fz_strvec *a, const fz_strvec *b)
{
    size_t n = (a ? a->count : 0) + (b ? b->count : 0);
    int color = fz_term_color(stdout);

    if (n == 0) {
        return;
    }
    printf("%s%zu warning%s:%s\n", fz_term_sgr(color, "warning"), n,
           n == 1 ? "" : "s", fz_term_sgr(color, "reset"));
    for (size_t i = 0; a != NULL && i < a->count; i++) {
        printf("  %s\n", a->items[i]);
    }
    for (size_t i = 0; b != NULL && i < b->count; i++) {
        printf("  %s\n", b->items[i]);
    }
}

void
fz_cli_args_dispose(fz_cli_args *a)
{
    fz_strvec_dispose(&a->tokens);
    free(a->argv);
    memset(a, 0, sizeof(*a));
}

static int
is_vq(const char *arg)
{
    return strcmp(arg, "-v") == 0 || strcmp(arg, "-vv") == 0 ||
           strcmp(arg, "--verbose") == 0 || strcmp(arg, "-q") == 0 ||
           strcmp(arg, "--quiet") == 0;
}

int
fz_cli_config(fz_options *opts, fz_cli_args *out, int argc, char **argv)
{
    fz_options check;
    char *path = NULL;
    char **probe = NULL;
    int cli_vq = 0;
    int n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    path = opts->config ? fz_strdup(opts->config)
                        : fz_config_default_path(opts->script);
    if (path == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    rc = fz_config_load(&out->tokens, path, opts->config != NULL);
    if (rc < 0 || out->tokens.count == 0) {
        goto done;
    }
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        cli_vq |= is_vq(argv[i]);
    }
    out->argv = calloc(out->tokens.count + (size_t)argc + 2, sizeof(char *));
    probe = calloc(out->tokens.count + 3, sizeof(char *));
    if (out->argv == NULL || probe == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    out->argv[n++] = argv[0];
    for (size_t i = 0; i < out->tokens.count; i++) {
        if (!(cli_vq && is_vq(out->tokens.items[i]))) {
            out->argv[n++] = out->tokens.items[i];
        }
    }
    /* the file's settings alone first, so an error names the file */
    memcpy(probe, out->argv, (size_t)n * sizeof(char *));
    probe[n] = (char *)opts->script;
    rc = fz_options_parse(&check, n + 1, probe);
    if (rc < 0) {
        rc = fz_error_wrap(rc, "%s: [tool.freeze]", path);
        goto done;
    }
    fz_options_dispose(&check);
    for (int i = 1; i < argc; i++) {
        out->argv[n++] = argv[i];
    }
    out->argc = n;
    fz_options_dispose(opts);
    rc = fz_options_parse(opts, out->argc, out->argv);
done:
    free(probe);
    free(path);
    return rc;
}

static void
print_inspect(const fz_inspect *in)
{
    uint64_t n = fz_payload_entry_count(in->payload);
    fz_inspect_total *t = NULL;
    size_t nt = 0;
    uint64_t raw = 0;
    uint64_t stored = 0;

    printf("%s: payload of %llu bytes at offset %llu, CPython %u.%u, "
           "%llu entries, main %s\n",
           in->path, (unsigned long long)in->payload_size,
           (unsigned long long)in->payload_offset, in->python_version >> 24,
           (in->python_version >> 16) & 0xff, (unsigned long long)n,
           in->main_entry ? in->main_entry : "(none)");
    printf("%12s %12s  %-10s %s\n", "size", "stored", "kind", "name");
    for (uint64_t i = 0; i < n; i++) {
        fz_entry e;

        fz_payload_entry_at(in->payload, i, &e);
        raw += e.raw_size;
        stored += e.stored_size;
        printf("%12llu %12llu  %-10s %.*s\n", (unsigned long long)e.raw_size,
               (unsigned long long)e.stored_size, fz_entry_kind_name(e.kind),
               (int)e.name_size, e.name);
    }
    if (fz_inspect_totals(&t, &nt, in) == 0) {
        printf("\ntotals by package:\n%12s %12s %8s  %s\n", "size", "stored",
               "entries", "package");
        for (size_t i = 0; i < nt; i++) {
            printf("%12llu %12llu %8zu  %s\n", (unsigned long long)t[i].raw,
                   (unsigned long long)t[i].stored, t[i].entries, t[i].package);
        }
        fz_inspect_totals_free(t, nt);
    }
    printf("\ntotal: %llu entries, %llu bytes, %llu stored (dictionary %llu "
           "bytes)\n",
           (unsigned long long)n, (unsigned long long)raw,
           (unsigned long long)stored, (unsigned long long)in->dict_size);
}

static const char inspect_usage[] =
    "usage: freeze inspect [--json] [--extract DIR] APP\n"
    "\n"
    "List the payload of an app made by freeze: every entry with its size,\n"
    "stored (compressed) size and kind, then totals by package.\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help and exit\n"
    "  --json         the same as JSON\n"
    "  --extract DIR  write every entry below DIR instead (created when\n"
    "                 missing; existing files and symlinks are refused)\n";

int
fz_cli_inspect(int argc, char **argv)
{
    const char *app = NULL;
    const char *extract = NULL;
    fz_inspect *in = NULL;
    fz_buf json = FZ_BUF_INIT;
    int as_json = 0;
    int status = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(inspect_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--extract") == 0 && i + 1 < argc) {
            extract = argv[++i];
        } else if (strncmp(argv[i], "--extract=", 10) == 0) {
            extract = argv[i] + 10;
        } else if (argv[i][0] == '-' || app != NULL) {
            fz_error_set(FZ_EINVAL,
                         argv[i][0] == '-' ? "inspect: unrecognized option "
                                             "or missing argument '%s'"
                                           : "inspect: unrecognized "
                                             "argument '%s'",
                         argv[i]);
            status = 2;
            goto done;
        } else {
            app = argv[i];
        }
    }
    if (app == NULL || (as_json && extract != NULL)) {
        fz_error_set(FZ_EINVAL, app == NULL
                                    ? "inspect: the following arguments are "
                                      "required: APP"
                                    : "inspect: --json and --extract cannot "
                                      "be used together");
        status = 2;
        goto done;
    }
    if (fz_inspect_open(&in, app) < 0) {
        status = 1;
        goto done;
    }
    if (extract != NULL) {
        fz_term *term = fz_term_new(stderr, 0);
        fz_progress p = fz_term_progress(term);
        size_t written = 0;
        int rc;

        fz_progress_stage(&p, "extracting");
        rc = fz_inspect_extract(in, extract, &written, &p);
        fz_term_free(term);
        if (rc < 0) {
            status = 1;
            goto done;
        }
        printf("%s: extracted %zu entries to %s\n", app, written, extract);
    } else if (as_json) {
        if (fz_inspect_json(&json, in) < 0) {
            status = 1;
            goto done;
        }
        fwrite(json.data, 1, json.size, stdout);
    } else {
        print_inspect(in);
    }
done:
    if (status != 0) {
        fz_cli_error(fz_error_message());
        if (status == 2) {
            fputs("Try 'freeze inspect --help' for more information.\n",
                  stderr);
        }
    }
    fz_buf_dispose(&json);
    fz_inspect_free(in);
    return status;
}

int
fz_cli_explain(const fz_options *opts, const fz_freeze_config *cfg)
{
    fz_explain *e = NULL;
    const fz_module *target;
    size_t width = 0;

    if (fz_explain_module(&e, cfg, opts->explain) < 0) {
        fz_cli_error(fz_error_message());
        return 1;
    }
    for (size_t i = 0; i < e->length; i++) {
        size_t n = strlen(fz_graph_module(e->graph, e->chain[i])->name);

        width = n > width ? n : width;
    }
    target = fz_graph_module(e->graph, e->chain[e->length - 1]);
    printf("%s (%s) is in the app through:\n", target->name,
           fz_module_kind_name(target->kind));
    for (size_t i = 0; i < e->length; i++) {
        const fz_module *m = fz_graph_module(e->graph, e->chain[i]);

        if (i == 0) {
            printf("  %-*s  %s\n", (int)width, m->name,
                   m->is_main ? "the script"
                              : (m->reason ? m->reason : "a root"));
        } else {
            printf("  %-*s  imported by %s\n", (int)width, m->name,
                   fz_graph_module(e->graph, e->chain[i - 1])->name);
        }
    }
    if (opts->verbose && target->importers.count > 1) {
        printf("all importers of %s:", target->name);
        for (size_t k = 0; k < target->importers.count; k++) {
            printf("%s %s", k ? "," : "", target->importers.items[k]);
        }
        printf("\n");
    }
    if (target->kind == FZ_MOD_MISSING) {
        printf("%s was not found: it is not bundled%s\n", target->name,
               target->optional ? " (the import is optional)" : "");
    }
    fz_explain_free(e);
    return 0;
}
