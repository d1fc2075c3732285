/*
 * report.c - the build report (report.h).
 */
#define _GNU_SOURCE
#include "report.h"

#include "fz_error.h"
#include "fz_payload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *
fz_report_category(const fz_module *m)
{
    const char *r = m->reason ? m->reason : "";

    if (m->is_main) {
        return "script";
    }
    if (strncmp(r, "imported by", 11) == 0) {
        return "import";
    }
    if (strncmp(r, "hook ", 5) == 0) {
        return "hook";
    }
    if (strstr(r, "--trace") != NULL) {
        return "trace";
    }
    if (strncmp(r, "entry point", 11) == 0) {
        return "plugin";
    }
    if (strncmp(r, "loaded by name", 14) == 0) {
        return "dynamic";
    }
    if (strncmp(r, "resources read", 14) == 0) {
        return "resource";
    }
    if (strncmp(r, "always included", 15) == 0) {
        return "runtime";
    }
    return "option";
}

static const char *
file_category(const fz_file *f)
{
    if (f->kind == FZ_ENTRY_METADATA) {
        return "metadata";
    }
    if (strncmp(f->reason, "data of", 7) == 0) {
        return "data default";
    }
    if (strncmp(f->reason, "hook ", 5) == 0) {
        return "hook";
    }
    if (strncmp(f->reason, "typelib of", 10) == 0) {
        return "stack"; /* freezer/gi.c */
    }
    if (strstr(f->reason, "--trace") != NULL) {
        return "trace";
    }
    return "option";
}

/* A library bundled for itself (a Qt plugin, --add-binary), not only as
 * a dependency: listed in the report's files. */
static int
native_listed(const fz_native *l)
{
    return l->reason != NULL && !l->is_extension && !l->is_group;
}

static const char *
native_category(const fz_native *l)
{
    return strncmp(l->reason, "stack ", 6) == 0 ? "stack" : "option";
}

static unsigned long long
file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* JSON string (with quotes) of `s`. */
static int
jstr(fz_buf *b, const char *s)
{
    int rc = fz_buf_puts(b, "\"");

    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0;
         p++) {
        if (*p == '"' || *p == '\\') {
            rc = fz_buf_printf(b, "\\%c", *p);
        } else if (*p < 0x20) {
            rc = fz_buf_printf(b, "\\u%04x", *p);
        } else {
            rc = fz_buf_append(b, p, 1);
        }
    }
    return rc ? rc : fz_buf_puts(b, "\"");
}

static int
jstrvec(fz_buf *b, const fz_strvec *v)
{
    int rc = fz_buf_puts(b, "[");

    for (size_t i = 0; i < v->count && rc == 0; i++) {
        rc = i ? fz_buf_puts(b, ", ") : 0;
        rc = rc ? rc : jstr(b, v->items[i]);
    }
    return rc ? rc : fz_buf_puts(b, "]");
}

static char *
top_of(const char *name, char sep)
{
    size_t n = strcspn(name, sep == '.' ? "." : "/");

    return strndup(name, n);
}

static int
size_add(fz_report_size **items, size_t *count, size_t *cap, char *pkg,
         unsigned long long bytes)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*items)[i].package, pkg) == 0) {
            (*items)[i].bytes += bytes;
            (*items)[i].files++;
            free(pkg);
            return 0;
        }
    }
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        fz_report_size *n = realloc(*items, ncap * sizeof(*n));

        if (n == NULL) {
            free(pkg);
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        *items = n;
        *cap = ncap;
    }
    (*items)[*count].package = pkg;
    (*items)[*count].bytes = bytes;
    (*items)[*count].files = 1;
    (*count)++;
    return 0;
}

static int
cmp_size(const void *a, const void *b)
{
    const fz_report_size *x = a;
    const fz_report_size *y = b;

    if (x->bytes != y->bytes) {
        return x->bytes < y->bytes ? 1 : -1;
    }
    return strcmp(x->package, y->package);
}

void
fz_report_sizes_free(fz_report_size *s, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(s[i].package);
    }
    free(s);
}

int
fz_report_sizes(fz_report_size **out, size_t *count, const fz_graph *g,
                const fz_extras *x, const fz_natives *libs)
{
    fz_report_size *items = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = 0;

    for (size_t i = 0; i < fz_graph_count(g) && rc == 0; i++) {
        const fz_module *m = fz_graph_module(g, i);
        struct stat st;
        char *pkg;

        if ((m->kind != FZ_MOD_SOURCE && m->kind != FZ_MOD_PACKAGE &&
             m->kind != FZ_MOD_EXTENSION) ||
            m->path == NULL || stat(m->path, &st) != 0) {
            continue;
        }
        pkg = top_of(m->name, '.');
        rc = pkg ? size_add(&items, &n, &cap, pkg,
                            (unsigned long long)st.st_size)
                 : FZ_ENOMEM;
    }
    for (size_t i = 0; x != NULL && i < x->files.count && rc == 0; i++) {
        char *pkg = top_of(x->files.items[i].entry, '/');

        rc = pkg ? size_add(&items, &n, &cap, pkg,
                            (unsigned long long)x->files.items[i].size)
                 : FZ_ENOMEM;
    }
    for (size_t i = 0; libs != NULL && i < fz_natives_count(libs) && rc == 0;
         i++) {
        const fz_native *l = fz_natives_at(libs, i);
        char *pkg;

        if (!native_listed(l)) {
            continue;
        }
        pkg = top_of(l->entry, '/');
        rc = pkg ? size_add(&items, &n, &cap, pkg, file_size(l->path))
                 : FZ_ENOMEM;
    }
    if (rc < 0) {
        fz_report_sizes_free(items, n);
        return rc;
    }
    if (n > 1) {
        qsort(items, n, sizeof(*items), cmp_size);
    }
    *out = items;
    *count = n;
    return 0;
}

int
fz_report_json(fz_buf *out, const char *output, const fz_graph *g,
               const fz_extras *x, const fz_natives *libs)
{
    static const fz_strvec none = FZ_STRVEC_INIT;
    fz_report_size *sizes = NULL;
    size_t nsizes = 0;
    int first = 1;
    int rc;

    fz_buf_clear(out);
    rc = fz_buf_puts(out, "{\n  \"output\": ");
    rc = rc ? rc : jstr(out, output);
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"modules\": [");
    for (size_t i = 0; i < fz_graph_count(g) && rc == 0; i++) {
        const fz_module *m = fz_graph_module(g, i);

        if (m->kind == FZ_MOD_MISSING) {
            continue;
        }
        rc = fz_buf_printf(out, "%s\n    {\"name\": ", first ? "" : ",");
        first = 0;
        rc = rc ? rc : jstr(out, m->name);
        rc = rc ? rc
                : fz_buf_printf(out,
                                ", \"kind\": \"%s\", \"why\": \"%s\", "
                                "\"reason\": ",
                                fz_module_kind_name(m->kind),
                                fz_report_category(m));
        rc = rc ? rc : jstr(out, m->reason ? m->reason : "");
        rc = rc ? rc : fz_buf_puts(out, "}");
    }
    rc = rc ? rc : fz_buf_puts(out, "\n  ],\n  \"files\": [");
    first = 1;
    for (size_t i = 0; x != NULL && i < x->files.count && rc == 0; i++) {
        const fz_file *f = &x->files.items[i];

        rc = fz_buf_printf(out, "%s\n    {\"entry\": ", first ? "" : ",");
        first = 0;
        rc = rc ? rc : jstr(out, f->entry);
        rc = rc ? rc
                : fz_buf_printf(out,
                                ", \"kind\": \"%s\", \"size\": %llu, "
                                "\"why\": \"%s\", \"reason\": ",
                                fz_entry_kind_name(f->kind),
                                (unsigned long long)f->size, file_category(f));
        rc = rc ? rc : jstr(out, f->reason);
        rc = rc ? rc : fz_buf_puts(out, "}");
    }
    for (size_t i = 0; libs != NULL && i < fz_natives_count(libs) && rc == 0;
         i++) {
        const fz_native *l = fz_natives_at(libs, i);

        if (!native_listed(l)) {
            continue;
        }
        rc = fz_buf_printf(out, "%s\n    {\"entry\": ", first ? "" : ",");
        first = 0;
        rc = rc ? rc : jstr(out, l->entry);
        rc = rc ? rc
                : fz_buf_printf(out,
                                ", \"kind\": \"%s\", \"size\": %llu, "
                                "\"why\": \"%s\", \"reason\": ",
                                fz_entry_kind_name(FZ_ENTRY_NATIVE_LIB),
                                file_size(l->path), native_category(l));
        rc = rc ? rc : jstr(out, l->reason);
        rc = rc ? rc : fz_buf_puts(out, "}");
    }
    rc = rc ? rc : fz_buf_puts(out, "\n  ],\n  \"distributions\": ");
    rc = rc ? rc : jstrvec(out, &x->dists_bundled);
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"hooks\": ");
    rc = rc ? rc : jstrvec(out, &x->hooks_applied);
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"stacks\": ");
    rc = rc ? rc : jstrvec(out, libs ? fz_natives_stack_files(libs) : &none);
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"missing\": [");
    first = 1;
    for (size_t i = 0; i < fz_graph_count(g) && rc == 0; i++) {
        const fz_module *m = fz_graph_module(g, i);

        if (m->kind != FZ_MOD_MISSING) {
            continue;
        }
        rc = fz_buf_printf(out, "%s\n    {\"name\": ", first ? "" : ",");
        first = 0;
        rc = rc ? rc : jstr(out, m->name);
        rc = rc ? rc
                : fz_buf_printf(out, ", \"optional\": %s, \"importers\": ",
                                m->optional ? "true" : "false");
        rc = rc ? rc : jstrvec(out, &m->importers);
        rc = rc ? rc : fz_buf_puts(out, "}");
    }
    rc = rc ? rc : fz_buf_puts(out, "\n  ],\n  \"size_by_package\": [");
    rc = rc ? rc : fz_report_sizes(&sizes, &nsizes, g, x, libs);
    for (size_t i = 0; i < nsizes && rc == 0; i++) {
        rc = fz_buf_printf(out, "%s\n    {\"package\": ", i ? "," : "");
        rc = rc ? rc : jstr(out, sizes[i].package);
        rc = rc ? rc
                : fz_buf_printf(out, ", \"bytes\": %llu, \"files\": %zu}",
                                sizes[i].bytes, sizes[i].files);
    }
    rc = rc ? rc : fz_buf_puts(out, "\n  ]");
    if (rc == 0 && x != NULL && x->traced) {
        rc = fz_buf_puts(out, ",\n  \"trace\": {\"modules\": ");
        rc = rc ? rc : jstrvec(out, &x->trace_modules);
        rc = rc ? rc : fz_buf_puts(out, ", \"files\": ");
        rc = rc ? rc : jstrvec(out, &x->trace_files);
        rc = rc ? rc : fz_buf_puts(out, "}");
    }
    rc = rc ? rc : fz_buf_puts(out, "\n}\n");
    fz_report_sizes_free(sizes, nsizes);
    return rc;
}

int
fz_report_trace_json(fz_buf *out, const fz_extras *x)
{
    int rc;

    fz_buf_clear(out);
    rc = fz_buf_printf(out, "{\n  \"exit_status\": %d,\n  \"modules_added\": ",
                       x->trace_status);
    rc = rc ? rc : jstrvec(out, &x->trace_modules);
    rc = rc ? rc : fz_buf_puts(out, ",\n  \"files_added\": ");
    rc = rc ? rc : jstrvec(out, &x->trace_files);
    return rc ? rc : fz_buf_puts(out, "\n}\n");
}

int
fz_report_write(const char *path, const fz_buf *text)
{
    FILE *f = fopen(path, "w");
    int rc = 0;

    if (f == NULL) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    if (text->size > 0 && fwrite(text->data, 1, text->size, f) != text->size) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    return rc;
}
