/*
 * natives.c - loading bundled shared libraries (natives.h). One table per
 * process, read from the ".freeze/needs" entry on first use; the GIL
 * serialises every use of it and of the payload.
 */
#include "natives.h"

#include "stacks.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define NEEDS_ENTRY ".freeze/needs"

typedef struct need {
    char *entry;
    char **deps;
    size_t dep_count;
} need;

typedef struct loaded_lib {
    char *entry;
    void *handle;
} loaded_lib;

static fz_payload *payload;
static const fz_bundle *bundle;
static need *needs;
static size_t need_count;
static int needs_read;
static loaded_lib *loaded;
static size_t loaded_count;
static char *tcl_script; /* given to Tcl for good: never freed */

static char *
copy_n(const char *s, size_t n)
{
    char *r = malloc(n + 1);

    if (r != NULL) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* Parse "<entry>\t<dep>\t<dep>...\n" lines. */
static int
read_needs(void)
{
    fz_entry e;
    void *data = NULL;
    size_t size = 0;
    const char *p;
    const char *end;

    if (needs_read) {
        return 0;
    }
    if (fz_payload_find(payload, NEEDS_ENTRY, strlen(NEEDS_ENTRY), &e) != 0) {
        needs_read = 1;
        return 0;
    }
    if (fz_payload_read_alloc(payload, &e, &data, &size) != 0) {
        PyErr_SetString(PyExc_ImportError,
                        "the bundled library table is damaged");
        return -1;
    }
    p = data;
    end = p + size;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *q;
        need *grown;
        need *n;

        if (eol == NULL) {
            eol = end;
        }
        grown = realloc(needs, (need_count + 1) * sizeof(*needs));
        if (grown == NULL) {
            goto nomem;
        }
        needs = grown;
        n = &needs[need_count];
        memset(n, 0, sizeof(*n));
        q = memchr(p, '\t', (size_t)(eol - p));
        if (q == NULL) {
            q = eol;
        }
        n->entry = copy_n(p, (size_t)(q - p));
        if (n->entry == NULL) {
            goto nomem;
        }
        need_count++;
        while (q < eol) {
            const char *s = q + 1;
            char **deps;

            q = memchr(s, '\t', (size_t)(eol - s));
            if (q == NULL) {
                q = eol;
            }
            deps = realloc(n->deps, (n->dep_count + 1) * sizeof(*deps));
            if (deps == NULL) {
                goto nomem;
            }
            n->deps = deps;
            n->deps[n->dep_count] = copy_n(s, (size_t)(q - s));
            if (n->deps[n->dep_count] == NULL) {
                goto nomem;
            }
            n->dep_count++;
        }
        p = eol + 1;
    }
    free(data);
    needs_read = 1;
    return 0;
nomem:
    free(data);
    PyErr_NoMemory();
    return -1;
}

/*
 * OpenSSL 3 dlopens its providers from a compiled-in directory: when the
 * freezer bundled them ("ossl-modules/"), point libcrypto there once it is
 * loaded, without an environment variable (OPENSSL_MODULES) children
 * would inherit.
 */
static void
setup_openssl(const char *entry, void *h)
{
    static const char dir[] = "ossl-modules";
    int (*set_path)(void *, const char *) = NULL;
    fz_entry e;
    uint64_t i;
    char *path;

    if (strncmp(entry, "libcrypto.so.3", 14) != 0) {
        return;
    }
    i = fz_payload_lower_bound(payload, "ossl-modules/", 13);
    if (i >= fz_payload_entry_count(payload)) {
        return;
    }
    fz_payload_entry_at(payload, i, &e);
    if (e.name_size < 13 || memcmp(e.name, "ossl-modules/", 13) != 0) {
        return;
    }
    *(void **)&set_path = dlsym(h, "OSSL_PROVIDER_set_default_search_path");
    path = malloc(bundle->root_size + sizeof(dir) + 1);
    if (set_path != NULL && path != NULL) {
        memcpy(path, bundle->root, bundle->root_size);
        path[bundle->root_size] = '/';
        memcpy(path + bundle->root_size + 1, dir, sizeof(dir));
        set_path(NULL, path);
    }
    free(path);
}

/* dlopen the extracted entry once (RTLD_NOW | RTLD_GLOBAL). */
static int
load_entry(const char *entry)
{
    loaded_lib *grown;
    char *path;
    void *h;
    size_t n = strlen(entry);

    for (size_t i = 0; i < loaded_count; i++) {
        if (strcmp(loaded[i].entry, entry) == 0) {
            return 0;
        }
    }
    path = malloc(bundle->root_size + n + 2);
    if (path == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(path, bundle->root, bundle->root_size);
    path[bundle->root_size] = '/';
    memcpy(path + bundle->root_size + 1, entry, n + 1);
    h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    free(path);
    if (h == NULL) {
        const char *err = dlerror();

        PyErr_Format(PyExc_ImportError, "cannot load bundled library %s: %s",
                     entry, err ? err : "unknown error");
        return -1;
    }
    grown = realloc(loaded, (loaded_count + 1) * sizeof(*loaded));
    if (grown == NULL || (grown[loaded_count].entry = strdup(entry)) == NULL) {
        loaded = grown ? grown : loaded;
        PyErr_NoMemory();
        return -1;
    }
    loaded = grown;
    loaded[loaded_count++].handle = h;
    setup_openssl(entry, h);
    return 0;
}

/* Load what bundled `entry` needs, dependencies first. */
static int
preload(const char *entry)
{
    if (read_needs() < 0) {
        return -1;
    }
    for (size_t i = 0; i < need_count; i++) {
        if (strcmp(needs[i].entry, entry) != 0) {
            continue;
        }
        for (size_t k = 0; k < needs[i].dep_count; k++) {
            if (load_entry(needs[i].deps[k]) < 0) {
                return -1;
            }
        }
        break;
    }
    return 0;
}

/*
 * Tcl finds its script library (init.tcl) through the tcl_library
 * variable, which a pre-init script evaluated by Tcl_Init may set: point
 * it at the bundled "tclX.Y/" directory. Tk then finds "tkX.Y/" next to it
 * (Tcl puts the library's parent on auto_path). No environment variable is
 * set, so child processes see none.
 */
static void
setup_tcl(void)
{
    uint64_t i = fz_payload_lower_bound(payload, "tcl", 3);
    uint64_t count = fz_payload_entry_count(payload);
    char *(*set_preinit)(char *) = NULL;

    if (tcl_script != NULL) {
        return;
    }
    for (; i < count; i++) {
        fz_entry e;
        size_t d;

        fz_payload_entry_at(payload, i, &e);
        if (e.name_size < 3 || memcmp(e.name, "tcl", 3) != 0) {
            return;
        }
        d = 3;
        while (d < e.name_size &&
               ((e.name[d] >= '0' && e.name[d] <= '9') || e.name[d] == '.')) {
            d++;
        }
        if (d > 3 && e.name_size - d == 9 &&
            memcmp(e.name + d, "/init.tcl", 9) == 0) {
            break;
        }
    }
    if (i >= count) {
        return;
    }
    for (size_t k = 0; k < loaded_count && set_preinit == NULL; k++) {
        const char *base = strrchr(loaded[k].entry, '/');

        base = base ? base + 1 : loaded[k].entry;
        if (strncmp(base, "libtcl", 6) == 0) {
            *(void **)&set_preinit =
                dlsym(loaded[k].handle, "TclSetPreInitScript");
        }
    }
    if (set_preinit == NULL) {
        *(void **)&set_preinit = dlsym(RTLD_DEFAULT, "TclSetPreInitScript");
    }
    if (set_preinit == NULL || strpbrk(bundle->root, "{}\\") != NULL) {
        return;
    }
    {
        fz_entry e;
        size_t dir;
        size_t n;

        fz_payload_entry_at(payload, i, &e);
        dir = e.name_size - 9;
        n = bundle->root_size + dir + 32;
        tcl_script = malloc(n);
        if (tcl_script == NULL) {
            return;
        }
        snprintf(tcl_script, n, "set tcl_library {%s/%.*s}", bundle->root,
                 (int)dir, e.name);
        set_preinit(tcl_script);
    }
}

/* ExtensionFileLoader.create_module, after the bundled libraries. */
static PyObject *
loader_create_module(PyObject *unused, PyObject *args)
{
    PyObject *loader, *spec;
    PyObject *origin = NULL;
    PyObject *origin_bytes = NULL;
    PyObject *name = NULL;
    PyObject *imp = NULL;
    PyObject *module = NULL;

    if (!PyArg_ParseTuple(args, "OO:create_module", &loader, &spec)) {
        return NULL;
    }
    origin = PyObject_GetAttrString(spec, "origin");
    name = origin ? PyObject_GetAttrString(spec, "name") : NULL;
    if (!name) {
        goto done;
    }
    if (PyUnicode_Check(origin)) {
        const char *p;
        Py_ssize_t n;

        if (!PyUnicode_FSConverter(origin, &origin_bytes)) {
            goto done;
        }
        p = PyBytes_AS_STRING(origin_bytes);
        n = PyBytes_GET_SIZE(origin_bytes);
        if ((size_t)n > bundle->root_size + 1 &&
            memcmp(p, bundle->root, bundle->root_size) == 0 &&
            p[bundle->root_size] == '/' &&
            preload(p + bundle->root_size + 1) < 0) {
            goto done;
        }
    }
    if (PyUnicode_Check(name) &&
        PyUnicode_CompareWithASCIIString(name, "_tkinter") == 0) {
        setup_tcl();
    }
    imp = PyImport_ImportModule("_imp");
    if (imp) {
        module = PyObject_CallMethod(imp, "create_dynamic", "O", spec);
    }
done:
    Py_XDECREF(origin);
    Py_XDECREF(origin_bytes);
    Py_XDECREF(name);
    Py_XDECREF(imp);
    return module;
}

static PyMethodDef create_def = {"create_module", loader_create_module,
                                 METH_VARARGS, NULL};

/* ExtensionFileLoader.exec_module, then the stack hooks (stacks.h). */
static PyObject *
loader_exec_module(PyObject *unused, PyObject *args)
{
    PyObject *loader, *module;
    PyObject *imp = NULL;
    PyObject *r = NULL;
    PyObject *name = NULL;

    if (!PyArg_ParseTuple(args, "OO:exec_module", &loader, &module)) {
        return NULL;
    }
    imp = PyImport_ImportModule("_imp");
    r = imp ? PyObject_CallMethod(imp, "exec_dynamic", "O", module) : NULL;
    name = r ? PyObject_GetAttrString(module, "__name__") : NULL;
    if (name == NULL || fz_stacks_module_loaded(name, module) < 0) {
        Py_CLEAR(r);
    }
    Py_XDECREF(imp);
    Py_XDECREF(name);
    return r;
}

static PyMethodDef exec_def = {"exec_module", loader_exec_module, METH_VARARGS,
                               NULL};

const fz_bundle *
fz_natives_bundle(void)
{
    return bundle;
}

int
fz_natives_preload_under(const char *prefix)
{
    size_t len = strlen(prefix);

    if (payload == NULL || read_needs() < 0) {
        return -1;
    }
    for (size_t i = 0; i < need_count; i++) {
        if (strncmp(needs[i].entry, prefix, len) == 0 &&
            preload(needs[i].entry) < 0) {
            return -1;
        }
    }
    return 0;
}

PyObject *
fz_natives_loader_type(fz_payload *p, const fz_bundle *b)
{
    PyObject *mod = NULL;
    PyObject *base = NULL;
    PyObject *func = NULL;
    PyObject *method = NULL;
    PyObject *efunc = NULL;
    PyObject *emethod = NULL;
    PyObject *type = NULL;

    payload = p;
    bundle = b;
    mod = PyImport_ImportModule("_frozen_importlib_external");
    base = mod ? PyObject_GetAttrString(mod, "ExtensionFileLoader") : NULL;
    func = base ? PyCFunction_New(&create_def, NULL) : NULL;
    method = func ? PyInstanceMethod_New(func) : NULL;
    efunc = method ? PyCFunction_New(&exec_def, NULL) : NULL;
    emethod = efunc ? PyInstanceMethod_New(efunc) : NULL;
    if (emethod) {
        type = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O){sOsOss}",
                                     "FzExtensionFileLoader", base,
                                     "create_module", method, "exec_module",
                                     emethod, "__module__", "_fzimport");
    }
    Py_XDECREF(mod);
    Py_XDECREF(base);
    Py_XDECREF(func);
    Py_XDECREF(method);
    Py_XDECREF(efunc);
    Py_XDECREF(emethod);
    return type;
}

/* The NATIVE_LIB entry whose file name is `base`, or -1. */
static int
find_native(const char *base, fz_entry *out)
{
    uint64_t count = fz_payload_entry_count(payload);
    size_t n = strlen(base);

    for (uint64_t i = 0; i < count; i++) {
        fz_payload_entry_at(payload, i, out);
        if (out->kind == FZ_ENTRY_NATIVE_LIB && out->name_size >= n &&
            memcmp(out->name + out->name_size - n, base, n) == 0 &&
            (out->name_size == n || out->name[out->name_size - n - 1] == '/')) {
            return 0;
        }
    }
    return -1;
}

/* ctypes' _dlopen(name, mode): a bundled library by its file name. */
static PyObject *
ctypes_dlopen(PyObject *orig, PyObject *args)
{
    PyObject *name;
    int mode = RTLD_NOW | RTLD_LOCAL;
    const char *s;
    fz_entry e;
    char *entry;
    PyObject *path;
    PyObject *r;

    if (!PyArg_ParseTuple(args, "O|i:dlopen", &name, &mode) ||
        !PyUnicode_Check(name) || (s = PyUnicode_AsUTF8(name)) == NULL ||
        strchr(s, '/') != NULL || find_native(s, &e) < 0) {
        PyErr_Clear();
        return PyObject_Call(orig, args, NULL);
    }
    entry = copy_n(e.name, e.name_size);
    if (entry == NULL) {
        return PyErr_NoMemory();
    }
    if (preload(entry) < 0 || load_entry(entry) < 0) {
        free(entry);
        return NULL;
    }
    /* the extracted path names the object just loaded */
    path = PyUnicode_FromFormat("%s/%s", bundle->root, entry);
    free(entry);
    if (!path) {
        return NULL;
    }
    r = PyObject_CallFunction(orig, "Oi", path, mode);
    Py_DECREF(path);
    return r;
}

/* ctypes.util.find_library(name): "libNAME.so[.N]" (or "libNAME-V.so[.N]",
 * as libyaml-0.so.2) when bundled. */
static PyObject *
ctypes_find_library(PyObject *orig, PyObject *args)
{
    const char *name;
    uint64_t count = fz_payload_entry_count(payload);
    size_t n;

    if (!PyArg_ParseTuple(args, "s:find_library", &name)) {
        return NULL;
    }
    n = strlen(name);
    for (uint64_t i = 0; i < count; i++) {
        fz_entry e;
        const char *base;
        size_t bn;

        fz_payload_entry_at(payload, i, &e);
        if (e.kind != FZ_ENTRY_NATIVE_LIB) {
            continue;
        }
        base = memrchr(e.name, '/', e.name_size);
        base = base ? base + 1 : e.name;
        bn = e.name_size - (size_t)(base - e.name);
        if (bn >= n + 6 && memcmp(base, "lib", 3) == 0 &&
            memcmp(base + 3, name, n) == 0) {
            /* what -lNAME would link: libNAME.so[.N], libNAME-V.so[.N] */
            size_t k = n + 3;

            if (base[k] == '-') {
                k++;
                while (k < bn &&
                       ((base[k] >= '0' && base[k] <= '9') || base[k] == '.')) {
                    k++;
                }
                k -= k > n + 4 && base[k - 1] == '.';
            }
            if (bn - k >= 3 && memcmp(base + k, ".so", 3) == 0 &&
                (bn == k + 3 || base[k + 3] == '.')) {
                return PyUnicode_FromStringAndSize(base, (Py_ssize_t)bn);
            }
        }
    }
    return PyObject_Call(orig, args, NULL);
}

static PyMethodDef dlopen_def = {"dlopen", ctypes_dlopen, METH_VARARGS, NULL};
static PyMethodDef find_library_def = {"find_library", ctypes_find_library,
                                       METH_VARARGS, NULL};

/* module.attr = wrapper(original) */
static int
wrap(PyObject *module, const char *attr, PyMethodDef *def)
{
    PyObject *orig = PyObject_GetAttrString(module, attr);
    PyObject *w;
    int rc;

    if (!orig) {
        PyErr_Clear();
        return 0;
    }
    w = PyCFunction_New(def, orig);
    Py_DECREF(orig);
    if (!w) {
        return -1;
    }
    rc = PyObject_SetAttrString(module, attr, w);
    Py_DECREF(w);
    return rc;
}

int
fz_natives_module_loaded(PyObject *name, PyObject *module)
{
    if (payload == NULL || !PyUnicode_Check(name)) {
        return 0;
    }
    if (PyUnicode_CompareWithASCIIString(name, "ctypes") == 0) {
        return wrap(module, "_dlopen", &dlopen_def);
    }
    if (PyUnicode_CompareWithASCIIString(name, "ctypes.util") == 0) {
        return wrap(module, "find_library", &find_library_def);
    }
    return fz_stacks_module_loaded(name, module);
}
