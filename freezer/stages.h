/*
 * stages.h - where a freeze spends its time: the wall seconds of each
 * stage, printed by `freeze -v` as one "time:" line (which bench/run
 * reads), and shown in the HTML report.
 *
 * The stages are disjoint intervals of one build, so their sum never
 * exceeds the total; what the sum leaves out is bookkeeping between them.
 */
#ifndef FZ_STAGES_H
#define FZ_STAGES_H

#include "buf.h"

/* In the order a build runs them. */
typedef enum fz_stage {
    FZ_STAGE_QUERY,       /* asking the target Python, starting the embedded
                             one, opening the build cache */
    FZ_STAGE_CHECK,       /* is the stored build still valid (rebuild.h) */
    FZ_STAGE_ANALYSIS,    /* the import graph (analyzer.h) */
    FZ_STAGE_COLLECT,     /* data, metadata, hooks, the library closure,
                             reading the files of the entries */
    FZ_STAGE_COMPILE,     /* source to bytecode */
    FZ_STAGE_COMPRESSION, /* the payload writer's finish */
    FZ_STAGE_ATTACH,      /* writing the executable (or the onedir) */
    FZ_STAGE_REPORTS,     /* report.json, report.html, the build record */
    FZ_STAGE_PACKAGE,     /* .deb, installer, desktop entry, .app */
    FZ_STAGE_COUNT
} fz_stage;

typedef struct fz_stage_times {
    double seconds[FZ_STAGE_COUNT];
    unsigned ran; /* bit 1 << stage: the stage ran (it may take 0 s) */
} fz_stage_times;

/* Seconds on the monotonic clock, for differences. */
double fz_stage_clock(void);

/* Count `seconds` more for stage `s` (a stage may run in pieces). */
void fz_stage_add(fz_stage_times *t, fz_stage s, double seconds);

/* "analysis", "compile", ...: the name -v and the report use. */
const char *fz_stage_name(fz_stage s);

/*
 * Append "query 0.021 s, analysis 0.504 s, ..., total 1.149 s" to `out`:
 * the stages that ran, in order, then `total`. Errors: FZ_ENOMEM.
 */
int fz_stage_format(fz_buf *out, const fz_stage_times *t, double total);

#endif /* FZ_STAGES_H */
