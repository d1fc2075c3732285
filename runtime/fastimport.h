/*
 * fastimport.h - importlib's _find_and_load_unlocked in C for the modules
 * that the runtime's importer serves.
 */
#ifndef FZ_FASTIMPORT_H
#define FZ_FASTIMPORT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/*
 * Replace importlib._bootstrap._find_and_load and _find_and_load_unlocked
 * with C functions that do the same (docs/internals.md, "Import fast
 * path"): for a module that `importer` serves while sys.meta_path still
 * starts with BuiltinImporter, FrozenImporter and `importer` (as the
 * runtime installed it), the module is found, created, initialised and
 * executed without running importlib's Python code; anything else goes to
 * importlib's own functions. The per-module locks are importlib's lock
 * objects, taken and released as its _ModuleLockManager does. Not
 * installed when Python runs verbose (-v prints from that Python code).
 * Call after the importer is installed; 0, or -1 with an exception set.
 */
int fz_fastimport_install(PyObject *importer);

#endif /* FZ_FASTIMPORT_H */
