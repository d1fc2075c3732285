/*
 * compile.c - compile and marshal one module (compile.h).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "compile.h"

#include "fz_error.h"
#include "pyembed.h"

#include <stdint.h>
#include <string.h>

/*
 * Line tables without columns. CPython 3.11 writes a code object's
 * co_linetable as entries (Objects/locations.md): a first byte
 * 1CCCCLLL (code C, L+1 code units), then by code: 0-9 "short" (one byte
 * of columns, same line), 10-12 "one line" (line + C-10, two column
 * bytes), 13 "no columns" (a signed varint line delta), 14 "long" (signed
 * line delta, then end line, column and end column as varints), 15 "no
 * location". Each entry becomes a "no columns" entry with its line delta
 * ("no location" stays), and runs on one line merge into entries of up to
 * 8 code units. Every code unit must keep its line (co_lines(), checked):
 * on any doubt the table is kept as it is.
 */
enum {
    LOC_ONE_LINE0 = 10,
    LOC_NO_COLUMNS = 13,
    LOC_LONG = 14,
    LOC_NONE = 15
};

/* A varint at t[*i] (6 bits a byte, bit 6 = more); -1 past the end. */
static int64_t
read_varint(const uint8_t *t, size_t n, size_t *i)
{
    uint64_t v = 0;
    unsigned shift = 0;

    for (;;) {
        if (*i >= n || shift > 56) {
            return -1;
        }
        v |= (uint64_t)(t[*i] & 63) << shift;
        shift += 6;
        if (!(t[(*i)++] & 64)) {
            return (int64_t)v;
        }
    }
}

static int
write_varint(fz_buf *out, uint64_t v)
{
    uint8_t b;

    while (v >= 64) {
        b = (uint8_t)(64 | (v & 63));
        if (fz_buf_append(out, &b, 1) < 0) {
            return -1;
        }
        v >>= 6;
    }
    b = (uint8_t)v;
    return fz_buf_append(out, &b, 1);
}

/* One "no columns" entry: `units` code units, `delta` lines on. */
static int
write_no_columns(fz_buf *out, int64_t delta, unsigned units)
{
    uint8_t head = (uint8_t)(0x80 | LOC_NO_COLUMNS << 3 | (units - 1));

    return fz_buf_append(out, &head, 1) < 0 ||
                   write_varint(out, delta < 0
                                         ? ((uint64_t)-delta << 1) | 1
                                         : (uint64_t)delta << 1) < 0
               ? -1
               : 0;
}

/* A run of code units: on one line (`delta` on from the last line) or
 * with no location; written as entries of at most 8 units. */
typedef struct run {
    int none;
    int64_t delta;
    size_t units;
} run;

/* Write the entries of `r` but the last <= 8 units when `all` is 0. */
static int
run_write(fz_buf *out, run *r, int all)
{
    while (r->units > 8 || (all && r->units > 0)) {
        unsigned n = r->units > 8 ? 8u : (unsigned)r->units;
        uint8_t none = (uint8_t)(0x80 | LOC_NONE << 3 | (n - 1));

        if (r->none ? fz_buf_append(out, &none, 1) < 0
                    : write_no_columns(out, r->delta, n) < 0) {
            return -1;
        }
        r->units -= n;
        r->delta = 0; /* the rest of the run is on the same line */
    }
    return 0;
}

/*
 * `t` (a 3.11 line table) without columns into `out`, runs on one line
 * (or with no location) as few entries as fit; -1 if malformed.
 */
static int
table_without_columns(fz_buf *out, const uint8_t *t, size_t n)
{
    run r = {0, 0, 0};
    size_t i = 0;

    fz_buf_clear(out);
    while (i < n) {
        uint8_t first = t[i++];
        unsigned code = (first >> 3) & 15;
        unsigned units = (first & 7) + 1u;
        int64_t delta = 0;

        if (!(first & 0x80)) {
            return -1;
        }
        if (code < LOC_ONE_LINE0) {
            i += 1;
        } else if (code < LOC_NO_COLUMNS) {
            delta = code - LOC_ONE_LINE0;
            i += 2;
        } else if (code != LOC_NONE) {
            int64_t v = read_varint(t, n, &i);

            if (v < 0) {
                return -1;
            }
            delta = v & 1 ? -(v >> 1) : v >> 1;
            for (int k = 0; code == LOC_LONG && k < 3; k++) {
                if (read_varint(t, n, &i) < 0) {
                    return -1;
                }
            }
        }
        if (i > n) {
            return -1;
        }
        if (r.units > 0 && (code == LOC_NONE) == r.none && delta == 0) {
            r.units += units; /* goes on: the same line, or still none */
        } else {
            if (run_write(out, &r, 1) < 0) {
                return -1;
            }
            r.none = code == LOC_NONE;
            r.delta = delta;
            r.units = units;
        }
        if (run_write(out, &r, 0) < 0) {
            return -1;
        }
    }
    return run_write(out, &r, 1);
}

/* The line of every code unit of `code` (INT64_MIN: none), from
 * co_lines(), into `out` as int64_t; -1 with a Python exception. */
static int
unit_lines(PyObject *code, fz_buf *out)
{
    PyObject *it = PyObject_CallMethod(code, "co_lines", NULL);
    PyObject *item;
    int rc = it ? 0 : -1;

    fz_buf_clear(out);
    while (rc == 0 && (item = PyIter_Next(it)) != NULL) {
        long start, end;
        int64_t line = INT64_MIN;
        PyObject *l;

        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_SetString(PyExc_TypeError, "co_lines: not a 3-tuple");
            rc = -1;
        } else {
            start = PyLong_AsLong(PyTuple_GET_ITEM(item, 0));
            end = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
            l = PyTuple_GET_ITEM(item, 2);
            if (l != Py_None) {
                line = PyLong_AsLongLong(l);
            }
            rc = PyErr_Occurred() ? -1 : 0;
            for (long u = start; rc == 0 && u < end; u += 2) {
                if (fz_buf_append(out, &line, sizeof(line)) < 0) {
                    PyErr_NoMemory();
                    rc = -1;
                }
            }
        }
        Py_DECREF(item);
    }
    if (rc == 0 && PyErr_Occurred()) {
        rc = -1;
    }
    Py_XDECREF(it);
    return rc;
}

/* Does every code unit of `a` and `b` have the same line: 1, 0, or -1
 * with a Python exception. */
static int
same_lines(PyObject *a, PyObject *b)
{
    fz_buf la = FZ_BUF_INIT, lb = FZ_BUF_INIT;
    int r = -1;

    if (unit_lines(a, &la) == 0 && unit_lines(b, &lb) == 0) {
        r = la.size == lb.size &&
            (la.size == 0 || memcmp(la.data, lb.data, la.size) == 0);
    }
    fz_buf_dispose(&la);
    fz_buf_dispose(&lb);
    return r;
}

/* `code` and every code object in its constants without columns: a new
 * reference, or NULL with a Python exception. */
static PyObject *
strip_columns(PyObject *code, int depth)
{
    PyObject *consts = PyObject_GetAttrString(code, "co_consts");
    PyObject *table = PyObject_GetAttrString(code, "co_linetable");
    PyObject *new_consts = NULL;
    PyObject *new_table = NULL;
    PyObject *kwargs = NULL;
    PyObject *empty = NULL;
    PyObject *replace = NULL;
    PyObject *r = NULL;
    fz_buf buf = FZ_BUF_INIT;
    Py_ssize_t n;

    if (consts == NULL || table == NULL || !PyTuple_Check(consts) ||
        !PyBytes_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "not a code object");
        goto done;
    }
    if (depth > 200) {
        PyErr_SetString(PyExc_RecursionError, "code nested too deeply");
        goto done;
    }
    n = PyTuple_GET_SIZE(consts);
    new_consts = PyTuple_New(n);
    for (Py_ssize_t k = 0; new_consts != NULL && k < n; k++) {
        PyObject *c = PyTuple_GET_ITEM(consts, k);
        PyObject *s = PyCode_Check(c) ? strip_columns(c, depth + 1)
                                      : Py_NewRef(c);

        if (s == NULL) {
            goto done;
        }
        PyTuple_SET_ITEM(new_consts, k, s);
    }
    kwargs = new_consts ? PyDict_New() : NULL;
    if (kwargs == NULL ||
        PyDict_SetItemString(kwargs, "co_consts", new_consts) < 0) {
        goto done;
    }
    if (table_without_columns(&buf, (const uint8_t *)PyBytes_AS_STRING(table),
                              (size_t)PyBytes_GET_SIZE(table)) == 0) {
        new_table = PyBytes_FromStringAndSize(buf.data ? buf.data : "",
                                              (Py_ssize_t)buf.size);
        if (new_table == NULL ||
            PyDict_SetItemString(kwargs, "co_linetable", new_table) < 0) {
            goto done;
        }
    }
    empty = PyTuple_New(0);
    replace = empty ? PyObject_GetAttrString(code, "replace") : NULL;
    r = replace ? PyObject_Call(replace, empty, kwargs) : NULL;
    if (r != NULL && new_table != NULL) {
        int same = same_lines(code, r);

        if (same < 0) {
            Py_CLEAR(r);
        } else if (!same) {
            /* Never a different line: keep the table as it was. */
            Py_CLEAR(r);
            if (PyDict_DelItemString(kwargs, "co_linetable") == 0) {
                r = PyObject_Call(replace, empty, kwargs);
            }
        }
    }
done:
    fz_buf_dispose(&buf);
    Py_XDECREF(consts);
    Py_XDECREF(table);
    Py_XDECREF(new_consts);
    Py_XDECREF(new_table);
    Py_XDECREF(kwargs);
    Py_XDECREF(empty);
    Py_XDECREF(replace);
    return r;
}

int
fz_compile(fz_buf *out, const char *source, size_t size, const char *filename,
           const char *display, int optimize, int columns)
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
    if (!columns) {
        PyObject *stripped = strip_columns(code, 0);

        if (stripped == NULL) {
            rc = fz_pyembed_error(NULL, display);
            goto done;
        }
        Py_SETREF(code, stripped);
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
