/*
 * codeimage.c - write a code object as a code image (fz_codeimage.h).
 *
 * Walks the code object's constants depth first and appends each object
 * once (by identity, as marshal's references do), after the objects it
 * refers to. A record is the object's memory as this process built it,
 * written field by field into zeroed bytes (a live object's padding is
 * whatever its memory held, and the image must be the same bytes on every
 * build), its references replaced and what only means something in this
 * process (reference count, hash, weak references, caches) left zero.
 * The build cache keeps images: bump FZ_BUILDCACHE_VERSION (buildcache.h)
 * whenever what this writes changes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "codeimage.h"

#include "fz_codeimage.h"
#include "fz_error.h"
#include "pyembed.h"

#include <string.h>

typedef struct writer {
    fz_buf *out;
    PyObject *memo; /* id(obj) -> offset of its record */
    PyObject *keep; /* objects made here that the memo names by id */
} writer;

static int put_object(writer *w, PyObject *o, uint64_t *ref);

static size_t
align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/*
 * Append a zeroed record of `size` object bytes (after a PyGC_Head when
 * gc) whose first word is `tag`; *at is the offset of the object, *obj
 * where its bytes go (valid until the next append).
 */
static int
new_record(writer *w, unsigned tag, size_t size, int gc, size_t *at, char **obj)
{
    static const char zeros[64];
    size_t head = gc ? FZ_CI_GC_HEAD_SIZE : 0u;
    size_t start = w->out->size;
    uint64_t word = tag;

    for (size_t left = align8(head + size); left > 0;) {
        size_t n = left < sizeof(zeros) ? left : sizeof(zeros);

        if (fz_buf_append(w->out, zeros, n) < 0) {
            return fz_error_set(FZ_ENOMEM, "code image: out of memory");
        }
        left -= n;
    }
    *at = start + head;
    *obj = w->out->data + *at;
    memcpy(w->out->data + start, &word, sizeof(word));
    return 0;
}

/* Copy o's `size` bytes after its first word (the record's tag) into
 * obj: for objects without padding (bytes, int, float, complex). */
static void
copy_plain(char *obj, const PyObject *o, size_t size)
{
    memcpy(obj + sizeof(uint64_t), (const char *)o + sizeof(uint64_t),
           size - sizeof(uint64_t));
    ((PyObject *)obj)->ob_type = NULL;
}

static int
memo_get(writer *w, PyObject *o, uint64_t *ref)
{
    PyObject *key = PyLong_FromVoidPtr(o);
    PyObject *v;

    if (!key) {
        return -1;
    }
    v = PyDict_GetItemWithError(w->memo, key);
    Py_DECREF(key);
    if (!v) {
        return PyErr_Occurred() ? -1 : 0;
    }
    *ref = PyLong_AsUnsignedLongLong(v);
    return 1;
}

static int
memo_put(writer *w, PyObject *o, size_t at)
{
    PyObject *key = PyLong_FromVoidPtr(o);
    PyObject *v = PyLong_FromSize_t(at);
    int rc = -1;

    if (key && v) {
        rc = PyDict_SetItem(w->memo, key, v);
    }
    Py_XDECREF(key);
    Py_XDECREF(v);
    return rc;
}

/* The singleton reference for o, or 0 when o is not one. */
static uint64_t
singleton(PyObject *o)
{
    if (o == Py_None) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_NONE);
    }
    if (o == Py_True) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_TRUE);
    }
    if (o == Py_False) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_FALSE);
    }
    if (o == Py_Ellipsis) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_ELLIPSIS);
    }
    if (PyTuple_CheckExact(o) && PyTuple_GET_SIZE(o) == 0) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_EMPTY_TUPLE);
    }
    if (PyUnicode_CheckExact(o) && PyUnicode_GET_LENGTH(o) == 0) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_EMPTY_STR);
    }
    if (PyBytes_CheckExact(o) && PyBytes_GET_SIZE(o) == 0) {
        return FZ_CI_SINGLE(FZ_CI_S_CONST, FZ_CI_EMPTY_BYTES);
    }
    /* Whether a one-character str is interned here depends on what this
     * process did before (marshal hands out the latin-1 singleton, which
     * may or may not be the interned one), so the image does not say: the
     * runtime gives every one-character constant its interned twin. */
    if (PyUnicode_CheckExact(o) && PyUnicode_GET_LENGTH(o) == 1 &&
        PyUnicode_READ_CHAR(o, 0) < 256) {
        return FZ_CI_SINGLE(FZ_CI_S_CHAR, PyUnicode_READ_CHAR(o, 0));
    }
    if (PyBytes_CheckExact(o) && PyBytes_GET_SIZE(o) == 1) {
        return FZ_CI_SINGLE(FZ_CI_S_BYTE, (uint8_t)PyBytes_AS_STRING(o)[0]);
    }
    if (PyLong_CheckExact(o)) {
        int overflow;
        long v = PyLong_AsLongAndOverflow(o, &overflow);

        if (!overflow && v >= -5 && v <= 256) {
            return FZ_CI_SINGLE(FZ_CI_S_INT, v + 5);
        }
        PyErr_Clear();
    }
    return 0;
}

static int
put_str(writer *w, PyObject *o, size_t *at)
{
    size_t len = (size_t)PyUnicode_GET_LENGTH(o);
    int ascii = PyUnicode_IS_ASCII(o);
    size_t kind = PyUnicode_KIND(o);
    size_t header =
        ascii ? sizeof(PyASCIIObject) : sizeof(PyCompactUnicodeObject);
    size_t size = header + (len + 1) * kind;
    unsigned tag = FZ_CI_STR | (PyUnicode_CHECK_INTERNED(o) ? FZ_CI_INTERN : 0);
    char *obj;
    PyASCIIObject *a;
    int rc;

    if (!PyUnicode_IS_COMPACT(o)) {
        return fz_error_set(FZ_EINVAL, "code image: a str not compact");
    }
    rc = new_record(w, tag, size, 0, at, &obj);
    if (rc < 0) {
        return rc;
    }
    /* Field by field into the zeroed record: the padding and unused state
     * bits of a live str are whatever its memory held. */
    a = (PyASCIIObject *)obj;
    a->length = (Py_ssize_t)len;
    a->hash = -1;
    a->state.kind = (unsigned)kind;
    a->state.compact = 1;
    a->state.ascii = (unsigned)ascii;
    a->state.ready = 1;
    memcpy(obj + header, PyUnicode_DATA(o), (len + 1) * kind);
    return 0;
}

static int
put_plain(writer *w, PyObject *o, unsigned tag, size_t size, size_t *at)
{
    char *obj;
    int rc = new_record(w, tag, size, 0, at, &obj);

    if (rc < 0) {
        return rc;
    }
    copy_plain(obj, o, size);
    return 0;
}

/* Write the references of `items` into refs (which new records may move:
 * refs are collected first, then copied). */
static int
put_items(writer *w, PyObject *const *items, Py_ssize_t n, uint64_t *refs)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int rc = put_object(w, items[i], &refs[i]);

        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int
put_tuple(writer *w, PyObject *o, unsigned tag, size_t *at)
{
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    uint64_t *refs = PyMem_Malloc(((size_t)n + 1) * sizeof(*refs));
    char *obj;
    int rc;

    if (!refs) {
        return fz_error_set(FZ_ENOMEM, "code image: out of memory");
    }
    rc = put_items(w, &PyTuple_GET_ITEM(o, 0), n, refs);
    if (rc == 0) {
        size_t size =
            offsetof(PyTupleObject, ob_item) + (size_t)n * sizeof(PyObject *);

        rc = new_record(w, tag, size, 1, at, &obj);
        if (rc == 0) {
            ((PyVarObject *)obj)->ob_size = n;
            memcpy(obj + offsetof(PyTupleObject, ob_item), refs,
                   (size_t)n * sizeof(*refs));
        }
    }
    PyMem_Free(refs);
    return rc;
}

/* A frozenset's items in the order marshal writes them (sorted by their
 * marshalled bytes, as CPython 3.11 does), so that the image does not
 * depend on this process's string hashes. */
static PyObject *
sorted_items(PyObject *set)
{
    PyObject *pairs = PyList_New(0);
    PyObject *it = pairs ? PyObject_GetIter(set) : NULL;
    PyObject *item;
    PyObject *r = NULL;

    if (!it) {
        goto done;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *key = PyMarshal_WriteObjectToString(item, Py_MARSHAL_VERSION);
        PyObject *pair = key ? PyTuple_Pack(2, key, item) : NULL;
        int rc = pair ? PyList_Append(pairs, pair) : -1;

        Py_XDECREF(pair);
        Py_XDECREF(key);
        Py_DECREF(item);
        if (rc < 0) {
            goto done;
        }
    }
    if (PyErr_Occurred() || PyList_Sort(pairs) < 0) {
        goto done;
    }
    r = PyTuple_New(PyList_GET_SIZE(pairs));
    for (Py_ssize_t i = 0; r && i < PyList_GET_SIZE(pairs); i++) {
        PyObject *v = PyTuple_GET_ITEM(PyList_GET_ITEM(pairs, i), 1);

        Py_INCREF(v);
        PyTuple_SET_ITEM(r, i, v);
    }
done:
    Py_XDECREF(it);
    Py_XDECREF(pairs);
    return r;
}

static int
put_frozenset(writer *w, PyObject *o, size_t *at)
{
    PyObject *items = sorted_items(o);
    uint64_t ref;
    char *obj;
    int rc;

    if (!items) {
        return -1;
    }
    rc = PyList_Append(w->keep, items);
    if (rc == 0) {
        rc = put_object(w, items, &ref);
    }
    Py_DECREF(items);
    if (rc < 0) {
        return rc;
    }
    rc = new_record(w, FZ_CI_FROZENSET, sizeof(PyObject) + sizeof(ref), 0, at,
                    &obj);
    if (rc == 0) {
        memcpy(obj + sizeof(PyObject), &ref, sizeof(ref));
    }
    return rc;
}

static int
put_code(writer *w, PyCodeObject *co, size_t *at)
{
    PyObject *fields[9] = {co->co_consts,
                           co->co_names,
                           co->co_exceptiontable,
                           co->co_localsplusnames,
                           co->co_localspluskinds,
                           co->co_filename,
                           co->co_name,
                           co->co_qualname,
                           co->co_linetable};
    uint64_t refs[9];
    size_t size = offsetof(PyCodeObject, co_code_adaptive) +
                  (size_t)Py_SIZE(co) * sizeof(_Py_CODEUNIT);
    PyCodeObject *c;
    char *obj;
    int rc;

    rc = put_items(w, fields, 9, refs);
    if (rc < 0) {
        return rc;
    }
    rc = new_record(w, FZ_CI_CODE, size, 0, at, &obj);
    if (rc < 0) {
        return rc;
    }
    /* Field by field into the zeroed record (a live code object's padding
     * is whatever its memory held); what is not set here starts empty. */
    c = (PyCodeObject *)obj;
    c->ob_base.ob_size = Py_SIZE(co);
    c->co_flags = co->co_flags;
    c->co_warmup = co->co_warmup;
    c->co_argcount = co->co_argcount;
    c->co_posonlyargcount = co->co_posonlyargcount;
    c->co_kwonlyargcount = co->co_kwonlyargcount;
    c->co_stacksize = co->co_stacksize;
    c->co_firstlineno = co->co_firstlineno;
    c->co_nlocalsplus = co->co_nlocalsplus;
    c->co_nlocals = co->co_nlocals;
    c->co_nplaincellvars = co->co_nplaincellvars;
    c->co_ncellvars = co->co_ncellvars;
    c->co_nfreevars = co->co_nfreevars;
    c->_co_firsttraceable = co->_co_firsttraceable;
    memcpy(c->co_code_adaptive, co->co_code_adaptive,
           (size_t)Py_SIZE(co) * sizeof(_Py_CODEUNIT));
    memcpy(&c->co_consts, &refs[0], sizeof(refs[0]));
    memcpy(&c->co_names, &refs[1], sizeof(refs[1]));
    memcpy(&c->co_exceptiontable, &refs[2], sizeof(refs[2]));
    memcpy(&c->co_localsplusnames, &refs[3], sizeof(refs[3]));
    memcpy(&c->co_localspluskinds, &refs[4], sizeof(refs[4]));
    memcpy(&c->co_filename, &refs[5], sizeof(refs[5]));
    memcpy(&c->co_name, &refs[6], sizeof(refs[6]));
    memcpy(&c->co_qualname, &refs[7], sizeof(refs[7]));
    memcpy(&c->co_linetable, &refs[8], sizeof(refs[8]));
    return 0;
}

/* Append o (and what it refers to) unless it is there; *ref refers to it. */
static int
put_object(writer *w, PyObject *o, uint64_t *ref)
{
    size_t at;
    int rc;

    *ref = singleton(o);
    if (*ref) {
        return 0;
    }
    rc = memo_get(w, o, ref);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (PyUnicode_CheckExact(o)) {
        rc = put_str(w, o, &at);
    } else if (PyBytes_CheckExact(o)) {
        rc = put_plain(w, o, FZ_CI_BYTES,
                       offsetof(PyBytesObject, ob_sval) +
                           (size_t)PyBytes_GET_SIZE(o) + 1,
                       &at);
        if (rc == 0) {
            /* ob_shash, deprecated by name in 3.11: the word after the
             * size, -1 until the bytes are hashed. */
            Py_hash_t unset = -1;

            memcpy(w->out->data + at + sizeof(PyVarObject), &unset,
                   sizeof(unset));
        }
    } else if (PyTuple_CheckExact(o)) {
        rc = put_tuple(w, o, FZ_CI_TUPLE, &at);
    } else if (PyLong_CheckExact(o)) {
        Py_ssize_t n = Py_SIZE(o) < 0 ? -Py_SIZE(o) : Py_SIZE(o);

        rc = put_plain(w, o, FZ_CI_INT,
                       offsetof(PyLongObject, ob_digit) +
                           (size_t)(n ? n : 1) * sizeof(digit),
                       &at);
    } else if (PyFloat_CheckExact(o)) {
        rc = put_plain(w, o, FZ_CI_FLOAT, sizeof(PyFloatObject), &at);
    } else if (PyComplex_CheckExact(o)) {
        rc = put_plain(w, o, FZ_CI_COMPLEX, sizeof(PyComplexObject), &at);
    } else if (PyFrozenSet_CheckExact(o)) {
        rc = put_frozenset(w, o, &at);
    } else if (PyCode_Check(o)) {
        rc = put_code(w, (PyCodeObject *)o, &at);
    } else {
        return fz_error_set(FZ_EINVAL, "code image: a constant of type %s",
                            Py_TYPE(o)->tp_name);
    }
    if (rc < 0) {
        return rc;
    }
    *ref = at;
    return memo_put(w, o, at);
}

int
fz_codeimage_write(fz_buf *out, PyObject *code)
{
    writer w = {out, NULL, NULL};
    uint32_t layout = fz_codeimage_layout();
    uint64_t size = 0;
    uint64_t root;
    int rc;

    fz_buf_clear(out);
    if (!PyCode_Check(code)) {
        return fz_error_set(FZ_EINVAL, "code image: not a code object");
    }
    w.memo = PyDict_New();
    w.keep = PyList_New(0);
    if (!w.memo || !w.keep) {
        Py_XDECREF(w.memo);
        Py_XDECREF(w.keep);
        return -1;
    }
    rc = fz_buf_append(out, FZ_CODEIMAGE_MAGIC, 4);
    if (rc == 0) {
        rc = fz_buf_append(out, &layout, sizeof(layout));
    }
    if (rc == 0) {
        rc = fz_buf_append(out, &size, sizeof(size));
    }
    if (rc == 0) {
        rc = put_object(&w, code, &root);
    }
    Py_DECREF(w.memo);
    Py_DECREF(w.keep);
    if (rc < 0) {
        fz_buf_clear(out);
        return rc;
    }
    size = out->size;
    memcpy(out->data + 8, &size, sizeof(size));
    return 0;
}

int
fz_codeimage_from_marshal(fz_buf *buf, const char *display)
{
    fz_buf image = FZ_BUF_INIT;
    PyObject *code;
    int rc;

    code = PyMarshal_ReadObjectFromString(buf->data, (Py_ssize_t)buf->size);
    if (code == NULL) {
        return fz_pyembed_error(NULL, display);
    }
    rc = fz_codeimage_write(&image, code);
    Py_DECREF(code);
    if (rc == FZ_EINVAL) {
        /* A constant no image holds: the module stays marshalled. */
        fz_error_clear();
        fz_buf_dispose(&image);
        return 0;
    }
    if (rc < 0) {
        fz_buf_dispose(&image);
        return PyErr_Occurred() ? fz_pyembed_error(NULL, display) : rc;
    }
    fz_buf_dispose(buf);
    *buf = image;
    return 0;
}
