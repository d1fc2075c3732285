/*
 * stacks.h - post-import hooks of the runtime for desktop stacks: once a
 * module of a table keyed by name has executed, point the library it
 * binds at what the freezer bundled for it (Qt plugin paths, GI typelib
 * search path), without environment variables. Called by natives.c for
 * Python modules and extension modules alike.
 */
#ifndef FZ_RT_STACKS_H
#define FZ_RT_STACKS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/*
 * Run the hook of module `name` (a str) that has just executed, if the
 * table has one. 0, or -1 with an exception set.
 */
int fz_stacks_module_loaded(PyObject *name, PyObject *module);

#endif /* FZ_RT_STACKS_H */
