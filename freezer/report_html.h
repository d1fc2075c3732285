/*
 * report_html.h - the build report as one self-contained HTML page
 * (<output>.report.html): inline CSS, JavaScript and SVG, no network. It
 * renders the JSON report (report.h) embedded in it, plus the facts below.
 * Written by bundle.c; never opened by freeze.
 */
#ifndef FZ_REPORT_HTML_H
#define FZ_REPORT_HTML_H

#include "buf.h"
#include "stages.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_report_meta {
    const char *output;        /* the executable */
    const char *python;        /* the target interpreter, or NULL */
    const char *glibc_floor;   /* "2.34", or NULL */
    const char *glibcxx_floor; /* or NULL */
    uint64_t size;             /* bytes of the executable */
    uint64_t payload_size;
    size_t entries;
    int cached;                  /* the payload came from the build cache */
    const fz_stage_times *times; /* the stages that ran before the report */
    double total_seconds;        /* so far */
} fz_report_meta;

/*
 * The page into `out` (replacing it). `json`: the JSON report's text
 * (trusted: made by fz_report_json; '<' is escaped so it cannot close the
 * script element that holds it). Errors: FZ_ENOMEM.
 */
int fz_report_html(fz_buf *out, const char *json, size_t json_size,
                   const fz_report_meta *meta);

#endif /* FZ_REPORT_HTML_H */
