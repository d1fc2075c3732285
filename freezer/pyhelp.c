/*
 * pyhelp.c - helper modules in Python for the freezer (pyhelp.h).
 */
#define PY_SSIZE_T_CLEAN
#include "pyhelp.h"

#include "fz_error.h"
#include "pyembed.h"

static PyObject *helpers; /* dict: name -> module namespace dict */

static PyObject *
helper_namespace(const char *name, const char *code)
{
    PyObject *ns = NULL;
    PyObject *compiled = NULL;
    PyObject *r = NULL;

    if (helpers == NULL && (helpers = PyDict_New()) == NULL) {
        return NULL;
    }
    ns = PyDict_GetItemString(helpers, name); /* borrowed */
    if (ns != NULL) {
        return ns;
    }
    ns = PyDict_New();
    if (ns == NULL ||
        PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(ns, "__name__", PyUnicode_FromString(name)) < 0) {
        goto fail;
    }
    compiled = Py_CompileString(code, name, Py_file_input);
    if (compiled == NULL) {
        goto fail;
    }
    r = PyEval_EvalCode(compiled, ns, ns);
    if (r == NULL || PyDict_SetItemString(helpers, name, ns) < 0) {
        goto fail;
    }
    Py_DECREF(r);
    Py_DECREF(compiled);
    Py_DECREF(ns);
    return PyDict_GetItemString(helpers, name);
fail:
    Py_XDECREF(r);
    Py_XDECREF(compiled);
    Py_XDECREF(ns);
    return NULL;
}

PyObject *
fz_pyhelp_call(const char *name, const char *code, const char *func,
               PyObject *args)
{
    PyObject *ns = helper_namespace(name, code);
    PyObject *f = ns ? PyDict_GetItemString(ns, func) : NULL;
    PyObject *r = NULL;
    fz_buf ctx = FZ_BUF_INIT;

    if (f != NULL) {
        r = PyObject_Call(f, args, NULL);
    } else if (ns != NULL) {
        PyErr_Format(PyExc_AttributeError, "no function %s", func);
    }
    if (r == NULL) {
        fz_buf_printf(&ctx, "%s.%s", name, func);
        fz_pyembed_error(NULL, ctx.data ? ctx.data : name);
        fz_buf_dispose(&ctx);
    }
    return r;
}

PyObject *
fz_pyhelp_strlist(const fz_strvec *v)
{
    PyObject *list = PyList_New(0);

    for (size_t i = 0; list != NULL && v != NULL && i < v->count; i++) {
        PyObject *s = PyUnicode_DecodeFSDefault(v->items[i]);

        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(s);
    }
    if (list == NULL) {
        fz_pyembed_error(NULL, "string list");
    }
    return list;
}

const char *
fz_pyhelp_str(PyObject *o)
{
    const char *s;

    if (o == NULL || !PyUnicode_Check(o)) {
        return NULL;
    }
    s = PyUnicode_AsUTF8(o);
    if (s == NULL) {
        PyErr_Clear();
    }
    return s;
}

int
fz_pyhelp_to_strvec(fz_strvec *out, PyObject *seq)
{
    PyObject *it = PyObject_GetIter(seq);
    PyObject *item;
    int rc = 0;

    if (it == NULL) {
        PyErr_Clear();
        return fz_error_set(FZ_EFORMAT, "expected a list of strings");
    }
    while (rc == 0 && (item = PyIter_Next(it)) != NULL) {
        const char *s = fz_pyhelp_str(item);

        rc = s ? fz_strvec_push(out, s)
               : fz_error_set(FZ_EFORMAT, "expected a string");
        Py_DECREF(item);
    }
    Py_DECREF(it);
    PyErr_Clear();
    return rc;
}
