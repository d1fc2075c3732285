/*
 * pyembed.c - start the embedded CPython and answer what it knows about
 * builtin and frozen modules (pyembed.h).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyembed.h"

#include "buf.h"
#include "fz_error.h"

#include <string.h>

/* Set once by fz_pyembed_init, read-only afterwards. */
static PyObject *builtin_names; /* frozenset of str: the stub's built-ins */
static PyObject *frozen_names;  /* frozenset of str */

/* Built into this interpreter but not into the runtime stub, which ships
 * them as extension modules (cmake/FindFzPython.cmake). */
static const char *const split_modules[] = {FZ_PY_SPLIT_MODULES};

/* sys.builtin_module_names minus split_modules, as a frozenset. */
static PyObject *
stub_builtin_names(void)
{
    PyObject *set = PySet_New(PySys_GetObject("builtin_module_names"));
    PyObject *frozen = NULL;

    for (size_t i = 0; set != NULL && i < sizeof(split_modules) /
                                              sizeof(split_modules[0]);
         i++) {
        PyObject *name = PyUnicode_FromString(split_modules[i]);

        if (name == NULL || PySet_Discard(set, name) < 0) {
            Py_CLEAR(set);
        }
        Py_XDECREF(name);
    }
    if (set != NULL) {
        frozen = PyFrozenSet_New(set);
        Py_DECREF(set);
    }
    return frozen;
}

static int
load_name_sets(void)
{
    PyObject *imp = NULL;
    PyObject *list = NULL;
    int rc = 0;

    builtin_names = stub_builtin_names();
    if (builtin_names == NULL) {
        rc = fz_pyembed_error(NULL, "sys.builtin_module_names");
        goto done;
    }
    imp = PyImport_ImportModule("_imp");
    if (imp == NULL) {
        rc = fz_pyembed_error(NULL, "import _imp");
        goto done;
    }
    list = PyObject_CallMethod(imp, "_frozen_module_names", NULL);
    if (list == NULL) {
        rc = fz_pyembed_error(NULL, "_imp._frozen_module_names");
        goto done;
    }
    frozen_names = PyFrozenSet_New(list);
    if (frozen_names == NULL) {
        rc = fz_pyembed_error(NULL, "frozen module names");
        goto done;
    }
done:
    Py_XDECREF(imp);
    Py_XDECREF(list);
    return rc;
}

int
fz_pyembed_init(void)
{
    PyConfig config;
    PyStatus status;
    int rc = 0;

    if (Py_IsInitialized()) {
        return 0;
    }
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    config.install_signal_handlers = 0;
    config.write_bytecode = 0;
    config.user_site_directory = 0;
    config.parse_argv = 0;
    status = PyConfig_SetBytesString(&config, &config.home, FZ_PY_PREFIX);
    if (!PyStatus_Exception(status)) {
        status =
            PyConfig_SetBytesString(&config, &config.program_name, "freeze");
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    if (PyStatus_Exception(status)) {
        rc = fz_error_set(FZ_EFAIL, "cannot start the embedded Python %s: %s",
                          FZ_PY_VERSION,
                          status.err_msg ? status.err_msg : "unknown error");
        goto done;
    }
    /* The freezer builds and drops thousands of acyclic AST objects; the
     * cyclic collector would only rescan them (it doubled analysis time). */
    PyGC_Disable();
    rc = load_name_sets();
done:
    PyConfig_Clear(&config);
    return rc;
}

static int
set_has(PyObject *set, const char *name)
{
    PyObject *key;
    int found;

    if (set == NULL) {
        return 0;
    }
    key = PyUnicode_FromString(name);
    if (key == NULL) {
        PyErr_Clear();
        return 0;
    }
    found = PySet_Contains(set, key);
    Py_DECREF(key);
    if (found < 0) {
        PyErr_Clear();
        return 0;
    }
    return found;
}

int
fz_pyembed_is_builtin(const char *name)
{
    return set_has(builtin_names, name);
}

int
fz_pyembed_is_frozen(const char *name)
{
    return set_has(frozen_names, name);
}

/* str(obj) as UTF-8 into `out`, "?" when that fails. */
static void
append_str(fz_buf *out, PyObject *obj)
{
    PyObject *s = obj ? PyObject_Str(obj) : NULL;
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;

    if (u == NULL) {
        PyErr_Clear();
        u = "?";
    }
    fz_buf_puts(out, u);
    Py_XDECREF(s);
}

static long
long_attr(PyObject *obj, const char *attr)
{
    PyObject *v = PyObject_GetAttrString(obj, attr);
    long n = 0;

    if (v != NULL && PyLong_Check(v)) {
        n = PyLong_AsLong(v);
    }
    Py_XDECREF(v);
    PyErr_Clear();
    return n;
}

int
fz_pyembed_error(const char *display, const char *context)
{
    PyObject *type = NULL;
    PyObject *value = NULL;
    PyObject *tb = NULL;
    fz_buf msg = FZ_BUF_INIT;
    int status = FZ_EFAIL;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && PyErr_GivenExceptionMatches(type, PyExc_SyntaxError)) {
        PyObject *m = PyObject_GetAttrString(value, "msg");

        PyErr_Clear();
        status = FZ_ESYNTAX;
        fz_buf_printf(&msg, "%s:%ld:%ld: ",
                      display ? display : (context ? context : "<input>"),
                      long_attr(value, "lineno"), long_attr(value, "offset"));
        append_str(&msg, m);
        Py_XDECREF(m);
    } else {
        if (context != NULL) {
            fz_buf_printf(&msg, "%s: ", context);
        }
        if (type != NULL) {
            fz_buf_puts(&msg, ((PyTypeObject *)type)->tp_name);
            fz_buf_puts(&msg, ": ");
        }
        append_str(&msg, value);
    }
    fz_error_set(status, "%s", msg.data ? msg.data : "Python error");
    fz_buf_dispose(&msg);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return status;
}
