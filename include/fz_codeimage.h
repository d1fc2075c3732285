/*
 * fz_codeimage.h - a module's code objects as a list of the objects to
 * build, which the runtime lays out in one block of memory with their
 * final layout instead of unmarshalling them one allocation at a time.
 *
 * The freezer and the runtime link the same libpython3.11.a, so a code
 * object, a str or a tuple has the same memory layout on both sides. The
 * image lists the objects in post-order (each refers only to objects
 * before it), compactly; the runtime writes each one at the next free
 * place of one block as the live object (header, fields, characters or
 * items), its references already addresses. Nothing is allocated per
 * object (but for code run once, below), no code object is validated
 * twice, and a name already interned takes no room at all.
 *
 * Layout (integers are LEB128 varints unless sized; sized ones little-
 * endian; "zz" marks zigzag-encoded signed values):
 *
 *     header   magic "FZCI", u32 layout fingerprint, u64 bytes the objects
 *              take at most (what the runtime allocates), u32 object count,
 *              u32 zero
 *     objects  count records, each a u8 tag and its fields:
 *       STR        (ASCII; STR1, STR2, STR4: not ASCII, 1, 2 or 4 bytes a
 *                  character) length, length * kind bytes (FZ_CI_INTERN in
 *                  the tag: a name, to intern)
 *       BYTES      length, the bytes
 *       INT        zz digit count (negative: a negative int), |count| u32
 *                  digits of PyLong_SHIFT bits
 *       FLOAT      f64; COMPLEX  two f64
 *       TUPLE      length >= 1, that many references
 *       FROZENSET  a reference to the tuple of its items (the set is built
 *                  at load time: its table depends on the process's hashes)
 *       CODE       zz co_flags, co_warmup, co_argcount, co_posonlyargcount,
 *                  co_kwonlyargcount, co_stacksize, co_firstlineno,
 *                  co_nlocalsplus, co_nlocals, co_nplaincellvars,
 *                  co_ncellvars, co_nfreevars, _co_firsttraceable; the
 *                  references co_consts, co_names, co_exceptiontable,
 *                  co_localsplusnames, co_localspluskinds, co_filename,
 *                  co_name, co_qualname, co_linetable; the number of code
 *                  units and their bytes
 *
 * Code run once (without CO_NEWLOCALS: a module's or a class's body) is
 * built on the heap with the tuples and bytes listed as its fields
 * (FZ_CI_HEAP), so that it is freed after it ran, as marshal's would be;
 * it takes no room in the block.
 *
 * A reference is 0 for an object listed for this one: the runtime keeps
 * every listed object on a stack, and an object takes those of its
 * references from the top, in order (post-order makes them exactly the
 * top ones; only the code object is left at the end). Otherwise it is
 * even, distance << 1, for the object listed `distance` places before the
 * one it is part of (1: just before), or odd,
 * FZ_CI_SINGLE(class, value), for a singleton the runtime already has
 * (None, True, False, Ellipsis, the empty tuple/str/bytes, a small int, a
 * one-character str or bytes), so that identity checks keep working.
 *
 * The last object is the module's code object.
 */
#ifndef FZ_CODEIMAGE_H
#define FZ_CODEIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define FZ_CODEIMAGE_MAGIC "FZCI"
#define FZ_CODEIMAGE_HEADER_SIZE 24u
/* The most memory one byte of an image can take once laid out (a tuple
 * of one item: 3 bytes, 48 laid out), with room to spare. */
#define FZ_CODEIMAGE_GROWTH_MAX 32u

enum fz_codeimage_tag {
    FZ_CI_STR = 1,
    FZ_CI_BYTES = 2,
    FZ_CI_TUPLE = 3,
    FZ_CI_INT = 4,
    FZ_CI_FLOAT = 5,
    FZ_CI_COMPLEX = 6,
    FZ_CI_CODE = 7,
    FZ_CI_FROZENSET = 8,
    FZ_CI_STR1 = 9,
    FZ_CI_STR2 = 10,
    FZ_CI_STR4 = 11
};

/* Tag bit of a str record whose string is to be interned. */
#define FZ_CI_INTERN 0x80u
/* Tag bit of a TUPLE, BYTES or CODE record built on the heap, with an
 * ordinary reference count: the code of a module's or a class's body
 * (run once, then dropped) and the tuples and bytes it lists as its own
 * fields, freed once nothing holds them. The rest lives in the block. */
#define FZ_CI_HEAP 0x40u

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

/* A CODE record's numbers and references, in the order they are written. */
enum fz_codeimage_code_number {
    FZ_CI_N_FLAGS,
    FZ_CI_N_WARMUP,
    FZ_CI_N_ARGCOUNT,
    FZ_CI_N_POSONLYARGCOUNT,
    FZ_CI_N_KWONLYARGCOUNT,
    FZ_CI_N_STACKSIZE,
    FZ_CI_N_FIRSTLINENO,
    FZ_CI_N_NLOCALSPLUS,
    FZ_CI_N_NLOCALS,
    FZ_CI_N_NPLAINCELLVARS,
    FZ_CI_N_NCELLVARS,
    FZ_CI_N_NFREEVARS,
    FZ_CI_N_FIRSTTRACEABLE,
    FZ_CI_N_COUNT
};

enum fz_codeimage_code_ref {
    FZ_CI_R_CONSTS,
    FZ_CI_R_NAMES,
    FZ_CI_R_EXCEPTIONTABLE,
    FZ_CI_R_LOCALSPLUSNAMES,
    FZ_CI_R_LOCALSPLUSKINDS,
    FZ_CI_R_FILENAME,
    FZ_CI_R_NAME,
    FZ_CI_R_QUALNAME,
    FZ_CI_R_LINETABLE,
    FZ_CI_R_COUNT
};

#define FZ_CI_SINGLE(cls, value)                                               \
    ((((uint64_t)(cls) << 9 | (uint64_t)(value)) << 1) | 1u)

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
 * The runtime's loader (runtime/codeimage_load.c): build the objects of
 * the image in `data` (`size` bytes, only read) and return a new
 * reference to its code object. Their memory is never freed. A damaged
 * image fails with ImportError. Needs <Python.h> and the GIL.
 */
PyObject *fz_codeimage_load(const void *data, size_t size);

#endif /* FZ_CODEIMAGE_H */
