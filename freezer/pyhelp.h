/*
 * pyhelp.h - run small helper modules written in Python inside the
 * freezer's embedded interpreter (metadata discovery, hook files, the
 * dynamic-import scan), where the standard library already knows the
 * format: importlib.metadata, tomllib, ast.
 */
#ifndef FZ_PYHELP_H
#define FZ_PYHELP_H

#include "buf.h"

#include <Python.h>

/*
 * Call `func` of the helper module `name` whose source is `code` (compiled
 * and executed once, then cached) with the tuple `args` (borrowed). Returns
 * a new reference, or NULL with the error slot set ("<name>.<func>:
 * <Type>: <message>", FZ_EFAIL). Needs fz_pyembed_init().
 */
PyObject *fz_pyhelp_call(const char *name, const char *code, const char *func,
                         PyObject *args);

/* A Python list of str from `v` (NULL on failure, error slot set). */
PyObject *fz_pyhelp_strlist(const fz_strvec *v);

/* Append every str of the iterable `seq` to `out`. Errors: FZ_EFORMAT when
 * an item is not a str, FZ_ENOMEM. */
int fz_pyhelp_to_strvec(fz_strvec *out, PyObject *seq);

/* UTF-8 of a str (borrowed), or NULL when `o` is not a str. */
const char *fz_pyhelp_str(PyObject *o);

#endif /* FZ_PYHELP_H */
