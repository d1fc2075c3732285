/*
 * report_html.c - the self-contained HTML build report (report_html.h).
 * The page is freezer/report_template.html, compiled in by CMake
 * (cmake/FzEmbed.cmake); two markers in it receive the data.
 */
#include "report_html.h"

#include "fz_error.h"

#include <string.h>

extern const char fz_report_template[];
extern const size_t fz_report_template_size;

#define MARK_REPORT "/*FZ_REPORT*/"
#define MARK_META "/*FZ_META*/"

/* Append JSON text with '<' as \u003c, so "</script>" cannot appear. */
static int
put_json(fz_buf *b, const char *s, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = s[i] == '<' ? fz_buf_puts(b, "\\u003c")
                         : fz_buf_append(b, &s[i], 1);
    }
    return rc;
}

/* A JSON string or null. */
static int
put_str(fz_buf *b, const char *s)
{
    int rc;

    if (s == NULL) {
        return fz_buf_puts(b, "null");
    }
    rc = fz_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0;
         p++) {
        if (*p == '"' || *p == '\\') {
            rc = fz_buf_printf(b, "\\%c", *p);
        } else if (*p < 0x20 || *p == '<') {
            rc = fz_buf_printf(b, "\\u%04x", *p);
        } else {
            rc = fz_buf_append(b, p, 1);
        }
    }
    return rc ? rc : fz_buf_puts(b, "\"");
}

static int
put_meta(fz_buf *b, const fz_report_meta *m)
{
    int rc = fz_buf_puts(b, "{\"output\": ");

    rc = rc ? rc : put_str(b, m->output);
    rc = rc ? rc : fz_buf_puts(b, ", \"python\": ");
    rc = rc ? rc : put_str(b, m->python);
    rc = rc ? rc : fz_buf_puts(b, ", \"glibc_floor\": ");
    rc = rc ? rc : put_str(b, m->glibc_floor);
    rc = rc ? rc : fz_buf_puts(b, ", \"glibcxx_floor\": ");
    rc = rc ? rc : put_str(b, m->glibcxx_floor);
    rc = rc ? rc
            : fz_buf_printf(b,
                            ", \"size\": %llu, \"payload_size\": %llu, "
                            "\"entries\": %zu, \"cached\": %s, \"stages\": [",
                            (unsigned long long)m->size,
                            (unsigned long long)m->payload_size, m->entries,
                            m->cached ? "true" : "false");
    for (int s = 0, n = 0; rc == 0 && s < FZ_STAGE_COUNT; s++) {
        if (m->times->ran & (1u << s)) {
            rc =
                fz_buf_printf(b, "%s[\"%s\", %.6f]", n++ ? ", " : "",
                              fz_stage_name((fz_stage)s), m->times->seconds[s]);
        }
    }
    return rc ? rc
              : fz_buf_printf(b, "], \"total_seconds\": %.6f}",
                              m->total_seconds);
}

int
fz_report_html(fz_buf *out, const char *json, size_t json_size,
               const fz_report_meta *meta)
{
    const char *t = fz_report_template;
    const char *a = strstr(t, MARK_REPORT);
    const char *b = a ? strstr(a, MARK_META) : NULL;
    int rc;

    /* the template is ours: both markers, in this order */
    if (a == NULL || b == NULL) {
        return fz_error_set(FZ_EFAIL, "report template lacks its markers");
    }
    fz_buf_clear(out);
    rc = fz_buf_append(out, t, (size_t)(a - t));
    rc = rc ? rc : put_json(out, json, json_size);
    a += strlen(MARK_REPORT);
    rc = rc ? rc : fz_buf_append(out, a, (size_t)(b - a));
    rc = rc ? rc : put_meta(out, meta);
    b += strlen(MARK_META);
    return rc ? rc : fz_buf_puts(out, b);
}
