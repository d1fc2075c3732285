/*
 * trace.h - freeze --trace: run the program once under the target
 * interpreter with an audit hook and record what it really imported and
 * which files it opened. Used by extras.c.
 */
#ifndef FZ_TRACE_H
#define FZ_TRACE_H

#include "buf.h"

typedef struct fz_trace {
    fz_strvec modules; /* every module imported (sys.modules at exit) */
    fz_strvec opened;  /* absolute paths of files opened for reading */
    int status;        /* the program's exit status (-1: killed) */
} fz_trace;

/*
 * Run `script` with `argv` (argc items, the program's arguments) under
 * `python` (-I, the script's directory first on sys.path, stdin from
 * /dev/null, stdout discarded, stderr inherited) and fill `out`. A program
 * that fails still gives what it did before failing. The child's record is
 * untrusted and checked. Errors: FZ_EIO (cannot run the interpreter, no
 * record written), FZ_EFORMAT, FZ_ENOMEM. Needs fz_pyembed_init().
 */
int fz_trace_run(fz_trace *out, const char *python, const char *script,
                 const char *const *argv, size_t argc);

/* Release the lists. */
void fz_trace_dispose(fz_trace *t);

#endif /* FZ_TRACE_H */
