/*
 * test_compile.c - fz_compile (compile.h): marshalled code as python3
 * makes it, and without column ranges for modules bundled without source:
 * every code unit of every nested code object keeps its line.
 */
#include "compile.h"
#include "fz_error.h"
#include "pyembed.h"

#include <Python.h>
#include <marshal.h>

#include <criterion/criterion.h>
#include <string.h>

/* Nested scopes, multi-line expressions, a backward line step (the loop),
 * a decorator, a gap of more than 64 lines (a multi-byte varint), and
 * lines with no location (the implicit return). */
static const char source[] =
    "import functools\n"
    "@functools.lru_cache(\n"
    "    maxsize=None)\n"
    "def f(x,\n"
    "      y=2):\n"
    "    total = (x +\n"
    "             y)\n"
    "    for i in range(3):\n"
    "        total += [i for i in\n"
    "                  range(i)].count(0)\n"
    "    return lambda z: (z,\n"
    "                      total)\n"
    "class C:\n"
    "    def m(self):\n"
    "        try:\n"
    "            return 1 / 0\n"
    "        except ZeroDivisionError:\n"
    "            pass\n"
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
    "far = f(1)(2)\n";

/* Compares, in the embedded interpreter, code with and without columns. */
static const char check[] =
    "import marshal\n"
    "def units(c):\n"
    "    return [l for s, e, l in c.co_lines() for _ in range(s, e, 2)]\n"
    "def walk(a, b, out):\n"
    "    assert a.co_code == b.co_code, a.co_name\n"
    "    assert units(a) == units(b), a.co_name\n"
    "    assert [p[0] for p in a.co_positions()] == \\\n"
    "           [p[0] for p in b.co_positions()], a.co_name\n"
    "    out.append((any(p[2] is not None for p in a.co_positions()),\n"
    "                all(p[2] is None for p in b.co_positions()),\n"
    "                len(b.co_linetable) <= len(a.co_linetable)))\n"
    "    ka = [k for k in a.co_consts if hasattr(k, 'co_code')]\n"
    "    kb = [k for k in b.co_consts if hasattr(k, 'co_code')]\n"
    "    assert len(ka) == len(kb)\n"
    "    for x, y in zip(ka, kb):\n"
    "        walk(x, y, out)\n"
    "    return out\n"
    "res = walk(marshal.loads(WITH), marshal.loads(WITHOUT), [])\n"
    "ok = len(res) >= 6 and all(all(r) for r in res)\n";

static void
setup(void)
{
    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
}

TestSuite(compile, .init = setup);

Test(compile, without_columns_every_code_unit_keeps_its_line)
{
    fz_buf with = FZ_BUF_INIT, without = FZ_BUF_INIT;
    PyObject *globals, *r, *ok;

    cr_assert_eq(fz_compile(&with, source, strlen(source), "m.py", "m.py", 0,
                            1),
                 0, "%s", fz_error_message());
    cr_assert_eq(fz_compile(&without, source, strlen(source), "m.py", "m.py",
                            0, 0),
                 0, "%s", fz_error_message());
    cr_expect_lt(without.size, with.size);

    PyGILState_STATE g = PyGILState_Ensure();
    globals = PyDict_New();
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    PyDict_SetItemString(globals, "WITH",
                         PyBytes_FromStringAndSize(with.data,
                                                   (Py_ssize_t)with.size));
    PyDict_SetItemString(globals, "WITHOUT",
                         PyBytes_FromStringAndSize(without.data,
                                                   (Py_ssize_t)without.size));
    r = PyRun_String(check, Py_file_input, globals, globals);
    if (r == NULL) {
        PyErr_Print();
    }
    cr_assert_not_null(r, "the check raised");
    ok = PyDict_GetItemString(globals, "ok");
    cr_expect(ok == Py_True, "columns not dropped everywhere, or lines moved");
    Py_XDECREF(r);
    Py_DECREF(globals);
    PyGILState_Release(g);
    fz_buf_dispose(&with);
    fz_buf_dispose(&without);
}

Test(compile, the_same_bytes_every_time)
{
    fz_buf a = FZ_BUF_INIT, b = FZ_BUF_INIT;

    cr_assert_eq(fz_compile(&a, source, strlen(source), "m.py", "m.py", 0, 0),
                 0);
    cr_assert_eq(fz_compile(&b, source, strlen(source), "m.py", "m.py", 0, 0),
                 0);
    cr_expect_eq(a.size, b.size);
    cr_expect(memcmp(a.data, b.data, a.size) == 0);
    fz_buf_dispose(&a);
    fz_buf_dispose(&b);
}

Test(compile, syntax_errors_keep_file_line_col)
{
    fz_buf out = FZ_BUF_INIT;

    cr_expect_eq(fz_compile(&out, "x = (\n", 6, "bad.py", "bad.py", 0, 0),
                 FZ_ESYNTAX);
    cr_expect(strstr(fz_error_message(), "bad.py:") != NULL, "%s",
              fz_error_message());
    fz_error_clear();
    fz_buf_dispose(&out);
}
