/*
 * codeimage.c - write a code object as a code image (fz_codeimage.h).
 *
 * Walks the code object's constants depth first and lists each object
 * once (by identity, as marshal's references do), after the objects it
 * refers to, with the fields the runtime needs to lay it out as this
 * process built it; what only means something in this process (reference
 * count, hash, weak references, caches, padding) is not written, so the
 * image is the same bytes on every build.
 * The build cache keeps images: bump FZ_BUILDCACHE_VERSION (buildcache.h)
 * whenever what this writes changes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "codeimage.h"

#include "fz_bytes.h"
#include "fz_codeimage.h"
#include "fz_error.h"
#include "pyembed.h"

#include <string.h>

typedef struct writer {
    fz_buf *out;
    PyObject *memo; /* id(obj) -> its index */
    PyObject *keep; /* objects made here that the memo names by id */
    uint32_t count; /* objects listed */
    uint64_t room;  /* bytes they take laid out in the block */
    int heap_next;  /* the next object listed is a run-once code's field */
} writer;

static int put_object(writer *w, PyObject *o, uint64_t *ref);

/* What put_object gives for an object it has just listed: its parent
 * takes it from the runtime's stack (reference 0). */
#define REF_NEW UINT64_MAX

static uint64_t
align8(uint64_t n)
{
    return (n + 7u) & ~(uint64_t)7u;
}

static int
put_bytes(writer *w, const void *p, size_t n)
{
    if (fz_buf_append(w->out, p, n) < 0) {
        return fz_error_set(FZ_ENOMEM, "code image: out of memory");
    }
    return 0;
}

static int
put_varint(writer *w, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;

    do {
        b[n] = (uint8_t)(v & 0x7fu);
        v >>= 7;
        b[n] |= v ? 0x80u : 0u;
        n++;
    } while (v);
    return put_bytes(w, b, n);
}

static int
put_signed(writer *w, int64_t v)
{
    return put_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* The record's tag; `laid_out` bytes of the block unless it is built on
 * the heap. */
static int
put_tag(writer *w, unsigned tag, uint64_t laid_out)
{
    uint8_t t = (uint8_t)tag;

    if (!(tag & FZ_CI_HEAP)) {
        w->room += align8(laid_out);
    }
    return put_bytes(w, &t, 1);
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
    *ref = (uint64_t)PyLong_AsUnsignedLongLong(v) << 1;
    return 1;
}

/* Name o by the next index; *ref refers to it. */
static int
memo_put(writer *w, PyObject *o, uint64_t *ref)
{
    PyObject *key = PyLong_FromVoidPtr(o);
    PyObject *v = PyLong_FromUnsignedLong(w->count);
    int rc = -1;

    if (key && v) {
        rc = PyDict_SetItem(w->memo, key, v);
    }
    Py_XDECREF(key);
    Py_XDECREF(v);
    if (rc == 0) {
        *ref = (uint64_t)w->count << 1;
        w->count++;
    }
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
put_str(writer *w, PyObject *o)
{
    static const unsigned tags[5] = {0, FZ_CI_STR1, FZ_CI_STR2, 0, FZ_CI_STR4};
    uint64_t len = (uint64_t)PyUnicode_GET_LENGTH(o);
    int ascii = PyUnicode_IS_ASCII(o);
    unsigned kind = PyUnicode_KIND(o);
    size_t header =
        ascii ? sizeof(PyASCIIObject) : sizeof(PyCompactUnicodeObject);
    unsigned tag = ascii ? FZ_CI_STR : tags[kind];
    int rc;

    if (!PyUnicode_IS_COMPACT(o)) {
        return fz_error_set(FZ_EINVAL, "code image: a str not compact");
    }
    if (PyUnicode_CHECK_INTERNED(o)) {
        tag |= FZ_CI_INTERN;
    }
    rc = put_tag(w, tag, header + (len + 1) * kind);
    if (rc == 0) {
        rc = put_varint(w, len);
    }
    if (rc == 0) {
        rc = put_bytes(w, PyUnicode_DATA(o), (size_t)len * kind);
    }
    return rc;
}

static int
put_long(writer *w, PyObject *o)
{
    const PyLongObject *l = (const PyLongObject *)o;
    Py_ssize_t n = Py_SIZE(o) < 0 ? -Py_SIZE(o) : Py_SIZE(o);
    int rc = put_tag(w, FZ_CI_INT,
                     offsetof(PyLongObject, ob_digit) +
                         (uint64_t)(n ? n : 1) * sizeof(digit));

    if (rc == 0) {
        rc = put_signed(w, Py_SIZE(o));
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        uint8_t d[4];

        fz_put_u32(d, l->ob_digit[i]);
        rc = put_bytes(w, d, sizeof(d));
    }
    return rc;
}

/* List what items[0..n) name (those not listed yet) into refs; `heap`:
 * they are a run-once code's fields. */
static int
list_items(writer *w, PyObject *const *items, Py_ssize_t n, uint64_t *refs,
           int heap)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int rc;

        w->heap_next = heap;
        rc = put_object(w, items[i], &refs[i]);

        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * Write references as the runtime reads them: 0 for an object listed for
 * this one (the runtime keeps those on a stack, so a parent takes its new
 * children from the top, in order: most references are this one byte),
 * a singleton as it is, and an object listed earlier by how far back it
 * was listed.
 */
static int
put_refs(writer *w, const uint64_t *refs, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t ref = refs[i];
        int rc;

        if (ref == REF_NEW) {
            ref = 0;
        } else if (!(ref & 1u)) {
            ref = ((uint64_t)w->count - (ref >> 1)) << 1;
        }
        rc = put_varint(w, ref);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int
put_tuple(writer *w, PyObject *o, unsigned heap)
{
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    uint64_t *refs = PyMem_Malloc((size_t)n * sizeof(*refs));
    int rc;

    if (!refs) {
        return fz_error_set(FZ_ENOMEM, "code image: out of memory");
    }
    rc = list_items(w, &PyTuple_GET_ITEM(o, 0), n, refs, 0);
    if (rc == 0) {
        rc = put_tag(w, FZ_CI_TUPLE | heap,
                     FZ_CI_GC_HEAD_SIZE + offsetof(PyTupleObject, ob_item) +
                         (uint64_t)n * sizeof(PyObject *));
    }
    if (rc == 0) {
        rc = put_varint(w, (uint64_t)n);
    }
    if (rc == 0) {
        rc = put_refs(w, refs, n);
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
put_frozenset(writer *w, PyObject *o)
{
    PyObject *items = sorted_items(o);
    uint64_t ref;
    int rc;

    if (!items) {
        return -1;
    }
    rc = PyList_Append(w->keep, items);
    if (rc == 0) {
        rc = put_object(w, items, &ref);
    }
    Py_DECREF(items);
    if (rc == 0) {
        rc = put_tag(w, FZ_CI_FROZENSET, 0); /* built apart, at load */
    }
    return rc == 0 ? put_refs(w, &ref, 1) : rc;
}

static int
put_code(writer *w, PyCodeObject *co)
{
    PyObject *fields[FZ_CI_R_COUNT] = {
        [FZ_CI_R_CONSTS] = co->co_consts,
        [FZ_CI_R_NAMES] = co->co_names,
        [FZ_CI_R_EXCEPTIONTABLE] = co->co_exceptiontable,
        [FZ_CI_R_LOCALSPLUSNAMES] = co->co_localsplusnames,
        [FZ_CI_R_LOCALSPLUSKINDS] = co->co_localspluskinds,
        [FZ_CI_R_FILENAME] = co->co_filename,
        [FZ_CI_R_NAME] = co->co_name,
        [FZ_CI_R_QUALNAME] = co->co_qualname,
        [FZ_CI_R_LINETABLE] = co->co_linetable};
    const int64_t numbers[FZ_CI_N_COUNT] = {
        [FZ_CI_N_FLAGS] = co->co_flags,
        [FZ_CI_N_WARMUP] = co->co_warmup,
        [FZ_CI_N_ARGCOUNT] = co->co_argcount,
        [FZ_CI_N_POSONLYARGCOUNT] = co->co_posonlyargcount,
        [FZ_CI_N_KWONLYARGCOUNT] = co->co_kwonlyargcount,
        [FZ_CI_N_STACKSIZE] = co->co_stacksize,
        [FZ_CI_N_FIRSTLINENO] = co->co_firstlineno,
        [FZ_CI_N_NLOCALSPLUS] = co->co_nlocalsplus,
        [FZ_CI_N_NLOCALS] = co->co_nlocals,
        [FZ_CI_N_NPLAINCELLVARS] = co->co_nplaincellvars,
        [FZ_CI_N_NCELLVARS] = co->co_ncellvars,
        [FZ_CI_N_NFREEVARS] = co->co_nfreevars,
        [FZ_CI_N_FIRSTTRACEABLE] = co->_co_firsttraceable};
    uint64_t units = (uint64_t)Py_SIZE(co);
    uint64_t refs[FZ_CI_R_COUNT];
    /* A module's or a class's body runs once: on the heap, to be freed. */
    unsigned heap = co->co_flags & CO_NEWLOCALS ? 0 : FZ_CI_HEAP;
    int rc;

    rc = list_items(w, fields, FZ_CI_R_COUNT, refs, heap != 0);
    if (rc == 0) {
        rc = put_tag(w, FZ_CI_CODE | heap,
                     offsetof(PyCodeObject, co_code_adaptive) +
                         units * sizeof(_Py_CODEUNIT));
    }
    for (size_t i = 0; rc == 0 && i < FZ_CI_N_COUNT; i++) {
        rc = put_signed(w, numbers[i]);
    }
    if (rc == 0) {
        rc = put_refs(w, refs, FZ_CI_R_COUNT);
    }
    if (rc == 0) {
        rc = put_varint(w, units);
    }
    if (rc == 0) {
        rc = put_bytes(w, co->co_code_adaptive,
                       (size_t)units * sizeof(_Py_CODEUNIT));
    }
    return rc;
}

/* List o (and what it refers to) unless it is listed; *ref refers to it. */
static int
put_object(writer *w, PyObject *o, uint64_t *ref)
{
    unsigned heap = w->heap_next ? FZ_CI_HEAP : 0;
    int rc;

    w->heap_next = 0; /* for this object only, not what it refers to */
    *ref = singleton(o);
    if (*ref) {
        return 0;
    }
    rc = memo_get(w, o, ref);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (PyUnicode_CheckExact(o)) {
        rc = put_str(w, o);
    } else if (PyBytes_CheckExact(o)) {
        uint64_t n = (uint64_t)PyBytes_GET_SIZE(o);

        rc = put_tag(w, FZ_CI_BYTES | heap,
                     offsetof(PyBytesObject, ob_sval) + n + 1);
        if (rc == 0) {
            rc = put_varint(w, n);
        }
        if (rc == 0) {
            rc = put_bytes(w, PyBytes_AS_STRING(o), (size_t)n);
        }
    } else if (PyTuple_CheckExact(o)) {
        rc = put_tuple(w, o, heap);
    } else if (PyLong_CheckExact(o)) {
        rc = put_long(w, o);
    } else if (PyFloat_CheckExact(o)) {
        double v = PyFloat_AS_DOUBLE(o);

        rc = put_tag(w, FZ_CI_FLOAT, sizeof(PyFloatObject));
        if (rc == 0) {
            rc = put_bytes(w, &v, sizeof(v));
        }
    } else if (PyComplex_CheckExact(o)) {
        Py_complex v = ((PyComplexObject *)o)->cval;

        rc = put_tag(w, FZ_CI_COMPLEX, sizeof(PyComplexObject));
        if (rc == 0) {
            rc = put_bytes(w, &v.real, sizeof(v.real));
        }
        if (rc == 0) {
            rc = put_bytes(w, &v.imag, sizeof(v.imag));
        }
    } else if (PyFrozenSet_CheckExact(o)) {
        rc = put_frozenset(w, o);
    } else if (PyCode_Check(o)) {
        rc = put_code(w, (PyCodeObject *)o);
    } else {
        return fz_error_set(FZ_EINVAL, "code image: a constant of type %s",
                            Py_TYPE(o)->tp_name);
    }
    if (rc < 0 || (rc = memo_put(w, o, ref)) < 0) {
        return rc;
    }
    *ref = REF_NEW;
    return 0;
}

int
fz_codeimage_write(fz_buf *out, PyObject *code)
{
    writer w = {out, NULL, NULL, 0, 0, 0};
    uint8_t header[FZ_CODEIMAGE_HEADER_SIZE] = {0};
    uint32_t layout = fz_codeimage_layout();
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
    memcpy(header, FZ_CODEIMAGE_MAGIC, 4);
    rc = put_bytes(&w, header, sizeof(header));
    if (rc == 0) {
        rc = put_object(&w, code, &root);
    }
    Py_DECREF(w.memo);
    Py_DECREF(w.keep);
    if (rc < 0) {
        fz_buf_clear(out);
        return rc;
    }
    fz_put_u32((uint8_t *)out->data + 4, layout);
    fz_put_u64((uint8_t *)out->data + 8, w.room);
    fz_put_u32((uint8_t *)out->data + 16, w.count);
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
