/*
 * term.h - the freeze command's terminal output (part of main, not of
 * libfreezer): one line per stage with a progress bar on a terminal,
 * nothing in a pipe; colours only on a terminal and never with NO_COLOR.
 */
#ifndef FZ_TERM_H
#define FZ_TERM_H

#include "progress.h"

#include <stdio.h>

typedef struct fz_term fz_term;

/*
 * Output for stage lines goes to `f` (stderr). `quiet`: no stage lines.
 * Colour when `f` is a terminal, $NO_COLOR is unset or empty, and $TERM is
 * not "dumb"; stage lines only on a terminal. NULL on allocation failure
 * (then nothing is drawn: every fz_term function accepts NULL).
 */
fz_term *fz_term_new(FILE *f, int quiet);

/* End the last stage line and release. Accepts NULL. */
void fz_term_free(fz_term *t);

/* End the current stage line (before printing anything else). */
void fz_term_finish(fz_term *t);

/* Callbacks that draw into `t` (ctx = t). */
fz_progress fz_term_progress(fz_term *t);

/* 1 when colour escapes may be written to stream `f`. */
int fz_term_color(FILE *f);

/* The escape for `what` ("error", "warning", "ok", "dim", "bold",
 * "reset") when `color`, else "". */
const char *fz_term_sgr(int color, const char *what);

#endif /* FZ_TERM_H */
