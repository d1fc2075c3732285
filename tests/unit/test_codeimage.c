/*
 * test_codeimage.c - code images (fz_codeimage.h): what the freezer writes
 * (freezer/codeimage.c) the runtime makes live (runtime/codeimage.c) as
 * the code marshal would give, with the singletons and interned names
 * CPython's identity checks expect; the same bytes every time; a damaged
 * image refused, never a crash.
 */
#include "codeimage.h"
#include "compile.h"
#include "fz_codeimage.h"
#include "fz_error.h"
#include "pyembed.h"

#include <Python.h>
#include <marshal.h>

#include <criterion/criterion.h>
#include <string.h>

/* Every kind of constant the compiler makes, nested code of every kind. */
static const char source[] =
    "'''doc'''\n"
    "import sys\n"
    "SMALL = (0, 1, -5, 256, 257, -6, 2**40, -2**70, 10**30)\n"
    "FLOATS = (0.5, -0.0, float('inf'), 1e300)\n"
    "CPLX = 2j + 1\n"
    "BYTES = (b'', b'x', b'bytes', b'\\x00\\xff' * 40)\n"
    "STRS = ('', 'a', '\\xe9', 'caf\\xe9', '\\u20ac uro', '\\U0001f600!',\n"
    "        'x' * 300)\n"
    "MISC = (None, True, False, ..., (), ((1, 2), ('a', ())))\n"
    "def member(x):\n"
    "    return x in {'alpha', 'beta', 'gamma', 3}\n"
    "def outer(a, b=2, *args, c, d=4, **kw):\n"
    "    total = a + b + c + d\n"
    "    def inner(y, /, z=1):\n"
    "        nonlocal total\n"
    "        total += y + z\n"
    "        return total\n"
    "    return inner\n"
    "class K:\n"
    "    '''a class'''\n"
    "    attr = [i * i for i in range(4)]\n"
    "    def method(self):\n"
    "        try:\n"
    "            return {k: v for k, v in zip('ab', (1, 2))}\n"
    "        except KeyError as e:\n"
    "            raise ValueError('no') from e\n"
    "async def coro():\n"
    "    return [x async for x in agen()]\n"
    "async def agen():\n"
    "    yield 1\n"
    "lam = lambda q: q * 2\n"
    "RESULT = (member('beta'), member(4), outer(1, c=3)(5), K().method(),\n"
    "          lam(21), K.attr)\n";

/* Compares the loaded code with marshal's, all the way down, and runs it. */
static const char check[] =
    "import marshal, sys\n"
    "def walk(a, b):\n"
    "    assert type(a) is type(b), (a, b)\n"
    "    if hasattr(a, 'co_code'):\n"
    "        for f in ('co_code', 'co_name', 'co_qualname', 'co_filename',\n"
    "                  'co_argcount', 'co_posonlyargcount',\n"
    "                  'co_kwonlyargcount', 'co_nlocals', 'co_stacksize',\n"
    "                  'co_flags', 'co_firstlineno', 'co_names',\n"
    "                  'co_varnames', 'co_cellvars', 'co_freevars',\n"
    "                  'co_linetable', 'co_exceptiontable'):\n"
    "            assert getattr(a, f) == getattr(b, f), (a, f)\n"
    "        assert list(a.co_positions()) == list(b.co_positions())\n"
    "        for n in a.co_names + a.co_varnames:\n"
    "            assert sys.intern(n) is n, n\n"
    "        assert len(a.co_consts) == len(b.co_consts)\n"
    "        for x, y in zip(a.co_consts, b.co_consts):\n"
    "            walk(x, y)\n"
    "    elif isinstance(a, (tuple, frozenset)):\n"
    "        assert a == b and len(a) == len(b), (a, b)\n"
    "        if isinstance(a, tuple):\n"
    "            for x, y in zip(a, b):\n"
    "                walk(x, y)\n"
    "    else:\n"
    "        assert repr(a) == repr(b), (a, b)\n"
    "        if a is None or a is True or a is False or a is ... or \\\n"
    "           (type(a) in (bytes, tuple, str) and len(a) == 0) or \\\n"
    "           (type(a) is int and -5 <= a <= 256):\n"
    "            assert a is b, ('not the singleton', a)\n"
    "        if type(a) is str and len(a) == 1 and ord(a) < 256:\n"
    "            assert a is sys.intern(a), ('not interned', a)\n"
    "walk(LOADED, marshal.loads(MARSHALLED))\n"
    "ns = {'__name__': 'm'}\n"
    "exec(LOADED, ns)\n"
    "ok = ns['RESULT'] == (True, False, 16, {'a': 1, 'b': 2}, 42,\n"
    "                      [0, 1, 4, 9]) and ns['SMALL'][-1] == 10**30\n"
    "# A function's code lives in the block for good; the module's body,\n"
    "# run once, is an ordinary object, freed once dropped.\n"
    "import weakref\n"
    "forever = sys.getrefcount(ns['outer'].__code__) > 2**39\n"
    "ordinary = sys.getrefcount(LOADED) < 100\n"
    "gone = weakref.ref(LOADED)\n"
    "del LOADED\n"
    "ok = ok and forever and ordinary and gone() is None\n";

static void
setup(void)
{
    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
}

TestSuite(codeimage, .init = setup);

/* The marshalled code of `source` and its image. */
static void
make(fz_buf *marshalled, fz_buf *image)
{
    cr_assert_eq(
        fz_compile(marshalled, source, strlen(source), "m.py", "m.py", 0, 1), 0,
        "%s", fz_error_message());
    cr_assert_eq(fz_buf_append(image, marshalled->data, marshalled->size), 0);
    cr_assert_eq(fz_codeimage_from_marshal(image, "m.py"), 0, "%s",
                 fz_error_message());
    cr_assert(image->size > FZ_CODEIMAGE_HEADER_SIZE &&
              memcmp(image->data, "FZCI", 4) == 0);
}

/* Load the first `size` bytes of a copy of the image (so that ASan sees
 * a read past them); NULL (exception set) when refused. */
static PyObject *
load(const fz_buf *image, size_t size)
{
    void *copy = malloc(size ? size : 1);
    PyObject *code;

    cr_assert_not_null(copy);
    memcpy(copy, image->data, size);
    code = fz_codeimage_load(copy, size);
    free(copy);
    return code;
}

/* A namespace with the builtins. */
static PyObject *namespace(void)
{
    PyObject *globals = PyDict_New();

    cr_assert_not_null(globals);
    cr_assert_eq(
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()), 0);
    return globals;
}

/* Run `src` in globals; it must not raise. */
static void
run(const char *src, PyObject *globals)
{
    PyObject *r = PyRun_String(src, Py_file_input, globals, globals);

    if (r == NULL) {
        PyErr_Print();
    }
    cr_assert_not_null(r, "the Python code raised");
    Py_DECREF(r);
}

Test(codeimage, loads_the_code_marshal_would_give)
{
    fz_buf marshalled = FZ_BUF_INIT, image = FZ_BUF_INIT;
    PyObject *globals, *code, *data;

    make(&marshalled, &image);
    PyGILState_STATE g = PyGILState_Ensure();
    code = load(&image, image.size);
    if (!code) {
        PyErr_Print();
    }
    cr_assert_not_null(code);
    globals = namespace();
    PyDict_SetItemString(globals, "LOADED", code);
    Py_DECREF(code); /* the check drops the last reference */
    data =
        PyBytes_FromStringAndSize(marshalled.data, (Py_ssize_t)marshalled.size);
    cr_assert_not_null(data);
    PyDict_SetItemString(globals, "MARSHALLED", data);
    Py_DECREF(data);
    run(check, globals);
    cr_expect(PyDict_GetItemString(globals, "ok") == Py_True,
              "the loaded code ran differently");
    Py_DECREF(globals);
    PyGILState_Release(g);
    fz_buf_dispose(&marshalled);
    fz_buf_dispose(&image);
}

Test(codeimage, the_same_bytes_every_time)
{
    fz_buf m1 = FZ_BUF_INIT, i1 = FZ_BUF_INIT;
    fz_buf m2 = FZ_BUF_INIT, i2 = FZ_BUF_INIT;

    make(&m1, &i1);
    /* Whatever the process interned in between (the one-character str
     * singletons, say) changes nothing. */
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *globals = namespace();
    run("import sys\n"
        "for i in range(256):\n"
        "    sys.intern(chr(i))\n",
        globals);
    Py_DECREF(globals);
    PyGILState_Release(g);
    make(&m2, &i2);
    cr_assert_eq(i1.size, i2.size);
    cr_expect(memcmp(i1.data, i2.data, i1.size) == 0);
    fz_buf_dispose(&m1);
    fz_buf_dispose(&i1);
    fz_buf_dispose(&m2);
    fz_buf_dispose(&i2);
}

/* Every truncation is refused; every single damaged byte either loads or
 * is refused with ImportError (ASan/UBSan builds check the "never a
 * crash"). The image is loaded, not run: its bytecode is as trusted as
 * marshal's, which the payload's hashes protect. */
Test(codeimage, a_damaged_image_is_refused)
{
    fz_buf marshalled = FZ_BUF_INIT, image = FZ_BUF_INIT;
    PyObject *code;

    make(&marshalled, &image);
    PyGILState_STATE g = PyGILState_Ensure();
    for (size_t size = 0; size < image.size; size++) {
        code = load(&image, size);
        cr_expect_null(code, "a truncation to %zu bytes loaded", size);
        cr_expect(PyErr_ExceptionMatches(PyExc_ImportError), "%zu", size);
        PyErr_Clear();
    }
    for (size_t at = 0; at < image.size; at++) {
        static const uint8_t flips[] = {0x01, 0xff};

        for (size_t k = 0; k < sizeof(flips); k++) {
            image.data[at] ^= (char)flips[k];
            code = load(&image, image.size);
            if (code) {
                Py_DECREF(code);
            } else {
                cr_expect(PyErr_ExceptionMatches(PyExc_ImportError), "byte %zu",
                          at);
                PyErr_Clear();
            }
            image.data[at] ^= (char)flips[k];
        }
    }
    PyGILState_Release(g);
    fz_buf_dispose(&marshalled);
    fz_buf_dispose(&image);
}

Test(codeimage, an_image_of_another_build_is_refused)
{
    fz_buf marshalled = FZ_BUF_INIT, image = FZ_BUF_INIT;
    PyObject *code;

    make(&marshalled, &image);
    image.data[4] ^= 1; /* the layout fingerprint */
    PyGILState_STATE g = PyGILState_Ensure();
    code = load(&image, image.size);
    cr_expect_null(code);
    cr_expect(PyErr_ExceptionMatches(PyExc_ImportError));
    PyErr_Clear();
    PyGILState_Release(g);
    fz_buf_dispose(&marshalled);
    fz_buf_dispose(&image);
}

/* A constant no image holds (the compiler makes none; a list here) keeps
 * the module marshalled, which the runtime reads too. */
Test(codeimage, a_constant_no_image_holds_stays_marshalled)
{
    fz_buf buf = FZ_BUF_INIT;
    PyObject *globals, *data;

    PyGILState_STATE g = PyGILState_Ensure();
    globals = namespace();
    run("import marshal\n"
        "c = compile('x = 1', 'm.py', 'exec')\n"
        "DATA = marshal.dumps(c.replace(co_consts=(1, None, [2])))\n",
        globals);
    data = PyDict_GetItemString(globals, "DATA");
    cr_assert_eq(fz_buf_append(&buf, PyBytes_AS_STRING(data),
                               (size_t)PyBytes_GET_SIZE(data)),
                 0);
    cr_assert_eq(fz_codeimage_from_marshal(&buf, "m.py"), 0, "%s",
                 fz_error_message());
    cr_expect_eq(buf.size, (size_t)PyBytes_GET_SIZE(data));
    cr_expect(memcmp(buf.data, PyBytes_AS_STRING(data), buf.size) == 0);
    Py_DECREF(globals);
    PyGILState_Release(g);
    fz_buf_dispose(&buf);
}
