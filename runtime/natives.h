/*
 * natives.h - bundled shared libraries at run time: the importer's
 * extension loader dlopens (RTLD_NOW | RTLD_GLOBAL) the extracted libraries
 * an extension needs, dependencies first, just before the extension, so
 * no LD_LIBRARY_PATH is set and child processes are unaffected. Also makes
 * ctypes find bundled libraries and points Tcl at bundled script
 * libraries. The table comes from the ".freeze/needs" entry
 * (docs/internals.md).
 */
#ifndef FZ_RT_NATIVES_H
#define FZ_RT_NATIVES_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bundle.h"
#include "fz_payload.h"

/*
 * The loader class for extension modules: a subclass of
 * importlib.machinery.ExtensionFileLoader whose create_module first loads
 * the bundled libraries the extension needs. `p` and `b` are borrowed for
 * the life of the process. New reference, or NULL with an exception set.
 */
PyObject *fz_natives_loader_type(fz_payload *p, const fz_bundle *b);

/*
 * Called by the importer after it executed a bundled Python module:
 * wraps ctypes' dlopen ("ctypes") and ctypes.util.find_library
 * ("ctypes.util") so that bundled libraries are found; then the stack
 * hooks (stacks.h), which extension modules also reach. 0, or -1 with an
 * exception set.
 */
int fz_natives_module_loaded(PyObject *name, PyObject *module);

/* The bundle root given to fz_natives_loader_type (NULL before). */
const fz_bundle *fz_natives_bundle(void);

/*
 * Load (RTLD_NOW | RTLD_GLOBAL) what every needs-table entry starting
 * with `prefix` needs, dependencies first: the libraries of plugins that
 * another library dlopens by path (Qt plugins) or by name (GI). 0, or -1
 * with ImportError set.
 */
int fz_natives_preload_under(const char *prefix);

#endif /* FZ_RT_NATIVES_H */
