/*
 * importer.c - the runtime's C importer (importer.h): finds, loads and
 * describes modules straight from the mapped payload, no file per module.
 */
#include "importer.h"

#include "fz_codeimage.h"
#include "fz_error.h"
#include "fz_platform.h"
#include "names.h"
#include "natives.h"
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <marshal.h>
#include <stdio.h>
#include <stdlib.h>
#include <structmember.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One per process: the meta-path finder and the loader of its modules. */
typedef struct {
    PyObject_HEAD fz_payload *payload; /* borrowed from main */
    const fz_bundle *bundle;           /* borrowed from main */
    PyObject *root;                    /* str: the bundle root */
    PyObject *module_spec;             /* _frozen_importlib.ModuleSpec */
    PyObject *spec_kwnames;            /* ("origin", "is_package") */
    PyObject *spec_fields[2]; /* "_set_fileattr", "_cached", or NULLs */
    PyObject *ext_loader;   /* _frozen_importlib_external.ExtensionFile.. */
    PyObject *fix_filename; /* _imp._fix_co_filename */
    PyObject *finder_type;  /* FzPathFinder */
    PyObject *reader_type;  /* FzResourceReader */
    const char *argv0;      /* for the "damaged" message; borrowed */
    char *root_norm;        /* the root, normalized (lexical_norm) */
    size_t root_norm_size;
    char *tmp_norm; /* where private roots are made, normalized; "" for / */
    size_t tmp_norm_size;
} Importer;

/* A path-entry finder for the root or one of its directories. */
typedef struct {
    PyObject_HEAD Importer *importer;
    PyObject *path; /* str: the absolute directory */
    char *rel;      /* its path relative to the root, "" for the root */
    size_t rel_size;
} PathFinder;

/* importlib.resources reader for one package directory. */
typedef struct {
    PyObject_HEAD PyObject *dir; /* str */
} ResourceReader;

/* -------------------------------------------------------------- helpers */

/*
 * Decode n bytes (not NUL-terminated) from the file system encoding.
 * A copy: before the main phase CPython's locale decoder wants the NUL
 * right after the bytes.
 */
static PyObject *
decode_fs(const char *s, size_t n)
{
    char *copy = PyMem_Malloc(n + 1);
    PyObject *r;

    if (!copy) {
        return PyErr_NoMemory();
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    r = PyUnicode_DecodeFSDefaultAndSize(copy, (Py_ssize_t)n);
    PyMem_Free(copy);
    return r;
}

/* <root>/<rel> as a str (rel in the file system encoding). */
static PyObject *
root_join(Importer *self, const char *rel, size_t n)
{
    PyObject *tail = NULL;
    PyObject *result = NULL;

    if (n == 0) {
        Py_INCREF(self->root);
        return self->root;
    }
    tail = decode_fs(rel, n);
    if (!tail) {
        goto done;
    }
    result = PyUnicode_FromFormat("%U/%U", self->root, tail);
done:
    Py_XDECREF(tail);
    return result;
}

/* Turn an fz error into a Python exception; returns NULL. */
static PyObject *
raise_fz(int rc, const char *what)
{
    if (rc == FZ_ENOMEM) {
        return PyErr_NoMemory();
    }
    PyErr_Format(PyExc_ImportError, "%s: %s", what, fz_error_message());
    return NULL;
}

/* The module path ("a/b/c") of the payload's main entry, minus ".pyc". */
static int
main_info(Importer *self, fz_module_info *info)
{
    fz_entry src;
    size_t n;

    memset(info, 0, sizeof(*info));
    if (fz_payload_main(self->payload, &info->entry) < 0) {
        return FZ_ENOTFOUND;
    }
    n = info->entry.name_size;
    if (info->entry.kind != FZ_ENTRY_MODULE || n < 5) {
        return FZ_ENOTFOUND;
    }
    info->kind = FZ_MODULE_PLAIN;
    info->has_source = fz_payload_find(self->payload, info->entry.name, n - 1,
                                       &src) == FZ_OK &&
                       src.kind == FZ_ENTRY_SOURCE;
    /* __main__.__file__ is always the script's .py path. */
    info->file = malloc(n);
    if (!info->file) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    memcpy(info->file, info->entry.name, n - 1);
    info->file[n - 1] = '\0';
    info->file_size = n - 1;
    return FZ_OK;
}

/*
 * Resolve a dotted module name. "__main__" (when `main` is set) is the
 * payload's main script. Returns 1 found, 0 not found, -1 with an
 * exception.
 */
static int
lookup_name(Importer *self, PyObject *fullname, int main, fz_module_info *info,
            char **path, size_t *path_size)
{
    const char *name;
    Py_ssize_t n;
    int rc;

    memset(info, 0, sizeof(*info));
    *path = NULL;
    *path_size = 0;
    if (!PyUnicode_Check(fullname)) {
        PyErr_SetString(PyExc_TypeError, "module name must be str");
        return -1;
    }
    name = PyUnicode_AsUTF8AndSize(fullname, &n);
    if (!name) {
        return -1;
    }
    if (main && strcmp(name, "__main__") == 0) {
        rc = main_info(self, info);
        if (rc == FZ_ENOMEM) {
            PyErr_NoMemory();
            return -1;
        }
        return rc == FZ_OK;
    }
    rc = fz_names_dotted_to_path(path, path_size, name, (size_t)n);
    if (rc == FZ_ENOMEM) {
        PyErr_NoMemory();
        return -1;
    }
    if (rc < 0) {
        return 0;
    }
    rc = fz_names_lookup(info, self->payload, *path, *path_size);
    if (rc == FZ_ENOMEM) {
        free(*path);
        *path = NULL;
        PyErr_NoMemory();
        return -1;
    }
    return rc == FZ_OK;
}

/* Like lookup_name, raising ImportError when the module is absent. */
static int
require_name(Importer *self, PyObject *fullname, fz_module_info *info,
             char **path, size_t *path_size)
{
    int found = lookup_name(self, fullname, 1, info, path, path_size);

    if (found == 0) {
        PyErr_Format(PyExc_ImportError, "no module named %R in the bundle",
                     fullname);
        free(*path);
        *path = NULL;
        return -1;
    }
    return found;
}

static PyObject *read_real_file(PyObject *path_bytes, PyObject *path);

/* A onedir app's file entry: the file <root>/<name> itself. */
static PyObject *
read_external(Importer *self, const fz_entry *e)
{
    PyObject *path = root_join(self, e->name, e->name_size);
    PyObject *path_bytes = NULL;
    PyObject *r = NULL;

    if (path && PyUnicode_FSConverter(path, &path_bytes)) {
        r = read_real_file(path_bytes, path);
    }
    Py_XDECREF(path_bytes);
    Py_XDECREF(path);
    return r;
}

/*
 * After a failed read of an entry: stop the process when the entry is
 * damaged, else raise. Entries are verified when first read. A damaged
 * one is not a missing module the program might survive: stop as main
 * does for any other damage (exit() still runs the atexit cleanup).
 */
static PyObject *
read_failed(Importer *self, int rc)
{
    if (rc == FZ_EHASH || rc == FZ_EFORMAT) {
        fflush(stdout);
        fprintf(stderr, "%s: this executable is damaged (%s)\n", self->argv0,
                fz_error_message());
        exit(1);
    }
    return raise_fz(rc, "payload entry");
}

/* The bytes of entry `e` as a new bytes object (hash verified). */
static PyObject *
read_entry(Importer *self, const fz_entry *e)
{
    PyObject *bytes = NULL;
    int rc;

    if (e->flags & FZ_ENTRY_F_EXTERNAL) {
        return read_external(self, e);
    }
    if (e->raw_size > (uint64_t)PY_SSIZE_T_MAX) {
        return PyErr_NoMemory();
    }
    bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)e->raw_size);
    if (!bytes) {
        return NULL;
    }
    rc = fz_payload_read(self->payload, e, PyBytes_AS_STRING(bytes),
                         (size_t)e->raw_size);
    if (rc < 0) {
        Py_DECREF(bytes);
        return read_failed(self, rc);
    }
    return bytes;
}

/* The code object in `size` bytes of a code entry: a code image
 * (fz_codeimage.h), or marshalled code (a module whose constants no image
 * holds). */
static PyObject *
code_from(const void *data, size_t size)
{
    if (size >= 4 && memcmp(data, FZ_CODEIMAGE_MAGIC, 4) == 0) {
        return fz_codeimage_load(data, size);
    }
    return PyMarshal_ReadObjectFromString(data, (Py_ssize_t)size);
}

/*
 * The code object of code entry `e`. Its bytes are borrowed from the
 * reader (fz_payload_borrow: decoded faster, nothing allocated) and
 * returned as soon as the objects are built; an import that a finalizer
 * runs meanwhile borrows a buffer of its own.
 */
static PyObject *
unmarshal_entry(Importer *self, const fz_entry *e)
{
    fz_payload_loan loan;
    PyObject *code;
    int rc;

    if (e->flags & FZ_ENTRY_F_EXTERNAL) {
        PyObject *data = read_external(self, e);

        code = data ? code_from(PyBytes_AS_STRING(data),
                                (size_t)PyBytes_GET_SIZE(data))
                    : NULL;
        Py_XDECREF(data);
        return code;
    }
    if (e->raw_size > (uint64_t)PY_SSIZE_T_MAX) {
        return PyErr_NoMemory();
    }
    rc = fz_payload_borrow(self->payload, e, &loan);
    if (rc < 0) {
        return read_failed(self, rc);
    }
    code = code_from(loan.data, loan.size);
    fz_payload_return(self->payload, &loan);
    return code;
}

/* Unmarshal the code entry of `info`, its co_filename set to `file`. */
static PyObject *
load_code(Importer *self, const fz_module_info *info, PyObject *file)
{
    PyObject *code = NULL;
    PyObject *r = NULL;

    code = unmarshal_entry(self, &info->entry);
    if (!code) {
        goto done;
    }
    if (!PyCode_Check(code)) {
        PyErr_Format(PyExc_ImportError, "entry %S is not a code object", file);
        Py_CLEAR(code);
        goto done;
    }
    r = PyObject_CallFunctionObjArgs(self->fix_filename, code, file, NULL);
    if (!r) {
        Py_CLEAR(code);
    }
done:
    Py_XDECREF(r);
    return code;
}

/*
 * Source bytes -> str like importlib.util.decode_source: the PEP 263
 * cookie or BOM picks the encoding (UTF-8 by default), newlines become
 * "\n".
 */
static PyObject *
decode_source(PyObject *bytes)
{
    const char *s = PyBytes_AS_STRING(bytes);
    Py_ssize_t n = PyBytes_GET_SIZE(bytes);
    char enc[64] = "utf-8";
    PyObject *text = NULL;
    PyObject *t2 = NULL;
    PyObject *result = NULL;
    Py_ssize_t pos = 0;
    int line;

    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
        s += 3;
        n -= 3;
        goto decode;
    }
    /* The cookie sits in a comment on line 1, or line 2 after a blank or
     * comment line 1. */
    for (line = 0; line < 2 && pos < n; line++) {
        Py_ssize_t end = pos, i;

        while (end < n && s[end] != '\n' && s[end] != '\r') {
            end++;
        }
        i = pos;
        while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f')) {
            i++;
        }
        if (i < end && s[i] == '#') {
            for (; i + 7 <= end; i++) {
                Py_ssize_t j, k = 0;

                if (memcmp(s + i, "coding", 6) != 0 ||
                    (s[i + 6] != ':' && s[i + 6] != '=')) {
                    continue;
                }
                j = i + 7;
                while (j < end && (s[j] == ' ' || s[j] == '\t')) {
                    j++;
                }
                while (j < end && k < (Py_ssize_t)sizeof(enc) - 1 &&
                       (Py_ISALNUM(s[j]) || s[j] == '-' || s[j] == '_' ||
                        s[j] == '.')) {
                    enc[k++] = s[j++];
                }
                if (k > 0) {
                    enc[k] = '\0';
                    goto decode;
                }
            }
        } else if (i < end) {
            break; /* code on line 1: line 2 cannot hold the cookie */
        }
        pos = end;
        if (pos < n && s[pos] == '\r') {
            pos++;
        }
        if (pos < n && s[pos] == '\n') {
            pos++;
        }
    }
decode:
    text = PyUnicode_Decode(s, n, enc, "strict");
    if (!text) {
        goto done;
    }
    t2 = PyObject_CallMethod(text, "replace", "ss", "\r\n", "\n");
    if (!t2) {
        goto done;
    }
    result = PyObject_CallMethod(t2, "replace", "ss", "\r", "\n");
done:
    Py_XDECREF(text);
    Py_XDECREF(t2);
    return result;
}

/*
 * spec.<prop> = value for the property `prop` (has_location, cached). In
 * CPython 3.11 their setters only store the value (a bool for
 * has_location) in the field spec_fields[field]; when the install found
 * those fields, store it there directly and skip the Python setter.
 */
static int
set_spec_attr(Importer *self, PyObject *spec, const char *prop, int field,
              PyObject *value)
{
    if (self->spec_fields[field]) {
        return PyObject_GenericSetAttr(spec, self->spec_fields[field], value);
    }
    return PyObject_SetAttrString(spec, prop, value);
}

/*
 * The names of the fields behind ModuleSpec.has_location and .cached when
 * they are what set_spec_attr expects: on a probe spec, setting the two
 * properties leaves exactly the values set (True, the object) in those
 * fields. Else NULLs, and the properties are used.
 */
static int
find_spec_fields(Importer *self)
{
    static const char *const field[2] = {"_set_fileattr", "_cached"};
    PyObject *argv[2] = {NULL, Py_None}, *spec, *v;
    int i, ok;

    argv[0] = PyUnicode_FromString("fz_probe");
    spec = argv[0] ? PyObject_Vectorcall(self->module_spec, argv, 2, NULL)
                   : NULL;
    Py_XDECREF(argv[0]);
    if (!spec) {
        return -1;
    }
    ok = PyObject_SetAttrString(spec, "has_location", Py_True) == 0 &&
         PyObject_SetAttrString(spec, "cached", self->root) == 0;
    for (i = 0; ok && i < 2; i++) {
        self->spec_fields[i] = PyUnicode_InternFromString(field[i]);
        v = self->spec_fields[i]
                ? PyObject_GetAttr(spec, self->spec_fields[i])
                : NULL;
        ok = v == (i == 0 ? Py_True : self->root);
        Py_XDECREF(v);
    }
    Py_DECREF(spec);
    PyErr_Clear();
    if (!ok) {
        Py_CLEAR(self->spec_fields[0]);
        Py_CLEAR(self->spec_fields[1]);
    }
    return 0;
}

/*
 * A ModuleSpec for `fullname` found as `info` at module path `path`
 * (relative), with `loader` self for code and namespaces and an
 * ExtensionFileLoader for extensions.
 */
static PyObject *
make_spec(Importer *self, PyObject *fullname, const fz_module_info *info,
          const char *path, size_t path_size, fz_spec_parts *parts)
{
    PyObject *origin = NULL;
    PyObject *loader = NULL;
    PyObject *argv[4];
    PyObject *spec = NULL;
    PyObject *locations = NULL;
    PyObject *dir = NULL;
    PyObject *cached = NULL;
    int is_pkg =
        info->kind == FZ_MODULE_PACKAGE || info->kind == FZ_MODULE_NAMESPACE;

    if (info->file) {
        origin = root_join(self, info->file, info->file_size);
        if (!origin) {
            goto fail;
        }
    } else {
        origin = Py_None;
        Py_INCREF(origin);
    }
    if (info->kind == FZ_MODULE_EXTENSION) {
        loader = PyObject_CallFunctionObjArgs(self->ext_loader, fullname,
                                              origin, NULL);
        if (!loader) {
            goto fail;
        }
    } else {
        loader = (PyObject *)self;
        Py_INCREF(loader);
    }
    argv[0] = fullname;
    argv[1] = loader;
    argv[2] = origin;
    argv[3] = is_pkg ? Py_True : Py_False;
    spec = PyObject_Vectorcall(self->module_spec, argv, 2, self->spec_kwnames);
    if (!spec) {
        goto fail;
    }
    if (info->file &&
        set_spec_attr(self, spec, "has_location", 0, Py_True) < 0) {
        goto fail;
    }
    /*
     * __cached__ is the code entry's path (<root>/a/b/c.pyc), as for a
     * sourceless module; set now because ModuleSpec cannot compute it
     * before the main phase of initialisation installs the path machinery.
     */
    if (info->kind == FZ_MODULE_PLAIN || info->kind == FZ_MODULE_PACKAGE) {
        cached = root_join(self, info->entry.name, info->entry.name_size);
        if (!cached || set_spec_attr(self, spec, "cached", 1, cached) < 0) {
            goto fail;
        }
    }
    if (is_pkg) {
        dir = root_join(self, path, path_size);
        locations = dir ? PyList_New(1) : NULL;
        if (!locations) {
            goto fail;
        }
        PyList_SET_ITEM(locations, 0, dir);
        dir = NULL;
        if (PyObject_SetAttrString(spec, "submodule_search_locations",
                                   locations) < 0) {
            goto fail;
        }
    }
    if (parts) {
        parts->loader = Py_NewRef(loader);
        parts->origin = Py_NewRef(origin);
        parts->cached = Py_NewRef(cached ? cached : Py_None);
        parts->locations = Py_NewRef(locations ? locations : Py_None);
    }
    goto done;
fail:
    Py_CLEAR(spec);
done:
    Py_XDECREF(origin);
    Py_XDECREF(loader);
    Py_XDECREF(locations);
    Py_XDECREF(dir);
    Py_XDECREF(cached);
    return spec;
}

/* Read a real file below the root into bytes, or raise OSError. */
static PyObject *
read_real_file(PyObject *path_bytes, PyObject *path)
{
    PyObject *data = NULL;
    struct stat st;
    Py_ssize_t got = 0;
    int fd;

    fd = open(PyBytes_AS_STRING(path_bytes), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    if (fstat(fd, &st) < 0) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        goto done;
    }
    data = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)st.st_size);
    if (!data) {
        goto done;
    }
    while (got < PyBytes_GET_SIZE(data)) {
        ssize_t n = read(fd, PyBytes_AS_STRING(data) + got,
                         (size_t)(PyBytes_GET_SIZE(data) - got));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
            Py_CLEAR(data);
            goto done;
        }
        if (n == 0) {
            break;
        }
        got += n;
    }
    if (got < PyBytes_GET_SIZE(data)) {
        _PyBytes_Resize(&data, got);
    }
done:
    close(fd);
    return data;
}

/* ------------------------------------------------------------- Importer */

/* find_spec's work: a new spec, a new reference to None, or NULL. */
static PyObject *
find(Importer *self, PyObject *fullname, fz_spec_parts *parts)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    PyObject *spec = NULL;
    int found;

    found = lookup_name(self, fullname, 0, &info, &mpath, &mpath_size);
    if (found < 0) {
        goto done;
    }
    if (found == 0) {
        spec = Py_None;
        Py_INCREF(spec);
        goto done;
    }
    spec = make_spec(self, fullname, &info, mpath, mpath_size, parts);
done:
    fz_module_info_clear(&info);
    free(mpath);
    return spec;
}

static PyObject *
importer_find_spec(Importer *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"fullname", "path", "target", NULL};
    PyObject *fullname, *path = Py_None, *target = Py_None;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|OO:find_spec", kwlist,
                                     &fullname, &path, &target)) {
        return NULL;
    }
    return find(self, fullname, NULL);
}

PyObject *
fz_importer_find(PyObject *importer, PyObject *fullname, fz_spec_parts *parts)
{
    memset(parts, 0, sizeof(*parts));
    return find((Importer *)importer, fullname, parts);
}

void
fz_spec_parts_clear(fz_spec_parts *parts)
{
    Py_CLEAR(parts->loader);
    Py_CLEAR(parts->origin);
    Py_CLEAR(parts->cached);
    Py_CLEAR(parts->locations);
}

static PyObject *
importer_create_module(Importer *self, PyObject *spec)
{
    Py_RETURN_NONE;
}

/*
 * The entry of a spec: by its loader_state (a path "a/b/c" that the
 * path-entry finder set because the module's name does not match where it
 * was found, e.g. a vendored package imported under an alias), else by name.
 */
static int
require_spec(Importer *self, PyObject *spec, PyObject *name,
             fz_module_info *info, char **path, size_t *path_size)
{
    PyObject *state = PyObject_GetAttrString(spec, "loader_state");
    const char *s;
    Py_ssize_t n;
    int rc;

    if (!state || !PyUnicode_Check(state) ||
        !(s = PyUnicode_AsUTF8AndSize(state, &n))) {
        PyErr_Clear();
        Py_XDECREF(state);
        return require_name(self, name, info, path, path_size);
    }
    memset(info, 0, sizeof(*info));
    *path = malloc((size_t)n + 1);
    if (!*path) {
        Py_DECREF(state);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(*path, s, (size_t)n + 1);
    *path_size = (size_t)n;
    Py_DECREF(state);
    rc = fz_names_lookup(info, self->payload, *path, *path_size);
    if (rc == FZ_OK) {
        return 1;
    }
    free(*path);
    *path = NULL;
    if (rc == FZ_ENOMEM) {
        PyErr_NoMemory();
    } else {
        PyErr_Format(PyExc_ImportError, "no module named %R in the bundle",
                     name);
    }
    return -1;
}

static PyObject *
importer_exec_module(Importer *self, PyObject *module)
{
    PyObject *spec = NULL;
    PyObject *name = NULL;
    PyObject *file = NULL;
    PyObject *code = NULL;
    PyObject *dict;
    PyObject *r = NULL;
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    int found;

    memset(&info, 0, sizeof(info));
    spec = PyObject_GetAttrString(module, "__spec__");
    if (!spec) {
        goto done;
    }
    name = PyObject_GetAttrString(spec, "name");
    if (!name) {
        goto done;
    }
    found = require_spec(self, spec, name, &info, &mpath, &mpath_size);
    if (found < 0) {
        goto done;
    }
    if (info.kind == FZ_MODULE_NAMESPACE) {
        r = Py_None;
        Py_INCREF(r);
        goto done;
    }
    if (info.kind != FZ_MODULE_PLAIN && info.kind != FZ_MODULE_PACKAGE) {
        PyErr_Format(PyExc_ImportError, "%R is not a Python module", name);
        goto done;
    }
    file = root_join(self, info.file, info.file_size);
    code = file ? load_code(self, &info, file) : NULL;
    if (!code) {
        goto done;
    }
    dict = PyModule_GetDict(module);
    if (!dict) {
        goto done;
    }
    /* Like exec(code, module.__dict__), which the stdlib loaders use. */
    if (!PyDict_GetItemString(dict, "__builtins__") &&
        PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0) {
        goto done;
    }
    r = PyEval_EvalCode(code, dict, dict);
    if (r) {
        Py_DECREF(r);
        r = Py_None;
        Py_INCREF(r);
        if (fz_natives_module_loaded(name, module) < 0) {
            Py_CLEAR(r); /* ctypes: find bundled libraries */
        }
        if (r && fz_compat_module_loaded(name, module, (PyObject *)self) < 0) {
            Py_CLEAR(r); /* pkg_resources: know the importer */
        }
    }
done:
    fz_module_info_clear(&info);
    free(mpath);
    Py_XDECREF(spec);
    Py_XDECREF(name);
    Py_XDECREF(file);
    Py_XDECREF(code);
    return r;
}

static PyObject *
importer_get_code(Importer *self, PyObject *fullname)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    PyObject *file = NULL;
    PyObject *code = NULL;

    if (require_name(self, fullname, &info, &mpath, &mpath_size) < 0) {
        goto done;
    }
    if (info.kind != FZ_MODULE_PLAIN && info.kind != FZ_MODULE_PACKAGE) {
        code = Py_None;
        Py_INCREF(code);
        goto done;
    }
    file = root_join(self, info.file, info.file_size);
    code = file ? load_code(self, &info, file) : NULL;
done:
    fz_module_info_clear(&info);
    free(mpath);
    Py_XDECREF(file);
    return code;
}

static PyObject *
importer_get_source(Importer *self, PyObject *fullname)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    PyObject *bytes = NULL;
    PyObject *text = NULL;
    fz_entry src;
    size_t n;

    if (require_name(self, fullname, &info, &mpath, &mpath_size) < 0) {
        goto done;
    }
    if (!info.has_source) {
        text = Py_None;
        Py_INCREF(text);
        goto done;
    }
    /* The SOURCE entry is the code entry's name minus its final 'c'. */
    n = info.entry.name_size - 1;
    if (fz_payload_find(self->payload, info.entry.name, n, &src) < 0) {
        text = Py_None;
        Py_INCREF(text);
        goto done;
    }
    bytes = read_entry(self, &src);
    text = bytes ? decode_source(bytes) : NULL;
done:
    fz_module_info_clear(&info);
    free(mpath);
    Py_XDECREF(bytes);
    return text;
}

static PyObject *
importer_is_package(Importer *self, PyObject *fullname)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    PyObject *r = NULL;

    if (require_name(self, fullname, &info, &mpath, &mpath_size) >= 0) {
        r = PyBool_FromLong(info.kind == FZ_MODULE_PACKAGE ||
                            info.kind == FZ_MODULE_NAMESPACE);
    }
    fz_module_info_clear(&info);
    free(mpath);
    return r;
}

static PyObject *
importer_get_filename(Importer *self, PyObject *fullname)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    PyObject *r = NULL;

    if (require_name(self, fullname, &info, &mpath, &mpath_size) < 0) {
        goto done;
    }
    if (!info.file) {
        PyErr_Format(PyExc_ImportError, "%R has no file", fullname);
        goto done;
    }
    r = root_join(self, info.file, info.file_size);
done:
    fz_module_info_clear(&info);
    free(mpath);
    return r;
}

/* Is `rel` (n bytes) free of empty, "." and ".." segments? */
static int
clean_relative(const char *rel, size_t n)
{
    return fz_payload_name_valid(rel, n);
}

/*
 * posixpath.normpath of the absolute path `p` (n bytes) into `out` (at
 * least n + 1 bytes, NUL-terminated): no empty or "." segment, ".."
 * applied lexically, no trailing '/' (multiprocessing's spawn sends the
 * main script's path normalized so). The length, 0 when `p` is not
 * absolute.
 */
static size_t
lexical_norm(const char *p, size_t n, char *out)
{
    size_t i = 0, len = 0;

    if (n == 0 || p[0] != '/') {
        return 0;
    }
    while (i < n) {
        size_t j;

        while (i < n && p[i] == '/') {
            i++;
        }
        for (j = i; j < n && p[j] != '/'; j++) {
        }
        if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
            while (len > 0 && out[len - 1] != '/') {
                len--;
            }
            len = len > 0 ? len - 1 : 0;
        } else if (j > i && !(j - i == 1 && p[i] == '.')) {
            out[len++] = '/';
            memcpy(out + len, p + i, j - i);
            len += j - i;
        }
        i = j;
    }
    if (len == 0) {
        out[len++] = '/';
    }
    out[len] = '\0';
    return len;
}

/* Where a path points: not at a bundle, this process's root, or another
 * process's private root (see locate). */
enum { AT_NONE, AT_OWN_ROOT, AT_PRIVATE_ROOT };

/*
 * Locate the path `p` (n bytes), after lexical_norm into `norm` (n + 1
 * bytes): *rel is what follows the root in `norm` ("" for the root
 * itself), a valid entry name otherwise. AT_PRIVATE_ROOT is a path below
 * <tmp>/freeze-XXXXXX, the shape of the private root that a process of
 * this app (the same payload, the same $TMPDIR rule) makes when the cache
 * is unusable: a spawn or forkserver child is handed its parent's paths
 * (__main__.__file__, sys.path). Only a name: the directory is never
 * looked at, it may be gone and the name taken by someone else since.
 */
static int
locate(Importer *self, const char *p, size_t n, char *norm, const char **rel,
       size_t *rel_size)
{
    static const char prefix[] = "/" FZ_PLATFORM_PRIVATE_PREFIX;
    size_t len = lexical_norm(p, n, norm);
    size_t at, i;
    int where;

    if (len == 0) {
        return AT_NONE;
    }
    if (len >= self->root_norm_size &&
        memcmp(norm, self->root_norm, self->root_norm_size) == 0 &&
        (len == self->root_norm_size || norm[self->root_norm_size] == '/')) {
        where = AT_OWN_ROOT;
        at = self->root_norm_size;
    } else {
        at = self->tmp_norm_size + sizeof(prefix) - 1;
        if (len < at + FZ_PLATFORM_PRIVATE_RANDOM ||
            memcmp(norm, self->tmp_norm, self->tmp_norm_size) != 0 ||
            memcmp(norm + self->tmp_norm_size, prefix, sizeof(prefix) - 1) !=
                0) {
            return AT_NONE;
        }
        for (i = 0; i < FZ_PLATFORM_PRIVATE_RANDOM; i++) {
            char c = norm[at + i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9'))) {
                return AT_NONE;
            }
        }
        at += FZ_PLATFORM_PRIVATE_RANDOM;
        if (len > at && norm[at] != '/') {
            return AT_NONE;
        }
        where = AT_PRIVATE_ROOT;
    }
    *rel = len > at ? norm + at + 1 : norm + len;
    *rel_size = len > at ? len - at - 1 : 0;
    if (*rel_size > 0 && !clean_relative(*rel, *rel_size)) {
        return AT_NONE;
    }
    return where;
}

/*
 * locate() for a path object (str or bytes): *norm (PyMem_Free'd by the
 * caller, also on failure) holds the normalised path that *rel points
 * into. -1 with a Python exception set.
 */
static int
locate_path(Importer *self, PyObject *path, char **norm, const char **rel,
            size_t *rel_size)
{
    PyObject *bytes = NULL;
    size_t n;
    int where = -1;

    *norm = NULL;
    if (!PyUnicode_FSConverter(path, &bytes)) {
        return -1;
    }
    n = (size_t)PyBytes_GET_SIZE(bytes);
    *norm = PyMem_Malloc(n + 1);
    if (!*norm) {
        PyErr_NoMemory();
    } else {
        where = locate(self, PyBytes_AS_STRING(bytes), n, *norm, rel,
                       rel_size);
    }
    Py_DECREF(bytes);
    return where;
}

static PyObject *
importer_get_data(Importer *self, PyObject *arg)
{
    PyObject *path = NULL;
    PyObject *path_bytes = NULL;
    PyObject *root_bytes = NULL;
    PyObject *data = NULL;
    const char *p, *r;
    Py_ssize_t n, rn;
    fz_entry e;

    if (!PyUnicode_FSDecoder(arg, &path) ||
        !PyUnicode_FSConverter(path, &path_bytes) ||
        !PyUnicode_FSConverter(self->root, &root_bytes)) {
        goto done;
    }
    p = PyBytes_AS_STRING(path_bytes);
    n = PyBytes_GET_SIZE(path_bytes);
    r = PyBytes_AS_STRING(root_bytes);
    rn = PyBytes_GET_SIZE(root_bytes);
    if (n <= rn + 1 || memcmp(p, r, (size_t)rn) != 0 || p[rn] != '/' ||
        !clean_relative(p + rn + 1, (size_t)(n - rn - 1))) {
        errno = ENOENT;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        goto done;
    }
    if (fz_payload_find(self->payload, p + rn + 1, (size_t)(n - rn - 1), &e) ==
        FZ_OK) {
        data = read_entry(self, &e);
        goto done;
    }
    if (!self->bundle->on_disk) {
        errno = ENOENT;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        goto done;
    }
    data = read_real_file(path_bytes, path);
done:
    Py_XDECREF(path);
    Py_XDECREF(path_bytes);
    Py_XDECREF(root_bytes);
    return data;
}

static PyObject *
importer_get_resource_reader(Importer *self, PyObject *fullname)
{
    fz_module_info info;
    char *mpath = NULL;
    size_t mpath_size = 0;
    size_t dir_size;
    PyObject *dir = NULL;
    PyObject *reader = NULL;

    if (require_name(self, fullname, &info, &mpath, &mpath_size) < 0) {
        goto done;
    }
    if (!mpath) {
        PyErr_SetString(PyExc_ImportError, "__main__ has no resources");
        goto done;
    }
    dir_size = mpath_size;
    if (info.kind != FZ_MODULE_PACKAGE && info.kind != FZ_MODULE_NAMESPACE) {
        const char *slash = memrchr(mpath, '/', mpath_size);

        dir_size = slash ? (size_t)(slash - mpath) : 0;
    }
    dir = root_join(self, mpath, dir_size);
    if (!dir) {
        goto done;
    }
    reader = PyObject_CallOneArg(self->reader_type, dir);
done:
    fz_module_info_clear(&info);
    free(mpath);
    Py_XDECREF(dir);
    return reader;
}

static PyObject *
importer_invalidate_caches(Importer *self, PyObject *unused)
{
    Py_RETURN_NONE;
}

/*
 * sys.path_hooks entry: a PathFinder for the root or a dir inside it. A
 * spawn or forkserver child gets its parent's sys.path: the parent's
 * private root (AT_PRIVATE_ROOT) and its directories are served from this
 * payload too, and any other path below it gets None, so no other hook
 * (zipimport, FileFinder) ever reads there.
 */
static PyObject *
importer_path_hook(Importer *self, PyObject *arg)
{
    PyObject *path = NULL;
    PathFinder *finder = NULL;
    char *norm = NULL;
    const char *rel = "";
    size_t rel_size = 0;
    int where;

    if (!PyUnicode_FSDecoder(arg, &path)) {
        goto done;
    }
    where = locate_path(self, path, &norm, &rel, &rel_size);
    if (where < 0) {
        goto done;
    }
    if (where == AT_NONE) {
        PyErr_SetString(PyExc_ImportError, "not in the bundle");
        goto done;
    }
    if (rel_size > 0 && !fz_names_is_dir(self->payload, rel, rel_size)) {
        if (where == AT_PRIVATE_ROOT) {
            /* No finder, and no other hook may look (PathFinder and
             * pkgutil.get_importer cache None as "no finder"). */
            Py_INCREF(Py_None);
            finder = (PathFinder *)Py_None;
            goto done;
        }
        PyErr_SetString(PyExc_ImportError, "not a bundle directory");
        goto done;
    }
    finder = PyObject_New(PathFinder, (PyTypeObject *)self->finder_type);
    if (!finder) {
        goto done;
    }
    finder->importer = self;
    Py_INCREF(self);
    finder->path = path;
    Py_INCREF(path);
    finder->rel = malloc(rel_size + 1);
    finder->rel_size = rel_size;
    if (!finder->rel) {
        Py_CLEAR(finder);
        PyErr_NoMemory();
        goto done;
    }
    memcpy(finder->rel, rel, rel_size);
    finder->rel[rel_size] = '\0';
done:
    PyMem_Free(norm);
    Py_XDECREF(path);
    return (PyObject *)finder;
}

static void
importer_dealloc(Importer *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    Py_XDECREF(self->root);
    Py_XDECREF(self->module_spec);
    Py_XDECREF(self->spec_kwnames);
    Py_XDECREF(self->spec_fields[0]);
    Py_XDECREF(self->spec_fields[1]);
    Py_XDECREF(self->ext_loader);
    Py_XDECREF(self->fix_filename);
    Py_XDECREF(self->finder_type);
    Py_XDECREF(self->reader_type);
    PyMem_Free(self->root_norm);
    PyMem_Free(self->tmp_norm);
    PyObject_Free(self);
    Py_DECREF(tp);
}

static PyMethodDef importer_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))importer_find_spec,
     METH_VARARGS | METH_KEYWORDS, "Find a module in the payload."},
    {"create_module", (PyCFunction)importer_create_module, METH_O,
     "Default module creation."},
    {"exec_module", (PyCFunction)importer_exec_module, METH_O,
     "Run a module's code from the payload."},
    {"get_code", (PyCFunction)importer_get_code, METH_O, NULL},
    {"get_source", (PyCFunction)importer_get_source, METH_O, NULL},
    {"is_package", (PyCFunction)importer_is_package, METH_O, NULL},
    {"get_filename", (PyCFunction)importer_get_filename, METH_O, NULL},
    {"get_data", (PyCFunction)importer_get_data, METH_O, NULL},
    {"get_resource_reader", (PyCFunction)importer_get_resource_reader, METH_O,
     NULL},
    {"invalidate_caches", (PyCFunction)importer_invalidate_caches, METH_NOARGS,
     NULL},
    {"path_hook", (PyCFunction)importer_path_hook, METH_O,
     "sys.path_hooks entry for the bundle root and its directories."},
    {NULL, NULL, 0, NULL}};

static PyType_Slot importer_slots[] = {
    {Py_tp_dealloc, importer_dealloc},
    {Py_tp_methods, importer_methods},
    {Py_tp_doc, "The frozen app's importer: modules from the payload."},
    {0, NULL}};

static PyType_Spec importer_spec = {"_fzimport.FzImporter", sizeof(Importer), 0,
                                    Py_TPFLAGS_DEFAULT, importer_slots};

/* ----------------------------------------------------------- PathFinder */

/* Is the dotted `name` the entry path `path` ("a.b" and "a/b")? */
static int
name_is_path(const char *name, size_t n, const char *path, size_t path_size)
{
    if (n != path_size) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (name[i] != (path[i] == '/' ? '.' : path[i])) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
finder_find_spec(PathFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"fullname", "target", NULL};
    PyObject *fullname, *target = Py_None;
    fz_module_info info;
    const char *name, *tail;
    Py_ssize_t n;
    char *mpath = NULL;
    size_t mpath_size, tail_size;
    PyObject *spec = NULL;

    memset(&info, 0, sizeof(info));
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|O:find_spec", kwlist,
                                     &fullname, &target)) {
        return NULL;
    }
    name = PyUnicode_AsUTF8AndSize(fullname, &n);
    if (!name) {
        goto done;
    }
    tail = memrchr(name, '.', (size_t)n);
    tail = tail ? tail + 1 : name;
    tail_size = (size_t)(name + n - tail);
    if (tail_size == 0 || memchr(tail, '/', tail_size)) {
        goto none;
    }
    mpath_size = self->rel_size + (self->rel_size ? 1 : 0) + tail_size;
    mpath = malloc(mpath_size + 1);
    if (!mpath) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(mpath, self->rel, self->rel_size);
    if (self->rel_size) {
        mpath[self->rel_size] = '/';
    }
    memcpy(mpath + mpath_size - tail_size, tail, tail_size);
    mpath[mpath_size] = '\0';
    switch (
        fz_names_lookup(&info, self->importer->payload, mpath, mpath_size)) {
    case FZ_OK:
        spec = make_spec(self->importer, fullname, &info, mpath, mpath_size,
                         NULL);
        if (spec && !name_is_path(name, (size_t)n, mpath, mpath_size)) {
            /* found under an alias: exec_module goes by this path */
            PyObject *state =
                PyUnicode_FromStringAndSize(mpath, (Py_ssize_t)mpath_size);

            if (!state ||
                PyObject_SetAttrString(spec, "loader_state", state) < 0) {
                Py_CLEAR(spec);
            }
            Py_XDECREF(state);
        }
        goto done;
    case FZ_ENOMEM:
        PyErr_NoMemory();
        goto done;
    default:
        break;
    }
none:
    spec = Py_None;
    Py_INCREF(spec);
done:
    fz_module_info_clear(&info);
    free(mpath);
    return spec;
}

typedef struct {
    PyObject *list;
    PyObject *seen;
    PyObject *prefix;
} list_ctx;

static int
collect_child(void *arg, const char *name, size_t size, int is_pkg)
{
    list_ctx *ctx = arg;
    PyObject *mod = NULL;
    PyObject *full = NULL;
    PyObject *item = NULL;
    int rc = -1;

    mod = decode_fs(name, size);
    if (!mod) {
        goto done;
    }
    rc = PySet_Contains(ctx->seen, mod);
    if (rc != 0) {
        rc = rc < 0 ? -1 : 0;
        goto done;
    }
    rc = -1;
    full = PyUnicode_Concat(ctx->prefix, mod);
    item =
        full ? Py_BuildValue("(OO)", full, is_pkg ? Py_True : Py_False) : NULL;
    if (!item || PySet_Add(ctx->seen, mod) < 0 ||
        PyList_Append(ctx->list, item) < 0) {
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(mod);
    Py_XDECREF(full);
    Py_XDECREF(item);
    return rc;
}

static PyObject *
finder_iter_modules(PathFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"prefix", NULL};
    list_ctx ctx = {NULL, NULL, NULL};
    PyObject *prefix = NULL;
    PyObject *it = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|U:iter_modules", kwlist,
                                     &prefix)) {
        return NULL;
    }
    ctx.prefix = prefix ? prefix : PyUnicode_FromString("");
    if (!prefix) {
        if (!ctx.prefix) {
            goto done;
        }
    } else {
        Py_INCREF(ctx.prefix);
    }
    ctx.list = PyList_New(0);
    ctx.seen = PySet_New(NULL);
    if (!ctx.list || !ctx.seen) {
        goto done;
    }
    rc = fz_names_list(self->importer->payload, self->rel, self->rel_size,
                       collect_child, &ctx);
    if (rc == FZ_ENOMEM) {
        PyErr_NoMemory();
    }
    if (rc != 0) {
        goto done;
    }
    it = PyObject_GetIter(ctx.list);
done:
    Py_XDECREF(ctx.list);
    Py_XDECREF(ctx.seen);
    Py_XDECREF(ctx.prefix);
    return it;
}

static PyObject *
finder_invalidate_caches(PathFinder *self, PyObject *unused)
{
    Py_RETURN_NONE;
}

static PyObject *
finder_repr(PathFinder *self)
{
    return PyUnicode_FromFormat("FzPathFinder(%R)", self->path);
}

static void
finder_dealloc(PathFinder *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    Py_XDECREF(self->importer);
    Py_XDECREF(self->path);
    free(self->rel);
    PyObject_Free(self);
    Py_DECREF(tp);
}

static PyMemberDef finder_members[] = {
    {"path", T_OBJECT, offsetof(PathFinder, path), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyMethodDef finder_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))finder_find_spec,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"iter_modules", (PyCFunction)(void (*)(void))finder_iter_modules,
     METH_VARARGS | METH_KEYWORDS, "(name, ispkg) for pkgutil."},
    {"invalidate_caches", (PyCFunction)finder_invalidate_caches, METH_NOARGS,
     NULL},
    {NULL, NULL, 0, NULL}};

static PyType_Slot finder_slots[] = {{Py_tp_dealloc, finder_dealloc},
                                     {Py_tp_methods, finder_methods},
                                     {Py_tp_members, finder_members},
                                     {Py_tp_repr, finder_repr},
                                     {0, NULL}};

static PyType_Spec finder_spec = {"_fzimport.FzPathFinder", sizeof(PathFinder),
                                  0, Py_TPFLAGS_DEFAULT, finder_slots};

/* ------------------------------------------------------- ResourceReader */

static PyObject *
reader_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *dir;
    ResourceReader *self;

    if (!PyArg_ParseTuple(args, "U:FzResourceReader", &dir)) {
        return NULL;
    }
    self = (ResourceReader *)type->tp_alloc(type, 0);
    if (self) {
        self->dir = dir;
        Py_INCREF(dir);
    }
    return (PyObject *)self;
}

/* os.path.<func>(*args) */
static PyObject *
call_os_path(const char *func, PyObject *a, PyObject *b)
{
    PyObject *mod = PyImport_ImportModule("os.path");
    PyObject *r = NULL;

    if (mod) {
        r = PyObject_CallMethod(mod, func, b ? "OO" : "O", a, b);
        Py_DECREF(mod);
    }
    return r;
}

static PyObject *
reader_files(ResourceReader *self, PyObject *unused)
{
    PyObject *mod = PyImport_ImportModule("pathlib");
    PyObject *r = NULL;

    if (mod) {
        r = PyObject_CallMethod(mod, "Path", "O", self->dir);
        Py_DECREF(mod);
    }
    return r;
}

static PyObject *
reader_resource_path(ResourceReader *self, PyObject *name)
{
    PyObject *path = call_os_path("join", self->dir, name);
    PyObject *isfile = path ? call_os_path("isfile", path, NULL) : NULL;
    PyObject *r = NULL;

    if (isfile == Py_True) {
        r = path;
        path = NULL;
    } else if (isfile) {
        errno = ENOENT;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    Py_XDECREF(path);
    Py_XDECREF(isfile);
    return r;
}

static PyObject *
reader_open_resource(ResourceReader *self, PyObject *name)
{
    PyObject *path = call_os_path("join", self->dir, name);
    PyObject *io = path ? PyImport_ImportModule("io") : NULL;
    PyObject *r = NULL;

    if (io) {
        r = PyObject_CallMethod(io, "open", "Os", path, "rb");
    }
    Py_XDECREF(path);
    Py_XDECREF(io);
    return r;
}

static PyObject *
reader_is_resource(ResourceReader *self, PyObject *name)
{
    PyObject *path = call_os_path("join", self->dir, name);
    PyObject *r = path ? call_os_path("isfile", path, NULL) : NULL;

    Py_XDECREF(path);
    return r;
}

static PyObject *
reader_contents(ResourceReader *self, PyObject *unused)
{
    PyObject *isdir = call_os_path("isdir", self->dir, NULL);
    PyObject *os = NULL;
    PyObject *r = NULL;

    if (isdir == Py_True) {
        os = PyImport_ImportModule("os");
        r = os ? PyObject_CallMethod(os, "listdir", "O", self->dir) : NULL;
    } else if (isdir) {
        r = PyList_New(0);
    }
    Py_XDECREF(isdir);
    Py_XDECREF(os);
    return r ? PyObject_GetIter(r) : NULL;
}

static void
reader_dealloc(ResourceReader *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    Py_XDECREF(self->dir);
    PyObject_Free(self);
    Py_DECREF(tp);
}

static PyMethodDef reader_methods[] = {
    {"files", (PyCFunction)reader_files, METH_NOARGS, NULL},
    {"resource_path", (PyCFunction)reader_resource_path, METH_O, NULL},
    {"open_resource", (PyCFunction)reader_open_resource, METH_O, NULL},
    {"is_resource", (PyCFunction)reader_is_resource, METH_O, NULL},
    {"contents", (PyCFunction)reader_contents, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyType_Slot reader_slots[] = {{Py_tp_new, reader_new},
                                     {Py_tp_dealloc, reader_dealloc},
                                     {Py_tp_methods, reader_methods},
                                     {0, NULL}};

static PyType_Spec reader_spec = {"_fzimport.FzResourceReader",
                                  sizeof(ResourceReader), 0, Py_TPFLAGS_DEFAULT,
                                  reader_slots};

/* ---------------------------------------------------------------- setup */

/* getattr(import(module), name) as a new reference. */
static PyObject *
import_attr(const char *module, const char *name)
{
    PyObject *mod = PyImport_ImportModule(module);
    PyObject *r = NULL;

    if (mod) {
        r = PyObject_GetAttrString(mod, name);
        Py_DECREF(mod);
    }
    return r;
}

/* Fill root_norm and tmp_norm (locate); 0, or -1 with an exception. */
static int
normalized_roots(Importer *self)
{
    const fz_bundle *b = self->bundle;
    char *tmp = NULL;
    int rc;

    rc = fz_platform_tmp_base(&tmp);
    if (rc < 0) {
        raise_fz(rc, "the temporary directory");
        return -1;
    }
    self->root_norm = PyMem_Malloc(b->root_size + 1);
    self->tmp_norm = PyMem_Malloc(strlen(tmp) + 1);
    if (!self->root_norm || !self->tmp_norm) {
        free(tmp);
        PyErr_NoMemory();
        return -1;
    }
    self->root_norm_size = lexical_norm(b->root, b->root_size, self->root_norm);
    self->tmp_norm_size = lexical_norm(tmp, strlen(tmp), self->tmp_norm);
    free(tmp);
    if (self->root_norm_size == 0 || self->tmp_norm_size == 0) {
        PyErr_SetString(PyExc_ImportError,
                        "the bundle root or $TMPDIR is not absolute");
        return -1;
    }
    if (self->tmp_norm_size == 1) {
        self->tmp_norm_size = 0; /* "/": private roots are /freeze-XXXXXX */
    }
    self->tmp_norm[self->tmp_norm_size] = '\0';
    return 0;
}

PyObject *
fz_importer_install(fz_payload *p, const fz_bundle *b, const char *argv0)
{
    Importer *self = NULL;
    PyObject *type = NULL;
    PyObject *meta_path;
    PyObject *frozen = NULL;
    Py_ssize_t i, at;

    type = PyType_FromSpec(&importer_spec);
    if (!type) {
        goto fail;
    }
    self = PyObject_New(Importer, (PyTypeObject *)type);
    if (!self) {
        goto fail;
    }
    self->payload = p;
    self->bundle = b;
    self->argv0 = argv0;
    self->root = self->module_spec = self->ext_loader = NULL;
    self->spec_kwnames = self->spec_fields[0] = self->spec_fields[1] = NULL;
    self->fix_filename = self->finder_type = self->reader_type = NULL;
    self->root_norm = self->tmp_norm = NULL;
    if (normalized_roots(self) < 0) {
        goto fail;
    }
    self->root =
        PyUnicode_DecodeFSDefaultAndSize(b->root, (Py_ssize_t)b->root_size);
    self->module_spec = import_attr("_frozen_importlib", "ModuleSpec");
    /* ExtensionFileLoader that first loads the bundled libraries */
    self->ext_loader = fz_natives_loader_type(p, b);
    self->fix_filename = import_attr("_imp", "_fix_co_filename");
    self->finder_type = PyType_FromSpec(&finder_spec);
    self->reader_type = PyType_FromSpec(&reader_spec);
    self->spec_kwnames = Py_BuildValue("(ss)", "origin", "is_package");
    if (!self->root || !self->module_spec || !self->ext_loader ||
        !self->fix_filename || !self->finder_type || !self->reader_type ||
        !self->spec_kwnames || find_spec_fields(self) < 0) {
        goto fail;
    }
    meta_path = PySys_GetObject("meta_path"); /* borrowed */
    frozen = import_attr("_frozen_importlib", "FrozenImporter");
    if (!meta_path || !PyList_Check(meta_path) || !frozen) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "sys.meta_path is missing");
        }
        goto fail;
    }
    at = PyList_GET_SIZE(meta_path);
    for (i = 0; i < PyList_GET_SIZE(meta_path); i++) {
        if (PyList_GET_ITEM(meta_path, i) == frozen) {
            at = i + 1;
        }
    }
    if (PyList_Insert(meta_path, at, (PyObject *)self) < 0) {
        goto fail;
    }
    Py_DECREF(frozen);
    Py_DECREF(type);
    return (PyObject *)self;
fail:
    Py_XDECREF(frozen);
    Py_XDECREF(self);
    Py_XDECREF(type);
    return NULL;
}

int
fz_importer_install_path_hook(PyObject *importer)
{
    PyObject *hooks = PySys_GetObject("path_hooks"); /* borrowed */
    PyObject *cache = PySys_GetObject("path_importer_cache");
    PyObject *hook = NULL;
    int rc = -1;

    if (!hooks || !PyList_Check(hooks)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.path_hooks is missing");
        goto done;
    }
    hook = PyObject_GetAttrString(importer, "path_hook");
    if (!hook || PyList_Insert(hooks, 0, hook) < 0) {
        goto done;
    }
    if (cache && PyDict_Check(cache)) {
        PyDict_Clear(cache);
    }
    rc = 0;
done:
    Py_XDECREF(hook);
    return rc;
}

PyObject *
fz_importer_exec(PyObject *importer, PyObject *module)
{
    return importer_exec_module((Importer *)importer, module);
}

PyObject *
fz_importer_main_code(PyObject *importer, PyObject **file)
{
    Importer *self = (Importer *)importer;
    fz_module_info info;
    PyObject *code = NULL;
    int rc;

    *file = NULL;
    rc = main_info(self, &info);
    if (rc == FZ_ENOMEM) {
        PyErr_NoMemory();
        goto done;
    }
    if (rc < 0) {
        PyErr_SetString(PyExc_ImportError,
                        "the payload has no __main__ script");
        goto done;
    }
    *file = root_join(self, info.file, info.file_size);
    if (!*file) {
        goto done;
    }
    code = load_code(self, &info, *file);
    if (!code) {
        Py_CLEAR(*file);
    }
done:
    fz_module_info_clear(&info);
    return code;
}

/*
 * io.open_code hook: the source of a bundled app module, when asked for its
 * __file__ (<root>/a/b.py, never on disk), else the file itself. runpy's
 * run_path uses io.open_code, and multiprocessing's spawn and forkserver
 * children run the program's main script through it as __mp_main__, by
 * the parent's __main__.__file__: with the cache unusable that is below
 * the parent's private root (AT_PRIVATE_ROOT), and the same entry of this
 * payload is served. Below such a root nothing else is read: ENOENT.
 */
static PyObject *
open_code_hook(PyObject *path, void *data)
{
    Importer *self = data;
    PyObject *bytes = NULL;
    PyObject *io = NULL;
    PyObject *f = NULL;
    char *norm = NULL;
    const char *rel;
    size_t rel_size;
    int where;
    fz_entry e;

    where = locate_path(self, path, &norm, &rel, &rel_size);
    if (where < 0) {
        goto done;
    }
    if (where != AT_NONE && rel_size > 0 &&
        fz_payload_find(self->payload, rel, rel_size, &e) == FZ_OK &&
        e.kind == FZ_ENTRY_SOURCE) {
        bytes = read_entry(self, &e);
        if (!bytes) {
            goto done;
        }
    } else if (where == AT_PRIVATE_ROOT) {
        errno = ENOENT;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        goto done;
    }
    io = PyImport_ImportModule("_io");
    if (!io) {
        goto done;
    }
    if (bytes) {
        f = PyObject_CallMethod(io, "BytesIO", "O", bytes);
    } else {
        f = PyObject_CallMethod(io, "open", "Os", path, "rb");
    }
done:
    PyMem_Free(norm);
    Py_XDECREF(io);
    Py_XDECREF(bytes);
    return f;
}

int
fz_importer_install_open_code(PyObject *importer)
{
    /* The hook outlives the interpreter: it keeps its importer. */
    Py_INCREF(importer);
    if (PyFile_SetOpenCodeHook(open_code_hook, importer) < 0) {
        Py_DECREF(importer);
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "cannot set open_code hook");
        }
        return -1;
    }
    return 0;
}
