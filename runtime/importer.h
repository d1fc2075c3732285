/*
 * importer.h - the runtime's C importer: a meta-path finder and loader,
 * and a path-entry finder, serving modules from the mapped payload.
 */
#ifndef FZ_IMPORTER_H
#define FZ_IMPORTER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bundle.h"
#include "fz_payload.h"

/*
 * Create the importer over `p` and `b` (borrowed: both, and `argv0`, must
 * outlive the interpreter) and insert it into sys.meta_path right after
 * FrozenImporter. Call after the core phase of initialisation. Returns a
 * new reference, or NULL with a Python exception set. An entry whose
 * bytes fail their hash when first read ends the process with status 1
 * and the one-line "<argv0>: this executable is damaged (...)" message.
 */
PyObject *fz_importer_install(fz_payload *p, const fz_bundle *b,
                              const char *argv0);

/* What fz_importer_find made the spec from (new references). */
typedef struct fz_spec_parts {
    PyObject *loader;    /* the importer, or an ExtensionFileLoader */
    PyObject *origin;    /* str: <root>/a/b.py, the .so, ...; or None */
    PyObject *cached;    /* str: <root>/a/b.pyc; or None */
    PyObject *locations; /* a package's [<root>/a/b]; or None */
} fz_spec_parts;

/*
 * The importer's find_spec(fullname) without the call protocol: a new
 * ModuleSpec, or a new reference to None when the payload does not have
 * the module, or NULL with an exception. On success with a spec, *parts
 * holds what it was made from; release with fz_spec_parts_clear.
 */
PyObject *fz_importer_find(PyObject *importer, PyObject *fullname,
                           fz_spec_parts *parts);
void fz_spec_parts_clear(fz_spec_parts *parts);

/* The importer's exec_module(module): None, or NULL with an exception. */
PyObject *fz_importer_exec(PyObject *importer, PyObject *module);

/*
 * After the main phase: put the importer's path hook first in
 * sys.path_hooks (ahead of zipimport, so no path entry is stat'ed) and
 * drop any cached finder for the root. The hook also answers for another
 * process's private root (see install_open_code). 0, or -1 with an
 * exception set.
 */
int fz_importer_install_path_hook(PyObject *importer);

/*
 * Route io.open_code through the importer (once per process, after the
 * main phase): a path naming a bundled SOURCE entry, <root>/a/b.py, opens
 * that source from the payload, so runpy.run_path(__file__) works, as
 * multiprocessing's spawn and forkserver children need for __mp_main__.
 * The same holds below another process's private root
 * (<tmp>/freeze-XXXXXX/a/b.py: a child handed its parent's paths when the
 * cache is unusable), where nothing is ever read from disk; any other path
 * opens the file. The hook keeps a reference to the importer. 0, or -1
 * with an exception set.
 */
int fz_importer_install_open_code(PyObject *importer);

/*
 * The __main__ code object (co_filename fixed to *file) and its __file__,
 * <root>/<script>.py, as new references. NULL with an exception set when
 * the payload has no main entry or it is damaged.
 */
PyObject *fz_importer_main_code(PyObject *importer, PyObject **file);

#endif /* FZ_IMPORTER_H */
