/*
 * codegroup.c - the code group (codegroup.h).
 *
 * Unmarshalling a member interns its names, so a name many members use is
 * one object by the time the list is marshalled, and marshal writes it once
 * and refers back to it after that. Which objects marshal flags for
 * reference depends on their reference counts in this process, as it does
 * for every code entry fz_compile marshals; the freezer's embedded
 * interpreter holds the same objects on every run with the same inputs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "codegroup.h"

#include "fz_error.h"
#include "pyembed.h"

#include <stdlib.h>

struct fz_codegroup {
    PyObject *codes; /* list of code objects */
};

int
fz_codegroup_new(fz_codegroup **out)
{
    fz_codegroup *g = calloc(1, sizeof(*g));

    *out = NULL;
    if (g == NULL) {
        return fz_error_set(FZ_ENOMEM, "code group: out of memory");
    }
    g->codes = PyList_New(0);
    if (g->codes == NULL) {
        free(g);
        return fz_pyembed_error(NULL, "code group");
    }
    *out = g;
    return 0;
}

void
fz_codegroup_free(fz_codegroup *g)
{
    if (g == NULL) {
        return;
    }
    Py_XDECREF(g->codes);
    free(g);
}

int
fz_codegroup_add(fz_codegroup *g, const void *code, size_t size,
                 const char *display, uint32_t *position)
{
    Py_ssize_t n = PyList_GET_SIZE(g->codes);
    PyObject *co;
    int rc;

    if (size > (size_t)PY_SSIZE_T_MAX || (uint64_t)n >= UINT32_MAX) {
        return fz_error_set(FZ_ENOMEM, "code group: %s: too large", display);
    }
    co = PyMarshal_ReadObjectFromString(code, (Py_ssize_t)size);
    if (co == NULL) {
        return fz_pyembed_error(NULL, display);
    }
    if (!PyCode_Check(co)) {
        Py_DECREF(co);
        return fz_error_set(FZ_EFAIL, "code group: %s: not a code object",
                            display);
    }
    rc = PyList_Append(g->codes, co);
    Py_DECREF(co);
    if (rc < 0) {
        return fz_pyembed_error(NULL, display);
    }
    *position = (uint32_t)n;
    return 0;
}

size_t
fz_codegroup_count(const fz_codegroup *g)
{
    return (size_t)PyList_GET_SIZE(g->codes);
}

/* `obj` marshalled into `out`. */
static int
marshal_into(fz_buf *out, PyObject *obj)
{
    PyObject *bytes = PyMarshal_WriteObjectToString(obj, Py_MARSHAL_VERSION);
    int rc;

    if (bytes == NULL) {
        return fz_pyembed_error(NULL, "code group");
    }
    fz_buf_clear(out);
    rc = fz_buf_append(out, PyBytes_AS_STRING(bytes),
                       (size_t)PyBytes_GET_SIZE(bytes));
    Py_DECREF(bytes);
    return rc < 0 ? fz_error_set(FZ_ENOMEM, "code group: out of memory") : 0;
}

int
fz_codegroup_finish(fz_codegroup *g, fz_buf *out)
{
    return marshal_into(out, g->codes);
}

int
fz_codegroup_load(fz_codegroup **out, const void *bytes, size_t size)
{
    fz_codegroup *g;
    PyObject *list;

    *out = NULL;
    if (size > (size_t)PY_SSIZE_T_MAX) {
        return fz_error_set(FZ_EFORMAT, "code group: too large");
    }
    list = PyMarshal_ReadObjectFromString(bytes, (Py_ssize_t)size);
    if (list == NULL) {
        PyErr_Clear();
        return fz_error_set(FZ_EFORMAT, "code group: not marshalled data");
    }
    for (Py_ssize_t i = 0; PyList_Check(list) && i < PyList_GET_SIZE(list);
         i++) {
        if (!PyCode_Check(PyList_GET_ITEM(list, i))) {
            Py_CLEAR(list);
            break;
        }
    }
    if (list == NULL || !PyList_Check(list)) {
        Py_XDECREF(list);
        return fz_error_set(FZ_EFORMAT, "code group: not a list of code");
    }
    g = calloc(1, sizeof(*g));
    if (g == NULL) {
        Py_DECREF(list);
        return fz_error_set(FZ_ENOMEM, "code group: out of memory");
    }
    g->codes = list;
    *out = g;
    return 0;
}

int
fz_codegroup_member(const fz_codegroup *g, uint32_t position, fz_buf *out)
{
    if (position >= (uint64_t)PyList_GET_SIZE(g->codes)) {
        return fz_error_set(FZ_EFORMAT, "code group: no member %lu (of %zd)",
                            (unsigned long)position, PyList_GET_SIZE(g->codes));
    }
    return marshal_into(out, PyList_GET_ITEM(g->codes, position));
}
