/*
 * stacks.c - post-import hooks for Qt and PyGObject (stacks.h). The
 * freezer bundles Qt's plugins and GI's typelibs under the bundle root
 * (freezer/qt.c, freezer/gi.c); these hooks make the libraries look
 * there and only there, before the program can create a QApplication or
 * import from gi.repository.
 */
#include "stacks.h"

#include "natives.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef int (*hook_fn)(PyObject *module, const char *arg);

/* "<root>/<rel>", malloc'd; NULL with MemoryError. */
static char *
under_root(const char *rel)
{
    const fz_bundle *b = fz_natives_bundle();
    size_t n = strlen(rel);
    char *p;

    if (b == NULL) {
        PyErr_SetString(PyExc_ImportError, "no bundle root");
        return NULL;
    }
    p = malloc(b->root_size + n + 2);
    if (p == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(p, b->root, b->root_size);
    p[b->root_size] = '/';
    memcpy(p + b->root_size + 1, rel, n + 1);
    return p;
}

/*
 * QCoreApplication.setLibraryPaths([<root>/<arg>]) before any application
 * object exists: the list replaces Qt's compiled-in plugin directory
 * (/usr/lib/<multiarch>/qt5/plugins) and QT_PLUGIN_PATH, so only the
 * bundled plugins are ever loaded.
 */
static int
qt_library_paths(PyObject *module, const char *arg)
{
    char *dir = under_root(arg);
    PyObject *app = NULL;
    PyObject *r = NULL;
    int rc = -1;

    if (dir == NULL) {
        goto done;
    }
    app = PyObject_GetAttrString(module, "QCoreApplication");
    r = app ? PyObject_CallMethod(app, "setLibraryPaths", "([s])", dir) : NULL;
    rc = r ? 0 : -1;
done:
    free(dir);
    Py_XDECREF(app);
    Py_XDECREF(r);
    return rc;
}

/*
 * Qt dlopens plugins by path; their DT_NEEDED libraries (libQt5XcbQpa,
 * libxcb-*) must already be loaded from the bundle, or ld.so would look
 * for them on the system.
 */
static int
preload_plugins(PyObject *module, const char *arg)
{
    (void)module;
    return fz_natives_preload_under(arg);
}

/*
 * PyGObject: GI finds typelibs on its search path and opens the
 * libraries they name with dlopen. Prepend <root>/gi_typelibs to the
 * first and the root to the second (libgirepository is loaded by now:
 * gi/__init__.py imported gi._gi), and load the named libraries with
 * their closure (the needs-table line "gi_typelibs").
 */
static int
gi_search_path(PyObject *module, const char *arg)
{
    typedef void (*prepend_fn)(const char *);
    const fz_bundle *b = fz_natives_bundle();
    prepend_fn search;
    prepend_fn library;
    struct stat st;
    char *dir = under_root(arg);
    int rc = -1;

    (void)module;
    if (dir == NULL) {
        goto done;
    }
    rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        goto done; /* nothing bundled for GI */
    }
    if (fz_natives_preload_under(arg) < 0) {
        rc = -1;
        goto done;
    }
    search =
        (prepend_fn)dlsym(RTLD_DEFAULT, "g_irepository_prepend_search_path");
    library =
        (prepend_fn)dlsym(RTLD_DEFAULT, "g_irepository_prepend_library_path");
    if (search != NULL) {
        search(dir);
    }
    if (library != NULL) {
        library(b->root);
    }
done:
    free(dir);
    return rc;
}

static const struct {
    const char *module;
    hook_fn fn;
    const char *arg;
} hooks[] = {
    {"PyQt5.QtCore", qt_library_paths, "PyQt5/Qt5/plugins"},
    {"PySide2.QtCore", qt_library_paths, "PySide2/Qt/plugins"},
    {"PyQt5.QtGui", preload_plugins, "PyQt5/Qt5/plugins/"},
    {"PySide2.QtGui", preload_plugins, "PySide2/Qt/plugins/"},
    {"gi", gi_search_path, "gi_typelibs"},
};

int
fz_stacks_module_loaded(PyObject *name, PyObject *module)
{
    if (!PyUnicode_Check(name) || fz_natives_bundle() == NULL) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(hooks) / sizeof(*hooks); i++) {
        if (PyUnicode_CompareWithASCIIString(name, hooks[i].module) == 0) {
            return hooks[i].fn(module, hooks[i].arg);
        }
    }
    return 0;
}
