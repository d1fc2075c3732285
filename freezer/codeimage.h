/*
 * codeimage.h - a code object as a code image (fz_codeimage.h), which
 * the runtime relocates in place instead of unmarshalling.
 */
#ifndef FZ_FREEZER_CODEIMAGE_H
#define FZ_FREEZER_CODEIMAGE_H

#include <Python.h>

#include "buf.h"

/*
 * Replace out's contents with the image of `code` and everything it
 * refers to. 0, or an fz error (a constant of a type no image holds:
 * nothing a compiler makes) or -1 with a Python exception set.
 * Needs the GIL.
 */
int fz_codeimage_write(fz_buf *out, PyObject *code);

/*
 * Replace the marshalled code object in buf by its code image; a module
 * whose constants no image can hold stays marshalled (the runtime reads
 * both). 0 or an fz error naming `display`. Needs the GIL.
 */
int fz_codeimage_from_marshal(fz_buf *buf, const char *display);

#endif /* FZ_FREEZER_CODEIMAGE_H */
