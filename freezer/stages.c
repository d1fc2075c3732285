/*
 * stages.c - the wall time of a freeze's stages (stages.h).
 */
#include "stages.h"

#include <time.h>

static const char *const stage_names[FZ_STAGE_COUNT] = {
    [FZ_STAGE_QUERY] = "query",       [FZ_STAGE_CHECK] = "check",
    [FZ_STAGE_ANALYSIS] = "analysis", [FZ_STAGE_COLLECT] = "collect",
    [FZ_STAGE_COMPILE] = "compile",   [FZ_STAGE_COMPRESSION] = "compression",
    [FZ_STAGE_ATTACH] = "attach",     [FZ_STAGE_REPORTS] = "reports",
    [FZ_STAGE_PACKAGE] = "package",
};

double
fz_stage_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
fz_stage_add(fz_stage_times *t, fz_stage s, double seconds)
{
    t->seconds[s] += seconds;
    t->ran |= 1u << s;
}

const char *
fz_stage_name(fz_stage s)
{
    return (unsigned)s < FZ_STAGE_COUNT ? stage_names[s] : "?";
}

int
fz_stage_format(fz_buf *out, const fz_stage_times *t, double total)
{
    int rc = 0;

    for (int s = 0; rc == 0 && s < FZ_STAGE_COUNT; s++) {
        if (t->ran & (1u << s)) {
            rc = fz_buf_printf(out, "%s %.3f s, ", stage_names[s],
                               t->seconds[s]);
        }
    }
    return rc ? rc : fz_buf_printf(out, "total %.3f s", total);
}
