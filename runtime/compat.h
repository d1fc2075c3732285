/*
 * compat.h - make third-party loaders that special-case loader types
 * accept the payload importer (pkg_resources). Called by importer.c after
 * a module ran.
 */
#ifndef FZ_RUNTIME_COMPAT_H
#define FZ_RUNTIME_COMPAT_H

#include <Python.h>

/*
 * After `module` (named `name`) was executed by `importer`: when it is
 * pkg_resources, register DefaultProvider for the importer's type and
 * find_on_path / file_ns_handler for its path-entry finder type (the
 * bundle root and its data are real files), then add the distributions of
 * sys.path to the working set that pkg_resources built before it knew the
 * finder. 0, or -1 with a Python exception.
 */
int fz_compat_module_loaded(PyObject *name, PyObject *module,
                            PyObject *importer);

#endif /* FZ_RUNTIME_COMPAT_H */
