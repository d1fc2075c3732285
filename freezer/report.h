/*
 * report.h - the build report: what went into the app and why (import,
 * data default, metadata, trace, hook, option), size by package, missing
 * modules with their importers. JSON for tools, written by bundle.c next
 * to the executable (<output>.report.json); main.c prints the summary.
 */
#ifndef FZ_REPORT_H
#define FZ_REPORT_H

#include "analyzer.h"
#include "buf.h"
#include "extras.h"
#include "natives.h"

/* One line of "size by package". */
typedef struct fz_report_size {
    char *package; /* top-level name, or the .dist-info directory */
    unsigned long long bytes;
    size_t files;
} fz_report_size;

/*
 * Sizes (bytes on disk of the modules' files, the extra files and the
 * libraries of `libs` bundled for themselves: Qt plugins, --add-binary)
 * grouped by top-level package, largest first. `libs` may be NULL.
 * *out is malloc'd (free each package, then the array). Errors: FZ_ENOMEM.
 */
int fz_report_sizes(fz_report_size **out, size_t *count, const fz_graph *g,
                    const fz_extras *x, const fz_natives *libs);

/* Free what fz_report_sizes returned. */
void fz_report_sizes_free(fz_report_size *s, size_t count);

/*
 * The category of a module's reason: "import", "hook", "trace", "option",
 * "plugin", "dynamic", "resource", "runtime" or "script". Borrowed.
 */
const char *fz_report_category(const fz_module *m);

/*
 * The report as JSON into `out` (replacing it). `output` is the
 * executable's path. The "files" list has the extra files of `x`, then
 * the libraries of `libs` bundled for themselves, with the reason their
 * stack gave ("stack Qt: plugin group platforms", why "stack") or
 * "--add-binary" (why "option"); "stacks" has what each stack added
 * (fz_natives_stack_files). `libs` may be NULL. Errors: FZ_ENOMEM.
 */
int fz_report_json(fz_buf *out, const char *output, const fz_graph *g,
                   const fz_extras *x, const fz_natives *libs);

/* What --trace added, as JSON into `out`. Errors: FZ_ENOMEM. */
int fz_report_trace_json(fz_buf *out, const fz_extras *x);

/* Write `text` to `path` (replacing it). Errors: FZ_EIO with the path. */
int fz_report_write(const char *path, const fz_buf *text);

#endif /* FZ_REPORT_H */
