/*
 * progress.h - how the freezer's long steps tell the command line where
 * they are: stage names and step counts, through callbacks that main.c
 * provides (term.h draws them). The library never prints.
 */
#ifndef FZ_PROGRESS_H
#define FZ_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct fz_progress {
    /* A stage begins ("analysing imports"); the previous one is done. */
    void (*stage)(void *ctx, const char *name);
    /* `done` of `total` steps of the current stage; called from any
     * thread (the payload writer's compression threads), so the callee
     * serialises itself. */
    void (*step)(void *ctx, uint64_t done, uint64_t total);
    void *ctx;
} fz_progress;

/* Call p->stage when there is one (p may be NULL). */
static inline void
fz_progress_stage(const fz_progress *p, const char *name)
{
    if (p != NULL && p->stage != NULL) {
        p->stage(p->ctx, name);
    }
}

/* Call p->step when there is one (p may be NULL). */
static inline void
fz_progress_step(const fz_progress *p, uint64_t done, uint64_t total)
{
    if (p != NULL && p->step != NULL) {
        p->step(p->ctx, done, total);
    }
}

#endif /* FZ_PROGRESS_H */
