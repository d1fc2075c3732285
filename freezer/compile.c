/*
 * compile.c - compile and marshal one module (compile.h).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "compile.h"

#include "fz_error.h"
#include "pyembed.h"

#include <string.h>

int
fz_compile(fz_buf *out, const char *source, size_t size, const char *filename,
           const char *display, int optimize)
{
    PyCompilerFlags cf = _PyCompilerFlags_INIT;
    PyObject *name = NULL;
    PyObject *code = NULL;
    PyObject *data = NULL;
    int rc = 0;

    fz_buf_clear(out);
    if (memchr(source, '\0', size) != NULL) {
        /* The C API stops at a NUL; python3 refuses such files too. */
        rc = fz_error_set(FZ_ESYNTAX,
                          "%s:1:1: source code cannot contain null bytes",
                          display);
        goto done;
    }
    name = PyUnicode_DecodeFSDefault(filename);
    if (name == NULL) {
        rc = fz_pyembed_error(NULL, display);
        goto done;
    }
    /* Bytes in, so the tokenizer applies the coding cookie itself. */
    code = Py_CompileStringObject(source, name, Py_file_input, &cf, optimize);
    if (code == NULL) {
        rc = fz_pyembed_error(display, display);
        goto done;
    }
    data = PyMarshal_WriteObjectToString(code, Py_MARSHAL_VERSION);
    if (data == NULL || !PyBytes_Check(data)) {
        rc = fz_pyembed_error(NULL, display);
        goto done;
    }
    rc = fz_buf_append(out, PyBytes_AS_STRING(data),
                       (size_t)PyBytes_GET_SIZE(data));
done:
    Py_XDECREF(name);
    Py_XDECREF(code);
    Py_XDECREF(data);
    return rc;
}
