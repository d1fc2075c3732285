/*
 * pyenv.h - the target environment: which interpreter's third-party
 * packages the app is frozen with (--python, $VIRTUAL_ENV, the default).
 */
#ifndef FZ_PYENV_H
#define FZ_PYENV_H

#include "buf.h"

typedef struct fz_pyenv {
    char *python;        /* the interpreter that was asked */
    char *version;       /* "3.11" */
    char *prefix;        /* its sys.prefix */
    fz_strvec site_dirs; /* third-party sys.path entries, in order */
} fz_pyenv;

/*
 * The interpreter to ask: `python` when not NULL, else
 * $VIRTUAL_ENV/bin/python when the variable is set, else FZ_PYTHON.
 * Returns a malloc'd path or NULL (FZ_ENOMEM).
 */
char *fz_pyenv_pick(const char *python);

/*
 * Run `python` once (posix_spawn, no shell, `-I -c`, so site runs and .pth
 * files count but no user site or PYTHON* variables) and record its version
 * and the sys.path entries that are not its standard library. The output
 * of the child is untrusted and checked. Errors: FZ_EIO (cannot run it),
 * FZ_EFORMAT (unexpected output), FZ_EPYVERSION ("target Python is 3.12
 * (/path), freeze was built for 3.11"). On failure *out is NULL.
 */
int fz_pyenv_query(fz_pyenv **out, const char *python);

/* Release an environment. Accepts NULL. */
void fz_pyenv_free(fz_pyenv *env);

#endif /* FZ_PYENV_H */
