/*
 * pyembed.h - the CPython interpreter embedded in the freezer (shared
 * libpython of the build's Python): its parser, compiler and facts.
 */
#ifndef FZ_PYEMBED_H
#define FZ_PYEMBED_H

/*
 * Start the embedded interpreter once per process: isolated config, home
 * FZ_PY_PREFIX, no site, no signal handlers, so it reads the build's own
 * standard library and nothing from the environment. Later calls do
 * nothing. Errors: FZ_EFAIL with CPython's status message.
 */
int fz_pyembed_init(void);

/* 1 when `name` is in sys.builtin_module_names of the embedded
 * interpreter (the runtime links the same libpython). Needs init. */
int fz_pyembed_is_builtin(const char *name);

/* 1 when CPython carries `name` frozen in libpython (never bundled). */
int fz_pyembed_is_frozen(const char *name);

/*
 * Turn the pending Python exception into the error slot: SyntaxError as
 * "<display>:<line>:<col>: <msg>" with FZ_ESYNTAX, anything else as
 * "<context>: <Type>: <str>" with FZ_EFAIL. Clears the exception. Returns
 * the status.
 */
int fz_pyembed_error(const char *display, const char *context);

#endif /* FZ_PYEMBED_H */
