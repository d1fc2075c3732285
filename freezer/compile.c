/*
 * compile.c - compile and marshal one module (compile.h).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "compile.h"

#include "fz_error.h"
#include "pyembed.h"
#include "pyhelp.h"

#include <string.h>

/*
 * Rewrites a code object's line table (CPython 3.11's format,
 * Objects/locations.md) with one "no columns" entry (code 13: a signed
 * varint line delta) or "no location" entry (code 15) per run of up to 8
 * code units on one line, for it and every code object in its constants.
 * The result must give every code unit the line the original gives it
 * (co_lines()), else the original is kept: this never changes a line
 * number.
 */
static const char strip_helper[] =
    "CodeType = type(compile('', '', 'exec'))\n"
    "def _table(code):\n"
    "    out = bytearray()\n"
    "    prev = code.co_firstlineno\n"
    "    lines = [p[0] for p in code.co_positions()]\n"
    "    i = 0\n"
    "    while i < len(lines):\n"
    "        line = lines[i]\n"
    "        j = i + 1\n"
    "        while j < len(lines) and j - i < 8 and lines[j] == line:\n"
    "            j += 1\n"
    "        if line is None:\n"
    "            out.append(0x80 | 15 << 3 | (j - i - 1))\n"
    "        else:\n"
    "            out.append(0x80 | 13 << 3 | (j - i - 1))\n"
    "            d = line - prev\n"
    "            v = (-d << 1) | 1 if d < 0 else d << 1\n"
    "            while v >= 64:\n"
    "                out.append(64 | (v & 63))\n"
    "                v >>= 6\n"
    "            out.append(v)\n"
    "            prev = line\n"
    "        i = j\n"
    "    return bytes(out)\n"
    "def _lines(code):\n"
    "    return [line for start, end, line in code.co_lines()\n"
    "            for _ in range(start, end, 2)]\n"
    "def strip(code):\n"
    "    consts = tuple(strip(c) if isinstance(c, CodeType) else c\n"
    "                   for c in code.co_consts)\n"
    "    new = code.replace(co_linetable=_table(code), co_consts=consts)\n"
    "    if _lines(new) != _lines(code):\n"
    "        return code.replace(co_consts=consts)\n"
    "    return new\n";

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
        PyObject *args = PyTuple_Pack(1, code);
        PyObject *stripped =
            args ? fz_pyhelp_call("_fz_compile", strip_helper, "strip", args)
                 : NULL;

        Py_XDECREF(args);
        if (stripped == NULL) {
            rc = args ? fz_error_wrap(FZ_EFAIL, "%s", display)
                      : fz_pyembed_error(NULL, display);
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
