/* fzdemo._speed: a tiny extension that needs a shared library (libz). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <zlib.h>

static PyObject *
checksum(PyObject *self, PyObject *args)
{
    Py_buffer b;
    unsigned long c;

    if (!PyArg_ParseTuple(args, "y*", &b)) {
        return NULL;
    }
    c = crc32(0L, b.buf, (uInt)b.len);
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLong(c);
}

static PyObject *
where(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(zlibVersion());
}

static PyMethodDef methods[] = {
    {"checksum", checksum, METH_VARARGS, "crc32 of bytes"},
    {"where", where, METH_NOARGS, "zlib version"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1,
                                    methods};

PyMODINIT_FUNC
PyInit__speed(void)
{
    return PyModule_Create(&module);
}
