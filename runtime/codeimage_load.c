/*
 * codeimage_load.c - turn a code image (fz_codeimage.h) into live objects, in
 * place.
 *
 * One pass over the records, in order (a record refers only to records
 * before it). Each record's tag and sizes are checked against the room
 * left; each reference must name a live object before it, of the type its
 * field holds (a bitmap marks where live objects start); a code object's
 * names must be str and its local counts agree with its tables (what
 * _PyCode_Validate and intern_strings check of unmarshalled code). Then
 * the object gets its type and reference count, its references become
 * addresses, a name is interned, a frozenset built from its tuple. A
 * damaged record stops the load with ImportError; the objects made live
 * before it keep the memory.
 *
 * An image's objects are never freed: their reference counts start so
 * high that no decref reaches zero (as CPython's own deep-frozen modules
 * do), and no code treats them as uniquely owned (a reference count of 1
 * allows resizing in place).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "fz_codeimage.h"

#include <string.h>

/* Far from zero in both directions. */
#define IMAGE_REFCNT ((Py_ssize_t)1 << 40)

/* The type slot of an image str replaced by its interned twin, or of a
 * frozenset record; its first word is then the object to use instead. */
#define FORWARD ((PyTypeObject *)(uintptr_t)1)

typedef struct image {
    char *base;
    size_t size;
    uint8_t *live; /* bit per 8 bytes: a live object starts here */
} image;

/*
 * The singletons a reference may name, one table for the process (made
 * at the first load, under the GIL; they live as long as the runtime).
 */
enum {
    S_CONST = 0,
    S_INT = S_CONST + FZ_CI_CONST_MAX + 1,
    S_CHAR = S_INT + 262,
    S_BYTE = S_CHAR + 256,
    S_COUNT = S_BYTE + 256
};
static PyObject *singletons[S_COUNT];

/*
 * Every image made live, chained through its header (which is not needed
 * once loaded): the objects live until the process ends, and the chain
 * keeps their memory reachable for leak checkers. Changed under the GIL.
 */
static char *kept_images;

static int
make_singletons(void)
{
    PyObject **t = singletons;

    if (t[S_COUNT - 1]) {
        return 0;
    }
    t[S_CONST + FZ_CI_NONE] = Py_NewRef(Py_None);
    t[S_CONST + FZ_CI_TRUE] = Py_NewRef(Py_True);
    t[S_CONST + FZ_CI_FALSE] = Py_NewRef(Py_False);
    t[S_CONST + FZ_CI_ELLIPSIS] = Py_NewRef(Py_Ellipsis);
    t[S_CONST + FZ_CI_EMPTY_TUPLE] = PyTuple_New(0);
    t[S_CONST + FZ_CI_EMPTY_STR] = PyUnicode_New(0, 0);
    t[S_CONST + FZ_CI_EMPTY_BYTES] = PyBytes_FromStringAndSize(NULL, 0);
    for (int i = 0; i < 262; i++) {
        t[S_INT + i] = PyLong_FromLong(i - 5);
    }
    for (int i = 0; i < 256; i++) {
        char c = (char)i;

        /* The interned twin (a name or not: the image does not say). */
        t[S_CHAR + i] = PyUnicode_FromOrdinal(i);
        if (t[S_CHAR + i]) {
            PyUnicode_InternInPlace(&t[S_CHAR + i]);
        }
        t[S_BYTE + i] = PyBytes_FromStringAndSize(&c, 1);
    }
    for (int i = 0; i < S_COUNT; i++) {
        if (!t[i]) {
            for (int j = 0; j < S_COUNT; j++) {
                Py_CLEAR(t[j]);
            }
            return -1;
        }
    }
    return 0;
}

/* The singleton `ref` names (borrowed), or NULL. */
static PyObject *
single(uint64_t ref)
{
    uint64_t value = (ref >> 1) & 0xffffffffu;

    switch (ref >> 33) {
    case FZ_CI_S_CONST:
        return value <= FZ_CI_CONST_MAX ? singletons[S_CONST + value] : NULL;
    case FZ_CI_S_INT:
        return value < 262 ? singletons[S_INT + value] : NULL;
    case FZ_CI_S_CHAR:
        return value < 256 ? singletons[S_CHAR + value] : NULL;
    case FZ_CI_S_BYTE:
        return value < 256 ? singletons[S_BYTE + value] : NULL;
    }
    return NULL;
}

/*
 * Replace the reference in the slot at p, inside the object at `self`,
 * by a new reference to what it names: a singleton, or a live object
 * before `self` of type `want` (NULL: any).
 */
static int
resolve(const image *im, char *p, size_t self, PyTypeObject *want)
{
    uint64_t ref;
    PyObject *o;

    memcpy(&ref, p, sizeof(ref));
    if (ref & 1u) {
        o = single(ref);
    } else if (ref < self && ((im->live[ref / 64u] >> (ref / 8u % 8u)) & 1u)) {
        o = (PyObject *)(im->base + ref);
        if (o->ob_type == FORWARD) {
            o = (PyObject *)o->ob_refcnt;
        }
    } else {
        o = NULL;
    }
    if (!o || (want && Py_TYPE(o) != want)) {
        return -1;
    }
    Py_INCREF(o);
    memcpy(p, &o, sizeof(o));
    return 0;
}

/* Are all items of the live tuple t str? */
static int
all_str(PyObject *t)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(t, i))) {
            return 0;
        }
    }
    return 1;
}

/* Bytes of the str object at obj, or 0 when its fields are unsound. */
static size_t
str_size(const PyASCIIObject *a)
{
    size_t kind = a->state.kind;
    size_t header =
        a->state.ascii ? sizeof(PyASCIIObject) : sizeof(PyCompactUnicodeObject);

    if (!a->state.compact || !a->state.ready ||
        (kind != 1 && kind != 2 && kind != 4) ||
        (a->state.ascii && kind != 1) || a->length < 0 ||
        (size_t)a->length >= (SIZE_MAX - header) / kind) {
        return 0;
    }
    return header + ((size_t)a->length + 1) * kind;
}

static int
make_code(const image *im, PyCodeObject *c, size_t at, size_t room)
{
    size_t n = (size_t)Py_SIZE(c);

    if (room < offsetof(PyCodeObject, co_code_adaptive) || Py_SIZE(c) <= 0 ||
        n > (room - offsetof(PyCodeObject, co_code_adaptive)) /
                sizeof(_Py_CODEUNIT) ||
        resolve(im, (char *)&c->co_consts, at, &PyTuple_Type) < 0 ||
        resolve(im, (char *)&c->co_names, at, &PyTuple_Type) < 0 ||
        resolve(im, (char *)&c->co_exceptiontable, at, &PyBytes_Type) < 0 ||
        resolve(im, (char *)&c->co_localsplusnames, at, &PyTuple_Type) < 0 ||
        resolve(im, (char *)&c->co_localspluskinds, at, &PyBytes_Type) < 0 ||
        resolve(im, (char *)&c->co_filename, at, &PyUnicode_Type) < 0 ||
        resolve(im, (char *)&c->co_name, at, &PyUnicode_Type) < 0 ||
        resolve(im, (char *)&c->co_qualname, at, &PyUnicode_Type) < 0 ||
        resolve(im, (char *)&c->co_linetable, at, &PyBytes_Type) < 0 ||
        !all_str(c->co_names) || !all_str(c->co_localsplusnames) ||
        PyTuple_GET_SIZE(c->co_localsplusnames) != c->co_nlocalsplus ||
        PyBytes_GET_SIZE(c->co_localspluskinds) != c->co_nlocalsplus) {
        return -1;
    }
    return 0;
}

/*
 * Make the record at `at` live. *next is where the following record
 * starts. -1 with an exception set on a damaged record or no memory.
 */
static int
make_record(image *im, size_t at, size_t *next)
{
    char *rec = im->base + at;
    size_t room = im->size - at;
    uint64_t tag;
    PyObject *o;
    size_t size;

    if (room < sizeof(PyObject)) {
        goto damaged;
    }
    memcpy(&tag, rec, sizeof(tag));
    o = (PyObject *)rec;
    switch (tag & ~(uint64_t)FZ_CI_INTERN) {
    case FZ_CI_STR:
        size = room >= sizeof(PyASCIIObject)
                   ? str_size((const PyASCIIObject *)rec)
                   : 0;
        if (size == 0 || size > room) {
            goto damaged;
        }
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyUnicode_Type;
        if (tag & FZ_CI_INTERN) {
            PyObject *s = o;

            PyUnicode_InternInPlace(&s);
            if (s != o) {
                /* The image keeps the reference it was given: the
                 * interned table does not count its own. */
                o->ob_type = FORWARD;
                o->ob_refcnt = (Py_ssize_t)s;
            }
        }
        break;
    case FZ_CI_BYTES:
        if (room <= offsetof(PyBytesObject, ob_sval) || Py_SIZE(o) < 0 ||
            (size_t)Py_SIZE(o) >= room - offsetof(PyBytesObject, ob_sval)) {
            goto damaged;
        }
        size = offsetof(PyBytesObject, ob_sval) + (size_t)Py_SIZE(o) + 1;
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyBytes_Type;
        break;
    case FZ_CI_INT: {
        size_t digits;

        if (room < offsetof(PyLongObject, ob_digit) + sizeof(digit) ||
            Py_SIZE(o) == PY_SSIZE_T_MIN) {
            goto damaged;
        }
        digits = (size_t)(Py_SIZE(o) < 0 ? -Py_SIZE(o) : Py_SIZE(o));
        if (digits >
            (room - offsetof(PyLongObject, ob_digit)) / sizeof(digit)) {
            goto damaged;
        }
        size = offsetof(PyLongObject, ob_digit) +
               (digits ? digits : 1) * sizeof(digit);
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyLong_Type;
        break;
    }
    case FZ_CI_FLOAT:
        if (room < sizeof(PyFloatObject)) {
            goto damaged;
        }
        size = sizeof(PyFloatObject);
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyFloat_Type;
        break;
    case FZ_CI_COMPLEX:
        if (room < sizeof(PyComplexObject)) {
            goto damaged;
        }
        size = sizeof(PyComplexObject);
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyComplex_Type;
        break;
    case FZ_CI_FROZENSET: {
        PyObject *items;
        PyObject *set;

        size = sizeof(PyObject) + sizeof(uint64_t);
        if (room < size ||
            resolve(im, rec + sizeof(PyObject), at, &PyTuple_Type) < 0) {
            goto damaged;
        }
        memcpy(&items, rec + sizeof(PyObject), sizeof(items));
        set = PyFrozenSet_New(items);
        if (!set) {
            return -1;
        }
        o->ob_type = FORWARD;
        o->ob_refcnt = (Py_ssize_t)set; /* the image's reference */
        break;
    }
    case FZ_CI_TUPLE: {
        size_t n;

        if (room < FZ_CI_GC_HEAD_SIZE + offsetof(PyTupleObject, ob_item)) {
            goto damaged;
        }
        memset(rec, 0, FZ_CI_GC_HEAD_SIZE); /* untracked */
        at += FZ_CI_GC_HEAD_SIZE;
        room -= FZ_CI_GC_HEAD_SIZE;
        o = (PyObject *)(rec + FZ_CI_GC_HEAD_SIZE);
        n = (size_t)Py_SIZE(o);
        if (Py_SIZE(o) <= 0 || n > (room - offsetof(PyTupleObject, ob_item)) /
                                       sizeof(PyObject *)) {
            goto damaged;
        }
        for (size_t i = 0; i < n; i++) {
            if (resolve(im, (char *)&((PyTupleObject *)o)->ob_item[i], at,
                        NULL) < 0) {
                goto damaged;
            }
        }
        size = offsetof(PyTupleObject, ob_item) + n * sizeof(PyObject *);
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyTuple_Type;
        break;
    }
    case FZ_CI_CODE:
        if (make_code(im, (PyCodeObject *)o, at, room) < 0) {
            goto damaged;
        }
        size = offsetof(PyCodeObject, co_code_adaptive) +
               (size_t)Py_SIZE(o) * sizeof(_Py_CODEUNIT);
        o->ob_refcnt = IMAGE_REFCNT;
        o->ob_type = &PyCode_Type;
        break;
    default:
        goto damaged;
    }
    im->live[at / 64u] |= (uint8_t)(1u << (at / 8u % 8u));
    *next = at + ((size + 7u) & ~(size_t)7u);
    return 0;
damaged:
    PyErr_Format(PyExc_ImportError, "code image: damaged record at %zu", at);
    return -1;
}

PyObject *
fz_codeimage_load(void *mem, size_t size, int *kept)
{
    image im = {mem, size, NULL};
    uint32_t layout;
    uint64_t stated;
    size_t at = FZ_CODEIMAGE_HEADER_SIZE;
    size_t last = 0;
    PyObject *code = NULL;

    *kept = 0;
    if (size < FZ_CODEIMAGE_HEADER_SIZE || size % 8u != 0 ||
        ((uintptr_t)mem & 7u) != 0 || memcmp(mem, FZ_CODEIMAGE_MAGIC, 4) != 0) {
        PyErr_SetString(PyExc_ImportError, "code image: damaged header");
        return NULL;
    }
    memcpy(&layout, im.base + 4, sizeof(layout));
    memcpy(&stated, im.base + 8, sizeof(stated));
    if (layout != fz_codeimage_layout()) {
        PyErr_SetString(PyExc_ImportError,
                        "code image: made for another CPython build");
        return NULL;
    }
    if (stated != size) {
        PyErr_SetString(PyExc_ImportError, "code image: damaged header");
        return NULL;
    }
    if (make_singletons() < 0) {
        return NULL;
    }
    im.live = PyMem_Calloc(size / 64u + 1u, 1);
    if (!im.live) {
        return PyErr_NoMemory();
    }
    /* From the first object made live on, the memory is the objects'. */
    *kept = 1;
    memcpy(im.base + 8, &kept_images, sizeof(kept_images));
    kept_images = im.base;
    while (at < size) {
        last = at;
        if (make_record(&im, at, &at) < 0) {
            goto done;
        }
    }
    code = (PyObject *)(im.base + last);
    if (last == 0 || Py_TYPE(code) != &PyCode_Type) {
        PyErr_SetString(PyExc_ImportError, "code image: no code object");
        code = NULL;
        goto done;
    }
    Py_INCREF(code);
done:
    PyMem_Free(im.live);
    return code;
}
