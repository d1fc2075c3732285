/*
 * fz_codeimage.h - a module's code objects laid out as the objects
 * themselves, for the runtime to relocate in place instead of unmarshal.
 *
 * The freezer and the runtime link the same libpython3.11.a, so a code
 * object, a str or a tuple has the same memory layout on both sides; the
 * image is that memory, with pointers written as references. Loading is
 * one pass in order: fix each object's type and references, intern the
 * names, done. No object is allocated one by one, no name is parsed, no
 * code object is validated field by field twice.
 *
 * Layout (native byte order, 8-byte aligned):
 *
 *     header   magic "FZCI", layout fingerprint, total size
 *     records  in post-order (a record refers only to records before it)
 *
 * A record is the object's memory, a tuple's after a zeroed PyGC_Head.
 * Its first word (the reference count, or the gc head's first word)
 * holds the record's tag until the object is made live; the object's
 * size follows from its own fields. The type slot is left NULL.
 *
 * A reference (any PyObject * field, tuple items included) is either the
 * even offset of an earlier record's object, or odd: (class << 33) |
 * (value << 1) | 1 for a singleton the runtime already has (None, True,
 * False, Ellipsis, the empty tuple/str/bytes, a small int, a one-character
 * str or bytes), so that identity checks against them keep working.
 *
 * The last record is the module's code object.
 */
#ifndef FZ_CODEIMAGE_H
#define FZ_CODEIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define FZ_CODEIMAGE_MAGIC "FZCI"
#define FZ_CODEIMAGE_HEADER_SIZE 16u

enum fz_codeimage_tag {
    FZ_CI_STR = 1,
    FZ_CI_BYTES = 2,
    FZ_CI_TUPLE = 3,
    FZ_CI_INT = 4,
    FZ_CI_FLOAT = 5,
    FZ_CI_COMPLEX = 6,
    FZ_CI_CODE = 7,
    FZ_CI_FROZENSET = 8, /* one reference: the tuple of its items */
    FZ_CI_TAG_MAX = 8
};

/* Tag bit of a str record whose string is to be interned. */
#define FZ_CI_INTERN 0x100u

/* Classes of singleton references. */
enum fz_codeimage_single {
    FZ_CI_S_CONST = 1, /* value: an fz_codeimage_const */
    FZ_CI_S_INT = 2,   /* value: the int + 5 (-5..256) */
    FZ_CI_S_CHAR = 3,  /* value: a latin-1 code point (its interned str) */
    FZ_CI_S_BYTE = 4   /* value: one byte */
};

enum fz_codeimage_const {
    FZ_CI_NONE = 0,
    FZ_CI_TRUE = 1,
    FZ_CI_FALSE = 2,
    FZ_CI_ELLIPSIS = 3,
    FZ_CI_EMPTY_TUPLE = 4,
    FZ_CI_EMPTY_STR = 5,
    FZ_CI_EMPTY_BYTES = 6,
    FZ_CI_CONST_MAX = 6
};

#define FZ_CI_SINGLE(cls, value)                                               \
    (((uint64_t)(cls) << 33) | ((uint64_t)(value) << 1) | 1u)

/*
 * What the image depends on: the CPython version and the object layouts
 * it copies. The freezer writes it, the runtime refuses any other. Needs
 * <Python.h> first; FZ_CI_GC_HEAD_SIZE is sizeof(PyGC_Head) (two words,
 * Include/internal/pycore_gc.h, not a public header).
 */
#define FZ_CI_GC_HEAD_SIZE (2 * sizeof(uintptr_t))

static inline uint32_t
fz_codeimage_layout(void)
{
    const uint64_t parts[] = {
        PY_VERSION_HEX,
        sizeof(PyObject),
        offsetof(PyCodeObject, co_consts),
        offsetof(PyCodeObject, co_localsplusnames),
        offsetof(PyCodeObject, co_extra),
        offsetof(PyCodeObject, co_code_adaptive),
        sizeof(PyASCIIObject),
        sizeof(PyCompactUnicodeObject),
        offsetof(PyBytesObject, ob_sval),
        offsetof(PyTupleObject, ob_item),
        offsetof(PyLongObject, ob_digit),
        sizeof(digit),
        sizeof(PyFloatObject),
        sizeof(PyComplexObject),
        FZ_CI_GC_HEAD_SIZE,
    };
    uint32_t h = 2166136261u; /* FNV-1a over the parts */

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        h = (h ^ (uint32_t)parts[i]) * 16777619u;
    }
    return h;
}

/*
 * The runtime's loader (runtime/codeimage_load.c): make the image in
 * `mem` (`size` bytes, 8-byte aligned, PyMem_RawMalloc'd) live and return
 * a new reference to its code object. The objects are the memory: on
 * success, and on a failure with *kept set, `mem` must never be freed. A
 * damaged image fails with ImportError. Needs <Python.h> and the GIL.
 */
PyObject *fz_codeimage_load(void *mem, size_t size, int *kept);

#endif /* FZ_CODEIMAGE_H */
