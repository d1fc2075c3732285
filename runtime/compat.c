/*
 * compat.c - pkg_resources support for the payload importer (compat.h).
 */
#define PY_SSIZE_T_CLEAN
#include "compat.h"

#include <string.h>

static const char fixup[] =
    "def fix(pr, importer):\n"
    "    import sys\n"
    "    root = getattr(sys, '_MEIPASS', None)\n"
    "    if root is None:\n"
    "        return\n"
    "    try:\n"
    "        finder = type(importer.path_hook(root))\n"
    "    except ImportError:\n"
    "        return\n"
    "    pr.register_loader_type(type(importer), pr.DefaultProvider)\n"
    "    pr.register_finder(finder, pr.find_on_path)\n"
    "    pr.register_namespace_handler(finder, pr.file_ns_handler)\n"
    "    ws = pr.working_set\n"
    "    for entry in list(sys.path):\n"
    "        for dist in pr.find_distributions(entry, True):\n"
    "            if dist.key not in ws.by_key:\n"
    "                ws.add(dist, entry, False)\n";

int
fz_compat_module_loaded(PyObject *name, PyObject *module, PyObject *importer)
{
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    PyObject *ns = NULL;
    PyObject *r = NULL;
    PyObject *code = NULL;
    PyObject *fix;
    int rc = -1;

    if (s == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (strcmp(s, "pkg_resources") != 0) {
        return 0;
    }
    ns = PyDict_New();
    if (ns == NULL ||
        PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0) {
        goto done;
    }
    code = Py_CompileString(fixup, "<freeze pkg_resources support>",
                            Py_file_input);
    r = code ? PyEval_EvalCode(code, ns, ns) : NULL;
    if (r == NULL) {
        goto done;
    }
    Py_DECREF(r);
    fix = PyDict_GetItemString(ns, "fix"); /* borrowed */
    r = fix ? PyObject_CallFunctionObjArgs(fix, module, importer, NULL) : NULL;
    if (r != NULL) {
        rc = 0;
    }
done:
    Py_XDECREF(r);
    Py_XDECREF(code);
    Py_XDECREF(ns);
    return rc;
}
