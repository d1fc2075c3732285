/*
 * codeimage_load.c - lay out the objects of a code image (fz_codeimage.h)
 * in one block of memory, live.
 *
 * One pass over the listed objects, in order: each is written at the next
 * free place of the block as the live object (header, fields, then its
 * characters, digits, items or code units), its references already the
 * addresses of the objects listed before it, checked to be of the type
 * their field holds; a code object's names must be str and its local
 * counts agree with its tables (what _PyCode_Validate and intern_strings
 * check of unmarshalled code). A name is interned where it lands: when
 * its twin is interned already, the twin is used and the place is taken
 * by the next object. A frozenset is built from its tuple. Every size
 * read is checked against the bytes left and the room the block has; a
 * damaged image stops the load with ImportError.
 *
 * The objects in the block are never freed: their reference counts start
 * so high that no decref reaches zero (as CPython's own deep-frozen
 * modules do), and no code treats them as uniquely owned (a reference
 * count of 1 allows resizing in place). Code that runs once (FZ_CI_HEAP:
 * a module's or a class's body, with its own tuples and bytes) is built
 * on the heap as ordinary objects instead, freed after it ran.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "fz_bytes.h"
#include "fz_codeimage.h"

#include <string.h>

/* Far from zero in both directions. */
#define IMAGE_REFCNT ((Py_ssize_t)1 << 40)

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

/* The singleton FZ_CI_SINGLE(class, value) >> 1 names (borrowed), or
 * NULL. */
static PyObject *
single(uint64_t v)
{
    uint64_t value = v & 511u;

    switch (v >> 9) {
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
 * Every block laid out, chained through its first word: the objects live
 * until the process ends, and the chain keeps their memory reachable for
 * leak checkers. Changed under the GIL.
 */
static void *kept_blocks;

typedef struct reader {
    const uint8_t *p; /* next byte of the image */
    const uint8_t *end;
    char *block;        /* where the objects are laid out */
    size_t used, room;  /* bytes of block taken, and its size */
    PyObject **objects; /* the objects listed so far, by index */
    uint32_t count;     /* how many */
    PyObject **stack;   /* listed objects no parent has taken yet */
    uint32_t depth;     /* how many */
    uint8_t *heap;      /* by index: built on the heap (FZ_CI_HEAP) */
    int last_heap;      /* the object make_object made is */
} reader;

static int
get_varint(reader *r, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b;

        if (r->p == r->end) {
            return -1;
        }
        b = *r->p++;
        x |= (uint64_t)(b & 0x7fu) << shift;
        if (!(b & 0x80u)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int
get_signed(reader *r, int64_t *v)
{
    uint64_t z;

    if (get_varint(r, &z) < 0) {
        return -1;
    }
    *v = (int64_t)(z >> 1) ^ -(int64_t)(z & 1u);
    return 0;
}

/* An int field: a zigzag varint that fits in int. */
static int
get_int(reader *r, int *v)
{
    int64_t x;

    if (get_signed(r, &x) < 0 || x < INT_MIN || x > INT_MAX) {
        return -1;
    }
    *v = (int)x;
    return 0;
}

static const uint8_t *
get_bytes(reader *r, uint64_t n)
{
    const uint8_t *at = r->p;

    if (n > (uint64_t)(r->end - r->p)) {
        return NULL;
    }
    r->p += n;
    return at;
}

/* The next `size` bytes of the block, or NULL when it has no room. */
static char *
take(reader *r, uint64_t size)
{
    uint64_t aligned = (size + 7u) & ~(uint64_t)7u;
    char *at;

    if (size > r->room || aligned > r->room - r->used) {
        return NULL;
    }
    at = r->block + r->used;
    r->used += (size_t)aligned;
    return at;
}

/* Read one raw reference into a slot (resolve_refs makes it an object). */
static int
get_ref(reader *r, PyObject **slot)
{
    uint64_t ref;

    if (get_varint(r, &ref) < 0 || ref > UINTPTR_MAX) {
        return -1;
    }
    *slot = (PyObject *)(uintptr_t)ref;
    return 0;
}

/*
 * The n slots hold raw references (get_ref); make each a new reference to
 * what it names, of type want[i] (want NULL: any type). The markers (0)
 * take the objects listed for this one from the top of the stack, in
 * order. 0, or -1 on damage, every slot then NULL.
 */
static int
resolve_refs(reader *r, PyObject **slots, size_t n, PyTypeObject *const *want)
{
    size_t fresh = 0;
    uint32_t base;

    for (size_t i = 0; i < n; i++) {
        fresh += slots[i] == NULL;
    }
    if (fresh > r->depth) {
        goto damaged;
    }
    base = r->depth - (uint32_t)fresh;
    fresh = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t ref = (uintptr_t)slots[i];
        PyObject *o;

        if (ref == 0) {
            o = r->stack[base + fresh++];
        } else if (ref & 1u) {
            o = single(ref >> 1);
        } else {
            uintptr_t back = ref >> 1; /* how far before this object */

            o = back <= r->count ? r->objects[r->count - back] : NULL;
        }
        if (!o || (want && Py_TYPE(o) != want[i])) {
            while (i-- > 0) {
                Py_CLEAR(slots[i]); /* a macro: no side effects inside */
            }
            goto damaged;
        }
        Py_INCREF(o);
        slots[i] = o;
    }
    r->depth = base;
    return 0;
damaged:
    memset(slots, 0, n * sizeof(*slots));
    return -1;
}

static void
adopt(PyObject *o, PyTypeObject *type)
{
    o->ob_refcnt = IMAGE_REFCNT;
    o->ob_type = type;
}

static PyObject *
make_str(reader *r, unsigned tag)
{
    unsigned kind;
    int ascii = (tag & ~FZ_CI_INTERN) == FZ_CI_STR;
    uint64_t len;
    size_t header;
    const uint8_t *chars;
    PyASCIIObject *a;
    PyObject *o;

    switch (tag & ~FZ_CI_INTERN) {
    case FZ_CI_STR2:
        kind = 2;
        break;
    case FZ_CI_STR4:
        kind = 4;
        break;
    default:
        kind = 1;
        break;
    }
    if (get_varint(r, &len) < 0 || len > (uint64_t)PY_SSIZE_T_MAX / 4 ||
        !(chars = get_bytes(r, len * kind))) {
        return NULL;
    }
    header = ascii ? sizeof(PyASCIIObject) : sizeof(PyCompactUnicodeObject);
    a = (PyASCIIObject *)take(r, header + (len + 1) * kind);
    if (!a) {
        return NULL;
    }
    o = (PyObject *)a;
    adopt(o, &PyUnicode_Type);
    a->length = (Py_ssize_t)len;
    a->hash = -1;
    memset(&a->state, 0, sizeof(a->state));
    a->state.kind = kind;
    a->state.compact = 1;
    a->state.ascii = (unsigned)ascii;
    a->state.ready = 1;
    a->wstr = NULL;
    if (!ascii) {
        PyCompactUnicodeObject *c = (PyCompactUnicodeObject *)a;

        c->utf8_length = 0;
        c->utf8 = NULL;
        c->wstr_length = 0;
    }
    memcpy((char *)a + header, chars, (size_t)len * kind);
    memset((char *)a + header + len * kind, 0, kind);
    if (tag & FZ_CI_INTERN) {
        PyObject *s = o;

        PyUnicode_InternInPlace(&s);
        if (s != o) {
            /* Its twin is used (the image keeps the reference it was
             * given: the interned table does not count its own), and the
             * place goes to the next object. */
            r->used = (size_t)((char *)a - r->block);
            o = s;
        }
    }
    return o;
}

static PyObject *
make_bytes(reader *r, int heap)
{
    uint64_t n;
    const uint8_t *data;
    PyBytesObject *b;
    Py_hash_t unset = -1;

    if (get_varint(r, &n) < 0 || !(data = get_bytes(r, n))) {
        return NULL;
    }
    if (heap) {
        return PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)n);
    }
    b = (PyBytesObject *)take(r, offsetof(PyBytesObject, ob_sval) + n + 1);
    if (!b) {
        return NULL;
    }
    adopt((PyObject *)b, &PyBytes_Type);
    Py_SET_SIZE(b, (Py_ssize_t)n);
    /* ob_shash, deprecated by name in 3.11: the word after the size. */
    memcpy((char *)b + sizeof(PyVarObject), &unset, sizeof(unset));
    memcpy(b->ob_sval, data, (size_t)n);
    b->ob_sval[n] = '\0';
    return (PyObject *)b;
}

static PyObject *
make_long(reader *r)
{
    int64_t size;
    uint64_t n;
    const uint8_t *d;
    PyLongObject *l;

    if (get_signed(r, &size) < 0 || size == INT64_MIN) {
        return NULL;
    }
    n = (uint64_t)(size < 0 ? -size : size);
    if (n > (uint64_t)PY_SSIZE_T_MAX / sizeof(digit) ||
        !(d = get_bytes(r, n * 4)) ||
        !(l = (PyLongObject *)take(r, offsetof(PyLongObject, ob_digit) +
                                          (n ? n : 1) * sizeof(digit)))) {
        return NULL;
    }
    adopt((PyObject *)l, &PyLong_Type);
    Py_SET_SIZE(l, (Py_ssize_t)size);
    l->ob_digit[0] = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v = fz_get_u32(d + 4 * i);

        if (v >= PyLong_BASE || (i + 1 == n && v == 0)) {
            return NULL; /* not a digit, or not normalized */
        }
        l->ob_digit[i] = (digit)v;
    }
    return (PyObject *)l;
}

static PyObject *
make_float(reader *r, int complex)
{
    size_t n = complex ? 2 : 1;
    const uint8_t *d = get_bytes(r, n * sizeof(double));
    PyObject *o;

    if (!d || !(o = (PyObject *)take(r, complex ? sizeof(PyComplexObject)
                                                : sizeof(PyFloatObject)))) {
        return NULL;
    }
    if (complex) {
        adopt(o, &PyComplex_Type);
        memcpy(&((PyComplexObject *)o)->cval.real, d, sizeof(double));
        memcpy(&((PyComplexObject *)o)->cval.imag, d + sizeof(double),
               sizeof(double));
    } else {
        adopt(o, &PyFloat_Type);
        memcpy(&((PyFloatObject *)o)->ob_fval, d, sizeof(double));
    }
    return o;
}

static PyObject *
make_tuple(reader *r, int heap)
{
    uint64_t n;
    char *at;
    PyTupleObject *t;

    /* At most one item per byte left: bounds the room asked for. */
    if (get_varint(r, &n) < 0 || n == 0 || n > (uint64_t)(r->end - r->p)) {
        return NULL;
    }
    if (heap) {
        t = (PyTupleObject *)PyTuple_New((Py_ssize_t)n);
        if (!t) {
            return NULL;
        }
    } else {
        at = take(r, FZ_CI_GC_HEAD_SIZE + offsetof(PyTupleObject, ob_item) +
                         n * sizeof(PyObject *));
        if (!at) {
            return NULL;
        }
        memset(at, 0, FZ_CI_GC_HEAD_SIZE); /* untracked */
        t = (PyTupleObject *)(at + FZ_CI_GC_HEAD_SIZE);
    }
    /* Nothing below allocates, so no collection sees the raw items. */
    for (uint64_t i = 0; i < n; i++) {
        if (get_ref(r, &t->ob_item[i]) < 0) {
            break;
        }
        if (i + 1 == n && resolve_refs(r, t->ob_item, (size_t)n, NULL) == 0) {
            if (!heap) {
                adopt((PyObject *)t, &PyTuple_Type);
                Py_SET_SIZE(t, (Py_ssize_t)n);
            }
            return (PyObject *)t;
        }
    }
    if (heap) {
        memset(t->ob_item, 0, (size_t)n * sizeof(PyObject *));
        Py_DECREF(t);
    }
    return NULL;
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

/* Are a code object's numbers what _PyCode_Validate allows, and within
 * its locals? */
static int
counts_ok(const int *n)
{
    int nlocalsplus = n[FZ_CI_N_NLOCALSPLUS];
    int64_t nargs = (int64_t)n[FZ_CI_N_ARGCOUNT] + n[FZ_CI_N_KWONLYARGCOUNT] +
                    ((n[FZ_CI_N_FLAGS] & CO_VARARGS) != 0) +
                    ((n[FZ_CI_N_FLAGS] & CO_VARKEYWORDS) != 0);

    for (size_t i = FZ_CI_N_ARGCOUNT; i < FZ_CI_N_COUNT; i++) {
        /* only the first line may be < 0 */
        if (i != FZ_CI_N_FIRSTLINENO && n[i] < 0) {
            return 0;
        }
    }
    return n[FZ_CI_N_FLAGS] >= 0 &&
           n[FZ_CI_N_ARGCOUNT] >= n[FZ_CI_N_POSONLYARGCOUNT] &&
           n[FZ_CI_N_ARGCOUNT] <= nlocalsplus &&
           n[FZ_CI_N_KWONLYARGCOUNT] <= nlocalsplus &&
           n[FZ_CI_N_NLOCALS] <= nlocalsplus &&
           n[FZ_CI_N_NPLAINCELLVARS] <= nlocalsplus &&
           n[FZ_CI_N_NCELLVARS] <= nlocalsplus &&
           n[FZ_CI_N_NFREEVARS] <= nlocalsplus && n[FZ_CI_N_NLOCALS] >= nargs;
}

static PyObject *
make_code(reader *r, int heap)
{
    static PyTypeObject *const want[FZ_CI_R_COUNT] = {
        [FZ_CI_R_CONSTS] = &PyTuple_Type,
        [FZ_CI_R_NAMES] = &PyTuple_Type,
        [FZ_CI_R_EXCEPTIONTABLE] = &PyBytes_Type,
        [FZ_CI_R_LOCALSPLUSNAMES] = &PyTuple_Type,
        [FZ_CI_R_LOCALSPLUSKINDS] = &PyBytes_Type,
        [FZ_CI_R_FILENAME] = &PyUnicode_Type,
        [FZ_CI_R_NAME] = &PyUnicode_Type,
        [FZ_CI_R_QUALNAME] = &PyUnicode_Type,
        [FZ_CI_R_LINETABLE] = &PyBytes_Type};
    int n[FZ_CI_N_COUNT];
    PyObject *f[FZ_CI_R_COUNT] = {NULL};
    uint64_t units;
    const uint8_t *code;
    PyCodeObject *c;

    for (size_t i = 0; i < FZ_CI_N_COUNT; i++) {
        if (get_int(r, &n[i]) < 0) {
            return NULL;
        }
    }
    for (size_t i = 0; i < FZ_CI_R_COUNT; i++) {
        if (get_ref(r, &f[i]) < 0) {
            return NULL;
        }
    }
    if (resolve_refs(r, f, FZ_CI_R_COUNT, want) < 0) {
        return NULL;
    }
    if (get_varint(r, &units) < 0 || units == 0 ||
        units > INT_MAX / sizeof(_Py_CODEUNIT) ||
        !(code = get_bytes(r, units * sizeof(_Py_CODEUNIT))) || !counts_ok(n) ||
        !all_str(f[FZ_CI_R_NAMES]) || !all_str(f[FZ_CI_R_LOCALSPLUSNAMES]) ||
        PyTuple_GET_SIZE(f[FZ_CI_R_LOCALSPLUSNAMES]) !=
            n[FZ_CI_N_NLOCALSPLUS] ||
        PyBytes_GET_SIZE(f[FZ_CI_R_LOCALSPLUSKINDS]) !=
            n[FZ_CI_N_NLOCALSPLUS] ||
        (uint64_t)n[FZ_CI_N_FIRSTTRACEABLE] > units) {
        goto damaged;
    }
    /* On the heap as _PyCode_New makes it (code_dealloc frees it). */
    if (heap) {
        c = PyObject_NewVar(PyCodeObject, &PyCode_Type, (Py_ssize_t)units);
    } else {
        c = (PyCodeObject *)take(r, offsetof(PyCodeObject, co_code_adaptive) +
                                        units * sizeof(_Py_CODEUNIT));
        if (c) {
            adopt((PyObject *)c, &PyCode_Type);
            Py_SET_SIZE(c, (Py_ssize_t)units);
        }
    }
    if (!c) {
        goto damaged;
    }
    c->co_consts = f[FZ_CI_R_CONSTS];
    c->co_names = f[FZ_CI_R_NAMES];
    c->co_exceptiontable = f[FZ_CI_R_EXCEPTIONTABLE];
    c->co_flags = n[FZ_CI_N_FLAGS];
    c->co_warmup = (short)n[FZ_CI_N_WARMUP];
    c->_co_linearray_entry_size = 0;
    c->co_argcount = n[FZ_CI_N_ARGCOUNT];
    c->co_posonlyargcount = n[FZ_CI_N_POSONLYARGCOUNT];
    c->co_kwonlyargcount = n[FZ_CI_N_KWONLYARGCOUNT];
    c->co_stacksize = n[FZ_CI_N_STACKSIZE];
    c->co_firstlineno = n[FZ_CI_N_FIRSTLINENO];
    c->co_nlocalsplus = n[FZ_CI_N_NLOCALSPLUS];
    c->co_nlocals = n[FZ_CI_N_NLOCALS];
    c->co_nplaincellvars = n[FZ_CI_N_NPLAINCELLVARS];
    c->co_ncellvars = n[FZ_CI_N_NCELLVARS];
    c->co_nfreevars = n[FZ_CI_N_NFREEVARS];
    c->co_localsplusnames = f[FZ_CI_R_LOCALSPLUSNAMES];
    c->co_localspluskinds = f[FZ_CI_R_LOCALSPLUSKINDS];
    c->co_filename = f[FZ_CI_R_FILENAME];
    c->co_name = f[FZ_CI_R_NAME];
    c->co_qualname = f[FZ_CI_R_QUALNAME];
    c->co_linetable = f[FZ_CI_R_LINETABLE];
    c->co_weakreflist = NULL;
    c->_co_code = NULL;
    c->_co_linearray = NULL;
    c->_co_firsttraceable = n[FZ_CI_N_FIRSTTRACEABLE];
    c->co_extra = NULL;
    memcpy(c->co_code_adaptive, code, (size_t)units * sizeof(_Py_CODEUNIT));
    return (PyObject *)c;
damaged:
    for (size_t i = 0; i < FZ_CI_R_COUNT; i++) {
        Py_XDECREF(f[i]);
    }
    return NULL;
}

/* The next object, laid out; NULL on damage (or no memory, with an
 * exception set). */
static PyObject *
make_object(reader *r)
{
    const uint8_t *tag = get_bytes(r, 1);
    int heap;

    if (!tag) {
        return NULL;
    }
    heap = (*tag & FZ_CI_HEAP) != 0;
    r->last_heap = heap;
    if (heap && (*tag & ~FZ_CI_HEAP) != FZ_CI_TUPLE &&
        (*tag & ~FZ_CI_HEAP) != FZ_CI_BYTES &&
        (*tag & ~FZ_CI_HEAP) != FZ_CI_CODE) {
        return NULL;
    }
    switch (*tag & ~(FZ_CI_INTERN | FZ_CI_HEAP)) {
    case FZ_CI_STR:
    case FZ_CI_STR1:
    case FZ_CI_STR2:
    case FZ_CI_STR4:
        return make_str(r, *tag);
    case FZ_CI_BYTES:
        return *tag & FZ_CI_INTERN ? NULL : make_bytes(r, heap);
    case FZ_CI_INT:
        return *tag & FZ_CI_INTERN ? NULL : make_long(r);
    case FZ_CI_FLOAT:
    case FZ_CI_COMPLEX:
        return *tag & FZ_CI_INTERN ? NULL
                                   : make_float(r, *tag == FZ_CI_COMPLEX);
    case FZ_CI_TUPLE:
        return *tag & FZ_CI_INTERN ? NULL : make_tuple(r, heap);
    case FZ_CI_CODE:
        return *tag & FZ_CI_INTERN ? NULL : make_code(r, heap);
    case FZ_CI_FROZENSET: {
        static PyTypeObject *const want[1] = {&PyTuple_Type};
        PyObject *items;
        PyObject *set;

        if ((*tag & FZ_CI_INTERN) || get_ref(r, &items) < 0 ||
            resolve_refs(r, &items, 1, want) < 0) {
            return NULL;
        }
        set = PyFrozenSet_New(items);
        Py_DECREF(items);
        return set; /* the image's reference */
    }
    }
    return NULL;
}

PyObject *
fz_codeimage_load(const void *data, size_t size)
{
    reader r = {
        data, (const uint8_t *)data + size, NULL, 0, 0, NULL, 0, NULL, 0, NULL,
        0};
    const uint8_t *h = data;
    uint64_t room, count;
    PyObject *code = NULL;
    void *block;

    if (size < FZ_CODEIMAGE_HEADER_SIZE ||
        memcmp(h, FZ_CODEIMAGE_MAGIC, 4) != 0) {
        PyErr_SetString(PyExc_ImportError, "code image: damaged header");
        return NULL;
    }
    if ((uint32_t)fz_get_u32(h + 4) != fz_codeimage_layout()) {
        PyErr_SetString(PyExc_ImportError,
                        "code image: made for another CPython build");
        return NULL;
    }
    room = fz_get_u64(h + 8);
    count = fz_get_u32(h + 16);
    if (room > (uint64_t)size * FZ_CODEIMAGE_GROWTH_MAX || count == 0 ||
        count > size || fz_get_u32(h + 20) != 0) {
        PyErr_SetString(PyExc_ImportError, "code image: damaged header");
        return NULL;
    }
    if (make_singletons() < 0) {
        return NULL;
    }
    r.p = h + FZ_CODEIMAGE_HEADER_SIZE;
    r.objects = PyMem_Malloc((size_t)count * (2 * sizeof(PyObject *) + 1));
    block = PyMem_RawMalloc(sizeof(void *) + (size_t)room);
    if (!r.objects || !block) {
        PyMem_Free(r.objects);
        PyMem_RawFree(block);
        return PyErr_NoMemory();
    }
    /* From the first object on, the block is the objects': kept. */
    memcpy(block, &kept_blocks, sizeof(kept_blocks));
    kept_blocks = block;
    r.stack = r.objects + count;
    r.heap = (uint8_t *)(r.stack + count);
    r.block = (char *)block + sizeof(void *);
    r.room = (size_t)room;
    while (r.count < count) {
        PyObject *o = make_object(&r);

        if (!o) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ImportError,
                             "code image: damaged object %u at byte %zu",
                             (unsigned)r.count,
                             (size_t)(r.p - (const uint8_t *)data));
            }
            goto done;
        }
        r.heap[r.count] = (uint8_t)r.last_heap;
        r.objects[r.count++] = o;
        r.stack[r.depth++] = o;
    }
    code = r.objects[count - 1];
    if (r.p != r.end || r.depth != 1 || Py_TYPE(code) != &PyCode_Type) {
        PyErr_SetString(PyExc_ImportError, "code image: damaged end");
        code = NULL;
        goto done;
    }
    Py_INCREF(code);
done:
    /* The image's references to what lives on the heap: what refers to
     * them holds them now, and they go with it. */
    for (uint32_t i = 0; i < r.count; i++) {
        if (r.heap[i]) {
            Py_DECREF(r.objects[i]);
        }
    }
    PyMem_Free(r.objects);
    return code;
}
