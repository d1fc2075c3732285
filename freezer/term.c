/*
 * term.c - stage lines, progress bars and colours for the freeze command
 * (term.h). Linked into the freeze executable only: main's output.
 */
#define _GNU_SOURCE
#include "term.h"

#include "stages.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAR_WIDTH 30

struct fz_term {
    FILE *f;
    int live;  /* draw stage lines (a terminal, not quiet) */
    int color; /* colour escapes allowed */
    char *stage;
    double started;
    double last_draw;
    uint64_t done;
    uint64_t total;
    pthread_mutex_t lock;
};

int
fz_term_color(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");

    if (no != NULL && no[0] != '\0') {
        return 0;
    }
    if (term != NULL && strcmp(term, "dumb") == 0) {
        return 0;
    }
    return isatty(fileno(f));
}

const char *
fz_term_sgr(int color, const char *what)
{
    static const struct {
        const char *name;
        const char *sgr;
    } codes[] = {{"error", "\033[1;31m"}, {"warning", "\033[1;33m"},
                 {"ok", "\033[32m"},      {"dim", "\033[2m"},
                 {"bold", "\033[1m"},     {"reset", "\033[0m"}};

    for (size_t i = 0; color && i < sizeof(codes) / sizeof(*codes); i++) {
        if (strcmp(codes[i].name, what) == 0) {
            return codes[i].sgr;
        }
    }
    return "";
}

fz_term *
fz_term_new(FILE *f, int quiet)
{
    fz_term *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->f = f;
    t->live = !quiet && isatty(fileno(f));
    t->color = fz_term_color(f);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

/* The current stage's line, from the start of the line. Locked. */
static void
draw(fz_term *t, int final)
{
    fprintf(t->f, "\r\033[K%s%s%s %s",
            fz_term_sgr(t->color, final ? "ok" : "dim"),
            final ? "\xe2\x9c\x93" : "\xe2\x80\xa6",
            fz_term_sgr(t->color, "reset"), t->stage);
    if (t->total > 0 && !final) {
        unsigned fill = (unsigned)(BAR_WIDTH * t->done / t->total);

        fputs(" [", t->f);
        for (unsigned i = 0; i < BAR_WIDTH; i++) {
            fputs(i < fill ? "\xe2\x96\x88" : "\xc2\xb7", t->f);
        }
        fprintf(t->f, "] %llu/%llu", (unsigned long long)t->done,
                (unsigned long long)t->total);
    }
    if (final) {
        fprintf(t->f, " %s%.2f s%s\n", fz_term_sgr(t->color, "dim"),
                fz_stage_clock() - t->started, fz_term_sgr(t->color, "reset"));
    }
    fflush(t->f);
}

void
fz_term_finish(fz_term *t)
{
    if (t == NULL) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    if (t->live && t->stage != NULL) {
        draw(t, 1);
    }
    free(t->stage);
    t->stage = NULL;
    pthread_mutex_unlock(&t->lock);
}

void
fz_term_free(fz_term *t)
{
    if (t == NULL) {
        return;
    }
    fz_term_finish(t);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void
on_stage(void *ctx, const char *name)
{
    fz_term *t = ctx;

    fz_term_finish(t);
    pthread_mutex_lock(&t->lock);
    t->stage = strdup(name);
    t->started = fz_stage_clock();
    t->last_draw = 0;
    t->done = 0;
    t->total = 0;
    if (t->live && t->stage != NULL) {
        draw(t, 0);
    }
    pthread_mutex_unlock(&t->lock);
}

static void
on_step(void *ctx, uint64_t done, uint64_t total)
{
    fz_term *t = ctx;
    double n;

    pthread_mutex_lock(&t->lock);
    /* threads report out of order: keep the highest count */
    if (done > t->done || total != t->total) {
        t->done = done > t->done ? done : t->done;
        t->total = total;
    }
    n = fz_stage_clock();
    /* redraw at most 20 times a second, and at the end */
    if (t->live && t->stage != NULL &&
        (n - t->last_draw >= 0.05 || t->done == t->total)) {
        t->last_draw = n;
        draw(t, 0);
    }
    pthread_mutex_unlock(&t->lock);
}

fz_progress
fz_term_progress(fz_term *t)
{
    fz_progress p = {0};

    if (t != NULL) {
        p.stage = on_stage;
        p.step = on_step;
        p.ctx = t;
    }
    return p;
}
